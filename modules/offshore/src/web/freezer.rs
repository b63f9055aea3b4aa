//! `/offshore/freezer`: what is in the galley's freezer, soonest last day of use first, with
//! what has expired or expires within the warning horizon called out in words. Galley staff
//! put items in and take some out with plain forms.

use std::str::FromStr;

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
use crate::api::freezer::{DEFAULT_WARN_DAYS, ItemIn, TakeOutIn, add_item, load, take_out_item};
use crate::api::{GalleyReaders, GalleyStaff};
use crate::prep::freezer::{Expiry, Unit, decimal_from_milli};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/freezer", get(list).post(add))
        .route("/freezer/{id}/take-out", post(take))
}

#[derive(Debug, Default, Deserialize)]
pub struct FreezerQuery {
    site: Option<String>,
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    frozen_on: String,
    #[serde(default)]
    use_by: String,
    #[serde(default)]
    location: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct TakeForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    reason: String,
}

pub struct ItemLine {
    pub id: i64,
    pub name: String,
    pub quantity: String,
    pub unit: String,
    pub location: String,
    pub frozen_on: String,
    pub use_by: String,
    pub expiry: &'static str,
    pub expiry_text: String,
    pub version: i64,
}

pub struct UnitChoice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "offshore/freezer.html")]
struct FreezerTemplate {
    page: Page,
    site_name: String,
    site_id: i64,
    items: Vec<ItemLine>,
    warning: Option<String>,
    staff: bool,
    csrf: String,
    notice: Option<(&'static str, String)>,
    units: Vec<UnitChoice>,
    form: AddForm,
    errors: Vec<(String, String)>,
    today: String,
}

impl FreezerTemplate {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, reason)| reason.as_str())
    }
}

async fn list(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Query(query): Query<FreezerQuery>,
) -> Response {
    let site = match site_of(&state, &console.caller, query.site.clone()).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let notice = match query.done.as_deref() {
        Some("saved") => Some(("success", t(&console.page, "freezer.saved"))),
        Some("stale") => Some(("warning", t(&console.page, "freezer.stale"))),
        Some("too-much") => Some(("danger", t(&console.page, "freezer.too_much"))),
        Some("unreadable") => Some(("danger", t(&console.page, "freezer.unreadable"))),
        _ => None,
    };
    show(
        &state,
        &console,
        &site,
        notice,
        (AddForm::default(), Vec::new()),
    )
    .await
}

fn expiry_text(page: &Page, expiry: Expiry, days_left: i64) -> String {
    match expiry {
        Expiry::Expired => t(page, "freezer.expiry.expired"),
        Expiry::ExpiresSoon if days_left == 0 => t(page, "freezer.expiry.today"),
        Expiry::ExpiresSoon => {
            t(page, "freezer.expiry.soon").replace("{days}", &days_left.to_string())
        }
        Expiry::Fine => t(page, "freezer.expiry.fine"),
    }
}

/// Thousandths as the reader writes decimals: a comma in Swedish and Norwegian.
fn in_words_of(page: &Page, milli: i64) -> String {
    let text = decimal_from_milli(milli);
    match page.lang_code() {
        "sv" | "nb" => text.replace('.', ","),
        _ => text,
    }
}

fn unit_label(page: &Page, unit: Unit) -> String {
    t(page, &format!("freezer.unit.{}", unit.as_str()))
}

async fn show<R: galley_core::auth::RoleSet>(
    state: &AppState,
    console: &Console<R>,
    site: &ChosenSite,
    notice: Option<(&'static str, String)>,
    (form, errors): (AddForm, Vec<(String, String)>),
) -> Response {
    let page = console.page.clone();
    let today = site.today();
    let loaded = async {
        let mut pooled = state.db.get().await?;
        load(&mut pooled.conn(), site.site.id, today, DEFAULT_WARN_DAYS).await
    }
    .await;
    let freezer = match loaded {
        Ok(freezer) => freezer,
        Err(error) => return page_error(error),
    };
    let date = |d: NaiveDate| format!("{} {}", dates::day_month(&page, d), d.format("%Y"));
    let flagged = freezer
        .items
        .iter()
        .filter(|item| item.expiry != Expiry::Fine)
        .count();
    let warning = (flagged > 0).then(|| {
        t(&page, "freezer.warning")
            .replace("{count}", &flagged.to_string())
            .replace("{days}", &DEFAULT_WARN_DAYS.to_string())
    });
    let items = freezer
        .items
        .iter()
        .map(|item| ItemLine {
            id: item.id,
            name: item.name.clone(),
            quantity: in_words_of(&page, item.quantity_milli),
            unit: unit_label(&page, item.unit),
            location: item.location.clone(),
            frozen_on: date(item.frozen_on),
            use_by: date(item.use_by),
            expiry: item.expiry.as_str(),
            expiry_text: expiry_text(&page, item.expiry, item.days_left),
            version: item.version,
        })
        .collect();
    let template = FreezerTemplate {
        site_name: site.site.name.clone(),
        site_id: site.site.id,
        items,
        warning,
        staff: matches!(console.caller.role, Role::Admin | Role::Cook),
        csrf: console.csrf(),
        notice,
        units: Unit::ALL
            .iter()
            .map(|u| UnitChoice {
                value: u.as_str(),
                label: unit_label(&page, *u),
                selected: form.unit == u.as_str(),
            })
            .collect(),
        form,
        errors,
        today: today.to_string(),
        page,
    };
    let mut response = render(StatusCode::OK, &template);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn back_to(site: &ChosenSite, done: &str) -> Response {
    let mut href = format!("/offshore/freezer?done={done}");
    if !site.choices.is_empty() {
        href.push_str(&format!("&site={}", site.site.id));
    }
    Redirect::to(&href).into_response()
}

/// A quantity as typed; a decimal comma is read as a point.
fn number(text: &str) -> Option<serde_json::Number> {
    serde_json::Number::from_str(&text.trim().replace(',', ".")).ok()
}

async fn add(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    axum::Form(form): axum::Form<AddForm>,
) -> Response {
    let site = match site_of(&state, &console.caller, Some(form.site.clone())).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let page = console.page.clone();
    let date = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
    let mut errors = Vec::new();
    let mut refuse = |field: &str| {
        errors.push((
            field.to_owned(),
            t(&page, &format!("freezer.error.{field}")),
        ));
    };
    let quantity = number(&form.quantity);
    let unit = Unit::parse(&form.unit);
    let (frozen_on, use_by) = (date(&form.frozen_on), date(&form.use_by));
    if quantity.is_none() {
        refuse("quantity");
    }
    if frozen_on.is_none() {
        refuse("frozen_on");
    }
    if use_by.is_none() {
        refuse("use_by");
    }
    if let (Some(quantity), Some(unit), Some(frozen_on), Some(use_by), true) =
        (quantity, unit, frozen_on, use_by, errors.is_empty())
    {
        let body = ItemIn {
            name: form.name.clone(),
            quantity,
            unit,
            frozen_on,
            use_by,
            location: Some(form.location.clone()),
        };
        match add_item(&state, &console.caller, site.site.id, &body).await {
            Ok(_) => return back_to(&site, "saved"),
            Err(AppError::Validation(refused)) => {
                for error in refused {
                    let key = format!("offshore.freezer.error.{}", error.field);
                    let words = page.t(&key);
                    let words = if words == key {
                        error.reason
                    } else {
                        words.to_owned()
                    };
                    errors.push((error.field, words));
                }
            }
            Err(error) => return page_error(error),
        }
    }
    show(&state, &console, &site, None, (form, errors)).await
}

async fn take(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<TakeForm>,
) -> Response {
    let site = match site_of(&state, &console.caller, Some(form.site.clone())).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let (Some(quantity), Ok(version)) = (number(&form.quantity), form.version.parse::<i64>())
    else {
        return back_to(&site, "unreadable");
    };
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&etag("offshore-freezer-item", id, version)) {
        headers.insert(header::IF_MATCH, value);
    }
    let body = TakeOutIn {
        quantity,
        reason: Some(form.reason),
    };
    match take_out_item(&state, &console.caller, (site.site.id, id), &headers, &body).await {
        Ok(_) => back_to(&site, "saved"),
        Err(AppError::PreconditionFailed { .. }) => back_to(&site, "stale"),
        Err(AppError::Validation(errors)) => {
            let too_much = errors.iter().any(|e| e.reason.contains("more than"));
            back_to(&site, if too_much { "too-much" } else { "unreadable" })
        }
        Err(error) => page_error(error),
    }
}
