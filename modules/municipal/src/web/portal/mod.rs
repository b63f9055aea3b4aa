//! The department portal at `/municipal/portal`: a department's week on a phone. Department
//! staff land on their own department's this week and next; kitchen roles pick a department
//! first. Each day is a card with the menu, a large Alt 1 / Alt 2 toggle, residents and the
//! diets with their marks. Every day is a form that works without JavaScript (one POST per
//! day, applied by the same operations as the JSON API); `portal.js` saves each tap at once
//! through the API instead, and handles someone else's change in between.

mod save;
pub mod signed;
pub mod view;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use galley_core::auth::{Caller, Role, RoleSet};
use galley_core::db::DbConn;
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::people::api::tenant_of;
use galley_core::people::sites::{self, Site};
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::{Page, error_page, render};
use serde::Deserialize;

use crate::api::WeekReaders;
use crate::api::access::{own_department, reachable};
use crate::api::week::ops;
use crate::departments::{self, Department};
use view::{DayStatus, Reader, WeekView, parse_week, week_label, week_param};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/departments/{id}", get(department_page))
        .route(
            "/portal/departments/{id}/weeks/{year}/{week}/days/{day}",
            post(save::save_day),
        )
}

/// `?week=2026-W12` picks the first week shown; `?saved=2026-W12-2` says a day was saved.
#[derive(Debug, Default, Deserialize)]
pub struct PortalQuery {
    week: Option<String>,
    saved: Option<String>,
}

/// Where a day's form returns to: the department user's own portal, or a department's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Back {
    Home,
    Department,
}

impl Back {
    fn parse(value: Option<&str>) -> Back {
        if value == Some("home") {
            Back::Home
        } else {
            Back::Department
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Back::Home => "home",
            Back::Department => "department",
        }
    }

    fn path(self, department: &Department) -> String {
        match self {
            Back::Home => "/municipal/portal".to_owned(),
            Back::Department => format!("/municipal/portal/departments/{}", department.id),
        }
    }
}

#[derive(Template)]
#[template(path = "portal/week.html")]
struct WeekTemplate {
    page: Page,
    csrf: String,
    department: Department,
    site_name: String,
    kitchen: bool,
    read_only: bool,
    back: &'static str,
    /// The first week shown, for the forms to return to.
    first_param: String,
    self_path: String,
    previous: (String, String),
    next: (String, String),
    weeks: Vec<WeekView>,
}

struct SiteDepartments {
    site: Site,
    departments: Vec<Department>,
}

#[derive(Template)]
#[template(path = "portal/picker.html")]
struct PickerTemplate {
    page: Page,
    sites: Vec<SiteDepartments>,
}

#[derive(Template)]
#[template(path = "portal/unbound.html")]
struct UnboundTemplate {
    page: Page,
}

fn reader_of(caller: &Caller) -> Reader {
    match caller.role {
        Role::Department => Reader::Department,
        Role::Admin | Role::Cook | Role::Superuser => Reader::Kitchen,
        Role::Viewer => Reader::Viewer,
    }
}

/// The site of a department (in the caller's tenant) and today's date in its time zone.
async fn site_today(
    conn: &mut DbConn<'_>,
    caller: &Caller,
    department: &Department,
) -> Result<(Site, chrono::NaiveDate), AppError> {
    let site = sites::find(conn, tenant_of(caller)?, department.site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let timezone = site.zone();
    let today = chrono::Utc::now().with_timezone(&timezone).date_naive();
    Ok((site, today))
}

/// The first week to show: `?week=` if it names one, else this week. `Err` for a `?week=`
/// that names no week.
fn first_week(query: Option<&str>, today: chrono::NaiveDate) -> Result<IsoWeek, AppError> {
    match query {
        Some(text) if !text.trim().is_empty() => {
            parse_week(text).ok_or_else(|| AppError::validation("week", "write a week as 2026-W12"))
        }
        _ => Ok(IsoWeek::containing(today)),
    }
}

/// `2026-W12-2` of `?saved=`.
fn parse_saved(text: Option<&str>) -> Option<(IsoWeek, u32)> {
    let (week, day) = text?.rsplit_once('-')?;
    let day: u32 = day.parse().ok()?;
    (1..=7).contains(&day).then_some((parse_week(week)?, day))
}

/// The department's page: the week asked for and the one after it.
pub async fn week_page<R: RoleSet>(
    state: &AppState,
    console: Console<R>,
    department: Department,
    first: Option<&str>,
    back: Back,
    status: DayStatus,
    http_status: StatusCode,
) -> Response {
    let caller = console.caller.clone();
    let csrf = console.csrf();
    let page = console.page;
    let built = async {
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let (site, today) = site_today(conn, &caller, &department).await?;
        let first = first_week(first, today)?;
        let reader = reader_of(&caller);
        let mut weeks = Vec::new();
        for week in [first, first.next()] {
            let out = ops::read(state, conn, &caller, &department, week).await?;
            weeks.push(WeekView::build(&page, &out, reader, today, &status));
        }
        Ok::<_, AppError>((site, first, weeks))
    };
    let (site, first, weeks) = match built.await {
        Ok(built) => built,
        Err(AppError::Validation(_)) => return error_page(page, StatusCode::BAD_REQUEST),
        Err(error) => return error.into_response(),
    };
    let self_path = back.path(&department);
    let link = |week: IsoWeek| {
        (
            format!("{self_path}?week={}", week_param(week)),
            week_label(&page, week),
        )
    };
    let previous = link(first.previous());
    let next = link(first.next());
    let reader = reader_of(&caller);
    render(
        http_status,
        &WeekTemplate {
            csrf,
            site_name: site.name,
            kitchen: reader == Reader::Kitchen,
            read_only: reader == Reader::Viewer,
            back: back.as_str(),
            first_param: week_param(first),
            self_path,
            previous,
            next,
            weeks,
            department,
            page,
        },
    )
}

/// `/municipal/portal`: a department user's own department; kitchen roles pick one.
async fn home(
    State(state): State<AppState>,
    console: Console<WeekReaders>,
    Query(query): Query<PortalQuery>,
) -> Response {
    let status = DayStatus {
        saved: parse_saved(query.saved.as_deref()),
        notice: None,
    };
    if console.caller.role != Role::Department {
        return picker(&state, console).await;
    }
    let own = match state.db.get().await {
        Ok(mut pooled) => own_department(&mut pooled.conn(), &console.caller).await,
        Err(error) => Err(error.into()),
    };
    match own {
        Ok(department) => {
            week_page(
                &state,
                console,
                department,
                query.week.as_deref(),
                Back::Home,
                status,
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Forbidden(_)) => render(
            StatusCode::FORBIDDEN,
            &UnboundTemplate { page: console.page },
        ),
        Err(error) => error.into_response(),
    }
}

/// Kitchen roles: every department of the tenant's kitchens, by kitchen.
async fn picker(state: &AppState, console: Console<WeekReaders>) -> Response {
    let listed = async {
        let tenant = tenant_of(&console.caller)?;
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let (all, _) = sites::list(conn, tenant, 0, 1000).await?;
        let mut grouped = Vec::new();
        for site in all {
            let departments = departments::list(conn, site.id).await?;
            if !departments.is_empty() {
                grouped.push(SiteDepartments { site, departments });
            }
        }
        Ok::<_, AppError>(grouped)
    };
    match listed.await {
        Ok(sites) => render(
            StatusCode::OK,
            &PickerTemplate {
                page: console.page,
                sites,
            },
        ),
        Err(error) => error.into_response(),
    }
}

/// `/municipal/portal/departments/{id}`: one department's page (department staff: their own).
async fn department_page(
    State(state): State<AppState>,
    console: Console<WeekReaders>,
    Path(id): Path<i64>,
    Query(query): Query<PortalQuery>,
) -> Response {
    let department = match reachable(&state, &console.caller, id).await {
        Ok(department) => department,
        Err(error) => return error.into_response(),
    };
    let status = DayStatus {
        saved: parse_saved(query.saved.as_deref()),
        notice: None,
    };
    week_page(
        &state,
        console,
        department,
        query.week.as_deref(),
        Back::Department,
        status,
        StatusCode::OK,
    )
    .await
}
