//! `/api/v1/offshore/sites/{site_id}/waste`: the galley's waste log (per date, meal and
//! category, optionally a dish: guests and the kg produced, served and left over) and its day
//! and week summaries. Quantities travel as kg with at most three decimals and are stored as
//! whole grams. Galley staff write; readers read. The CSV import is in `waste_import`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use galley_core::audit::Entry;
use galley_core::auth::{Allowed, Caller};
use galley_core::db::DbConn;
use galley_core::http::concurrency::{check_precondition, created, etag, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::people::api::{fail_if_any, tenant_of, utc};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::schedule::RangeIn;
use super::waste_out::{DaySummaryOut, WeekSummaryOut};
use super::{GalleyReaders, GalleyStaff, text};
use crate::waste::entry::{WasteInput, validate};
use crate::waste::import::{MAX_YEAR, MIN_YEAR};
use crate::waste::store::{self, Owner, WasteRow, category_name, meal_name};
use crate::waste::summary::{DaySummary, WeekSummary};
use crate::waste::{Category, MAX_GRAMS, Meal, WasteError, grams_from_kg};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/waste", get(list).post(add))
        .route(
            "/sites/{site_id}/waste/{id}",
            axum::routing::patch(change).delete(remove),
        )
        .route("/sites/{site_id}/waste/days/{date}", get(day))
        .route("/sites/{site_id}/waste/weeks/{year}/{week}", get(week))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, add, change, remove, day, week, super::waste_import::import_csv),
    tags((name = "offshore waste", description = "The waste log of a galley and its day and week summaries"))
)]
pub struct WasteApi;

/// One logged meal of one category.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WasteOut {
    pub id: i64,
    pub site_id: i64,
    pub date: NaiveDate,
    pub meal: Meal,
    pub category: Category,
    pub dish: Option<String>,
    pub guests: u32,
    pub produced_kg: f64,
    pub served_kg: f64,
    pub leftover_kg: f64,
    /// The same quantities in whole grams, exactly.
    pub produced_g: i64,
    pub served_g: i64,
    pub leftover_g: i64,
    pub created_by: Option<i64>,
    pub version: i64,
    pub etag: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A new entry. kg with at most three decimals (whole grams), 0 to 100000; served and
/// leftover each at most produced.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WasteIn {
    /// YYYY-MM-DD, years 2000 to 2100.
    pub date: NaiveDate,
    pub meal: Meal,
    pub category: Category,
    /// One line; blank is no dish.
    #[schema(max_length = 120)]
    pub dish: Option<String>,
    #[schema(minimum = 0, maximum = 2000)]
    pub guests: u32,
    #[schema(minimum = 0, maximum = 100000)]
    pub produced_kg: f64,
    #[schema(minimum = 0, maximum = 100000)]
    pub served_kg: f64,
    #[schema(minimum = 0, maximum = 100000)]
    pub leftover_kg: f64,
}

/// The fields sent change; the others stay. A blank `dish` removes the dish.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WastePatch {
    pub date: Option<NaiveDate>,
    pub meal: Option<Meal>,
    pub category: Option<Category>,
    #[schema(max_length = 120)]
    pub dish: Option<String>,
    #[schema(minimum = 0, maximum = 2000)]
    pub guests: Option<u32>,
    #[schema(minimum = 0, maximum = 100000)]
    pub produced_kg: Option<f64>,
    #[schema(minimum = 0, maximum = 100000)]
    pub served_kg: Option<f64>,
    #[schema(minimum = 0, maximum = 100000)]
    pub leftover_kg: Option<f64>,
}

pub fn waste_etag(row: &WasteRow) -> String {
    etag("offshore-waste", row.id, row.version)
}

fn kg(grams: i64) -> f64 {
    grams as f64 / 1000.0
}

fn out(row: &WasteRow) -> Result<WasteOut, AppError> {
    let input = row
        .input()
        .ok_or_else(|| AppError::Internal(format!("waste entry {} is unreadable", row.id)))?;
    Ok(WasteOut {
        etag: waste_etag(row),
        id: row.id,
        site_id: row.site_id,
        date: row.date,
        meal: input.meal,
        category: input.category,
        dish: row.dish.clone(),
        guests: input.guests,
        produced_kg: kg(row.produced_g),
        served_kg: kg(row.served_g),
        leftover_kg: kg(row.leftover_g),
        produced_g: row.produced_g,
        served_g: row.served_g,
        leftover_g: row.leftover_g,
        created_by: row.created_by,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

/// A date the log may hold: years 2000 to 2100.
pub fn check_date(field: &str, date: NaiveDate, errors: &mut Vec<FieldError>) {
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        errors.push(FieldError {
            field: field.into(),
            reason: format!("must be in the years {MIN_YEAR} to {MAX_YEAR}"),
        });
    }
}

/// A `YYYY-MM-DD` path segment in the years the log holds.
fn date_from_path(text: &str) -> Result<NaiveDate, AppError> {
    let invalid = || AppError::validation("date", "must be a date written YYYY-MM-DD");
    if text.len() != 10 {
        return Err(invalid());
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| invalid())?;
    let mut errors = Vec::new();
    check_date("date", date, &mut errors);
    fail_if_any(errors)?;
    Ok(date)
}

/// kg as grams; a refusal is reported under `field` and `fallback` stands in, chosen so the
/// comparisons of [`validate`] cannot report the same field twice.
fn grams(field: &str, kg: f64, fallback: i64, errors: &mut Vec<FieldError>) -> i64 {
    grams_from_kg(kg).unwrap_or_else(|error: WasteError| {
        errors.push(FieldError {
            field: field.into(),
            reason: error.to_string(),
        });
        fallback
    })
}

/// The entry as the domain sees it, or every broken rule.
pub(crate) fn checked(
    input: WasteInput,
    mut errors: Vec<FieldError>,
) -> Result<WasteInput, AppError> {
    check_date("date", input.date, &mut errors);
    if let Err(broken) = validate(&input) {
        errors.extend(broken.into_iter().map(|e| FieldError {
            field: e.field.into(),
            reason: e.reason,
        }));
    }
    fail_if_any(errors)?;
    Ok(input)
}

fn input_of(body: &WasteIn) -> Result<WasteInput, AppError> {
    let mut errors = Vec::new();
    let input = WasteInput {
        date: body.date,
        meal: body.meal,
        category: body.category,
        dish: body.dish.clone(),
        guests: body.guests,
        produced_g: grams("produced_kg", body.produced_kg, MAX_GRAMS, &mut errors),
        served_g: grams("served_kg", body.served_kg, 0, &mut errors),
        leftover_g: grams("leftover_kg", body.leftover_kg, 0, &mut errors),
    };
    checked(input, errors)
}

fn patched(current: &WasteInput, patch: &WastePatch) -> Result<WasteInput, AppError> {
    let mut errors = Vec::new();
    let mut kg_or = |field: &str, sent: Option<f64>, stored: i64, fallback: i64| match sent {
        Some(kg) => grams(field, kg, fallback, &mut errors),
        None => stored,
    };
    let produced_g = kg_or(
        "produced_kg",
        patch.produced_kg,
        current.produced_g,
        MAX_GRAMS,
    );
    let served_g = kg_or("served_kg", patch.served_kg, current.served_g, 0);
    let leftover_g = kg_or("leftover_kg", patch.leftover_kg, current.leftover_g, 0);
    let input = WasteInput {
        date: patch.date.unwrap_or(current.date),
        meal: patch.meal.unwrap_or(current.meal),
        category: patch.category.unwrap_or(current.category),
        dish: patch.dish.clone().or_else(|| current.dish.clone()),
        guests: patch.guests.unwrap_or(current.guests),
        produced_g,
        served_g,
        leftover_g,
    };
    checked(input, errors)
}

pub fn details(input: &WasteInput) -> serde_json::Value {
    json!({
        "date": input.date, "meal": meal_name(input.meal),
        "category": category_name(input.category), "dish": input.dish_trimmed(),
        "guests": input.guests, "produced_g": input.produced_g, "served_g": input.served_g,
        "leftover_g": input.leftover_g,
    })
}

async fn found(conn: &mut DbConn<'_>, site_id: i64, id: i64) -> Result<WasteRow, AppError> {
    store::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn current_etag(conn: &mut DbConn<'_>, site_id: i64, id: i64) -> Result<String, AppError> {
    Ok(waste_etag(&found(conn, site_id, id).await?))
}

fn unreadable(row: &WasteRow) -> AppError {
    AppError::Internal(format!("waste entry {} is unreadable", row.id))
}

/// The live entries of the site dated `first..=last`, as the domain sees them.
pub async fn inputs(
    conn: &mut DbConn<'_>,
    site_id: i64,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<Vec<WasteInput>, AppError> {
    store::between(conn, site_id, first, last)
        .await?
        .iter()
        .map(|row| row.input().ok_or_else(|| unreadable(row)))
        .collect()
}

/// The entries of a range (at most 366 days, years 2000 to 2100), by date.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/waste", tag = "offshore waste",
    params(("site_id" = i64, Path), RangeIn),
    responses((status = 200, body = [WasteOut]), (status = 404), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    ApiQuery(query): ApiQuery<RangeIn>,
) -> Result<Response, AppError> {
    let mut errors = Vec::new();
    check_date("from", query.from, &mut errors);
    check_date("to", query.to, &mut errors);
    fail_if_any(errors)?;
    let range = text::range(query.from, query.to)?;
    let mut pooled = state.db.get().await?;
    let rows = store::between(&mut pooled.conn(), site_id, range.first, range.last).await?;
    let out = rows.iter().map(out).collect::<Result<Vec<_>, _>>()?;
    Ok(axum::Json(out).into_response())
}

pub async fn add_entry(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    body: &WasteIn,
) -> Result<WasteOut, AppError> {
    let tenant = tenant_of(caller)?;
    let input = input_of(body)?;
    let owner = Owner {
        tenant_id: tenant,
        site_id,
        created_by: caller.user_id,
    };
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let id = galley_core::transaction!(conn, |tx| {
        let id = store::insert(tx, owner, &input).await?;
        galley_core::audit::record(
            tx,
            Entry::new("offshore_waste.created", caller.actor(), Some(tenant))
                .target("offshore_waste", id)
                .details(details(&input)),
        )
        .await?;
        Ok::<_, AppError>(id)
    })?;
    out(&found(conn, site_id, id).await?)
}

/// Log a meal of one category.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/waste", tag = "offshore waste",
    request_body = WasteIn, params(("site_id" = i64, Path)),
    responses((status = 201, body = WasteOut), (status = 404), (status = 422)))]
pub async fn add(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    ApiJson(body): ApiJson<WasteIn>,
) -> Result<Response, AppError> {
    let made = add_entry(&state, &caller, site_id, &body).await?;
    Ok(created(&made.etag, &made))
}

/// Change an entry; needs its ETag as `If-Match`.
#[utoipa::path(patch, path = "/api/v1/offshore/sites/{site_id}/waste/{id}", tag = "offshore waste",
    request_body = WastePatch,
    params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = WasteOut), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn change(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<WastePatch>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let row = found(conn, site_id, id).await?;
    check_precondition(if_match(&headers), &waste_etag(&row))?;
    let before = row.input().ok_or_else(|| unreadable(&row))?;
    let after = patched(&before, &body)?;
    galley_core::versioned_write!(
        conn,
        |tx| store::update(tx, &row, &after).await?,
        audit: Entry::new("offshore_waste.updated", caller.actor(), Some(tenant))
            .target("offshore_waste", id)
            .details(json!({ "from": details(&before), "to": details(&after) })),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    let row = found(conn, site_id, id).await?;
    Ok(with_etag(&HeaderMap::new(), waste_etag(&row), &out(&row)?))
}

/// Remove an entry; needs its ETag as `If-Match`.
#[utoipa::path(delete, path = "/api/v1/offshore/sites/{site_id}/waste/{id}", tag = "offshore waste",
    params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 404), (status = 412), (status = 428)))]
pub async fn remove(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    remove_entry(&state, &caller, (site_id, id), if_match(&headers)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Removes an entry (soft delete, audited) if `expected` is its current ETag; the API and
/// the waste page both come here.
pub async fn remove_entry(
    state: &AppState,
    caller: &galley_core::auth::Caller,
    (site_id, id): (i64, i64),
    expected: Option<&str>,
) -> Result<(), AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let row = found(conn, site_id, id).await?;
    check_precondition(expected, &waste_etag(&row))?;
    let before = row.input().ok_or_else(|| unreadable(&row))?;
    galley_core::versioned_write!(
        conn,
        |tx| store::mark_deleted(tx, &row).await?,
        audit: Entry::new("offshore_waste.deleted", caller.actor(), Some(tenant))
            .target("offshore_waste", id)
            .details(details(&before)),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    Ok(())
}

/// A day's totals per meal and for the day, with leftover % and served %.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/waste/days/{date}",
    tag = "offshore waste",
    params(("site_id" = i64, Path), ("date" = String, Path, description = "YYYY-MM-DD, years 2000 to 2100")),
    responses((status = 200, body = DaySummaryOut), (status = 404), (status = 422)))]
pub async fn day(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, date)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let date = date_from_path(&date)?;
    let mut pooled = state.db.get().await?;
    let entries = inputs(&mut pooled.conn(), site_id, (date, date)).await?;
    let summary = DaySummary::new(date, &entries);
    Ok(axum::Json(DaySummaryOut::new(site_id, &summary)).into_response())
}

/// An ISO week's totals per day (every day, logged or not) and for the week.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/waste/weeks/{year}/{week}",
    tag = "offshore waste",
    params(("site_id" = i64, Path), ("year" = i32, Path, minimum = 2000, maximum = 2100),
        ("week" = u32, Path, minimum = 1, maximum = 53)),
    responses((status = 200, body = WeekSummaryOut), (status = 404), (status = 422)))]
pub async fn week(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
) -> Result<Response, AppError> {
    let week = IsoWeek::new(year, week).map_err(|error| {
        let field = match error {
            galley_core::kitchen::iso_week::WeekError::Year => "year",
            galley_core::kitchen::iso_week::WeekError::OutOfRange { .. } => "week",
        };
        AppError::validation(field, error.to_string())
    })?;
    let first = week.monday();
    let last = first + chrono::Duration::days(6);
    let mut pooled = state.db.get().await?;
    let entries = inputs(&mut pooled.conn(), site_id, (first, last)).await?;
    let summary = WeekSummary::new(first, &entries);
    let out = WeekSummaryOut::new(site_id, (week.year, week.week), &summary);
    Ok(axum::Json(out).into_response())
}
