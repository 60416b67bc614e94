//! Reading a document: size and depth bounds, hand-written `Deserialize` impls (no serde buffering
//! of values, duplicate members refused, `null` remembered), and error mapping with JSON paths.

use std::fmt;

use base64::Engine as _;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Number, Value};
use zeroize::Zeroizing;

use super::error::clip;
use super::{
    Document, DocumentError, DocumentLimits, NullSet, Secret, SecretState, SecretValue, Tag, Version, VersionMetadata,
};

/// Known members of each object, in output order (also used to refuse shadowing `extra` members).
pub(super) const DOCUMENT_FIELDS: &[&str] = &["format_version", "secret", "versions"];
pub(super) const SECRET_FIELDS: &[&str] = &[
    "id",
    "name",
    "state",
    "kms_key_id",
    "description",
    "create_time",
    "update_time",
    "scheduled_delete_time",
    "secret_type",
    "auto_rotation",
    "rotation_period",
    "rotation_config",
    "rotation_time",
    "next_rotation_time",
    "event_subscriptions",
    "enterprise_project_id",
    "rotation_func_urn",
    "tags",
];
pub(super) const TAG_FIELDS: &[&str] = &["key", "value"];
pub(super) const VERSION_FIELDS: &[&str] = &["version_metadata", "secret_string", "secret_binary"];
pub(super) const METADATA_FIELDS: &[&str] =
    &["id", "create_time", "expire_time", "kms_key_id", "secret_name", "version_stages"];

/// Bits of [`NullSet`] for `Secret`: the index of the member in [`SECRET_FIELDS`].
pub(super) mod secret_bit {
    pub const ID: u32 = 0;
    pub const STATE: u32 = 2;
    pub const KMS_KEY_ID: u32 = 3;
    pub const DESCRIPTION: u32 = 4;
    pub const CREATE_TIME: u32 = 5;
    pub const UPDATE_TIME: u32 = 6;
    pub const SCHEDULED_DELETE_TIME: u32 = 7;
    pub const SECRET_TYPE: u32 = 8;
    pub const AUTO_ROTATION: u32 = 9;
    pub const ROTATION_PERIOD: u32 = 10;
    pub const ROTATION_CONFIG: u32 = 11;
    pub const ROTATION_TIME: u32 = 12;
    pub const NEXT_ROTATION_TIME: u32 = 13;
    pub const EVENT_SUBSCRIPTIONS: u32 = 14;
    pub const ENTERPRISE_PROJECT_ID: u32 = 15;
    pub const ROTATION_FUNC_URN: u32 = 16;
    pub const TAGS: u32 = 17;
}

/// Bits of [`NullSet`] for `VersionMetadata` and `Tag`.
pub(super) mod meta_bit {
    pub const CREATE_TIME: u32 = 1;
    pub const EXPIRE_TIME: u32 = 2;
    pub const KMS_KEY_ID: u32 = 3;
    /// Not a null: `version_stages` was absent, so an empty list is not written back.
    pub const STAGES_ABSENT: u32 = 5;
    /// `Tag::value` was null.
    pub const TAG_VALUE: u32 = 1;
}

/// Parses without validating: bounds first, then the typed parse with paths.
pub(super) fn parse(bytes: &[u8], limits: &DocumentLimits) -> Result<Document, DocumentError> {
    check_bounds(bytes, limits)?;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let document: Document =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| map_error(bytes, error))?;
    deserializer.end().map_err(syntax_error)?;
    Ok(document)
}

/// Refuses a document over `limits.max_document_len`, nested deeper than `limits.max_depth` or
/// with more than `limits.max_items` items, before anything is parsed or allocated.
///
/// Items are counted as commas plus opening brackets outside strings: an array or object of `k`
/// items counts `k` (one if empty). The count bounds what parsing allocates whatever the input
/// looks like: a document of tiny values (`[0,0,0,...]`) would otherwise cost some 50 bytes of
/// heap per 2 bytes of input. One forward pass; string contents are skipped with `memchr`.
pub(crate) fn check_bounds(bytes: &[u8], limits: &DocumentLimits) -> Result<(), DocumentError> {
    if bytes.len() > limits.max_document_len {
        return Err(DocumentError::DocumentTooLarge { len: bytes.len(), max: limits.max_document_len });
    }
    let mut depth = 0usize;
    let mut items = 0usize;
    let mut at = 0usize;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                at = string_end(bytes, at + 1);
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(DocumentError::NestingTooDeep { max: limits.max_depth, offset: at });
                }
                items += 1;
            }
            b',' => items += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if items > limits.max_items {
            return Err(DocumentError::TooManyItems { max: limits.max_items, offset: at });
        }
        at += 1;
    }
    Ok(())
}

/// The offset just past the quote that closes the string whose contents start at `from` (the
/// input's length if it never closes: the parser reports that).
fn string_end(bytes: &[u8], mut from: usize) -> usize {
    loop {
        let Some(rest) = bytes.get(from..) else { return bytes.len() };
        match memchr::memchr2(b'"', b'\\', rest) {
            None => return bytes.len(),
            Some(found) => {
                let at = from + found;
                if bytes.get(at) == Some(&b'"') {
                    return at + 1;
                }
                // A backslash: skip it and the byte it escapes.
                from = at + 2;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Error mapping

/// Errors raised by our own visitors travel through serde as a message; this marks them so the
/// mapping can turn them back into typed variants. The control character cannot start a message
/// of serde or serde_json.
const MARK: char = '\u{1}';

enum Marker {
    BothValues,
    NoValue,
    BadBase64,
    UnknownState(String),
    UnknownStateHidden,
    DuplicateMember(String),
}

impl Marker {
    fn into_error<E: de::Error>(self) -> E {
        let (kind, payload) = match self {
            Marker::BothValues => ("both", String::new()),
            Marker::NoValue => ("none", String::new()),
            Marker::BadBase64 => ("base64", String::new()),
            Marker::UnknownState(found) => ("state", found),
            Marker::UnknownStateHidden => ("state?", String::new()),
            Marker::DuplicateMember(name) => ("duplicate", name),
        };
        // The payload is clipped and has no MARK in it, so decoding finds the end.
        let payload: String = clip(&payload).chars().filter(|c| *c != MARK).collect();
        E::custom(format_args!("{MARK}{kind}:{payload}{MARK}"))
    }

    fn decode(message: &str) -> Option<Marker> {
        let body = message.strip_prefix(MARK)?;
        let (body, _) = body.split_once(MARK)?;
        let (kind, payload) = body.split_once(':')?;
        Some(match kind {
            "both" => Marker::BothValues,
            "none" => Marker::NoValue,
            "base64" => Marker::BadBase64,
            "state" => Marker::UnknownState(payload.to_owned()),
            "state?" => Marker::UnknownStateHidden,
            "duplicate" => Marker::DuplicateMember(payload.to_owned()),
            _ => return None,
        })
    }
}

/// The root of a path, as shown in errors.
pub(super) const ROOT: &str = "(root)";

/// Appends an object member to a path, quoting a name that is not a plain identifier.
pub(super) fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(&clip(key));
    } else {
        path.push('[');
        path.push_str(&serde_json::Value::String(clip(key)).to_string());
        path.push(']');
    }
}

fn render_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => push_key(&mut out, key),
            Segment::Unknown => out.push_str(if out.is_empty() { "?" } else { ".?" }),
        }
    }
    if out.is_empty() {
        out.push_str(ROOT);
    }
    out
}

/// serde_json's message without its " at line L column C" suffix.
fn bare_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if error.line() == 0 {
        return text;
    }
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&suffix) {
        Some(bare) => bare.to_owned(),
        None => text,
    }
}

fn syntax_error(error: serde_json::Error) -> DocumentError {
    DocumentError::Syntax { line: error.line(), column: error.column(), message: bare_message(&error) }
}

/// Keeps only the kind of what serde found ("invalid type: integer, expected a string"), never the
/// value itself: a secret put where another type belongs (a string, a number, a boolean) must never
/// be echoed into an error.
fn sanitize(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (found, expected) = match rest.rfind(", expected ") {
                Some(at) => (rest.get(..at).unwrap_or_default(), rest.get(at..).unwrap_or_default()),
                None => (rest, ""),
            };
            // serde writes the value after the kind, in quotes or backquotes: drop it.
            let kind = found.split(['`', '"']).next().unwrap_or_default().trim_end();
            let kind = if kind == "string" { "a string" } else { kind };
            return format!("{prefix}{kind}{expected}");
        }
    }
    message.to_owned()
}

/// Reads only `format_version`, so that a document of a newer format that does not fit this
/// reader's types is reported as an unknown format, not as a type error.
fn probe_format_version(bytes: &[u8]) -> Option<u64> {
    #[derive(Deserialize)]
    struct Probe {
        format_version: Option<u64>,
    }
    serde_json::from_slice::<Probe>(bytes).ok().and_then(|probe| probe.format_version)
}

fn map_error(bytes: &[u8], error: serde_path_to_error::Error<serde_json::Error>) -> DocumentError {
    let path = render_path(error.path());
    let inner = error.into_inner();
    if !matches!(inner.classify(), serde_json::error::Category::Data) {
        return syntax_error(inner);
    }
    let message = bare_message(&inner);
    if let Some(marker) = Marker::decode(&message) {
        return match marker {
            Marker::BothValues => DocumentError::BothValues { path },
            Marker::NoValue => DocumentError::NoValue { path },
            Marker::BadBase64 => DocumentError::BadBase64 { path },
            Marker::UnknownState(found) => DocumentError::UnknownState { path, found: Some(found) },
            Marker::UnknownStateHidden => DocumentError::UnknownState { path, found: None },
            Marker::DuplicateMember(name) => DocumentError::DuplicateMember { path, name },
        };
    }
    if let Some(found) = probe_format_version(bytes) {
        if found != u64::from(super::FORMAT_VERSION) {
            return DocumentError::UnknownFormatVersion { path: "format_version".to_owned(), found };
        }
    }
    DocumentError::Schema { path, message: sanitize(&message) }
}

// ---------------------------------------------------------------------------------------------
// Helpers for the visitors

/// Reads the value of a known member into its slot, refusing a second occurrence.
fn field<'de, A, T>(map: &mut A, slot: &mut Option<T>, key: &str) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(Marker::DuplicateMember(key.to_owned()).into_error());
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Reads the value of an unknown member into `extra`, refusing a second occurrence.
fn extra_member<'de, A>(map: &mut A, extra: &mut Map<String, Value>, key: String) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
{
    if extra.contains_key(&key) {
        return Err(Marker::DuplicateMember(key).into_error());
    }
    let value = map.next_value_seed(StrictValue)?;
    extra.insert(key, value);
    Ok(())
}

fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// A JSON value like `serde_json::Value`, but refusing duplicate member names at any depth.
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            extra_member(&mut map, &mut members, key)?;
        }
        Ok(Value::Object(members))
    }
}

/// A string value read straight into a zeroizing buffer of exactly its length.
struct ZString(Zeroizing<String>);

impl<'de> Deserialize<'de> for ZString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ZString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<ZString, E> {
                Ok(ZString(Zeroizing::new(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<ZString, E> {
                Ok(ZString(Zeroizing::new(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// A base64 value decoded straight into a zeroizing buffer.
struct ZBinary(Zeroizing<Vec<u8>>);

impl<'de> Deserialize<'de> for ZBinary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ZBinary;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string of standard base64")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ZBinary, E> {
                decode_base64(v.as_bytes()).map(ZBinary)
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ZBinary, E> {
                // Owned text would be a copy of the secret: decode, then wipe it.
                let v = Zeroizing::new(v);
                decode_base64(v.as_bytes()).map(ZBinary)
            }
        }
        deserializer.deserialize_str(V)
    }
}

fn decode_base64<E: de::Error>(text: &[u8]) -> Result<Zeroizing<Vec<u8>>, E> {
    let engine = &base64::engine::general_purpose::STANDARD;
    let mut buffer = Zeroizing::new(vec![0u8; base64::decoded_len_estimate(text.len())]);
    match engine.decode_slice(text, buffer.as_mut_slice()) {
        Ok(len) => {
            buffer.truncate(len);
            Ok(buffer)
        }
        Err(_) => Err(Marker::BadBase64.into_error()),
    }
}

// ---------------------------------------------------------------------------------------------
// The document's types

impl<'de> Deserialize<'de> for SecretState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SecretState;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a secret state (ENABLED, DISABLED, PENDING_DELETE or FROZEN)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretState, E> {
                SecretState::from_name(v).ok_or_else(|| {
                    let looks_like_a_state = !v.is_empty()
                        && v.len() <= 32
                        && v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
                    if looks_like_a_state {
                        Marker::UnknownState(v.to_owned()).into_error()
                    } else {
                        Marker::UnknownStateHidden.into_error()
                    }
                })
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Implements `Deserialize` for a struct read member by member through `visit_map`.
macro_rules! map_deserialize {
    ($ty:ty, $expecting:literal, |$map:ident| $body:block) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut $map: A) -> Result<$ty, A::Error> {
                        $body
                    }
                }
                deserializer.deserialize_map(V)
            }
        }
    };
}

map_deserialize!(Document, "a backup document object", |map| {
    let mut format_version = None;
    let mut secret = None;
    let mut versions = None;
    let mut extra = Map::new();
    while let Some(key) = map.next_key::<String>()? {
        match key.as_str() {
            "format_version" => field(&mut map, &mut format_version, &key)?,
            "secret" => field(&mut map, &mut secret, &key)?,
            "versions" => field(&mut map, &mut versions, &key)?,
            _ => extra_member(&mut map, &mut extra, key)?,
        }
    }
    Ok(Document {
        format_version: required(format_version, "format_version")?,
        secret: required(secret, "secret")?,
        versions: required(versions, "versions")?,
        extra,
    })
});

map_deserialize!(Secret, "a secret object", |map| {
    let mut id = None;
    let mut name = None;
    let mut state = None;
    let mut kms_key_id = None;
    let mut description = None;
    let mut create_time = None;
    let mut update_time = None;
    let mut scheduled_delete_time = None;
    let mut secret_type = None;
    let mut auto_rotation = None;
    let mut rotation_period = None;
    let mut rotation_config = None;
    let mut rotation_time = None;
    let mut next_rotation_time = None;
    let mut event_subscriptions = None;
    let mut enterprise_project_id = None;
    let mut rotation_func_urn = None;
    let mut tags = None;
    let mut extra = Map::new();
    while let Some(key) = map.next_key::<String>()? {
        match key.as_str() {
            "id" => field(&mut map, &mut id, &key)?,
            "name" => field(&mut map, &mut name, &key)?,
            "state" => field(&mut map, &mut state, &key)?,
            "kms_key_id" => field(&mut map, &mut kms_key_id, &key)?,
            "description" => field(&mut map, &mut description, &key)?,
            "create_time" => field(&mut map, &mut create_time, &key)?,
            "update_time" => field(&mut map, &mut update_time, &key)?,
            "scheduled_delete_time" => field(&mut map, &mut scheduled_delete_time, &key)?,
            "secret_type" => field(&mut map, &mut secret_type, &key)?,
            "auto_rotation" => field(&mut map, &mut auto_rotation, &key)?,
            "rotation_period" => field(&mut map, &mut rotation_period, &key)?,
            "rotation_config" => field(&mut map, &mut rotation_config, &key)?,
            "rotation_time" => field(&mut map, &mut rotation_time, &key)?,
            "next_rotation_time" => field(&mut map, &mut next_rotation_time, &key)?,
            "event_subscriptions" => field(&mut map, &mut event_subscriptions, &key)?,
            "enterprise_project_id" => field(&mut map, &mut enterprise_project_id, &key)?,
            "rotation_func_urn" => field(&mut map, &mut rotation_func_urn, &key)?,
            "tags" => field(&mut map, &mut tags, &key)?,
            _ => extra_member(&mut map, &mut extra, key)?,
        }
    }
    use secret_bit as b;
    let mut n = NullSet::default();
    Ok(Secret {
        id: n.take(id, b::ID),
        name: required(name, "name")?,
        state: n.take(state, b::STATE),
        kms_key_id: n.take(kms_key_id, b::KMS_KEY_ID),
        description: n.take(description, b::DESCRIPTION),
        create_time: n.take(create_time, b::CREATE_TIME),
        update_time: n.take(update_time, b::UPDATE_TIME),
        scheduled_delete_time: n.take(scheduled_delete_time, b::SCHEDULED_DELETE_TIME),
        secret_type: n.take(secret_type, b::SECRET_TYPE),
        auto_rotation: n.take(auto_rotation, b::AUTO_ROTATION),
        rotation_period: n.take(rotation_period, b::ROTATION_PERIOD),
        rotation_config: n.take(rotation_config, b::ROTATION_CONFIG),
        rotation_time: n.take(rotation_time, b::ROTATION_TIME),
        next_rotation_time: n.take(next_rotation_time, b::NEXT_ROTATION_TIME),
        event_subscriptions: n.take(event_subscriptions, b::EVENT_SUBSCRIPTIONS),
        enterprise_project_id: n.take(enterprise_project_id, b::ENTERPRISE_PROJECT_ID),
        rotation_func_urn: n.take(rotation_func_urn, b::ROTATION_FUNC_URN),
        tags: n.take(tags, b::TAGS),
        extra,
        nulls: n,
    })
});

map_deserialize!(Tag, "a tag object", |map| {
    let mut key_slot: Option<String> = None;
    let mut value = None;
    let mut extra = Map::new();
    while let Some(key) = map.next_key::<String>()? {
        match key.as_str() {
            "key" => field(&mut map, &mut key_slot, &key)?,
            "value" => field(&mut map, &mut value, &key)?,
            _ => extra_member(&mut map, &mut extra, key)?,
        }
    }
    let mut n = NullSet::default();
    Ok(Tag { key: required(key_slot, "key")?, value: n.take(value, meta_bit::TAG_VALUE), extra, nulls: n })
});

map_deserialize!(VersionMetadata, "a version_metadata object", |map| {
    let mut id = None;
    let mut create_time = None;
    let mut expire_time = None;
    let mut kms_key_id = None;
    let mut secret_name = None;
    let mut version_stages: Option<Vec<String>> = None;
    let mut extra = Map::new();
    while let Some(key) = map.next_key::<String>()? {
        match key.as_str() {
            "id" => field(&mut map, &mut id, &key)?,
            "create_time" => field(&mut map, &mut create_time, &key)?,
            "expire_time" => field(&mut map, &mut expire_time, &key)?,
            "kms_key_id" => field(&mut map, &mut kms_key_id, &key)?,
            "secret_name" => field(&mut map, &mut secret_name, &key)?,
            "version_stages" => field(&mut map, &mut version_stages, &key)?,
            _ => extra_member(&mut map, &mut extra, key)?,
        }
    }
    let mut n = NullSet::default();
    if version_stages.is_none() {
        n.set(meta_bit::STAGES_ABSENT);
    }
    Ok(VersionMetadata {
        id: required(id, "id")?,
        create_time: n.take(create_time, meta_bit::CREATE_TIME),
        expire_time: n.take(expire_time, meta_bit::EXPIRE_TIME),
        kms_key_id: n.take(kms_key_id, meta_bit::KMS_KEY_ID),
        secret_name: required(secret_name, "secret_name")?,
        version_stages: version_stages.unwrap_or_default(),
        extra,
        nulls: n,
    })
});

map_deserialize!(Version, "a version object", |map| {
    let mut version_metadata = None;
    // Outer Option: member present; inner: not null.
    let mut string: Option<Option<ZString>> = None;
    let mut binary: Option<Option<ZBinary>> = None;
    let mut extra = Map::new();
    while let Some(key) = map.next_key::<String>()? {
        match key.as_str() {
            "version_metadata" => field(&mut map, &mut version_metadata, &key)?,
            "secret_string" => field(&mut map, &mut string, &key)?,
            "secret_binary" => field(&mut map, &mut binary, &key)?,
            _ => extra_member(&mut map, &mut extra, key)?,
        }
    }
    let version_metadata = required(version_metadata, "version_metadata")?;
    let value = match (string.flatten(), binary.flatten()) {
        (Some(text), None) => SecretValue::String(text.0),
        (None, Some(bytes)) => SecretValue::Binary(bytes.0),
        (Some(_), Some(_)) => return Err(Marker::BothValues.into_error()),
        (None, None) => return Err(Marker::NoValue.into_error()),
    };
    Ok(Version { version_metadata, value, extra })
});
