//! Where finished blobs are kept: a small trait, so the filesystem store (the default) can be
//! swapped for an object store without the upload and access code changing. Blocking, like
//! the database store: routes call it through `crate::blocking`.

use fieldstone_model::OrgId;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Finished, checked blobs, each under its organisation: the same bytes uploaded by two
/// organisations are two objects, so nothing about one tenant's files shows through another's.
pub trait BlobStore: Send + Sync {
    /// Keeps `bytes` as `name` (written whole or not at all).
    fn put(&self, org: OrgId, name: &str, bytes: &[u8]) -> io::Result<()>;
    /// The object's bytes, `None` when there is none.
    fn get(&self, org: OrgId, name: &str) -> io::Result<Option<Vec<u8>>>;
    /// Its size, `None` when there is none.
    fn size(&self, org: OrgId, name: &str) -> io::Result<Option<u64>>;
}

/// Blobs as files: `<root>/<org>/<first two hex digits>/<name>`.
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, org: OrgId, name: &str) -> PathBuf {
        let fan = name.get(..2).unwrap_or("__");
        self.root.join(org.to_string()).join(fan).join(name)
    }
}

/// Writes a file whole: a temporary name, synced, then renamed over (readers never see half).
pub(crate) fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("a blob path has no folder"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.tmp", uuid::Uuid::new_v4()));
    let written = (|| {
        let mut file = std::fs::File::create_new(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

impl BlobStore for FsBlobStore {
    fn put(&self, org: OrgId, name: &str, bytes: &[u8]) -> io::Result<()> {
        write_whole(&self.path(org, name), bytes)
    }

    fn get(&self, org: OrgId, name: &str) -> io::Result<Option<Vec<u8>>> {
        match std::fs::read(self.path(org, name)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn size(&self, org: OrgId, name: &str) -> io::Result<Option<u64>> {
        match std::fs::metadata(self.path(org, name)) {
            Ok(meta) => Ok(Some(meta.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}
