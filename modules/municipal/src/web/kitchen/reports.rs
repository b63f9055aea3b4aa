//! `/municipal/kitchen/reports[/{year}/{week}]`: the finance office's weekly report on screen
//! (the same `WeeklyReport` the downloads render), a week picker and the download links.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::{Page, render};
use serde::Deserialize;

use super::plan::{SiteOption, site_options};
use super::weeks::week_in_path;
use super::{Section, SiteQuery, kitchen_site, page_error, sections};
use crate::api::KitchenReaders;
use crate::api::planning::load_site_week;
use crate::report::build;
use crate::report::model::WeeklyReport;
use crate::words::Words;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kitchen/reports", get(picked))
        .route("/kitchen/reports/{year}/{week}", get(on_week))
}

/// The week picker's fields (and the kitchen).
#[derive(Debug, Default, Deserialize)]
struct PickQuery {
    site: Option<String>,
    year: Option<String>,
    week: Option<String>,
}

/// One download of the report.
pub struct Download {
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "kitchen/reports.html")]
struct ReportsTemplate {
    page: Page,
    kitchen: String,
    sites: Vec<SiteOption>,
    sections: Vec<Section>,
    form_action: String,
    site_id: Option<i64>,
    week_text: String,
    dates_text: String,
    previous_href: String,
    next_href: String,
    year: i32,
    week: u32,
    picked_wrong: bool,
    /// The week is not over yet: its numbers can still change.
    unfinished: Option<&'static str>,
    report: WeeklyReport,
    downloads: Vec<Download>,
}

/// `/kitchen/reports`: the last whole week (what finance bills), or the week picked in the
/// form.
async fn picked(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Query(query): Query<PickQuery>,
) -> Response {
    let site = SiteQuery { site: query.site };
    let asked = query.year.is_some() || query.week.is_some();
    if asked {
        let week = week_in_path(
            query.year.as_deref().unwrap_or_default().trim(),
            query.week.as_deref().unwrap_or_default().trim(),
        );
        if let Some(week) = week {
            let keep = site
                .site
                .as_deref()
                .map(|s| format!("?site={s}"))
                .unwrap_or_default();
            return Redirect::to(&format!(
                "/municipal/kitchen/reports/{}/{}{keep}",
                week.year, week.week
            ))
            .into_response();
        }
    }
    show(&state, console, None, &site, asked).await
}

async fn on_week(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Path((year, week)): Path<(String, String)>,
    Query(query): Query<SiteQuery>,
) -> Response {
    match week_in_path(&year, &week) {
        Some(week) => show(&state, console, Some(week), &query, false).await,
        None => page_error(AppError::NotFound),
    }
}

async fn show(
    state: &AppState,
    console: Console<KitchenReaders>,
    week: Option<IsoWeek>,
    query: &SiteQuery,
    picked_wrong: bool,
) -> Response {
    let kitchen = match kitchen_site(state, &console.caller, query).await {
        Ok(Some(kitchen)) => kitchen,
        Ok(None) => return super::no_kitchen(console.page),
        Err(error) => return page_error(error),
    };
    let today = kitchen.today();
    let this_week = IsoWeek::containing(today);
    let week = week.unwrap_or_else(|| this_week.previous());
    let unfinished = match week.cmp(&this_week) {
        std::cmp::Ordering::Less => None,
        std::cmp::Ordering::Equal => Some("municipal.kitchen.report_ongoing"),
        std::cmp::Ordering::Greater => Some("municipal.kitchen.report_ahead"),
    };
    let data = match load_site_week(state, &console.caller, kitchen.site.id, week).await {
        Ok(data) => data,
        Err(error) => return page_error(error),
    };
    let report = build::weekly(&data);
    let page = console.page;
    let words = Words::new(&state.i18n, page.lang);
    let query = kitchen.query();
    let href = |week: IsoWeek| {
        format!(
            "/municipal/kitchen/reports/{}/{}{query}",
            week.year, week.week
        )
    };
    let api = format!(
        "/api/v1/municipal/sites/{}/reports/weekly/{}/{}",
        kitchen.site.id, week.year, week.week
    );
    let lang = page.lang_code();
    let downloads = [
        ("format=csv&delimiter=semicolon", "download_csv_semicolon"),
        ("format=csv&delimiter=comma", "download_csv_comma"),
        ("format=xlsx", "download_xlsx"),
        ("format=pdf", "download_pdf"),
    ]
    .into_iter()
    .map(|(params, key)| Download {
        href: format!("{api}?{params}&lang={lang}"),
        label: words.t(key),
    })
    .collect();
    let template = ReportsTemplate {
        kitchen: kitchen.site.name.clone(),
        sites: site_options(&kitchen),
        sections: sections(&words, &kitchen, "reports"),
        form_action: format!("/municipal/kitchen/reports/{}/{}", week.year, week.week),
        site_id: (!kitchen.choices.is_empty()).then_some(kitchen.site.id),
        week_text: words.week(week),
        dates_text: words.dates_of(week),
        previous_href: href(week.previous()),
        next_href: href(week.next()),
        year: week.year,
        week: week.week,
        picked_wrong,
        unfinished,
        report,
        downloads,
        page,
    };
    let status = if picked_wrong {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(status, &template)
}
