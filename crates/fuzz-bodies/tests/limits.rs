//! Resource limits, measured: an input over a limit is refused before it is decoded (time and peak
//! heap do not grow with it), JSON nesting is bounded, and no call allocates more than a small
//! multiple of its input over the whole test-vector corpus and over large valid blobs.
//!
//! The counting allocator is global, so measurements must not overlap: every test holds [`SERIAL`].
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use blob_format::{Enc, PREFIX_LONG};
use blob_seal::document::{Document, DocumentLimits, Secret, SecretValue, Version};
use blob_seal::{OpenOptions, SealOptions};
use peak_alloc::PeakAlloc;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// Held by every test for its whole run, so that no other thread allocates during a measurement.
static SERIAL: Mutex<()> = Mutex::new(());

/// The bound found for parse, inspect and open over the corpus and over the largest valid blobs:
/// peak heap <= `MULTIPLE` x input size + `ALLOWANCE`. Measured (2026-11): open peaks at 2.25x a
/// large blob (ciphertext and plaintext decoded, GCM) and at about 18 KiB for small ones (OpenSSL
/// contexts, key unwrap); parse and inspect stay under 2 KiB whatever the input.
const MULTIPLE: usize = 3;
/// See [`MULTIPLE`].
const ALLOWANCE: usize = 32 << 10;

/// Peak heap above the level at the call, and the time the call took.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, Duration) {
    let base = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    (out, HEAP.peak_usage().saturating_sub(base), took)
}

/// A blob-looking input of `len` bytes: marker, prefix, then base64url characters.
fn oversized(len: usize) -> String {
    let mut s = String::with_capacity(len);
    s.push(')');
    s.push_str(PREFIX_LONG);
    s.extend(std::iter::repeat_n('A', len - s.len()));
    s
}

fn limits_hold() {
    let (rsa, _) = fuzz_bodies::keys();
    // Over the input limit: refused without decoding, whatever the size.
    for len in [(12 << 20) + 1, 64 << 20] {
        let input = oversized(len);
        let (err, peak, took) = measure(|| blob_format::parse(&input).unwrap_err());
        assert_eq!(err.code(), "input_too_large");
        assert!(peak < 4096, "parse of {len} bytes peaked at {peak} bytes");
        assert!(took < Duration::from_millis(500), "{took:?}");
        let (report, peak, _) = measure(|| blob_format::inspect(&input));
        assert!(!report.is_well_formed());
        assert!(peak < 64 << 10, "inspect of {len} bytes peaked at {peak} bytes");
        let (err, peak, took) = measure(|| blob_seal::open(&input, rsa, &OpenOptions::default()).unwrap_err());
        assert_eq!(err.code(), "input_too_large");
        assert!(peak < 4096, "open of {len} bytes peaked at {peak} bytes");
        assert!(took < Duration::from_millis(500), "{took:?}");
        let (err, peak, _) = measure(|| Document::from_json(input.as_bytes(), &DocumentLimits::default()).unwrap_err());
        assert_eq!(blob_seal::Error::Document(err).code(), "document_too_large");
        assert!(peak < 4096, "document of {len} bytes peaked at {peak} bytes");
    }
    // Nesting: 100 000 levels in the header and in the document are refused, without recursion.
    let deep =
        format!("{{\"alg\":\"A128KW\",\"enc\":\"A128GCM\",\"x\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let blob = blob_format::Builder::new(blob_format::Header::new(blob_format::Alg::A128Kw, blob_format::Enc::A128Gcm))
        .encrypted_key(&[0; 24])
        .iv(&[0; 12])
        .ciphertext(b"x")
        .tag(&[0; 16])
        .to_string();
    let tail = blob[1 + PREFIX_LONG.len()..].split_once('.').unwrap().1;
    let deep_blob = format!("){PREFIX_LONG}{}.{tail}", blob_format::base64url_encode(deep.as_bytes()));
    let limits = blob_format::Limits { max_header_len: 1 << 20, ..blob_format::Limits::DEFAULT };
    assert_eq!(blob_format::parse_with(&deep_blob, &limits).unwrap_err().code(), "header_too_deep");
    let deep_doc = format!("{{\"format_version\":1,\"x\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let err = Document::from_json(deep_doc.as_bytes(), &DocumentLimits::default()).unwrap_err();
    assert_eq!(blob_seal::Error::Document(err).code(), "document_too_deep");
}

/// The largest valid blobs: 20 versions of 64 KiB (binary, plain text, and text escaped to 6 bytes
/// a byte, about 10 MiB sealed), under a CBC-HMAC and a GCM enc, with each fixed key.
fn large_valid_blobs() -> Vec<(String, blob_seal::keys::Key)> {
    let (rsa, kw) = fuzz_bodies::keys();
    let values: [fn(u8) -> SecretValue; 3] = [
        |i| SecretValue::binary(vec![i; 64 << 10]),
        |_| SecretValue::string("a".repeat(64 << 10)),
        |_| SecretValue::string("\u{1}".repeat(64 << 10)),
    ];
    let mut out = Vec::new();
    for value in values {
        let versions = (0..20u8)
            .map(|i| {
                Version::new(format!("v{i}"), "large", value(i))
                    .with_stages([format!("S{i}")].into_iter().filter(|_| i < 12))
            })
            .collect();
        let doc = Document::new(Secret::new("large"), versions);
        for (enc, key) in [(Enc::A128CbcHs256, kw), (Enc::A256Gcm, rsa)] {
            let options = SealOptions { enc, kid: Some("large".to_owned()), ..SealOptions::default() };
            out.push((blob_seal::seal(&doc, key, &options).unwrap(), key.clone()));
        }
    }
    out
}

/// Peak heap of parse, inspect and open over every input of the corpus and the largest valid
/// blobs, against the input size; and of `Document::from_json` over the document corpus.
fn allocation_is_bounded_by_input() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let vectors = root.join("test-vectors");
    let (rsa, _) = fuzz_bodies::keys();
    let mut inputs: Vec<(String, blob_seal::keys::Key)> = Vec::new();
    for entry in std::fs::read_dir(vectors.join("cases")).unwrap() {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        // The matching key when the case names one that loads, else the RSA-2048 key.
        let key = case["key"]
            .as_str()
            .and_then(|p| blob_seal::keys::Key::from_bytes(&std::fs::read(vectors.join(p)).unwrap()).ok())
            .unwrap_or_else(|| rsa.clone());
        inputs.push((case["blob"].as_str().unwrap().to_owned(), key));
    }
    for dir in ["samples/huawei", "samples/azure"] {
        for entry in std::fs::read_dir(vectors.join(dir)).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "txt" || e == "json" || e == "b64url") {
                inputs.push((String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned(), rsa.clone()));
            }
        }
    }
    for target in ["parse", "inspect", "envelope", "open", "header"] {
        for entry in std::fs::read_dir(root.join("fuzz/corpus").join(target)).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let input = match target {
                "open" => format!("){PREFIX_LONG}{text}"),
                "header" => format!("){PREFIX_LONG}{}.AAAA.AAAA.AAAA.AAAA", blob_format::base64url_encode(&bytes)),
                _ => text,
            };
            inputs.push((input, rsa.clone()));
        }
    }
    let corpus = inputs.len();
    inputs.extend(large_valid_blobs());
    let mut worst_ratio = 0.0f64; // over inputs of 1 MiB and more
    let mut worst_small = 0usize; // peak, over inputs under 4 KiB
    let mut opened = 0;
    for (input, key) in &inputs {
        let n = input.len();
        let (_, p1, _) = measure(|| blob_format::parse(input).map(|_| ()));
        let (_, p2, _) = measure(|| blob_format::inspect(input));
        let (ok, p3, _) = measure(|| blob_seal::open(input, key, &OpenOptions::default()).is_ok());
        opened += usize::from(ok);
        for (what, peak) in [("parse", p1), ("inspect", p2), ("open", p3)] {
            let bound = MULTIPLE * n + ALLOWANCE;
            assert!(peak <= bound, "{what} of a {n}-byte input peaked at {peak} bytes (bound {bound})");
            if n >= 1 << 20 {
                worst_ratio = worst_ratio.max(peak as f64 / n as f64);
            }
            if n < 4096 {
                worst_small = worst_small.max(peak);
            }
        }
    }
    let mut documents = 0;
    for entry in std::fs::read_dir(root.join("fuzz/corpus/document")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let (_, peak, _) = measure(|| Document::from_json(&bytes, &DocumentLimits::default()).map(|_| ()));
        let bound = MULTIPLE * bytes.len() + ALLOWANCE;
        assert!(peak <= bound, "from_json of a {}-byte document peaked at {peak} bytes", bytes.len());
        documents += 1;
    }
    eprintln!(
        "{} inputs ({corpus} from the corpus, {opened} opened) and {documents} documents: worst peak {worst_ratio:.2}x \
         over inputs of 1 MiB or more, {worst_small} bytes over inputs under 4 KiB",
        inputs.len()
    );
    assert!(corpus > 150 && documents > 10);
    // The large blobs open (so their peaks are those of a full open), and the ratio was measured.
    assert!(opened >= 6 && worst_ratio > 1.0, "{opened} opened, worst ratio {worst_ratio}");
}

/// Heap a parse may spend on a document's structure, on top of [`MULTIPLE`] x its size: the
/// item limit (`DocumentLimits::max_items`, 16 384) times the worst cost of one item measured here
/// (a tiny value in an unknown member, kept as a `serde_json::Value`: about 100 bytes with `Vec`
/// doubling). Without the item limit a document of tiny values cost about 54x its size: 450 MB
/// for one 8 MiB document.
const STRUCTURE_ALLOWANCE: usize = 2 << 20;

/// Items as `DocumentLimits::max_items` counts them, written out here as the oracle: commas and
/// opening brackets outside strings.
fn count_items(json: &str) -> usize {
    let (mut items, mut in_string, mut escaped) = (0, false, false);
    for c in json.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') | (false, _, '"') => in_string = !in_string,
            (false, _, ',' | '[' | '{') => items += 1,
            _ => {}
        }
    }
    items
}

/// Documents made of many tiny JSON values (2 or 3 bytes each), in each list that can grow: an
/// unknown member, `secret.tags`, `secret.event_subscriptions`. Just under the item limit they
/// parse and open within `MULTIPLE` x size + [`STRUCTURE_ALLOWANCE`]; far over it (262 144 entries)
/// they are refused as `document_too_many_items` before anything is parsed.
fn tiny_values_do_not_amplify_allocation() {
    let (_, kw) = fuzz_bodies::keys();
    let version =
        r#"{"version_metadata":{"id":"v1","secret_name":"a","version_stages":["SYSCURRENT"]},"secret_string":"x"}"#;
    let max_items = DocumentLimits::DEFAULT.max_items;
    // The fixed part of each document has 9 items; fill the list up to the limit exactly.
    let fill = |open: &str, item: &str, close: &str, count: usize| {
        let mut s = open.to_owned();
        for _ in 0..count {
            s.push_str(item);
        }
        s.pop();
        s.push_str(close);
        s
    };
    let shapes: [(&str, String, &str, &str); 3] = [
        (
            "unknown member",
            format!(r#"{{"format_version":1,"versions":[{version}],"secret":{{"name":"a"}},"x":["#),
            "0,",
            "]}",
        ),
        (
            "tags",
            format!(r#"{{"format_version":1,"versions":[{version}],"secret":{{"name":"a","tags":["#),
            r#"{"key":""},"#,
            "]}}",
        ),
        (
            "event_subscriptions",
            format!(r#"{{"format_version":1,"versions":[{version}],"secret":{{"name":"a","event_subscriptions":["#),
            r#""","#,
            "]}}",
        ),
    ];
    let options = SealOptions { kid: Some("k".to_owned()), ..SealOptions::default() };
    let mut failures = Vec::new();
    for (what, open, item, close) in &shapes {
        // Items grow by `per` with each list entry (a tag is an object with one member: two).
        let base = count_items(&fill(open, item, close, 1));
        let per = count_items(&fill(open, item, close, 2)) - base;
        let count = 1 + (max_items - base) / per;
        let doc = fill(open, item, close, count);
        let items = count_items(&doc);
        assert!(items <= max_items && items + per > max_items, "{what}: {items} items");
        let n = doc.len();
        let bound = MULTIPLE * n + STRUCTURE_ALLOWANCE;
        let (parsed, peak, _) = measure(|| Document::from_json(doc.as_bytes(), &DocumentLimits::default()).map(|_| ()));
        assert!(parsed.is_ok(), "{what}: {parsed:?}");
        println!("from_json, {what}: {items} items, {n} bytes, peak {peak} ({:.1}x)", peak as f64 / n as f64);
        if peak > bound {
            failures.push(format!("from_json, {what}: {n} bytes peaked at {peak} ({:.1}x)", peak as f64 / n as f64));
        }
        let blob = blob_seal::seal_raw(doc.as_bytes(), kw, &options).unwrap();
        let n = blob.len();
        let bound = MULTIPLE * n + STRUCTURE_ALLOWANCE;
        let (opened, peak, _) = measure(|| blob_seal::open(&blob, kw, &OpenOptions::default()).map(|_| ()));
        assert!(opened.is_ok(), "{what}: {opened:?}");
        if peak > bound {
            failures.push(format!("open, {what}: {n} bytes peaked at {peak} ({:.1}x)", peak as f64 / n as f64));
        }
        // One more item is refused before parsing, and so are 262 144 of them.
        for count in [count + 1, 1 << 18] {
            let over = fill(open, item, close, count);
            let (err, peak, _) =
                measure(|| Document::from_json(over.as_bytes(), &DocumentLimits::default()).unwrap_err());
            assert_eq!(blob_seal::Error::Document(err).code(), "document_too_many_items", "{what}");
            assert!(peak < 4096, "{what}: refusing {} bytes peaked at {peak}", over.len());
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn resource_limits() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    limits_hold();
    allocation_is_bounded_by_input();
    tiny_values_do_not_amplify_allocation();
}
