//! The rota as stored: settings, patterns, crew, shifts and marked exceptions.

pub mod crew;
pub mod exceptions;
pub mod patterns;
pub mod settings;
pub mod shifts;
