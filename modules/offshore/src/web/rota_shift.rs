//! `/offshore/rota/shifts/{id}`: one shift of the rota, for galley staff to change (who works
//! it, day or night or swing, its hours) or to swap with another person's shift near it. Both
//! forms write through the API's rules, with the shift's version as the `If-Match`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Days, NaiveDate};
use galley_core::http::AppError;
use galley_core::http::concurrency::etag;
use galley_core::people::api::utc;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::{ChosenSite, page_error};
use galley_core::web::{Page, dates, render};
use serde::Deserialize;

use super::{month_param, site_of, t};
use crate::api::GalleyStaff;
use crate::api::shifts::{ShiftChange, SwapIn, change_shift, swap_shifts};
use crate::rota::crew::{self, CrewRow};
use crate::rota::shifts::{self, ShiftRow};
use crate::rotation::pattern::DayKind;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rota/shifts/{id}", get(show).post(change))
        .route("/rota/shifts/{id}/swap", post(swap))
}

/// How far either side of the shift's date a swap partner may be offered.
const SWAP_WINDOW_DAYS: u64 = 7;

/// The kinds a stored shift can be changed to.
const KINDS: [DayKind; 3] = [DayKind::Day, DayKind::Night, DayKind::Swing];

#[derive(Debug, Default, Deserialize)]
pub struct ShiftQuery {
    site: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    crew_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SwapForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    version: String,
    /// `ID:VERSION` of the other shift.
    #[serde(default)]
    other: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "offshore/rota_shift.html")]
struct ShiftTemplate {
    page: Page,
    site_name: String,
    site_id: i64,
    shift_id: i64,
    version: i64,
    csrf: String,
    heading: String,
    summary: String,
    published: bool,
    people: Vec<Choice>,
    kinds: Vec<Choice>,
    start: String,
    end: String,
    partners: Vec<Choice>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    rota_href: String,
}

impl ShiftTemplate {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, reason)| reason.as_str())
    }
}

/// The shift, the site's crew (removed people too, for names) and the shifts near it.
async fn load(
    state: &AppState,
    site_id: i64,
    id: i64,
) -> Result<(ShiftRow, Vec<CrewRow>, Vec<ShiftRow>), AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let shift = shifts::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let people = crew::all(conn, site_id).await?;
    let first = shift.date - Days::new(SWAP_WINDOW_DAYS);
    let last = shift.date + Days::new(SWAP_WINDOW_DAYS);
    let near = shifts::between(conn, site_id, first, last).await?;
    Ok((shift, people, near))
}

fn kind_of(row: &ShiftRow) -> DayKind {
    DayKind::parse(&row.kind).unwrap_or(DayKind::Swing)
}

fn hhmm(site: &ChosenSite, at: Option<chrono::NaiveDateTime>) -> String {
    at.map(|at| {
        utc(at)
            .with_timezone(&site.timezone)
            .format("%H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

fn day_text(page: &Page, date: NaiveDate) -> String {
    format!(
        "{} {}",
        dates::weekday_short(page, date),
        dates::day_month(page, date)
    )
}

/// What the form shows when it is not showing a refused post.
struct Typed {
    crew_id: i64,
    kind: String,
    start: String,
    end: String,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

async fn render_shift(
    state: &AppState,
    console: &Console<GalleyStaff>,
    site: &ChosenSite,
    id: i64,
    typed: Option<Typed>,
) -> Response {
    let page = console.page.clone();
    let (shift, people, near) = match load(state, site.site.id, id).await {
        Ok(found) => found,
        Err(error) => return page_error(error),
    };
    let name_of = |crew_id: i64| {
        people
            .iter()
            .find(|p| p.id == crew_id)
            .map_or_else(String::new, |p| p.name.clone())
    };
    let kind = kind_of(&shift);
    let typed = typed.unwrap_or_else(|| Typed {
        crew_id: shift.crew_id,
        kind: kind.as_str().to_owned(),
        start: hhmm(site, shift.starts_at),
        end: hhmm(site, shift.ends_at),
        errors: Vec::new(),
        notice: None,
    });
    let hours = match (shift.starts_at, shift.ends_at) {
        (Some(_), Some(_)) => format!(
            " {}–{}",
            hhmm(site, shift.starts_at),
            hhmm(site, shift.ends_at)
        ),
        _ => String::new(),
    };
    let kind_words = t(&page, &format!("rota.kind.{}", kind.as_str()));
    let partners = near
        .iter()
        .filter(|other| other.crew_id != shift.crew_id)
        .map(|other| Choice {
            value: format!("{}:{}", other.id, other.version),
            label: format!(
                "{} – {} – {}",
                day_text(&page, other.date),
                name_of(other.crew_id),
                t(&page, &format!("rota.kind.{}", kind_of(other).as_str()))
            ),
            selected: false,
        })
        .collect();
    let template = ShiftTemplate {
        site_name: site.site.name.clone(),
        site_id: site.site.id,
        shift_id: shift.id,
        version: shift.version,
        csrf: console.csrf(),
        heading: format!(
            "{} – {}",
            name_of(shift.crew_id),
            day_text(&page, shift.date)
        ),
        summary: format!("{kind_words}{hours}"),
        published: shift.published_at.is_some(),
        people: people
            .iter()
            .filter(|p| p.deleted_at.is_none() || p.id == shift.crew_id)
            .map(|p| Choice {
                value: p.id.to_string(),
                label: format!(
                    "{} ({})",
                    p.name,
                    t(&page, &format!("position.{}", p.position().as_str()))
                ),
                selected: p.id == typed.crew_id,
            })
            .collect(),
        kinds: KINDS
            .iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: t(&page, &format!("rota.kind.{}", k.as_str())),
                selected: typed.kind == k.as_str(),
            })
            .collect(),
        start: typed.start,
        end: typed.end,
        partners,
        errors: typed.errors,
        notice: typed.notice,
        rota_href: rota_href(site, shift.date, None),
        page,
    };
    let status = if template.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(status, &template);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn rota_href(site: &ChosenSite, date: NaiveDate, saved: Option<&str>) -> String {
    let first = NaiveDate::from_ymd_opt(
        chrono::Datelike::year(&date),
        chrono::Datelike::month(&date),
        1,
    )
    .unwrap_or(date);
    let mut href = format!("/offshore/rota?month={}", month_param(first));
    if let Some(saved) = saved {
        href.push_str(&format!("&saved={saved}"));
    }
    if !site.choices.is_empty() {
        href.push_str(&format!("&site={}", site.site.id));
    }
    href
}

async fn show(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    Path(id): Path<i64>,
    Query(query): Query<ShiftQuery>,
) -> Response {
    match site_of(&state, &console.caller, query.site).await {
        Ok(site) => render_shift(&state, &console, &site, id, None).await,
        Err(error) => page_error(error),
    }
}

/// The API's field errors in the reader's words, one per form field.
fn words_for(
    page: &Page,
    refused: Vec<galley_core::http::problem::FieldError>,
) -> Vec<(String, String)> {
    let mut errors: Vec<(String, String)> = Vec::new();
    for error in refused {
        if errors.iter().any(|(f, _)| *f == error.field) {
            continue;
        }
        let key = format!("offshore.shift.error.{}", error.field);
        let words = page.t(&key);
        let words = if words == key {
            error.reason
        } else {
            words.to_owned()
        };
        errors.push((error.field, words));
    }
    errors
}

async fn change(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ChangeForm>,
) -> Response {
    let site = match site_of(&state, &console.caller, Some(form.site.clone())).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let page = console.page.clone();
    let mut errors = Vec::new();
    let crew_id = form.crew_id.parse::<i64>().ok();
    let kind = DayKind::parse(&form.kind).filter(|k| KINDS.contains(k));
    if crew_id.is_none() {
        errors.push(("crew_id".to_owned(), t(&page, "shift.error.crew_id")));
    }
    if kind.is_none() {
        errors.push(("kind".to_owned(), t(&page, "shift.error.kind")));
    }
    // A swing day has no hours, whatever the boxes still say.
    let swing = kind == Some(DayKind::Swing);
    let hours = |text: &str| (!swing && !text.trim().is_empty()).then(|| text.trim().to_owned());
    let change = ShiftChange {
        crew_id,
        kind,
        start: hours(&form.start),
        end: hours(&form.end),
    };
    if errors.is_empty() {
        let version = form.version.parse::<i64>().unwrap_or(-1);
        let expected = etag("offshore-shift", id, version);
        match change_shift(
            &state,
            &console.caller,
            site.site.id,
            id,
            Some(&expected),
            &change,
        )
        .await
        {
            Ok(shift) => {
                return Redirect::to(&rota_href(&site, shift.date, Some("changed")))
                    .into_response();
            }
            Err(AppError::Validation(refused)) => errors = words_for(&page, refused),
            Err(AppError::PreconditionFailed { .. }) => {
                let notice = Some(t(&page, "shift.stale"));
                return with_stored(&state, &console, &site, id, Vec::new(), notice).await;
            }
            Err(error) => return page_error(error),
        }
    }
    let typed = Typed {
        crew_id: crew_id.unwrap_or_default(),
        kind: form.kind,
        start: form.start,
        end: form.end,
        errors,
        notice: None,
    };
    render_shift(&state, &console, &site, id, Some(typed)).await
}

async fn swap(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<SwapForm>,
) -> Response {
    let site = match site_of(&state, &console.caller, Some(form.site.clone())).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let page = console.page.clone();
    let other = form
        .other
        .split_once(':')
        .and_then(|(id, version)| Some((id.parse::<i64>().ok()?, version.parse::<i64>().ok()?)));
    let version = form.version.parse::<i64>().unwrap_or(-1);
    let Some((other_id, other_version)) = other else {
        let errors = vec![("other".to_owned(), t(&page, "shift.error.other"))];
        return with_stored(&state, &console, &site, id, errors, None).await;
    };
    let body = SwapIn {
        first: id,
        first_etag: etag("offshore-shift", id, version),
        second: other_id,
        second_etag: etag("offshore-shift", other_id, other_version),
    };
    match swap_shifts(&state, &console.caller, site.site.id, &body).await {
        Ok(swapped) => {
            Redirect::to(&rota_href(&site, swapped.first.date, Some("swapped"))).into_response()
        }
        Err(AppError::Validation(errors)) => {
            let errors = words_for(&page, errors)
                .into_iter()
                .map(|(_, words)| ("other".to_owned(), words))
                .collect();
            with_stored(&state, &console, &site, id, errors, None).await
        }
        Err(AppError::PreconditionFailed { .. }) => {
            let notice = Some(t(&page, "shift.stale"));
            with_stored(&state, &console, &site, id, Vec::new(), notice).await
        }
        Err(error) => page_error(error),
    }
}

/// The page with the stored shift in the change form, and why it is shown again: a swap
/// refused, or a shift changed by someone else since the page was read.
async fn with_stored(
    state: &AppState,
    console: &Console<GalleyStaff>,
    site: &ChosenSite,
    id: i64,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Response {
    let shift = match load(state, site.site.id, id).await {
        Ok((shift, _, _)) => shift,
        Err(error) => return page_error(error),
    };
    let typed = Typed {
        crew_id: shift.crew_id,
        kind: kind_of(&shift).as_str().to_owned(),
        start: hhmm(site, shift.starts_at),
        end: hhmm(site, shift.ends_at),
        errors,
        notice,
    };
    render_shift(state, console, site, id, Some(typed)).await
}
