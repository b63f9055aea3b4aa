//! The module system: what a feature module declares, and the registry that finds them.
//!
//! Module crates implement [`Module`] for one unit struct and call [`register_module!`].
//! `inventory` collects the registrations at link time, so the app must reference every
//! module crate (`use galley_municipal as _;`), or the linker drops it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::Router;
use diesel_migrations::EmbeddedMigrations;

use crate::auth::Role;
use crate::db::{DbConn, DbError};
use crate::state::AppState;

/// The demo data set a module builds on: the demo tenant, its kitchen and its people.
#[derive(Debug, Clone)]
pub struct DemoContext {
    pub tenant_id: i64,
    pub site_id: i64,
    /// Each demo account's role and user id.
    pub users: Vec<(Role, i64)>,
    /// The demo password's hash, for the logins a module adds (see `Module::demo_logins`).
    pub password_hash: String,
}

/// The work of [`Module::seed_demo`], run inside the demo's transaction.
pub type DemoFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), DbError>> + Send + 'a>>;

/// The work of [`Module::before_setup_change`], run inside the write's transaction.
pub type SetupFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), DbError>> + Send + 'a>>;

/// The work of [`Module::menu_publish_findings`].
pub type FindingsFuture<'a> = std::pin::Pin<
    Box<
        dyn std::future::Future<
                Output = Result<Vec<crate::kitchen::preflight::PublishFinding>, DbError>,
            > + Send
            + 'a,
    >,
>;

/// The work of [`Module::audit_target_names`]: `(target_type, target_id, name)` triples.
pub type TargetNamesFuture<'a> =
    futures_util::future::BoxFuture<'a, Result<Vec<(String, String, String)>, DbError>>;

/// The work of [`Module::nav_badges`]: counts by navigation path.
pub type BadgeFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Vec<(&'static str, i64)>> + Send + 'a>>;

/// The work of [`Module::start_page`]: the address of the caller's job in this module.
pub type StartFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>> + Send + 'a>>;

/// A finer switch inside a module, such as `offshore.waste`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Feature {
    /// Dotted id: `{module}.{feature}`.
    pub id: &'static str,
    /// English title; pages translate `feature.{id}` where they show it.
    pub title: &'static str,
}

/// An entry in the navigation that pages build from the enabled modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavEntry {
    /// Translation key of the label.
    pub label_key: &'static str,
    /// Absolute path of the page.
    pub path: &'static str,
    /// The roles that see the entry; empty: everyone, signed in or not.
    pub roles: &'static [Role],
}

/// One (meal, slot) a module puts in its menus, such as municipal's (`lunch`, `alt1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenuSlot {
    pub meal: &'static str,
    pub slot: &'static str,
}

/// A module's migrations, one twin set per backend, kept in lockstep.
#[derive(Clone, Copy)]
pub struct MigrationSet {
    pub postgres: &'static EmbeddedMigrations,
    pub sqlite: &'static EmbeddedMigrations,
}

impl std::fmt::Debug for MigrationSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MigrationSet")
    }
}

/// What a feature module declares. Everything but the identity has a sensible default,
/// so a new module starts small and grows.
pub trait Module: Send + Sync + 'static {
    /// Stable id: the URL segment (`/api/v1/{id}`, `/{id}`) and the flag key.
    fn id(&self) -> &'static str;
    /// English title; pages translate `module.{id}.title`.
    fn title(&self) -> &'static str;
    /// The module crate's version (`env!("CARGO_PKG_VERSION")`).
    fn version(&self) -> &'static str;
    /// Finer features, each with an id prefixed by the module id.
    fn features(&self) -> &'static [Feature] {
        &[]
    }
    /// JSON API routes, mounted at `/api/v1/{id}` behind the module gate.
    /// `GET /api/v1/{id}` itself (the descriptor) is served by the platform.
    fn api_router(&self) -> Router<AppState> {
        Router::new()
    }
    /// Routes the module serves at platform paths, such as municipal's
    /// `/api/v1/sites/{site_id}/menus/import`; merged at the root, behind the module gate.
    /// Overlaps with other routes stop the start-up.
    fn platform_routes(&self) -> Router<AppState> {
        Router::new()
    }
    /// HTML routes, mounted at `/{id}` behind the module gate.
    fn html_router(&self) -> Router<AppState> {
        Router::new()
    }
    /// The module's own migrations; they run whether or not the module is enabled.
    fn migrations(&self) -> Option<MigrationSet> {
        None
    }
    /// Navigation entries shown while the module is enabled.
    fn navigation(&self) -> &'static [NavEntry] {
        &[]
    }
    /// The module's part of the OpenAPI document (paths under `/api/v1/{id}`).
    fn openapi(&self) -> utoipa::openapi::OpenApi {
        utoipa::openapi::OpenApiBuilder::new().build()
    }
    /// The (meal, slot) pairs this module's menus use; a site's menu accepts the slots of the
    /// modules enabled for it.
    fn menu_slots(&self) -> &'static [MenuSlot] {
        &[]
    }
    /// Adds the module's part of the local demo data set (menus, departments, ...), in the
    /// same transaction as the demo tenant and people.
    fn seed_demo<'a>(
        &'a self,
        _conn: &'a mut DbConn<'_>,
        _demo: &'a DemoContext,
    ) -> DemoFuture<'a> {
        Box::pin(async { Ok(()) })
    }
    /// Called inside the transaction of a write that changes a site's shared kitchen set-up
    /// (its diet types), before the change, so that the module can keep what the weeks that
    /// are over were planned with.
    fn before_setup_change<'a>(
        &'a self,
        _conn: &'a mut DbConn<'_>,
        _tenant_id: i64,
        _site_id: i64,
    ) -> SetupFuture<'a> {
        Box::pin(async { Ok(()) })
    }
    /// The logins this module's `seed_demo` makes, as (role, the e-mail's local part at the
    /// demo domain), so that start-up lists them and `galley demo` retires them.
    fn demo_logins(&self) -> &'static [(Role, &'static str)] {
        &[]
    }
    /// Counts to show beside this module's navigation entries for the signed-in person (unread
    /// messages, say), as (entry path, count). Asked on every page, so keep it to one cheap
    /// query; a failure should log and answer nothing rather than fail the page.
    fn nav_badges<'a>(
        &'a self,
        _state: &'a crate::state::AppState,
        _caller: &'a crate::auth::Caller,
    ) -> BadgeFuture<'a> {
        Box::pin(async { Vec::new() })
    }
    /// Where the signed-in caller's work starts in this module (a local path, perhaps with a
    /// query and a fragment), asked by `/start` after sign-in of the modules enabled for the
    /// caller, in registry order; the first answer wins. None: this module has no start page
    /// for the caller. A failure should log and answer a safe page or None.
    fn start_page<'a>(
        &'a self,
        _state: &'a crate::state::AppState,
        _caller: &'a crate::auth::Caller,
    ) -> StartFuture<'a> {
        Box::pin(async { None })
    }
    /// What a cook should look at before publishing this site's week menu (dishes whose
    /// allergens nobody stated, empty slots, ...), asked of the modules enabled for the site.
    /// Publishing is refused while there are findings, unless the cook confirms.
    fn menu_publish_findings<'a>(
        &'a self,
        _conn: &'a mut DbConn<'_>,
        _site_id: i64,
        _week: crate::kitchen::iso_week::IsoWeek,
        _items: &'a [crate::kitchen::menus::MenuItem],
    ) -> FindingsFuture<'a> {
        Box::pin(async { Ok(Vec::new()) })
    }
    /// Names for this module's audit targets on one page of the audit viewer: given the
    /// page's `(target_type, target_id)` pairs, answers `(target_type, target_id, name)` for
    /// the ones it knows (departments, say), in one query per page; the rest are left out.
    /// Only targets of `tenant_id`'s own are named when it is set.
    fn audit_target_names<'a>(
        &'a self,
        _conn: &'a mut DbConn<'_>,
        _tenant_id: Option<i64>,
        _targets: &'a [(String, String)],
    ) -> TargetNamesFuture<'a> {
        Box::pin(async { Ok(Vec::new()) })
    }
    /// Translation catalogues as `(language, TOML text)` pairs, merged into the platform's.
    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
}

/// One module's registration, submitted by [`register_module!`].
pub struct Registration(pub &'static dyn Module);

inventory::collect!(Registration);

/// Registers a module's unit struct with the platform.
///
/// ```ignore
/// pub struct Offshore;
/// impl galley_core::module::Module for Offshore { /* ... */ }
/// galley_core::register_module!(Offshore);
/// ```
#[macro_export]
macro_rules! register_module {
    ($module:expr) => {
        $crate::inventory::submit! {
            $crate::module::Registration(&$module)
        }
    };
}

/// Start-up refuses a registry that cannot be served.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RegistryError {
    #[error("two linked module crates both register the module id `{0}`")]
    DuplicateId(&'static str),
    #[error(
        "module id `{0}` is not valid: use lowercase letters, digits and `_`, starting with a letter"
    )]
    InvalidId(&'static str),
    #[error("feature `{feature}` of module `{module}` must start with `{module}.`")]
    FeaturePrefix {
        module: &'static str,
        feature: &'static str,
    },
}

/// The linked modules, sorted by id (inventory's own order is unspecified).
pub struct Registry {
    modules: Vec<&'static dyn Module>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.ids()).finish()
    }
}

impl Registry {
    /// Builds a registry from explicit modules; start-up uses [`Registry::linked`].
    pub fn from_modules(
        modules: impl IntoIterator<Item = &'static dyn Module>,
    ) -> Result<Self, RegistryError> {
        let mut by_id: BTreeMap<&'static str, &'static dyn Module> = BTreeMap::new();
        for module in modules {
            let id = module.id();
            if !is_valid_module_id(id) {
                return Err(RegistryError::InvalidId(id));
            }
            for feature in module.features() {
                let prefixed = feature
                    .id
                    .strip_prefix(id)
                    .is_some_and(|rest| rest.starts_with('.'));
                if !prefixed {
                    return Err(RegistryError::FeaturePrefix {
                        module: id,
                        feature: feature.id,
                    });
                }
            }
            if by_id.insert(id, module).is_some() {
                return Err(RegistryError::DuplicateId(id));
            }
        }
        Ok(Self {
            modules: by_id.into_values().collect(),
        })
    }

    /// The modules linked into this binary, checked once and shared for the process.
    pub fn linked() -> Result<&'static Registry, RegistryError> {
        static LINKED: OnceLock<Result<&'static Registry, RegistryError>> = OnceLock::new();
        let result = LINKED.get_or_init(|| {
            Registry::from_modules(inventory::iter::<Registration>.into_iter().map(|r| r.0))
                .map(|registry| &*Box::leak(Box::new(registry)))
        });
        result.clone()
    }

    pub fn modules(&self) -> &[&'static dyn Module] {
        &self.modules
    }

    pub fn ids(&self) -> Vec<&'static str> {
        self.modules.iter().map(|m| m.id()).collect()
    }

    pub fn get(&self, id: &str) -> Option<&'static dyn Module> {
        self.modules.iter().copied().find(|m| m.id() == id)
    }
}

fn is_valid_module_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && id.len() <= 40
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Named(&'static str);
    impl Module for Named {
        fn id(&self) -> &'static str {
            self.0
        }
        fn title(&self) -> &'static str {
            "Test"
        }
        fn version(&self) -> &'static str {
            "0.0.0"
        }
    }

    static ALPHA: Named = Named("alpha");
    static BETA: Named = Named("beta");
    static BETA_AGAIN: Named = Named("beta");
    static BAD: Named = Named("Bad-Id");

    #[test]
    fn registry_is_sorted_by_id() {
        let registry = Registry::from_modules([&BETA as &dyn Module, &ALPHA]).unwrap();
        assert_eq!(registry.ids(), vec!["alpha", "beta"]);
    }

    #[test]
    fn duplicate_id_is_refused() {
        let err = Registry::from_modules([&BETA as &dyn Module, &ALPHA, &BETA_AGAIN]).unwrap_err();
        assert!(matches!(err, RegistryError::DuplicateId("beta")), "{err}");
    }

    #[test]
    fn invalid_id_is_refused() {
        let err = Registry::from_modules([&BAD as &dyn Module]).unwrap_err();
        assert!(matches!(err, RegistryError::InvalidId("Bad-Id")));
    }
}
