//! One test per format rule: a minimal input that breaks only that rule, asserting the error
//! kind, the part and the character offset; and `inspect` agreeing with `parse` on each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{
    base64url_encode as b64, inspect, parse, parse_blob, parse_with, Alg, Builder, Enc, ErrorKind, Header, Limits,
    Marker, Part, Prefix, Severity, WriteOptions, PREFIX_LONG, PREFIX_SHORT,
};

const SERVICE_HEADER: &str = r#"{"kid":"k1","enc":"A128CBC-HS256","alg":"RSA-OAEP-256"}"#;

/// Segments of a valid RSA-OAEP-256 + A128CBC-HS256 blob, encoded.
fn segments(header_json: &str) -> [String; 5] {
    [b64(header_json.as_bytes()), b64(&[1; 256]), b64(&[2; 16]), b64(&[3; 32]), b64(&[4; 16])]
}

fn blob_of(segs: &[String]) -> String {
    format!("){PREFIX_LONG}{}", segs.join("."))
}

/// Offset of segment `i` in a bare long-prefix blob.
fn offset_of(segs: &[String], i: usize) -> usize {
    1 + PREFIX_LONG.len() + segs[..i].iter().map(|s| s.len() + 1).sum::<usize>()
}

/// Asserts that `input` fails with exactly this kind, part and offset, and that `inspect`
/// reports the same error first.
fn assert_fails(input: &str, kind: ErrorKind, part: Part, offset: usize) {
    let err = parse(input).expect_err("parse must refuse");
    assert_eq!((&err.kind, err.part, err.offset), (&kind, part, offset), "{err}");
    let report = inspect(input);
    let first = report.errors().next().expect("inspect must report an error");
    assert_eq!((first.code, first.part, first.offset), (kind.code(), part, offset));
    assert!(!report.is_well_formed());
}

fn with_header(json: &str) -> (String, usize) {
    let segs = segments(json);
    (blob_of(&segs), offset_of(&segs, 0))
}

#[test]
fn the_valid_base_case_parses() {
    let segs = segments(SERVICE_HEADER);
    let blob = blob_of(&segs);
    let parsed = parse(&blob).unwrap();
    assert_eq!(parsed.as_str(), blob);
    assert_eq!(parsed.to_string(), blob);
    assert_eq!(parsed.header().alg(), Alg::RsaOaep256);
    assert_eq!(parsed.header().enc(), Enc::A128CbcHs256);
    assert_eq!(parsed.header().kid(), Some("k1"));
    assert_eq!(parsed.aad(), segs[0].as_bytes());
    assert_eq!(parsed.marker(), Marker::Published);
    assert_eq!(parsed.prefix(), Prefix::Long);
    assert_eq!(parsed.encrypted_key().decode(), vec![1; 256]);
    assert_eq!(parsed.ciphertext().offset(), offset_of(&segs, 3));
    assert_eq!(parsed.jwe(), segs.join("."));
    assert!(inspect(&blob).is_well_formed());
}

#[test]
fn unknown_alg() {
    let (blob, at) = with_header(r#"{"enc":"A128CBC-HS256","alg":"ECDH-ES"}"#);
    assert_fails(&blob, ErrorKind::UnsupportedAlg { alg: "ECDH-ES".into() }, Part::Header, at);
}

#[test]
fn alg_names_are_case_sensitive() {
    let (blob, at) = with_header(r#"{"enc":"A128CBC-HS256","alg":"rsa-oaep-256"}"#);
    assert_fails(&blob, ErrorKind::UnsupportedAlg { alg: "rsa-oaep-256".into() }, Part::Header, at);
}

#[test]
fn unknown_enc() {
    let (blob, at) = with_header(r#"{"enc":"A128CBC","alg":"RSA-OAEP-256"}"#);
    assert_fails(&blob, ErrorKind::UnsupportedEnc { enc: "A128CBC".into() }, Part::Header, at);
}

#[test]
fn forbidden_algs() {
    for alg in ["none", "dir", "RSA1_5"] {
        let (blob, at) = with_header(&format!(r#"{{"enc":"A128CBC-HS256","alg":"{alg}"}}"#));
        let err = parse(&blob).unwrap_err();
        assert!(matches!(&err.kind, ErrorKind::ForbiddenAlg { alg: a, .. } if a == alg), "{err}");
        assert_eq!((err.part, err.offset), (Part::Header, at));
        assert_eq!(inspect(&blob).errors().next().unwrap().code, "forbidden_alg");
    }
}

#[test]
fn missing_alg_and_enc() {
    let (blob, at) = with_header(r#"{"enc":"A128CBC-HS256"}"#);
    assert_fails(&blob, ErrorKind::MissingMember { name: "alg" }, Part::Header, at);
    let (blob, at) = with_header(r#"{"alg":"RSA-OAEP-256"}"#);
    assert_fails(&blob, ErrorKind::MissingMember { name: "enc" }, Part::Header, at);
}

#[test]
fn member_types() {
    let (blob, at) = with_header(r#"{"kid":7,"enc":"A128CBC-HS256","alg":"RSA-OAEP-256"}"#);
    assert_fails(&blob, ErrorKind::MemberType { name: "kid".into(), expected: "a string" }, Part::Header, at);
    let (blob, at) = with_header(r#"{"enc":"A128CBC-HS256","alg":["RSA-OAEP-256"]}"#);
    assert_fails(&blob, ErrorKind::MemberType { name: "alg".into(), expected: "a string" }, Part::Header, at);
}

#[test]
fn zip_is_refused() {
    let (blob, at) = with_header(r#"{"enc":"A128CBC-HS256","alg":"RSA-OAEP-256","zip":"DEF"}"#);
    assert_fails(&blob, ErrorKind::Zip, Part::Header, at);
}

#[test]
fn crit_listing_anything_is_refused() {
    let (blob, at) = with_header(r#"{"enc":"A128CBC-HS256","alg":"RSA-OAEP-256","crit":["exp"],"exp":1}"#);
    assert_fails(&blob, ErrorKind::Crit { names: vec!["exp".into()] }, Part::Header, at);
    let (blob, at) = with_header(r#"{"enc":"A128CBC-HS256","alg":"RSA-OAEP-256","crit":"exp"}"#);
    assert_fails(&blob, ErrorKind::Crit { names: vec!["\"exp\"".into()] }, Part::Header, at);
    // An empty list is allowed, with a warning.
    let (blob, _) = with_header(r#"{"enc":"A128CBC-HS256","alg":"RSA-OAEP-256","crit":[]}"#);
    assert!(parse(&blob).is_ok());
    assert!(inspect(&blob).findings.iter().any(|f| f.code == "empty_crit" && f.severity == Severity::Warning));
}

#[test]
fn duplicate_members() {
    let (blob, at) = with_header(r#"{"alg":"A128KW","enc":"A128CBC-HS256","alg":"RSA-OAEP-256"}"#);
    assert_fails(&blob, ErrorKind::DuplicateMember { name: "alg".into() }, Part::Header, at);
}

#[test]
fn header_not_an_object_not_json_not_utf8() {
    let (blob, at) = with_header(r#"["alg","enc"]"#);
    assert_fails(&blob, ErrorKind::HeaderNotObject, Part::Header, at);
    let (blob, at) = with_header(r#"{"alg":"RSA-OAEP-256","#);
    assert!(matches!(parse(&blob).unwrap_err().kind, ErrorKind::HeaderJson { .. }));
    assert_eq!(parse(&blob).unwrap_err().offset, at);
    let mut segs = segments(SERVICE_HEADER);
    segs[0] = b64(&[0x7b, 0xff, 0xfe, 0x7d]);
    let at = offset_of(&segs, 0);
    assert_fails(&blob_of(&segs), ErrorKind::HeaderNotUtf8, Part::Header, at);
}

#[test]
fn header_limits() {
    let big = format!(r#"{{"enc":"A128CBC-HS256","alg":"RSA-OAEP-256","x":"{}"}}"#, "a".repeat(4000));
    let (blob, at) = with_header(&big);
    let len = b64(big.as_bytes()).len();
    assert_fails(&blob, ErrorKind::HeaderTooLarge { len, max: 4096 }, Part::Header, at);
    let deep = format!(r#"{{"enc":"A128CBC-HS256","alg":"RSA-OAEP-256","x":{}1{}}}"#, "[".repeat(9), "]".repeat(9));
    let (blob, at) = with_header(&deep);
    assert_fails(&blob, ErrorKind::HeaderTooDeep { max: 8 }, Part::Header, at);
}

#[test]
fn iv_length() {
    let mut segs = segments(SERVICE_HEADER);
    segs[2] = b64(&[2; 12]);
    let at = offset_of(&segs, 2);
    assert_fails(
        &blob_of(&segs),
        ErrorKind::IvLength { enc: Enc::A128CbcHs256, expected: 16, found: 12 },
        Part::Iv,
        at,
    );
}

#[test]
fn tag_length() {
    for n in [8, 15, 17, 32] {
        let mut segs = segments(SERVICE_HEADER);
        segs[4] = b64(&vec![4; n]);
        let at = offset_of(&segs, 4);
        let kind = ErrorKind::TagLength { enc: Enc::A128CbcHs256, expected: 16, found: n };
        assert_fails(&blob_of(&segs), kind, Part::Tag, at);
    }
    // GCM: exactly 16, never truncated.
    let mut segs = segments(r#"{"enc":"A128GCM","alg":"RSA-OAEP-256"}"#);
    segs[2] = b64(&[2; 12]);
    segs[4] = b64(&[4; 12]);
    let at = offset_of(&segs, 4);
    assert_fails(&blob_of(&segs), ErrorKind::TagLength { enc: Enc::A128Gcm, expected: 16, found: 12 }, Part::Tag, at);
}

#[test]
fn encrypted_key_length() {
    let mut segs = segments(SERVICE_HEADER);
    segs[1] = b64(&[1; 128]); // RSA-1024
    let at = offset_of(&segs, 1);
    let err = parse(&blob_of(&segs)).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::EncryptedKeyLength { alg: Alg::RsaOaep256, found: 128, .. }), "{err}");
    assert_eq!((err.part, err.offset), (Part::EncryptedKey, at));
    // AES key wrap: exactly CEK + 8.
    let mut segs = segments(r#"{"enc":"A128CBC-HS256","alg":"A128KW"}"#);
    segs[1] = b64(&[1; 32]);
    let err = parse(&blob_of(&segs)).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::EncryptedKeyLength { alg: Alg::A128Kw, found: 32, .. }), "{err}");
    segs[1] = b64(&[1; 40]);
    assert!(parse(&blob_of(&segs)).is_ok());
}

#[test]
fn cbc_ciphertext_is_a_positive_multiple_of_16() {
    for n in [0, 15, 17, 33] {
        let mut segs = segments(SERVICE_HEADER);
        segs[3] = b64(&vec![3; n]);
        let at = offset_of(&segs, 3);
        assert_fails(&blob_of(&segs), ErrorKind::CiphertextLength { found: n }, Part::Ciphertext, at);
    }
    // GCM has no such rule.
    let mut segs = segments(r#"{"enc":"A256GCM","alg":"RSA-OAEP-256"}"#);
    segs[2] = b64(&[2; 12]);
    segs[3] = b64(&[3; 17]);
    assert!(parse(&blob_of(&segs)).is_ok());
}

#[test]
fn base64url_padding() {
    let mut segs = segments(SERVICE_HEADER);
    segs[4] = format!("{}==", b64(&[4; 16]));
    let at = offset_of(&segs, 4) + 22;
    assert_fails(&blob_of(&segs), ErrorKind::Padding, Part::Tag, at);
}

#[test]
fn base64url_whitespace() {
    let mut segs = segments(SERVICE_HEADER);
    segs[1].insert(76, '\n');
    let at = offset_of(&segs, 1) + 76;
    assert_fails(&blob_of(&segs), ErrorKind::Whitespace { found: '\n' }, Part::EncryptedKey, at);
}

#[test]
fn base64url_non_alphabet() {
    let mut segs = segments(SERVICE_HEADER);
    segs[3].replace_range(5..6, "+");
    let at = offset_of(&segs, 3) + 5;
    assert_fails(&blob_of(&segs), ErrorKind::BadCharacter { found: '+' }, Part::Ciphertext, at);
}

#[test]
fn base64url_non_canonical_trailing_bits() {
    let mut segs = segments(SERVICE_HEADER);
    // 16 bytes encode to 22 characters; the last carries 4 unused bits.
    let last = segs[2].pop().unwrap();
    assert_eq!(last, 'g'); // 0b100000: the low four bits are unused and zero
    segs[2].push('h');
    let at = offset_of(&segs, 2) + 21;
    assert_fails(&blob_of(&segs), ErrorKind::NonCanonical, Part::Iv, at);
}

#[test]
fn base64url_impossible_length() {
    let mut segs = segments(SERVICE_HEADER);
    segs[3].push('A'); // 43 -> 44 is fine; make it 4k+1
    segs[3].push_str("AAAAA");
    assert_eq!(segs[3].len() % 4, 1);
    let at = offset_of(&segs, 3);
    let len = segs[3].len();
    assert_fails(&blob_of(&segs), ErrorKind::BadLength { len }, Part::Ciphertext, at);
}

#[test]
fn truncation_and_extra_segments() {
    let segs = segments(SERVICE_HEADER);
    for n in 1..5 {
        let blob = blob_of(&segs[..n]);
        let missing = Part::SEGMENTS[n];
        assert_fails(&blob, ErrorKind::Truncated { segments: n, missing }, missing, blob.len());
    }
    let mut six = segs.to_vec();
    six.push("AAAA".into());
    let blob = blob_of(&six);
    let at = offset_of(&six, 5) - 1;
    assert_fails(&blob, ErrorKind::ExtraSegments { segments: 6 }, Part::Tag, at);
}

#[test]
fn empty_segments() {
    for i in [0, 1, 2, 4] {
        let mut segs = segments(SERVICE_HEADER);
        segs[i] = String::new();
        let at = offset_of(&segs, i);
        assert_fails(&blob_of(&segs), ErrorKind::EmptySegment, Part::SEGMENTS[i], at);
    }
}

#[test]
fn markers_and_prefixes() {
    let jwe = segments(SERVICE_HEADER).join(".");
    // Every accepted combination, and what the view says it saw.
    for (marker, prefix, m, p) in [
        (')', PREFIX_LONG, Marker::Published, Prefix::Long),
        (')', PREFIX_SHORT, Marker::Published, Prefix::Short),
        ('\u{2d}', PREFIX_LONG, Marker::Length, Prefix::Long),
        ('\u{21}', PREFIX_SHORT, Marker::Length, Prefix::Short),
    ] {
        let blob = format!("{marker}{prefix}{jwe}");
        let parsed = parse(&blob).unwrap();
        assert_eq!((parsed.marker(), parsed.prefix()), (m, p));
        assert_eq!(parsed.header_segment().offset(), 1 + prefix.len());
    }
    assert_fails(&format!("{PREFIX_LONG}{jwe}"), ErrorKind::MissingMarker, Part::Marker, 0);
    assert_fails(&format!("*{PREFIX_LONG}{jwe}"), ErrorKind::UnknownMarker { found: '*' }, Part::Marker, 0);
    assert_fails(&format!("\u{21}{PREFIX_LONG}{jwe}"), ErrorKind::MarkerMismatch { found: 0x21 }, Part::Marker, 0);
    assert_fails(&format!("){jwe}"), ErrorKind::UnknownPrefix, Part::Prefix, 1);
    assert_fails(
        &format!(")CloudSecretManagementBackupV2.huaweicloud.com{jwe}"),
        ErrorKind::UnknownPrefix,
        Part::Prefix,
        1,
    );
    assert_fails(&jwe, ErrorKind::MissingPrefix, Part::Prefix, 0);
}

#[test]
fn offsets_count_characters_not_bytes() {
    // A non-ASCII marker shifts byte offsets but not character offsets.
    let mut segs = segments(SERVICE_HEADER);
    segs[2] = b64(&[2; 12]);
    let blob = format!("é{PREFIX_LONG}{}", segs.join("."));
    let report = inspect(&blob);
    let iv = report.findings.iter().find(|f| f.code == "iv_length").unwrap();
    assert_eq!(iv.offset, offset_of(&segs, 2));
}

#[test]
fn input_limit_is_checked_before_anything_else() {
    let segs = segments(SERVICE_HEADER);
    let blob = blob_of(&segs);
    let limits = Limits { max_input_len: blob.len() - 1, ..Limits::DEFAULT };
    let err = parse_with(&blob, &limits).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InputTooLarge { len: blob.len(), max: blob.len() - 1 });
    assert!(parse_with(&blob, &Limits { max_input_len: blob.len(), ..Limits::DEFAULT }).is_ok());
}

#[test]
fn parse_blob_is_exact() {
    let blob = blob_of(&segments(SERVICE_HEADER));
    assert!(parse_blob(&blob).is_ok());
    assert_eq!(parse_blob(&format!("{blob}\n")).unwrap_err().kind, ErrorKind::Whitespace { found: '\n' });
    assert_eq!(parse_blob(&format!(" {blob}")).unwrap_err().offset, 0);
    let body = format!(r#"{{"secret_blob":"{blob}"}}"#);
    assert_eq!(parse_blob(&body).unwrap_err().kind, ErrorKind::UnknownMarker { found: '{' });
}

#[test]
fn builder_writes_the_service_shape_and_options() {
    let header = Header::new(Alg::RsaOaep256, Enc::A128CbcHs256).with_kid("9f3efdc5-3f5e-4bed-a8d1-9616e50443ab");
    let blob = Builder::new(header.clone())
        .encrypted_key(&[1; 256])
        .iv(&[2; 16])
        .ciphertext(&[3; 32])
        .tag(&[4; 16])
        .to_string();
    assert!(blob.starts_with(")CloudSecretManagementBackupV1.huaweicloud.comeyJraWQiOiI5ZjNlZmRjNS0zZjVlLTRiZWQtYThkMS05NjE2ZTUwNDQzYWIiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiUlNBLU9BRVAtMjU2In0."));
    let short = Builder::new(header)
        .options(WriteOptions { marker: Marker::Length, prefix: Prefix::Short })
        .encrypted_key(&[1; 256])
        .iv(&[2; 16])
        .ciphertext(&[3; 32])
        .tag(&[4; 16])
        .to_string();
    assert!(short.starts_with("!CloudSecretManagementBackupV1.comeyJ"));
    let parsed = parse(&short).unwrap();
    assert_eq!((parsed.marker(), parsed.prefix()), (Marker::Length, Prefix::Short));
}

#[test]
fn warnings_do_not_fail_parse() {
    // No kid, unusual member order, extra members, unusual RSA size: all accepted.
    let mut segs = segments(r#"{"alg":"RSA-OAEP-256","enc":"A128CBC-HS256","x5t":"abc"}"#);
    segs[1] = b64(&[1; 320]);
    let blob = blob_of(&segs);
    let parsed = parse(&blob).unwrap();
    assert_eq!(parsed.header().kid(), None);
    assert_eq!(parsed.header().others(), &[("x5t".to_owned(), serde_json::json!("abc"))]);
    let report = inspect(&blob);
    assert!(report.is_well_formed());
    let codes: Vec<_> = report.findings.iter().map(|f| f.code).collect();
    assert!(
        codes.contains(&"no_kid") && codes.contains(&"extra_members") && codes.contains(&"unusual_rsa_size"),
        "{codes:?}"
    );
}
