//! Runs every case of `test-vectors/cases/` through the built `blobtool`, so the CLI and the library
//! cannot drift apart: `inspect --json` (exit 0 exactly for the cases that parse, and the report names
//! the expected kind for those that do not), then, for cases with a key, `open --json --reveal` and
//! `verify` (exit 0 and the document for valid cases; exit 2 for key errors, 1 for everything else).
//! Cases with `limits` are skipped: the CLI has no limit options (see `test-vectors/README.md`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_blobtool");
const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");

/// The key errors: the key cannot be loaded or cannot open at all. The CLI exits 2 for them (a
/// usage error), and 1 for every other failure (the blob is invalid or does not open).
const KEY_ERRORS: [&str; 11] = [
    "key_too_small",
    "key_too_large",
    "invalid_key",
    "unsupported_key_type",
    "unsupported_key_alg",
    "wrong_key_use",
    "oct_key_length",
    "public_key_only",
    "wrong_key_type",
    "wrong_key_size",
    "symmetric_key",
];

/// The key errors that arise when the key file is loaded, before any blob is read. `verify` checks
/// each of its inputs on its own and exits 2 only for these; a key that loads but cannot open (a
/// public key) fails each input, exit 1.
const LOAD_ERRORS: [&str; 7] = [
    "key_too_small",
    "key_too_large",
    "invalid_key",
    "unsupported_key_type",
    "unsupported_key_alg",
    "wrong_key_use",
    "oct_key_length",
];

/// Runs blobtool with `stdin` as standard input: (exit code, stdout, stderr).
fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // blobtool may stop reading early (and close the pipe) on a bad input: ignore a broken pipe.
    let _ = pipe.write_all(stdin.as_bytes());
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code().expect("blobtool was killed by a signal"), text(out.stdout), text(out.stderr))
}

#[test]
fn the_cli_agrees_with_every_case() {
    let mut files: Vec<_> = std::fs::read_dir(Path::new(VECTORS).join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut inspected, mut opened, mut skipped, mut exit2) = (0, 0, 0, 0);
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        if case.get("limits").is_some() {
            skipped += 1;
            continue;
        }
        let blob = case["blob"].as_str().unwrap();
        let expected = &case["expected"];
        let valid = expected["result"] == "valid";
        let error = expected["error"].as_str().unwrap_or("");
        let parses = valid || expected["stage"] == "open";

        // inspect: exit 0 exactly when the blob parses; the report names the kind when it does not.
        let (code, stdout, stderr) = run(&["inspect", "--json"], blob);
        assert_eq!(code, if parses { 0 } else { 1 }, "{name}: inspect: {stderr}");
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{name}: inspect --json: {e}"));
        let errors: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        if parses {
            assert!(errors.is_empty(), "{name}: inspect reports {errors:?}");
            let header = &report["header"];
            assert!(header.is_array(), "{name}: inspect shows no header");
            if valid {
                // The header as inspect shows it: [[name, value], ...] in blob order.
                let shown: Vec<Value> = header.as_array().unwrap().iter().map(|m| m[0].clone()).collect();
                let want: Vec<Value> =
                    expected["header"].as_object().unwrap().keys().map(|k| Value::from(k.as_str())).collect();
                assert_eq!(shown, want, "{name}: inspect's header members");
            }
        } else {
            assert!(errors.contains(&error), "{name}: inspect reports {errors:?}, not {error}");
        }
        inspected += 1;

        // open and verify, with the case's key.
        let Some(key) = case.get("key").and_then(Value::as_str) else { continue };
        let key = format!("{VECTORS}/{key}");
        let allow: Vec<&str> = case
            .get("allow_algs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(allow.len() <= 1, "{name}: the CLI's --alg takes one algorithm");
        let mut key_args = vec!["--key", key.as_str()];
        if let Some(alg) = allow.first() {
            key_args.extend(["--alg", alg]);
        }
        let open_args: Vec<&str> = ["open", "--json", "--reveal"].into_iter().chain(key_args.iter().copied()).collect();
        let verify_args: Vec<&str> = ["verify"].into_iter().chain(key_args.iter().copied()).chain(["-"]).collect();
        let (code, stdout, stderr) = run(&open_args, blob);
        let (verify_code, _, verify_stderr) = run(&verify_args, blob);
        if valid {
            assert_eq!(code, 0, "{name}: open: {stderr}");
            let document: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{name}: open --json: {e}"));
            assert_eq!(document, expected["document"], "{name}: open --json --reveal");
            assert_eq!(verify_code, 0, "{name}: verify: {verify_stderr}");
        } else {
            let want = if KEY_ERRORS.contains(&error) { 2 } else { 1 };
            if want == 2 {
                exit2 += 1;
            }
            assert_eq!(code, want, "{name} ({error}): open: {stderr}");
            assert!(stdout.is_empty(), "{name}: nothing on stdout when open fails: {stdout}");
            assert!(stderr.starts_with("blobtool: error: "), "{name}: {stderr}");
            let want = if LOAD_ERRORS.contains(&error) { 2 } else { 1 };
            assert_eq!(verify_code, want, "{name} ({error}): verify: {verify_stderr}");
        }
        opened += 1;
    }
    eprintln!(
        "blobtool: {} cases: {inspected} through inspect, {opened} through open and verify ({exit2} key errors, \
         exit 2); {skipped} with limits skipped",
        files.len()
    );
    assert_eq!(inspected + skipped, files.len());
    assert!(inspected > 140 && opened > 100, "{inspected} inspected, {opened} opened");
    assert!(skipped >= 8 && exit2 >= 4, "{skipped} skipped, {exit2} exit-2 cases");
}
