//! Freezer rules: quantities in thousandths of their unit (integers, so that taking 0.1 kg out
//! ten times leaves exactly nothing), what may be taken out, and how close to its last day of
//! use an item is.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The most one item may hold: a million units, in thousandths.
pub const MAX_MILLI: i64 = 1_000_000_000;
/// The longest warning horizon, in days.
pub const MAX_WARN_DAYS: i64 = 365;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Kg,
    G,
    L,
    Pcs,
    Portions,
}

impl Unit {
    pub const ALL: [Unit; 5] = [Unit::Kg, Unit::G, Unit::L, Unit::Pcs, Unit::Portions];

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Kg => "kg",
            Unit::G => "g",
            Unit::L => "l",
            Unit::Pcs => "pcs",
            Unit::Portions => "portions",
        }
    }

    pub fn parse(text: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("must be a number 0 to 1000000 with at most three decimals")]
    Unreadable,
    #[error("must be more than 0")]
    NotPositive,
    #[error("is more than there is ({available})")]
    MoreThanThereIs { available: String },
}

/// A decimal text ("12", "0.250", "3.5") as thousandths, without going through a float.
/// Signs, exponents and a fourth decimal are refused.
pub fn milli_from_decimal(text: &str) -> Result<i64, QuantityError> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 7 || !digits(whole) || !digits(fraction) {
        return Err(QuantityError::Unreadable);
    }
    if fraction.len() > 3 || (text.contains('.') && fraction.is_empty()) {
        return Err(QuantityError::Unreadable);
    }
    let whole: i64 = whole.parse().map_err(|_| QuantityError::Unreadable)?;
    let padded = format!("{fraction:0<3}");
    let fraction: i64 = padded.parse().map_err(|_| QuantityError::Unreadable)?;
    let milli = whole * 1000 + fraction;
    if milli > MAX_MILLI {
        return Err(QuantityError::Unreadable);
    }
    Ok(milli)
}

/// Thousandths as the shortest decimal: 1500 is "1.5", 2000 is "2", 5 is "0.005".
pub fn decimal_from_milli(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let milli = milli.unsigned_abs();
    let (whole, fraction) = (milli / 1000, milli % 1000);
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let fraction = format!("{fraction:03}");
    format!("{sign}{whole}.{}", fraction.trim_end_matches('0'))
}

/// What is left after taking `take` out of `have`; never below zero.
pub fn take_out(have: i64, take: i64) -> Result<i64, QuantityError> {
    if take <= 0 {
        return Err(QuantityError::NotPositive);
    }
    if take > have {
        return Err(QuantityError::MoreThanThereIs {
            available: decimal_from_milli(have),
        });
    }
    Ok(have - take)
}

/// How close an item is to its last day of use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Expiry {
    /// The last day of use has passed.
    Expired,
    /// Usable, but the last day is within the warning horizon (today counts).
    ExpiresSoon,
    Fine,
}

impl Expiry {
    pub fn as_str(self) -> &'static str {
        match self {
            Expiry::Expired => "expired",
            Expiry::ExpiresSoon => "expires_soon",
            Expiry::Fine => "fine",
        }
    }
}

/// `use_by` is the last day the item may be used: it is still usable on that day.
pub fn classify(use_by: NaiveDate, today: NaiveDate, warn_days: i64) -> Expiry {
    let left = days_left(use_by, today);
    if left < 0 {
        Expiry::Expired
    } else if left <= warn_days {
        Expiry::ExpiresSoon
    } else {
        Expiry::Fine
    }
}

/// Days from `today` to the last day of use: 0 on the day itself, negative after it.
pub fn days_left(use_by: NaiveDate, today: NaiveDate) -> i64 {
    (use_by - today).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn expiry_counts_the_last_day_as_usable() {
        let today = day(10);
        assert_eq!(classify(day(9), today, 3), Expiry::Expired);
        assert_eq!(classify(day(10), today, 3), Expiry::ExpiresSoon);
        assert_eq!(classify(day(13), today, 3), Expiry::ExpiresSoon);
        assert_eq!(classify(day(14), today, 3), Expiry::Fine);
        // No horizon: only the day itself warns.
        assert_eq!(classify(day(10), today, 0), Expiry::ExpiresSoon);
        assert_eq!(classify(day(11), today, 0), Expiry::Fine);
        assert_eq!(days_left(day(9), today), -1);
    }

    #[test]
    fn decimals_become_thousandths_exactly() {
        assert_eq!(milli_from_decimal("12"), Ok(12_000));
        assert_eq!(milli_from_decimal("0.25"), Ok(250));
        assert_eq!(milli_from_decimal("3.005"), Ok(3_005));
        assert_eq!(milli_from_decimal("1000000"), Ok(MAX_MILLI));
        for bad in [
            "",
            "-1",
            "1.2345",
            "1e3",
            "1.",
            ".5",
            "1000000.001",
            "abc",
            "1,5",
        ] {
            assert_eq!(
                milli_from_decimal(bad),
                Err(QuantityError::Unreadable),
                "{bad}"
            );
        }
    }

    #[test]
    fn thousandths_print_as_the_shortest_decimal() {
        assert_eq!(decimal_from_milli(1_500), "1.5");
        assert_eq!(decimal_from_milli(2_000), "2");
        assert_eq!(decimal_from_milli(5), "0.005");
        assert_eq!(decimal_from_milli(0), "0");
        assert_eq!(decimal_from_milli(-250), "-0.25");
    }

    #[test]
    fn take_outs_add_up_and_stop_at_zero() {
        // Ten times 0.1 kg out of 1 kg leaves exactly nothing.
        let mut left = 1_000;
        for _ in 0..10 {
            left = take_out(left, 100).unwrap();
        }
        assert_eq!(left, 0);
        assert_eq!(
            take_out(left, 1),
            Err(QuantityError::MoreThanThereIs {
                available: "0".into()
            })
        );
        assert_eq!(take_out(2_500, 2_500), Ok(0));
        assert_eq!(take_out(2_500, 0), Err(QuantityError::NotPositive));
        assert_eq!(
            take_out(2_500, 2_501).unwrap_err().to_string(),
            "is more than there is (2.5)"
        );
    }
}
