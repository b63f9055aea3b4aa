//! The galley's prep list and freezer: the rules ([`status`], [`freezer`]) and how they are
//! stored ([`store`], [`freezer_store`]).

pub mod freezer;
pub mod freezer_store;
pub mod status;
pub mod store;
