//! Envelopes, the published example, sibling formats and look-alikes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{
    base64url_encode as b64, inspect, parse, Alg, Builder, Enc, Envelope, ErrorKind, Header, Part, Severity, Sibling,
};

fn vectors(path: &str) -> String {
    let full = format!("{}/../../test-vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn valid_blob() -> String {
    Builder::new(Header::new(Alg::A256Kw, Enc::A256Gcm).with_kid("k"))
        .encrypted_key(&[1; 40])
        .iv(&[2; 12])
        .ciphertext(b"some ciphertext")
        .tag(&[4; 16])
        .to_string()
}

#[test]
fn bare_blob_with_whitespace_around() {
    let blob = valid_blob();
    let input = format!("\n  {blob}\r\n");
    let parsed = parse(&input).unwrap();
    assert_eq!(parsed.as_str(), blob);
    assert_eq!(parsed.envelope(), Envelope::Bare);
    assert_eq!(parsed.header_segment().offset(), 3 + 1 + blob_format::PREFIX_LONG.len());
}

#[test]
fn json_body_download_answer_and_restore_request() {
    let blob = valid_blob();
    for body in [
        format!(r#"{{"secret_blob":"{blob}"}}"#),
        format!("\n{{\n  \"secret_blob\" : \"{blob}\"\n}}\n"),
        format!(r#"{{"request_id":"x","secret_blob":"{blob}","n":[1,{{"a":null}}]}}"#),
    ] {
        let parsed = parse(&body).unwrap();
        assert_eq!(parsed.as_str(), blob);
        assert_eq!(parsed.envelope(), Envelope::JsonBody);
        // Offsets count from the start of the body.
        let at = body.find(&blob).unwrap();
        assert_eq!(parsed.header_segment().offset(), at + 1 + blob_format::PREFIX_LONG.len());
    }
}

#[test]
fn json_that_is_not_a_body() {
    let blob = valid_blob();
    let cases: Vec<(String, &str)> = vec![
        ("[1,2]".into(), "not_an_object"),
        (r#"{"secret":"x"}"#.into(), "missing_secret_blob"),
        (r#"{"secret_blob":42}"#.into(), "secret_blob_not_string"),
        (r#"{"secret_blob":null}"#.into(), "secret_blob_not_string"),
        (r#"{"secret_blob":{"a":1}}"#.into(), "secret_blob_not_string"),
        (format!(r#"{{"secret_blob":"{blob}","secret_blob":"{blob}"}}"#), "duplicate_secret_blob"),
        (r#"{"secret_blob":"\u0029abc"}"#.into(), "escaped_blob"),
        (r#"{"secret_blob": "#.into(), "invalid_json"),
        (format!(r#"{{"secret_blob":"{blob}"}} trailing"#), "invalid_json"),
        (format!(r#""{blob}""#), "json_escaped"),
        (format!(r#"\"{blob}\""#), "json_escaped"),
        ("   \n".into(), "empty"),
    ];
    for (input, code) in cases {
        let err = parse(&input).expect_err(&input);
        assert_eq!(err.code(), code, "{input}: {err}");
        assert_eq!(inspect(&input).errors().next().unwrap().code, code);
    }
}

#[test]
fn invalid_json_points_at_the_spot() {
    let err = parse("{\n  \"secret_blob\": \"x\",\n  oops\n}").unwrap_err();
    assert_eq!(err.code(), "invalid_json");
    assert_eq!(err.part, Part::Envelope);
    assert_eq!(err.offset, 26, "{err}"); // the 'o' of oops
}

/// The published example (both editions) is truncated: four segments, the fourth 305 characters.
#[test]
fn published_example_is_truncated() {
    for (path, prefix_len) in [
        ("samples/huawei/api-page-example-long-prefix.json", 45),
        ("samples/huawei/api-explorer-example-short-prefix.txt", 33),
    ] {
        let input = vectors(path);
        let err = parse(&input).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Truncated { segments: 4, missing: Part::Tag }, "{path}");
        let report = inspect(&input);
        assert_eq!(report.segment_count, 4);
        let ct = &report.segments[3];
        assert_eq!((ct.part, ct.encoded_len, ct.decoded_len), (Part::Ciphertext, 305, None));
        let codes: Vec<_> = report.errors().map(|f| (f.code, f.part, f.offset)).collect();
        assert_eq!(
            codes,
            vec![("truncated", Part::Tag, ct.range.end), ("base64_length", Part::Ciphertext, ct.range.start)]
        );
        assert!(report.errors().any(|f| f.message.contains("305 characters")));
        // What it could still derive.
        assert_eq!(report.alg, Some(Alg::RsaOaep256));
        assert_eq!(report.enc, Some(Enc::A128CbcHs256));
        assert_eq!(report.kid.as_deref(), Some("9f3efdc5-3f5e-4bed-a8d1-9616e50443ab"));
        assert_eq!(report.implied.rsa_modulus_bits, Some(2048));
        assert_eq!(report.implied.iv_fits, Some(true));
        assert_eq!(report.implied.tag_fits, None);
        let prefix = report.prefix.clone().unwrap();
        assert_eq!(prefix.1.len(), prefix_len);
        let text = report.to_string();
        assert!(text.contains("305 chars") && text.contains("truncated"), "{text}");
    }
}

#[test]
fn azure_samples_are_named_as_a_sibling_format() {
    for (file, format, alg, enc) in [
        ("azure-secret-restspec-7.4.b64url", Sibling::AzureSecretBackup, "RSA-OAEP", "A128CBC-HS256"),
        ("azure-secret-cpp-7.2.b64url", Sibling::AzureSecretBackup, "RSA-OAEP-256", "A256CBC-HS512"),
        ("azure-secret-cpp-7.3.b64url", Sibling::AzureSecretBackup, "RSA-OAEP-256", "A256CBC-HS512"),
        ("azure-key-cpp-7.3.b64url", Sibling::AzureKeyBackup, "RSA-OAEP-256", "A256CBC-HS512"),
        ("azure-certificate-cpp-7.2.b64url", Sibling::AzureKeyBackup, "RSA-OAEP-256", "A256CBC-HS512"),
    ] {
        let input = vectors(&format!("samples/azure/{file}"));
        assert_eq!(parse(&input).unwrap_err().kind, ErrorKind::SiblingFormat { format }, "{file}");
        let report = inspect(&input);
        let sibling = report.sibling.as_ref().unwrap();
        assert_eq!(sibling.format, format);
        assert!(sibling.base64_wrapped);
        assert_eq!(sibling.length_byte as usize, format.prefix().len());
        assert_eq!(sibling.segments.len(), 5, "{file}");
        assert!(sibling.segments.iter().all(|s| s.decoded_len.is_some()));
        assert_eq!(sibling.segments[1].decoded_len, Some(256));
        let header = sibling.header.as_ref().unwrap();
        assert_eq!(header[1], ("alg".to_owned(), serde_json::json!(alg)));
        assert_eq!(header[2], ("enc".to_owned(), serde_json::json!(enc)));
        assert_eq!(report.errors().count(), 1);
        // The raw (unwrapped) form is recognised too.
        let raw = String::from_utf8(
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, input.trim()).unwrap(),
        )
        .unwrap();
        let err = parse(&raw).unwrap_err();
        assert_eq!((err.kind, err.part, err.offset), (ErrorKind::SiblingFormat { format }, Part::Prefix, 1));
        assert_eq!(inspect(&raw).sibling.unwrap().segments.len(), 5);
    }
}

#[test]
fn look_alikes_are_named() {
    let blob = valid_blob();
    // Base64 once more.
    let wrapped = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, blob.as_bytes());
    assert_eq!(parse(&wrapped).unwrap_err().kind, ErrorKind::WrappedBlob);
    assert_eq!(parse(&b64(blob.as_bytes())).unwrap_err().kind, ErrorKind::WrappedBlob);
    // Wrapped by a mail client at 76 columns.
    let wrapped_lines: Vec<String> =
        blob.as_bytes().chunks(76).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
    let mailed = wrapped_lines.join("\r\n");
    let err = parse(&mailed).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Whitespace { found: '\r' });
    assert_eq!(err.offset, 76);
    let report = inspect(&mailed);
    assert!(report.errors().all(|f| f.code == "base64_whitespace"));
    assert!(report.errors().count() >= 2);
    // Spaces inside.
    let jwe_at = 1 + blob_format::PREFIX_LONG.len();
    let spaced = format!("{}{}", &blob[..jwe_at], blob[jwe_at..].replacen('.', ". ", 1));
    assert_eq!(parse(&spaced).unwrap_err().code(), "base64_whitespace");
}

#[test]
fn inspect_reports_every_error_not_just_the_first() {
    let blob = Builder::new(Header::new(Alg::RsaOaep256, Enc::A128CbcHs256))
        .encrypted_key(&[1; 100])
        .iv(&[2; 12])
        .ciphertext(&[3; 20])
        .tag(&[4; 8])
        .to_string();
    let report = inspect(&blob);
    let codes: Vec<_> = report.errors().map(|f| f.code).collect();
    assert_eq!(codes, ["encrypted_key_length", "iv_length", "ciphertext_length", "tag_length"]);
    assert_eq!(report.implied.iv_fits, Some(false));
    assert_eq!(report.implied.tag_fits, Some(false));
    assert!(report.findings.iter().any(|f| f.code == "no_kid" && f.severity == Severity::Warning));
    // The JSON form is stable enough to script against.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["findings"][1]["code"], "encrypted_key_length");
    assert_eq!(json["segments"][2]["part"], "iv");
    assert_eq!(json["alg"], "RSA-OAEP-256");
}
