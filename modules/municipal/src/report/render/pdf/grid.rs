//! A table ready to place: column widths decided, header text already wrapped to them.
//! Also the text helpers that make content fit a column: wrapping and shortening.

use super::fonts::{Fonts, Weight};
use super::layout::{CELL_PADDING, MARGIN};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Center,
    Right,
}

pub(super) struct Column {
    pub width: f32,
    pub align: Align,
    /// Blank space before the column, separating column groups.
    pub gap_before: f32,
}

/// A header spanning several columns, drawn above the column headers.
pub(super) struct GroupHeader {
    pub title: String,
    pub first_column: usize,
    pub columns: usize,
}

pub(super) struct Row {
    pub cells: Vec<String>,
    /// The totals row: bold, between black rules.
    pub is_total: bool,
}

pub(super) struct Table {
    pub columns: Vec<Column>,
    pub groups: Vec<GroupHeader>,
    /// Each column's header as lines: long translations wrap instead of widening the table.
    pub headers: Vec<Vec<String>>,
    pub rows: Vec<Row>,
    pub font_size: f32,
}

/// Horizontal extent of a cell.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub left: f32,
    pub right: f32,
}

impl Table {
    pub(super) fn row_height(&self) -> f32 {
        self.font_size * 2.0
    }

    /// Distance between the baselines of a wrapped header's lines.
    pub(super) fn line_step(&self) -> f32 {
        self.font_size * 1.2
    }

    pub(super) fn height_of_rows(&self) -> f32 {
        self.row_height() * self.rows.len() as f32
    }

    pub(super) fn header_lines(&self) -> usize {
        self.headers.iter().map(Vec::len).max().unwrap_or(1).max(1)
    }

    pub(super) fn column_header_height(&self) -> f32 {
        self.row_height() + self.line_step() * (self.header_lines() - 1) as f32
    }

    pub(super) fn group_header_height(&self) -> f32 {
        if self.groups.is_empty() {
            0.0
        } else {
            self.row_height()
        }
    }

    pub(super) fn header_height(&self) -> f32 {
        self.group_header_height() + self.column_header_height()
    }

    pub(super) fn column(&self, index: usize) -> Span {
        let before: f32 = self.columns[..index]
            .iter()
            .map(|c| c.gap_before + c.width)
            .sum();
        let (gap, width) = self
            .columns
            .get(index)
            .map_or((0.0, 0.0), |c| (c.gap_before, c.width));
        let left = MARGIN + before + gap;
        Span {
            left,
            right: left + width,
        }
    }

    /// From the first column's left edge to the last one's right edge.
    pub(super) fn span(&self) -> Span {
        Span {
            left: MARGIN,
            right: self.column(self.columns.len().saturating_sub(1)).right,
        }
    }

    pub(super) fn group_span(&self, group: &GroupHeader) -> Span {
        Span {
            left: self.column(group.first_column).left,
            right: self.column(group.first_column + group.columns - 1).right,
        }
    }
}

/// `text`, or as much of it as fits in `room` followed by "…".
pub(super) fn fit(fonts: &Fonts, text: &str, weight: Weight, size: f32, room: f32) -> String {
    // Column widths come from these same measurements; the tolerance absorbs float
    // rounding so the widest entry of a column is never shortened by a hair.
    if fonts.width(text, weight, size) <= room + 0.01 {
        return text.to_owned();
    }
    let ellipsis = "…";
    let mut room_left = room - fonts.width(ellipsis, weight, size);
    let mut fitted: String = text
        .chars()
        .take_while(|ch| {
            room_left -= fonts.width(ch.encode_utf8(&mut [0; 4]), weight, size);
            room_left >= 0.0
        })
        .collect();
    fitted.truncate(fitted.trim_end().len());
    fitted.push_str(ellipsis);
    fitted
}

/// `text` broken at spaces into lines no wider than `room`; a single word wider than
/// `room` keeps a line of its own (and is shortened when drawn).
pub(super) fn wrap(fonts: &Fonts, text: &str, weight: Weight, size: f32, room: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if fonts.width(&format!("{line} {word}"), weight, size) <= room + 0.01 => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Inner width of a cell of `width`, after padding on both sides.
pub(super) fn room(width: f32) -> f32 {
    width - 2.0 * CELL_PADDING
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_within_the_room() {
        let fonts = Fonts::load().unwrap();
        let room = fonts.width("Special diet", Weight::Bold, 9.0);
        assert_eq!(
            wrap(&fonts, "Special diet portions", Weight::Bold, 9.0, room),
            ["Special diet", "portions"]
        );
        assert_eq!(wrap(&fonts, "Boende", Weight::Bold, 9.0, 1.0), ["Boende"]);
        assert_eq!(wrap(&fonts, "", Weight::Bold, 9.0, 100.0), [""]);
    }

    #[test]
    fn fit_shortens_with_an_ellipsis_only_when_needed() {
        let fonts = Fonts::load().unwrap();
        let room = fonts.width("Ängsgården", Weight::Regular, 9.0);
        assert_eq!(
            fit(&fonts, "Ängsgården", Weight::Regular, 9.0, room),
            "Ängsgården"
        );
        let short = fit(&fonts, "Ängsgården avd 1", Weight::Regular, 9.0, room);
        assert!(
            short.starts_with("Ängsgård") && short.ends_with('…'),
            "{short}"
        );
        assert!(fonts.width(&short, Weight::Regular, 9.0) <= room);
    }
}
