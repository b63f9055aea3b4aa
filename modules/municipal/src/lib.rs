//! Municipal: a central kitchen serving the departments of care homes (weekly menus with
//! Alt 1/Alt 2, special diets, portion counts, weekly reports). This crate registers the module;
//! its domain lands in later issues.

use axum::Router;
use galley_core::diesel_migrations::{self, EmbeddedMigrations, embed_migrations};
use galley_core::module::{Feature, MigrationSet, Module, NavEntry};
use galley_core::state::AppState;
use galley_core::web;

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

    fn html_router(&self) -> Router<AppState> {
        web::module_landing(&Municipal)
    }

    fn migrations(&self) -> Option<MigrationSet> {
        Some(MigrationSet {
            postgres: &POSTGRES,
            sqlite: &SQLITE,
        })
    }

    fn navigation(&self) -> &'static [NavEntry] {
        &[NavEntry {
            label_key: "module.municipal.title",
            path: "/municipal",
        }]
    }

    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("en", include_str!("../locales/en.toml")),
            ("sv", include_str!("../locales/sv.toml")),
        ]
    }
}

galley_core::register_module!(Municipal);
