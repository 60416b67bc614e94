//! The bodies of the fuzz targets, in one place.
//!
//! `fuzz/fuzz_targets/*.rs` (cargo-fuzz, nightly) call these, and so does `tests/replay.rs`, which
//! `cargo test` runs on stable over every corpus and regression file, so a fixed crash stays fixed.
//! Each body panics (`assert!`) when an invariant breaks: that is the point of a fuzz target.
#![forbid(unsafe_code)]
#![allow(clippy::panic, clippy::expect_used)]

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};

use blob_format::{Alg, Enc, Header, Severity, PREFIX_LONG};
use blob_seal::document::{Document, DocumentLimits, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::{OpenOptions, SealOptions};

/// The RSA test key (TEST ONLY: `test-vectors/keys/rsa-2048.pem`), without a kid, so that no blob
/// is refused by the kid check before the unwrap and the tag are exercised.
const RSA_PEM: &str = include_str!("../../../test-vectors/keys/rsa-2048.pem");
/// The AES-128 key-wrap test key (TEST ONLY: `test-vectors/keys/aes-128kw.jwk.json`).
const KW_JWK: &str = include_str!("../../../test-vectors/keys/aes-128kw.jwk.json");

/// A target body: takes the fuzzer's bytes, panics when an invariant breaks.
pub type Body = fn(&[u8]);

/// The fuzz targets, by name: `(name, body)`.
pub const TARGETS: [(&str, Body); 7] = [
    ("parse", parse),
    ("inspect", inspect),
    ("envelope", envelope),
    ("header", header),
    ("open", open),
    ("document", document),
    ("mutate_valid", mutate_valid),
];

/// The fixed test keys, without kids: RSA-2048 and AES-128-KW.
pub fn keys() -> &'static (Key, Key) {
    static KEYS: OnceLock<(Key, Key)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rsa = Key::from_pem(RSA_PEM.as_bytes()).expect("the RSA test key loads");
        let jwk: serde_json::Value = serde_json::from_str(KW_JWK).expect("the AES-KW test key is JSON");
        let k = jwk.get("k").and_then(serde_json::Value::as_str).expect("k");
        let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, k).expect("base64url");
        let kw = Key::from_oct(&bytes).expect("the AES-KW test key loads");
        (rsa, kw)
    })
}

/// Seal options for the fixed keys, which have no kid.
fn seal_options(enc: Enc) -> SealOptions {
    SealOptions { enc, kid: Some("fuzz".to_owned()), ..SealOptions::default() }
}

/// `parse` and `inspect` agree: parse succeeds exactly when inspect finds no error, and parse's
/// error is inspect's first.
fn agree(text: &str) {
    let parsed = blob_format::parse(text);
    let report = blob_format::inspect(text);
    assert_eq!(parsed.is_ok(), report.is_well_formed(), "parse and inspect disagree on {text:?}");
    if let Err(e) = parsed {
        let first = report.findings.iter().find(|f| f.severity == Severity::Error).expect("an error finding");
        assert_eq!((first.code, first.part, first.offset), (e.code(), e.part, e.offset), "first error of {text:?}");
    }
}

/// Arbitrary bytes as a blob: never panics; a parsed blob serializes to exactly its input.
pub fn parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(blob_format::parse_bytes(data, &blob_format::Limits::DEFAULT).is_err());
        return;
    };
    if let Ok(blob) = blob_format::parse_blob(text) {
        assert_eq!(blob.to_string(), text);
        assert_eq!(blob.as_str(), text);
        for seg in blob.segments() {
            assert_eq!(seg.decode().len(), seg.decoded_len());
        }
    }
    let _ = blob_format::parse(text);
}

/// Never panics; parse succeeds exactly when inspect reports no error.
pub fn inspect(data: &[u8]) {
    agree(&String::from_utf8_lossy(data));
}

/// Arbitrary bytes as an API JSON body or a bare blob, also wrapped in a JSON body.
pub fn envelope(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    agree(&text);
    let body = blob_format::to_json_body(&text);
    agree(&body);
    if let (Ok(inner), Ok(outer)) = (blob_format::parse(&text), blob_format::parse(&body)) {
        assert_eq!(inner.as_str(), outer.as_str());
    }
}

/// Arbitrary bytes as the protected header, with otherwise valid segments.
pub fn header(data: &[u8]) {
    let segment = blob_format::base64url_encode(data);
    let rest = blob_format::Builder::new(Header::new(Alg::A128Kw, Enc::A128Gcm))
        .encrypted_key(&[1; 24])
        .iv(&[2; 12])
        .ciphertext(b"ciphertext")
        .tag(&[3; 16])
        .to_string();
    // The prefix has dots of its own: split the JWE part, after it.
    let jwe = rest.get(1 + PREFIX_LONG.len()..).unwrap_or("");
    let tail = jwe.split_once('.').map_or("", |(_, t)| t);
    let blob = format!("){PREFIX_LONG}{segment}.{tail}");
    agree(&blob);
    if let Ok(parsed) = blob_format::parse(&blob) {
        assert_eq!(parsed.aad(), segment.as_bytes());
        // A parsed header serializes to a header that parses to the same typed header, unless the
        // serialization outgrew the header limit (JSON text is not kept: `1.5e3` becomes `1500.0`).
        let again = parsed.header().encode();
        let rebuilt = format!("){PREFIX_LONG}{again}.{tail}");
        match blob_format::parse(&rebuilt) {
            Ok(reparsed) => assert_eq!(reparsed.header(), parsed.header()),
            Err(e) => {
                assert_eq!(e.code(), "header_too_large", "a re-serialized header does not parse: {e:?}");
                assert!(again.len() > blob_format::Limits::DEFAULT.max_header_len);
            }
        }
    }
}

/// Arbitrary bytes after the marker and prefix, opened with the fixed RSA and AES-KW keys: never
/// panics and never opens (forging a tag is infeasible). The seed corpus holds blobs sealed under
/// other keys, so every stage up to the tag check is reached.
pub fn open(data: &[u8]) {
    let blob = format!("){PREFIX_LONG}{}", String::from_utf8_lossy(data));
    let (rsa, kw) = keys();
    for key in [rsa, kw] {
        assert!(blob_seal::open_raw(&blob, key, &OpenOptions::default()).is_err(), "fuzz bytes opened: {blob:?}");
    }
}

/// Arbitrary JSON as a backup document: validation never panics; a document that validates
/// survives seal -> open unchanged.
pub fn document(data: &[u8]) {
    let limits = DocumentLimits::default();
    let Ok(doc) = Document::from_json(data, &limits) else { return };
    // The compact writer skips serde_json for values; its bytes must be serde_json's.
    assert_eq!(*doc.to_json(), serde_json::to_vec(&doc).expect("serializes"), "to_json differs from serde_json");
    let (_, kw) = keys();
    let blob = blob_seal::seal(&doc, kw, &seal_options(Enc::A128CbcHs256)).expect("a valid document seals");
    let opened = blob_seal::open(&blob, kw, &OpenOptions::default()).expect("a sealed document opens");
    assert_eq!(opened, doc);
}

/// Valid blobs to mutate: one per enc, sealed once.
fn valid_blobs() -> &'static Vec<String> {
    static BLOBS: OnceLock<Vec<String>> = OnceLock::new();
    BLOBS.get_or_init(|| {
        let (rsa, kw) = keys();
        let doc = Document::new(
            Secret::new("fuzz"),
            vec![
                Version::new("v1", "fuzz", SecretValue::string("one")).with_stages(["SYSPREVIOUS"]),
                Version::new("v2", "fuzz", SecretValue::binary(vec![0, 1, 2, 3])).with_stages(["SYSCURRENT"]),
            ],
        );
        Enc::ALL
            .iter()
            .enumerate()
            .map(|(i, &enc)| {
                let key = if i % 2 == 0 { kw } else { rsa };
                blob_seal::seal(&doc, key, &seal_options(enc)).expect("seals")
            })
            .collect()
    })
}

/// One change to a valid blob, chosen by the fuzzer (through `arbitrary`).
#[derive(Debug, Arbitrary)]
pub enum Mutation {
    /// Replace a segment (index modulo 5) by these bytes, base64url-encoded.
    ReplaceSegment {
        /// Which segment.
        segment: u8,
        /// Its new decoded bytes.
        bytes: Vec<u8>,
    },
    /// XOR these bytes into a segment's decoded bytes, from an offset.
    XorSegment {
        /// Which segment.
        segment: u8,
        /// Where the mask starts (modulo the segment's length).
        at: u16,
        /// The mask.
        mask: Vec<u8>,
    },
    /// Truncate a segment's decoded bytes, or extend them with zeros.
    ResizeSegment {
        /// Which segment.
        segment: u8,
        /// The new decoded length.
        len: u16,
    },
    /// Swap two segments.
    SwapSegments(u8, u8),
    /// Set a header member (adding it at the end when absent), keeping the order of the others.
    SetMember(Member, Json),
    /// Remove a header member.
    RemoveMember(Member),
    /// Replace one character of the JWE part (the header segment, the dots and the other segments).
    ReplaceChar {
        /// Which character (modulo the number of characters).
        at: u32,
        /// The new character.
        with: char,
    },
    /// Replace the marker character.
    Marker(char),
}

/// A header member name: the ones with rules, or any other.
#[derive(Debug, Arbitrary)]
pub enum Member {
    /// `alg`
    Alg,
    /// `enc`
    Enc,
    /// `kid`
    Kid,
    /// `zip`
    Zip,
    /// `crit`
    Crit,
    /// `typ`
    Typ,
    /// `cty`
    Cty,
    /// Any name.
    Other(String),
}

impl Member {
    fn name(&self) -> &str {
        match self {
            Member::Alg => "alg",
            Member::Enc => "enc",
            Member::Kid => "kid",
            Member::Zip => "zip",
            Member::Crit => "crit",
            Member::Typ => "typ",
            Member::Cty => "cty",
            Member::Other(name) => name,
        }
    }
}

/// A header member value.
#[derive(Debug, Arbitrary)]
pub enum Json {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number (non-finite ones become `null`).
    Float(f64),
    /// A string.
    Str(String),
    /// The name of an alg (index modulo the number of algs).
    AlgName(u8),
    /// The name of an enc (index modulo the number of encs).
    EncName(u8),
    /// An array of strings (`crit`).
    Strings(Vec<String>),
    /// Any JSON text, as a string when it does not parse.
    Text(String),
}

impl Json {
    fn value(&self) -> serde_json::Value {
        use serde_json::Value;
        let pick = |names: &[&str], i: u8| names.get(usize::from(i) % names.len().max(1)).map(|n| (*n).to_owned());
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Int(i) => Value::from(*i),
            Json::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Json::Str(s) => Value::String(s.clone()),
            Json::AlgName(i) => {
                let names: Vec<&str> = Alg::ALL.iter().map(|a| a.name()).collect();
                pick(&names, *i).map_or(Value::Null, Value::String)
            }
            Json::EncName(i) => {
                let names: Vec<&str> = Enc::ALL.iter().map(|e| e.name()).collect();
                pick(&names, *i).map_or(Value::Null, Value::String)
            }
            Json::Strings(v) => Value::Array(v.iter().cloned().map(Value::String).collect()),
            Json::Text(t) => serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.clone())),
        }
    }
}

/// A fuzz case for [`mutate_valid`]: which valid blob, and the change.
#[derive(Debug, Arbitrary)]
pub struct Case {
    /// Which valid blob (modulo their number).
    pub blob: u8,
    /// The change.
    pub mutation: Mutation,
}

/// Applies `mutation` to a valid blob: the changed blob, marker and prefix included.
fn apply(original: &str, mutation: &Mutation) -> String {
    let Ok(parsed) = blob_format::parse(original) else { panic!("a sealed blob parses") };
    let mut segments: Vec<String> = parsed.segments().iter().map(|s| s.as_str().to_owned()).collect();
    let decoded = |i: u8| -> (usize, Vec<u8>) {
        let index = usize::from(i) % 5;
        (index, parsed.segments().get(index).map(|s| s.decode().to_vec()).unwrap_or_default())
    };
    let mut marker = ')';
    match mutation {
        Mutation::ReplaceSegment { segment, bytes } => {
            if let Some(s) = segments.get_mut(usize::from(*segment) % 5) {
                *s = blob_format::base64url_encode(bytes);
            }
        }
        Mutation::XorSegment { segment, at, mask } => {
            let (index, mut bytes) = decoded(*segment);
            let start = usize::from(*at) % bytes.len().max(1);
            for (b, m) in bytes.iter_mut().skip(start).zip(mask) {
                *b ^= m;
            }
            if let Some(s) = segments.get_mut(index) {
                *s = blob_format::base64url_encode(&bytes);
            }
        }
        Mutation::ResizeSegment { segment, len } => {
            let (index, mut bytes) = decoded(*segment);
            bytes.resize(usize::from(*len), 0);
            if let Some(s) = segments.get_mut(index) {
                *s = blob_format::base64url_encode(&bytes);
            }
        }
        Mutation::SwapSegments(a, b) => segments.swap(usize::from(*a) % 5, usize::from(*b) % 5),
        Mutation::SetMember(..) | Mutation::RemoveMember(..) => {
            // The workspace enables serde_json's `preserve_order`: members keep their order.
            let header = parsed.header_segment().decode();
            let mut map: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&header).unwrap_or_default();
            match mutation {
                Mutation::SetMember(member, json) => {
                    map.insert(member.name().to_owned(), json.value());
                }
                Mutation::RemoveMember(member) => {
                    map.shift_remove(member.name());
                }
                _ => {}
            }
            if let Some(s) = segments.first_mut() {
                *s = blob_format::base64url_encode(serde_json::Value::Object(map).to_string().as_bytes());
            }
        }
        Mutation::ReplaceChar { .. } | Mutation::Marker(_) => {}
    }
    let mut jwe = segments.join(".");
    if let Mutation::ReplaceChar { at, with } = mutation {
        let count = jwe.chars().count().max(1);
        let at = usize::try_from(*at).unwrap_or(0) % count;
        jwe = jwe.chars().enumerate().map(|(i, c)| if i == at { *with } else { c }).collect();
    }
    if let Mutation::Marker(c) = mutation {
        marker = *c;
    }
    format!("{marker}{PREFIX_LONG}{jwe}")
}

/// The valid blob a case starts from, and the blob after its change.
pub fn mutated(case: &Case) -> (&'static str, String) {
    let blobs = valid_blobs();
    let original = blobs.get(usize::from(case.blob) % blobs.len().max(1)).map_or("", String::as_str);
    (original, apply(original, &case.mutation))
}

/// Structure-aware: start from a valid blob and change one segment, one header member, one
/// character or the marker. Never panics; a changed blob never opens, unless only its marker changed
/// to the other marker of the long prefix (its length byte, `-`: the marker is not authenticated).
pub fn mutate_valid(data: &[u8]) {
    if let Ok(case) = Case::arbitrary_take_rest(Unstructured::new(data)) {
        mutate_valid_case(&case);
    }
}

/// The body of [`mutate_valid`] for one decoded case.
pub fn mutate_valid_case(case: &Case) {
    let (original, mutated) = mutated(case);
    agree(&mutated);
    let (rsa, kw) = keys();
    for key in [rsa, kw] {
        if blob_seal::open_raw(&mutated, key, &OpenOptions::default()).is_ok() {
            let after_marker = |s: &'static str| s.char_indices().nth(1).and_then(|(i, _)| s.get(i..));
            let same_jwe = mutated.char_indices().nth(1).and_then(|(i, _)| mutated.get(i..)) == after_marker(original);
            let marker_ok = mutated.starts_with(')') || mutated.starts_with('-');
            assert!(same_jwe && marker_ok, "a changed blob opened: {case:?}\n{mutated}");
        }
    }
}

/// Used by the corpus seeding example: a valid blob per enc.
pub fn seed_blobs() -> Vec<String> {
    valid_blobs().clone()
}

/// The header segment of the service's shape, for seeding the `header` target.
pub fn service_header_json() -> String {
    Header::new(Alg::RsaOaep256, Enc::A128CbcHs256).with_kid("9f3efdc5-3f5e-4bed-a8d1-9616e50443ab").to_json()
}
