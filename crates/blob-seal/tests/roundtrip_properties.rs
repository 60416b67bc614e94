//! Property tests: seal -> open round trips for arbitrary documents under every alg x enc pair,
//! and any single-character change in the JWE part of a sealed blob makes open fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::OnceLock;

use blob_format::{Alg, Enc, PREFIX_LONG};
use blob_seal::document::{Document, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::{open, seal, OpenOptions, SealOptions};
use proptest::prelude::*;

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/keys");

/// One key per alg, loaded once.
fn key(alg: Alg) -> &'static Key {
    static KEYS_BY_ALG: OnceLock<Vec<Key>> = OnceLock::new();
    let keys = KEYS_BY_ALG.get_or_init(|| {
        let load = |f: &str| Key::from_bytes(&std::fs::read(format!("{KEYS}/{f}")).unwrap()).unwrap();
        vec![
            load("rsa-2048.jwk.json"),
            load("rsa-2048.jwk.json").allow(Alg::RsaOaep).unwrap(),
            load("aes-128kw.jwk.json"),
            load("aes-192kw.jwk.json"),
            load("aes-256kw.jwk.json"),
        ]
    });
    &keys[Alg::ALL.iter().position(|a| *a == alg).unwrap()]
}

fn value() -> impl Strategy<Value = SecretValue> {
    // Mostly small values, now and then one near the 64 KiB limit.
    prop_oneof![
        8 => "\\PC{0,64}".prop_map(SecretValue::string),
        8 => prop::collection::vec(any::<u8>(), 0..256).prop_map(SecretValue::binary),
        1 => prop::collection::vec(any::<u8>(), 60_000..=65_536).prop_map(SecretValue::binary),
        1 => "[a-z\u{e9}\u{4e2d}]{20000,21000}".prop_map(SecretValue::string),
    ]
}

fn document() -> impl Strategy<Value = Document> {
    ("[a-zA-Z0-9._-]{1,64}", prop::collection::vec((value(), "\\PC{1,10}"), 1..=20), "\\PC{0,100}").prop_map(
        |(name, values, description)| {
            let versions = values
                .into_iter()
                .enumerate()
                .map(|(i, (v, stage))| {
                    // Unique stages: suffix the version number.
                    Version::new(format!("v{}", i + 1), name.clone(), v)
                        .with_stages([format!("{stage}-{i}")].into_iter().filter(|_| i < 12))
                        .with_create_time(i as i64)
                })
                .collect();
            let mut secret = Secret::new(name.clone());
            secret.description = Some(description);
            Document::new(secret, versions)
        },
    )
}

fn pair() -> impl Strategy<Value = (Alg, Enc)> {
    (prop::sample::select(Alg::ALL.to_vec()), prop::sample::select(Enc::ALL.to_vec()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn seal_then_open_gives_the_document_back((alg, enc) in pair(), doc in document()) {
        let k = key(alg);
        let blob = seal(&doc, k, &SealOptions { enc, alg: Some(alg), ..SealOptions::default() }).unwrap();
        prop_assert_eq!(open(&blob, k, &OpenOptions::default()).unwrap(), doc);
    }

    #[test]
    fn any_single_character_change_fails((alg, enc) in pair(), at in any::<prop::sample::Index>(), c in any::<char>()) {
        let k = key(alg);
        let doc = Document::new(Secret::new("p"), vec![Version::new("v1", "p", SecretValue::string("value"))]);
        let blob = seal(&doc, k, &SealOptions { enc, alg: Some(alg), ..SealOptions::default() }).unwrap();
        let jwe_at = 1 + PREFIX_LONG.len();
        let mut chars: Vec<char> = blob.chars().collect();
        let i = jwe_at + at.index(chars.len() - jwe_at);
        prop_assume!(chars[i] != c);
        chars[i] = c;
        let changed: String = chars.into_iter().collect();
        prop_assert!(open(&changed, k, &OpenOptions::default()).is_err());
    }
}
