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
    if let Some(extra) = args.first() {
        return Err(format!(
            "`cargo xtask dist` takes no arguments (got `{extra}`)"
        ));
    }
    util::progress(1, 1, "release build of galley");
    let started = Instant::now();
    let mut cmd = util::cargo();
    cmd.current_dir(root)
        .args(["build", "--release", "-p", "galley", "--locked"]);
    util::run_checked(&mut cmd, "the release build")?;
    let binary = target_dir(root)
        .join("release")
        .join(format!("galley{}", env::consts::EXE_SUFFIX));
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
