//! Printing: colour only on a terminal and never with NO_COLOR; errors as one sentence with causes.

use std::io::IsTerminal;

/// Whether stream output may be coloured.
pub fn colour(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Wraps `text` in an ANSI colour when `on`.
pub fn paint(text: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Prints an error and its causes to stderr.
pub fn print_error(e: &anyhow::Error) {
    let on = colour(std::io::stderr().is_terminal());
    let mut line = format!("{} {e}", paint("blobtool: error:", "1;31", on));
    for cause in e.chain().skip(1) {
        line.push_str(": ");
        line.push_str(&cause.to_string());
    }
    eprintln!("{line}");
}

/// Colours the severity words of an inspect report when `on`.
pub fn colour_report(text: &str, on: bool) -> String {
    if !on {
        return text.to_owned();
    }
    text.lines()
        .map(|l| {
            let l = l.replacen("  error ", &format!("  {} ", paint("error", "1;31", true)), 1);
            let l = l.replacen("  warning ", &format!("  {} ", paint("warning", "1;33", true)), 1);
            l.replacen("  note ", &format!("  {} ", paint("note", "36", true)), 1)
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
