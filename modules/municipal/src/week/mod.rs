//! A department's week: its lunch choices and diet marks.

pub mod store;
