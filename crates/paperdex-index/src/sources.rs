//! The files papers came from, found through the postings: each paper's document indexes the
//! path of every file it has a record from ([`crate::schema::Fields::source_paths`], one raw
//! term a path), so the papers of a file are one term's postings and the files under a
//! folder one range of the field's terms, without reading the stored papers.

use std::collections::BTreeSet;

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use crate::error::Result;
use crate::paper_index::PaperIndex;

impl PaperIndex {
    /// The documents of the papers holding a record from `file` (a path as the index names
    /// it), in address order.
    pub(crate) fn documents_from(&self, searcher: &Searcher, file: &str) -> Result<Vec<DocAddress>> {
        let term = Term::from_field_text(self.fields.source_paths, file);
        let holding = searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &DocSetCollector)?;
        Ok(holding.into_iter().collect())
    }

    /// The files under `folder` (a path as the index names it) that records were read from,
    /// in path order; some may be held only by deleted documents, which hold no paper.
    pub(crate) fn files_under(&self, searcher: &Searcher, folder: &str) -> Result<BTreeSet<String>> {
        // Every path under the folder begins with it and a `/`, and sorts below it and a `0`.
        let start = format!("{}/", folder.trim_end_matches('/'));
        let mut end = start.clone().into_bytes();
        if let Some(last) = end.last_mut() {
            *last += 1;
        }
        let mut paths = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let postings = segment.inverted_index(self.fields.source_paths)?;
            let mut terms = postings
                .terms()
                .range()
                .ge(start.as_bytes())
                .lt(&end)
                .into_stream()
                .map_err(tantivy::TantivyError::from)?;
            while terms.advance() {
                if let Ok(path) = std::str::from_utf8(terms.key()) {
                    paths.insert(path.to_string());
                }
            }
        }
        Ok(paths)
    }

    /// The documents of the papers holding a record from `path` or from a file under it, in
    /// address order, each once.
    pub(crate) fn documents_from_or_under(&self, searcher: &Searcher, path: &str) -> Result<Vec<DocAddress>> {
        let mut documents = self.documents_from(searcher, path)?;
        for file in self.files_under(searcher, path)? {
            documents.extend(self.documents_from(searcher, &file)?);
        }
        documents.sort();
        documents.dedup();
        Ok(documents)
    }
}
