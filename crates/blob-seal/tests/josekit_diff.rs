//! Differential test against josekit 0.10.3, a JWE implementation nobody here wrote: for every
//! `alg` x `enc` pair and random documents (and random raw plaintexts),
//! - what we seal, josekit decrypts (once the 46-byte marker and prefix are removed) to the same bytes
//!   (our plaintext is `document.to_json()`), with the same `alg`, `enc` and `kid`;
//! - what josekit encrypts, we open (marker and prefix added): `open` to the same document,
//!   `open_raw` to the same bytes.
//!
//! One proptest per `alg`, 48 random documents (and raw plaintexts) each, every one through all six
//! `enc`: 240 proptest cases, 1440 document round trips each way, a few seconds in a debug build. josekit is an oracle
//! for valid round trips only, never a judge of what to reject.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{Alg, Enc, PREFIX_LONG};
use blob_seal::document::{Document, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::{open, open_raw, seal, seal_raw, OpenOptions, SealOptions};
use josekit::jwe::{self, JweDecrypter, JweEncrypter, JweHeader};
use josekit::jwk::Jwk;
use proptest::prelude::*;

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/keys");
/// Marker and long prefix: what stands before the JWE in a blob we write.
const PREFIX_LEN: usize = 1 + PREFIX_LONG.len();

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{KEYS}/{name}")).unwrap()
}

/// Our key and josekit's encrypter and decrypter, each loaded on its own from the same test key.
fn keys(alg: Alg) -> (Key, Box<dyn JweEncrypter>, Box<dyn JweDecrypter>) {
    match alg {
        Alg::RsaOaep256 | Alg::RsaOaep => {
            let ours = Key::from_bytes(&read("rsa-2048.jwk.json")).unwrap().allow(alg).unwrap();
            let (public, private) = (read("rsa-2048.pub.pem"), read("rsa-2048.pem"));
            let algo = if alg == Alg::RsaOaep256 { jwe::RSA_OAEP_256 } else { jwe::RSA_OAEP };
            (
                ours,
                Box::new(algo.encrypter_from_pem(&public).unwrap()),
                Box::new(algo.decrypter_from_pem(&private).unwrap()),
            )
        }
        Alg::A128Kw | Alg::A192Kw | Alg::A256Kw => {
            let (file, algo) = match alg {
                Alg::A128Kw => ("aes-128kw.jwk.json", jwe::A128KW),
                Alg::A192Kw => ("aes-192kw.jwk.json", jwe::A192KW),
                _ => ("aes-256kw.jwk.json", jwe::A256KW),
            };
            let ours = Key::from_bytes(&read(file)).unwrap();
            let jwk = Jwk::from_bytes(read(file)).unwrap();
            (ours, Box::new(algo.encrypter_from_jwk(&jwk).unwrap()), Box::new(algo.decrypter_from_jwk(&jwk).unwrap()))
        }
    }
}

fn document() -> impl Strategy<Value = Document> {
    let value = prop_oneof![
        "\\PC{0,40}".prop_map(SecretValue::string),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(SecretValue::binary),
    ];
    let version = (value, prop::option::of(0i64..4_000_000_000_000), any::<bool>());
    ("[a-zA-Z0-9._-]{1,64}", "\\PC{0,60}", prop::collection::vec(version, 1..6)).prop_map(
        |(name, description, versions)| {
            let last = versions.len();
            let versions = versions
                .into_iter()
                .enumerate()
                .map(|(i, (value, time, staged))| {
                    let mut v = Version::new(format!("v{}", i + 1), name.clone(), value);
                    if let Some(t) = time {
                        v = v.with_create_time(t);
                    }
                    if i + 1 == last {
                        v = v.with_stages(["SYSCURRENT"]);
                    } else if staged {
                        v = v.with_stages([format!("stage-{i}")]);
                    }
                    v
                })
                .collect();
            let mut secret = Secret::new(name);
            secret.description = Some(description);
            Document::new(secret, versions)
        },
    )
}

/// One `alg`, one document and one raw plaintext, through all six `enc`, both directions.
fn agree(alg: Alg, doc: &Document, raw: &[u8]) -> Result<(), TestCaseError> {
    let (ours, encrypter, decrypter) = keys(alg);
    let kid = ours.kid().unwrap().to_owned();
    let json = doc.to_json();
    let mut pairs = 0;
    for enc in Enc::ALL {
        let options = SealOptions { enc, alg: Some(alg), ..SealOptions::default() };
        // We seal, josekit opens.
        for (blob, plaintext) in
            [(seal(doc, &ours, &options).unwrap(), &json[..]), (seal_raw(raw, &ours, &options).unwrap(), raw)]
        {
            prop_assert_eq!(&blob[..PREFIX_LEN], &format!("){PREFIX_LONG}")[..]);
            let (payload, header) = jwe::deserialize_compact(&blob[PREFIX_LEN..], &*decrypter)
                .map_err(|e| TestCaseError::fail(format!("{alg} + {enc}: josekit refuses our blob: {e}")))?;
            prop_assert_eq!(&payload[..], plaintext, "{} + {}", alg, enc);
            prop_assert_eq!(header.algorithm(), Some(alg.name()));
            prop_assert_eq!(header.content_encryption(), Some(enc.name()));
            prop_assert_eq!(header.key_id(), Some(kid.as_str()));
        }
        // josekit seals, we open.
        let mut header = JweHeader::new();
        header.set_content_encryption(enc.name());
        header.set_key_id(&kid);
        let theirs = jwe::serialize_compact(&json, &header, &*encrypter).unwrap();
        let blob = format!("){PREFIX_LONG}{theirs}");
        let opened = open(&blob, &ours, &OpenOptions::default())
            .map_err(|e| TestCaseError::fail(format!("{alg} + {enc}: we refuse josekit's blob: {e}")))?;
        prop_assert_eq!(&opened, doc);
        prop_assert_eq!(&open_raw(&blob, &ours, &OpenOptions::default()).unwrap()[..], &json[..]);
        let theirs = jwe::serialize_compact(raw, &header, &*encrypter).unwrap();
        let blob = format!("){PREFIX_LONG}{theirs}");
        prop_assert_eq!(&open_raw(&blob, &ours, &OpenOptions::default()).unwrap()[..], raw);
        pairs += 1;
    }
    prop_assert_eq!(pairs, 6);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn rsa_oaep_256(doc in document(), raw in prop::collection::vec(any::<u8>(), 0..1000)) {
        agree(Alg::RsaOaep256, &doc, &raw)?;
    }

    #[test]
    fn rsa_oaep(doc in document(), raw in prop::collection::vec(any::<u8>(), 0..1000)) {
        agree(Alg::RsaOaep, &doc, &raw)?;
    }

    #[test]
    fn a128kw(doc in document(), raw in prop::collection::vec(any::<u8>(), 0..1000)) {
        agree(Alg::A128Kw, &doc, &raw)?;
    }

    #[test]
    fn a192kw(doc in document(), raw in prop::collection::vec(any::<u8>(), 0..1000)) {
        agree(Alg::A192Kw, &doc, &raw)?;
    }

    #[test]
    fn a256kw(doc in document(), raw in prop::collection::vec(any::<u8>(), 0..1000)) {
        agree(Alg::A256Kw, &doc, &raw)?;
    }
}

/// The pairs are all there: five algorithms, six encryptions, each covered by a test above.
#[test]
fn every_pair_is_covered() {
    assert_eq!(Alg::ALL.len() * Enc::ALL.len(), 30);
    for alg in Alg::ALL {
        let (ours, _, _) = keys(alg);
        assert!(ours.allows(alg), "{alg}");
    }
}

/// Plaintexts of 256 KiB and more are sealed on two threads (AES on one, HMAC and base64url on the
/// other): josekit decrypts what that path writes, at lengths that end on and off the pieces the
/// threads hand over and on and off a block, under every CBC-HMAC enc.
#[test]
fn josekit_opens_what_two_threads_seal() {
    let (ours, _, decrypter) = keys(Alg::RsaOaep256);
    let piece = 48 * 1024;
    for len in [256 * 1024, 6 * piece, 6 * piece + 1, 6 * piece + 15, 6 * piece + 16, 1 << 20] {
        let raw: Vec<u8> = (0..len).map(|i| (i * 251 + 17) as u8).collect();
        for enc in [Enc::A128CbcHs256, Enc::A192CbcHs384, Enc::A256CbcHs512] {
            let options = SealOptions { enc, alg: Some(Alg::RsaOaep256), ..SealOptions::default() };
            assert!(options.parallel);
            let blob = seal_raw(&raw, &ours, &options).unwrap();
            let (payload, _) = jwe::deserialize_compact(&blob[PREFIX_LEN..], &*decrypter).unwrap();
            assert!(payload == raw, "{enc} at {len} bytes");
        }
    }
}
