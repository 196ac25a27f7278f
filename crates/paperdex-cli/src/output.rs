//! What the CLI prints: progress, reports, hits and papers, with colour only on a terminal.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use paperdex_core::Paper;
use paperdex_index::{
    EmbedProgress, FileChange, IndexStats, IngestObserver, IngestReport, RemoveReport, SearchResults,
};

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const HIGHLIGHT: &str = "\x1b[1;33m";
const RESET: &str = "\x1b[0m";

/// Colour when stdout is a terminal and NO_COLOR is not set.
pub fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// `text` from a paper, fit for a terminal: every control character but a line break or tab,
/// and every character that turns text right to left (U+202E), replaced by a character of the
/// same length in UTF-8 (`?`, `¿`, `�`), so a feed cannot recolour, clear or retitle the
/// terminal, and a snippet's highlighted byte ranges still fall where they did.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    replace_unsafe(text, true)
}

/// `text` as one line for a terminal: [`terminal_safe`], line breaks and tabs replaced too. A
/// problem reported one per line (a rejected file, a record's warning) names a file, and a
/// file name may hold a line break; a script reading the lines, or a reader, must see one.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    replace_unsafe(text, false)
}

fn replace_unsafe(text: &str, line_breaks: bool) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && !(line_breaks && (c == '\n' || c == '\t')))
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match (unsafe_char(c), c.len_utf8()) {
            (false, _) => c,
            (true, 1) => '?',
            (true, 2) => '¿',
            (true, _) => '\u{fffd}',
        })
        .collect()
}

fn paint(text: &str, style: &str, colour: bool) -> String {
    if colour { format!("{style}{text}{RESET}") } else { text.to_string() }
}

/// A progress bar on a terminal, plain lines elsewhere. Rejections are printed as they happen.
pub struct IngestProgress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
    embed_lines: usize,
    /// The papers the index holds as of its last commit, for what Ctrl-C says is kept.
    committed: Arc<AtomicU64>,
    /// The commits made so far: an ingest that fails after one has changed the index.
    commits: usize,
}

impl IngestProgress {
    /// `committed` starts at the papers the index holds and follows its commits.
    pub fn new(terminal: bool, committed: Arc<AtomicU64>) -> IngestProgress {
        let bar = terminal.then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg:10} [{bar:30}] {pos}/{len} files ({per_sec}, {eta} left)")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message("reading");
            bar
        });
        IngestProgress { bar, total: 0, done: 0, embed_lines: 0, committed, commits: 0 }
    }

    /// What a failed ingest kept, when it committed anything: the papers the index now holds
    /// and how to finish (the error says what stopped it).
    pub fn kept_after_failure(&self, again: &str) -> Option<String> {
        (self.commits > 0).then(|| {
            format!(
                "the index holds {} papers as of this ingest's last commit ({} commits made; the lexicon is \
                 learned at its end); once the cause is mended, {again} to finish: unchanged papers are skipped",
                self.committed.load(Ordering::Relaxed),
                self.commits
            )
        })
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl IngestObserver for IngestProgress {
    fn files_found(&mut self, total: usize) {
        self.total = total;
        match &self.bar {
            Some(bar) => bar.set_length(total as u64),
            None => eprintln!("reading {total} file{}", if total == 1 { "" } else { "s" }),
        }
    }

    fn file_done(&mut self, path: &Path, problem: Option<&str>) {
        self.done += 1;
        if let Some(reason) = problem {
            self.line(&one_line(&format!("rejected {}: {reason}", path.display())));
        }
        match &self.bar {
            Some(bar) => bar.inc(1),
            None if self.done.is_multiple_of(250) || self.done == self.total => {
                eprintln!("read {}/{} files", self.done, self.total)
            }
            None => {}
        }
    }

    fn writing(&mut self, papers: usize) {
        match &self.bar {
            Some(bar) => bar.set_message("writing"),
            None => eprintln!("writing {papers} paper{}", if papers == 1 { "" } else { "s" }),
        }
    }

    fn committed(&mut self, papers: u64) {
        self.committed.store(papers, Ordering::Relaxed);
        self.commits += 1;
    }

    fn learning_lexicon(&mut self) {
        match &self.bar {
            Some(bar) => bar.set_message("learning the bilingual lexicon"),
            None => eprintln!("learning the bilingual lexicon"),
        }
    }

    fn embedding(&mut self, progress: &EmbedProgress) {
        let (done, total) = (progress.papers_done, progress.papers_total);
        let seconds = progress.seconds();
        let per_second = |n: usize| if seconds > 0.0 { n as f64 / seconds } else { 0.0 };
        let line = format!(
            "embedded {done}/{total} papers ({}/{} passages), {:.1} papers/s, {:.1} passages/s, {:.0} s left",
            progress.passages_done,
            progress.passages_total,
            per_second(done),
            per_second(progress.passages_done),
            progress.seconds_left().unwrap_or(0.0)
        );
        match &self.bar {
            // The bar counts passages: papers finish out of order (see EmbedProgress).
            Some(bar) => {
                if bar.length() != Some(progress.passages_total as u64) {
                    bar.set_length(progress.passages_total as u64);
                    bar.set_position(0);
                }
                bar.set_message(format!("embedding passages ({done}/{total} papers done)"));
                bar.set_position(progress.passages_done as u64);
            }
            None => {
                self.embed_lines += 1;
                if self.embed_lines.is_multiple_of(20) || done == total {
                    eprintln!("{line}");
                }
            }
        }
    }
}

/// How the commands an ingest's warnings give to paste call paperdex: on the index, and with the
/// model folder or `--no-model`, as the user named them for the ingest, so that they do what
/// that ingest would (a `remove` without the model folder left the changed papers without
/// vectors).
pub struct Invocation<'a> {
    pub index: &'a std::path::Path,
    /// The model folder, when not the default one.
    pub models: Option<&'a std::path::Path>,
    pub no_model: bool,
}

impl Invocation<'_> {
    /// `paperdex` and its options, each word quoted for a shell.
    fn command(&self) -> String {
        let mut command = format!("paperdex --index {}", shell_word(&self.index.display().to_string()));
        if self.no_model {
            command.push_str(" --no-model");
        } else if let Some(models) = self.models {
            command.push_str(&format!(" --models {}", shell_word(&models.display().to_string())));
        }
        command
    }
}

/// The records an ingest rejected or read with a warning, one line each on stderr, whether its
/// report goes to stdout as text or as JSON.
pub fn print_ingest_problems(report: &IngestReport, invocation: &Invocation) {
    for record in &report.rejected_records {
        let line = record.line.map(|l| format!(":{l}")).unwrap_or_default();
        let rejected = format!("rejected record {} of {}{line}: {}", record.position, record.path, record.reason);
        eprintln!("{}", one_line(&rejected));
    }
    for record in report.record_warnings.iter().filter(|w| !w.repeated) {
        eprintln!("{}", one_line(&warning_line(record)));
    }
    let gone: Vec<&paperdex_index::NoLongerListed> =
        report.no_longer_listed.iter().filter(|file| file.change == FileChange::Gone).collect();
    for file in &report.no_longer_listed {
        if file.change != FileChange::Gone || gone.len() <= GONE_LINES {
            eprintln!("{}", one_line(&no_longer_listed_line(file, invocation)));
        }
    }
    if gone.len() > GONE_LINES {
        eprintln!("{}", one_line(&gone_files_line(&gone, invocation)));
    }
    let repeated = report.record_warnings.iter().filter(|w| w.repeated).count();
    if repeated > 0 {
        let (warnings, repeat) = if repeated == 1 { ("warning", "repeats") } else { ("warnings", "repeat") };
        eprintln!(
            "{repeated} {warnings} {repeat} what an earlier ingest said of records read again unchanged \
             (`--json` lists them)"
        );
    }
}

/// One line for a file that no longer lists papers it listed before (read again without them,
/// gone, unreadable, or read only in part): how many, the first few, and the commands that take
/// back what it said, to paste as they are.
fn no_longer_listed_line(file: &paperdex_index::NoLongerListed, invocation: &Invocation) -> String {
    const SHOWN: usize = 3;
    let n = file.papers.len();
    let mut ids = file.papers.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if n > SHOWN {
        ids.push_str(", …");
    }
    let (papers, keep) = if n == 1 { ("paper", "keeps") } else { ("papers", "keep") };
    let paperdex = invocation.command();
    let path = shell_word(&file.path);
    let remove = format!("{paperdex} remove --source {path}");
    match file.change {
        FileChange::Rewritten => format!(
            "warning: {} no longer lists {n} {papers} it listed when read before ({ids}); {} {keep} what it said until \
             `{remove} && {paperdex} ingest {path}`",
            file.path,
            if n == 1 { "it" } else { "they" },
        ),
        FileChange::Gone => format!(
            "warning: {} is gone (deleted, moved or renamed): {n} {papers} it listed ({ids}) {keep} what it said until \
             `{remove}`",
            file.path,
        ),
        FileChange::ReadInPart => format!(
            "warning: {} was read only in part this time (records rejected above): {n} {papers} it listed when read \
             before ({ids}) {keep} what it said then; mend the file and ingest it again",
            file.path,
        ),
        FileChange::Unreadable => format!(
            "warning: {} could not be read this time: {n} {papers} it listed when read before ({ids}) {keep} what it \
             said then until `{remove}`",
            file.path,
        ),
    }
}

/// The most files gone since an earlier ingest told one line each; more (a folder whose old
/// days are deleted as new ones come) are told in one line, with one command for all.
const GONE_LINES: usize = 3;

/// One line for many files gone since an earlier ingest: how many, the first few, the papers
/// they listed, and one command that takes back what they all said.
fn gone_files_line(gone: &[&paperdex_index::NoLongerListed], invocation: &Invocation) -> String {
    let mut names = gone.iter().take(GONE_LINES).map(|file| file.path.as_str()).collect::<Vec<_>>().join(", ");
    names.push_str(", …");
    let papers: std::collections::BTreeSet<&str> =
        gone.iter().flat_map(|file| file.papers.iter().map(String::as_str)).collect();
    let sources: String = gone.iter().map(|file| format!(" --source {}", shell_word(&file.path))).collect();
    format!(
        "warning: {} files read before are gone (deleted, moved or renamed): {names} (`--json` lists them); the {} \
         papers they listed keep what they said until `{} remove{sources}`",
        gone.len(),
        papers.len(),
        invocation.command(),
    )
}

/// `text` as one word of a shell command: as it is when it holds nothing a shell reads
/// specially, else in single quotes; one holding a control character (a line break in a file
/// name) in `$'…'` with it escaped (bash, zsh, ksh and POSIX.1-2024 `sh`), so the command is
/// one line that names the file exactly.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return text.to_string();
    }
    if !text.chars().any(char::is_control) {
        return format!("'{}'", text.replace('\'', r"'\''"));
    }
    let mut word = String::from("$'");
    for c in text.chars() {
        match c {
            '\\' => word.push_str(r"\\"),
            '\'' => word.push_str(r"\'"),
            '\n' => word.push_str(r"\n"),
            '\t' => word.push_str(r"\t"),
            '\r' => word.push_str(r"\r"),
            c if c.is_control() && c.is_ascii() => word.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => word.push_str(&format!("\\u{:04x}", c as u32)),
            c => word.push(c),
        }
    }
    word.push('\'');
    word
}

pub fn print_ingest_report(report: &IngestReport, invocation: &Invocation) {
    print_ingest_problems(report, invocation);
    let partly = match report.record_warnings.len() {
        0 => String::new(),
        n => format!(" ({n} with a warning)"),
    };
    println!(
        "files read: {}, rejected: {}; records: {} accepted{partly}, {} rejected",
        report.files_read,
        report.rejected_files.len(),
        report.records,
        report.rejected_records.len()
    );
    println!(
        "papers: {} new, {} updated, {} unchanged; {} in the index ({:.1} s)",
        report.papers_new, report.papers_updated, report.papers_unchanged, report.papers_total, report.seconds
    );
    for line in vector_lines(report) {
        println!("{line}");
    }
}

/// A record's warning as `ingest` prints it: the record by its place in the file when the
/// parser gave the warning, else by the file alone (the message names the paper).
fn warning_line(record: &paperdex_index::RecordWarning) -> String {
    let line = record.line.map(|l| format!(":{l}")).unwrap_or_default();
    match record.position {
        Some(position) => format!("warning: record {position} of {}{line}: {}", record.path, record.message),
        None => format!("warning: {}{line}: {}", record.path, record.message),
    }
}

/// What an ingest did with passage vectors: how many passages the model embedded and how fast,
/// and how many kept their stored vectors. No rate when the model embedded nothing (every
/// passage of the changed papers kept its vector): a rate over no work only says how short
/// the wait for the model was.
fn vector_lines(report: &IngestReport) -> Vec<String> {
    let mut lines = Vec::new();
    if report.chunks_embedded > 0 {
        lines.push(format!(
            "embedded: {} papers, {} passages in {:.1} s ({:.1} papers/s, {:.1} passages/s)",
            report.papers_embedded,
            report.chunks_embedded,
            report.embed_seconds,
            report.papers_embedded as f64 / report.embed_seconds.max(1e-9),
            report.chunks_embedded as f64 / report.embed_seconds.max(1e-9)
        ));
    }
    if report.chunks_reused > 0 {
        lines.push(format!("kept: {} stored passage vectors of unchanged passages", report.chunks_reused));
    }
    if report.papers_unembedded > 0 {
        lines.push(format!(
            "note: {} papers changed text with no model to embed it: their vectors went with the old text, and \
             meaning search misses them until the next ingest with the model available embeds them",
            report.papers_unembedded
        ));
    }
    lines
}

/// Names on stderr each id `remove` was given that the index does not hold: the reason for
/// exit status 3, said to the terminal whether stdout carries text or JSON.
pub fn print_remove_unknown(report: &RemoveReport) {
    for id in &report.unknown {
        eprintln!("not in the index: {id}");
    }
}

pub fn print_remove_report(report: &RemoveReport) {
    let list = if report.removed.is_empty() { String::new() } else { format!(" ({})", report.removed.join(", ")) };
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if !report.sources.is_empty() || !report.updated.is_empty() {
        let updated =
            if report.updated.is_empty() { String::new() } else { format!(" ({})", report.updated.join(", ")) };
        let unembedded = match report.papers_unembedded {
            0 => String::new(),
            n => format!("; {} without vectors until an ingest with the model", plural(n, "paper", "papers")),
        };
        println!(
            "took back {}: removed {}{list}, updated {}{updated} (other files list them), {} embedded again{unembedded}; \
             {} in the index ({:.1} s)",
            plural(report.sources.len(), "source file", "source files"),
            plural(report.removed.len(), "paper", "papers"),
            plural(report.updated.len(), "paper", "papers"),
            plural(report.chunks_embedded, "passage", "passages"),
            report.papers_total,
            report.seconds
        );
        return;
    }
    println!(
        "removed {}{list}, {}; {} not in the index; {} in the index ({:.1} s)",
        plural(report.removed.len(), "paper", "papers"),
        plural(report.vectors_removed, "passage vector", "passage vectors"),
        report.unknown.len(),
        report.papers_total,
        report.seconds
    );
}

/// What a list of hits is, for its last line: how many of what, in which order.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// A search's matches, best first.
    Matches,
    /// A search's best matches, newest first (`--sort date`, `new`).
    NewestFirst,
    /// A paper's related papers, most related first: there is no count of matches.
    Related,
    /// Every paper the filters let through, newest first (`new` without a query): nothing was
    /// matched.
    Papers,
}

/// Prints a page of hits that starts `offset` hits into the answer: hits are numbered from
/// there, and the last line says which of how many they are.
pub fn print_results(results: &SearchResults, offset: usize, explain: bool, colour: bool, listing: Listing) {
    // Filters that shut every paper out are the answer, said once on stdout: not a warning
    // beside a line blaming the query (a date past the newest paper's).
    let no_paper_passes = results.warnings.iter().find(|w| w.starts_with(paperdex_index::NO_PAPER_PASSES));
    for warning in results.warnings.iter().filter(|&w| Some(w) != no_paper_passes) {
        eprintln!("warning: {}", one_line(warning));
    }
    if results.hits.is_empty() {
        match results.query.as_str() {
            // Past the last page: there are hits, just not this far.
            _ if results.total > 0 && offset > 0 => println!(
                "no hits from {} on: {} in all; ask with a smaller --offset",
                grouped(offset + 1),
                count(results.total, results.total_is_estimate)
            ),
            // A related list searches for no text: its seed's words and vectors found nothing
            // (a paper with no text, or alone in its index).
            _ if listing == Listing::Related => println!("no related papers found"),
            _ if let Some(note) = no_paper_passes => println!("{}", one_line(note)),
            "" => println!("{}", paperdex_index::NO_PAPER_PASSES),
            // The query as typed (its own quotes not escaped), on one line.
            query => println!("no paper matches: {}", one_line(query)),
        }
        return;
    }
    if explain && !results.expansions.is_empty() {
        let parts: Vec<String> = results
            .expansions
            .iter()
            .map(|e| format!("{} → {} ({:.2}, {})", e.from, e.to, e.weight, e.source.as_str()))
            .collect();
        println!("{}", paint(&format!("translated: {}", parts.join("; ")), DIM, colour));
    }
    for (said, phrases) in [("every hit holds", &results.required), ("no hit holds", &results.excluded)] {
        if explain && !phrases.is_empty() {
            let line = format!("{said}: {}", paperdex_index::quoted_phrases(phrases));
            println!("{}", paint(&line, DIM, colour));
        }
    }
    if explain && !results.left_out.is_empty() {
        let words = results.left_out.join(", ");
        println!("{}", paint(&format!("left out (in most Chinese papers): {words}"), DIM, colour));
    }
    for (i, hit) in results.hits.iter().enumerate() {
        println!("{:>3}. {}", offset + i + 1, paint(&terminal_safe(&hit.title), BOLD, colour));
        let date = hit.date.as_deref().unwrap_or("undated");
        let mut line = format!("{} · {} · {}", hit.id, date, terminal_safe(&hit.url));
        if let Some(first_seen) = hit.first_seen.as_deref().filter(|&d| Some(d) != hit.date.as_deref()) {
            line.push_str(&format!(" · listed {first_seen}"));
        }
        if let Some(section) = hit.section {
            line.push_str(&format!(" · {}", section.label()));
        }
        println!("     {}", paint(&line, DIM, colour));
        if !hit.matched_authors.is_empty() {
            println!("     {}", authors_named(&hit.matched_authors, colour));
        }
        if !hit.snippet.is_empty() {
            println!("     {}", highlight(&terminal_safe(&hit.snippet), &hit.highlights, colour));
        }
        if explain {
            let part = |rank: Option<usize>, score: Option<f32>| match (rank, score) {
                (Some(r), Some(s)) => format!("#{r} ({s:.3})"),
                _ => "-".to_string(),
            };
            // Side by side, not summed: the score is the fusion's of the two ranks (`--fusion`),
            // and `= bm25 #1 (105.963) + vector #3 (0.899)` read as arithmetic giving 0.0694.
            let mut line = format!(
                "score {:.4} · bm25 {} · vector {}",
                hit.score,
                part(hit.bm25_rank, hit.bm25_score),
                part(hit.vector_rank, hit.vector_score)
            );
            if hit.singled_out {
                line.push_str(
                    " · first: the query's words single it out (its author's name, or keyword scores up to here over twice the next)",
                );
            }
            println!("     {}", paint(&line, DIM, colour));
        }
    }
    println!(
        "{}",
        paint(
            &match listing {
                Listing::Related => format!(
                    "{} related {}, {} mode, {:.1} ms",
                    results.hits.len(),
                    if results.hits.len() == 1 { "paper" } else { "papers" },
                    results.mode.as_str(),
                    results.took_ms
                ),
                Listing::Matches | Listing::NewestFirst => format!(
                    "{} of {} {}{}, {} mode, {:.1} ms",
                    shown(offset, results.hits.len()),
                    count(results.total, results.total_is_estimate),
                    if results.total == 1 && !results.total_is_estimate { "match" } else { "matches" },
                    if listing == Listing::NewestFirst { ", newest first" } else { "" },
                    results.mode.as_str(),
                    results.took_ms
                ),
                Listing::Papers => format!(
                    "{} of {} papers, newest first, {:.1} ms",
                    shown(offset, results.hits.len()),
                    count(results.total, results.total_is_estimate),
                    results.took_ms
                ),
            },
            DIM,
            colour
        )
    );
}

/// Which hits a page shows: `10`, or `91–100` past the first page (`4`, not `4–4`, for one).
fn shown(offset: usize, hits: usize) -> String {
    match (offset, hits) {
        (0, _) => hits.to_string(),
        (_, 1) => grouped(offset + 1),
        _ => format!("{}–{}", grouped(offset + 1), grouped(offset + hits)),
    }
}

/// A number of matches: "12,345", or "about 12,000" when it is an estimate.
fn count(total: usize, estimate: bool) -> String {
    paperdex_index::total_text(total, estimate)
}

/// `n` with its thousands grouped: 12,345.
fn grouped(n: usize) -> String {
    paperdex_index::total_text(n, false)
}

/// Marks the highlighted ranges: colour on a terminal, `[...]` elsewhere.
/// The line naming the authors a query named (`author [Song Han]`), each name marked as the
/// query's words are in a snippet.
fn authors_named(names: &[String], colour: bool) -> String {
    let mut line = String::from(if names.len() == 1 { "author " } else { "authors " });
    let mut ranges = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            line.push_str(", ");
        }
        let name = terminal_safe(name);
        ranges.push([line.len(), line.len() + name.len()]);
        line.push_str(&name);
    }
    highlight(&line, &ranges, colour)
}

fn highlight(snippet: &str, ranges: &[[usize; 2]], colour: bool) -> String {
    let mut out = String::new();
    let mut at = 0;
    for &[start, end] in ranges {
        if start < at || end > snippet.len() || !snippet.is_char_boundary(start) || !snippet.is_char_boundary(end) {
            continue;
        }
        out.push_str(&snippet[at..start]);
        if colour {
            out.push_str(&paint(&snippet[start..end], HIGHLIGHT, true));
        } else {
            out.push('[');
            out.push_str(&snippet[start..end]);
            out.push(']');
        }
        at = end;
    }
    out.push_str(&snippet[at..]);
    out
}

pub fn print_paper(paper: &Paper, colour: bool) {
    println!("{}", paint(&terminal_safe(paper.title()), BOLD, colour));
    if let Some(zh) = paper.title_zh() {
        println!("{}", terminal_safe(zh));
    }
    println!(
        "{}",
        paint(
            &format!("{} · {} · {}", paper.id, paper.date().unwrap_or("undated"), terminal_safe(&paper.url())),
            DIM,
            colour
        )
    );
    let mut seen = match (paper.first_seen(), paper.last_seen()) {
        (Some(first), Some(last)) if first != last => format!("first seen {first}, last seen {last}"),
        (Some(first), _) => format!("first seen {first}"),
        _ => String::new(),
    };
    if let Some(upvotes) = paper.upvotes() {
        let noun = if upvotes == 1 { "upvote" } else { "upvotes" };
        seen.push_str(&format!("{}▲ {upvotes} {noun}", if seen.is_empty() { "" } else { " · " }));
    }
    if !seen.is_empty() {
        println!("{}", paint(&seen, DIM, colour));
    }
    let authors = paper.authors();
    if !authors.is_empty() {
        println!("Authors: {}", terminal_safe(&authors.join(", ")));
    }
    let keywords = paper.keywords();
    if !keywords.is_empty() {
        println!("Keywords: {}", terminal_safe(&keywords.join(", ")));
    }
    for shown in paper.shown_sections() {
        println!("\n{}", paint(&format!("## {}", terminal_safe(&shown.label)), BOLD, colour));
        println!("{}", terminal_safe(shown.section.text.trim()));
    }
    println!("\n{}", paint("## Sources", BOLD, colour));
    for record in &paper.records {
        let date = record.source.date.as_deref().unwrap_or("-");
        println!("- {} ({}, {date})", one_line(&record.source.path), record.source.format.label());
    }
}

/// What `show --json` prints: the paper as `/api/papers/{id}` and MCP's `show_paper` give it
/// (one shape for every interface), and after it the records it was merged from, each as its
/// source stated it, for a user checking what ingest read.
pub fn shown_paper_json(paper: &Paper) -> serde_json::Result<serde_json::Value> {
    let mut shown = serde_json::to_value(paperdex_server::dto::PaperView::from(paper))?;
    if let Some(shown) = shown.as_object_mut() {
        shown.insert("records".into(), serde_json::to_value(&paper.records)?);
    }
    Ok(shown)
}

pub fn print_stats(stats: &IndexStats) {
    println!("index:        {}", stats.path);
    println!("papers:       {}", stats.papers);
    for (lang, n) in &stats.papers_by_language {
        println!("  with {lang} text: {n}");
    }
    if !stats.papers_by_format.is_empty() {
        println!("  listed by (a paper listed by several sources counts in each):");
    }
    for (format, n) in &stats.papers_by_format {
        println!("    {format}: {n}");
    }
    println!("source files: {}", stats.source_files);
    match (&stats.vector_model, &stats.vectors_problem) {
        (Some(model), _) => {
            println!("vectors:      {} passages of {} papers ({model})", stats.vectors, stats.papers_with_vectors)
        }
        (None, Some(problem)) => println!("vectors:      cannot be loaded, keyword search only: {problem}"),
        (None, None) => println!("vectors:      none (keyword search only)"),
    }
    println!("generation:   {}", stats.generation);
    if let Some((first, last)) = &stats.listed_range {
        println!("listed:       {first} .. {last}");
    }
    if let Some((first, last)) = &stats.date_range {
        println!("published:    {first} .. {last}");
    }
    println!("disk:         {:.1} MB", stats.disk_bytes as f64 / 1e6);
}

/// Warns on stderr of each problem found in a glossary (a line skipped, a file left out).
pub fn warn_glossary_problems(problems: &[String]) {
    for problem in problems {
        eprintln!("warning: glossary: {problem}");
    }
}

/// Prints what `term` translates to in the lexicon.
/// The glossary's problems are not repeated here: loading the lexicon logged them.
pub fn print_lexicon_entries(term: &str, entries: &[&paperdex_index::LexiconEntry]) {
    if entries.is_empty() {
        println!("{term:?} is not in the lexicon");
        return;
    }
    for entry in entries {
        let evidence = match entry.source {
            paperdex_index::LexiconSource::Bracket => format!("written in brackets {} times", entry.count),
            paperdex_index::LexiconSource::Parallel => {
                format!("together in {} papers with both languages", entry.count)
            }
            paperdex_index::LexiconSource::Glossary => format!("glossary line {}", entry.count),
            paperdex_index::LexiconSource::Embedding => format!(
                "each the other's nearest term in the embedding model; the Chinese term is in {} papers",
                entry.count
            ),
        };
        println!("{} ↔ {}  weight {:.2}  {} ({evidence})", entry.zh, entry.en, entry.weight, entry.source.as_str());
    }
}

/// How many changes to papers without Chinese text have `lexicon` learned again.
pub fn learned_again_at(lexicon: &paperdex_index::Lexicon) -> u64 {
    paperdex_index::LexiconLag::learned_again_at(lexicon.file.papers)
}

/// What changed since `lexicon` was learned, and when it is learned again. Changes, not
/// papers: a paper written twice counts twice (each write counts what it changed).
pub fn lexicon_lag(lexicon: &paperdex_index::Lexicon, lag: paperdex_index::LexiconLag) -> String {
    let changes = |n: u64| format!("{n} {}", if n == 1 { "change" } else { "changes" });
    let said = format!("{} to papers without Chinese text since it was learned", changes(lag.english));
    // Left by a write interrupted before its end (or under way): the next write learns it.
    if lag.chinese > 0 || lag.due(lexicon.file.papers) {
        let chinese = match lag.chinese {
            0 => String::new(),
            n => format!(" and {} to papers with Chinese text", changes(n)),
        };
        return format!("{said}{chinese}: the next write learns it again");
    }
    format!("{said}; learned again at {}", learned_again_at(lexicon))
}

/// The line a write (`ingest`, `remove`) ends with: the lexicon, learned again by it and why
/// (`learned`), or kept.
pub fn lexicon_line(
    lexicon: &paperdex_index::Lexicon,
    learned: Option<&str>,
    lag: paperdex_index::LexiconLag,
) -> String {
    let what = match learned {
        Some(because) => format!("learned in {:.2} s ({because})", lexicon.file.seconds),
        None if lag.is_empty() => "unchanged".to_string(),
        None => format!("kept ({})", lexicon_lag(lexicon, lag)),
    };
    format!(
        "lexicon: {} term pairs from {} papers ({} with text in both languages), {what}",
        lexicon.len(),
        lexicon.file.papers,
        lexicon.file.parallel_papers,
    )
}

/// [`lexicon_line`] in a write's JSON answer.
pub fn lexicon_json(
    lexicon: &paperdex_index::Lexicon,
    learned: Option<&str>,
    lag: paperdex_index::LexiconLag,
) -> serde_json::Value {
    serde_json::json!({
        "pairs": lexicon.len(),
        "papers": lexicon.file.papers,
        "parallel_papers": lexicon.file.parallel_papers,
        "learned": learned.is_some(),
        "learned_because": learned,
        "seconds": if learned.is_some() { lexicon.file.seconds } else { 0.0 },
        "changed_since": lag,
        "learned_again_at": learned_again_at(lexicon),
        "learned_with_model": lexicon.file.term_vectors,
    })
}

/// What `lexicon` lacks when it was learned without the embedding model.
pub fn without_the_model(lexicon: &paperdex_index::Lexicon) -> Option<&'static str> {
    (lexicon.name.is_some() && !lexicon.file.term_vectors)
        .then_some("learned without the embedding model: the next write with it learns the embedding model's pairs")
}

/// Prints figures about the lexicon.
pub fn print_lexicon_stats(
    lexicon: &paperdex_index::Lexicon,
    lag: paperdex_index::LexiconLag,
    json: bool,
) -> anyhow::Result<()> {
    // Counted as `pairs` is, so the counts add up to it.
    let by_source: std::collections::BTreeMap<&str, usize> =
        lexicon.pairs_by_source().into_iter().map(|(source, count)| (source.as_str(), count)).collect();
    if json {
        let value = serde_json::json!({
            "file": lexicon.name,
            "pairs": lexicon.len(),
            "by_source": by_source,
            "papers": lexicon.file.papers,
            "parallel_papers": lexicon.file.parallel_papers,
            "seconds": lexicon.file.seconds,
            "changed_since": lag,
            "learned_again_at": learned_again_at(lexicon),
            "learned_with_model": lexicon.file.term_vectors,
            "glossary_problems": lexicon.glossary_problems,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    warn_glossary_problems(&lexicon.glossary_problems);
    match &lexicon.name {
        // An index whose first ingest was interrupted holds papers and no lexicon yet.
        None if !lag.is_empty() => println!("no lexicon yet: the next write (an ingest or a removal) learns one"),
        None => println!("no lexicon yet: ingest papers (or ingest --glossary FILE) to learn one"),
        Some(name) => {
            println!("lexicon {name}: {} term pairs", lexicon.len());
            for (source, count) in by_source {
                println!("  {source}: {count}");
            }
            println!(
                "learned from {} papers ({} with text in both languages) in {:.2} s",
                lexicon.file.papers, lexicon.file.parallel_papers, lexicon.file.seconds
            );
            if !lag.is_empty() {
                println!("{}", lexicon_lag(lexicon, lag));
            }
            if let Some(lacks) = without_the_model(lexicon) {
                println!("{lacks}");
            }
        }
    }
    Ok(())
}

/// Log events as the CLI's own lines: `warning: message field=value`, as a one-shot command's
/// other warnings read.
pub struct PlainLines;

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for PlainLines
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        context: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let level = match *event.metadata().level() {
            tracing::Level::ERROR => "error",
            tracing::Level::WARN => "warning",
            tracing::Level::INFO => "info",
            tracing::Level::DEBUG => "debug",
            tracing::Level::TRACE => "trace",
        };
        write!(writer, "{level}: ")?;
        context.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

#[cfg(test)]
mod tests {
    use paperdex_index::FileChange;

    fn invocation(index: &str) -> super::Invocation<'_> {
        super::Invocation { index: std::path::Path::new(index), models: None, no_model: false }
    }

    #[test]
    fn the_authors_a_query_names_are_one_line_each_name_marked() {
        assert_eq!(super::authors_named(&["Song Han".into()], false), "author [Song Han]");
        let two = super::authors_named(&["Song Han".into(), "René Vidal".into()], false);
        assert_eq!(two, "authors [Song Han], [René Vidal]");
    }

    #[test]
    fn many_gone_files_are_one_line_with_one_command_for_all() {
        let gone: Vec<paperdex_index::NoLongerListed> = (1..=5)
            .map(|day| paperdex_index::NoLongerListed {
                path: format!("/d/day {day}.json"),
                papers: vec![format!("2601.0000{day}"), "2601.00009".into()],
                change: FileChange::Gone,
            })
            .collect();
        let line = super::gone_files_line(&gone.iter().collect::<Vec<_>>(), &invocation("idx"));
        assert!(line.starts_with("warning: 5 files read before are gone"), "{line}");
        assert!(line.contains("/d/day 1.json, /d/day 2.json, /d/day 3.json, …"), "{line}");
        assert!(line.contains("the 6 papers they listed"), "each paper once: {line}");
        assert!(line.ends_with("remove --source '/d/day 1.json' --source '/d/day 2.json' --source '/d/day 3.json' --source '/d/day 4.json' --source '/d/day 5.json'`"), "{line}");
    }

    #[test]
    fn a_command_to_paste_names_the_model_folder_or_no_model_as_the_ingest_did() {
        let models = std::path::Path::new("/opt/my models");
        let with = super::Invocation { index: std::path::Path::new("idx"), models: Some(models), no_model: false };
        assert_eq!(with.command(), "paperdex --index idx --models '/opt/my models'");
        let without = super::Invocation { index: std::path::Path::new("idx"), models: Some(models), no_model: true };
        assert_eq!(without.command(), "paperdex --index idx --no-model");
        assert_eq!(invocation("idx").command(), "paperdex --index idx");
    }

    #[test]
    fn a_file_that_no_longer_lists_papers_is_one_line_with_a_command_a_shell_reads_as_one_path() {
        let file = paperdex_index::NoLongerListed {
            path: "/digests/it's day 5.md".into(),
            papers: vec!["2601.00001".into(), "2601.00002".into(), "2601.00003".into(), "2601.00004".into()],
            change: FileChange::Rewritten,
        };
        let line = super::no_longer_listed_line(&file, &invocation("my index"));
        assert!(line.starts_with("warning: /digests/it's day 5.md no longer lists 4 papers"), "{line}");
        assert!(line.contains("(2601.00001, 2601.00002, 2601.00003, …)"), "{line}");
        assert!(
            line.ends_with(
                r"`paperdex --index 'my index' remove --source '/digests/it'\''s day 5.md' && paperdex --index 'my index' ingest '/digests/it'\''s day 5.md'`"
            ),
            "{line}"
        );
        assert_eq!(super::shell_word("/d/2026-01-05.json"), "/d/2026-01-05.json");
    }

    #[test]
    fn a_file_name_with_a_line_break_stays_on_its_one_line_and_the_command_names_it_exactly() {
        let file = paperdex_index::NoLongerListed {
            path: "/d/day\n5's.json".into(),
            papers: vec!["2601.00001".into()],
            change: FileChange::Gone,
        };
        let line = super::one_line(&super::no_longer_listed_line(&file, &invocation("idx"))).into_owned();
        assert!(!line.contains('\n'), "{line}");
        assert!(line.starts_with("warning: /d/day?5's.json is gone"), "{line}");
        assert!(line.ends_with(r"remove --source $'/d/day\n5\'s.json'`"), "{line}");
        assert_eq!(super::shell_word("a\u{7}b\\"), r"$'a\x07b\\'");
    }

    #[test]
    fn a_file_gone_or_unreadable_says_so_and_how_to_take_its_papers_back() {
        let file = |change| paperdex_index::NoLongerListed {
            path: "/digests/day 5.md".into(),
            papers: vec!["2601.00001".into()],
            change,
        };
        let gone = super::no_longer_listed_line(&file(FileChange::Gone), &invocation("idx"));
        assert_eq!(
            gone,
            "warning: /digests/day 5.md is gone (deleted, moved or renamed): 1 paper it listed (2601.00001) keeps \
             what it said until `paperdex --index idx remove --source '/digests/day 5.md'`"
        );
        let in_part = super::no_longer_listed_line(&file(FileChange::ReadInPart), &invocation("idx"));
        assert!(in_part.ends_with("mend the file and ingest it again"), "no command that takes papers back: {in_part}");
        let unreadable = super::no_longer_listed_line(&file(FileChange::Unreadable), &invocation("idx"));
        assert!(
            unreadable.starts_with("warning: /digests/day 5.md could not be read this time: 1 paper"),
            "{unreadable}"
        );
        assert!(unreadable.ends_with("`paperdex --index idx remove --source '/digests/day 5.md'`"), "{unreadable}");
    }

    use paperdex_index::IngestReport;

    use super::{terminal_safe, vector_lines, warning_line};

    #[test]
    fn a_papers_control_characters_never_reach_the_terminal_and_keep_their_place() {
        let title = "Evil\x1b[31mRED\x1b[0m\x07title \u{202e}RTL \0nul \u{85}next";
        let shown = terminal_safe(title);
        assert!(!shown.chars().any(|c| c.is_control() || c == '\u{202e}'), "{shown:?}");
        assert_eq!(shown.len(), title.len(), "highlight ranges still fall on the same bytes");
        assert_eq!(terminal_safe("二行\n\ttext"), "二行\n\ttext");
    }

    #[test]
    fn a_warning_names_its_record_where_the_parser_gave_it_and_its_file_where_the_merge_did() {
        let mut warning = paperdex_index::RecordWarning {
            path: "day.json".into(),
            position: Some(3),
            line: Some(12),
            paper: "2602.02958".into(),
            message: "paper 2602.02958 again".into(),
            repeated: false,
        };
        assert_eq!(warning_line(&warning), "warning: record 3 of day.json:12: paper 2602.02958 again");
        (warning.position, warning.line) = (None, None);
        assert_eq!(warning_line(&warning), "warning: day.json: paper 2602.02958 again");
    }

    #[test]
    fn an_ingest_that_only_kept_stored_vectors_prints_no_rate() {
        let kept_only =
            IngestReport { papers_embedded: 3, chunks_reused: 5, embed_seconds: 1e-9, ..IngestReport::default() };
        assert_eq!(vector_lines(&kept_only), ["kept: 5 stored passage vectors of unchanged passages"]);

        let embedded = IngestReport {
            papers_embedded: 2,
            chunks_embedded: 4,
            chunks_reused: 1,
            embed_seconds: 2.0,
            ..IngestReport::default()
        };
        assert_eq!(
            vector_lines(&embedded),
            [
                "embedded: 2 papers, 4 passages in 2.0 s (1.0 papers/s, 2.0 passages/s)",
                "kept: 1 stored passage vectors of unchanged passages"
            ]
        );
        assert!(vector_lines(&IngestReport::default()).is_empty(), "nothing to say when nothing was embedded");
    }

    #[test]
    fn an_ingest_without_the_model_says_which_papers_lost_their_vectors() {
        let lost = IngestReport { papers_updated: 3, papers_unembedded: 2, ..IngestReport::default() };
        let lines = vector_lines(&lost);
        assert!(lines.len() == 1 && lines[0].starts_with("note: 2 papers changed text with no model"), "{lines:?}");
    }
}
