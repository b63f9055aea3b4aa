//! `/api/v1/municipal/sites/{site_id}/reports/weekly/{year}/{week}`: the finance office's
//! weekly report. The numbers are `report::build::weekly` of the same `WeekData` the plans
//! are computed from, so the report's totals are the plans' totals.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use galley_core::auth::Allowed;
use galley_core::http::AppError;
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::menu_api::week_from_path;
use galley_core::state::AppState;
use utoipa::OpenApi;

use super::KitchenReaders;
use super::planning::load_site_week;
use crate::report::build;
use crate::report::model::WeeklyReport;

pub fn router() -> Router<AppState> {
    Router::new().route("/sites/{site_id}/reports/weekly/{year}/{week}", get(weekly))
}

#[derive(OpenApi)]
#[openapi(
    paths(weekly),
    tags((name = "reports", description = "Weekly reports for the finance office"))
)]
pub struct ReportsApi;

/// The week's report: per department and meal, residents, special (billable) and normal
/// portions, lunch split by alternative, special portions per diet; and the site totals.
#[utoipa::path(get, path = "/api/v1/municipal/sites/{site_id}/reports/weekly/{year}/{week}", tag = "reports",
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path)),
    responses((status = 200, body = WeeklyReport), (status = 403), (status = 404), (status = 422)))]
pub async fn weekly(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<KitchenReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let data = load_site_week(&state, &caller, site_id, week).await?;
    Ok(axum::Json(build::weekly(&data)).into_response())
}
