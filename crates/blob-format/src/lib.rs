//! placeholder
#![forbid(unsafe_code)]
pub mod alg;
pub use alg::{Alg, Enc, UnknownName, FORBIDDEN_ALGS};
