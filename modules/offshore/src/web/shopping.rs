//! `/offshore/shopping`: a day's shopping list for the galley, from the recipes of the dishes
//! the day serves, for the guest count typed (the crew count by default); printable.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::{SiteQuery, chosen_site, page_error};
use galley_core::web::{Page, dates, render};
use serde::Deserialize;

use crate::api::GalleyReaders;
use crate::api::shopping::shopping_of;

pub fn router() -> Router<AppState> {
    Router::new().route("/shopping", get(show))
}

#[derive(Debug, Default, Deserialize)]
pub struct ShoppingQuery {
    site: Option<String>,
    date: Option<String>,
    guests: Option<String>,
}

#[derive(Template)]
#[template(path = "offshore/shopping.html")]
struct ShoppingTemplate {
    page: Page,
    site_name: String,
    site_id: i64,
    date: String,
    /// "For 6 December 2026 · 40 guests", in the reader's words.
    summary: String,
    guests: u32,
    lines: Vec<(String, String, String)>,
    recipes: Vec<String>,
    without: Vec<String>,
}

async fn show(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Query(query): Query<ShoppingQuery>,
) -> Response {
    let page = console.page.clone();
    let site = match chosen_site(&state, &console.caller, &SiteQuery { site: query.site }).await {
        Ok(Some(site)) => site,
        Ok(None) => return page_error(galley_core::http::AppError::NotFound),
        Err(error) => return page_error(error),
    };
    let date = query
        .date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .unwrap_or_else(|| site.today());
    let guests = query
        .guests
        .as_deref()
        .and_then(|g| g.trim().parse::<u32>().ok())
        .filter(|g| (1..=10_000).contains(g));
    let out = match shopping_of(&state, &console.caller, site.site.id, date, guests).await {
        Ok(out) => out,
        Err(error) => return page_error(error),
    };
    let comma = page.lang_code() != "en";
    let lines = out
        .lines
        .iter()
        .map(|line| {
            let amount = if comma {
                line.amount.replace('.', ",")
            } else {
                line.amount.clone()
            };
            let allergens = line
                .allergens
                .iter()
                .map(|a| page.t(a.key()).to_owned())
                .collect::<Vec<_>>()
                .join(", ");
            (
                format!("{amount} {}", page.t(line.unit.key())),
                line.name.clone(),
                allergens,
            )
        })
        .collect();
    let template = ShoppingTemplate {
        site_name: site.site.name.clone(),
        site_id: site.site.id,
        date: date.to_string(),
        summary: super::t(&page, "shopping.summary")
            .replace(
                "{date}",
                &format!("{} {}", dates::day_month(&page, date), date.format("%Y")),
            )
            .replace("{guests}", &out.guests.to_string()),
        guests: out.guests,
        lines,
        recipes: out.recipes.iter().map(|r| r.dish_name.clone()).collect(),
        without: out
            .without_recipe
            .iter()
            .map(|d| d.dish_name.clone())
            .collect(),
        page,
    };
    let mut response = render(StatusCode::OK, &template);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
