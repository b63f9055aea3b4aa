//! A DOCX upload: a zip as it is, or anything else as entries (NUL-separated, each its
//! name, a newline, its contents) that the facade zips, so mutations reach the XML.
#![no_main]

use galley_municipal::import::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::docx(data);
});
