//! Galley's developer tasks, run as `cargo xtask COMMAND` (see `main.rs` for the usage text).
//!
//! One file per command; [`util`] and [`http`] hold what several of them share. Std only: the
//! tasks mostly delegate to `cargo` and to the `galley` binary.

pub mod bench;
pub mod deploy_check;
pub mod dist;
pub mod fuzz;
pub mod http;
pub mod migrate;
pub mod migration_lint;
pub mod new_migration;
pub mod new_module;
pub mod postgres;
pub mod run;
pub mod scaffold_check;
pub mod schema_names;
pub mod schemathesis;
pub mod test;
pub mod tools;
pub mod util;

pub use new_module::scaffold_module;
pub use util::workspace_root;
