//! The two PDF tables built from the report, with column widths measured from their content.

use super::fonts::{Fonts, Weight};
use super::grid::{Align, Column, GroupHeader, Row, Table, room, wrap};
use super::layout::{CELL_PADDING, CONTENT_WIDTH};
use crate::report::model::{ReportLabels, WeeklyReport};
use crate::report::render::table::{
    column_groups, department_numbers, diet_headers, diet_numbers, number_headers, totals_numbers,
};

/// Table text size when everything fits; longer translations shrink it down to the minimum.
const TABLE_SIZE: f32 = 9.0;
const MIN_TABLE_SIZE: f32 = 6.0;
const MIN_ONE_LINE_SIZE: f32 = 7.5;
/// The department column never gets less than this share of the width, so names stay legible.
const MIN_NAME_SHARE: f32 = 0.22;
/// The diet table is narrower than the page; its name column is at least this wide.
const MIN_DIET_NAME_WIDTH: f32 = 160.0;
const MIN_DIET_NUMBER_WIDTH: f32 = 70.0;
/// Space between the lunch and dinner groups, so "Alt 2" and the dinner residents
/// don't run together.
const GROUP_GAP: f32 = 10.0;

pub(super) fn department_table(
    report: &WeeklyReport,
    labels: &ReportLabels,
    fonts: &Fonts,
) -> Table {
    let mut rows: Vec<Row> = report
        .departments
        .iter()
        .map(|department| Row {
            cells: cells(&department.name, department_numbers(department)),
            is_total: false,
        })
        .collect();
    rows.push(Row {
        cells: cells(&labels.total, totals_numbers(&report.totals)),
        is_total: true,
    });
    let mut headers = vec![labels.department.clone()];
    headers.extend(number_headers(labels).map(str::to_owned));
    let groups: Vec<GroupHeader> = column_groups(labels)
        .iter()
        .map(|group| GroupHeader {
            title: group.title.to_owned(),
            // Column 0 is the department name.
            first_column: group.first + 1,
            columns: group.len,
        })
        .collect();

    let gaps = GROUP_GAP * groups.len().saturating_sub(1) as f32;
    // Widths at font size 1, in points; every width scales linearly with the size.
    let whole = widest_per_column(fonts, &headers, &rows, HeaderFit::OneLine);
    let narrowest = widest_per_column(fonts, &headers, &rows, HeaderFit::Wrapped);
    let min_name_width = CONTENT_WIDTH * MIN_NAME_SHARE;
    let padding = 2.0 * CELL_PADDING * (headers.len() - 1) as f32 + gaps;
    let room_for_numbers = CONTENT_WIDTH - min_name_width - padding;
    // A slightly smaller text reads better than headers broken over lines, so wrapping
    // only starts once one-line headers would need text below MIN_ONE_LINE_SIZE.
    let one_line_size = (room_for_numbers / whole[1..].iter().sum::<f32>()).min(TABLE_SIZE);
    let (font_size, basis) = if one_line_size >= MIN_ONE_LINE_SIZE {
        (one_line_size, &whole)
    } else {
        let wrapped_size = room_for_numbers / narrowest[1..].iter().sum::<f32>();
        // Both bounds are constants with MIN < MAX, so clamp cannot panic.
        (wrapped_size.clamp(MIN_TABLE_SIZE, TABLE_SIZE), &narrowest)
    };
    let at_size = |unit: f32| unit * font_size + 2.0 * CELL_PADDING;

    let mut widths: Vec<f32> = basis.iter().map(|unit| at_size(*unit)).collect();
    widen_for_groups(fonts, &groups, font_size, &mut widths);
    // Share out the rest of the width: first so headers need not wrap (cheapest first, so
    // as many as possible stay on one line), then for the names (long ones are shortened
    // with "…"), and what is left evenly to the numbers so the table spans the page.
    let mut spare = CONTENT_WIDTH - gaps - min_name_width - widths[1..].iter().sum::<f32>();
    let mut wants: Vec<(usize, f32)> = (1..widths.len())
        .map(|index| (index, at_size(whole[index]) - widths[index]))
        .filter(|(_, want)| *want > 0.0)
        .collect();
    wants.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (index, want) in wants {
        if want > spare {
            break;
        }
        widths[index] += want;
        spare -= want;
    }
    widths[0] = at_size(whole[0]).clamp(min_name_width, min_name_width + spare.max(0.0));
    let spare = (CONTENT_WIDTH - gaps - widths.iter().sum::<f32>()).max(0.0);
    let number_columns = (widths.len() - 1) as f32;
    for width in &mut widths[1..] {
        *width += spare / number_columns;
    }

    let headers = wrap_headers(fonts, &headers, &widths, font_size);
    let mut columns = columns(widths);
    for group in groups.iter().skip(1) {
        columns[group.first_column].gap_before = GROUP_GAP;
    }
    Table {
        columns,
        groups,
        headers,
        rows,
        font_size,
    }
}

pub(super) fn diet_table(report: &WeeklyReport, labels: &ReportLabels, fonts: &Fonts) -> Table {
    let headers: Vec<String> = diet_headers(labels).map(str::to_owned).to_vec();
    let rows: Vec<Row> = report
        .totals
        .diets
        .iter()
        .map(|diet| Row {
            cells: cells(&diet.name, diet_numbers(diet)),
            is_total: false,
        })
        .collect();
    let mut widths: Vec<f32> = widest_per_column(fonts, &headers, &rows, HeaderFit::OneLine)
        .iter()
        .map(|unit| unit * TABLE_SIZE + 2.0 * CELL_PADDING)
        .collect();
    for width in &mut widths[1..] {
        *width = width.max(MIN_DIET_NUMBER_WIDTH);
    }
    let numbers_width: f32 = widths[1..].iter().sum();
    widths[0] = widths[0]
        .max(MIN_DIET_NAME_WIDTH)
        .min(CONTENT_WIDTH - numbers_width);
    let headers = wrap_headers(fonts, &headers, &widths, TABLE_SIZE);

    Table {
        columns: columns(widths),
        groups: Vec::new(),
        headers,
        rows,
        font_size: TABLE_SIZE,
    }
}

fn cells<const N: usize>(name: &str, numbers: [i64; N]) -> Vec<String> {
    std::iter::once(name.to_owned())
        .chain(numbers.iter().map(i64::to_string))
        .collect()
}

/// The first column holds names (left-aligned), all others numbers (right-aligned).
fn columns(widths: Vec<f32>) -> Vec<Column> {
    widths
        .into_iter()
        .enumerate()
        .map(|(index, width)| Column {
            width,
            align: if index == 0 {
                Align::Left
            } else {
                Align::Right
            },
            gap_before: 0.0,
        })
        .collect()
}

/// How a header is measured: on one line, or by its longest word (the narrowest it can
/// wrap to).
#[derive(Clone, Copy)]
enum HeaderFit {
    OneLine,
    Wrapped,
}

/// Widest content of each column at font size 1 (headers and totals are bold).
fn widest_per_column(fonts: &Fonts, headers: &[String], rows: &[Row], fit: HeaderFit) -> Vec<f32> {
    let bold = |text: &str| fonts.width(text, Weight::Bold, 1.0);
    let mut widths: Vec<f32> = headers
        .iter()
        .map(|header| match fit {
            HeaderFit::OneLine => bold(header),
            HeaderFit::Wrapped => header.split_whitespace().map(bold).fold(0.0, f32::max),
        })
        .collect();
    for row in rows {
        let weight = if row.is_total {
            Weight::Bold
        } else {
            Weight::Regular
        };
        for (width, cell) in widths.iter_mut().zip(&row.cells) {
            *width = width.max(fonts.width(cell, weight, 1.0));
        }
    }
    widths
}

fn wrap_headers(fonts: &Fonts, headers: &[String], widths: &[f32], size: f32) -> Vec<Vec<String>> {
    headers
        .iter()
        .zip(widths)
        .map(|(header, width)| wrap(fonts, header, Weight::Bold, size, room(*width)))
        .collect()
}

/// A group title wider than its columns together widens them evenly.
fn widen_for_groups(fonts: &Fonts, groups: &[GroupHeader], font_size: f32, widths: &mut [f32]) {
    for group in groups {
        let span = group.first_column..group.first_column + group.columns;
        let needed = fonts.width(&group.title, Weight::Bold, font_size) + 2.0 * CELL_PADDING;
        let available: f32 = widths[span.clone()].iter().sum();
        if needed > available {
            let extra = (needed - available) / group.columns as f32;
            for width in &mut widths[span] {
                *width += extra;
            }
        }
    }
}
