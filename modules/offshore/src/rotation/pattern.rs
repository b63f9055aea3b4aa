//! Rotation patterns as data: a repeating list of segments (nights, a swing day, days, days
//! off). A person follows one pattern from their own start offset, so crews on the same pattern
//! relieve each other.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a person does on one day of their pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    /// A day shift (07-19 by default).
    Day,
    /// A night shift starting that evening (19-07 by default).
    Night,
    /// On board between nights and days, without a shift of their own.
    Swing,
    /// At home.
    Off,
}

impl DayKind {
    /// On board: the day counts toward the offshore period.
    pub fn on_board(self) -> bool {
        !matches!(self, DayKind::Off)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Day => "day",
            DayKind::Night => "night",
            DayKind::Swing => "swing",
            DayKind::Off => "off",
        }
    }

    pub fn parse(text: &str) -> Option<DayKind> {
        [DayKind::Day, DayKind::Night, DayKind::Swing, DayKind::Off]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// `days` days of one kind in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Segment {
    pub kind: DayKind,
    #[schema(minimum = 1, maximum = 366)]
    pub days: u16,
}

/// Longest cycle a pattern may have, in days.
pub const MAX_CYCLE_DAYS: u32 = 366;
/// Most segments in one pattern.
pub const MAX_SEGMENTS: usize = 32;

/// A repeating rotation, checked: at least one working day and one day off, at most a year long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    segments: Vec<Segment>,
    /// The kind of every day of one cycle, so looking a date up is one index.
    days: Vec<DayKind>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("a pattern needs 1 to {MAX_SEGMENTS} segments")]
    SegmentCount,
    #[error("segment {index} must last at least one day")]
    EmptySegment { index: usize },
    #[error("one cycle may last at most {MAX_CYCLE_DAYS} days")]
    TooLong,
    #[error("a pattern needs at least one day or night shift")]
    NoWork,
    #[error("a pattern needs at least one day off")]
    NoRest,
}

impl PatternError {
    /// The request field the error is about.
    pub fn field(&self) -> String {
        match self {
            PatternError::EmptySegment { index } => format!("segments[{index}].days"),
            _ => "segments".to_owned(),
        }
    }
}

impl Pattern {
    pub fn new(segments: Vec<Segment>) -> Result<Pattern, PatternError> {
        if segments.is_empty() || segments.len() > MAX_SEGMENTS {
            return Err(PatternError::SegmentCount);
        }
        if let Some(index) = segments.iter().position(|s| s.days == 0) {
            return Err(PatternError::EmptySegment { index });
        }
        let total: u32 = segments.iter().map(|s| u32::from(s.days)).sum();
        if total > MAX_CYCLE_DAYS {
            return Err(PatternError::TooLong);
        }
        let has = |wanted: &[DayKind]| segments.iter().any(|s| wanted.contains(&s.kind));
        if !has(&[DayKind::Day, DayKind::Night]) {
            return Err(PatternError::NoWork);
        }
        if !has(&[DayKind::Off]) {
            return Err(PatternError::NoRest);
        }
        let days = segments
            .iter()
            .flat_map(|s| std::iter::repeat_n(s.kind, usize::from(s.days)))
            .collect();
        Ok(Pattern { segments, days })
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Days in one cycle.
    pub fn cycle_days(&self) -> i64 {
        self.days.len() as i64
    }

    /// Days on board in one cycle.
    pub fn days_on(&self) -> u32 {
        self.days.iter().filter(|kind| kind.on_board()).count() as u32
    }

    /// What someone on this pattern does on `date`, having started its first day on `start`
    /// (dates before `start` continue the cycle backwards).
    pub fn kind_on(&self, start: NaiveDate, date: NaiveDate) -> DayKind {
        let index = (date - start).num_days().rem_euclid(self.cycle_days());
        // rem_euclid of a positive length is in 0..len.
        self.days[index as usize]
    }
}

/// The named rotations kitchens start from; "custom" is any other list of segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Template {
    /// Two weeks on, four off: 7 nights, a swing day, 6 days, 28 days off.
    #[serde(rename = "2-4")]
    TwoFour,
    /// Two weeks on, three off: 7 nights, a swing day, 6 days, 21 days off.
    #[serde(rename = "2-3")]
    TwoThree,
    /// Three weeks on, three off: 21 on board is over the 14-day limit and needs a marked
    /// exception for every period.
    #[serde(rename = "3-3")]
    ThreeThree,
    /// 14 day shifts, 21 days off (a day-only crew).
    #[serde(rename = "14/21")]
    FourteenTwentyOne,
}

impl Template {
    pub const ALL: [Template; 4] = [
        Template::TwoFour,
        Template::TwoThree,
        Template::ThreeThree,
        Template::FourteenTwentyOne,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Template::TwoFour => "2-4",
            Template::TwoThree => "2-3",
            Template::ThreeThree => "3-3",
            Template::FourteenTwentyOne => "14/21",
        }
    }

    pub fn segments(self) -> Vec<Segment> {
        let seg = |kind, days| Segment { kind, days };
        match self {
            Template::TwoFour => vec![
                seg(DayKind::Night, 7),
                seg(DayKind::Swing, 1),
                seg(DayKind::Day, 6),
                seg(DayKind::Off, 28),
            ],
            Template::TwoThree => vec![
                seg(DayKind::Night, 7),
                seg(DayKind::Swing, 1),
                seg(DayKind::Day, 6),
                seg(DayKind::Off, 21),
            ],
            Template::ThreeThree => vec![
                seg(DayKind::Night, 7),
                seg(DayKind::Swing, 1),
                seg(DayKind::Day, 13),
                seg(DayKind::Off, 21),
            ],
            Template::FourteenTwentyOne => vec![seg(DayKind::Day, 14), seg(DayKind::Off, 21)],
        }
    }

    pub fn pattern(self) -> Pattern {
        match Pattern::new(self.segments()) {
            Ok(pattern) => pattern,
            // The templates are fixed data that the tests below build.
            Err(_) => unreachable!("template {} is a valid pattern", self.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn templates_have_the_lengths_their_names_say() {
        let two_four = Template::TwoFour.pattern();
        assert_eq!((two_four.cycle_days(), two_four.days_on()), (42, 14));
        let two_three = Template::TwoThree.pattern();
        assert_eq!((two_three.cycle_days(), two_three.days_on()), (35, 14));
        let three_three = Template::ThreeThree.pattern();
        assert_eq!((three_three.cycle_days(), three_three.days_on()), (42, 21));
        let day_only = Template::FourteenTwentyOne.pattern();
        assert_eq!((day_only.cycle_days(), day_only.days_on()), (35, 14));
    }

    #[test]
    fn a_2_4_rotation_runs_nights_swing_days_then_home() {
        let pattern = Template::TwoFour.pattern();
        let start = date(2026, 1, 5);
        // Day 0-6 nights, day 7 swing, day 8-13 days, day 14-41 off, day 42 nights again.
        assert_eq!(pattern.kind_on(start, date(2026, 1, 5)), DayKind::Night);
        assert_eq!(pattern.kind_on(start, date(2026, 1, 11)), DayKind::Night);
        assert_eq!(pattern.kind_on(start, date(2026, 1, 12)), DayKind::Swing);
        assert_eq!(pattern.kind_on(start, date(2026, 1, 13)), DayKind::Day);
        assert_eq!(pattern.kind_on(start, date(2026, 1, 18)), DayKind::Day);
        assert_eq!(pattern.kind_on(start, date(2026, 1, 19)), DayKind::Off);
        assert_eq!(pattern.kind_on(start, date(2026, 2, 15)), DayKind::Off);
        assert_eq!(pattern.kind_on(start, date(2026, 2, 16)), DayKind::Night);
        // Before the start the cycle runs backwards: 2026-01-04 is day 41, off; 2025-12-15 is
        // day 21 (42 - 21), off; 2025-11-24 is day 0 of the cycle before.
        assert_eq!(pattern.kind_on(start, date(2026, 1, 4)), DayKind::Off);
        assert_eq!(pattern.kind_on(start, date(2025, 11, 24)), DayKind::Night);
    }

    #[test]
    fn broken_patterns_are_refused_with_the_field() {
        let seg = |kind, days| Segment { kind, days };
        assert_eq!(Pattern::new(vec![]), Err(PatternError::SegmentCount));
        let empty = Pattern::new(vec![seg(DayKind::Day, 14), seg(DayKind::Off, 0)]).unwrap_err();
        assert_eq!(empty.field(), "segments[1].days");
        assert_eq!(
            Pattern::new(vec![seg(DayKind::Off, 28)]),
            Err(PatternError::NoWork)
        );
        assert_eq!(
            Pattern::new(vec![seg(DayKind::Day, 14)]),
            Err(PatternError::NoRest)
        );
        assert_eq!(
            Pattern::new(vec![seg(DayKind::Day, 200), seg(DayKind::Off, 167)]),
            Err(PatternError::TooLong)
        );
    }
}
