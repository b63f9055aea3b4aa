//! One person's published shifts as an iCalendar (RFC 5545): a timed event per day or night
//! shift in UTC, an all-day event per swing day.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event, EventLike, Property};

use super::kind_words;
use crate::rotation::pattern::DayKind;

/// What a calendar shows of one stored shift.
#[derive(Debug, Clone)]
pub struct CalendarShift {
    pub id: i64,
    pub date: NaiveDate,
    pub kind: DayKind,
    /// Both set for day and night shifts, neither for a swing day.
    pub span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// The UID stays the same for a shift's whole life, so a calendar app updates the event when
/// the shift changes instead of adding a second one.
pub fn uid(shift_id: i64) -> String {
    format!("offshore-shift-{shift_id}@galley")
}

/// The calendar text. `name` is what the calendar app shows as the calendar's name.
pub fn calendar(name: &str, shifts: &[CalendarShift]) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Galley//Offshore rota//EN"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .name(name);
    for shift in shifts {
        calendar.push(event(shift));
    }
    calendar.to_string()
}

fn event(shift: &CalendarShift) -> Event {
    let mut event = Event::new();
    event
        .uid(&uid(shift.id))
        .summary(kind_words(shift.kind))
        // Without a METHOD, DTSTAMP is when the shift was last changed in the store (RFC
        // 5545 3.8.7.2), which also keeps the file the same between two polls.
        .timestamp(shift.updated_at)
        .last_modified(shift.updated_at)
        .sequence(u32::try_from(shift.version.saturating_sub(1)).unwrap_or(u32::MAX));
    match shift.span {
        Some((starts_at, ends_at)) => {
            event.starts(starts_at).ends(ends_at);
        }
        // An all-day event's DTEND is the day after (it is exclusive).
        None => {
            event
                .starts(shift.date)
                .ends(shift.date + Duration::days(1));
        }
    }
    event.done()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Unfolds the text and returns each event's lines.
    fn events(text: &str) -> Vec<Vec<String>> {
        let unfolded = text.replace("\r\n ", "");
        let mut out = Vec::new();
        let mut current: Option<Vec<String>> = None;
        for line in unfolded.split("\r\n") {
            match line {
                "BEGIN:VEVENT" => current = Some(Vec::new()),
                "END:VEVENT" => out.extend(current.take()),
                _ => {
                    if let Some(lines) = current.as_mut() {
                        lines.push(line.to_owned());
                    }
                }
            }
        }
        out
    }

    #[test]
    fn shifts_are_timed_utc_events_and_swing_days_all_day() {
        let shifts = [
            CalendarShift {
                id: 41,
                date: date(2026, 10, 24),
                kind: DayKind::Night,
                span: Some((at(2026, 10, 24, 17), at(2026, 10, 25, 6))),
                version: 2,
                updated_at: at(2026, 9, 1, 8),
            },
            CalendarShift {
                id: 42,
                date: date(2026, 10, 31),
                kind: DayKind::Swing,
                span: None,
                version: 1,
                updated_at: at(2026, 9, 1, 8),
            },
        ];
        let text = calendar("Kari, Troll A", &shifts);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        assert!(text.ends_with("END:VCALENDAR\r\n"), "{text}");
        assert!(text.contains("PRODID:-//Galley//Offshore rota//EN\r\n"));
        assert!(text.contains("X-WR-CALNAME:Kari\\, Troll A\r\n"), "{text}");
        let events = events(&text);
        assert_eq!(events.len(), 2);
        let night = &events[0];
        for line in [
            "UID:offshore-shift-41@galley",
            "SUMMARY:Night shift",
            "DTSTART:20261024T170000Z",
            "DTEND:20261025T060000Z",
            "DTSTAMP:20260901T080000Z",
            "SEQUENCE:1",
        ] {
            assert!(night.iter().any(|l| l == line), "{line} in {night:?}");
        }
        let swing = &events[1];
        for line in [
            "UID:offshore-shift-42@galley",
            "SUMMARY:Swing day",
            "DTSTART;VALUE=DATE:20261031",
            "DTEND;VALUE=DATE:20261101",
        ] {
            assert!(swing.iter().any(|l| l == line), "{line} in {swing:?}");
        }
        assert_eq!(swing.iter().filter(|l| l.starts_with("UID")).count(), 1);
    }

    #[test]
    fn an_empty_range_is_still_a_calendar() {
        let text = calendar("Per", &[]);
        assert!(
            text.contains("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
            "{text}"
        );
        assert!(!text.contains("VEVENT"));
    }
}
