//! This device's media files (DESIGN decision 15): blobs named by their SHA-256, kept beside
//! the account's store in `media/` — the photos this device added (waiting in `outbox/` until
//! the server has them) and the ones it fetched on demand. Fetched files count against a size
//! budget; past it the least recently shown go first, never a file waiting to be uploaded nor
//! one of the agent's own listings' files (those must be there in a basement).
//!
//! - `media/blobs/<hash>.<ext>`: whole files, each checked against its name when fetched;
//! - `media/thumbs/<hash>.jpg`: their grid-sized pictures;
//! - `media/outbox/<hash>.<ext>`: an empty marker per file the server does not have yet.

use fieldstone_media::files::{read_if_there, write_whole};
use fieldstone_media::MediaError;
use fieldstone_model::blob::{BlobHash, BlobRef};
use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The cache's default size: a few hundred listings' photos on a phone.
pub const DEFAULT_BUDGET_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum MediaFolderError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error("the fetched file does not match its name; it was not kept")]
    Mismatch,
    #[error("could not keep the file on this device: {0}")]
    Io(#[from] io::Error),
}

#[derive(Debug, Clone)]
pub struct MediaFolder {
    root: PathBuf,
    budget: u64,
}

impl MediaFolder {
    /// The media folder of the store at `db_path`.
    pub fn for_store(db_path: &Path) -> Self {
        let dir = db_path.parent().unwrap_or(Path::new("."));
        Self::new(dir.join("media"), DEFAULT_BUDGET_BYTES)
    }

    pub fn new(root: PathBuf, budget: u64) -> Self {
        Self { root, budget }
    }

    pub fn with_budget(mut self, budget: u64) -> Self {
        self.budget = budget;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn blob_path(&self, blob: &BlobRef) -> PathBuf {
        self.root.join("blobs").join(blob.file_name())
    }

    fn thumb_path(&self, hash: &BlobHash) -> PathBuf {
        self.root.join("thumbs").join(format!("{hash}.jpg"))
    }

    fn outbox_path(&self, blob: &BlobRef) -> PathBuf {
        self.root.join("outbox").join(blob.file_name())
    }

    /// Keeps a file added on this device (checked, thumbnailed) and queues it for upload.
    pub fn add(&self, bytes: &[u8]) -> Result<BlobRef, MediaFolderError> {
        let blob = fieldstone_media::identify(bytes)?;
        let thumb = fieldstone_media::thumbnail(bytes, blob.kind)?;
        if let Some(thumb) = thumb {
            write_whole(&self.thumb_path(&blob.hash), &thumb)?;
        }
        write_whole(&self.blob_path(&blob), bytes)?;
        write_whole(&self.outbox_path(&blob), b"")?;
        Ok(blob)
    }

    /// The file (or its thumbnail) if it is on this device; reading it marks it recently used.
    pub fn read(&self, blob: &BlobRef, thumb: bool) -> io::Result<Option<Vec<u8>>> {
        let path = if thumb {
            self.thumb_path(&blob.hash)
        } else {
            self.blob_path(blob)
        };
        let bytes = read_if_there(&path)?;
        if bytes.is_some() {
            // Recency is the file's modification time (access times are often off).
            if let Ok(file) = std::fs::File::options().append(true).open(&path) {
                let _ = file.set_modified(SystemTime::now());
            }
        }
        Ok(bytes)
    }

    /// Keeps a file fetched from the server: a whole file must match its name; a thumbnail
    /// must be a JPEG.
    pub fn keep_fetched(
        &self,
        blob: &BlobRef,
        thumb: bool,
        bytes: &[u8],
    ) -> Result<(), MediaFolderError> {
        if thumb {
            if fieldstone_model::blob::BlobType::sniff(bytes)
                != Some(fieldstone_model::blob::BlobType::Jpeg)
            {
                return Err(MediaFolderError::Mismatch);
            }
            write_whole(&self.thumb_path(&blob.hash), bytes)?;
        } else {
            if fieldstone_media::hash(bytes) != blob.hash {
                return Err(MediaFolderError::Mismatch);
            }
            write_whole(&self.blob_path(blob), bytes)?;
        }
        Ok(())
    }

    /// Files added here that the server does not have yet, oldest first.
    pub fn pending(&self) -> io::Result<Vec<BlobRef>> {
        let dir = self.root.join("outbox");
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(blob) = name
                .to_str()
                .and_then(|n| BlobRef::parse(&format!("blobs/{n}")))
            else {
                continue;
            };
            let at = entry
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH);
            found.push((at, blob));
        }
        found.sort_by_key(|(at, blob)| (*at, blob.hash));
        Ok(found.into_iter().map(|(_, blob)| blob).collect())
    }

    /// The server has `blob`: it no longer waits.
    pub fn uploaded(&self, blob: &BlobRef) -> io::Result<()> {
        match std::fs::remove_file(self.outbox_path(blob)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The whole file's bytes for upload (`None`: it is gone from this device).
    pub fn bytes(&self, blob: &BlobRef) -> io::Result<Option<Vec<u8>>> {
        read_if_there(&self.blob_path(blob))
    }

    /// Bytes the cache holds (files and thumbnails).
    pub fn size(&self) -> u64 {
        self.files().iter().map(|f| f.size).sum()
    }

    fn files(&self) -> Vec<CachedFile> {
        let mut files = Vec::new();
        for (dir, thumb) in [("blobs", false), ("thumbs", true)] {
            let Ok(entries) = std::fs::read_dir(self.root.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(meta) = entry.metadata() else { continue };
                let name = entry.file_name();
                let Some(hash) = name
                    .to_str()
                    .and_then(|n| n.split('.').next())
                    .and_then(|h| BlobHash::parse(h).ok())
                else {
                    continue;
                };
                files.push(CachedFile {
                    path: entry.path(),
                    hash,
                    size: meta.len(),
                    used: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    thumb,
                });
            }
        }
        files
    }

    /// Lets go of the least recently used files until the cache is within its budget; never a
    /// file waiting for upload nor one in `keep` (the agent's own listings' media). Thumbnails
    /// go after whole files: they are small and the grid needs them. Answers the bytes freed.
    pub fn evict(&self, keep: &HashSet<BlobHash>) -> io::Result<u64> {
        let mut files = self.files();
        let mut size: u64 = files.iter().map(|f| f.size).sum();
        if size <= self.budget {
            return Ok(0);
        }
        let waiting: HashSet<BlobHash> = self.pending()?.iter().map(|b| b.hash).collect();
        files.retain(|f| !keep.contains(&f.hash) && !waiting.contains(&f.hash));
        files.sort_by_key(|f| (f.thumb, f.used));
        let mut freed = 0;
        for file in files {
            if size <= self.budget {
                break;
            }
            match std::fs::remove_file(&file.path) {
                Ok(()) => {
                    size -= file.size;
                    freed += file.size;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(freed)
    }

    /// Removes every file (a revoked device's data goes, its media with it).
    pub fn wipe(&self) -> io::Result<()> {
        match std::fs::remove_dir_all(&self.root) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

struct CachedFile {
    path: PathBuf,
    hash: BlobHash,
    size: u64,
    used: SystemTime,
    thumb: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::blob::BlobType;
    use std::time::Duration;

    fn age(folder: &MediaFolder, blob: &BlobRef, secs_ago: u64) {
        for path in [folder.blob_path(blob), folder.thumb_path(&blob.hash)] {
            if let Ok(file) = std::fs::File::options().append(true).open(&path) {
                file.set_modified(SystemTime::now() - Duration::from_secs(secs_ago))
                    .expect("touch");
            }
        }
    }

    #[test]
    fn added_files_wait_for_upload_and_fetched_ones_are_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = MediaFolder::new(dir.path().join("media"), DEFAULT_BUDGET_BYTES);
        let photo = fieldstone_media::sample_picture(800, 600, BlobType::Jpeg, 1);
        let blob = folder.add(&photo).expect("kept");
        assert_eq!(folder.pending().expect("outbox"), vec![blob]);
        assert_eq!(
            folder.read(&blob, false).expect("read"),
            Some(photo.clone())
        );
        assert!(folder.read(&blob, true).expect("read").is_some());
        folder.uploaded(&blob).expect("done");
        assert!(folder.pending().expect("outbox").is_empty());
        assert!(matches!(
            folder.add(b"not a picture"),
            Err(MediaFolderError::Media(MediaError::UnknownType))
        ));

        let other = fieldstone_media::sample_picture(80, 60, BlobType::Png, 2);
        let other_blob = fieldstone_media::identify(&other).expect("png");
        assert!(matches!(
            folder.keep_fetched(&other_blob, false, &photo),
            Err(MediaFolderError::Mismatch)
        ));
        assert_eq!(folder.read(&other_blob, false).expect("read"), None);
        folder
            .keep_fetched(&other_blob, false, &other)
            .expect("matches");
        assert_eq!(folder.read(&other_blob, false).expect("read"), Some(other));
        folder.wipe().expect("wipe");
        assert_eq!(folder.read(&blob, false).expect("read"), None);
    }

    #[test]
    fn past_its_budget_the_cache_lets_go_of_the_least_recently_shown_but_never_what_it_must_keep() {
        let dir = tempfile::tempdir().expect("tempdir");
        let unbounded = MediaFolder::new(dir.path().join("media"), u64::MAX);
        let pictures: Vec<(BlobRef, Vec<u8>)> = (0..6)
            .map(|seed| {
                let bytes = fieldstone_media::sample_picture(400, 300, BlobType::Png, seed);
                (fieldstone_media::identify(&bytes).expect("png"), bytes)
            })
            .collect();
        for (blob, bytes) in &pictures {
            unbounded.keep_fetched(blob, false, bytes).expect("kept");
        }
        // One added here, not uploaded yet; one of the agent's own listings.
        let mine = fieldstone_media::sample_picture(400, 300, BlobType::Png, 99);
        let waiting = unbounded.add(&mine).expect("added");
        for (i, (blob, _)) in pictures.iter().enumerate() {
            age(&unbounded, blob, 1000 - i as u64 * 100);
        }
        age(&unbounded, &waiting, 5000);
        let keep: HashSet<BlobHash> = [pictures[0].0.hash].into_iter().collect();
        let total = unbounded.size();
        let one = pictures[1].1.len() as u64;
        // Room for all but about two files.
        let folder = unbounded.clone().with_budget(total - 2 * one + 10);
        let freed = folder.evict(&keep).expect("evict");
        assert!(freed >= 2 * one - 10, "{freed}");
        assert!(folder.size() <= total - 2 * one + 10);
        let there = |blob: &BlobRef| folder.blob_path(blob).exists();
        assert!(there(&pictures[0].0), "kept: an own listing's");
        assert!(there(&waiting), "kept: waiting for upload");
        assert!(
            !there(&pictures[1].0) && !there(&pictures[2].0),
            "oldest go first"
        );
        assert!(there(&pictures[5].0), "the newest stays");
        // Within budget: nothing more goes.
        assert_eq!(folder.evict(&keep).expect("evict"), 0);
    }
}
