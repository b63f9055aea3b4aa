//! A CSV upload, as raw bytes.
#![no_main]

use galley_municipal::import::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::csv(data);
});
