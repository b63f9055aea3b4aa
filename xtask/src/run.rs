//! `cargo xtask run [ARGS...]`: `cargo run -p galley -- serve ARGS`, local by default.

use std::env;
use std::path::Path;
use std::process::Command;

use crate::util;

/// The command that `cargo xtask run` hands over to.
pub fn command(root: &Path, args: &[String]) -> Command {
    let mut cmd = util::cargo();
    cmd.current_dir(root)
        .args(["run", "-p", "galley", "--", "serve"])
        .args(args);
    // Inherit the rest of the environment (DATABASE_URL, DEFAULT_ENABLED_MODULES, ...).
    if env::var_os("GALLEY_ENV").is_none() {
        cmd.env("GALLEY_ENV", "local");
    }
    cmd
}

/// Replaces this process with the server (on Unix), so Ctrl-C and exit codes reach it directly.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut cmd = command(root, args);
    let env_note = match env::var("GALLEY_ENV") {
        Ok(value) => format!("GALLEY_ENV={value}"),
        Err(_) => "GALLEY_ENV=local (default)".to_string(),
    };
    println!("==> {} [{env_note}]", util::display_command(&cmd));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = cmd.exec();
        Err(format!("could not start cargo: {err}"))
    }
    #[cfg(not(unix))]
    {
        util::run_checked(&mut cmd, "cargo run -p galley -- serve")
    }
}
