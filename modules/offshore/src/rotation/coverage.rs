//! Cover per day against what the site requires, and people booked twice.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::generate::{DateRange, Shift};
use super::pattern::DayKind;
use super::position::Position;

/// How many people of a position a kind of shift needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cover {
    pub position: Position,
    /// `day` or `night`.
    pub kind: DayKind,
    #[schema(minimum = 0, maximum = 50)]
    pub count: u32,
}

/// One requirement on one day, with who is planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CoverLine {
    pub position: Position,
    pub kind: DayKind,
    pub required: u32,
    pub planned: u32,
}

impl CoverLine {
    pub fn short(&self) -> u32 {
        self.required.saturating_sub(self.planned)
    }
}

/// A day's cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DayCover {
    pub date: NaiveDate,
    pub lines: Vec<CoverLine>,
}

impl DayCover {
    pub fn has_gap(&self) -> bool {
        self.lines.iter().any(|line| line.short() > 0)
    }
}

/// Cover for every day of `range`, each requirement in the order given.
pub fn coverage(shifts: &[Shift], required: &[Cover], range: &DateRange) -> Vec<DayCover> {
    let mut planned: HashMap<(NaiveDate, Position, DayKind), u32> = HashMap::new();
    for shift in shifts.iter().filter(|s| range.contains(s.date)) {
        *planned
            .entry((shift.date, shift.position, shift.kind))
            .or_default() += 1;
    }
    range
        .days()
        .map(|date| DayCover {
            date,
            lines: required
                .iter()
                .map(|cover| CoverLine {
                    position: cover.position,
                    kind: cover.kind,
                    required: cover.count,
                    planned: planned
                        .get(&(date, cover.position, cover.kind))
                        .copied()
                        .unwrap_or(0),
                })
                .collect(),
        })
        .collect()
}

/// One person with two shifts on one date, or two shifts whose hours overlap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DoubleBooking {
    pub crew_id: i64,
    pub date: NaiveDate,
    /// The date of the other shift (the same date, or the day before for a night running into
    /// the next day's shift).
    pub other_date: NaiveDate,
}

/// Every double booking in `shifts`, in date order.
pub fn double_bookings(shifts: &[Shift]) -> Vec<DoubleBooking> {
    let mut by_person: BTreeMap<i64, Vec<&Shift>> = BTreeMap::new();
    for shift in shifts {
        by_person.entry(shift.crew_id).or_default().push(shift);
    }
    let mut found = Vec::new();
    for (crew_id, mut own) in by_person {
        own.sort_by_key(|s| (s.date, s.span.map(|span| span.starts_at)));
        for pair in own.windows(2) {
            let (earlier, later) = (pair[0], pair[1]);
            let overlap = match (earlier.span, later.span) {
                (Some(a), Some(b)) => a.overlaps(&b),
                _ => false,
            };
            if earlier.date == later.date || overlap {
                found.push(DoubleBooking {
                    crew_id,
                    date: later.date,
                    other_date: earlier.date,
                });
            }
        }
    }
    found.sort_by_key(|b| (b.date, b.crew_id));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rotation::generate::{Assignment, generate};
    use crate::rotation::pattern::Template;
    use crate::rotation::shift_times::{ShiftTimes, span};
    use chrono_tz::Tz;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn three_cooks_on_2_4_cover_one_night_and_one_day_except_on_swing_days() {
        // Three cooks 14 days apart on a 42-day cycle: at any date exactly one is on board.
        // Their on-board days are 7 nights, a swing day and 6 days, so each day of the cycle
        // has either one night or one day cook, never both, and a swing day has neither.
        let pattern = Template::TwoFour.pattern();
        let oslo: Tz = "Europe/Oslo".parse().unwrap();
        let anchor = date(2026, 1, 5);
        let crew: Vec<_> = (0..3)
            .map(|i| Assignment {
                crew_id: i + 1,
                position: Position::Cook,
                pattern: &pattern,
                start: anchor + chrono::Duration::days(14 * i),
            })
            .collect();
        let range = DateRange::new(date(2026, 3, 2), date(2026, 3, 15)).unwrap();
        let shifts = generate(&crew, range.first, range.last, oslo, &ShiftTimes::default());
        let need = [
            Cover {
                position: Position::Cook,
                kind: DayKind::Day,
                count: 1,
            },
            Cover {
                position: Position::Cook,
                kind: DayKind::Night,
                count: 1,
            },
        ];
        let days = coverage(&shifts, &need, &range);
        assert_eq!(days.len(), 14);
        // 2 March is day 56 = 42 + 14 of cook 1's cycle (off) and day 14 of cook 2's... cook 2
        // starts 19 January, so 2 March is its day 42 = day 0: nights 2-8 March, swing 9 March,
        // days 10-15 March.
        let march = |d| days.iter().find(|c| c.date == date(2026, 3, d)).unwrap();
        assert_eq!(march(2).lines[0].planned, 0);
        assert_eq!(march(2).lines[1].planned, 1);
        assert_eq!(march(9).lines[0].planned + march(9).lines[1].planned, 0);
        assert_eq!(march(10).lines[0].planned, 1);
        assert!(days.iter().all(DayCover::has_gap));
        assert_eq!(march(10).lines[1].short(), 1);
        assert!(double_bookings(&shifts).is_empty());
    }

    #[test]
    fn the_same_date_twice_and_overlapping_hours_are_double_bookings() {
        let oslo: Tz = "Europe/Oslo".parse().unwrap();
        let times = ShiftTimes::default();
        let shift = |d: NaiveDate, kind: DayKind| Shift {
            crew_id: 7,
            position: Position::Steward,
            date: d,
            kind,
            span: times.of(kind).map(|h| span(oslo, d, h)),
        };
        let mut late_day = shift(date(2026, 5, 2), DayKind::Day);
        // A day shift moved to 05:00-17:00 on the 2nd overlaps the night of the 1st (to 07:00).
        late_day.span = Some(span(
            oslo,
            date(2026, 5, 2),
            crate::rotation::shift_times::Hours {
                start: chrono::NaiveTime::from_hms_opt(5, 0, 0).unwrap(),
                end: chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            },
        ));
        let shifts = vec![
            shift(date(2026, 5, 1), DayKind::Night),
            late_day,
            shift(date(2026, 5, 4), DayKind::Day),
            shift(date(2026, 5, 4), DayKind::Night),
            shift(date(2026, 5, 6), DayKind::Day),
        ];
        let found = double_bookings(&shifts);
        assert_eq!(
            found,
            vec![
                DoubleBooking {
                    crew_id: 7,
                    date: date(2026, 5, 2),
                    other_date: date(2026, 5, 1)
                },
                DoubleBooking {
                    crew_id: 7,
                    date: date(2026, 5, 4),
                    other_date: date(2026, 5, 4)
                },
            ]
        );
    }
}
