//! The operations on a department's week, shared by the JSON API and the portal's forms: read
//! it, change a day's lunch choice, change diet marks. Each write checks the week's ETag, the
//! deadline and the menu, bumps the department week's version and writes its audit row in one
//! transaction; a write that changes nothing bumps nothing, except a week's first answer, which
//! counts even when it equals the default.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use galley_core::answers::Invalidation;
use galley_core::audit::Entry;
use galley_core::auth::{Caller, Role};
use galley_core::db::DbConn;
use galley_core::http::AppError;
use galley_core::http::concurrency::check_precondition;
use galley_core::http::problem::FieldError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menus;
use galley_core::people::api::{fail_if_any, tenant_of};
use galley_core::state::AppState;
use serde::Deserialize;
use serde_json::json;

use super::view::{WeekOut, WeekVersions};
use crate::departments::Department;
use crate::plan::data::Scope;
use crate::plan::{Alt, Meal, WeekData};
use crate::week::store::{self, WeekWrite};

/// One mark to set or clear.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkIn {
    /// 1 = Monday ... 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub day: i32,
    #[schema(schema_with = crate::api::schemas::meal)]
    pub meal: String,
    /// A diet type of the kitchen; each day, meal and diet type at most once.
    pub diet_type_id: i64,
    pub marked: bool,
}

/// Loads the department's week, its set-up remembered with its site's; the department was
/// already checked against the caller.
pub async fn load(
    state: &AppState,
    conn: &mut DbConn<'_>,
    caller: &Caller,
    department: &Department,
    week: IsoWeek,
) -> Result<WeekData, AppError> {
    let tenant = tenant_of(caller)?;
    WeekData::load_remembered(
        conn,
        &crate::plan::data::setups(state),
        tenant,
        department.site_id,
        week,
        Scope::Department(department),
    )
    .await?
    .ok_or(AppError::NotFound)
}

/// Whether the menu changed since this person last looked, recording that they look now.
/// Only department staff are tracked: the kitchen edits the menu itself.
pub(super) async fn menu_changed_for(
    conn: &mut DbConn<'_>,
    caller: &Caller,
    data: &WeekData,
) -> Result<bool, AppError> {
    if caller.role != Role::Department {
        return Ok(false);
    }
    let (Some(user), Some(menu)) = (caller.user_id, data.menu.as_ref()) else {
        return Ok(false);
    };
    if !menu.is_published() {
        return Ok(false);
    }
    let seen = menus::mark_seen(conn, menu.id, user, menu.version).await?;
    Ok(seen.is_some_and(|version| version < menu.version))
}

/// What a write of the department's week makes stale: its own answers and its site's of the
/// week, nothing else of the tenant.
pub(super) fn week_changed(tenant: i64, department: &Department, week: IsoWeek) -> Invalidation {
    Invalidation::DepartmentWeek {
        tenant,
        site: department.site_id,
        department: department.id,
        year: week.year,
        week: week.week,
    }
}

/// The week as the caller sees it now.
pub async fn read(
    state: &AppState,
    conn: &mut DbConn<'_>,
    caller: &Caller,
    department: &Department,
    week: IsoWeek,
) -> Result<WeekOut, AppError> {
    let data = load(state, conn, caller, department, week).await?;
    answer_from(conn, caller, department, &data).await
}

/// The week as the caller sees it, from data already loaded: unchanged by a write that
/// changed nothing, or with its answers read again after one (`WeekData::reload_answers`),
/// which spares a write the whole load a second time.
pub(super) async fn answer_from(
    conn: &mut DbConn<'_>,
    caller: &Caller,
    department: &Department,
    data: &WeekData,
) -> Result<WeekOut, AppError> {
    let changed = menu_changed_for(conn, caller, data).await?;
    Ok(WeekOut::build(data, department, changed, Utc::now()))
}

/// "Tuesday 17 March", for messages.
pub fn day_name(date: NaiveDate) -> String {
    date.format("%A %-d %B").to_string()
}

/// After the deadline only kitchen staff and admins change a week.
pub(super) fn check_open(
    caller: &Caller,
    data: &WeekData,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if caller.role != Role::Department {
        return Ok(());
    }
    let deadline = data.settings.deadline(data.week, data.timezone);
    if now < deadline {
        return Ok(());
    }
    let local = deadline.with_timezone(&data.timezone);
    Err(AppError::Forbidden(format!(
        "choices for week {} of {} closed on {} at {} ({}); ask the kitchen to change them",
        data.week.week,
        data.week.year,
        local.format("%A %-d %B %Y"),
        local.format("%H:%M"),
        data.timezone.name(),
    )))
}

/// The ETag of the week as stored now, for the 412 of a write that lost its race.
pub(super) async fn current_etag(
    state: &AppState,
    conn: &mut DbConn<'_>,
    caller: &Caller,
    department: &Department,
    week: IsoWeek,
) -> Result<String, AppError> {
    Ok(read(state, conn, caller, department, week).await?.etag)
}

/// Sets the lunch alternative of `day` (1-7). Needs the week's ETag.
pub async fn change_choice(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    week: IsoWeek,
    day: i32,
    wanted: Alt,
    expected: Option<&str>,
) -> Result<WeekOut, AppError> {
    if !(1..=7).contains(&day) {
        return Err(AppError::validation(
            "day",
            "must be 1 (Monday) to 7 (Sunday)",
        ));
    }
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let mut data = load(state, conn, caller, department, week).await?;
    let now = Utc::now();
    let current = WeekVersions::of(&data, department, now).etag(department.id, week);
    check_precondition(expected, &current)?;
    check_open(caller, &data, now)?;
    let day = day as u32;
    let date = data.week.day(day).unwrap_or_else(|| week.monday());
    if !data.is_published() {
        return Err(AppError::validation(
            "lunch",
            format!(
                "week {} of {} has no published menu yet; choices open once the kitchen publishes it",
                week.week, week.year
            ),
        ));
    }
    if wanted == Alt::Alt2 && !data.alt2_available(day) {
        return Err(AppError::validation(
            "lunch",
            format!("{} has no Alt 2 on the published menu", day_name(date)),
        ));
    }
    let before = data.stored_choice(department.id, day);
    // A first answer for the day counts even when it equals the default: it is what makes
    // the day chosen and the week answered. Saving again what is already saved changes nothing.
    let answered = data.state(department.id).choices_at.is_some();
    if before == wanted && answered && data.choice_stored(department.id, day) {
        return answer_from(conn, caller, department, &data).await;
    }
    let stored = data.state(department.id);
    let written = stored.after(WeekWrite::Choices, galley_core::db::now());
    galley_core::versioned_write!(
        conn,
        |tx| {
            let bumped = store::bump(tx, week, stored, written).await?;
            if bumped {
                store::set_choice(
                    tx,
                    department.id,
                    week,
                    day as i32,
                    wanted.as_str(),
                    caller.user_id,
                )
                .await?;
            }
            bumped
        },
        audit: Entry::new("choice.changed", caller.actor(), Some(tenant))
            .invalidates(week_changed(tenant, department, week))
            .target("department", department.id)
            .details(json!({
                "year": week.year, "week": week.week, "day": day, "date": date,
                "meal": "lunch", "from": before.as_str(), "to": wanted.as_str(),
            })),
        on_conflict: current_etag(state, conn, caller, department, week).await,
    )?;
    data.record_write(written, [(day, wanted)], []);
    answer_from(conn, caller, department, &data).await
}

/// A checked mark: what to store.
pub(super) struct CheckedMark {
    pub(super) day: u32,
    pub(super) meal: Meal,
    pub(super) diet_type_id: i64,
    pub(super) diet: String,
    pub(super) marked: bool,
}

impl CheckedMark {
    /// The audit row's words for one changed mark.
    pub(super) fn audited(&self) -> serde_json::Value {
        json!({
            "day": self.day, "meal": self.meal.as_str(), "diet_type_id": self.diet_type_id,
            "diet": self.diet, "marked": self.marked,
        })
    }
}

/// The most marks one request may carry: 7 days, 2 meals, each diet type once.
pub(super) fn mark_limit(data: &WeekData) -> usize {
    7 * 2 * data.diet_types.len().max(1)
}

/// Checks marks, each named by its JSON path (`marks[2]`, `days[1].marks[0]`); a bad entry
/// adds a `FieldError` under that path and is left out. A diet that always applies is already
/// marked at every meal: `marked: true` for it is accepted and stores nothing, `marked: false`
/// is refused because it cannot be unmarked (docs/municipal-api.md).
pub(super) fn check_mark_entries<'m>(
    data: &WeekData,
    entries: impl IntoIterator<Item = (String, &'m MarkIn)>,
    errors: &mut Vec<FieldError>,
) -> Vec<CheckedMark> {
    let mut checked = Vec::new();
    let mut seen: BTreeMap<(u32, Meal, i64), String> = BTreeMap::new();
    for (path, mark) in entries {
        let mut fail = |name: &str, reason: String| {
            errors.push(FieldError {
                field: format!("{path}.{name}"),
                reason,
            })
        };
        let day = (1..=7).contains(&mark.day).then_some(mark.day as u32);
        if day.is_none() {
            fail("day", "must be 1 (Monday) to 7 (Sunday)".into());
        }
        let meal = Meal::parse(&mark.meal);
        if meal.is_none() {
            fail(
                "meal",
                format!("`{}` is not a meal: lunch or dinner", mark.meal),
            );
        }
        let diet = data.diet_types.iter().find(|d| d.id == mark.diet_type_id);
        match diet {
            None => fail(
                "diet_type_id",
                format!(
                    "there is no diet type {} in this kitchen",
                    mark.diet_type_id
                ),
            ),
            Some(diet) if diet.always_applies && !mark.marked => fail(
                "marked",
                format!(
                    "{} always applies and cannot be unmarked; leave it out",
                    diet.name
                ),
            ),
            Some(_) => {}
        }
        let (Some(day), Some(meal), Some(diet)) = (day, meal, diet) else {
            continue;
        };
        if diet.always_applies {
            continue;
        }
        if let Some(first) = seen.insert((day, meal, diet.id), path.clone()) {
            fail(
                "diet_type_id",
                format!(
                    "{} on day {day} at {} is already in {first}",
                    diet.name,
                    meal.as_str()
                ),
            );
            continue;
        }
        checked.push(CheckedMark {
            day,
            meal,
            diet_type_id: diet.id,
            diet: diet.name.clone(),
            marked: mark.marked,
        });
    }
    checked
}

/// Checks every entry; any bad one refuses them all, naming `marks[i].field`.
fn check_marks(data: &WeekData, marks: &[MarkIn]) -> Result<Vec<CheckedMark>, AppError> {
    let limit = mark_limit(data);
    if marks.len() > limit {
        return Err(AppError::validation(
            "marks",
            format!("at most {limit} marks (7 days, 2 meals, each diet type once)"),
        ));
    }
    let mut errors = Vec::new();
    let entries = marks
        .iter()
        .enumerate()
        .map(|(index, mark)| (format!("marks[{index}]"), mark));
    let checked = check_mark_entries(data, entries, &mut errors);
    fail_if_any(errors)?;
    Ok(checked)
}

/// Sets or clears diet marks, all or nothing. Needs the week's ETag.
pub async fn change_marks(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    week: IsoWeek,
    marks: &[MarkIn],
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
    let checked = check_marks(&data, marks)?;
    let changes: Vec<CheckedMark> = checked
        .into_iter()
        .filter(|m| data.mark_stored(department.id, m.day, m.meal, m.diet_type_id) != m.marked)
        .collect();
    // "No diets today" is an answer too: the first save of the week's marks counts even when
    // it changes no mark.
    if changes.is_empty() && data.state(department.id).marks_at.is_some() {
        return answer_from(conn, caller, department, &data).await;
    }
    let details: Vec<serde_json::Value> = changes.iter().map(CheckedMark::audited).collect();
    let stored = data.state(department.id);
    let written = stored.after(WeekWrite::Marks, galley_core::db::now());
    galley_core::versioned_write!(
        conn,
        |tx| {
            let bumped = store::bump(tx, week, stored, written).await?;
            if bumped {
                for mark in &changes {
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
        audit: Entry::new("marks.changed", caller.actor(), Some(tenant))
            .invalidates(week_changed(tenant, department, week))
            .target("department", department.id)
            .details(json!({ "year": week.year, "week": week.week, "changes": details })),
        on_conflict: current_etag(state, conn, caller, department, week).await,
    )?;
    let marks = changes
        .iter()
        .map(|m| (m.day, m.meal, m.diet_type_id, m.marked));
    data.record_write(written, [], marks);
    answer_from(conn, caller, department, &data).await
}
