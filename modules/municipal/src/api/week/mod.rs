//! A department's week: `GET /me/department`, the week with its published menu, choices, diet
//! marks and portions, and the two writes (a day's lunch choice, diet marks). Department staff
//! reach only their own department; after the kitchen's deadline only cooks and admins change
//! a week.

pub mod ops;
mod ready;
pub mod view;
pub mod whole;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use galley_core::auth::{Allowed, Role};
use galley_core::http::concurrency::{if_match, with_etag};
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::menu_api::week_from_path;
use galley_core::people::api::tenant_of;
use galley_core::people::sites;
use galley_core::state::AppState;
use serde::Deserialize;
use utoipa::OpenApi;

use super::access::{DepartmentAccess, own_department, reachable};
use super::{WeekReaders, WeekWriters};
use crate::plan::Alt;
pub use ops::MarkIn;
pub use view::{DepartmentOut, WeekOut, week_etag};
pub use whole::{DayAnswerIn, DayMarkIn, WeekAnswersIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/department", get(my_department))
        .route("/departments/{id}/weeks/{year}/{week}", get(read))
        .route(
            "/departments/{id}/weeks/{year}/{week}/choices/{day}",
            put(set_choice),
        )
        .route(
            "/departments/{id}/weeks/{year}/{week}/marks",
            put(set_marks),
        )
        .route("/departments/{id}/weeks/{year}/{week}/days", put(set_days))
}

#[derive(OpenApi)]
#[openapi(
    paths(my_department, read, set_choice, set_marks, set_days),
    tags((name = "municipal-week", description = "A department's week: menu, choices, diet marks"))
)]
pub struct WeekApi;

/// A day's lunch choice.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceIn {
    /// `alt2` only on a day whose menu offers it.
    pub lunch: Alt,
}

/// Diet marks to set or clear; marks not listed stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarksIn {
    /// At most 14 per diet type of the kitchen (7 days, 2 meals).
    pub marks: Vec<MarkIn>,
}

/// The signed-in department user's department and its kitchen. An unbound department user
/// gets 403 saying so; kitchen roles have no department of their own and get 404 (they pick
/// one from the departments list).
#[utoipa::path(get, path = "/api/v1/municipal/me/department", tag = "municipal-week",
    responses((status = 200, body = DepartmentOut), (status = 403), (status = 404)))]
pub async fn my_department(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<WeekReaders>,
) -> Result<Response, AppError> {
    if caller.role != Role::Department {
        return Err(AppError::NotFound);
    }
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let department = own_department(conn, &caller).await?;
    let site = sites::find(conn, tenant, department.site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(axum::Json(DepartmentOut {
        id: department.id,
        name: department.name,
        site_id: site.id,
        site_name: site.name,
    })
    .into_response())
}

/// The department's week: the published menu (nothing while unpublished), the stored and
/// effective choice per day, residents, diets with their marks, portions, the deadline and
/// whether the menu changed since this person last looked. Honours `If-None-Match`.
#[utoipa::path(get, path = "/api/v1/municipal/departments/{id}/weeks/{year}/{week}",
    tag = "municipal-week",
    params(("id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path)),
    responses((status = 200, body = WeekOut), (status = 304), (status = 404), (status = 422)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<WeekReaders>,
    headers: HeaderMap,
    Path((id, year, week)): Path<(String, i32, u32)>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let week = week_from_path(year, week);
    if let Ok(week) = week
        && let Some(ready) = ready::from_memory(&state, &caller, id, week, &headers)
    {
        return Ok(ready);
    }
    // An unknown department is 404 before a malformed week is 422, as for every other path.
    let department = reachable(&state, &caller, id).await?;
    ready::answer(&state, &caller, &department, week?, &headers).await
}

/// Choose Alt 1 or Alt 2 for a day's lunch. Needs `If-Match` with the week's ETag. Alt 2 only
/// where the published menu has one; after the deadline only cooks and admins.
#[utoipa::path(put, path = "/api/v1/municipal/departments/{id}/weeks/{year}/{week}/choices/{day}",
    tag = "municipal-week", request_body = ChoiceIn,
    params(("id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path),
        ("day" = i32, Path, description = "1 = Monday ... 7 = Sunday"), ("If-Match" = String, Header)),
    responses((status = 200, body = WeekOut), (status = 403), (status = 404), (status = 412),
        (status = 422), (status = 428)))]
pub async fn set_choice(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<WeekWriters>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
    Path((_id, year, week, day)): Path<(i64, i32, u32, i32)>,
    ApiJson(body): ApiJson<ChoiceIn>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let out = ops::change_choice(
        &state,
        &caller,
        &department,
        week,
        day,
        body.lunch,
        if_match(&headers),
    )
    .await?;
    Ok(with_etag(&HeaderMap::new(), out.etag.clone(), &out))
}

/// Set or clear diet marks, all or nothing. Needs `If-Match` with the week's ETag. A diet that
/// always applies is marked already: `marked: true` for it is accepted and changes nothing,
/// `marked: false` is refused (422 on `marks[i].marked`). After the deadline only cooks and
/// admins.
#[utoipa::path(put, path = "/api/v1/municipal/departments/{id}/weeks/{year}/{week}/marks",
    tag = "municipal-week", request_body = MarksIn,
    params(("id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = WeekOut), (status = 403), (status = 404), (status = 412),
        (status = 422), (status = 428)))]
pub async fn set_marks(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<WeekWriters>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
    Path((_id, year, week)): Path<(i64, i32, u32)>,
    ApiJson(body): ApiJson<MarksIn>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let out = ops::change_marks(
        &state,
        &caller,
        &department,
        week,
        &body.marks,
        if_match(&headers),
    )
    .await?;
    Ok(with_etag(&HeaderMap::new(), out.etag.clone(), &out))
}

/// The whole week at once: per day the lunch choice and the diet marks, all or nothing, in one
/// version and one audit row (`week.changed`). Needs `If-Match` with the week's ETag. Days not
/// listed, a day without `lunch` and marks not listed stay as they are. The per-day rules
/// apply to every day (Alt 2 only where the published menu has one; marks as in `.../marks`);
/// one bad entry refuses the request with 422 naming it (`days[3].lunch`,
/// `days[0].marks[1].diet_type_id`) and nothing changes. After the deadline only cooks and
/// admins (403 naming the deadline); stale ETag 412 with `current_etag`.
#[utoipa::path(put, path = "/api/v1/municipal/departments/{id}/weeks/{year}/{week}/days",
    tag = "municipal-week", request_body = WeekAnswersIn,
    params(("id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = WeekOut), (status = 403), (status = 404), (status = 412),
        (status = 422), (status = 428)))]
pub async fn set_days(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<WeekWriters>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
    Path((_id, year, week)): Path<(i64, i32, u32)>,
    ApiJson(body): ApiJson<WeekAnswersIn>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let out = whole::change_week(
        &state,
        &caller,
        &department,
        week,
        &body,
        if_match(&headers),
    )
    .await?;
    Ok(with_etag(&HeaderMap::new(), out.etag.clone(), &out))
}
