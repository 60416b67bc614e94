//! The backup document: the JSON plaintext inside a blob, carrying one secret and all of its versions.
//!
//! Field names follow the CSMS API's own objects (snake_case, times in milliseconds since the Unix
//! epoch) so a server can fill a document from the objects it already has. [`Document::from_json`]
//! is the only entry point for untrusted bytes: it bounds size and nesting before parsing, parses
//! with JSON paths on every error, and then runs [`Document::validate`]. Sealing code should call
//! [`Document::validate`] before [`Document::to_json`], so that nothing is sealed that would not open.
//!
//! # Fields
//!
//! Top level ([`Document`]):
//!
//! | member | type | rule |
//! | --- | --- | --- |
//! | `format_version` | integer (u32) | required; only [`FORMAT_VERSION`] (1) is known |
//! | `secret` | object ([`Secret`]) | required |
//! | `versions` | array of [`Version`] | required; 1 to [`DocumentLimits::max_versions`] (default 20) |
//!
//! `secret` ([`Secret`]); every member but `name` may be absent or `null`:
//!
//! | member | type | rule |
//! | --- | --- | --- |
//! | `id` | string | |
//! | `name` | string | required; `^[a-zA-Z0-9._-]{1,64}$` |
//! | `state` | string | one of `ENABLED`, `DISABLED`, `PENDING_DELETE`, `FROZEN` (any other is an error) |
//! | `kms_key_id` | string | |
//! | `description` | string | at most 2048 bytes of UTF-8 |
//! | `create_time`, `update_time`, `scheduled_delete_time` | integer (i64 ms) | |
//! | `secret_type` | string | e.g. `COMMON`; open set, not checked |
//! | `auto_rotation` | boolean | |
//! | `rotation_period`, `rotation_config` | string | |
//! | `rotation_time`, `next_rotation_time` | integer (i64 ms) | |
//! | `event_subscriptions` | array of string | |
//! | `enterprise_project_id`, `rotation_func_urn` | string | |
//! | `tags` | array of [`Tag`] `{ "key": string (required), "value": string or null }` | |
//!
//! `versions[i]` ([`Version`]):
//!
//! | member | type | rule |
//! | --- | --- | --- |
//! | `version_metadata` | object ([`VersionMetadata`]) | required |
//! | `secret_string` | string | exactly one of the two value members is present (and not `null`) |
//! | `secret_binary` | string: standard base64 with padding (RFC 4648 section 4), canonical | |
//!
//! A value is at most [`DocumentLimits::max_value_len`] bytes (default 64 KiB): the UTF-8 length of a
//! string, the decoded length of a binary value.
//!
//! `versions[i].version_metadata` ([`VersionMetadata`]):
//!
//! | member | type | rule |
//! | --- | --- | --- |
//! | `id` | string | required; 1 to 64 characters; unique among the versions |
//! | `create_time`, `expire_time` | integer (i64 ms) or `null` | |
//! | `kms_key_id` | string or `null` | |
//! | `secret_name` | string | required; equal to `secret.name` |
//! | `version_stages` | array of string | may be absent (no stages); each 1 to 64 characters; a stage on at most one version and at most once; at most 12 distinct stages in the document |
//!
//! # Unknown members, `null` and order
//!
//! Every object keeps its unknown members in an `extra` map and writes them back, in their original
//! order, after the known members, so a newer writer's document survives a round trip through this
//! reader. Known members are written in the order of the tables above. An optional member that was
//! `null` on input is written back as `null`; one that was absent stays absent. (The one exception:
//! a `null` `secret_string`/`secret_binary` counts as absent and is not written back.) Duplicate
//! member names are refused at every level, including inside unknown members, because two readers
//! that resolve a duplicate differently would see two different documents. Numbers inside unknown
//! members are kept as `serde_json` numbers: integers that fit i64/u64 exactly, others as f64.
//!
//! # Secrets in memory
//!
//! Values live in [`Zeroizing`] buffers and are parsed straight into them: an unescaped string is
//! copied once from the input into an exactly sized zeroizing `String`; a binary value is decoded
//! into a zeroizing buffer sized to the decoded length estimate. `Debug` of every type here redacts
//! values, and no error produced here contains a value.

mod de;
mod error;
mod ser;
mod validate;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

pub(crate) use de::check_bounds;
pub use error::DocumentError;

/// The only `format_version` this reader knows; a later reader bumps it for an incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// The marker that stands in for a secret value in redacted output (`open` without `--reveal`).
pub const REDACTED: &str = "<redacted>";

/// Longest secret name the service accepts, in characters (all ASCII).
pub const MAX_SECRET_NAME_LEN: usize = 64;
/// Longest secret description the service accepts, in bytes of UTF-8.
pub const MAX_DESCRIPTION_LEN: usize = 2048;
/// Longest version id, in characters.
pub const MAX_VERSION_ID_LEN: usize = 64;
/// Longest version stage name, in characters.
pub const MAX_STAGE_NAME_LEN: usize = 64;
/// Most distinct version stages one secret may carry (the service's limit).
pub const MAX_STAGES: usize = 12;

/// Bounds applied to an untrusted document, so that parsing and validation stay cheap and bounded.
///
/// Build with [`DocumentLimits::default`] and the `with_*` methods; the defaults accept anything
/// the service can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocumentLimits {
    /// Most versions in one document. Default 20: the service keeps at most 20 versions per secret.
    pub max_versions: usize,
    /// Largest secret value in bytes (UTF-8 length of a string, decoded length of a binary value).
    /// Default 64 KiB (65 536): the service's maximum secret size.
    pub max_value_len: usize,
    /// Deepest nesting of arrays and objects, counting the top-level object as 1. Default 32: the
    /// known members need 5, leaving room for unknown members of a newer writer. Values above 128
    /// are capped in effect by `serde_json`'s own recursion limit.
    pub max_depth: usize,
    /// Largest document in bytes, checked before anything is parsed. Default 8 MiB: 20 values of
    /// 64 KiB need 1.75 MB as base64, but a string value may be escaped up to 6 bytes per byte
    /// (`\u0001`), i.e. 20 x 384 KiB = 7.5 MiB, plus 512 KiB for metadata.
    pub max_document_len: usize,
    /// Most items in the whole document, checked before anything is parsed: every array element
    /// and object member counts one, and so does an empty array or object. Default 16 384: a
    /// document the service writes has at most a few hundred (20 versions of some 10 items each,
    /// the secret's 18 members, its tags), and the bound keeps the heap a parse may use for the
    /// document's structure near 2 MiB, however small its values are.
    pub max_items: usize,
}

impl DocumentLimits {
    /// The defaults, usable in `const` context.
    pub const DEFAULT: Self = Self {
        max_versions: 20,
        max_value_len: 64 * 1024,
        max_depth: 32,
        max_document_len: 8 * 1024 * 1024,
        max_items: 16 * 1024,
    };

    /// Sets [`DocumentLimits::max_versions`].
    #[must_use]
    pub const fn with_max_versions(mut self, max: usize) -> Self {
        self.max_versions = max;
        self
    }

    /// Sets [`DocumentLimits::max_value_len`].
    #[must_use]
    pub const fn with_max_value_len(mut self, max: usize) -> Self {
        self.max_value_len = max;
        self
    }

    /// Sets [`DocumentLimits::max_depth`].
    #[must_use]
    pub const fn with_max_depth(mut self, max: usize) -> Self {
        self.max_depth = max;
        self
    }

    /// Sets [`DocumentLimits::max_document_len`].
    #[must_use]
    pub const fn with_max_document_len(mut self, max: usize) -> Self {
        self.max_document_len = max;
        self
    }

    /// Sets [`DocumentLimits::max_items`].
    #[must_use]
    pub const fn with_max_items(mut self, max: usize) -> Self {
        self.max_items = max;
        self
    }
}

impl Default for DocumentLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Which optional members were an explicit `null` on input, so they are written back as `null`.
///
/// Private: it only exists so a round trip reproduces the input; it takes part in `PartialEq`, so
/// two documents are equal exactly when they serialize the same.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct NullSet(u32);

impl NullSet {
    fn has(self, bit: u32) -> bool {
        self.0 & (1 << bit) != 0
    }

    fn set(&mut self, bit: u32) {
        self.0 |= 1 << bit;
    }

    /// Turns a member slot (`None` absent, `Some(None)` null, `Some(Some(v))` a value) into an
    /// `Option`, remembering a `null`.
    fn take<T>(&mut self, slot: Option<Option<T>>, bit: u32) -> Option<T> {
        match slot {
            None => None,
            Some(None) => {
                self.set(bit);
                None
            }
            Some(Some(value)) => Some(value),
        }
    }
}

/// The whole plaintext of a blob: one secret and all of its versions.
///
/// `PartialEq` compares values in variable time; it is for tests and tools, never for checking a
/// secret against a guess.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// Format of this document; only [`FORMAT_VERSION`] is known.
    pub format_version: u32,
    /// The secret's own metadata.
    pub secret: Secret,
    /// Every version, each with its value.
    pub versions: Vec<Version>,
    /// Unknown top-level members, kept in order so a newer writer's document survives.
    pub extra: Map<String, Value>,
}

/// The state of a secret, the CSMS API's closed set.
///
/// Any other value on input is an error ([`DocumentError::UnknownState`]): the API documents no
/// other state, so a different one means a corrupt or foreign document, not a newer service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretState {
    /// `ENABLED`: usable.
    Enabled,
    /// `DISABLED`: kept but not readable.
    Disabled,
    /// `PENDING_DELETE`: scheduled for deletion.
    PendingDelete,
    /// `FROZEN`: frozen by the service.
    Frozen,
}

impl SecretState {
    /// Every state, in the API's order.
    pub const ALL: [SecretState; 4] =
        [SecretState::Enabled, SecretState::Disabled, SecretState::PendingDelete, SecretState::Frozen];

    /// The API's name of the state (`ENABLED`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            SecretState::Enabled => "ENABLED",
            SecretState::Disabled => "DISABLED",
            SecretState::PendingDelete => "PENDING_DELETE",
            SecretState::Frozen => "FROZEN",
        }
    }

    /// Parses the API's name of a state; `None` for anything else.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == name)
    }
}

impl std::fmt::Display for SecretState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The secret's metadata, as the CSMS API's Secret object carries it.
///
/// Build with [`Secret::new`] and set the public fields. Optional fields are omitted from the
/// output when `None` (or written as `null` if the input had `null`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret {
    /// Service-assigned secret id.
    pub id: Option<String>,
    /// Secret name, the key every version's `secret_name` must match.
    pub name: String,
    /// State of the secret.
    pub state: Option<SecretState>,
    /// Id of the KMS key that protects the secret in the service.
    pub kms_key_id: Option<String>,
    /// Free-text description (at most 2048 bytes).
    pub description: Option<String>,
    /// Creation time, ms since the epoch.
    pub create_time: Option<i64>,
    /// Last update time, ms since the epoch.
    pub update_time: Option<i64>,
    /// When a pending deletion takes effect, ms since the epoch.
    pub scheduled_delete_time: Option<i64>,
    /// Secret type (`COMMON`, `RDS`, ...); not checked, the set grows.
    pub secret_type: Option<String>,
    /// Whether automatic rotation is on.
    pub auto_rotation: Option<bool>,
    /// Rotation period, e.g. `30d`.
    pub rotation_period: Option<String>,
    /// Rotation configuration, as the API gives it.
    pub rotation_config: Option<String>,
    /// Last rotation time, ms since the epoch.
    pub rotation_time: Option<i64>,
    /// Next rotation time, ms since the epoch.
    pub next_rotation_time: Option<i64>,
    /// Event subscriptions of the secret.
    pub event_subscriptions: Option<Vec<String>>,
    /// Enterprise project id (`0` is the default project).
    pub enterprise_project_id: Option<String>,
    /// URN of the rotation function.
    pub rotation_func_urn: Option<String>,
    /// Tags of the secret.
    pub tags: Option<Vec<Tag>>,
    /// Unknown members, kept in order.
    pub extra: Map<String, Value>,
    nulls: NullSet,
}

/// One tag of a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// Tag key.
    pub key: String,
    /// Tag value; the API allows it to be empty or absent.
    pub value: Option<String>,
    /// Unknown members, kept in order.
    pub extra: Map<String, Value>,
    nulls: NullSet,
}

/// One version of the secret: its metadata and its value.
///
/// `Debug` prints everything but the value, which prints as its kind and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// Metadata of the version, as the API's VersionMetadata object.
    pub version_metadata: VersionMetadata,
    /// The value: `secret_string` or `secret_binary` in JSON.
    pub value: SecretValue,
    /// Unknown members, kept in order.
    pub extra: Map<String, Value>,
}

/// Metadata of one version, as the CSMS API's VersionMetadata object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionMetadata {
    /// Version id, unique within the document.
    pub id: String,
    /// Creation time, ms since the epoch.
    pub create_time: Option<i64>,
    /// Expiry time, ms since the epoch.
    pub expire_time: Option<i64>,
    /// Id of the KMS key that protected this version in the service.
    pub kms_key_id: Option<String>,
    /// Name of the secret this version belongs to; must equal the secret's name.
    pub secret_name: String,
    /// Stages on this version (`SYSCURRENT`, `SYSPREVIOUS`, custom ones).
    pub version_stages: Vec<String>,
    /// Unknown members, kept in order.
    pub extra: Map<String, Value>,
    nulls: NullSet,
}

/// A secret value: text (`secret_string`) or bytes (`secret_binary`, base64 in JSON).
///
/// Held in a zeroizing buffer. `Debug` prints only the kind and the size. `PartialEq` is not
/// constant-time (for tests and tools only).
#[derive(Clone, PartialEq, Eq)]
pub enum SecretValue {
    /// A text value, `secret_string` in JSON.
    String(Zeroizing<String>),
    /// A binary value, `secret_binary` (standard base64) in JSON, raw bytes in memory.
    Binary(Zeroizing<Vec<u8>>),
}

/// What `verify` shows of one version: everything but the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionSummary {
    /// Version id.
    pub id: String,
    /// Stages on the version.
    pub stages: Vec<String>,
    /// Creation time, ms since the epoch.
    pub create_time: Option<i64>,
    /// `"string"` or `"binary"`.
    pub kind: &'static str,
    /// Size of the value in bytes (UTF-8 length or decoded length).
    pub size: usize,
}

impl Document {
    /// A document of the current format for `secret` and its `versions`, with no unknown members.
    pub fn new(secret: Secret, versions: Vec<Version>) -> Self {
        Self { format_version: FORMAT_VERSION, secret, versions, extra: Map::new() }
    }

    /// Parses and validates an untrusted document.
    ///
    /// Refuses a document over `limits.max_document_len`, nested deeper than `limits.max_depth` or
    /// with more than `limits.max_items` items before parsing it; every parse error names the JSON path (`versions[3].version_metadata.id`);
    /// then runs [`Document::validate`].
    pub fn from_json(bytes: &[u8], limits: &DocumentLimits) -> Result<Self, DocumentError> {
        let document = de::parse(bytes, limits)?;
        document.validate(limits)?;
        Ok(document)
    }

    /// Checks every rule of the format (see the module documentation); the first failure is
    /// returned, naming the JSON path of the field.
    pub fn validate(&self, limits: &DocumentLimits) -> Result<(), DocumentError> {
        validate::validate(self, limits)
    }

    /// The document as compact JSON, in a zeroizing buffer sized exactly before writing (so no
    /// reallocation leaves a copy behind in freed memory).
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        ser::to_json(self, false)
    }

    /// The document as indented JSON, in a zeroizing buffer (for people; same content as
    /// [`Document::to_json`]).
    pub fn to_json_pretty(&self) -> Zeroizing<Vec<u8>> {
        ser::to_json(self, true)
    }

    /// The document as a JSON value with every secret value replaced by [`REDACTED`]; the member
    /// name (`secret_string` or `secret_binary`) stays, so the kind is still shown.
    pub fn to_json_redacted(&self) -> Value {
        ser::to_json_redacted(self)
    }

    /// One line of facts per version, without values (for `verify`).
    pub fn summary(&self) -> Vec<VersionSummary> {
        self.versions
            .iter()
            .map(|version| VersionSummary {
                id: version.version_metadata.id.clone(),
                stages: version.version_metadata.version_stages.clone(),
                create_time: version.version_metadata.create_time,
                kind: version.value.kind(),
                size: version.value.len(),
            })
            .collect()
    }
}

impl Secret {
    /// A secret with only a name; set the other public fields as needed.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            id: None,
            name: name.into(),
            state: None,
            kms_key_id: None,
            description: None,
            create_time: None,
            update_time: None,
            scheduled_delete_time: None,
            secret_type: None,
            auto_rotation: None,
            rotation_period: None,
            rotation_config: None,
            rotation_time: None,
            next_rotation_time: None,
            event_subscriptions: None,
            enterprise_project_id: None,
            rotation_func_urn: None,
            tags: None,
            extra: Map::new(),
            nulls: NullSet::default(),
        }
    }
}

impl Tag {
    /// A tag `key` = `value`.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self { key: key.into(), value: Some(value.into()), extra: Map::new(), nulls: NullSet::default() }
    }
}

impl VersionMetadata {
    /// Metadata with only the required members: the version `id` and the `secret_name`.
    pub fn new(id: impl Into<String>, secret_name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            create_time: None,
            expire_time: None,
            kms_key_id: None,
            secret_name: secret_name.into(),
            version_stages: Vec::new(),
            extra: Map::new(),
            nulls: NullSet::default(),
        }
    }
}

impl Version {
    /// A version `id` of the secret `secret_name` holding `value`, with no stages.
    pub fn new(id: impl Into<String>, secret_name: impl Into<String>, value: SecretValue) -> Self {
        Self { version_metadata: VersionMetadata::new(id, secret_name), value, extra: Map::new() }
    }

    /// Replaces the version's stages.
    #[must_use]
    pub fn with_stages<I, S>(mut self, stages: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.version_metadata.version_stages = stages.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the creation time (ms since the epoch).
    #[must_use]
    pub fn with_create_time(mut self, ms: i64) -> Self {
        self.version_metadata.create_time = Some(ms);
        self
    }

    /// Sets the expiry time (ms since the epoch).
    #[must_use]
    pub fn with_expire_time(mut self, ms: i64) -> Self {
        self.version_metadata.expire_time = Some(ms);
        self
    }

    /// Sets the KMS key id of the version.
    #[must_use]
    pub fn with_kms_key_id(mut self, kms_key_id: impl Into<String>) -> Self {
        self.version_metadata.kms_key_id = Some(kms_key_id.into());
        self
    }
}

impl SecretValue {
    /// A text value. A `String` passed in is moved, not copied, into the zeroizing buffer.
    pub fn string(value: impl Into<String>) -> Self {
        SecretValue::String(Zeroizing::new(value.into()))
    }

    /// A binary value. A `Vec<u8>` passed in is moved, not copied, into the zeroizing buffer.
    pub fn binary(value: impl Into<Vec<u8>>) -> Self {
        SecretValue::Binary(Zeroizing::new(value.into()))
    }

    /// The value's bytes (UTF-8 of a string value).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            SecretValue::String(text) => text.as_bytes(),
            SecretValue::Binary(bytes) => bytes.as_slice(),
        }
    }

    /// The text of a string value; `None` for a binary value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            SecretValue::String(text) => Some(text.as_str()),
            SecretValue::Binary(_) => None,
        }
    }

    /// Size in bytes: the UTF-8 length of a string, the decoded length of a binary value.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether the value has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `"string"` or `"binary"`, for listings.
    pub fn kind(&self) -> &'static str {
        match self {
            SecretValue::String(_) => "string",
            SecretValue::Binary(_) => "binary",
        }
    }

    /// The JSON member name that carries this kind of value.
    pub fn member_name(&self) -> &'static str {
        match self {
            SecretValue::String(_) => "secret_string",
            SecretValue::Binary(_) => "secret_binary",
        }
    }

    /// An empty value of the same kind (used for redacted output).
    fn empty_like(&self) -> Self {
        match self {
            SecretValue::String(_) => SecretValue::String(Zeroizing::new(String::new())),
            SecretValue::Binary(_) => SecretValue::Binary(Zeroizing::new(Vec::new())),
        }
    }
}

/// The value is wiped by its `Zeroizing` buffer as always; this only makes the wipe fast.
///
/// `zeroize` wipes a `Vec`'s elements one at a time, each behind a compiler barrier (about 0.12 ms
/// per MB), but its spare capacity in one bulk fill (about 10 µs per MB). With the length set to
/// zero first, the whole allocation is spare capacity, so every byte is still wiped, in one fill.
impl Drop for SecretValue {
    fn drop(&mut self) {
        match self {
            SecretValue::String(text) => text.clear(),
            SecretValue::Binary(bytes) => bytes.clear(),
        }
    }
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Redacted(usize);
        impl std::fmt::Debug for Redacted {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "<redacted, {} bytes>", self.0)
            }
        }
        let name = match self {
            SecretValue::String(_) => "SecretValue::String",
            SecretValue::Binary(_) => "SecretValue::Binary",
        };
        f.debug_tuple(name).field(&Redacted(self.len())).finish()
    }
}
