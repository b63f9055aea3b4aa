//! What CSV and XLSX share: rows of cell texts under a header row. Finds the header, maps
//! its columns (any order, extra columns ignored) and turns each data row into an
//! [`ImportRow`] or row errors.

use crate::import::model::{ImportError, ImportField, ImportRow, Parsed, RowProblem};

use super::words;
use super::{FileError, MAX_ROWS};

/// Title rows ("Meny vecka 12 – Solbackens kök") may stand above the header; this many
/// non-blank rows are searched for it before the file is refused.
pub(super) const MAX_ROWS_BEFORE_HEADER: usize = 10;

/// Where each column is in the rows, by [`ImportField`] discriminant.
#[derive(Debug)]
struct Header {
    positions: [Option<usize>; ImportField::ALL.len()],
}

impl Header {
    /// The header this row is, if it names any column at all.
    fn recognise<S: AsRef<str>>(cells: &[S]) -> Option<Header> {
        let mut positions = [None; ImportField::ALL.len()];
        for (index, cell) in cells.iter().enumerate() {
            if let Some(column) = ImportField::from_header(cell.as_ref()) {
                // A repeated column name: the first one counts.
                positions[column as usize].get_or_insert(index);
            }
        }
        positions
            .iter()
            .any(Option::is_some)
            .then_some(Header { positions })
    }

    fn position(&self, column: ImportField) -> Option<usize> {
        self.positions[column as usize]
    }

    /// Required columns this header lacks. Year is optional: without it, the default year.
    fn missing(&self) -> Vec<&'static str> {
        ImportField::ALL
            .iter()
            .filter(|&&column| column != ImportField::Year && self.position(column).is_none())
            .map(|column| column.label())
            .collect()
    }
}

/// Reads a table row by row; the format readers feed it.
#[derive(Debug)]
pub(super) struct Table {
    default_year: i32,
    header: Option<Header>,
    rows_before_header: usize,
    data_rows: usize,
    parsed: Parsed,
}

impl Table {
    pub fn new(default_year: i32) -> Self {
        Table {
            default_year,
            header: None,
            rows_before_header: 0,
            data_rows: 0,
            parsed: Parsed::default(),
        }
    }

    /// Reads one row; `line` is its 1-based row or line number in the file.
    pub fn push_row<S: AsRef<str>>(&mut self, line: usize, cells: &[S]) -> Result<(), FileError> {
        match &self.header {
            Some(header) => {
                let row = DataRow {
                    line,
                    cells,
                    header,
                };
                if row.is_blank() {
                    return Ok(());
                }
                self.data_rows += 1;
                if self.data_rows > MAX_ROWS {
                    return Err(FileError::too_many_rows());
                }
                let (import_row, mut errors) = row.read(self.default_year);
                self.parsed.rows.extend(import_row);
                self.parsed.errors.append(&mut errors);
                Ok(())
            }
            None => self.look_for_header(line, cells),
        }
    }

    fn look_for_header<S: AsRef<str>>(
        &mut self,
        line: usize,
        cells: &[S],
    ) -> Result<(), FileError> {
        if cells.iter().all(|cell| cell.as_ref().trim().is_empty()) {
            return Ok(());
        }
        if let Some(header) = Header::recognise(cells) {
            let missing = header.missing();
            if !missing.is_empty() {
                return Err(FileError::MissingColumns { row: line, missing });
            }
            self.header = Some(header);
            return Ok(());
        }
        self.rows_before_header += 1;
        if self.rows_before_header >= MAX_ROWS_BEFORE_HEADER {
            return Err(FileError::NoHeader);
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Parsed, FileError> {
        match self.header {
            Some(_) => Ok(self.parsed),
            None if self.rows_before_header == 0 => Err(FileError::Empty),
            None => Err(FileError::NoHeader),
        }
    }
}

/// One row below the header.
struct DataRow<'a, S> {
    line: usize,
    cells: &'a [S],
    header: &'a Header,
}

impl<S: AsRef<str>> DataRow<'_, S> {
    fn cell(&self, column: ImportField) -> &str {
        self.header
            .position(column)
            .and_then(|index| self.cells.get(index))
            .map_or("", |cell| cell.as_ref().trim())
    }

    /// Blank in every column we read: skipped silently, as spreadsheets are full of them.
    fn is_blank(&self) -> bool {
        ImportField::ALL
            .iter()
            .all(|&column| self.cell(column).is_empty())
    }

    /// The row, when every field is right, and an error for each field that is not.
    fn read(&self, default_year: i32) -> (Option<ImportRow>, Vec<ImportError>) {
        let mut errors = Vec::new();
        let mut check = |column: ImportField, problem: RowProblem| {
            errors.push(ImportError::new(self.line, column, problem));
        };
        let year_cell = self.cell(ImportField::Year);
        let year = if year_cell.is_empty() {
            Ok(default_year)
        } else {
            words::year(year_cell)
        };
        let year = year.map_err(|reason| check(ImportField::Year, reason));
        let week =
            words::week(self.cell(ImportField::Week)).map_err(|r| check(ImportField::Week, r));
        let day = words::weekday(self.cell(ImportField::Weekday))
            .map_err(|r| check(ImportField::Weekday, r));
        let meal =
            words::meal(self.cell(ImportField::Meal)).map_err(|r| check(ImportField::Meal, r));
        // An alternative means something only with its meal; a bad meal is reported alone.
        let slot = meal.and_then(|meal| {
            words::alternative(meal, self.cell(ImportField::Alternative))
                .map_err(|r| check(ImportField::Alternative, r))
        });
        let dish =
            words::dish(self.cell(ImportField::Dish)).map_err(|r| check(ImportField::Dish, r));
        let row = match (year, week, day, slot, dish) {
            (Ok(year), Ok(week), Ok(day), Ok(slot), Ok(dish)) => Some(ImportRow {
                line: self.line,
                year,
                week,
                day,
                slot,
                dish,
                cell: None,
            }),
            _ => None,
        };
        (row, errors)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::import::model::{ErrorCode, ImportSlot};

    fn read(rows: &[&[&str]]) -> Result<Parsed, FileError> {
        let mut table = Table::new(2026);
        for (index, cells) in rows.iter().enumerate() {
            table.push_row(index + 1, cells)?;
        }
        table.finish()
    }

    #[test]
    fn columns_in_any_order_with_extra_columns_and_a_title_row() {
        let parsed = read(&[
            &["Meny vecka 12", "", ""],
            &[],
            &[
                "Rätt",
                "Kommentar",
                "Dag",
                "Alternativ",
                "Måltid",
                "Vecka",
                "År",
            ],
            &["Köttbullar", "laktosfri", "mån", "1", "Lunch", "12", "2026"],
            &["Blåbärssoppa", "", "tis", "Dessert", "Lunch", "12", ""],
        ])
        .unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            parsed.rows[0],
            ImportRow {
                line: 4,
                year: 2026,
                week: 12,
                day: 1,
                slot: ImportSlot::Alt1,
                dish: "Köttbullar".into(),
                cell: None,
            }
        );
        assert_eq!(parsed.rows[1].slot, ImportSlot::Dessert);
        assert_eq!(parsed.rows[1].line, 5);
    }

    #[test]
    fn year_column_is_optional() {
        let parsed = read(&[
            &["Vecka", "Dag", "Måltid", "Alternativ", "Rätt"],
            &["12", "1", "Kvällsmat", "", "Risgrynsgröt"],
        ])
        .unwrap();
        assert_eq!(parsed.rows[0].year, 2026);
        assert_eq!(parsed.rows[0].slot, ImportSlot::Dinner);
    }

    #[test]
    fn missing_columns_are_named() {
        let error = read(&[&["År", "Vecka", "Dag", "Alternativ"]]).unwrap_err();
        match &error {
            FileError::MissingColumns { row, missing } => {
                assert_eq!(*row, 1);
                assert_eq!(missing, &vec!["Måltid (meal)", "Rätt (dish)"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            error.to_string(),
            "The header row (row 1) lacks the column(s) Måltid (meal), Rätt (dish)."
        );
    }

    #[test]
    fn no_header_within_the_first_rows_is_refused() {
        let rows: Vec<&[&str]> = vec![&["Köttbullar", "mån"]; MAX_ROWS_BEFORE_HEADER];
        assert!(matches!(read(&rows), Err(FileError::NoHeader)));
        assert!(matches!(read(&[&["Köttbullar"]]), Err(FileError::NoHeader)));
        assert!(matches!(read(&[&["", " "]]), Err(FileError::Empty)));
    }

    #[test]
    fn every_bad_field_of_a_row_is_reported() {
        let parsed = read(&[
            &["År", "Vecka", "Dag", "Måltid", "Alternativ", "Rätt"],
            &["1999", "54", "Frdag", "Lunch", "3", ""],
            &["2026", "12", "mån", "Frukost", "1", "Gröt"],
            &["", "", "", "", "", ""],
            &["2026", "12", "", "", "", ""],
        ])
        .unwrap();
        assert_eq!(parsed.rows, vec![]);
        let places: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(
            places,
            vec![
                (2, "year"),
                (2, "week"),
                (2, "weekday"),
                (2, "alternative"),
                (2, "dish"),
                (3, "meal"),
                (5, "weekday"),
                (5, "meal"),
                (5, "dish"),
            ]
        );
        assert_eq!(parsed.errors[2].reason(), "unknown weekday \"Frdag\"");
        assert_eq!(parsed.errors[2].code(), ErrorCode::WeekdayUnknown);
    }

    #[test]
    fn more_than_the_row_cap_is_refused() {
        let mut table = Table::new(2026);
        table
            .push_row(1, &["Vecka", "Dag", "Måltid", "Alternativ", "Rätt"])
            .unwrap();
        for line in 2..=MAX_ROWS + 1 {
            table
                .push_row(line, &["12", "1", "Lunch", "1", "Köttbullar"])
                .unwrap();
        }
        assert!(matches!(
            table.push_row(MAX_ROWS + 2, &["12", "1", "Lunch", "1", "Köttbullar"]),
            Err(FileError::TooManyRows { max: MAX_ROWS })
        ));
    }
}
