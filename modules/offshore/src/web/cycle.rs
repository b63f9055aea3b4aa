//! `/offshore/cycle`: the galley's menu cycle. Admins set its length and which ISO week was
//! which cycle week; galley staff fill each cycle week's template (a dish per day, meal and
//! category, typed with the tenant's dishes offered by a datalist) and make the menu of an
//! ISO week from its cycle week, which the page then shows. Every write goes through the
//! API's own functions (`save_cycle`, `save_week`, `generate_week`), ETag included.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use galley_core::auth::{Caller, Role};
use galley_core::http::AppError;
use galley_core::http::problem::FieldError;
use galley_core::kitchen::dishes::{self, DishFilter, name_key};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menu_api::{MenuOut, week_from_path};
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::{ChosenSite, page_error};
use galley_core::web::{Page, dates, render};
use serde::Deserialize;

use super::waste_words::{Choice, site_choices, site_param};
use super::{site_of, t};
use crate::api::cycle::{
    CycleIn, TemplateIn, TemplateItemIn, check_cycle, cycle_etag, save_cycle, save_week, template,
    week_etag,
};
use crate::api::cycle_menus::generate_week;
use crate::api::{GalleyReaders, GalleyStaff};
use crate::cycle::store::{self, Cycle};
use crate::cycle::{MAX_LENGTH, MENU_SLOTS};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cycle", get(show_cycle).post(change_cycle))
        .route("/cycle/template", post(change_template))
        .route("/cycle/generate", post(generate))
}

/// The most dishes a datalist offers.
const MAX_DISHES: i64 = 2000;

#[derive(Debug, Default, Deserialize)]
pub struct CycleQuery {
    site: Option<String>,
    week: Option<String>,
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CycleForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    length_weeks: String,
    #[serde(default)]
    start_year: String,
    #[serde(default)]
    start_week: String,
    #[serde(default)]
    start_index: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct GenerateForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    week: String,
    #[serde(default)]
    replace: String,
}

pub struct SlotInput {
    pub name: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
}

pub struct MealGroup {
    pub label: String,
    pub slots: Vec<SlotInput>,
}

pub struct DayCard {
    pub id: String,
    pub label: String,
    pub meals: Vec<MealGroup>,
    pub filled: usize,
}

pub struct WeekTab {
    pub number: u32,
    pub href: String,
    pub current: bool,
    pub this_week: bool,
}

pub struct MenuDay {
    pub label: String,
    pub lines: Vec<(String, String)>,
}

pub struct Generated {
    pub summary: String,
    pub days: Vec<MenuDay>,
}

#[derive(Template)]
#[template(path = "offshore/cycle.html")]
struct CycleTemplate {
    page: Page,
    site_name: String,
    site_id: i64,
    sites: Vec<Choice>,
    csrf: String,
    notice: Option<(&'static str, String)>,
    set_up: bool,
    summary: String,
    staff: bool,
    cycle_form: CycleForm,
    cycle_errors: Vec<(String, String)>,
    tabs: Vec<WeekTab>,
    cycle_week: u32,
    week_version: i64,
    days: Vec<DayCard>,
    dish_names: Vec<String>,
    generate_form: GenerateForm,
    generate_errors: Vec<(String, String)>,
    generated: Option<Generated>,
}

impl CycleTemplate {
    fn cycle_error(&self, field: &str) -> Option<&str> {
        find(&self.cycle_errors, field)
    }

    fn generate_error(&self, field: &str) -> Option<&str> {
        find(&self.generate_errors, field)
    }
}

fn find<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, reason)| reason.as_str())
}

/// What a page needs besides the stored cycle: refusals to show, typed values to keep.
#[derive(Default)]
struct Kept {
    notice: Option<(&'static str, String)>,
    cycle_form: Option<CycleForm>,
    cycle_errors: Vec<(String, String)>,
    /// Typed dish names by input name, and their refusals.
    typed: Option<HashMap<String, String>>,
    slot_errors: HashMap<String, String>,
    generate_form: Option<GenerateForm>,
    generate_errors: Vec<(String, String)>,
    generated: Option<Generated>,
    status: Option<StatusCode>,
}

fn slot_name(day: i32, meal: &str, slot: &str) -> String {
    format!("d{day}_{meal}_{slot}")
}

fn slot_label(page: &Page, slot: &str) -> String {
    page.t(&format!("offshore.category.{slot}")).to_owned()
}

fn meal_label(page: &Page, meal: &str) -> String {
    t(page, &format!("board.meal.{meal}"))
}

fn day_name(page: &Page, day: u32) -> String {
    page.t(&format!("date.weekday.{day}")).to_owned()
}

async fn show_cycle(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Query(query): Query<CycleQuery>,
) -> Response {
    let site = match site_of(&state, &console.caller, query.site.clone()).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let week = query.week.as_deref().and_then(|w| w.parse::<u32>().ok());
    let notice = match query.done.as_deref() {
        Some("saved") => Some(("success", t(&console.page, "cycle.saved"))),
        _ => None,
    };
    let kept = Kept {
        notice,
        ..Kept::default()
    };
    show(
        &state,
        &console.caller,
        &console.page,
        &console.csrf(),
        &site,
        week,
        kept,
    )
    .await
}

fn cycle_or_suggestion(site_id: i64, stored: Option<Cycle>, today: IsoWeek) -> Cycle {
    stored.unwrap_or(Cycle {
        site_id,
        length: 4,
        start: today,
        start_index: 1,
        version: 0,
    })
}

async fn show(
    state: &AppState,
    caller: &Caller,
    page: &Page,
    csrf: &str,
    site: &ChosenSite,
    week: Option<u32>,
    kept: Kept,
) -> Response {
    let page = page.clone();
    let this_week = IsoWeek::containing(site.today());
    let tenant = match caller.tenant_id {
        Some(tenant) => tenant,
        None => return page_error(AppError::NotFound),
    };
    let loaded = async {
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let stored = store::load(conn, site.site.id).await?;
        let cycle = cycle_or_suggestion(site.site.id, stored, this_week);
        let current = cycle.week_of(this_week);
        let n = week
            .filter(|n| (1..=cycle.length).contains(n))
            .unwrap_or(current);
        let plan = if stored.is_some() {
            Some(template(conn, tenant, site.site.id, n).await?)
        } else {
            None
        };
        let (all, _) =
            dishes::list_filtered(conn, tenant, DishFilter::default(), 0, MAX_DISHES).await?;
        Ok::<_, AppError>((stored.is_some(), cycle, current, n, plan, all))
    }
    .await;
    let (set_up, cycle, current, n, plan, all) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return page_error(error),
    };
    let stored_names: HashMap<String, String> = plan
        .as_ref()
        .map(|plan| {
            plan.items
                .iter()
                .filter_map(|item| {
                    let dish = item.dish.as_ref()?;
                    Some((
                        slot_name(item.day, &item.meal, &item.slot),
                        dish.name.clone(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let typed = kept.typed.as_ref().unwrap_or(&stored_names);
    let days = (1..=7u32)
        .map(|day| {
            let mut meals: Vec<MealGroup> = Vec::new();
            for slot in MENU_SLOTS {
                let name = slot_name(day as i32, slot.meal, slot.slot);
                let input = SlotInput {
                    label: slot_label(&page, slot.slot),
                    value: typed.get(&name).cloned().unwrap_or_default(),
                    error: kept.slot_errors.get(&name).cloned(),
                    name,
                };
                let label = meal_label(&page, slot.meal);
                match meals.last_mut() {
                    Some(group) if group.label == label => group.slots.push(input),
                    _ => meals.push(MealGroup {
                        label,
                        slots: vec![input],
                    }),
                }
            }
            let filled = meals
                .iter()
                .flat_map(|m| &m.slots)
                .filter(|s| !s.value.trim().is_empty())
                .count();
            DayCard {
                id: format!("day-{day}"),
                label: day_name(&page, day),
                meals,
                filled,
            }
        })
        .collect();
    let tabs = (1..=cycle.length)
        .map(|number| WeekTab {
            number,
            href: format!("/offshore/cycle?week={number}{}", site_param(site)),
            current: number == n,
            this_week: number == current,
        })
        .collect();
    let summary = if set_up {
        t(&page, "cycle.summary")
            .replace("{length}", &cycle.length.to_string())
            .replace("{week}", &this_week.week.to_string())
            .replace("{cycle_week}", &current.to_string())
    } else {
        t(&page, "cycle.not_set_up")
    };
    let next = IsoWeek::containing(site.today() + chrono::Duration::days(7));
    let template = CycleTemplate {
        site_name: site.site.name.clone(),
        site_id: site.site.id,
        sites: site_choices(site),
        csrf: csrf.to_owned(),
        notice: kept.notice,
        set_up,
        summary,
        staff: matches!(caller.role, Role::Admin | Role::Cook),
        cycle_form: kept.cycle_form.unwrap_or(CycleForm {
            site: String::new(),
            version: cycle.version.to_string(),
            length_weeks: cycle.length.to_string(),
            start_year: cycle.start.year.to_string(),
            start_week: cycle.start.week.to_string(),
            start_index: cycle.start_index.to_string(),
        }),
        cycle_errors: kept.cycle_errors,
        tabs,
        cycle_week: n,
        week_version: plan.as_ref().map_or(0, |p| p.version),
        days,
        dish_names: all.into_iter().map(|d| d.name).collect(),
        generate_form: kept.generate_form.unwrap_or(GenerateForm {
            site: String::new(),
            year: next.year.to_string(),
            week: next.week.to_string(),
            replace: String::new(),
        }),
        generate_errors: kept.generate_errors,
        generated: kept.generated,
        page,
    };
    let mut response = render(kept.status.unwrap_or(StatusCode::OK), &template);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn back_to(site: &ChosenSite, week: Option<u32>) -> Response {
    let week = week.map(|n| format!("&week={n}")).unwrap_or_default();
    Redirect::to(&format!(
        "/offshore/cycle?done=saved{week}{}",
        site_param(site)
    ))
    .into_response()
}

/// A refusal in the page's words where it has them.
fn words(page: &Page, section: &str, error: &FieldError) -> String {
    let key = format!("offshore.cycle.{section}.{}", error.field);
    let text = page.t(&key);
    if text == key {
        error.reason.clone()
    } else {
        text.to_owned()
    }
}

async fn change_cycle(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    axum::Form(form): axum::Form<CycleForm>,
) -> Response {
    let site = match site_of(&state, &console.caller, Some(form.site.clone())).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let page = &console.page;
    let number = |text: &str| text.trim().parse::<i64>().ok();
    let mut errors = Vec::new();
    // An unreadable field stands in with a value the rules accept, so that the API's own
    // check can still report every other field at once.
    let mut read = |field: &str, text: &str, stand_in: u32| -> u32 {
        match number(text).and_then(|n| u32::try_from(n).ok()) {
            Some(n) => n,
            None => {
                let error = FieldError {
                    field: field.to_owned(),
                    reason: String::new(),
                };
                errors.push((field.to_owned(), words(page, "error", &error)));
                stand_in
            }
        }
    };
    let body = CycleIn {
        length_weeks: read("length_weeks", &form.length_weeks, MAX_LENGTH),
        start_year: i32::try_from(read("start_year", &form.start_year, 2026)).unwrap_or(0),
        start_week: read("start_week", &form.start_week, 1),
        start_index: read("start_index", &form.start_index, 1),
    };
    if !errors.is_empty()
        && let Err(AppError::Validation(refused)) = check_cycle(site.site.id, &body, 0)
    {
        for error in refused {
            if !errors.iter().any(|(field, _)| *field == error.field) {
                errors.push((error.field.clone(), words(page, "error", &error)));
            }
        }
    }
    if errors.is_empty() {
        let expected = cycle_etag(site.site.id, number(&form.version).unwrap_or(-1));
        match save_cycle(
            &state,
            &console.caller,
            site.site.id,
            Some(&expected),
            &body,
        )
        .await
        {
            Ok(_) => return back_to(&site, None),
            Err(AppError::Validation(refused)) => {
                for error in refused {
                    errors.push((error.field.clone(), words(page, "error", &error)));
                }
            }
            Err(AppError::PreconditionFailed { .. }) => {
                let kept = Kept {
                    notice: Some(("warning", t(page, "cycle.stale"))),
                    status: Some(StatusCode::CONFLICT),
                    ..Kept::default()
                };
                return show(
                    &state,
                    &console.caller,
                    page,
                    &console.csrf(),
                    &site,
                    None,
                    kept,
                )
                .await;
            }
            Err(error) => return page_error(error),
        }
    }
    let kept = Kept {
        notice: Some(("danger", t(page, "cycle.refused"))),
        cycle_form: Some(form),
        cycle_errors: errors,
        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        ..Kept::default()
    };
    show(
        &state,
        &console.caller,
        page,
        &console.csrf(),
        &site,
        None,
        kept,
    )
    .await
}

async fn change_template(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let site = match site_of(&state, &console.caller, Some(value("site"))).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let page = &console.page;
    let Some(tenant) = console.caller.tenant_id else {
        return page_error(AppError::NotFound);
    };
    let Ok(n) = value("week").trim().parse::<u32>() else {
        return page_error(AppError::validation("week", "must be a cycle week"));
    };
    let version = value("version").trim().parse::<i64>().unwrap_or(-1);
    let dishes_by_name = async {
        let mut pooled = state.db.get().await?;
        let (all, _) = dishes::list_filtered(
            &mut pooled.conn(),
            tenant,
            DishFilter::default(),
            0,
            MAX_DISHES,
        )
        .await?;
        Ok::<_, AppError>(
            all.into_iter()
                .map(|d| (name_key(&d.name), d.id))
                .collect::<HashMap<_, _>>(),
        )
    }
    .await;
    let dishes_by_name = match dishes_by_name {
        Ok(map) => map,
        Err(error) => return page_error(error),
    };
    // Every slot of every day: a typed name must be a dish of the tenant; blank is no dish.
    let mut typed = HashMap::new();
    let mut slot_errors = HashMap::new();
    let mut items = Vec::new();
    let mut names = Vec::new();
    for day in 1..=7 {
        for slot in MENU_SLOTS {
            let name = slot_name(day, slot.meal, slot.slot);
            let text = value(&name);
            let trimmed = text.trim();
            if !trimmed.is_empty() {
                match dishes_by_name.get(&name_key(trimmed)) {
                    Some(id) => {
                        items.push(TemplateItemIn {
                            day,
                            meal: slot.meal.to_owned(),
                            slot: slot.slot.to_owned(),
                            dish_id: *id,
                        });
                        names.push(name.clone());
                    }
                    None => {
                        slot_errors.insert(
                            name.clone(),
                            t(page, "cycle.unknown_dish").replace("{name}", trimmed),
                        );
                    }
                }
            }
            typed.insert(name, text);
        }
    }
    let refused = |slot_errors: HashMap<String, String>, typed, notice, status| Kept {
        notice: Some(notice),
        typed: Some(typed),
        slot_errors,
        status: Some(status),
        ..Kept::default()
    };
    if !slot_errors.is_empty() {
        let kept = refused(
            slot_errors,
            typed,
            ("danger", t(page, "cycle.template_refused")),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        return show(
            &state,
            &console.caller,
            page,
            &console.csrf(),
            &site,
            Some(n),
            kept,
        )
        .await;
    }
    let expected = week_etag(site.site.id, n, version);
    let body = TemplateIn { items };
    match save_week(
        &state,
        &console.caller,
        site.site.id,
        n,
        Some(&expected),
        &body,
    )
    .await
    {
        Ok(_) => back_to(&site, Some(n)),
        Err(AppError::Validation(errors)) => {
            let mut slot_errors = HashMap::new();
            let mut general = None;
            for error in errors {
                // `items[i].field` names the i-th dish sent.
                let index = error
                    .field
                    .strip_prefix("items[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok());
                match index.and_then(|i| names.get(i)) {
                    Some(name) => {
                        slot_errors.insert(name.clone(), error.reason);
                    }
                    None => general = Some(error.reason),
                }
            }
            let notice = general.unwrap_or_else(|| t(page, "cycle.template_refused"));
            let kept = refused(
                slot_errors,
                typed,
                ("danger", notice),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
            show(
                &state,
                &console.caller,
                page,
                &console.csrf(),
                &site,
                Some(n),
                kept,
            )
            .await
        }
        Err(AppError::PreconditionFailed { .. }) => {
            let kept = refused(
                HashMap::new(),
                typed,
                ("warning", t(page, "cycle.template_stale")),
                StatusCode::CONFLICT,
            );
            show(
                &state,
                &console.caller,
                page,
                &console.csrf(),
                &site,
                Some(n),
                kept,
            )
            .await
        }
        Err(error) => page_error(error),
    }
}

fn generated(page: &Page, out: &crate::api::cycle_menus::GenerateOut) -> Generated {
    let menu: &MenuOut = &out.menu;
    let mut days: Vec<MenuDay> = Vec::new();
    // Lunch, dinner, night, and the categories in the menu's own order.
    let place = |meal: &str, slot: &str| {
        MENU_SLOTS
            .iter()
            .position(|s| s.meal == meal && s.slot == slot)
            .unwrap_or(usize::MAX)
    };
    let mut items: Vec<_> = menu.items.iter().collect();
    items.sort_by_key(|item| (item.day, place(&item.meal, &item.slot)));
    for item in items {
        let label = format!(
            "{} {}",
            dates::weekday(page, item.date),
            dates::day_month(page, item.date)
        );
        let line = (
            format!(
                "{}, {}",
                meal_label(page, &item.meal),
                slot_label(page, &item.slot).to_lowercase()
            ),
            item.dish.name.clone(),
        );
        match days.last_mut() {
            Some(day) if day.label == label => day.lines.push(line),
            _ => days.push(MenuDay {
                label,
                lines: vec![line],
            }),
        }
    }
    let key = if out.replaced {
        "cycle.generated_replaced"
    } else {
        "cycle.generated"
    };
    Generated {
        summary: t(page, key)
            .replace("{week}", &menu.week.to_string())
            .replace("{year}", &menu.year.to_string())
            .replace("{cycle_week}", &out.cycle_week.to_string())
            .replace("{count}", &menu.items.len().to_string()),
        days,
    }
}

async fn generate(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    axum::Form(form): axum::Form<GenerateForm>,
) -> Response {
    let site = match site_of(&state, &console.caller, Some(form.site.clone())).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let page = &console.page;
    let year = form.year.trim().parse::<i32>();
    let week = form.week.trim().parse::<u32>();
    let mut errors = Vec::new();
    let asked = match (year, week) {
        (Ok(year), Ok(week)) => match week_from_path(year, week) {
            Ok(asked) => Some(asked),
            Err(AppError::Validation(refused)) => {
                for error in refused {
                    errors.push((error.field.clone(), words(page, "generate_error", &error)));
                }
                None
            }
            Err(error) => return page_error(error),
        },
        (year, week) => {
            if year.is_err() {
                errors.push(("year".to_owned(), t(page, "cycle.generate_error.year")));
            }
            if week.is_err() {
                errors.push(("week".to_owned(), t(page, "cycle.generate_error.week")));
            }
            None
        }
    };
    let mut kept = Kept::default();
    if let Some(asked) = asked {
        let replace = form.replace == "1";
        match generate_week(&state, &console.caller, site.site.id, asked, replace).await {
            Ok(out) => {
                kept.notice = Some(("success", t(page, "cycle.generated_notice")));
                kept.generated = Some(generated(page, &out));
                kept.generate_form = Some(form);
                return show(
                    &state,
                    &console.caller,
                    page,
                    &console.csrf(),
                    &site,
                    None,
                    kept,
                )
                .await;
            }
            Err(AppError::Conflict(_)) => {
                errors.push((
                    "replace".to_owned(),
                    t(page, "cycle.generate_error.replace"),
                ));
            }
            Err(AppError::Validation(refused)) => {
                for error in refused {
                    let text = if error.reason.contains("no menu cycle") {
                        t(page, "cycle.generate_error.no_cycle")
                    } else if error.reason.contains("has no dishes") {
                        t(page, "cycle.generate_error.empty").replace(
                            "{n}",
                            &error.reason.replace(|c: char| !c.is_ascii_digit(), ""),
                        )
                    } else {
                        error.reason.clone()
                    };
                    errors.push(("week".to_owned(), text));
                }
            }
            Err(error) => return page_error(error),
        }
    }
    kept.notice = Some(("danger", t(page, "cycle.generate_refused")));
    kept.generate_form = Some(form);
    kept.generate_errors = errors;
    kept.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
    show(
        &state,
        &console.caller,
        page,
        &console.csrf(),
        &site,
        None,
        kept,
    )
    .await
}
