//! `/offshore/rota`: a month of the galley's rota, one row per person, with cover gaps,
//! double bookings and working-time breaches named in words. Admins preview a generated month
//! (`/offshore/rota/preview`), apply it and publish it.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate, Weekday};
use galley_core::auth::Role;
use galley_core::http::AppError;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::{ChosenSite, SiteQuery, chosen_site, page_error};
use galley_core::web::{Page, dates, render};
use serde::Deserialize;

use super::{month_of, month_param, t};
use crate::api::exceptions::{ExceptionIn, add_exception};
use crate::api::schedule::{
    BreachOut, ScheduleOut, apply_plan, preview_plan, publish_range, stored_schedule,
};
use crate::api::{GalleyReaders, RotaAdmins, text};
use crate::rota::crew;
use crate::rotation::pattern::DayKind;
use crate::rotation::rules::Breach;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rota", get(month))
        .route("/rota/preview", get(preview))
        .route("/rota/apply", post(apply))
        .route("/rota/publish", post(publish))
        .route("/rota/exceptions", post(mark_exception))
}

#[derive(Debug, Default, Deserialize)]
pub struct RotaQuery {
    site: Option<String>,
    month: Option<String>,
    /// `applied` or `published`, after a redirect.
    saved: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RotaForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    basis: String,
}

pub struct SiteOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

pub struct DayHead {
    pub weekday: String,
    pub day: u32,
    pub weekend: bool,
    /// People short against the required cover that day.
    pub short: u32,
}

pub struct Cell {
    /// "D", "N", "S" or empty.
    pub code: String,
    pub class: &'static str,
    /// The kind and hours in words.
    pub title: String,
    pub draft: bool,
    /// The shift's own page, for galley staff.
    pub href: Option<String>,
}

/// A working-time breach in words; a period too long that is not marked yet can be marked
/// as an exception by an admin: (crew id, the period's first day).
pub struct BreachLine {
    pub text: String,
    pub mark: Option<(i64, NaiveDate)>,
}

#[derive(Debug, Deserialize)]
pub struct ExceptionForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    crew_id: String,
    #[serde(default)]
    first_date: String,
    #[serde(default)]
    reason: String,
}

pub struct Row {
    pub name: String,
    pub position: String,
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "offshore/rota.html")]
struct RotaTemplate {
    page: Page,
    site_name: String,
    sites: Vec<SiteOption>,
    site_id: i64,
    month: String,
    month_text: String,
    previous_href: String,
    next_href: String,
    days: Vec<DayHead>,
    rows: Vec<Row>,
    breaches: Vec<BreachLine>,
    double_bookings: Vec<String>,
    days_with_gaps: usize,
    has_cover: bool,
    drafts: usize,
    unscheduled: Vec<String>,
    admin: bool,
    /// May open a shift to change or swap it.
    staff: bool,
    csrf: String,
    preview: bool,
    basis: String,
    replaces: String,
    saved: Option<String>,
}

async fn site_for(
    state: &AppState,
    console: &Console<GalleyReaders>,
    site: Option<String>,
) -> Result<Option<ChosenSite>, AppError> {
    chosen_site(state, &console.caller, &SiteQuery { site }).await
}

async fn month(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Query(query): Query<RotaQuery>,
) -> Response {
    show(&state, console, query, false).await
}

async fn preview(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Query(query): Query<RotaQuery>,
) -> Response {
    if console.caller.role != Role::Admin {
        return galley_core::web::error_page(console.page, StatusCode::FORBIDDEN);
    }
    show(&state, console, query, true).await
}

async fn show(
    state: &AppState,
    console: Console<GalleyReaders>,
    query: RotaQuery,
    preview: bool,
) -> Response {
    let site = match site_for(state, &console, query.site.clone()).await {
        Ok(Some(site)) => site,
        Ok(None) => return page_error(AppError::NotFound),
        Err(error) => return page_error(error),
    };
    let Some((first, last)) = month_of(query.month.as_deref(), site.today()) else {
        return page_error(AppError::NotFound);
    };
    let range = match text::range(first, last) {
        Ok(range) => range,
        Err(error) => return page_error(error),
    };
    let schedule = if preview {
        preview_plan(state, &console.caller, site.site.id, &range).await
    } else {
        stored_schedule(state, &console.caller, site.site.id, &range).await
    };
    let schedule = match schedule {
        Ok(schedule) => schedule,
        Err(error) => return page_error(error),
    };
    let people = {
        let mut pooled = match state.db.get().await {
            Ok(pooled) => pooled,
            Err(error) => return page_error(error.into()),
        };
        match crew::list(&mut pooled.conn(), site.site.id).await {
            Ok(people) => people,
            Err(error) => return page_error(error.into()),
        }
    };
    let page = &console.page;
    let site_query = |month: NaiveDate| {
        let mut href = format!("?month={}", month_param(month));
        if !site.choices.is_empty() {
            href.push_str(&format!("&site={}", site.site.id));
        }
        href
    };
    let base = if preview {
        "/offshore/rota/preview"
    } else {
        "/offshore/rota"
    };
    let previous = first - chrono::Months::new(1);
    let next = first + chrono::Months::new(1);
    let days: Vec<NaiveDate> = range.days().collect();
    let staff = !preview && matches!(console.caller.role, Role::Admin | Role::Cook);
    let admin = console.caller.role == Role::Admin;
    let shift_link = staff.then(|| site.query());
    let rows = grid(page, &schedule, &people, &days, shift_link.as_deref());
    let day_heads = days
        .iter()
        .map(|date| DayHead {
            weekday: dates::weekday_short(page, *date),
            day: date.day(),
            weekend: matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
            short: schedule
                .coverage
                .iter()
                .find(|c| c.date == *date)
                .map_or(0, |c| c.lines.iter().map(|l| l.short()).sum()),
        })
        .collect();
    let template = RotaTemplate {
        site_name: site.site.name.clone(),
        sites: site
            .choices
            .iter()
            .map(|s| SiteOption {
                id: s.id,
                name: s.name.clone(),
                selected: s.id == site.site.id,
            })
            .collect(),
        site_id: site.site.id,
        month: month_param(first),
        month_text: dates::month_year(page, first),
        previous_href: format!("{base}{}", site_query(previous)),
        next_href: format!("{base}{}", site_query(next)),
        days: day_heads,
        rows,
        breaches: schedule
            .breaches
            .iter()
            .map(|b| BreachLine {
                text: breach_text(page, b),
                mark: match b.breach {
                    Breach::PeriodTooLong {
                        crew_id,
                        first,
                        exception: false,
                        ..
                    } if admin && !preview => Some((crew_id, first)),
                    _ => None,
                },
            })
            .collect(),
        double_bookings: schedule
            .double_bookings
            .iter()
            .map(|b| {
                t(page, "rota.double_booking")
                    .replace("{name}", &b.crew_name)
                    .replace("{date}", &dates::day_month(page, b.date))
            })
            .collect(),
        days_with_gaps: schedule.days_with_gaps,
        has_cover: schedule.coverage.iter().any(|c| !c.lines.is_empty()),
        drafts: schedule.shifts.iter().filter(|s| !s.published).count(),
        unscheduled: schedule
            .unscheduled
            .iter()
            .map(|c| c.name.clone())
            .collect(),
        admin,
        staff,
        csrf: console.csrf(),
        preview,
        basis: schedule.basis.clone().unwrap_or_default(),
        replaces: schedule.replaces.as_ref().map_or_else(String::new, |r| {
            t(page, "rota.replaces")
                .replace("{shifts}", &r.shifts.to_string())
                .replace("{published}", &r.published.to_string())
        }),
        saved: query.saved.filter(|s| {
            matches!(
                s.as_str(),
                "applied"
                    | "published"
                    | "stale"
                    | "changed"
                    | "swapped"
                    | "exception"
                    | "exception_reason"
            )
        }),
        page: console.page.clone(),
    };
    render(StatusCode::OK, &template)
}

/// One row per person of the site (and per removed person who still has shifts that month).
/// With `shift_link` (the site query), each stored shift links to its own page.
fn grid(
    page: &Page,
    schedule: &ScheduleOut,
    people: &[crew::CrewRow],
    days: &[NaiveDate],
    shift_link: Option<&str>,
) -> Vec<Row> {
    let mut by_person: HashMap<i64, Vec<&crate::api::schedule::ShiftOut>> = HashMap::new();
    for shift in &schedule.shifts {
        by_person.entry(shift.crew_id).or_default().push(shift);
    }
    let mut order: Vec<(String, String, i64)> = people
        .iter()
        .map(|p| (p.position().as_str().to_owned(), p.name.clone(), p.id))
        .collect();
    for shift in &schedule.shifts {
        if !order.iter().any(|(_, _, id)| *id == shift.crew_id) {
            order.push((
                shift.position.as_str().to_owned(),
                shift.crew_name.clone(),
                shift.crew_id,
            ));
        }
    }
    order.sort();
    order
        .into_iter()
        .map(|(position, name, id)| {
            let own = by_person.get(&id);
            let cells = days
                .iter()
                .map(|date| {
                    let shift = own.and_then(|shifts| shifts.iter().find(|s| s.date == *date));
                    match shift {
                        None => Cell {
                            code: String::new(),
                            class: "off",
                            title: t(page, "rota.kind.off"),
                            draft: false,
                            href: None,
                        },
                        Some(shift) => {
                            let kind = shift.kind.as_str();
                            let hours = match (&shift.start, &shift.end) {
                                (Some(start), Some(end)) => format!(" {start}–{end}"),
                                _ => String::new(),
                            };
                            Cell {
                                code: t(page, &format!("rota.code.{kind}")),
                                class: match shift.kind {
                                    DayKind::Day => "day",
                                    DayKind::Night => "night",
                                    _ => "swing",
                                },
                                title: format!("{}{hours}", t(page, &format!("rota.kind.{kind}"))),
                                draft: !shift.published && shift.id.is_some(),
                                href: shift_link.zip(shift.id).map(|(query, id)| {
                                    format!("/offshore/rota/shifts/{id}{query}")
                                }),
                            }
                        }
                    }
                })
                .collect();
            Row {
                position: t(page, &format!("position.{position}")),
                name,
                cells,
            }
        })
        .collect()
}

/// A breach in the reader's words, naming the person and the dates.
pub fn breach_text(page: &Page, breach: &BreachOut) -> String {
    let day = |date: NaiveDate| dates::day_month(page, date);
    match &breach.breach {
        Breach::PeriodTooLong {
            first,
            last,
            days,
            limit,
            exception,
            ..
        } => t(
            page,
            if *exception {
                "rota.breach.extended_too_long"
            } else {
                "rota.breach.period_too_long"
            },
        )
        .replace("{first}", &day(*first))
        .replace("{last}", &day(*last))
        .replace("{days}", &days.to_string())
        .replace("{limit}", &limit.to_string()),
        Breach::ShiftTooLong {
            date,
            minutes,
            limit,
            ..
        } => t(page, "rota.breach.shift_too_long")
            .replace("{date}", &day(*date))
            .replace("{hours}", &format!("{:.1}", *minutes as f64 / 60.0))
            .replace("{limit}", &format!("{:.1}", f64::from(*limit) / 60.0)),
        Breach::RestTooShort {
            period_last,
            next_first,
            days,
            minimum,
            ..
        } => t(page, "rota.breach.rest_too_short")
            .replace("{last}", &day(*period_last))
            .replace("{next}", &day(*next_first))
            .replace("{days}", &days.to_string())
            .replace("{minimum}", &minimum.to_string()),
    }
    .replace("{name}", &breach.crew_name)
}

/// The month and site a form names, checked like the page's query.
async fn form_range(
    state: &AppState,
    console: &Console<RotaAdmins>,
    form: &RotaForm,
) -> Result<(ChosenSite, crate::rotation::generate::DateRange), AppError> {
    let site = chosen_site(
        state,
        &console.caller,
        &SiteQuery {
            site: Some(form.site.clone()),
        },
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let (first, last) = month_of(Some(&form.month), site.today())
        .ok_or_else(|| AppError::validation("month", "must be YYYY-MM"))?;
    Ok((site, text::range(first, last)?))
}

fn back_to(site: &ChosenSite, month: &str, saved: &str) -> Response {
    let mut href = format!("/offshore/rota?month={month}&saved={saved}");
    if !site.choices.is_empty() {
        href.push_str(&format!("&site={}", site.site.id));
    }
    Redirect::to(&href).into_response()
}

async fn apply(
    State(state): State<AppState>,
    console: Console<RotaAdmins>,
    axum::Form(form): axum::Form<RotaForm>,
) -> Response {
    let (site, range) = match form_range(&state, &console, &form).await {
        Ok(found) => found,
        Err(error) => return page_error(error),
    };
    match apply_plan(
        &state,
        &console.caller,
        site.site.id,
        &range,
        Some(&form.basis),
    )
    .await
    {
        Ok(_) => back_to(&site, &form.month, "applied"),
        // The rota changed since the preview: show the preview again, as it is now.
        Err(AppError::PreconditionFailed { .. }) => {
            let mut href = format!("/offshore/rota/preview?month={}&saved=stale", form.month);
            if !site.choices.is_empty() {
                href.push_str(&format!("&site={}", site.site.id));
            }
            Redirect::to(&href).into_response()
        }
        Err(error) => page_error(error),
    }
}

async fn publish(
    State(state): State<AppState>,
    console: Console<RotaAdmins>,
    axum::Form(form): axum::Form<RotaForm>,
) -> Response {
    let (site, range) = match form_range(&state, &console, &form).await {
        Ok(found) => found,
        Err(error) => return page_error(error),
    };
    match publish_range(&state, &console.caller, site.site.id, &range).await {
        Ok(_) => back_to(&site, &form.month, "published"),
        Err(error) => page_error(error),
    }
}

/// Marks an offshore period as an exception (Framework Regulations section 42), with its reason.
async fn mark_exception(
    State(state): State<AppState>,
    console: Console<RotaAdmins>,
    axum::Form(form): axum::Form<ExceptionForm>,
) -> Response {
    let rota = RotaForm {
        site: form.site.clone(),
        month: form.month.clone(),
        basis: String::new(),
    };
    let (site, _) = match form_range(&state, &console, &rota).await {
        Ok(found) => found,
        Err(error) => return page_error(error),
    };
    let (Ok(crew_id), Ok(first_date)) = (
        form.crew_id.parse::<i64>(),
        NaiveDate::parse_from_str(&form.first_date, "%Y-%m-%d"),
    ) else {
        return page_error(AppError::NotFound);
    };
    if form.reason.trim().is_empty() {
        return back_to(&site, &form.month, "exception_reason");
    }
    let body = ExceptionIn {
        crew_id,
        first_date,
        reason: form.reason,
    };
    match add_exception(&state, &console.caller, site.site.id, &body).await {
        // Already marked (by someone else meanwhile): the month shows it so.
        Ok(_) | Err(AppError::Conflict(_)) => back_to(&site, &form.month, "exception"),
        Err(AppError::Validation(_)) => back_to(&site, &form.month, "exception_reason"),
        Err(error) => page_error(error),
    }
}
