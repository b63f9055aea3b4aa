//! `/api/v1/sites/{site_id}/menus`: a kitchen's week menus. Cooks and admins edit and publish;
//! viewers read. Departments see published weeks through their module's own pages.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::allergen::{Allergen, from_mask};
use super::api::{DishEditors, DishReaders};
use super::diet_api::OwnSite;
use super::iso_week::IsoWeek;
use super::menus::{self, ItemKey, Menu, MenuItem, PUBLISHED};
use super::preflight;
use crate::audit::{self, Entry};
use crate::auth::{Allowed, Caller};
use crate::db::{DbConn, DbError};
use crate::http::concurrency::{check_precondition, if_match, with_etag};
use crate::http::pagination::{PageQuery, Paginated};
use crate::http::problem::FieldError;
use crate::http::{ApiJson, ApiQuery, AppError};
use crate::people::api::{changed_meanwhile, fail_if_any, tenant_of, utc};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list))
        .route("/{year}/{week}", get(read).put(replace))
        .route("/{year}/{week}/publish", post(publish))
        .route("/{year}/{week}/unpublish", post(unpublish))
        .route("/{year}/{week}/copy", post(copy))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, read, replace, copy, publish, unpublish),
    tags((name = "menus", description = "Week menus of a kitchen"))
)]
pub struct MenusApi;

/// A week that exists, from the path; week 53 only in long years.
pub fn week_from_path(year: i32, week: u32) -> Result<IsoWeek, AppError> {
    IsoWeek::new(year, week).map_err(|error| AppError::validation("week", error.to_string()))
}

/// The week's ETag: also defined before the menu exists (version 0), so the first write can
/// name it.
pub fn menu_etag(site_id: i64, week: IsoWeek, version: i64) -> String {
    format!("\"menu-{site_id}-{}w{}-v{version}\"", week.year, week.week)
}

/// A dish as a menu shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MenuDish {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub allergens: Vec<Allergen>,
    /// Whether someone has stated the dish's allergens. `false` for a dish made from a name
    /// in the menu editor or an import: an empty `allergens` then means "not known yet",
    /// not "none".
    pub allergens_stated: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MenuItemOut {
    /// 1 = Monday ... 7 = Sunday.
    pub day: i32,
    pub date: chrono::NaiveDate,
    pub meal: String,
    pub slot: String,
    pub dish: MenuDish,
}

/// A kitchen's menu of one ISO week.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MenuOut {
    pub site_id: i64,
    pub year: i32,
    pub week: u32,
    pub first_day: chrono::NaiveDate,
    pub last_day: chrono::NaiveDate,
    /// `draft` or `published`; a week nobody has written yet is an empty draft, version 0.
    pub status: String,
    pub version: i64,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The week was edited after it was published.
    pub changed_after_publish: bool,
    pub items: Vec<MenuItemOut>,
}

impl MenuOut {
    pub fn new(site_id: i64, week: IsoWeek, menu: Option<&Menu>, items: &[MenuItem]) -> Self {
        MenuOut {
            site_id,
            year: week.year,
            week: week.week,
            first_day: week.monday(),
            last_day: week.monday() + chrono::Duration::days(6),
            status: menu.map_or(menus::DRAFT, |m| m.status.as_str()).to_owned(),
            version: menu.map_or(0, |m| m.version),
            published_at: menu.and_then(|m| m.published_at).map(utc),
            changed_after_publish: menu.is_some_and(|m| m.changed_after_publish),
            items: items
                .iter()
                .map(|item| MenuItemOut {
                    day: item.day,
                    date: week.day(item.day as u32).unwrap_or_else(|| week.monday()),
                    meal: item.meal.clone(),
                    slot: item.slot.clone(),
                    dish: dish_of(item),
                })
                .collect(),
        }
    }

    pub fn etag(&self) -> String {
        menu_etag(
            self.site_id,
            IsoWeek {
                year: self.year,
                week: self.week,
            },
            self.version,
        )
    }
}

pub fn dish_of(item: &MenuItem) -> MenuDish {
    MenuDish {
        id: item.dish_id,
        name: item.dish_name.clone(),
        category: item.dish_category.clone(),
        allergens: from_mask(item.allergens),
        allergens_stated: item.allergens_stated,
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuItemIn {
    /// 1 = Monday ... 7 = Sunday; each day, meal and slot at most once in a week.
    #[schema(minimum = 1, maximum = 7)]
    pub day: i32,
    /// With `slot`, one of the meals and slots of the modules switched on for the kitchen.
    pub meal: String,
    pub slot: String,
    /// A dish of the tenant.
    pub dish_id: i64,
}

/// The week's items, all of them: what is not listed is removed.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuItems {
    pub items: Vec<MenuItemIn>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// ISO week-numbering year; this year when left out.
    pub year: Option<i32>,
}

/// One line of the list of a kitchen's weeks.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MenuSummary {
    pub year: i32,
    pub week: i32,
    pub status: String,
    pub version: i64,
    pub changed_after_publish: bool,
}

/// The week's menu and its items, read in one go.
pub async fn load(
    conn: &mut DbConn<'_>,
    site_id: i64,
    week: IsoWeek,
) -> Result<(Option<Menu>, Vec<MenuItem>), DbError> {
    let menu = menus::find(conn, site_id, week).await?;
    let items = match &menu {
        Some(menu) => menus::items(conn, &[menu.id]).await?,
        None => Vec::new(),
    };
    Ok((menu, items))
}

/// The (meal, slot) pairs the modules enabled for this site put in menus.
fn slots_for(state: &AppState, tenant_id: i64, site_id: i64) -> Vec<(&'static str, &'static str)> {
    let scope = crate::flags::Scope {
        tenant_id: Some(tenant_id),
        site_id: Some(site_id),
    };
    state
        .flags
        .registry()
        .modules()
        .iter()
        .filter(|module| state.flags.is_enabled_in(module.id(), scope))
        .flat_map(|module| module.menu_slots().iter().map(|s| (s.meal, s.slot)))
        .collect()
}

/// Checks the items against the week and the site's vocabulary; dishes must be the tenant's.
async fn check_items(
    conn: &mut DbConn<'_>,
    allowed: &[(&str, &str)],
    tenant: i64,
    items: &[MenuItemIn],
) -> Result<BTreeMap<ItemKey, i64>, AppError> {
    let mut errors = Vec::new();
    let mut checked = BTreeMap::new();
    for (index, item) in items.iter().enumerate() {
        let field = |name: &str| format!("items[{index}].{name}");
        if !(1..=7).contains(&item.day) {
            errors.push(FieldError {
                field: field("day"),
                reason: "must be 1 (Monday) to 7 (Sunday)".into(),
            });
        }
        if !allowed.contains(&(item.meal.as_str(), item.slot.as_str())) {
            let known: Vec<String> = allowed.iter().map(|(m, s)| format!("{m}/{s}")).collect();
            errors.push(FieldError {
                field: field("slot"),
                reason: format!(
                    "{}/{} is not a meal and slot of this kitchen's menus ({})",
                    item.meal,
                    item.slot,
                    known.join(", ")
                ),
            });
        }
        if super::dishes::find(conn, tenant, item.dish_id)
            .await?
            .is_none()
        {
            errors.push(FieldError {
                field: field("dish_id"),
                reason: format!("there is no dish {}", item.dish_id),
            });
        }
        let key = ItemKey {
            day: item.day,
            meal: item.meal.clone(),
            slot: item.slot.clone(),
        };
        if checked.insert(key, item.dish_id).is_some() {
            errors.push(FieldError {
                field: field("slot"),
                reason: format!(
                    "day {} already has a dish in {}/{}",
                    item.day, item.meal, item.slot
                ),
            });
        }
    }
    fail_if_any(errors)?;
    Ok(checked)
}

fn current_items(items: &[MenuItem]) -> BTreeMap<ItemKey, i64> {
    items
        .iter()
        .map(|item| {
            (
                ItemKey {
                    day: item.day,
                    meal: item.meal.clone(),
                    slot: item.slot.clone(),
                },
                item.dish_id,
            )
        })
        .collect()
}

/// Replaces the week's items; creates the week's draft on its first write. Unchanged items
/// change nothing, not even the version.
pub async fn replace_items(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    week: IsoWeek,
    expected: Option<&str>,
    items: &[MenuItemIn],
) -> Result<MenuOut, AppError> {
    write_items(state, caller, (site_id, week), expected, items, None).await
}

/// Starts (or restarts) the week as a copy of `from`'s items, as a draft if it is new; the
/// audit row names the week copied.
pub async fn copy_week(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    week: IsoWeek,
    expected: Option<&str>,
    from: IsoWeek,
) -> Result<MenuOut, AppError> {
    if from == week {
        return Err(AppError::validation("from_week", "must be another week"));
    }
    let source = {
        let mut pooled = state.db.get().await?;
        load(&mut pooled.conn(), site_id, from).await?.1
    };
    if source.is_empty() {
        return Err(AppError::validation(
            "from_week",
            format!("week {} of {} has no dishes to copy", from.week, from.year),
        ));
    }
    let items: Vec<MenuItemIn> = source
        .iter()
        .map(|item| MenuItemIn {
            day: item.day,
            meal: item.meal.clone(),
            slot: item.slot.clone(),
            dish_id: item.dish_id,
        })
        .collect();
    write_items(state, caller, (site_id, week), expected, &items, Some(from)).await
}

async fn write_items(
    state: &AppState,
    caller: &Caller,
    (site_id, week): (i64, IsoWeek),
    expected: Option<&str>,
    items: &[MenuItemIn],
    copied_from: Option<IsoWeek>,
) -> Result<MenuOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let (menu, current) = load(conn, site_id, week).await?;
    let version = menu.as_ref().map_or(0, |m| m.version);
    check_precondition(expected, &menu_etag(site_id, week, version))?;
    let wanted = check_items(conn, &slots_for(state, tenant, site_id), tenant, items).await?;
    let before = current_items(&current);
    if menu.is_some() && wanted == before {
        return Ok(MenuOut::new(site_id, week, menu.as_ref(), &current));
    }
    let rows: Vec<(ItemKey, i64)> = wanted.into_iter().collect();
    let written = crate::transaction!(conn, |tx| {
        let menu = match &menu {
            Some(menu) => {
                if !menus::replace_items(tx, menu, &rows).await? {
                    return Ok::<_, AppError>(false);
                }
                menu.clone()
            }
            None => match menus::create(tx, tenant, site_id, week).await? {
                Some(menu) => {
                    menus::write_items(tx, menu.id, &rows).await?;
                    menu
                }
                None => return Ok(false),
            },
        };
        audit::record(
            tx,
            Entry::new("menu.items_replaced", caller.actor(), Some(tenant))
                .target("menu", menu.id)
                .details(json!({
                    "site_id": site_id, "year": week.year, "week": week.week,
                    "published": menu.is_published(),
                    "items_before": before.len(), "items_after": rows.len(),
                    "copied_from": copied_from.map(|w| json!({ "year": w.year, "week": w.week })),
                })),
        )
        .await?;
        Ok(true)
    })?;
    let (menu, items) = load(conn, site_id, week).await?;
    let out = MenuOut::new(site_id, week, menu.as_ref(), &items);
    if written {
        Ok(out)
    } else {
        Err(changed_meanwhile(out.etag()))
    }
}

/// Publishes (`true`) or withdraws the week. Doing what is already done changes nothing.
/// Publishing runs the pre-flight first and is refused with its findings unless `confirmed`.
pub async fn set_published(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    week: IsoWeek,
    expected: Option<&str>,
    publish: bool,
    confirmed: bool,
) -> Result<MenuOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let (menu, items) = load(conn, site_id, week).await?;
    let version = menu.as_ref().map_or(0, |m| m.version);
    check_precondition(expected, &menu_etag(site_id, week, version))?;
    let Some(menu) = menu else {
        return Err(AppError::validation(
            "week",
            format!("week {} of {} has no menu yet", week.week, week.year),
        ));
    };
    if menu.is_published() == publish {
        return Ok(MenuOut::new(site_id, week, Some(&menu), &items));
    }
    if publish && items.is_empty() {
        return Err(AppError::validation(
            "items",
            "add at least one dish before publishing the week",
        ));
    }
    if publish && !confirmed {
        let found = preflight::findings(state, conn, tenant, site_id, week, &items).await?;
        if !found.is_empty() {
            return Err(preflight::refusal(&found));
        }
    }
    let status = if publish { PUBLISHED } else { menus::DRAFT };
    let action = if publish {
        "menu.published"
    } else {
        "menu.unpublished"
    };
    crate::versioned_write!(
        conn,
        |tx| menus::set_status(tx, &menu, status).await?,
        audit: Entry::new(action, caller.actor(), Some(tenant))
            .target("menu", menu.id)
            .details(json!({ "site_id": site_id, "year": week.year, "week": week.week })),
        on_conflict: current_etag(conn, site_id, week).await,
    )?;
    let (menu, items) = load(conn, site_id, week).await?;
    Ok(MenuOut::new(site_id, week, menu.as_ref(), &items))
}

/// The ETag of the week as stored now, for the 412 of a write that lost its race.
async fn current_etag(
    conn: &mut DbConn<'_>,
    site_id: i64,
    week: IsoWeek,
) -> Result<String, AppError> {
    let menu = menus::find(conn, site_id, week).await?;
    Ok(menu_etag(site_id, week, menu.map_or(0, |m| m.version)))
}

/// The kitchen's weeks of one year that have a menu, a page at a time
/// (`{items, page, per_page, total}`).
#[utoipa::path(get, path = "/api/v1/sites/{site_id}/menus", tag = "menus",
    params(("site_id" = i64, Path), YearQuery, PageQuery),
    responses((status = 200, body = Paginated<MenuSummary>), (status = 404)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<DishReaders>,
    OwnSite(site_id): OwnSite,
    Query(query): Query<YearQuery>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let page = paging.checked()?;
    let year = query
        .year
        .unwrap_or_else(|| IsoWeek::containing(chrono::Utc::now().date_naive()).year);
    let mut pooled = state.db.get().await?;
    let rows = menus::list_year(&mut pooled.conn(), site_id, year).await?;
    let out: Vec<MenuSummary> = rows
        .into_iter()
        .map(|m| MenuSummary {
            year: m.year,
            week: m.week,
            status: m.status,
            version: m.version,
            changed_after_publish: m.changed_after_publish,
        })
        .collect();
    Ok(axum::Json(Paginated::from_all(out, page)).into_response())
}

/// The week's menu; an unwritten week is an empty draft at version 0.
#[utoipa::path(get, path = "/api/v1/sites/{site_id}/menus/{year}/{week}", tag = "menus",
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path)),
    responses((status = 200, body = MenuOut), (status = 304), (status = 404), (status = 422)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<DishReaders>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let mut pooled = state.db.get().await?;
    let (menu, items) = load(&mut pooled.conn(), site_id, week).await?;
    let out = MenuOut::new(site_id, week, menu.as_ref(), &items);
    Ok(with_etag(&headers, out.etag(), &out))
}

/// Replace the week's items. Needs `If-Match` (the version-0 ETag for a new week).
#[utoipa::path(put, path = "/api/v1/sites/{site_id}/menus/{year}/{week}", tag = "menus",
    request_body = MenuItems,
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = MenuOut), (status = 404), (status = 412), (status = 422), (status = 428)))]
pub async fn replace(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishEditors>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
    ApiJson(body): ApiJson<MenuItems>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let out = replace_items(
        &state,
        &caller,
        site_id,
        week,
        if_match(&headers),
        &body.items,
    )
    .await?;
    Ok(with_etag(&HeaderMap::new(), out.etag(), &out))
}

/// Which week to copy.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyFrom {
    /// ISO week-numbering year of the week to copy.
    #[schema(minimum = 2000, maximum = 2100)]
    pub from_year: i32,
    #[schema(minimum = 1, maximum = 53)]
    pub from_week: u32,
}

/// Start the week as a copy of another week's dishes: every item of this week is replaced by
/// that week's (as a draft if the week is new; a published week stays published and shows
/// the change to departments). Needs `If-Match` (the version-0 ETag for a new week).
#[utoipa::path(post, path = "/api/v1/sites/{site_id}/menus/{year}/{week}/copy", tag = "menus",
    request_body = CopyFrom,
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = MenuOut), (status = 404), (status = 412), (status = 422), (status = 428)))]
pub async fn copy(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishEditors>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
    ApiJson(body): ApiJson<CopyFrom>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let from = IsoWeek::new(body.from_year, body.from_week)
        .map_err(|_| AppError::validation("from_week", "is not a week of that year"))?;
    let out = copy_week(&state, &caller, site_id, week, if_match(&headers), from).await?;
    Ok(with_etag(&HeaderMap::new(), out.etag(), &out))
}

/// `?confirm=true` publishes in spite of the pre-flight's findings.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishQuery {
    /// Publish although the pre-flight found something (default false).
    pub confirm: Option<bool>,
}

/// Publish the week to the departments. Needs `If-Match`. First the pre-flight: the modules
/// enabled for the kitchen name what to look at (a municipal kitchen: dishes whose allergens
/// are not stated, days without Alt 2 where the settings offer Alt 2, empty slots). While
/// there are findings the week is not published: 422 `validation-failed` with one `errors[]`
/// entry per finding, each on the field `confirm`, its reason ending in the finding's code
/// (`allergens_not_stated`, `alt2_missing`, `slot_empty`). Send `?confirm=true` to publish anyway.
#[utoipa::path(post, path = "/api/v1/sites/{site_id}/menus/{year}/{week}/publish", tag = "menus",
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path), PublishQuery,
        ("If-Match" = String, Header)),
    responses((status = 200, body = MenuOut), (status = 404), (status = 412), (status = 422), (status = 428)))]
pub async fn publish(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishEditors>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
    ApiQuery(query): ApiQuery<PublishQuery>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let confirmed = query.confirm.unwrap_or(false);
    let out = set_published(
        &state,
        &caller,
        site_id,
        week,
        if_match(&headers),
        true,
        confirmed,
    )
    .await?;
    Ok(with_etag(&HeaderMap::new(), out.etag(), &out))
}

/// Withdraw the week back to draft. Needs `If-Match`.
#[utoipa::path(post, path = "/api/v1/sites/{site_id}/menus/{year}/{week}/unpublish", tag = "menus",
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = MenuOut), (status = 404), (status = 412), (status = 422), (status = 428)))]
pub async fn unpublish(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<DishEditors>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let out = set_published(
        &state,
        &caller,
        site_id,
        week,
        if_match(&headers),
        false,
        false,
    )
    .await?;
    Ok(with_etag(&HeaderMap::new(), out.etag(), &out))
}
