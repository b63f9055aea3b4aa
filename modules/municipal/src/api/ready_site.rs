//! The site-wide reads (day plan, week plan, weekly report as JSON) from ready answers
//! (decision 0022). Each is built from the site's whole week, so any department's choice or
//! mark of that week, and any change of the tenant's set-up, makes it stale; other weeks keep
//! theirs. Their ETag is a digest of the body: `If-None-Match` answers 304 from memory.

use axum::http::HeaderMap;
use axum::response::Response;
use galley_core::answers::{AnswerKey, Built, LONGEST_FRESH, Scope};
use galley_core::auth::Caller;
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::people::api::tenant_of;
use galley_core::state::AppState;
use serde::Serialize;

use super::planning::load_site_week;
use crate::plan::{Meal, WeekData};

/// Which site-wide answer, beside the site and the week.
#[derive(Debug, Clone, Copy)]
pub enum SiteRead {
    /// A day (1 = Monday) of the plan, for one meal or both.
    DayPlan {
        day: u32,
        meal: Option<Meal>,
    },
    WeekPlan {
        meal: Option<Meal>,
    },
    ReportJson,
}

impl SiteRead {
    fn kind(self) -> &'static str {
        match self {
            SiteRead::DayPlan { .. } => "municipal.day-plan",
            SiteRead::WeekPlan { .. } => "municipal.week-plan",
            SiteRead::ReportJson => "municipal.report",
        }
    }

    fn variant(self) -> i64 {
        let code = |meal: Option<Meal>| match meal {
            None => 0,
            Some(Meal::Lunch) => 1,
            Some(Meal::Dinner) => 2,
        };
        match self {
            SiteRead::DayPlan { day, meal } => i64::from(day) * 10 + code(meal),
            SiteRead::WeekPlan { meal } => code(meal),
            SiteRead::ReportJson => 0,
        }
    }
}

/// The answer for `read` of the site's `week`, built by `build` from the loaded week when
/// memory has none that is still right.
pub async fn site_answer<T: Serialize>(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    week: IsoWeek,
    read: SiteRead,
    headers: &HeaderMap,
    build: impl FnOnce(&WeekData) -> T,
) -> Result<Response, AppError> {
    let tenant = tenant_of(caller)?;
    let key = AnswerKey {
        kind: read.kind(),
        parts: [
            site_id,
            i64::from(week.year),
            i64::from(week.week),
            read.variant(),
        ],
    };
    let cache = &state.answers;
    let ticket = cache.ticket();
    if let Some(ready) = cache.get(&key) {
        return Ok(ready.response(headers));
    }
    let data = load_site_week(state, caller, site_id, week).await?;
    let built = Built::json_digested(&build(&data), read.kind())
        .map_err(|error| AppError::Internal(error.to_string()))?;
    let scopes = [
        Scope::Tenant(tenant),
        Scope::SiteWeek {
            site: site_id,
            year: week.year,
            week: week.week,
        },
    ];
    let answer = cache.put(key, ticket, &scopes, LONGEST_FRESH, built);
    Ok(answer.response(headers))
}
