//! The RFC vectors through our JWE layer, with our marker and prefix in front of the RFC's compact
//! JWE: what we support decrypts to the RFC's plaintext with the RFC's key (and, with the RFC's CEK
//! and IV fixed, encrypts to the RFC's bytes); what we refuse is refused by name. Inputs are the plain
//! JWE and JWK files `test-vectors/rfc/<id>.jwe.json` and `<id>.jwk.json`; the descriptive
//! `<id>.json` gives the expected CEK, IV, tag and plaintext.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{Alg, Enc, Marker, Prefix, WriteOptions, PREFIX_LONG};
use blob_seal::keys::Key;
use blob_seal::{content, open_raw, wrap, OpenOptions, Opening};
use serde_json::Value;

const RFC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/rfc");

fn read(file: &str) -> Value {
    let text = std::fs::read_to_string(format!("{RFC}/{file}")).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0);
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn b64d(s: &str) -> Vec<u8> {
    base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, s).unwrap()
}

/// The compact serialization of `<id>.jwe.json` (flattened JSON: its five members joined with dots).
fn compact(id: &str) -> String {
    let jwe = read(&format!("{id}.jwe.json"));
    let members: Vec<&str> = jwe.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(members, ["protected", "encrypted_key", "iv", "ciphertext", "tag"], "{id}: flattened JWE members");
    ["protected", "encrypted_key", "iv", "ciphertext", "tag"].map(|m| jwe[m].as_str().unwrap()).join(".")
}

fn jwk_text(id: &str) -> String {
    read(&format!("{id}.jwk.json")).to_string()
}

/// The blob: marker and prefix, then the RFC's compact JWE.
fn with_prefix(write: WriteOptions, jwe: &str) -> String {
    let mut blob = String::new();
    write.write_prefix(&mut blob);
    blob.push_str(jwe);
    blob
}

const EVERY_PREFIX: [WriteOptions; 4] = [
    WriteOptions { marker: Marker::Published, prefix: Prefix::Long },
    WriteOptions { marker: Marker::Published, prefix: Prefix::Short },
    WriteOptions { marker: Marker::Length, prefix: Prefix::Long },
    WriteOptions { marker: Marker::Length, prefix: Prefix::Short },
];

/// The plain files say what the descriptive file says.
#[test]
fn the_plain_files_match_the_descriptions() {
    let mut n = 0;
    for id in ["rfc7516-A.1", "rfc7516-A.2", "rfc7516-A.3", "rfc7520-5.1", "rfc7520-5.2", "rfc7520-5.8"] {
        let v = read(&format!("{id}.json"));
        assert_eq!(compact(id), v["compact"].as_str().unwrap(), "{id}");
        assert_eq!(read(&format!("{id}.jwk.json")), v["jwk"], "{id}");
        let header: Value = serde_json::from_slice(&b64d(compact(id).split('.').next().unwrap())).unwrap();
        assert_eq!(header, v["protected_header"], "{id}");
        assert_eq!(hex(v["plaintext_hex"].as_str().unwrap()), v["plaintext_utf8"].as_str().unwrap().as_bytes());
        n += 1;
    }
    assert_eq!(n, 6);
}

/// RFC 7516 A.1, A.3 and RFC 7520 5.2, 5.8 open to the RFC plaintext through `Opening`.
#[test]
fn supported_vectors_decrypt_to_the_rfc_plaintext() {
    let mut opened = 0;
    for (id, alg, enc, bits) in [
        ("rfc7516-A.1", Alg::RsaOaep, Enc::A256Gcm, Some(2048)),
        ("rfc7516-A.3", Alg::A128Kw, Enc::A128CbcHs256, None),
        ("rfc7520-5.2", Alg::RsaOaep, Enc::A256Gcm, Some(4096)),
        ("rfc7520-5.8", Alg::A128Kw, Enc::A128Gcm, None),
    ] {
        let v = read(&format!("{id}.json"));
        let jwk: Value = read(&format!("{id}.jwk.json"));
        let key = Key::from_jwk(&jwk_text(id)).unwrap_or_else(|e| panic!("{id}: the RFC key is refused: {e}"));
        // No RFC RSA key is under 2048 bits, so none is refused for its size.
        assert_eq!(key.rsa_bits(), bits, "{id}: key size");
        // The key opens the vector's alg as the JWK says; a JWK without alg is allowed it explicitly.
        let key = match jwk.get("alg") {
            Some(a) => {
                assert_eq!(a, alg.name(), "{id}: the JWK's alg");
                assert!(key.allows(alg));
                key
            }
            None if key.allows(alg) => key,
            None => {
                // Without the explicit allow, the header alone may not choose RSA-OAEP.
                let blob = with_prefix(WriteOptions::default(), &compact(id));
                let err = open_raw(&blob, &key, &OpenOptions::default()).unwrap_err();
                assert_eq!(err.code(), "alg_not_allowed", "{id}");
                key.allow(alg).unwrap()
            }
        };
        let want = hex(v["plaintext_hex"].as_str().unwrap());
        for write in EVERY_PREFIX {
            let blob = with_prefix(write, &compact(id));
            let opening = Opening::parse(&blob, &OpenOptions::default()).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!((opening.alg(), opening.enc()), (alg, enc), "{id}");
            assert_eq!(opening.kid(), jwk.get("kid").and_then(Value::as_str), "{id}: kid");
            assert_eq!((opening.blob().marker(), opening.blob().prefix()), (write.marker, write.prefix));
            let cek = opening.unwrap_cek(&key).unwrap_or_else(|e| panic!("{id}: unwrap: {e}"));
            assert_eq!(&cek[..], hex(v["cek_hex"].as_str().unwrap()), "{id}: the CEK");
            let plaintext = opening.finish_raw(&cek).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(&plaintext[..], want, "{id}: plaintext");
            // The RFC's plaintext is not a backup document: `finish` says so, after decrypting.
            assert_eq!(opening.finish(&cek).unwrap_err().code(), "document_json", "{id}");
            // One-call form.
            assert_eq!(&open_raw(&blob, &key, &OpenOptions::default()).unwrap()[..], want, "{id}");
            opened += 1;
        }
        let text: String = v["plaintext_utf8"].as_str().unwrap().chars().take(30).collect();
        eprintln!("{id}: {alg} + {enc} opens to {text:?}...");
    }
    assert_eq!(opened, 16);
}

/// With the RFC's CEK and IV, our content encryption gives the RFC's ciphertext and tag for every
/// vector, and for the AES-KW ones (deterministic wrap) our key wrap gives the RFC's encrypted key:
/// the whole compact serialization, byte for byte.
#[test]
fn with_the_rfc_cek_and_iv_we_write_the_rfc_bytes() {
    let mut exact = 0;
    for id in ["rfc7516-A.1", "rfc7516-A.3", "rfc7520-5.2", "rfc7520-5.8"] {
        let v = read(&format!("{id}.json"));
        let jwe = compact(id);
        let parts: Vec<&str> = jwe.split('.').collect();
        let alg = Alg::from_name(v["alg"].as_str().unwrap()).unwrap();
        let enc = Enc::from_name(v["enc"].as_str().unwrap()).unwrap();
        let (cek, iv) = (hex(v["cek_hex"].as_str().unwrap()), hex(v["iv_hex"].as_str().unwrap()));
        assert_eq!(b64d(parts[2]), iv, "{id}: the IV");
        let plaintext = hex(v["plaintext_hex"].as_str().unwrap());
        let sealed = content::encrypt(enc, &cek, &iv, parts[0].as_bytes(), &plaintext).unwrap();
        assert_eq!(sealed.ciphertext, b64d(parts[3]), "{id}: ciphertext");
        assert_eq!(sealed.tag, hex(v["tag_hex"].as_str().unwrap()), "{id}: tag");
        assert_eq!(sealed.tag, b64d(parts[4]), "{id}: tag segment");
        if alg.is_rsa() {
            // RSA-OAEP is randomized: our wrap of the CEK differs, and unwraps to the same CEK.
            let key = Key::from_jwk(&jwk_text(id)).unwrap().allow(alg).unwrap();
            let ours = key.wrap_cek(alg, &cek).unwrap();
            assert_ne!(ours, b64d(parts[1]), "{id}");
            assert_eq!(&key.unwrap_cek(alg, &ours, enc.cek_len()).unwrap()[..], cek, "{id}");
            continue;
        }
        let kek = b64d(read(&format!("{id}.jwk.json"))["k"].as_str().unwrap());
        let ek = wrap::aes_kw_wrap(alg, &kek, &cek).unwrap();
        // The Key API wraps the same.
        let key = Key::from_jwk(&jwk_text(id)).unwrap();
        assert_eq!(key.wrap_cek(alg, &cek).unwrap(), ek, "{id}: Key::wrap_cek");
        let ours = blob_format::assemble(&WriteOptions::default(), parts[0], &ek, &iv, &sealed.ciphertext, &sealed.tag);
        assert_eq!(ours, format!("){PREFIX_LONG}{jwe}"), "{id}: byte-exact blob");
        exact += 1;
    }
    assert_eq!(exact, 2);
}

/// RFC 7518 appendix B (AES_CBC_HMAC_SHA2 known answers): B.1 and B.3 encrypt to E and T.
#[test]
fn rfc7518_appendix_b_known_answers() {
    let vectors = read("rfc7518-appendixB-aes-cbc-hmac.json");
    let mut n = 0;
    for v in vectors.as_array().unwrap() {
        let h = |m: &str| hex(v[format!("{m}_hex")].as_str().unwrap());
        let enc = Enc::from_name(v["enc"].as_str().unwrap()).unwrap();
        let sealed = content::encrypt(enc, &h("K"), &h("IV"), &h("A"), &h("P")).unwrap();
        assert_eq!(sealed.ciphertext, h("E"), "{}", v["id"]);
        assert_eq!(sealed.tag, h("T"), "{}", v["id"]);
        let plaintext = content::decrypt(enc, &h("K"), &h("IV"), &h("A"), &h("E"), &h("T")).unwrap();
        assert_eq!(&plaintext[..], h("P"), "{}", v["id"]);
        n += 1;
    }
    assert_eq!(n, 2);
}

/// What we do not support is refused by name: by the format before any key is used, and the keys
/// of those algorithms when loaded.
#[test]
fn refused_vectors_are_refused_by_name() {
    let mut refused = 0;
    for (id, code, key_code) in [
        ("rfc7516-A.2", "forbidden_alg", None),
        ("rfc7520-5.1", "forbidden_alg", Some("unsupported_key_alg")),
        // The EC keys name an ECDH-ES alg, which is checked before the key type.
        ("rfc7520-5.4", "unsupported_alg", Some("unsupported_key_alg")),
        ("rfc7520-5.5", "unsupported_alg", Some("unsupported_key_alg")),
        ("rfc7520-5.6", "forbidden_alg", Some("unsupported_key_alg")),
        ("rfc7520-5.7", "unsupported_alg", Some("unsupported_key_alg")),
        ("rfc7520-5.9", "zip", None),
    ] {
        for write in EVERY_PREFIX {
            let blob = with_prefix(write, &compact(id));
            let err = blob_format::parse(&blob).unwrap_err();
            assert_eq!(err.code(), code, "{id}: {err}");
            let report = blob_format::inspect(&blob);
            assert!(report.errors().any(|f| f.code == code), "{id}: inspect");
            let err = Opening::parse(&blob, &OpenOptions::default()).unwrap_err();
            assert_eq!(err.code(), code, "{id}");
        }
        let key = Key::from_jwk(&jwk_text(id));
        match key_code {
            Some(want) => assert_eq!(key.map(|_| ()).map_err(|e| blob_seal::Error::Key(e).code()), Err(want), "{id}"),
            // The key loads (an RSA key without alg; an A128KW key), and still opens nothing here.
            None => {
                let key = key.unwrap();
                let err = open_raw(&with_prefix(WriteOptions::default(), &compact(id)), &key, &OpenOptions::default());
                assert_eq!(err.unwrap_err().code(), code, "{id}");
            }
        }
        refused += 1;
    }
    assert_eq!(refused, 7);
    // PBES2 (RFC 7520 5.3) and the other JWE algorithms we do not support, in a header of the
    // service's shape in front of A.3's other segments.
    let a3 = compact("rfc7516-A.3");
    let rest = a3.split_once('.').unwrap().1;
    for alg in [
        "PBES2-HS256+A128KW",
        "PBES2-HS512+A256KW",
        "ECDH-ES",
        "ECDH-ES+A256KW",
        "A128GCMKW",
        "RSA-OAEP-384",
        "RSA-OAEP-512",
    ] {
        let header = format!(r#"{{"kid":"k","enc":"A128CBC-HS256","alg":"{alg}"}}"#);
        let blob = format!("){PREFIX_LONG}{}.{rest}", blob_format::base64url_encode(header.as_bytes()));
        assert_eq!(blob_format::parse(&blob).unwrap_err().code(), "unsupported_alg", "{alg}");
    }
}
