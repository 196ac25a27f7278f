//! Ingest: files in, papers merged by id, one commit out.
//!
//! Every file is read and parsed on its own; a file that cannot be read or parsed, and every
//! rejected record inside a good file, is reported by name with the reason, and the rest of
//! the work goes on. Nothing is written until the end, when the changed papers are replaced in
//! one commit: an interrupted ingest leaves the previous generation untouched.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use paperdex_core::{parse_bytes, Paper, PaperId, MAX_FILE_BYTES};
use serde::Serialize;
use tantivy::Term;

use crate::error::{IndexError, Result};
use crate::lock::WriterLock;
use crate::paper_index::PaperIndex;

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
    /// The changed papers are being written.
    fn writing(&mut self, _papers: usize) {}
}

/// An observer that ignores everything.
pub struct Quiet;

impl IngestObserver for Quiet {}

/// A paper as the index had it before this ingest, and as it is now.
struct Touched {
    before: Option<Paper>,
    now: Paper,
}

impl PaperIndex {
    /// Reads every file under `paths` (folders recursively), merges their records into the
    /// papers of this index and commits the changes.
    pub fn ingest(&self, paths: &[PathBuf], observer: &mut dyn IngestObserver) -> Result<IngestReport> {
        let started = Instant::now();
        let _lock = WriterLock::acquire(&self.root)?;
        let mut report = IngestReport::default();
        let files = list_files(paths, &mut report.rejected_files);
        observer.files_found(files.len());

        let searcher = self.searcher();
        let mut touched: HashMap<PaperId, Touched> = HashMap::new();
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
                        for record in parsed.records {
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
                        observer.file_done(file, None);
                    }
                },
            }
        }

        let mut changed: Vec<&Paper> = Vec::new();
        for t in touched.values() {
            match &t.before {
                None => report.papers_new += 1,
                Some(before) if *before != t.now => report.papers_updated += 1,
                Some(_) => {
                    report.papers_unchanged += 1;
                    continue;
                }
            }
            changed.push(&t.now);
        }
        if !changed.is_empty() {
            changed.sort_by(|a, b| a.id.cmp(&b.id));
            observer.writing(changed.len());
            self.write_papers(&changed)?;
        }
        report.papers_total = self.len();
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Replaces (or adds) `papers` in one commit.
    fn write_papers(&self, papers: &[&Paper]) -> Result<()> {
        let mut writer: tantivy::IndexWriter = self.index.writer(100_000_000)?;
        for paper in papers {
            writer.delete_term(Term::from_field_text(self.fields.id, paper.id.as_str()));
            let doc = self.fields.document(paper).map_err(|e| IndexError::Corrupt {
                path: self.root.clone(),
                reason: format!("paper {} cannot be serialised: {e}", paper.id),
            })?;
            writer.add_document(doc)?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        self.reload()
    }
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
    let mut children: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
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
