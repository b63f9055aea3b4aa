//! A menu file's row errors in the reader's language. Each problem has its message in the
//! menu locale files under `row_error_{code}` (the code the API gives), with `{name}` holes
//! for its data; where the error is in a Word document follows in brackets.

use galley_core::web::Page;

use crate::import::model::{ImportError, ImportSlot, RowProblem};
use crate::import::problem::{CellPlace, MAX_DISH_CHARS, MAX_YEAR, MIN_YEAR};

/// The error as the import page shows it: `Okänd veckodag ”Tosdag”.`, and for a Word line
/// `(i tabell 1, rad 3, kolumn 2: ”Tosdag”)` after it.
pub fn row_error_text(page: &Page, error: &ImportError) -> String {
    let message = problem_text(page, &error.problem);
    let place = match (&error.cell, &error.quote) {
        (None, None) => return message,
        (None, Some(quote)) => fill(page, "row_error_in_line", &[("text", quote.clone())]),
        (Some(cell), None) => fill(page, "row_error_in_cell", &cell_values(*cell)),
        (Some(cell), Some(quote)) => {
            let mut values = cell_values(*cell);
            values.push(("text", quote.clone()));
            fill(page, "row_error_in_cell_text", &values)
        }
    };
    format!("{message} ({place})")
}

fn problem_text(page: &Page, problem: &RowProblem) -> String {
    let key = format!("row_error_{}", problem.code().as_str());
    fill(page, &key, &values(page, problem))
}

/// The menu text under `key` with each `{name}` replaced by its value.
fn fill(page: &Page, key: &str, values: &[(&str, String)]) -> String {
    let mut text = page.t(&format!("municipal.menus.{key}")).to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

fn cell_values(cell: CellPlace) -> Vec<(&'static str, String)> {
    vec![
        ("table", cell.table.to_string()),
        ("row", cell.row.to_string()),
        ("column", cell.column.to_string()),
    ]
}

/// What the message of `problem` fills its holes with.
fn values(page: &Page, problem: &RowProblem) -> Vec<(&'static str, String)> {
    match problem {
        RowProblem::YearNotANumber { text }
        | RowProblem::WeekInvalid { text }
        | RowProblem::WeekdayUnknown { text }
        | RowProblem::MealUnknown { text }
        | RowProblem::AlternativeUnknown { text }
        | RowProblem::DinnerAlternative { text }
        | RowProblem::LabelUnknown { text } => vec![("text", text.clone())],
        RowProblem::YearOutOfRange { year } => vec![
            ("year", year.to_string()),
            ("min", MIN_YEAR.to_string()),
            ("max", MAX_YEAR.to_string()),
        ],
        RowProblem::WeekNotInYear { week, year, weeks } => vec![
            ("week", week.to_string()),
            ("year", year.to_string()),
            ("weeks", weeks.to_string()),
        ],
        RowProblem::WeekdayOutOfRange { day } => vec![("day", day.to_string())],
        RowProblem::DishTooLong { length } => vec![
            ("length", length.to_string()),
            ("max", MAX_DISH_CHARS.to_string()),
        ],
        RowProblem::DuplicateSlot {
            slot,
            day,
            week,
            year,
            earlier_line,
            earlier_cell,
        } => {
            let line = match earlier_cell {
                Some(cell) => format!(
                    "{earlier_line} ({})",
                    fill(page, "row_error_cell", &cell_values(*cell))
                ),
                None => earlier_line.to_string(),
            };
            vec![
                ("slot", page.t(slot_key(*slot)).to_owned()),
                (
                    "day",
                    page.t(&format!("municipal.menus.day_{day}")).to_owned(),
                ),
                ("week", week.to_string()),
                ("year", year.to_string()),
                ("line", line),
            ]
        }
        RowProblem::WeekMissing
        | RowProblem::WeekHeadingMalformed
        | RowProblem::WeekdayMissing
        | RowProblem::DayLineWithText
        | RowProblem::DayBeforeWeek
        | RowProblem::TableRowWithoutDay
        | RowProblem::MealMissing
        | RowProblem::AlternativeMissing
        | RowProblem::LabelAmbiguous
        | RowProblem::LabelWithoutColon
        | RowProblem::ControlCharacter
        | RowProblem::DishBeforeWeek
        | RowProblem::DishBeforeDay
        | RowProblem::DishMissing => Vec::new(),
    }
}

fn slot_key(slot: ImportSlot) -> &'static str {
    match slot {
        ImportSlot::Alt1 => "municipal.menus.slot_alt1",
        ImportSlot::Alt2 => "municipal.menus.slot_alt2",
        ImportSlot::Dessert => "municipal.menus.slot_dessert",
        ImportSlot::Dinner => "municipal.menus.slot_dinner",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::collections::BTreeSet;

    use crate::import::problem::every_problem;

    const SV: &str = include_str!("../../../locales/menus.sv.toml");
    const EN: &str = include_str!("../../../locales/menus.en.toml");

    /// `name = "text"` lines of a locale file: (name, text).
    fn entries(file: &str) -> Vec<(&str, &str)> {
        file.lines()
            .filter_map(|line| line.split_once(" = "))
            .map(|(name, text)| (name.trim(), text.trim()))
            .collect()
    }

    fn holes(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    /// Every problem has a message in both languages, and both have the same holes.
    #[test]
    fn every_problem_has_a_message_in_swedish_and_english() {
        let (sv, en) = (entries(SV), entries(EN));
        let text = |entries: &[(&str, &str)], name: &str| {
            entries
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, text)| text.to_string())
        };
        for problem in every_problem() {
            let name = format!("row_error_{}", problem.code().as_str());
            let (Some(sv), Some(en)) = (text(&sv, &name), text(&en, &name)) else {
                panic!("{name} is missing in menus.sv.toml or menus.en.toml");
            };
            assert_eq!(holes(&sv), holes(&en), "{name}");
        }
    }
}
