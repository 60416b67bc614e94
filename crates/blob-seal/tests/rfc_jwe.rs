//! The RFC vectors through our JWE layer: what we support decrypts to the RFC's plaintext (and, with
//! deterministic key wrap, encrypts to the RFC's exact bytes); what we refuse is refused by name.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{Alg, Enc, PREFIX_LONG};
use blob_seal::keys::Key;
use blob_seal::{content, wrap, OpenOptions, Opening};
use serde_json::Value;

const RFC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/rfc");

fn vector(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{RFC}/{name}.json")).unwrap()).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// The RFC's compact JWE with our marker and prefix in front.
fn as_blob(v: &Value) -> String {
    format!("){PREFIX_LONG}{}", v["compact"].as_str().unwrap())
}

/// The RFC's JWK, allowed the vector's alg (a JWK without `alg` would otherwise pin a default).
fn key_of(v: &Value) -> Key {
    let key = Key::from_jwk(&v["jwk"].to_string()).unwrap();
    let alg: Alg = v["alg"].as_str().unwrap().parse().unwrap();
    if key.allows(alg) {
        key
    } else {
        key.allow(alg).unwrap()
    }
}

#[test]
fn supported_vectors_decrypt_to_the_rfc_plaintext() {
    let mut count = 0;
    for name in ["rfc7516-A.1", "rfc7516-A.3", "rfc7520-5.2", "rfc7520-5.8"] {
        let v = vector(name);
        let blob = as_blob(&v);
        let opening = Opening::parse(&blob, &OpenOptions::default()).unwrap();
        assert_eq!(opening.alg().name(), v["alg"], "{name}");
        assert_eq!(opening.enc().name(), v["enc"], "{name}");
        let cek = opening.unwrap_cek(&key_of(&v)).unwrap();
        assert_eq!(hex(v["cek_hex"].as_str().unwrap()), &cek[..], "{name}: the CEK");
        let plaintext = opening.finish_raw(&cek).unwrap();
        assert_eq!(&plaintext[..], hex(v["plaintext_hex"].as_str().unwrap()), "{name}");
        count += 1;
    }
    assert_eq!(count, 4);
}

#[test]
fn deterministic_vectors_encrypt_to_the_rfc_bytes() {
    for name in ["rfc7516-A.3", "rfc7520-5.8"] {
        let v = vector(name);
        let compact = v["compact"].as_str().unwrap();
        let header_segment = compact.split('.').next().unwrap();
        let alg: Alg = v["alg"].as_str().unwrap().parse().unwrap();
        let enc: Enc = v["enc"].as_str().unwrap().parse().unwrap();
        let kek =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, v["jwk"]["k"].as_str().unwrap())
                .unwrap();
        let (cek, iv) = (hex(v["cek_hex"].as_str().unwrap()), hex(v["iv_hex"].as_str().unwrap()));
        let plaintext = hex(v["plaintext_hex"].as_str().unwrap());
        let sealed = content::encrypt(enc, &cek, &iv, header_segment.as_bytes(), &plaintext).unwrap();
        let ek = wrap::aes_kw_wrap(alg, &kek, &cek).unwrap();
        let b = blob_format::base64url_encode;
        let ours = format!("{header_segment}.{}.{}.{}.{}", b(&ek), b(&iv), b(&sealed.ciphertext), b(&sealed.tag));
        assert_eq!(ours, compact, "{name}");
        assert_eq!(sealed.tag, hex(v["tag_hex"].as_str().unwrap()), "{name}");
    }
}

#[test]
fn refused_vectors_are_refused_by_name() {
    for name in ["rfc7516-A.2", "rfc7520-5.1"] {
        let v = vector(name);
        let err = blob_format::parse(&as_blob(&v)).unwrap_err();
        assert_eq!(err.code(), "forbidden_alg", "{name}: {err}");
        // The RSA1_5 JWK of RFC 7520 names its alg, which a key cannot be pinned to.
        if v["jwk"].get("alg").is_some() {
            assert!(Key::from_jwk(&v["jwk"].to_string()).is_err(), "{name}");
        }
    }
    // Other algorithms JWE defines and we do not support, in headers of the service's shape.
    for alg in ["PBES2-HS256+A128KW", "ECDH-ES", "ECDH-ES+A128KW", "A128GCMKW", "RSA-OAEP-384"] {
        let v = vector("rfc7516-A.3");
        let parts: Vec<&str> = v["compact"].as_str().unwrap().split('.').collect();
        let header = format!(r#"{{"alg":"{alg}","enc":"A128CBC-HS256"}}"#);
        let jwe = format!("{}.{}", blob_format::base64url_encode(header.as_bytes()), parts[1..].join("."));
        assert_eq!(blob_format::parse(&format!("){PREFIX_LONG}{jwe}")).unwrap_err().code(), "unsupported_alg", "{alg}");
    }
}
