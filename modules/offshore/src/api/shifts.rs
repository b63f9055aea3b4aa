//! `/api/v1/offshore/sites/{site_id}/shifts/{id}`: edit one shift (who, which kind, its hours)
//! or swap two people's shifts. Each change needs the shift's ETag and is audited; the
//! schedule read shows what it did to cover and the working-time rules.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post};
use galley_core::audit::Entry;
use galley_core::auth::{Allowed, Caller};
use galley_core::db::DbConn;
use galley_core::http::concurrency::{check_precondition, etag, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::{fail_if_any, tenant_of, utc};
use galley_core::people::sites;
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::GalleyStaff;
use crate::rota::crew;
use crate::rota::settings::{self, time_of};
use crate::rota::shifts::{self, ShiftFields, ShiftRow};
use crate::rotation::pattern::DayKind;
use crate::rotation::shift_times::{Hours, span};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/shifts/{id}", patch(change))
        .route("/sites/{site_id}/shifts/swap", post(swap))
}

#[derive(OpenApi)]
#[openapi(
    paths(change, swap),
    tags((name = "offshore shifts", description = "Single shifts: edit and swap"))
)]
pub struct ShiftsApi;

pub fn shift_etag(row: &ShiftRow) -> String {
    etag("offshore-shift", row.id, row.version)
}

/// One stored shift.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StoredShift {
    pub id: i64,
    pub crew_id: i64,
    pub date: chrono::NaiveDate,
    pub kind: DayKind,
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub published: bool,
    pub version: i64,
    pub etag: String,
}

fn out(row: &ShiftRow) -> StoredShift {
    StoredShift {
        id: row.id,
        crew_id: row.crew_id,
        date: row.date,
        kind: DayKind::parse(&row.kind).unwrap_or(DayKind::Swing),
        starts_at: row.starts_at.map(utc),
        ends_at: row.ends_at.map(utc),
        published: row.published_at.is_some(),
        version: row.version,
        etag: shift_etag(row),
    }
}

/// Only the fields sent change. Hours are HH:MM in the site's time zone; a shift whose end is
/// not after its start ends the next day. Changing the kind without hours takes the site's
/// hours for that kind.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftChange {
    /// Another crew member of the site.
    pub crew_id: Option<i64>,
    /// `day`, `night` or `swing`.
    pub kind: Option<DayKind>,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "07:00")]
    pub start: Option<String>,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "19:00")]
    pub end: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwapIn {
    pub first: i64,
    /// The first shift's ETag.
    pub first_etag: String,
    pub second: i64,
    pub second_etag: String,
}

async fn found(conn: &mut DbConn<'_>, site_id: i64, id: i64) -> Result<ShiftRow, AppError> {
    shifts::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn current_etag(conn: &mut DbConn<'_>, site_id: i64, id: i64) -> Result<String, AppError> {
    Ok(shift_etag(&found(conn, site_id, id).await?))
}

fn fields_of(row: &ShiftRow) -> ShiftFields {
    ShiftFields {
        crew_id: row.crew_id,
        kind: DayKind::parse(&row.kind).map_or("swing", DayKind::as_str),
        starts_at: row.starts_at,
        ends_at: row.ends_at,
    }
}

pub async fn change_shift(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    id: i64,
    expected: Option<&str>,
    change: &ShiftChange,
) -> Result<StoredShift, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let row = found(conn, site_id, id).await?;
    check_precondition(expected, &shift_etag(&row))?;
    let site = sites::find(conn, tenant, site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rota = settings::load(conn, site_id).await?;
    let mut errors = Vec::new();
    if let Some(crew_id) = change.crew_id
        && crew::find(conn, site_id, crew_id).await?.is_none()
    {
        errors.push(FieldError {
            field: "crew_id".into(),
            reason: "is not a crew member of this site".into(),
        });
    }
    let kind = change
        .kind
        .or_else(|| DayKind::parse(&row.kind))
        .unwrap_or(DayKind::Swing);
    if kind == DayKind::Off {
        errors.push(FieldError {
            field: "kind".into(),
            reason: "must be day, night or swing (remove a day on board by generating again)"
                .into(),
        });
    }
    let mut time = |field: &str, value: &Option<String>| match value {
        None => None,
        Some(text) => {
            let parsed = galley_core::kitchen::time_of_day::parse_hhmm(text).map(time_of);
            if parsed.is_none() {
                errors.push(FieldError {
                    field: field.into(),
                    reason: "must be a time HH:MM from 00:00 to 23:59".into(),
                });
            }
            parsed
        }
    };
    let (start, end) = (time("start", &change.start), time("end", &change.end));
    if kind == DayKind::Swing && (start.is_some() || end.is_some()) {
        errors.push(FieldError {
            field: "start".into(),
            reason: "a swing day has no hours".into(),
        });
    }
    fail_if_any(errors)?;
    let zone = site.zone();
    let (starts_at, ends_at) = match rota.times.of(kind) {
        None => (None, None),
        Some(default) => {
            // Hours not sent keep the shift's own when the kind stays, else the site's.
            let own = (kind.as_str() == row.kind)
                .then(|| row.starts_at.zip(row.ends_at))
                .flatten()
                .map(|(s, e)| Hours {
                    start: utc(s).with_timezone(&zone).time(),
                    end: utc(e).with_timezone(&zone).time(),
                })
                .unwrap_or(default);
            let hours = Hours {
                start: start.unwrap_or(own.start),
                end: end.unwrap_or(own.end),
            };
            let at = span(zone, row.date, hours);
            (Some(at.starts_at.naive_utc()), Some(at.ends_at.naive_utc()))
        }
    };
    let fields = ShiftFields {
        crew_id: change.crew_id.unwrap_or(row.crew_id),
        kind: kind.as_str(),
        starts_at,
        ends_at,
    };
    let before = fields_of(&row);
    if (
        before.crew_id,
        before.kind,
        before.starts_at,
        before.ends_at,
    ) == (
        fields.crew_id,
        fields.kind,
        fields.starts_at,
        fields.ends_at,
    ) {
        return Ok(out(&row));
    }
    galley_core::versioned_write!(
        conn,
        |tx| shifts::update(tx, &row, &fields).await?,
        audit: Entry::new("offshore_shift.updated", caller.actor(), Some(tenant))
            .target("offshore_shift", id)
            .details(json!({
                "date": row.date,
                "crew_id": { "from": before.crew_id, "to": fields.crew_id },
                "kind": { "from": before.kind, "to": fields.kind },
                "starts_at": { "from": before.starts_at, "to": fields.starts_at },
                "ends_at": { "from": before.ends_at, "to": fields.ends_at },
            })),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    Ok(out(&found(conn, site_id, id).await?))
}

/// Edit one shift. Needs its `If-Match`.
#[utoipa::path(patch, path = "/api/v1/offshore/sites/{site_id}/shifts/{id}", tag = "offshore shifts",
    request_body = ShiftChange, params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = StoredShift), (status = 404), (status = 412), (status = 422), (status = 428)))]
pub async fn change(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ShiftChange>,
) -> Result<Response, AppError> {
    let shift = change_shift(&state, &caller, site_id, id, if_match(&headers), &body).await?;
    Ok(with_etag(&HeaderMap::new(), shift.etag.clone(), &shift))
}

/// The two shifts after a swap.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Swapped {
    pub first: StoredShift,
    pub second: StoredShift,
}

pub async fn swap_shifts(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    body: &SwapIn,
) -> Result<Swapped, AppError> {
    let tenant = tenant_of(caller)?;
    if body.first == body.second {
        return Err(AppError::validation("second", "must be another shift"));
    }
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let first = found(conn, site_id, body.first).await?;
    let second = found(conn, site_id, body.second).await?;
    check_precondition(Some(&body.first_etag), &shift_etag(&first))?;
    check_precondition(Some(&body.second_etag), &shift_etag(&second))?;
    if first.crew_id == second.crew_id {
        return Err(AppError::validation(
            "second",
            "belongs to the same person; a swap exchanges two people",
        ));
    }
    let first_fields = ShiftFields {
        crew_id: second.crew_id,
        ..fields_of(&first)
    };
    let second_fields = ShiftFields {
        crew_id: first.crew_id,
        ..fields_of(&second)
    };
    galley_core::versioned_write!(
        conn,
        |tx| shifts::update(tx, &first, &first_fields).await?
            && shifts::update(tx, &second, &second_fields).await?,
        audit: Entry::new("offshore_shift.swapped", caller.actor(), Some(tenant))
            .target("offshore_shift", first.id)
            .details(json!({
                "first": { "id": first.id, "date": first.date, "from": first.crew_id, "to": second.crew_id },
                "second": { "id": second.id, "date": second.date, "from": second.crew_id, "to": first.crew_id },
            })),
        on_conflict: current_etag(conn, site_id, first.id).await,
    )?;
    Ok(Swapped {
        first: out(&found(conn, site_id, first.id).await?),
        second: out(&found(conn, site_id, second.id).await?),
    })
}

/// Swap the people of two shifts. Both ETags must be current.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/shifts/swap", tag = "offshore shifts",
    request_body = SwapIn, params(("site_id" = i64, Path)),
    responses((status = 200, body = Swapped), (status = 404), (status = 412), (status = 422)))]
pub async fn swap(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    ApiJson(body): ApiJson<SwapIn>,
) -> Result<Response, AppError> {
    let swapped = swap_shifts(&state, &caller, site_id, &body).await?;
    Ok(axum::Json(swapped).into_response())
}
