//! `cargo xtask COMMAND`: Galley's developer tasks. See [`USAGE`].

use std::env;
use std::process::ExitCode;

use xtask::{
    bench, deploy_check, dist, fuzz, migrate, migration_lint, new_migration, new_module, run,
    schemathesis, test, workspace_root,
};

const USAGE: &str = "Galley developer tasks

usage: cargo xtask COMMAND [ARGS...]

commands:
  run [ARGS...]                 serve locally: cargo run -p galley -- serve ARGS
                                (GALLEY_ENV defaults to `local`; the rest of the environment,
                                e.g. DATABASE_URL or DEFAULT_ENABLED_MODULES, passes through)
  test [FLAGS] [-- ARGS...]     everything CI checks: fmt, clippy, the tests on SQLite and on
                                PostgreSQL, the scaffold check, schemathesis, 60 s of fuzzing
                                per import format, the deploy checks; ARGS go to both cargo
                                test runs (flags: --sqlite-only, --postgres-only,
                                --no-scaffold, --no-schemathesis, --no-fuzz,
                                --no-deploy-checks)
  schemathesis [FLAGS]          the API against its OpenAPI document with schemathesis, on
                                SQLite and PostgreSQL (flags: --sqlite-only, --postgres-only)
  fuzz [--secs N | --long] [TARGET...]
                                fuzz the import parsers (csv, xlsx, docx, menu_text) with
                                libFuzzer, 60 s each (--long: 10 minutes); docs/fuzzing.md
  migrate [ARGS...]             cargo run -p galley -- migrate ARGS
  migration-lint                flags DROP, RENAME, type changes, NOT NULL without the
                                documented steps and plain indexes on big tables in new
                                migrations (docs/operations.md section 9)
  deploy-check                  the deploy kit's static checks: migration lint, promtool on
                                the alert rules, the Grafana dashboard's metrics, nginx -t,
                                systemd-analyze verify, the Kubernetes manifests' schemas
  new-migration OWNER NAME      twin migration folders (postgres and sqlite) for OWNER
                                (`core` or a module) with a version unique across owners
  new-module NAME               scaffold modules/NAME and link it into the workspace and the app
  bench [--duration SECS]       load benchmark of the release build on SQLite and PostgreSQL
                                with wrk; writes target/bench/report.md
  bench --scale [--max-tenants N]
                                growth: 1, 10 and 100 tenants on PostgreSQL (COPY), the same
                                requests at each size; writes target/bench/scale.md
  dist [--smoke]                release build of the galley binary (--locked); prints its path
                                (--smoke: also starts it on a fresh SQLite file and checks
                                /health, /ready and /metrics, as `cargo xtask test` does)
  help                          this text

`cargo xtask COMMAND --help` describes test, new-migration and new-module.";

fn main() -> ExitCode {
    let args: Result<Vec<String>, _> = env::args_os().skip(1).map(|a| a.into_string()).collect();
    let Ok(args) = args else {
        eprintln!("error: arguments must be valid UTF-8");
        return ExitCode::FAILURE;
    };
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        eprintln!();
        eprintln!("error: no command given");
        return ExitCode::from(2);
    };
    let root = workspace_root();
    let result = match command.as_str() {
        "run" => run::run(&root, rest),
        "test" => test::run(&root, rest),
        "migrate" => migrate::run(&root, rest),
        "migration-lint" => migration_lint::run(&root, rest),
        "deploy-check" => deploy_check::run(&root, rest),
        "new-migration" => new_migration::run(&root, rest),
        "new-module" => new_module::run(&root, rest),
        "dist" => dist::run(&root, rest),
        "fuzz" => fuzz::run(&root, rest),
        "bench" => bench::run(&root, rest),
        "schemathesis" => schemathesis::run(&root, rest),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!(
            "unknown command `{other}`; `cargo xtask --help` lists the commands"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
