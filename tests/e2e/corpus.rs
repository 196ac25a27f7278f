//! The whole shared corpus: every format, every messy record.

use std::path::Path;

use crate::support::{
    Run, corpus, dev_set_args, hit_ids, ndcg_by_mode, paperdex, paperdex_hashed, run_output, search_json,
};

fn corpus_folders() -> Vec<String> {
    ["reports", "hf-daily-api", "hf-daily-api-repaired", "zh-glm", "paper-md"]
        .iter()
        .map(|f| corpus().join(f).to_str().expect("path").to_string())
        .collect()
}

#[test]
fn the_whole_corpus_gives_11337_papers_names_every_bad_file_and_reingests_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = vec!["ingest".to_string()];
    args.extend(corpus_folders());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // With the test embedder's vectors (instant), so hybrid answers too, below.
    let run = hashed(dir.path(), &args);
    assert_eq!(run.code, 3, "the corpus has malformed files on purpose");
    assert!(run.stdout.contains("11337 new, 0 updated, 0 unchanged; 11337 in the index"), "{}", run.stdout);
    let rejected: Vec<&str> =
        run.stderr.lines().filter(|l| l.starts_with("rejected ") && l.contains("hf-daily-api/")).collect();
    // 65 weekend placeholders holding a number and one wrapped answer of Python-repr strings;
    // the two wrapped answers saying there were no papers that day are empty days.
    assert_eq!(
        rejected.iter().filter(|l| l.contains("found a number") || l.contains("found an object")).count(),
        66,
        "{rejected:#?}"
    );
    assert_eq!(rejected.iter().filter(|l| l.contains("list holds Python-repr")).count(), 21, "{rejected:#?}");

    let again = paperdex(dir.path(), &args);
    assert!(again.stdout.contains("0 new, 0 updated, 11337 unchanged; 11337 in the index"), "{}", again.stdout);

    // Chinese queries find papers whose Chinese text is about them: searched by their own words
    // (translation off; by default English-only papers on the topic join the list), the top 5
    // (the top 1 for `KV cache 量化`, which few Chinese summaries discuss) contain every query word.
    for (query, must_contain, top) in [
        ("强化学习 奖励模型", ["强化学习", "奖励"], 5),
        ("KV cache 量化", ["KV", "量化"], 1),
        ("扩散模型", ["扩散", "模型"], 5),
    ] {
        let answer = search_json(dir.path(), query, &["--mode", "bm25", "--limit", "5", "--translation", "0"]);
        let ids = hit_ids(&answer);
        assert_eq!(ids.len(), 5, "{query}");
        for id in ids.into_iter().take(top) {
            let shown = paperdex(dir.path(), &["show", &id]).stdout;
            for word in must_contain {
                assert!(
                    shown.contains(word) || shown.to_lowercase().contains(&word.to_lowercase()),
                    "{query}: {id} lacks {word}"
                );
            }
        }
    }

    // Keywords alone on the judged development queries: 0.703 for the 40 when the set was made,
    // 0.720 with the judgments and the translated keyword list of session 5, 0.672 for the 50
    // of session 6 (ten more Chinese questions, the hardest kind); a change to analysis or
    // query building that loses relevance fails here.
    let mut args = dev_set_args();
    args.extend(["--modes".into(), "bm25".into()]);
    let run = paperdex(dir.path(), &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ndcg = ndcg_by_mode(&run.stdout)["bm25"];
    assert!(ndcg >= 0.66, "BM25 nDCG@10 on the development set fell to {ndcg:.3}");

    pages_walk_one_ranking(dir.path());
}

/// `paperdex <args>` over the index with the test embedder (its vectors).
fn hashed(index: &Path, args: &[&str]) -> Run {
    run_output(paperdex_hashed(index).env_remove("PAPERDEX_PAPERS_PER_GENERATION").args(args))
}

/// A reader paging through an answer ten at a time sees what one long page shows: no paper
/// twice, none skipped, the same total on every page; sorted by date, newest first from the
/// first hit to the last. Common queries are where it broke: pruning ranks a deeper keyword
/// list otherwise at its top, so pages past the first 100 repeated papers of the pages
/// before (hybrid `奖励模型`); and a quoted phrase's date order restarted after the first 100.
fn pages_walk_one_ranking(index: &Path) {
    let answer = |query: &str, mode: &str, offset: usize, limit: usize, sort: &str| -> serde_json::Value {
        let (offset, limit) = (offset.to_string(), limit.to_string());
        let args = ["search", "--json", "--mode", mode, "--sort", sort, "--offset", &offset, "-n", &limit, "--", query];
        let run = hashed(index, &args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        serde_json::from_str(&run.stdout).expect("JSON")
    };
    for query in ["奖励模型", "language model"] {
        let whole = answer(query, "hybrid", 0, 150, "relevance");
        let (mut paged, mut totals) = (Vec::new(), std::collections::BTreeSet::new());
        for offset in (0..150).step_by(10) {
            let page = answer(query, "hybrid", offset, 10, "relevance");
            paged.extend(hit_ids(&page));
            totals.insert(page["total"].to_string());
        }
        assert_eq!(paged, hit_ids(&whole), "{query}");
        assert_eq!(totals.into_iter().collect::<Vec<_>>(), [whole["total"].to_string()], "{query}");
    }
    for mode in ["bm25", "hybrid"] {
        let pages =
            [answer("\"reward model\"", mode, 0, 200, "date"), answer("\"reward model\"", mode, 200, 200, "date")];
        let days: Vec<String> = pages
            .iter()
            .flat_map(|page| page["hits"].as_array().expect("hits").iter())
            .map(|hit| hit["first_seen"].as_str().unwrap_or_default().to_string())
            .collect();
        assert!(days.len() > 200, "{mode}: {} papers say \"reward model\"", days.len());
        assert!(days.windows(2).all(|w| w[0] >= w[1]), "{mode}: not newest first: {days:?}");
    }
}
