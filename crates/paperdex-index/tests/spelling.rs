//! A reader mistypes a word: `video generaton` finds what `video generation` finds, in every
//! mode, and the answer says what was searched instead. Words the papers hold (in an author
//! list too), long queries, short words, words in capitals and pasted links are searched as
//! typed.

mod common;

use common::sample_engine as engine;
use paperdex_index::{SearchEngine, SearchMode, SearchRequest};

fn ids(engine: &SearchEngine, query: &str, mode: SearchMode) -> Vec<String> {
    let answer = engine.search(&SearchRequest::new(query).mode(mode)).expect("search");
    answer.hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn a_misspelled_word_is_searched_as_the_papers_spell_it_and_the_answer_says_so() {
    let (_dir, engine) = engine();
    for (typed, meant, note) in [
        (
            "diffusion video generaton",
            "diffusion video generation",
            "no paper contains \"generaton\": searched for \"generation\" instead",
        ),
        // After four words spelled right.
        (
            "reinforcement learning video diffusion generaton",
            "reinforcement learning video diffusion generation",
            "no paper contains \"generaton\": searched for \"generation\" instead",
        ),
        // A paper's name, held by that paper alone, keeps the capitals it was typed with.
        ("Quant VidoeGen", "Quant VideoGen", "no paper contains \"VidoeGen\": searched for \"VideoGen\" instead"),
        // Two words typed as one, which papers write apart or hyphenated (`long-context`).
        (
            "longcontext video generation",
            "long context video generation",
            "no paper contains \"longcontext\": searched for \"long context\" instead",
        ),
    ] {
        for mode in [SearchMode::Hybrid, SearchMode::Bm25, SearchMode::Vector] {
            let answer = engine.search(&SearchRequest::new(typed).mode(mode)).expect("search");
            let case = format!("{typed:?}, {}", mode.as_str());
            assert_eq!(answer.query, typed, "{case}: the answer names the query as asked");
            assert_eq!(answer.warnings.first().map(String::as_str), Some(note), "{case}");
            let got: Vec<String> = answer.hits.into_iter().map(|h| h.id).collect();
            assert!(!got.is_empty(), "{case}");
            assert_eq!(got, ids(&engine, meant, mode), "{case}: the hits of the word meant");
        }
    }
    // The word alone too.
    assert_eq!(ids(&engine, "generaton", SearchMode::Bm25), ids(&engine, "generation", SearchMode::Bm25));
    // Two words for one after a minus are left out together, as the phrase: `-long context`
    // left out `long` and searched for `context`.
    let answer =
        engine.search(&SearchRequest::new("video generation -longcontext").mode(SearchMode::Bm25)).expect("search");
    assert_eq!(answer.excluded, ["long context"]);
    let phrase = engine
        .search(&SearchRequest::new("video generation -\"long context\"").mode(SearchMode::Bm25))
        .expect("search");
    let hit_ids = |hits: &[paperdex_index::SearchHit]| hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
    assert_eq!((answer.total, hit_ids(&answer.hits)), (phrase.total, hit_ids(&phrase.hits)));
}

#[test]
fn words_the_papers_hold_long_queries_short_words_capitals_and_links_are_searched_as_typed() {
    let (_dir, engine) = engine();
    for query in [
        "diffusion video generation",
        // Eleven words, stop words aside: one of them is a small share of what it asks.
        "fast efficient video generaton models with KV cache quantization for long autoregressive rollouts",
        "GENERATON",
        // Four letters: one edit from `video`, and from too many other words.
        "vido",
        // A link, misspelled or not, names a paper.
        "https://huggingfce.co/papers/2602.02958",
        // An author's name no title or text holds, one edit from `Qwen`.
        "Qiwen Liu",
    ] {
        for mode in [SearchMode::Hybrid, SearchMode::Bm25] {
            let answer = engine.search(&SearchRequest::new(query).mode(mode)).expect("search");
            assert!(answer.warnings.iter().all(|w| !w.contains("searched for")), "{query:?}: {:?}", answer.warnings);
        }
    }
    // A long query's joined words are still cut: a question asking about `longcontext` papers.
    let question =
        "which fast efficient video generation models handle longcontext rollouts with KV cache quantization";
    let answer = engine.search(&SearchRequest::new(question).mode(SearchMode::Bm25)).expect("search");
    let note = "no paper contains \"longcontext\": searched for \"long context\" instead";
    assert_eq!(answer.warnings.first().map(String::as_str), Some(note), "{:?}", answer.warnings);
}
