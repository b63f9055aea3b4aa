//! `/offshore/waste/portion`: the recommended portion for a category and a guest count, from
//! the same function as the API, worked out step by step in words (guideline, history,
//! trimming, blend, margin), with every history value it used and the ones it left out.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use galley_core::http::AppError;
use galley_core::kitchen::dishes::{self, DishFilter};
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::page_error;
use galley_core::web::{Page, dates, render};
use serde::Deserialize;

use super::waste_words::{
    Choice, category_choices, category_label, category_named, kg, kg_tenths, site_choices, tenths,
};
use super::{site_of, t};
use crate::api::GalleyReaders;
use crate::api::portions::{AdviceOut, AdviceQuery, portion_advice};
use crate::waste::Category;
use crate::waste::entry::MAX_GUESTS;

pub fn router() -> Router<AppState> {
    Router::new().route("/waste/portion", get(show))
}

#[derive(Debug, Default, Deserialize)]
pub struct PortionQuery {
    site: Option<String>,
    category: Option<String>,
    /// A dish of the tenant: its category is asked for instead.
    dish: Option<String>,
    guests: Option<String>,
    date: Option<String>,
}

pub struct ValueLine {
    pub date: String,
    pub served: String,
    pub guests: u32,
    pub per_guest: String,
    pub trimmed: bool,
    pub note: String,
}

pub struct Advice {
    pub grams: u64,
    pub total: String,
    pub for_guests: String,
    pub steps: Vec<String>,
    pub values: Vec<ValueLine>,
    pub not_counted: String,
    pub window: String,
}

#[derive(Template)]
#[template(path = "offshore/portion.html")]
struct PortionTemplate {
    page: Page,
    site_name: String,
    sites: Vec<Choice>,
    categories: Vec<Choice>,
    category_name: String,
    dish: String,
    dish_names: Vec<String>,
    dish_error: Option<String>,
    guests: String,
    date: String,
    guests_error: Option<String>,
    date_error: Option<String>,
    advice: Option<Advice>,
    waste_href: String,
}

fn steps(page: &Page, out: &AdviceOut, category: &str) -> Vec<String> {
    let r = &out.recommendation;
    let mut steps = vec![
        t(page, "portion.step_baseline")
            .replace("{category}", category)
            .replace("{grams}", &r.baseline_g.to_string()),
    ];
    let kept = r.n - 2 * r.trimmed_each_end;
    let mean = r.mean_g.map(|m| tenths(page, m)).unwrap_or_default();
    let history = match r.n {
        0 => t(page, "portion.step_no_history"),
        n if r.trimmed_each_end == 1 => t(page, "portion.step_trimmed_one")
            .replace("{n}", &n.to_string())
            .replace("{kept}", &kept.to_string())
            .replace("{mean}", &mean),
        n if r.trimmed_each_end > 0 => t(page, "portion.step_trimmed")
            .replace("{n}", &n.to_string())
            .replace("{trim}", &r.trimmed_each_end.to_string())
            .replace("{kept}", &kept.to_string())
            .replace("{mean}", &mean),
        n => t(page, "portion.step_few")
            .replace("{n}", &n.to_string())
            .replace("{mean}", &mean),
    };
    steps.push(history);
    if r.n > 0 {
        steps.push(
            t(page, "portion.step_blend")
                .replace("{history}", &r.history_weight_pct.to_string())
                .replace("{baseline}", &r.baseline_weight_pct.to_string()),
        );
    }
    steps.push(t(page, "portion.step_margin").replace("{grams}", &r.grams_per_guest.to_string()));
    steps.push(
        t(page, "portion.step_total")
            .replace("{grams}", &r.grams_per_guest.to_string())
            .replace("{guests}", &r.guests.to_string())
            .replace(
                "{kg}",
                &kg(page, i64::try_from(r.total_g).unwrap_or(i64::MAX)),
            ),
    );
    steps
}

fn advice_of(page: &Page, out: &AdviceOut, category: Category) -> Advice {
    let r = &out.recommendation;
    let date = |d: NaiveDate| format!("{} {}", dates::day_month(page, d), d.format("%Y"));
    // The table's dates are short, so a phone shows the whole row.
    let short = |d: NaiveDate| match page.lang_code() {
        "sv" | "nb" => d.format("%-d.%-m.%Y").to_string(),
        _ => d.to_string(),
    };
    let values = r
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let note = if !v.trimmed {
                t(page, "portion.counted")
            } else if i < r.trimmed_each_end {
                t(page, "portion.left_out_low")
            } else {
                t(page, "portion.left_out_high")
            };
            ValueLine {
                date: short(v.date),
                served: kg(page, i64::try_from(v.served_g).unwrap_or(i64::MAX)),
                guests: v.guests,
                per_guest: tenths(page, v.grams_per_guest),
                trimmed: v.trimmed,
                note,
            }
        })
        .collect();
    Advice {
        grams: r.grams_per_guest,
        total: kg_tenths(page, i128::from(r.total_g)),
        for_guests: t(page, "portion.for_guests").replace("{guests}", &r.guests.to_string()),
        steps: steps(page, out, &category_label(page, category)),
        values,
        not_counted: match out.history.iter().filter(|p| p.guests == 0).count() {
            0 => String::new(),
            n => t(page, "portion.not_counted").replace("{n}", &n.to_string()),
        },
        window: t(page, "portion.window")
            .replace("{from}", &date(out.history_from))
            .replace("{to}", &date(out.history_to)),
    }
}

async fn show(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Query(query): Query<PortionQuery>,
) -> Response {
    let site = match site_of(&state, &console.caller, query.site.clone()).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let page = console.page.clone();
    let category_text = query.category.clone().unwrap_or_default();
    let mut category = category_named(&category_text).unwrap_or(Category::Fish);
    let dish_text = query.dish.clone().unwrap_or_default();
    let mut dish_error = None;
    let Some(tenant) = console.caller.tenant_id else {
        return page_error(AppError::NotFound);
    };
    let found = async {
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let (all, _) = dishes::list_filtered(conn, tenant, DishFilter::default(), 0, 2000).await?;
        let asked = match dish_text.trim() {
            "" => None,
            name => Some(dishes::find_by_name(conn, tenant, name, None).await?),
        };
        Ok::<_, AppError>((all, asked))
    }
    .await;
    let (all, asked) = match found {
        Ok(found) => found,
        Err(error) => return page_error(error),
    };
    // Only dishes of an offshore category are offered and accepted.
    let dish_names = all
        .into_iter()
        .filter(|d| category_named(&d.category).is_some())
        .map(|d| d.name)
        .collect();
    match asked.map(|dish| dish.and_then(|d| category_named(&d.category))) {
        Some(Some(of_dish)) => category = of_dish,
        Some(None) => {
            dish_error = Some(t(&page, "portion.unknown_dish").replace("{name}", dish_text.trim()));
        }
        None => {}
    }
    let guests_text = query.guests.clone().unwrap_or_default();
    let date_text = query.date.clone().unwrap_or_default();
    let mut guests_error = None;
    let mut date_error = None;
    let guests = match guests_text.trim() {
        "" => None,
        text => match text.parse::<u32>() {
            Ok(n) if (1..=MAX_GUESTS).contains(&n) => Some(n),
            _ => {
                guests_error = Some(t(&page, "portion.guests_error"));
                None
            }
        },
    };
    let date = match date_text.trim() {
        "" => Some(site.today()),
        text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) if (2000..=2100).contains(&d.year()) => Some(d),
            _ => {
                date_error = Some(t(&page, "portion.date_error"));
                None
            }
        },
    };
    let mut advice = None;
    if let (Some(guests), Some(date), None) = (guests, date, &dish_error) {
        let asked = AdviceQuery {
            category,
            guests,
            date: Some(date),
        };
        match portion_advice(&state, &console.caller, site.site.id, &asked).await {
            Ok(out) => advice = Some(advice_of(&page, &out, category)),
            Err(AppError::Validation(errors)) => {
                for error in errors {
                    if error.field == "date" {
                        date_error = Some(t(&page, "portion.date_error"));
                    } else {
                        guests_error = Some(t(&page, "portion.guests_error"));
                    }
                }
            }
            Err(error) => return page_error(error),
        }
    }
    let status = if guests_error.is_some() || date_error.is_some() || dish_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let template = PortionTemplate {
        site_name: site.site.name.clone(),
        sites: site_choices(&site),
        categories: category_choices(&page, crate::waste::store::category_name(category)),
        category_name: category_label(&page, category),
        dish: dish_text,
        dish_names,
        dish_error,
        guests: guests_text,
        date: date.map(|d| d.to_string()).unwrap_or(date_text),
        guests_error,
        date_error,
        advice,
        waste_href: format!("/offshore/waste{}", site.query()),
        page,
    };
    let mut response = render(status, &template);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
