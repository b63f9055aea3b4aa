//! The bulk rows of the scale data set (department weeks, lunch choices, diet marks), made as
//! CSV in Rust and streamed into `psql -c "COPY ... FROM STDIN (FORMAT csv)"`, the three tables
//! side by side. Nothing is held in memory but a write buffer: a row is made, written and
//! forgotten. One COPY per tenant and table: PostgreSQL queues a foreign-key check for every
//! row and runs the queue at the end of the statement, so one COPY of 22 million marks held
//! about 700 MB in its backend and showed no progress for minutes after the last row went
//! out; a tenant's quarter of a million keeps the queue small, and the progress counts rows
//! committed.
//!
//! The values are what `galley_municipal::bench_data` writes with INSERTs (version 1, every
//! time the seed's fixed timestamp, `updated_by` left NULL, Alt 2 on Tuesdays and Thursdays
//! for every other department, the first diet at lunch and the second at dinner), widened to
//! every day of the week: seven choices and twelve marks (weekday lunches and dinners, weekend
//! lunches) per department week, as the "about 7 choices and a dozen marks" asks.
//! Every field is a number, a fixed word or a timestamp made here, so nothing needs quoting.

use std::io::{self, BufWriter, Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::bench::seed::BenchData;
use crate::util;

/// The seed's timestamp for every answer (`bench_data`'s `now`).
const SEEDED_AT: &str = "2026-01-01 00:00:00";

/// A table the scale scenario fills with COPY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    DepartmentWeeks,
    LunchChoices,
    DietMarks,
}

pub const TABLES: [Table; 3] = [
    Table::DepartmentWeeks,
    Table::LunchChoices,
    Table::DietMarks,
];

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::DepartmentWeeks => "department_weeks",
            Table::LunchChoices => "lunch_choices",
            Table::DietMarks => "diet_marks",
        }
    }

    fn columns(self) -> &'static str {
        match self {
            Table::DepartmentWeeks => {
                "department_id, year, week, version, choices_at, marks_at, updated_at"
            }
            Table::LunchChoices => "department_id, year, week, day, choice, updated_at",
            Table::DietMarks => "department_id, year, week, day, meal, diet_type_id",
        }
    }

    pub fn copy_sql(self) -> String {
        format!(
            "COPY {} ({}) FROM STDIN (FORMAT csv)",
            self.name(),
            self.columns()
        )
    }

    /// Rows per department and week.
    pub fn per_department_week(self) -> u64 {
        match self {
            Table::DepartmentWeeks => 1,
            Table::LunchChoices => 7,
            Table::DietMarks => 12,
        }
    }
}

/// Writes `tenant`'s rows of `table` as CSV, in primary-key order (department, week, day,
/// meal) so that every index grows at its right edge; the number of rows.
pub fn write_rows(table: Table, tenant: &BenchData, out: &mut impl Write) -> io::Result<u64> {
    let lunch_diet = tenant.diets.first().copied().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, "the tenant has no diet types")
    })?;
    let dinner_diet = tenant.diets.get(1).copied().unwrap_or(lunch_diet);
    let mut rows = 0;
    for (k, department) in tenant.departments.iter().enumerate() {
        for (year, week) in &tenant.weeks {
            let key = format!("{department},{year},{week}");
            match table {
                Table::DepartmentWeeks => {
                    writeln!(out, "{key},1,{SEEDED_AT},{SEEDED_AT},{SEEDED_AT}")?;
                    rows += 1;
                }
                Table::LunchChoices => {
                    for day in 1..=7 {
                        let alt = if k % 2 == 1 && (day == 2 || day == 4) {
                            "alt2"
                        } else {
                            "alt1"
                        };
                        writeln!(out, "{key},{day},{alt},{SEEDED_AT}")?;
                        rows += 1;
                    }
                }
                Table::DietMarks => {
                    // 'dinner' sorts before 'lunch'.
                    for day in 1..=7 {
                        if day <= 5 {
                            writeln!(out, "{key},{day},dinner,{dinner_diet}")?;
                            rows += 1;
                        }
                        writeln!(out, "{key},{day},lunch,{lunch_diet}")?;
                        rows += 1;
                    }
                }
            }
        }
    }
    Ok(rows)
}

/// How many rows of each table (in [`TABLES`] order) `tenants` make.
pub fn expected_rows(tenants: &[BenchData]) -> [u64; 3] {
    let department_weeks: u64 = tenants
        .iter()
        .map(|t| (t.departments.len() * t.weeks.len()) as u64)
        .sum();
    TABLES.map(|table| department_weeks * table.per_department_week())
}

/// Loads the rows of `tenants` into the database at `url`: one COPY per table, the three side
/// by side, with a progress line every `every`. The rows written per table.
pub fn copy_tenants(url: &str, tenants: &[BenchData], every: Duration) -> Result<[u64; 3], String> {
    if let Some(tenant) = tenants.iter().find(|t| t.diets.is_empty()) {
        return Err(format!(
            "seed-bench printed no diet types for site {}",
            tenant.site
        ));
    }
    let expected = expected_rows(tenants);
    let counters = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];
    let started = Instant::now();
    let results: Vec<Result<u64, String>> = thread::scope(|scope| {
        let handles: Vec<_> = TABLES
            .iter()
            .zip(&counters)
            .map(|(&table, counter)| scope.spawn(move || copy_table(url, table, tenants, counter)))
            .collect();
        let mut last = Instant::now();
        while !handles.iter().all(|h| h.is_finished()) {
            thread::sleep(Duration::from_millis(200));
            if last.elapsed() >= every {
                last = Instant::now();
                let done: Vec<u64> = counters.iter().map(|c| c.load(Ordering::Relaxed)).collect();
                println!(
                    "    COPY {}, {}",
                    progress_line(&done, &expected),
                    util::secs(started.elapsed())
                );
            }
        }
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a COPY thread panicked".to_owned()))
            })
            .collect()
    });
    let mut rows = [0; 3];
    for (slot, result) in rows.iter_mut().zip(results) {
        *slot = result?;
    }
    Ok(rows)
}

/// `department_weeks 1.2M of 2.0M, lunch_choices ...`.
fn progress_line(done: &[u64], expected: &[u64; 3]) -> String {
    TABLES
        .iter()
        .zip(done.iter().zip(expected))
        .map(|(table, (done, expected))| {
            format!("{} {} of {}", table.name(), count(*done), count(*expected))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row count for people: `850`, `415.6k`, `41.6M`.
pub fn count(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// The rows of `table` for every tenant, one COPY each; `counter` hears each committed.
fn copy_table(
    url: &str,
    table: Table,
    tenants: &[BenchData],
    counter: &AtomicU64,
) -> Result<u64, String> {
    let mut total = 0;
    for tenant in tenants {
        let rows = copy_tenant(url, table, tenant)?;
        total += rows;
        counter.fetch_add(rows, Ordering::Relaxed);
    }
    Ok(total)
}

/// One COPY of one tenant's rows: psql reads the CSV from its standard input.
fn copy_tenant(url: &str, table: Table, tenant: &BenchData) -> Result<u64, String> {
    let mut child = Command::new("psql")
        .arg(url)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", &table.copy_sql()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start psql for {}: {e}", table.name()))?;
    let stdin = child
        .stdin
        .take()
        .ok_or_else(|| format!("no standard input for psql ({})", table.name()))?;
    let mut writer = BufWriter::with_capacity(1 << 20, stdin);
    let mut failure = None;
    let written = write_rows(table, tenant, &mut writer).unwrap_or_else(|e| {
        failure = Some(e);
        0
    });
    if let Err(e) = writer.flush() {
        failure.get_or_insert(e);
    }
    drop(writer);
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let status = child
        .wait()
        .map_err(|e| format!("psql ({}): {e}", table.name()))?;
    if !status.success() {
        return Err(format!(
            "COPY into {} failed ({}): {}",
            table.name(),
            util::describe_status(status),
            stderr.trim()
        ));
    }
    match failure {
        Some(e) => Err(format!("writing the rows of {}: {e}", table.name())),
        None => Ok(written),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> BenchData {
        BenchData {
            token: "t".into(),
            site: 1,
            departments: vec![10, 11],
            weeks: vec![(2026, 52), (2026, 53)],
            mondays: vec![],
            diets: vec![7, 8, 9],
        }
    }

    fn csv(table: Table, tenant: &BenchData) -> (u64, Vec<String>) {
        let mut out = Vec::new();
        let rows = write_rows(table, tenant, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        (rows, text.lines().map(str::to_owned).collect())
    }

    #[test]
    fn department_weeks_are_version_one_at_the_seed_time() {
        let (rows, lines) = csv(Table::DepartmentWeeks, &tenant());
        assert_eq!(rows, 4);
        assert_eq!(
            lines,
            [
                "10,2026,52,1,2026-01-01 00:00:00,2026-01-01 00:00:00,2026-01-01 00:00:00",
                "10,2026,53,1,2026-01-01 00:00:00,2026-01-01 00:00:00,2026-01-01 00:00:00",
                "11,2026,52,1,2026-01-01 00:00:00,2026-01-01 00:00:00,2026-01-01 00:00:00",
                "11,2026,53,1,2026-01-01 00:00:00,2026-01-01 00:00:00,2026-01-01 00:00:00",
            ]
        );
        assert_eq!(
            Table::DepartmentWeeks.copy_sql(),
            "COPY department_weeks (department_id, year, week, version, choices_at, marks_at, updated_at) FROM STDIN (FORMAT csv)"
        );
    }

    #[test]
    fn choices_are_seven_a_week_with_alt_2_midweek_for_every_other_department() {
        let (rows, lines) = csv(Table::LunchChoices, &tenant());
        assert_eq!(rows, 2 * 2 * 7);
        assert_eq!(lines.len(), 28);
        assert_eq!(lines[0], "10,2026,52,1,alt1,2026-01-01 00:00:00");
        // The first department (index 0) keeps Alt 1 all week; the second takes Alt 2 on
        // Tuesdays and Thursdays, as bench_data seeds it.
        assert!(lines[..14].iter().all(|l| l.contains(",alt1,")));
        let second: Vec<&str> = lines[14..21]
            .iter()
            .map(|l| l.split(',').nth(4).unwrap())
            .collect();
        assert_eq!(
            second,
            ["alt1", "alt2", "alt1", "alt2", "alt1", "alt1", "alt1"]
        );
        assert_eq!(Table::LunchChoices.per_department_week(), 7);
    }

    #[test]
    fn marks_are_a_dozen_a_week_first_diet_at_lunch_second_at_dinner() {
        let (rows, lines) = csv(Table::DietMarks, &tenant());
        assert_eq!(rows, 2 * 2 * 12);
        let week: Vec<&str> = lines[..12].iter().map(String::as_str).collect();
        assert_eq!(week[0], "10,2026,52,1,dinner,8");
        assert_eq!(week[1], "10,2026,52,1,lunch,7");
        assert_eq!(week[10], "10,2026,52,6,lunch,7");
        assert_eq!(week[11], "10,2026,52,7,lunch,7");
        assert_eq!(week.iter().filter(|l| l.contains(",dinner,")).count(), 5);
        // In primary-key order: every line sorts after the one before it.
        let keys: Vec<(i64, i64, i64, i64, String)> = lines
            .iter()
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                let n = |i: usize| f[i].parse::<i64>().unwrap();
                (n(0), n(1), n(2), n(3), f[4].to_owned())
            })
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        // One diet type only: both meals mark it.
        let one = BenchData {
            diets: vec![7],
            ..tenant()
        };
        assert!(csv(Table::DietMarks, &one).1[0].ends_with(",dinner,7"));
        let none = BenchData {
            diets: vec![],
            ..tenant()
        };
        assert!(write_rows(Table::DietMarks, &none, &mut Vec::new()).is_err());
    }

    #[test]
    fn expected_rows_follow_the_shape() {
        let tenants = [tenant(), tenant()];
        assert_eq!(expected_rows(&tenants), [8, 56, 96]);
        // 100 tenants of 200 departments and 104 weeks: about 40 million choices and marks.
        let big = BenchData {
            departments: (0..200).collect(),
            weeks: (1..=52)
                .map(|w| (2025, w))
                .chain((1..=52).map(|w| (2026, w)))
                .collect(),
            ..tenant()
        };
        let [weeks, choices, marks] = expected_rows(&vec![big; 100]);
        assert_eq!(weeks, 2_080_000);
        assert_eq!(choices + marks, 39_520_000);
        assert_eq!(count(850), "850");
        assert_eq!(count(415_600), "415.6k");
        assert_eq!(count(41_600_000), "41.6M");
    }
}
