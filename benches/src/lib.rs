//! Shared fixtures of the benchmarks and the report: documents of the measured sizes, keys, the
//! configurations measured, and the names under which criterion stores each measurement.
//!
//! The benchmark (`benches/blob.rs`) and the report (`src/bin/report.rs`) both take their lists from
//! here, so the report knows exactly which measurements to expect and prints `-` for any that are
//! missing.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{Alg, Enc};
use blob_seal::document::{Document, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::SealOptions;

/// TEST ONLY keys, from `test-vectors/keys/`.
const RSA_2048: &str = include_str!("../../test-vectors/keys/rsa-2048.pem");
const RSA_3072: &str = include_str!("../../test-vectors/keys/rsa-3072.pem");
const RSA_4096: &str = include_str!("../../test-vectors/keys/rsa-4096.pem");
const RSA_2048_PUB: &str = include_str!("../../test-vectors/keys/rsa-2048.pub.pem");
const RSA_3072_PUB: &str = include_str!("../../test-vectors/keys/rsa-3072.pub.pem");
const RSA_4096_PUB: &str = include_str!("../../test-vectors/keys/rsa-4096.pub.pem");

/// A document size measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Label used in benchmark ids, e.g. `5x4KiB`.
    pub label: &'static str,
    /// Number of versions.
    pub versions: usize,
    /// Bytes of each (binary) value.
    pub len: usize,
}

/// The document sizes measured, smallest first. The last is the service's maximum (20 x 64 KiB).
pub const SIZES: [Size; 4] = [
    Size { label: "1x256B", versions: 1, len: 256 },
    Size { label: "5x4KiB", versions: 5, len: 4 << 10 },
    Size { label: "20x32KiB", versions: 20, len: 32 << 10 },
    Size { label: "20x64KiB", versions: 20, len: 64 << 10 },
];

/// The sizes every secondary configuration (RSA-3072/4096, A256KW, A256GCM) is measured at.
pub const SECONDARY_SIZES: [Size; 2] = [SIZES[0], SIZES[3]];

impl Size {
    /// The document of this size.
    pub fn document(&self) -> Document {
        document(self.versions, self.len)
    }
}

/// A document of `versions` binary values of `len` bytes each, the last one `SYSCURRENT`.
pub fn document(versions: usize, len: usize) -> Document {
    let name = "bench-secret";
    let vs = (0..versions)
        .map(|i| {
            let value: Vec<u8> = (0..len).map(|j| (j * 31 + i * 7) as u8).collect();
            let v = Version::new(format!("v{}", i + 1), name, SecretValue::binary(value))
                .with_create_time(1_700_000_000_000);
            if i + 1 == versions {
                v.with_stages(["SYSCURRENT"])
            } else {
                v
            }
        })
        .collect();
    Document::new(Secret::new(name), vs)
}

/// A configuration measured: key management, content encryption, and the key.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Name used in benchmark ids, e.g. `rsa2048-a128cbc`.
    pub name: &'static str,
    /// Key management.
    pub alg: Alg,
    /// Content encryption.
    pub enc: Enc,
    /// RSA modulus bits, or 0 for AES key wrap.
    pub rsa_bits: u32,
}

/// The service's configuration (RSA-2048, A128CBC-HS256): measured at every size, with every operation.
pub const PRIMARY: Config =
    Config { name: "rsa2048-a128cbc", alg: Alg::RsaOaep256, enc: Enc::A128CbcHs256, rsa_bits: 2048 };

/// Every configuration, the service's first. The others are measured at [`SECONDARY_SIZES`], with
/// seal, seal_raw, open, open_raw and josekit's encrypt and decrypt.
pub const CONFIGS: [Config; 5] = [
    PRIMARY,
    Config { name: "rsa3072-a128cbc", alg: Alg::RsaOaep256, enc: Enc::A128CbcHs256, rsa_bits: 3072 },
    Config { name: "rsa4096-a128cbc", alg: Alg::RsaOaep256, enc: Enc::A128CbcHs256, rsa_bits: 4096 },
    Config { name: "a256kw-a128cbc", alg: Alg::A256Kw, enc: Enc::A128CbcHs256, rsa_bits: 0 },
    Config { name: "rsa2048-a256gcm", alg: Alg::RsaOaep256, enc: Enc::A256Gcm, rsa_bits: 2048 },
];

/// Operations of ours measured for every configuration.
pub const CORE_OPS: [&str; 4] = ["seal", "seal_raw", "open", "open_raw"];

/// Operations measured for the service's configuration only. `seal_raw_1t` is `seal_raw` with
/// [`SealOptions::parallel`] off: one thread, where `seal_raw` uses two from 256 KiB up.
pub const PRIMARY_OPS: [&str; 5] = ["seal_raw_1t", "verify", "rewrap", "parse", "inspect"];

/// The PEM (PKCS#8 private key) of an RSA test key of 2048, 3072 or 4096 bits.
pub fn rsa_pem(bits: u32) -> &'static str {
    match bits {
        3072 => RSA_3072,
        4096 => RSA_4096,
        _ => RSA_2048,
    }
}

/// The SPKI PEM of an RSA test key of 2048, 3072 or 4096 bits.
pub fn rsa_public_pem(bits: u32) -> &'static str {
    match bits {
        3072 => RSA_3072_PUB,
        4096 => RSA_4096_PUB,
        _ => RSA_2048_PUB,
    }
}

/// The fixed AES-256 key-encryption key of the A256KW benchmarks.
pub const KEK: [u8; 32] = [0x5a; 32];

impl Config {
    /// The key of this configuration (with a kid).
    pub fn key(&self) -> Key {
        let key = if self.rsa_bits == 0 {
            Key::from_oct(&KEK).unwrap()
        } else {
            Key::from_pem(rsa_pem(self.rsa_bits).as_bytes()).unwrap()
        };
        key.with_kid("bench")
    }

    /// Seal options of this configuration.
    pub fn options(&self) -> SealOptions {
        SealOptions { enc: self.enc, alg: Some(self.alg), ..SealOptions::default() }
    }

    /// Whether this is the service's configuration (every size, every operation).
    pub fn is_primary(&self) -> bool {
        self.name == PRIMARY.name
    }

    /// The sizes this configuration is measured at.
    pub fn sizes(&self) -> &'static [Size] {
        if self.is_primary() {
            &SIZES
        } else {
            &SECONDARY_SIZES
        }
    }

    /// Our operations measured for this configuration.
    pub fn ops(&self) -> Vec<&'static str> {
        let mut ops = CORE_OPS.to_vec();
        if self.is_primary() {
            ops.extend(PRIMARY_OPS);
        }
        ops
    }
}

/// The criterion group of an operation under a configuration: estimates are stored at
/// `target/criterion/<group>/<size label>/new/estimates.json`.
pub fn group(op: &str, config: &str) -> String {
    format!("{op}-{config}")
}

/// The criterion group of a floor primitive, e.g. `floor-aes128cbc-encrypt`.
pub fn floor_group(primitive: &str) -> String {
    format!("floor-{primitive}")
}
