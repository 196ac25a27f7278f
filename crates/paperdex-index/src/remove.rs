//! Removing papers: [`PaperIndex::remove`].
//!
//! A removal is one generation like an ingest batch: the papers' documents are deleted from
//! tantivy, their passage vectors tombstoned (the HNSW graphs are rebuilt once tombstones pass
//! [`crate::vectors::REBUILD_TOMBSTONE_RATIO`]), and one commit switches both, so no search in
//! any mode, and no related list, sees a removed paper once the commit is picked up.

use std::collections::HashSet;
use std::time::Instant;

use paperdex_core::PaperId;
use serde::Serialize;

use crate::error::Result;
use crate::lock::WriterLock;
use crate::paper_index::PaperIndex;

/// What a removal did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RemoveReport {
    /// The papers removed, by id as the index spells it.
    pub removed: Vec<String>,
    /// Ids asked for that no paper in the index has (or that are not arXiv ids at all), as
    /// given.
    pub unknown: Vec<String>,
    /// Passage vectors tombstoned.
    pub vectors_removed: usize,
    /// Whether the HNSW graphs were rebuilt because too many of their points were tombstones.
    pub graphs_rebuilt: bool,
    /// The generation committed, or `None` when nothing was removed.
    pub generation: Option<u64>,
    /// Papers in the index afterwards.
    pub papers_total: u64,
    /// Wall time in seconds.
    pub seconds: f64,
}

impl PaperIndex {
    /// Removes the papers with these ids, in one commit under the writer lock. Ids the index
    /// does not hold are reported in [`RemoveReport::unknown`], not an error; when none is
    /// known nothing is written. An id that cannot be arXiv's is an error, and nothing is
    /// removed.
    ///
    /// A removed paper comes back if a file naming it is ingested again.
    pub fn remove(&self, ids: &[&str]) -> Result<RemoveReport> {
        let started = Instant::now();
        // A malformed id is a mistake in the request: nothing is removed.
        let asked: Vec<PaperId> = ids.iter().map(|id| crate::paper_index::asked_id(id)).collect::<Result<_>>()?;
        let _lock = WriterLock::acquire(&self.root)?;
        let payload = self.begin_write()?;
        let mut report = RemoveReport::default();
        let searcher = self.searcher();
        let mut seen = HashSet::new();
        for (id, &written) in asked.into_iter().zip(ids) {
            if self.address_in(&searcher, &id)?.is_none() {
                report.unknown.push(written.to_string());
            } else if seen.insert(id.clone()) {
                report.removed.push(id.to_string());
            }
        }
        drop(searcher);
        if !report.removed.is_empty() {
            // No embedder: the stored vectors are tombstoned whatever model made them.
            let mut vectors = self.writable_vectors(&payload, None)?;
            if let Some((set, _)) = vectors.as_mut() {
                report.vectors_removed = report.removed.iter().map(|id| set.delete_paper(id)).sum();
            }
            let removed: Vec<&str> = report.removed.iter().map(String::as_str).collect();
            // The removed papers' words leave the lexicon too.
            let lexicon = self.write_lexicon(payload.generation + 1, &payload, &[], &removed, None)?;
            // Removing papers leaves the other vectors as they were cut.
            let committed = self.commit_generation(
                payload.generation + 1,
                vectors.as_mut(),
                &[],
                &removed,
                Some(&lexicon),
                payload.chunking,
            )?;
            report.graphs_rebuilt = committed.graphs.is_some_and(|g| g.rebuilt);
            report.generation = Some(committed.payload.generation);
            self.finish_write(vectors)?;
        }
        report.papers_total = self.len();
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }
}
