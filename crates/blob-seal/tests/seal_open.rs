//! The operations end to end: seal, open, verify, rewrap, reseal, the two external phases, and
//! every error kind they produce.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{Alg, Enc, Marker, Prefix, WriteOptions};
use blob_seal::document::{Document, DocumentLimits, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::{
    open, open_raw, reseal, rewrap, seal, seal_raw, verify, OpenOptions, Opening, RotateOptions, SealOptions, Sealing,
};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/keys");

fn key(name: &str) -> Key {
    Key::from_bytes(&std::fs::read(format!("{KEYS}/{name}")).unwrap()).unwrap()
}

fn rsa() -> Key {
    key("rsa-2048.jwk.json")
}

/// The key for each alg: RSA keys allowed RSA-OAEP too, AES keys of the alg's size.
fn key_for(alg: Alg) -> Key {
    match alg {
        Alg::RsaOaep256 => rsa(),
        Alg::RsaOaep => rsa().allow(Alg::RsaOaep).unwrap(),
        Alg::A128Kw => key("aes-128kw.jwk.json"),
        Alg::A192Kw => key("aes-192kw.jwk.json"),
        Alg::A256Kw => key("aes-256kw.jwk.json"),
    }
}

/// A document of `n` versions mixing string (unicode) and binary values (all 256 byte values).
fn document(n: usize) -> Document {
    let name = "db.pass_word-1";
    let mut secret = Secret::new(name);
    secret.description = Some("Zugangsdaten für die Datenbank — 数据库 🔐".into());
    let versions = (0..n)
        .map(|i| {
            let value = if i % 2 == 0 {
                SecretValue::string(format!("pässwörd-{i}-密码-🔑"))
            } else {
                SecretValue::binary((0u8..=255).cycle().skip(i).take(300).collect::<Vec<u8>>())
            };
            let v = Version::new(format!("v{}", i + 1), name, value).with_create_time(1_700_000_000_000 + i as i64);
            match (i + 1 == n, i + 2 == n) {
                (true, _) => v.with_stages(["SYSCURRENT"]),
                (_, true) => v.with_stages(["SYSPREVIOUS", "ÉTAPE-ü"]),
                _ => v,
            }
        })
        .collect();
    Document::new(secret, versions)
}

fn opts(enc: Enc, alg: Alg) -> SealOptions {
    SealOptions { enc, alg: Some(alg), ..SealOptions::default() }
}

#[test]
fn every_alg_and_enc_round_trips_with_1_and_20_versions() {
    let mut count = 0;
    for alg in Alg::ALL {
        let k = key_for(alg);
        for enc in Enc::ALL {
            for n in [1, 20] {
                let doc = document(n);
                let blob = seal(&doc, &k, &opts(enc, alg)).unwrap();
                let parsed = blob_format::parse(&blob).unwrap();
                assert_eq!((parsed.header().alg(), parsed.header().enc()), (alg, enc));
                assert_eq!(parsed.header().kid(), k.kid());
                assert_eq!(open(&blob, &k, &OpenOptions::default()).unwrap(), doc, "{alg} {enc} {n}");
                count += 1;
            }
        }
    }
    assert_eq!(count, 5 * 6 * 2);
}

#[test]
fn bigger_rsa_keys_and_pem_keys_round_trip() {
    let doc = document(3);
    for (sealer, opener) in [
        ("rsa-3072.pub.pem", "rsa-3072.pem"),
        ("rsa-4096.pub.jwk.json", "rsa-4096.jwk.json"),
        ("rsa-2048.pub.pem", "rsa-2048.pem"),
    ] {
        let sealer = key(sealer);
        let options = SealOptions { kid: sealer.kid().is_none().then(|| "pem-key".into()), ..SealOptions::default() };
        let blob = seal(&doc, &sealer, &options).unwrap();
        assert_eq!(open(&blob, &key(opener), &OpenOptions::default()).unwrap(), doc, "{opener}");
    }
}

#[test]
fn the_service_shape_is_written() {
    let blob = seal(&document(1), &rsa(), &SealOptions::default()).unwrap();
    let parsed = blob_format::parse_blob(&blob).unwrap();
    assert_eq!((parsed.marker(), parsed.prefix()), (Marker::Published, Prefix::Long));
    let header = String::from_utf8(parsed.header_segment().decode()).unwrap();
    assert_eq!(header, r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"RSA-OAEP-256"}"#);
    // And a blob inside an API JSON body opens too.
    let body = blob_format::to_json_body(&blob);
    assert_eq!(open(&body, &rsa(), &OpenOptions::default()).unwrap(), document(1));
}

#[test]
fn kid_mismatch_is_reported_before_any_decryption() {
    let blob = seal(&document(1), &rsa(), &SealOptions::default()).unwrap();
    let other = key("rsa-3072.jwk.json");
    let err = open(&blob, &other, &OpenOptions::default()).unwrap_err();
    assert_eq!(err.code(), "kid_mismatch");
    assert!(err.to_string().contains("test-rsa-2048") && err.to_string().contains("test-rsa-3072"), "{err}");
    // Garbage of valid length in the ciphertext and encrypted key: still the kid, nothing decrypted.
    let p = blob_format::parse(&blob).unwrap();
    let garbage = blob_format::Builder::new(p.header().clone())
        .encrypted_key(&[0x55; 256])
        .iv(&p.iv().decode())
        .ciphertext(&vec![0xAA; p.ciphertext().decoded_len()])
        .tag(&[0; 16])
        .to_string();
    assert_eq!(open(&garbage, &other, &OpenOptions::default()).unwrap_err().code(), "kid_mismatch");
    // Without a kid on the key, the blob is tried and does not open.
    let anonymous = Key::from_bytes(&std::fs::read(format!("{KEYS}/rsa-3072.pem")).unwrap()).unwrap();
    assert!(open(&blob, &anonymous, &OpenOptions::default()).unwrap_err().is_decryption_failed());
}

#[test]
fn a_kid_is_required_to_seal() {
    let anonymous = key("rsa-2048.pub.pem");
    let err = seal(&document(1), &anonymous, &SealOptions::default()).unwrap_err();
    assert_eq!(err.code(), "missing_kid");
    let options = SealOptions { kid: Some("given".into()), ..SealOptions::default() };
    let blob = seal(&document(1), &anonymous, &options).unwrap();
    assert_eq!(blob_format::parse(&blob).unwrap().header().kid(), Some("given"));
}

#[test]
fn plaintext_limit_is_checked_before_decoding() {
    let blob = seal(&document(5), &rsa(), &SealOptions::default()).unwrap();
    let tight = OpenOptions { document: DocumentLimits::default().with_max_document_len(64), ..OpenOptions::default() };
    let err = open(&blob, &rsa(), &tight).unwrap_err();
    assert_eq!(err.code(), "plaintext_too_large");
    // Even with a key that could not open it: the limit comes first.
    assert_eq!(open(&blob, &key("rsa-3072.jwk.json"), &tight).unwrap_err().code(), "plaintext_too_large");
}

#[test]
fn algorithm_pinning() {
    let doc = document(1);
    // A PEM key opens RSA-OAEP-256 only, unless RSA-OAEP is allowed explicitly.
    let pem = key("rsa-2048.pem");
    let options = SealOptions { alg: Some(Alg::RsaOaep), kid: Some("k".into()), ..SealOptions::default() };
    let blob = seal(&doc, &pem.clone().allow(Alg::RsaOaep).unwrap(), &options).unwrap();
    assert_eq!(open(&blob, &pem, &OpenOptions::default()).unwrap_err().code(), "alg_not_allowed");
    assert_eq!(open(&blob, &pem.allow(Alg::RsaOaep).unwrap(), &OpenOptions::default()).unwrap(), doc);
    // A key pinned to A256KW does not open an A128KW blob, even with the right bytes.
    let a128 = key("aes-128kw.jwk.json");
    let blob = seal(&doc, &a128, &SealOptions::default()).unwrap();
    let pinned_elsewhere = Key::from_oct(&[0; 32]).unwrap();
    assert_eq!(open(&blob, &pinned_elsewhere, &OpenOptions::default()).unwrap_err().code(), "alg_not_allowed");
    // Sealing with an alg the key does not allow is refused before any work.
    let err = seal(&doc, &rsa(), &opts(Enc::A128CbcHs256, Alg::RsaOaep)).unwrap_err();
    assert_eq!(err.code(), "alg_not_allowed");
}

#[test]
fn a_public_key_cannot_open() {
    let blob = seal(&document(1), &key("rsa-2048.pub.jwk.json"), &SealOptions::default()).unwrap();
    let err = open(&blob, &key("rsa-2048.pub.jwk.json"), &OpenOptions::default()).unwrap_err();
    assert_eq!(err.code(), "public_key_only");
    assert_eq!(err.to_string(), "the key is an RSA public key; opening needs the private key");
}

#[test]
fn wrong_key_and_tampering_give_the_one_error() {
    let doc = document(2);
    let blob = seal(&doc, &key("aes-256kw.jwk.json"), &SealOptions::default()).unwrap();
    let wrong = Key::from_oct(&[9; 32]).unwrap().with_kid("test-a256kw");
    assert_eq!(open(&blob, &wrong, &OpenOptions::default()).unwrap_err().code(), "decryption_failed");
    let blob = seal(&doc, &rsa(), &SealOptions::default()).unwrap();
    let p = blob_format::parse(&blob).unwrap();
    for seg in p.segments().iter().skip(1) {
        // Flip one bit of the first byte of each segment, re-encoded canonically.
        let mut bytes = seg.decode();
        bytes[0] ^= 1;
        let tampered = blob.replacen(seg.as_str(), &blob_format::base64url_encode(&bytes), 1);
        let err = open(&tampered, &rsa(), &OpenOptions::default()).unwrap_err();
        assert_eq!(err.code(), "decryption_failed", "{:?}: {err}", seg.part());
    }
    // A header that still parses but differs (the AAD changed) fails the same way.
    let header = p.header().clone().with_member("x", serde_json::json!(1)).unwrap().encode();
    let tampered = blob.replacen(p.header_segment().as_str(), &header, 1);
    assert_eq!(open(&tampered, &rsa(), &OpenOptions::default()).unwrap_err().code(), "decryption_failed");
}

#[test]
fn document_rules_apply_on_seal_and_on_open() {
    let empty = Document::new(Secret::new("x"), vec![]);
    assert_eq!(seal(&empty, &rsa(), &SealOptions::default()).unwrap_err().code(), "no_versions");
    let json = br#"{"format_version":1,"secret":{"name":"x"},"versions":[{"version_metadata":{"id":"v1","secret_name":"y"},"secret_string":"s"}]}"#;
    let blob = seal_raw(json, &rsa(), &SealOptions::default()).unwrap();
    let err = open(&blob, &rsa(), &OpenOptions::default()).unwrap_err();
    assert_eq!(err.code(), "secret_name_mismatch");
    assert!(err.to_string().contains("versions[0].version_metadata.secret_name"), "{err}");
    // open_raw does not read the plaintext as a document.
    assert_eq!(&open_raw(&blob, &rsa(), &OpenOptions::default()).unwrap()[..], json);
}

#[test]
fn verify_summarises_without_values() {
    let doc = document(3);
    let blob = seal(&doc, &rsa(), &SealOptions::default()).unwrap();
    let summary = verify(&blob, &rsa(), &OpenOptions::default()).unwrap();
    assert_eq!(summary.kid.as_deref(), Some("test-rsa-2048"));
    assert_eq!((summary.alg, summary.enc), (Alg::RsaOaep256, Enc::A128CbcHs256));
    let ids: Vec<_> = summary.versions.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["v1", "v2", "v3"]);
    assert_eq!(summary.versions[1].kind, "binary");
    assert_eq!(summary.versions[1].size, 300);
    assert_eq!(summary.versions[2].stages, ["SYSCURRENT"]);
    let shown = format!("{summary:?}");
    assert!(!shown.contains("pässwörd"), "{shown}");
}

#[test]
fn two_phase_external_wrapping() {
    let doc = document(2);
    let kek = [7u8; 32];
    // Phase one hands out a CEK; the "KMS" wraps it; phase two finishes.
    let sealing = Sealing::new(&doc, &SealOptions::default()).unwrap();
    assert_eq!(sealing.cek().len(), Enc::A128CbcHs256.cek_len());
    assert!(!format!("{sealing:?}").contains(&format!("{:?}", sealing.cek())));
    let wrapped = blob_seal::wrap::aes_kw_wrap(Alg::A256Kw, &kek, sealing.cek()).unwrap();
    let blob = sealing.finish(Alg::A256Kw, "kms-1", &wrapped).unwrap();
    // The same blob opens with a Key made of the KEK, and through the external phases.
    let key = Key::from_oct(&kek).unwrap().with_kid("kms-1");
    assert_eq!(open(&blob, &key, &OpenOptions::default()).unwrap(), doc);
    let opening = Opening::parse(&blob, &OpenOptions::default()).unwrap();
    assert_eq!((opening.kid(), opening.alg(), opening.enc()), (Some("kms-1"), Alg::A256Kw, Enc::A128CbcHs256));
    let cek = blob_seal::wrap::aes_kw_unwrap(opening.alg(), &kek, &opening.encrypted_key(), 32).unwrap();
    assert_eq!(opening.finish(&cek).unwrap(), doc);
    // A CEK of the wrong length, or the wrong CEK, fails like a wrong key.
    assert!(opening.finish(&cek[..16]).unwrap_err().is_decryption_failed());
    assert!(opening.finish(&[0; 32]).unwrap_err().is_decryption_failed());
    // Phase two refuses what parse would refuse.
    let sealing = Sealing::new(&doc, &SealOptions::default()).unwrap();
    assert_eq!(sealing.finish(Alg::A256Kw, "kms-1", &[0; 39]).unwrap_err().code(), "encrypted_key_length");
    let sealing = Sealing::new(&doc, &SealOptions::default()).unwrap();
    assert_eq!(sealing.finish(Alg::A256Kw, "", &wrapped).unwrap_err().code(), "missing_kid");
}

#[test]
fn rewrap_keeps_cbc_ciphertext_and_moves_to_the_new_key_only() {
    let doc = document(4);
    let (old, new) = (rsa(), key("aes-256kw.jwk.json"));
    for enc in Enc::ALL {
        let blob = seal(&doc, &old, &opts(enc, Alg::RsaOaep256)).unwrap();
        let moved = rewrap(&blob, &old, &new, &RotateOptions::default()).unwrap();
        let (a, b) = (blob_format::parse(&blob).unwrap(), blob_format::parse(&moved).unwrap());
        assert_eq!((b.header().alg(), b.header().kid(), b.header().enc()), (Alg::A256Kw, Some("test-a256kw"), enc));
        if enc.is_cbc_hmac() {
            assert_eq!(a.iv().as_str(), b.iv().as_str());
            assert_eq!(a.ciphertext().as_str(), b.ciphertext().as_str());
            assert_ne!(a.tag().as_str(), b.tag().as_str());
        } else {
            assert_ne!(a.iv().as_str(), b.iv().as_str());
        }
        assert_eq!(open(&moved, &new, &OpenOptions::default()).unwrap(), doc, "{enc}");
        assert_eq!(open(&moved, &old, &OpenOptions::default()).unwrap_err().code(), "kid_mismatch");
        // And back, RSA again.
        let back = rewrap(&moved, &new, &old, &RotateOptions::default()).unwrap();
        assert_eq!(open(&back, &old, &OpenOptions::default()).unwrap(), doc);
    }
}

#[test]
fn rewrap_verifies_the_old_tag_and_keeps_marker_and_prefix() {
    let doc = document(1);
    let options =
        SealOptions { write: WriteOptions { marker: Marker::Length, prefix: Prefix::Short }, ..SealOptions::default() };
    let blob = seal(&doc, &rsa(), &options).unwrap();
    let moved = rewrap(&blob, &rsa(), &key("aes-128kw.jwk.json"), &RotateOptions::default()).unwrap();
    assert!(moved.starts_with("!CloudSecretManagementBackupV1.comeyJ"), "{moved}");
    // A tampered ciphertext is caught by rewrap itself, which never decrypts CBC values.
    let p = blob_format::parse(&blob).unwrap();
    let mut ct = p.ciphertext().decode();
    ct[0] ^= 0x80;
    let tampered = blob.replacen(p.ciphertext().as_str(), &blob_format::base64url_encode(&ct), 1);
    let err = rewrap(&tampered, &rsa(), &key("aes-128kw.jwk.json"), &RotateOptions::default()).unwrap_err();
    assert!(err.is_decryption_failed(), "{err}");
}

#[test]
fn reseal_draws_a_fresh_cek_and_iv() {
    let doc = document(3);
    let (old, new) = (key("aes-192kw.jwk.json"), key("aes-256kw.jwk.json"));
    let blob = seal(&doc, &old, &SealOptions::default()).unwrap();
    let options = RotateOptions { enc: Some(Enc::A256Gcm), ..RotateOptions::default() };
    let fresh = reseal(&blob, &old, &new, &options).unwrap();
    let (a, b) = (blob_format::parse(&blob).unwrap(), blob_format::parse(&fresh).unwrap());
    assert_eq!(b.header().enc(), Enc::A256Gcm);
    assert_ne!(a.encrypted_key().as_str(), b.encrypted_key().as_str());
    assert_ne!(a.iv().as_str(), b.iv().as_str());
    assert_ne!(a.ciphertext().as_str(), b.ciphertext().as_str());
    assert_eq!(open(&fresh, &new, &OpenOptions::default()).unwrap(), doc);
    assert_eq!(open(&fresh, &old, &OpenOptions::default()).unwrap_err().code(), "kid_mismatch");
    // The old CEK is gone: unwrap both and compare.
    let cek_old = Opening::parse(&blob, &OpenOptions::default()).unwrap().unwrap_cek(&old).unwrap();
    let cek_new = Opening::parse(&fresh, &OpenOptions::default()).unwrap().unwrap_cek(&new).unwrap();
    assert_ne!(&cek_old[..], &cek_new[..cek_old.len()]);
}

#[test]
fn keys_and_operations_work_from_many_threads() {
    let k = rsa();
    let doc = document(3);
    let blobs: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (k, doc) = (&k, &doc);
                s.spawn(move || {
                    let enc = Enc::ALL[i % Enc::ALL.len()];
                    let blob = seal(doc, k, &opts(enc, Alg::RsaOaep256)).unwrap();
                    assert_eq!(&open(&blob, k, &OpenOptions::default()).unwrap(), doc);
                    blob
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(blobs.len(), 8);
    let mut unique = blobs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 8, "every seal is fresh");
}
