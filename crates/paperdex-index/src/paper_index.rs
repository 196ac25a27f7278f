//! [`PaperIndex`]: one index folder, opened for reading and (under a lock) for writing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use arc_swap::{ArcSwap, ArcSwapOption};

use paperdex_core::{Lang, Paper, PaperId};
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analysis;
use crate::error::{IndexError, Result};
use crate::generation::{self, CommitPayload, Vectors};
use crate::lexicon::{Lexicon, LexiconEntry};
use crate::read_only::ReadableDirectory;
use crate::schema::Fields;

/// The sub-folder holding the tantivy index.
pub(crate) const TANTIVY_DIR: &str = "tantivy";

/// An index folder: BM25 postings and the paper store (tantivy) and the vectors of the current
/// generation.
pub struct PaperIndex {
    pub(crate) root: PathBuf,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// The vectors of the generation last loaded; swapped whole when a new one is committed.
    /// Readers take the current `Arc` without a lock, so nothing a panic elsewhere leaves
    /// behind can make the vectors unreadable.
    vectors: ArcSwapOption<Vectors>,
    /// Why the latest commit's vectors could not be loaded, while they cannot: searches answer
    /// by keywords and say this.
    vectors_problem: ArcSwapOption<String>,
    /// Held while vectors load: one load at a time. Loading a large generation takes seconds;
    /// searches meanwhile keep the generation already loaded instead of starting a second
    /// load of the same folder.
    loading: Mutex<()>,
    /// The tantivy searcher generation whose commit's vectors were last checked
    /// ([`PaperIndex::refresh_vectors`]): a search checks again only when tantivy has seen a
    /// new commit, so the check needs no clock.
    checked: AtomicU64,
    /// How many papers have text, and the tantivy searcher generation counted
    /// ([`PaperIndex::papers_with_text`]).
    papers_with_text: Mutex<Option<(u64, u64)>>,
    /// Runs before each vector load (tests make loads slow or panic with it).
    #[cfg(test)]
    pub(crate) before_load: Mutex<Option<LoadHook>>,
    /// The bilingual lexicon of the generation last loaded, with the folder's glossary;
    /// swapped whole like the vectors.
    lexicon: ArcSwap<Lexicon>,
    /// A glossary given for the next write, stored with its lexicon (see
    /// [`PaperIndex::with_glossary`]).
    pub(crate) glossary: Option<Vec<LexiconEntry>>,
    /// How many papers a long ingest writes per generation (see
    /// [`PaperIndex::with_papers_per_generation`]).
    pub(crate) papers_per_generation: usize,
    /// When BM25 retrieval prunes (see [`PaperIndex::with_pruning`]).
    pub(crate) pruning: crate::search::Pruning,
}

/// What a test runs before each vector load, with the generation's name.
#[cfg(test)]
pub(crate) type LoadHook = Box<dyn Fn(&str) + Send + Sync>;

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
    /// Why the index's vectors could not be loaded (a damaged file, say): then the counts
    /// above are 0 and searches answer by keywords, but the index is not a keyword-only one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vectors_problem: Option<String>,
    /// The current generation number.
    pub generation: u64,
    /// The earliest and latest paper date (publication).
    pub date_range: Option<(String, String)>,
    /// The first day any paper was listed by a source and the last: whether today's digest is
    /// in.
    pub listed_range: Option<(String, String)>,
    /// Bytes on disk.
    pub disk_bytes: u64,
    /// Papers whose stored record cannot be read (damaged files): the figures above count
    /// the others.
    #[serde(skip_serializing_if = "is_zero")]
    pub unreadable_papers: u64,
    /// Why the first of them cannot be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl PaperIndex {
    /// Opens the index at `root`, creating an empty one when the folder has none.
    pub fn open_or_create(root: impl AsRef<Path>) -> Result<PaperIndex> {
        let root = root.as_ref().to_path_buf();
        check_folder(&root)?;
        let tantivy_dir = root.join(TANTIVY_DIR);
        fs::create_dir_all(&tantivy_dir).map_err(IndexError::io(&tantivy_dir))?;
        let (schema, _) = Fields::build();
        let directory = tantivy::directory::MmapDirectory::open(&tantivy_dir)
            .map_err(|e| IndexError::Corrupt { path: root.clone(), reason: e.to_string() })?;
        let index = Index::open_or_create(ReadableDirectory::new(directory), schema)
            .map_err(|e| IndexError::Corrupt { path: root.clone(), reason: crate::error::in_brief(&e) })?;
        Self::from_index(root, index)
    }

    /// Opens an existing index at `root`; a missing index is an error naming the folder.
    pub fn open(root: impl AsRef<Path>) -> Result<PaperIndex> {
        let root = root.as_ref().to_path_buf();
        check_folder(&root)?;
        let tantivy_dir = root.join(TANTIVY_DIR);
        if !tantivy_dir.join("meta.json").exists() {
            return Err(IndexError::NoIndex { path: root });
        }
        // A file this user may not read is said as such, not as damage (the advice for damage
        // is to build the index again): an index another user wrote before its commit files
        // were shared (`generation::share_commit_files`).
        for name in ["meta.json", ".managed.json"] {
            let path = tantivy_dir.join(name);
            if let Err(error) = fs::File::open(&path)
                && error.kind() == std::io::ErrorKind::PermissionDenied
            {
                return Err(IndexError::io(&path)(error));
            }
        }
        let index = tantivy::directory::MmapDirectory::open(&tantivy_dir)
            .map_err(|e| e.to_string())
            .and_then(|directory| {
                Index::open(ReadableDirectory::new(directory)).map_err(|e| crate::error::in_brief(&e))
            })
            .map_err(|reason| IndexError::Corrupt { path: root.clone(), reason })?;
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
            vectors: ArcSwapOption::empty(),
            vectors_problem: ArcSwapOption::empty(),
            loading: Mutex::new(()),
            checked: AtomicU64::new(u64::MAX),
            papers_with_text: Mutex::new(None),
            #[cfg(test)]
            before_load: Mutex::new(None),
            lexicon: ArcSwap::from_pointee(Lexicon::default()),
            glossary: None,
            papers_per_generation: PAPERS_PER_GENERATION,
            pruning: crate::search::Pruning::default(),
        };
        // Damaged or missing vectors (the load records why) leave keyword search, `show` and
        // the rest working; a commit record that does not read stops the open.
        if let Err(error) = paper_index.load_latest_vectors() {
            if paper_index.vectors_problem().is_none() {
                return Err(error);
            }
            tracing::warn!(%error, "the index's vectors cannot be loaded; searching by keywords only");
        }
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

    /// The same index, retrieving BM25 hits by `pruning` instead of [`Pruning::default`]
    /// (`Pruning::EXACT` scores every match, `Pruning::ALWAYS` prunes every query).
    ///
    /// [`Pruning::default`]: crate::search::Pruning::default
    pub fn with_pruning(mut self, pruning: crate::search::Pruning) -> PaperIndex {
        self.pruning = pruning;
        self
    }

    /// The folder of the tantivy index.
    pub(crate) fn tantivy_dir(&self) -> PathBuf {
        self.root.join(TANTIVY_DIR)
    }

    /// What the latest commit on disk says about its generation.
    pub(crate) fn committed_payload(&self) -> Result<CommitPayload> {
        let metas = self.index.load_metas()?;
        let unreadable = |reason: String| IndexError::UnreadableCommit {
            path: self.root.join(TANTIVY_DIR).join("meta.json"),
            reason,
        };
        // Only a new index, before its first commit, has no payload: read as generation 0
        // with no vectors, a commit that lost it would have the writer sweep every vector.
        if metas.payload.is_none() && !metas.segments.is_empty() {
            return Err(unreadable(format!(
                "it lists {} segments but no paperdex payload (generation, vectors, lexicon)",
                metas.segments.len()
            )));
        }
        CommitPayload::parse(metas.payload.as_deref()).map_err(|error| unreadable(error.to_string()))
    }

    /// The generation number of the latest commit (cheap: reads `meta.json` only).
    pub fn generation(&self) -> Result<u64> {
        Ok(self.committed_payload()?.generation)
    }

    /// Picks up the vectors of a generation another process committed, without waiting: cheap
    /// when tantivy has seen no new commit since the last check (no file is read), and when
    /// another thread is already loading vectors this returns at once and searches keep the
    /// generation loaded now. A server's searches call it (through
    /// [`crate::SearchEngine::refresh`]).
    pub fn refresh_vectors(&self) -> Result<()> {
        let seen = self.reader.searcher().generation().generation_id();
        if self.checked.load(Ordering::Acquire) == seen {
            // The folder's glossary is edited beside a running server, with no commit to
            // follow: its time of change is looked at on every search (one `stat`), and the
            // lexicon is loaded again with it when it moved.
            if self.lexicon().glossary_modified != crate::lexicon::glossary_modified(&self.root) {
                self.refresh_lexicon();
            }
            return Ok(());
        }
        let _turn = match self.loading.try_lock() {
            Ok(turn) => turn,
            Err(TryLockError::WouldBlock) => return Ok(()),
            Err(TryLockError::Poisoned(poisoned)) => self.recover_turn(poisoned.into_inner()),
        };
        // Checked before reading the commit: a commit landing meanwhile changes the
        // generation again, so it is never taken as seen without its vectors.
        let outcome = self.load_latest_locked();
        self.checked.store(seen, Ordering::Release);
        outcome
    }

    /// Loads the vectors of the latest commit unless they are the ones loaded, waiting for a
    /// load another thread has started. Opening the index and the consistency report use it.
    pub fn load_latest_vectors(&self) -> Result<()> {
        let _turn = match self.loading.lock() {
            Ok(turn) => turn,
            Err(poisoned) => self.recover_turn(poisoned.into_inner()),
        };
        self.load_latest_locked()
    }

    /// The loading turn after a thread panicked holding it. Loads run under `catch_unwind`,
    /// so this means a panic outside them; the lock guards no data, so loading can go on, but
    /// the panic is reported for what it is rather than hidden.
    fn recover_turn<'a>(&self, turn: MutexGuard<'a, ()>) -> MutexGuard<'a, ()> {
        tracing::error!("a thread panicked while loading vectors (see the panic message above); loading again");
        self.loading.clear_poison();
        turn
    }

    fn load_latest_locked(&self) -> Result<()> {
        // The lexicon belongs to the same commit as the vectors.
        self.refresh_lexicon();
        // A writer removes a generation's folder as soon as it has committed the next one, so
        // the folder named a moment ago may be gone by the time it is read: when loading fails
        // and the commit has moved on meanwhile, load the newer one instead.
        let mut attempts = 0;
        let fresh = loop {
            let payload = self.committed_payload()?;
            let wanted = payload.vectors;
            if wanted == self.vectors().map(|v| v.name.clone()) {
                return Ok(());
            }
            let Some(name) = wanted else { break None };
            match self.load_generation(&name, payload.vectors_checksum.as_deref()) {
                Ok(vectors) => break Some(Arc::new(vectors)),
                Err(_) if attempts < 10 && self.committed_payload()?.vectors.as_deref() != Some(name.as_str()) => {
                    attempts += 1;
                }
                Err(error) => {
                    self.vectors_problem.store(Some(Arc::new(error.to_string())));
                    return Err(error);
                }
            }
        };
        // Postings first: a paper new in the vectors is then already in tantivy. (Searches
        // also skip a paper one side knows and the other not, for a searcher taken between.)
        self.reload()?;
        self.vectors.store(fresh);
        self.vectors_problem.store(None);
        Ok(())
    }

    /// Why the latest commit's vectors cannot be loaded, when they cannot.
    pub fn vectors_problem(&self) -> Option<Arc<String>> {
        self.vectors_problem.load_full()
    }

    /// Loads generation `name`; a panic inside (the graph library on a damaged file, say) is
    /// an error naming the folder, not the end of the search that triggered the load.
    fn load_generation(&self, name: &str, checksum: Option<&str>) -> Result<Vectors> {
        let load = || {
            #[cfg(test)]
            if let Some(hook) = self.before_load.lock().ok().as_deref().and_then(Option::as_ref) {
                hook(name);
            }
            generation::load(&self.root, name, checksum)
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(load)).unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            Err(IndexError::Corrupt {
                path: generation::vectors_root(&self.root).join(name),
                reason: format!("loading these vectors panicked: {message}"),
            })
        })
    }

    /// The vectors of the current generation, if it has any.
    pub fn vectors(&self) -> Option<Arc<Vectors>> {
        self.vectors.load_full()
    }

    /// How many papers have vectors in the current generation (no paper is read).
    pub fn papers_with_vectors(&self) -> u64 {
        self.vectors().map_or(0, |v| v.papers() as u64)
    }

    /// How many of `searcher`'s papers have text to embed: all that can have vectors. Those
    /// with text in a language, and of the rest (a summariser's apology alone, an HF record
    /// without an abstract: its title and link only), those the passages' rule
    /// ([`paperdex_embed::chunk`]) gives a passage, their title; a paper known by its id alone
    /// has none. Counted once per commit a searcher sees. Counted by language alone, the
    /// vectors of a paper known by its title outnumbered the count by one, which hid the one
    /// paper ingested without the model: no answer said that it had no vectors yet.
    pub fn papers_with_text(&self, searcher: &Searcher) -> Result<u64> {
        let generation = searcher.generation().generation_id();
        let counted = |slot: &Option<(u64, u64)>| slot.filter(|&(seen, _)| seen == generation).map(|(_, n)| n);
        if let Some(n) = counted(&self.papers_with_text.lock().unwrap_or_else(std::sync::PoisonError::into_inner)) {
            return Ok(n);
        }
        let languages = [Lang::Zh, Lang::En].map(|lang| Term::from_field_text(self.fields.langs, lang.code()));
        let with_language: Box<dyn tantivy::query::Query> = Box::new(tantivy::query::TermSetQuery::new(languages));
        let mut n = searcher.search(&with_language, &tantivy::collector::Count)? as u64;
        let without_language = tantivy::query::BooleanQuery::new(vec![
            (tantivy::query::Occur::Must, Box::new(tantivy::query::AllQuery) as Box<dyn tantivy::query::Query>),
            (tantivy::query::Occur::MustNot, with_language),
        ]);
        for address in searcher.search(&without_language, &tantivy::collector::DocSetCollector)? {
            if !paperdex_embed::chunk(&self.paper_at(searcher, address)?).is_empty() {
                n += 1;
            }
        }
        *self.papers_with_text.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((generation, n));
        Ok(n)
    }

    /// The bilingual lexicon of the current generation (empty when it has none).
    pub fn lexicon(&self) -> Arc<Lexicon> {
        self.lexicon.load_full()
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
                let mut empty = Lexicon::new(wanted, Default::default(), Vec::new());
                empty.unreadable = Some(match error {
                    IndexError::Corrupt { path, reason } => (path, reason),
                    other => (crate::lexicon::lexicon_dir(&self.root), other.to_string()),
                });
                empty
            }
        };
        self.lexicon.store(Arc::new(fresh));
    }

    pub(crate) fn set_vectors(&self, vectors: Option<Arc<Vectors>>) {
        self.vectors.store(vectors);
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
        self.paper_by_id_in(&self.searcher(), id)
    }

    /// The paper with `id` as the searcher sees it; an error when it is not there.
    pub(crate) fn paper_by_id_in(&self, searcher: &Searcher, id: &str) -> Result<Paper> {
        let id = asked_id(id)?;
        self.paper_in(searcher, &id)?.ok_or_else(|| IndexError::PaperNotFound(id.to_string()))
    }

    /// The id of the paper at `address`, read from the fast field (no stored-document read).
    pub(crate) fn id_at(&self, searcher: &Searcher, address: DocAddress) -> Result<String> {
        Ok(self.ids_at(searcher, &[address])?.pop().unwrap_or_default())
    }

    /// The ids of the papers at `addresses`, in their order, from the fast field: each
    /// segment's column is opened once, however many of its papers are asked for.
    pub(crate) fn ids_at(&self, searcher: &Searcher, addresses: &[DocAddress]) -> Result<Vec<String>> {
        let mut ids = vec![String::new(); addresses.len()];
        // Each segment's ids are looked up in one sorted pass over its dictionary: one id at a
        // time decodes a dictionary block per id (0.7 ms for BM25's 100 candidates, a tenth of a
        // hybrid answer's own CPU time), in order each block is decoded once.
        let segments = searcher.segment_readers().len();
        let mut columns: Vec<Option<tantivy::columnar::StrColumn>> = vec![None; segments];
        let mut by_segment: Vec<Vec<(u64, usize)>> = vec![Vec::new(); segments];
        for (position, address) in addresses.iter().enumerate() {
            let slot = &mut columns[address.segment_ord as usize];
            if slot.is_none() {
                let segment = searcher.segment_reader(address.segment_ord);
                *slot = Some(segment.fast_fields().str("id")?.ok_or_else(|| IndexError::Corrupt {
                    path: self.root.clone(),
                    reason: "the id fast field is missing".into(),
                })?);
            }
            if let Some(ord) = slot.as_ref().and_then(|column| column.term_ords(address.doc_id).next()) {
                by_segment[address.segment_ord as usize].push((ord, position));
            }
        }
        for (column, mut wanted) in columns.into_iter().zip(by_segment) {
            let Some(column) = column else { continue };
            wanted.sort_unstable();
            let ords: Vec<u64> = wanted.iter().map(|&(ord, _)| ord).collect();
            let mut next = wanted.iter();
            column
                .dictionary()
                .sorted_ords_to_term_cb(&ords, |bytes| {
                    if let Some(&(_, position)) = next.next() {
                        ids[position] = String::from_utf8_lossy(bytes).into_owned();
                    }
                })
                .map_err(IndexError::io(&self.root))?;
        }
        Ok(ids)
    }

    /// How many papers have text in `lang` (deleted ones not yet merged away counted too: an
    /// estimate, for weights and notes).
    pub(crate) fn papers_in(&self, searcher: &Searcher, lang: Lang) -> Result<u64> {
        let papers = searcher.doc_freq(&tantivy::Term::from_field_text(self.fields.langs, lang.code()))?;
        Ok(papers.min(searcher.num_docs()))
    }

    /// The first-seen day (`YYYYMMDD`) of the paper at `address`, from the fast field; 0 when
    /// no source dated it (such papers sort last, newest first).
    pub(crate) fn first_seen_at(&self, searcher: &Searcher, address: DocAddress) -> u64 {
        let segment = searcher.segment_reader(address.segment_ord);
        let column = segment.fast_fields().u64("first_seen");
        column.ok().and_then(|c| c.first(address.doc_id)).unwrap_or(0)
    }

    /// The first-seen day of paper `id` (see [`PaperIndex::first_seen_at`]).
    pub(crate) fn first_seen_of(&self, searcher: &Searcher, id: &str) -> u64 {
        let address = PaperId::parse(id).and_then(|id| self.address_in(searcher, &id).ok().flatten());
        address.map_or(0, |address| self.first_seen_at(searcher, address))
    }

    /// The papers `filter` admits, or `None` when it admits every paper: the vector search
    /// looks only at these papers' passages. Named by the smaller side: a filter that admits
    /// most papers (`-vision`, `--lang en`) by the papers it leaves out, since naming 9,500
    /// papers (their ids, then their passages) cost 4 ms of a 10 ms hybrid answer.
    pub(crate) fn admitted_papers(
        &self,
        searcher: &Searcher,
        filter: &crate::SearchFilter,
    ) -> Result<Option<crate::generation::Admitted>> {
        let Some(query) = filter.query(&self.fields) else { return Ok(None) };
        let admitted = searcher.search(&query, &tantivy::collector::Count)?;
        let papers = searcher.num_docs() as usize;
        let ids_of = |query: &dyn tantivy::query::Query| -> Result<std::collections::HashSet<String>> {
            let docs: Vec<DocAddress> =
                searcher.search(query, &tantivy::collector::DocSetCollector)?.into_iter().collect();
            Ok(self.ids_at(searcher, &docs)?.into_iter().collect())
        };
        if admitted * 2 <= papers {
            return Ok(Some(crate::generation::Admitted::Only(ids_of(&query)?)));
        }
        let left_out = tantivy::query::BooleanQuery::new(vec![
            (tantivy::query::Occur::Must, Box::new(tantivy::query::AllQuery) as Box<dyn tantivy::query::Query>),
            (tantivy::query::Occur::MustNot, query),
        ]);
        Ok(Some(crate::generation::Admitted::AllBut { left_out: ids_of(&left_out)?, admitted }))
    }

    /// The papers `filter` admits, newest first (by first-seen day; a day's most upvoted
    /// first, ties in the index's order, the same on every page): `offset` skipped, at most
    /// `limit`, with how many there are (`total`). What `paperdex new` lists when it has no
    /// query: the answer has an empty query and says `bm25` (the index alone answered). Ties
    /// are not ordered by id: reading the id as a third key took a page at offset 500 from
    /// 0.7 to 3.6 ms.
    pub fn newest(&self, filter: &crate::SearchFilter, offset: usize, limit: usize) -> Result<crate::SearchResults> {
        filter.validate()?;
        crate::limits::check_limit(limit)?;
        crate::limits::check_offset(offset)?;
        let started = std::time::Instant::now();
        let searcher = self.searcher();
        let query: Box<dyn tantivy::query::Query> =
            filter.query(&self.fields).unwrap_or_else(|| Box::new(tantivy::query::AllQuery));
        use tantivy::Order::Desc;
        use tantivy::collector::sort_key::SortByStaticFastValue;
        let top = TopDocs::with_limit(limit.max(1)).and_offset(offset).order_by((
            (SortByStaticFastValue::<u64>::for_field("first_seen"), Desc),
            (SortByStaticFastValue::<u64>::for_field("upvotes"), Desc),
        ));
        let (newest, total) = searcher.search(&query, &(top, tantivy::collector::Count))?;
        let highlighter =
            crate::highlight::Highlighter::new(self, &searcher, None, &[], filter.section).in_language(filter.lang);
        let mut hits = Vec::with_capacity(newest.len());
        for (_, address) in newest {
            hits.push(highlighter.hit(&self.paper_at(&searcher, address)?, 0.0));
        }
        let warnings = match total {
            0 => crate::filter::no_paper_passes(self, filter)?.into_iter().collect(),
            _ => Vec::new(),
        };
        Ok(crate::SearchResults {
            query: String::new(),
            mode: crate::SearchMode::Bm25,
            took_ms: crate::search::took_ms(started),
            total,
            total_is_estimate: false,
            hits,
            warnings,
            expansions: Vec::new(),
            left_out: Vec::new(),
            required: Vec::new(),
            excluded: Vec::new(),
        })
    }

    pub(crate) fn address_in(&self, searcher: &Searcher, id: &PaperId) -> Result<Option<DocAddress>> {
        let query = TermQuery::new(Term::from_field_text(self.fields.id, id.as_str()), IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        Ok(top.first().map(|(_, address)| *address))
    }

    pub(crate) fn paper_at(&self, searcher: &Searcher, address: DocAddress) -> Result<Paper> {
        self.paper_of(&searcher.doc(address)?, address)
    }

    /// The paper stored in `doc`, the document at `address`.
    pub(crate) fn paper_of(&self, doc: &TantivyDocument, address: DocAddress) -> Result<Paper> {
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
        live_addresses(&searcher).map(|address| self.paper_at(&searcher, address)).collect()
    }

    /// Figures about the index.
    ///
    /// The papers are read one at a time (a million of them held at once would take
    /// gigabytes), and one that cannot be read is counted, not the end of the figures: `stats`
    /// refused a damaged index whose searches still answered.
    pub fn stats(&self) -> Result<IndexStats> {
        let searcher = self.searcher();
        let mut figures = PaperFigures::default();
        for address in live_addresses(&searcher) {
            match self.paper_at(&searcher, address) {
                Ok(paper) => figures.count(&paper),
                Err(error) => {
                    figures.unreadable_papers += 1;
                    figures.unreadable.get_or_insert_with(|| error.to_string());
                }
            }
        }
        let vectors = self.vectors();
        Ok(IndexStats {
            path: self.root.display().to_string(),
            papers: figures.papers + figures.unreadable_papers,
            papers_with_vectors: self.papers_with_vectors(),
            vectors: vectors.as_ref().map_or(0, |v| v.set.live_len() as u64),
            vector_model: vectors.as_ref().map(|v| v.set.model().to_string()),
            vectors_problem: self.vectors_problem().map(|problem| problem.to_string()),
            generation: self.committed_payload()?.generation,
            papers_by_language: figures.by_language,
            papers_by_format: figures.by_format,
            source_files: figures.files.len() as u64,
            date_range: figures.published.0.zip(figures.published.1),
            listed_range: figures.listed.0.zip(figures.listed.1),
            disk_bytes: dir_size(&self.root),
            unreadable_papers: figures.unreadable_papers,
            unreadable: figures.unreadable,
        })
    }
}

/// The address of every paper `searcher` sees, in index order.
fn live_addresses(searcher: &Searcher) -> impl Iterator<Item = DocAddress> + '_ {
    searcher.segment_readers().iter().enumerate().flat_map(|(ordinal, segment)| {
        let alive = segment.alive_bitset();
        (0..segment.max_doc())
            .filter(move |&doc| alive.is_none_or(|bits| bits.is_alive(doc)))
            .map(move |doc| DocAddress::new(ordinal as u32, doc))
    })
}

/// What [`PaperIndex::stats`] counts of the papers, one paper at a time.
#[derive(Default)]
struct PaperFigures {
    papers: u64,
    by_language: BTreeMap<String, u64>,
    by_format: BTreeMap<String, u64>,
    files: std::collections::HashSet<String>,
    /// The first and the last publication day.
    published: (Option<String>, Option<String>),
    /// The first day a paper was listed and the last.
    listed: (Option<String>, Option<String>),
    unreadable_papers: u64,
    unreadable: Option<String>,
}

impl PaperFigures {
    fn count(&mut self, paper: &Paper) {
        self.papers += 1;
        for lang in paper.languages() {
            *self.by_language.entry(lang.code().to_string()).or_insert(0) += 1;
        }
        let mut formats: Vec<_> = paper.records.iter().map(|r| r.source.format.label()).collect();
        formats.sort_unstable();
        formats.dedup();
        for format in formats {
            *self.by_format.entry(format.to_string()).or_insert(0) += 1;
        }
        for record in &paper.records {
            if !self.files.contains(&record.source.path) {
                self.files.insert(record.source.path.clone());
            }
        }
        let widen = |range: &mut (Option<String>, Option<String>), first: Option<&str>, last: Option<&str>| {
            if let Some(day) = first.filter(|day| range.0.as_deref().is_none_or(|f| *day < f)) {
                range.0 = Some(day.to_string());
            }
            if let Some(day) = last.filter(|day| range.1.as_deref().is_none_or(|l| *day > l)) {
                range.1 = Some(day.to_string());
            }
        };
        widen(&mut self.published, paper.date(), paper.date());
        widen(&mut self.listed, paper.first_seen(), paper.last_seen());
    }
}

/// Makes the index folder ready to open: nothing in it is a pipe (checked before any file is
/// read), an upgrade a crash interrupted is finished (which may move `tantivy/` back into
/// place), and then its commit record is not lost.
fn check_folder(root: &Path) -> Result<()> {
    // `--index` naming a file: "no index in FILE yet, run ingest" sent the user to an ingest
    // that failed on `FILE/tantivy`.
    if fs::metadata(root).is_ok_and(|meta| !meta.is_dir()) {
        return Err(IndexError::InvalidParameter {
            name: "index".into(),
            problem: format!("{} is a file, not a folder", root.display()),
        });
    }
    if let Some(error) = not_a_file(root) {
        return Err(error);
    }
    crate::upgrade::upgrade_if_needed(root)?;
    match lost_commit_record(root) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// The papers of the index at `root` as its last commit on disk records them, read from the
/// commit record alone: what an interrupted write keeps, told the moment it ends (the count a
/// write reports after each commit lags one commit behind while the commit is finishing:
/// "holds 6965 papers" of 7,965).
pub fn committed_papers(root: &Path) -> Result<u64> {
    let directory = tantivy::directory::MmapDirectory::open(root.join(TANTIVY_DIR))
        .map_err(|e| IndexError::Corrupt { path: root.to_path_buf(), reason: e.to_string() })?;
    let metas = Index::open(directory)?.load_metas()?;
    Ok(metas.segments.iter().map(|segment| u64::from(segment.num_docs())).sum())
}

/// What `root` holds besides an index, when it holds none yet: `--index` naming a folder of
/// digests to read (or any other folder in use) would make the index's folders among them.
/// Empty when `root` holds an index, does not exist, or holds only what an index folder may
/// hold before its first commit (a `glossary.tsv` put there, a lock). Sorted names.
pub fn other_things_than_an_index(root: &Path) -> Vec<String> {
    if root.join(TANTIVY_DIR).exists() {
        return Vec::new();
    }
    let Ok(entries) = fs::read_dir(root) else { return Vec::new() };
    let parts = [TANTIVY_DIR, crate::generation::VECTORS_DIR, crate::lexicon::LEXICON_DIR, crate::lock::LOCK_FILE];
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !parts.contains(&name.as_str()) && name != crate::lexicon::GLOSSARY_FILE)
        .collect();
    names.sort();
    names
}

/// Whether `path` is an index folder or a part of one (its `tantivy/`, `vectors/` or
/// `lexicon/`, or a file in it): never papers to read. An index whose commit record is lost
/// still is one.
pub(crate) fn is_index_folder(path: &Path) -> bool {
    let holds_an_index = |dir: &Path| dir.join(TANTIVY_DIR).is_dir();
    let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    holds_an_index(&path) || path.parent().is_some_and(holds_an_index)
}

/// An error when the index's commit record (tantivy's `meta.json`) is gone but what it
/// recorded is still there: segment files, vectors or lexicons. Opened as a new index, the
/// folder would have its papers and vectors swept away as leftovers by the first ingest.
fn lost_commit_record(root: &Path) -> Option<IndexError> {
    let meta = root.join(TANTIVY_DIR).join("meta.json");
    if fs::symlink_metadata(&meta).is_ok() {
        return None;
    }
    // Tantivy's own lock and bookkeeping files start with a dot; segment files do not.
    let holds = |dir: &Path, what: &'static str| {
        fs::read_dir(dir)
            .map(|entries| entries.flatten().any(|e| !e.file_name().to_string_lossy().starts_with('.')))
            .unwrap_or(false)
            .then_some(what)
    };
    let left: Vec<&str> = [
        holds(&root.join(TANTIVY_DIR), "segment files"),
        holds(&root.join(crate::generation::VECTORS_DIR), "vectors"),
        holds(&crate::lexicon::lexicon_dir(root), "lexicons"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!left.is_empty()).then(|| IndexError::Corrupt {
        path: root.to_path_buf(),
        reason: format!(
            "{} is missing, but the folder still holds the index's {}: the record of what they are is lost. \
             Nothing was written or deleted; restore the file from a backup, or move the folder away \
             and ingest into a new one",
            meta.display(),
            left.join(" and ")
        ),
    })
}

/// An error naming the first thing in the index folder that is neither a file nor a folder
/// (a named pipe, a socket, a device): reading one would block for ever or read garbage, and
/// every file of the index is read by someone. Symbolic links are followed, to a few levels.
fn not_a_file(root: &Path) -> Option<IndexError> {
    /// The first such entry of `dir`, looking `levels` folders further down.
    fn find(dir: &Path, levels: usize) -> Option<PathBuf> {
        for path in fs::read_dir(dir).ok()?.flatten().map(|entry| entry.path()) {
            match fs::metadata(&path) {
                Ok(meta) if meta.is_dir() && levels > 0 => {
                    if let Some(found) = find(&path, levels - 1) {
                        return Some(found);
                    }
                }
                Ok(meta) if !meta.is_dir() && !meta.is_file() => return Some(path),
                _ => {}
            }
        }
        None
    }
    // The folder's own files, and the index's folders down to `vectors/gen-N/hnsw/`: a folder
    // given by mistake ($HOME) is not walked.
    let ours = [TANTIVY_DIR, crate::generation::VECTORS_DIR, crate::lexicon::LEXICON_DIR];
    find(root, 0).or_else(|| ours.iter().find_map(|folder| find(&root.join(folder), 2))).map(|path| IndexError::Corrupt {
        path: root.to_path_buf(),
        reason: format!(
            "{} is not a regular file (a named pipe, a socket or a device): remove it, or put the index's own file back",
            path.display()
        ),
    })
}

/// The id a caller asked for, read as a pasted id or link is read everywhere
/// ([`PaperId::from_pasted`]), or an error saying it cannot name any paper: a cut or mistyped
/// id is a bad request (`invalid_parameter`, HTTP 400), not a paper the index lacks (404).
pub(crate) fn asked_id(id: &str) -> Result<PaperId> {
    // An empty id is a missing one, as an empty query is (MCP sends `{"id": ""}` where a
    // form left the field blank).
    if id.trim().is_empty() {
        return Err(IndexError::InvalidParameter {
            name: "id".to_string(),
            problem: "is required: the paper's arXiv id or link".into(),
        });
    }
    PaperId::from_pasted(id).ok_or_else(|| IndexError::InvalidParameter {
        name: "id".to_string(),
        problem: format!(
            "{} is not an arXiv id or a paper's link, such as 2602.02958, cs/0501001 or \
             https://arxiv.org/abs/2602.02958",
            crate::limits::quote(id)
        ),
    })
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::atomic::AtomicUsize;
    use std::sync::mpsc;
    use std::time::Duration;

    use paperdex_embed::HashEmbedder;

    use super::*;
    use crate::Quiet;

    fn sample(file: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample").join(file)
    }

    /// What an interrupted write says it keeps is read from the commit record on disk: each
    /// commit's papers, less those removed, whatever this process has loaded.
    #[test]
    fn the_papers_committed_are_read_from_the_commit_record() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(committed_papers(dir.path()).is_err(), "no index, no count");
        let index = PaperIndex::open_or_create(dir.path()).expect("index").with_papers_per_generation(10);
        assert_eq!(committed_papers(dir.path()).expect("count"), 0);
        index.ingest(&[sample("hf-daily-2026-02-05.json")], None, &mut Quiet).expect("ingest");
        let papers = index.len();
        assert!(papers > 10, "several commits: {papers}");
        assert_eq!(committed_papers(dir.path()).expect("count"), papers);
        let first = index.papers().expect("papers")[0].id.to_string();
        index.remove(&[first.as_str()]).expect("remove");
        assert_eq!(committed_papers(dir.path()).expect("count"), papers - 1);
    }

    /// A folder with one generation loaded by `reader`, and a second one `writer` committed
    /// since, which the reader has not loaded yet.
    fn reader_behind_a_commit() -> (tempfile::TempDir, PaperIndex) {
        let dir = tempfile::tempdir().expect("tempdir");
        let embedder = HashEmbedder::new(32);
        let writer = PaperIndex::open_or_create(dir.path()).expect("index");
        writer.ingest(&[sample("report-2026-02-05.md")], Some(&embedder), &mut Quiet).expect("first ingest");
        let reader = PaperIndex::open(dir.path()).expect("reader");
        writer.ingest(&[sample("hf-daily-2026-02-05.json")], Some(&embedder), &mut Quiet).expect("second ingest");
        assert_ne!(reader.vectors().expect("vectors").name, writer.vectors().expect("vectors").name);
        (dir, reader)
    }

    #[test]
    fn an_index_named_by_a_file_says_so_when_opened_or_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("notes.txt");
        fs::write(&file, "x").expect("file");
        for error in [PaperIndex::open(&file).err(), PaperIndex::open_or_create(&file).err()] {
            let error = error.expect("refused").to_string();
            assert!(error.contains("notes.txt is a file, not a folder"), "{error}");
        }
        assert_eq!(fs::read_to_string(&file).expect("file"), "x", "left as it was");
    }

    #[test]
    fn two_slow_reloads_never_run_at_once_and_searches_keep_the_loaded_generation() {
        // Regression (#12): a load slower than a second started a second load of the same
        // generation from the next search.
        let (_dir, reader) = reader_behind_a_commit();
        let old = reader.vectors().expect("vectors").name.clone();
        let loads = Arc::new(AtomicUsize::new(0));
        let (entered_tx, entered) = mpsc::channel::<()>();
        let (release, release_rx) = mpsc::channel::<()>();
        let (entered_tx, release_rx) = (Mutex::new(entered_tx), Mutex::new(release_rx));
        let counter = Arc::clone(&loads);
        *reader.before_load.lock().expect("hook") = Some(Box::new(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = entered_tx.lock().expect("lock").send(());
            // Held until the test says so (or gives up), however many loads come in.
            let _ = release_rx.lock().expect("lock").recv_timeout(Duration::from_secs(5));
        }));
        std::thread::scope(|scope| {
            let first = scope.spawn(|| reader.refresh_vectors());
            entered.recv_timeout(Duration::from_secs(10)).expect("the first load started");
            // Searches arriving while it loads neither wait nor load again, and see the
            // generation loaded before.
            let (done_tx, done) = mpsc::channel();
            for _ in 0..8 {
                let done_tx = done_tx.clone();
                let reader = &reader;
                scope.spawn(move || {
                    let outcome = reader.refresh_vectors().map(|()| reader.vectors().map(|v| v.name.clone()));
                    let _ = done_tx.send(outcome);
                });
            }
            for _ in 0..8 {
                let seen = done.recv_timeout(Duration::from_secs(2)).expect("a search waited for the load");
                assert_eq!(seen.expect("refresh").as_deref(), Some(old.as_str()));
            }
            release.send(()).expect("release");
            first.join().expect("first load").expect("loads");
        });
        assert_eq!(loads.load(Ordering::SeqCst), 1, "loads of one generation");
        assert_ne!(reader.vectors().expect("vectors").name, old, "the new generation is loaded");
    }

    #[test]
    fn a_load_that_panics_is_an_error_naming_the_folder_and_the_loaded_vectors_stay() {
        let (_dir, reader) = reader_behind_a_commit();
        let old = reader.vectors().expect("vectors").name.clone();
        *reader.before_load.lock().expect("hook") = Some(Box::new(|name| panic!("graph file of {name} is garbage")));
        let error = reader.refresh_vectors().expect_err("the panic is reported");
        let message = error.to_string();
        assert!(message.contains("panicked") && message.contains("vectors/gen-"), "{message}");
        assert_eq!(reader.vectors().expect("still loaded").name, old);
        // The hook's panic poisoned the hook's own lock (a test-only lock).
        *reader.before_load.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        reader.load_latest_vectors().expect("loads once the cause is gone");
        assert_ne!(reader.vectors().expect("vectors").name, old);
    }
}
