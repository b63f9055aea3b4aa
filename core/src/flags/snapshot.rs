use std::collections::BTreeMap;

use serde::Serialize;

use super::repo::StoredFlag;
use crate::config::FlagsSource;
use crate::module::Registry;

/// Where a module's effective value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagSource {
    /// A database flag.
    Database,
    /// `DEFAULT_ENABLED_MODULES`.
    Env,
    /// `DEFAULT_ENABLED_MODULES` is unset: every linked module is on.
    Default,
}

impl FlagSource {
    pub fn describe(self) -> &'static str {
        match self {
            FlagSource::Database => "database flag",
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

/// The effective state of every linked module at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagSnapshot {
    modules: BTreeMap<&'static str, ModuleState>,
}

impl FlagSnapshot {
    pub fn build(
        registry: &Registry,
        env_defaults: Option<&[String]>,
        source: FlagsSource,
        stored: &[StoredFlag],
    ) -> Self {
        let modules = registry
            .modules()
            .iter()
            .map(|module| {
                let id = module.id();
                let from_db = (source == FlagsSource::Db)
                    .then(|| stored.iter().find(|flag| flag.module_id == id))
                    .flatten();
                let state = match (from_db, env_defaults) {
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
                (id, state)
            })
            .collect();
        Self { modules }
    }

    /// Unknown ids are disabled: the gate treats them like an unknown path.
    pub fn is_enabled(&self, module_id: &str) -> bool {
        self.modules.get(module_id).is_some_and(|s| s.enabled)
    }

    pub fn state(&self, module_id: &str) -> ModuleState {
        self.modules.get(module_id).copied().unwrap_or(ModuleState {
            enabled: false,
            source: FlagSource::Default,
        })
    }

    pub fn enabled_ids(&self) -> Vec<&'static str> {
        self.modules
            .iter()
            .filter(|(_, s)| s.enabled)
            .map(|(id, _)| *id)
            .collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, ModuleState)> + '_ {
        self.modules.iter().map(|(id, state)| (*id, *state))
    }
}
