//! `cargo xtask dist`: the release build of the `galley` binary.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::util;

/// Where cargo puts build output for this workspace (`CARGO_TARGET_DIR` or `target/`).
pub fn target_dir(root: &Path) -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        // Cargo resolves a relative CARGO_TARGET_DIR against its working directory: the root.
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        None => {}
        // What `cargo xtask test` runs: the build, then the artefact started and asked.
        Some("--smoke") if args.len() == 1 => return smoke(root),
        Some(extra) => {
            return Err(format!(
                "`cargo xtask dist` takes only --smoke (got `{extra}`)"
            ));
        }
    }
    util::progress(1, 1, "release build of galley");
    let started = Instant::now();
    let binary = build(root)?;
    let size = fs::metadata(&binary)
        .map_err(|e| {
            format!(
                "the build succeeded but {} is not there: {e}",
                binary.display()
            )
        })?
        .len();
    println!();
    println!("built in {}", util::secs(started.elapsed()));
    println!("binary: {}", binary.display());
    println!("size:   {} ({size} bytes)", human_size(size));
    Ok(())
}

/// `cargo build --release -p galley --locked`; the binary's path.
pub fn build(root: &Path) -> Result<PathBuf, String> {
    let mut cmd = util::cargo();
    cmd.current_dir(root)
        .args(["build", "--release", "-p", "galley", "--locked"]);
    util::run_checked(&mut cmd, "the release build")?;
    Ok(target_dir(root)
        .join("release")
        .join(format!("galley{}", env::consts::EXE_SUFFIX)))
}

/// The `cargo xtask test` step: builds the release artefact and starts it as an operator
/// would (production settings, a fresh SQLite file, migrations on start), checks `/health`,
/// `/ready` and `/metrics`, and stops it with SIGTERM.
pub fn smoke(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    let binary = build(root)?;
    println!("    built in {}", util::secs(started.elapsed()));
    let dir = util::TempDir::new("galley-dist-smoke")?;
    let secret = crate::bench::seed::secret_key(&binary)?;
    let database = dir.path().join("galley.db");
    let log = dir.path().join("server.log");
    let server = crate::bench::server::Server::start(
        &binary,
        &database.display().to_string(),
        &secret,
        &log,
        &[],
    )?;
    let checks = [
        ("/ready", "\"status\""),
        ("/metrics", "galley_module_enabled"),
    ];
    let mut failed = None;
    for (path, expected) in checks {
        match crate::http::get(server.addr, path, std::time::Duration::from_secs(10)) {
            Ok(answer) if answer.status == 200 && answer.body_text().contains(expected) => {
                println!("    {path}: 200");
            }
            Ok(answer) => {
                failed = Some(format!(
                    "{path} answered {}: {}",
                    answer.status,
                    answer.body_text()
                ));
                break;
            }
            Err(error) => {
                failed = Some(format!("{path}: {error}"));
                break;
            }
        }
    }
    println!(
        "    started in {} ms, peak memory {}",
        server.cold_start.as_millis(),
        server
            .peak_rss_kib()
            .map_or("?".to_owned(), |kib| human_size(kib * 1024))
    );
    server.stop();
    match failed {
        Some(reason) => Err(format!(
            "the release binary {reason}\n{}",
            util::tail_of_file(&log, 20)
        )),
        None => Ok(()),
    }
}

/// Bytes in binary units with one decimal: `12.3 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(2048), "2.0 KiB");
        assert_eq!(human_size(13 * 1024 * 1024 + 300 * 1024), "13.3 MiB");
    }
}
