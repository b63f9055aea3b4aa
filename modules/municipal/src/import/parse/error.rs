//! Why a file as a whole cannot be read. The messages are shown to kitchen staff as they are.

/// The underlying cause of an unreadable archive, kept for logs; people see the message only.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("The file is empty.")]
    Empty,

    #[error("The file has no dishes in it.")]
    NoDishes,

    #[error("The file is too large: at most {max_mib} MiB of menu data can be imported.")]
    TooLarge { max_mib: usize },

    #[error("The file has more than {max} dishes; split it into smaller files (a few weeks each).")]
    TooManyRows { max: usize },

    #[error("The file is too complex: it holds more than {max} parts.")]
    TooManyEntries { max: usize },

    #[error(
        "The file is too complex: row or line {line} has more than {max} cells. A menu needs \
         a few columns."
    )]
    TooManyCells { line: usize, max: usize },

    #[error("The file has a cell or line longer than {max_kib} KiB of text; a menu has none.")]
    TextTooLong { max_kib: usize },

    #[error(
        "The file is too complex to read in reasonable time (too slow); split it or save it \
         again from Word or Excel."
    )]
    TooComplex,

    #[error(
        "The file is not a CSV text file: it contains binary data. Save it from Excel as \
         \"CSV UTF-8\" or upload the .xlsx file itself."
    )]
    NotText,

    #[error("The file is not a readable Excel workbook (.xlsx).")]
    NotXlsx {
        #[source]
        cause: Option<Cause>,
    },

    #[error(
        "The Excel workbook refers to a cell beyond Excel's last one (XFD1048576); save it \
         again from Excel."
    )]
    CellOutOfRange,

    #[error("The Excel workbook has no worksheet.")]
    NoWorksheet,

    #[error("The file is not a readable Word document (.docx).")]
    NotDocx {
        #[source]
        cause: Option<Cause>,
    },

    #[error(
        "No header row found. The first row must name the columns År, Vecka, Dag, Måltid, \
         Alternativ and Rätt (or Year, Week, Day, Meal, Alternative, Dish)."
    )]
    NoHeader,

    #[error("The header row (row {row}) lacks the column(s) {}.", .missing.join(", "))]
    MissingColumns {
        row: usize,
        /// Each missing column as people know it: `Vecka (week)`.
        missing: Vec<&'static str>,
    },

    #[error(
        "No week heading found. Start each week's menu with a line like \"Vecka 12\" or \
         \"Vecka 12 2026\"."
    )]
    NoWeekHeading,
}

impl FileError {
    pub(super) fn not_xlsx(cause: impl Into<Cause>) -> Self {
        FileError::NotXlsx {
            cause: Some(cause.into()),
        }
    }

    pub(super) fn not_docx(cause: impl Into<Cause>) -> Self {
        FileError::NotDocx {
            cause: Some(cause.into()),
        }
    }

    pub(super) fn too_many_rows() -> Self {
        FileError::TooManyRows {
            max: super::MAX_ROWS,
        }
    }

    pub(super) fn too_many_cells(line: usize) -> Self {
        FileError::TooManyCells {
            line,
            max: super::MAX_CELLS_PER_ROW,
        }
    }

    pub(super) fn too_large_unpacked() -> Self {
        FileError::TooLarge {
            max_mib: (super::MAX_UNPACKED_BYTES / (1024 * 1024)) as usize,
        }
    }
}
