//! A menu file, read: one row per dish with where it came from. The parsers fill this; the
//! import operation matches it against the site's menus and dishes.

use serde::Serialize;

pub use super::problem::{CellPlace, ErrorCode, RowProblem};

/// A meal and slot of the municipal menu, as the file named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportSlot {
    /// Lunch, alternative 1.
    Alt1,
    /// Lunch, alternative 2.
    Alt2,
    /// Lunch dessert.
    Dessert,
    /// Dinner ("kvällsmat"), the main dish.
    Dinner,
}

impl ImportSlot {
    /// The (meal, slot) key of the menu item.
    pub fn meal_and_slot(self) -> (&'static str, &'static str) {
        match self {
            ImportSlot::Alt1 => ("lunch", "alt1"),
            ImportSlot::Alt2 => ("lunch", "alt2"),
            ImportSlot::Dessert => ("lunch", "dessert"),
            ImportSlot::Dinner => ("dinner", "main"),
        }
    }
}

/// One dish of one day, as read from the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = MenuImportRow)]
pub struct ImportRow {
    /// 1-based row (CSV/XLSX, counting the header as row 1) or text line (DOCX).
    pub line: usize,
    /// ISO week-numbering year.
    pub year: i32,
    /// ISO week 1-53 (the parser checks only 1-53; the importer checks the year has it).
    pub week: u32,
    /// 1 = Monday ... 7 = Sunday.
    pub day: u32,
    pub slot: ImportSlot,
    /// The dish text, whitespace collapsed, 1-120 characters.
    pub dish: String,
    /// The Word table cell the dish came from, if it came from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<CellPlace>,
}

/// The column or field a row error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ImportField {
    Year,
    Week,
    Weekday,
    Meal,
    Alternative,
    Dish,
}

impl ImportField {
    /// The field as the JSON names it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A problem with one row or line; the file is refused as a whole if there is any. Kept as
/// data ([`RowProblem`]); the JSON form ([`ImportErrorJson`]) adds the English `reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// Row or line number, as in [`ImportRow::line`].
    pub line: usize,
    pub field: ImportField,
    pub problem: RowProblem,
    /// The DOCX line (or table cell) at fault, shortened: the number alone is hard to find
    /// in Word.
    pub quote: Option<String>,
    /// The Word table cell at fault.
    pub cell: Option<CellPlace>,
}

/// A quoted line is cut to keep error lists readable.
const MAX_QUOTE_CHARS: usize = 60;

impl ImportError {
    pub fn new(line: usize, field: ImportField, problem: RowProblem) -> Self {
        ImportError {
            line,
            field,
            problem,
            quote: None,
            cell: None,
        }
    }

    /// The same error, quoting the text it is in.
    pub fn quoting(self, text: &str) -> Self {
        let quote = if text.chars().count() <= MAX_QUOTE_CHARS {
            text.to_owned()
        } else {
            let head: String = text.chars().take(MAX_QUOTE_CHARS).collect();
            format!("{head}…")
        };
        ImportError {
            quote: Some(quote),
            ..self
        }
    }

    /// The same error, placed in a Word table cell (if it is in one).
    pub fn in_cell(self, cell: Option<CellPlace>) -> Self {
        ImportError { cell, ..self }
    }

    pub fn code(&self) -> ErrorCode {
        self.problem.code()
    }

    /// In English, with where it is: `unknown dish label "Alt 3"; use ... (in "Alt 3: Fisk")`.
    pub fn reason(&self) -> String {
        let problem = &self.problem;
        match (&self.cell, &self.quote) {
            (None, None) => problem.to_string(),
            (None, Some(quote)) => format!("{problem} (in \"{quote}\")"),
            (Some(cell), None) => format!("{problem} (in {cell})"),
            (Some(cell), Some(quote)) => format!("{problem} (in {cell}: \"{quote}\")"),
        }
    }

    fn json(&self) -> ImportErrorJson {
        ImportErrorJson {
            line: self.line,
            field: Some(self.field),
            reason: self.reason(),
            code: self.code(),
            cell: self.cell,
        }
    }
}

/// A problem with one row or line; the file is refused as a whole if there is any.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ImportError)]
pub struct ImportErrorJson {
    /// Row or line number, as in the rows' `line`.
    pub line: usize,
    /// The column or field at fault, when there is one.
    pub field: Option<ImportField>,
    /// What is wrong, in English, for people: `unknown weekday "fredag2"`. A DOCX error also
    /// quotes its line, and names its table cell when it is in a Word table.
    pub reason: String,
    /// What is wrong, for programs: a stable code (`weekday_unknown`, `week_not_in_year`,
    /// `duplicate_slot`, ...). New codes may be added; existing ones keep their meaning.
    pub code: ErrorCode,
    /// Where in the Word document's tables the error is (DOCX menus laid out as tables);
    /// absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<CellPlace>,
}

impl Serialize for ImportError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json().serialize(serializer)
    }
}

impl utoipa::PartialSchema for ImportError {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <ImportErrorJson as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for ImportError {
    fn name() -> std::borrow::Cow<'static, str> {
        <ImportErrorJson as utoipa::ToSchema>::name()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <ImportErrorJson as utoipa::ToSchema>::schemas(schemas);
    }
}

/// Everything a parser read: the rows it understood and the errors it found, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Parsed {
    pub rows: Vec<ImportRow>,
    pub errors: Vec<ImportError>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn json_has_the_english_reason_a_code_and_a_cell_only_in_a_table() {
        let error = ImportError::new(
            3,
            ImportField::Weekday,
            RowProblem::WeekdayUnknown {
                text: "Tosdag".into(),
            },
        );
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({ "line": 3, "field": "weekday", "code": "weekday_unknown",
                    "reason": "unknown weekday \"Tosdag\"" })
        );
        let in_table = error
            .quoting(&"Tosdag ".repeat(20))
            .in_cell(Some(CellPlace {
                table: 2,
                row: 4,
                column: 1,
            }));
        let value = serde_json::to_value(&in_table).unwrap();
        assert_eq!(value["cell"], json!({ "table": 2, "row": 4, "column": 1 }));
        let reason = value["reason"].as_str().unwrap();
        assert!(
            reason
                .starts_with("unknown weekday \"Tosdag\" (in table 2, row 4, column 1: \"Tosdag "),
            "{reason}"
        );
        assert!(reason.ends_with("…\")"), "{reason}");
    }
}
