//! Pruned BM25 retrieval against exact scoring on the real corpus: every query of the development set
//! gets the same top 10 (ids, order and scores) whether every match is scored or only
//! the candidates the pruned stage finds are rescored.

use paperdex_index::{PaperIndex, Pruning, Quiet, SearchRequest};

use crate::support::{corpus, repo};

/// The development set's queries, in file order.
fn dev_queries() -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("tests/eval/dev-queries.jsonl")).expect("dev queries");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let query: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            query["query"].as_str().expect("a query").to_string()
        })
        .collect()
}

#[test]
fn pruned_retrieval_gives_the_exact_top_10_on_every_development_query() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folders: Vec<_> = ["reports", "hf-daily-api", "hf-daily-api-repaired", "zh-glm", "paper-md"]
        .iter()
        .map(|f| corpus().join(f))
        .collect();
    let report =
        PaperIndex::open_or_create(dir.path()).expect("index").ingest(&folders, None, &mut Quiet).expect("ingest");
    assert_eq!(report.papers_total, 11337);
    let exact = PaperIndex::open(dir.path()).expect("open").with_pruning(Pruning::EXACT);
    let pruned = PaperIndex::open(dir.path()).expect("open").with_pruning(Pruning::ALWAYS);
    let queries = dev_queries();
    assert!(queries.len() >= 40, "{} development queries", queries.len());
    let mut differ = Vec::new();
    // Without translation (what the engine does by default) and with it (`--translation 0.5`).
    for translation in [0.0, 0.5] {
        for query in &queries {
            let request = SearchRequest::new(query.as_str()).limit(10);
            let want = exact
                .search_bm25_translated(
                    &request,
                    translation,
                    paperdex_index::RankerConfig::default().candidates,
                    &paperdex_index::Cancel::new(),
                )
                .expect("exact");
            let got = pruned
                .search_bm25_translated(
                    &request,
                    translation,
                    paperdex_index::RankerConfig::default().candidates,
                    &paperdex_index::Cancel::new(),
                )
                .expect("pruned");
            assert!(!want.total_is_estimate && got.total_is_estimate, "{query}: each path as asked");
            let ranked = |r: &paperdex_index::SearchResults| -> Vec<(String, f32)> {
                r.hits.iter().map(|h| (h.id.clone(), h.score)).collect()
            };
            let (want, got) = (ranked(&want), ranked(&got));
            let same = want.len() == got.len()
                && want.iter().zip(&got).all(|(w, g)| w.0 == g.0 && (w.1 - g.1).abs() <= 1e-4 * w.1.abs().max(1.0));
            if !same {
                differ.push(format!("{query} (translation {translation}):\n  exact  {want:?}\n  pruned {got:?}"));
            }
        }
    }
    assert!(differ.is_empty(), "pruning changed {} top 10s:\n{}", differ.len(), differ.join("\n"));
}
