//! Benchmarks over the shared corpus, printed as a table (run with `cargo bench --bench search`).
//!
//! - parse + BM25 indexing of the whole corpus (no embeddings): seconds and papers/s;
//! - open-index time;
//! - search latency p50/p99 per mode over a fixed query set (query embedding included), and
//!   for the misspelled development queries against the same queries spelled right;
//! - with `PAPERDEX_BENCH_EMBED=1`: ingest of the whole corpus with embeddings (minutes),
//!   papers/s and passages/s, against the model's own throughput measured alone;
//! - with `PAPERDEX_BENCH_EMBED_FILES=N`: the same comparison on a slice (the first N daily
//!   files of hf-daily-api and of zh-glm), with the model alone on exactly the passages the
//!   ingest embedded: how much the pipeline around the model costs, in a minute or two. A
//!   large N takes both folders whole; the model alone is then skipped, and
//!   `BASELINE_PASSES=length,one` leaves out the slow paper-order loop (`baseline_embed.py`).
//!
//! The model modes need `models/fetch` to have run; without the model they are skipped with a
//! note. `PAPERDEX_BENCH_INDEX=DIR` reuses an index built earlier (with vectors) instead of
//! building a keyword-only one.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use paperdex_embed::{E5Embedder, Embedder, ModelPaths, Role, chunk};
use paperdex_index::{PaperIndex, Quiet, SearchEngine, SearchFilter, SearchMode, SearchRequest};

use common::{QUERIES, load_average, peak_rss_mb, percentile};

fn corpus_paths() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    ["reports", "hf-daily-api", "hf-daily-api-repaired", "zh-glm", "paper-md"].iter().map(|f| root.join(f)).collect()
}

fn latency(engine: &SearchEngine, mode: SearchMode, rounds: usize) -> (f64, f64) {
    let mut times = Vec::new();
    for _ in 0..rounds {
        for q in QUERIES {
            let started = Instant::now();
            let results = engine.search(&SearchRequest::new(*q).mode(mode)).expect("search");
            assert_eq!(results.mode, mode, "mode fell back: {:?}", results.warnings);
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

/// A date filter that keeps the newest `share` of the index's papers (by first-seen day), and
/// how many papers it keeps.
fn newest_share_filter(index: &PaperIndex, share: f64) -> (SearchFilter, usize) {
    let mut days: Vec<String> =
        index.papers().expect("papers").iter().filter_map(|p| p.first_seen().map(|d| d[..10].to_string())).collect();
    days.sort();
    let since = days[((days.len() as f64) * (1.0 - share)) as usize].clone();
    let kept = days.iter().filter(|d| **d >= since).count();
    (SearchFilter { since: since.parse().ok(), ..SearchFilter::default() }, kept)
}

/// p50 of `mode` without and with `filter`, measured interleaved (query by query) so both see
/// the same machine load.
fn filtered_latency(engine: &SearchEngine, mode: SearchMode, filter: &SearchFilter, rounds: usize) -> (f64, f64) {
    let (mut plain, mut filtered) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        for q in QUERIES {
            for (times, filter) in [(&mut plain, SearchFilter::default()), (&mut filtered, filter.clone())] {
                let started = Instant::now();
                let results = engine.search(&SearchRequest::new(*q).mode(mode).filter(filter)).expect("search");
                assert_eq!(results.mode, mode, "mode fell back: {:?}", results.warnings);
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    plain.sort_by(f64::total_cmp);
    filtered.sort_by(f64::total_cmp);
    (percentile(&plain, 0.5), percentile(&filtered, 0.5))
}

/// A narrow filter (the newest 5%: the vectors look at the admitted papers' passages) and a
/// broad one (the newest 95%, as an exclusion or `--lang en` admits: named by the papers it
/// leaves out, `PaperIndex::admitted_papers`), each against no filter.
fn print_filtered(engine: &SearchEngine, mode: SearchMode, rounds: usize) {
    for share in [0.05, 0.95] {
        let (filter, kept) = newest_share_filter(engine.index(), share);
        let (plain, filtered) = filtered_latency(engine, mode, &filter, rounds);
        println!(
            "search {:7} with a date filter keeping {kept} papers ({:.1}%, since {}): p50 {filtered:.3} ms against \
             {plain:.3} ms without ({:+.3} ms, same run)",
            mode.as_str(),
            100.0 * kept as f64 / engine.index().len() as f64,
            filter.since.map(|d| d.to_string()).unwrap_or_default(),
            filtered - plain
        );
    }
}

/// The misspelled development queries (`tests/eval/dev-typo-queries.jsonl`, one typing mistake
/// each) beside the same queries spelled right, by id.
fn misspelled_pairs() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/eval");
    let read = |name: &str| -> Vec<(String, String)> {
        std::fs::read_to_string(dir.join(name))
            .expect("query file")
            .lines()
            .map(|line| {
                let query: serde_json::Value = serde_json::from_str(line).expect("query line");
                (
                    query["id"].as_str().unwrap_or_default().to_string(),
                    query["query"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let right = read("dev-queries.jsonl");
    read("dev-typo-queries.jsonl")
        .into_iter()
        .filter_map(|(id, typed)| right.iter().find(|(i, _)| *i == id).map(|(_, q)| (typed, q.clone())))
        .collect()
}

/// p50 of `mode` for misspelled queries (each searched as the spelling the papers use,
/// `spelling.rs`) and for the same queries spelled right, interleaved query by query: what
/// looking for the right spelling costs.
fn print_misspelled(engine: &SearchEngine, mode: SearchMode, rounds: usize) {
    let pairs = misspelled_pairs();
    let (mut typed, mut right) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        for (misspelled, spelled_right) in &pairs {
            for (times, query) in [(&mut typed, misspelled), (&mut right, spelled_right)] {
                let started = Instant::now();
                let results = engine.search(&SearchRequest::new(query.as_str()).mode(mode)).expect("search");
                assert_eq!(results.mode, mode, "mode fell back: {:?}", results.warnings);
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    typed.sort_by(f64::total_cmp);
    right.sort_by(f64::total_cmp);
    let (typed, right) = (percentile(&typed, 0.5), percentile(&right, 0.5));
    println!(
        "search {:7} misspelled ({} development queries with one typing mistake): p50 {typed:.3} ms against {right:.3} ms \
         spelled right ({:+.3} ms, same run)",
        mode.as_str(),
        pairs.len(),
        typed - right
    );
}

fn load_model() -> Option<Arc<dyn Embedder>> {
    let models = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    match E5Embedder::load(&ModelPaths::under(&models)) {
        Ok(e) => Some(Arc::new(e)),
        Err(e) => {
            println!("(model modes skipped: {e})");
            None
        }
    }
}

/// The allocator `paperdex` runs with (`crates/paperdex-cli/src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    let model = load_model();
    if let (Some(files), Some(model)) =
        (std::env::var("PAPERDEX_BENCH_EMBED_FILES").ok().and_then(|n| n.parse().ok()), &model)
    {
        pipeline_against_model(model.as_ref(), files);
    }
    let reuse = std::env::var_os("PAPERDEX_BENCH_INDEX").map(PathBuf::from);
    let scratch = tempfile::tempdir().expect("tempdir");
    let index_dir: PathBuf = reuse.clone().unwrap_or_else(|| scratch.path().join("index"));

    if reuse.is_none() {
        let started = Instant::now();
        let index = PaperIndex::open_or_create(&index_dir).expect("create index");
        let embed = std::env::var_os("PAPERDEX_BENCH_EMBED").is_some();
        let report =
            index.ingest(&corpus_paths(), if embed { model.as_deref() } else { None }, &mut Quiet).expect("ingest");
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "ingest corpus{}: {} papers from {} files in {seconds:.2} s ({:.0} papers/s)",
            if embed { " with embeddings" } else { " (parse + BM25, no embeddings)" },
            report.papers_total,
            report.files_read,
            report.papers_total as f64 / seconds
        );
        if report.papers_embedded > 0 {
            println!(
                "  embedded {} papers, {} passages in {:.1} s: {:.1} papers/s, {:.1} passages/s",
                report.papers_embedded,
                report.chunks_embedded,
                report.embed_seconds,
                report.papers_embedded as f64 / report.embed_seconds,
                report.chunks_embedded as f64 / report.embed_seconds
            );
            if let Some(model) = &model {
                model_alone(model.as_ref(), &index, Some(report.chunks_embedded as f64 / report.embed_seconds), 38);
            }
        }
    }

    let started = Instant::now();
    let index = PaperIndex::open(&index_dir).expect("open");
    println!("open index: {:.1} ms ({} papers)", started.elapsed().as_secs_f64() * 1000.0, index.len());
    println!("machine load (1/5/15 min): {}", load_average());
    let has_vectors = index.vectors().is_some();
    {
        let mut times = common::bm25_retrieval_ms(&index, 20);
        times.sort_by(f64::total_cmp);
        println!(
            "bm25 retrieval only (top 10 ids): p50 {:.3} ms  p99 {:.3} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
        let ids: Vec<String> = index.papers().expect("papers").iter().take(200).map(|p| p.id.to_string()).collect();
        let started = Instant::now();
        for id in &ids {
            std::hint::black_box(index.paper(id).expect("paper"));
        }
        println!("read one stored paper by id: {:.3} ms", started.elapsed().as_secs_f64() * 1000.0 / ids.len() as f64);
    }
    let engine = SearchEngine::new(index, model.clone().ok_or_else(|| "no model".to_string()));
    let (p50, p99) = latency(&engine, SearchMode::Bm25, 20);
    println!("search bm25:   p50 {p50:.3} ms  p99 {p99:.3} ms  ({} queries x 20)", QUERIES.len());
    print_filtered(&engine, SearchMode::Bm25, 10);
    print_misspelled(&engine, SearchMode::Bm25, 10);
    if let (Some(model), true, Some(_)) = (&model, has_vectors, &reuse) {
        model_alone(model.as_ref(), engine.index(), None, 38);
    }
    if let (Some(model), true) = (&model, has_vectors) {
        let mut times = Vec::new();
        for _ in 0..5 {
            for q in QUERIES {
                let started = Instant::now();
                model.embed(&[q], Role::Query).expect("embed");
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        println!("query embedding: p50 {:.3} ms  p99 {:.3} ms", percentile(&times, 0.5), percentile(&times, 0.99));
        // A server's queries come with idle time between them, in which threads fall asleep:
        // the same queries 20 ms apart.
        let mut times = Vec::new();
        for q in QUERIES.iter().cycle().take(3 * QUERIES.len()) {
            std::thread::sleep(std::time::Duration::from_millis(20));
            let started = Instant::now();
            model.embed(&[q], Role::Query).expect("embed");
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "query embedding, 20 ms apart: p50 {:.3} ms  p99 {:.3} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
        hnsw_recall(engine.index(), model.as_ref());
        for mode in [SearchMode::Vector, SearchMode::Hybrid] {
            let (p50, p99) = latency(&engine, mode, 5);
            println!("search {:7}: p50 {p50:.3} ms  p99 {p99:.3} ms", mode.as_str());
        }
        print_filtered(&engine, SearchMode::Hybrid, 5);
        print_misspelled(&engine, SearchMode::Hybrid, 5);
    } else {
        println!(
            "(vector and hybrid latency skipped: needs the model and an index with vectors, e.g. PAPERDEX_BENCH_INDEX=index)"
        );
    }
    println!("peak RSS: {:.0} MB", peak_rss_mb());
}

/// HNSW against exact search over the index's own vectors, per language: the real queries
/// plus 200 synthetic ones (midpoints of two passages), recall@10 and latency at several ef.
fn hnsw_recall(index: &PaperIndex, model: &dyn Embedder) {
    use paperdex_core::Lang;
    use paperdex_index::vectors::{ExactSearch, NearestNeighbours};
    let Some(vectors) = index.vectors() else { return };
    let set = &vectors.set;
    let exact = ExactSearch::build(set);
    let mut queries: Vec<Vec<f32>> = model.embed(QUERIES, Role::Query).expect("embed queries");
    let live: Vec<_> = set.iter_live().collect();
    let mut rng = fastrand::Rng::with_seed(0x9e37_79b9_7f4a_7c15);
    let mut next = |n: usize| rng.usize(..n);
    for _ in 0..200 {
        let (a, b) = (live[next(live.len())].vector, live[next(live.len())].vector);
        let mut q: Vec<f32> = a.iter().zip(b).map(|(x, y)| x + y).collect();
        paperdex_embed::normalize(&mut q);
        queries.push(q);
    }
    let mut exact_times = Vec::new();
    let truth: Vec<Vec<Vec<u32>>> = queries
        .iter()
        .map(|q| {
            [Lang::Zh, Lang::En]
                .iter()
                .map(|&lang| {
                    let started = Instant::now();
                    let ids = exact.search(q, 10, lang).into_iter().map(|(id, _)| id).collect();
                    exact_times.push(started.elapsed().as_secs_f64() * 1000.0);
                    ids
                })
                .collect()
        })
        .collect();
    exact_times.sort_by(f64::total_cmp);
    println!(
        "vectors: {} live passages (zh {}, en {}); exact top-10 p50 {:.3} ms",
        set.live_len(),
        exact.len(Lang::Zh),
        exact.len(Lang::En),
        percentile(&exact_times, 0.5)
    );
    // What searches run below FULL_SCAN_THRESHOLD: the codes scanned, then rescored exactly,
    // against the f32 scan, interleaved query by query (the engine asks for 300 a language).
    for k in [10, 300] {
        let (mut f32_times, mut code_times) = (Vec::new(), Vec::new());
        for q in &queries {
            for lang in [Lang::Zh, Lang::En] {
                let started = Instant::now();
                let truth = exact.search(q, k, lang);
                f32_times.push(started.elapsed().as_secs_f64() * 1000.0);
                let started = Instant::now();
                let scanned = vectors.graph.scan(set, q, k, lang);
                code_times.push(started.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(scanned, truth, "the code scan must give the exact answer");
            }
        }
        f32_times.sort_by(f64::total_cmp);
        code_times.sort_by(f64::total_cmp);
        println!(
            "  scan top-{k}, one language: f32 vectors p50 {:.3} ms, codes + exact rescoring p50 {:.3} ms ({:.2}x), same answers",
            percentile(&f32_times, 0.5),
            percentile(&code_times, 0.5),
            percentile(&f32_times, 0.5) / percentile(&code_times, 0.5).max(f64::MIN_POSITIVE)
        );
    }
    for ef in [16, 32, 64, 128, 256, 512] {
        let (mut found, mut wanted, mut times) = (0usize, 0usize, Vec::new());
        for (q, truth) in queries.iter().zip(&truth) {
            for (slot, &lang) in [Lang::Zh, Lang::En].iter().enumerate() {
                let started = Instant::now();
                let got = vectors.graph.search(&vectors.set, q, 10, lang, ef, None);
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                wanted += truth[slot].len();
                found += got.iter().filter(|(id, _)| truth[slot].contains(id)).count();
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "  hnsw ef {ef:>3}: recall@10 {:.4}  p50 {:.3} ms  p99 {:.3} ms  ({} queries x 2 languages)",
            found as f64 / wanted.max(1) as f64,
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            queries.len()
        );
    }
}

/// Ingest with embeddings of a slice of the corpus, then, in the same run, a plain onnxruntime
/// loop in Python and the model alone on the same passages: every figure a ratio to a baseline
/// that suffered the same machine.
fn pipeline_against_model(model: &dyn Embedder, files: usize) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut paths = Vec::new();
    for folder in ["hf-daily-api", "zh-glm"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            println!("(pipeline against model skipped: {} is missing)", root.join(folder).display());
            return;
        };
        let mut found: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        found.sort();
        paths.extend(found.into_iter().take(files));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create index");
    let started = Instant::now();
    let report = index.ingest(&paths, Some(model), &mut Quiet).expect("ingest");
    let wall = started.elapsed().as_secs_f64();
    let rate = report.chunks_embedded as f64 / wall;
    println!(
        "ingest of {} files with embeddings: {} papers, {} passages in {wall:.1} s wall: {:.2} papers/s, {rate:.2} passages/s",
        report.files_read,
        report.papers_total,
        report.chunks_embedded,
        report.papers_total as f64 / wall,
    );
    let passages: Vec<String> = index.papers().expect("papers").iter().flat_map(chunk).map(|c| c.text).collect();
    if let Some(baseline) = python_baseline(&passages, dir.path()) {
        let python_rate = baseline["passages_per_s"].as_f64().unwrap_or(0.0);
        let baseline_passages = baseline["passages"].as_f64().unwrap_or(0.0);
        let ops = baseline["model_ops"].as_f64().unwrap_or(0.0);
        println!(
            "plain onnxruntime loop (Python, sorted batches of 8, 2 threads) on the same {} passages ({} tokens): {python_rate:.2} passages/s",
            baseline["passages"], baseline["tokens"]
        );
        // Per paper, as issue #11 asks: ingest also embeds the passages of a paper that a later
        // file replaces (the same paper on two days), which the loop, fed the index's papers,
        // does not; so the ratio is of the times for the same papers.
        let loop_seconds = |passages_per_s: f64| baseline_passages / passages_per_s.max(f64::MIN_POSITIVE);
        println!(
            "  ingest / plain loop, per paper (the same {} papers): {:.2}x",
            report.papers_total,
            loop_seconds(python_rate) / wall
        );
        // Ingest also learns the bilingual lexicon, which embeds tens of thousands of terms; the
        // loop has no such work. Both ratios, so neither hides the other.
        let lexicon_seconds = index.lexicon().file.seconds;
        println!(
            "  of which learning the bilingual lexicon {lexicon_seconds:.1} s; the rest of ingest / plain loop, per paper: {:.2}x",
            loop_seconds(python_rate) / (wall - lexicon_seconds).max(f64::MIN_POSITIVE)
        );
        if let Some(unsorted) = baseline["paper_order_passages_per_s"].as_f64() {
            println!(
                "  the same loop in paper order (unsorted batches): {unsorted:.2} passages/s; length order gains {:.2}x",
                python_rate / unsorted.max(f64::MIN_POSITIVE)
            );
        }
        println!(
            "  padding in the token slots of batches of 8: {:.1}% in paper order, {:.1}% in length order; none in ingest (one passage a call)",
            100.0 * baseline["padding_ingest_order"].as_f64().unwrap_or(0.0),
            100.0 * baseline["padding_length_order"].as_f64().unwrap_or(0.0)
        );
        if let Some(one_per_call) = baseline["one_per_call_passages_per_s"].as_f64() {
            println!(
                "  the same loop, one passage a call (as ingest): {one_per_call:.2} passages/s; ingest / that loop, per paper {:.2}x",
                loop_seconds(one_per_call) / wall
            );
        }
        let (cores, ghz) = machine();
        // AVX2: 2 FMA units x 8 f32 lanes x 2 = 32 flop per cycle and core; int8 (VPMADDUBSW)
        // at best doubles it. VNNI and AMX int8 units, where the CPU has them, go far beyond.
        let peak = cores as f64 * ghz * 32.0;
        println!(
            "  encoder arithmetic: ingest {:.1} Gop/s, plain loop {:.1} Gop/s; f32 FMA peak of {cores} cores at {ghz:.2} GHz {peak:.0} Gflop/s (AVX2 int8 at best 2x; int8 units of this CPU: {})",
            ops / wall / 1e9,
            ops / baseline["seconds"].as_f64().unwrap_or(f64::MAX) / 1e9,
            int8_units(),
        );
    }
    if passages.len() <= 5_000 {
        model_alone(model, &index, Some(rate), 1);
    } else {
        println!("(model alone skipped: {} passages would take as long as the ingest)", passages.len());
    }
    concurrent_searches(&dir.path().join("index"));
}

/// Hybrid searches from 8 threads at once over one engine, as `serve` runs them: what the
/// model and the rest of the answer sustain together. The index is small; the model's work is
/// most of it.
fn concurrent_searches(index_dir: &std::path::Path) {
    let models = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    let Ok(model) = E5Embedder::load_for_queries(&ModelPaths::under(&models)) else {
        println!("(concurrent searches skipped: no model)");
        return;
    };
    let engine = SearchEngine::new(PaperIndex::open(index_dir).expect("open"), Ok(Arc::new(model)));
    const THREADS: usize = 8;
    const PER_THREAD: usize = 24;
    // Round 0 warms up (the session is made when first needed) and is not printed.
    for round in 0..=2 {
        let engine = &engine;
        let started = Instant::now();
        let mut times: Vec<f64> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..THREADS)
                .map(|t| {
                    scope.spawn(move || {
                        let mut times = Vec::new();
                        for q in QUERIES.iter().cycle().skip(t).take(PER_THREAD) {
                            let begun = Instant::now();
                            let request = SearchRequest::new(*q).mode(SearchMode::Hybrid);
                            engine.search(&request).expect("search");
                            times.push(begun.elapsed().as_secs_f64() * 1000.0);
                        }
                        times
                    })
                })
                .collect();
            threads.into_iter().flat_map(|t| t.join().expect("search thread")).collect()
        });
        let seconds = started.elapsed().as_secs_f64();
        times.sort_by(f64::total_cmp);
        if round == 0 {
            continue;
        }
        println!(
            "{THREADS} threads of hybrid searches (round {round}): {:.1} searches/s, p50 {:.1} ms, p99 {:.1} ms",
            (THREADS * PER_THREAD) as f64 / seconds,
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
    }
}

/// Runs `benches/baseline_embed.py` on `passages` in the venv `models/fetch` made; `None` (with
/// a note) when it cannot run.
fn python_baseline(passages: &[String], scratch: &std::path::Path) -> Option<serde_json::Value> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = repo.join("models/.cache/venv/bin/python");
    let file = scratch.join("passages.json");
    std::fs::write(&file, serde_json::to_vec(passages).expect("passages as JSON")).expect("write passages");
    let output = std::process::Command::new(&python)
        .arg(repo.join("benches/baseline_embed.py"))
        .arg(repo.join("models/multilingual-e5-small"))
        .arg(&file)
        .output();
    match output {
        Ok(out) if out.status.success() => serde_json::from_slice(&out.stdout).ok(),
        Ok(out) => {
            println!("(plain onnxruntime baseline failed: {})", String::from_utf8_lossy(&out.stderr).trim());
            None
        }
        Err(e) => {
            println!("(plain onnxruntime baseline skipped: {}: {e})", python.display());
            None
        }
    }
}

/// Cores and clock (GHz) as the kernel reports them.
fn machine() -> (usize, f64) {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mhz = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("cpu MHz"))
                .and_then(|l| l.split(':').nth(1))
                .and_then(|v| v.trim().parse::<f64>().ok())
        })
        .unwrap_or(0.0);
    (cores, mhz / 1000.0)
}

/// The CPU's int8 matrix units beyond AVX2 (`/proc/cpuinfo` flags), or "none".
fn int8_units() -> String {
    let flags = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| info.lines().find(|l| l.starts_with("flags")).map(str::to_string))
        .unwrap_or_default();
    let found: Vec<&str> = ["avx_vnni", "avx512_vnni", "amx_int8"]
        .into_iter()
        .filter(|flag| flags.split_whitespace().any(|f| f == *flag))
        .collect();
    if found.is_empty() { "none".to_string() } else { found.join(", ") }
}

/// The model's own throughput on the passages of every `step`-th paper of `index`, in one call
/// as ingest makes it (per generation), for comparison with ingest.
fn model_alone(model: &dyn Embedder, index: &PaperIndex, ingest_rate: Option<f64>, step: usize) {
    let papers = index.papers().expect("papers");
    // Every 38th paper of the corpus is about 300, spread over every source and language.
    let passages: Vec<String> = papers.iter().step_by(step).flat_map(chunk).map(|c| c.text).collect();
    let texts: Vec<&str> = passages.iter().map(String::as_str).collect();
    let started = Instant::now();
    model.embed(&texts, Role::Passage).expect("embed");
    let rate = texts.len() as f64 / started.elapsed().as_secs_f64();
    println!("model alone: {rate:.1} passages/s on {} passages of every {step}th paper", texts.len());
    if let Some(ingest_rate) = ingest_rate {
        println!("  ingest ran at {:.0}% of the model's own rate", 100.0 * ingest_rate / rate);
    }
}
