//! The plans of every query the measured requests send, at the largest size: PostgreSQL's
//! `auto_explain`, loaded for the scale database's new sessions only (`ALTER DATABASE ... SET
//! session_preload_libraries`), logs each statement's plan to the server log during a short
//! pass of the scenarios; this reads them back and flags sequential scans of tables that grow
//! with the data.
//!
//! The pass runs at every size with `log_analyze` and `log_buffers` on (and `log_timing` off,
//! which costs little): the buffers a query's execution touched are a measure of its cost that
//! wall-clock noise does not blur, so the report can show which query grows, and by how much,
//! from the smallest size to the largest.
//!
//! The plans are logged as text rather than JSON: one node a line (`Seq Scan on diet_marks`,
//! `Index Scan using lunch_choices_pkey on lunch_choices`) reads with std alone, and the JSON
//! format would need a JSON reader in xtask for nothing more.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A table with at least this many rows at the largest size grows with the data (at one
/// tenant every tenant-scoped table is far smaller): a sequential scan of it is flagged.
pub const GROWS: i64 = 1_000;

/// One node of a plan that reads a table or an index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Scan {
    /// `Seq Scan`, `Index Scan`, `Index Only Scan`, `Bitmap Heap Scan`, ...
    pub kind: String,
    pub relation: String,
    pub index: Option<String>,
}

impl Scan {
    pub fn describe(&self) -> String {
        match &self.index {
            Some(index) => format!("{} on {} ({index})", self.kind, self.relation),
            None => format!("{} on {}", self.kind, self.relation),
        }
    }
}

/// A distinct query of the pass, how often its plan was logged, and every scan its plans
/// used (a prepared statement's custom and generic plans both count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPlans {
    pub query: String,
    pub executions: u64,
    pub scans: Vec<Scan>,
    /// Shared buffers hit or read by all executions (the top node's `Buffers:` line).
    pub buffers: u64,
}

impl QueryPlans {
    /// Shared buffers one execution touched, on average.
    pub fn buffers_per_execution(&self) -> f64 {
        self.buffers as f64 / self.executions.max(1) as f64
    }
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Findings {
    /// The queries, most executed first.
    pub queries: Vec<QueryPlans>,
    /// Rows per table (the planner's estimate after ANALYZE).
    pub rows: BTreeMap<String, i64>,
}

impl Findings {
    /// Sequential scans of tables that grow with the data: (query, table, rows).
    pub fn flagged(&self) -> Vec<(&QueryPlans, &Scan, i64)> {
        let mut flagged = Vec::new();
        for query in &self.queries {
            for scan in &query.scans {
                let rows = self.rows.get(&scan.relation).copied().unwrap_or(0);
                if scan.kind.ends_with("Seq Scan") && rows >= GROWS {
                    flagged.push((query, scan, rows));
                }
            }
        }
        flagged
    }
}

/// The server's log file: `pg_current_logfile()` when the logging collector runs, else
/// Debian's `/var/log/postgresql/postgresql-MAJOR-main.log` (where pg_ctlcluster sends the
/// server's output).
pub fn log_file(current_logfile: &str, data_directory: &str, version_num: &str) -> PathBuf {
    let current = current_logfile.trim();
    if !current.is_empty() {
        let path = Path::new(current);
        return if path.is_absolute() {
            path.to_path_buf()
        } else {
            Path::new(data_directory.trim()).join(path)
        };
    }
    let major = version_num.trim().parse::<u32>().map_or(15, |n| n / 10_000);
    PathBuf::from(format!("/var/log/postgresql/postgresql-{major}-main.log"))
}

/// The log's length now, to read what comes after it.
pub fn log_end(path: &Path) -> Result<u64, String> {
    fs::metadata(path)
        .map(|meta| meta.len())
        .map_err(|e| format!("cannot read the PostgreSQL log {}: {e}", path.display()))
}

/// What was logged after `from` (from the start if the log was rotated meanwhile).
pub fn log_since(path: &Path, from: u64) -> Result<String, String> {
    let failed = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let mut file = fs::File::open(path).map_err(failed)?;
    let len = file.metadata().map_err(failed)?.len();
    let start = if len >= from { from } else { 0 };
    file.seek(SeekFrom::Start(start)).map_err(failed)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(failed)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The plans auto_explain logged (text format) for sessions of `database`, grouped by query.
/// An entry starts with a line of the log prefix (`... user@database LOG:  duration: ...
/// plan:`); its lines that follow start with a tab.
pub fn plans_in_log(text: &str, database: &str) -> Vec<QueryPlans> {
    let marker = format!("@{database} ");
    let mut by_query: BTreeMap<String, QueryPlans> = BTreeMap::new();
    // The entry being read, and whether its buffers were counted.
    let mut current: Option<(QueryPlans, bool)> = None;
    let mut finish = |entry: Option<(QueryPlans, bool)>| {
        if let Some((entry, _)) = entry
            && !entry.query.is_empty()
        {
            let slot = by_query
                .entry(entry.query.clone())
                .or_insert_with(|| QueryPlans {
                    query: entry.query.clone(),
                    executions: 0,
                    scans: Vec::new(),
                    buffers: 0,
                });
            slot.executions += 1;
            slot.buffers += entry.buffers;
            for scan in entry.scans {
                if !slot.scans.contains(&scan) {
                    slot.scans.push(scan);
                }
            }
        }
    };
    for line in text.lines() {
        if let Some(body) = line.strip_prefix('\t') {
            if let Some((entry, counted)) = current.as_mut() {
                let body = body.trim();
                if let Some(text) = body.strip_prefix("Query Text:") {
                    entry.query = text.trim().to_owned();
                } else if let Some(scan) = scan_of(body) {
                    entry.scans.push(scan);
                } else if let Some(buffers) = buffers_of(body)
                    && !*counted
                {
                    // The first `Buffers:` line is the top node's, which counts its children.
                    entry.buffers = buffers;
                    *counted = true;
                }
            }
            continue;
        }
        finish(current.take());
        if line.contains(&marker) && line.contains("LOG:") && line.trim_end().ends_with("plan:") {
            let entry = QueryPlans {
                query: String::new(),
                executions: 1,
                scans: Vec::new(),
                buffers: 0,
            };
            current = Some((entry, false));
        }
    }
    finish(current.take());
    let mut queries: Vec<QueryPlans> = by_query
        .into_values()
        .map(|mut plans| {
            plans.scans.sort();
            plans
        })
        .collect();
    queries.sort_by(|a, b| {
        b.executions
            .cmp(&a.executions)
            .then_with(|| a.query.cmp(&b.query))
    });
    queries
}

/// The scan on one line of a text plan, if it is one: `->  Index Scan using pk on t  (cost=`.
fn scan_of(line: &str) -> Option<Scan> {
    let node = line.trim_start_matches("->").trim();
    let node = node.split("  (").next().unwrap_or(node);
    const KINDS: [&str; 7] = [
        "Parallel Seq Scan",
        "Seq Scan",
        "Index Only Scan Backward",
        "Index Only Scan",
        "Index Scan Backward",
        "Index Scan",
        "Bitmap Heap Scan",
    ];
    for kind in KINDS {
        let Some(rest) = node.strip_prefix(kind) else {
            continue;
        };
        let (index, rest) = match rest.strip_prefix(" using ") {
            Some(after) => {
                let (index, rest) = after.split_once(' ')?;
                (Some(index.to_owned()), format!(" {rest}"))
            }
            None => (None, rest.to_owned()),
        };
        let relation = rest.strip_prefix(" on ")?.split_whitespace().next()?;
        return Some(Scan {
            kind: kind.to_owned(),
            relation: relation.trim_matches('"').to_owned(),
            index,
        });
    }
    None
}

/// Shared buffers hit and read on a `Buffers: shared hit=817 read=3 dirtied=1` line.
fn buffers_of(line: &str) -> Option<u64> {
    let shared = line
        .strip_prefix("Buffers:")?
        .trim()
        .strip_prefix("shared ")?;
    Some(
        shared
            .split_whitespace()
            .take_while(|word| word.contains('='))
            .filter_map(|word| {
                let (what, n) = word.split_once('=')?;
                let n = n.trim_end_matches(',').parse::<u64>().ok()?;
                matches!(what, "hit" | "read").then_some(n)
            })
            .sum(),
    )
}

/// Reads `relname|rows` lines (psql `-At`) into a map.
pub fn row_counts(text: &str) -> BTreeMap<String, i64> {
    text.lines()
        .filter_map(|line| {
            let (name, rows) = line.trim().split_once('|')?;
            Some((name.to_owned(), rows.trim().parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "2026-12-07 20:05:20.600 UTC [12000] postgres@postgres LOG:  duration: 1.0 ms  plan:
\tQuery Text: SELECT 1 FROM other
\tSeq Scan on other  (cost=0.00..1.00 rows=1 width=4)
2026-12-07 20:05:20.623 UTC [12509] postgres@galley_scale LOG:  duration: 0.052 ms  plan:
\tQuery Text: SELECT \"lunch_choices\".\"day\" FROM \"lunch_choices\" WHERE \"lunch_choices\".\"department_id\" = $1
\tIndex Scan using lunch_choices_pkey on lunch_choices  (cost=0.56..8.58 rows=1 width=20) (actual rows=7 loops=1)
\t  Index Cond: (department_id = $1)
\t  Buffers: shared hit=4 read=2
2026-12-07 20:05:20.624 UTC [12509] postgres@galley_scale LOG:  duration: 0.050 ms  plan:
\tQuery Text: SELECT \"lunch_choices\".\"day\" FROM \"lunch_choices\" WHERE \"lunch_choices\".\"department_id\" = $1
\tIndex Only Scan using lunch_choices_pkey on lunch_choices  (cost=0.56..4.58 rows=1 width=20)
\t  Buffers: shared hit=4
2026-12-07 20:05:20.625 UTC [12510] postgres@galley_scale LOG:  duration: 3.1 ms  plan:
\tQuery Text: SELECT * FROM diet_types d JOIN departments ON true WHERE d.site_id = $1
\tNested Loop  (cost=0.00..20.00 rows=1000 width=36)
\t  Buffers: shared hit=30 dirtied=2
\t  ->  Seq Scan on diet_types d  (cost=0.00..10.00 rows=15 width=36)
\t        Filter: (site_id = $1)
\t        Buffers: shared hit=10
\t  ->  Bitmap Heap Scan on departments  (cost=4.00..9.00 rows=200 width=36)
\t        ->  Bitmap Index Scan on departments_site  (cost=0.00..4.00 rows=200 width=0)
2026-12-07 20:05:20.700 UTC [12511] postgres@galley_scale LOG:  connection authorized
2026-12-07 20:05:21.000 UTC [12511] postgres@galley_scale LOG:  duration: 0.010 ms  plan:
\tQuery Text: SELECT * FROM tenants WHERE id = $1
\tSeq Scan on tenants  (cost=0.00..1.01 rows=1 width=36)
";

    #[test]
    fn reads_the_plans_of_the_database_grouped_by_query() {
        let queries = plans_in_log(LOG, "galley_scale");
        assert_eq!(queries.len(), 3, "{queries:#?}");
        assert_eq!(queries[0].executions, 2);
        assert!(queries[0].query.contains("\"lunch_choices\".\"day\""));
        assert_eq!(
            queries[0]
                .scans
                .iter()
                .map(Scan::describe)
                .collect::<Vec<_>>(),
            [
                "Index Only Scan on lunch_choices (lunch_choices_pkey)",
                "Index Scan on lunch_choices (lunch_choices_pkey)"
            ]
        );
        assert_eq!(queries[0].buffers, 10);
        assert!((queries[0].buffers_per_execution() - 5.0).abs() < 1e-9);
        let join = queries
            .iter()
            .find(|q| q.query.contains("diet_types"))
            .unwrap();
        assert_eq!(join.buffers, 30);
        assert_eq!(
            join.scans.iter().map(Scan::describe).collect::<Vec<_>>(),
            ["Bitmap Heap Scan on departments", "Seq Scan on diet_types"]
        );
        // Another database's plans are not ours.
        assert!(queries.iter().all(|q| !q.query.contains("other")));
    }

    #[test]
    fn flags_sequential_scans_of_tables_that_grow() {
        let findings = Findings {
            queries: plans_in_log(LOG, "galley_scale"),
            rows: row_counts("diet_types|1500\ntenants|100\nlunch_choices|14560000\n"),
        };
        let flagged: Vec<String> = findings
            .flagged()
            .iter()
            .map(|(_, scan, rows)| format!("{} {rows}", scan.describe()))
            .collect();
        // tenants (100 rows) stays under the line; diet_types (1,500) is over it.
        assert_eq!(flagged, ["Seq Scan on diet_types 1500"]);
    }

    #[test]
    fn finds_the_log_file() {
        assert_eq!(
            log_file("", "/var/lib/postgresql/15/main", "150020"),
            PathBuf::from("/var/log/postgresql/postgresql-15-main.log")
        );
        assert_eq!(
            log_file("log/postgresql.log", "/data", "160001"),
            PathBuf::from("/data/log/postgresql.log")
        );
        assert_eq!(
            log_file("/srv/pg.log\n", "/data", "160001"),
            PathBuf::from("/srv/pg.log")
        );
    }
}
