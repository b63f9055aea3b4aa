//! How much work one file may cost. The size limits bound memory; this bounds time and the
//! text kept per cell, for inputs that are small but slow (deep or wide structures, many
//! tiny events). Parsers call [`Ticker::tick`] once per event or cell; the clock is read only
//! every [`CHECK_EVERY`] ticks, so the check costs nothing measurable.

use std::time::{Duration, Instant};

use super::FileError;

/// How long a parse may take when nobody gives a deadline.
pub const DEFAULT_PARSE_TIME: Duration = Duration::from_secs(10);

/// The most text one cell or line may hold. A dish is at most 120 characters; anything this
/// long is not a menu, and long lines are what make text handling slow.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 64 * 1024;

/// Events between two reads of the clock.
const CHECK_EVERY: u32 = 4096;

/// The limits of one parse.
#[derive(Debug, Clone, Copy)]
pub struct ParseBudget {
    /// When the parse is given up as too slow.
    pub deadline: Instant,
    /// The most bytes of text in one cell or line.
    pub max_text_bytes: usize,
}

impl Default for ParseBudget {
    fn default() -> Self {
        ParseBudget {
            deadline: Instant::now() + DEFAULT_PARSE_TIME,
            max_text_bytes: DEFAULT_MAX_TEXT_BYTES,
        }
    }
}

impl ParseBudget {
    pub(super) fn ticker(&self) -> Ticker {
        Ticker {
            deadline: self.deadline,
            count: 0,
        }
    }

    /// Refuses a cell or line longer than the text cap.
    pub(super) fn check_text(&self, text: &str) -> Result<(), FileError> {
        if text.len() > self.max_text_bytes {
            return Err(FileError::TextTooLong {
                max_kib: self.max_text_bytes / 1024,
            });
        }
        Ok(())
    }
}

/// Counts a parser's steps and reads the clock now and then.
#[derive(Debug)]
pub(super) struct Ticker {
    deadline: Instant,
    count: u32,
}

impl Ticker {
    pub fn tick(&mut self) -> Result<(), FileError> {
        self.count = self.count.wrapping_add(1);
        if self.count.is_multiple_of(CHECK_EVERY) && Instant::now() >= self.deadline {
            return Err(FileError::TooComplex);
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_deadline_stops_within_one_check_interval() {
        let budget = ParseBudget {
            deadline: Instant::now(),
            ..ParseBudget::default()
        };
        let mut ticker = budget.ticker();
        let stopped = (0..CHECK_EVERY * 2).find_map(|_| ticker.tick().err());
        assert!(matches!(stopped, Some(FileError::TooComplex)));
    }

    #[test]
    fn text_over_the_cap_is_refused() {
        let budget = ParseBudget {
            max_text_bytes: 4,
            ..ParseBudget::default()
        };
        budget.check_text("abcd").unwrap();
        assert!(matches!(
            budget.check_text("abcde"),
            Err(FileError::TextTooLong { max_kib: 0 })
        ));
    }
}
