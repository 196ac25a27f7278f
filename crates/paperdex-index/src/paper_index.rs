//! [`PaperIndex`]: one index folder, opened for reading and (under a lock) for writing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use paperdex_core::{Paper, PaperId};
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analysis;
use crate::error::{IndexError, Result};
use crate::generation::{self, CommitPayload, Vectors};
use crate::lexicon::{Lexicon, LexiconEntry};
use crate::schema::Fields;

/// The sub-folder holding the tantivy index.
const TANTIVY_DIR: &str = "tantivy";

/// An index folder: BM25 postings and the paper store (tantivy) and the vectors of the current
/// generation.
pub struct PaperIndex {
    pub(crate) root: PathBuf,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// The vectors of the generation last loaded; swapped whole when a new one is committed.
    vectors: RwLock<Option<Arc<Vectors>>>,
    /// The bilingual lexicon of the generation last loaded, with the folder's glossary.
    lexicon: RwLock<Arc<Lexicon>>,
    /// A glossary given for the next write, stored with its lexicon (see
    /// [`PaperIndex::with_glossary`]).
    pub(crate) glossary: Option<Vec<LexiconEntry>>,
    /// How many papers a long ingest writes per generation (see
    /// [`PaperIndex::with_papers_per_generation`]).
    pub(crate) papers_per_generation: usize,
}

/// Papers per generation during a long ingest unless set otherwise: a crash loses at most this
/// many papers' work.
pub const PAPERS_PER_GENERATION: usize = 1000;

/// Figures about an index, for `paperdex stats` and `/healthz`.
#[derive(Debug, Clone, Serialize)]
pub struct IndexStats {
    /// The index folder.
    pub path: String,
    /// Number of papers.
    pub papers: u64,
    /// Papers per language of their text (a paper with both counts in both).
    pub papers_by_language: BTreeMap<String, u64>,
    /// Papers per source format (a paper from several formats counts in each).
    pub papers_by_format: BTreeMap<String, u64>,
    /// Distinct source files that contributed.
    pub source_files: u64,
    /// Papers that have vectors (the rest are found by keywords only).
    pub papers_with_vectors: u64,
    /// Live passage vectors.
    pub vectors: u64,
    /// The embedding model of the vectors.
    pub vector_model: Option<String>,
    /// The current generation number.
    pub generation: u64,
    /// The earliest and latest paper date.
    pub date_range: Option<(String, String)>,
    /// Bytes on disk.
    pub disk_bytes: u64,
}

impl PaperIndex {
    /// Opens the index at `root`, creating an empty one when the folder has none.
    pub fn open_or_create(root: impl AsRef<Path>) -> Result<PaperIndex> {
        let root = root.as_ref().to_path_buf();
        let tantivy_dir = root.join(TANTIVY_DIR);
        fs::create_dir_all(&tantivy_dir).map_err(IndexError::io(&tantivy_dir))?;
        let (schema, _) = Fields::build();
        let directory = tantivy::directory::MmapDirectory::open(&tantivy_dir)
            .map_err(|e| IndexError::Corrupt { path: root.clone(), reason: e.to_string() })?;
        let index = Index::open_or_create(directory, schema)
            .map_err(|e| IndexError::Corrupt { path: root.clone(), reason: e.to_string() })?;
        Self::from_index(root, index)
    }

    /// Opens an existing index at `root`; a missing index is an error naming the folder.
    pub fn open(root: impl AsRef<Path>) -> Result<PaperIndex> {
        let root = root.as_ref().to_path_buf();
        let tantivy_dir = root.join(TANTIVY_DIR);
        if !tantivy_dir.join("meta.json").exists() {
            return Err(IndexError::Corrupt {
                path: root,
                reason: "no index here yet: run `paperdex ingest PATH...` first".into(),
            });
        }
        let index = Index::open_in_dir(&tantivy_dir)
            .map_err(|e| IndexError::Corrupt { path: root.clone(), reason: e.to_string() })?;
        Self::from_index(root, index)
    }

    fn from_index(root: PathBuf, index: Index) -> Result<PaperIndex> {
        analysis::register(&index);
        let fields = Fields::from_schema(&index.schema())
            .map_err(|e| IndexError::Corrupt { path: root.clone(), reason: format!("unexpected schema: {e}") })?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        let paper_index = PaperIndex {
            root,
            index,
            reader,
            fields,
            vectors: RwLock::new(None),
            lexicon: RwLock::new(Arc::new(Lexicon::default())),
            glossary: None,
            papers_per_generation: PAPERS_PER_GENERATION,
        };
        paper_index.refresh_vectors()?;
        // Jieba loads its dictionary on first use; do it now rather than in the first query.
        crate::analysis::analyze(&mut crate::analysis::word_analyzer(), "预热 warm up");
        Ok(paper_index)
    }

    /// The same index, committing every `papers` papers during a long ingest instead of every
    /// [`PAPERS_PER_GENERATION`]. Smaller generations lose less work to a crash and cost a
    /// vector write each; tests use them to get many commits out of a small ingest.
    pub fn with_papers_per_generation(mut self, papers: usize) -> PaperIndex {
        self.papers_per_generation = papers.max(1);
        self
    }

    /// What the latest commit on disk says about its generation.
    pub(crate) fn committed_payload(&self) -> Result<CommitPayload> {
        let metas = self.index.load_metas()?;
        Ok(CommitPayload::parse(metas.payload.as_deref()))
    }

    /// The generation number of the latest commit (cheap: reads `meta.json` only).
    pub fn generation(&self) -> Result<u64> {
        Ok(self.committed_payload()?.generation)
    }

    /// Loads the vectors of the latest commit if they are not the ones loaded already. Cheap
    /// when nothing changed (one small file read); a server calls it now and then to pick up
    /// what an ingest committed.
    pub fn refresh_vectors(&self) -> Result<()> {
        self.refresh_lexicon();
        // A writer removes a generation's folder as soon as it has committed the next one, so
        // the folder named a moment ago may be gone by the time it is read: when loading fails
        // and the commit has moved on meanwhile, load the newer one instead.
        let mut attempts = 0;
        let fresh = loop {
            let wanted = self.committed_payload()?.vectors;
            if wanted == self.vectors().map(|v| v.name.clone()) {
                return Ok(());
            }
            let Some(name) = wanted else { break None };
            match generation::load(&self.root, &name) {
                Ok(vectors) => break Some(Arc::new(vectors)),
                Err(_) if attempts < 10 && self.committed_payload()?.vectors.as_deref() != Some(name.as_str()) => {
                    attempts += 1;
                }
                Err(error) => return Err(error),
            }
        };
        // Postings first: a paper new in the vectors is then already in tantivy. (Searches
        // also skip a paper one side knows and the other not, for a searcher taken between.)
        self.reload()?;
        if let Ok(mut slot) = self.vectors.write() {
            *slot = fresh;
        }
        Ok(())
    }

    /// The vectors of the current generation, if it has any.
    pub fn vectors(&self) -> Option<Arc<Vectors>> {
        self.vectors.read().ok().and_then(|v| v.clone())
    }

    /// The bilingual lexicon of the current generation (empty when it has none).
    pub fn lexicon(&self) -> Arc<Lexicon> {
        self.lexicon.read().map(|l| l.clone()).unwrap_or_default()
    }

    /// The same index, storing `glossary` (term pairs from [`crate::lexicon::read_glossary`])
    /// with the lexicon of the next ingest: it adds to and overrides the learned pairs, and
    /// later ingests keep it until another glossary is given.
    pub fn with_glossary(mut self, glossary: Vec<LexiconEntry>) -> PaperIndex {
        self.glossary = Some(glossary);
        self
    }

    /// Loads the lexicon of the latest commit, and the folder's glossary, when either changed.
    /// A lexicon that cannot be read is reported and searches go on without it.
    pub(crate) fn refresh_lexicon(&self) {
        let wanted = match self.committed_payload() {
            Ok(payload) => payload.lexicon,
            Err(_) => return,
        };
        let loaded = self.lexicon();
        if loaded.name == wanted && loaded.glossary_modified == crate::lexicon::glossary_modified(&self.root) {
            return;
        }
        let fresh = match crate::lexicon::load(&self.root, wanted.as_deref()) {
            Ok(lexicon) => lexicon,
            Err(error) => {
                tracing::warn!(%error, "cannot load the bilingual lexicon; searching without it");
                Lexicon::new(wanted, Default::default(), Vec::new())
            }
        };
        if let Ok(mut slot) = self.lexicon.write() {
            *slot = Arc::new(fresh);
        }
    }

    pub(crate) fn set_vectors(&self, vectors: Option<Arc<Vectors>>) {
        if let Ok(mut slot) = self.vectors.write() {
            *slot = vectors;
        }
    }

    /// The index folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A searcher over the latest committed generation.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Makes the latest commit visible now (readers otherwise pick it up within a moment).
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// Number of papers.
    pub fn len(&self) -> u64 {
        self.searcher().num_docs()
    }

    /// Whether the index holds no paper.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The paper with `id` as the searcher sees it, if any.
    pub fn paper_in(&self, searcher: &Searcher, id: &PaperId) -> Result<Option<Paper>> {
        match self.address_in(searcher, id)? {
            Some(address) => self.paper_at(searcher, address).map(Some),
            None => Ok(None),
        }
    }

    /// The paper with `id`.
    pub fn paper(&self, id: &str) -> Result<Paper> {
        let parsed = PaperId::parse(id).ok_or_else(|| IndexError::PaperNotFound(id.to_string()))?;
        self.paper_in(&self.searcher(), &parsed)?.ok_or_else(|| IndexError::PaperNotFound(id.to_string()))
    }

    /// The paper with `id` as the searcher sees it; an error when it is not there.
    pub(crate) fn paper_by_id_in(&self, searcher: &Searcher, id: &str) -> Result<Paper> {
        let parsed = PaperId::parse(id).ok_or_else(|| IndexError::PaperNotFound(id.to_string()))?;
        self.paper_in(searcher, &parsed)?.ok_or_else(|| IndexError::PaperNotFound(id.to_string()))
    }

    /// The id of the paper at `address`, read from the fast field (no stored-document read).
    pub(crate) fn id_at(&self, searcher: &Searcher, address: DocAddress) -> Result<String> {
        let segment = searcher.segment_reader(address.segment_ord);
        let column = segment.fast_fields().str("id")?.ok_or_else(|| IndexError::Corrupt {
            path: self.root.clone(),
            reason: "the id fast field is missing".into(),
        })?;
        let mut id = String::new();
        if let Some(ord) = column.term_ords(address.doc_id).next() {
            column.ord_to_str(ord, &mut id).map_err(IndexError::io(&self.root))?;
        }
        Ok(id)
    }

    pub(crate) fn address_in(&self, searcher: &Searcher, id: &PaperId) -> Result<Option<DocAddress>> {
        let query = TermQuery::new(Term::from_field_text(self.fields.id, id.as_str()), IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        Ok(top.first().map(|(_, address)| *address))
    }

    pub(crate) fn paper_at(&self, searcher: &Searcher, address: DocAddress) -> Result<Paper> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let json = doc.get_first(self.fields.paper).and_then(|v| v.as_str()).ok_or_else(|| IndexError::Corrupt {
            path: self.root.clone(),
            reason: format!("document {address:?} has no stored paper"),
        })?;
        serde_json::from_str(json).map_err(|e| IndexError::Corrupt {
            path: self.root.clone(),
            reason: format!("stored paper {address:?} does not parse: {e}"),
        })
    }

    /// Every paper, in index order.
    pub fn papers(&self) -> Result<Vec<Paper>> {
        let searcher = self.searcher();
        let mut papers = Vec::with_capacity(searcher.num_docs() as usize);
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            let alive = segment.alive_bitset();
            for doc in 0..segment.max_doc() {
                if alive.is_none_or(|bits| bits.is_alive(doc)) {
                    papers.push(self.paper_at(&searcher, DocAddress::new(ordinal as u32, doc))?);
                }
            }
        }
        Ok(papers)
    }

    /// Figures about the index.
    pub fn stats(&self) -> Result<IndexStats> {
        let papers = self.papers()?;
        let mut by_language = BTreeMap::new();
        let mut by_format = BTreeMap::new();
        let mut files = std::collections::HashSet::new();
        let (mut first, mut last): (Option<String>, Option<String>) = (None, None);
        for paper in &papers {
            for lang in paper.languages() {
                *by_language.entry(lang.code().to_string()).or_insert(0) += 1;
            }
            let mut formats: Vec<_> = paper.records.iter().map(|r| r.source.format.label()).collect();
            formats.sort_unstable();
            formats.dedup();
            for format in formats {
                *by_format.entry(format.to_string()).or_insert(0) += 1;
            }
            files.extend(paper.records.iter().map(|r| r.source.path.as_str()));
            if let Some(date) = paper.date() {
                if first.as_deref().is_none_or(|f| date < f) {
                    first = Some(date.to_string());
                }
                if last.as_deref().is_none_or(|l| date > l) {
                    last = Some(date.to_string());
                }
            }
        }
        let vectors = self.vectors();
        Ok(IndexStats {
            path: self.root.display().to_string(),
            papers: papers.len() as u64,
            papers_with_vectors: vectors
                .as_ref()
                .map_or(0, |v| v.set.live_papers().collect::<std::collections::HashSet<_>>().len() as u64),
            vectors: vectors.as_ref().map_or(0, |v| v.set.live_len() as u64),
            vector_model: vectors.as_ref().map(|v| v.set.model().to_string()),
            generation: self.committed_payload()?.generation,
            papers_by_language: by_language,
            papers_by_format: by_format,
            source_files: files.len() as u64,
            date_range: first.zip(last),
            disk_bytes: dir_size(&self.root),
        })
    }
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(path) else { return 0 };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => dir_size(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .sum()
}
