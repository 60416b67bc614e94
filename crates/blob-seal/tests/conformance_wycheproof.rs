//! All 139 JSON web encryption cases of Project Wycheproof
//! (`test-vectors/wycheproof/json_web_encryption_test.json`) through our open path, with our marker
//! and prefix in front. The key is the group's private JWK loaded by `Key::from_jwk`, which pins it
//! to the JWK's `alg`: a header that names another algorithm (the alg-confusion cases) must be
//! refused. Every case whose `alg` and `enc` we support gives exactly the labelled result (`valid`
//! opens to `pt`, `invalid` is rejected, `acceptable` is reported either way); every case whose
//! `alg`, `enc` or `zip` we refuse is refused. josekit 0.10.3 fails 8 of the 139; we must fail none.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;

use blob_format::{Alg, Enc, PREFIX_LONG};
use blob_seal::keys::Key;
use blob_seal::{OpenOptions, Opening};
use serde_json::Value;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/wycheproof/json_web_encryption_test.json");

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Whether the case is ours: its header (read here independently of blob-format) names an `alg` and
/// an `enc` we support, without compression. A header that cannot be read (missing, not base64url,
/// not JSON) or lacks `alg` is judged by the group key's `alg`.
fn supported(jwe: &str, group_alg: &str) -> bool {
    let header = jwe.split('.').next().and_then(|h| {
        let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, h).ok()?;
        serde_json::from_slice::<Value>(&bytes).ok().filter(Value::is_object)
    });
    let Some(header) = header else { return Alg::from_name(group_alg).is_some() };
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or(group_alg);
    let enc_ok = header.get("enc").and_then(Value::as_str).is_none_or(|e| Enc::from_name(e).is_some());
    header.get("zip").is_none() && Alg::from_name(alg).is_some() && enc_ok
}

/// Opens a Wycheproof JWE with the group's key: the plaintext, or the error code.
fn open(key: &Result<Key, String>, jwe: &str) -> Result<Vec<u8>, String> {
    let blob = format!("){PREFIX_LONG}{jwe}");
    let opening = Opening::parse(&blob, &OpenOptions::default()).map_err(|e| e.code().to_owned())?;
    let key = key.as_ref().map_err(Clone::clone)?;
    let cek = opening.unwrap_cek(key).map_err(|e| e.code().to_owned())?;
    opening.finish_raw(&cek).map(|p| p.to_vec()).map_err(|e| e.code().to_owned())
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    total: usize,
    valid_passed: usize,
    invalid_rejected: usize,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    refused_alg: usize,
}

#[test]
fn every_wycheproof_jwe_case() {
    let file: Value = serde_json::from_str(&std::fs::read_to_string(FILE).unwrap()).unwrap();
    let mut c = Counts::default();
    let mut failures = Vec::new();
    let mut why_rejected: BTreeMap<String, usize> = BTreeMap::new();
    let mut why_refused: BTreeMap<String, usize> = BTreeMap::new();
    for group in file["testGroups"].as_array().unwrap() {
        // A key we cannot load (EC, RSA1_5, AES-GCM-KW, dir) opens nothing.
        let key = Key::from_jwk(&group["private"].to_string()).map_err(|e| blob_seal::Error::Key(e).code().to_owned());
        let group_alg = group["private"]["alg"].as_str().unwrap_or("");
        for test in group["tests"].as_array().unwrap() {
            c.total += 1;
            let id = test["tcId"].as_u64().unwrap();
            let jwe = test["jwe"].as_str().unwrap();
            let result = test["result"].as_str().unwrap();
            let comment = test["comment"].as_str().unwrap_or("");
            let got = open(&key, jwe);
            match (supported(jwe, group_alg), result, &got) {
                (false, _, Err(code)) => {
                    c.refused_alg += 1;
                    *why_refused.entry(code.clone()).or_default() += 1;
                }
                (false, _, Ok(_)) => failures.push(format!("tc {id} ({comment}): an algorithm we refuse opened")),
                (true, "valid", Ok(pt)) if *pt == hex(test["pt"].as_str().unwrap()) => c.valid_passed += 1,
                (true, "valid", _) => failures.push(format!("tc {id} valid ({comment}): {got:?}")),
                (true, "invalid", Err(code)) => {
                    c.invalid_rejected += 1;
                    *why_rejected.entry(code.clone()).or_default() += 1;
                }
                (true, "invalid", Ok(_)) => failures.push(format!("tc {id} invalid ({comment}) but it opened")),
                (true, "acceptable", Ok(_)) => {
                    c.acceptable_accepted += 1;
                    eprintln!("tc {id} acceptable ({comment}): accepted");
                }
                (true, "acceptable", Err(code)) => {
                    c.acceptable_rejected += 1;
                    eprintln!("tc {id} acceptable ({comment}): rejected, {code}");
                }
                (true, other, _) => failures.push(format!("tc {id}: unknown result {other}")),
            }
        }
    }
    eprintln!(
        "wycheproof JWE: {} cases: {} valid passed, {} invalid rejected, acceptable {} accepted / {} rejected, \
         {} with an alg, enc or zip we refuse refused",
        c.total, c.valid_passed, c.invalid_rejected, c.acceptable_accepted, c.acceptable_rejected, c.refused_alg
    );
    eprintln!("invalid cases rejected with: {why_rejected:?}");
    eprintln!("refused cases refused with: {why_refused:?}");
    assert!(failures.is_empty(), "{} failures: {failures:#?}", failures.len());
    assert_eq!(c.total, 139);
    assert_eq!(
        c,
        Counts {
            total: 139,
            valid_passed: 24,
            invalid_rejected: 27,
            acceptable_accepted: 0,
            acceptable_rejected: 0,
            refused_alg: 88,
        },
        "the counts changed: check the vectors file and the classification"
    );
}
