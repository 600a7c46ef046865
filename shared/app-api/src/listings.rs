//! Listings: the grid, one listing, creating and editing, and their photos: kept as blobs in
//! the store's media folder (`fieldstone_replica::media`), uploaded by background sync, fetched
//! on demand through the listing that shows them, and read back for `data:` images.

use super::{decode_base64, encode_base64, Api};
use fieldstone_model::blob::BlobRef;
use fieldstone_model::{ContactId, Listing, ListingId, ListingInput};
use fieldstone_protocol::commands::{
    AddPhoto, CommandError, CommandErrorCode, DismissMatch, Photo, PhotoRequest, PhotoSize,
    StoredPhoto, UpdateListing, PHOTO_MAX_BYTES,
};
use fieldstone_protocol::views::{
    BuyerFit, BuyerMatches, ListingActivity, ListingCounts, ListingQuery, ListingSummary,
    ListingTour, MatchSuggestion,
};
use fieldstone_replica::media::MediaFolderError;
use fieldstone_replica::sync::SyncError;
use fieldstone_replica::ReplicaError;

const PHOTO_DIR: &str = "photos";

impl Api {
    pub async fn list_listings(
        &self,
        query: ListingQuery,
    ) -> Result<Vec<ListingSummary>, CommandError> {
        self.read(move |r| r.list_listings(&query)).await
    }

    pub async fn get_listing(&self, id: ListingId) -> Result<Listing, CommandError> {
        self.read(move |r| {
            r.get_listing(&id)?.ok_or_else(|| ReplicaError::NotFound {
                what: format!("listing {id}"),
            })
        })
        .await
    }

    pub async fn create_listing(&self, input: ListingInput) -> Result<Listing, CommandError> {
        let owner = self.user();
        self.write(move |r| r.create_listing(&input, owner)).await
    }

    pub async fn update_listing(&self, request: UpdateListing) -> Result<Listing, CommandError> {
        self.write(move |r| r.update_listing(&request.id, &request.input))
            .await
    }

    /// Soft delete: the listing leaves every list and picker, its bookings keep the link, and
    /// `restore_listing` (the undo offer) brings it back whole.
    pub async fn delete_listing(&self, id: ListingId) -> Result<Listing, CommandError> {
        self.write(move |r| r.soft_delete_listing(&id)).await
    }

    pub async fn restore_listing(&self, id: ListingId) -> Result<Listing, CommandError> {
        self.write(move |r| r.restore_listing(&id)).await
    }

    pub async fn listing_counts(&self, query: ListingQuery) -> Result<ListingCounts, CommandError> {
        self.read(move |r| r.listing_counts(&query)).await
    }

    pub async fn listing_activity(&self, id: ListingId) -> Result<ListingActivity, CommandError> {
        self.read(move |r| r.listing_activity(&id)).await
    }

    pub async fn listing_matches(&self, id: ContactId) -> Result<BuyerMatches, CommandError> {
        self.read(move |r| r.listing_matches(&id)).await
    }

    pub async fn listing_buyers(&self, id: ListingId) -> Result<Vec<BuyerFit>, CommandError> {
        self.read(move |r| r.listing_buyers(&id)).await
    }

    pub async fn match_suggestions(&self) -> Result<Vec<MatchSuggestion>, CommandError> {
        self.read(|r| r.match_suggestions()).await
    }

    pub async fn dismiss_match(&self, request: DismissMatch) -> Result<(), CommandError> {
        self.write(move |r| r.dismiss_match(&request.listing, &request.contact))
            .await
    }

    /// Keeps a JPEG, PNG or WebP photo on this device, named by its content, with its
    /// thumbnail; put the answer's `uri` in a listing's media. Background sync uploads it
    /// (after the listing) so the team's devices and the listing's public page can show it.
    pub async fn add_photo(&self, request: AddPhoto) -> Result<StoredPhoto, CommandError> {
        let bytes = decode_base64("data_base64", &request.data_base64, PHOTO_MAX_BYTES)?;
        if image_type(&bytes).is_none() {
            return Err(CommandError::invalid(
                "data_base64",
                "This is not a JPEG, PNG or WebP image.",
            ));
        }
        let media = self.replica().media().clone();
        let blob = super::blocking(move || {
            media.add(&bytes).map_err(|e| match e {
                MediaFolderError::Media(problem) => {
                    CommandError::invalid("data_base64", problem.to_string())
                }
                other => CommandError::new(
                    CommandErrorCode::Storage,
                    format!("Could not keep the photo on this device: {other}."),
                ),
            })
        })
        .await?;
        if let Some(handle) = self.lock_sync().handle.as_ref() {
            handle.nudge();
        }
        Ok(StoredPhoto { uri: blob.uri() })
    }

    /// A photo for an `<img src="data:…">`: from this device, else fetched from the server
    /// through the listing that shows it (and kept, within the media budget).
    pub async fn photo(&self, request: PhotoRequest) -> Result<Photo, CommandError> {
        let Some(blob) = BlobRef::parse(&request.uri) else {
            return self.legacy_photo(request.uri).await;
        };
        if !blob.kind.is_image() {
            return Err(CommandError::invalid("uri", "This file is not a picture."));
        }
        let thumb = request.size == PhotoSize::Thumbnail;
        let media = self.replica().media().clone();
        let here = {
            let media = media.clone();
            super::blocking(move || {
                let read = || -> std::io::Result<Option<(Vec<u8>, bool)>> {
                    // No thumbnail yet but the whole picture is here: show that.
                    match media.read(&blob, thumb)? {
                        None if thumb => Ok(media.read(&blob, false)?.map(|b| (b, false))),
                        other => Ok(other.map(|b| (b, thumb))),
                    }
                };
                read().map_err(|e| {
                    CommandError::new(
                        CommandErrorCode::Storage,
                        format!("Could not read the photo: {e}."),
                    )
                })
            })
            .await?
        };
        if let Some((bytes, is_thumb)) = here {
            return Ok(as_photo(&blob, is_thumb, &bytes));
        }
        let missing = |why: &str| CommandError::new(CommandErrorCode::NotFound, why.to_owned());
        let Some(listing) = request.listing else {
            return Err(missing("This photo is not on this device."));
        };
        let Some(client) = self.lock_sync().client.clone() else {
            return Err(missing(
                "This photo is not on this device yet; it shows once you are signed in and online.",
            ));
        };
        let fetched = match client.fetch_blob(&blob, &listing, thumb).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                return Err(missing(
                    "This photo is still on its way from the device that added it.",
                ))
            }
            Err(SyncError::Unreachable(_)) => {
                return Err(missing(
                    "This photo is not on this device yet; it shows once you are online.",
                ))
            }
            Err(other) => {
                return Err(CommandError::new(
                    CommandErrorCode::Refused,
                    format!("Could not fetch the photo: {other}."),
                ))
            }
        };
        let replica = self.replica();
        let me = self.user();
        let kept = fetched.clone();
        super::blocking(move || {
            media.keep_fetched(&blob, thumb, &kept).map_err(|e| {
                CommandError::new(
                    CommandErrorCode::Storage,
                    format!("The photo was not kept: {e}."),
                )
            })?;
            // Within budget again; the agent's own listings' photos always stay.
            let keep = replica.own_media(&me).unwrap_or_default();
            if let Err(error) = media.evict(&keep) {
                tracing::warn!(%error, "could not trim the media cache");
            }
            Ok(())
        })
        .await?;
        Ok(as_photo(&blob, thumb, &fetched))
    }

    /// The listing's public page figures, asked of the server.
    pub async fn listing_tour(&self, id: ListingId) -> Result<ListingTour, CommandError> {
        let Some(client) = self.lock_sync().client.clone() else {
            return Err(CommandError::new(
                CommandErrorCode::WrongState,
                "Sign in to see how the public page is doing.",
            ));
        };
        let answer =
            tokio::time::timeout(std::time::Duration::from_secs(10), client.listing_tour(&id))
                .await
                .unwrap_or_else(|_| Err(SyncError::Unreachable("no answer in time".into())));
        answer.map_err(|error| match error {
            SyncError::Unreachable(_) => CommandError::new(
                CommandErrorCode::Offline,
                "The page's figures need a connection to the server.",
            ),
            SyncError::Rejected {
                code: fieldstone_protocol::ErrorCode::NotFound,
                ..
            } => CommandError::new(
                CommandErrorCode::NotFound,
                "The server does not have this listing yet: its figures show once it has synced.",
            ),
            other => CommandError::new(CommandErrorCode::Refused, other.to_string()),
        })
    }

    /// A photo kept by an older version of the app (`photos/<id>.<ext>`), on this device only.
    async fn legacy_photo(&self, uri: String) -> Result<Photo, CommandError> {
        let name = uri
            .strip_prefix(&format!("{PHOTO_DIR}/"))
            .filter(|name| is_photo_name(name))
            .ok_or_else(|| CommandError::invalid("uri", "Not a photo kept by this app."))?;
        let path = self.data_dir.join("media").join(PHOTO_DIR).join(name);
        let bytes = super::blocking(move || {
            std::fs::read(&path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => CommandError::new(
                    CommandErrorCode::NotFound,
                    "This photo is not on this device.",
                ),
                _ => CommandError::new(
                    CommandErrorCode::Storage,
                    format!("Could not read the photo: {e}."),
                ),
            })
        })
        .await?;
        let (mime, _) = image_type(&bytes).ok_or_else(|| {
            CommandError::new(CommandErrorCode::Internal, "The stored photo is damaged.")
        })?;
        Ok(Photo {
            mime: mime.to_owned(),
            data_base64: encode_base64(&bytes),
        })
    }
}

fn as_photo(blob: &BlobRef, thumb: bool, bytes: &[u8]) -> Photo {
    Photo {
        mime: if thumb {
            "image/jpeg"
        } else {
            blob.kind.mime()
        }
        .to_owned(),
        data_base64: encode_base64(bytes),
    }
}

/// The image's MIME type and file extension, from its first bytes.
fn image_type(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if bytes.len() > 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else {
        None
    }
}

/// `<uuid>.<ext>` as [`Api::add_photo`] names files: nothing that could leave the folder.
fn is_photo_name(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    uuid::Uuid::try_parse(stem).is_ok() && matches!(ext, "jpg" | "png" | "webp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_this_app_made_are_read() {
        assert!(is_photo_name("0d6f4c1e-2a6b-4f0e-9a51-0c3c2f6b9e10.jpg"));
        for bad in [
            "../settings.json",
            "x.jpg",
            "0d6f4c1e-2a6b-4f0e-9a51-0c3c2f6b9e10.sh",
            "",
        ] {
            assert!(!is_photo_name(bad), "{bad}");
        }
    }

    #[test]
    fn image_types_come_from_the_bytes() {
        assert_eq!(
            image_type(b"\xFF\xD8\xFF\xE0rest"),
            Some(("image/jpeg", "jpg"))
        );
        assert_eq!(
            image_type(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(("image/webp", "webp"))
        );
        assert_eq!(image_type(b"<svg onload=...>"), None);
    }
}
