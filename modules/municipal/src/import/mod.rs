//! Menu import from CSV, XLSX and DOCX files.

pub mod apply;
pub mod model;
pub mod parse;
pub mod problem;
