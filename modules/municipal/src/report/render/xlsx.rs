//! XLSX: the department table on the first sheet, the diet totals on the second.
//! Numbers are written as numbers (so they can be summed and charted) and the totals as
//! values from `report.totals`, so readers without recalculation still see them.

mod sheet_name;

use rust_xlsxwriter::{
    ColNum, Format, FormatAlign, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};

use super::RenderError;
use super::table::{
    Numbers, column_groups, department_numbers, diet_headers, diet_numbers, number_headers,
    totals_numbers,
};
use crate::report::model::{ReportLabels, WeeklyReport};
use sheet_name::sheet_name;

const TITLE_ROW: RowNum = 0;
/// Row of the "Lunch" / "Kvällsmat" group headers; the column headers follow below it.
const GROUP_ROW: RowNum = 2;
const COLUMN_ROW: RowNum = GROUP_ROW + 1;
const FIRST_DEPARTMENT_ROW: RowNum = COLUMN_ROW + 1;

const DIET_HEADER_ROW: RowNum = 2;
const FIRST_DIET_ROW: RowNum = DIET_HEADER_ROW + 1;

/// Excel shows "#,##0" with the reader's own thousands separator (a space in Swedish).
const NUMBER_FORMAT: &str = "#,##0";

struct Formats {
    title: Format,
    header: Format,
    group: Format,
    number_header: Format,
    number: Format,
    total_label: Format,
    total_number: Format,
}

impl Formats {
    fn new() -> Self {
        let bold = Format::new().set_bold();
        let header = bold.clone().set_border_bottom(FormatBorder::Thin);
        let total_label = bold.clone().set_border_top(FormatBorder::Thin);
        Self {
            title: bold.clone().set_font_size(14),
            group: header.clone().set_align(FormatAlign::Center),
            number_header: header.clone().set_align(FormatAlign::Right),
            header: header.set_align(FormatAlign::Bottom),
            number: Format::new().set_num_format(NUMBER_FORMAT),
            total_number: total_label.clone().set_num_format(NUMBER_FORMAT),
            total_label,
        }
    }
}

pub(super) fn render(report: &WeeklyReport, labels: &ReportLabels) -> Result<Vec<u8>, RenderError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();

    let departments_sheet = sheet_name(&labels.title, 1, &[]);
    let diets_sheet = sheet_name(&labels.diets, 2, std::slice::from_ref(&departments_sheet));

    let sheet = workbook.add_worksheet().set_name(&departments_sheet)?;
    write_departments(sheet, report, labels, &formats)?;

    let sheet = workbook.add_worksheet().set_name(&diets_sheet)?;
    write_diets(sheet, report, labels, &formats)?;

    Ok(workbook.save_to_buffer()?)
}

fn title(report: &WeeklyReport, heading: &str, labels: &ReportLabels) -> String {
    format!("{heading} – {} – {}", report.site_name, labels.period)
}

fn write_departments(
    sheet: &mut Worksheet,
    report: &WeeklyReport,
    labels: &ReportLabels,
    formats: &Formats,
) -> Result<(), XlsxError> {
    // The name header spans both header rows; each meal's header spans its columns.
    sheet.merge_range(
        GROUP_ROW,
        0,
        COLUMN_ROW,
        0,
        &labels.department,
        &formats.header,
    )?;
    for group in column_groups(labels) {
        let first = number_column(group.first);
        let last = number_column(group.first + group.len - 1);
        sheet.merge_range(
            GROUP_ROW,
            first,
            GROUP_ROW,
            last,
            group.title,
            &formats.group,
        )?;
    }
    for (index, header) in number_headers(labels).into_iter().enumerate() {
        sheet.write_string_with_format(
            COLUMN_ROW,
            number_column(index),
            header,
            &formats.number_header,
        )?;
    }

    let mut row = FIRST_DEPARTMENT_ROW;
    for department in &report.departments {
        sheet.write_string(row, 0, &department.name)?;
        write_numbers(sheet, row, &department_numbers(department), &formats.number)?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, &labels.total, &formats.total_label)?;
    write_numbers(
        sheet,
        row,
        &totals_numbers(&report.totals),
        &formats.total_number,
    )?;

    sheet.set_freeze_panes(FIRST_DEPARTMENT_ROW, 1)?;
    // Fit the columns before writing the title, which would otherwise widen column A to
    // its whole length; the title simply overflows into the empty cells beside it.
    sheet.autofit();
    sheet.write_string_with_format(
        TITLE_ROW,
        0,
        title(report, &labels.title, labels),
        &formats.title,
    )?;
    Ok(())
}

fn write_diets(
    sheet: &mut Worksheet,
    report: &WeeklyReport,
    labels: &ReportLabels,
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (col, header) in (0..).zip(diet_headers(labels)) {
        let format = if col == 0 {
            &formats.header
        } else {
            &formats.number_header
        };
        sheet.write_string_with_format(DIET_HEADER_ROW, col, header, format)?;
    }
    for (row, diet) in (FIRST_DIET_ROW..).zip(&report.totals.diets) {
        sheet.write_string(row, 0, &diet.name)?;
        for (col, value) in (1..).zip(diet_numbers(diet)) {
            sheet.write_number_with_format(row, col, as_cell_number(value), &formats.number)?;
        }
    }

    sheet.set_freeze_panes(FIRST_DIET_ROW, 1)?;
    sheet.autofit();
    sheet.write_string_with_format(
        TITLE_ROW,
        0,
        title(report, &labels.diets, labels),
        &formats.title,
    )?;
    Ok(())
}

/// Sheet column of the `index`-th number column (column 0 holds the name).
fn number_column(index: usize) -> ColNum {
    ColNum::try_from(index + 1).unwrap_or(ColNum::MAX)
}

fn write_numbers(
    sheet: &mut Worksheet,
    row: RowNum,
    numbers: &Numbers,
    format: &Format,
) -> Result<(), XlsxError> {
    for (index, value) in numbers.iter().enumerate() {
        sheet.write_number_with_format(
            row,
            number_column(index),
            as_cell_number(*value),
            format,
        )?;
    }
    Ok(())
}

/// Excel stores every number as a double; portion counts are far below 2^53, so exact.
#[allow(clippy::cast_precision_loss)]
fn as_cell_number(value: i64) -> f64 {
    value as f64
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::super::sample;
    use super::*;

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap()
    }

    fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
        range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
    }

    #[test]
    fn department_sheet_has_title_headers_rows_and_totals() {
        let report = sample::report();
        let mut workbook = open(render(&report, &sample::labels()).unwrap());

        assert_eq!(
            workbook.sheet_names(),
            ["Veckorapport", "Specialkost per kosttyp"]
        );
        let range = workbook.worksheet_range("Veckorapport").unwrap();

        assert_eq!(
            cell(&range, 0, 0),
            Data::String("Veckorapport – Björkö – v. 12, 16–22 mars 2026".into())
        );
        assert_eq!(cell(&range, 2, 0), Data::String("Avdelning".into()));
        assert_eq!(cell(&range, 2, 1), Data::String("Lunch".into()));
        assert_eq!(cell(&range, 2, 6), Data::String("Kvällsmat".into()));
        assert_eq!(cell(&range, 3, 1), Data::String("Boende".into()));
        assert_eq!(cell(&range, 3, 8), Data::String("Normalkost".into()));

        assert_eq!(cell(&range, 4, 0), Data::String("Ängsgården avd 1".into()));
        assert_eq!(cell(&range, 6, 0), Data::String("Åkerbär".into()));
        let residents = report.departments[0].lunch.counts.residents;
        assert_eq!(cell(&range, 4, 1), Data::Float(residents as f64));
        assert_eq!(
            cell(&range, 6, 4),
            Data::Float(report.departments[2].lunch.alt1 as f64)
        );

        let totals_row = 4 + report.departments.len() as u32;
        assert_eq!(cell(&range, totals_row, 0), Data::String("Totalt".into()));
        let totals: Vec<Data> = (1..=8).map(|col| cell(&range, totals_row, col)).collect();
        let expected: Vec<Data> = (9001..=9008).map(|n| Data::Float(f64::from(n))).collect();
        assert_eq!(totals, expected);
        assert_eq!(
            range.end(),
            Some((totals_row, 8)),
            "nothing after the totals"
        );
    }

    #[test]
    fn group_headers_are_merged() {
        let mut workbook = open(render(&sample::report(), &sample::labels()).unwrap());
        let mut merged: Vec<_> = workbook
            .merge_cells_by_sheet_name("Veckorapport")
            .unwrap()
            .into_iter()
            .map(|region| (region.start, region.end))
            .collect();
        merged.sort_unstable();
        assert_eq!(
            merged,
            [((2, 0), (3, 0)), ((2, 1), (2, 5)), ((2, 6), (2, 8))]
        );
    }

    #[test]
    fn diet_sheet_lists_site_totals_per_diet() {
        let report = sample::report();
        let mut workbook = open(render(&report, &sample::labels()).unwrap());
        let range = workbook.worksheet_range("Specialkost per kosttyp").unwrap();

        assert_eq!(cell(&range, 2, 0), Data::String("Kosttyp".into()));
        assert_eq!(cell(&range, 2, 2), Data::String("Kvällsmat".into()));
        let rows: Vec<(Data, Data, Data)> = (3..6)
            .map(|row| {
                (
                    cell(&range, row, 0),
                    cell(&range, row, 1),
                    cell(&range, row, 2),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    Data::String("Glutenfri".into()),
                    Data::Float(41.0),
                    Data::Float(37.0)
                ),
                (
                    Data::String("Laktosfri".into()),
                    Data::Float(23.0),
                    Data::Float(19.0)
                ),
                (
                    Data::String("Timbal/Paté".into()),
                    Data::Float(7.0),
                    Data::Float(5.0)
                ),
            ]
        );
    }

    #[test]
    fn clashing_or_invalid_sheet_labels_still_make_a_valid_workbook() {
        let mut labels = sample::labels();
        labels.title = "Kost/Vecka".into();
        labels.diets = "kost vecka".into();
        let mut workbook = open(render(&sample::report(), &labels).unwrap());
        assert_eq!(workbook.sheet_names(), ["Kost Vecka", "kost vecka (2)"]);
        assert!(workbook.worksheet_range("kost vecka (2)").is_ok());
    }
}
