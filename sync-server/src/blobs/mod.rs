//! Media blobs on the server (DESIGN decision 15): photos, floor plans, 360° pictures and PDFs
//! that documents name by SHA-256 (`blobs/<hash>.<ext>`). A device uploads a file once, in
//! pieces that can resume after a dropped connection; the server checks the whole file against
//! its name and its type before keeping it, makes its thumbnail once, and keeps both behind
//! [`BlobStore`]. Nothing here decides who may read a blob: that follows the documents that
//! name it (`crate::routes::blobs`).

pub mod s3;
pub mod store;

use fieldstone_media::{MediaError, BLOB_MAX_BYTES};
use fieldstone_model::blob::{BlobHash, BlobRef, BlobType};
use fieldstone_model::OrgId;
pub use s3::{S3BlobStore, S3Config};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
pub use store::{BlobStore, FsBlobStore};

/// `[blobs]` in the configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BlobConfig {
    /// Where blobs are kept; `<data_dir>/blobs` when unset.
    pub dir: Option<PathBuf>,
    /// Unfinished uploads one organisation may have at once (each up to 40 MiB on disk).
    pub max_unfinished_per_org: usize,
    /// Finished blobs in an S3-compatible bucket instead of under `dir` (`[blobs.s3]`).
    pub s3: Option<S3Config>,
}

impl BlobConfig {
    /// What is wrong with it, each as a sentence naming the key.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !(1..=10_000).contains(&self.max_unfinished_per_org) {
            problems.push("blobs.max_unfinished_per_org must be between 1 and 10000".into());
        }
        problems.extend(self.s3.iter().flat_map(S3Config::problems));
        problems
    }
}

impl Default for BlobConfig {
    fn default() -> Self {
        Self {
            dir: None,
            max_unfinished_per_org: 64,
            s3: None,
        }
    }
}

/// How far an upload has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Bytes the server holds: send the rest from here.
    pub received: u64,
    /// The server has the whole file, checked; nothing more to send.
    pub complete: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the file is {total} bytes; the largest allowed is {max} bytes (40 MiB)", max = BLOB_MAX_BYTES)]
    TooLarge { total: u64 },
    #[error("the upload is at byte {received}, not {offset}: send from byte {received}")]
    WrongOffset { offset: u64, received: u64 },
    #[error("this piece runs past the file's length ({total} bytes)")]
    PastTheEnd { total: u64 },
    #[error("another upload of this file is under way; try again in a moment")]
    Busy,
    #[error("this organisation has {0} unfinished uploads; finish or wait for them first")]
    TooMany(usize),
    #[error("the file's bytes do not match its name (SHA-256 {actual}); nothing was kept: upload it again")]
    HashMismatch { actual: BlobHash },
    #[error("{0}")]
    NotMedia(String),
    #[error("storage failed: {0}")]
    Io(#[from] io::Error),
}

/// The thumbnail's object name.
fn thumb_name(hash: &BlobHash) -> String {
    format!("{hash}.thumb.jpg")
}

pub struct Blobs {
    store: Arc<dyn BlobStore>,
    /// Unfinished uploads, always on this server's disk: `<staging>/<org>/<name>.part`.
    staging: PathBuf,
    max_unfinished: usize,
    /// Uploads being written now, so two pieces of one file are never appended at once.
    busy: Mutex<HashSet<(OrgId, BlobHash)>>,
}

/// Frees an upload's slot in [`Blobs::busy`] however the upload ends.
struct Writing<'a> {
    blobs: &'a Blobs,
    key: (OrgId, BlobHash),
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        if let Ok(mut busy) = self.blobs.busy.lock() {
            busy.remove(&self.key);
        }
    }
}

impl Blobs {
    pub fn new(store: Arc<dyn BlobStore>, staging: PathBuf, config: &BlobConfig) -> Self {
        Self {
            store,
            staging,
            max_unfinished: config.max_unfinished_per_org,
            busy: Mutex::new(HashSet::new()),
        }
    }

    /// Files on this server's disk: the blobs under `dir`, unfinished uploads beside them.
    pub fn on_disk(dir: PathBuf, config: &BlobConfig) -> Self {
        let store = Arc::new(FsBlobStore::new(dir.join("kept")));
        Self::new(store, dir.join("uploads"), config)
    }

    fn part_path(&self, org: OrgId, blob: &BlobRef) -> PathBuf {
        self.staging
            .join(org.to_string())
            .join(format!("{}.part", blob.file_name()))
    }

    /// How much of `blob` the server has.
    pub fn progress(&self, org: OrgId, blob: &BlobRef) -> io::Result<Progress> {
        if let Some(size) = self.store.size(org, &blob.file_name())? {
            return Ok(Progress {
                received: size,
                complete: true,
            });
        }
        let received = match std::fs::metadata(self.part_path(org, blob)) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
            Err(e) => return Err(e),
        };
        Ok(Progress {
            received,
            complete: false,
        })
    }

    /// Adds `piece` at `offset` of a file of `total` bytes. The last piece checks the whole
    /// file (its SHA-256 against its name, its type against its extension, a picture that
    /// decodes) and keeps it with its thumbnail; a file that fails is discarded whole, so the
    /// next try starts clean. A file the server already has is not sent again.
    pub fn upload(
        &self,
        org: OrgId,
        blob: &BlobRef,
        offset: u64,
        total: u64,
        piece: &[u8],
    ) -> Result<Progress, UploadError> {
        if total > BLOB_MAX_BYTES {
            return Err(UploadError::TooLarge { total });
        }
        if total == 0 {
            return Err(UploadError::NotMedia("the file is empty".into()));
        }
        let key = (org, blob.hash);
        if !self.busy.lock().map_err(|_| UploadError::Busy)?.insert(key) {
            return Err(UploadError::Busy);
        }
        let _writing = Writing { blobs: self, key };
        let now = self.progress(org, blob)?;
        if now.complete {
            return Ok(now);
        }
        if offset != now.received {
            return Err(UploadError::WrongOffset {
                offset,
                received: now.received,
            });
        }
        if offset + piece.len() as u64 > total {
            return Err(UploadError::PastTheEnd { total });
        }
        let part = self.part_path(org, blob);
        if offset == 0 {
            // The first bytes say what the file is: a wrong one is refused before it is kept.
            match BlobType::sniff(piece) {
                Some(kind) if kind == blob.kind => {}
                Some(kind) => {
                    return Err(UploadError::NotMedia(format!(
                        "the file is a {} but its name says .{}",
                        kind.ext(),
                        blob.kind.ext()
                    )))
                }
                None => return Err(UploadError::NotMedia(MediaError::UnknownType.to_string())),
            }
            let dir = part.parent().ok_or_else(|| io::Error::other("no folder"))?;
            std::fs::create_dir_all(dir)?;
            let unfinished = std::fs::read_dir(dir)?.count();
            if unfinished >= self.max_unfinished {
                return Err(UploadError::TooMany(unfinished));
            }
        }
        let mut file = std::fs::OpenOptions::new()
            .create(offset == 0)
            .append(true)
            .open(&part)?;
        file.write_all(piece)?;
        file.sync_data()?;
        let received = offset + piece.len() as u64;
        if received < total {
            return Ok(Progress {
                received,
                complete: false,
            });
        }
        let finished = self.finish(org, blob, &part);
        let _ = std::fs::remove_file(&part);
        finished.map(|()| Progress {
            received,
            complete: true,
        })
    }

    fn finish(
        &self,
        org: OrgId,
        blob: &BlobRef,
        part: &std::path::Path,
    ) -> Result<(), UploadError> {
        let bytes = std::fs::read(part)?;
        let actual = fieldstone_media::hash(&bytes);
        if actual != blob.hash {
            return Err(UploadError::HashMismatch { actual });
        }
        let thumb = fieldstone_media::thumbnail(&bytes, blob.kind)
            .map_err(|e| UploadError::NotMedia(e.to_string()))?;
        if let Some(thumb) = thumb {
            self.store.put(org, &thumb_name(&blob.hash), &thumb)?;
        }
        // The blob last: once it is there, the upload counts as done.
        self.store.put(org, &blob.file_name(), &bytes)?;
        Ok(())
    }

    /// Keeps bytes the server itself fetched (an MLS photo), checked the same way.
    pub fn keep(&self, org: OrgId, bytes: &[u8]) -> Result<BlobRef, UploadError> {
        let blob = fieldstone_media::identify(bytes).map_err(|e| match e {
            MediaError::TooLarge { size } => UploadError::TooLarge { total: size },
            other => UploadError::NotMedia(other.to_string()),
        })?;
        if self.store.size(org, &blob.file_name())?.is_none() {
            if let Some(thumb) = fieldstone_media::thumbnail(bytes, blob.kind)
                .map_err(|e| UploadError::NotMedia(e.to_string()))?
            {
                self.store.put(org, &thumb_name(&blob.hash), &thumb)?;
            }
            self.store.put(org, &blob.file_name(), bytes)?;
        }
        Ok(blob)
    }

    /// The blob's bytes, or its thumbnail's; `None` when the server does not have it.
    pub fn read(&self, org: OrgId, blob: &BlobRef, thumb: bool) -> io::Result<Option<Vec<u8>>> {
        if thumb {
            self.store.get(org, &thumb_name(&blob.hash))
        } else {
            self.store.get(org, &blob.file_name())
        }
    }
}
