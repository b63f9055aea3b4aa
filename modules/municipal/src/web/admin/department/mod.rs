//! `/municipal/admin/departments/{id}`: one department's set-up on one page: its name,
//! fixed count and notes; its residents per diet type; its standing weekday schedule; its
//! staff; and removing it. Each section is its own form (see `forms`), posting the
//! department's version.

mod forms;

pub use forms::{day_field, typed_days, weekday_body};

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use galley_core::auth::{Caller, Role};
use galley_core::http::AppError;
use galley_core::kitchen::allergen::from_mask;
use galley_core::kitchen::diets;
use galley_core::people::sites::Site;
use galley_core::people::users;
use galley_core::state::AppState;
use galley_core::web::admin::{Console, FormErrors};
use galley_core::web::{Page, render};

use super::text::weekday_label;
use super::{SavedQuery, can_edit, failed, own_site};
use crate::api::KitchenReaders;
use crate::api::access::reachable;
use crate::api::departments::{
    WeekdaySchedule, binding_etag, department_etag, diet_defaults, standing,
};
use crate::departments::{self, Department};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/departments/{id}",
            get(show).post(forms::save_details),
        )
        .route("/admin/departments/{id}/diets", post(forms::save_diets))
        .route(
            "/admin/departments/{id}/schedule",
            post(forms::save_schedule),
        )
        .route("/admin/departments/{id}/staff", post(forms::save_staff))
        .route("/admin/departments/{id}/delete", post(forms::delete))
}

pub struct DetailsForm {
    pub name: String,
    pub residents: String,
    pub notes: String,
}

pub struct DietRow {
    pub id: i64,
    pub name: String,
    pub value: String,
    /// What the diet is, in short: its excluded allergens, texture, "every meal".
    pub about: String,
}

pub struct DayInput {
    pub day: u32,
    pub label: String,
    /// Lunch residents (and dinner's unless `dinner` is filled); empty leaves the day open.
    pub value: String,
    /// Dinner residents where they differ from lunch; empty counts as lunch.
    pub dinner: String,
}

pub struct ScheduleForm {
    /// No schedule: every day counts the fixed number.
    pub fixed: bool,
    pub days: Vec<DayInput>,
}

pub struct Person {
    pub id: i64,
    pub label: String,
    pub etag: String,
    /// The department the person works for now, when another one.
    pub elsewhere: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/municipal_department.html")]
pub struct DepartmentTemplate {
    pub page: Page,
    pub site: Site,
    pub department: Department,
    pub etag: String,
    pub can_edit: bool,
    pub csrf: String,
    pub saved: String,
    pub details: DetailsForm,
    pub details_errors: FormErrors,
    pub diets: Vec<DietRow>,
    pub diet_errors: FormErrors,
    pub schedule: ScheduleForm,
    pub schedule_errors: FormErrors,
    pub staff: Vec<Person>,
    pub candidates: Vec<Person>,
    pub staff_errors: FormErrors,
    pub delete_errors: FormErrors,
}

impl DepartmentTemplate {
    fn status(&self) -> axum::http::StatusCode {
        [
            &self.details_errors,
            &self.diet_errors,
            &self.schedule_errors,
            &self.staff_errors,
            &self.delete_errors,
        ]
        .into_iter()
        .map(FormErrors::status)
        .max()
        .unwrap_or_default()
    }
}

pub fn day_inputs(page: &Page, values: &[String], dinner: &[String]) -> Vec<DayInput> {
    (1..=7)
        .map(|day| DayInput {
            day,
            label: weekday_label(page, day),
            value: values.get(day as usize - 1).cloned().unwrap_or_default(),
            dinner: dinner.get(day as usize - 1).cloned().unwrap_or_default(),
        })
        .collect()
}

/// A schedule's counts as the form shows them: lunch (the fixed count when there is no
/// schedule, empty on an open day) and dinner where it differs.
pub fn schedule_inputs(schedule: &WeekdaySchedule, fixed: i32) -> (Vec<String>, Vec<String>) {
    let text = |count: &Option<i32>| count.map(|n| n.to_string()).unwrap_or_default();
    let lunch = match &schedule.weekdays {
        Some(days) => days.iter().map(text).collect(),
        None => vec![fixed.to_string(); 7],
    };
    let dinner = match &schedule.dinner {
        Some(days) => days.iter().map(text).collect(),
        None => vec![String::new(); 7],
    };
    (lunch, dinner)
}

/// The diet type in a few words: "Utesluter gluten, mjölk · IDDSI 5 · Varje måltid".
fn about(page: &Page, diet: &diets::DietType) -> String {
    let mut parts = Vec::new();
    let excluded: Vec<&str> = from_mask(diet.excludes)
        .into_iter()
        .map(|a| page.t(a.key()))
        .collect();
    if !excluded.is_empty() {
        parts.push(format!(
            "{} {}",
            page.t("municipal.admin.excludes_short"),
            excluded.join(", ").to_lowercase()
        ));
    }
    if let Some(level) = diet.texture_level {
        parts.push(format!("IDDSI {level}"));
    }
    if diet.always_applies {
        parts.push(page.t("municipal.admin.always_applies_short").to_owned());
    }
    parts.join(" · ")
}

/// The department's people: who works there, and who could (users of role `department`).
async fn people(
    state: &AppState,
    department: &Department,
) -> Result<(Vec<Person>, Vec<Person>), AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let (everyone, _) = users::list(conn, department.tenant_id, 0, 10_000).await?;
    let mut staff = Vec::new();
    let mut candidates = Vec::new();
    for user in everyone {
        let bound = departments::of_user(conn, user.id).await?;
        let bound_id = bound.as_ref().map(|d| d.id);
        let person = Person {
            id: user.id,
            label: format!("{} ({})", user.display_name, user.email),
            etag: binding_etag(user.id, bound_id),
            elsewhere: bound.filter(|d| d.id != department.id).map(|d| d.name),
        };
        if bound_id == Some(department.id) {
            staff.push(person);
        } else if user.role == Role::Department.as_str() && user.disabled_at.is_none() {
            candidates.push(person);
        }
    }
    Ok((staff, candidates))
}

/// The page as stored; the handlers put back what was typed where a form failed.
async fn stored(
    state: &AppState,
    caller: &Caller,
    page: Page,
    department: Department,
    saved: String,
) -> Result<DepartmentTemplate, AppError> {
    let site = own_site(state, caller, department.site_id).await?;
    let defaults = diet_defaults(state, caller, &department).await?;
    let types = {
        let mut pooled = state.db.get().await?;
        diets::list(&mut pooled.conn(), department.site_id).await?
    };
    let counts: HashMap<i64, i32> = defaults
        .diets
        .iter()
        .map(|d| (d.diet_type_id, d.residents))
        .collect();
    let diets = types
        .iter()
        .map(|diet| DietRow {
            id: diet.id,
            name: diet.name.clone(),
            value: counts.get(&diet.id).copied().unwrap_or(0).to_string(),
            about: about(&page, diet),
        })
        .collect();
    let schedule = standing(state, &department).await?;
    let (values, dinner) = schedule_inputs(&schedule, department.residents);
    let (staff, candidates) = people(state, &department).await?;
    Ok(DepartmentTemplate {
        schedule: ScheduleForm {
            fixed: schedule.weekdays.is_none(),
            days: day_inputs(&page, &values, &dinner),
        },
        details: DetailsForm {
            name: department.name.clone(),
            residents: department.residents.to_string(),
            notes: department.notes.clone(),
        },
        etag: department_etag(&department),
        can_edit: can_edit(caller),
        csrf: caller.csrf_token().unwrap_or_default().to_owned(),
        page,
        site,
        department,
        saved,
        details_errors: FormErrors::default(),
        schedule_errors: FormErrors::default(),
        diets,
        diet_errors: FormErrors::default(),
        staff,
        candidates,
        staff_errors: FormErrors::default(),
        delete_errors: FormErrors::default(),
    })
}

/// Shows the page again after a failed form: `typed` puts the errors in and, when told to
/// keep them, what was typed (not when someone else changed the department meanwhile: then
/// the page shows what is stored now).
async fn again(
    state: &AppState,
    caller: &Caller,
    page: Page,
    id: i64,
    errors: &FormErrors,
    typed: impl FnOnce(&mut DepartmentTemplate, bool),
) -> Response {
    let department = match reachable(state, caller, id).await {
        Ok(department) => department,
        Err(error) => return failed(page, error),
    };
    let fallback = page.clone();
    match stored(state, caller, page, department, String::new()).await {
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

fn path_of(id: i64) -> String {
    format!("/municipal/admin/departments/{id}")
}

async fn show(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Path(id): Path<i64>,
    Query(saved): Query<SavedQuery>,
) -> Response {
    let department = match reachable(&state, &console.caller, id).await {
        Ok(department) => department,
        Err(error) => return failed(console.page, error),
    };
    let fallback = console.page.clone();
    let saved = saved.saved.unwrap_or_default();
    match stored(&state, &console.caller, console.page, department, saved).await {
        Ok(template) => render(template.status(), &template),
        Err(error) => failed(fallback, error),
    }
}
