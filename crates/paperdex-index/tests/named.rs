//! A reader pastes a paper's id or link into the search box: that paper comes first in every
//! mode and either order, with a note saying why, when the index holds it and the filters
//! admit it; when they do not, the note says that instead. Its words (digits, a link's host)
//! find nothing or noise.

mod common;

use common::sample_engine as engine;
use paperdex_index::{RankerConfig, SearchFilter, SearchMode, SearchRequest, SortOrder};

#[test]
fn a_pasted_id_or_link_finds_its_paper_first_in_every_mode() {
    let (_dir, engine) = engine();
    for query in [
        "2602.02958",
        " arXiv:2602.02958v2 ",
        "https://huggingface.co/papers/2602.02958",
        "https://arxiv.org/pdf/2602.02958v1.pdf",
        "(2602.02958).",
    ] {
        for (mode, sort) in [SearchMode::Hybrid, SearchMode::Bm25, SearchMode::Vector]
            .into_iter()
            .flat_map(|mode| [(mode, SortOrder::Relevance), (mode, SortOrder::Date)])
        {
            let answer = engine.search(&SearchRequest::new(query).mode(mode).sort(sort).limit(3)).expect("search");
            let case = format!("{query:?}, {}, {sort:?}", mode.as_str());
            assert_eq!(answer.hits.first().map(|h| h.id.as_str()), Some("2602.02958"), "{case}: {:?}", answer.hits);
            assert_eq!(answer.hits.iter().filter(|h| h.id == "2602.02958").count(), 1, "{case}");
            assert!(
                answer.warnings.iter().any(|w| w.contains("names paper 2602.02958")),
                "{case}: {:?}",
                answer.warnings
            );
            // The next page carries on without it.
            let next =
                engine.search(&SearchRequest::new(query).mode(mode).sort(sort).limit(3).offset(3)).expect("search");
            assert!(next.hits.iter().all(|h| h.id != "2602.02958"), "{case}");
        }
    }
    // When the filters leave it out or the index lacks it, the note says so and no other
    // paper stands in for it (`search ID | head -1` printed one); an id among other words is
    // words.
    let since = SearchFilter { since: "2026-12-01".parse().ok(), ..SearchFilter::default() };
    for mode in [SearchMode::Hybrid, SearchMode::Bm25, SearchMode::Vector] {
        let left_out =
            engine.search(&SearchRequest::new("2602.02958").filter(since.clone()).mode(mode)).expect("search");
        assert!(
            left_out.warnings.iter().any(|w| w.contains("names paper 2602.02958, which the filters leave out")),
            "{mode:?}: {:?}",
            left_out.warnings
        );
        let lacking = engine.search(&SearchRequest::new("2301.00001").mode(mode)).expect("search");
        assert!(
            lacking.warnings.iter().any(|w| w.contains("names paper 2301.00001, which the index does not hold")),
            "{mode:?}: {:?}",
            lacking.warnings
        );
        for answer in [&left_out, &lacking] {
            assert_eq!((answer.hits.len(), answer.total), (0, 0), "{mode:?}: {:?}", answer.hits);
        }
    }
    let warnings = |request: SearchRequest| engine.search(&request).expect("search").warnings;
    let words = warnings(SearchRequest::new("2602.02958 quantization"));
    assert!(words.iter().all(|w| !w.contains("names paper")), "{words:?}");
}

/// A pasted id's digits are no paper's words, but the paper it names is a match: hybrid mode
/// told the reader both that no paper holds the query's words (the hits being by meaning alone)
/// and that the query names paper 2602.02958, which it put first.
#[test]
fn a_pasted_id_in_hybrid_mode_is_not_told_that_no_paper_holds_its_words() {
    let (_dir, engine) = engine();
    for query in ["2602.02958", "2602.02958.", "(2602.02958)"] {
        for sort in [SortOrder::Relevance, SortOrder::Date] {
            let answer = engine.search(&SearchRequest::new(query).mode(SearchMode::Hybrid).sort(sort)).expect("search");
            let case = format!("{query:?}, {sort:?}");
            assert_eq!(answer.hits.first().map(|h| h.id.as_str()), Some("2602.02958"), "{case}");
            assert!(answer.warnings.iter().any(|w| w.contains("names paper 2602.02958")), "{case}");
            assert!(
                answer.warnings.iter().all(|w| !w.starts_with("no paper holds the query's words")
                    && !w.contains("keyword search indexes no word")),
                "{case}: {:?}",
                answer.warnings
            );
        }
    }
    // Its words matching nothing, the answer by date (keyword matches alone) is that paper,
    // as in bm25 mode.
    for mode in [SearchMode::Hybrid, SearchMode::Bm25] {
        let answer = engine.search(&SearchRequest::new("2602.02958").mode(mode).sort(SortOrder::Date)).expect("search");
        assert_eq!((answer.total, answer.hits.len()), (1, 1), "{mode:?}");
    }
}

#[test]
fn a_pasted_id_counts_once_in_a_total_that_already_holds_it() {
    // A first depth of one paper: the named paper's own vector rank lies deeper.
    let (_dir, engine) = engine();
    let engine = engine.with_ranker(RankerConfig { candidates: 1, ..RankerConfig::default() });
    let papers = engine.index().len() as usize;
    for mode in [SearchMode::Vector, SearchMode::Hybrid] {
        for offset in [0, 1, 30] {
            let answer =
                engine.search(&SearchRequest::new("2602.02958").mode(mode).limit(1).offset(offset)).expect("search");
            assert_eq!(
                answer.total, papers,
                "{mode:?}, offset {offset}: every paper is ranked by the vectors, this one too"
            );
        }
    }
    // By keywords, a link's words (`arxiv`, `abs`) match its paper deeper than the first page's
    // depth: it is counted among the matches already, on the first page as on later ones.
    for sort in [SortOrder::Relevance, SortOrder::Date] {
        let totals: Vec<usize> = [0, 30]
            .into_iter()
            .map(|offset| {
                let link = "https://arxiv.org/abs/2601.18207";
                let request = SearchRequest::new(link).mode(SearchMode::Bm25).sort(sort).limit(1).offset(offset);
                engine.search(&request).expect("search").total
            })
            .collect();
        assert_eq!(totals[0], totals[1], "{sort:?}: {totals:?}");
    }
}
