//! Fuzz target `envelope`: see `fuzz_bodies::envelope`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::envelope(data));
