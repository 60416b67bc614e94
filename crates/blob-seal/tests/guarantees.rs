//! The security properties of DESIGN.md section 3, one test each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::time::Instant;

use blob_format::{Alg, Builder, Enc};
use blob_seal::content;
use blob_seal::document::{Document, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::{open, seal, CryptoError, OpenOptions, Opening, SealOptions, Sealing};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/keys");
const SECRET: &str = "S3cr3t-Value-XYZ-never-printed";

fn key(name: &str) -> Key {
    Key::from_bytes(&std::fs::read(format!("{KEYS}/{name}")).unwrap()).unwrap()
}

fn document() -> Document {
    Document::new(
        Secret::new("app"),
        vec![
            Version::new("v1", "app", SecretValue::string(SECRET)).with_stages(["SYSPREVIOUS"]),
            Version::new("v2", "app", SecretValue::binary(b"binary-secret-bytes-ABC".to_vec()))
                .with_stages(["SYSCURRENT"]),
        ],
    )
}

/// Builds a blob over `ciphertext` with a tag computed by the real CEK: what an attacker who could
/// forge tags would send. Used to show padding errors are not distinguishable.
fn blob_with(opening: &Opening<'_>, cek: &[u8], ciphertext: &[u8], tag: Option<&[u8]>) -> String {
    let b = opening.blob();
    let iv = b.iv().decode();
    let tag = match tag {
        Some(t) => t.to_vec(),
        None => content::cbc_hmac_tag(opening.enc(), cek, b.aad(), &iv, ciphertext).unwrap(),
    };
    Builder::new(b.header().clone())
        .encrypted_key(&b.encrypted_key().decode())
        .iv(&iv)
        .ciphertext(ciphertext)
        .tag(&tag)
        .to_string()
}

#[test]
fn tag_is_verified_first_and_padding_is_not_an_oracle() {
    let k = key("aes-128kw.jwk.json");
    let blob = seal(&document(), &k, &SealOptions::default()).unwrap();
    let opening = Opening::parse(&blob, &OpenOptions::default()).unwrap();
    let cek = opening.unwrap_cek(&k).unwrap();
    let good_ct = opening.blob().ciphertext().decode();
    // Raw AES-CBC (no padding) of a block whose last byte is not valid PKCS#7 padding.
    let enc_key = &cek[16..];
    let iv = opening.blob().iv().decode();
    let mut c = openssl::symm::Crypter::new(
        openssl::symm::Cipher::aes_128_cbc(),
        openssl::symm::Mode::Encrypt,
        enc_key,
        Some(&iv),
    )
    .unwrap();
    c.pad(false);
    let mut bad_padding = vec![0u8; 48];
    let n = c.update(&[0x41; 32], &mut bad_padding).unwrap();
    bad_padding.truncate(n);
    assert_eq!(bad_padding.len(), 32);
    let cases = [
        ("bad padding under a valid tag", blob_with(&opening, &cek, &bad_padding, None)),
        ("bad tag over good padding", blob_with(&opening, &cek, &good_ct, Some(&[0; 16]))),
        ("bad tag over bad padding", blob_with(&opening, &cek, &bad_padding, Some(&[0; 16]))),
    ];
    let errors: Vec<String> = cases
        .iter()
        .map(|(what, b)| {
            let e = open(b, &k, &OpenOptions::default()).unwrap_err();
            assert!(e.is_decryption_failed(), "{what}: {e}");
            format!("{e} / {e:?}")
        })
        .collect();
    assert!(errors.windows(2).all(|w| w[0] == w[1]), "{errors:?}");
    // The tag check itself is constant time: openssl::memcmp::eq (CRYPTO_memcmp) in content.rs.
    let src = include_str!("../src/content.rs");
    assert!(src.contains("openssl::memcmp::eq(&expected, tag)"));
}

#[test]
fn rsa_unwrap_failure_does_not_return_early() {
    let k = key("rsa-2048.jwk.json");
    let doc = document();
    let blob = seal(&doc, &k, &SealOptions::default()).unwrap();
    let p = blob_format::parse(&blob).unwrap();
    // 1. A wrong key (same kid, so it gets past the kid check).
    let wrong = key("rsa-3072.jwk.json").with_kid("test-rsa-2048");
    let e1 = open(&blob, &wrong, &OpenOptions::default()).unwrap_err();
    // 2. A tampered encrypted key.
    let mut ek = p.encrypted_key().decode();
    ek[100] ^= 1;
    let tampered = blob.replacen(p.encrypted_key().as_str(), &blob_format::base64url_encode(&ek), 1);
    let e2 = open(&tampered, &k, &OpenOptions::default()).unwrap_err();
    // 3. A well-formed unwrap that yields a CEK of the wrong length (16 bytes for A128CBC-HS256).
    let sealing = Sealing::new(&doc, &SealOptions::default()).unwrap();
    let short = blob_seal::wrap::rsa_wrap(
        &openssl::pkey::PKey::private_key_from_pem(&std::fs::read(format!("{KEYS}/rsa-2048.pem")).unwrap()).unwrap(),
        Alg::RsaOaep256,
        &[7; 16],
    )
    .unwrap();
    let wrong_len = sealing.finish(Alg::RsaOaep256, "test-rsa-2048", &short).unwrap();
    let e3 = open(&wrong_len, &k, &OpenOptions::default()).unwrap_err();
    for e in [&e1, &e2, &e3] {
        assert!(e.is_decryption_failed(), "{e}");
    }
    assert_eq!(e1.to_string(), e2.to_string());
    assert_eq!(e2.to_string(), e3.to_string());
    // The unwrap returns a CEK of the right length even for garbage.
    let cek = k.unwrap_cek(Alg::RsaOaep256, &[0x42; 256], 32).unwrap();
    assert_eq!(cek.len(), 32);
}

#[test]
fn kid_mismatch_is_its_own_kind_before_decryption() {
    let blob = seal(&document(), &key("aes-256kw.jwk.json"), &SealOptions::default()).unwrap();
    let other = Key::from_oct(&[1; 32]).unwrap().with_kid("another");
    let err = open(&blob, &other, &OpenOptions::default()).unwrap_err();
    assert_eq!(err.code(), "kid_mismatch");
    assert_eq!(err.to_string(), "the blob's kid is \"test-a256kw\" but the key's kid is \"another\"");
}

#[test]
fn segment_lengths_are_checked_before_any_crypto() {
    let k = key("rsa-2048.jwk.json");
    let blob = seal(&document(), &k, &SealOptions::default()).unwrap();
    let p = blob_format::parse(&blob).unwrap();
    let build = |ek: &[u8], iv: &[u8], ct: &[u8], tag: &[u8]| {
        Builder::new(p.header().clone()).encrypted_key(ek).iv(iv).ciphertext(ct).tag(tag).to_string()
    };
    let (ek, iv, ct, tag) = (p.encrypted_key().decode(), p.iv().decode(), p.ciphertext().decode(), p.tag().decode());
    for (b, code) in [
        (build(&ek, &iv[..8], &ct, &tag), "iv_length"),
        (build(&ek, &iv, &ct, &tag[..8]), "tag_length"),
        (build(&ek, &iv, &ct, &[tag.as_slice(), &[0]].concat()), "tag_length"),
        (build(&ek[..128], &iv, &ct, &tag), "encrypted_key_length"),
        (build(&ek, &iv, &ct[..ct.len() - 1], &tag), "ciphertext_length"),
        (build(&ek, &iv, &[], &tag), "ciphertext_length"),
        (build(&[], &iv, &ct, &tag), "empty_segment"),
    ] {
        let err = open(&b, &k, &OpenOptions::default()).unwrap_err();
        assert_eq!(err.code(), code);
        assert!(matches!(err, blob_seal::Error::Format(_)), "a format error, not a crypto one: {err:?}");
    }
    // The primitives refuse bad lengths themselves, with errors, not panics.
    for iv_len in [0, 8, 11, 13, 17] {
        let e = content::decrypt(Enc::A128Gcm, &[0; 16], &vec![0; iv_len], b"", b"x", &[0; 16]).unwrap_err();
        assert!(matches!(e, CryptoError::IvLength { .. }));
    }
    for tag_len in [0, 8, 12, 15] {
        let e = content::decrypt(Enc::A128Gcm, &[0; 16], &[0; 12], b"", b"x", &vec![0; tag_len]).unwrap_err();
        assert!(matches!(e, CryptoError::TagLength { .. }));
    }
}

#[test]
fn key_sizes_are_enforced() {
    let err = Key::from_bytes(&std::fs::read(format!("{KEYS}/rsa-1024.pem")).unwrap()).unwrap_err();
    assert!(matches!(err, blob_seal::KeyError::KeyTooSmall { bits: 1024 }), "{err}");
    let err = Key::from_bytes(&std::fs::read(format!("{KEYS}/rsa-1024.jwk.json")).unwrap()).unwrap_err();
    assert!(matches!(err, blob_seal::KeyError::KeyTooSmall { bits: 1024 }), "{err}");
    assert!(Key::from_oct(&[0; 20]).is_err());
    assert!(Key::from_oct(&[0; 16]).unwrap().allow(Alg::A256Kw).is_err(), "a KW of another size");
    assert!(key("rsa-2048.pem").allow(Alg::A128Kw).is_err(), "AES-KW on an RSA key");
}

#[test]
fn every_seal_draws_a_fresh_cek_and_iv() {
    let k = key("aes-256kw.jwk.json");
    let doc = document();
    for enc in Enc::ALL {
        let options = SealOptions { enc, ..SealOptions::default() };
        let (a, b) = (seal(&doc, &k, &options).unwrap(), seal(&doc, &k, &options).unwrap());
        let (pa, pb) = (blob_format::parse(&a).unwrap(), blob_format::parse(&b).unwrap());
        assert_ne!(pa.encrypted_key().as_str(), pb.encrypted_key().as_str(), "{enc}");
        assert_ne!(pa.iv().as_str(), pb.iv().as_str(), "{enc}");
        assert_ne!(pa.ciphertext().as_str(), pb.ciphertext().as_str(), "{enc}");
        let cek = |blob: &str| Opening::parse(blob, &OpenOptions::default()).unwrap().unwrap_cek(&k).unwrap();
        assert_ne!(&cek(&a)[..], &cek(&b)[..], "{enc}");
    }
}

#[test]
fn debug_output_redacts_every_secret() {
    let doc = document();
    let rsa = key("rsa-2048.jwk.json");
    let oct = key("aes-256kw.jwk.json");
    let jwk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{KEYS}/rsa-2048.jwk.json")).unwrap()).unwrap();
    let k_oct: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{KEYS}/aes-256kw.jwk.json")).unwrap()).unwrap();
    let sealing = Sealing::new(&doc, &SealOptions::default()).unwrap();
    let cek_hex: String = sealing.cek().iter().map(|b| format!("{b:02x}")).collect();
    let cek_dbg = format!("{:?}", sealing.cek());
    let shown = [
        format!("{doc:?}"),
        format!("{doc:#?}"),
        format!("{rsa:?} {rsa:#?} {oct:?} {oct:#?}"),
        format!("{sealing:?} {sealing:#?}"),
        serde_json::to_string(&doc.to_json_redacted()).unwrap(),
    ];
    let secrets = [
        SECRET.to_owned(),
        "binary-secret-bytes".to_owned(),
        "YmluYXJ5LXNlY3JldC1ieXRlcy1BQkM".to_owned(), // base64 of the binary value
        jwk["d"].as_str().unwrap()[..24].to_owned(),
        jwk["p"].as_str().unwrap()[..24].to_owned(),
        k_oct["k"].as_str().unwrap()[..16].to_owned(),
        cek_hex,
        cek_dbg,
    ];
    for text in &shown {
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{s} leaked into {text}");
        }
    }
    assert!(shown[0].contains("redacted"), "{}", shown[0]);
}

#[test]
fn errors_after_failed_checks_carry_no_secrets() {
    let doc = document();
    let k = key("rsa-2048.jwk.json");
    let blob = seal(&doc, &k, &SealOptions::default()).unwrap();
    let p = blob_format::parse(&blob).unwrap();
    let mut errors = Vec::new();
    let mut ct = p.ciphertext().decode();
    ct[3] ^= 4;
    let tampered = blob.replacen(p.ciphertext().as_str(), &blob_format::base64url_encode(&ct), 1);
    errors.push(open(&tampered, &k, &OpenOptions::default()).unwrap_err());
    errors.push(open(&blob, &key("rsa-3072.jwk.json").with_kid("test-rsa-2048"), &OpenOptions::default()).unwrap_err());
    let bad_doc = format!(
        r#"{{"format_version":1,"secret":{{"name":"app"}},"versions":[{{"version_metadata":{{"id":"v1","secret_name":"app"}},"secret_string":"{SECRET}","secret_binary":"AA=="}}]}}"#
    );
    let raw = blob_seal::seal_raw(bad_doc.as_bytes(), &k, &SealOptions::default()).unwrap();
    errors.push(open(&raw, &k, &OpenOptions::default()).unwrap_err());
    let bad_type = format!(
        r#"{{"format_version":1,"secret":{{"name":"app"}},"versions":[{{"version_metadata":{{"id":"v1","secret_name":"app"}},"secret_string":["{SECRET}"]}}]}}"#
    );
    let raw = blob_seal::seal_raw(bad_type.as_bytes(), &k, &SealOptions::default()).unwrap();
    errors.push(open(&raw, &k, &OpenOptions::default()).unwrap_err());
    assert_eq!(errors[2].code(), "both_values");
    let jwk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{KEYS}/rsa-2048.jwk.json")).unwrap()).unwrap();
    for e in &errors {
        let text = format!("{e} {e:?} {:#}", anyhow_like(e));
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains(&jwk["d"].as_str().unwrap()[..24]), "{text}");
    }
}

/// The error with its source chain, as a CLI would print it.
fn anyhow_like(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[test]
fn limits_refuse_before_decoding() {
    let huge = format!("){}{}", blob_format::PREFIX_LONG, "A".repeat(13 << 20));
    let start = Instant::now();
    let err = open(&huge, &key("rsa-2048.jwk.json"), &OpenOptions::default()).unwrap_err();
    assert_eq!(err.code(), "input_too_large");
    // Not a timing assertion of speed, a guard against decoding: generous on any machine.
    assert!(start.elapsed().as_secs() < 5);
}
