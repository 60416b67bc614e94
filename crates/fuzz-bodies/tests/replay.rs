//! Replays every corpus file and every saved crash input through the fuzz target bodies, on stable
//! and in CI: a fixed crash stays fixed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::Path;

#[test]
fn replay_corpus_and_regressions() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut total = 0;
    for (target, body) in fuzz_bodies::TARGETS {
        let mut replayed = 0;
        for dir in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else { continue };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.is_file() && !path.file_name().unwrap().to_string_lossy().starts_with('.') {
                    body(&std::fs::read(&path).unwrap());
                    replayed += 1;
                }
            }
        }
        eprintln!("{target}: {replayed} inputs replayed");
        assert!(replayed > 0, "no corpus for {target}");
        total += replayed;
    }
    assert!(total >= 7);
}
