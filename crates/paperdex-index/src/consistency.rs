//! Checking that the two halves of an index agree: [`PaperIndex::consistency_report`].
//!
//! Tantivy holds the papers, the committed generation's [`VectorSet`](crate::vectors::VectorSet)
//! their passage vectors. Every writer changes both in one commit (see `generation.rs`), so
//! whatever stopped a writer, the papers with text and the papers with live vectors are the same
//! set, and each paper has one live vector per passage of its current text. This module says
//! where that does not hold.

use std::collections::{HashMap, HashSet};
use std::fs;

use serde::Serialize;

use crate::error::Result;
use crate::paper_index::PaperIndex;

/// Where tantivy and the vectors disagree, and what lies around the index folder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConsistencyReport {
    /// The generation of the latest commit.
    pub generation: u64,
    /// The vector folder that commit names, if it has vectors.
    pub vectors: Option<String>,
    /// Papers in tantivy.
    pub papers: usize,
    /// Papers with at least one passage to embed.
    pub papers_with_text: usize,
    /// Papers with live vectors.
    pub papers_with_vectors: usize,
    /// Papers with text but no live vector (only listed when the generation has vectors: an
    /// index made without a model has none at all, on purpose).
    pub missing_vectors: Vec<String>,
    /// Papers with live vectors that tantivy does not hold.
    pub orphan_vectors: Vec<String>,
    /// Papers whose live vectors are not one per passage of their text (stale vectors of an
    /// older text, or vectors made with other chunking), with live vectors and passages.
    pub passage_count_mismatches: Vec<(String, usize, usize)>,
    /// Folders under `vectors/` that no commit names: what an interrupted writer left, removed
    /// by the next writer. They never affect searches.
    pub leftovers: Vec<String>,
}

impl ConsistencyReport {
    /// Whether the papers with text and the papers with vectors are the same set, with one
    /// vector per passage. True for an index without vectors when no vector is orphaned.
    pub fn agrees(&self) -> bool {
        self.missing_vectors.is_empty() && self.orphan_vectors.is_empty() && self.passage_count_mismatches.is_empty()
    }
}

impl PaperIndex {
    /// Compares the papers in tantivy with the live vectors of the latest commit (loading
    /// them first when a newer commit exists). Run it when no writer is committing, or the
    /// two sides may be read from different commits.
    pub fn consistency_report(&self) -> Result<ConsistencyReport> {
        self.load_latest_vectors()?;
        self.reload()?;
        let payload = self.committed_payload()?;
        let papers = self.papers()?;
        let vectors = self.vectors();
        let mut live: HashMap<&str, usize> = HashMap::new();
        if let Some(v) = &vectors {
            for chunk in v.set.iter_live() {
                *live.entry(chunk.paper_id).or_insert(0) += 1;
            }
        }
        let mut report = ConsistencyReport {
            generation: payload.generation,
            vectors: payload.vectors.clone(),
            papers: papers.len(),
            papers_with_vectors: live.len(),
            ..ConsistencyReport::default()
        };
        let mut in_tantivy = HashSet::new();
        for paper in &papers {
            in_tantivy.insert(paper.id.as_str());
            let passages = paperdex_embed::chunk(paper).len();
            if passages > 0 {
                report.papers_with_text += 1;
            }
            let have = live.get(paper.id.as_str()).copied().unwrap_or(0);
            if have == 0 {
                if passages > 0 && vectors.is_some() {
                    report.missing_vectors.push(paper.id.to_string());
                }
            } else if have != passages {
                report.passage_count_mismatches.push((paper.id.to_string(), have, passages));
            }
        }
        report.orphan_vectors = live.keys().filter(|id| !in_tantivy.contains(*id)).map(|id| id.to_string()).collect();
        report.orphan_vectors.sort();
        report.missing_vectors.sort();
        report.passage_count_mismatches.sort();
        if let Ok(entries) = fs::read_dir(crate::generation::vectors_root(&self.root)) {
            report.leftovers = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| Some(name) != payload.vectors.as_ref())
                .collect();
            report.leftovers.sort();
        }
        Ok(report)
    }
}
