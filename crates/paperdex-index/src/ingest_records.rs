//! Ingest of records made in memory, and the merge-and-write path every ingest shares.
//!
//! [`PaperIndex::ingest`] parses files into records; a caller that already has records (an
//! evaluation harness building an index of a test collection, say) hands them to
//! [`PaperIndex::ingest_records`]. Both end in [`PaperIndex::merge_and_write`]: records are
//! merged into the papers the index holds, and only papers that changed are written.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use paperdex_core::{Paper, PaperId, Record};
use paperdex_embed::Embedder;

use crate::error::Result;
use crate::ingest::{IngestObserver, IngestReport};
use crate::lock::WriterLock;
use crate::paper_index::PaperIndex;

/// A paper as the index had it before this ingest, and as it is now.
struct Touched {
    before: Option<Paper>,
    now: Paper,
}

impl PaperIndex {
    /// Merges `records` into the papers of this index and commits the changes, as
    /// [`PaperIndex::ingest`] does with the records it parses from files. Records of one id
    /// from the same `source.path` and format replace each other, so ingesting the same
    /// records twice changes nothing.
    pub fn ingest_records(
        &self,
        records: Vec<Record>,
        embedder: Option<&dyn Embedder>,
        observer: &mut dyn IngestObserver,
    ) -> Result<IngestReport> {
        let started = Instant::now();
        let _lock = WriterLock::acquire(&self.root)?;
        let mut report = IngestReport { records: records.len(), ..IngestReport::default() };
        self.merge_and_write(records, embedder, observer, &mut report)?;
        report.papers_total = self.len();
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Merges `records` into the papers they name, counts new, updated and unchanged papers
    /// into `report`, and writes the changed ones. The caller holds the writer lock.
    pub(crate) fn merge_and_write(
        &self,
        records: impl IntoIterator<Item = Record>,
        embedder: Option<&dyn Embedder>,
        observer: &mut dyn IngestObserver,
        report: &mut IngestReport,
    ) -> Result<()> {
        let searcher = self.searcher();
        let mut touched: HashMap<PaperId, Touched> = HashMap::new();
        for record in records {
            let entry = match touched.entry(record.id.clone()) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let before = self.paper_in(&searcher, &record.id)?;
                    let now = before.clone().unwrap_or_else(|| Paper { id: record.id.clone(), records: Vec::new() });
                    e.insert(Touched { before, now })
                }
            };
            entry.now.merge(record);
        }

        let mut changed: Vec<&Paper> = Vec::new();
        let mut text_changed: HashSet<&PaperId> = HashSet::new();
        for t in touched.values() {
            match &t.before {
                None => report.papers_new += 1,
                Some(before) if *before != t.now => report.papers_updated += 1,
                Some(_) => {
                    report.papers_unchanged += 1;
                    continue;
                }
            }
            if t.before.as_ref().is_none_or(|b| b.content_hash() != t.now.content_hash()) {
                text_changed.insert(&t.now.id);
            }
            changed.push(&t.now);
        }
        // Postings made by an older analysis are rebuilt from the stored papers, so a query
        // analysed the new way finds them (their text, and so their vectors, did not change).
        let stale_postings = if self.committed_payload()?.analysis != crate::analysis::ANALYSIS_VERSION {
            let touched_ids: HashSet<&PaperId> = touched.keys().collect();
            self.papers()?.into_iter().filter(|p| !touched_ids.contains(&p.id)).collect()
        } else {
            Vec::new()
        };
        changed.extend(stale_postings.iter());
        changed.sort_by(|a, b| a.id.cmp(&b.id));
        drop(searcher);
        self.write(&changed, &text_changed, embedder, observer, report)
    }
}

#[cfg(test)]
mod tests {
    use paperdex_core::{PaperId, Record, Section, SectionKind, Source, SourceFormat};

    use crate::ingest::Quiet;
    use crate::paper_index::PaperIndex;

    fn record(number: u32, text: &str) -> Record {
        let id = PaperId::parse(&format!("cacm/{number:07}")).expect("old-style id");
        let source = Source { path: "/c/cacm.all".into(), format: SourceFormat::PaperMarkdown, date: None };
        let mut record = Record::new(id, source);
        record.title = Some(format!("Paper {number}"));
        record.sections.push(Section::new(SectionKind::Abstract, text));
        record
    }

    #[test]
    fn records_made_in_memory_are_indexed_once_and_then_unchanged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        let records = vec![record(1, "sorting"), record(42, "compilers")];
        let first = index.ingest_records(records.clone(), None, &mut Quiet).expect("ingest");
        assert_eq!((first.records, first.papers_new, first.papers_total), (2, 2, 2));
        let again = index.ingest_records(records, None, &mut Quiet).expect("ingest again");
        assert_eq!((again.papers_new, again.papers_unchanged, again.papers_total), (0, 2, 2));
        let edited = index.ingest_records(vec![record(42, "optimising compilers")], None, &mut Quiet).expect("edit");
        assert_eq!(edited.papers_updated, 1);
        assert_eq!(index.paper("cacm/0000042").expect("stored").sections()[0].text, "optimising compilers");
    }

    #[test]
    fn postings_of_an_older_analysis_are_rebuilt_by_the_next_ingest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        index.ingest_records(vec![record(1, "sorting"), record(2, "parsing")], None, &mut Quiet).expect("ingest");
        let sorting = || {
            let request = crate::SearchRequest::new("sorting").mode(crate::SearchMode::Bm25);
            index.search_bm25(&request).expect("search").hits.into_iter().map(|h| h.id).collect::<Vec<_>>()
        };
        assert_eq!(sorting(), vec!["cacm/0000001"]);
        // Pretend paper 1's postings came from analysis version 0, which did not produce the
        // terms today's analyzer produces: the stored paper is there, its postings are not.
        let paper = index.paper("cacm/0000001").expect("stored");
        let mut stale = tantivy::TantivyDocument::default();
        stale.add_text(index.fields.id, paper.id.as_str());
        stale.add_text(index.fields.paper, serde_json::to_string(&paper).expect("json"));
        let mut writer: tantivy::IndexWriter = index.index.writer(15_000_000).expect("writer");
        writer.delete_term(tantivy::Term::from_field_text(index.fields.id, paper.id.as_str()));
        writer.add_document(stale).expect("add");
        let mut prepared = writer.prepare_commit().expect("prepare");
        prepared.set_payload(r#"{"generation":1,"vectors":null,"analysis":0}"#);
        prepared.commit().expect("commit");
        drop(writer);
        index.reload().expect("reload");
        assert!(sorting().is_empty(), "the stale postings do not find it");

        let report = index.ingest_records(vec![record(3, "hashing")], None, &mut Quiet).expect("ingest");
        assert_eq!((report.papers_new, report.papers_unchanged, report.papers_total), (1, 0, 3));
        assert_eq!(index.committed_payload().expect("payload").analysis, crate::analysis::ANALYSIS_VERSION);
        assert_eq!(sorting(), vec!["cacm/0000001"], "rebuilt from the stored paper");
    }
}
