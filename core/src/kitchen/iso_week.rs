//! ISO 8601 weeks, exactly: weeks run Monday to Sunday, week 1 holds the year's first Thursday,
//! and week 53 exists only in long years (2026 has one, 2027 does not). chrono's ISO calendar
//! does the arithmetic; this type makes an invalid week impossible to hold.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

/// One ISO week: a week-numbering year and a week 1-52 or 1-53.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
pub struct IsoWeek {
    pub year: i32,
    pub week: u32,
}

/// The years a week may be in: far enough either way for any kitchen's plans.
pub const MIN_YEAR: i32 = 2000;
pub const MAX_YEAR: i32 = 2100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeekError {
    #[error("week must be between 1 and {max} in {year}")]
    OutOfRange { year: i32, max: u32 },
    #[error("year must be between 2000 and 2100")]
    Year,
}

impl IsoWeek {
    /// A week that exists; `Err` says which bound it broke.
    pub fn new(year: i32, week: u32) -> Result<IsoWeek, WeekError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(WeekError::Year);
        }
        let max = weeks_in(year);
        if (1..=max).contains(&week) {
            Ok(IsoWeek { year, week })
        } else {
            Err(WeekError::OutOfRange { year, max })
        }
    }

    /// The week a date falls in (which may belong to the previous or next year).
    pub fn containing(date: NaiveDate) -> IsoWeek {
        let iso = date.iso_week();
        IsoWeek {
            year: iso.year(),
            week: iso.week(),
        }
    }

    pub fn monday(self) -> NaiveDate {
        // Valid by construction.
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).unwrap_or_default()
    }

    /// The date of day 1 (Monday) to 7 (Sunday) of the week.
    pub fn day(self, day: u32) -> Option<NaiveDate> {
        (1..=7)
            .contains(&day)
            .then(|| self.monday() + Duration::days(i64::from(day) - 1))
    }

    pub fn next(self) -> IsoWeek {
        IsoWeek::containing(self.monday() + Duration::days(7))
    }

    pub fn previous(self) -> IsoWeek {
        IsoWeek::containing(self.monday() - Duration::days(7))
    }
}

/// 53 in long years (those whose 28 December falls in week 53), else 52.
pub fn weeks_in(year: i32) -> u32 {
    NaiveDate::from_ymd_opt(year, 12, 28).map_or(52, |date| date.iso_week().week())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn week_53_exists_only_in_long_years() {
        assert_eq!(weeks_in(2026), 53);
        assert_eq!(weeks_in(2027), 52);
        assert_eq!(weeks_in(2020), 53);
        assert!(IsoWeek::new(2026, 53).is_ok());
        assert_eq!(
            IsoWeek::new(2027, 53),
            Err(WeekError::OutOfRange {
                year: 2027,
                max: 52
            })
        );
        assert!(IsoWeek::new(2026, 0).is_err());
    }

    #[test]
    fn dates_near_new_year_belong_to_the_right_week() {
        assert_eq!(
            IsoWeek::containing(date(2026, 12, 31)),
            IsoWeek {
                year: 2026,
                week: 53
            }
        );
        assert_eq!(
            IsoWeek::containing(date(2027, 1, 3)),
            IsoWeek {
                year: 2026,
                week: 53
            }
        );
        assert_eq!(
            IsoWeek::containing(date(2027, 1, 4)),
            IsoWeek {
                year: 2027,
                week: 1
            }
        );
        assert_eq!(
            IsoWeek::containing(date(2021, 1, 1)),
            IsoWeek {
                year: 2020,
                week: 53
            }
        );
        assert_eq!(
            IsoWeek::containing(date(2024, 12, 30)),
            IsoWeek {
                year: 2025,
                week: 1
            }
        );
    }

    #[test]
    fn days_and_neighbours() {
        let week = IsoWeek::new(2026, 53).unwrap();
        assert_eq!(week.monday(), date(2026, 12, 28));
        assert_eq!(week.day(7), Some(date(2027, 1, 3)));
        assert_eq!(week.day(8), None);
        assert_eq!(
            week.next(),
            IsoWeek {
                year: 2027,
                week: 1
            }
        );
        assert_eq!(
            IsoWeek {
                year: 2027,
                week: 1
            }
            .previous(),
            week
        );
    }
}
