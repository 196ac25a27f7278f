//! Vector search over chunk embeddings.
//!
//! - [`VectorSet`] holds the raw data of one generation: every chunk's L2-normalised vector, its
//!   paper and its language, append-only with tombstones. It is saved to one checksummed file
//!   (format in [`set`](VectorSet#file-format-version-1)).
//! - [`NearestNeighbours`] is what the ranker calls: the `k` chunks most similar to a query
//!   within one language. Two implementations:
//!   - [`ExactSearch`]: brute force over contiguous per-language `f32` arrays. The oracle for
//!     recall tests and for [`CompactGraph::scan`].
//!   - [`HnswSearch`]: one hnsw_rs graph per language, built in parallel, extended incrementally
//!     ([`HnswSearch::insert`]), rebuilt when more than [`REBUILD_TOMBSTONE_RATIO`] of it is
//!     tombstones, and saved to / reloaded from a folder without rebuilding. Writers use it.
//! - [`CompactGraph`]: the same graphs copied into flat arrays with 8-bit vector codes, the
//!   candidates rescored with the set's `f32` vectors: what searches walk (a tenth of
//!   hnsw_rs's memory, read in seconds; see its module). Below
//!   [`crate::generation::FULL_SCAN_THRESHOLD`] passages, searches scan its codes instead
//!   ([`CompactGraph::scan`]), which gives exactly [`ExactSearch`]'s answer.
//!
//! Chunk ids are positions in the [`VectorSet`]; results are `(chunk id, cosine similarity)`,
//! best first, ties broken by chunk id, never a tombstoned chunk.

mod checksum;
mod compact;
mod error;
mod exact;
mod fsutil;
mod hnsw;
mod pages;
mod set;
pub(crate) mod simd;

#[cfg(test)]
mod synthetic;
#[cfg(test)]
mod tests;

use std::cmp::Ordering;

use paperdex_core::Lang;

pub use compact::{COMPACT_FORMAT_VERSION, CompactGraph, EF_REFERENCE_NODES, ef_for_nodes};
pub use error::{Result, VectorError};
pub use exact::ExactSearch;
pub use hnsw::{DotDistance, HNSW_MANIFEST_FILE, HnswParams, HnswSearch, REBUILD_TOMBSTONE_RATIO, RefreshReport};
pub use set::{Chunk, FORMAT_VERSION, MAX_DIMS, VectorSet};

/// Finds the chunks nearest to a query vector.
///
/// Implementations are shared between the HTTP server's threads, hence `Send + Sync`.
pub trait NearestNeighbours: Send + Sync {
    /// The `k` live chunks of language `lang` most similar to `query`, as
    /// `(chunk id, cosine similarity)`, most similar first.
    ///
    /// Only chunks of `lang` are considered: the ranker searches each language separately and
    /// fuses the lists itself. The query is normalised here; a query with the wrong number of
    /// dimensions, NaN or infinity, or all zeros matches nothing (and logs a warning).
    fn search(&self, query: &[f32], k: usize, lang: Lang) -> Vec<(u32, f32)>;
}

/// The languages, in the order of per-language arrays.
pub(crate) const LANGS: [Lang; 2] = [Lang::Zh, Lang::En];

/// The slot of `lang` in per-language arrays.
pub(crate) fn lang_slot(lang: Lang) -> usize {
    match lang {
        Lang::Zh => 0,
        Lang::En => 1,
    }
}

/// The dot product, written so the compiler vectorises it: sixteen independent accumulators
/// (four SSE registers) instead of one serial sum, which floating-point rules forbid it to
/// reorder on its own.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 16];
    let mut blocks_a = a.chunks_exact(16);
    let mut blocks_b = b.chunks_exact(16);
    for (x, y) in (&mut blocks_a).zip(&mut blocks_b) {
        for i in 0..16 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut tail = 0.0f32;
    for (x, y) in blocks_a.remainder().iter().zip(blocks_b.remainder()) {
        tail += x * y;
    }
    let mut lanes = [0.0f32; 4];
    for (i, value) in acc.iter().enumerate() {
        lanes[i % 4] += value;
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

/// The cosine distance of two unit vectors, `1 - a·b`, never below zero: rounding can push the
/// dot product of a vector with itself just above 1.
#[inline]
pub(crate) fn distance(a: &[f32], b: &[f32]) -> f32 {
    (1.0 - dot(a, b)).max(0.0)
}

/// The similarity both searches report: `1 - distance`, so that exact and HNSW results for
/// the same chunk are bit-for-bit equal.
#[inline]
pub(crate) fn similarity(a: &[f32], b: &[f32]) -> f32 {
    1.0 - distance(a, b)
}

/// Most similar first; equal similarities by ascending chunk id, so results are deterministic.
pub(crate) fn best_first(a: &(u32, f32), b: &(u32, f32)) -> Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// The query, L2-normalised, or `None` (with a warning) if it cannot be searched with.
pub(crate) fn prepare_query(query: &[f32], dims: usize) -> Option<Vec<f32>> {
    if query.len() != dims {
        tracing::warn!(found = query.len(), expected = dims, "vector query has the wrong number of dimensions");
        return None;
    }
    if query.iter().any(|x| !x.is_finite()) {
        tracing::warn!("vector query contains NaN or infinity");
        return None;
    }
    let norm = query.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt();
    if norm == 0.0 || !norm.is_finite() {
        tracing::warn!("vector query is all zeros");
        return None;
    }
    Some(query.iter().map(|&x| (f64::from(x) / norm) as f32).collect())
}
