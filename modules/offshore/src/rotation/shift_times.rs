//! When a shift starts and ends. Times are wall-clock times in the site's time zone; a shift
//! whose end is not after its start ends the next day. The instants come from the zone's
//! rules, so a night across the autumn change lasts 13 hours and one across the spring change
//! 11 (the working-time check sees the real length).

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::pattern::DayKind;

/// A shift's wall-clock start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// The hours of each kind of shift at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShiftTimes {
    pub day: Hours,
    pub night: Hours,
}

fn at(hour: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN)
}

impl Default for ShiftTimes {
    /// Day 07-19, night 19-07.
    fn default() -> Self {
        ShiftTimes {
            day: Hours {
                start: at(7),
                end: at(19),
            },
            night: Hours {
                start: at(19),
                end: at(7),
            },
        }
    }
}

impl ShiftTimes {
    /// The hours of a kind of day; a swing day or a day off has none.
    pub fn of(&self, kind: DayKind) -> Option<Hours> {
        match kind {
            DayKind::Day => Some(self.day),
            DayKind::Night => Some(self.night),
            DayKind::Swing | DayKind::Off => None,
        }
    }
}

/// A shift's start and end as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl Span {
    pub fn length(&self) -> Duration {
        self.ends_at - self.starts_at
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }
}

/// The instants of a shift worked on `date` (starting that day) in `zone`.
pub fn span(zone: Tz, date: NaiveDate, hours: Hours) -> Span {
    let end_date = if hours.end <= hours.start {
        date.succ_opt().unwrap_or(date)
    } else {
        date
    };
    Span {
        starts_at: instant(zone, date, hours.start),
        ends_at: instant(zone, end_date, hours.end),
    }
}

/// A wall-clock time as an instant: an hour that happens twice counts from its first
/// occurrence; an hour the spring change skips is read as the same time an hour later.
fn instant(zone: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = date.and_time(time);
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        LocalResult::None => {
            let later = local + Duration::hours(1);
            match zone.from_local_datetime(&later) {
                LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
                LocalResult::None => Utc.from_utc_datetime(&local),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_night_ends_the_next_morning() {
        let oslo: Tz = "Europe/Oslo".parse().unwrap();
        let times = ShiftTimes::default();
        // 2026-01-10 is winter time (UTC+1): 19:00 local is 18:00 UTC.
        let night = span(oslo, date(2026, 1, 10), times.night);
        assert_eq!(night.starts_at, utc("2026-01-10T18:00:00Z"));
        assert_eq!(night.ends_at, utc("2026-01-11T06:00:00Z"));
        assert_eq!(night.length(), Duration::hours(12));
        // Summer time (UTC+2).
        let day = span(oslo, date(2026, 7, 1), times.day);
        assert_eq!(day.starts_at, utc("2026-07-01T05:00:00Z"));
        assert_eq!(day.length(), Duration::hours(12));
    }

    #[test]
    fn nights_across_the_clock_changes_have_their_real_length() {
        let oslo: Tz = "Europe/Oslo".parse().unwrap();
        let night = ShiftTimes::default().night;
        // Clocks go forward at 02:00 on 2026-03-29: 19:00 (UTC+1) to 07:00 (UTC+2) is 11 h.
        let spring = span(oslo, date(2026, 3, 28), night);
        assert_eq!(spring.starts_at, utc("2026-03-28T18:00:00Z"));
        assert_eq!(spring.ends_at, utc("2026-03-29T05:00:00Z"));
        assert_eq!(spring.length(), Duration::hours(11));
        // Clocks go back at 03:00 on 2026-10-25: 19:00 (UTC+2) to 07:00 (UTC+1) is 13 h.
        let autumn = span(oslo, date(2026, 10, 24), night);
        assert_eq!(autumn.length(), Duration::hours(13));
    }

    #[test]
    fn a_skipped_hour_starts_an_hour_later_and_a_doubled_one_at_its_first() {
        let oslo: Tz = "Europe/Oslo".parse().unwrap();
        let odd = Hours {
            start: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            end: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
        };
        // 02:30 does not exist on 2026-03-29; it is read as 03:30 (UTC+2) = 01:30 UTC.
        let spring = span(oslo, date(2026, 3, 29), odd);
        assert_eq!(spring.starts_at, utc("2026-03-29T01:30:00Z"));
        // 02:30 happens twice on 2026-10-25; the first is 00:30 UTC (still UTC+2).
        let autumn = span(oslo, date(2026, 10, 25), odd);
        assert_eq!(autumn.starts_at, utc("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn shifts_overlap_only_when_they_share_time() {
        let oslo: Tz = "Europe/Oslo".parse().unwrap();
        let times = ShiftTimes::default();
        let night = span(oslo, date(2026, 1, 10), times.night);
        let next_day = span(oslo, date(2026, 1, 11), times.day);
        let same_day = span(oslo, date(2026, 1, 10), times.day);
        // The night ends at 07:00 when the next day shift starts: touching is not overlapping.
        assert!(!night.overlaps(&next_day));
        // The day shift on the 10th ends at 19:00 when the night starts.
        assert!(!night.overlaps(&same_day));
        let late_day = span(
            oslo,
            date(2026, 1, 10),
            Hours {
                start: at(12),
                end: at(20),
            },
        );
        assert!(night.overlaps(&late_day));
    }
}
