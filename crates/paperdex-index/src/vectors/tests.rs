//! Stories of the vector store: what the ranker and the ingest pipeline rely on.
//!
//! The corpus is synthetic but shaped like real embeddings (see [`super::synthetic`]): 384
//! dimensions, topics and subtopics, 70% English and 30% Chinese papers of 5 chunks each.

use std::path::Path;
use std::time::Instant;

use paperdex_core::Lang;

use super::synthetic::Corpus;
use super::{
    CompactGraph, ExactSearch, HNSW_MANIFEST_FILE, HnswSearch, NearestNeighbours, REBUILD_TOMBSTONE_RATIO, VectorError,
    VectorSet,
};

const DIMS: usize = 384;
const MODEL: &str = "intfloat/multilingual-e5-small";
const CHUNKS_PER_PAPER: usize = 5;

/// A set of `papers` papers (5 chunks each) and the corpus they were drawn from, to draw
/// queries and more papers.
fn corpus_set(papers: usize, seed: u64) -> (VectorSet, Corpus) {
    corpus_set_from(Corpus::new(DIMS, 12, seed), papers)
}

fn corpus_set_from(mut corpus: Corpus, papers: usize) -> (VectorSet, Corpus) {
    let mut set = VectorSet::new(MODEL, DIMS);
    add_papers(&mut set, &mut corpus, 0..papers);
    (set, corpus)
}

fn paper_id(number: usize) -> String {
    format!("2601.{number:05}")
}

/// Papers are English but for every third or so, like the digests.
fn paper_lang(number: usize) -> Lang {
    if number % 10 < 3 { Lang::Zh } else { Lang::En }
}

fn add_papers(set: &mut VectorSet, corpus: &mut Corpus, numbers: std::ops::Range<usize>) {
    for number in numbers {
        for _ in 0..CHUNKS_PER_PAPER {
            set.push(&paper_id(number), paper_lang(number), &corpus.sample()).expect("push");
        }
    }
}

/// Queries alternating between the languages, drawn from the corpus distribution.
fn queries(corpus: &mut Corpus, n: usize) -> Vec<(Vec<f32>, Lang)> {
    (0..n).map(|i| (corpus.sample(), if i % 3 == 0 { Lang::Zh } else { Lang::En })).collect()
}

/// The mean share of the exact top `k` that `approx` found.
fn recall(exact: &ExactSearch, approx: &dyn NearestNeighbours, queries: &[(Vec<f32>, Lang)], k: usize) -> f64 {
    let mut found = 0;
    let mut total = 0;
    for (query, lang) in queries {
        let truth: Vec<u32> = exact.search(query, k, *lang).into_iter().map(|(id, _)| id).collect();
        let got = approx.search(query, k, *lang);
        found += got.iter().filter(|(id, _)| truth.contains(id)).count();
        total += truth.len();
    }
    found as f64 / total as f64
}

fn all_results(search: &dyn NearestNeighbours, queries: &[(Vec<f32>, Lang)], k: usize) -> Vec<Vec<(u32, f32)>> {
    queries.iter().map(|(q, lang)| search.search(q, k, *lang)).collect()
}

#[test]
fn hnsw_finds_at_least_98_percent_of_the_true_top_10() {
    // Overlapping clusters and more noise than the other stories: neighbours are harder to
    // tell apart (the bench's "overlapping" data set).
    let (set, mut corpus) = corpus_set_from(Corpus::new(DIMS, 12, 1).with_noise(0.6).with_spread(3.0), 600);
    assert_eq!(set.len(), 3_000);
    let exact = ExactSearch::build(&set);
    let hnsw = HnswSearch::build(&set);
    let queries = queries(&mut corpus, 100);

    let recall_at_10 = recall(&exact, &hnsw, &queries, 10);
    println!("recall@10 over {} queries, ef_search {}: {recall_at_10:.4}", queries.len(), hnsw.params().ef_search);
    assert!(recall_at_10 >= 0.98, "recall@10 = {recall_at_10}");

    // Similarities are the same numbers both ways, not just the same chunks.
    let (query, lang) = &queries[0];
    assert_eq!(hnsw.search(query, 1, *lang), exact.search(query, 1, *lang));
}

#[test]
fn results_are_the_most_similar_first_and_a_chunk_finds_itself() {
    let (set, _) = corpus_set(100, 2);
    let hnsw = HnswSearch::build(&set);
    let exact = ExactSearch::build(&set);
    // "More like this": searching with a stored chunk's own vector. hnsw_rs's DistDot panics
    // here about a third of the time (see `hnsw_rs_dist_dot_panics_on_a_vector_against_itself`).
    for chunk in set.iter().step_by(7) {
        for search in [&hnsw as &dyn NearestNeighbours, &exact] {
            let hits = search.search(chunk.vector, 5, chunk.lang);
            assert_eq!(hits[0].0, chunk.id, "chunk {} finds itself first", chunk.id);
            assert!((hits[0].1 - 1.0).abs() < 1e-6, "with similarity 1: {hits:?}");
            assert!(hits.windows(2).all(|w| w[0].1 >= w[1].1), "best first: {hits:?}");
        }
    }
}

#[test]
fn a_saved_graph_reloads_without_rebuilding_and_answers_identically() {
    let (set, mut corpus) = corpus_set(600, 3);
    let queries = queries(&mut corpus, 100);

    let started = Instant::now();
    let built = HnswSearch::build(&set);
    let build_time = started.elapsed();
    let dir = tempfile::tempdir().expect("temp dir");
    built.save(dir.path()).expect("save");

    let started = Instant::now();
    let loaded = HnswSearch::load(dir.path(), &set).expect("load");
    let load_time = started.elapsed();
    println!("3,000 chunks: build {build_time:.2?}, load {load_time:.2?}");

    assert_eq!(loaded.covered(), set.len());
    assert_eq!((loaded.len(Lang::En), loaded.len(Lang::Zh)), (built.len(Lang::En), built.len(Lang::Zh)));
    assert_eq!(all_results(&loaded, &queries, 10), all_results(&built, &queries, 10));

    // A reloaded graph saves and reloads like a built one.
    let again = tempfile::tempdir().expect("temp dir");
    loaded.save(again.path()).expect("save the reloaded graph");
    let reloaded = HnswSearch::load(again.path(), &set).expect("load again");
    assert_eq!(all_results(&reloaded, &queries, 10), all_results(&built, &queries, 10));
}

#[test]
fn saving_again_replaces_the_previous_graphs_and_cleans_up() {
    let (mut set, mut corpus) = corpus_set(100, 4);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut hnsw = HnswSearch::build(&set);
    hnsw.save(dir.path()).expect("first save");
    add_papers(&mut set, &mut corpus, 100..120);
    hnsw.insert(&set).expect("insert");
    hnsw.save(dir.path()).expect("second save");

    let loaded = HnswSearch::load(dir.path(), &set).expect("load");
    assert_eq!(loaded.len(Lang::En) + loaded.len(Lang::Zh), set.len());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.retain(|name| name != HNSW_MANIFEST_FILE);
    assert_eq!(names.len(), 4, "the manifest and two files per language, nothing else: {names:?}");
}

#[test]
fn tombstoned_chunks_are_never_returned() {
    let (mut set, mut corpus) = corpus_set(600, 5);
    let mut hnsw = HnswSearch::build(&set);
    let queries = queries(&mut corpus, 30);

    // Delete the paper behind every query's best hit: exactly the chunks most likely to show up.
    for (query, lang) in &queries {
        for (id, _) in hnsw.search(query, 3, *lang) {
            let paper = set.get(id).expect("hit is a chunk").paper_id.to_owned();
            set.delete_paper(&paper);
        }
    }
    let report = hnsw.refresh(&set).expect("refresh");
    assert!(report.tombstoned > 0 && !report.rebuilt, "{report:?}");
    let exact = ExactSearch::build(&set);

    let dir = tempfile::tempdir().expect("temp dir");
    hnsw.save(dir.path()).expect("save");
    let loaded = HnswSearch::load(dir.path(), &set).expect("load");
    for search in [&hnsw as &dyn NearestNeighbours, &exact, &loaded] {
        for (query, lang) in &queries {
            let hits = search.search(query, 50, *lang);
            assert_eq!(hits.len(), 50, "tombstones are replaced by live chunks");
            assert!(hits.iter().all(|&(id, _)| !set.is_deleted(id)), "a deleted chunk came back");
        }
    }
    println!("tombstones: {:.1}% of the graphs", 100.0 * hnsw.tombstone_ratio());
}

#[test]
fn papers_deleted_after_the_save_stay_deleted_after_the_load() {
    let (mut set, mut corpus) = corpus_set(200, 6);
    let dir = tempfile::tempdir().expect("temp dir");
    HnswSearch::build(&set).save(dir.path()).expect("save");
    let (query, lang) = queries(&mut corpus, 1).remove(0);
    let best = ExactSearch::build(&set).search(&query, 1, lang)[0].0;
    let paper = set.get(best).expect("chunk").paper_id.to_owned();
    set.delete_paper(&paper);

    let loaded = HnswSearch::load(dir.path(), &set).expect("load");
    assert!(loaded.search(&query, 20, lang).iter().all(|&(id, _)| set.get(id).expect("chunk").paper_id != paper));
}

#[test]
fn refresh_rebuilds_once_a_quarter_of_a_graph_is_tombstones() {
    let (mut set, _) = corpus_set(200, 7);
    let mut hnsw = HnswSearch::build(&set);
    // 30% of the English papers.
    let doomed: Vec<String> = (0..200).filter(|n| paper_lang(*n) == Lang::En && n % 10 < 6).map(paper_id).collect();
    for paper in &doomed {
        set.delete_paper(paper);
    }
    let english = set.iter().filter(|c| c.lang == Lang::En).count();
    assert!((doomed.len() * CHUNKS_PER_PAPER) as f64 > REBUILD_TOMBSTONE_RATIO * english as f64);
    let report = hnsw.refresh(&set).expect("refresh");
    assert!(report.rebuilt, "{report:?}");
    assert_eq!(hnsw.tombstone_ratio(), 0.0, "a rebuilt graph holds live chunks only");
    assert_eq!(hnsw.len(Lang::En), set.iter_live().filter(|c| c.lang == Lang::En).count());
}

#[test]
fn chunks_added_after_the_build_are_found() {
    let (mut set, mut corpus) = corpus_set(500, 8);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut hnsw = HnswSearch::build(&set);
    hnsw.save(dir.path()).expect("save");

    // The next day's ingest: 100 new papers, one old paper replaced.
    set.delete_paper(&paper_id(3));
    add_papers(&mut set, &mut corpus, 500..600);
    add_papers(&mut set, &mut corpus, 3..4);
    let inserted = hnsw.insert(&set).expect("insert");
    assert_eq!(inserted, 101 * CHUNKS_PER_PAPER);
    assert_eq!(hnsw.covered(), set.len());
    // A graph saved before the ingest catches up on load.
    let caught_up = HnswSearch::load(dir.path(), &set).expect("load");

    for search in [&hnsw, &caught_up] {
        for chunk in set.iter().skip(2_500) {
            let hits = search.search(chunk.vector, 1, chunk.lang);
            assert_eq!(hits.first().map(|h| h.0), Some(chunk.id), "new chunk {} found", chunk.id);
        }
        let replaced = set.iter().take(2_500).filter(|c| c.paper_id == paper_id(3));
        for chunk in replaced {
            assert!(search.search(chunk.vector, 10, chunk.lang).iter().all(|h| h.0 != chunk.id));
        }
    }
}

#[test]
fn a_query_in_one_language_never_returns_chunks_of_the_other() {
    let (mut set, mut corpus) = corpus_set(300, 9);
    // The same text embedded twice, once filed as Chinese, once as English.
    let twin = corpus.sample();
    let zh = set.push("2601.99998", Lang::Zh, &twin).expect("push");
    let en = set.push("2601.99999", Lang::En, &twin).expect("push");
    let hnsw = HnswSearch::build(&set);
    let exact = ExactSearch::build(&set);

    for search in [&hnsw as &dyn NearestNeighbours, &exact] {
        assert_eq!(search.search(&twin, 1, Lang::Zh)[0].0, zh);
        assert_eq!(search.search(&twin, 1, Lang::En)[0].0, en);
        for (query, lang) in queries(&mut corpus, 20) {
            let hits = search.search(&query, 100, lang);
            assert_eq!(hits.len(), 100);
            assert!(hits.iter().all(|&(id, _)| set.get(id).expect("chunk").lang == lang));
        }
    }
}

#[test]
fn a_language_without_chunks_has_no_graph_and_still_saves_and_loads() {
    let mut corpus = Corpus::new(DIMS, 3, 10);
    let mut set = VectorSet::new(MODEL, DIMS);
    for i in 0..50 {
        set.push(&paper_id(i), Lang::En, &corpus.sample()).expect("push");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let hnsw = HnswSearch::build(&set);
    hnsw.save(dir.path()).expect("save");
    let loaded = HnswSearch::load(dir.path(), &set).expect("load");
    let query = corpus.sample();
    assert!(loaded.search(&query, 10, Lang::Zh).is_empty());
    assert_eq!(loaded.search(&query, 10, Lang::En), hnsw.search(&query, 10, Lang::En));

    // A set with nothing at all, and a graph of one point.
    let empty = VectorSet::new(MODEL, DIMS);
    HnswSearch::build(&empty).save(dir.path()).expect("save empty");
    assert!(HnswSearch::load(dir.path(), &empty).expect("load empty").is_empty());
    let mut one = VectorSet::new(MODEL, DIMS);
    one.push("2601.00001", Lang::Zh, &query).expect("push");
    HnswSearch::build(&one).save(dir.path()).expect("save one");
    let hits = HnswSearch::load(dir.path(), &one).expect("load one").search(&query, 3, Lang::Zh);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].0, 0);
}

#[test]
fn wrong_queries_match_nothing_instead_of_panicking() {
    let (set, _) = corpus_set(20, 11);
    let hnsw = HnswSearch::build(&set);
    let exact = ExactSearch::build(&set);
    for search in [&hnsw as &dyn NearestNeighbours, &exact] {
        assert!(search.search(&[0.5; 3], 5, Lang::En).is_empty(), "wrong dimensions");
        assert!(search.search(&[f32::NAN; DIMS], 5, Lang::En).is_empty(), "NaN");
        assert!(search.search(&[0.0; DIMS], 5, Lang::En).is_empty(), "zero vector");
        assert!(search.search(&[1.0; DIMS], 0, Lang::En).is_empty(), "k = 0");
        assert_eq!(search.search(&[1.0; DIMS], 1_000, Lang::En).len(), 70, "k beyond the live chunks");
    }
}

/// A fresh copy of a saved graph folder, damaged by `damage`, and what loading it says.
fn load_damaged(set: &VectorSet, damage: impl FnOnce(&Path)) -> VectorError {
    let dir = tempfile::tempdir().expect("temp dir");
    HnswSearch::build(set).save(dir.path()).expect("save");
    damage(dir.path());
    HnswSearch::load(dir.path(), set).expect_err("a damaged folder must not load")
}

fn graph_file(dir: &Path, lang: &str, kind: &str) -> std::path::PathBuf {
    std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            name.starts_with(&format!("{lang}-")) && name.ends_with(kind)
        })
        .expect("graph file")
}

#[test]
fn a_damaged_graph_folder_gives_an_error_naming_the_file_not_a_panic() {
    let (set, _) = corpus_set(200, 12);

    let missing = load_damaged(&set, |dir| {
        std::fs::remove_file(graph_file(dir, "en", ".hnsw.graph")).expect("remove");
    });
    assert!(missing.to_string().contains(".hnsw.graph") && missing.to_string().contains("missing"), "{missing}");

    let truncated = load_damaged(&set, |dir| {
        let path = graph_file(dir, "zh", ".hnsw.data");
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(&path, &bytes[..bytes.len() / 3]).expect("truncate");
    });
    assert!(truncated.to_string().contains("truncated"), "{truncated}");

    let garbled = load_damaged(&set, |dir| {
        let path = graph_file(dir, "en", ".hnsw.graph");
        let mut bytes = std::fs::read(&path).expect("read");
        let middle = bytes.len() / 2;
        bytes[middle..middle + 16].fill(0xFF);
        std::fs::write(&path, bytes).expect("garble");
    });
    assert!(garbled.to_string().contains("checksum mismatch"), "{garbled}");

    let bad_manifest = load_damaged(&set, |dir| {
        std::fs::write(dir.join(HNSW_MANIFEST_FILE), "{\"format\": \"paperdex-hnsw\", \"graphs\": [").expect("write");
    });
    assert!(matches!(bad_manifest, VectorError::Corrupt { .. }), "{bad_manifest}");

    let no_manifest = load_damaged(&set, |dir| {
        std::fs::remove_file(dir.join(HNSW_MANIFEST_FILE)).expect("remove");
    });
    assert!(matches!(no_manifest, VectorError::Io { .. }) && no_manifest.to_string().contains(HNSW_MANIFEST_FILE));

    // Whatever went wrong, the way out is a rebuild from the vector set.
    let rebuilt = HnswSearch::build(&set);
    assert_eq!(rebuilt.len(Lang::En) + rebuilt.len(Lang::Zh), set.len());
}

#[test]
fn a_graph_is_never_paired_with_another_vector_set() {
    let (set, _) = corpus_set(100, 13);
    let dir = tempfile::tempdir().expect("temp dir");
    HnswSearch::build(&set).save(dir.path()).expect("save");

    let (other, _) = corpus_set(100, 14);
    let error = HnswSearch::load(dir.path(), &other).expect_err("other vectors");
    assert!(matches!(error, VectorError::SetMismatch { .. }), "{error}");

    let (shorter, _) = corpus_set(50, 13);
    let error = HnswSearch::load(dir.path(), &shorter).expect_err("fewer chunks");
    assert!(matches!(error, VectorError::SetMismatch { .. }), "{error}");

    let mut other_model = VectorSet::new("another-model", DIMS);
    for chunk in set.iter() {
        other_model.push(chunk.paper_id, chunk.lang, chunk.vector).expect("push");
    }
    let error = HnswSearch::load(dir.path(), &other_model).expect_err("other model");
    assert!(error.to_string().contains("another-model"), "{error}");
}

#[test]
fn many_threads_search_at_once() {
    let (set, mut corpus) = corpus_set(400, 15);
    let hnsw = HnswSearch::build(&set);
    let queries = queries(&mut corpus, 40);
    let expected = all_results(&hnsw, &queries, 10);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| assert_eq!(all_results(&hnsw, &queries, 10), expected));
        }
    });

    fn shareable<T: Send + Sync>() {}
    shareable::<HnswSearch>();
    shareable::<ExactSearch>();
}

/// Why [`super::DotDistance`] instead of hnsw_rs's `DistDot`: for some unit vectors the f32 dot
/// product with themselves rounds to just above 1, and `DistDot` asserts `1 - dot >= 0`.
#[test]
fn hnsw_rs_dist_dot_panics_on_a_vector_against_itself() {
    use hnsw_rs::prelude::{DistDot, Distance};
    let mut corpus = Corpus::new(DIMS, 3, 16);
    let set = {
        let mut set = VectorSet::new(MODEL, DIMS);
        for _ in 0..50 {
            set.push("p", Lang::En, &corpus.sample()).expect("push");
        }
        set
    };
    // The first such vector is enough (each panic prints a message).
    let panicking = set.iter().position(|c| {
        let v = c.vector;
        std::panic::catch_unwind(|| DistDot.eval(v, v)).is_err()
    });
    assert!(panicking.is_some(), "DistDot survived every vector against itself");
    assert!(set.iter().all(|c| (0.0..1e-6).contains(&super::DotDistance.eval(c.vector, c.vector))));
}

// The compact graph: what searches use once hnsw_rs has built the graphs.

/// The `k` best of `compact` for every query, at search depth `ef`.
fn compact_results(
    compact: &CompactGraph,
    set: &VectorSet,
    queries: &[(Vec<f32>, Lang)],
    k: usize,
    ef: usize,
) -> Vec<Vec<(u32, f32)>> {
    queries.iter().map(|(q, lang)| compact.search(set, q, k, *lang, ef, None)).collect()
}

#[test]
fn compact_search_rescored_with_exact_vectors_returns_the_exact_top_10_on_a_small_set() {
    // With `ef` as large as the graph the walk reaches every node: whatever the 8-bit codes
    // get wrong, rescoring with the f32 vectors must give exactly the exact search's answer,
    // similarities included.
    let (set, mut corpus) = corpus_set(200, 11);
    let exact = ExactSearch::build(&set);
    let compact = CompactGraph::from_hnsw(&HnswSearch::build(&set), &set).expect("compact");
    let queries = queries(&mut corpus, 40);
    let got = compact_results(&compact, &set, &queries, 10, set.len());
    assert_eq!(got, all_results(&exact, &queries, 10));
}

#[test]
fn compact_search_finds_as_much_of_the_true_top_10_as_hnsw_rs() {
    let (set, mut corpus) = corpus_set_from(Corpus::new(DIMS, 12, 1).with_noise(0.6).with_spread(3.0), 600);
    let exact = ExactSearch::build(&set);
    let hnsw = HnswSearch::build(&set);
    let compact = CompactGraph::from_hnsw(&hnsw, &set).expect("compact");
    let queries = queries(&mut corpus, 100);
    let truth = all_results(&exact, &queries, 10);
    let got = compact_results(&compact, &set, &queries, 10, hnsw.params().ef_search);
    let found: usize = got.iter().zip(&truth).map(|(g, t)| g.iter().filter(|hit| t.contains(hit)).count()).sum();
    let compact_recall = found as f64 / (10 * queries.len()) as f64;
    let hnsw_recall = recall(&exact, &hnsw, &queries, 10);
    assert!(compact_recall >= 0.98, "compact recall@10 {compact_recall}");
    assert!(compact_recall >= hnsw_recall - 0.01, "compact {compact_recall} against hnsw_rs {hnsw_recall}");
    // Reported similarities are the exact ones, never the codes' approximation.
    for (hits, (query, _)) in got.iter().zip(&queries) {
        for &(id, similarity) in hits {
            let stored = set.get(id).expect("chunk").vector;
            assert_eq!(similarity, super::similarity(&super::prepare_query(query, DIMS).expect("query"), stored));
        }
    }
}

#[test]
fn compact_graph_reloads_after_saving_and_answers_identically() {
    let (mut set, mut corpus) = corpus_set(300, 12);
    set.delete_paper(&paper_id(7));
    let compact = CompactGraph::from_hnsw(&HnswSearch::build(&set), &set).expect("compact");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("graph.bin");
    compact.save(&path).expect("save");
    let loaded = CompactGraph::load(&path, &set).expect("load");
    assert_eq!(loaded, compact);
    let queries = queries(&mut corpus, 30);
    assert_eq!(compact_results(&loaded, &set, &queries, 10, 64), compact_results(&compact, &set, &queries, 10, 64));
    let deleted: Vec<u32> = set.iter().filter(|c| c.deleted).map(|c| c.id).collect();
    assert_eq!(deleted.len(), CHUNKS_PER_PAPER);
    for hits in compact_results(&loaded, &set, &queries, 50, 64) {
        assert!(hits.iter().all(|(id, _)| !deleted.contains(id)), "a tombstoned chunk came back");
    }
}

#[test]
fn compact_search_keeps_to_the_admitted_chunks_and_the_language() {
    let (set, mut corpus) = corpus_set(300, 13);
    let compact = CompactGraph::from_hnsw(&HnswSearch::build(&set), &set).expect("compact");
    let admit = |id: u32| id.is_multiple_of(7);
    for (query, lang) in queries(&mut corpus, 20) {
        let hits = compact.search(&set, &query, 10, lang, 64, Some(&admit));
        assert_eq!(hits.len(), 10, "enough admitted chunks exist to fill the page");
        for (id, _) in hits {
            assert!(admit(id));
            assert_eq!(set.get(id).expect("chunk").lang, lang);
        }
    }
}

#[test]
fn a_damaged_compact_graph_file_is_an_error_naming_it() {
    let (set, _) = corpus_set(100, 14);
    let compact = CompactGraph::from_hnsw(&HnswSearch::build(&set), &set).expect("compact");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("graph.bin");
    compact.save(&path).expect("save");
    let bytes = std::fs::read(&path).expect("read");
    let damaged = |content: &[u8]| {
        std::fs::write(&path, content).expect("write");
        let error = CompactGraph::load(&path, &set).expect_err("a damaged file must not load");
        assert!(matches!(error, VectorError::Corrupt { .. }), "{error}");
        assert!(error.to_string().contains("graph.bin"), "names the file: {error}");
        error.to_string()
    };
    for keep in [0, 4, 30, bytes.len() / 2, bytes.len() - 9, bytes.len() - 1] {
        let message = damaged(&bytes[..keep]);
        assert!(
            message.contains("truncated") || message.contains("cut short") || message.contains("end marker"),
            "{message}"
        );
    }
    for at in [200, bytes.len() / 3, bytes.len() - 30] {
        let mut changed = bytes.clone();
        changed[at] ^= 0x10;
        let message = damaged(&changed);
        assert!(!message.is_empty());
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"more");
    damaged(&longer);
}

#[test]
fn a_compact_graph_is_never_paired_with_another_vector_set() {
    let (set, _) = corpus_set(100, 15);
    let (other, _) = corpus_set(100, 16);
    let compact = CompactGraph::from_hnsw(&HnswSearch::build(&set), &set).expect("compact");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("graph.bin");
    compact.save(&path).expect("save");
    let error = CompactGraph::load(&path, &other).expect_err("another set");
    assert!(matches!(error, VectorError::SetMismatch { .. }), "{error}");
}

#[test]
fn a_compact_graph_header_promising_more_than_the_file_holds_is_refused_before_reading_on() {
    // The checksum is only known at the end of the file; a header asking for a billion nodes
    // must be an error about the file, not an attempt to allocate for them.
    let (set, _) = corpus_set(50, 17);
    let compact = CompactGraph::from_hnsw(&HnswSearch::build(&set), &set).expect("compact");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("graph.bin");
    compact.save(&path).expect("save");
    let bytes = std::fs::read(&path).expect("read");
    let length = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[12..12 + length]).expect("header");
    header["graphs"][0]["nodes"] = serde_json::json!(1_000_000_000u64);
    let header = serde_json::to_vec(&header).expect("json");
    let mut damaged = bytes[..8].to_vec();
    damaged.extend_from_slice(&(header.len() as u32).to_le_bytes());
    damaged.extend_from_slice(&header);
    damaged.extend_from_slice(&bytes[12 + length..]);
    std::fs::write(&path, &damaged).expect("write");
    let error = CompactGraph::load(&path, &set).expect_err("must not load");
    assert!(matches!(error, VectorError::Corrupt { .. }), "{error}");
    assert!(error.to_string().contains("promises"), "{error}");
}

#[test]
fn a_larger_graph_is_searched_with_a_larger_ef() {
    use super::{EF_REFERENCE_NODES, HnswParams, ef_for_nodes};
    let default = HnswParams::default().ef_search;
    assert_eq!(ef_for_nodes(0), default);
    assert_eq!(ef_for_nodes(EF_REFERENCE_NODES), default);
    // The 1.8M-passage graph of the scale bench needed ef 1,088 for recall@10 0.95.
    assert_eq!(ef_for_nodes(1_800_000), 1_087);
    let sizes = [10_000, 200_000, 1_000_000, 5_000_000, 50_000_000];
    assert!(sizes.windows(2).all(|w| ef_for_nodes(w[0]) <= ef_for_nodes(w[1])));
}

#[test]
fn a_scan_of_the_codes_returns_exactly_what_the_exact_search_returns() {
    // Crowded topics (noise 0.6) make many near-ties at the k-th place, where 8-bit codes are
    // most likely to misorder; tombstones and chunks written after the graphs were built must
    // be handled too. The scan's answer must be the exact one, similarities and order included.
    let (mut set, mut corpus) = corpus_set_from(Corpus::new(DIMS, 12, 21).with_noise(0.6).with_spread(3.0), 800);
    let compact = CompactGraph::from_hnsw(&HnswSearch::build(&set), &set).expect("compact");
    for number in (0..800).step_by(7) {
        set.delete_paper(&paper_id(number));
    }
    add_papers(&mut set, &mut corpus, 800..830);
    assert!(compact.covered() < set.len(), "some chunks are not in the graphs");
    let exact = ExactSearch::build(&set);
    for (query, lang) in queries(&mut corpus, 60) {
        for k in [1, 10, 300, 5_000] {
            assert_eq!(compact.scan(&set, &query, k, lang), exact.search(&query, k, lang), "k {k}, {lang:?}");
        }
    }
    assert!(compact.scan(&set, &[0.0; DIMS], 10, Lang::En).is_empty(), "an all-zero query matches nothing");
    assert!(compact.scan(&set, &[1.0; 3], 10, Lang::En).is_empty(), "a query of the wrong size matches nothing");
    assert!(compact.scan(&set, &corpus.sample(), 0, Lang::En).is_empty());
}
