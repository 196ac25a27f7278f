//! paperdex at scale: 100,000 and 1,000,000 synthetic papers, no model (run with
//! `cargo bench --bench scale`). Prints a table per size and part.
//!
//! - **bm25**: synthetic papers made by recombining real text of the shared corpus (a real
//!   title with a number appended, 8–12 real English sentences as the abstract, and for every
//!   5th paper a Chinese summary of real Chinese sentences) are written as Hugging Face daily
//!   papers API files and zh-summaries files, 1,000 papers a file, and ingested through the
//!   real pipeline (parse, merge by id, one generation per 1,000 papers). Generation and
//!   ingest time, papers/s, index size on disk, open time, BM25 latency p50/p99 over the
//!   query set of the `search` bench (retrieval alone and the whole answer), RSS.
//! - **vectors**: two 384-dimensional passages per paper (the second is Chinese for every 5th
//!   paper, English otherwise), by default perturbed real e5 passages of `index/full` (see
//!   `Perturbed`; `vectors-faithful` compares them with the real ones). One process builds:
//!   `VectorSet`, hnsw_rs graphs (parallel insert, in ten steps to show progress), saves them,
//!   converts them into a `CompactGraph` and saves it, and the exact top 10 of 200 queries.
//!   Two more processes open them as a server would (load time, RSS): the hnsw_rs dumps
//!   (`vectors-open-hnsw`, the design before issue #13) and the compact graph (`vectors-open`,
//!   what the engine loads now), and search: recall@10 and latency at several `ef`, and the
//!   latency of the 300 passages per language the engine asks for.
//!
//! Environment:
//! - `PAPERDEX_SCALE_PAPERS`: sizes, a comma list (default `100000`);
//! - `PAPERDEX_SCALE_PART`: `bm25` or `vectors` for one part; unset, both. The binary runs
//!   itself once per size and part (`vectors` is three runs, `vectors-build`,
//!   `vectors-open-hnsw` and `vectors-open`), so each process reports its own peak RSS;
//!   `vectors-faithful` compares the real passages of `index/full` with a perturbed copy;
//! - `PAPERDEX_SCALE_VECTORS_DATA`: `perturbed` (default), or `overlapping` / `clustered`, the
//!   synthetic data sets of the `hnsw` bench (no real vectors needed);
//! - `PAPERDEX_SCALE_REAL_VECTORS`: the real vector file to perturb (default: the newest
//!   generation of `index/full`); `PAPERDEX_SCALE_PERTURB`: the perturbation strength (0.3);
//! - `PAPERDEX_SCALE_INPUT`: a folder to write the bm25 part's input files to (under a
//!   sub-folder per size) and keep, to time other builds' ingest of the same files;
//! - `PAPERDEX_SCALE_INDEX`: a folder to keep the bm25 part's index in (a sub-folder per
//!   size); `PAPERDEX_SCALE_PART=bm25-queries` then measures the queries alone on it (an
//!   index made by `paperdex --no-model --index DIR/SIZE ingest` of the same input does too);
//!   `PAPERDEX_SCALE_CANDIDATES`: the pruned stage's candidate depth (default `CANDIDATES`);
//! - `PAPERDEX_SCALE_HNSW=M,EF_CONSTRUCTION`: other graph parameters for the build;
//! - `PAPERDEX_SCALE_EFS`: the `ef` values to search at, a comma list (default `64,128,256`);
//! - `PAPERDEX_SCALE_BUILD_BUDGET_MIN`: give up the vector build when it is estimated to take
//!   longer than that, reporting the rates measured so far.
//!
//! Scratch files go to the system temp folder (`TMPDIR`): at 1M papers about 2.3 GB of input
//! files, and several GB each of index, vectors and graphs.

mod common;

#[path = "../crates/paperdex-index/src/vectors/synthetic.rs"]
mod synthetic;

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use paperdex_core::{Lang, parse_bytes};
use paperdex_index::vectors::{CompactGraph, ExactSearch, HnswParams, HnswSearch, NearestNeighbours, VectorSet};
use paperdex_index::{IngestObserver, PaperIndex, Pruning, SearchEngine, SearchMode, SearchRequest};
use serde_json::json;

use common::{QUERIES, load_average, peak_rss_mb, percentile, proc_status_mb};
use synthetic::Corpus;

/// Papers per generated file (one file a day; real days have a few dozen, but a million papers
/// in 40,000 files would measure file handling more than indexing).
const PAPERS_PER_FILE: usize = 1_000;
/// Every this-many-th paper also has a Chinese summary (and a Chinese passage).
const ZH_EVERY: usize = 5;
const DIMS: usize = 384;
const TOPICS: usize = 40;
const VECTOR_QUERIES: usize = 200;
const K: usize = 10;
/// The `ef` values searched at (`PAPERDEX_SCALE_EFS` overrides, a comma list).
const EFS: [usize; 3] = [64, 128, 256];
/// Passages per language the engine asks the ANN index for.
const ENGINE_K: usize = 300;
const LANGS: [Lang; 2] = [Lang::Zh, Lang::En];

fn main() {
    let sizes = match sizes() {
        Ok(sizes) => sizes,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let part = std::env::var("PAPERDEX_SCALE_PART").unwrap_or_default();
    let ok = match part.as_str() {
        "" => {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            println!("scale bench: {sizes:?} papers, {threads} threads available; each part in its own process\n");
            // `&`, not `&&`: a failed part does not stop the others.
            let results: Vec<bool> =
                sizes.iter().map(|&papers| run_part(papers, "bm25", None) & run_vectors(papers)).collect();
            results.iter().all(|&ok| ok)
        }
        "bm25" => {
            sizes.iter().for_each(|&papers| bm25_part(papers));
            true
        }
        "bm25-queries" => {
            sizes.iter().for_each(|&papers| bm25_queries_part(papers));
            true
        }
        "vectors" => sizes.iter().map(|&papers| run_vectors(papers)).collect::<Vec<_>>().iter().all(|&ok| ok),
        "vectors-faithful" => {
            vectors_faithful();
            true
        }
        "vectors-build" | "vectors-open" | "vectors-open-hnsw" => {
            let Some(scratch) = std::env::var_os("PAPERDEX_SCALE_SCRATCH").map(PathBuf::from) else {
                eprintln!("PAPERDEX_SCALE_PART={part} needs PAPERDEX_SCALE_SCRATCH (a folder); use `vectors`");
                std::process::exit(2);
            };
            for &papers in &sizes {
                let dir = scratch.join(papers.to_string());
                match part.as_str() {
                    "vectors-build" => vectors_build(papers, &dir),
                    "vectors-open" => vectors_open(papers, &dir, true),
                    _ => vectors_open(papers, &dir, false),
                }
            }
            true
        }
        other => {
            eprintln!("PAPERDEX_SCALE_PART={other:?}: expected `bm25`, `bm25-queries` or `vectors`, or unset for both");
            std::process::exit(2);
        }
    };
    if !ok {
        std::process::exit(1);
    }
}

/// The sizes asked for in `PAPERDEX_SCALE_PAPERS`.
fn sizes() -> Result<Vec<usize>, String> {
    let raw = std::env::var("PAPERDEX_SCALE_PAPERS").unwrap_or_else(|_| "100000".to_string());
    raw.split(',')
        .map(|s| s.trim().replace('_', ""))
        .filter(|s| !s.is_empty())
        .map(|s| match s.parse::<usize>() {
            Ok(n) if (1..=100_000_000).contains(&n) => Ok(n),
            _ => Err(format!("PAPERDEX_SCALE_PAPERS: {s:?} is not a paper count from 1 to 100000000")),
        })
        .collect()
}

/// Runs this binary again for one part and size; its output is ours. Whether it succeeded.
fn run_part(papers: usize, part: &str, scratch: Option<&Path>) -> bool {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            println!("({part} at {papers} papers not run: cannot find this bench's own executable: {e})\n");
            return false;
        }
    };
    let mut command = Command::new(exe);
    command
        .args(std::env::args_os().skip(1))
        .env("PAPERDEX_SCALE_PAPERS", papers.to_string())
        .env("PAPERDEX_SCALE_PART", part);
    if let Some(scratch) = scratch {
        command.env("PAPERDEX_SCALE_SCRATCH", scratch);
    }
    match command.status() {
        Ok(status) if status.success() => true,
        Ok(status) => {
            println!("({part} at {papers} papers failed: {status})\n");
            false
        }
        Err(e) => {
            println!("({part} at {papers} papers could not start: {e})\n");
            false
        }
    }
}

/// The vector part in two processes sharing a scratch folder: one builds and saves, the other
/// opens what was saved and searches, so the second's peak RSS is what a server holds.
fn run_vectors(papers: usize) -> bool {
    let scratch = match tempfile::tempdir() {
        Ok(scratch) => scratch,
        Err(e) => {
            println!("(vectors at {papers} papers not run: no temp folder: {e})\n");
            return false;
        }
    };
    run_part(papers, "vectors-build", Some(scratch.path()))
        && run_part(papers, "vectors-open-hnsw", Some(scratch.path()))
        && run_part(papers, "vectors-open", Some(scratch.path()))
}

/// A seeded generator (deterministic for a seed), enough to shuffle text.
struct Seeded(fastrand::Rng);

impl Seeded {
    fn below(&mut self, n: usize) -> usize {
        self.0.usize(..n.max(1))
    }

    /// Uniform in `low..=high`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    fn pick<'a>(&mut self, items: &'a [String]) -> &'a str {
        &items[self.below(items.len())]
    }
}

/// A valid, unique arXiv id for paper number `n`: `3001.00000`, `3001.00001`, ...
fn paper_id(n: usize) -> String {
    format!("{}.{:05}", 3001 + n / 100_000, n % 100_000)
}

/// Real text to recombine: titles, author names, English and Chinese sentences.
#[derive(Default)]
struct TextPool {
    files: usize,
    titles: Vec<String>,
    authors: Vec<String>,
    en: Vec<String>,
    zh: Vec<String>,
}

impl TextPool {
    /// Reads the Hugging Face API dumps and the reports with the product's parsers. `Err` with
    /// the reason when the corpus is missing or holds no usable text.
    fn load(corpus: &Path) -> Result<TextPool, String> {
        let mut files = Vec::new();
        for folder in ["hf-daily-api", "reports"] {
            let dir = corpus.join(folder);
            let entries = fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
            let mut found: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
            found.sort();
            files.extend(found);
        }
        let mut pool = TextPool::default();
        for file in &files {
            let Ok(bytes) = fs::read(file) else { continue };
            // Files the product rejects (weekend placeholders and the like) add nothing.
            let Ok(parsed) = parse_bytes(&file.display().to_string(), &bytes) else { continue };
            pool.files += 1;
            for record in parsed.records {
                pool.titles.extend(record.title);
                pool.authors.extend(record.authors);
                for section in &record.sections {
                    pool.add_sentences(&section.text);
                }
            }
        }
        // The same paper appears on several days; sorted and unique keeps the draw deterministic.
        for list in [&mut pool.titles, &mut pool.authors, &mut pool.en, &mut pool.zh] {
            list.sort();
            list.dedup();
        }
        if pool.titles.is_empty() || pool.en.is_empty() || pool.zh.is_empty() {
            return Err(format!(
                "{} holds too little text ({} titles, {} English and {} Chinese sentences)",
                corpus.display(),
                pool.titles.len(),
                pool.en.len(),
                pool.zh.len()
            ));
        }
        Ok(pool)
    }

    /// English text is split on ". ", Chinese on "。"; fragments too short or too long to be
    /// sentences (headings, lists run together) are left out.
    fn add_sentences(&mut self, text: &str) {
        let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        match Lang::detect(text) {
            Lang::En => {
                for sentence in text.split(". ") {
                    let sentence = collapse(sentence);
                    let sentence = sentence.trim_end_matches('.');
                    if (40..=400).contains(&sentence.chars().count()) && Lang::detect(sentence) == Lang::En {
                        self.en.push(format!("{sentence}."));
                    }
                }
            }
            Lang::Zh => {
                for sentence in text.split('。') {
                    let sentence = collapse(sentence);
                    if (8..=300).contains(&sentence.chars().count()) && Lang::detect(&sentence) == Lang::Zh {
                        self.zh.push(format!("{sentence}。"));
                    }
                }
            }
        }
    }
}

/// `low..=high` sentences drawn from `pool`, joined by `separator`.
fn sentences(rng: &mut Seeded, pool: &[String], low: usize, high: usize, separator: &str) -> String {
    let count = rng.between(low, high);
    (0..count).map(|_| rng.pick(pool)).collect::<Vec<_>>().join(separator)
}

/// The date of generated file `file`: one file a day over 28-day months, so every name differs.
fn day(file: usize) -> String {
    format!("{}-{:02}-{:02}", 2024 + file / 336, (file / 28) % 12 + 1, file % 28 + 1)
}

/// What [`generate`] wrote.
struct Generated {
    files: usize,
    bytes: u64,
    zh_papers: usize,
}

/// Writes `papers` synthetic papers under `dir`: per 1,000 papers one daily papers API file
/// (`YYYY-MM-DD.json`) and one zh-summaries file (`YYYY-MM-DD_zh.json`).
fn generate(pool: &TextPool, papers: usize, dir: &Path) -> std::io::Result<Generated> {
    let mut rng = Seeded(fastrand::Rng::with_seed(0x9e37_79b9_7f4a_7c15));
    let mut out = Generated { files: 0, bytes: 0, zh_papers: 0 };
    let write = |path: PathBuf, items: &[serde_json::Value], out: &mut Generated| -> std::io::Result<()> {
        let mut file = BufWriter::new(fs::File::create(&path)?);
        serde_json::to_writer(&mut file, items)?;
        file.flush()?;
        out.files += 1;
        out.bytes += fs::metadata(&path)?.len();
        Ok(())
    };
    for file in 0..papers.div_ceil(PAPERS_PER_FILE) {
        let date = day(file);
        let mut hf = Vec::with_capacity(PAPERS_PER_FILE);
        let mut zh = Vec::new();
        for n in file * PAPERS_PER_FILE..((file + 1) * PAPERS_PER_FILE).min(papers) {
            let id = paper_id(n);
            let title = format!("{} {n}", rng.pick(&pool.titles));
            let summary = sentences(&mut rng, &pool.en, 8, 12, " ");
            let count = if pool.authors.is_empty() { 0 } else { rng.between(2, 6) };
            let authors: Vec<_> = (0..count).map(|_| json!({ "name": rng.pick(&pool.authors) })).collect();
            hf.push(json!({
                "paper": {
                    "id": id,
                    "title": title,
                    "summary": summary,
                    "authors": authors,
                    "publishedAt": format!("{date}T00:00:00.000Z"),
                }
            }));
            if n.is_multiple_of(ZH_EVERY) {
                // As the real summaries do: the title in 《》 first, which the parser lifts out.
                let body = sentences(&mut rng, &pool.zh, 6, 10, "");
                zh.push(json!({
                    "url": format!("https://arxiv.org/abs/{id}"),
                    "content": format!("文章《{title}》介绍了这项工作。{body}"),
                }));
            }
        }
        out.zh_papers += zh.len();
        write(dir.join(format!("{date}.json")), &hf, &mut out)?;
        if !zh.is_empty() {
            write(dir.join(format!("{date}_zh.json")), &zh, &mut out)?;
        }
        if (file + 1).is_multiple_of(100) {
            eprintln!("  [generate] {} papers", ((file + 1) * PAPERS_PER_FILE).min(papers));
        }
    }
    Ok(out)
}

/// Ingest progress on stderr, every tenth of the files, so a long run can be followed.
struct Progress {
    started: Instant,
    total: usize,
    done: usize,
}

impl IngestObserver for Progress {
    fn files_found(&mut self, total: usize) {
        self.total = total;
    }

    fn file_done(&mut self, _path: &Path, problem: Option<&str>) {
        self.done += 1;
        if let Some(problem) = problem {
            eprintln!("  [ingest] file rejected: {problem}");
        }
        if self.done.is_multiple_of((self.total / 10).max(1)) {
            eprintln!(
                "  [ingest] read {}/{} files, {:.0} s",
                self.done,
                self.total,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    fn writing(&mut self, papers: usize) {
        eprintln!("  [ingest] writing {papers} papers, {:.0} s", self.started.elapsed().as_secs_f64());
    }
}

/// Bytes of every file under `path`.
fn disk_size(path: &Path) -> u64 {
    let Ok(meta) = fs::symlink_metadata(path) else { return 0 };
    if meta.is_dir() {
        fs::read_dir(path).map_or(0, |entries| entries.flatten().map(|e| disk_size(&e.path())).sum())
    } else {
        meta.len()
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / (1024.0 * 1024.0))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 and p99 of latencies in ms, as printed in every table.
fn p50_p99(mut times: Vec<f64>) -> String {
    times.sort_by(f64::total_cmp);
    format!("p50 {:.3} ms, p99 {:.3} ms", percentile(&times, 0.5), percentile(&times, 0.99))
}

fn row(what: &str, figure: impl std::fmt::Display) {
    println!("| {what:<38} | {figure} |");
}

fn table_head() {
    println!("| {:<38} | figure |", "what");
    println!("|{}|--------|", "-".repeat(40));
}

/// What the query half of the bm25 part measures on an index (see [`bm25_queries`]).
struct QueryFigures {
    open: Duration,
    load_before: String,
    load_after: String,
    matching: Vec<usize>,
    retrieval: Vec<f64>,
    retrieval_exact: Vec<f64>,
    identical: usize,
    estimate_ratios: Vec<f64>,
    answers: Vec<f64>,
    answers_exact: Vec<f64>,
    rss_searching: f64,
}

/// The query half of the bm25 part on the index at `index_dir`: retrieval and whole answers,
/// pruned (the default) and exact, in the same run. The two are measured in alternate
/// rounds, so a change in the machine's load falls on both alike.
fn bm25_queries(index_dir: &Path) -> QueryFigures {
    let started = Instant::now();
    let index = PaperIndex::open(index_dir).expect("open index").with_pruning(pruning());
    let open = started.elapsed();

    // Retrieval alone (query building + top 10 by BM25), without reading papers or snippets.
    let searcher = index.searcher();
    let mut matching = Vec::new();
    for q in QUERIES {
        if let Some(query) = index.keyword_query(q) {
            matching.push(searcher.search(&query, &tantivy::collector::Count).expect("count"));
        }
    }
    matching.sort_unstable();
    let load_before = load_average();
    // The same index scored exactly (every match scored and counted, as before pruning): the
    // ratio to it does not depend on the machine's load.
    let exact = PaperIndex::open(index_dir).expect("open index").with_pruning(Pruning::EXACT);
    let (mut retrieval, mut retrieval_exact) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        retrieval.extend(common::bm25_retrieval_ms(&index, 1));
        retrieval_exact.extend(common::bm25_retrieval_ms(&exact, 1));
    }
    let mut identical = 0;
    let mut estimate_ratios = Vec::new();
    for q in QUERIES {
        let (pruned, full) = (index.keyword_top(q, 10).expect("search"), exact.keyword_top(q, 10).expect("search"));
        let ids = |m: &paperdex_index::KeywordMatches| m.hits.iter().map(|(_, a)| *a).collect::<Vec<_>>();
        identical += usize::from(ids(&pruned) == ids(&full));
        if pruned.total_is_estimate {
            estimate_ratios.push(pruned.total as f64 / full.total.max(1) as f64);
        }
    }
    estimate_ratios.sort_by(f64::total_cmp);
    drop(searcher);

    let no_model = || Err("no model: the scale bench measures BM25 alone".to_string());
    let engines = [SearchEngine::new(index, no_model()), SearchEngine::new(exact, no_model())];
    let mut answers = [Vec::new(), Vec::new()];
    for round in 0..=ROUNDS {
        for (engine, times) in engines.iter().zip(answers.iter_mut()) {
            for q in QUERIES {
                let started = Instant::now();
                let results = engine.search(&SearchRequest::new(*q).mode(SearchMode::Bm25)).expect("search");
                assert_eq!(results.mode, SearchMode::Bm25, "mode fell back: {:?}", results.warnings);
                std::hint::black_box(results);
                if round > 0 {
                    times.push(ms(started.elapsed()));
                }
            }
        }
    }
    let rss_searching = proc_status_mb("VmRSS:");
    let [answers, answers_exact] = answers;
    QueryFigures {
        open,
        load_before,
        load_after: load_average(),
        matching,
        retrieval,
        retrieval_exact,
        identical,
        estimate_ratios,
        answers,
        answers_exact,
        rss_searching,
    }
}

/// The pruning the queries are measured with: the default, or `PAPERDEX_SCALE_CANDIDATES`
/// candidates for the full query to rescore (to measure what the depth costs).
fn pruning() -> Pruning {
    let candidates = std::env::var("PAPERDEX_SCALE_CANDIDATES").ok().and_then(|s| s.parse().ok());
    Pruning { candidates: candidates.unwrap_or(Pruning::default().candidates), ..Pruning::default() }
}

/// Rounds over the queries for each latency figure (after one uncounted warm-up round).
const ROUNDS: usize = 20;

/// The rows of [`bm25_queries`]' figures.
fn print_query_rows(f: &QueryFigures) {
    let n = QUERIES.len();
    row("open index", format!("{:.1} ms", ms(f.open)));
    row("machine load (1/5/15 min), searches", format!("{} before, {} after", f.load_before, f.load_after));
    row(
        "papers matching a query",
        format!(
            "median {}, max {} (of {} queries)",
            f.matching.get(f.matching.len() / 2).copied().unwrap_or(0),
            f.matching.last().copied().unwrap_or(0),
            f.matching.len()
        ),
    );
    row("bm25 retrieval only (top 10 ids)", format!("{} ({n} x {ROUNDS})", p50_p99(f.retrieval.clone())));
    row(
        "  the same, exact (no pruning), same run",
        format!("{} ({n} x {ROUNDS}, alternate rounds)", p50_p99(f.retrieval_exact.clone())),
    );
    row("  top 10 identical to exact scoring", format!("{} of {n} queries", f.identical));
    row(
        "  estimated / counted matches",
        match f.estimate_ratios.len() {
            0 => "no query estimated (all below the exact-count threshold)".to_string(),
            k => format!(
                "median {:.2}, range {:.2}–{:.2} ({k} queries estimated)",
                percentile(&f.estimate_ratios, 0.5),
                f.estimate_ratios[0],
                f.estimate_ratios[k - 1]
            ),
        },
    );
    row("search bm25 (10 hits, snippets)", format!("{} ({n} x {ROUNDS})", p50_p99(f.answers.clone())));
    row(
        "  the same, exact (no pruning), same run",
        format!("{} ({n} x {ROUNDS}, alternate rounds)", p50_p99(f.answers_exact.clone())),
    );
    row("RSS while searching", format!("{:.0} MB (tantivy's memory-mapped files included)", f.rss_searching));
}

/// The query half of the bm25 part alone, on the index kept by an earlier run
/// (`PAPERDEX_SCALE_INDEX`): a change to searching is measured without re-ingesting (a
/// million papers take a quarter of an hour).
fn bm25_queries_part(papers: usize) {
    let Some(dir) = std::env::var_os("PAPERDEX_SCALE_INDEX").map(PathBuf::from) else {
        eprintln!("PAPERDEX_SCALE_PART=bm25-queries needs PAPERDEX_SCALE_INDEX (a folder holding an index)");
        std::process::exit(2);
    };
    let dir = dir.join(papers.to_string());
    if !dir.join("tantivy").exists() {
        eprintln!("{}: no index here; run PAPERDEX_SCALE_PART=bm25 with PAPERDEX_SCALE_INDEX first", dir.display());
        std::process::exit(2);
    }
    let queries = bm25_queries(&dir);
    println!("## {papers} papers: BM25 queries on the index kept at {}\n", dir.display());
    table_head();
    row("index on disk", mb(disk_size(&dir)));
    print_query_rows(&queries);
    println!();
}

fn bm25_part(papers: usize) {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let started = Instant::now();
    let pool = match TextPool::load(&corpus) {
        Ok(pool) => pool,
        Err(reason) => {
            println!("## {papers} papers: BM25 skipped: the shared corpus is needed for real text ({reason})\n");
            return;
        }
    };
    let pool_seconds = started.elapsed().as_secs_f64();
    let scratch = tempfile::tempdir().expect("temp dir");
    // With PAPERDEX_SCALE_INPUT the input files are kept there (made once per size), so other
    // builds of `paperdex ingest` can be timed on the very same files.
    let input = match std::env::var_os("PAPERDEX_SCALE_INPUT") {
        Some(dir) => PathBuf::from(dir).join(papers.to_string()),
        None => scratch.path().join("papers"),
    };
    // With PAPERDEX_SCALE_INDEX the index is kept there (a sub-folder per size), for
    // `PAPERDEX_SCALE_PART=bm25-queries` to search again.
    let index_dir = match std::env::var_os("PAPERDEX_SCALE_INDEX") {
        Some(dir) => PathBuf::from(dir).join(papers.to_string()),
        None => scratch.path().join("index"),
    };
    if index_dir.exists() {
        fs::remove_dir_all(&index_dir).expect("remove old index");
    }
    if input.exists() {
        fs::remove_dir_all(&input).expect("remove old input");
    }
    fs::create_dir_all(&input).expect("input folder");

    let started = Instant::now();
    let generated = generate(&pool, papers, &input).expect("write the synthetic papers");
    let generate_seconds = started.elapsed().as_secs_f64();
    let peak_generate = peak_rss_mb();

    let load_before_ingest = load_average();
    let started = Instant::now();
    let index = PaperIndex::open_or_create(&index_dir).expect("create index");
    let mut progress = Progress { started, total: 0, done: 0 };
    let report = index.ingest(std::slice::from_ref(&input), None, &mut progress).expect("ingest");
    let ingest_seconds = started.elapsed().as_secs_f64();
    let peak_ingest = peak_rss_mb();
    let load_after_ingest = load_average();
    drop(index);
    let index_bytes = disk_size(&index_dir);

    let queries = bm25_queries(&index_dir);
    println!("## {papers} papers: BM25 (parse + index through `PaperIndex::ingest`, no embeddings)\n");
    table_head();
    row(
        "real text pool (hf-daily-api + reports)",
        format!(
            "{} files: {} titles, {} authors, {} en / {} zh sentences, {pool_seconds:.1} s",
            pool.files,
            pool.titles.len(),
            pool.authors.len(),
            pool.en.len(),
            pool.zh.len()
        ),
    );
    row(
        "generate input files",
        format!(
            "{} files ({} papers with a zh summary), {}, {generate_seconds:.1} s",
            generated.files,
            generated.zh_papers,
            mb(generated.bytes)
        ),
    );
    row(
        "ingest (parse, merge, commit)",
        format!(
            "{} papers, {} records, {} files in {ingest_seconds:.1} s: {:.0} papers/s",
            report.papers_total,
            report.records,
            report.files_read,
            report.papers_total as f64 / ingest_seconds
        ),
    );
    if report.had_rejections() {
        row("  rejected", format!("{} files, {} records", report.rejected_files.len(), report.rejected_records.len()));
    }
    row(
        "index on disk",
        format!("{} ({:.0} bytes/paper)", mb(index_bytes), index_bytes as f64 / report.papers_total.max(1) as f64),
    );
    row("machine load (1/5/15 min), ingest", format!("{load_before_ingest} before, {load_after_ingest} after"));
    print_query_rows(&queries);
    row(
        "peak RSS",
        format!("{peak_generate:.0} MB generating, {peak_ingest:.0} MB ingesting, {:.0} MB at the end", peak_rss_mb()),
    );
    println!();
}

/// Where the passage vectors of the scale bench come from (`PAPERDEX_SCALE_VECTORS_DATA`).
enum VectorSource {
    /// The `overlapping` or `clustered` data sets of the `hnsw` bench: no real vectors needed.
    Synthetic(Corpus),
    /// Real e5 passages, perturbed (the default): see [`Perturbed`].
    Perturbed(Perturbed),
}

impl VectorSource {
    /// One passage vector of language `lang`.
    fn sample(&mut self, lang: Lang) -> Vec<f32> {
        match self {
            VectorSource::Synthetic(corpus) => corpus.sample(),
            VectorSource::Perturbed(perturbed) => perturbed.sample(lang),
        }
    }

    /// `n` query vectors, half from each language's passages where that means something.
    fn queries(&mut self, n: usize) -> Vec<Vec<f32>> {
        (0..n).map(|i| self.sample(if i % 2 == 0 { Lang::Zh } else { Lang::En })).collect()
    }
}

/// The default perturbation strength (see [`Perturbed`]); `PAPERDEX_SCALE_PERTURB` overrides.
/// Chosen with `PAPERDEX_SCALE_PART=vectors-faithful` so that a perturbed copy of the real set
/// has the real set's nearest-neighbour similarities and HNSW recall (PERFORMANCE.md).
const DEFAULT_PERTURB: f32 = 0.3;

/// Passages made from the real e5 passage vectors of an index (`index/full`, 21,948 of them):
/// a random real passage of the language plus `sigma` times the difference of two other random
/// real passages of that language, L2-normalised. The difference of two real passages is
/// noise with the shape of the real data (twice its covariance), so a perturbed passage stays
/// in the narrow cone e5 puts everything in, where isotropic noise would leave it.
struct Perturbed {
    /// The real passages of each language (`super::LANGS` order).
    base: [Vec<Vec<f32>>; 2],
    sigma: f32,
    rng: synthetic::Rng,
}

impl Perturbed {
    /// The live passages of the vector file at `path`.
    fn from_file(path: &Path, sigma: f32, seed: u64) -> Result<Perturbed, String> {
        let set = VectorSet::load(path).map_err(|e| e.to_string())?;
        let mut base: [Vec<Vec<f32>>; 2] = Default::default();
        for chunk in set.iter_live() {
            base[lang_index(chunk.lang)].push(chunk.vector.to_vec());
        }
        if base.iter().any(Vec::is_empty) {
            return Err(format!("{} lacks passages of one language", path.display()));
        }
        Ok(Perturbed { base, sigma, rng: synthetic::Rng::new(seed) })
    }

    fn sample(&mut self, lang: Lang) -> Vec<f32> {
        let pool = &self.base[lang_index(lang)];
        let centre = pool[self.rng.below(pool.len())].clone();
        self.perturb(&centre, lang)
    }

    /// `v` moved by `sigma` times the difference of two random real passages of `lang`.
    fn perturb(&mut self, v: &[f32], lang: Lang) -> Vec<f32> {
        let pool = &self.base[lang_index(lang)];
        let (a, b) = (&pool[self.rng.below(pool.len())], &pool[self.rng.below(pool.len())]);
        let moved = v.iter().zip(a.iter().zip(b)).map(|(x, (a, b))| x + self.sigma * (a - b)).collect();
        synthetic::normalised(moved)
    }
}

fn lang_index(lang: Lang) -> usize {
    LANGS.iter().position(|&l| l == lang).unwrap_or(0)
}

/// The real vector file: `PAPERDEX_SCALE_REAL_VECTORS`, or the newest generation of
/// `index/full` (an index of the whole corpus built with the model).
fn real_vectors_path() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("PAPERDEX_SCALE_REAL_VECTORS") {
        return Ok(PathBuf::from(path));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("index/full/vectors");
    let mut generations: Vec<PathBuf> = fs::read_dir(&root)
        .map_err(|e| format!("{}: {e} (build index/full, or set PAPERDEX_SCALE_REAL_VECTORS)", root.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join(SET_FILE).is_file())
        .collect();
    generations.sort();
    generations.pop().map(|dir| dir.join(SET_FILE)).ok_or_else(|| format!("no generation in {}", root.display()))
}

/// The `ef` values the open parts search at: `PAPERDEX_SCALE_EFS` or [`EFS`].
fn efs() -> Vec<usize> {
    std::env::var("PAPERDEX_SCALE_EFS")
        .ok()
        .and_then(|list| list.split(',').map(|ef| ef.trim().parse().ok()).collect::<Option<Vec<usize>>>())
        .filter(|efs| !efs.is_empty())
        .unwrap_or_else(|| EFS.to_vec())
}

fn perturb_sigma() -> f32 {
    std::env::var("PAPERDEX_SCALE_PERTURB").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_PERTURB)
}

/// The passage vectors asked for by `PAPERDEX_SCALE_VECTORS_DATA`: `perturbed` (default),
/// `overlapping` or `clustered` (the two synthetic data sets of the `hnsw` bench).
fn vector_corpus() -> (String, VectorSource) {
    match std::env::var("PAPERDEX_SCALE_VECTORS_DATA").as_deref() {
        Ok("clustered") => ("clustered".into(), VectorSource::Synthetic(Corpus::new(DIMS, TOPICS, 2027))),
        Ok("overlapping") => (
            "overlapping".into(),
            VectorSource::Synthetic(Corpus::new(DIMS, TOPICS, 2027).with_noise(0.6).with_spread(3.0)),
        ),
        _ => {
            let sigma = perturb_sigma();
            let perturbed = real_vectors_path().and_then(|path| Perturbed::from_file(&path, sigma, 2027));
            match perturbed {
                Ok(perturbed) => (format!("perturbed real e5, sigma {sigma}"), VectorSource::Perturbed(perturbed)),
                Err(reason) => {
                    eprintln!("no real vectors to perturb ({reason}); set PAPERDEX_SCALE_VECTORS_DATA=overlapping");
                    std::process::exit(2);
                }
            }
        }
    }
}

/// The graph parameters of the build: the defaults, or `PAPERDEX_SCALE_HNSW=M,EF_CONSTRUCTION`
/// (a cheaper graph, to measure memory and open time at a size whose default build would not
/// fit the session; its recall is not the default graph's).
fn build_params() -> HnswParams {
    let defaults = HnswParams::default();
    let Ok(spec) = std::env::var("PAPERDEX_SCALE_HNSW") else { return defaults };
    let numbers: Vec<usize> = spec.split(',').filter_map(|n| n.trim().parse().ok()).collect();
    match numbers[..] {
        [max_nb_connection, ef_construction] => HnswParams { max_nb_connection, ef_construction, ..defaults },
        _ => {
            eprintln!("PAPERDEX_SCALE_HNSW={spec:?}: expected M,EF_CONSTRUCTION such as 16,200");
            std::process::exit(2);
        }
    }
}

const TRUTH_FILE: &str = "truth.json";
const SET_FILE: &str = "vectors.bin";
const GRAPH_DIR: &str = "hnsw";
const COMPACT_FILE: &str = "graph.bin";

/// Builds the vectors of `papers` papers and their graphs in `dir`, with the exact answers
/// to the queries in `truth.json` for [`vectors_open`].
///
/// Vectors are pushed and the graphs extended in ten steps (`HnswSearch::build`, then
/// `HnswSearch::insert` of the chunks pushed since, which is the same parallel insert), so
/// progress and the rate as the graphs grow can be seen. With
/// `PAPERDEX_SCALE_BUILD_BUDGET_MIN`, the build stops after a step if the estimate for the
/// whole exceeds that many minutes, and reports the rates it measured.
fn vectors_build(papers: usize, dir: &Path) {
    fs::create_dir_all(dir).expect("scratch folder");
    let budget = std::env::var("PAPERDEX_SCALE_BUILD_BUDGET_MIN").ok().and_then(|m| m.parse::<f64>().ok());
    let (data, mut corpus) = vector_corpus();
    let mut set = VectorSet::new(format!("synthetic-{data}"), DIMS);
    let mut hnsw: Option<HnswSearch> = None;
    let (mut generate, mut build) = (Duration::ZERO, Duration::ZERO);
    let mut steps: Vec<(usize, f64)> = Vec::new(); // (vectors after the step, vectors/s of the step)
    let mut stopped = None;
    const STEPS: usize = 10;
    for step in 0..STEPS {
        let started = Instant::now();
        let before = set.len();
        for n in papers * step / STEPS..papers * (step + 1) / STEPS {
            let id = paper_id(n);
            set.push(&id, Lang::En, &corpus.sample(Lang::En)).expect("push");
            let second = if n.is_multiple_of(ZH_EVERY) { Lang::Zh } else { Lang::En };
            set.push(&id, second, &corpus.sample(second)).expect("push");
        }
        generate += started.elapsed();
        let started = Instant::now();
        match hnsw.as_mut() {
            None => hnsw = Some(HnswSearch::build_with(&set, build_params())),
            Some(hnsw) => {
                hnsw.insert(&set).expect("insert");
            }
        }
        let took = started.elapsed();
        build += took;
        let rate = (set.len() - before) as f64 / took.as_secs_f64();
        steps.push((set.len(), rate));
        let remaining = (2 * papers - set.len()) as f64 / rate;
        eprintln!(
            "  [vectors] graphs hold {} of {} vectors: step {:.0} s at {rate:.0} vectors/s, {:.0} s so far, about {:.0} s to go",
            set.len(),
            2 * papers,
            took.as_secs_f64(),
            build.as_secs_f64(),
            remaining
        );
        if let Some(minutes) = budget
            && step + 1 < STEPS
            && (build.as_secs_f64() + remaining) / 60.0 > minutes
        {
            stopped = Some((build.as_secs_f64() + remaining) / 60.0);
            break;
        }
    }
    let hnsw = hnsw.expect("at least one step");
    let params = hnsw.params();
    let peak_build = peak_rss_mb();

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "## {papers} papers: vectors, build ({} {DIMS}-dim passages, {data}), load at the end {}\n",
        2 * papers,
        load_average()
    );
    table_head();
    row("generate vectors + push into VectorSet", format!("{:.1} s for {} vectors", generate.as_secs_f64(), set.len()));
    row(
        "HNSW build (parallel insert, 10 steps)",
        format!(
            "{:.1} s: {:.0} vectors/s (M {}, ef_construction {}, {threads} threads)",
            build.as_secs_f64(),
            set.len() as f64 / build.as_secs_f64(),
            params.max_nb_connection,
            params.ef_construction
        ),
    );
    row(
        "  rate per step (graph size after it)",
        steps.iter().map(|(size, rate)| format!("{}k: {rate:.0}/s", size / 1000)).collect::<Vec<_>>().join(", "),
    );
    if let Some(minutes) = stopped {
        row(
            "stopped",
            format!(
                "after {} of {} vectors: the whole build estimated at {minutes:.0} min or more (at the last \
                 step's rate; inserts slow down as the graphs grow), over PAPERDEX_SCALE_BUILD_BUDGET_MIN; \
                 nothing saved or searched",
                set.len(),
                2 * papers
            ),
        );
        row("peak RSS", format!("{peak_build:.0} MB (vectors and graphs of {} passages)", set.len()));
        println!();
        return;
    }

    let set_path = dir.join(SET_FILE);
    let graph_dir = dir.join(GRAPH_DIR);
    let started = Instant::now();
    set.save(&set_path).expect("save vectors");
    let save_set = started.elapsed();
    let started = Instant::now();
    hnsw.save(&graph_dir).expect("save graphs");
    let save_graph = started.elapsed();
    let started = Instant::now();
    let compact = CompactGraph::from_hnsw(&hnsw, &set).expect("compact graph");
    let convert = started.elapsed();
    let compact_path = dir.join(COMPACT_FILE);
    let started = Instant::now();
    compact.save(&compact_path).expect("save compact graph");
    let save_compact = started.elapsed();
    drop(compact);
    drop(hnsw);

    // The oracle, once the graphs are gone: its copy of the vectors does not add to their peak.
    let queries = corpus.queries(VECTOR_QUERIES);
    let exact = ExactSearch::build(&set);
    let mut truth: [Vec<Vec<u32>>; 2] = Default::default();
    let mut exact_times: [Vec<f64>; 2] = Default::default();
    for (slot, &lang) in LANGS.iter().enumerate() {
        for q in &queries {
            let started = Instant::now();
            let hits = exact.search(q, K, lang);
            exact_times[slot].push(ms(started.elapsed()));
            truth[slot].push(hits.into_iter().map(|(id, _)| id).collect());
        }
    }
    let sizes = LANGS.map(|lang| exact.len(lang));
    drop(exact);
    let truth_json = json!([queries, truth]);
    fs::write(dir.join(TRUTH_FILE), serde_json::to_vec(&truth_json).expect("truth as JSON")).expect("write truth");

    row(
        "save set / graphs",
        format!(
            "{:.1} s / {:.1} s; on disk {} / {}",
            save_set.as_secs_f64(),
            save_graph.as_secs_f64(),
            mb(disk_size(&set_path)),
            mb(disk_size(&graph_dir))
        ),
    );
    row(
        "compact graph: convert / save",
        format!(
            "{:.1} s / {:.1} s; on disk {}",
            convert.as_secs_f64(),
            save_compact.as_secs_f64(),
            mb(disk_size(&compact_path))
        ),
    );
    for (slot, &lang) in LANGS.iter().enumerate() {
        row(
            &format!("exact top-10 {} ({} vectors)", lang.code(), sizes[slot]),
            p50_p99(std::mem::take(&mut exact_times[slot])),
        );
    }
    row("peak RSS", format!("{peak_build:.0} MB building (vectors + graphs), {:.0} MB at the end", peak_rss_mb()));
    println!();
}

/// The graphs a server searches: hnsw_rs's own (before issue #13) or the compact form.
enum Served {
    Hnsw(HnswSearch),
    Compact(CompactGraph),
}

impl Served {
    fn search(&self, set: &VectorSet, query: &[f32], k: usize, lang: Lang, ef: usize) -> Vec<(u32, f32)> {
        match self {
            Served::Hnsw(hnsw) => hnsw.search_with_ef(query, k, lang, ef),
            Served::Compact(compact) => compact.search(set, query, k, lang, ef, None),
        }
    }

    /// The `ef` the engine searches `lang` with.
    fn engine_ef(&self, lang: Lang) -> usize {
        match self {
            Served::Hnsw(_) => HnswParams::default().ef_search,
            Served::Compact(compact) => compact.ef_for(lang),
        }
    }
}

/// Opens what [`vectors_build`] saved in `dir`, as a server would, and searches it: recall@10
/// against the exact answers and latency at several `ef`, and the engine's 300 per language.
/// `compact`: the compact graph (what the engine loads), else hnsw_rs's dumps (as before).
fn vectors_open(papers: usize, dir: &Path, compact: bool) {
    let truth_path = dir.join(TRUTH_FILE);
    let Ok(bytes) = fs::read(&truth_path) else {
        println!("## {papers} papers: vectors, open: skipped, the build did not save anything\n");
        return;
    };
    let (queries, truth): (Vec<Vec<f32>>, [Vec<Vec<u32>>; 2]) =
        serde_json::from_slice(&bytes).expect("truth.json as the build part wrote it");
    let load_before = load_average();

    // As the engine opens a generation (`generation::load`): the compact graph file is read on
    // a second thread while the vectors load, then checked against them. hnsw_rs needs the
    // set first.
    let started = Instant::now();
    let compact_path = dir.join(COMPACT_FILE);
    let (set, compact_graph) = std::thread::scope(|scope| {
        let graph = scope.spawn(|| compact.then(|| CompactGraph::read(&compact_path).expect("read compact graph")));
        let set = VectorSet::load(&dir.join(SET_FILE)).expect("load vectors");
        (set, graph.join().expect("reading thread"))
    });
    let load_set = started.elapsed();
    let started = Instant::now();
    let served = match compact_graph {
        Some(graph) => {
            graph.check_set(&compact_path, &set).expect("compact graph of this set");
            Served::Compact(graph)
        }
        None => Served::Hnsw(HnswSearch::load(&dir.join(GRAPH_DIR), &set).expect("load graphs")),
    };
    let load_graph = started.elapsed();
    let rss_open = proc_status_mb("VmRSS:");

    let mut rows = Vec::new();
    // Each `ef` asked for, then the engine's own for each language (none: the same for both).
    let mut asked: Vec<Option<usize>> = efs().into_iter().map(Some).collect();
    asked.push(None);
    for wanted in asked {
        for (slot, &lang) in LANGS.iter().enumerate() {
            let ef = wanted.unwrap_or_else(|| served.engine_ef(lang));
            let label = if wanted.is_some() { String::new() } else { " (the engine's for this graph)".to_string() };
            for q in queries.iter().take(20) {
                std::hint::black_box(served.search(&set, q, K, lang, ef)); // warm-up
            }
            let (mut found, mut wanted, mut times) = (0, 0, Vec::new());
            for (q, truth) in queries.iter().zip(&truth[slot]) {
                let started = Instant::now();
                let hits = served.search(&set, q, K, lang, ef);
                times.push(ms(started.elapsed()));
                wanted += truth.len();
                found += hits.iter().filter(|(id, _)| truth.contains(id)).count();
            }
            rows.push((format!("ef {ef} {}{label}", lang.code()), found as f64 / wanted.max(1) as f64, times));
        }
    }
    let engine_ef = |lang: Lang| served.engine_ef(lang).max(ENGINE_K);
    let mut engine_times: [Vec<f64>; 2] = Default::default();
    for (slot, &lang) in LANGS.iter().enumerate() {
        for q in &queries {
            let started = Instant::now();
            std::hint::black_box(served.search(&set, q, ENGINE_K, lang, engine_ef(lang)));
            engine_times[slot].push(ms(started.elapsed()));
        }
    }

    let form = match &served {
        Served::Hnsw(_) => "hnsw_rs graphs (before)".to_string(),
        Served::Compact(c) => format!("compact graph (after; {} in memory)", mb(c.memory_bytes() as u64)),
    };
    println!(
        "## {papers} papers: vectors, open and search: {form} (zh {}, en {} passages; {} queries), load {load_before} → {}\n",
        set.iter_live().filter(|c| c.lang == Lang::Zh).count(),
        set.iter_live().filter(|c| c.lang == Lang::En).count(),
        queries.len(),
        load_average()
    );
    table_head();
    row(
        "open: load set / load graphs",
        format!(
            "{:.2} s / {:.2} s, {:.2} s in all (checksums included; the compact graph is read beside the set, \
             then checked against it)",
            load_set.as_secs_f64(),
            load_graph.as_secs_f64(),
            (load_set + load_graph).as_secs_f64()
        ),
    );
    for (what, recall, times) in rows {
        row(&what, format!("recall@10 {recall:.4}, {}", p50_p99(times)));
    }
    for (slot, &lang) in LANGS.iter().enumerate() {
        row(
            &format!("k {ENGINE_K} {} (engine, ef {})", lang.code(), engine_ef(lang)),
            p50_p99(std::mem::take(&mut engine_times[slot])),
        );
    }
    row("RSS after open (set + graphs)", format!("{rss_open:.0} MB"));
    row("peak RSS", format!("{:.0} MB", peak_rss_mb()));
    println!();
}

/// Whether perturbed real passages behave like real ones (`PAPERDEX_SCALE_PART=vectors-faithful`):
/// the real set of `index/full` against a copy of it with every passage perturbed once, side by
/// side: the similarity of a passage to its nearest and 10th nearest other passage (300
/// passages), and the recall@10 and latency of HNSW against exact search for 200 perturbed
/// queries in each language.
fn vectors_faithful() {
    let path = real_vectors_path().unwrap_or_else(|reason| {
        eprintln!("{reason}");
        std::process::exit(2);
    });
    let real = VectorSet::load(&path).expect("real vectors");
    let sigma = perturb_sigma();
    let mut perturbed = Perturbed::from_file(&path, sigma, 2027).expect("real vectors");
    let mut copy = VectorSet::new(format!("perturbed-{sigma}"), real.dims());
    for chunk in real.iter_live() {
        let moved = perturbed.perturb(chunk.vector, chunk.lang);
        copy.push(chunk.paper_id, chunk.lang, &moved).expect("push");
    }
    let queries: Vec<Vec<f32>> =
        (0..VECTOR_QUERIES).map(|i| perturbed.sample(if i % 2 == 0 { Lang::Zh } else { Lang::En })).collect();

    println!(
        "## real e5 passages of {} against a perturbed copy (sigma {sigma}), load {}\n",
        path.display(),
        load_average()
    );
    table_head();
    for (name, set) in [("real", &real), ("perturbed", &copy)] {
        let exact = ExactSearch::build(set);
        let mut rng = synthetic::Rng::new(7);
        let (mut first, mut tenth) = (Vec::new(), Vec::new());
        let live: Vec<_> = set.iter_live().collect();
        for _ in 0..300 {
            let chunk = live[rng.below(live.len())];
            let hits: Vec<(u32, f32)> =
                exact.search(chunk.vector, K + 1, chunk.lang).into_iter().filter(|(id, _)| *id != chunk.id).collect();
            first.push(f64::from(hits[0].1));
            tenth.push(f64::from(hits[K - 1].1));
        }
        let spread = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            format!("p10 {:.3}, p50 {:.3}, p90 {:.3}", percentile(&v, 0.1), percentile(&v, 0.5), percentile(&v, 0.9))
        };
        row(&format!("{name}: similarity to the nearest other passage"), spread(first));
        row(&format!("{name}: similarity to the 10th nearest"), spread(tenth));
        let started = Instant::now();
        let hnsw = HnswSearch::build(set);
        row(
            &format!("{name}: HNSW build ({} passages)", set.live_len()),
            format!("{:.1} s", started.elapsed().as_secs_f64()),
        );
        let truth: Vec<Vec<Vec<u32>>> = LANGS
            .iter()
            .map(|&lang| {
                queries.iter().map(|q| exact.search(q, K, lang).into_iter().map(|(id, _)| id).collect()).collect()
            })
            .collect();
        for ef in efs() {
            let (mut found, mut wanted, mut times) = (0, 0, Vec::new());
            for (slot, &lang) in LANGS.iter().enumerate() {
                for (q, truth) in queries.iter().zip(&truth[slot]) {
                    let started = Instant::now();
                    let hits = hnsw.search_with_ef(q, K, lang, ef);
                    times.push(ms(started.elapsed()));
                    wanted += truth.len();
                    found += hits.iter().filter(|(id, _)| truth.contains(id)).count();
                }
            }
            row(
                &format!("{name}: hnsw_rs ef {ef}"),
                format!("recall@10 {:.4}, {}", found as f64 / wanted as f64, p50_p99(times)),
            );
        }
        let compact = CompactGraph::from_hnsw(&hnsw, set).expect("compact graph");
        for ef in efs() {
            let (mut found, mut wanted, mut times) = (0, 0, Vec::new());
            for (slot, &lang) in LANGS.iter().enumerate() {
                for (q, truth) in queries.iter().zip(&truth[slot]) {
                    let started = Instant::now();
                    let hits = compact.search(set, q, K, lang, ef, None);
                    times.push(ms(started.elapsed()));
                    wanted += truth.len();
                    found += hits.iter().filter(|(id, _)| truth.contains(id)).count();
                }
            }
            row(
                &format!("{name}: compact graph ef {ef}"),
                format!("recall@10 {:.4}, {}", found as f64 / wanted as f64, p50_p99(times)),
            );
        }
    }
    println!();
}
