//! The errors of the vector store.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong building, saving or loading vectors and graphs.
///
/// Every variant about a file names it. Any error from [`super::HnswSearch::load`] can be
/// recovered from by rebuilding the graph from the vector set ([`super::HnswSearch::build`]).
#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    /// A file or folder could not be read or written.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A file we wrote is damaged: truncated, partly written, or changed since.
    #[error("{path} is damaged: {reason}")]
    Corrupt {
        /// The damaged file or folder.
        path: PathBuf,
        /// What is wrong, in words.
        reason: String,
    },
    /// A file is intact but cannot be used by this build or with this data: written by a newer
    /// version, another machine's byte order, another model, or another vector set.
    #[error("{path} cannot be used here: {reason}")]
    Incompatible {
        /// The file or folder.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// A vector does not have the set's number of dimensions.
    #[error("vector has {found} dimensions, the set holds {expected}-dimensional vectors")]
    DimensionMismatch {
        /// The set's dimensions.
        expected: usize,
        /// The vector's.
        found: usize,
    },
    /// A vector cannot be normalised: it contains NaN or infinity, or it is all zeros.
    #[error("invalid vector for paper {paper_id}: {reason}")]
    InvalidVector {
        /// The paper the vector was pushed for.
        paper_id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The vector set and a graph built from another vector set were mixed.
    #[error("graph does not belong to this vector set: {reason}")]
    SetMismatch {
        /// What differs.
        reason: String,
    },
    /// The set reached the largest chunk id (`u32::MAX`).
    #[error("the vector set is full ({0} chunks)")]
    Full(usize),
    /// hnsw_rs reported an error (or panicked) while dumping or reloading a graph.
    #[error("HNSW graph {path}: {reason}")]
    Hnsw {
        /// The graph files' folder.
        path: PathBuf,
        /// hnsw_rs's message.
        reason: String,
    },
}

impl VectorError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> VectorError {
        let path = path.into();
        move |source| VectorError::Io { path, source }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> VectorError {
        VectorError::Corrupt { path: path.into(), reason: reason.into() }
    }

    pub(crate) fn incompatible(path: impl Into<PathBuf>, reason: impl Into<String>) -> VectorError {
        VectorError::Incompatible { path: path.into(), reason: reason.into() }
    }
}

/// Shorthand for results of the vector store.
pub type Result<T, E = VectorError> = std::result::Result<T, E>;
