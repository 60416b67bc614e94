//! The one walk over an input that both [`crate::parse`] and [`crate::inspect`] run.
//!
//! `parse` stops at the first error; `inspect` keeps going and collects every finding. Because
//! both run the same checks in the same order, `parse` succeeds exactly when `inspect` reports
//! no error.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::Value;

use crate::envelope::{self, Envelope};
use crate::{b64, Alg, Error, ErrorKind, Header, Limits, Marker, Part, Prefix, Severity, Sibling};

/// A finding as the walk produces it: an error carries its typed kind.
pub(crate) enum Issue {
    Error(Error),
    Note { severity: Severity, code: &'static str, part: Part, offset: usize, message: String },
}

/// Signals that a strict walk met its first error.
pub(crate) struct Stop;

/// Collects findings; in strict mode the first error stops the walk.
pub(crate) struct Sink {
    strict: bool,
    /// Leave the ciphertext segment's base64url alphabet unchecked (and find the segments from
    /// both ends rather than by a scan of the whole JWE). Only for
    /// [`crate::parse_deferring_ciphertext`], whose caller decodes the ciphertext with the strict
    /// decoder and, on any failure, runs the full walk for the error to report.
    defer_ciphertext: bool,
    pub issues: Vec<Issue>,
}

impl Sink {
    pub fn strict() -> Sink {
        Sink { strict: true, defer_ciphertext: false, issues: Vec::new() }
    }

    /// A strict sink whose walk leaves the ciphertext's alphabet to the decoder (see the field).
    pub fn strict_deferring_ciphertext() -> Sink {
        Sink { strict: true, defer_ciphertext: true, issues: Vec::new() }
    }

    pub fn collecting() -> Sink {
        Sink { strict: false, defer_ciphertext: false, issues: Vec::new() }
    }

    pub fn first_error(self) -> Option<Error> {
        self.issues.into_iter().find_map(|i| match i {
            Issue::Error(e) => Some(e),
            Issue::Note { .. } => None,
        })
    }
}

/// Maps byte offsets in the text being walked to character offsets in the whole input.
#[derive(Clone, Copy)]
pub(crate) struct Text<'a> {
    pub full: &'a str,
    ascii: bool,
}

impl<'a> Text<'a> {
    pub fn new(full: &'a str) -> Text<'a> {
        Text { full, ascii: full.is_ascii() }
    }

    pub fn chars(&self, byte: usize) -> usize {
        if self.ascii {
            byte
        } else {
            self.full.get(..byte).map_or(byte, |s| s.chars().count())
        }
    }
}

/// Reports an error; `Err(Stop)` when the walk must end.
fn error(sink: &mut Sink, text: Text<'_>, kind: ErrorKind, part: Part, byte: usize) -> Result<(), Stop> {
    sink.issues.push(Issue::Error(Error { kind, part, offset: text.chars(byte) }));
    if sink.strict {
        Err(Stop)
    } else {
        Ok(())
    }
}

/// Reports a warning or note (only when collecting: a strict walk has no use for them).
fn note(
    sink: &mut Sink,
    text: Text<'_>,
    severity: Severity,
    code: &'static str,
    part: Part,
    byte: usize,
    message: impl FnOnce() -> String,
) {
    if !sink.strict {
        let offset = text.chars(byte);
        sink.issues.push(Issue::Note { severity, code, part, offset, message: message() });
    }
}

/// One JWE segment as found.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Seg<'a> {
    pub part: Part,
    pub text: &'a str,
    /// Byte offset in the whole input.
    pub start: usize,
    /// Whether it is valid base64url (so its decoded length is known).
    pub valid: bool,
}

/// What a walk over a compact JWE found.
#[derive(Default)]
pub(crate) struct JweWalk<'a> {
    pub segments: Vec<Seg<'a>>,
    pub segment_count: usize,
    pub header_json: Option<String>,
    pub members: Option<Vec<(String, Value)>>,
    pub header: Option<Header>,
}

/// What a walk over a whole input found.
pub(crate) struct Walk<'a> {
    pub text: Text<'a>,
    pub envelope: Option<Envelope>,
    /// The blob text (envelope and whitespace removed) and its byte offset.
    pub blob: Option<(&'a str, usize)>,
    pub marker: Option<(char, Option<Marker>, usize)>,
    pub prefix: Option<(Prefix, usize)>,
    pub jwe: JweWalk<'a>,
    pub sibling: Option<SiblingWalk>,
}

/// A sibling format found instead of a CSMS blob, walked for its structure.
pub(crate) struct SiblingWalk {
    pub format: Sibling,
    /// The text walked: the input itself, or its base64url decoding (Azure's REST form).
    pub decoded: Option<String>,
    pub length_byte: u32,
    pub jwe_start: usize,
}

/// Walks `input`. The `Result` only says whether a strict walk stopped early.
pub(crate) fn walk<'a>(input: &'a str, limits: &Limits, sink: &mut Sink) -> (Walk<'a>, Result<(), Stop>) {
    let text = Text::new(input);
    let mut w =
        Walk { text, envelope: None, blob: None, marker: None, prefix: None, jwe: JweWalk::default(), sibling: None };
    let result = walk_input(&mut w, input, limits, sink);
    (w, result)
}

fn walk_input<'a>(w: &mut Walk<'a>, input: &'a str, limits: &Limits, sink: &mut Sink) -> Result<(), Stop> {
    let text = w.text;
    if input.len() > limits.max_input_len {
        // Refused before anything is decoded; even `inspect` goes no further.
        let kind = ErrorKind::InputTooLarge { len: input.len(), max: limits.max_input_len };
        error(sink, text, kind, Part::Input, 0)?;
        return Ok(());
    }
    let located = match envelope::locate(input) {
        Ok(l) => l,
        Err(e) => {
            error(sink, text, e.kind, e.part, e.byte)?;
            return Ok(());
        }
    };
    w.envelope = Some(located.envelope);
    w.blob = Some((located.text, located.start));
    walk_blob(w, located.text, located.start, limits, sink)
}

fn walk_blob<'a>(w: &mut Walk<'a>, blob: &'a str, start: usize, limits: &Limits, sink: &mut Sink) -> Result<(), Stop> {
    let text = w.text;
    let first = blob.chars().next().unwrap_or('\0');
    let after_first = blob.get(first.len_utf8()..).unwrap_or("");
    let (marker_len, prefix) = if Prefix::find(blob).is_some() {
        error(sink, text, ErrorKind::MissingMarker, Part::Marker, start)?;
        (0, Prefix::find(blob))
    } else {
        (first.len_utf8(), Prefix::find(after_first))
    };
    let Some(prefix) = prefix else {
        return unknown_prefix(w, blob, start, limits, sink);
    };
    if marker_len > 0 {
        let marker = Marker::classify(first, prefix);
        w.marker = Some((first, marker, start));
        match marker {
            Some(Marker::Published) => {}
            Some(Marker::Length) => note(sink, text, Severity::Note, "length_marker", Part::Marker, start, || {
                format!("marker byte 0x{:02x} is the prefix's length, not the published ')'", u32::from(first))
            }),
            None => {
                let other = match prefix {
                    Prefix::Long => Prefix::Short,
                    Prefix::Short => Prefix::Long,
                };
                let kind = if u32::from(first) == other.as_str().len() as u32 {
                    ErrorKind::MarkerMismatch { found: other.as_str().len() as u8 }
                } else {
                    ErrorKind::UnknownMarker { found: first }
                };
                error(sink, text, kind, Part::Marker, start)?;
            }
        }
    }
    let prefix_start = start + marker_len;
    w.prefix = Some((prefix, prefix_start));
    if prefix == Prefix::Short {
        note(sink, text, Severity::Note, "short_prefix", Part::Prefix, prefix_start, || {
            "short prefix CloudSecretManagementBackupV1.com (API Explorer edition of the docs)".into()
        });
    }
    let jwe_start = prefix_start + prefix.as_str().len();
    let jwe = blob.get(marker_len + prefix.as_str().len()..).unwrap_or("");
    let mut jw = JweWalk::default();
    let r = walk_jwe(&mut jw, text, jwe, jwe_start, limits, sink);
    w.jwe = jw;
    r
}

/// The blob has no CSMS prefix: name what it is, if we can.
fn unknown_prefix<'a>(
    w: &mut Walk<'a>,
    blob: &'a str,
    start: usize,
    limits: &Limits,
    sink: &mut Sink,
) -> Result<(), Stop> {
    let text = w.text;
    // An Azure Key Vault backup as the SDKs hold it: length byte, prefix, JWE.
    if let Some((format, length_byte, jwe_at)) = azure_raw(blob) {
        error(sink, text, ErrorKind::SiblingFormat { format }, Part::Prefix, start + 1)?;
        w.sibling = Some(SiblingWalk { format, decoded: None, length_byte, jwe_start: start + jwe_at });
        if let Some(jwe) = blob.get(jwe_at..) {
            // The sibling's own structure is reported without judging it by our rules.
            let mut quiet = Sink::collecting();
            let mut jw = JweWalk::default();
            let _ = walk_jwe(&mut jw, text, jwe, start + jwe_at, limits, &mut quiet);
            w.jwe = jw;
        }
        return Ok(());
    }
    // One more layer of base64: Azure's REST form, or a CSMS blob someone encoded again.
    if let Some(decoded) = decode_any_base64(blob) {
        if let Some((format, length_byte, jwe_at)) = azure_raw(&decoded) {
            error(sink, text, ErrorKind::SiblingFormat { format }, Part::Input, start)?;
            w.sibling = Some(SiblingWalk { format, decoded: Some(decoded), length_byte, jwe_start: jwe_at });
            return Ok(());
        }
        let inner_first = decoded.chars().next().map_or(0, char::len_utf8);
        if Prefix::find(&decoded).is_some() || decoded.get(inner_first..).and_then(Prefix::find).is_some() {
            return error(sink, text, ErrorKind::WrappedBlob, Part::Input, start);
        }
    }
    // A bare compact JWE: walk it so `inspect` still shows its structure.
    if blob.starts_with("eyJ") && blob.contains('.') {
        error(sink, text, ErrorKind::MissingPrefix, Part::Prefix, start)?;
        let mut jw = JweWalk::default();
        let r = walk_jwe(&mut jw, text, blob, start, limits, sink);
        w.jwe = jw;
        return r;
    }
    let first_len = blob.chars().next().map_or(0, char::len_utf8);
    error(sink, text, ErrorKind::UnknownPrefix, Part::Prefix, start + first_len)
}

/// `(format, length byte, offset of the JWE)` for an Azure Key Vault backup in raw form.
fn azure_raw(s: &str) -> Option<(Sibling, u32, usize)> {
    let first = s.chars().next()?;
    let rest = s.get(first.len_utf8()..)?;
    [Sibling::AzureSecretBackup, Sibling::AzureKeyBackup]
        .into_iter()
        .find(|f| rest.starts_with(f.prefix()))
        .map(|f| (f, u32::from(first), first.len_utf8() + f.prefix().len()))
}

/// Decodes `s` as base64 in any common dialect, when it is nothing but base64 and the result is text.
fn decode_any_base64(s: &str) -> Option<String> {
    let plausible =
        s.len() >= 8 && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/' | b'='));
    if !plausible {
        return None;
    }
    [&URL_SAFE_NO_PAD, &URL_SAFE, &STANDARD_NO_PAD, &STANDARD]
        .into_iter()
        .find_map(|engine| engine.decode(s).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

/// Walks a compact JWE that starts at byte `base` of the input.
pub(crate) fn walk_jwe<'a>(
    jw: &mut JweWalk<'a>,
    text: Text<'_>,
    jwe: &'a str,
    base: usize,
    limits: &Limits,
    sink: &mut Sink,
) -> Result<(), Stop> {
    // A strict walk finds the segments from both ends, so the ciphertext (nearly all of a blob) is
    // read once, by its validation, rather than twice. If that walk meets an error it is walked again
    // split at every dot, so the error reported is the one a front-to-back walk meets first (and a
    // dot inside the "ciphertext" becomes `extra_segments`, not a bad character).
    if sink.strict && split_from_both_ends(jw, jwe, base) {
        let seen = sink.issues.len();
        if walk_segments(jw, text, jwe, base, limits, sink).is_ok() {
            return Ok(());
        }
        sink.issues.truncate(seen);
        *jw = JweWalk::default();
    }
    // Record at most five segments; count the rest without storing them.
    let mut at = 0;
    for (i, seg) in jwe.split('.').enumerate() {
        if let Some(&part) = Part::SEGMENTS.get(i) {
            jw.segments.push(Seg { part, text: seg, start: base + at, valid: false });
        }
        at += seg.len() + 1;
        jw.segment_count = i + 1;
    }
    walk_segments(jw, text, jwe, base, limits, sink)
}

/// Checks the segments found: their number, then each one's text, the header and the lengths.
fn walk_segments<'a>(
    jw: &mut JweWalk<'a>,
    text: Text<'_>,
    jwe: &'a str,
    base: usize,
    limits: &Limits,
    sink: &mut Sink,
) -> Result<(), Stop> {
    let deferring = sink.defer_ciphertext;
    let count = jw.segment_count;
    if let Some(&missing) = Part::SEGMENTS.get(count) {
        error(sink, text, ErrorKind::Truncated { segments: count, missing }, missing, base + jwe.len())?;
    } else if count > 5 {
        let extra_at = jw.segments.last().map_or(base, |s| s.start + s.text.len());
        error(sink, text, ErrorKind::ExtraSegments { segments: count }, Part::Tag, extra_at)?;
    }
    for i in 0..jw.segments.len() {
        let Some(seg) = jw.segments.get(i).copied() else { break };
        if seg.text.is_empty() && seg.part != Part::Ciphertext {
            error(sink, text, ErrorKind::EmptySegment, seg.part, seg.start)?;
            continue;
        }
        // Deferred: the strict decoder refuses exactly what `validate` refuses (tested), and the
        // caller runs this walk again without deferring when it does.
        let deferred = deferring && seg.part == Part::Ciphertext;
        if !deferred {
            if let Err((at, kind)) = b64::validate(seg.text) {
                error(sink, text, kind, seg.part, seg.start + at)?;
                continue;
            }
        }
        if let Some(s) = jw.segments.get_mut(i) {
            s.valid = true;
        }
        if seg.part == Part::Header {
            walk_header(jw, text, seg, limits, sink)?;
        } else if let Some(header) = &jw.header {
            check_length(header, text, seg, sink)?;
        }
    }
    Ok(())
}

/// Finds the five segments of a well-formed JWE without reading the ciphertext: the first three
/// dots from the front, the last from the back. Returns `false` (recording nothing) when there are
/// fewer than four dots; the caller then splits the usual way.
///
/// The ciphertext is taken to be everything between the third and the last dot: if it holds
/// another dot, the JWE has more than five segments; its validation (or, deferred, the strict
/// decoder) refuses the dot, and the walk is done again split at every dot, which reports
/// `extra_segments`.
fn split_from_both_ends<'a>(jw: &mut JweWalk<'a>, jwe: &'a str, base: usize) -> bool {
    let next_dot = |from: usize| jwe.get(from..).and_then(|s| s.find('.')).map(|i| from + i);
    let Some(d1) = next_dot(0) else { return false };
    let Some(d2) = next_dot(d1 + 1) else { return false };
    let Some(d3) = next_dot(d2 + 1) else { return false };
    let Some(d4) = jwe.rfind('.').filter(|&d4| d4 > d3) else { return false };
    let bounds = [(0, d1), (d1 + 1, d2), (d2 + 1, d3), (d3 + 1, d4), (d4 + 1, jwe.len())];
    let mut segments = Vec::with_capacity(bounds.len());
    for (&part, (start, end)) in Part::SEGMENTS.iter().zip(bounds) {
        let Some(text) = jwe.get(start..end) else { return false };
        segments.push(Seg { part, text, start: base + start, valid: false });
    }
    jw.segments = segments;
    jw.segment_count = bounds.len();
    true
}

fn walk_header(
    jw: &mut JweWalk<'_>,
    text: Text<'_>,
    seg: Seg<'_>,
    limits: &Limits,
    sink: &mut Sink,
) -> Result<(), Stop> {
    if seg.text.len() > limits.max_header_len {
        let kind = ErrorKind::HeaderTooLarge { len: seg.text.len(), max: limits.max_header_len };
        return error(sink, text, kind, Part::Header, seg.start);
    }
    let mut json = Vec::with_capacity(b64::decoded_len(seg.text.len()));
    if b64::decode_into(seg.text, &mut json).is_err() {
        // validate() accepted it, so the decoder cannot refuse it; report rather than assume.
        return error(sink, text, ErrorKind::NonCanonical, Part::Header, seg.start);
    }
    if !sink.strict {
        jw.header_json = Some(String::from_utf8_lossy(&json).into_owned());
    }
    let members = match crate::header::decode_members(&json, limits.max_header_depth) {
        Ok(m) => m,
        Err(kind) => return error(sink, text, kind, Part::Header, seg.start),
    };
    let header = Header::from_members(&members);
    if !sink.strict {
        header_notes(&members, text, seg.start, sink);
    }
    jw.members = Some(members);
    match header {
        Ok(h) => {
            jw.header = Some(h);
            Ok(())
        }
        Err(kind) => error(sink, text, kind, Part::Header, seg.start),
    }
}

fn header_notes(members: &[(String, Value)], text: Text<'_>, at: usize, sink: &mut Sink) {
    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    if !names.contains(&"kid") {
        note(sink, text, Severity::Warning, "no_kid", Part::Header, at, || {
            "no kid: the key to open this blob must be chosen without one".into()
        });
    }
    if matches!(members.iter().find(|(n, _)| n == "crit"), Some((_, Value::Array(a))) if a.is_empty()) {
        note(sink, text, Severity::Warning, "empty_crit", Part::Header, at, || {
            "crit is an empty list, which RFC 7515 tells producers not to write".into()
        });
    }
    let service = ["kid", "enc", "alg"];
    if names.len() >= 3 && names.get(..3) != Some(&service[..]) && service.iter().all(|n| names.contains(n)) {
        note(sink, text, Severity::Note, "member_order", Part::Header, at, || {
            format!("members in the order {}; the service writes kid, enc, alg", names.join(", "))
        });
    }
    let others: Vec<&str> =
        names.iter().copied().filter(|n| !["kid", "enc", "alg", "typ", "cty", "crit"].contains(n)).collect();
    if !others.is_empty() {
        note(sink, text, Severity::Note, "extra_members", Part::Header, at, || {
            format!("members the service does not write: {}", others.join(", "))
        });
    }
}

/// Checks a segment's decoded length against the header's `alg` and `enc`.
fn check_length(header: &Header, text: Text<'_>, seg: Seg<'_>, sink: &mut Sink) -> Result<(), Stop> {
    let found = b64::decoded_len(seg.text.len());
    let (alg, enc) = (header.alg(), header.enc());
    let kind = match seg.part {
        Part::EncryptedKey => match alg.kek_len() {
            Some(_) if found != enc.cek_len() + 8 => Some(ErrorKind::EncryptedKeyLength {
                alg,
                expected: format!("wrapping a {}-byte {} key gives exactly {}", enc.cek_len(), enc, enc.cek_len() + 8),
                found,
            }),
            Some(_) => None,
            None if !(MIN_RSA_BYTES..=MAX_RSA_BYTES).contains(&found) => Some(ErrorKind::EncryptedKeyLength {
                alg,
                expected: format!(
                    "gives the RSA modulus size: {MIN_RSA_BYTES} to {MAX_RSA_BYTES} bytes (2048 to 8192 bits)"
                ),
                found,
            }),
            None => {
                if ![256, 384, 512].contains(&found) {
                    note(sink, text, Severity::Warning, "unusual_rsa_size", Part::EncryptedKey, seg.start, || {
                        format!("a {}-bit RSA modulus is unusual (2048, 3072 or 4096 are common)", found * 8)
                    });
                }
                None
            }
        },
        Part::Iv if found != enc.iv_len() => Some(ErrorKind::IvLength { enc, expected: enc.iv_len(), found }),
        Part::Tag if found != enc.tag_len() => Some(ErrorKind::TagLength { enc, expected: enc.tag_len(), found }),
        Part::Ciphertext if enc.is_cbc_hmac() && (found == 0 || found % 16 != 0) => {
            Some(ErrorKind::CiphertextLength { found })
        }
        _ => None,
    };
    match kind {
        Some(kind) => error(sink, text, kind, seg.part, seg.start),
        None => Ok(()),
    }
}

/// Smallest RSA encrypted key accepted: a 2048-bit modulus.
pub(crate) const MIN_RSA_BYTES: usize = 256;
/// Largest RSA encrypted key accepted: an 8192-bit modulus.
pub(crate) const MAX_RSA_BYTES: usize = 1024;

/// The RSA modulus size in bits that an encrypted key of `len` bytes implies, for RSA algs.
pub(crate) fn implied_rsa_bits(alg: Alg, len: usize) -> Option<usize> {
    alg.is_rsa().then_some(len * 8)
}
