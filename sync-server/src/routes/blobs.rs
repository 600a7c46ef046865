//! Media blobs over HTTP (`crate::blobs`). Uploads are in pieces a device can resume:
//! `GET /v2/blobs/{name}/upload` says how much the server has, `PUT /v2/blobs/{name}` adds a
//! piece (`Upload-Offset`, `Upload-Length` headers). Reading goes through a document the
//! caller may read that names the blob (`?listing=<id>`): the same access as the record
//! itself, and another organisation's or a hidden listing's files are "not found".

use crate::access::Caller;
use crate::blobs::{Progress, UploadError};
use crate::error::ApiError;
use crate::{blocking, AppState};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fieldstone_model::blob::{BlobRef, BLOB_DIR};
use fieldstone_model::ListingId;
use serde::Deserialize;

/// `<hash>.<ext>` as a blob's name in a path.
fn blob_of(name: &str) -> Result<BlobRef, ApiError> {
    BlobRef::parse(&format!("{BLOB_DIR}/{name}")).ok_or_else(|| {
        ApiError::BadRequest(
            "a blob is named <sha256 in 64 lower-case hex digits>.<jpg|png|webp|pdf>".into(),
        )
    })
}

fn number(headers: &HeaderMap, name: &str) -> Result<u64, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ApiError::BadRequest(format!("the {name} header (a byte count) is missing")))
}

fn refused(error: UploadError) -> ApiError {
    match error {
        UploadError::TooLarge { .. } => ApiError::PayloadTooLarge {
            limit: fieldstone_media::BLOB_MAX_BYTES as usize,
        },
        UploadError::WrongOffset { .. } | UploadError::Busy => {
            ApiError::Conflict(error.to_string())
        }
        UploadError::TooMany(_) => ApiError::TooManyRequests {
            retry_after: std::time::Duration::from_secs(60),
        },
        UploadError::Io(e) => ApiError::Internal(format!("blob storage: {e}")),
        other => ApiError::BadRequest(other.to_string()),
    }
}

/// `GET /v2/blobs/{name}/upload`: how much of the file the server has.
pub async fn progress(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<Progress>, ApiError> {
    let blob = blob_of(&name)?;
    blocking(move || {
        state
            .blobs
            .progress(caller.org, &blob)
            .map(Json)
            .map_err(|e| refused(e.into()))
    })
    .await
}

/// `PUT /v2/blobs/{name}`: one piece of the file, from `Upload-Offset`, of a file of
/// `Upload-Length` bytes. Any member of the organisation may upload; what they may read is
/// decided by the documents, not by who sent the bytes.
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    piece: Bytes,
) -> Result<Json<Progress>, ApiError> {
    let blob = blob_of(&name)?;
    let offset = number(&headers, "upload-offset")?;
    let total = number(&headers, "upload-length")?;
    blocking(move || {
        state
            .blobs
            .upload(caller.org, &blob, offset, total, &piece)
            .map(Json)
            .map_err(refused)
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Through {
    /// The listing whose media names the blob.
    pub listing: ListingId,
}

/// `GET /v2/blobs/{name}?listing=<id>`: the file, to a caller who may read a listing that
/// shows it.
pub async fn get(
    state: State<AppState>,
    caller: Caller,
    name: Path<String>,
    through: Query<Through>,
) -> Result<Response, ApiError> {
    read(state, caller, name, through, false).await
}

/// `GET /v2/blobs/{name}/thumb?listing=<id>`: its 320 px JPEG thumbnail (pictures only).
pub async fn thumb(
    state: State<AppState>,
    caller: Caller,
    name: Path<String>,
    through: Query<Through>,
) -> Result<Response, ApiError> {
    read(state, caller, name, through, true).await
}

async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(through): Query<Through>,
    thumb: bool,
) -> Result<Response, ApiError> {
    let blob = blob_of(&name)?;
    blocking(move || {
        let listing = super::readable::listing(&state, &caller, through.listing)?;
        let uri = blob.uri();
        if !listing.media.iter().any(|m| m.uri == uri) {
            return Err(ApiError::NotFound("file".into()));
        }
        let bytes = state
            .blobs
            .read(caller.org, &blob, thumb)
            .map_err(|e| ApiError::Internal(format!("blob storage: {e}")))?
            .ok_or_else(|| {
                ApiError::NotFound(if thumb {
                    "thumbnail".into()
                } else {
                    "file (it has not been uploaded yet)".into()
                })
            })?;
        Ok(served(
            bytes,
            if thumb {
                "image/jpeg"
            } else {
                blob.kind.mime()
            },
        ))
    })
    .await
}

/// A blob's bytes with headers that keep a browser from treating them as anything else: its
/// own type, no sniffing, no scripts (a PDF viewer included). The bytes under a name never
/// change, so they may be cached for good, privately.
pub(crate) fn served(bytes: Vec<u8>, mime: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox",
            ),
        ],
        bytes,
    )
        .into_response()
}
