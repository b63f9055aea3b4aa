//! Storage of recipes: a row per recipe and its ingredient lines by position. The lines are
//! replaced as a whole when a recipe is saved, so they carry no version of their own.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::dishes::name_key;
use super::recipes::{Ingredient, Recipe, Unit};
use crate::db::{DbConn, DbError};
use crate::schema::{recipe_ingredients, recipes};

/// A recipe row as stored (without its lines).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = recipes)]
pub struct RecipeRow {
    pub id: i64,
    pub tenant_id: i64,
    pub dish_id: Option<i64>,
    pub name: String,
    pub yield_portions: i64,
    pub steps: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = recipe_ingredients)]
struct LineRow {
    name: String,
    amount_milli: i64,
    unit: String,
    allergens: i64,
}

/// A stored recipe with its lines, as the pure domain reads it.
#[derive(Debug, Clone)]
pub struct StoredRecipe {
    pub row: RecipeRow,
    pub recipe: Recipe,
}

/// The steps as one column: a step cannot hold a control character, so a newline separates.
pub fn join_steps(steps: &[String]) -> String {
    steps.join("\n")
}

fn split_steps(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split('\n').map(str::to_owned).collect()
}

/// The fields of a recipe as they should be stored.
#[derive(Debug, Clone)]
pub struct RecipeFields<'a> {
    pub dish_id: Option<i64>,
    pub recipe: &'a Recipe,
}

pub async fn insert(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    fields: &RecipeFields<'_>,
) -> Result<i64, DbError> {
    let now = crate::db::now();
    let recipe = fields.recipe;
    let id = crate::db_run!(conn, |c| {
        diesel::insert_into(recipes::table)
            .values((
                recipes::tenant_id.eq(tenant_id),
                recipes::dish_id.eq(fields.dish_id),
                recipes::name.eq(&recipe.name),
                recipes::name_key.eq(name_key(&recipe.name)),
                recipes::yield_portions.eq(i64::from(recipe.yield_portions)),
                recipes::steps.eq(join_steps(&recipe.steps)),
                recipes::version.eq(1_i64),
                recipes::created_at.eq(now),
                recipes::updated_at.eq(now),
            ))
            .returning(recipes::id)
            .get_result::<i64>(c)
            .await
    })?;
    replace_lines(conn, id, &recipe.ingredients).await?;
    Ok(id)
}

/// Stores `lines` as the recipe's ingredients, in order.
async fn replace_lines(
    conn: &mut DbConn<'_>,
    recipe_id: i64,
    lines: &[Ingredient],
) -> Result<(), DbError> {
    crate::db_run!(conn, |c| {
        diesel::delete(
            recipe_ingredients::table.filter(recipe_ingredients::recipe_id.eq(recipe_id)),
        )
        .execute(c)
        .await
    })?;
    for (position, line) in (0_i64..).zip(lines) {
        crate::db_run!(conn, |c| {
            diesel::insert_into(recipe_ingredients::table)
                .values((
                    recipe_ingredients::recipe_id.eq(recipe_id),
                    recipe_ingredients::position.eq(position),
                    recipe_ingredients::name.eq(line.name.trim()),
                    recipe_ingredients::amount_milli.eq(line.amount_milli),
                    recipe_ingredients::unit.eq(line.unit.code()),
                    recipe_ingredients::allergens.eq(line.allergens_mask),
                ))
                .execute(c)
                .await
        })?;
    }
    Ok(())
}

async fn lines(conn: &mut DbConn<'_>, recipe_id: i64) -> Result<Vec<Ingredient>, DbError> {
    let rows = crate::db_run!(conn, |c| {
        recipe_ingredients::table
            .filter(recipe_ingredients::recipe_id.eq(recipe_id))
            .order(recipe_ingredients::position)
            .select(LineRow::as_select())
            .load(c)
            .await
    })?;
    rows.into_iter()
        .map(|row| {
            let unit = Unit::parse(&row.unit)
                .ok_or_else(|| DbError::Check(format!("unknown unit {:?}", row.unit)))?;
            Ok(Ingredient {
                name: row.name,
                amount_milli: row.amount_milli,
                unit,
                allergens_mask: row.allergens,
            })
        })
        .collect()
}

async fn with_lines(conn: &mut DbConn<'_>, row: RecipeRow) -> Result<StoredRecipe, DbError> {
    let ingredients = lines(conn, row.id).await?;
    let recipe = Recipe {
        name: row.name.clone(),
        yield_portions: u32::try_from(row.yield_portions).unwrap_or(0),
        ingredients,
        steps: split_steps(&row.steps),
    };
    Ok(StoredRecipe { row, recipe })
}

pub async fn find(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    id: i64,
) -> Result<Option<StoredRecipe>, DbError> {
    let row = crate::db_run!(conn, |c| {
        recipes::table
            .filter(recipes::id.eq(id))
            .filter(recipes::tenant_id.eq(tenant_id))
            .filter(recipes::deleted_at.is_null())
            .select(RecipeRow::as_select())
            .first(c)
            .await
            .optional()
    })?;
    match row {
        Some(row) => Ok(Some(with_lines(conn, row).await?)),
        None => Ok(None),
    }
}

/// The live recipe of a dish of the tenant, other than `except`.
pub async fn find_by_dish(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    dish_id: i64,
    except: Option<i64>,
) -> Result<Option<StoredRecipe>, DbError> {
    let row = crate::db_run!(conn, |c| {
        recipes::table
            .filter(recipes::dish_id.eq(dish_id))
            .filter(recipes::tenant_id.eq(tenant_id))
            .filter(recipes::deleted_at.is_null())
            .filter(recipes::id.ne(except.unwrap_or(0)))
            .select(RecipeRow::as_select())
            .first(c)
            .await
            .optional()
    })?;
    match row {
        Some(row) => Ok(Some(with_lines(conn, row).await?)),
        None => Ok(None),
    }
}

/// One page of the tenant's live recipes whose name holds `search`, by name, and the count.
pub async fn list(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    search: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StoredRecipe>, i64), DbError> {
    let pattern = search.map(|text| {
        let escaped = name_key(text)
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    let (rows, total) = crate::db_run!(conn, |c| {
        let mut items = recipes::table
            .filter(recipes::tenant_id.eq(tenant_id))
            .filter(recipes::deleted_at.is_null())
            .into_boxed();
        let mut count = recipes::table
            .filter(recipes::tenant_id.eq(tenant_id))
            .filter(recipes::deleted_at.is_null())
            .into_boxed();
        if let Some(pattern) = &pattern {
            items = items.filter(recipes::name_key.like(pattern.clone()).escape('\\'));
            count = count.filter(recipes::name_key.like(pattern.clone()).escape('\\'));
        }
        let rows = items
            .order((recipes::name_key, recipes::id))
            .offset(offset)
            .limit(limit)
            .select(RecipeRow::as_select())
            .load(c)
            .await?;
        let total = count.count().get_result::<i64>(c).await?;
        Ok::<_, diesel::result::Error>((rows, total))
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(with_lines(conn, row).await?);
    }
    Ok((out, total))
}

/// The live recipes of these dishes of the tenant.
pub async fn for_dishes(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    dish_ids: &[i64],
) -> Result<Vec<StoredRecipe>, DbError> {
    let rows = crate::db_run!(conn, |c| {
        recipes::table
            .filter(recipes::tenant_id.eq(tenant_id))
            .filter(recipes::deleted_at.is_null())
            .filter(recipes::dish_id.eq_any(dish_ids))
            .order((recipes::name_key, recipes::id))
            .select(RecipeRow::as_select())
            .load(c)
            .await
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(with_lines(conn, row).await?);
    }
    Ok(out)
}

/// Applies `fields` if the stored version is still the one read.
pub async fn update(
    conn: &mut DbConn<'_>,
    row: &RecipeRow,
    fields: &RecipeFields<'_>,
) -> Result<bool, DbError> {
    let now = crate::db::now();
    let recipe = fields.recipe;
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            recipes::table
                .filter(recipes::id.eq(row.id))
                .filter(recipes::version.eq(row.version)),
        )
        .set((
            recipes::dish_id.eq(fields.dish_id),
            recipes::name.eq(&recipe.name),
            recipes::name_key.eq(name_key(&recipe.name)),
            recipes::yield_portions.eq(i64::from(recipe.yield_portions)),
            recipes::steps.eq(join_steps(&recipe.steps)),
            recipes::version.eq(row.version + 1),
            recipes::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    if count != 1 {
        return Ok(false);
    }
    replace_lines(conn, row.id, &recipe.ingredients).await?;
    Ok(true)
}

pub async fn mark_deleted(conn: &mut DbConn<'_>, row: &RecipeRow) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            recipes::table
                .filter(recipes::id.eq(row.id))
                .filter(recipes::version.eq(row.version)),
        )
        .set((
            recipes::deleted_at.eq(Some(now)),
            recipes::version.eq(row.version + 1),
            recipes::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Makes the dish show the recipe's allergens, stated (decision 0018). Writes only when
/// they differ, so saving an unchanged recipe leaves the dish's version alone.
pub async fn set_dish_allergens(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    dish_id: i64,
    mask: i64,
) -> Result<bool, DbError> {
    use crate::schema::dishes;
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            dishes::table
                .filter(dishes::id.eq(dish_id))
                .filter(dishes::tenant_id.eq(tenant_id))
                .filter(
                    dishes::allergens
                        .ne(mask)
                        .or(dishes::allergens_stated.eq(false)),
                ),
        )
        .set((
            dishes::allergens.eq(mask),
            dishes::allergens_stated.eq(true),
            dishes::version.eq(dishes::version + 1),
            dishes::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip_through_one_column() {
        let steps = vec!["Skär.".to_owned(), "Stek.".to_owned()];
        assert_eq!(split_steps(&join_steps(&steps)), steps);
        assert_eq!(split_steps(&join_steps(&[])), Vec::<String>::new());
    }
}
