//! `/api/v1/offshore/sites/{site_id}/freezer`: the galley's freezer inventory. Quantities
//! travel as decimals of the item's unit with at most three decimals and are kept as whole
//! thousandths; every take-out is a move row and an audit entry. Galley staff write; readers
//! read, with each item's expiry state as of the site's today.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use chrono::NaiveDate;
use galley_core::audit::Entry;
use galley_core::auth::{Allowed, Caller};
use galley_core::db::DbConn;
use galley_core::http::concurrency::{check_precondition, created, etag, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::{fail_if_any, tenant_of, utc};
use galley_core::people::sites;
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::waste::check_date;
use super::{GalleyReaders, GalleyStaff, text};
use crate::prep::freezer::{self, Expiry, MAX_WARN_DAYS, QuantityError, Unit, milli_from_decimal};
use crate::prep::freezer_store::{self as store, ItemFields, ItemRow, MAX_PER_SITE, Move};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/freezer", get(list).post(add))
        .route(
            "/sites/{site_id}/freezer/{id}",
            patch(change).delete(remove),
        )
        .route("/sites/{site_id}/freezer/{id}/take-out", post(take_out))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, add, change, remove, take_out),
    tags((name = "offshore freezer", description = "The galley's freezer inventory and what expires soon"))
)]
pub struct FreezerApi;

const MAX_NAME: usize = 120;
const MAX_LOCATION: usize = 80;
const MAX_REASON: usize = 200;
/// The warning horizon when none is asked for, in days.
pub const DEFAULT_WARN_DAYS: i64 = 3;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemOut {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    /// In `unit`, exact to three decimals.
    pub quantity: f64,
    /// The same quantity in thousandths of `unit`, exactly.
    pub quantity_milli: i64,
    pub unit: Unit,
    pub frozen_on: NaiveDate,
    /// The last day the item may be used.
    pub use_by: NaiveDate,
    pub location: String,
    pub expiry: Expiry,
    /// Days from today to `use_by`: 0 on the day itself, negative once expired.
    pub days_left: i64,
    pub version: i64,
    pub etag: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FreezerOut {
    pub site_id: i64,
    /// The day the expiry states are reckoned from.
    pub today: NaiveDate,
    pub warn_days: i64,
    /// Soonest `use_by` first.
    pub items: Vec<ItemOut>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FreezerQuery {
    /// Items whose last day is at most this many days away are flagged; 3 when left out.
    #[param(minimum = 0, maximum = 365)]
    pub warn_days: Option<i64>,
    /// Reckon expiry as of this day (YYYY-MM-DD) instead of the site's today.
    pub as_of: Option<NaiveDate>,
}

/// A new item. `quantity` in `unit`, 0 to 1000000 with at most three decimals.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemIn {
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    #[schema(value_type = f64, minimum = 0, maximum = 1000000)]
    pub quantity: serde_json::Number,
    pub unit: Unit,
    /// YYYY-MM-DD, years 2000 to 2100.
    pub frozen_on: NaiveDate,
    /// On or after `frozen_on`, years 2000 to 2100.
    pub use_by: NaiveDate,
    #[schema(max_length = 80)]
    pub location: Option<String>,
}

/// The fields sent change; the others stay. A new quantity is recorded as a correction.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000)]
    pub quantity: Option<serde_json::Number>,
    pub unit: Option<Unit>,
    pub frozen_on: Option<NaiveDate>,
    pub use_by: Option<NaiveDate>,
    #[schema(max_length = 80)]
    pub location: Option<String>,
}

/// Take some out: more than 0 and at most what there is.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TakeOutIn {
    #[schema(value_type = f64, minimum = 0.001, maximum = 1000000)]
    pub quantity: serde_json::Number,
    /// What it is for ("dinner", "thawed for Tuesday").
    #[schema(max_length = 200)]
    pub reason: Option<String>,
}

pub fn item_etag(row: &ItemRow) -> String {
    etag("offshore-freezer-item", row.id, row.version)
}

fn out(row: &ItemRow, today: NaiveDate, warn_days: i64) -> ItemOut {
    ItemOut {
        etag: item_etag(row),
        id: row.id,
        site_id: row.site_id,
        name: row.name.clone(),
        // The shortest decimal of thousandths reads back exactly as that decimal.
        quantity: row.quantity_milli as f64 / 1000.0,
        quantity_milli: row.quantity_milli,
        unit: row.unit(),
        frozen_on: row.frozen_on,
        use_by: row.use_by,
        location: row.location.clone(),
        expiry: freezer::classify(row.use_by, today, warn_days),
        days_left: freezer::days_left(row.use_by, today),
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    }
}

/// A quantity as sent, in thousandths; refusals are named `field`.
fn milli(field: &str, quantity: &serde_json::Number, errors: &mut Vec<FieldError>) -> i64 {
    milli_from_decimal(&quantity.to_string()).unwrap_or_else(|error| {
        errors.push(FieldError {
            field: field.into(),
            reason: error.to_string(),
        });
        0
    })
}

fn check_dates(frozen_on: NaiveDate, use_by: NaiveDate, errors: &mut Vec<FieldError>) {
    check_date("frozen_on", frozen_on, errors);
    check_date("use_by", use_by, errors);
    if use_by < frozen_on {
        errors.push(FieldError {
            field: "use_by".into(),
            reason: "must be on or after frozen_on".into(),
        });
    }
}

fn location(text: &str, errors: &mut Vec<FieldError>) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > MAX_LOCATION {
        errors.push(FieldError {
            field: "location".into(),
            reason: format!("must be at most {MAX_LOCATION} characters"),
        });
    }
    text
}

fn details(fields: &ItemFields<'_>) -> serde_json::Value {
    json!({
        "name": fields.name, "quantity_milli": fields.quantity_milli,
        "unit": fields.unit.as_str(), "frozen_on": fields.frozen_on, "use_by": fields.use_by,
        "location": fields.location,
    })
}

fn fields_of(row: &ItemRow) -> ItemFields<'_> {
    ItemFields {
        name: &row.name,
        quantity_milli: row.quantity_milli,
        unit: row.unit(),
        frozen_on: row.frozen_on,
        use_by: row.use_by,
        location: &row.location,
    }
}

async fn found(conn: &mut DbConn<'_>, site_id: i64, id: i64) -> Result<ItemRow, AppError> {
    store::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn current_etag(conn: &mut DbConn<'_>, site_id: i64, id: i64) -> Result<String, AppError> {
    Ok(item_etag(&found(conn, site_id, id).await?))
}

/// Today in the site's time zone.
pub async fn site_today(
    conn: &mut DbConn<'_>,
    tenant: i64,
    site_id: i64,
) -> Result<NaiveDate, AppError> {
    let site = sites::find(conn, tenant, site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(chrono::Utc::now().with_timezone(&site.zone()).date_naive())
}

/// The site's items with their expiry state as of `today`.
pub async fn load(
    conn: &mut DbConn<'_>,
    site_id: i64,
    today: NaiveDate,
    warn_days: i64,
) -> Result<FreezerOut, AppError> {
    let rows = store::list(conn, site_id).await?;
    Ok(FreezerOut {
        site_id,
        today,
        warn_days,
        items: rows.iter().map(|row| out(row, today, warn_days)).collect(),
    })
}

/// The freezer's items, soonest last day first, each with its expiry state.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/freezer", tag = "offshore freezer",
    params(("site_id" = i64, Path), FreezerQuery),
    responses((status = 200, body = FreezerOut), (status = 404), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    ApiQuery(query): ApiQuery<FreezerQuery>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let warn_days = query.warn_days.unwrap_or(DEFAULT_WARN_DAYS);
    let mut errors = Vec::new();
    if !(0..=MAX_WARN_DAYS).contains(&warn_days) {
        errors.push(FieldError {
            field: "warn_days".into(),
            reason: format!("must be 0 to {MAX_WARN_DAYS}"),
        });
    }
    if let Some(as_of) = query.as_of {
        check_date("as_of", as_of, &mut errors);
    }
    fail_if_any(errors)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let today = match query.as_of {
        Some(day) => day,
        None => site_today(conn, tenant, site_id).await?,
    };
    let out = load(conn, site_id, today, warn_days).await?;
    Ok(axum::Json(out).into_response())
}

pub async fn add_item(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    body: &ItemIn,
) -> Result<ItemOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut errors = Vec::new();
    let name = text::name("name", &body.name, MAX_NAME, &mut errors);
    let quantity_milli = milli("quantity", &body.quantity, &mut errors);
    check_dates(body.frozen_on, body.use_by, &mut errors);
    let place = location(body.location.as_deref().unwrap_or_default(), &mut errors);
    fail_if_any(errors)?;
    let fields = ItemFields {
        name: &name,
        quantity_milli,
        unit: body.unit,
        frozen_on: body.frozen_on,
        use_by: body.use_by,
        location: &place,
    };
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    if store::count(conn, site_id).await? >= MAX_PER_SITE {
        return Err(AppError::validation(
            "name",
            format!("a freezer keeps at most {MAX_PER_SITE} items; remove some first"),
        ));
    }
    let id = galley_core::transaction!(conn, |tx| {
        let id = store::insert(tx, (tenant, site_id), &fields, caller.user_id).await?;
        galley_core::audit::record(
            tx,
            Entry::new("offshore_freezer.created", caller.actor(), Some(tenant))
                .target("offshore_freezer_item", id)
                .details(details(&fields)),
        )
        .await?;
        Ok::<_, AppError>(id)
    })?;
    let today = site_today(conn, tenant, site_id).await?;
    Ok(out(
        &found(conn, site_id, id).await?,
        today,
        DEFAULT_WARN_DAYS,
    ))
}

/// Put an item in the freezer.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/freezer", tag = "offshore freezer",
    request_body = ItemIn, params(("site_id" = i64, Path)),
    responses((status = 201, body = ItemOut), (status = 404), (status = 422)))]
pub async fn add(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    ApiJson(body): ApiJson<ItemIn>,
) -> Result<Response, AppError> {
    let made = add_item(&state, &caller, site_id, &body).await?;
    Ok(created(&made.etag, &made))
}

/// Change an item; needs its ETag as `If-Match`.
#[utoipa::path(patch, path = "/api/v1/offshore/sites/{site_id}/freezer/{id}",
    tag = "offshore freezer", request_body = ItemPatch,
    params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ItemOut), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn change(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ItemPatch>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let row = found(conn, site_id, id).await?;
    check_precondition(if_match(&headers), &item_etag(&row))?;
    let mut errors = Vec::new();
    let name = match &body.name {
        Some(name) => text::name("name", name, MAX_NAME, &mut errors),
        None => row.name.clone(),
    };
    let quantity_milli = match &body.quantity {
        Some(quantity) => milli("quantity", quantity, &mut errors),
        None => row.quantity_milli,
    };
    let frozen_on = body.frozen_on.unwrap_or(row.frozen_on);
    let use_by = body.use_by.unwrap_or(row.use_by);
    check_dates(frozen_on, use_by, &mut errors);
    let place = match &body.location {
        Some(place) => location(place, &mut errors),
        None => row.location.clone(),
    };
    fail_if_any(errors)?;
    let after = ItemFields {
        name: &name,
        quantity_milli,
        unit: body.unit.unwrap_or(row.unit()),
        frozen_on,
        use_by,
        location: &place,
    };
    let correction = Move {
        delta_milli: quantity_milli - row.quantity_milli,
        reason: "corrected",
        by: caller.user_id,
    };
    galley_core::versioned_write!(
        conn,
        |tx| store::update(tx, &row, &after, Some(correction)).await?,
        audit: Entry::new("offshore_freezer.updated", caller.actor(), Some(tenant))
            .target("offshore_freezer_item", id)
            .details(json!({ "from": details(&fields_of(&row)), "to": details(&after) })),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    let row = found(conn, site_id, id).await?;
    let today = site_today(conn, tenant, site_id).await?;
    let out = out(&row, today, DEFAULT_WARN_DAYS);
    Ok(with_etag(&HeaderMap::new(), out.etag.clone(), &out))
}

/// Remove an item (its moves stay); needs its ETag as `If-Match`.
#[utoipa::path(delete, path = "/api/v1/offshore/sites/{site_id}/freezer/{id}",
    tag = "offshore freezer",
    params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 404), (status = 412), (status = 428)))]
pub async fn remove(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let row = found(conn, site_id, id).await?;
    check_precondition(if_match(&headers), &item_etag(&row))?;
    galley_core::versioned_write!(
        conn,
        |tx| store::mark_deleted(tx, &row).await?,
        audit: Entry::new("offshore_freezer.deleted", caller.actor(), Some(tenant))
            .target("offshore_freezer_item", id)
            .details(details(&fields_of(&row))),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Takes `body.quantity` out of the item whose ETag the caller read; at most what there is,
/// and an item taken down to 0 stays in the list.
pub async fn take_out_item(
    state: &AppState,
    caller: &Caller,
    (site_id, id): (i64, i64),
    headers: &HeaderMap,
    body: &TakeOutIn,
) -> Result<ItemOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut errors = Vec::new();
    let take = milli("quantity", &body.quantity, &mut errors);
    let reason = body.reason.as_deref().unwrap_or_default();
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.chars().count() > MAX_REASON {
        errors.push(FieldError {
            field: "reason".into(),
            reason: format!("must be at most {MAX_REASON} characters"),
        });
    }
    fail_if_any(errors)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let row = found(conn, site_id, id).await?;
    check_precondition(if_match(headers), &item_etag(&row))?;
    let left = freezer::take_out(row.quantity_milli, take).map_err(|error| {
        let reason = match &error {
            QuantityError::MoreThanThereIs { .. } => format!("{} {}", error, row.unit().as_str()),
            _ => error.to_string(),
        };
        AppError::validation("quantity", reason)
    })?;
    let after = ItemFields {
        quantity_milli: left,
        ..fields_of(&row)
    };
    let moved = Move {
        delta_milli: -take,
        reason: &reason,
        by: caller.user_id,
    };
    galley_core::versioned_write!(
        conn,
        |tx| store::update(tx, &row, &after, Some(moved)).await?,
        audit: Entry::new("offshore_freezer.taken_out", caller.actor(), Some(tenant))
            .target("offshore_freezer_item", id)
            .details(json!({
                "name": row.name, "unit": row.unit().as_str(), "taken_milli": take,
                "left_milli": left, "reason": reason,
            })),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    let row = found(conn, site_id, id).await?;
    let today = site_today(conn, tenant, site_id).await?;
    Ok(out(&row, today, DEFAULT_WARN_DAYS))
}

/// Take some of an item out; needs its ETag as `If-Match`. Refused (422 naming `quantity`)
/// for more than there is.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/freezer/{id}/take-out",
    tag = "offshore freezer", request_body = TakeOutIn,
    params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ItemOut), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn take_out(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TakeOutIn>,
) -> Result<Response, AppError> {
    let out = take_out_item(&state, &caller, (site_id, id), &headers, &body).await?;
    Ok(with_etag(&HeaderMap::new(), out.etag.clone(), &out))
}
