//! Menus from the cycle: `POST .../menu-cycle/generate/{year}/{week}` writes a site's menu of
//! an ISO week from its cycle week's template, and `GET .../served/{date}` says what a day
//! serves: the stored menu of its week when there is one, else the cycle's template.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use galley_core::audit::{self, Entry};
use galley_core::auth::{Allowed, Caller};
use galley_core::db::DbConn;
use galley_core::http::concurrency::with_etag;
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menu_api::{self, MenuDish, MenuOut, dish_of};
use galley_core::kitchen::menus::{self, ItemKey};
use galley_core::people::api::tenant_of;
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::cycle::template;
use super::{GalleyReaders, GalleyStaff};
use crate::cycle::store;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/sites/{site_id}/menu-cycle/generate/{year}/{week}",
            post(generate),
        )
        .route("/sites/{site_id}/served/{date}", get(served))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateIn {
    /// Overwrite a week that already has dishes, or is published (it then stays published,
    /// marked as changed).
    #[serde(default)]
    pub replace: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GenerateOut {
    /// The cycle week whose template was used.
    pub cycle_week: u32,
    /// Whether an existing menu was overwritten.
    pub replaced: bool,
    /// Dishes of the template deleted since it was saved; their slots were left empty.
    pub skipped_dish_ids: Vec<i64>,
    pub menu: MenuOut,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServedItem {
    pub meal: String,
    pub slot: String,
    pub dish: MenuDish,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServedOut {
    pub site_id: i64,
    pub date: NaiveDate,
    pub year: i32,
    pub week: u32,
    /// 1 = Monday ... 7 = Sunday.
    pub day: u32,
    /// The date's cycle week; `null` when the galley has no cycle.
    pub cycle_week: Option<u32>,
    /// `menu` (the week's stored menu), `cycle` (the cycle week's template) or `none`.
    pub source: String,
    /// Whether the stored menu is published; `null` unless `source` is `menu`.
    pub published: Option<bool>,
    pub items: Vec<ServedItem>,
    /// Why nothing is listed, when `source` is `none`.
    pub note: Option<String>,
}

/// A path date in the ISO years a menu may have.
pub(super) fn date_from_path(text: &str) -> Result<NaiveDate, AppError> {
    let invalid = || AppError::validation("date", "must be a date YYYY-MM-DD in 2000 to 2100");
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| invalid())?;
    let week = IsoWeek::containing(date);
    if text.len() != 10 || IsoWeek::new(week.year, week.week).is_err() {
        return Err(invalid());
    }
    Ok(date)
}

pub(crate) async fn generate_week(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    week: IsoWeek,
    replace: bool,
) -> Result<GenerateOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let Some(cycle) = store::load(conn, site_id).await? else {
        return Err(AppError::validation(
            "cycle",
            "the galley has no menu cycle yet: set it up first",
        ));
    };
    let cycle_week = cycle.week_of(week);
    let plan = template(conn, tenant, site_id, cycle_week).await?;
    if plan.items.is_empty() {
        return Err(AppError::validation(
            "cycle",
            format!("cycle week {cycle_week} has no dishes yet"),
        ));
    }
    let (menu, current) = menu_api::load(conn, site_id, week).await?;
    if let Some(menu) = &menu
        && !replace
    {
        if menu.is_published() {
            return Err(AppError::Conflict(format!(
                "week {} of {} is published; send \"replace\": true to overwrite it",
                week.week, week.year
            )));
        }
        if !current.is_empty() {
            return Err(AppError::Conflict(format!(
                "week {} of {} already has {} dishes; send \"replace\": true to overwrite them",
                week.week,
                week.year,
                current.len()
            )));
        }
    }
    let (rows, skipped): (Vec<_>, Vec<_>) = plan.items.iter().partition(|i| i.dish.is_some());
    let rows: Vec<(ItemKey, i64)> = rows
        .into_iter()
        .map(|item| {
            let key = ItemKey {
                day: item.day,
                meal: item.meal.clone(),
                slot: item.slot.clone(),
            };
            (key, item.dish_id)
        })
        .collect();
    let skipped_dish_ids: Vec<i64> = skipped.iter().map(|i| i.dish_id).collect();
    let replaced = menu.is_some();
    let written = galley_core::transaction!(conn, |tx| {
        let menu = match &menu {
            Some(menu) => {
                if !menus::replace_items(tx, menu, &rows).await? {
                    return Ok::<_, AppError>(None);
                }
                menu.clone()
            }
            None => match menus::create(tx, tenant, site_id, week).await? {
                Some(menu) => {
                    menus::write_items(tx, menu.id, &rows).await?;
                    menu
                }
                None => return Ok(None),
            },
        };
        audit::record(
            tx,
            Entry::new(
                "offshore_menu_cycle.generated",
                caller.actor(),
                Some(tenant),
            )
            .target("menu", menu.id)
            .details(json!({
                "site_id": site_id, "year": week.year, "week": week.week,
                "cycle_week": cycle_week, "replaced": replaced,
                "published": menu.is_published(),
                "items_before": current.len(), "items_after": rows.len(),
            })),
        )
        .await?;
        Ok(Some(menu.id))
    })?;
    if written.is_none() {
        return Err(AppError::Conflict(
            "the week's menu changed meanwhile; read it and try again".into(),
        ));
    }
    let (menu, items) = menu_api::load(conn, site_id, week).await?;
    Ok(GenerateOut {
        cycle_week,
        replaced,
        skipped_dish_ids,
        menu: MenuOut::new(site_id, week, menu.as_ref(), &items),
    })
}

/// Write the site's menu of an ISO week from its cycle week's template (a new week is a
/// draft). A week that already has dishes, or is published, is overwritten only with
/// `"replace": true`; otherwise 409.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/menu-cycle/generate/{year}/{week}",
    tag = "offshore menu cycle", request_body = GenerateIn,
    params(("site_id" = i64, Path), ("year" = i32, Path, minimum = 2000, maximum = 2100),
        ("week" = u32, Path, minimum = 1, maximum = 53)),
    responses((status = 200, body = GenerateOut), (status = 404), (status = 409),
        (status = 422)))]
pub async fn generate(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
    ApiJson(body): ApiJson<GenerateIn>,
) -> Result<Response, AppError> {
    let week = menu_api::week_from_path(year, week)?;
    let out = generate_week(&state, &caller, site_id, week, body.replace).await?;
    Ok(with_etag(&HeaderMap::new(), out.menu.etag(), &out))
}

/// What a day serves: the stored menu of its ISO week (draft or published) if there is one,
/// else its cycle week's template, else nothing, with a note.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/served/{date}",
    tag = "offshore menu cycle",
    params(("site_id" = i64, Path), ("date" = String, Path, description = "YYYY-MM-DD, ISO years 2000 to 2100")),
    responses((status = 200, body = ServedOut), (status = 404), (status = 422)))]
pub async fn served(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, date)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let date = date_from_path(&date)?;
    let mut pooled = state.db.get().await?;
    let out = served_on(&mut pooled.conn(), tenant, site_id, date).await?;
    Ok(axum::Json(out).into_response())
}

/// What `date` serves at the site: its week's stored menu, else its cycle week's template.
pub async fn served_on(
    conn: &mut DbConn<'_>,
    tenant: i64,
    site_id: i64,
    date: NaiveDate,
) -> Result<ServedOut, AppError> {
    let week = IsoWeek::containing(date);
    let day = chrono::Datelike::weekday(&date).number_from_monday();
    let cycle = store::load(conn, site_id).await?;
    let cycle_week = cycle.map(|c| c.week_of(week));
    let mut out = ServedOut {
        site_id,
        date,
        year: week.year,
        week: week.week,
        day,
        cycle_week,
        source: "none".into(),
        published: None,
        items: Vec::new(),
        note: None,
    };
    let (menu, items) = menu_api::load(conn, site_id, week).await?;
    if let Some(menu) = menu {
        out.source = "menu".into();
        out.published = Some(menu.is_published());
        out.items = items
            .iter()
            .filter(|item| item.day == day as i32)
            .map(|item| ServedItem {
                meal: item.meal.clone(),
                slot: item.slot.clone(),
                dish: dish_of(item),
            })
            .collect();
        return Ok(out);
    }
    let Some(cycle_week) = cycle_week else {
        out.note = Some("no menu for this week, and the galley has no menu cycle".into());
        return Ok(out);
    };
    let plan = template(conn, tenant, site_id, cycle_week).await?;
    if plan.version == 0 {
        out.note = Some(format!(
            "no menu for this week, and cycle week {cycle_week} has no template yet"
        ));
        return Ok(out);
    }
    out.source = "cycle".into();
    out.items = plan
        .items
        .into_iter()
        .filter(|item| item.day == day as i32)
        .filter_map(|item| {
            Some(ServedItem {
                meal: item.meal,
                slot: item.slot,
                dish: item.dish?,
            })
        })
        .collect();
    Ok(out)
}
