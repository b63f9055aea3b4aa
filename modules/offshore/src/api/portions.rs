//! `/api/v1/offshore/sites/{site_id}/portion-advice` and `.../portion-guidelines`: the
//! recommended portion for a category and a guest count, from the site's guideline and the
//! waste log of the 120 days before the date; and the guidelines themselves (grams per guest
//! per category, 400 g until set).
//!
//! The guidelines carry one version per site (0 until first saved; every save writes all
//! categories at the next version), so their ETag is `"offshore-portion-guidelines-{site}-v{n}"`.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use galley_core::audit::Entry;
use galley_core::auth::{Allowed, Caller};
use galley_core::http::concurrency::{check_precondition, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::{fail_if_any, tenant_of};
use galley_core::people::sites;
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::waste::check_date;
use super::waste_out::{HistoryPointOut, RecommendationOut};
use super::{GalleyReaders, GalleyStaff};
use crate::waste::Category;
use crate::waste::entry::MAX_GUESTS;
use crate::waste::portion::{history, recommend, window};
use crate::waste::store::{self, Guidelines};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/portion-advice", get(advice))
        .route(
            "/sites/{site_id}/portion-guidelines",
            get(read_guidelines).put(replace_guidelines),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(advice, read_guidelines, replace_guidelines),
    tags((name = "offshore portions", description = "Portion advice from the waste log, and each category's guideline"))
)]
pub struct PortionsApi;

pub const MIN_GUIDELINE_G: u32 = 50;
pub const MAX_GUIDELINE_G: u32 = 2000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AdviceQuery {
    pub category: Category,
    /// 1 to 2000.
    #[param(minimum = 1, maximum = 2000)]
    pub guests: u32,
    /// The day the advice is for (its history ends the day before); today in the site's
    /// time zone when left out. Years 2000 to 2100.
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdviceOut {
    pub site_id: i64,
    pub category: Category,
    pub date: NaiveDate,
    /// The history window, both ends included: the 120 days before `date`.
    pub history_from: NaiveDate,
    pub history_to: NaiveDate,
    /// Every logged meal of the category in the window, oldest first (meals without guests
    /// too; the advice does not count them).
    pub history: Vec<HistoryPointOut>,
    pub recommendation: RecommendationOut,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuidelineLine {
    pub category: Category,
    #[schema(minimum = 50, maximum = 2000)]
    pub grams_per_guest: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GuidelinesOut {
    pub site_id: i64,
    /// Every category, in a fixed order.
    pub guidelines: Vec<GuidelineLine>,
    /// 0 until first saved.
    pub version: i64,
    pub etag: String,
}

/// Categories left out get the default, 400 g per guest.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuidelinesIn {
    /// At most one line per category.
    #[schema(max_items = 7)]
    pub guidelines: Vec<GuidelineLine>,
}

pub fn guidelines_etag(site_id: i64, version: i64) -> String {
    format!("\"offshore-portion-guidelines-{site_id}-v{version}\"")
}

fn guidelines_out(site_id: i64, stored: &Guidelines) -> GuidelinesOut {
    GuidelinesOut {
        site_id,
        guidelines: stored
            .grams
            .iter()
            .map(|(category, grams)| GuidelineLine {
                category: *category,
                grams_per_guest: *grams,
            })
            .collect(),
        version: stored.version,
        etag: guidelines_etag(site_id, stored.version),
    }
}

pub async fn portion_advice(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    query: &AdviceQuery,
) -> Result<AdviceOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut errors = Vec::new();
    if !(1..=MAX_GUESTS).contains(&query.guests) {
        errors.push(FieldError {
            field: "guests".into(),
            reason: format!("must be 1 to {MAX_GUESTS}"),
        });
    }
    if let Some(date) = query.date {
        check_date("date", date, &mut errors);
    }
    fail_if_any(errors)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let site = sites::find(conn, tenant, site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let date = query
        .date
        .unwrap_or_else(|| chrono::Utc::now().with_timezone(&site.zone()).date_naive());
    let span = window(date);
    let rows = store::of_category(conn, site_id, query.category, span).await?;
    let entries: Vec<_> = rows.iter().filter_map(|row| row.input()).collect();
    let points = history(&entries, query.category, date);
    let baseline = store::guideline(conn, site_id, query.category).await?;
    let recommendation = recommend(baseline, &points, query.guests);
    Ok(AdviceOut {
        site_id,
        category: query.category,
        date,
        history_from: span.0,
        history_to: span.1,
        history: points.iter().map(HistoryPointOut::from).collect(),
        recommendation: (&recommendation).into(),
    })
}

/// The recommended grams per guest and in total for a category and a guest count, with the
/// history it used.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/portion-advice",
    tag = "offshore portions", params(("site_id" = i64, Path), AdviceQuery),
    responses((status = 200, body = AdviceOut), (status = 404), (status = 422)))]
pub async fn advice(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    ApiQuery(query): ApiQuery<AdviceQuery>,
) -> Result<Response, AppError> {
    let out = portion_advice(&state, &caller, site_id, &query).await?;
    Ok(axum::Json(out).into_response())
}

/// The guideline of every category (400 g per guest until set).
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/portion-guidelines",
    tag = "offshore portions", params(("site_id" = i64, Path)),
    responses((status = 200, body = GuidelinesOut), (status = 304), (status = 404)))]
pub async fn read_guidelines(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let mut pooled = state.db.get().await?;
    let stored = store::guidelines(&mut pooled.conn(), site_id).await?;
    let out = guidelines_out(site_id, &stored);
    Ok(with_etag(&headers, out.etag.clone(), &out))
}

/// One value per category: those sent, the default for the rest.
fn check(body: &GuidelinesIn) -> Result<Vec<(Category, u32)>, AppError> {
    let mut errors = Vec::new();
    let mut next: Vec<(Category, u32)> = Category::ALL
        .into_iter()
        .map(|c| (c, crate::waste::portion::DEFAULT_BASELINE_G))
        .collect();
    let mut seen = Vec::new();
    for (index, line) in body.guidelines.iter().enumerate() {
        if seen.contains(&line.category) {
            errors.push(FieldError {
                field: format!("guidelines[{index}].category"),
                reason: "this category is already listed".into(),
            });
        }
        seen.push(line.category);
        if !(MIN_GUIDELINE_G..=MAX_GUIDELINE_G).contains(&line.grams_per_guest) {
            errors.push(FieldError {
                field: format!("guidelines[{index}].grams_per_guest"),
                reason: format!("must be {MIN_GUIDELINE_G} to {MAX_GUIDELINE_G}"),
            });
        }
        if let Some(slot) = next.iter_mut().find(|(c, _)| *c == line.category) {
            slot.1 = line.grams_per_guest;
        }
    }
    fail_if_any(errors)?;
    Ok(next)
}

/// Replace the guidelines. Needs `If-Match` (the version-0 ETag the first time).
#[utoipa::path(put, path = "/api/v1/offshore/sites/{site_id}/portion-guidelines",
    tag = "offshore portions", request_body = GuidelinesIn,
    params(("site_id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = GuidelinesOut), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn replace_guidelines(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    ApiJson(body): ApiJson<GuidelinesIn>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let current = store::guidelines(conn, site_id).await?;
    check_precondition(
        if_match(&headers),
        &guidelines_etag(site_id, current.version),
    )?;
    let next = check(&body)?;
    if next != current.grams {
        let grams = |list: &[(Category, u32)]| {
            list.iter()
                .map(|(c, g)| (store::category_name(*c), *g))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        galley_core::versioned_write!(
            conn,
            |tx| store::save_guidelines(tx, tenant, site_id, current.version, &next).await?,
            audit: Entry::new("offshore_portion_guidelines.updated", caller.actor(), Some(tenant))
                .target("site", site_id)
                .details(json!({ "from": grams(&current.grams), "to": grams(&next) })),
            on_conflict: store::guidelines(conn, site_id)
                .await
                .map(|stored| guidelines_etag(site_id, stored.version))
                .map_err(AppError::from),
        )?;
    }
    let stored = store::guidelines(conn, site_id).await?;
    let out = guidelines_out(site_id, &stored);
    Ok(with_etag(&HeaderMap::new(), out.etag.clone(), &out))
}
