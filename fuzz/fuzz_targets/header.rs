//! Fuzz target `header`: see `fuzz_bodies::header`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::header(data));
