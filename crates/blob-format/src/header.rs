//! The JWE protected header: typed where the format cares (`alg`, `enc`, `kid`, `typ`, `cty`),
//! every other member kept in order.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::{Alg, Enc, ErrorKind, FORBIDDEN_ALGS};

/// Members the typed header holds itself; everything else goes to [`Header::others`].
const TYPED: [&str; 5] = ["kid", "enc", "alg", "typ", "cty"];

/// A protected header.
///
/// Parsed headers come from [`crate::Blob::header`]; headers for new blobs from [`Header::new`].
/// Serialization ([`Header::to_json`]) writes the service's shape: compact JSON with `kid`, `enc`,
/// `alg` first, then `typ`, `cty` and the other members in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    alg: Alg,
    enc: Enc,
    kid: Option<String>,
    typ: Option<String>,
    cty: Option<String>,
    others: Vec<(String, Value)>,
}

/// Why a member cannot be added to a header with [`Header::with_member`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("header member {name:?} cannot be added: {reason}")]
pub struct MemberError {
    /// The member name.
    pub name: String,
    /// Why not.
    pub reason: &'static str,
}

impl Header {
    /// A header for a new blob with this `alg` and `enc` and no other member.
    pub fn new(alg: Alg, enc: Enc) -> Header {
        Header { alg, enc, kid: None, typ: None, cty: None, others: Vec::new() }
    }

    /// Sets the key id (`kid`).
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Header {
        self.kid = Some(kid.into());
        self
    }

    /// Replaces `alg` (for rewrapping under a key of another kind).
    #[must_use]
    pub fn with_alg(mut self, alg: Alg) -> Header {
        self.alg = alg;
        self
    }

    /// Sets `typ`.
    #[must_use]
    pub fn with_typ(mut self, typ: impl Into<String>) -> Header {
        self.typ = Some(typ.into());
        self
    }

    /// Sets `cty`.
    #[must_use]
    pub fn with_cty(mut self, cty: impl Into<String>) -> Header {
        self.cty = Some(cty.into());
        self
    }

    /// Adds another member after the existing ones.
    ///
    /// Refuses the typed members (use their setters), `zip` and `crit` (which `parse` refuses, so a
    /// blob carrying them could never be read back) and a name already present.
    pub fn with_member(mut self, name: impl Into<String>, value: Value) -> Result<Header, MemberError> {
        let name = name.into();
        let reason = if TYPED.contains(&name.as_str()) {
            Some("it is a typed member; use its setter")
        } else if name == "zip" || name == "crit" {
            Some("blobs with it are refused by parse")
        } else if self.others.iter().any(|(n, _)| *n == name) {
            Some("it is already present")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(MemberError { name, reason });
        }
        self.others.push((name, value));
        Ok(self)
    }

    /// Key-management algorithm.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// Content-encryption algorithm.
    pub fn enc(&self) -> Enc {
        self.enc
    }

    /// Key id, if present.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `typ`, if present.
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }

    /// `cty`, if present.
    pub fn cty(&self) -> Option<&str> {
        self.cty.as_deref()
    }

    /// Every member other than `alg`, `enc`, `kid`, `typ` and `cty`, in order.
    pub fn others(&self) -> &[(String, Value)] {
        &self.others
    }

    /// Compact JSON in the service's member order: kid, enc, alg, typ, cty, then the others.
    pub fn to_json(&self) -> String {
        let mut map = serde_json::Map::with_capacity(5 + self.others.len());
        if let Some(kid) = &self.kid {
            map.insert("kid".into(), Value::String(kid.clone()));
        }
        map.insert("enc".into(), Value::String(self.enc.name().into()));
        map.insert("alg".into(), Value::String(self.alg.name().into()));
        if let Some(typ) = &self.typ {
            map.insert("typ".into(), Value::String(typ.clone()));
        }
        if let Some(cty) = &self.cty {
            map.insert("cty".into(), Value::String(cty.clone()));
        }
        for (name, value) in &self.others {
            map.insert(name.clone(), value.clone());
        }
        // A map of strings and JSON values always serializes.
        Value::Object(map).to_string()
    }

    /// The header segment: base64url of [`Header::to_json`]. Its ASCII is the JWE's additional
    /// authenticated data.
    pub fn encode(&self) -> String {
        crate::b64::encode(self.to_json().as_bytes())
    }

    /// Builds the typed header from decoded members, checking every header rule.
    ///
    /// Findings that are not errors (no `kid`, an empty `crit`) are the caller's to report.
    pub(crate) fn from_members(members: &[(String, Value)]) -> Result<Header, ErrorKind> {
        let get = |name: &str| members.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        let string = |name: &'static str| -> Result<Option<String>, ErrorKind> {
            match get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(ErrorKind::MemberType { name: name.into(), expected: "a string" }),
            }
        };
        let alg_name = string("alg")?.ok_or(ErrorKind::MissingMember { name: "alg" })?;
        let enc_name = string("enc")?.ok_or(ErrorKind::MissingMember { name: "enc" })?;
        let alg = classify_alg(&alg_name)?;
        let enc = Enc::from_name(&enc_name).ok_or(ErrorKind::UnsupportedEnc { enc: enc_name })?;
        if get("zip").is_some() {
            return Err(ErrorKind::Zip);
        }
        if let Some(crit) = get("crit") {
            match crit {
                Value::Array(items) if items.is_empty() => {}
                Value::Array(items) => {
                    let names = items.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
                    return Err(ErrorKind::Crit { names: names.collect() });
                }
                other => return Err(ErrorKind::Crit { names: vec![other.to_string()] }),
            }
        }
        let others = members.iter().filter(|(n, _)| !TYPED.contains(&n.as_str())).cloned().collect();
        Ok(Header { alg, enc, kid: string("kid")?, typ: string("typ")?, cty: string("cty")?, others })
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

/// Maps an `alg` name to a supported [`Alg`], or the reason it is refused.
fn classify_alg(name: &str) -> Result<Alg, ErrorKind> {
    if let Some(alg) = Alg::from_name(name) {
        return Ok(alg);
    }
    match FORBIDDEN_ALGS.iter().find(|(n, _)| *n == name) {
        Some((_, reason)) => Err(ErrorKind::ForbiddenAlg { alg: name.into(), reason }),
        None => Err(ErrorKind::UnsupportedAlg { alg: name.into() }),
    }
}

/// The header's members in order, with duplicates refused (RFC 7516 section 4 lets a reader
/// refuse them; we do, since two readers could otherwise disagree on `alg`).
pub(crate) fn decode_members(json: &[u8], max_depth: usize) -> Result<Vec<(String, Value)>, ErrorKind> {
    let text = std::str::from_utf8(json).map_err(|_| ErrorKind::HeaderNotUtf8)?;
    // Cheap depth check first: serde_json's own recursion limit (128) guards the stack, ours is
    // tighter and is checked before any Value is built.
    if json_depth(text.as_bytes()) > max_depth {
        return Err(ErrorKind::HeaderTooDeep { max: max_depth });
    }
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r']);
    if !trimmed.starts_with('{') {
        // Distinguish "valid JSON but not an object" from "not JSON".
        return Err(match serde_json::from_str::<de::IgnoredAny>(text) {
            Ok(_) => ErrorKind::HeaderNotObject,
            Err(e) => ErrorKind::HeaderJson { reason: e.to_string() },
        });
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let members = Members::deserialize(&mut de).and_then(|m| de.end().map(|()| m));
    match members {
        Ok(Members(m)) => Ok(m),
        Err(e) => {
            let msg = e.to_string();
            match msg.strip_prefix(DUPLICATE) {
                Some(rest) => {
                    let name = rest.split(" at line").next().unwrap_or(rest).to_owned();
                    Err(ErrorKind::DuplicateMember { name })
                }
                None => Err(ErrorKind::HeaderJson { reason: msg }),
            }
        }
    }
}

/// Marker in the custom error our visitor raises for a duplicate member.
const DUPLICATE: &str = "duplicate member ";

/// Deepest nesting of arrays and objects in JSON text; strings are skipped.
pub(crate) fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Object members in document order, refusing duplicates.
struct Members(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members: Vec<(String, Value)> = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    if members.iter().any(|(n, _)| *n == name) {
                        return Err(de::Error::custom(format_args!("{DUPLICATE}{name}")));
                    }
                    let value = map.next_value::<Value>()?;
                    members.push((name, value));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn service_shape() {
        let h = Header::new(Alg::RsaOaep256, Enc::A128CbcHs256).with_kid("9f3efdc5-3f5e-4bed-a8d1-9616e50443ab");
        assert_eq!(
            h.to_json(),
            r#"{"kid":"9f3efdc5-3f5e-4bed-a8d1-9616e50443ab","enc":"A128CBC-HS256","alg":"RSA-OAEP-256"}"#
        );
        // The published example's header segment.
        assert_eq!(
            h.encode(),
            "eyJraWQiOiI5ZjNlZmRjNS0zZjVlLTRiZWQtYThkMS05NjE2ZTUwNDQzYWIiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiUlNBLU9BRVAtMjU2In0"
        );
    }

    #[test]
    fn duplicates_and_escaped_duplicates() {
        let e = decode_members(br#"{"alg":"A128KW","alg":"RSA-OAEP-256"}"#, 8).unwrap_err();
        assert_eq!(e, ErrorKind::DuplicateMember { name: "alg".into() });
        let e = decode_members(br#"{"alg":"A128KW","\u0061lg":"RSA-OAEP-256"}"#, 8).unwrap_err();
        assert_eq!(e, ErrorKind::DuplicateMember { name: "alg".into() });
    }

    #[test]
    fn depth_is_bounded_before_parsing() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(decode_members(deep.as_bytes(), 8).unwrap_err(), ErrorKind::HeaderTooDeep { max: 8 });
        assert_eq!(json_depth(br#"{"a":"[[[[{{{"}"#), 1);
    }

    #[test]
    fn with_member_refuses_what_parse_refuses() {
        let h = Header::new(Alg::A128Kw, Enc::A128Gcm);
        assert!(h.clone().with_member("zip", Value::from("DEF")).is_err());
        assert!(h.clone().with_member("alg", Value::from("x")).is_err());
        let h = h.with_member("x5t", Value::from("abc")).unwrap();
        assert!(h.with_member("x5t", Value::from("abc")).is_err());
    }
}
