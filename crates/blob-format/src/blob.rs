//! The parsed, borrowed view of a blob, and the strict parser.

use std::fmt;

use serde::Serialize;

use crate::walk::{self, Sink};
use crate::{b64, Envelope, Error, ErrorKind, Header, Part};

/// The format prefix written after the marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Prefix {
    /// `CloudSecretManagementBackupV1.huaweicloud.com`, as on the English API page. Written by default.
    Long,
    /// `CloudSecretManagementBackupV1.com`, as in the API Explorer definitions. Read, and written on request.
    Short,
}

/// The long prefix, written by default.
pub const PREFIX_LONG: &str = "CloudSecretManagementBackupV1.huaweicloud.com";
/// The short prefix, read always and written on request.
pub const PREFIX_SHORT: &str = "CloudSecretManagementBackupV1.com";

impl Prefix {
    /// The prefix text.
    pub const fn as_str(self) -> &'static str {
        match self {
            Prefix::Long => PREFIX_LONG,
            Prefix::Short => PREFIX_SHORT,
        }
    }

    /// The prefix that `s` starts with, if any.
    pub fn find(s: &str) -> Option<Prefix> {
        // Long first: the two share "CloudSecretManagementBackupV1.".
        [Prefix::Long, Prefix::Short].into_iter().find(|p| s.starts_with(p.as_str()))
    }
}

/// The byte before the prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Marker {
    /// `)` (0x29), as the published examples have it. Written by default.
    Published,
    /// The prefix's length (0x2D for the long prefix, 0x21 for the short one), as a
    /// length-prefixed string writer would emit it (the Azure Key Vault convention).
    Length,
}

/// The published marker byte, `)`.
pub const MARKER: u8 = b')';

impl Marker {
    /// The marker byte in front of `prefix`.
    pub const fn byte(self, prefix: Prefix) -> u8 {
        match self {
            Marker::Published => MARKER,
            // Both prefixes are shorter than 128 bytes.
            Marker::Length => prefix.as_str().len() as u8,
        }
    }

    /// Which marker `c` is in front of `prefix`, if it is one.
    pub fn classify(c: char, prefix: Prefix) -> Option<Marker> {
        [Marker::Published, Marker::Length].into_iter().find(|m| u32::from(m.byte(prefix)) == u32::from(c))
    }
}

/// Limits applied before anything is decoded. The defaults are safe for a server that takes blobs
/// from strangers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The whole input, JSON body included, in bytes. Default 12 MiB: the service's largest secret
    /// (20 versions of 64 KiB, binary) makes a blob of about 2.3 MB, and the largest document that
    /// `blob-seal`'s default limits admit (8 MiB, string values escaped in the worst way) makes
    /// one of 10.7 MiB.
    pub max_input_len: usize,
    /// The header segment, in characters. Default 4096: the service's header is 120.
    pub max_header_len: usize,
    /// JSON nesting depth in the header. Default 8: the service's header is flat (depth 1).
    pub max_header_depth: usize,
}

impl Limits {
    /// The default limits (see each field).
    pub const DEFAULT: Limits = Limits { max_input_len: 12 << 20, max_header_len: 4096, max_header_depth: 8 };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// One base64url segment of the JWE, borrowed from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    part: Part,
    text: &'a str,
    offset: usize,
}

impl<'a> Segment<'a> {
    /// Which segment this is.
    pub fn part(&self) -> Part {
        self.part
    }

    /// The base64url text, exactly as in the input.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Character offset of the segment's first character in the whole input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Length of the decoded bytes, known without decoding.
    pub fn decoded_len(&self) -> usize {
        b64::decoded_len(self.text.len())
    }

    /// Decodes the segment.
    pub fn decode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.decoded_len());
        self.decode_into(&mut out);
        out
    }

    /// Decodes the segment, appending to `out` (to reuse a buffer, or to decode into a zeroizing one).
    pub fn decode_into(&self, out: &mut Vec<u8>) {
        // `parse` validated the text as canonical base64url, which the decoder accepts.
        let before = out.len();
        if b64::decode_into(self.text, out).is_err() {
            out.truncate(before);
        }
    }
}

/// A parsed blob: a borrowed view of the input with a typed header.
///
/// Made by [`parse`] (or [`parse_with`]); every rule of the format has been checked, so every
/// segment decodes and has the length its header implies.
#[derive(Clone, Debug)]
pub struct Blob<'a> {
    blob: &'a str,
    envelope: Envelope,
    marker: Marker,
    prefix: Prefix,
    header: Header,
    segments: [Segment<'a>; 5],
}

impl<'a> Blob<'a> {
    /// The blob text (marker, prefix, JWE) exactly as in the input, without envelope or whitespace.
    /// Serializing a parsed blob gives exactly this.
    pub fn as_str(&self) -> &'a str {
        self.blob
    }

    /// The compact JWE part (after marker and prefix).
    pub fn jwe(&self) -> &'a str {
        let skip = self.blob.len().saturating_sub(self.jwe_len());
        self.blob.get(skip..).unwrap_or("")
    }

    fn jwe_len(&self) -> usize {
        self.segments.iter().map(|s| s.text.len() + 1).sum::<usize>() - 1
    }

    /// How the blob was wrapped in the input.
    pub fn envelope(&self) -> Envelope {
        self.envelope
    }

    /// The marker byte that was seen.
    pub fn marker(&self) -> Marker {
        self.marker
    }

    /// The prefix that was seen.
    pub fn prefix(&self) -> Prefix {
        self.prefix
    }

    /// The typed protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The JWE additional authenticated data: the ASCII of the header segment exactly as it stands
    /// in the blob (RFC 7516 section 5.1 step 14), never a re-serialization of the parsed header.
    pub fn aad(&self) -> &'a [u8] {
        self.segments[0].text.as_bytes()
    }

    /// The header segment.
    pub fn header_segment(&self) -> Segment<'a> {
        self.segments[0]
    }

    /// The encrypted (wrapped) content-encryption key.
    pub fn encrypted_key(&self) -> Segment<'a> {
        self.segments[1]
    }

    /// The initialisation vector.
    pub fn iv(&self) -> Segment<'a> {
        self.segments[2]
    }

    /// The ciphertext.
    pub fn ciphertext(&self) -> Segment<'a> {
        self.segments[3]
    }

    /// The authentication tag.
    pub fn tag(&self) -> Segment<'a> {
        self.segments[4]
    }

    /// The five segments in order.
    pub fn segments(&self) -> &[Segment<'a>; 5] {
        &self.segments
    }
}

impl fmt::Display for Blob<'_> {
    /// Writes the blob exactly as it was read.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.blob)
    }
}

/// Parses an input with the [default limits](Limits::DEFAULT): a bare blob or an API JSON body,
/// with surrounding whitespace.
///
/// Strict: the first broken rule is returned as an [`Error`] naming the part and the character
/// offset in `input`.
///
/// ```
/// let blob = blob_format::Builder::new(blob_format::Header::new(
///     blob_format::Alg::A128Kw, blob_format::Enc::A128Gcm).with_kid("k1"))
///     .encrypted_key(&[7; 24]).iv(&[1; 12]).ciphertext(b"ciphertext").tag(&[2; 16])
///     .to_string();
/// let body = format!("{{\"secret_blob\": \"{blob}\"}}\n");
/// let parsed = blob_format::parse(&body)?;
/// assert_eq!(parsed.as_str(), blob);
/// assert_eq!(parsed.header().kid(), Some("k1"));
/// assert_eq!(parsed.iv().decode(), vec![1; 12]);
/// # Ok::<(), blob_format::Error>(())
/// ```
pub fn parse(input: &str) -> Result<Blob<'_>, Error> {
    parse_with(input, &Limits::DEFAULT)
}

/// [`parse`] with explicit limits.
pub fn parse_with<'a>(input: &'a str, limits: &Limits) -> Result<Blob<'a>, Error> {
    walk_strict(input, limits, Sink::strict())
}

/// Walks `input` with a strict sink and builds the [`Blob`] from a clean walk.
fn walk_strict<'a>(input: &'a str, limits: &Limits, mut sink: Sink) -> Result<Blob<'a>, Error> {
    let (w, _) = walk::walk(input, limits, &mut sink);
    if let Some(e) = sink.first_error() {
        return Err(e);
    }
    let text = w.text;
    let (blob, _) = w.blob.ok_or_else(|| internal("blob"))?;
    let (_, marker, _) = w.marker.ok_or_else(|| internal("marker"))?;
    let (prefix, _) = w.prefix.ok_or_else(|| internal("prefix"))?;
    let header = w.jwe.header.ok_or_else(|| internal("header"))?;
    let seg = |i: usize| {
        w.jwe
            .segments
            .get(i)
            .map(|s| Segment { part: s.part, text: s.text, offset: text.chars(s.start) })
            .ok_or_else(|| internal("segment"))
    };
    Ok(Blob {
        blob,
        envelope: w.envelope.unwrap_or(Envelope::Bare),
        marker: marker.ok_or_else(|| internal("marker kind"))?,
        prefix,
        header,
        segments: [seg(0)?, seg(1)?, seg(2)?, seg(3)?, seg(4)?],
    })
}

/// An error for a state a clean walk cannot leave; reported rather than assumed away.
fn internal(what: &str) -> Error {
    Error {
        kind: ErrorKind::InvalidJson { reason: format!("internal: {what} missing after a clean walk") },
        part: Part::Input,
        offset: 0,
    }
}

/// Parses like [`parse_with`], except that the ciphertext segment's base64url alphabet is left for
/// the strict decoder to check when [`DeferredCiphertext::decode_ciphertext`] decodes it.
///
/// For an opener, which decodes the ciphertext anyway: the largest segment is then read once
/// rather than twice (a scan, then the decoder), and the segments are found from both ends of the
/// JWE rather than by a scan for dots. Nothing is weakened, and the errors are `parse_with`'s:
/// - every other rule is checked here, in `parse_with`'s order;
/// - the decoder (no padding, canonical trailing bits) refuses exactly the ciphertexts that
///   `parse_with` refuses for their text (a bad character, `=`, whitespace, a length of 4k+1, a
///   non-canonical last character, and a dot, which makes extra segments);
/// - whenever this function or the decoding fails, the input is parsed again with [`parse_with`]
///   and its error, the same [`ErrorKind`], [`Part`] and character offset, is returned.
///
/// So `parse_deferring_ciphertext(input, limits).and_then(DeferredCiphertext::decode_ciphertext)`
/// succeeds exactly when `parse_with(input, limits)` does, with the same blob, or fails with the
/// same error.
pub fn parse_deferring_ciphertext<'a>(input: &'a str, limits: &Limits) -> Result<DeferredCiphertext<'a>, Error> {
    match walk_strict(input, limits, Sink::strict_deferring_ciphertext()) {
        Ok(blob) => Ok(DeferredCiphertext { blob, input, limits: *limits }),
        // The full walk names the first broken rule, which may lie in the ciphertext's text.
        Err(_) => Err(parse_with(input, limits).err().unwrap_or_else(|| internal("deferred walk error"))),
    }
}

/// A blob that [`parse_deferring_ciphertext`] checked by every rule but the ciphertext's
/// base64url text. It gives no access to the segments until that is checked too, by
/// [`DeferredCiphertext::decode_ciphertext`] or [`DeferredCiphertext::check`].
#[derive(Clone, Debug)]
pub struct DeferredCiphertext<'a> {
    blob: Blob<'a>,
    input: &'a str,
    limits: Limits,
}

impl<'a> DeferredCiphertext<'a> {
    /// The typed protected header (checked).
    pub fn header(&self) -> &Header {
        &self.blob.header
    }

    /// The length the ciphertext decodes to, known from its length alone (so that a bound on it
    /// can be checked before anything is decoded).
    pub fn ciphertext_decoded_len(&self) -> usize {
        self.blob.ciphertext().decoded_len()
    }

    /// The encrypted key segment, checked like every segment but the ciphertext: so that a key can
    /// be unwrapped while the ciphertext is still being decoded.
    pub fn encrypted_key(&self) -> Segment<'a> {
        self.blob.encrypted_key()
    }

    /// Decodes the ciphertext with the strict decoder, completing the checks of [`parse_with`]:
    /// the blob and the decoded ciphertext, or `parse_with`'s error for this input.
    pub fn decode_ciphertext(self) -> Result<(Blob<'a>, Vec<u8>), Error> {
        let segment = self.blob.ciphertext();
        let mut out = Vec::with_capacity(segment.decoded_len());
        match b64::decode_into(segment.as_str(), &mut out) {
            Ok(()) => Ok((self.blob, out)),
            Err(_) => Err(self.full_parse_error(segment)),
        }
    }

    /// Completes the checks of [`parse_with`] with the scan of the ciphertext's text, without
    /// decoding it: for a caller that refuses the blob on other grounds (its size, say) but must
    /// first report a format error as `parse_with` would.
    pub fn check(self) -> Result<Blob<'a>, Error> {
        let segment = self.blob.ciphertext();
        match b64::validate(segment.as_str()) {
            Ok(()) => Ok(self.blob),
            Err(_) => Err(self.full_parse_error(segment)),
        }
    }

    /// The error `parse_with` reports for this input, whose ciphertext text is refused.
    fn full_parse_error(&self, segment: Segment<'_>) -> Error {
        // Validation and the decoder agree, so the full parse fails; should it not, the ciphertext
        // is still refused rather than passed on.
        parse_with(self.input, &self.limits).err().unwrap_or(Error {
            kind: ErrorKind::NonCanonical,
            part: Part::Ciphertext,
            offset: segment.offset(),
        })
    }
}

/// Parses bytes (a file's content, say): refuses non-UTF-8 input with the offset of the first
/// bad byte, then [`parse_with`].
pub fn parse_bytes<'a>(input: &'a [u8], limits: &Limits) -> Result<Blob<'a>, Error> {
    parse_with(as_text(input, limits)?, limits)
}

/// The input as text, or an error naming the size or the first non-UTF-8 byte.
pub fn as_text<'a>(input: &'a [u8], limits: &Limits) -> Result<&'a str, Error> {
    if input.len() > limits.max_input_len {
        let kind = ErrorKind::InputTooLarge { len: input.len(), max: limits.max_input_len };
        return Err(Error { kind, part: Part::Input, offset: 0 });
    }
    std::str::from_utf8(input).map_err(|e| {
        let offset =
            input.get(..e.valid_up_to()).and_then(|b| std::str::from_utf8(b).ok()).map_or(0, |s| s.chars().count());
        Error { kind: ErrorKind::NotUtf8, part: Part::Input, offset }
    })
}

/// Parses exactly a bare blob: no envelope, no surrounding whitespace. For callers (and fuzzers)
/// that need "parse succeeds" to mean "these bytes are a blob".
pub fn parse_blob(blob: &str) -> Result<Blob<'_>, Error> {
    // Anything `parse` would strip or unwrap is, for a bare blob, a character out of place.
    let stripped = |c: char| c.is_whitespace() || c == '{' || c == '[';
    if let Some(found) = blob.chars().next().filter(|&c| stripped(c)) {
        let (kind, part) = if found.is_whitespace() {
            (ErrorKind::Whitespace { found }, Part::Input)
        } else {
            (ErrorKind::UnknownMarker { found }, Part::Marker)
        };
        return Err(Error { kind, part, offset: 0 });
    }
    if let Some(found) = blob.chars().next_back().filter(|c| c.is_whitespace()) {
        let offset = blob.chars().count() - 1;
        return Err(Error { kind: ErrorKind::Whitespace { found }, part: Part::Input, offset });
    }
    parse(blob)
}
