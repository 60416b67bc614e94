//! The bodies of the fuzz targets, in one place.
//!
//! `fuzz/fuzz_targets/*.rs` (cargo-fuzz, nightly) call these, and so does `tests/replay.rs`, which
//! `cargo test` runs on stable over every corpus and regression file, so a fixed crash stays fixed.
//! Each body panics (`assert!`) when an invariant breaks: that is the point of a fuzz target.
#![forbid(unsafe_code)]
#![allow(clippy::panic, clippy::expect_used)]

use std::sync::OnceLock;

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
        // A parsed header serializes to a header that parses to the same typed header.
        let again = parsed.header().encode();
        let rebuilt = format!("){PREFIX_LONG}{again}.{tail}");
        let reparsed = blob_format::parse(&rebuilt).expect("a re-serialized header parses");
        assert_eq!(reparsed.header(), parsed.header());
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

/// Structure-aware: start from a valid blob and change one segment or one header member value.
/// Never panics; a changed blob never opens.
pub fn mutate_valid(data: &[u8]) {
    let (Some(&which), Some(&how), Some(payload)) = (data.first(), data.get(1), data.get(2..)) else { return };
    let blobs = valid_blobs();
    let Some(original) = blobs.get(usize::from(which) % blobs.len()) else { return };
    let Ok(parsed) = blob_format::parse(original) else { panic!("a sealed blob parses") };
    let mut segments: Vec<String> = parsed.segments().iter().map(|s| s.as_str().to_owned()).collect();
    let index = usize::from(how >> 4) % 5;
    match how & 0x0f {
        // Replace a segment by the payload, encoded.
        0..=3 => {
            if let Some(s) = segments.get_mut(index) {
                *s = blob_format::base64url_encode(payload);
            }
        }
        // XOR the payload into a segment's decoded bytes.
        4..=7 => {
            if let Some(seg) = parsed.segments().get(index) {
                let mut bytes = seg.decode();
                for (b, p) in bytes.iter_mut().zip(payload) {
                    *b ^= p;
                }
                if let Some(s) = segments.get_mut(index) {
                    *s = blob_format::base64url_encode(&bytes);
                }
            }
        }
        // Replace the value of one header member (or add one) with the payload as JSON text.
        _ => {
            let text = String::from_utf8_lossy(payload);
            let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text.into_owned()));
            let mut members: Vec<(String, serde_json::Value)> =
                serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&parsed.header_segment().decode())
                    .map(|m| m.into_iter().collect())
                    .unwrap_or_default();
            match members.get_mut(index) {
                Some((_, v)) => *v = value,
                None => members.push(("x".to_owned(), value)),
            }
            let map: serde_json::Map<String, serde_json::Value> = members.into_iter().collect();
            if let Some(s) = segments.first_mut() {
                *s = blob_format::base64url_encode(serde_json::Value::Object(map).to_string().as_bytes());
            }
        }
    }
    let mutated = format!("){PREFIX_LONG}{}", segments.join("."));
    agree(&mutated);
    let (rsa, kw) = keys();
    for key in [rsa, kw] {
        if blob_seal::open_raw(&mutated, key, &OpenOptions::default()).is_ok() {
            assert_eq!(&mutated, original, "a changed blob opened");
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
