//! Where finished blobs are kept: a small trait, so the filesystem store (the default) can be
//! swapped for an object store without the upload and access code changing. Blocking, like
//! the database store: routes call it through `crate::blocking`.

use fieldstone_media::files::{read_if_there, write_whole};
use fieldstone_model::OrgId;
use std::io;
use std::path::PathBuf;

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

impl BlobStore for FsBlobStore {
    fn put(&self, org: OrgId, name: &str, bytes: &[u8]) -> io::Result<()> {
        write_whole(&self.path(org, name), bytes)
    }

    fn get(&self, org: OrgId, name: &str) -> io::Result<Option<Vec<u8>>> {
        read_if_there(&self.path(org, name))
    }

    fn size(&self, org: OrgId, name: &str) -> io::Result<Option<u64>> {
        match std::fs::metadata(self.path(org, name)) {
            Ok(meta) => Ok(Some(meta.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}
