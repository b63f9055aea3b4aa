//! The department week as the API answers it and the portal shows it: the published menu, the
//! department's choices and diet marks, and the portions the planning rules make of them.

use chrono::{DateTime, NaiveDate, Utc};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menu_api::{MenuDish, dish_of};
use serde::Serialize;

use crate::departments::Department;
use crate::plan::{Alt, Meal, MealPlan, Warning, WeekData};

/// What the week's ETag is made of.
#[derive(Debug, Clone, Copy)]
pub struct WeekVersions {
    /// The department's choices and marks.
    pub week: i64,
    /// The published menu (0 while nothing is published).
    pub menu: i64,
    /// The department itself: residents, diet defaults and schedules.
    pub department: i64,
    /// The site's settings (deadline, weekend Alt 2); 0 for the defaults.
    pub settings: i64,
    /// Whether choices are still open: the answer changes at the deadline.
    pub open: bool,
}

impl WeekVersions {
    /// The versions of the department's week in `data` as of `now`.
    pub fn of(data: &WeekData, department: &Department, now: DateTime<Utc>) -> Self {
        let published = data.is_published();
        WeekVersions {
            week: data.state(department.id).version,
            menu: data
                .menu
                .as_ref()
                .filter(|_| published)
                .map_or(0, |m| m.version),
            department: department.version,
            settings: data.settings.version,
            open: now < data.settings.deadline(data.week, data.timezone),
        }
    }

    /// The ETag they make: what a write checks `If-Match` against, without building the week.
    pub fn etag(self, department_id: i64, week: IsoWeek) -> String {
        week_etag(department_id, week, self)
    }
}

/// The week's strong ETag: it moves whenever the answer would, so a write made against an
/// older menu, older counts or before the deadline passed is refused, and a 304 is never
/// stale. The department id comes first: load tests read it back.
pub fn week_etag(department_id: i64, week: IsoWeek, versions: WeekVersions) -> String {
    format!(
        "\"dept-week-{department_id}-{}w{}-v{}-m{}-d{}-s{}-{}\"",
        week.year,
        week.week,
        versions.week,
        versions.menu,
        versions.department,
        versions.settings,
        if versions.open { "open" } else { "closed" }
    )
}

/// A department and the kitchen that serves it.
// Named apart from the department resource's `DepartmentOut`: components merge by name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = WeekDepartment)]
pub struct DepartmentOut {
    pub id: i64,
    pub name: String,
    pub site_id: i64,
    pub site_name: String,
}

/// One department's week.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WeekOut {
    pub department: DepartmentOut,
    pub year: i32,
    pub week: u32,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Whether the kitchen has published the week's menu; until then `days[].menu` is null
    /// and no choice can be made.
    pub menu_published: bool,
    /// The published menu's version; null while nothing is published.
    pub menu_version: Option<i64>,
    /// The menu was edited since this person last looked at it (department staff only;
    /// reading the week counts as looking).
    pub menu_changed: bool,
    /// Whether department staff may still change choices and marks; after the deadline only
    /// cooks and admins may.
    pub choices_open: bool,
    /// When choices close, RFC 3339 in the kitchen's time zone.
    pub deadline: String,
    /// The kitchen's time zone (IANA name).
    pub timezone: String,
    /// The version of the department's choices and marks for the week (0: none written).
    pub version: i64,
    /// The same as the `ETag` header: send it as `If-Match` when changing the week.
    pub etag: String,
    pub days: Vec<DayOut>,
}

/// One day of the department's week.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DayOut {
    /// 1 = Monday ... 7 = Sunday.
    pub day: u32,
    pub date: NaiveDate,
    /// The published menu of the day; null while the week is not published.
    pub menu: Option<DayMenu>,
    /// Alt 2 can be chosen: the published menu has one and the kitchen offers it that day.
    pub alt2_available: bool,
    /// The choice as stored (Alt 1 when none is).
    pub stored_choice: Alt,
    /// The department saved a choice for the day, even one equal to the default; false when
    /// the day falls to the default (Alt 1) because nobody chose.
    pub chosen: bool,
    /// The alternative the department will get.
    pub choice: Alt,
    /// Alt 2 was chosen but the menu no longer offers it: the department gets Alt 1.
    pub choice_lapsed: bool,
    pub lunch: MealOut,
    pub dinner: MealOut,
    /// Every diet type of the kitchen, with the department's residents on it.
    pub diets: Vec<DietDayOut>,
    /// The department's diets that exclude an allergen of a dish it gets that day (from the
    /// published menu), marked or not: marked, a special portion is cooked; not marked, those
    /// residents would get the dish.
    pub warnings: Vec<Warning>,
}

/// The dishes of one day, slot by slot; a slot without a dish is null.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DayMenu {
    pub alt1: Option<MenuDish>,
    pub alt2: Option<MenuDish>,
    pub dessert: Option<MenuDish>,
    /// Dinner's main dish ("kvällsmat").
    pub dinner: Option<MenuDish>,
}

/// Residents and portions of one meal.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[schema(as = WeekMeal)]
pub struct MealOut {
    /// Residents eating (R).
    pub residents: i64,
    /// Special-diet portions (S): residents on the diets marked for the meal.
    pub special: i64,
    /// Normal portions (N = R - S, at least 0).
    pub normal: i64,
    /// More special portions than residents (S > R): a count is wrong; fix the diet counts or
    /// the residents.
    pub over_residents: bool,
}

impl From<&MealPlan> for MealOut {
    fn from(plan: &MealPlan) -> Self {
        MealOut {
            residents: plan.residents,
            special: plan.special,
            normal: plan.normal,
            over_residents: plan.over_residents(),
        }
    }
}

/// A diet type on one day of the department.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DietDayOut {
    pub diet_type_id: i64,
    pub name: String,
    /// The department's residents on this diet (its diet defaults).
    pub residents: i64,
    /// Counted at every meal without a mark.
    pub always_applies: bool,
    pub lunch: MarkOut,
    pub dinner: MarkOut,
}

/// Whether a diet is to be cooked for a meal, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MarkOut {
    /// The diet counts for the meal: stored or implied.
    pub marked: bool,
    /// The department set the mark.
    pub stored: bool,
    /// The diet always applies, mark or not.
    pub implied: bool,
}

impl WeekOut {
    /// The department's week from the loaded data, as of `now`.
    pub fn build(
        data: &WeekData,
        department: &Department,
        menu_changed: bool,
        now: DateTime<Utc>,
    ) -> WeekOut {
        let week = data.week;
        let published = data.is_published();
        let menu_version = data.menu.as_ref().filter(|_| published).map(|m| m.version);
        let versions = WeekVersions::of(data, department, now);
        let version = versions.week;
        let deadline = data.settings.deadline(week, data.timezone);
        let days = (1..=7).map(|day| day_of(data, department, day)).collect();
        let choices_open = versions.open;
        WeekOut {
            department: DepartmentOut {
                id: department.id,
                name: department.name.clone(),
                site_id: data.site.id,
                site_name: data.site.name.clone(),
            },
            year: week.year,
            week: week.week,
            first_day: week.monday(),
            last_day: week.monday() + chrono::Duration::days(6),
            menu_published: published,
            menu_version,
            menu_changed,
            choices_open,
            deadline: deadline.with_timezone(&data.timezone).to_rfc3339(),
            timezone: data.timezone.name().to_owned(),
            version,
            etag: week_etag(department.id, week, versions),
            days,
        }
    }

    pub fn day(&self, day: u32) -> Option<&DayOut> {
        self.days.iter().find(|d| d.day == day)
    }
}

fn day_of(data: &WeekData, department: &Department, day: u32) -> DayOut {
    let plan = data.department_day(department, day);
    let published = data.is_published();
    let dish = |meal: Meal, slot: &str| data.dish(day, meal, slot).map(dish_of);
    let menu = published.then(|| DayMenu {
        alt1: dish(Meal::Lunch, "alt1"),
        alt2: dish(Meal::Lunch, "alt2"),
        dessert: dish(Meal::Lunch, "dessert"),
        dinner: dish(Meal::Dinner, "main"),
    });
    let diets = data
        .diet_defaults(department.id)
        .into_iter()
        .map(|(diet, residents)| {
            let mark = |meal: Meal| MarkOut {
                marked: data.is_marked(department.id, day, meal, diet),
                stored: data.mark_stored(department.id, day, meal, diet.id),
                implied: diet.always_applies,
            };
            DietDayOut {
                diet_type_id: diet.id,
                name: diet.name.clone(),
                residents,
                always_applies: diet.always_applies,
                lunch: mark(Meal::Lunch),
                dinner: mark(Meal::Dinner),
            }
        })
        .collect();
    DayOut {
        day,
        date: data.week.day(day).unwrap_or_else(|| data.week.monday()),
        menu,
        alt2_available: data.alt2_available(day),
        stored_choice: data.stored_choice(department.id, day),
        chosen: data.choice_stored(department.id, day),
        choice: plan.choice,
        choice_lapsed: plan.choice_lapsed,
        lunch: MealOut::from(&plan.lunch),
        dinner: MealOut::from(&plan.dinner),
        diets,
        warnings: if published {
            data.warnings(department, &plan)
        } else {
            Vec::new()
        },
    }
}
