//! Fuzz target `inspect`: see `fuzz_bodies::inspect`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::inspect(data));
