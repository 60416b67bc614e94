//! All 139 JSON web encryption cases of Project Wycheproof through our open path: every case whose
//! `alg`/`enc` we support gives exactly the labelled result; every case whose `alg` we refuse is
//! refused. (josekit 0.10.3 fails 8 of the 139; we must fail none.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{Alg, Enc, PREFIX_LONG};
use blob_seal::keys::Key;
use blob_seal::{OpenOptions, Opening};
use serde_json::Value;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/wycheproof/json_web_encryption_test.json");

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// The (alg, enc) a compact JWE's header names, when both are ours.
fn supported(jwe: &str) -> Option<(Alg, Enc)> {
    let header = jwe.split('.').next()?;
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    // Compression is refused by design (a backup must never be a decompression bomb).
    if v.get("zip").is_some() {
        return None;
    }
    Some((v["alg"].as_str()?.parse().ok()?, v["enc"].as_str()?.parse().ok()?))
}

/// Opens a Wycheproof JWE with the group's key; the plaintext, or why not.
fn open(key: &Result<Key, String>, jwe: &str) -> Result<Vec<u8>, String> {
    let key = key.as_ref().map_err(Clone::clone)?;
    let blob = format!("){PREFIX_LONG}{jwe}");
    let opening = Opening::parse(&blob, &OpenOptions::default()).map_err(|e| e.code().to_owned())?;
    let cek = opening.unwrap_cek(key).map_err(|e| e.code().to_owned())?;
    opening.finish_raw(&cek).map(|p| p.to_vec()).map_err(|e| e.code().to_owned())
}

#[test]
fn every_wycheproof_jwe_case() {
    let file: Value = serde_json::from_str(&std::fs::read_to_string(FILE).unwrap()).unwrap();
    let (mut valid_opened, mut invalid_rejected, mut refused) = (0, 0, 0);
    let (mut acceptable_accepted, mut acceptable_rejected) = (0, 0);
    let mut failures = Vec::new();
    let mut total = 0;
    for group in file["testGroups"].as_array().unwrap() {
        // A key we cannot load (EC, RSA1_5, AES-GCM-KW...) opens nothing: its cases must all fail.
        let key = Key::from_jwk(&group["private"].to_string()).map_err(|e| format!("key: {e}"));
        if let Err(e) = &key {
            eprintln!("group {} ({}): {e}", group["private"]["kid"], group["private"]["alg"]);
        }
        for test in group["tests"].as_array().unwrap() {
            total += 1;
            let (id, jwe, result) = (&test["tcId"], test["jwe"].as_str().unwrap(), test["result"].as_str().unwrap());
            let got = open(&key, jwe);
            let ours = supported(jwe).is_some() && key.is_ok();
            match (ours, result, &got) {
                (false, _, Err(_)) => refused += 1,
                (false, _, Ok(_)) => failures.push(format!("{id}: an algorithm we refuse opened")),
                (true, "valid", Ok(pt)) if *pt == hex(test["pt"].as_str().unwrap()) => valid_opened += 1,
                (true, "valid", _) => failures.push(format!("{id} valid: {got:?} ({})", test["comment"])),
                (true, "invalid", Err(_)) => invalid_rejected += 1,
                (true, "invalid", Ok(_)) => failures.push(format!("{id} invalid but opened ({})", test["comment"])),
                (true, _, Ok(_)) => acceptable_accepted += 1,
                (true, _, Err(_)) => acceptable_rejected += 1,
            }
        }
    }
    eprintln!(
        "wycheproof JWE: {total} cases; ours: {valid_opened} valid opened, {invalid_rejected} invalid rejected, \
         {acceptable_accepted}/{acceptable_rejected} acceptable accepted/rejected; {refused} with an alg or key we refuse, refused"
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(total, 139);
    assert_eq!(valid_opened + invalid_rejected + acceptable_accepted + acceptable_rejected + refused, 139);
    assert!(valid_opened >= 20 && invalid_rejected >= 20, "the supported part must not be empty");
}
