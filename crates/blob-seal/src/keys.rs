//! Keys: loading (PEM, JWK), generation of test keys, export, and algorithm pinning.
//!
//! A [`Key`] is an RSA private key, an RSA public key or an AES key-encryption key, with an optional `kid` and the
//! set of key-management algorithms it may be used with. **The algorithm is never chosen from a blob header
//! alone**: a JWK with `alg` allows exactly that algorithm; an RSA key from PEM (or a JWK without `alg`) allows
//! `RSA-OAEP-256` only; an AES key without `alg` allows the key wrap of its size only. Anything else must be
//! allowed explicitly with [`Key::allow`]. [`Key::wrap_cek`] and [`Key::unwrap_cek`] refuse an algorithm the key
//! does not allow before any cryptography.
//!
//! Key policy: RSA keys of 2048 to 8192 bits with an odd public exponent of at least 3; AES key-encryption
//! keys of 16, 24 or 32 bytes. Key material never appears in `Debug` output or in an error.

use std::collections::BTreeSet;
use std::fmt;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use blob_format::Alg;
use openssl::bn::{BigNum, BigNumContext, BigNumRef};
use openssl::pkey::{HasPublic, Id, PKey, PKeyRef, Private, Public};
use openssl::rsa::Rsa;
use openssl::x509::X509;
use serde::Deserialize;
use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{CryptoError, KeyError};
use crate::wrap;

/// The smallest RSA modulus accepted, in bits (NIST SP 800-131A; RFC 7518 section 4.3 asks for 2048).
pub const MIN_RSA_BITS: u32 = 2048;
/// The largest RSA modulus accepted, in bits: blob-format accepts encrypted keys of at most 1024 bytes, and this bounds the cost of a private operation.
pub const MAX_RSA_BITS: u32 = 8192;
/// The RSA sizes [`Key::generate_rsa`] makes.
pub const GENERATED_RSA_BITS: [u32; 3] = [2048, 3072, 4096];

/// What a [`Key`] holds; named in errors and in `Debug`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// An RSA private key (can seal and open).
    RsaPrivate,
    /// An RSA public key (can seal only).
    RsaPublic,
    /// An AES key-encryption key, JWK `kty` `oct` (can seal and open).
    Oct,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::RsaPrivate => "an RSA private key",
            KeyKind::RsaPublic => "an RSA public key",
            KeyKind::Oct => "an AES key-encryption key",
        })
    }
}

#[derive(Clone)]
enum Material {
    RsaPrivate(PKey<Private>),
    RsaPublic(PKey<Public>),
    Oct(Zeroizing<Vec<u8>>),
}

/// A wrapping key with its `kid` and the key-management algorithms it may be used with.
///
/// Cheap to clone (RSA keys are reference-counted by OpenSSL), `Send` and `Sync`. `Debug` shows the kind, size,
/// `kid` and allowed algorithms, never key material.
#[derive(Clone)]
pub struct Key {
    material: Material,
    kid: Option<String>,
    algs: BTreeSet<Alg>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let algs: Vec<&str> = self.algs.iter().map(|a| a.name()).collect();
        f.debug_struct("Key")
            .field("kind", &self.kind())
            .field("bits", &self.bits())
            .field("kid", &self.kid)
            .field("algs", &algs)
            .finish()
    }
}

impl Key {
    // -----------------------------------------------------------------------------------------------------------
    // Construction

    /// An RSA private key from an OpenSSL key, allowing `RSA-OAEP-256`. Checks size, exponent and that the CRT
    /// parameters are consistent.
    pub fn from_rsa_private(pkey: PKey<Private>) -> Result<Key, KeyError> {
        check_rsa_public(&pkey)?;
        let rsa = pkey.rsa().map_err(|_| KeyError::InvalidKey("not a usable RSA key".into()))?;
        check_rsa_private(&rsa)?;
        Ok(Key::new(Material::RsaPrivate(pkey), Alg::RsaOaep256))
    }

    /// An RSA public key from an OpenSSL key, allowing `RSA-OAEP-256`. It can seal, not open.
    pub fn from_rsa_public(pkey: PKey<Public>) -> Result<Key, KeyError> {
        check_rsa_public(&pkey)?;
        Ok(Key::new(Material::RsaPublic(pkey), Alg::RsaOaep256))
    }

    /// An AES key-encryption key of 16, 24 or 32 bytes, allowing the key wrap of its size (`A128KW`...).
    pub fn from_oct(kek: &[u8]) -> Result<Key, KeyError> {
        let alg = kw_for_len(kek.len()).ok_or(KeyError::OctKeyLength { len: kek.len() })?;
        Ok(Key::new(Material::Oct(Zeroizing::new(kek.to_vec())), alg))
    }

    /// Reads a key from PEM: PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, SPKI `PUBLIC KEY`, PKCS#1
    /// `RSA PUBLIC KEY`, or the public key of a `CERTIFICATE`. Exactly one PEM block; encrypted PEM is refused
    /// (decrypt it first). The key allows `RSA-OAEP-256` only until [`Key::allow`] says otherwise.
    pub fn from_pem(pem: &[u8]) -> Result<Key, KeyError> {
        let block = parse_pem(pem)?;
        let der: &[u8] = &block.der;
        let bad = |what: &str| KeyError::InvalidKey(format!("the PEM block is not a valid {what}"));
        match block.label.as_str() {
            "PRIVATE KEY" => {
                let pkey = PKey::private_key_from_pkcs8(der).map_err(|_| bad("PKCS#8 private key"))?;
                require_rsa(pkey.id())?;
                Key::from_rsa_private(pkey)
            }
            "RSA PRIVATE KEY" => {
                let rsa = Rsa::private_key_from_der(der).map_err(|_| bad("PKCS#1 RSA private key"))?;
                let pkey = PKey::from_rsa(rsa).map_err(|_| bad("PKCS#1 RSA private key"))?;
                Key::from_rsa_private(pkey)
            }
            "PUBLIC KEY" => {
                let pkey = PKey::public_key_from_der(der).map_err(|_| bad("SubjectPublicKeyInfo public key"))?;
                require_rsa(pkey.id())?;
                Key::from_rsa_public(pkey)
            }
            "RSA PUBLIC KEY" => {
                let rsa = Rsa::public_key_from_der_pkcs1(der).map_err(|_| bad("PKCS#1 RSA public key"))?;
                let pkey = PKey::from_rsa(rsa).map_err(|_| bad("PKCS#1 RSA public key"))?;
                Key::from_rsa_public(pkey)
            }
            "CERTIFICATE" => {
                let cert = X509::from_der(der).map_err(|_| bad("X.509 certificate"))?;
                let pkey = cert.public_key().map_err(|_| bad("X.509 certificate"))?;
                require_rsa(pkey.id())?;
                Key::from_rsa_public(pkey)
            }
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::InvalidKey(
                "encrypted PKCS#8 is not supported; decrypt it first (openssl pkey -in KEY -out PLAIN.pem)".into(),
            )),
            other => Err(KeyError::UnsupportedKeyType(format!("PEM block \"{other}\""))),
        }
    }

    /// Reads a key from a JWK (RFC 7517): `kty` `RSA` (public: `n`, `e`; private: also `d`, `p`, `q`, `dp`, `dq`,
    /// `qi`) or `oct` (`k`). Members are strict base64url (no padding, canonical). `kid` is kept; `alg`, when
    /// present, must be a supported key-management algorithm fitting the key and pins the key to it; `use`, when
    /// present, must be `enc`. A JWK set (`{"keys": [...]}`) is refused: pass one key.
    pub fn from_jwk(json: &str) -> Result<Key, KeyError> {
        let jwk: JwkIn<'_> = serde_json::from_str(json).map_err(json_error)?;
        if jwk.keys.is_some() {
            return Err(KeyError::InvalidKey("this is a JWK set ({\"keys\": [...]}); pass a single JWK".into()));
        }
        if let Some(u) = jwk.use_.as_deref() {
            if u != "enc" {
                return Err(KeyError::WrongUse(u.to_owned()));
            }
        }
        let alg = match jwk.alg.as_deref() {
            None => None,
            Some(name) => Some(Alg::from_name(name).ok_or_else(|| KeyError::UnsupportedAlg(name.to_owned()))?),
        };
        let key = match jwk.kty.as_deref() {
            Some("RSA") => rsa_from_jwk(&jwk)?,
            Some("oct") => {
                let k = b64_member("k", jwk.k)?;
                Key::from_oct(&k)?
            }
            Some(other) => return Err(KeyError::UnsupportedKeyType(format!("JWK kty \"{other}\""))),
            None => return Err(KeyError::InvalidKey("the JWK has no \"kty\" member".into())),
        };
        let mut key = match alg {
            Some(alg) => key.pin(alg)?,
            None => key,
        };
        key.kid = jwk.kid;
        Ok(key)
    }

    /// Reads a key in either form: a JWK if the text starts with `{`, PEM if it holds `-----BEGIN`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Key, KeyError> {
        let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            let text = std::str::from_utf8(body).map_err(|_| KeyError::InvalidKey("the JWK is not UTF-8".into()))?;
            Key::from_jwk(text)
        } else if bytes.windows(10).any(|w| w == b"-----BEGIN") {
            Key::from_pem(bytes)
        } else {
            Err(KeyError::InvalidKey(
                "neither a JWK (JSON object) nor PEM (-----BEGIN ...); DER is not read: convert it with openssl pkey -outform PEM"
                    .into(),
            ))
        }
    }

    /// A fresh RSA key for tests and examples (2048, 3072 or 4096 bits, exponent 65537), allowing `RSA-OAEP-256`.
    pub fn generate_rsa(bits: u32) -> Result<Key, KeyError> {
        if bits < MIN_RSA_BITS {
            return Err(KeyError::KeyTooSmall { bits });
        }
        if !GENERATED_RSA_BITS.contains(&bits) {
            return Err(KeyError::InvalidKey(format!("generate_rsa makes 2048-, 3072- or 4096-bit keys, not {bits}")));
        }
        let err = |_| KeyError::Crypto(CryptoError::Backend { operation: "RSA key generation", detail: String::new() });
        let rsa = Rsa::generate(bits).map_err(err)?;
        let pkey = PKey::from_rsa(rsa).map_err(err)?;
        Ok(Key::new(Material::RsaPrivate(pkey), Alg::RsaOaep256))
    }

    /// A fresh random AES key-encryption key for `alg` (`A128KW`, `A192KW` or `A256KW`), pinned to it.
    pub fn generate_oct(alg: Alg) -> Result<Key, KeyError> {
        let len = alg.kek_len().ok_or(KeyError::WrongKeyType { alg, kind: KeyKind::Oct })?;
        let mut kek = Zeroizing::new(vec![0u8; len]);
        openssl::rand::rand_priv_bytes(&mut kek).map_err(|_| CryptoError::Rng)?;
        Ok(Key::new(Material::Oct(kek), alg))
    }

    fn new(material: Material, alg: Alg) -> Key {
        Key { material, kid: None, algs: BTreeSet::from([alg]) }
    }

    // -----------------------------------------------------------------------------------------------------------
    // Identity and policy

    /// What the key holds.
    pub fn kind(&self) -> KeyKind {
        match self.material {
            Material::RsaPrivate(_) => KeyKind::RsaPrivate,
            Material::RsaPublic(_) => KeyKind::RsaPublic,
            Material::Oct(_) => KeyKind::Oct,
        }
    }

    /// The key id (`kid`), written into the headers of blobs sealed with this key.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The same key with this `kid`.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Key {
        self.kid = Some(kid.into());
        self
    }

    /// The same key, also allowed for `alg` (the caller's explicit choice, e.g. `RSA-OAEP` for a PEM key).
    /// Refuses an AES key wrap on an RSA key, RSA-OAEP on an AES key, and a key wrap of another size.
    pub fn allow(mut self, alg: Alg) -> Result<Key, KeyError> {
        self.check_fits(alg)?;
        self.algs.insert(alg);
        Ok(self)
    }

    /// The same key allowed for `alg` only (what a JWK's `alg` does). Refuses an `alg` that does
    /// not fit the key, as [`Key::allow`] does.
    pub fn pin(mut self, alg: Alg) -> Result<Key, KeyError> {
        self.check_fits(alg)?;
        self.algs = BTreeSet::from([alg]);
        Ok(self)
    }

    /// Whether the key may be used with `alg`.
    pub fn allows(&self, alg: Alg) -> bool {
        self.algs.contains(&alg)
    }

    /// The algorithms the key may be used with, in [`Alg::ALL`] order.
    pub fn allowed_algs(&self) -> Vec<Alg> {
        self.algs.iter().copied().collect()
    }

    /// The algorithm to seal with when the caller names none: the first allowed in [`Alg::ALL`] order
    /// (`RSA-OAEP-256` before `RSA-OAEP`).
    pub fn default_alg(&self) -> Alg {
        match self.algs.iter().next() {
            Some(alg) => *alg,
            None => match &self.material {
                Material::Oct(k) => kw_for_len(k.len()).unwrap_or(Alg::A256Kw),
                Material::RsaPrivate(_) | Material::RsaPublic(_) => Alg::RsaOaep256,
            },
        }
    }

    /// Whether the key can open blobs: an RSA private key or an AES key (symmetric keys are secret).
    pub fn has_private(&self) -> bool {
        !matches!(self.material, Material::RsaPublic(_))
    }

    /// Same as [`Key::has_private`].
    pub fn is_private(&self) -> bool {
        self.has_private()
    }

    /// The RSA modulus size in bits; `None` for an AES key.
    pub fn rsa_bits(&self) -> Option<u32> {
        match &self.material {
            Material::RsaPrivate(k) => Some(k.bits()),
            Material::RsaPublic(k) => Some(k.bits()),
            Material::Oct(_) => None,
        }
    }

    /// The key size in bits: the RSA modulus or the AES key.
    pub fn bits(&self) -> u32 {
        match &self.material {
            Material::Oct(k) => u32::try_from(k.len().saturating_mul(8)).unwrap_or(u32::MAX),
            Material::RsaPrivate(_) | Material::RsaPublic(_) => self.rsa_bits().unwrap_or(0),
        }
    }

    /// The length of the encrypted key this key produces for a content key of `cek_len` bytes: the modulus size
    /// for RSA, `cek_len + 8` for AES key wrap. Lets a reader check the segment before any cryptography.
    pub fn encrypted_key_len(&self, cek_len: usize) -> usize {
        match &self.material {
            Material::RsaPrivate(k) => k.size(),
            Material::RsaPublic(k) => k.size(),
            Material::Oct(_) => cek_len.saturating_add(8),
        }
    }

    fn check_fits(&self, alg: Alg) -> Result<(), KeyError> {
        match (&self.material, alg.kek_len()) {
            (Material::Oct(k), Some(len)) if k.len() == len => Ok(()),
            (Material::Oct(k), Some(len)) => {
                Err(KeyError::WrongKeySize { alg, expected_bits: len * 8, actual_bits: k.len().saturating_mul(8) })
            }
            (Material::RsaPrivate(_) | Material::RsaPublic(_), None) => Ok(()),
            _ => Err(KeyError::WrongKeyType { alg, kind: self.kind() }),
        }
    }

    fn check_allowed(&self, alg: Alg) -> Result<(), KeyError> {
        if self.allows(alg) {
            Ok(())
        } else {
            Err(KeyError::AlgNotAllowed { alg, allowed: self.allowed_algs() })
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // Wrapping

    /// Wraps a content key with `alg` (which the key must allow; checked before any cryptography).
    pub fn wrap_cek(&self, alg: Alg, cek: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.check_allowed(alg)?;
        Ok(match &self.material {
            Material::RsaPrivate(k) => wrap::rsa_wrap(k, alg, cek)?,
            Material::RsaPublic(k) => wrap::rsa_wrap(k, alg, cek)?,
            Material::Oct(kek) => wrap::aes_kw_wrap(alg, kek, cek)?,
        })
    }

    /// Unwraps a content key of `cek_len` bytes with `alg`.
    ///
    /// Refuses, before any cryptography, an `alg` the key does not allow and an RSA public key
    /// ([`KeyError::PublicKeyOnly`]). With RSA it then never fails on the data: a wrong key or a tampered
    /// encrypted key yields a random content key and the tag check fails later (RFC 7516 section 11.5). With AES key
    /// wrap a failed unwrap is [`CryptoError::DecryptionFailed`] (see [`KeyError::is_decryption_failed`]).
    pub fn unwrap_cek(&self, alg: Alg, encrypted_key: &[u8], cek_len: usize) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        self.check_allowed(alg)?;
        Ok(match &self.material {
            Material::RsaPublic(_) => return Err(KeyError::PublicKeyOnly),
            Material::RsaPrivate(k) => wrap::rsa_unwrap(k, alg, encrypted_key, cek_len)?,
            Material::Oct(kek) => wrap::aes_kw_unwrap(alg, kek, encrypted_key, cek_len)?,
        })
    }

    // -----------------------------------------------------------------------------------------------------------
    // Export

    /// The public half (same `kid` and allowed algorithms). An AES key has none: [`KeyError::SymmetricKey`].
    pub fn public_key(&self) -> Result<Key, KeyError> {
        let pkey = match &self.material {
            Material::RsaPrivate(k) => to_public(k)?,
            Material::RsaPublic(k) => k.clone(),
            Material::Oct(_) => return Err(KeyError::SymmetricKey),
        };
        Ok(Key { material: Material::RsaPublic(pkey), kid: self.kid.clone(), algs: self.algs.clone() })
    }

    /// The RSA private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), in a zeroizing string.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        match &self.material {
            Material::RsaPrivate(k) => {
                let pem = Zeroizing::new(k.private_key_to_pem_pkcs8().map_err(export_error)?);
                pem_string(&pem)
            }
            Material::RsaPublic(_) => Err(KeyError::PublicKeyOnly),
            Material::Oct(_) => Err(KeyError::SymmetricKey),
        }
    }

    /// The RSA public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_spki_pem(&self) -> Result<String, KeyError> {
        let pem = match &self.material {
            Material::RsaPrivate(k) => k.public_key_to_pem(),
            Material::RsaPublic(k) => k.public_key_to_pem(),
            Material::Oct(_) => return Err(KeyError::SymmetricKey),
        }
        .map_err(export_error)?;
        String::from_utf8(pem).map_err(|_| KeyError::InvalidKey("OpenSSL wrote non-ASCII PEM".into()))
    }

    /// The key as a JWK object: `kty`, `kid` (when set), `use` `enc`, `alg` (when exactly one algorithm is
    /// allowed), then the key members. With `private`, an RSA private key has `d` and all CRT members and an AES
    /// key has `k`; without, the public members only (an AES key has none: [`KeyError::SymmetricKey`]). Asking for
    /// the private members of a public key is [`KeyError::PublicKeyOnly`].
    ///
    /// The returned `Value` holds secret members as ordinary strings: drop it soon, and do not log it.
    pub fn to_jwk(&self, private: bool) -> Result<Value, KeyError> {
        let mut m = Map::new();
        m.insert("kty".into(), Value::from(if self.kind() == KeyKind::Oct { "oct" } else { "RSA" }));
        if let Some(kid) = &self.kid {
            m.insert("kid".into(), Value::from(kid.as_str()));
        }
        m.insert("use".into(), Value::from("enc"));
        if let [alg] = self.allowed_algs().as_slice() {
            m.insert("alg".into(), Value::from(alg.name()));
        }
        match (&self.material, private) {
            (Material::Oct(k), true) => {
                m.insert("k".into(), Value::from(URL_SAFE_NO_PAD.encode(k.as_slice())));
            }
            (Material::Oct(_), false) => return Err(KeyError::SymmetricKey),
            (Material::RsaPublic(_), true) => return Err(KeyError::PublicKeyOnly),
            (Material::RsaPublic(k), false) => rsa_public_members(k, &mut m)?,
            (Material::RsaPrivate(k), false) => rsa_public_members(k, &mut m)?,
            (Material::RsaPrivate(k), true) => {
                rsa_public_members(k, &mut m)?;
                let rsa = k.rsa().map_err(export_error)?;
                m.insert("d".into(), b64_bn(rsa.d()));
                let crt = [("p", rsa.p()), ("q", rsa.q()), ("dp", rsa.dmp1()), ("dq", rsa.dmq1()), ("qi", rsa.iqmp())];
                for (name, value) in crt {
                    let value = value.ok_or_else(|| {
                        KeyError::InvalidKey(format!("the RSA key has no CRT parameter {name} to export"))
                    })?;
                    m.insert(name.into(), b64_bn(value));
                }
            }
        }
        Ok(Value::Object(m))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// RSA checks

fn require_rsa(id: Id) -> Result<(), KeyError> {
    if id == Id::RSA {
        return Ok(());
    }
    let name = match id {
        Id::RSA_PSS => "RSA-PSS (a signature-only RSA key)".to_owned(),
        Id::EC => "EC".to_owned(),
        Id::ED25519 => "Ed25519".to_owned(),
        Id::ED448 => "Ed448".to_owned(),
        Id::X25519 => "X25519".to_owned(),
        Id::DSA => "DSA".to_owned(),
        Id::DH => "DH".to_owned(),
        other => format!("OpenSSL key type {}", other.as_raw()),
    };
    Err(KeyError::UnsupportedKeyType(name))
}

/// Size and public exponent (odd, at least 3, below the modulus).
fn check_rsa_public<T: HasPublic>(pkey: &PKeyRef<T>) -> Result<(), KeyError> {
    require_rsa(pkey.id())?;
    let bits = pkey.bits();
    if bits < MIN_RSA_BITS {
        return Err(KeyError::KeyTooSmall { bits });
    }
    if bits > MAX_RSA_BITS {
        return Err(KeyError::KeyTooLarge { bits });
    }
    let rsa = pkey.rsa().map_err(|_| KeyError::InvalidKey("not a usable RSA key".into()))?;
    let (n, e) = (rsa.n(), rsa.e());
    if !n.is_odd() {
        return Err(KeyError::InvalidKey("the RSA modulus is even".into()));
    }
    if !e.is_odd() || e.num_bits() < 2 || e.is_negative() || e >= n {
        return Err(KeyError::InvalidKey(
            "the RSA public exponent must be odd, at least 3 and below the modulus".into(),
        ));
    }
    Ok(())
}

/// Consistency of the private parts: `n = p q`, `dp = d mod (p-1)`, `dq = d mod (q-1)`, `e dp = 1 mod (p-1)`,
/// `e dq = 1 mod (q-1)`, `qi q = 1 mod p`. Cheap (no primality test), and catches a JWK whose members do not
/// belong together, which would otherwise decrypt to garbage.
fn check_rsa_private(rsa: &Rsa<Private>) -> Result<(), KeyError> {
    let inconsistent = |what: &str| KeyError::InvalidKey(format!("inconsistent RSA private key: {what}"));
    let (Some(p), Some(q), Some(dp), Some(dq), Some(qi)) = (rsa.p(), rsa.q(), rsa.dmp1(), rsa.dmq1(), rsa.iqmp())
    else {
        return Err(KeyError::InvalidKey("the RSA private key lacks its CRT parameters (p, q, dp, dq, qi)".into()));
    };
    let bn = |_| KeyError::InvalidKey("arithmetic on the RSA key failed".into());
    let mut ctx = BigNumContext::new_secure().map_err(bn)?;
    let one = BigNum::from_u32(1).map_err(bn)?;
    let mut t = BigNum::new_secure().map_err(bn)?;
    t.checked_mul(p, q, &mut ctx).map_err(bn)?;
    if &*t != rsa.n() {
        return Err(inconsistent("n is not p*q"));
    }
    for (prime, exp, name) in [(p, dp, "dp"), (q, dq, "dq")] {
        let mut prime_1 = BigNum::new_secure().map_err(bn)?;
        prime_1.checked_sub(prime, &one).map_err(bn)?;
        t.nnmod(rsa.d(), &prime_1, &mut ctx).map_err(bn)?;
        if &*t != exp {
            return Err(inconsistent(&format!("{name} does not match d")));
        }
        t.mod_mul(rsa.e(), exp, &prime_1, &mut ctx).map_err(bn)?;
        if t != one {
            return Err(inconsistent(&format!("{name} is not the inverse of e")));
        }
    }
    t.mod_mul(qi, q, p, &mut ctx).map_err(bn)?;
    if t != one {
        return Err(inconsistent("qi is not the inverse of q mod p"));
    }
    Ok(())
}

fn to_public(k: &PKey<Private>) -> Result<PKey<Public>, KeyError> {
    let der = k.public_key_to_der().map_err(export_error)?;
    PKey::public_key_from_der(&der).map_err(export_error)
}

fn export_error(_: openssl::error::ErrorStack) -> KeyError {
    KeyError::InvalidKey("OpenSSL could not export the key".into())
}

fn rsa_public_members<T: HasPublic>(k: &PKeyRef<T>, m: &mut Map<String, Value>) -> Result<(), KeyError> {
    let rsa = k.rsa().map_err(export_error)?;
    m.insert("n".into(), b64_bn(rsa.n()));
    m.insert("e".into(), b64_bn(rsa.e()));
    Ok(())
}

/// A big number as base64url of its minimal big-endian bytes (RFC 7518 section 2, `Base64urlUInt`).
fn b64_bn(n: &BigNumRef) -> Value {
    let bytes = Zeroizing::new(n.to_vec());
    Value::from(URL_SAFE_NO_PAD.encode(bytes.as_slice()))
}

fn pem_string(pem: &[u8]) -> Result<Zeroizing<String>, KeyError> {
    let s = std::str::from_utf8(pem).map_err(|_| KeyError::InvalidKey("OpenSSL wrote non-ASCII PEM".into()))?;
    Ok(Zeroizing::new(s.to_owned()))
}

fn kw_for_len(len: usize) -> Option<Alg> {
    [Alg::A128Kw, Alg::A192Kw, Alg::A256Kw].into_iter().find(|a| a.kek_len() == Some(len))
}

// ---------------------------------------------------------------------------------------------------------------
// JWK

/// The JWK members we read. Secret members borrow from the input (base64url never needs JSON escapes), so no
/// copy of them is left behind; serde refuses duplicate members.
#[derive(Deserialize)]
struct JwkIn<'a> {
    kty: Option<String>,
    kid: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    alg: Option<String>,
    #[serde(borrow)]
    n: Option<&'a str>,
    #[serde(borrow)]
    e: Option<&'a str>,
    #[serde(borrow)]
    d: Option<&'a str>,
    #[serde(borrow)]
    p: Option<&'a str>,
    #[serde(borrow)]
    q: Option<&'a str>,
    #[serde(borrow)]
    dp: Option<&'a str>,
    #[serde(borrow)]
    dq: Option<&'a str>,
    #[serde(borrow)]
    qi: Option<&'a str>,
    #[serde(borrow)]
    k: Option<&'a str>,
    oth: Option<serde::de::IgnoredAny>,
    keys: Option<serde::de::IgnoredAny>,
}

/// A JSON error, without quoting any value of the input (a type error would quote it).
fn json_error(e: serde_json::Error) -> KeyError {
    let msg = e.to_string();
    if e.is_data() && (msg.contains("invalid type") || msg.contains("invalid value")) {
        KeyError::InvalidKey(format!(
            "a JWK member has the wrong type, or a key member uses JSON escapes (line {}, column {})",
            e.line(),
            e.column()
        ))
    } else {
        KeyError::InvalidKey(format!("not a valid JWK: {msg}"))
    }
}

/// A required base64url member, strictly decoded (no padding, no stray characters, canonical trailing bits).
fn b64_member(name: &str, value: Option<&str>) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let value = value.ok_or_else(|| KeyError::InvalidKey(format!("the JWK has no \"{name}\" member")))?;
    URL_SAFE_NO_PAD.decode(value).map(Zeroizing::new).map_err(|_| {
        KeyError::InvalidKey(format!("JWK member \"{name}\" is not valid base64url (unpadded, canonical)"))
    })
}

/// A big number from a base64url member, in OpenSSL's secure heap (cleared on free).
fn bn_member(name: &str, value: Option<&str>) -> Result<BigNum, KeyError> {
    let bytes = b64_member(name, value)?;
    if bytes.is_empty() {
        return Err(KeyError::InvalidKey(format!("JWK member \"{name}\" is empty")));
    }
    let err = |_| KeyError::InvalidKey(format!("JWK member \"{name}\" is not a usable number"));
    let mut bn = BigNum::new_secure().map_err(err)?;
    bn.copy_from_slice(&bytes).map_err(err)?;
    Ok(bn)
}

fn rsa_from_jwk(jwk: &JwkIn<'_>) -> Result<Key, KeyError> {
    if jwk.oth.is_some() {
        return Err(KeyError::UnsupportedKeyType("multi-prime RSA (JWK member \"oth\")".into()));
    }
    if jwk.k.is_some() {
        return Err(KeyError::InvalidKey("an RSA JWK must not have a \"k\" member".into()));
    }
    let n = bn_member("n", jwk.n)?;
    let e = bn_member("e", jwk.e)?;
    let crt = [jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi];
    let err = |_| KeyError::InvalidKey("OpenSSL refused the RSA key".into());
    if jwk.d.is_none() {
        if crt.iter().any(Option::is_some) {
            return Err(KeyError::InvalidKey("the RSA JWK has CRT members but no \"d\"".into()));
        }
        let rsa = Rsa::from_public_components(n, e).map_err(err)?;
        return Key::from_rsa_public(PKey::from_rsa(rsa).map_err(err)?);
    }
    if crt.iter().any(Option::is_none) {
        return Err(KeyError::InvalidKey(
            "the RSA private JWK must have all of p, q, dp, dq and qi (keys with d alone are not supported)".into(),
        ));
    }
    let rsa = Rsa::from_private_components(
        n,
        e,
        bn_member("d", jwk.d)?,
        bn_member("p", jwk.p)?,
        bn_member("q", jwk.q)?,
        bn_member("dp", jwk.dp)?,
        bn_member("dq", jwk.dq)?,
        bn_member("qi", jwk.qi)?,
    )
    .map_err(err)?;
    Key::from_rsa_private(PKey::from_rsa(rsa).map_err(err)?)
}

// ---------------------------------------------------------------------------------------------------------------
// PEM

struct PemBlock {
    label: String,
    der: Zeroizing<Vec<u8>>,
}

/// The one PEM block of `input` (RFC 7468): text around it is ignored, headers (`Proc-Type`, i.e. encrypted
/// PEM) and a second block are refused, the body is strict base64.
fn parse_pem(input: &[u8]) -> Result<PemBlock, KeyError> {
    let text = std::str::from_utf8(input).map_err(|_| KeyError::InvalidKey("the PEM is not text".into()))?;
    let mut lines = text.lines().map(str::trim);
    let label = loop {
        let Some(line) = lines.next() else {
            return Err(KeyError::InvalidKey("no PEM block (-----BEGIN ...-----) found".into()));
        };
        if let Some(label) = line.strip_prefix("-----BEGIN ").and_then(|r| r.strip_suffix("-----")) {
            break label.to_owned();
        }
    };
    let end = format!("-----END {label}-----");
    let mut body = Zeroizing::new(String::new());
    loop {
        match lines.next() {
            None => return Err(KeyError::InvalidKey(format!("the PEM block \"{label}\" has no END line"))),
            Some(line) if line == end => break,
            Some(line) if line.starts_with("-----") => {
                return Err(KeyError::InvalidKey(format!("the PEM block \"{label}\" does not end with {end}")))
            }
            Some(line) if line.contains(':') => {
                return Err(KeyError::InvalidKey(
                    "encrypted PEM (Proc-Type/DEK-Info headers) is not supported; decrypt the key first".into(),
                ))
            }
            Some(line) => body.push_str(line),
        }
    }
    if lines.any(|l| l.starts_with("-----BEGIN ")) {
        return Err(KeyError::InvalidKey("more than one PEM block; give one key".into()));
    }
    // Reserve the full size up front so decoding never reallocates (and leaves no unwiped copy behind).
    let mut der = Zeroizing::new(Vec::with_capacity(body.len() / 4 * 3 + 3));
    STANDARD
        .decode_vec(body.as_bytes(), &mut der)
        .map_err(|_| KeyError::InvalidKey(format!("the body of the PEM block \"{label}\" is not valid base64")))?;
    body.zeroize();
    Ok(PemBlock { label, der })
}

/// A random key id: a version 4 UUID from OpenSSL's CSPRNG (for keys made without a `kid`).
pub fn random_kid() -> Result<String, KeyError> {
    let mut b = [0u8; 16];
    openssl::rand::rand_bytes(&mut b).map_err(|_| KeyError::Crypto(CryptoError::Rng))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let part = |r: std::ops::Range<usize>| hex.get(r).unwrap_or_default().to_owned();
    Ok(format!("{}-{}-{}-{}-{}", part(0..8), part(8..12), part(12..16), part(16..20), part(20..32)))
}
