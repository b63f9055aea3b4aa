//! Offshore: rig galleys (crew rotations, menu cycles, prep and freezer lists, waste and
//! portion advice, messages). This crate registers the module; its domain lands in later
//! issues.

pub mod api;
mod audit_names;
pub mod cycle;
mod demo;
mod demo_day;
mod demo_galley;
mod demo_recipes;
pub mod export;
pub mod messages;
pub mod prep;
pub mod rota;
pub mod rotation;
mod schema;
mod web;

use axum::Router;
use galley_core::auth::{Caller, Role};
use galley_core::diesel_migrations::{self, EmbeddedMigrations, embed_migrations};
use galley_core::module::{Feature, MenuSlot, MigrationSet, Module, NavEntry, StartFuture};
use galley_core::state::AppState;

pub mod waste;

/// The offshore module's registration unit.
pub struct Offshore;

static POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/offshore/postgres");
static SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/offshore/sqlite");

impl Module for Offshore {
    fn id(&self) -> &'static str {
        "offshore"
    }

    fn title(&self) -> &'static str {
        "Offshore galley"
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn features(&self) -> &'static [Feature] {
        &[
            Feature {
                id: "offshore.rotations",
                title: "Crew rotations",
            },
            Feature {
                id: "offshore.menu_cycles",
                title: "Menu cycles",
            },
            Feature {
                id: "offshore.prep",
                title: "Prep and freezer lists",
            },
            Feature {
                id: "offshore.waste",
                title: "Waste log and portion advice",
            },
            Feature {
                id: "offshore.messages",
                title: "Messages",
            },
        ]
    }

    fn api_router(&self) -> Router<AppState> {
        api::router()
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        api::openapi()
    }

    fn html_router(&self) -> Router<AppState> {
        crate::web::router().merge(api::feed::router())
    }

    fn migrations(&self) -> Option<MigrationSet> {
        Some(MigrationSet {
            postgres: &POSTGRES,
            sqlite: &SQLITE,
        })
    }

    /// The galley's people start at today's board; department staff (crew linked to a login)
    /// at their own shifts.
    fn start_page<'a>(&'a self, _state: &'a AppState, caller: &'a Caller) -> StartFuture<'a> {
        let path = match (caller.tenant_id, caller.role) {
            (None, _) | (_, Role::Superuser) => None,
            (Some(_), Role::Department) => Some("/offshore/me".to_owned()),
            (Some(_), Role::Admin | Role::Cook | Role::Viewer) => {
                Some("/offshore/board".to_owned())
            }
        };
        Box::pin(async move { path })
    }

    fn navigation(&self) -> &'static [NavEntry] {
        // In the order of a galley's work: today, people, food, stock, waste, messages.
        &[
            NavEntry {
                label_key: "offshore.nav.board",
                path: "/offshore/board",
                roles: &[Role::Admin, Role::Cook, Role::Viewer],
            },
            NavEntry {
                label_key: "offshore.nav.rota",
                path: "/offshore/rota",
                roles: &[Role::Admin, Role::Cook, Role::Viewer],
            },
            NavEntry {
                label_key: "offshore.nav.crew",
                path: "/offshore/crew",
                roles: &[Role::Admin, Role::Cook, Role::Viewer],
            },
            NavEntry {
                label_key: "offshore.cycle.nav",
                path: "/offshore/cycle",
                roles: &[Role::Admin, Role::Cook, Role::Viewer],
            },
            NavEntry {
                label_key: "offshore.nav.recipes",
                path: "/offshore/recipes",
                roles: &[Role::Admin, Role::Cook, Role::Viewer],
            },
            NavEntry {
                label_key: "offshore.nav.shopping",
                path: "/offshore/shopping",
                roles: &[Role::Admin, Role::Cook, Role::Viewer],
            },
            NavEntry {
                label_key: "offshore.nav.prep",
                path: "/offshore/prep",
                roles: &[Role::Admin, Role::Cook, Role::Viewer],
            },
            NavEntry {
                label_key: "offshore.nav.freezer",
                path: "/offshore/freezer",
                roles: &[Role::Admin, Role::Cook, Role::Viewer],
            },
            NavEntry {
                label_key: "offshore.waste.nav",
                path: "/offshore/waste",
                roles: &[Role::Admin, Role::Cook, Role::Viewer],
            },
            NavEntry {
                label_key: "offshore.nav.messages",
                path: web::MESSAGES_PATH,
                roles: &[Role::Admin, Role::Cook, Role::Viewer, Role::Department],
            },
            NavEntry {
                label_key: "offshore.nav.mine",
                path: "/offshore/me",
                roles: &[Role::Admin, Role::Cook, Role::Viewer, Role::Department],
            },
        ]
    }

    fn menu_slots(&self) -> &'static [MenuSlot] {
        cycle::MENU_SLOTS
    }

    fn seed_demo<'a>(
        &'a self,
        conn: &'a mut galley_core::db::DbConn<'_>,
        demo: &'a galley_core::module::DemoContext,
    ) -> galley_core::module::DemoFuture<'a> {
        Box::pin(demo::seed(conn, demo))
    }

    fn demo_logins(&self) -> &'static [(Role, &'static str)] {
        demo::LOGINS
    }

    fn nav_badges<'a>(
        &'a self,
        state: &'a AppState,
        caller: &'a galley_core::auth::Caller,
    ) -> galley_core::module::BadgeFuture<'a> {
        Box::pin(web::messages::unread_badge(state, caller))
    }

    fn audit_target_names<'a>(
        &'a self,
        conn: &'a mut galley_core::db::DbConn<'_>,
        tenant_id: Option<i64>,
        targets: &'a [(String, String)],
    ) -> galley_core::module::TargetNamesFuture<'a> {
        Box::pin(audit_names::names(conn, tenant_id, targets))
    }

    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("en", include_str!("../locales/en.toml")),
            ("sv", include_str!("../locales/sv.toml")),
            ("nb", include_str!("../locales/nb.toml")),
            ("en", include_str!("../locales/audit.en.toml")),
            ("sv", include_str!("../locales/audit.sv.toml")),
            ("nb", include_str!("../locales/audit.nb.toml")),
        ]
    }
}

galley_core::register_module!(Offshore);
