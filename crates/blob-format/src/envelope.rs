//! Input envelopes: a bare blob, or the API's JSON bodies (`{"secret_blob": "..."}`), with
//! surrounding whitespace.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::{ErrorKind, Part};

/// How the blob was wrapped in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Envelope {
    /// The blob itself (with optional surrounding whitespace).
    Bare,
    /// A JSON object with a `secret_blob` string member: the backup API's answer or the restore
    /// API's request body. Other members are ignored.
    JsonBody,
}

/// Where the blob text sits in the input.
pub(crate) struct Located<'a> {
    pub envelope: Envelope,
    pub text: &'a str,
    /// Byte offset of `text` in the input.
    pub start: usize,
}

/// An envelope error, located by byte offset in the input.
pub(crate) struct EnvelopeError {
    pub kind: ErrorKind,
    pub part: Part,
    pub byte: usize,
}

fn fail(kind: ErrorKind, part: Part, byte: usize) -> EnvelopeError {
    EnvelopeError { kind, part, byte }
}

/// Finds the blob in `input` (size already checked by the caller).
pub(crate) fn locate(input: &str) -> Result<Located<'_>, EnvelopeError> {
    let trimmed_start = input.trim_start();
    let start = input.len() - trimmed_start.len();
    let text = trimmed_start.trim_end();
    if text.is_empty() {
        return Err(fail(ErrorKind::Empty, Part::Input, 0));
    }
    match text.as_bytes().first() {
        Some(b'{') | Some(b'[') => json_body(input, start),
        Some(b'"') => Err(fail(ErrorKind::JsonEscaped, Part::Input, start)),
        Some(b'\\') if text.starts_with("\\\"") => Err(fail(ErrorKind::JsonEscaped, Part::Input, start)),
        _ => Ok(Located { envelope: Envelope::Bare, text, start }),
    }
}

fn json_body(input: &str, start: usize) -> Result<Located<'_>, EnvelopeError> {
    let mut de = serde_json::Deserializer::from_str(input);
    let parsed = Body::deserialize(&mut de).and_then(|b| de.end().map(|()| b));
    let body = parsed.map_err(|e| {
        let kind = match e.to_string() {
            m if m.starts_with(NOT_OBJECT) => ErrorKind::NotAnObject,
            m if m.starts_with(DUPLICATE) => ErrorKind::DuplicateSecretBlob,
            m if m.starts_with(NOT_STRING) => ErrorKind::SecretBlobNotString,
            _ => ErrorKind::InvalidJson { reason: e.to_string() },
        };
        fail(kind, Part::Envelope, byte_at(input, e.line(), e.column()).max(start))
    })?;
    match body.0 {
        None => Err(fail(ErrorKind::MissingSecretBlob, Part::Envelope, start)),
        Some(Field::Escaped) => {
            let at = input.find("\"secret_blob\"").unwrap_or(start);
            Err(fail(ErrorKind::EscapedBlob, Part::Envelope, at))
        }
        Some(Field::Borrowed(text)) => {
            // `text` borrows from `input`: its offset is the distance between the two pointers.
            let offset = (text.as_ptr() as usize).saturating_sub(input.as_ptr() as usize);
            Ok(Located { envelope: Envelope::JsonBody, text, start: offset })
        }
    }
}

/// Byte offset of serde_json's 1-based line and column (column counts bytes).
fn byte_at(input: &str, line: usize, column: usize) -> usize {
    let line_start: usize = input.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (line_start + column.saturating_sub(1)).min(input.len())
}

const NOT_OBJECT: &str = "envelope: not an object";
const DUPLICATE: &str = "envelope: duplicate secret_blob";
const NOT_STRING: &str = "envelope: secret_blob not a string";

/// The `secret_blob` member, borrowed when it has no escapes.
enum Field<'a> {
    Borrowed(&'a str),
    /// The string had escapes, so serde_json could not lend it.
    Escaped,
}

struct Body<'a>(Option<Field<'a>>);

impl<'de> Deserialize<'de> for Body<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Body<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(NOT_OBJECT)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Body<'de>, A::Error> {
                let mut found = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key != "secret_blob" {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                    if found.is_some() {
                        return Err(de::Error::custom(DUPLICATE));
                    }
                    found = Some(map.next_value::<BlobString<'de>>()?.0);
                }
                Ok(Body(found))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Body<'de>, A::Error> {
                Err(de::Error::custom(NOT_OBJECT))
            }
        }
        deserializer.deserialize_any(V)
    }
}

struct BlobString<'a>(Field<'a>);

impl<'de> Deserialize<'de> for BlobString<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BlobString<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(NOT_STRING)
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BlobString(Field::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                // serde_json only calls this for strings it had to unescape.
                Ok(BlobString(Field::Escaped))
            }
        }
        // Anything but a string: refuse with a recognisable message.
        deserializer.deserialize_str(V).map_err(|e: D::Error| {
            let msg = e.to_string();
            if msg.starts_with("invalid type") {
                de::Error::custom(NOT_STRING)
            } else {
                e
            }
        })
    }
}
