//! Seal every version of a Huawei Cloud CSMS secret into a backup blob, and open, verify, rewrap
//! and reseal such blobs.
//!
//! The blob's plaintext is a [backup document](document): the secret and all of its versions.
//! It is encrypted under a fresh content key (`enc`: AES-CBC-HMAC-SHA2 or AES-GCM), and the
//! content key is wrapped (`alg`: RSA-OAEP-256, RSA-OAEP or AES key wrap) under a [`Key`] — or by
//! a KMS or HSM through the two-phase [`Sealing`] and [`Opening`]. The bytes are
//! [`blob_format`]'s.
//!
//! # Sealing and opening
//!
//! ```
//! use blob_seal::{document::*, keys::Key, open, seal, OpenOptions, SealOptions};
//!
//! let key = Key::from_jwk(r#"{"kty":"oct","alg":"A256KW","kid":"backup-2026",
//!                             "k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}"#)?;
//! let document = Document::new(
//!     Secret::new("db-password"),
//!     vec![
//!         Version::new("v1", "db-password", SecretValue::string("old")).with_stages(["SYSPREVIOUS"]),
//!         Version::new("v2", "db-password", SecretValue::binary(vec![0, 1, 2])).with_stages(["SYSCURRENT"]),
//!     ],
//! );
//! let blob = seal(&document, &key, &SealOptions::default())?;
//! assert!(blob.starts_with(")CloudSecretManagementBackupV1.huaweicloud.com"));
//!
//! let opened = open(&blob, &key, &OpenOptions::default())?;
//! assert_eq!(opened, document);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # A key in a KMS or HSM
//!
//! [`Sealing`] hands out a fresh content key and takes back the wrapped key with its `alg` and
//! `kid`; [`Opening`] shows the `kid`, `alg` and encrypted key and takes back the content key.
//! The library does no I/O, so the KMS call may be synchronous or asynchronous. See the
//! `external_kms` example.
//!
//! # Threads
//!
//! From 256 KiB up, and when the process may use two cores, a CBC-HMAC seal encrypts on the
//! caller's thread while a second, scoped thread computes the HMAC and writes the base64url;
//! an open under an RSA key decodes the ciphertext on a second thread while the caller's
//! unwraps the content key. The bytes and the errors are the same as on one thread.
//! [`SealOptions::parallel`] and [`OpenOptions::parallel`] turn this off.
//!
//! # Security properties
//!
//! - The algorithm is never chosen from the header alone: a key opens only what it is pinned to.
//! - The tag is verified, in constant time, before anything is decrypted; bad padding under a
//!   good tag, a bad tag, a wrong key and a tampered encrypted key all give one error,
//!   [`CryptoError::DecryptionFailed`] (RFC 7516 section 11.5 for RSA).
//! - Every segment length is checked before any primitive runs.
//! - A fresh content key and IV come from the OS CSPRNG for every seal.
//! - Keys, content keys, the plaintext and secret values live in zeroizing buffers; their `Debug`
//!   is redacted; no error carries them.
//! - Limits bound the input, the header, the plaintext and the document before they are decoded.
#![forbid(unsafe_code)]

pub mod content;
pub mod document;
pub mod error;
pub mod keys;
mod ops;
mod pipeline;
pub mod wrap;

pub use blob_format;
pub use document::{Document, DocumentError, DocumentLimits};
pub use error::{CryptoError, KeyError};
pub use keys::Key;
pub use ops::{
    open, open_raw, reseal, rewrap, seal, seal_raw, verify, OpenOptions, Opening, RotateOptions, SealOptions, Sealing,
    Summary,
};

/// Why an operation failed. Each variant names its cause; [`Error::code`] gives a stable name.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The blob breaks a format rule (before any key was used). The message includes the cause,
    /// so it is not also given as `source()` (a printed chain would repeat it).
    #[error("the blob is malformed: {0}")]
    Format(blob_format::Error),
    /// The backup document is invalid (on seal, or after a successful decryption on open). The
    /// message includes the cause, as for [`Error::Format`].
    #[error("the backup document is invalid: {0}")]
    Document(DocumentError),
    /// The key cannot do what was asked (pinning, size, type, public only).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A primitive failed; on open this is [`CryptoError::DecryptionFailed`]: wrong key or altered blob.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The blob's `kid` and the key's differ: public information, reported before any decryption.
    #[error("the blob's kid is {blob:?} but the key's kid is {key:?}")]
    KidMismatch {
        /// The header's kid.
        blob: String,
        /// The key's kid.
        key: String,
    },
    /// Sealing needs a `kid`: neither the options nor the key had one.
    #[error("no kid: the key has none and none was given; a sealed blob must name its key")]
    MissingKid,
    /// The ciphertext is longer than the plaintext limit allows; nothing was decoded.
    #[error("the ciphertext is {len} bytes, over the plaintext limit of {max} bytes")]
    PlaintextTooLarge {
        /// Decoded ciphertext length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// An external wrapper returned an encrypted key of a length `alg` cannot produce.
    #[error("an encrypted key of {len} bytes cannot come from {alg}")]
    EncryptedKeyLength {
        /// The algorithm named.
        alg: blob_format::Alg,
        /// The length given.
        len: usize,
    },
}

impl From<blob_format::Error> for Error {
    fn from(e: blob_format::Error) -> Error {
        Error::Format(e)
    }
}

impl From<DocumentError> for Error {
    fn from(e: DocumentError) -> Error {
        Error::Document(e)
    }
}

impl Error {
    /// A stable snake_case code: the error kinds of `test-vectors/README.md`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Format(e) => e.code(),
            Error::Document(e) => document_code(e),
            Error::Key(e) => key_code(e),
            Error::Crypto(e) => crypto_code(e),
            Error::KidMismatch { .. } => "kid_mismatch",
            Error::MissingKid => "missing_kid",
            Error::PlaintextTooLarge { .. } => "plaintext_too_large",
            Error::EncryptedKeyLength { .. } => "encrypted_key_length",
        }
    }

    /// Whether this is the one "does not open" failure: wrong key or altered blob.
    pub fn is_decryption_failed(&self) -> bool {
        self.code() == "decryption_failed"
    }
}

fn crypto_code(e: &CryptoError) -> &'static str {
    match e {
        CryptoError::DecryptionFailed => "decryption_failed",
        CryptoError::CekLength { .. } => "cek_length",
        CryptoError::IvLength { .. } => "iv_length",
        CryptoError::TagLength { .. } => "tag_length",
        CryptoError::CiphertextLength { .. } => "ciphertext_length",
        CryptoError::TooLong { .. } => "too_long",
        CryptoError::KekLength { .. } => "kek_length",
        CryptoError::CekToWrap { .. } => "cek_to_wrap",
        CryptoError::WrongAlgorithm { .. } => "wrong_algorithm",
        CryptoError::NotRsaKey => "not_rsa_key",
        CryptoError::Rng => "rng",
        CryptoError::Backend { .. } => "backend",
    }
}

fn key_code(e: &KeyError) -> &'static str {
    match e {
        KeyError::AlgNotAllowed { .. } => "alg_not_allowed",
        KeyError::PublicKeyOnly => "public_key_only",
        KeyError::KeyTooSmall { .. } => "key_too_small",
        KeyError::KeyTooLarge { .. } => "key_too_large",
        KeyError::WrongKeyType { .. } => "wrong_key_type",
        KeyError::WrongKeySize { .. } => "wrong_key_size",
        KeyError::OctKeyLength { .. } => "oct_key_length",
        KeyError::UnsupportedKeyType(_) => "unsupported_key_type",
        KeyError::UnsupportedAlg(_) => "unsupported_key_alg",
        KeyError::WrongUse(_) => "wrong_key_use",
        KeyError::SymmetricKey => "symmetric_key",
        KeyError::InvalidKey(_) => "invalid_key",
        KeyError::Crypto(c) => crypto_code(c),
    }
}

fn document_code(e: &DocumentError) -> &'static str {
    match e {
        DocumentError::DocumentTooLarge { .. } => "document_too_large",
        DocumentError::NestingTooDeep { .. } => "document_too_deep",
        DocumentError::TooManyItems { .. } => "document_too_many_items",
        DocumentError::Syntax { .. } => "document_json",
        DocumentError::Schema { .. } => "document_schema",
        DocumentError::DuplicateMember { .. } => "document_duplicate_member",
        DocumentError::UnknownState { .. } => "unknown_state",
        DocumentError::BadBase64 { .. } => "bad_binary_value",
        DocumentError::BothValues { .. } => "both_values",
        DocumentError::NoValue { .. } => "no_value",
        DocumentError::UnknownFormatVersion { .. } => "unknown_format_version",
        DocumentError::InvalidSecretName { .. } => "invalid_secret_name",
        DocumentError::DescriptionTooLong { .. } => "description_too_long",
        DocumentError::NoVersions { .. } => "no_versions",
        DocumentError::TooManyVersions { .. } => "too_many_versions",
        DocumentError::BadVersionId { .. } => "bad_version_id",
        DocumentError::DuplicateVersionId { .. } => "duplicate_version_id",
        DocumentError::BadStageName { .. } => "bad_stage_name",
        DocumentError::DuplicateStage { .. } => "duplicate_stage",
        DocumentError::StageOnTwoVersions { .. } => "stage_on_two_versions",
        DocumentError::TooManyStages { .. } => "too_many_stages",
        DocumentError::ValueTooLarge { .. } => "value_too_large",
        DocumentError::SecretNameMismatch { .. } => "secret_name_mismatch",
        DocumentError::ExtraShadowsField { .. } => "extra_shadows_field",
        DocumentError::ExtraTooDeep { .. } => "extra_too_deep",
    }
}
