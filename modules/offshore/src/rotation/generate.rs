//! Schedule generation: one entry per person per day on board, from each person's pattern and
//! start. Pure and allocation-light, so a year for a whole crew is checked in well under the
//! benchmark's 100 ms (`cargo xtask bench`).

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use super::pattern::{DayKind, Pattern};
use super::position::Position;
use super::shift_times::{ShiftTimes, Span, span};

/// Longest range one generation covers, in days.
pub const MAX_RANGE_DAYS: i64 = 366;

/// One person on one pattern.
#[derive(Debug, Clone, Copy)]
pub struct Assignment<'a> {
    pub crew_id: i64,
    pub position: Position,
    pub pattern: &'a Pattern,
    /// The date of the pattern's first day for this person (the site's anchor plus their
    /// offset).
    pub start: NaiveDate,
}

/// A day on board: a shift, or a swing day without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub crew_id: i64,
    pub position: Position,
    pub date: NaiveDate,
    pub kind: DayKind,
    /// When the shift is worked; `None` on a swing day.
    pub span: Option<Span>,
}

/// An inclusive range of dates, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("must not be before `from`")]
    Backwards,
    #[error("a range covers at most {MAX_RANGE_DAYS} days")]
    TooLong,
}

impl DateRange {
    pub fn new(first: NaiveDate, last: NaiveDate) -> Result<DateRange, RangeError> {
        if last < first {
            return Err(RangeError::Backwards);
        }
        if (last - first).num_days() + 1 > MAX_RANGE_DAYS {
            return Err(RangeError::TooLong);
        }
        Ok(DateRange { first, last })
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.first.iter_days().take_while(|d| *d <= self.last)
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        (self.first..=self.last).contains(&date)
    }

    /// The range widened by `days` either side, for checks that need what came before and
    /// after (a period that began earlier, the rest that follows).
    pub fn widened(&self, days: i64) -> (NaiveDate, NaiveDate) {
        (
            self.first - Duration::days(days),
            self.last + Duration::days(days),
        )
    }
}

/// Every day on board of every assignment from `first` to `last`, by person then date.
pub fn generate(
    assignments: &[Assignment<'_>],
    first: NaiveDate,
    last: NaiveDate,
    zone: Tz,
    times: &ShiftTimes,
) -> Vec<Shift> {
    let mut shifts = Vec::new();
    for assignment in assignments {
        for date in first.iter_days().take_while(|d| *d <= last) {
            let kind = assignment.pattern.kind_on(assignment.start, date);
            if !kind.on_board() {
                continue;
            }
            shifts.push(Shift {
                crew_id: assignment.crew_id,
                position: assignment.position,
                date,
                kind,
                span: times.of(kind).map(|hours| span(zone, date, hours)),
            });
        }
    }
    shifts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rotation::pattern::Template;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn one_person_on_2_4_gets_seven_nights_a_swing_day_and_six_days() {
        let pattern = Template::TwoFour.pattern();
        let oslo: Tz = "Europe/Oslo".parse().unwrap();
        let crew = [Assignment {
            crew_id: 1,
            position: Position::Cook,
            pattern: &pattern,
            start: date(2026, 1, 5),
        }];
        let shifts = generate(
            &crew,
            date(2026, 1, 1),
            date(2026, 2, 28),
            oslo,
            &ShiftTimes::default(),
        );
        // Period 1: 5-18 January. Period 2 starts 42 days later, 16 February: its 13 days up
        // to the 28th are 7 nights, the swing day (23rd) and 5 days.
        assert_eq!(shifts.len(), 14 + 13);
        let nights: Vec<_> = shifts
            .iter()
            .filter(|s| s.kind == DayKind::Night)
            .map(|s| s.date)
            .collect();
        assert_eq!(nights.first(), Some(&date(2026, 1, 5)));
        assert_eq!(nights.get(6), Some(&date(2026, 1, 11)));
        assert_eq!(nights.get(7), Some(&date(2026, 2, 16)));
        let swing: Vec<_> = shifts.iter().filter(|s| s.kind == DayKind::Swing).collect();
        assert_eq!(swing.len(), 2);
        assert_eq!(swing[0].date, date(2026, 1, 12));
        assert_eq!(swing[0].span, None);
        assert!(
            shifts
                .iter()
                .all(|s| s.date < date(2026, 1, 19) || s.date >= date(2026, 2, 16))
        );
    }

    #[test]
    fn ranges_are_checked() {
        assert_eq!(
            DateRange::new(date(2026, 2, 1), date(2026, 1, 1)),
            Err(RangeError::Backwards)
        );
        assert_eq!(
            DateRange::new(date(2026, 1, 1), date(2027, 1, 2)),
            Err(RangeError::TooLong)
        );
        let year = DateRange::new(date(2026, 1, 1), date(2026, 12, 31)).unwrap();
        assert_eq!(year.days().count(), 365);
    }
}
