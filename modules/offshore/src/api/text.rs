//! Shared input rules of the offshore API.

use chrono::NaiveDate;
use chrono_tz::Tz;
use galley_core::http::AppError;
use galley_core::http::problem::FieldError;
use galley_core::people::sites::Site;

use crate::rotation::generate::{DateRange, RangeError};

/// Whitespace collapsed; 1 to `max` characters, else an error naming `field`.
pub fn name(field: &str, text: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() || text.chars().count() > max {
        errors.push(FieldError {
            field: field.into(),
            reason: format!("must be 1 to {max} characters"),
        });
    }
    text
}

/// "HH:MM", 00:00 to 23:59, as minutes after midnight.
pub fn minute(value: &str) -> Option<i32> {
    let (hours, minutes) = value.split_once(':')?;
    let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || !digits(minutes) {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

pub fn hhmm(time: chrono::NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

/// The site's time zone (UTC if the stored name is unknown, which site validation prevents).
pub fn zone(site: &Site) -> Tz {
    site.timezone.parse().unwrap_or(chrono_tz::UTC)
}

/// `from`..=`to`, at most a year.
pub fn range(from: NaiveDate, to: NaiveDate) -> Result<DateRange, AppError> {
    DateRange::new(from, to).map_err(|e| match e {
        RangeError::Backwards => AppError::validation("to", e.to_string()),
        RangeError::TooLong => AppError::validation("to", e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_two_digit_hours_and_minutes() {
        assert_eq!(minute("07:00"), Some(420));
        assert_eq!(minute("23:59"), Some(1439));
        for bad in ["24:00", "7:00", "07:60", "", "07.00"] {
            assert_eq!(minute(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_are_collapsed_and_bounded() {
        let mut errors = Vec::new();
        assert_eq!(
            name("name", "  Ola   Nordmann ", 80, &mut errors),
            "Ola Nordmann"
        );
        assert!(errors.is_empty());
        name("name", "   ", 80, &mut errors);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "name");
    }
}
