//! A weekly menu written as lines of text (the paragraphs of a DOCX):
//!
//! ```text
//! Meny Solbackens kök            <- not part of the structure: ignored
//! Vecka 14 2026                  <- starts a week ("v. 14", "Uke 14", "Week 14"; year optional)
//! Måndag 30/3                    <- starts a day (name or abbreviation, optional date and ":")
//! Alt 1: Pannbiff med lök        <- a dish: Alt 1, Alt 2, Dessert, Kväll/Kvällsmat/Kveld/...
//! ```
//!
//! Line numbers are 1-based positions among the non-empty lines.

use crate::import::model::{ImportError, ImportRow, ImportSlot, Parsed};

use super::words::{self, NameForm};
use super::{FileError, MAX_ROWS};

pub(super) fn parse<S: AsRef<str>>(lines: &[S], default_year: i32) -> Result<Parsed, FileError> {
    let mut reader = MenuReader {
        default_year,
        week: WeekState::NotYet,
        day: None,
        saw_heading: false,
        dish_lines: 0,
        parsed: Parsed::default(),
    };
    for (index, line) in lines.iter().enumerate() {
        reader.read_line(index + 1, &words::collapse_whitespace(line.as_ref()))?;
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

impl MenuReader {
    fn read_line(&mut self, line: usize, text: &str) -> Result<(), FileError> {
        if let Some(heading) = week_heading(text) {
            self.saw_heading = true;
            self.day = None;
            self.week = match heading {
                Ok((week, year)) => WeekState::Week {
                    year: year.unwrap_or(self.default_year),
                    week,
                },
                Err(reason) => {
                    self.error(line, "week", reason, text);
                    WeekState::Invalid
                }
            };
        } else if let Some(day) = day_line(text) {
            self.day = Some(match (day, self.week) {
                (_, WeekState::NotYet) => {
                    let reason = "a day before any week heading such as \"Vecka 12\"";
                    self.error(line, "weekday", reason.to_owned(), text);
                    DayState::Invalid
                }
                (Ok(day), _) => DayState::Day(day),
                (Err(reason), _) => {
                    self.error(line, "weekday", reason, text);
                    DayState::Invalid
                }
            });
        } else if let Some(dish) = dish_line(text) {
            self.dish_lines += 1;
            if self.dish_lines > MAX_ROWS {
                return Err(FileError::too_many_rows());
            }
            self.read_dish(line, text, dish);
        }
        // Anything else (titles, notes, allergy remarks) is not part of the menu.
        Ok(())
    }

    fn read_dish(&mut self, line: usize, text: &str, dish: Result<(ImportSlot, &str), String>) {
        let (year, week, day) = match (self.week, self.day) {
            (WeekState::Invalid, _) | (_, Some(DayState::Invalid)) => return,
            (WeekState::NotYet, _) => {
                let reason = "a dish before any week heading such as \"Vecka 12\"";
                return self.error(line, "week", reason.to_owned(), text);
            }
            (_, None) => {
                let reason = "a dish before any day line such as \"Måndag 16/3\"";
                return self.error(line, "weekday", reason.to_owned(), text);
            }
            (WeekState::Week { year, week }, Some(DayState::Day(day))) => (year, week, day),
        };
        let (slot, dish) = match dish {
            Ok(found) => found,
            Err(reason) => return self.error(line, "alternative", reason, text),
        };
        match words::dish(dish) {
            Ok(dish) => self.parsed.rows.push(ImportRow {
                line,
                year,
                week,
                day,
                slot,
                dish,
            }),
            Err(reason) => self.error(line, "dish", reason, text),
        }
    }

    /// A row error that quotes the line, as a line number alone is hard to find in Word.
    fn error(&mut self, line: usize, field: &str, reason: String, text: &str) {
        self.parsed.errors.push(ImportError {
            line,
            field: Some(field.to_owned()),
            reason: format!("{reason} (in \"{}\")", shorten(text)),
        });
    }
}

/// A quoted line is cut to keep error lists readable.
fn shorten(text: &str) -> String {
    const MAX_QUOTE_CHARS: usize = 60;
    if text.chars().count() <= MAX_QUOTE_CHARS {
        text.to_owned()
    } else {
        let head: String = text.chars().take(MAX_QUOTE_CHARS).collect();
        format!("{head}…")
    }
}

/// Keywords that start a week heading, longest first so "vecka" is not read as "v".
const WEEK_KEYWORDS: [&str; 5] = ["vecka", "uke", "week", "v.", "v"];

/// `Some` when the line is a week heading: the week and the year if it names one. A keyword
/// followed by a number is a heading; a wrong number there is an error, not prose.
fn week_heading(text: &str) -> Option<Result<(u32, Option<i32>), String>> {
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
        return Some(Err(
            "a week heading looks like \"Vecka 12\" or \"Vecka 12 2026\"".to_owned(),
        ));
    }
    let Some(week) = words::week_number(digits) else {
        return Some(Err(format!("week {digits} is not a week number 1-53")));
    };
    Some(heading_year(rest).map(|year| (week, year)))
}

/// The year after the week number ("Vecka 14 2026", "Vecka 14, 2026", "v. 14/2026"), if
/// any; other text after the number ("Vecka 14 (30/3–5/4)") is ignored.
fn heading_year(rest: &str) -> Result<Option<i32>, String> {
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
fn day_line(text: &str) -> Option<Result<u32, String>> {
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
        (false, NameForm::Full) => Some(Err(
            "a day line holds only the day and its date, like \"Måndag 16/3\"; \
             put each dish on its own line, like \"Alt 1: ...\""
                .to_owned(),
        )),
        (false, NameForm::Abbreviated) => None,
    }
}

/// `Some` when the line is a dish line ("Alt 1: Köttbullar"): its slot and dish text, or
/// why the label is wrong.
fn dish_line(text: &str) -> Option<Result<(ImportSlot, &str), String>> {
    let word_end = text
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(text.len());
    if !words::starts_dish_line(&text[..word_end]) {
        return None;
    }
    let Some((label, dish)) = text.split_once(':') else {
        return Some(Err(
            "a dish line needs a colon after its label, like \"Alt 1: Köttbullar\"".to_owned(),
        ));
    };
    Some(words::dish_label(label).map(|slot| (slot, dish)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn read(lines: &[&str]) -> Parsed {
        parse(lines, 2026).unwrap()
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
            parsed.errors[3].reason,
            "unknown dish label \"Alt 3\"; use Alt 1, Alt 2, Dessert or Kväll (in \"Alt 3: Fisk\")"
        );
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
        )
        .unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(error_places(&parsed), vec![(4, Some("alternative"))]);
        assert_eq!(
            parsed.errors[0].reason,
            "Alt 1 for Friday of week 12 2026 is already given on line 3"
        );
    }

    #[test]
    fn no_heading_at_all_is_a_file_error() {
        assert!(matches!(
            parse(&["Måndag", "Alt 1: Köttbullar"], 2026),
            Err(FileError::NoWeekHeading)
        ));
    }

    #[test]
    fn more_dish_lines_than_the_cap_are_refused() {
        let mut lines = vec!["Vecka 12", "Måndag"];
        lines.extend(std::iter::repeat_n("Alt 1: Köttbullar", MAX_ROWS + 1));
        assert!(matches!(
            parse(&lines, 2026),
            Err(FileError::TooManyRows { .. })
        ));
    }
}
