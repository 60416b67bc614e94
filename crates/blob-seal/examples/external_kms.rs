//! Sealing and opening backups with keys that never leave a KMS, through the two-phase API.
//!
//! The stand-in KMS below works the way Huawei KMS's data-key API does: the caller hands it a data
//! key (our content key, the CEK) and the id of a KMS key, and gets back the wrapped key and the
//! algorithm used (`encrypt_data_key`); later it hands back the kid, the algorithm and the wrapped key
//! and gets the data key (`decrypt_data_key`). A real KMS is an HTTP call, synchronous or not; the
//! library does no I/O, so either fits between the two phases.
//!
//! The stand-in holds one AES-256 key (A256KW) and one RSA-2048 key (RSA-OAEP-256), both made
//! fresh for this run. Nothing secret is printed: only kids, algorithms, sizes and version
//! metadata.
//!
//! `cargo run -p blob-seal --example external_kms`

use std::collections::HashMap;
use std::fmt;

use blob_format::Alg;
use blob_seal::document::{Document, Secret, SecretValue, Version};
use blob_seal::{content, wrap, OpenOptions, Opening, SealOptions, Sealing};
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use zeroize::Zeroizing;

/// A key held inside the stand-in KMS.
enum KmsKey {
    /// An AES-256 key-encryption key: data keys are wrapped with A256KW.
    Aes(Zeroizing<Vec<u8>>),
    /// An RSA private key: data keys are wrapped with RSA-OAEP-256.
    Rsa(PKey<Private>),
}

/// What the KMS answers when it cannot do what was asked.
#[derive(Debug)]
struct KmsError(String);

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KMS: {}", self.0)
    }
}

impl std::error::Error for KmsError {}

/// The stand-in KMS: keys by id, used only through the two data-key calls.
struct StandInKms {
    keys: HashMap<String, KmsKey>,
}

impl StandInKms {
    /// A KMS with one fresh AES-256 key and one fresh RSA-2048 key.
    fn new() -> Result<StandInKms, Box<dyn std::error::Error>> {
        let mut aes = Zeroizing::new(vec![0u8; 32]);
        openssl::rand::rand_priv_bytes(&mut aes)?;
        let rsa = PKey::from_rsa(Rsa::generate(2048)?)?;
        let keys = HashMap::from([
            ("kms-aes-2026".to_owned(), KmsKey::Aes(aes)),
            ("kms-rsa-2026".to_owned(), KmsKey::Rsa(rsa)),
        ]);
        Ok(StandInKms { keys })
    }

    fn key(&self, kid: &str) -> Result<&KmsKey, KmsError> {
        self.keys.get(kid).ok_or_else(|| KmsError(format!("no key with id {kid:?}")))
    }

    /// Wraps a data key under the KMS key `kid`; answers the algorithm it used and the wrapped key.
    fn encrypt_data_key(&self, kid: &str, data_key: &[u8]) -> Result<(Alg, Vec<u8>), KmsError> {
        let fail = |e: blob_seal::CryptoError| KmsError(e.to_string());
        match self.key(kid)? {
            KmsKey::Aes(kek) => Ok((Alg::A256Kw, wrap::aes_kw_wrap(Alg::A256Kw, kek, data_key).map_err(fail)?)),
            KmsKey::Rsa(pkey) => Ok((Alg::RsaOaep256, wrap::rsa_wrap(pkey, Alg::RsaOaep256, data_key).map_err(fail)?)),
        }
    }

    /// Unwraps a data key. The KMS, not the blob, decides which algorithm each of its keys serves:
    /// an `alg` that does not match the key is refused.
    fn decrypt_data_key(&self, kid: &str, alg: Alg, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        let refused = || KmsError(format!("key {kid:?} does not serve {alg}"));
        let failed = || KmsError("the wrapped key does not decrypt under this key".to_owned());
        match self.key(kid)? {
            KmsKey::Aes(kek) if alg == Alg::A256Kw => {
                let len = wrapped.len().checked_sub(8).ok_or_else(failed)?;
                wrap::aes_kw_unwrap(alg, kek, wrapped, len).map_err(|_| failed())
            }
            KmsKey::Rsa(pkey) if alg == Alg::RsaOaep256 => rsa_oaep_256_decrypt(pkey, wrapped).ok_or_else(failed),
            _ => Err(refused()),
        }
    }
}

/// RSA-OAEP-256 decryption as a KMS does it: the plaintext of whatever length, or a failure.
fn rsa_oaep_256_decrypt(pkey: &PKey<Private>, wrapped: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    use openssl::hash::MessageDigest;
    let mut decrypter = openssl::encrypt::Decrypter::new(pkey).ok()?;
    decrypter.set_rsa_padding(openssl::rsa::Padding::PKCS1_OAEP).ok()?;
    decrypter.set_rsa_oaep_md(MessageDigest::sha256()).ok()?;
    decrypter.set_rsa_mgf1_md(MessageDigest::sha256()).ok()?;
    let mut out = Zeroizing::new(vec![0u8; decrypter.decrypt_len(wrapped).ok()?]);
    let n = decrypter.decrypt(wrapped, &mut out).ok()?;
    out.truncate(n);
    Some(out)
}

/// The backup to seal: a secret and both of its versions.
fn backup() -> Document {
    let name = "payments-api-token";
    let mut secret = Secret::new(name);
    secret.description = Some("token for the payments API".into());
    Document::new(
        secret,
        vec![
            Version::new("v1", name, SecretValue::string("tok_live_old_do_not_print"))
                .with_stages(["SYSPREVIOUS"])
                .with_create_time(1_767_225_600_000),
            Version::new("v2", name, SecretValue::binary(vec![0x5e; 48]))
                .with_stages(["SYSCURRENT"])
                .with_create_time(1_769_904_000_000),
        ],
    )
}

/// Phase one and two of sealing, with the KMS call between them.
fn seal_with_kms(kms: &StandInKms, kid: &str, document: &Document) -> Result<String, Box<dyn std::error::Error>> {
    // Phase one: validate and serialize the document, draw a fresh content key (and nothing else).
    let sealing = Sealing::new(document, &SealOptions::default())?;
    // The KMS call: only the content key leaves the process, and only to the KMS.
    let (alg, wrapped) = kms.encrypt_data_key(kid, sealing.cek())?;
    println!(
        "  KMS wrapped a {}-byte content key under {kid} with {alg}: {} bytes",
        sealing.cek().len(),
        wrapped.len()
    );
    // Phase two: the header names kid, enc and alg; a fresh IV; encrypt; assemble.
    Ok(sealing.finish(alg, kid, &wrapped)?)
}

/// Phase one and two of opening, with the KMS call between them.
fn open_with_kms(kms: &StandInKms, blob: &str) -> Result<Document, Box<dyn std::error::Error>> {
    // Phase one: parse the blob and check the limits; nothing is decrypted yet.
    let opening = Opening::parse(blob, &OpenOptions::default())?;
    let kid = opening.kid().ok_or("the blob names no key")?;
    let wrapped = opening.encrypted_key();
    println!(
        "  the blob asks for key {kid} ({}, {}), wrapped key of {} bytes",
        opening.alg(),
        opening.enc(),
        wrapped.len()
    );
    // The KMS call. If the KMS refuses the wrapped key, go on with a random content key: the tag
    // check then fails with the same error as any other tampering, so an attacker learns nothing
    // from which step failed (RFC 7516 section 11.5). A KMS that is down is another matter: a
    // transport error is reported as such, not hidden.
    let cek = match kms.decrypt_data_key(kid, opening.alg(), &wrapped) {
        Ok(cek) => cek,
        Err(e) => {
            println!("  (demo log, never told to a client) {e}; continuing with a random content key");
            content::generate_cek(opening.enc())?
        }
    };
    // Phase two: verify the tag, decrypt, parse and validate the document.
    Ok(opening.finish(&cek)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let kms = StandInKms::new()?;
    let document = backup();
    println!("backup of secret {:?}: {} versions (values not shown)", document.secret.name, document.versions.len());

    for kid in ["kms-aes-2026", "kms-rsa-2026"] {
        println!("\nsealing with {kid}");
        let blob = seal_with_kms(&kms, kid, &document)?;
        let parsed = blob_format::parse(&blob)?;
        let header = String::from_utf8(parsed.header_segment().decode())?;
        println!("  blob of {} characters, header {header}", blob.len());
        println!("  API body: {} characters", blob_format::to_json_body(&blob).len());

        println!("opening");
        let opened = open_with_kms(&kms, &blob)?;
        for v in opened.summary() {
            println!("  version {} {:?}: {} value of {} bytes", v.id, v.stages, v.kind, v.size);
        }
        if opened != document {
            return Err("the round trip changed the document".into());
        }
        println!("  the opened backup equals the sealed one");

        // A blob altered in transit: one character of the ciphertext changed.
        let at = parsed.ciphertext().offset() + 10;
        let mut altered = blob.clone().into_bytes();
        if let Some(c) = altered.get_mut(at) {
            *c = if *c == b'A' { b'B' } else { b'A' };
        }
        let altered = String::from_utf8(altered)?;
        println!("opening a blob with one ciphertext character changed");
        match open_with_kms(&kms, &altered) {
            Ok(_) => return Err("an altered blob opened".into()),
            Err(e) => println!("  refused: {e}"),
        }
    }

    // Another KMS with a key of the same id but other bytes: the unwrap fails, and the blob is
    // refused with the same error as an altered one.
    println!("\nopening a blob sealed by another KMS under a key of the same id");
    let other = StandInKms::new()?;
    let foreign = seal_with_kms(&other, "kms-aes-2026", &document)?;
    match open_with_kms(&kms, &foreign) {
        Ok(_) => return Err("a blob of another KMS opened".into()),
        Err(e) => println!("  refused: {e}"),
    }
    println!("\ndone: sealed and opened with both KMS keys; altered and foreign blobs refused");
    Ok(())
}
