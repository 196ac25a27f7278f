//! The writer lock: one ingest at a time per index.
//!
//! An OS file lock (flock, through std's `File::try_lock`) on `writer.lock` holds the right to write; the holder writes its PID
//! into the file so the next one can say who holds it. The OS drops the lock when the holder
//! dies, however it dies, so a stale lock file from a killed process never blocks anyone.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{IndexError, Result};

/// The lock's file in the index folder.
pub(crate) const LOCK_FILE: &str = "writer.lock";

/// Held while writing; released on drop.
#[derive(Debug)]
pub struct WriterLock {
    file: Option<File>,
}

impl WriterLock {
    /// Takes the writer lock of the index at `root`, or says who holds it.
    pub fn acquire(root: &Path) -> Result<WriterLock> {
        fs::create_dir_all(root).map_err(IndexError::io(root))?;
        let path: PathBuf = root.join(LOCK_FILE);
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
                return Err(IndexError::Locked {
                    path: root.to_path_buf(),
                    pid: holder_pid(&mut file).unwrap_or_else(|| "unknown".into()),
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

/// How long a loser waits for the holder to write its PID. The holder writes it right after
/// taking the lock, so two ingests started together can see the lock taken and the file still
/// empty for a moment; waiting a little names the holder instead of saying "unknown".
const PID_WAIT: Duration = Duration::from_millis(500);

/// The PID written in a held lock file, waiting up to [`PID_WAIT`] for it to appear.
fn holder_pid(file: &mut File) -> Option<String> {
    let started = Instant::now();
    loop {
        let mut holder = String::new();
        if file.seek(SeekFrom::Start(0)).is_ok() && file.read_to_string(&mut holder).is_ok() {
            let pid = holder.trim();
            if !pid.is_empty() {
                return Some(pid.to_string());
            }
        }
        if started.elapsed() >= PID_WAIT {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ingest_that_loses_the_race_names_the_winner_who_has_not_written_its_pid_yet() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("writer.lock");
        // The winner has the lock but has not written its PID yet.
        let winner = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).expect("open");
        winner.try_lock().expect("lock");
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            let mut file = &winner;
            write!(file, "4242").expect("write pid");
            winner
        });
        let lost = WriterLock::acquire(dir.path()).expect_err("the lock is held");
        assert!(matches!(&lost, IndexError::Locked { pid, .. } if pid == "4242"), "{lost}");
        drop(writer.join().expect("writer"));
        assert!(WriterLock::acquire(dir.path()).is_ok(), "free once the winner is gone");
    }
}
