//! `target/bench/report.md`: the measurements per backend and the targets, each judged.

use std::fmt::Write;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::Backend;
use super::wrk::RunResult;

pub struct BackendResult {
    pub backend: Backend,
    pub cold_start: Duration,
    pub peak_rss_kib: Option<u64>,
    /// (scenario title, connections, result), in run order.
    pub runs: Vec<(&'static str, usize, RunResult)>,
}

impl BackendResult {
    fn find(&self, title: &str, connections: usize) -> Option<&RunResult> {
        self.runs
            .iter()
            .find(|(t, c, _)| *t == title && *c == connections)
            .map(|(_, _, result)| result)
    }
}

pub fn millis(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2} ms")
    } else {
        format!("{value:.1} ms")
    }
}

/// One target, judged from a measurement; `None` when it was not measured.
struct Target {
    what: &'static str,
    judge: fn(&BackendResult) -> Option<(bool, String)>,
}

/// The department week read the throughput and latency targets are judged on: the open weeks,
/// which is what readers ask for (the any-week run is reported beside it).
const WEEK_READ: &str = "department week read, open weeks";

const TARGETS: [Target; 8] = [
    Target {
        what: "week read (open weeks) ≥ 40% of /health's req/s (64 connections)",
        judge: |r| {
            let read = r.find(WEEK_READ, 64)?;
            let health = r.find("/health", 64)?;
            let share = read.requests_per_sec / health.requests_per_sec * 100.0;
            Some((share >= 40.0, format!("{share:.0}%")))
        },
    },
    Target {
        what: "week read (open weeks) p99 < 20 ms at 64 connections",
        judge: |r| {
            let p99 = r.find(WEEK_READ, 64)?.p99_ms;
            Some((p99 < 20.0, millis(p99)))
        },
    },
    Target {
        what: "choice write (open weeks) p99 < 50 ms (64 connections)",
        judge: |r| {
            let p99 = r.find("choice write, open weeks", 64)?.p99_ms;
            Some((p99 < 50.0, millis(p99)))
        },
    },
    Target {
        what: "site day plan cold < 20 ms (p99, one request at a time)",
        judge: |r| {
            let p99 = r.find("site day plan, cold", 1)?.p99_ms;
            Some((p99 < 20.0, millis(p99)))
        },
    },
    Target {
        what: "weekly report JSON cold < 20 ms (p99, one request at a time)",
        judge: |r| {
            let p99 = r.find("weekly report JSON, cold", 1)?.p99_ms;
            Some((p99 < 20.0, millis(p99)))
        },
    },
    Target {
        what: "weekly report XLSX < 500 ms (p99, one request at a time)",
        judge: |r| {
            let p99 = r.find("weekly report XLSX, cold", 1)?.p99_ms;
            Some((p99 < 500.0, millis(p99)))
        },
    },
    Target {
        what: "peak RSS < 64 MiB",
        judge: |r| {
            let mib = r.peak_rss_kib? as f64 / 1024.0;
            Some((mib < 64.0, format!("{mib:.1} MiB")))
        },
    },
    Target {
        what: "cold start to the first /health < 100 ms",
        judge: |r| {
            let ms = r.cold_start.as_secs_f64() * 1000.0;
            Some((ms < 100.0, format!("{ms:.0} ms")))
        },
    },
];

pub fn render(root: &Path, results: &[BackendResult], duration_secs: u32) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "# Load benchmark\n");
    let _ = writeln!(
        text,
        "Commit {}, {} ({} cores). Release build; wrk with 2 threads from another process on \
         127.0.0.1, {duration_secs} s per run after a 1 s warm-up. Data set: 1 tenant, 3 kitchens \
         (200 departments in the measured one, 20 in each other), 15 diet types per kitchen, \
         104 weeks of published menus with choices and marks for every department and week. \
         Requests carry an admin API token and `Accept-Encoding: gzip`, as browsers and HTTP \
         libraries send it (one row shows a client without it). \"Open weeks\" are this week and the two after it; \
         \"any week\" is any of the 104. Rows marked cold ran against a second server with the \
         ready answers off (`GALLEY_ANSWER_CACHE_MIB=0`); \"from memory\" is the share of ready \
         answers served without building them, from `/metrics`.\n",
        git_commit(root),
        cpu_model(),
        std::thread::available_parallelism().map_or(0, usize::from),
    );
    for result in results {
        let _ = writeln!(text, "## {}\n", result.backend.title());
        let _ = writeln!(
            text,
            "| endpoint | connections | req/s | p50 | p99 | from memory | requests | non-2xx | socket errors |"
        );
        let _ = writeln!(text, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (title, connections, run) in &result.runs {
            let _ = writeln!(
                text,
                "| {title} | {connections} | {:.0} | {} | {} | {} | {} | {} | {} |",
                run.requests_per_sec,
                millis(run.p50_ms),
                millis(run.p99_ms),
                run.cache_hit_ratio
                    .map_or("".to_owned(), |ratio| format!("{:.0}%", ratio * 100.0)),
                run.requests,
                run.non_2xx,
                run.socket_errors
            );
        }
        let rss = result
            .peak_rss_kib
            .map_or("not measured".to_owned(), |kib| {
                format!("{:.1} MiB", kib as f64 / 1024.0)
            });
        let _ = writeln!(
            text,
            "\nCold start to the first `/health` answer: {} ms. Peak RSS: {rss}.\n",
            result.cold_start.as_millis()
        );
    }
    let _ = writeln!(text, "## Targets\n");
    let mut header = String::from("| target |");
    let mut rule = String::from("|---|");
    for result in results {
        let _ = write!(header, " {} |", result.backend.title());
        rule.push_str("---|");
    }
    let _ = writeln!(text, "{header}\n{rule}");
    for target in &TARGETS {
        let _ = write!(text, "| {} |", target.what);
        for result in results {
            let cell = match (target.judge)(result) {
                Some((true, value)) => format!("met: {value}"),
                Some((false, value)) => format!("**missed: {value}**"),
                None => "not measured".to_owned(),
            };
            let _ = write!(text, " {cell} |");
        }
        let _ = writeln!(text);
    }
    text
}

pub(super) fn git_commit(root: &Path) -> String {
    Command::new("git")
        .current_dir(root)
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|commit| !commit.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

pub(super) fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(rps: f64, p99: f64) -> RunResult {
        RunResult {
            requests_per_sec: rps,
            p50_ms: p99 / 2.0,
            p99_ms: p99,
            requests: 1000,
            non_2xx: 0,
            socket_errors: 0,
            cache_hit_ratio: None,
        }
    }

    #[test]
    fn targets_are_judged_from_the_runs() {
        let result = BackendResult {
            backend: Backend::Sqlite,
            cold_start: Duration::from_millis(140),
            peak_rss_kib: Some(40 * 1024),
            runs: vec![
                ("/health", 64, run(10_000.0, 3.0)),
                ("department week read, open weeks", 64, run(3_000.0, 25.0)),
                ("weekly report JSON, cold", 1, run(50.0, 15.0)),
            ],
        };
        let text = render(Path::new("."), &[result], 5);
        assert!(
            text.contains(
                "| week read (open weeks) ≥ 40% of /health's req/s (64 connections) | **missed: 30%** |"
            ),
            "{text}"
        );
        assert!(text.contains(
            "| week read (open weeks) p99 < 20 ms at 64 connections | **missed: 25.0 ms** |"
        ));
        assert!(text.contains(
            "| weekly report JSON cold < 20 ms (p99, one request at a time) | met: 15.0 ms |"
        ));
        assert!(
            text.contains(
                "| choice write (open weeks) p99 < 50 ms (64 connections) | not measured |"
            )
        );
        assert!(text.contains("| peak RSS < 64 MiB | met: 40.0 MiB |"));
        assert!(text.contains("| cold start to the first /health < 100 ms | **missed: 140 ms** |"));
    }
}
