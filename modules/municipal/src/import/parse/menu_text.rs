//! A weekly menu written as lines of text (the paragraphs of a DOCX):
//!
//! ```text
//! Meny Solbackens kök            <- not part of the structure: ignored
//! Vecka 14 2026                  <- starts a week ("v. 14", "Uke 14", "Week 14"; year optional)
//! Måndag 30/3                    <- starts a day (name or abbreviation, optional date and ":")
//! Alt 1: Pannbiff med lök        <- a dish: Alt 1, Alt 2, Dessert, Kväll/Kvällsmat/Kveld/...
//! ```
//!
//! In a Word table the lines come cell by cell (see [`docx_table`](super::docx_table)); a cell
//! under a slot column is a dish without a label ([`LineKind::Dish`]).
//!
//! Line numbers are 1-based positions among the non-empty lines.

use crate::import::model::{
    CellPlace, ImportError, ImportField, ImportRow, ImportSlot, Parsed, RowProblem,
};

use super::words::{self, NameForm};
use super::{FileError, MAX_ROWS};

/// One non-empty line of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MenuLine {
    /// 1-based among the document's non-empty lines, table cells included.
    pub number: usize,
    pub text: String,
    pub kind: LineKind,
    /// The Word table cell the line is in, if any.
    pub cell: Option<CellPlace>,
}

/// What a line is, as far as its place in the document tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum LineKind {
    /// Read for what it says: a week heading, a day line, a dish line or anything else.
    Text,
    /// A cell under a slot column of a table: all of its text is the dish.
    Dish(ImportSlot),
    /// The first cell of a table row that has dishes, naming no day: its dishes have none.
    NotADay,
    /// A table column heading that names no slot ("Alt 3").
    Wrong(RowProblem),
}

#[cfg(test)]
impl MenuLine {
    /// Lines of plain text, numbered from 1.
    pub fn plain<S: AsRef<str>>(lines: &[S]) -> Vec<MenuLine> {
        lines
            .iter()
            .enumerate()
            .map(|(index, text)| MenuLine {
                number: index + 1,
                text: text.as_ref().to_owned(),
                kind: LineKind::Text,
                cell: None,
            })
            .collect()
    }
}

pub(super) fn parse(lines: &[MenuLine], default_year: i32) -> Result<Parsed, FileError> {
    let mut reader = MenuReader {
        default_year,
        week: WeekState::NotYet,
        day: None,
        saw_heading: false,
        dish_lines: 0,
        parsed: Parsed::default(),
    };
    for line in lines {
        reader.read_line(line)?;
    }
    if !reader.saw_heading {
        return Err(FileError::NoWeekHeading);
    }
    Ok(reader.parsed)
}

/// Which week the lines read now belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WeekState {
    /// No heading yet: days and dishes here are errors.
    NotYet,
    /// The last heading was wrong (and reported): its lines are skipped, not reported again.
    Invalid,
    Week {
        year: i32,
        week: u32,
    },
}

/// The day the lines read now belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayState {
    Day(u32),
    /// The last day line was wrong (and reported): its dishes are skipped.
    Invalid,
}

struct MenuReader {
    default_year: i32,
    week: WeekState,
    day: Option<DayState>,
    saw_heading: bool,
    dish_lines: usize,
    parsed: Parsed,
}

/// A line being read: where it is, and its text with whitespace collapsed.
struct At<'a> {
    line: &'a MenuLine,
    text: &'a str,
}

impl MenuReader {
    fn read_line(&mut self, line: &MenuLine) -> Result<(), FileError> {
        let text = words::collapse_whitespace(&line.text);
        let at = At { line, text: &text };
        match &line.kind {
            LineKind::Text => return self.read_text(&at),
            LineKind::Dish(slot) => {
                self.count_dish()?;
                self.read_dish(&at, Ok((*slot, &text)));
            }
            LineKind::NotADay => {
                self.error(&at, ImportField::Weekday, RowProblem::TableRowWithoutDay);
                self.day = Some(DayState::Invalid);
            }
            LineKind::Wrong(problem) => {
                self.error(&at, ImportField::Alternative, problem.clone());
            }
        }
        Ok(())
    }

    fn read_text(&mut self, at: &At<'_>) -> Result<(), FileError> {
        let text = at.text;
        if let Some(heading) = week_heading(text) {
            self.saw_heading = true;
            self.day = None;
            self.week = match heading {
                Ok((week, year)) => WeekState::Week {
                    year: year.unwrap_or(self.default_year),
                    week,
                },
                Err(problem) => {
                    self.error(at, ImportField::Week, problem);
                    WeekState::Invalid
                }
            };
        } else if let Some(day) = day_line(text) {
            self.day = Some(match (day, self.week) {
                (_, WeekState::NotYet) => {
                    self.error(at, ImportField::Weekday, RowProblem::DayBeforeWeek);
                    DayState::Invalid
                }
                (Ok(day), _) => DayState::Day(day),
                (Err(problem), _) => {
                    self.error(at, ImportField::Weekday, problem);
                    DayState::Invalid
                }
            });
        } else if let Some(dish) = dish_line(text) {
            self.count_dish()?;
            self.read_dish(at, dish);
        }
        // Anything else (titles, notes, allergy remarks) is not part of the menu.
        Ok(())
    }

    fn count_dish(&mut self) -> Result<(), FileError> {
        self.dish_lines += 1;
        if self.dish_lines > MAX_ROWS {
            return Err(FileError::too_many_rows());
        }
        Ok(())
    }

    fn read_dish(&mut self, at: &At<'_>, dish: Result<(ImportSlot, &str), RowProblem>) {
        let (year, week, day) = match (self.week, self.day) {
            (WeekState::Invalid, _) | (_, Some(DayState::Invalid)) => return,
            (WeekState::NotYet, _) => {
                return self.error(at, ImportField::Week, RowProblem::DishBeforeWeek);
            }
            (_, None) => {
                return self.error(at, ImportField::Weekday, RowProblem::DishBeforeDay);
            }
            (WeekState::Week { year, week }, Some(DayState::Day(day))) => (year, week, day),
        };
        let (slot, dish) = match dish {
            Ok(found) => found,
            Err(problem) => return self.error(at, ImportField::Alternative, problem),
        };
        match words::dish(dish) {
            Ok(dish) => self.parsed.rows.push(ImportRow {
                line: at.line.number,
                year,
                week,
                day,
                slot,
                dish,
                cell: at.line.cell,
            }),
            Err(problem) => self.error(at, ImportField::Dish, problem),
        }
    }

    /// A row error that quotes the line, as a line number alone is hard to find in Word.
    fn error(&mut self, at: &At<'_>, field: ImportField, problem: RowProblem) {
        self.parsed.errors.push(
            ImportError::new(at.line.number, field, problem)
                .quoting(at.text)
                .in_cell(at.line.cell),
        );
    }
}

/// Keywords that start a week heading, longest first so "vecka" is not read as "v".
const WEEK_KEYWORDS: [&str; 5] = ["vecka", "uke", "week", "v.", "v"];

/// `Some` when the line is a week heading: the week and the year if it names one. A keyword
/// followed by a number is a heading; a wrong number there is an error, not prose.
pub(super) fn week_heading(text: &str) -> Option<Result<(u32, Option<i32>), RowProblem>> {
    let lower = text.to_lowercase();
    let rest = WEEK_KEYWORDS
        .iter()
        .find_map(|keyword| lower.strip_prefix(keyword))?;
    // "Veckans meny", "Vegetariskt", "Weekend": the keyword must be followed by the number.
    let rest = rest.trim_start_matches(['.', ' ', ':']);
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if digits_end == 0 {
        return None;
    }
    let (digits, rest) = rest.split_at(digits_end);
    if rest.starts_with(char::is_alphanumeric) {
        return Some(Err(RowProblem::WeekHeadingMalformed));
    }
    let Some(week) = words::week_number(digits) else {
        return Some(Err(RowProblem::WeekInvalid {
            text: digits.to_owned(),
        }));
    };
    Some(heading_year(rest).map(|year| (week, year)))
}

/// The year after the week number ("Vecka 14 2026", "Vecka 14, 2026", "v. 14/2026"), if
/// any; other text after the number ("Vecka 14 (30/3–5/4)") is ignored.
fn heading_year(rest: &str) -> Result<Option<i32>, RowProblem> {
    let rest = rest.trim_start_matches([' ', ',', '/', '-', '–']);
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if digits_end != 4 {
        return Ok(None);
    }
    words::year(&rest[..digits_end]).map(Some)
}

/// `Some` when the line is a day line: a weekday name, optionally a date ("16/3",
/// "16 mars", "den 16 mars") and a final ":". A full day name followed by other text is an
/// error (probably "Måndag: Köttbullar", whose dish would otherwise be lost); an
/// abbreviation followed by other text is prose ("Man kan beställa ...", Norwegian "man").
pub(super) fn day_line(text: &str) -> Option<Result<u32, RowProblem>> {
    let word_end = text
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(text.len());
    let (word, rest) = text.split_at(word_end);
    let (day, form) = words::weekday_name(word)?;
    let rest = rest.trim_start_matches('.').trim();
    let rest = rest
        .strip_suffix(':')
        .unwrap_or(rest)
        .trim_start_matches(',')
        .trim();
    let is_date = rest.is_empty()
        || rest.starts_with(|c: char| c.is_ascii_digit())
        || rest.to_lowercase().starts_with("den ");
    match (is_date, form) {
        (true, _) => Some(Ok(day)),
        (false, NameForm::Full) => Some(Err(RowProblem::DayLineWithText)),
        (false, NameForm::Abbreviated) => None,
    }
}

/// `Some` when the line is a dish line ("Alt 1: Köttbullar"): its slot and dish text, or
/// why the label is wrong.
pub(super) fn dish_line(text: &str) -> Option<Result<(ImportSlot, &str), RowProblem>> {
    let word_end = text
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(text.len());
    if !words::starts_dish_line(&text[..word_end]) {
        return None;
    }
    let Some((label, dish)) = text.split_once(':') else {
        return Some(Err(RowProblem::LabelWithoutColon));
    };
    Some(words::dish_label(label).map(|slot| (slot, dish)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn read(lines: &[&str]) -> Parsed {
        parse(&MenuLine::plain(lines), 2026).unwrap()
    }

    #[test]
    fn week_headings() {
        let cases = [
            ("Vecka 12", Some(Ok((12, None)))),
            ("VECKA 12 2026", Some(Ok((12, Some(2026))))),
            ("Vecka 12, 2027", Some(Ok((12, Some(2027))))),
            ("v. 12", Some(Ok((12, None)))),
            ("v12", Some(Ok((12, None)))),
            ("V 12/2026", Some(Ok((12, Some(2026))))),
            ("Uke 9", Some(Ok((9, None)))),
            ("Week 53 2026", Some(Ok((53, Some(2026))))),
            ("Vecka 14 (30/3–5/4)", Some(Ok((14, None)))),
            ("Veckans meny", None),
            ("Vegetariskt alternativ finns", None),
            ("Weekend", None),
            ("Vecka", None),
        ];
        for (text, expected) in cases {
            assert_eq!(week_heading(text), expected, "{text}");
        }
        for text in ["Vecka 54", "Vecka 0", "Vecka 12a", "Vecka 12 1999"] {
            assert!(matches!(week_heading(text), Some(Err(_))), "{text}");
        }
    }

    #[test]
    fn day_lines() {
        let cases = [
            ("Måndag", Some(Ok(1))),
            ("måndag 16/3", Some(Ok(1))),
            ("Tisdag 17 mars:", Some(Ok(2))),
            ("Onsdag den 18 mars", Some(Ok(3))),
            ("Tors:", Some(Ok(4))),
            ("Fre. 20/3", Some(Ok(5))),
            ("Lørdag 21.3", Some(Ok(6))),
            ("Sunday, 22 March", Some(Ok(7))),
            ("Lördag 4/4 – Påskafton", Some(Ok(6))),
            ("Man kan beställa specialkost", None),
            ("Meny Solbackens kök", None),
        ];
        for (text, expected) in cases {
            assert_eq!(day_line(text), expected, "{text}");
        }
        assert!(matches!(day_line("Måndag: Köttbullar"), Some(Err(_))));
    }

    #[test]
    fn dish_lines() {
        assert_eq!(
            dish_line("Alt 1: Köttbullar med mos"),
            Some(Ok((ImportSlot::Alt1, " Köttbullar med mos")))
        );
        assert_eq!(
            dish_line("Kvällsmat: Gröt: havre"),
            Some(Ok((ImportSlot::Dinner, " Gröt: havre")))
        );
        assert_eq!(
            dish_line("Alt 2 : Soppa"),
            Some(Ok((ImportSlot::Alt2, " Soppa")))
        );
        assert!(matches!(dish_line("Alt 3: Fisk"), Some(Err(_))));
        assert!(matches!(dish_line("Alt 1 Köttbullar"), Some(Err(_))));
        assert!(matches!(dish_line("Middag: Kalops"), Some(Err(_))));
        assert_eq!(dish_line("Obs: laktosfritt finns"), None);
        assert_eq!(dish_line("Alternativt serveras soppa"), None);
    }

    #[test]
    fn several_weeks_and_the_default_year() {
        let parsed = read(&[
            "Meny Solbackens kök",
            "Vecka 12",
            "Måndag 16/3",
            "Alt 1: Köttbullar",
            "Vecka 13 2027",
            "Mån",
            "Alt 1: Fiskgratäng",
            "Kväll: Gröt",
        ]);
        assert_eq!(parsed.errors, vec![]);
        let keys: Vec<_> = parsed
            .rows
            .iter()
            .map(|r| (r.line, r.year, r.week, r.day, r.slot))
            .collect();
        assert_eq!(
            keys,
            vec![
                (4, 2026, 12, 1, ImportSlot::Alt1),
                (7, 2027, 13, 1, ImportSlot::Alt1),
                (8, 2027, 13, 1, ImportSlot::Dinner),
            ]
        );
    }

    #[test]
    fn structure_errors_are_row_numbered_and_quote_the_line() {
        let parsed = read(&[
            "Alt 1: Före allt",            // 1: no week yet
            "Tisdag",                      // 2: day before week
            "Vecka 12",                    // 3
            "Alt 1: Före dagen",           // 4: no day yet
            "Onsdag",                      // 5
            "Alt 3: Fisk",                 // 6: unknown label
            "Dessert:",                    // 7: no dish
            "Alt 2 Soppa",                 // 8: no colon
            "Torsdag: Pannkakor",          // 9: dish on the day line
            "Alt 1: Skipped with its day", // 10: day 9 was wrong: not reported again
            "Vecka 60",                    // 11: bad week
            "Fredag",                      // 12: skipped
            "Alt 1: Skipped",              // 13: skipped
        ]);
        assert_eq!(parsed.rows, vec![]);
        assert_eq!(
            error_places(&parsed),
            vec![
                (1, Some("week")),
                (2, Some("weekday")),
                (4, Some("weekday")),
                (6, Some("alternative")),
                (7, Some("dish")),
                (8, Some("alternative")),
                (9, Some("weekday")),
                (11, Some("week")),
            ]
        );
        assert_eq!(
            parsed.errors[3].reason(),
            "unknown dish label \"Alt 3\"; use Alt 1, Alt 2, Dessert or Kväll (in \"Alt 3: Fisk\")"
        );
        let problems: Vec<_> = parsed.errors.iter().map(|e| e.problem.clone()).collect();
        assert_eq!(
            problems,
            vec![
                RowProblem::DishBeforeWeek,
                RowProblem::DayBeforeWeek,
                RowProblem::DishBeforeDay,
                RowProblem::LabelUnknown {
                    text: "Alt 3".into()
                },
                RowProblem::DishMissing,
                RowProblem::LabelWithoutColon,
                RowProblem::DayLineWithText,
                RowProblem::WeekInvalid { text: "60".into() },
            ]
        );
        assert_eq!(parsed.errors[0].quote.as_deref(), Some("Alt 1: Före allt"));
    }

    #[test]
    fn duplicate_slot_names_the_earlier_line() {
        let parsed = super::super::parse(
            super::super::Format::Docx,
            &super::super::archive::test_zip::zip(&[(
                "word/document.xml",
                br#"<w:document xmlns:w="w"><w:body>
                    <w:p><w:r><w:t>Vecka 12</w:t></w:r></w:p>
                    <w:p><w:r><w:t>Fredag</w:t></w:r></w:p>
                    <w:p><w:r><w:t>Alt 1: Fisk</w:t></w:r></w:p>
                    <w:p/>
                    <w:p><w:r><w:t>Alt 1: Korv</w:t></w:r></w:p>
                    </w:body></w:document>"#,
            )]),
            2026,
            &super::super::ParseBudget::default(),
        )
        .unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(error_places(&parsed), vec![(4, Some("alternative"))]);
        assert_eq!(
            parsed.errors[0].reason(),
            "Alt 1 for Friday of week 12 2026 is already given on line 3"
        );
    }

    #[test]
    fn no_heading_at_all_is_a_file_error() {
        assert!(matches!(
            parse(&MenuLine::plain(&["Måndag", "Alt 1: Köttbullar"]), 2026),
            Err(FileError::NoWeekHeading)
        ));
    }

    #[test]
    fn more_dish_lines_than_the_cap_are_refused() {
        let mut lines = vec!["Vecka 12", "Måndag"];
        lines.extend(std::iter::repeat_n("Alt 1: Köttbullar", MAX_ROWS + 1));
        assert!(matches!(
            parse(&MenuLine::plain(&lines), 2026),
            Err(FileError::TooManyRows { .. })
        ));
    }
}
