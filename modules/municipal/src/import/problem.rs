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

/// A problem with one row or line; each variant holds what a message about it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    YearNotANumber {
        text: String,
    },
    YearOutOfRange {
        year: i32,
    },
    WeekMissing,
    /// Not a week number 1-53.
    WeekInvalid {
        text: String,
    },
    /// Week 53 of a year with 52 weeks.
    WeekNotInYear {
        week: u32,
        year: i32,
        weeks: u32,
    },
    /// "Vecka 12a": a week keyword and number, followed by more.
    WeekHeadingMalformed,
    WeekdayMissing,
    WeekdayOutOfRange {
        day: u32,
    },
    WeekdayUnknown {
        text: String,
    },
    /// "Måndag: Köttbullar": a dish on the day line, which would otherwise be lost.
    DayLineWithText,
    DayBeforeWeek,
    /// A row of a table with slot columns whose first cell names no day.
    TableRowWithoutDay,
    MealMissing,
    MealUnknown {
        text: String,
    },
    /// Lunch without 1, 2 or Dessert.
    AlternativeMissing,
    AlternativeUnknown {
        text: String,
    },
    /// The evening meal has one dish, so any alternative but the main one is wrong.
    DinnerAlternative {
        text: String,
    },
    /// A dish label (or a table column heading) that names no slot: "Alt 3".
    LabelUnknown {
        text: String,
    },
    /// "Middag", which is lunch in care homes but dinner to many.
    LabelAmbiguous,
    LabelWithoutColon,
    DishBeforeWeek,
    DishBeforeDay,
    DishMissing,
    DishTooLong {
        length: usize,
    },
    /// The file names the slot of this day twice; this is the later one.
    DuplicateSlot {
        slot: ImportSlot,
        day: u32,
        week: u32,
        year: i32,
        earlier_line: usize,
        earlier_cell: Option<CellPlace>,
    },
}

/// The stable, machine-readable name of a [`RowProblem`]; clients may branch on it. New
/// codes may be added; existing ones keep their meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    YearNotANumber,
    YearOutOfRange,
    WeekMissing,
    WeekInvalid,
    WeekNotInYear,
    WeekHeadingMalformed,
    WeekdayMissing,
    WeekdayOutOfRange,
    WeekdayUnknown,
    DayLineWithText,
    DayBeforeWeek,
    TableRowWithoutDay,
    MealMissing,
    MealUnknown,
    AlternativeMissing,
    AlternativeUnknown,
    DinnerAlternative,
    LabelUnknown,
    LabelAmbiguous,
    LabelWithoutColon,
    DishBeforeWeek,
    DishBeforeDay,
    DishMissing,
    DishTooLong,
    DuplicateSlot,
}

impl ErrorCode {
    /// The code as the JSON writes it (the serde name), for locale keys.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::YearNotANumber => "year_not_a_number",
            ErrorCode::YearOutOfRange => "year_out_of_range",
            ErrorCode::WeekMissing => "week_missing",
            ErrorCode::WeekInvalid => "week_invalid",
            ErrorCode::WeekNotInYear => "week_not_in_year",
            ErrorCode::WeekHeadingMalformed => "week_heading_malformed",
            ErrorCode::WeekdayMissing => "weekday_missing",
            ErrorCode::WeekdayOutOfRange => "weekday_out_of_range",
            ErrorCode::WeekdayUnknown => "weekday_unknown",
            ErrorCode::DayLineWithText => "day_line_with_text",
            ErrorCode::DayBeforeWeek => "day_before_week",
            ErrorCode::TableRowWithoutDay => "table_row_without_day",
            ErrorCode::MealMissing => "meal_missing",
            ErrorCode::MealUnknown => "meal_unknown",
            ErrorCode::AlternativeMissing => "alternative_missing",
            ErrorCode::AlternativeUnknown => "alternative_unknown",
            ErrorCode::DinnerAlternative => "dinner_alternative",
            ErrorCode::LabelUnknown => "label_unknown",
            ErrorCode::LabelAmbiguous => "label_ambiguous",
            ErrorCode::LabelWithoutColon => "label_without_colon",
            ErrorCode::DishBeforeWeek => "dish_before_week",
            ErrorCode::DishBeforeDay => "dish_before_day",
            ErrorCode::DishMissing => "dish_missing",
            ErrorCode::DishTooLong => "dish_too_long",
            ErrorCode::DuplicateSlot => "duplicate_slot",
        }
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
        match self {
            RowProblem::YearNotANumber { .. } => ErrorCode::YearNotANumber,
            RowProblem::YearOutOfRange { .. } => ErrorCode::YearOutOfRange,
            RowProblem::WeekMissing => ErrorCode::WeekMissing,
            RowProblem::WeekInvalid { .. } => ErrorCode::WeekInvalid,
            RowProblem::WeekNotInYear { .. } => ErrorCode::WeekNotInYear,
            RowProblem::WeekHeadingMalformed => ErrorCode::WeekHeadingMalformed,
            RowProblem::WeekdayMissing => ErrorCode::WeekdayMissing,
            RowProblem::WeekdayOutOfRange { .. } => ErrorCode::WeekdayOutOfRange,
            RowProblem::WeekdayUnknown { .. } => ErrorCode::WeekdayUnknown,
            RowProblem::DayLineWithText => ErrorCode::DayLineWithText,
            RowProblem::DayBeforeWeek => ErrorCode::DayBeforeWeek,
            RowProblem::TableRowWithoutDay => ErrorCode::TableRowWithoutDay,
            RowProblem::MealMissing => ErrorCode::MealMissing,
            RowProblem::MealUnknown { .. } => ErrorCode::MealUnknown,
            RowProblem::AlternativeMissing => ErrorCode::AlternativeMissing,
            RowProblem::AlternativeUnknown { .. } => ErrorCode::AlternativeUnknown,
            RowProblem::DinnerAlternative { .. } => ErrorCode::DinnerAlternative,
            RowProblem::LabelUnknown { .. } => ErrorCode::LabelUnknown,
            RowProblem::LabelAmbiguous => ErrorCode::LabelAmbiguous,
            RowProblem::LabelWithoutColon => ErrorCode::LabelWithoutColon,
            RowProblem::DishBeforeWeek => ErrorCode::DishBeforeWeek,
            RowProblem::DishBeforeDay => ErrorCode::DishBeforeDay,
            RowProblem::DishMissing => ErrorCode::DishMissing,
            RowProblem::DishTooLong { .. } => ErrorCode::DishTooLong,
            RowProblem::DuplicateSlot { .. } => ErrorCode::DuplicateSlot,
        }
    }
}

/// The English wording, as the API has always given it in `reason`.
impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowProblem::YearNotANumber { text } => write!(f, "year \"{text}\" is not a number"),
            RowProblem::YearOutOfRange { year } => {
                write!(f, "year {year} is not between {MIN_YEAR} and {MAX_YEAR}")
            }
            RowProblem::WeekMissing => f.write_str("the week is missing"),
            RowProblem::WeekInvalid { text } => {
                write!(f, "week \"{text}\" is not a week number 1-53")
            }
            RowProblem::WeekNotInYear { week, year, weeks } => {
                write!(
                    f,
                    "week {week} does not exist in {year}, which has {weeks} weeks"
                )
            }
            RowProblem::WeekHeadingMalformed => {
                f.write_str("a week heading looks like \"Vecka 12\" or \"Vecka 12 2026\"")
            }
            RowProblem::WeekdayMissing => f.write_str("the weekday is missing"),
            RowProblem::WeekdayOutOfRange { day } => {
                write!(f, "weekday {day} is not 1 (Monday) to 7 (Sunday)")
            }
            RowProblem::WeekdayUnknown { text } => write!(f, "unknown weekday \"{text}\""),
            RowProblem::DayLineWithText => f.write_str(
                "a day line holds only the day and its date, like \"Måndag 16/3\"; \
                 put each dish on its own line, like \"Alt 1: ...\"",
            ),
            RowProblem::DayBeforeWeek => {
                f.write_str("a day before any week heading such as \"Vecka 12\"")
            }
            RowProblem::TableRowWithoutDay => {
                f.write_str("the first cell of a table row names its day, like \"Måndag 16/3\"")
            }
            RowProblem::MealMissing => f.write_str("the meal is missing"),
            RowProblem::MealUnknown { text } => {
                write!(f, "unknown meal \"{text}\"; use Lunch or Kvällsmat")
            }
            RowProblem::AlternativeMissing => {
                f.write_str("the alternative is missing; lunch needs 1, 2 or Dessert")
            }
            RowProblem::AlternativeUnknown { text } => {
                write!(
                    f,
                    "unknown lunch alternative \"{text}\"; use 1, 2 or Dessert"
                )
            }
            RowProblem::DinnerAlternative { text } => write!(
                f,
                "the evening meal has a single dish; leave its alternative empty instead of \
                 \"{text}\""
            ),
            RowProblem::LabelUnknown { text } => write!(
                f,
                "unknown dish label \"{text}\"; use Alt 1, Alt 2, Dessert or Kväll"
            ),
            RowProblem::LabelAmbiguous => f.write_str(
                "\"Middag\" can mean lunch or the evening meal; write \"Alt 1:\" for lunch \
                 or \"Kväll:\" for the evening meal",
            ),
            RowProblem::LabelWithoutColon => {
                f.write_str("a dish line needs a colon after its label, like \"Alt 1: Köttbullar\"")
            }
            RowProblem::DishBeforeWeek => {
                f.write_str("a dish before any week heading such as \"Vecka 12\"")
            }
            RowProblem::DishBeforeDay => {
                f.write_str("a dish before any day line such as \"Måndag 16/3\"")
            }
            RowProblem::DishMissing => f.write_str("the dish is missing"),
            RowProblem::DishTooLong { length } => write!(
                f,
                "the dish is {length} characters long; at most {MAX_DISH_CHARS} are allowed"
            ),
            RowProblem::DuplicateSlot {
                slot,
                day,
                week,
                year,
                earlier_line,
                earlier_cell,
            } => {
                write!(
                    f,
                    "{} for {} of week {week} {year} is already given on line {earlier_line}",
                    slot_name(*slot),
                    weekday_name(*day)
                )?;
                match earlier_cell {
                    Some(cell) => write!(f, " ({cell})"),
                    None => Ok(()),
                }
            }
        }
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
