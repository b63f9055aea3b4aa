//! The recipe operations shared by the API and the pages: checked input, the dish link, the
//! versioned write with its audit entry, and the scaled view.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::allergen::{Allergen, from_mask, to_mask};
use super::recipe_store::{self, RecipeFields, RecipeRow, StoredRecipe};
use super::recipes::{self, Ingredient, Recipe, ScaleError, Unit, parse_amount};
use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::http::AppError;
use crate::http::concurrency::{check_precondition, etag};
use crate::http::problem::FieldError;
use crate::people::api::{fail_if_any, tenant_of, utc};
use crate::state::AppState;

/// The largest guest count a recipe is scaled to.
pub const MAX_GUESTS: u32 = 10_000;

/// One ingredient line as sent.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IngredientIn {
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// A decimal amount of `unit` with `.` or `,` and at most three decimals: `"1.25"`.
    #[schema(
        min_length = 1,
        max_length = 20,
        pattern = r"^[0-9]*([.,][0-9]{1,3})?$"
    )]
    pub amount: String,
    pub unit: Unit,
    /// The allergens this ingredient contains; the recipe's are their union.
    #[serde(default)]
    pub allergens: Vec<Allergen>,
}

/// A whole recipe as sent (POST and PUT).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecipe {
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// The dish this is the recipe of; the dish then shows the recipe's allergens. At most
    /// one live recipe per dish.
    pub dish_id: Option<i64>,
    /// How many portions the amounts as written make.
    #[schema(minimum = 1, maximum = 1000)]
    pub yield_portions: u32,
    #[schema(max_items = 100)]
    pub ingredients: Vec<IngredientIn>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub steps: Vec<String>,
}

/// Only the fields sent change (PATCH); `ingredients` and `steps` replace the lists whole.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipeChange {
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    /// `null` unlinks the dish; left out, the link stays.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub dish_id: Option<Option<i64>>,
    #[schema(minimum = 1, maximum = 1000)]
    pub yield_portions: Option<u32>,
    pub ingredients: Option<Vec<IngredientIn>>,
    pub steps: Option<Vec<String>>,
}

fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(deserializer).map(Some)
}

/// The recipe as read: what the domain checks, from what was sent.
fn to_domain(
    name: &str,
    yield_portions: u32,
    lines: &[IngredientIn],
    steps: &[String],
) -> Result<Recipe, AppError> {
    let mut errors = Vec::new();
    let ingredients = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let amount_milli = parse_amount(&line.amount).unwrap_or_else(|| {
                errors.push(FieldError {
                    field: format!("ingredients[{index}].amount"),
                    reason: "must be a decimal number with at most three decimals".into(),
                });
                1
            });
            Ingredient {
                name: line.name.trim().to_owned(),
                amount_milli,
                unit: line.unit,
                allergens_mask: to_mask(&line.allergens),
            }
        })
        .collect();
    let recipe = Recipe {
        name: name.split_whitespace().collect::<Vec<_>>().join(" "),
        yield_portions,
        ingredients,
        steps: steps.iter().map(|s| s.trim().to_owned()).collect(),
    };
    errors.extend(recipes::validate(&recipe));
    fail_if_any(errors)?;
    Ok(recipe)
}

/// The lines as the API sends them back.
pub fn lines_out(recipe: &Recipe) -> Vec<IngredientIn> {
    recipe
        .ingredients
        .iter()
        .map(|i| IngredientIn {
            name: i.name.clone(),
            amount: recipes::display::Shown {
                amount_milli: i.amount_milli,
                unit: i.unit,
            }
            .amount_text('.'),
            unit: i.unit,
            allergens: from_mask(i.allergens_mask),
        })
        .collect()
}

pub fn recipe_etag(row: &RecipeRow) -> String {
    etag("recipe", row.id, row.version)
}

/// A recipe.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecipeOut {
    pub id: i64,
    pub dish_id: Option<i64>,
    pub name: String,
    pub yield_portions: u32,
    pub ingredients: Vec<IngredientIn>,
    pub steps: Vec<String>,
    /// Derived: every allergen of any ingredient, in the standard order.
    pub allergens: Vec<Allergen>,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<StoredRecipe> for RecipeOut {
    fn from(stored: StoredRecipe) -> Self {
        RecipeOut {
            id: stored.row.id,
            dish_id: stored.row.dish_id,
            ingredients: lines_out(&stored.recipe),
            allergens: stored.recipe.allergens(),
            name: stored.recipe.name,
            yield_portions: stored.recipe.yield_portions,
            steps: stored.recipe.steps,
            version: stored.row.version,
            created_at: utc(stored.row.created_at),
            updated_at: utc(stored.row.updated_at),
        }
    }
}

/// Checks the dish exists in the tenant and has no other live recipe.
async fn check_dish(
    conn: &mut DbConn<'_>,
    tenant: i64,
    dish_id: Option<i64>,
    except: Option<i64>,
) -> Result<(), AppError> {
    let Some(dish_id) = dish_id else {
        return Ok(());
    };
    if super::dishes::find(conn, tenant, dish_id).await?.is_none() {
        return Err(AppError::Validation(vec![FieldError {
            field: "dish_id".into(),
            reason: "no such dish".into(),
        }]));
    }
    if let Some(other) = recipe_store::find_by_dish(conn, tenant, dish_id, except).await? {
        return Err(AppError::Conflict(format!(
            "the dish already has a recipe: {} (id {})",
            other.recipe.name, other.row.id
        )));
    }
    Ok(())
}

fn audit_details(recipe: &Recipe, dish_id: Option<i64>) -> serde_json::Value {
    json!({
        "name": recipe.name,
        "dish_id": dish_id,
        "yield_portions": recipe.yield_portions,
        "ingredients": recipe.ingredients.len(),
        "steps": recipe.steps.len(),
        "allergens": recipe.allergens(),
    })
}

pub async fn create_recipe(
    state: &AppState,
    caller: &Caller,
    body: &NewRecipe,
) -> Result<StoredRecipe, AppError> {
    let tenant = tenant_of(caller)?;
    let recipe = to_domain(
        &body.name,
        body.yield_portions,
        &body.ingredients,
        &body.steps,
    )?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    check_dish(conn, tenant, body.dish_id, None).await?;
    let fields = RecipeFields {
        dish_id: body.dish_id,
        recipe: &recipe,
    };
    let stored = crate::transaction!(conn, |tx| {
        let id = recipe_store::insert(tx, tenant, &fields).await?;
        if let Some(dish_id) = body.dish_id {
            recipe_store::set_dish_allergens(tx, tenant, dish_id, recipe.allergens_mask()).await?;
        }
        audit::record(
            tx,
            Entry::new("recipe.created", caller.actor(), Some(tenant))
                .target("recipe", id)
                .details(audit_details(&recipe, body.dish_id)),
        )
        .await?;
        recipe_store::find(tx, tenant, id)
            .await?
            .ok_or(crate::db::DbError::NotFound)
    })?;
    Ok(stored)
}

pub async fn update_recipe(
    state: &AppState,
    caller: &Caller,
    id: i64,
    expected: Option<&str>,
    body: &RecipeChange,
) -> Result<StoredRecipe, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let stored = recipe_store::find(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &recipe_etag(&stored.row))?;
    let old = &stored.recipe;
    let lines = match &body.ingredients {
        Some(lines) => lines.clone(),
        None => lines_out(old),
    };
    let recipe = to_domain(
        body.name.as_deref().unwrap_or(&old.name),
        body.yield_portions.unwrap_or(old.yield_portions),
        &lines,
        body.steps.as_deref().unwrap_or(&old.steps),
    )?;
    let dish_id = body.dish_id.unwrap_or(stored.row.dish_id);
    // Saving what is stored writes nothing: the version stays, the audit log stays quiet.
    if recipe == *old && dish_id == stored.row.dish_id {
        return Ok(stored);
    }
    check_dish(conn, tenant, dish_id, Some(id)).await?;
    let fields = RecipeFields {
        dish_id,
        recipe: &recipe,
    };
    crate::versioned_write!(
        conn,
        |tx| {
            let written = recipe_store::update(tx, &stored.row, &fields).await?;
            if written && let Some(dish_id) = dish_id {
                recipe_store::set_dish_allergens(tx, tenant, dish_id, recipe.allergens_mask())
                    .await?;
            }
            written
        },
        audit: Entry::new("recipe.updated", caller.actor(), Some(tenant))
            .target("recipe", id)
            .details(audit_details(&recipe, dish_id)),
        on_conflict: current_etag(conn, tenant, id).await,
    )?;
    recipe_store::find(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The ETag of the recipe as stored now, for the 412 of a write that lost its race.
async fn current_etag(conn: &mut DbConn<'_>, tenant: i64, id: i64) -> Result<String, AppError> {
    recipe_store::find(conn, tenant, id)
        .await?
        .map(|current| recipe_etag(&current.row))
        .ok_or(AppError::NotFound)
}

pub async fn delete_recipe(
    state: &AppState,
    caller: &Caller,
    id: i64,
    expected: Option<&str>,
) -> Result<(), AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let stored = recipe_store::find(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &recipe_etag(&stored.row))?;
    crate::versioned_write!(
        conn,
        |tx| recipe_store::mark_deleted(tx, &stored.row).await?,
        audit: Entry::new("recipe.deleted", caller.actor(), Some(tenant))
            .target("recipe", id)
            .details(json!({ "name": stored.recipe.name })),
        on_conflict: current_etag(conn, tenant, id).await,
    )
}

/// One line of a scaled recipe or shopping list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScaledLine {
    pub name: String,
    /// The rounded amount as the cook reads it, `.` as the decimal separator.
    pub amount: String,
    /// The unit it is shown in (grams may become kilograms).
    pub unit: Unit,
    pub allergens: Vec<Allergen>,
}

impl From<&recipes::ScaledIngredient> for ScaledLine {
    fn from(line: &recipes::ScaledIngredient) -> Self {
        ScaledLine {
            name: line.name.clone(),
            amount: line.shown.amount_text('.'),
            unit: line.shown.unit,
            allergens: from_mask(line.allergens_mask),
        }
    }
}

/// A recipe scaled to a guest count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScaledRecipe {
    pub id: i64,
    pub name: String,
    pub dish_id: Option<i64>,
    pub yield_portions: u32,
    pub guests: u32,
    pub ingredients: Vec<ScaledLine>,
    pub steps: Vec<String>,
    /// Derived from the ingredients: the allergens to show on the dish.
    pub allergens: Vec<Allergen>,
}

/// Checks a guest count from a query (`None`: the recipe's own yield).
pub fn check_guests(guests: Option<u32>, yield_portions: u32) -> Result<u32, AppError> {
    let guests = guests.unwrap_or(yield_portions);
    if (1..=MAX_GUESTS).contains(&guests) {
        Ok(guests)
    } else {
        Err(AppError::Validation(vec![FieldError {
            field: "guests".into(),
            reason: format!("must be 1 to {MAX_GUESTS}"),
        }]))
    }
}

pub fn scaled(stored: &StoredRecipe, guests: u32) -> Result<ScaledRecipe, AppError> {
    let lines = recipes::scale(&stored.recipe, guests).map_err(scale_error)?;
    Ok(ScaledRecipe {
        id: stored.row.id,
        name: stored.recipe.name.clone(),
        dish_id: stored.row.dish_id,
        yield_portions: stored.recipe.yield_portions,
        guests,
        ingredients: lines.iter().map(ScaledLine::from).collect(),
        steps: stored.recipe.steps.clone(),
        allergens: stored.recipe.allergens(),
    })
}

pub fn scale_error(error: ScaleError) -> AppError {
    AppError::Validation(vec![FieldError {
        field: "guests".into(),
        reason: error.to_string(),
    }])
}
