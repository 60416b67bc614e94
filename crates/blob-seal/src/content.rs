//! Content encryption (`enc`): AES-CBC + HMAC-SHA-2 (RFC 7518 section 5.2) and AES-GCM (section 5.3).
//!
//! AES comes from OpenSSL. The CBC-HMAC composition is ours, as RFC 7518 section 5.2.2 writes it:
//! `MAC_KEY` is the first half of the content key and `ENC_KEY` the second; `M = HMAC(MAC_KEY, A || IV || E ||
//! AL)` with `AL` the AAD length in bits as a 64-bit big-endian number; the tag is the first half of `M`.
//! HMAC (RFC 2104) is computed here over OpenSSL's SHA-2 because OpenSSL 3.0's `EVP_MAC`/`PKey` HMAC costs
//! several microseconds of fixed set-up per call; the key pads live in zeroizing buffers.
//!
//! Decryption checks every length first (so OpenSSL never sees a bad one), then verifies the tag in constant
//! time **before** any decryption. Every failure after the length checks is the single
//! [`CryptoError::DecryptionFailed`]: a bad tag and bad padding under a good tag cannot be told apart.

use std::os::raw::c_int;
use std::sync::OnceLock;

use blob_format::Enc;
use openssl::cipher::{Cipher, CipherRef};
use openssl::cipher_ctx::CipherCtx;
use openssl::sha::{Sha256, Sha384, Sha512};
use zeroize::{Zeroize, Zeroizing};

use crate::error::CryptoError;

/// AES block size in bytes (CBC ciphertexts are a multiple of it).
pub(crate) const BLOCK: usize = 16;

/// Secret bytes (a decrypted plaintext) in a buffer that is wiped when dropped: its bytes and its spare
/// capacity.
///
/// Not `Zeroizing<Vec<u8>>`, because zeroize's impl for `Vec<u8>` (1.9) wipes the elements one volatile
/// write at a time: about 210 µs for 1.75 MB here, where its `[u8]` impl (and the one for the spare capacity)
/// is a `memset` followed by an optimisation barrier, about 12 µs. The wipe is the same: every byte of the
/// allocation is zeroed before it is freed. The buffer cannot grow (there is no mutable access to the `Vec`),
/// so no reallocation leaves a copy behind.
///
/// Reads as a `&[u8]` (`Deref`, [`SecretBytes::as_slice`]); [`SecretBytes::into_zeroizing`] hands the same
/// buffer over, without a copy, to code that wants a `Zeroizing<Vec<u8>>`. `Debug` shows the length only.
#[derive(Clone, Default)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// `len` zero bytes, to be written in place.
    fn zeroed(len: usize) -> SecretBytes {
        SecretBytes(vec![0u8; len])
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, writable in place (the length cannot change).
    fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.0
    }

    /// Keeps the first `len` bytes; the rest stays in the allocation, which is wiped whole on drop.
    fn truncate(&mut self, len: usize) {
        self.0.truncate(len);
    }

    /// The same buffer as a `Zeroizing<Vec<u8>>` (no copy; its drop is then zeroize's slower `Vec` wipe).
    pub fn into_zeroizing(mut self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(std::mem::take(&mut self.0))
    }
}

impl From<Zeroizing<Vec<u8>>> for SecretBytes {
    /// Takes over the buffer (no copy).
    fn from(mut bytes: Zeroizing<Vec<u8>>) -> SecretBytes {
        SecretBytes(std::mem::take(&mut *bytes))
    }
}

impl From<Vec<u8>> for SecretBytes {
    /// Takes over the buffer (no copy).
    fn from(bytes: Vec<u8>) -> SecretBytes {
        SecretBytes(bytes)
    }
}

impl std::ops::Deref for SecretBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for SecretBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Zeroize for SecretBytes {
    /// Zeroes the bytes and the spare capacity, then empties the buffer (keeping its allocation).
    fn zeroize(&mut self) {
        self.0.as_mut_slice().zeroize();
        self.0.spare_capacity_mut().zeroize();
        self.0.clear();
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for SecretBytes {}

impl PartialEq for SecretBytes {
    /// Constant time in the contents (the lengths are compared first, publicly).
    fn eq(&self, other: &SecretBytes) -> bool {
        self.0.len() == other.0.len() && openssl::memcmp::eq(&self.0, &other.0)
    }
}

impl Eq for SecretBytes {}

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretBytes(<redacted, {} bytes>)", self.0.len())
    }
}

/// The output of [`encrypt`]: ciphertext and authentication tag, the fourth and fifth JWE segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// The ciphertext (for CBC, PKCS#7-padded to a multiple of 16 bytes; for GCM, as long as the plaintext).
    pub ciphertext: Vec<u8>,
    /// The authentication tag, [`Enc::tag_len`] bytes.
    pub tag: Vec<u8>,
}

/// Encrypts `plaintext` under `cek` and `iv`, authenticating `aad` (the ASCII of the protected header segment).
///
/// `cek` must be [`Enc::cek_len`] bytes and `iv` [`Enc::iv_len`] bytes; anything else is an error, never a
/// panic. The caller supplies a fresh CEK and IV for every seal ([`generate_cek`], [`generate_iv`]).
pub fn encrypt(enc: Enc, cek: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Sealed, CryptoError> {
    check_cek(enc, cek)?;
    check_iv(enc, iv)?;
    check_len("plaintext", plaintext)?;
    check_aad_len(aad)?;
    if enc.is_cbc_hmac() {
        let (mac_key, enc_key) = split_cek(enc, cek)?;
        let ciphertext = cbc_encrypt(cbc_cipher(enc), enc_key, iv, plaintext)?;
        let tag = hmac_tag(enc, mac_key, aad, iv, &ciphertext)?;
        Ok(Sealed { ciphertext, tag })
    } else {
        gcm_encrypt(enc, cek, iv, aad, plaintext)
    }
}

/// Verifies the tag and decrypts; the plaintext comes back in a buffer wiped on drop ([`SecretBytes`]).
///
/// Lengths of `cek`, `iv` and `tag` are checked first (the tag must be exactly [`Enc::tag_len`] bytes: truncated
/// tags are refused), then for CBC that the ciphertext is a positive multiple of 16 bytes. For CBC-HMAC the tag is
/// then verified in constant time before any decryption. After the length checks every failure is
/// [`CryptoError::DecryptionFailed`].
pub fn decrypt(
    enc: Enc,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<SecretBytes, CryptoError> {
    check_cek(enc, cek)?;
    check_iv(enc, iv)?;
    check_tag(enc, tag)?;
    check_ciphertext(enc, ciphertext)?;
    check_aad_len(aad)?;
    if enc.is_cbc_hmac() {
        let (mac_key, enc_key) = split_cek(enc, cek)?;
        verify_tag(enc, mac_key, aad, iv, ciphertext, tag)?;
        cbc_decrypt(cbc_cipher(enc), enc_key, iv, ciphertext).map_err(|_| CryptoError::DecryptionFailed)
    } else {
        gcm_decrypt(enc, cek, iv, aad, ciphertext, tag)
    }
}

/// Computes the CBC-HMAC authentication tag of a ciphertext, without decrypting it.
///
/// Used by `rewrap`, which moves a blob to a new header (new wrapping key) and must re-tag the unchanged
/// ciphertext. `enc` must be a CBC-HMAC algorithm.
pub fn cbc_hmac_tag(enc: Enc, cek: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    check_cbc_hmac(enc)?;
    check_cek(enc, cek)?;
    check_iv(enc, iv)?;
    check_ciphertext(enc, ciphertext)?;
    check_aad_len(aad)?;
    let (mac_key, _) = split_cek(enc, cek)?;
    hmac_tag(enc, mac_key, aad, iv, ciphertext)
}

/// Verifies a CBC-HMAC authentication tag in constant time, without decrypting.
///
/// `rewrap` verifies the old tag with this before re-tagging. Length errors are reported as such; a tag that
/// does not match is [`CryptoError::DecryptionFailed`], the same value [`decrypt`] returns.
pub fn verify_cbc_hmac_tag(
    enc: Enc,
    cek: &[u8],
    aad: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<(), CryptoError> {
    check_cbc_hmac(enc)?;
    check_cek(enc, cek)?;
    check_iv(enc, iv)?;
    check_tag(enc, tag)?;
    check_ciphertext(enc, ciphertext)?;
    check_aad_len(aad)?;
    let (mac_key, _) = split_cek(enc, cek)?;
    verify_tag(enc, mac_key, aad, iv, ciphertext, tag)
}

/// A fresh random content-encryption key of [`Enc::cek_len`] bytes from OpenSSL's CSPRNG (seeded by the OS).
pub fn generate_cek(enc: Enc) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let mut cek = Zeroizing::new(vec![0u8; enc.cek_len()]);
    openssl::rand::rand_priv_bytes(&mut cek).map_err(|_| CryptoError::Rng)?;
    Ok(cek)
}

/// A fresh random IV of [`Enc::iv_len`] bytes from OpenSSL's CSPRNG; never reuse one.
pub fn generate_iv(enc: Enc) -> Result<Vec<u8>, CryptoError> {
    let mut iv = vec![0u8; enc.iv_len()];
    openssl::rand::rand_bytes(&mut iv).map_err(|_| CryptoError::Rng)?;
    Ok(iv)
}

// ---------------------------------------------------------------------------------------------------------------
// Length checks

pub(crate) fn check_cek(enc: Enc, cek: &[u8]) -> Result<(), CryptoError> {
    if cek.len() == enc.cek_len() {
        Ok(())
    } else {
        Err(CryptoError::CekLength { enc, expected: enc.cek_len(), actual: cek.len() })
    }
}

pub(crate) fn check_iv(enc: Enc, iv: &[u8]) -> Result<(), CryptoError> {
    if iv.len() == enc.iv_len() {
        Ok(())
    } else {
        Err(CryptoError::IvLength { enc, expected: enc.iv_len(), actual: iv.len() })
    }
}

fn check_tag(enc: Enc, tag: &[u8]) -> Result<(), CryptoError> {
    if tag.len() == enc.tag_len() {
        Ok(())
    } else {
        Err(CryptoError::TagLength { enc, expected: enc.tag_len(), actual: tag.len() })
    }
}

fn check_ciphertext(enc: Enc, ciphertext: &[u8]) -> Result<(), CryptoError> {
    check_len("ciphertext", ciphertext)?;
    if enc.is_cbc_hmac() && (ciphertext.is_empty() || ciphertext.len() % BLOCK != 0) {
        return Err(CryptoError::CiphertextLength { enc, actual: ciphertext.len() });
    }
    Ok(())
}

fn check_cbc_hmac(enc: Enc) -> Result<(), CryptoError> {
    if enc.is_cbc_hmac() {
        Ok(())
    } else {
        Err(CryptoError::WrongAlgorithm { name: enc.name(), operation: "a CBC-HMAC tag" })
    }
}

/// OpenSSL takes lengths as C `int` and the `openssl` crate panics beyond that: refuse first, with room for
/// one block of padding.
pub(crate) fn check_len(what: &'static str, data: &[u8]) -> Result<(), CryptoError> {
    let max = usize::try_from(c_int::MAX).unwrap_or(usize::MAX).saturating_sub(2 * BLOCK);
    if data.len() <= max {
        Ok(())
    } else {
        Err(CryptoError::TooLong { what, len: data.len() })
    }
}

pub(crate) fn check_aad_len(aad: &[u8]) -> Result<(), CryptoError> {
    check_len("additional authenticated data", aad)?;
    aad_bits(aad).map(|_| ())
}

/// `AL`: the AAD length in bits, 64-bit big-endian (RFC 7518 section 5.2.2.1 step 4).
fn aad_bits(aad: &[u8]) -> Result<[u8; 8], CryptoError> {
    u64::try_from(aad.len())
        .ok()
        .and_then(|n| n.checked_mul(8))
        .map(u64::to_be_bytes)
        .ok_or(CryptoError::TooLong { what: "additional authenticated data", len: aad.len() })
}

/// Splits a CBC-HMAC content key into `(MAC_KEY, ENC_KEY)`, MAC key first (RFC 7518 section 5.2.2.1).
pub(crate) fn split_cek(enc: Enc, cek: &[u8]) -> Result<(&[u8], &[u8]), CryptoError> {
    cek.split_at_checked(cek.len() / 2).ok_or(CryptoError::CekLength {
        enc,
        expected: enc.cek_len(),
        actual: cek.len(),
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Ciphers (fetched once: under OpenSSL 3 a legacy `EVP_aes_*` object is re-fetched on every init)

macro_rules! cached_cipher {
    ($fn:ident, $name:literal, $legacy:ident) => {
        fn $fn() -> &'static CipherRef {
            static CIPHER: OnceLock<Option<Cipher>> = OnceLock::new();
            match CIPHER.get_or_init(|| fetch_cipher($name)) {
                Some(cipher) => cipher,
                None => Cipher::$legacy(),
            }
        }
    };
}

fn fetch_cipher(name: &str) -> Option<Cipher> {
    Cipher::fetch(None, name, None).ok()
}

cached_cipher!(aes_128_cbc, "AES-128-CBC", aes_128_cbc);
cached_cipher!(aes_192_cbc, "AES-192-CBC", aes_192_cbc);
cached_cipher!(aes_256_cbc, "AES-256-CBC", aes_256_cbc);
cached_cipher!(aes_128_gcm, "AES-128-GCM", aes_128_gcm);
cached_cipher!(aes_192_gcm, "AES-192-GCM", aes_192_gcm);
cached_cipher!(aes_256_gcm, "AES-256-GCM", aes_256_gcm);

/// The AES-CBC cipher of a CBC-HMAC `enc` (AES key = half the CEK).
pub(crate) fn cbc_cipher(enc: Enc) -> &'static CipherRef {
    match enc {
        Enc::A192CbcHs384 | Enc::A192Gcm => aes_192_cbc(),
        Enc::A256CbcHs512 | Enc::A256Gcm => aes_256_cbc(),
        Enc::A128CbcHs256 | Enc::A128Gcm => aes_128_cbc(),
    }
}

fn gcm_cipher(enc: Enc) -> &'static CipherRef {
    match enc {
        Enc::A192Gcm | Enc::A192CbcHs384 => aes_192_gcm(),
        Enc::A256Gcm | Enc::A256CbcHs512 => aes_256_gcm(),
        Enc::A128Gcm | Enc::A128CbcHs256 => aes_128_gcm(),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// AES-CBC with PKCS#7 padding. Callers have checked: key length = cipher's, IV 16 bytes, input length < INT_MAX.

fn cbc_encrypt(cipher: &CipherRef, key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let err = || CryptoError::backend("AES-CBC encryption");
    let mut ctx = CipherCtx::new().map_err(err())?;
    ctx.encrypt_init(Some(cipher), Some(key), Some(iv)).map_err(err())?;
    // One allocation: the padded length is at most plaintext + one block.
    let mut out = vec![0u8; plaintext.len() + BLOCK];
    let n = ctx.cipher_update(plaintext, Some(&mut out)).map_err(err())?;
    let rest = out.get_mut(n..).unwrap_or_default();
    let m = ctx.cipher_final(rest).map_err(err())?;
    out.truncate(n + m);
    Ok(out)
}

/// Unauthenticated AES-CBC decryption: only ever called after the tag has been verified. Any error here
/// (bad padding) becomes `DecryptionFailed` at the caller.
fn cbc_decrypt(cipher: &CipherRef, key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<SecretBytes, ()> {
    let mut ctx = CipherCtx::new().map_err(drop)?;
    ctx.decrypt_init(Some(cipher), Some(key), Some(iv)).map_err(drop)?;
    let mut out = SecretBytes::zeroed(ciphertext.len() + BLOCK);
    let n = ctx.cipher_update(ciphertext, Some(out.as_mut_slice())).map_err(drop)?;
    let rest = out.as_mut_slice().get_mut(n..).ok_or(())?;
    let m = ctx.cipher_final(rest).map_err(drop)?;
    out.truncate(n + m);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------------------
// AES-GCM, 96-bit IV, 128-bit tag

fn gcm_encrypt(enc: Enc, cek: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Sealed, CryptoError> {
    let err = || CryptoError::backend("AES-GCM encryption");
    let mut ctx = CipherCtx::new().map_err(err())?;
    ctx.encrypt_init(Some(gcm_cipher(enc)), Some(cek), Some(iv)).map_err(err())?;
    if !aad.is_empty() {
        ctx.cipher_update(aad, None).map_err(err())?;
    }
    let mut ciphertext = vec![0u8; plaintext.len()];
    let n = ctx.cipher_update(plaintext, Some(&mut ciphertext)).map_err(err())?;
    let rest = ciphertext.get_mut(n..).unwrap_or_default();
    let m = ctx.cipher_final(rest).map_err(err())?;
    ciphertext.truncate(n + m);
    let mut tag = vec![0u8; enc.tag_len()];
    ctx.tag(&mut tag).map_err(err())?;
    Ok(Sealed { ciphertext, tag })
}

fn gcm_decrypt(
    enc: Enc,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<SecretBytes, CryptoError> {
    let fail = |_| CryptoError::DecryptionFailed;
    let mut ctx = CipherCtx::new().map_err(fail)?;
    ctx.decrypt_init(Some(gcm_cipher(enc)), Some(cek), Some(iv)).map_err(fail)?;
    if !aad.is_empty() {
        ctx.cipher_update(aad, None).map_err(fail)?;
    }
    // Unauthenticated until `cipher_final` succeeds; zeroized on every path.
    let mut out = SecretBytes::zeroed(ciphertext.len());
    let n = ctx.cipher_update(ciphertext, Some(out.as_mut_slice())).map_err(fail)?;
    ctx.set_tag(tag).map_err(fail)?;
    let rest = out.as_mut_slice().get_mut(n..).unwrap_or_default();
    let m = ctx.cipher_final(rest).map_err(fail)?;
    out.truncate(n + m);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------------------
// HMAC (RFC 2104) over OpenSSL's SHA-2

/// The parts of a hash function HMAC needs, with fixed-size block and output types (no slicing).
trait Digest: Sized {
    /// One hash block (64 or 128 bytes): the HMAC key pad.
    type Block: AsRef<[u8]> + AsMut<[u8]> + Zeroize;
    /// The digest.
    type Output: AsRef<[u8]> + Zeroize;
    fn zero_block() -> Self::Block;
    fn new() -> Self;
    fn update(&mut self, data: &[u8]);
    fn finish(self) -> Self::Output;
}

macro_rules! digest {
    ($ty:ty, $block:literal, $out:literal) => {
        impl Digest for $ty {
            type Block = [u8; $block];
            type Output = [u8; $out];
            fn zero_block() -> Self::Block {
                [0; $block]
            }
            fn new() -> Self {
                <$ty>::new()
            }
            fn update(&mut self, data: &[u8]) {
                <$ty>::update(self, data)
            }
            fn finish(self) -> Self::Output {
                <$ty>::finish(self)
            }
        }
    };
}
digest!(Sha256, 64, 32);
digest!(Sha384, 128, 48);
digest!(Sha512, 128, 64);

/// HMAC (RFC 2104) fed in pieces: the pipelined sealer hands it ciphertext as it is produced.
///
/// The opad key is held in a zeroizing buffer. (OpenSSL's SHA contexts, which hold the state after the key
/// block, are plain values that this crate cannot wipe.)
struct Hmac<D: Digest> {
    inner: D,
    opad: Zeroizing<D::Block>,
}

impl<D: Digest> Hmac<D> {
    fn new(key: &[u8]) -> Hmac<D> {
        let mut pad = Zeroizing::new(D::zero_block());
        {
            let pad: &mut [u8] = AsMut::<[u8]>::as_mut(&mut *pad);
            if key.len() > pad.len() {
                let mut h = D::new();
                h.update(key);
                let hashed = Zeroizing::new(h.finish());
                pad.iter_mut().zip(hashed.as_ref()).for_each(|(p, k)| *p = *k);
            } else {
                pad.iter_mut().zip(key).for_each(|(p, k)| *p = *k);
            }
            pad.iter_mut().for_each(|p| *p ^= 0x36);
        }
        let mut inner = D::new();
        inner.update(AsRef::<[u8]>::as_ref(&*pad));
        // Turn the ipad key into the opad key in place: (k ^ 0x36) ^ (0x36 ^ 0x5c) = k ^ 0x5c.
        AsMut::<[u8]>::as_mut(&mut *pad).iter_mut().for_each(|p| *p ^= 0x36 ^ 0x5c);
        Hmac { inner, opad: pad }
    }

    fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    fn finish(self) -> D::Output {
        let inner = self.inner.finish();
        let mut outer = D::new();
        outer.update(AsRef::<[u8]>::as_ref(&*self.opad));
        outer.update(inner.as_ref());
        outer.finish()
    }
}

/// `HMAC(key, parts[0] || parts[1] || ...)`, streamed part by part (nothing is concatenated).
#[cfg(test)]
fn hmac<D: Digest>(key: &[u8], parts: &[&[u8]]) -> D::Output {
    let mut mac = Hmac::<D>::new(key);
    parts.iter().for_each(|part| mac.update(part));
    mac.finish()
}

/// The CBC-HMAC tag of RFC 7518 section 5.2.2.1 steps 4-6, `T = first half of HMAC(MAC_KEY, A || IV || E || AL)`,
/// computed as the ciphertext `E` arrives: `A` and `IV` go in when it is made, `AL` at the end.
pub(crate) struct CbcHmacTag {
    mac: TagMac,
    al: [u8; 8],
    tag_len: usize,
}

enum TagMac {
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
}

impl CbcHmacTag {
    /// Starts the tag of a CBC-HMAC `enc` (any other is an error) over `aad` and `iv`.
    pub(crate) fn new(enc: Enc, mac_key: &[u8], aad: &[u8], iv: &[u8]) -> Result<CbcHmacTag, CryptoError> {
        let al = aad_bits(aad)?;
        let mut mac = match enc {
            Enc::A128CbcHs256 => TagMac::Sha256(Hmac::new(mac_key)),
            Enc::A192CbcHs384 => TagMac::Sha384(Hmac::new(mac_key)),
            Enc::A256CbcHs512 => TagMac::Sha512(Hmac::new(mac_key)),
            Enc::A128Gcm | Enc::A192Gcm | Enc::A256Gcm => {
                return Err(CryptoError::WrongAlgorithm { name: enc.name(), operation: "a CBC-HMAC tag" })
            }
        };
        mac.update(aad);
        mac.update(iv);
        Ok(CbcHmacTag { mac, al, tag_len: enc.tag_len() })
    }

    /// Feeds the next piece of the ciphertext.
    pub(crate) fn update(&mut self, ciphertext: &[u8]) {
        self.mac.update(ciphertext);
    }

    /// Appends `AL` and returns the tag.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.mac.update(&self.al);
        match self.mac {
            TagMac::Sha256(m) => truncate(&m.finish(), self.tag_len),
            TagMac::Sha384(m) => truncate(&m.finish(), self.tag_len),
            TagMac::Sha512(m) => truncate(&m.finish(), self.tag_len),
        }
    }
}

impl TagMac {
    fn update(&mut self, data: &[u8]) {
        match self {
            TagMac::Sha256(m) => m.update(data),
            TagMac::Sha384(m) => m.update(data),
            TagMac::Sha512(m) => m.update(data),
        }
    }
}

/// `T = first half of HMAC(MAC_KEY, A || IV || E || AL)` (RFC 7518 section 5.2.2.1 steps 4-6).
fn hmac_tag(enc: Enc, mac_key: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut tag = CbcHmacTag::new(enc, mac_key, aad, iv)?;
    tag.update(ciphertext);
    Ok(tag.finish())
}

fn truncate(mac: &[u8], len: usize) -> Vec<u8> {
    mac.iter().take(len).copied().collect()
}

/// Constant-time comparison of the expected and the given tag. The caller checked `tag.len()`.
fn verify_tag(
    enc: Enc,
    mac_key: &[u8],
    aad: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<(), CryptoError> {
    let expected = hmac_tag(enc, mac_key, aad, iv, ciphertext)?;
    // `memcmp::eq` asserts equal lengths; check (publicly) first so it cannot panic.
    if expected.len() == tag.len() && openssl::memcmp::eq(&expected, tag) {
        Ok(())
    } else {
        Err(CryptoError::DecryptionFailed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    /// RFC 4231 test case 2 (key shorter than a block) and 6 (key longer than a block) for our HMAC.
    #[test]
    fn hmac_rfc4231() {
        let data = b"what do ya want for nothing?";
        let m = hmac::<Sha256>(b"Jefe", &[&data[..10], &data[10..]]);
        assert_eq!(hex(&m), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        let m = hmac::<Sha384>(b"Jefe", &[data]);
        assert_eq!(
            hex(&m),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"
        );
        let m = hmac::<Sha512>(b"Jefe", &[data]);
        assert_eq!(
            hex(&m),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        let key = [0xaau8; 131];
        let m = hmac::<Sha256>(&key, &[b"Test Using Larger Than Block-Size Key - Hash Key First"]);
        assert_eq!(hex(&m), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    /// The buffer is taken over and handed back without a copy; zeroize empties it; Debug is redacted.
    #[test]
    fn secret_bytes() {
        let bytes = Zeroizing::new(b"attack at dawn".to_vec());
        let at = bytes.as_ptr();
        let mut secret = SecretBytes::from(bytes);
        assert_eq!((secret.as_ptr(), secret.as_slice()), (at, &b"attack at dawn"[..]));
        assert_eq!(format!("{secret:?}"), "SecretBytes(<redacted, 14 bytes>)");
        assert_eq!(secret.clone(), secret);
        assert_ne!(SecretBytes::from(b"attack at dusk".to_vec()), secret);
        secret.truncate(6);
        let back = secret.clone().into_zeroizing();
        assert_eq!(back.as_slice(), b"attack");
        secret.zeroize();
        assert!(secret.is_empty());
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
