//! Criterion benchmarks: our seal/open paths, the raw primitives every seal or open must pay (the
//! floor), and josekit's JWE (the peer), in one run. `cargo run --release -p blob-benches --bin
//! report` turns the estimates into a table of medians and ratios.
//!
//! Groups (see `blob_benches` for the lists):
//! - `<op>-<config>/<size>`: ours; op in seal, seal_raw, open, open_raw (every configuration) and
//!   verify, rewrap, parse, inspect (the service's configuration, RSA-2048 + A128CBC-HS256).
//! - `floor-rsa<bits>/{encrypt,decrypt}`, `floor-a256kw/{wrap,unwrap}`: one 32-byte CEK.
//! - `floor-<primitive>/<size>`: AES-128-CBC, HMAC-SHA-256 (two ways), base64url, AES-256-GCM over the
//!   bytes of that size's serialized document (or its ciphertext).
//! - `josekit-{seal,open}-<config>/<size>`: josekit 0.10.3 compact JWE of the same serialized document.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use blob_benches::{floor_group, group, rsa_pem, rsa_public_pem, CONFIGS, KEK, PRIMARY, SECONDARY_SIZES, SIZES};
use blob_format::{Alg, Header};
use blob_seal::{OpenOptions, RotateOptions, SealOptions};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use openssl::cipher::Cipher;
use openssl::cipher_ctx::{CipherCtx, CipherCtxFlags};
use openssl::encrypt::{Decrypter, Encrypter};
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Padding;
use openssl::sha::Sha256;

/// Runs `f` as the benchmark `<group>/<id>` with a throughput of `bytes` (none when 0).
fn bench(c: &mut Criterion, group: &str, id: &str, bytes: usize, f: &mut dyn FnMut()) {
    let mut g = c.benchmark_group(group);
    if bytes > 0 {
        g.throughput(Throughput::Bytes(bytes as u64));
    }
    g.bench_function(BenchmarkId::from_parameter(id), |b| b.iter(&mut *f));
    g.finish();
}

/// Our operations, for every configuration at its sizes.
fn ours(c: &mut Criterion) {
    let opts = OpenOptions::default();
    let rotate = RotateOptions::default();
    for config in &CONFIGS {
        let key = config.key();
        let seal_options = config.options();
        for size in config.sizes() {
            let doc = size.document();
            let plaintext = doc.to_json();
            let blob = blob_seal::seal(&doc, &key, &seal_options).unwrap();
            // Every fixture opens before it is measured.
            assert_eq!(blob_seal::open_raw(&blob, &key, &opts).unwrap().as_slice(), plaintext.as_slice());
            let n = blob.len();
            let mut run = |op: &str, f: &mut dyn FnMut()| bench(c, &group(op, config.name), size.label, n, f);
            run("seal", &mut || {
                black_box(blob_seal::seal(black_box(&doc), &key, &seal_options).unwrap());
            });
            run("seal_raw", &mut || {
                black_box(blob_seal::seal_raw(black_box(&plaintext), &key, &seal_options).unwrap());
            });
            run("open", &mut || {
                black_box(blob_seal::open(black_box(&blob), &key, &opts).unwrap());
            });
            run("open_raw", &mut || {
                black_box(blob_seal::open_raw(black_box(&blob), &key, &opts).unwrap());
            });
            if !config.is_primary() {
                continue;
            }
            let one_thread = SealOptions { parallel: false, ..seal_options.clone() };
            run("seal_raw_1t", &mut || {
                black_box(blob_seal::seal_raw(black_box(&plaintext), &key, &one_thread).unwrap());
            });
            run("verify", &mut || {
                black_box(blob_seal::verify(black_box(&blob), &key, &opts).unwrap());
            });
            run("rewrap", &mut || {
                black_box(blob_seal::rewrap(black_box(&blob), &key, &key, &rotate).unwrap());
            });
            run("parse", &mut || {
                black_box(blob_format::parse(black_box(&blob)).unwrap());
            });
            run("inspect", &mut || {
                let report = blob_format::inspect(black_box(&blob));
                assert!(report.is_well_formed());
                black_box(report);
            });
        }
    }
}

/// HMAC-SHA-256 (RFC 2104) over `openssl::sha`: no per-call `EVP_MAC`/`PKey` set-up.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut pad = [0x36u8; 64];
    pad.iter_mut().zip(key).for_each(|(p, k)| *p ^= k);
    let mut inner = Sha256::new();
    inner.update(&pad);
    for p in parts {
        inner.update(p);
    }
    let inner = inner.finish();
    pad.iter_mut().for_each(|p| *p ^= 0x36 ^ 0x5c);
    let mut outer = Sha256::new();
    outer.update(&pad);
    outer.update(&inner);
    outer.finish()
}

/// HMAC-SHA-256 through `PKey::hmac` and `Signer`, the documented way in the `openssl` crate.
fn hmac_sha256_signer(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let key = PKey::hmac(key).unwrap();
    let mut s = openssl::sign::Signer::new(MessageDigest::sha256(), &key).unwrap();
    for p in parts {
        s.update(p).unwrap();
    }
    s.sign_to_vec().unwrap()
}

/// One AES pass with a fresh context (as every seal or open sets one up), output allocated.
fn cipher_pass(cipher: &openssl::cipher::CipherRef, encrypt: bool, key: &[u8], iv: &[u8], input: &[u8]) -> Vec<u8> {
    let mut ctx = CipherCtx::new().unwrap();
    if encrypt {
        ctx.encrypt_init(Some(cipher), Some(key), Some(iv)).unwrap();
    } else {
        ctx.decrypt_init(Some(cipher), Some(key), Some(iv)).unwrap();
    }
    let mut out = vec![0u8; input.len() + 16];
    let n = ctx.cipher_update(input, Some(&mut out)).unwrap();
    let m = ctx.cipher_final(&mut out[n..]).unwrap();
    out.truncate(n + m);
    out
}

/// The raw primitives, through `openssl` (and the `base64` crate) directly.
fn floor(c: &mut Criterion) {
    // RSA-OAEP-SHA256 of one 32-byte CEK, encrypt and decrypt; contexts set up once (the floor).
    for bits in [2048, 3072, 4096] {
        let private = PKey::private_key_from_pem(rsa_pem(bits).as_bytes()).unwrap();
        let public = PKey::public_key_from_pem(rsa_public_pem(bits).as_bytes()).unwrap();
        let mut enc = Encrypter::new(&public).unwrap();
        enc.set_rsa_padding(Padding::PKCS1_OAEP).unwrap();
        enc.set_rsa_oaep_md(MessageDigest::sha256()).unwrap();
        enc.set_rsa_mgf1_md(MessageDigest::sha256()).unwrap();
        let cek = [7u8; 32];
        let mut wrapped = vec![0u8; enc.encrypt_len(&cek).unwrap()];
        let n = enc.encrypt(&cek, &mut wrapped).unwrap();
        wrapped.truncate(n);
        let mut dec = Decrypter::new(&private).unwrap();
        dec.set_rsa_padding(Padding::PKCS1_OAEP).unwrap();
        dec.set_rsa_oaep_md(MessageDigest::sha256()).unwrap();
        dec.set_rsa_mgf1_md(MessageDigest::sha256()).unwrap();
        let mut out = vec![0u8; wrapped.len()];
        let mut unwrapped = vec![0u8; dec.decrypt_len(&wrapped).unwrap()];
        let n = dec.decrypt(&wrapped, &mut unwrapped).unwrap();
        assert_eq!(&unwrapped[..n], &cek);
        let g = floor_group(&format!("rsa{bits}"));
        bench(c, &g, "encrypt", 0, &mut || {
            black_box(enc.encrypt(black_box(&cek), &mut out).unwrap());
        });
        bench(c, &g, "decrypt", 0, &mut || {
            black_box(dec.decrypt(black_box(&wrapped), &mut unwrapped).unwrap());
        });
        if bits != 2048 {
            continue;
        }
        // Not part of the floor, for the gap analysis: the same with the context set up per call,
        // as a seal or open that keeps no context between calls does.
        bench(c, &g, "encrypt-with-setup", 0, &mut || {
            let mut enc = Encrypter::new(&public).unwrap();
            enc.set_rsa_padding(Padding::PKCS1_OAEP).unwrap();
            enc.set_rsa_oaep_md(MessageDigest::sha256()).unwrap();
            enc.set_rsa_mgf1_md(MessageDigest::sha256()).unwrap();
            let mut out = vec![0u8; enc.encrypt_len(&cek).unwrap()];
            black_box(enc.encrypt(black_box(&cek), &mut out).unwrap());
        });
        bench(c, &g, "decrypt-with-setup", 0, &mut || {
            let mut dec = Decrypter::new(&private).unwrap();
            dec.set_rsa_padding(Padding::PKCS1_OAEP).unwrap();
            dec.set_rsa_oaep_md(MessageDigest::sha256()).unwrap();
            dec.set_rsa_mgf1_md(MessageDigest::sha256()).unwrap();
            let mut out = vec![0u8; dec.decrypt_len(&wrapped).unwrap()];
            black_box(dec.decrypt(black_box(&wrapped), &mut out).unwrap());
        });
    }

    // Not part of the floor, for the gap analysis: a fresh CEK and IV from OpenSSL's CSPRNG, as
    // every seal draws them.
    bench(c, &floor_group("rand"), "cek+iv", 0, &mut || {
        let (mut cek, mut iv) = ([0u8; 32], [0u8; 16]);
        openssl::rand::rand_priv_bytes(&mut cek).unwrap();
        openssl::rand::rand_bytes(&mut iv).unwrap();
        black_box((cek, iv));
    });

    // AES-256 key wrap of one 32-byte CEK (the A256KW configuration's key management).
    let kw = Cipher::fetch(None, "AES-256-WRAP", None).unwrap();
    let kw_pass = |encrypt: bool, input: &[u8]| {
        let mut ctx = CipherCtx::new().unwrap();
        ctx.set_flags(CipherCtxFlags::FLAG_WRAP_ALLOW);
        if encrypt {
            ctx.encrypt_init(Some(&kw), Some(&KEK), None).unwrap();
        } else {
            ctx.decrypt_init(Some(&kw), Some(&KEK), None).unwrap();
        }
        let mut out = vec![0u8; input.len() + 8];
        let n = ctx.cipher_update(input, Some(&mut out)).unwrap();
        out.truncate(n);
        out
    };
    let cek = [7u8; 32];
    let wrapped = kw_pass(true, &cek);
    assert_eq!(kw_pass(false, &wrapped), cek);
    bench(c, &floor_group("a256kw"), "wrap", 0, &mut || {
        black_box(kw_pass(true, black_box(&cek)));
    });
    bench(c, &floor_group("a256kw"), "unwrap", 0, &mut || {
        black_box(kw_pass(false, black_box(&wrapped)));
    });

    // The content passes over each size's serialized document (or its ciphertext).
    let cbc = Cipher::fetch(None, "AES-128-CBC", None).unwrap();
    let gcm = Cipher::fetch(None, "AES-256-GCM", None).unwrap();
    let (mac_key, enc_key, iv) = ([1u8; 16], [2u8; 16], [3u8; 16]);
    let aad = Header::new(Alg::RsaOaep256, PRIMARY.enc).with_kid("bench").encode();
    let al = ((aad.len() as u64) * 8).to_be_bytes();
    for size in SIZES {
        let plaintext = size.document().to_json();
        let p = plaintext.len();
        let ct = cipher_pass(&cbc, true, &enc_key, &iv, &plaintext);
        assert_eq!(cipher_pass(&cbc, false, &enc_key, &iv, &ct), plaintext.as_slice());
        let encoded = URL_SAFE_NO_PAD.encode(&ct);
        let label = size.label;
        bench(c, &floor_group("aes128cbc-encrypt"), label, p, &mut || {
            black_box(cipher_pass(&cbc, true, &enc_key, &iv, black_box(&plaintext)));
        });
        bench(c, &floor_group("aes128cbc-decrypt"), label, ct.len(), &mut || {
            black_box(cipher_pass(&cbc, false, &enc_key, &iv, black_box(&ct)));
        });
        let parts: [&[u8]; 4] = [aad.as_bytes(), &iv, &ct, &al];
        assert_eq!(hmac_sha256(&mac_key, &parts).as_slice(), hmac_sha256_signer(&mac_key, &parts).as_slice());
        bench(c, &floor_group("hmac-sha256"), label, ct.len(), &mut || {
            black_box(hmac_sha256(&mac_key, black_box(&parts)));
        });
        bench(c, &floor_group("hmac-sha256-signer"), label, ct.len(), &mut || {
            black_box(hmac_sha256_signer(&mac_key, black_box(&parts)));
        });
        bench(c, &floor_group("b64-encode"), label, ct.len(), &mut || {
            black_box(URL_SAFE_NO_PAD.encode(black_box(&ct)));
        });
        bench(c, &floor_group("b64-decode"), label, encoded.len(), &mut || {
            black_box(URL_SAFE_NO_PAD.decode(black_box(&encoded)).unwrap());
        });
        if !SECONDARY_SIZES.contains(&size) {
            continue;
        }
        // AES-256-GCM (the A256GCM configuration), AAD = a header segment.
        let (gkey, giv) = ([4u8; 32], [5u8; 12]);
        let gcm_encrypt = |input: &[u8]| {
            let mut ctx = CipherCtx::new().unwrap();
            ctx.encrypt_init(Some(&gcm), Some(&gkey), Some(&giv)).unwrap();
            ctx.cipher_update(aad.as_bytes(), None).unwrap();
            let mut out = vec![0u8; input.len()];
            ctx.cipher_update(input, Some(&mut out)).unwrap();
            ctx.cipher_final(&mut []).unwrap();
            let mut tag = [0u8; 16];
            ctx.tag(&mut tag).unwrap();
            (out, tag)
        };
        let gcm_decrypt = |input: &[u8], tag: &[u8]| {
            let mut ctx = CipherCtx::new().unwrap();
            ctx.decrypt_init(Some(&gcm), Some(&gkey), Some(&giv)).unwrap();
            ctx.cipher_update(aad.as_bytes(), None).unwrap();
            let mut out = vec![0u8; input.len()];
            ctx.cipher_update(input, Some(&mut out)).unwrap();
            ctx.set_tag(tag).unwrap();
            ctx.cipher_final(&mut []).unwrap();
            out
        };
        let (gct, tag) = gcm_encrypt(&plaintext);
        assert_eq!(gcm_decrypt(&gct, &tag), plaintext.as_slice());
        bench(c, &floor_group("aes256gcm-encrypt"), label, p, &mut || {
            black_box(gcm_encrypt(black_box(&plaintext)));
        });
        bench(c, &floor_group("aes256gcm-decrypt"), label, p, &mut || {
            black_box(gcm_decrypt(black_box(&gct), &tag));
        });
    }
}

/// Chunk of the fused passes: a multiple of 3 (whole base64 quanta) and of 16 (whole AES blocks).
const FUSED_CHUNK: usize = 3 * 16 * 1024;

/// AES-128-CBC, HMAC-SHA-256 and base64url encoding in one pass over `FUSED_CHUNK`-byte chunks,
/// each chunk's ciphertext tagged and encoded while it is in cache. Returns the encoded ciphertext
/// and the full HMAC (the tag is its first half).
fn fused_seal(
    plaintext: &[u8],
    mac_key: &[u8],
    enc_key: &[u8],
    iv: &[u8],
    aad: &[u8],
    al: &[u8],
) -> (String, [u8; 32]) {
    let cbc = Cipher::fetch(None, "AES-128-CBC", None).unwrap();
    let mut ctx = CipherCtx::new().unwrap();
    ctx.encrypt_init(Some(&cbc), Some(enc_key), Some(iv)).unwrap();
    let mut pad = [0x36u8; 64];
    pad.iter_mut().zip(mac_key).for_each(|(p, k)| *p ^= k);
    let mut inner = Sha256::new();
    inner.update(&pad);
    inner.update(aad);
    inner.update(iv);
    let mut out = String::with_capacity(base64_len(plaintext.len() + 16));
    let mut buf = vec![0u8; FUSED_CHUNK + 16];
    let mut tail = Vec::new();
    for chunk in plaintext.chunks(FUSED_CHUNK) {
        let n = ctx.cipher_update(chunk, Some(&mut buf)).unwrap();
        if chunk.len() < FUSED_CHUNK {
            let m = ctx.cipher_final(&mut buf[n..]).unwrap();
            tail.extend_from_slice(&buf[..n + m]);
            break;
        }
        inner.update(&buf[..n]);
        URL_SAFE_NO_PAD.encode_string(&buf[..n], &mut out);
    }
    if plaintext.len() % FUSED_CHUNK == 0 {
        let m = ctx.cipher_final(&mut buf).unwrap();
        tail.extend_from_slice(&buf[..m]);
    }
    inner.update(&tail);
    URL_SAFE_NO_PAD.encode_string(&tail, &mut out);
    inner.update(al);
    let inner = inner.finish();
    pad.iter_mut().for_each(|p| *p ^= 0x36 ^ 0x5c);
    let mut outer = Sha256::new();
    outer.update(&pad);
    outer.update(&inner);
    (out, outer.finish())
}

/// base64url decoding and HMAC-SHA-256 in one pass over chunks of the encoded ciphertext, then
/// AES-128-CBC decryption (after the tag would be checked). Returns the plaintext and the HMAC.
fn fused_open(encoded: &str, mac_key: &[u8], enc_key: &[u8], iv: &[u8], aad: &[u8], al: &[u8]) -> (Vec<u8>, [u8; 32]) {
    let mut pad = [0x36u8; 64];
    pad.iter_mut().zip(mac_key).for_each(|(p, k)| *p ^= k);
    let mut inner = Sha256::new();
    inner.update(&pad);
    inner.update(aad);
    inner.update(iv);
    let mut ct = Vec::with_capacity(encoded.len() / 4 * 3 + 3);
    for chunk in encoded.as_bytes().chunks(FUSED_CHUNK / 3 * 4) {
        let start = ct.len();
        URL_SAFE_NO_PAD.decode_vec(chunk, &mut ct).unwrap();
        inner.update(&ct[start..]);
    }
    inner.update(al);
    let inner = inner.finish();
    pad.iter_mut().for_each(|p| *p ^= 0x36 ^ 0x5c);
    let mut outer = Sha256::new();
    outer.update(&pad);
    outer.update(&inner);
    let cbc = Cipher::fetch(None, "AES-128-CBC", None).unwrap();
    (cipher_pass(&cbc, false, enc_key, iv, &ct), outer.finish())
}

fn base64_len(bytes: usize) -> usize {
    bytes.div_ceil(3) * 4
}

/// Not part of the floor, for the report's analysis of the gaps: what the library's zeroizing
/// buffers cost on drop (zeroize's `Vec<u8>` impl writes byte by byte; its `[u8]` impl is a
/// memset with a barrier), and what one fused pass over cache-sized chunks saves over separate
/// passes of the same primitives.
fn analysis(c: &mut Criterion) {
    use zeroize::{Zeroize, Zeroizing};
    let (mac_key, enc_key, iv) = ([1u8; 16], [2u8; 16], [3u8; 16]);
    let aad = Header::new(Alg::RsaOaep256, PRIMARY.enc).with_kid("bench").encode();
    let al = ((aad.len() as u64) * 8).to_be_bytes();
    let cbc = Cipher::fetch(None, "AES-128-CBC", None).unwrap();
    for size in SIZES {
        let plaintext = size.document().to_json();
        let p = plaintext.len();
        let label = size.label;
        let mut g = c.benchmark_group(floor_group("zeroize-vec-drop"));
        g.throughput(Throughput::Bytes(p as u64));
        g.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter_batched(|| Zeroizing::new(plaintext.to_vec()), drop, BatchSize::LargeInput)
        });
        g.finish();
        let mut buf = plaintext.to_vec();
        bench(c, &floor_group("zeroize-slice"), label, p, &mut || {
            black_box(buf.as_mut_slice()).zeroize();
        });
        // The fused passes agree with the separate ones.
        let ct = cipher_pass(&cbc, true, &enc_key, &iv, &plaintext);
        let mac = hmac_sha256(&mac_key, &[aad.as_bytes(), &iv, &ct, &al]);
        let (encoded, fused_mac) = fused_seal(&plaintext, &mac_key, &enc_key, &iv, aad.as_bytes(), &al);
        assert_eq!((encoded.as_str(), fused_mac), (URL_SAFE_NO_PAD.encode(&ct).as_str(), mac));
        let (opened, open_mac) = fused_open(&encoded, &mac_key, &enc_key, &iv, aad.as_bytes(), &al);
        assert_eq!((opened.as_slice(), open_mac), (plaintext.as_slice(), mac));
        bench(c, &floor_group("fused-seal"), label, p, &mut || {
            black_box(fused_seal(black_box(&plaintext), &mac_key, &enc_key, &iv, aad.as_bytes(), &al));
        });
        bench(c, &floor_group("fused-open"), label, p, &mut || {
            black_box(fused_open(black_box(&encoded), &mac_key, &enc_key, &iv, aad.as_bytes(), &al));
        });
    }
}

/// josekit's compact JWE encrypt and decrypt of the same serialized document, same key and algorithms.
fn peer(c: &mut Criterion) {
    use josekit::jwe::{self, JweDecrypter, JweEncrypter, JweHeader};
    for config in &CONFIGS {
        let (encrypter, decrypter): (Box<dyn JweEncrypter>, Box<dyn JweDecrypter>) = match config.alg {
            Alg::RsaOaep256 => (
                Box::new(jwe::RSA_OAEP_256.encrypter_from_pem(rsa_public_pem(config.rsa_bits)).unwrap()),
                Box::new(jwe::RSA_OAEP_256.decrypter_from_pem(rsa_pem(config.rsa_bits)).unwrap()),
            ),
            Alg::A256Kw => (
                Box::new(jwe::A256KW.encrypter_from_bytes(KEK).unwrap()),
                Box::new(jwe::A256KW.decrypter_from_bytes(KEK).unwrap()),
            ),
            other => panic!("no josekit peer configured for {other:?}"),
        };
        let mut header = JweHeader::new();
        header.set_key_id("bench");
        header.set_content_encryption(config.enc.name());
        let (seal, open) = (group("josekit-seal", config.name), group("josekit-open", config.name));
        for size in config.sizes() {
            let plaintext = size.document().to_json();
            let token = jwe::serialize_compact(&plaintext, &header, &*encrypter).unwrap();
            assert_eq!(jwe::deserialize_compact(&token, &*decrypter).unwrap().0, plaintext.as_slice());
            bench(c, &seal, size.label, token.len(), &mut || {
                black_box(jwe::serialize_compact(black_box(&plaintext), &header, &*encrypter).unwrap());
            });
            bench(c, &open, size.label, token.len(), &mut || {
                black_box(jwe::deserialize_compact(black_box(&token), &*decrypter).unwrap());
            });
        }
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

criterion_group! { name = benches; config = config(); targets = floor, ours, peer, analysis }
criterion_main!(benches);
