//! Runs every case of `test-vectors/cases/` through the library and asserts its exact outcome.
//! The schema is in `test-vectors/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::Path;

use blob_format::{Alg, Limits};
use blob_seal::document::DocumentLimits;
use blob_seal::keys::Key;
use blob_seal::OpenOptions;
use serde_json::Value;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");

/// The limits a case asks for, on top of the defaults.
fn options(case: &Value) -> OpenOptions {
    let mut o = OpenOptions::default();
    let Some(l) = case.get("limits") else { return o };
    let get = |name: &str| l.get(name).and_then(Value::as_u64).map(|n| n as usize);
    if let Some(n) = get("max_input_len") {
        o.format.max_input_len = n;
    }
    if let Some(n) = get("max_header_len") {
        o.format.max_header_len = n;
    }
    if let Some(n) = get("max_header_depth") {
        o.format.max_header_depth = n;
    }
    let d = DocumentLimits::default();
    o.document = d
        .with_max_document_len(get("max_document_len").unwrap_or(d.max_document_len))
        .with_max_versions(get("max_versions").unwrap_or(d.max_versions))
        .with_max_value_len(get("max_value_len").unwrap_or(d.max_value_len));
    o
}

/// What the library makes of a case: the header members and the document, or an error code.
fn outcome(case: &Value) -> Result<(Value, Value), String> {
    let blob = case["blob"].as_str().unwrap();
    let opts = options(case);
    let format: Limits = opts.format;
    let parsed = blob_format::parse_with(blob, &format).map_err(|e| e.code().to_owned())?;
    let header: Value = serde_json::from_slice(&parsed.header_segment().decode()).unwrap();
    let Some(key_path) = case.get("key").and_then(Value::as_str) else {
        return Ok((header, Value::Null));
    };
    let bytes = std::fs::read(Path::new(VECTORS).join(key_path)).unwrap();
    let mut key = Key::from_bytes(&bytes).map_err(|e| blob_seal::Error::Key(e).code().to_owned())?;
    for alg in case.get("allow_algs").and_then(Value::as_array).into_iter().flatten() {
        key = key.allow(alg.as_str().unwrap().parse::<Alg>().unwrap()).unwrap();
    }
    let document = blob_seal::open(blob, &key, &opts).map_err(|e| e.code().to_owned())?;
    Ok((header, serde_json::from_slice(&document.to_json()).unwrap()))
}

#[test]
fn every_case_has_its_expected_outcome() {
    let mut files: Vec<_> = std::fs::read_dir(format!("{VECTORS}/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut valid, mut invalid) = (0, 0);
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(case["description"].is_string(), "{name}: description");
        let expected = &case["expected"];
        match (expected["result"].as_str().unwrap(), outcome(&case)) {
            ("valid", Ok((header, document))) => {
                assert_eq!(header, expected["header"], "{name}: header");
                // Member order is part of the header's contract.
                let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
                assert_eq!(keys(&header), keys(&expected["header"]), "{name}: header order");
                assert_eq!(document, expected["document"], "{name}: document");
                valid += 1;
            }
            ("invalid", Err(code)) => {
                assert_eq!(code, expected["error"].as_str().unwrap(), "{name}");
                invalid += 1;
            }
            (want, got) => panic!("{name}: expected {want}, got {got:?}"),
        }
    }
    eprintln!("test-vectors/cases: {valid} valid, {invalid} invalid");
    assert!(valid >= 40 && invalid >= 60, "{valid} valid, {invalid} invalid: the corpus is missing");
    assert_eq!(valid + invalid, files.len());
}
