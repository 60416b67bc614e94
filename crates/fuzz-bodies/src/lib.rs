//! Fuzz target bodies (filled in by the fuzzing work).
#![forbid(unsafe_code)]
