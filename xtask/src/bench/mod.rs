//! `cargo xtask bench`: the load benchmark. Builds the release binary, seeds the benchmark's
//! data set (`galley seed-bench`), starts the server on SQLite and then on PostgreSQL, drives
//! it with wrk from another process on 127.0.0.1, and writes `target/bench/report.md`.
//! Speed targets are judged here, never by timed assertions in tests.

mod report;
mod scale;
mod scenarios;
pub(crate) mod seed;
pub(crate) mod server;
mod wrk;

use std::fs;
use std::path::Path;
use std::time::Instant;

use crate::{dist, postgres, tools, util};
use scenarios::Cache;

pub const USAGE: &str = "usage: cargo xtask bench [--duration SECS] [--sqlite-only | --postgres-only] [--only TEXT]
       cargo xtask bench --scale [--max-tenants N] [--duration SECS] [--no-explain] [--keep-database]

Builds the release binary, seeds 1 tenant, 3 kitchens (200 departments in the measured one),
15 diet types each, two years of weekly menus with choices and marks, then runs wrk against
the server on SQLite and on PostgreSQL (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres;
a database `galley_bench` is dropped and made there). Each endpoint runs SECS seconds (default
10) at 16 and 64 connections, /health and the week read also with Connection: close; then a
second server with the ready answers off runs the cold reads one at a time. Writes
target/bench/report.md. --only TEXT runs just the scenarios whose title contains TEXT (for a
quick look while working; targets of scenarios left out read \"not measured\").

--scale runs the growth scenario instead, on PostgreSQL only (database `galley_scale`, dropped
and made fresh): 1, then 10, then 100 tenants of one kitchen with 200 departments and 104
weeks each (set-up through `galley seed-bench`, choices and marks with COPY: about 40 million
rows and several GB at 100), measuring the first tenant's department week read, choice write
and weekly report at each size, warm (16 connections) and cold (ready answers off, one
connection), SECS seconds each (default 5). After each size's runs a short pass logs every
query's plan and buffers (auto_explain; --no-explain skips it); sequential scans of growing
tables at the largest size are flagged. Judges p99 at the largest size against the smallest
(within 20%) and writes target/bench/scale.md. --max-tenants N stops growing at N (a quicker
pass: --max-tenants 10). The database is dropped at the end unless --keep-database.";

/// The backends the benchmark covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn title(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

struct Options {
    duration_secs: u32,
    backends: Vec<Backend>,
    only: Option<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        duration_secs: 10,
        backends: vec![Backend::Sqlite, Backend::Postgres],
        only: None,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--duration" => options.duration_secs = duration_arg(rest.next())?,
            "--only" => {
                let text = rest
                    .next()
                    .ok_or("--only needs part of a scenario's title")?;
                options.only = Some(text.clone());
            }
            "--sqlite-only" => options.backends = vec![Backend::Sqlite],
            "--postgres-only" => options.backends = vec![Backend::Postgres],
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    Ok(options)
}

/// The seconds after `--duration`, 1 to 600: each benchmark's runs.
pub(crate) fn duration_arg(value: Option<&String>) -> Result<u32, String> {
    number_arg("--duration", value, 1..=600, "seconds")
}

/// The number after `flag`, within `range`; `unit` names it in the messages.
pub(crate) fn number_arg<T>(
    flag: &str,
    value: Option<&String>,
    range: std::ops::RangeInclusive<T>,
    unit: &str,
) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    let value = value.ok_or_else(|| format!("{flag} needs a number of {unit}"))?;
    value
        .parse()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            format!(
                "{flag} {value}: give {} to {} {unit}",
                range.start(),
                range.end()
            )
        })
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    if args.iter().any(|arg| arg == "--scale") {
        return scale::run(root, args);
    }
    let options = parse(args)?;
    let steps = 3 + options.backends.len() + 1;
    util::progress(1, steps, "wrk (the load generator)");
    tools::ensure_all(&tools::BENCH_TOOLS)?;

    util::progress(2, steps, "release build of galley");
    let binary = build_release(root)?;
    let out = dist::target_dir(root).join("bench");
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    let mut results = Vec::new();
    for (index, backend) in options.backends.iter().enumerate() {
        util::progress(3 + index, steps, &format!("{} run", backend.title()));
        let database_url = match backend {
            Backend::Sqlite => seed::fresh_sqlite(&out)?,
            Backend::Postgres => {
                let base = postgres::test_database_url();
                postgres::check_reachable(&base)?;
                seed::fresh_postgres(&base)?
            }
        };
        results.push(run_backend(
            &binary,
            &out,
            *backend,
            &database_url,
            options.duration_secs,
            options.only.as_deref(),
        )?);
    }

    util::progress(steps - 1, steps, "offshore rotation (50 crew, one year)");
    let rotation = rotation_bench(root)?;
    println!("    {rotation}");

    util::progress(steps, steps, "report");
    let mut text = report::render(root, &results, options.duration_secs);
    text.push_str(&format!(
        "\n## Offshore rotation\n\nGeneration, cover, double bookings and working-time checks in process \
         (`modules/offshore/benches/rotation.rs`, release build):\n\n{rotation}\n"
    ));
    let path = out.join("report.md");
    fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("{text}");
    println!("written to {}", path.display());
    Ok(())
}

/// The release build (`cargo xtask dist`'s); the binary's path.
fn build_release(root: &Path) -> Result<std::path::PathBuf, String> {
    let started = Instant::now();
    let binary = dist::build(root)?;
    println!("    built in {}", util::secs(started.elapsed()));
    Ok(binary)
}

/// Runs the rotation benchmark; its one line of result. A missed target fails the bench.
fn rotation_bench(root: &Path) -> Result<String, String> {
    let mut bench = util::cargo();
    bench.current_dir(root).args([
        "bench",
        "-p",
        "galley-offshore",
        "--bench",
        "rotation",
        "--locked",
    ]);
    let output = bench
        .output()
        .map_err(|e| format!("cannot run the rotation benchmark: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("rotation:"))
        .unwrap_or_default()
        .to_owned();
    if !output.status.success() {
        return Err(format!(
            "the rotation benchmark failed: {line}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(line)
}

fn run_backend(
    binary: &Path,
    out: &Path,
    backend: Backend,
    database_url: &str,
    duration_secs: u32,
    only: Option<&str>,
) -> Result<report::BackendResult, String> {
    let secret = seed::secret_key(binary)?;
    println!("    seeding the data set");
    let data = seed::seed(binary, database_url, &secret)?;
    let mut scripts = scenarios::write_scripts(out, &data)?;
    if let Some(text) = only {
        scripts.retain(|scenario| scenario.title.contains(text));
        if scripts.is_empty() {
            return Err(format!("no scenario's title contains `{text}`"));
        }
    }
    let name = backend.title().to_lowercase();
    let mut runs = Vec::new();
    let mut cold_start = None;
    let mut peak_rss_kib = None;
    for cache in [Cache::On, Cache::Off] {
        if !scripts.iter().any(|scenario| scenario.cache == cache) {
            continue;
        }
        let (log, env): (_, &[(&str, &str)]) = match cache {
            Cache::On => (out.join(format!("server-{name}.log")), &[]),
            Cache::Off => (
                out.join(format!("server-{name}-cold.log")),
                &[("GALLEY_ANSWER_CACHE_MIB", "0")],
            ),
        };
        let server = server::Server::start(binary, database_url, &secret, &log, env)?;
        if cache == Cache::On {
            println!(
                "    cold start to the first /health answer: {} ms",
                server.cold_start.as_millis()
            );
            cold_start = Some(server.cold_start);
        } else {
            println!("    the same with the ready answers off (GALLEY_ANSWER_CACHE_MIB=0)");
        }
        for scenario in scripts.iter().filter(|s| s.cache == cache) {
            scenarios::warm_up(&server, scenario)?;
            for (run, &connections) in scenario.connections.iter().enumerate() {
                let result =
                    scenarios::measure(&server, scenario, connections, duration_secs, run)?;
                println!(
                    "    {:<52} {connections:>3} conn  {:>9.1} req/s  p50 {:>8}  p99 {:>8}  non-2xx {}  peak RSS {}{}",
                    scenario.title,
                    result.requests_per_sec,
                    report::millis(result.p50_ms),
                    report::millis(result.p99_ms),
                    result.non_2xx,
                    server.peak_rss_kib().map_or("?".to_owned(), |kib| format!(
                        "{:.1} MiB",
                        kib as f64 / 1024.0
                    )),
                    result
                        .cache_hit_ratio
                        .map_or(String::new(), |ratio| format!(
                            "  from memory {:.0}%",
                            ratio * 100.0
                        )),
                );
                runs.push((scenario.title, connections, result));
            }
        }
        peak_rss_kib = peak_rss_kib.max(server.peak_rss_kib());
        server.stop();
    }
    Ok(report::BackendResult {
        backend,
        cold_start: cold_start.unwrap_or_default(),
        peak_rss_kib,
        runs,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_number_argument_is_read_within_its_range_or_refused_saying_why() {
        let given = |text: &str| Some(text.to_owned());
        assert_eq!(duration_arg(given("5").as_ref()), Ok(5));
        assert_eq!(
            duration_arg(given("0").as_ref()),
            Err("--duration 0: give 1 to 600 seconds".to_owned())
        );
        assert_eq!(
            duration_arg(given("ten").as_ref()),
            Err("--duration ten: give 1 to 600 seconds".to_owned())
        );
        assert_eq!(
            duration_arg(None),
            Err("--duration needs a number of seconds".to_owned())
        );
        assert_eq!(
            number_arg::<usize>("--max-tenants", given("1001").as_ref(), 1..=1000, "tenants"),
            Err("--max-tenants 1001: give 1 to 1000 tenants".to_owned())
        );
    }
}
