//! `/api/v1/recipes`: the tenant's recipes, scaled to a guest count on request. Cooks and
//! admins edit them; viewers read them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use utoipa::OpenApi;

use super::api::{DishEditors, DishReaders};
use super::recipe_ops::{
    self, IngredientIn, NewRecipe, RecipeChange, RecipeOut, ScaledLine, ScaledRecipe, recipe_etag,
};
use super::recipe_store;
use super::recipes::Unit;
use crate::auth::Allowed;
use crate::http::concurrency::{created, if_match, with_etag};
use crate::http::pagination::{PageQuery, Paginated};
use crate::http::{ApiJson, ApiQuery, AppError};
use crate::people::api::tenant_of;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(read).put(replace).patch(update).delete(delete))
        .route("/{id}/scaled", get(scaled))
        .route("/{id}/card.pdf", get(super::recipe_card::card))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, read, replace, update, delete, scaled, super::recipe_card::card),
    components(schemas(Unit, IngredientIn, ScaledLine, ScaledRecipe)),
    tags((name = "recipes", description = "Recipes, scaled to a guest count, per tenant"))
)]
pub struct RecipesApi;

/// `?q=` searches names; `page` and `per_page` as everywhere.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecipeQuery {
    /// Part of a name, any case.
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// `?guests=N`: the guest count (1 to 10000); the recipe's yield when left out.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GuestsQuery {
    #[param(minimum = 1, maximum = 10000)]
    pub guests: Option<u32>,
}

async fn load(
    state: &AppState,
    tenant: i64,
    id: i64,
) -> Result<recipe_store::StoredRecipe, AppError> {
    let mut pooled = state.db.get().await?;
    recipe_store::find(&mut pooled.conn(), tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The tenant's recipes, searchable by name.
#[utoipa::path(get, path = "/api/v1/recipes", tag = "recipes", params(RecipeQuery),
    responses((status = 200, body = Paginated<RecipeOut>)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishReaders>,
    ApiQuery(query): ApiQuery<RecipeQuery>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .checked()?;
    let search = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let mut pooled = state.db.get().await?;
    let (items, total) = recipe_store::list(
        &mut pooled.conn(),
        tenant,
        search,
        page.offset(),
        page.limit(),
    )
    .await?;
    let items = items.into_iter().map(RecipeOut::from).collect();
    Ok(axum::Json(Paginated::new(items, page, total)).into_response())
}

/// Add a recipe. Linked to a dish, it sets the dish's allergens (stated).
#[utoipa::path(post, path = "/api/v1/recipes", tag = "recipes", request_body = NewRecipe,
    responses((status = 201, body = RecipeOut), (status = 409), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishEditors>,
    ApiJson(body): ApiJson<NewRecipe>,
) -> Result<Response, AppError> {
    let stored = recipe_ops::create_recipe(&state, &caller, &body).await?;
    Ok(created(&recipe_etag(&stored.row), &RecipeOut::from(stored)))
}

/// One recipe as written.
#[utoipa::path(get, path = "/api/v1/recipes/{id}", tag = "recipes",
    params(("id" = i64, Path)), responses((status = 200, body = RecipeOut), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishReaders>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let stored = load(&state, tenant_of(&caller)?, id).await?;
    Ok(with_etag(
        &headers,
        recipe_etag(&stored.row),
        &RecipeOut::from(stored),
    ))
}

fn written(stored: recipe_store::StoredRecipe) -> Response {
    with_etag(
        &HeaderMap::new(),
        recipe_etag(&stored.row),
        &RecipeOut::from(stored),
    )
}

/// Replace a recipe whole. Needs `If-Match`.
#[utoipa::path(put, path = "/api/v1/recipes/{id}", tag = "recipes", request_body = NewRecipe,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = RecipeOut), (status = 404), (status = 409), (status = 412), (status = 428)))]
pub async fn replace(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishEditors>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewRecipe>,
) -> Result<Response, AppError> {
    let change = RecipeChange {
        name: Some(body.name),
        dish_id: Some(body.dish_id),
        yield_portions: Some(body.yield_portions),
        ingredients: Some(body.ingredients),
        steps: Some(body.steps),
    };
    let stored =
        recipe_ops::update_recipe(&state, &caller, id, if_match(&headers), &change).await?;
    Ok(written(stored))
}

/// Change some fields of a recipe. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/recipes/{id}", tag = "recipes", request_body = RecipeChange,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = RecipeOut), (status = 404), (status = 409), (status = 412), (status = 428)))]
pub async fn update(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishEditors>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RecipeChange>,
) -> Result<Response, AppError> {
    let stored = recipe_ops::update_recipe(&state, &caller, id, if_match(&headers), &body).await?;
    Ok(written(stored))
}

/// Remove a recipe (kept for the audit trail). The dish keeps its allergens. Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/recipes/{id}", tag = "recipes",
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 404), (status = 412), (status = 428)))]
pub async fn delete(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishEditors>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    recipe_ops::delete_recipe(&state, &caller, id, if_match(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The recipe for a guest count: amounts scaled exactly, then rounded for the cook (grams
/// become kilograms, eggs stay whole), with the derived allergens.
#[utoipa::path(get, path = "/api/v1/recipes/{id}/scaled", tag = "recipes",
    params(("id" = i64, Path), GuestsQuery),
    responses((status = 200, body = ScaledRecipe), (status = 404)))]
pub async fn scaled(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishReaders>,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<GuestsQuery>,
) -> Result<Response, AppError> {
    let stored = load(&state, tenant_of(&caller)?, id).await?;
    let guests = recipe_ops::check_guests(query.guests, stored.recipe.yield_portions)?;
    Ok(axum::Json(recipe_ops::scaled(&stored, guests)?).into_response())
}
