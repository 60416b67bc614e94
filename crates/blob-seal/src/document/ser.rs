//! Writing a document: hand-written `Serialize` impls (known members in a fixed order, `null`s
//! written back, unknown members last in their order) and output into zeroizing buffers.

use std::io;

use base64::display::Base64Display;
use base64::Engine as _;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::de::{meta_bit, secret_bit};
use super::{Document, NullSet, Secret, SecretState, SecretValue, Tag, Version, VersionMetadata, REDACTED};

/// Writes an optional member: the value, `null` if the input had `null`, or nothing.
fn optional<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &'static str,
    value: Option<&T>,
    nulls: NullSet,
    bit: u32,
) -> Result<(), M::Error> {
    match value {
        Some(value) => map.serialize_entry(key, value),
        None if nulls.has(bit) => map.serialize_entry(key, &()),
        None => Ok(()),
    }
}

fn extra<M: SerializeMap>(map: &mut M, extra: &Map<String, Value>) -> Result<(), M::Error> {
    extra.iter().try_for_each(|(key, value)| map.serialize_entry(key, value))
}

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("format_version", &self.format_version)?;
        map.serialize_entry("secret", &self.secret)?;
        map.serialize_entry("versions", &self.versions)?;
        extra(&mut map, &self.extra)?;
        map.end()
    }
}

impl Serialize for SecretState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use secret_bit as b;
        let n = self.nulls;
        let mut map = serializer.serialize_map(None)?;
        optional(&mut map, "id", self.id.as_ref(), n, b::ID)?;
        map.serialize_entry("name", &self.name)?;
        optional(&mut map, "state", self.state.as_ref(), n, b::STATE)?;
        optional(&mut map, "kms_key_id", self.kms_key_id.as_ref(), n, b::KMS_KEY_ID)?;
        optional(&mut map, "description", self.description.as_ref(), n, b::DESCRIPTION)?;
        optional(&mut map, "create_time", self.create_time.as_ref(), n, b::CREATE_TIME)?;
        optional(&mut map, "update_time", self.update_time.as_ref(), n, b::UPDATE_TIME)?;
        optional(&mut map, "scheduled_delete_time", self.scheduled_delete_time.as_ref(), n, b::SCHEDULED_DELETE_TIME)?;
        optional(&mut map, "secret_type", self.secret_type.as_ref(), n, b::SECRET_TYPE)?;
        optional(&mut map, "auto_rotation", self.auto_rotation.as_ref(), n, b::AUTO_ROTATION)?;
        optional(&mut map, "rotation_period", self.rotation_period.as_ref(), n, b::ROTATION_PERIOD)?;
        optional(&mut map, "rotation_config", self.rotation_config.as_ref(), n, b::ROTATION_CONFIG)?;
        optional(&mut map, "rotation_time", self.rotation_time.as_ref(), n, b::ROTATION_TIME)?;
        optional(&mut map, "next_rotation_time", self.next_rotation_time.as_ref(), n, b::NEXT_ROTATION_TIME)?;
        optional(&mut map, "event_subscriptions", self.event_subscriptions.as_ref(), n, b::EVENT_SUBSCRIPTIONS)?;
        optional(&mut map, "enterprise_project_id", self.enterprise_project_id.as_ref(), n, b::ENTERPRISE_PROJECT_ID)?;
        optional(&mut map, "rotation_func_urn", self.rotation_func_urn.as_ref(), n, b::ROTATION_FUNC_URN)?;
        optional(&mut map, "tags", self.tags.as_ref(), n, b::TAGS)?;
        extra(&mut map, &self.extra)?;
        map.end()
    }
}

impl Serialize for Tag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("key", &self.key)?;
        optional(&mut map, "value", self.value.as_ref(), self.nulls, meta_bit::TAG_VALUE)?;
        extra(&mut map, &self.extra)?;
        map.end()
    }
}

impl Serialize for VersionMetadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use meta_bit as b;
        let n = self.nulls;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &self.id)?;
        optional(&mut map, "create_time", self.create_time.as_ref(), n, b::CREATE_TIME)?;
        optional(&mut map, "expire_time", self.expire_time.as_ref(), n, b::EXPIRE_TIME)?;
        optional(&mut map, "kms_key_id", self.kms_key_id.as_ref(), n, b::KMS_KEY_ID)?;
        map.serialize_entry("secret_name", &self.secret_name)?;
        if !(self.version_stages.is_empty() && n.has(b::STAGES_ABSENT)) {
            map.serialize_entry("version_stages", &self.version_stages)?;
        }
        extra(&mut map, &self.extra)?;
        map.end()
    }
}

/// Writes binary bytes as standard base64 straight into the output, without an intermediate
/// string (serde_json's `collect_str` escapes fragments as they come).
struct Base64<'a>(&'a [u8]);

impl Serialize for Base64<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&Base64Display::new(self.0, &base64::engine::general_purpose::STANDARD))
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("version_metadata", &self.version_metadata)?;
        match &self.value {
            SecretValue::String(text) => map.serialize_entry("secret_string", text.as_str())?,
            SecretValue::Binary(bytes) => {
                map.serialize_entry("secret_binary", &Base64(bytes.as_slice()))?;
            }
        }
        extra(&mut map, &self.extra)?;
        map.end()
    }
}

/// Counts bytes, storing none: the first pass that sizes the output buffer.
struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Serializes twice: once to count, once into a buffer of exactly that capacity, so the buffer
/// never reallocates and leaves no copy of a value in freed memory.
///
/// Serialization cannot fail here (the writer is memory, every map key is a string, and no
/// `Value` holds a non-finite number); if it ever did, the result is empty, which no reader
/// accepts, rather than a truncated document.
pub(super) fn to_json(document: &Document, pretty: bool) -> Zeroizing<Vec<u8>> {
    if !pretty {
        return to_json_compact(document);
    }
    let mut counter = Counter(0);
    let counted = serde_json::to_writer_pretty(&mut counter, document);
    let mut out = Zeroizing::new(Vec::with_capacity(counter.0));
    if counted.is_err() || serde_json::to_writer_pretty(&mut *out, document).is_err() {
        out.clear();
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Compact output, the sealing path
//
// The same bytes as `serde_json::to_vec(document)` (a test and the `document` fuzz target check
// it), written without serde_json's per-byte escape scan over the values, which dominated sealing:
// a binary value is encoded straight into the buffer (base64 needs no escaping) and its length is
// known from its size; a string value needing no escape is copied as it is. The small rest (names,
// metadata, unknown members) goes through serde_json.

/// Where the compact writer puts its bytes: first a count, then a buffer of that capacity that it
/// refuses to outgrow (growing would leave a copy of the values in freed memory).
enum Sink<'a> {
    Count(usize),
    Fill(&'a mut Vec<u8>),
}

impl Sink<'_> {
    fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Sink::Count(n) => *n = n.saturating_add(bytes.len()),
            Sink::Fill(out) => {
                if out.capacity() - out.len() < bytes.len() {
                    return Err(io::Error::other("the counted size was too small"));
                }
                out.extend_from_slice(bytes);
            }
        }
        Ok(())
    }

    fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer(&mut *self, value).map_err(io::Error::other)
    }

    /// `"key":`, after a comma unless it is the object's first member.
    fn key(&mut self, first: bool, key: &str) -> io::Result<()> {
        if !first {
            self.raw(b",")?;
        }
        self.json(key)?;
        self.raw(b":")
    }

    fn extra(&mut self, extra: &Map<String, Value>) -> io::Result<()> {
        extra.iter().try_for_each(|(key, value)| {
            self.key(false, key)?;
            self.json(value)
        })
    }

    fn string_value(&mut self, text: &str) -> io::Result<()> {
        // serde_json escapes exactly the control characters, `"` and `\`.
        if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            self.raw(b"\"")?;
            self.raw(text.as_bytes())?;
            self.raw(b"\"")
        } else {
            self.json(text)
        }
    }

    fn binary_value(&mut self, bytes: &[u8]) -> io::Result<()> {
        let engine = &base64::engine::general_purpose::STANDARD;
        let len = base64::encoded_len(bytes.len(), true).ok_or_else(|| io::Error::other("value too large"))?;
        self.raw(b"\"")?;
        match self {
            Sink::Count(n) => *n = n.saturating_add(len),
            Sink::Fill(out) => {
                let start = out.len();
                if out.capacity() - start < len {
                    return Err(io::Error::other("the counted size was too small"));
                }
                out.resize(start + len, 0);
                let written = out.get_mut(start..).map(|tail| engine.encode_slice(bytes, tail));
                if !matches!(written, Some(Ok(n)) if n == len) {
                    return Err(io::Error::other("base64 length"));
                }
            }
        }
        self.raw(b"\"")
    }

    fn version(&mut self, version: &Version) -> io::Result<()> {
        self.key(true, "version_metadata")?;
        self.json(&version.version_metadata)?;
        match &version.value {
            SecretValue::String(text) => {
                self.key(false, "secret_string")?;
                self.string_value(text)?;
            }
            SecretValue::Binary(bytes) => {
                self.key(false, "secret_binary")?;
                self.binary_value(bytes)?;
            }
        }
        self.extra(&version.extra)
    }

    /// Mirrors `impl Serialize for Document` and `for Version`, member for member.
    fn document(&mut self, document: &Document) -> io::Result<()> {
        self.raw(b"{")?;
        self.key(true, "format_version")?;
        self.json(&document.format_version)?;
        self.key(false, "secret")?;
        self.json(&document.secret)?;
        self.key(false, "versions")?;
        self.raw(b"[")?;
        for (i, version) in document.versions.iter().enumerate() {
            if i > 0 {
                self.raw(b",")?;
            }
            self.raw(b"{")?;
            self.version(version)?;
            self.raw(b"}")?;
        }
        self.raw(b"]")?;
        self.extra(&document.extra)?;
        self.raw(b"}")
    }
}

impl io::Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.raw(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Compact JSON in one counting pass (cheap: values are measured, not written) and one writing
/// pass into a buffer of exactly the counted size. On an impossible failure the result is empty.
fn to_json_compact(document: &Document) -> Zeroizing<Vec<u8>> {
    let mut count = Sink::Count(0);
    let counted = count.document(document);
    let capacity = match count {
        Sink::Count(n) if counted.is_ok() => n,
        _ => 0,
    };
    let mut out = Zeroizing::new(Vec::with_capacity(capacity));
    if capacity == 0 || Sink::Fill(&mut out).document(document).is_err() || out.len() != capacity {
        out.clear();
    }
    out
}

/// The document as a JSON value with every secret value replaced by [`REDACTED`].
///
/// Built from a copy whose values are empty, so no secret ever passes through a non-zeroizing
/// `serde_json::Value`.
pub(super) fn to_json_redacted(document: &Document) -> Value {
    let hollow = Document {
        format_version: document.format_version,
        secret: document.secret.clone(),
        versions: document
            .versions
            .iter()
            .map(|version| Version {
                version_metadata: version.version_metadata.clone(),
                value: version.value.empty_like(),
                extra: version.extra.clone(),
            })
            .collect(),
        extra: document.extra.clone(),
    };
    let mut value = serde_json::to_value(&hollow).unwrap_or(Value::Null);
    if let Some(Value::Array(versions)) = value.get_mut("versions") {
        for (json, version) in versions.iter_mut().zip(&document.versions) {
            if let Some(slot) = json.get_mut(version.value.member_name()) {
                *slot = Value::String(REDACTED.to_owned());
            }
        }
    }
    value
}
