//! Bringing an index written with an older schema up to this build's, without re-embedding.
//!
//! tantivy's schema is fixed when an index is created, so a field added to [`Fields`] (the
//! filters' fields, say) cannot appear in an existing index. Opening such an index rebuilds its
//! postings from the papers it stores, into `tantivy.upgrade/`, with the same commit record:
//! the vectors and the lexicon of the current generation are kept as they are (the expensive
//! part, an hour of embedding for the whole corpus, is never redone). The swap is crash-safe:
//!
//! 1. `tantivy.upgrade/` is built and committed, then marked complete (`UPGRADE_COMPLETE`);
//! 2. `tantivy/` is renamed `tantivy.old/`, and `tantivy.upgrade/` renamed `tantivy/`;
//! 3. `tantivy.old/` is removed.
//!
//! Whatever step a crash interrupts, the next open finishes it ([`finish_interrupted`]): a
//! complete upgrade is moved in, an incomplete one is dropped (and redone), the old postings
//! come back if nothing replaced them.

use std::fs;
use std::path::Path;

use paperdex_core::Paper;
use tantivy::schema::{Schema, Value};
use tantivy::{DocAddress, Index, TantivyDocument};

use crate::error::{IndexError, Result};
use crate::generation::CommitPayload;
use crate::lock::WriterLock;
use crate::schema::Fields;

/// The live tantivy folder (as in `paper_index.rs`).
const LIVE: &str = "tantivy";
/// Where an upgrade builds the new postings.
const NEXT: &str = "tantivy.upgrade";
/// Where the old postings wait while the new ones move in.
const OLD: &str = "tantivy.old";
/// Written into [`NEXT`] once its commit is durable: only then may it replace [`LIVE`].
const COMPLETE: &str = "UPGRADE_COMPLETE";

/// Upgrades the index at `root` when its schema is not this build's; finishes an upgrade a
/// crash interrupted. Cheap when there is nothing to do (reads `meta.json`).
pub(crate) fn upgrade_if_needed(root: &Path) -> Result<()> {
    finish_interrupted(root)?;
    let live = root.join(LIVE);
    if !live.join("meta.json").exists() {
        return Ok(());
    }
    let (schema, fields) = Fields::build();
    let old = Index::open_in_dir(&live).map_err(|e| corrupt(root, crate::error::in_brief(&e)))?;
    if same_schema(&old.schema(), &schema) {
        return Ok(());
    }
    let _lock = WriterLock::acquire(root)?;
    // Another process may have upgraded it while this one waited for nothing (the lock does
    // not wait): look again under the lock.
    let old = Index::open_in_dir(&live).map_err(|e| corrupt(root, crate::error::in_brief(&e)))?;
    if same_schema(&old.schema(), &schema) {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let papers = stored_papers(root, &old)?;
    tracing::warn!(
        papers = papers.len(),
        "index {} was written with an older schema: rebuilding its postings from the stored papers \
         (vectors and lexicon kept, nothing re-embedded)",
        root.display()
    );
    let payload = old.load_metas()?.payload;
    let mut record = CommitPayload::parse(payload.as_deref())
        .map_err(|error| IndexError::UnreadableCommit { path: live.join("meta.json"), reason: error.to_string() })?;
    // The postings are rebuilt with today's analysis, whatever the old ones used.
    record.analysis = crate::analysis::ANALYSIS_VERSION;
    drop(old);

    let next = root.join(NEXT);
    if next.exists() {
        fs::remove_dir_all(&next).map_err(IndexError::io(&next))?;
    }
    fs::create_dir_all(&next).map_err(IndexError::io(&next))?;
    let index = Index::create_in_dir(&next, schema).map_err(|e| corrupt(root, e))?;
    crate::analysis::register(&index);
    let mut writer: tantivy::IndexWriter = index.writer(crate::generation::WRITER_HEAP_BYTES)?;
    writer.set_merge_policy(Box::new(crate::generation::merge_policy()));
    for paper in &papers {
        let doc = fields.document(paper).map_err(|e| IndexError::Corrupt {
            path: root.to_path_buf(),
            reason: format!("paper {} cannot be stored again: {e}", paper.id),
        })?;
        writer.add_document(doc)?;
    }
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(&record).map_err(|e| corrupt(root, e))?);
    prepared.commit()?;
    writer.wait_merging_threads()?;
    drop(index);
    crate::generation::share_commit_files(&next);
    let marker = next.join(COMPLETE);
    fs::write(&marker, b"").map_err(IndexError::io(&marker))?;
    sync_dir(&next)?;
    swap_in(root)?;
    tracing::warn!("index {} upgraded in {:.1} s", root.display(), started.elapsed().as_secs_f64());
    Ok(())
}

/// Finishes or undoes whatever an interrupted upgrade left (see the module documentation).
fn finish_interrupted(root: &Path) -> Result<()> {
    let (live, next, old) = (root.join(LIVE), root.join(NEXT), root.join(OLD));
    let complete = next.join(COMPLETE).exists();
    if !live.join("meta.json").exists() {
        if complete {
            return swap_in(root);
        }
        if old.join("meta.json").exists() {
            if live.exists() {
                fs::remove_dir_all(&live).map_err(IndexError::io(&live))?;
            }
            fs::rename(&old, &live).map_err(IndexError::io(&old))?;
        }
    }
    if next.exists() && live.join("meta.json").exists() && !complete {
        fs::remove_dir_all(&next).map_err(IndexError::io(&next))?;
    }
    if complete && live.join("meta.json").exists() {
        // Crashed after the new postings were complete but before the swap began.
        return swap_in(root);
    }
    if old.exists() && live.join("meta.json").exists() {
        fs::remove_dir_all(&old).map_err(IndexError::io(&old))?;
    }
    Ok(())
}

/// Steps 2 and 3: the complete upgrade replaces the live postings.
fn swap_in(root: &Path) -> Result<()> {
    let (live, next, old) = (root.join(LIVE), root.join(NEXT), root.join(OLD));
    if live.exists() {
        if old.exists() {
            fs::remove_dir_all(&old).map_err(IndexError::io(&old))?;
        }
        fs::rename(&live, &old).map_err(IndexError::io(&live))?;
    }
    fs::rename(&next, &live).map_err(IndexError::io(&next))?;
    let marker = live.join(COMPLETE);
    fs::remove_file(&marker).map_err(IndexError::io(&marker))?;
    sync_dir(root)?;
    if old.exists() {
        fs::remove_dir_all(&old).map_err(IndexError::io(&old))?;
    }
    Ok(())
}

/// Every paper stored in `index`, read with the index's own (older) schema.
fn stored_papers(root: &Path, index: &Index) -> Result<Vec<Paper>> {
    let field = index.schema().get_field("paper").map_err(|e| corrupt(root, e))?;
    let searcher = index.reader()?.searcher();
    let mut papers = Vec::with_capacity(searcher.num_docs() as usize);
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let alive = segment.alive_bitset();
        for doc in (0..segment.max_doc()).filter(|&doc| alive.is_none_or(|bits| bits.is_alive(doc))) {
            let address = DocAddress::new(ordinal as u32, doc);
            let stored: TantivyDocument = searcher.doc(address)?;
            let paper = stored
                .get_first(field)
                .and_then(|v| v.as_str())
                .map(serde_json::from_str::<Paper>)
                .transpose()
                .map_err(|e| IndexError::Corrupt {
                    path: root.to_path_buf(),
                    reason: format!("stored paper {address:?} does not parse: {e}"),
                })?;
            papers.extend(paper);
        }
    }
    Ok(papers)
}

/// Whether two schemas have the same fields with the same options.
fn same_schema(a: &Schema, b: &Schema) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

fn corrupt(root: &Path, error: impl std::fmt::Display) -> IndexError {
    IndexError::Corrupt { path: root.to_path_buf(), reason: error.to_string() }
}

/// Makes renames and new files in `dir` durable.
fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(IndexError::io(dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PaperIndex;
    use crate::ingest::Quiet;
    use paperdex_core::{PaperId, Record, Section, SectionKind, Source, SourceFormat};

    fn record(n: u32, text: &str) -> Record {
        let id = PaperId::parse(&format!("2601.{n:05}")).expect("id");
        let source =
            Source { path: "/d/day.md".into(), format: SourceFormat::DailyReport, date: Some("2026-01-05".into()) };
        let mut record = Record::new(id, source);
        record.title = Some(format!("Paper {n}"));
        record.sections.push(Section::new(SectionKind::Results, text));
        record
    }

    /// Writes an index whose schema lacks the filter fields, as the previous release did,
    /// with the stored papers and commit record the previous release wrote.
    fn write_older_index(root: &Path, papers: &[Paper]) {
        let (_, fields) = Fields::build();
        let mut builder = Schema::builder();
        let (new_schema, _) = Fields::build();
        for (_, entry) in new_schema.fields().take_while(|(_, e)| e.name() != "first_seen") {
            builder.add_field(entry.clone());
        }
        let live = root.join(LIVE);
        fs::create_dir_all(&live).expect("dir");
        let index = Index::create_in_dir(&live, builder.build()).expect("create");
        crate::analysis::register(&index);
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
        for paper in papers {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.id, paper.id.as_str());
            doc.add_text(fields.body, &paper.sections()[0].text);
            doc.add_text(fields.paper, serde_json::to_string(paper).expect("json"));
            writer.add_document(doc).expect("add");
        }
        let mut prepared = writer.prepare_commit().expect("prepare");
        prepared.set_payload(r#"{"generation":7,"vectors":null,"analysis":2,"lexicon":"gen-7.json"}"#);
        prepared.commit().expect("commit");
    }

    #[test]
    fn an_index_of_the_older_schema_is_upgraded_on_open_keeping_papers_and_commit_record() {
        let dir = tempfile::tempdir().expect("tempdir");
        let papers =
            vec![Paper::from_record(record(1, "MMLU accuracy 80%")), Paper::from_record(record(2, "faster decoding"))];
        write_older_index(dir.path(), &papers);
        let index = PaperIndex::open(dir.path()).expect("upgraded on open");
        // The writer's threads may store documents in another order: compare by id.
        let mut stored = index.papers().expect("papers");
        stored.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(stored, papers);
        let payload = index.committed_payload().expect("payload");
        assert_eq!((payload.generation, payload.lexicon.as_deref()), (7, Some("gen-7.json")));
        let request = crate::SearchRequest::new("MMLU").mode(crate::SearchMode::Bm25);
        let mut filtered = request.clone();
        filtered.filter.section = Some(paperdex_core::SectionGroup::Experiments);
        let hits = index.search_bm25(&filtered).expect("search").hits;
        assert_eq!(hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["2601.00001"]);
        for leftover in [NEXT, OLD] {
            assert!(!dir.path().join(leftover).exists(), "{leftover} left behind");
        }
        drop(index);
        // Opening again finds nothing to do, and writing works as ever.
        let index = PaperIndex::open_or_create(dir.path()).expect("reopen");
        index.ingest_records(vec![record(3, "MMLU again")], None, &mut Quiet).expect("ingest");
        assert_eq!(index.search_bm25(&filtered).expect("search").hits.len(), 2);
    }

    #[test]
    fn an_upgrade_interrupted_at_any_step_is_finished_or_undone_by_the_next_open() {
        let papers = vec![Paper::from_record(record(1, "MMLU accuracy"))];
        // Each case: the folders a crash left behind.
        for step in ["built, not marked", "marked, not swapped", "live moved away", "new moved in"] {
            let dir = tempfile::tempdir().expect("tempdir");
            let root = dir.path();
            write_older_index(root, &papers);
            let upgraded = tempfile::tempdir().expect("tempdir");
            write_older_index(upgraded.path(), &papers);
            PaperIndex::open(upgraded.path()).expect("upgrade a copy");
            let copy = |to: &Path| {
                fs::create_dir_all(to).expect("dir");
                for entry in fs::read_dir(upgraded.path().join(LIVE)).expect("read") {
                    let entry = entry.expect("entry");
                    fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
                }
            };
            // A real index holds more than its postings: with `tantivy/` moved away, a lexicon
            // folder beside it must not make the open take `meta.json` for lost before the
            // interrupted upgrade is finished.
            fs::create_dir_all(root.join("lexicon")).expect("lexicon folder");
            fs::write(root.join("lexicon").join("gen-00000001.json"), b"{}").expect("a lexicon file");
            match step {
                "built, not marked" => copy(&root.join(NEXT)),
                "marked, not swapped" => {
                    copy(&root.join(NEXT));
                    fs::write(root.join(NEXT).join(COMPLETE), b"").expect("mark");
                }
                "live moved away" => {
                    copy(&root.join(NEXT));
                    fs::write(root.join(NEXT).join(COMPLETE), b"").expect("mark");
                    fs::rename(root.join(LIVE), root.join(OLD)).expect("move");
                }
                _ => {
                    fs::rename(root.join(LIVE), root.join(OLD)).expect("move");
                    copy(&root.join(LIVE));
                }
            }
            let index = PaperIndex::open(root).unwrap_or_else(|e| panic!("{step}: {e}"));
            assert_eq!(index.papers().expect("papers"), papers, "{step}");
            assert!(index.fields.section(paperdex_core::SectionGroup::Experiments).is_some());
            for leftover in [NEXT, OLD] {
                assert!(!root.join(leftover).exists(), "{step}: {leftover} left behind");
            }
        }
    }
}
