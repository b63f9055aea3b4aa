//! `cargo xtask deploy-check`: the deploy kit's static checks, also a step of `cargo xtask
//! test`. Each check says in its own file what it proves and what it does not; none of them
//! starts a service. Every check runs even when an earlier one failed, so one run lists every
//! problem.

mod k8s;
pub mod metric_names;
mod nginx;
mod prometheus;
mod promql;
mod systemd;

use std::path::Path;
use std::time::Instant;

use crate::{migration_lint, tools, util};

pub const USAGE: &str = "usage: cargo xtask deploy-check
  The deploy kit's static checks (docs/operations.md, \"Checks of the deploy kit\"):
  migration lint, the metric list against the code, promtool check/test rules on
  deploy/prometheus, the Grafana dashboard's queries, nginx -t of deploy/nginx/galley.conf,
  systemd-analyze verify of deploy/systemd, the Kubernetes manifests in deploy/k8s against
  the Kubernetes schemas (kubernetes-validate, installed into target/deploy-check/venv).
  Installs nginx, prometheus (promtool), openssl and systemd from Debian when missing.";

type Check = fn(&Path) -> Result<(), String>;

const CHECKS: [(&str, Check); 7] = [
    ("migration lint", migration_lint::lint_tree),
    ("metric list", metric_names::check_against_code),
    ("alert rules", prometheus::check_rules),
    ("Grafana dashboard", prometheus::check_dashboard),
    ("nginx -t", nginx::check),
    ("systemd-analyze verify", systemd::check),
    ("Kubernetes manifests", k8s::check),
];

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    if !util::no_arguments(args, USAGE)? {
        return Ok(());
    }
    check_all(root)
}

pub fn check_all(root: &Path) -> Result<(), String> {
    tools::ensure_all(&tools::DEPLOY_TOOLS)?;
    let mut failed = Vec::new();
    for (name, check) in CHECKS {
        println!("    -- {name}");
        let started = Instant::now();
        match check(root) {
            Ok(()) => println!("    ok: {name} ({})", util::secs(started.elapsed())),
            Err(e) => {
                eprintln!("    FAILED: {name}\n{}", util::indent(&e, "    "));
                failed.push(name);
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "deploy checks failed: {} (details above)",
            failed.join(", ")
        ))
    }
}
