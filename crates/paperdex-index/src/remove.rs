//! Removing papers: [`PaperIndex::remove`].
//!
//! A removal is one generation like an ingest batch: the papers' documents are deleted from
//! tantivy, their passage vectors tombstoned (the HNSW graphs are rebuilt once tombstones pass
//! [`crate::vectors::REBUILD_TOMBSTONE_RATIO`]), and one commit switches both, so no search in
//! any mode, and no related list, sees a removed paper once the commit is picked up.
//!
//! [`PaperIndex::remove_sources`] takes back what files said, in one commit too: a paper only
//! they listed is removed, one other files list too keeps what those say.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use paperdex_core::{Paper, PaperId};
use paperdex_embed::Embedder;
use serde::Serialize;

use crate::error::Result;
use crate::ingest::{
    EmbedProgress, Embedded, IngestObserver, StoredVectors, embed_papers, push_passages, receive_batch,
};
use crate::lexicon::{LexiconLag, LexiconWrite};
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
    /// The source files whose records were taken back ([`PaperIndex::remove_sources`]), as
    /// the index names them.
    pub sources: Vec<String>,
    /// Papers other files list too, which lost what the removed sources said and keep the
    /// rest ([`PaperIndex::remove_sources`]).
    pub updated: Vec<String>,
    /// Passages of updated papers embedded again (their text changed); the others kept their
    /// vectors.
    pub chunks_embedded: usize,
    /// Updated papers whose text changed with no model to embed it: they have no vectors until
    /// an ingest with the model.
    pub papers_unembedded: usize,
    /// Why the removal learned the bilingual lexicon again (a paper with Chinese text changed,
    /// see [`crate::LexiconLag`]); `None` when it kept it.
    pub lexicon_learned_because: Option<String>,
}

impl PaperIndex {
    /// Removes the papers with these ids, in one commit under the writer lock. Ids the index
    /// does not hold are reported in [`RemoveReport::unknown`], not an error; when none is
    /// known nothing is written. An id that cannot be arXiv's is an error, and nothing is
    /// removed.
    ///
    /// A removed paper comes back if a file naming it is ingested again.
    pub fn remove(&self, ids: &[&str]) -> Result<RemoveReport> {
        self.remove_observed(ids, &mut crate::Quiet)
    }

    /// [`PaperIndex::remove`], telling `observer` when it learns the lexicon again (10 s on
    /// the corpus, which a terminal saw pass without a word).
    pub fn remove_observed(&self, ids: &[&str], observer: &mut dyn IngestObserver) -> Result<RemoveReport> {
        let started = Instant::now();
        // A malformed id is a mistake in the request: nothing is removed.
        let asked: Vec<PaperId> = ids.iter().map(|id| crate::paper_index::asked_id(id)).collect::<Result<_>>()?;
        let _lock = WriterLock::acquire(&self.root)?;
        let payload = self.begin_write()?;
        let mut report = RemoveReport::default();
        let searcher = self.searcher();
        let mut seen = HashSet::new();
        let mut lag = LexiconLag::default();
        for (id, &written) in asked.into_iter().zip(ids) {
            match self.address_in(&searcher, &id)? {
                None => report.unknown.push(written.to_string()),
                Some(address) if seen.insert(id.clone()) => {
                    // A paper that cannot be read counts as one with Chinese text: the
                    // lexicon is learned again, from what can be read.
                    match self.paper_at(&searcher, address) {
                        Ok(paper) => lag.changed(Some(&paper), None),
                        Err(_) => lag.chinese += 1,
                    }
                    report.removed.push(id.to_string());
                }
                Some(_) => {}
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
            // The removed papers' words leave the lexicon when it is learned again: now for a
            // paper with Chinese text, later for English ones (`LexiconLag`).
            let lexicon = self.lexicon_write(&payload, lag, false);
            if let LexiconWrite::Learn(because) = lexicon {
                report.lexicon_learned_because = Some(because.to_string());
                observer.learning_lexicon();
            }
            (report.graphs_rebuilt, report.generation) = self
                .commit_removal(&payload, vectors, &[], &removed, None, lexicon)
                .map_err(|error| crate::error::with_full_disk_named(&self.root, error))?;
        }
        report.papers_total = self.len();
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Takes back what the files at `paths` said, in one commit under the writer lock, as if
    /// they had never been ingested: a paper only they list is removed; one that other files
    /// list too keeps those files' records, and its changed text is embedded again by
    /// `embedder` (passages whose text did not change keep their vectors; without a model of
    /// the index's vectors, the paper is left without vectors until an ingest with it). A path
    /// is a file as ingested, found even when it has since been moved or deleted, or a folder:
    /// every file ingested from under it. Paths no record comes from are reported in
    /// [`RemoveReport::unknown`]; when none is known nothing is written.
    ///
    /// This is how a file moved or renamed (read again as a new source beside the old path's),
    /// a paper id mistyped in a file and since corrected, or a file ingested by mistake is
    /// undone: remove its source, then ingest what is right.
    pub fn remove_sources(
        &self,
        paths: &[&Path],
        embedder: Option<&dyn Embedder>,
        observer: &mut dyn IngestObserver,
    ) -> Result<RemoveReport> {
        let started = Instant::now();
        let wanted: Vec<PathBuf> = paths.iter().map(|path| crate::ingest::same_file(path)).collect();
        let _lock = WriterLock::acquire(&self.root)?;
        let payload = self.begin_write()?;
        let mut report = RemoveReport::default();
        let mut matched = vec![false; wanted.len()];
        let mut sources = BTreeSet::new();
        let (mut removed, mut updated): (Vec<String>, Vec<(Paper, Paper)>) = (Vec::new(), Vec::new());
        let mut lag = LexiconLag::default();
        // Only the papers the postings say hold a record from a path given or under it.
        let searcher = self.searcher();
        let mut holding = Vec::new();
        for path in &wanted {
            holding.extend(self.documents_from_or_under(&searcher, &path.display().to_string())?);
        }
        holding.sort();
        holding.dedup();
        for address in holding {
            let before = self.paper_at(&searcher, address)?;
            let mut after = before.clone();
            after.records.retain(|record| {
                let from = Path::new(&record.source.path);
                let hit = wanted.iter().position(|path| from.starts_with(path));
                if let Some(at) = hit {
                    matched[at] = true;
                    sources.insert(record.source.path.clone());
                }
                hit.is_none()
            });
            if after.records.is_empty() {
                lag.changed(Some(&before), None);
                removed.push(before.id.to_string());
            } else if after.records.len() < before.records.len() {
                updated.push((before, after));
            }
        }
        report.unknown =
            paths.iter().zip(&matched).filter(|(_, hit)| !**hit).map(|(p, _)| p.display().to_string()).collect();
        report.sources = sources.into_iter().collect();
        if removed.is_empty() && updated.is_empty() {
            report.papers_total = self.len();
            report.seconds = started.elapsed().as_secs_f64();
            return Ok(report);
        }
        // The vectors as they are: a model other than theirs embeds nothing here (an ingest
        // with it embeds every paper again).
        let mut vectors = self.writable_vectors(&payload, None)?;
        let embedder = embedder.filter(|e| {
            vectors.as_ref().is_some_and(|(set, _)| set.model() == e.model_name() && set.dims() == e.dimensions())
        });
        let changed: Vec<Paper> = updated
            .iter()
            .filter(|(before, after)| before.content_hash() != after.content_hash())
            .map(|(before, after)| {
                lag.changed(Some(before), Some(after));
                after.clone()
            })
            .collect();
        if let Some((set, _)) = vectors.as_mut() {
            report.vectors_removed = removed.iter().map(|id| set.delete_paper(id)).sum();
            let embedded = match embedder {
                // Passages keep their stored vectors only when today's rules cut them.
                Some(embedder) if !changed.is_empty() => {
                    let stored = if payload.chunking == Some(paperdex_embed::CHUNKING_VERSION) {
                        self.stored_passage_vectors(set, &changed)
                    } else {
                        StoredVectors::new()
                    };
                    Some(embed_now(embedder, &changed, &stored, observer)?)
                }
                _ => None,
            };
            for paper in &changed {
                set.delete_paper(paper.id.as_str());
            }
            match embedded {
                Some(embedded) => {
                    for (paper, passages) in changed.iter().zip(embedded) {
                        report.chunks_embedded += push_passages(set, &self.root, paper.id.as_str(), passages)?.0;
                    }
                }
                None => report.papers_unembedded = changed.len(),
            }
        }
        let replace: Vec<&Paper> = updated.iter().map(|(_, after)| after).collect();
        let deleted: Vec<&str> = removed.iter().map(String::as_str).collect();
        let lexicon = self.lexicon_write(&payload, lag, embedder.is_some());
        if let LexiconWrite::Learn(because) = lexicon {
            report.lexicon_learned_because = Some(because.to_string());
            observer.learning_lexicon();
        }
        (report.graphs_rebuilt, report.generation) = self
            .commit_removal(&payload, vectors, &replace, &deleted, embedder, lexicon)
            .map_err(|error| crate::error::with_full_disk_named(&self.root, error))?;
        report.removed = removed;
        report.removed.sort();
        report.updated = updated.iter().map(|(_, after)| after.id.to_string()).collect();
        report.updated.sort();
        report.papers_total = self.len();
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Learns the lexicon without `deleted` and with `replace` (or keeps it, as `lexicon`
    /// says), and commits both and `vectors` as the next generation: whether the graphs were
    /// rebuilt, and the generation. The other vectors stay as they were cut.
    fn commit_removal(
        &self,
        payload: &crate::generation::CommitPayload,
        mut vectors: Option<(crate::vectors::VectorSet, crate::vectors::HnswSearch)>,
        replace: &[&Paper],
        deleted: &[&str],
        embedder: Option<&dyn Embedder>,
        lexicon: LexiconWrite,
    ) -> Result<(bool, Option<u64>)> {
        let lexicon = self.next_lexicon(payload.generation + 1, payload, lexicon, replace, deleted, embedder)?;
        let committed = self.commit_generation(
            payload.generation + 1,
            vectors.as_mut(),
            replace,
            deleted,
            lexicon,
            payload.chunking,
        )?;
        self.finish_write(vectors)?;
        Ok((committed.graphs.is_some_and(|g| g.rebuilt), Some(committed.payload.generation)))
    }
}

/// `papers`' passages, embedded on a thread of their own as an ingest embeds them (each
/// passage in `stored` keeps its vector), with progress told to `observer`.
fn embed_now(
    embedder: &dyn Embedder,
    papers: &[Paper],
    stored: &StoredVectors,
    observer: &mut dyn IngestObserver,
) -> Result<Vec<crate::ingest::PassageVectors>> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Embedded>(64);
    let mut progress = EmbedProgress::new(papers.len(), 0);
    observer.writing(papers.len());
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let papers: Vec<&Paper> = papers.iter().collect();
            embed_papers(embedder, &papers, stored, &sender);
        });
        receive_batch(&receiver, &mut progress, observer)
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use paperdex_core::{Lang, PaperId, Record, Section, SectionKind, Source, SourceFormat};
    use paperdex_embed::HashEmbedder;

    use crate::ingest::Quiet;
    use crate::paper_index::PaperIndex;
    use crate::{SearchMode, SearchRequest};

    fn listed(id: &str, path: &str, format: SourceFormat, text: &str) -> Record {
        let mut record = Record::new(PaperId::parse(id).expect("id"), Source { path: path.into(), format, date: None });
        record.title = Some(format!("Paper {id}"));
        record.sections.push(Section::new(SectionKind::Abstract, text));
        record
    }

    fn found(index: &PaperIndex, query: &str) -> Vec<String> {
        let request = SearchRequest::new(query).mode(SearchMode::Bm25);
        index.search_bm25(&request).expect("search").hits.into_iter().map(|h| h.id).collect()
    }

    /// A day's dump ingested from `inbox/`, then moved to `archive/` and corrected there: the
    /// index held both copies (the old text still found) until the old path is taken back.
    #[test]
    fn a_moved_files_old_path_is_taken_back_and_the_papers_keep_what_other_files_say() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        let model = HashEmbedder::new(32);
        let old = "/gone/inbox/2026-02-05.json";
        let hf = SourceFormat::HfDailyApi;
        let records = vec![
            listed("2602.02958", old, hf, "Quantising the KV cache of video diffusion models, with a typo."),
            listed("2602.04705", old, hf, "A report on zeppelins."),
            listed("2602.02958", "/gone/archive/2026-02-05.json", hf, "Quantizing the KV cache of video models."),
            listed("2602.02958", "/r/2026-02-05.md", SourceFormat::DailyReport, "提出了 2 比特 KV 缓存量化方法"),
            listed("2602.03560", "/r/2026-02-05.md", SourceFormat::DailyReport, "稀疏注意力"),
        ];
        index.ingest_records(records, Some(&model), &mut Quiet).expect("ingest");
        assert_eq!(found(&index, "zeppelins"), ["2602.04705"]);
        let chinese_vectors = |index: &PaperIndex| -> Vec<Vec<f32>> {
            let vectors = index.vectors().expect("vectors");
            vectors.set.live_chunks_of("2602.02958").filter(|c| c.lang == Lang::Zh).map(|c| c.vector.to_vec()).collect()
        };
        let before = chinese_vectors(&index);

        // The folder is gone from disk: its path is still what the records name.
        let report = index.remove_sources(&[Path::new("/gone/inbox"), Path::new("/nowhere")], Some(&model), &mut Quiet);
        let report = report.expect("remove");
        assert_eq!(report.sources, [old]);
        assert_eq!(
            (report.removed.as_slice(), report.updated.as_slice()),
            (&["2602.04705".to_string()][..], &["2602.02958".to_string()][..])
        );
        assert_eq!(report.unknown, ["/nowhere"]);
        assert_eq!(report.papers_total, 2);
        assert!(found(&index, "zeppelins").is_empty());
        assert!(found(&index, "typo").is_empty(), "the old text is no longer found");
        assert_eq!(found(&index, "quantizing"), ["2602.02958"], "what the other files say is");
        let paper = index.paper("2602.02958").expect("kept");
        assert!(paper.records.iter().all(|r| !r.source.path.starts_with("/gone/inbox")), "{:?}", paper.records);
        // Its unchanged Chinese passage kept its vector; every paper's vectors are its passages.
        assert_eq!(chinese_vectors(&index), before);
        assert!(index.consistency_report().expect("report").agrees());

        // Without a model a paper whose text changed keeps no stale vector: it has none until
        // an ingest with the model.
        let records =
            vec![listed("2602.03560", "/d/a.json", SourceFormat::HfDailyApi, "Sparse attention for long contexts.")];
        index.ingest_records(records, Some(&model), &mut Quiet).expect("ingest");
        let report = index.remove_sources(&[Path::new("/d/a.json")], None, &mut Quiet).expect("remove");
        assert_eq!((report.updated.as_slice(), report.papers_unembedded), (&["2602.03560".to_string()][..], 1));
        let vectors = index.vectors().expect("vectors");
        assert_eq!(vectors.set.live_chunks_of("2602.03560").count(), 0);
        assert_eq!(index.consistency_report().expect("report").missing_vectors, ["2602.03560"]);

        // Nothing left to take back: nothing is written.
        let again = index.remove_sources(&[Path::new(old)], Some(&model), &mut Quiet).expect("remove");
        assert_eq!((again.generation, again.unknown.as_slice()), (None, &[old.to_string()][..]));
    }
}
