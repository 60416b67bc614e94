//! Criterion benchmarks: our seal/open paths, the raw primitives every seal or open must pay (the
//! floor), and josekit's JWE (the peer), in one run. `cargo run --release -p blob-benches --bin
//! report` turns the estimates into a table of medians and ratios.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use blob_benches::{document, group, rsa_pem, Config, CONFIGS, SIZES};
use blob_seal::{OpenOptions, RotateOptions};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use openssl::cipher::Cipher;
use openssl::cipher_ctx::CipherCtx;
use openssl::encrypt::{Decrypter, Encrypter};
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Padding;
use openssl::sha::Sha256;

/// Sizes measured for a configuration: all for the service's, the smallest and largest for others.
fn sizes_for(config: &Config) -> Vec<(&'static str, usize, usize)> {
    if config.name == "rsa2048-a128cbc" {
        SIZES.to_vec()
    } else {
        vec![SIZES[0], SIZES[3]]
    }
}

fn ours(c: &mut Criterion) {
    let opts = OpenOptions::default();
    for config in &CONFIGS {
        let key = config.key();
        for (label, versions, len) in sizes_for(config) {
            let doc = document(versions, len);
            let plaintext = doc.to_json();
            let blob = blob_seal::seal(&doc, &key, &config.options()).unwrap();
            let bytes = blob.len() as u64;
            let mut bench = |op: &str, f: &mut dyn FnMut()| {
                let mut g = c.benchmark_group(group(op, config.name));
                g.throughput(Throughput::Bytes(bytes));
                g.bench_function(BenchmarkId::from_parameter(label), |b| b.iter(&mut *f));
                g.finish();
            };
            bench("seal", &mut || {
                black_box(blob_seal::seal(black_box(&doc), &key, &config.options()).unwrap());
            });
            bench("seal_raw", &mut || {
                black_box(blob_seal::seal_raw(black_box(&plaintext), &key, &config.options()).unwrap());
            });
            bench("open", &mut || {
                black_box(blob_seal::open(black_box(&blob), &key, &opts).unwrap());
            });
            bench("open_raw", &mut || {
                black_box(blob_seal::open_raw(black_box(&blob), &key, &opts).unwrap());
            });
            if config.name != "rsa2048-a128cbc" {
                continue;
            }
            bench("verify", &mut || {
                black_box(blob_seal::verify(black_box(&blob), &key, &opts).unwrap());
            });
            bench("rewrap", &mut || {
                black_box(blob_seal::rewrap(black_box(&blob), &key, &key, &RotateOptions::default()).unwrap());
            });
            bench("parse", &mut || {
                black_box(blob_format::parse(black_box(&blob)).unwrap());
            });
            bench("inspect", &mut || {
                black_box(blob_format::inspect(black_box(&blob)));
            });
        }
    }
}

/// HMAC-SHA-256 over `openssl::sha`, the fastest HMAC through the `openssl` crate on OpenSSL 3.0.
fn hmac_sha256(key: &[u8; 16], parts: &[&[u8]]) -> [u8; 32] {
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

fn floor(c: &mut Criterion) {
    // RSA-OAEP-SHA256 of one 32-byte CEK, encrypt and decrypt, contexts set up once.
    for bits in [2048, 3072, 4096] {
        let private = PKey::private_key_from_pem(rsa_pem(bits).as_bytes()).unwrap();
        let mut enc = Encrypter::new(&private).unwrap();
        enc.set_rsa_padding(Padding::PKCS1_OAEP).unwrap();
        enc.set_rsa_oaep_md(MessageDigest::sha256()).unwrap();
        enc.set_rsa_mgf1_md(MessageDigest::sha256()).unwrap();
        let mut wrapped = vec![0u8; enc.encrypt_len(&[0; 32]).unwrap()];
        let n = enc.encrypt(&[7; 32], &mut wrapped).unwrap();
        wrapped.truncate(n);
        let mut dec = Decrypter::new(&private).unwrap();
        dec.set_rsa_padding(Padding::PKCS1_OAEP).unwrap();
        dec.set_rsa_oaep_md(MessageDigest::sha256()).unwrap();
        dec.set_rsa_mgf1_md(MessageDigest::sha256()).unwrap();
        let mut g = c.benchmark_group(format!("floor-rsa{bits}"));
        let mut out = vec![0u8; wrapped.len()];
        g.bench_function("encrypt", |b| b.iter(|| enc.encrypt(black_box(&[7; 32]), &mut out).unwrap()));
        let mut out2 = vec![0u8; dec.decrypt_len(&wrapped).unwrap()];
        g.bench_function("decrypt", |b| b.iter(|| dec.decrypt(black_box(&wrapped), &mut out2).unwrap()));
        g.finish();
    }
    let cbc = Cipher::fetch(None, "AES-128-CBC", None).unwrap();
    let gcm = Cipher::fetch(None, "AES-256-GCM", None).unwrap();
    let (key, iv) = ([1u8; 16], [2u8; 16]);
    for (label, versions, len) in SIZES {
        let plaintext = document(versions, len).to_json();
        let p = plaintext.len();
        let mut ct = vec![0u8; p + 16];
        let mut ctx = CipherCtx::new().unwrap();
        ctx.encrypt_init(Some(&cbc), Some(&key), Some(&iv)).unwrap();
        let n = ctx.cipher_update(&plaintext, Some(&mut ct)).unwrap();
        let m = ctx.cipher_final(&mut ct[n..]).unwrap();
        ct.truncate(n + m);
        let encoded = URL_SAFE_NO_PAD.encode(&ct);
        let mut bench = |name: &str, bytes: usize, f: &mut dyn FnMut()| {
            let mut g = c.benchmark_group(format!("floor-{name}"));
            g.throughput(Throughput::Bytes(bytes as u64));
            g.bench_function(BenchmarkId::from_parameter(label), |b| b.iter(&mut *f));
            g.finish();
        };
        bench("aes128cbc-encrypt", p, &mut || {
            let mut ctx = CipherCtx::new().unwrap();
            ctx.encrypt_init(Some(&cbc), Some(&key), Some(&iv)).unwrap();
            let mut out = vec![0u8; p + 16];
            let n = ctx.cipher_update(black_box(&plaintext), Some(&mut out)).unwrap();
            ctx.cipher_final(&mut out[n..]).unwrap();
            black_box(out);
        });
        bench("aes128cbc-decrypt", ct.len(), &mut || {
            let mut ctx = CipherCtx::new().unwrap();
            ctx.decrypt_init(Some(&cbc), Some(&key), Some(&iv)).unwrap();
            let mut out = vec![0u8; ct.len() + 16];
            let n = ctx.cipher_update(black_box(&ct), Some(&mut out)).unwrap();
            ctx.cipher_final(&mut out[n..]).unwrap();
            black_box(out);
        });
        bench("hmac-sha256", ct.len(), &mut || {
            black_box(hmac_sha256(&key, &[b"header", &iv, black_box(&ct), &[0; 8]]));
        });
        let hkey = PKey::hmac(&key).unwrap();
        bench("hmac-sha256-signer", ct.len(), &mut || {
            let mut s = openssl::sign::Signer::new(MessageDigest::sha256(), &hkey).unwrap();
            s.update(b"header").unwrap();
            s.update(&iv).unwrap();
            s.update(black_box(&ct)).unwrap();
            s.update(&[0; 8]).unwrap();
            black_box(s.sign_to_vec().unwrap());
        });
        bench("b64-encode", ct.len(), &mut || {
            black_box(URL_SAFE_NO_PAD.encode(black_box(&ct)));
        });
        bench("b64-decode", encoded.len(), &mut || {
            black_box(URL_SAFE_NO_PAD.decode(black_box(&encoded)).unwrap());
        });
        if label == "1x256B" || label == "20x64KiB" {
            let gkey = [3u8; 32];
            let giv = [4u8; 12];
            let mut gct = vec![0u8; p];
            let mut tag = [0u8; 16];
            {
                let mut ctx = CipherCtx::new().unwrap();
                ctx.encrypt_init(Some(&gcm), Some(&gkey), Some(&giv)).unwrap();
                ctx.cipher_update(b"header", None).unwrap();
                ctx.cipher_update(&plaintext, Some(&mut gct)).unwrap();
                ctx.cipher_final(&mut []).unwrap();
                ctx.tag(&mut tag).unwrap();
            }
            bench("aes256gcm-encrypt", p, &mut || {
                let mut ctx = CipherCtx::new().unwrap();
                ctx.encrypt_init(Some(&gcm), Some(&gkey), Some(&giv)).unwrap();
                ctx.cipher_update(b"header", None).unwrap();
                let mut out = vec![0u8; p];
                ctx.cipher_update(black_box(&plaintext), Some(&mut out)).unwrap();
                ctx.cipher_final(&mut []).unwrap();
                let mut t = [0u8; 16];
                ctx.tag(&mut t).unwrap();
                black_box((out, t));
            });
            bench("aes256gcm-decrypt", p, &mut || {
                let mut ctx = CipherCtx::new().unwrap();
                ctx.decrypt_init(Some(&gcm), Some(&gkey), Some(&giv)).unwrap();
                ctx.cipher_update(b"header", None).unwrap();
                let mut out = vec![0u8; p];
                ctx.cipher_update(black_box(&gct), Some(&mut out)).unwrap();
                ctx.set_tag(&tag).unwrap();
                ctx.cipher_final(&mut []).unwrap();
                black_box(out);
            });
        }
    }
}

fn peer(c: &mut Criterion) {
    use josekit::jwe::{self, JweHeader};
    let private = blob_benches::rsa_pem(2048).as_bytes();
    let public = blob_benches::rsa_2048_public_pem().as_bytes();
    for (config, enc) in [("rsa2048-a128cbc", "A128CBC-HS256"), ("rsa2048-a256gcm", "A256GCM")] {
        let encrypter = jwe::RSA_OAEP_256.encrypter_from_pem(public).unwrap();
        let decrypter = jwe::RSA_OAEP_256.decrypter_from_pem(private).unwrap();
        let mut header = JweHeader::new();
        header.set_content_encryption(enc);
        header.set_key_id("bench");
        let sizes = if config == "rsa2048-a128cbc" { SIZES.to_vec() } else { vec![SIZES[0], SIZES[3]] };
        for (label, versions, len) in sizes {
            let plaintext = document(versions, len).to_json();
            let token = jwe::serialize_compact(&plaintext, &header, &encrypter).unwrap();
            let mut g = c.benchmark_group(group("josekit-seal", config));
            g.throughput(Throughput::Bytes(token.len() as u64));
            g.bench_function(BenchmarkId::from_parameter(label), |b| {
                b.iter(|| black_box(jwe::serialize_compact(black_box(&plaintext), &header, &encrypter).unwrap()))
            });
            g.finish();
            let mut g = c.benchmark_group(group("josekit-open", config));
            g.throughput(Throughput::Bytes(token.len() as u64));
            g.bench_function(BenchmarkId::from_parameter(label), |b| {
                b.iter(|| black_box(jwe::deserialize_compact(black_box(&token), &decrypter).unwrap()))
            });
            g.finish();
        }
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(400))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

criterion_group! { name = benches; config = config(); targets = ours, floor, peer }
criterion_main!(benches);
