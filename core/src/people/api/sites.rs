use crate::web::lang::Lang;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Admins, SiteReaders, check_name, check_timezone, fail_if_any, tenant_of, utc};
use crate::audit::{self, Entry};
use crate::auth::{Allowed, Caller};
use crate::http::concurrency::{check_precondition, created, etag, if_match, with_etag};
use crate::http::pagination::{PageQuery, Paginated};
use crate::http::{ApiJson, ApiQuery, AppError};
use crate::people::sites::{self, Site};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(read).patch(update).delete(delete))
}

/// A site (kitchen).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SiteOut {
    pub id: i64,
    pub tenant_id: i64,
    pub name: String,
    /// IANA time zone, e.g. `Europe/Stockholm`.
    pub timezone: String,
    /// The language of the site's people who chose none.
    pub language: Option<Lang>,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Site> for SiteOut {
    fn from(site: Site) -> Self {
        SiteOut {
            id: site.id,
            tenant_id: site.tenant_id,
            name: site.name,
            timezone: site.timezone,
            language: site.language.as_deref().and_then(Lang::stored),
            version: site.version,
            created_at: utc(site.created_at),
            updated_at: utc(site.updated_at),
        }
    }
}

pub(crate) fn site_etag(site: &Site) -> String {
    etag("site", site.id, site.version)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    #[schema(schema_with = crate::http::openapi_schema::timezone)]
    pub timezone: String,
    /// `sv`, `nb` or `en` for the site's people who chose none.
    #[serde(default)]
    pub language: Option<Lang>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteChange {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub name: Option<String>,
    #[schema(schema_with = crate::http::openapi_schema::timezone)]
    pub timezone: Option<String>,
    /// `sv`, `nb` or `en` for the site's people who chose none; `null` for none.
    #[serde(default, deserialize_with = "super::users::present")]
    #[schema(value_type = Option<Lang>)]
    pub language: Option<Option<Lang>>,
}

// The operations, shared by the JSON API below and the admin pages.

pub(crate) async fn create_site(
    state: &AppState,
    caller: &Caller,
    body: &NewSite,
) -> Result<Site, AppError> {
    let tenant = tenant_of(caller)?;
    let mut errors = Vec::new();
    let name = check_name("name", &body.name, &mut errors);
    check_timezone("timezone", &body.timezone, &mut errors);
    fail_if_any(errors)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let site = crate::transaction!(conn, |tx| {
        let id = sites::insert(tx, tenant, &name, &body.timezone).await?;
        if let Some(language) = body.language {
            sites::set_language(tx, id, language).await?;
        }
        audit::record(
            tx,
            Entry::new("site.created", caller.actor(), Some(tenant))
                .target("site", id)
                .details(
                    json!({ "name": name, "timezone": body.timezone, "language": body.language }),
                ),
        )
        .await?;
        sites::find(tx, tenant, id)
            .await?
            .ok_or(crate::db::DbError::NotFound)
    })?;
    Ok(site)
}

/// `expected` is the ETag the client read (If-Match, or a form's hidden field).
pub(crate) async fn update_site(
    state: &AppState,
    caller: &Caller,
    id: i64,
    expected: Option<&str>,
    body: &SiteChange,
) -> Result<Site, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let site = sites::find(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &site_etag(&site))?;
    let mut errors = Vec::new();
    let name = match &body.name {
        Some(name) => check_name("name", name, &mut errors),
        None => site.name.clone(),
    };
    let timezone = body
        .timezone
        .clone()
        .unwrap_or_else(|| site.timezone.clone());
    check_timezone("timezone", &timezone, &mut errors);
    fail_if_any(errors)?;
    let before = site.language.as_deref().and_then(Lang::stored);
    let language = body.language.unwrap_or(before);
    crate::versioned_write!(
        conn,
        |tx| sites::update(tx, &site, &name, &timezone, language).await?,
        audit: Entry::new("site.updated", caller.actor(), Some(tenant))
            .target("site", site.id)
            .details(json!({
                "name": { "from": site.name, "to": name },
                "timezone": { "from": site.timezone, "to": timezone },
                "language": { "from": before, "to": language },
            })),
        on_conflict: sites::find(conn, tenant, id)
            .await?
            .map(|current| site_etag(&current))
            .ok_or(AppError::NotFound),
    )?;
    sites::find(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub(crate) async fn delete_site(
    state: &AppState,
    caller: &Caller,
    id: i64,
    expected: Option<&str>,
) -> Result<(), AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let site = sites::find(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &site_etag(&site))?;
    crate::versioned_write!(
        conn,
        |tx| sites::mark_deleted(tx, &site).await?,
        audit: Entry::new("site.deleted", caller.actor(), Some(tenant)).target("site", site.id),
        on_conflict: sites::find(conn, tenant, id)
            .await?
            .map(|current| site_etag(&current))
            .ok_or(AppError::NotFound),
    )
}

/// The sites of your tenant.
#[utoipa::path(get, path = "/api/v1/sites", tag = "sites", params(PageQuery),
    responses((status = 200, body = Paginated<SiteOut>)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<SiteReaders>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let page = query.checked()?;
    let mut pooled = state.db.get().await?;
    let (items, total) =
        sites::list(&mut pooled.conn(), tenant, page.offset(), page.limit()).await?;
    let items = items.into_iter().map(SiteOut::from).collect();
    Ok(axum::Json(Paginated::new(items, page, total)).into_response())
}

/// Add a site to your tenant.
#[utoipa::path(post, path = "/api/v1/sites", tag = "sites", request_body = NewSite,
    responses((status = 201, body = SiteOut), (status = 422, body = crate::http::problem::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    ApiJson(body): ApiJson<NewSite>,
) -> Result<Response, AppError> {
    let site = create_site(&state, &caller, &body).await?;
    Ok(created(&site_etag(&site), &SiteOut::from(site)))
}

/// One site of your tenant.
#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "sites",
    params(("id" = i64, Path)), responses((status = 200, body = SiteOut), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<SiteReaders>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let site = sites::find(&mut pooled.conn(), tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(with_etag(&headers, site_etag(&site), &SiteOut::from(site)))
}

/// Rename a site or change its time zone. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/sites/{id}", tag = "sites", request_body = SiteChange,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = SiteOut), (status = 404), (status = 412), (status = 428)))]
pub async fn update(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SiteChange>,
) -> Result<Response, AppError> {
    let site = update_site(&state, &caller, id, if_match(&headers), &body).await?;
    Ok(with_etag(
        &HeaderMap::new(),
        site_etag(&site),
        &SiteOut::from(site),
    ))
}

/// Remove a site (kept for the audit trail). Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/sites/{id}", tag = "sites",
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 404), (status = 412), (status = 428)))]
pub async fn delete(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    delete_site(&state, &caller, id, if_match(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}
