//! `cargo xtask migrate [ARGS...]`: `cargo run -p galley -- migrate ARGS`.

use std::path::Path;
use std::process::Command;

use crate::util;

/// The command that `cargo xtask migrate` runs.
pub fn command(root: &Path, args: &[String]) -> Command {
    let mut cmd = util::cargo();
    cmd.current_dir(root)
        .args(["run", "-p", "galley", "--", "migrate"])
        .args(args);
    cmd
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    println!("==> migrate");
    util::run_checked(&mut command(root, args), "galley migrate")
}
