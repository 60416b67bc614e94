//! Sealing a large CBC-HMAC document on two cores; decoding a large ciphertext while the content
//! key is unwrapped.
//!
//! A serial seal pays for the AES-CBC pass, then the HMAC pass over the ciphertext, then base64url
//! over it. CBC encryption cannot be split (each block chains on the last) and neither can the
//! HMAC, but the HMAC and the encoding of a piece need only that piece: so the calling thread
//! encrypts piece after piece while a second thread authenticates and encodes each one straight
//! into the blob. The work is about even between the two (AES-128-CBC about 1.4 GB/s; HMAC-SHA-256
//! and base64url together about as fast), so a large seal takes a little over half the serial time.
//!
//! The bytes out are exactly the serial path's for the same key and IV (tested below): the
//! ciphertext is the same CBC chain, the tag the same HMAC over the same bytes, the text
//! [`BlobWriter`]'s, which is [`blob_format::assemble`]'s.
//!
//! Opening keeps its steps in turn where order is a security property: the tag is verified before
//! anything is decrypted. But decoding the ciphertext's base64url needs no key, so it runs on a
//! second thread while this one unwraps the content key with RSA (about 0.2 ms at 2048 bits and
//! 1.4 ms at 3072 on OpenSSL 3.0; about as long as decoding 1 to 5 MB).
//!
//! Below [`MIN_LEN`], or with one core, or when no thread can be started, everything runs on the
//! caller's thread: starting one costs some tens of microseconds, which a small blob does not win
//! back.

use std::num::NonZeroUsize;
use std::sync::{mpsc, OnceLock};
use std::thread;

use blob_format::{Blob, BlobWriter, DeferredCiphertext, Enc, WriteOptions};
use openssl::cipher_ctx::CipherCtx;
use zeroize::Zeroizing;

use crate::content::{self, CbcHmacTag, BLOCK};
use crate::CryptoError;

/// Plaintexts (and ciphertexts) from this size up use a second thread, when two cores are available.
pub(crate) const MIN_LEN: usize = 256 * 1024;

/// The piece handed from the encrypting thread to the MAC thread: a multiple of 48, so whole AES
/// blocks and whole base64 groups; small enough that filling and draining the pipe is cheap, large
/// enough that the hand-over is (about 40 pieces at 20 x 64 KiB).
const PIECE: usize = 48 * 1024;

/// Pieces in flight between the threads; with two more being worked on, four buffers in all.
const DEPTH: usize = 2;

/// Stack of the second thread: it holds a SHA-2 state and the writer, or a base64 decoder; nothing deep.
const STACK: usize = 128 * 1024;

/// One seal's inputs besides the plaintext: content encryption, key and IV, the header segment
/// (which is also the AAD), the encrypted key and how to write the blob.
pub(crate) struct Seal<'a> {
    pub enc: Enc,
    pub cek: &'a [u8],
    pub iv: &'a [u8],
    pub header: &'a str,
    pub encrypted_key: &'a [u8],
    pub write: &'a WriteOptions,
}

impl Seal<'_> {
    /// Encrypts `plaintext`, tags it and writes the blob: on two threads when that pays
    /// (`parallel`, a CBC-HMAC `enc`, at least [`MIN_LEN`] bytes, two cores), else serially. The
    /// same bytes either way.
    pub(crate) fn blob(&self, plaintext: &[u8], parallel: bool) -> Result<String, CryptoError> {
        if parallel && self.enc.is_cbc_hmac() && plaintext.len() >= MIN_LEN && cores() >= 2 {
            if let Some(blob) = self.pipelined(plaintext)? {
                return Ok(blob);
            }
        }
        self.serial(plaintext)
    }

    fn serial(&self, plaintext: &[u8]) -> Result<String, CryptoError> {
        let Seal { enc, cek, iv, header, encrypted_key, write } = *self;
        let sealed = content::encrypt(enc, cek, iv, header.as_bytes(), plaintext)?;
        Ok(blob_format::assemble(write, header, encrypted_key, iv, &sealed.ciphertext, &sealed.tag))
    }

    /// The two-thread seal of a CBC-HMAC `enc`; `Ok(None)` when the MAC thread could not be started.
    fn pipelined(&self, plaintext: &[u8]) -> Result<Option<String>, CryptoError> {
        let Seal { enc, cek, iv, header, encrypted_key, write } = *self;
        // The checks `content::encrypt` makes, in its order.
        content::check_cek(enc, cek)?;
        content::check_iv(enc, iv)?;
        content::check_len("plaintext", plaintext)?;
        content::check_aad_len(header.as_bytes())?;
        let (mac_key, enc_key) = content::split_cek(enc, cek)?;

        let err = CryptoError::backend;
        let mut ctx = CipherCtx::new().map_err(err("AES-CBC encryption"))?;
        ctx.encrypt_init(Some(content::cbc_cipher(enc)), Some(enc_key), Some(iv)).map_err(err("AES-CBC encryption"))?;
        // Padding is ours: whole blocks go through as they are, the last partial one is padded here.
        ctx.set_padding(false);
        let (whole, rest) = plaintext.split_at(plaintext.len() - plaintext.len() % BLOCK);
        let last = pkcs7_block(rest);

        let writer = BlobWriter::new(write, header, encrypted_key, iv, whole.len() + BLOCK, enc.tag_len());
        let tag = CbcHmacTag::new(enc, mac_key, header.as_bytes(), iv)?;

        thread::scope(|scope| {
            let (to_mac, pieces) = mpsc::sync_channel::<Vec<u8>>(DEPTH);
            let (give_back, spare) = mpsc::channel::<Vec<u8>>();
            let mac_thread =
                thread::Builder::new().name("blob-seal-mac".into()).stack_size(STACK).spawn_scoped(scope, move || {
                    let (mut writer, mut tag) = (writer, tag);
                    for piece in pieces {
                        tag.update(&piece);
                        writer.push_ciphertext(&piece);
                        // The encrypting thread may be done and gone; then the buffer is just freed.
                        let _ = give_back.send(piece);
                    }
                    (writer, tag)
                });
            let Ok(mac_thread) = mac_thread else { return Ok(None) };

            // `encrypt` takes the sending end, so it is closed on every way out and the MAC thread ends.
            let encrypted = encrypt(&mut ctx, whole, &last, to_mac, spare);
            let joined = mac_thread.join();
            encrypted?;
            let (writer, tag) = joined.map_err(|_| mac_thread_gone())?;
            Ok(Some(writer.finish(&tag.finish())))
        })
    }
}

/// The encrypting side: AES-CBC over `whole` (whole blocks) in pieces, then the padded `last` block,
/// each handed to the MAC thread in a buffer it gives back for reuse.
fn encrypt(
    ctx: &mut CipherCtx,
    whole: &[u8],
    last: &[u8; BLOCK],
    to_mac: mpsc::SyncSender<Vec<u8>>,
    spare: mpsc::Receiver<Vec<u8>>,
) -> Result<(), CryptoError> {
    let err = || CryptoError::backend("AES-CBC encryption");
    for input in whole.chunks(PIECE).chain([&last[..]]) {
        let mut out = spare.try_recv().unwrap_or_else(|_| Vec::with_capacity(PIECE + BLOCK));
        // OpenSSL's wrapper wants a block more room than it writes with padding off.
        out.resize(input.len() + BLOCK, 0);
        let n = ctx.cipher_update(input, Some(&mut out)).map_err(err())?;
        out.truncate(n);
        to_mac.send(out).map_err(|_| mac_thread_gone())?;
    }
    let mut tail = [0u8; BLOCK];
    match ctx.cipher_final(&mut tail).map_err(err())? {
        0 => Ok(()),
        _ => Err(CryptoError::Backend {
            operation: "AES-CBC encryption",
            detail: "output after the last block with padding off".into(),
        }),
    }
}

/// Decodes a large ciphertext on a second thread while `work` (the RSA decryption of the content
/// key) runs on this one; both results, as if run one after the other. The second thread sees only
/// the ciphertext's text. With one core, or when no thread can be started, they do run in turn.
pub(crate) fn decode_during<'a, T>(
    deferred: DeferredCiphertext<'a>,
    work: impl FnOnce() -> T,
) -> (Result<(Blob<'a>, Vec<u8>), blob_format::Error>, T) {
    if cores() < 2 {
        return (deferred.decode_ciphertext(), work());
    }
    thread::scope(|scope| {
        let theirs = deferred.clone();
        let decoding = thread::Builder::new()
            .name("blob-seal-decode".into())
            .stack_size(STACK)
            .spawn_scoped(scope, move || theirs.decode_ciphertext());
        let done = work();
        let decoded = match decoding.map(thread::ScopedJoinHandle::join) {
            Ok(Ok(decoded)) => decoded,
            // No thread, or (never expected) one that panicked: decode here.
            Ok(Err(_)) | Err(_) => deferred.decode_ciphertext(),
        };
        (decoded, done)
    })
}

/// Logical cores this process may use, asked once (it reads cgroup files on Linux).
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| thread::available_parallelism().map_or(1, NonZeroUsize::get))
}

/// The last block of a PKCS#7-padded plaintext (RFC 5652 section 6.3): the `rest.len() < 16` bytes
/// that do not fill a block, then `16 - rest.len()` bytes of that value (a whole block of 16s when
/// nothing is left over). Plaintext bytes, so wiped on drop.
fn pkcs7_block(rest: &[u8]) -> Zeroizing<[u8; BLOCK]> {
    let pad = BLOCK - rest.len() % BLOCK;
    let mut block = Zeroizing::new([pad as u8; BLOCK]);
    block.iter_mut().zip(rest).for_each(|(b, r)| *b = *r);
    block
}

fn mac_thread_gone() -> CryptoError {
    CryptoError::Backend { operation: "CBC-HMAC sealing", detail: "the MAC thread stopped early".into() }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    const HEADER: &str = "eyJraWQiOiJrIiwiZW5jIjoiQTEyOENCQy1IUzI1NiIsImFsZyI6IlJTQS1PQUVQLTI1NiJ9";

    /// The same key, IV and plaintext give the same blob on two threads as on one, at every
    /// boundary the pieces and the padding have, for every CBC-HMAC `enc`.
    #[test]
    fn pipelined_writes_what_serial_writes() {
        let plaintext: Vec<u8> = (0..3 * PIECE + 100).map(|i| (i * 131 + 7) as u8).collect();
        let write = WriteOptions::default();
        let ek = [0x5au8; 256];
        for enc in [Enc::A128CbcHs256, Enc::A192CbcHs384, Enc::A256CbcHs512] {
            let cek: Vec<u8> = (0..enc.cek_len()).map(|i| i as u8).collect();
            let iv = [0x11u8; 16];
            let sizes =
                [0, 1, 15, 16, 17, 47, 48, PIECE - 1, PIECE, PIECE + 1, PIECE + 16, 2 * PIECE + 15, 3 * PIECE + 100];
            for len in sizes {
                let p = &plaintext[..len];
                let seal = Seal { enc, cek: &cek, iv: &iv, header: HEADER, encrypted_key: &ek, write: &write };
                let two = seal.pipelined(p).unwrap().expect("a thread");
                let one = seal.serial(p).unwrap();
                assert_eq!(two, one, "{enc} at {len} bytes");
            }
        }
    }

    /// `Seal::blob` takes the two-thread path only where it pays, and the result opens.
    #[test]
    fn the_path_taken_writes_the_same_bytes() {
        let write = WriteOptions::default();
        let cek = [3u8; 32];
        let iv = [4u8; 16];
        let plaintext = vec![0xC3u8; MIN_LEN + 5];
        for enc in [Enc::A128CbcHs256, Enc::A256Gcm] {
            let cek = &cek[..enc.cek_len()];
            let iv = &iv[..enc.iv_len()];
            let seal = Seal { enc, cek, iv, header: HEADER, encrypted_key: &[1; 256], write: &write };
            let (a, b) = (seal.blob(&plaintext, true).unwrap(), seal.blob(&plaintext, false).unwrap());
            assert_eq!(a, b, "{enc}");
            // HEADER names A128CBC-HS256: that blob must parse.
            assert_eq!(blob_format::parse(&a).is_ok(), enc == Enc::A128CbcHs256);
        }
    }

    /// Bad lengths are refused as the serial path refuses them, before any thread starts.
    #[test]
    fn lengths_are_checked_first() {
        let write = WriteOptions::default();
        let plaintext = vec![0u8; MIN_LEN];
        for (cek, iv) in [(&[0u8; 31][..], &[0u8; 16][..]), (&[0; 32], &[0; 12])] {
            let seal = Seal { enc: Enc::A128CbcHs256, cek, iv, header: HEADER, encrypted_key: &[], write: &write };
            assert_eq!(seal.pipelined(&plaintext).unwrap_err(), seal.serial(&plaintext).unwrap_err());
        }
    }

    #[test]
    fn pkcs7() {
        assert_eq!(*pkcs7_block(&[]), [16u8; 16]);
        assert_eq!(*pkcs7_block(&[9; 15]), [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1]);
        let b = pkcs7_block(&[7, 7, 7]);
        assert_eq!(&b[..3], &[7, 7, 7]);
        assert!(b[3..].iter().all(|&x| x == 13));
    }
}
