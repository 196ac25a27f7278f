//! A reader trusts a hit's label: the snippet under `使用指南 usage` is the paper's usage text,
//! in every mode, whatever passage or section found the paper.

mod common;

use common::sample_engine as engine;
use paperdex_core::{Paper, SectionGroup};
use paperdex_index::{SearchFilter, SearchHit, SearchMode, SearchRequest};

/// `text` as a one-line snippet shows it: white space folded, markdown's `*` and `#` left out.
fn as_shown(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace(['*', '#'], "").replace("  ", " ")
}

/// Whether `hit`'s snippet (its beginning, between the marks of a cut) is text of a section of
/// the group its label names.
fn shows_its_label(paper: &Paper, hit: &SearchHit) -> bool {
    let Some(group) = hit.section else { return true };
    let shown = as_shown(hit.snippet.trim_start_matches('…').trim_end_matches('…'));
    let start: String = shown.chars().take(40).collect();
    paper.sections().iter().filter(|s| s.kind.group() == group).any(|s| as_shown(&s.text).contains(start.trim()))
}

/// `视频生成 --mode vector --section usage` labelled Quant VideoGen's hit `使用指南 usage` and
/// showed the start of the passage the vectors matched, which is its core contribution; the
/// same search without a section showed an HF paper's AI summary (a contribution) labelled
/// `abstract`, the section most of that passage comes from. A title-labelled hit shows the
/// paper's most telling section by design.
#[test]
fn a_snippet_comes_from_the_section_its_label_names_in_every_mode() {
    let (_dir, engine) = engine();
    for query in ["视频生成", "KV cache quantization", "强化学习 奖励模型", "agent benchmark"] {
        for mode in [SearchMode::Vector, SearchMode::Hybrid, SearchMode::Bm25] {
            for section in [None, Some(SectionGroup::Usage), Some(SectionGroup::Abstract)] {
                let filter = SearchFilter { section, ..SearchFilter::default() };
                let answer =
                    engine.search(&SearchRequest::new(query).mode(mode).filter(filter).limit(35)).expect("search");
                for hit in answer.hits.iter().filter(|hit| hit.section != Some(SectionGroup::Title)) {
                    let paper = engine.index().paper(&hit.id).expect("stored");
                    assert!(
                        shows_its_label(&paper, hit),
                        "{query:?}, {}, section {section:?}: {} labelled {:?} shows {:?}",
                        mode.as_str(),
                        hit.id,
                        hit.section,
                        hit.snippet
                    );
                    if section.is_some() {
                        assert_eq!(hit.section, section, "{query:?}, {}: {}", mode.as_str(), hit.id);
                    }
                }
            }
        }
    }
}

/// A hybrid hit the vectors brought in shows the query's words where its passage holds them:
/// it showed the passage's opening, unmarked, and the reader could not tell why it was there.
#[test]
fn a_hit_found_by_meaning_highlights_the_query_words_its_passage_holds() {
    let (_dir, engine) = engine();
    // A shallow keyword list, so that papers holding the words are found by meaning alone.
    let ranker = paperdex_index::RankerConfig { candidates: 2, ..engine.ranker() };
    let engine = engine.with_ranker(ranker);
    let answer =
        engine.search(&SearchRequest::new("video diffusion").mode(SearchMode::Hybrid).limit(20)).expect("search");
    let by_meaning: Vec<&SearchHit> = answer.hits.iter().filter(|hit| hit.bm25_rank.is_none()).collect();
    assert!(!by_meaning.is_empty(), "{:?}", answer.hits.iter().map(|h| (&h.id, h.bm25_rank)).collect::<Vec<_>>());
    let marked: Vec<&&SearchHit> = by_meaning.iter().filter(|hit| !hit.highlights.is_empty()).collect();
    assert!(!marked.is_empty(), "no hit found by meaning marks a query word");
    for hit in marked {
        for &[start, end] in &hit.highlights {
            let word = hit.snippet[start..end].to_lowercase();
            assert!(word.starts_with("video") || word.starts_with("diffusion"), "{}: {word:?}", hit.id);
        }
    }
}

/// Vector mode ranks by meaning alone, yet a reader still wants to see the query's words where
/// a passage holds them: every vector hit showed its passage unmarked (0 of 200 over 20
/// queries in a review).
#[test]
fn vector_mode_marks_the_query_words_a_passage_holds() {
    let (_dir, engine) = engine();
    let answer =
        engine.search(&SearchRequest::new("video diffusion").mode(SearchMode::Vector).limit(10)).expect("search");
    let marked: Vec<&SearchHit> = answer.hits.iter().filter(|hit| !hit.highlights.is_empty()).collect();
    assert!(!marked.is_empty(), "no vector hit marks a query word");
    for hit in marked {
        for &[start, end] in &hit.highlights {
            let word = hit.snippet[start..end].to_lowercase();
            assert!(word.starts_with("video") || word.starts_with("diffusion"), "{}: {word:?}", hit.id);
        }
    }
}

/// A search engine without a model over papers each with one abstract, `(id, text)`.
fn engine_of_abstracts(papers: &[(&str, &str)]) -> (tempfile::TempDir, paperdex_index::SearchEngine) {
    use paperdex_core::{PaperId, Record, Section, SectionKind, Source, SourceFormat};
    let dir = tempfile::tempdir().expect("tempdir");
    let index = paperdex_index::PaperIndex::open_or_create(dir.path()).expect("index");
    let records = papers
        .iter()
        .map(|(id, text)| {
            let source = Source { path: "/d/day.json".into(), format: SourceFormat::HfDailyApi, date: None };
            let mut record = Record::new(PaperId::parse(id).expect("id"), source);
            record.title = Some(format!("Paper {id}"));
            record.sections.push(Section::new(SectionKind::Abstract, *text));
            record
        })
        .collect();
    index.ingest_records(records, None, &mut paperdex_index::Quiet).expect("ingest");
    (dir, paperdex_index::SearchEngine::new(index, Err("no model".into())))
}

/// Asserts that `query` finds every paper of `engine`'s `papers`, each with a snippet from its
/// abstract holding `marks` highlights (any number when `None`).
fn assert_every_paper_gets_its_snippet(
    engine: &paperdex_index::SearchEngine,
    query: &str,
    papers: usize,
    marks: Option<usize>,
) {
    let answer = engine.search(&SearchRequest::new(query).mode(SearchMode::Bm25)).expect("search");
    assert_eq!(answer.hits.len(), papers, "{query}");
    for hit in &answer.hits {
        assert_eq!(hit.section, Some(SectionGroup::Abstract), "{query}: {} {:?}", hit.id, hit.snippet);
        match marks {
            Some(marks) => assert_eq!(hit.highlights.len(), marks, "{query}: {} {:?}", hit.id, hit.snippet),
            None => assert!(!hit.highlights.is_empty(), "{query}: {} {:?}", hit.id, hit.snippet),
        }
    }
}

#[test]
fn a_paper_in_british_spelling_gets_its_snippet_for_either_spelling() {
    let (_dir, engine) = engine_of_abstracts(&[
        ("2603.00001", "We study colour constancy and the behaviour of agents after quantisation."),
        ("2603.00002", "We study color constancy and the behavior of agents after quantization."),
    ]);
    for query in ["colour", "color", "behaviour", "behavior", "quantisation", "quantization"] {
        assert_every_paper_gets_its_snippet(&engine, query, 2, Some(1));
    }
}

#[test]
fn a_model_name_gets_its_snippet_however_the_query_and_the_paper_write_it() {
    let (_dir, engine) = engine_of_abstracts(&[
        ("2603.00001", "We evaluate GPT-4o on charts."),
        ("2603.00002", "We evaluate GPT4o on charts."),
        ("2603.00003", "We evaluate GPT 4o on charts."),
    ]);
    for query in ["GPT4o", "GPT-4o", "GPT 4o"] {
        assert_every_paper_gets_its_snippet(&engine, query, 3, None);
    }
}

/// A snippet cut out of a longer section says so where the section goes on (`…` before, after
/// or both), and its highlights, moved past the mark, still fall on the query's words.
#[test]
fn a_snippet_cut_from_its_section_says_so_at_either_end_and_its_marks_stay_on_the_words() {
    let (_dir, engine) = engine();
    let (mut opened_inside, mut closed_inside) = (0, 0);
    for query in ["KV cache quantization", "强化学习 奖励模型", "video generation", "agent benchmark"] {
        let answer = engine.search(&SearchRequest::new(query).mode(SearchMode::Bm25).limit(35)).expect("search");
        for hit in answer.hits.iter().filter(|hit| !hit.highlights.is_empty()) {
            let paper = engine.index().paper(&hit.id).expect("stored");
            let inner = as_shown(hit.snippet.trim_start_matches('…').trim_end_matches('…'));
            let section = paper.sections().iter().map(|s| as_shown(&s.text)).find(|text| text.contains(&inner));
            let section = section.unwrap_or_else(|| panic!("{query}: {} shows {:?}", hit.id, hit.snippet));
            let (before, after) = (!section.starts_with(&inner), !section.ends_with(&inner));
            assert_eq!(
                (hit.snippet.starts_with('…'), hit.snippet.ends_with('…')),
                (before, after),
                "{query}: {} shows {:?}",
                hit.id,
                hit.snippet
            );
            (opened_inside, closed_inside) = (opened_inside + usize::from(before), closed_inside + usize::from(after));
            for &[from, to] in &hit.highlights {
                let word = hit.snippet.get(from..to).unwrap_or_else(|| panic!("{} {from}..{to}", hit.snippet));
                // A word, or words side by side (`KV cache`): one mark.
                let words = !word.is_empty() && word.trim() == word;
                assert!(
                    words && word.split(' ').all(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric)),
                    "{query}: {word:?} marked"
                );
            }
        }
    }
    assert!(opened_inside > 0 && closed_inside > 0, "{opened_inside} {closed_inside}");
}
