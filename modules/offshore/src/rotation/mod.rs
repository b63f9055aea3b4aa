//! Crew rotations: patterns, shift times, schedule generation, cover and the working-time
//! rules. Everything here is pure; `crate::schedule` stores and serves it.

pub mod coverage;
pub mod generate;
pub mod pattern;
pub mod position;
pub mod rules;
pub mod shift_times;
