//! `/offshore/board`: the page a cook opens on the galley tablet. One screen with who is on
//! shift now and next, what today serves, today's prep list, what in the freezer needs using,
//! unread messages and the portion advice for tonight's guests.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use galley_core::auth::Caller;
use galley_core::db::DbConn;
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::people::api::utc;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::{ChosenSite, SiteQuery, chosen_site, page_error};
use galley_core::web::{Page, dates, render};
use serde::Deserialize;

use super::t;
use crate::api::GalleyReaders;
use crate::api::cycle_menus::served_on;
use crate::api::freezer::{DEFAULT_WARN_DAYS, load as load_freezer};
use crate::api::messages::load_inbox;
use crate::api::portions::{AdviceQuery, portion_advice};
use crate::api::prep::load_day;
use crate::messages::store::Window;
use crate::prep::freezer::Expiry;
use crate::prep::status::Status;
use crate::rota::{crew, shifts};
use crate::waste::Category;
use crate::waste::entry::MAX_GUESTS;
use crate::waste::store::{self as waste_store, category_name};

pub fn router() -> Router<AppState> {
    Router::new().route("/board", get(board))
}

/// How far back the guest count of the last dinner is looked for.
const GUEST_LOOKBACK_DAYS: i64 = 14;
/// Unread messages shown on the board.
const MESSAGES_SHOWN: i64 = 3;

#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    site: Option<String>,
    guests: Option<String>,
}

pub struct ShiftLine {
    pub name: String,
    pub position: String,
    pub kind: String,
    pub class: &'static str,
    pub hours: String,
}

pub struct MealLine {
    pub meal: String,
    pub dishes: Vec<(String, String, String)>,
}

pub struct TaskLine {
    pub title: String,
    pub status: String,
    pub class: &'static str,
}

pub struct FreezerLine {
    pub name: String,
    pub text: String,
    pub class: &'static str,
}

pub struct MessageLine {
    pub from: String,
    pub body: String,
}

pub struct AdviceLine {
    pub category: String,
    pub grams: u64,
    pub total_kg: String,
    pub basis: String,
}

#[derive(Template)]
#[template(path = "offshore/board.html")]
struct BoardTemplate {
    page: Page,
    site_name: String,
    site_query: String,
    site_id: i64,
    today_text: String,
    week_text: String,
    on_now: Vec<ShiftLine>,
    next: Vec<ShiftLine>,
    menu: Vec<MealLine>,
    menu_note: Option<String>,
    tasks: Vec<TaskLine>,
    tasks_done: usize,
    freezer: Vec<FreezerLine>,
    messages: Vec<MessageLine>,
    unread: i64,
    guests: Option<u32>,
    guests_error: bool,
    advice: Vec<AdviceLine>,
}

async fn board(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Query(query): Query<BoardQuery>,
) -> Response {
    match build(&state, &console, &query).await {
        Ok(template) => {
            let mut response = render(StatusCode::OK, &template);
            // The tablet keeps the page open: a reload always shows the present.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => page_error(error),
    }
}

async fn build(
    state: &AppState,
    console: &Console<GalleyReaders>,
    query: &BoardQuery,
) -> Result<BoardTemplate, AppError> {
    let page = console.page.clone();
    let caller = &console.caller;
    let site = chosen_site(
        state,
        caller,
        &SiteQuery {
            site: query.site.clone(),
        },
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let site_id = site.site.id;
    let today = site.today();
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let (on_now, next) = shifts_now_and_next(conn, &page, &site).await?;
    let served = served_on(conn, site.site.tenant_id, site_id, today).await?;
    let (menu, dinner) = menu_lines(&page, &served.items);
    let menu_note = menu.is_empty().then(|| t(&page, "board.no_menu"));
    let prep = load_day(conn, site_id, today).await?;
    let tasks: Vec<TaskLine> = prep
        .tasks
        .iter()
        .map(|task| TaskLine {
            title: task.title.clone(),
            status: t(&page, &format!("prep.status.{}", task.status.as_str())),
            class: task.status.as_str(),
        })
        .collect();
    let tasks_done = prep
        .tasks
        .iter()
        .filter(|task| matches!(task.status, Status::Done | Status::Cancelled))
        .count();
    let freezer = load_freezer(conn, site_id, today, DEFAULT_WARN_DAYS)
        .await?
        .items
        .iter()
        .filter(|item| item.expiry != Expiry::Fine)
        .map(|item| FreezerLine {
            name: item.name.clone(),
            text: match item.expiry {
                Expiry::Expired => t(&page, "freezer.expiry.expired"),
                _ if item.days_left == 0 => t(&page, "freezer.expiry.today"),
                _ => t(&page, "freezer.expiry.soon").replace("{days}", &item.days_left.to_string()),
            },
            class: item.expiry.as_str(),
        })
        .collect();
    let (messages, unread) = unread_messages(conn, caller).await?;
    let typed = query
        .guests
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty());
    let guests = match typed {
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_GUESTS).contains(n)),
        None => last_dinner_guests(conn, site_id, today).await?,
    };
    drop(pooled);
    let mut advice = Vec::new();
    if let Some(guests) = guests {
        for category in dinner {
            let asked = AdviceQuery {
                category,
                guests,
                date: Some(today),
            };
            let out = portion_advice(state, caller, site_id, &asked).await?;
            let r = &out.recommendation;
            advice.push(AdviceLine {
                category: page.t(category.translation_key()).to_owned(),
                grams: r.grams_per_guest,
                total_kg: kilos(&page, r.total_g),
                basis: t(&page, "board.advice_basis")
                    .replace("{n}", &r.n.to_string())
                    .replace("{baseline}", &r.baseline_g.to_string()),
            });
        }
    }
    let week = IsoWeek::containing(today);
    Ok(BoardTemplate {
        site_name: site.site.name.clone(),
        site_query: site.query(),
        site_id,
        today_text: format!(
            "{} {}",
            dates::weekday(&page, today),
            dates::day_month(&page, today)
        ),
        week_text: t(&page, "board.week").replace("{week}", &week.week.to_string()),
        on_now,
        next,
        menu,
        menu_note,
        tasks,
        tasks_done,
        freezer,
        messages,
        unread,
        guests_error: typed.is_some() && guests.is_none(),
        guests,
        advice,
        page,
    })
}

/// Grams as kilograms to one decimal (halves up), in the reader's decimal sign.
fn kilos(page: &Page, grams: u64) -> String {
    let tenths = (grams + 50) / 100;
    let text = format!("{}.{}", tenths / 10, tenths % 10);
    match page.lang_code() {
        "sv" | "nb" => text.replace('.', ","),
        _ => text,
    }
}

/// Who works a published shift that has begun and not ended, and the next shifts to begin
/// within a day.
async fn shifts_now_and_next(
    conn: &mut DbConn<'_>,
    page: &Page,
    site: &ChosenSite,
) -> Result<(Vec<ShiftLine>, Vec<ShiftLine>), AppError> {
    let today = site.today();
    let now = chrono::Utc::now().naive_utc();
    let rows = shifts::between(
        conn,
        site.site.id,
        today - Duration::days(1),
        today + Duration::days(1),
    )
    .await?;
    let people = crew::list(conn, site.site.id).await?;
    let zone = site.timezone;
    let local = |at: NaiveDateTime| utc(at).with_timezone(&zone).format("%H:%M").to_string();
    let line = |row: &shifts::ShiftRow| {
        let person = people.iter().find(|c| c.id == row.crew_id)?;
        let (start, end) = (row.starts_at?, row.ends_at?);
        Some(ShiftLine {
            name: person.name.clone(),
            position: t(page, &format!("position.{}", person.position)),
            kind: t(page, &format!("rota.kind.{}", row.kind)),
            class: if row.kind == "night" { "night" } else { "day" },
            hours: format!("{}–{}", local(start), local(end)),
        })
    };
    let published = rows.iter().filter(|row| row.published_at.is_some());
    let on_now = published
        .clone()
        .filter(
            |row| matches!((row.starts_at, row.ends_at), (Some(s), Some(e)) if s <= now && now < e),
        )
        .filter_map(line)
        .collect();
    let upcoming: Vec<_> = published
        .filter(|row| {
            row.starts_at
                .is_some_and(|s| s > now && s <= now + Duration::days(1))
        })
        .collect();
    let first = upcoming.iter().filter_map(|row| row.starts_at).min();
    let next = upcoming
        .iter()
        .filter(|row| row.starts_at == first)
        .filter_map(|row| line(row))
        .collect();
    Ok((on_now, next))
}

/// The day's dishes by meal, and the categories served at dinner (for the portion advice).
fn menu_lines(
    page: &Page,
    items: &[crate::api::cycle_menus::ServedItem],
) -> (Vec<MealLine>, Vec<Category>) {
    let mut meals = Vec::new();
    for meal in ["lunch", "dinner", "night"] {
        let dishes: Vec<(String, String, String)> = items
            .iter()
            .filter(|item| item.meal == meal)
            .map(|item| {
                let allergens = item
                    .dish
                    .allergens
                    .iter()
                    .map(|a| page.t(a.key()).to_owned())
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    t(page, &format!("category.{}", item.slot)),
                    item.dish.name.clone(),
                    allergens,
                )
            })
            .collect();
        if !dishes.is_empty() {
            meals.push(MealLine {
                meal: t(page, &format!("board.meal.{meal}")),
                dishes,
            });
        }
    }
    let dinner = Category::ALL
        .into_iter()
        .filter(|category| {
            items
                .iter()
                .any(|item| item.meal == "dinner" && item.slot == category_name(*category))
        })
        .collect();
    (meals, dinner)
}

async fn unread_messages(
    conn: &mut DbConn<'_>,
    caller: &Caller,
) -> Result<(Vec<MessageLine>, i64), AppError> {
    let window = Window {
        unread_only: true,
        site_id: None,
        before: None,
        limit: MESSAGES_SHOWN,
    };
    let inbox = load_inbox(conn, caller, window).await?;
    let lines = inbox
        .items
        .iter()
        .map(|m| MessageLine {
            from: m.author_name.clone().unwrap_or_default(),
            body: m.body.clone(),
        })
        .collect();
    Ok((lines, inbox.unread))
}

/// The most guests any dinner category had on the last day with a dinner in the waste log.
async fn last_dinner_guests(
    conn: &mut DbConn<'_>,
    site_id: i64,
    today: NaiveDate,
) -> Result<Option<u32>, AppError> {
    let rows = waste_store::between(
        conn,
        site_id,
        today - Duration::days(GUEST_LOOKBACK_DAYS),
        today,
    )
    .await?;
    let last_day = rows
        .iter()
        .filter(|row| row.meal == "dinner")
        .map(|row| row.date)
        .max();
    Ok(last_day.and_then(|day| {
        rows.iter()
            .filter(|row| row.meal == "dinner" && row.date == day)
            .filter_map(|row| u32::try_from(row.guests).ok())
            .filter(|n| (1..=MAX_GUESTS).contains(n))
            .max()
    }))
}
