//! Renders the weekly report into downloadable files: CSV, XLSX and PDF bytes.
//!
//! All three formats share one column layout (see `table`), so a reader finds the same
//! columns in the same order whichever file they open. Every visible word comes from
//! [`ReportLabels`]; the renderers only add punctuation and numbers.

mod csv;
mod pdf;
mod table;
mod xlsx;

#[cfg(test)]
mod sample;

use crate::report::model::{ReportLabels, WeeklyReport};

/// Why a report could not be rendered. None of these should happen with valid input;
/// they surface library failures instead of panicking.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("writing the CSV failed: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("writing the XLSX failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("the embedded font could not be read: {0}")]
    Font(String),
    #[error("writing the PDF failed: {0}")]
    Pdf(String),
}

/// The department table as CSV: a header row, one row per department, then the totals row.
///
/// UTF-8 with a BOM (so Swedish Excel opens it right); `delimiter` is b';' (Swedish Excel)
/// or b','. No title line and no diet section, so the file stays one machine-readable table.
pub fn csv(
    report: &WeeklyReport,
    labels: &ReportLabels,
    delimiter: u8,
) -> Result<Vec<u8>, RenderError> {
    self::csv::render(report, labels, delimiter)
}

/// An Excel workbook: the department table on the first sheet, diet totals on the second.
pub fn xlsx(report: &WeeklyReport, labels: &ReportLabels) -> Result<Vec<u8>, RenderError> {
    self::xlsx::render(report, labels)
}

/// A printable A4 PDF with the department table (paginated, header repeated) and the diet totals.
pub fn pdf(report: &WeeklyReport, labels: &ReportLabels) -> Result<Vec<u8>, RenderError> {
    self::pdf::render(report, labels)
}
