//! Ingest: files in, papers merged by id, one commit out.
//!
//! Every file is read and parsed on its own; a file that cannot be read or parsed, and every
//! rejected record inside a good file, is reported by name with the reason, and the rest of
//! the work goes on. Nothing is written until every file is read; then the changed papers are
//! written one generation (one commit) per batch: an interrupted ingest keeps the batches it
//! committed, and the index is always as it was at some commit.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use paperdex_core::{Lang, MAX_FILE_BYTES, Paper, PaperId, parse_bytes};
use paperdex_embed::{EmbedError, Embedder, Role, chunk};
use serde::Serialize;

use crate::error::{IndexError, Result};
use crate::generation::{self, CommitPayload};
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

/// What an ingest did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    /// Files read and parsed (possibly with some records rejected).
    pub files_read: usize,
    /// Files that could not be used at all.
    pub rejected_files: Vec<RejectedFile>,
    /// Records rejected inside otherwise good files.
    pub rejected_records: Vec<RejectedRecord>,
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
    /// Seconds spent embedding (on the worker thread, including waiting for the model).
    pub embed_seconds: f64,
    /// Wall time in seconds.
    pub seconds: f64,
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
    /// The changed papers are being written (and embedded where needed).
    fn writing(&mut self, _papers: usize) {}
    /// Embedding progress: papers done of total, passages done, seconds since it started.
    fn embedding(&mut self, _done: usize, _total: usize, _passages: usize, _seconds: f64) {}
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

        let mut records = Vec::new();
        for file in &files {
            match read_file(file) {
                Err(reason) => {
                    observer.file_done(file, Some(&reason));
                    report.rejected_files.push(RejectedFile { path: file.display().to_string(), reason });
                }
                Ok(bytes) => match parse_bytes(&file.display().to_string(), &bytes) {
                    Err(error) => {
                        let reason = error.to_string();
                        observer.file_done(file, Some(&reason));
                        report.rejected_files.push(RejectedFile { path: file.display().to_string(), reason });
                    }
                    Ok(parsed) => {
                        report.files_read += 1;
                        report.records += parsed.records.len();
                        report.rejected_records.extend(parsed.rejected.into_iter().map(|r| RejectedRecord {
                            path: file.display().to_string(),
                            position: r.position,
                            line: r.line,
                            reason: r.reason,
                        }));
                        records.extend(parsed.records);
                        observer.file_done(file, None);
                    }
                },
            }
        }

        self.merge_and_write(records, embedder, observer, &mut report)?;
        report.papers_total = self.len();
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Writes `changed` papers and embeds what needs it, one generation per batch of papers,
    /// so an interrupted ingest keeps every batch it finished.
    pub(crate) fn write(
        &self,
        changed: &[&Paper],
        text_changed: &HashSet<&PaperId>,
        embedder: Option<&dyn Embedder>,
        observer: &mut dyn IngestObserver,
        report: &mut IngestReport,
    ) -> Result<()> {
        let payload = self.begin_write()?;
        let mut vectors = self.writable_vectors(&payload, embedder)?;
        // Papers whose text is new to the vectors: changed text, and (with a model) papers
        // the vectors lack, e.g. ingested before the model was fetched.
        let mut to_embed: Vec<Paper> = Vec::new();
        if let (Some(_), Some((set, _))) = (embedder, &vectors) {
            let have: HashSet<&str> = set.live_papers().collect();
            let mut queued: HashSet<&PaperId> = HashSet::new();
            for paper in changed {
                if text_changed.contains(&paper.id) || !have.contains(paper.id.as_str()) {
                    queued.insert(&paper.id);
                    to_embed.push((*paper).clone());
                }
            }
            if have.len() + queued.len() < self.len() as usize {
                for paper in self.papers()? {
                    if !have.contains(paper.id.as_str()) && !queued.contains(&paper.id) {
                        to_embed.push(paper);
                    }
                }
            }
        }
        if changed.is_empty() && to_embed.is_empty() {
            if self.lexicon_stale(&payload) {
                self.commit_lexicon_only(&payload)?;
            }
            return Ok(());
        }
        // The lexicon is learned once, for the last batch: intermediate generations keep the
        // previous one, which is still a fair bridge between the languages.
        let relearn = !changed.is_empty() || self.lexicon_stale(&payload);
        let mut lexicon = payload.lexicon.clone();
        let embed_ids: HashSet<PaperId> = to_embed.iter().map(|p| p.id.clone()).collect();
        let mut work: Vec<&Paper> = changed.to_vec();
        work.extend(to_embed.iter().filter(|p| !changed.iter().any(|c| c.id == p.id)));
        observer.writing(work.len());
        let batches = work.len().div_ceil(self.papers_per_generation);
        let mut generation = payload.generation;
        let mut progress = EmbedProgress::new(embed_ids.len());
        for (number, batch) in work.chunks(self.papers_per_generation).enumerate() {
            if let Some((set, _)) = vectors.as_mut() {
                let batch_embed: Vec<&Paper> = batch.iter().copied().filter(|p| embed_ids.contains(&p.id)).collect();
                for paper in batch.iter().filter(|p| text_changed.contains(&p.id)) {
                    // Stale vectors go even when there is no model to make new ones.
                    set.delete_paper(paper.id.as_str());
                }
                if let Some(embedder) = embedder {
                    let embedded = embed_papers(embedder, &batch_embed, &mut progress, observer)?;
                    for (paper, chunks) in batch_embed.iter().zip(embedded) {
                        set.delete_paper(paper.id.as_str());
                        for (lang, vector) in chunks {
                            set.push(paper.id.as_str(), lang, &vector).map_err(|e| corrupt(&self.root, e))?;
                            report.chunks_embedded += 1;
                        }
                        report.papers_embedded += 1;
                    }
                }
            }
            generation += 1;
            // Papers only embedded (unchanged in tantivy) are not rewritten.
            let replace: Vec<&Paper> =
                batch.iter().copied().filter(|p| changed.binary_search_by(|c| c.id.cmp(&p.id)).is_ok()).collect();
            if relearn && number + 1 == batches {
                lexicon = Some(self.write_lexicon(generation, &payload, &replace, &[])?);
            }
            self.commit_generation(generation, vectors.as_mut(), &replace, &[], lexicon.as_deref())?;
        }
        report.embed_seconds = progress.seconds();
        self.finish_write(vectors)
    }

    /// A private copy of the current vectors to change, or a fresh set when there are none
    /// (or they came from another model and must be remade).
    pub(crate) fn writable_vectors(
        &self,
        payload: &CommitPayload,
        embedder: Option<&dyn Embedder>,
    ) -> Result<Option<(VectorSet, HnswSearch)>> {
        let current = match &payload.vectors {
            Some(name) => Some(generation::load(&self.root, name)?),
            None => None,
        };
        Ok(match (current, embedder) {
            (Some(v), Some(e)) if v.set.model() == e.model_name() && v.set.dims() == e.dimensions() => {
                Some((v.set, v.ann))
            }
            (Some(v), None) => Some((v.set, v.ann)),
            (_, Some(e)) => {
                let set = VectorSet::new(e.model_name(), e.dimensions());
                let ann = HnswSearch::build(&set);
                Some((set, ann))
            }
            (None, None) => None,
        })
    }
}

/// Passages per call into the embedder (progress is reported between calls).
const PASSAGES_PER_CALL: usize = 32;

/// Counts embedded papers for the progress line.
struct EmbedProgress {
    total: usize,
    done: usize,
    chunks: usize,
    started: Instant,
}

impl EmbedProgress {
    fn new(total: usize) -> EmbedProgress {
        EmbedProgress { total, done: 0, chunks: 0, started: Instant::now() }
    }

    fn seconds(&self) -> f64 {
        if self.done == 0 { 0.0 } else { self.started.elapsed().as_secs_f64() }
    }
}

/// One paper's passages as `(language, vector)`, in passage order.
type PassageVectors = Vec<(Lang, Vec<f32>)>;

/// Embeds the passages of `papers` on a worker thread (the caller keeps reporting progress),
/// returning each paper's `(language, vector)` per passage.
fn embed_papers(
    embedder: &dyn Embedder,
    papers: &[&Paper],
    progress: &mut EmbedProgress,
    observer: &mut dyn IngestObserver,
) -> Result<Vec<PassageVectors>> {
    let chunked: Vec<Vec<paperdex_embed::Chunk>> = papers.iter().map(|p| chunk(p)).collect();
    // (paper index, chunk) in order, so vectors can be dealt back to their papers.
    let flat: Vec<(usize, &paperdex_embed::Chunk)> =
        chunked.iter().enumerate().flat_map(|(i, chunks)| chunks.iter().map(move |c| (i, c))).collect();
    let mut out: Vec<PassageVectors> = vec![Vec::new(); papers.len()];
    let chunks_before = progress.chunks;
    std::thread::scope(|scope| -> Result<()> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(2);
        let flat = &flat;
        let worker = scope.spawn(move || {
            for call in flat.chunks(PASSAGES_PER_CALL) {
                let texts: Vec<&str> = call.iter().map(|(_, c)| c.text.as_str()).collect();
                let result = embedder.embed(&texts, Role::Passage);
                let failed = result.is_err();
                if sender.send(result).is_err() || failed {
                    return;
                }
            }
        });
        let mut position = 0;
        for result in receiver {
            let vectors = result?;
            for vector in vectors {
                let (paper, chunk) = flat[position];
                out[paper].push((chunk.lang, vector));
                position += 1;
                let finished_paper = flat.get(position).is_none_or(|(next, _)| *next != paper);
                if finished_paper {
                    progress.done += 1;
                }
            }
            progress.chunks = chunks_before + position;
            observer.embedding(
                progress.done,
                progress.total,
                progress.chunks,
                progress.started.elapsed().as_secs_f64(),
            );
        }
        worker.join().map_err(|_| IndexError::Embed(EmbedError::Model("the embedding thread panicked".into())))?;
        if position != flat.len() {
            return Err(IndexError::Embed(EmbedError::Model(format!(
                "the model returned {position} vectors for {} passages",
                flat.len()
            ))));
        }
        Ok(())
    })?;
    Ok(out)
}

fn corrupt(root: &Path, error: impl std::fmt::Display) -> IndexError {
    IndexError::Corrupt { path: root.to_path_buf(), reason: error.to_string() }
}

/// Expands folders into their files (sorted, hidden entries skipped), keeping the order the
/// user gave. Missing paths and unreadable folders are rejected by name.
fn list_files(paths: &[PathBuf], rejected: &mut Vec<RejectedFile>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files, rejected);
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    files
}

fn collect(path: &Path, files: &mut Vec<PathBuf>, rejected: &mut Vec<RejectedFile>) {
    let reject = |rejected: &mut Vec<RejectedFile>, reason: String| {
        rejected.push(RejectedFile { path: path.display().to_string(), reason })
    };
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return reject(rejected, format!("cannot read: {e}")),
    };
    if meta.is_file() {
        // Absolute paths identify a source however it was named on the command line.
        files.push(fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()));
        return;
    }
    if !meta.is_dir() {
        return reject(rejected, "not a regular file or folder".into());
    }
    let entries = match fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => return reject(rejected, format!("cannot list folder: {e}")),
    };
    let mut children: Vec<PathBuf> =
        entries.flatten().filter(|e| !e.file_name().to_string_lossy().starts_with('.')).map(|e| e.path()).collect();
    children.sort();
    for child in children {
        // Symlinked folders are not followed: a link cycle must not hang an ingest.
        if fs::symlink_metadata(&child).is_ok_and(|m| m.file_type().is_symlink() && child.is_dir()) {
            continue;
        }
        collect(&child, files, rejected);
    }
}

/// Reads a file, refusing anything larger than [`MAX_FILE_BYTES`] before reading it.
fn read_file(path: &Path) -> std::result::Result<Vec<u8>, String> {
    let file = fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let size = file.metadata().map_err(|e| format!("cannot read: {e}"))?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "file is {:.1} MB, over the {} MB limit for one input file",
            size as f64 / 1e6,
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // Read one byte past the limit so a file that grew since `metadata` is still caught.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("file is over the {} MB limit for one input file", MAX_FILE_BYTES / (1024 * 1024)));
    }
    Ok(bytes)
}
