//! What an answer tells the reader about a query it could not search as asked: the warning
//! says why, and what the reader gets instead.

mod common;

use common::sample_engine as engine;
use paperdex_index::{SearchMode, SearchRequest, SortOrder};

/// A query of stop words alone (`the of and`) is matched by no keyword: the answer says so,
/// and says what the reader gets instead, which in a date order (keyword matches only) is
/// nothing, not "hits by meaning".
#[test]
fn a_query_of_stop_words_is_told_what_it_gets_in_every_order() {
    let (_dir, engine) = engine();
    for (mode, sort, outcome) in [
        (SearchMode::Bm25, SortOrder::Relevance, "no hits"),
        (SearchMode::Hybrid, SortOrder::Relevance, "the hits are by meaning alone"),
        (SearchMode::Hybrid, SortOrder::Date, "no hits"),
    ] {
        let answer = engine.search(&SearchRequest::new("the of and").mode(mode).sort(sort)).expect("search");
        let warning = answer.warnings.iter().find(|w| w.contains("keyword search indexes no word"));
        assert!(warning.is_some_and(|w| w.ends_with(outcome)), "{mode:?} {sort:?}: {:?}", answer.warnings);
        assert_eq!(answer.hits.is_empty(), outcome == "no hits", "{mode:?} {sort:?}: {:?}", answer.hits);
    }
}

/// A query whose words no paper holds still gets the nearest papers in hybrid mode, but the
/// answer says that they are by meaning alone: a reader asking what is new on a topic must
/// tell "nothing matched" from "these matched". A query with keyword matches is not told so.
#[test]
fn hits_by_meaning_alone_are_marked_when_no_paper_holds_the_query_words() {
    let (_dir, engine) = engine();
    let marked = |query: &str| {
        let answer = engine.search(&SearchRequest::new(query).mode(SearchMode::Hybrid)).expect("search");
        assert!(!answer.hits.is_empty(), "{query}: the nearest papers are listed");
        answer.warnings.iter().any(|w| w.starts_with("no paper holds the query's words"))
    };
    assert!(marked("photosynthesis chlorophyll"), "no paper of the sample is about plants");
    assert!(!marked("KV cache quantization"));
}

/// Restricted to a section, or ordered by date, hybrid lists only the papers the words match: a
/// query no paper holds gets an empty answer, which says so and where the nearest papers are
/// (an agent read "No papers found" where vector mode had papers within the same filters).
#[test]
fn an_empty_hybrid_answer_of_keyword_matches_only_says_where_to_look_by_meaning() {
    let (_dir, engine) = engine();
    let section =
        paperdex_index::SearchFilter { section: Some(paperdex_core::SectionGroup::Experiments), ..Default::default() };
    for (request, restricted) in [
        (SearchRequest::new("photosynthesis chlorophyll").sort(SortOrder::Date), "ordered by date"),
        (SearchRequest::new("photosynthesis chlorophyll").filter(section.clone()), "restricted to a section"),
    ] {
        let answer = engine.search(&request.mode(SearchMode::Hybrid)).expect("search");
        assert!(answer.hits.is_empty(), "{restricted}: {:?}", answer.hits);
        let said = answer.warnings.iter().find(|w| w.starts_with("no paper holds the query's words"));
        assert!(said.is_some_and(|w| w.contains(restricted) && w.contains("vector mode")), "{:?}", answer.warnings);
        let by_meaning = SearchRequest::new("photosynthesis chlorophyll").mode(SearchMode::Vector);
        let by_meaning = match restricted {
            "ordered by date" => by_meaning.sort(SortOrder::Date),
            _ => by_meaning.filter(section.clone()),
        };
        assert!(!engine.search(&by_meaning).expect("search").hits.is_empty(), "{restricted}: vector mode has papers");
    }
    // Papers the words match are listed as before, without the note.
    let matched = engine.search(&SearchRequest::new("KV cache").mode(SearchMode::Hybrid).sort(SortOrder::Date));
    let matched = matched.expect("search");
    assert!(!matched.hits.is_empty());
    assert!(!matched.warnings.iter().any(|w| w.starts_with("no paper holds")), "{:?}", matched.warnings);
}

/// A long query of stop words is named in the warning as any client input is quoted back: each
/// word once, cut to `MAX_ECHO_CHARS` characters, not repeated whole (1,000 characters of `a`
/// came back in full, over HTTP and MCP too).
#[test]
fn a_long_query_of_stop_words_is_named_once_and_cut() {
    let (_dir, engine) = engine();
    let repeated = "the of and ".repeat(90);
    // One word longer than any the index keeps.
    let long = "a".repeat(1000);
    for query in [repeated.as_str(), long.as_str()] {
        let answer = engine.search(&SearchRequest::new(query).mode(SearchMode::Bm25)).expect("search");
        let warning = answer.warnings.iter().find(|w| w.contains("keyword search indexes no word")).expect("warned");
        let named = warning.split_once(": ").map(|(_, rest)| rest).unwrap_or_default();
        assert!(
            named.chars().count() <= paperdex_index::limits::MAX_ECHO_CHARS + "…; no hits".chars().count(),
            "{warning}"
        );
    }
    let answer = engine.search(&SearchRequest::new(repeated.as_str()).mode(SearchMode::Bm25)).expect("search");
    assert!(answer.warnings.iter().any(|w| w.contains(": the, of, and; no hits")), "{:?}", answer.warnings);
}

/// A query with nothing to search for is answered in the mode the engine can search in, as any
/// other query: without the model that is bm25, and the answer says why.
#[test]
fn a_query_without_letters_is_answered_in_the_mode_the_engine_has() {
    let (dir, _engine) = engine();
    let index = paperdex_index::PaperIndex::open(dir.path()).expect("open");
    let keyword_only = paperdex_index::SearchEngine::new(index, Err("--no-model given".into()));
    let answer = keyword_only.search(&SearchRequest::new("😀").mode(SearchMode::Hybrid)).expect("search");
    assert_eq!(answer.mode, SearchMode::Bm25);
    assert!(answer.hits.is_empty());
    assert!(answer.warnings.iter().any(|w| w.contains("no letter or digit")), "{:?}", answer.warnings);
    assert!(answer.warnings.iter().any(|w| w.contains("--no-model given")), "{:?}", answer.warnings);
}

/// A date past the newest paper's shuts every paper out: the answer says that, with the days
/// the papers were first seen, in every mode and order and for a listing alike, and nothing
/// that blames the query (`no paper holds the query's words`, with vector mode as the fix,
/// which found nothing either). Filters that admit papers the query does not match say nothing
/// of the kind.
#[test]
fn filters_that_admit_no_paper_are_named_as_the_reason_for_an_empty_answer() {
    let (_dir, engine) = engine();
    let after = paperdex_index::SearchFilter { since: "2026-11-23".parse().ok(), ..Default::default() };
    let said = "no paper passes the filters: none was first seen from 2026-11-23 on; the index's papers were first \
                seen from 2026-02-05 to 2026-02-05";
    for mode in [SearchMode::Hybrid, SearchMode::Bm25, SearchMode::Vector] {
        for sort in [SortOrder::Relevance, SortOrder::Date] {
            let request = SearchRequest::new("agent memory").mode(mode).sort(sort).filter(after.clone());
            let answer = engine.search(&request).expect("search");
            assert!(answer.hits.is_empty());
            assert_eq!(answer.warnings, [said], "{mode:?} {sort:?}");
        }
    }
    let listing = engine.index().newest(&after, 0, 10).expect("newest");
    assert_eq!(listing.total, 0);
    assert_eq!(listing.warnings, [said]);
    // Papers pass, none matches: the query is what found nothing.
    let day = paperdex_index::SearchFilter { since: "2026-02-05".parse().ok(), ..Default::default() };
    let answer = engine.search(&SearchRequest::new("zzqqxxkk").mode(SearchMode::Bm25).filter(day)).expect("search");
    assert!(answer.warnings.iter().all(|w| !w.starts_with(paperdex_index::NO_PAPER_PASSES)), "{:?}", answer.warnings);
}
