//! Shared input rules of the offshore API.

use chrono::NaiveDate;
use galley_core::http::AppError;
use galley_core::http::problem::FieldError;

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

pub fn hhmm(time: chrono::NaiveTime) -> String {
    time.format("%H:%M").to_string()
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
