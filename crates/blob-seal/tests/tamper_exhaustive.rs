//! Exhaustive tampering: for a small valid blob of each `enc`, every single-character substitution
//! at every position of the JWE part fails to open. The positions are counted, so the test cannot
//! pass on an empty loop.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{Enc, PREFIX_LONG};
use blob_seal::document::{Document, Secret, SecretValue, Version};
use blob_seal::keys::Key;
use blob_seal::{open, seal, OpenOptions, SealOptions};

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[test]
fn every_single_character_substitution_fails_to_open() {
    let key = Key::from_oct(&[0x42; 16]).unwrap().with_kid("t");
    let doc = Document::new(Secret::new("s"), vec![Version::new("v1", "s", SecretValue::string("x"))]);
    let jwe_at = 1 + PREFIX_LONG.len();
    let mut total = 0;
    for enc in Enc::ALL {
        let blob = seal(&doc, &key, &SealOptions { enc, ..SealOptions::default() }).unwrap();
        assert_eq!(open(&blob, &key, &OpenOptions::default()).unwrap(), doc);
        let bytes = blob.as_bytes();
        let mut positions = 0;
        for i in jwe_at..bytes.len() {
            if bytes[i] == b'.' {
                continue;
            }
            // The next character of the alphabet: always a different 6-bit value.
            let at = ALPHABET.iter().position(|&c| c == bytes[i]).unwrap();
            let mut tampered = bytes.to_vec();
            tampered[i] = ALPHABET[(at + 1) % 64];
            let tampered = String::from_utf8(tampered).unwrap();
            assert!(open(&tampered, &key, &OpenOptions::default()).is_err(), "{enc}: position {i} opened");
            positions += 1;
        }
        let jwe = &blob[jwe_at..];
        assert_eq!(positions, jwe.len() - 4, "{enc}: every character but the four dots");
        total += positions;
    }
    eprintln!("{total} tampered blobs, none opened");
    assert!(total > 6 * 150);
}
