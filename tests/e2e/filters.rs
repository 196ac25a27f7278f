//! A reader narrows a search: "what came out on this since Tuesday", "only Chinese
//! summaries", "only the experiments sections", "newest first", from the terminal and over
//! HTTP, and lists what is new since a day with `paperdex new`.
//!
//! The index holds the sample (the 2026-02-05 report and HF list) and `tests/fixtures/days/`:
//! three days of the HF daily papers API cut from the corpus (2024-05-27, -28 and -30, twelve
//! papers each; the first paper of the 27th is listed again on the 28th, so it is first seen on
//! the 27th and last seen on the 28th).

use std::path::Path;

use paperdex_index::{PaperIndex, SearchFilter};

use crate::support::{Server, hit_ids, http_get, paperdex_hashed, repo, run_output, sample};

/// The paper listed on two days.
const LISTED_TWICE: &str = "2405.15738";

fn days() -> std::path::PathBuf {
    repo().join("tests/fixtures/days")
}

/// An index of the sample and the three days, with test vectors.
fn index() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_output(paperdex_hashed(dir.path()).arg("ingest").arg(sample()).arg(days()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir
}

/// `paperdex <args> --json` on `index`, parsed.
fn json(index: &Path, args: &[&str]) -> serde_json::Value {
    let run = run_output(paperdex_hashed(index).args(args).arg("--json"));
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", run.stdout))
}

/// Whether `days` (a date-sorted answer's, from its first hit) go newest first within each
/// band a date order sorts apart: the best 10, the next 10, the next 30, the rest of 100.
fn newest_first_in_bands(days: &[String]) -> bool {
    let bands = [0, 10, 20, 50, 100, usize::MAX];
    bands.windows(2).all(|band| {
        let band = &days[band[0].min(days.len())..band[1].min(days.len())];
        band.windows(2).all(|w| w[0] >= w[1])
    })
}

fn first_seen(hits: &serde_json::Value) -> Vec<String> {
    hits["hits"].as_array().expect("hits").iter().map(|h| h["first_seen"].as_str().unwrap_or("").to_string()).collect()
}

/// Every paper of the index the filter admits, by the filter's own definition
/// ([`SearchFilter::admits`], read from the stored papers rather than the index's fields).
fn admitted(index: &Path, filter: &SearchFilter) -> Vec<String> {
    let index = PaperIndex::open(index).expect("open");
    let mut ids: Vec<String> =
        index.papers().expect("papers").iter().filter(|p| filter.admits(p)).map(|p| p.id.to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn a_date_range_returns_only_papers_first_seen_in_it_and_still_a_full_page_in_every_mode() {
    let dir = index();
    // Twelve papers were first seen on the 28th and eleven of them say "model": a filter
    // applied after a top-10 of the whole index would leave two or three.
    for mode in ["bm25", "vector", "hybrid"] {
        let answer = json(
            dir.path(),
            &["search", "model", "--mode", mode, "--since", "2024-05-28", "--until", "2024-05-28", "-n", "10"],
        );
        assert_eq!(answer["hits"].as_array().expect("hits").len(), 10, "{mode}: {answer}");
        assert!(first_seen(&answer).iter().all(|d| d == "2024-05-28"), "{mode}: {:?}", first_seen(&answer));
        // Listed on the 28th too, but first seen on the 27th: not new that day.
        assert!(!hit_ids(&answer).contains(&LISTED_TWICE.to_string()), "{mode}");
    }
}

#[test]
fn each_filter_keeps_exactly_the_papers_it_describes_and_filters_combine() {
    let dir = index();
    let cases: [(&[&str], SearchFilter); 5] = [
        (&["--lang", "zh"], SearchFilter { lang: Some(paperdex_core::Lang::Zh), ..Default::default() }),
        (&["--source", "report"], SearchFilter { source: "report".parse().ok(), ..Default::default() }),
        (&["--until", "2024-05-27"], SearchFilter { until: "2024-05-27".parse().ok(), ..Default::default() }),
        (
            &["--source", "hf", "--lang", "en", "--since", "2024-05-28"],
            SearchFilter {
                source: "hf".parse().ok(),
                lang: Some(paperdex_core::Lang::En),
                since: "2024-05-28".parse().ok(),
                ..Default::default()
            },
        ),
        (&["--section", "experiments"], SearchFilter { section: "experiments".parse().ok(), ..Default::default() }),
    ];
    // The experiments sections of the sample are Chinese: a query in both languages finds
    // words in them and in the English abstracts alike.
    let query = "language model 模型";
    for (flags, filter) in cases {
        let expected = admitted(dir.path(), &filter);
        assert!(!expected.is_empty(), "{flags:?} admits nothing: a useless case");
        // Listing every admitted paper: the index's filter selects what the definition does.
        let mut args = vec!["new", "-n", "200"];
        args.extend_from_slice(flags);
        let listed = json(dir.path(), &args);
        let mut ids = hit_ids(&listed);
        ids.sort();
        assert_eq!(ids, expected, "{flags:?}");
        assert_eq!(listed["total"], expected.len(), "{flags:?}");
        // A search with the filter in every mode stays inside it.
        for mode in ["bm25", "vector", "hybrid"] {
            let mut args = vec!["search", query, "--mode", mode, "-n", "50"];
            args.extend_from_slice(flags);
            let hits = hit_ids(&json(dir.path(), &args));
            assert!(!hits.is_empty(), "{flags:?} {mode}: no hits");
            assert!(hits.iter().all(|id| expected.contains(id)), "{flags:?} {mode}: {hits:?} not in {expected:?}");
        }
    }
}

#[test]
fn sorted_by_date_the_newest_come_first_and_new_lists_what_came_since_a_day() {
    let dir = index();
    for mode in ["bm25", "vector", "hybrid"] {
        let answer = json(dir.path(), &["search", "language model", "--mode", mode, "--sort", "date", "-n", "40"]);
        let days = first_seen(&answer);
        assert!(newest_first_in_bands(&days), "{mode}: not newest first: {days:?}");
        assert!(days.first().is_some_and(|d| d == "2026-02-05"), "{mode}: {days:?}");
        // The first page is the ten best matches, newest first: not the newest of the weaker.
        let best = json(dir.path(), &["search", "language model", "--mode", mode, "-n", "10"]);
        let mut by_date = hit_ids(&answer)[..10].to_vec();
        let mut by_relevance = hit_ids(&best);
        by_date.sort();
        by_relevance.sort();
        assert_eq!(by_date, by_relevance, "{mode}");
        assert!(days.iter().any(|d| d.starts_with("2024")), "{mode}: only one day? {days:?}");
        // The answer pages through the papers it ordered, no further.
        assert!(
            answer["total"].as_u64().is_some_and(|t| t as usize >= days.len() && t <= 100),
            "{mode}: {}",
            answer["total"]
        );
    }
    // Everything since the 28th: the 28th's twelve, the 30th's twelve and the sample's 35.
    let new = json(dir.path(), &["new", "--since", "2024-05-28", "-n", "100"]);
    assert_eq!(new["total"], 59, "{new}");
    let days = first_seen(&new);
    assert!(days.windows(2).all(|w| w[0] >= w[1]) && days.iter().all(|d| d.as_str() >= "2024-05-28"), "{days:?}");
    // Only those on a topic, the best ten newest first, and so on, still since the day.
    let on_topic = json(dir.path(), &["new", "--since", "2024-05-28", "diffusion", "--mode", "bm25", "-n", "50"]);
    let days = first_seen(&on_topic);
    assert!(!days.is_empty() && newest_first_in_bands(&days), "{days:?}");
    assert!(days.iter().all(|d| d.as_str() >= "2024-05-28"), "{days:?}");
    // In hybrid, the default, the topic is what the words match too: the vectors order those
    // papers and add none (every paper is some query's nearest), so a word no paper holds
    // lists nothing.
    let keyword_ids = hit_ids(&on_topic);
    let hybrid = json(dir.path(), &["new", "--since", "2024-05-28", "diffusion", "-n", "50"]);
    let hybrid_ids = hit_ids(&hybrid);
    assert!(!hybrid_ids.is_empty() && hybrid_ids.iter().all(|id| keyword_ids.contains(id)), "{hybrid_ids:?}");
    assert_eq!(hybrid["total"], hybrid_ids.len(), "{hybrid}");
    let nothing = json(dir.path(), &["new", "--since", "2024-05-28", "glacier", "-n", "50"]);
    assert_eq!((nothing["total"].as_u64(), hit_ids(&nothing).len()), (Some(0), 0), "{nothing}");
    // The text listing names the day each paper was listed.
    let text = run_output(paperdex_hashed(dir.path()).args(["new", "--since", "2024-05-30", "-n", "3"]));
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("listed 2026-02-05") || text.stdout.contains("2026-02-05"), "{}", text.stdout);
}

#[test]
fn new_lists_a_days_most_upvoted_papers_first_and_pages_never_overlap() {
    let dir = index();
    let index = PaperIndex::open(dir.path()).expect("open");
    let upvotes: std::collections::HashMap<String, u32> = index
        .papers()
        .expect("papers")
        .iter()
        .map(|paper| (paper.id.to_string(), paper.upvotes().unwrap_or(0)))
        .collect();
    drop(index);
    let listed = json(dir.path(), &["new", "-n", "100"]);
    let order: Vec<(String, u32, String)> = listed["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| {
            let id = hit["id"].as_str().expect("id").to_string();
            (hit["first_seen"].as_str().unwrap_or("").to_string(), upvotes[&id], id)
        })
        .collect();
    assert_eq!(order.len(), upvotes.len());
    // Newest day first; within a day, most upvoted first.
    let key = |(day, votes, _): &(String, u32, String)| (std::cmp::Reverse(day.clone()), std::cmp::Reverse(*votes));
    assert!(order.windows(2).all(|w| key(&w[0]) <= key(&w[1])), "{order:?}");
    // The sample's day has papers with different upvotes, so the order says something.
    let sample_day: std::collections::BTreeSet<u32> =
        order.iter().filter(|(day, _, _)| day == "2026-02-05").map(|(_, votes, _)| *votes).collect();
    assert!(sample_day.len() >= 5, "{sample_day:?}");
    // Pages of 7 walk the same list.
    let mut paged = Vec::new();
    for offset in (0..order.len()).step_by(7) {
        let page = json(dir.path(), &["new", "-n", "7", "--offset", &offset.to_string()]);
        paged.extend(hit_ids(&page));
    }
    assert_eq!(paged, order.iter().map(|(_, _, id)| id.clone()).collect::<Vec<_>>());
}

#[test]
fn show_gives_the_first_and_last_day_a_paper_was_listed_and_its_upvotes() {
    let dir = index();
    let shown = json(dir.path(), &["show", LISTED_TWICE]);
    assert_eq!((shown["first_seen"].as_str(), shown["last_seen"].as_str()), (Some("2024-05-27"), Some("2024-05-28")));
    assert!(shown["upvotes"].as_u64().is_some(), "{shown}");
    let text = run_output(paperdex_hashed(dir.path()).args(["show", LISTED_TWICE]));
    assert!(text.stdout.contains("first seen 2024-05-27, last seen 2024-05-28"), "{}", text.stdout);
}

#[test]
fn a_section_search_finds_the_word_in_that_section_and_labels_each_hit_with_it() {
    let dir = index();
    for mode in ["bm25", "hybrid"] {
        let answer = json(dir.path(), &["search", "MMLU", "--section", "experiments", "--mode", mode]);
        let hits = answer["hits"].as_array().expect("hits");
        assert!(hits.len() >= 2, "{mode}: {answer}");
        let index = PaperIndex::open(dir.path()).expect("open");
        for hit in hits {
            assert_eq!(hit["section"], "experiments", "{mode}: {hit}");
            assert!(hit["snippet"].as_str().is_some_and(|s| s.contains("MMLU")), "{mode}: {hit}");
            let paper = index.paper(hit["id"].as_str().expect("id")).expect("paper");
            let experiments = paper.sections().into_iter().filter(|s| s.kind == paperdex_core::SectionKind::Results);
            assert!(experiments.into_iter().any(|s| s.text.contains("MMLU")), "{mode}: {}", paper.id);
        }
    }
    // A title search: every hit has the word in a title, is labelled so, and shows a snippet.
    let answer = json(dir.path(), &["search", "diffusion", "--section", "title", "--mode", "bm25"]);
    let hits = answer["hits"].as_array().expect("hits");
    assert!(!hits.is_empty(), "{answer}");
    for hit in hits {
        assert_eq!(hit["section"], "title", "{hit}");
        assert!(hit["title"].as_str().is_some_and(|t| t.to_lowercase().contains("diffusion")), "{hit}");
        assert!(hit["snippet"].as_str().is_some_and(|s| !s.is_empty()), "{hit}");
    }
    // Without the restriction the label still says where the match was.
    let answer = json(dir.path(), &["search", "KV cache quantization", "--mode", "bm25", "-n", "3"]);
    assert!(answer["hits"][0]["section"].is_string(), "{answer}");
    let text = run_output(paperdex_hashed(dir.path()).args(["search", "MMLU", "--section", "experiments"]));
    assert!(text.stdout.contains("实验效果 experiments"), "{}", text.stdout);
}

#[test]
fn a_bad_date_or_an_unknown_source_is_refused_naming_the_value() {
    let dir = index();
    for (flags, named) in [
        (&["--since", "2024-02-30"][..], "\"2024-02-30\""),
        (&["--until", "March"][..], "\"March\""),
        (&["--source", "arxiv"][..], "arxiv"),
        (&["--section", "results-ish"][..], "results-ish"),
        (&["--lang", "fr"][..], "fr"),
        (&["--since", "2024-06-01", "--until", "2024-05-01"][..], "2024-06-01 is after until"),
    ] {
        let mut args = vec!["search", "model"];
        args.extend_from_slice(flags);
        let run = run_output(paperdex_hashed(dir.path()).args(&args));
        assert_eq!(run.code, 2, "{flags:?}: {}", run.stderr);
        assert!(run.stderr.contains(named), "{flags:?}: {}", run.stderr);
    }
}

#[test]
fn over_http_the_same_filters_and_sorts_apply_and_bad_values_are_400s_naming_them() {
    let dir = index();
    let server = Server::start_with(paperdex_hashed(dir.path()));
    let get = |path: &str| -> (u16, serde_json::Value) {
        let (status, body) = http_get(server.addr(), path).unwrap_or_else(|e| panic!("GET {path}: {e}"));
        (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}")))
    };
    for mode in ["bm25", "vector", "hybrid"] {
        let (status, answer) =
            get(&format!("/api/search?q=model&mode={mode}&since=2024-05-28&until=2024-05-28&limit=10"));
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["hits"].as_array().expect("hits").len(), 10, "{mode}: {answer}");
        assert!(first_seen(&answer).iter().all(|d| d == "2024-05-28"), "{mode}: {answer}");
        let (_, sorted) = get(&format!("/api/search?q=language+model&mode={mode}&sort=date&limit=40"));
        let days = first_seen(&sorted);
        assert!(days.len() > 10 && newest_first_in_bands(&days), "{mode}: {days:?}");
    }
    let (_, combined) = get("/api/search?q=language+model&mode=hybrid&source=hf&lang=en&since=2024-05-28&limit=50");
    let expected = admitted(
        dir.path(),
        &SearchFilter {
            source: "hf".parse().ok(),
            lang: Some(paperdex_core::Lang::En),
            since: "2024-05-28".parse().ok(),
            ..Default::default()
        },
    );
    let ids = hit_ids(&combined);
    assert!(!ids.is_empty() && ids.iter().all(|id| expected.contains(id)), "{ids:?}");
    let (_, section) = get("/api/search?q=MMLU&section=experiments&mode=bm25");
    assert_eq!(section["hits"][0]["section"], "experiments", "{section}");
    assert_eq!(section["hits"][0]["section_label"], "实验效果 experiments", "{section}");
    for (query, named) in [
        ("since=2024-13-01", "since"),
        ("until=yesterday", "until"),
        ("source=arxiv", "source"),
        ("lang=fr", "lang"),
        ("section=nope", "section"),
        ("sort=popular", "sort"),
    ] {
        let (status, error) = get(&format!("/api/search?q=model&{query}"));
        assert_eq!(status, 400, "{query}: {error}");
        assert_eq!(error["error"]["code"], "invalid_parameter", "{query}: {error}");
        let message = error["error"]["message"].as_str().expect("message");
        let value = query.split('=').nth(1).expect("value");
        assert!(message.starts_with(named) && message.contains(value), "{query}: {message}");
    }
}

#[test]
fn a_search_narrowed_to_chinese_shows_the_chinese_text_that_matched() {
    let dir = index();
    // The papers here with a Chinese summary have an English abstract too, which names the
    // query's translation (reward model) more often than the summary names 奖励模型.
    for mode in ["bm25", "hybrid"] {
        let answer = json(dir.path(), &["search", "奖励模型", "--lang", "zh", "--mode", mode, "-n", "50"]);
        let hits = answer["hits"].as_array().expect("hits");
        assert!(hits.len() >= 10, "{mode}: {answer}");
        let english: Vec<&str> = hits
            .iter()
            .filter(|h| !h["snippet"].as_str().unwrap_or("").chars().any(paperdex_core::is_han))
            .map(|h| h["id"].as_str().unwrap_or(""))
            .collect();
        assert!(english.is_empty(), "{mode}: English snippets for {english:?}");
    }
}
