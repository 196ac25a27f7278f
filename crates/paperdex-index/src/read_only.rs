//! Reading an index from a folder this process cannot write: a read-only mount, a container's
//! image, another user's index.
//!
//! Tantivy's reader takes its meta lock (`.tantivy-meta.lock`) by creating a file, so on such a
//! folder every search failed with "Failed to acquire Lockfile … Permission denied". The lock
//! keeps a writer's garbage collection from deleting files while a reader lists them; a
//! process that cannot write the folder cannot be that writer, so it reads without the lock
//! (tantivy issue #557's workaround; tantivy PR #3058 proposes the same as
//! `ReadOnlyDirectory`). Every other lock, the writer's among them, is taken as before, and
//! fails as before.

use std::path::Path;
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, FileSlice, Lock, META_LOCK, MmapDirectory, WatchCallback, WatchHandle,
    WritePtr,
};

/// An [`MmapDirectory`] whose readers go without the meta lock where it cannot be created.
#[derive(Clone, Debug)]
pub(crate) struct ReadableDirectory(MmapDirectory);

impl ReadableDirectory {
    pub(crate) fn new(inner: MmapDirectory) -> ReadableDirectory {
        ReadableDirectory(inner)
    }
}

/// Whether taking `lock` failed only because the folder cannot be written.
fn unwritable(lock: &Lock, error: &LockError) -> bool {
    lock.filepath == META_LOCK.filepath
        && matches!(error, LockError::IoError(io) if matches!(
            io.kind(),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
        ))
}

impl Directory for ReadableDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.0.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.0.acquire_lock(lock) {
            Err(error) if unwritable(lock, &error) => Ok(DirectoryLock::from(Box::new(()))),
            taken => taken,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_meta_lock_refused_for_want_of_write_access_is_skipped() {
        let denied = LockError::IoError(Arc::new(std::io::Error::from(std::io::ErrorKind::PermissionDenied)));
        let read_only = LockError::IoError(Arc::new(std::io::Error::from(std::io::ErrorKind::ReadOnlyFilesystem)));
        assert!(unwritable(&META_LOCK, &denied) && unwritable(&META_LOCK, &read_only));
        assert!(!unwritable(&tantivy::directory::INDEX_WRITER_LOCK, &denied), "a writer still needs its lock");
        assert!(!unwritable(&META_LOCK, &LockError::LockBusy));
        let other = LockError::IoError(Arc::new(std::io::Error::from(std::io::ErrorKind::NotFound)));
        assert!(!unwritable(&META_LOCK, &other));
    }
}
