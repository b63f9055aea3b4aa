//! `/api/v1/municipal/sites/{site_id}/orders/{year}/{week}`: the kitchen's "remember to order"
//! checklist for a week. Kitchen staff add lines, tick them off (who and when is kept) and
//! remove them; viewers read. Every line has its own ETag; changes need `If-Match`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, patch};
use galley_core::audit::{self, Entry};
use galley_core::auth::{Allowed, Caller};
use galley_core::http::concurrency::{check_precondition, created, etag, if_match, with_etag};
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menu_api::week_from_path;
use galley_core::people::api::{tenant_of, utc};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::{KitchenReaders, KitchenStaff};
use crate::orders::{self, LineFields, MAX_PER_WEEK, OrderReminder};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/orders/{year}/{week}", get(list).post(add))
        .route(
            "/sites/{site_id}/orders/{year}/{week}/{id}",
            patch(change).delete(remove),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(list, add, change, remove),
    tags((name = "municipal orders", description = "The kitchen's weekly \"remember to order\" checklist"))
)]
pub struct OrdersApi;

/// Longest line, in characters.
pub const MAX_TEXT: usize = 200;

/// One line of the checklist.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderOut {
    pub id: i64,
    pub site_id: i64,
    pub year: i32,
    pub week: i32,
    /// What to order, e.g. "Laktosfri grädde 5 l".
    pub text: String,
    pub done: bool,
    /// When it was ticked off.
    pub done_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Who ticked it off (a user id; none for an API token).
    pub done_by: Option<i64>,
    pub done_by_name: Option<String>,
    pub created_by: Option<i64>,
    pub version: i64,
    /// The line's ETag, for `If-Match` on PATCH and DELETE.
    pub etag: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A week's checklist, oldest line first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderList {
    pub site_id: i64,
    pub year: i32,
    pub week: u32,
    pub items: Vec<OrderOut>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// 1 to 200 characters once runs of whitespace count as one space.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub text: String,
}

/// Only the fields sent change. `done: true` ticks the line off (recording who and when),
/// `false` unticks it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderChange {
    pub done: Option<bool>,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub text: Option<String>,
}

pub fn order_etag(line: &OrderReminder) -> String {
    etag("order", line.id, line.version)
}

fn out(line: OrderReminder, done_by_name: Option<String>) -> OrderOut {
    OrderOut {
        etag: order_etag(&line),
        id: line.id,
        site_id: line.site_id,
        year: line.year,
        week: line.week,
        text: line.text,
        done: line.done_at.is_some(),
        done_at: line.done_at.map(utc),
        done_by: line.done_by,
        done_by_name,
        created_by: line.created_by,
        version: line.version,
        created_at: utc(line.created_at),
        updated_at: utc(line.updated_at),
    }
}

/// Whitespace collapsed; 1 to 200 characters.
fn checked_text(text: &str) -> Result<String, AppError> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        return Err(AppError::validation(
            "text",
            format!("must be 1 to {MAX_TEXT} characters"),
        ));
    }
    Ok(text)
}

async fn with_names(
    conn: &mut galley_core::db::DbConn<'_>,
    lines: Vec<OrderReminder>,
) -> Result<Vec<OrderOut>, AppError> {
    let ids: Vec<i64> = lines.iter().filter_map(|l| l.done_by).collect();
    let names = orders::names_of(conn, &ids).await?;
    Ok(lines
        .into_iter()
        .map(|line| {
            let name = line.done_by.and_then(|id| names.get(&id).cloned());
            out(line, name)
        })
        .collect())
}

async fn one_out(
    conn: &mut galley_core::db::DbConn<'_>,
    site_id: i64,
    week: IsoWeek,
    id: i64,
) -> Result<OrderOut, AppError> {
    let line = orders::find(conn, site_id, week, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut lines = with_names(conn, vec![line]).await?;
    lines.pop().ok_or(AppError::NotFound)
}

// The operations, shared by the API and the order list page.

/// The week's checklist. The site must already be checked to be the caller's.
pub async fn list_orders(
    state: &AppState,
    site_id: i64,
    week: IsoWeek,
) -> Result<OrderList, AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let lines = orders::list(conn, site_id, week).await?;
    Ok(OrderList {
        site_id,
        year: week.year,
        week: week.week,
        items: with_names(conn, lines).await?,
    })
}

/// Adds a line to the week's checklist.
pub async fn add_order(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    week: IsoWeek,
    text: &str,
) -> Result<OrderOut, AppError> {
    let tenant = tenant_of(caller)?;
    let text = checked_text(text)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    if orders::count(conn, site_id, week).await? >= MAX_PER_WEEK {
        return Err(AppError::validation(
            "items",
            format!("a week's list holds at most {MAX_PER_WEEK} lines; remove some first"),
        ));
    }
    let id = galley_core::transaction!(conn, |tx| {
        let id = orders::insert(tx, tenant, site_id, week, &text, caller.user_id).await?;
        audit::record(
            tx,
            Entry::new("order_reminder.created", caller.actor(), Some(tenant))
                .target("order_reminder", id)
                .details(json!({
                    "site_id": site_id, "year": week.year, "week": week.week, "text": text,
                })),
        )
        .await?;
        Ok::<_, AppError>(id)
    })?;
    one_out(conn, site_id, week, id).await
}

/// Ticks a line off or on and/or rewrites it. A change that changes nothing writes nothing.
pub async fn change_order(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    week: IsoWeek,
    id: i64,
    expected: Option<&str>,
    change: &OrderChange,
) -> Result<OrderOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let line = orders::find(conn, site_id, week, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &order_etag(&line))?;
    let text = match &change.text {
        Some(text) => checked_text(text)?,
        None => line.text.clone(),
    };
    let was_done = line.done_at.is_some();
    let done = change.done.unwrap_or(was_done);
    // Ticking a ticked line keeps who ticked it first and when.
    let (done_at, done_by) = match (was_done, done) {
        (false, true) => (Some(galley_core::db::now()), caller.user_id),
        (true, true) => (line.done_at, line.done_by),
        (_, false) => (None, None),
    };
    if text == line.text && done == was_done {
        return one_out(conn, site_id, week, id).await;
    }
    let fields = LineFields {
        text: &text,
        done_at,
        done_by,
    };
    galley_core::versioned_write!(
        conn,
        |tx| orders::update(tx, &line, &fields).await?,
        audit: Entry::new("order_reminder.updated", caller.actor(), Some(tenant))
            .target("order_reminder", line.id)
            .details(json!({
                "site_id": site_id, "year": week.year, "week": week.week,
                "text": { "from": line.text, "to": text },
                "done": { "from": was_done, "to": done },
            })),
        on_conflict: current_etag(conn, site_id, week, id).await,
    )?;
    one_out(conn, site_id, week, id).await
}

/// The ETag of the line as stored now, for the 412 of a write that lost its race.
async fn current_etag(
    conn: &mut galley_core::db::DbConn<'_>,
    site_id: i64,
    week: IsoWeek,
    id: i64,
) -> Result<String, AppError> {
    orders::find(conn, site_id, week, id)
        .await?
        .map(|current| order_etag(&current))
        .ok_or(AppError::NotFound)
}

/// Removes a line (softly: the audit log keeps what it said).
pub async fn delete_order(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    week: IsoWeek,
    id: i64,
    expected: Option<&str>,
) -> Result<(), AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let line = orders::find(conn, site_id, week, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &order_etag(&line))?;
    galley_core::versioned_write!(
        conn,
        |tx| orders::mark_deleted(tx, &line).await?,
        audit: Entry::new("order_reminder.deleted", caller.actor(), Some(tenant))
            .target("order_reminder", line.id)
            .details(json!({
                "site_id": site_id, "year": week.year, "week": week.week, "text": line.text,
            })),
        on_conflict: current_etag(conn, site_id, week, id).await,
    )
}

/// The week's checklist, whole: not paginated, since a week holds at most 100 lines (one
/// full page) and the kitchen ticks them off as one list.
#[utoipa::path(get, path = "/api/v1/municipal/sites/{site_id}/orders/{year}/{week}",
    tag = "municipal orders",
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path)),
    responses((status = 200, body = OrderList), (status = 404), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<KitchenReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
) -> Result<axum::Json<OrderList>, AppError> {
    let week = week_from_path(year, week)?;
    Ok(axum::Json(list_orders(&state, site_id, week).await?))
}

/// Add a line to the week's checklist.
#[utoipa::path(post, path = "/api/v1/municipal/sites/{site_id}/orders/{year}/{week}",
    tag = "municipal orders", request_body = NewOrder,
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path)),
    responses((status = 201, body = OrderOut), (status = 404), (status = 422)))]
pub async fn add(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<KitchenStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
    ApiJson(body): ApiJson<NewOrder>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let line = add_order(&state, &caller, site_id, week, &body.text).await?;
    Ok(created(&line.etag.clone(), &line))
}

/// Tick a line off or on, or reword it. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/municipal/sites/{site_id}/orders/{year}/{week}/{id}",
    tag = "municipal orders", request_body = OrderChange,
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path), ("id" = i64, Path),
        ("If-Match" = String, Header)),
    responses((status = 200, body = OrderOut), (status = 404), (status = 412), (status = 422), (status = 428)))]
pub async fn change(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<KitchenStaff>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    Path((_site, year, week, id)): Path<(i64, i32, u32, i64)>,
    ApiJson(body): ApiJson<OrderChange>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let line = change_order(
        &state,
        &caller,
        site_id,
        week,
        id,
        if_match(&headers),
        &body,
    )
    .await?;
    Ok(with_etag(&HeaderMap::new(), line.etag.clone(), &line))
}

/// Remove a line. Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/municipal/sites/{site_id}/orders/{year}/{week}/{id}",
    tag = "municipal orders",
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path), ("id" = i64, Path),
        ("If-Match" = String, Header)),
    responses((status = 204), (status = 404), (status = 412), (status = 428)))]
pub async fn remove(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<KitchenStaff>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    Path((_site, year, week, id)): Path<(i64, i32, u32, i64)>,
) -> Result<StatusCode, AppError> {
    let week = week_from_path(year, week)?;
    delete_order(&state, &caller, site_id, week, id, if_match(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}
