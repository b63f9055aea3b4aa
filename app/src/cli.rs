use clap::{Parser, Subcommand};

/// Galley: planning for kitchens that cook for others.
#[derive(Debug, Parser)]
#[command(name = "galley", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application and API (the default). Migrates first unless
    /// GALLEY_MIGRATE_ON_START=false.
    Serve,
    /// Apply the pending migrations of core and every linked module.
    Migrate,
    /// List, enable or disable modules (global database flags).
    Modules {
        #[command(subcommand)]
        action: ModulesAction,
    },
    /// Create a superuser (no tenant). Without flags it asks for the e-mail and password.
    CreateSuperuser {
        /// The superuser's e-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Read the password from standard input (one line), for automation.
        #[arg(long, requires = "email")]
        password_stdin: bool,
    },
    /// Recreate the local demo data set (one user per role, demo password) and print its logins.
    Demo,
    /// Audit-log maintenance.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Copy a SQLite database to FILE while the server keeps running (single-host installs;
    /// PostgreSQL is backed up with pg_dump: deploy/backup/galley-backup.sh).
    Backup {
        /// Where the copy goes; must not exist. It appears only once whole and checked.
        #[arg(value_name = "FILE")]
        to: std::path::PathBuf,
    },
    /// Print the effective configuration, secrets masked.
    CheckConfig,
    /// Print a new random SECRET_KEY (64 hex digits).
    GenSecret,
    /// Fill an EMPTY database with the load benchmark's data set and print what the benchmark
    /// needs as one JSON line (used by `cargo xtask bench`).
    #[command(hide = true)]
    SeedBench {
        /// Departments of the measured kitchen.
        #[arg(long, default_value_t = 200)]
        departments: usize,
        /// Departments of each of the two other kitchens.
        #[arg(long, default_value_t = 20)]
        other_departments: usize,
        #[arg(long, default_value_t = 15)]
        diet_types: usize,
        /// Weeks of menus, choices and marks (ending two weeks from now).
        #[arg(long, default_value_t = 104)]
        weeks: usize,
        /// Add this many tenants, each alike, to a database that may already hold some
        /// (without it: one tenant, and the database must be empty). Prints one JSON line per
        /// tenant added.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
        tenants: Option<u32>,
        /// Kitchens per tenant: the measured one and up to two smaller ones.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=3))]
        kitchens: u8,
        /// Leave department weeks, choices and marks out (`cargo xtask bench --scale` loads
        /// them with COPY).
        #[arg(long)]
        no_answers: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModulesAction {
    /// Show every linked module, whether it is enabled and where that comes from.
    List,
    /// Switch a module on for every tenant (a global database flag).
    Enable { name: String },
    /// Switch a module off for every tenant (a global database flag).
    Disable { name: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Delete audit rows older than an age (at least 30 days), 1000 rows per transaction, and
    /// record the prune itself as `audit.pruned`.
    Prune {
        /// How old a row must be to go: a number and `h`, `d` or `w`, e.g. 365d or 52w.
        #[arg(long, value_name = "AGE")]
        older_than: String,
        /// Only count what would go (and its oldest and newest time); change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}
