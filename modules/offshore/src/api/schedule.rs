//! `/api/v1/offshore/sites/{site_id}/schedule`: generate a range from everyone's pattern
//! (a dry-run preview, then apply), publish it, and read it back with its cover, double
//! bookings and working-time breaches.
//!
//! Applying replaces the range's shifts of the crew who follow a pattern. The preview's
//! `basis` is the ETag of the shifts it would replace; apply needs it as `If-Match`, so shifts
//! edited after the preview are never overwritten unseen.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use galley_core::audit::{self, Entry};
use galley_core::auth::{Allowed, Caller};
use galley_core::http::concurrency::{check_precondition, if_match};
use galley_core::http::{ApiJson, ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::{tenant_of, utc};
use galley_core::people::sites::{self, Site};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::{GalleyReaders, RotaAdmins, text};
use crate::rota::crew::{self, CrewRow};
use crate::rota::settings::{self, RotaSettings};
use crate::rota::shifts::{self, ShiftRow};
use crate::rota::{exceptions, patterns};
use crate::rotation::coverage::{DayCover, coverage, double_bookings};
use crate::rotation::generate::{Assignment, DateRange, Shift, generate};
use crate::rotation::pattern::{DayKind, Pattern};
use crate::rotation::position::Position;
use crate::rotation::rules::{Breach, Exception, check};
use crate::rotation::shift_times::Span;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/schedule", get(read))
        .route("/sites/{site_id}/schedule/preview", post(preview))
        .route("/sites/{site_id}/schedule/apply", post(apply))
        .route("/sites/{site_id}/schedule/publish", post(publish))
}

#[derive(OpenApi)]
#[openapi(
    paths(read, preview, apply, publish),
    tags((name = "offshore schedule", description = "Generated shifts, cover, double bookings and working-time checks"))
)]
pub struct ScheduleApi;

/// How far around a range the checks look (a period begun before it, the rest after it).
const CONTEXT_DAYS: i64 = 42;

#[derive(Debug, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RangeIn {
    /// First day, YYYY-MM-DD.
    pub from: NaiveDate,
    /// Last day, at most 366 days after `from`.
    pub to: NaiveDate,
}

/// One day on board of one person.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShiftOut {
    /// None in a preview (not stored yet).
    pub id: Option<i64>,
    pub crew_id: i64,
    pub crew_name: String,
    pub position: Position,
    pub date: NaiveDate,
    /// `day`, `night` or `swing` (on board without a shift).
    pub kind: DayKind,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// HH:MM in the site's time zone.
    pub start: Option<String>,
    pub end: Option<String>,
    pub published: bool,
    /// For `If-Match` on a shift edit; none in a preview.
    pub etag: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BreachOut {
    pub crew_name: String,
    pub breach: Breach,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DoubleBookingOut {
    pub crew_id: i64,
    pub crew_name: String,
    pub date: NaiveDate,
    pub other_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CrewRef {
    pub crew_id: i64,
    pub name: String,
}

/// What applying would replace.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Replaces {
    /// Stored shifts of the range that applying removes.
    pub shifts: usize,
    /// Of those, how many are published.
    pub published: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScheduleOut {
    pub site_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub timezone: String,
    pub shifts: Vec<ShiftOut>,
    pub coverage: Vec<DayCover>,
    /// Days on which some required cover is short.
    pub days_with_gaps: usize,
    pub double_bookings: Vec<DoubleBookingOut>,
    pub breaches: Vec<BreachOut>,
    /// Crew without a pattern: not generated (preview and apply only).
    pub unscheduled: Vec<CrewRef>,
    /// Preview and apply only.
    pub replaces: Option<Replaces>,
    /// The ETag of the stored shifts a generation would replace: `If-Match` for apply.
    pub basis: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Published {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Drafts published now.
    pub published: usize,
}

/// Everything a generation or a check needs of a site.
struct Rota {
    site: Site,
    zone: Tz,
    settings: RotaSettings,
    crew: Vec<CrewRow>,
    patterns: HashMap<i64, (Pattern, NaiveDate)>,
    exceptions: Vec<Exception>,
}

impl Rota {
    async fn load(state: &AppState, caller: &Caller, site_id: i64) -> Result<Rota, AppError> {
        let tenant = tenant_of(caller)?;
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let site = sites::find(conn, tenant, site_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let settings = settings::load(conn, site_id).await?;
        let crew = crew::all(conn, site_id).await?;
        let patterns = patterns::list(conn, site_id)
            .await?
            .into_iter()
            .filter_map(|row| row.pattern().map(|p| (row.id, (p, row.anchor_date))))
            .collect();
        let exceptions = exceptions::list(conn, site_id)
            .await?
            .into_iter()
            .map(|e| (e.crew_id, e.first_date))
            .collect();
        Ok(Rota {
            zone: site.zone(),
            site,
            settings,
            crew,
            patterns,
            exceptions,
        })
    }

    fn live_crew(&self) -> impl Iterator<Item = &CrewRow> {
        self.crew.iter().filter(|c| c.deleted_at.is_none())
    }

    /// Everyone live who follows a pattern, each from their own start.
    fn assignments(&self) -> Vec<Assignment<'_>> {
        self.live_crew()
            .filter_map(|member| {
                let (pattern, anchor) = self.patterns.get(&member.pattern_id?)?;
                Some(Assignment {
                    crew_id: member.id,
                    position: member.position(),
                    pattern,
                    start: *anchor + chrono::Duration::days(i64::from(member.start_offset_days)),
                })
            })
            .collect()
    }

    fn names(&self) -> HashMap<i64, &CrewRow> {
        self.crew.iter().map(|c| (c.id, c)).collect()
    }

    fn shift_from_row(&self, row: &ShiftRow, names: &HashMap<i64, &CrewRow>) -> Shift {
        Shift {
            crew_id: row.crew_id,
            position: names
                .get(&row.crew_id)
                .map_or(Position::Cook, |c| c.position()),
            date: row.date,
            kind: DayKind::parse(&row.kind).unwrap_or(DayKind::Swing),
            span: match (row.starts_at, row.ends_at) {
                (Some(start), Some(end)) => Some(Span {
                    starts_at: utc(start),
                    ends_at: utc(end),
                }),
                _ => None,
            },
        }
    }

    /// The cover, double bookings and breaches of `shifts` (which reach beyond `range`).
    fn assess(&self, shifts: &[Shift], range: &DateRange, out: Vec<ShiftOut>) -> ScheduleOut {
        let names = self.names();
        let name = |id: i64| names.get(&id).map_or_else(String::new, |c| c.name.clone());
        let in_range: Vec<Shift> = shifts
            .iter()
            .filter(|s| range.contains(s.date))
            .cloned()
            .collect();
        let coverage = coverage(&in_range, &self.settings.cover, range);
        ScheduleOut {
            site_id: self.site.id,
            from: range.first,
            to: range.last,
            timezone: self.site.timezone.clone(),
            days_with_gaps: coverage.iter().filter(|d| d.has_gap()).count(),
            coverage,
            double_bookings: double_bookings(&in_range)
                .into_iter()
                .map(|b| DoubleBookingOut {
                    crew_name: name(b.crew_id),
                    crew_id: b.crew_id,
                    date: b.date,
                    other_date: b.other_date,
                })
                .collect(),
            breaches: check(shifts, &self.settings.rules, &self.exceptions, range)
                .into_iter()
                .map(|breach| BreachOut {
                    crew_name: name(breach.crew_id()),
                    breach,
                })
                .collect(),
            shifts: out,
            unscheduled: Vec::new(),
            replaces: None,
            basis: None,
        }
    }

    fn shift_out(
        &self,
        shift: &Shift,
        row: Option<&ShiftRow>,
        names: &HashMap<i64, &CrewRow>,
    ) -> ShiftOut {
        let local = |at: DateTime<Utc>| at.with_timezone(&self.zone).format("%H:%M").to_string();
        ShiftOut {
            id: row.map(|r| r.id),
            crew_id: shift.crew_id,
            crew_name: names
                .get(&shift.crew_id)
                .map_or_else(String::new, |c| c.name.clone()),
            position: shift.position,
            date: shift.date,
            kind: shift.kind,
            starts_at: shift.span.map(|s| s.starts_at),
            ends_at: shift.span.map(|s| s.ends_at),
            start: shift.span.map(|s| local(s.starts_at)),
            end: shift.span.map(|s| local(s.ends_at)),
            published: row.is_some_and(|r| r.published_at.is_some()),
            etag: row.map(super::shifts::shift_etag),
        }
    }
}

/// The ETag of the stored shifts a generation of `range` replaces.
fn basis(rows: &[&ShiftRow]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for row in rows {
        (row.id, row.version).hash(&mut hasher);
    }
    format!("\"schedule-{}-{:016x}\"", rows.len(), hasher.finish())
}

/// The generated plan for `range`, assessed, with what applying it would replace.
async fn plan(
    state: &AppState,
    rota: &Rota,
    range: &DateRange,
) -> Result<(ScheduleOut, Vec<Shift>, Vec<i64>), AppError> {
    let assignments = rota.assignments();
    let (first, last) = range.widened(CONTEXT_DAYS);
    let widened = generate(&assignments, first, last, rota.zone, &rota.settings.times);
    let names = rota.names();
    let in_range: Vec<Shift> = widened
        .iter()
        .filter(|s| range.contains(s.date))
        .cloned()
        .collect();
    let out = in_range
        .iter()
        .map(|s| rota.shift_out(s, None, &names))
        .collect();
    let mut assessed = rota.assess(&widened, range, out);
    let covered: Vec<i64> = assignments.iter().map(|a| a.crew_id).collect();
    let mut pooled = state.db.get().await?;
    let stored = shifts::between(&mut pooled.conn(), rota.site.id, range.first, range.last).await?;
    let replaced: Vec<&ShiftRow> = stored
        .iter()
        .filter(|row| covered.contains(&row.crew_id))
        .collect();
    assessed.replaces = Some(Replaces {
        shifts: replaced.len(),
        published: replaced.iter().filter(|r| r.published_at.is_some()).count(),
    });
    assessed.basis = Some(basis(&replaced));
    assessed.unscheduled = rota
        .live_crew()
        .filter(|c| !covered.contains(&c.id))
        .map(|c| CrewRef {
            crew_id: c.id,
            name: c.name.clone(),
        })
        .collect();
    Ok((assessed, in_range, covered))
}

/// What generating `range` would plan, with what it would replace: the preview, for the API
/// and the rota page.
pub async fn preview_plan(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    range: &DateRange,
) -> Result<ScheduleOut, AppError> {
    let rota = Rota::load(state, caller, site_id).await?;
    Ok(plan(state, &rota, range).await?.0)
}

/// The stored schedule of a range, assessed.
pub async fn stored_schedule(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    range: &DateRange,
) -> Result<ScheduleOut, AppError> {
    let rota = Rota::load(state, caller, site_id).await?;
    let (first, last) = range.widened(CONTEXT_DAYS);
    let mut pooled = state.db.get().await?;
    let rows = shifts::between(&mut pooled.conn(), site_id, first, last).await?;
    let names = rota.names();
    let all: Vec<Shift> = rows
        .iter()
        .map(|r| rota.shift_from_row(r, &names))
        .collect();
    let out = rows
        .iter()
        .zip(&all)
        .filter(|(row, _)| range.contains(row.date))
        .map(|(row, shift)| rota.shift_out(shift, Some(row), &names))
        .collect();
    Ok(rota.assess(&all, range, out))
}

/// The stored shifts of a range (drafts and published), with cover, double bookings and the
/// working-time breaches that touch it.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/schedule", tag = "offshore schedule",
    params(("site_id" = i64, Path), RangeIn),
    responses((status = 200, body = ScheduleOut), (status = 404), (status = 422)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    ApiQuery(query): ApiQuery<RangeIn>,
) -> Result<Response, AppError> {
    let range = text::range(query.from, query.to)?;
    let out = stored_schedule(&state, &caller, site_id, &range).await?;
    Ok(axum::Json(out).into_response())
}

/// What generating the range would plan, changing nothing.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/schedule/preview", tag = "offshore schedule",
    request_body = RangeIn, params(("site_id" = i64, Path)),
    responses((status = 200, body = ScheduleOut), (status = 404), (status = 422)))]
pub async fn preview(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    ApiJson(body): ApiJson<RangeIn>,
) -> Result<Response, AppError> {
    let range = text::range(body.from, body.to)?;
    let out = preview_plan(&state, &caller, site_id, &range).await?;
    Ok(axum::Json(out).into_response())
}

pub async fn apply_plan(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    range: &DateRange,
    expected: Option<&str>,
) -> Result<ScheduleOut, AppError> {
    let tenant = tenant_of(caller)?;
    let rota = Rota::load(state, caller, site_id).await?;
    let (planned, shifts, covered) = plan(state, &rota, range).await?;
    check_precondition(expected, planned.basis.as_deref().unwrap_or_default())?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let replaces = planned.replaces.clone();
    galley_core::transaction!(conn, |tx| {
        let removed = shifts::replace(
            tx,
            tenant,
            site_id,
            &covered,
            (range.first, range.last),
            &shifts,
        )
        .await?;
        audit::record(
            tx,
            Entry::new("offshore_schedule.applied", caller.actor(), Some(tenant))
                .target("site", site_id)
                .details(json!({
                    "from": range.first, "to": range.last, "crew": covered,
                    "removed": removed, "created": shifts.len(), "replaces": replaces,
                    "breaches": planned.breaches.len(), "days_with_gaps": planned.days_with_gaps,
                })),
        )
        .await?;
        Ok::<_, AppError>(())
    })?;
    stored_schedule(state, caller, site_id, range).await
}

/// Generate the range and store it as drafts, replacing the shifts the preview listed. Needs
/// the preview's `basis` as `If-Match` (`*` replaces whatever is there).
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/schedule/apply", tag = "offshore schedule",
    request_body = RangeIn, params(("site_id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ScheduleOut), (status = 404), (status = 412), (status = 422), (status = 428)))]
pub async fn apply(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RangeIn>,
) -> Result<Response, AppError> {
    let range = text::range(body.from, body.to)?;
    let out = apply_plan(&state, &caller, site_id, &range, if_match(&headers)).await?;
    Ok(axum::Json(out).into_response())
}

pub async fn publish_range(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    range: &DateRange,
) -> Result<Published, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let published = galley_core::transaction!(conn, |tx| {
        let count = shifts::publish(tx, site_id, range.first, range.last).await?;
        if count > 0 {
            audit::record(
                tx,
                Entry::new("offshore_schedule.published", caller.actor(), Some(tenant))
                    .target("site", site_id)
                    .details(json!({ "from": range.first, "to": range.last, "shifts": count })),
            )
            .await?;
        }
        Ok::<_, AppError>(count)
    })?;
    Ok(Published {
        from: range.first,
        to: range.last,
        published,
    })
}

/// Publish the range's drafts: the crew then see them.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/schedule/publish", tag = "offshore schedule",
    request_body = RangeIn, params(("site_id" = i64, Path)),
    responses((status = 200, body = Published), (status = 404), (status = 422)))]
pub async fn publish(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    ApiJson(body): ApiJson<RangeIn>,
) -> Result<Response, AppError> {
    let range = text::range(body.from, body.to)?;
    let out = publish_range(&state, &caller, site_id, &range).await?;
    Ok(axum::Json(out).into_response())
}
