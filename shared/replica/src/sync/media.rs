//! Media files over the sync server's blob routes: photos added on this device are uploaded
//! after the records that name them are pushed, in pieces that resume where the server says
//! (a dropped connection costs one piece, not the file), and a file another device added is
//! fetched when it is first shown, through the listing that names it.

use super::client::{error_from, json_answer};
use super::{SyncClient, SyncError};
use crate::Replica;
use fieldstone_model::blob::BlobRef;
use fieldstone_model::ListingId;
use serde::Deserialize;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Bytes per upload piece: well under the server's request limit, small enough that a piece
/// lost on a bad connection is cheap to send again.
pub const PIECE_BYTES: usize = 1024 * 1024;

/// The server's answer about an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct UploadProgress {
    pub received: u64,
    pub complete: bool,
}

impl SyncClient {
    /// `GET /v2/blobs/{name}/upload`: how much of `blob` the server has.
    pub async fn blob_progress(&self, blob: &BlobRef) -> Result<UploadProgress, SyncError> {
        let url = self.url(&format!("/v2/blobs/{}/upload", blob.file_name()));
        json_answer(self.send(self.http.get(url)).await?).await
    }

    /// `PUT /v2/blobs/{name}`: one piece at `offset` of a file of `total` bytes.
    pub async fn put_blob_piece(
        &self,
        blob: &BlobRef,
        offset: u64,
        total: u64,
        piece: Vec<u8>,
    ) -> Result<UploadProgress, SyncError> {
        let url = self.url(&format!("/v2/blobs/{}", blob.file_name()));
        let sent = piece.len() as u64;
        let request = self
            .http
            .put(url)
            .header("upload-offset", offset)
            .header("upload-length", total)
            .body(piece);
        let answer = json_answer(self.send(request).await?).await;
        if answer.is_ok() {
            self.traffic.sent.fetch_add(sent, Ordering::Relaxed);
        }
        answer
    }

    /// Sends what the server lacks of `bytes` (the whole of `blob`), from where it says.
    pub async fn upload_blob(&self, blob: &BlobRef, bytes: &[u8]) -> Result<(), SyncError> {
        let total = bytes.len() as u64;
        let mut at = self.blob_progress(blob).await?;
        while !at.complete {
            let from = usize::try_from(at.received)
                .ok()
                .filter(|from| *from <= bytes.len())
                .ok_or_else(|| {
                    SyncError::Protocol(format!(
                        "the server says it has {} bytes of a {total}-byte file",
                        at.received
                    ))
                })?;
            let to = (from + PIECE_BYTES).min(bytes.len());
            at = self
                .put_blob_piece(blob, at.received, total, bytes[from..to].to_vec())
                .await?;
        }
        Ok(())
    }

    /// `GET /v2/listings/{id}/tour`: the listing's public page figures.
    pub async fn listing_tour(
        &self,
        listing: &ListingId,
    ) -> Result<fieldstone_protocol::views::ListingTour, SyncError> {
        let url = self.url(&format!("/v2/listings/{listing}/tour"));
        json_answer(self.send(self.http.get(url)).await?).await
    }

    /// `GET /v2/blobs/{name}[/thumb]?listing=…`: the file (or its thumbnail) through a listing
    /// that shows it. `Ok(None)`: the server does not have it (not uploaded yet, or not
    /// readable by this user).
    pub async fn fetch_blob(
        &self,
        blob: &BlobRef,
        listing: &ListingId,
        thumb: bool,
    ) -> Result<Option<Vec<u8>>, SyncError> {
        let path = format!(
            "/v2/blobs/{}{}?listing={listing}",
            blob.file_name(),
            if thumb { "/thumb" } else { "" }
        );
        let response = self.send(self.http.get(self.url(&path))).await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(error_from(response).await);
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| SyncError::Unreachable(format!("answer cut short: {e}")))?;
        self.traffic
            .received
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(Some(bytes.to_vec()))
    }
}

/// Uploads every file added on this device that the server lacks, oldest first. A file the
/// server refuses (it is not what its name says: damaged on this device) is dropped from the
/// queue with a warning, so it cannot hold up the rest; a network failure stops the pass and
/// the next round resumes it. Answers how many files went up.
pub async fn upload_media(replica: &Arc<Replica>, client: &SyncClient) -> Result<u32, SyncError> {
    let media = replica.media().clone();
    let pending = {
        let media = media.clone();
        tokio::task::spawn_blocking(move || media.pending())
            .await
            .map_err(|e| SyncError::Protocol(e.to_string()))?
            .map_err(|e| SyncError::Protocol(format!("cannot read the media outbox: {e}")))?
    };
    let mut sent = 0;
    for blob in pending {
        let bytes = {
            let media = media.clone();
            tokio::task::spawn_blocking(move || media.bytes(&blob))
                .await
                .map_err(|e| SyncError::Protocol(e.to_string()))?
        };
        let bytes = match bytes {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                tracing::warn!(file = %blob.file_name(), "a file waiting for upload is gone");
                let _ = media.uploaded(&blob);
                continue;
            }
            Err(error) => {
                tracing::warn!(%error, file = %blob.file_name(), "cannot read a file to upload");
                continue;
            }
        };
        match client.upload_blob(&blob, &bytes).await {
            Ok(()) => {
                sent += 1;
                if let Err(error) = media.uploaded(&blob) {
                    tracing::warn!(%error, "cannot mark a file uploaded");
                }
            }
            Err(SyncError::Rejected { message, .. }) => {
                tracing::warn!(%message, file = %blob.file_name(), "the server refused a file");
                let _ = media.uploaded(&blob);
            }
            Err(other) => return Err(other),
        }
    }
    Ok(sent)
}
