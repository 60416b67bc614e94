//! Reads criterion's estimates and prints one table: median, throughput, ratio to the floor (the
//! raw primitives) and to josekit (the peer), with the targets; plus the OpenSSL build and
//! the peak heap while sealing the largest document.
//!
//! `cargo bench -p blob-benches && cargo run --release -p blob-benches --bin report`
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};

use blob_benches::{document, group, CONFIGS, SIZES};
use peak_alloc::PeakAlloc;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// Median of a benchmark in nanoseconds, if it was run.
fn median(root: &Path, group: &str, id: &str) -> Option<f64> {
    let path = root.join(group).join(id).join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn fmt_time(ns: Option<f64>) -> String {
    match ns {
        None => "-".into(),
        Some(ns) if ns >= 1e6 => format!("{:.2} ms", ns / 1e6),
        Some(ns) => format!("{:.1} µs", ns / 1e3),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "-".into(),
    }
}

fn sum(parts: &[Option<f64>]) -> Option<f64> {
    parts.iter().copied().sum()
}

fn main() {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let root = target.join("criterion");
    let m = |g: &str, id: &str| median(&root, g, id);

    println!("OpenSSL: {}", openssl::version::version());
    if let Ok(cpu) = std::fs::read_to_string("/proc/cpuinfo") {
        let model = cpu.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).unwrap_or("?");
        let cores = cpu.lines().filter(|l| l.starts_with("processor")).count();
        println!("CPU: {} ({cores} cores)", model.trim());
    }
    println!();
    println!("| op | config | size | blob bytes | median | throughput | vs floor | vs josekit |");
    println!("|---|---|---|--:|--:|--:|--:|--:|");
    for config in &CONFIGS {
        for (label, versions, len) in SIZES {
            let doc = document(versions, len);
            let blob = blob_seal::seal(&doc, &config.key(), &config.options()).unwrap();
            let n = blob.len() as f64;
            let rsa = (config.rsa_bits > 0).then(|| format!("floor-rsa{}", config.rsa_bits));
            let rsa_enc = rsa.as_deref().and_then(|g| m(g, "encrypt"));
            let rsa_dec = rsa.as_deref().and_then(|g| m(g, "decrypt"));
            let hmac = match (m("floor-hmac-sha256", label), m("floor-hmac-sha256-signer", label)) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let (seal_floor, open_floor) = if config.enc.is_cbc_hmac() {
                (
                    sum(&[rsa_enc, m("floor-aes128cbc-encrypt", label), hmac, m("floor-b64-encode", label)]),
                    sum(&[rsa_dec, m("floor-b64-decode", label), hmac, m("floor-aes128cbc-decrypt", label)]),
                )
            } else {
                (
                    sum(&[rsa_enc, m("floor-aes256gcm-encrypt", label), m("floor-b64-encode", label)]),
                    sum(&[rsa_dec, m("floor-b64-decode", label), m("floor-aes256gcm-decrypt", label)]),
                )
            };
            let jose_seal = m(&group("josekit-seal", config.name), label);
            let jose_open = m(&group("josekit-open", config.name), label);
            for (op, floor, peer) in [
                ("seal", seal_floor, jose_seal),
                ("seal_raw", seal_floor, jose_seal),
                ("open", open_floor, jose_open),
                ("open_raw", open_floor, jose_open),
                ("verify", open_floor, jose_open),
                ("rewrap", None, None),
                ("parse", None, None),
                ("inspect", None, None),
            ] {
                let Some(t) = m(&group(op, config.name), label) else { continue };
                let throughput = format!("{:.0} MiB/s", n / (t / 1e9) / (1 << 20) as f64);
                println!(
                    "| {op} | {} | {label} | {} | {} | {throughput} | {} | {} |",
                    config.name,
                    blob.len(),
                    fmt_time(Some(t)),
                    ratio(Some(t), floor),
                    ratio(Some(t), peer)
                );
            }
            if let (Some(p), Some(i)) =
                (m(&group("parse", config.name), label), m(&group("inspect", config.name), label))
            {
                println!(
                    "| parse+inspect | {} | {label} | {} | {} | {:.2} GiB/s | | |",
                    config.name,
                    blob.len(),
                    fmt_time(Some(p + i)),
                    n / ((p + i) / 1e9) / (1u64 << 30) as f64
                );
            }
            if config.rsa_bits == 2048 && config.enc.is_cbc_hmac() {
                println!("| floor seal | {} | {label} | | {} | | | |", config.name, fmt_time(seal_floor));
                println!("| floor open | {} | {label} | | {} | | | |", config.name, fmt_time(open_floor));
            }
        }
    }
    println!();
    for bits in [2048, 3072, 4096] {
        let g = format!("floor-rsa{bits}");
        println!(
            "RSA-{bits} OAEP-SHA256: encrypt {}, decrypt {}",
            fmt_time(m(&g, "encrypt")),
            fmt_time(m(&g, "decrypt"))
        );
    }
    for label in ["1x256B", "20x64KiB"] {
        println!(
            "HMAC-SHA256 {label}: openssl::sha {} vs PKey/Signer {}",
            fmt_time(m("floor-hmac-sha256", label)),
            fmt_time(m("floor-hmac-sha256-signer", label))
        );
    }

    // Peak heap while sealing the largest document, against the blob's size.
    let config = &CONFIGS[0];
    let (label, versions, len) = SIZES[3];
    let doc = document(versions, len);
    let key = config.key();
    let options = config.options();
    let base = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let blob = blob_seal::seal(&doc, &key, &options).unwrap();
    let peak = HEAP.peak_usage().saturating_sub(base);
    println!(
        "\nPeak heap sealing {label} ({}): {:.2} MiB for a blob of {:.2} MiB = {:.2}x the blob (target <= 3x)",
        config.name,
        peak as f64 / (1 << 20) as f64,
        blob.len() as f64 / (1 << 20) as f64,
        peak as f64 / blob.len() as f64
    );
}
