//! Resource limits, measured: an input over a limit is refused before it is decoded (time and peak
//! heap do not grow with it), JSON nesting is bounded, and no call allocates more than a small
//! multiple of its input over the whole test-vector corpus.
//!
//! One test function: the counting allocator is global, so measurements must not overlap.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::Path;
use std::time::{Duration, Instant};

use blob_format::PREFIX_LONG;
use blob_seal::document::{Document, DocumentLimits};
use blob_seal::OpenOptions;
use peak_alloc::PeakAlloc;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

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

/// Peak heap of parse, inspect and open over every input of the corpus, against the input size.
fn allocation_is_bounded_by_input() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let vectors = root.join("test-vectors");
    let mut inputs: Vec<(String, Option<String>)> = Vec::new();
    for entry in std::fs::read_dir(vectors.join("cases")).unwrap() {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let key = case["key"].as_str().map(str::to_owned);
        inputs.push((case["blob"].as_str().unwrap().to_owned(), key));
    }
    for dir in ["samples/huawei", "samples/azure"] {
        for entry in std::fs::read_dir(vectors.join(dir)).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "txt" || e == "json" || e == "b64url") {
                inputs.push((String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned(), None));
            }
        }
    }
    for target in ["parse", "inspect", "envelope", "open"] {
        for entry in std::fs::read_dir(root.join("fuzz/corpus").join(target)).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            inputs.push((if target == "open" { format!("){PREFIX_LONG}{text}") } else { text }, None));
        }
    }
    let (rsa, _) = fuzz_bodies::keys();
    let mut worst = 0.0f64;
    let mut count = 0;
    for (input, key_path) in &inputs {
        let key = key_path
            .as_ref()
            .and_then(|p| blob_seal::keys::Key::from_bytes(&std::fs::read(vectors.join(p)).unwrap()).ok())
            .unwrap_or_else(|| rsa.clone());
        let n = input.len();
        let (_, p1, _) = measure(|| blob_format::parse(input).map(|_| ()));
        let (_, p2, _) = measure(|| blob_format::inspect(input));
        let (_, p3, _) = measure(|| blob_seal::open(input, &key, &OpenOptions::default()).map(|_| ()));
        for (what, peak) in [("parse", p1), ("inspect", p2), ("open", p3)] {
            // A fixed allowance for small inputs (OpenSSL contexts, the header), then a multiple.
            let bound = 8 * n + (64 << 10);
            assert!(peak <= bound, "{what} of a {n}-byte input peaked at {peak} bytes (bound {bound})");
            if n > 1024 {
                worst = worst.max(peak as f64 / n as f64);
            }
        }
        count += 1;
    }
    eprintln!("{count} inputs; worst peak heap over input size (inputs over 1 KiB): {worst:.2}x");
    assert!(count > 150);
}

#[test]
fn resource_limits() {
    limits_hold();
    allocation_is_bounded_by_input();
}
