//! The schedule as one table, one row per shift, written as CSV or as an XLSX workbook. Both
//! files have the same columns in the same order.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};

use super::{kind_words, position_words};
use crate::rotation::pattern::DayKind;
use crate::rotation::position::Position;

pub const HEADER: [&str; 7] = [
    "Date",
    "Person",
    "Position",
    "Kind",
    "Start",
    "End",
    "Published",
];

/// Excel only detects UTF-8 (and so shows æ/ø/å right) when the file starts with this mark.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Norwegian and Swedish Excel split a CSV line on the list separator of their locale, `;`.
const DELIMITER: u8 = b';';

#[derive(Debug, Clone)]
pub struct ScheduleRow {
    pub date: NaiveDate,
    pub person: String,
    pub position: Position,
    pub kind: DayKind,
    pub span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub published: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("writing the CSV failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing the XLSX failed: {0}")]
    Xlsx(#[from] XlsxError),
}

/// The row's cells as text; start and end as local date and time in `zone` (a night shift
/// ends on the next day, so the date is part of it).
fn cells(row: &ScheduleRow, zone: Tz) -> [String; 7] {
    let local = |at: DateTime<Utc>| at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
    [
        row.date.to_string(),
        row.person.clone(),
        position_words(row.position).to_owned(),
        kind_words(row.kind).to_owned(),
        row.span.map(|(start, _)| local(start)).unwrap_or_default(),
        row.span.map(|(_, end)| local(end)).unwrap_or_default(),
        if row.published { "yes" } else { "no" }.to_owned(),
    ]
}

/// UTF-8 with a BOM, `;`-separated; the person's name is the only free text and goes through
/// `csv_text`, so a name like `=HYPERLINK(...)` arrives as text.
pub fn csv(rows: &[ScheduleRow], zone: Tz) -> Result<Vec<u8>, TableError> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(DELIMITER)
        .from_writer(UTF8_BOM.to_vec());
    writer.write_record(HEADER)?;
    for row in rows {
        let mut cells = cells(row, zone);
        cells[1] = galley_core::export::csv_text(&cells[1]).into_owned();
        writer.write_record(&cells)?;
    }
    writer
        .into_inner()
        .map_err(|error| TableError::Csv(error.into_error().into()))
}

/// One sheet, "Schedule", with the header row frozen. Every cell is a string: the XLSX
/// writer never writes a string as a formula, so names need no neutralising here.
pub fn xlsx(rows: &[ScheduleRow], zone: Tz) -> Result<Vec<u8>, TableError> {
    let mut workbook = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let sheet = workbook.add_worksheet().set_name("Schedule")?;
    for (col, title) in (0..).zip(HEADER) {
        sheet.write_string_with_format(0, col, title, &header)?;
    }
    for (line, row) in (1..).zip(rows) {
        for (col, cell) in (0..).zip(cells(row, zone)) {
            sheet.write_string(line, col, cell)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};
    use chrono::TimeZone;

    use super::*;

    fn rows() -> Vec<ScheduleRow> {
        let oslo = chrono_tz::Europe::Oslo;
        let local = |d: u32, h: u32| {
            oslo.with_ymd_and_hms(2026, 10, d, h, 0, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        vec![
            ScheduleRow {
                date: NaiveDate::from_ymd_opt(2026, 10, 24).unwrap(),
                person: "=HYPERLINK(\"http://x.test\",\"Kari\")".into(),
                position: Position::NightCook,
                kind: DayKind::Night,
                span: Some((local(24, 19), local(25, 7))),
                published: true,
            },
            ScheduleRow {
                date: NaiveDate::from_ymd_opt(2026, 10, 25).unwrap(),
                person: "Ola; \"Nordmann\"".into(),
                position: Position::Steward,
                kind: DayKind::Swing,
                span: None,
                published: false,
            },
        ]
    }

    #[test]
    fn csv_has_a_bom_the_header_local_times_and_no_formulas() {
        let bytes = csv(&rows(), chrono_tz::Europe::Oslo).unwrap();
        let text = std::str::from_utf8(bytes.strip_prefix(UTF8_BOM).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "Date;Person;Position;Kind;Start;End;Published",
                "2026-10-24;\"'=HYPERLINK(\"\"http://x.test\"\",\"\"Kari\"\")\";Night cook;Night shift;2026-10-24 19:00;2026-10-25 07:00;yes",
                "2026-10-25;\"Ola; \"\"Nordmann\"\"\";Steward;Swing day;;;no",
            ]
        );
    }

    #[test]
    fn xlsx_holds_the_same_table() {
        let bytes = xlsx(&rows(), chrono_tz::Europe::Oslo).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Schedule").unwrap();
        let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(cell(0, 6), Data::String("Published".into()));
        assert_eq!(
            cell(1, 1),
            Data::String("=HYPERLINK(\"http://x.test\",\"Kari\")".into())
        );
        assert_eq!(cell(1, 5), Data::String("2026-10-25 07:00".into()));
        assert_eq!(cell(2, 3), Data::String("Swing day".into()));
        assert_eq!(range.end(), Some((2, 6)));
    }
}
