//! Fuzz target `open`: see `fuzz_bodies::open`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::open(data));
