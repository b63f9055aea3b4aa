//! Day and week summaries of the waste log.

use chrono::NaiveDate;
use num_bigint::BigInt;
use num_rational::BigRational;
use serde::Serialize;

use super::entry::WasteInput;
use super::{Meal, to_tenths};

/// Sums over some entries, with the shares of the produced quantity.
///
/// Gram sums are `i128` so that no slice of `i64` quantities can overflow them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub entries: usize,
    pub guests: u64,
    pub produced_g: i128,
    pub served_g: i128,
    pub leftover_g: i128,
    /// leftover / produced x 100, computed exactly and rounded half up to one decimal (the
    /// value is the nearest double to that one-decimal number); `None` when produced is 0.
    pub leftover_pct: Option<f64>,
    /// served / produced x 100, rounded like `leftover_pct`; `None` when produced is 0.
    pub served_pct: Option<f64>,
}

impl Totals {
    pub fn of<'a>(entries: impl IntoIterator<Item = &'a WasteInput>) -> Totals {
        let (mut count, mut guests, mut produced, mut served, mut leftover) = (0, 0, 0, 0, 0);
        for e in entries {
            count += 1;
            guests += u64::from(e.guests);
            produced += i128::from(e.produced_g);
            served += i128::from(e.served_g);
            leftover += i128::from(e.leftover_g);
        }
        Totals {
            entries: count,
            guests,
            produced_g: produced,
            served_g: served,
            leftover_g: leftover,
            leftover_pct: percent(leftover, produced),
            served_pct: percent(served, produced),
        }
    }
}

fn percent(part: i128, whole: i128) -> Option<f64> {
    (whole != 0).then(|| {
        let share = BigRational::new(BigInt::from(part) * 100, BigInt::from(whole));
        to_tenths(&share)
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MealRow {
    pub meal: Meal,
    pub totals: Totals,
}

/// One day: a row per meal that has entries (in the order lunch, dinner, night) and the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaySummary {
    pub date: NaiveDate,
    pub meals: Vec<MealRow>,
    pub total: Totals,
}

impl DaySummary {
    /// Summarises the entries dated `date`; entries of other days are left out.
    pub fn new(date: NaiveDate, entries: &[WasteInput]) -> DaySummary {
        let of_day = || entries.iter().filter(move |e| e.date == date);
        let meals = Meal::ALL
            .into_iter()
            .filter(|meal| of_day().any(|e| e.meal == *meal))
            .map(|meal| MealRow {
                meal,
                totals: Totals::of(of_day().filter(|e| e.meal == meal)),
            })
            .collect();
        DaySummary {
            date,
            meals,
            total: Totals::of(of_day()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayRow {
    pub date: NaiveDate,
    pub totals: Totals,
}

/// Seven days from `first_day` (normally an ISO week's Monday): a row for every day, also
/// the days with nothing logged (a gap in the log should show), and the week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekSummary {
    pub first_day: NaiveDate,
    pub days: Vec<DayRow>,
    pub total: Totals,
}

impl WeekSummary {
    /// Summarises the entries dated within the seven days; others are left out. Near the end
    /// of chrono's calendar the week is cut short rather than wrapped.
    pub fn new(first_day: NaiveDate, entries: &[WasteInput]) -> WeekSummary {
        let dates: Vec<NaiveDate> = first_day.iter_days().take(7).collect();
        let days = dates
            .iter()
            .map(|date| DayRow {
                date: *date,
                totals: Totals::of(entries.iter().filter(|e| e.date == *date)),
            })
            .collect();
        WeekSummary {
            first_day,
            days,
            total: Totals::of(entries.iter().filter(|e| dates.contains(&e.date))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::waste::Category;
    use crate::waste::entry::validate;
    use proptest::prelude::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default()
    }

    fn log(d: u32, meal: Meal, guests: u32, produced: i64, served: i64, left: i64) -> WasteInput {
        WasteInput {
            date: day(d),
            meal,
            category: Category::Meat,
            dish: None,
            guests,
            produced_g: produced,
            served_g: served,
            leftover_g: left,
        }
    }

    #[test]
    fn a_day_by_meal() {
        let entries = [
            log(2, Meal::Lunch, 40, 12_000, 10_500, 1_500),
            log(2, Meal::Dinner, 38, 9_000, 8_000, 1_000),
            log(2, Meal::Lunch, 40, 6_000, 5_000, 700),
            log(3, Meal::Lunch, 41, 5_000, 5_000, 0),
        ];
        let summary = DaySummary::new(day(2), &entries);
        assert_eq!(summary.meals.len(), 2);
        let lunch = &summary.meals[0];
        assert_eq!(lunch.meal, Meal::Lunch);
        // 1500 + 700 = 2200 of 18000: 12.222...% -> 12.2; 15500 of 18000: 86.111...% -> 86.1
        assert_eq!(
            (
                lunch.totals.guests,
                lunch.totals.produced_g,
                lunch.totals.leftover_g
            ),
            (80, 18_000, 2_200)
        );
        assert_eq!(lunch.totals.leftover_pct, Some(12.2));
        assert_eq!(lunch.totals.served_pct, Some(86.1));
        // Dinner: 1000 of 9000 = 11.111...% -> 11.1; 8000 of 9000 = 88.888...% -> 88.9
        assert_eq!(summary.meals[1].totals.leftover_pct, Some(11.1));
        assert_eq!(summary.meals[1].totals.served_pct, Some(88.9));
        // Day: 3200 of 27000 = 11.851...% -> 11.9; 23500 of 27000 = 87.037...% -> 87.0
        assert_eq!(summary.total.entries, 3);
        assert_eq!(summary.total.guests, 118);
        assert_eq!(summary.total.leftover_pct, Some(11.9));
        assert_eq!(summary.total.served_pct, Some(87.0));
    }

    #[test]
    fn half_a_tenth_rounds_up_and_nothing_produced_has_no_share() {
        // 1 of 2000 = 0.05% exactly -> 0.1; 1999 of 2000 = 99.95% exactly -> 100.0
        let entries = [log(2, Meal::Night, 5, 2_000, 1_999, 1)];
        let total = DaySummary::new(day(2), &entries).total;
        assert_eq!(total.leftover_pct, Some(0.1));
        assert_eq!(total.served_pct, Some(100.0));
        let empty = DaySummary::new(day(2), &[log(2, Meal::Night, 0, 0, 0, 0)]);
        assert_eq!(empty.total.leftover_pct, None);
        assert_eq!(empty.total.served_pct, None);
    }

    #[test]
    fn a_week_has_seven_days_and_leaves_out_the_rest() {
        let entries = [
            log(2, Meal::Lunch, 40, 10_000, 9_000, 1_000),
            log(4, Meal::Night, 12, 3_000, 2_000, 1_000),
            log(9, Meal::Lunch, 40, 99_000, 0, 0),
        ];
        let week = WeekSummary::new(day(2), &entries);
        assert_eq!(week.days.len(), 7);
        assert_eq!(week.days[6].date, day(8));
        assert_eq!(week.days[1].totals.entries, 0);
        assert_eq!(week.days[1].totals.leftover_pct, None);
        // 2000 of 13000 = 15.384...% -> 15.4; 11000 of 13000 = 84.615...% -> 84.6
        assert_eq!(week.total.produced_g, 13_000);
        assert_eq!(week.total.leftover_pct, Some(15.4));
        assert_eq!(week.total.served_pct, Some(84.6));
    }

    fn valid_entry() -> impl Strategy<Value = WasteInput> {
        (0u32..7, 0usize..3, 0u32..=2000, 0i64..=100_000_000).prop_flat_map(
            |(d, m, guests, produced)| {
                (0..=produced, 0..=produced).prop_map(move |(served, left)| {
                    log(2 + d, Meal::ALL[m], guests, produced, served, left)
                })
            },
        )
    }

    fn sums(rows: &[&Totals]) -> (usize, u64, i128, i128, i128) {
        rows.iter().fold((0, 0, 0, 0, 0), |s, t| {
            (
                s.0 + t.entries,
                s.1 + t.guests,
                s.2 + t.produced_g,
                s.3 + t.served_g,
                s.4 + t.leftover_g,
            )
        })
    }

    fn key(t: &Totals) -> (usize, u64, i128, i128, i128) {
        (t.entries, t.guests, t.produced_g, t.served_g, t.leftover_g)
    }

    fn in_range(p: Option<f64>) -> bool {
        p.is_none_or(|p| (0.0..=100.0).contains(&p))
    }

    proptest! {
        #[test]
        fn totals_are_the_sums_of_rows(entries in prop::collection::vec(valid_entry(), 0..30)) {
            prop_assert!(entries.iter().all(|e| validate(e).is_ok()));
            let week = WeekSummary::new(day(2), &entries);
            let rows: Vec<&Totals> = week.days.iter().map(|r| &r.totals).collect();
            prop_assert_eq!(sums(&rows), key(&week.total));
            prop_assert_eq!(week.total.entries, entries.len());
            for t in rows.iter().copied().chain([&week.total]) {
                prop_assert!(in_range(t.leftover_pct) && in_range(t.served_pct));
            }
            for row in &week.days {
                let summary = DaySummary::new(row.date, &entries);
                let meals: Vec<&Totals> = summary.meals.iter().map(|r| &r.totals).collect();
                prop_assert_eq!(sums(&meals), key(&summary.total));
                prop_assert_eq!(&summary.total, &row.totals);
                for t in meals {
                    prop_assert!(in_range(t.leftover_pct) && in_range(t.served_pct));
                }
            }
        }
    }
}
