//! The offshore JSON API, mounted at `/api/v1/offshore`. Every handler admits its roles with one
//! `Allowed<...>` guard and confines every query to the caller's tenant and the path's site.

pub mod crew;
pub mod cycle;
pub mod cycle_menus;
pub mod exceptions;
pub mod exports;
pub mod feed;
pub mod freezer;
pub mod me;
pub mod messages;
pub mod patterns;
pub mod portions;
pub mod prep;
pub mod schedule;
pub mod settings;
pub mod shifts;
pub mod shopping;
pub(crate) mod text;
pub mod waste;
pub mod waste_import;
pub mod waste_out;

use axum::Router;
use galley_core::auth::Role;
use galley_core::state::AppState;
use utoipa::OpenApi;

galley_core::role_set!(
    /// Who sets up the rota: settings, patterns, crew, generation, publishing, exceptions.
    RotaAdmins = [Role::Admin]
);
galley_core::role_set!(
    /// Galley staff who change the day's work: single shifts and swaps, the waste log and
    /// the portion guidelines.
    GalleyStaff = [Role::Admin, Role::Cook]
);
galley_core::role_set!(
    /// Whoever may read a galley's rota.
    GalleyReaders = [Role::Admin, Role::Cook, Role::Viewer]
);
galley_core::role_set!(
    /// Anyone signed in to a tenant: a person linked to crew reads their own shifts.
    TenantMembers = [Role::Admin, Role::Cook, Role::Viewer, Role::Department]
);

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(settings::router())
        .merge(patterns::router())
        .merge(crew::router())
        .merge(schedule::router())
        .merge(shifts::router())
        .merge(exceptions::router())
        .merge(me::router())
        .merge(waste::router())
        .merge(waste_import::router())
        .merge(portions::router())
        .merge(exports::router())
        .merge(cycle::router())
        .merge(cycle_menus::router())
        .merge(prep::router())
        .merge(freezer::router())
        .merge(messages::router())
        .merge(shopping::router())
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = settings::RotaSettingsApi::openapi();
    doc.merge(patterns::PatternsApi::openapi());
    doc.merge(crew::CrewApi::openapi());
    doc.merge(schedule::ScheduleApi::openapi());
    doc.merge(shifts::ShiftsApi::openapi());
    doc.merge(exceptions::ExceptionsApi::openapi());
    doc.merge(me::MeApi::openapi());
    doc.merge(waste::WasteApi::openapi());
    doc.merge(portions::PortionsApi::openapi());
    doc.merge(exports::ExportsApi::openapi());
    doc.merge(cycle::CycleApi::openapi());
    doc.merge(prep::PrepApi::openapi());
    doc.merge(freezer::FreezerApi::openapi());
    doc.merge(messages::MessagesApi::openapi());
    doc.merge(shopping::ShoppingApi::openapi());
    doc
}
