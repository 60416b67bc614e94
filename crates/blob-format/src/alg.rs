//! The JOSE algorithm identifiers a backup blob may name, and what each implies for segment lengths.
//!
//! These live in `blob-format` (and not next to the crypto) because the format itself depends on them:
//! `parse` checks every segment length against `alg` and `enc` before any key is involved.

use std::fmt;
use std::str::FromStr;

/// Key-management algorithm (`alg`) of a blob: how the content key is wrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Alg {
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 7518 section 4.3). The service's choice.
    RsaOaep256,
    /// RSAES-OAEP with SHA-1 and MGF1-SHA-1 (RFC 7518 section 4.3).
    RsaOaep,
    /// AES-128 key wrap (RFC 3394).
    A128Kw,
    /// AES-192 key wrap (RFC 3394).
    A192Kw,
    /// AES-256 key wrap (RFC 3394).
    A256Kw,
}

impl Alg {
    /// Every supported `alg`, in a stable order.
    pub const ALL: [Alg; 5] = [Alg::RsaOaep256, Alg::RsaOaep, Alg::A128Kw, Alg::A192Kw, Alg::A256Kw];

    /// The JOSE name, as written in a header.
    pub const fn name(self) -> &'static str {
        match self {
            Alg::RsaOaep256 => "RSA-OAEP-256",
            Alg::RsaOaep => "RSA-OAEP",
            Alg::A128Kw => "A128KW",
            Alg::A192Kw => "A192KW",
            Alg::A256Kw => "A256KW",
        }
    }

    /// The supported `alg` with this exact (case-sensitive) JOSE name.
    pub fn from_name(name: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether the content key is wrapped with RSA (the encrypted key is one RSA block).
    pub const fn is_rsa(self) -> bool {
        matches!(self, Alg::RsaOaep256 | Alg::RsaOaep)
    }

    /// For AES key wrap, the key-encryption key length in bytes; `None` for RSA.
    pub const fn kek_len(self) -> Option<usize> {
        match self {
            Alg::A128Kw => Some(16),
            Alg::A192Kw => Some(24),
            Alg::A256Kw => Some(32),
            Alg::RsaOaep256 | Alg::RsaOaep => None,
        }
    }
}

/// `alg` values that are well known but refused on principle, each with the reason.
///
/// `none` and `dir` would leave the content key unwrapped or shared; `RSA1_5` is PKCS#1 v1.5
/// encryption, open to Bleichenbacher-style padding oracles (RFC 7516 section 11.5 and RFC 8725).
pub const FORBIDDEN_ALGS: [(&str, &str); 3] = [
    ("none", "no key management at all"),
    ("dir", "a shared content key without wrapping"),
    ("RSA1_5", "RSAES-PKCS1-v1_5, open to padding-oracle attacks"),
];

/// Content-encryption algorithm (`enc`) of a blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Enc {
    /// AES-128-CBC with HMAC-SHA-256, tag truncated to 16 bytes (RFC 7518 section 5.2.3). The service's choice.
    A128CbcHs256,
    /// AES-192-CBC with HMAC-SHA-384, tag truncated to 24 bytes (RFC 7518 section 5.2.4).
    A192CbcHs384,
    /// AES-256-CBC with HMAC-SHA-512, tag truncated to 32 bytes (RFC 7518 section 5.2.5).
    A256CbcHs512,
    /// AES-128-GCM (RFC 7518 section 5.3).
    A128Gcm,
    /// AES-192-GCM (RFC 7518 section 5.3).
    A192Gcm,
    /// AES-256-GCM (RFC 7518 section 5.3).
    A256Gcm,
}

impl Enc {
    /// Every supported `enc`, in a stable order.
    pub const ALL: [Enc; 6] =
        [Enc::A128CbcHs256, Enc::A192CbcHs384, Enc::A256CbcHs512, Enc::A128Gcm, Enc::A192Gcm, Enc::A256Gcm];

    /// The JOSE name, as written in a header.
    pub const fn name(self) -> &'static str {
        match self {
            Enc::A128CbcHs256 => "A128CBC-HS256",
            Enc::A192CbcHs384 => "A192CBC-HS384",
            Enc::A256CbcHs512 => "A256CBC-HS512",
            Enc::A128Gcm => "A128GCM",
            Enc::A192Gcm => "A192GCM",
            Enc::A256Gcm => "A256GCM",
        }
    }

    /// The supported `enc` with this exact (case-sensitive) JOSE name.
    pub fn from_name(name: &str) -> Option<Enc> {
        Enc::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Whether this is an AES-CBC + HMAC-SHA-2 composite (RFC 7518 section 5.2).
    pub const fn is_cbc_hmac(self) -> bool {
        matches!(self, Enc::A128CbcHs256 | Enc::A192CbcHs384 | Enc::A256CbcHs512)
    }

    /// Content-encryption key length in bytes. For CBC-HMAC this is the MAC key and the
    /// encryption key together (MAC key first).
    pub const fn cek_len(self) -> usize {
        match self {
            Enc::A128CbcHs256 => 32,
            Enc::A192CbcHs384 => 48,
            Enc::A256CbcHs512 => 64,
            Enc::A128Gcm => 16,
            Enc::A192Gcm => 24,
            Enc::A256Gcm => 32,
        }
    }

    /// Initialisation vector length in bytes: 16 for CBC, 12 for GCM.
    pub const fn iv_len(self) -> usize {
        if self.is_cbc_hmac() {
            16
        } else {
            12
        }
    }

    /// Authentication tag length in bytes: half the HMAC output for CBC-HMAC, 16 for GCM.
    pub const fn tag_len(self) -> usize {
        match self {
            Enc::A128CbcHs256 => 16,
            Enc::A192CbcHs384 => 24,
            Enc::A256CbcHs512 => 32,
            Enc::A128Gcm | Enc::A192Gcm | Enc::A256Gcm => 16,
        }
    }
}

macro_rules! name_traits {
    ($ty:ident, $what:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::from_name(s).ok_or_else(|| UnknownName { what: $what, name: s.to_owned() })
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                $ty::from_name(&name)
                    .ok_or_else(|| serde::de::Error::custom(UnknownName { what: $what, name: name.into_owned() }))
            }
        }
    };
}
name_traits!(Alg, "alg");
name_traits!(Enc, "enc");

/// A name that is not a supported `alg` or `enc` (returned by `FromStr`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unsupported {what} {name:?}")]
pub struct UnknownName {
    /// `"alg"` or `"enc"`.
    pub what: &'static str,
    /// The name as given.
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Alg::ALL {
            assert_eq!(a.name().parse::<Alg>(), Ok(a));
        }
        for e in Enc::ALL {
            assert_eq!(e.name().parse::<Enc>(), Ok(e));
        }
        assert!("rsa-oaep-256".parse::<Alg>().is_err(), "names are case-sensitive");
        assert!("RSA1_5".parse::<Alg>().is_err());
    }

    #[test]
    fn lengths_follow_rfc_7518() {
        assert_eq!(Enc::A128CbcHs256.cek_len(), 32);
        assert_eq!(Enc::A256CbcHs512.tag_len(), 32);
        assert_eq!(Enc::A192Gcm.iv_len(), 12);
        assert_eq!(Alg::A192Kw.kek_len(), Some(24));
        assert_eq!(Alg::RsaOaep.kek_len(), None);
    }
}
