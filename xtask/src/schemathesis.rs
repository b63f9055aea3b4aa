//! `cargo xtask schemathesis`: tests the API against its own OpenAPI document. Installs a pinned
//! schemathesis into a venv under the target dir, starts the galley binary on a loopback port
//! with the benchmark's data set (`galley seed-bench`: a tenant, kitchens, an admin and an API
//! token) on a fresh SQLite file and then a fresh PostgreSQL database, and runs schemathesis with
//! that token. Every answer must be documented (status, content type, schema) and none a 5xx.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::bench::{seed, server::Server};
use crate::{dist, postgres, tools, util};

pub const USAGE: &str = "usage: cargo xtask schemathesis [--sqlite-only | --postgres-only]
  Runs schemathesis (installed into target/schemathesis/venv) against a galley server on
  127.0.0.1 with a fresh database on SQLite and on PostgreSQL (TEST_DATABASE_URL, default
  postgresql://postgres@127.0.0.1:5432/postgres; a database `galley_schemathesis` is dropped and
  made there). Reports go to target/schemathesis/.";

/// The pinned version: a newer one may generate other cases and find other things, which is a
/// change to make on purpose.
const VERSION: &str = "4.32.5";

/// Cases per operation and phase: under a minute a backend on two cores (about 6,700 cases).
const MAX_EXAMPLES: &str = "50";

/// A fixed seed, so that a failure is found again by the next run.
const SEED: &str = "20261205";

const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_schema_conformance";

/// Revoking a token would revoke the run's own credential and turn the rest of the run into
/// 401s; its 204/404/409 answers are covered by the API tests.
const EXCLUDED_PATHS: [&str; 1] = ["/api/v1/tokens/{id}"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut backends = vec![Backend::Sqlite, Backend::Postgres];
    for arg in args {
        match arg.as_str() {
            "--sqlite-only" => backends = vec![Backend::Sqlite],
            "--postgres-only" => backends = vec![Backend::Postgres],
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    let out = dist::target_dir(root).join("schemathesis");
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let schemathesis = tools::pip_tool(&out, "schemathesis", VERSION)?;

    let mut build = util::cargo();
    build
        .current_dir(root)
        .args(["build", "-p", "galley", "--locked"]);
    util::run_checked(&mut build, "the build of galley")?;
    let binary = dist::target_dir(root).join("debug").join("galley");

    for backend in backends {
        let started = Instant::now();
        match backend {
            Backend::Sqlite => {
                println!("    schemathesis on SQLite");
                let url = seed::fresh_sqlite(&out)?;
                run_against(&schemathesis, &binary, &out, "sqlite", &url)?;
            }
            Backend::Postgres => {
                println!("    schemathesis on PostgreSQL");
                let wanted = postgres::test_database_url();
                let mut throwaway = None;
                let base = match postgres::check_reachable(&wanted) {
                    Ok(()) => wanted,
                    Err(reason) => {
                        println!("    not reachable: {reason}");
                        let cluster = postgres::Throwaway::start(root)?;
                        let url = cluster.url().to_owned();
                        throwaway = Some(cluster);
                        url
                    }
                };
                let result = seed::fresh_postgres_named(&base, "galley_schemathesis")
                    .and_then(|url| run_against(&schemathesis, &binary, &out, "postgres", &url));
                if let Some(cluster) = throwaway.as_mut() {
                    cluster.stop()?;
                }
                result?;
            }
        }
        println!("    passed in {}", util::secs(started.elapsed()));
    }
    Ok(())
}

fn run_against(
    schemathesis: &Path,
    binary: &Path,
    out: &Path,
    name: &str,
    database_url: &str,
) -> Result<(), String> {
    let secret = seed::secret_key(binary)?;
    println!("    seeding the data set");
    let data = seed::seed(binary, database_url, &secret)?;
    let log = out.join(format!("server-{name}.log"));
    let server = Server::start(binary, database_url, &secret, &log, &[])?;
    let base = format!("http://{}", server.addr);
    let mut cmd = Command::new(schemathesis);
    cmd.arg("run")
        .arg(format!("{base}/api/v1/openapi.json"))
        .args(["--url", &base])
        .args(["--checks", CHECKS])
        .args(["--max-examples", MAX_EXAMPLES])
        .args(["--seed", SEED])
        .args(["--request-timeout", "30"])
        .args(["--report", "junit"])
        .arg("--report-junit-path")
        .arg(out.join(format!("junit-{name}.xml")))
        .env("NO_COLOR", "1")
        // Its cache of found failures (`.schemathesis/`) lands in the working directory.
        .current_dir(out);
    for path in EXCLUDED_PATHS {
        cmd.args(["--exclude-path", path]);
    }
    // Shown without the token; the token is added after.
    println!("    $ {}", util::display_command(&cmd));
    cmd.args(["--header", &format!("Authorization: Bearer {}", data.token)]);
    let status = cmd.status();
    server.stop();
    let status = status.map_err(|e| format!("could not run schemathesis: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "schemathesis found failures on {name} ({}); the server log is {}",
            util::describe_status(status),
            log.display()
        ))
    }
}
