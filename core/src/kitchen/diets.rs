use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::dishes::name_key;
use crate::db::{DbConn, DbError};
use crate::schema::diet_types;

/// A diet type as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = diet_types)]
pub struct DietType {
    pub id: i64,
    pub tenant_id: i64,
    pub site_id: i64,
    pub name: String,
    pub excludes: i64,
    pub texture_level: Option<i32>,
    pub always_applies: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The fields of a diet type as they should be stored.
#[derive(Debug, Clone)]
pub struct DietFields<'a> {
    pub name: &'a str,
    pub excludes: i64,
    pub texture_level: Option<i32>,
    pub always_applies: bool,
}

pub async fn insert(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    site_id: i64,
    fields: &DietFields<'_>,
) -> Result<i64, DbError> {
    let now = crate::db::now();
    let id = crate::db_run!(conn, |c| {
        diesel::insert_into(diet_types::table)
            .values((
                diet_types::tenant_id.eq(tenant_id),
                diet_types::site_id.eq(site_id),
                diet_types::name.eq(fields.name),
                diet_types::name_key.eq(name_key(fields.name)),
                diet_types::excludes.eq(fields.excludes),
                diet_types::texture_level.eq(fields.texture_level),
                diet_types::always_applies.eq(fields.always_applies),
                diet_types::version.eq(1_i64),
                diet_types::created_at.eq(now),
                diet_types::updated_at.eq(now),
            ))
            .returning(diet_types::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}

/// A live diet type of the site (which the caller has already confined to their tenant).
pub async fn find(
    conn: &mut DbConn<'_>,
    site_id: i64,
    id: i64,
) -> Result<Option<DietType>, DbError> {
    let diet = crate::db_run!(conn, |c| {
        diet_types::table
            .filter(diet_types::id.eq(id))
            .filter(diet_types::site_id.eq(site_id))
            .filter(diet_types::deleted_at.is_null())
            .select(DietType::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(diet)
}

pub async fn name_taken(
    conn: &mut DbConn<'_>,
    site_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, DbError> {
    let key = name_key(name);
    let count = crate::db_run!(conn, |c| {
        diet_types::table
            .filter(diet_types::site_id.eq(site_id))
            .filter(diet_types::name_key.eq(&key))
            .filter(diet_types::deleted_at.is_null())
            .filter(diet_types::id.ne(except.unwrap_or(0)))
            .count()
            .get_result::<i64>(c)
            .await
    })?;
    Ok(count > 0)
}

/// Every live diet type of the site, by name (sites have tens, not thousands).
pub async fn list(conn: &mut DbConn<'_>, site_id: i64) -> Result<Vec<DietType>, DbError> {
    let rows = crate::db_run!(conn, |c| {
        diet_types::table
            .filter(diet_types::site_id.eq(site_id))
            .filter(diet_types::deleted_at.is_null())
            .order((diet_types::name_key, diet_types::id))
            .select(DietType::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// The site's diet types that existed on or after `since` (live ones, and those deleted since),
/// with when each was deleted: a week that is over counts the diets it had.
pub async fn list_existing_since(
    conn: &mut DbConn<'_>,
    site_id: i64,
    since: NaiveDateTime,
) -> Result<Vec<(DietType, Option<NaiveDateTime>)>, DbError> {
    let rows = crate::db_run!(conn, |c| {
        diet_types::table
            .filter(diet_types::site_id.eq(site_id))
            .filter(
                diet_types::deleted_at
                    .is_null()
                    .or(diet_types::deleted_at.ge(since)),
            )
            .order((diet_types::name_key, diet_types::id))
            .select((DietType::as_select(), diet_types::deleted_at))
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn update(
    conn: &mut DbConn<'_>,
    diet: &DietType,
    fields: &DietFields<'_>,
) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            diet_types::table
                .filter(diet_types::id.eq(diet.id))
                .filter(diet_types::version.eq(diet.version)),
        )
        .set((
            diet_types::name.eq(fields.name),
            diet_types::name_key.eq(name_key(fields.name)),
            diet_types::excludes.eq(fields.excludes),
            diet_types::texture_level.eq(fields.texture_level),
            diet_types::always_applies.eq(fields.always_applies),
            diet_types::version.eq(diet.version + 1),
            diet_types::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

pub async fn mark_deleted(conn: &mut DbConn<'_>, diet: &DietType) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            diet_types::table
                .filter(diet_types::id.eq(diet.id))
                .filter(diet_types::version.eq(diet.version)),
        )
        .set((
            diet_types::deleted_at.eq(Some(now)),
            diet_types::version.eq(diet.version + 1),
            diet_types::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}
