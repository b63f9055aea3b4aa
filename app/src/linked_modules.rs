//! Every module crate linked into the application. `inventory` only finds registrations in
//! crates the linker keeps, so each module crate is referenced here (`cargo xtask new-module`
//! adds the line).

use galley_municipal as _;
use galley_offshore as _;
