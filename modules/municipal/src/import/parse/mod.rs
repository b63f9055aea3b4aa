//! Reading an uploaded menu file (CSV, XLSX or DOCX) into [`Parsed`] rows. Pure: bytes in,
//! rows and errors out; no database, no HTTP.
//!
//! A problem with the file as a whole is a [`FileError`]; a problem with one row or line is an
//! [`ImportError`](crate::import::model::ImportError) in [`Parsed::errors`], and reading goes on
//! so that a dry run can show every problem at once.
//!
//! Line numbers: in CSV the physical line of the file (the header is usually line 1; blank lines
//! count, as they do in a text editor and in Excel), in XLSX the worksheet row (row 1 is the
//! first row of the sheet). In DOCX the line is the 1-based number of the non-empty text line,
//! counting every paragraph that holds text and every line break inside a paragraph, and
//! skipping empty paragraphs; a table's cells count in reading order, row by row and cell by
//! cell (see `docx_table`). Each DOCX error also quotes the line, and one in a Word table names
//! its cell (table, row and column, as a person counts them), as the number alone is hard to
//! find in Word.
//!
//! Work is bounded: at most [`MAX_FILE_BYTES`] of upload, at most [`MAX_UNPACKED_BYTES`]
//! unpacked from a zip over all its entries, whatever their names (a zip bomb is refused
//! while it is being read, not after), at most 1000 zip entries, at most
//! [`MAX_CELLS_PER_ROW`] cells in a row, at most [`MAX_ROWS`] dishes, and a [`ParseBudget`]
//! of time and of text per cell. No count a file declares sizes an allocation (see
//! `xlsx_copy`), and a panic in the workbook reader is a file error, not a crash.

mod archive;
mod budget;

mod csv;
mod docx;
mod docx_table;
mod error;
mod format;
mod menu_text;
mod table;
mod words;
mod xlsx;
mod xlsx_copy;

#[cfg(test)]
mod fuzz_tests;

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::import::model::{ImportError, ImportField, Parsed, RowProblem};

pub use budget::ParseBudget;
pub use error::FileError;
pub use format::Format;

/// The most dish rows one file may hold (a year of one kitchen's menu is about 1400).
pub const MAX_ROWS: usize = 5000;

/// The largest upload read at all.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The most bytes unpacked from an XLSX or DOCX archive, all entries read together.
pub const MAX_UNPACKED_BYTES: u64 = 10 * 1024 * 1024;

/// The most cells one row (a CSV record, a worksheet row, a Word table row) may hold, blank
/// ones included; a menu has six columns and a few notes.
pub const MAX_CELLS_PER_ROW: usize = 1000;

/// Reads a menu file. `default_year` is the year of rows whose file names none (a DOCX
/// heading "Vecka 12", a CSV/XLSX without a year column or with an empty year cell).
pub fn parse(
    format: Format,
    bytes: &[u8],
    default_year: i32,
    budget: &ParseBudget,
) -> Result<Parsed, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge {
            max_mib: MAX_FILE_BYTES / (1024 * 1024),
        });
    }
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    let mut parsed = match format {
        Format::Csv => self::csv::parse(bytes, default_year, budget)?,
        Format::Xlsx => xlsx::parse(bytes, default_year, budget)?,
        Format::Docx => docx::parse(bytes, default_year, budget)?,
    };
    reject_duplicates(&mut parsed);
    if parsed.rows.is_empty() && parsed.errors.is_empty() {
        return Err(FileError::NoDishes);
    }
    Ok(parsed)
}

/// One file may name a dish for a (year, week, day, slot) only once: the later row is an
/// error that points at the earlier one, and is left out of the rows.
fn reject_duplicates(parsed: &mut Parsed) {
    let mut first_lines = HashMap::new();
    let mut duplicates = Vec::new();
    parsed.rows.retain(
        |row| match first_lines.entry((row.year, row.week, row.day, row.slot)) {
            Entry::Vacant(vacant) => {
                vacant.insert((row.line, row.cell));
                true
            }
            Entry::Occupied(earlier) => {
                let (earlier_line, earlier_cell) = *earlier.get();
                let problem = RowProblem::DuplicateSlot {
                    slot: row.slot,
                    day: row.day,
                    week: row.week,
                    year: row.year,
                    earlier_line,
                    earlier_cell,
                };
                duplicates.push(
                    ImportError::new(row.line, ImportField::Alternative, problem).in_cell(row.cell),
                );
                false
            }
        },
    );
    if !duplicates.is_empty() {
        parsed.errors.append(&mut duplicates);
        // Stable: errors of one line keep their order, and the list reads in file order.
        parsed.errors.sort_by_key(|error| error.line);
    }
}

/// Test helpers shared by the parser tests.
#[cfg(test)]
mod test_support {
    use crate::import::model::{ImportRow, ImportSlot, Parsed};

    pub const SAMPLE_CSV: &[u8] = include_bytes!("../../../../../docs/samples/meny-v12-2026.csv");
    pub const SAMPLE_XLSX: &[u8] = include_bytes!("../../../../../docs/samples/meny-v13-2026.xlsx");
    pub const SAMPLE_DOCX: &[u8] = include_bytes!("../../../../../docs/samples/meny-v14-2026.docx");
    pub const SAMPLE_TABLE_DOCX: &[u8] =
        include_bytes!("../../../../../docs/samples/meny-tabell-v15-2026.docx");
    pub const SAMPLE_BAD_CSV: &[u8] = include_bytes!("../../../../../docs/samples/meny-fel.csv");

    /// The dish of (day, slot), when the parsed file has exactly one.
    pub fn dish(parsed: &Parsed, day: u32, slot: ImportSlot) -> Option<&str> {
        let mut found = parsed
            .rows
            .iter()
            .filter(|row| row.day == day && row.slot == slot);
        let first = found.next()?;
        found.next().is_none().then_some(first.dish.as_str())
    }

    pub fn row(parsed: &Parsed, day: u32, slot: ImportSlot) -> &ImportRow {
        let rows: Vec<_> = parsed
            .rows
            .iter()
            .filter(|row| row.day == day && row.slot == slot)
            .collect();
        assert_eq!(rows.len(), 1, "rows for day {day} {slot:?}: {rows:?}");
        rows[0]
    }

    /// (line, field) of every error, for compact assertions.
    pub fn error_places(parsed: &Parsed) -> Vec<(usize, Option<&str>)> {
        parsed
            .errors
            .iter()
            .map(|error| (error.line, Some(error.field.as_str())))
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::import::model::ImportSlot;

    #[test]
    fn each_sample_parses_without_errors() {
        for (format, bytes, week) in [
            (Format::Csv, SAMPLE_CSV, 12),
            (Format::Xlsx, SAMPLE_XLSX, 13),
            (Format::Docx, SAMPLE_DOCX, 14),
            (Format::Docx, SAMPLE_TABLE_DOCX, 15),
        ] {
            let parsed = parse(format, bytes, 2026, &ParseBudget::default()).unwrap();
            assert_eq!(parsed.errors, vec![], "{format:?}");
            // Monday-Friday: Alt 1, Alt 2, dessert, dinner; weekend: Alt 1, dessert, dinner.
            assert_eq!(parsed.rows.len(), 5 * 4 + 2 * 3, "{format:?}");
            assert!(
                parsed.rows.iter().all(|r| r.year == 2026 && r.week == week),
                "{format:?}"
            );
            for day in 1..=7 {
                assert!(dish(&parsed, day, ImportSlot::Alt1).is_some(), "{format:?}");
                assert!(
                    dish(&parsed, day, ImportSlot::Dinner).is_some(),
                    "{format:?}"
                );
            }
            assert_eq!(dish(&parsed, 6, ImportSlot::Alt2), None, "{format:?}");
        }
    }

    #[test]
    fn duplicate_slot_is_an_error_naming_the_earlier_line() {
        let csv = "Vecka;Dag;Måltid;Alternativ;Rätt\n\
                   12;mån;lunch;1;Köttbullar med potatismos\n\
                   12;tis;lunch;1;Fiskgratäng\n\
                   12;Måndag;Lunch;Alt 1;Pannbiff med lök\n";
        let parsed = parse(Format::Csv, csv.as_bytes(), 2026, &ParseBudget::default()).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(error_places(&parsed), vec![(4, Some("alternative"))]);
        assert_eq!(
            parsed.errors[0].problem,
            RowProblem::DuplicateSlot {
                slot: ImportSlot::Alt1,
                day: 1,
                week: 12,
                year: 2026,
                earlier_line: 2,
                earlier_cell: None
            }
        );
        assert!(
            parsed.errors[0]
                .reason()
                .contains("already given on line 2"),
            "{}",
            parsed.errors[0].reason()
        );
    }

    #[test]
    fn empty_and_dishless_files_are_file_errors() {
        assert!(matches!(
            parse(Format::Csv, b"", 2026, &ParseBudget::default()),
            Err(FileError::Empty)
        ));
        assert!(matches!(
            parse(Format::Xlsx, b"", 2026, &ParseBudget::default()),
            Err(FileError::Empty)
        ));
        assert!(matches!(
            parse(
                Format::Csv,
                "År;Vecka;Dag;Måltid;Alternativ;Rätt\r\n".as_bytes(),
                2026,
                &ParseBudget::default()
            ),
            Err(FileError::NoDishes)
        ));
    }

    #[test]
    fn oversized_upload_is_refused_before_reading() {
        let bytes = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(matches!(
            parse(Format::Csv, &bytes, 2026, &ParseBudget::default()),
            Err(FileError::TooLarge { max_mib: 10 })
        ));
    }
}
