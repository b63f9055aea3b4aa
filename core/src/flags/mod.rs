//! Which modules are switched on, live.
//!
//! Effective value (most specific wins): database flag > `DEFAULT_ENABLED_MODULES` > every
//! linked module. With `FEATURE_FLAGS_SOURCE=env` database flags are ignored. The gate reads a
//! snapshot that is replaced whole: at once on the instance that changed a flag, on other
//! instances through PostgreSQL `LISTEN/NOTIFY`, and everywhere by a periodic refresh, which
//! is the only channel on SQLite. A failed refresh keeps the last good snapshot.

mod listener;
mod repo;
mod snapshot;

pub mod api;

pub use repo::{FlagScope, StoredFlag};

/// Switches a module on or off for one site on purpose, inside the caller's transaction, as a
/// data set's seed does (the demo's rig galley uses the offshore module and not the municipal
/// one). Running instances pick it up at their next refresh.
pub async fn choose_for_site(
    conn: &mut crate::db::DbConn<'_>,
    module_id: &str,
    site_id: i64,
    enabled: bool,
    changed_by: &str,
) -> Result<(), DbError> {
    repo::upsert(
        conn,
        module_id,
        FlagScope::Site,
        site_id,
        enabled,
        changed_by,
    )
    .await
}
pub use snapshot::{FlagSnapshot, FlagSource, ModuleState, Scope};

use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::audit::{self, Actor, Entry};
use crate::config::{FlagsSource, Settings};
use crate::db::{DbError, DbPool};
use crate::module::Registry;

/// The PostgreSQL channel a flag change is announced on.
pub const NOTIFY_CHANNEL: &str = "galley_module_flags";

#[derive(Debug, thiserror::Error)]
pub enum FlagError {
    #[error("DEFAULT_ENABLED_MODULES names unknown module `{name}`; known modules: {known}")]
    UnknownDefault { name: String, known: String },
    #[error("unknown module `{name}`; known modules: {known}")]
    UnknownModule { name: String, known: String },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Refuses a `DEFAULT_ENABLED_MODULES` that names a module this binary does not have.
pub fn check_env_default(registry: &Registry, settings: &Settings) -> Result<(), FlagError> {
    let unknown = settings
        .default_enabled_modules
        .iter()
        .flatten()
        .find(|name| registry.get(name).is_none());
    match unknown {
        Some(name) => Err(FlagError::UnknownDefault {
            name: name.clone(),
            known: registry.ids().join(", "),
        }),
        None => Ok(()),
    }
}

/// One change of a flag.
#[derive(Debug, Clone)]
pub struct FlagChange<'a> {
    pub module_id: &'a str,
    pub scope: FlagScope,
    /// The tenant or site id; 0 for the global scope.
    pub scope_id: i64,
    /// `None` removes the override.
    pub enabled: Option<bool>,
    /// The tenant the change belongs to, for the audit log.
    pub tenant_id: Option<i64>,
}

/// Live module switches shared by every request of one instance.
#[derive(Clone)]
pub struct FlagService {
    inner: Arc<Inner>,
}

struct Inner {
    registry: &'static Registry,
    pool: DbPool,
    source: FlagsSource,
    env_defaults: Option<Vec<String>>,
    refresh_every: Duration,
    current: RwLock<Arc<FlagSnapshot>>,
}

impl std::fmt::Debug for FlagService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlagService")
            .field("snapshot", &self.snapshot())
            .finish()
    }
}

impl FlagService {
    /// Validates the env default against the registry and loads the first snapshot.
    pub async fn load(
        registry: &'static Registry,
        pool: DbPool,
        settings: &Settings,
    ) -> Result<Self, FlagError> {
        check_env_default(registry, settings)?;
        let service = Self {
            inner: Arc::new(Inner {
                registry,
                pool,
                source: settings.feature_flags_source,
                env_defaults: settings.default_enabled_modules.clone(),
                refresh_every: Duration::from_secs(settings.flags_refresh_secs),
                current: RwLock::new(Arc::new(FlagSnapshot::default())),
            }),
        };
        if let Err(error) = service.refresh().await {
            // Nothing good to keep yet: serve every module as switched off (never one the
            // database may have switched off) until a refresh succeeds.
            tracing::warn!(%error, "module flags unreadable at start-up; all modules off until the next refresh");
        }
        Ok(service)
    }

    /// The snapshot the gate reads; cheap (one `Arc` clone).
    pub fn snapshot(&self) -> Arc<FlagSnapshot> {
        match self.inner.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn is_enabled_in(&self, module_id: &str, scope: Scope) -> bool {
        self.snapshot().is_enabled_in(module_id, scope)
    }

    pub fn registry(&self) -> &'static Registry {
        self.inner.registry
    }

    /// Reloads database flags and swaps the snapshot in. On error the old snapshot stays.
    pub async fn refresh(&self) -> Result<(), DbError> {
        let stored = match self.inner.source {
            FlagsSource::Db => {
                let mut pooled = self.inner.pool.get().await?;
                repo::list_all(&mut pooled.conn()).await?
            }
            FlagsSource::Env => Vec::new(),
        };
        let snapshot = FlagSnapshot::build(
            self.inner.registry,
            self.inner.env_defaults.as_deref(),
            self.inner.source,
            &stored,
        );
        crate::http::metrics::record_module_states(&snapshot);
        let mut guard = match self.inner.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if **guard != snapshot {
            tracing::info!(enabled = ?snapshot.enabled_ids(), "module switches changed");
        }
        *guard = Arc::new(snapshot);
        Ok(())
    }

    /// Stores a global database flag from the command line, audited, and applies it. Returns
    /// the new platform-wide state of the module.
    pub async fn set_global(
        &self,
        module_id: &str,
        enabled: bool,
        changed_by: &str,
    ) -> Result<ModuleState, FlagError> {
        let change = FlagChange {
            module_id,
            scope: FlagScope::Global,
            scope_id: 0,
            enabled: Some(enabled),
            tenant_id: None,
        };
        self.change(&change, Actor::default(), changed_by).await?;
        Ok(self.snapshot().state(module_id))
    }

    /// Sets (or with `enabled: None` removes) a flag at one scope, writes the audit row in the
    /// same transaction, announces it to other instances and applies it here at once.
    pub async fn change(
        &self,
        change: &FlagChange<'_>,
        actor: Actor,
        changed_by: &str,
    ) -> Result<(), FlagError> {
        let module =
            self.inner
                .registry
                .get(change.module_id)
                .ok_or_else(|| FlagError::UnknownModule {
                    name: change.module_id.to_owned(),
                    known: self.inner.registry.ids().join(", "),
                })?;
        let mut pooled = self.inner.pool.get().await?;
        let conn = &mut pooled.conn();
        crate::transaction!(conn, |tx| {
            let before = repo::find(tx, module.id(), change.scope, change.scope_id)
                .await?
                .map(|row| row.enabled);
            match change.enabled {
                Some(enabled) => {
                    repo::upsert(
                        tx,
                        module.id(),
                        change.scope,
                        change.scope_id,
                        enabled,
                        changed_by,
                    )
                    .await?
                }
                None => repo::remove(tx, module.id(), change.scope, change.scope_id).await?,
            }
            let action = if change.enabled.is_some() {
                "module.switched"
            } else {
                "module.override_removed"
            };
            audit::record(
                tx,
                Entry::new(action, actor, change.tenant_id)
                    .target("module", module.id())
                    .details(serde_json::json!({
                        "scope": change.scope,
                        "scope_id": change.scope_id,
                        "enabled": { "from": before, "to": change.enabled },
                        "by": changed_by,
                    })),
            )
            .await?;
            repo::notify_change(tx, module.id()).await
        })?;
        drop(pooled);
        self.refresh().await?;
        Ok(())
    }

    /// Spawns the periodic refresh and, on PostgreSQL, the `LISTEN` task. Dropping the
    /// returned handle stops both.
    pub fn start_background(&self, database_url: &crate::db::DatabaseUrl) -> BackgroundTasks {
        let mut handles = vec![tokio::spawn(periodic_refresh(self.clone()))];
        if let (crate::db::DatabaseUrl::Postgres(url), FlagsSource::Db) =
            (database_url, self.inner.source)
        {
            handles.push(tokio::spawn(listener::listen(self.clone(), url.clone())));
        }
        BackgroundTasks(handles)
    }
}

async fn periodic_refresh(service: FlagService) {
    let mut ticker = tokio::time::interval(service.inner.refresh_every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        if let Err(error) = service.refresh().await {
            metrics::counter!("galley_module_flags_refresh_failures_total").increment(1);
            tracing::warn!(%error, "module flag refresh failed; keeping the last good snapshot");
        }
    }
}

/// Background tasks of a [`FlagService`]; aborted when dropped.
#[derive(Debug)]
pub struct BackgroundTasks(Vec<tokio::task::JoinHandle<()>>);

impl BackgroundTasks {
    /// Adds another task to stop with these.
    pub fn and(mut self, handle: tokio::task::JoinHandle<()>) -> Self {
        self.0.push(handle);
        self
    }
}

impl Drop for BackgroundTasks {
    fn drop(&mut self) {
        for handle in &self.0 {
            handle.abort();
        }
    }
}
