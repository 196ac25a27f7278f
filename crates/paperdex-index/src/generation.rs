//! Generations: the vectors that belong to one tantivy commit.
//!
//! A generation's vectors live in `vectors/gen-<n>/`: the [`VectorSet`] file, the hnsw_rs
//! graphs (`hnsw/`, what writers extend) and the same graphs in compact form (`graph.bin`, what
//! searches walk: [`CompactGraph`]). A generation written before compact graphs existed has no
//! `graph.bin`; opening it converts its hnsw_rs graphs in memory, and the next write saves one.
//! They are written under a `.partial` name, synced and renamed into place *before* the
//! tantivy commit whose payload names them; the commit (tantivy swaps `meta.json` by rename)
//! is the one atomic switch that makes postings, stored papers and vectors current
//! together. Whatever is interrupted, opening finds the last complete generation; folders no
//! commit names are leftovers and are removed by the next writer.

use std::fs;
use std::path::{Path, PathBuf};

use paperdex_core::{Lang, Paper};
use serde::{Deserialize, Serialize};
use tantivy::Term;

use crate::error::{IndexError, Result};
use crate::lexicon::{CommittedLexicon, LexiconLag};
use crate::paper_index::PaperIndex;
use crate::vectors::{CompactGraph, HnswSearch, RefreshReport, VectorError, VectorSet};

pub(crate) const VECTORS_DIR: &str = "vectors";
const SET_FILE: &str = "vectors.bin";
const HNSW_DIR: &str = "hnsw";
const COMPACT_FILE: &str = "graph.bin";

/// The memory tantivy's writer may fill before it flushes a segment.
pub(crate) const WRITER_HEAP_BYTES: usize = 100_000_000;

/// Segments above this many papers are not merged again. A merge reads its segments through
/// the memory map, and tantivy's default (10 million) let a 1M-paper ingest merge 8 segments
/// of 104,000 papers into one: 2.3 GB of mapped pages resident at once, the ingest's peak
/// (PERFORMANCE.md, "Scale"). With this cap a merge takes at most a few hundred thousand
/// papers' worth; a large collection keeps several segments, which the pruned BM25 path
/// searches with one threshold carried across them.
const MAX_PAPERS_BEFORE_MERGE: usize = 25_000;

/// tantivy's log merge policy, with [`MAX_PAPERS_BEFORE_MERGE`]: every writer of the index
/// uses it (a commit of any writer may start merges).
pub(crate) fn merge_policy() -> tantivy::indexer::LogMergePolicy {
    let mut policy = tantivy::indexer::LogMergePolicy::default();
    policy.set_max_docs_before_merge(MAX_PAPERS_BEFORE_MERGE);
    policy
}

/// What a tantivy commit records about its generation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct CommitPayload {
    /// The generation number; each commit takes the next.
    pub generation: u64,
    /// The folder under `vectors/` holding this generation's vectors, if it has any.
    pub vectors: Option<String>,
    /// The [`crate::analysis::ANALYSIS_VERSION`] the postings were built with (0: before
    /// versions were recorded).
    #[serde(default)]
    pub analysis: u32,
    /// The file under `lexicon/` holding this generation's bilingual lexicon, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lexicon: Option<String>,
    /// What changed of the papers' texts since that lexicon was learned: a write that keeps it
    /// adds its own changes, one that learns it again starts from nothing.
    #[serde(default, skip_serializing_if = "LexiconLag::is_empty")]
    pub lexicon_lag: LexiconLag,
    /// The [`paperdex_embed::CHUNKING_VERSION`] that cut the passages of every live vector;
    /// `None` when unknown (vectors written before it was recorded, or under several
    /// versions). Re-ingest keeps the stored vectors of unchanged passages only when it is
    /// today's version (`PaperIndex::stored_passage_vectors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunking: Option<u32>,
    /// The checksum of the generation's vector file (XXH64, 16 hex digits), which every load
    /// compares with the file's: a sound `vectors.bin` copied from another generation or
    /// another index passes its own checksum, and would serve another commit's vectors.
    /// `None` for commits written before it was recorded (not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vectors_checksum: Option<String>,
}

impl CommitPayload {
    /// Reads a commit's payload. No payload is an index never written by paperdex (fresh);
    /// a payload that does not parse is an error, never a default: a default names no
    /// vectors, and the next writer would then take every generation folder for a leftover
    /// and delete an hour of embeddings.
    pub(crate) fn parse(payload: Option<&str>) -> std::result::Result<CommitPayload, serde_json::Error> {
        match payload {
            None => Ok(CommitPayload::default()),
            Some(text) => serde_json::from_str(text),
        }
    }
}

/// Up to this many live passages, searches scan every passage ([`CompactGraph::scan`]: the
/// 8-bit codes, then the few that could make the answer rescored exactly) instead of walking
/// the HNSW graphs: the answer is exact and comes sooner. On the corpus's e5 vectors the scan
/// for 300 neighbours takes about 1 ms a language (1.5x faster than scanning the `f32`
/// vectors), while the graph search the engine makes (300 neighbours, so ef ≥ 300) takes about
/// 2 ms at any size (`cargo bench --bench search`, `--bench scale`). Qdrant's
/// `full_scan_threshold` is the same idea.
pub const FULL_SCAN_THRESHOLD: usize = 30_000;

/// The vectors of one generation, loaded.
pub struct Vectors {
    /// The folder name under `vectors/`.
    pub name: String,
    /// Every chunk vector, with its paper and language.
    pub set: VectorSet,
    /// The HNSW graphs over `set`, in the compact form searches walk.
    pub graph: CompactGraph,
    /// Whether searches scan every passage ([`CompactGraph::scan`], exact) rather than walk
    /// the graphs: while the set is small enough ([`FULL_SCAN_THRESHOLD`]).
    scan: bool,
    /// How many papers have live passages.
    papers: usize,
}

impl Vectors {
    pub(crate) fn new(name: String, set: VectorSet, graph: CompactGraph) -> Vectors {
        let scan = set.live_len() <= FULL_SCAN_THRESHOLD;
        let papers = set.live_papers().count();
        Vectors { name, set, graph, scan, papers }
    }

    /// How many papers have live passages: all a vector search can rank.
    pub fn papers(&self) -> usize {
        self.papers
    }

    /// The `k` live passages of `lang` nearest to `query`, as (chunk id, similarity), best
    /// first: by a full scan while the set is small, by the HNSW graphs beyond.
    pub fn nearest(&self, query: &[f32], k: usize, lang: Lang) -> Vec<(u32, f32)> {
        if self.scan {
            self.graph.scan(&self.set, query, k, lang)
        } else {
            self.graph.search(&self.set, query, k, lang, self.graph.ef_for(lang), None)
        }
    }

    /// The papers of `passages` (chunk id, similarity) that `keep` admits, each with its best
    /// similarity, best first (ties by id), at most `papers`: a passage ranking made a paper
    /// ranking, as searches and related papers both need.
    pub(crate) fn best_per_paper(
        &self,
        passages: impl IntoIterator<Item = (u32, f32)>,
        papers: usize,
        keep: impl Fn(&str) -> bool,
    ) -> Vec<(String, f32)> {
        // Hundreds of ids a search: SipHash was 1% of a loaded server's CPU.
        let mut best: rustc_hash::FxHashMap<&str, f32> = Default::default();
        for (chunk_id, score) in passages {
            let Some(chunk) = self.set.get(chunk_id) else { continue };
            if keep(chunk.paper_id) {
                let entry = best.entry(chunk.paper_id).or_insert(score);
                *entry = entry.max(score);
            }
        }
        let mut ranked: Vec<(String, f32)> = best.into_iter().map(|(id, s)| (id.to_string(), s)).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(papers);
        ranked
    }
}

/// The papers a filter admits ([`crate::PaperIndex::admitted_papers`]), by the smaller side.
pub(crate) enum Admitted {
    /// These papers' ids.
    Only(std::collections::HashSet<String>),
    /// Every paper but these, `admitted` of them.
    AllBut { left_out: std::collections::HashSet<String>, admitted: usize },
}

impl Admitted {
    /// How many papers the filter admits.
    pub(crate) fn len(&self) -> usize {
        match self {
            Admitted::Only(ids) => ids.len(),
            Admitted::AllBut { admitted, .. } => *admitted,
        }
    }

    /// Their live passages in `vectors`.
    pub(crate) fn passages(&self, vectors: &Vectors) -> AdmittedPassages {
        match self {
            Admitted::Only(ids) => AdmittedPassages::of(vectors, ids.iter().map(String::as_str)),
            Admitted::AllBut { left_out, .. } => {
                AdmittedPassages::all_but(vectors, left_out.iter().map(String::as_str))
            }
        }
    }
}

/// The passages of the papers a filter admits, per language: what a filtered vector search
/// looks at.
pub struct AdmittedPassages {
    /// Whether each chunk id is admitted.
    admitted: Vec<bool>,
    /// The admitted live chunk ids of each language.
    ids: [Vec<u32>; 2],
    /// How many admitted papers have live passages.
    papers: usize,
}

impl AdmittedPassages {
    /// The live passages of `papers` in `vectors`.
    pub fn of<'a>(vectors: &Vectors, papers: impl IntoIterator<Item = &'a str>) -> AdmittedPassages {
        let mut admitted = vec![false; vectors.set.len()];
        let mut ids: [Vec<u32>; 2] = Default::default();
        let mut with_passages = 0;
        for paper in papers {
            let mut any = false;
            for chunk in vectors.set.live_chunks_of(paper) {
                admitted[chunk.id as usize] = true;
                ids[crate::vectors::lang_slot(chunk.lang)].push(chunk.id);
                any = true;
            }
            with_passages += usize::from(any);
        }
        AdmittedPassages { admitted, ids, papers: with_passages }
    }

    /// The live passages of every paper in `vectors` but `left_out`'s.
    pub fn all_but<'a>(vectors: &Vectors, left_out: impl IntoIterator<Item = &'a str>) -> AdmittedPassages {
        let mut admitted = vec![true; vectors.set.len()];
        let mut papers = vectors.papers();
        for paper in left_out {
            let mut any = false;
            for chunk in vectors.set.live_chunks_of(paper) {
                admitted[chunk.id as usize] = false;
                any = true;
            }
            papers -= usize::from(any);
        }
        let mut ids: [Vec<u32>; 2] = Default::default();
        for chunk in vectors.set.iter().filter(|chunk| !chunk.deleted && admitted[chunk.id as usize]) {
            ids[crate::vectors::lang_slot(chunk.lang)].push(chunk.id);
        }
        AdmittedPassages { admitted, ids, papers }
    }

    /// How many admitted papers have live passages: all a filtered vector search can rank.
    pub fn papers(&self) -> usize {
        self.papers
    }
}

impl Vectors {
    /// [`Vectors::nearest`] among the `admitted` passages only. Few of them (up to
    /// [`FULL_SCAN_THRESHOLD`]) are scored one by one, exactly; more are searched in the graph,
    /// whose walk passes through every node but keeps only admitted ones (Qdrant chooses the
    /// same way, by the filter's cardinality).
    pub fn nearest_admitted(
        &self,
        query: &[f32],
        k: usize,
        lang: Lang,
        admitted: &AdmittedPassages,
    ) -> Vec<(u32, f32)> {
        self.nearest_admitted_scanning(query, k, lang, admitted, FULL_SCAN_THRESHOLD)
    }

    /// [`Vectors::nearest_admitted`], scanning at most `scan_up_to` admitted passages (tests
    /// force the graph walk with 0).
    fn nearest_admitted_scanning(
        &self,
        query: &[f32],
        k: usize,
        lang: Lang,
        admitted: &AdmittedPassages,
        scan_up_to: usize,
    ) -> Vec<(u32, f32)> {
        let ids = &admitted.ids[crate::vectors::lang_slot(lang)];
        if ids.len() > scan_up_to {
            let admit = |id: u32| admitted.admitted.get(id as usize) == Some(&true);
            return self.graph.search(&self.set, query, k, lang, self.graph.ef_for(lang), Some(&admit));
        }
        let Some(query) = crate::vectors::prepare_query(query, self.set.dims()) else { return Vec::new() };
        let mut scored: Vec<(u32, f32)> = ids
            .iter()
            .filter_map(|&id| Some((id, crate::vectors::similarity(&query, self.set.get(id)?.vector))))
            .collect();
        if k == 0 {
            return Vec::new();
        }
        if k < scored.len() {
            scored.select_nth_unstable_by(k - 1, crate::vectors::best_first);
            scored.truncate(k);
        }
        scored.sort_unstable_by(crate::vectors::best_first);
        scored
    }
}

pub(crate) fn vectors_root(root: &Path) -> PathBuf {
    root.join(VECTORS_DIR)
}

/// Loads generation `name` for searching: the vectors and the compact graphs. Without a
/// usable `graph.bin` (a generation written before it existed, or a damaged file, with a
/// warning) the hnsw_rs graphs are loaded and converted in memory; nothing is written.
pub(crate) fn load(root: &Path, name: &str, checksum: Option<&str>) -> Result<Vectors> {
    let dir = vectors_root(root).join(name);
    check_set_file(&dir.join(SET_FILE), checksum).map_err(|e| corrupt(root, e))?;
    let graph_path = dir.join(COMPACT_FILE);
    // The two files are read at once, on two threads: each is seconds at millions of passages.
    let (set, graph) = std::thread::scope(|scope| {
        let graph = scope.spawn(|| CompactGraph::read(&graph_path));
        let set = VectorSet::load(&dir.join(SET_FILE));
        let graph = graph.join().unwrap_or_else(|_| {
            Err(VectorError::corrupt(&graph_path, "reading it panicked (a bug in paperdex, please report it)"))
        });
        (set, graph)
    });
    let set = set.map_err(|e| corrupt(root, e))?;
    let graph = match graph.and_then(|graph| graph.check_set(&graph_path, &set).map(|()| graph)) {
        Ok(graph) => graph,
        Err(error) => {
            if matches!(&error, VectorError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound) {
                tracing::info!(
                    "{name} has no compact graph (written by an older paperdex); converting its HNSW graphs"
                );
            } else {
                tracing::warn!(%error, "compact graph of {name} unusable; converting its HNSW graphs instead");
            }
            let ann = load_hnsw(&dir, name, &set);
            CompactGraph::from_hnsw(&ann, &set).map_err(|e| corrupt(root, e))?
        }
    };
    Ok(Vectors::new(name.to_string(), set, graph))
}

/// Loads generation `name` for a writer: the vectors and the hnsw_rs graphs it extends.
pub(crate) fn load_writable(root: &Path, name: &str, checksum: Option<&str>) -> Result<Writable> {
    let dir = vectors_root(root).join(name);
    let path = dir.join(SET_FILE);
    match check_set_file(&path, checksum).and_then(|()| VectorSet::load(&path)) {
        Ok(set) => {
            let ann = load_hnsw(&dir, name, &set);
            Ok(Writable::Loaded(Box::new((set, ann))))
        }
        // The content is gone: changed, cut short or deleted. A file that cannot be read now
        // (no permission, a disk error) may be whole, and stays an error.
        Err(error @ VectorError::Corrupt { .. }) => Ok(Writable::Lost(error.to_string())),
        Err(VectorError::Io { path, source }) if source.kind() == std::io::ErrorKind::NotFound => {
            Ok(Writable::Lost(format!("{} is missing", path.display())))
        }
        Err(error) => Err(corrupt(root, error)),
    }
}

/// Whether the vector file at `path` is the one its commit recorded (`checksum`, when the
/// commit recorded one).
fn check_set_file(path: &Path, checksum: Option<&str>) -> std::result::Result<(), VectorError> {
    let Some(expected) = checksum else { return Ok(()) };
    let found = format!("{:016x}", VectorSet::file_checksum(path)?);
    if found != expected {
        return Err(VectorError::corrupt(
            path,
            format!(
                "it is not the vector file this commit wrote (checksum {found}, the commit recorded {expected}): \
                 a copy from another generation or another index"
            ),
        ));
    }
    Ok(())
}

/// What a writer finds of the current generation's vectors.
pub(crate) enum Writable {
    /// The vectors and their graphs, to change.
    Loaded(Box<(VectorSet, HnswSearch)>),
    /// The vector file is damaged or missing: why, in words.
    Lost(String),
}

/// The hnsw_rs graphs of the generation in `dir`, reloaded, not rebuilt; if they are damaged
/// they are rebuilt from the vectors (which carry their own checksum), with a warning.
fn load_hnsw(dir: &Path, name: &str, set: &VectorSet) -> HnswSearch {
    match HnswSearch::load(&dir.join(HNSW_DIR), set) {
        Ok(ann) => ann,
        Err(error) => {
            tracing::warn!(%error, "HNSW graphs of {name} unusable; rebuilding them in memory");
            HnswSearch::build(set)
        }
    }
}

/// Writes `set` and `ann` as generation `generation`; returns its folder name and the vector
/// file's checksum ([`CommitPayload::vectors_checksum`]). The folder is complete and synced
/// when this returns.
pub(crate) fn write(root: &Path, generation: u64, set: &VectorSet, ann: &HnswSearch) -> Result<(String, String)> {
    let name = format!("gen-{generation:08}");
    let parent = vectors_root(root);
    let partial = parent.join(format!("{name}.partial"));
    let done = parent.join(&name);
    for stale in [&partial, &done] {
        if stale.exists() {
            fs::remove_dir_all(stale).map_err(IndexError::io(stale))?;
        }
    }
    fs::create_dir_all(&partial).map_err(IndexError::io(&partial))?;
    let checksum = set.save(&partial.join(SET_FILE)).map_err(|e| write_failed(root, e))?;
    ann.save(&partial.join(HNSW_DIR)).map_err(|e| write_failed(root, e))?;
    let compact = CompactGraph::from_hnsw(ann, set).map_err(|e| corrupt(root, e))?;
    compact.save(&partial.join(COMPACT_FILE)).map_err(|e| write_failed(root, e))?;
    sync_dir(&partial)?;
    fs::rename(&partial, &done).map_err(IndexError::io(&done))?;
    sync_dir(&parent)?;
    Ok((name, format!("{checksum:016x}")))
}

/// Whether `name` is a folder this module writes: `gen-<8 digits>`, maybe `.partial`.
fn is_generation_folder(name: &str) -> bool {
    let digits = name.strip_prefix("gen-").map(|rest| rest.strip_suffix(".partial").unwrap_or(rest));
    digits.is_some_and(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Removes every generation folder except `keep`: the ones the latest commit does not name
/// (superseded, or written by a writer that died before committing) and half-written ones.
/// Only call it with the payload of a commit that was read successfully. Folders of any
/// other name are not ours and are left alone.
pub(crate) fn remove_others(root: &Path, keep: Option<&str>) {
    let Ok(entries) = fs::read_dir(vectors_root(root)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if is_generation_folder(&name)
            && Some(name.as_str()) != keep
            && let Err(error) = fs::remove_dir_all(entry.path())
        {
            tracing::warn!(%error, "cannot remove old vector generation {name}");
        }
    }
}

/// What [`PaperIndex::commit_generation`] committed.
pub(crate) struct Committed {
    /// The payload of the commit.
    pub payload: CommitPayload,
    /// What bringing the graphs up to date did, when there are vectors.
    pub graphs: Option<RefreshReport>,
}

impl PaperIndex {
    /// Starts writing, under the writer lock: the payload of the latest commit, with whatever
    /// an interrupted writer left (half-written or never committed generation folders) removed.
    pub(crate) fn begin_write(&self) -> Result<CommitPayload> {
        let payload = self.committed_payload()?;
        // A segment file changed on disk (bit rot, a bad copy) would be merged into the new
        // commit, spreading the damage: writers check every file's checksum first (no time
        // measurable on the whole corpus, PERFORMANCE.md "Session 31") and write nothing to a
        // damaged index.
        let damaged = self.index.validate_checksum()?;
        if !damaged.is_empty() {
            let mut names: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
            names.sort();
            return Err(IndexError::Corrupt {
                path: self.tantivy_dir(),
                reason: format!(
                    "{} segment files fail their checksums ({}): nothing was written; move the index folder away and \
                     ingest again into a new one",
                    names.len(),
                    names.join(", ")
                ),
            });
        }
        remove_others(&self.root, payload.vectors.as_deref());
        crate::lexicon::remove_others(&self.root, payload.lexicon.as_deref());
        Ok(payload)
    }

    /// Commits generation `number`, the one way every writer changes the index: the graphs
    /// take the set's new chunks and tombstones (rebuilt when tombstones pass
    /// [`crate::vectors::REBUILD_TOMBSTONE_RATIO`]), the vectors are written and synced as
    /// `vectors/gen-<number>/`, then the tantivy commit that deletes `delete`, replaces
    /// `replace` and names that folder in its payload switches everything at once. The
    /// folders of older generations are removed afterwards. `lexicon` is the lexicon file the
    /// commit names (already written, see [`crate::lexicon`]); `chunking` what it records of
    /// the live vectors' passages ([`CommitPayload::chunking`]).
    pub(crate) fn commit_generation(
        &self,
        number: u64,
        vectors: Option<&mut (VectorSet, HnswSearch)>,
        replace: &[&Paper],
        delete: &[&str],
        lexicon: CommittedLexicon,
        chunking: Option<u32>,
    ) -> Result<Committed> {
        let (written, graphs) = match vectors {
            Some((set, ann)) => {
                let graphs = ann.refresh(set).map_err(|e| corrupt(&self.root, e))?;
                (Some(write(&self.root, number, set, ann)?), Some(graphs))
            }
            None => (None, None),
        };
        let (name, vectors_checksum) = written.unzip();
        let payload = CommitPayload {
            generation: number,
            vectors: name,
            analysis: crate::analysis::ANALYSIS_VERSION,
            lexicon: lexicon.file,
            lexicon_lag: lexicon.lag,
            chunking,
            vectors_checksum,
        };
        let mut writer: tantivy::IndexWriter = self.index.writer(WRITER_HEAP_BYTES)?;
        // A process killed inside an earlier commit can leave files that no commit names, such
        // as the delete file this commit is about to write under the same name (same segment,
        // same operation number): tantivy refuses to overwrite it, and every later ingest
        // would fail the same way. Tantivy collects such files only after a commit succeeds.
        writer.garbage_collect_files().wait()?;
        writer.set_merge_policy(Box::new(merge_policy()));
        for id in delete {
            writer.delete_term(Term::from_field_text(self.fields.id, id));
        }
        for paper in replace {
            writer.delete_term(Term::from_field_text(self.fields.id, paper.id.as_str()));
            let doc = self.fields.document(paper).map_err(|e| IndexError::Corrupt {
                path: self.root.clone(),
                reason: format!("paper {} cannot be serialised: {e}", paper.id),
            })?;
            writer.add_document(doc)?;
        }
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&serde_json::to_string(&payload).unwrap_or_default());
        prepared.commit()?;
        writer.wait_merging_threads()?;
        share_commit_files(&self.root.join(crate::paper_index::TANTIVY_DIR));
        remove_others(&self.root, payload.vectors.as_deref());
        crate::lexicon::remove_others(&self.root, payload.lexicon.as_deref());
        Ok(Committed { payload, graphs })
    }

    /// Ends a write: this process's searches see the last commit, with `vectors` (what was
    /// committed last) instead of reading them back from disk.
    pub(crate) fn finish_write(&self, vectors: Option<(VectorSet, HnswSearch)>) -> Result<()> {
        if let Some((set, ann)) = vectors {
            let name = self.committed_payload()?.vectors.unwrap_or_default();
            let graph = CompactGraph::from_hnsw(&ann, &set).map_err(|e| corrupt(&self.root, e))?;
            drop(ann);
            self.set_vectors(Some(std::sync::Arc::new(Vectors::new(name, set, graph))));
        }
        self.refresh_lexicon();
        self.reload()
    }
}

/// The files tantivy writes by renaming a temporary file into place (its commit record
/// `meta.json` and its list of files `.managed.json`) are made only for their owner (0600),
/// whatever the umask; every other file of the index is made as the umask says. An index
/// built by one user (a cron job's ingest) then could not be opened by another (the server's),
/// and the error called it damaged. After each commit they take the mode a new file here gets.
pub(crate) fn share_commit_files(tantivy_dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let probe = tantivy_dir.join(".paperdex-mode-probe");
        let Ok(mode) = fs::File::create(&probe).and_then(|f| f.metadata()).map(|m| m.permissions().mode()) else {
            return;
        };
        let _ = fs::remove_file(&probe);
        for name in ["meta.json", ".managed.json"] {
            let path = tantivy_dir.join(name);
            if let Ok(meta) = fs::metadata(&path)
                && meta.permissions().mode() & 0o777 != mode & 0o777
            {
                // Best effort: a file another user owns keeps its mode, and the index is sound.
                let _ = fs::set_permissions(&path, fs::Permissions::from_mode(mode & 0o777));
            }
        }
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir).and_then(|f| f.sync_all()).map_err(IndexError::io(dir))
}

fn corrupt(root: &Path, error: impl std::fmt::Display) -> IndexError {
    IndexError::Corrupt { path: root.to_path_buf(), reason: error.to_string() }
}

/// A failure to write a generation's files: a disk that is full or refuses is no damage to
/// the index (nothing it holds was touched), and is said as what it is.
fn write_failed(root: &Path, error: VectorError) -> IndexError {
    match error {
        VectorError::Io { path, source } => IndexError::Io { path, source },
        other => corrupt(root, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors::{ExactSearch, NearestNeighbours};

    #[test]
    fn segments_above_the_merge_cap_are_never_merged_again_and_small_ones_still_are() {
        use tantivy::index::SegmentId;
        use tantivy::merge_policy::MergePolicy;
        let index = tantivy::Index::create_in_ram(tantivy::schema::Schema::builder().build());
        let segments = |count: usize, papers: usize| -> Vec<tantivy::index::SegmentMeta> {
            (0..count).map(|_| index.new_segment_meta(SegmentId::generate_random(), papers as u32)).collect()
        };
        let policy = merge_policy();
        // Eight large segments: the default policy would merge them into one (the 1M ingest's
        // memory peak); the cap leaves them.
        assert!(policy.compute_merge_candidates(&segments(8, MAX_PAPERS_BEFORE_MERGE + 1)).is_empty());
        assert!(
            !tantivy::merge_policy::LogMergePolicy::default()
                .compute_merge_candidates(&segments(8, MAX_PAPERS_BEFORE_MERGE + 1))
                .is_empty()
        );
        // Eight small ones (a long ingest's generations) are merged as before.
        assert_eq!(policy.compute_merge_candidates(&segments(8, 1_000)).len(), 1);
    }

    #[test]
    fn a_small_set_is_searched_exactly_whatever_the_graphs_would_say() {
        // 2,000 pseudo-random passages: below FULL_SCAN_THRESHOLD the answer must be the
        // exact one, whatever the graphs would say.
        let mut rng = fastrand::Rng::with_seed(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.f32() - 0.5;
        let mut set = VectorSet::new("test", 16);
        for i in 0..2_000 {
            let mut v: Vec<f32> = (0..16).map(|_| next()).collect();
            paperdex_embed::normalize(&mut v);
            set.push(&format!("2601.{i:05}"), if i % 3 == 0 { Lang::Zh } else { Lang::En }, &v).expect("push");
        }
        let graph = CompactGraph::from_hnsw(&HnswSearch::build(&set), &set).expect("compact graph");
        let exact = ExactSearch::build(&set);
        let vectors = Vectors::new("gen-1".into(), set, graph);
        for _ in 0..20 {
            let query: Vec<f32> = (0..16).map(|_| next()).collect();
            for lang in [Lang::Zh, Lang::En] {
                assert_eq!(vectors.nearest(&query, 50, lang), exact.search(&query, 50, lang));
            }
        }
    }

    #[test]
    fn a_filtered_vector_search_returns_only_admitted_passages_whether_it_scans_or_walks_the_graph() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut next = move || rng.f32() - 0.5;
        let mut set = VectorSet::new("test", 16);
        for i in 0..3_000 {
            let mut v: Vec<f32> = (0..16).map(|_| next()).collect();
            paperdex_embed::normalize(&mut v);
            set.push(&format!("2601.{i:05}"), Lang::En, &v).expect("push");
        }
        let graph = CompactGraph::from_hnsw(&HnswSearch::build(&set), &set).expect("compact graph");
        let vectors = Vectors::new("gen-1".into(), set, graph);
        // Every 20th paper: a filter keeping 5%.
        let kept: Vec<String> = (0..3_000).step_by(20).map(|i| format!("2601.{i:05}")).collect();
        let admitted = AdmittedPassages::of(&vectors, kept.iter().map(String::as_str));
        let is_kept = |id: u32| vectors.set.get(id).is_some_and(|c| kept.iter().any(|k| k == c.paper_id));
        let (mut found, mut wanted) = (0, 0);
        for _ in 0..20 {
            let query: Vec<f32> = (0..16).map(|_| next()).collect();
            let scanned = vectors.nearest_admitted_scanning(&query, 10, Lang::En, &admitted, usize::MAX);
            assert_eq!(scanned.len(), 10);
            assert!(scanned.iter().all(|&(id, _)| is_kept(id)), "the scan returned a passage outside the filter");
            let walked = vectors.nearest_admitted_scanning(&query, 10, Lang::En, &admitted, 0);
            assert_eq!(walked.len(), 10, "the filtered graph walk must still fill the page");
            assert!(walked.iter().all(|&(id, _)| is_kept(id)), "the graph walk returned a passage outside the filter");
            wanted += scanned.len();
            found += walked.iter().filter(|w| scanned.iter().any(|s| s.0 == w.0)).count();
        }
        // The scan is exact; the graph walk approximates it.
        assert!(found as f64 / wanted as f64 >= 0.9, "filtered graph recall {found}/{wanted}");
    }

    #[test]
    fn a_filter_named_by_the_papers_it_leaves_out_admits_the_same_passages() {
        let mut set = VectorSet::new("test", 4);
        for i in 0..40 {
            let lang = if i % 3 == 0 { Lang::Zh } else { Lang::En };
            set.push(&format!("2601.{:05}", i / 2), lang, &[1.0, 0.0, 0.0, 0.0]).expect("push");
        }
        // A paper whose passages are all gone (left out too), and one the set never held.
        set.delete_paper("2601.00003");
        let graph = CompactGraph::from_hnsw(&HnswSearch::build(&set), &set).expect("compact graph");
        let vectors = Vectors::new("gen-1".into(), set, graph);
        let left_out = ["2601.00001", "2601.00003", "2601.00019", "2601.99999"];
        let kept: Vec<String> =
            (0..20).map(|i| format!("2601.{i:05}")).filter(|id| !left_out.contains(&id.as_str())).collect();
        let named = AdmittedPassages::of(&vectors, kept.iter().map(String::as_str));
        let complement = AdmittedPassages::all_but(&vectors, left_out);
        assert_eq!(complement.ids, named.ids);
        assert_eq!(complement.papers, named.papers);
        assert_eq!(complement.papers, 17);
        for chunk in vectors.set.iter().filter(|chunk| !chunk.deleted) {
            let id = chunk.id as usize;
            assert_eq!(complement.admitted[id], named.admitted[id], "{}", chunk.paper_id);
        }
    }
}
