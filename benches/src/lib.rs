//! Shared fixtures of the benchmarks and the report: documents of the measured sizes, keys, and the
//! names under which criterion stores each measurement.
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

/// The document sizes measured: (label, versions, bytes per value).
pub const SIZES: [(&str, usize, usize); 4] =
    [("1x256B", 1, 256), ("5x4KiB", 5, 4096), ("20x32KiB", 20, 32 << 10), ("20x64KiB", 20, 64 << 10)];

/// A document of `versions` binary values of `len` bytes each (the service's maximum is 20 x 64 KiB).
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

/// Every configuration; the first is the service's (RSA-2048, A128CBC-HS256) and is measured at every size.
pub const CONFIGS: [Config; 5] = [
    Config { name: "rsa2048-a128cbc", alg: Alg::RsaOaep256, enc: Enc::A128CbcHs256, rsa_bits: 2048 },
    Config { name: "rsa3072-a128cbc", alg: Alg::RsaOaep256, enc: Enc::A128CbcHs256, rsa_bits: 3072 },
    Config { name: "rsa4096-a128cbc", alg: Alg::RsaOaep256, enc: Enc::A128CbcHs256, rsa_bits: 4096 },
    Config { name: "a256kw-a128cbc", alg: Alg::A256Kw, enc: Enc::A128CbcHs256, rsa_bits: 0 },
    Config { name: "rsa2048-a256gcm", alg: Alg::RsaOaep256, enc: Enc::A256Gcm, rsa_bits: 2048 },
];

/// The PEM of an RSA test key.
pub fn rsa_pem(bits: u32) -> &'static str {
    match bits {
        3072 => RSA_3072,
        4096 => RSA_4096,
        _ => RSA_2048,
    }
}

/// The SPKI PEM of the RSA-2048 test key.
pub fn rsa_2048_public_pem() -> &'static str {
    RSA_2048_PUB
}

/// The fixed AES-256 key-encryption key of the benchmarks.
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
}

/// Where criterion stores a benchmark's estimates: `target/criterion/<group>/<param>/new/estimates.json`.
pub fn group(op: &str, config: &str) -> String {
    format!("{op}-{config}")
}
