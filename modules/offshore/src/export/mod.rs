//! Files of the rota: one person's shifts as an iCalendar, the schedule as CSV and XLSX, and
//! the private calendar feeds that serve the iCalendar without a sign-in.
//!
//! The files are in English words ("Day shift", "Night shift", "Swing day"): a calendar app
//! or a spreadsheet shows them as they are, and they carry no language of their own.

pub mod feeds;
pub mod ics;
pub mod table;

use crate::rotation::pattern::DayKind;
use crate::rotation::position::Position;

/// A shift's kind in plain words.
pub fn kind_words(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Day => "Day shift",
        DayKind::Night => "Night shift",
        DayKind::Swing => "Swing day",
        DayKind::Off => "Off",
    }
}

pub fn position_words(position: Position) -> &'static str {
    match position {
        Position::Cook => "Cook",
        Position::NightCook => "Night cook",
        Position::Steward => "Steward",
        Position::ChiefSteward => "Chief steward",
    }
}
