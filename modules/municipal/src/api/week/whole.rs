//! A department's whole week in one request: every day's lunch choice and diet marks, checked
//! together and stored all or nothing under one version and one audit row. The rules are the
//! per-day calls' own (ETag, deadline, published menu, Alt 2, marks); a bad entry anywhere
//! refuses the whole request, each problem named by its JSON path (`days[3].lunch`).

use std::collections::BTreeMap;

use chrono::Utc;
use galley_core::audit::Entry;
use galley_core::auth::Caller;
use galley_core::http::AppError;
use galley_core::http::concurrency::check_precondition;
use galley_core::http::problem::FieldError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::people::api::{fail_if_any, tenant_of};
use galley_core::state::AppState;
use serde::Deserialize;
use serde_json::json;

use super::ops::{
    CheckedMark, MarkIn, answer_from, check_mark_entries, check_open, current_etag, day_name, load,
    mark_limit,
};
use super::view::{WeekOut, WeekVersions};
use crate::departments::Department;
use crate::plan::{Alt, WeekData};
use crate::week::store::{self, WeekWrite};

/// The days to change; days not listed stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekAnswersIn {
    /// At most 7, each day once.
    pub days: Vec<DayAnswerIn>,
}

/// One day's answers. Leave `lunch` out to keep the day's choice; leave `marks` out to keep its
/// marks. `"marks": []` answers "no diets today" without changing a mark.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayAnswerIn {
    /// 1 = Monday ... 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub day: i32,
    /// `alt2` only on a day whose published menu offers it.
    #[serde(default)]
    pub lunch: Option<Alt>,
    /// Marks of this day to set or clear; marks not listed stay as they are.
    #[serde(default)]
    pub marks: Option<Vec<DayMarkIn>>,
}

/// One mark of a day.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayMarkIn {
    #[schema(schema_with = crate::api::schemas::meal)]
    pub meal: String,
    /// A diet type of the kitchen; each meal and diet type at most once a day.
    pub diet_type_id: i64,
    pub marked: bool,
}

/// A checked choice: what to store.
struct CheckedChoice {
    day: u32,
    from: Alt,
    to: Alt,
}

/// What the request asks for, checked.
struct CheckedWeek {
    choices: Vec<CheckedChoice>,
    marks: Vec<CheckedMark>,
    /// Whether the request answers choices and marks at all (a first answer counts even when
    /// it stores the default).
    answers_choices: bool,
    answers_marks: bool,
}

/// Checks the whole request; any bad entry refuses it all.
fn check(
    data: &WeekData,
    department: &Department,
    body: &WeekAnswersIn,
) -> Result<CheckedWeek, AppError> {
    if body.days.len() > 7 {
        return Err(AppError::validation(
            "days",
            "at most 7 days, each day once",
        ));
    }
    let total_marks: usize = body
        .days
        .iter()
        .map(|d| d.marks.as_ref().map_or(0, Vec::len))
        .sum();
    let limit = mark_limit(data);
    if total_marks > limit {
        return Err(AppError::validation(
            "days",
            format!("at most {limit} marks in all (7 days, 2 meals, each diet type once)"),
        ));
    }
    let mut errors = Vec::new();
    let mut choices = Vec::new();
    let mut seen_days: BTreeMap<u32, usize> = BTreeMap::new();
    // The marks carry their day, so the per-day checks apply to them unchanged.
    let mut marks_in: Vec<(String, MarkIn)> = Vec::new();
    for (index, answer) in body.days.iter().enumerate() {
        let field = |name: &str| format!("days[{index}].{name}");
        let Some(day) = (1..=7).contains(&answer.day).then_some(answer.day as u32) else {
            errors.push(FieldError {
                field: field("day"),
                reason: "must be 1 (Monday) to 7 (Sunday)".into(),
            });
            continue;
        };
        if let Some(first) = seen_days.insert(day, index) {
            errors.push(FieldError {
                field: field("day"),
                reason: format!("day {day} is already in days[{first}]"),
            });
            continue;
        }
        if let Some(wanted) = answer.lunch {
            let date = data.week.day(day).unwrap_or_else(|| data.week.monday());
            if !data.is_published() {
                errors.push(FieldError {
                    field: field("lunch"),
                    reason: format!(
                        "week {} of {} has no published menu yet; choices open once the kitchen publishes it",
                        data.week.week, data.week.year
                    ),
                });
            } else if wanted == Alt::Alt2 && !data.alt2_available(day) {
                errors.push(FieldError {
                    field: field("lunch"),
                    reason: format!("{} has no Alt 2 on the published menu", day_name(date)),
                });
            } else {
                choices.push(CheckedChoice {
                    day,
                    from: data.stored_choice(department.id, day),
                    to: wanted,
                });
            }
        }
        for (mark_index, mark) in answer.marks.iter().flatten().enumerate() {
            marks_in.push((
                format!("days[{index}].marks[{mark_index}]"),
                MarkIn {
                    day: answer.day,
                    meal: mark.meal.clone(),
                    diet_type_id: mark.diet_type_id,
                    marked: mark.marked,
                },
            ));
        }
    }
    let marks = check_mark_entries(
        data,
        marks_in.iter().map(|(path, mark)| (path.clone(), mark)),
        &mut errors,
    );
    fail_if_any(errors)?;
    Ok(CheckedWeek {
        choices,
        marks,
        answers_choices: body.days.iter().any(|d| d.lunch.is_some()),
        answers_marks: body.days.iter().any(|d| d.marks.is_some()),
    })
}

/// Sets the days' choices and marks, all or nothing, in one version and one audit row. Needs
/// the week's ETag.
pub async fn change_week(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    week: IsoWeek,
    body: &WeekAnswersIn,
    expected: Option<&str>,
) -> Result<WeekOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let mut data = load(state, conn, caller, department, week).await?;
    let now = Utc::now();
    let current = WeekVersions::of(&data, department, now).etag(department.id, week);
    check_precondition(expected, &current)?;
    check_open(caller, &data, now)?;
    let checked = check(&data, department, body)?;

    let stored = data.state(department.id);
    // Stored: what changes, and a day's first choice even when it equals the default (the
    // day is chosen from then on). Audited as changes: those whose value moves.
    let changed_choices: Vec<&CheckedChoice> = checked
        .choices
        .iter()
        .filter(|c| c.from != c.to || !data.choice_stored(department.id, c.day))
        .collect();
    let moved_choices: Vec<&CheckedChoice> = changed_choices
        .iter()
        .copied()
        .filter(|c| c.from != c.to)
        .collect();
    let marks: Vec<&CheckedMark> = checked
        .marks
        .iter()
        .filter(|m| data.mark_stored(department.id, m.day, m.meal, m.diet_type_id) != m.marked)
        .collect();
    // As in the per-day calls, a week's first answer counts even when it stores the default.
    let first_choices = checked.answers_choices && stored.choices_at.is_none();
    let first_marks = checked.answers_marks && stored.marks_at.is_none();
    let touches_choices = !changed_choices.is_empty() || first_choices;
    let touches_marks = !marks.is_empty() || first_marks;
    let what = match (touches_choices, touches_marks) {
        (false, false) => return answer_from(conn, caller, department, &data).await,
        (true, false) => WeekWrite::Choices,
        (false, true) => WeekWrite::Marks,
        (true, true) => WeekWrite::ChoicesAndMarks,
    };
    // A first answer stores every choice sent, as the per-day call stores its one.
    let choices: Vec<&CheckedChoice> = if first_choices {
        checked.choices.iter().collect()
    } else {
        changed_choices.clone()
    };
    let choice_details: Vec<serde_json::Value> = moved_choices
        .iter()
        .map(|c| {
            json!({
                "day": c.day, "date": data.week.day(c.day),
                "from": c.from.as_str(), "to": c.to.as_str(),
            })
        })
        .collect();
    let mark_details: Vec<serde_json::Value> = marks.iter().map(|m| m.audited()).collect();
    let written = stored.after(what, galley_core::db::now());
    galley_core::versioned_write!(
        conn,
        |tx| {
            let bumped = store::bump(tx, week, stored, written).await?;
            if bumped {
                for choice in &choices {
                    store::set_choice(
                        tx,
                        department.id,
                        week,
                        choice.day as i32,
                        choice.to.as_str(),
                        caller.user_id,
                    )
                    .await?;
                }
                for mark in &marks {
                    store::set_mark(
                        tx,
                        department.id,
                        week,
                        mark.day as i32,
                        mark.meal.as_str(),
                        mark.diet_type_id,
                        mark.marked,
                    )
                    .await?;
                }
            }
            bumped
        },
        audit: Entry::new("week.changed", caller.actor(), Some(tenant))
            .invalidates(super::ops::week_changed(tenant, department, week))
            .target("department", department.id)
            .details(json!({
                "year": week.year, "week": week.week,
                "choices": choice_details, "marks": mark_details,
            })),
        on_conflict: current_etag(state, conn, caller, department, week).await,
    )?;
    data.record_write(
        written,
        choices.iter().map(|c| (c.day, c.to)),
        marks
            .iter()
            .map(|m| (m.day, m.meal, m.diet_type_id, m.marked)),
    );
    answer_from(conn, caller, department, &data).await
}
