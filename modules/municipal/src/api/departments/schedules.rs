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
use crate::departments::{self, Department, setup};

/// Residents Monday to Sunday, or `null` for no schedule. The field must be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekdaySchedule {
    #[serde(deserialize_with = "super::nullable")]
    #[schema(schema_with = crate::api::schemas::weekday_counts, required = true)]
    pub weekdays: Option<Vec<i32>>,
}

/// Which schedule: the standing one, or one week's.
#[derive(Debug, Clone, Copy)]
enum Which {
    Standing,
    Week(IsoWeek),
}

/// The schedule as stored; a weekday without a row (never written so) counts the fixed number.
async fn load(
    conn: &mut DbConn<'_>,
    department: &Department,
    which: Which,
) -> Result<WeekdaySchedule, AppError> {
    let rows = match which {
        Which::Standing => setup::standing_of(conn, &[department.id]).await?,
        Which::Week(week) => setup::week_of(conn, &[department.id], week).await?,
    };
    if rows.is_empty() {
        return Ok(WeekdaySchedule { weekdays: None });
    }
    let mut weekdays = vec![department.residents; 7];
    for (_, weekday, residents) in rows {
        if let Some(slot) = usize::try_from(weekday - 1)
            .ok()
            .and_then(|i| weekdays.get_mut(i))
        {
            *slot = residents;
        }
    }
    Ok(WeekdaySchedule {
        weekdays: Some(weekdays),
    })
}

fn check(body: &WeekdaySchedule) -> Result<Vec<(i32, i32)>, AppError> {
    let Some(weekdays) = &body.weekdays else {
        return Ok(Vec::new());
    };
    let mut errors = Vec::new();
    if weekdays.len() != 7 {
        errors.push(FieldError {
            field: "weekdays".into(),
            reason: format!(
                "must list 7 counts, Monday to Sunday (got {})",
                weekdays.len()
            ),
        });
    }
    for (index, residents) in weekdays.iter().enumerate() {
        check_count(format!("weekdays[{index}]"), *residents, &mut errors);
    }
    fail_if_any(errors)?;
    Ok((1..=7).zip(weekdays.iter().copied()).collect())
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
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let before = load(conn, department, which).await?;
    if before == *body {
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
                "before": before.weekdays,
                "after": body.weekdays,
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
