//! The CLI contract, run against the built binary: every command and option, each exit code,
//! inputs from files, `-` and the default stdin, API JSON bodies, the published (truncated)
//! example, keys of every kind and every way they can be wrong, and that secret values reach the
//! terminal only with --reveal. Every run is checked for colour escapes (tests have no terminal)
//! and panic messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use blob_seal::document::{Document, DocumentLimits};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_blobtool");
const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");
const SECRET_A: &str = "hunter2-S3CRET-string";
const SECRET_B: &str = "secret-binary-value-123";
const SECRET_B_B64: &str = "c2VjcmV0LWJpbmFyeS12YWx1ZS0xMjM=";
const PUBLISHED_LONG: &str = "samples/huawei/api-page-example-long-prefix.json";
const PUBLISHED_SHORT: &str = "samples/huawei/api-explorer-example-short-prefix.txt";

// ---------------------------------------------------------------------------------------------
// Harness

/// A scratch directory under the system temp dir, unique per test and process, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("blobtool-cli-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
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

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn vector(rel: &str) -> String {
    format!("{VECTORS}/{rel}")
}

fn key(name: &str) -> String {
    vector(&format!("keys/{name}"))
}

/// Runs blobtool with `args` and `stdin` (written from a thread: blobtool may stop reading early),
/// without a terminal, NO_COLOR unset unless `env` sets it. Asserts that no colour escape, panic
/// message or internal error reaches either stream.
fn run_env(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("NO_COLOR").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.map(<[u8]>::to_vec);
    let writer = std::thread::spawn(move || {
        if let Some(bytes) = input {
            let _ = pipe.write_all(&bytes);
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("\x1b["), "colour escape without a terminal: {args:?}\n{all}");
    assert!(!all.contains("panicked") && !all.contains("internal error"), "a panic reached the terminal: {all}");
    out
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    run_env(args, stdin, &[])
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("blobtool was killed by a signal")
}

/// Asserts the exit code, showing both streams when it differs.
#[track_caller]
fn expect(o: &Output, want: i32) {
    assert_eq!(code(o), want, "exit code\nstdout:\n{}\nstderr:\n{}", stdout(o), stderr(o));
}

/// Asserts a failure: the exit code, nothing on stdout, one `blobtool: error:` line on stderr
/// containing every needle.
#[track_caller]
fn expect_error(o: &Output, want: i32, needles: &[&str]) {
    expect(o, want);
    assert!(o.stdout.is_empty(), "stdout on failure: {}", stdout(o));
    let e = stderr(o);
    assert!(e.starts_with("blobtool: error: ") && e.ends_with('\n'), "{e}");
    assert_eq!(e.lines().count(), 1, "one line: {e}");
    for needle in needles {
        assert!(e.contains(needle), "{needle:?} missing in: {e}");
    }
}

/// Asserts that no secret value of [`document_json`] appears in either stream.
#[track_caller]
fn assert_no_secrets(o: &Output) {
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    for secret in [SECRET_A, SECRET_B, SECRET_B_B64, "c2VjcmV0LWJpbmFyeS12YWx1ZS0xMjM"] {
        assert!(!all.contains(secret), "secret {secret:?} printed:\n{all}");
    }
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}):\n{}", stdout(o)))
}

/// A backup document with a string and a binary value, unicode, stages and times.
fn document_json() -> String {
    format!(
        r#"{{"format_version":1,"secret":{{"name":"db-password","state":"ENABLED","description":"für 数据库"}},"versions":[
 {{"version_metadata":{{"id":"v1","secret_name":"db-password","create_time":1700000000000,"version_stages":["SYSPREVIOUS"]}},"secret_string":"{SECRET_A}"}},
 {{"version_metadata":{{"id":"v2","secret_name":"db-password","create_time":1710000000000,"version_stages":["SYSCURRENT"]}},"secret_binary":"{SECRET_B_B64}"}}]}}"#
    )
}

fn document_value() -> Value {
    serde_json::from_str(&document_json()).unwrap()
}

/// Seals [`document_json`] with the RSA-2048 test public key and returns the blob file.
fn sealed(sc: &Scratch) -> PathBuf {
    let doc = sc.write("doc.json", document_json());
    let out = run(&["seal", "--key", &key("rsa-2048.pub.jwk.json"), s(&doc)], None);
    expect(&out, 0);
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let blob = stdout(&out);
    assert!(blob.starts_with(")CloudSecretManagementBackupV1.huaweicloud.com"), "{blob}");
    assert!(blob.ends_with('\n') && blob.lines().count() == 1, "one line: {blob}");
    sc.write("blob.txt", &blob)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Help and usage

#[test]
fn help_documents_exit_codes_inputs_and_colour() {
    let out = run(&["--help"], None);
    expect(&out, 0);
    let help = stdout(&out);
    for needle in [
        "Exit codes:",
        "0  success",
        "1  the blob is invalid, does not open, or a check failed",
        "2  usage, I/O or key-loading error",
        "NO_COLOR",
        "secret_blob",
    ] {
        assert!(help.contains(needle), "{needle} in\n{help}");
    }
    for cmd in ["inspect", "keygen", "seal", "open", "verify", "rewrap", "reseal", "roundtrip"] {
        assert!(help.contains(cmd), "{cmd} in\n{help}");
        let sub = run(&[cmd, "--help"], None);
        expect(&sub, 0);
        assert!(stdout(&sub).contains("Exit codes:"), "{cmd} --help:\n{}", stdout(&sub));
    }
    let version = run(&["--version"], None);
    expect(&version, 0);
    assert!(stdout(&version).starts_with("blobtool "), "{}", stdout(&version));
}

#[test]
fn usage_errors_exit_2() {
    let sc = Scratch::new("usage");
    let blob = sealed(&sc);
    let b = s(&blob);
    let k = key("rsa-2048.jwk.json");
    let kdir = sc.path("k");
    let kd = s(&kdir);
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["frobnicate"],
        vec!["inspect", "--frobnicate"],
        vec!["open"],
        vec!["open", "--key", &k, "--json", "--raw", b],
        vec!["open", "--key", &k, "--alg", "RSA1_5", b],
        vec!["seal", "--key", &k, "--enc", "A128CBC"],
        vec!["seal", "--key", &k, "--alg", "dir"],
        vec!["verify", "--key", &k],
        vec!["rewrap", "--key", &k, b],
        vec!["keygen"],
        vec!["keygen", "--out", kd, "--bits", "1024"],
        vec!["keygen", "--out", kd, "--bits", "2049"],
    ];
    assert_eq!(cases.len(), 13);
    for args in &cases {
        let out = run(args, Some(&b""[..]));
        expect(&out, 2);
        assert!(out.stdout.is_empty(), "{args:?}: {}", stdout(&out));
        assert!(!stderr(&out).is_empty(), "{args:?}: no message");
    }
    // Errors the CLI finds itself (not clap) have the blobtool prefix.
    let out = run(&["keygen", "--out", s(&sc.path("k")), "--alg", "A256KW", "--bits", "4096"], None);
    expect_error(&out, 2, &["--bits is for RSA keys"]);
    assert!(!sc.path("k").exists(), "nothing written on a usage error");
    let out = run(&["verify", "--key", &k, "-", "-"], Some(&b""[..]));
    expect_error(&out, 2, &["standard input (-) can be given only once"]);
    let out = run(&["keygen", "--out", s(&sc.path("k")), "--kid", ""], None);
    expect_error(&out, 2, &["--kid"]);
}

// ---------------------------------------------------------------------------------------------
// inspect

#[test]
fn inspect_valid_blob_from_file_dash_default_stdin_and_envelope() {
    let sc = Scratch::new("inspect");
    let blob = sealed(&sc);
    let out = run(&["inspect", s(&blob)], None);
    expect(&out, 0);
    assert!(out.stderr.is_empty());
    let text = stdout(&out);
    assert!(text.starts_with("CSMS secret backup blob: well formed\n"), "{text}");
    for needle in [
        "marker",
        "0x29 ')': the published marker",
        "CloudSecretManagementBackupV1.huaweicloud.com (long form)",
        "header",
        "enc. key",
        "342 chars  -> 256 bytes",
        "IV",
        "ciphertext",
        "tag",
        "header members:",
        "kid  \"test-rsa-2048\"",
        "enc  \"A128CBC-HS256\"",
        "alg  \"RSA-OAEP-256\"",
        "implies:",
        "an RSA modulus of 2048 bits",
        "IV length fits A128CBC-HS256 (16 bytes)",
        "tag length fits A128CBC-HS256 (16 bytes)",
        "findings: none",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in\n{text}");
    }
    // The segment rows are aligned: every ".." of the range column in the same place.
    let rows: Vec<&str> = text.lines().skip(1).take(8).collect();
    let names = ["input", "marker", "prefix", "header", "enc. key", "IV", "ciphertext", "tag"];
    for (row, name) in rows.iter().zip(names) {
        assert!(row.starts_with(&format!("  {name} ")), "{name}: {row}");
    }
    let dots: Vec<usize> = rows.iter().map(|l| l.find("..").unwrap()).collect();
    assert!(dots.iter().all(|&d| d == dots[0]), "ranges not aligned:\n{}", rows.join("\n"));

    let bytes = std::fs::read(&blob).unwrap();
    for args in [&["inspect", "-"][..], &["inspect"][..]] {
        let from_stdin = run(args, Some(&bytes));
        expect(&from_stdin, 0);
        assert_eq!(stdout(&from_stdin), text, "{args:?}");
    }
    // The API's JSON body, with whitespace around it.
    let body = format!("\n  {{\"secret_blob\": \"{}\"}}\n\n", read(&blob).trim());
    let path = sc.write("body.json", &body);
    let out = run(&["inspect", s(&path)], None);
    expect(&out, 0);
    assert!(stdout(&out).contains("a JSON body; its \"secret_blob\" is"), "{}", stdout(&out));
    // NO_COLOR set changes nothing without a terminal, and adds no escapes with one.
    let out = run_env(&["inspect", s(&blob)], None, &[("NO_COLOR", "1")]);
    assert_eq!(stdout(&out), text);
}

#[test]
fn inspect_published_example_exits_1_naming_the_truncation() {
    for (file, tag_at, ct_at) in [(PUBLISHED_LONG, 858, 553), (PUBLISHED_SHORT, 825, 520)] {
        let path = vector(file);
        let out = run(&["inspect", &path], None);
        expect(&out, 1);
        assert!(out.stderr.is_empty(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.starts_with("CSMS secret backup blob: NOT well formed (2 errors)"), "{text}");
        for needle in [
            format!("error  at {tag_at}  authentication tag  [truncated]"),
            "the JWE has 4 of 5 segments".into(),
            format!("at {ct_at}  ciphertext"),
            "[base64_length]".into(),
            "305 characters".into(),
            "305 chars  -> not valid base64url".into(),
            format!("tag         {tag_at}..       missing"),
            "an RSA modulus of 2048 bits".into(),
            "kid  \"9f3efdc5-3f5e-4bed-a8d1-9616e50443ab\"".into(),
        ] {
            assert!(text.contains(&needle), "{file}: {needle:?} missing in\n{text}");
        }
        let v = json(&run(&["inspect", "--json", &path], None));
        assert_eq!(v["segment_count"], 4);
        let findings = v["findings"].as_array().unwrap();
        let truncated = findings.iter().find(|f| f["code"] == "truncated").expect("a truncated finding");
        assert_eq!((truncated["part"].as_str(), truncated["offset"].as_u64()), (Some("tag"), Some(tag_at)));
        let length = findings.iter().find(|f| f["code"] == "base64_length").expect("a base64_length finding");
        assert_eq!((length["part"].as_str(), length["offset"].as_u64()), (Some("ciphertext"), Some(ct_at)));
        assert_eq!(v["alg"], "RSA-OAEP-256");
        assert_eq!(v["implied"]["rsa_modulus_bits"], 2048);
    }
    // The short edition says so.
    let text = stdout(&run(&["inspect", &vector(PUBLISHED_SHORT)], None));
    assert!(text.contains("(short form)") && text.contains("[short_prefix]"), "{text}");
}

#[test]
fn inspect_json_has_the_documented_fields_and_nothing_else_on_stdout() {
    let sc = Scratch::new("inspect-json");
    let blob = sealed(&sc);
    let out = run(&["inspect", "--json", s(&blob)], None);
    expect(&out, 0);
    assert!(out.stderr.is_empty());
    let v = json(&out);
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
        assert!(v.get(field).is_some(), "{field} missing in {v:#}");
    }
    assert_eq!(v["envelope"], "bare");
    assert_eq!(v["marker"]["kind"], "published");
    assert_eq!(v["segment_count"], 5);
    let segments = v["segments"].as_array().unwrap();
    let parts: Vec<&str> = segments.iter().map(|s| s["part"].as_str().unwrap()).collect();
    assert_eq!(parts, ["header", "encrypted_key", "iv", "ciphertext", "tag"]);
    for seg in segments {
        for field in ["part", "range", "encoded_len", "decoded_len", "expected"] {
            assert!(seg.get(field).is_some(), "{field} missing in {seg}");
        }
    }
    assert_eq!(segments[1]["decoded_len"], 256);
    assert_eq!(
        (v["alg"].as_str(), v["enc"].as_str(), v["kid"].as_str()),
        (Some("RSA-OAEP-256"), Some("A128CBC-HS256"), Some("test-rsa-2048"))
    );
    for field in ["rsa_modulus_bits", "cek_len", "iv_fits", "tag_fits"] {
        assert!(v["implied"].get(field).is_some(), "implied.{field}");
    }
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    // Every finding has severity, code, part, offset and message.
    let v = json(&run(&["inspect", "--json", &vector(PUBLISHED_SHORT)], None));
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3, "{findings:?}");
    for f in findings {
        for field in ["severity", "code", "part", "offset", "message"] {
            assert!(f.get(field).is_some(), "{field} missing in {f}");
        }
    }
    // An Azure backup is named as a sibling format.
    let out = run(&["inspect", "--json", &vector("samples/azure/azure-secret-restspec-7.4.b64url")], None);
    expect(&out, 1);
    let v = json(&out);
    assert_eq!(v["sibling"]["format"], "azure_secret_backup");
    let text = stdout(&run(&["inspect", &vector("samples/azure/azure-secret-restspec-7.4.b64url")], None));
    assert!(text.contains("sibling format: an Azure Key Vault secret backup"), "{text}");
}

#[test]
fn inspect_other_markers_and_prefixes() {
    use blob_format::{Alg, Builder, Enc, Header, Marker, Prefix, WriteOptions};
    let header = Header::new(Alg::A128Kw, Enc::A128Gcm).with_kid("k");
    for (marker, prefix, byte, form) in [
        (Marker::Length, Prefix::Long, "0x2d", "long form"),
        (Marker::Length, Prefix::Short, "0x21", "short form"),
        (Marker::Published, Prefix::Short, "0x29", "short form"),
    ] {
        let blob = Builder::new(header.clone())
            .options(WriteOptions { marker, prefix })
            .encrypted_key(&[1; 24])
            .iv(&[2; 12])
            .ciphertext(&[3; 5])
            .tag(&[4; 16])
            .to_string();
        let out = run(&["inspect"], Some(blob.as_bytes()));
        expect(&out, 0);
        let text = stdout(&out);
        assert!(text.contains(byte) && text.contains(form), "{text}");
        assert!(text.contains("IV length fits A128GCM (12 bytes)"), "{text}");
    }
}

#[test]
fn inspect_never_lets_a_blob_write_escape_sequences_to_the_terminal() {
    use blob_format::{Alg, Builder, Enc, Header};
    let header = Header::new(Alg::A128Kw, Enc::A128Gcm)
        .with_kid("k\u{1b}[2J\u{9b}31m\u{202e}")
        .with_member("x\u{1b}]0;title\u{7}", Value::String("\u{1b}[31mred".into()))
        .unwrap();
    let blob = Builder::new(header).encrypted_key(&[1; 24]).iv(&[2; 12]).ciphertext(&[3; 5]).tag(&[4; 16]).to_string();
    let out = run(&["inspect"], Some(blob.as_bytes()));
    let text = stdout(&out);
    for bad in ['\u{1b}', '\u{9b}', '\u{7}', '\u{202e}'] {
        assert!(!text.contains(bad), "{bad:?} reached the terminal:\n{text}");
    }
    assert!(text.contains("header members:"), "{text}");
}

#[test]
fn oversized_input_is_refused_fast_and_says_so() {
    let sc = Scratch::new("oversize");
    let big = sc.path("big.txt");
    let mut f = std::fs::File::create(&big).unwrap();
    f.write_all(b")CloudSecretManagementBackupV1.huaweicloud.com").unwrap();
    f.write_all(&vec![b'A'; 13 << 20]).unwrap();
    drop(f);
    let real = std::fs::metadata(&big).unwrap().len().to_string();
    let start = Instant::now();
    let out = run(&["inspect", s(&big)], None);
    expect(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("[input_too_large]") && text.contains("over the limit of 12582912 bytes"), "{text}");
    assert!(text.contains(&real), "the real size {real} in\n{text}");
    assert_eq!(text.matches("input_too_large").count(), 1, "{text}");
    let v = json(&run(&["inspect", "--json", s(&big)], None));
    assert_eq!(v["findings"][0]["code"], "input_too_large");
    let k = key("rsa-2048.jwk.json");
    let out = run(&["open", "--key", &k, s(&big)], None);
    expect_error(&out, 1, &["big.txt", &real, "over the limit of 12582912 bytes", "nothing was decoded"]);
    // From a pipe: the size is not known, the limit is.
    let bytes = std::fs::read(&big).unwrap();
    let out = run(&["open", "--key", &k], Some(&bytes));
    expect_error(&out, 1, &["<stdin> is over the limit of 12582912 bytes"]);
    let out = run(&["verify", "--key", &k, s(&big)], None);
    expect(&out, 1);
    assert!(stdout(&out).contains("over the limit"), "{}", stdout(&out));
    // Four runs on 13 MB: bounded reads, no decoding. Generous for a debug build on a busy machine.
    assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    // An oversized document for seal.
    let doc = sc.path("big-doc.json");
    std::fs::write(&doc, vec![b' '; (8 << 20) + 1]).unwrap();
    let out = run(&["seal", "--key", &key("aes-256kw.jwk.json"), s(&doc)], None);
    expect_error(&out, 1, &["big-doc.json is 8388609 bytes, over the limit of 8388608 bytes"]);
}

#[test]
fn not_text_and_empty_inputs_are_invalid() {
    let sc = Scratch::new("bin");
    let bin = sc.write("bin.txt", [0x29, 0xff, 0xfe]);
    let out = run(&["inspect", s(&bin)], None);
    expect(&out, 1);
    assert!(stdout(&out).contains("[not_utf8]"), "{}", stdout(&out));
    let out = run(&["open", "--key", &key("rsa-2048.jwk.json"), s(&bin)], None);
    expect_error(&out, 1, &["bin.txt is not a blob", "not UTF-8"]);
    let out = run(&["inspect"], Some(&b""[..]));
    expect(&out, 1);
    assert!(stdout(&out).contains("[empty]"), "{}", stdout(&out));
    let out = run(&["inspect", "--json"], Some(b"not a blob"));
    expect(&out, 1);
    assert!(!json(&out)["findings"].as_array().unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// open

#[test]
fn open_prints_a_table_of_versions_and_no_value() {
    let sc = Scratch::new("open");
    let blob = sealed(&sc);
    let out = run(&["open", "--key", &key("rsa-2048.jwk.json"), s(&blob)], None);
    expect(&out, 0);
    assert_no_secrets(&out);
    assert!(out.stderr.is_empty());
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5, "{table}");
    assert_eq!(
        lines[0],
        "secret db-password, ENABLED: 2 versions (RSA-OAEP-256 + A128CBC-HS256, kid \"test-rsa-2048\")"
    );
    assert_eq!(lines[1].split_whitespace().collect::<Vec<_>>(), ["ID", "STAGES", "CREATED", "(UTC)", "KIND", "SIZE"]);
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["v1", "SYSPREVIOUS", "2023-11-14", "22:13:20", "string", "21"]
    );
    assert_eq!(
        lines[3].split_whitespace().collect::<Vec<_>>(),
        ["v2", "SYSCURRENT", "2024-03-09", "16:00:00", "binary", "23"]
    );
    assert_eq!(lines[4], "(values hidden: --reveal shows them)");
    // Columns aligned: SIZE right-aligned under its header.
    let end = lines[1].len();
    assert!(lines[2].len() == end && lines[3].len() == end, "{table}");
}

#[test]
fn open_reveal_shows_values() {
    let sc = Scratch::new("reveal");
    let blob = sealed(&sc);
    let out = run(&["open", "--reveal", "--key", &key("rsa-2048.jwk.json"), s(&blob)], None);
    expect(&out, 0);
    let table = stdout(&out);
    assert!(table.contains("VALUE"), "{table}");
    assert!(table.contains(&format!("\"{SECRET_A}\"")), "{table}");
    assert!(table.contains(&format!("base64:{SECRET_B_B64}")), "{table}");
    assert!(!table.contains("values hidden"), "{table}");
}

#[test]
fn open_json_redacts_every_value_and_reveal_prints_the_document() {
    let sc = Scratch::new("open-json");
    let blob = sealed(&sc);
    let k = key("rsa-2048.jwk.json");
    let out = run(&["open", "--json", "--key", &k, s(&blob)], None);
    expect(&out, 0);
    assert_no_secrets(&out);
    let redacted = json(&out);
    assert_eq!(redacted["versions"][0]["secret_string"], "<redacted>");
    assert_eq!(redacted["versions"][1]["secret_binary"], "<redacted>");
    let mut expected = document_value();
    expected["versions"][0]["secret_string"] = "<redacted>".into();
    expected["versions"][1]["secret_binary"] = "<redacted>".into();
    assert_eq!(redacted, expected, "everything but the values is kept");

    let out = run(&["open", "--json", "--reveal", "--key", &k, s(&blob)], None);
    expect(&out, 0);
    assert!(out.stderr.is_empty());
    assert_eq!(json(&out), document_value());
}

#[test]
fn open_raw_writes_the_plaintext_bytes_exactly() {
    let sc = Scratch::new("raw");
    let blob = sealed(&sc);
    let k = key("rsa-2048.jwk.json");
    let out = run(&["open", "--raw", "--key", &k, s(&blob)], None);
    expect(&out, 0);
    assert!(out.stderr.is_empty());
    let document = Document::from_json(document_json().as_bytes(), &DocumentLimits::DEFAULT).unwrap();
    assert_eq!(out.stdout, document.to_json().to_vec(), "the sealed plaintext, byte for byte");
    // A plaintext that is no document: --raw gives it back, plain open refuses it (exit 1).
    let plaintext = b"not a document \x00\xff\xfe\n".to_vec();
    let aes = blob_seal::Key::from_jwk(&read(Path::new(&key("aes-256kw.jwk.json")))).unwrap();
    let raw_blob = blob_seal::seal_raw(&plaintext, &aes, &blob_seal::SealOptions::default()).unwrap();
    let out = run(&["open", "--raw", "--key", &key("aes-256kw.jwk.json")], Some(raw_blob.as_bytes()));
    expect(&out, 0);
    assert_eq!(out.stdout, plaintext);
    let out = run(&["open", "--key", &key("aes-256kw.jwk.json")], Some(raw_blob.as_bytes()));
    expect_error(&out, 1, &["<stdin> does not open", "the backup document is invalid"]);
}

#[test]
fn open_reads_stdin_envelopes_pem_keys_and_alg() {
    let sc = Scratch::new("open-inputs");
    let blob = sealed(&sc);
    let bytes = std::fs::read(&blob).unwrap();
    let k = key("rsa-2048.jwk.json");
    let want = stdout(&run(&["open", "--key", &k, s(&blob)], None));
    for (args, stdin) in [
        (vec!["open", "--key", &k, "-"], Some(bytes.clone())),
        (vec!["open", "--key", &k], Some(bytes.clone())),
        (vec!["open", "--key", &k], Some(format!("{{\"secret_blob\":\"{}\"}}", read(&blob).trim()).into_bytes())),
    ] {
        let out = run(&args, stdin.as_deref());
        expect(&out, 0);
        assert_eq!(stdout(&out).replace("<stdin>", ""), want, "{args:?}");
    }
    // A PEM key (no kid, RSA-OAEP-256 by default), PKCS#1 or PKCS#8 alike.
    let out = run(&["open", "--key", &key("rsa-2048.pem"), s(&blob)], None);
    expect(&out, 0);
    // A blob sealed with RSA-OAEP opens with a PEM key only when --alg allows it.
    let doc = sc.write("d.json", document_json());
    let out = run(&["seal", "--key", &key("rsa-2048.pub.pem"), "--alg", "RSA-OAEP", "--kid", "k1", s(&doc)], None);
    expect(&out, 0);
    let oaep = out.stdout;
    let out = run(&["open", "--key", &key("rsa-2048.pem")], Some(&oaep));
    expect_error(&out, 1, &["not allowed for RSA-OAEP"]);
    expect(&run(&["open", "--key", &key("rsa-2048.pem"), "--alg", "RSA-OAEP"], Some(&oaep)), 0);
}

#[test]
fn wrong_keys_do_not_open_with_exit_1() {
    let sc = Scratch::new("wrong");
    let blob = sealed(&sc);
    // Another RSA key without kid: decryption fails.
    let out = run(&["open", "--key", &key("rsa-3072.pem"), s(&blob)], None);
    expect_error(&out, 1, &["blob.txt does not open", "decryption failed"]);
    // Another AES key with the same kid: decryption fails.
    let doc = sc.write("d.json", document_json());
    let out = run(&["seal", "--key", &key("aes-256kw.jwk.json"), s(&doc)], None);
    expect(&out, 0);
    let aes_blob = out.stdout;
    let k = blob_format::base64url_encode(&[7u8; 32]);
    let other = sc.write("other.jwk.json", format!(r#"{{"kty":"oct","alg":"A256KW","kid":"test-a256kw","k":"{k}"}}"#));
    let out = run(&["open", "--key", s(&other)], Some(&aes_blob));
    expect_error(&out, 1, &["decryption failed"]);
    assert_no_secrets(&out);
    // A tampered blob: the same error.
    let mut tampered = aes_blob.clone();
    let at = tampered.len() - 30;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let out = run(&["open", "--key", &key("aes-256kw.jwk.json")], Some(&tampered));
    expect_error(&out, 1, &["decryption failed"]);
}

#[test]
fn a_mismatched_kid_names_both_kids() {
    let sc = Scratch::new("kid");
    let blob = sealed(&sc);
    let out = run(&["open", "--key", &key("rsa-3072.jwk.json"), s(&blob)], None);
    expect_error(&out, 1, &["the blob's kid is \"test-rsa-2048\" but the key's kid is \"test-rsa-3072\""]);
    let out = run(&["open", "--key", &key("aes-128kw.jwk.json"), s(&blob)], None);
    expect_error(&out, 1, &["the blob's kid is \"test-rsa-2048\" but the key's kid is \"test-a128kw\""]);
}

#[test]
fn a_public_key_cannot_open() {
    let sc = Scratch::new("public");
    let blob = sealed(&sc);
    for public in ["rsa-2048.pub.pem", "rsa-2048.pub.jwk.json"] {
        let out = run(&["open", "--key", &key(public), s(&blob)], None);
        expect_error(&out, 2, &[public, "the key is an RSA public key; opening needs the private key"]);
        let out = run(&["rewrap", "--key", &key(public), "--new-key", &key("aes-256kw.jwk.json"), s(&blob)], None);
        expect_error(&out, 2, &["the key is an RSA public key; opening needs the private key"]);
    }
    // Even before the input is read: a missing input does not hide the key error.
    let out = run(&["open", "--key", &key("rsa-2048.pub.pem"), "/nonexistent/blob"], None);
    expect_error(&out, 2, &["opening needs the private key"]);
}

#[test]
fn missing_files_and_bad_keys_exit_2_naming_the_file() {
    let sc = Scratch::new("files");
    let blob = sealed(&sc);
    let b = s(&blob);
    let k = key("rsa-2048.jwk.json");
    let out = run(&["open", "--key", &k, "/nonexistent/blob.txt"], None);
    expect_error(&out, 2, &["cannot open /nonexistent/blob.txt"]);
    let out = run(&["inspect", "/nonexistent/blob.txt"], None);
    expect_error(&out, 2, &["/nonexistent/blob.txt"]);
    let out = run(&["seal", "--key", &key("aes-256kw.jwk.json"), "/nonexistent/doc.json"], None);
    expect_error(&out, 2, &["/nonexistent/doc.json"]);
    let out = run(&["rewrap", "--key", &k, "--new-key", &key("aes-256kw.jwk.json"), "/nonexistent/b"], None);
    expect_error(&out, 2, &["/nonexistent/b"]);
    let out = run(&["inspect", s(&sc.0)], None);
    expect_error(&out, 2, &["cannot read"]);
    let out = run(&["open", "--key", "/nonexistent/key.pem", b], None);
    expect_error(&out, 2, &["cannot read key file /nonexistent/key.pem"]);
    let out = run(&["seal", "--key", "/nonexistent/key.pem"], Some(document_json().as_bytes()));
    expect_error(&out, 2, &["/nonexistent/key.pem"]);
    let out = run(&["verify", "--key", "/nonexistent/key.pem", b], None);
    expect_error(&out, 2, &["/nonexistent/key.pem"]);
    for (name, contents) in [
        ("garbage.pem", &b"not a key at all"[..]),
        ("binary.key", &[0u8, 159, 146, 150, 255][..]),
        ("empty.jwk.json", &b""[..]),
        ("truncated.pem", &b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAAS\n"[..]),
        ("ec.jwk.json", &br#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#[..]),
        ("short.jwk.json", &br#"{"kty":"oct","k":"AAAA"}"#[..]),
    ] {
        let garbage = sc.write(name, contents);
        let out = run(&["open", "--key", s(&garbage), b], None);
        expect_error(&out, 2, &["cannot load key file", name]);
        assert!(!stderr(&out).contains("MIIE"), "key bytes echoed: {}", stderr(&out));
    }
    let out = run(&["open", "--key", &key("rsa-1024.pem"), b], None);
    expect_error(&out, 2, &["rsa-1024.pem", "1024 bits is too small"]);
    #[cfg(unix)]
    {
        let out = run(&["open", "--key", "/dev/zero", b], None);
        expect_error(&out, 2, &["/dev/zero", "not a PEM or JWK key"]);
    }
    // A key of the wrong type for --alg.
    let out = run(&["open", "--key", &k, "--alg", "A128KW", b], None);
    expect_error(&out, 2, &["rsa-2048.jwk.json", "A128KW"]);
}

#[test]
fn a_malformed_blob_exits_1_with_part_and_offset() {
    let out = run(&["open", "--key", &key("rsa-2048.jwk.json"), &vector(PUBLISHED_SHORT)], None);
    expect_error(&out, 1, &["does not open", "the blob is malformed", "authentication tag at offset 825", "truncated"]);
    // The cause is said once, not repeated by each layer of the error chain.
    assert_eq!(stderr(&out).matches("4 of 5 segments").count(), 1, "{}", stderr(&out));
    let out = run(&["open", "--key", &key("rsa-2048.jwk.json")], Some(b"{\"other\": 1}"));
    expect_error(&out, 1, &["JSON body at offset 0", "secret_blob"]);
    assert_eq!(stderr(&out).matches("secret_blob").count(), 1, "{}", stderr(&out));
}

// ---------------------------------------------------------------------------------------------
// seal

#[test]
fn seal_open_seal_open_gives_the_same_document() {
    let sc = Scratch::new("cycle");
    let blob = sealed(&sc);
    let doc1 = run(&["open", "--json", "--reveal", "--key", &key("rsa-2048.jwk.json"), s(&blob)], None);
    expect(&doc1, 0);
    let again = run(&["seal", "--key", &key("aes-256kw.jwk.json"), "--enc", "A256GCM", "-"], Some(&doc1.stdout));
    expect(&again, 0);
    let doc2 = run(&["open", "--json", "--reveal", "--key", &key("aes-256kw.jwk.json")], Some(&again.stdout));
    expect(&doc2, 0);
    assert_eq!(doc1.stdout, doc2.stdout);
    assert_eq!(json(&doc2), document_value());
    // And the plaintext of both blobs is the same bytes.
    let raw1 = run(&["open", "--raw", "--key", &key("rsa-2048.jwk.json"), s(&blob)], None);
    let raw2 = run(&["open", "--raw", "--key", &key("aes-256kw.jwk.json")], Some(&again.stdout));
    assert_eq!(raw1.stdout, raw2.stdout);
}

#[test]
fn seal_envelope_and_out() {
    let sc = Scratch::new("seal-out");
    let doc = sc.write("doc.json", document_json());
    let k = key("aes-128kw.jwk.json");
    // --envelope to stdout: one JSON object with secret_blob only.
    let out = run(&["seal", "--key", &k, "--envelope", s(&doc)], None);
    expect(&out, 0);
    let body = json(&out);
    assert_eq!(body.as_object().unwrap().len(), 1);
    let blob = body["secret_blob"].as_str().unwrap().to_owned();
    assert!(blob.starts_with(")CloudSecretManagementBackupV1.huaweicloud.com"));
    // --out: the file holds the blob and a newline; nothing on stdout or stderr.
    let file = sc.path("out.txt");
    let out = run(&["seal", "--key", &k, "--out", s(&file), s(&doc)], None);
    expect(&out, 0);
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{}{}", stdout(&out), stderr(&out));
    let written = read(&file);
    assert!(written.ends_with('\n') && written.lines().count() == 1);
    let parsed = blob_format::parse(&written).unwrap();
    assert_eq!((parsed.header().alg().name(), parsed.header().kid()), ("A128KW", Some("test-a128kw")));
    // --envelope --out, replacing the file.
    let out = run(&["seal", "--key", &k, "--envelope", "--out", s(&file), s(&doc)], None);
    expect(&out, 0);
    assert!(out.stdout.is_empty());
    let body: Value = serde_json::from_str(&read(&file)).unwrap();
    let opened = run(&["open", "--json", "--reveal", "--key", &k, s(&file)], None);
    expect(&opened, 0);
    assert_eq!(json(&opened), document_value());
    assert!(body["secret_blob"].is_string());
    // An unwritable --out: exit 2.
    let out = run(&["seal", "--key", &k, "--out", "/nonexistent/dir/out.txt", s(&doc)], None);
    expect_error(&out, 2, &["cannot write /nonexistent/dir/out.txt"]);
}

#[test]
fn seal_alg_enc_and_kid() {
    let sc = Scratch::new("seal-opts");
    let doc = sc.write("doc.json", document_json());
    let d = s(&doc);
    let pub_pem = key("rsa-2048.pub.pem");
    let out = run(&["seal", "--key", &pub_pem, "--alg", "RSA-OAEP", "--enc", "A256CBC-HS512", "--kid", "k-1", d], None);
    expect(&out, 0);
    let blob = stdout(&out);
    let parsed = blob_format::parse(&blob).unwrap();
    let h = parsed.header();
    assert_eq!((h.alg().name(), h.enc().name(), h.kid()), ("RSA-OAEP", "A256CBC-HS512", Some("k-1")));
    // Defaults: RSA-OAEP-256 + A128CBC-HS256 and the key's kid, in the service's header shape.
    let out = run(&["seal", "--key", &key("rsa-3072.pub.jwk.json"), d], None);
    expect(&out, 0);
    let text = stdout(&out);
    let parsed = blob_format::parse(text.trim()).unwrap();
    let h = parsed.header();
    assert_eq!((h.alg().name(), h.enc().name(), h.kid()), ("RSA-OAEP-256", "A128CBC-HS256", Some("test-rsa-3072")));
    assert_eq!(h.to_json(), r#"{"kid":"test-rsa-3072","enc":"A128CBC-HS256","alg":"RSA-OAEP-256"}"#);
    // --kid overrides the key's kid.
    let out = run(&["seal", "--key", &key("aes-192kw.jwk.json"), "--kid", "override", d], None);
    expect(&out, 0);
    assert_eq!(blob_format::parse(stdout(&out).trim()).unwrap().header().kid(), Some("override"));
    // Every enc seals and opens.
    let aes = key("aes-256kw.jwk.json");
    for enc in ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"] {
        let out = run(&["seal", "--key", &aes, "--enc", enc, d], None);
        expect(&out, 0);
        assert_eq!(blob_format::parse(stdout(&out).trim()).unwrap().header().enc().name(), enc);
        let opened = run(&["open", "--json", "--reveal", "--key", &aes], Some(&out.stdout));
        expect(&opened, 0);
        assert_eq!(json(&opened), document_value(), "{enc}");
    }
    // An oct JWK without alg: the AES key wrap of its size.
    let k = blob_format::base64url_encode(&[9u8; 24]);
    let oct = sc.write("oct.jwk.json", format!(r#"{{"kty":"oct","kid":"k192","k":"{k}"}}"#));
    let out = run(&["seal", "--key", s(&oct), d], None);
    expect(&out, 0);
    let text = stdout(&out);
    let parsed = blob_format::parse(text.trim()).unwrap();
    assert_eq!((parsed.header().alg().name(), parsed.header().kid()), ("A192KW", Some("k192")));
    expect(&run(&["open", "--key", s(&oct)], Some(&out.stdout)), 0);
    // A JWK's alg is kept; an --alg it cannot do is a key error.
    let out = run(&["seal", "--key", &aes, "--alg", "A128KW", d], None);
    expect_error(&out, 2, &["aes-256kw.jwk.json", "A128KW"]);
}

#[test]
fn seal_without_a_kid_is_a_usage_error() {
    let sc = Scratch::new("nokid");
    let doc = sc.write("doc.json", document_json());
    for k in ["rsa-2048.pub.pem", "rsa-2048.pem"] {
        let out = run(&["seal", "--key", &key(k), s(&doc)], None);
        expect_error(&out, 2, &["the key has no kid: give one with --kid"]);
    }
    expect(&run(&["seal", "--key", &key("rsa-2048.pub.pem"), "--kid", "given", s(&doc)], None), 0);
}

#[test]
fn seal_refuses_an_invalid_document_naming_the_field() {
    let sc = Scratch::new("baddoc");
    let k = key("aes-128kw.jwk.json");
    let cases = [
        (r#"{"format_version":1,"secret":{"name":"a"},"versions":[]}"#, "versions"),
        ("not json", "not valid JSON"),
        (
            r#"{"format_version":1,"secret":{"name":"a"},"versions":[{"version_metadata":{"id":"v1","secret_name":"b"},"secret_string":"x"}]}"#,
            "secret_name",
        ),
    ];
    for (i, (doc, needle)) in cases.iter().enumerate() {
        let path = sc.write(&format!("bad{i}.json"), doc);
        let out = run(&["seal", "--key", &k, s(&path)], None);
        expect_error(&out, 1, &[&format!("bad{i}.json is not a valid backup document"), needle]);
        let out = run(&["seal", "--key", &k], Some(doc.as_bytes()));
        expect_error(&out, 1, &["<stdin> is not a valid backup document"]);
    }
    // A document error never echoes a value.
    let doc = format!(
        r#"{{"format_version":1,"secret":{{"name":"a"}},"versions":[{{"version_metadata":{{"id":"v1","secret_name":"a"}},"secret_string":"{SECRET_A}","secret_binary":"{SECRET_B_B64}"}}]}}"#
    );
    let out = run(&["seal", "--key", &k], Some(doc.as_bytes()));
    expect_error(&out, 1, &["versions"]);
    assert_no_secrets(&out);
}

// ---------------------------------------------------------------------------------------------
// verify

#[test]
fn verify_reports_each_input_and_a_total() {
    let sc = Scratch::new("verify");
    let good = sealed(&sc);
    let good2 = sc.path("good2.txt");
    std::fs::copy(&good, &good2).unwrap();
    let k = key("rsa-2048.jwk.json");
    let out = run(&["verify", "--key", &k, s(&good), s(&good2), "-"], Some(&std::fs::read(&good).unwrap()));
    expect(&out, 0);
    assert!(out.stderr.is_empty());
    assert_no_secrets(&out);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with(&format!("ok    {}: kid \"test-rsa-2048\"", s(&good))), "{text}");
    assert!(lines[1].starts_with(&format!("ok    {}: ", s(&good2))), "{text}");
    assert!(lines[2].starts_with("ok    <stdin>: "), "{text}");
    assert!(lines[0].contains("RSA-OAEP-256 + A128CBC-HS256, secret db-password, 2 versions: v1, v2"), "{text}");
    assert_eq!(lines[3], "3 of 3 blobs open");

    // Good and bad together: exit 1, one line each in input order, the reason on each bad line.
    let other = run(&["seal", "--key", &key("rsa-3072.pub.jwk.json"), s(&sc.path("doc.json"))], None);
    let other = sc.write("other-key.txt", &other.stdout);
    let garbage = sc.write("garbage.txt", "not a blob");
    let inputs = [s(&good), s(&garbage), "/nonexistent/blob", &vector(PUBLISHED_LONG), s(&other), s(&good2)];
    let mut args = vec!["verify", "--key", &k];
    args.extend(inputs.iter().copied());
    let out = run(&args, None);
    expect(&out, 1);
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    assert_no_secrets(&out);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), inputs.len() + 1, "{text}");
    let want = [
        ("ok", ""),
        ("FAIL", "no CSMS backup prefix"),
        ("FAIL", "cannot open /nonexistent/blob"),
        ("FAIL", "authentication tag at offset 858"),
        ("FAIL", "the blob's kid is \"test-rsa-3072\" but the key's kid is \"test-rsa-2048\""),
        ("ok", ""),
    ];
    for ((line, input), (status, why)) in lines.iter().zip(inputs).zip(want) {
        assert!(line.starts_with(&format!("{status:<4}  {input}: ")), "{line}");
        assert!(line.contains(why), "{why:?} in {line}");
    }
    assert_eq!(lines[inputs.len()], "2 of 6 blobs open, 4 failed");
}

#[test]
fn verify_with_a_public_key_fails_each_input() {
    let sc = Scratch::new("verify-pub");
    let good = sealed(&sc);
    let out = run(&["verify", "--key", &key("rsa-2048.pub.pem"), s(&good)], None);
    expect(&out, 1);
    assert!(stdout(&out).contains("opening needs the private key"), "{}", stdout(&out));
}

// ---------------------------------------------------------------------------------------------
// rewrap and reseal

#[test]
fn rewrap_and_reseal_move_a_blob_to_the_new_key_only() {
    let sc = Scratch::new("rotate");
    let blob = sealed(&sc);
    let b = s(&blob);
    let (old, new) = (key("rsa-2048.jwk.json"), key("aes-256kw.jwk.json"));
    let original = read(&blob);
    for cmd in ["rewrap", "reseal"] {
        let out = run(&[cmd, "--key", &old, "--new-key", &new, b], None);
        expect(&out, 0);
        assert!(out.stderr.is_empty());
        let moved = stdout(&out);
        assert!(moved.ends_with('\n') && moved.lines().count() == 1);
        let opened = run(&["open", "--json", "--reveal", "--key", &new], Some(moved.as_bytes()));
        expect(&opened, 0);
        assert_eq!(json(&opened), document_value(), "{cmd}");
        let refused = run(&["open", "--key", &old], Some(moved.as_bytes()));
        expect_error(&refused, 1, &["does not open"]);
        let (a, m) = (blob_format::parse(&original).unwrap(), blob_format::parse(&moved).unwrap());
        assert_eq!(m.header().kid(), Some("test-a256kw"));
        assert_eq!(m.header().alg().name(), "A256KW");
        assert_eq!(a.ciphertext().as_str() == m.ciphertext().as_str(), cmd == "rewrap", "{cmd}: ciphertext");
        assert_eq!(a.iv().as_str() == m.iv().as_str(), cmd == "rewrap", "{cmd}: IV");
        // From stdin, in an envelope.
        let body = format!("{{\"secret_blob\": \"{}\"}}", original.trim());
        let out = run(&[cmd, "--key", &old, "--new-key", &new], Some(body.as_bytes()));
        expect(&out, 0);
        expect(&run(&["open", "--key", &new], Some(&out.stdout)), 0);
    }
    // --new-kid and --new-alg with a PEM public key.
    let out = run(
        &[
            "rewrap",
            "--key",
            &old,
            "--new-key",
            &key("rsa-3072.pub.pem"),
            "--new-alg",
            "RSA-OAEP",
            "--new-kid",
            "k3",
            b,
        ],
        None,
    );
    expect(&out, 0);
    let moved = stdout(&out);
    let m = blob_format::parse(&moved).unwrap();
    assert_eq!((m.header().alg().name(), m.header().kid()), ("RSA-OAEP", Some("k3")));
    expect(&run(&["open", "--key", &key("rsa-3072.pem"), "--alg", "RSA-OAEP"], Some(moved.as_bytes())), 0);
    // A new key without kid and no --new-kid: exit 2.
    let out = run(&["reseal", "--key", &old, "--new-key", &key("rsa-3072.pub.pem"), b], None);
    expect_error(&out, 2, &["--new-kid"]);
    // The wrong old key: exit 1, nothing printed.
    let out = run(&["rewrap", "--key", &key("rsa-3072.pem"), "--new-key", &new, b], None);
    expect_error(&out, 1, &["blob.txt cannot be moved to the new key", "decryption failed"]);
}

// ---------------------------------------------------------------------------------------------
// keygen

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn jwk(p: &Path) -> Value {
    serde_json::from_str(&read(p)).unwrap()
}

#[test]
fn keygen_rsa_writes_four_files_private_ones_0600() {
    let sc = Scratch::new("keygen");
    let dir = sc.path("keys");
    let d = s(&dir);
    let out = run(&["keygen", "--out", d, "--kid", "my-kid"], None);
    expect(&out, 0);
    assert!(out.stderr.is_empty());
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("wrote 4 files in {d}: RSA 2048 bits, for RSA-OAEP-256, kid \"my-kid\"")),
        "{text}"
    );
    let files = [("private.pem", true), ("public.pem", false), ("private.jwk.json", true), ("public.jwk.json", false)];
    for (name, private) in files {
        assert!(dir.join(name).is_file(), "{name}");
        assert!(text.contains(name), "{name} listed in {text}");
        #[cfg(unix)]
        assert_eq!(mode(&dir.join(name)) == 0o600, private, "{name}: mode {:o}", mode(&dir.join(name)));
        #[cfg(not(unix))]
        let _ = private;
    }
    assert!(read(&dir.join("private.pem")).starts_with("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
    assert!(read(&dir.join("public.pem")).starts_with("-----BEGIN PUBLIC KEY-----"), "SPKI");
    let private = jwk(&dir.join("private.jwk.json"));
    let public = jwk(&dir.join("public.jwk.json"));
    for j in [&private, &public] {
        assert_eq!(
            (j["kty"].as_str(), j["kid"].as_str(), j["alg"].as_str()),
            (Some("RSA"), Some("my-kid"), Some("RSA-OAEP-256"))
        );
        assert_eq!(j["n"].as_str().unwrap().len(), 342, "a 2048-bit modulus");
    }
    assert!(private.get("d").is_some() && public.get("d").is_none());
    // The pair works: seal with each public file, open with each private file.
    let doc = sc.write("doc.json", document_json());
    for (seal_key, open_key) in [("public.jwk.json", "private.jwk.json"), ("public.pem", "private.pem")] {
        let out = run(&["seal", "--key", s(&dir.join(seal_key)), "--kid", "my-kid", s(&doc)], None);
        expect(&out, 0);
        let opened = run(&["open", "--json", "--reveal", "--key", s(&dir.join(open_key))], Some(&out.stdout));
        expect(&opened, 0);
        assert_eq!(json(&opened), document_value());
    }
    // roundtrip with --key-dir.
    let out = run(&["roundtrip", "--key-dir", d], None);
    expect(&out, 0);
    assert!(stdout(&out).contains(&format!("keys from {d}/private.jwk.json (sealing with {d}/public.jwk.json)")));
    assert!(stdout(&out).contains("kid \"my-kid\""), "{}", stdout(&out));
}

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let sc = Scratch::new("keygen-force");
    let dir = sc.path("keys");
    let d = s(&dir);
    expect(&run(&["keygen", "--out", d], None), 0);
    let before = read(&dir.join("private.pem"));
    let kid1 = jwk(&dir.join("public.jwk.json"))["kid"].as_str().unwrap().to_owned();
    // A random UUID: 8-4-4-4-12 hex digits.
    let groups: Vec<usize> = kid1.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{kid1}");
    assert!(kid1.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "{kid1}");
    let out = run(&["keygen", "--out", d], None);
    expect_error(&out, 2, &["private.pem exists; use --force to overwrite it"]);
    assert_eq!(read(&dir.join("private.pem")), before, "unchanged");
    // One existing file is enough to refuse, and nothing is written.
    std::fs::remove_file(dir.join("private.pem")).unwrap();
    let out = run(&["keygen", "--out", d], None);
    expect_error(&out, 2, &["public.pem exists"]);
    assert!(!dir.join("private.pem").exists());
    let out = run(&["keygen", "--out", d, "--force", "--bits", "3072"], None);
    expect(&out, 0);
    assert_ne!(read(&dir.join("private.pem")), before);
    let public = jwk(&dir.join("public.jwk.json"));
    assert_ne!(public["kid"].as_str().unwrap(), kid1, "a new random kid");
    assert_eq!(public["n"].as_str().unwrap().len(), 512, "a 3072-bit modulus");
    #[cfg(unix)]
    assert_eq!(mode(&dir.join("private.jwk.json")), 0o600);
    // No temporary files are left behind.
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 4, "{names:?}");
}

#[test]
fn keygen_aes_kw_and_rsa_oaep() {
    let sc = Scratch::new("keygen-aes");
    for (alg, bytes) in [("A128KW", 16), ("A192KW", 24), ("A256KW", 32)] {
        let dir = sc.path(alg);
        let out = run(&["keygen", "--out", s(&dir), "--alg", alg, "--kid", alg], None);
        expect(&out, 0);
        assert!(stdout(&out).contains(&format!("AES {} bits, for {alg}", bytes * 8)), "{}", stdout(&out));
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["key.jwk.json"]);
        let path = dir.join("key.jwk.json");
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        let j = jwk(&path);
        assert_eq!((j["kty"].as_str(), j["alg"].as_str(), j["kid"].as_str()), (Some("oct"), Some(alg), Some(alg)));
        assert_eq!(j["k"].as_str().unwrap().len(), (bytes * 4usize).div_ceil(3));
        let out = run(&["roundtrip", "--key-dir", s(&dir)], None);
        expect(&out, 0);
        assert!(stdout(&out).contains(&format!("{alg} + A128CBC-HS256")), "{}", stdout(&out));
    }
    let dir = sc.path("oaep");
    expect(&run(&["keygen", "--out", s(&dir), "--alg", "RSA-OAEP"], None), 0);
    assert_eq!(jwk(&dir.join("public.jwk.json"))["alg"], "RSA-OAEP");
    let doc = sc.write("doc.json", document_json());
    let out = run(&["seal", "--key", s(&dir.join("public.jwk.json")), s(&doc)], None);
    expect(&out, 0);
    assert_eq!(blob_format::parse(stdout(&out).trim()).unwrap().header().alg().name(), "RSA-OAEP");
    expect(&run(&["open", "--key", s(&dir.join("private.jwk.json"))], Some(&out.stdout)), 0);
    // An unwritable directory: exit 2.
    let out = run(&["keygen", "--out", "/proc/blobtool-cannot-write-here"], None);
    expect_error(&out, 2, &["/proc/blobtool-cannot-write-here"]);
}

// ---------------------------------------------------------------------------------------------
// roundtrip

#[test]
fn roundtrip_with_built_in_keys() {
    let out = run(&["roundtrip"], None);
    expect(&out, 0);
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("blobtool roundtrip with the built-in TEST keys"), "{text}");
    let steps = ["seal", "inspect", "open", "compare", "tamper", "enc", "rewrap", "reopen", "reseal"];
    assert_eq!(lines.len(), steps.len() + 2, "{text}");
    for (line, step) in lines[1..].iter().zip(steps) {
        assert!(line.starts_with(&format!("  {step} ")), "{step}: {line}");
        assert!(line.contains(" ms  "), "{line}");
    }
    // The "ms" column is aligned.
    let at: Vec<usize> = lines[1..=steps.len()].iter().map(|l| l.find(" ms  ").unwrap()).collect();
    assert!(at.iter().all(|&a| a == at[0]), "{text}");
    for needle in ["well formed", "identical to the sealed document", "refused (decryption_failed)", "A256GCM"] {
        assert!(text.contains(needle), "{needle} in\n{text}");
    }
    assert_eq!(lines[steps.len() + 1], "roundtrip: ok (9 steps)");
}

#[test]
fn roundtrip_key_dir_without_keys_exits_2() {
    let sc = Scratch::new("roundtrip-empty");
    let out = run(&["roundtrip", "--key-dir", s(&sc.0)], None);
    expect_error(&out, 2, &["has none of private.jwk.json, key.jwk.json, private.pem", "blobtool keygen"]);
}
