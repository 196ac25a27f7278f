//! The bilingual lexicon end to end: learned at ingest, used by search, shown by `lexicon`,
//! corrected by a glossary, kept across generations.

use std::path::Path;

use crate::semantic::paperdex_with_model;
use crate::support::{hit_ids, paperdex, paperdex_hashed, run_output, search_json};

/// The English-only paper the Chinese query must reach.
const ENGLISH_ANSWER: &str = "2402.00004";

/// A tiny corpus: Chinese summaries on other topics that write 幻觉 with its English in
/// brackets, and English-only abstracts, one of them about hallucination.
fn bilingual_fixture(dir: &Path) {
    let zh = serde_json::json!([
        {"url": "https://arxiv.org/abs/2402.00001",
         "content": "《Fast Speech Synthesis》本文提出一种语音合成方法，生成的语音自然流畅，避免了幻觉（hallucination）带来的错误发音。"},
        {"url": "https://arxiv.org/abs/2402.00002",
         "content": "《Table Question Answering》本文研究表格问答，模型在读取表格时容易产生幻觉（hallucination），作者提出校验步骤。"},
        {"url": "https://arxiv.org/abs/2402.00003",
         "content": "《Code Agents》本文构建代码智能体，并讨论了工具调用中的幻觉（hallucinations）问题。"}
    ]);
    let en = serde_json::json!([
        {"paper": {"id": ENGLISH_ANSWER, "title": "Mitigating Hallucination in Vision-Language Models",
                   "summary": "Vision-language models often describe objects that are not in the image. We reduce hallucination with contrastive decoding."}},
        {"paper": {"id": "2402.00005", "title": "Sparse Attention for Long Documents",
                   "summary": "We study sparse attention patterns that scale transformers to long documents."}},
        {"paper": {"id": "2402.00006", "title": "Robot Grasping from Language",
                   "summary": "A robot policy grasps objects following natural language instructions."}}
    ]);
    std::fs::write(dir.join("zh.json"), serde_json::to_string(&zh).expect("json")).expect("write");
    std::fs::write(dir.join("hf.json"), serde_json::to_string(&en).expect("json")).expect("write");
}

#[test]
fn a_chinese_query_finds_an_english_only_paper_through_the_lexicon() {
    let data = tempfile::tempdir().expect("tempdir");
    bilingual_fixture(data.path());
    let dir = tempfile::tempdir().expect("tempdir");
    let run = paperdex(dir.path(), &["ingest", data.path().to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("lexicon:"), "{}", run.stdout);

    // 视觉模型的幻觉 shares no word with the English abstract; only the lexicon links them.
    // Translation is on by default.
    let answer = search_json(dir.path(), "模型幻觉", &["--mode", "bm25"]);
    let ids = hit_ids(&answer);
    assert!(ids.iter().take(4).any(|id| id == ENGLISH_ANSWER), "{answer}");
    let expansions = answer["expansions"].as_array().expect("expansions shown");
    assert!(
        expansions
            .iter()
            .any(|e| e["from"] == "幻觉" && e["to"].as_str().is_some_and(|t| t.starts_with("hallucination"))),
        "{answer}"
    );
    assert!(expansions.iter().all(|e| e["weight"].as_f64().is_some_and(|w| w > 0.0 && w <= 1.0)), "{answer}");

    // With translation off the English paper is out of reach.
    let plain = search_json(dir.path(), "模型幻觉", &["--mode", "bm25", "--translation", "0"]);
    assert!(!hit_ids(&plain).contains(&ENGLISH_ANSWER.to_string()), "{plain}");

    // --explain says what was translated.
    let explained =
        paperdex(dir.path(), &["search", "模型幻觉", "--mode", "bm25", "--explain", "--translation", "0.5"]);
    assert!(explained.stdout.contains("translated: 幻觉 → hallucination"), "{}", explained.stdout);

    // And `lexicon` says why.
    let why = paperdex(dir.path(), &["lexicon", "幻觉"]);
    assert_eq!(why.code, 0, "{}", why.stderr);
    assert!(why.stdout.contains("hallucination") && why.stdout.contains("bracket"), "{}", why.stdout);
    // A phrase's words typed without quotes are the phrase, as a search's are.
    let quoted = paperdex(dir.path(), &["lexicon", "--json", "language model"]);
    let typed = paperdex(dir.path(), &["lexicon", "language", "model", "--json"]);
    assert_eq!((typed.code, &typed.stdout), (0, &quoted.stdout), "{}", typed.stderr);
}

/// The score a search gave `id` by meaning (its passage's cosine to the query), if it is a hit.
fn vector_score(answer: &serde_json::Value, id: &str) -> Option<f64> {
    answer["hits"].as_array()?.iter().find(|h| h["id"] == id)?["vector_score"].as_f64()
}

#[test]
fn a_chinese_query_searches_english_passages_with_the_papers_its_translation_finds() {
    let data = tempfile::tempdir().expect("tempdir");
    bilingual_fixture(data.path());
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, _, stderr) = paperdex_with_model(dir.path(), &["ingest", data.path().to_str().expect("utf-8 path")]);
    assert_eq!(code, 0, "{stderr}");
    let search_in = |mode: &str, extra: &[&str]| {
        let mut args = vec!["search", "模型幻觉", "--json", "--mode", mode];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = paperdex_with_model(dir.path(), &args);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).expect("json")
    };
    let search = |extra: &[&str]| search_in("vector", extra);
    // The translation (幻觉 → hallucination) finds the English paper by its words, and the
    // English passages are searched with that paper's passages: it is the nearest English
    // paper, as near as its own wording.
    let answer = search(&[]);
    let english_only = ["2402.00004", "2402.00005", "2402.00006"];
    let first_english = hit_ids(&answer).into_iter().find(|id| english_only.contains(&id.as_str()));
    assert_eq!(first_english.as_deref(), Some(ENGLISH_ANSWER), "{answer}");
    let fed = vector_score(&answer, ENGLISH_ANSWER).expect("a hit");
    assert!(fed > 0.95, "{fed}: {answer}");
    // Untranslated, the Chinese query's own vector sees it only across languages.
    let plain = search(&["--translation", "0"]);
    let own = vector_score(&plain, ENGLISH_ANSWER).unwrap_or(0.0);
    assert!(own < fed - 0.03, "{own} against {fed}: {plain}");
    // Hybrid gets the same feedback, from the keyword list it ranks on another thread.
    let hybrid = search_in("hybrid", &[]);
    let fed_in_hybrid = vector_score(&hybrid, ENGLISH_ANSWER).expect("a hit");
    assert!(fed_in_hybrid > 0.95, "{fed_in_hybrid}: {hybrid}");
}

#[test]
fn hybrid_ranks_by_keywords_exactly_as_a_keyword_search_does_translated_in_part_or_not() {
    let data = tempfile::tempdir().expect("tempdir");
    bilingual_fixture(data.path());
    let dir = tempfile::tempdir().expect("tempdir");
    let ingest = run_output(paperdex_hashed(dir.path()).arg("ingest").arg(data.path()));
    assert_eq!(ingest.code, 0, "{}", ingest.stderr);
    let search = |query: &str, mode: &str| {
        let run = run_output(paperdex_hashed(dir.path()).args(["search", query, "--json", "--mode", mode]));
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<serde_json::Value>(&run.stdout).expect("json")
    };
    // Translated; translated in a small part (the vector side then does not count it as
    // translated, the keyword side still searches its English list); English.
    for query in ["模型幻觉", "自动调节超参数的幻觉", "hallucination"] {
        let keywords = hit_ids(&search(query, "bm25"));
        let hybrid = search(query, "hybrid");
        let mut by_rank: Vec<(u64, String)> = hybrid["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .filter_map(|h| Some((h["bm25_rank"].as_u64()?, h["id"].as_str()?.to_string())))
            .collect();
        by_rank.sort();
        let ranked: Vec<String> = by_rank.into_iter().map(|(_, id)| id).collect();
        assert_eq!(ranked, keywords, "{query}: {hybrid}");
    }
    assert!(hit_ids(&search("自动调节超参数的幻觉", "bm25")).contains(&ENGLISH_ANSWER.to_string()));
}

#[test]
fn the_glossary_adds_pairs_names_bad_lines_and_survives_reingest_and_removal() {
    let data = tempfile::tempdir().expect("tempdir");
    bilingual_fixture(data.path());
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let glossary = elsewhere.path().join("terms.tsv");
    std::fs::write(&glossary, "# my terms\n抓取\tgrasping\nthis line has no tab\n稀疏注意力\tsparse attention\t7\n")
        .expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = data.path().to_str().expect("utf-8 path");
    let run = paperdex(dir.path(), &["ingest", corpus, "--glossary", glossary.to_str().expect("utf-8 path")]);
    // The ingest worked; the bad lines are named with their numbers and the exit status says so.
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("terms.tsv:3:"), "{}", run.stderr);
    assert!(run.stderr.contains("terms.tsv:4:") && run.stderr.contains("\"7\""), "{}", run.stderr);

    let finds_grasping = |dir: &Path| {
        hit_ids(&search_json(dir, "抓取", &["--mode", "bm25", "--translation", "0.5"])).contains(&"2402.00006".into())
    };
    assert!(finds_grasping(dir.path()));

    // Ingesting again without the glossary keeps it; so does removing a paper; so does a
    // crash-free reopen (every command here is a new process).
    let again = paperdex(dir.path(), &["ingest", corpus]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(finds_grasping(dir.path()));
    let removed = paperdex(dir.path(), &["remove", "2402.00005"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(finds_grasping(dir.path()));
    let why = paperdex(dir.path(), &["lexicon", "grasping"]);
    assert!(why.stdout.contains("抓取") && why.stdout.contains("glossary line 2"), "{}", why.stdout);
    assert_eq!(glossary_pairs(dir.path()), 1, "抓取 ↔ grasping");

    // A new glossary saved in another encoding (GBK: 抓取 is B1 A5 C8 A1) is refused by name,
    // before anything is written: the stored one is kept, not replaced by nothing.
    let gbk = elsewhere.path().join("gbk.tsv");
    std::fs::write(&gbk, [&[0xB1, 0xA5, 0xC8, 0xA1][..], b"\tgrasping\n"].concat()).expect("write");
    let refused = paperdex(dir.path(), &["ingest", corpus, "--glossary", gbk.to_str().expect("utf-8 path")]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("gbk.tsv") && refused.stderr.contains("UTF-8"), "{}", refused.stderr);
    assert!(refused.stderr.contains("stored with the index is kept"), "{}", refused.stderr);
    assert!(finds_grasping(dir.path()));
    assert_eq!(glossary_pairs(dir.path()), 1, "the stored glossary stays");

    // A glossary in the index folder is read too, and overrides: weight 0 removes a pair.
    std::fs::write(dir.path().join("glossary.tsv"), "抓取\tgrasping\t0\nbad\n").expect("write");
    assert!(!finds_grasping(dir.path()));
    let why = paperdex(dir.path(), &["lexicon", "抓取"]);
    assert_eq!(why.stderr.matches("glossary.tsv:2:").count(), 1, "said once: {}", why.stderr);
    // The figures count the pairs lookups see, so the sources add up to the pairs: the pair
    // the folder's glossary removed is gone from both.
    assert_eq!(glossary_pairs(dir.path()), 0);
}

/// The glossary's pairs in `lexicon --json`'s figures, checking that every source's count
/// adds up to its `pairs`.
fn glossary_pairs(index: &Path) -> u64 {
    let figures: serde_json::Value =
        serde_json::from_str(&paperdex(index, &["lexicon", "--json"]).stdout).expect("json");
    let by_source = figures["by_source"].as_object().expect("by_source");
    let summed: u64 = by_source.values().filter_map(serde_json::Value::as_u64).sum();
    assert_eq!(Some(summed), figures["pairs"].as_u64(), "{figures}");
    by_source.get("glossary").and_then(serde_json::Value::as_u64).unwrap_or(0)
}

/// `count` English abstracts in the HF daily format, ids `2403.{first}…`.
fn english_day(dir: &Path, name: &str, first: usize, count: usize) -> String {
    let papers: Vec<serde_json::Value> = (first..first + count)
        .map(|i| {
            serde_json::json!({"paper": {"id": format!("2403.{i:05}"), "title": format!("Sparse attention {i}"),
                                         "summary": "We study sparse attention patterns for long documents."}})
        })
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string(&papers).expect("json")).expect("write");
    path.to_str().expect("utf-8 path").to_string()
}

#[test]
fn a_day_of_english_abstracts_keeps_the_lexicon_and_a_chinese_summary_is_learned_at_once() {
    let data = tempfile::tempdir().expect("tempdir");
    bilingual_fixture(data.path());
    english_day(data.path(), "month.json", 100, 34);
    let dir = tempfile::tempdir().expect("tempdir");
    let first = paperdex(dir.path(), &["ingest", data.path().to_str().expect("utf-8 path")]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.contains("lexicon: ") && first.stdout.contains("from 40 papers"), "{}", first.stdout);

    // A day of English abstracts teaches no translation: the lexicon is kept, and the
    // output says how far it is from being learned again (a twentieth of 40 papers).
    let day = english_day(data.path(), "day.json", 200, 1);
    let kept = paperdex(dir.path(), &["ingest", &day]);
    assert_eq!(kept.code, 0, "{}", kept.stderr);
    assert!(!kept.stderr.contains("learning the bilingual lexicon"), "{}", kept.stderr);
    assert!(
        kept.stdout.contains(
            "from 40 papers (3 with text in both languages), kept (1 change to papers without Chinese text \
             since it was learned; learned again at 2)"
        ),
        "{}",
        kept.stdout
    );
    let figures = paperdex(dir.path(), &["lexicon"]);
    assert!(figures.stdout.contains("1 change to papers without Chinese text since"), "{}", figures.stdout);
    // The same file read again changes nothing.
    let again = paperdex(dir.path(), &["ingest", &day, "--json"]);
    let again: serde_json::Value = serde_json::from_str(&again.stdout).expect("json");
    assert_eq!(again["lexicon"]["learned"], false, "{again}");
    assert_eq!(again["lexicon"]["changed_since"], serde_json::json!({"chinese": 0, "english": 1}), "{again}");
    // Without the model every paper is found by keywords only, and the answer says how many.
    assert_eq!(again["papers_without_vectors"], 41, "{again}");

    // Chinese summaries of a new topic are learned from at once: a Chinese query reaches the
    // English abstracts, which never say 稀疏.
    let zh = data.path().join("zh-day.json");
    let summaries = serde_json::json!([
        {"url": "https://arxiv.org/abs/2403.00300", "content": "《Fast Retrieval》本文利用稀疏（sparse）注意力加速长文档检索。"},
        {"url": "https://arxiv.org/abs/2403.00301", "content": "《Video Generation》本文将稀疏（sparse）计算用于视频生成。"},
        {"url": "https://arxiv.org/abs/2403.00302", "content": "《Speech Experts》语音模型中的稀疏（sparse）专家降低了计算量。"}
    ]);
    std::fs::write(&zh, serde_json::to_string(&summaries).expect("json")).expect("write");
    let learned = paperdex(dir.path(), &["ingest", zh.to_str().expect("utf-8 path")]);
    assert_eq!(learned.code, 0, "{}", learned.stderr);
    assert!(learned.stdout.contains("from 44 papers") && learned.stdout.contains("learned in"), "{}", learned.stdout);
    // And says why.
    assert!(learned.stdout.contains("(3 changes to papers with Chinese text)"), "{}", learned.stdout);
    let found = hit_ids(&search_json(dir.path(), "稀疏", &["--mode", "bm25"]));
    assert!(found.contains(&"2403.00100".to_string()), "{found:?}");

    // Removing an English paper keeps it too; the count goes on from nothing.
    let removed = paperdex(dir.path(), &["remove", "2403.00100"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    let figures: serde_json::Value =
        serde_json::from_str(&paperdex(dir.path(), &["lexicon", "--json"]).stdout).expect("json");
    assert_eq!((figures["papers"].as_u64(), figures["changed_since"]["english"].as_u64()), (Some(44), Some(1)));
}

#[test]
fn a_write_without_the_model_leaves_the_embedding_pairs_to_the_next_write_with_it() {
    let data = tempfile::tempdir().expect("tempdir");
    bilingual_fixture(data.path());
    let day = english_day(data.path(), "day.json", 300, 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let with_model = |args: &[&str]| run_output(paperdex_hashed(dir.path()).args(args));
    let figures = || -> serde_json::Value {
        serde_json::from_str(&paperdex(dir.path(), &["lexicon", "--json"]).stdout).expect("lexicon JSON")
    };
    assert_eq!(with_model(&["ingest", data.path().join("hf.json").to_str().expect("utf-8")]).code, 0);
    assert_eq!(figures()["learned_with_model"], true);
    // Chinese summaries without the model: learned at once, but not the model's pairs of
    // their new terms, and `lexicon` says what is missing.
    let zh = paperdex(dir.path(), &["ingest", data.path().join("zh.json").to_str().expect("utf-8")]);
    assert!(zh.stdout.contains("learned in"), "{}", zh.stdout);
    assert_eq!(figures()["learned_with_model"], false);
    let said = paperdex(dir.path(), &["lexicon"]).stdout;
    assert!(said.contains("learned without the embedding model: the next write with it"), "{said}");
    // The next write with the model, an English abstract, learns them.
    let english = with_model(&["ingest", &day]);
    assert!(
        english.stdout.contains("(the first write with the model since it was learned without)"),
        "{}",
        english.stdout
    );
    assert_eq!(figures()["learned_with_model"], true);
    // A removal says what became of the lexicon, as an ingest does (one change is a twentieth
    // of these 7 papers: learned again).
    let removed = with_model(&["remove", "2403.00300"]);
    assert!(removed.stdout.contains("lexicon: ") && removed.stdout.contains("learned in"), "{}", removed.stdout);
    assert!(removed.stderr.contains("learning the bilingual lexicon"), "{}", removed.stderr);
}

#[test]
fn the_glossary_given_again_as_stored_learns_nothing_again() {
    let data = tempfile::tempdir().expect("tempdir");
    bilingual_fixture(data.path());
    let glossary = data.path().join("terms.tsv");
    std::fs::write(&glossary, "抓取\tgrasping\n").expect("write");
    let (glossary, corpus) = (glossary.to_str().expect("utf-8"), data.path().to_str().expect("utf-8"));
    let dir = tempfile::tempdir().expect("tempdir");
    let first = paperdex(dir.path(), &["ingest", corpus, "--glossary", glossary]);
    assert!(first.stdout.contains("learned in"), "{}", first.stdout);
    // A daily job's command line, the same glossary each day.
    let again = paperdex(dir.path(), &["ingest", corpus, "--glossary", glossary]);
    assert!(again.stdout.contains("unchanged") && !again.stderr.contains("learning"), "{}", again.stderr);
    // Another glossary is learned at once.
    std::fs::write(data.path().join("terms.tsv"), "抓取\tgrasp\n").expect("write");
    let changed = paperdex(dir.path(), &["ingest", corpus, "--glossary", glossary]);
    assert!(changed.stdout.contains("learned in"), "{}", changed.stdout);
}
