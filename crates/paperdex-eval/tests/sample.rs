//! The TREC path end to end: ingest the bundled sample, score the hand-judged queries of
//! `tests/eval/` with BM25, and check what the report says about them.

use std::path::PathBuf;

use paperdex_eval::{EvalOptions, evaluate_trec};
use paperdex_index::{PaperIndex, Quiet, SearchEngine, SearchMode};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

#[test]
fn the_sample_query_set_scores_bm25_over_the_sample_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PaperIndex::open_or_create(dir.path()).expect("index");
    index.ingest(&[repo("tests/fixtures/sample")], None, &mut Quiet).expect("ingest");
    let engine = SearchEngine::new(index, Err("not needed for BM25".into()));
    let options = EvalOptions { modes: vec![SearchMode::Bm25, SearchMode::Hybrid], ..EvalOptions::default() };
    let report = evaluate_trec(
        &engine,
        &repo("tests/eval/sample-queries.jsonl"),
        &repo("tests/eval/sample-qrels.txt"),
        &options,
    )
    .unwrap_or_else(|e| panic!("evaluation failed: {e}"));
    println!("{}", report.to_table());

    assert_eq!(report.queries, 10);
    assert_eq!(report.queries_scored, 9, "s10 has no relevant paper and is left out");
    assert_eq!(report.notes.first().map(String::as_str), Some("graded relevance"));
    let bm25 = &report.modes[0];
    let kv = bm25.per_query.iter().find(|q| q.id == "s1").expect("s1 scored");
    assert_eq!(kv.metrics.mrr_10, 1.0, "Quant VideoGen comes first for `KV cache quantization`");
    let mean = bm25.metrics.expect("bm25 scored");
    assert!(mean.ndcg_10 >= 0.5, "BM25 nDCG@10 on the sample fell to {:.3}", mean.ndcg_10);
    assert_eq!(report.modes[1].metrics, None, "hybrid without a model is n/a, not BM25 in disguise");
}
