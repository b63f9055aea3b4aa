use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::repo::StoredFlag;
use crate::config::FlagsSource;
use crate::module::Registry;

/// Where a module's effective value came from, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagSource {
    /// An override for the caller's site.
    Site,
    /// An override for the caller's tenant.
    Tenant,
    /// The global database flag.
    Database,
    /// `DEFAULT_ENABLED_MODULES`.
    Env,
    /// `DEFAULT_ENABLED_MODULES` is unset: every linked module is on.
    Default,
}

impl FlagSource {
    pub fn describe(self) -> &'static str {
        match self {
            FlagSource::Site => "site override",
            FlagSource::Tenant => "tenant override",
            FlagSource::Database => "global database flag",
            FlagSource::Env => "DEFAULT_ENABLED_MODULES",
            FlagSource::Default => "default (DEFAULT_ENABLED_MODULES unset: all modules)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ModuleState {
    pub enabled: bool,
    pub source: FlagSource,
}

/// Whose view of the switches: the caller's tenant and site (both `None` for anonymous
/// requests and platform-wide questions).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    pub tenant_id: Option<i64>,
    pub site_id: Option<i64>,
}

impl Scope {
    pub const GLOBAL: Scope = Scope {
        tenant_id: None,
        site_id: None,
    };
}

/// The state of every switch at one moment: the platform-wide value of each module, and the
/// tenant and site overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagSnapshot {
    modules: BTreeMap<&'static str, ModuleState>,
    tenants: HashMap<(&'static str, i64), bool>,
    sites: HashMap<(&'static str, i64), bool>,
}

impl FlagSnapshot {
    pub fn build(
        registry: &Registry,
        env_defaults: Option<&[String]>,
        source: FlagsSource,
        stored: &[StoredFlag],
    ) -> Self {
        // With FEATURE_FLAGS_SOURCE=env no database flag counts, at any scope.
        let stored: &[StoredFlag] = if source == FlagsSource::Db {
            stored
        } else {
            &[]
        };
        let mut snapshot = FlagSnapshot::default();
        for module in registry.modules() {
            let id = module.id();
            let global = stored
                .iter()
                .find(|flag| flag.module_id == id && flag.scope == "global");
            let state = match (global, env_defaults) {
                (Some(flag), _) => ModuleState {
                    enabled: flag.enabled,
                    source: FlagSource::Database,
                },
                (None, Some(list)) => ModuleState {
                    enabled: list.iter().any(|name| name == id),
                    source: FlagSource::Env,
                },
                (None, None) => ModuleState {
                    enabled: true,
                    source: FlagSource::Default,
                },
            };
            snapshot.modules.insert(id, state);
            for flag in stored.iter().filter(|flag| flag.module_id == id) {
                match flag.scope.as_str() {
                    "tenant" => {
                        snapshot.tenants.insert((id, flag.scope_id), flag.enabled);
                    }
                    "site" => {
                        snapshot.sites.insert((id, flag.scope_id), flag.enabled);
                    }
                    _ => {}
                }
            }
        }
        snapshot
    }

    /// Unknown ids are disabled: the gate treats them like an unknown path.
    pub fn is_enabled(&self, module_id: &str) -> bool {
        self.state(module_id).enabled
    }

    /// Whether the module is on for someone in `scope`: site override, else tenant override,
    /// else the platform-wide value.
    pub fn is_enabled_in(&self, module_id: &str, scope: Scope) -> bool {
        self.state_in(module_id, scope).enabled
    }

    /// The platform-wide state of a module.
    pub fn state(&self, module_id: &str) -> ModuleState {
        self.state_in(module_id, Scope::GLOBAL)
    }

    pub fn state_in(&self, module_id: &str, scope: Scope) -> ModuleState {
        let Some((id, global)) = self.modules.get_key_value(module_id) else {
            return ModuleState {
                enabled: false,
                source: FlagSource::Default,
            };
        };
        let site = scope.site_id.and_then(|site| self.sites.get(&(*id, site)));
        let tenant = scope
            .tenant_id
            .and_then(|tenant| self.tenants.get(&(*id, tenant)));
        match (site, tenant) {
            (Some(enabled), _) => ModuleState {
                enabled: *enabled,
                source: FlagSource::Site,
            },
            (None, Some(enabled)) => ModuleState {
                enabled: *enabled,
                source: FlagSource::Tenant,
            },
            (None, None) => *global,
        }
    }

    /// Modules on platform-wide.
    pub fn enabled_ids(&self) -> Vec<&'static str> {
        self.modules
            .iter()
            .filter(|(_, s)| s.enabled)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Platform-wide state of each module.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, ModuleState)> + '_ {
        self.modules.iter().map(|(id, state)| (*id, *state))
    }
}
