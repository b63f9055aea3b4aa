//! The rotation benchmark of `cargo xtask bench`: 50 crew over one year generated, with cover,
//! double bookings and the working-time checks, must take under 100 ms (issue target). Prints
//! one line per measure and exits non-zero when the median misses the target.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use galley_offshore::rotation::coverage::{Cover, coverage, double_bookings};
use galley_offshore::rotation::generate::{Assignment, DateRange, generate};
use galley_offshore::rotation::pattern::{DayKind, Template};
use galley_offshore::rotation::position::Position;
use galley_offshore::rotation::rules::{WorkingTimeRules, check};
use galley_offshore::rotation::shift_times::ShiftTimes;

const CREW: usize = 50;
const RUNS: usize = 30;
const TARGET: Duration = Duration::from_millis(100);

fn main() {
    let zone: chrono_tz::Tz = chrono_tz::Europe::Oslo;
    let patterns = [
        Template::TwoFour.pattern(),
        Template::TwoThree.pattern(),
        Template::FourteenTwentyOne.pattern(),
    ];
    let anchor = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
    let crew: Vec<Assignment<'_>> = (0..CREW)
        .map(|i| Assignment {
            crew_id: i as i64 + 1,
            position: Position::ALL[i % Position::ALL.len()],
            pattern: &patterns[i % patterns.len()],
            start: anchor + chrono::Duration::days((i as i64 * 7) % 42),
        })
        .collect();
    let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let last = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default();
    let Ok(range) = DateRange::new(first, last) else {
        eprintln!("the benchmark's range is invalid");
        std::process::exit(2);
    };
    let cover: Vec<Cover> = Position::ALL
        .iter()
        .flat_map(|position| {
            [DayKind::Day, DayKind::Night].map(|kind| Cover {
                position: *position,
                kind,
                count: 1,
            })
        })
        .collect();
    let rules = WorkingTimeRules::default();
    let times = ShiftTimes::default();
    let mut took = Vec::with_capacity(RUNS);
    let mut found = (0, 0, 0);
    for _ in 0..RUNS {
        let started = Instant::now();
        let (from, to) = range.widened(42);
        let shifts = generate(&crew, from, to, zone, &times);
        let days = coverage(&shifts, &cover, &range);
        let doubles = double_bookings(&shifts);
        let breaches = check(&shifts, &rules, &[], &range);
        took.push(started.elapsed());
        found = (
            shifts.len(),
            days.iter().filter(|d| d.has_gap()).count(),
            breaches.len() + doubles.len(),
        );
    }
    took.sort();
    let median = took[RUNS / 2];
    let verdict = if median < TARGET { "met" } else { "MISSED" };
    println!(
        "rotation: {CREW} crew over one year generated and checked ({} shifts, {} days short, {} findings): median {:.1} ms, min {:.1} ms, max {:.1} ms over {RUNS} runs; target < {} ms {verdict}",
        found.0,
        found.1,
        found.2,
        median.as_secs_f64() * 1000.0,
        took[0].as_secs_f64() * 1000.0,
        took[RUNS - 1].as_secs_f64() * 1000.0,
        TARGET.as_millis(),
    );
    if median >= TARGET {
        std::process::exit(1);
    }
}
