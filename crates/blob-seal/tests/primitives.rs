//! Known answers, Wycheproof and security properties of the primitives (`content`, `wrap`).
//!
//! Test data comes only from `test-vectors/` in this repository (RFC and Wycheproof files copied there).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{Alg, Enc};
use blob_seal::content::{self, Sealed};
use blob_seal::error::CryptoError;
use blob_seal::wrap;
use openssl::pkey::{PKey, Private, Public};
use serde_json::Value;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");

fn load(rel: &str) -> Value {
    let path = format!("{VECTORS}/{rel}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn field(v: &Value, name: &str) -> Vec<u8> {
    hex(v[name].as_str().unwrap_or_else(|| panic!("no {name}")))
}

fn private_pem(name: &str) -> PKey<Private> {
    let pem = std::fs::read(format!("{VECTORS}/keys/{name}")).unwrap();
    PKey::private_key_from_pem(&pem).unwrap()
}

fn public_pem(name: &str) -> PKey<Public> {
    let pem = std::fs::read(format!("{VECTORS}/keys/{name}")).unwrap();
    PKey::public_key_from_pem(&pem).unwrap()
}

// -------------------------------------------------------------------------------------------------------------
// RFC 7518 appendix B: AES_CBC_HMAC_SHA2 known answers

#[allow(clippy::too_many_arguments)] // the RFC's own names: K, P, IV, A, E, T
fn check_cbc_hmac_kat(id: &str, enc: Enc, k: &[u8], p: &[u8], iv: &[u8], a: &[u8], e: &[u8], t: &[u8]) {
    let sealed = content::encrypt(enc, k, iv, a, p).unwrap();
    assert_eq!(sealed.ciphertext, e, "{id}: E");
    assert_eq!(sealed.tag, t, "{id}: T");
    assert_eq!(content::cbc_hmac_tag(enc, k, a, iv, e).unwrap(), t, "{id}: cbc_hmac_tag");
    content::verify_cbc_hmac_tag(enc, k, a, iv, e, t).unwrap();
    let plain = content::decrypt(enc, k, iv, a, e, t).unwrap();
    assert_eq!(plain.as_slice(), p, "{id}: decrypt");
}

#[test]
fn rfc7518_appendix_b_known_answers() {
    let file = load("rfc/rfc7518-appendixB-aes-cbc-hmac.json");
    let mut seen = Vec::new();
    for v in file.as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let enc: Enc = v["enc"].as_str().unwrap().parse().unwrap();
        let k = field(v, "K_hex");
        // The file also states the halves: check our reading of "MAC key first".
        assert_eq!(k[..k.len() / 2], field(v, "MAC_KEY_hex")[..], "{id}");
        assert_eq!(k[k.len() / 2..], field(v, "ENC_KEY_hex")[..], "{id}");
        assert_eq!(field(v, "AL_hex"), (field(v, "A_hex").len() as u64 * 8).to_be_bytes(), "{id}: AL");
        check_cbc_hmac_kat(
            id,
            enc,
            &k,
            &field(v, "P_hex"),
            &field(v, "IV_hex"),
            &field(v, "A_hex"),
            &field(v, "E_hex"),
            &field(v, "T_hex"),
        );
        seen.push(enc);
    }
    assert_eq!(seen, [Enc::A128CbcHs256, Enc::A256CbcHs512], "the shared file has B.1 and B.3");

    // B.2 is not in the shared file; typed in from RFC 7518 appendix B.2 (same P, IV and A as B.1).
    let b1 = &file[0];
    let k: Vec<u8> = (0u8..48).collect();
    let e = hex("ea 65 da 6b 59 e6 1e db 41 9b e6 2d 19 71 2a e5 d3 03 ee b5 00 52 d0 df d6 69 7f 77 22 4c 8e db
         00 0d 27 9b dc 14 c1 07 26 54 bd 30 94 42 30 c6 57 be d4 ca 0c 9f 4a 84 66 f2 2b 22 6d 17 46 21
         4b f8 cf c2 40 0a dd 9f 51 26 e4 79 66 3f c9 0b 3b ed 78 7a 2f 0f fc bf 39 04 be 2a 64 1d 5c 21
         05 bf e5 91 ba e2 3b 1d 74 49 e5 32 ee f6 0a 9a c8 bb 6c 6b 01 d3 5d 49 78 7b cd 57 ef 48 49 27
         f2 80 ad c9 1a c0 c4 e7 9c 7b 11 ef c6 00 54 e3");
    let t = hex("84 90 ac 0e 58 94 9b fe 51 87 5d 73 3f 93 ac 20 75 16 80 39 cc c7 33 d7");
    check_cbc_hmac_kat(
        "rfc7518-B.2",
        Enc::A192CbcHs384,
        &k,
        &field(b1, "P_hex"),
        &field(b1, "IV_hex"),
        &field(b1, "A_hex"),
        &e,
        &t,
    );
}

// -------------------------------------------------------------------------------------------------------------
// RFC 3394 section 4: AES key wrap known answers

#[test]
fn rfc3394_section4_known_answers() {
    let kek128 = hex("000102030405060708090A0B0C0D0E0F");
    let kek192 = hex("000102030405060708090A0B0C0D0E0F1011121314151617");
    let kek256 = hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
    let d128 = hex("00112233445566778899AABBCCDDEEFF");
    let d192 = hex("00112233445566778899AABBCCDDEEFF0001020304050607");
    let d256 = hex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
    let cases = [
        ("4.1", Alg::A128Kw, &kek128, &d128, "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5"),
        ("4.2", Alg::A192Kw, &kek192, &d128, "96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D"),
        ("4.3", Alg::A256Kw, &kek256, &d128, "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7"),
        ("4.4", Alg::A192Kw, &kek192, &d192, "031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2"),
        ("4.5", Alg::A256Kw, &kek256, &d192, "A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1"),
        (
            "4.6",
            Alg::A256Kw,
            &kek256,
            &d256,
            "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21",
        ),
    ];
    for (section, alg, kek, data, out) in cases {
        let out = hex(out);
        assert_eq!(wrap::aes_kw_wrap(alg, kek, data).unwrap(), out, "RFC 3394 {section}");
        assert_eq!(wrap::aes_kw_unwrap(alg, kek, &out, data.len()).unwrap().as_slice(), &data[..], "{section}");
        let mut bad = out.clone();
        bad[5] ^= 1;
        assert_eq!(wrap::aes_kw_unwrap(alg, kek, &bad, data.len()), Err(CryptoError::DecryptionFailed));
    }
}

// -------------------------------------------------------------------------------------------------------------
// Wycheproof

#[derive(Default, Debug)]
struct Counts {
    valid: usize,
    invalid: usize,
    acceptable: usize,
    skipped: usize,
}

impl Counts {
    fn report(&self, file: &str) {
        eprintln!(
            "wycheproof {file}: {} valid, {} invalid, {} acceptable passed; {} skipped (not a JWE case)",
            self.valid, self.invalid, self.acceptable, self.skipped
        );
    }
}

fn kw_alg(key_bits: u64) -> Alg {
    match key_bits {
        128 => Alg::A128Kw,
        192 => Alg::A192Kw,
        256 => Alg::A256Kw,
        other => panic!("key size {other}"),
    }
}

#[test]
fn wycheproof_aes_wrap() {
    let file = load("wycheproof/aes_wrap_test.json");
    let mut c = Counts::default();
    for group in file["testGroups"].as_array().unwrap() {
        let alg = kw_alg(group["keySize"].as_u64().unwrap());
        for t in group["tests"].as_array().unwrap() {
            let (id, key, msg, ct) = (&t["tcId"], field(t, "key"), field(t, "msg"), field(t, "ct"));
            let wrappable = msg.len() >= 16 && msg.len() % 8 == 0;
            match t["result"].as_str().unwrap() {
                "valid" => {
                    assert_eq!(wrap::aes_kw_wrap(alg, &key, &msg).unwrap(), ct, "tc {id}");
                    let got = wrap::aes_kw_unwrap(alg, &key, &ct, msg.len()).unwrap();
                    assert_eq!(got.as_slice(), &msg[..], "tc {id}");
                    c.valid += 1;
                }
                "invalid" => {
                    let cek_len = ct.len().saturating_sub(8);
                    assert_eq!(
                        wrap::aes_kw_unwrap(alg, &key, &ct, cek_len),
                        Err(CryptoError::DecryptionFailed),
                        "tc {id}"
                    );
                    if !wrappable {
                        assert!(wrap::aes_kw_wrap(alg, &key, &msg).is_err(), "tc {id}: wrapping {} bytes", msg.len());
                    }
                    c.invalid += 1;
                }
                "acceptable" => {
                    // An 8-byte key: RFC 3394 needs two blocks; JWE content keys are at least 16 bytes. We refuse.
                    assert_eq!(msg.len(), 8, "tc {id}");
                    assert!(wrap::aes_kw_wrap(alg, &key, &msg).is_err(), "tc {id}");
                    assert_eq!(wrap::aes_kw_unwrap(alg, &key, &ct, 8), Err(CryptoError::DecryptionFailed));
                    c.acceptable += 1;
                }
                other => panic!("result {other}"),
            }
        }
    }
    c.report("aes_wrap_test.json");
    assert!(c.valid >= 30 && c.invalid >= 100 && c.acceptable == 3, "{c:?}");
}

/// Wycheproof AES-CBC-PKCS5 through the public CBC-HMAC path: the Wycheproof key is the ENC half, a fixed MAC
/// half is prepended, the tag is computed over the Wycheproof ciphertext with [`content::cbc_hmac_tag`]. Valid
/// cases must encrypt to the same ciphertext and decrypt; invalid ones (bad padding under a valid tag) must give
/// `DecryptionFailed`.
#[test]
fn wycheproof_aes_cbc_pkcs5_as_enc_half() {
    let file = load("wycheproof/aes_cbc_pkcs5_test.json");
    let aad = b"eyJhbGciOiJSU0EtT0FFUC0yNTYifQ";
    let mut c = Counts::default();
    for group in file["testGroups"].as_array().unwrap() {
        let enc = match group["keySize"].as_u64().unwrap() {
            128 => Enc::A128CbcHs256,
            192 => Enc::A192CbcHs384,
            256 => Enc::A256CbcHs512,
            other => panic!("key size {other}"),
        };
        assert_eq!(group["ivSize"].as_u64(), Some(128));
        for t in group["tests"].as_array().unwrap() {
            let (id, key, iv, msg, ct) = (&t["tcId"], field(t, "key"), field(t, "iv"), field(t, "msg"), field(t, "ct"));
            let mut cek = vec![0x5a; key.len()];
            cek.extend_from_slice(&key);
            if ct.is_empty() {
                // "no padding" of an empty message: refused by the length check, before any MAC or AES.
                assert_eq!(t["result"], "invalid", "tc {id}");
                let tag = vec![0; enc.tag_len()];
                assert!(matches!(
                    content::decrypt(enc, &cek, &iv, aad, &ct, &tag),
                    Err(CryptoError::CiphertextLength { actual: 0, .. })
                ));
                c.invalid += 1;
                continue;
            }
            let tag = content::cbc_hmac_tag(enc, &cek, aad, &iv, &ct).unwrap();
            match t["result"].as_str().unwrap() {
                "valid" => {
                    let sealed = content::encrypt(enc, &cek, &iv, aad, &msg).unwrap();
                    assert_eq!(sealed, Sealed { ciphertext: ct.clone(), tag: tag.clone() }, "tc {id}");
                    assert_eq!(content::decrypt(enc, &cek, &iv, aad, &ct, &tag).unwrap().as_slice(), &msg[..]);
                    c.valid += 1;
                }
                "invalid" => {
                    content::verify_cbc_hmac_tag(enc, &cek, aad, &iv, &ct, &tag).unwrap();
                    assert_eq!(
                        content::decrypt(enc, &cek, &iv, aad, &ct, &tag),
                        Err(CryptoError::DecryptionFailed),
                        "tc {id}"
                    );
                    c.invalid += 1;
                }
                other => panic!("result {other}"),
            }
        }
    }
    c.report("aes_cbc_pkcs5_test.json");
    assert!(c.valid == 72 && c.invalid == 144, "{c:?}");
}

#[test]
fn wycheproof_aes_gcm() {
    let file = load("wycheproof/aes_gcm_test.json");
    let mut c = Counts::default();
    for group in file["testGroups"].as_array().unwrap() {
        let jwe_shape = group["ivSize"].as_u64() == Some(96) && group["tagSize"].as_u64() == Some(128);
        if !jwe_shape {
            c.skipped += group["tests"].as_array().unwrap().len();
            continue;
        }
        let enc = match group["keySize"].as_u64().unwrap() {
            128 => Enc::A128Gcm,
            192 => Enc::A192Gcm,
            256 => Enc::A256Gcm,
            other => panic!("key size {other}"),
        };
        for t in group["tests"].as_array().unwrap() {
            let id = &t["tcId"];
            let (key, iv, aad) = (field(t, "key"), field(t, "iv"), field(t, "aad"));
            let (msg, ct, tag) = (field(t, "msg"), field(t, "ct"), field(t, "tag"));
            let result = content::decrypt(enc, &key, &iv, &aad, &ct, &tag);
            match t["result"].as_str().unwrap() {
                "valid" => {
                    assert_eq!(result.unwrap().as_slice(), &msg[..], "tc {id}");
                    let sealed = content::encrypt(enc, &key, &iv, &aad, &msg).unwrap();
                    assert_eq!(sealed, Sealed { ciphertext: ct, tag }, "tc {id}");
                    c.valid += 1;
                }
                "invalid" => {
                    assert_eq!(result, Err(CryptoError::DecryptionFailed), "tc {id}");
                    c.invalid += 1;
                }
                other => panic!("result {other}"),
            }
        }
    }
    c.report("aes_gcm_test.json");
    assert!(c.valid >= 100 && c.invalid >= 60, "{c:?}");
}

/// Which JWE algorithm a Wycheproof RSA-OAEP group is, if any (OAEP hash and MGF1 hash must both match).
fn oaep_alg(group: &Value) -> Option<Alg> {
    match (group["sha"].as_str()?, group["mgf"].as_str()?, group["mgfSha"].as_str()?) {
        ("SHA-256", "MGF1", "SHA-256") => Some(Alg::RsaOaep256),
        ("SHA-1", "MGF1", "SHA-1") => Some(Alg::RsaOaep),
        _ => None,
    }
}

fn group_key(group: &Value) -> PKey<Private> {
    PKey::private_key_from_pkcs8(&field(group, "privateKeyPkcs8")).unwrap()
}

/// Runs the JWE-shaped cases (empty label, matching hashes) of one Wycheproof RSA-OAEP file through
/// `rsa_unwrap`: valid -> the message; invalid -> a random key of the asked length, not the message.
fn wycheproof_rsa_oaep(file_name: &str) -> Counts {
    let file = load(&format!("wycheproof/{file_name}"));
    let mut c = Counts::default();
    for group in file["testGroups"].as_array().unwrap() {
        let tests = group["tests"].as_array().unwrap();
        let Some(alg) = oaep_alg(group) else {
            c.skipped += tests.len();
            continue;
        };
        let key = group_key(group);
        for t in tests {
            if t["label"].as_str() != Some("") {
                c.skipped += 1;
                continue;
            }
            let (id, msg, ct) = (&t["tcId"], field(t, "msg"), field(t, "ct"));
            let got = wrap::rsa_unwrap(&key, alg, &ct, msg.len()).unwrap();
            match t["result"].as_str().unwrap() {
                "valid" => {
                    assert_eq!(got.as_slice(), &msg[..], "{file_name} tc {id}");
                    c.valid += 1;
                }
                "invalid" | "acceptable" => {
                    assert_eq!(got.len(), msg.len(), "{file_name} tc {id}");
                    assert_ne!(got.as_slice(), &msg[..], "{file_name} tc {id}: must not decrypt");
                    let again = wrap::rsa_unwrap(&key, alg, &ct, msg.len()).unwrap();
                    assert_ne!(got, again, "{file_name} tc {id}: a fresh random key each time");
                    if t["result"] == "invalid" {
                        c.invalid += 1;
                    } else {
                        c.acceptable += 1;
                    }
                }
                other => panic!("result {other}"),
            }
        }
    }
    c.report(file_name);
    c
}

#[test]
fn wycheproof_rsa_oaep_256() {
    for bits in [2048, 3072, 4096] {
        let c = wycheproof_rsa_oaep(&format!("rsa_oaep_{bits}_sha256_mgf1sha256_test.json"));
        assert!(c.valid >= 10 && c.invalid >= 19, "{bits}: {c:?}");
    }
}

#[test]
fn wycheproof_rsa_oaep_misc_sha1_and_sha256_groups() {
    let c = wycheproof_rsa_oaep("rsa_oaep_misc_test.json");
    // 10 groups (5 key sizes x {SHA-1, SHA-256}) of 3 empty-label cases each.
    assert!(c.valid == 30, "{c:?}");
}

/// SHA-256 with MGF1-SHA-1 is neither JWE algorithm: our RSA-OAEP-256 (MGF1-SHA-256) and RSA-OAEP (SHA-1) must
/// not decrypt its valid ciphertexts. This proves the MGF1 hash really is set.
#[test]
fn wycheproof_rsa_oaep_sha256_mgf1sha1_is_refused_by_both_jwe_algs() {
    let file_name = "rsa_oaep_2048_sha256_mgf1sha1_test.json";
    let file = load(&format!("wycheproof/{file_name}"));
    let mut refused = 0;
    let mut skipped = 0;
    for group in file["testGroups"].as_array().unwrap() {
        assert_eq!(oaep_alg(group), None);
        let key = group_key(group);
        for t in group["tests"].as_array().unwrap() {
            let (id, msg, ct) = (&t["tcId"], field(t, "msg"), field(t, "ct"));
            if t["label"].as_str() != Some("") || msg.is_empty() {
                skipped += 1;
                continue;
            }
            for alg in [Alg::RsaOaep256, Alg::RsaOaep] {
                let got = wrap::rsa_unwrap(&key, alg, &ct, msg.len()).unwrap();
                assert_ne!(got.as_slice(), &msg[..], "tc {id} with {alg}");
            }
            refused += 1;
        }
    }
    eprintln!("wycheproof {file_name}: {refused} cases refused by RSA-OAEP-256 and RSA-OAEP; {skipped} skipped");
    assert!(refused >= 25, "{refused}");
}

// -------------------------------------------------------------------------------------------------------------
// Security properties of content encryption

/// Raw AES-CBC without padding, to craft a ciphertext whose plaintext has bad PKCS#7 padding.
fn raw_cbc_no_padding(key: &[u8], iv: &[u8], data: &[u8]) -> Vec<u8> {
    let cipher = match key.len() {
        16 => openssl::symm::Cipher::aes_128_cbc(),
        24 => openssl::symm::Cipher::aes_192_cbc(),
        _ => openssl::symm::Cipher::aes_256_cbc(),
    };
    let mut c = openssl::symm::Crypter::new(cipher, openssl::symm::Mode::Encrypt, key, Some(iv)).unwrap();
    c.pad(false);
    let mut out = vec![0; data.len() + 16];
    let n = c.update(data, &mut out).unwrap();
    let m = c.finalize(&mut out[n..]).unwrap();
    out.truncate(n + m);
    out
}

#[test]
fn cbc_hmac_no_padding_oracle() {
    let aad = b"eyJraWQiOiJrIiwiZW5jIjoiQTEyOENCQy1IUzI1NiIsImFsZyI6IlJTQS1PQUVQLTI1NiJ9";
    for enc in [Enc::A128CbcHs256, Enc::A192CbcHs384, Enc::A256CbcHs512] {
        let cek = content::generate_cek(enc).unwrap();
        let iv = content::generate_iv(enc).unwrap();
        let enc_key = &cek[cek.len() / 2..];

        // 1. Bad tag, good padding.
        let sealed = content::encrypt(enc, &cek, &iv, aad, b"a secret value that pads fine").unwrap();
        let mut bad_tag = sealed.tag.clone();
        bad_tag[0] ^= 0x80;
        let e1 = content::decrypt(enc, &cek, &iv, aad, &sealed.ciphertext, &bad_tag).unwrap_err();

        // 2. Good tag over bad padding: the last plaintext byte 0x00 (and 0x11) is no PKCS#7 padding.
        let mut garbage = [0x41u8; 32];
        garbage[31] = 0x00;
        let bad_ct = raw_cbc_no_padding(enc_key, &iv, &garbage);
        let good_tag = content::cbc_hmac_tag(enc, &cek, aad, &iv, &bad_ct).unwrap();
        content::verify_cbc_hmac_tag(enc, &cek, aad, &iv, &bad_ct, &good_tag).unwrap();
        let e2 = content::decrypt(enc, &cek, &iv, aad, &bad_ct, &good_tag).unwrap_err();
        garbage[31] = 0x11;
        let bad_ct2 = raw_cbc_no_padding(enc_key, &iv, &garbage);
        let good_tag2 = content::cbc_hmac_tag(enc, &cek, aad, &iv, &bad_ct2).unwrap();
        let e2b = content::decrypt(enc, &cek, &iv, aad, &bad_ct2, &good_tag2).unwrap_err();

        // 3. Bad tag over bad padding.
        let mut bad_tag2 = good_tag.clone();
        *bad_tag2.last_mut().unwrap() ^= 1;
        let e3 = content::decrypt(enc, &cek, &iv, aad, &bad_ct, &bad_tag2).unwrap_err();

        assert_eq!(e1, CryptoError::DecryptionFailed, "{enc}");
        assert_eq!(e1, e2, "{enc}");
        assert_eq!(e2, e2b, "{enc}");
        assert_eq!(e2, e3, "{enc}");
        assert_eq!(e1.to_string(), e3.to_string());

        // The same padding with valid PKCS#7 does decrypt: the failure above really was the padding.
        garbage[31] = 0x01;
        let ok_ct = raw_cbc_no_padding(enc_key, &iv, &garbage);
        let ok_tag = content::cbc_hmac_tag(enc, &cek, aad, &iv, &ok_ct).unwrap();
        assert_eq!(content::decrypt(enc, &cek, &iv, aad, &ok_ct, &ok_tag).unwrap().as_slice(), &garbage[..31]);

        // A changed AAD (header) or IV fails the tag too.
        assert_eq!(
            content::decrypt(enc, &cek, &iv, b"other header", &sealed.ciphertext, &sealed.tag),
            Err(CryptoError::DecryptionFailed)
        );
        let mut iv2 = iv.clone();
        iv2[0] ^= 1;
        assert_eq!(
            content::decrypt(enc, &cek, &iv2, aad, &sealed.ciphertext, &sealed.tag),
            Err(CryptoError::DecryptionFailed)
        );
    }
}

#[test]
fn gcm_tampering_is_one_error() {
    for enc in [Enc::A128Gcm, Enc::A192Gcm, Enc::A256Gcm] {
        let cek = content::generate_cek(enc).unwrap();
        let iv = content::generate_iv(enc).unwrap();
        let sealed = content::encrypt(enc, &cek, &iv, b"aad", b"secret").unwrap();
        assert_eq!(sealed.ciphertext.len(), 6);
        assert_eq!(
            content::decrypt(enc, &cek, &iv, b"aad", &sealed.ciphertext, &sealed.tag).unwrap().as_slice(),
            b"secret"
        );
        let mut ct = sealed.ciphertext.clone();
        ct[0] ^= 1;
        let mut tag = sealed.tag.clone();
        tag[15] ^= 1;
        for (ct, tag, aad) in [
            (&ct, &sealed.tag, &b"aad"[..]),
            (&sealed.ciphertext, &tag, &b"aad"[..]),
            (&sealed.ciphertext, &sealed.tag, &b"aae"[..]),
        ] {
            assert_eq!(content::decrypt(enc, &cek, &iv, aad, ct, tag), Err(CryptoError::DecryptionFailed), "{enc}");
        }
    }
}

#[test]
fn bad_lengths_are_errors_not_panics() {
    for enc in Enc::ALL {
        let cek = content::generate_cek(enc).unwrap();
        let iv = content::generate_iv(enc).unwrap();
        let sealed = content::encrypt(enc, &cek, &iv, b"h", b"payload").unwrap();
        let (ct, tag) = (&sealed.ciphertext, &sealed.tag);
        assert_eq!(tag.len(), enc.tag_len());

        // Truncated or extended tags.
        let tag_lens: &[usize] =
            if enc.is_cbc_hmac() { &[0, 8, 15, 16, 24, 31, 32, 33] } else { &[0, 8, 12, 15, 17, 32] };
        for &n in tag_lens.iter().filter(|&&n| n != enc.tag_len()) {
            let t = vec![0u8; n];
            assert!(
                matches!(content::decrypt(enc, &cek, &iv, b"h", ct, &t), Err(CryptoError::TagLength { actual, .. }) if actual == n),
                "{enc} tag {n}"
            );
            if enc.is_cbc_hmac() {
                assert!(matches!(
                    content::verify_cbc_hmac_tag(enc, &cek, b"h", &iv, ct, &t),
                    Err(CryptoError::TagLength { .. })
                ));
            }
        }
        // A truncated prefix of the right tag is refused by length, never accepted.
        assert!(content::decrypt(enc, &cek, &iv, b"h", ct, &tag[..tag.len() - 1]).is_err());

        // IVs of wrong length.
        for n in [0usize, 8, 11, 12, 13, 16, 17].into_iter().filter(|&n| n != enc.iv_len()) {
            let bad_iv = vec![0u8; n];
            assert!(
                matches!(content::encrypt(enc, &cek, &bad_iv, b"h", b"p"), Err(CryptoError::IvLength { .. })),
                "{enc} iv {n}"
            );
            assert!(
                matches!(content::decrypt(enc, &cek, &bad_iv, b"h", ct, tag), Err(CryptoError::IvLength { .. })),
                "{enc} iv {n}"
            );
        }

        // Content keys of wrong length.
        for n in [0usize, 16, 24, 31, 32, 33, 48, 64, 65].into_iter().filter(|&n| n != enc.cek_len()) {
            let bad = vec![7u8; n];
            assert!(matches!(content::encrypt(enc, &bad, &iv, b"", b"p"), Err(CryptoError::CekLength { .. })));
            assert!(matches!(content::decrypt(enc, &bad, &iv, b"h", ct, tag), Err(CryptoError::CekLength { .. })));
        }

        if enc.is_cbc_hmac() {
            for n in [0usize, 1, 15, 17, 31] {
                let bad_ct = vec![0u8; n];
                assert!(
                    matches!(
                        content::decrypt(enc, &cek, &iv, b"h", &bad_ct, tag),
                        Err(CryptoError::CiphertextLength { .. })
                    ),
                    "{enc} ct {n}"
                );
                assert!(content::cbc_hmac_tag(enc, &cek, b"h", &iv, &bad_ct).is_err());
            }
        } else {
            assert!(matches!(content::cbc_hmac_tag(enc, &cek, b"h", &iv, ct), Err(CryptoError::WrongAlgorithm { .. })));
            // An empty GCM ciphertext is a valid length; it just does not authenticate.
            assert_eq!(content::decrypt(enc, &cek, &iv, b"h", &[], tag), Err(CryptoError::DecryptionFailed));
        }
    }
}

#[test]
fn fresh_cek_and_iv_give_different_ciphertexts() {
    for enc in Enc::ALL {
        let (k1, k2) = (content::generate_cek(enc).unwrap(), content::generate_cek(enc).unwrap());
        let (i1, i2) = (content::generate_iv(enc).unwrap(), content::generate_iv(enc).unwrap());
        assert_eq!((k1.len(), i1.len()), (enc.cek_len(), enc.iv_len()));
        assert_ne!(k1, k2);
        assert_ne!(i1, i2);
        let p = b"the same plaintext, twice";
        let s1 = content::encrypt(enc, &k1, &i1, b"h", p).unwrap();
        let s2 = content::encrypt(enc, &k2, &i2, b"h", p).unwrap();
        assert_ne!(s1.ciphertext, s2.ciphertext, "{enc}");
        assert_ne!(s1.tag, s2.tag, "{enc}");
        // Same key, fresh IV: still different.
        let s3 = content::encrypt(enc, &k1, &i2, b"h", p).unwrap();
        assert_ne!(s1.ciphertext, s3.ciphertext, "{enc}");
    }
}

#[test]
fn empty_plaintext_and_aad_round_trip() {
    for enc in Enc::ALL {
        let cek = content::generate_cek(enc).unwrap();
        let iv = content::generate_iv(enc).unwrap();
        let s = content::encrypt(enc, &cek, &iv, b"", b"").unwrap();
        assert_eq!(s.ciphertext.len(), if enc.is_cbc_hmac() { 16 } else { 0 });
        assert!(content::decrypt(enc, &cek, &iv, b"", &s.ciphertext, &s.tag).unwrap().is_empty());
    }
}

mod roundtrip {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn encrypt_then_decrypt(enc_i in 0usize..6, p in proptest::collection::vec(any::<u8>(), 0..300),
                                aad in proptest::collection::vec(any::<u8>(), 0..100), flip in any::<usize>()) {
            let enc = Enc::ALL[enc_i];
            let cek = content::generate_cek(enc).unwrap();
            let iv = content::generate_iv(enc).unwrap();
            let s = content::encrypt(enc, &cek, &iv, &aad, &p).unwrap();
            let plain = content::decrypt(enc, &cek, &iv, &aad, &s.ciphertext, &s.tag).unwrap();
            prop_assert_eq!(plain.as_slice(), &p[..]);
            // Any single bit flip in ciphertext or tag is caught.
            let mut ct = s.ciphertext.clone();
            let mut tag = s.tag.clone();
            let total = ct.len() + tag.len();
            let i = flip % total;
            if i < ct.len() { ct[i] ^= 1 << (flip % 8) } else { tag[i - ct.len()] ^= 1 << (flip % 8) }
            prop_assert_eq!(content::decrypt(enc, &cek, &iv, &aad, &ct, &tag), Err(CryptoError::DecryptionFailed));
        }
    }
}

// -------------------------------------------------------------------------------------------------------------
// Key wrapping security properties

#[test]
fn rsa_unwrap_with_wrong_key_or_length_returns_random_cek() {
    let k2048 = private_pem("rsa-2048.pem");
    let k3072 = private_pem("rsa-3072.pem");
    let pub2048 = public_pem("rsa-2048.pub.pem");
    for alg in [Alg::RsaOaep256, Alg::RsaOaep] {
        let cek = content::generate_cek(Enc::A128CbcHs256).unwrap();
        let ek = wrap::rsa_wrap(&pub2048, alg, &cek).unwrap();
        assert_eq!(ek.len(), 256);
        assert_eq!(wrap::rsa_unwrap(&k2048, alg, &ek, 32).unwrap(), cek, "{alg}");
        // Wrapping twice gives different encrypted keys (OAEP is randomised).
        assert_ne!(wrap::rsa_wrap(&pub2048, alg, &cek).unwrap(), ek);

        let mut outcomes = vec![
            // Wrong key (also wrong modulus size), wrong alg (hash), tampered, wrong expected CEK length.
            wrap::rsa_unwrap(&k3072, alg, &ek, 32).unwrap(),
            wrap::rsa_unwrap(&k2048, other_rsa(alg), &ek, 32).unwrap(),
            wrap::rsa_unwrap(&k2048, alg, &flip(&ek, 100), 32).unwrap(),
            wrap::rsa_unwrap(&k2048, alg, &ek[..255], 32).unwrap(),
            wrap::rsa_unwrap(&k2048, alg, &[ek.clone(), vec![0]].concat(), 32).unwrap(),
            wrap::rsa_unwrap(&k2048, alg, &[], 32).unwrap(),
        ];
        for r in &outcomes {
            assert_eq!(r.len(), 32);
            assert_ne!(r, &cek);
        }
        let wrong_len = wrap::rsa_unwrap(&k2048, alg, &ek, 48).unwrap();
        assert_eq!(wrong_len.len(), 48);
        assert_ne!(&wrong_len[..32], &cek[..]);
        outcomes.dedup();
        assert_eq!(outcomes.len(), 6, "each failure gives a fresh random key");
    }
    // Non-RSA alg is a programming error, reported (it does not depend on the data).
    assert!(matches!(wrap::rsa_unwrap(&k2048, Alg::A128Kw, &[0; 256], 32), Err(CryptoError::WrongAlgorithm { .. })));
    assert!(matches!(wrap::rsa_wrap(&pub2048, Alg::A256Kw, &[0; 32]), Err(CryptoError::WrongAlgorithm { .. })));
    // A content key too long for OAEP is refused before OpenSSL.
    assert!(matches!(wrap::rsa_wrap(&pub2048, Alg::RsaOaep256, &[0; 191]), Err(CryptoError::CekToWrap { .. })));
    assert!(wrap::rsa_wrap(&pub2048, Alg::RsaOaep256, &[0; 190]).is_ok());
}

fn other_rsa(alg: Alg) -> Alg {
    if alg == Alg::RsaOaep256 {
        Alg::RsaOaep
    } else {
        Alg::RsaOaep256
    }
}

fn flip(data: &[u8], i: usize) -> Vec<u8> {
    let mut v = data.to_vec();
    v[i] ^= 1;
    v
}

#[test]
fn aes_kw_failures_are_decryption_failed() {
    for alg in [Alg::A128Kw, Alg::A192Kw, Alg::A256Kw] {
        let kek = vec![9u8; alg.kek_len().unwrap()];
        let other = vec![8u8; kek.len()];
        for enc in Enc::ALL {
            let cek = content::generate_cek(enc).unwrap();
            let ek = wrap::aes_kw_wrap(alg, &kek, &cek).unwrap();
            assert_eq!(ek.len(), cek.len() + 8);
            assert_eq!(wrap::aes_kw_unwrap(alg, &kek, &ek, cek.len()).unwrap(), cek);
            let n = cek.len();
            for (what, r) in [
                ("wrong KEK", wrap::aes_kw_unwrap(alg, &other, &ek, n)),
                ("tampered", wrap::aes_kw_unwrap(alg, &kek, &flip(&ek, 3), n)),
                ("last byte", wrap::aes_kw_unwrap(alg, &kek, &flip(&ek, ek.len() - 1), n)),
                ("short", wrap::aes_kw_unwrap(alg, &kek, &ek[..ek.len() - 8], n)),
                ("long", wrap::aes_kw_unwrap(alg, &kek, &[&ek[..], &[0; 8]].concat(), n)),
                ("wrong cek_len", wrap::aes_kw_unwrap(alg, &kek, &ek, n + 8)),
                ("empty", wrap::aes_kw_unwrap(alg, &kek, &[], n)),
                ("odd", wrap::aes_kw_unwrap(alg, &kek, &ek[..ek.len() - 1], n)),
            ] {
                assert_eq!(r, Err(CryptoError::DecryptionFailed), "{alg} {enc} {what}");
            }
        }
        // KEK of the wrong size: a key problem, reported as such.
        assert!(matches!(wrap::aes_kw_wrap(alg, &[0; 20], &[0; 32]), Err(CryptoError::KekLength { .. })));
        assert!(matches!(wrap::aes_kw_unwrap(alg, &[0; 20], &[0; 40], 32), Err(CryptoError::KekLength { .. })));
        // Not wrappable content keys.
        for n in [0usize, 8, 15, 17, 20] {
            assert!(matches!(wrap::aes_kw_wrap(alg, &kek, &vec![0; n]), Err(CryptoError::CekToWrap { .. })), "{n}");
        }
    }
    assert!(matches!(wrap::aes_kw_wrap(Alg::RsaOaep256, &[0; 16], &[0; 16]), Err(CryptoError::WrongAlgorithm { .. })));
}

// -------------------------------------------------------------------------------------------------------------
// Cross-check with josekit (an independent JOSE implementation)

fn b64d(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}

fn b64e(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn split5(jwe: &str) -> [&str; 5] {
    let parts: Vec<&str> = jwe.split('.').collect();
    parts.try_into().unwrap()
}

#[test]
fn josekit_dir_agrees_on_every_enc() {
    use josekit::jwe::{self, Dir, JweHeader};
    for enc in Enc::ALL {
        let cek = content::generate_cek(enc).unwrap();
        let payload = b"{\"format_version\":1,\"secret\":\"s3cr3t\"}";

        // josekit seals, we open.
        let mut header = JweHeader::new();
        header.set_content_encryption(enc.name());
        let encrypter = Dir.encrypter_from_bytes(&cek).unwrap();
        let jwe = jwe::serialize_compact(payload, &header, &encrypter).unwrap();
        let [h, ek, iv, ct, tag] = split5(&jwe);
        assert!(ek.is_empty());
        let plain = content::decrypt(enc, &cek, &b64d(iv), h.as_bytes(), &b64d(ct), &b64d(tag)).unwrap();
        assert_eq!(plain.as_slice(), payload, "{enc}");

        // We seal, josekit opens.
        let h = b64e(format!("{{\"enc\":\"{}\",\"alg\":\"dir\"}}", enc.name()).as_bytes());
        let iv = content::generate_iv(enc).unwrap();
        let s = content::encrypt(enc, &cek, &iv, h.as_bytes(), payload).unwrap();
        let ours = format!("{h}..{}.{}.{}", b64e(&iv), b64e(&s.ciphertext), b64e(&s.tag));
        let decrypter = Dir.decrypter_from_bytes(&cek).unwrap();
        let (plain, _) = jwe::deserialize_compact(&ours, &decrypter).unwrap();
        assert_eq!(plain, payload, "{enc}");
    }
}

#[test]
fn josekit_key_wrapping_agrees() {
    use josekit::jwe::{self, JweHeader, A128KW, A192KW, A256KW, RSA_OAEP, RSA_OAEP_256};
    let pem = std::fs::read(format!("{VECTORS}/keys/rsa-2048.pem")).unwrap();
    let pub_pem = std::fs::read(format!("{VECTORS}/keys/rsa-2048.pub.pem")).unwrap();
    let key = private_pem("rsa-2048.pem");
    let pub_key = public_pem("rsa-2048.pub.pem");
    let enc = Enc::A128CbcHs256;
    let payload = b"payload";
    let mut header = JweHeader::new();
    header.set_content_encryption(enc.name());

    for (alg, jose) in [(Alg::RsaOaep256, &RSA_OAEP_256), (Alg::RsaOaep, &RSA_OAEP)] {
        // josekit wraps, we unwrap and decrypt.
        let jwe = jwe::serialize_compact(payload, &header, &jose.encrypter_from_pem(&pub_pem).unwrap()).unwrap();
        let [h, ek, iv, ct, tag] = split5(&jwe);
        let cek = wrap::rsa_unwrap(&key, alg, &b64d(ek), enc.cek_len()).unwrap();
        let plain = content::decrypt(enc, &cek, &b64d(iv), h.as_bytes(), &b64d(ct), &b64d(tag)).unwrap();
        assert_eq!(plain.as_slice(), payload, "{alg}");

        // We wrap, josekit unwraps.
        let cek = content::generate_cek(enc).unwrap();
        let iv = content::generate_iv(enc).unwrap();
        let h = b64e(format!("{{\"enc\":\"{}\",\"alg\":\"{}\"}}", enc.name(), alg.name()).as_bytes());
        let ek = wrap::rsa_wrap(&pub_key, alg, &cek).unwrap();
        let s = content::encrypt(enc, &cek, &iv, h.as_bytes(), payload).unwrap();
        let ours = format!("{h}.{}.{}.{}.{}", b64e(&ek), b64e(&iv), b64e(&s.ciphertext), b64e(&s.tag));
        let (plain, _) = jwe::deserialize_compact(&ours, &jose.decrypter_from_pem(&pem).unwrap()).unwrap();
        assert_eq!(plain, payload, "{alg}");
    }

    for (alg, jose) in [(Alg::A128Kw, &A128KW), (Alg::A192Kw, &A192KW), (Alg::A256Kw, &A256KW)] {
        let kek = vec![0x33u8; alg.kek_len().unwrap()];
        let jwe = jwe::serialize_compact(payload, &header, &jose.encrypter_from_bytes(&kek).unwrap()).unwrap();
        let [h, ek, iv, ct, tag] = split5(&jwe);
        let cek = wrap::aes_kw_unwrap(alg, &kek, &b64d(ek), enc.cek_len()).unwrap();
        let plain = content::decrypt(enc, &cek, &b64d(iv), h.as_bytes(), &b64d(ct), &b64d(tag)).unwrap();
        assert_eq!(plain.as_slice(), payload, "{alg}");
    }
}
