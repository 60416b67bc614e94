//! The built-in test keys: the same files as `test-vectors/keys/`.
//!
//! TEST ONLY. These private keys are published in this repository; anything sealed under them
//! is readable by anyone. They exist so that `blobtool roundtrip` runs on a fresh machine.

/// RSA-2048 private JWK, kid `test-rsa-2048`.
pub const RSA_2048_JWK: &str = include_str!("../../../test-vectors/keys/rsa-2048.jwk.json");
/// RSA-3072 private JWK, kid `test-rsa-3072`.
pub const RSA_3072_JWK: &str = include_str!("../../../test-vectors/keys/rsa-3072.jwk.json");
/// AES-256 key-encryption key JWK, kid `test-a256kw`.
pub const A256KW_JWK: &str = include_str!("../../../test-vectors/keys/aes-256kw.jwk.json");
