//! The ranking-quality guard: index the CACM collection from the shared corpus, run its 52
//! judged queries with BM25 and hold nDCG@10 above a floor, so a change that makes keyword
//! ranking worse fails here instead of going unnoticed.
//!
//! The reference pipeline (Porter + stop words, BM25 over title and abstract) scores 0.473; the
//! floor leaves room for deliberate trade-offs, not for regressions. The corpus lives beside
//! the checkout (`../shared/corpus`, as in CI); `PAPERDEX_CORPUS` points elsewhere.

use std::path::PathBuf;

use paperdex_eval::{EvalOptions, evaluate_smart};
use paperdex_index::{Quiet, SearchMode};

/// The lowest acceptable BM25 nDCG@10 on CACM.
const CACM_BM25_NDCG_FLOOR: f64 = 0.40;

fn cacm() -> PathBuf {
    let corpus = std::env::var_os("PAPERDEX_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    let folder = corpus.join("cacm");
    assert!(
        folder.join("cacm.all").is_file(),
        "the CACM collection is missing at {}: set PAPERDEX_CORPUS to the shared corpus folder",
        folder.display()
    );
    folder
}

#[test]
fn cacm_bm25_ndcg_at_10_stays_above_the_floor() {
    let options = EvalOptions { modes: vec![SearchMode::Bm25], ..EvalOptions::default() };
    let report = evaluate_smart(&cacm(), Err("not needed for BM25".into()), &options, &mut Quiet)
        .unwrap_or_else(|e| panic!("CACM evaluation failed: {e}"));
    println!("{}", report.to_table());

    assert_eq!(report.documents, 3204, "every CACM document is indexed");
    assert_eq!(report.queries, 64, "query 0 of query.text has no text and is left out");
    assert_eq!(report.queries_scored, 52, "52 CACM queries have relevant documents");
    let bm25 = report.modes[0].metrics.unwrap_or_else(|| panic!("bm25 unavailable: {:?}", report.modes[0].unavailable));
    assert!(
        bm25.ndcg_10 >= CACM_BM25_NDCG_FLOOR,
        "BM25 nDCG@10 on CACM fell to {:.3} (floor {CACM_BM25_NDCG_FLOOR}): a ranking change made keyword search worse",
        bm25.ndcg_10
    );
    assert!(bm25.recall_100 > bm25.recall_10, "deeper lists find more");
}

#[test]
fn vector_modes_without_a_model_say_why_instead_of_scoring_bm25() {
    // Tiny collection: only the n/a path is under test here.
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = tiny_collection(dir.path(), "tiny");
    let report = evaluate_smart(&folder, Err("--no-model given".into()), &EvalOptions::default(), &mut Quiet)
        .unwrap_or_else(|e| panic!("evaluation failed: {e}"));
    let bm25 = report.modes[0].metrics.expect("bm25 runs without a model");
    assert_eq!(bm25.ndcg_10, 1.0, "the only sorting paper comes first");
    for mode in &report.modes[1..] {
        assert!(mode.metrics.is_none(), "{:?} must not be scored", mode.mode);
        assert_eq!(mode.unavailable.as_deref(), Some("--no-model given"));
    }
    let json = serde_json::to_value(&report).expect("serialises");
    assert_eq!(json["modes"][0]["metrics"]["ndcg@10"], 1.0);
    assert_eq!(json["modes"][1]["unavailable"], "--no-model given");
}

/// Writes a two-document SMART collection named `name` into `root` and returns its folder.
fn tiny_collection(root: &std::path::Path, name: &str) -> PathBuf {
    let folder = root.join(name);
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::write(
        folder.join(format!("{name}.all")),
        ".I 1\n.T\nSorting algorithms\n.W\nQuicksort and heapsort.\n.I 2\n.T\nCompilers\n",
    )
    .expect("write");
    std::fs::write(folder.join("query.text"), ".I 1\n.W\nsorting\n").expect("write");
    std::fs::write(folder.join("qrels.text"), "01 1 0 0\n").expect("write");
    folder
}

#[test]
fn a_kept_index_is_reused_by_its_collection_and_never_written_by_another() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kept = dir.path().join("kept");
    let options =
        EvalOptions { modes: vec![SearchMode::Bm25], keep_index: Some(kept.clone()), ..EvalOptions::default() };
    let tiny = tiny_collection(dir.path(), "tiny");
    let first = evaluate_smart(&tiny, Err("not needed".into()), &options, &mut Quiet).expect("first run");
    let again = evaluate_smart(&tiny, Err("not needed".into()), &options, &mut Quiet).expect("reused");
    assert_eq!(first.modes[0].metrics.map(|m| m.ndcg_10), again.modes[0].metrics.map(|m| m.ndcg_10));

    // Another collection given the same folder (or a user's paper index) is refused before
    // anything is written.
    let other = tiny_collection(dir.path(), "other");
    let error = evaluate_smart(&other, Err("not needed".into()), &options, &mut Quiet).expect_err("refused");
    assert!(error.to_string().contains("not this collection's kept index"), "{error}");
    let index = paperdex_index::PaperIndex::open(&kept).expect("still opens");
    assert_eq!(index.len(), 2, "the kept index holds its own two documents only");
    assert!(index.paper("tiny/0000001").is_ok() && index.paper("other/0000001").is_err());
}
