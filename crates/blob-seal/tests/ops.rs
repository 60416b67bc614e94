//! The operations end to end: seal, open, open_raw, verify, rewrap, reseal and the two external
//! phases ([`Sealing`], [`Opening`]), over every alg x enc pair, with every error kind they produce.
//!
//! Keys come from `test-vectors/keys` (TEST ONLY keys); one RSA key is generated, once, where a
//! wrong key of the same size is needed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::OnceLock;

use blob_format::{Alg, Enc, Header, Marker, Part, Prefix, WriteOptions};
use blob_seal::document::{Document, DocumentLimits, Secret, SecretValue, Tag, Version};
use blob_seal::keys::Key;
use blob_seal::{
    content, open, open_raw, reseal, rewrap, seal, seal_raw, verify, CryptoError, Error, KeyError, OpenOptions,
    Opening, RotateOptions, SealOptions, Sealing,
};
use serde_json::json;

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/keys/");
const NAME: &str = "db.pass_word-1";

// ---------------------------------------------------------------------------------------------
// Keys

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}{name}")).unwrap()
}

fn jwk(name: &str) -> Key {
    Key::from_jwk(&read(name)).unwrap()
}

fn pem(name: &str) -> Key {
    Key::from_pem(read(name).as_bytes()).unwrap()
}

/// A JWK loaded without its `kid`: a key that gets past the kid check.
fn jwk_without_kid(name: &str) -> Key {
    let mut value: serde_json::Value = serde_json::from_str(&read(name)).unwrap();
    assert!(value.as_object_mut().unwrap().remove("kid").is_some());
    let key = Key::from_jwk(&value.to_string()).unwrap();
    assert_eq!(key.kid(), None);
    key
}

fn rsa() -> Key {
    jwk("rsa-2048.jwk.json")
}

/// Another RSA-2048 key (same modulus size as `rsa()`, so the OAEP decryption really runs and fails),
/// made once per test binary.
fn other_rsa_2048() -> Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| Key::generate_rsa(2048).unwrap().with_kid("other-rsa-2048")).clone()
}

/// The test key for each alg: RSA-2048 (allowed RSA-OAEP too), AES keys of the alg's size.
fn key_for(alg: Alg) -> Key {
    match alg {
        Alg::RsaOaep256 => rsa(),
        Alg::RsaOaep => rsa().allow(Alg::RsaOaep).unwrap(),
        Alg::A128Kw => jwk("aes-128kw.jwk.json"),
        Alg::A192Kw => jwk("aes-192kw.jwk.json"),
        Alg::A256Kw => jwk("aes-256kw.jwk.json"),
    }
}

// ---------------------------------------------------------------------------------------------
// Documents

#[derive(Clone, Copy)]
enum Values {
    Strings,
    Binaries,
    Mixed,
}

/// A unicode string value: accents, CJK, emoji (a surrogate pair in JSON), right-to-left, combining
/// marks, and characters JSON must escape.
fn string_value(i: usize) -> String {
    format!("pässwörd-{i} 密码 🔑 «ʻOkina» עברית e\u{301} \u{0}\u{1f}\"\\/\n\t\u{7f}\u{2028}")
}

/// A binary value holding every byte value once, rotated by `i`.
fn binary_value(i: usize) -> Vec<u8> {
    (0..=255u8).map(|b| b.wrapping_add(i as u8)).collect()
}

/// A document of `n` versions with unicode metadata; the last version is SYSCURRENT, the one before
/// SYSPREVIOUS, the one before that carries a unicode stage.
fn document(n: usize, values: Values) -> Document {
    let mut secret = Secret::new(NAME);
    secret.description = Some("Zugangsdaten für die Datenbank — 数据库 🔐 \"quoted\"".into());
    secret.tags = Some(vec![Tag::new("umgebung-ü", "prod-生产"), Tag::new("owner", "équipe 🛠")]);
    secret.kms_key_id = Some("0d0466b0-e727-4d9c-b35d-f84bb474a37f".into());
    secret.create_time = Some(1_581_507_580_000);
    let versions = (0..n)
        .map(|i| {
            let binary = match values {
                Values::Strings => false,
                Values::Binaries => true,
                Values::Mixed => i % 2 == 1,
            };
            let value =
                if binary { SecretValue::binary(binary_value(i)) } else { SecretValue::string(string_value(i)) };
            let v = Version::new(format!("v{}-版本", i + 1), NAME, value)
                .with_create_time(1_700_000_000_000 + i as i64 * 1000);
            if i + 1 == n {
                v.with_stages(["SYSCURRENT"])
            } else if i + 2 == n {
                v.with_stages(["SYSPREVIOUS"])
            } else if i + 3 == n {
                v.with_stages(["ÉTAPE-ü-段階"])
            } else {
                v
            }
        })
        .collect();
    let mut doc = Document::new(secret, versions);
    // An unknown member of a newer writer survives the round trip.
    doc.extra.insert("x_future_member".into(), json!({"nested": [1, "ü", null]}));
    doc
}

fn small() -> Document {
    document(2, Values::Mixed)
}

fn opts(alg: Alg, enc: Enc) -> SealOptions {
    SealOptions { enc, alg: Some(alg), ..SealOptions::default() }
}

fn o() -> OpenOptions {
    OpenOptions::default()
}

// ---------------------------------------------------------------------------------------------
// Blob surgery

/// The blob with segment `part` replaced by the base64url of `bytes` (all other text kept).
fn with_segment(blob: &str, part: Part, bytes: &[u8]) -> String {
    let p = blob_format::parse(blob).unwrap();
    let seg = p.segments().iter().find(|s| s.part() == part).copied().unwrap();
    let end = seg.offset() + seg.as_str().len();
    format!("{}{}{}", &blob[..seg.offset()], blob_format::base64url_encode(bytes), &blob[end..])
}

/// The blob with one bit of segment `part` flipped.
fn flipped(blob: &str, part: Part, index: usize) -> String {
    let p = blob_format::parse(blob).unwrap();
    let mut bytes = p.segments().iter().find(|s| s.part() == part).unwrap().decode();
    bytes[index] ^= 0x01;
    with_segment(blob, part, &bytes)
}

fn segments(blob: &str) -> [String; 5] {
    let p = blob_format::parse(blob).unwrap();
    p.segments().map(|s| s.as_str().to_owned())
}

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn the_fixtures_are_what_they_claim() {
    let doc = document(20, Values::Mixed);
    assert_eq!(doc.versions.len(), 20);
    let binaries: Vec<&[u8]> =
        doc.versions.iter().filter(|v| v.value.kind() == "binary").map(|v| v.value.as_bytes()).collect();
    assert_eq!(binaries.len(), 10);
    for bytes in binaries {
        let mut seen = [false; 256];
        bytes.iter().for_each(|b| seen[usize::from(*b)] = true);
        assert!(seen.iter().all(|s| *s), "every byte value");
    }
    assert_eq!(document(1, Values::Binaries).versions[0].value.kind(), "binary");
    assert_eq!(document(1, Values::Strings).versions[0].value.kind(), "string");
    doc.validate(&DocumentLimits::DEFAULT).unwrap();
}

#[test]
fn every_alg_and_enc_round_trips_with_1_and_20_versions() {
    let docs = [document(1, Values::Strings), document(1, Values::Binaries), document(20, Values::Mixed)];
    let mut count = 0;
    for alg in Alg::ALL {
        let k = key_for(alg);
        for enc in Enc::ALL {
            for doc in &docs {
                let blob = seal(doc, &k, &opts(alg, enc)).unwrap();
                let p = blob_format::parse(&blob).unwrap();
                assert_eq!((p.header().alg(), p.header().enc(), p.header().kid()), (alg, enc, k.kid()));
                let ek_len = if alg.is_rsa() { 256 } else { enc.cek_len() + 8 };
                assert_eq!(p.encrypted_key().decoded_len(), ek_len, "{alg} {enc}");
                assert_eq!(p.iv().decoded_len(), enc.iv_len());
                assert_eq!(p.tag().decoded_len(), enc.tag_len());
                let opened = open(&blob, &k, &o()).unwrap();
                assert_eq!(&opened, doc, "{alg} {enc} {} versions", doc.versions.len());
                assert_eq!(&open_raw(&blob, &k, &o()).unwrap()[..], &doc.to_json()[..], "{alg} {enc}");
                count += 1;
            }
        }
    }
    assert_eq!(count, 5 * 6 * 3);
}

/// Documents of 256 KiB and more are sealed on two threads unless `parallel` is off; both open to
/// the same document, under every CBC-HMAC enc, at sizes around the pieces the threads hand over.
#[test]
fn large_documents_seal_the_same_with_and_without_a_second_thread() {
    let k = rsa();
    for (versions, value_len) in [(20, 64 * 1024), (5, 48 * 1024 + 1), (4, 49_149)] {
        let values = (0..versions)
            .map(|i| {
                let bytes: Vec<u8> = (0..value_len).map(|b| (b * 7 + i) as u8).collect();
                Version::new(format!("v{i}"), NAME, SecretValue::binary(bytes))
            })
            .collect();
        let doc = Document::new(Secret::new(NAME), values);
        assert!(doc.to_json().len() >= 256 * 1024, "large enough to take the two-thread path");
        for enc in [Enc::A128CbcHs256, Enc::A192CbcHs384, Enc::A256CbcHs512] {
            for parallel in [true, false] {
                let options = SealOptions { parallel, ..opts(Alg::RsaOaep256, enc) };
                let blob = seal(&doc, &k, &options).unwrap();
                assert_eq!(open(&blob, &k, &o()).unwrap(), doc, "{enc}, parallel {parallel}");
            }
        }
    }
}

/// A large blob under an RSA key is decoded on a second thread while the content key is unwrapped:
/// the same document, and the same error for each way it can fail, with `parallel` on or off; and
/// a format error still comes before a key error.
#[test]
fn large_blobs_open_the_same_with_and_without_a_second_thread() {
    let k = rsa();
    let values =
        (0..5).map(|i| Version::new(format!("v{i}"), NAME, SecretValue::binary(vec![i as u8; 64 * 1024]))).collect();
    let doc = Document::new(Secret::new(NAME), values);
    let blob = seal(&doc, &k, &SealOptions::default()).unwrap();
    let ciphertext = segments(&blob)[3].clone();
    assert!(ciphertext.len() * 3 / 4 >= 256 * 1024, "large enough to take the two-thread path");
    let at = blob.find(&ciphertext).unwrap() + ciphertext.len() / 2;
    let bad_text = format!("{}*{}", &blob[..at], &blob[at + 1..]);
    let bad_tag = flipped(&blob, Part::Tag, 0);
    let other = other_rsa_2048();
    let same_without_kid = jwk_without_kid("rsa-2048.jwk.json");
    let other_without_kid = Key::generate_rsa(2048).unwrap();
    assert_eq!(other_without_kid.kid(), None);
    let cases: [(&str, &str, &Key); 7] = [
        ("good", &blob, &k),
        ("bad ciphertext text", &bad_text, &k),
        ("bad tag", &bad_tag, &k),
        ("other key", &blob, &other),
        ("the key without a kid", &blob, &same_without_kid),
        ("other key without a kid", &blob, &other_without_kid),
        ("bad text and other key", &bad_text, &other),
    ];
    for (what, input, key) in cases {
        let on = OpenOptions { parallel: true, ..o() };
        let off = OpenOptions { parallel: false, ..o() };
        // Errors compared by their Debug form: every field, no secrets.
        let outcome = |o: &OpenOptions| {
            (open(input, key, o).map_err(|e| format!("{e:?}")), verify(input, key, o).map_err(|e| format!("{e:?}")))
        };
        assert_eq!(outcome(&on), outcome(&off), "{what}");
    }
    assert_eq!(open(&blob, &k, &o()).unwrap(), doc);
    let format_first = open(&bad_text, &other, &o()).unwrap_err();
    assert!(matches!(format_first, Error::Format(_)), "{format_first:?}");
}

#[test]
fn rsa_3072_4096_and_pem_keys_round_trip() {
    let doc = document(3, Values::Mixed);
    let mut count = 0;
    // (sealer, opener, kid option): JWK and PEM, public and private, across forms.
    for (sealer, opener, kid) in [
        (jwk("rsa-3072.jwk.json"), jwk("rsa-3072.jwk.json"), None),
        (jwk("rsa-4096.pub.jwk.json"), jwk("rsa-4096.jwk.json"), None),
        (pem("rsa-2048.pub.pem"), pem("rsa-2048.pem"), Some("pem-2048")),
        (pem("rsa-3072.pub.pem"), jwk("rsa-3072.jwk.json"), Some("test-rsa-3072")),
        (pem("rsa-4096.pem"), pem("rsa-4096.pem"), Some("pem-4096")),
    ] {
        let options = SealOptions { kid: kid.map(str::to_owned), ..SealOptions::default() };
        let blob = seal(&doc, &sealer, &options).unwrap();
        let p = blob_format::parse(&blob).unwrap();
        assert_eq!(p.encrypted_key().decoded_len() * 8, sealer.rsa_bits().unwrap() as usize);
        assert_eq!(p.header().kid(), kid.or(sealer.kid()));
        assert_eq!(open(&blob, &opener, &o()).unwrap(), doc);
        count += 1;
    }
    assert_eq!(count, 5);
}

#[test]
fn the_service_shape_and_the_api_body() {
    let blob = seal(&small(), &rsa(), &SealOptions::default()).unwrap();
    let p = blob_format::parse_blob(&blob).unwrap();
    assert_eq!((p.marker(), p.prefix()), (Marker::Published, Prefix::Long));
    assert!(blob.starts_with(")CloudSecretManagementBackupV1.huaweicloud.com"));
    let header = String::from_utf8(p.header_segment().decode()).unwrap();
    assert_eq!(header, r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"RSA-OAEP-256"}"#);
    // The API's JSON body, with whitespace around, opens too.
    let body = format!(" \n{}\t\n", blob_format::to_json_body(&blob));
    assert_eq!(open(&body, &rsa(), &o()).unwrap(), small());
    assert_eq!(verify(&body, &rsa(), &o()).unwrap().versions.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Error kinds

#[test]
fn kid_mismatch_is_reported_before_any_decryption() {
    let blob = seal(&small(), &rsa(), &SealOptions::default()).unwrap();
    let p = blob_format::parse(&blob).unwrap();
    // Garbage of valid lengths in the encrypted key, IV, ciphertext and tag: nothing would decrypt.
    let garbage = blob_format::Builder::new(p.header().clone())
        .encrypted_key(&[0x55; 256])
        .iv(&[0x66; 16])
        .ciphertext(&[0xAA; 64])
        .tag(&[0x77; 16])
        .to_string();
    blob_format::parse(&garbage).unwrap();
    let other = jwk("rsa-3072.jwk.json");
    for input in [&blob, &garbage] {
        let err = open(input, &other, &o()).unwrap_err();
        assert!(
            matches!(&err, Error::KidMismatch { blob, key } if blob == "test-rsa-2048" && key == "test-rsa-3072"),
            "{err:?}"
        );
        assert_eq!(err.code(), "kid_mismatch");
        assert_eq!(err.to_string(), r#"the blob's kid is "test-rsa-2048" but the key's kid is "test-rsa-3072""#);
        assert_eq!(verify(input, &other, &o()).unwrap_err().code(), "kid_mismatch");
        assert_eq!(open_raw(input, &other, &o()).unwrap_err().code(), "kid_mismatch");
        let new = jwk("aes-128kw.jwk.json");
        assert_eq!(rewrap(input, &other, &new, &RotateOptions::default()).unwrap_err().code(), "kid_mismatch");
        assert_eq!(reseal(input, &other, &new, &RotateOptions::default()).unwrap_err().code(), "kid_mismatch");
        assert_eq!(Opening::parse(input, &o()).unwrap().unwrap_cek(&other).unwrap_err().code(), "kid_mismatch");
    }
    // The garbage really would fail the crypto: with the right kid it is `decryption_failed`.
    assert!(open(&garbage, &rsa(), &o()).unwrap_err().is_decryption_failed());
    // AES keys too; a key without a kid skips the check (and then fails at the crypto).
    let a256 = jwk("aes-256kw.jwk.json");
    let blob = seal(&small(), &a256, &SealOptions::default()).unwrap();
    let renamed = a256.clone().with_kid("renamed");
    assert_eq!(open(&blob, &renamed, &o()).unwrap_err().code(), "kid_mismatch");
    assert_eq!(open(&blob, &jwk_without_kid("aes-256kw.jwk.json"), &o()).unwrap(), small());
}

#[test]
fn missing_kid() {
    let doc = small();
    let anonymous = [pem("rsa-2048.pub.pem"), jwk_without_kid("aes-128kw.jwk.json")];
    for k in &anonymous {
        let err = seal(&doc, k, &SealOptions::default()).unwrap_err();
        assert!(matches!(err, Error::MissingKid), "{err:?}");
        assert_eq!(err.code(), "missing_kid");
        assert_eq!(seal_raw(b"{}", k, &SealOptions::default()).unwrap_err().code(), "missing_kid");
        // An empty kid is no kid.
        let empty = SealOptions { kid: Some(String::new()), ..SealOptions::default() };
        assert_eq!(seal(&doc, k, &empty).unwrap_err().code(), "missing_kid");
        // Given in the options, it is written.
        let named = SealOptions { kid: Some("given-kid".into()), ..SealOptions::default() };
        let blob = seal(&doc, k, &named).unwrap();
        assert_eq!(blob_format::parse(&blob).unwrap().header().kid(), Some("given-kid"));
    }
    // The option overrides the key's kid.
    let named = SealOptions { kid: Some("override".into()), ..SealOptions::default() };
    let blob = seal(&doc, &rsa(), &named).unwrap();
    assert_eq!(blob_format::parse(&blob).unwrap().header().kid(), Some("override"));
    assert_eq!(open(&blob, &rsa(), &o()).unwrap_err().code(), "kid_mismatch");
    assert_eq!(open(&blob, &rsa().with_kid("override"), &o()).unwrap(), doc);
    // Phase two of the external seal refuses an empty kid.
    let sealing = Sealing::new(&doc, &SealOptions::default()).unwrap();
    let wrapped = jwk("aes-256kw.jwk.json").wrap_cek(Alg::A256Kw, sealing.cek()).unwrap();
    assert_eq!(sealing.finish(Alg::A256Kw, "", &wrapped).unwrap_err().code(), "missing_kid");
}

#[test]
fn a_kid_too_long_for_the_header_limit_is_refused_on_seal() {
    let doc = small();
    let k = jwk("aes-128kw.jwk.json");
    // 2000 characters: the header (about 2.7 KB of base64url) fits the 4096 default and opens.
    let long = SealOptions { kid: Some("k".repeat(2000)), ..SealOptions::default() };
    let blob = seal(&doc, &k, &long).unwrap();
    assert_eq!(open(&blob, &k.clone().with_kid("k".repeat(2000)), &o()).unwrap(), doc);
    // 4000 characters would make a blob no default reader opens: refused, as the reader would.
    let too_long = SealOptions { kid: Some("k".repeat(4000)), ..SealOptions::default() };
    let err = seal(&doc, &k, &too_long).unwrap_err();
    assert_eq!(err.code(), "header_too_large");
    assert!(matches!(&err, Error::Format(e) if e.part == Part::Header), "{err:?}");
    let err = rewrap(
        &blob,
        &k.clone().with_kid("k".repeat(2000)),
        &k,
        &RotateOptions { kid: Some("k".repeat(4000)), ..RotateOptions::default() },
    )
    .unwrap_err();
    assert_eq!(err.code(), "header_too_large");
}

#[test]
fn plaintext_too_large_is_checked_before_decoding() {
    let doc = document(5, Values::Mixed);
    let tiny = OpenOptions { document: DocumentLimits::DEFAULT.with_max_document_len(64), ..o() };
    for enc in [Enc::A128CbcHs256, Enc::A256Gcm] {
        let blob = seal(&doc, &rsa(), &opts(Alg::RsaOaep256, enc)).unwrap();
        let err = open(&blob, &rsa(), &tiny).unwrap_err();
        assert!(matches!(err, Error::PlaintextTooLarge { max: 64, .. }), "{err:?}");
        assert_eq!(err.code(), "plaintext_too_large");
        // Before the kid, the key and the crypto: a key that could never open it gets the same answer,
        // and so does a blob whose ciphertext is garbage.
        assert_eq!(open(&blob, &jwk("aes-128kw.jwk.json"), &tiny).unwrap_err().code(), "plaintext_too_large");
        let p = blob_format::parse(&blob).unwrap();
        let garbage = with_segment(&blob, Part::Ciphertext, &vec![0x3C; p.ciphertext().decoded_len()]);
        assert_eq!(open(&garbage, &rsa(), &tiny).unwrap_err().code(), "plaintext_too_large");
        for op in [verify(&blob, &rsa(), &tiny).map(|_| ()), open_raw(&blob, &rsa(), &tiny).map(|_| ())] {
            assert_eq!(op.unwrap_err().code(), "plaintext_too_large");
        }
        let rotate = RotateOptions { open: tiny, ..RotateOptions::default() };
        assert_eq!(rewrap(&blob, &rsa(), &rsa(), &rotate).unwrap_err().code(), "plaintext_too_large");
        assert_eq!(reseal(&blob, &rsa(), &rsa(), &rotate).unwrap_err().code(), "plaintext_too_large");
    }
}

#[test]
fn plaintext_bound_is_exact_at_the_edges() {
    let doc = small();
    let len = doc.to_json().len();
    let limit = |max: usize| OpenOptions { document: DocumentLimits::DEFAULT.with_max_document_len(max), ..o() };
    let k = jwk("aes-256kw.jwk.json");
    // GCM: the ciphertext is as long as the plaintext.
    let gcm = seal(&doc, &k, &opts(Alg::A256Kw, Enc::A128Gcm)).unwrap();
    assert_eq!(open(&gcm, &k, &limit(len)).unwrap(), doc);
    assert_eq!(open(&gcm, &k, &limit(len - 1)).unwrap_err().code(), "plaintext_too_large");
    // CBC: 1 to 16 bytes of padding. Refused unseen when even the largest padding leaves too much,
    // refused after decryption (by the document limit) in between, never accepted over the limit.
    let cbc = seal(&doc, &k, &opts(Alg::A256Kw, Enc::A128CbcHs256)).unwrap();
    let ct_len = blob_format::parse(&cbc).unwrap().ciphertext().decoded_len();
    assert_eq!(ct_len, (len / 16 + 1) * 16);
    assert_eq!(open(&cbc, &k, &limit(len)).unwrap(), doc);
    assert_eq!(open(&cbc, &k, &limit(ct_len - 17)).unwrap_err().code(), "plaintext_too_large");
    assert_ne!(len % 16, 0, "the fixture leaves a gap between the two refusals");
    let mut count = 0;
    for max in ct_len - 16..len {
        assert_eq!(open(&cbc, &k, &limit(max)).unwrap_err().code(), "document_too_large", "max {max}");
        count += 1;
    }
    assert_eq!(count, len % 16);
}

#[test]
fn encrypted_key_length_from_an_external_wrapper() {
    let doc = small();
    let mut count = 0;
    for enc in Enc::ALL {
        for (alg, bad) in [
            (Alg::A128Kw, enc.cek_len() + 7),
            (Alg::A256Kw, enc.cek_len() + 9),
            (Alg::A192Kw, enc.cek_len()),
            (Alg::RsaOaep256, 255),
            (Alg::RsaOaep, 1025),
            (Alg::RsaOaep256, 0),
        ] {
            let sealing = Sealing::new(&doc, &SealOptions { enc, ..SealOptions::default() }).unwrap();
            let err = sealing.finish(alg, "kms-1", &vec![7; bad]).unwrap_err();
            assert!(matches!(err, Error::EncryptedKeyLength { alg: a, len } if a == alg && len == bad), "{err:?}");
            assert_eq!(err.code(), "encrypted_key_length");
            count += 1;
        }
        // The lengths parse accepts are accepted (the content of the key is the wrapper's business).
        for (alg, good) in [(Alg::A128Kw, enc.cek_len() + 8), (Alg::RsaOaep256, 256), (Alg::RsaOaep, 512)] {
            let sealing = Sealing::new(&doc, &SealOptions { enc, ..SealOptions::default() }).unwrap();
            let blob = sealing.finish(alg, "kms-1", &vec![7; good]).unwrap();
            assert_eq!(blob_format::parse(&blob).unwrap().encrypted_key().decoded_len(), good);
        }
    }
    assert_eq!(count, 6 * 6);
}

#[test]
fn alg_not_allowed() {
    let doc = small();
    // A PEM RSA key allows RSA-OAEP-256 only: it does not open an RSA-OAEP blob...
    let sealer = rsa().allow(Alg::RsaOaep).unwrap();
    let blob = seal(&doc, &sealer, &opts(Alg::RsaOaep, Enc::A128CbcHs256)).unwrap();
    assert_eq!(blob_format::parse(&blob).unwrap().header().alg(), Alg::RsaOaep);
    let pem_key = pem("rsa-2048.pem");
    let err = open(&blob, &pem_key, &o()).unwrap_err();
    assert!(
        matches!(&err, Error::Key(KeyError::AlgNotAllowed { alg: Alg::RsaOaep, allowed }) if allowed == &[Alg::RsaOaep256]),
        "{err:?}"
    );
    assert_eq!(err.code(), "alg_not_allowed");
    // ... unless allowed explicitly.
    assert_eq!(open(&blob, &pem_key.clone().allow(Alg::RsaOaep).unwrap(), &o()).unwrap(), doc);
    // Nor does the JWK pinned to RSA-OAEP-256, even with the right kid.
    assert_eq!(open(&blob, &rsa(), &o()).unwrap_err().code(), "alg_not_allowed");
    // Refused before any crypto: garbage of valid lengths gives the same answer.
    let garbage = with_segment(&blob, Part::EncryptedKey, &[0; 256]);
    assert_eq!(open(&garbage, &pem_key, &o()).unwrap_err().code(), "alg_not_allowed");

    // An A128KW key asked to open an A256KW blob (kid made to match, so the pin is what refuses).
    let blob = seal(&doc, &jwk("aes-256kw.jwk.json"), &SealOptions::default()).unwrap();
    let a128 = jwk("aes-128kw.jwk.json").with_kid("test-a256kw");
    let err = open(&blob, &a128, &o()).unwrap_err();
    assert!(matches!(&err, Error::Key(KeyError::AlgNotAllowed { alg: Alg::A256Kw, .. })), "{err:?}");
    assert_eq!(verify(&blob, &a128, &o()).unwrap_err().code(), "alg_not_allowed");
    // An RSA key for an AES-KW blob, and the other way round.
    assert_eq!(open(&blob, &rsa().with_kid("test-a256kw"), &o()).unwrap_err().code(), "alg_not_allowed");
    let rsa_blob = seal(&doc, &rsa(), &SealOptions::default()).unwrap();
    let aes = jwk("aes-256kw.jwk.json").with_kid("test-rsa-2048");
    assert_eq!(open(&rsa_blob, &aes, &o()).unwrap_err().code(), "alg_not_allowed");

    // Sealing with an alg the key does not allow is refused before any work.
    assert_eq!(seal(&doc, &rsa(), &opts(Alg::RsaOaep, Enc::A128Gcm)).unwrap_err().code(), "alg_not_allowed");
    assert_eq!(seal(&doc, &a128, &opts(Alg::A192Kw, Enc::A128Gcm)).unwrap_err().code(), "alg_not_allowed");
    assert_eq!(seal_raw(b"x", &a128, &opts(Alg::RsaOaep256, Enc::A128Gcm)).unwrap_err().code(), "alg_not_allowed");
}

#[test]
fn public_key_only() {
    let doc = small();
    let mut count = 0;
    for (public, private) in [
        (jwk("rsa-2048.pub.jwk.json"), rsa()),
        (pem("rsa-3072.pub.pem").with_kid("test-rsa-3072"), jwk("rsa-3072.jwk.json")),
        (rsa().public_key().unwrap(), rsa()),
    ] {
        // A public key seals...
        let blob = seal(&doc, &public, &SealOptions::default()).unwrap();
        assert_eq!(open(&blob, &private, &o()).unwrap(), doc);
        // ... and cannot open, verify or rotate.
        let err = open(&blob, &public, &o()).unwrap_err();
        assert!(matches!(err, Error::Key(KeyError::PublicKeyOnly)), "{err:?}");
        assert_eq!(err.to_string(), "the key is an RSA public key; opening needs the private key");
        assert_eq!(verify(&blob, &public, &o()).unwrap_err().code(), "public_key_only");
        assert_eq!(open_raw(&blob, &public, &o()).unwrap_err().code(), "public_key_only");
        let to = jwk("aes-128kw.jwk.json");
        assert_eq!(rewrap(&blob, &public, &to, &RotateOptions::default()).unwrap_err().code(), "public_key_only");
        assert_eq!(reseal(&blob, &public, &to, &RotateOptions::default()).unwrap_err().code(), "public_key_only");
        count += 1;
    }
    assert_eq!(count, 3);
}

#[test]
fn decryption_failed_for_a_wrong_key_of_the_same_kind() {
    let doc = small();
    let rsa_blob = seal(&doc, &rsa(), &SealOptions::default()).unwrap();
    let aes_blob = seal(&doc, &jwk("aes-256kw.jwk.json"), &SealOptions::default()).unwrap();
    let cases = [
        (&rsa_blob, other_rsa_2048().with_kid("test-rsa-2048")),
        (&rsa_blob, jwk("rsa-3072.jwk.json").with_kid("test-rsa-2048")),
        (&rsa_blob, pem("rsa-4096.pem")),
        (&aes_blob, Key::from_oct(&[9; 32]).unwrap().with_kid("test-a256kw")),
        (&aes_blob, Key::generate_oct(Alg::A256Kw).unwrap()),
    ];
    for (blob, wrong) in &cases {
        let err = open(blob, wrong, &o()).unwrap_err();
        // One value for every "does not open": RSA failing at the tag, AES-KW at the unwrap.
        assert!(matches!(err, Error::Crypto(CryptoError::DecryptionFailed)), "{err:?}");
        assert!(err.is_decryption_failed());
        assert_eq!(
            err.to_string(),
            "decryption failed: the blob was altered, or the key is not the one it was sealed with"
        );
        assert!(verify(blob, wrong, &o()).unwrap_err().is_decryption_failed());
        assert!(open_raw(blob, wrong, &o()).unwrap_err().is_decryption_failed());
    }
    assert_eq!(cases.len(), 5);
}

#[test]
fn decryption_failed_for_every_tampered_segment() {
    let doc = small();
    let mut count = 0;
    for (k, alg) in [(rsa(), Alg::RsaOaep256), (jwk("aes-192kw.jwk.json"), Alg::A192Kw)] {
        for enc in Enc::ALL {
            let blob = seal(&doc, &k, &opts(alg, enc)).unwrap();
            for part in [Part::EncryptedKey, Part::Iv, Part::Ciphertext, Part::Tag] {
                for index in [0, 5] {
                    let tampered = flipped(&blob, part, index);
                    let err = open(&tampered, &k, &o()).unwrap_err();
                    assert!(
                        matches!(err, Error::Crypto(CryptoError::DecryptionFailed)),
                        "{alg} {enc} {part:?} {err:?}"
                    );
                    count += 1;
                }
            }
            // The header is the AAD: a header that still parses but differs fails the same way.
            let p = blob_format::parse(&blob).unwrap();
            let header = p.header().clone().with_member("x", json!(1)).unwrap().encode();
            let tampered = blob.replacen(p.header_segment().as_str(), &header, 1);
            assert!(open(&tampered, &k, &o()).unwrap_err().is_decryption_failed(), "{alg} {enc} header");
            count += 1;
        }
    }
    assert_eq!(count, 2 * 6 * 9);
}

#[test]
fn document_errors_surface_through_seal() {
    let v = |id: &str, name: &str| Version::new(id, name, SecretValue::string("x"));
    let rsa = rsa();
    let cases: Vec<(Document, SealOptions, &str)> = vec![
        (Document::new(Secret::new("s"), vec![]), SealOptions::default(), "no_versions"),
        (
            Document::new(Secret::new("s"), vec![v("v1", "s"), v("v1", "s")]),
            SealOptions::default(),
            "duplicate_version_id",
        ),
        (
            Document::new(
                Secret::new("s"),
                vec![v("v1", "s").with_stages(["SYSCURRENT"]), v("v2", "s").with_stages(["SYSCURRENT"])],
            ),
            SealOptions::default(),
            "stage_on_two_versions",
        ),
        (Document::new(Secret::new("s"), vec![v("v1", "other")]), SealOptions::default(), "secret_name_mismatch"),
        (
            Document::new(Secret::new("bad name/ü"), vec![v("v1", "bad name/ü")]),
            SealOptions::default(),
            "invalid_secret_name",
        ),
        (
            Document::new(Secret::new("s"), (0..21).map(|i| v(&format!("v{i}"), "s")).collect()),
            SealOptions::default(),
            "too_many_versions",
        ),
        (
            Document::new(Secret::new("s"), vec![Version::new("v1", "s", SecretValue::binary(vec![0; 65_537]))]),
            SealOptions::default(),
            "value_too_large",
        ),
        (
            small(),
            SealOptions { limits: DocumentLimits::DEFAULT.with_max_document_len(100), ..SealOptions::default() },
            "document_too_large",
        ),
        (
            small(),
            SealOptions { limits: DocumentLimits::DEFAULT.with_max_versions(1), ..SealOptions::default() },
            "too_many_versions",
        ),
        (
            {
                let mut d = small();
                d.format_version = 2;
                d
            },
            SealOptions::default(),
            "unknown_format_version",
        ),
    ];
    for (doc, options, code) in &cases {
        let err = seal(doc, &rsa, options).unwrap_err();
        assert!(matches!(err, Error::Document(_)), "{code}: {err:?}");
        assert_eq!(err.code(), *code);
        assert_eq!(Sealing::new(doc, options).unwrap_err().code(), *code);
    }
    assert_eq!(cases.len(), 10);
}

#[test]
fn document_errors_surface_through_open() {
    let k = jwk("aes-128kw.jwk.json");
    let cases: [(&str, &str); 9] = [
        (r#"{"format_version":1,"secret":{"name":"s"},"versions":[]}"#, "no_versions"),
        (
            r#"{"format_version":1,"secret":{"name":"s"},"versions":[{"version_metadata":{"id":"v1","secret_name":"s"},"secret_string":"a","secret_binary":"AA=="}]}"#,
            "both_values",
        ),
        (
            r#"{"format_version":1,"secret":{"name":"s"},"versions":[{"version_metadata":{"id":"v1","secret_name":"s"}}]}"#,
            "no_value",
        ),
        (
            r#"{"format_version":9,"secret":{"name":"s"},"versions":[{"version_metadata":{"id":"v1","secret_name":"s"},"secret_string":"a"}]}"#,
            "unknown_format_version",
        ),
        (
            r#"{"format_version":1,"secret":{"name":"s"},"versions":[{"version_metadata":{"id":"v1","secret_name":"t"},"secret_string":"a"}]}"#,
            "secret_name_mismatch",
        ),
        (
            r#"{"format_version":1,"secret":{"name":"s"},"versions":[{"version_metadata":{"id":"v1","secret_name":"s"},"secret_string":"a"},{"version_metadata":{"id":"v1","secret_name":"s"},"secret_string":"b"}]}"#,
            "duplicate_version_id",
        ),
        (
            r#"{"format_version":1,"secret":{"name":"s"},"versions":[{"version_metadata":{"id":"v1","secret_name":"s","version_stages":["A"]},"secret_string":"a"},{"version_metadata":{"id":"v2","secret_name":"s","version_stages":["A"]},"secret_string":"b"}]}"#,
            "stage_on_two_versions",
        ),
        (r#"{"format_version":1,"secret":{"name":"no spaces"},"versions":[]}"#, "invalid_secret_name"),
        ("not json at all", "document_json"),
    ];
    for (json, code) in cases {
        let blob = seal_raw(json.as_bytes(), &k, &SealOptions::default()).unwrap();
        let err = open(&blob, &k, &o()).unwrap_err();
        assert!(matches!(err, Error::Document(_)), "{code}: {err:?}");
        assert_eq!(err.code(), code, "{err}");
        assert_eq!(verify(&blob, &k, &o()).unwrap_err().code(), code);
        assert_eq!(reseal(&blob, &k, &k, &RotateOptions::default()).unwrap_err().code(), code);
        // open_raw does not read the plaintext as a document, and rewrap never decrypts CBC values.
        assert_eq!(&open_raw(&blob, &k, &o()).unwrap()[..], json.as_bytes());
        let moved = rewrap(&blob, &k, &k, &RotateOptions::default()).unwrap();
        assert_eq!(&open_raw(&moved, &k, &o()).unwrap()[..], json.as_bytes());
    }
    // The document limits of the opener apply to a valid blob too.
    let blob = seal(&document(3, Values::Mixed), &k, &SealOptions::default()).unwrap();
    let versions = OpenOptions { document: DocumentLimits::DEFAULT.with_max_versions(2), ..o() };
    assert_eq!(open(&blob, &k, &versions).unwrap_err().code(), "too_many_versions");
    let values = OpenOptions { document: DocumentLimits::DEFAULT.with_max_value_len(100), ..o() };
    assert_eq!(open(&blob, &k, &values).unwrap_err().code(), "value_too_large");
}

// ---------------------------------------------------------------------------------------------
// The two external phases

/// A stand-in KMS: wraps and unwraps data keys with a key it never hands out.
struct StandInKms {
    key: Key,
}

impl StandInKms {
    fn encrypt_data_key(&self, kid: &str, cek: &[u8]) -> (Alg, Vec<u8>) {
        assert_eq!(Some(kid), self.key.kid());
        let alg = self.key.default_alg();
        (alg, self.key.wrap_cek(alg, cek).unwrap())
    }

    fn decrypt_data_key(&self, kid: &str, alg: Alg, encrypted_key: &[u8], len: usize) -> Vec<u8> {
        assert_eq!(Some(kid), self.key.kid());
        self.key.unwrap_cek(alg, encrypted_key, len).unwrap().to_vec()
    }
}

#[test]
fn external_wrapping_in_two_phases() {
    let doc = document(3, Values::Mixed);
    let mut count = 0;
    for kms_key in [jwk("aes-256kw.jwk.json"), jwk("aes-128kw.jwk.json"), rsa(), jwk("rsa-3072.jwk.json")] {
        let kms = StandInKms { key: kms_key.clone() };
        let kid = kms_key.kid().unwrap().to_owned();
        for enc in Enc::ALL {
            let sealing = Sealing::new(&doc, &SealOptions { enc, ..SealOptions::default() }).unwrap();
            assert_eq!((sealing.enc(), sealing.cek().len()), (enc, enc.cek_len()));
            let (alg, wrapped) = kms.encrypt_data_key(&kid, sealing.cek());
            let blob = sealing.finish(alg, &kid, &wrapped).unwrap();

            // Phase one of opening shows what the KMS needs: kid, alg, enc and the encrypted key.
            let opening = Opening::parse(&blob, &o()).unwrap();
            assert_eq!((opening.kid(), opening.alg(), opening.enc()), (Some(kid.as_str()), alg, enc));
            assert_eq!(opening.encrypted_key(), wrapped);
            assert_eq!(opening.blob().as_str(), blob);
            let cek =
                kms.decrypt_data_key(opening.kid().unwrap(), opening.alg(), &opening.encrypted_key(), enc.cek_len());
            assert_eq!(opening.finish(&cek).unwrap(), doc);
            assert_eq!(&opening.finish_raw(&cek).unwrap()[..], &doc.to_json()[..]);
            // The same blob opens with the key itself, the ordinary way, and unwrap_cek gives the same CEK.
            assert_eq!(open(&blob, &kms_key, &o()).unwrap(), doc);
            assert_eq!(&opening.unwrap_cek(&kms_key).unwrap()[..], &cek[..]);

            // A "KMS" returning a CEK of the wrong length, or the wrong CEK, fails like a wrong key.
            let long: Vec<u8> = cek.iter().copied().chain([0]).collect();
            let mut wrong = cek.clone();
            wrong[0] ^= 1;
            for bad in [&cek[..cek.len() / 2], &cek[..cek.len() - 1], &long[..], &[][..], &wrong[..]] {
                let err = opening.finish(bad).unwrap_err();
                assert!(matches!(err, Error::Crypto(CryptoError::DecryptionFailed)), "{enc} {}: {err:?}", bad.len());
                assert!(opening.finish_raw(bad).unwrap_err().is_decryption_failed());
            }
            count += 1;
        }
    }
    assert_eq!(count, 4 * 6);
}

#[test]
fn external_sealing_with_raw_wrap_primitives_and_any_kid() {
    // A KMS that is not a `Key` at all: raw AES-KW bytes and an RSA key from PEM via OpenSSL.
    let doc = small();
    let kek = [0x42u8; 24];
    let sealing = Sealing::new(&doc, &SealOptions::default()).unwrap();
    let wrapped = blob_seal::wrap::aes_kw_wrap(Alg::A192Kw, &kek, sealing.cek()).unwrap();
    let blob = sealing.finish(Alg::A192Kw, "kms/projects/p1/keys/k-ü", &wrapped).unwrap();
    let opening = Opening::parse(&blob, &o()).unwrap();
    assert_eq!(opening.kid(), Some("kms/projects/p1/keys/k-ü"));
    let cek = blob_seal::wrap::aes_kw_unwrap(opening.alg(), &kek, &opening.encrypted_key(), 32).unwrap();
    assert_eq!(opening.finish(&cek).unwrap(), doc);

    let pkey = openssl::pkey::PKey::private_key_from_pem(read("rsa-2048.pem").as_bytes()).unwrap();
    let sealing = Sealing::new(&doc, &SealOptions { enc: Enc::A192Gcm, ..SealOptions::default() }).unwrap();
    let wrapped = blob_seal::wrap::rsa_wrap(&pkey, Alg::RsaOaep, sealing.cek()).unwrap();
    let blob = sealing.finish(Alg::RsaOaep, "hsm-slot-3", &wrapped).unwrap();
    let opening = Opening::parse(&blob, &o()).unwrap();
    let cek = blob_seal::wrap::rsa_unwrap(&pkey, opening.alg(), &opening.encrypted_key(), 24).unwrap();
    assert_eq!(opening.finish(&cek).unwrap(), doc);
    // And the Key from the same PEM opens it once RSA-OAEP is allowed and the kid is set.
    let k = pem("rsa-2048.pem").allow(Alg::RsaOaep).unwrap().with_kid("hsm-slot-3");
    assert_eq!(open(&blob, &k, &o()).unwrap(), doc);
}

// ---------------------------------------------------------------------------------------------
// verify

#[test]
fn verify_returns_the_summary_and_no_values() {
    let doc = document(4, Values::Mixed);
    let mut count = 0;
    for (k, alg, enc) in
        [(rsa(), Alg::RsaOaep256, Enc::A128CbcHs256), (jwk("aes-128kw.jwk.json"), Alg::A128Kw, Enc::A256Gcm)]
    {
        let blob = seal(&doc, &k, &opts(alg, enc)).unwrap();
        let summary = verify(&blob, &k, &o()).unwrap();
        assert_eq!(summary.kid.as_deref(), k.kid());
        assert_eq!((summary.alg, summary.enc), (alg, enc));
        assert_eq!(summary.name, NAME);
        let ids: Vec<&str> = summary.versions.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["v1-版本", "v2-版本", "v3-版本", "v4-版本"]);
        let kinds: Vec<&str> = summary.versions.iter().map(|v| v.kind).collect();
        assert_eq!(kinds, ["string", "binary", "string", "binary"]);
        let sizes: Vec<usize> = summary.versions.iter().map(|v| v.size).collect();
        assert_eq!(sizes, [string_value(0).len(), 256, string_value(2).len(), 256]);
        let stages: Vec<&[String]> = summary.versions.iter().map(|v| v.stages.as_slice()).collect();
        let expected =
            [vec![], vec!["ÉTAPE-ü-段階".to_owned()], vec!["SYSPREVIOUS".to_owned()], vec!["SYSCURRENT".to_owned()]];
        assert_eq!(stages, expected.iter().map(Vec::as_slice).collect::<Vec<_>>());
        assert_eq!(summary.versions[3].create_time, Some(1_700_000_000_000 + 3000));
        assert_eq!(summary.versions, doc.summary());
        for shown in [format!("{summary:?}"), format!("{summary:#?}")] {
            assert!(!shown.contains("pässwörd"), "{shown}");
            assert!(!shown.contains("密码"), "{shown}");
        }
        // A tampered blob does not verify.
        assert!(verify(&flipped(&blob, Part::Tag, 0), &k, &o()).unwrap_err().is_decryption_failed());
        count += 1;
    }
    assert_eq!(count, 2);
}

// ---------------------------------------------------------------------------------------------
// rewrap

#[test]
fn rewrap_moves_a_blob_to_the_new_key_only() {
    let doc = document(3, Values::Mixed);
    let mut count = 0;
    // (old, new, old without kid): RSA to RSA and AES-KW to AES-KW, so the kid-less old key gets as far
    // as the crypto.
    let new_aes = Key::generate_oct(Alg::A256Kw).unwrap().with_kid("rotated-a256kw");
    for (old, new, old_anonymous) in [
        (rsa(), jwk("rsa-3072.jwk.json"), pem("rsa-2048.pem")),
        (jwk("aes-256kw.jwk.json"), new_aes, jwk_without_kid("aes-256kw.jwk.json")),
    ] {
        for enc in Enc::ALL {
            let blob = seal(&doc, &old, &SealOptions { enc, ..SealOptions::default() }).unwrap();
            let moved = rewrap(&blob, &old, &new, &RotateOptions::default()).unwrap();
            let p = blob_format::parse(&moved).unwrap();
            assert_eq!((p.header().alg(), p.header().enc(), p.header().kid()), (new.default_alg(), enc, new.kid()));
            let (a, b) = (segments(&blob), segments(&moved));
            assert_ne!(a[0], b[0], "header");
            assert_ne!(a[1], b[1], "encrypted key");
            if enc.is_cbc_hmac() {
                // The secret values were never decrypted: same IV and ciphertext text, new tag.
                assert_eq!(a[2], b[2], "{enc} iv");
                assert_eq!(a[3], b[3], "{enc} ciphertext");
                assert_ne!(a[4], b[4], "{enc} tag");
            } else {
                assert_ne!(a[2], b[2], "{enc}: a fresh IV for GCM");
                assert_ne!(a[3], b[3]);
            }
            // The new key opens it; the old one does not.
            assert_eq!(open(&moved, &new, &o()).unwrap(), doc, "{enc}");
            assert_eq!(open(&moved, &old, &o()).unwrap_err().code(), "kid_mismatch");
            let err = open(&moved, &old_anonymous, &o()).unwrap_err();
            assert!(matches!(err, Error::Crypto(CryptoError::DecryptionFailed)), "{enc}: {err:?}");
            // The content key is the same one: rotation, not re-encryption.
            let cek_a = Opening::parse(&blob, &o()).unwrap().unwrap_cek(&old).unwrap();
            let cek_b = Opening::parse(&moved, &o()).unwrap().unwrap_cek(&new).unwrap();
            assert_eq!(&cek_a[..], &cek_b[..]);
            count += 1;
        }
    }
    assert_eq!(count, 2 * 6);
}

#[test]
fn rewrap_across_key_families_and_back() {
    let doc = small();
    let rsa_oaep = jwk("rsa-3072.jwk.json").allow(Alg::RsaOaep).unwrap();
    let chain = [
        (jwk("aes-256kw.jwk.json"), RotateOptions::default(), Alg::A256Kw),
        (rsa_oaep.clone(), RotateOptions { alg: Some(Alg::RsaOaep), ..RotateOptions::default() }, Alg::RsaOaep),
        (jwk("aes-128kw.jwk.json"), RotateOptions::default(), Alg::A128Kw),
        (rsa(), RotateOptions { kid: Some("back-to-rsa".into()), ..RotateOptions::default() }, Alg::RsaOaep256),
    ];
    let mut count = 0;
    for enc in [Enc::A128CbcHs256, Enc::A256CbcHs512, Enc::A192Gcm] {
        let first = seal(&doc, &rsa(), &SealOptions { enc, ..SealOptions::default() }).unwrap();
        let mut blob = first.clone();
        let mut holder = rsa();
        for (next, options, alg) in &chain {
            blob = rewrap(&blob, &holder, next, options).unwrap();
            let p = blob_format::parse(&blob).unwrap();
            assert_eq!((p.header().alg(), p.header().enc()), (*alg, enc));
            holder = match &options.kid {
                Some(kid) => next.clone().with_kid(kid.clone()),
                None => next.clone(),
            };
            assert_eq!(p.header().kid(), holder.kid());
            assert_eq!(open(&blob, &holder, &o()).unwrap(), doc, "{alg} {enc}");
            count += 1;
        }
        if enc.is_cbc_hmac() {
            // Four rotations later, still the ciphertext the first seal wrote.
            assert_eq!(segments(&first)[3], segments(&blob)[3]);
        }
    }
    assert_eq!(count, 3 * 4);
}

#[test]
fn rewrap_refuses_a_tampered_blob() {
    let doc = small();
    let (old, new) = (rsa(), jwk("aes-128kw.jwk.json"));
    let mut count = 0;
    for enc in Enc::ALL {
        let blob = seal(&doc, &old, &SealOptions { enc, ..SealOptions::default() }).unwrap();
        for part in [Part::EncryptedKey, Part::Iv, Part::Ciphertext, Part::Tag] {
            let tampered = flipped(&blob, part, 3);
            let err = rewrap(&tampered, &old, &new, &RotateOptions::default()).unwrap_err();
            assert!(matches!(err, Error::Crypto(CryptoError::DecryptionFailed)), "{enc} {part:?}: {err:?}");
            assert!(reseal(&tampered, &old, &new, &RotateOptions::default()).unwrap_err().is_decryption_failed());
            count += 1;
        }
    }
    assert_eq!(count, 6 * 4);
}

#[test]
fn rewrap_checks_the_new_key_before_touching_the_blob() {
    let blob = seal(&small(), &rsa(), &SealOptions::default()).unwrap();
    let garbage = "not a blob at all";
    let anonymous = jwk_without_kid("aes-128kw.jwk.json");
    for input in [blob.as_str(), garbage] {
        let err = rewrap(input, &rsa(), &anonymous, &RotateOptions::default()).unwrap_err();
        assert!(matches!(err, Error::MissingKid), "{err:?}");
        let empty = RotateOptions { kid: Some(String::new()), ..RotateOptions::default() };
        assert_eq!(rewrap(input, &rsa(), &jwk("aes-128kw.jwk.json"), &empty).unwrap_err().code(), "missing_kid");
        let wrong_alg = RotateOptions { alg: Some(Alg::A256Kw), ..RotateOptions::default() };
        let err = rewrap(input, &rsa(), &jwk("aes-128kw.jwk.json"), &wrong_alg).unwrap_err();
        assert_eq!(err.code(), "alg_not_allowed");
        assert_eq!(reseal(input, &rsa(), &anonymous, &RotateOptions::default()).unwrap_err().code(), "missing_kid");
        assert_eq!(reseal(input, &rsa(), &rsa(), &wrong_alg).unwrap_err().code(), "alg_not_allowed");
    }
    // The kid option names the new key; a public key can be the new key (wrapping needs no private part).
    let named = RotateOptions { kid: Some("named".into()), ..RotateOptions::default() };
    let moved = rewrap(&blob, &rsa(), &anonymous, &named).unwrap();
    assert_eq!(blob_format::parse(&moved).unwrap().header().kid(), Some("named"));
    assert_eq!(open(&moved, &anonymous, &o()).unwrap(), small());
    let moved = rewrap(&blob, &rsa(), &jwk("rsa-4096.pub.jwk.json"), &RotateOptions::default()).unwrap();
    assert_eq!(open(&moved, &jwk("rsa-4096.jwk.json"), &o()).unwrap(), small());
}

#[test]
fn rewrap_keeps_other_header_members() {
    // A blob of another writer, with a member we do not know: sealed by hand with the primitives.
    let k = jwk("aes-256kw.jwk.json");
    let doc = small();
    let mut count = 0;
    for enc in [Enc::A128CbcHs256, Enc::A128Gcm] {
        let header = Header::new(Alg::A256Kw, enc)
            .with_kid("test-a256kw")
            .with_cty("application/json")
            .with_member("x-backup-note", json!("nightly ü"))
            .unwrap();
        let segment = header.encode();
        let cek = content::generate_cek(enc).unwrap();
        let iv = content::generate_iv(enc).unwrap();
        let sealed = content::encrypt(enc, &cek, &iv, segment.as_bytes(), &doc.to_json()).unwrap();
        let ek = k.wrap_cek(Alg::A256Kw, &cek).unwrap();
        let blob = blob_format::assemble(&WriteOptions::default(), &segment, &ek, &iv, &sealed.ciphertext, &sealed.tag);
        assert_eq!(open(&blob, &k, &o()).unwrap(), doc);

        let moved = rewrap(&blob, &k, &rsa(), &RotateOptions::default()).unwrap();
        let p = blob_format::parse(&moved).unwrap();
        assert_eq!(p.header().cty(), Some("application/json"));
        assert_eq!(p.header().others(), &[("x-backup-note".to_owned(), json!("nightly ü"))]);
        assert_eq!((p.header().alg(), p.header().kid()), (Alg::RsaOaep256, Some("test-rsa-2048")));
        assert_eq!(open(&moved, &rsa(), &o()).unwrap(), doc);
        count += 1;
    }
    assert_eq!(count, 2);
}

#[test]
fn rewrap_and_reseal_preserve_marker_and_prefix() {
    let doc = small();
    let (old, new) = (rsa(), jwk("aes-128kw.jwk.json"));
    let mut count = 0;
    for marker in [Marker::Published, Marker::Length] {
        for prefix in [Prefix::Long, Prefix::Short] {
            let write = WriteOptions { marker, prefix };
            let mut start = String::new();
            write.write_prefix(&mut start);
            for enc in [Enc::A128CbcHs256, Enc::A256Gcm] {
                let blob = seal(&doc, &old, &SealOptions { enc, write, ..SealOptions::default() }).unwrap();
                assert!(blob.starts_with(&format!("{start}eyJ")), "{blob}");
                for out in [
                    rewrap(&blob, &old, &new, &RotateOptions::default()).unwrap(),
                    reseal(&blob, &old, &new, &RotateOptions::default()).unwrap(),
                ] {
                    assert!(out.starts_with(&format!("{start}eyJ")), "{marker:?} {prefix:?}: {out}");
                    let p = blob_format::parse(&out).unwrap();
                    assert_eq!((p.marker(), p.prefix()), (marker, prefix));
                    assert_eq!(open(&out, &new, &o()).unwrap(), doc);
                }
                count += 1;
            }
        }
    }
    assert_eq!(count, 2 * 2 * 2);
    // The length markers really are the length bytes.
    let short = WriteOptions { marker: Marker::Length, prefix: Prefix::Short };
    assert_eq!(seal(&doc, &old, &SealOptions { write: short, ..SealOptions::default() }).unwrap().as_bytes()[0], 0x21);
}

// ---------------------------------------------------------------------------------------------
// reseal

#[test]
fn reseal_draws_a_fresh_cek_and_iv() {
    let doc = document(3, Values::Mixed);
    let (old, new) = (jwk("aes-192kw.jwk.json"), jwk("aes-256kw.jwk.json"));
    let mut count = 0;
    for enc in Enc::ALL {
        let blob = seal(&doc, &old, &SealOptions { enc, ..SealOptions::default() }).unwrap();
        // To a new key, and to the same key (after a compromise of the CEK alone).
        for target in [&new, &old] {
            let fresh = reseal(&blob, &old, target, &RotateOptions::default()).unwrap();
            let (a, b) = (segments(&blob), segments(&fresh));
            assert_ne!(a[1], b[1], "{enc}: encrypted key");
            assert_ne!(a[2], b[2], "{enc}: iv");
            assert_ne!(a[3], b[3], "{enc}: ciphertext");
            assert_eq!(blob_format::parse(&fresh).unwrap().header().enc(), enc, "enc kept by default");
            assert_eq!(&open(&fresh, target, &o()).unwrap(), &doc);
            let cek_a = Opening::parse(&blob, &o()).unwrap().unwrap_cek(&old).unwrap();
            let cek_b = Opening::parse(&fresh, &o()).unwrap().unwrap_cek(target).unwrap();
            assert_eq!(cek_a.len(), cek_b.len());
            assert_ne!(&cek_a[..], &cek_b[..], "{enc}: a fresh CEK");
            count += 1;
        }
        let moved = reseal(&blob, &old, &new, &RotateOptions::default()).unwrap();
        assert_eq!(open(&moved, &old, &o()).unwrap_err().code(), "kid_mismatch");
    }
    assert_eq!(count, 6 * 2);
}

#[test]
fn reseal_enc_alg_and_kid_options() {
    let doc = small();
    let blob = seal(&doc, &rsa(), &SealOptions::default()).unwrap();
    let mut count = 0;
    for enc in Enc::ALL {
        let options = RotateOptions { enc: Some(enc), ..RotateOptions::default() };
        let fresh = reseal(&blob, &rsa(), &jwk("aes-128kw.jwk.json"), &options).unwrap();
        let p = blob_format::parse(&fresh).unwrap();
        assert_eq!((p.header().enc(), p.header().alg()), (enc, Alg::A128Kw));
        assert_eq!(p.encrypted_key().decoded_len(), enc.cek_len() + 8);
        assert_eq!(open(&fresh, &jwk("aes-128kw.jwk.json"), &o()).unwrap(), doc);
        count += 1;
    }
    assert_eq!(count, 6);
    let options = RotateOptions { alg: Some(Alg::RsaOaep), kid: Some("r2".into()), ..RotateOptions::default() };
    let target = jwk("rsa-3072.jwk.json").allow(Alg::RsaOaep).unwrap();
    let fresh = reseal(&blob, &rsa(), &target, &options).unwrap();
    let p = blob_format::parse(&fresh).unwrap();
    assert_eq!((p.header().alg(), p.header().kid()), (Alg::RsaOaep, Some("r2")));
    assert_eq!(open(&fresh, &target.with_kid("r2"), &o()).unwrap(), doc);
}

// ---------------------------------------------------------------------------------------------
// Threads

#[test]
fn keys_and_operations_are_shared_across_threads() {
    let rsa = rsa();
    let aes = jwk("aes-256kw.jwk.json");
    let doc = document(3, Values::Mixed);
    let blobs: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (rsa, aes, doc) = (&rsa, &aes, &doc);
                s.spawn(move || {
                    let mut out = Vec::new();
                    for round in 0..3 {
                        let enc = Enc::ALL[(i + round) % Enc::ALL.len()];
                        let (k, alg) = if (i + round) % 2 == 0 { (rsa, Alg::RsaOaep256) } else { (aes, Alg::A256Kw) };
                        let blob = seal(doc, k, &opts(alg, enc)).unwrap();
                        assert_eq!(&open(&blob, k, &o()).unwrap(), doc);
                        assert_eq!(verify(&blob, k, &o()).unwrap().versions.len(), 3);
                        let other = if alg == Alg::A256Kw { rsa } else { aes };
                        let moved = rewrap(&blob, k, other, &RotateOptions::default()).unwrap();
                        assert_eq!(&open(&moved, other, &o()).unwrap(), doc);
                        out.push(blob);
                        out.push(moved);
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(blobs.len(), 8 * 3 * 2);
    let mut unique = blobs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), blobs.len(), "every seal and every rewrap is fresh");
}

// ---------------------------------------------------------------------------------------------
// The open path's parse (the ciphertext's text checked by the strict decoder, not scanned first)

/// The error `Opening::parse` reports, as code, part and character offset.
fn opening_error(input: &str, options: &OpenOptions) -> (String, Option<(&'static str, usize)>) {
    match Opening::parse(input, options).unwrap_err() {
        Error::Format(e) => (e.kind.code().to_owned(), Some((e.part.code(), e.offset))),
        other => (other.code().to_owned(), None),
    }
}

/// For every single-character corruption class in the ciphertext (a bad character, `=`, whitespace,
/// a length of 4k+1, a non-canonical last character, a dot), anywhere in it, in a bare blob and in
/// a JSON body with non-ASCII text before the blob: `Opening::parse` (what open, open_raw, verify,
/// rewrap and reseal run) reports exactly what `blob_format::parse` does.
#[test]
fn the_open_path_reports_the_ciphertext_errors_of_parse() {
    let doc = document(2, Values::Mixed);
    for enc in [Enc::A128CbcHs256, Enc::A128Gcm] {
        let good = seal(&doc, &rsa(), &opts(Alg::RsaOaep256, enc)).unwrap();
        let ct = blob_format::parse(&good).unwrap().ciphertext();
        let (start, end) = (ct.offset(), ct.offset() + ct.as_str().len());
        let mut corrupted = Vec::new();
        for at in [start, start + 1, (start + end) / 2, end - 2, end - 1] {
            for with in ["+", "/", "*", "\u{e9}", "=", " ", "\t", "\n", "."] {
                let mut bad = good.clone();
                bad.replace_range(at..at + 1, with);
                corrupted.push(bad);
            }
            // 4k+1 characters (and 4k+3, 4k+2).
            for n in 1..=3 {
                let mut longer = good.clone();
                longer.insert_str(at, &"A".repeat(n));
                corrupted.push(longer);
            }
        }
        // Padding, and every possible last character of a 4k+2 / 4k+3 ciphertext.
        for pad in ["=", "=="] {
            let mut padded = good.clone();
            padded.insert_str(end, pad);
            corrupted.push(padded);
        }
        for keep in [1, 2] {
            for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".chars() {
                let mut last = good.clone();
                last.replace_range(end - keep..end, &c.to_string());
                corrupted.push(last);
            }
        }
        let mut kinds = std::collections::BTreeSet::new();
        for bad in &corrupted {
            let body = format!(
                "{{\"\u{4e2d}\u{6587}\": \"\u{e9}t\u{e9}\", \"secret_blob\": \"{}\"}}",
                bad.replace('\n', "\\n")
            );
            for input in [bad.as_str(), body.as_str()] {
                let Err(want) = blob_format::parse(input) else { continue };
                let got = opening_error(input, &o());
                assert_eq!(got, (want.kind.code().to_owned(), Some((want.part.code(), want.offset))), "{input}");
                kinds.insert(got.0);
                // The same through every operation that opens.
                assert_eq!(open_raw(input, &rsa(), &o()).unwrap_err().code(), want.kind.code(), "{input}");
            }
        }
        for kind in ["base64_character", "base64_padding", "base64_whitespace", "base64_length", "base64_noncanonical"]
        {
            assert!(kinds.contains(kind), "{enc}: no {kind} among {kinds:?}");
        }
        // The good blob opens the same way.
        assert_eq!(Opening::parse(&good, &o()).unwrap().blob().as_str(), good);
    }
}

/// A blob over the plaintext bound whose ciphertext text is also bad: the format error first, as
/// before (the text is checked without being decoded).
#[test]
fn a_format_error_in_a_too_large_ciphertext_comes_first() {
    let tiny = OpenOptions { document: DocumentLimits::DEFAULT.with_max_document_len(64), ..o() };
    let blob = seal(&small(), &rsa(), &SealOptions::default()).unwrap();
    assert_eq!(opening_error(&blob, &tiny).0, "plaintext_too_large");
    let ct = blob_format::parse(&blob).unwrap().ciphertext();
    let mut bad = blob.clone();
    bad.replace_range(ct.offset() + 3..ct.offset() + 4, "+");
    let want = blob_format::parse(&bad).unwrap_err();
    assert_eq!(opening_error(&bad, &tiny), ("base64_character".to_owned(), Some(("ciphertext", want.offset))));
}
