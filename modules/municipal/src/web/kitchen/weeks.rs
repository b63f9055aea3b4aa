//! `/municipal/kitchen/weeks[/{year}/{week}]`: the week's lunch choices, department by day,
//! with special portions, and who has not chosen or marked yet (the coverage rules of
//! `api::coverage`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::{Page, render};

use super::plan::{SiteOption, over_residents_text, site_options, warning_text};
use super::{Section, SiteQuery, kitchen_site, page_error, sections};
use crate::api::KitchenReaders;
use crate::api::coverage::{Coverage, coverage};
use crate::api::planning::{LunchTotals, load_site_week, week_plan};
use crate::plan::{Alt, Meal};
use crate::words::Words;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kitchen/weeks", get(this_week))
        .route("/kitchen/weeks/{year}/{week}", get(on_week))
}

/// A column of the grid.
pub struct DayColumn {
    pub name: String,
    pub date: String,
    pub href: String,
    pub alt2_offered: bool,
    pub lunch: LunchTotals,
}

/// A department's lunch on one day.
pub struct Cell {
    pub alt2: bool,
    /// The department saved a choice for the day (even Alt 1); false: it falls to the default.
    pub chosen: bool,
    /// Alt 2 could be chosen that day: only then is "no choice" worth saying.
    pub offered: bool,
    pub lapsed: bool,
    pub special: i64,
}

pub struct GridRow {
    pub name: String,
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "kitchen/weeks.html")]
struct WeeksTemplate {
    page: Page,
    kitchen: String,
    sites: Vec<SiteOption>,
    sections: Vec<Section>,
    form_action: String,
    week_text: String,
    dates_text: String,
    previous_href: String,
    next_href: String,
    this_week_href: String,
    is_this_week: bool,
    has_menu: bool,
    published: bool,
    days: Vec<DayColumn>,
    rows: Vec<GridRow>,
    coverage: Coverage,
    /// Department-meals with more special portions than residents, in words.
    counts_to_fix: Vec<String>,
    /// Diets with residents, not marked, whose dish they cannot eat, in words: a to-do.
    unmarked: Vec<String>,
}

async fn this_week(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Query(query): Query<SiteQuery>,
) -> Response {
    show(&state, console, None, &query).await
}

async fn on_week(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Path((year, week)): Path<(String, String)>,
    Query(query): Query<SiteQuery>,
) -> Response {
    match week_in_path(&year, &week) {
        Some(week) => show(&state, console, Some(week), &query).await,
        None => page_error(AppError::NotFound),
    }
}

/// A week that exists, from page path segments.
pub fn week_in_path(year: &str, week: &str) -> Option<IsoWeek> {
    IsoWeek::new(year.parse().ok()?, week.parse().ok()?).ok()
}

async fn show(
    state: &AppState,
    console: Console<KitchenReaders>,
    week: Option<IsoWeek>,
    query: &SiteQuery,
) -> Response {
    let kitchen = match kitchen_site(state, &console.caller, query).await {
        Ok(Some(kitchen)) => kitchen,
        Ok(None) => return super::no_kitchen(console.page),
        Err(error) => return page_error(error),
    };
    let current = IsoWeek::containing(kitchen.today());
    let week = week.unwrap_or(current);
    let data = match load_site_week(state, &console.caller, kitchen.site.id, week).await {
        Ok(data) => data,
        Err(error) => return page_error(error),
    };
    let plan = week_plan(&data, Some(Meal::Lunch));
    let page = console.page;
    let words = Words::new(&state.i18n, page.lang);
    let query = kitchen.query();
    let href = |week: IsoWeek| {
        format!(
            "/municipal/kitchen/weeks/{}/{}{query}",
            week.year, week.week
        )
    };
    let days = plan
        .days
        .iter()
        .map(|day| DayColumn {
            name: words.weekday_short(day.day),
            date: format!("{}/{}", day.date.format("%-d"), day.date.format("%-m")),
            href: format!("/municipal/kitchen/plan/{}{query}", day.date),
            alt2_offered: data.alt2_available(day.day),
            lunch: day.totals.lunch.clone().unwrap_or_default(),
        })
        .collect();
    let rows = data
        .departments
        .iter()
        .map(|department| GridRow {
            name: department.name.clone(),
            cells: plan
                .days
                .iter()
                .filter_map(|day| {
                    let lunch = day
                        .departments
                        .iter()
                        .find(|d| d.department_id == department.id)?
                        .lunch
                        .as_ref()?;
                    Some(Cell {
                        alt2: lunch.choice == Alt::Alt2,
                        chosen: data.choice_stored(department.id, day.day),
                        offered: data.alt2_available(day.day),
                        lapsed: lunch.choice_lapsed,
                        special: lunch.counts.special,
                    })
                })
                .collect(),
        })
        .collect();
    let week_coverage = coverage(&data);
    let template = WeeksTemplate {
        kitchen: kitchen.site.name.clone(),
        sites: site_options(&kitchen),
        sections: sections(&words, &kitchen, "weeks"),
        form_action: format!("/municipal/kitchen/weeks/{}/{}", week.year, week.week),
        week_text: words.week(week),
        dates_text: words.dates_of(week),
        previous_href: href(week.previous()),
        next_href: href(week.next()),
        this_week_href: href(current),
        is_this_week: week == current,
        has_menu: data.menu.is_some(),
        published: plan.published,
        days,
        rows,
        counts_to_fix: counts_to_fix(&page, &words, &week_coverage),
        unmarked: week_coverage
            .diets_falling_through
            .iter()
            .map(|warning| {
                let text = warning_text(&page, warning);
                format!("{}: {text}", words.weekday(warning.day))
            })
            .collect(),
        coverage: week_coverage,
        page,
    };
    render(StatusCode::OK, &template)
}

/// "Tuesday: Björken: 5 special portions at lunch for 3 residents. …"
fn counts_to_fix(page: &Page, words: &Words, coverage: &Coverage) -> Vec<String> {
    coverage
        .counts_to_fix
        .iter()
        .map(|fix| {
            let meal = Meal::parse(fix.meal).unwrap_or(Meal::Lunch);
            let text = over_residents_text(page, &fix.name, meal, (fix.special, fix.residents));
            format!("{}: {text}", words.weekday(fix.day))
        })
        .collect()
}
