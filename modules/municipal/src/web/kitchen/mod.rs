//! The kitchen's pages under `/municipal/kitchen/`: the day plan the cook works and prints
//! from, the week's choices with who has not chosen or marked yet, and the finance office's
//! weekly report with its downloads. Every number comes from the same functions as the API
//! (`api::planning::day_plan`, `api::coverage::coverage`, `report::build::weekly`).

mod plan;
mod reports;
mod start;
mod weeks;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use galley_core::auth::Caller;
use galley_core::http::AppError;
use galley_core::people::sites::{self, Site};
use galley_core::state::AppState;
use serde::Deserialize;

pub use start::role_aware_start;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(plan::router())
        .merge(weeks::router())
        .merge(reports::router())
}

/// `?site=` on every kitchen page (only used when the tenant has several kitchens).
#[derive(Debug, Default, Deserialize)]
pub struct SiteQuery {
    pub site: Option<String>,
}

/// The kitchen a page shows, and the ones the reader may switch to.
pub struct KitchenSite {
    pub site: Site,
    pub timezone: chrono_tz::Tz,
    /// Every kitchen of the tenant when the reader may pick one (more than one, and the
    /// reader is not bound to a site); empty otherwise, and then no picker is shown.
    pub choices: Vec<Site>,
}

impl KitchenSite {
    /// `?site=ID` for links when there is a picker, so following a link keeps the kitchen.
    pub fn query(&self) -> String {
        if self.choices.is_empty() {
            String::new()
        } else {
            format!("?site={}", self.site.id)
        }
    }

    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now()
            .with_timezone(&self.timezone)
            .date_naive()
    }
}

/// The kitchen for this reader: a reader bound to a site always gets theirs; otherwise the
/// one asked for with `?site=`, or the tenant's first. `None` when the tenant has no kitchen.
pub async fn kitchen_site(
    state: &AppState,
    caller: &Caller,
    query: &SiteQuery,
) -> Result<Option<KitchenSite>, AppError> {
    let tenant = caller.tenant_id.ok_or(AppError::NotFound)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let asked = match query.site.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => Some(text.parse::<i64>().map_err(|_| AppError::NotFound)?),
        None => None,
    };
    let (site, choices) = if let Some(bound) = caller.site_id {
        if asked.is_some_and(|id| id != bound) {
            return Err(AppError::NotFound);
        }
        (sites::find(conn, tenant, bound).await?, Vec::new())
    } else {
        let (all, _) = sites::list(conn, tenant, 0, 500).await?;
        let site = match asked {
            Some(id) => Some(
                all.iter()
                    .find(|s| s.id == id)
                    .cloned()
                    .ok_or(AppError::NotFound)?,
            ),
            None => all.first().cloned(),
        };
        (site, if all.len() > 1 { all } else { Vec::new() })
    };
    Ok(site.map(|site| KitchenSite {
        timezone: site.timezone.parse().unwrap_or(chrono_tz::UTC),
        site,
        choices,
    }))
}

/// An error as a page: the error-page layer fills in the HTML for a bare status (the error
/// itself is logged by `AppError`).
pub fn page_error(error: AppError) -> Response {
    let status = error.into_response().status();
    if status == StatusCode::OK {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    status.into_response()
}

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
