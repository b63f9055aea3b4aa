//! The weekly-menu text reader: each line of the input one paragraph of a DOCX.
#![no_main]

use galley_municipal::import::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::menu_text(data);
});
