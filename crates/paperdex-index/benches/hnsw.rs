//! HNSW against exact search on 20,000 clustered 384-dimensional vectors: build time, and for
//! several `ef_search` values recall@10 and search latency. Prints a table per data set.
//!
//! `cargo bench -p paperdex-index --bench hnsw`. A plain binary (no criterion): the figures
//! that matter here are recall and percentiles, which criterion does not report.
//!
//! Two synthetic data sets (see `src/vectors/synthetic.rs`): "clustered", well-separated topics
//! like the unit tests use, and "overlapping", with clusters spread into each other and more
//! noise, where neighbours are harder to tell apart and `ef_search` matters.

use std::time::{Duration, Instant};

use paperdex_core::Lang;
use paperdex_index::vectors::{ExactSearch, HnswSearch, NearestNeighbours, VectorSet};

#[path = "../src/vectors/synthetic.rs"]
mod synthetic;

use synthetic::Corpus;

const CHUNKS: usize = 20_000;
const DIMS: usize = 384;
const TOPICS: usize = 40;
const QUERIES: usize = 1_000;
const K: usize = 10;
const EFS: [usize; 4] = [16, 32, 64, 128];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

/// Runs `search` once per query, returning the answers and the sorted latencies.
fn timed(queries: &[Vec<f32>], mut search: impl FnMut(&[f32]) -> Vec<(u32, f32)>) -> (Vec<Vec<u32>>, Vec<Duration>) {
    let mut answers = Vec::with_capacity(queries.len());
    let mut latencies = Vec::with_capacity(queries.len());
    for query in queries {
        let started = Instant::now();
        let hits = search(query);
        latencies.push(started.elapsed());
        answers.push(hits.into_iter().map(|(id, _)| id).collect());
    }
    latencies.sort();
    (answers, latencies)
}

fn mean(values: impl Iterator<Item = f32>) -> f64 {
    let (sum, n) = values.fold((0.0, 0), |(s, n), v| (s + f64::from(v), n + 1));
    sum / n as f64
}

fn run(name: &str, mut corpus: Corpus) {
    let mut set = VectorSet::new("synthetic", DIMS);
    for i in 0..CHUNKS {
        // One language: a 20,000-point graph, the size a language's graph reaches first.
        set.push(&format!("2601.{:05}", i / 5), Lang::En, &corpus.sample()).expect("push");
    }
    let queries = corpus.sample_many(QUERIES);
    println!("## {name}: {CHUNKS} chunks x {DIMS} dims, {QUERIES} queries, k = {K}");

    let started = Instant::now();
    let hnsw = HnswSearch::build(&set);
    let build = started.elapsed();
    let params = hnsw.params();
    println!(
        "HNSW build (M = {}, ef_construction = {}, parallel insert): {:.2?}",
        params.max_nb_connection, params.ef_construction, build
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    hnsw.save(dir.path()).expect("save");
    let save = started.elapsed();
    let started = Instant::now();
    let loaded = HnswSearch::load(dir.path(), &set).expect("load");
    let load = started.elapsed();
    println!("save {save:.2?}, load {load:.2?} (both with checksums)");
    drop(loaded);

    let exact = ExactSearch::build(&set);
    let _ = timed(&queries[..50], |q| exact.search(q, K, Lang::En)); // warm-up
    let (truth, exact_latency) = timed(&queries, |q| exact.search(q, K, Lang::En));

    // What the data looks like: how close the 1st and 10th neighbours are, against a random chunk.
    let first = mean(queries.iter().map(|q| exact.search(q, 1, Lang::En)[0].1));
    let tenth = mean(queries.iter().map(|q| exact.search(q, K, Lang::En)[K - 1].1));
    let random = mean(queries.iter().enumerate().map(|(i, q)| {
        let other = set.get((i * 7_919 % CHUNKS) as u32).expect("chunk").vector;
        q.iter().zip(other).map(|(a, b)| a * b).sum::<f32>()
    }));
    println!("mean cosine: 1st neighbour {first:.3}, 10th {tenth:.3}, random chunk {random:.3}");

    println!();
    println!("| search          | recall@10 | p50      | p99      |");
    println!("|-----------------|-----------|----------|----------|");
    for ef in EFS {
        let _ = timed(&queries[..50], |q| hnsw.search_with_ef(q, K, Lang::En, ef)); // warm-up
        let (answers, latency) = timed(&queries, |q| hnsw.search_with_ef(q, K, Lang::En, ef));
        let found: usize =
            answers.iter().zip(&truth).map(|(got, want)| got.iter().filter(|id| want.contains(id)).count()).sum();
        let recall = found as f64 / (truth.len() * K) as f64;
        println!(
            "| HNSW ef = {ef:<5} | {recall:>9.4} | {:>8} | {:>8} |",
            micros(percentile(&latency, 0.5)),
            micros(percentile(&latency, 0.99))
        );
    }
    println!(
        "| exact           | {:>9.4} | {:>8} | {:>8} |",
        1.0,
        micros(percentile(&exact_latency, 0.5)),
        micros(percentile(&exact_latency, 0.99))
    );
    println!();
}

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{threads} threads available\n");
    run("clustered", Corpus::new(DIMS, TOPICS, 2026));
    run("overlapping", Corpus::new(DIMS, TOPICS, 2027).with_noise(0.6).with_spread(3.0));
}
