//! A Word document's paragraphs and tables as the lines of a weekly menu, in reading order.
//!
//! Outside tables, each paragraph line is a line. A table is read row by row, cell by cell,
//! each cell's paragraphs as lines, so that a row `Måndag | Alt 1: Pannbiff | Alt 2: Fisk`
//! reads like the paragraphs would. A row whose cells after the first name slots (`Dag | Alt 1
//! | Alt 2 | Dessert | Kväll`, in any of the words the dish labels take) is a heading row:
//! below it the first cell of a row names the day and a cell under a slot column is that
//! slot's dish, with no label needed (one that starts with its own label, `Alt 1: ...`, is read
//! as written). A cell with no letter or digit in it (`–`) is empty.
//!
//! Line numbers count every non-empty line, table cells included, in this reading order; a
//! line in a table also carries its [`CellPlace`], which is what errors point people to.

use std::collections::HashMap;

use crate::import::model::{CellPlace, ImportSlot, RowProblem};

use super::menu_text::{self, LineKind, MenuLine};
use super::words;

/// A part of the document body, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block {
    /// One non-empty line of a paragraph outside tables.
    Line(String),
    /// A table: its rows, each with its cells.
    Table(Vec<Vec<Cell>>),
}

/// One cell of a table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Cell {
    /// Its non-empty lines (a table inside the cell included).
    pub lines: Vec<String>,
    /// The grid column it starts at (0-based), which lines cells up under a heading row
    /// when some cells span several columns.
    pub grid_column: usize,
    /// How many grid columns it spans.
    pub span: usize,
}

impl Cell {
    fn is_blank(&self) -> bool {
        !self
            .lines
            .iter()
            .flat_map(|line| line.chars())
            .any(char::is_alphanumeric)
    }

    fn text(&self) -> String {
        self.lines.join(" ")
    }
}

pub(super) fn menu_lines(blocks: &[Block]) -> Vec<MenuLine> {
    let mut lines = Lines::default();
    let mut tables = 0;
    for block in blocks {
        match block {
            Block::Line(text) => lines.text(std::slice::from_ref(text), None),
            Block::Table(rows) => {
                tables += 1;
                read_table(&mut lines, tables, rows);
            }
        }
    }
    lines.lines
}

/// The lines so far, and how many have been numbered.
#[derive(Debug, Default)]
struct Lines {
    lines: Vec<MenuLine>,
    counted: usize,
}

impl Lines {
    /// Numbers `count` lines; the number of the first.
    fn number(&mut self, count: usize) -> usize {
        let first = self.counted + 1;
        self.counted += count;
        first
    }

    /// Lines read for what they say.
    fn text(&mut self, texts: &[String], cell: Option<CellPlace>) {
        for text in texts {
            let number = self.number(1);
            self.push(number, text.clone(), LineKind::Text, cell);
        }
    }

    /// A cell read as one line of the kind its place gives it.
    fn whole(&mut self, cell: &Cell, kind: LineKind, place: CellPlace) {
        let number = self.number(cell.lines.len());
        self.push(number, cell.text(), kind, Some(place));
    }

    /// Lines that are counted but not read (the labels of a heading row).
    fn skip(&mut self, cell: &Cell) {
        self.number(cell.lines.len());
    }

    fn push(&mut self, number: usize, text: String, kind: LineKind, cell: Option<CellPlace>) {
        self.lines.push(MenuLine {
            number,
            text,
            kind,
            cell,
        });
    }
}

fn read_table(lines: &mut Lines, table: usize, rows: &[Vec<Cell>]) {
    let mut columns: Option<Columns> = None;
    for (row_index, row) in rows.iter().enumerate() {
        let place = |column: usize| CellPlace {
            table,
            row: row_index + 1,
            column: column + 1,
        };
        if let Some(heading) = Columns::recognise(row) {
            read_heading_row(lines, row, &heading, place);
            columns = Some(heading);
            continue;
        }
        match &columns {
            None => {
                for (index, cell) in row.iter().enumerate() {
                    lines.text(&cell.lines, Some(place(index)));
                }
            }
            Some(columns) => read_mapped_row(lines, row, columns, place),
        }
    }
}

/// What a heading row says of a column.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    /// Its cells are the dishes of a slot.
    Slot(ImportSlot),
    /// Its heading looks like a slot but names none ("Alt 3", "Middag"): an error, and its
    /// cells are not read.
    Wrong(RowProblem),
}

/// The columns a heading row names, by grid column. A map: every cell of every row below
/// looks its column up, and a wide heading row must not make that a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Columns {
    columns: HashMap<usize, Column>,
}

impl Columns {
    /// The columns of a heading row: a first cell that is empty, names the day column or is
    /// a week heading, and at least one other cell that names a slot.
    fn recognise(row: &[Cell]) -> Option<Columns> {
        let (first, rest) = row.split_first()?;
        if !first.is_blank() && !is_day_column(&first.text()) && !is_week_heading(first) {
            return None;
        }
        let mut columns = HashMap::new();
        for cell in rest {
            if let Some(column) = column_heading(&cell.text()) {
                // Two cells on one grid column (a malformed grid): the first names it.
                columns.entry(cell.grid_column).or_insert(column);
            }
        }
        columns
            .values()
            .any(|column| matches!(column, Column::Slot(_)))
            .then_some(Columns { columns })
    }

    fn at(&self, grid_column: usize) -> Option<&Column> {
        self.columns.get(&grid_column)
    }
}

/// The heading of a day column: "Dag", "Veckodag", "Ukedag", "Day", "Weekday".
fn is_day_column(text: &str) -> bool {
    let name = words::normalize(text);
    matches!(
        name.trim_end_matches(':'),
        "dag" | "veckodag" | "ukedag" | "day" | "weekday"
    )
}

fn is_week_heading(cell: &Cell) -> bool {
    cell.lines
        .iter()
        .any(|line| menu_text::week_heading(&words::collapse_whitespace(line)).is_some())
}

/// What a heading cell says: a slot, a wrong slot word, or nothing (another column, such as
/// "Datum", whose cells are read as text).
fn column_heading(text: &str) -> Option<Column> {
    let label = words::collapse_whitespace(text);
    let label = label.trim_end_matches(':').trim();
    // "Alt 1: Pannbiff" is a dish, not a heading.
    if label.is_empty() || label.contains(':') {
        return None;
    }
    match words::dish_label(label) {
        Ok(slot) => Some(Column::Slot(slot)),
        Err(problem) => {
            let first_word_end = label
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(label.len());
            words::starts_dish_line(&label[..first_word_end]).then_some(Column::Wrong(problem))
        }
    }
}

/// A heading row: a week heading in its first cell is read; wrong slot headings are errors;
/// the rest are labels, counted but not read.
fn read_heading_row(
    lines: &mut Lines,
    row: &[Cell],
    columns: &Columns,
    place: impl Fn(usize) -> CellPlace,
) {
    for (index, cell) in row.iter().enumerate() {
        match columns.at(cell.grid_column) {
            Some(Column::Wrong(problem)) if index > 0 => {
                let kind = LineKind::Wrong(problem.clone());
                lines.whole(cell, kind, place(index));
            }
            _ if index == 0 && is_week_heading(cell) => lines.text(&cell.lines, Some(place(0))),
            _ => lines.skip(cell),
        }
    }
}

/// A row below a heading row: the first cell names the day (empty: the day of the row above,
/// as when a day's cell is merged over two rows), the slot cells are its dishes and any other
/// cell is read as text.
fn read_mapped_row(
    lines: &mut Lines,
    row: &[Cell],
    columns: &Columns,
    place: impl Fn(usize) -> CellPlace,
) {
    let slot_of = |cell: &Cell| match columns.at(cell.grid_column) {
        Some(Column::Slot(slot)) => Some(*slot),
        _ => None,
    };
    let has_dishes = row
        .iter()
        .any(|cell| slot_of(cell).is_some() && !cell.is_blank());
    for (index, cell) in row.iter().enumerate() {
        let here = Some(place(index));
        match (index, slot_of(cell), columns.at(cell.grid_column)) {
            (_, Some(_), _) if cell.is_blank() => lines.skip(cell),
            (_, Some(slot), _) => {
                let first = cell
                    .lines
                    .first()
                    .map(|line| words::collapse_whitespace(line));
                if first.is_some_and(|line| menu_text::dish_line(&line).is_some()) {
                    lines.text(&cell.lines, here);
                } else {
                    lines.whole(cell, LineKind::Dish(slot), place(index));
                }
            }
            (_, None, Some(Column::Wrong(_))) => lines.skip(cell),
            (0, None, _) if has_dishes && !cell.is_blank() && !names_day(cell) => {
                lines.whole(cell, LineKind::NotADay, place(0));
            }
            _ => lines.text(&cell.lines, here),
        }
    }
}

/// Whether a cell holds a day line or a week heading.
fn names_day(cell: &Cell) -> bool {
    cell.lines.iter().any(|line| {
        let line = words::collapse_whitespace(line);
        menu_text::day_line(&line).is_some() || menu_text::week_heading(&line).is_some()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::import::model::{ImportField, Parsed};

    fn line(text: &str) -> Block {
        Block::Line(text.to_owned())
    }

    /// A table of one-column-per-cell rows; a cell's lines are split at `|`.
    fn table(rows: &[&[&str]]) -> Block {
        Block::Table(
            rows.iter()
                .map(|row| {
                    row.iter()
                        .enumerate()
                        .map(|(index, text)| Cell {
                            lines: text
                                .split('|')
                                .filter(|line| !line.trim().is_empty())
                                .map(str::to_owned)
                                .collect(),
                            grid_column: index,
                            span: 1,
                        })
                        .collect()
                })
                .collect(),
        )
    }

    fn read(blocks: &[Block]) -> Parsed {
        let mut parsed = menu_text::parse(&menu_lines(blocks), 2026).unwrap();
        super::super::reject_duplicates(&mut parsed);
        parsed
    }

    fn at(table: usize, row: usize, column: usize) -> Option<CellPlace> {
        Some(CellPlace { table, row, column })
    }

    #[test]
    fn cells_are_read_as_lines_row_by_row() {
        let parsed = read(&[
            line("Vecka 15 2026"),
            table(&[
                &[
                    "Måndag 6/4",
                    "Alt 1: Pannbiff|Alt 2: Fiskgratäng",
                    "Kväll: Gröt",
                ],
                &["Tisdag", "Alt 1: Kålpudding", ""],
            ]),
        ]);
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(dish(&parsed, 1, ImportSlot::Alt1), Some("Pannbiff"));
        assert_eq!(dish(&parsed, 1, ImportSlot::Alt2), Some("Fiskgratäng"));
        assert_eq!(dish(&parsed, 1, ImportSlot::Dinner), Some("Gröt"));
        assert_eq!(dish(&parsed, 2, ImportSlot::Alt1), Some("Kålpudding"));
        // Line 1 is the heading; the cells' lines follow in reading order.
        let alt2 = row(&parsed, 1, ImportSlot::Alt2);
        assert_eq!((alt2.line, alt2.cell), (4, at(1, 1, 2)));
        assert_eq!(row(&parsed, 2, ImportSlot::Alt1).line, 7);
    }

    #[test]
    fn a_heading_row_maps_columns_to_slots() {
        let parsed = read(&[
            line("Meny"),
            line("Vecka 15"),
            table(&[
                &["Dag", "Datum", "Alt 1", "Alt 2", "Dessert", "Kvällsmat"],
                &[
                    "Måndag",
                    "6/4",
                    "Pannbiff med|lök",
                    "Fiskgratäng",
                    "Glass",
                    "Gröt",
                ],
                &[
                    "Lördag|Påskafton",
                    "11/4",
                    "Sill och potatis",
                    "–",
                    "",
                    "Soppa",
                ],
                // The day's cell merged over two rows: the row below keeps the day.
                &["", "", "", "", "Kladdkaka", ""],
            ]),
        ]);
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(dish(&parsed, 1, ImportSlot::Alt1), Some("Pannbiff med lök"));
        assert_eq!(dish(&parsed, 1, ImportSlot::Dinner), Some("Gröt"));
        assert_eq!(dish(&parsed, 6, ImportSlot::Alt2), None);
        assert_eq!(dish(&parsed, 6, ImportSlot::Dessert), Some("Kladdkaka"));
        assert_eq!(parsed.rows.len(), 7);
        // 1 "Meny", 2 "Vecka 15", 3-8 the heading row, 9 "Måndag", 10 "6/4", 11-12 Alt 1.
        let alt1 = row(&parsed, 1, ImportSlot::Alt1);
        assert_eq!((alt1.line, alt1.cell), (11, at(1, 2, 3)));
        assert_eq!(row(&parsed, 1, ImportSlot::Alt2).line, 13);
    }

    #[test]
    fn headings_in_norwegian_and_english_and_a_week_in_the_corner() {
        for heading in [
            ["Uke 15", "Lunsj", "Alternativ 2", "Dessert", "Kveldsmat"],
            ["Week 15", "Alt. 1", "alt 2", "DESSERT", "Dinner:"],
        ] {
            let parsed = read(&[table(&[
                &heading,
                &[
                    "Mandag",
                    "Fiskeboller",
                    "Kjøttkaker",
                    "Karamellpudding",
                    "Grøt",
                ],
            ])]);
            assert_eq!(parsed.errors, vec![], "{heading:?}");
            assert!(
                parsed
                    .rows
                    .iter()
                    .all(|r| (r.year, r.week, r.day) == (2026, 15, 1))
            );
            let slots: Vec<_> = parsed.rows.iter().map(|r| r.slot).collect();
            assert_eq!(
                slots,
                [
                    ImportSlot::Alt1,
                    ImportSlot::Alt2,
                    ImportSlot::Dessert,
                    ImportSlot::Dinner
                ]
            );
        }
    }

    #[test]
    fn a_labelled_cell_under_a_slot_column_is_read_as_written() {
        let parsed = read(&[
            line("Vecka 15"),
            table(&[
                &["Dag", "Lunch", "Kväll"],
                &["Onsdag", "Alt 1: Köttbullar|Alt 2: Linsgryta", "Smörgås"],
            ]),
        ]);
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(dish(&parsed, 3, ImportSlot::Alt1), Some("Köttbullar"));
        assert_eq!(dish(&parsed, 3, ImportSlot::Alt2), Some("Linsgryta"));
        assert_eq!(dish(&parsed, 3, ImportSlot::Dinner), Some("Smörgås"));
    }

    #[test]
    fn a_row_of_dishes_without_a_day_is_an_error_in_its_cell() {
        let parsed = read(&[
            line("Vecka 15"),
            table(&[
                &["Dag", "Alt 1", "Alt 3"],
                &["Måndag", "Pannbiff", "Fisk"],
                &["Veckans soppa", "Ärtsoppa", ""],
                &["Obs: allergener, fråga köket", "", ""],
                &["Tisdag", "Pannbiff", ""],
                &["", "Korv", ""],
            ]),
        ]);
        let found: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (e.line, e.field, e.problem.clone(), e.cell))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    4,
                    ImportField::Alternative,
                    RowProblem::LabelUnknown {
                        text: "Alt 3".into()
                    },
                    at(1, 1, 3)
                ),
                (
                    8,
                    ImportField::Weekday,
                    RowProblem::TableRowWithoutDay,
                    at(1, 3, 1)
                ),
                (
                    13,
                    ImportField::Alternative,
                    RowProblem::DuplicateSlot {
                        slot: ImportSlot::Alt1,
                        day: 2,
                        week: 15,
                        year: 2026,
                        earlier_line: 12,
                        earlier_cell: at(1, 5, 2),
                    },
                    at(1, 6, 2)
                ),
            ]
        );
        assert_eq!(
            parsed.errors[1].reason(),
            "the first cell of a table row names its day, like \"Måndag 16/3\" \
             (in table 1, row 3, column 1: \"Veckans soppa\")"
        );
        // The rows of "Veckans soppa" are not given to Monday.
        assert_eq!(dish(&parsed, 1, ImportSlot::Alt1), Some("Pannbiff"));
        assert_eq!(parsed.rows.len(), 2);
    }

    #[test]
    fn a_table_that_is_only_layout_reads_like_paragraphs() {
        // A one-cell "frame" around the whole menu, as some templates use.
        let parsed = read(&[table(&[&["Vecka 15|Fredag|Alt 1: Fisk|Kväll: Soppa"]])]);
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(dish(&parsed, 5, ImportSlot::Dinner), Some("Soppa"));
    }
}
