//! Ingest: files in, papers merged by id, a commit per batch out.
//!
//! Every file is read and parsed on its own; a file that cannot be read or parsed, and every
//! rejected record inside a good file, is reported by name with the reason, and the rest of
//! the work goes on. Files are read in batches (as many as name
//! [`PaperIndex::with_papers_per_generation`] papers); each batch is merged into the stored
//! papers and its changed papers written as one generation (one commit) before the next batch
//! is read (see `ingest_records`), so memory does not grow with the number of files: an
//! interrupted ingest keeps the batches it committed, and the index is always as it was at
//! some commit.
//!
//! Embedding runs on its own thread, one batch ahead of the writer, and gives the model each
//! batch's passages in one call (see `embed_papers`). A changed paper's passages whose text did
//! not change keep their stored vectors instead ([`PaperIndex::stored_passage_vectors`]): a
//! vector depends on its text alone, so that is exactly the vector the model would make.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};
use std::time::Instant;

use paperdex_core::{Lang, MAX_FILE_BYTES, Paper, parse_bytes};
use paperdex_embed::{EmbedError, Embedder, Role, chunk};
use serde::Serialize;

use crate::error::{IndexError, Result};
use crate::generation::{self, CommitPayload};
use crate::ingest_records::{RecordSource, RecordsRead};
use crate::lock::WriterLock;
use crate::paper_index::PaperIndex;
use crate::vectors::{HnswSearch, VectorSet};

/// A file that could not be used, and why.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedFile {
    /// The file (or folder) as found.
    pub path: String,
    /// Why it was rejected.
    pub reason: String,
}

/// A record inside a file that could not be used, and why.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedRecord {
    /// The file holding it.
    pub path: String,
    /// Its 1-based position among the file's records.
    pub position: usize,
    /// Its line, when known.
    pub line: Option<usize>,
    /// Why it was rejected.
    pub reason: String,
}

/// A record that was indexed with something its reader should know, and what.
#[derive(Debug, Clone, Serialize)]
pub struct RecordWarning {
    /// The file holding it.
    pub path: String,
    /// Its 1-based position among the file's records, when known (the parser's warnings);
    /// `None` for what the merge found ([`paperdex_core::Record::lost_since`]), where the
    /// message names the paper.
    pub position: Option<usize>,
    /// Its line, when known.
    pub line: Option<usize>,
    /// The paper it is about.
    pub paper: String,
    /// What happened and why.
    pub message: String,
    /// The record is as an earlier ingest read it (its paper did not change): this warning was
    /// given then. A daily job reading the same files again is not told the same 91 things
    /// every day (`ingest` prints how many repeat, `--json` lists them).
    pub repeated: bool,
}

/// A file an ingest found no longer listing papers it listed when read before: read again
/// without them, gone from the folder read, or unreadable. They keep what it said: an ingest
/// adds and never takes back, since a file rewritten each day with the day's papers (a
/// rolling digest) would otherwise take back every earlier day's, and a file deleted from a
/// folder or half downloaded would take back papers nobody meant to remove.
/// `paperdex remove --source` takes back what the file said, and an ingest of it then adds
/// what it says now.
#[derive(Debug, Clone, Serialize)]
pub struct NoLongerListed {
    /// The file, as the index names it.
    pub path: String,
    /// The papers it listed before and not now, by id, in id order.
    pub papers: Vec<String>,
    /// What became of the file.
    pub change: FileChange,
}

/// What became of a file whose papers an ingest found it no longer listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileChange {
    /// Read again, it lists other papers or none.
    Rewritten,
    /// It is no longer under the folder read, or where it was named (deleted, moved or
    /// renamed).
    Gone,
    /// It could not be read this time (the reason is among the rejected files).
    Unreadable,
    /// Some of its records were rejected this time (a file cut short, a record broken): the
    /// papers it no longer lists may be in the part that could not be read.
    ReadInPart,
}

/// What an ingest did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    /// Files read and parsed (possibly with some records rejected).
    pub files_read: usize,
    /// Files that could not be used at all.
    pub rejected_files: Vec<RejectedFile>,
    /// Records rejected inside otherwise good files.
    pub rejected_records: Vec<RejectedRecord>,
    /// Records accepted with a warning: part of their text left out, or a paper named again
    /// in the same file (see [`paperdex_core::RecordWarning`]).
    pub record_warnings: Vec<RecordWarning>,
    /// Files that no longer list papers they listed before: read again without them, gone,
    /// unreadable, or read only in part.
    pub no_longer_listed: Vec<NoLongerListed>,
    /// Records accepted.
    pub records: usize,
    /// Papers the index did not have before.
    pub papers_new: usize,
    /// Papers that were there and changed (new text or a new source).
    pub papers_updated: usize,
    /// Papers that were read again with nothing new.
    pub papers_unchanged: usize,
    /// Papers in the index afterwards.
    pub papers_total: u64,
    /// Papers whose passages were embedded.
    pub papers_embedded: usize,
    /// Passages embedded.
    pub chunks_embedded: usize,
    /// Passages of changed papers whose text did not change: they kept their stored vectors
    /// instead of being embedded again.
    pub chunks_reused: usize,
    /// Papers whose text changed with no model to embed it: their vectors went with the old
    /// text, and meaning search misses them until an ingest with the model embeds them.
    pub papers_unembedded: usize,
    /// Seconds from the start of writing until the last vectors arrived: the model's time,
    /// with what it waited for (parsing, the first session); not the lexicon learned after.
    pub embed_seconds: f64,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Why the ingest learned the bilingual lexicon again ([`crate::LearnedBecause`]); `None`
    /// when it kept it.
    pub lexicon_learned_because: Option<String>,
}

impl IngestReport {
    /// Whether any file or record was rejected.
    pub fn had_rejections(&self) -> bool {
        !self.rejected_files.is_empty() || !self.rejected_records.is_empty()
    }
}

/// Hears about ingest progress (the CLI draws a progress bar with it).
pub trait IngestObserver {
    /// The files to read have been listed.
    fn files_found(&mut self, _total: usize) {}
    /// One file was handled; `problem` is set when it was rejected.
    fn file_done(&mut self, _path: &Path, _problem: Option<&str>) {}
    /// A batch of `papers` changed papers is being written (and embedded where needed); an
    /// ingest writes a batch as soon as it has read files naming enough papers for one.
    fn writing(&mut self, _papers: usize) {}
    /// Embedding progress, reported after every model call.
    fn embedding(&mut self, _progress: &EmbedProgress) {}
    /// The bilingual lexicon is being learned again from every paper: the last step of a
    /// write, tens of seconds on a large index with nothing else to report.
    fn learning_lexicon(&mut self) {}
    /// A generation was committed: the index now holds `papers` papers, whatever happens to
    /// the rest of the write.
    fn committed(&mut self, _papers: u64) {}
}

/// An observer that ignores everything.
pub struct Quiet;

impl IngestObserver for Quiet {}

impl PaperIndex {
    /// Reads every file under `paths` (folders recursively), merges their records into the
    /// papers of this index and commits the changes.
    /// With an `embedder`, papers whose text is new get passage vectors; without one, keyword
    /// search sees every change and stale vectors are dropped.
    pub fn ingest(
        &self,
        paths: &[PathBuf],
        embedder: Option<&dyn Embedder>,
        observer: &mut dyn IngestObserver,
    ) -> Result<IngestReport> {
        let started = Instant::now();
        let _lock = WriterLock::acquire(&self.root)?;
        let mut report = IngestReport::default();
        let files = list_files(paths, &mut report.rejected_files);
        for rejected in &report.rejected_files {
            observer.file_done(Path::new(&rejected.path), Some(&rejected.reason));
        }
        observer.files_found(files.len());
        // A folder read (or named and missing) is read whole: a file the index holds from
        // under it and not read now is gone from it.
        let folders = paths
            .iter()
            .filter(|path| path.is_dir() || !path.exists())
            .map(|path| same_file(path).display().to_string())
            .collect();
        let mut source = Files { files: files.into_iter(), folders };
        self.merge_and_write(&mut source, embedder, observer, &mut report)
            .map_err(|error| crate::error::with_full_disk_named(&self.root, error))?;
        report.papers_total = self.len();
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// A private copy of the current vectors to change, or a fresh set when there are none
    /// (or they came from another model, or their file is damaged, and must be remade: every
    /// paper is embedded again).
    pub(crate) fn writable_vectors(
        &self,
        payload: &CommitPayload,
        embedder: Option<&dyn Embedder>,
    ) -> Result<Option<(VectorSet, HnswSearch)>> {
        let current = match &payload.vectors {
            Some(name) => match generation::load_writable(&self.root, name, payload.vectors_checksum.as_deref())? {
                generation::Writable::Loaded(current) => Some(*current),
                generation::Writable::Lost(reason) if embedder.is_some() => {
                    tracing::warn!("the index's vectors are lost ({reason}): every paper is embedded again");
                    None
                }
                // Without the model, the damaged generation stays as it is, for an ingest
                // that can embed again.
                generation::Writable::Lost(reason) => {
                    return Err(corrupt(
                        &self.root,
                        format!(
                            "its vectors are lost ({reason}); ingest again with the model to embed every paper again"
                        ),
                    ));
                }
            },
            None => None,
        };
        Ok(match (current, embedder) {
            (Some((set, ann)), Some(e)) if set.model() == e.model_name() && set.dims() == e.dimensions() => {
                Some((set, ann))
            }
            (Some(current), None) => Some(current),
            (_, Some(e)) => {
                let set = VectorSet::new(e.model_name(), e.dimensions());
                let ann = HnswSearch::build(&set);
                Some((set, ann))
            }
            (None, None) => None,
        })
    }
}

/// The files of an ingest, read and parsed one at a time.
struct Files {
    files: std::vec::IntoIter<PathBuf>,
    /// The folders given, as the index names paths.
    folders: Vec<String>,
}

impl RecordSource for Files {
    fn folders(&self) -> &[String] {
        &self.folders
    }

    fn next_records(&mut self, report: &mut IngestReport, observer: &mut dyn IngestObserver) -> Option<RecordsRead> {
        let file = self.files.next()?;
        let reject = |report: &mut IngestReport, observer: &mut dyn IngestObserver, reason: String| {
            observer.file_done(&file, Some(&reason));
            report.rejected_files.push(RejectedFile { path: file.display().to_string(), reason });
            Some(RecordsRead { file: None, records: Vec::new() })
        };
        let bytes = match read_file(&file) {
            Ok(bytes) => bytes,
            Err(reason) => return reject(report, observer, reason),
        };
        let parsed = match parse_bytes(&file.display().to_string(), &bytes) {
            Ok(parsed) => parsed,
            Err(error) => return reject(report, observer, error.to_string()),
        };
        report.files_read += 1;
        report.records += parsed.records.len();
        report.rejected_records.extend(parsed.rejected.into_iter().map(|r| RejectedRecord {
            path: file.display().to_string(),
            position: r.position,
            line: r.line,
            reason: r.reason,
        }));
        report.record_warnings.extend(parsed.warnings.into_iter().map(|w| RecordWarning {
            path: file.display().to_string(),
            position: Some(w.position),
            line: w.line,
            paper: w.paper.to_string(),
            message: w.message,
            repeated: false,
        }));
        observer.file_done(&file, None);
        Some(RecordsRead { file: Some(file.display().to_string()), records: parsed.records })
    }
}

/// Progress messages the embedding thread may send ahead of the writer (one per model batch
/// of 8 passages): while the writer commits a generation, the model goes on with the next
/// one's passages and must not wait for the writer to read its progress.
pub(crate) const PROGRESS_BACKLOG: usize = 1024;

/// How far embedding has come.
///
/// Passages are embedded in order of length across a batch of papers, so a paper is done only
/// when its last passage is: count time left in passages, not papers.
#[derive(Debug, Clone)]
pub struct EmbedProgress {
    /// Papers whose every passage is embedded.
    pub papers_done: usize,
    /// Papers to embed in all.
    pub papers_total: usize,
    /// Passages embedded.
    pub passages_done: usize,
    /// Passages to embed in all.
    pub passages_total: usize,
    started: Instant,
}

impl EmbedProgress {
    pub(crate) fn new(papers_total: usize, passages_total: usize) -> EmbedProgress {
        EmbedProgress { papers_done: 0, papers_total, passages_done: 0, passages_total, started: Instant::now() }
    }

    /// Seconds since embedding started (0 before anything was embedded).
    pub fn seconds(&self) -> f64 {
        if self.passages_done == 0 { 0.0 } else { self.started.elapsed().as_secs_f64() }
    }

    /// Seconds left at the rate so far, once there is a rate.
    pub fn seconds_left(&self) -> Option<f64> {
        let seconds = self.seconds();
        (self.passages_done > 0 && seconds > 0.0).then(|| {
            let rate = self.passages_done as f64 / seconds;
            self.passages_total.saturating_sub(self.passages_done) as f64 / rate
        })
    }
}

/// One passage's language and vector.
pub(crate) struct PassageVector {
    pub lang: Lang,
    pub vector: Vec<f32>,
    /// The vector the index already held for this passage's text (kept bit for bit), rather
    /// than one the model just made.
    pub stored: bool,
}

/// One paper's passages, in passage order.
pub(crate) type PassageVectors = Vec<PassageVector>;

/// Vectors the index holds, by the text of the passage they were made from.
pub(crate) type StoredVectors = HashMap<String, Vec<f32>>;

impl PaperIndex {
    /// The vectors `set` holds for the passages of `papers` as stored now, by passage text: what
    /// re-embedding a changed paper can keep for its passages whose text did not change.
    ///
    /// A paper's live vectors are its stored text's passages in order (one commit writes both),
    /// provided today's [`chunk`] cut them: the caller checks the index's recorded
    /// [`paperdex_embed::CHUNKING_VERSION`]. A paper whose passages and vectors do not pair up
    /// (in number, or language by language) offers none. `set` must be the committed set that
    /// this index's searcher sees.
    pub(crate) fn stored_passage_vectors(&self, set: &VectorSet, papers: &[Paper]) -> StoredVectors {
        let searcher = self.searcher();
        let mut stored = StoredVectors::new();
        for paper in papers {
            let live: Vec<_> = set.live_chunks_of(paper.id.as_str()).collect();
            if live.is_empty() {
                continue;
            }
            let Ok(before) = self.paper_by_id_in(&searcher, paper.id.as_str()) else { continue };
            let passages = chunk(&before);
            if passages.len() != live.len() || passages.iter().zip(&live).any(|(p, c)| p.lang != c.lang) {
                continue;
            }
            for (passage, vector) in passages.into_iter().zip(live) {
                stored.insert(passage.text, vector.vector.to_vec());
            }
        }
        stored
    }
}

/// What the embedding thread tells the writer.
pub(crate) enum Embedded {
    /// A batch's passages the model will embed (those not keeping a stored vector), told
    /// before any is embedded: what the progress counts.
    Planned { passages: usize },
    /// `passages` more passages are done, completing `papers` more papers.
    Progress { passages: usize, papers: usize },
    /// A batch is done: each of its papers' passage vectors, in the order the papers came.
    Batch(Result<Vec<PassageVectors>>),
}

/// Embeds the passages of `papers` and sends progress and then the batch to the writer.
/// Returns false when the writer is gone or the model failed (the error was sent).
///
/// A passage whose text is in `stored` keeps that vector; the rest go to the model in one call,
/// which reports each passage as it is done ([`Embedder::embed_reporting`]): calls of 32
/// passages left a session idle at the end of every call (PERFORMANCE.md, "Session 17"). They
/// go in paper order, so papers are done one after another for the progress line.
pub(crate) fn embed_papers(
    embedder: &dyn Embedder,
    papers: &[&Paper],
    stored: &StoredVectors,
    sender: &SyncSender<Embedded>,
) -> bool {
    let chunked: Vec<Vec<paperdex_embed::Chunk>> = papers.iter().map(|p| chunk(p)).collect();
    let mut slots: Vec<Vec<Option<PassageVector>>> = chunked.iter().map(|c| c.iter().map(|_| None).collect()).collect();
    // The passages left for the model, as (paper, passage number, chunk), so each vector goes
    // back to its place.
    let mut flat: Vec<(usize, usize, &paperdex_embed::Chunk)> = Vec::new();
    for (i, chunks) in chunked.iter().enumerate() {
        for (n, chunk) in chunks.iter().enumerate() {
            match stored.get(&chunk.text) {
                Some(vector) => {
                    slots[i][n] = Some(PassageVector { lang: chunk.lang, vector: vector.clone(), stored: true })
                }
                None => flat.push((i, n, chunk)),
            }
        }
    }
    // Passages still to embed, per paper: a paper is done when its count reaches zero. Papers
    // with nothing left for the model (no passages, or all stored) are done before anything
    // is embedded.
    let mut left = vec![0usize; chunked.len()];
    for &(paper, _, _) in &flat {
        left[paper] += 1;
    }
    let done_already = left.iter().filter(|&&n| n == 0).count();
    if sender.send(Embedded::Planned { passages: flat.len() }).is_err()
        || (done_already > 0 && sender.send(Embedded::Progress { passages: 0, papers: done_already }).is_err())
    {
        return false;
    }
    let remaining = std::sync::Mutex::new(left);
    let report = |positions: &[usize]| {
        let Ok(mut remaining) = remaining.lock() else { return false };
        let mut papers_done = 0;
        for &position in positions {
            let paper = flat[position].0;
            remaining[paper] -= 1;
            if remaining[paper] == 0 {
                papers_done += 1;
            }
        }
        // The writer gone (an error, or the user stopped) stops the model too.
        sender.send(Embedded::Progress { passages: positions.len(), papers: papers_done }).is_ok()
    };
    let texts: Vec<&str> = flat.iter().map(|(_, _, c)| c.text.as_str()).collect();
    let embedded =
        if texts.is_empty() { Ok(Vec::new()) } else { embedder.embed_reporting(&texts, Role::Passage, &report) };
    let vectors = match embedded {
        Ok(vectors) if vectors.len() == texts.len() => vectors,
        Ok(vectors) => {
            let reason = format!("the model returned {} vectors for {} passages", vectors.len(), texts.len());
            let _ = sender.send(Embedded::Batch(Err(IndexError::Embed(EmbedError::Model(reason)))));
            return false;
        }
        Err(error) => {
            let _ = sender.send(Embedded::Batch(Err(IndexError::Embed(error))));
            return false;
        }
    };
    for (&(paper, n, chunk), vector) in flat.iter().zip(vectors) {
        slots[paper][n] = Some(PassageVector { lang: chunk.lang, vector, stored: false });
    }
    let batch = slots.into_iter().map(|passages| passages.into_iter().flatten().collect()).collect();
    sender.send(Embedded::Batch(Ok(batch))).is_ok()
}

/// Puts one paper's embedded passages into `set`, in passage order (a stored vector is kept
/// bit for bit); returns how many the model made and how many were stored ones.
pub(crate) fn push_passages(
    set: &mut VectorSet,
    root: &Path,
    id: &str,
    passages: PassageVectors,
) -> Result<(usize, usize)> {
    let (mut made, mut kept) = (0, 0);
    for passage in passages {
        let pushed = if passage.stored {
            kept += 1;
            set.push_stored(id, passage.lang, &passage.vector)
        } else {
            made += 1;
            set.push(id, passage.lang, &passage.vector)
        };
        pushed.map_err(|e| corrupt(root, e))?;
    }
    Ok((made, kept))
}

/// Reports progress until the embedding thread hands over its next batch.
pub(crate) fn receive_batch(
    receiver: &Receiver<Embedded>,
    progress: &mut EmbedProgress,
    observer: &mut dyn IngestObserver,
) -> Result<Vec<PassageVectors>> {
    loop {
        match receiver.recv() {
            Ok(Embedded::Planned { passages }) => progress.passages_total += passages,
            Ok(Embedded::Progress { passages, papers }) => {
                progress.passages_done += passages;
                progress.papers_done += papers;
                observer.embedding(progress);
            }
            Ok(Embedded::Batch(batch)) => return batch,
            Err(_) => {
                return Err(IndexError::Embed(EmbedError::Model("the embedding thread stopped".into())));
            }
        }
    }
}

pub(crate) fn corrupt(root: &Path, error: impl std::fmt::Display) -> IndexError {
    IndexError::Corrupt { path: root.to_path_buf(), reason: error.to_string() }
}

/// Expands folders into their files (sorted, hidden entries skipped), keeping the order the
/// user gave. Missing paths and unreadable folders are rejected by name, and so is a folder
/// holding no file: a day's download that never arrived must not pass for an ingest of it.
/// A file named twice (a folder given twice, or a folder and a file in it) is read once and,
/// if it cannot be read, reported once.
fn list_files(paths: &[PathBuf], rejected: &mut Vec<RejectedFile>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut refused = Vec::new();
    for path in paths {
        let found = (files.len(), refused.len());
        if crate::paper_index::is_index_folder(path) {
            refused.push(RejectedFile {
                path: path.display().to_string(),
                reason: "a paperdex index folder holds no papers to read".into(),
            });
            continue;
        }
        let mut passed = 0;
        collect(path, &mut files, &mut refused, &mut passed, &mut HashSet::new());
        if (files.len(), refused.len()) == found {
            // A folder of backups alone is told apart from an empty one: the files are there.
            let reason = match passed {
                0 => "the folder holds no file".to_string(),
                n => format!(
                    "the folder holds no file to read: {n} passed over (hidden, an editor's backup or an unfinished \
                     download; name one to read it)"
                ),
            };
            refused.push(RejectedFile { path: path.display().to_string(), reason });
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    let mut reported = std::collections::HashSet::new();
    rejected.extend(refused.into_iter().filter(|r| reported.insert(same_file(Path::new(&r.path)))));
    files
}

/// One spelling for every name of a file, even one that cannot be opened (a broken link):
/// its folder resolved, then its own name.
pub(crate) fn same_file(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        match (absolute.parent().map(fs::canonicalize), absolute.file_name()) {
            (Some(Ok(folder)), Some(name)) => folder.join(name),
            _ => absolute,
        }
    })
}

/// Adds the files at `path` (a file, or every file under a folder) to `files`; counts the
/// entries [`passed_over`] in `passed`. A folder is listed once whatever leads to it
/// (`visited`, by its resolved path): a linked folder is read as the user linked it, and a link
/// back up the tree ends there instead of looping.
fn collect(
    path: &Path,
    files: &mut Vec<PathBuf>,
    rejected: &mut Vec<RejectedFile>,
    passed: &mut usize,
    visited: &mut HashSet<PathBuf>,
) {
    let reject = |rejected: &mut Vec<RejectedFile>, reason: String| {
        rejected.push(RejectedFile { path: path.display().to_string(), reason })
    };
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        // `-` is standard input to many tools; ingest reads files only.
        Err(_) if path == Path::new("-") => {
            return reject(
                rejected,
                "reading papers from standard input is not supported: give files or folders".into(),
            );
        }
        Err(e) => return reject(rejected, format!("cannot read: {e}")),
    };
    if meta.is_file() {
        // Absolute paths identify a source however it was named on the command line.
        files.push(same_file(path));
        return;
    }
    if !meta.is_dir() {
        return reject(rejected, "not a regular file or folder".into());
    }
    if !visited.insert(fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())) {
        return;
    }
    let entries = match fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => return reject(rejected, format!("cannot list folder: {e}")),
    };
    let mut children = Vec::new();
    for entry in entries.flatten() {
        if passed_over(&entry.file_name().to_string_lossy()) {
            *passed += 1;
        } else {
            children.push(entry.path());
        }
    }
    children.sort();
    for child in children {
        // An index folder inside is passed over (`paperdex ingest .` beside its default
        // `index/` read the index's own files and rejected 15 of them).
        if crate::paper_index::is_index_folder(&child) {
            continue;
        }
        collect(&child, files, rejected, passed, visited);
    }
}

/// Whether a folder's entry named `name` is left unread: hidden files, and the copies editors
/// and browsers leave beside a file (`report.md~`, `#report.md#`, `report.md.bak`, `.orig`,
/// `.tmp`, a download still under way as `.part` or `.crdownload`). Read, such a copy is one
/// more source of the papers its file names, with yesterday's text or half of it, which no
/// later ingest of the real file takes away. A file named on the command line is read
/// whatever its name.
fn passed_over(name: &str) -> bool {
    const COPIES: [&str; 5] = [".bak", ".orig", ".tmp", ".part", ".crdownload"];
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || COPIES.iter().any(|suffix| lower.ends_with(suffix))
}

/// Reads a file, refusing anything larger than [`MAX_FILE_BYTES`] before reading it.
fn read_file(path: &Path) -> std::result::Result<Vec<u8>, String> {
    let file = fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let size = file.metadata().map_err(|e| format!("cannot read: {e}"))?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "file is {:.1} MiB, over the {} MiB limit for one input file",
            size as f64 / (1024.0 * 1024.0),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // Read one byte past the limit so a file that grew since `metadata` is still caught.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("file is over the {} MiB limit for one input file", MAX_FILE_BYTES / (1024 * 1024)));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_folder_is_never_read_as_papers() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("2026-02-05.json"), "[]").expect("file");
        let index = dir.path().join("index");
        fs::create_dir_all(index.join("tantivy")).expect("folders");
        fs::write(index.join("tantivy/meta.json"), "{}").expect("meta");
        fs::write(index.join("writer.lock"), "25195").expect("lock");
        let mut rejected = Vec::new();
        let files = list_files(&[dir.path().to_path_buf()], &mut rejected);
        assert_eq!(files, [same_file(&dir.path().join("2026-02-05.json"))]);
        assert!(rejected.is_empty(), "{rejected:?}");
        // Named, it or a part of it is refused as what it is.
        let files = list_files(&[index.clone(), index.join("tantivy")], &mut rejected);
        assert!(files.is_empty());
        assert_eq!(rejected.len(), 2);
        assert!(rejected.iter().all(|r| r.reason.contains("index folder")), "{rejected:?}");
        // An index that lost its commit record is still no papers.
        fs::remove_file(index.join("tantivy/meta.json")).expect("remove");
        let mut rejected = Vec::new();
        assert_eq!(list_files(&[dir.path().to_path_buf()], &mut rejected).len(), 1);
        assert!(rejected.is_empty(), "{rejected:?}");
    }

    #[test]
    fn a_folder_named_twice_is_read_once_and_its_bad_entries_reported_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("reports");
        fs::create_dir(&folder).expect("folder");
        fs::write(folder.join("a.md"), "# a").expect("file");
        std::os::unix::fs::symlink(dir.path().join("gone"), folder.join("broken.md")).expect("link");
        let also = folder.join(".").join("a.md");
        let mut rejected = Vec::new();
        let files = list_files(&[folder.clone(), folder.join("."), also], &mut rejected);
        assert_eq!(files, [fs::canonicalize(folder.join("a.md")).expect("exists")]);
        let reported: Vec<&str> = rejected.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(reported, [folder.join("broken.md").display().to_string()], "{rejected:?}");
        assert!(rejected[0].reason.starts_with("cannot read"), "{}", rejected[0].reason);
    }

    #[test]
    fn a_dash_is_told_that_standard_input_is_not_read() {
        let mut rejected = Vec::new();
        assert!(list_files(&[PathBuf::from("-")], &mut rejected).is_empty());
        assert!(rejected[0].reason.contains("standard input is not supported"), "{rejected:?}");
    }

    #[test]
    fn a_linked_folder_is_read_and_a_link_back_up_the_tree_ends_there() {
        // The digests of a year kept elsewhere, linked into the folder a cron job ingests; and a
        // link to the folder itself, which must not loop.
        let dir = tempfile::tempdir().expect("temp dir");
        let elsewhere = dir.path().join("archive/2025");
        fs::create_dir_all(&elsewhere).expect("archive");
        fs::write(elsewhere.join("2025-12-31.md"), "# a").expect("file");
        let daily = dir.path().join("daily");
        fs::create_dir(&daily).expect("daily");
        fs::write(daily.join("2026-01-01.md"), "# b").expect("file");
        std::os::unix::fs::symlink(&elsewhere, daily.join("2025")).expect("link");
        std::os::unix::fs::symlink(&daily, daily.join("again")).expect("link back");
        let mut rejected = Vec::new();
        let mut files = list_files(std::slice::from_ref(&daily), &mut rejected);
        files.sort();
        let mut expected = vec![same_file(&elsewhere.join("2025-12-31.md")), same_file(&daily.join("2026-01-01.md"))];
        expected.sort();
        assert_eq!(files, expected);
        assert!(rejected.is_empty(), "{rejected:?}");
    }

    #[test]
    fn editors_backups_and_unfinished_downloads_in_a_folder_are_passed_over_unless_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let names = [
            "2026-02-05.md",
            "2026-02-05.md~",
            "#2026-02-05.md#",
            "2026-02-05.md.bak",
            "2026-02-05.md.ORIG",
            "2026-02-06.json.part",
            "2026-02-06.json.crdownload",
            "notes.tmp",
            ".2026-02-05.md.swp",
        ];
        for name in names {
            fs::write(dir.path().join(name), "x").expect("file");
        }
        let mut rejected = Vec::new();
        let files = list_files(&[dir.path().to_path_buf()], &mut rejected);
        assert_eq!(files, [same_file(&dir.path().join("2026-02-05.md"))]);
        assert!(rejected.is_empty(), "{rejected:?}");
        let backup = dir.path().join("2026-02-05.md~");
        assert_eq!(list_files(std::slice::from_ref(&backup), &mut rejected), [same_file(&backup)], "named");
    }

    #[test]
    fn a_folder_with_no_file_in_it_is_named_as_rejected() {
        let dir = tempfile::tempdir().expect("temp dir");
        let empty = dir.path().join("2026-12-04");
        fs::create_dir_all(empty.join("nothing-here-either")).expect("folders");
        fs::write(empty.join(".hidden"), "x").expect("hidden file");
        let mut rejected = Vec::new();
        assert!(list_files(std::slice::from_ref(&empty), &mut rejected).is_empty());
        let reported: Vec<(&str, &str)> = rejected.iter().map(|r| (r.path.as_str(), r.reason.as_str())).collect();
        assert_eq!(
            reported,
            [(
                empty.display().to_string().as_str(),
                "the folder holds no file to read: 1 passed over (hidden, an editor's backup or an unfinished \
                 download; name one to read it)"
            )]
        );
        let bare = dir.path().join("bare");
        fs::create_dir(&bare).expect("folder");
        let mut rejected = Vec::new();
        assert!(list_files(std::slice::from_ref(&bare), &mut rejected).is_empty());
        assert_eq!(rejected[0].reason, "the folder holds no file");
    }
}
