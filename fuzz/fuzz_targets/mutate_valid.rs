//! Fuzz target `mutate_valid`: see `fuzz_bodies::mutate_valid`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::mutate_valid(data));
