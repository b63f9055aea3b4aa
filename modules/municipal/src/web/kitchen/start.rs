//! Where each person's work starts (`Module::start_page`, asked by `/start` after sign-in):
//! department staff on the portal at the open week's card for today's weekday (this week's
//! own card while its choices are open, else the first week still open), cooks and viewers on
//! today's plan, admins on what needs attention. `/municipal` itself sends a signed-in person
//! to the same place; strangers (and a superuser outside any tenant) see the landing page.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use galley_core::auth::{Caller, Role};
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::people::api::tenant_of;
use galley_core::people::sites;
use galley_core::state::AppState;

use crate::api::access::own_department;
use crate::web::portal::view::{day_anchor, week_param};

/// The portal, for department staff whose department cannot be found (it answers why).
const PORTAL: &str = "/municipal/portal";
pub const PLAN: &str = "/municipal/kitchen/plan";
pub const ATTENTION: &str = "/municipal/admin/attention";

/// How far ahead to look for a week whose choices are still open.
const WEEKS_AHEAD: usize = 8;

/// The caller's start page in this module; None outside a tenant.
pub async fn start_page(state: &AppState, caller: &Caller) -> Option<String> {
    caller.tenant_id?;
    match caller.role {
        Role::Department => Some(match portal_today(state, caller).await {
            Ok(path) => path,
            Err(AppError::Forbidden(_) | AppError::NotFound) => PORTAL.to_owned(),
            Err(error) => {
                tracing::warn!(%error, "the department's start page could not be worked out");
                PORTAL.to_owned()
            }
        }),
        Role::Cook | Role::Viewer => Some(PLAN.to_owned()),
        Role::Admin => Some(ATTENTION.to_owned()),
        Role::Superuser => None,
    }
}

/// The first week from `this` whose choice deadline (by `deadline`) is still ahead of `now`.
pub fn first_open_week(
    this: IsoWeek,
    now: chrono::DateTime<chrono::Utc>,
    deadline: impl Fn(IsoWeek) -> chrono::DateTime<chrono::Utc>,
) -> IsoWeek {
    let mut week = this;
    for _ in 0..WEEKS_AHEAD {
        if now < deadline(week) {
            return week;
        }
        week = week.next();
    }
    week
}

/// `/municipal/portal?week=2026-W12#d-2026-12-3`: the open week, at today's weekday's card.
async fn portal_today(state: &AppState, caller: &Caller) -> Result<String, AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let department = own_department(conn, caller).await?;
    let site = sites::find(conn, tenant_of(caller)?, department.site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let zone = site.zone();
    let settings = crate::settings::load(conn, site.id).await?;
    let now = chrono::Utc::now();
    let today = now.with_timezone(&zone).date_naive();
    let week = first_open_week(IsoWeek::containing(today), now, |week| {
        settings.deadline(week, zone)
    });
    let weekday = today.weekday().number_from_monday();
    Ok(format!(
        "{PORTAL}?week={}#{}",
        week_param(week),
        day_anchor(week, weekday)
    ))
}

/// Middleware for the module's landing route: a signed-in person of a tenant goes to their
/// start page (through `/start`, which asks this module first), the rest see the landing.
pub async fn role_aware_start(request: Request, next: Next) -> Response {
    let signed_in = request
        .extensions()
        .get::<Caller>()
        .is_some_and(|caller| caller.tenant_id.is_some() && caller.role != Role::Superuser);
    if signed_in {
        Redirect::to("/start?module=municipal").into_response()
    } else {
        next.run(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    /// Deadline: Thursday 12:00 of the week before.
    fn thursday_before(week: IsoWeek) -> chrono::DateTime<chrono::Utc> {
        let thursday = week.monday() - chrono::Duration::days(4);
        chrono::Utc.from_utc_datetime(&thursday.and_hms_opt(12, 0, 0).unwrap())
    }

    #[test]
    fn the_open_week_is_the_first_whose_deadline_is_ahead() {
        // Tuesday 2026-03-17 (week 12): week 12 closed on 12 March, week 13 closes 19 March.
        let this = IsoWeek::new(2026, 12).unwrap();
        let open = first_open_week(this, at(2026, 3, 17, 9), thursday_before);
        assert_eq!(open, IsoWeek::new(2026, 13).unwrap());
        // Friday 2026-03-20: week 13 closed the day before, week 14 is open.
        let open = first_open_week(this, at(2026, 3, 20, 9), thursday_before);
        assert_eq!(open, IsoWeek::new(2026, 14).unwrap());
        // A deadline after the week's start keeps this week open.
        let open = first_open_week(this, at(2026, 3, 17, 9), |w| {
            thursday_before(w) + chrono::Duration::days(14)
        });
        assert_eq!(open, this);
    }
}
