//! `blobtool`: inspect Huawei Cloud CSMS secret backup blobs offline and round-trip them with test
//! keys. A thin shell: arguments, files, keys and printing; the format is `blob-format`'s and the
//! crypto `blob-seal`'s.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod io;
mod output;
mod testkeys;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;

/// How a command failed, which decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// The blob is invalid, does not open, or a check failed: exit 1.
    Check(anyhow::Error),
    /// Usage, I/O or key-loading error: exit 2.
    Usage(anyhow::Error),
}

impl Failure {
    fn code(&self) -> u8 {
        match self {
            Failure::Check(_) => 1,
            Failure::Usage(_) => 2,
        }
    }
}

/// Usage/I/O failures are the default for `?` on any error.
impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure::Usage(e.into())
    }
}

fn main() -> ExitCode {
    // A panic is a bug. Its message could quote data (a secret, in the worst case): print where it
    // happened, never what it says.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        output::note(&format!("blobtool: internal error{at}; this is a bug, please report it"));
    }));
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            let code = failure.code();
            let (Failure::Check(e) | Failure::Usage(e)) = failure;
            output::print_error(&e);
            ExitCode::from(code)
        }
    }
}
