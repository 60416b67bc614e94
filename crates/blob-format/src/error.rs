//! Typed errors: what was wrong, in which part of the input, and at which character offset.

use std::fmt;

use serde::Serialize;

/// A part of the input that an error or finding points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The input as a whole (size limits, encoding).
    Input,
    /// The API's JSON body around the blob (`{"secret_blob": "..."}`).
    Envelope,
    /// The marker byte before the prefix.
    Marker,
    /// The format prefix (`CloudSecretManagementBackupV1...`).
    Prefix,
    /// JWE segment 1: the base64url protected header.
    Header,
    /// JWE segment 2: the wrapped content-encryption key.
    EncryptedKey,
    /// JWE segment 3: the initialisation vector.
    Iv,
    /// JWE segment 4: the ciphertext.
    Ciphertext,
    /// JWE segment 5: the authentication tag.
    Tag,
}

impl Part {
    /// The five JWE segments, in order.
    pub const SEGMENTS: [Part; 5] = [Part::Header, Part::EncryptedKey, Part::Iv, Part::Ciphertext, Part::Tag];

    /// A stable snake_case name, used in JSON output and test vectors.
    pub const fn code(self) -> &'static str {
        match self {
            Part::Input => "input",
            Part::Envelope => "envelope",
            Part::Marker => "marker",
            Part::Prefix => "prefix",
            Part::Header => "header",
            Part::EncryptedKey => "encrypted_key",
            Part::Iv => "iv",
            Part::Ciphertext => "ciphertext",
            Part::Tag => "tag",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Input => "input",
            Part::Envelope => "JSON body",
            Part::Marker => "marker byte",
            Part::Prefix => "prefix",
            Part::Header => "protected header",
            Part::EncryptedKey => "encrypted key",
            Part::Iv => "IV",
            Part::Ciphertext => "ciphertext",
            Part::Tag => "authentication tag",
        })
    }
}

/// A format that looks like a backup blob but is not a CSMS one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sibling {
    /// Azure Key Vault secret backup (`AzureKeyVaultSecretBackupV1.microsoft.com`).
    AzureSecretBackup,
    /// Azure Key Vault key (or certificate) backup (`AzureKeyVaultKeyBackupV1.microsoft.com`).
    AzureKeyBackup,
}

impl Sibling {
    /// The prefix that identifies the sibling format.
    pub const fn prefix(self) -> &'static str {
        match self {
            Sibling::AzureSecretBackup => "AzureKeyVaultSecretBackupV1.microsoft.com",
            Sibling::AzureKeyBackup => "AzureKeyVaultKeyBackupV1.microsoft.com",
        }
    }
}

impl fmt::Display for Sibling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sibling::AzureSecretBackup => "an Azure Key Vault secret backup",
            Sibling::AzureKeyBackup => "an Azure Key Vault key or certificate backup",
        })
    }
}

/// What was wrong. Each kind has a stable [`code`](ErrorKind::code) for scripts and test vectors.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is longer than the configured limit; nothing was decoded.
    #[error("the input is {len} bytes, over the limit of {max}")]
    InputTooLarge {
        /// Input length in bytes.
        len: usize,
        /// The limit in force.
        max: usize,
    },
    /// The input is not UTF-8 text.
    #[error("the input is not UTF-8 text")]
    NotUtf8,
    /// The input is empty (or only whitespace).
    #[error("the input is empty")]
    Empty,
    /// The input starts like JSON but is not valid JSON.
    #[error("the input is not valid JSON: {reason}")]
    InvalidJson {
        /// serde_json's description.
        reason: String,
    },
    /// The JSON input is not an object.
    #[error("the JSON input is not an object with a \"secret_blob\" member")]
    NotAnObject,
    /// The JSON object has no `secret_blob` member.
    #[error("the JSON body has no \"secret_blob\" member")]
    MissingSecretBlob,
    /// `secret_blob` is there but is not a JSON string.
    #[error("\"secret_blob\" is not a JSON string")]
    SecretBlobNotString,
    /// `secret_blob` appears more than once in the JSON body.
    #[error("\"secret_blob\" appears more than once in the JSON body")]
    DuplicateSecretBlob,
    /// The `secret_blob` string uses JSON escapes; a blob's characters never need them.
    #[error("the \"secret_blob\" string contains JSON escapes, which no blob character needs")]
    EscapedBlob,
    /// The input is a JSON string literal or carries `\"` escapes: a blob copied out of JSON source.
    #[error("the input is a JSON-escaped string; unescape it or pass the whole JSON body")]
    JsonEscaped,
    /// No marker byte: the input starts with the prefix itself.
    #[error("the marker byte is missing: the input starts with the prefix")]
    MissingMarker,
    /// The first character is not a marker this format uses.
    #[error("unknown marker {found:?} (expected ')' or the prefix's length)")]
    UnknownMarker {
        /// The character found.
        found: char,
    },
    /// The marker is the length of the other prefix.
    #[error("marker byte 0x{found:02x} is the length of the other prefix, not of the one that follows")]
    MarkerMismatch {
        /// The marker byte found.
        found: u8,
    },
    /// No CSMS prefix after the marker.
    #[error(
        "no CSMS backup prefix (CloudSecretManagementBackupV1.huaweicloud.com or CloudSecretManagementBackupV1.com)"
    )]
    UnknownPrefix,
    /// The input is a bare compact JWE, without marker and prefix.
    #[error("a bare compact JWE without the marker and prefix of a CSMS backup")]
    MissingPrefix,
    /// The input is a sibling vendor's backup format, not a CSMS blob.
    #[error("this is {format}, a sibling format, not a CSMS secret backup")]
    SiblingFormat {
        /// Which format.
        format: Sibling,
    },
    /// The input is a CSMS blob base64-encoded once more.
    #[error("this is a CSMS blob encoded in base64 once more; decode it first")]
    WrappedBlob,
    /// Fewer than five JWE segments.
    #[error("the JWE has {segments} of 5 segments: it ends where the {missing} should begin (truncated?)")]
    Truncated {
        /// How many segments there are.
        segments: usize,
        /// The first missing segment.
        missing: Part,
    },
    /// More than five JWE segments.
    #[error("the JWE has {segments} segments, not 5")]
    ExtraSegments {
        /// How many segments there are.
        segments: usize,
    },
    /// A segment that must not be empty is empty.
    #[error("the segment is empty")]
    EmptySegment,
    /// base64url padding (`=`), which compact JWE forbids.
    #[error("'=' padding, which base64url in JWE forbids")]
    Padding,
    /// Whitespace or a line break inside a segment.
    #[error("whitespace {found:?} inside the segment (wrapped by a mail client or editor?)")]
    Whitespace {
        /// The whitespace character.
        found: char,
    },
    /// A character outside the base64url alphabet.
    #[error("character {found:?} is not in the base64url alphabet")]
    BadCharacter {
        /// The character found.
        found: char,
    },
    /// A segment length that no base64url encoding has (4k+1).
    #[error("the segment is {len} characters long, a length no base64url encoding has (4k+1; truncated?)")]
    BadLength {
        /// Length in characters.
        len: usize,
    },
    /// The last character has non-zero unused bits (not the canonical encoding).
    #[error("non-canonical base64url: the last character carries non-zero unused bits")]
    NonCanonical,
    /// The header segment is longer than the configured limit; it was not decoded.
    #[error("the protected header is {len} characters, over the limit of {max}")]
    HeaderTooLarge {
        /// Length in characters.
        len: usize,
        /// The limit in force.
        max: usize,
    },
    /// The decoded header is not UTF-8.
    #[error("the protected header is not UTF-8")]
    HeaderNotUtf8,
    /// The decoded header is not valid JSON.
    #[error("the protected header is not valid JSON: {reason}")]
    HeaderJson {
        /// serde_json's description.
        reason: String,
    },
    /// The header JSON is not an object.
    #[error("the protected header is not a JSON object")]
    HeaderNotObject,
    /// The header JSON nests deeper than the limit.
    #[error("the protected header nests deeper than {max} levels")]
    HeaderTooDeep {
        /// The limit in force.
        max: usize,
    },
    /// A header member name appears twice.
    #[error("header member {name:?} appears more than once")]
    DuplicateMember {
        /// The member name.
        name: String,
    },
    /// A required header member is absent.
    #[error("header member {name:?} is missing")]
    MissingMember {
        /// The member name.
        name: &'static str,
    },
    /// A header member has the wrong JSON type.
    #[error("header member {name:?} must be {expected}")]
    MemberType {
        /// The member name.
        name: String,
        /// What it must be.
        expected: &'static str,
    },
    /// `alg` is a known algorithm that is refused on principle.
    #[error("alg {alg:?} is refused: {reason}")]
    ForbiddenAlg {
        /// The `alg` value.
        alg: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// `alg` is not one this library supports.
    #[error("alg {alg:?} is not supported (RSA-OAEP-256, RSA-OAEP, A128KW, A192KW, A256KW are)")]
    UnsupportedAlg {
        /// The `alg` value.
        alg: String,
    },
    /// `enc` is not one this library supports.
    #[error(
        "enc {enc:?} is not supported (A128CBC-HS256, A192CBC-HS384, A256CBC-HS512, A128GCM, A192GCM, A256GCM are)"
    )]
    UnsupportedEnc {
        /// The `enc` value.
        enc: String,
    },
    /// `zip` is present: compression is refused (a backup must never be a decompression bomb).
    #[error("header member \"zip\" is refused: compressed backups are not accepted")]
    Zip,
    /// `crit` lists extensions, none of which this library understands.
    #[error("header member \"crit\" lists extensions this reader does not understand: {names:?}")]
    Crit {
        /// The names listed (or the raw value if not a list of strings).
        names: Vec<String>,
    },
    /// The IV has the wrong length for `enc`.
    #[error("the IV is {found} bytes; {enc} needs {expected}")]
    IvLength {
        /// The `enc` in force.
        enc: crate::Enc,
        /// Required length in bytes.
        expected: usize,
        /// Decoded length in bytes.
        found: usize,
    },
    /// The tag has the wrong length for `enc`.
    #[error("the authentication tag is {found} bytes; {enc} needs exactly {expected}")]
    TagLength {
        /// The `enc` in force.
        enc: crate::Enc,
        /// Required length in bytes.
        expected: usize,
        /// Decoded length in bytes.
        found: usize,
    },
    /// The encrypted key has a length `alg` cannot produce.
    #[error("the encrypted key is {found} bytes; {alg} {expected}")]
    EncryptedKeyLength {
        /// The `alg` in force.
        alg: crate::Alg,
        /// What the length must be, in words.
        expected: String,
        /// Decoded length in bytes.
        found: usize,
    },
    /// CBC ciphertext that is not a positive multiple of the block size.
    #[error("the ciphertext is {found} bytes; CBC needs a positive multiple of 16")]
    CiphertextLength {
        /// Decoded length in bytes.
        found: usize,
    },
}

impl ErrorKind {
    /// A stable snake_case code for this kind: the names test vectors and `--json` output use.
    pub const fn code(&self) -> &'static str {
        match self {
            ErrorKind::InputTooLarge { .. } => "input_too_large",
            ErrorKind::NotUtf8 => "not_utf8",
            ErrorKind::Empty => "empty",
            ErrorKind::InvalidJson { .. } => "invalid_json",
            ErrorKind::NotAnObject => "not_an_object",
            ErrorKind::MissingSecretBlob => "missing_secret_blob",
            ErrorKind::SecretBlobNotString => "secret_blob_not_string",
            ErrorKind::DuplicateSecretBlob => "duplicate_secret_blob",
            ErrorKind::EscapedBlob => "escaped_blob",
            ErrorKind::JsonEscaped => "json_escaped",
            ErrorKind::MissingMarker => "missing_marker",
            ErrorKind::UnknownMarker { .. } => "unknown_marker",
            ErrorKind::MarkerMismatch { .. } => "marker_mismatch",
            ErrorKind::UnknownPrefix => "unknown_prefix",
            ErrorKind::MissingPrefix => "missing_prefix",
            ErrorKind::SiblingFormat { .. } => "sibling_format",
            ErrorKind::WrappedBlob => "wrapped_blob",
            ErrorKind::Truncated { .. } => "truncated",
            ErrorKind::ExtraSegments { .. } => "extra_segments",
            ErrorKind::EmptySegment => "empty_segment",
            ErrorKind::Padding => "base64_padding",
            ErrorKind::Whitespace { .. } => "base64_whitespace",
            ErrorKind::BadCharacter { .. } => "base64_character",
            ErrorKind::BadLength { .. } => "base64_length",
            ErrorKind::NonCanonical => "base64_noncanonical",
            ErrorKind::HeaderTooLarge { .. } => "header_too_large",
            ErrorKind::HeaderNotUtf8 => "header_not_utf8",
            ErrorKind::HeaderJson { .. } => "header_json",
            ErrorKind::HeaderNotObject => "header_not_object",
            ErrorKind::HeaderTooDeep { .. } => "header_too_deep",
            ErrorKind::DuplicateMember { .. } => "duplicate_member",
            ErrorKind::MissingMember { .. } => "missing_member",
            ErrorKind::MemberType { .. } => "member_type",
            ErrorKind::ForbiddenAlg { .. } => "forbidden_alg",
            ErrorKind::UnsupportedAlg { .. } => "unsupported_alg",
            ErrorKind::UnsupportedEnc { .. } => "unsupported_enc",
            ErrorKind::Zip => "zip",
            ErrorKind::Crit { .. } => "crit",
            ErrorKind::IvLength { .. } => "iv_length",
            ErrorKind::TagLength { .. } => "tag_length",
            ErrorKind::EncryptedKeyLength { .. } => "encrypted_key_length",
            ErrorKind::CiphertextLength { .. } => "ciphertext_length",
        }
    }
}

/// A format error: what was wrong ([`ErrorKind`]), in which [`Part`], at which character offset.
///
/// The offset counts characters from the start of the whole input given to the parser, JSON body
/// included, so a user can find the spot in the file they hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{part} at offset {offset}: {kind}")]
pub struct Error {
    /// What was wrong.
    pub kind: ErrorKind,
    /// Where: which part of the input.
    pub part: Part,
    /// Where: character offset in the whole input.
    pub offset: usize,
}

impl Error {
    /// Shorthand for the stable code of the kind.
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }
}
