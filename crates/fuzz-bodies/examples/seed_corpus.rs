//! Seeds `fuzz/corpus/<target>/` from `test-vectors/`: a few inputs per target, small enough to
//! commit. `cargo run -p fuzz-bodies --example seed_corpus [TARGET]` (all targets, or only TARGET)
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::Path;

use serde_json::Value;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = root.join("fuzz/corpus");
    let mut cases: Vec<Value> = Vec::new();
    let mut files: Vec<_> =
        std::fs::read_dir(root.join("test-vectors/cases")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files {
        cases.push(serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap());
    }
    let small: Vec<&Value> = cases.iter().filter(|c| c["blob"].as_str().unwrap().len() < 4000).step_by(2).collect();
    let only = std::env::args().nth(1);
    let put = |target: &str, name: String, bytes: &[u8]| {
        if only.as_deref().is_some_and(|o| o != target) {
            return;
        }
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    for (i, c) in small.iter().enumerate() {
        let blob = c["blob"].as_str().unwrap();
        for t in ["parse", "inspect", "envelope"] {
            put(t, format!("case-{i:03}"), blob.as_bytes());
        }
        // Blobs the fixed fuzz keys can open are not seeds for `open`, whose invariant is that
        // nothing opens.
        let (rsa, kw) = fuzz_bodies::keys();
        let opens = [rsa, kw].iter().any(|k| blob_seal::open_raw(blob, k, &blob_seal::OpenOptions::default()).is_ok());
        if let (false, Some(jwe)) = (opens, blob.split_once("huaweicloud.com").map(|(_, j)| j)) {
            put("open", format!("case-{i:03}"), jwe.as_bytes());
        }
        if let Some(doc) = c["expected"].get("document") {
            put("document", format!("case-{i:03}"), doc.to_string().as_bytes());
        }
    }
    for sample in ["huawei/api-explorer-example-short-prefix.txt", "azure/azure-secret-restspec-7.4.b64url"] {
        let bytes = std::fs::read(root.join("test-vectors/samples").join(sample)).unwrap();
        let name = sample.replace('/', "-");
        for t in ["parse", "inspect", "envelope"] {
            put(t, name.clone(), &bytes);
        }
    }
    for (i, h) in [
        fuzz_bodies::service_header_json(),
        r#"{"alg":"A128KW","enc":"A128GCM","kid":"k","x":[1,{"y":null}]}"#.to_owned(),
        r#"{"alg":"A128KW","alg":"RSA-OAEP-256","enc":"A128GCM"}"#.to_owned(),
        r#"{"alg":"A128KW","enc":"A128GCM","zip":"DEF","crit":["exp"]}"#.to_owned(),
        r#"{"alg":"A128KW","enc":"A128GCM","n":1e400,"s":"\ud800"}"#.to_owned(),
    ]
    .iter()
    .enumerate()
    {
        put("header", format!("header-{i}"), h.as_bytes());
    }
    // `mutate_valid` reads a `fuzz_bodies::Case` through `arbitrary`: keep the first two of a fixed
    // sequence of byte strings that decode to each kind of mutation.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut kept: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for _ in 0..4096 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = 6 + (state % 40) as usize;
        let bytes: Vec<u8> = (0..len).map(|i| (state >> ((i % 8) * 8)) as u8 ^ (i as u8).wrapping_mul(37)).collect();
        let Ok(case) =
            <fuzz_bodies::Case as arbitrary::Arbitrary>::arbitrary_take_rest(arbitrary::Unstructured::new(&bytes))
        else {
            continue;
        };
        let kind: String = format!("{:?}", case.mutation).chars().take_while(|c| c.is_alphanumeric()).collect();
        let n = kept.entry(kind.clone()).or_default();
        if *n < 2 {
            put("mutate_valid", format!("{}-{n}", kind.to_lowercase()), &bytes);
            *n += 1;
        }
    }
    assert_eq!(kept.len(), 8, "every kind of mutation seeded: {kept:?}");
    println!("seeded {}", corpus.display());
}
