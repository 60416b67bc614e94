//! The operations: seal, open, verify, rewrap, reseal; and the two-phase forms for a key that
//! lives in a KMS or HSM.

use blob_format::{Alg, Blob, DeferredCiphertext, Enc, ErrorKind, Header, Limits, Part, WriteOptions};
use zeroize::Zeroizing;

use crate::content::{self, SecretBytes};
use crate::document::{Document, DocumentLimits, VersionSummary};
use crate::keys::Key;
use crate::pipeline::{self, Seal};
use crate::{CryptoError, Error};

/// How to seal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealOptions {
    /// Content encryption. Default A128CBC-HS256, the service's.
    pub enc: Enc,
    /// Key management. Default: the key's own ([`Key::default_alg`]); it must be one the key allows.
    pub alg: Option<Alg>,
    /// Key id written into the header. Default: the key's `kid`. A blob is never sealed without one.
    pub kid: Option<String>,
    /// Marker and prefix. Default: `)` and the long prefix, as the service writes.
    pub write: WriteOptions,
    /// Limits the document must satisfy.
    pub limits: DocumentLimits,
    /// Whether a large CBC-HMAC seal (a document of 256 KiB or more) may use a second thread, which
    /// authenticates and encodes the ciphertext while later pieces are still being encrypted: a
    /// little over half the time on two idle cores, and the same bytes. Default `true`; it only
    /// takes effect when the process may use two cores. Turn it off where a library must not start
    /// threads of its own.
    pub parallel: bool,
}

impl Default for SealOptions {
    fn default() -> SealOptions {
        SealOptions {
            enc: Enc::A128CbcHs256,
            alg: None,
            kid: None,
            write: WriteOptions::default(),
            limits: DocumentLimits::DEFAULT,
            parallel: true,
        }
    }
}

/// How to open: the limits an untrusted blob must satisfy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenOptions {
    /// Input, header: checked before anything is decoded.
    pub format: Limits,
    /// Document: its size (also the bound on the decrypted plaintext, checked against the
    /// ciphertext's length before decoding), nesting, versions, values.
    pub document: DocumentLimits,
    /// Whether [`open`], [`open_raw`], [`verify`] and [`reseal`] may decode a large ciphertext
    /// (256 KiB or more) on a second thread while this one runs the RSA decryption of the content
    /// key. The second thread sees only the ciphertext's text; the tag is still verified before
    /// anything is decrypted, and the results and errors are the same. Default `true`; it only
    /// takes effect when the process may use two cores.
    pub parallel: bool,
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions { format: Limits::DEFAULT, document: DocumentLimits::DEFAULT, parallel: true }
    }
}

/// What `verify` tells about a blob that opens: everything but the secret values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The header's key id.
    pub kid: Option<String>,
    /// Key management.
    pub alg: Alg,
    /// Content encryption.
    pub enc: Enc,
    /// The secret's name.
    pub name: String,
    /// Each version: id, stages, times, kind and size.
    pub versions: Vec<VersionSummary>,
}

// ---------------------------------------------------------------------------------------------
// Sealing

/// Seals `document` under a content key wrapped by `key`.
///
/// The document is validated first; a fresh CEK and IV come from the OS CSPRNG for every call.
/// Returns the blob text (no envelope; see [`blob_format::to_json_body`]).
pub fn seal(document: &Document, key: &Key, options: &SealOptions) -> Result<String, Error> {
    // Refuse a missing kid and a key/alg mismatch before any work.
    let (alg, kid) = target(key, options.alg, options.kid.as_deref())?;
    let sealing = Sealing::new(document, options)?;
    let encrypted_key = key.wrap_cek(alg, sealing.cek())?;
    sealing.finish(alg, &kid, &encrypted_key)
}

/// Seals raw plaintext bytes, not validated as a document: for conformance runs and benchmarks
/// that compare the JWE layer alone. Servers use [`seal`].
pub fn seal_raw(plaintext: &[u8], key: &Key, options: &SealOptions) -> Result<String, Error> {
    let (alg, kid) = target(key, options.alg, options.kid.as_deref())?;
    // The plaintext is the caller's: encrypt from it directly rather than copy it.
    let cek = content::generate_cek(options.enc)?;
    let encrypted_key = key.wrap_cek(alg, &cek)?;
    finish(plaintext, &cek, Settings::of(options), alg, &kid, &encrypted_key)
}

/// Phase one of sealing with an external key (KMS, HSM): holds the serialized document and a
/// fresh content key until the caller returns the wrapped key.
///
/// ```
/// use blob_seal::{document::*, Sealing, SealOptions};
/// # fn kms_wrap(cek: &[u8]) -> Vec<u8> { blob_seal::wrap::aes_kw_wrap(blob_format::Alg::A256Kw, &[7; 32], cek).unwrap() }
/// let doc = Document::new(Secret::new("db-password"),
///     vec![Version::new("v1", "db-password", SecretValue::string("hunter2")).with_stages(["SYSCURRENT"])]);
/// let sealing = Sealing::new(&doc, &SealOptions::default())?;
/// let wrapped = kms_wrap(sealing.cek());             // the KMS call: any transport, sync or async
/// let blob = sealing.finish(blob_format::Alg::A256Kw, "kms-key-1", &wrapped)?;
/// assert!(blob.starts_with(")CloudSecretManagementBackupV1.huaweicloud.com"));
/// # Ok::<(), blob_seal::Error>(())
/// ```
pub struct Sealing {
    /// Wiped on drop by the fast path (see [`SecretBytes`]).
    plaintext: SecretBytes,
    cek: Zeroizing<Vec<u8>>,
    settings: Settings,
}

/// What phase two of a seal needs from [`SealOptions`].
#[derive(Clone, Copy, Debug)]
struct Settings {
    enc: Enc,
    write: WriteOptions,
    parallel: bool,
}

impl Settings {
    fn of(options: &SealOptions) -> Settings {
        Settings { enc: options.enc, write: options.write, parallel: options.parallel }
    }
}

impl std::fmt::Debug for Sealing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealing")
            .field("enc", &self.settings.enc)
            .field("plaintext", &format_args!("<redacted, {} bytes>", self.plaintext.len()))
            .field("cek", &format_args!("<redacted>"))
            .finish()
    }
}

impl Sealing {
    /// Validates and serializes `document` and draws a fresh content key for `options.enc`.
    pub fn new(document: &Document, options: &SealOptions) -> Result<Sealing, Error> {
        document.validate(&options.limits)?;
        let plaintext = document.to_json();
        // `validate` cannot see the serialized size or item count; a blob we seal must open under
        // the same limits, so the bounds open checks first are checked on what we would encrypt.
        crate::document::check_bounds(&plaintext, &options.limits)?;
        Sealing::from_plaintext(plaintext, options)
    }

    fn from_plaintext(plaintext: Zeroizing<Vec<u8>>, options: &SealOptions) -> Result<Sealing, Error> {
        let cek = content::generate_cek(options.enc)?;
        Ok(Sealing { plaintext: SecretBytes::from(plaintext), cek, settings: Settings::of(options) })
    }

    /// The content key to wrap. Hand it to the KMS and nowhere else; it is zeroized on drop.
    pub fn cek(&self) -> &[u8] {
        &self.cek
    }

    /// The content encryption the key is for.
    pub fn enc(&self) -> Enc {
        self.settings.enc
    }

    /// Phase two: writes the header (`kid`, `enc`, `alg`), encrypts under a fresh IV and
    /// assembles the blob. `kid` must not be empty; `encrypted_key` must have a length `alg` can
    /// produce; the header must fit [`Limits::DEFAULT`] (a `kid` of some 3000 characters does
    /// not), so that every blob sealed here can be opened with the default limits.
    pub fn finish(self, alg: Alg, kid: &str, encrypted_key: &[u8]) -> Result<String, Error> {
        finish(&self.plaintext, &self.cek, self.settings, alg, kid, encrypted_key)
    }
}

/// Phase two of every seal: header, fresh IV, encryption, blob.
fn finish(
    plaintext: &[u8],
    cek: &[u8],
    settings: Settings,
    alg: Alg,
    kid: &str,
    encrypted_key: &[u8],
) -> Result<String, Error> {
    let Settings { enc, write, parallel } = settings;
    if kid.is_empty() {
        return Err(Error::MissingKid);
    }
    check_encrypted_key_len(alg, enc, encrypted_key.len())?;
    let header = Header::new(alg, enc).with_kid(kid).encode();
    check_header_len(&write, &header, &Limits::DEFAULT)?;
    let iv = content::generate_iv(enc)?;
    let seal = Seal { enc, cek, iv: &iv, header: &header, encrypted_key, write: &write };
    Ok(seal.blob(plaintext, parallel)?)
}

/// The `alg` and `kid` to seal (or rewrap) under `key`, checked before any work: an explicit
/// `alg` or the key's default, which the key must allow; an explicit `kid` or the key's, not empty.
fn target(key: &Key, alg: Option<Alg>, kid: Option<&str>) -> Result<(Alg, String), Error> {
    let alg = alg.unwrap_or_else(|| key.default_alg());
    let kid = kid.or(key.kid()).filter(|kid| !kid.is_empty()).ok_or(Error::MissingKid)?;
    check_alg(key, alg)?;
    Ok((alg, kid.to_owned()))
}

/// Refuses a header that a reader with `limits` would refuse, so we never write such a blob.
fn check_header_len(write: &WriteOptions, header: &str, limits: &Limits) -> Result<(), Error> {
    if header.len() <= limits.max_header_len {
        return Ok(());
    }
    let offset = 1 + write.prefix.as_str().len();
    let kind = ErrorKind::HeaderTooLarge { len: header.len(), max: limits.max_header_len };
    Err(Error::Format(blob_format::Error { kind, part: Part::Header, offset }))
}

/// Refuses an algorithm the key is not pinned to, before any work: the header never chooses alone.
fn check_alg(key: &Key, alg: Alg) -> Result<(), Error> {
    if key.allows(alg) {
        Ok(())
    } else {
        Err(Error::Key(crate::KeyError::AlgNotAllowed { alg, allowed: key.allowed_algs() }))
    }
}

/// An encrypted key `parse` would refuse is refused here, so we never write such a blob.
fn check_encrypted_key_len(alg: Alg, enc: Enc, len: usize) -> Result<(), Error> {
    let ok = match alg.kek_len() {
        Some(_) => len == enc.cek_len() + 8,
        None => (256..=1024).contains(&len),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::EncryptedKeyLength { alg, len })
    }
}

// ---------------------------------------------------------------------------------------------
// Opening

/// A parsed blob ready to open: phase one of opening, for a key in a KMS or HSM, and the common
/// path of [`open`].
///
/// ```
/// # use blob_seal::{document::*, Sealing, SealOptions, Opening, OpenOptions};
/// # let kek = [7u8; 32];
/// # let doc = Document::new(Secret::new("s"), vec![Version::new("v1", "s", SecretValue::string("x"))]);
/// # let sealing = Sealing::new(&doc, &SealOptions::default())?;
/// # let wrapped = blob_seal::wrap::aes_kw_wrap(blob_format::Alg::A256Kw, &kek, sealing.cek()).unwrap();
/// # let blob = sealing.finish(blob_format::Alg::A256Kw, "kms-key-1", &wrapped)?;
/// let opening = Opening::parse(&blob, &OpenOptions::default())?;
/// assert_eq!(opening.kid(), Some("kms-key-1"));
/// // The KMS call, with the kid, alg and encrypted key the blob names:
/// let cek = blob_seal::wrap::aes_kw_unwrap(opening.alg(), &kek, &opening.encrypted_key(), opening.enc().cek_len());
/// let document = opening.finish(&cek.unwrap_or_default())?;
/// assert_eq!(document.versions.len(), 1);
/// # Ok::<(), blob_seal::Error>(())
/// ```
#[derive(Clone)]
pub struct Opening<'a> {
    blob: Blob<'a>,
    /// The decoded ciphertext (not secret): decoding it is how the parse checks its text.
    ciphertext: Vec<u8>,
    options: OpenOptions,
}

impl std::fmt::Debug for Opening<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opening")
            .field("blob", &self.blob)
            .field("ciphertext", &format_args!("<{} bytes>", self.ciphertext.len()))
            .field("options", &self.options)
            .finish()
    }
}

impl<'a> Opening<'a> {
    /// Parses the input (bare blob or API JSON body) and checks the plaintext limit against the
    /// ciphertext length, before anything is decrypted; then decodes the ciphertext.
    ///
    /// The checks and errors are exactly [`blob_format::parse_with`]'s, then the plaintext bound.
    /// The ciphertext's text is checked by the strict decoder as it is decoded rather than by a
    /// separate scan first ([`blob_format::parse_deferring_ciphertext`]), with the same error.
    pub fn parse(input: &'a str, options: &OpenOptions) -> Result<Opening<'a>, Error> {
        let (blob, ciphertext) = Opening::bounded(input, options)?.decode_ciphertext()?;
        Ok(Opening { blob, ciphertext, options: *options })
    }

    /// The parse up to the ciphertext's text, and the plaintext bound.
    fn bounded(input: &'a str, options: &OpenOptions) -> Result<DeferredCiphertext<'a>, Error> {
        let deferred = blob_format::parse_deferring_ciphertext(input, &options.format)?;
        let max = options.document.max_document_len;
        // CBC adds 1 to 16 bytes of padding; GCM none.
        let len = deferred.ciphertext_decoded_len();
        let padding = if deferred.header().enc().is_cbc_hmac() { 16 } else { 0 };
        if len > max.saturating_add(padding) {
            // A format error comes first, as from `parse_with`; the ciphertext is not decoded.
            deferred.check()?;
            return Err(Error::PlaintextTooLarge { len, max });
        }
        Ok(deferred)
    }

    /// The parsed blob.
    pub fn blob(&self) -> &Blob<'a> {
        &self.blob
    }

    /// The header's key id: which key to ask the KMS for.
    pub fn kid(&self) -> Option<&str> {
        self.blob.header().kid()
    }

    /// Key management named by the header. Check it against what the key may do before use: never
    /// let the header alone choose the algorithm.
    pub fn alg(&self) -> Alg {
        self.blob.header().alg()
    }

    /// Content encryption named by the header.
    pub fn enc(&self) -> Enc {
        self.blob.header().enc()
    }

    /// The encrypted key, decoded.
    pub fn encrypted_key(&self) -> Vec<u8> {
        self.blob.encrypted_key().decode()
    }

    /// Unwraps the content key with `key`: the kid check, the algorithm pin, then the unwrap
    /// (which for RSA never fails early: see [`crate::wrap::rsa_unwrap`]). A failed AES key
    /// unwrap is the same [`CryptoError::DecryptionFailed`] value as a failed tag check.
    pub fn unwrap_cek(&self, key: &Key) -> Result<Zeroizing<Vec<u8>>, Error> {
        unwrap_cek(self.blob.header(), &self.encrypted_key(), key)
    }

    /// Phase two: verifies the tag and decrypts with the content key, then parses and validates
    /// the document. A content key of the wrong length fails exactly like a wrong one.
    pub fn finish(&self, cek: &[u8]) -> Result<Document, Error> {
        let plaintext = self.finish_raw(cek)?;
        Ok(Document::from_json(&plaintext, &self.options.document)?)
    }

    /// Like [`Opening::finish`], but returns the plaintext bytes without reading them as a
    /// document: for blobs of other writers and conformance runs.
    ///
    /// The plaintext comes back as [`SecretBytes`], wiped on drop (see there why not as a
    /// `Zeroizing<Vec<u8>>`; [`SecretBytes::into_zeroizing`] converts without a copy).
    pub fn finish_raw(&self, cek: &[u8]) -> Result<SecretBytes, Error> {
        if cek.len() != self.enc().cek_len() {
            return Err(Error::Crypto(CryptoError::DecryptionFailed));
        }
        let blob = &self.blob;
        let plaintext =
            content::decrypt(self.enc(), cek, &blob.iv().decode(), blob.aad(), &self.ciphertext, &blob.tag().decode())?;
        Ok(plaintext)
    }
}

/// Opens a blob (bare or in an API JSON body) with `key` and returns the validated document.
///
/// Checks, in order, before any decryption: format and limits, the plaintext bound, the kid (a
/// mismatch is its own error), the key's algorithm pin. Then the unwrap and the tag. A wrong key
/// and a tampered blob give the same error.
pub fn open(input: &str, key: &Key, options: &OpenOptions) -> Result<Document, Error> {
    let (opening, cek) = parse_and_unwrap(input, key, options)?;
    opening.finish(&cek)
}

/// Opens and returns the plaintext bytes without reading them as a document (see
/// [`Opening::finish_raw`]), in a buffer wiped on drop.
pub fn open_raw(input: &str, key: &Key, options: &OpenOptions) -> Result<SecretBytes, Error> {
    let (opening, cek) = parse_and_unwrap(input, key, options)?;
    opening.finish_raw(&cek)
}

/// The kid check, the algorithm pin and the unwrap, from the header and the encrypted key.
fn unwrap_cek(header: &Header, encrypted_key: &[u8], key: &Key) -> Result<Zeroizing<Vec<u8>>, Error> {
    if let (Some(blob), Some(mine)) = (header.kid(), key.kid()) {
        if blob != mine {
            return Err(Error::KidMismatch { blob: blob.to_owned(), key: mine.to_owned() });
        }
    }
    check_alg(key, header.alg())?;
    key.unwrap_cek(header.alg(), encrypted_key, header.enc().cek_len()).map_err(|e| {
        // One "does not open" value, whichever step found it.
        if e.is_decryption_failed() {
            Error::Crypto(CryptoError::DecryptionFailed)
        } else {
            Error::Key(e)
        }
    })
}

/// [`Opening::parse`] then [`Opening::unwrap_cek`], as the one-shot operations run them; but for a
/// large ciphertext under an RSA key, the ciphertext is decoded on a second thread while this one
/// runs the RSA decryption. The outcome is the sequence's: a format error first, then the unwrap's.
fn parse_and_unwrap<'a>(
    input: &'a str,
    key: &Key,
    options: &OpenOptions,
) -> Result<(Opening<'a>, Zeroizing<Vec<u8>>), Error> {
    let deferred = Opening::bounded(input, options)?;
    let header = deferred.header().clone();
    if options.parallel && header.alg().is_rsa() && deferred.ciphertext_decoded_len() >= pipeline::MIN_LEN {
        let encrypted_key = deferred.encrypted_key().decode();
        let (decoded, cek) = pipeline::decode_during(deferred, || unwrap_cek(&header, &encrypted_key, key));
        let (blob, ciphertext) = decoded?;
        return Ok((Opening { blob, ciphertext, options: *options }, cek?));
    }
    let (blob, ciphertext) = deferred.decode_ciphertext()?;
    let opening = Opening { blob, ciphertext, options: *options };
    let cek = opening.unwrap_cek(key)?;
    Ok((opening, cek))
}

/// Checks that a blob opens and summarises it, values left out.
pub fn verify(input: &str, key: &Key, options: &OpenOptions) -> Result<Summary, Error> {
    let (opening, cek) = parse_and_unwrap(input, key, options)?;
    let document = opening.finish(&cek)?;
    Ok(Summary {
        kid: opening.kid().map(str::to_owned),
        alg: opening.alg(),
        enc: opening.enc(),
        name: document.secret.name.clone(),
        versions: document.summary(),
    })
}

// ---------------------------------------------------------------------------------------------
// Rotation

/// How to rewrap or reseal.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RotateOptions {
    /// Key management under the new key. Default: the new key's own.
    pub alg: Option<Alg>,
    /// Key id for the new header. Default: the new key's `kid`.
    pub kid: Option<String>,
    /// For `reseal` only: content encryption of the new blob. Default: the old blob's.
    pub enc: Option<Enc>,
    /// Limits for reading the old blob.
    pub open: OpenOptions,
}

/// Moves a blob to a new wrapping key: key **rotation**.
///
/// The content key stays. For CBC-HMAC the secret values are never decrypted: the old tag is
/// verified, the content key is wrapped under `new`, and a new tag is computed over the new header
/// with the same IV and ciphertext. For GCM (whose tag cannot be recomputed without decrypting)
/// the plaintext is decrypted and encrypted again under the same content key with a fresh IV.
/// The marker, prefix and other header members are kept; `alg` and `kid` are the new key's.
///
/// Use [`reseal`] instead after a suspected **compromise**: whoever had the old key may have the
/// content key, and rewrap keeps it.
///
/// The new key's `alg` and `kid` are checked before the old blob is touched; the new header
/// must fit `options.open.format` (the limits the blob was read with).
pub fn rewrap(input: &str, old: &Key, new: &Key, options: &RotateOptions) -> Result<String, Error> {
    let (alg, kid) = target(new, options.alg, options.kid.as_deref())?;
    let opening = Opening::parse(input, &options.open)?;
    let blob = opening.blob();
    let write = WriteOptions { marker: blob.marker(), prefix: blob.prefix() };
    let header = blob.header().clone().with_alg(alg).with_kid(kid).encode();
    check_header_len(&write, &header, &options.open.format)?;
    let cek = opening.unwrap_cek(old)?;
    let enc = opening.enc();
    let (iv, ciphertext, tag) = (blob.iv().decode(), &opening.ciphertext, blob.tag().decode());
    if enc.is_cbc_hmac() {
        content::verify_cbc_hmac_tag(enc, &cek, blob.aad(), &iv, ciphertext, &tag)?;
        let encrypted_key = new.wrap_cek(alg, &cek)?;
        check_encrypted_key_len(alg, enc, encrypted_key.len())?;
        let tag = content::cbc_hmac_tag(enc, &cek, header.as_bytes(), &iv, ciphertext)?;
        Ok(assemble_reusing(&write, &header, &encrypted_key, blob, &tag))
    } else {
        let plaintext = content::decrypt(enc, &cek, &iv, blob.aad(), ciphertext, &tag)?;
        let encrypted_key = new.wrap_cek(alg, &cek)?;
        check_encrypted_key_len(alg, enc, encrypted_key.len())?;
        let iv = content::generate_iv(enc)?;
        let seal = Seal { enc, cek: &cek, iv: &iv, header: &header, encrypted_key: &encrypted_key, write: &write };
        // GCM: the one-thread path (only CBC-HMAC is pipelined).
        Ok(seal.blob(&plaintext, false)?)
    }
}

/// Writes a rewrapped CBC blob, copying the IV and ciphertext text as they stand.
fn assemble_reusing(write: &WriteOptions, header: &str, encrypted_key: &[u8], old: &Blob<'_>, tag: &[u8]) -> String {
    let (iv, ciphertext) = (old.iv().as_str(), old.ciphertext().as_str());
    let mut out = String::with_capacity(old.as_str().len() + header.len() + 2 * encrypted_key.len());
    write.write_prefix(&mut out);
    out.push_str(header);
    out.push('.');
    out.push_str(&blob_format::base64url_encode(encrypted_key));
    for part in [iv, ciphertext] {
        out.push('.');
        out.push_str(part);
    }
    out.push('.');
    out.push_str(&blob_format::base64url_encode(tag));
    out
}

/// Opens a blob and seals its document again under `new` with a fresh content key and IV:
/// the operation after a suspected key **compromise** (see [`rewrap`] for plain rotation).
pub fn reseal(input: &str, old: &Key, new: &Key, options: &RotateOptions) -> Result<String, Error> {
    // The new key's alg and kid first: nothing is decrypted for a rotation that cannot finish.
    target(new, options.alg, options.kid.as_deref())?;
    let (opening, cek) = parse_and_unwrap(input, old, &options.open)?;
    let document = opening.finish(&cek)?;
    let blob = opening.blob();
    let seal_options = SealOptions {
        enc: options.enc.unwrap_or_else(|| opening.enc()),
        alg: options.alg,
        kid: options.kid.clone(),
        write: WriteOptions { marker: blob.marker(), prefix: blob.prefix() },
        limits: options.open.document,
        ..SealOptions::default()
    };
    seal(&document, new, &seal_options)
}
