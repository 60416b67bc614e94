//! Regenerates the test-vector corpus in `test-vectors/cases/` from the test keys.
//!
//! `cargo run -p blob-seal --example make_vectors -- test-vectors/cases`
//!
//! Every run draws fresh content keys and IVs, so the blobs change; the expected outcomes do not.
//! The committed files are the contract: tests read them and never rewrite them.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};

use blob_format::{Alg, Enc, Header, Marker, Prefix, WriteOptions, PREFIX_LONG};
use blob_seal::document::{Document, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::{content, seal, seal_raw, SealOptions};
use serde_json::{json, Value};

struct Gen {
    root: PathBuf,
    out: PathBuf,
    count: usize,
}

impl Gen {
    fn key(&self, name: &str) -> Key {
        Key::from_bytes(&std::fs::read(self.root.join("keys").join(name)).unwrap()).unwrap()
    }

    fn write(&mut self, name: &str, case: Value) {
        let text = serde_json::to_string_pretty(&case).unwrap() + "\n";
        std::fs::write(self.out.join(format!("{name}.json")), text).unwrap();
        self.count += 1;
    }

    fn valid(&mut self, name: &str, description: &str, blob: &str, key: &str, allow: &[Alg], doc: &Document) {
        let parsed = blob_format::parse(blob).unwrap();
        let header: Value = serde_json::from_slice(&parsed.header_segment().decode()).unwrap();
        let document: Value = serde_json::from_slice(&doc.to_json()).unwrap();
        let mut case = json!({ "description": description, "blob": blob, "key": format!("keys/{key}") });
        if !allow.is_empty() {
            case["allow_algs"] = json!(allow.iter().map(|a| a.name()).collect::<Vec<_>>());
        }
        case["expected"] = json!({ "result": "valid", "header": header, "document": document });
        self.write(&format!("valid-{name}"), case);
    }

    fn invalid(&mut self, name: &str, description: &str, blob: &str, key: Option<&str>, error: &str, extra: Value) {
        let mut case = json!({ "description": description, "blob": blob });
        if let Some(k) = key {
            case["key"] = json!(format!("keys/{k}"));
        }
        if let Value::Object(m) = extra {
            for (k, v) in m {
                case[k] = v;
            }
        }
        case["expected"] = json!({ "result": "invalid", "error": error });
        self.write(&format!("invalid-{name}"), case);
    }
}

fn doc(versions: usize) -> Document {
    let name = "db-password";
    let mut secret = Secret::new(name);
    secret.description = Some("test vector".into());
    let vs = (0..versions)
        .map(|i| {
            let value = if i % 2 == 0 {
                SecretValue::string(format!("value-{i}"))
            } else {
                SecretValue::binary((0..16u8).map(|b| b.wrapping_mul(i as u8 + 7)).collect::<Vec<u8>>())
            };
            let v =
                Version::new(format!("v{}", i + 1), name, value).with_create_time(1_700_000_000_000 + i as i64 * 1000);
            if i + 1 == versions {
                v.with_stages(["SYSCURRENT"])
            } else if i + 2 == versions {
                v.with_stages(["SYSPREVIOUS"])
            } else {
                v
            }
        })
        .collect();
    Document::new(secret, vs)
}

fn unicode_doc() -> Document {
    let name = "unicode.secret_1";
    let mut secret = Secret::new(name);
    secret.description = Some("Zugangsdaten für die Datenbank — 数据库 — 🔐".into());
    Document::new(
        secret,
        vec![Version::new("v1", name, SecretValue::string("pässwörd-密码-🔑-\u{0}-\"quoted\""))
            .with_stages(["SYSCURRENT", "ÉTAPE"])],
    )
}

/// Seals `raw` JSON bytes with AES-128-KW (no document validation): for document-rule cases.
fn sealed_raw(g: &Gen, raw: &str) -> String {
    seal_raw(raw.as_bytes(), &g.key("aes-128kw.jwk.json"), &SealOptions::default()).unwrap()
}

/// A valid blob whose header is `header` exactly (extra members, other orders), sealed with a KW key.
fn with_header(kek: &Key, header: &Header, json: Option<&str>, doc: &Document) -> String {
    let segment = match json {
        Some(j) => blob_format::base64url_encode(j.as_bytes()),
        None => header.encode(),
    };
    let enc = header.enc();
    let cek = content::generate_cek(enc).unwrap();
    let iv = content::generate_iv(enc).unwrap();
    let sealed = content::encrypt(enc, &cek, &iv, segment.as_bytes(), &doc.to_json()).unwrap();
    let ek = kek.wrap_cek(header.alg(), &cek).unwrap();
    blob_format::assemble(&WriteOptions::default(), &segment, &ek, &iv, &sealed.ciphertext, &sealed.tag)
}

/// Replaces segment `i` of a blob's JWE with `text`.
fn replace_segment(blob: &str, i: usize, text: &str) -> String {
    let jwe_at = 1 + PREFIX_LONG.len();
    let mut segs: Vec<String> = blob[jwe_at..].split('.').map(str::to_owned).collect();
    segs[i] = text.to_owned();
    format!("{}{}", &blob[..jwe_at], segs.join("."))
}

fn segment(blob: &str, i: usize) -> String {
    blob[1 + PREFIX_LONG.len()..].split('.').nth(i).unwrap().to_owned()
}

fn flip_first_byte(text: &str) -> String {
    let mut bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, text).unwrap();
    bytes[0] ^= 1;
    blob_format::base64url_encode(&bytes)
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "test-vectors/cases".into()));
    let root = out.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("test-vectors"));
    std::fs::create_dir_all(&out).unwrap();
    for entry in std::fs::read_dir(&out).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "json") {
            std::fs::remove_file(p).unwrap();
        }
    }
    let mut g = Gen { root, out, count: 0 };
    let d2 = doc(2);

    // --- valid: every alg x enc pair
    for alg in Alg::ALL {
        let (key_file, allow): (&str, &[Alg]) = match alg {
            Alg::RsaOaep256 => ("rsa-2048.jwk.json", &[]),
            Alg::RsaOaep => ("rsa-2048.pem", &[Alg::RsaOaep]),
            Alg::A128Kw => ("aes-128kw.jwk.json", &[]),
            Alg::A192Kw => ("aes-192kw.jwk.json", &[]),
            Alg::A256Kw => ("aes-256kw.jwk.json", &[]),
        };
        let mut key = g.key(key_file);
        for a in allow {
            key = key.allow(*a).unwrap();
        }
        for enc in Enc::ALL {
            let options = SealOptions {
                enc,
                alg: Some(alg),
                kid: Some(key.kid().unwrap_or("pem-key").to_owned()),
                ..SealOptions::default()
            };
            let blob = seal(&d2, &key, &options).unwrap();
            let desc = format!("{alg} + {enc}, two versions (string and binary)");
            g.valid(
                &format!("{}-{}", alg.name().to_lowercase(), enc.name().to_lowercase()),
                &desc,
                &blob,
                key_file,
                allow,
                &d2,
            );
        }
    }
    // --- valid: bigger RSA keys
    for bits in [3072, 4096] {
        let file = format!("rsa-{bits}.jwk.json");
        let blob = seal(&d2, &g.key(&file), &SealOptions::default()).unwrap();
        g.valid(&format!("rsa-{bits}"), &format!("RSA-OAEP-256 with a {bits}-bit key"), &blob, &file, &[], &d2);
    }
    // --- valid: markers and prefixes
    let rsa = g.key("rsa-2048.jwk.json");
    for (marker, prefix, name) in [
        (Marker::Published, Prefix::Short, "marker-paren-short-prefix"),
        (Marker::Length, Prefix::Long, "marker-length-long-prefix"),
        (Marker::Length, Prefix::Short, "marker-length-short-prefix"),
    ] {
        let options = SealOptions { write: WriteOptions { marker, prefix }, ..SealOptions::default() };
        let blob = seal(&d2, &rsa, &options).unwrap();
        let desc = format!("marker 0x{:02x} with the {prefix:?} prefix", marker.byte(prefix));
        g.valid(name, &desc, &blob, "rsa-2048.jwk.json", &[], &d2);
    }
    // --- valid: 1 and 20 versions, unicode
    for n in [1, 20] {
        let d = doc(n);
        let blob = seal(&d, &rsa, &SealOptions::default()).unwrap();
        g.valid(
            &format!("{n}-versions"),
            &format!("{n} versions, the service's shape"),
            &blob,
            "rsa-2048.jwk.json",
            &[],
            &d,
        );
    }
    let u = unicode_doc();
    let blob = seal(&u, &rsa, &SealOptions::default()).unwrap();
    g.valid("unicode", "unicode names, stages and values, with escapes", &blob, "rsa-2048.jwk.json", &[], &u);
    // --- valid: header with extra members, another member order
    let kw = g.key("aes-256kw.jwk.json");
    let h = Header::new(Alg::A256Kw, Enc::A128CbcHs256)
        .with_kid("test-a256kw")
        .with_typ("JOSE")
        .with_member("x-backup-created", json!(1_700_000_000_000u64))
        .unwrap()
        .with_member("x-origin", json!({"region": "eu-west-101"}))
        .unwrap();
    let blob = with_header(&kw, &h, None, &d2);
    g.valid(
        "header-extra-members",
        "a header with typ and extra members (kept, authenticated)",
        &blob,
        "aes-256kw.jwk.json",
        &[],
        &d2,
    );
    let blob = with_header(&kw, &h, Some(r#"{"alg":"A256KW","enc":"A128CBC-HS256","kid":"test-a256kw"}"#), &d2);
    g.valid(
        "header-member-order",
        "members in the order alg, enc, kid (the AAD is the segment as written)",
        &blob,
        "aes-256kw.jwk.json",
        &[],
        &d2,
    );
    // --- valid: envelopes
    let blob = seal(&d2, &rsa, &SealOptions::default()).unwrap();
    g.valid(
        "json-body",
        "the backup API's answer {\"secret_blob\": ...}",
        &blob_format::to_json_body(&blob),
        "rsa-2048.jwk.json",
        &[],
        &d2,
    );
    let body = format!("{{\n  \"request_id\": \"abc\",\n  \"secret_blob\" : \"{blob}\"\n}}\n");
    g.valid(
        "json-body-other-members",
        "a JSON body with other members and whitespace",
        &body,
        "rsa-2048.jwk.json",
        &[],
        &d2,
    );
    g.valid(
        "whitespace-around",
        "a bare blob with a trailing newline and leading spaces",
        &format!("  {blob}\n"),
        "rsa-2048.jwk.json",
        &[],
        &d2,
    );

    // --- invalid: published example, Azure samples
    let samples = g.root.join("samples");
    for (name, file) in [
        ("published-example-long-prefix", "huawei/api-page-example-long-prefix.json"),
        ("published-example-short-prefix", "huawei/api-explorer-example-short-prefix.txt"),
    ] {
        let text = std::fs::read_to_string(samples.join(file)).unwrap();
        g.invalid(
            name,
            "the example the API docs publish: four segments, the fourth 305 characters (truncated)",
            &text,
            None,
            "truncated",
            json!({}),
        );
    }
    for file in [
        "azure-secret-restspec-7.4",
        "azure-secret-cpp-7.2",
        "azure-secret-cpp-7.3",
        "azure-key-cpp-7.3",
        "azure-certificate-cpp-7.2",
    ] {
        let text = std::fs::read_to_string(samples.join(format!("azure/{file}.b64url"))).unwrap();
        g.invalid(
            file,
            "an Azure Key Vault backup (sibling format, base64url-wrapped)",
            &text,
            None,
            "sibling_format",
            json!({}),
        );
    }
    // --- invalid: structure
    let blob = seal(&d2, &rsa, &SealOptions::default()).unwrap();
    let jwe_at = 1 + PREFIX_LONG.len();
    let segs: Vec<&str> = blob[jwe_at..].split('.').collect();
    for n in 1..5 {
        let cut = format!("{}{}", &blob[..jwe_at], segs[..n].join("."));
        g.invalid(
            &format!("truncated-{n}-segments"),
            &format!("only {n} of 5 segments"),
            &cut,
            Some("rsa-2048.jwk.json"),
            "truncated",
            json!({}),
        );
    }
    g.invalid(
        "extra-segment",
        "a sixth segment",
        &format!("{blob}.AAAA"),
        Some("rsa-2048.jwk.json"),
        "extra_segments",
        json!({}),
    );
    // --- invalid: tampering, one segment each
    let header_changed = Header::new(Alg::RsaOaep256, Enc::A128CbcHs256)
        .with_kid("test-rsa-2048")
        .with_member("x", json!(1))
        .unwrap()
        .encode();
    g.invalid(
        "tampered-header",
        "the header changed (still valid JSON): the AAD no longer matches",
        &replace_segment(&blob, 0, &header_changed),
        Some("rsa-2048.jwk.json"),
        "decryption_failed",
        json!({}),
    );
    for (i, part) in [(1, "encrypted-key"), (2, "iv"), (3, "ciphertext"), (4, "tag")] {
        let t = replace_segment(&blob, i, &flip_first_byte(&segment(&blob, i)));
        g.invalid(
            &format!("tampered-{part}"),
            &format!("one bit of the {part} flipped"),
            &t,
            Some("rsa-2048.jwk.json"),
            "decryption_failed",
            json!({}),
        );
    }
    // --- invalid: base64url
    let tag = segment(&blob, 4);
    g.invalid(
        "base64-padding",
        "'=' padding on the tag",
        &replace_segment(&blob, 4, &format!("{tag}==")),
        None,
        "base64_padding",
        json!({}),
    );
    let ek = segment(&blob, 1);
    g.invalid(
        "base64-whitespace",
        "a line break inside the encrypted key",
        &replace_segment(&blob, 1, &format!("{}\r\n{}", &ek[..76], &ek[76..])),
        None,
        "base64_whitespace",
        json!({}),
    );
    let ct = segment(&blob, 3);
    g.invalid(
        "base64-character",
        "'+' (standard base64) inside the ciphertext",
        &replace_segment(&blob, 3, &format!("+{}", &ct[1..])),
        None,
        "base64_character",
        json!({}),
    );
    let iv = segment(&blob, 2);
    let last = iv.chars().last().unwrap();
    let bumped = if last == 'g' { 'h' } else { char::from_u32(u32::from(last) + 1).unwrap() };
    let noncanon = format!("{}{}", &iv[..iv.len() - 1], bumped);
    let ok = blob_format::parse(&replace_segment(&blob, 2, &noncanon)).map(|_| ()).map_err(|e| e.code());
    assert_eq!(ok, Err("base64_noncanonical"), "pick another character");
    g.invalid(
        "base64-noncanonical",
        "the IV's last character carries non-zero unused bits",
        &replace_segment(&blob, 2, &noncanon),
        None,
        "base64_noncanonical",
        json!({}),
    );
    // --- invalid: marker and prefix
    g.invalid("missing-marker", "no marker byte", &blob[1..], None, "missing_marker", json!({}));
    g.invalid("unknown-marker", "'*' as marker", &format!("*{}", &blob[1..]), None, "unknown_marker", json!({}));
    g.invalid(
        "sibling-prefix",
        "Azure Key Vault's prefix in front of the JWE",
        &format!(")AzureKeyVaultSecretBackupV1.microsoft.com{}", &blob[jwe_at..]),
        None,
        "sibling_format",
        json!({}),
    );
    g.invalid(
        "unknown-prefix",
        "another vendor's prefix",
        &format!(")SecretBackupV1.example.com{}", &blob[jwe_at..]),
        None,
        "unknown_prefix",
        json!({}),
    );
    // --- invalid: header rules (each with otherwise valid segments)
    let bad_header = |json_text: &str| replace_segment(&blob, 0, &blob_format::base64url_encode(json_text.as_bytes()));
    for (name, json_text, code) in [
        (
            "duplicate-member",
            r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"A128KW","alg":"RSA-OAEP-256"}"#,
            "duplicate_member",
        ),
        ("zip", r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"RSA-OAEP-256","zip":"DEF"}"#, "zip"),
        (
            "crit",
            r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"RSA-OAEP-256","crit":["exp"],"exp":1}"#,
            "crit",
        ),
        ("alg-none", r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"none"}"#, "forbidden_alg"),
        ("alg-dir", r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"dir"}"#, "forbidden_alg"),
        ("alg-rsa1_5", r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"RSA1_5"}"#, "forbidden_alg"),
        (
            "alg-unsupported",
            r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"ECDH-ES+A128KW"}"#,
            "unsupported_alg",
        ),
        ("enc-unknown", r#"{"kid":"test-rsa-2048","enc":"A128CBC","alg":"RSA-OAEP-256"}"#, "unsupported_enc"),
        ("alg-missing", r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256"}"#, "missing_member"),
        ("header-not-object", r#"["alg","RSA-OAEP-256"]"#, "header_not_object"),
        (
            "header-too-deep",
            r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"RSA-OAEP-256","x":[[[[[[[[1]]]]]]]]}"#,
            "header_too_deep",
        ),
    ] {
        g.invalid(
            name,
            &format!("header: {json_text}"),
            &bad_header(json_text),
            Some("rsa-2048.jwk.json"),
            code,
            json!({}),
        );
    }
    // --- invalid: lengths against enc/alg
    let b64 = blob_format::base64url_encode;
    g.invalid(
        "iv-length",
        "a 12-byte IV with A128CBC-HS256",
        &replace_segment(&blob, 2, &b64(&[0; 12])),
        None,
        "iv_length",
        json!({}),
    );
    g.invalid(
        "tag-length-truncated",
        "an 8-byte tag with A128CBC-HS256 (truncated tag)",
        &replace_segment(&blob, 4, &b64(&[0; 8])),
        None,
        "tag_length",
        json!({}),
    );
    g.invalid(
        "ciphertext-not-block-multiple",
        "a CBC ciphertext of 33 bytes",
        &replace_segment(&blob, 3, &b64(&[0; 33])),
        None,
        "ciphertext_length",
        json!({}),
    );
    g.invalid(
        "encrypted-key-short",
        "a 128-byte encrypted key (RSA-1024) for RSA-OAEP-256",
        &replace_segment(&blob, 1, &b64(&[0; 128])),
        None,
        "encrypted_key_length",
        json!({}),
    );
    let gcm = seal(&d2, &kw, &SealOptions { enc: Enc::A256Gcm, ..SealOptions::default() }).unwrap();
    g.invalid(
        "gcm-tag-truncated",
        "a 12-byte GCM tag",
        &replace_segment(&gcm, 4, &b64(&[0; 12])),
        None,
        "tag_length",
        json!({}),
    );
    // --- invalid: keys
    g.invalid(
        "rsa-1024-key",
        "a well-formed blob and a 1024-bit key, which is refused",
        &blob,
        Some("rsa-1024.jwk.json"),
        "key_too_small",
        json!({}),
    );
    g.invalid(
        "wrong-key",
        "opened with another RSA key that has no kid",
        &blob,
        Some("rsa-3072.pem"),
        "decryption_failed",
        json!({}),
    );
    g.invalid(
        "kid-mismatch",
        "the blob's kid is test-rsa-2048, the key's test-rsa-3072",
        &blob,
        Some("rsa-3072.jwk.json"),
        "kid_mismatch",
        json!({}),
    );
    g.invalid(
        "alg-not-allowed",
        "an RSA-OAEP blob and a PEM key that opens RSA-OAEP-256 only",
        &seal(
            &d2,
            &g.key("rsa-2048.pem").allow(Alg::RsaOaep).unwrap(),
            &SealOptions { alg: Some(Alg::RsaOaep), kid: Some("pem".into()), ..SealOptions::default() },
        )
        .unwrap(),
        Some("rsa-2048.pem"),
        "alg_not_allowed",
        json!({}),
    );
    g.invalid(
        "public-key",
        "a public key cannot open",
        &blob,
        Some("rsa-2048.pub.jwk.json"),
        "public_key_only",
        json!({}),
    );
    // --- invalid: document rules (well-formed blobs, the error comes after decryption)
    let v = |id: &str, name: &str, stages: &str, value: &str| {
        format!(r#"{{"version_metadata":{{"id":"{id}","secret_name":"{name}","version_stages":[{stages}]}},{value}}}"#)
    };
    let docj = |name: &str, versions: &[String]| {
        format!(r#"{{"format_version":1,"secret":{{"name":"{name}"}},"versions":[{}]}}"#, versions.join(","))
    };
    let s = r#""secret_string":"x""#;
    let many: Vec<String> = (1..=21).map(|i| v(&format!("v{i}"), "n", "", s)).collect();
    for (name, raw, code) in [
        ("document-no-versions", docj("n", &[]), "no_versions"),
        ("document-21-versions", docj("n", &many), "too_many_versions"),
        (
            "document-duplicate-version-id",
            docj("n", &[v("v1", "n", "", s), v("v1", "n", "", s)]),
            "duplicate_version_id",
        ),
        (
            "document-stage-on-two-versions",
            docj("n", &[v("v1", "n", r#""SYSCURRENT""#, s), v("v2", "n", r#""SYSCURRENT""#, s)]),
            "stage_on_two_versions",
        ),
        (
            "document-both-values",
            docj("n", &[v("v1", "n", "", r#""secret_string":"x","secret_binary":"eA==""#)]),
            "both_values",
        ),
        (
            "document-no-value",
            docj("n", &[r#"{"version_metadata":{"id":"v1","secret_name":"n"}}"#.to_owned()]),
            "no_value",
        ),
        ("document-name-mismatch", docj("n", &[v("v1", "other", "", s)]), "secret_name_mismatch"),
        ("document-bad-name", docj("bad name!", &[v("v1", "bad name!", "", s)]), "invalid_secret_name"),
        (
            "document-unknown-format-version",
            docj("n", &[v("v1", "n", "", s)]).replace(r#""format_version":1"#, r#""format_version":2"#),
            "unknown_format_version",
        ),
        ("document-not-json", "not json".to_owned(), "document_json"),
    ] {
        let blob = sealed_raw(&g, &raw);
        g.invalid(
            name,
            &format!("document: {}", &raw[..raw.len().min(120)]),
            &blob,
            Some("aes-128kw.jwk.json"),
            code,
            json!({}),
        );
    }
    // --- invalid: limits (applied by the runner)
    let small = seal(&doc(3), &rsa, &SealOptions::default()).unwrap();
    for (name, limits, code) in [
        ("limit-input", json!({"max_input_len": 1000}), "input_too_large"),
        ("limit-header", json!({"max_header_len": 50}), "header_too_large"),
        ("limit-header-depth", json!({"max_header_depth": 0}), "header_too_deep"),
        ("limit-plaintext", json!({"max_document_len": 100}), "plaintext_too_large"),
        ("limit-versions", json!({"max_versions": 2}), "too_many_versions"),
        ("limit-value", json!({"max_value_len": 4}), "value_too_large"),
    ] {
        g.invalid(
            name,
            &format!("a valid 3-version blob over the limit {limits}"),
            &small,
            Some("rsa-2048.jwk.json"),
            code,
            json!({ "limits": limits }),
        );
    }
    println!("wrote {} cases to {}", g.count, g.out.display());
}
