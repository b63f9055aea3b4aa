//! Tools the test suite needs besides cargo, installed when missing so that a new machine
//! passes with the README's one command.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util;

/// A command-line tool and the Debian package that provides it.
pub struct Tool {
    command: &'static str,
    package: &'static str,
    why: &'static str,
}

/// What `cargo xtask test` needs.
pub const TOOLS: [Tool; 6] = [
    Tool {
        command: "promtool",
        package: "prometheus",
        why: "checks the /metrics exposition format",
    },
    Tool {
        command: "chromium",
        package: "chromium",
        why: "the browser of the end-to-end tests",
    },
    Tool {
        command: "chromedriver",
        package: "chromium-driver",
        why: "drives chromium for the end-to-end tests",
    },
    Tool {
        command: "gpg",
        package: "gnupg",
        why: "the backup scripts' encrypted off-site copy, in their test",
    },
    Tool {
        command: "sqlite3",
        package: "sqlite3",
        why: "the backup scripts' SQLite backups, in their test",
    },
    Tool {
        command: "pg_dump",
        package: "postgresql-client",
        why: "the backup scripts' PostgreSQL dumps and restore test, in their test",
    },
];

/// The load generator of the benchmarks.
const WRK: Tool = Tool {
    command: "wrk",
    package: "wrk",
    why: "drives the load benchmark",
};

/// What `cargo xtask bench` needs: the load generator.
pub const BENCH_TOOLS: [Tool; 1] = [WRK];

/// What `cargo xtask bench --scale` needs: the load generator and psql, which streams the
/// bulk rows into `COPY`.
pub const SCALE_TOOLS: [Tool; 2] = [
    WRK,
    Tool {
        command: "psql",
        package: "postgresql-client",
        why: "loads the scale benchmark's rows with COPY",
    },
];

/// What `cargo xtask deploy-check` needs. python3 (for the Kubernetes validator's venv) is
/// already a requirement of the schemathesis step.
pub const DEPLOY_TOOLS: [Tool; 4] = [
    Tool {
        command: "promtool",
        package: "prometheus",
        why: "checks and unit-tests the alert rules",
    },
    Tool {
        command: "nginx",
        package: "nginx",
        why: "`nginx -t` of the site",
    },
    Tool {
        command: "openssl",
        package: "openssl",
        why: "the self-signed certificate of the nginx check",
    },
    Tool {
        command: "systemd-analyze",
        package: "systemd",
        why: "verifies the systemd units",
    },
];

/// Installs the test suite's tools where missing.
pub fn ensure() -> Result<(), String> {
    ensure_all(&TOOLS)
}

/// Installs `tools` from Debian's packages where missing.
pub fn ensure_all(tools: &[Tool]) -> Result<(), String> {
    let missing: Vec<&Tool> = tools
        .iter()
        .filter(|tool| util::find_on_path(tool.command).is_none())
        .collect();
    if missing.is_empty() {
        println!(
            "    all present: {}",
            names(&tools.iter().collect::<Vec<_>>())
        );
        return Ok(());
    }
    let packages: Vec<&str> = missing.iter().map(|t| t.package).collect();
    for tool in &missing {
        println!(
            "    missing {} ({}): installing {}",
            tool.command, tool.why, tool.package
        );
    }
    if util::find_on_path("apt-get").is_none() || !is_root() {
        return Err(format!(
            "install {} (Debian packages: {}) and run again",
            names(&missing),
            packages.join(" ")
        ));
    }
    let mut update = Command::new("apt-get");
    update
        .args(["update", "-qq"])
        .env("DEBIAN_FRONTEND", "noninteractive");
    util::run_checked(&mut update, "apt-get update")?;
    let mut install = Command::new("apt-get");
    install
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&packages)
        .env("DEBIAN_FRONTEND", "noninteractive");
    util::run_checked(&mut install, "apt-get install")?;
    match missing
        .iter()
        .find(|t| util::find_on_path(t.command).is_none())
    {
        Some(tool) => Err(format!(
            "{} is still missing after installing {}",
            tool.command, tool.package
        )),
        None => Ok(()),
    }
}

fn names(tools: &[&Tool]) -> String {
    tools
        .iter()
        .map(|t| t.command)
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// A Python tool from PyPI at one pinned version, in its own venv under `out` (installed
/// unless it already is there at that version); the path of its program.
pub fn pip_tool(out: &Path, package: &str, version: &str) -> Result<PathBuf, String> {
    let venv = out.join("venv");
    let program = venv.join("bin").join(package);
    // Some tools print their version on stderr.
    let installed = Command::new(&program)
        .arg("--version")
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout).contains(version)
                || String::from_utf8_lossy(&o.stderr).contains(version)
        });
    if installed {
        println!("    {package} {version} present");
        return Ok(program);
    }
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    if !venv.join("bin").join("pip").exists() {
        let mut create = Command::new("python3");
        create.args(["-m", "venv"]).arg(&venv);
        util::run_checked(&mut create, "python3 -m venv")?;
    }
    let mut install = Command::new(venv.join("bin").join("pip"));
    install.args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("{package}=={version}"),
    ]);
    util::run_checked(&mut install, &format!("pip install {package}"))?;
    Ok(program)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_tests_get_chromium_and_its_driver_from_debian() {
        let package = |command: &str| {
            TOOLS
                .iter()
                .find(|t| t.command == command)
                .map(|t| t.package)
        };
        assert_eq!(package("chromium"), Some("chromium"));
        assert_eq!(package("chromedriver"), Some("chromium-driver"));
        assert_eq!(package("promtool"), Some("prometheus"));
    }
}
