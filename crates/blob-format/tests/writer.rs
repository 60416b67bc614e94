//! `BlobWriter` writes exactly what `assemble` writes, however the ciphertext is cut into pieces.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use blob_format::{assemble, BlobWriter, Marker, Prefix, WriteOptions};
use proptest::prelude::*;

const HEADER: &str = "eyJraWQiOiJrIiwiZW5jIjoiQTEyOENCQy1IUzI1NiIsImFsZyI6IlJTQS1PQUVQLTI1NiJ9";

fn written(options: &WriteOptions, ciphertext: &[u8], cuts: &[usize], hint: usize) -> String {
    let (key, iv, tag) = ([9u8; 256], [8u8; 16], [7u8; 16]);
    let mut writer = BlobWriter::new(options, HEADER, &key, &iv, hint, tag.len());
    let mut rest = ciphertext;
    for &cut in cuts {
        let (piece, tail) = rest.split_at(cut.min(rest.len()));
        writer.push_ciphertext(piece);
        rest = tail;
    }
    writer.push_ciphertext(rest);
    writer.finish(&tag)
}

fn assembled(options: &WriteOptions, ciphertext: &[u8]) -> String {
    assemble(options, HEADER, &[9u8; 256], &[8u8; 16], ciphertext, &[7u8; 16])
}

#[test]
fn every_split_of_short_ciphertexts() {
    let options = WriteOptions::default();
    for len in 0..12usize {
        let ciphertext: Vec<u8> = (0..len).map(|i| (i * 89 + 3) as u8).collect();
        let expected = assembled(&options, &ciphertext);
        // Every way of cutting into up to three pieces, empty pieces included.
        for a in 0..=len {
            for b in a..=len {
                assert_eq!(written(&options, &ciphertext, &[a, b - a], len), expected, "len {len}, cuts {a} {b}");
            }
        }
    }
}

#[test]
fn capacity_hint_is_only_a_hint() {
    let options = WriteOptions { marker: Marker::Length, prefix: Prefix::Short };
    let ciphertext = vec![0xA5u8; 1008];
    let expected = assembled(&options, &ciphertext);
    for hint in [0, 1007, 1008, 1009, 1 << 20] {
        assert_eq!(written(&options, &ciphertext, &[333, 1, 1], hint), expected);
    }
    assert!(blob_format::parse(&expected).is_ok());
}

proptest! {
    #[test]
    fn pieces_write_what_assemble_writes(
        ciphertext in proptest::collection::vec(any::<u8>(), 0..2000),
        cuts in proptest::collection::vec(0usize..70, 0..40),
    ) {
        let options = WriteOptions::default();
        prop_assert_eq!(written(&options, &ciphertext, &cuts, ciphertext.len()), assembled(&options, &ciphertext));
    }
}
