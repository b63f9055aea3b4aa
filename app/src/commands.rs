//! The operator commands other than `serve`.

use galley_core::audit::Actor;
use galley_core::audit::query as audit_query;
use galley_core::config::{FlagsSource, Settings};
use galley_core::db::{DbError, DbPool, migrate};
use galley_core::flags::FlagService;
use galley_core::module::Registry;
use galley_core::people::accounts;
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

/// Opens a one-connection pool on a database with every migration applied, or says what to
/// do: operator commands must not write to a schema the binary does not expect.
async fn migrated_pool(settings: &Settings, registry: &Registry) -> Result<DbPool, StartError> {
    let failed = |e: DbError| StartError::database(settings, &e);
    let pool = DbPool::connect(&settings.database_url, 1)
        .await
        .map_err(failed)?;
    let mut pooled = pool.get().await.map_err(failed)?;
    let pending = migrate::pending_versions(&mut pooled.conn(), registry)
        .await
        .map_err(failed)?;
    drop(pooled);
    if pending.is_empty() {
        Ok(pool)
    } else {
        Err(StartError::Database {
            url: settings.database_url.masked(),
            reason: format!(
                "{} migration(s) are not applied yet; run `galley migrate` first",
                pending.len()
            ),
        })
    }
}

pub async fn create_superuser(
    settings: &Settings,
    registry: &Registry,
    email: Option<String>,
    password_stdin: bool,
) -> Result<(), StartError> {
    let (email, password) = match (email, password_stdin) {
        (Some(email), true) => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| StartError::Command(format!("cannot read the password: {e}")))?;
            (email, line.trim_end_matches(['\r', '\n']).to_owned())
        }
        (email, _) => {
            let email = match email {
                Some(email) => email,
                None => prompt("E-mail: ")?,
            };
            let password = rpassword::prompt_password("Password (12+ characters): ")
                .map_err(|e| StartError::Command(format!("cannot read the password: {e}")))?;
            let again = rpassword::prompt_password("Password again: ")
                .map_err(|e| StartError::Command(format!("cannot read the password: {e}")))?;
            if password != again {
                return Err(StartError::Command("the passwords differ".into()));
            }
            (email, password)
        }
    };
    let pool = migrated_pool(settings, registry).await?;
    let mut pooled = pool
        .get()
        .await
        .map_err(|e| StartError::database(settings, &e))?;
    let id = accounts::create_superuser(&mut pooled.conn(), &email, &password)
        .await
        .map_err(|e| StartError::Command(e.to_string()))?;
    println!(
        "Created superuser {} (id {id}).",
        email.trim().to_lowercase()
    );
    Ok(())
}

fn prompt(label: &str) -> Result<String, StartError> {
    use std::io::Write;
    print!("{label}");
    std::io::stdout().flush().ok();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| StartError::Command(format!("cannot read input: {e}")))?;
    Ok(line.trim().to_owned())
}

pub async fn demo(settings: &Settings, registry: &Registry) -> Result<(), StartError> {
    if !settings.env.is_local() {
        return Err(StartError::Command(
            "demo data exists only in GALLEY_ENV=local".into(),
        ));
    }
    let pool = migrated_pool(settings, registry).await?;
    let mut pooled = pool
        .get()
        .await
        .map_err(|e| StartError::database(settings, &e))?;
    let logins = accounts::recreate_demo(&mut pooled.conn(), registry)
        .await
        .map_err(|e| StartError::Command(e.to_string()))?;
    println!("Demo logins (password: {}):", accounts::DEMO_PASSWORD);
    for login in logins {
        println!("  {:<11} {}", login.role.as_str(), login.email);
    }
    Ok(())
}

/// Rows deleted per transaction: short transactions keep writers moving while a prune runs.
const PRUNE_CHUNK: i64 = 1000;

pub async fn audit_prune(
    settings: &Settings,
    registry: &Registry,
    older_than: &str,
    dry_run: bool,
) -> Result<(), StartError> {
    let age = audit_query::retention(older_than)
        .map_err(|reason| StartError::Command(format!("--older-than: {reason}")))?;
    let cutoff = audit_query::cutoff(age)
        .ok_or_else(|| StartError::Command(format!("--older-than: {older_than} is too long")))?;
    let pool = migrated_pool(settings, registry).await?;
    let failed = |e: DbError| StartError::database(settings, &e);
    let mut pooled = pool.get().await.map_err(failed)?;
    let conn = &mut pooled.conn();
    let before = audit_query::rfc3339(cutoff);
    if dry_run {
        let summary = audit_query::older_than(conn, cutoff)
            .await
            .map_err(failed)?;
        match (summary.oldest, summary.newest) {
            (Some(oldest), Some(newest)) if summary.rows > 0 => println!(
                "Dry run: {} audit row(s) from before {before} would be deleted \
                 (oldest {}, newest {}). Nothing was changed.",
                summary.rows,
                audit_query::rfc3339(oldest),
                audit_query::rfc3339(newest),
            ),
            _ => println!("Dry run: no audit rows from before {before}; nothing would be deleted."),
        }
        return Ok(());
    }
    println!("Deleting audit rows from before {before}, {PRUNE_CHUNK} per transaction.");
    let details = serde_json::json!({ "older_than": older_than, "by": cli_actor() });
    let total = audit_query::prune(
        conn,
        cutoff,
        PRUNE_CHUNK,
        Actor::default(),
        details,
        |deleted, total| println!("  deleted {deleted} row(s), {total} so far"),
    )
    .await
    .map_err(failed)?;
    if total == 0 {
        println!("Nothing to prune: no audit rows from before {before}.");
    } else {
        println!("Pruned {total} audit row(s) from before {before}; recorded as audit.pruned.");
    }
    Ok(())
}

/// `galley backup FILE`: SQLite's online copy, checked, then named (`db::backup`).
pub async fn backup(
    settings: &Settings,
    registry: &Registry,
    to: std::path::PathBuf,
) -> Result<(), StartError> {
    let galley_core::db::DatabaseUrl::Sqlite(source) = settings.database_url.clone() else {
        return Err(StartError::Command(
            "galley backup copies a SQLite database; back up PostgreSQL with pg_dump \
             (deploy/backup/galley-backup.sh, docs/operations.md section 10)"
                .to_owned(),
        ));
    };
    // A copy of a database this binary cannot read back would be no backup.
    drop(migrated_pool(settings, registry).await?);
    println!("Copying {source} to {} ...", to.display());
    let target = to.clone();
    let report = tokio::task::spawn_blocking(move || {
        galley_core::db::backup::sqlite_online_backup(&source, &target)
    })
    .await
    .map_err(|e| StartError::Command(format!("the backup stopped: {e}")))?
    .map_err(|e| StartError::Command(format!("backup to {}: {e}", to.display())))?;
    println!(
        "Backed up to {}: {} bytes, {} tables, {} migrations; integrity check ok.",
        to.display(),
        report.bytes,
        report.tables,
        report.migrations
    );
    Ok(())
}

/// Who ran an operator command, for the record.
fn cli_actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
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
    let pool = migrated_pool(settings, registry).await?;
    let flags = FlagService::load(registry, pool, settings).await?;
    if let Some(change) = change {
        let (name, enabled) = match change {
            FlagChange::Enable(name) => (name, true),
            FlagChange::Disable(name) => (name, false),
        };
        let name = name.trim().to_ascii_lowercase();
        flags.set_global(&name, enabled, &cli_actor()).await?;
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
