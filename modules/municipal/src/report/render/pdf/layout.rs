//! Page flow: places text and rules onto A4 pages top to bottom, starting a new page when
//! the next row does not fit and repeating the table header there. Layout only produces
//! positioned marks; drawing them is `draw`'s job, which keeps this part testable.

use super::fonts::{Fonts, Weight};
use super::grid::{Align, Row, Span, Table, fit, room};

/// A4 portrait in PDF points (1/72 inch).
pub(super) const PAGE_WIDTH: f32 = 595.28;
pub(super) const PAGE_HEIGHT: f32 = 841.89;
/// 15 mm.
pub(super) const MARGIN: f32 = 42.52;
pub(super) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Room kept free above the bottom margin for the page number.
const FOOTER_SPACE: f32 = 22.0;
const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - MARGIN - FOOTER_SPACE;

const TITLE_SIZE: f32 = 16.0;
const SUBTITLE_SIZE: f32 = 10.5;
const HEADING_SIZE: f32 = 12.0;
const RUNNING_HEAD_SIZE: f32 = 8.0;
const RUNNING_HEAD_LEADING: f32 = 1.5;
const RUNNING_HEAD_GAP: f32 = 6.0;
const FOOTER_SIZE: f32 = 8.0;
/// Horizontal padding inside each table cell.
pub(super) const CELL_PADDING: f32 = 4.0;
/// Where the baseline sits in a line box, as a share of the font size: roughly centres
/// DejaVu's capitals and digits (cap height 0.73 em) in the box.
const BASELINE_SHIFT: f32 = 0.36;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Mark {
    /// Text whose baseline starts at (`x`, `baseline`); y grows downwards.
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        text: String,
    },
    /// A horizontal line.
    Rule {
        from: f32,
        to: f32,
        y: f32,
        width: f32,
        shade: Shade,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shade {
    Black,
    /// Light grey for row separators, so they guide the eye without competing with the text.
    Light,
}

/// Pages being filled, plus the cursor on the current one.
pub(super) struct Pages<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Mark>>,
    y: f32,
    running_head: String,
}

impl<'f> Pages<'f> {
    pub(super) fn new(fonts: &'f Fonts, running_head: String) -> Self {
        Self {
            fonts,
            pages: vec![Vec::new()],
            y: MARGIN,
            running_head,
        }
    }

    /// The first page's heading: title, then one line per subtitle.
    pub(super) fn title_block(&mut self, title: &str, subtitles: &[&str]) {
        self.line(title, Weight::Bold, TITLE_SIZE, 1.3);
        for subtitle in subtitles {
            self.line(subtitle, Weight::Regular, SUBTITLE_SIZE, 1.4);
        }
        self.y += 10.0;
    }

    /// A section heading, kept on one page with its whole table when the table fits on a
    /// page, and at least with the table's header and first row otherwise.
    pub(super) fn section(&mut self, heading: &str, table: &Table) {
        let gap = 18.0;
        let heading_height = HEADING_SIZE * 1.6;
        let whole = heading_height + table.header_height() + table.height_of_rows();
        let fits_on_a_fresh_page = whole <= CONTENT_BOTTOM - self.first_line_on_continuation();
        let needed = if fits_on_a_fresh_page {
            gap + whole
        } else {
            gap + heading_height + table.header_height() + table.row_height()
        };
        if self.y + needed > CONTENT_BOTTOM {
            self.new_page();
        } else {
            self.y += gap;
        }
        self.line(heading, Weight::Bold, HEADING_SIZE, 1.6);
    }

    pub(super) fn table(&mut self, table: &Table) {
        if self.y + table.header_height() + table.row_height() > CONTENT_BOTTOM {
            self.new_page();
        }
        self.table_header(table);
        for row in &table.rows {
            if self.y + table.row_height() > CONTENT_BOTTOM {
                self.new_page();
                self.table_header(table);
            }
            self.table_row(table, row);
        }
    }

    /// All pages, each ending with its "n / m" page number.
    pub(super) fn finish(mut self) -> Vec<Vec<Mark>> {
        let count = self.pages.len();
        for (index, page) in self.pages.iter_mut().enumerate() {
            let number = format!("{} / {count}", index + 1);
            let width = self.fonts.width(&number, Weight::Regular, FOOTER_SIZE);
            page.push(Mark::Text {
                x: (PAGE_WIDTH - width) / 2.0,
                baseline: PAGE_HEIGHT - MARGIN,
                size: FOOTER_SIZE,
                weight: Weight::Regular,
                text: number,
            });
        }
        self.pages
    }

    /// Continuation pages start with a small running head so a loose page still says
    /// which report, site and week it belongs to.
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
        let running_head = std::mem::take(&mut self.running_head);
        self.line(
            &running_head,
            Weight::Regular,
            RUNNING_HEAD_SIZE,
            RUNNING_HEAD_LEADING,
        );
        self.running_head = running_head;
        self.y += RUNNING_HEAD_GAP;
    }

    /// Where content starts on a page after the first.
    fn first_line_on_continuation(&self) -> f32 {
        MARGIN + RUNNING_HEAD_SIZE * RUNNING_HEAD_LEADING + RUNNING_HEAD_GAP
    }

    /// Left-aligned text on its own line of `leading` × size, shortened if wider than the page.
    fn line(&mut self, text: &str, weight: Weight, size: f32, leading: f32) {
        let height = size * leading;
        let baseline = self.y + height / 2.0 + size * BASELINE_SHIFT;
        let text = fit(self.fonts, text, weight, size, CONTENT_WIDTH);
        self.text(MARGIN, baseline, &text, weight, size);
        self.y += height;
    }

    fn table_header(&mut self, table: &Table) {
        for group in &table.groups {
            let span = table.group_span(group);
            self.cell(
                table,
                span,
                self.y,
                &group.title,
                Align::Center,
                Weight::Bold,
            );
            let under = self.y + table.row_height() - 2.0;
            let (from, to) = (span.left + CELL_PADDING, span.right - CELL_PADDING);
            self.rule(from, to, under, 0.5, Shade::Black);
        }
        self.y += table.group_header_height();

        // Wrapped headers sit on the bottom line, like a spreadsheet's, so every column's
        // last header line is level with its neighbours'.
        let bottom_slot = self.y + table.column_header_height() - table.row_height();
        for (index, (column, lines)) in table.columns.iter().zip(&table.headers).enumerate() {
            let span = table.column(index);
            let above = lines.len().saturating_sub(1);
            for (line_index, line) in lines.iter().enumerate() {
                let top = bottom_slot - table.line_step() * (above - line_index) as f32;
                self.cell(table, span, top, line, column.align, Weight::Bold);
            }
        }
        self.y += table.column_header_height();
        let span = table.span();
        self.rule(span.left, span.right, self.y, 0.8, Shade::Black);
    }

    fn table_row(&mut self, table: &Table, row: &Row) {
        let Span { left, right } = table.span();
        if row.is_total {
            self.rule(left, right, self.y, 0.8, Shade::Black);
            self.cells(table, &row.cells, Weight::Bold);
            self.y += table.row_height();
            self.rule(left, right, self.y, 0.8, Shade::Black);
        } else {
            self.cells(table, &row.cells, Weight::Regular);
            self.y += table.row_height();
            self.rule(left, right, self.y, 0.4, Shade::Light);
        }
    }

    fn cells(&mut self, table: &Table, cells: &[String], weight: Weight) {
        for (index, (column, text)) in table.columns.iter().zip(cells).enumerate() {
            self.cell(
                table,
                table.column(index),
                self.y,
                text,
                column.align,
                weight,
            );
        }
    }

    /// Text aligned within `span` and centred vertically in a row slot starting at `top`;
    /// shortened with an ellipsis if it is too wide.
    fn cell(
        &mut self,
        table: &Table,
        span: Span,
        top: f32,
        text: &str,
        align: Align,
        weight: Weight,
    ) {
        let size = table.font_size;
        let text = fit(self.fonts, text, weight, size, room(span.right - span.left));
        let width = self.fonts.width(&text, weight, size);
        let x = match align {
            Align::Left => span.left + CELL_PADDING,
            Align::Center => span.left + (span.right - span.left - width) / 2.0,
            Align::Right => span.right - CELL_PADDING - width,
        };
        let baseline = top + table.row_height() / 2.0 + size * BASELINE_SHIFT;
        self.text(x, baseline, &text, weight, size);
    }

    fn text(&mut self, x: f32, baseline: f32, text: &str, weight: Weight, size: f32) {
        self.current().push(Mark::Text {
            x,
            baseline,
            size,
            weight,
            text: text.to_owned(),
        });
    }

    fn rule(&mut self, from: f32, to: f32, y: f32, width: f32, shade: Shade) {
        self.current().push(Mark::Rule {
            from,
            to,
            y,
            width,
            shade,
        });
    }

    fn current(&mut self) -> &mut Vec<Mark> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }
}
