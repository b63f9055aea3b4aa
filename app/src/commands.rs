//! The operator commands other than `serve`.

use galley_core::config::{FlagsSource, Settings};
use galley_core::db::{DbPool, catalog, migrate};
use galley_core::flags::FlagService;
use galley_core::module::Registry;
use galley_core::server::StartError;

pub async fn migrate(settings: &Settings, registry: &'static Registry) -> Result<(), StartError> {
    let applied = migrate::run_pending(&settings.database_url, registry)
        .await
        .map_err(|e| StartError::database(settings, &e))?;
    if applied.is_empty() {
        println!(
            "Nothing to apply: {} is up to date.",
            settings.database_url.masked()
        );
    } else {
        println!(
            "Applied {} migration(s) to {}:",
            applied.len(),
            settings.database_url.masked()
        );
        for migration in applied {
            println!("  {:<10} {}", migration.owner, migration.name);
        }
    }
    Ok(())
}

pub enum FlagChange {
    Enable(String),
    Disable(String),
}

pub async fn modules(
    settings: &Settings,
    registry: &'static Registry,
    change: Option<FlagChange>,
) -> Result<(), StartError> {
    let pool = DbPool::connect(&settings.database_url, 1)
        .await
        .map_err(|e| StartError::database(settings, &e))?;
    {
        let mut pooled = pool
            .get()
            .await
            .map_err(|e| StartError::database(settings, &e))?;
        let migrated = catalog::table_exists(&mut pooled.conn(), "module_flags")
            .await
            .map_err(|e| StartError::database(settings, &e))?;
        if !migrated {
            return Err(StartError::Database {
                url: settings.database_url.masked(),
                reason: "it is not migrated yet; run `galley migrate` first".into(),
            });
        }
    }
    let flags = FlagService::load(registry, pool, settings).await?;
    if let Some(change) = change {
        let (name, enabled) = match change {
            FlagChange::Enable(name) => (name, true),
            FlagChange::Disable(name) => (name, false),
        };
        let name = name.trim().to_ascii_lowercase();
        let actor = format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        );
        flags.set_global(&name, enabled, &actor).await?;
        println!(
            "{} {name} (global database flag). Running servers pick it up within seconds.",
            if enabled { "Enabled" } else { "Disabled" }
        );
        if settings.feature_flags_source == FlagsSource::Env {
            println!(
                "Note: FEATURE_FLAGS_SOURCE=env, so servers with this setting ignore database flags."
            );
        }
        println!();
    }
    print_table(&flags, registry, settings);
    Ok(())
}

fn print_table(flags: &FlagService, registry: &Registry, settings: &Settings) {
    let snapshot = flags.snapshot();
    println!(
        "{:<12} {:<8} {:<10} {:<22} SOURCE",
        "MODULE", "ENABLED", "VERSION", "TITLE"
    );
    for module in registry.modules() {
        let state = snapshot.state(module.id());
        println!(
            "{:<12} {:<8} {:<10} {:<22} {}",
            module.id(),
            if state.enabled { "yes" } else { "no" },
            module.version(),
            module.title(),
            state.source.describe()
        );
    }
    let source = match settings.feature_flags_source {
        FlagsSource::Db => {
            "FEATURE_FLAGS_SOURCE=db: database flags override DEFAULT_ENABLED_MODULES"
        }
        FlagsSource::Env => "FEATURE_FLAGS_SOURCE=env: database flags are ignored",
    };
    println!("\n{source}");
}
