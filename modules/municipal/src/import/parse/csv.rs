//! CSV menus: UTF-8 with or without a byte order mark, or Windows-1252 (what Swedish Excel
//! writes for plain "CSV"); `;`, `,` or tab between fields, detected from the header line.

use std::borrow::Cow;

use ::csv::{ReaderBuilder, StringRecord};

use crate::import::model::{ImportField, Parsed};

use super::budget::ParseBudget;
use super::table::{MAX_ROWS_BEFORE_HEADER, Table};
use super::{FileError, MAX_CELLS_PER_ROW};

/// Candidate delimiters, in the order that wins a tie: Swedish and Norwegian Excel write `;`.
const DELIMITERS: [u8; 3] = [b';', b'\t', b','];

pub(super) fn parse(
    bytes: &[u8],
    default_year: i32,
    budget: &ParseBudget,
) -> Result<Parsed, FileError> {
    let mut ticker = budget.ticker();
    let text = decode(bytes)?;
    let hinted = separator_hint(&text);
    let delimiter = hinted.unwrap_or_else(|| detect_delimiter(&text));
    let mut reader = reader(delimiter, &text);
    let mut record = StringRecord::new();
    let mut table = Table::new(default_year);
    let mut lines = LineCounter::new(&text);
    let mut skip_hint_line = hinted.is_some();
    // A flexible reader of a `&str` fails only on I/O, which a slice has none of; stopping
    // there rather than retrying cannot loop.
    while let Ok(true) = reader.read_record(&mut record) {
        if std::mem::take(&mut skip_hint_line) {
            continue;
        }
        let offset = record.position().map_or(0, |position| position.byte());
        let line = lines.line_at(usize::try_from(offset).unwrap_or(usize::MAX));
        ticker.tick()?;
        if record.len() > MAX_CELLS_PER_ROW {
            return Err(FileError::too_many_cells(line));
        }
        let cells: Vec<&str> = record.iter().collect();
        for cell in &cells {
            budget.check_text(cell)?;
        }
        table.push_row(line, &cells)?;
    }
    table.finish()
}

/// The physical line a record starts on: what a text editor shows, and with no line breaks
/// inside cells also Excel's row number. The csv crate's own line count lags by one after a
/// CRLF and points at skipped blank lines, so lines are counted here from byte offsets.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record whose reading started at `offset`; offsets must not go back.
    fn line_at(&mut self, offset: usize) -> usize {
        let is_break = |at: usize| matches!(self.bytes.get(at), Some(b'\r' | b'\n'));
        // The rest of the previous line's CRLF and any blank lines are not the record's.
        let mut start = offset;
        while is_break(start) {
            start += 1;
        }
        while self.offset < start {
            match (self.bytes.get(self.offset), self.bytes.get(self.offset + 1)) {
                (Some(b'\n'), _) => self.line += 1,
                // A lone CR (old Mac) ends a line too; CRLF counts once, at its LF.
                (Some(b'\r'), next) if next != Some(&b'\n') => self.line += 1,
                (None, _) => break,
                _ => {}
            }
            self.offset += 1;
        }
        self.line
    }
}

/// The text of the file. NUL bytes mean a binary file (or UTF-16, which Excel calls
/// "Unicode text"): refused rather than read as garbage.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, FileError> {
    if bytes.contains(&0) {
        return Err(FileError::NotText);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        // Windows-1252 maps every byte, so this always gives a text.
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    };
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    Ok(text)
}

/// The delimiter named by Excel's "sep=;" first line, if the file has one.
fn separator_hint(text: &str) -> Option<u8> {
    let first_line = text.lines().next()?.trim();
    match first_line.strip_prefix("sep=")?.as_bytes() {
        [delimiter] if DELIMITERS.contains(delimiter) => Some(*delimiter),
        _ => None,
    }
}

/// The delimiter that splits the header row into the most column names we know; when none
/// finds any (no header: the file will be refused anyway), the one most common on the first
/// line.
fn detect_delimiter(text: &str) -> u8 {
    let by_header = first_maximum(|delimiter| known_columns(delimiter, text));
    if known_columns(by_header, text) > 0 {
        return by_header;
    }
    let first_line = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    first_maximum(|delimiter| first_line.bytes().filter(|&byte| byte == delimiter).count())
}

/// The delimiter with the highest score, the earliest of [`DELIMITERS`] on a tie.
fn first_maximum(score: impl Fn(u8) -> usize) -> u8 {
    let mut best = (0, DELIMITERS[0]);
    for delimiter in DELIMITERS {
        let candidate = score(delimiter);
        if candidate > best.0 {
            best = (candidate, delimiter);
        }
    }
    best.1
}

/// The most column names one of the first rows holds when split by `delimiter`.
fn known_columns(delimiter: u8, text: &str) -> usize {
    let mut reader = reader(delimiter, text);
    let mut record = StringRecord::new();
    let mut best = 0;
    for _ in 0..MAX_ROWS_BEFORE_HEADER {
        if !matches!(reader.read_record(&mut record), Ok(true)) {
            break;
        }
        let known = record
            .iter()
            .filter(|cell| ImportField::from_header(cell).is_some())
            .count();
        best = best.max(known);
    }
    best
}

fn reader(delimiter: u8, text: &str) -> ::csv::Reader<&[u8]> {
    ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        // Rows may be shorter or longer than the header: missing cells read as blank.
        .flexible(true)
        .from_reader(text.as_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::import::model::{ImportSlot, RowProblem};

    #[test]
    fn sample_week_12() {
        assert!(
            SAMPLE_CSV.starts_with(b"\xEF\xBB\xBF"),
            "the sample keeps its BOM"
        );
        let parsed = parse(SAMPLE_CSV, 1999, &ParseBudget::default()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.rows.len(), 26);
        let monday = row(&parsed, 1, ImportSlot::Alt1);
        assert_eq!(monday.line, 2);
        assert_eq!(
            monday.dish,
            "Köttbullar med potatismos, gräddsås och lingon"
        );
        assert_eq!((monday.year, monday.week), (2026, 12));
        assert_eq!(
            dish(&parsed, 2, ImportSlot::Dessert),
            Some("Äppelkaka med vaniljsås")
        );
        assert_eq!(
            dish(&parsed, 4, ImportSlot::Alt1),
            Some("Ärtsoppa med pannkakor och sylt")
        );
        assert_eq!(dish(&parsed, 7, ImportSlot::Alt2), None);
    }

    #[test]
    fn malformed_sample_reports_row_numbered_errors() {
        let parsed = parse(SAMPLE_BAD_CSV, 2026, &ParseBudget::default()).unwrap();
        assert_eq!(
            error_places(&parsed),
            vec![
                (3, Some("weekday")),
                (4, Some("week")),
                (6, Some("dish")),
                (7, Some("alternative")),
            ]
        );
        assert_eq!(parsed.errors[0].reason(), "unknown weekday \"Tosdag\"");
        assert_eq!(
            parsed.errors[1].reason(),
            "week \"54\" is not a week number 1-53"
        );
        // The good rows are read all the same; the blank line 5 is skipped.
        let lines: Vec<_> = parsed.rows.iter().map(|row| row.line).collect();
        assert_eq!(lines, vec![2, 8]);
    }

    #[test]
    fn norwegian_headers_with_commas() {
        let text = "Uke,Ukedag,Måltid,Alt,Rett,År\n\
                    12,mandag,Middag,1,\"Fiskeboller i hvit saus, poteter og gulrot\",2026\n\
                    12,lør,Kveldsmat,,Risgrøt med kanel,2026\n";
        let parsed = parse(text.as_bytes(), 2000, &ParseBudget::default()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            dish(&parsed, 1, ImportSlot::Alt1),
            Some("Fiskeboller i hvit saus, poteter og gulrot")
        );
        assert_eq!(
            dish(&parsed, 6, ImportSlot::Dinner),
            Some("Risgrøt med kanel")
        );
    }

    #[test]
    fn english_headers_with_tabs_and_day_numbers() {
        let text = "Year\tWeek\tDay\tMeal\tSlot\tDish\n\
                    2026\t12\t3\tLunch\tAlt 2\tVegetable lasagne\n\
                    2026\t12\t3\tDinner\tmain\tTomato soup, sandwich\n";
        let parsed = parse(text.as_bytes(), 2000, &ParseBudget::default()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            dish(&parsed, 3, ImportSlot::Alt2),
            Some("Vegetable lasagne")
        );
        assert_eq!(
            dish(&parsed, 3, ImportSlot::Dinner),
            Some("Tomato soup, sandwich")
        );
    }

    #[test]
    fn semicolons_win_over_commas_inside_dishes() {
        let text = "År;Vecka;Dag;Måltid;Alternativ;Rätt\n\
                    2026;12;fre;Lunch;1;Stekt strömming, potatismos, lingon\n";
        let parsed = parse(text.as_bytes(), 2000, &ParseBudget::default()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            dish(&parsed, 5, ImportSlot::Alt1),
            Some("Stekt strömming, potatismos, lingon")
        );
    }

    #[test]
    fn windows_1252_from_swedish_excel() {
        // "Måltid", "Rätt", "Ärtsoppa", "Lördag" in Windows-1252: å = E5, ä = E4, Ä = C4, ö = F6.
        let bytes = b"\xC5r;Vecka;Dag;M\xE5ltid;Alternativ;R\xE4tt\r\n\
                      2026;12;L\xF6rdag;Lunch;1;\xC4rtsoppa med pannkakor\r\n";
        let parsed = parse(bytes, 2000, &ParseBudget::default()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            dish(&parsed, 6, ImportSlot::Alt1),
            Some("\u{c4}rtsoppa med pannkakor")
        );
    }

    #[test]
    fn excel_separator_hint_line_is_honoured_and_counted() {
        let text = "sep=,\nVecka,Dag,Måltid,Alternativ,Rätt\n12,mån,Lunch,1,Pannbiff med lök\n";
        let parsed = parse(text.as_bytes(), 2026, &ParseBudget::default()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.rows[0].line, 3);
    }

    #[test]
    fn line_numbers_count_crlf_blank_lines_and_breaks_inside_cells() {
        let text = "\r\nVecka;Dag;Måltid;Alternativ;Rätt\r\n\r\n\
                    12;mån;Lunch;1;\"Köttbullar\r\nmed mos\"\r\n\
                    12;mån;Lunch;2;Fisk\r\n\
                    12;mån;Lunch;Dessert;Glass\r\
                    12;mån;Lunch;3;Soppa\n";
        let parsed = parse(text.as_bytes(), 2026, &ParseBudget::default()).unwrap();
        let lines: Vec<_> = parsed.rows.iter().map(|row| row.line).collect();
        assert_eq!(lines, vec![4, 6, 7]);
        assert_eq!(
            dish(&parsed, 1, ImportSlot::Alt1),
            Some("Köttbullar med mos")
        );
        assert_eq!(error_places(&parsed), vec![(8, Some("alternative"))]);
    }

    #[test]
    fn partly_blank_row_is_an_error_and_short_rows_read_as_blank() {
        let text = "Vecka;Dag;Måltid;Alternativ;Rätt\n12;mån;Lunch;1\n;;;;\n";
        let parsed = parse(text.as_bytes(), 2026, &ParseBudget::default()).unwrap();
        assert_eq!(error_places(&parsed), vec![(2, Some("dish"))]);
        assert_eq!(parsed.errors[0].reason(), "the dish is missing");
    }

    #[test]
    fn header_only_with_missing_column_names_it() {
        let text = "Vecka;Dag;Måltid;Rätt\n12;mån;Lunch;Köttbullar\n";
        let error = parse(text.as_bytes(), 2026, &ParseBudget::default()).unwrap_err();
        assert!(
            matches!(&error, FileError::MissingColumns { row: 1, missing } if missing == &vec!["Alternativ (alternative)"]),
            "{error:?}"
        );
    }

    #[test]
    fn binary_and_blank_inputs_are_file_errors() {
        assert!(matches!(
            parse(b"Vecka\0;Dag", 2026, &ParseBudget::default()),
            Err(FileError::NotText)
        ));
        assert!(matches!(
            parse(b"\xEF\xBB\xBF \r\n", 2026, &ParseBudget::default()),
            Err(FileError::Empty)
        ));
        assert!(matches!(
            parse(b"hello world\nfoo bar\n", 2026, &ParseBudget::default()),
            Err(FileError::NoHeader)
        ));
    }

    #[test]
    fn unclosed_quote_swallows_the_rest_as_one_overlong_dish() {
        let text = format!(
            "Vecka;Dag;Måltid;Alternativ;Rätt\n12;mån;Lunch;1;\"Köttbullar\n{}",
            "12;tis;Lunch;1;Fisk\n".repeat(10)
        );
        let parsed = parse(text.as_bytes(), 2026, &ParseBudget::default()).unwrap();
        assert_eq!(error_places(&parsed), vec![(2, Some("dish"))]);
    }

    #[test]
    fn a_record_of_too_many_cells_is_refused() {
        let text = format!(
            "Vecka;Dag;Måltid;Alternativ;Rätt\n12;1;lunch;1;Fisk{}\n",
            ";".repeat(MAX_CELLS_PER_ROW)
        );
        assert!(matches!(
            parse(text.as_bytes(), 2026, &ParseBudget::default()),
            Err(FileError::TooManyCells { line: 2, max: 1000 })
        ));
    }

    #[test]
    fn a_dish_with_a_control_character_is_a_row_error_and_not_kept() {
        let text =
            "Vecka;Dag;Måltid;Alternativ;Rätt\n12;1;lunch;1;Fisk\u{1b}[31m\n12;2;lunch;1;Soppa\n";
        let parsed = parse(text.as_bytes(), 2026, &ParseBudget::default()).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].problem, RowProblem::ControlCharacter);
        assert_eq!(parsed.errors[0].line, 2);
    }
}
