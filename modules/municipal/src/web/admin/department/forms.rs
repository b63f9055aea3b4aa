//! The department page's forms: each posts one section with the department's version, and
//! on failure shows the page again with its errors and, unless the department changed
//! meanwhile, what was typed.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use galley_core::state::AppState;
use galley_core::web::Page;
use galley_core::web::admin::{Console, FormErrors, Outcome};

use super::{DetailsForm, ScheduleForm, again, day_inputs, path_of};
use crate::api::Admins;
use crate::api::access::reachable;
use crate::api::departments::{
    BindingChange, DepartmentChange, DietDefaultIn, DietDefaults, WeekdaySchedule,
    delete_department, replace_diet_defaults, replace_standing, set_binding, update_department,
};
use crate::web::admin::{Fields, failed, field_error, localized, number, saved_at};

/// The answer to one section's form: back to the section when saved; otherwise the page again
/// with the errors and, unless the department changed meanwhile (`keep`), what was typed.
async fn answer<T>(
    state: &AppState,
    admin: Console<Admins>,
    id: i64,
    section: &str,
    outcome: Outcome<T>,
    show: impl FnOnce(&mut super::DepartmentTemplate, bool, FormErrors),
) -> Response {
    match outcome {
        Outcome::Done(_) => saved_at(&path_of(id), section),
        Outcome::Invalid(errors) => {
            let shown = errors.clone();
            again(state, &admin.caller, admin.page, id, &errors, |t, keep| {
                show(t, keep, shown)
            })
            .await
        }
        Outcome::Failed(error) => failed(admin.page, error),
    }
}

fn count_key(_field: &str) -> &'static str {
    "municipal.admin.error_count"
}

pub(super) async fn save_details(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let typed = DetailsForm {
        name: fields.get("name").to_owned(),
        residents: fields.get("residents").to_owned(),
        notes: fields.get("notes").to_owned(),
    };
    let outcome = match (
        reachable(&state, &admin.caller, id).await,
        number(&typed.residents),
    ) {
        (Err(error), _) => Outcome::Failed(error),
        (Ok(_), None) => Outcome::Invalid(field_error(
            &admin.page,
            "residents",
            "municipal.admin.error_count",
        )),
        (Ok(department), Some(residents)) => {
            let change = DepartmentChange {
                name: Some(typed.name.clone()),
                residents: Some(residents),
                notes: Some(typed.notes.clone()),
            };
            let result =
                update_department(&state, &admin.caller, &department, fields.etag(), &change).await;
            localized(&admin.page, result, str::to_owned, |field| match field {
                "name" => "municipal.admin.error_name",
                "notes" => "municipal.admin.error_notes",
                _ => "municipal.admin.error_count",
            })
        }
    };
    answer(&state, admin, id, "details", outcome, |t, keep, errors| {
        if keep {
            t.details = typed;
        }
        t.details_errors = errors;
    })
    .await
}

pub(super) async fn save_diets(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let department = match reachable(&state, &admin.caller, id).await {
        Ok(department) => department,
        Err(error) => return failed(admin.page, error),
    };
    // Every diet type of the kitchen has an input named `diet_{id}`; empty means none.
    let typed: Vec<(i64, String)> = fields
        .0
        .iter()
        .filter_map(|(key, value)| {
            let id = key.strip_prefix("diet_")?.parse().ok()?;
            Some((id, value.clone()))
        })
        .collect();
    let mut errors = FormErrors::default();
    let mut body = DietDefaults { diets: Vec::new() };
    for (diet, value) in &typed {
        let value = value.trim();
        match if value.is_empty() {
            Some(0)
        } else {
            number(value)
        } {
            // The API refuses this too; said here in the reader's words, with the number.
            Some(residents) if residents > department.residents => {
                errors.fields.insert(
                    format!("diet_{diet}"),
                    admin
                        .page
                        .t("municipal.admin.error_above_residents")
                        .replace("{residents}", &department.residents.to_string()),
                );
            }
            Some(residents) => body.diets.push(DietDefaultIn {
                diet_type_id: *diet,
                residents,
            }),
            None => {
                errors.fields.insert(
                    format!("diet_{diet}"),
                    admin.page.t("municipal.admin.error_count").to_owned(),
                );
            }
        }
    }
    let outcome = if errors.is_empty() {
        let result =
            replace_diet_defaults(&state, &admin.caller, &department, fields.etag(), &body).await;
        // `diets[i]...` names the i-th input sent.
        let ids: Vec<i64> = body.diets.iter().map(|d| d.diet_type_id).collect();
        localized(
            &admin.page,
            result,
            |field| {
                field
                    .strip_prefix("diets[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| ids.get(i))
                    .map_or(field.to_owned(), |id| format!("diet_{id}"))
            },
            count_key,
        )
    } else {
        Outcome::Invalid(errors)
    };
    answer(&state, admin, id, "diets", outcome, |t, keep, errors| {
        for row in t.diets.iter_mut().filter(|_| keep) {
            if let Some((_, value)) = typed.iter().find(|(diet, _)| *diet == row.id) {
                row.value = value.clone();
            }
        }
        t.diet_errors = errors;
    })
    .await
}

pub(super) async fn save_schedule(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let department = match reachable(&state, &admin.caller, id).await {
        Ok(department) => department,
        Err(error) => return failed(admin.page, error),
    };
    let fixed = fields.get("mode") != "weekdays";
    let (typed, typed_dinner) = typed_days(&fields);
    let (body, errors) = weekday_body(&admin.page, fixed, &typed, &typed_dinner);
    let outcome = match body {
        Some(body) => {
            let result =
                replace_standing(&state, &admin.caller, &department, fields.etag(), &body).await;
            localized(&admin.page, result, day_field, count_key)
        }
        None => Outcome::Invalid(errors),
    };
    answer(&state, admin, id, "schedule", outcome, |t, keep, errors| {
        if keep {
            t.schedule = ScheduleForm {
                fixed,
                days: day_inputs(&t.page, &typed, &typed_dinner),
            };
        }
        t.schedule_errors = errors;
    })
    .await
}

/// What a weekday form holds: each day's lunch (`day1`..`day7`) and dinner (`dinner1`..).
pub fn typed_days(fields: &Fields) -> (Vec<String>, Vec<String>) {
    let typed = |prefix: &str| -> Vec<String> {
        (1..=7)
            .map(|day| fields.get(&format!("{prefix}{day}")).trim().to_owned())
            .collect()
    };
    (typed("day"), typed("dinner"))
}

/// `weekdays[i]` of the API is the form's `day{i+1}`, `dinner[i]` its `dinner{i+1}`.
pub fn day_field(field: &str) -> String {
    let index = |prefix: &str| {
        field
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok())
    };
    if let Some(i) = index("weekdays[") {
        format!("day{}", i + 1)
    } else if let Some(i) = index("dinner[") {
        format!("dinner{}", i + 1)
    } else {
        field.to_owned()
    }
}

/// The schedule a weekday form asks for, or the errors of the days that are not numbers. An
/// empty lunch leaves the day open; an empty dinner counts as lunch.
pub fn weekday_body(
    page: &Page,
    none: bool,
    typed: &[String],
    typed_dinner: &[String],
) -> (Option<WeekdaySchedule>, FormErrors) {
    if none {
        return (Some(WeekdaySchedule::none()), FormErrors::default());
    }
    let mut errors = FormErrors::default();
    let mut read = |prefix: &str, values: &[String]| -> Vec<Option<i32>> {
        values
            .iter()
            .enumerate()
            .map(|(index, value)| {
                if value.is_empty() {
                    return None;
                }
                let count = number(value);
                if count.is_none() {
                    errors.fields.insert(
                        format!("{prefix}{}", index + 1),
                        page.t("municipal.admin.error_count").to_owned(),
                    );
                }
                count
            })
            .collect()
    };
    let weekdays = read("day", typed);
    let dinner = read("dinner", typed_dinner);
    if !errors.is_empty() {
        return (None, errors);
    }
    let dinner = dinner.iter().any(Option::is_some).then_some(dinner);
    (
        Some(WeekdaySchedule {
            weekdays: Some(weekdays),
            dinner,
        }),
        errors,
    )
}

pub(super) async fn save_staff(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let department = match reachable(&state, &admin.caller, id).await {
        Ok(department) => department,
        Err(error) => return failed(admin.page, error),
    };
    // Either `unbind` (a person of this department) or `user_id` (someone to bind here); each
    // person's binding ETag travels as `etag_{id}`.
    let (user, target) = if fields.has("unbind") {
        (fields.get("unbind"), None)
    } else {
        (fields.get("user_id"), Some(department.id))
    };
    let outcome = match user.parse::<i64>() {
        Ok(user) => {
            let expected = fields.get(&format!("etag_{user}"));
            let expected = Some(expected).filter(|tag| !tag.is_empty());
            let body = BindingChange {
                department_id: target,
            };
            let result = set_binding(&state, &admin.caller, user, expected, &body).await;
            localized(&admin.page, result, str::to_owned, |field| match field {
                "department_id" => "municipal.admin.error_other_kitchen",
                _ => "municipal.admin.error_not_department_user",
            })
        }
        Err(_) => Outcome::Invalid(field_error(
            &admin.page,
            "user_id",
            "municipal.admin.error_pick_person",
        )),
    };
    answer(&state, admin, id, "staff", outcome, |t, _, errors| {
        t.staff_errors = errors;
    })
    .await
}

pub(super) async fn delete(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let department = match reachable(&state, &admin.caller, id).await {
        Ok(department) => department,
        Err(error) => return failed(admin.page, error),
    };
    let outcome = if fields.get("confirm") == "yes" {
        Outcome::from(delete_department(&state, &admin.caller, &department, fields.etag()).await)
    } else {
        Outcome::Invalid(field_error(
            &admin.page,
            "confirm",
            "admin.confirm_required",
        ))
    };
    match outcome {
        Outcome::Done(()) => Redirect::to(&format!(
            "/municipal/admin/sites/{}/departments?saved=deleted",
            department.site_id
        ))
        .into_response(),
        Outcome::Invalid(errors) => {
            again(
                &state,
                &admin.caller,
                admin.page,
                id,
                &errors.clone(),
                |t, _| {
                    t.delete_errors = errors;
                },
            )
            .await
        }
        Outcome::Failed(error) => failed(admin.page, error),
    }
}
