//! Exhaustive tampering: for a small valid blob of each `enc` (AES-KW keys, to keep it fast), every
//! single-character substitution at every position of the JWE part fails to open.
//!
//! Each character is replaced by the next one of the base64url alphabet (a dot by `A`). Inside a
//! segment that changes the 6-bit value, so the decoded bytes change, except in the last character of
//! a segment whose length leaves unused bits: the next character differs from a canonical one only in
//! its lowest, unused bit, the same bytes, and parse must refuse it as non-canonical. The positions are
//! counted and must equal the JWE's length, so the test cannot pass on an empty loop.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;

use blob_format::{Enc, PREFIX_LONG};
use blob_seal::document::{Document, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::{open, seal, OpenOptions, SealOptions};

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/keys");

/// The AES-KW test key of the size `enc` names (A128CBC-HS256 and A128GCM: A128KW; and so on).
fn key_for(enc: Enc) -> Key {
    let file = match &enc.name()[..4] {
        "A128" => "aes-128kw.jwk.json",
        "A192" => "aes-192kw.jwk.json",
        _ => "aes-256kw.jwk.json",
    };
    Key::from_bytes(&std::fs::read(format!("{KEYS}/{file}")).unwrap()).unwrap()
}

/// The kinds a substitution may give, by where it lands.
fn allowed(segment: usize, last_with_unused_bits: bool, code: &str) -> bool {
    if last_with_unused_bits {
        // Same bytes as the original: only the canonical-encoding rule can catch it.
        return code == "base64_noncanonical";
    }
    match segment {
        // The header: it no longer decodes, is no longer JSON, names another alg, enc or kid, or
        // still parses and then fails as AAD.
        0 => !matches!(code, "base64_noncanonical"),
        // Key, IV, ciphertext, tag: the same lengths, so every check before the crypto passes and
        // the unwrap or the tag fails.
        _ => code == "decryption_failed",
    }
}

#[test]
fn every_single_character_substitution_fails_to_open() {
    let doc = Document::new(
        Secret::new("s"),
        vec![Version::new("v1", "s", SecretValue::string("tamper me")).with_stages(["SYSCURRENT"])],
    );
    let prefix_len = 1 + PREFIX_LONG.len();
    let (mut total, mut noncanonical) = (0, 0);
    let mut by_code: BTreeMap<&'static str, usize> = BTreeMap::new();
    for enc in Enc::ALL {
        let key = key_for(enc);
        let blob = seal(&doc, &key, &SealOptions { enc, ..SealOptions::default() }).unwrap();
        assert_eq!(open(&blob, &key, &OpenOptions::default()).unwrap(), doc, "{enc}: the untouched blob opens");
        let jwe = &blob[prefix_len..];
        // Where each segment ends, and whether its last character has unused bits.
        let mut segment_of = Vec::with_capacity(jwe.len());
        let mut last_unused = vec![false; jwe.len()];
        let mut start = 0;
        for (s, seg) in jwe.split('.').enumerate() {
            segment_of.extend(std::iter::repeat_n(s, seg.len() + 1));
            if !seg.is_empty() && seg.len() % 4 != 0 {
                last_unused[start + seg.len() - 1] = true;
            }
            start += seg.len() + 1;
        }
        let mut positions = 0;
        for i in 0..jwe.len() {
            let c = jwe.as_bytes()[i];
            let replacement = if c == b'.' {
                b'A'
            } else {
                let at = ALPHABET.iter().position(|&a| a == c).unwrap();
                ALPHABET[(at + 1) % 64]
            };
            let mut tampered = blob.clone().into_bytes();
            tampered[prefix_len + i] = replacement;
            let tampered = String::from_utf8(tampered).unwrap();
            let err = open(&tampered, &key, &OpenOptions::default())
                .map(|_| ())
                .expect_err(&format!("{enc}: the blob opened with position {i} changed"));
            let code = err.code();
            if c == b'.' {
                // Two segments merge: four are left.
                assert_eq!(code, "truncated", "{enc}: dot at {i}");
            } else {
                assert!(
                    allowed(segment_of[i], last_unused[i], code),
                    "{enc}: position {i} (segment {}): {code}",
                    segment_of[i]
                );
            }
            if last_unused[i] {
                noncanonical += 1;
            }
            *by_code.entry(code).or_default() += 1;
            positions += 1;
        }
        assert_eq!(positions, jwe.len(), "{enc}: every position of the JWE");
        total += positions;
    }
    eprintln!("{total} tampered blobs ({noncanonical} at a last character with unused bits), none opened: {by_code:?}");
    assert!(total > 6 * 300, "{total}");
    assert!(noncanonical >= 6 * 3, "{noncanonical}: the non-canonical positions were not reached");
}

/// Stronger still, for one CBC-HMAC and one GCM blob: all 63 other characters at every position
/// inside a segment. In a last character with `n` unused bits, a character with any of them set is
/// non-canonical (refused by parse, whether or not the used bits changed); one with them clear
/// changes the bytes, and the crypto refuses it.
#[test]
fn every_other_character_at_every_position_fails_to_open() {
    let doc = Document::new(Secret::new("s"), vec![Version::new("v1", "s", SecretValue::string("x"))]);
    let prefix_len = 1 + PREFIX_LONG.len();
    let mut total = 0;
    for enc in [Enc::A128CbcHs256, Enc::A256Gcm] {
        let key = key_for(enc);
        let blob = seal(&doc, &key, &SealOptions { enc, ..SealOptions::default() }).unwrap();
        let jwe = &blob[prefix_len..];
        let mut substitutions = 0;
        let mut offset = prefix_len;
        for (s, seg) in jwe.split('.').enumerate() {
            // Unused bits in the last character: 4 for a length of 4k+2, 2 for 4k+3.
            let unused = match seg.len() % 4 {
                2 => 4,
                3 => 2,
                _ => 0,
            };
            for (i, &c) in seg.as_bytes().iter().enumerate() {
                for &r in ALPHABET.iter().filter(|&&r| r != c) {
                    let mut tampered = blob.clone().into_bytes();
                    tampered[offset + i] = r;
                    let tampered = String::from_utf8(tampered).unwrap();
                    let err = open(&tampered, &key, &OpenOptions::default()).map(|_| ()).expect_err("opened");
                    let value = ALPHABET.iter().position(|&a| a == r).unwrap();
                    let last = i + 1 == seg.len();
                    let code = err.code();
                    if last && unused > 0 && value & ((1 << unused) - 1) != 0 {
                        assert_eq!(code, "base64_noncanonical", "{enc}: segment {s}, last character {}", r as char);
                    } else if s > 0 {
                        assert_eq!(code, "decryption_failed", "{enc}: segment {s}, position {i}, {}", r as char);
                    } else {
                        assert_ne!(code, "base64_noncanonical", "{enc}: header position {i}");
                    }
                    substitutions += 1;
                }
            }
            offset += seg.len() + 1;
        }
        assert_eq!(substitutions, (jwe.len() - 4) * 63, "{enc}: every character but the four dots, 63 ways");
        total += substitutions;
    }
    eprintln!("{total} substitutions, none opened");
}
