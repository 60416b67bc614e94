//! Writing blobs: the service's shape, byte for byte.

use std::fmt;

use crate::{b64, Header, Marker, Prefix};

/// How a blob is written: which marker and prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// Default [`Marker::Published`] (`)`).
    pub marker: Marker,
    /// Default [`Prefix::Long`].
    pub prefix: Prefix,
}

impl Default for WriteOptions {
    fn default() -> WriteOptions {
        WriteOptions { marker: Marker::Published, prefix: Prefix::Long }
    }
}

impl WriteOptions {
    /// Writes the marker and prefix into `out`.
    pub fn write_prefix(&self, out: &mut String) {
        out.push(char::from(self.marker.byte(self.prefix)));
        out.push_str(self.prefix.as_str());
    }
}

/// Assembles a blob from an already-encoded header segment and raw segment bytes.
///
/// This is what a sealer calls: it has the header segment in hand (it is the AAD) and the bytes
/// the cipher produced. The output is sized once, so the ciphertext is encoded straight into it.
pub fn assemble(
    options: &WriteOptions,
    header_segment: &str,
    encrypted_key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> String {
    let len = 1
        + options.prefix.as_str().len()
        + header_segment.len()
        + [encrypted_key, iv, ciphertext, tag].iter().map(|s| b64::encoded_len(s.len()) + 1).sum::<usize>();
    let mut out = String::with_capacity(len);
    options.write_prefix(&mut out);
    out.push_str(header_segment);
    for bytes in [encrypted_key, iv, ciphertext, tag] {
        out.push('.');
        b64::encode_into(bytes, &mut out);
    }
    out
}

/// An owned blob under construction: a header and the four binary segments.
///
/// The builder writes what it is given, lengths unchecked, so that tools can also craft invalid
/// blobs for tests; [`crate::parse`] is the judge of what is valid.
///
/// ```
/// use blob_format::{Alg, Builder, Enc, Header};
/// let blob = Builder::new(Header::new(Alg::RsaOaep256, Enc::A128CbcHs256).with_kid("k"))
///     .encrypted_key(&[0; 256]).iv(&[0; 16]).ciphertext(&[0; 32]).tag(&[0; 16])
///     .to_string();
/// assert!(blob.starts_with(")CloudSecretManagementBackupV1.huaweicloud.comeyJraWQiOiJrIiwiZW5jIjoi"));
/// assert!(blob_format::parse(&blob).is_ok());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Builder {
    header: Header,
    options: WriteOptions,
    encrypted_key: Vec<u8>,
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

impl Builder {
    /// A builder with this header, default [`WriteOptions`] and empty segments.
    pub fn new(header: Header) -> Builder {
        Builder {
            header,
            options: WriteOptions::default(),
            encrypted_key: Vec::new(),
            iv: Vec::new(),
            ciphertext: Vec::new(),
            tag: Vec::new(),
        }
    }

    /// Sets the marker and prefix.
    #[must_use]
    pub fn options(mut self, options: WriteOptions) -> Builder {
        self.options = options;
        self
    }

    /// Sets the encrypted key.
    #[must_use]
    pub fn encrypted_key(mut self, bytes: &[u8]) -> Builder {
        self.encrypted_key = bytes.to_vec();
        self
    }

    /// Sets the IV.
    #[must_use]
    pub fn iv(mut self, bytes: &[u8]) -> Builder {
        self.iv = bytes.to_vec();
        self
    }

    /// Sets the ciphertext.
    #[must_use]
    pub fn ciphertext(mut self, bytes: &[u8]) -> Builder {
        self.ciphertext = bytes.to_vec();
        self
    }

    /// Sets the tag.
    #[must_use]
    pub fn tag(mut self, bytes: &[u8]) -> Builder {
        self.tag = bytes.to_vec();
        self
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }
}

impl fmt::Display for Builder {
    /// Writes the blob: marker, prefix, and the compact JWE with the header in the service's shape.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = self.header.encode();
        f.write_str(&assemble(&self.options, &header, &self.encrypted_key, &self.iv, &self.ciphertext, &self.tag))
    }
}

/// Wraps a blob in the API's JSON body, `{"secret_blob":"..."}`, as the backup API answers and
/// the restore API expects.
pub fn to_json_body(blob: &str) -> String {
    serde_json::json!({ "secret_blob": blob }).to_string()
}
