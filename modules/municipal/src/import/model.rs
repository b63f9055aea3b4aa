//! A menu file, read: one row per dish with where it came from. The parsers fill this; the
//! import operation matches it against the site's menus and dishes.

use serde::Serialize;

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
pub struct ImportRow {
    /// 1-based row (CSV/XLSX, counting the header as row 1) or paragraph line (DOCX).
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
}

/// A problem with one row or line; the file is refused as a whole if there is any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportError {
    /// Row or line number, as in [`ImportRow::line`]; 0 for the file as a whole.
    pub line: usize,
    /// The column or field at fault, when there is one (`week`, `weekday`, ...).
    pub field: Option<String>,
    /// What is wrong, in English, for people: "unknown weekday \"fredag2\"".
    pub reason: String,
}

/// Everything a parser read: the rows it understood and the errors it found, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Parsed {
    pub rows: Vec<ImportRow>,
    pub errors: Vec<ImportError>,
}
