//! `/offshore/prep/{date}` (or `/offshore/prep?date=`): the day's prep list, printable on one
//! A4 page. Galley staff move tasks on with one button per allowed status (plain forms, no
//! script), add tasks, and make the day's tasks from its menu.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use galley_core::auth::Role;
use galley_core::http::AppError;
use galley_core::http::concurrency::etag;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::{ChosenSite, page_error};
use galley_core::web::{Page, dates, render};
use serde::Deserialize;

use super::{site_of, t};
use crate::api::prep::{
    TaskIn, TaskPatch, add_task, change_task, date_from_path, generate_day, load_day,
};
use crate::api::{GalleyReaders, GalleyStaff};
use crate::prep::status::Status;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/prep", get(today))
        .route("/prep/{date}", get(day).post(add))
        .route("/prep/{date}/generate", post(generate))
        .route("/prep-tasks/{id}/status", post(move_task))
}

#[derive(Debug, Default, Deserialize)]
pub struct DayQuery {
    site: Option<String>,
    date: Option<String>,
    /// What the last form did: `saved`, `stale`, `generated-N-M`, ...
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    notes: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SiteForm {
    #[serde(default)]
    site: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    status: String,
}

pub struct SiteOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

pub struct MoveButton {
    pub value: &'static str,
    pub label: String,
}

pub struct TaskLine {
    pub id: i64,
    pub title: String,
    pub notes: String,
    pub status: &'static str,
    pub status_label: String,
    pub version: i64,
    pub moves: Vec<MoveButton>,
    /// Who moved it last, and when: "Kari, 14:05".
    pub last: String,
}

/// A line above the list: `class` is `success`, `warning` or `danger`.
pub struct Notice {
    pub class: &'static str,
    pub text: String,
}

#[derive(Template)]
#[template(path = "offshore/prep.html")]
struct PrepTemplate {
    page: Page,
    site_name: String,
    site_id: i64,
    sites: Vec<SiteOption>,
    date: String,
    date_text: String,
    previous_href: String,
    next_href: String,
    tasks: Vec<TaskLine>,
    staff: bool,
    csrf: String,
    notice: Option<Notice>,
    title_error: Option<String>,
    title_value: String,
    notes_value: String,
}

async fn today(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Query(query): Query<DayQuery>,
) -> Response {
    let site = match site_of(&state, &console.caller, query.site.clone()).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let date = match query.date.as_deref().filter(|d| !d.is_empty()) {
        Some(text) => match date_from_path(text) {
            Ok(date) => date,
            Err(_) => return page_error(AppError::NotFound),
        },
        None => site.today(),
    };
    let notice = notice(&console.page, query.done.as_deref());
    show(&state, &console, &site, date, (notice, Kept::default())).await
}

async fn day(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Path(date): Path<String>,
    Query(query): Query<DayQuery>,
) -> Response {
    let Ok(date) = date_from_path(&date) else {
        return page_error(AppError::NotFound);
    };
    let site = match site_of(&state, &console.caller, query.site.clone()).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let notice = notice(&console.page, query.done.as_deref());
    show(&state, &console, &site, date, (notice, Kept::default())).await
}

/// What the add form keeps after a refusal.
#[derive(Default)]
struct Kept {
    title_error: Option<String>,
    title: String,
    notes: String,
}

fn notice(page: &Page, done: Option<&str>) -> Option<Notice> {
    let done = done?;
    let (class, key) = match done {
        "saved" => ("success", "prep.saved"),
        "stale" => ("warning", "prep.stale"),
        "refused" => ("danger", "prep.move_refused"),
        "no-menu" => ("warning", "prep.no_menu"),
        "no-dishes" => ("warning", "prep.no_dishes"),
        other => {
            let counts = other.strip_prefix("generated-")?;
            let (created, skipped) = counts.split_once('-')?;
            let (created, skipped): (usize, usize) = (created.parse().ok()?, skipped.parse().ok()?);
            return Some(Notice {
                class: "success",
                text: t(page, "prep.generated")
                    .replace("{created}", &created.to_string())
                    .replace("{skipped}", &skipped.to_string()),
            });
        }
    };
    Some(Notice {
        class,
        text: t(page, key),
    })
}

fn status_label(page: &Page, status: Status) -> String {
    t(page, &format!("prep.status.{}", status.as_str()))
}

async fn show<R: galley_core::auth::RoleSet>(
    state: &AppState,
    console: &Console<R>,
    site: &ChosenSite,
    date: NaiveDate,
    (notice, kept): (Option<Notice>, Kept),
) -> Response {
    let page = console.page.clone();
    let loaded = async {
        let mut pooled = state.db.get().await?;
        load_day(&mut pooled.conn(), site.site.id, date).await
    }
    .await;
    let day = match loaded {
        Ok(day) => day,
        Err(error) => return page_error(error),
    };
    let staff = matches!(console.caller.role, Role::Admin | Role::Cook);
    let tasks = day
        .tasks
        .iter()
        .map(|task| {
            let last = task
                .history
                .last()
                .map(|change| {
                    let at = change.changed_at.with_timezone(&site.timezone);
                    let name = change.changed_by_name.clone().unwrap_or_default();
                    format!("{name}, {}", at.format("%H:%M"))
                })
                .unwrap_or_default();
            TaskLine {
                id: task.id,
                title: task.title.clone(),
                notes: task.notes.clone(),
                status: task.status.as_str(),
                status_label: status_label(&page, task.status),
                version: task.version,
                moves: task
                    .allowed_next
                    .iter()
                    .map(|next| MoveButton {
                        value: next.as_str(),
                        label: t(&page, &format!("prep.action.{}", next.as_str())),
                    })
                    .collect(),
                last,
            }
        })
        .collect();
    let with_site = |href: String| {
        if site.choices.is_empty() {
            href
        } else {
            format!("{href}?site={}", site.site.id)
        }
    };
    let day_href = |d: NaiveDate| with_site(format!("/offshore/prep/{d}"));
    let template = PrepTemplate {
        site_name: site.site.name.clone(),
        site_id: site.site.id,
        sites: site
            .choices
            .iter()
            .map(|s| SiteOption {
                id: s.id,
                name: s.name.clone(),
                selected: s.id == site.site.id,
            })
            .collect(),
        date: date.to_string(),
        date_text: format!(
            "{} {} {}",
            dates::weekday(&page, date),
            dates::day_month(&page, date),
            date.format("%Y")
        ),
        previous_href: date.pred_opt().map(day_href).unwrap_or_default(),
        next_href: date.succ_opt().map(day_href).unwrap_or_default(),
        tasks,
        staff,
        csrf: console.csrf(),
        notice,
        title_error: kept.title_error,
        title_value: kept.title,
        notes_value: kept.notes,
        page,
    };
    let mut response = render(StatusCode::OK, &template);
    // Ticking a task off on a phone must never show yesterday's list from the cache.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn back_to(site: &ChosenSite, date: NaiveDate, done: &str) -> Response {
    let mut href = format!("/offshore/prep/{date}?done={done}");
    if !site.choices.is_empty() {
        href.push_str(&format!("&site={}", site.site.id));
    }
    Redirect::to(&href).into_response()
}

async fn add(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    Path(date): Path<String>,
    axum::Form(form): axum::Form<AddForm>,
) -> Response {
    let Ok(date) = date_from_path(&date) else {
        return page_error(AppError::NotFound);
    };
    let site = match site_of(&state, &console.caller, Some(form.site.clone())).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let notes = form.notes.trim();
    let body = TaskIn {
        title: form.title.clone(),
        notes: (!notes.is_empty()).then(|| notes.to_owned()),
        position: None,
    };
    match add_task(&state, &console.caller, (site.site.id, date), &body).await {
        Ok(_) => back_to(&site, date, "saved"),
        Err(AppError::Validation(errors)) => {
            let taken = errors.iter().any(|e| e.reason.contains("already"));
            let key = if taken {
                "prep.title_taken"
            } else {
                "prep.title_invalid"
            };
            let kept = Kept {
                title_error: Some(t(&console.page, key)),
                title: form.title,
                notes: form.notes,
            };
            show(&state, &console, &site, date, (None, kept)).await
        }
        Err(error) => page_error(error),
    }
}

async fn generate(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    Path(date): Path<String>,
    axum::Form(form): axum::Form<SiteForm>,
) -> Response {
    let Ok(date) = date_from_path(&date) else {
        return page_error(AppError::NotFound);
    };
    let site = match site_of(&state, &console.caller, Some(form.site)).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    match generate_day(&state, &console.caller, (site.site.id, date)).await {
        Ok(made) => back_to(
            &site,
            date,
            &format!("generated-{}-{}", made.created, made.skipped),
        ),
        Err(AppError::Validation(errors)) => {
            let no_menu = errors.iter().any(|e| e.reason.contains("no menu"));
            back_to(&site, date, if no_menu { "no-menu" } else { "no-dishes" })
        }
        Err(error) => page_error(error),
    }
}

async fn move_task(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<MoveForm>,
) -> Response {
    let site = match site_of(&state, &console.caller, Some(form.site.clone())).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let (Ok(date), Ok(version), Some(status)) = (
        date_from_path(&form.date),
        form.version.parse::<i64>(),
        Status::parse(&form.status),
    ) else {
        return page_error(AppError::validation("status", "unreadable form"));
    };
    // The page showed this version: a change made meanwhile is a 412, as in the API.
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&etag("offshore-prep-task", id, version)) {
        headers.insert(header::IF_MATCH, value);
    }
    let patch = TaskPatch {
        status: Some(status),
        ..TaskPatch::default()
    };
    match change_task(
        &state,
        &console.caller,
        (site.site.id, id),
        &headers,
        &patch,
    )
    .await
    {
        Ok(task) => back_to(&site, task.date, "saved"),
        Err(AppError::PreconditionFailed { .. }) => back_to(&site, date, "stale"),
        Err(AppError::Validation(_)) => back_to(&site, date, "refused"),
        Err(error) => page_error(error),
    }
}
