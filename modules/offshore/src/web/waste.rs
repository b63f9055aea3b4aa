//! `/offshore/waste`: the galley's waste log for a day (what each meal produced, served and
//! left, with a form that checks an entry the way the API does), the day's summary by meal,
//! and its ISO week as a bar chart (server-drawn SVG; the table under it says the same in
//! words and numbers).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{Datelike, Duration, NaiveDate};
use galley_core::auth::Role;
use galley_core::http::AppError;
use galley_core::http::problem::FieldError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::{ChosenSite, page_error};
use galley_core::web::{Page, dates, render};
use serde::Deserialize;

use super::waste_words::{
    Choice, category_choices, category_label, category_named, kg, kg_tenths, meal_choices,
    meal_label, meal_named, percent, site_choices,
};
use super::{site_of, t};
use crate::api::waste::{WasteIn, add_entry, checked, inputs, remove_entry};
use crate::api::{GalleyReaders, GalleyStaff};
use crate::waste::entry::WasteInput;
use crate::waste::import::grams_of;
use crate::waste::store as waste_store;
use crate::waste::summary::{DaySummary, Totals, WeekSummary};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/waste", get(show_day).post(add))
        .route("/waste/{id}/delete", axum::routing::post(delete))
}

#[derive(Debug, Default, Deserialize)]
pub struct DayQuery {
    site: Option<String>,
    date: Option<String>,
    done: Option<String>,
}

/// The entry form as typed; kept as typed when it is refused.
#[derive(Debug, Default, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    meal: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    dish: String,
    #[serde(default)]
    guests: String,
    #[serde(default)]
    produced_kg: String,
    #[serde(default)]
    served_kg: String,
    #[serde(default)]
    leftover_kg: String,
}

pub struct EntryLine {
    /// The stored entry and its version, for the remove button.
    pub id: i64,
    pub version: i64,
    pub meal: String,
    pub category: String,
    pub dish: String,
    pub guests: u32,
    pub produced: String,
    pub served: String,
    pub leftover: String,
    pub per_guest: String,
}

pub struct TotalsLine {
    pub label: String,
    pub guests: u64,
    pub produced: String,
    pub served: String,
    pub leftover: String,
    pub leftover_pct: String,
    pub served_pct: String,
    pub empty: bool,
}

/// One bar of the week chart, in the SVG's own units.
pub struct Bar {
    pub label: String,
    pub x: i64,
    pub center: i64,
    pub width: i64,
    /// Produced: the outline.
    pub top: i64,
    pub height: i64,
    /// Served, from the bottom up.
    pub served_top: i64,
    pub served_height: i64,
    /// Leftover, from the top of the bar down.
    pub leftover_height: i64,
    pub caption: String,
    pub caption_y: i64,
    pub today: bool,
}

pub struct Chart {
    pub bars: Vec<Bar>,
    pub max_label: String,
    pub description: String,
}

#[derive(Template)]
#[template(path = "offshore/waste.html")]
struct WasteTemplate {
    page: Page,
    site_name: String,
    site_id: i64,
    sites: Vec<Choice>,
    date: String,
    date_text: String,
    week_text: String,
    week_range: String,
    previous_href: String,
    next_href: String,
    portion_href: String,
    import_href: String,
    entries: Vec<EntryLine>,
    day_rows: Vec<TotalsLine>,
    day_total: TotalsLine,
    week_rows: Vec<TotalsLine>,
    week_total: TotalsLine,
    chart: Chart,
    staff: bool,
    csrf: String,
    notice: Option<(&'static str, String)>,
    meals: Vec<Choice>,
    categories: Vec<Choice>,
    form: EntryForm,
    errors: Vec<(String, String)>,
}

impl WasteTemplate {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, reason)| reason.as_str())
    }
}

/// `YYYY-MM-DD` in the years the log holds.
fn date_of(text: &str) -> Option<NaiveDate> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    (2000..=2100).contains(&date.year()).then_some(date)
}

async fn show_day(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Query(query): Query<DayQuery>,
) -> Response {
    let site = match site_of(&state, &console.caller, query.site.clone()).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let date = match query.date.as_deref().filter(|d| !d.is_empty()) {
        Some(text) => match date_of(text) {
            Some(date) => date,
            None => return page_error(AppError::NotFound),
        },
        None => site.today(),
    };
    let notice = match query.done.as_deref() {
        Some("saved") => Some(("success", t(&console.page, "waste.saved"))),
        Some("deleted") => Some(("success", t(&console.page, "waste.deleted"))),
        Some("stale") => Some(("warning", t(&console.page, "waste.stale"))),
        _ => None,
    };
    let form = EntryForm {
        date: date.to_string(),
        ..EntryForm::default()
    };
    show(&state, &console, &site, date, (notice, form, Vec::new())).await
}

fn totals_line(page: &Page, label: String, totals: &Totals) -> TotalsLine {
    TotalsLine {
        label,
        guests: totals.guests,
        produced: kg_tenths(page, totals.produced_g),
        served: kg_tenths(page, totals.served_g),
        leftover: kg_tenths(page, totals.leftover_g),
        leftover_pct: percent(page, totals.leftover_pct),
        served_pct: percent(page, totals.served_pct),
        empty: totals.entries == 0,
    }
}

fn entry_line(page: &Page, (id, version): (i64, i64), entry: &WasteInput) -> EntryLine {
    let per_guest = match entry.grams_per_guest() {
        Some(_) => {
            // Served grams per guest to a whole gram, halves up.
            let guests = i64::from(entry.guests);
            let grams = (entry.served_g * 2 + guests) / (guests * 2);
            format!("{grams} g")
        }
        None => "–".to_owned(),
    };
    EntryLine {
        id,
        version,
        meal: meal_label(page, entry.meal),
        category: category_label(page, entry.category),
        dish: entry.dish_trimmed().unwrap_or_default().to_owned(),
        guests: entry.guests,
        produced: kg(page, entry.produced_g),
        served: kg(page, entry.served_g),
        leftover: kg(page, entry.leftover_g),
        per_guest,
    }
}

/// A line above the page: its class (`success`, `danger`) and words.
type Notice = Option<(&'static str, String)>;

const CHART_WIDTH: i64 = 420;
const CHART_TOP: i64 = 44;
const CHART_BOTTOM: i64 = 220;

/// The week as bars: each day's height is what it produced; served fills it from the bottom
/// and leftover hangs from the top (both are shares of what was produced), with the leftover
/// share written above the bar.
fn chart(page: &Page, week: &WeekSummary, today: NaiveDate) -> Chart {
    let most = week
        .days
        .iter()
        .map(|d| d.totals.produced_g)
        .max()
        .unwrap_or(0)
        .max(1);
    let span = i128::from(CHART_BOTTOM - CHART_TOP);
    let scale = |grams: i128| -> i64 {
        i64::try_from((grams.clamp(0, most) * span + most / 2) / most).unwrap_or(0)
    };
    let slot = CHART_WIDTH / 7;
    let width = slot * 3 / 5;
    let bars = week
        .days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let x = slot * i as i64 + (slot - width) / 2;
            let height = scale(day.totals.produced_g);
            let served_height = scale(day.totals.served_g);
            let top = CHART_BOTTOM - height;
            let caption = if day.totals.entries == 0 {
                t(page, "waste.chart_nothing")
            } else {
                percent(page, day.totals.leftover_pct)
            };
            Bar {
                label: dates::weekday_short(page, day.date),
                x,
                center: x + width / 2,
                width,
                top,
                height,
                served_top: CHART_BOTTOM - served_height,
                served_height,
                leftover_height: scale(day.totals.leftover_g),
                caption,
                caption_y: top - 8,
                today: day.date == today,
            }
        })
        .collect();
    let description = t(page, "waste.chart_description")
        .replace("{leftover}", &percent(page, week.total.leftover_pct))
        .replace("{served}", &percent(page, week.total.served_pct));
    Chart {
        bars,
        max_label: format!("{} kg", kg_tenths(page, most)),
        description,
    }
}

async fn show<R: galley_core::auth::RoleSet>(
    state: &AppState,
    console: &Console<R>,
    site: &ChosenSite,
    date: NaiveDate,
    (notice, form, errors): (Notice, EntryForm, Vec<(String, String)>),
) -> Response {
    let page = console.page.clone();
    let week = IsoWeek::containing(date);
    let monday = week.monday();
    let loaded = async {
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let week = inputs(conn, site.site.id, (monday, monday + Duration::days(6))).await?;
        // The day's rows again, with their ids and versions for the remove buttons.
        let day_rows = waste_store::between(conn, site.site.id, date, date).await?;
        Ok::<_, AppError>((week, day_rows))
    }
    .await;
    let (entries, day_rows) = match loaded {
        Ok(found) => found,
        Err(error) => return page_error(error),
    };
    let day = DaySummary::new(date, &entries);
    let week_summary = WeekSummary::new(monday, &entries);
    let with_site = |href: String| format!("{href}{}", super::waste_words::site_param(site));
    let day_href = |d: NaiveDate| with_site(format!("/offshore/waste?date={d}"));
    let template = WasteTemplate {
        site_name: site.site.name.clone(),
        site_id: site.site.id,
        sites: site_choices(site),
        date: date.to_string(),
        date_text: format!(
            "{} {} {}",
            dates::weekday(&page, date),
            dates::day_month(&page, date),
            date.format("%Y")
        ),
        week_text: t(&page, "waste.week").replace("{week}", &week.week.to_string()),
        week_range: format!(
            "{} – {}",
            dates::day_month(&page, monday),
            dates::day_month(&page, monday + Duration::days(6))
        ),
        previous_href: date.pred_opt().map(day_href).unwrap_or_default(),
        next_href: date.succ_opt().map(day_href).unwrap_or_default(),
        portion_href: with_site("/offshore/waste/portion?category=fish".to_owned()),
        import_href: format!("/offshore/waste/import{}", site.query()),
        entries: day_rows
            .iter()
            .filter_map(|row| Some(entry_line(&page, (row.id, row.version), &row.input()?)))
            .collect(),
        day_rows: day
            .meals
            .iter()
            .map(|row| totals_line(&page, meal_label(&page, row.meal), &row.totals))
            .collect(),
        day_total: totals_line(&page, t(&page, "waste.day_total"), &day.total),
        week_rows: week_summary
            .days
            .iter()
            .map(|row| {
                let label = format!(
                    "{} {}",
                    dates::weekday_short(&page, row.date),
                    row.date.day()
                );
                totals_line(&page, label, &row.totals)
            })
            .collect(),
        week_total: totals_line(&page, t(&page, "waste.week_total"), &week_summary.total),
        chart: chart(&page, &week_summary, date),
        staff: matches!(console.caller.role, Role::Admin | Role::Cook),
        csrf: console.csrf(),
        notice,
        meals: meal_choices(
            &page,
            if form.meal.is_empty() {
                "dinner"
            } else {
                &form.meal
            },
        ),
        categories: category_choices(&page, &form.category),
        form,
        errors,
        page,
    };
    let mut response = render(StatusCode::OK, &template);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The words for a refusal of `field`: the page's own sentence where it has one.
fn refusal_words(page: &Page, error: &FieldError) -> String {
    let key = if error.reason.contains("exceed") {
        "offshore.waste.error.exceeds_produced".to_owned()
    } else {
        format!("offshore.waste.error.{}", error.field)
    };
    let words = page.t(&key);
    if words == key {
        error.reason.clone()
    } else {
        words.to_owned()
    }
}

async fn add(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    axum::Form(form): axum::Form<EntryForm>,
) -> Response {
    let site = match site_of(&state, &console.caller, Some(form.site.clone())).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let page = console.page.clone();
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut refuse = |field: &str| {
        let error = FieldError {
            field: field.to_owned(),
            reason: String::new(),
        };
        errors.push((field.to_owned(), refusal_words(&page, &error)));
    };
    let date = date_of(&form.date);
    let meal = meal_named(&form.meal);
    let category = category_named(&form.category);
    let guests = form.guests.trim().parse::<u32>().ok();
    let kilos = |text: &str| grams_of(text).ok();
    let (produced, served, leftover) = (
        kilos(&form.produced_kg),
        kilos(&form.served_kg),
        kilos(&form.leftover_kg),
    );
    if date.is_none() {
        refuse("date");
    }
    if meal.is_none() {
        refuse("meal");
    }
    if category.is_none() {
        refuse("category");
    }
    if guests.is_none() {
        refuse("guests");
    }
    for (field, value) in [
        ("produced_kg", produced),
        ("served_kg", served),
        ("leftover_kg", leftover),
    ] {
        if value.is_none() {
            refuse(field);
        }
    }
    let fallback_date = date.unwrap_or_else(|| site.today());
    if !errors.is_empty() {
        // What could be read is still checked by the API's own rules, so every field is
        // marked at once; what could not be read stands in with a value no rule refuses.
        let stand_in = WasteInput {
            date: fallback_date,
            meal: meal.unwrap_or(crate::waste::Meal::Dinner),
            category: category.unwrap_or(crate::waste::Category::Fish),
            dish: Some(form.dish.clone()),
            guests: guests.unwrap_or(0),
            produced_g: produced.unwrap_or(crate::waste::MAX_GRAMS),
            served_g: served.unwrap_or(0),
            leftover_g: leftover.unwrap_or(0),
        };
        if let Err(AppError::Validation(refused)) = checked(stand_in, Vec::new()) {
            for error in refused {
                if !errors.iter().any(|(f, _)| *f == error.field) {
                    let words = refusal_words(&page, &error);
                    errors.push((error.field, words));
                }
            }
        }
    }
    if let (
        Some(date),
        Some(meal),
        Some(category),
        Some(guests),
        Some(produced),
        Some(served),
        Some(leftover),
        true,
    ) = (
        date,
        meal,
        category,
        guests,
        produced,
        served,
        leftover,
        errors.is_empty(),
    ) {
        let dish = form.dish.trim();
        // Whole grams from the exact reading; the API turns them back into the same grams.
        let body = WasteIn {
            date,
            meal,
            category,
            dish: (!dish.is_empty()).then(|| dish.to_owned()),
            guests,
            produced_kg: produced as f64 / 1000.0,
            served_kg: served as f64 / 1000.0,
            leftover_kg: leftover as f64 / 1000.0,
        };
        match add_entry(&state, &console.caller, site.site.id, &body).await {
            Ok(_) => {
                let href = format!(
                    "/offshore/waste?date={date}&done=saved{}",
                    super::waste_words::site_param(&site)
                );
                return Redirect::to(&href).into_response();
            }
            Err(AppError::Validation(refused)) => {
                for error in refused {
                    if !errors.iter().any(|(f, _)| *f == error.field) {
                        let words = refusal_words(&page, &error);
                        errors.push((error.field, words));
                    }
                }
            }
            Err(error) => return page_error(error),
        }
    }
    let notice = Some(("danger", t(&page, "waste.refused")));
    let mut response = show(
        &state,
        &console,
        &site,
        fallback_date,
        (notice, form, errors),
    )
    .await;
    if response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    date: String,
}

/// Removes a wrong entry with the version the page showed; a changed entry is left alone.
async fn delete(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    axum::Form(form): axum::Form<DeleteForm>,
) -> Response {
    let site = match site_of(&state, &console.caller, Some(form.site.clone())).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let Some(date) = date_of(&form.date) else {
        return page_error(AppError::NotFound);
    };
    let version = form.version.parse::<i64>().unwrap_or(-1);
    let expected = galley_core::http::concurrency::etag("offshore-waste", id, version);
    let done =
        match remove_entry(&state, &console.caller, (site.site.id, id), Some(&expected)).await {
            Ok(()) => "deleted",
            Err(AppError::PreconditionFailed { .. }) => "stale",
            Err(error) => return page_error(error),
        };
    Redirect::to(&format!(
        "/offshore/waste?date={date}&done={done}{}",
        super::waste_words::site_param(&site)
    ))
    .into_response()
}
