//! Key management (`alg`): wrapping the content key with RSA-OAEP (RFC 7518 section 4.3) or AES key wrap
//! (RFC 3394, RFC 7518 section 4.4), all through OpenSSL.
//!
//! These functions carry no key policy (minimum RSA size, algorithm pinning): [`Key`](crate::keys::Key) does, and
//! is what the seal and open code calls. [`rsa_unwrap`] never reports a decryption failure: following RFC 7516
//! section 11.5 it returns a random content key instead, so a wrong key, a tampered encrypted key and a wrong-length
//! CEK all fail later, at the tag check, with the same error.

use std::sync::OnceLock;

use blob_format::Alg;
use openssl::cipher::{Cipher, CipherRef};
use openssl::cipher_ctx::{CipherCtx, CipherCtxFlags};
use openssl::encrypt::{Decrypter, Encrypter};
use openssl::hash::MessageDigest;
use openssl::pkey::{HasPublic, Id, PKeyRef, Private};
use openssl::rsa::Padding;
use zeroize::Zeroizing;

use crate::error::CryptoError;

/// The AES key-wrap block (RFC 3394 works on 64-bit blocks; the output is one block longer than the input).
const KW_BLOCK: usize = 8;

/// Wraps `cek` with RSA-OAEP (`RSA-OAEP-256`: SHA-256 and MGF1-SHA-256; `RSA-OAEP`: SHA-1 and MGF1-SHA-1;
/// empty label, as JWE uses it). The result is as long as the modulus.
pub fn rsa_wrap<T: HasPublic>(key: &PKeyRef<T>, alg: Alg, cek: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let md = oaep_md(alg)?;
    if key.id() != Id::RSA {
        return Err(CryptoError::NotRsaKey);
    }
    // RFC 8017 section 7.1.1: mLen <= k - 2 hLen - 2.
    let max = key.size().saturating_sub(2 * md.size() + 2);
    if cek.len() > max {
        return Err(CryptoError::CekToWrap { alg, actual: cek.len() });
    }
    let err = || CryptoError::backend("RSA-OAEP encryption");
    let mut encrypter = Encrypter::new(key).map_err(err())?;
    encrypter.set_rsa_padding(Padding::PKCS1_OAEP).map_err(err())?;
    encrypter.set_rsa_oaep_md(md).map_err(err())?;
    encrypter.set_rsa_mgf1_md(md).map_err(err())?;
    let len = encrypter.encrypt_len(cek).map_err(err())?;
    let mut out = vec![0u8; len];
    let n = encrypter.encrypt(cek, &mut out).map_err(err())?;
    out.truncate(n);
    Ok(out)
}

/// Unwraps an RSA-OAEP encrypted key; on any failure returns a random key of `cek_len` bytes instead.
///
/// RFC 7516 section 11.5: a random CEK is generated first, then the decryption is attempted; if the encrypted key
/// is not exactly the modulus size, if decryption fails, or if it yields a key of another length than `cek_len`,
/// the random CEK is returned. The caller then fails at the tag check with the same error as for any tampering,
/// and no early return tells a wrong key from a bad blob.
///
/// The only error is for conditions that do not depend on `encrypted_key`: an `alg` that is not RSA-OAEP, a key
/// that is not RSA, or a failing random number generator.
pub fn rsa_unwrap(
    key: &PKeyRef<Private>,
    alg: Alg,
    encrypted_key: &[u8],
    cek_len: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let md = oaep_md(alg)?;
    if key.id() != Id::RSA {
        return Err(CryptoError::NotRsaKey);
    }
    let mut random = Zeroizing::new(vec![0u8; cek_len]);
    openssl::rand::rand_priv_bytes(&mut random).map_err(|_| CryptoError::Rng)?;
    if encrypted_key.len() != key.size() {
        return Ok(random);
    }
    match rsa_oaep_decrypt(key, md, encrypted_key) {
        Some(cek) if cek.len() == cek_len => Ok(cek),
        _ => Ok(random),
    }
}

/// The RSA-OAEP decryption itself; `None` on any failure (the reason is deliberately dropped).
fn rsa_oaep_decrypt(key: &PKeyRef<Private>, md: MessageDigest, encrypted_key: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let mut decrypter = Decrypter::new(key).ok()?;
    decrypter.set_rsa_padding(Padding::PKCS1_OAEP).ok()?;
    decrypter.set_rsa_oaep_md(md).ok()?;
    decrypter.set_rsa_mgf1_md(md).ok()?;
    let len = decrypter.decrypt_len(encrypted_key).ok()?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    let n = decrypter.decrypt(encrypted_key, &mut out).ok()?;
    out.truncate(n);
    Some(out)
}

/// The OAEP hash (also MGF1's) of an RSA `alg`.
fn oaep_md(alg: Alg) -> Result<MessageDigest, CryptoError> {
    match alg {
        Alg::RsaOaep256 => Ok(MessageDigest::sha256()),
        Alg::RsaOaep => Ok(MessageDigest::sha1()),
        Alg::A128Kw | Alg::A192Kw | Alg::A256Kw => {
            Err(CryptoError::WrongAlgorithm { name: alg.name(), operation: "RSA-OAEP key wrapping" })
        }
    }
}

/// Wraps `cek` with AES key wrap (RFC 3394, default IV `A6A6A6A6A6A6A6A6`). `kek` must be
/// [`Alg::kek_len`] bytes; `cek` a multiple of 8 bytes, at least 16 (every JWE content key is). The result is
/// `cek.len() + 8` bytes.
pub fn aes_kw_wrap(alg: Alg, kek: &[u8], cek: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let cipher = kw_cipher(alg, kek)?;
    if cek.len() < 2 * KW_BLOCK || cek.len() % KW_BLOCK != 0 || cek.len() > MAX_KW_INPUT {
        return Err(CryptoError::CekToWrap { alg, actual: cek.len() });
    }
    let err = || CryptoError::backend("AES key wrap");
    let mut ctx = CipherCtx::new().map_err(err())?;
    ctx.set_flags(CipherCtxFlags::FLAG_WRAP_ALLOW);
    ctx.encrypt_init(Some(cipher), Some(kek), None).map_err(err())?;
    let mut out = vec![0u8; cek.len() + KW_BLOCK];
    let n = ctx.cipher_update(cek, Some(&mut out)).map_err(err())?;
    if n != cek.len() + KW_BLOCK {
        return Err(CryptoError::Backend { operation: "AES key wrap", detail: format!("wrote {n} bytes") });
    }
    Ok(out)
}

/// Unwraps an AES key-wrapped content key of `cek_len` bytes. Any failure (the RFC 3394 integrity check, an
/// encrypted key that is not `cek_len + 8` bytes) is [`CryptoError::DecryptionFailed`], the same value as a bad
/// tag. Only a KEK of the wrong length (a key problem, not a blob problem) is reported as such.
pub fn aes_kw_unwrap(
    alg: Alg,
    kek: &[u8],
    encrypted_key: &[u8],
    cek_len: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let cipher = kw_cipher(alg, kek)?;
    if cek_len < 2 * KW_BLOCK
        || cek_len % KW_BLOCK != 0
        || cek_len > MAX_KW_INPUT
        || cek_len.checked_add(KW_BLOCK) != Some(encrypted_key.len())
    {
        return Err(CryptoError::DecryptionFailed);
    }
    let fail = |_| CryptoError::DecryptionFailed;
    let mut ctx = CipherCtx::new().map_err(fail)?;
    ctx.set_flags(CipherCtxFlags::FLAG_WRAP_ALLOW);
    ctx.decrypt_init(Some(cipher), Some(kek), None).map_err(fail)?;
    // OpenSSL asks for room for the input length; the unwrapped key is 8 bytes shorter.
    let mut out = Zeroizing::new(vec![0u8; encrypted_key.len()]);
    let n = ctx.cipher_update(encrypted_key, Some(&mut out)).map_err(fail)?;
    if n != cek_len {
        return Err(CryptoError::DecryptionFailed);
    }
    out.truncate(n);
    Ok(out)
}

/// A generous bound on what we wrap (OpenSSL's own limit is 2^31 bytes): content keys are at most 64 bytes.
const MAX_KW_INPUT: usize = 1 << 20;

/// The key-wrap cipher of `alg`, after checking the KEK length against it.
fn kw_cipher(alg: Alg, kek: &[u8]) -> Result<&'static CipherRef, CryptoError> {
    let expected = alg.kek_len().ok_or(CryptoError::WrongAlgorithm { name: alg.name(), operation: "AES key wrap" })?;
    if kek.len() != expected {
        return Err(CryptoError::KekLength { alg, expected, actual: kek.len() });
    }
    Ok(match alg {
        Alg::A192Kw => aes_192_wrap(),
        Alg::A256Kw => aes_256_wrap(),
        _ => aes_128_wrap(),
    })
}

macro_rules! cached_cipher {
    ($fn:ident, $name:literal, $legacy:ident) => {
        fn $fn() -> &'static CipherRef {
            static CIPHER: OnceLock<Option<Cipher>> = OnceLock::new();
            match CIPHER.get_or_init(|| Cipher::fetch(None, $name, None).ok()) {
                Some(cipher) => cipher,
                None => Cipher::$legacy(),
            }
        }
    };
}

cached_cipher!(aes_128_wrap, "AES-128-WRAP", aes_128_wrap);
cached_cipher!(aes_192_wrap, "AES-192-WRAP", aes_192_wrap);
cached_cipher!(aes_256_wrap, "AES-256-WRAP", aes_256_wrap);
