//! `/api/v1/municipal/sites/{site_id}/coverage/{year}/{week}`: which departments still owe the
//! kitchen their week.
//!
//! What "not made" means, exactly:
//! - **choices**: the week's published menu offers Alt 2 on at least one day (a day where the
//!   department could choose), and the department has never saved a choice for the week (its
//!   department week has no `choices_at`). Saving all Alt 1 counts as made. While the menu is
//!   unpublished, or offers no Alt 2 at all, there is nothing to choose and nobody is missing.
//! - **marks**: the department has residents on at least one diet type that does not always
//!   apply (a diet default above 0), and it has never saved its diet marks for the week (no
//!   `marks_at`). Diets that always apply are counted without marks, so they never make a
//!   department missing.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use galley_core::auth::Allowed;
use galley_core::http::AppError;
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::menu_api::week_from_path;
use galley_core::state::AppState;
use serde::Serialize;
use utoipa::OpenApi;

use super::KitchenReaders;
use super::planning::load_site_week;
use crate::plan::{Meal, Warning, WeekData};

pub fn router() -> Router<AppState> {
    Router::new().route("/sites/{site_id}/coverage/{year}/{week}", get(read))
}

#[derive(OpenApi)]
#[openapi(
    paths(read),
    tags((name = "coverage", description = "Departments that have not made their choices or diet marks"))
)]
pub struct CoverageApi;

/// A department that still owes something for the week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CoverageGap {
    pub department_id: i64,
    pub name: String,
    /// No choice saved for the week although the menu offers Alt 2 on some day.
    pub choices_missing: bool,
    /// No diet marks saved for the week although the department has residents on a diet
    /// that needs them.
    pub marks_missing: bool,
    /// The diets that need marks (names, the site's order); empty unless `marks_missing`.
    pub diets_to_mark: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CoverageCounts {
    /// Live departments of the site.
    pub departments: usize,
    /// Departments that owe nothing.
    pub complete: usize,
    pub without_choices: usize,
    pub without_marks: usize,
}

/// A department-meal planned with more special portions than residents: a count to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CountToFix {
    pub department_id: i64,
    pub name: String,
    /// 1 = Monday ... 7 = Sunday.
    pub day: u32,
    pub date: chrono::NaiveDate,
    #[schema(value_type = String, example = "lunch")]
    pub meal: &'static str,
    pub residents: i64,
    pub special: i64,
}

/// Who has not made their choices or marks for a week.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub site_id: i64,
    pub year: i32,
    pub week: u32,
    pub published: bool,
    /// Days (1 = Monday) on which the published menu offers Alt 2; empty: nothing to choose.
    pub alt2_days: Vec<u32>,
    /// The departments missing something, by name.
    pub missing: Vec<CoverageGap>,
    /// Department-meals whose marked diets exceed their residents, by department and day.
    pub counts_to_fix: Vec<CountToFix>,
    /// Diets with residents that are not marked for a meal whose dish (from the published
    /// menu) contains an allergen they exclude, or has its allergens not stated: unless the
    /// department marks them, those residents get the dish. By department and day.
    pub diets_falling_through: Vec<Warning>,
    pub counts: CoverageCounts,
}

/// Coverage of the loaded week (see the module documentation for the rules).
pub fn coverage(data: &WeekData) -> Coverage {
    let alt2_days: Vec<u32> = (1..=7).filter(|day| data.alt2_available(*day)).collect();
    let mut counts = CoverageCounts {
        departments: data.departments.len(),
        ..CoverageCounts::default()
    };
    let mut missing = Vec::new();
    let mut counts_to_fix = Vec::new();
    let mut diets_falling_through = Vec::new();
    for department in &data.departments {
        for day in 1..=7 {
            let plan = data.department_day(department, day);
            if data.is_published() {
                diets_falling_through.extend(
                    data.warnings(department, &plan)
                        .into_iter()
                        .filter(|warning| !warning.marked),
                );
            }
            for meal in Meal::ALL {
                let counts = plan.meal(meal);
                if counts.over_residents() {
                    counts_to_fix.push(CountToFix {
                        department_id: department.id,
                        name: department.name.clone(),
                        day,
                        date: data.week.day(day).unwrap_or_else(|| data.week.monday()),
                        meal: meal.as_str(),
                        residents: counts.residents,
                        special: counts.special,
                    });
                }
            }
        }
        let state = data.state(department.id);
        let choices_missing = !alt2_days.is_empty() && state.choices_at.is_none();
        let diets_to_mark: Vec<String> = if state.marks_at.is_none() {
            data.diet_defaults(department.id)
                .into_iter()
                .filter(|(diet, count)| !diet.always_applies && *count > 0)
                .map(|(diet, _)| diet.name.clone())
                .collect()
        } else {
            Vec::new()
        };
        let marks_missing = !diets_to_mark.is_empty();
        counts.without_choices += usize::from(choices_missing);
        counts.without_marks += usize::from(marks_missing);
        if choices_missing || marks_missing {
            missing.push(CoverageGap {
                department_id: department.id,
                name: department.name.clone(),
                choices_missing,
                marks_missing,
                diets_to_mark,
            });
        } else {
            counts.complete += 1;
        }
    }
    Coverage {
        site_id: data.site.id,
        year: data.week.year,
        week: data.week.week,
        published: data.is_published(),
        alt2_days,
        missing,
        counts_to_fix,
        diets_falling_through,
        counts,
    }
}

/// Departments that have not made their lunch choices or their diet marks for the week.
/// Choices are missing when the published menu offers Alt 2 on some day and the department
/// has never saved a choice for the week; marks are missing when the department has residents
/// on a diet that does not always apply and has never saved its marks for the week.
/// Not paginated: one computed report of one week, at most one line per department.
#[utoipa::path(get, path = "/api/v1/municipal/sites/{site_id}/coverage/{year}/{week}", tag = "coverage",
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path)),
    responses((status = 200, body = Coverage), (status = 403), (status = 404), (status = 422)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<KitchenReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let data = load_site_week(&state, &caller, site_id, week).await?;
    Ok(axum::Json(coverage(&data)).into_response())
}
