//! Runs every case of `test-vectors/cases/` through the library and asserts its exact outcome: the
//! header members (in order) and the document for a valid case, the error kind and the stage for an
//! invalid one. The schema is in `test-vectors/README.md`; this file also checks that the README's
//! list of error kinds is exactly the set of codes the library can return.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use blob_format::{Alg, Limits, Severity};
use blob_seal::document::DocumentLimits;
use blob_seal::keys::Key;
use blob_seal::{OpenOptions, Opening};
use serde_json::Value;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");
const MEMBERS: [&str; 6] = ["description", "blob", "key", "allow_algs", "limits", "expected"];

fn case_files() -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(Path::new(VECTORS).join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The limits a case asks for, on top of the defaults. An unknown limit fails the case.
fn options(name: &str, case: &Value) -> OpenOptions {
    let mut format = Limits::DEFAULT;
    let mut document = DocumentLimits::DEFAULT;
    if let Some(limits) = case.get("limits") {
        let limits = limits.as_object().unwrap_or_else(|| panic!("{name}: limits is not an object"));
        assert!(!limits.is_empty(), "{name}: empty limits");
        for (limit, value) in limits {
            let n = usize::try_from(value.as_u64().unwrap_or_else(|| panic!("{name}: {limit}"))).unwrap();
            match limit.as_str() {
                "max_input_len" => format.max_input_len = n,
                "max_header_len" => format.max_header_len = n,
                "max_header_depth" => format.max_header_depth = n,
                "max_document_len" => document = document.with_max_document_len(n),
                "max_document_depth" => document = document.with_max_depth(n),
                "max_document_items" => document = document.with_max_items(n),
                "max_versions" => document = document.with_max_versions(n),
                "max_value_len" => document = document.with_max_value_len(n),
                other => panic!("{name}: unknown limit {other}"),
            }
        }
    }
    OpenOptions { format, document, ..OpenOptions::default() }
}

/// Loads the case's key and allows its `allow_algs`; a key error is the code.
fn load_key(case: &Value) -> Result<Key, String> {
    let path = case["key"].as_str().unwrap();
    let bytes = std::fs::read(Path::new(VECTORS).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut key = Key::from_bytes(&bytes).map_err(|e| blob_seal::Error::Key(e).code().to_owned())?;
    for alg in case.get("allow_algs").and_then(Value::as_array).into_iter().flatten() {
        let alg = Alg::from_name(alg.as_str().unwrap()).unwrap_or_else(|| panic!("allow_algs: {alg}"));
        key = key.allow(alg).map_err(|e| blob_seal::Error::Key(e).code().to_owned())?;
    }
    Ok(key)
}

/// Member names of a JSON object, in order.
fn member_names(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

#[derive(Default)]
struct Counts {
    valid: usize,
    parse: usize,
    open: usize,
    with_limits: usize,
    by_kind: BTreeMap<String, usize>,
}

/// Runs one case; panics with the case's name on any disagreement.
fn run(name: &str, case: &Value, counts: &mut Counts) {
    for member in case.as_object().unwrap_or_else(|| panic!("{name}: not an object")).keys() {
        assert!(MEMBERS.contains(&member.as_str()), "{name}: unknown member {member}");
    }
    assert!(case["description"].as_str().is_some_and(|d| !d.is_empty()), "{name}: description");
    let blob = case["blob"].as_str().unwrap_or_else(|| panic!("{name}: blob is not a string"));
    let expected = &case["expected"];
    let result = expected["result"].as_str().unwrap();
    assert_eq!(name.starts_with("valid-"), result == "valid", "{name}: the name says valid or invalid");
    let opts = options(name, case);
    if case.get("limits").is_some() {
        counts.with_limits += 1;
    }
    let parsed = blob_format::parse_with(blob, &opts.format);
    let report = blob_format::inspect_with(blob, &opts.format);
    assert_eq!(report.is_well_formed(), parsed.is_ok(), "{name}: inspect and parse disagree");

    if result == "invalid" {
        let error = expected["error"].as_str().unwrap();
        let stage = expected["stage"].as_str().unwrap();
        *counts.by_kind.entry(error.to_owned()).or_default() += 1;
        assert!(expected.get("header").is_none() && expected.get("document").is_none(), "{name}");
        if stage == "parse" {
            let err = parsed.as_ref().err().unwrap_or_else(|| panic!("{name}: parses, expected {error}"));
            assert_eq!(err.code(), error, "{name}: {err}");
            let kinds: Vec<_> =
                report.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.code).collect();
            assert!(kinds.contains(&error), "{name}: inspect reports {kinds:?}, not {error}");
            // The open path reports the same error (the key plays no part).
            if case.get("key").is_some() {
                let key = load_key(case).unwrap_or_else(|e| panic!("{name}: key: {e}"));
                let got = blob_seal::open(blob, &key, &opts).map(|_| ()).map_err(|e| e.code());
                assert_eq!(got, Err(error), "{name}: open");
            }
            counts.parse += 1;
            return;
        }
        assert_eq!(stage, "open", "{name}: stage");
        if let Err(e) = &parsed {
            panic!("{name}: expected {error} at open, but parse fails: {e}");
        }
        let got = load_key(case).and_then(|key| {
            let document = blob_seal::open(blob, &key, &opts).map_err(|e| e.code().to_owned())?;
            Ok(document.secret.name.clone())
        });
        assert_eq!(got, Err(error.to_owned()), "{name}");
        // verify takes the same path.
        if let Ok(key) = load_key(case) {
            let got = blob_seal::verify(blob, &key, &opts).map(|_| ()).map_err(|e| e.code());
            assert_eq!(got, Err(error), "{name}: verify");
        }
        counts.open += 1;
        return;
    }

    assert_eq!(result, "valid", "{name}: result");
    let parsed = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
    let header: Value = serde_json::from_slice(&parsed.header_segment().decode()).unwrap();
    assert_eq!(header, expected["header"], "{name}: header");
    assert_eq!(member_names(&header), member_names(&expected["header"]), "{name}: header member order");
    // The typed header agrees with the members.
    let h = parsed.header();
    assert_eq!(expected["header"]["alg"], h.alg().name(), "{name}: alg");
    assert_eq!(expected["header"]["enc"], h.enc().name(), "{name}: enc");
    assert_eq!(expected["header"].get("kid").and_then(Value::as_str), h.kid(), "{name}: kid");
    let key = load_key(case).unwrap_or_else(|e| panic!("{name}: key: {e}"));
    let document = blob_seal::open(blob, &key, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    let got: Value = serde_json::from_slice(&document.to_json()).unwrap();
    assert_eq!(got, expected["document"], "{name}: document");
    // The raw plaintext is the document as JSON too, and verify agrees.
    let raw: Value = serde_json::from_slice(&blob_seal::open_raw(blob, &key, &opts).unwrap()).unwrap();
    assert_eq!(raw, expected["document"], "{name}: raw plaintext");
    let summary = blob_seal::verify(blob, &key, &opts).unwrap_or_else(|e| panic!("{name}: verify: {e}"));
    assert_eq!(summary.versions.len(), expected["document"]["versions"].as_array().unwrap().len(), "{name}");
    // Two-phase opening gives the same.
    let opening = Opening::parse(blob, &opts).unwrap();
    let cek = opening.unwrap_cek(&key).unwrap();
    assert_eq!(opening.finish(&cek).unwrap(), document, "{name}: two-phase");
    counts.valid += 1;
}

#[test]
fn every_case_has_its_expected_outcome() {
    let files = case_files();
    let mut counts = Counts::default();
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        run(&name, &case, &mut counts);
    }
    let Counts { valid, parse, open, with_limits, by_kind } = counts;
    eprintln!(
        "test-vectors/cases: {} cases: {valid} valid, {parse} invalid at parse, {open} invalid at open \
         ({with_limits} with limits); {} error kinds: {by_kind:?}",
        files.len(),
        by_kind.len()
    );
    assert_eq!(valid + parse + open, files.len());
    assert!(files.len() > 150, "only {} cases: the corpus is missing", files.len());
    assert!(valid >= 50 && parse >= 60 && open >= 45, "{valid} valid, {parse} parse, {open} open");
    assert!(with_limits >= 8, "{with_limits} cases with limits");
    assert!(by_kind.len() >= 60, "{} error kinds covered", by_kind.len());
}

/// Every `expected.error` in a case is a documented kind; no two files hold the same blob.
#[test]
fn every_case_names_a_documented_kind_and_is_unique() {
    let documented = readme_kinds();
    let mut blobs = BTreeMap::new();
    let mut checked = 0;
    for path in case_files() {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if let Some(error) = case["expected"].get("error").and_then(Value::as_str) {
            assert!(documented.contains(error), "{name}: {error} is not in test-vectors/README.md");
            checked += 1;
        }
        let blob = case["blob"].as_str().unwrap().to_owned();
        // The same blob may appear with different keys or limits, never twice with the same ones.
        let key = ["key", "limits", "allow_algs"].map(|m| case.get(m).map(Value::to_string).unwrap_or_default());
        let key = (blob, key);
        if let Some(other) = blobs.insert(key, name.clone()) {
            panic!("{name} and {other} are the same case");
        }
    }
    assert!(checked > 100, "{checked} invalid cases checked");
}

/// The kinds in the README's "Error kinds" tables.
fn readme_kinds() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(Path::new(VECTORS).join("README.md")).unwrap();
    let section = readme.split("## Error kinds").nth(1).unwrap().split("\n## ").next().unwrap();
    section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .map(|rest| rest.split('`').next().unwrap().to_owned())
        .collect()
}

/// The string literals after `=>` in a piece of source: the codes of a `code()` match.
fn codes_in(source: &str) -> BTreeSet<String> {
    source.split("=> \"").skip(1).map(|rest| rest.split('"').next().unwrap().to_owned()).collect()
}

/// The README lists exactly the codes the library returns: `blob_format::ErrorKind::code` and the
/// `blob_seal::Error::code` tables (read from the sources, so a new kind without documentation, or a
/// documented kind that no longer exists, fails here).
#[test]
fn the_readme_lists_exactly_the_library_codes() {
    let format_src = include_str!("../../blob-format/src/error.rs");
    let start = format_src.find("impl ErrorKind {").unwrap();
    let body = &format_src[start..];
    let body = &body[..body.find("\n}\n").unwrap()];
    let mut library = codes_in(body);
    assert_eq!(library.len(), 42, "blob_format::ErrorKind codes: {library:?}");
    let seal_src = include_str!("../src/lib.rs");
    let seal_codes = codes_in(&seal_src[seal_src.find("impl Error {").unwrap()..]);
    assert!(seal_codes.len() >= 45, "blob_seal codes: {seal_codes:?}");
    library.extend(seal_codes);
    let documented = readme_kinds();
    let undocumented: Vec<_> = library.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&library).collect();
    assert!(undocumented.is_empty(), "codes missing from test-vectors/README.md: {undocumented:?}");
    assert!(unknown.is_empty(), "documented kinds the library never returns: {unknown:?}");
    eprintln!("{} error kinds, all documented", library.len());
}
