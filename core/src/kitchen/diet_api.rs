//! `/api/v1/sites/{site_id}/diet-types`: a kitchen's special diets. Admins set them up; cooks
//! and viewers read them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::allergen::{Allergen, from_mask, to_mask};
use super::api::DishReaders;
use super::diets::{self, DietFields, DietType};
use crate::audit::{self, Entry};
use crate::auth::{Allowed, Caller};
use crate::http::concurrency::{check_precondition, created, etag, if_match, with_etag};
use crate::http::pagination::{PageQuery, Paginated};
use crate::http::problem::FieldError;
use crate::http::{ApiJson, ApiQuery, AppError};
use crate::people::api::{Admins, fail_if_any, tenant_of, utc};
use crate::people::sites;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(read).patch(update).delete(delete))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, read, update, delete),
    tags((name = "diet types", description = "Special diets of a kitchen"))
)]
pub struct DietTypesApi;

/// A special diet of a kitchen.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DietTypeOut {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    /// Allergens a dish must not contain for this diet.
    pub excludes: Vec<Allergen>,
    /// IDDSI texture level 0-7, for pureed and minced diets.
    pub texture_level: Option<i32>,
    /// Counted at every meal, without a daily mark.
    pub always_applies: bool,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<DietType> for DietTypeOut {
    fn from(diet: DietType) -> Self {
        DietTypeOut {
            id: diet.id,
            site_id: diet.site_id,
            excludes: from_mask(diet.excludes),
            name: diet.name,
            texture_level: diet.texture_level,
            always_applies: diet.always_applies,
            version: diet.version,
            created_at: utc(diet.created_at),
            updated_at: utc(diet.updated_at),
        }
    }
}

pub fn diet_etag(diet: &DietType) -> String {
    etag("diet-type", diet.id, diet.version)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDietType {
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    #[serde(default)]
    pub excludes: Vec<Allergen>,
    /// An IDDSI level.
    #[schema(minimum = 0, maximum = 7)]
    pub texture_level: Option<i32>,
    #[serde(default)]
    pub always_applies: bool,
}

/// Only the fields sent change; `"texture_level": null` clears it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DietTypeChange {
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub name: Option<String>,
    pub excludes: Option<Vec<Allergen>>,
    /// An IDDSI level.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 7)]
    pub texture_level: Option<Option<i32>>,
    pub always_applies: Option<bool>,
}

fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<i32>>, D::Error> {
    Option::<i32>::deserialize(deserializer).map(Some)
}

/// The `{site_id}` of the path, checked to be a kitchen of the caller's tenant before the body
/// is read: another tenant's kitchen is a 404 whatever was sent.
pub struct OwnSite(pub i64);

impl axum::extract::FromRequestParts<AppState> for OwnSite {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (site_id, caller) = crate::auth::path_id_and_caller(parts, state, "site_id").await?;
        let tenant = tenant_of(&caller)?;
        // Remembered per site (decision 0022): the answers a kitchen reads most are served
        // from memory, and this check would otherwise be their one database round trip.
        if state.site_owners.get(&site_id) == Some(tenant) {
            return Ok(OwnSite(site_id));
        }
        let ticket = state.site_owners.ticket();
        let mut pooled = state.db.get().await?;
        site_of(&mut pooled.conn(), &caller, site_id).await?;
        state.site_owners.put(
            site_id,
            ticket,
            &[crate::answers::Scope::Tenant(tenant)],
            crate::answers::LONGEST_FRESH,
            tenant,
        );
        Ok(OwnSite(site_id))
    }
}

/// The site, if it is one of the caller's tenant's; otherwise the whole path is unknown.
async fn site_of(
    conn: &mut crate::db::DbConn<'_>,
    caller: &Caller,
    site_id: i64,
) -> Result<i64, AppError> {
    let tenant = tenant_of(caller)?;
    sites::find(conn, tenant, site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(tenant)
}

/// The longest diet type name, in characters once whitespace is collapsed.
pub const MAX_DIET_NAME: usize = 80;
/// IDDSI levels run from 0 to this.
pub const MAX_TEXTURE_LEVEL: i32 = 7;

fn check(name: &str, texture_level: Option<i32>, errors: &mut Vec<FieldError>) -> String {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > MAX_DIET_NAME {
        errors.push(FieldError {
            field: "name".into(),
            reason: format!("must be 1 to {MAX_DIET_NAME} characters"),
        });
    }
    if texture_level.is_some_and(|level| !(0..=MAX_TEXTURE_LEVEL).contains(&level)) {
        errors.push(FieldError {
            field: "texture_level".into(),
            reason: "must be an IDDSI level from 0 to 7".into(),
        });
    }
    name
}

pub async fn create_diet(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    body: &NewDietType,
) -> Result<DietType, AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let tenant = site_of(conn, caller, site_id).await?;
    let mut errors = Vec::new();
    let name = check(&body.name, body.texture_level, &mut errors);
    fail_if_any(errors)?;
    if diets::name_taken(conn, site_id, &name, None).await? {
        return Err(AppError::Conflict(format!(
            "the kitchen already has a diet named {name}"
        )));
    }
    let fields = DietFields {
        name: &name,
        excludes: to_mask(&body.excludes),
        texture_level: body.texture_level,
        always_applies: body.always_applies,
    };
    let diet = crate::transaction!(conn, |tx| {
        before_setup_change(state, tx, tenant, site_id).await?;
        let id = diets::insert(tx, tenant, site_id, &fields).await?;
        audit::record(
            tx,
            Entry::new("diet_type.created", caller.actor(), Some(tenant))
                .target("diet_type", id)
                .details(json!({ "site_id": site_id, "name": name, "excludes": body.excludes })),
        )
        .await?;
        diets::find(tx, site_id, id)
            .await?
            .ok_or(crate::db::DbError::NotFound)
    })?;
    Ok(diet)
}

pub async fn update_diet(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    id: i64,
    expected: Option<&str>,
    body: &DietTypeChange,
) -> Result<DietType, AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let tenant = site_of(conn, caller, site_id).await?;
    let diet = diets::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &diet_etag(&diet))?;
    let texture_level = body.texture_level.unwrap_or(diet.texture_level);
    let mut errors = Vec::new();
    let name = check(
        body.name.as_deref().unwrap_or(&diet.name),
        texture_level,
        &mut errors,
    );
    fail_if_any(errors)?;
    if diets::name_taken(conn, site_id, &name, Some(diet.id)).await? {
        return Err(AppError::Conflict(format!(
            "the kitchen already has a diet named {name}"
        )));
    }
    let excludes = body.excludes.as_deref().map_or(diet.excludes, to_mask);
    let fields = DietFields {
        name: &name,
        excludes,
        texture_level,
        always_applies: body.always_applies.unwrap_or(diet.always_applies),
    };
    crate::versioned_write!(
        conn,
        |tx| {
            before_setup_change(state, tx, tenant, site_id).await?;
            diets::update(tx, &diet, &fields).await?
        },
        audit: Entry::new("diet_type.updated", caller.actor(), Some(tenant))
            .target("diet_type", diet.id)
            .details(json!({
                "name": { "from": diet.name, "to": name },
                "excludes": { "from": from_mask(diet.excludes), "to": from_mask(excludes) },
                "texture_level": { "from": diet.texture_level, "to": texture_level },
                "always_applies": { "from": diet.always_applies, "to": fields.always_applies },
            })),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    diets::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Lets every module keep what the site's past weeks were planned with before a diet changes.
async fn before_setup_change(
    state: &AppState,
    conn: &mut crate::db::DbConn<'_>,
    tenant_id: i64,
    site_id: i64,
) -> Result<(), crate::db::DbError> {
    for module in state.registry.modules() {
        module.before_setup_change(conn, tenant_id, site_id).await?;
    }
    Ok(())
}

/// The ETag of the diet as stored now, for the 412 of a write that lost its race.
async fn current_etag(
    conn: &mut crate::db::DbConn<'_>,
    site_id: i64,
    id: i64,
) -> Result<String, AppError> {
    diets::find(conn, site_id, id)
        .await?
        .map(|current| diet_etag(&current))
        .ok_or(AppError::NotFound)
}

pub async fn delete_diet(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    id: i64,
    expected: Option<&str>,
) -> Result<(), AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let tenant = site_of(conn, caller, site_id).await?;
    let diet = diets::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &diet_etag(&diet))?;
    crate::versioned_write!(
        conn,
        |tx| {
            before_setup_change(state, tx, tenant, site_id).await?;
            diets::mark_deleted(tx, &diet).await?
        },
        audit: Entry::new("diet_type.deleted", caller.actor(), Some(tenant))
            .target("diet_type", diet.id)
            .details(json!({ "name": diet.name })),
        on_conflict: current_etag(conn, site_id, id).await,
    )
}

/// The kitchen's diet types, a page at a time (`{items, page, per_page, total}`).
#[utoipa::path(get, path = "/api/v1/sites/{site_id}/diet-types", tag = "diet types",
    params(("site_id" = i64, Path), PageQuery),
    responses((status = 200, body = Paginated<DietTypeOut>), (status = 404)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishReaders>,
    Path(site_id): Path<i64>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let page = query.checked()?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    site_of(conn, &caller, site_id).await?;
    let items: Vec<DietTypeOut> = diets::list(conn, site_id)
        .await?
        .into_iter()
        .map(DietTypeOut::from)
        .collect();
    Ok(axum::Json(Paginated::from_all(items, page)).into_response())
}

/// Add a diet type to a kitchen.
#[utoipa::path(post, path = "/api/v1/sites/{site_id}/diet-types", tag = "diet types",
    request_body = NewDietType, params(("site_id" = i64, Path)),
    responses((status = 201, body = DietTypeOut), (status = 404), (status = 409), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    OwnSite(site_id): OwnSite,
    ApiJson(body): ApiJson<NewDietType>,
) -> Result<Response, AppError> {
    let diet = create_diet(&state, &caller, site_id, &body).await?;
    Ok(created(&diet_etag(&diet), &DietTypeOut::from(diet)))
}

/// One diet type.
#[utoipa::path(get, path = "/api/v1/sites/{site_id}/diet-types/{id}", tag = "diet types",
    params(("site_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = DietTypeOut), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishReaders>,
    headers: HeaderMap,
    Path((site_id, id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    site_of(conn, &caller, site_id).await?;
    let diet = diets::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(with_etag(
        &headers,
        diet_etag(&diet),
        &DietTypeOut::from(diet),
    ))
}

/// Change a diet type. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/sites/{site_id}/diet-types/{id}", tag = "diet types",
    request_body = DietTypeChange,
    params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = DietTypeOut), (status = 404), (status = 409), (status = 412), (status = 422), (status = 428)))]
pub async fn update(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    Path((_site, id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<DietTypeChange>,
) -> Result<Response, AppError> {
    let diet = update_diet(&state, &caller, site_id, id, if_match(&headers), &body).await?;
    Ok(with_etag(
        &HeaderMap::new(),
        diet_etag(&diet),
        &DietTypeOut::from(diet),
    ))
}

/// Remove a diet type (kept for the reports and the audit trail). Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/sites/{site_id}/diet-types/{id}", tag = "diet types",
    params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 404), (status = 412), (status = 428)))]
pub async fn delete(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    headers: HeaderMap,
    Path((site_id, id)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    delete_diet(&state, &caller, site_id, id, if_match(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}
