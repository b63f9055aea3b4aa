//! Working-time rules, kept as data per site with Norway's defaults: an offshore period
//! ("oppholdsperiode") of at most 14 days (Framework Regulations section 42), extendable to 21
//! only as a marked exception; shifts of at most 12 hours; after each period a work-free period
//! of at least the site's minimum. Every breach names the person and the dates.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::generate::{DateRange, Shift};

/// A site's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkingTimeRules {
    /// Longest offshore period, in days.
    #[schema(minimum = 1, maximum = 28)]
    pub max_period_days: u32,
    /// Longest period when it is marked as an exception.
    #[schema(minimum = 1, maximum = 28)]
    pub max_extended_period_days: u32,
    /// Longest shift, in minutes.
    #[schema(minimum = 60, maximum = 960)]
    pub max_shift_minutes: u32,
    /// Shortest work-free period after an offshore period, in days.
    #[schema(minimum = 0, maximum = 90)]
    pub min_rest_days: u32,
}

impl Default for WorkingTimeRules {
    fn default() -> Self {
        WorkingTimeRules {
            max_period_days: 14,
            max_extended_period_days: 21,
            max_shift_minutes: 12 * 60,
            min_rest_days: 21,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("max_period_days must be 1 to 28")]
    Period,
    #[error("max_extended_period_days must be at least max_period_days and at most 28")]
    Extended,
    #[error("max_shift_minutes must be 60 to 960")]
    Shift,
    #[error("min_rest_days must be 0 to 90")]
    Rest,
}

impl RulesError {
    pub fn field(&self) -> &'static str {
        match self {
            RulesError::Period => "max_period_days",
            RulesError::Extended => "max_extended_period_days",
            RulesError::Shift => "max_shift_minutes",
            RulesError::Rest => "min_rest_days",
        }
    }
}

impl WorkingTimeRules {
    pub fn validate(&self) -> Result<(), RulesError> {
        if !(1..=28).contains(&self.max_period_days) {
            return Err(RulesError::Period);
        }
        if !(self.max_period_days..=28).contains(&self.max_extended_period_days) {
            return Err(RulesError::Extended);
        }
        if !(60..=960).contains(&self.max_shift_minutes) {
            return Err(RulesError::Shift);
        }
        if self.min_rest_days > 90 {
            return Err(RulesError::Rest);
        }
        Ok(())
    }
}

/// A rule broken, with whom and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Breach {
    /// An offshore period longer than allowed (or than an exception allows).
    PeriodTooLong {
        crew_id: i64,
        first: NaiveDate,
        last: NaiveDate,
        days: u32,
        limit: u32,
        /// The period is marked as an exception (and still too long).
        exception: bool,
    },
    /// A shift longer than allowed.
    ShiftTooLong {
        crew_id: i64,
        date: NaiveDate,
        minutes: i64,
        limit: u32,
    },
    /// Too few days off between two periods.
    RestTooShort {
        crew_id: i64,
        /// The last day of the period before.
        period_last: NaiveDate,
        /// The first day of the next period.
        next_first: NaiveDate,
        days: u32,
        minimum: u32,
    },
}

impl Breach {
    pub fn crew_id(&self) -> i64 {
        match self {
            Breach::PeriodTooLong { crew_id, .. }
            | Breach::ShiftTooLong { crew_id, .. }
            | Breach::RestTooShort { crew_id, .. } => *crew_id,
        }
    }

    /// The first date the breach covers, for sorting.
    fn first_date(&self) -> NaiveDate {
        match self {
            Breach::PeriodTooLong { first, .. } => *first,
            Breach::ShiftTooLong { date, .. } => *date,
            Breach::RestTooShort { period_last, .. } => *period_last,
        }
    }

    fn last_date(&self) -> NaiveDate {
        match self {
            Breach::PeriodTooLong { last, .. } => *last,
            Breach::ShiftTooLong { date, .. } => *date,
            Breach::RestTooShort { next_first, .. } => *next_first,
        }
    }
}

/// One person's consecutive days on board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub crew_id: i64,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Period {
    pub fn days(&self) -> u32 {
        ((self.last - self.first).num_days() + 1) as u32
    }
}

/// Every offshore period in `shifts`, by person then date.
pub fn periods(shifts: &[Shift]) -> Vec<Period> {
    let mut dates: BTreeMap<i64, Vec<NaiveDate>> = BTreeMap::new();
    for shift in shifts {
        dates.entry(shift.crew_id).or_default().push(shift.date);
    }
    let mut found = Vec::new();
    for (crew_id, mut own) in dates {
        own.sort_unstable();
        own.dedup();
        let mut current: Option<Period> = None;
        for date in own {
            current = match current {
                Some(mut period) if period.last.succ_opt() == Some(date) => {
                    period.last = date;
                    Some(period)
                }
                Some(period) => {
                    found.push(period);
                    Some(Period {
                        crew_id,
                        first: date,
                        last: date,
                    })
                }
                None => Some(Period {
                    crew_id,
                    first: date,
                    last: date,
                }),
            };
        }
        found.extend(current);
    }
    found
}

/// A period marked as an exception: the person and the period's first day.
pub type Exception = (i64, NaiveDate);

/// Checks `shifts` against `rules`, reporting the breaches that touch `range`. The shifts should
/// reach beyond the range (a period that began before it, the rest after it) so that periods
/// and rests at its edges are whole; [`DateRange::widened`] says how far.
pub fn check(
    shifts: &[Shift],
    rules: &WorkingTimeRules,
    exceptions: &[Exception],
    range: &DateRange,
) -> Vec<Breach> {
    let marked: HashSet<&Exception> = exceptions.iter().collect();
    let mut breaches = Vec::new();
    for shift in shifts {
        if let Some(span) = shift.span {
            let minutes = span.length().num_minutes();
            if minutes > i64::from(rules.max_shift_minutes) {
                breaches.push(Breach::ShiftTooLong {
                    crew_id: shift.crew_id,
                    date: shift.date,
                    minutes,
                    limit: rules.max_shift_minutes,
                });
            }
        }
    }
    let all = periods(shifts);
    for (index, period) in all.iter().enumerate() {
        let exception = marked.contains(&(period.crew_id, period.first));
        let limit = if exception {
            rules.max_extended_period_days
        } else {
            rules.max_period_days
        };
        if period.days() > limit {
            breaches.push(Breach::PeriodTooLong {
                crew_id: period.crew_id,
                first: period.first,
                last: period.last,
                days: period.days(),
                limit,
                exception,
            });
        }
        if let Some(next) = all.get(index + 1).filter(|n| n.crew_id == period.crew_id) {
            let rest = ((next.first - period.last).num_days() - 1) as u32;
            if rest < rules.min_rest_days {
                breaches.push(Breach::RestTooShort {
                    crew_id: period.crew_id,
                    period_last: period.last,
                    next_first: next.first,
                    days: rest,
                    minimum: rules.min_rest_days,
                });
            }
        }
    }
    breaches.retain(|b| b.last_date() >= range.first && b.first_date() <= range.last);
    breaches.sort_by_key(|b| (b.first_date(), b.crew_id()));
    breaches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rotation::generate::{Assignment, generate};
    use crate::rotation::pattern::{DayKind, Pattern, Segment, Template};
    use crate::rotation::position::Position;
    use crate::rotation::shift_times::ShiftTimes;
    use chrono_tz::Tz;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn oslo() -> Tz {
        "Europe/Oslo".parse().unwrap()
    }

    fn plan(pattern: &Pattern, start: NaiveDate, first: NaiveDate, last: NaiveDate) -> Vec<Shift> {
        let crew = [Assignment {
            crew_id: 1,
            position: Position::Cook,
            pattern,
            start,
        }];
        generate(&crew, first, last, oslo(), &ShiftTimes::default())
    }

    #[test]
    fn a_2_4_rotation_keeps_every_rule_outside_the_clock_change() {
        // 5-18 January on, 19 January - 15 February off (28 days), 16 February on again.
        let pattern = Template::TwoFour.pattern();
        let range = DateRange::new(date(2026, 1, 1), date(2026, 3, 15)).unwrap();
        let (first, last) = range.widened(pattern.cycle_days());
        let shifts = plan(&pattern, date(2026, 1, 5), first, last);
        assert_eq!(
            check(&shifts, &WorkingTimeRules::default(), &[], &range),
            vec![]
        );
        let found = periods(&shifts);
        assert!(found.contains(&Period {
            crew_id: 1,
            first: date(2026, 1, 5),
            last: date(2026, 1, 18)
        }));
    }

    #[test]
    fn three_weeks_on_breaches_the_period_unless_marked_and_rest_is_counted() {
        // 3-3 from 2 March: on board 2-22 March (21 days), off 23 March - 12 April (21 days).
        let pattern = Template::ThreeThree.pattern();
        let range = DateRange::new(date(2026, 3, 1), date(2026, 3, 31)).unwrap();
        let shifts = plan(
            &pattern,
            date(2026, 3, 2),
            date(2026, 2, 1),
            date(2026, 5, 31),
        );
        let breaches = check(&shifts, &WorkingTimeRules::default(), &[], &range);
        assert_eq!(
            breaches,
            vec![Breach::PeriodTooLong {
                crew_id: 1,
                first: date(2026, 3, 2),
                last: date(2026, 3, 22),
                days: 21,
                limit: 14,
                exception: false,
            }]
        );
        // Marked as an exception, 21 days is allowed.
        let marked = [(1, date(2026, 3, 2))];
        assert_eq!(
            check(&shifts, &WorkingTimeRules::default(), &marked, &range),
            vec![]
        );
        // With a 28-day minimum rest, the 21 days off before 13 April are too few. The next
        // period (13 April - 3 May) is marked too, so only the rest is reported.
        let strict = WorkingTimeRules {
            min_rest_days: 28,
            ..WorkingTimeRules::default()
        };
        let both = [(1, date(2026, 3, 2)), (1, date(2026, 4, 13))];
        let april = DateRange::new(date(2026, 4, 1), date(2026, 4, 30)).unwrap();
        assert_eq!(
            check(&shifts, &strict, &both, &april),
            vec![Breach::RestTooShort {
                crew_id: 1,
                period_last: date(2026, 3, 22),
                next_first: date(2026, 4, 13),
                days: 21,
                minimum: 28,
            }]
        );
    }

    #[test]
    fn an_exception_allows_at_most_its_own_limit() {
        // 24 days on, 20 off: too long even when marked (limit 21), and 20 < 21 days of rest.
        let pattern = Pattern::new(vec![
            Segment {
                kind: DayKind::Day,
                days: 24,
            },
            Segment {
                kind: DayKind::Off,
                days: 20,
            },
        ])
        .unwrap();
        let start = date(2026, 6, 1);
        let shifts = plan(&pattern, start, date(2026, 6, 1), date(2026, 7, 31));
        // The period from 15 July is outside the range checked.
        let range = DateRange::new(date(2026, 6, 1), date(2026, 7, 14)).unwrap();
        let breaches = check(&shifts, &WorkingTimeRules::default(), &[(1, start)], &range);
        // On 1-24 June; off 25 June - 14 July; on again from 15 July.
        assert_eq!(
            breaches,
            vec![
                Breach::PeriodTooLong {
                    crew_id: 1,
                    first: date(2026, 6, 1),
                    last: date(2026, 6, 24),
                    days: 24,
                    limit: 21,
                    exception: true,
                },
                Breach::RestTooShort {
                    crew_id: 1,
                    period_last: date(2026, 6, 24),
                    next_first: date(2026, 7, 15),
                    days: 20,
                    minimum: 21,
                },
            ]
        );
    }

    #[test]
    fn the_night_the_clocks_go_back_is_thirteen_hours() {
        // A 2-4 rotation whose nights include 24-25 October 2026 (clocks back at 03:00):
        // starting 20 October, the nights are 20-26 October.
        let pattern = Template::TwoFour.pattern();
        let range = DateRange::new(date(2026, 10, 1), date(2026, 10, 31)).unwrap();
        let shifts = plan(
            &pattern,
            date(2026, 10, 20),
            date(2026, 9, 1),
            date(2026, 12, 31),
        );
        assert_eq!(
            check(&shifts, &WorkingTimeRules::default(), &[], &range),
            vec![Breach::ShiftTooLong {
                crew_id: 1,
                date: date(2026, 10, 24),
                minutes: 13 * 60,
                limit: 720,
            }]
        );
    }

    #[test]
    fn breaches_outside_the_range_are_not_reported() {
        let pattern = Template::ThreeThree.pattern();
        let shifts = plan(
            &pattern,
            date(2026, 3, 2),
            date(2026, 2, 1),
            date(2026, 4, 30),
        );
        let april = DateRange::new(date(2026, 4, 1), date(2026, 4, 10)).unwrap();
        assert_eq!(
            check(&shifts, &WorkingTimeRules::default(), &[], &april),
            vec![]
        );
    }

    #[test]
    fn rules_are_validated() {
        let bad = WorkingTimeRules {
            max_extended_period_days: 10,
            ..WorkingTimeRules::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().field(),
            "max_extended_period_days"
        );
        assert!(WorkingTimeRules::default().validate().is_ok());
    }
}
