//! The offshore pages, mounted at `/offshore`: the rota (a month of shifts per person, with
//! cover and the working-time checks; generate, apply and publish for admins; its settings and
//! single shifts), each person's own shifts, the galley board, the day's prep list and the
//! freezer, messages, the waste log with portion advice and import, and the menu cycle.

mod board;
mod crew;
mod freezer;
pub mod messages;
mod mine;
mod prep;
mod rota;
mod rota_settings;
mod rota_shift;
// Waste, portion advice, the waste import and the menu cycle.
mod cycle;
mod portion;
mod waste;
mod waste_import;
mod waste_words;
// Recipes, writing them, and the day's shopping list.
mod recipe_form;
mod recipes;
mod shopping;

use axum::Router;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use galley_core::state::AppState;
use galley_core::web::Page;
use galley_core::web::assets::{Asset, respond};

pub use messages::PATH as MESSAGES_PATH;

const ASSETS: &[Asset] = &[Asset {
    name: "offshore.css",
    content_type: "text/css; charset=utf-8",
    body: include_str!("../../static/offshore.css"),
}];

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(galley_core::web::module_landing(&crate::Offshore))
        .route("/static/{name}", get(asset))
        .merge(rota::router())
        .merge(rota_settings::router())
        .merge(rota_shift::router())
        .merge(board::router())
        .merge(mine::router())
        .merge(crew::router())
        .merge(prep::router())
        .merge(freezer::router())
        .merge(messages::router())
        .merge(waste::router())
        .merge(portion::router())
        .merge(waste_import::router())
        .merge(cycle::router())
        .merge(recipe_form::router())
        .merge(recipes::router())
        .merge(shopping::router())
}

async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    respond(ASSETS, &name, &headers)
}

/// The galley a page or form names (`site=`), or the reader's own; 404 when it is not theirs
/// or the tenant has none.
pub(crate) async fn site_of(
    state: &AppState,
    caller: &galley_core::auth::Caller,
    site: Option<String>,
) -> Result<galley_core::web::site_choice::ChosenSite, galley_core::http::AppError> {
    let query = galley_core::web::site_choice::SiteQuery { site };
    galley_core::web::site_choice::chosen_site(state, caller, &query)
        .await?
        .ok_or(galley_core::http::AppError::NotFound)
}

/// `?month=2026-03`: the first and last day of that month, or of `today`'s.
pub fn month_of(text: Option<&str>, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let first = match text.filter(|t| !t.is_empty()) {
        Some(text) => NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok()?,
        None => today.with_day(1)?,
    };
    if !(2000..=2100).contains(&first.year()) {
        return None;
    }
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some((first, next.pred_opt()?))
}

/// `2026-03` for links.
pub fn month_param(first: NaiveDate) -> String {
    first.format("%Y-%m").to_string()
}

/// The translation of `offshore.{key}`.
pub fn t(page: &Page, key: &str) -> String {
    page.t(&format!("offshore.{key}")).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_from_the_query_or_today() {
        let today = NaiveDate::from_ymd_opt(2026, 2, 14).unwrap();
        let feb = month_of(None, today).unwrap();
        assert_eq!(feb.1, NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        let dec = month_of(Some("2026-12"), today).unwrap();
        assert_eq!(dec.1, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(month_of(Some("2026-13"), today), None);
        assert_eq!(month_of(Some("3026-01"), today), None);
        assert_eq!(month_of(Some("x"), today), None);
    }
}
