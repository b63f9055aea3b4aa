//! `/api/v1/offshore/sites/{site_id}/rota-settings`: a galley's shift hours, the cover it needs
//! per position and kind of shift, and its working-time rules (Norway's by default). Admins
//! change them; the galley reads them.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use galley_core::audit::Entry;
use galley_core::auth::{Allowed, Caller};
use galley_core::http::concurrency::{check_precondition, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::{fail_if_any, tenant_of};
use galley_core::people::sites::{self, Site};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::text::hhmm;
use super::{GalleyReaders, RotaAdmins};
use crate::rota::settings::{self, RotaSettings, time_of};
use crate::rotation::coverage::Cover;
use crate::rotation::pattern::DayKind;
use crate::rotation::rules::WorkingTimeRules;
use crate::rotation::shift_times::{Hours, ShiftTimes};
use galley_core::kitchen::time_of_day::parse_hhmm;

pub fn router() -> Router<AppState> {
    Router::new().route("/sites/{site_id}/rota-settings", get(read).put(replace))
}

#[derive(OpenApi)]
#[openapi(
    paths(read, replace),
    tags((name = "offshore rota settings", description = "Shift hours, required cover and working-time rules of a galley"))
)]
pub struct RotaSettingsApi;

/// Version 0 is a galley that never saved its settings (the defaults apply).
pub fn settings_etag(site_id: i64, version: i64) -> String {
    format!("\"offshore-rota-settings-{site_id}-v{version}\"")
}

/// Most cover lines: one per position and kind.
const MAX_COVER_LINES: usize = 8;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotaSettingsIn {
    /// HH:MM in the site's time zone.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "07:00")]
    pub day_start: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "19:00")]
    pub day_end: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "19:00")]
    pub night_start: String,
    /// A night ending at or before its start ends the next morning.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "07:00")]
    pub night_end: String,
    /// How many of each position each kind of shift needs (`kind` is `day` or `night`); at
    /// most one line per position and kind.
    #[schema(max_items = 8)]
    pub cover: Vec<Cover>,
    pub rules: WorkingTimeRules,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RotaSettingsOut {
    pub site_id: i64,
    pub timezone: String,
    pub day_start: String,
    pub day_end: String,
    pub night_start: String,
    pub night_end: String,
    pub cover: Vec<Cover>,
    pub rules: WorkingTimeRules,
    /// 0 until first saved.
    pub version: i64,
}

impl RotaSettingsOut {
    pub fn new(settings: &RotaSettings, site: &Site) -> Self {
        RotaSettingsOut {
            site_id: settings.site_id,
            timezone: site.timezone.clone(),
            day_start: hhmm(settings.times.day.start),
            day_end: hhmm(settings.times.day.end),
            night_start: hhmm(settings.times.night.start),
            night_end: hhmm(settings.times.night.end),
            cover: settings.cover.clone(),
            rules: settings.rules,
            version: settings.version,
        }
    }

    pub fn etag(&self) -> String {
        settings_etag(self.site_id, self.version)
    }
}

fn check(site_id: i64, body: &RotaSettingsIn, version: i64) -> Result<RotaSettings, AppError> {
    let mut errors = Vec::new();
    let mut time = |field: &str, value: &str| {
        parse_hhmm(value).map(time_of).unwrap_or_else(|| {
            errors.push(FieldError {
                field: field.into(),
                reason: "must be a time HH:MM from 00:00 to 23:59".into(),
            });
            chrono::NaiveTime::MIN
        })
    };
    let times = ShiftTimes {
        day: Hours {
            start: time("day_start", &body.day_start),
            end: time("day_end", &body.day_end),
        },
        night: Hours {
            start: time("night_start", &body.night_start),
            end: time("night_end", &body.night_end),
        },
    };
    if body.cover.len() > MAX_COVER_LINES {
        errors.push(FieldError {
            field: "cover".into(),
            reason: format!("at most {MAX_COVER_LINES} lines, one per position and kind"),
        });
    }
    let mut seen = std::collections::HashSet::new();
    for (index, line) in body.cover.iter().enumerate() {
        if !matches!(line.kind, DayKind::Day | DayKind::Night) {
            errors.push(FieldError {
                field: format!("cover[{index}].kind"),
                reason: "must be day or night".into(),
            });
        }
        if line.count > 50 {
            errors.push(FieldError {
                field: format!("cover[{index}].count"),
                reason: "must be 0 to 50".into(),
            });
        }
        if !seen.insert((line.position, line.kind)) {
            errors.push(FieldError {
                field: format!("cover[{index}]"),
                reason: "this position and kind is already listed".into(),
            });
        }
    }
    if let Err(error) = body.rules.validate() {
        errors.push(FieldError {
            field: format!("rules.{}", error.field()),
            reason: error.to_string(),
        });
    }
    fail_if_any(errors)?;
    Ok(RotaSettings {
        site_id,
        times,
        cover: body.cover.clone(),
        rules: body.rules,
        version,
    })
}

/// The site (of the caller's tenant) and its rota settings in force.
pub async fn site_settings(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
) -> Result<(Site, RotaSettings), AppError> {
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
    body: &RotaSettingsIn,
) -> Result<(Site, RotaSettings), AppError> {
    let tenant = tenant_of(caller)?;
    let (site, current) = site_settings(state, caller, site_id).await?;
    check_precondition(expected, &settings_etag(site_id, current.version))?;
    let next = check(site_id, body, current.version)?;
    if next == current {
        return Ok((site, current));
    }
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let before = RotaSettingsOut::new(&current, &site);
    let after = RotaSettingsOut::new(&next, &site);
    galley_core::versioned_write!(
        conn,
        |tx| settings::save(tx, tenant, &current, &next).await?,
        audit: Entry::new("offshore_rota_settings.updated", caller.actor(), Some(tenant))
            .target("site", site_id)
            .details(json!({ "from": before, "to": after })),
        on_conflict: settings::load(conn, site_id)
            .await
            .map(|stored| settings_etag(site_id, stored.version))
            .map_err(AppError::from),
    )?;
    Ok((site, settings::load(conn, site_id).await?))
}

/// The galley's rota settings (the defaults until first saved, at version 0).
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/rota-settings",
    tag = "offshore rota settings", params(("site_id" = i64, Path)),
    responses((status = 200, body = RotaSettingsOut), (status = 304), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (site, settings) = site_settings(&state, &caller, site_id).await?;
    let out = RotaSettingsOut::new(&settings, &site);
    Ok(with_etag(&headers, out.etag(), &out))
}

/// Replace the galley's rota settings. Needs `If-Match` (the version-0 ETag the first time).
#[utoipa::path(put, path = "/api/v1/offshore/sites/{site_id}/rota-settings",
    tag = "offshore rota settings", request_body = RotaSettingsIn,
    params(("site_id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = RotaSettingsOut), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn replace(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RotaSettingsIn>,
) -> Result<Response, AppError> {
    let (site, settings) =
        save_settings(&state, &caller, site_id, if_match(&headers), &body).await?;
    let out = RotaSettingsOut::new(&settings, &site);
    Ok(with_etag(&HeaderMap::new(), out.etag(), &out))
}
