//! A day's form without JavaScript: the lunch choice and the diet marks of one day, posted
//! together with the week's ETag and applied by the API's own operations. Success returns to
//! the page, which says "Sparat" on that day; a problem shows the page again with the day's
//! current state and what went wrong, in words. The choice and the marks are the API's two
//! writes, in that order, the second with the ETag the first returned: a refused choice stores
//! nothing, and marks refused after a saved choice leave the choice saved (the page says so).

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::state::AppState;

use super::signed::FormCaller;
use super::view::{DayStatus, day_anchor, fill, parse_week, week_param};
use super::{Back, week_page};
use crate::api::WeekWriters;
use crate::api::access::reachable;
use crate::api::week::{MarkIn, ops};
use crate::plan::Alt;

/// The posted fields; checkboxes and the list of shown marks repeat, so the body is read as
/// pairs.
#[derive(Debug, Default)]
struct DayForm {
    etag: Option<String>,
    lunch: Option<String>,
    /// `meal:diet_type_id` of each ticked box.
    marked: BTreeSet<String>,
    /// `meal:diet_type_id` of each box the form showed, ticked or not.
    shown: Vec<String>,
    back: Option<String>,
    first: Option<String>,
    /// The first posted field this form does not have: refused, never dropped.
    unknown: Option<String>,
}

impl DayForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> DayForm {
        let mut form = DayForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "etag" => form.etag = Some(value),
                "lunch" => form.lunch = Some(value),
                "mark" => {
                    form.marked.insert(value);
                }
                "shown" => form.shown.push(value),
                "back" => form.back = Some(value),
                "first" => form.first = Some(value),
                "csrf_token" => {}
                _ => {
                    form.unknown.get_or_insert(name);
                }
            }
        }
        form
    }

    /// The first field the day's save would ignore: a name the form has not, or a ticked box
    /// the form did not show (a diet without residents, one that always applies, or a day or
    /// meal of another form). `None` when every posted value is used.
    fn ignored(&self) -> Option<String> {
        if let Some(name) = &self.unknown {
            return Some(name.clone());
        }
        self.marked
            .iter()
            .find(|mark| !self.shown.contains(mark))
            .map(|mark| format!("mark={mark}"))
    }

    /// One entry per shown box: ticked or not. A malformed entry is passed on as such, so the
    /// operation refuses it like the API would.
    fn marks(&self, day: i32) -> Vec<MarkIn> {
        self.shown
            .iter()
            .map(|entry| {
                let (meal, diet) = entry.split_once(':').unwrap_or((entry, ""));
                MarkIn {
                    day,
                    meal: meal.to_owned(),
                    diet_type_id: diet.parse().unwrap_or(0),
                    marked: self.marked.contains(entry),
                }
            })
            .collect()
    }
}

/// What the page says when a save did not go through, and with which status.
fn refusal(error: &AppError) -> Option<(&'static str, StatusCode)> {
    match error {
        AppError::PreconditionFailed { .. } | AppError::PreconditionRequired => {
            Some(("municipal.portal.stale", StatusCode::CONFLICT))
        }
        AppError::Forbidden(_) => Some(("municipal.portal.closed", StatusCode::FORBIDDEN)),
        AppError::Validation(errors) if errors.iter().any(|e| e.field.starts_with("marks")) => {
            Some((
                "municipal.portal.marks_refused",
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        AppError::Validation(_) => Some((
            "municipal.portal.choice_refused",
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        _ => None,
    }
}

pub async fn save_day(
    State(state): State<AppState>,
    FormCaller(console): FormCaller<WeekWriters>,
    Path((id, year, number, day)): Path<(i64, i32, u32, i32)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Response {
    let department = match reachable(&state, &console.caller, id).await {
        Ok(department) => department,
        Err(error) => return error.into_response(),
    };
    let (Ok(week), true) = (IsoWeek::new(year, number), (1..=7).contains(&day)) else {
        return AppError::NotFound.into_response();
    };
    let form = DayForm::from_pairs(pairs);
    let back = Back::parse(form.back.as_deref());
    let first = form.first.as_deref().and_then(parse_week).unwrap_or(week);
    if let Some(field) = form.ignored() {
        // Refused as a whole: 422, the day's card says which field, nothing is stored.
        let text = fill(
            console.page.t("municipal.portal.unknown_field"),
            "field",
            &field,
        );
        let notice = DayStatus {
            saved: None,
            notice: Some((week, day as u32, text)),
        };
        let first = week_param(first);
        return week_page(
            &state,
            console,
            department,
            Some(&first),
            back,
            notice,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let caller = console.caller.clone();

    let applied = async {
        let mut etag = form.etag.clone();
        if let Some(lunch) = form.lunch.as_deref() {
            let wanted = Alt::parse(lunch)
                .ok_or_else(|| AppError::validation("lunch", "choose alt1 or alt2".to_owned()))?;
            let out = ops::change_choice(
                &state,
                &caller,
                &department,
                week,
                day,
                wanted,
                etag.as_deref(),
            )
            .await?;
            etag = Some(out.etag);
        }
        if !form.shown.is_empty() {
            ops::change_marks(
                &state,
                &caller,
                &department,
                week,
                &form.marks(day),
                etag.as_deref(),
            )
            .await?;
        }
        Ok::<_, AppError>(())
    };
    let day = day as u32;
    match applied.await {
        Ok(()) => Redirect::to(&format!(
            "{}?week={}&saved={}-{day}#{}",
            back.path(&department),
            week_param(first),
            week_param(week),
            day_anchor(week, day)
        ))
        .into_response(),
        Err(error) => match refusal(&error) {
            Some((key, status)) => {
                let text = console.page.t(key).to_owned();
                let notice = DayStatus {
                    saved: None,
                    notice: Some((week, day, text)),
                };
                let first = week_param(first);
                week_page(
                    &state,
                    console,
                    department,
                    Some(&first),
                    back,
                    notice,
                    status,
                )
                .await
            }
            None => error.into_response(),
        },
    }
}
