//! `GET` of a department's week from the ready answers (decision 0022): the serialized body and
//! its ETag, built once per change of what it is made of. Department staff also get told when
//! the menu changed since they last looked; that part is per person, so such an answer is
//! built for them and not stored.

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Utc;
use galley_core::answers::{Answer, AnswerKey, Built, LONGEST_FRESH, Scope};
use galley_core::auth::{Caller, Role};
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menus;
use galley_core::people::api::tenant_of;
use galley_core::state::AppState;

use super::ops;
use super::view::WeekOut;
use crate::departments::Department;

fn key(department_id: i64, week: IsoWeek) -> AnswerKey {
    AnswerKey {
        kind: "municipal.week",
        parts: [department_id, i64::from(week.year), i64::from(week.week), 0],
    }
}

/// The stored answer, before the department is even looked up, for callers whose access
/// follows from the answer itself: a kitchen role or token of the tenant the answer was built
/// for (kitchen roles reach every department of their tenant, and a department that moves or
/// goes is a tenant write that makes the answer stale). Department staff are checked against
/// their own department and told of a changed menu, so they take the long way.
pub fn from_memory(
    state: &AppState,
    caller: &Caller,
    department_id: i64,
    week: IsoWeek,
    headers: &HeaderMap,
) -> Option<Response> {
    if caller.role == Role::Department {
        return None;
    }
    let tenant = caller.tenant_id?;
    let ready = state.answers.get(&key(department_id, week))?;
    ready.belongs_to(tenant).then(|| ready.response(headers))
}

/// The week as `GET` answers it, 304 when the client has it.
pub async fn answer(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    week: IsoWeek,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let tenant = tenant_of(caller)?;
    let cache = &state.answers;
    let ticket = cache.ticket();
    let mut told_changed = false;
    if let Some(ready) = cache.get(&key(department.id, week)) {
        let [menu_id, menu_version] = ready.meta;
        if !changed_since_seen(state, caller, menu_id, menu_version).await? {
            return Ok(ready.response(headers));
        }
        told_changed = true;
    }
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let data = ops::load(state, conn, caller, department, week).await?;
    let changed = told_changed || ops::menu_changed_for(conn, caller, &data).await?;
    let now = Utc::now();
    let out = WeekOut::build(&data, department, changed, now);
    let menu = data.menu.as_ref().filter(|menu| menu.is_published());
    let meta = menu.map_or([0, 0], |menu| [menu.id, menu.version]);
    let built = Built::json(&out, out.etag.clone(), meta)
        .map_err(|error| AppError::Internal(error.to_string()))?;
    // Until the deadline passes (the answer says whether choices are open), and never long.
    let until_deadline = (data.settings.deadline(week, data.timezone) - now)
        .to_std()
        .ok();
    let fresh_for = until_deadline.map_or(LONGEST_FRESH, |left| left.min(LONGEST_FRESH));
    let scopes = [
        Scope::Tenant(tenant),
        Scope::DepartmentWeek {
            department: department.id,
            year: week.year,
            week: week.week,
        },
    ];
    let answer = if changed {
        // Said to this person once; the stored answer must not say it to the next.
        std::sync::Arc::new(Answer::unstored(built))
    } else {
        cache.put(key(department.id, week), ticket, &scopes, fresh_for, built)
    };
    Ok(answer.response(headers))
}

/// For department staff: records that they saw the published menu, and whether it changed
/// since they last did (then the stored answer, which says it did not, will not do).
async fn changed_since_seen(
    state: &AppState,
    caller: &Caller,
    menu_id: i64,
    menu_version: i64,
) -> Result<bool, AppError> {
    let (Role::Department, Some(user)) = (caller.role, caller.user_id) else {
        return Ok(false);
    };
    if menu_id == 0 {
        return Ok(false);
    }
    let mut pooled = state.db.get().await?;
    let seen = menus::mark_seen(&mut pooled.conn(), menu_id, user, menu_version).await?;
    Ok(seen.is_some_and(|version| version < menu_version))
}
