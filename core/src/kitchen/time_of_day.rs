//! Times of day as kitchens type them ("07:00"), for deadlines and shift hours alike.

/// "HH:MM", 00:00 to 23:59, as minutes after midnight; anything else is none.
pub fn parse_hhmm(value: &str) -> Option<i32> {
    let (hours, minutes) = value.split_once(':')?;
    let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || !digits(minutes) {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

#[cfg(test)]
mod tests {
    use super::parse_hhmm;

    #[test]
    fn times_are_two_digit_hours_and_minutes_within_a_day() {
        assert_eq!(parse_hhmm("00:00"), Some(0));
        assert_eq!(parse_hhmm("07:00"), Some(420));
        assert_eq!(parse_hhmm("23:59"), Some(1439));
        for bad in [
            "24:00", "12:60", "9:00", "12:5", "12.00", "", "ab:cd", "12:00:00", "+1:00",
        ] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
    }
}
