//! `/offshore/me`: a person linked to crew sees their own published shifts, month by month, on
//! their phone.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use galley_core::http::AppError;
use galley_core::people::api::utc;
use galley_core::people::sites;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::page_error;
use galley_core::web::{Page, dates, render};
use serde::Deserialize;

use super::{month_of, month_param, t};
use crate::api::TenantMembers;
use crate::rota::{crew, shifts};

pub fn router() -> Router<AppState> {
    Router::new().route("/me", get(mine))
}

#[derive(Debug, Default, Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

pub struct ShiftLine {
    pub date: String,
    pub kind: String,
    pub class: &'static str,
    pub hours: String,
}

#[derive(Template)]
#[template(path = "offshore/mine.html")]
struct MineTemplate {
    page: Page,
    linked: bool,
    name: String,
    month_text: String,
    previous_href: String,
    next_href: String,
    shifts: Vec<ShiftLine>,
}

async fn mine(
    State(state): State<AppState>,
    console: Console<TenantMembers>,
    Query(query): Query<MonthQuery>,
) -> Response {
    match build(&state, &console, &query).await {
        Ok(template) => render(StatusCode::OK, &template),
        Err(error) => page_error(error),
    }
}

async fn build(
    state: &AppState,
    console: &Console<TenantMembers>,
    query: &MonthQuery,
) -> Result<MineTemplate, AppError> {
    let page = console.page.clone();
    let tenant = console.caller.tenant_id.ok_or(AppError::NotFound)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let member = match console.caller.user_id {
        Some(user) => crew::of_user(conn, user).await?,
        None => None,
    };
    let site = match &member {
        Some(member) => sites::find(conn, tenant, member.site_id).await?,
        None => None,
    };
    let zone = site
        .as_ref()
        .map_or(chrono_tz::UTC, galley_core::people::sites::Site::zone);
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    let (first, last) = month_of(query.month.as_deref(), today).ok_or(AppError::NotFound)?;
    let href = |month: NaiveDate| format!("/offshore/me?month={}", month_param(month));
    let mut lines = Vec::new();
    if let Some(member) = &member {
        for row in shifts::of_crew(conn, member.id, first, last, true).await? {
            let local = |at| utc(at).with_timezone(&zone).format("%H:%M").to_string();
            let hours = match (row.starts_at, row.ends_at) {
                (Some(start), Some(end)) => format!("{}–{}", local(start), local(end)),
                _ => String::new(),
            };
            lines.push(ShiftLine {
                date: format!(
                    "{} {}",
                    dates::weekday(&page, row.date),
                    dates::day_month(&page, row.date)
                ),
                kind: t(&page, &format!("rota.kind.{}", row.kind)),
                class: match row.kind.as_str() {
                    "day" => "day",
                    "night" => "night",
                    _ => "swing",
                },
                hours,
            });
        }
    }
    Ok(MineTemplate {
        linked: member.is_some(),
        name: member.map(|m| m.name).unwrap_or_default(),
        month_text: dates::month_year(&page, first),
        previous_href: href(first - chrono::Months::new(1)),
        next_href: href(first + chrono::Months::new(1)),
        shifts: lines,
        page,
    })
}
