//! Municipal: a central kitchen serving the departments of care homes (weekly menus with
//! Alt 1/Alt 2, special diets, portion counts, weekly reports).

pub mod api;
mod audit_names;
pub mod bench_data;
pub mod demo;
pub mod departments;
pub mod import;
pub mod orders;
pub mod plan;
pub mod preflight;
pub mod report;
pub mod schema;
pub mod settings;
pub mod web;
pub mod week;
pub mod words;

use axum::Router;
use galley_core::auth::{Caller, Role};
use galley_core::db::DbConn;
use galley_core::diesel_migrations::{self, EmbeddedMigrations, embed_migrations};
use galley_core::module::{
    DemoContext, DemoFuture, Feature, FindingsFuture, MenuSlot, MigrationSet, Module, NavEntry,
    SetupFuture, StartFuture,
};
use galley_core::state::AppState;

/// The municipal module's registration unit.
pub struct Municipal;

static POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/municipal/postgres");
static SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/municipal/sqlite");

impl Module for Municipal {
    fn id(&self) -> &'static str {
        "municipal"
    }

    fn title(&self) -> &'static str {
        "Municipal kitchen"
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn features(&self) -> &'static [Feature] {
        &[
            Feature {
                id: "municipal.menus",
                title: "Weekly menus with Alt 1 and Alt 2",
            },
            Feature {
                id: "municipal.diets",
                title: "Special diets",
            },
            Feature {
                id: "municipal.planning",
                title: "Kitchen planning",
            },
            Feature {
                id: "municipal.reports",
                title: "Weekly reports",
            },
        ]
    }

    fn api_router(&self) -> Router<AppState> {
        api::router()
    }

    fn platform_routes(&self) -> Router<AppState> {
        api::platform_router()
    }

    fn html_router(&self) -> Router<AppState> {
        web::router()
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        api::openapi()
    }

    fn migrations(&self) -> Option<MigrationSet> {
        Some(MigrationSet {
            postgres: &POSTGRES,
            sqlite: &SQLITE,
        })
    }

    fn navigation(&self) -> &'static [NavEntry] {
        // Named by what the person does there, the most used first: the phone's bottom bar
        // shows the first few. The module's landing (`/municipal`) is for strangers (the
        // platform hides it inside a tenant): it sends a signed-in person to their start page.
        const KITCHEN: &[Role] = &[Role::Admin, Role::Cook, Role::Viewer];
        &[
            NavEntry {
                label_key: "module.municipal.title",
                path: "/municipal",
                roles: &[],
            },
            NavEntry {
                label_key: "municipal.nav.attention",
                path: web::kitchen::start::ATTENTION,
                roles: &[Role::Admin],
            },
            NavEntry {
                label_key: "municipal.nav.portal",
                path: "/municipal/portal",
                roles: &[Role::Department],
            },
            NavEntry {
                label_key: "municipal.nav.plan",
                path: web::kitchen::start::PLAN,
                roles: KITCHEN,
            },
            NavEntry {
                label_key: "municipal.nav.menus",
                path: "/municipal/menus",
                roles: KITCHEN,
            },
            NavEntry {
                label_key: "municipal.nav.weeks",
                path: "/municipal/kitchen/weeks",
                roles: KITCHEN,
            },
            NavEntry {
                label_key: "municipal.nav.orders",
                path: "/municipal/orders",
                roles: KITCHEN,
            },
            NavEntry {
                label_key: "municipal.nav.import",
                path: "/municipal/menus/import",
                roles: &[Role::Admin, Role::Cook],
            },
            NavEntry {
                label_key: "municipal.nav.reports",
                path: "/municipal/kitchen/reports",
                roles: KITCHEN,
            },
            NavEntry {
                label_key: "municipal.nav.dishes",
                path: "/municipal/dishes",
                roles: KITCHEN,
            },
            NavEntry {
                label_key: "municipal.nav.admin",
                path: "/municipal/admin",
                roles: KITCHEN,
            },
            NavEntry {
                label_key: "municipal.nav.portal",
                path: "/municipal/portal",
                roles: KITCHEN,
            },
        ]
    }

    fn start_page<'a>(&'a self, state: &'a AppState, caller: &'a Caller) -> StartFuture<'a> {
        Box::pin(web::kitchen::start_page(state, caller))
    }

    fn menu_slots(&self) -> &'static [MenuSlot] {
        &[
            MenuSlot {
                meal: "lunch",
                slot: "alt1",
            },
            MenuSlot {
                meal: "lunch",
                slot: "alt2",
            },
            MenuSlot {
                meal: "lunch",
                slot: "dessert",
            },
            MenuSlot {
                meal: "dinner",
                slot: "main",
            },
        ]
    }

    fn seed_demo<'a>(&'a self, conn: &'a mut DbConn<'_>, demo: &'a DemoContext) -> DemoFuture<'a> {
        Box::pin(demo::seed(conn, demo))
    }

    fn before_setup_change<'a>(
        &'a self,
        conn: &'a mut DbConn<'_>,
        tenant_id: i64,
        site_id: i64,
    ) -> SetupFuture<'a> {
        Box::pin(plan::history::keep(conn, tenant_id, site_id))
    }

    fn menu_publish_findings<'a>(
        &'a self,
        conn: &'a mut DbConn<'_>,
        site_id: i64,
        week: galley_core::kitchen::iso_week::IsoWeek,
        items: &'a [galley_core::kitchen::menus::MenuItem],
    ) -> FindingsFuture<'a> {
        Box::pin(preflight::findings(conn, site_id, week, items))
    }

    fn audit_target_names<'a>(
        &'a self,
        conn: &'a mut DbConn<'_>,
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
            ("en", include_str!("../locales/portal.en.toml")),
            ("sv", include_str!("../locales/portal.sv.toml")),
            ("nb", include_str!("../locales/portal.nb.toml")),
            ("en", include_str!("../locales/kitchen.en.toml")),
            ("sv", include_str!("../locales/kitchen.sv.toml")),
            ("nb", include_str!("../locales/kitchen.nb.toml")),
            ("en", include_str!("../locales/admin.en.toml")),
            ("sv", include_str!("../locales/admin.sv.toml")),
            ("nb", include_str!("../locales/admin.nb.toml")),
            ("en", include_str!("../locales/menus.en.toml")),
            ("sv", include_str!("../locales/menus.sv.toml")),
            ("nb", include_str!("../locales/menus.nb.toml")),
            ("en", include_str!("../locales/dishes.en.toml")),
            ("sv", include_str!("../locales/dishes.sv.toml")),
            ("nb", include_str!("../locales/dishes.nb.toml")),
            ("en", include_str!("../locales/nav.en.toml")),
            ("sv", include_str!("../locales/nav.sv.toml")),
            ("nb", include_str!("../locales/nav.nb.toml")),
            ("en", include_str!("../locales/errors.en.toml")),
            ("sv", include_str!("../locales/errors.sv.toml")),
            ("nb", include_str!("../locales/errors.nb.toml")),
            ("en", include_str!("../locales/work.en.toml")),
            ("sv", include_str!("../locales/work.sv.toml")),
            ("nb", include_str!("../locales/work.nb.toml")),
        ]
    }
}

galley_core::register_module!(Municipal);
