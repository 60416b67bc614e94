//! Reads criterion's estimates and prints one table: median, throughput, ratio to the floor (the
//! raw primitives) and to josekit (the peer); the issue's targets with a verdict each; the OpenSSL
//! build; and the peak heap while sealing the largest document.
//!
//! ```text
//! cargo bench -p blob-benches
//! cargo run --release -p blob-benches --bin report
//! ```
//!
//! Estimates are read from `$CARGO_TARGET_DIR/criterion` (default `target/criterion` of the
//! workspace); a measurement that is missing prints as `-`. If a vendored-OpenSSL run exists in
//! `target-vendored/criterion` (or `$VENDORED_TARGET_DIR/criterion`), its RSA-3072 figures are
//! printed next to this build's.
//!
//! The peak heap is counted by `peak_alloc`'s global allocator (a shim over the system allocator
//! with two atomic counters), so this crate has no unsafe code of its own. It counts Rust
//! allocations only: OpenSSL's own `malloc`s (contexts, a few hundred bytes) are not seen.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};

use blob_benches::{floor_group, group, Config, Size, CONFIGS, PRIMARY, SIZES};
use peak_alloc::PeakAlloc;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// Criterion medians (ns) under one `criterion` directory.
struct Estimates {
    root: PathBuf,
}

impl Estimates {
    /// Median of `<group>/<id>` in nanoseconds, if it was measured.
    fn get(&self, group: &str, id: &str) -> Option<f64> {
        let path = self.root.join(group).join(id).join("new/estimates.json");
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
        v["median"]["point_estimate"].as_f64().filter(|t| *t > 0.0)
    }

    /// Median of one of our operations.
    fn op(&self, op: &str, config: &Config, size: &Size) -> Option<f64> {
        self.get(&group(op, config.name), size.label)
    }

    /// HMAC-SHA-256 over a size's ciphertext: the faster of the two ways measured.
    fn hmac(&self, size: &Size) -> Option<f64> {
        let a = self.get(&floor_group("hmac-sha256"), size.label);
        let b = self.get(&floor_group("hmac-sha256-signer"), size.label);
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Key management, wrap and unwrap of one CEK.
    fn key_management(&self, config: &Config) -> (Option<f64>, Option<f64>) {
        if config.rsa_bits > 0 {
            let g = floor_group(&format!("rsa{}", config.rsa_bits));
            (self.get(&g, "encrypt"), self.get(&g, "decrypt"))
        } else {
            let g = floor_group("a256kw");
            (self.get(&g, "wrap"), self.get(&g, "unwrap"))
        }
    }

    /// The floors of seal, open and rewrap at a size: sums of the primitives' medians.
    fn floors(&self, config: &Config, size: &Size) -> Floors {
        let label = size.label;
        let f = |p: &str| self.get(&floor_group(p), label);
        let (wrap, unwrap) = self.key_management(config);
        let (encode, decode) = (f("b64-encode"), f("b64-decode"));
        if config.enc.is_cbc_hmac() {
            let hmac = self.hmac(size);
            Floors {
                seal: sum(&[wrap, f("aes128cbc-encrypt"), hmac, encode]),
                open: sum(&[unwrap, decode, hmac, f("aes128cbc-decrypt")]),
                // Rewrap: unwrap, decode, verify the old tag, wrap, tag the new header.
                rewrap: sum(&[unwrap, decode, hmac, wrap, hmac]),
            }
        } else {
            Floors {
                seal: sum(&[wrap, f("aes256gcm-encrypt"), encode]),
                open: sum(&[unwrap, decode, f("aes256gcm-decrypt")]),
                rewrap: None,
            }
        }
    }
}

/// Floors of one configuration at one size, in ns.
struct Floors {
    seal: Option<f64>,
    open: Option<f64>,
    rewrap: Option<f64>,
}

fn sum(parts: &[Option<f64>]) -> Option<f64> {
    parts.iter().copied().sum()
}

fn fmt_time(ns: Option<f64>) -> String {
    let Some(ns) = ns else { return "-".into() };
    match ns.abs() {
        a if a >= 1e6 => format!("{:.2} ms", ns / 1e6),
        a if a >= 1e3 => format!("{:.1} µs", ns / 1e3),
        _ => format!("{ns:.0} ns"),
    }
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".into(), |r| format!("{r:.2}x"))
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// Throughput in MiB/s (or GiB/s above 1 GiB/s) of `bytes` in `ns`.
fn fmt_throughput(bytes: usize, ns: Option<f64>) -> String {
    match ns {
        None => "-".into(),
        Some(ns) => {
            let per_s = bytes as f64 / (ns / 1e9);
            if per_s >= (1u64 << 30) as f64 {
                format!("{:.2} GiB/s", per_s / (1u64 << 30) as f64)
            } else {
                format!("{:.0} MiB/s", per_s / (1u64 << 20) as f64)
            }
        }
    }
}

fn gib_per_s(bytes: usize, ns: Option<f64>) -> Option<f64> {
    ns.map(|ns| bytes as f64 / (ns / 1e9) / (1u64 << 30) as f64)
}

/// One target: what, measured value, bound, and whether it holds (`None`: not measured).
struct Target {
    what: String,
    measured: Option<f64>,
    unit: &'static str,
    bound: f64,
    at_most: bool,
    note: String,
}

impl Target {
    fn verdict(&self) -> &'static str {
        match self.measured {
            None => "not measured",
            Some(m) if (self.at_most && m <= self.bound) || (!self.at_most && m >= self.bound) => "ok",
            Some(_) => "MISSED",
        }
    }
}

fn main() {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let est = Estimates { root: target.join("criterion") };

    println!("OpenSSL: {}", openssl::version::version());
    if let Ok(cpu) = std::fs::read_to_string("/proc/cpuinfo") {
        let model = cpu.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).unwrap_or("?");
        let cores = cpu.lines().filter(|l| l.starts_with("processor")).count();
        println!("CPU: {} ({cores} logical cores)", model.trim());
    }
    println!("Estimates: {}", est.root.display());
    println!();
    println!("Medians of one run. Floor = sum of the raw primitives' medians (seal: key wrap + AES pass + HMAC +");
    println!("base64url encode; open: key unwrap + base64url decode + HMAC + AES pass). josekit is compared with");
    println!("josekit-seal for seal*, josekit-open for open*/verify. Throughput is over the blob's bytes.");
    println!();
    println!("| op | config | size | blob bytes | median | throughput | vs floor | vs josekit |");
    println!("|---|---|---|--:|--:|--:|--:|--:|");
    let mut blob_lens = Vec::new();
    for config in &CONFIGS {
        for size in config.sizes() {
            let blob = blob_seal::seal(&size.document(), &config.key(), &config.options()).unwrap();
            let n = blob.len();
            blob_lens.push((config.name, size.label, n));
            let floors = est.floors(config, size);
            let jose_seal = est.get(&group("josekit-seal", config.name), size.label);
            let jose_open = est.get(&group("josekit-open", config.name), size.label);
            for op in config.ops() {
                let (floor, peer) = match op {
                    "seal" | "seal_raw" | "seal_raw_1t" => (floors.seal, jose_seal),
                    "open" | "open_raw" | "verify" => (floors.open, jose_open),
                    "rewrap" => (floors.rewrap, None),
                    _ => (None, None),
                };
                let t = est.op(op, config, size);
                println!(
                    "| {op} | {} | {} | {n} | {} | {} | {} | {} |",
                    config.name,
                    size.label,
                    fmt_time(t),
                    fmt_throughput(n, t),
                    fmt_ratio(ratio(t, floor)),
                    fmt_ratio(ratio(t, peer))
                );
            }
            for (op, t, floor) in [("josekit seal", jose_seal, floors.seal), ("josekit open", jose_open, floors.open)] {
                println!(
                    "| {op} | {} | {} | {n} | {} | {} | {} | 1.00x |",
                    config.name,
                    size.label,
                    fmt_time(t),
                    fmt_throughput(n, t),
                    fmt_ratio(ratio(t, floor))
                );
            }
            for (op, t) in [("floor seal", floors.seal), ("floor open", floors.open)] {
                println!("| {op} | {} | {} | {n} | {} | | 1.00x | |", config.name, size.label, fmt_time(t));
            }
        }
    }

    println!();
    println!(
        "What the document layer adds (seal - seal_raw: validate + serialize; open - open_raw: parse + validate):"
    );
    println!();
    println!("| config | size | seal | seal_raw | adds | open | open_raw | adds |");
    println!("|---|---|--:|--:|--:|--:|--:|--:|");
    for config in &CONFIGS {
        for size in config.sizes() {
            let [seal, seal_raw, open, open_raw] =
                ["seal", "seal_raw", "open", "open_raw"].map(|op| est.op(op, config, size));
            let adds = |full: Option<f64>, raw: Option<f64>| match (full, raw) {
                (Some(f), Some(r)) => format!("{} ({:+.0}%)", fmt_time(Some(f - r)), (f / r - 1.0) * 100.0),
                _ => "-".into(),
            };
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                config.name,
                size.label,
                fmt_time(seal),
                fmt_time(seal_raw),
                adds(seal, seal_raw),
                fmt_time(open),
                fmt_time(open_raw),
                adds(open, open_raw)
            );
        }
    }

    println!();
    println!("Floor primitives:");
    println!();
    for bits in [2048, 3072, 4096] {
        let g = floor_group(&format!("rsa{bits}"));
        println!(
            "- RSA-{bits} OAEP-SHA256, one 32-byte CEK: encrypt {}, decrypt {}",
            fmt_time(est.get(&g, "encrypt")),
            fmt_time(est.get(&g, "decrypt"))
        );
    }
    let g = floor_group("rsa2048");
    println!(
        "- RSA-2048 with the context set up per call (not in the floor): encrypt {}, decrypt {}",
        fmt_time(est.get(&g, "encrypt-with-setup")),
        fmt_time(est.get(&g, "decrypt-with-setup"))
    );
    println!(
        "- Fresh CEK (32 B) and IV (16 B) from the CSPRNG (not in the floor): {}",
        fmt_time(est.get(&floor_group("rand"), "cek+iv"))
    );
    let g = floor_group("a256kw");
    println!(
        "- AES-256 key wrap, one 32-byte CEK: wrap {}, unwrap {}",
        fmt_time(est.get(&g, "wrap")),
        fmt_time(est.get(&g, "unwrap"))
    );
    println!();
    println!("| size | AES-128-CBC enc | AES-128-CBC dec | HMAC sha ipad/opad | HMAC PKey/Signer | b64url enc | b64url dec | AES-256-GCM enc | AES-256-GCM dec |");
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for size in &SIZES {
        let cells: Vec<String> = [
            "aes128cbc-encrypt",
            "aes128cbc-decrypt",
            "hmac-sha256",
            "hmac-sha256-signer",
            "b64-encode",
            "b64-decode",
            "aes256gcm-encrypt",
            "aes256gcm-decrypt",
        ]
        .iter()
        .map(|p| fmt_time(est.get(&floor_group(p), size.label)))
        .collect();
        println!("| {} | {} |", size.label, cells.join(" | "));
    }
    println!("(the floor uses the faster HMAC at each size)");

    // Where the time goes beyond the floor (service configuration), from measurements of this run:
    // parse is the format walk open_raw runs before decoding; zeroize-vec-drop is what dropping a
    // `Zeroizing<Vec<u8>>` of the plaintext's size costs (seal_raw drops its copy of the plaintext,
    // open_raw's caller drops the plaintext); fused = the same content primitives in one pass over
    // 48 KiB chunks (AES-CBC + HMAC + base64url encode; base64url decode + HMAC, then AES-CBC).
    println!();
    println!("Gap analysis ({}): the gap to the floor and measured candidates for it:", PRIMARY.name);
    println!();
    println!("| size | seal_raw - floor | open_raw - floor | parse | zeroize Vec drop | zeroize slice | separate seal passes | fused seal | separate open passes | fused open |");
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for size in &SIZES {
        let f = |p: &str| est.get(&floor_group(p), size.label);
        let floors = est.floors(&PRIMARY, size);
        let diff = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => fmt_time(Some(a - b)),
            _ => "-".into(),
        };
        let hmac = est.hmac(size);
        let seal_passes = sum(&[f("aes128cbc-encrypt"), hmac, f("b64-encode")]);
        let open_passes = sum(&[f("b64-decode"), hmac, f("aes128cbc-decrypt")]);
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            size.label,
            diff(est.op("seal_raw", &PRIMARY, size), floors.seal),
            diff(est.op("open_raw", &PRIMARY, size), floors.open),
            fmt_time(est.op("parse", &PRIMARY, size)),
            fmt_time(f("zeroize-vec-drop")),
            fmt_time(f("zeroize-slice")),
            fmt_time(seal_passes),
            fmt_time(f("fused-seal")),
            fmt_time(open_passes),
            fmt_time(f("fused-open")),
        );
    }

    // Peak heap while sealing (and, for information, opening) the largest document.
    let config = &PRIMARY;
    let size = &SIZES[3];
    let doc = size.document();
    let key = config.key();
    let options = config.options();
    let base = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let blob = blob_seal::seal(&doc, &key, &options).unwrap();
    let seal_peak = HEAP.peak_usage().saturating_sub(base);
    let base = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let opened = blob_seal::open(&blob, &key, &blob_seal::OpenOptions::default()).unwrap();
    let open_peak = HEAP.peak_usage().saturating_sub(base);
    assert_eq!(opened, doc);
    let mib = |b: usize| b as f64 / (1u64 << 20) as f64;
    let seal_x = seal_peak as f64 / blob.len() as f64;
    println!();
    println!(
        "Peak heap sealing {} ({}): {:.2} MiB above the document for a blob of {:.2} MiB = {:.2}x the blob",
        size.label,
        config.name,
        mib(seal_peak),
        mib(blob.len()),
        seal_x
    );
    println!(
        "Peak heap opening it (information): {:.2} MiB = {:.2}x the blob (the Document returned included)",
        mib(open_peak),
        open_peak as f64 / blob.len() as f64
    );

    // The issue's targets (RSA-2048 + A128CBC-HS256). The floor and josekit take serialized bytes,
    // so they are compared with seal_raw/open_raw; seal/open (document in/out) are shown for information.
    let mut targets = Vec::new();
    for size in &SIZES {
        let floors = est.floors(config, size);
        let jose_seal = est.get(&group("josekit-seal", config.name), size.label);
        let jose_open = est.get(&group("josekit-open", config.name), size.label);
        let [seal, seal_raw, open, open_raw] =
            ["seal", "seal_raw", "open", "open_raw"].map(|op| est.op(op, config, size));
        let info =
            |full: Option<f64>, base: Option<f64>, name: &str| format!("{name}: {}", fmt_ratio(ratio(full, base)));
        let bound = if size.label == "1x256B" { 1.15 } else { 1.05 };
        targets.push(Target {
            what: format!("seal_raw / floor, {}", size.label),
            measured: ratio(seal_raw, floors.seal),
            unit: "x",
            bound,
            at_most: true,
            note: info(seal, floors.seal, "seal"),
        });
        targets.push(Target {
            what: format!("open_raw / floor, {}", size.label),
            measured: ratio(open_raw, floors.open),
            unit: "x",
            bound: 1.05,
            at_most: true,
            note: info(open, floors.open, "open"),
        });
        targets.push(Target {
            what: format!("seal_raw / josekit, {}", size.label),
            measured: ratio(seal_raw, jose_seal),
            unit: "x",
            bound: 0.85,
            at_most: true,
            note: info(seal, jose_seal, "seal"),
        });
        let bound = if size.versions >= 20 { 0.6 } else { 1.0 };
        targets.push(Target {
            what: format!("open_raw / josekit, {}", size.label),
            measured: ratio(open_raw, jose_open),
            unit: "x",
            bound,
            at_most: true,
            note: info(open, jose_open, "open"),
        });
    }
    let largest = &SIZES[3];
    // Beyond the serial floor: AES on one thread, HMAC and base64url on another.
    let serial_floor = est.floors(config, largest).seal;
    targets.push(Target {
        what: format!("seal_raw (two threads) / serial floor, {}", largest.label),
        measured: ratio(est.op("seal_raw", config, largest), serial_floor),
        unit: "x",
        bound: 0.75,
        at_most: true,
        note: format!("one thread: {}", fmt_ratio(ratio(est.op("seal_raw_1t", config, largest), serial_floor))),
    });
    let n = blob_lens.iter().find(|(c, s, _)| *c == config.name && *s == largest.label).map_or(0, |(_, _, n)| *n);
    let parse = est.op("parse", config, largest);
    let inspect = est.op("inspect", config, largest);
    for (what, t) in
        [("parse", parse), ("inspect", inspect), ("parse + inspect (sum of times)", sum(&[parse, inspect]))]
    {
        targets.push(Target {
            what: format!("{what}, {}", largest.label),
            measured: gib_per_s(n, t),
            unit: " GiB/s",
            bound: 1.0,
            at_most: false,
            note: fmt_time(t),
        });
    }
    targets.push(Target {
        what: format!("peak heap sealing {} / blob size", largest.label),
        measured: Some(seal_x),
        unit: "x",
        bound: 3.0,
        at_most: true,
        note: format!("{:.2} MiB", mib(seal_peak)),
    });
    println!();
    println!("Targets ({}):", config.name);
    println!();
    println!("| target | measured | bound | verdict | also |");
    println!("|---|--:|--:|---|---|");
    for t in &targets {
        let measured = t.measured.map_or_else(|| "-".into(), |m| format!("{m:.2}{}", t.unit));
        let bound = format!("{} {:.2}{}", if t.at_most { "<=" } else { ">=" }, t.bound, t.unit);
        println!("| {} | {measured} | {bound} | {} | {} |", t.what, t.verdict(), t.note);
    }
    let missed = targets.iter().filter(|t| t.verdict() == "MISSED").count();
    let unmeasured = targets.iter().filter(|t| t.measured.is_none()).count();
    println!();
    println!(
        "{} targets: {} met, {missed} missed, {unmeasured} not measured",
        targets.len(),
        targets.len() - missed - unmeasured
    );

    // The vendored-OpenSSL build's RSA-3072 figures, if that run exists.
    let vendored = std::env::var_os("VENDORED_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target-vendored"));
    let vendored = Estimates { root: vendored.join("criterion") };
    if vendored.root != est.root && vendored.root.is_dir() {
        println!();
        println!(
            "RSA-3072 on both builds (this build: {}; vendored: {}):",
            openssl::version::version(),
            vendored.root.display()
        );
        println!();
        println!("| measurement | this build | vendored | vendored / this |");
        println!("|---|--:|--:|--:|");
        let rsa3072 = CONFIGS.iter().find(|c| c.rsa_bits == 3072).unwrap_or(&PRIMARY);
        let mut rows: Vec<(String, String, String)> =
            vec![(floor_group("rsa3072"), "decrypt".into(), "floor RSA-3072 decrypt".into())];
        for size in rsa3072.sizes() {
            for op in ["open", "open_raw"] {
                rows.push((
                    group(op, rsa3072.name),
                    size.label.into(),
                    format!("{op} {} {}", rsa3072.name, size.label),
                ));
            }
        }
        for (g, id, what) in rows {
            let (a, b) = (est.get(&g, &id), vendored.get(&g, &id));
            println!("| {what} | {} | {} | {} |", fmt_time(a), fmt_time(b), fmt_ratio(ratio(b, a)));
        }
    }
}
