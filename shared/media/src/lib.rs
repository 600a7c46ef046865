//! Media files as blobs, the byte side (the references themselves are
//! `fieldstone_model::blob`): checking a file is what it claims, naming it by its SHA-256, and
//! making the small JPEG a grid shows instead of the full photo.

pub mod files;

use fieldstone_model::blob::{BlobHash, BlobRef, BlobType};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// The largest file kept as a blob (a 360° panorama or a long PDF; a phone photo is ~5 MB).
pub const BLOB_MAX_BYTES: u64 = 40 * 1024 * 1024;
/// A thumbnail's longer edge in pixels: sharp in a 160 px grid card on a 2× screen.
pub const THUMB_EDGE: u32 = 320;
/// Pictures larger than this are refused before decoding (a 360° panorama is 8k × 4k).
const MAX_EDGE: u32 = 16_384;
/// The most memory one decode may take.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    #[error("This file is empty.")]
    Empty,
    #[error("This file is {size} bytes; the largest allowed is {max} bytes (40 MiB).", max = BLOB_MAX_BYTES)]
    TooLarge { size: u64 },
    #[error("This is not a JPEG, PNG or WebP picture or a PDF.")]
    UnknownType,
    #[error("This picture cannot be read: {0}")]
    BadImage(String),
}

pub fn hash(bytes: &[u8]) -> BlobHash {
    BlobHash::from_bytes(Sha256::digest(bytes).into())
}

/// The reference for `bytes`, once they are known to be a kind of file a blob may be.
pub fn identify(bytes: &[u8]) -> Result<BlobRef, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.len() as u64 > BLOB_MAX_BYTES {
        return Err(MediaError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    let kind = BlobType::sniff(bytes).ok_or(MediaError::UnknownType)?;
    Ok(BlobRef {
        hash: hash(bytes),
        kind,
    })
}

fn format_of(kind: BlobType) -> Option<image::ImageFormat> {
    match kind {
        BlobType::Jpeg => Some(image::ImageFormat::Jpeg),
        BlobType::Png => Some(image::ImageFormat::Png),
        BlobType::Webp => Some(image::ImageFormat::WebP),
        BlobType::Pdf => None,
    }
}

/// A JPEG at most [`THUMB_EDGE`] pixels on its longer side; `Ok(None)` for a PDF (the grid
/// shows its icon). A picture that does not decode is an error: it is not kept either.
pub fn thumbnail(bytes: &[u8], kind: BlobType) -> Result<Option<Vec<u8>>, MediaError> {
    let Some(format) = format_of(kind) else {
        return Ok(None);
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let picture = reader
        .decode()
        .map_err(|e| MediaError::BadImage(e.to_string()))?;
    // `thumbnail` keeps the aspect ratio and is a fast box filter, right for small previews;
    // it would also enlarge a picture that is already small, which only costs bytes.
    let small = if picture.width().max(picture.height()) > THUMB_EDGE {
        picture.thumbnail(THUMB_EDGE, THUMB_EDGE)
    } else {
        picture
    }
    .into_rgb8();
    let mut out = Cursor::new(Vec::new());
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
    small
        .write_with_encoder(encoder)
        .map_err(|e| MediaError::BadImage(e.to_string()))?;
    Ok(Some(out.into_inner()))
}

/// A small picture for tests and fixtures: `w × h` pixels of a gradient, as `kind`.
pub fn sample_picture(w: u32, h: u32, kind: BlobType, seed: u8) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x % 256) as u8 ^ seed,
            (y % 256) as u8,
            seed.wrapping_mul(37),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    let format = format_of(kind).unwrap_or(image::ImageFormat::Png);
    // Writing an in-memory RGB picture to a Vec in a format this crate was built with cannot
    // fail; an empty Vec would be refused by `identify` anyway.
    let _ = picture.write_to(&mut out, format);
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_is_named_by_its_bytes_and_thumbnailed_small() {
        let photo = sample_picture(1200, 800, BlobType::Jpeg, 7);
        let blob = identify(&photo).expect("a JPEG");
        assert_eq!(blob.kind, BlobType::Jpeg);
        assert_eq!(blob.hash, hash(&photo));
        assert_ne!(
            blob.hash,
            hash(&sample_picture(1200, 800, BlobType::Jpeg, 8))
        );
        let thumb = thumbnail(&photo, blob.kind)
            .expect("decodes")
            .expect("an image");
        let small = image::load_from_memory(&thumb).expect("a JPEG");
        assert_eq!((small.width(), small.height()), (THUMB_EDGE, 213));
        assert!(thumb.len() < photo.len());
        for kind in [BlobType::Png, BlobType::Webp] {
            let picture = sample_picture(40, 90, kind, 1);
            assert_eq!(identify(&picture).map(|b| b.kind), Ok(kind));
            let thumb = thumbnail(&picture, kind)
                .expect("decodes")
                .expect("an image");
            let small = image::load_from_memory(&thumb).expect("a JPEG");
            // Never enlarged.
            assert_eq!((small.width(), small.height()), (40, 90));
        }
    }

    #[test]
    fn wrong_files_are_refused_with_the_reason() {
        assert_eq!(identify(b""), Err(MediaError::Empty));
        assert_eq!(identify(b"MZ\x90\0"), Err(MediaError::UnknownType));
        let pdf = b"%PDF-1.4\n%%EOF\n";
        assert_eq!(identify(pdf).map(|b| b.kind), Ok(BlobType::Pdf));
        assert_eq!(thumbnail(pdf, BlobType::Pdf), Ok(None));
        // Starts like a JPEG, is not one.
        let fake = b"\xFF\xD8\xFF\xE0 not really a jpeg";
        assert!(matches!(
            thumbnail(fake, BlobType::Jpeg),
            Err(MediaError::BadImage(_))
        ));
    }

    #[test]
    fn a_picture_claiming_to_be_huge_is_refused_before_decoding() {
        // A PNG header claiming 100,000 × 100,000 pixels, with no pixel data behind it.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&100_000u32.to_be_bytes());
        png.extend_from_slice(&100_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 2, 0, 0, 0]);
        let crc = 0u32; // the decoder checks limits before it needs the checksum
        png.extend_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            thumbnail(&png, BlobType::Png),
            Err(MediaError::BadImage(_))
        ));
    }
}
