//! Files and standard streams: bounded reads, atomic writes, key loading.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use blob_seal::keys::Key;
use blob_seal::KeyError;
use zeroize::Zeroizing;

use crate::cli::{AlgArg, KeyArgs};

/// The largest key file read: far above any PEM or JWK of an 8192-bit RSA key, and a bound on
/// what `--key /dev/zero` can cost.
const MAX_KEY_FILE: u64 = 1 << 20;

/// An input read whole, or up to its limit.
pub struct Input {
    /// The file name, or `<stdin>`, for messages.
    pub name: String,
    /// The bytes read: at most the limit plus one.
    pub bytes: Vec<u8>,
    /// Set when the input is longer than the limit: then `bytes` holds only its start.
    pub over: Option<Oversize>,
}

/// An input over its limit.
pub struct Oversize {
    /// The input's real length when known (a regular file), else `None` (a stream: not read further).
    pub len: Option<u64>,
    /// The limit.
    pub max: usize,
}

impl Input {
    /// Why the input is refused for its size, or `None`: "NAME is N bytes, over the limit of M
    /// bytes for WHAT".
    pub fn over_limit(&self, what: &str) -> Option<String> {
        let over = self.over.as_ref()?;
        let (max, mib) = (over.max, over.max as f64 / f64::from(1u32 << 20));
        Some(match over.len {
            Some(len) => {
                format!("{} is {len} bytes, over the limit of {max} bytes ({mib:.0} MiB) for {what}", self.name)
            }
            None => format!("{} is over the limit of {max} bytes ({mib:.0} MiB) for {what}", self.name),
        })
    }
}

/// Reads `path` (or stdin for `-`), at most `max` bytes plus one, so that an oversized input is
/// detected without being read whole.
pub fn read_input(path: &str, max: usize) -> anyhow::Result<Input> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    let (name, file_len) = if path == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes).context("cannot read standard input")?;
        ("<stdin>".to_owned(), None)
    } else {
        let file = fs::File::open(path).with_context(|| format!("cannot open {path}"))?;
        let len = file.metadata().ok().filter(fs::Metadata::is_file).map(|m| m.len());
        file.take(limit).read_to_end(&mut bytes).with_context(|| format!("cannot read {path}"))?;
        (path.to_owned(), len)
    };
    let over = (bytes.len() > max).then(|| Oversize { len: file_len.filter(|&n| n > limit.saturating_sub(1)), max });
    Ok(Input { name, bytes, over })
}

/// Loads a key file (PEM or JWK), allowing `alg` on top of what the key itself pins.
pub fn load_key(path: &Path, alg: Option<AlgArg>) -> anyhow::Result<Key> {
    let shown = path.display();
    let file = fs::File::open(path).with_context(|| format!("cannot read key file {shown}"))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_KEY_FILE + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read key file {shown}"))?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(anyhow!("key file {shown} is over {MAX_KEY_FILE} bytes: not a PEM or JWK key"));
    }
    let key = Key::from_bytes(&bytes).with_context(|| format!("cannot load key file {shown}"))?;
    match alg {
        None => Ok(key),
        Some(alg) => key
            .allow(alg.into())
            .with_context(|| format!("cannot use key file {shown} for {}", blob_format::Alg::from(alg))),
    }
}

/// Loads the key of a command that opens blobs. An RSA public key is refused here, before any
/// input is read: opening needs the private key.
pub fn load_opening_key(args: &KeyArgs) -> anyhow::Result<Key> {
    let key = load_key(&args.key, args.alg)?;
    if !key.has_private() {
        let e = anyhow::Error::new(KeyError::PublicKeyOnly);
        return Err(e.context(format!("cannot open with key file {}", args.key.display())));
    }
    Ok(key)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, synced, then
/// renamed over the target, so a reader never sees a half-written file. `private` makes the
/// file mode 0600 from the start. Refuses to replace an existing file unless `force`.
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool, force: bool) -> anyhow::Result<()> {
    if !force && path.exists() {
        return Err(anyhow!("{} exists; use --force to overwrite it", path.display()));
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file_name = path.file_name().ok_or_else(|| anyhow!("{} is not a file path", path.display()))?;
    let tmp: PathBuf = dir.join(format!(".{}.tmp{}", file_name.to_string_lossy(), std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(if private { 0o600 } else { 0o644 });
        }
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}
