//! Keyword search stories over tiny in-memory collections: what the analyzer and the query
//! builder promise, each with the smallest input that shows it.

mod query_read_as;

use paperdex_core::{PaperId, Record, Section, SectionGroup, SectionKind, Source, SourceFormat};
use paperdex_index::{PaperIndex, Quiet, SearchEngine, SearchFilter, SearchMode, SearchRequest};
use query_read_as::QueryReadAs;

fn record(id: &str, title: &str, text: &str) -> Record {
    let source = Source { path: format!("{id}.md"), format: SourceFormat::PaperMarkdown, date: None };
    let mut r = Record::new(PaperId::parse(id).expect("valid id"), source);
    r.title = Some(title.into());
    r.sections.push(Section::new(SectionKind::Body, text));
    r
}

fn index_of(records: Vec<Record>) -> (tempfile::TempDir, PaperIndex) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PaperIndex::open_or_create(dir.path()).expect("create");
    index.ingest_records(records, None, &mut Quiet).expect("ingest");
    (dir, index)
}

fn ids(index: &PaperIndex, query: &str) -> Vec<String> {
    let request = SearchRequest::new(query).mode(SearchMode::Bm25);
    index.search_bm25(&request).expect("search").hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn a_chinese_word_jieba_cuts_differently_inside_a_longer_phrase_is_still_found() {
    // Jieba cuts 结婚的和尚未结婚的 as 结婚/的/和/尚未/结婚/的: no token 和尚, yet the
    // characters are there. The Han-bigram field finds it.
    let (_dir, index) = index_of(vec![
        record("2601.00001", "Paper one", "结婚的和尚未结婚的"),
        record("2601.00002", "Paper two", "完全无关的文本"),
    ]);
    assert_eq!(ids(&index, "和尚"), vec!["2601.00001"]);
}

#[test]
fn mixed_chinese_english_queries_match_across_case_and_inflection() {
    let (_dir, index) = index_of(vec![
        record("2601.00001", "Quantized caches", "提出了一种 KV-Cache 量化方法"),
        record("2601.00002", "Other", "关于图像分割的研究"),
    ]);
    assert_eq!(ids(&index, "kv cache 量化"), vec!["2601.00001"]);
    assert_eq!(ids(&index, "quantization"), vec!["2601.00001"], "stemming joins quantized/quantization");
    assert!(ids(&index, "the of and").is_empty(), "stop words alone match nothing");
}

#[test]
fn a_title_match_counts_more_than_a_body_match() {
    let (_dir, index) = index_of(vec![
        record("2601.00001", "Something else", "speculative decoding is mentioned here once"),
        record("2601.00002", "Speculative decoding", "a method for faster inference"),
    ]);
    assert_eq!(ids(&index, "speculative decoding")[0], "2601.00002");
}

#[test]
fn traditional_and_simplified_characters_find_each_other_and_highlight_what_is_written() {
    let (_dir, index) = index_of(vec![
        record("2601.00001", "Reward models", "用强化学习训练奖励模型"),
        record("2601.00002", "Reward models, written in Taiwan", "以強化學習訓練獎勵模型"),
        record("2601.00003", "Other", "关于图像分割的研究"),
    ]);
    for query in ["强化学习", "強化學習"] {
        let mut found = ids(&index, query);
        found.sort();
        assert_eq!(found, vec!["2601.00001", "2601.00002"], "{query}");
    }
    let request = SearchRequest::new("强化学习").mode(SearchMode::Bm25);
    let hits = index.search_bm25(&request).expect("search").hits;
    let written = hits.iter().find(|h| h.id == "2601.00002").expect("the Traditional paper");
    let marked: Vec<&str> = written.highlights.iter().map(|&[from, to]| &written.snippet[from..to]).collect();
    assert!(marked.iter().any(|m| m.contains("強化") || m.contains("學習")), "{marked:?} in {}", written.snippet);
}

#[test]
fn a_query_that_is_an_authors_name_finds_that_authors_papers_before_papers_holding_the_words_apart() {
    // `Song Han` word by word ranked a paper on song generation above Song Han's own papers.
    let mut by_the_author = record("2601.00001", "Sparse attention for long video", "Blocks of attention are skipped.");
    by_the_author.authors = vec!["Song Han".into(), "Wei Chen".into()];
    let mut apart = record("2601.00002", "Song generation from dynasty poems", "A model learns old poems.");
    apart.authors = vec!["Li Song".into(), "Mei Han".into()];
    // The two words in two names that stand next to each other in the author list.
    let mut neighbours = record("2601.00003", "Video diffusion", "Frames are denoised.");
    neighbours.authors = vec!["Yu Song".into(), "Han Zhao".into()];
    // Others, so that the names are as rare as names are among thousands of papers.
    let others = (4..12).map(|n| {
        let mut other = record(&format!("2601.{n:05}"), "Graph learning", "Nodes pass messages.");
        other.authors = vec!["Ann Lee".into()];
        other
    });
    let (_dir, index) = index_of([apart, neighbours, by_the_author].into_iter().chain(others).collect());
    assert_eq!(ids(&index, "Song Han")[0], "2601.00001");
    assert_eq!(ids(&index, "song han")[0], "2601.00001", "whatever the case");
}

/// A reader who searched a name sees which author each hit is by: the title and the snippet
/// rarely say it. In every mode, by the name the search reads; papers whose authors hold the
/// words apart, and searches of topic words or of one section, name nobody.
#[test]
fn each_hit_names_the_authors_the_query_names() {
    let mut by_the_author = record("2601.00001", "Sparse attention for long video", "Blocks of attention are skipped.");
    by_the_author.authors = vec!["Wei Chen".into(), "Song Han".into()];
    let mut apart = record("2601.00002", "Song generation from dynasty poems", "A model learns old poems.");
    apart.authors = vec!["Li Song".into(), "Mei Han".into()];
    let mut both = record("2601.00003", "Video attention at scale", "Attention over frames is sparse.");
    both.authors = vec!["Song Han".into(), "Xiang Wei Chen".into()];
    let records = vec![by_the_author, apart, both];
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PaperIndex::open_or_create(dir.path()).expect("create");
    let embedder = paperdex_embed::HashEmbedder::new(64);
    index.ingest_records(records, Some(&embedder), &mut Quiet).expect("ingest");
    let engine =
        SearchEngine::new(index, Ok(std::sync::Arc::new(embedder) as std::sync::Arc<dyn paperdex_embed::Embedder>));
    let named = |request: SearchRequest| -> Vec<(String, Vec<String>)> {
        let answer = engine.search(&request).expect("search");
        let mut hits: Vec<(String, Vec<String>)> = answer.hits.into_iter().map(|h| (h.id, h.matched_authors)).collect();
        hits.sort();
        hits
    };
    let song_han = |id: &str| (id.to_string(), vec!["Song Han".to_string()]);
    let nobody = |id: &str| (id.to_string(), Vec::new());
    for mode in [SearchMode::Bm25, SearchMode::Hybrid, SearchMode::Vector] {
        let hits = named(SearchRequest::new("song HAN").mode(mode));
        for hit in [song_han("2601.00001"), nobody("2601.00002"), song_han("2601.00003")] {
            assert!(hits.contains(&hit), "{mode:?}: {hit:?} in {hits:?}");
        }
    }
    // Two names at once; a name inside a longer one (as the search reads a name); the name
    // among topic words.
    let hits = named(SearchRequest::new("Song Han Wei Chen").mode(SearchMode::Bm25));
    let two = ("2601.00001".to_string(), vec!["Wei Chen".to_string(), "Song Han".to_string()]);
    assert!(hits.contains(&two) && hits.contains(&song_han("2601.00003")), "{hits:?}");
    let hits = named(SearchRequest::new("Wei Chen").mode(SearchMode::Bm25));
    let longer = ("2601.00003".to_string(), vec!["Xiang Wei Chen".to_string()]);
    assert!(hits.contains(&longer), "{hits:?}");
    let hits = named(SearchRequest::new("Song Han sparse attention").mode(SearchMode::Bm25));
    assert!(hits.contains(&song_han("2601.00001")), "{hits:?}");
    // Topic words name nobody; nor does a search of one section, which never reads the authors.
    let hits = named(SearchRequest::new("sparse attention").mode(SearchMode::Hybrid));
    assert!(hits.iter().all(|(_, names)| names.is_empty()), "{hits:?}");
    let filter = SearchFilter { section: Some(SectionGroup::Other), ..SearchFilter::default() };
    let hits = named(SearchRequest { filter, ..SearchRequest::new("Song Han attention").mode(SearchMode::Bm25) });
    assert!(!hits.is_empty() && hits.iter().all(|(_, names)| names.is_empty()), "{hits:?}");
}

/// A keyword search whose caller has gone (a client that disconnected, a request out of time)
/// stops instead of reading and marking its hits: a long Chinese query's 200 hits, each marked
/// with hundreds of translations, took half a second after nobody waited for them.
#[test]
fn a_keyword_search_whose_caller_has_gone_stops() {
    let (_dir, index) = index_of(vec![record("2601.00001", "Lobster claws", "lobster claw strength")]);
    let request = SearchRequest::new("lobster claw").mode(SearchMode::Bm25);
    let gone = paperdex_index::Cancel::new();
    gone.cancel();
    let stopped = index.search_bm25_translated(&request, 0.5, 100, &gone);
    assert!(matches!(stopped, Err(paperdex_index::IndexError::Cancelled)), "{stopped:?}");
    let waited = index.search_bm25_translated(&request, 0.5, 100, &paperdex_index::Cancel::new());
    assert_eq!(waited.expect("search").hits.len(), 1);
}

/// A reader searches a name. The vectors know no names: they read `Song Han` as the words, and
/// rank a paper on Han dynasty songs first and the author's papers far down. Hybrid keeps the
/// author's papers, which the keywords rank first by their authors, at the top (`LiSA` was
/// ranked above Xiang Lisa Li's papers for `Lisa Li`).
#[test]
fn a_query_that_is_an_authors_name_puts_their_papers_first_whatever_the_vectors_say() {
    let mut papers = Vec::new();
    let mut by_the_author = record("2601.00001", "Sparse attention for long video", "Blocks of attention are skipped.");
    by_the_author.authors = vec!["Wei Chen".into(), "Song Han".into()];
    let mut also = record("2601.00002", "Video attention at scale", "Attention over frames is sparse.");
    also.authors = vec!["Song Han".into()];
    let mut lyrics = record("2601.00003", "Han dynasty song lyrics", "Songs of the Han court, lyrics by dynasty.");
    lyrics.authors = vec!["Ann Lee".into()];
    papers.extend([by_the_author, also, lyrics]);
    // Papers the vectors put between: the court's lyrics, neither a song nor by Song Han.
    for n in 4..30 {
        let mut other =
            record(&format!("2601.{n:05}"), "Court lyrics of a dynasty", "Dynasty court lyrics, read aloud.");
        other.authors = vec!["Ann Lee".into()];
        papers.push(other);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PaperIndex::open_or_create(dir.path()).expect("create");
    let embedder = paperdex_embed::HashEmbedder::new(64);
    index.ingest_records(papers, Some(&embedder), &mut Quiet).expect("ingest");
    let model = QueryReadAs { text: "Han dynasty song lyrics court", inner: embedder };
    let engine =
        SearchEngine::new(index, Ok(std::sync::Arc::new(model) as std::sync::Arc<dyn paperdex_embed::Embedder>));
    let first_two = |mode: SearchMode| -> Vec<(String, bool)> {
        let answer = engine.search(&SearchRequest::new("Song Han").mode(mode).limit(5)).expect("search");
        let mut two: Vec<(String, bool)> = answer.hits.into_iter().take(2).map(|h| (h.id, h.singled_out)).collect();
        two.sort();
        two
    };
    let theirs = vec![("2601.00001".to_string(), true), ("2601.00002".to_string(), true)];
    assert_eq!(first_two(SearchMode::Bm25), theirs);
    assert_eq!(first_two(SearchMode::Hybrid), theirs, "the vectors' first choice does not lead");
    let by_meaning = engine.search(&SearchRequest::new("Song Han").mode(SearchMode::Vector)).expect("search");
    assert!(by_meaning.hits.first().is_some_and(|h| h.id != "2601.00001" && h.id != "2601.00002"));
}
