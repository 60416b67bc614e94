//! Errors of the cryptographic primitives ([`CryptoError`]) and of key handling ([`KeyError`]).
//!
//! No error value ever carries key bytes, a content key or plaintext: only lengths, algorithm names,
//! bit sizes and fixed reasons. Every failure that could depend on a secret after the public length checks
//! (a bad tag, bad CBC padding under a good tag, a failed AES key unwrap, a GCM tag mismatch) is the one value
//! [`CryptoError::DecryptionFailed`], so an error never works as an oracle.

use std::fmt;

use blob_format::{Alg, Enc};

use crate::keys::KeyKind;

/// A failure of a primitive: content encryption, key wrapping, randomness.
///
/// Length errors say which input had which length (lengths are public: they are visible in the blob).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The content-encryption key does not have the length `enc` needs.
    #[error("{enc} needs a {expected}-byte content key, got {actual} bytes")]
    CekLength {
        /// The content encryption.
        enc: Enc,
        /// Required length in bytes.
        expected: usize,
        /// Given length in bytes.
        actual: usize,
    },
    /// The initialisation vector does not have the length `enc` needs.
    #[error("{enc} needs a {expected}-byte IV, got {actual} bytes")]
    IvLength {
        /// The content encryption.
        enc: Enc,
        /// Required length in bytes.
        expected: usize,
        /// Given length in bytes.
        actual: usize,
    },
    /// The authentication tag does not have the length `enc` produces (truncated tags are refused).
    #[error("{enc} needs a {expected}-byte authentication tag, got {actual} bytes")]
    TagLength {
        /// The content encryption.
        enc: Enc,
        /// Required length in bytes.
        expected: usize,
        /// Given length in bytes.
        actual: usize,
    },
    /// A CBC ciphertext that is not a positive multiple of the 16-byte AES block.
    #[error("{enc} ciphertext must be a positive multiple of 16 bytes, got {actual} bytes")]
    CiphertextLength {
        /// The content encryption.
        enc: Enc,
        /// Given length in bytes.
        actual: usize,
    },
    /// An input too long for the primitives (OpenSSL takes lengths as C `int`; the AAD length in bits must fit
    /// in 64 bits).
    #[error("{what} of {len} bytes is too long")]
    TooLong {
        /// Which input: "plaintext", "ciphertext" or "additional authenticated data".
        what: &'static str,
        /// Given length in bytes.
        len: usize,
    },
    /// The key-encryption key does not have the length the AES key-wrap `alg` needs.
    #[error("{alg} needs a {expected}-byte key-encryption key, got {actual} bytes")]
    KekLength {
        /// The key wrap.
        alg: Alg,
        /// Required length in bytes.
        expected: usize,
        /// Given length in bytes.
        actual: usize,
    },
    /// A content key that `alg` cannot wrap: AES key wrap needs a multiple of 8 bytes, at least 16; RSA-OAEP at
    /// most the modulus size less the padding.
    #[error("{alg} cannot wrap a content key of {actual} bytes")]
    CekToWrap {
        /// The key wrap.
        alg: Alg,
        /// Given length in bytes.
        actual: usize,
    },
    /// A primitive was called with an algorithm of the wrong family (an RSA `alg` for AES key wrap, or a GCM
    /// `enc` for a CBC-HMAC tag): a programming error, reported instead of a panic.
    #[error("{name} is not usable for {operation}")]
    WrongAlgorithm {
        /// The JOSE name of the algorithm given.
        name: &'static str,
        /// What the primitive does.
        operation: &'static str,
    },
    /// An RSA operation was given a key that is not an RSA key.
    #[error("the key is not an RSA key")]
    NotRsaKey,
    /// Decryption or unwrapping failed: bad tag, bad padding under a good tag, failed AES key-wrap integrity
    /// check, wrong encrypted-key length for AES key wrap. One value for all, on purpose.
    #[error("decryption failed: the blob was altered, or the key is not the one it was sealed with")]
    DecryptionFailed,
    /// The operating system's random number generator, through OpenSSL, failed.
    #[error("the random number generator failed")]
    Rng,
    /// OpenSSL failed while encrypting or wrapping (never used on a decryption path). The text is OpenSSL's
    /// error stack, which holds no key or data bytes.
    #[error("OpenSSL failed during {operation}: {detail}")]
    Backend {
        /// What was being done.
        operation: &'static str,
        /// OpenSSL's error text.
        detail: String,
    },
}

impl CryptoError {
    pub(crate) fn backend(operation: &'static str) -> impl FnOnce(openssl::error::ErrorStack) -> CryptoError {
        move |e| CryptoError::Backend { operation, detail: e.to_string() }
    }
}

/// A failure to load, use or export a [`Key`](crate::keys::Key).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key is pinned to other algorithms (the algorithm is never taken from a blob header alone).
    #[error("the key is not allowed for {alg}; it allows {}; allow it explicitly if that is intended", AlgList(.allowed))]
    AlgNotAllowed {
        /// The algorithm asked for.
        alg: Alg,
        /// The algorithms the key allows.
        allowed: Vec<Alg>,
    },
    /// Opening needs the private key and this is an RSA public key.
    #[error("the key is an RSA public key; opening needs the private key")]
    PublicKeyOnly,
    /// An RSA key under 2048 bits.
    #[error("RSA key of {bits} bits is too small: at least 2048 bits are required")]
    KeyTooSmall {
        /// The modulus size in bits.
        bits: u32,
    },
    /// An RSA key over 8192 bits: the largest encrypted key a blob may carry is 1024 bytes, and the cost of a private operation stays bounded.
    #[error("RSA key of {bits} bits is too large: at most 8192 bits are supported")]
    KeyTooLarge {
        /// The modulus size in bits.
        bits: u32,
    },
    /// The algorithm needs another kind of key (AES key wrap with an RSA key, or RSA-OAEP with an AES key).
    #[error("{alg} cannot be used with {kind}")]
    WrongKeyType {
        /// The algorithm asked for.
        alg: Alg,
        /// The kind of key given.
        kind: KeyKind,
    },
    /// An AES key wrap of another size than the key-encryption key.
    #[error("{alg} needs a {expected_bits}-bit key-encryption key, this one has {actual_bits} bits")]
    WrongKeySize {
        /// The algorithm asked for.
        alg: Alg,
        /// The key size the algorithm needs.
        expected_bits: usize,
        /// The key size given.
        actual_bits: usize,
    },
    /// A symmetric key (JWK `kty` `oct`) whose length is not 16, 24 or 32 bytes.
    #[error("an AES key-encryption key must be 16, 24 or 32 bytes, got {len} bytes")]
    OctKeyLength {
        /// Given length in bytes.
        len: usize,
    },
    /// A key of a type we do not support (EC, OKP, RSA-PSS-only, ...), named.
    #[error("unsupported key type: {0}")]
    UnsupportedKeyType(String),
    /// A JWK whose `alg` is not one of the supported key-management algorithms, named.
    #[error("the JWK's alg {0:?} is not a supported key-management algorithm (RSA-OAEP-256, RSA-OAEP, A128KW, A192KW, A256KW)")]
    UnsupportedAlg(String),
    /// A JWK whose `use` is not `enc`.
    #[error("the JWK's use is {0:?}; a key for backups must have use \"enc\" or none")]
    WrongUse(String),
    /// A symmetric key has no public part to export or derive.
    #[error("a symmetric (oct) key has no public part")]
    SymmetricKey,
    /// The key could not be read or is malformed; the reason never quotes key bytes.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A primitive failed (including [`CryptoError::DecryptionFailed`] from an AES key unwrap).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl KeyError {
    /// Whether this is the single "does not open" failure ([`CryptoError::DecryptionFailed`]).
    pub fn is_decryption_failed(&self) -> bool {
        matches!(self, KeyError::Crypto(CryptoError::DecryptionFailed))
    }
}

/// Displays a list of algorithms as "A, B and C".
struct AlgList<'a>(&'a [Alg]);

impl fmt::Display for AlgList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        if n == 0 {
            return f.write_str("no algorithm");
        }
        for (i, alg) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(if i + 1 == n { " and " } else { ", " })?;
            }
            f.write_str(alg.name())?;
        }
        Ok(())
    }
}
