use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::sites::SiteOut;
use super::{Superusers, check_name, fail_if_any, utc};
use crate::audit::{self, Entry};
use crate::auth::{Allowed, Caller, Role, password};
use crate::http::concurrency::{check_precondition, created, etag, if_match, with_etag};
use crate::http::pagination::{PageQuery, Paginated};
use crate::http::problem::FieldError;
use crate::http::{ApiJson, ApiQuery, AppError};
use crate::people::tenants::{self, KINDS, Tenant};
use crate::people::{sites, users};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(read).patch(update).delete(delete))
}

/// A customer organisation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TenantOut {
    pub id: i64,
    pub name: String,
    /// `municipal` or `offshore`.
    pub kind: String,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Its sites (on the single-tenant read only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sites: Option<Vec<SiteOut>>,
}

impl From<Tenant> for TenantOut {
    fn from(tenant: Tenant) -> Self {
        TenantOut {
            id: tenant.id,
            name: tenant.name,
            kind: tenant.kind,
            version: tenant.version,
            created_at: utc(tenant.created_at),
            updated_at: utc(tenant.updated_at),
            sites: None,
        }
    }
}

pub(crate) fn tenant_etag(tenant: &Tenant) -> String {
    etag("tenant", tenant.id, tenant.version)
}

/// The tenant's first admin, created with it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FirstAdmin {
    /// An address like name@example.se (case and surrounding whitespace aside).
    #[schema(format = Email, max_length = 254, pattern = r"^[^@\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+@[^@\s.\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^@\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*\.[^@\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^@\s.\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]$")]
    pub email: String,
    /// At least 12 characters, not a common password, not containing the e-mail address,
    /// not one character repeated.
    #[schema(min_length = 12, max_length = 256)]
    pub password: String,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub display_name: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    #[schema(schema_with = crate::http::openapi_schema::tenant_kind)]
    pub kind: String,
    pub admin: FirstAdmin,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantChange {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub name: Option<String>,
}

/// Every tenant (superusers).
#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", params(PageQuery),
    responses((status = 200, body = Paginated<TenantOut>), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    _: Allowed<Superusers>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let page = query.checked()?;
    let mut pooled = state.db.get().await?;
    let (items, total) = tenants::list(&mut pooled.conn(), page.offset(), page.limit()).await?;
    let items = items.into_iter().map(TenantOut::from).collect();
    Ok(axum::Json(Paginated::new(items, page, total)).into_response())
}

// The operations, shared by the JSON API and the admin pages.

pub(crate) async fn create_tenant(
    state: &AppState,
    caller: &Caller,
    body: &NewTenant,
) -> Result<Tenant, AppError> {
    let mut errors = Vec::new();
    let name = check_name("name", &body.name, &mut errors);
    if !KINDS.contains(&body.kind.as_str()) {
        errors.push(FieldError {
            field: "kind".into(),
            reason: format!("must be one of {}", KINDS.join(", ")),
        });
    }
    let email = users::normalise_email(&body.admin.email);
    if let Err(reason) = users::check_email(&email) {
        errors.push(FieldError {
            field: "admin.email".into(),
            reason,
        });
    }
    if let Err(reason) = password::check_policy(&body.admin.password, &email) {
        errors.push(FieldError {
            field: "admin.password".into(),
            reason,
        });
    }
    let display_name = match &body.admin.display_name {
        Some(text) => check_name("admin.display_name", text, &mut errors),
        None => "Administrator".to_owned(),
    };
    fail_if_any(errors)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    if users::find_live_by_email(conn, &email).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "an account with {email} already exists"
        )));
    }
    let hash = password::hash(body.admin.password.clone())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let tenant = crate::transaction!(conn, |tx| {
        let id = tenants::insert(tx, &name, &body.kind).await?;
        let admin = users::insert(
            tx,
            &users::NewUser {
                tenant_id: Some(id),
                site_id: None,
                email: &email,
                display_name: &display_name,
                role: Role::Admin,
                password_hash: &hash,
            },
        )
        .await?;
        audit::record(
            tx,
            Entry::new("tenant.created", caller.actor(), Some(id))
                .target("tenant", id)
                .details(json!({ "name": name, "kind": body.kind })),
        )
        .await?;
        audit::record(
            tx,
            Entry::new("user.created", caller.actor(), Some(id))
                .target("user", admin)
                .details(json!({ "email": email, "role": "admin" })),
        )
        .await?;
        tenants::find(tx, id)
            .await?
            .ok_or(crate::db::DbError::NotFound)
    })?;
    Ok(tenant)
}

/// Create a tenant together with its first admin (superusers).
#[utoipa::path(post, path = "/api/v1/tenants", tag = "tenants", request_body = NewTenant,
    responses((status = 201, body = TenantOut), (status = 409), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Superusers>,
    ApiJson(body): ApiJson<NewTenant>,
) -> Result<Response, AppError> {
    let tenant = create_tenant(&state, &caller, &body).await?;
    Ok(created(&tenant_etag(&tenant), &TenantOut::from(tenant)))
}

/// One tenant with its sites (superusers).
#[utoipa::path(get, path = "/api/v1/tenants/{id}", tag = "tenants",
    params(("id" = i64, Path)), responses((status = 200, body = TenantOut), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    _: Allowed<Superusers>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let tenant = tenants::find(conn, id).await?.ok_or(AppError::NotFound)?;
    let (tenant_sites, _) = sites::list(
        conn,
        id,
        0,
        i64::from(crate::http::pagination::MAX_PER_PAGE),
    )
    .await?;
    let tag = tenant_etag(&tenant);
    let mut out = TenantOut::from(tenant);
    out.sites = Some(tenant_sites.into_iter().map(SiteOut::from).collect());
    Ok(with_etag(&headers, tag, &out))
}

pub(crate) async fn rename_tenant(
    state: &AppState,
    caller: &Caller,
    id: i64,
    expected: Option<&str>,
    body: &TenantChange,
) -> Result<Tenant, AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let tenant = tenants::find(conn, id).await?.ok_or(AppError::NotFound)?;
    check_precondition(expected, &tenant_etag(&tenant))?;
    let mut errors = Vec::new();
    let name = match &body.name {
        Some(name) => check_name("name", name, &mut errors),
        None => tenant.name.clone(),
    };
    fail_if_any(errors)?;
    crate::versioned_write!(
        conn,
        |tx| tenants::rename(tx, &tenant, &name).await?,
        audit: Entry::new("tenant.updated", caller.actor(), Some(id))
            .target("tenant", id)
            .details(json!({ "name": { "from": tenant.name, "to": name } })),
        on_conflict: current_etag(conn, id).await,
    )?;
    tenants::find(conn, id).await?.ok_or(AppError::NotFound)
}

/// The ETag of the tenant as stored now, for the 412 of a write that lost its race.
async fn current_etag(conn: &mut crate::db::DbConn<'_>, id: i64) -> Result<String, AppError> {
    tenants::find(conn, id)
        .await?
        .map(|current| tenant_etag(&current))
        .ok_or(AppError::NotFound)
}

/// Rename a tenant (superusers). Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/tenants/{id}", tag = "tenants", request_body = TenantChange,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = TenantOut), (status = 404), (status = 412), (status = 428)))]
pub async fn update(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Superusers>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TenantChange>,
) -> Result<Response, AppError> {
    let tenant = rename_tenant(&state, &caller, id, if_match(&headers), &body).await?;
    Ok(with_etag(
        &HeaderMap::new(),
        tenant_etag(&tenant),
        &TenantOut::from(tenant),
    ))
}

pub(crate) async fn delete_tenant(
    state: &AppState,
    caller: &Caller,
    id: i64,
    expected: Option<&str>,
) -> Result<(), AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let tenant = tenants::find(conn, id).await?.ok_or(AppError::NotFound)?;
    check_precondition(expected, &tenant_etag(&tenant))?;
    crate::versioned_write!(
        conn,
        |tx| tenants::mark_deleted(tx, &tenant).await?,
        audit: Entry::new("tenant.deleted", caller.actor(), Some(id))
            .target("tenant", id)
            .details(json!({ "name": tenant.name })),
        on_conflict: current_etag(conn, id).await,
    )
}

/// Delete a tenant (superusers): its people are signed out and can no longer sign in; the
/// data stays for the audit trail. Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/tenants/{id}", tag = "tenants",
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 404), (status = 412), (status = 428)))]
pub async fn delete(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Superusers>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    delete_tenant(&state, &caller, id, if_match(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}
