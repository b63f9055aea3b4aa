//! `/municipal/admin/attention`: what needs the admin's attention before the next choice
//! deadline, each with a link to the page where it is fixed. The week is the first whose
//! choices are still open (the same rule as the department's start page); the findings come
//! from the same functions as the kitchen's pages (`api::coverage::coverage`, the dish list's
//! "not stated" filter), so the counts agree with what those pages show.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::Timelike;
use galley_core::http::AppError;
use galley_core::kitchen::dishes::{self, DishFilter};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::{ChosenSite, SiteQuery, chosen_site, page_error};
use galley_core::web::{Page, render};

use crate::api::Admins;
use crate::api::coverage::{Coverage, coverage};
use crate::api::planning::load_site_week;
use crate::web::kitchen::start::first_open_week;
use crate::words::Words;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/attention", get(show))
}

/// One thing to look at, and where to fix it.
pub struct Item {
    pub text: String,
    /// Names or details under the sentence (departments, say); may be empty.
    pub detail: String,
    pub href: String,
    pub action: String,
}

pub struct SiteOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/attention.html")]
struct AttentionTemplate {
    page: Page,
    kitchen: String,
    sites: Vec<SiteOption>,
    /// "Choices for week 12 (16–22 March 2026) close Thursday 12 March at 12:00."
    deadline_text: String,
    settings_href: String,
    items: Vec<Item>,
    all_clear: String,
}

/// What was found for the week, before it is put in words.
struct Findings {
    week: IsoWeek,
    deadline: chrono::DateTime<chrono_tz::Tz>,
    coverage: Coverage,
    dishes_not_stated: i64,
}

async fn show(
    State(state): State<AppState>,
    console: Console<Admins>,
    Query(query): Query<SiteQuery>,
) -> Response {
    let kitchen = match chosen_site(&state, &console.caller, &query).await {
        Ok(Some(kitchen)) => kitchen,
        Ok(None) => return crate::web::kitchen::no_kitchen(console.page),
        Err(error) => return page_error(error),
    };
    match find(&state, &console.caller, &kitchen).await {
        Ok(found) => render(
            StatusCode::OK,
            &template(&state, console.page, &kitchen, found),
        ),
        Err(error) => page_error(error),
    }
}

async fn find(
    state: &AppState,
    caller: &galley_core::auth::Caller,
    kitchen: &ChosenSite,
) -> Result<Findings, AppError> {
    let zone = kitchen.timezone;
    let (settings, dishes_not_stated) = {
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let settings = crate::settings::load(conn, kitchen.site.id).await?;
        let filter = DishFilter {
            search: None,
            allergens_stated: Some(false),
        };
        let tenant = caller.tenant_id.ok_or(AppError::NotFound)?;
        let (_, count) = dishes::list_filtered(conn, tenant, filter, 0, 0).await?;
        (settings, count)
    };
    let now = chrono::Utc::now();
    let week = first_open_week(IsoWeek::containing(kitchen.today()), now, |week| {
        settings.deadline(week, zone)
    });
    let data = load_site_week(state, caller, kitchen.site.id, week).await?;
    Ok(Findings {
        week,
        deadline: settings.deadline(week, zone).with_timezone(&zone),
        coverage: coverage(&data),
        dishes_not_stated,
    })
}

fn template(
    state: &AppState,
    page: Page,
    kitchen: &ChosenSite,
    found: Findings,
) -> AttentionTemplate {
    let words = Words::new(&state.i18n, page.lang);
    let week = found.week;
    let week_name = format!("{} ({})", words.week(week), words.dates_of(week));
    let query = kitchen.query();
    let weeks_href = format!(
        "/municipal/kitchen/weeks/{}/{}{query}",
        week.year, week.week
    );
    let t = |key: &str| page.t(&format!("municipal.attention.{key}")).to_owned();
    let count = |key: &str, n: usize| t(key).replace("{count}", &n.to_string());
    let mut items = Vec::new();
    let coverage = &found.coverage;
    if !coverage.published {
        items.push(Item {
            text: t("not_published").replace("{week}", &week_name),
            detail: String::new(),
            href: format!("/municipal/menus/{}/{}", week.year, week.week),
            action: t("open_menu"),
        });
    }
    let names = |choices: bool| {
        coverage
            .missing
            .iter()
            .filter(|gap| {
                if choices {
                    gap.choices_missing
                } else {
                    gap.marks_missing
                }
            })
            .map(|gap| gap.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if coverage.counts.without_choices > 0 {
        items.push(Item {
            text: count("not_chosen", coverage.counts.without_choices),
            detail: names(true),
            href: weeks_href.clone(),
            action: t("open_week"),
        });
    }
    if coverage.counts.without_marks > 0 {
        items.push(Item {
            text: count("not_marked", coverage.counts.without_marks),
            detail: names(false),
            href: weeks_href.clone(),
            action: t("open_week"),
        });
    }
    if !coverage.diets_falling_through.is_empty() {
        items.push(Item {
            text: count("clashes", coverage.diets_falling_through.len()),
            detail: String::new(),
            href: weeks_href.clone(),
            action: t("open_week"),
        });
    }
    if !coverage.counts_to_fix.is_empty() {
        items.push(Item {
            text: count("counts_to_fix", coverage.counts_to_fix.len()),
            detail: String::new(),
            href: weeks_href,
            action: t("open_week"),
        });
    }
    if found.dishes_not_stated > 0 {
        items.push(Item {
            text: count(
                "dishes_not_stated",
                usize::try_from(found.dishes_not_stated).unwrap_or(0),
            ),
            detail: String::new(),
            href: "/municipal/dishes?not_stated=1".to_owned(),
            action: t("open_dishes"),
        });
    }
    let deadline = found.deadline;
    let deadline_text = t("deadline")
        .replace("{week}", &week_name)
        .replace("{date}", &words.date_long(deadline.date_naive()))
        .replace(
            "{time}",
            &format!("{:02}:{:02}", deadline.hour(), deadline.minute()),
        );
    AttentionTemplate {
        kitchen: kitchen.site.name.clone(),
        sites: kitchen
            .choices
            .iter()
            .map(|site| SiteOption {
                id: site.id,
                name: site.name.clone(),
                selected: site.id == kitchen.site.id,
            })
            .collect(),
        deadline_text,
        settings_href: format!("/municipal/admin/sites/{}/settings", kitchen.site.id),
        all_clear: t("all_clear").replace("{week}", &week_name),
        items,
        page,
    }
}
