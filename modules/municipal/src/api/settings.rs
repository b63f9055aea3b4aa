//! `/api/v1/municipal/sites/{site_id}/settings`: when a kitchen's choices close, and whether
//! its weekends offer Alt 2. Admins change them; the kitchen reads them, with the next
//! deadline worked out so that whoever set it can check it says what they meant.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, NaiveDate};
use galley_core::audit::Entry;
use galley_core::auth::{Allowed, Caller};
use galley_core::http::concurrency::{check_precondition, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::people::api::{fail_if_any, tenant_of};
use galley_core::people::sites::{self, Site};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::{Admins, KitchenReaders};
use crate::settings::{self, Settings};

pub fn router() -> Router<AppState> {
    Router::new().route("/sites/{site_id}/settings", get(read).put(replace))
}

#[derive(OpenApi)]
#[openapi(
    paths(read, replace),
    tags((name = "municipal settings", description = "Choice deadline and weekend Alt 2 of a municipal kitchen"))
)]
pub struct SettingsApi;

/// Version 0 is a kitchen that never saved its settings (the defaults apply); the first write
/// names that ETag.
pub fn settings_etag(site_id: i64, version: i64) -> String {
    format!("\"municipal-settings-{site_id}-v{version}\"")
}

/// The kitchen's settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsIn {
    /// 1 = Monday ... 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub deadline_weekday: i32,
    /// HH:MM in the kitchen's time zone, 00:00-23:59.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "10:00")]
    pub deadline_time: String,
    /// 0 = in the menu's own week, 1 = the week before, up to 4.
    #[schema(minimum = 0, maximum = 4)]
    pub deadline_weeks_before: i32,
    /// Weekends offer Alt 2 where the menu has one.
    pub weekend_alt2: bool,
}

/// When choices for the coming week close.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NextDeadline {
    pub year: i32,
    pub week: u32,
    /// RFC 3339, in the kitchen's time zone.
    pub closes_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SettingsOut {
    pub site_id: i64,
    pub deadline_weekday: i32,
    pub deadline_time: String,
    pub deadline_weeks_before: i32,
    pub weekend_alt2: bool,
    /// 0 until first saved.
    pub version: i64,
    /// For next week (the week after the current one in the kitchen's time zone).
    pub next_deadline: NextDeadline,
}

/// The week after the one `now` falls in (in the kitchen's time zone), and when its choices
/// close there.
pub fn next_deadline(
    settings: &Settings,
    timezone: chrono_tz::Tz,
    now: DateTime<chrono::Utc>,
) -> (IsoWeek, DateTime<chrono_tz::Tz>) {
    let today: NaiveDate = now.with_timezone(&timezone).date_naive();
    let week = IsoWeek::containing(today).next();
    (
        week,
        settings.deadline(week, timezone).with_timezone(&timezone),
    )
}

impl SettingsOut {
    pub fn new(settings: &Settings, site: &Site) -> Self {
        let (week, closes_at) = next_deadline(settings, site.zone(), chrono::Utc::now());
        SettingsOut {
            site_id: settings.site_id,
            deadline_weekday: settings.deadline_weekday,
            deadline_time: settings.deadline_time(),
            deadline_weeks_before: settings.deadline_weeks_before,
            weekend_alt2: settings.weekend_alt2,
            version: settings.version,
            next_deadline: NextDeadline {
                year: week.year,
                week: week.week,
                closes_at: closes_at.to_rfc3339(),
            },
        }
    }

    pub fn etag(&self) -> String {
        settings_etag(self.site_id, self.version)
    }
}

fn check(site_id: i64, body: &SettingsIn, version: i64) -> Result<Settings, AppError> {
    let mut errors = Vec::new();
    if !(1..=7).contains(&body.deadline_weekday) {
        errors.push(FieldError {
            field: "deadline_weekday".into(),
            reason: "must be 1 (Monday) to 7 (Sunday)".into(),
        });
    }
    let minute = galley_core::kitchen::time_of_day::parse_hhmm(&body.deadline_time);
    if minute.is_none() {
        errors.push(FieldError {
            field: "deadline_time".into(),
            reason: "must be a time HH:MM from 00:00 to 23:59".into(),
        });
    }
    if !(0..=4).contains(&body.deadline_weeks_before) {
        errors.push(FieldError {
            field: "deadline_weeks_before".into(),
            reason: "must be 0 (the menu's own week) to 4 weeks before".into(),
        });
    }
    fail_if_any(errors)?;
    Ok(Settings {
        site_id,
        deadline_weekday: body.deadline_weekday,
        deadline_minute: minute.unwrap_or_default(),
        deadline_weeks_before: body.deadline_weeks_before,
        weekend_alt2: body.weekend_alt2,
        version,
    })
}

/// The kitchen (of the caller's tenant) and its settings in force.
pub async fn site_settings(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
) -> Result<(Site, Settings), AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let site = sites::find(conn, tenant, site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let settings = settings::load(conn, site_id).await?;
    Ok((site, settings))
}

/// Saves the settings; saving what is stored changes nothing, not even the version.
pub async fn save_settings(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    expected: Option<&str>,
    body: &SettingsIn,
) -> Result<(Site, Settings), AppError> {
    let tenant = tenant_of(caller)?;
    let (site, current) = site_settings(state, caller, site_id).await?;
    check_precondition(expected, &settings_etag(site_id, current.version))?;
    let next = check(site_id, body, current.version)?;
    if next == current {
        return Ok((site, current));
    }
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    galley_core::versioned_write!(
        conn,
        |tx| {
            crate::plan::history::keep(tx, tenant, site_id).await?;
            settings::save(tx, tenant, &current, &next).await?
        },
        audit: Entry::new("municipal_settings.updated", caller.actor(), Some(tenant))
            .target("site", site_id)
            .details(json!({
                "deadline_weekday": { "from": current.deadline_weekday, "to": next.deadline_weekday },
                "deadline_time": { "from": current.deadline_time(), "to": next.deadline_time() },
                "deadline_weeks_before": { "from": current.deadline_weeks_before, "to": next.deadline_weeks_before },
                "weekend_alt2": { "from": current.weekend_alt2, "to": next.weekend_alt2 },
            })),
        on_conflict: settings::load(conn, site_id)
            .await
            .map(|stored| settings_etag(site_id, stored.version))
            .map_err(AppError::from),
    )?;
    Ok((site, settings::load(conn, site_id).await?))
}

/// The kitchen's settings (the defaults until first saved, at version 0), and when choices for
/// next week close.
#[utoipa::path(get, path = "/api/v1/municipal/sites/{site_id}/settings",
    tag = "municipal settings", params(("site_id" = i64, Path)),
    responses((status = 200, body = SettingsOut), (status = 304), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<KitchenReaders>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (site, settings) = site_settings(&state, &caller, site_id).await?;
    let out = SettingsOut::new(&settings, &site);
    Ok(with_etag(&headers, out.etag(), &out))
}

/// Replace the kitchen's settings. Needs `If-Match` (the version-0 ETag the first time).
#[utoipa::path(put, path = "/api/v1/municipal/sites/{site_id}/settings",
    tag = "municipal settings", request_body = SettingsIn,
    params(("site_id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = SettingsOut), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn replace(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SettingsIn>,
) -> Result<Response, AppError> {
    let (site, settings) =
        save_settings(&state, &caller, site_id, if_match(&headers), &body).await?;
    let out = SettingsOut::new(&settings, &site);
    Ok(with_etag(&HeaderMap::new(), out.etag(), &out))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_next_deadline_is_for_the_week_after_this_one_in_local_time() {
        let settings = Settings::defaults(1);
        // Sunday 2026-03-15 23:30 UTC is already Monday of week 12 in Stockholm.
        let now = DateTime::parse_from_rfc3339("2026-03-15T23:30:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let (week, at) = next_deadline(&settings, chrono_tz::Europe::Stockholm, now);
        assert_eq!((week.year, week.week), (2026, 13));
        // Thursday of week 12, 12:00 local time.
        assert_eq!(at.to_rfc3339(), "2026-03-19T12:00:00+01:00");
    }
}
