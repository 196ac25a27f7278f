//! What can go wrong in an evaluation, each naming the file (and line) to look at.

use std::path::PathBuf;

/// Errors of reading a query set or collection, or of running it against an index.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line of a file is not what its format requires.
    #[error("{path}:{line}: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong and what was expected.
        reason: String,
    },
    /// A collection or query set is unusable as a whole (a file is missing, nothing is judged).
    #[error("{path}: {reason}")]
    Collection {
        /// The folder or file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The throw-away index could not be created.
    #[error("cannot create a temporary index folder: {0}")]
    TempDir(std::io::Error),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] paperdex_index::IndexError),
}

impl EvalError {
    pub(crate) fn parse(path: impl Into<PathBuf>, line: usize, reason: impl Into<String>) -> EvalError {
        EvalError::Parse { path: path.into(), line, reason: reason.into() }
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> EvalError {
        let path = path.into();
        move |source| EvalError::Io { path, source }
    }
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, EvalError>;
