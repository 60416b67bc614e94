//! `inspect`: never fails, reports every finding, and shows the structure it could derive.

use std::fmt::{self, Write as _};
use std::ops::Range;

use serde::Serialize;
use serde_json::Value;

use crate::walk::{self, Issue, JweWalk, Sink, Text};
use crate::{b64, Envelope, Limits, Marker, Part, Prefix, Sibling};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; nothing wrong.
    Note,
    /// Allowed, but unusual or risky.
    Warning,
    /// Breaks a rule: `parse` refuses the input.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One thing `inspect` found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// Stable code: for errors, the [`crate::ErrorKind::code`] that `parse` would return.
    pub code: &'static str,
    /// Where: which part.
    pub part: Part,
    /// Where: character offset in the whole input.
    pub offset: usize,
    /// One sentence for people.
    pub message: String,
}

/// A part of the input and where it lies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartReport {
    /// Which part.
    pub part: Part,
    /// Character range in the whole input.
    pub range: Range<usize>,
    /// Encoded length in characters.
    pub encoded_len: usize,
    /// Decoded length in bytes, when the text is valid base64url.
    pub decoded_len: Option<usize>,
    /// The length the header's `alg`/`enc` require, in words, when known.
    pub expected: Option<String>,
}

/// The marker as seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MarkerReport {
    /// The character's code point (a byte for every valid marker).
    pub value: u32,
    /// Which marker it is, when valid.
    pub kind: Option<Marker>,
    /// Character offset.
    pub offset: usize,
}

/// What the header and segment lengths imply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Implied {
    /// RSA modulus size in bits implied by the encrypted key's length (RSA algs only).
    pub rsa_modulus_bits: Option<usize>,
    /// Content-encryption key length in bytes for `enc`.
    pub cek_len: Option<usize>,
    /// Whether the IV length fits `enc`.
    pub iv_fits: Option<bool>,
    /// Whether the tag length fits `enc`.
    pub tag_fits: Option<bool>,
}

/// A sibling vendor's backup found instead of a CSMS blob, with its structure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SiblingReport {
    /// Which format.
    pub format: Sibling,
    /// Whether the input was the REST API's base64url-wrapped form (then offsets in `segments`
    /// count characters of the decoded text).
    pub base64_wrapped: bool,
    /// The length byte in front of the prefix.
    pub length_byte: u32,
    /// The JWE's segments.
    pub segments: Vec<PartReport>,
    /// The JWE's header members, in order.
    pub header: Option<Vec<(String, Value)>>,
}

/// Everything `inspect` found. Serializes to the stable JSON that `blobtool inspect --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Input length in characters.
    pub input_len: usize,
    /// How the blob was wrapped, once found.
    pub envelope: Option<Envelope>,
    /// The blob's character range (envelope and whitespace excluded).
    pub blob: Option<Range<usize>>,
    /// The marker.
    pub marker: Option<MarkerReport>,
    /// The prefix and its range.
    pub prefix: Option<(Prefix, Range<usize>)>,
    /// The JWE's segments (at most five).
    pub segments: Vec<PartReport>,
    /// Number of JWE segments (five when well formed).
    pub segment_count: usize,
    /// The decoded header text (lossy UTF-8).
    pub header_json: Option<String>,
    /// The header members in order.
    pub header: Option<Vec<(String, Value)>>,
    /// `alg`, when supported.
    pub alg: Option<crate::Alg>,
    /// `enc`, when supported.
    pub enc: Option<crate::Enc>,
    /// `kid`, when present.
    pub kid: Option<String>,
    /// What lengths imply.
    pub implied: Implied,
    /// A sibling format recognised instead.
    pub sibling: Option<SiblingReport>,
    /// Every finding, in input order of the checks.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether the input is well formed: no finding is an error. Exactly when `parse` succeeds.
    pub fn is_well_formed(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// The error findings.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Error)
    }
}

/// Inspects an input with the default limits. Never fails and never panics.
///
/// ```
/// let report = blob_format::inspect(")CloudSecretManagementBackupV1.huaweicloud.comeyJhbGciOiJub25lIn0.x");
/// assert!(!report.is_well_formed());
/// assert_eq!(report.errors().next().map(|f| f.code), Some("truncated"));
/// ```
pub fn inspect(input: &str) -> Report {
    inspect_with(input, &Limits::DEFAULT)
}

/// [`inspect`] with explicit limits.
pub fn inspect_with(input: &str, limits: &Limits) -> Report {
    let mut sink = Sink::collecting();
    let (w, _) = walk::walk(input, limits, &mut sink);
    let text = w.text;
    let range = |start: usize, len: usize| text.chars(start)..text.chars(start + len);
    let header = w.jwe.header.as_ref();
    let mut implied = Implied::default();
    if let Some(h) = header {
        implied.cek_len = Some(h.enc().cek_len());
        for seg in w.jwe.segments.iter().filter(|s| s.valid) {
            let len = b64::decoded_len(seg.text.len());
            match seg.part {
                Part::EncryptedKey => implied.rsa_modulus_bits = walk::implied_rsa_bits(h.alg(), len),
                Part::Iv => implied.iv_fits = Some(len == h.enc().iv_len()),
                Part::Tag => implied.tag_fits = Some(len == h.enc().tag_len()),
                _ => {}
            }
        }
    }
    let sibling = w.sibling.as_ref().map(|s| sibling_report(s, &w.jwe, limits));
    let (segments, header_members) =
        if sibling.is_some() { (Vec::new(), None) } else { (part_reports(&w.jwe, text), w.jwe.members.clone()) };
    Report {
        input_len: text.chars(input.len()),
        envelope: w.envelope,
        blob: w.blob.map(|(b, start)| range(start, b.len())),
        marker: w.marker.map(|(c, kind, at)| MarkerReport { value: u32::from(c), kind, offset: text.chars(at) }),
        prefix: w.prefix.map(|(p, at)| (p, range(at, p.as_str().len()))),
        segment_count: if sibling.is_some() { 0 } else { w.jwe.segment_count },
        segments,
        header_json: if sibling.is_some() { None } else { w.jwe.header_json.clone() },
        header: header_members,
        alg: header.map(|h| h.alg()),
        enc: header.map(|h| h.enc()),
        kid: header.and_then(|h| h.kid().map(str::to_owned)),
        implied,
        sibling,
        findings: sink.issues.into_iter().map(finding).collect(),
    }
}

fn finding(issue: Issue) -> Finding {
    match issue {
        Issue::Error(e) => Finding {
            severity: Severity::Error,
            code: e.kind.code(),
            part: e.part,
            offset: e.offset,
            message: e.kind.to_string(),
        },
        Issue::Note { severity, code, part, offset, message } => Finding { severity, code, part, offset, message },
    }
}

fn part_reports(jwe: &JweWalk<'_>, text: Text<'_>) -> Vec<PartReport> {
    jwe.segments
        .iter()
        .map(|s| PartReport {
            part: s.part,
            range: text.chars(s.start)..text.chars(s.start + s.text.len()),
            encoded_len: s.text.chars().count(),
            decoded_len: s.valid.then(|| b64::decoded_len(s.text.len())),
            expected: jwe.header.as_ref().and_then(|h| expected(h, s.part)),
        })
        .collect()
}

fn expected(h: &crate::Header, part: Part) -> Option<String> {
    let (alg, enc) = (h.alg(), h.enc());
    match part {
        Part::EncryptedKey if alg.is_rsa() => Some("the RSA modulus size, 256 bytes or more".into()),
        Part::EncryptedKey => Some(format!("{} bytes", enc.cek_len() + 8)),
        Part::Iv => Some(format!("{} bytes", enc.iv_len())),
        Part::Tag => Some(format!("{} bytes", enc.tag_len())),
        Part::Ciphertext if enc.is_cbc_hmac() => Some("a positive multiple of 16 bytes".into()),
        _ => None,
    }
}

fn sibling_report(s: &walk::SiblingWalk, raw_jwe: &JweWalk<'_>, limits: &Limits) -> SiblingReport {
    let (segments, header) = match &s.decoded {
        None => (part_reports(raw_jwe, Text::new("")), raw_jwe.members.clone()),
        Some(decoded) => {
            let text = Text::new(decoded);
            let mut quiet = Sink::collecting();
            let mut jw = JweWalk::default();
            let jwe = decoded.get(s.jwe_start..).unwrap_or("");
            let _ = walk::walk_jwe(&mut jw, text, jwe, s.jwe_start, limits, &mut quiet);
            (part_reports(&jw, text), jw.members.clone())
        }
    };
    SiblingReport {
        format: s.format,
        base64_wrapped: s.decoded.is_some(),
        length_byte: s.length_byte,
        segments,
        header,
    }
}

impl fmt::Display for Report {
    /// A dump for people, in the manner of `sq packet dump`: each part with its range and sizes,
    /// the header, what it implies, then every finding.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let _ = self.render(&mut out);
        f.write_str(&out)
    }
}

impl Report {
    fn render(&self, out: &mut String) -> fmt::Result {
        // Width of the range column: blobs run to thousands of characters.
        let w = self
            .segments
            .iter()
            .map(|s| format!("{}..{}", s.range.start, s.range.end).len())
            .chain(self.prefix.iter().map(|(_, r)| format!("{}..{}", r.start, r.end).len()))
            .max()
            .unwrap_or(9)
            .max(9);
        let verdict = if self.is_well_formed() { "well formed" } else { "NOT well formed" };
        writeln!(out, "CSMS secret backup blob: {verdict} ({} characters)", self.input_len)?;
        match (self.envelope, &self.blob) {
            (Some(Envelope::JsonBody), Some(r)) => {
                writeln!(out, "  envelope: JSON body, secret_blob at {}..{}", r.start, r.end)?
            }
            (Some(Envelope::Bare), Some(r)) => writeln!(out, "  envelope: bare blob at {}..{}", r.start, r.end)?,
            _ => {}
        }
        if let Some(m) = &self.marker {
            let what = match m.kind {
                Some(Marker::Published) => "the published marker ')'",
                Some(Marker::Length) => "the prefix's length",
                None => "unknown",
            };
            writeln!(out, "  {:>w$}  marker      0x{:02x}  {what}", format!("{}", m.offset), m.value)?;
        }
        if let Some((p, r)) = &self.prefix {
            writeln!(out, "  {:>w$}  prefix      {}", format!("{}..{}", r.start, r.end), p.as_str())?;
        }
        for s in &self.segments {
            let name = match s.part {
                Part::Header => "header",
                Part::EncryptedKey => "enc. key",
                Part::Iv => "IV",
                Part::Ciphertext => "ciphertext",
                Part::Tag => "tag",
                _ => "?",
            };
            let decoded = s.decoded_len.map_or_else(|| "not valid base64url".to_owned(), |n| format!("{n} bytes"));
            let expected = s.expected.as_ref().map_or_else(String::new, |e| format!(" (expected {e})"));
            writeln!(
                out,
                "  {:>9}  {name:<10}  {} chars -> {decoded}{expected}",
                format!("{}..{}", s.range.start, s.range.end),
                s.encoded_len
            )?;
        }
        if self.segment_count > 0 && self.segment_count != 5 {
            writeln!(out, "  {:w$}  ({} segments; a compact JWE has 5)", "", self.segment_count)?;
        }
        if let Some(members) = &self.header {
            writeln!(out, "  header members:")?;
            for (name, value) in members {
                writeln!(out, "    {}: {}", printable(name), printable(&value.to_string()))?;
            }
        } else if let Some(json) = &self.header_json {
            writeln!(out, "  header text: {}", printable(json))?;
        }
        let i = &self.implied;
        if i.cek_len.is_some() {
            writeln!(out, "  implies:")?;
            if let (Some(alg), Some(enc)) = (self.alg, self.enc) {
                writeln!(out, "    {alg} wraps a {}-byte content key for {enc}", enc.cek_len())?;
            }
            if let Some(bits) = i.rsa_modulus_bits {
                writeln!(out, "    RSA modulus of {bits} bits (from the encrypted key's length)")?;
            }
            if let Some(ok) = i.iv_fits {
                writeln!(out, "    IV length {}", if ok { "fits enc" } else { "does NOT fit enc" })?;
            }
            if let Some(ok) = i.tag_fits {
                writeln!(out, "    tag length {}", if ok { "fits enc" } else { "does NOT fit enc" })?;
            }
        }
        if let Some(s) = &self.sibling {
            let wrapped = if s.base64_wrapped {
                ", base64url-wrapped as the REST API returns it (offsets below are in the decoded text)"
            } else {
                ""
            };
            writeln!(out, "  sibling format: {}{wrapped}", s.format)?;
            writeln!(out, "    length byte 0x{:02x}, prefix {}", s.length_byte, s.format.prefix())?;
            for p in &s.segments {
                let decoded = p.decoded_len.map_or_else(|| "not valid base64url".to_owned(), |n| format!("{n} bytes"));
                writeln!(
                    out,
                    "    {:>11}  {:<13} {} chars -> {decoded}",
                    format!("{}..{}", p.range.start, p.range.end),
                    p.part.code(),
                    p.encoded_len
                )?;
            }
            if let Some(members) = &s.header {
                for (name, value) in members {
                    writeln!(out, "    header {}: {}", printable(name), printable(&value.to_string()))?;
                }
            }
        }
        if self.findings.is_empty() {
            writeln!(out, "findings: none")?;
        } else {
            writeln!(out, "findings:")?;
            for x in &self.findings {
                writeln!(
                    out,
                    "  {:<7} {} at offset {} [{}]: {}",
                    x.severity,
                    x.part,
                    x.offset,
                    x.code,
                    printable(&x.message)
                )?;
            }
        }
        Ok(())
    }
}

/// Text from the input made safe for a terminal: control characters (C0 and C1) and bidirectional
/// formatting characters are written as `\u{..}` escapes, so a crafted header cannot move the
/// cursor, recolour the screen or reorder what is shown.
fn printable(text: &str) -> String {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    text.chars().fold(String::with_capacity(text.len()), |mut out, c| {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
        out
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_dump_escapes_terminal_controls() {
        assert_eq!(printable("a\u{1b}[31mb\u{202E}c\u{85}"), "a\\u{1b}[31mb\\u{202e}c\\u{85}");
        let header = r#"{"alg":"A128KW","enc":"A128GCM","x\u001b":"\u009b31m\u202e"}"#;
        let blob = crate::Builder::new(crate::Header::new(crate::Alg::A128Kw, crate::Enc::A128Gcm)).to_string();
        let tail = blob.split_at(1 + crate::PREFIX_LONG.len()).1.split_once('.').unwrap().1;
        let crafted = format!("){}{}.{tail}", crate::PREFIX_LONG, crate::base64url_encode(header.as_bytes()));
        let text = inspect(&crafted).to_string();
        assert!(!text.chars().any(|c| c == '\u{1b}' || c == '\u{9b}' || c == '\u{202e}'), "{text}");
    }
}
