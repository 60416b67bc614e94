//! Regenerates the test-vector corpus in `test-vectors/cases/` from the test keys.
//!
//! ```sh
//! cargo run -p blob-seal --example make_vectors -- test-vectors/cases
//! ```
//!
//! Every run draws fresh content keys and IVs, so the blobs change; the expected outcomes do not:
//! they are written here by hand, one rule broken per invalid case, and every case is checked
//! against the library before it is written (a case whose outcome differs stops the run, so the
//! generator never commits the library's opinion as the contract). The committed files are the
//! contract: tests read them and never rewrite them. The schema is in `test-vectors/README.md`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use blob_format::{Alg, Builder, Enc, Header, Limits, Marker, Prefix, WriteOptions, PREFIX_LONG};
use blob_seal::document::{Document, DocumentLimits, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::{content, seal, seal_raw, OpenOptions, SealOptions};
use serde_json::{json, Map, Value};

/// Where the JWE starts in a blob written with the default marker and the long prefix.
const JWE_AT: usize = 1 + PREFIX_LONG.len();

struct Gen {
    root: PathBuf,
    out: PathBuf,
    names: BTreeSet<String>,
    valid: usize,
    parse: usize,
    open: usize,
}

impl Gen {
    fn key(&self, name: &str) -> Key {
        Key::from_bytes(&std::fs::read(self.root.join("keys").join(name)).unwrap()).unwrap()
    }

    /// Checks the case against the library, then writes it.
    fn write(&mut self, name: &str, case: Value) {
        assert!(self.names.insert(name.to_owned()), "two cases named {name}");
        let expected = &case["expected"];
        match (expected["result"].as_str().unwrap(), outcome(&self.root, &case)) {
            ("valid", Ok((header, document))) => {
                assert_eq!(header, expected["header"], "{name}: header");
                assert_eq!(document, expected["document"], "{name}: document");
                self.valid += 1;
            }
            ("invalid", Err((code, stage))) => {
                assert_eq!(
                    (code.as_str(), stage),
                    (expected["error"].as_str().unwrap(), expected["stage"].as_str().unwrap()),
                    "{name}: the library disagrees with the expected outcome"
                );
                if stage == "parse" {
                    self.parse += 1;
                } else {
                    self.open += 1;
                }
            }
            (want, got) => panic!("{name}: expected {want}, the library says {got:?}"),
        }
        let text = serde_json::to_string_pretty(&case).unwrap() + "\n";
        std::fs::write(self.out.join(format!("{name}.json")), text).unwrap();
    }

    fn valid_case(&mut self, name: &str, description: &str, blob: &str, key: &str, allow: &[Alg], document: Value) {
        let parsed = blob_format::parse(blob).unwrap();
        let header: Value = serde_json::from_slice(&parsed.header_segment().decode()).unwrap();
        let mut case = json!({ "description": description, "blob": blob, "key": format!("keys/{key}") });
        if !allow.is_empty() {
            case["allow_algs"] = json!(allow.iter().map(|a| a.name()).collect::<Vec<_>>());
        }
        case["expected"] = json!({ "result": "valid", "header": header, "document": document });
        self.write(&format!("valid-{name}"), case);
    }

    fn valid(&mut self, name: &str, description: &str, blob: &str, key: &str, allow: &[Alg], doc: &Document) {
        let document: Value = serde_json::from_slice(&doc.to_json()).unwrap();
        self.valid_case(name, description, blob, key, allow, document);
    }

    /// An invalid case. `stage` is "parse" when the format alone decides, "open" when a key is needed.
    fn invalid(&mut self, name: &str, description: &str, blob: &str, key: Option<&str>, error: &str, stage: &str) {
        self.invalid_with(name, description, blob, key, error, stage, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn invalid_with(
        &mut self,
        name: &str,
        description: &str,
        blob: &str,
        key: Option<&str>,
        error: &str,
        stage: &str,
        limits: Option<Value>,
    ) {
        assert!(stage == "parse" || key.is_some(), "{name}: an open-stage case needs a key");
        let mut case = json!({ "description": description, "blob": blob });
        if let Some(k) = key {
            case["key"] = json!(format!("keys/{k}"));
        }
        if let Some(l) = limits {
            case["limits"] = l;
        }
        case["expected"] = json!({ "result": "invalid", "error": error, "stage": stage });
        self.write(&format!("invalid-{name}"), case);
    }
}

/// Items as `max_document_items` counts them (test-vectors/README.md), written out here rather
/// than asked of the library: commas and opening brackets outside strings.
fn count_items(json: &str) -> usize {
    let (mut items, mut in_string, mut escaped) = (0, false, false);
    for c in json.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') | (false, _, '"') => in_string = !in_string,
            (false, _, ',' | '[' | '{') => items += 1,
            _ => {}
        }
    }
    items
}

/// The limits a case asks for, on top of the defaults (the schema of `test-vectors/README.md`).
fn options(case: &Value) -> OpenOptions {
    let mut format = Limits::DEFAULT;
    let mut document = DocumentLimits::DEFAULT;
    if let Some(l) = case.get("limits").and_then(Value::as_object) {
        for (name, value) in l {
            let n = usize::try_from(value.as_u64().unwrap()).unwrap();
            match name.as_str() {
                "max_input_len" => format.max_input_len = n,
                "max_header_len" => format.max_header_len = n,
                "max_header_depth" => format.max_header_depth = n,
                "max_document_len" => document = document.with_max_document_len(n),
                "max_document_depth" => document = document.with_max_depth(n),
                "max_document_items" => document = document.with_max_items(n),
                "max_versions" => document = document.with_max_versions(n),
                "max_value_len" => document = document.with_max_value_len(n),
                other => panic!("unknown limit {other}"),
            }
        }
    }
    OpenOptions { format, document, ..OpenOptions::default() }
}

/// What the library makes of a case: (header, document), or (error code, stage).
fn outcome(root: &Path, case: &Value) -> Result<(Value, Value), (String, &'static str)> {
    let blob = case["blob"].as_str().unwrap();
    let opts = options(case);
    let parsed = blob_format::parse_with(blob, &opts.format).map_err(|e| (e.code().to_owned(), "parse"))?;
    let header: Value = serde_json::from_slice(&parsed.header_segment().decode()).unwrap();
    let key_path = case["key"].as_str().expect("a well-formed blob needs a key to decide");
    let bytes = std::fs::read(root.join(key_path)).unwrap();
    let open_err = |e: blob_seal::Error| (e.code().to_owned(), "open");
    let mut key = Key::from_bytes(&bytes).map_err(|e| open_err(e.into()))?;
    for alg in case.get("allow_algs").and_then(Value::as_array).into_iter().flatten() {
        key = key.allow(Alg::from_name(alg.as_str().unwrap()).unwrap()).map_err(|e| open_err(e.into()))?;
    }
    let document = blob_seal::open(blob, &key, &opts).map_err(open_err)?;
    Ok((header, serde_json::from_slice(&document.to_json()).unwrap()))
}

/// A document in the service's shape: `versions` versions, string and binary values alternating,
/// SYSCURRENT on the last and SYSPREVIOUS on the one before.
fn doc(versions: usize) -> Document {
    doc_described(versions, "test vector")
}

fn doc_described(versions: usize, description: &str) -> Document {
    let name = "db-password";
    let mut secret = Secret::new(name);
    secret.description = Some(description.into());
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
        vec![Version::new("v1", name, SecretValue::string("pässwörd-密码-🔑-\u{0}-\"quoted\"\\\n\t"))
            .with_stages(["SYSCURRENT", "ÉTAPE"])],
    )
}

/// A valid blob whose header segment is `header` exactly (extra members, another order), sealed
/// with the content and wrap primitives, since `seal` writes only kid, enc and alg.
fn with_header(kek: &Key, header: &Header, json_text: Option<&str>, plaintext: &[u8]) -> String {
    let segment = match json_text {
        Some(j) => blob_format::base64url_encode(j.as_bytes()),
        None => header.encode(),
    };
    let enc = header.enc();
    let cek = content::generate_cek(enc).unwrap();
    let iv = content::generate_iv(enc).unwrap();
    let sealed = content::encrypt(enc, &cek, &iv, segment.as_bytes(), plaintext).unwrap();
    let ek = kek.wrap_cek(header.alg(), &cek).unwrap();
    blob_format::assemble(&WriteOptions::default(), &segment, &ek, &iv, &sealed.ciphertext, &sealed.tag)
}

fn segments(blob: &str) -> Vec<String> {
    blob[JWE_AT..].split('.').map(str::to_owned).collect()
}

/// Replaces segment `i` of a blob's JWE with `text`.
fn replace_segment(blob: &str, i: usize, text: &str) -> String {
    let mut segs = segments(blob);
    segs[i] = text.to_owned();
    format!("{}{}", &blob[..JWE_AT], segs.join("."))
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
    let mut g = Gen { root, out, names: BTreeSet::new(), valid: 0, parse: 0, open: 0 };
    let d2 = doc(2);
    let rsa = g.key("rsa-2048.jwk.json");
    let kw = g.key("aes-256kw.jwk.json");
    let b64 = blob_format::base64url_encode;

    // ============================================================================================
    // Valid cases

    // Every alg x enc pair.
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
                kid: Some(key.kid().unwrap_or("test-rsa-2048").to_owned()),
                ..SealOptions::default()
            };
            let blob = seal(&d2, &key, &options).unwrap();
            let how = if allow.is_empty() { String::new() } else { format!(" (PEM key, {alg} allowed)") };
            g.valid(
                &format!("{}-{}", alg.name().to_lowercase(), enc.name().to_lowercase()),
                &format!("{alg} + {enc}{how}, two versions (string and binary)"),
                &blob,
                key_file,
                allow,
                &d2,
            );
        }
    }
    // RSA-OAEP with the JWK (pinned to RSA-OAEP-256), allowed RSA-OAEP on top.
    let oaep = seal(
        &d2,
        &rsa.clone().allow(Alg::RsaOaep).unwrap(),
        &SealOptions { alg: Some(Alg::RsaOaep), ..SealOptions::default() },
    )
    .unwrap();
    g.valid(
        "rsa-oaep-jwk-allowed",
        "RSA-OAEP with the JWK pinned to RSA-OAEP-256, RSA-OAEP allowed on top",
        &oaep,
        "rsa-2048.jwk.json",
        &[Alg::RsaOaep],
        &d2,
    );
    // Bigger RSA keys.
    for bits in [3072, 4096] {
        let file = format!("rsa-{bits}.jwk.json");
        let blob = seal(&d2, &g.key(&file), &SealOptions::default()).unwrap();
        g.valid(&format!("rsa-{bits}"), &format!("RSA-OAEP-256 with a {bits}-bit key"), &blob, &file, &[], &d2);
        let pem = format!("rsa-{bits}.pem");
        let blob = seal(&d2, &g.key(&pem).with_kid(format!("test-rsa-{bits}")), &SealOptions::default()).unwrap();
        g.valid(&format!("rsa-{bits}-pem"), &format!("RSA-OAEP-256 with a {bits}-bit PEM key"), &blob, &pem, &[], &d2);
    }
    // Every marker with both prefixes.
    for (marker, prefix, name) in [
        (Marker::Published, Prefix::Long, "marker-paren-long-prefix"),
        (Marker::Published, Prefix::Short, "marker-paren-short-prefix"),
        (Marker::Length, Prefix::Long, "marker-length-long-prefix"),
        (Marker::Length, Prefix::Short, "marker-length-short-prefix"),
    ] {
        let options = SealOptions { write: WriteOptions { marker, prefix }, ..SealOptions::default() };
        let blob = seal(&d2, &rsa, &options).unwrap();
        let desc = format!("marker byte 0x{:02x} before the prefix {}", marker.byte(prefix), prefix.as_str());
        g.valid(name, &desc, &blob, "rsa-2048.jwk.json", &[], &d2);
    }
    // Short prefix in an API body, with GCM and AES-KW.
    let short = seal(
        &d2,
        &kw,
        &SealOptions {
            enc: Enc::A128Gcm,
            write: WriteOptions { marker: Marker::Length, prefix: Prefix::Short },
            ..SealOptions::default()
        },
    )
    .unwrap();
    g.valid(
        "json-body-short-prefix",
        "an API JSON body around a blob with the short prefix and its length byte (0x21)",
        &blob_format::to_json_body(&short),
        "aes-256kw.jwk.json",
        &[],
        &d2,
    );
    // 1 and 20 versions (the service's maximum).
    for n in [1, 20] {
        let d = doc(n);
        let blob = seal(&d, &rsa, &SealOptions::default()).unwrap();
        g.valid(
            &format!("{n}-versions"),
            &format!("{n} version(s), string and binary values alternating"),
            &blob,
            "rsa-2048.jwk.json",
            &[],
            &d,
        );
    }
    // Values: binary only, empty, unicode, at the size limit.
    let name = "bin.secret";
    let binary = Document::new(
        Secret::new(name),
        vec![
            Version::new("v1", name, SecretValue::binary((0..=255u8).collect::<Vec<u8>>())),
            Version::new("v2", name, SecretValue::binary(vec![0xff, 0x00, 0xfe])).with_stages(["SYSCURRENT"]),
        ],
    );
    let blob = seal(&binary, &rsa, &SealOptions::default()).unwrap();
    g.valid("binary-values", "binary values only (all 256 byte values)", &blob, "rsa-2048.jwk.json", &[], &binary);
    let empty = Document::new(
        Secret::new("empty"),
        vec![
            Version::new("v1", "empty", SecretValue::string("")),
            Version::new("v2", "empty", SecretValue::binary(Vec::new())),
        ],
    );
    let blob = seal(&empty, &kw, &SealOptions::default()).unwrap();
    g.valid(
        "empty-values",
        "an empty string value and an empty binary value",
        &blob,
        "aes-256kw.jwk.json",
        &[],
        &empty,
    );
    let u = unicode_doc();
    let blob = seal(&u, &rsa, &SealOptions::default()).unwrap();
    g.valid("unicode", "unicode names, stages and values, with escapes", &blob, "rsa-2048.jwk.json", &[], &u);
    let big = Document::new(
        Secret::new("big"),
        vec![Version::new("v1", "big", SecretValue::binary(vec![0x5a; 64 * 1024])).with_stages(["SYSCURRENT"])],
    );
    let blob = seal(&big, &kw, &SealOptions { enc: Enc::A256Gcm, ..SealOptions::default() }).unwrap();
    g.valid(
        "value-at-limit",
        "a 65536-byte binary value: the largest the default limits admit",
        &blob,
        "aes-256kw.jwk.json",
        &[],
        &big,
    );
    // A document with every field, unknown members at each level and explicit nulls (all kept).
    let full = r#"{"format_version":1,"secret":{"id":"05dd0b1f-7a6a-4b2e-9a39-7d1f0b1f2e3a","name":"app.api-key","state":"ENABLED","kms_key_id":"b168fe00ff56492495a7d22974df2d0b","description":"every member","create_time":1581507580000,"update_time":1581507590000,"scheduled_delete_time":null,"secret_type":"COMMON","auto_rotation":false,"rotation_period":"30d","enterprise_project_id":"0","tags":[{"key":"env","value":"prod"},{"key":"owner","value":null}],"x-future-secret":{"nested":[1,2.5,"three",true,null]}},"versions":[{"version_metadata":{"id":"v1","create_time":1581507580000,"expire_time":null,"kms_key_id":"b168fe00ff56492495a7d22974df2d0b","secret_name":"app.api-key","version_stages":["SYSPREVIOUS"],"x-future-metadata":"kept"},"secret_string":"first","x-future-version":[]},{"version_metadata":{"id":"v2","create_time":1581507590000,"secret_name":"app.api-key","version_stages":["SYSCURRENT","custom-stage"]},"secret_binary":"AAECAwQFBgc="}],"x-future-top":{"written_by":"a newer writer"}}"#;
    let blob = seal_raw(full.as_bytes(), &rsa, &SealOptions::default()).unwrap();
    g.valid_case(
        "full-document-unknown-members",
        "every secret field, explicit nulls, and unknown members at every level (kept on a round trip)",
        &blob,
        "rsa-2048.jwk.json",
        &[],
        serde_json::from_str(full).unwrap(),
    );
    // Headers that `seal` does not write: extra members, another member order.
    let h = Header::new(Alg::A256Kw, Enc::A128CbcHs256)
        .with_kid("test-a256kw")
        .with_typ("JOSE")
        .with_cty("application/json")
        .with_member("x-backup-created", json!(1_700_000_000_000u64))
        .unwrap()
        .with_member("x-origin", json!({"region": "eu-west-101", "zones": [1, 2]}))
        .unwrap();
    let blob = with_header(&kw, &h, None, &d2.to_json());
    g.valid(
        "header-extra-members",
        "a header with typ, cty and extra members (kept, authenticated)",
        &blob,
        "aes-256kw.jwk.json",
        &[],
        &d2,
    );
    let blob =
        with_header(&kw, &h, Some(r#"{"alg":"A256KW","enc":"A128CBC-HS256","kid":"test-a256kw"}"#), &d2.to_json());
    g.valid(
        "header-member-order",
        "members in the order alg, enc, kid (the AAD is the segment as written)",
        &blob,
        "aes-256kw.jwk.json",
        &[],
        &d2,
    );
    let blob = with_header(
        &kw,
        &h,
        Some("{ \"kid\" : \"test-a256kw\",\n  \"enc\" : \"A128CBC-HS256\",\n  \"alg\" : \"A256KW\" }"),
        &d2.to_json(),
    );
    g.valid(
        "header-whitespace",
        "a pretty-printed header JSON (whitespace inside the decoded header is JSON, not base64)",
        &blob,
        "aes-256kw.jwk.json",
        &[],
        &d2,
    );
    let blob = with_header(&kw, &h, Some(r#"{"enc":"A128CBC-HS256","alg":"A256KW"}"#), &d2.to_json());
    g.valid("header-no-kid", "a header without kid: any key of the alg may try", &blob, "aes-256kw.jwk.json", &[], &d2);
    // Envelopes and whitespace.
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
        "a bare blob with leading spaces and a trailing newline",
        &format!("  {blob}\r\n"),
        "rsa-2048.jwk.json",
        &[],
        &d2,
    );

    // ============================================================================================
    // Invalid: published and sibling samples

    let samples = g.root.join("samples");
    for (name, file, prefix) in [
        ("published-example-long-prefix", "huawei/api-page-example-long-prefix.json", "long prefix, in a JSON body"),
        ("published-example-short-prefix", "huawei/api-explorer-example-short-prefix.txt", "short prefix"),
    ] {
        let text = std::fs::read_to_string(samples.join(file)).unwrap();
        g.invalid(
            name,
            &format!("the example the API docs publish ({prefix}): four segments, the fourth 305 characters"),
            &text,
            None,
            "truncated",
            "parse",
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
            "parse",
        );
    }

    // ============================================================================================
    // Invalid: structure (parse)

    let blob = seal(&d2, &rsa, &SealOptions::default()).unwrap();
    let segs = segments(&blob);
    for n in 1..5 {
        let cut = format!("{}{}", &blob[..JWE_AT], segs[..n].join("."));
        g.invalid(
            &format!("truncated-{n}-segments"),
            &format!("only {n} of 5 segments"),
            &cut,
            Some("rsa-2048.jwk.json"),
            "truncated",
            "parse",
        );
    }
    g.invalid(
        "truncated-empty-tag",
        "cut after the last dot: the tag is empty",
        &format!("{}{}.", &blob[..JWE_AT], segs[..4].join(".")),
        Some("rsa-2048.jwk.json"),
        "empty_segment",
        "parse",
    );
    g.invalid(
        "truncated-prefix-only",
        "the marker and prefix, nothing after",
        &blob[..JWE_AT],
        None,
        "truncated",
        "parse",
    );
    g.invalid(
        "extra-segment",
        "a sixth segment",
        &format!("{blob}.AAAA"),
        Some("rsa-2048.jwk.json"),
        "extra_segments",
        "parse",
    );
    g.invalid(
        "empty-encrypted-key",
        "an empty encrypted key (as alg dir would have)",
        &replace_segment(&blob, 1, ""),
        None,
        "empty_segment",
        "parse",
    );
    g.invalid("empty", "only whitespace", " \n\t ", None, "empty", "parse");

    // base64url rules.
    let tag = &segs[4];
    g.invalid(
        "base64-padding",
        "'=' padding on the tag",
        &replace_segment(&blob, 4, &format!("{tag}==")),
        None,
        "base64_padding",
        "parse",
    );
    let ek = &segs[1];
    g.invalid(
        "base64-whitespace",
        "a line break inside the encrypted key",
        &replace_segment(&blob, 1, &format!("{}\r\n{}", &ek[..76], &ek[76..])),
        None,
        "base64_whitespace",
        "parse",
    );
    g.invalid(
        "base64-space",
        "a space inside the ciphertext",
        &replace_segment(&blob, 3, &format!("{} {}", &segs[3][..8], &segs[3][8..])),
        None,
        "base64_whitespace",
        "parse",
    );
    g.invalid(
        "base64-character",
        "'+' (standard base64) inside the ciphertext",
        &replace_segment(&blob, 3, &format!("+{}", &segs[3][1..])),
        None,
        "base64_character",
        "parse",
    );
    g.invalid(
        "base64-character-slash",
        "'/' (standard base64) inside the encrypted key",
        &replace_segment(&blob, 1, &format!("{}/{}", &ek[..10], &ek[11..])),
        None,
        "base64_character",
        "parse",
    );
    g.invalid(
        "base64-length",
        "a tag of 25 characters: a length (4k+1) no base64url encoding has",
        &replace_segment(&blob, 4, &format!("{tag}AAA")),
        None,
        "base64_length",
        "parse",
    );
    let iv = &segs[2];
    let last = iv.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let at = alphabet.find(last).unwrap();
    // 16 bytes = 22 characters: the last carries 2 bits and 4 unused; setting the lowest makes it
    // non-canonical.
    let bumped = alphabet.chars().nth(at | 1).unwrap();
    g.invalid(
        "base64-noncanonical",
        "the IV's last character carries non-zero unused bits (same bytes as the canonical text)",
        &replace_segment(&blob, 2, &format!("{}{bumped}", &iv[..iv.len() - 1])),
        None,
        "base64_noncanonical",
        "parse",
    );

    // Marker, prefix, envelope.
    g.invalid("missing-marker", "no marker byte", &blob[1..], None, "missing_marker", "parse");
    g.invalid("unknown-marker", "'*' as marker", &format!("*{}", &blob[1..]), None, "unknown_marker", "parse");
    g.invalid(
        "marker-mismatch",
        "marker 0x21 (the short prefix's length) before the long prefix",
        &format!("!{}", &blob[1..]),
        None,
        "marker_mismatch",
        "parse",
    );
    g.invalid(
        "sibling-prefix",
        "Azure Key Vault's marker and prefix in front of the JWE",
        &format!(")AzureKeyVaultSecretBackupV1.microsoft.com{}", &blob[JWE_AT..]),
        None,
        "sibling_format",
        "parse",
    );
    g.invalid(
        "unknown-prefix",
        "another vendor's prefix",
        &format!(")SecretBackupV1.example.com{}", &blob[JWE_AT..]),
        None,
        "unknown_prefix",
        "parse",
    );
    g.invalid(
        "missing-prefix",
        "a bare compact JWE, without marker and prefix",
        &blob[JWE_AT..],
        None,
        "missing_prefix",
        "parse",
    );
    g.invalid(
        "wrapped-blob",
        "the blob base64url-encoded once more",
        &b64(blob.as_bytes()),
        None,
        "wrapped_blob",
        "parse",
    );
    g.invalid(
        "json-escaped",
        "the blob as a JSON string literal",
        &format!("\"{blob}\""),
        None,
        "json_escaped",
        "parse",
    );
    g.invalid(
        "envelope-invalid-json",
        "a JSON body without its closing brace",
        &format!("{{\"secret_blob\": \"{blob}\""),
        None,
        "invalid_json",
        "parse",
    );
    g.invalid(
        "envelope-not-an-object",
        "a JSON array around the blob",
        &format!("[\"{blob}\"]"),
        None,
        "not_an_object",
        "parse",
    );
    g.invalid(
        "envelope-missing-secret-blob",
        "a JSON body without secret_blob",
        &format!("{{\"blob\": \"{blob}\"}}"),
        None,
        "missing_secret_blob",
        "parse",
    );
    g.invalid(
        "envelope-not-string",
        "secret_blob is a number",
        "{\"secret_blob\": 41}",
        None,
        "secret_blob_not_string",
        "parse",
    );
    g.invalid(
        "envelope-duplicate",
        "secret_blob twice",
        &format!("{{\"secret_blob\": \"{blob}\", \"secret_blob\": \"{blob}\"}}"),
        None,
        "duplicate_secret_blob",
        "parse",
    );
    g.invalid(
        "envelope-escaped",
        "the marker written as the JSON escape \\u0029",
        &format!("{{\"secret_blob\": \"\\u0029{}\"}}", &blob[1..]),
        None,
        "escaped_blob",
        "parse",
    );

    // Header rules, each with otherwise valid segments.
    let bad_header = |header_bytes: &[u8]| replace_segment(&blob, 0, &b64(header_bytes));
    let long_member =
        format!(r#"{{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"RSA-OAEP-256","x":"{}"}}"#, "a".repeat(3100));
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
        (
            "alg-pbes2",
            r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"PBES2-HS256+A128KW","p2s":"AAAA","p2c":1000}"#,
            "unsupported_alg",
        ),
        ("alg-lowercase", r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"rsa-oaep-256"}"#, "unsupported_alg"),
        ("enc-unknown", r#"{"kid":"test-rsa-2048","enc":"A128CBC","alg":"RSA-OAEP-256"}"#, "unsupported_enc"),
        ("alg-missing", r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256"}"#, "missing_member"),
        ("enc-missing", r#"{"kid":"test-rsa-2048","alg":"RSA-OAEP-256"}"#, "missing_member"),
        ("kid-not-string", r#"{"kid":7,"enc":"A128CBC-HS256","alg":"RSA-OAEP-256"}"#, "member_type"),
        ("header-not-object", r#"["alg","RSA-OAEP-256"]"#, "header_not_object"),
        ("header-json", r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"RSA-OAEP-256""#, "header_json"),
        (
            "header-too-deep",
            r#"{"kid":"test-rsa-2048","enc":"A128CBC-HS256","alg":"RSA-OAEP-256","x":[[[[[[[[1]]]]]]]]}"#,
            "header_too_deep",
        ),
        ("header-too-large", &long_member, "header_too_large"),
    ] {
        let shown = if json_text.len() > 120 { format!("{}...", &json_text[..110]) } else { json_text.to_owned() };
        g.invalid(
            name,
            &format!("header: {shown}"),
            &bad_header(json_text.as_bytes()),
            Some("rsa-2048.jwk.json"),
            code,
            "parse",
        );
    }
    g.invalid(
        "header-not-utf8",
        "the decoded header is not UTF-8 (Latin-1 \"é\" in the kid)",
        &bad_header(b"{\"kid\":\"t\xe9st\",\"enc\":\"A128CBC-HS256\",\"alg\":\"RSA-OAEP-256\"}"),
        None,
        "header_not_utf8",
        "parse",
    );

    // Segment lengths against enc and alg.
    g.invalid(
        "iv-length",
        "a 12-byte IV with A128CBC-HS256",
        &replace_segment(&blob, 2, &b64(&[0; 12])),
        None,
        "iv_length",
        "parse",
    );
    g.invalid(
        "tag-length-truncated",
        "an 8-byte tag with A128CBC-HS256 (truncated tag)",
        &replace_segment(&blob, 4, &b64(&[0; 8])),
        None,
        "tag_length",
        "parse",
    );
    g.invalid(
        "tag-length-long",
        "a 32-byte tag with A128CBC-HS256 (the full HMAC output, not truncated to 16)",
        &replace_segment(&blob, 4, &b64(&[0; 32])),
        None,
        "tag_length",
        "parse",
    );
    g.invalid(
        "ciphertext-not-block-multiple",
        "a CBC ciphertext of 33 bytes",
        &replace_segment(&blob, 3, &b64(&[0; 33])),
        None,
        "ciphertext_length",
        "parse",
    );
    g.invalid(
        "ciphertext-empty-cbc",
        "an empty CBC ciphertext (CBC always has at least one block of padding)",
        &replace_segment(&blob, 3, ""),
        None,
        "ciphertext_length",
        "parse",
    );
    g.invalid(
        "encrypted-key-short",
        "a 128-byte encrypted key (RSA-1024) for RSA-OAEP-256",
        &replace_segment(&blob, 1, &b64(&[0; 128])),
        None,
        "encrypted_key_length",
        "parse",
    );
    let gcm = seal(&d2, &kw, &SealOptions { enc: Enc::A256Gcm, ..SealOptions::default() }).unwrap();
    g.invalid(
        "gcm-tag-truncated",
        "a 12-byte GCM tag",
        &replace_segment(&gcm, 4, &b64(&[0; 12])),
        None,
        "tag_length",
        "parse",
    );
    g.invalid(
        "gcm-iv-length",
        "a 16-byte IV with A256GCM",
        &replace_segment(&gcm, 2, &b64(&[0; 16])),
        None,
        "iv_length",
        "parse",
    );
    g.invalid(
        "encrypted-key-kw-length",
        "a 32-byte encrypted key for A256KW + A256GCM (needs 40: the CEK plus 8)",
        &replace_segment(&gcm, 1, &b64(&[0; 32])),
        None,
        "encrypted_key_length",
        "parse",
    );

    // ============================================================================================
    // Invalid: tampering, one segment at a time (open)

    let header_changed = Header::new(Alg::RsaOaep256, Enc::A128CbcHs256)
        .with_kid("test-rsa-2048")
        .with_member("x", json!(1))
        .unwrap()
        .encode();
    g.invalid(
        "tampered-header",
        "A128CBC-HS256: the header changed (still valid, same kid): the AAD no longer matches",
        &replace_segment(&blob, 0, &header_changed),
        Some("rsa-2048.jwk.json"),
        "decryption_failed",
        "open",
    );
    let gcm_header = Header::new(Alg::A256Kw, Enc::A256Gcm).with_kid("test-a256kw").with_typ("JOSE").encode();
    g.invalid(
        "tampered-gcm-header",
        "A256GCM: the header changed (typ added): the AAD no longer matches",
        &replace_segment(&gcm, 0, &gcm_header),
        Some("aes-256kw.jwk.json"),
        "decryption_failed",
        "open",
    );
    for (i, part) in [(1, "encrypted-key"), (2, "iv"), (3, "ciphertext"), (4, "tag")] {
        g.invalid(
            &format!("tampered-{part}"),
            &format!("RSA-OAEP-256 + A128CBC-HS256: one bit of the {part} flipped"),
            &replace_segment(&blob, i, &flip_first_byte(&segs[i])),
            Some("rsa-2048.jwk.json"),
            "decryption_failed",
            "open",
        );
        g.invalid(
            &format!("tampered-gcm-{part}"),
            &format!("A256KW + A256GCM: one bit of the {part} flipped"),
            &replace_segment(&gcm, i, &flip_first_byte(&segments(&gcm)[i])),
            Some("aes-256kw.jwk.json"),
            "decryption_failed",
            "open",
        );
    }
    // Segments swapped in from another blob of the same key: each is well formed, none belongs.
    let other = seal(&d2, &rsa, &SealOptions::default()).unwrap();
    g.invalid(
        "spliced-encrypted-key",
        "the encrypted key of another blob of the same key",
        &replace_segment(&blob, 1, &segments(&other)[1]),
        Some("rsa-2048.jwk.json"),
        "decryption_failed",
        "open",
    );
    g.invalid(
        "spliced-tag",
        "the tag of another blob of the same key",
        &replace_segment(&blob, 4, &segments(&other)[4]),
        Some("rsa-2048.jwk.json"),
        "decryption_failed",
        "open",
    );

    // ============================================================================================
    // Invalid: keys (open)

    g.invalid(
        "rsa-1024-key",
        "a well-formed blob and a 1024-bit key, which is refused when it is loaded",
        &blob,
        Some("rsa-1024.jwk.json"),
        "key_too_small",
        "open",
    );
    g.invalid(
        "rsa-1024-pem-key",
        "a well-formed blob and a 1024-bit PEM key, which is refused when it is loaded",
        &blob,
        Some("rsa-1024.pem"),
        "key_too_small",
        "open",
    );
    g.invalid(
        "wrong-key",
        "opened with another RSA key that has no kid",
        &blob,
        Some("rsa-3072.pem"),
        "decryption_failed",
        "open",
    );
    let gcm_no_kid = with_header(&kw, &Header::new(Alg::A256Kw, Enc::A256Gcm), None, &d2.to_json());
    let other_kw = Key::from_oct(&[0x42; 32]).unwrap();
    let cek = content::generate_cek(Enc::A256Gcm).unwrap();
    let wrapped_elsewhere = replace_segment(&gcm_no_kid, 1, &b64(&other_kw.wrap_cek(Alg::A256Kw, &cek).unwrap()));
    g.invalid(
        "wrong-key-kw",
        "A256KW without kid: the content key was wrapped under another KEK (the unwrap check fails)",
        &wrapped_elsewhere,
        Some("aes-256kw.jwk.json"),
        "decryption_failed",
        "open",
    );
    g.invalid(
        "kid-mismatch",
        "the blob's kid is test-rsa-2048, the key's test-rsa-3072",
        &blob,
        Some("rsa-3072.jwk.json"),
        "kid_mismatch",
        "open",
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
        "open",
    );
    g.invalid(
        "alg-not-allowed-jwk",
        "an RSA-OAEP blob and the JWK pinned to RSA-OAEP-256",
        &oaep,
        Some("rsa-2048.jwk.json"),
        "alg_not_allowed",
        "open",
    );
    let confusion = Builder::new(Header::new(Alg::A256Kw, Enc::A128CbcHs256).with_kid("test-rsa-2048"))
        .encrypted_key(&[7; 40])
        .iv(&[1; 16])
        .ciphertext(&[2; 32])
        .tag(&[3; 16])
        .to_string();
    g.invalid(
        "alg-confusion-kw-header-rsa-key",
        "header alg A256KW with the RSA key's kid: the key, pinned to RSA-OAEP-256, refuses",
        &confusion,
        Some("rsa-2048.jwk.json"),
        "alg_not_allowed",
        "open",
    );
    let confusion = Builder::new(Header::new(Alg::RsaOaep256, Enc::A128CbcHs256).with_kid("test-a256kw"))
        .encrypted_key(&[7; 256])
        .iv(&[1; 16])
        .ciphertext(&[2; 32])
        .tag(&[3; 16])
        .to_string();
    g.invalid(
        "alg-confusion-rsa-header-kw-key",
        "header alg RSA-OAEP-256 with the AES key's kid: the key, pinned to A256KW, refuses",
        &confusion,
        Some("aes-256kw.jwk.json"),
        "alg_not_allowed",
        "open",
    );
    g.invalid(
        "public-key",
        "a public JWK cannot open",
        &blob,
        Some("rsa-2048.pub.jwk.json"),
        "public_key_only",
        "open",
    );
    g.invalid(
        "public-key-pem",
        "a public PEM key cannot open",
        &blob,
        Some("rsa-2048.pub.pem"),
        "public_key_only",
        "open",
    );

    // ============================================================================================
    // Invalid: document rules (well-formed blobs sealed with seal_raw; the error comes after
    // decryption)

    let v = |id: &str, name: &str, stages: &str, value: &str| {
        format!(r#"{{"version_metadata":{{"id":"{id}","secret_name":"{name}","version_stages":[{stages}]}},{value}}}"#)
    };
    let docj = |name: &str, versions: &[String]| {
        format!(r#"{{"format_version":1,"secret":{{"name":"{name}"}},"versions":[{}]}}"#, versions.join(","))
    };
    let s = r#""secret_string":"x""#;
    let many: Vec<String> = (1..=21).map(|i| v(&format!("v{i}"), "n", "", s)).collect();
    let stages13: Vec<String> = (1..=13).map(|i| v(&format!("v{i}"), "n", &format!(r#""S{i}""#), s)).collect();
    let deep = format!(
        r#"{{"format_version":1,"secret":{{"name":"n"}},"versions":[{}],"x":{}1{}}}"#,
        v("v1", "n", "", s),
        "[".repeat(40),
        "]".repeat(40)
    );
    // One item over the default item limit: the fixed part has 11 items (3 + 1 + 1 + 2 + 3, and 1
    // for the empty stage list), the unknown member one more, its array the rest.
    let wide = |count: usize| {
        format!(
            r#"{{"format_version":1,"secret":{{"name":"n"}},"versions":[{}],"x":[{}]}}"#,
            v("v1", "n", "", s),
            vec!["0"; count].join(",")
        )
    };
    let max_items = DocumentLimits::DEFAULT.max_items;
    let too_wide = wide(max_items + 1 - 12);
    assert_eq!(count_items(&too_wide), max_items + 1);
    let cases: Vec<(&str, String, &str)> = vec![
        ("document-no-versions", docj("n", &[]), "no_versions"),
        ("document-21-versions", docj("n", &many), "too_many_versions"),
        (
            "document-duplicate-version-id",
            docj("n", &[v("v1", "n", "", s), v("v1", "n", "", s)]),
            "duplicate_version_id",
        ),
        ("document-empty-version-id", docj("n", &[v("", "n", "", s)]), "bad_version_id"),
        (
            "document-stage-on-two-versions",
            docj("n", &[v("v1", "n", r#""SYSCURRENT""#, s), v("v2", "n", r#""SYSCURRENT""#, s)]),
            "stage_on_two_versions",
        ),
        ("document-duplicate-stage", docj("n", &[v("v1", "n", r#""SYSCURRENT","SYSCURRENT""#, s)]), "duplicate_stage"),
        ("document-empty-stage", docj("n", &[v("v1", "n", r#""""#, s)]), "bad_stage_name"),
        ("document-13-stages", docj("n", &stages13), "too_many_stages"),
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
        ("document-bad-binary", docj("n", &[v("v1", "n", "", r#""secret_binary":"eA""#)]), "bad_binary_value"),
        ("document-name-mismatch", docj("n", &[v("v1", "other", "", s)]), "secret_name_mismatch"),
        ("document-bad-name", docj("bad name!", &[v("v1", "bad name!", "", s)]), "invalid_secret_name"),
        (
            "document-unknown-format-version",
            docj("n", &[v("v1", "n", "", s)]).replace(r#""format_version":1"#, r#""format_version":2"#),
            "unknown_format_version",
        ),
        (
            "document-unknown-state",
            docj("n", &[v("v1", "n", "", s)]).replace(r#"{"name":"n"}"#, r#"{"name":"n","state":"GONE"}"#),
            "unknown_state",
        ),
        (
            "document-description-too-long",
            docj("n", &[v("v1", "n", "", s)])
                .replace(r#"{"name":"n"}"#, &format!(r#"{{"name":"n","description":"{}"}}"#, "d".repeat(2049))),
            "description_too_long",
        ),
        (
            "document-duplicate-member",
            docj("n", &[v("v1", "n", "", s)]).replace(r#"{"name":"n"}"#, r#"{"name":"n","name":"n"}"#),
            "document_duplicate_member",
        ),
        (
            "document-schema",
            docj("n", &[v("v1", "n", "", s)]).replace(r#""format_version":1"#, r#""format_version":"1""#),
            "document_schema",
        ),
        ("document-missing-versions", r#"{"format_version":1,"secret":{"name":"n"}}"#.to_owned(), "document_schema"),
        ("document-too-deep", deep, "document_too_deep"),
        ("document-too-many-items", too_wide, "document_too_many_items"),
        ("document-not-json", "not json".to_owned(), "document_json"),
        ("document-trailing-data", format!("{} {{}}", docj("n", &[v("v1", "n", "", s)])), "document_json"),
    ];
    let kw128 = g.key("aes-128kw.jwk.json");
    for (name, raw, code) in cases {
        let blob = seal_raw(raw.as_bytes(), &kw128, &SealOptions::default()).unwrap();
        let shown = if raw.len() > 120 { format!("{}...", &raw[..110]) } else { raw.clone() };
        g.invalid(name, &format!("document: {shown}"), &blob, Some("aes-128kw.jwk.json"), code, "open");
    }

    // ============================================================================================
    // Invalid: over each size limit. Blobs over the default limits would be too big to commit, so
    // these cases carry `limits` that the runner applies instead of the defaults.

    // A 3-version document whose JSON length is not a multiple of 16, so that a document limit of
    // its length minus one passes the ciphertext bound and fails on the plaintext itself.
    let small_doc = (0..16)
        .map(|pad| doc_described(3, &format!("test vector{}", ".".repeat(pad))))
        .find(|d| d.to_json().len() % 16 != 0)
        .unwrap();
    let len = small_doc.to_json().len();
    let items = count_items(std::str::from_utf8(&small_doc.to_json()).unwrap());
    let small = seal(&small_doc, &rsa, &SealOptions::default()).unwrap();
    let header_len = segments(&small)[0].len();
    // The header and document depth limits are also broken at their defaults, in
    // invalid-header-too-deep and invalid-document-too-deep; the size limits cannot be.
    let limit_cases = [
        ("limit-input", json!({"max_input_len": small.len() - 1}), "input_too_large", "parse", "the input"),
        ("limit-header", json!({"max_header_len": header_len - 1}), "header_too_large", "parse", "the header"),
        ("limit-header-depth", json!({"max_header_depth": 0}), "header_too_deep", "parse", "the header's depth"),
        ("limit-plaintext", json!({"max_document_len": 100}), "plaintext_too_large", "open", "the ciphertext"),
        ("limit-document", json!({"max_document_len": len - 1}), "document_too_large", "open", "the plaintext"),
        ("limit-items", json!({"max_document_items": items - 1}), "document_too_many_items", "open", "the items"),
        ("limit-versions", json!({"max_versions": 2}), "too_many_versions", "open", "the versions"),
        ("limit-value", json!({"max_value_len": 15}), "value_too_large", "open", "a 16-byte value"),
    ];
    for (name, limits, code, stage, what) in limit_cases {
        g.invalid_with(
            name,
            &format!("a valid 3-version blob ({len}-byte document); {what} over the limit {limits}"),
            &small,
            Some("rsa-2048.jwk.json"),
            code,
            stage,
            Some(limits),
        );
    }
    // The same blob at each limit exactly is valid.
    let exact = json!({
        "max_input_len": small.len(), "max_header_len": header_len, "max_header_depth": 1,
        "max_document_len": len, "max_document_depth": 5, "max_document_items": items, "max_versions": 3,
        "max_value_len": 16
    });
    let mut case = json!({
        "description": "the same blob with every limit set to exactly what it needs",
        "blob": small,
        "key": "keys/rsa-2048.jwk.json",
        "limits": exact,
    });
    let header: Value = serde_json::from_slice(&blob_format::parse(&small).unwrap().header_segment().decode()).unwrap();
    let document: Value = serde_json::from_slice(&small_doc.to_json()).unwrap();
    case["expected"] = json!({ "result": "valid", "header": header, "document": document });
    g.write("valid-limits-exact", case);

    let mut map = Map::new();
    map.insert("valid".into(), json!(g.valid));
    map.insert("invalid_parse".into(), json!(g.parse));
    map.insert("invalid_open".into(), json!(g.open));
    println!("wrote {} cases to {}: {}", g.names.len(), g.out.display(), Value::Object(map));
}
