//! A department's resident schedules: a standing one for every week
//! (`/departments/{id}/schedule`) and one for a single ISO week
//! (`/departments/{id}/weeks/{year}/{week}/residents`). Seven counts, Monday to Sunday, or
//! `null` for none; the plan then falls back to the next rule (week schedule, standing
//! schedule, the department's fixed count).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use galley_core::audit::Entry;
use galley_core::auth::{Allowed, Caller};
use galley_core::db::DbConn;
use galley_core::http::concurrency::{check_precondition, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menu_api::week_from_path;
use galley_core::people::api::{fail_if_any, tenant_of};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::crud::current_etag;
use super::{check_count, department_etag};
use crate::api::access::DepartmentAccess;
use crate::api::{Admins, WeekReaders};
use crate::departments::setup::{self, ScheduleDay};
use crate::departments::{self, Department};

/// A weekday schedule: lunch residents Monday to Sunday, dinner's where they differ, and days
/// left open (`null`) so that the next rule counts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekdaySchedule {
    #[serde(deserialize_with = "super::nullable")]
    #[schema(schema_with = crate::api::schemas::weekday_counts, required = true)]
    pub weekdays: Option<Vec<Option<i32>>>,
    #[serde(default)]
    #[schema(schema_with = crate::api::schemas::dinner_counts)]
    pub dinner: Option<Vec<Option<i32>>>,
}

impl WeekdaySchedule {
    /// No schedule: every day falls through to the next rule.
    pub fn none() -> WeekdaySchedule {
        WeekdaySchedule {
            weekdays: None,
            dinner: None,
        }
    }

    /// The schedule as stored rows say it: open days `null`, dinner only where it differs.
    fn from_rows(rows: &[ScheduleDay]) -> WeekdaySchedule {
        if rows.is_empty() {
            return WeekdaySchedule::none();
        }
        let mut weekdays = vec![None; 7];
        let mut dinner = vec![None; 7];
        for (weekday, lunch, evening) in rows {
            let Some(index) = usize::try_from(weekday - 1).ok().filter(|i| *i < 7) else {
                continue;
            };
            weekdays[index] = Some(*lunch);
            dinner[index] = evening.filter(|count| count != lunch);
        }
        WeekdaySchedule {
            weekdays: Some(weekdays),
            dinner: dinner.iter().any(Option::is_some).then_some(dinner),
        }
    }
}

/// Which schedule: the standing one, or one week's.
#[derive(Debug, Clone, Copy)]
enum Which {
    Standing,
    Week(IsoWeek),
}

/// The schedule as stored; a weekday without a row is open.
async fn load(
    conn: &mut DbConn<'_>,
    department: &Department,
    which: Which,
) -> Result<WeekdaySchedule, AppError> {
    let rows = match which {
        Which::Standing => setup::standing_of(conn, &[department.id]).await?,
        Which::Week(week) => setup::week_of(conn, &[department.id], week).await?,
    };
    let days: Vec<ScheduleDay> = rows
        .into_iter()
        .map(|(_, weekday, lunch, dinner)| (weekday, lunch, dinner))
        .collect();
    Ok(WeekdaySchedule::from_rows(&days))
}

/// The rows a schedule asks for: one per day that is not open, dinner only where it differs.
fn check(body: &WeekdaySchedule) -> Result<Vec<ScheduleDay>, AppError> {
    let mut errors = Vec::new();
    let dinner = body.dinner.as_deref().unwrap_or_default();
    if body.dinner.is_some() && dinner.len() != 7 {
        errors.push(FieldError {
            field: "dinner".into(),
            reason: format!(
                "must list 7 counts or nulls, Monday to Sunday (got {})",
                dinner.len()
            ),
        });
    }
    let Some(weekdays) = &body.weekdays else {
        if dinner.iter().any(Option::is_some) {
            errors.push(FieldError {
                field: "dinner".into(),
                reason: "dinner counts need a schedule: send the lunch counts in weekdays".into(),
            });
        }
        fail_if_any(errors)?;
        return Ok(Vec::new());
    };
    if weekdays.len() != 7 {
        errors.push(FieldError {
            field: "weekdays".into(),
            reason: format!(
                "must list 7 counts or nulls, Monday to Sunday (got {})",
                weekdays.len()
            ),
        });
    }
    let mut rows = Vec::new();
    for (index, lunch) in weekdays.iter().enumerate().take(7) {
        let evening = dinner.get(index).copied().flatten();
        match lunch {
            Some(lunch) => {
                check_count(format!("weekdays[{index}]"), *lunch, &mut errors);
                if let Some(evening) = evening {
                    check_count(format!("dinner[{index}]"), evening, &mut errors);
                }
                let weekday = index as i32 + 1;
                rows.push((weekday, *lunch, evening.filter(|count| count != lunch)));
            }
            None if evening.is_some() => errors.push(FieldError {
                field: format!("dinner[{index}]"),
                reason: format!(
                    "the day is open (weekdays[{index}] is null): give its lunch count too"
                ),
            }),
            None => {}
        }
    }
    fail_if_any(errors)?;
    Ok(rows)
}

async fn replace(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    expected: Option<&str>,
    which: Which,
    body: &WeekdaySchedule,
) -> Result<(Department, WeekdaySchedule), AppError> {
    let tenant = tenant_of(caller)?;
    check_precondition(expected, &department_etag(department))?;
    let rows = check(body)?;
    let wanted = WeekdaySchedule::from_rows(&rows);
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let before = load(conn, department, which).await?;
    if before == wanted {
        return Ok((department.clone(), before));
    }
    let (action, week) = match which {
        Which::Standing => ("standing_schedule.replaced", json!(null)),
        Which::Week(week) => (
            "week_schedule.replaced",
            json!({ "year": week.year, "week": week.week }),
        ),
    };
    galley_core::versioned_write!(
        conn,
        |tx| {
            // A week's own schedule belongs to that week; only the standing one is set-up.
            if matches!(which, Which::Standing) {
                crate::plan::history::keep(tx, tenant, department.site_id).await?;
            }
            let bumped = departments::bump(tx, department).await?;
            if bumped {
                match which {
                    Which::Standing => setup::replace_standing(tx, department.id, &rows).await?,
                    Which::Week(week) => setup::replace_week(tx, department.id, week, &rows).await?,
                }
            }
            bumped
        },
        audit: Entry::new(action, caller.actor(), Some(tenant))
            .target("department", department.id)
            .details(json!({
                "week": week,
                "before": before,
                "after": wanted,
            })),
        on_conflict: current_etag(conn, tenant, department.id).await,
    )?;
    let updated = departments::find(conn, tenant, department.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let schedule = load(conn, &updated, which).await?;
    Ok((updated, schedule))
}

/// The department's standing weekday schedule.
pub async fn standing(
    state: &AppState,
    department: &Department,
) -> Result<WeekdaySchedule, AppError> {
    let mut pooled = state.db.get().await?;
    load(&mut pooled.conn(), department, Which::Standing).await
}

/// The department's schedule for one week only.
pub async fn week_schedule(
    state: &AppState,
    department: &Department,
    week: IsoWeek,
) -> Result<WeekdaySchedule, AppError> {
    let mut pooled = state.db.get().await?;
    load(&mut pooled.conn(), department, Which::Week(week)).await
}

/// Replaces (or with `null` removes) the standing schedule.
pub async fn replace_standing(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    expected: Option<&str>,
    body: &WeekdaySchedule,
) -> Result<(Department, WeekdaySchedule), AppError> {
    replace(state, caller, department, expected, Which::Standing, body).await
}

/// Replaces (or with `null` removes) one week's schedule.
pub async fn replace_week(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    expected: Option<&str>,
    week: IsoWeek,
    body: &WeekdaySchedule,
) -> Result<(Department, WeekdaySchedule), AppError> {
    replace(state, caller, department, expected, Which::Week(week), body).await
}

/// The standing weekday schedule (`null`: the fixed count applies).
#[utoipa::path(get, path = "/api/v1/municipal/departments/{id}/schedule",
    tag = "municipal departments", params(("id" = i64, Path)),
    responses((status = 200, body = WeekdaySchedule), (status = 304), (status = 404)))]
pub async fn read_standing(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<WeekReaders>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let schedule = standing(&state, &department).await?;
    Ok(with_etag(&headers, department_etag(&department), &schedule))
}

/// Replace or remove the standing schedule. Needs the department's `If-Match`.
#[utoipa::path(put, path = "/api/v1/municipal/departments/{id}/schedule",
    tag = "municipal departments", request_body = WeekdaySchedule,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = WeekdaySchedule), (status = 404), (status = 412),
        (status = 422), (status = 428)))]
pub async fn put_standing(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
    ApiJson(body): ApiJson<WeekdaySchedule>,
) -> Result<Response, AppError> {
    let (updated, schedule) =
        replace_standing(&state, &caller, &department, if_match(&headers), &body).await?;
    Ok(with_etag(
        &HeaderMap::new(),
        department_etag(&updated),
        &schedule,
    ))
}

/// The schedule of one ISO week only (`null`: the standing schedule or fixed count applies).
#[utoipa::path(get, path = "/api/v1/municipal/departments/{id}/weeks/{year}/{week}/residents",
    tag = "municipal departments",
    params(("id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path)),
    responses((status = 200, body = WeekdaySchedule), (status = 304), (status = 404),
        (status = 422)))]
pub async fn read_week(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<WeekReaders>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
    Path((_id, year, week)): Path<(i64, i32, u32)>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let schedule = week_schedule(&state, &department, week).await?;
    Ok(with_etag(&headers, department_etag(&department), &schedule))
}

/// Replace or remove one week's schedule. Needs the department's `If-Match`.
#[utoipa::path(put, path = "/api/v1/municipal/departments/{id}/weeks/{year}/{week}/residents",
    tag = "municipal departments", request_body = WeekdaySchedule,
    params(("id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path),
        ("If-Match" = String, Header)),
    responses((status = 200, body = WeekdaySchedule), (status = 404), (status = 412),
        (status = 422), (status = 428)))]
pub async fn put_week(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
    Path((_id, year, week)): Path<(i64, i32, u32)>,
    ApiJson(body): ApiJson<WeekdaySchedule>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let (updated, schedule) = replace_week(
        &state,
        &caller,
        &department,
        if_match(&headers),
        week,
        &body,
    )
    .await?;
    Ok(with_etag(
        &HeaderMap::new(),
        department_etag(&updated),
        &schedule,
    ))
}
