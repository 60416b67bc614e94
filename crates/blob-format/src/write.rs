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
    let mut writer = BlobWriter::new(options, header_segment, encrypted_key, iv, ciphertext.len(), tag.len());
    writer.push_ciphertext(ciphertext);
    writer.finish(tag)
}

/// Writes a blob whose ciphertext arrives in pieces, as a cipher produces it.
///
/// A sealer that encrypts in chunks can encode each one into the blob while later ones are still
/// being encrypted, instead of holding the whole ciphertext and encoding it afterwards. The bytes
/// out are exactly [`assemble`]'s, however the ciphertext is split.
///
/// ```
/// use blob_format::{assemble, BlobWriter, WriteOptions};
/// let (options, header) = (WriteOptions::default(), "eyJhbGciOiJBMjU2S1cifQ");
/// let (key, iv, ciphertext, tag) = ([1u8; 40], [2u8; 16], [3u8; 64], [4u8; 16]);
/// let mut writer = BlobWriter::new(&options, header, &key, &iv, ciphertext.len(), tag.len());
/// for piece in ciphertext.chunks(7) {
///     writer.push_ciphertext(piece);
/// }
/// assert_eq!(writer.finish(&tag), assemble(&options, header, &key, &iv, &ciphertext, &tag));
/// ```
#[derive(Debug)]
pub struct BlobWriter {
    out: String,
    /// Ciphertext bytes not yet encoded: base64 turns 3 bytes into 4 characters, so up to two
    /// bytes wait for the next piece.
    carry: [u8; 2],
    carry_len: usize,
}

impl BlobWriter {
    /// Writes marker, prefix, header segment, encrypted key and IV, and reserves room for a
    /// ciphertext of `ciphertext_len` bytes and a tag of `tag_len` bytes (hints: other lengths
    /// are written correctly, with a reallocation).
    pub fn new(
        options: &WriteOptions,
        header_segment: &str,
        encrypted_key: &[u8],
        iv: &[u8],
        ciphertext_len: usize,
        tag_len: usize,
    ) -> BlobWriter {
        let len = 1
            + options.prefix.as_str().len()
            + header_segment.len()
            + [encrypted_key.len(), iv.len(), ciphertext_len, tag_len]
                .iter()
                .map(|&n| b64::encoded_len(n) + 1)
                .sum::<usize>();
        let mut out = String::with_capacity(len);
        options.write_prefix(&mut out);
        out.push_str(header_segment);
        for bytes in [encrypted_key, iv] {
            out.push('.');
            b64::encode_into(bytes, &mut out);
        }
        out.push('.');
        BlobWriter { out, carry: [0; 2], carry_len: 0 }
    }

    /// Appends the next piece of the ciphertext.
    pub fn push_ciphertext(&mut self, mut bytes: &[u8]) {
        if self.carry_len > 0 {
            // Complete the waiting group of three from the front of this piece.
            let mut group = [0u8; 3];
            let (waiting, fill) = group.split_at_mut(self.carry_len);
            waiting.copy_from_slice(self.carry.get(..self.carry_len).unwrap_or_default());
            if bytes.len() < fill.len() {
                if let Some(slot) = self.carry.get_mut(self.carry_len..self.carry_len + bytes.len()) {
                    slot.copy_from_slice(bytes);
                    self.carry_len += bytes.len();
                }
                return;
            }
            let (head, rest) = bytes.split_at(fill.len());
            fill.copy_from_slice(head);
            b64::encode_into(&group, &mut self.out);
            self.carry_len = 0;
            bytes = rest;
        }
        let (whole, tail) = bytes.split_at(bytes.len() - bytes.len() % 3);
        b64::encode_into(whole, &mut self.out);
        if let Some(slot) = self.carry.get_mut(..tail.len()) {
            slot.copy_from_slice(tail);
            self.carry_len = tail.len();
        }
    }

    /// Ends the ciphertext, appends the tag and returns the blob.
    pub fn finish(mut self, tag: &[u8]) -> String {
        b64::encode_into(self.carry.get(..self.carry_len).unwrap_or_default(), &mut self.out);
        self.out.push('.');
        b64::encode_into(tag, &mut self.out);
        self.out
    }
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
