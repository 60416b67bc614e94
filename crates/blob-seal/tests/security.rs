//! The security properties of DESIGN.md section 3, one test each, named for the property.
//!
//! Every error these tests provoke comes from a `*_errors()` function, so that
//! `errors_after_a_failed_check_carry_no_plaintext_and_no_key_bytes` can collect them all and look
//! for secrets in their text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use blob_format::{Alg, Builder, Enc, Part};
use blob_seal::content::SecretBytes;
use blob_seal::document::{Document, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::{
    content, open, open_raw, reseal, rewrap, seal, seal_raw, verify, wrap, CryptoError, Error, KeyError, OpenOptions,
    Opening, RotateOptions, SealOptions, Sealing,
};
use openssl::symm::{Cipher, Crypter, Mode};
use zeroize::Zeroizing;

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/keys/");
/// The secret string value: it must never appear in an error or a `Debug` output.
const SECRET: &str = "S3cr3t-Value-never-printed-7f3a";
/// A secret that is a number in a malformed document (serde likes to quote numbers).
const SECRET_NUMBER: &str = "86753094711";
/// The binary secret value.
const SECRET_BYTES: &[u8] = b"binary-secret-bytes-\x00\x01\xfe\xff-end";

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}{name}")).unwrap()
}

fn jwk(name: &str) -> Key {
    Key::from_jwk(&read(name)).unwrap()
}

fn pem(name: &str) -> Key {
    Key::from_pem(read(name).as_bytes()).unwrap()
}

fn rsa() -> Key {
    jwk("rsa-2048.jwk.json")
}

/// Another RSA-2048 key, made once: the wrong key of the same size.
fn other_rsa_2048() -> Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| Key::generate_rsa(2048).unwrap()).clone()
}

fn document() -> Document {
    Document::new(
        Secret::new("app"),
        vec![
            Version::new("v1", "app", SecretValue::string(SECRET)).with_stages(["SYSPREVIOUS"]),
            Version::new("v2", "app", SecretValue::binary(SECRET_BYTES.to_vec())).with_stages(["SYSCURRENT"]),
        ],
    )
}

fn o() -> OpenOptions {
    OpenOptions::default()
}

/// The blob with segment `part` replaced by the base64url of `bytes`.
fn with_segment(blob: &str, part: Part, bytes: &[u8]) -> String {
    let p = blob_format::parse(blob).unwrap();
    let seg = p.segments().iter().find(|s| s.part() == part).copied().unwrap();
    let end = seg.offset() + seg.as_str().len();
    format!("{}{}{}", &blob[..seg.offset()], blob_format::base64url_encode(bytes), &blob[end..])
}

fn decoded(blob: &str, part: Part) -> Vec<u8> {
    let p = blob_format::parse(blob).unwrap();
    let seg = p.segments().iter().find(|s| s.part() == part).copied().unwrap();
    seg.decode()
}

/// Asserts that all errors are one and the same value: the same Debug, Display and code.
fn assert_one_value(errors: &[Error], what: &str) {
    assert!(errors.len() >= 2, "{what}: nothing to compare");
    for e in errors {
        assert!(matches!(e, Error::Crypto(CryptoError::DecryptionFailed)), "{what}: {e:?}");
        assert_eq!(format!("{e:?}"), format!("{:?}", errors[0]), "{what}");
        assert_eq!(e.to_string(), errors[0].to_string(), "{what}");
        assert_eq!(e.code(), "decryption_failed", "{what}");
    }
}

// ---------------------------------------------------------------------------------------------
// Tag verified before any decryption, in constant time; a failed check reveals nothing else.

fn cbc_cipher(enc: Enc) -> Cipher {
    match enc {
        Enc::A128CbcHs256 => Cipher::aes_128_cbc(),
        Enc::A192CbcHs384 => Cipher::aes_192_cbc(),
        _ => Cipher::aes_256_cbc(),
    }
}

/// Raw AES-CBC without padding: a ciphertext that decrypts to exactly `plain`.
fn cbc_without_padding(enc: Enc, key: &[u8], iv: &[u8], plain: &[u8]) -> Vec<u8> {
    let mut c = Crypter::new(cbc_cipher(enc), Mode::Encrypt, key, Some(iv)).unwrap();
    c.pad(false);
    let mut out = vec![0u8; plain.len() + 16];
    let n = c.update(plain, &mut out).unwrap();
    out.truncate(n);
    assert_eq!(out.len(), plain.len());
    out
}

/// For each CBC-HMAC enc: bad padding under a valid tag, a bad tag over good padding, a bad tag over
/// bad padding; through `open` and through the two phases.
fn tag_check_errors() -> Vec<Vec<Error>> {
    let k = jwk("aes-256kw.jwk.json");
    let mut groups = Vec::new();
    for enc in [Enc::A128CbcHs256, Enc::A192CbcHs384, Enc::A256CbcHs512] {
        let blob = seal(&document(), &k, &SealOptions { enc, ..SealOptions::default() }).unwrap();
        let opening = Opening::parse(&blob, &o()).unwrap();
        // The two-phase API gives the CEK, so we can compute a valid tag over anything.
        let cek = opening.unwrap_cek(&k).unwrap();
        let (iv, aad) = (opening.blob().iv().decode(), opening.blob().aad().to_vec());
        let enc_key = &cek[cek.len() / 2..];
        // Two blocks whose last plaintext byte is 0x00: never valid PKCS#7 padding.
        let bad_padding = cbc_without_padding(enc, enc_key, &iv, &[0x41; 32]);
        // The padding really is bad: OpenSSL's own padded decryption refuses it.
        assert!(openssl::symm::decrypt(cbc_cipher(enc), enc_key, Some(&iv), &bad_padding).is_err());
        let valid_tag = content::cbc_hmac_tag(enc, &cek, &aad, &iv, &bad_padding).unwrap();
        // The tag really is valid: whatever fails below fails on the padding, after the tag check.
        content::verify_cbc_hmac_tag(enc, &cek, &aad, &iv, &bad_padding, &valid_tag).unwrap();
        let good_ct = opening.blob().ciphertext().decode();
        let mut bad_tag = opening.blob().tag().decode();
        bad_tag[0] ^= 0x80;

        let cases = [
            with_segment(&with_segment(&blob, Part::Ciphertext, &bad_padding), Part::Tag, &valid_tag),
            with_segment(&blob, Part::Tag, &bad_tag),
            with_segment(&with_segment(&blob, Part::Ciphertext, &bad_padding), Part::Tag, &bad_tag),
        ];
        let mut errors = Vec::new();
        for case in &cases {
            errors.push(open(case, &k, &o()).unwrap_err());
            errors.push(open_raw(case, &k, &o()).unwrap_err());
            errors.push(verify(case, &k, &o()).unwrap_err());
            let opening = Opening::parse(case, &o()).unwrap();
            assert_eq!(&opening.unwrap_cek(&k).unwrap()[..], &cek[..], "same CEK: only the content changed");
            errors.push(opening.finish(&cek).unwrap_err());
            errors.push(opening.finish_raw(&cek).unwrap_err());
            // The primitive itself: one value.
            let p = opening.blob();
            let e = content::decrypt(enc, &cek, &iv, p.aad(), &p.ciphertext().decode(), &p.tag().decode()).unwrap_err();
            errors.push(Error::Crypto(e));
        }
        // The unaltered blob opens, and a good tag over good padding decrypts.
        assert_eq!(open(&blob, &k, &o()).unwrap(), document());
        assert!(content::verify_cbc_hmac_tag(enc, &cek, &aad, &iv, &good_ct, &bad_tag).is_err());
        groups.push(errors);
    }
    // GCM: a tampered tag and a tampered ciphertext, one value too.
    let blob = seal(&document(), &k, &SealOptions { enc: Enc::A256Gcm, ..SealOptions::default() }).unwrap();
    let mut errors = Vec::new();
    for part in [Part::Tag, Part::Ciphertext, Part::Iv] {
        let mut bytes = decoded(&blob, part);
        bytes[1] ^= 0x10;
        errors.push(open(&with_segment(&blob, part, &bytes), &k, &o()).unwrap_err());
    }
    groups.push(errors);
    groups
}

#[test]
fn tag_is_verified_before_decryption_in_constant_time() {
    let groups = tag_check_errors();
    assert_eq!(groups.len(), 4);
    for (i, errors) in groups.iter().enumerate() {
        assert_one_value(errors, &format!("group {i}"));
    }
    assert_eq!(groups[0].len(), 3 * 6);
    // All groups, CBC and GCM: the very same value.
    assert_one_value(&groups.into_iter().flatten().collect::<Vec<_>>(), "all");
    // The comparison is OpenSSL's CRYPTO_memcmp, not `==` (a timing test would be flaky; this pins the
    // implementation the constant-time claim rests on).
    let src = include_str!("../src/content.rs");
    assert!(src.contains("openssl::memcmp::eq(&expected, tag)"), "constant-time tag comparison");
    assert!(!src.contains("expected == tag") && !src.contains("tag == expected"));
}

// ---------------------------------------------------------------------------------------------
// RSA-OAEP unwrap failure does not return early.

/// A wrong RSA key (same size, same kid; and another size), a tampered encrypted key, an encrypted key
/// that unwraps to a CEK of the wrong length, and one made with the other OAEP hash.
fn rsa_unwrap_errors() -> Vec<Error> {
    let k = rsa();
    let doc = document();
    let blob = seal(&doc, &k, &SealOptions::default()).unwrap();
    let public = pem("rsa-2048.pub.pem");
    let mut errors = Vec::new();
    // 1. Wrong keys, past the kid check.
    errors.push(open(&blob, &other_rsa_2048().with_kid("test-rsa-2048"), &o()).unwrap_err());
    errors.push(open(&blob, &jwk("rsa-3072.jwk.json").with_kid("test-rsa-2048"), &o()).unwrap_err());
    // 2. Tampered encrypted key (first, middle, last byte).
    let ek = decoded(&blob, Part::EncryptedKey);
    let mut tampered_blobs = Vec::new();
    for i in [0, 128, 255] {
        let mut bytes = ek.clone();
        bytes[i] ^= 0x04;
        tampered_blobs.push(with_segment(&blob, Part::EncryptedKey, &bytes));
    }
    // 3. A well-formed OAEP ciphertext of a 16-byte CEK for an A128CBC-HS256 blob (needs 32).
    let sealing = Sealing::new(&doc, &SealOptions::default()).unwrap();
    let short = public.wrap_cek(Alg::RsaOaep256, &[7; 16]).unwrap();
    tampered_blobs.push(sealing.finish(Alg::RsaOaep256, "test-rsa-2048", &short).unwrap());
    // 4. The right CEK under the other OAEP hash (RSA-OAEP), the header saying RSA-OAEP-256.
    let sealing = Sealing::new(&doc, &SealOptions::default()).unwrap();
    let sha1 = public.clone().allow(Alg::RsaOaep).unwrap().wrap_cek(Alg::RsaOaep, sealing.cek()).unwrap();
    tampered_blobs.push(sealing.finish(Alg::RsaOaep256, "test-rsa-2048", &sha1).unwrap());
    for b in &tampered_blobs {
        errors.push(open(b, &k, &o()).unwrap_err());
        errors.push(verify(b, &k, &o()).unwrap_err());
        errors.push(rewrap(b, &k, &jwk("aes-128kw.jwk.json"), &RotateOptions::default()).unwrap_err());
        // The unwrap itself never fails on the data: it returns a random CEK of the right length
        // (a new one each time), and the failure comes at the tag.
        let opening = Opening::parse(b, &o()).unwrap();
        let (a, c) = (opening.unwrap_cek(&k).unwrap(), opening.unwrap_cek(&k).unwrap());
        assert_eq!((a.len(), c.len()), (32, 32));
        assert_ne!(&a[..], &c[..], "a random CEK per attempt");
    }
    // The untouched blob unwraps to the same CEK every time.
    let opening = Opening::parse(&blob, &o()).unwrap();
    assert_eq!(&opening.unwrap_cek(&k).unwrap()[..], &opening.unwrap_cek(&k).unwrap()[..]);
    assert_eq!(tampered_blobs.len(), 5);
    errors
}

#[test]
fn rsa_oaep_unwrap_failure_does_not_return_early() {
    let errors = rsa_unwrap_errors();
    assert_eq!(errors.len(), 2 + 5 * 3);
    assert_one_value(&errors, "RSA unwrap");
    // The same value as a failed tag check.
    let tag = tag_check_errors();
    assert_eq!(format!("{:?}", errors[0]), format!("{:?}", tag[0][0]));
}

// ---------------------------------------------------------------------------------------------
// A kid that does not match the key is public and reported as such before any decryption.

fn kid_errors() -> Vec<Error> {
    let header = blob_format::Header::new(Alg::RsaOaep256, Enc::A128CbcHs256).with_kid("test-rsa-2048");
    // Garbage of valid lengths everywhere but the header: nothing here would decrypt.
    let garbage = Builder::new(header).encrypted_key(&[0x55; 256]).iv(&[1; 16]).ciphertext(&[2; 48]).tag(&[3; 16]);
    let garbage = garbage.to_string();
    let real = seal(&document(), &rsa(), &SealOptions::default()).unwrap();
    let other = jwk("rsa-4096.jwk.json");
    let mut errors = Vec::new();
    for blob in [&garbage, &real] {
        errors.push(open(blob, &other, &o()).unwrap_err());
        errors.push(verify(blob, &other, &o()).unwrap_err());
        errors.push(Opening::parse(blob, &o()).unwrap().unwrap_cek(&other).unwrap_err());
        errors.push(rewrap(blob, &other, &rsa(), &RotateOptions::default()).unwrap_err());
        errors.push(reseal(blob, &other, &rsa(), &RotateOptions::default()).unwrap_err());
    }
    // AES-KW: a failed key unwrap would say decryption_failed; the kid speaks first.
    let aes_blob = seal(&document(), &jwk("aes-256kw.jwk.json"), &SealOptions::default()).unwrap();
    errors.push(open(&aes_blob, &Key::from_oct(&[3; 32]).unwrap().with_kid("another"), &o()).unwrap_err());
    // The garbage blob with the matching kid: it goes to the crypto, which fails.
    let failed = open(&garbage, &rsa(), &o()).unwrap_err();
    assert!(failed.is_decryption_failed(), "{failed:?}");
    errors.push(failed);
    errors
}

#[test]
fn kid_mismatch_is_its_own_kind_reported_before_decryption() {
    let errors = kid_errors();
    let (mismatches, rest) = errors.split_at(errors.len() - 1);
    assert_eq!(mismatches.len(), 11);
    for e in mismatches {
        assert!(matches!(e, Error::KidMismatch { .. }), "{e:?}");
        assert_eq!(e.code(), "kid_mismatch");
        assert!(!e.is_decryption_failed());
    }
    assert!(
        matches!(&mismatches[0], Error::KidMismatch { blob, key } if blob == "test-rsa-2048" && key == "test-rsa-4096")
    );
    assert!(rest[0].is_decryption_failed());
}

// ---------------------------------------------------------------------------------------------
// Segment lengths are checked against enc before any crypto.

fn segment_length_errors() -> Vec<(Error, &'static str, Part)> {
    let mut out = Vec::new();
    for (k, alg) in [(rsa(), Alg::RsaOaep256), (jwk("aes-128kw.jwk.json"), Alg::A128Kw)] {
        for enc in Enc::ALL {
            let blob = seal(&document(), &k, &SealOptions { enc, alg: Some(alg), ..SealOptions::default() }).unwrap();
            let p = blob_format::parse(&blob).unwrap();
            let (ek, iv, ct, tag) =
                (p.encrypted_key().decode(), p.iv().decode(), p.ciphertext().decode(), p.tag().decode());
            let build = |ek: &[u8], iv: &[u8], ct: &[u8], tag: &[u8]| {
                Builder::new(p.header().clone()).encrypted_key(ek).iv(iv).ciphertext(ct).tag(tag).to_string()
            };
            let mut cases = vec![
                (build(&ek, &iv[1..], &ct, &tag), "iv_length", Part::Iv),
                (build(&ek, &[iv.as_slice(), &[0]].concat(), &ct, &tag), "iv_length", Part::Iv),
                (build(&ek, &iv, &ct, &tag[..tag.len() / 2]), "tag_length", Part::Tag),
                (build(&ek, &iv, &ct, &tag[1..]), "tag_length", Part::Tag),
                (build(&ek, &iv, &ct, &[tag.as_slice(), &[0]].concat()), "tag_length", Part::Tag),
                (build(&ek[1..], &iv, &ct, &tag), "encrypted_key_length", Part::EncryptedKey),
                (build(&ek[..ek.len() / 2], &iv, &ct, &tag), "encrypted_key_length", Part::EncryptedKey),
                (
                    build(&[ek.as_slice(), &[0; 1024]].concat(), &iv, &ct, &tag),
                    "encrypted_key_length",
                    Part::EncryptedKey,
                ),
            ];
            if enc.is_cbc_hmac() {
                cases.push((build(&ek, &iv, &ct[1..], &tag), "ciphertext_length", Part::Ciphertext));
            }
            // A key that could never open the blob (wrong kid skipped, wrong bytes): the format speaks first.
            let wrong = match alg {
                Alg::A128Kw => Key::from_oct(&[1; 16]).unwrap(),
                _ => other_rsa_2048(),
            };
            for (b, code, part) in cases {
                out.push((open(&b, &wrong, &o()).unwrap_err(), code, part));
                out.push((Opening::parse(&b, &o()).unwrap_err(), code, part));
            }
        }
    }
    out
}

#[test]
fn segment_lengths_are_checked_before_any_crypto() {
    let errors = segment_length_errors();
    // 2 key families x 6 encs x (8 cases, 9 for CBC) x 2 entry points.
    assert_eq!(errors.len(), 2 * (3 * 9 + 3 * 8) * 2);
    for (e, code, part) in &errors {
        assert!(matches!(e, Error::Format(f) if f.part == *part), "{code}: a format error, not a crypto one: {e:?}");
        assert_eq!(e.code(), *code);
    }
    // The primitives refuse bad lengths with named errors, never DecryptionFailed or a panic.
    for iv_len in [0, 11, 13, 16] {
        let e = content::decrypt(Enc::A128Gcm, &[0; 16], &vec![0; iv_len], b"", b"x", &[0; 16]).unwrap_err();
        assert!(matches!(e, CryptoError::IvLength { .. }), "{e:?}");
    }
    for tag_len in [0, 8, 15, 17] {
        let e = content::decrypt(Enc::A128CbcHs256, &[0; 32], &[0; 16], b"", &[0; 16], &vec![0; tag_len]).unwrap_err();
        assert!(matches!(e, CryptoError::TagLength { .. }), "{e:?}");
    }
    let e = content::decrypt(Enc::A128CbcHs256, &[0; 32], &[0; 16], b"", &[0; 15], &[0; 16]).unwrap_err();
    assert!(matches!(e, CryptoError::CiphertextLength { .. }), "{e:?}");
    let e = content::decrypt(Enc::A256Gcm, &[0; 16], &[0; 12], b"", b"x", &[0; 16]).unwrap_err();
    assert!(matches!(e, CryptoError::CekLength { .. }), "{e:?}");
}

// ---------------------------------------------------------------------------------------------
// Key sizes: RSA at least 2048 bits; AES-KW KEK of the size the alg names.

fn key_size_errors() -> Vec<(Error, &'static str)> {
    let mut out = Vec::new();
    for name in ["rsa-1024.pem", "rsa-1024.pub.pem", "rsa-1024.jwk.json", "rsa-1024.pub.jwk.json"] {
        let text = read(name);
        let e = if name.ends_with(".pem") { Key::from_pem(text.as_bytes()) } else { Key::from_jwk(&text) };
        let e = e.unwrap_err();
        assert!(matches!(e, KeyError::KeyTooSmall { bits: 1024 }), "{name}: {e:?}");
        out.push((Error::from(e), "key_too_small"));
        out.push((Error::from(Key::from_bytes(text.as_bytes()).unwrap_err()), "key_too_small"));
    }
    out.push((Error::from(Key::generate_rsa(1024).unwrap_err()), "key_too_small"));
    for len in [0, 8, 15, 17, 20, 31, 33, 64] {
        out.push((Error::from(Key::from_oct(&vec![0x11; len]).unwrap_err()), "oct_key_length"));
    }
    // A JWK naming A256KW with a 128-bit key, and a key wrap of another size allowed by hand.
    let jwk_text = r#"{"kty":"oct","alg":"A256KW","kid":"x","k":"fYX7OgfxiTmgInu37pmvcQ"}"#;
    out.push((Error::from(Key::from_jwk(jwk_text).unwrap_err()), "wrong_key_size"));
    out.push((Error::from(jwk("aes-128kw.jwk.json").allow(Alg::A256Kw).unwrap_err()), "wrong_key_size"));
    out.push((Error::from(jwk("aes-256kw.jwk.json").pin(Alg::A192Kw).unwrap_err()), "wrong_key_size"));
    // The raw primitives check the KEK length too.
    let e = wrap::aes_kw_wrap(Alg::A256Kw, &[0; 16], &[0; 32]).unwrap_err();
    assert!(matches!(e, CryptoError::KekLength { expected: 32, actual: 16, .. }), "{e:?}");
    out.push((Error::from(e), "kek_length"));
    let e = wrap::aes_kw_unwrap(Alg::A128Kw, &[0; 24], &[0; 40], 32).unwrap_err();
    out.push((Error::from(e), "kek_length"));
    out
}

#[test]
fn key_sizes_are_enforced() {
    let errors = key_size_errors();
    assert_eq!(errors.len(), 4 * 2 + 1 + 8 + 3 + 2);
    for (e, code) in &errors {
        assert_eq!(e.code(), *code, "{e:?}");
    }
    // The smallest accepted sizes load and work.
    let doc = document();
    for k in [rsa(), jwk("aes-128kw.jwk.json"), jwk("aes-192kw.jwk.json"), jwk("aes-256kw.jwk.json")] {
        let blob = seal(&doc, &k, &SealOptions::default()).unwrap();
        assert_eq!(open(&blob, &k, &o()).unwrap(), doc);
    }
}

// ---------------------------------------------------------------------------------------------
// Fresh CEK and IV from the CSPRNG for every seal.

#[test]
fn every_seal_draws_a_fresh_cek_and_iv() {
    let doc = document();
    let aes = jwk("aes-256kw.jwk.json");
    let mut count = 0;
    for enc in Enc::ALL {
        let options = SealOptions { enc, ..SealOptions::default() };
        let (a, b) = (seal(&doc, &aes, &options).unwrap(), seal(&doc, &aes, &options).unwrap());
        for part in [Part::EncryptedKey, Part::Iv, Part::Ciphertext, Part::Tag] {
            assert_ne!(decoded(&a, part), decoded(&b, part), "{enc} {part:?}");
        }
        let cek = |blob: &str| Opening::parse(blob, &o()).unwrap().unwrap_cek(&aes).unwrap();
        assert_ne!(&cek(&a)[..], &cek(&b)[..], "{enc}: CEK");
        // RSA too (where OAEP is randomised anyway, the IV and ciphertext show the fresh CEK and IV).
        let (a, b) = (seal(&doc, &rsa(), &options).unwrap(), seal(&doc, &rsa(), &options).unwrap());
        for part in [Part::EncryptedKey, Part::Iv, Part::Ciphertext] {
            assert_ne!(decoded(&a, part), decoded(&b, part), "RSA {enc} {part:?}");
        }
        count += 1;
    }
    assert_eq!(count, 6);
    // Over many seals of one document under one key: no IV and no CEK twice.
    let mut ivs = Vec::new();
    let mut ceks = Vec::new();
    for _ in 0..64 {
        let blob = seal(&doc, &aes, &SealOptions { enc: Enc::A128Gcm, ..SealOptions::default() }).unwrap();
        ivs.push(decoded(&blob, Part::Iv));
        ceks.push(Opening::parse(&blob, &o()).unwrap().unwrap_cek(&aes).unwrap().to_vec());
    }
    for list in [&mut ivs, &mut ceks] {
        assert_eq!(list.len(), 64);
        list.sort();
        list.dedup();
        assert_eq!(list.len(), 64);
    }
    // And the two-phase API hands out a fresh CEK per Sealing.
    let (s1, s2) =
        (Sealing::new(&doc, &SealOptions::default()).unwrap(), Sealing::new(&doc, &SealOptions::default()).unwrap());
    assert_ne!(s1.cek(), s2.cek());
}

// ---------------------------------------------------------------------------------------------
// Secrets live in zeroizing buffers; Debug prints a redaction, never the value.

/// Renderings of secret bytes that a careless `Debug` or error would show: Debug of the bytes, hex,
/// base64url.
fn renderings(bytes: &[u8]) -> [String; 3] {
    [
        format!("{:?}", &bytes[..8]).trim_end_matches(']').to_owned(),
        hex(&bytes[..8]),
        blob_format::base64url_encode(bytes)[..10].to_owned(),
    ]
}

/// The texts that must never be shown: the secret values in every rendering, and key members (RSA
/// private members, AES KEKs, the PEM body).
fn secrets() -> Vec<String> {
    let rsa_jwk: serde_json::Value = serde_json::from_str(&read("rsa-2048.jwk.json")).unwrap();
    let mut out = vec![
        SECRET.to_owned(),
        SECRET_NUMBER.to_owned(),
        "binary-secret-bytes".to_owned(),
        base64_std(SECRET_BYTES)[..20].to_owned(),
    ];
    out.extend(renderings(SECRET_BYTES));
    for member in ["d", "p", "q", "dp", "dq", "qi"] {
        out.push(rsa_jwk[member].as_str().unwrap()[..16].to_owned());
    }
    for name in ["aes-128kw.jwk.json", "aes-192kw.jwk.json", "aes-256kw.jwk.json"] {
        let v: serde_json::Value = serde_json::from_str(&read(name)).unwrap();
        let k = v["k"].as_str().unwrap();
        out.push(k[..12].to_owned());
        out.extend(renderings(&base64url_decode(k)));
    }
    // The PEM body of the private key.
    let pem_text = read("rsa-2048.pem");
    out.push(pem_text.lines().nth(5).unwrap().to_owned());
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn base64url_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap()
}

/// Where the secrets really are: every needle of [`secrets`] must be found here, or it proves nothing.
fn truth() -> String {
    let mut out = String::from_utf8(document().to_json().to_vec()).unwrap();
    out.push_str(SECRET_NUMBER);
    out.push_str(&String::from_utf8_lossy(SECRET_BYTES));
    out.extend(renderings(SECRET_BYTES));
    for name in ["rsa-2048.jwk.json", "rsa-2048.pem", "aes-128kw.jwk.json", "aes-192kw.jwk.json", "aes-256kw.jwk.json"]
    {
        let text = read(name);
        out.push_str(&text);
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            if let Some(k) = v["k"].as_str() {
                out.extend(renderings(&base64url_decode(k)));
            }
        }
    }
    out
}

fn assert_nothing_secret(texts: &[String], secrets: &[String]) {
    assert!(!texts.is_empty() && secrets.len() > 20);
    let truth = truth();
    for text in texts {
        for s in secrets {
            assert!(s.len() >= 6, "a needle too short to mean anything: {s:?}");
            assert!(truth.contains(s.as_str()), "a needle found nowhere: {s:?}");
            assert!(!text.contains(s.as_str()), "{s:?} leaked into:\n{text}");
        }
    }
}

#[test]
fn debug_output_is_redacted_and_secrets_are_in_zeroizing_buffers() {
    let doc = document();
    let sealing = Sealing::new(&doc, &SealOptions::default()).unwrap();
    let cek = sealing.cek().to_vec();
    let keys = [
        rsa(),
        pem("rsa-2048.pem"),
        jwk("rsa-2048.pub.jwk.json"),
        jwk("aes-128kw.jwk.json"),
        jwk("aes-192kw.jwk.json"),
        jwk("aes-256kw.jwk.json"),
    ];
    let aes = jwk("aes-256kw.jwk.json");
    let blob = seal(&doc, &aes, &SealOptions::default()).unwrap();
    let opening = Opening::parse(&blob, &o()).unwrap();
    let summary = verify(&blob, &aes, &o()).unwrap();
    let mut texts = vec![
        format!("{doc:?}"),
        format!("{doc:#?}"),
        format!("{:?} {:#?}", doc.versions[0].value, doc.versions[1].value),
        format!("{sealing:?}"),
        format!("{sealing:#?}"),
        format!("{opening:?} {opening:#?}"),
        format!("{summary:?} {summary:#?}"),
        serde_json::to_string(&doc.to_json_redacted()).unwrap(),
    ];
    for k in &keys {
        texts.push(format!("{k:?}"));
        texts.push(format!("{k:#?}"));
    }
    // The CEK, in the same renderings (it is its own truth: it exists nowhere else).
    let cek_texts = renderings(&cek);
    assert_nothing_secret(&texts, &secrets());
    for text in &texts {
        for needle in &cek_texts {
            assert!(!text.contains(needle.as_str()), "the CEK ({needle}) leaked into:\n{text}");
        }
    }
    assert!(texts[0].contains("redacted") && texts[3].contains("redacted"), "{}\n{}", texts[0], texts[3]);

    // The types that hold secrets are zeroizing (checked at compile time).
    // Plaintexts are `SecretBytes` (wiped whole on drop by zeroize's bulk path).
    fn zeroize_on_drop<T: zeroize::ZeroizeOnDrop>(value: T) -> T {
        value
    }
    let plaintext: SecretBytes = zeroize_on_drop(open_raw(&blob, &aes, &o()).unwrap());
    let _: Zeroizing<Vec<u8>> = opening.unwrap_cek(&aes).unwrap();
    let _: SecretBytes = zeroize_on_drop(opening.finish_raw(&opening.unwrap_cek(&aes).unwrap()).unwrap());
    // Its Debug shows the length only.
    let shown = format!("{plaintext:?} {plaintext:#?}");
    assert!(shown.contains("redacted") && !shown.contains(SECRET), "{shown}");
    let _: Zeroizing<Vec<u8>> = doc.to_json();
    let _: Zeroizing<Vec<u8>> = content::generate_cek(Enc::A256CbcHs512).unwrap();
    let _: Zeroizing<String> = rsa().to_pkcs8_pem().unwrap();
    assert!(matches!(&doc.versions[0].value, SecretValue::String(s) if s.as_str() == SECRET));
    assert!(matches!(&doc.versions[1].value, SecretValue::Binary(b) if b.as_slice() == SECRET_BYTES));
}

// ---------------------------------------------------------------------------------------------
// Errors after a failed check carry no plaintext and no key bytes.

/// Document errors with secret values in the failing document, through `open` of a `seal_raw` blob.
/// A document with one version whose members after `version_metadata` are `value`.
fn one_version(value: &str) -> String {
    format!(
        r#"{{"format_version":1,"secret":{{"name":"app"}},"versions":[{{"version_metadata":{{"id":"v1","secret_name":"app"}},{value}}}]}}"#
    )
}

/// Opens `seal_raw` blobs of these plaintexts and returns the document errors.
fn open_errors(plaintexts: &[String]) -> Vec<Error> {
    let k = rsa();
    let mut errors = Vec::new();
    for plaintext in plaintexts {
        let blob = seal_raw(plaintext.as_bytes(), &k, &SealOptions::default()).unwrap();
        let e = open(&blob, &k, &o()).unwrap_err();
        assert!(matches!(e, Error::Document(_)), "{plaintext}: {e:?}");
        errors.push(e);
    }
    assert_eq!(errors.len(), plaintexts.len());
    errors
}

fn document_errors() -> Vec<Error> {
    let k = rsa();
    let plaintexts = [
        one_version(&format!(r#""secret_string":"{SECRET}","secret_binary":"AA==""#)),
        one_version(&format!(r#""secret_string":["{SECRET}"]"#)),
        one_version(&format!(r#""secret_string":{{"{SECRET}":1}}"#)),
        one_version(&format!(r#""secret_binary":"{SECRET}!""#)),
        one_version(&format!(r#""secret_binary":["{SECRET}"]"#)),
        one_version(&format!(r#""secret_string":"{SECRET}","secret_string":"x""#)),
        one_version(&format!(r#""secret_string":"{SECRET}""#)).replace(r#""id":"v1""#, r#""id":"""#),
        one_version(&format!(r#""secret_string":"{SECRET}""#)).replace(r#""secret_name":"app""#, r#""secret_name":7"#),
        one_version(&format!(r#""secret_string":"{SECRET}"#)),
        format!(r#"{{"format_version":1,"secret":{{"name":"app"}},"versions":[],"{SECRET}":"#),
        format!("{SECRET} is not JSON"),
        format!(r#"{{"format_version":424242,"versions":["{SECRET}"]}}"#),
    ];
    let mut errors = open_errors(&plaintexts);
    // Too large a value, on seal and on open.
    let big =
        Document::new(Secret::new("app"), vec![Version::new("v1", "app", SecretValue::string(SECRET.repeat(3000)))]);
    errors.push(seal(&big, &k, &SealOptions::default()).unwrap_err());
    let blob = seal_raw(&big.to_json(), &k, &SealOptions::default()).unwrap();
    errors.push(open(&blob, &k, &o()).unwrap_err());
    errors
}

/// Key-loading errors of keys whose members are malformed: they never quote the members.
fn key_loading_errors() -> Vec<Error> {
    let mut out = Vec::new();
    let text = read("rsa-2048.jwk.json");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let d = v["d"].as_str().unwrap();
    for broken in [
        text.replace(d, &format!("{d}=")),
        text.replace(d, &format!("{d}!")),
        text.replace(d, &d[1..]),
        text.replace(&format!("\"d\": \"{d}\""), &format!("\"d\": \"{d}\", \"d\": \"{d}\"")),
    ] {
        assert_ne!(broken, text);
        out.push(Error::from(Key::from_jwk(&broken).unwrap_err()));
    }
    let aes = read("aes-256kw.jwk.json");
    let k: serde_json::Value = serde_json::from_str(&aes).unwrap();
    let k = k["k"].as_str().unwrap();
    out.push(Error::from(Key::from_jwk(&aes.replace(k, &k[..20])).unwrap_err()));
    out.push(Error::from(Key::from_jwk(&aes.replace(k, &format!("{k}==="))).unwrap_err()));
    let pem_text = read("rsa-2048.pem");
    let line = pem_text.lines().nth(5).unwrap();
    out.push(Error::from(Key::from_pem(pem_text.replace(line, &line[3..]).as_bytes()).unwrap_err()));
    out
}

/// A secret value that is a number where a string belongs (a malformed document of another writer).
fn numeric_value_errors() -> Vec<Error> {
    open_errors(&[
        one_version(&format!(r#""secret_string":{SECRET_NUMBER}"#)),
        one_version(&format!(r#""secret_string":-{SECRET_NUMBER}.5e3"#)),
        one_version(&format!(r#""secret_binary":{SECRET_NUMBER}"#)),
    ])
}

#[test]
fn errors_do_not_echo_a_number_put_in_a_value_position() {
    let errors = numeric_value_errors();
    let texts: Vec<String> = errors.iter().map(|e| format!("{e}\n{e:?}\n{}", chain(e))).collect();
    for e in &errors {
        assert_eq!(e.code(), "document_schema");
    }
    assert_nothing_secret(&texts, &secrets());
}

#[test]
fn errors_after_a_failed_check_carry_no_plaintext_and_no_key_bytes() {
    let mut errors: Vec<Error> = Vec::new();
    errors.extend(tag_check_errors().into_iter().flatten());
    errors.extend(rsa_unwrap_errors());
    errors.extend(kid_errors());
    errors.extend(segment_length_errors().into_iter().map(|(e, _, _)| e));
    errors.extend(key_size_errors().into_iter().map(|(e, _)| e));
    errors.extend(limit_errors());
    errors.extend(document_errors());
    errors.extend(key_loading_errors());
    assert!(errors.len() > 200, "{}", errors.len());
    let codes: std::collections::BTreeSet<&str> = errors.iter().map(Error::code).collect();
    assert!(codes.len() >= 20, "{codes:?}");
    let texts: Vec<String> = errors.iter().map(|e| format!("{e}\n{e:?}\n{e:#?}\n{}", chain(e))).collect();
    assert_nothing_secret(&texts, &secrets());
}

/// The error and its sources, as a CLI prints them.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Limits, with safe defaults; a blob over a limit is refused before it is decoded.

fn limit_errors() -> Vec<Error> {
    let k = rsa();
    let mut out = Vec::new();
    // 13 MiB of characters no blob may contain: any decoding would report them; the limit comes first.
    let huge = "!".repeat(13 << 20);
    let body = format!(r#"{{"secret_blob":"{huge}"}}"#);
    let marked = format!("){}{}", blob_format::PREFIX_LONG, huge);
    for input in [&huge, &body, &marked] {
        let start = Instant::now();
        let e = open(input, &k, &o()).unwrap_err();
        let elapsed = start.elapsed();
        assert!(elapsed < Duration::from_secs(1), "{elapsed:?}: not refused up front");
        out.push(e);
        out.push(verify(input, &k, &o()).unwrap_err());
        out.push(rewrap(input, &k, &k, &RotateOptions::default()).unwrap_err());
    }
    // A header over 4096 characters, of characters that are not base64url.
    let header = format!("){}{}.AAAA.AAAA.AAAA.AAAA", blob_format::PREFIX_LONG, "A".repeat(5000));
    out.push(open(&header, &k, &o()).unwrap_err());
    // A ciphertext over the plaintext bound: refused from its length, garbage inside.
    let blob = seal(&document(), &k, &SealOptions::default()).unwrap();
    let n = decoded(&blob, Part::Ciphertext).len();
    let garbage = with_segment(&blob, Part::Ciphertext, &vec![0x5A; n + 64]);
    let tight = OpenOptions { document: blob_seal::DocumentLimits::DEFAULT.with_max_document_len(n), ..o() };
    out.push(open(&garbage, &k, &tight).unwrap_err());
    out
}

#[test]
fn limits_are_refused_before_decoding() {
    let errors = limit_errors();
    let codes: Vec<&str> = errors.iter().map(Error::code).collect();
    assert_eq!(codes[..9], ["input_too_large"; 9]);
    assert_eq!(codes[9..], ["header_too_large", "plaintext_too_large"]);
    assert!(matches!(&errors[0], Error::Format(f) if f.part == Part::Input && f.offset == 0), "{:?}", errors[0]);
    // The defaults are the documented ones.
    assert_eq!(o().format.max_input_len, 12 << 20);
    assert_eq!(o().format.max_header_len, 4096);
    assert_eq!(o().document.max_versions, 20);
    assert_eq!(o().document.max_value_len, 64 * 1024);
    // At the default limits, the largest document the service can produce seals and opens: 20 versions
    // of 64 KiB binary values.
    let k = jwk("aes-128kw.jwk.json");
    let versions =
        (0..20).map(|i| Version::new(format!("v{i}"), "big", SecretValue::binary(vec![i as u8; 64 * 1024]))).collect();
    let big = Document::new(Secret::new("big"), versions);
    let blob = seal(&big, &k, &SealOptions::default()).unwrap();
    assert!(blob.len() > 1_700_000, "{}", blob.len());
    assert_eq!(open(&blob, &k, &o()).unwrap().versions.len(), 20);
}

// ---------------------------------------------------------------------------------------------
// No panics on any input.

#[test]
fn no_panic_on_truncated_or_altered_input() {
    let k = jwk("aes-128kw.jwk.json");
    let doc = Document::new(Secret::new("s"), vec![Version::new("v1", "s", SecretValue::string("x"))]);
    let mut calls = 0;
    for enc in [Enc::A128CbcHs256, Enc::A128Gcm] {
        let blob = seal(&doc, &k, &SealOptions { enc, ..SealOptions::default() }).unwrap();
        let mut inputs: Vec<String> = (0..blob.len()).map(|n| blob[..n].to_owned()).collect();
        // Every position replaced by characters that matter to a parser.
        for (i, _) in blob.char_indices() {
            for c in ['.', '=', 'A', '_', '\u{e9}', '"', '\n'] {
                let mut s = blob.clone();
                s.replace_range(i..i + 1, &c.to_string());
                inputs.push(s);
            }
        }
        for input in &inputs {
            let results = [
                open(input, &k, &o()).map(|_| ()),
                verify(input, &k, &o()).map(|_| ()),
                rewrap(input, &k, &k, &RotateOptions::default()).map(|_| ()),
            ];
            calls += results.len();
            if input == &blob {
                continue;
            }
            // A panic would end the test; and no change of a single character opens.
            for r in results {
                assert!(r.is_err(), "{input}");
            }
            if let Ok(opening) = Opening::parse(input, &o()) {
                for len in [0, 1, 16, 31, 32, 33, 64] {
                    let _ = opening.finish(&vec![0x24; len]);
                }
            }
        }
    }
    assert!(calls > 2 * 3 * 8 * 200, "{calls}");
}
