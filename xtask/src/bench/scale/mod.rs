//! `cargo xtask bench --scale`: does the per-request cost stay flat as the data grows? Grows one
//! PostgreSQL database in place (1, 10, 100 tenants; set-up rows through `galley seed-bench
//! --tenants N --kitchens 1 --no-answers`, the ~40 million choice and mark rows with COPY),
//! measures the first tenant's department week read, choice write and weekly report at each
//! size, warm and cold, logs the plan and buffers of every query they send at each size
//! (flagging sequential scans of growing tables at the largest), and writes
//! `target/bench/scale.md`.
//!
//! Growing in place rather than seeding three databases: the largest size costs what it costs
//! either way, the smaller ones come almost free on the way, and the measured tenant's rows are
//! the very same at every size (only the data around them grows).

mod explain;
mod report;
mod rows;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::scenarios::{self, Cache, Plan, Scenario};
use super::seed::{self, BenchData};
use super::server::Server;
use super::{report as bench_report, wrk};
use crate::{dist, postgres, tools, util};
use report::{Context, SizeResult};

/// The database the scale scenario owns (dropped and made fresh on every run).
const DATABASE: &str = "galley_scale";

/// The sizes of the issue, in tenants.
const SIZES: [usize; 3] = [1, 10, 100];

/// Growing stops where the free disk would fall below this.
const KEEP_FREE: u64 = 20 << 30;

/// Seconds per scenario in the plan-logging pass at each size.
const EXPLAIN_SECS: u32 = 2;

struct Options {
    duration_secs: u32,
    max_tenants: usize,
    explain: bool,
    keep_database: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        duration_secs: 5,
        max_tenants: 100,
        explain: true,
        keep_database: false,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--scale" | "--postgres-only" => {}
            "--duration" => options.duration_secs = super::duration_arg(rest.next())?,
            "--max-tenants" => {
                options.max_tenants =
                    super::number_arg("--max-tenants", rest.next(), 1..=1000, "tenants")?;
            }
            "--no-explain" => options.explain = false,
            "--keep-database" => options.keep_database = true,
            "--sqlite-only" | "--only" => {
                return Err(format!(
                    "{arg} does not go with --scale (PostgreSQL only, its own scenarios)\n\n{}",
                    super::USAGE
                ));
            }
            "-h" | "--help" => return Err(super::USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n\n{}", super::USAGE)),
        }
    }
    Ok(options)
}

/// The sizes to measure: the up to `max`, and `max` itself.
fn sizes(max: usize) -> Vec<usize> {
    let mut sizes: Vec<usize> = SIZES.iter().copied().filter(|&n| n <= max).collect();
    if sizes.last() != Some(&max) {
        sizes.push(max);
    }
    sizes
}

/// What is measured at each size, all on the first tenant. Warm: production settings, 16
/// connections. Cold: the ready answers off, one request at a time.
const PLANS: [Plan; 7] = [
    plan(
        "department week read, open weeks",
        "scale-week-read-open",
        scenarios::WEEK_READ,
        "open_weeks",
        Cache::On,
        READ,
    ),
    plan(
        "department week read, any week",
        "scale-week-read",
        scenarios::WEEK_READ,
        "weeks",
        Cache::On,
        READ,
    ),
    plan(
        "choice write, open weeks",
        "scale-choice-write-open",
        scenarios::CHOICE_WRITE_OPEN,
        "open_weeks",
        Cache::On,
        WRITE,
    ),
    plan(
        "weekly report JSON",
        "scale-report-json",
        scenarios::REPORT_JSON,
        "weeks",
        Cache::On,
        READ,
    ),
    plan(
        "department week read, any week, cold",
        "scale-week-read-cold",
        scenarios::WEEK_READ,
        "weeks",
        Cache::Off,
        READ,
    ),
    plan(
        "choice write, open weeks, cold",
        "scale-choice-write-open-cold",
        scenarios::CHOICE_WRITE_OPEN,
        "open_weeks",
        Cache::Off,
        WRITE,
    ),
    plan(
        "weekly report JSON, cold",
        "scale-report-json-cold",
        scenarios::REPORT_JSON,
        "weeks",
        Cache::Off,
        READ,
    ),
];

/// Whether a plan reads ready answers (`READ`) or writes (`WRITE`, nothing to count).
const READ: bool = true;
const WRITE: bool = false;

/// A scale plan: warm runs take 16 connections and count their reads from memory, cold runs
/// take one.
const fn plan(
    title: &'static str,
    file: &'static str,
    body: &'static str,
    week_list: &'static str,
    cache: Cache,
    reads: bool,
) -> Plan {
    let warm = matches!(cache, Cache::On);
    Plan {
        title,
        file,
        body,
        connections: if warm { &[16] } else { &[1] },
        close: false,
        gzip: true,
        week_list,
        cache,
        cached_read: warm && reads,
    }
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    let sizes = sizes(options.max_tenants);
    let steps = 3 + sizes.len() + 1;
    let mut step = 0;
    let mut next = |title: &str| {
        step += 1;
        util::progress(step, steps, title);
    };

    next("wrk and psql");
    tools::ensure_all(&tools::SCALE_TOOLS)?;

    next("release build of galley");
    let binary = super::build_release(root)?;
    let out = dist::target_dir(root).join("bench");
    let scripts_dir = out.join("scale");
    fs::create_dir_all(&scripts_dir)
        .map_err(|e| format!("cannot create {}: {e}", scripts_dir.display()))?;

    next(&format!("a fresh database `{DATABASE}`"));
    let base = postgres::test_database_url();
    postgres::check_reachable(&base)?;
    let url = seed::fresh_postgres_named(&base, DATABASE)?;
    let server_version = psql(&url, "SHOW server_version")?;
    let data_directory = psql(&url, "SHOW data_directory").ok();
    println!(
        "    PostgreSQL {server_version} at {}",
        postgres::redact(&url)
    );
    let secret = seed::secret_key(&binary)?;

    let mut measured: Vec<SizeResult> = Vec::new();
    let mut first: Option<BenchData> = None;
    let mut scripts: Vec<Scenario> = Vec::new();
    let mut rows = [0_u64; 3];
    let mut stopped = None;
    for &size in &sizes {
        let have = measured.last().map_or(0, |m| m.tenants);
        next(&format!(
            "{size} tenant{}",
            if size == 1 { "" } else { "s" }
        ));
        if let (Some(last), Some(dir)) = (measured.last(), &data_directory)
            && let Some(free) = free_bytes(dir)
        {
            let per_tenant = last.database_bytes / last.tenants.max(1) as u64;
            // A quarter more than the sizes so far suggest, and the WAL's 2 GiB.
            let need = per_tenant * (size - have) as u64 / 4 * 5 + (2 << 30);
            println!(
                "    free disk {}, this step needs about {}",
                dist::human_size(free),
                dist::human_size(need)
            );
            if free < need + KEEP_FREE {
                let why = format!(
                    "growing to {size} tenants needs about {} and {} is free: less than {} would be left",
                    dist::human_size(need),
                    dist::human_size(free),
                    dist::human_size(KEEP_FREE)
                );
                println!("    stopped: {why}");
                stopped = Some(why);
                break;
            }
        }

        let started = Instant::now();
        let added = seed_tenants(&binary, &url, &secret, size - have)?;
        let setup = started.elapsed();
        println!(
            "    {} tenant{} set up in {}",
            added.len(),
            if added.len() == 1 { "" } else { "s" },
            util::secs(setup)
        );

        let started = Instant::now();
        let copied = rows::copy_tenants(&url, &added, Duration::from_secs(15))?;
        let copy = started.elapsed();
        for (total, new) in rows.iter_mut().zip(copied) {
            *total += new;
        }
        println!(
            "    COPY: {} department weeks, {} choices, {} marks in {}",
            rows::count(copied[0]),
            rows::count(copied[1]),
            rows::count(copied[2]),
            util::secs(copy)
        );

        let started = Instant::now();
        println!("    VACUUM (ANALYZE) and a checkpoint");
        psql(&url, "VACUUM (ANALYZE)")?;
        if let Err(e) = psql(&url, "CHECKPOINT") {
            println!("    (no checkpoint: {e})");
        }
        let vacuum = started.elapsed();
        let database_bytes: u64 = psql(&url, "SELECT pg_database_size(current_database())")?
            .parse()
            .map_err(|e| format!("pg_database_size: {e}"))?;
        println!(
            "    {}: {} bulk rows, {} on disk; this step seeded in {} (vacuum {})",
            report::tenants(size),
            rows::count(rows.iter().sum()),
            dist::human_size(database_bytes),
            util::secs(setup + copy + vacuum),
            util::secs(vacuum)
        );

        if first.is_none() {
            let data = added.first().cloned().ok_or("seed-bench added no tenant")?;
            scripts = scenarios::write_plans(&scripts_dir, &data, &PLANS)?;
            first = Some(data);
        }
        let load = load_average();
        println!("    load average before the runs: {load}");
        let runs = measure(
            &binary,
            &url,
            &secret,
            &scripts_dir,
            size,
            &scripts,
            options.duration_secs,
        )?;
        let plans = if options.explain {
            println!("    the plans and buffers of every query (auto_explain)");
            log_plans(&binary, &url, &secret, &scripts_dir, &scripts)
        } else {
            Err("left out (--no-explain)".to_owned())
        };
        match &plans {
            Ok(findings) => {
                let flagged = findings.flagged();
                println!(
                    "    {} distinct queries; sequential scans of growing tables: {}",
                    findings.queries.len(),
                    if flagged.is_empty() {
                        "none".to_owned()
                    } else {
                        flagged
                            .iter()
                            .map(|(_, scan, _)| scan.describe())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                );
            }
            Err(e) => println!("    plans not checked: {e}"),
        }
        measured.push(SizeResult {
            tenants: size,
            rows,
            database_bytes,
            setup,
            copy,
            vacuum,
            runs,
            plans,
            load,
        });
    }

    next("report");
    let context = Context {
        commit: bench_report::git_commit(root),
        cpu: bench_report::cpu_model(),
        cores: thread::available_parallelism().map_or(0, usize::from),
        duration_secs: options.duration_secs,
        server: format!("PostgreSQL {server_version}"),
        stopped,
    };
    let text = report::render(&context, &measured);
    let path = out.join("scale.md");
    fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("{text}");
    println!("written to {}", path.display());
    if options.keep_database {
        println!("kept the database: {}", postgres::redact(&url));
    } else {
        let drop = format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)");
        psql(&base, &drop)?;
        println!("dropped the database `{DATABASE}` (--keep-database keeps it)");
    }
    Ok(())
}

/// `/proc/loadavg`'s first three numbers (`?` where unreadable).
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|load| !load.is_empty())
        .unwrap_or_else(|| "?".to_owned())
}

/// One SQL statement through psql; its output, trimmed (`-At`: values only).
fn psql(url: &str, sql: &str) -> Result<String, String> {
    let mut cmd = Command::new("psql");
    cmd.arg(url)
        .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]);
    util::run_captured(&mut cmd, "psql").map(|out| out.trim().to_owned())
}

/// Free bytes on the file system that holds `dir` (`df -Pk`), if df can tell.
fn free_bytes(dir: &str) -> Option<u64> {
    let output = Command::new("df")
        .args(["-Pk", dir])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    available_kib(&String::from_utf8_lossy(&output.stdout)).map(|kib| kib * 1024)
}

/// The "Available" column of `df -Pk`'s one file system.
fn available_kib(df: &str) -> Option<u64> {
    df.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()
}

/// `galley seed-bench --tenants N --kitchens 1 --no-answers`: N more tenants' set-up, with
/// its progress shown as it comes (every tenth tenant); what each tenant is.
fn seed_tenants(
    binary: &Path,
    url: &str,
    secret: &str,
    count: usize,
) -> Result<Vec<BenchData>, String> {
    let mut child = Command::new(binary)
        .args(["seed-bench", "--kitchens", "1", "--no-answers", "--tenants"])
        .arg(count.to_string())
        .env("DATABASE_URL", url)
        .env("SECRET_KEY", secret)
        .env("GALLEY_ENV", "production")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run galley seed-bench: {e}"))?;
    let stderr = child.stderr.take();
    let printer = thread::spawn(move || {
        let Some(stderr) = stderr else { return };
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if worth_showing(&line) {
                println!("    {line}");
            }
        }
    });
    let output = child
        .wait_with_output()
        .map_err(|e| format!("galley seed-bench: {e}"))?;
    let _ = printer.join();
    if !output.status.success() {
        return Err(format!(
            "galley seed-bench failed ({})",
            util::describe_status(output.status)
        ));
    }
    let added = seed::parse_lines(&String::from_utf8_lossy(&output.stdout))?;
    if added.len() != count {
        return Err(format!(
            "galley seed-bench printed {} tenants of {count}",
            added.len()
        ));
    }
    Ok(added)
}

/// seed-bench's per-tenant lines (`seed-bench: tenant 7 of 90 ...`) shown for the first, every
/// tenth and the last; any other line always.
fn worth_showing(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("seed-bench: tenant ") else {
        return true;
    };
    let mut words = rest.split_whitespace();
    let (Some(n), Some("of"), Some(of)) = (words.next(), words.next(), words.next()) else {
        return true;
    };
    match (n.parse::<usize>(), of.parse::<usize>()) {
        (Ok(n), Ok(of)) => n == 1 || n == of || n % 10 == 0,
        _ => true,
    }
}

/// Every scenario at one size: the warm ones against a server with production settings, then
/// the cold ones against one with the ready answers off; each server started for this size.
fn measure(
    binary: &Path,
    url: &str,
    secret: &str,
    out: &Path,
    size: usize,
    scripts: &[Scenario],
    duration_secs: u32,
) -> Result<Vec<(&'static str, usize, wrk::RunResult)>, String> {
    let mut runs = Vec::new();
    for cache in [Cache::On, Cache::Off] {
        let (name, env): (_, &[(&str, &str)]) = match cache {
            Cache::On => ("warm", &[]),
            Cache::Off => ("cold", &[("GALLEY_ANSWER_CACHE_MIB", "0")]),
        };
        let log = out.join(format!("server-{size}-{name}.log"));
        let server = Server::start(binary, url, secret, &log, env)?;
        let result = run_scenarios(&server, scripts, cache, duration_secs, &mut runs);
        server.stop();
        result?;
    }
    Ok(runs)
}

fn run_scenarios(
    server: &Server,
    scripts: &[Scenario],
    cache: Cache,
    duration_secs: u32,
    runs: &mut Vec<(&'static str, usize, wrk::RunResult)>,
) -> Result<(), String> {
    for scenario in scripts.iter().filter(|s| s.cache == cache) {
        scenarios::warm_up(server, scenario)?;
        for (run, &connections) in scenario.connections.iter().enumerate() {
            let result = scenarios::measure(server, scenario, connections, duration_secs, run)?;
            println!(
                "    {:<40} {connections:>3} conn  {:>9.1} req/s  p50 {:>8}  p99 {:>8}  non-2xx {}{}",
                scenario.title,
                result.requests_per_sec,
                bench_report::millis(result.p50_ms),
                bench_report::millis(result.p99_ms),
                result.non_2xx,
                result.cache_hit_ratio.map_or(String::new(), |r| format!(
                    "  from memory {:.0}%",
                    r * 100.0
                )),
            );
            runs.push((scenario.title, connections, result));
        }
    }
    Ok(())
}

/// The plans of every query the scenarios send, with the buffers each execution touched:
/// auto_explain on for the database's new sessions, a short pass of every scenario against a
/// server with the ready answers off (so every request reaches the database), auto_explain off
/// again, the log read back.
fn log_plans(
    binary: &Path,
    url: &str,
    secret: &str,
    out: &Path,
    scripts: &[Scenario],
) -> Result<explain::Findings, String> {
    let log = explain::log_file(
        &psql(url, "SELECT pg_current_logfile()").unwrap_or_default(),
        &psql(url, "SHOW data_directory").unwrap_or_default(),
        &psql(url, "SHOW server_version_num").unwrap_or_default(),
    );
    let from = explain::log_end(&log)?;
    let settings = [
        ("session_preload_libraries", "'auto_explain'"),
        ("auto_explain.log_min_duration", "0"),
        ("auto_explain.log_format", "'text'"),
        ("auto_explain.log_analyze", "on"),
        ("auto_explain.log_buffers", "on"),
        ("auto_explain.log_timing", "off"),
    ];
    for (name, value) in settings {
        psql(
            url,
            &format!("ALTER DATABASE {DATABASE} SET {name} = {value}"),
        )?;
    }
    let pass = (|| {
        let server = Server::start(
            binary,
            url,
            secret,
            &out.join("server-explain.log"),
            &[("GALLEY_ANSWER_CACHE_MIB", "0")],
        )?;
        let mut result = Ok(());
        for scenario in scripts {
            if let Err(e) = wrk::run(server.addr, scenario, 1, EXPLAIN_SECS, 0) {
                result = Err(e);
                break;
            }
        }
        server.stop();
        result
    })();
    for (name, _) in settings {
        psql(url, &format!("ALTER DATABASE {DATABASE} RESET {name}"))?;
    }
    pass?;
    let text = explain::log_since(&log, from)?;
    let queries = explain::plans_in_log(&text, DATABASE);
    if queries.is_empty() {
        return Err(format!(
            "no plan of `{DATABASE}` in {} (is auto_explain installed?)",
            log.display()
        ));
    }
    let rows = explain::row_counts(&psql(
        url,
        "SELECT relname, reltuples::bigint FROM pg_class \
         WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace",
    )?);
    Ok(explain::Findings { queries, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn sizes_stop_at_the_largest_asked_for() {
        assert_eq!(sizes(100), [1, 10, 100]);
        assert_eq!(sizes(10), [1, 10]);
        assert_eq!(sizes(1), [1]);
        assert_eq!(sizes(30), [1, 10, 30]);
        assert_eq!(sizes(200), [1, 10, 100, 200]);
    }

    #[test]
    fn options_read_as_the_usage_says() {
        let options = parse(&args("--scale")).unwrap();
        assert_eq!((options.duration_secs, options.max_tenants), (5, 100));
        assert!(options.explain && !options.keep_database);
        let options = parse(&args(
            "--scale --max-tenants 10 --duration 3 --no-explain --keep-database --postgres-only",
        ))
        .unwrap();
        assert_eq!((options.duration_secs, options.max_tenants), (3, 10));
        assert!(!options.explain && options.keep_database);
        assert!(parse(&args("--scale --sqlite-only")).is_err());
        assert!(parse(&args("--scale --max-tenants 0")).is_err());
        assert!(parse(&args("--scale --bogus")).is_err());
    }

    #[test]
    fn reads_the_free_space_df_gives() {
        let df = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n\
                  /dev/vda         263174212 13400000 82000000      15% /\n";
        assert_eq!(available_kib(df), Some(82_000_000));
        assert_eq!(
            available_kib("df: /nowhere: No such file or directory\n"),
            None
        );
    }

    #[test]
    fn shows_every_tenth_tenant_of_many() {
        assert!(worth_showing("seed-bench: tenant 1 of 90 (number 11)"));
        assert!(!worth_showing("seed-bench: tenant 7 of 90 (number 17)"));
        assert!(worth_showing("seed-bench: tenant 20 of 90 (number 30)"));
        assert!(worth_showing("seed-bench: tenant 90 of 90 (number 100)"));
        assert!(worth_showing("error: the database is unreachable"));
    }

    #[test]
    fn scale_scripts_aim_at_the_first_tenant() {
        let out = std::env::temp_dir().join(format!("galley-scale-scripts-{}", std::process::id()));
        fs::create_dir_all(&out).unwrap();
        let data = BenchData {
            token: "first".into(),
            site: 3,
            departments: vec![5, 6],
            weeks: vec![(2026, 49), (2026, 50)],
            mondays: vec!["2026-11-30".into()],
            diets: vec![1, 2],
        };
        let scenarios = scenarios::write_plans(&out, &data, &PLANS).unwrap();
        assert_eq!(scenarios.len(), 7);
        assert_eq!(
            scenarios.iter().filter(|s| s.cache == Cache::Off).count(),
            3
        );
        let read = |file: &str| fs::read_to_string(out.join(format!("{file}.lua"))).unwrap();
        assert!(read("scale-week-read-open").contains("pick(open_weeks)"));
        assert!(read("scale-week-read-cold").contains("pick(weeks)"));
        let write = read("scale-choice-write-open-cold");
        assert!(write.contains("local write_weeks = open_weeks"));
        assert!(write.contains("local site = 3") && write.contains("local token = \"first\""));
        fs::remove_dir_all(&out).unwrap();
    }
}
