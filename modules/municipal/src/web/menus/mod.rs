//! The kitchen manager's menu pages: the week menu editor (`/municipal/menus/{year}/{week}`),
//! the menu import (`/municipal/menus/import`) and the "remember to order" checklist
//! (`/municipal/orders/{year}/{week}`). Every form works without JavaScript; `editor.js`
//! adds a dish search as you type. Kitchen staff change things; viewers read.

mod editor;
mod import;
mod import_errors;
mod orders;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use galley_core::auth::{Caller, Role};
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::people::api::tenant_of;
use galley_core::people::sites;
use galley_core::state::AppState;
use galley_core::web::Page;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(editor::router())
        .merge(import::router())
        .merge(orders::router())
}

/// The kitchen a page works on: the caller's own site, or (for someone bound to none, such
/// as an admin) the tenant's first kitchen by name.
#[derive(Debug, Clone)]
pub struct KitchenSite {
    pub id: i64,
    pub name: String,
    pub zone: chrono_tz::Tz,
}

impl KitchenSite {
    pub async fn of(state: &AppState, caller: &Caller) -> Result<Option<KitchenSite>, AppError> {
        let tenant = tenant_of(caller)?;
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let site = match caller.site_id {
            Some(id) => sites::find(conn, tenant, id).await?,
            None => sites::list(conn, tenant, 0, 1).await?.0.into_iter().next(),
        };
        Ok(site.map(|site| KitchenSite {
            id: site.id,
            zone: site
                .timezone
                .parse()
                .unwrap_or(chrono_tz::Europe::Stockholm),
            name: site.name,
        }))
    }

    /// The week it is now in the kitchen.
    pub fn this_week(&self) -> IsoWeek {
        IsoWeek::containing(chrono::Utc::now().with_timezone(&self.zone).date_naive())
    }
}

/// Whether the caller may change menus, imports and the order list.
/// Sends the reader to this week's page under `base` in their kitchen.
pub async fn to_this_week(state: &AppState, caller: &Caller, base: &str) -> Response {
    match KitchenSite::of(state, caller).await {
        Ok(Some(kitchen)) => {
            let week = kitchen.this_week();
            axum::response::Redirect::to(&format!("{base}/{}/{}", week.year, week.week))
                .into_response()
        }
        Ok(None) => no_kitchen(),
        Err(error) => failed(error),
    }
}

/// The reader's kitchen and the week of the path, or the page to answer instead.
pub async fn kitchen_and_week(
    state: &AppState,
    caller: &Caller,
    year: i32,
    week: u32,
) -> Result<(KitchenSite, IsoWeek), Response> {
    let Ok(week) = IsoWeek::new(year, week) else {
        return Err(failed(AppError::NotFound));
    };
    match KitchenSite::of(state, caller).await {
        Ok(Some(kitchen)) => Ok((kitchen, week)),
        Ok(None) => Err(no_kitchen()),
        Err(error) => Err(failed(error)),
    }
}

pub fn is_kitchen_staff(caller: &Caller) -> bool {
    matches!(caller.role, Role::Admin | Role::Cook)
}

/// An error answered as a page: the bare status, which the error layer turns into the
/// HTML error page in the reader's language.
pub fn failed(error: AppError) -> Response {
    error.into_response().status().into_response()
}

/// The page for a kitchen-less tenant is a 404: there is nothing to plan yet.
pub fn no_kitchen() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

/// A week as the pages name it, with the address of the same page for that week.
#[derive(Debug, Clone)]
pub struct WeekLink {
    /// "v. 12".
    pub name: String,
    /// "16–22 mars".
    pub range: String,
    pub href: String,
}

/// "v. 12" / "week 12".
pub fn week_name(page: &Page, week: IsoWeek) -> String {
    page.t("municipal.menus.week_short")
        .replace("{week}", &week.week.to_string())
}

/// "16–22 mars" or "30 mars–5 april" (with the year when asked: "16–22 mars 2026").
pub fn week_range(page: &Page, week: IsoWeek, with_year: bool) -> String {
    let first = week.monday();
    let last = first + chrono::Duration::days(6);
    let month = |date: chrono::NaiveDate| page.t(&month_key(date.month())).to_owned();
    let mut range = if first.month() == last.month() {
        format!("{}–{} {}", first.day(), last.day(), month(last))
    } else {
        format!(
            "{} {}–{} {}",
            first.day(),
            month(first),
            last.day(),
            month(last)
        )
    };
    if with_year {
        range.push(' ');
        range.push_str(&last.year().to_string());
    }
    range
}

pub fn week_link(page: &Page, week: IsoWeek, base: &str) -> WeekLink {
    WeekLink {
        name: week_name(page, week),
        range: week_range(page, week, false),
        href: format!("{base}/{}/{}", week.year, week.week),
    }
}

/// "Måndag 16 mars".
pub fn day_label(page: &Page, week: IsoWeek, day: u32) -> String {
    let date = week.day(day).unwrap_or_else(|| week.monday());
    format!(
        "{} {} {}",
        page.t(&format!("municipal.menus.day_{day}")),
        date.day(),
        page.t(&month_key(date.month()))
    )
}

fn month_key(month: u32) -> String {
    format!("municipal.menus.month_{month}")
}

/// Whitespace collapsed, as dish names and list lines are stored.
pub fn collapsed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
