//! `/municipal/admin/departments/{id}/weeks/{year}/{week}`: one department's residents in one
//! week: a schedule for that week only, and per-day overrides for lunch and dinner, with what
//! the plan will count for each meal.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use galley_core::auth::Caller;
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menu_api::week_from_path;
use galley_core::people::sites::Site;
use galley_core::state::AppState;
use galley_core::web::admin::{Console, FormErrors, Outcome};
use galley_core::web::{Page, render};

use super::department::{
    ScheduleForm, day_field, day_inputs, schedule_inputs, typed_days, weekday_body,
};
use super::text::{date_range, day_and_month, week_label, weekday_label};
use super::{Fields, SavedQuery, can_edit, failed, localized, number, own_site, saved_at};
use crate::api::access::reachable;
use crate::api::departments::{
    DayOverride, department_etag, overrides_between, replace_week, set_overrides, standing,
    week_schedule,
};
use crate::api::{Admins, KitchenReaders};
use crate::departments::Department;
use crate::plan::data::Scope;
use crate::plan::{Meal, WeekData};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/departments/{id}/weeks", get(upcoming))
        .route(
            "/admin/departments/{id}/weeks/{year}/{week}",
            get(show).post(save_schedule),
        )
        .route(
            "/admin/departments/{id}/weeks/{year}/{week}/overrides",
            post(save_overrides),
        )
}

/// One day of the overrides form.
pub struct DayRow {
    pub day: u32,
    pub label: String,
    pub date: String,
    pub lunch: String,
    pub dinner: String,
    /// What the plan counts now (override, week schedule, standing schedule or fixed count).
    pub planned_lunch: i64,
    pub planned_dinner: i64,
}

#[derive(Template)]
#[template(path = "admin/municipal_week.html")]
struct WeekTemplate {
    page: Page,
    site: Site,
    department: Department,
    etag: String,
    can_edit: bool,
    csrf: String,
    saved: String,
    week_label: String,
    dates: String,
    path: String,
    previous: String,
    /// "v. 11".
    previous_label: String,
    next: String,
    next_label: String,
    /// What applies without a week schedule: the standing schedule or the fixed count.
    fallback: String,
    schedule: ScheduleForm,
    schedule_errors: FormErrors,
    days: Vec<DayRow>,
    override_errors: FormErrors,
}

impl WeekTemplate {
    fn status(&self) -> axum::http::StatusCode {
        self.schedule_errors
            .status()
            .max(self.override_errors.status())
    }
}

fn week_path(id: i64, week: IsoWeek) -> String {
    format!(
        "/municipal/admin/departments/{id}/weeks/{}/{}",
        week.year, week.week
    )
}

/// The week of the path, if it exists; any other is an unknown page.
fn week_of(year: i32, week: u32) -> Result<IsoWeek, AppError> {
    week_from_path(year, week).map_err(|_| AppError::NotFound)
}

async fn stored(
    state: &AppState,
    caller: &Caller,
    page: Page,
    department: Department,
    week: IsoWeek,
    saved: String,
) -> Result<WeekTemplate, AppError> {
    let site = own_site(state, caller, department.site_id).await?;
    let schedule = week_schedule(state, &department, week).await?;
    let standing = standing(state, &department).await?;
    let sunday = week.monday() + chrono::Duration::days(6);
    let (overrides, data) = {
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let overrides = overrides_between(conn, department.id, week.monday(), sunday).await?;
        let data = WeekData::load(
            conn,
            department.tenant_id,
            department.site_id,
            week,
            Scope::Department(&department),
        )
        .await?
        .ok_or(AppError::NotFound)?;
        (overrides, data)
    };
    let fallback = match &standing.weekdays {
        Some(days) => {
            // An open standing day counts the fixed number.
            let counts: Vec<String> = days
                .iter()
                .map(|day| day.unwrap_or(department.residents).to_string())
                .collect();
            format!(
                "{} {}",
                page.t("municipal.admin.week_fallback_standing"),
                counts.join(", ")
            )
        }
        None => page
            .t("municipal.admin.week_fallback_fixed")
            .replace("{count}", &department.residents.to_string()),
    };
    // A week without its own schedule starts the form from the standing one.
    let shown = if schedule.weekdays.is_some() {
        &schedule
    } else {
        &standing
    };
    let (values, dinner) = schedule_inputs(shown, department.residents);
    let days = (1..=7)
        .map(|day| {
            let date = week.day(day).unwrap_or_else(|| week.monday());
            let stored = overrides.iter().find(|o| o.date == date);
            let text = |value: Option<i32>| value.map(|n| n.to_string()).unwrap_or_default();
            DayRow {
                day,
                label: weekday_label(&page, day),
                date: day_and_month(&page, date),
                lunch: text(stored.and_then(|o| o.lunch)),
                dinner: text(stored.and_then(|o| o.dinner)),
                planned_lunch: data.residents(&department, day, Meal::Lunch),
                planned_dinner: data.residents(&department, day, Meal::Dinner),
            }
        })
        .collect();
    Ok(WeekTemplate {
        week_label: week_label(&page, week),
        dates: date_range(&page, week),
        path: week_path(department.id, week),
        previous: week_path(department.id, week.previous()),
        previous_label: week_label(&page, week.previous()),
        next: week_path(department.id, week.next()),
        next_label: week_label(&page, week.next()),
        schedule: ScheduleForm {
            fixed: schedule.weekdays.is_none(),
            days: day_inputs(&page, &values, &dinner),
        },
        etag: department_etag(&department),
        can_edit: can_edit(caller),
        csrf: caller.csrf_token().unwrap_or_default().to_owned(),
        page,
        site,
        department,
        saved,
        fallback,
        schedule_errors: FormErrors::default(),
        days,
        override_errors: FormErrors::default(),
    })
}

/// Next week (in the kitchen's time zone): the one being planned.
async fn upcoming(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Path(id): Path<i64>,
) -> Response {
    let found = async {
        let department = reachable(&state, &console.caller, id).await?;
        own_site(&state, &console.caller, department.site_id).await
    }
    .await;
    match found {
        Ok(site) => {
            let today = Utc::now().with_timezone(&site.zone()).date_naive();
            Redirect::to(&week_path(id, IsoWeek::containing(today).next())).into_response()
        }
        Err(error) => failed(console.page, error),
    }
}

async fn show(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Path((id, year, week)): Path<(i64, i32, u32)>,
    Query(saved): Query<SavedQuery>,
) -> Response {
    let fallback = console.page.clone();
    let loaded = async {
        let week = week_of(year, week)?;
        let department = reachable(&state, &console.caller, id).await?;
        let saved = saved.saved.unwrap_or_default();
        stored(
            &state,
            &console.caller,
            console.page,
            department,
            week,
            saved,
        )
        .await
    }
    .await;
    match loaded {
        Ok(template) => render(template.status(), &template),
        Err(error) => failed(fallback, error),
    }
}

/// The page again after a failed form, with what was typed unless the department changed.
async fn again(
    state: &AppState,
    caller: &Caller,
    page: Page,
    id: i64,
    week: IsoWeek,
    errors: &FormErrors,
    typed: impl FnOnce(&mut WeekTemplate, bool),
) -> Response {
    let fallback = page.clone();
    let loaded = async {
        let department = reachable(state, caller, id).await?;
        stored(state, caller, page, department, week, String::new()).await
    }
    .await;
    match loaded {
        Ok(mut template) => {
            typed(
                &mut template,
                errors.general.as_deref() != Some("admin.stale"),
            );
            render(template.status(), &template)
        }
        Err(error) => failed(fallback, error),
    }
}

async fn save_schedule(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path((id, year, week)): Path<(i64, i32, u32)>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let found = async {
        let week = week_of(year, week)?;
        Ok::<_, AppError>((week, reachable(&state, &admin.caller, id).await?))
    }
    .await;
    let (week, department) = match found {
        Ok(found) => found,
        Err(error) => return failed(admin.page, error),
    };
    let none = fields.get("mode") != "weekdays";
    let (typed, typed_dinner) = typed_days(&fields);
    let (body, errors) = weekday_body(&admin.page, none, &typed, &typed_dinner);
    let outcome = match body {
        Some(body) => {
            let result = replace_week(
                &state,
                &admin.caller,
                &department,
                fields.etag(),
                week,
                &body,
            )
            .await;
            localized(
                &admin.page,
                result,
                day_field,
                |_| "municipal.admin.error_count",
            )
        }
        None => Outcome::Invalid(errors),
    };
    match outcome {
        Outcome::Done(_) => saved_at(&week_path(id, week), "schedule"),
        Outcome::Invalid(errors) => {
            again(
                &state,
                &admin.caller,
                admin.page,
                id,
                week,
                &errors.clone(),
                |t, keep| {
                    if keep {
                        t.schedule = ScheduleForm {
                            fixed: none,
                            days: day_inputs(&t.page, &typed, &typed_dinner),
                        };
                    }
                    t.schedule_errors = errors;
                },
            )
            .await
        }
        Outcome::Failed(error) => failed(admin.page, error),
    }
}

/// `days[i].lunch` of the operation is the form's `lunch{i+1}`.
fn override_field(field: &str) -> String {
    let Some(rest) = field.strip_prefix("days[") else {
        return field.to_owned();
    };
    let Some((index, meal)) = rest.split_once("].") else {
        return field.to_owned();
    };
    index
        .parse::<u32>()
        .map_or(field.to_owned(), |i| format!("{meal}{}", i + 1))
}

async fn save_overrides(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path((id, year, week)): Path<(i64, i32, u32)>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let found = async {
        let week = week_of(year, week)?;
        Ok::<_, AppError>((week, reachable(&state, &admin.caller, id).await?))
    }
    .await;
    let (week, department) = match found {
        Ok(found) => found,
        Err(error) => return failed(admin.page, error),
    };
    // Each day's inputs `lunch{day}` and `dinner{day}`; empty: no override.
    let mut errors = FormErrors::default();
    let mut days = Vec::new();
    let mut typed = Vec::new();
    for day in 1..=7u32 {
        let date = week.day(day).unwrap_or_else(|| week.monday());
        let mut meals = [None, None];
        for (slot, meal) in ["lunch", "dinner"].into_iter().enumerate() {
            let name = format!("{meal}{day}");
            let text = fields.get(&name).trim().to_owned();
            if !text.is_empty() {
                match number(&text) {
                    Some(count) => meals[slot] = Some(count),
                    None => {
                        errors
                            .fields
                            .insert(name, admin.page.t("municipal.admin.error_count").to_owned());
                    }
                }
            }
            typed.push(text);
        }
        days.push(DayOverride {
            date,
            lunch: meals[0],
            dinner: meals[1],
        });
    }
    let outcome = if errors.is_empty() {
        let result = set_overrides(&state, &admin.caller, &department, fields.etag(), &days).await;
        localized(
            &admin.page,
            result,
            override_field,
            |_| "municipal.admin.error_count",
        )
    } else {
        Outcome::Invalid(errors)
    };
    match outcome {
        Outcome::Done(_) => saved_at(&week_path(id, week), "overrides"),
        Outcome::Invalid(errors) => {
            again(
                &state,
                &admin.caller,
                admin.page,
                id,
                week,
                &errors.clone(),
                |t, keep| {
                    for (row, pair) in t.days.iter_mut().zip(typed.chunks(2)).filter(|_| keep) {
                        row.lunch = pair[0].clone();
                        row.dinner = pair[1].clone();
                    }
                    t.override_errors = errors;
                },
            )
            .await
        }
        Outcome::Failed(error) => failed(admin.page, error),
    }
}
