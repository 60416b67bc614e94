//! `parse_deferring_ciphertext` + `decode_ciphertext` (the opener's path, which leaves the
//! ciphertext's alphabet to the strict decoder) against `parse_with` (which scans it first): the
//! same blob, or the same error (kind, part, character offset), for every input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{parse_deferring_ciphertext, parse_with, Alg, Builder, Enc, Error, Header, Limits};
use proptest::prelude::*;

/// The deferred path's outcome in `parse_with`'s terms: the blob text and the decoded ciphertext.
fn deferred(input: &str, limits: &Limits) -> Result<(String, Vec<u8>), Error> {
    let (blob, ciphertext) = parse_deferring_ciphertext(input, limits)?.decode_ciphertext()?;
    Ok((blob.as_str().to_owned(), ciphertext))
}

fn full(input: &str, limits: &Limits) -> Result<(String, Vec<u8>), Error> {
    parse_with(input, limits).map(|b| (b.as_str().to_owned(), b.ciphertext().decode()))
}

/// Both deferred forms (decode, and check without decoding) agree with `parse_with`.
fn assert_same(input: &str) {
    let limits = Limits::DEFAULT;
    let want = full(input, &limits);
    assert_eq!(deferred(input, &limits), want, "decode_ciphertext on {input:?}");
    let checked = parse_deferring_ciphertext(input, &limits).and_then(|d| d.check()).map(|b| b.as_str().to_owned());
    assert_eq!(checked, want.map(|(b, _)| b), "check on {input:?}");
}

/// A valid blob with a ciphertext of `ct_len` bytes (CBC: a multiple of 16; GCM: any length).
fn blob(enc: Enc, ct_len: usize) -> String {
    let header = Header::new(Alg::A128Kw, enc).with_kid("k1");
    let ct: Vec<u8> = (0..ct_len).map(|i| (i * 37 + 5) as u8).collect();
    Builder::new(header)
        .encrypted_key(&vec![7; enc.cek_len() + 8])
        .iv(&vec![1; enc.iv_len()])
        .ciphertext(&ct)
        .tag(&vec![2; enc.tag_len()])
        .to_string()
}

/// Byte range of the ciphertext segment in `blob`.
fn ciphertext_range(blob: &str) -> (usize, usize) {
    let ciphertext = blob_format::parse(blob).unwrap().ciphertext();
    (ciphertext.offset(), ciphertext.offset() + ciphertext.as_str().len())
}

/// Every single-character corruption class, at the start, in the middle and at the end of the
/// ciphertext: the same error from both paths, which is the error the full scan names.
#[test]
fn every_corruption_class_in_the_ciphertext() {
    for enc in [Enc::A128CbcHs256, Enc::A256Gcm] {
        // GCM ciphertext lengths 30, 31, 32 bytes: 40, 42, 43 characters (all three endings).
        for ct_len in [32, 48, 30, 31] {
            if enc.is_cbc_hmac() && ct_len % 16 != 0 {
                continue;
            }
            let good = blob(enc, ct_len);
            assert_same(&good);
            let (start, end) = ciphertext_range(&good);
            let positions = [start, start + 1, (start + end) / 2, end - 2, end - 1];
            for &at in &positions {
                for replacement in ["+", "/", "=", " ", "\t", "\n", "\u{e9}", "\u{4e2d}", "*", ".", "\"", "\0"] {
                    let mut bad = good.clone();
                    bad.replace_range(at..at + 1, replacement);
                    assert_same(&bad);
                    let mut inserted = good.clone();
                    inserted.insert_str(at, replacement);
                    assert_same(&inserted);
                }
                // 4k+1 and other lengths: one character more or less.
                let mut longer = good.clone();
                longer.insert(at, 'A');
                assert_same(&longer);
                let mut shorter = good.clone();
                shorter.remove(at);
                assert_same(&shorter);
            }
            // Padding at the end, and every last character (canonical or not).
            for pad in ["=", "==", "A=", "AA=="] {
                let mut padded = good.clone();
                padded.insert_str(end, pad);
                assert_same(&padded);
            }
            for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".chars() {
                let mut last = good.clone();
                last.replace_range(end - 1..end, c.encode_utf8(&mut [0; 4]));
                assert_same(&last);
            }
        }
    }
}

/// The errors really are the scan's: a sample checked by code, part and offset.
#[test]
fn the_errors_are_the_full_scans() {
    let good = blob(Enc::A128CbcHs256, 48);
    let (start, end) = ciphertext_range(&good);
    let cases = [
        (start + 3, "+", "base64_character", start + 3),
        (start + 5, "=", "base64_padding", start + 5),
        (start + 7, " ", "base64_whitespace", start + 7),
        (end - 1, "B", "base64_noncanonical", end - 1),
    ];
    for (at, with, code, offset) in cases {
        let mut bad = good.clone();
        bad.replace_range(at..at + 1, with);
        if code == "base64_noncanonical" {
            // 48 bytes are 64 characters: drop one to leave 3 characters in the last group.
            bad.remove(at - 1);
        }
        let e = deferred(&bad, &Limits::DEFAULT).unwrap_err();
        let offset = if code == "base64_noncanonical" { offset - 1 } else { offset };
        assert_eq!((e.kind.code(), e.part.code(), e.offset), (code, "ciphertext", offset), "{bad}");
    }
    // 4k+1 characters: the whole segment, at its start.
    let mut bad = good.clone();
    bad.insert(start + 1, 'A');
    let e = deferred(&bad, &Limits::DEFAULT).unwrap_err();
    assert_eq!((e.kind.code(), e.part.code(), e.offset), ("base64_length", "ciphertext", start));
    // A dot in the ciphertext is a sixth segment, as parse says.
    let mut bad = good.clone();
    bad.replace_range(start + 4..start + 5, ".");
    assert_eq!(deferred(&bad, &Limits::DEFAULT).unwrap_err().kind.code(), "extra_segments");
}

/// Character offsets (not bytes) in an input with non-ASCII text before the blob, in a JSON body.
#[test]
fn offsets_count_characters_in_a_json_body() {
    let good = blob(Enc::A128Gcm, 31);
    let (start, _) = ciphertext_range(&good);
    for with in ["+", "\u{e9}", " "] {
        let mut bad = good.clone();
        bad.replace_range(start + 2..start + 3, with);
        let body = format!("{{\"note\": \"\u{4e2d}\u{6587}\", \"secret_blob\": \"{bad}\"}}");
        assert_same(&body);
    }
    assert_same(&format!("{{\"note\": \"\u{4e2d}\", \"secret_blob\": \"{good}\"}}"));
}

/// Inputs that break other rules too: the first one reported is the scan's, in its order.
#[test]
fn other_rules_keep_their_order() {
    let good = blob(Enc::A128CbcHs256, 32);
    let (start, end) = ciphertext_range(&good);
    let mut both = good.clone();
    both.replace_range(start + 1..start + 2, "+");
    // A tag of the wrong length after a bad ciphertext character: the character comes first.
    both.push_str("AAAA");
    assert_same(&both);
    assert_eq!(deferred(&both, &Limits::DEFAULT).unwrap_err().kind.code(), "base64_character");
    // Truncations, at every dot and everywhere in the ciphertext.
    for cut in (0..good.len()).filter(|&i| i <= start + 2 || i >= end - 2 || i % 7 == 0) {
        assert_same(&good[..cut]);
    }
    // Extra segments after the tag, an empty ciphertext, a missing prefix.
    assert_same(&format!("{good}.AAAA"));
    assert_same(&format!("{}{}", &good[..start], &good[end..]));
    assert_same(good.trim_start_matches(')'));
    // Too large: refused before anything, by both.
    let small = Limits { max_input_len: 100, ..Limits::DEFAULT };
    assert_eq!(deferred(&good, &small), full(&good, &small));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Random edits of a valid blob: both paths agree on everything.
    #[test]
    fn random_edits_agree(
        gcm in any::<bool>(),
        ct_blocks in 1usize..6,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, prop::sample::select(vec![
            "A", "Q", "_", "-", "+", "/", "=", " ", ".", "\u{e9}", "\"", "{", "\n",
        ])), 1..4),
    ) {
        let enc = if gcm { Enc::A192Gcm } else { Enc::A192CbcHs384 };
        let mut input = blob(enc, ct_blocks * 16 + usize::from(gcm));
        for (at, op, with) in edits {
            let mut i = at.index(input.len() + 1);
            while !input.is_char_boundary(i) {
                i -= 1;
            }
            match op {
                0 => input.insert_str(i, with),
                1 if i < input.len() => {
                    let end = i + input[i..].chars().next().map_or(0, char::len_utf8);
                    input.replace_range(i..end, with);
                }
                _ if i < input.len() => {
                    input.remove(i);
                }
                _ => {}
            }
        }
        let limits = Limits::DEFAULT;
        prop_assert_eq!(deferred(&input, &limits), full(&input, &limits), "{:?}", input);
    }
}

/// `parse` finds a well-formed JWE's segments from both ends; when that walk meets an error, the
/// error reported is still the one a front-to-back walk meets first: `inspect`'s first error.
#[test]
fn the_first_error_is_the_front_to_back_walks() {
    let good = blob(Enc::A128CbcHs256, 64);
    let (start, end) = ciphertext_range(&good);
    let mid = (start + end) / 2;
    let bad_header = good.replacen("eyJ", "eyK", 1);
    let cases = [
        // A dot in the ciphertext: six segments, not a bad character.
        format!("{}.{}", &good[..mid], &good[mid + 1..]),
        // Six segments and a bad header: the count is checked before the header.
        format!("{}.{}", &bad_header[..mid], &bad_header[mid + 1..]),
        // Two dots in the ciphertext, and one in the tag.
        format!("{}..{}", &good[..mid], &good[mid + 2..]).replacen('.', "", 0) + ".AA",
        // Bad characters in the ciphertext and in the tag.
        format!("{}*{}", &good[..mid], &good[mid + 1..]).replacen('.', "", 0) + "*",
        bad_header,
    ];
    for input in cases {
        let report = blob_format::inspect(&input);
        let first = report.findings.iter().find(|f| f.severity == blob_format::Severity::Error).expect("an error");
        let err = blob_format::parse(&input).expect_err(&input);
        assert_eq!((err.kind.code(), err.offset), (first.code, first.offset), "{input}");
        assert_same(&input);
    }
}
