//! `/api/v1/dishes`: the tenant's dishes with their allergens. Cooks and admins edit them;
//! viewers read them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::allergen::{Allergen, from_mask, to_mask};
use super::dishes::{self, Dish, DishFields, DishFilter};
use crate::audit::{self, Entry};
use crate::auth::{Allowed, Caller, Role};
use crate::http::concurrency::{check_precondition, created, etag, if_match, with_etag};
use crate::http::pagination::{PageQuery, Paginated};
use crate::http::problem::FieldError;
use crate::http::{ApiJson, ApiQuery, AppError};
use crate::people::api::{fail_if_any, tenant_of, utc};
use crate::state::AppState;

crate::role_set!(
    /// Who plans food: kitchen staff and admins.
    DishEditors = [Role::Admin, Role::Cook]
);
crate::role_set!(
    /// Who may look at the dishes.
    DishReaders = [Role::Admin, Role::Cook, Role::Viewer]
);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(read).patch(update).delete(delete))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, read, update, delete),
    components(schemas(Allergen)),
    tags((name = "dishes", description = "Dishes and their allergens, per tenant"))
)]
pub struct DishesApi;

/// A dish.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DishOut {
    pub id: i64,
    pub name: String,
    pub category: String,
    /// The EU allergens it contains, in the standard order.
    pub allergens: Vec<Allergen>,
    /// Someone stated the allergens. A dish the menu editor or an import made from a name alone
    /// has `false` and an empty list that means "unknown"; sending `allergens` states them.
    pub allergens_stated: bool,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Dish> for DishOut {
    fn from(dish: Dish) -> Self {
        DishOut {
            id: dish.id,
            allergens: from_mask(dish.allergens),
            allergens_stated: dish.allergens_stated,
            name: dish.name,
            category: dish.category,
            version: dish.version,
            created_at: utc(dish.created_at),
            updated_at: utc(dish.updated_at),
        }
    }
}

pub fn dish_etag(dish: &Dish) -> String {
    etag("dish", dish.id, dish.version)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDish {
    /// Unique in the tenant; runs of whitespace count as one space.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    /// Free text such as `main`, `soup`, `dessert` (1 to 60 characters).
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub category: String,
    /// The allergens it contains; `[]` states that it contains none. Left out, they are "not
    /// stated": the dish is listed with `allergens_stated=false` and plans warn about it until
    /// someone states them.
    pub allergens: Option<Vec<Allergen>>,
}

/// Only the fields sent change.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DishChange {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub name: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub category: Option<String>,
    pub allergens: Option<Vec<Allergen>>,
}

/// `?q=` searches names; `page` and `per_page` as everywhere.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DishQuery {
    /// Part of a name, any case.
    pub q: Option<String>,
    /// `false`: only the dishes whose allergens nobody has stated yet (made from a name in
    /// the menu editor or an import); `true`: only those stated. Both when left out.
    pub allergens_stated: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The longest dish name, in characters once whitespace is collapsed.
pub const MAX_DISH_NAME: usize = 120;
/// The longest category, likewise.
pub const MAX_CATEGORY: usize = 60;

fn check_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let text = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() || text.chars().count() > max {
        errors.push(FieldError {
            field: field.into(),
            reason: format!("must be 1 to {max} characters"),
        });
    }
    text
}

async fn ensure_unique_name(
    conn: &mut crate::db::DbConn<'_>,
    tenant: i64,
    name: &str,
    except: Option<i64>,
) -> Result<(), AppError> {
    match dishes::find_by_name(conn, tenant, name, except).await? {
        Some(existing) => Err(AppError::Conflict(format!(
            "a dish named {} already exists (id {})",
            existing.name, existing.id
        ))),
        None => Ok(()),
    }
}

// The operations, shared by the API and the pages (the menu editor, the dish pages).

pub async fn create_dish(
    state: &AppState,
    caller: &Caller,
    body: &NewDish,
) -> Result<Dish, AppError> {
    let tenant = tenant_of(caller)?;
    let mut errors = Vec::new();
    let name = check_text("name", &body.name, MAX_DISH_NAME, &mut errors);
    let category = check_text("category", &body.category, MAX_CATEGORY, &mut errors);
    fail_if_any(errors)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    ensure_unique_name(conn, tenant, &name, None).await?;
    let fields = DishFields {
        name: &name,
        category: &category,
        allergens: body.allergens.as_deref().map_or(0, to_mask),
        allergens_stated: body.allergens.is_some(),
    };
    let dish = crate::transaction!(conn, |tx| {
        let id = dishes::insert(tx, tenant, &fields).await?;
        audit::record(
            tx,
            Entry::new("dish.created", caller.actor(), Some(tenant))
                .target("dish", id)
                .details(json!({
                    "name": name,
                    "category": category,
                    "allergens": from_mask(fields.allergens),
                    "allergens_stated": fields.allergens_stated,
                })),
        )
        .await?;
        dishes::find(tx, tenant, id)
            .await?
            .ok_or(crate::db::DbError::NotFound)
    })?;
    Ok(dish)
}

pub async fn update_dish(
    state: &AppState,
    caller: &Caller,
    id: i64,
    expected: Option<&str>,
    body: &DishChange,
) -> Result<Dish, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let dish = dishes::find(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &dish_etag(&dish))?;
    let mut errors = Vec::new();
    let name = match &body.name {
        Some(name) => check_text("name", name, MAX_DISH_NAME, &mut errors),
        None => dish.name.clone(),
    };
    let category = match &body.category {
        Some(category) => check_text("category", category, MAX_CATEGORY, &mut errors),
        None => dish.category.clone(),
    };
    fail_if_any(errors)?;
    let allergens = body.allergens.as_deref().map_or(dish.allergens, to_mask);
    // Sending the allergens states them, even as none.
    let allergens_stated = dish.allergens_stated || body.allergens.is_some();
    // Saving what is stored writes nothing: the version stays, the audit log stays quiet.
    if name == dish.name
        && category == dish.category
        && allergens == dish.allergens
        && allergens_stated == dish.allergens_stated
    {
        return Ok(dish);
    }
    ensure_unique_name(conn, tenant, &name, Some(dish.id)).await?;
    let fields = DishFields {
        name: &name,
        category: &category,
        allergens,
        allergens_stated,
    };
    crate::versioned_write!(
        conn,
        |tx| dishes::update(tx, &dish, &fields).await?,
        audit: Entry::new("dish.updated", caller.actor(), Some(tenant))
            .target("dish", dish.id)
            .details(json!({
                "name": { "from": dish.name, "to": name },
                "category": { "from": dish.category, "to": category },
                "allergens": { "from": from_mask(dish.allergens), "to": from_mask(allergens) },
            })),
        on_conflict: current_etag(conn, tenant, id).await,
    )?;
    dishes::find(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The ETag of the dish as stored now, for the 412 of a write that lost its race.
async fn current_etag(
    conn: &mut crate::db::DbConn<'_>,
    tenant: i64,
    id: i64,
) -> Result<String, AppError> {
    dishes::find(conn, tenant, id)
        .await?
        .map(|current| dish_etag(&current))
        .ok_or(AppError::NotFound)
}

pub async fn delete_dish(
    state: &AppState,
    caller: &Caller,
    id: i64,
    expected: Option<&str>,
) -> Result<(), AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let dish = dishes::find(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &dish_etag(&dish))?;
    crate::versioned_write!(
        conn,
        |tx| dishes::mark_deleted(tx, &dish).await?,
        audit: Entry::new("dish.deleted", caller.actor(), Some(tenant))
            .target("dish", dish.id)
            .details(json!({ "name": dish.name })),
        on_conflict: current_etag(conn, tenant, id).await,
    )
}

/// The tenant's dishes, searchable by name.
#[utoipa::path(get, path = "/api/v1/dishes", tag = "dishes", params(DishQuery),
    responses((status = 200, body = Paginated<DishOut>)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishReaders>,
    ApiQuery(query): ApiQuery<DishQuery>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .checked()?;
    let search = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let mut pooled = state.db.get().await?;
    let filter = DishFilter {
        search,
        allergens_stated: query.allergens_stated,
    };
    let (items, total) = dishes::list_filtered(
        &mut pooled.conn(),
        tenant,
        filter,
        page.offset(),
        page.limit(),
    )
    .await?;
    let items = items.into_iter().map(DishOut::from).collect();
    Ok(axum::Json(Paginated::new(items, page, total)).into_response())
}

/// Add a dish.
#[utoipa::path(post, path = "/api/v1/dishes", tag = "dishes", request_body = NewDish,
    responses((status = 201, body = DishOut), (status = 409), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishEditors>,
    ApiJson(body): ApiJson<NewDish>,
) -> Result<Response, AppError> {
    let dish = create_dish(&state, &caller, &body).await?;
    Ok(created(&dish_etag(&dish), &DishOut::from(dish)))
}

/// One dish.
#[utoipa::path(get, path = "/api/v1/dishes/{id}", tag = "dishes",
    params(("id" = i64, Path)), responses((status = 200, body = DishOut), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishReaders>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let dish = dishes::find(&mut pooled.conn(), tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(with_etag(&headers, dish_etag(&dish), &DishOut::from(dish)))
}

/// Change a dish. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/dishes/{id}", tag = "dishes", request_body = DishChange,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = DishOut), (status = 404), (status = 409), (status = 412), (status = 428)))]
pub async fn update(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishEditors>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DishChange>,
) -> Result<Response, AppError> {
    let dish = update_dish(&state, &caller, id, if_match(&headers), &body).await?;
    Ok(with_etag(
        &HeaderMap::new(),
        dish_etag(&dish),
        &DishOut::from(dish),
    ))
}

/// Remove a dish (kept for menus and the audit trail). Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/dishes/{id}", tag = "dishes",
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 404), (status = 412), (status = 428)))]
pub async fn delete(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishEditors>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    delete_dish(&state, &caller, id, if_match(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}
