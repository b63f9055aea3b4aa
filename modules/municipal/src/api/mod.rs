//! The municipal JSON API, mounted at `/api/v1/municipal` (plus the menu import at the
//! platform's menu path). Every handler admits its roles with one `Allowed<...>` guard and
//! confines every query to the caller's tenant; department users reach only their department.

pub mod access;
pub mod coverage;
pub mod departments;
pub mod import;
pub mod orders;
pub mod planning;
mod ready_site;
pub mod reports;
mod schemas;
pub mod settings;
pub mod week;

use axum::Router;
use galley_core::auth::Role;
use galley_core::state::AppState;
use utoipa::OpenApi;

galley_core::role_set!(
    /// A tenant's administrators: departments, diet defaults, schedules, site settings.
    Admins = [Role::Admin]
);
galley_core::role_set!(
    /// Kitchen staff who change things: menus, imports, the order checklist.
    KitchenStaff = [Role::Admin, Role::Cook]
);
galley_core::role_set!(
    /// Whoever may read a kitchen's plans, reports and set-up.
    KitchenReaders = [Role::Admin, Role::Cook, Role::Viewer]
);
galley_core::role_set!(
    /// Whoever may read a department's week: the kitchen, and the department itself.
    WeekReaders = [Role::Admin, Role::Cook, Role::Viewer, Role::Department]
);
galley_core::role_set!(
    /// Whoever may make a department's choices and marks (after the deadline: kitchen staff).
    WeekWriters = [Role::Admin, Role::Cook, Role::Department]
);

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(departments::router())
        .merge(settings::router())
        .merge(week::router())
        .merge(planning::router())
        .merge(reports::router())
        .merge(coverage::router())
        .merge(orders::router())
}

/// Routes at platform paths: the menu import belongs to the menus of a site.
pub fn platform_router() -> Router<AppState> {
    import::router()
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = departments::DepartmentsApi::openapi();
    doc.merge(settings::SettingsApi::openapi());
    doc.merge(week::WeekApi::openapi());
    doc.merge(planning::PlanningApi::openapi());
    doc.merge(reports::ReportsApi::openapi());
    doc.merge(coverage::CoverageApi::openapi());
    doc.merge(orders::OrdersApi::openapi());
    doc.merge(import::ImportApi::openapi());
    doc
}
