use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::{DbConn, DbError};
use crate::schema::dishes;

/// A dish as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dishes)]
pub struct Dish {
    pub id: i64,
    pub tenant_id: i64,
    pub name: String,
    pub category: String,
    pub allergens: i64,
    /// Someone stated the allergens; `false` for a dish made from a name alone, whose empty
    /// set means "unknown".
    pub allergens_stated: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The folded form of a name for search and uniqueness: lower case, inner spaces collapsed.
/// Computed here, not by the database, so both backends fold alike (SQLite's `lower` only
/// knows ASCII).
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The fields of a dish as they should be stored.
#[derive(Debug, Clone)]
pub struct DishFields<'a> {
    pub name: &'a str,
    pub category: &'a str,
    pub allergens: i64,
    /// Whether `allergens` was stated by someone (see [`Dish::allergens_stated`]).
    pub allergens_stated: bool,
}

pub async fn insert(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    fields: &DishFields<'_>,
) -> Result<i64, DbError> {
    let now = crate::db::now();
    let id = crate::db_run!(conn, |c| {
        diesel::insert_into(dishes::table)
            .values((
                dishes::tenant_id.eq(tenant_id),
                dishes::name.eq(fields.name),
                dishes::name_key.eq(name_key(fields.name)),
                dishes::category.eq(fields.category),
                dishes::allergens.eq(fields.allergens),
                dishes::allergens_stated.eq(fields.allergens_stated),
                dishes::version.eq(1_i64),
                dishes::created_at.eq(now),
                dishes::updated_at.eq(now),
            ))
            .returning(dishes::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}

pub async fn find(conn: &mut DbConn<'_>, tenant_id: i64, id: i64) -> Result<Option<Dish>, DbError> {
    let dish = crate::db_run!(conn, |c| {
        dishes::table
            .filter(dishes::id.eq(id))
            .filter(dishes::tenant_id.eq(tenant_id))
            .filter(dishes::deleted_at.is_null())
            .select(Dish::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(dish)
}

/// The live dish of the tenant with this name (folded), other than `except`.
pub async fn find_by_name(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<Option<Dish>, DbError> {
    let key = name_key(name);
    let dish = crate::db_run!(conn, |c| {
        dishes::table
            .filter(dishes::tenant_id.eq(tenant_id))
            .filter(dishes::name_key.eq(&key))
            .filter(dishes::deleted_at.is_null())
            .filter(dishes::id.ne(except.unwrap_or(0)))
            .select(Dish::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(dish)
}

/// Which of the tenant's live dishes a list holds.
#[derive(Debug, Default, Clone, Copy)]
pub struct DishFilter<'a> {
    /// Part of the name (folded as [`name_key`] folds).
    pub search: Option<&'a str>,
    /// Only the dishes whose allergens someone has stated (`Some(true)`) or nobody has yet
    /// (`Some(false)`: those the menu editor and the import made from a name alone).
    pub allergens_stated: Option<bool>,
}

/// One page of the tenant's live dishes that pass `filter`, by name, and how many pass.
pub async fn list_filtered(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    filter: DishFilter<'_>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Dish>, i64), DbError> {
    // LIKE's own wildcards in the search text are matched literally.
    let pattern = filter.search.map(|text| {
        let escaped = name_key(text)
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    let result = crate::db_run!(conn, |c| {
        let mut items = dishes::table
            .filter(dishes::tenant_id.eq(tenant_id))
            .filter(dishes::deleted_at.is_null())
            .into_boxed();
        let mut count = dishes::table
            .filter(dishes::tenant_id.eq(tenant_id))
            .filter(dishes::deleted_at.is_null())
            .into_boxed();
        if let Some(pattern) = &pattern {
            items = items.filter(dishes::name_key.like(pattern.clone()).escape('\\'));
            count = count.filter(dishes::name_key.like(pattern.clone()).escape('\\'));
        }
        if let Some(stated) = filter.allergens_stated {
            items = items.filter(dishes::allergens_stated.eq(stated));
            count = count.filter(dishes::allergens_stated.eq(stated));
        }
        let rows = items
            .order((dishes::name_key, dishes::id))
            .offset(offset)
            .limit(limit)
            .select(Dish::as_select())
            .load(c)
            .await?;
        let total = count.count().get_result::<i64>(c).await?;
        Ok::<_, diesel::result::Error>((rows, total))
    })?;
    Ok(result)
}

/// Applies `fields` if the stored version is still the one read.
pub async fn update(
    conn: &mut DbConn<'_>,
    dish: &Dish,
    fields: &DishFields<'_>,
) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            dishes::table
                .filter(dishes::id.eq(dish.id))
                .filter(dishes::version.eq(dish.version)),
        )
        .set((
            dishes::name.eq(fields.name),
            dishes::name_key.eq(name_key(fields.name)),
            dishes::category.eq(fields.category),
            dishes::allergens.eq(fields.allergens),
            dishes::allergens_stated.eq(fields.allergens_stated),
            dishes::version.eq(dish.version + 1),
            dishes::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

pub async fn mark_deleted(conn: &mut DbConn<'_>, dish: &Dish) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            dishes::table
                .filter(dishes::id.eq(dish.id))
                .filter(dishes::version.eq(dish.version)),
        )
        .set((
            dishes::deleted_at.eq(Some(now)),
            dishes::version.eq(dish.version + 1),
            dishes::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_fold_for_search_and_uniqueness() {
        assert_eq!(
            super::name_key("  Köttbullar   med  MOS "),
            "köttbullar med mos"
        );
    }
}
