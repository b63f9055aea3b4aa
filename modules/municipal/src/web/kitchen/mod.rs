//! The kitchen's pages under `/municipal/kitchen/`: the day plan the cook works and prints
//! from, the week's choices with who has not chosen or marked yet, and the finance office's
//! weekly report with its downloads. Every number comes from the same functions as the API
//! (`api::planning::day_plan`, `api::coverage::coverage`, `report::build::weekly`).

mod plan;
mod reports;
pub mod start;
mod weeks;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use galley_core::state::AppState;

pub use start::{role_aware_start, start_page};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(plan::router())
        .merge(weeks::router())
        .merge(reports::router())
}

pub use galley_core::web::site_choice::{
    ChosenSite as KitchenSite, SiteQuery, chosen_site as kitchen_site, page_error,
};

/// One link of the kitchen's own navigation.
pub struct Section {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// Day plan, week overview and reports, with the kitchen kept.
pub fn sections(
    words: &crate::words::Words<'_>,
    kitchen: &KitchenSite,
    current: &str,
) -> Vec<Section> {
    let query = kitchen.query();
    [
        ("plan", "nav_plan"),
        ("weeks", "nav_week"),
        ("reports", "nav_reports"),
    ]
    .into_iter()
    .map(|(path, key)| Section {
        href: format!("/municipal/kitchen/{path}{query}"),
        label: words.t(key),
        current: path == current,
    })
    .collect()
}

#[derive(askama::Template)]
#[template(path = "kitchen/no_site.html")]
struct NoSiteTemplate {
    page: galley_core::web::Page,
}

/// The tenant has no kitchen yet: say so, and who can add one.
pub fn no_kitchen(page: galley_core::web::Page) -> Response {
    galley_core::web::render(StatusCode::OK, &NoSiteTemplate { page })
}
