//! Runs every case of `test-vectors/cases/` through the built `blobtool` (`inspect`, and `open
//! --json --reveal` when the case names a key), so the CLI and the library cannot drift apart.
//! Cases with `limits` are the library runner's only: the CLI has no limit options.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_blobtool");
const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors");

/// Key problems are usage errors (exit 2); everything else that fails is a failed check (exit 1).
const KEY_ERRORS: [&str; 3] = ["key_too_small", "public_key_only", "invalid_key"];

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code().unwrap(), text(out.stdout), text(out.stderr))
}

#[test]
fn the_cli_agrees_with_every_case() {
    let mut files: Vec<_> = std::fs::read_dir(format!("{VECTORS}/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut inspected, mut opened) = (0, 0);
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        if case.get("limits").is_some() {
            continue;
        }
        let blob = case["blob"].as_str().unwrap();
        let expected = &case["expected"];
        let valid = expected["result"] == "valid";
        let error = expected["error"].as_str().unwrap_or("");
        // inspect: exit 0 exactly when the blob is well formed.
        let well_formed = blob_format::parse(blob).is_ok();
        let (code, _, _) = run(&["inspect"], blob);
        assert_eq!(code, if well_formed { 0 } else { 1 }, "{name}: inspect");
        inspected += 1;
        // open, with the case's key.
        let Some(key) = case.get("key").and_then(Value::as_str) else { continue };
        let key = format!("{VECTORS}/{key}");
        let mut args = vec!["open", "--json", "--reveal", "--key", key.as_str()];
        if let Some(alg) = case.get("allow_algs").and_then(|a| a[0].as_str()) {
            args.extend(["--alg", alg]);
        }
        let (code, stdout, stderr) = run(&args, blob);
        if valid {
            assert_eq!(code, 0, "{name}: {stderr}");
            assert_eq!(serde_json::from_str::<Value>(&stdout).unwrap(), expected["document"], "{name}");
        } else {
            let want = if KEY_ERRORS.contains(&error) { 2 } else { 1 };
            assert_eq!(code, want, "{name} ({error}): {stderr}");
            assert!(stdout.is_empty(), "{name}: nothing on stdout on failure");
            assert!(stderr.starts_with("blobtool: error: "), "{name}: {stderr}");
        }
        opened += 1;
    }
    eprintln!("blobtool ran {inspected} cases through inspect and {opened} through open");
    assert!(inspected >= 90 && opened >= 75, "{inspected} inspected, {opened} opened");
}
