//! A reader narrows a query with the marks of a web search engine: `"KV cache" quantization`
//! wants only papers that say "KV cache", `language model -vision` none that say "vision",
//! in every mode, from the terminal, over HTTP and from an agent.
//!
//! Each answer is checked against the papers themselves: the stored text of every paper of
//! the index (the sample and three HF days), read word by word.

use std::collections::BTreeSet;
use std::path::Path;

use paperdex_index::PaperIndex;

use crate::support::{Server, hit_ids, http_get, paperdex_hashed, repo, run_output, sample};

/// An index of the sample and three HF days, with test vectors.
fn index() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let run =
        run_output(paperdex_hashed(dir.path()).arg("ingest").arg(sample()).arg(repo().join("tests/fixtures/days")));
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir
}

/// `paperdex search <query> --json` with `args`, parsed.
fn search(index: &Path, query: &str, args: &[&str]) -> serde_json::Value {
    let run =
        run_output(paperdex_hashed(index).args(["search", "--json", "-n", "100"]).args(args).arg("--").arg(query));
    assert_eq!(run.code, 0, "{query}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{query}: {e}: {}", run.stdout))
}

/// The ids of the papers whose text (titles, sections, keywords, authors) `holds`, given the
/// text lower-cased.
fn papers_where(index: &Path, holds: impl Fn(&str) -> bool) -> BTreeSet<String> {
    let index = PaperIndex::open(index).expect("open");
    let papers = index.papers().expect("papers");
    papers
        .iter()
        .filter(|paper| {
            let mut text: Vec<&str> = paper.titles();
            text.extend(paper.sections().iter().map(|s| s.text.as_str()));
            text.extend(paper.keywords());
            text.extend(paper.authors());
            holds(&text.join(" \n ").to_lowercase())
        })
        .map(|paper| paper.id.to_string())
        .collect()
}

/// Whether `text` has the word `first` before a word beginning with `second` (the index's
/// stems: `models`, `modeling` are `model`), right after it or one word on (a phrase allows
/// one other word: the whole `vision-language` that jieba adds after `language`).
fn two_words(text: &str, first: &str, second: &str) -> bool {
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    (0..words.len()).any(|i| words[i] == first && words[i + 1..].iter().take(2).any(|w| w.starts_with(second)))
}

/// Whether `text` has the word `first` (or its plural) and, two or three words on, a word
/// beginning with `second`: the phrase `first <a stop word> second`, whose stop word's place
/// some word fills, and one other word allowed among them.
fn gapped_words(text: &str, first: &str, second: &str) -> bool {
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let plural = format!("{first}s");
    (0..words.len()).any(|i| {
        (words[i] == first || words[i] == plural)
            && words[i + 1..].iter().skip(1).take(2).any(|w| w.starts_with(second))
    })
}

/// Whether `text` has a word beginning with `stem`.
fn word(text: &str, stem: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric()).any(|w| w.starts_with(stem))
}

fn ids(answer: &serde_json::Value) -> BTreeSet<String> {
    hit_ids(answer).into_iter().collect()
}

#[test]
fn a_quoted_phrase_finds_exactly_the_papers_that_say_it_in_every_mode() {
    let dir = index();
    let saying = papers_where(dir.path(), |text| two_words(text, "language", "model"));
    let chinese = papers_where(dir.path(), |text| text.contains("强化学习"));
    // Enough papers say each for the check to mean something, and far from all of them do.
    assert!(saying.len() >= 5 && chinese.len() >= 5, "{} {}", saying.len(), chinese.len());
    for mode in ["bm25", "vector", "hybrid"] {
        let answer = search(dir.path(), "\"language model\"", &["--mode", mode]);
        assert_eq!(ids(&answer), saying, "{mode}");
        assert_eq!(answer["required"], serde_json::json!(["language model"]), "{mode}");
        let answer = search(dir.path(), "关于“强化学习”的论文", &["--mode", mode]);
        assert_eq!(ids(&answer), chinese, "{mode}");
        assert_eq!(answer["required"], serde_json::json!(["强化学习"]), "{mode}");
        // Counted, not estimated, even where each retriever's first list holds fewer papers
        // than say the phrase (five each here).
        let answer = search(dir.path(), "\"language model\"", &["--mode", mode, "--candidates", "5"]);
        assert_eq!(
            (answer["total"].as_u64(), &answer["total_is_estimate"]),
            (Some(saying.len() as u64), &false.into())
        );
    }
    // Without quotes the same words find more papers: the phrase narrowed.
    let loose = search(dir.path(), "language model", &["--mode", "bm25"]);
    assert!(ids(&loose).len() > saying.len(), "{loose}");
}

#[test]
fn a_stop_word_inside_a_quoted_phrase_keeps_its_place() {
    let dir = index();
    // `"text to image"` is `text`, a word, `image`: papers saying "text image" (pairs,
    // encoders) do not say it.
    let saying = papers_where(dir.path(), |text| gapped_words(text, "text", "image"));
    let adjacent = papers_where(dir.path(), |text| two_words(text, "text", "image"));
    assert!(saying.len() >= 2 && !adjacent.is_subset(&saying), "{saying:?} {adjacent:?}");
    for mode in ["bm25", "vector", "hybrid"] {
        let answer = search(dir.path(), "\"text to image\"", &["--mode", mode]);
        let found = ids(&answer);
        assert_eq!(
            found,
            saying,
            "{mode}: {:?} {:?}",
            found.difference(&saying).collect::<Vec<_>>(),
            saying.difference(&found).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_quoted_or_minused_acronym_is_its_singular_and_its_plural() {
    let dir = index();
    let either = papers_where(dir.path(), |text| {
        text.split(|c: char| !c.is_alphanumeric()).any(|word| word == "llm" || word == "llms")
    });
    assert!(either.len() >= 5, "{either:?}");
    for query in ["\"LLM\"", "\"LLMs\"", "\"llm\""] {
        let answer = search(dir.path(), query, &["--mode", "bm25"]);
        assert_eq!(ids(&answer), either, "{query}");
    }
    let answer = search(dir.path(), "model -LLM", &["--mode", "bm25"]);
    assert!(ids(&answer).is_disjoint(&either), "{}", answer["warnings"]);
}

#[test]
fn a_phrase_asked_in_one_section_is_in_that_section_in_every_mode() {
    let dir = index();
    let index = PaperIndex::open(dir.path()).expect("open");
    let in_titles: BTreeSet<String> = index
        .papers()
        .expect("papers")
        .iter()
        .filter(|paper| paper.titles().iter().any(|title| two_words(&title.to_lowercase(), "language", "model")))
        .map(|paper| paper.id.to_string())
        .collect();
    drop(index);
    assert!(!in_titles.is_empty());
    for mode in ["bm25", "vector", "hybrid"] {
        let answer = search(dir.path(), "\"language model\"", &["--mode", mode, "--section", "title"]);
        assert_eq!(ids(&answer), in_titles, "{mode}");
    }
}

#[test]
fn a_word_after_a_minus_is_in_no_hit_and_every_other_match_stays() {
    let dir = index();
    let wanted = papers_where(dir.path(), |text| word(text, "model") && !word(text, "vision"));
    let with_vision = papers_where(dir.path(), |text| word(text, "model") && word(text, "vision"));
    assert!(!with_vision.is_empty() && wanted.len() >= 10, "{} {}", with_vision.len(), wanted.len());
    let answer = search(dir.path(), "model -vision", &["--mode", "bm25"]);
    let found = ids(&answer);
    assert_eq!(
        found,
        wanted,
        "{:?} {:?}",
        found.difference(&wanted).collect::<Vec<_>>(),
        wanted.difference(&found).collect::<Vec<_>>()
    );
    assert_eq!(answer["excluded"], serde_json::json!(["vision"]));
    for mode in ["vector", "hybrid"] {
        let answer = search(dir.path(), "model -vision", &["--mode", mode]);
        let found = ids(&answer);
        assert!(!found.is_empty() && found.is_disjoint(&with_vision), "{mode}");
    }
    // A quoted phrase after a minus: no hit says it, and hits that only say its words stay.
    let phrase = papers_where(dir.path(), |text| two_words(text, "language", "model"));
    let answer = search(dir.path(), "model -\"language model\"", &["--mode", "bm25"]);
    let found = ids(&answer);
    assert!(!found.is_empty() && found.is_disjoint(&phrase), "{}", answer["warnings"]);
    assert!(
        found.iter().any(|id| papers_where(dir.path(), |t| word(t, "language")).contains(id)),
        "{}",
        answer["warnings"]
    );
}

#[test]
fn a_quoted_chinese_phrase_is_shown_in_every_hits_snippet() {
    let dir = index();
    // The papers holding 奖励模型 have an English abstract on reward models too, which holds
    // more of the query's translated words: its snippet did not show why the paper passed.
    for mode in ["bm25", "hybrid"] {
        let answer = search(dir.path(), "“奖励模型”", &["--mode", mode]);
        let hits = answer["hits"].as_array().expect("hits");
        assert!(!hits.is_empty(), "{answer}");
        for hit in hits {
            assert!(hit["snippet"].as_str().is_some_and(|s| s.contains("奖励模型")), "{mode}: {hit}");
        }
    }
}

#[test]
fn a_chinese_word_after_a_minus_says_it_leaves_out_only_the_papers_with_chinese_text() {
    let dir = index();
    // Most papers are English abstracts: -投机 cannot leave out those on speculation, and the
    // reader is told so, with what to add.
    let answer = search(dir.path(), "reinforcement learning -投机", &["--mode", "bm25"]);
    let warnings = answer["warnings"].to_string();
    assert!(warnings.contains("-投机 leaves out only papers whose Chinese text says it"), "{warnings}");
    assert!(warnings.contains("add its English to leave out English papers on it too"), "{warnings}");
    // A word after a minus is not searched: no note says the search lacks its English.
    assert!(!warnings.contains("no English known"), "{warnings}");
    // An English exclusion leaves out what it says wherever it is said.
    let english = search(dir.path(), "强化学习 -reward", &["--mode", "bm25"]);
    assert!(!english["warnings"].to_string().contains("leaves out only"), "{english}");
}

#[test]
fn marks_that_ask_for_nothing_say_so_and_hyphens_inside_words_are_words() {
    let dir = index();
    // Only what to leave out: no hits, and the reader is told why.
    let answer = search(dir.path(), "-vision", &[]);
    assert_eq!(answer["hits"], serde_json::json!([]), "{}", answer["warnings"]);
    assert!(answer["warnings"].to_string().contains("only names what to leave out"), "{}", answer["warnings"]);
    // Every word searched for left out: nothing, in every mode (the vectors had served every
    // paper the exclusion admits, by meaning alone), and the note says why.
    for mode in ["bm25", "vector", "hybrid"] {
        let answer = search(dir.path(), "vision -vision", &["--mode", mode]);
        assert_eq!((&answer["hits"], &answer["total"]), (&serde_json::json!([]), &serde_json::json!(0)), "{mode}");
        let warnings = answer["warnings"].to_string();
        assert!(warnings.contains("excludes words the query searches for"), "{mode}: {warnings}");
        assert!(!warnings.contains("by meaning alone"), "{mode}: {warnings}");
    }
    // Newest first, what to leave out is enough: what came out, less that.
    let run = run_output(paperdex_hashed(dir.path()).args(["new", "--json", "-n", "100", "--", "-vision"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(ids(&listed), papers_where(dir.path(), |text| !word(text, "vision")), "{}", listed["warnings"]);
    // A phrase of stop words narrows nothing, and says so; the other words are searched.
    let answer = search(dir.path(), "\"of the\" model", &["--mode", "bm25"]);
    assert!(answer["warnings"].to_string().contains("requires nothing"), "{}", answer["warnings"]);
    assert_eq!(answer["required"], serde_json::json!([]), "{}", answer["warnings"]);
    assert_eq!(ids(&answer), ids(&search(dir.path(), "model", &["--mode", "bm25"])));
    // A phrase no paper holds is not required (an answer of nothing helps nobody): its words
    // are searched, and the reader is told.
    let answer = search(dir.path(), "\"reward quantization diffusion\"", &["--mode", "bm25"]);
    assert!(
        answer["warnings"].to_string().contains("no paper holds \\\"reward quantization diffusion\\\""),
        "{}",
        answer["warnings"]
    );
    assert_eq!(ids(&answer), ids(&search(dir.path(), "reward quantization diffusion", &["--mode", "bm25"])));
    // A quote that never closes, and a description's marks, are words, and the answer says so.
    let answer = search(dir.path(), "\"language model", &["--mode", "bm25"]);
    assert!(answer["warnings"].to_string().contains("never closes"), "{}", answer["warnings"]);
    let long = "papers on language models for speech recognition error correction with acoustic \
                features and beam search decoding -vision";
    let answer = search(dir.path(), long, &["--mode", "bm25"]);
    assert!(answer["warnings"].to_string().contains("read as a description"), "{}", answer["warnings"]);
    assert_eq!(answer["excluded"], serde_json::json!([]));
    // A hyphen inside a word, a lone one, a quote never closed: searched as typed.
    for query in ["self-supervised learning", "vision - language", "\"language model"] {
        let answer = search(dir.path(), query, &["--mode", "bm25"]);
        let asked = (&answer["required"], &answer["excluded"]);
        assert_eq!(asked, (&serde_json::json!([]), &serde_json::json!([])), "{query}");
        assert!(!hit_ids(&answer).is_empty(), "{query}");
    }
}

#[test]
fn over_http_and_in_the_terminal_the_answer_says_what_the_marks_asked() {
    let dir = index();
    let server = Server::start_with(paperdex_hashed(dir.path()));
    let path = "/api/search?q=%22language+model%22+-vision&mode=hybrid&limit=50";
    let (status, body) = http_get(server.addr(), path).expect("GET");
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(answer["required"], serde_json::json!(["language model"]), "{}", answer["warnings"]);
    assert_eq!(answer["excluded"], serde_json::json!(["vision"]), "{}", answer["warnings"]);
    let wanted = papers_where(dir.path(), |t| two_words(t, "language", "model") && !word(t, "vision"));
    assert_eq!(ids(&answer), wanted, "{}", answer["warnings"]);
    let run = run_output(paperdex_hashed(dir.path()).args(["search", "--explain", "\"language model\" -vision"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("every hit holds: \"language model\""), "{}", run.stdout);
    assert!(run.stdout.contains("no hit holds: \"vision\""), "{}", run.stdout);
    // Each hit's score beside the ranks it was fused from, with nothing that reads as a sum.
    let scores: Vec<&str> = run.stdout.lines().map(str::trim).filter(|l| l.starts_with("score ")).collect();
    assert!(!scores.is_empty() && scores.iter().all(|l| l.contains(" · bm25 #") && !l.contains(" = ")), "{scores:?}");
}

#[test]
fn a_query_typed_without_quotes_is_its_words_and_a_minus_word_is_a_mark_not_a_flag() {
    let dir = index();
    let typed = |args: &[&str]| {
        let run = run_output(paperdex_hashed(dir.path()).arg("search").args(args));
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    };
    // The words in one argument or in many, the options before, between or after them.
    let quoted = search(dir.path(), "language model -vision", &["--mode", "bm25"]);
    assert!(!ids(&quoted).is_empty());
    let unquoted = typed(&["language", "--mode", "bm25", "model", "-vision", "--json", "-n", "100"]);
    assert_eq!(ids(&unquoted), ids(&quoted));
    assert_eq!(unquoted["excluded"], serde_json::json!(["vision"]), "{}", unquoted["warnings"]);
    // A word to leave out first, or one that begins with a letter a flag has (`-n`, `-h`).
    let first = typed(&["-vision", "language", "model", "--mode=bm25", "-n100", "--json"]);
    assert_eq!(ids(&first), ids(&quoted));
    let flagged = typed(&["model", "-network", "--json", "-n", "100", "--mode", "bm25"]);
    assert_eq!(flagged["excluded"], serde_json::json!(["network"]));
    assert!(ids(&flagged).is_disjoint(&papers_where(dir.path(), |text| word(text, "network"))));
    // `new` reads its query the same way.
    let run = run_output(paperdex_hashed(dir.path()).args(["new", "--json", "-n", "100", "-vision"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(ids(&listed), papers_where(dir.path(), |text| !word(text, "vision")));
}
