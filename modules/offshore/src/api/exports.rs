//! Downloads of the rota: the site's schedule as CSV or XLSX, one person's published shifts as
//! an iCalendar, and the private feed URL that serves that calendar without a sign-in.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Duration, NaiveDate, Utc};
use galley_core::audit::{self, Entry};
use galley_core::auth::{Allowed, token};
use galley_core::db::DbConn;
use galley_core::http::{ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::{tenant_of, utc};
use galley_core::people::sites::{self, Site};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::schedule::{RangeIn, stored_schedule};
use super::{GalleyReaders, GalleyStaff, text};
use crate::export::feeds::{self, NewFeed};
use crate::export::ics::{self, CalendarShift};
use crate::export::table::{self, ScheduleRow};
use crate::rota::crew::{self, CrewRow};
use crate::rota::shifts;
use crate::rotation::pattern::DayKind;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/schedule.csv", get(schedule_csv))
        .route("/sites/{site_id}/schedule.xlsx", get(schedule_xlsx))
        .route("/sites/{site_id}/crew/{id}/calendar.ics", get(calendar))
        .route(
            "/sites/{site_id}/crew/{id}/calendar-feed",
            post(create_feed).delete(revoke_feed),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(schedule_csv, schedule_xlsx, calendar, create_feed, revoke_feed),
    tags((name = "offshore exports", description = "The schedule as files, and personal calendars"))
)]
pub struct ExportsApi;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CALENDAR_TYPE: &str = "text/calendar; charset=utf-8";

/// A calendar reaches this far back by default...
const CALENDAR_DAYS_BACK: i64 = 30;
/// ...and this far ahead; also the longest range a calendar may be asked for (with the days
/// back), so the default is always allowed.
const CALENDAR_DAYS_AHEAD: i64 = 365;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// First day, YYYY-MM-DD; 30 days before today (in the site's time zone) when left out.
    pub from: Option<NaiveDate>,
    /// Last day; 365 days after `from`'s default (or after `from`) when left out.
    pub to: Option<NaiveDate>,
}

/// A new feed's secret URL, answered once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedCreated {
    pub crew_id: i64,
    /// The path of the feed on this server, `/offshore/feeds/{secret}.ics`. Only a hash of the
    /// secret is kept: it cannot be shown again.
    pub url: String,
    pub created_at: chrono::DateTime<Utc>,
    /// Whether an older feed of this person was revoked by this one.
    pub replaced: bool,
}

/// The site's time zone's today.
fn today(site: &Site) -> NaiveDate {
    Utc::now().with_timezone(&site.zone()).date_naive()
}

/// The default window around today: a month back, a year ahead.
pub fn default_window(site: &Site) -> (NaiveDate, NaiveDate) {
    let today = today(site);
    (
        today - Duration::days(CALENDAR_DAYS_BACK),
        today + Duration::days(CALENDAR_DAYS_AHEAD),
    )
}

fn window(site: &Site, query: &CalendarQuery) -> Result<(NaiveDate, NaiveDate), AppError> {
    let (default_from, default_to) = default_window(site);
    let from = query.from.unwrap_or(default_from);
    let to = query.to.unwrap_or_else(|| {
        query
            .from
            .map_or(default_to, |from| from + Duration::days(365))
    });
    if to < from {
        return Err(AppError::validation("to", "must not be before `from`"));
    }
    let longest = CALENDAR_DAYS_BACK + CALENDAR_DAYS_AHEAD + 1;
    if (to - from).num_days() + 1 > longest {
        return Err(AppError::validation(
            "to",
            format!("a calendar covers at most {longest} days"),
        ));
    }
    Ok((from, to))
}

/// The calendar of one person's published shifts from `first` to `last`.
pub async fn person_calendar(
    conn: &mut DbConn<'_>,
    site: &Site,
    member: &CrewRow,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<String, AppError> {
    let rows = shifts::of_crew(conn, member.id, first, last, true).await?;
    let shifts: Vec<CalendarShift> = rows
        .iter()
        .map(|row| CalendarShift {
            id: row.id,
            date: row.date,
            kind: DayKind::parse(&row.kind).unwrap_or(DayKind::Swing),
            span: row
                .starts_at
                .zip(row.ends_at)
                .map(|(s, e)| (utc(s), utc(e))),
            version: row.version,
            updated_at: utc(row.updated_at),
        })
        .collect();
    Ok(ics::calendar(
        &format!("{} – {}", member.name, site.name),
        &shifts,
    ))
}

pub(super) fn calendar_response(body: String, cache: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(CALENDAR_TYPE),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

async fn site_and_member(
    conn: &mut DbConn<'_>,
    tenant: i64,
    site_id: i64,
    id: i64,
) -> Result<(Site, CrewRow), AppError> {
    let site = sites::find(conn, tenant, site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let member = crew::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((site, member))
}

/// One person's published shifts as an iCalendar: a UTC event per day or night shift, an
/// all-day "Swing day" per swing day. By default from 30 days back to 365 days ahead.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/crew/{id}/calendar.ics",
    tag = "offshore exports",
    params(("site_id" = i64, Path), ("id" = i64, Path), CalendarQuery),
    responses((status = 200, description = "The calendar", content_type = "text/calendar", body = String),
        (status = 404), (status = 422)))]
pub async fn calendar(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    ApiQuery(query): ApiQuery<CalendarQuery>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let (site, member) = site_and_member(conn, tenant, site_id, id).await?;
    let range = window(&site, &query)?;
    let body = person_calendar(conn, &site, &member, range).await?;
    Ok(calendar_response(body, "private, no-store"))
}

/// Make a private feed of the person's calendar, revoking their previous one. The answer holds
/// the feed's URL, which needs no sign-in; it is shown this once.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/crew/{id}/calendar-feed",
    tag = "offshore exports", params(("site_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 201, body = FeedCreated), (status = 404), (status = 409)))]
pub async fn create_feed(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let (_, member) = site_and_member(conn, tenant, site_id, id).await?;
    let secret = token::generate();
    let hash = token::hash(&state.settings.secret_key, &secret);
    let replaced = galley_core::transaction!(conn, |tx| {
        let replaced = feeds::revoke(tx, member.id).await?;
        let feed_id = feeds::insert(
            tx,
            &NewFeed {
                tenant_id: tenant,
                site_id,
                crew_id: member.id,
                token_hash: &hash,
                created_by: caller.user_id,
            },
        )
        .await?;
        audit::record(
            tx,
            Entry::new(
                "offshore_calendar_feed.created",
                caller.actor(),
                Some(tenant),
            )
            .target("offshore_calendar_feed", feed_id)
            .details(json!({ "crew_id": member.id, "site_id": site_id, "replaced": replaced })),
        )
        .await?;
        Ok::<_, AppError>(replaced)
    })?;
    let out = FeedCreated {
        crew_id: member.id,
        url: format!("/offshore/feeds/{secret}.ics"),
        created_at: Utc::now(),
        replaced: replaced.is_some(),
    };
    let mut response = (StatusCode::CREATED, axum::Json(out)).into_response();
    // The body holds a secret: no cache keeps it.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Revoke the person's feed: its URL answers 404 from now on. 404 when there is none.
#[utoipa::path(delete, path = "/api/v1/offshore/sites/{site_id}/crew/{id}/calendar-feed",
    tag = "offshore exports", params(("site_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn revoke_feed(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let (_, member) = site_and_member(conn, tenant, site_id, id).await?;
    galley_core::transaction!(conn, |tx| {
        let Some(feed_id) = feeds::revoke(tx, member.id).await? else {
            return Err(AppError::NotFound);
        };
        audit::record(
            tx,
            Entry::new(
                "offshore_calendar_feed.revoked",
                caller.actor(),
                Some(tenant),
            )
            .target("offshore_calendar_feed", feed_id)
            .details(json!({ "crew_id": member.id, "site_id": site_id })),
        )
        .await?;
        Ok::<_, AppError>(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Clone, Copy)]
enum FileFormat {
    Csv,
    Xlsx,
}

/// The stored schedule of the range (drafts and published) as a file, rendered on a file
/// worker like the municipal reports.
async fn schedule_file(
    state: &AppState,
    caller: &galley_core::auth::Caller,
    site_id: i64,
    query: &RangeIn,
    format: FileFormat,
) -> Result<Response, AppError> {
    let range = text::range(query.from, query.to)?;
    let (kind, content_type, extension) = match format {
        FileFormat::Csv => ("schedule_csv", "text/csv; charset=utf-8", "csv"),
        FileFormat::Xlsx => ("schedule_xlsx", XLSX_TYPE, "xlsx"),
    };
    // The slot first: requests waiting for a worker hold no schedule.
    let slot = state.file_work.reserve(kind).await?;
    let schedule = stored_schedule(state, caller, site_id, &range).await?;
    let zone: chrono_tz::Tz = schedule.timezone.parse().unwrap_or(chrono_tz::UTC);
    let rows: Vec<ScheduleRow> = schedule
        .shifts
        .into_iter()
        .map(|s| ScheduleRow {
            date: s.date,
            person: s.crew_name,
            position: s.position,
            kind: s.kind,
            span: s.starts_at.zip(s.ends_at),
            published: s.published,
        })
        .collect();
    let body = slot
        .run(move |_deadline| match format {
            FileFormat::Csv => table::csv(&rows, zone),
            FileFormat::Xlsx => table::xlsx(&rows, zone),
        })
        .await?
        .map_err(|e| AppError::Internal(format!("cannot render the schedule: {e}")))?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let name = format!(
        "attachment; filename=\"schedule-{site_id}-{}-{}.{extension}\"",
        range.first, range.last
    );
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The stored schedule of the range as CSV (UTF-8 with BOM, `;`-separated): one row per
/// shift with date, person, position, kind, start and end in the site's time zone, and
/// whether it is published.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/schedule.csv", tag = "offshore exports",
    params(("site_id" = i64, Path), RangeIn),
    responses((status = 200, description = "The schedule", content_type = "text/csv", body = String),
        (status = 404), (status = 422), (status = 503)))]
pub async fn schedule_csv(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    ApiQuery(query): ApiQuery<RangeIn>,
) -> Result<Response, AppError> {
    schedule_file(&state, &caller, site_id, &query, FileFormat::Csv).await
}

/// The stored schedule of the range as an XLSX workbook with the CSV's columns.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/schedule.xlsx", tag = "offshore exports",
    params(("site_id" = i64, Path), RangeIn),
    responses((status = 200, description = "The schedule",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 404), (status = 422), (status = 503)))]
pub async fn schedule_xlsx(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    ApiQuery(query): ApiQuery<RangeIn>,
) -> Result<Response, AppError> {
    schedule_file(&state, &caller, site_id, &query, FileFormat::Xlsx).await
}
