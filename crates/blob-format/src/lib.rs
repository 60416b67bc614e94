//! Parse, serialize and diagnose Huawei Cloud CSMS secret backup blobs.
//!
//! A blob is a marker byte, a prefix and a compact JWE (RFC 7516 section 7.1):
//!
//! ```text
//! )CloudSecretManagementBackupV1.huaweicloud.com<header>.<encrypted key>.<iv>.<ciphertext>.<tag>
//! ```
//!
//! This crate knows bytes only: no keys and no crypto. It offers
//! - [`parse`]: a strict parser into a borrowed [`Blob`] with a typed [`Header`], refusing every
//!   rule the format breaks with an [`Error`] that names the [`Part`] and the character offset;
//! - [`inspect`]: a diagnosis that never fails, with every [`Finding`] and the structure it could
//!   derive, and that names look-alikes (truncation, Azure Key Vault backups, a blob encoded once
//!   more, a JSON-escaped blob); [`parse`] succeeds exactly when [`inspect`] reports no error;
//! - [`Builder`], [`assemble`] and [`BlobWriter`] (ciphertext in pieces) to write blobs in the
//!   service's exact shape.
//!
//! Inputs may be a bare blob or the API's JSON body `{"secret_blob": "..."}`, with surrounding
//! whitespace. [`Limits`] are checked before anything is decoded.
#![forbid(unsafe_code)]

pub mod alg;
mod b64;
mod blob;
mod envelope;
mod error;
mod header;
mod inspect;
mod walk;
mod write;

pub use alg::{Alg, Enc, UnknownName, FORBIDDEN_ALGS};
pub use b64::{encode as base64url_encode, encoded_len as base64url_len};
pub use blob::{
    as_text, parse, parse_blob, parse_bytes, parse_deferring_ciphertext, parse_with, Blob, DeferredCiphertext, Limits,
    Marker, Prefix, Segment, MARKER, PREFIX_LONG, PREFIX_SHORT,
};
pub use envelope::Envelope;
pub use error::{Error, ErrorKind, Part, Sibling};
pub use header::{Header, MemberError};
pub use inspect::{inspect, inspect_with, Finding, Implied, MarkerReport, PartReport, Report, Severity, SiblingReport};
pub use write::{assemble, to_json_body, BlobWriter, Builder, WriteOptions};
