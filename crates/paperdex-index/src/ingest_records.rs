//! Ingest of records made in memory, and the merge-and-write path every ingest shares.
//!
//! [`PaperIndex::ingest`] parses files into records; a caller that already has records (an
//! evaluation harness building an index of a test collection, say) hands them to
//! [`PaperIndex::ingest_records`]. Both end in [`PaperIndex::merge_and_write`], which streams:
//! records are merged into a buffer of papers (each brought in as the index holds it), and
//! whenever the buffer holds two generations' worth
//! ([`PaperIndex::with_papers_per_generation`]), the papers buffered longest are written as one
//! generation, the changed ones only. Memory holds three generations' papers and one file's
//! records, however many files a run reads (and the ids the run touched, to count them
//! right: a paper whose records are further apart than the buffer is merged with what the
//! index stored, and still counts once).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use paperdex_core::{Paper, PaperId, Record};
use paperdex_embed::{CHUNKING_VERSION, EmbedError, Embedder, chunk};
use tantivy::Searcher;

use crate::error::{IndexError, Result};
use crate::ingest::{
    EmbedProgress, Embedded, FileChange, IngestObserver, IngestReport, NoLongerListed, PROGRESS_BACKLOG, RecordWarning,
    StoredVectors, embed_papers, push_passages, receive_batch,
};
use crate::lexicon::{LearnedBecause, LexiconLag, LexiconWrite};
use crate::lock::WriterLock;
use crate::paper_index::PaperIndex;
use crate::stored_papers::StoredPapers;
use crate::vectors::VectorSet;

/// Where an ingest's records come from, a file (or a slice of records) at a time.
pub(crate) trait RecordSource {
    /// The next file's accepted records (none when it was rejected); `None` once everything
    /// was read. Rejections go into `report` and to the observer.
    fn next_records(&mut self, report: &mut IngestReport, observer: &mut dyn IngestObserver) -> Option<RecordsRead>;

    /// The folders the source reads every file of, as the index names paths: a file the
    /// index holds from under one and not read is gone from it. None for records in memory.
    fn folders(&self) -> &[String] {
        &[]
    }
}

/// Records from a [`RecordSource`].
pub(crate) struct RecordsRead {
    /// The file they are, whole, as its records name it; `None` for records that are not a
    /// whole file (a slice handed over in memory, a rejected file).
    pub(crate) file: Option<String>,
    pub(crate) records: Vec<Record>,
}

/// Records already in memory, handed over a slice at a time.
struct InMemory(std::vec::IntoIter<Record>);

impl RecordSource for InMemory {
    fn next_records(&mut self, _: &mut IngestReport, _: &mut dyn IngestObserver) -> Option<RecordsRead> {
        // One record at a time: a batch ends as soon as it names enough papers.
        self.0.next().map(|record| RecordsRead { file: None, records: vec![record] })
    }
}

/// What this run has done to a paper so far, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The index did not have it before the run.
    New,
    /// It was there and changed.
    Updated,
    /// It was there and is as it was (so far).
    Unchanged,
}

/// A paper this run touched.
struct Touched {
    outcome: Outcome,
    /// Whether this run embedded it (so the pass over papers lacking vectors skips it).
    embedded: bool,
}

/// One generation's work, prepared while the previous one is written.
#[derive(Default)]
pub(crate) struct Batch {
    /// Papers to write (changed, or with postings of an older analysis), by id.
    pub replace: Vec<Paper>,
    /// Ids whose text changed: their vectors are stale even without a model to remake them.
    pub text_changed: HashSet<PaperId>,
    /// Papers to embed: ids of `replace` and papers only embedded (unchanged in tantivy).
    pub embed: Vec<Paper>,
    /// What the batch changes of the texts the lexicon learns from.
    pub lexicon: LexiconLag,
}

/// Where the batches come from: the records read, then (when the postings come from an older
/// analysis) every other stored paper, then (with a model) stored papers without vectors.
enum Phase {
    Records,
    StalePostings(StoredPapers),
    MissingVectors(StoredPapers),
    Done,
}

/// The state of one merge-and-write run.
struct Run<'s> {
    source: &'s mut dyn RecordSource,
    /// The index as the run found it.
    start: Searcher,
    phase: Phase,
    touched: HashMap<PaperId, Touched>,
    /// Papers read and merged, not yet written: as they were before (`None`: new to the
    /// index) and as merged so far.
    buffer: HashMap<PaperId, (Option<Paper>, Paper)>,
    /// The buffered ids, oldest first.
    order: std::collections::VecDeque<PaperId>,
    /// The postings were built by another analysis: every paper must be rewritten.
    stale_postings: bool,
    /// Papers get vectors in this run.
    embedding: bool,
    /// Records that lost text against what their file said at an earlier ingest
    /// ([`Record::lost_since`]), for the report.
    losses: Vec<RecordWarning>,
    /// Papers embedded here whose text is longer than the model reads
    /// ([`paperdex_embed::MAX_PASSAGES_PER_LANGUAGE`]), for the report.
    too_long: Vec<RecordWarning>,
    /// Records read exactly as the index holds them from the same file, by (file, paper): a
    /// parser's warning about one was given when it was first read.
    read_as_before: HashSet<(String, String)>,
    /// The files read in this run (whole, or in part when some records were rejected), and
    /// the papers each lists.
    files: HashMap<String, HashSet<PaperId>>,
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
        self.merge_and_write(&mut InMemory(records.into_iter()), embedder, observer, &mut report)?;
        report.papers_total = self.len();
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Reads `source` batch by batch, merges each batch's records into the papers they name,
    /// counts new, updated and unchanged papers into `report`, and writes each batch's changed
    /// papers as a generation. The caller holds the writer lock.
    pub(crate) fn merge_and_write(
        &self,
        source: &mut dyn RecordSource,
        embedder: Option<&dyn Embedder>,
        observer: &mut dyn IngestObserver,
        report: &mut IngestReport,
    ) -> Result<()> {
        let payload = self.begin_write()?;
        let mut vectors = self.writable_vectors(&payload, embedder)?;
        // Only papers that get vectors are embedded; without vectors there is nothing to make.
        let embedder = embedder.filter(|_| vectors.is_some());
        // Every live vector's passage was cut by today's rules when the index says so, or when
        // there is none yet; only then can a stored vector stand for an unchanged passage, and
        // only then do this run's commits say so.
        let chunking_current =
            payload.chunking == Some(CHUNKING_VERSION) || vectors.as_ref().is_none_or(|(set, _)| set.live_len() == 0);
        let chunking = if chunking_current { Some(CHUNKING_VERSION) } else { payload.chunking };
        // What another writer committed before this one took the lock is seen.
        self.reload()?;
        let start = self.searcher();
        // An index without papers has no postings to rebuild (a fresh one records no
        // analysis): otherwise the run would read back every paper it wrote, only to skip it.
        let stale_postings = payload.analysis != crate::analysis::ANALYSIS_VERSION && start.num_docs() > 0;
        let mut run = Run {
            source,
            start,
            phase: Phase::Records,
            touched: HashMap::new(),
            buffer: HashMap::new(),
            order: Default::default(),
            stale_postings,
            embedding: embedder.is_some(),
            losses: Vec::new(),
            too_long: Vec::new(),
            read_as_before: HashSet::new(),
            files: HashMap::new(),
        };
        let mut progress = EmbedProgress::new(0, 0);
        let written = std::thread::scope(|scope| -> Result<bool> {
            // The model embeds the next batch while this thread writes and commits the last
            // one (and reads the files of the one after), so it never waits for tantivy, the
            // graphs or the disk.
            let (queue, queued) = std::sync::mpsc::sync_channel::<(Vec<Paper>, StoredVectors)>(1);
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Embedded>(PROGRESS_BACKLOG);
            if let Some(embedder) = embedder {
                scope.spawn(move || {
                    // A panic here would end the whole ingest as a panic (the scope re-raises
                    // it): it becomes an error the writer reports, after its last commit.
                    let work = std::panic::AssertUnwindSafe(|| {
                        for (papers, stored) in queued {
                            let papers: Vec<&Paper> = papers.iter().collect();
                            if !embed_papers(embedder, &papers, &stored, &sender) {
                                return;
                            }
                        }
                    });
                    if std::panic::catch_unwind(work).is_err() {
                        let reason = "the embedding thread panicked (see the message above)".to_string();
                        let _ = sender.send(Embedded::Batch(Err(IndexError::Embed(EmbedError::Model(reason)))));
                    }
                });
            } else {
                drop((sender, queued));
            }
            // Hands a batch's papers to the embedding thread (an error there reaches the
            // writer through `receiver`, so a closed queue is not one here), with the stored
            // vectors of their unchanged passages. `set` must be as last committed: this runs
            // before the previous batch's vectors go in.
            let embed = |batch: &Batch, progress: &mut EmbedProgress, set: Option<&VectorSet>| {
                if embedder.is_some() {
                    let stored = match set {
                        Some(set) if chunking_current => self.stored_passage_vectors(set, &batch.embed),
                        _ => StoredVectors::new(),
                    };
                    // The passages come with the embedding thread's plan (`Embedded::Planned`):
                    // it alone knows which keep their stored vectors, and counted, those made
                    // the rate a fiction.
                    progress.papers_total += batch.embed.len();
                    let _ = queue.send((batch.embed.clone(), stored));
                }
            };
            let mut current = self.next_batch(&mut run, vectors.as_ref().map(|(s, _)| s), None, report, observer)?;
            if let Some(batch) = &current {
                embed(batch, &mut progress, vectors.as_ref().map(|(s, _)| s));
            }
            let mut generation = payload.generation;
            // What the batches committed so far changed of the lexicon's texts.
            let mut lag = LexiconLag::default();
            while let Some(batch) = current.take() {
                let next =
                    self.next_batch(&mut run, vectors.as_ref().map(|(s, _)| s), Some(&batch), report, observer)?;
                if let Some(next) = &next {
                    embed(next, &mut progress, vectors.as_ref().map(|(s, _)| s));
                }
                observer.writing(batch.replace.len().max(batch.embed.len()));
                if let Some((set, _)) = vectors.as_mut() {
                    for paper in batch.replace.iter().filter(|p| batch.text_changed.contains(&p.id)) {
                        // Stale vectors go even when there is no model to make new ones.
                        if set.delete_paper(paper.id.as_str()) > 0 && embedder.is_none() {
                            report.papers_unembedded += 1;
                        }
                    }
                    if embedder.is_some() {
                        let embedded = receive_batch(&receiver, &mut progress, observer)?;
                        // Until the last vectors arrive: the lexicon learned after them is
                        // timed apart (a one-file ingest's 28 passages read as 1.0 passages/s
                        // with the 26 s of relearning in).
                        report.embed_seconds = progress.seconds();
                        if embedded.len() != batch.embed.len() {
                            return Err(IndexError::Embed(EmbedError::Model(format!(
                                "the embedding thread returned {} papers for {}",
                                embedded.len(),
                                batch.embed.len()
                            ))));
                        }
                        for (paper, passages) in batch.embed.iter().zip(embedded) {
                            set.delete_paper(paper.id.as_str());
                            // Its text changed to none: its old vectors went, no new ones came.
                            if passages.is_empty() {
                                continue;
                            }
                            let (made, kept) = push_passages(set, &self.root, paper.id.as_str(), passages)?;
                            report.chunks_embedded += made;
                            report.chunks_reused += kept;
                            report.papers_embedded += 1;
                        }
                    }
                }
                generation += 1;
                lag = lag + batch.lexicon;
                let replace: Vec<&Paper> = batch.replace.iter().collect();
                // The lexicon is learned once, with the last batch, when what the write changed
                // calls for it (postings of another analysis: its words too may be cut
                // otherwise). Intermediate generations keep the previous one, which is still a
                // fair bridge between the languages, with what they changed counted: an
                // interrupted write leaves it to the next to learn.
                let write = match next {
                    Some(_) => LexiconWrite::Keep(lag),
                    None if run.stale_postings => LexiconWrite::Learn(LearnedBecause::NewAnalysis),
                    None => self.lexicon_write(&payload, lag, embedder.is_some()),
                };
                if let LexiconWrite::Learn(because) = write {
                    observer.learning_lexicon();
                    report.lexicon_learned_because = Some(because.to_string());
                }
                let lexicon = self.next_lexicon(generation, &payload, write, &replace, &[], embedder)?;
                self.commit_generation(generation, vectors.as_mut(), &replace, &[], lexicon, chunking)?;
                // The next batch is merged with what this one committed.
                self.reload()?;
                observer.committed(self.len());
                current = next;
            }
            Ok(generation > payload.generation)
        });
        // A record the parser already warned about lost its text on purpose (a summary that is
        // the summariser's apology) or is said to repeat another: one warning is enough.
        let warned: HashSet<(&str, &str)> =
            report.record_warnings.iter().map(|w| (w.path.as_str(), w.paper.as_str())).collect();
        run.losses.retain(|w| !warned.contains(&(w.path.as_str(), w.paper.as_str())));
        report.record_warnings.append(&mut run.losses);
        report.record_warnings.append(&mut run.too_long);
        for touched in run.touched.values() {
            match touched.outcome {
                Outcome::New => report.papers_new += 1,
                Outcome::Updated => report.papers_updated += 1,
                Outcome::Unchanged => report.papers_unchanged += 1,
            }
        }
        // A parser's warning about a record read exactly as the index holds it from the same
        // file was given when the record was first read. (Whether its paper changed is not the
        // test: a summary that became the summariser's apology leaves the paper as it was.)
        for warning in report.record_warnings.iter_mut().filter(|w| w.position.is_some()) {
            warning.repeated = run.read_as_before.contains(&(warning.path.clone(), warning.paper.clone()));
        }
        let written = written?;
        // What was written stands whatever this finds: a paper that cannot be read now is
        // the next search's or ingest's to report.
        report.no_longer_listed = self.no_longer_listed(&run, report).unwrap_or_else(|error| {
            tracing::warn!(%error, "could not look for papers the files read again no longer list");
            Vec::new()
        });
        if !written {
            if let LexiconWrite::Learn(because) =
                self.lexicon_write(&payload, LexiconLag::default(), embedder.is_some())
            {
                report.lexicon_learned_because = Some(because.to_string());
                observer.learning_lexicon();
                self.commit_lexicon_only(&payload, embedder)?;
            }
            return Ok(());
        }
        self.finish_write(vectors)
    }

    /// The next generation's work, `None` when there is none left. `pending` is the batch
    /// prepared before, not committed yet: its papers are newer than the stored ones.
    fn next_batch(
        &self,
        run: &mut Run<'_>,
        vectors: Option<&VectorSet>,
        pending: Option<&Batch>,
        report: &mut IngestReport,
        observer: &mut dyn IngestObserver,
    ) -> Result<Option<Batch>> {
        let per_batch = self.papers_per_generation;
        loop {
            match &mut run.phase {
                Phase::Records => {
                    // Records merge in memory while their paper is buffered: the buffer holds
                    // up to two generations' papers, and the oldest generation goes to disk.
                    // Records of a paper further apart than that merge with the stored paper.
                    let searcher = self.searcher();
                    while run.buffer.len() < 2 * per_batch {
                        let Some(RecordsRead { file, records }) = run.source.next_records(report, observer) else {
                            break;
                        };
                        if let Some(file) = file {
                            run.files.entry(file).or_default().extend(records.iter().map(|r| r.id.clone()));
                        }
                        for record in records {
                            self.buffer_record(run, &searcher, record, pending)?;
                        }
                    }
                    if run.buffer.is_empty() {
                        run.phase = if run.stale_postings {
                            Phase::StalePostings(StoredPapers::new(self, self.searcher())?)
                        } else {
                            self.missing_vectors_phase(run, vectors)?
                        };
                        continue;
                    }
                    let batch = self.flush(run, per_batch, vectors);
                    if !batch.replace.is_empty() || !batch.embed.is_empty() {
                        return Ok(Some(batch));
                    }
                }
                Phase::StalePostings(stored) => {
                    // Postings made by an older analysis are rebuilt from the stored papers, so
                    // a query analysed the new way finds them (their text, and so their vectors,
                    // did not change). Papers this run touched were written already.
                    let mut batch = Batch::default();
                    while batch.replace.len() < per_batch {
                        let Some(paper) = stored.next_paper(self) else { break };
                        let paper = paper?;
                        if !run.touched.contains_key(&paper.id) {
                            batch.replace.push(paper);
                        }
                    }
                    if batch.replace.is_empty() {
                        run.phase = self.missing_vectors_phase(run, vectors)?;
                        continue;
                    }
                    if run.embedding {
                        let lacking =
                            |p: &&Paper| vectors.is_some_and(|v| v.live_chunks_of(p.id.as_str()).next().is_none());
                        batch.embed = batch.replace.iter().filter(lacking).cloned().collect();
                        for paper in &batch.embed {
                            run.touched
                                .entry(paper.id.clone())
                                .or_insert(Touched { outcome: Outcome::Unchanged, embedded: true });
                        }
                    }
                    return Ok(Some(batch));
                }
                Phase::MissingVectors(stored) => {
                    // Papers the vectors lack (ingested before the model was fetched, say) get
                    // vectors; tantivy keeps them as they are.
                    let mut batch = Batch::default();
                    while batch.embed.len() < per_batch {
                        let Some(paper) = stored.next_paper(self) else { break };
                        let paper = paper?;
                        let embedded = run.touched.get(&paper.id).is_some_and(|t| t.embedded);
                        let has_vectors = vectors.is_some_and(|v| v.live_chunks_of(paper.id.as_str()).next().is_some());
                        // A paper with no passage (no title, its only text left out) has none to get.
                        if !embedded && !has_vectors && !chunk(&paper).is_empty() {
                            batch.embed.push(paper);
                        }
                    }
                    if batch.embed.is_empty() {
                        run.phase = Phase::Done;
                        continue;
                    }
                    return Ok(Some(batch));
                }
                Phase::Done => return Ok(None),
            }
        }
    }

    /// The pass over stored papers lacking vectors, when there is a model and some lack them.
    fn missing_vectors_phase(&self, run: &Run<'_>, vectors: Option<&VectorSet>) -> Result<Phase> {
        let Some(set) = vectors.filter(|_| run.embedding) else { return Ok(Phase::Done) };
        // `set` and `self.len()` are both as last committed (the batch being written is in
        // neither). Of the committed papers, those with vectors are the set's and those this
        // run embeds whose vectors have not gone in yet: papers the index held before the run
        // (a new paper is committed with its vectors). Adding every paper this run embedded
        // counted the committed ones twice and the pending ones against papers not counted, so
        // a keyword-only index's older papers stayed without vectors whenever the new ones
        // outnumbered them.
        let on_their_way = run
            .touched
            .iter()
            .filter(|(id, t)| {
                t.embedded && t.outcome != Outcome::New && set.live_chunks_of(id.as_str()).next().is_none()
            })
            .count();
        // Papers without text have no passages to embed (a summariser's apology alone): counted
        // as lacking vectors, they sent every ingest through every stored paper.
        let embeddable = self.papers_with_text(&self.searcher())? as usize;
        Ok(if set.live_papers().count() + on_their_way < embeddable {
            Phase::MissingVectors(StoredPapers::new(self, self.searcher())?)
        } else {
            Phase::Done
        })
    }

    /// Merges `record` into its paper in the buffer, first bringing the paper in as
    /// `pending` has it (written, not yet committed), else as stored, else new.
    fn buffer_record(
        &self,
        run: &mut Run<'_>,
        searcher: &Searcher,
        record: Record,
        pending: Option<&Batch>,
    ) -> Result<()> {
        if let Some((before, now)) = run.buffer.get_mut(&record.id) {
            if read_as_before(before.as_ref(), &record) {
                run.read_as_before.insert((record.source.path.clone(), record.id.to_string()));
            }
            run.losses.extend(loss(before.as_ref(), &record));
            now.merge(record);
            return Ok(());
        }
        // `replace` is sorted by id.
        let newer = pending
            .and_then(|b| b.replace.binary_search_by(|p| p.id.cmp(&record.id)).ok().map(|at| &b.replace[at]))
            .cloned();
        let before = match newer {
            Some(paper) => Some(paper),
            // Written earlier in this run: as committed since.
            None if run.touched.contains_key(&record.id) => self.paper_in(searcher, &record.id)?,
            // Untouched by this run: as it was when the run began. That snapshot keeps the
            // segments it started with, so a lookup costs what it did before any batch was
            // written, and nothing for a fresh index (the current one holds a segment per
            // few generations, each a term lookup).
            None => self.paper_in(&run.start, &record.id)?,
        };
        let mut now = before.clone().unwrap_or_else(|| Paper::empty(record.id.clone()));
        let id = record.id.clone();
        if read_as_before(before.as_ref(), &record) {
            run.read_as_before.insert((record.source.path.clone(), record.id.to_string()));
        }
        run.losses.extend(loss(before.as_ref(), &record));
        now.merge(record);
        run.order.push_back(id.clone());
        run.buffer.insert(id, (before, now));
        Ok(())
    }

    /// Takes the `n` papers buffered longest and records what changed: the next generation to
    /// write, by id.
    fn flush(&self, run: &mut Run<'_>, n: usize, vectors: Option<&VectorSet>) -> Batch {
        let mut batch = Batch::default();
        while batch.replace.len().max(batch.embed.len()) < n {
            let Some(id) = run.order.pop_front() else { break };
            let Some((before, now)) = run.buffer.remove(&id) else { continue };
            let changed = before.as_ref() != Some(&now);
            let seen = run.touched.entry(id).or_insert(Touched {
                outcome: if before.is_none() { Outcome::New } else { Outcome::Unchanged },
                embedded: false,
            });
            if changed && seen.outcome == Outcome::Unchanged {
                seen.outcome = Outcome::Updated;
            }
            let text_changed = before.as_ref().is_none_or(|b| b.content_hash() != now.content_hash());
            // Asked only of an unchanged text: a new one is embedded anyway, and chunked then.
            let lacks_vectors = || {
                vectors.is_some_and(|v| v.live_chunks_of(now.id.as_str()).next().is_none()) && !chunk(&now).is_empty()
            };
            if run.embedding && (text_changed || lacks_vectors()) {
                seen.embedded = true;
                run.too_long.extend(too_long(&now));
                batch.embed.push(now.clone());
            }
            if text_changed {
                batch.text_changed.insert(now.id.clone());
                batch.lexicon.changed(before.as_ref(), Some(&now));
            }
            if changed || run.stale_postings {
                batch.replace.push(now);
            }
        }
        batch.replace.sort_by(|a, b| a.id.cmp(&b.id));
        batch
    }

    /// The files that no longer list papers they listed before, each with those papers (the
    /// papers holding a record from the file, [`crate::schema::Fields::source_paths`], after the
    /// run's last commit): those `run` read and found without them (whole, or in part when
    /// `report` rejected some of their records), those `report` rejected this time (gone when
    /// they no longer exist), and those under the folders it read that it did not find.
    fn no_longer_listed(&self, run: &Run<'_>, report: &IngestReport) -> Result<Vec<NoLongerListed>> {
        let searcher = self.searcher();
        let papers_from = |file: &str| -> Result<Vec<PaperId>> {
            let documents = self.documents_from(&searcher, file)?;
            documents.into_iter().map(|address| Ok(self.paper_at(&searcher, address)?.id)).collect()
        };
        let mut out = Vec::new();
        for (file, listed) in &run.files {
            let papers: Vec<String> =
                papers_from(file)?.into_iter().filter(|id| !listed.contains(id)).map(|id| id.to_string()).collect();
            let in_part = report.rejected_records.iter().any(|record| record.path == *file);
            let change = if in_part { FileChange::ReadInPart } else { FileChange::Rewritten };
            out.push(NoLongerListed { path: file.clone(), papers, change });
        }
        let unreadable: HashSet<String> = report
            .rejected_files
            .iter()
            .map(|r| crate::ingest::same_file(Path::new(&r.path)).display().to_string())
            .collect();
        for file in &unreadable {
            let papers = papers_from(file)?.iter().map(PaperId::to_string).collect();
            let change = if Path::new(file).exists() { FileChange::Unreadable } else { FileChange::Gone };
            out.push(NoLongerListed { path: file.clone(), papers, change });
        }
        for folder in run.source.folders() {
            for file in self.files_under(&searcher, folder)? {
                if run.files.contains_key(&file) || unreadable.contains(&file) {
                    continue;
                }
                let papers = papers_from(&file)?.iter().map(PaperId::to_string).collect();
                out.push(NoLongerListed { path: file, papers, change: FileChange::Gone });
            }
        }
        out.retain(|file| !file.papers.is_empty());
        for file in &mut out {
            file.papers.sort();
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        // A folder named twice, or within another, finds its files once.
        out.dedup_by(|a, b| a.path == b.path);
        Ok(out)
    }
}

/// Whether the paper as it was before this run holds `record` as it is, from the same file.
fn read_as_before(before: Option<&Paper>, record: &Record) -> bool {
    before.is_some_and(|paper| paper.records.iter().any(|held| held == record))
}

/// The warning for `record` when the paper as it was before this run holds a record from the
/// same file and format that `record` lost text against ([`Record::lost_since`]).
fn loss(before: Option<&Paper>, record: &Record) -> Option<RecordWarning> {
    let earlier = before?
        .records
        .iter()
        .find(|r| r.source.path == record.source.path && r.source.format == record.source.format)?;
    let message = record.lost_since(earlier)?;
    Some(RecordWarning {
        path: record.source.path.clone(),
        position: None,
        line: None,
        paper: record.id.to_string(),
        message,
        repeated: false,
    })
}

/// The warning for `paper` when the model reads only the opening of its text
/// ([`paperdex_embed::MAX_PASSAGES_PER_LANGUAGE`]), named by the file of its longest record.
fn too_long(paper: &Paper) -> Option<RecordWarning> {
    let left_out = paperdex_embed::passages(paper).left_out;
    if left_out == 0 {
        return None;
    }
    let longest = paper.records.iter().max_by_key(|r| r.sections.iter().map(|s| s.text.len()).sum::<usize>())?;
    Some(RecordWarning {
        path: longest.source.path.clone(),
        position: None,
        line: None,
        paper: paper.id.to_string(),
        message: format!(
            "paper {}: its text is too long for the model: the first {} passages of a language are embedded and \
             {left_out} more are not (all its words are found by keyword search)",
            paper.id,
            paperdex_embed::MAX_PASSAGES_PER_LANGUAGE
        ),
        repeated: false,
    })
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
    fn a_title_another_source_corrects_is_found_by_its_words_while_the_digest_title_is_shown() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        let listed = |path: &str, format: SourceFormat, title: &str| {
            let id = PaperId::parse("2602.04145").expect("id");
            let mut record = Record::new(id, Source { path: path.into(), format, date: None });
            record.title = Some(title.into());
            record.sections.push(Section::new(SectionKind::Abstract, "Process reward models for multimodal data."));
            record
        };
        let digest = listed("/r/2026-02-05.md", SourceFormat::DailyReport, "Training Data Efficiency in PRMs");
        let corrected =
            listed("/h/2026-02-05.json", SourceFormat::HfDailyApi, "Training Data Efficiency in PRMs (Walrus Edition)");
        index.ingest_records(vec![digest, corrected], None, &mut Quiet).expect("ingest");
        assert_eq!(index.paper("2602.04145").expect("stored").title(), "Training Data Efficiency in PRMs");
        let found = |query: &str| {
            let request = crate::SearchRequest::new(query).mode(crate::SearchMode::Bm25);
            index.search_bm25(&request).expect("search").hits.into_iter().map(|h| h.id).collect::<Vec<_>>()
        };
        assert_eq!(found("walrus"), vec!["2602.04145"]);
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

    /// A process killed inside a commit can leave the delete file that the next commit writes
    /// (same segment, same operation number) on disk, listed among tantivy's files but named
    /// by no commit. The next ingest must get past it, or no ingest ever would.
    #[test]
    fn a_file_left_by_a_commit_killed_halfway_does_not_stop_the_next_ingest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        index.ingest_records(vec![record(1, "sorting"), record(2, "parsing")], None, &mut Quiet).expect("ingest");
        // A segment's deletes up to operation N go to `<segment>.<N>.del`; the edit below takes
        // the next few operation numbers, so its delete file is among these.
        let meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("tantivy/meta.json")).expect("meta"))
                .expect("meta json");
        let opstamp = meta["opstamp"].as_u64().expect("opstamp");
        let deletes: Vec<String> = meta["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .flat_map(|segment| {
                let id = segment["segment_id"].as_str().expect("id").replace('-', "");
                (opstamp + 1..=opstamp + 8).map(move |n| format!("{id}.{n}.del"))
            })
            .collect();
        // The killed commit: those files written and listed as tantivy's, the commit never made.
        let managed = dir.path().join("tantivy/.managed.json");
        let mut listed: Vec<String> =
            serde_json::from_slice(&std::fs::read(&managed).expect("managed list")).expect("managed json");
        for name in &deletes {
            std::fs::write(dir.path().join("tantivy").join(name), b"half a delete file").expect("leave");
            listed.push(name.clone());
        }
        std::fs::write(&managed, serde_json::to_vec(&listed).expect("json")).expect("list");

        let reopened = PaperIndex::open(dir.path()).expect("reopen");
        let edit = vec![record(1, "merge sort")];
        let report = reopened.ingest_records(edit, None, &mut Quiet).expect("the next ingest gets past the file");
        assert_eq!(report.papers_updated, 1);
        assert_eq!(reopened.paper("cacm/0000001").expect("stored").sections()[0].text, "merge sort");
    }

    /// A paper's records several batches apart (one generation per paper here) are merged into
    /// one paper, counted once: new when the index did not have it, updated when it did.
    #[test]
    fn records_of_one_paper_in_batches_far_apart_make_one_paper_counted_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index").with_papers_per_generation(1);
        let from = |number: u32, path: &str, text: &str| {
            let mut r = record(number, text);
            r.source.path = path.into();
            r
        };
        let records = vec![
            from(1, "/a.md", "sorting"),
            from(2, "/a.md", "parsing"),
            from(3, "/a.md", "hashing"),
            from(1, "/b.md", "merge sort"),
            from(2, "/a.md", "parsing"),
        ];
        let first = index.ingest_records(records, None, &mut Quiet).expect("ingest");
        assert_eq!((first.papers_new, first.papers_updated, first.papers_unchanged, first.papers_total), (3, 0, 0, 3));
        let one = index.paper("cacm/0000001").expect("stored");
        let sources: Vec<&str> = one.records.iter().map(|r| r.source.path.as_str()).collect();
        assert_eq!(sources, ["/a.md", "/b.md"], "both files' records, in the order read");

        // Paper 3 is read unchanged, then changed by a later file: updated, once.
        let records = vec![
            from(3, "/a.md", "hashing"),
            from(2, "/a.md", "parsing"),
            from(1, "/a.md", "sorting"),
            from(3, "/c.md", "tables"),
        ];
        let second = index.ingest_records(records, None, &mut Quiet).expect("ingest again");
        assert_eq!((second.papers_new, second.papers_updated, second.papers_unchanged), (0, 1, 2));
        assert_eq!(index.paper("cacm/0000003").expect("stored").records.len(), 2);
        assert_eq!(index.len(), 3);
        assert!(index.consistency_report().expect("report").agrees());
    }

    /// A test model (words hashed into directions) that writes down every passage it embeds.
    struct Recording {
        inner: paperdex_embed::HashEmbedder,
        passages: std::sync::Mutex<Vec<String>>,
    }

    impl paperdex_embed::Embedder for Recording {
        fn model_name(&self) -> &str {
            "recording"
        }

        fn dimensions(&self) -> usize {
            32
        }

        fn embed(
            &self,
            texts: &[&str],
            role: paperdex_embed::Role,
        ) -> Result<Vec<Vec<f32>>, paperdex_embed::EmbedError> {
            if role == paperdex_embed::Role::Passage {
                self.passages.lock().expect("lock").extend(texts.iter().map(|t| t.to_string()));
            }
            self.inner.embed(texts, role)
        }
    }

    fn recording() -> Recording {
        Recording { inner: paperdex_embed::HashEmbedder::new(32), passages: Default::default() }
    }

    /// The same paper's Chinese summary, from a digest file read later.
    fn chinese_summary(number: u32) -> Record {
        let id = PaperId::parse(&format!("cacm/{number:07}")).expect("old-style id");
        let source = Source { path: "/c/zh.md".into(), format: SourceFormat::DailyReport, date: None };
        let mut record = Record::new(id, source);
        record.sections.push(Section::new(SectionKind::CoreContribution, "提出了一种新的排序方法，比快速排序更快。"));
        record
    }

    /// Paper 7's English abstract, as its first file gives it.
    fn english_abstract() -> Record {
        record(7, "A sorting method faster than quicksort on nearly sorted input.")
    }

    /// An index in `dir` that has embedded `records` with a fresh recording model.
    fn embedded(dir: &std::path::Path, records: Vec<Record>) -> (PaperIndex, Recording) {
        let index = PaperIndex::open_or_create(dir).expect("index");
        let model = recording();
        index.ingest_records(records, Some(&model), &mut Quiet).expect("ingest");
        (index, model)
    }

    /// Paper `id`'s live vectors in `index`, as (language, vector), in passage order.
    fn vectors_of(index: &PaperIndex, id: &str) -> Vec<(paperdex_core::Lang, Vec<f32>)> {
        let vectors = index.vectors().expect("vectors");
        vectors.set.live_chunks_of(id).map(|c| (c.lang, c.vector.to_vec())).collect()
    }

    #[test]
    fn a_paper_given_a_chinese_summary_keeps_its_english_vectors_and_embeds_only_the_new_passages() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (index, model) = embedded(dir.path(), vec![english_abstract(), record(8, "compilers")]);
        assert_eq!(index.committed_payload().expect("payload").chunking, Some(paperdex_embed::CHUNKING_VERSION));
        let english_passages = vectors_of(&index, "cacm/0000007");
        model.passages.lock().expect("lock").clear();

        let report = index.ingest_records(vec![chinese_summary(7)], Some(&model), &mut Quiet).expect("ingest");
        assert_eq!(report.papers_updated, 1);
        let now = index.paper("cacm/0000007").expect("stored");
        let passages = paperdex_embed::chunk(&now);
        let chinese: Vec<String> =
            passages.iter().filter(|p| p.lang == paperdex_core::Lang::Zh).map(|p| p.text.clone()).collect();
        assert!(!chinese.is_empty() && chinese.len() < passages.len(), "{passages:?}");
        // Only the new passages went to the model; the English ones kept their vectors.
        assert_eq!(*model.passages.lock().expect("lock"), chinese);
        assert_eq!((report.chunks_embedded, report.chunks_reused), (chinese.len(), english_passages.len()));

        // Bit for bit what an index that read both records at once holds.
        let fresh_dir = tempfile::tempdir().expect("tempdir");
        let (fresh, _) = embedded(fresh_dir.path(), vec![english_abstract(), chinese_summary(7)]);
        let kept = vectors_of(&index, "cacm/0000007");
        assert_eq!(kept, vectors_of(&fresh, "cacm/0000007"));
        let kept_english: Vec<_> = kept.into_iter().filter(|(lang, _)| *lang == paperdex_core::Lang::En).collect();
        assert_eq!(kept_english, english_passages);
        assert!(index.consistency_report().expect("report").agrees());
    }

    #[test]
    fn a_pasted_megabyte_is_embedded_up_to_the_cap_with_a_warning_and_found_by_its_last_words() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pasted = format!(
            "{} The last sentence mentions zeppelins.",
            "A sorting method for nearly sorted input. ".repeat(25_000)
        );
        let (index, model) = embedded(dir.path(), vec![record(9, &pasted), record(8, "compilers")]);
        let embedded = model.passages.lock().expect("lock").len();
        // Paper 8's one passage, and paper 9's first passages only.
        assert_eq!(embedded, paperdex_embed::MAX_PASSAGES_PER_LANGUAGE + 1);
        assert_eq!(vectors_of(&index, "cacm/0000009").len(), paperdex_embed::MAX_PASSAGES_PER_LANGUAGE);
        assert!(index.consistency_report().expect("report").agrees());

        let again = index.ingest_records(vec![record(9, &format!("{pasted} And blimps."))], Some(&model), &mut Quiet);
        let warnings = again.expect("ingest").record_warnings;
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!((warnings[0].paper.as_str(), warnings[0].path.as_str()), ("cacm/0000009", "/c/cacm.all"));
        assert!(
            warnings[0].message.starts_with("paper cacm/0000009: its text is too long for the model"),
            "{}",
            warnings[0].message
        );
        let request = crate::SearchRequest::new("zeppelins blimps").mode(crate::SearchMode::Bm25);
        let hits: Vec<_> = index.search_bm25(&request).expect("search").hits.into_iter().map(|h| h.id).collect();
        assert_eq!(hits, vec!["cacm/0000009"]);
    }

    #[test]
    fn an_index_that_does_not_say_how_its_passages_were_cut_keeps_no_vector() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (index, model) = embedded(dir.path(), vec![english_abstract()]);
        // A commit as a build before the chunking record writes it: the vectors kept, the
        // version unknown.
        let payload = index.committed_payload().expect("payload");
        let mut vectors = index.writable_vectors(&payload, Some(&model)).expect("vectors");
        index
            .commit_generation(
                payload.generation + 1,
                vectors.as_mut(),
                &[],
                &[],
                crate::lexicon::CommittedLexicon { file: payload.lexicon.clone(), lag: payload.lexicon_lag },
                None,
            )
            .expect("commit");
        index.finish_write(vectors).expect("finish");
        model.passages.lock().expect("lock").clear();

        let report = index.ingest_records(vec![chinese_summary(7)], Some(&model), &mut Quiet).expect("ingest");
        let passages = paperdex_embed::chunk(&index.paper("cacm/0000007").expect("stored"));
        assert_eq!(report.chunks_reused, 0);
        assert_eq!(model.passages.lock().expect("lock").len(), passages.len(), "every passage embedded again");
        assert_eq!(
            index.committed_payload().expect("payload").chunking,
            None,
            "a run does not vouch for vectors it did not make"
        );
        assert!(index.consistency_report().expect("report").agrees());
    }

    #[test]
    fn stored_vectors_that_do_not_pair_up_with_the_stored_passages_are_not_offered() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (index, _) = embedded(dir.path(), vec![english_abstract()]);
        let papers = vec![index.paper("cacm/0000007").expect("stored")];
        let mut set = index.vectors().expect("vectors").set.clone();
        assert!(!index.stored_passage_vectors(&set, &papers).is_empty(), "a paper as committed offers its vectors");
        // One vector more than the stored text has passages (as vectors cut by other rules
        // could have): none of them can be trusted to belong to a passage.
        let extra = set.live_chunks_of("cacm/0000007").next().expect("a vector").vector.to_vec();
        set.push("cacm/0000007", paperdex_core::Lang::En, &extra).expect("push");
        assert!(index.stored_passage_vectors(&set, &papers).is_empty());
    }
}
