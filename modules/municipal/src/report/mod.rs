//! The weekly report: one model, built from the plans, rendered to JSON, CSV, XLSX and PDF.

pub mod build;
pub mod model;
pub mod render;
