//! The `galley` binary: serves the platform with every linked module, and carries the
//! operator commands.

mod cli;
mod commands;
mod linked_modules;

use std::process::ExitCode;

use clap::Parser;
use galley_core::config::{LogFormat, Settings};
use galley_core::module::Registry;
use galley_core::secret::SecretKey;
use galley_core::server::{self, StartError};
use galley_core::telemetry;

use cli::{Cli, Command, ModulesAction};
use commands::FlagChange;

#[tokio::main]
async fn main() -> ExitCode {
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
    match command {
        Command::Serve => telemetry::init(&settings.log, settings.log_format),
        // Operator commands print their own results; only warnings belong on stderr.
        _ => telemetry::init("warn", LogFormat::Pretty),
    }
    let registry = Registry::linked()?;
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
        Command::CheckConfig => {
            for (key, value) in settings.describe() {
                println!("{key:<30} {value}");
            }
            Ok(())
        }
        Command::GenSecret => Ok(()),
    }
}
