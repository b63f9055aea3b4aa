//! `/municipal/orders/{year}/{week}`: the kitchen's "remember to order" checklist, made for a
//! tablet in the kitchen: one big button per line ticks it off or on, a line is added at the
//! top, and removing one asks once. Every change is a small form (post, then back here).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use galley_core::auth::Caller;
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::{Page, render};
use serde::Deserialize;

use super::{
    KitchenSite, WeekLink, collapsed, failed, is_kitchen_staff, kitchen_and_week, week_link,
    week_name, week_range,
};
use crate::api::orders::{
    OrderChange, OrderOut, add_order, change_order, delete_order, list_orders,
};
use crate::api::{KitchenReaders, KitchenStaff};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(this_week))
        .route("/orders/{year}/{week}", get(show).post(add))
        .route("/orders/{year}/{week}/{id}/done", post(toggle))
        .route("/orders/{year}/{week}/{id}/delete", post(remove))
}

/// A line as the page shows it.
struct Line {
    id: i64,
    text: String,
    done: bool,
    /// "Beställt av Anna, 26 nov. 14:02".
    done_note: Option<String>,
    etag: String,
}

#[derive(Template)]
#[template(path = "menus/orders.html")]
struct OrdersTemplate {
    page: Page,
    section: &'static str,
    csrf: String,
    can_edit: bool,
    site_name: String,
    title: String,
    range: String,
    action: String,
    prev: WeekLink,
    next: WeekLink,
    today: Option<WeekLink>,
    menu_href: String,
    open: Vec<Line>,
    done: Vec<Line>,
    text: String,
    text_error: Option<String>,
    message: Option<String>,
    saved: bool,
}

#[derive(Debug, Deserialize)]
struct ShowQuery {
    saved: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AddForm {
    #[serde(default)]
    text: String,
}

#[derive(Debug, Deserialize)]
struct LineForm {
    etag: Option<String>,
    done: Option<String>,
}

async fn this_week(State(state): State<AppState>, console: Console<KitchenReaders>) -> Response {
    super::to_this_week(&state, &console.caller, "/municipal/orders").await
}

fn done_note(page: &Page, kitchen: &KitchenSite, line: &OrderOut) -> Option<String> {
    let at = line.done_at?.with_timezone(&kitchen.zone);
    let when = format!(
        "{} {} {}",
        at.day(),
        page.t(&format!("municipal.menus.month_{}", at.month())),
        at.format("%H:%M")
    );
    Some(match &line.done_by_name {
        Some(name) => page
            .t("municipal.menus.done_by")
            .replace("{name}", name)
            .replace("{when}", &when),
        None => page.t("municipal.menus.done_at").replace("{when}", &when),
    })
}

/// What the page shows besides the list.
#[derive(Default)]
struct Shown {
    text: String,
    text_error: Option<String>,
    message: Option<String>,
    saved: bool,
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    page: Page,
    kitchen: &KitchenSite,
    week: IsoWeek,
    shown: Shown,
) -> Response {
    let list = match list_orders(state, kitchen.id, week).await {
        Ok(list) => list,
        Err(error) => return failed(error),
    };
    let (done, open): (Vec<Line>, Vec<Line>) = list
        .items
        .iter()
        .map(|line| Line {
            id: line.id,
            text: line.text.clone(),
            done: line.done,
            done_note: done_note(&page, kitchen, line),
            etag: line.etag.clone(),
        })
        .partition(|line| line.done);
    let status = if shown.text_error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else if shown.message.is_some() {
        axum::http::StatusCode::CONFLICT
    } else {
        axum::http::StatusCode::OK
    };
    let this_week = kitchen.this_week();
    let template = OrdersTemplate {
        section: "orders",
        csrf: caller.csrf_token().unwrap_or_default().to_owned(),
        can_edit: is_kitchen_staff(caller),
        site_name: kitchen.name.clone(),
        title: format!(
            "{} · {}",
            page.t("municipal.menus.orders_title"),
            week_name(&page, week)
        ),
        range: week_range(&page, week, true),
        action: format!("/municipal/orders/{}/{}", week.year, week.week),
        prev: week_link(&page, week.previous(), "/municipal/orders"),
        next: week_link(&page, week.next(), "/municipal/orders"),
        today: (this_week != week).then(|| week_link(&page, this_week, "/municipal/orders")),
        menu_href: format!("/municipal/menus/{}/{}", week.year, week.week),
        open,
        done,
        text: shown.text,
        text_error: shown.text_error,
        message: shown.message,
        saved: shown.saved,
        page,
    };
    render(status, &template)
}

async fn show(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Path((year, week)): Path<(i32, u32)>,
    Query(query): Query<ShowQuery>,
) -> Response {
    let (kitchen, week) = match kitchen_and_week(&state, &console.caller, year, week).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let shown = Shown {
        saved: query.saved.is_some(),
        ..Shown::default()
    };
    list_page(&state, &console.caller, console.page, &kitchen, week, shown).await
}

fn back(week: IsoWeek, anchor: &str) -> Response {
    Redirect::to(&format!(
        "/municipal/orders/{}/{}?saved=1{anchor}",
        week.year, week.week
    ))
    .into_response()
}

async fn add(
    State(state): State<AppState>,
    console: Console<KitchenStaff>,
    Path((year, week)): Path<(i32, u32)>,
    axum::Form(form): axum::Form<AddForm>,
) -> Response {
    let Console { caller, page, .. } = console;
    let (kitchen, week) = match kitchen_and_week(&state, &caller, year, week).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match add_order(&state, &caller, kitchen.id, week, &form.text).await {
        Ok(_) => back(week, "#add"),
        Err(AppError::Validation(errors)) => {
            let too_many = errors.iter().any(|e| e.field == "items");
            let key = if too_many {
                "municipal.menus.orders_full"
            } else {
                "municipal.menus.order_text_invalid"
            };
            let shown = Shown {
                text: collapsed(&form.text),
                text_error: Some(page.t(key).to_owned()),
                ..Shown::default()
            };
            list_page(&state, &caller, page, &kitchen, week, shown).await
        }
        Err(error) => failed(error),
    }
}

/// After a change that lost to someone else's: the list as it is now, and why.
async fn stale(
    state: &AppState,
    caller: &Caller,
    page: Page,
    kitchen: &KitchenSite,
    week: IsoWeek,
) -> Response {
    let shown = Shown {
        message: Some(page.t("municipal.menus.order_stale").to_owned()),
        ..Shown::default()
    };
    list_page(state, caller, page, kitchen, week, shown).await
}

async fn toggle(
    State(state): State<AppState>,
    console: Console<KitchenStaff>,
    Path((year, week, id)): Path<(i32, u32, i64)>,
    axum::Form(form): axum::Form<LineForm>,
) -> Response {
    let Console { caller, page, .. } = console;
    let (kitchen, week) = match kitchen_and_week(&state, &caller, year, week).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let change = OrderChange {
        done: Some(form.done.as_deref() == Some("true")),
        text: None,
    };
    let result = change_order(
        &state,
        &caller,
        kitchen.id,
        week,
        id,
        form.etag.as_deref(),
        &change,
    )
    .await;
    match result {
        Ok(_) => back(week, &format!("#order-{id}")),
        Err(AppError::PreconditionFailed { .. } | AppError::PreconditionRequired) => {
            stale(&state, &caller, page, &kitchen, week).await
        }
        Err(error) => failed(error),
    }
}

async fn remove(
    State(state): State<AppState>,
    console: Console<KitchenStaff>,
    Path((year, week, id)): Path<(i32, u32, i64)>,
    axum::Form(form): axum::Form<LineForm>,
) -> Response {
    let Console { caller, page, .. } = console;
    let (kitchen, week) = match kitchen_and_week(&state, &caller, year, week).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match delete_order(&state, &caller, kitchen.id, week, id, form.etag.as_deref()).await {
        Ok(()) => back(week, ""),
        Err(AppError::PreconditionFailed { .. } | AppError::PreconditionRequired) => {
            stale(&state, &caller, page, &kitchen, week).await
        }
        Err(error) => failed(error),
    }
}
