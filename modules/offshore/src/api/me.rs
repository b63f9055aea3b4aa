//! `/api/v1/offshore/me/shifts`: a person linked to crew reads their own published shifts.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use galley_core::auth::Allowed;
use galley_core::http::{ApiQuery, AppError};
use galley_core::people::api::{tenant_of, utc};
use galley_core::people::sites;
use galley_core::state::AppState;
use serde::Serialize;
use utoipa::OpenApi;

use super::schedule::RangeIn;
use super::{TenantMembers, text};
use crate::rota::{crew, shifts};
use crate::rotation::pattern::DayKind;
use crate::rotation::position::Position;

pub fn router() -> Router<AppState> {
    Router::new().route("/me/shifts", get(mine))
}

#[derive(OpenApi)]
#[openapi(
    paths(mine),
    tags((name = "offshore me", description = "Your own shifts, when your account is linked to crew"))
)]
pub struct MeApi;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyShift {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// HH:MM in the site's time zone.
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyShifts {
    pub crew_id: i64,
    pub name: String,
    pub position: Position,
    pub site_id: i64,
    pub timezone: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Published shifts only.
    pub shifts: Vec<MyShift>,
}

/// Your published shifts in the range. 404 when your account is not linked to crew.
#[utoipa::path(get, path = "/api/v1/offshore/me/shifts", tag = "offshore me", params(RangeIn),
    responses((status = 200, body = MyShifts), (status = 404), (status = 422)))]
pub async fn mine(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<TenantMembers>,
    ApiQuery(query): ApiQuery<RangeIn>,
) -> Result<Response, AppError> {
    let range = text::range(query.from, query.to)?;
    let tenant = tenant_of(&caller)?;
    let user_id = caller.user_id.ok_or(AppError::NotFound)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let member = crew::of_user(conn, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let site = sites::find(conn, tenant, member.site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let zone = site.zone();
    let rows = shifts::of_crew(conn, member.id, range.first, range.last, true).await?;
    let local = |at: DateTime<Utc>| at.with_timezone(&zone).format("%H:%M").to_string();
    let out = MyShifts {
        crew_id: member.id,
        name: member.name.clone(),
        position: member.position(),
        site_id: site.id,
        timezone: site.timezone.clone(),
        from: range.first,
        to: range.last,
        shifts: rows
            .iter()
            .map(|row| MyShift {
                date: row.date,
                kind: DayKind::parse(&row.kind).unwrap_or(DayKind::Swing),
                starts_at: row.starts_at.map(utc),
                ends_at: row.ends_at.map(utc),
                start: row.starts_at.map(|at| local(utc(at))),
                end: row.ends_at.map(|at| local(utc(at))),
            })
            .collect(),
    };
    Ok(axum::Json(out).into_response())
}
