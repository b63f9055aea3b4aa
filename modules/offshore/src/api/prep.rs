//! `/api/v1/offshore/sites/{site_id}/prep`: the galley's prep list, one day at a time. Tasks
//! move through the statuses [`Status::next`] allows, each move kept with who made it and when;
//! a day's tasks can be made from the dishes of that day's menu. Galley staff write; readers
//! read.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use chrono::{Datelike, NaiveDate};
use galley_core::audit::Entry;
use galley_core::auth::{Allowed, Caller};
use galley_core::db::DbConn;
use galley_core::http::concurrency::{check_precondition, created, etag, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menu_api;
use galley_core::people::api::{fail_if_any, tenant_of, utc};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::waste::check_date;
use super::{GalleyReaders, GalleyStaff, text};
use crate::prep::status::Status;
use crate::prep::store::{self, Change, MAX_PER_DAY, Owner, TaskFields, TaskRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/prep/{date}", get(day).post(add))
        .route("/sites/{site_id}/prep/{date}/generate", post(generate))
        .route(
            "/sites/{site_id}/prep-tasks/{id}",
            patch(change).delete(remove),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(day, add, change, remove, generate),
    tags((name = "offshore prep", description = "The galley's prep list, day by day"))
)]
pub struct PrepApi;

const MAX_TITLE: usize = 120;
const MAX_NOTES: usize = 2000;
const MAX_POSITION: i32 = 10_000;

/// One status change of a task.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangeOut {
    /// None for the task's first status.
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub changed_by: Option<i64>,
    /// The display name of who made the change.
    pub changed_by_name: Option<String>,
    pub changed_at: chrono::DateTime<chrono::Utc>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskOut {
    pub id: i64,
    pub site_id: i64,
    pub date: NaiveDate,
    pub title: String,
    pub notes: String,
    pub status: Status,
    /// The statuses this task may move to next.
    pub allowed_next: Vec<Status>,
    pub position: i32,
    pub created_by: Option<i64>,
    pub version: i64,
    pub etag: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Oldest first.
    pub history: Vec<ChangeOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PrepDayOut {
    pub site_id: i64,
    pub date: NaiveDate,
    /// By position, then by when they were added.
    pub tasks: Vec<TaskOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GeneratedOut {
    /// Tasks made now.
    pub created: usize,
    /// Dishes of the day that already had a task with their name.
    pub skipped: usize,
    pub day: PrepDayOut,
}

/// A new task, `todo`; without a position it goes last.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskIn {
    #[schema(min_length = 1, max_length = 120)]
    pub title: String,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    #[schema(minimum = 0, maximum = 10000)]
    pub position: Option<i32>,
}

/// The fields sent change; the others stay. A new status must be one of `allowed_next`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    #[schema(min_length = 1, max_length = 120)]
    pub title: Option<String>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    #[schema(minimum = 0, maximum = 10000)]
    pub position: Option<i32>,
    pub status: Option<Status>,
}

pub fn task_etag(row: &TaskRow) -> String {
    etag("offshore-prep-task", row.id, row.version)
}

fn change_out(change: &Change) -> ChangeOut {
    ChangeOut {
        from_status: change.from,
        to_status: change.to,
        changed_by: change.by,
        changed_by_name: change.by_name.clone(),
        changed_at: utc(change.at),
        note: change.note.clone(),
    }
}

fn out(row: &TaskRow, history: &[Change]) -> TaskOut {
    TaskOut {
        etag: task_etag(row),
        id: row.id,
        site_id: row.site_id,
        date: row.date,
        title: row.title.clone(),
        notes: row.notes.clone(),
        status: row.status(),
        allowed_next: row.status().next().to_vec(),
        position: row.position,
        created_by: row.created_by,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        history: history
            .iter()
            .filter(|c| c.task_id == row.id)
            .map(change_out)
            .collect(),
    }
}

/// A `YYYY-MM-DD` path segment in the years 2000 to 2100.
pub fn date_from_path(text: &str) -> Result<NaiveDate, AppError> {
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

fn check_position(position: i32, errors: &mut Vec<FieldError>) {
    if !(0..=MAX_POSITION).contains(&position) {
        errors.push(FieldError {
            field: "position".into(),
            reason: format!("must be 0 to {MAX_POSITION}"),
        });
    }
}

fn check_notes(notes: &str, errors: &mut Vec<FieldError>) -> String {
    let notes = notes.trim().to_owned();
    if notes.chars().count() > MAX_NOTES {
        errors.push(FieldError {
            field: "notes".into(),
            reason: format!("must be at most {MAX_NOTES} characters"),
        });
    }
    notes
}

fn taken(title: &str) -> AppError {
    AppError::validation(
        "title",
        format!("the day already has a task called \"{title}\""),
    )
}

fn names(statuses: &[Status]) -> String {
    statuses
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The move from `from` to `to`, or a 422 naming `status` with the moves allowed.
pub fn check_move(from: Status, to: Status) -> Result<(), AppError> {
    if from == to || from.may_become(to) {
        return Ok(());
    }
    Err(AppError::validation(
        "status",
        format!(
            "a {} task cannot become {}; allowed next: {}",
            from.as_str(),
            to.as_str(),
            names(from.next())
        ),
    ))
}

fn details(fields: &TaskFields<'_>, status: Status) -> serde_json::Value {
    json!({
        "title": fields.title, "notes": fields.notes, "position": fields.position,
        "status": status.as_str(),
    })
}

async fn found(conn: &mut DbConn<'_>, site_id: i64, id: i64) -> Result<TaskRow, AppError> {
    store::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn current_etag(conn: &mut DbConn<'_>, site_id: i64, id: i64) -> Result<String, AppError> {
    Ok(task_etag(&found(conn, site_id, id).await?))
}

async fn one_out(conn: &mut DbConn<'_>, row: &TaskRow) -> Result<TaskOut, AppError> {
    let history = store::changes(conn, &[row.id]).await?;
    Ok(out(row, &history))
}

/// The day's tasks with their histories.
pub async fn load_day(
    conn: &mut DbConn<'_>,
    site_id: i64,
    date: NaiveDate,
) -> Result<PrepDayOut, AppError> {
    let rows = store::day(conn, site_id, date).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let history = store::changes(conn, &ids).await?;
    Ok(PrepDayOut {
        site_id,
        date,
        tasks: rows.iter().map(|row| out(row, &history)).collect(),
    })
}

/// The day's tasks in order, each with who changed its status when.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/prep/{date}", tag = "offshore prep",
    params(("site_id" = i64, Path), ("date" = String, Path, description = "YYYY-MM-DD, years 2000 to 2100")),
    responses((status = 200, body = PrepDayOut), (status = 404), (status = 422)))]
pub async fn day(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
    Path((_site, date)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let date = date_from_path(&date)?;
    let mut pooled = state.db.get().await?;
    let out = load_day(&mut pooled.conn(), site_id, date).await?;
    Ok(axum::Json(out).into_response())
}

pub async fn add_task(
    state: &AppState,
    caller: &Caller,
    (site_id, date): (i64, NaiveDate),
    body: &TaskIn,
) -> Result<TaskOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut errors = Vec::new();
    let title = text::name("title", &body.title, MAX_TITLE, &mut errors);
    let notes = check_notes(body.notes.as_deref().unwrap_or_default(), &mut errors);
    if let Some(position) = body.position {
        check_position(position, &mut errors);
    }
    fail_if_any(errors)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    if store::count_day(conn, site_id, date).await? >= MAX_PER_DAY {
        return Err(AppError::validation(
            "title",
            format!("a day holds at most {MAX_PER_DAY} tasks"),
        ));
    }
    let position = match body.position {
        Some(position) => position,
        None => store::next_position(conn, site_id, date).await?,
    };
    let fields = TaskFields {
        title: &title,
        notes: &notes,
        position,
    };
    let owner = Owner {
        tenant_id: tenant,
        site_id,
        date,
        created_by: caller.user_id,
    };
    let id = galley_core::transaction!(conn, |tx| {
        let Some(id) = store::insert(tx, owner, &fields, None).await? else {
            return Err(taken(&title));
        };
        galley_core::audit::record(
            tx,
            Entry::new("offshore_prep.created", caller.actor(), Some(tenant))
                .target("offshore_prep_task", id)
                .details(json!({ "date": date, "task": details(&fields, Status::Todo) })),
        )
        .await?;
        Ok::<_, AppError>(id)
    })?;
    let row = found(conn, site_id, id).await?;
    one_out(conn, &row).await
}

/// Add a task to the day, `todo`.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/prep/{date}", tag = "offshore prep",
    request_body = TaskIn,
    params(("site_id" = i64, Path), ("date" = String, Path, description = "YYYY-MM-DD, years 2000 to 2100")),
    responses((status = 201, body = TaskOut), (status = 404), (status = 422)))]
pub async fn add(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, date)): Path<(i64, String)>,
    ApiJson(body): ApiJson<TaskIn>,
) -> Result<Response, AppError> {
    let date = date_from_path(&date)?;
    let made = add_task(&state, &caller, (site_id, date), &body).await?;
    Ok(created(&made.etag, &made))
}

/// Applies a patch to the task whose ETag the caller read (`None` skips the check: only for
/// callers that already checked it).
pub async fn change_task(
    state: &AppState,
    caller: &Caller,
    (site_id, id): (i64, i64),
    headers: &HeaderMap,
    body: &TaskPatch,
) -> Result<TaskOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let row = found(conn, site_id, id).await?;
    check_precondition(if_match(headers), &task_etag(&row))?;
    let mut errors = Vec::new();
    let title = match &body.title {
        Some(title) => text::name("title", title, MAX_TITLE, &mut errors),
        None => row.title.clone(),
    };
    let notes = match &body.notes {
        Some(notes) => check_notes(notes, &mut errors),
        None => row.notes.clone(),
    };
    let position = body.position.unwrap_or(row.position);
    check_position(position, &mut errors);
    fail_if_any(errors)?;
    let from = row.status();
    let to = body.status.unwrap_or(from);
    check_move(from, to)?;
    if title != row.title
        && store::titled(conn, site_id, row.date, &title)
            .await?
            .is_some()
    {
        return Err(taken(&title));
    }
    let before = TaskFields {
        title: &row.title,
        notes: &row.notes,
        position: row.position,
    };
    let after = TaskFields {
        title: &title,
        notes: &notes,
        position,
    };
    galley_core::versioned_write!(
        conn,
        |tx| store::update(tx, &row, &after, (to, caller.user_id)).await?,
        audit: Entry::new("offshore_prep.updated", caller.actor(), Some(tenant))
            .target("offshore_prep_task", id)
            .details(json!({ "from": details(&before, from), "to": details(&after, to) })),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    let row = found(conn, site_id, id).await?;
    one_out(conn, &row).await
}

/// Change a task's title, notes, position or status; needs its ETag as `If-Match`. A status
/// change must be one of the task's `allowed_next` and is added to its history.
#[utoipa::path(patch, path = "/api/v1/offshore/sites/{site_id}/prep-tasks/{id}",
    tag = "offshore prep", request_body = TaskPatch,
    params(("site_id" = i64, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = TaskOut), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn change(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TaskPatch>,
) -> Result<Response, AppError> {
    let changed = change_task(&state, &caller, (site_id, id), &headers, &body).await?;
    Ok(with_etag(&HeaderMap::new(), changed.etag.clone(), &changed))
}

/// Remove a task; needs its ETag as `If-Match`.
#[utoipa::path(delete, path = "/api/v1/offshore/sites/{site_id}/prep-tasks/{id}",
    tag = "offshore prep",
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
    check_precondition(if_match(&headers), &task_etag(&row))?;
    let fields = TaskFields {
        title: &row.title,
        notes: &row.notes,
        position: row.position,
    };
    galley_core::versioned_write!(
        conn,
        |tx| store::mark_deleted(tx, &row).await?,
        audit: Entry::new("offshore_prep.deleted", caller.actor(), Some(tenant))
            .target("offshore_prep_task", id)
            .details(json!({ "date": row.date, "task": details(&fields, row.status()) })),
        on_conflict: current_etag(conn, site_id, id).await,
    )?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The names of the dishes on `date` in the site's menu of that ISO week, each once, in the
/// menu's order; `None` when the week has no menu.
async fn dishes_of_day(
    conn: &mut DbConn<'_>,
    site_id: i64,
    date: NaiveDate,
) -> Result<Option<Vec<String>>, AppError> {
    let week = IsoWeek::containing(date);
    let (menu, items) = menu_api::load(conn, site_id, week).await?;
    if menu.is_none() {
        return Ok(None);
    }
    let weekday = date.weekday().number_from_monday() as i32;
    let mut names: Vec<String> = Vec::new();
    for item in items.iter().filter(|item| item.day == weekday) {
        if !names.contains(&item.dish_name) {
            names.push(item.dish_name.clone());
        }
    }
    Ok(Some(names))
}

pub async fn generate_day(
    state: &AppState,
    caller: &Caller,
    (site_id, date): (i64, NaiveDate),
) -> Result<GeneratedOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let week = IsoWeek::containing(date);
    let Some(dishes) = dishes_of_day(conn, site_id, date).await? else {
        return Err(AppError::validation(
            "date",
            format!(
                "this galley has no menu for week {} of {}; make the menu first",
                week.week, week.year
            ),
        ));
    };
    if dishes.is_empty() {
        return Err(AppError::validation(
            "date",
            "the menu of this week has no dishes on this day",
        ));
    }
    let existing = store::count_day(conn, site_id, date).await?;
    if existing + dishes.len() as i64 > MAX_PER_DAY {
        return Err(AppError::validation(
            "date",
            format!("a day holds at most {MAX_PER_DAY} tasks"),
        ));
    }
    let owner = Owner {
        tenant_id: tenant,
        site_id,
        date,
        created_by: caller.user_id,
    };
    let made = galley_core::transaction!(conn, |tx| {
        let mut position = store::next_position(tx, site_id, date).await?;
        let mut made = Vec::new();
        for name in &dishes {
            // The unique index on (site, date, title) skips a dish that has a task already.
            let fields = TaskFields {
                title: name,
                notes: "",
                position,
            };
            if store::insert(tx, owner, &fields, Some("from the menu"))
                .await?
                .is_some()
            {
                made.push(name.clone());
                position = (position + 1).min(MAX_POSITION);
            }
        }
        if !made.is_empty() {
            galley_core::audit::record(
                tx,
                Entry::new("offshore_prep.generated", caller.actor(), Some(tenant))
                    .target("site", site_id)
                    .details(json!({ "date": date, "titles": made })),
            )
            .await?;
        }
        Ok::<_, AppError>(made)
    })?;
    let day = load_day(conn, site_id, date).await?;
    Ok(GeneratedOut {
        created: made.len(),
        skipped: dishes.len() - made.len(),
        day,
    })
}

/// Make a task for every dish of the day's menu that has none yet (a task whose title is the
/// dish's name). Running it again adds only what the menu gained since.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/prep/{date}/generate",
    tag = "offshore prep",
    params(("site_id" = i64, Path), ("date" = String, Path, description = "YYYY-MM-DD, years 2000 to 2100")),
    responses((status = 200, body = GeneratedOut), (status = 404), (status = 422)))]
pub async fn generate(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, date)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let date = date_from_path(&date)?;
    let out = generate_day(&state, &caller, (site_id, date)).await?;
    Ok(axum::Json(out).into_response())
}
