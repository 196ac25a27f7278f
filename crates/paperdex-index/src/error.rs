//! The errors of the index crate.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong opening, writing or querying an index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The index folder could not be created or read.
    #[error("cannot use index folder {path}: {source}")]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Another process is writing to the index.
    #[error("index {path} is locked by PID {pid}: another ingest is running; wait for it or stop it")]
    Locked {
        /// The index folder.
        path: PathBuf,
        /// The process holding the lock, as it recorded itself.
        pid: String,
    },
    /// The folder holds something that is not a paperdex index, or a damaged one.
    #[error("index {path} is damaged or not a paperdex index: {reason}")]
    Corrupt {
        /// The index folder.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// No paper has this id.
    #[error("no paper with id {0} in the index")]
    PaperNotFound(String),
    /// A query parameter is out of range or malformed.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// Embedding failed while searching or ingesting.
    #[error("embedding failed: {0}")]
    Embed(#[from] paperdex_embed::EmbedError),
    /// An error inside tantivy.
    #[error("search engine error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

impl IndexError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> IndexError {
        let path = path.into();
        move |source| IndexError::Io { path, source }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = IndexError> = std::result::Result<T, E>;
