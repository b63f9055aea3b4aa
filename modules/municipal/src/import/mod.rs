//! Menu import from CSV, XLSX and DOCX files.

pub mod apply;
#[doc(hidden)]
pub mod fuzzing;
pub mod model;
pub mod parse;
pub mod problem;
