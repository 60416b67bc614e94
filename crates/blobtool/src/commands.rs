//! One function per command. Each reads, calls the libraries, prints.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use blob_format::{Alg, Enc, Finding, Limits, Part, Report, Severity};
use blob_seal::document::{Document, Secret, SecretValue, Tag, Version};
use blob_seal::keys::{Key, KeyKind};
use blob_seal::{KeyError, OpenOptions, Opening, RotateOptions, SealOptions};
use zeroize::Zeroizing;

use crate::cli::{AlgArg, Cli, Command, KeyArgs, RotateArgs};
use crate::io::{load_key, load_opening_key, read_input, write_atomic, Input};
use crate::output::{self, Align, Table};
use crate::{testkeys, Failure};

/// Runs a command; `Ok` carries the exit code.
pub fn run(cli: Cli) -> Result<u8, Failure> {
    match cli.command {
        Command::Inspect { input, json } => inspect(&input, json),
        Command::Keygen { out, alg, bits, kid, force } => keygen(&out, alg, bits, kid, force),
        Command::Seal { key, alg, enc, kid, envelope, out, document } => {
            let key = load_key(&key, alg)?;
            let options = SealOptions { enc: enc.into(), alg: alg.map(Into::into), kid, ..SealOptions::default() };
            seal(&key, &options, envelope, out.as_deref(), &document)
        }
        Command::Open { key, reveal, json, raw, input } => open(&key, reveal, json, raw, &input),
        Command::Verify { key, inputs } => verify(&key, &inputs),
        Command::Rewrap(args) => rotate(&args, blob_seal::rewrap),
        Command::Reseal(args) => rotate(&args, blob_seal::reseal),
        Command::Roundtrip { key_dir } => roundtrip(key_dir.as_deref()),
    }
}

/// Sorts a library error into "the blob/document failed a check" (exit 1) and "the key or the
/// invocation is wrong" (exit 2).
fn classify(e: blob_seal::Error, context: String) -> Failure {
    let usage = matches!(
        &e,
        blob_seal::Error::Key(k) if !matches!(k, KeyError::AlgNotAllowed { .. }) && !k.is_decryption_failed()
    ) || matches!(e, blob_seal::Error::MissingKid);
    let e = anyhow::Error::new(e).context(context);
    if usage {
        Failure::Usage(e)
    } else {
        Failure::Check(e)
    }
}

fn read_blob(path: &str) -> Result<Input, Failure> {
    Ok(read_input(path, Limits::DEFAULT.max_input_len)?)
}

/// The input as blob text. An input over the size limit (refused before anything is decoded) or
/// not UTF-8 is a failed check.
fn text(input: &Input) -> Result<&str, Failure> {
    if let Some(why) = input.over_limit("a blob") {
        return Err(Failure::Check(anyhow!("{why}; nothing was decoded")));
    }
    blob_format::as_text(&input.bytes, &Limits::DEFAULT)
        .map_err(|e| Failure::Check(anyhow::Error::new(e).context(format!("{} is not a blob", input.name))))
}

/// Writes `bytes` to stdout, and a newline when `newline`.
fn stdout_bytes(bytes: &[u8], newline: bool) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| if newline { out.write_all(b"\n") } else { Ok(()) })
        .and_then(|()| out.flush())
        .context("cannot write to standard output")?;
    Ok(())
}

fn stdout_line(s: &str) -> Result<(), Failure> {
    stdout_bytes(s.as_bytes(), true)
}

// ---------------------------------------------------------------------------------------------

fn inspect(path: &str, json: bool) -> Result<u8, Failure> {
    let input = read_blob(path)?;
    let report = match (input.over_limit("a blob"), blob_format::as_text(&input.bytes, &Limits::DEFAULT)) {
        (None, Ok(text)) => blob_format::inspect(text),
        (Some(why), _) => {
            inspect_anyway(&input, "input_too_large", Part::Input, 0, format!("{why}; nothing was decoded"))
        }
        (None, Err(e)) => inspect_anyway(&input, e.code(), e.part, e.offset, e.kind.to_string()),
    };
    if json {
        let text = serde_json::to_string_pretty(&report).context("cannot serialize the report")?;
        stdout_line(&text)?;
    } else {
        stdout_bytes(output::render_report(&report, output::stdout_colour()).as_bytes(), false)?;
    }
    Ok(if report.is_well_formed() { 0 } else { 1 })
}

/// The report on an input that is not blob text (over the size limit, or not UTF-8): what can be
/// shown of it, with the real reason first. Only the start of an oversized input was read, so the
/// library's own size finding (which counts what it was given) is replaced by this one.
fn inspect_anyway(input: &Input, code: &'static str, part: Part, offset: usize, message: String) -> Report {
    let mut report = blob_format::inspect(&String::from_utf8_lossy(&input.bytes));
    report.findings.retain(|f| f.code != code);
    report.findings.insert(0, Finding { severity: Severity::Error, code, part, offset, message });
    report
}

// ---------------------------------------------------------------------------------------------

fn keygen(out: &Path, alg: AlgArg, bits: Option<u32>, kid: Option<String>, force: bool) -> Result<u8, Failure> {
    let alg: Alg = alg.into();
    if !alg.is_rsa() && bits.is_some() {
        return Err(Failure::Usage(anyhow!("--bits is for RSA keys; an {alg} key has {} bits", kek_bits(alg))));
    }
    let bits = bits.unwrap_or(2048);
    let kid = match kid {
        Some(kid) if kid.is_empty() => return Err(Failure::Usage(anyhow!("--kid must not be empty"))),
        Some(kid) => kid,
        None => blob_seal::keys::random_kid().context("cannot draw a random kid")?,
    };
    // (file name, private, what it holds)
    let names: &[(&str, bool, &str)] = if alg.is_rsa() {
        &[
            ("private.pem", true, "private key, PKCS#8 PEM"),
            ("public.pem", false, "public key, SPKI PEM"),
            ("private.jwk.json", true, "private key, JWK"),
            ("public.jwk.json", false, "public key, JWK"),
        ]
    } else {
        &[("key.jwk.json", true, "secret key-encryption key, JWK")]
    };
    if !force {
        if let Some((name, _, _)) = names.iter().find(|(name, _, _)| out.join(name).exists()) {
            let path = out.join(name);
            return Err(Failure::Usage(anyhow!("{} exists; use --force to overwrite it", path.display())));
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let key = if alg.is_rsa() { Key::generate_rsa(bits)? } else { Key::generate_oct(alg)? };
    let key = key.with_kid(kid.clone()).pin(alg)?;
    let jwk = |private: bool| -> anyhow::Result<Zeroizing<String>> {
        let value = key.to_jwk(private)?;
        Ok(Zeroizing::new(serde_json::to_string_pretty(&value)? + "\n"))
    };
    let mut table = Table::new(&[Align::Left, Align::Left, Align::Left]);
    for (name, private, what) in names {
        let contents = match *name {
            "private.pem" => key.to_pkcs8_pem()?,
            "public.pem" => Zeroizing::new(key.to_spki_pem()?),
            "private.jwk.json" | "key.jwk.json" => jwk(true)?,
            _ => jwk(false)?,
        };
        write_atomic(&out.join(name), contents.as_bytes(), *private, true)?;
        table.row(&[*name, if *private { "0600" } else { "0644" }, what]);
    }
    let size = if alg.is_rsa() { format!("RSA {bits} bits") } else { format!("AES {} bits", kek_bits(alg)) };
    let dir = output::clean(&out.display().to_string());
    let mut text = format!("wrote {} in {dir}: {size}, for {alg}, kid {:?}\n", plural(names.len(), "file"), kid);
    text.push_str(&table.render("  ", false));
    text.push_str("TEST keys: keep the private files private; a key for real secrets belongs in a KMS or HSM.");
    stdout_line(&text)?;
    Ok(0)
}

fn kek_bits(alg: Alg) -> usize {
    alg.kek_len().unwrap_or(0) * 8
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

// ---------------------------------------------------------------------------------------------

fn seal(key: &Key, options: &SealOptions, envelope: bool, out: Option<&Path>, path: &str) -> Result<u8, Failure> {
    if options.kid.is_none() && key.kid().is_none() {
        return Err(Failure::Usage(anyhow!(
            "the key has no kid: give one with --kid (a sealed blob must name the key that opens it)"
        )));
    }
    let input = read_input(path, options.limits.max_document_len)?;
    if let Some(why) = input.over_limit("a backup document") {
        return Err(Failure::Check(anyhow!("{why}")));
    }
    let document = Document::from_json(&input.bytes, &options.limits).map_err(|e| {
        Failure::Check(anyhow::Error::new(e).context(format!("{} is not a valid backup document", input.name)))
    })?;
    let blob = blob_seal::seal(&document, key, options).map_err(|e| classify(e, "cannot seal".into()))?;
    let text = if envelope { blob_format::to_json_body(&blob) } else { blob };
    match out {
        Some(path) => write_atomic(path, format!("{text}\n").as_bytes(), false, true)?,
        None => stdout_line(&text)?,
    }
    Ok(0)
}

// ---------------------------------------------------------------------------------------------

fn open(key: &KeyArgs, reveal: bool, json: bool, raw: bool, path: &str) -> Result<u8, Failure> {
    let key = load_opening_key(key)?;
    let input = read_blob(path)?;
    let text = text(&input)?;
    let context = || format!("{} does not open", input.name);
    let options = OpenOptions::default();
    let opening = Opening::parse(text, &options).map_err(|e| classify(e, context()))?;
    let cek = opening.unwrap_cek(&key).map_err(|e| classify(e, context()))?;
    if raw {
        let plaintext = opening.finish_raw(&cek).map_err(|e| classify(e, context()))?;
        stdout_bytes(&plaintext, false)?;
        return Ok(0);
    }
    let document = opening.finish(&cek).map_err(|e| classify(e, context()))?;
    if json {
        let bytes = if reveal {
            document.to_json_pretty()
        } else {
            Zeroizing::new(serde_json::to_vec_pretty(&document.to_json_redacted()).context("cannot serialize")?)
        };
        stdout_bytes(&bytes, true)?;
        return Ok(0);
    }
    let kid = opening.kid().map_or_else(|| "none".to_owned(), |k| format!("{k:?}"));
    let title = format!("{} + {}, kid {kid}", opening.alg(), opening.enc());
    stdout_line(&versions_table(&document, &title, reveal))?;
    Ok(0)
}

/// The table `open` prints: id, stages, created, kind, size, and the value with `reveal`.
fn versions_table(document: &Document, blob: &str, reveal: bool) -> Zeroizing<String> {
    let mut align = vec![Align::Left, Align::Left, Align::Left, Align::Left, Align::Right];
    let mut header = vec!["ID", "STAGES", "CREATED (UTC)", "KIND", "SIZE"];
    if reveal {
        align.push(Align::Left);
        header.push("VALUE");
    }
    let mut table = Table::new(&align);
    table.row(&header);
    for v in &document.versions {
        let m = &v.version_metadata;
        let mut row = Zeroizing::new(vec![
            m.id.clone(),
            if m.version_stages.is_empty() { "-".into() } else { m.version_stages.join(",") },
            m.create_time.map_or_else(|| "-".into(), format_time),
            v.value.kind().to_owned(),
            v.value.len().to_string(),
        ]);
        if reveal {
            row.push(match &v.value {
                SecretValue::String(s) => format!("{:?}", s.as_str()),
                SecretValue::Binary(b) => format!(
                    "base64:{}",
                    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b.as_slice())
                ),
            });
        }
        table.row(&row);
    }
    let secret = &document.secret;
    let state = secret.state.map_or_else(String::new, |s| format!(", {s}"));
    let mut out = Zeroizing::new(format!(
        "secret {}{state}: {} ({blob})\n",
        output::clean(&secret.name),
        plural(document.versions.len(), "version")
    ));
    out.push_str(&table.render("", false));
    if !reveal {
        out.push_str("(values hidden: --reveal shows them)");
    }
    Zeroizing::new(out.trim_end().to_owned())
}

/// Milliseconds since the epoch as UTC `YYYY-MM-DD HH:MM:SS`.
fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

// ---------------------------------------------------------------------------------------------

fn verify(key: &KeyArgs, paths: &[String]) -> Result<u8, Failure> {
    // A key that loads but cannot open (an RSA public key) fails each input on its own line.
    let key = load_key(&key.key, key.alg)?;
    if paths.iter().filter(|p| *p == "-").count() > 1 {
        return Err(Failure::Usage(anyhow!("standard input (-) can be given only once")));
    }
    let results: Vec<std::sync::Mutex<Option<Result<String, String>>>> =
        paths.iter().map(|_| Default::default()).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(paths.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let (Some(path), Some(slot)) = (paths.get(i), results.get(i)) else { break };
                let outcome = verify_one(&key, path);
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(outcome);
                }
            });
        }
    });
    let mut ok = 0;
    let mut table = Table::new(&[Align::Left]);
    table.paint_column(0, |s| Some(if s.trim_end() == "ok" { "32" } else { "1;31" }));
    for (path, slot) in paths.iter().zip(results) {
        let outcome = slot.into_inner().ok().flatten().unwrap_or_else(|| Err("not checked".into()));
        let shown = if path == "-" { "<stdin>" } else { path.as_str() };
        match outcome {
            Ok(line) => {
                ok += 1;
                table.row_with(&["ok  "], &format!("{shown}: {line}"));
            }
            Err(why) => table.row_with(&["FAIL"], &format!("{shown}: {why}")),
        }
    }
    let mut out = table.render("", output::stdout_colour());
    let failed = paths.len() - ok;
    out.push_str(&format!("{ok} of {} open", plural(paths.len(), "blob")));
    if failed > 0 {
        out.push_str(&format!(", {failed} failed"));
    }
    stdout_line(&out)?;
    Ok(if failed == 0 { 0 } else { 1 })
}

fn verify_one(key: &Key, path: &str) -> Result<String, String> {
    let sentence = |f: Failure| match f {
        Failure::Check(e) | Failure::Usage(e) => output::error_sentence(&e),
    };
    let input = read_blob(path).map_err(sentence)?;
    let text = text(&input).map_err(sentence)?;
    let summary = blob_seal::verify(text, key, &OpenOptions::default())
        .map_err(|e| output::error_sentence(&anyhow::Error::new(e)))?;
    let kid = summary.kid.as_deref().map_or_else(|| "none".to_owned(), |k| format!("{k:?}"));
    let ids: Vec<&str> = summary.versions.iter().map(|v| v.id.as_str()).collect();
    Ok(format!(
        "kid {kid}, {} + {}, secret {}, {}: {}",
        summary.alg,
        summary.enc,
        summary.name,
        plural(summary.versions.len(), "version"),
        ids.join(", ")
    ))
}

// ---------------------------------------------------------------------------------------------

type RotateFn = fn(&str, &Key, &Key, &RotateOptions) -> Result<String, blob_seal::Error>;

fn rotate(args: &RotateArgs, op: RotateFn) -> Result<u8, Failure> {
    let old = load_opening_key(&args.key)?;
    let new = load_key(&args.new_key, args.new_alg)?;
    if args.new_kid.is_none() && new.kid().is_none() {
        return Err(Failure::Usage(anyhow!(
            "the new key has no kid: give one with --new-kid (a sealed blob must name the key that opens it)"
        )));
    }
    let input = read_blob(&args.input)?;
    let text = text(&input)?;
    let options =
        RotateOptions { alg: args.new_alg.map(Into::into), kid: args.new_kid.clone(), ..RotateOptions::default() };
    let blob = op(text, &old, &new, &options)
        .map_err(|e| classify(e, format!("{} cannot be moved to the new key", input.name)))?;
    stdout_line(&blob)?;
    Ok(0)
}

// ---------------------------------------------------------------------------------------------

/// The sample document of `roundtrip`: several versions, string and binary, unicode.
pub fn sample_document() -> Document {
    let name = "db-password";
    let mut secret = Secret::new(name);
    secret.description = Some("Base de données — 数据库 password, rotated monthly".into());
    secret.secret_type = Some("COMMON".into());
    secret.create_time = Some(1_581_507_580_000);
    secret.tags = Some(vec![Tag::new("env", "prod")]);
    let versions = vec![
        Version::new("v1", name, SecretValue::string("correct horse battery staple"))
            .with_create_time(1_581_507_580_000),
        Version::new("v2", name, SecretValue::binary((0u8..=255).collect::<Vec<u8>>()))
            .with_stages(["SYSPREVIOUS"])
            .with_create_time(1_600_000_000_000),
        Version::new("v3", name, SecretValue::string("pässwörd-🔐-密码"))
            .with_stages(["SYSCURRENT"])
            .with_create_time(1_700_000_000_000),
    ];
    Document::new(secret, versions)
}

/// One step of `roundtrip`: its name, how long it took, what it showed.
struct Step {
    name: &'static str,
    took: Duration,
    what: String,
}

fn timed<T>(
    steps: &mut Vec<Step>,
    name: &'static str,
    f: impl FnOnce() -> anyhow::Result<(T, String)>,
) -> anyhow::Result<T> {
    let start = Instant::now();
    let (value, what) = f().with_context(|| format!("roundtrip step {name} failed"))?;
    steps.push(Step { name, took: start.elapsed(), what });
    Ok(value)
}

/// The keys of `roundtrip`.
struct RoundtripKeys {
    /// Seals: the public half when there is one.
    seal: Key,
    /// Opens.
    open: Key,
    /// A key of the other family, to rewrap and reseal to.
    new: Key,
    /// Where the keys come from, for the report.
    label: String,
}

fn roundtrip_keys(dir: Option<&Path>) -> Result<RoundtripKeys, Failure> {
    let Some(dir) = dir else {
        let rsa = Key::from_jwk(testkeys::RSA_2048_JWK).context("built-in test key")?;
        let aes = Key::from_jwk(testkeys::A256KW_JWK).context("built-in test key")?;
        return Ok(RoundtripKeys {
            seal: rsa.public_key().context("built-in test key")?,
            open: rsa,
            new: aes,
            label: "the built-in TEST keys (published: never use them for real data)".into(),
        });
    };
    let candidates = ["private.jwk.json", "key.jwk.json", "private.pem"];
    let path = candidates.iter().map(|name| dir.join(name)).find(|p| p.exists()).ok_or_else(|| {
        let names = candidates.join(", ");
        anyhow!("{} has none of {names}; make keys with `blobtool keygen --out DIR`", dir.display())
    })?;
    let open = load_key(&path, None)?;
    let public = ["public.jwk.json", "public.pem"].iter().map(|name| dir.join(name)).find(|p| p.exists());
    let (seal, label) = match (&public, open.kind()) {
        (Some(public), KeyKind::RsaPrivate) => {
            let seal = load_key(public, None)?;
            let seal = match open.kid() {
                Some(kid) if seal.kid().is_none() => seal.with_kid(kid),
                _ => seal,
            };
            (seal, format!("{} (sealing with {})", path.display(), public.display()))
        }
        _ => (load_key(&path, None)?, path.display().to_string()),
    };
    // Rewrap to a key of the other family, so both kinds of wrapping run.
    let new = if open.kind() == KeyKind::Oct {
        Key::from_jwk(testkeys::RSA_3072_JWK)?
    } else {
        Key::from_jwk(testkeys::A256KW_JWK)?
    };
    Ok(RoundtripKeys { seal, open, new, label: format!("keys from {label}") })
}

/// `blob` with one character of its ciphertext changed (in the middle, where every base64url
/// character carries six bits of data), to show that a tampered blob does not open.
fn tamper(blob: &str) -> anyhow::Result<String> {
    let parsed = blob_format::parse(blob)?;
    let ciphertext = parsed.ciphertext();
    // A bare blob is ASCII: the character offset is the byte offset.
    let at = ciphertext.offset() + ciphertext.as_str().len() / 2;
    let (Some(head), Some(old), Some(tail)) = (blob.get(..at), blob.get(at..=at), blob.get(at + 1..)) else {
        return Err(anyhow!("the ciphertext is not where the parser says"));
    };
    Ok(format!("{head}{}{tail}", if old == "A" { "B" } else { "A" }))
}

fn roundtrip(key_dir: Option<&Path>) -> Result<u8, Failure> {
    let keys = roundtrip_keys(key_dir)?;
    let kid = keys.open.kid().or(keys.seal.kid()).map_or_else(|| "roundtrip".to_owned(), str::to_owned);
    let mut steps = Vec::new();
    let document = sample_document();
    let options = SealOptions { kid: Some(kid.clone()), ..SealOptions::default() };
    let open_options = OpenOptions::default();
    let (key, new_key) = (&keys.open, &keys.new);
    let mut run = || -> anyhow::Result<()> {
        let blob = timed(&mut steps, "seal", || {
            let blob = blob_seal::seal(&document, &keys.seal, &options)?;
            let alg = options.alg.unwrap_or_else(|| keys.seal.default_alg());
            let what = format!("{alg} + {}, kid {kid:?}: a blob of {} characters", options.enc, blob.len());
            Ok((blob, what))
        })?;
        timed(&mut steps, "inspect", || {
            let report = blob_format::inspect(&blob);
            if !report.is_well_formed() {
                return Err(anyhow!("inspect found errors:\n{}", output::render_report(&report, false)));
            }
            let sizes: Vec<String> = report.segments.iter().map(|s| s.decoded_len.unwrap_or(0).to_string()).collect();
            Ok(((), format!("well formed; segments of {} bytes", sizes.join(" / "))))
        })?;
        let opened = timed(&mut steps, "open", || {
            let doc = blob_seal::open(&blob, key, &open_options)?;
            let what = format!("{} of secret {}", plural(doc.versions.len(), "version"), doc.secret.name);
            Ok((doc, what))
        })?;
        timed(&mut steps, "compare", || {
            if opened != document {
                return Err(anyhow!("the opened document differs from the sealed one"));
            }
            Ok(((), "identical to the sealed document".into()))
        })?;
        timed(&mut steps, "tamper", || {
            let refused = match blob_seal::open(&tamper(&blob)?, key, &open_options) {
                Ok(_) => return Err(anyhow!("a blob with one ciphertext character changed still opens")),
                Err(e) if e.is_decryption_failed() => e,
                Err(e) => return Err(anyhow!("a tampered blob gives {} instead of decryption_failed", e.code())),
            };
            Ok(((), format!("one ciphertext character changed: refused ({})", refused.code())))
        })?;
        timed(&mut steps, "enc", || {
            for enc in Enc::ALL {
                let sealed = blob_seal::seal(&document, &keys.seal, &SealOptions { enc, ..options.clone() })?;
                if blob_seal::open(&sealed, key, &open_options)? != document {
                    return Err(anyhow!("{enc} opens to another document"));
                }
            }
            let names: Vec<&str> = Enc::ALL.iter().map(|e| e.name()).collect();
            Ok(((), format!("seal and open identical under {}", names.join(", "))))
        })?;
        let rewrapped = timed(&mut steps, "rewrap", || {
            let new = blob_seal::rewrap(&blob, key, new_key, &RotateOptions::default())?;
            let (a, b) = (blob_format::parse(&blob)?, blob_format::parse(&new)?);
            if a.iv().as_str() != b.iv().as_str() || a.ciphertext().as_str() != b.ciphertext().as_str() {
                return Err(anyhow!("rewrap changed the IV or ciphertext"));
            }
            let what = format!(
                "to {} (kid {:?}); IV and ciphertext unchanged",
                b.header().alg(),
                b.header().kid().unwrap_or("-")
            );
            Ok((new, what))
        })?;
        timed(&mut steps, "reopen", || {
            if blob_seal::open(&rewrapped, new_key, &open_options)? != document {
                return Err(anyhow!("the rewrapped blob opens to another document"));
            }
            let refused = blob_seal::open(&rewrapped, key, &open_options)
                .err()
                .ok_or_else(|| anyhow!("the old key still opens the rewrapped blob"))?;
            Ok(((), format!("new key: identical; old key refused ({})", refused.code())))
        })?;
        timed(&mut steps, "reseal", || {
            let new = blob_seal::reseal(&blob, key, new_key, &RotateOptions::default())?;
            let (a, b) = (blob_format::parse(&blob)?, blob_format::parse(&new)?);
            if a.iv().as_str() == b.iv().as_str() || a.encrypted_key().as_str() == b.encrypted_key().as_str() {
                return Err(anyhow!("reseal kept the IV or the content key"));
            }
            if blob_seal::open(&new, new_key, &open_options)? != document {
                return Err(anyhow!("the resealed blob opens to another document"));
            }
            Ok(((), format!("to {}; fresh content key and IV; new key: identical", b.header().alg())))
        })?;
        Ok(())
    };
    let result = run();
    let mut table = Table::new(&[Align::Left, Align::Right, Align::Left]);
    for s in &steps {
        table.row(&[s.name.to_owned(), format!("{:.3} ms", s.took.as_secs_f64() * 1e3), s.what.clone()]);
    }
    let mut out = format!("blobtool roundtrip with {}\n", keys.label);
    out.push_str(&table.render("  ", false));
    match result {
        Ok(()) => {
            out.push_str(&format!("roundtrip: ok ({} steps)", table.len()));
            stdout_line(&out)?;
            Ok(0)
        }
        Err(e) => {
            out.push_str("roundtrip: FAILED");
            stdout_line(&out)?;
            Err(Failure::Check(e))
        }
    }
}
