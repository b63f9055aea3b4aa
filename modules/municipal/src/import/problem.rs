//! What can be wrong with one row or line of a menu file, as data: the API words it in
//! English (`Display`), the import page in the reader's language from the locale files, and
//! both name it by its stable [`ErrorCode`].

use std::fmt;

use serde::Serialize;

use super::model::ImportSlot;

/// The years a menu may name (the ISO week arithmetic and the menus share them).
pub const MIN_YEAR: i32 = 2000;
pub const MAX_YEAR: i32 = 2100;

/// The longest dish text, in characters.
pub const MAX_DISH_CHARS: usize = 120;

/// A problem with one row or line; each variant holds what a message about it needs. Its
/// `Display` is the English wording the API gives in `reason`; its [`ErrorCode`] is the
/// variant's name in snake case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(ErrorCode),
    vis(pub),
    derive(Serialize, utoipa::ToSchema, strum::IntoStaticStr),
    serde(rename_all = "snake_case"),
    strum(serialize_all = "snake_case"),
    doc = "The stable, machine-readable name of a [`RowProblem`]; clients may branch on it. \
           New codes may be added; existing ones keep their meaning."
)]
pub enum RowProblem {
    #[error("year \"{text}\" is not a number")]
    YearNotANumber { text: String },
    #[error("year {year} is not between {MIN_YEAR} and {MAX_YEAR}")]
    YearOutOfRange { year: i32 },
    #[error("the week is missing")]
    WeekMissing,
    /// Not a week number 1-53.
    #[error("week \"{text}\" is not a week number 1-53")]
    WeekInvalid { text: String },
    /// Week 53 of a year with 52 weeks.
    #[error("week {week} does not exist in {year}, which has {weeks} weeks")]
    WeekNotInYear { week: u32, year: i32, weeks: u32 },
    /// "Vecka 12a": a week keyword and number, followed by more.
    #[error("a week heading looks like \"Vecka 12\" or \"Vecka 12 2026\"")]
    WeekHeadingMalformed,
    #[error("the weekday is missing")]
    WeekdayMissing,
    #[error("weekday {day} is not 1 (Monday) to 7 (Sunday)")]
    WeekdayOutOfRange { day: u32 },
    #[error("unknown weekday \"{text}\"")]
    WeekdayUnknown { text: String },
    /// "Måndag: Köttbullar": a dish on the day line, which would otherwise be lost.
    #[error(
        "a day line holds only the day and its date, like \"Måndag 16/3\"; put each dish on \
         its own line, like \"Alt 1: ...\""
    )]
    DayLineWithText,
    #[error("a day before any week heading such as \"Vecka 12\"")]
    DayBeforeWeek,
    /// A row of a table with slot columns whose first cell names no day.
    #[error("the first cell of a table row names its day, like \"Måndag 16/3\"")]
    TableRowWithoutDay,
    #[error("the meal is missing")]
    MealMissing,
    #[error("unknown meal \"{text}\"; use Lunch or Kvällsmat")]
    MealUnknown { text: String },
    /// Lunch without 1, 2 or Dessert.
    #[error("the alternative is missing; lunch needs 1, 2 or Dessert")]
    AlternativeMissing,
    #[error("unknown lunch alternative \"{text}\"; use 1, 2 or Dessert")]
    AlternativeUnknown { text: String },
    /// The evening meal has one dish, so any alternative but the main one is wrong.
    #[error(
        "the evening meal has a single dish; leave its alternative empty instead of \"{text}\""
    )]
    DinnerAlternative { text: String },
    /// A dish label (or a table column heading) that names no slot: "Alt 3".
    #[error("unknown dish label \"{text}\"; use Alt 1, Alt 2, Dessert or Kväll")]
    LabelUnknown { text: String },
    /// "Middag", which is lunch in care homes but dinner to many.
    #[error(
        "\"Middag\" can mean lunch or the evening meal; write \"Alt 1:\" for lunch or \
         \"Kväll:\" for the evening meal"
    )]
    LabelAmbiguous,
    #[error("a dish line needs a colon after its label, like \"Alt 1: Köttbullar\"")]
    LabelWithoutColon,
    #[error("a dish before any week heading such as \"Vecka 12\"")]
    DishBeforeWeek,
    #[error("a dish before any day line such as \"Måndag 16/3\"")]
    DishBeforeDay,
    #[error("the dish is missing")]
    DishMissing,
    #[error("the dish is {length} characters long; at most {MAX_DISH_CHARS} are allowed")]
    DishTooLong { length: usize },
    /// A control character (NUL, ESC, ...) in the dish: never stored, as the database and
    /// every page would carry it on.
    #[error("the dish contains a control character, which cannot be stored")]
    ControlCharacter,
    /// The file names the slot of this day twice; this is the later one.
    #[error(
        "{} for {} of week {week} {year} is already given on line {earlier_line}{}",
        slot_name(*.slot),
        weekday_name(*.day),
        .earlier_cell.map(|cell| format!(" ({cell})")).unwrap_or_default()
    )]
    DuplicateSlot {
        slot: ImportSlot,
        day: u32,
        week: u32,
        year: i32,
        earlier_line: usize,
        earlier_cell: Option<CellPlace>,
    },
}

impl ErrorCode {
    /// The code as the JSON writes it, for locale keys.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Where in a Word document's tables a line is: the n-th table of the document (tables
/// inside a cell count as part of that cell), the row in it and the cell in that row, as a
/// person counts them, from 1 and including any heading row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CellPlace {
    pub table: usize,
    pub row: usize,
    pub column: usize,
}

impl fmt::Display for CellPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "table {}, row {}, column {}",
            self.table, self.row, self.column
        )
    }
}

impl RowProblem {
    pub fn code(&self) -> ErrorCode {
        self.into()
    }
}

fn slot_name(slot: ImportSlot) -> &'static str {
    match slot {
        ImportSlot::Alt1 => "Alt 1",
        ImportSlot::Alt2 => "Alt 2",
        ImportSlot::Dessert => "Dessert",
        ImportSlot::Dinner => "Kvällsmat",
    }
}

fn weekday_name(day: u32) -> &'static str {
    match day {
        1 => "Monday",
        2 => "Tuesday",
        3 => "Wednesday",
        4 => "Thursday",
        5 => "Friday",
        6 => "Saturday",
        _ => "Sunday",
    }
}

/// One of each problem, for tests that must cover them all.
#[cfg(test)]
pub(crate) fn every_problem() -> Vec<RowProblem> {
    let text = || "x".to_owned();
    vec![
        RowProblem::YearNotANumber { text: text() },
        RowProblem::YearOutOfRange { year: 1999 },
        RowProblem::WeekMissing,
        RowProblem::WeekInvalid { text: text() },
        RowProblem::WeekNotInYear {
            week: 53,
            year: 2027,
            weeks: 52,
        },
        RowProblem::WeekHeadingMalformed,
        RowProblem::WeekdayMissing,
        RowProblem::WeekdayOutOfRange { day: 8 },
        RowProblem::WeekdayUnknown { text: text() },
        RowProblem::DayLineWithText,
        RowProblem::DayBeforeWeek,
        RowProblem::TableRowWithoutDay,
        RowProblem::MealMissing,
        RowProblem::MealUnknown { text: text() },
        RowProblem::AlternativeMissing,
        RowProblem::AlternativeUnknown { text: text() },
        RowProblem::DinnerAlternative { text: text() },
        RowProblem::LabelUnknown { text: text() },
        RowProblem::LabelAmbiguous,
        RowProblem::LabelWithoutColon,
        RowProblem::DishBeforeWeek,
        RowProblem::DishBeforeDay,
        RowProblem::DishMissing,
        RowProblem::DishTooLong { length: 121 },
        RowProblem::ControlCharacter,
        RowProblem::DuplicateSlot {
            slot: ImportSlot::Alt1,
            day: 1,
            week: 12,
            year: 2026,
            earlier_line: 2,
            earlier_cell: None,
        },
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_distinct_and_named_as_serde_names_it() {
        let codes: Vec<ErrorCode> = every_problem().iter().map(RowProblem::code).collect();
        let mut names: Vec<&str> = codes.iter().map(|code| code.as_str()).collect();
        for (code, name) in codes.iter().zip(&names) {
            assert_eq!(serde_json::to_value(code).unwrap(), *name);
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), codes.len());
    }

    #[test]
    fn english_wording() {
        let duplicate = RowProblem::DuplicateSlot {
            slot: ImportSlot::Dinner,
            day: 5,
            week: 15,
            year: 2026,
            earlier_line: 7,
            earlier_cell: Some(CellPlace {
                table: 1,
                row: 6,
                column: 5,
            }),
        };
        assert_eq!(
            duplicate.to_string(),
            "Kvällsmat for Friday of week 15 2026 is already given on line 7 \
             (table 1, row 6, column 5)"
        );
        assert_eq!(
            RowProblem::WeekNotInYear {
                week: 53,
                year: 2027,
                weeks: 52
            }
            .to_string(),
            "week 53 does not exist in 2027, which has 52 weeks"
        );
    }
}
