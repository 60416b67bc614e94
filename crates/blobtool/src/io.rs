//! Files and standard streams: bounded reads, atomic writes, key loading.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use blob_seal::keys::Key;
use zeroize::Zeroizing;

use crate::cli::{AlgArg, KeyArgs};

/// An input read whole: its name for messages, and its bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads `path` (or stdin for `-`), at most `max` bytes plus one so that an oversized input is
/// detected without being read whole.
pub fn read_input(path: &str, max: usize) -> anyhow::Result<Input> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    let name = if path == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes).context("reading standard input")?;
        "<stdin>".to_owned()
    } else {
        let file = fs::File::open(path).with_context(|| format!("cannot open {path}"))?;
        file.take(limit).read_to_end(&mut bytes).with_context(|| format!("cannot read {path}"))?;
        path.to_owned()
    };
    Ok(Input { name, bytes })
}

/// Loads a key file (PEM or JWK), allowing `alg` on top of what the key itself pins.
pub fn load_key(path: &Path, alg: Option<AlgArg>) -> anyhow::Result<Key> {
    let bytes = Zeroizing::new(fs::read(path).with_context(|| format!("cannot read key file {}", path.display()))?);
    let key = Key::from_bytes(&bytes).with_context(|| format!("cannot load key file {}", path.display()))?;
    match alg {
        None => Ok(key),
        Some(alg) => key.allow(alg.into()).with_context(|| format!("key file {}", path.display())),
    }
}

/// Loads the opening key of a command.
pub fn load_opening_key(args: &KeyArgs) -> anyhow::Result<Key> {
    load_key(&args.key, args.alg)
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
