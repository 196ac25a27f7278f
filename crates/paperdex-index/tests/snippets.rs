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

/// Whether `hit`'s snippet (its beginning, up to the cut) is text of a section of the group its
/// label names.
fn shows_its_label(paper: &Paper, hit: &SearchHit) -> bool {
    let Some(group) = hit.section else { return true };
    let shown = as_shown(hit.snippet.trim_end_matches('…'));
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
