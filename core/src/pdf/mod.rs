//! PDF drawing shared by every module: the embedded fonts. Each document lays itself out;
//! rendering always runs on [`crate::file_work::FileWork`].

pub mod card;
pub mod fonts;
