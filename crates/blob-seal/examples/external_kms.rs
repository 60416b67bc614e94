//! Sealing and opening with a key that never leaves a KMS, through the two-phase API.
//!
//! The stand-in KMS below works like Huawei KMS's data-key calls: the caller hands it a content key
//! and a key id, it answers with the wrapped key (and the reverse). A real one is an HTTP call, sync
//! or async; the library does no I/O, so it fits either way.
//!
//! `cargo run -p blob-seal --example external_kms`
#![allow(missing_docs)]

use std::collections::HashMap;

use blob_format::Alg;
use blob_seal::document::{Document, Secret, SecretValue, Version};
use blob_seal::{wrap, OpenOptions, Opening, SealOptions, Sealing};

/// A stand-in KMS holding AES-256 key-encryption keys by id.
struct Kms {
    keys: HashMap<String, [u8; 32]>,
}

#[derive(Debug)]
struct KmsError(String);

impl Kms {
    /// Wraps a data key under the KMS key `kid`; answers the algorithm it used and the wrapped key.
    fn encrypt_data_key(&self, kid: &str, plain: &[u8]) -> Result<(Alg, Vec<u8>), KmsError> {
        let kek = self.keys.get(kid).ok_or_else(|| KmsError(format!("no key {kid}")))?;
        let wrapped = wrap::aes_kw_wrap(Alg::A256Kw, kek, plain).map_err(|e| KmsError(e.to_string()))?;
        Ok((Alg::A256Kw, wrapped))
    }

    /// Unwraps a data key. The KMS, not the blob, decides which algorithms its keys serve.
    fn decrypt_data_key(&self, kid: &str, alg: Alg, wrapped: &[u8], len: usize) -> Result<Vec<u8>, KmsError> {
        if alg != Alg::A256Kw {
            return Err(KmsError(format!("key {kid} does not serve {alg}")));
        }
        let kek = self.keys.get(kid).ok_or_else(|| KmsError(format!("no key {kid}")))?;
        let cek = wrap::aes_kw_unwrap(alg, kek, wrapped, len).map_err(|e| KmsError(e.to_string()))?;
        Ok(cek.to_vec())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut kek = [0u8; 32];
    openssl::rand::rand_bytes(&mut kek)?;
    let kms = Kms { keys: HashMap::from([("kms-key-2026".to_owned(), kek)]) };

    let document = Document::new(
        Secret::new("payments-api-token"),
        vec![
            Version::new("v1", "payments-api-token", SecretValue::string("tok_old")).with_stages(["SYSPREVIOUS"]),
            Version::new("v2", "payments-api-token", SecretValue::string("tok_new")).with_stages(["SYSCURRENT"]),
        ],
    );

    // Phase one: validate and serialize the document, draw a fresh content key.
    let sealing = Sealing::new(&document, &SealOptions::default())?;
    // The KMS call: only the content key leaves the process.
    let (alg, wrapped) = kms.encrypt_data_key("kms-key-2026", sealing.cek()).map_err(|e| e.0)?;
    // Phase two: header, encryption, blob.
    let blob = sealing.finish(alg, "kms-key-2026", &wrapped)?;
    println!(
        "sealed {} versions into a blob of {} characters ({alg}, kid kms-key-2026)",
        document.versions.len(),
        blob.len()
    );

    // Opening: the blob names kid, alg and the encrypted key; the KMS returns the content key.
    let opening = Opening::parse(&blob, &OpenOptions::default())?;
    let kid = opening.kid().ok_or("the blob has no kid")?;
    let cek =
        kms.decrypt_data_key(kid, opening.alg(), &opening.encrypted_key(), opening.enc().cek_len()).map_err(|e| e.0)?;
    let opened = opening.finish(&cek)?;
    println!("opened with {kid}: {} versions, identical: {}", opened.versions.len(), opened == document);
    if opened != document {
        return Err("round trip changed the document".into());
    }
    Ok(())
}
