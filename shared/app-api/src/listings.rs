//! Listings: the grid, one listing, creating and editing, and photos kept as local files in the
//! app's media folder (`photos/<id>.<ext>`), read back for `data:` images.

use super::{decode_base64, encode_base64, Api};
use fieldstone_model::{ContactId, Listing, ListingId, ListingInput};
use fieldstone_protocol::commands::{
    AddPhoto, CommandError, CommandErrorCode, DismissMatch, Photo, StoredPhoto, UpdateListing,
    PHOTO_MAX_BYTES,
};
use fieldstone_protocol::views::{
    BuyerFit, BuyerMatches, ListingActivity, ListingCounts, ListingQuery, ListingSummary,
    MatchSuggestion,
};
use fieldstone_replica::ReplicaError;
use std::io::Write;

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

    /// Keeps a JPEG, PNG or WebP photo on this device; put the answer's `uri` in a listing's
    /// media. (Photos stay on the device that added them: they do not sync yet.)
    pub async fn add_photo(&self, request: AddPhoto) -> Result<StoredPhoto, CommandError> {
        let bytes = decode_base64("data_base64", &request.data_base64, PHOTO_MAX_BYTES)?;
        let (_, ext) = image_type(&bytes).ok_or_else(|| {
            CommandError::invalid("data_base64", "This is not a JPEG, PNG or WebP image.")
        })?;
        let uri = format!("{PHOTO_DIR}/{}.{ext}", uuid::Uuid::new_v4());
        let path = self.data_dir.join("media").join(&uri);
        super::blocking(move || {
            let stored = (|| {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let mut file = std::fs::File::create_new(&path)?;
                file.write_all(&bytes)?;
                file.sync_all()
            })();
            stored.map_err(|e| {
                let _ = std::fs::remove_file(&path);
                CommandError::new(
                    CommandErrorCode::Storage,
                    format!("Could not keep the photo on this device: {e}."),
                )
            })
        })
        .await?;
        Ok(StoredPhoto { uri })
    }

    /// A photo kept by [`Api::add_photo`], for an `<img src="data:…">`.
    pub async fn photo(&self, uri: String) -> Result<Photo, CommandError> {
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
