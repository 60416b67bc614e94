//! One function per command. Each reads, calls the libraries, prints.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use blob_format::{Finding, Limits, Part, Severity};
use blob_seal::document::{Document, DocumentLimits, Secret, SecretValue, Tag, Version};
use blob_seal::keys::{Key, KeyKind};
use blob_seal::{KeyError, OpenOptions, RotateOptions, SealOptions};

use crate::cli::{AlgArg, Cli, Command, KeyArgs, RotateArgs};
use crate::io::{load_key, load_opening_key, read_input, write_atomic, Input};
use crate::output::{colour, colour_report};
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

/// The input as text; non-UTF-8 or oversized input is a failed check.
fn text(input: &Input) -> Result<&str, Failure> {
    blob_format::as_text(&input.bytes, &Limits::DEFAULT)
        .map_err(|e| Failure::Check(anyhow::Error::new(e).context(format!("{} is not a blob", input.name))))
}

fn stdout_line(s: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{s}").and_then(|()| out.flush()).context("writing to standard output")?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------

fn inspect(path: &str, json: bool) -> Result<u8, Failure> {
    let input = read_blob(path)?;
    let report = match blob_format::as_text(&input.bytes, &Limits::DEFAULT) {
        Ok(text) => blob_format::inspect(text),
        Err(e) => {
            // Still show what can be shown, with the real error first.
            let mut report = blob_format::inspect(&String::from_utf8_lossy(&input.bytes));
            let finding = Finding {
                severity: Severity::Error,
                code: e.code(),
                part: Part::Input,
                offset: e.offset,
                message: e.kind.to_string(),
            };
            report.findings.insert(0, finding);
            report
        }
    };
    if json {
        let text = serde_json::to_string_pretty(&report).context("serializing the report")?;
        stdout_line(&text)?;
    } else {
        let on = colour(std::io::stdout().is_terminal());
        print!("{}", colour_report(&report.to_string(), on));
    }
    Ok(if report.is_well_formed() { 0 } else { 1 })
}

// ---------------------------------------------------------------------------------------------

fn keygen(out: &Path, alg: AlgArg, bits: u32, kid: Option<String>, force: bool) -> Result<u8, Failure> {
    let alg: blob_format::Alg = alg.into();
    if alg.is_rsa() && ![2048, 3072, 4096].contains(&bits) {
        return Err(Failure::Usage(anyhow!("--bits must be 2048, 3072 or 4096")));
    }
    let kid = match kid {
        Some(kid) => kid,
        None => blob_seal::keys::random_kid().context("drawing a random kid")?,
    };
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let key = if alg.is_rsa() { Key::generate_rsa(bits)? } else { Key::generate_oct(alg)? };
    let key = key.with_kid(kid.clone()).pin(alg)?;
    let jwk = |private: bool| -> anyhow::Result<zeroize::Zeroizing<String>> {
        let value = key.to_jwk(private)?;
        Ok(zeroize::Zeroizing::new(serde_json::to_string_pretty(&value)? + "\n"))
    };
    // (file name, contents, private)
    let files: Vec<(&str, zeroize::Zeroizing<String>, bool)> = if alg.is_rsa() {
        vec![
            ("private.pem", key.to_pkcs8_pem()?, true),
            ("public.pem", zeroize::Zeroizing::new(key.to_spki_pem()?), false),
            ("private.jwk.json", jwk(true)?, true),
            ("public.jwk.json", jwk(false)?, false),
        ]
    } else {
        vec![("key.jwk.json", jwk(true)?, true)]
    };
    if !force {
        if let Some((name, _, _)) = files.iter().find(|(name, _, _)| out.join(name).exists()) {
            return Err(Failure::Usage(anyhow!("{} exists; use --force to overwrite", out.join(name).display())));
        }
    }
    for (name, contents, private) in &files {
        write_atomic(&out.join(name), contents.as_bytes(), *private, true)?;
    }
    let names: Vec<&str> = files.iter().map(|(n, _, _)| *n).collect();
    eprintln!(
        "wrote {} in {} (kid {kid}, {alg}); TEST keys: keep the private files private",
        names.join(", "),
        out.display()
    );
    Ok(0)
}

// ---------------------------------------------------------------------------------------------

fn seal(key: &Key, options: &SealOptions, envelope: bool, out: Option<&Path>, path: &str) -> Result<u8, Failure> {
    if options.kid.is_none() && key.kid().is_none() {
        return Err(Failure::Usage(anyhow!("the key has no kid: give one with --kid")));
    }
    let input = read_input(path, DocumentLimits::DEFAULT.max_document_len)?;
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
    if raw {
        let plaintext = blob_seal::open_raw(text, &key, &OpenOptions::default()).map_err(|e| classify(e, context()))?;
        let mut out = std::io::stdout().lock();
        out.write_all(&plaintext).and_then(|()| out.flush()).context("writing to standard output")?;
        return Ok(0);
    }
    let document = blob_seal::open(text, &key, &OpenOptions::default()).map_err(|e| classify(e, context()))?;
    if json {
        let bytes = if reveal {
            document.to_json_pretty()
        } else {
            zeroize::Zeroizing::new(serde_json::to_vec_pretty(&document.to_json_redacted()).context("serializing")?)
        };
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush())
            .context("writing to standard output")?;
        return Ok(0);
    }
    stdout_line(&versions_table(&document, reveal))?;
    Ok(0)
}

/// The table `open` prints: id, stages, created, kind, size, and the value with `reveal`.
fn versions_table(document: &Document, reveal: bool) -> String {
    let mut header = vec!["ID".to_owned(), "STAGES".into(), "CREATED".into(), "KIND".into(), "SIZE".into()];
    if reveal {
        header.push("VALUE".into());
    }
    let columns = header.len();
    let mut rows = vec![header];
    for v in &document.versions {
        let m = &v.version_metadata;
        let mut row = vec![
            m.id.clone(),
            if m.version_stages.is_empty() { "-".into() } else { m.version_stages.join(",") },
            m.create_time.map_or_else(|| "-".into(), format_time),
            v.value.kind().to_owned(),
            v.value.len().to_string(),
        ];
        if reveal {
            row.push(match &v.value {
                SecretValue::String(s) => format!("{:?}", s.as_str()),
                SecretValue::Binary(b) => format!(
                    "base64:{}",
                    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b.as_slice())
                ),
            });
        }
        rows.push(row);
    }
    let widths: Vec<usize> = (0..columns)
        .map(|i| rows.iter().map(|r| r.get(i).map_or(0, |c| c.chars().count())).max().unwrap_or(0))
        .collect();
    let mut out = format!("secret {} ({} versions)\n", document.secret.name, document.versions.len());
    for row in rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.trim_end().to_owned()
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
    let key = load_opening_key(key)?;
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
    let mut out = String::new();
    for (path, slot) in paths.iter().zip(results) {
        let outcome = slot.into_inner().ok().flatten().unwrap_or_else(|| Err("not checked".into()));
        match outcome {
            Ok(line) => {
                ok += 1;
                out.push_str(&format!("ok    {path}: {line}\n"));
            }
            Err(why) => out.push_str(&format!("FAIL  {path}: {why}\n")),
        }
    }
    out.push_str(&format!("{ok} of {} blobs open", paths.len()));
    stdout_line(&out)?;
    Ok(if ok == paths.len() { 0 } else { 1 })
}

fn verify_one(key: &Key, path: &str) -> Result<String, String> {
    let input = read_blob(path).map_err(|f| match f {
        Failure::Check(e) | Failure::Usage(e) => format!("{e:#}"),
    })?;
    let text = blob_format::as_text(&input.bytes, &Limits::DEFAULT).map_err(|e| e.to_string())?;
    let summary =
        blob_seal::verify(text, key, &OpenOptions::default()).map_err(|e| format!("{:#}", anyhow::Error::new(e)))?;
    let kid = summary.kid.as_deref().unwrap_or("(none)");
    Ok(format!(
        "kid {kid}, {} + {}, secret {}, {} versions ({})",
        summary.alg,
        summary.enc,
        summary.name,
        summary.versions.len(),
        summary.versions.iter().map(|v| v.id.as_str()).collect::<Vec<_>>().join(", ")
    ))
}

// ---------------------------------------------------------------------------------------------

type RotateFn = fn(&str, &Key, &Key, &RotateOptions) -> Result<String, blob_seal::Error>;

fn rotate(args: &RotateArgs, op: RotateFn) -> Result<u8, Failure> {
    let old = load_opening_key(&args.key)?;
    let new = load_key(&args.new_key, args.new_alg)?;
    if args.new_kid.is_none() && new.kid().is_none() {
        return Err(Failure::Usage(anyhow!("the new key has no kid: give one with --new-kid")));
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

/// Keys for roundtrip: (opening key, key to rewrap to, label).
fn roundtrip_keys(dir: Option<&Path>) -> Result<(Key, Key, String), Failure> {
    let Some(dir) = dir else {
        let rsa = Key::from_jwk(testkeys::RSA_2048_JWK).context("built-in test key")?;
        let aes = Key::from_jwk(testkeys::A256KW_JWK).context("built-in test key")?;
        return Ok((rsa, aes, "built-in TEST keys (public: never use them for real data)".into()));
    };
    let candidates = ["private.jwk.json", "key.jwk.json", "private.pem"];
    let path = candidates.iter().map(|name| dir.join(name)).find(|p| p.exists()).ok_or_else(|| {
        anyhow!("{} has none of {}; make keys with `blobtool keygen --out DIR`", dir.display(), candidates.join(", "))
    })?;
    let key = load_key(&path, None)?;
    // Rewrap to a fresh key of the other family, so both kinds of wrapping run.
    let other = if key.kind() == KeyKind::Oct {
        Key::from_jwk(testkeys::RSA_3072_JWK)?
    } else {
        Key::from_jwk(testkeys::A256KW_JWK)?
    };
    Ok((key, other, format!("keys from {}", path.display())))
}

fn roundtrip(key_dir: Option<&Path>) -> Result<u8, Failure> {
    let (key, new_key, label) = roundtrip_keys(key_dir)?;
    let kid = key.kid().map_or_else(|| "roundtrip".to_owned(), str::to_owned);
    let mut steps = Vec::new();
    let document = sample_document();
    let options = SealOptions { kid: Some(kid.clone()), ..SealOptions::default() };
    let mut run = || -> anyhow::Result<()> {
        let blob = timed(&mut steps, "seal", || {
            let blob = blob_seal::seal(&document, &key, &options)?;
            let what = format!("{} + {}, kid {kid}: {} characters", key.default_alg(), options.enc, blob.len());
            Ok((blob, what))
        })?;
        timed(&mut steps, "inspect", || {
            let report = blob_format::inspect(&blob);
            if !report.is_well_formed() {
                return Err(anyhow!("inspect found errors:\n{report}"));
            }
            let sizes: Vec<String> =
                report.segments.iter().map(|s| format!("{}", s.decoded_len.unwrap_or(0))).collect();
            Ok(((), format!("well formed; segment sizes {} bytes", sizes.join("/"))))
        })?;
        let opened = timed(&mut steps, "open", || {
            let doc = blob_seal::open(&blob, &key, &OpenOptions::default())?;
            let what = format!("{} versions of {}", doc.versions.len(), doc.secret.name);
            Ok((doc, what))
        })?;
        timed(&mut steps, "compare", || {
            if opened != document {
                return Err(anyhow!("the opened document differs from the sealed one"));
            }
            Ok(((), "identical to the sealed document".into()))
        })?;
        let rewrapped = timed(&mut steps, "rewrap", || {
            let new = blob_seal::rewrap(&blob, &key, &new_key, &RotateOptions::default())?;
            let (a, b) = (blob_format::parse(&blob)?, blob_format::parse(&new)?);
            if a.iv().as_str() != b.iv().as_str() || a.ciphertext().as_str() != b.ciphertext().as_str() {
                return Err(anyhow!("rewrap changed the IV or ciphertext"));
            }
            let what = format!(
                "to {} (kid {}); IV and ciphertext unchanged",
                b.header().alg(),
                b.header().kid().unwrap_or("-")
            );
            Ok((new, what))
        })?;
        timed(&mut steps, "reopen", || {
            if blob_seal::open(&rewrapped, &new_key, &OpenOptions::default())? != document {
                return Err(anyhow!("the rewrapped blob opens to another document"));
            }
            let refused = blob_seal::open(&rewrapped, &key, &OpenOptions::default())
                .err()
                .ok_or_else(|| anyhow!("the old key still opens the rewrapped blob"))?;
            Ok(((), format!("new key: identical; old key refused ({})", refused.code())))
        })?;
        Ok(())
    };
    let result = run();
    let mut out = format!("blobtool roundtrip with {label}\n");
    for s in &steps {
        out.push_str(&format!("  {:<8} {:>9.3} ms  {}\n", s.name, s.took.as_secs_f64() * 1e3, s.what));
    }
    match result {
        Ok(()) => {
            out.push_str("roundtrip: ok");
            stdout_line(&out)?;
            Ok(0)
        }
        Err(e) => {
            print!("{out}");
            Err(Failure::Check(e))
        }
    }
}
