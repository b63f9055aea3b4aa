//! `/municipal/kitchen/plan[/{date}]`: the day plan a cook works and prints from. Big numbers
//! per alternative, desserts and kvällsmat, the special-diet worklist, warnings, and the
//! per-department table; one A4 page on paper.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::{Page, render};

use super::{KitchenSite, Section, SiteQuery, kitchen_site, page_error, sections};
use crate::api::KitchenReaders;
use crate::api::planning::{
    DayDishes, DayPlan, LunchTotals, MealOut, MealTotals, date_from_path, day_plan, load_site_week,
};
use crate::plan::{Alt, Meal, Warning};
use crate::words::Words;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kitchen/plan", get(today))
        .route("/kitchen/plan/{date}", get(on_date))
}

/// A kitchen of the tenant, for the picker.
pub struct SiteOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

pub fn site_options(kitchen: &KitchenSite) -> Vec<SiteOption> {
    kitchen
        .choices
        .iter()
        .map(|s| SiteOption {
            id: s.id,
            name: s.name.clone(),
            selected: s.id == kitchen.site.id,
        })
        .collect()
}

/// One department's line of the table.
pub struct DepartmentRow {
    pub name: String,
    pub lunch: MealOut,
    pub lunch_diets: String,
    pub choice: String,
    pub choice_is_alt2: bool,
    pub choice_lapsed: bool,
    pub dinner: MealOut,
    pub dinner_diets: String,
}

/// One diet of the worklist: portions and who needs them.
pub struct WorkLine {
    pub diet: String,
    pub texture_level: Option<i32>,
    pub portions: i64,
    pub departments: Vec<(String, i64)>,
}

/// The worklist of one meal.
pub struct WorkMeal {
    pub title: String,
    pub id: &'static str,
    pub lines: Vec<WorkLine>,
}

#[derive(Template)]
#[template(path = "kitchen/plan.html")]
struct PlanTemplate {
    page: Page,
    kitchen: String,
    sites: Vec<SiteOption>,
    sections: Vec<Section>,
    form_action: String,
    date_text: String,
    week_text: String,
    week_href: String,
    previous_href: String,
    next_href: String,
    today_href: String,
    is_today: bool,
    has_menu: bool,
    published: bool,
    dishes: DayDishes,
    lunch: LunchTotals,
    dinner: MealTotals,
    rows: Vec<DepartmentRow>,
    work: Vec<WorkMeal>,
    warnings: Vec<String>,
    /// Diets with residents, not marked, whose dish they cannot eat: a to-do.
    unmarked: Vec<String>,
}

async fn today(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Query(query): Query<SiteQuery>,
) -> Response {
    show(&state, console, None, &query).await
}

async fn on_date(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Path(date): Path<String>,
    Query(query): Query<SiteQuery>,
) -> Response {
    match date_from_path(&date) {
        Ok(date) => show(&state, console, Some(date), &query).await,
        Err(_) => page_error(galley_core::http::AppError::NotFound),
    }
}

fn diets_text(meal: &MealOut) -> String {
    meal.diets
        .iter()
        .map(|d| format!("{} {}", d.name, d.portions))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Björken: Glutenfri (2 port.) får Äppelkaka (dessert) till lunch, som innehåller gluten."
/// A department-meal with more special portions than residents, in the reader's words.
pub(super) fn over_residents_text(
    page: &Page,
    department: &str,
    meal: Meal,
    (special, residents): (i64, i64),
) -> String {
    let meal = match meal {
        Meal::Lunch => page.t("municipal.kitchen.at_lunch"),
        Meal::Dinner => page.t("municipal.kitchen.at_dinner"),
    };
    page.t("municipal.kitchen.over_residents")
        .replace("{department}", department)
        .replace("{special}", &special.to_string())
        .replace("{meal}", meal)
        .replace("{residents}", &residents.to_string())
}

pub fn warning_text(page: &Page, warning: &Warning) -> String {
    let slot = match warning.slot.as_str() {
        "alt1" => page.t("municipal.kitchen.alt1"),
        "alt2" => page.t("municipal.kitchen.alt2"),
        "dessert" => page.t("municipal.kitchen.dessert"),
        _ => page.t("municipal.kitchen.main_dish"),
    };
    let meal = match warning.meal {
        Meal::Lunch => page.t("municipal.kitchen.at_lunch"),
        Meal::Dinner => page.t("municipal.kitchen.at_dinner"),
    };
    let allergens = warning
        .allergens
        .iter()
        .map(|a| page.t(a.key()).to_lowercase())
        .collect::<Vec<_>>()
        .join(", ");
    let template = match (warning.marked, warning.allergens_unknown) {
        (true, true) => "municipal.kitchen.warning_unknown",
        (true, false) => "municipal.kitchen.warning",
        (false, true) => "municipal.kitchen.warning_unmarked_unknown",
        (false, false) => "municipal.kitchen.warning_unmarked",
    };
    page.t(template)
        .replace("{department}", &warning.department)
        .replace("{diet}", &warning.diet)
        .replace("{portions}", &warning.portions.to_string())
        .replace("{dish}", &warning.dish)
        .replace("{slot}", slot)
        .replace("{meal}", meal)
        .replace("{allergens}", &allergens)
}

fn work_lines(plan: &DayPlan, meal: Meal) -> Vec<WorkLine> {
    plan.worklist
        .iter()
        .filter(|w| w.meal == meal)
        .map(|w| WorkLine {
            diet: w.name.clone(),
            texture_level: w.texture_level,
            portions: w.portions,
            departments: w
                .departments
                .iter()
                .map(|d| (d.name.clone(), d.portions))
                .collect(),
        })
        .collect()
}

async fn show(
    state: &AppState,
    console: Console<KitchenReaders>,
    date: Option<NaiveDate>,
    query: &SiteQuery,
) -> Response {
    let kitchen = match kitchen_site(state, &console.caller, query).await {
        Ok(Some(kitchen)) => kitchen,
        Ok(None) => return super::no_kitchen(console.page),
        Err(error) => return page_error(error),
    };
    let today = kitchen.today();
    let date = date.unwrap_or(today);
    let week = IsoWeek::containing(date);
    let data = match load_site_week(state, &console.caller, kitchen.site.id, week).await {
        Ok(data) => data,
        Err(error) => return page_error(error),
    };
    let plan = day_plan(&data, date.weekday().number_from_monday(), None);
    let page = console.page;
    let words = Words::new(&state.i18n, page.lang);
    let query = kitchen.query();
    let href = |date: NaiveDate| format!("/municipal/kitchen/plan/{date}{query}");
    let alt_name = |alt: Alt| match alt {
        Alt::Alt1 => page.t("municipal.kitchen.alt1").to_owned(),
        Alt::Alt2 => page.t("municipal.kitchen.alt2").to_owned(),
    };
    let rows = plan
        .departments
        .iter()
        .filter_map(|d| {
            let lunch = d.lunch.as_ref()?;
            let dinner = d.dinner.as_ref()?;
            Some(DepartmentRow {
                name: d.name.clone(),
                lunch_diets: diets_text(&lunch.counts),
                lunch: lunch.counts.clone(),
                choice: alt_name(lunch.choice),
                choice_is_alt2: lunch.choice == Alt::Alt2,
                choice_lapsed: lunch.choice_lapsed,
                dinner_diets: diets_text(dinner),
                dinner: dinner.clone(),
            })
        })
        .collect();
    let mut warnings: Vec<String> = plan
        .departments
        .iter()
        .flat_map(|d| {
            let lunch = d.lunch.as_ref().map(|l| (Meal::Lunch, &l.counts));
            let dinner = d.dinner.as_ref().map(|m| (Meal::Dinner, m));
            lunch
                .into_iter()
                .chain(dinner)
                .filter(|(_, counts)| counts.over_residents)
                .map(|(meal, counts)| {
                    over_residents_text(&page, &d.name, meal, (counts.special, counts.residents))
                })
        })
        .collect();
    let (marked, unmarked): (Vec<&Warning>, Vec<&Warning>) =
        plan.warnings.iter().partition(|w| w.marked);
    warnings.extend(marked.into_iter().map(|w| warning_text(&page, w)));
    let unmarked: Vec<String> = unmarked
        .into_iter()
        .map(|w| warning_text(&page, w))
        .collect();
    let template = PlanTemplate {
        kitchen: kitchen.site.name.clone(),
        sites: site_options(&kitchen),
        sections: sections(&words, &kitchen, "plan"),
        form_action: format!("/municipal/kitchen/plan/{date}"),
        date_text: words.date_long(date),
        week_text: words.week(week),
        week_href: format!(
            "/municipal/kitchen/weeks/{}/{}{query}",
            week.year, week.week
        ),
        previous_href: href(date - chrono::Duration::days(1)),
        next_href: href(date + chrono::Duration::days(1)),
        today_href: href(today),
        is_today: date == today,
        has_menu: data.menu.is_some(),
        published: plan.published,
        dishes: plan.dishes.clone(),
        lunch: plan.totals.lunch.clone().unwrap_or_default(),
        dinner: plan.totals.dinner.clone().unwrap_or_default(),
        rows,
        work: vec![
            WorkMeal {
                title: page.t("municipal.kitchen.lunch").to_owned(),
                id: "worklist-lunch",
                lines: work_lines(&plan, Meal::Lunch),
            },
            WorkMeal {
                title: page.t("municipal.kitchen.dinner").to_owned(),
                id: "worklist-dinner",
                lines: work_lines(&plan, Meal::Dinner),
            },
        ],
        warnings,
        unmarked,
        page,
    };
    render(StatusCode::OK, &template)
}
