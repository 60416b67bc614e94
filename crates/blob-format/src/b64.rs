//! Strict base64url (RFC 4648 section 5, no padding) as compact JWE requires it.
//!
//! Validation is a separate pass from decoding so that `parse` can check every segment, with the
//! offset of the first bad character, without allocating; decoding happens on demand.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::ErrorKind;

/// Whether `b` is in the base64url alphabet. Written as range compares so the scan vectorises.
#[inline(always)]
const fn is_alphabet(b: u8) -> bool {
    b.is_ascii_alphanumeric() | (b == b'-') | (b == b'_')
}

/// The 6-bit value of a base64url alphabet character.
#[inline]
const fn value(b: u8) -> u8 {
    match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'-' => 62,
        _ => 63,
    }
}

/// Index of the first byte outside the alphabet, if any.
fn first_invalid(bytes: &[u8]) -> Option<usize> {
    // Check whole chunks without early exit (vectorised), then locate the culprit.
    const CHUNK: usize = 256;
    let mut start = 0;
    for chunk in bytes.chunks(CHUNK) {
        let ok = chunk.iter().fold(true, |ok, &b| ok & is_alphabet(b));
        if !ok {
            return chunk.iter().position(|&b| !is_alphabet(b)).map(|i| start + i);
        }
        start += chunk.len();
    }
    None
}

/// Checks that `segment` is canonical unpadded base64url.
///
/// On failure returns the byte index within `segment` of the problem and its kind. The index is
/// of the first offending character, or of the last character for a non-canonical ending, or of
/// the segment start for a bad length (the whole segment is at fault).
pub(crate) fn validate(segment: &str) -> Result<(), (usize, ErrorKind)> {
    let bytes = segment.as_bytes();
    if let Some(i) = first_invalid(bytes) {
        // Report the character, not a byte of it.
        let found = segment.get(i..).and_then(|s| s.chars().next()).unwrap_or('\u{FFFD}');
        let kind = match found {
            '=' => ErrorKind::Padding,
            c if c.is_whitespace() => ErrorKind::Whitespace { found: c },
            c => ErrorKind::BadCharacter { found: c },
        };
        return Err((i, kind));
    }
    let len = bytes.len();
    if len % 4 == 1 {
        return Err((0, ErrorKind::BadLength { len }));
    }
    // The unused low bits of the last character must be zero: 4 bits when 2 characters
    // remain, 2 bits when 3 remain.
    let unused_mask = match len % 4 {
        2 => 0x0F,
        3 => 0x03,
        _ => 0,
    };
    if let Some(&last) = bytes.last() {
        if value(last) & unused_mask != 0 {
            return Err((len - 1, ErrorKind::NonCanonical));
        }
    }
    Ok(())
}

/// Decoded length of a validated segment of `chars` characters.
pub(crate) const fn decoded_len(chars: usize) -> usize {
    chars / 4 * 3
        + match chars % 4 {
            2 => 1,
            3 => 2,
            _ => 0,
        }
}

/// Encoded length of `bytes` bytes.
pub const fn encoded_len(bytes: usize) -> usize {
    bytes / 3 * 4
        + match bytes % 3 {
            1 => 2,
            2 => 3,
            _ => 0,
        }
}

/// Decodes a segment that [`validate`] accepted, appending to `out`.
pub(crate) fn decode_into(segment: &str, out: &mut Vec<u8>) -> Result<(), base64::DecodeError> {
    URL_SAFE_NO_PAD.decode_vec(segment, out)
}

/// Encodes `bytes` as unpadded base64url, appending to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out);
}

/// Encodes `bytes` as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn canonical_endings() {
        assert!(validate("").is_ok());
        assert!(validate("QQ").is_ok()); // "A"
        assert_eq!(validate("QR").unwrap_err(), (1, ErrorKind::NonCanonical));
        assert!(validate("QUE").is_ok()); // "AA"
        assert_eq!(validate("QUF").unwrap_err(), (2, ErrorKind::NonCanonical));
        assert_eq!(validate("QUFBQ").unwrap_err(), (0, ErrorKind::BadLength { len: 5 }));
        assert_eq!(validate("QQ==").unwrap_err(), (2, ErrorKind::Padding));
        assert_eq!(validate("Q Q").unwrap_err(), (1, ErrorKind::Whitespace { found: ' ' }));
        assert_eq!(validate("Q+Q").unwrap_err(), (1, ErrorKind::BadCharacter { found: '+' }));
        assert_eq!(validate("Qé").unwrap_err(), (1, ErrorKind::BadCharacter { found: 'é' }));
    }

    #[test]
    fn validate_agrees_with_the_decoder() {
        for n in 0..70usize {
            let data: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let enc = encode(&data);
            assert_eq!(enc.len(), encoded_len(n));
            assert_eq!(decoded_len(enc.len()), n);
            assert!(validate(&enc).is_ok());
            let mut out = Vec::new();
            decode_into(&enc, &mut out).unwrap();
            assert_eq!(out, data);
        }
        // Every two-character string: validate accepts exactly what the strict decoder accepts.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for &a in alphabet {
            for &b in alphabet {
                let s = String::from_utf8(vec![a, b, b'Q', b'Q', a, b]).unwrap();
                let mut out = Vec::new();
                assert_eq!(validate(&s).is_ok(), decode_into(&s, &mut out).is_ok(), "{s}");
            }
        }
    }

    #[test]
    fn invalid_found_beyond_first_chunk() {
        let mut s = "A".repeat(1000);
        s.push('.');
        s.push_str("AAA");
        assert_eq!(validate(&s).unwrap_err().0, 1000);
    }
}
