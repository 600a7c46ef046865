//! Media kept as blobs (DESIGN decision 15): a document names a file by its content, as
//! `blobs/<sha256 hex>.<ext>`, so the same bytes are uploaded and stored once wherever they
//! are used, and a device or the server can check what it received against the name.

use std::fmt;

/// The folder part of a blob's reference in a document.
pub const BLOB_DIR: &str = "blobs";

/// What kinds of file a blob may be, from its bytes; the extension in a reference follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlobType {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl BlobType {
    pub const ALL: [BlobType; 4] = [Self::Jpeg, Self::Png, Self::Webp, Self::Pdf];

    pub const fn ext(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Pdf => "pdf",
        }
    }

    pub const fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
        }
    }

    pub const fn is_image(self) -> bool {
        !matches!(self, Self::Pdf)
    }

    pub fn from_ext(ext: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.ext() == ext)
    }

    /// The type from a file's first bytes (never from its name).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else {
            None
        }
    }
}

/// A SHA-256, written as 64 lower-case hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobHash([u8; 32]);

impl BlobHash {
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Exactly 64 lower-case hex digits: one spelling per hash, so it can name a file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err("A file's hash is 64 hex digits (its SHA-256).".into());
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks(2).enumerate() {
            let digit = |b: u8| match b {
                b'0'..=b'9' => Some(b - b'0'),
                b'a'..=b'f' => Some(b - b'a' + 10),
                _ => None,
            };
            match (digit(pair[0]), digit(pair[1])) {
                (Some(hi), Some(lo)) => out[i] = hi << 4 | lo,
                _ => return Err("A file's hash is written in lower-case hex digits.".into()),
            }
        }
        Ok(Self(out))
    }
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// A reference to a blob as a document holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobRef {
    pub hash: BlobHash,
    pub kind: BlobType,
}

impl BlobRef {
    /// `blobs/<hash>.<ext>`; `None` for anything else (a path kept by an older app, a URL).
    pub fn parse(uri: &str) -> Option<Self> {
        let name = uri.strip_prefix(BLOB_DIR)?.strip_prefix('/')?;
        let (hash, ext) = name.split_once('.')?;
        Some(Self {
            hash: BlobHash::parse(hash).ok()?,
            kind: BlobType::from_ext(ext)?,
        })
    }

    pub fn uri(&self) -> String {
        format!("{BLOB_DIR}/{}.{}", self.hash, self.kind.ext())
    }

    /// The file name it is kept under (`<hash>.<ext>`).
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.hash, self.kind.ext())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn references_round_trip_and_nothing_else_reads_as_one() {
        let uri = format!("blobs/{HASH}.jpg");
        let blob = BlobRef::parse(&uri).expect("a blob reference");
        assert_eq!(blob.kind, BlobType::Jpeg);
        assert_eq!(blob.uri(), uri);
        assert_eq!(blob.hash.to_string(), HASH);
        for bad in [
            format!("blobs/{HASH}.exe"),
            format!("blobs/{}.jpg", HASH.to_uppercase()),
            format!("blobs/{}.jpg", &HASH[1..]),
            format!("photos/{HASH}.jpg"),
            format!("blobs/{HASH}"),
            format!("blobs/../{HASH}.jpg"),
            "photos/0d6f4c1e-2a6b-4f0e-9a51-0c3c2f6b9e10.jpg".into(),
        ] {
            assert_eq!(BlobRef::parse(&bad), None, "{bad}");
        }
        assert!(crate::uri::check_relative_path(&uri).is_ok());
    }

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(
            BlobType::sniff(b"\xFF\xD8\xFF\xE0rest"),
            Some(BlobType::Jpeg)
        );
        assert_eq!(
            BlobType::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(BlobType::Png)
        );
        assert_eq!(
            BlobType::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(BlobType::Webp)
        );
        assert_eq!(BlobType::sniff(b"%PDF-1.7\n"), Some(BlobType::Pdf));
        assert_eq!(BlobType::sniff(b"#!/bin/sh\n"), None);
        assert_eq!(BlobType::sniff(b"RIFF"), None);
    }
}
