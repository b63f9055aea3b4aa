//! `/api/v1/municipal/sites/{site_id}/planning/...`: what the kitchen cooks on a day or in a
//! week. Nothing is counted here: every number comes from `plan::WeekData::department_day`
//! (the R/S/N rules) and every warning from `WeekData::warnings`; this file only arranges them
//! per department, per diet (the cook's worklist) and in site totals.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use galley_core::auth::Allowed;
use galley_core::http::{ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menu_api::{MenuDish, dish_of, week_from_path};
use galley_core::people::api::tenant_of;
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

use super::KitchenReaders;
use super::ready_site::{SiteRead, site_answer};
use crate::plan::data::Scope;
use crate::plan::{Alt, Meal, MealPlan, Warning, WeekData};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/planning/{date}", get(day))
        .route("/sites/{site_id}/planning/weeks/{year}/{week}", get(week))
}

#[derive(OpenApi)]
#[openapi(
    paths(day, week),
    tags((name = "planning", description = "A kitchen's production plan: portions per alternative and diet"))
)]
pub struct PlanningApi;

/// Which meals to plan; both when left out.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MealQuery {
    /// `lunch` or `dinner`; both meals when left out.
    pub meal: Option<Meal>,
}

/// Special portions of one diet type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DietCount {
    pub diet_type_id: i64,
    pub name: String,
    pub portions: i64,
}

/// One department's meal: residents R, special portions S (per diet and summed), normal N.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = PlanMeal)]
pub struct MealOut {
    pub residents: i64,
    pub special: i64,
    pub normal: i64,
    /// More special portions than residents (S > R): a count is wrong somewhere.
    pub over_residents: bool,
    /// The marked diets with residents on them, in the site's diet order.
    pub diets: Vec<DietCount>,
}

/// One department's lunch: its normal portions go to `choice`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LunchOut {
    #[serde(flatten)]
    pub counts: MealOut,
    /// The alternative the normal portions go to.
    pub choice: Alt,
    /// The department chose Alt 2, but the menu no longer offers it that day: it gets Alt 1.
    pub choice_lapsed: bool,
}

/// One department on one day; a meal left out by `?meal=` is `null`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentPlan {
    pub department_id: i64,
    pub name: String,
    pub lunch: Option<LunchOut>,
    pub dinner: Option<MealOut>,
}

/// The site's lunch: normal portions per alternative, special portions per diet, desserts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LunchTotals {
    pub residents: i64,
    pub special: i64,
    pub normal: i64,
    /// Normal portions of Alt 1.
    pub alt1: i64,
    /// Normal portions of Alt 2.
    pub alt2: i64,
    /// Desserts: one per resident eating lunch, on a day whose published menu has a dessert
    /// (0 on a day without one).
    pub dessert: i64,
    /// Special portions per diet type, in the site's diet order (diets without any left out).
    pub diets: Vec<DietCount>,
}

/// The site's dinner (kvällsmat).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MealTotals {
    pub residents: i64,
    pub special: i64,
    pub normal: i64,
    pub diets: Vec<DietCount>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlanTotals {
    pub lunch: Option<LunchTotals>,
    pub dinner: Option<MealTotals>,
}

/// A department that needs a diet, and how many portions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WorklistDepartment {
    pub department_id: i64,
    pub name: String,
    pub portions: i64,
}

/// One line of the cook's special-diet worklist: a diet at a meal, its portions and who needs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WorklistDiet {
    pub meal: Meal,
    pub diet_type_id: i64,
    pub name: String,
    /// IDDSI texture level, for pureed and minced diets.
    pub texture_level: Option<i32>,
    pub portions: i64,
    pub departments: Vec<WorklistDepartment>,
}

/// The day's dishes (published or not; see `published`).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct DayDishes {
    pub alt1: Option<MenuDish>,
    pub alt2: Option<MenuDish>,
    pub dessert: Option<MenuDish>,
    /// Kvällsmat.
    pub dinner: Option<MenuDish>,
}

/// A site's plan for one day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DayPlan {
    pub site_id: i64,
    pub date: NaiveDate,
    /// ISO week-numbering year and week of the date.
    pub year: i32,
    pub week: u32,
    /// 1 = Monday ... 7 = Sunday.
    pub day: u32,
    /// Whether the week's menu is published. Departments see (and choose from) a published
    /// menu only; before that every lunch counts as Alt 1.
    pub published: bool,
    pub dishes: DayDishes,
    /// The site's live departments, by name.
    pub departments: Vec<DepartmentPlan>,
    pub totals: PlanTotals,
    /// Lunch first, then dinner; diets in the site's order; departments by name.
    pub worklist: Vec<WorklistDiet>,
    /// Diets with residents in a department that gets a dish containing an allergen the diet
    /// excludes (or whose allergens are not stated), marked or not (`marked`: not marked is a
    /// to-do for the department before the deadline).
    pub warnings: Vec<Warning>,
}

/// A site's plan for one ISO week: the seven day plans and their sums.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WeekPlan {
    pub site_id: i64,
    pub year: i32,
    pub week: u32,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub published: bool,
    /// Monday to Sunday.
    pub days: Vec<DayPlan>,
    /// The sums of the days' totals.
    pub totals: PlanTotals,
}

fn includes(only: Option<Meal>, meal: Meal) -> bool {
    only.is_none_or(|m| m == meal)
}

fn diet_counts(data: &WeekData, diets: &[(i64, i64)]) -> Vec<DietCount> {
    diets
        .iter()
        .map(|(id, portions)| DietCount {
            diet_type_id: *id,
            name: data
                .diet_types
                .iter()
                .find(|d| d.id == *id)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            portions: *portions,
        })
        .collect()
}

fn meal_out(data: &WeekData, plan: &MealPlan) -> MealOut {
    MealOut {
        residents: plan.residents,
        special: plan.special,
        normal: plan.normal,
        over_residents: plan.over_residents(),
        diets: diet_counts(data, &plan.diets),
    }
}

/// Adds `more` into `sums`, keeping the site's diet order (the order of `data.diet_types`).
fn add_diets(data: &WeekData, sums: &mut Vec<DietCount>, more: &[DietCount]) {
    for extra in more {
        match sums
            .iter_mut()
            .find(|d| d.diet_type_id == extra.diet_type_id)
        {
            Some(sum) => sum.portions += extra.portions,
            None => sums.push(extra.clone()),
        }
    }
    let position = |id: i64| data.diet_types.iter().position(|d| d.id == id);
    sums.sort_by_key(|d| position(d.diet_type_id));
}

impl LunchTotals {
    fn add(&mut self, data: &WeekData, other: &LunchTotals) {
        self.residents += other.residents;
        self.special += other.special;
        self.normal += other.normal;
        self.alt1 += other.alt1;
        self.alt2 += other.alt2;
        self.dessert += other.dessert;
        add_diets(data, &mut self.diets, &other.diets);
    }
}

impl MealTotals {
    fn add(&mut self, data: &WeekData, other: &MealTotals) {
        self.residents += other.residents;
        self.special += other.special;
        self.normal += other.normal;
        add_diets(data, &mut self.diets, &other.diets);
    }
}

impl PlanTotals {
    fn add(&mut self, data: &WeekData, other: &PlanTotals) {
        if let Some(lunch) = &other.lunch {
            self.lunch.get_or_insert_default().add(data, lunch);
        }
        if let Some(dinner) = &other.dinner {
            self.dinner.get_or_insert_default().add(data, dinner);
        }
    }
}

fn worklist(data: &WeekData, departments: &[DepartmentPlan]) -> Vec<WorklistDiet> {
    let mut list = Vec::new();
    for meal in Meal::ALL {
        for diet in &data.diet_types {
            let needing: Vec<WorklistDepartment> = departments
                .iter()
                .filter_map(|department| {
                    let counts = match meal {
                        Meal::Lunch => &department.lunch.as_ref()?.counts,
                        Meal::Dinner => department.dinner.as_ref()?,
                    };
                    let portions = counts
                        .diets
                        .iter()
                        .find(|d| d.diet_type_id == diet.id)?
                        .portions;
                    Some(WorklistDepartment {
                        department_id: department.department_id,
                        name: department.name.clone(),
                        portions,
                    })
                })
                .collect();
            if needing.is_empty() {
                continue;
            }
            list.push(WorklistDiet {
                meal,
                diet_type_id: diet.id,
                name: diet.name.clone(),
                texture_level: diet.texture_level,
                portions: needing.iter().map(|d| d.portions).sum(),
                departments: needing,
            });
        }
    }
    list
}

fn dishes(data: &WeekData, day: u32) -> DayDishes {
    let dish = |meal, slot| data.dish(day, meal, slot).map(dish_of);
    DayDishes {
        alt1: dish(Meal::Lunch, "alt1"),
        alt2: dish(Meal::Lunch, "alt2"),
        dessert: dish(Meal::Lunch, "dessert"),
        dinner: dish(Meal::Dinner, "main"),
    }
}

/// The plan of day 1-7 of the loaded week, for one meal or both.
pub fn day_plan(data: &WeekData, day: u32, only: Option<Meal>) -> DayPlan {
    let mut departments = Vec::with_capacity(data.departments.len());
    let mut warnings = Vec::new();
    let mut lunch = LunchTotals::default();
    let mut dinner = MealTotals::default();
    // Like Alt 2, a dessert is cooked only from a published menu: a draft's plates nothing.
    let dessert_served = data.is_published() && data.dish(day, Meal::Lunch, "dessert").is_some();
    for department in &data.departments {
        let plan = data.department_day(department, day);
        warnings.extend(
            data.warnings(department, &plan)
                .into_iter()
                .filter(|w| includes(only, w.meal)),
        );
        let lunch_out = includes(only, Meal::Lunch).then(|| LunchOut {
            counts: meal_out(data, &plan.lunch),
            choice: plan.choice,
            choice_lapsed: plan.choice_lapsed,
        });
        let dinner_out = includes(only, Meal::Dinner).then(|| meal_out(data, &plan.dinner));
        if let Some(out) = &lunch_out {
            lunch.add(
                data,
                &LunchTotals {
                    residents: out.counts.residents,
                    special: out.counts.special,
                    normal: out.counts.normal,
                    alt1: if out.choice == Alt::Alt1 {
                        out.counts.normal
                    } else {
                        0
                    },
                    alt2: if out.choice == Alt::Alt2 {
                        out.counts.normal
                    } else {
                        0
                    },
                    dessert: if dessert_served {
                        out.counts.residents
                    } else {
                        0
                    },
                    diets: out.counts.diets.clone(),
                },
            );
        }
        if let Some(out) = &dinner_out {
            dinner.add(
                data,
                &MealTotals {
                    residents: out.residents,
                    special: out.special,
                    normal: out.normal,
                    diets: out.diets.clone(),
                },
            );
        }
        departments.push(DepartmentPlan {
            department_id: department.id,
            name: department.name.clone(),
            lunch: lunch_out,
            dinner: dinner_out,
        });
    }
    let date = data.week.day(day).unwrap_or_else(|| data.week.monday());
    DayPlan {
        site_id: data.site.id,
        date,
        year: data.week.year,
        week: data.week.week,
        day,
        published: data.is_published(),
        dishes: dishes(data, day),
        worklist: worklist(data, &departments),
        totals: PlanTotals {
            lunch: includes(only, Meal::Lunch).then_some(lunch),
            dinner: includes(only, Meal::Dinner).then_some(dinner),
        },
        departments,
        warnings,
    }
}

/// The seven day plans of the loaded week and their sums.
pub fn week_plan(data: &WeekData, only: Option<Meal>) -> WeekPlan {
    let days: Vec<DayPlan> = (1..=7).map(|day| day_plan(data, day, only)).collect();
    let mut totals = PlanTotals::default();
    for plan in &days {
        totals.add(data, &plan.totals);
    }
    WeekPlan {
        site_id: data.site.id,
        year: data.week.year,
        week: data.week.week,
        first_day: data.week.monday(),
        last_day: data.week.monday() + chrono::Duration::days(6),
        published: data.is_published(),
        days,
        totals,
    }
}

/// A date `YYYY-MM-DD` in a week the platform plans (years 2000-2100).
pub fn date_from_path(text: &str) -> Result<NaiveDate, AppError> {
    let invalid = || AppError::validation("date", "must be a date written YYYY-MM-DD");
    if text.len() != 10 {
        return Err(invalid());
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| invalid())?;
    let week = IsoWeek::containing(date);
    IsoWeek::new(week.year, week.week)
        .map_err(|error| AppError::validation("date", error.to_string()))?;
    Ok(date)
}

/// How many whole-site weeks load at once. A site's week with hundreds of departments is
/// a few megabytes while it is read; the work is CPU-bound on either backend, so more at
/// once would only hold more memory while queueing for the same cores.
static SITE_WEEKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// The site's week, every live department, for a caller already admitted to the site.
pub async fn load_site_week(
    state: &AppState,
    caller: &galley_core::auth::Caller,
    site_id: i64,
    week: IsoWeek,
) -> Result<WeekData, AppError> {
    let tenant = tenant_of(caller)?;
    let _permit = SITE_WEEKS
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("site week loading is closed: {e}")))?;
    let mut pooled = state.db.get().await?;
    let setups = crate::plan::data::setups(state);
    WeekData::load_remembered(
        &mut pooled.conn(),
        &setups,
        tenant,
        site_id,
        week,
        Scope::Site,
    )
    .await?
    .ok_or(AppError::NotFound)
}

/// The day's plan: per department R, S per diet, N and the lunch alternative; the site's
/// totals (normal portions per alternative, special portions per diet, desserts, kvällsmat);
/// the special-diet worklist; allergen warnings; the day's dishes.
#[utoipa::path(get, path = "/api/v1/municipal/sites/{site_id}/planning/{date}", tag = "planning",
    params(("site_id" = i64, Path), ("date" = String, Path, description = "YYYY-MM-DD"), MealQuery),
    responses((status = 200, body = DayPlan), (status = 304), (status = 403), (status = 404), (status = 422)))]
pub async fn day(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<KitchenReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, date)): Path<(i64, String)>,
    ApiQuery(query): ApiQuery<MealQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let date = date_from_path(&date)?;
    let week = IsoWeek::containing(date);
    let day = date.weekday().number_from_monday();
    let meal = query.meal;
    let read = SiteRead::DayPlan { day, meal };
    site_answer(&state, &caller, site_id, week, read, &headers, |data| {
        day_plan(data, day, meal)
    })
    .await
}

/// The week's plan: the seven day plans (as in the day endpoint) and their sums.
#[utoipa::path(get, path = "/api/v1/municipal/sites/{site_id}/planning/weeks/{year}/{week}", tag = "planning",
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path), MealQuery),
    responses((status = 200, body = WeekPlan), (status = 304), (status = 403), (status = 404), (status = 422)))]
pub async fn week(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<KitchenReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
    ApiQuery(query): ApiQuery<MealQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let meal = query.meal;
    let read = SiteRead::WeekPlan { meal };
    site_answer(&state, &caller, site_id, week, read, &headers, |data| {
        week_plan(data, meal)
    })
    .await
}
