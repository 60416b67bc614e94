//! Key loading, export, algorithm pinning and key policy.
//!
//! The test keys in `test-vectors/keys/` were made with the openssl command line; their JWKs were derived from
//! `openssl pkey -text` by `generate.py`, not by this crate, so loading them checks our JWK reader independently.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{Alg, Enc};
use blob_seal::content;
use blob_seal::error::{CryptoError, KeyError};
use blob_seal::keys::{Key, KeyKind};
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use serde_json::{json, Value};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/keys");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{KEYS}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read_str(name: &str) -> String {
    String::from_utf8(read(name)).unwrap()
}

fn jwk_file(name: &str) -> Value {
    serde_json::from_str(&read_str(name)).unwrap()
}

fn pem(name: &str) -> Key {
    Key::from_pem(&read(name)).unwrap()
}

fn jwk(name: &str) -> Key {
    Key::from_jwk(&read_str(name)).unwrap()
}

const _: () = {
    const fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
    assert_send_sync_clone::<Key>();
};

#[test]
fn pem_forms_load_and_agree() {
    for bits in [2048u32, 3072, 4096] {
        let private = pem(&format!("rsa-{bits}.pem"));
        let public = pem(&format!("rsa-{bits}.pub.pem"));
        assert_eq!(private.kind(), KeyKind::RsaPrivate);
        assert_eq!(public.kind(), KeyKind::RsaPublic);
        assert_eq!((private.rsa_bits(), public.rsa_bits()), (Some(bits), Some(bits)));
        assert!(private.has_private() && private.is_private());
        assert!(!public.has_private() && !public.is_private());
        assert_eq!(private.kid(), None);
        assert_eq!(private.to_spki_pem().unwrap(), public.to_spki_pem().unwrap());
        assert_eq!(private.encrypted_key_len(32), bits as usize / 8);

        // PKCS#1 forms, written by OpenSSL from the same key.
        let rsa = Rsa::private_key_from_pem(&read(&format!("rsa-{bits}.pem"))).unwrap();
        let pkcs1 = rsa.private_key_to_pem().unwrap();
        assert!(String::from_utf8_lossy(&pkcs1).starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let from_pkcs1 = Key::from_pem(&pkcs1).unwrap();
        assert_eq!(from_pkcs1.kind(), KeyKind::RsaPrivate);
        assert_eq!(from_pkcs1.to_spki_pem().unwrap(), public.to_spki_pem().unwrap());
        let pub_pkcs1 = rsa.public_key_to_pem_pkcs1().unwrap();
        assert!(String::from_utf8_lossy(&pub_pkcs1).starts_with("-----BEGIN RSA PUBLIC KEY-----"));
        let from_pub_pkcs1 = Key::from_pem(&pub_pkcs1).unwrap();
        assert_eq!(from_pub_pkcs1.kind(), KeyKind::RsaPublic);
        assert_eq!(from_pub_pkcs1.to_spki_pem().unwrap(), public.to_spki_pem().unwrap());

        // PKCS#8 export round trip.
        let again = Key::from_pem(private.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
        assert_eq!(again.to_jwk(true).unwrap(), private.to_jwk(true).unwrap());
        assert_eq!(private.to_pkcs8_pem().unwrap().as_str(), read_str(&format!("rsa-{bits}.pem")));
        assert_eq!(public.to_spki_pem().unwrap(), read_str(&format!("rsa-{bits}.pub.pem")));
    }
}

#[test]
fn jwk_files_load_and_export_exactly() {
    for bits in [2048u32, 3072, 4096] {
        let file = jwk_file(&format!("rsa-{bits}.jwk.json"));
        let key = jwk(&format!("rsa-{bits}.jwk.json"));
        assert_eq!(key.kind(), KeyKind::RsaPrivate);
        assert_eq!(key.kid(), Some(format!("test-rsa-{bits}").as_str()));
        assert_eq!(key.allowed_algs(), [Alg::RsaOaep256]);
        // Same key as the PEM file (the JWK was derived independently, from `openssl pkey -text`).
        assert_eq!(key.to_spki_pem().unwrap(), read_str(&format!("rsa-{bits}.pub.pem")));
        // Export is member-for-member the file.
        assert_eq!(key.to_jwk(true).unwrap(), file);
        let pub_file = jwk_file(&format!("rsa-{bits}.pub.jwk.json"));
        assert_eq!(key.to_jwk(false).unwrap(), pub_file);
        let public = jwk(&format!("rsa-{bits}.pub.jwk.json"));
        assert_eq!(public.kind(), KeyKind::RsaPublic);
        assert_eq!(public.to_jwk(false).unwrap(), pub_file);
        // The PEM key's JWK has the same key members.
        let from_pem = pem(&format!("rsa-{bits}.pem")).to_jwk(true).unwrap();
        for m in ["n", "e", "d", "p", "q", "dp", "dq", "qi"] {
            assert_eq!(from_pem[m], file[m], "{bits} {m}");
        }
        assert_eq!(from_pem.get("kid"), None);
    }
    for (bits, alg) in [(128, Alg::A128Kw), (192, Alg::A192Kw), (256, Alg::A256Kw)] {
        let name = format!("aes-{bits}kw.jwk.json");
        let key = jwk(&name);
        assert_eq!(key.kind(), KeyKind::Oct);
        assert_eq!(key.bits(), bits);
        assert_eq!(key.rsa_bits(), None);
        assert_eq!(key.kid(), Some(format!("test-a{bits}kw").as_str()));
        assert_eq!(key.allowed_algs(), [alg]);
        assert_eq!(key.default_alg(), alg);
        assert!(key.has_private());
        assert_eq!(key.to_jwk(true).unwrap(), jwk_file(&name));
        assert_eq!(key.to_jwk(false), Err(KeyError::SymmetricKey));
        assert_eq!(key.public_key().unwrap_err(), KeyError::SymmetricKey);
        assert_eq!(key.to_spki_pem(), Err(KeyError::SymmetricKey));
    }
}

#[test]
fn from_bytes_detects_the_form() {
    let a = Key::from_bytes(&read("rsa-2048.jwk.json")).unwrap();
    assert_eq!(a.kid(), Some("test-rsa-2048"));
    let b = Key::from_bytes(&read("rsa-2048.pem")).unwrap();
    assert_eq!(a.to_spki_pem().unwrap(), b.to_spki_pem().unwrap());
    let mut padded = b"\n  \t".to_vec();
    padded.extend(read("aes-256kw.jwk.json"));
    assert_eq!(Key::from_bytes(&padded).unwrap().kind(), KeyKind::Oct);
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend(read("aes-128kw.jwk.json"));
    assert_eq!(Key::from_bytes(&bom).unwrap().kind(), KeyKind::Oct);
    let text = format!("some comment\n{}", read_str("rsa-2048.pub.pem"));
    assert_eq!(Key::from_bytes(text.as_bytes()).unwrap().kind(), KeyKind::RsaPublic);
    assert!(matches!(Key::from_bytes(b"\x30\x82\x01\x22"), Err(KeyError::InvalidKey(_))));
    assert!(matches!(Key::from_bytes(b""), Err(KeyError::InvalidKey(_))));
}

#[test]
fn pinning_rules() {
    let cek = content::generate_cek(Enc::A128CbcHs256).unwrap();

    // PEM RSA: RSA-OAEP-256 only.
    let key = pem("rsa-2048.pem");
    assert!(key.allows(Alg::RsaOaep256));
    for alg in [Alg::RsaOaep, Alg::A128Kw, Alg::A192Kw, Alg::A256Kw] {
        assert!(!key.allows(alg));
        assert_eq!(
            key.wrap_cek(alg, &cek).unwrap_err(),
            KeyError::AlgNotAllowed { alg, allowed: vec![Alg::RsaOaep256] }
        );
        assert_eq!(
            key.unwrap_cek(alg, &[0; 256], 32).unwrap_err(),
            KeyError::AlgNotAllowed { alg, allowed: vec![Alg::RsaOaep256] }
        );
    }
    assert_eq!(key.default_alg(), Alg::RsaOaep256);
    let msg = key.wrap_cek(Alg::RsaOaep, &cek).unwrap_err().to_string();
    assert!(msg.contains("RSA-OAEP") && msg.contains("allow"), "{msg}");

    // Explicitly allowing RSA-OAEP.
    let both = key.clone().allow(Alg::RsaOaep).unwrap();
    assert_eq!(both.allowed_algs(), [Alg::RsaOaep256, Alg::RsaOaep]);
    assert_eq!(both.default_alg(), Alg::RsaOaep256);
    let ek = both.wrap_cek(Alg::RsaOaep, &cek).unwrap();
    assert_eq!(both.unwrap_cek(Alg::RsaOaep, &ek, 32).unwrap(), cek);
    // Without `alg` in the JWK export when more than one is allowed (JWK has room for one).
    assert_eq!(both.to_jwk(false).unwrap().get("alg"), None);

    // AES-KW on RSA, RSA on AES, KW of the wrong size.
    for alg in [Alg::A128Kw, Alg::A192Kw, Alg::A256Kw] {
        assert_eq!(key.clone().allow(alg).unwrap_err(), KeyError::WrongKeyType { alg, kind: KeyKind::RsaPrivate });
    }
    let oct = jwk("aes-128kw.jwk.json");
    assert_eq!(
        oct.clone().allow(Alg::RsaOaep256).unwrap_err(),
        KeyError::WrongKeyType { alg: Alg::RsaOaep256, kind: KeyKind::Oct }
    );
    assert_eq!(
        oct.clone().allow(Alg::A256Kw).unwrap_err(),
        KeyError::WrongKeySize { alg: Alg::A256Kw, expected_bits: 256, actual_bits: 128 }
    );
    assert_eq!(oct.clone().allow(Alg::A128Kw).unwrap().allowed_algs(), [Alg::A128Kw]);
    assert!(matches!(oct.wrap_cek(Alg::A192Kw, &cek), Err(KeyError::AlgNotAllowed { .. })));

    // A JWK's alg pins exactly that alg.
    let mut file = jwk_file("rsa-2048.jwk.json");
    file["alg"] = json!("RSA-OAEP");
    let pinned = Key::from_jwk(&file.to_string()).unwrap();
    assert_eq!(pinned.allowed_algs(), [Alg::RsaOaep]);
    assert_eq!(pinned.default_alg(), Alg::RsaOaep);
    assert!(matches!(pinned.wrap_cek(Alg::RsaOaep256, &cek), Err(KeyError::AlgNotAllowed { .. })));
    assert_eq!(pinned.to_jwk(true).unwrap()["alg"], "RSA-OAEP");

    // A JWK without alg: the defaults.
    file.as_object_mut().unwrap().remove("alg");
    assert_eq!(Key::from_jwk(&file.to_string()).unwrap().allowed_algs(), [Alg::RsaOaep256]);
    let mut oct_file = jwk_file("aes-192kw.jwk.json");
    oct_file.as_object_mut().unwrap().remove("alg");
    assert_eq!(Key::from_jwk(&oct_file.to_string()).unwrap().allowed_algs(), [Alg::A192Kw]);

    // A JWK alg that does not fit the key.
    let mut bad = jwk_file("rsa-2048.jwk.json");
    bad["alg"] = json!("A128KW");
    assert!(matches!(Key::from_jwk(&bad.to_string()), Err(KeyError::WrongKeyType { alg: Alg::A128Kw, .. })));
    let mut bad = jwk_file("aes-128kw.jwk.json");
    bad["alg"] = json!("A256KW");
    assert!(matches!(Key::from_jwk(&bad.to_string()), Err(KeyError::WrongKeySize { alg: Alg::A256Kw, .. })));
}

#[test]
fn unsupported_jwk_alg_and_use_are_named() {
    for alg in ["RSA1_5", "dir", "none", "RSA-OAEP-512", "ECDH-ES", "rsa-oaep-256"] {
        let mut f = jwk_file("rsa-2048.jwk.json");
        f["alg"] = json!(alg);
        let err = Key::from_jwk(&f.to_string()).unwrap_err();
        assert_eq!(err, KeyError::UnsupportedAlg(alg.to_owned()));
        assert!(err.to_string().contains(alg));
    }
    let mut f = jwk_file("aes-128kw.jwk.json");
    f["use"] = json!("sig");
    assert_eq!(Key::from_jwk(&f.to_string()).unwrap_err(), KeyError::WrongUse("sig".into()));
    f.as_object_mut().unwrap().remove("use");
    assert!(Key::from_jwk(&f.to_string()).is_ok());

    let ec = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;
    assert_eq!(Key::from_jwk(ec).unwrap_err(), KeyError::UnsupportedKeyType("JWK kty \"EC\"".into()));
    assert!(matches!(Key::from_jwk(r#"{"k":"AAAAAAAAAAAAAAAAAAAAAA"}"#), Err(KeyError::InvalidKey(_))));
    let set = format!("{{\"keys\":[{}]}}", read_str("aes-128kw.jwk.json"));
    assert!(matches!(Key::from_jwk(&set), Err(KeyError::InvalidKey(m)) if m.contains("JWK set")));
}

#[test]
fn strict_base64url_and_no_key_bytes_in_errors() {
    let file = jwk_file("aes-256kw.jwk.json");
    let k = file["k"].as_str().unwrap().to_owned();
    let cases = [
        format!("{k}="),                   // padding
        k.replace(['-', '_'], "+"),        // standard alphabet
        format!("{} ", k),                 // whitespace
        format!("{}A", &k[..k.len() - 1]), // 43 chars with non-canonical trailing bits? (may be valid; checked below)
    ];
    for (i, bad) in cases.iter().enumerate() {
        if *bad == k {
            continue;
        }
        let mut f = file.clone();
        f["k"] = json!(bad);
        match Key::from_jwk(&f.to_string()) {
            Err(e) => {
                let msg = e.to_string();
                assert!(!msg.contains(&k[..12]), "case {i}: error quotes the key: {msg}");
            }
            Ok(key) => {
                // Only a different but canonical key may load; never a non-canonical spelling of one.
                assert_ne!(key.to_jwk(true).unwrap()["k"], json!(k), "case {i}");
                assert_eq!(key.to_jwk(true).unwrap()["k"], json!(bad), "case {i}: canonical");
            }
        }
    }
    // Non-canonical trailing bits: 16 bytes = 22 chars, the last char carries 4 unused bits.
    let canonical = "AAAAAAAAAAAAAAAAAAAAAA"; // 16 zero bytes
    assert!(Key::from_jwk(&format!(r#"{{"kty":"oct","k":"{canonical}"}}"#)).is_ok());
    let non_canonical = "AAAAAAAAAAAAAAAAAAAAAB";
    assert!(matches!(
        Key::from_jwk(&format!(r#"{{"kty":"oct","k":"{non_canonical}"}}"#)),
        Err(KeyError::InvalidKey(_))
    ));
    // Wrong oct lengths.
    assert_eq!(
        Key::from_jwk(r#"{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAA"}"#).unwrap_err(),
        KeyError::OctKeyLength { len: 15 }
    );
    assert_eq!(Key::from_oct(&[0; 64]).unwrap_err(), KeyError::OctKeyLength { len: 64 });

    // A private member of the wrong type or with JSON escapes: the error does not quote it.
    let rsa = jwk_file("rsa-2048.jwk.json");
    let d = rsa["d"].as_str().unwrap().to_owned();
    let mut f = rsa.clone();
    f["d"] = json!([d.clone()]);
    let msg = Key::from_jwk(&f.to_string()).unwrap_err().to_string();
    assert!(!msg.contains(&d[..16]), "{msg}");
    let escaped = read_str("rsa-2048.jwk.json").replacen(&d, &format!("\\u0041{}", &d[1..]), 1);
    let msg = Key::from_jwk(&escaped).unwrap_err().to_string();
    assert!(!msg.contains(&d[1..17]), "{msg}");
    // Duplicate members are refused.
    let dup = read_str("aes-128kw.jwk.json").replacen("\"kty\": \"oct\",", "\"kty\": \"oct\", \"kty\": \"oct\",", 1);
    assert!(matches!(Key::from_jwk(&dup), Err(KeyError::InvalidKey(m)) if m.contains("duplicate")));
}

#[test]
fn inconsistent_or_partial_rsa_jwk_is_refused() {
    let file = jwk_file("rsa-2048.jwk.json");
    let mut swapped = file.clone();
    swapped["dp"] = file["dq"].clone();
    swapped["dq"] = file["dp"].clone();
    assert!(matches!(Key::from_jwk(&swapped.to_string()), Err(KeyError::InvalidKey(m)) if m.contains("inconsistent")));
    let mut wrong_e = file.clone();
    wrong_e["e"] = json!("AQAD"); // 65539
    assert!(matches!(Key::from_jwk(&wrong_e.to_string()), Err(KeyError::InvalidKey(m)) if m.contains("inconsistent")));
    for m in ["p", "q", "dp", "dq", "qi"] {
        let mut partial = file.clone();
        partial.as_object_mut().unwrap().remove(m);
        assert!(matches!(Key::from_jwk(&partial.to_string()), Err(KeyError::InvalidKey(_))), "{m}");
    }
    let mut no_d = file.clone();
    no_d.as_object_mut().unwrap().remove("d");
    assert!(matches!(Key::from_jwk(&no_d.to_string()), Err(KeyError::InvalidKey(_))));
    let mut multi = file.clone();
    multi["oth"] = json!([]);
    assert!(matches!(Key::from_jwk(&multi.to_string()), Err(KeyError::UnsupportedKeyType(_))));
    let mut pub_e1 = jwk_file("rsa-2048.pub.jwk.json");
    pub_e1["e"] = json!("AQ"); // e = 1
    assert!(matches!(Key::from_jwk(&pub_e1.to_string()), Err(KeyError::InvalidKey(m)) if m.contains("exponent")));
}

#[test]
fn rsa_under_2048_bits_is_refused() {
    for name in ["rsa-1024.pem", "rsa-1024.pub.pem"] {
        assert_eq!(Key::from_pem(&read(name)).unwrap_err(), KeyError::KeyTooSmall { bits: 1024 }, "{name}");
    }
    for name in ["rsa-1024.jwk.json", "rsa-1024.pub.jwk.json"] {
        assert_eq!(Key::from_jwk(&read_str(name)).unwrap_err(), KeyError::KeyTooSmall { bits: 1024 }, "{name}");
    }
    // A fresh one from OpenSSL, through every door.
    let rsa = Rsa::generate(1536).unwrap();
    let pkey = PKey::from_rsa(rsa).unwrap();
    assert_eq!(
        Key::from_pem(&pkey.private_key_to_pem_pkcs8().unwrap()).unwrap_err(),
        KeyError::KeyTooSmall { bits: 1536 }
    );
    assert_eq!(Key::from_rsa_private(pkey).unwrap_err(), KeyError::KeyTooSmall { bits: 1536 });
    assert_eq!(Key::generate_rsa(1024).unwrap_err(), KeyError::KeyTooSmall { bits: 1024 });
    let msg = KeyError::KeyTooSmall { bits: 1024 }.to_string();
    assert!(msg.contains("1024") && msg.contains("2048"), "{msg}");
    assert!(matches!(Key::generate_rsa(2500), Err(KeyError::InvalidKey(_))));
}

#[test]
fn other_pem_inputs() {
    // Encrypted PKCS#8 and encrypted traditional PEM: refused with a clear message, never a passphrase prompt.
    let rsa = Rsa::private_key_from_pem(&read("rsa-2048.pem")).unwrap();
    let pkey = PKey::from_rsa(rsa.clone()).unwrap();
    let enc8 = pkey.private_key_to_pem_pkcs8_passphrase(openssl::symm::Cipher::aes_128_cbc(), b"pw").unwrap();
    assert!(matches!(Key::from_pem(&enc8), Err(KeyError::InvalidKey(m)) if m.contains("encrypted")));
    let enc1 = rsa.private_key_to_pem_passphrase(openssl::symm::Cipher::aes_128_cbc(), b"pw").unwrap();
    assert!(matches!(Key::from_pem(&enc1), Err(KeyError::InvalidKey(m)) if m.contains("encrypted")));

    // EC keys are not RSA.
    let group = openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap();
    let ec = PKey::from_ec_key(openssl::ec::EcKey::generate(&group).unwrap()).unwrap();
    assert_eq!(
        Key::from_pem(&ec.private_key_to_pem_pkcs8().unwrap()).unwrap_err(),
        KeyError::UnsupportedKeyType("EC".into())
    );
    assert_eq!(Key::from_pem(&ec.public_key_to_pem().unwrap()).unwrap_err(), KeyError::UnsupportedKeyType("EC".into()));

    // Two blocks, a truncated block, a bad body, an unknown label.
    let two = [read("rsa-2048.pem"), read("rsa-2048.pub.pem")].concat();
    assert!(matches!(Key::from_pem(&two), Err(KeyError::InvalidKey(m)) if m.contains("more than one")));
    let text = read_str("rsa-2048.pub.pem");
    let truncated = &text[..text.len() - 30];
    assert!(matches!(Key::from_pem(truncated.as_bytes()), Err(KeyError::InvalidKey(_))));
    let bad_body = text.replacen("MII", "M!I", 1);
    assert!(matches!(Key::from_pem(bad_body.as_bytes()), Err(KeyError::InvalidKey(_))));
    let garbage_der = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert!(matches!(Key::from_pem(garbage_der.as_bytes()), Err(KeyError::InvalidKey(_))));
    let other = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    assert!(matches!(Key::from_pem(other.as_bytes()), Err(KeyError::UnsupportedKeyType(_))));

    // The public key of a certificate.
    let cert = self_signed(&pkey);
    let from_cert = Key::from_pem(&cert).unwrap();
    assert_eq!(from_cert.kind(), KeyKind::RsaPublic);
    assert_eq!(from_cert.to_spki_pem().unwrap(), read_str("rsa-2048.pub.pem"));
}

fn self_signed(pkey: &PKey<openssl::pkey::Private>) -> Vec<u8> {
    let mut name = openssl::x509::X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "test").unwrap();
    let name = name.build();
    let mut b = openssl::x509::X509::builder().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(&name).unwrap();
    b.set_pubkey(pkey).unwrap();
    b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap()).unwrap();
    b.set_not_after(&openssl::asn1::Asn1Time::days_from_now(1).unwrap()).unwrap();
    b.sign(pkey, openssl::hash::MessageDigest::sha256()).unwrap();
    b.build().to_pem().unwrap()
}

#[test]
fn public_key_cannot_open() {
    let public = pem("rsa-2048.pub.pem");
    let private = pem("rsa-2048.pem");
    let cek = content::generate_cek(Enc::A256CbcHs512).unwrap();
    let ek = public.wrap_cek(Alg::RsaOaep256, &cek).unwrap();
    assert_eq!(public.unwrap_cek(Alg::RsaOaep256, &ek, 64).unwrap_err(), KeyError::PublicKeyOnly);
    assert_eq!(KeyError::PublicKeyOnly.to_string(), "the key is an RSA public key; opening needs the private key");
    // The alg check comes first.
    assert!(matches!(public.unwrap_cek(Alg::RsaOaep, &ek, 64), Err(KeyError::AlgNotAllowed { .. })));
    assert_eq!(private.unwrap_cek(Alg::RsaOaep256, &ek, 64).unwrap(), cek);
    assert_eq!(public.to_pkcs8_pem().unwrap_err(), KeyError::PublicKeyOnly);
    assert_eq!(public.to_jwk(true).unwrap_err(), KeyError::PublicKeyOnly);

    // public_key() keeps kid and pinning.
    let with_kid = jwk("rsa-3072.jwk.json").allow(Alg::RsaOaep).unwrap();
    let derived = with_kid.public_key().unwrap();
    assert_eq!(derived.kind(), KeyKind::RsaPublic);
    assert_eq!(derived.kid(), Some("test-rsa-3072"));
    assert_eq!(derived.allowed_algs(), with_kid.allowed_algs());
    assert_eq!(derived.to_spki_pem().unwrap(), read_str("rsa-3072.pub.pem"));
}

#[test]
fn wrap_and_unwrap_through_keys() {
    for bits in [2048u32, 3072, 4096] {
        let private = jwk(&format!("rsa-{bits}.jwk.json"));
        let public = jwk(&format!("rsa-{bits}.pub.jwk.json"));
        let other = pem(if bits == 2048 { "rsa-3072.pem" } else { "rsa-2048.pem" });
        for enc in [Enc::A128CbcHs256, Enc::A256Gcm] {
            let cek = content::generate_cek(enc).unwrap();
            let ek = public.wrap_cek(Alg::RsaOaep256, &cek).unwrap();
            assert_eq!(ek.len(), public.encrypted_key_len(cek.len()));
            assert_eq!(private.unwrap_cek(Alg::RsaOaep256, &ek, cek.len()).unwrap(), cek);
            // Wrong key: no error, a random CEK of the right length (the tag check fails later).
            let wrong = other.unwrap_cek(Alg::RsaOaep256, &ek, cek.len()).unwrap();
            assert_eq!(wrong.len(), cek.len());
            assert_ne!(wrong, cek);
        }
    }
    for alg in [Alg::A128Kw, Alg::A192Kw, Alg::A256Kw] {
        let key = Key::generate_oct(alg).unwrap().with_kid("k1");
        assert_eq!(key.kid(), Some("k1"));
        assert_eq!(key.allowed_algs(), [alg]);
        let other = Key::generate_oct(alg).unwrap();
        let cek = content::generate_cek(Enc::A192CbcHs384).unwrap();
        let ek = key.wrap_cek(alg, &cek).unwrap();
        assert_eq!(ek.len(), key.encrypted_key_len(48));
        assert_eq!(key.unwrap_cek(alg, &ek, 48).unwrap(), cek);
        let err = other.unwrap_cek(alg, &ek, 48).unwrap_err();
        assert!(err.is_decryption_failed());
        assert_eq!(err, KeyError::Crypto(CryptoError::DecryptionFailed));
        assert!(key.unwrap_cek(alg, &ek[1..], 48).unwrap_err().is_decryption_failed());
    }
    assert_eq!(
        Key::generate_oct(Alg::RsaOaep256).unwrap_err(),
        KeyError::WrongKeyType { alg: Alg::RsaOaep256, kind: KeyKind::Oct }
    );
}

#[test]
fn generated_rsa_key_round_trips() {
    let key = Key::generate_rsa(2048).unwrap().with_kid("gen");
    assert_eq!(key.rsa_bits(), Some(2048));
    let jwk_text = key.to_jwk(true).unwrap().to_string();
    let back = Key::from_jwk(&jwk_text).unwrap();
    assert_eq!(back.kid(), Some("gen"));
    assert_eq!(back.to_spki_pem().unwrap(), key.to_spki_pem().unwrap());
    let back_pem = Key::from_pem(key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    let cek = [7u8; 32];
    let ek = back.public_key().unwrap().wrap_cek(Alg::RsaOaep256, &cek).unwrap();
    assert_eq!(back_pem.unwrap_cek(Alg::RsaOaep256, &ek, 32).unwrap().as_slice(), &cek);
}

#[test]
fn debug_never_shows_key_material() {
    let rsa = jwk("rsa-2048.jwk.json");
    let file = jwk_file("rsa-2048.jwk.json");
    let dbg = format!("{rsa:?} {rsa:#?} {:?}", rsa.public_key().unwrap());
    assert!(dbg.contains("RsaPrivate") && dbg.contains("2048") && dbg.contains("test-rsa-2048"), "{dbg}");
    assert!(dbg.contains("RSA-OAEP-256"), "{dbg}");
    for m in ["d", "p", "q", "dp", "dq", "qi", "n"] {
        let v = file[m].as_str().unwrap();
        for chunk in v.as_bytes().chunks(8).filter(|c| c.len() == 8) {
            let chunk = std::str::from_utf8(chunk).unwrap();
            assert!(!dbg.contains(chunk), "Debug shows part of {m}: {dbg}");
        }
    }
    let oct = jwk("aes-256kw.jwk.json");
    let k = jwk_file("aes-256kw.jwk.json")["k"].as_str().unwrap().to_owned();
    let raw = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&k).unwrap()
    };
    let dbg = format!("{oct:?} {oct:#?}");
    assert!(dbg.contains("Oct") && dbg.contains("256") && dbg.contains("A256KW"), "{dbg}");
    for chunk in k.as_bytes().chunks(6).filter(|c| c.len() == 6) {
        assert!(!dbg.contains(std::str::from_utf8(chunk).unwrap()), "{dbg}");
    }
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!dbg.contains(&hex[..8]), "{dbg}");
    assert!(!dbg.contains(&format!("{:?}", &raw[..4])[1..10]), "Debug shows key bytes: {dbg}");
}
