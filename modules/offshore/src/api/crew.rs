//! `/api/v1/offshore/sites/{site_id}/crew`: the people who work in a galley (they need not be
//! users), their position, the pattern they follow from which offset, and optionally the user
//! account that is them (that person then reads their own shifts at `/me/shifts`).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use galley_core::audit::{self, Entry};
use galley_core::auth::{Allowed, Caller};
use galley_core::db::DbConn;
use galley_core::http::concurrency::{check_precondition, created, etag, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::{fail_if_any, tenant_of, utc};
use galley_core::people::users;
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::{GalleyReaders, RotaAdmins, text};
use crate::rota::crew::{self, CrewFields, CrewRow, MAX_PER_SITE};
use crate::rota::patterns;
use crate::rotation::position::Position;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/crew", get(list).post(add))
        .route(
            "/sites/{site_id}/crew/{id}",
            get(one).put(change).delete(remove),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(list, add, one, change, remove),
    tags((name = "offshore crew", description = "The people of a galley, their position and rotation"))
)]
pub struct CrewApi;

/// Longest name, in characters.
const MAX_NAME: usize = 80;
/// Largest start offset, in days.
const MAX_OFFSET: i32 = 365;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CrewOut {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub position: Position,
    pub user_id: Option<i64>,
    pub pattern_id: Option<i64>,
    /// Days after the pattern's anchor date that this person starts its first day.
    pub start_offset_days: i32,
    pub version: i64,
    pub etag: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CrewIn {
    #[schema(min_length = 1, max_length = 80)]
    pub name: String,
    pub position: Position,
    /// A user of the tenant who is this person; at most one crew member per user.
    pub user_id: Option<i64>,
    /// A pattern of this site; none leaves the person out of generated schedules.
    pub pattern_id: Option<i64>,
    #[schema(minimum = 0, maximum = 365)]
    #[serde(default)]
    pub start_offset_days: i32,
}

pub fn crew_etag(row: &CrewRow) -> String {
    etag("offshore-crew", row.id, row.version)
}

fn out(row: &CrewRow) -> CrewOut {
    CrewOut {
        etag: crew_etag(row),
        id: row.id,
        site_id: row.site_id,
        name: row.name.clone(),
        position: row.position(),
        user_id: row.user_id,
        pattern_id: row.pattern_id,
        start_offset_days: row.start_offset_days,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    }
}

/// The request checked against the tenant's users and the site's patterns.
async fn check(
    conn: &mut DbConn<'_>,
    tenant: i64,
    site_id: i64,
    body: &CrewIn,
    except: Option<i64>,
) -> Result<String, AppError> {
    let mut errors = Vec::new();
    let name = text::name("name", &body.name, MAX_NAME, &mut errors);
    if !(0..=MAX_OFFSET).contains(&body.start_offset_days) {
        errors.push(FieldError {
            field: "start_offset_days".into(),
            reason: format!("must be 0 to {MAX_OFFSET}"),
        });
    }
    if let Some(pattern_id) = body.pattern_id
        && patterns::find(conn, site_id, pattern_id).await?.is_none()
    {
        errors.push(FieldError {
            field: "pattern_id".into(),
            reason: "is not a pattern of this site".into(),
        });
    }
    if let Some(user_id) = body.user_id {
        if users::find_in_tenant(conn, tenant, user_id)
            .await?
            .is_none()
        {
            errors.push(FieldError {
                field: "user_id".into(),
                reason: "is not a user of this tenant".into(),
            });
        } else if crew::of_user(conn, user_id)
            .await?
            .is_some_and(|other| Some(other.id) != except)
        {
            errors.push(FieldError {
                field: "user_id".into(),
                reason: "is already linked to another crew member".into(),
            });
        }
    }
    fail_if_any(errors)?;
    Ok(name)
}

async fn found(state: &AppState, site_id: i64, id: i64) -> Result<CrewRow, AppError> {
    let mut pooled = state.db.get().await?;
    crew::find(&mut pooled.conn(), site_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn current_etag(conn: &mut DbConn<'_>, site_id: i64, id: i64) -> Result<String, AppError> {
    crew::find(conn, site_id, id)
        .await?
        .map(|row| crew_etag(&row))
        .ok_or(AppError::NotFound)
}

fn details(fields: &CrewFields<'_>) -> serde_json::Value {
    json!({
        "name": fields.name, "position": fields.position, "user_id": fields.user_id,
        "pattern_id": fields.pattern_id, "start_offset_days": fields.start_offset_days,
    })
}

/// The site's crew, by name.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/crew", tag = "offshore crew",
    params(("site_id" = i64, Path)), responses((status = 200, body = [CrewOut]), (status = 404)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
) -> Result<Response, AppError> {
    let mut pooled = state.db.get().await?;
    let rows = crew::list(&mut pooled.conn(), site_id).await?;
    Ok(axum::Json(rows.iter().map(out).collect::<Vec<_>>()).into_response())
}

pub async fn add_crew(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    body: &CrewIn,
) -> Result<CrewOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    if crew::count(conn, site_id).await? >= MAX_PER_SITE {
        return Err(AppError::validation(
            "name",
            format!("a site keeps at most {MAX_PER_SITE} crew; remove someone first"),
        ));
    }
    let name = check(conn, tenant, site_id, body, None).await?;
    let fields = CrewFields {
        name: &name,
        position: body.position,
        user_id: body.user_id,
        pattern_id: body.pattern_id,
        start_offset_days: body.start_offset_days,
    };
    let id = galley_core::transaction!(conn, |tx| {
        let id = crew::insert(tx, tenant, site_id, &fields).await?;
        audit::record(
            tx,
            Entry::new("offshore_crew.created", caller.actor(), Some(tenant))
                .target("offshore_crew", id)
                .details(details(&fields)),
        )
        .await?;
        Ok::<_, AppError>(id)
    })?;
    let row = crew::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(out(&row))
}

/// Add a crew member.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/crew", tag = "offshore crew",
    request_body = CrewIn, params(("site_id" = i64, Path)),
    responses((status = 201, body = CrewOut), (status = 404), (status = 422)))]
pub async fn add(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    ApiJson(body): ApiJson<CrewIn>,
) -> Result<Response, AppError> {
    let made = add_crew(&state, &caller, site_id, &body).await?;
    Ok(created(&made.etag, &made))
}

/// One crew member.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/crew/{id}", tag = "offshore crew",
    params(("site_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = CrewOut), (status = 304), (status = 404)))]
pub async fn one(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let row = found(&state, site_id, id).await?;
    Ok(with_etag(&headers, crew_etag(&row), &out(&row)))
}

/// Replace a crew member's details.
#[utoipa::path(put, path = "/api/v1/offshore/sites/{site_id}/crew/{id}", tag = "offshore crew",
    request_body = CrewIn, params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = CrewOut), (status = 404), (status = 412), (status = 422), (status = 428)))]
pub async fn change(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CrewIn>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let row = found(&state, site_id, id).await?;
    check_precondition(if_match(&headers), &crew_etag(&row))?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let name = check(conn, tenant, site_id, &body, Some(id)).await?;
    let fields = CrewFields {
        name: &name,
        position: body.position,
        user_id: body.user_id,
        pattern_id: body.pattern_id,
        start_offset_days: body.start_offset_days,
    };
    let before = CrewFields {
        name: &row.name,
        position: row.position(),
        user_id: row.user_id,
        pattern_id: row.pattern_id,
        start_offset_days: row.start_offset_days,
    };
    galley_core::versioned_write!(
        conn,
        |tx| crew::update(tx, &row, &fields).await?,
        audit: Entry::new("offshore_crew.updated", caller.actor(), Some(tenant))
            .target("offshore_crew", id)
            .details(json!({ "from": details(&before), "to": details(&fields) })),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    let row = crew::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(with_etag(&HeaderMap::new(), crew_etag(&row), &out(&row)))
}

/// Remove a crew member. Their shifts stay in the schedule's history; generate the range again
/// to plan without them.
#[utoipa::path(delete, path = "/api/v1/offshore/sites/{site_id}/crew/{id}", tag = "offshore crew",
    params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 404), (status = 412), (status = 428)))]
pub async fn remove(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let row = found(&state, site_id, id).await?;
    check_precondition(if_match(&headers), &crew_etag(&row))?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    galley_core::versioned_write!(
        conn,
        |tx| crew::mark_deleted(tx, &row).await?,
        audit: Entry::new("offshore_crew.deleted", caller.actor(), Some(tenant))
            .target("offshore_crew", id)
            .details(json!({ "name": row.name })),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
