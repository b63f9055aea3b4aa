//! `/api/v1/offshore/sites/{site_id}/patterns`: a galley's rotation patterns, as data. Start
//! from a named template (`2-4`, `2-3`, `3-3`, `14/21`) or give the segments yourself.
//! `/api/v1/offshore/rotation-templates` lists the templates.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use galley_core::audit::{self, Entry};
use galley_core::auth::{Allowed, Caller};
use galley_core::http::concurrency::{check_precondition, created, etag, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::{fail_if_any, tenant_of, utc};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::{GalleyReaders, RotaAdmins, text};
use crate::rota::patterns::{self, MAX_PER_SITE, PatternFields, PatternRow};
use crate::rotation::pattern::{Pattern, Segment, Template};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rotation-templates", get(templates))
        .route("/sites/{site_id}/patterns", get(list).post(add))
        .route(
            "/sites/{site_id}/patterns/{id}",
            get(one).put(change).delete(remove),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(templates, list, add, one, change, remove),
    tags((name = "offshore patterns", description = "Rotation patterns: repeating segments of nights, swing day, days and days off"))
)]
pub struct PatternsApi;

/// Longest pattern name, in characters.
const MAX_NAME: usize = 80;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PatternTemplateOut {
    /// `2-4`, `2-3`, `3-3` or `14/21`.
    pub name: &'static str,
    pub segments: Vec<Segment>,
    pub cycle_days: i64,
    pub days_on: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PatternOut {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub segments: Vec<Segment>,
    /// The first day of the pattern for a person with offset 0.
    pub anchor_date: NaiveDate,
    pub cycle_days: i64,
    pub days_on: u32,
    pub version: i64,
    pub etag: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A pattern: `segments`, or a `template` to copy them from (not both).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternIn {
    #[schema(min_length = 1, max_length = 80)]
    pub name: String,
    pub template: Option<Template>,
    #[schema(max_items = 32)]
    pub segments: Option<Vec<Segment>>,
    pub anchor_date: NaiveDate,
}

pub fn pattern_etag(row: &PatternRow) -> String {
    etag("offshore-pattern", row.id, row.version)
}

fn out(row: &PatternRow) -> PatternOut {
    let segments = row.segments();
    let pattern = Pattern::new(segments.clone()).ok();
    PatternOut {
        etag: pattern_etag(row),
        id: row.id,
        site_id: row.site_id,
        name: row.name.clone(),
        segments,
        anchor_date: row.anchor_date,
        cycle_days: pattern.as_ref().map_or(0, Pattern::cycle_days),
        days_on: pattern.as_ref().map_or(0, Pattern::days_on),
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    }
}

/// The checked name and segments of a request.
fn check(body: &PatternIn) -> Result<(String, Vec<Segment>), AppError> {
    let mut errors = Vec::new();
    let name = text::name("name", &body.name, MAX_NAME, &mut errors);
    let segments = match (&body.template, &body.segments) {
        (Some(template), None) => template.segments(),
        (None, Some(segments)) => segments.clone(),
        _ => {
            errors.push(FieldError {
                field: "segments".into(),
                reason: "give either segments or a template".into(),
            });
            Vec::new()
        }
    };
    if errors.is_empty()
        && let Err(error) = Pattern::new(segments.clone())
    {
        errors.push(FieldError {
            field: error.field(),
            reason: error.to_string(),
        });
    }
    fail_if_any(errors)?;
    Ok((name, segments))
}

async fn refuse_taken_name(
    conn: &mut galley_core::db::DbConn<'_>,
    site_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<(), AppError> {
    if patterns::name_taken(conn, site_id, name, except).await? {
        return Err(AppError::validation(
            "name",
            "another pattern of this site has that name",
        ));
    }
    Ok(())
}

async fn found(state: &AppState, site_id: i64, id: i64) -> Result<PatternRow, AppError> {
    let mut pooled = state.db.get().await?;
    patterns::find(&mut pooled.conn(), site_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The named templates.
#[utoipa::path(get, path = "/api/v1/offshore/rotation-templates", tag = "offshore patterns",
    responses((status = 200, body = [PatternTemplateOut])))]
pub async fn templates(Allowed(_caller, _): Allowed<GalleyReaders>) -> Response {
    let all: Vec<PatternTemplateOut> = Template::ALL
        .iter()
        .map(|t| {
            let pattern = t.pattern();
            PatternTemplateOut {
                name: t.name(),
                segments: t.segments(),
                cycle_days: pattern.cycle_days(),
                days_on: pattern.days_on(),
            }
        })
        .collect();
    axum::Json(all).into_response()
}

/// The site's patterns, by name.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/patterns", tag = "offshore patterns",
    params(("site_id" = i64, Path)), responses((status = 200, body = [PatternOut]), (status = 404)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
) -> Result<Response, AppError> {
    let mut pooled = state.db.get().await?;
    let rows = patterns::list(&mut pooled.conn(), site_id).await?;
    Ok(axum::Json(rows.iter().map(out).collect::<Vec<_>>()).into_response())
}

pub async fn add_pattern(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    body: &PatternIn,
) -> Result<PatternOut, AppError> {
    let tenant = tenant_of(caller)?;
    let (name, segments) = check(body)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    if patterns::count(conn, site_id).await? >= MAX_PER_SITE {
        return Err(AppError::validation(
            "name",
            format!("a site keeps at most {MAX_PER_SITE} patterns; remove one first"),
        ));
    }
    refuse_taken_name(conn, site_id, &name, None).await?;
    let fields = PatternFields {
        name: &name,
        segments: &segments,
        anchor_date: body.anchor_date,
    };
    let id = galley_core::transaction!(conn, |tx| {
        let id = patterns::insert(tx, tenant, site_id, &fields).await?;
        audit::record(
            tx,
            Entry::new("offshore_pattern.created", caller.actor(), Some(tenant))
                .target("offshore_pattern", id)
                .details(
                    json!({ "site_id": site_id, "name": name, "segments": segments,
                    "anchor_date": body.anchor_date }),
                ),
        )
        .await?;
        Ok::<_, AppError>(id)
    })?;
    let row = patterns::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(out(&row))
}

/// Add a pattern.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/patterns", tag = "offshore patterns",
    request_body = PatternIn, params(("site_id" = i64, Path)),
    responses((status = 201, body = PatternOut), (status = 404), (status = 422)))]
pub async fn add(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    ApiJson(body): ApiJson<PatternIn>,
) -> Result<Response, AppError> {
    let made = add_pattern(&state, &caller, site_id, &body).await?;
    Ok(created(&made.etag, &made))
}

/// One pattern.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/patterns/{id}", tag = "offshore patterns",
    params(("site_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = PatternOut), (status = 304), (status = 404)))]
pub async fn one(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let row = found(&state, site_id, id).await?;
    Ok(with_etag(&headers, pattern_etag(&row), &out(&row)))
}

/// Replace a pattern. Its followers' next generation uses the new segments; shifts already
/// applied stay until the range is generated again.
#[utoipa::path(put, path = "/api/v1/offshore/sites/{site_id}/patterns/{id}", tag = "offshore patterns",
    request_body = PatternIn, params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = PatternOut), (status = 404), (status = 412), (status = 422), (status = 428)))]
pub async fn change(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PatternIn>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let row = found(&state, site_id, id).await?;
    check_precondition(if_match(&headers), &pattern_etag(&row))?;
    let (name, segments) = check(&body)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    refuse_taken_name(conn, site_id, &name, Some(id)).await?;
    let fields = PatternFields {
        name: &name,
        segments: &segments,
        anchor_date: body.anchor_date,
    };
    galley_core::versioned_write!(
        conn,
        |tx| patterns::update(tx, &row, &fields).await?,
        audit: Entry::new("offshore_pattern.updated", caller.actor(), Some(tenant))
            .target("offshore_pattern", id)
            .details(json!({
                "name": { "from": row.name, "to": name },
                "segments": { "from": row.segments(), "to": segments },
                "anchor_date": { "from": row.anchor_date, "to": body.anchor_date },
            })),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    let row = patterns::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(with_etag(&HeaderMap::new(), pattern_etag(&row), &out(&row)))
}

async fn current_etag(
    conn: &mut galley_core::db::DbConn<'_>,
    site_id: i64,
    id: i64,
) -> Result<String, AppError> {
    patterns::find(conn, site_id, id)
        .await?
        .map(|row| pattern_etag(&row))
        .ok_or(AppError::NotFound)
}

/// Remove a pattern nobody follows.
#[utoipa::path(delete, path = "/api/v1/offshore/sites/{site_id}/patterns/{id}", tag = "offshore patterns",
    params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 404), (status = 409), (status = 412), (status = 428)))]
pub async fn remove(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let row = found(&state, site_id, id).await?;
    check_precondition(if_match(&headers), &pattern_etag(&row))?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let followers = patterns::followers(conn, id).await?;
    if followers > 0 {
        return Err(AppError::Conflict(format!(
            "{followers} crew member(s) follow this pattern; move them to another first"
        )));
    }
    galley_core::versioned_write!(
        conn,
        |tx| patterns::mark_deleted(tx, &row).await?,
        audit: Entry::new("offshore_pattern.deleted", caller.actor(), Some(tenant))
            .target("offshore_pattern", id)
            .details(json!({ "name": row.name })),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
