//! Inspects a blob file (or the published example) and prints the report.
//!
//! `cargo run -p blob-format --example inspect -- [FILE]`
#![allow(missing_docs)]

fn main() -> std::io::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/samples/huawei/api-page-example-long-prefix.json")
            .into()
    });
    let input = std::fs::read(&path)?;
    let text = String::from_utf8_lossy(&input);
    let report = blob_format::inspect(&text);
    print!("{report}");
    std::process::exit(if report.is_well_formed() { 0 } else { 1 })
}
