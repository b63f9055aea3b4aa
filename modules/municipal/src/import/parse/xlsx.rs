//! XLSX menus: the first worksheet, read cell by cell with calamine, as a [`Table`].

use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};

use calamine::{DataRef, Reader, Xlsx};

use crate::import::model::Parsed;

use super::budget::{ParseBudget, Ticker};
use super::table::{MAX_ROWS_BEFORE_HEADER, Table};
use super::xlsx_copy::sanitised_copy;
use super::{FileError, MAX_CELLS_PER_ROW, MAX_ROWS};

/// Cells right of this column are ignored: a menu has six columns and a few notes.
const MAX_COLUMNS: u32 = 64;

pub(super) fn parse(
    bytes: &[u8],
    default_year: i32,
    budget: &ParseBudget,
) -> Result<Parsed, FileError> {
    let mut ticker = budget.ticker();
    // calamine sees only the cleaned copy: bounded in size, no declared counts, no cell
    // reference it cannot hold (see `xlsx_copy`).
    let copy = sanitised_copy(bytes, &mut ticker)?;
    // A panic left in calamine on input nobody foresaw is this file's problem, not the
    // server's: the release profile unwinds, so it is caught here.
    let rows = panic::catch_unwind(AssertUnwindSafe(|| {
        read_first_sheet(&copy, budget, &mut ticker)
    }))
    .unwrap_or_else(|_| {
        Err(FileError::not_xlsx(
            "the workbook reader failed on this file",
        ))
    })?;
    let mut table = Table::new(default_year);
    for (row, cells) in rows {
        // calamine counts rows from 0; people and Excel count from 1.
        table.push_row(row as usize + 1, &cells)?;
    }
    table.finish()
}

/// The non-blank rows of the first worksheet, by 0-based row index, as cell texts.
///
/// Streams the cells instead of asking calamine for the sheet's range: a range spans from
/// the first to the last used cell, and one cell at XFD1048576 would make it billions of cells.
fn read_first_sheet(
    bytes: &[u8],
    budget: &ParseBudget,
    ticker: &mut Ticker,
) -> Result<BTreeMap<u32, Vec<String>>, FileError> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(FileError::not_xlsx)?;
    let first_sheet = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(FileError::NoWorksheet)?;
    let mut cells = workbook
        .worksheet_cells_reader(&first_sheet)
        .map_err(FileError::not_xlsx)?;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    // Cells seen in the current row, ignored ones included: a row of 100,000 cells is
    // refused rather than read.
    let mut row_cells_seen = (u32::MAX, 0usize);
    while let Some(cell) = cells.next_cell().map_err(FileError::not_xlsx)? {
        ticker.tick()?;
        let (row, column) = cell.get_position();
        if row_cells_seen.0 != row {
            row_cells_seen = (row, 0);
        }
        row_cells_seen.1 += 1;
        if row_cells_seen.1 > MAX_CELLS_PER_ROW {
            return Err(FileError::too_many_cells(row as usize + 1));
        }
        let text = cell_text(cell.get_value());
        budget.check_text(&text)?;
        if column >= MAX_COLUMNS || text.trim().is_empty() {
            continue;
        }
        let row_cells = rows.entry(row).or_default();
        let column = column as usize;
        if row_cells.len() <= column {
            row_cells.resize(column + 1, String::new());
        }
        row_cells[column] = text;
        // Header, title rows and the cap: anything beyond cannot be a valid file.
        if rows.len() > MAX_ROWS + MAX_ROWS_BEFORE_HEADER + 1 {
            return Err(FileError::too_many_rows());
        }
    }
    Ok(rows)
}

/// A cell as the text the table reader expects. Excel stores every number as a float, so
/// a week typed as 12 arrives as 12.0 and is written back as "12".
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
            text.clone()
        }
        DataRef::SharedString(text) => (*text).to_owned(),
        DataRef::Int(number) => number.to_string(),
        DataRef::Float(number) => float_text(*number),
        // A date-formatted cell (a day typed as "16/3" becomes one): its serial number,
        // which the field check then refuses with the number in the message.
        DataRef::DateTime(date) => float_text(date.as_f64()),
        DataRef::Bool(value) => value.to_string(),
        DataRef::Error(error) => error.to_string(),
        DataRef::Empty => String::new(),
    }
}

fn float_text(number: f64) -> String {
    // Whole numbers well inside i64 print without ".0"; anything else as it is.
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        number.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::archive::test_zip::zip;
    use super::super::test_support::*;
    use super::*;
    use crate::import::model::ImportSlot;

    #[test]
    fn sample_week_13() {
        let parsed = parse(SAMPLE_XLSX, 1999, &ParseBudget::default()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.rows.len(), 26);
        let wednesday = row(&parsed, 3, ImportSlot::Alt1);
        assert_eq!(
            wednesday.dish,
            "Köttbullar med potatismos, gräddsås och lingon"
        );
        assert_eq!((wednesday.year, wednesday.week), (2026, 13));
        // Row 1 is the title, row 2 the header, so Monday's Alt 1 is row 3.
        assert_eq!(row(&parsed, 1, ImportSlot::Alt1).line, 3);
        assert_eq!(
            dish(&parsed, 5, ImportSlot::Alt2),
            Some("Pasta med tomatsås och basilika")
        );
        assert_eq!(
            dish(&parsed, 7, ImportSlot::Dinner),
            Some("Varma smörgåsar med skinka och ost")
        );
    }

    #[test]
    fn whole_floats_read_as_integers() {
        assert_eq!(float_text(12.0), "12");
        assert_eq!(float_text(2026.0), "2026");
        assert_eq!(float_text(12.5), "12.5");
        assert_eq!(float_text(f64::NAN), "NaN");
        assert_eq!(float_text(-3.0), "-3");
    }

    #[test]
    fn text_claimed_as_xlsx_is_a_file_error() {
        assert!(matches!(
            parse(SAMPLE_CSV, 2026, &ParseBudget::default()),
            Err(FileError::NotXlsx { .. })
        ));
    }

    #[test]
    fn docx_or_bare_zip_is_not_a_workbook() {
        assert!(matches!(
            parse(SAMPLE_DOCX, 2026, &ParseBudget::default()),
            Err(FileError::NotXlsx { .. })
        ));
        let bytes = zip(&[("hello.txt", b"hej")]);
        assert!(matches!(
            parse(&bytes, 2026, &ParseBudget::default()),
            Err(FileError::NotXlsx { .. })
        ));
    }

    #[test]
    fn zip_bomb_is_refused() {
        let big = vec![b' '; super::super::MAX_UNPACKED_BYTES as usize + 1];
        let bytes = zip(&[("xl/worksheets/sheet1.xml", &big)]);
        assert!(matches!(
            parse(&bytes, 2026, &ParseBudget::default()),
            Err(FileError::TooLarge { max_mib: 10 })
        ));
    }

    const HOSTILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile");

    fn hostile(name: &str) -> Vec<u8> {
        std::fs::read(format!("{HOSTILE}/{name}")).unwrap()
    }

    #[test]
    fn declared_string_count_sizes_nothing() {
        // Before the cleaned copy, calamine reserved 4e9 strings and the process aborted.
        let parsed = parse(&hostile("unique-count.xlsx"), 2026, &ParseBudget::default()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            dish(&parsed, 1, ImportSlot::Alt1),
            Some("Köttbullar med potatismos")
        );
    }

    #[test]
    fn cell_reference_beyond_excel_is_a_file_error() {
        assert!(matches!(
            parse(
                &hostile("long-cell-ref.xlsx"),
                2026,
                &ParseBudget::default()
            ),
            Err(FileError::CellOutOfRange)
        ));
    }

    #[test]
    fn a_part_under_any_name_counts_toward_the_unpacked_limit() {
        assert!(matches!(
            parse(
                &hostile("sheet-bin-bomb.xlsx"),
                2026,
                &ParseBudget::default()
            ),
            Err(FileError::TooLarge { max_mib: 10 })
        ));
    }

    #[test]
    fn a_row_of_too_many_cells_is_refused() {
        let cells: String = (1..=MAX_CELLS_PER_ROW + 1)
            .map(|n| {
                format!(
                    "<c r=\"{}1\" t=\"inlineStr\"><is><t>x</t></is></c>",
                    column_name(n)
                )
            })
            .collect();
        let sheet = format!(
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">{cells}</row></sheetData></worksheet>"#
        );
        let result = parse(&workbook(&sheet), 2026, &ParseBudget::default());
        assert!(
            matches!(result, Err(FileError::TooManyCells { line: 1, max: 1000 })),
            "{result:?}"
        );
    }

    #[test]
    fn a_spent_budget_stops_the_read() {
        let cells: String = (0..20_000)
            .map(|n| {
                format!(
                    "<row r=\"{}\"><c r=\"A{}\"><v>1</v></c></row>",
                    n + 1,
                    n + 1
                )
            })
            .collect();
        let sheet = format!(
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>"#
        );
        let spent = ParseBudget {
            deadline: std::time::Instant::now(),
            ..ParseBudget::default()
        };
        assert!(matches!(
            parse(&workbook(&sheet), 2026, &spent),
            Err(FileError::TooComplex)
        ));
    }

    /// "A", "B", ... "Z", "AA": Excel's name of the 1-based column `n`.
    fn column_name(mut n: usize) -> String {
        let mut name = Vec::new();
        while n > 0 {
            n -= 1;
            name.push(b'A' + (n % 26) as u8);
            n /= 26;
        }
        name.reverse();
        String::from_utf8(name).unwrap()
    }

    /// A workbook of one sheet, without shared strings.
    fn workbook(sheet: &str) -> Vec<u8> {
        zip(&[
            (
                "_rels/.rels",
                br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                br#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Meny" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            ),
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ])
    }
}
