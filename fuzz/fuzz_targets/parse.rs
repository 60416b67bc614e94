//! Fuzz target `parse`: see `fuzz_bodies::parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::parse(data));
