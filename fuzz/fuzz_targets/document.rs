//! Fuzz target `document`: see `fuzz_bodies::document`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::document(data));
