//! The command line (clap derive). The names here are a contract: scripts depend on them.

use std::path::PathBuf;

use blob_format::{Alg, Enc};
use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  the blob is invalid, does not open, or a check failed
  2  usage, I/O or key-loading error

INPUT is a file path, or - for standard input (the default). It may hold a bare blob or the API's
JSON body {\"secret_blob\": \"...\"}. KEY is a PEM (PKCS#8, PKCS#1, SPKI) or JWK file.
Colour is used only on a terminal, and never when NO_COLOR is set.";

/// Inspect Huawei Cloud CSMS secret backup blobs offline and round-trip them with test keys.
#[derive(Debug, Parser)]
#[command(name = "blobtool", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a blob's structure, header and every finding; no key needed.
    #[command(after_help = AFTER_HELP)]
    Inspect {
        /// The blob (file or - for stdin).
        #[arg(default_value = "-")]
        input: String,
        /// Print the report as a stable JSON object instead.
        #[arg(long)]
        json: bool,
    },
    /// Make test keys: RSA (PEM and JWK) or an AES key-encryption key (JWK).
    #[command(after_help = AFTER_HELP)]
    Keygen {
        /// Directory to write the key files into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Key-management algorithm the key is for.
        #[arg(long, value_enum, default_value_t = AlgArg::RsaOaep256)]
        alg: AlgArg,
        /// RSA modulus size in bits, for RSA keys only [default: 2048].
        #[arg(long, value_parser = bits_parser())]
        bits: Option<u32>,
        /// Key id; a random UUID when not given.
        #[arg(long)]
        kid: Option<String>,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
    },
    /// Seal a backup document (JSON) into a blob.
    #[command(after_help = AFTER_HELP)]
    Seal {
        /// Wrapping key (public RSA key, or AES key-encryption key).
        #[arg(long)]
        key: PathBuf,
        /// Key management; default RSA-OAEP-256 for RSA keys, the JWK's alg (or the AES-KW of the key's size) for AES keys.
        #[arg(long, value_enum)]
        alg: Option<AlgArg>,
        /// Content encryption.
        #[arg(long, value_enum, default_value_t = EncArg::A128CbcHs256)]
        enc: EncArg,
        /// Key id for the header; default the key's kid (required when the key has none).
        #[arg(long)]
        kid: Option<String>,
        /// Write the API's JSON body {"secret_blob": "..."} instead of the bare blob.
        #[arg(long)]
        envelope: bool,
        /// Write to this file (atomically) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The backup document (file or - for stdin).
        #[arg(default_value = "-")]
        document: String,
    },
    /// Open a blob and list its versions; values only with --reveal.
    #[command(after_help = AFTER_HELP)]
    Open {
        #[command(flatten)]
        key: KeyArgs,
        /// Show secret values.
        #[arg(long)]
        reveal: bool,
        /// Print the backup document as JSON (values redacted unless --reveal).
        #[arg(long, conflicts_with = "raw")]
        json: bool,
        /// Write the decrypted plaintext bytes exactly as they are, without reading them as a
        /// backup document. Implies --reveal.
        #[arg(long)]
        raw: bool,
        /// The blob (file or - for stdin).
        #[arg(default_value = "-")]
        input: String,
    },
    /// Check that each blob opens; one line per input and a total. Exit 0 only if all open.
    #[command(after_help = AFTER_HELP)]
    Verify {
        #[command(flatten)]
        key: KeyArgs,
        /// The blobs (files, or - for stdin once).
        #[arg(required = true)]
        inputs: Vec<String>,
    },
    /// Move a blob to a new wrapping key (rotation); the content key stays.
    #[command(after_help = AFTER_HELP)]
    Rewrap(RotateArgs),
    /// Open a blob and seal it again under a new key with a fresh content key (after a compromise).
    #[command(after_help = AFTER_HELP)]
    Reseal(RotateArgs),
    /// Self-test: seal, inspect, open, tamper, rewrap and reseal a sample document with built-in test keys.
    #[command(after_help = AFTER_HELP)]
    Roundtrip {
        /// Use keys made by `blobtool keygen` in this directory instead of the built-in test keys.
        #[arg(long)]
        key_dir: Option<PathBuf>,
    },
}

/// `--bits`: one of the three RSA sizes, listed in the help.
fn bits_parser() -> impl clap::builder::TypedValueParser<Value = u32> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(["2048", "3072", "4096"]).map(|s| s.parse::<u32>().unwrap_or(2048))
}

/// The key that opens.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// The key that opens (private RSA key, or AES key-encryption key).
    #[arg(long)]
    pub key: PathBuf,
    /// Key management the key may open; without it a JWK's alg applies and a PEM RSA key opens
    /// RSA-OAEP-256 only.
    #[arg(long, value_enum)]
    pub alg: Option<AlgArg>,
}

/// Options of rewrap and reseal.
#[derive(Debug, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    /// The new wrapping key.
    #[arg(long)]
    pub new_key: PathBuf,
    /// Key management under the new key (default: the new key's).
    #[arg(long, value_enum)]
    pub new_alg: Option<AlgArg>,
    /// Key id for the new header (default: the new key's kid).
    #[arg(long)]
    pub new_kid: Option<String>,
    /// The blob (file or - for stdin).
    #[arg(default_value = "-")]
    pub input: String,
}

/// `alg` on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AlgArg {
    /// RSAES-OAEP with SHA-256 (the service's)
    #[value(name = "RSA-OAEP-256")]
    RsaOaep256,
    /// RSAES-OAEP with SHA-1
    #[value(name = "RSA-OAEP")]
    RsaOaep,
    /// AES-128 key wrap
    #[value(name = "A128KW")]
    A128Kw,
    /// AES-192 key wrap
    #[value(name = "A192KW")]
    A192Kw,
    /// AES-256 key wrap
    #[value(name = "A256KW")]
    A256Kw,
}

impl From<AlgArg> for Alg {
    fn from(a: AlgArg) -> Alg {
        match a {
            AlgArg::RsaOaep256 => Alg::RsaOaep256,
            AlgArg::RsaOaep => Alg::RsaOaep,
            AlgArg::A128Kw => Alg::A128Kw,
            AlgArg::A192Kw => Alg::A192Kw,
            AlgArg::A256Kw => Alg::A256Kw,
        }
    }
}

/// `enc` on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EncArg {
    /// AES-128-CBC with HMAC-SHA-256 (the service's)
    #[value(name = "A128CBC-HS256")]
    A128CbcHs256,
    /// AES-192-CBC with HMAC-SHA-384
    #[value(name = "A192CBC-HS384")]
    A192CbcHs384,
    /// AES-256-CBC with HMAC-SHA-512
    #[value(name = "A256CBC-HS512")]
    A256CbcHs512,
    /// AES-128-GCM
    #[value(name = "A128GCM")]
    A128Gcm,
    /// AES-192-GCM
    #[value(name = "A192GCM")]
    A192Gcm,
    /// AES-256-GCM
    #[value(name = "A256GCM")]
    A256Gcm,
}

impl From<EncArg> for Enc {
    fn from(e: EncArg) -> Enc {
        match e {
            EncArg::A128CbcHs256 => Enc::A128CbcHs256,
            EncArg::A192CbcHs384 => Enc::A192CbcHs384,
            EncArg::A256CbcHs512 => Enc::A256CbcHs512,
            EncArg::A128Gcm => Enc::A128Gcm,
            EncArg::A192Gcm => Enc::A192Gcm,
            EncArg::A256Gcm => Enc::A256Gcm,
        }
    }
}
