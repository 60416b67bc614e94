//! The CLI contract, run against the built binary: every command and option, exit codes, inputs
//! from files and stdin, envelopes, and that secret values reach the terminal only with --reveal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_blobtool");
const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");
const SECRET_A: &str = "hunter2-S3CRET-string";
const SECRET_B_B64: &str = "c2VjcmV0LWJpbmFyeS12YWx1ZS0xMjM="; // "secret-binary-value-123"

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("blobtool-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn key(name: &str) -> String {
    format!("{VECTORS}/keys/{name}")
}

/// Runs blobtool with `args` and `stdin`, without a terminal and with NO_COLOR unset.
fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("\x1b["), "colour without a terminal: {all}");
    assert!(!all.contains("panicked"), "a panic reached the terminal: {all}");
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn document_json() -> String {
    format!(
        r#"{{"format_version":1,"secret":{{"name":"db-password","state":"ENABLED","description":"für 数据库"}},"versions":[
 {{"version_metadata":{{"id":"v1","secret_name":"db-password","create_time":1700000000000,"version_stages":["SYSPREVIOUS"]}},"secret_string":"{SECRET_A}"}},
 {{"version_metadata":{{"id":"v2","secret_name":"db-password","create_time":1710000000000,"version_stages":["SYSCURRENT"]}},"secret_binary":"{SECRET_B_B64}"}}]}}"#
    )
}

/// Seals the sample document with the RSA-2048 test key; returns the blob file.
fn sealed(s: &Scratch) -> PathBuf {
    let doc = s.write("doc.json", &document_json());
    let out = run(&["seal", "--key", &key("rsa-2048.pub.jwk.json"), doc.to_str().unwrap()], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).is_empty());
    let blob = stdout(&out);
    assert!(blob.starts_with(")CloudSecretManagementBackupV1.huaweicloud.com") && blob.ends_with('\n'));
    s.write("blob.txt", &blob)
}

#[test]
fn inspect_valid_blob_from_file_and_stdin() {
    let s = Scratch::new("inspect");
    let blob = sealed(&s);
    let out = run(&["inspect", blob.to_str().unwrap()], None);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for needle in [
        "well formed",
        "marker",
        "prefix",
        "header",
        "enc. key",
        "IV",
        "ciphertext",
        "tag",
        "RSA modulus of 2048 bits",
        "findings: none",
    ] {
        assert!(text.contains(needle), "{needle} missing in\n{text}");
    }
    let from_stdin = run(&["inspect", "-"], Some(&std::fs::read(&blob).unwrap()));
    assert_eq!(code(&from_stdin), 0);
    assert_eq!(stdout(&from_stdin), text);
    // Default input is stdin; an API JSON body works too.
    let body = format!("{{\"secret_blob\": \"{}\"}}", std::fs::read_to_string(&blob).unwrap().trim());
    let out = run(&["inspect"], Some(body.as_bytes()));
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("JSON body"));
}

#[test]
fn inspect_published_example_exits_1_naming_the_truncation() {
    for file in ["api-page-example-long-prefix.json", "api-explorer-example-short-prefix.txt"] {
        let path = format!("{VECTORS}/samples/huawei/{file}");
        let out = run(&["inspect", &path], None);
        assert_eq!(code(&out), 1, "{file}");
        let text = stdout(&out);
        assert!(text.contains("truncated") && text.contains("305 characters"), "{text}");
        let json = run(&["inspect", "--json", &path], None);
        assert_eq!(code(&json), 1);
        let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
        assert_eq!(v["segment_count"], 4);
        let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().filter_map(|f| f["code"].as_str()).collect();
        assert!(codes.contains(&"truncated") && codes.contains(&"base64_length"), "{codes:?}");
        assert_eq!(v["alg"], "RSA-OAEP-256");
        assert_eq!(v["implied"]["rsa_modulus_bits"], 2048);
    }
}

#[test]
fn inspect_json_is_a_stable_object() {
    let s = Scratch::new("inspect-json");
    let blob = sealed(&s);
    let out = run(&["inspect", "--json", blob.to_str().unwrap()], None);
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    for field in [
        "input_len",
        "envelope",
        "blob",
        "marker",
        "prefix",
        "segments",
        "segment_count",
        "header_json",
        "header",
        "alg",
        "enc",
        "kid",
        "implied",
        "sibling",
        "findings",
    ] {
        assert!(v.get(field).is_some(), "{field}");
    }
    assert_eq!(v["segments"].as_array().unwrap().len(), 5);
    assert_eq!(v["segments"][1]["decoded_len"], 256);
    assert_eq!(v["kid"], "test-rsa-2048");
    // An Azure backup is named as a sibling.
    let out = run(&["inspect", "--json", &format!("{VECTORS}/samples/azure/azure-secret-restspec-7.4.b64url")], None);
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["sibling"]["format"], "azure_secret_backup");
}

#[test]
fn oversized_and_binary_input_is_refused() {
    let s = Scratch::new("oversize");
    let big = s.path("big.txt");
    let mut f = std::fs::File::create(&big).unwrap();
    f.write_all(b")CloudSecretManagementBackupV1.huaweicloud.com").unwrap();
    f.write_all(&vec![b'A'; 13 << 20]).unwrap();
    drop(f);
    let out = run(&["inspect", big.to_str().unwrap()], None);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("over the limit"), "{}", stdout(&out));
    let out = run(&["open", "--key", &key("rsa-2048.jwk.json"), big.to_str().unwrap()], None);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("over the limit"), "{}", stderr(&out));
    let bin = s.path("bin.txt");
    std::fs::write(&bin, [0x29, 0xff, 0xfe]).unwrap();
    let out = run(&["inspect", bin.to_str().unwrap()], None);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("not_utf8"), "{}", stdout(&out));
}

#[test]
fn open_lists_versions_and_reveals_only_when_asked() {
    let s = Scratch::new("open");
    let blob = sealed(&s);
    let b = blob.to_str().unwrap();
    let k = key("rsa-2048.jwk.json");
    let out = run(&["open", "--key", &k, b], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    for needle in ["v1", "v2", "SYSPREVIOUS", "SYSCURRENT", "2023-11-14 22:13:20", "string", "binary", "21", "23"] {
        assert!(table.contains(needle), "{needle} in\n{table}");
    }
    for o in [&out, &run(&["open", "--json", "--key", &k, b], None)] {
        let all = format!("{}{}", stdout(o), stderr(o));
        assert!(
            !all.contains(SECRET_A) && !all.contains(SECRET_B_B64) && !all.contains("secret-binary-value"),
            "{all}"
        );
    }
    // --json: redacted document.
    let redacted: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["open", "--json", "--key", &k, b], None))).unwrap();
    assert_eq!(redacted["versions"][0]["secret_string"], "<redacted>");
    assert_eq!(redacted["versions"][1]["secret_binary"], "<redacted>");
    // --reveal: table with values; --json --reveal: the document itself.
    let revealed = stdout(&run(&["open", "--reveal", "--key", &k, b], None));
    assert!(revealed.contains(SECRET_A) && revealed.contains(SECRET_B_B64), "{revealed}");
    let doc = stdout(&run(&["open", "--json", "--reveal", "--key", &k, b], None));
    let expected: serde_json::Value = serde_json::from_str(&document_json()).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&doc).unwrap(), expected);
    // --raw: the plaintext bytes exactly (compact JSON as sealed).
    let raw = run(&["open", "--raw", "--key", &k, b], None);
    assert_eq!(code(&raw), 0);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&raw.stdout).unwrap(), expected);
    // PEM key and stdin input.
    let out = run(&["open", "--key", &key("rsa-2048.pem")], Some(&std::fs::read(&blob).unwrap()));
    assert_eq!(code(&out), 0);
}

#[test]
fn seal_open_seal_open_gives_the_same_document() {
    let s = Scratch::new("cycle");
    let blob = sealed(&s);
    let k = key("rsa-2048.jwk.json");
    let doc1 = stdout(&run(&["open", "--json", "--reveal", "--key", &k, blob.to_str().unwrap()], None));
    let again = run(&["seal", "--key", &key("aes-256kw.jwk.json"), "--enc", "A256GCM", "-"], Some(doc1.as_bytes()));
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    let doc2 = stdout(&run(&["open", "--json", "--reveal", "--key", &key("aes-256kw.jwk.json")], Some(&again.stdout)));
    assert_eq!(doc1, doc2);
}

#[test]
fn seal_options() {
    let s = Scratch::new("seal");
    let doc = s.write("doc.json", &document_json());
    let d = doc.to_str().unwrap();
    // --envelope and --out: the file holds the JSON body, stdout is empty.
    let out_file = s.path("out.json");
    let args = ["seal", "--key", &key("aes-128kw.jwk.json"), "--envelope", "--out", out_file.to_str().unwrap(), d];
    let out = run(&args, None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let body: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    let blob = body["secret_blob"].as_str().unwrap();
    let parsed = blob_format::parse(blob).unwrap();
    assert_eq!(parsed.header().alg().name(), "A128KW");
    assert_eq!(parsed.header().kid(), Some("test-a128kw"));
    // --alg, --enc, --kid.
    let pub_pem = key("rsa-2048.pub.pem");
    let out = run(&["seal", "--key", &pub_pem, "--alg", "RSA-OAEP", "--enc", "A256CBC-HS512", "--kid", "k-1", d], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let blob = stdout(&out);
    let parsed = blob_format::parse(&blob).unwrap();
    let h = parsed.header();
    assert_eq!((h.alg().name(), h.enc().name(), h.kid()), ("RSA-OAEP", "A256CBC-HS512", Some("k-1")));
    // Opening it with the PEM key needs --alg RSA-OAEP.
    let pem = key("rsa-2048.pem");
    let refused = run(&["open", "--key", &pem], Some(blob.as_bytes()));
    assert_eq!(code(&refused), 1);
    assert!(stderr(&refused).contains("not allowed for RSA-OAEP"), "{}", stderr(&refused));
    assert_eq!(code(&run(&["open", "--key", &pem, "--alg", "RSA-OAEP"], Some(blob.as_bytes()))), 0);
    // A key without kid and no --kid: exit 2 with a clear message.
    let out = run(&["seal", "--key", &pub_pem, d], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--kid"), "{}", stderr(&out));
    // An invalid document: exit 1, naming the field path.
    let bad = s.write("bad.json", r#"{"format_version":1,"secret":{"name":"a"},"versions":[]}"#);
    let out = run(&["seal", "--key", &key("aes-128kw.jwk.json"), bad.to_str().unwrap()], None);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("versions"), "{}", stderr(&out));
}

#[test]
fn open_failures_and_their_exit_codes() {
    let s = Scratch::new("fail");
    let blob = sealed(&s);
    let b = blob.to_str().unwrap();
    // Wrong key with another kid: exit 1, both kids named.
    let out = run(&["open", "--key", &key("rsa-3072.jwk.json"), b], None);
    assert_eq!(code(&out), 1);
    let e = stderr(&out);
    assert!(e.contains("the blob's kid is \"test-rsa-2048\" but the key's kid is \"test-rsa-3072\""), "{e}");
    // Wrong key without kid: does not open, exit 1.
    let out = run(&["open", "--key", &key("rsa-3072.pem"), b], None);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("decryption failed"), "{}", stderr(&out));
    // A public key: exit 2, says so.
    let out = run(&["open", "--key", &key("rsa-2048.pub.pem"), b], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("the key is an RSA public key; opening needs the private key"));
    // Missing input file, missing key file, garbage key, too-small key: exit 2, naming the file.
    let out = run(&["open", "--key", &key("rsa-2048.jwk.json"), "/nonexistent/blob.txt"], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("/nonexistent/blob.txt"));
    let out = run(&["open", "--key", "/nonexistent/key.pem", b], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("/nonexistent/key.pem"));
    let garbage = s.write("garbage.pem", "not a key at all");
    let out = run(&["open", "--key", garbage.to_str().unwrap(), b], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("garbage.pem"), "{}", stderr(&out));
    let out = run(&["open", "--key", &key("rsa-1024.pem"), b], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("1024 bits is too small"), "{}", stderr(&out));
    // A malformed blob: exit 1 with part and offset.
    let published = format!("{VECTORS}/samples/huawei/api-explorer-example-short-prefix.txt");
    let out = run(&["open", "--key", &key("rsa-2048.jwk.json"), &published], None);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("authentication tag at offset 825"), "{}", stderr(&out));
    // Usage errors: exit 2.
    assert_eq!(code(&run(&["open"], None)), 2);
    assert_eq!(code(&run(&["frobnicate"], None)), 2);
    assert_eq!(code(&run(&["seal", "--key", "k", "--enc", "A128CBC"], None)), 2);
}

#[test]
fn verify_many_inputs() {
    let s = Scratch::new("verify");
    let good = sealed(&s);
    let good2 = s.path("good2.txt");
    std::fs::copy(&good, &good2).unwrap();
    let bad = s.write("bad.txt", "not a blob");
    let k = key("rsa-2048.jwk.json");
    let out = run(&["verify", "--key", &k, good.to_str().unwrap(), good2.to_str().unwrap()], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("kid test-rsa-2048") && text.contains("2 versions"), "{text}");
    assert!(text.ends_with("2 of 2 blobs open\n"), "{text}");
    let out = run(&["verify", "--key", &k, good.to_str().unwrap(), bad.to_str().unwrap(), "/nonexistent"], None);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert_eq!(text.lines().filter(|l| l.starts_with("FAIL")).count(), 2, "{text}");
    assert!(text.ends_with("1 of 3 blobs open\n"), "{text}");
    assert!(!text.contains(SECRET_A));
}

#[test]
fn rewrap_and_reseal() {
    let s = Scratch::new("rotate");
    let blob = sealed(&s);
    let b = blob.to_str().unwrap();
    let (old, new) = (key("rsa-2048.jwk.json"), key("aes-256kw.jwk.json"));
    for cmd in ["rewrap", "reseal"] {
        let out = run(&[cmd, "--key", &old, "--new-key", &new, b], None);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let moved = stdout(&out);
        assert_eq!(code(&run(&["open", "--key", &new], Some(moved.as_bytes()))), 0);
        assert_eq!(code(&run(&["open", "--key", &old], Some(moved.as_bytes()))), 1);
        let a = std::fs::read_to_string(&blob).unwrap();
        let (pa, pm) = (blob_format::parse(&a).unwrap(), blob_format::parse(&moved).unwrap());
        assert_eq!(pa.ciphertext().as_str() == pm.ciphertext().as_str(), cmd == "rewrap", "{cmd}");
    }
    let out = run(&["rewrap", "--key", &old, "--new-key", &key("rsa-3072.pub.pem"), "--new-kid", "k3", b], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(blob_format::parse(&stdout(&out)).unwrap().header().kid(), Some("k3"));
}

#[test]
fn keygen_writes_private_files_0600_and_refuses_to_overwrite() {
    let s = Scratch::new("keygen");
    let dir = s.path("keys");
    let d = dir.to_str().unwrap();
    let out = run(&["keygen", "--out", d, "--kid", "my-kid"], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for (name, private) in
        [("private.pem", true), ("public.pem", false), ("private.jwk.json", true), ("public.jwk.json", false)]
    {
        let meta = std::fs::metadata(dir.join(name)).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(meta.permissions().mode() & 0o777 == 0o600, private, "{name}");
        }
        let _ = meta;
    }
    let jwk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("private.jwk.json")).unwrap()).unwrap();
    assert_eq!(jwk["kid"], "my-kid");
    assert_eq!(jwk["alg"], "RSA-OAEP-256");
    // Refuses to overwrite; --force does.
    let out = run(&["keygen", "--out", d], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--force"));
    assert_eq!(code(&run(&["keygen", "--out", d, "--force"], None)), 0);
    let jwk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("public.jwk.json")).unwrap()).unwrap();
    assert_eq!(jwk["kid"].as_str().unwrap().len(), 36, "a random UUID");
    // The keys work: roundtrip with --key-dir.
    let out = run(&["roundtrip", "--key-dir", d], None);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    // AES-KW.
    let aes = s.path("aes");
    let out = run(&["keygen", "--out", aes.to_str().unwrap(), "--alg", "A192KW"], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let jwk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(aes.join("key.jwk.json")).unwrap()).unwrap();
    assert_eq!((jwk["kty"].as_str(), jwk["alg"].as_str()), (Some("oct"), Some("A192KW")));
    assert_eq!(code(&run(&["roundtrip", "--key-dir", aes.to_str().unwrap()], None)), 0);
    // RSA-OAEP keys are pinned to RSA-OAEP.
    let oaep = s.path("oaep");
    assert_eq!(code(&run(&["keygen", "--out", oaep.to_str().unwrap(), "--alg", "RSA-OAEP"], None)), 0);
    let jwk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(oaep.join("public.jwk.json")).unwrap()).unwrap();
    assert_eq!(jwk["alg"], "RSA-OAEP");
    assert_eq!(code(&run(&["keygen", "--out", s.path("x").to_str().unwrap(), "--bits", "1024"], None)), 2);
}

#[test]
fn roundtrip_with_built_in_keys() {
    let out = run(&["roundtrip"], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for step in ["seal", "inspect", "open", "compare", "rewrap", "reopen", "roundtrip: ok", "TEST keys"] {
        assert!(text.contains(step), "{step} in\n{text}");
    }
}

#[test]
fn help_documents_exit_codes() {
    let out = run(&["--help"], None);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("Exit codes:") && stdout(&out).contains("2  usage, I/O or key-loading error"));
}
