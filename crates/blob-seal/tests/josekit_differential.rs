//! Differential testing against josekit, an implementation nobody here wrote: for every alg x enc
//! pair and random documents, what we seal josekit decrypts (marker and prefix removed) to the same
//! bytes, and what josekit encrypts (marker and prefix added) we open. Each random document goes
//! through all 30 pairs. josekit is only an oracle
//! for valid round trips here, never a judge of what to reject.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{Alg, Enc, PREFIX_LONG};
use blob_seal::document::{Document, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::{open, open_raw, seal, OpenOptions, SealOptions};
use josekit::jwe::{self, JweDecrypter, JweEncrypter, JweHeader};
use proptest::prelude::*;

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/keys");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{KEYS}/{name}")).unwrap()
}

/// Our key and josekit's encrypter and decrypter for the same key material.
fn keys(alg: Alg) -> (Key, Box<dyn JweEncrypter>, Box<dyn JweDecrypter>) {
    let kw = |file: &str| {
        let jwk: serde_json::Value = serde_json::from_slice(&read(file)).unwrap();
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, jwk["k"].as_str().unwrap()).unwrap()
    };
    match alg {
        Alg::RsaOaep256 | Alg::RsaOaep => {
            let ours = Key::from_bytes(&read("rsa-2048.pem")).unwrap().with_kid("k").pin(alg).unwrap();
            let (public, private) = (read("rsa-2048.pub.pem"), read("rsa-2048.pem"));
            if alg == Alg::RsaOaep256 {
                (
                    ours,
                    Box::new(jwe::RSA_OAEP_256.encrypter_from_pem(&public).unwrap()),
                    Box::new(jwe::RSA_OAEP_256.decrypter_from_pem(&private).unwrap()),
                )
            } else {
                (
                    ours,
                    Box::new(jwe::RSA_OAEP.encrypter_from_pem(&public).unwrap()),
                    Box::new(jwe::RSA_OAEP.decrypter_from_pem(&private).unwrap()),
                )
            }
        }
        Alg::A128Kw | Alg::A192Kw | Alg::A256Kw => {
            let (file, algo) = match alg {
                Alg::A128Kw => ("aes-128kw.jwk.json", jwe::A128KW),
                Alg::A192Kw => ("aes-192kw.jwk.json", jwe::A192KW),
                _ => ("aes-256kw.jwk.json", jwe::A256KW),
            };
            let k = kw(file);
            let ours = Key::from_oct(&k).unwrap().with_kid("k");
            (ours, Box::new(algo.encrypter_from_bytes(&k).unwrap()), Box::new(algo.decrypter_from_bytes(&k).unwrap()))
        }
    }
}

fn document() -> impl Strategy<Value = Document> {
    let value = prop_oneof![
        "\\PC{0,40}".prop_map(SecretValue::string),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(SecretValue::binary),
    ];
    ("[a-zA-Z0-9._-]{1,64}", prop::collection::vec(value, 1..6)).prop_map(|(name, values)| {
        let versions =
            values.into_iter().enumerate().map(|(i, v)| Version::new(format!("v{}", i + 1), name.clone(), v)).collect();
        Document::new(Secret::new(name.clone()), versions)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn josekit_and_we_agree(doc in document()) {
        let mut pairs = 0;
        for alg in Alg::ALL {
        let (ours, encrypter, decrypter) = keys(alg);
        for enc in Enc::ALL {
        pairs += 1;
        // We seal, josekit opens.
        let options = SealOptions { enc, alg: Some(alg), ..SealOptions::default() };
        let blob = seal(&doc, &ours, &options).unwrap();
        let jwe_part = &blob[1 + PREFIX_LONG.len()..];
        let (payload, header) = jwe::deserialize_compact(jwe_part, &*decrypter).unwrap();
        prop_assert_eq!(&payload[..], &doc.to_json()[..]);
        prop_assert_eq!(header.content_encryption(), Some(enc.name()));
        // josekit seals the same bytes, we open.
        let mut header = JweHeader::new();
        header.set_content_encryption(enc.name());
        header.set_key_id("k");
        let theirs = jwe::serialize_compact(&doc.to_json(), &header, &*encrypter).unwrap();
        let blob = format!("){PREFIX_LONG}{theirs}");
        prop_assert_eq!(&open_raw(&blob, &ours, &OpenOptions::default()).unwrap()[..], &doc.to_json()[..]);
        prop_assert_eq!(&open(&blob, &ours, &OpenOptions::default()).unwrap(), &doc);
        }
        }
        prop_assert_eq!(pairs, 30);
    }
}
