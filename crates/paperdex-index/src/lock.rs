//! The writer lock: one ingest at a time per index.
//!
//! An OS file lock (flock, through std's `File::try_lock`) on `writer.lock` holds the right to write; the holder writes its PID
//! into the file so the next one can say who holds it. The OS drops the lock when the holder
//! dies, however it dies, so a stale lock file from a killed process never blocks anyone.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{IndexError, Result};

/// Held while writing; released on drop.
#[derive(Debug)]
pub struct WriterLock {
    file: Option<File>,
}

impl WriterLock {
    /// Takes the writer lock of the index at `root`, or says who holds it.
    pub fn acquire(root: &Path) -> Result<WriterLock> {
        fs::create_dir_all(root).map_err(IndexError::io(root))?;
        let path: PathBuf = root.join("writer.lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(IndexError::io(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::Error(source)) => return Err(IndexError::Io { path, source }),
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let pid = holder.trim();
                return Err(IndexError::Locked {
                    path: root.to_path_buf(),
                    pid: if pid.is_empty() { "unknown".into() } else { pid.to_string() },
                });
            }
        }
        file.set_len(0).map_err(IndexError::io(&path))?;
        file.seek(SeekFrom::Start(0)).map_err(IndexError::io(&path))?;
        write!(file, "{}", std::process::id()).map_err(IndexError::io(&path))?;
        file.sync_all().map_err(IndexError::io(&path))?;
        Ok(WriterLock { file: Some(file) })
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            let _ = file.set_len(0);
            let _ = file.unlock();
        }
    }
}
