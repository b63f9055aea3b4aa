//! A day's shopping list: `GET .../shopping/{date}` (JSON) and `.../shopping/{date}.csv`.
//! Every dish the day serves (its week's menu, else the cycle) that has a recipe is scaled to
//! the guest count, and the same ingredient is summed across recipes before rounding.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use galley_core::auth::{Allowed, Caller};
use galley_core::http::{ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::recipe_ops::{ScaledLine, check_guests, scale_error};
use galley_core::kitchen::recipe_store;
use galley_core::kitchen::recipes::shopping_list;
use galley_core::people::api::tenant_of;
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

use super::GalleyReaders;
use super::cycle_menus::{date_from_path, served_on};
use crate::rota::crew;

/// The guest count when none is asked for and the galley has no crew registered.
pub const DEFAULT_GUESTS: u32 = 40;

pub fn router() -> Router<AppState> {
    Router::new().route("/sites/{site_id}/shopping/{date}", get(shopping))
}

#[derive(OpenApi)]
#[openapi(
    paths(shopping),
    components(schemas(ShoppingOut, ShoppingRecipe, ShoppingDish))
)]
pub struct ShoppingApi;

/// `?guests=N` (1 to 10000); the site's crew count when left out.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShoppingQuery {
    #[param(minimum = 1, maximum = 10000)]
    pub guests: Option<u32>,
}

/// A served dish and the recipe it is cooked from.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShoppingRecipe {
    pub meal: String,
    pub dish_id: i64,
    pub dish_name: String,
    pub recipe_id: i64,
    pub recipe_name: String,
}

/// A served dish without a recipe: not on the list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShoppingDish {
    pub meal: String,
    pub dish_id: i64,
    pub dish_name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShoppingOut {
    pub site_id: i64,
    pub date: NaiveDate,
    pub guests: u32,
    /// `query` (asked for), `crew` (the site's crew count) or `default` (40: no crew yet).
    pub guests_from: String,
    /// Where the day's dishes come from: `menu`, `cycle` or `none`.
    pub source: String,
    pub recipes: Vec<ShoppingRecipe>,
    pub without_recipe: Vec<ShoppingDish>,
    /// Every ingredient once per dimension, summed, then rounded for the cook.
    pub lines: Vec<ScaledLine>,
}

/// The shopping list of `date` at the site, for the pages and the API.
pub async fn shopping_of(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    date: NaiveDate,
    guests: Option<u32>,
) -> Result<ShoppingOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let (guests, guests_from) = match guests {
        Some(n) => (check_guests(Some(n), 1)?, "query"),
        None => match u32::try_from(crew::count(conn, site_id).await?) {
            Ok(n) if n > 0 => (check_guests(Some(n), 1)?, "crew"),
            _ => (DEFAULT_GUESTS, "default"),
        },
    };
    let served = served_on(conn, tenant, site_id, date).await?;
    let dish_ids: Vec<i64> = served.items.iter().map(|i| i.dish.id).collect();
    let stored = recipe_store::for_dishes(conn, tenant, &dish_ids).await?;
    let mut recipes = Vec::new();
    let mut without_recipe = Vec::new();
    let mut menu = Vec::new();
    for item in &served.items {
        match stored.iter().find(|r| r.row.dish_id == Some(item.dish.id)) {
            Some(found) => {
                recipes.push(ShoppingRecipe {
                    meal: item.meal.clone(),
                    dish_id: item.dish.id,
                    dish_name: item.dish.name.clone(),
                    recipe_id: found.row.id,
                    recipe_name: found.recipe.name.clone(),
                });
                menu.push((&found.recipe, guests));
            }
            None => without_recipe.push(ShoppingDish {
                meal: item.meal.clone(),
                dish_id: item.dish.id,
                dish_name: item.dish.name.clone(),
            }),
        }
    }
    let lines = shopping_list(&menu).map_err(scale_error)?;
    Ok(ShoppingOut {
        site_id,
        date,
        guests,
        guests_from: guests_from.into(),
        source: served.source,
        recipes,
        without_recipe,
        lines: lines.iter().map(ScaledLine::from).collect(),
    })
}

/// The list as CSV: UTF-8 with a BOM, `;`-separated, one row per ingredient (name, amount
/// with `,` as decimal separator, unit, allergens).
pub fn csv(out: &ShoppingOut) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(["ingredient", "amount", "unit", "allergens"])?;
    for line in &out.lines {
        let allergens: Vec<&str> = line
            .allergens
            .iter()
            .map(|a| a.key().trim_start_matches("allergen."))
            .collect();
        writer.write_record([
            galley_core::export::csv_text(&line.name).as_ref(),
            &line.amount.replace('.', ","),
            line.unit.code(),
            &allergens.join(" "),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))
}

/// What to buy for a day: the recipes of the dishes it serves, scaled to the guests and
/// summed. `{date}` is `YYYY-MM-DD`, or `YYYY-MM-DD.csv` for the CSV file.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/shopping/{date}",
    tag = "offshore menu cycle",
    params(("site_id" = i64, Path),
        ("date" = String, Path, description = "YYYY-MM-DD (JSON) or YYYY-MM-DD.csv (CSV)"),
        ShoppingQuery),
    responses((status = 200, description = "The list; as a CSV file for `{date}.csv`", content(
            (ShoppingOut = "application/json"),
            (String = "text/csv")
        )),
        (status = 404), (status = 422), (status = 503)))]
pub async fn shopping(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, date)): Path<(i64, String)>,
    ApiQuery(query): ApiQuery<ShoppingQuery>,
) -> Result<Response, AppError> {
    let (date, as_csv) = match date.strip_suffix(".csv") {
        Some(day) => (date_from_path(day)?, true),
        None => (date_from_path(&date)?, false),
    };
    if !as_csv {
        let out = shopping_of(&state, &caller, site_id, date, query.guests).await?;
        return Ok(axum::Json(out).into_response());
    }
    // The slot first: requests waiting for a worker hold no list.
    let slot = state.file_work.reserve("shopping_csv").await?;
    let out = shopping_of(&state, &caller, site_id, date, query.guests).await?;
    let name = format!("attachment; filename=\"shopping-{site_id}-{date}.csv\"");
    let body = slot
        .run(move |_deadline| csv(&out))
        .await?
        .map_err(|e| AppError::Internal(format!("cannot write the shopping list: {e}")))?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
