//! Printing: colour only on a terminal and never with NO_COLOR; errors as one sentence with their
//! causes; aligned tables; the `inspect` dump. Text that comes from an input (header members,
//! finding messages, names) is cleaned of control characters before it reaches a terminal.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use blob_format::{Envelope, Finding, Marker, Part, PartReport, Prefix, Report, Severity};
use zeroize::{Zeroize, Zeroizing};

/// Whether output to a stream may be coloured: only on a terminal, and never when NO_COLOR is set
/// to a non-empty value (<https://no-color.org>).
pub fn colour(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether standard output may be coloured.
pub fn stdout_colour() -> bool {
    colour(std::io::stdout().is_terminal())
}

/// Wraps `text` in an ANSI colour when `on`.
pub fn paint(text: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

const RED: &str = "1;31";
const YELLOW: &str = "1;33";
const GREEN: &str = "32";
const CYAN: &str = "36";

/// `text` with every control character (C0, DEL, C1) and every invisible bidirectional or
/// zero-width formatting character escaped as `\u{..}`, so that text taken from an input cannot
/// move the cursor, change colours or reorder what a terminal shows.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let invisible = matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || invisible || c == '\u{feff}' {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The error and its causes as one line: `e: cause: cause`. A cause whose text the line already
/// ends with is left out (an error that shows its source in its own message and also returns it
/// as `source()` would otherwise be printed twice).
pub fn error_sentence(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !cause.is_empty() && !line.ends_with(&cause) {
            line.push_str(": ");
            line.push_str(&cause);
        }
    }
    clean(&line)
}

/// Prints an error and its causes to stderr as `blobtool: error: ...`. Never panics, even when
/// stderr is closed. A broken pipe on standard output (the reader went away, as in
/// `blobtool inspect | head`) is not worth a message.
pub fn print_error(e: &anyhow::Error) {
    let broken_pipe = e
        .chain()
        .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe));
    if broken_pipe {
        return;
    }
    let on = colour(std::io::stderr().is_terminal());
    let _ = writeln!(std::io::stderr(), "{} {}", paint("blobtool: error:", RED, on), error_sentence(e));
}

/// Prints an informational line to stderr; never panics.
pub fn note(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

// ---------------------------------------------------------------------------------------------
// Tables

/// How a column is aligned.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Padded on the right.
    Left,
    /// Padded on the left.
    Right,
}

/// Picks the ANSI colour of a cell from its text.
type Painter = fn(&str) -> Option<&'static str>;

/// A table of text cells: each column as wide as its widest cell, two spaces between columns.
/// A row may have fewer cells than there are columns, and free text after its cells.
pub struct Table {
    align: Vec<Align>,
    rows: Vec<(Vec<String>, String)>,
    /// Colour applied to one column's cells after padding (column, function of the cell text).
    paint: Option<(usize, Painter)>,
}

impl Table {
    /// A table whose columns are aligned as `align` says.
    pub fn new(align: &[Align]) -> Table {
        Table { align: align.to_vec(), rows: Vec::new(), paint: None }
    }

    /// Adds a row of cells (cleaned of control characters).
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        self.row_with(cells, "");
    }

    /// Adds a row of cells followed by free text that does not count for the column widths.
    pub fn row_with<S: AsRef<str>>(&mut self, cells: &[S], rest: &str) {
        self.rows.push((cells.iter().map(|c| clean(c.as_ref())).collect(), clean(rest)));
    }

    /// Colours the cells of `column` with the ANSI code `f` picks for their text.
    pub fn paint_column(&mut self, column: usize, f: Painter) {
        self.paint = Some((column, f));
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The table as lines, each starting with `indent`, colours only when `on`. Zeroized when
    /// dropped, as the table itself is: `open --reveal` puts secret values in cells.
    pub fn render(&self, indent: &str, on: bool) -> Zeroizing<String> {
        let width = |c: &str| c.chars().count();
        let columns = self.rows.iter().map(|(cells, _)| cells.len()).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|i| self.rows.iter().filter_map(|(cells, _)| cells.get(i)).map(|c| width(c)).max().unwrap_or(0))
            .collect();
        let mut out = Zeroizing::new(String::new());
        for (cells, rest) in &self.rows {
            let mut line = String::from(indent);
            for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = " ".repeat(w.saturating_sub(width(cell)));
                let right = self.align.get(i) == Some(&Align::Right);
                let text = match self.paint {
                    Some((col, f)) if col == i && on => f(cell).map_or_else(
                        || cell.clone(),
                        |c| {
                            let text = cell.trim_end();
                            paint(text, c, true) + cell.get(text.len()..).unwrap_or("")
                        },
                    ),
                    _ => cell.clone(),
                };
                if right {
                    line.push_str(&pad);
                    line.push_str(&text);
                } else {
                    line.push_str(&text);
                    line.push_str(&pad);
                }
            }
            if !rest.is_empty() {
                line.push_str("  ");
                line.push_str(rest);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        for (cells, rest) in &mut self.rows {
            cells.zeroize();
            rest.zeroize();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// inspect

fn severity_colour(s: &str) -> Option<&'static str> {
    match s.trim_end() {
        "error" => Some(RED),
        "warning" => Some(YELLOW),
        "note" => Some(CYAN),
        _ => None,
    }
}

fn part_name(part: Part) -> &'static str {
    match part {
        Part::Header => "header",
        Part::EncryptedKey => "enc. key",
        Part::Iv => "IV",
        Part::Ciphertext => "ciphertext",
        Part::Tag => "tag",
        Part::Input => "input",
        Part::Envelope => "JSON body",
        Part::Marker => "marker",
        Part::Prefix => "prefix",
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// `n char` / `n chars`, with a space in place of the `s` so that the units line up.
fn chars(n: usize) -> String {
    if n == 1 {
        "1 char ".to_owned()
    } else {
        format!("{n} chars")
    }
}

/// A character range as one cell, the start right-aligned to `width` digits so that the `..`
/// of the rows line up.
fn range(start: usize, end: Option<usize>, width: usize) -> String {
    match end {
        Some(end) => format!("{start:>width$}..{end}"),
        None => format!("{start:>width$}.."),
    }
}

/// The widest start offset among `starts`, in digits.
fn digits(starts: impl Iterator<Item = usize>) -> usize {
    starts.map(|n| n.to_string().len()).max().unwrap_or(1)
}

/// Adds the rows of JWE segments: name, range, encoded length, decoded length, what `enc` needs.
fn segment_rows(table: &mut Table, segments: &[PartReport], count: usize, expected: bool, width: usize) {
    let n = digits(segments.iter().filter_map(|s| s.decoded_len));
    for s in segments {
        let decoded = match s.decoded_len {
            Some(len) => format!("-> {len:>n$} bytes"),
            None => "-> not valid base64url".to_owned(),
        };
        let want = match (&s.expected, expected) {
            (Some(e), true) => format!("(expected {e})"),
            _ => String::new(),
        };
        let cells =
            [part_name(s.part).to_owned(), range(s.range.start, Some(s.range.end), width), chars(s.encoded_len)];
        table.row_with(&[&cells[..], &[decoded]].concat(), &want);
    }
    if count < 5 && count > 0 {
        let end = segments.last().map_or(0, |s| s.range.end);
        for part in Part::SEGMENTS.iter().skip(count) {
            let cells = [part_name(*part).to_owned(), range(end, None, width), "missing".to_owned()];
            table.row_with(&cells, &format!("(the JWE has {count} of 5 segments)"));
        }
    }
}

fn header_members(out: &mut String, members: &[(String, serde_json::Value)], indent: &str) {
    let mut table = Table::new(&[Align::Left, Align::Left]);
    for (name, value) in members {
        table.row(&[name.clone(), value.to_string()]);
    }
    out.push_str(&table.render(indent, false));
}

/// The `inspect` dump, in the manner of `sq packet dump`: each part with its character range and
/// sizes, the header members, what they imply, then every finding with severity and offset.
pub fn render_report(r: &Report, on: bool) -> String {
    let mut out = String::new();
    let count = |s: Severity| r.findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let verdict = if r.is_well_formed() { paint("well formed", GREEN, on) } else { paint("NOT well formed", RED, on) };
    let mut tally = Vec::new();
    if errors > 0 {
        tally.push(plural(errors, "error"));
    }
    if warnings > 0 {
        tally.push(plural(warnings, "warning"));
    }
    let tally = if tally.is_empty() { String::new() } else { format!(" ({})", tally.join(", ")) };
    let _ = writeln!(out, "CSMS secret backup blob: {verdict}{tally}");

    let starts = r.marker.iter().map(|m| m.offset).chain(r.segments.iter().map(|s| s.range.start));
    let width = digits(starts.chain([r.input_len]));
    let mut table = Table::new(&[Align::Left, Align::Left, Align::Right, Align::Left]);
    let input = match (r.envelope, &r.blob) {
        (Some(Envelope::JsonBody), Some(b)) => format!("a JSON body; its \"secret_blob\" is {}..{}", b.start, b.end),
        (Some(Envelope::Bare), Some(b)) if b.start == 0 && b.end == r.input_len => "a bare blob".to_owned(),
        (Some(Envelope::Bare), Some(b)) => format!("a bare blob at {}..{}", b.start, b.end),
        _ => String::new(),
    };
    table.row_with(&["input".to_owned(), range(0, Some(r.input_len), width), chars(r.input_len)], &input);
    if let Some(m) = &r.marker {
        let shown =
            char::from_u32(m.value).filter(char::is_ascii_graphic).map_or_else(String::new, |c| format!(" '{c}'"));
        let what = match (m.kind, &r.prefix) {
            (Some(Marker::Published), _) => "the published marker".to_owned(),
            (Some(Marker::Length), Some((p, _))) => format!("the prefix's length ({})", p.as_str().len()),
            (Some(Marker::Length), None) => "the prefix's length".to_owned(),
            (None, _) => "not a marker".to_owned(),
        };
        let cells = ["marker".to_owned(), range(m.offset, Some(m.offset + 1), width), chars(1)];
        table.row_with(&cells, &format!("0x{:02x}{shown}: {what}", m.value));
    }
    if let Some((p, at)) = &r.prefix {
        let form = match p {
            Prefix::Long => "long form",
            Prefix::Short => "short form",
        };
        let cells = ["prefix".to_owned(), range(at.start, Some(at.end), width), chars(at.len())];
        table.row_with(&cells, &format!("{} ({form})", p.as_str()));
    }
    segment_rows(&mut table, &r.segments, r.segment_count, true, width);
    out.push_str(&table.render("  ", on));
    if r.segment_count > 5 {
        let _ = writeln!(out, "  ({} segments; a compact JWE has 5)", r.segment_count);
    }

    if let Some(members) = &r.header {
        let _ = writeln!(out, "  header members:");
        header_members(&mut out, members, "    ");
    } else if let Some(json) = &r.header_json {
        let _ = writeln!(out, "  header text: {}", clean(json));
    }

    let i = &r.implied;
    let mut implies = Vec::new();
    if let (Some(alg), Some(enc)) = (r.alg, r.enc) {
        implies.push(format!("{alg} wraps a {}-byte content key for {enc}", enc.cek_len()));
        if let Some(bits) = i.rsa_modulus_bits {
            implies.push(format!("an RSA modulus of {bits} bits (from the encrypted key's length)"));
        }
        for (what, fits, len) in [("IV", i.iv_fits, enc.iv_len()), ("tag", i.tag_fits, enc.tag_len())] {
            match fits {
                Some(true) => implies.push(format!("{what} length fits {enc} ({len} bytes)")),
                Some(false) => implies.push(format!("{what} length does NOT fit {enc} (it needs {len} bytes)")),
                None => {}
            }
        }
    }
    if !implies.is_empty() {
        let _ = writeln!(out, "  implies:");
        for line in implies {
            let _ = writeln!(out, "    {line}");
        }
    }

    if let Some(s) = &r.sibling {
        let wrapped = if s.base64_wrapped {
            ", base64url-wrapped as the Azure REST API returns it (ranges below are in the decoded text)"
        } else {
            ""
        };
        let _ = writeln!(out, "  sibling format: {}{wrapped}", s.format);
        let _ = writeln!(out, "    length byte 0x{:02x}, prefix {}", s.length_byte, s.format.prefix());
        let mut table = Table::new(&[Align::Left, Align::Left, Align::Right, Align::Left]);
        let width = digits(s.segments.iter().map(|p| p.range.start));
        segment_rows(&mut table, &s.segments, s.segments.len(), false, width);
        out.push_str(&table.render("    ", on));
        if let Some(members) = &s.header {
            let _ = writeln!(out, "    header members:");
            header_members(&mut out, members, "      ");
        }
    }

    if r.findings.is_empty() {
        let _ = writeln!(out, "findings: none");
    } else {
        let _ = writeln!(out, "findings:");
        out.push_str(&findings_table(&r.findings).render("  ", on));
    }
    out
}

fn findings_table(findings: &[Finding]) -> Table {
    let mut table = Table::new(&[Align::Left, Align::Right, Align::Left, Align::Left]);
    table.paint_column(0, severity_colour);
    for f in findings {
        let cells = [f.severity.to_string(), format!("at {}", f.offset), f.part.to_string(), format!("[{}]", f.code)];
        table.row_with(&cells, &f.message);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_escapes_terminal_controls() {
        assert_eq!(clean("a\x1b[31mb\u{9b}c\u{202e}d\te"), "a\\u{1b}[31mb\\u{9b}c\\u{202e}d\\u{9}e");
        assert_eq!(clean("für 数据库 🔐"), "für 数据库 🔐");
    }

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&[Align::Left, Align::Right]);
        t.row(&["a", "1"]);
        t.row_with(&["long", "100"], "rest");
        assert_eq!(t.render("> ", false).as_str(), "> a       1\n> long  100  rest\n");
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn error_sentence_drops_a_repeated_cause() {
        let inner = std::io::Error::other("inner");
        let e = anyhow::Error::new(inner).context("outer: inner").context("top");
        assert_eq!(error_sentence(&e), "top: outer: inner");
    }
}
