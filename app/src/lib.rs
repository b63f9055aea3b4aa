//! The `galley` application: links every module crate, serves the platform, and carries the
//! operator commands. The binary (`main.rs`) only calls [`main_entry`]; tests link this
//! library to get the same registry the binary has.

mod bench;
pub mod cli;
mod commands;
mod linked_modules;

use std::process::ExitCode;

use clap::Parser;
use galley_core::config::{LogFormat, Settings};
use galley_core::module::{Registry, RegistryError};
use galley_core::secret::SecretKey;
use galley_core::server::{self, StartError};
use galley_core::telemetry;

use cli::{AuditAction, Cli, Command, ModulesAction};
use commands::FlagChange;

/// The modules linked into this application, sorted by id.
pub fn registry() -> Result<&'static Registry, RegistryError> {
    Registry::linked()
}

/// Parses the command line, runs the command, and maps any error to one line on stderr.
pub async fn main_entry() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command.unwrap_or(Command::Serve)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), StartError> {
    if let Command::GenSecret = command {
        println!("{}", SecretKey::generate_hex());
        return Ok(());
    }
    let settings = Settings::load()?;
    let registry = registry()?;
    match command {
        Command::Serve => telemetry::init(&settings.log, settings.log_format),
        // Operator commands print their own results; only warnings belong on stderr.
        _ => telemetry::init("warn", LogFormat::Pretty),
    }
    match command {
        Command::Serve => server::serve(settings, registry).await,
        Command::Migrate => commands::migrate(&settings, registry).await,
        Command::Modules { action } => {
            let change = match action {
                ModulesAction::List => None,
                ModulesAction::Enable { name } => Some(FlagChange::Enable(name)),
                ModulesAction::Disable { name } => Some(FlagChange::Disable(name)),
            };
            commands::modules(&settings, registry, change).await
        }
        Command::CreateSuperuser {
            email,
            password_stdin,
        } => commands::create_superuser(&settings, registry, email, password_stdin).await,
        Command::Demo => commands::demo(&settings, registry).await,
        Command::Audit { action } => match action {
            AuditAction::Prune {
                older_than,
                dry_run,
            } => commands::audit_prune(&settings, registry, &older_than, dry_run).await,
        },
        Command::Backup { to } => commands::backup(&settings, registry, to).await,
        Command::CheckConfig => {
            for (key, value) in settings.describe() {
                println!("{key:<30} {value}");
            }
            Ok(())
        }
        Command::GenSecret => Ok(()),
        Command::SeedBench {
            departments,
            other_departments,
            diet_types,
            weeks,
            tenants,
            kitchens,
            no_answers,
        } => {
            let shape = galley_municipal::bench_data::Shape {
                departments_first: departments,
                departments_other: other_departments,
                diet_types,
                weeks,
                last_week: galley_core::kitchen::iso_week::IsoWeek::containing(
                    chrono::Utc::now().date_naive() + chrono::Duration::days(14),
                ),
                answers: !no_answers,
            };
            let what = bench::What {
                tenants: tenants.map(|n| n as usize),
                kitchens: usize::from(kitchens),
            };
            bench::seed(&settings, registry, shape, what).await
        }
    }
}
