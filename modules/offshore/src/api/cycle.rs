//! `/api/v1/offshore/sites/{site_id}/menu-cycle`: a galley's N-week menu cycle (which ISO week
//! was which cycle week) and the template of each cycle week. Galley staff set them up; the
//! galley reads them. Menus are generated from them in `cycle_menus`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use galley_core::audit::Entry;
use galley_core::auth::{Allowed, Caller};
use galley_core::db::DbConn;
use galley_core::http::concurrency::{check_precondition, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::allergen::from_mask;
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::dishes;
use galley_core::kitchen::iso_week::{IsoWeek, WeekError};
use galley_core::kitchen::menu_api::MenuDish;
use galley_core::people::api::{fail_if_any, tenant_of};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::{GalleyReaders, GalleyStaff};
use crate::cycle::store::{self, Cycle, TemplateItem};
use crate::cycle::{MAX_LENGTH, MENU_SLOTS, is_slot};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/menu-cycle", get(read).put(replace))
        .route(
            "/sites/{site_id}/menu-cycle/weeks/{n}",
            get(read_week).put(replace_week),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(read, replace, read_week, replace_week,
        super::cycle_menus::generate, super::cycle_menus::served),
    tags((name = "offshore menu cycle", description = "A galley's menu cycle, its week templates, and the menus made from them"))
)]
pub struct CycleApi;

/// Version 0: the site has no cycle yet.
pub fn cycle_etag(site_id: i64, version: i64) -> String {
    format!("\"offshore-menu-cycle-{site_id}-v{version}\"")
}

/// Version 0: the cycle week's template was never saved.
pub fn week_etag(site_id: i64, cycle_week: u32, version: i64) -> String {
    format!("\"offshore-cycle-week-{site_id}-{cycle_week}-v{version}\"")
}

/// Most items in one template: every slot of every day.
const MAX_ITEMS: usize = 7 * 13;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleIn {
    /// How many weeks the cycle has.
    #[schema(minimum = 1, maximum = 12)]
    pub length_weeks: u32,
    /// The ISO week (week-numbering year and week) that was cycle week `start_index`.
    #[schema(minimum = 2000, maximum = 2100)]
    pub start_year: i32,
    #[schema(minimum = 1, maximum = 53)]
    pub start_week: u32,
    /// 1 to `length_weeks`.
    #[schema(minimum = 1, maximum = 12)]
    pub start_index: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CycleOut {
    pub site_id: i64,
    /// `false` until first saved: the other fields are then a suggestion (a 4-week cycle that
    /// starts this week), and templates cannot be saved yet.
    pub set_up: bool,
    pub length_weeks: u32,
    pub start_year: i32,
    pub start_week: u32,
    pub start_index: u32,
    /// The cycle week of the current ISO week.
    pub this_week: u32,
    /// 0 until first saved.
    pub version: i64,
}

impl CycleOut {
    fn new(site_id: i64, cycle: Option<&Cycle>) -> Self {
        let today = IsoWeek::containing(chrono::Utc::now().date_naive());
        let cycle = cycle.copied().unwrap_or(Cycle {
            site_id,
            length: 4,
            start: today,
            start_index: 1,
            version: 0,
        });
        CycleOut {
            site_id,
            set_up: cycle.version > 0,
            length_weeks: cycle.length,
            start_year: cycle.start.year,
            start_week: cycle.start.week,
            start_index: cycle.start_index,
            this_week: cycle.week_of(today),
            version: cycle.version,
        }
    }

    pub fn etag(&self) -> String {
        cycle_etag(self.site_id, self.version)
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateItemIn {
    /// 1 = Monday ... 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub day: i32,
    /// `lunch` or `dinner` (slots `soup`, `fish`, `meat`, `vegetarian`, `dessert`, `extra`), or
    /// `night` (slot `night_meal`).
    #[schema(max_length = 20)]
    pub meal: String,
    #[schema(max_length = 20)]
    pub slot: String,
    /// A dish of the tenant.
    pub dish_id: i64,
}

/// The cycle week's items, all of them: what is not listed is removed.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateIn {
    #[schema(max_items = 91)]
    pub items: Vec<TemplateItemIn>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateItemOut {
    pub day: i32,
    pub meal: String,
    pub slot: String,
    pub dish_id: i64,
    /// The dish; `null` when it was deleted after the template was saved (generating a menu
    /// then leaves the slot empty).
    pub dish: Option<MenuDish>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CycleWeekOut {
    pub site_id: i64,
    pub cycle_week: u32,
    /// 0 until first saved.
    pub version: i64,
    pub items: Vec<TemplateItemOut>,
}

impl CycleWeekOut {
    pub fn etag(&self) -> String {
        week_etag(self.site_id, self.cycle_week, self.version)
    }
}

pub fn menu_dish(dish: &dishes::Dish) -> MenuDish {
    MenuDish {
        id: dish.id,
        name: dish.name.clone(),
        category: dish.category.clone(),
        allergens: from_mask(dish.allergens),
        allergens_stated: dish.allergens_stated,
    }
}

/// The template with its dishes (live ones of the tenant).
pub async fn template(
    conn: &mut DbConn<'_>,
    tenant: i64,
    site_id: i64,
    cycle_week: u32,
) -> Result<CycleWeekOut, AppError> {
    let version = store::week_version(conn, site_id, cycle_week).await?;
    let stored = store::week_items(conn, site_id, cycle_week).await?;
    let mut items = Vec::with_capacity(stored.len());
    for item in stored {
        let dish = dishes::find(conn, tenant, item.dish_id).await?;
        items.push(TemplateItemOut {
            day: item.day,
            meal: item.meal,
            slot: item.slot,
            dish_id: item.dish_id,
            dish: dish.as_ref().map(menu_dish),
        });
    }
    Ok(CycleWeekOut {
        site_id,
        cycle_week,
        version,
        items,
    })
}

pub(crate) fn check_cycle(site_id: i64, body: &CycleIn, version: i64) -> Result<Cycle, AppError> {
    let mut errors = Vec::new();
    let error = |field: &str, reason: String| FieldError {
        field: field.into(),
        reason,
    };
    if !(1..=MAX_LENGTH).contains(&body.length_weeks) {
        errors.push(error(
            "length_weeks",
            format!("must be 1 to {MAX_LENGTH} weeks"),
        ));
    }
    let start = IsoWeek::new(body.start_year, body.start_week).map_err(|e| match e {
        WeekError::Year => error("start_year", e.to_string()),
        WeekError::OutOfRange { .. } => error("start_week", e.to_string()),
    });
    let start = start.unwrap_or_else(|e| {
        errors.push(e);
        IsoWeek {
            year: 2026,
            week: 1,
        }
    });
    if body.start_index < 1 || body.start_index > body.length_weeks {
        errors.push(error(
            "start_index",
            format!("must be 1 to the cycle's length ({})", body.length_weeks),
        ));
    }
    fail_if_any(errors)?;
    Ok(Cycle {
        site_id,
        length: body.length_weeks,
        start,
        start_index: body.start_index,
        version,
    })
}

/// The site's cycle, which `n` must be a week of.
pub async fn cycle_with_week(
    conn: &mut DbConn<'_>,
    site_id: i64,
    n: u32,
) -> Result<Cycle, AppError> {
    let Some(cycle) = store::load(conn, site_id).await? else {
        return Err(AppError::validation(
            "n",
            "the galley has no menu cycle yet: set it up first",
        ));
    };
    if !(1..=cycle.length).contains(&n) {
        return Err(AppError::validation(
            "n",
            format!("must be a week of the cycle, 1 to {}", cycle.length),
        ));
    }
    Ok(cycle)
}

async fn check_items(
    conn: &mut DbConn<'_>,
    tenant: i64,
    items: &[TemplateItemIn],
) -> Result<Vec<TemplateItem>, AppError> {
    let mut errors = Vec::new();
    if items.len() > MAX_ITEMS {
        return Err(AppError::validation(
            "items",
            format!("at most {MAX_ITEMS} items, one per day, meal and slot"),
        ));
    }
    let mut checked = std::collections::BTreeMap::new();
    for (index, item) in items.iter().enumerate() {
        let field = |name: &str| format!("items[{index}].{name}");
        if !(1..=7).contains(&item.day) {
            errors.push(FieldError {
                field: field("day"),
                reason: "must be 1 (Monday) to 7 (Sunday)".into(),
            });
        }
        if !is_slot(&item.meal, &item.slot) {
            let known: Vec<String> = MENU_SLOTS
                .iter()
                .map(|s| format!("{}/{}", s.meal, s.slot))
                .collect();
            errors.push(FieldError {
                field: field("slot"),
                reason: format!(
                    "is not an offshore meal and slot (one of {})",
                    known.join(", ")
                ),
            });
        }
        if dishes::find(conn, tenant, item.dish_id).await?.is_none() {
            errors.push(FieldError {
                field: field("dish_id"),
                reason: format!("there is no dish {}", item.dish_id),
            });
        }
        let key = (item.day, item.meal.clone(), item.slot.clone());
        if checked.insert(key, item.dish_id).is_some() {
            errors.push(FieldError {
                field: field("slot"),
                reason: "this day, meal and slot already has a dish".into(),
            });
        }
    }
    fail_if_any(errors)?;
    Ok(checked
        .into_iter()
        .map(|((day, meal, slot), dish_id)| TemplateItem {
            day,
            meal,
            slot,
            dish_id,
        })
        .collect())
}

/// The galley's cycle (a suggestion at version 0 until first saved).
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/menu-cycle",
    tag = "offshore menu cycle", params(("site_id" = i64, Path)),
    responses((status = 200, body = CycleOut), (status = 304), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let mut pooled = state.db.get().await?;
    let cycle = store::load(&mut pooled.conn(), site_id).await?;
    let out = CycleOut::new(site_id, cycle.as_ref());
    Ok(with_etag(&headers, out.etag(), &out))
}

pub(crate) async fn save_cycle(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    expected: Option<&str>,
    body: &CycleIn,
) -> Result<CycleOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let current = store::load(conn, site_id).await?;
    let version = current.map_or(0, |c| c.version);
    check_precondition(expected, &cycle_etag(site_id, version))?;
    let next = check_cycle(site_id, body, version)?;
    if current == Some(next) {
        return Ok(CycleOut::new(site_id, current.as_ref()));
    }
    let before = current.map(|c| CycleOut::new(site_id, Some(&c)));
    galley_core::versioned_write!(
        conn,
        |tx| store::save(tx, tenant, version, &next).await?,
        audit: Entry::new("offshore_menu_cycle.updated", caller.actor(), Some(tenant))
            .target("site", site_id)
            .details(json!({ "from": before, "to": body })),
        on_conflict: store::load(conn, site_id)
            .await
            .map(|stored| cycle_etag(site_id, stored.map_or(0, |c| c.version)))
            .map_err(AppError::from),
    )?;
    let saved = store::load(conn, site_id).await?;
    Ok(CycleOut::new(site_id, saved.as_ref()))
}

/// Set up or change the galley's cycle. Needs `If-Match` (the version-0 ETag the first time).
/// Shortening the cycle keeps the templates of the weeks beyond it, unused.
#[utoipa::path(put, path = "/api/v1/offshore/sites/{site_id}/menu-cycle",
    tag = "offshore menu cycle", request_body = CycleIn,
    params(("site_id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = CycleOut), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn replace(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CycleIn>,
) -> Result<Response, AppError> {
    let out = save_cycle(&state, &caller, site_id, if_match(&headers), &body).await?;
    Ok(with_etag(&HeaderMap::new(), out.etag(), &out))
}

/// One cycle week's template.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/menu-cycle/weeks/{n}",
    tag = "offshore menu cycle",
    params(("site_id" = i64, Path), ("n" = u32, Path, minimum = 1, maximum = 12)),
    responses((status = 200, body = CycleWeekOut), (status = 304), (status = 404), (status = 422)))]
pub async fn read_week(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, n)): Path<(i64, u32)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    cycle_with_week(conn, site_id, n).await?;
    let out = template(conn, tenant, site_id, n).await?;
    Ok(with_etag(&headers, out.etag(), &out))
}

pub(crate) async fn save_week(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    n: u32,
    expected: Option<&str>,
    body: &TemplateIn,
) -> Result<CycleWeekOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    cycle_with_week(conn, site_id, n).await?;
    let version = store::week_version(conn, site_id, n).await?;
    check_precondition(expected, &week_etag(site_id, n, version))?;
    let next = check_items(conn, tenant, &body.items).await?;
    let current = store::week_items(conn, site_id, n).await?;
    if version > 0 && current == next {
        return template(conn, tenant, site_id, n).await;
    }
    galley_core::versioned_write!(
        conn,
        |tx| store::save_week(tx, site_id, n, version, &next).await?,
        audit: Entry::new("offshore_cycle_week.updated", caller.actor(), Some(tenant))
            .target("site", site_id)
            .details(json!({
                "cycle_week": n, "items_before": current.len(), "items_after": next.len(),
            })),
        on_conflict: store::week_version(conn, site_id, n)
            .await
            .map(|stored| week_etag(site_id, n, stored))
            .map_err(AppError::from),
    )?;
    template(conn, tenant, site_id, n).await
}

/// Replace one cycle week's template. Needs `If-Match` (the version-0 ETag the first time).
#[utoipa::path(put, path = "/api/v1/offshore/sites/{site_id}/menu-cycle/weeks/{n}",
    tag = "offshore menu cycle", request_body = TemplateIn,
    params(("site_id" = i64, Path), ("n" = u32, Path, minimum = 1, maximum = 12),
        ("If-Match" = String, Header)),
    responses((status = 200, body = CycleWeekOut), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn replace_week(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, n)): Path<(i64, u32)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TemplateIn>,
) -> Result<Response, AppError> {
    let out = save_week(&state, &caller, site_id, n, if_match(&headers), &body).await?;
    Ok(with_etag(&HeaderMap::new(), out.etag(), &out))
}
