//! The sync routes' body encoding: `zstd(postcard(message))`. Postcard is a compact, frozen
//! binary format (its 1.0 wire spec is stable), so the golden tests can pin exact bytes; zstd
//! compresses a whole page together, where document ids and field names repeat.

use crate::sync::MAX_DECODED_BYTES;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::Read;
use thiserror::Error;

/// zstd level for sync bodies. On pages of 1000 contact snapshots, levels 3, 6 and 9 give the
/// same size (806 KB for 10k contacts, from 7.1 MB) and 3 is twice as fast as 6; level 19 saves
/// 5% for 40x the time (docs/BENCHMARKS.md).
pub const ZSTD_LEVEL: i32 = 3;

#[derive(Debug, Error)]
pub enum CodecError {
    #[error("sync body is not valid zstd: {0}")]
    Compression(String),
    #[error("sync body decompresses to more than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("sync body is not a valid message: {0}")]
    Message(String),
}

/// The postcard bytes of a message, uncompressed (what the golden tests freeze).
pub fn to_postcard<T: Serialize>(message: &T) -> Result<Vec<u8>, CodecError> {
    postcard::to_allocvec(message).map_err(|e| CodecError::Message(e.to_string()))
}

pub fn from_postcard<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    postcard::from_bytes(bytes).map_err(|e| CodecError::Message(e.to_string()))
}

/// Encodes a message as a sync body.
pub fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, CodecError> {
    let plain = to_postcard(message)?;
    zstd::bulk::compress(&plain, ZSTD_LEVEL).map_err(|e| CodecError::Compression(e.to_string()))
}

/// Decodes a sync body, refusing anything that inflates beyond [`MAX_DECODED_BYTES`].
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, CodecError> {
    decode_limited(body, MAX_DECODED_BYTES)
}

pub fn decode_limited<T: DeserializeOwned>(body: &[u8], limit: usize) -> Result<T, CodecError> {
    let decoder =
        zstd::stream::Decoder::new(body).map_err(|e| CodecError::Compression(e.to_string()))?;
    let mut plain = Vec::new();
    decoder
        .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut plain)
        .map_err(|e| CodecError::Compression(e.to_string()))?;
    if plain.len() > limit {
        return Err(CodecError::TooLarge { limit });
    }
    from_postcard(&plain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{DocId, DocPush, PushRequest};

    fn request(changes: usize, size: usize) -> PushRequest {
        PushRequest {
            docs: vec![DocPush {
                doc_id: DocId::new("contact", "0d6f2b9e-33a1-4c1e-9a51-2f0e9d7c1a10").expect("id"),
                changes: vec![vec![7u8; size]; changes],
            }],
        }
    }

    #[test]
    fn round_trips() {
        let message = request(3, 100);
        let body = encode(&message).expect("encode");
        assert_eq!(decode::<PushRequest>(&body).expect("decode"), message);
    }

    #[test]
    fn refuses_a_body_that_inflates_past_the_limit() {
        let body = encode(&request(10, 10_000)).expect("encode");
        assert!(body.len() < 1_000, "repetitive bytes compress well");
        let err = decode_limited::<PushRequest>(&body, 50_000).expect_err("over limit");
        assert!(
            matches!(err, CodecError::TooLarge { limit: 50_000 }),
            "{err}"
        );
    }

    #[test]
    fn garbage_is_a_clear_error_not_a_panic() {
        assert!(matches!(
            decode::<PushRequest>(b"not zstd at all"),
            Err(CodecError::Compression(_))
        ));
        let not_a_message = zstd::bulk::compress(&[0xff; 8], 3).expect("compress");
        assert!(matches!(
            decode::<PushRequest>(&not_a_message),
            Err(CodecError::Message(_))
        ));
    }
}
