//! `cargo xtask test`: everything CI checks, in order, with a summary.
//!
//! 0. the tools the suite needs besides cargo (installed when missing)
//! 1. `cargo fmt --all -- --check`
//! 2. `cargo clippy --workspace --all-targets --locked -- -D warnings`
//! 3. `cargo test --workspace --locked` on SQLite (`TEST_DATABASE_URL` removed)
//! 4. `cargo test --workspace --locked` on PostgreSQL (`TEST_DATABASE_URL` set; a throwaway
//!    cluster is started when no server answers)
//! 5. the scaffold check (see [`crate::scaffold_check`])
//! 6. schemathesis against the running server (see [`crate::schemathesis`])
//! 7. the bounded fuzz run: 60 s per import format (see [`crate::fuzz`])
//! 8. the release artefact built and started (see [`crate::dist::smoke`])
//! 9. the deploy kit's static checks (see [`crate::deploy_check`])

use std::path::Path;
use std::time::{Duration, Instant};

use crate::{deploy_check, dist, fuzz, postgres, scaffold_check, schemathesis, tools, util};

pub const USAGE: &str = "usage: cargo xtask test [--sqlite-only | --postgres-only] [--no-scaffold] [--no-schemathesis] [--no-fuzz] [--no-dist] [--no-deploy-checks] [-- CARGO_TEST_ARGS...]
  Runs fmt, clippy, the test suite on SQLite and on PostgreSQL, the scaffold check,
  schemathesis, a bounded fuzz run of the import parsers, the release build started as an
  operator would, and the deploy kit's checks.
  --sqlite-only     skip the PostgreSQL run (developer convenience; CI runs both)
  --postgres-only   skip the SQLite run
  --no-scaffold     skip the scaffold check (it builds the app once more in target/scaffold)
  --no-schemathesis skip the schemathesis run (`cargo xtask schemathesis` runs it alone)
  --no-fuzz         skip the fuzz run (`cargo xtask fuzz`, 60 s per target after a sanitizer
                    build cached in target/fuzz)
  --no-dist         skip the release build and its start (`cargo xtask dist` builds it)
  --no-deploy-checks skip the deploy kit's static checks (`cargo xtask deploy-check` runs
                    them alone: migration lint, promtool, nginx -t, systemd-analyze verify,
                    Kubernetes schemas)
  Other arguments go to both `cargo test` runs, e.g. `cargo xtask test -- registry`.
  TEST_DATABASE_URL picks the PostgreSQL server (default postgresql://postgres@127.0.0.1:5432/postgres).";

/// Parsed `cargo xtask test` arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub sqlite: bool,
    pub postgres: bool,
    pub scaffold: bool,
    pub schemathesis: bool,
    pub fuzz: bool,
    pub dist: bool,
    pub deploy_checks: bool,
    pub help: bool,
    /// Passed to both `cargo test` runs.
    pub test_args: Vec<String>,
}

pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        sqlite: true,
        postgres: true,
        scaffold: true,
        schemathesis: true,
        fuzz: true,
        dist: true,
        deploy_checks: true,
        ..Options::default()
    };
    let mut sqlite_only = false;
    let mut postgres_only = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--sqlite-only" => sqlite_only = true,
            "--postgres-only" => postgres_only = true,
            "--no-scaffold" => options.scaffold = false,
            "--no-schemathesis" => options.schemathesis = false,
            "--no-fuzz" => options.fuzz = false,
            "--no-dist" => options.dist = false,
            "--no-deploy-checks" => options.deploy_checks = false,
            "-h" | "--help" => options.help = true,
            "--" => {
                options.test_args.extend(rest.by_ref().cloned());
            }
            _ => options.test_args.push(arg.clone()),
        }
    }
    if sqlite_only && postgres_only {
        return Err("--sqlite-only and --postgres-only exclude each other".to_string());
    }
    options.sqlite = !postgres_only;
    options.postgres = !sqlite_only;
    Ok(options)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tools,
    Fmt,
    Clippy,
    Sqlite,
    Postgres,
    Scaffold,
    Schemathesis,
    Fuzz,
    Dist,
    DeployChecks,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Passed(Duration),
    Failed(Duration),
    Skipped(&'static str),
    NotRun,
}

struct Step {
    name: &'static str,
    kind: Kind,
    skip: Option<&'static str>,
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse_args(args)?;
    if options.help {
        println!("{USAGE}");
        return Ok(());
    }
    let steps = [
        Step {
            name: "tools",
            kind: Kind::Tools,
            skip: None,
        },
        Step {
            name: "fmt",
            kind: Kind::Fmt,
            skip: None,
        },
        Step {
            name: "clippy",
            kind: Kind::Clippy,
            skip: None,
        },
        Step {
            name: "tests on SQLite",
            kind: Kind::Sqlite,
            skip: (!options.sqlite).then_some("--postgres-only"),
        },
        Step {
            name: "tests on PostgreSQL",
            kind: Kind::Postgres,
            skip: (!options.postgres).then_some("--sqlite-only"),
        },
        Step {
            name: "scaffold check",
            kind: Kind::Scaffold,
            skip: (!options.scaffold).then_some("--no-scaffold"),
        },
        Step {
            name: "schemathesis",
            kind: Kind::Schemathesis,
            skip: (!options.schemathesis).then_some("--no-schemathesis"),
        },
        Step {
            name: "fuzz (60 s per format)",
            kind: Kind::Fuzz,
            skip: (!options.fuzz).then_some("--no-fuzz"),
        },
        Step {
            name: "release artefact",
            kind: Kind::Dist,
            skip: (!options.dist).then_some("--no-dist"),
        },
        Step {
            name: "deploy checks",
            kind: Kind::DeployChecks,
            skip: (!options.deploy_checks).then_some("--no-deploy-checks"),
        },
    ];
    let total = steps.iter().filter(|s| s.skip.is_none()).count();
    let started = Instant::now();
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut failure: Option<&str> = None;
    let mut index = 0;
    for step in &steps {
        if let Some(flag) = step.skip {
            outcomes.push(Outcome::Skipped(flag));
            continue;
        }
        if failure.is_some() {
            outcomes.push(Outcome::NotRun);
            continue;
        }
        index += 1;
        util::progress(index, total, step.name);
        let step_started = Instant::now();
        let result = run_step(root, step.kind, &options.test_args);
        let took = step_started.elapsed();
        match result {
            Ok(()) => {
                println!("    ok: {} ({})", step.name, util::secs(took));
                outcomes.push(Outcome::Passed(took));
            }
            Err(e) => {
                eprintln!("\nerror: step `{}` failed: {e}", step.name);
                failure = Some(step.name);
                outcomes.push(Outcome::Failed(took));
            }
        }
    }

    println!();
    println!("==> summary ({})", util::secs(started.elapsed()));
    for (step, outcome) in steps.iter().zip(&outcomes) {
        let text = match outcome {
            Outcome::Passed(took) => format!("passed   ({})", util::secs(*took)),
            Outcome::Failed(took) => format!("FAILED   ({})", util::secs(*took)),
            Outcome::Skipped(flag) => format!("skipped  ({flag})"),
            Outcome::NotRun => "not run  (an earlier step failed)".to_string(),
        };
        println!("    {:<22} {text}", step.name);
    }
    match failure {
        Some(name) => Err(format!(
            "`cargo xtask test` failed at step `{name}` (its error is above the summary)"
        )),
        None => {
            println!("all {total} steps passed");
            Ok(())
        }
    }
}

fn run_step(root: &Path, kind: Kind, test_args: &[String]) -> Result<(), String> {
    match kind {
        Kind::Tools => tools::ensure(),
        Kind::Fmt => {
            let mut cmd = util::cargo();
            cmd.current_dir(root)
                .args(["fmt", "--all", "--", "--check"]);
            util::run_checked(&mut cmd, "cargo fmt --check")
                .map_err(|e| format!("{e}: run `cargo fmt --all` and commit the result"))
        }
        Kind::Clippy => {
            let mut cmd = util::cargo();
            cmd.current_dir(root).args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ]);
            util::run_checked(&mut cmd, "cargo clippy")
        }
        Kind::Sqlite => {
            banner(
                "SQLite",
                "TEST_DATABASE_URL unset: every test gets a temp SQLite file",
            );
            let mut cmd = cargo_test(root, test_args);
            cmd.env_remove("TEST_DATABASE_URL");
            util::run_checked(&mut cmd, "the test suite on SQLite")
        }
        Kind::Postgres => postgres_run(root, test_args),
        Kind::Scaffold => scaffold_check::run(root),
        Kind::Schemathesis => schemathesis::run(root, &[]),
        Kind::Fuzz => {
            let targets: Vec<String> = fuzz::TARGETS.iter().map(|t| t.to_string()).collect();
            fuzz::fuzz(root, &targets, fuzz::BOUNDED_SECS)
        }
        Kind::Dist => dist::smoke(root),
        Kind::DeployChecks => deploy_check::check_all(root),
    }
}

fn cargo_test(root: &Path, test_args: &[String]) -> std::process::Command {
    let mut cmd = util::cargo();
    cmd.current_dir(root)
        .args(["test", "--workspace", "--locked"])
        .args(test_args);
    cmd
}

fn banner(backend: &str, detail: &str) {
    let line = "-".repeat(72);
    println!("    {line}");
    println!("    {backend} run: {detail}");
    println!("    {line}");
}

fn postgres_run(root: &Path, test_args: &[String]) -> Result<(), String> {
    let wanted = postgres::test_database_url();
    println!("    checking PostgreSQL at {}", postgres::redact(&wanted));
    let mut throwaway = None;
    let url = match postgres::check_reachable(&wanted) {
        Ok(()) => {
            println!("    PostgreSQL answers");
            wanted
        }
        Err(reason) => {
            println!("    not reachable: {reason}");
            let cluster = postgres::Throwaway::start(root)?;
            let url = cluster.url().to_string();
            throwaway = Some(cluster);
            url
        }
    };
    banner(
        "PostgreSQL",
        &format!("TEST_DATABASE_URL={}", postgres::redact(&url)),
    );
    let mut cmd = cargo_test(root, test_args);
    cmd.env("TEST_DATABASE_URL", &url);
    let result = util::run_checked(&mut cmd, "the test suite on PostgreSQL");
    // Stop the throwaway cluster whatever the tests did.
    let stopped = match throwaway.as_mut() {
        Some(cluster) => cluster.stop(),
        None => Ok(()),
    };
    result?;
    stopped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_arguments_run_everything() -> Result<(), String> {
        let options = parse_args(&[])?;
        assert!(options.sqlite && options.postgres && options.scaffold && options.fuzz);
        assert!(!options.help);
        assert!(options.test_args.is_empty());
        Ok(())
    }

    #[test]
    fn arguments_after_the_separator_reach_cargo_test() -> Result<(), String> {
        let options = parse_args(&args(&["--", "registry"]))?;
        assert_eq!(options.test_args, args(&["registry"]));
        let options = parse_args(&args(&[
            "--sqlite-only",
            "--",
            "registry",
            "--",
            "--nocapture",
        ]))?;
        assert!(options.sqlite && !options.postgres);
        assert_eq!(options.test_args, args(&["registry", "--", "--nocapture"]));
        // After `--`, our own flags are not ours any more.
        let options = parse_args(&args(&["--", "--no-scaffold"]))?;
        assert!(options.scaffold);
        assert_eq!(options.test_args, args(&["--no-scaffold"]));
        Ok(())
    }

    #[test]
    fn backend_flags() -> Result<(), String> {
        let options = parse_args(&args(&["--postgres-only", "--no-scaffold", "--no-fuzz"]))?;
        assert!(!options.sqlite && options.postgres && !options.scaffold && !options.fuzz);
        assert!(options.deploy_checks);
        assert!(!parse_args(&args(&["--no-deploy-checks"]))?.deploy_checks);
        assert!(options.dist && !parse_args(&args(&["--no-dist"]))?.dist);
        assert!(parse_args(&args(&["--sqlite-only", "--postgres-only"])).is_err());
        Ok(())
    }
}
