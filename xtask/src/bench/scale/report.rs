//! `target/bench/scale.md`: the sizes, the measurements at each, the growth target judged per
//! scenario, and what the plans showed.

use std::fmt::Write;
use std::time::Duration;

use super::explain::{Findings, GROWS};
use super::rows::{TABLES, count};
use crate::bench::report::millis;
use crate::bench::wrk::RunResult;
use crate::dist::human_size;

/// p99 at the largest size may be at most this much above the smallest's.
pub const ALLOWED_GROWTH: f64 = 0.20;

/// One size of the data set and what was measured at it.
#[derive(Debug, Clone)]
pub struct SizeResult {
    pub tenants: usize,
    /// Rows in the database of each bulk table, in [`TABLES`] order.
    pub rows: [u64; 3],
    pub database_bytes: u64,
    /// This step's set-up rows through `galley seed-bench`.
    pub setup: Duration,
    /// This step's bulk rows through COPY.
    pub copy: Duration,
    /// `VACUUM (ANALYZE)` and a checkpoint after them.
    pub vacuum: Duration,
    /// (scenario title, connections, result), in run order.
    pub runs: Vec<(&'static str, usize, RunResult)>,
    /// The plans of the pass after the runs, or why there are none.
    pub plans: Result<Findings, String>,
    /// The machine's load average (1, 5, 15 minutes) before the runs: on a shared machine,
    /// what tells a quiet size from a busy one.
    pub load: String,
}

/// What the report says of its run.
#[derive(Debug, Clone)]
pub struct Context {
    pub commit: String,
    pub cpu: String,
    pub cores: usize,
    pub duration_secs: u32,
    pub server: String,
    /// Why the data set stopped growing before the sizes asked for, if it did.
    pub stopped: Option<String>,
}

/// Whether `largest` is within [`ALLOWED_GROWTH`] of `smallest`, and the change in percent.
pub fn judge(smallest: f64, largest: f64) -> (bool, f64) {
    if smallest <= 0.0 {
        return (largest <= 0.0, 0.0);
    }
    let change = (largest / smallest - 1.0) * 100.0;
    (largest <= smallest * (1.0 + ALLOWED_GROWTH), change)
}

/// The scenario titles in the order first run.
fn titles(sizes: &[SizeResult]) -> Vec<(&'static str, usize)> {
    let mut titles = Vec::new();
    for size in sizes {
        for (title, connections, _) in &size.runs {
            if !titles.contains(&(*title, *connections)) {
                titles.push((*title, *connections));
            }
        }
    }
    titles
}

fn find<'a>(size: &'a SizeResult, title: &str, connections: usize) -> Option<&'a RunResult> {
    size.runs
        .iter()
        .find(|(t, c, _)| *t == title && *c == connections)
        .map(|(_, _, run)| run)
}

/// One verdict line per scenario: p99 at the smallest and the largest size.
pub fn verdicts(sizes: &[SizeResult]) -> Vec<(String, String)> {
    let (Some(smallest), Some(largest)) = (sizes.first(), sizes.last()) else {
        return Vec::new();
    };
    titles(sizes)
        .into_iter()
        .map(|(title, connections)| {
            let what = format!(
                "{title} ({connections} conn): p99 at {} vs {}",
                largest.tenants,
                tenants(smallest.tenants),
            );
            let cell = match (
                find(smallest, title, connections),
                find(largest, title, connections),
            ) {
                _ if sizes.len() < 2 => "not judged: one size only".to_owned(),
                (Some(small), Some(large)) => {
                    let (met, change) = judge(small.p99_ms, large.p99_ms);
                    let text = format!(
                        "{} → {} ({change:+.0}%)",
                        millis(small.p99_ms),
                        millis(large.p99_ms)
                    );
                    if met {
                        format!("met: {text}")
                    } else {
                        format!("**missed: {text}**")
                    }
                }
                _ => "not measured".to_owned(),
            };
            (what, cell)
        })
        .collect()
}

pub fn render(context: &Context, sizes: &[SizeResult]) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "# Scale benchmark\n");
    let _ = writeln!(
        text,
        "Commit {}, {} ({} cores), {}. Release build; the data set grows in place in one \
         PostgreSQL database: each tenant has one kitchen of 200 departments, 15 diet types and \
         104 weeks of published menus (set up through `galley seed-bench`), and per department \
         and week one department week row, 7 lunch choices and 12 diet marks (loaded with \
         `COPY`). Every size is measured on the **first tenant** (the same data, with more \
         data around it, so the comparison isolates growth), {} s per run after a 1 s warm-up, \
         against a freshly started server: warm with the ready answers on (16 connections), \
         cold with `GALLEY_ANSWER_CACHE_MIB=0` (one connection). Cold means the application \
         builds every answer; PostgreSQL's and the OS's caches stay as they are. After loading, \
         `VACUUM (ANALYZE)` and a checkpoint (autovacuum does the former in production).\n",
        context.commit, context.cpu, context.cores, context.server, context.duration_secs,
    );
    if let Some(stopped) = &context.stopped {
        let _ = writeln!(text, "**Stopped growing early:** {stopped}\n");
    }
    let _ = writeln!(text, "## Sizes\n");
    let _ = writeln!(
        text,
        "| tenants | department weeks | choices | marks | database size | set-up (seed-bench) | COPY | VACUUM ANALYZE | seeding this step | load average before the runs |"
    );
    let _ = writeln!(text, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for size in sizes {
        let total = size.setup + size.copy + size.vacuum;
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            size.tenants,
            count(size.rows[0]),
            count(size.rows[1]),
            count(size.rows[2]),
            human_size(size.database_bytes),
            secs(size.setup),
            secs(size.copy),
            secs(size.vacuum),
            secs(total),
            size.load,
        );
    }
    let seeded: Duration = sizes.iter().map(|s| s.setup + s.copy + s.vacuum).sum();
    if let Some(largest) = sizes.last() {
        let _ = writeln!(
            text,
            "\n{}: {} rows in the three bulk tables ({}), {} on disk; seeding took {} in all.\n",
            tenants(largest.tenants),
            count(largest.rows.iter().sum()),
            TABLES
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(", "),
            human_size(largest.database_bytes),
            secs(seeded),
        );
    }
    let _ = writeln!(text, "## Measurements\n");
    let _ = writeln!(
        text,
        "| scenario | connections | tenants | req/s | p50 | p99 | from memory | requests | non-2xx | socket errors |"
    );
    let _ = writeln!(text, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (title, connections) in titles(sizes) {
        for size in sizes {
            if let Some(run) = find(size, title, connections) {
                let _ = writeln!(
                    text,
                    "| {title} | {connections} | {} | {:.0} | {} | {} | {} | {} | {} | {} |",
                    size.tenants,
                    run.requests_per_sec,
                    millis(run.p50_ms),
                    millis(run.p99_ms),
                    run.cache_hit_ratio
                        .map_or(String::new(), |r| format!("{:.0}%", r * 100.0)),
                    run.requests,
                    run.non_2xx,
                    run.socket_errors,
                );
            }
        }
    }
    let _ = writeln!(
        text,
        "\n## Growth target\n\nThe per-request cost stays flat in total data: p99 at the largest \
         size within {:.0}% of the smallest, per scenario.\n",
        ALLOWED_GROWTH * 100.0
    );
    let _ = writeln!(text, "| target | verdict |\n|---|---|");
    for (what, cell) in verdicts(sizes) {
        let _ = writeln!(text, "| {what} | {cell} |");
    }
    let _ = writeln!(text, "\n## Query plans\n");
    plans(&mut text, sizes);
    text
}

/// The plans at the largest size (sequential scans of growing tables flagged), and every
/// query's buffers per execution at each size.
fn plans(text: &mut String, sizes: &[SizeResult]) {
    let Some(largest) = sizes.last() else {
        return;
    };
    let findings = match &largest.plans {
        Ok(findings) => findings,
        Err(why) => {
            let _ = writeln!(text, "**Not checked:** {why}");
            return;
        }
    };
    let flagged = findings.flagged();
    let _ = writeln!(
        text,
        "After the runs at each size, a short pass of every scenario above against a server with \
         the ready answers off, with PostgreSQL's auto_explain logging every statement's plan \
         and the shared buffers it touched. At {}: {} distinct queries. A sequential scan of a \
         table of {GROWS} rows or more (one that grows with the data) is flagged.\n",
        tenants(largest.tenants),
        findings.queries.len()
    );
    if flagged.is_empty() {
        let _ = writeln!(text, "Flagged: none.\n");
    } else {
        let _ = writeln!(text, "**Flagged:**\n");
        for (query, scan, rows) in &flagged {
            let _ = writeln!(
                text,
                "- **{}** ({} rows), {} executions: `{}`",
                scan.describe(),
                count(*rows as u64),
                query.executions,
                shorten(&query.query, 300)
            );
        }
        let _ = writeln!(text);
    }
    let mut header = String::from("| query | scans at the largest size |");
    let mut rule = String::from("|---|---|");
    for size in sizes {
        let _ = write!(header, " buffers at {} |", size.tenants);
        rule.push_str("---:|");
    }
    let _ = writeln!(
        text,
        "Shared buffers one execution touched (hit or read), by size:\n\n{header} change |\n{rule}---:|"
    );
    let mut queries: Vec<_> = findings
        .queries
        .iter()
        .filter(|q| !q.scans.is_empty())
        .collect();
    queries.sort_by(|a, b| {
        b.buffers_per_execution()
            .total_cmp(&a.buffers_per_execution())
            .then_with(|| a.query.cmp(&b.query))
    });
    for query in queries {
        let scans: Vec<String> = query
            .scans
            .iter()
            .map(|scan| {
                let rows = findings.rows.get(&scan.relation).copied().unwrap_or(0);
                format!("{} ({} rows)", scan.describe(), count(rows.max(0) as u64))
            })
            .collect();
        let mut row = format!(
            "| `{}` | {} |",
            shorten(&query.query, 200).replace('|', "\\|"),
            scans.join("; ")
        );
        let per_size: Vec<Option<f64>> = sizes
            .iter()
            .map(|size| {
                size.plans.as_ref().ok().and_then(|plans| {
                    plans
                        .queries
                        .iter()
                        .find(|q| q.query == query.query)
                        .map(|q| q.buffers_per_execution())
                })
            })
            .collect();
        for value in &per_size {
            let _ = write!(
                row,
                " {} |",
                value.map_or("–".to_owned(), |b| format!("{b:.0}"))
            );
        }
        let change = match (
            per_size.first().copied().flatten(),
            per_size.last().copied().flatten(),
        ) {
            (Some(first), Some(last)) if sizes.len() > 1 && first > 0.0 => {
                format!("{:+.0}%", (last / first - 1.0) * 100.0)
            }
            _ => String::new(),
        };
        let _ = writeln!(text, "{row} {change} |");
    }
}

/// `1 tenant`, `10 tenants`.
pub fn tenants(n: usize) -> String {
    if n == 1 {
        "1 tenant".to_owned()
    } else {
        format!("{n} tenants")
    }
}

fn secs(duration: Duration) -> String {
    crate::util::secs(duration)
}

/// The first `max` characters of a query, on one line, a SELECT's column list left out.
fn shorten(query: &str, max: usize) -> String {
    let line = query.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = line.replace('`', "'");
    let line = match (line.strip_prefix("SELECT "), line.find(" FROM ")) {
        (Some(_), Some(from)) => format!("SELECT …{}", &line[from..]),
        _ => line,
    };
    if line.chars().count() <= max {
        line
    } else {
        format!("{}…", line.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::scale::explain::{QueryPlans, Scan};

    fn run(p99: f64) -> RunResult {
        RunResult {
            requests_per_sec: 100.0,
            p50_ms: p99 / 2.0,
            p99_ms: p99,
            requests: 500,
            non_2xx: 0,
            socket_errors: 0,
            cache_hit_ratio: None,
        }
    }

    /// Plans of one query on diet_types that touched `buffers` a time, 3 times.
    fn plans(buffers: u64) -> Result<Findings, String> {
        Ok(Findings {
            queries: vec![QueryPlans {
                query: "SELECT \"id\", \"name\" FROM diet_types WHERE site_id = $1 OR a | b".into(),
                executions: 3,
                scans: vec![Scan {
                    kind: "Seq Scan".into(),
                    relation: "diet_types".into(),
                    index: None,
                }],
                buffers: 3 * buffers,
            }],
            rows: [("diet_types".to_owned(), 15 * buffers as i64)]
                .into_iter()
                .collect(),
        })
    }

    fn size(tenants: usize, read: f64, write: f64) -> SizeResult {
        SizeResult {
            tenants,
            rows: [
                20_800 * tenants as u64,
                145_600 * tenants as u64,
                249_600 * tenants as u64,
            ],
            database_bytes: 90 << 20,
            setup: Duration::from_secs(2),
            copy: Duration::from_secs(3),
            vacuum: Duration::from_secs(1),
            runs: vec![
                ("department week read, any week, cold", 1, run(read)),
                ("choice write, open weeks", 16, run(write)),
            ],
            plans: plans(tenants as u64),
            load: "0.50 0.40 0.30".into(),
        }
    }

    #[test]
    fn growth_within_a_fifth_is_met() {
        assert!(judge(10.0, 12.0).0);
        assert!(!judge(10.0, 12.1).0);
        let (met, change) = judge(10.0, 8.0);
        assert!(met && (change + 20.0).abs() < 1e-9);
        assert!((judge(10.0, 15.0).1 - 50.0).abs() < 1e-9);
        assert!(judge(0.0, 0.0).0);
    }

    #[test]
    fn the_report_judges_the_largest_size_against_the_smallest() {
        let sizes = [
            size(1, 10.0, 20.0),
            size(10, 30.0, 20.0),
            size(100, 11.0, 25.0),
        ];
        let context = Context {
            commit: "abc1234".into(),
            cpu: "CPU".into(),
            cores: 2,
            duration_secs: 5,
            server: "PostgreSQL 15".into(),
            stopped: None,
        };
        let text = render(&context, &sizes);
        assert!(
            text.contains(
                "| department week read, any week, cold (1 conn): p99 at 100 vs 1 tenant | met: 10.0 ms → 11.0 ms (+10%) |"
            ),
            "{text}"
        );
        assert!(text.contains(
            "| choice write, open weeks (16 conn): p99 at 100 vs 1 tenant | **missed: 20.0 ms → 25.0 ms (+25%)** |"
        ));
        assert!(
            text.contains(
                "| 100 | 2.1M | 14.6M | 25.0M | 90.0 MiB | 2.0 s | 3.0 s | 1.0 s | 6.0 s | 0.50 0.40 0.30 |"
            )
        );
        assert!(text.contains(
            "| department week read, any week, cold | 1 | 10 | 100 | 15.0 ms | 30.0 ms |"
        ));
        assert!(text.contains("- **Seq Scan on diet_types** (1.5k rows), 3 executions"));
        assert!(text.contains(
            "| `SELECT … FROM diet_types WHERE site_id = $1 OR a \\| b` | Seq Scan on diet_types (1.5k rows) | 1 | 10 | 100 | +9900% |"
        ));
        let mut one = vec![size(1, 10.0, 20.0)];
        one[0].plans = Err("no log".into());
        let one = render(&context, &one);
        assert!(one.contains("not judged: one size only"));
        assert!(one.contains("**Not checked:** no log"));
    }
}
