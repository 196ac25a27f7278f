//! The user's first minutes: ingest the sample, search it, look at a paper.

use crate::support::{Server, hit_ids, http_get, paperdex, paperdex_hashed, run_output, sample, search_json};

#[test]
fn ingest_the_sample_then_kv_cache_quantization_finds_quant_videogen_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("35 new, 0 updated, 0 unchanged"), "{}", run.stdout);
    assert!(run.stdout.contains("from 35 papers") && run.stdout.contains(", learned in "), "{}", run.stdout);

    let answer = search_json(dir.path(), "KV cache quantization", &["--mode", "bm25"]);
    assert_eq!(hit_ids(&answer)[0], "2602.02958");
    let hit = &answer["hits"][0];
    for key in ["id", "title", "score", "date", "url", "snippet", "bm25_rank", "vector_rank"] {
        assert!(hit.get(key).is_some(), "hit lacks {key}: {hit}");
    }
    for key in ["query", "mode", "took_ms", "hits"] {
        assert!(answer.get(key).is_some(), "answer lacks {key}");
    }
    assert_eq!(answer["mode"], "bm25");
    assert_eq!(hit["bm25_rank"], 1);
}

#[test]
fn without_a_model_hybrid_search_answers_with_bm25_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    let answer = search_json(dir.path(), "KV cache quantization", &[]);
    assert_eq!(answer["mode"], "bm25");
    assert!(answer["warnings"][0].as_str().is_some_and(|w| w.contains("BM25")), "{answer}");
    assert_eq!(hit_ids(&answer)[0], "2602.02958");
    // In the terminal the user reads it once, as the CLI's own line (no log line beside it).
    let run = paperdex(dir.path(), &["search", "KV cache quantization"]);
    let said: Vec<&str> = run.stderr.lines().filter(|l| l.contains("BM25")).collect();
    assert_eq!(said, ["warning: hybrid search unavailable, answered with BM25: --no-model given"], "{}", run.stderr);
}

#[test]
fn an_ingest_whose_model_cannot_be_loaded_says_which_papers_lack_vectors_and_exits_3() {
    // A daily cron job whose model folder went missing: today's papers get no vectors, and the
    // exit status says so (with `--no-model` the user asked for that, and it is 0).
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = sample();
    let hf = sample.join("hf-daily-2026-02-05.json");
    let report = sample.join("report-2026-02-05.md");
    let embedded = run_output(paperdex_hashed(dir.path()).args(["ingest".as_ref(), hf.as_os_str()]));
    assert_eq!(embedded.code, 0, "{}", embedded.stderr);
    let missing = dir.path().join("no-model-here");
    let run = run_output(paperdex_hashed(dir.path()).env_remove("PAPERDEX_EMBEDDER").args([
        "--models".as_ref(),
        missing.as_os_str(),
        "ingest".as_ref(),
        report.as_os_str(),
    ]));
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("papers have no vectors, as the model could not be loaded"), "{}", run.stderr);
    let asked = paperdex(dir.path(), &["ingest", report.to_str().expect("utf-8 path")]);
    assert_eq!(asked.code, 0, "--no-model asks for keyword search only: {}", asked.stderr);
}

#[test]
fn reingesting_the_same_files_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = sample();
    let path = path.to_str().expect("utf-8 path");
    let first = paperdex(dir.path(), &["ingest", path]);
    // The lexicon's learning, the longest silent step on a large index, is announced.
    assert!(first.stderr.contains("learning the bilingual lexicon"), "{}", first.stderr);
    let stats_before = paperdex(dir.path(), &["stats", "--json"]).stdout;
    let again = paperdex(dir.path(), &["ingest", path]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(!again.stderr.contains("learning the bilingual lexicon"), "nothing to learn: {}", again.stderr);
    assert!(again.stdout.contains("0 new, 0 updated, 35 unchanged; 35 in the index"), "{}", again.stdout);
    // Nothing was written, so nothing was learned: the line says so rather than repeat the
    // last learning's time.
    assert!(again.stdout.contains("from 35 papers") && again.stdout.contains(", unchanged"), "{}", again.stdout);
    let stats_after = paperdex(dir.path(), &["stats", "--json"]).stdout;
    let papers = |s: &str| serde_json::from_str::<serde_json::Value>(s).expect("stats json")["papers"].clone();
    assert_eq!(papers(&stats_before), papers(&stats_after));
}

/// The last line of a list says what it holds: a related list has no "matches", a date
/// order says it is one, a later page which hits it shows, and `stats` says a paper counts
/// once per source that lists it.
/// A reader who searched a name sees, under each of that author's papers, which author it is:
/// neither the title nor the snippet says so. Topic words name nobody.
#[test]
fn a_search_for_a_name_shows_the_author_under_each_of_their_papers() {
    let dir = tempfile::tempdir().expect("tempdir");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    let run = paperdex(dir.path(), &["search", "Yuanxing Zhang", "--mode", "bm25", "--limit", "5"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().filter(|l| l.trim_start().starts_with("author")).collect();
    assert_eq!(lines, ["     author [Yuanxing Zhang]"; 3], "{}", run.stdout);
    let answer = search_json(dir.path(), "Yuanxing Zhang", &["--mode", "bm25", "--limit", "5"]);
    let named: Vec<&serde_json::Value> =
        answer["hits"].as_array().expect("hits").iter().map(|h| &h["matched_authors"]).collect();
    assert_eq!(named[..3], [&serde_json::json!(["Yuanxing Zhang"]); 3], "{answer}");
    assert!(named[3..].iter().all(|n| n.as_array().is_some_and(Vec::is_empty)), "{answer}");
    let topic = paperdex(dir.path(), &["search", "KV cache quantization", "--mode", "bm25"]);
    assert!(!topic.stdout.contains("author"), "{}", topic.stdout);
}

#[test]
fn each_listing_says_what_it_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    let last = |args: &[&str]| {
        let run = paperdex(dir.path(), args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        run.stdout.lines().last().unwrap_or_default().to_string()
    };
    let related = last(&["related", "2602.02958", "--limit", "3"]);
    assert!(related.starts_with("3 related papers, ") && !related.contains("matches"), "{related}");
    let by_date = last(&["search", "video", "--mode", "bm25", "--sort", "date", "--limit", "2"]);
    assert!(by_date.contains("matches, newest first, bm25 mode"), "{by_date}");
    let by_relevance = last(&["search", "video", "--mode", "bm25", "--limit", "2"]);
    assert!(by_relevance.contains("matches, bm25 mode") && !by_relevance.contains("newest"), "{by_relevance}");
    // A later page is numbered on from the pages before it, and its last line says which hits
    // it shows; past the last page, the answer says how many there are in all.
    let page = paperdex(dir.path(), &["search", "video", "--mode", "bm25", "--limit", "2", "--offset", "2"]).stdout;
    assert!(page.lines().next().is_some_and(|l| l.starts_with("  3. ")), "{page}");
    assert!(page.lines().last().is_some_and(|l| l.starts_with("3–4 of ")), "{page}");
    let past = last(&["search", "video", "--mode", "bm25", "--offset", "10000"]);
    assert!(past.starts_with("no hits from 10,001 on: ") && past.contains(" in all"), "{past}");
    // One hit: one match, and a page of one hit is numbered alone (`4`, not `4–4`).
    let one = last(&["search", "2602.02958", "--mode", "bm25"]);
    assert!(one.starts_with("1 of 1 match, bm25 mode"), "{one}");
    let single = last(&["search", "video", "--mode", "bm25", "--limit", "1", "--offset", "3"]);
    assert!(single.starts_with("4 of "), "{single}");
    // Filters that admit no paper are the answer, said once on stdout, not the query's fault;
    // a query nothing matches is echoed as typed.
    let run = paperdex(dir.path(), &["search", "video", "--since", "2099-01-01"]);
    assert!(
        run.stdout.starts_with("no paper passes the filters: none was first seen from 2099-01-01 on"),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("no paper passes"), "{}", run.stderr);
    let unmatched = last(&["search", "\"qqzzxxkk\"", "--mode", "bm25"]);
    assert_eq!(unmatched, "no paper matches: \"qqzzxxkk\"");
    // `new` without a query lists papers, not matches.
    let papers = last(&["new", "--limit", "2"]);
    assert!(papers.starts_with("2 of 35 papers, newest first"), "{papers}");
    let stats = paperdex(dir.path(), &["stats"]).stdout;
    assert!(stats.contains("a paper listed by several sources counts in each"), "{stats}");
    // The days the sample's sources listed its papers, apart from the days they were published.
    assert!(stats.contains("listed:       2026-02-05 .. 2026-02-05"), "{stats}");
    assert!(stats.contains("published:    "), "{stats}");
}

/// `--related-fusion` ranks related lists, and `--fusion` does not: with the vectors weighing
/// nothing the list is the words' order, with the words weighing nothing the vectors'.
#[test]
fn a_flag_wins_over_its_environment_variable_and_a_bad_variable_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    assert_eq!(run_output(paperdex_hashed(&index).arg("ingest").arg(sample())).code, 0);
    // A variable exported empty (a unit file's `PAPERDEX_INDEX=`) is unset; one exported
    // wrong is overridden by the flag, for the option's command and every other.
    let stats = |env: (&str, &str), args: &[&str]| {
        run_output(paperdex_hashed(&index).env(env.0, env.1).args(args).args(["stats", "--json"]))
    };
    for (env, args) in [
        (("PAPERDEX_INDEX", ""), &[][..]),
        (("PAPERDEX_MODELS", ""), &["--models", "models"][..]),
        (("PAPERDEX_FUSION", "bogus"), &["--fusion", "rrf"][..]),
        (("PAPERDEX_TRANSLATION", "abc"), &["--translation=1"][..]),
    ] {
        let run = stats(env, args);
        assert_eq!(run.code, 0, "{env:?} {args:?}: {}", run.stderr);
    }
    let run = run_output(
        paperdex_hashed(&index).env("PAPERDEX_FUSION", "bogus").args(["--fusion", "rrf", "search", "3D", "--json"]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Left to the variable, the bad value is refused naming the variable, in JSON too.
    let run = stats(("PAPERDEX_FUSION", "bogus"), &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("in PAPERDEX_FUSION (from the environment; --fusion overrides it)"), "{}", run.stderr);
    let answer: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("PAPERDEX_FUSION")), "{answer}");
    // An index folder the variable names and the flag does not: its error says where it came
    // from (a stale exported variable); named by the flag, it does not.
    let missing = dir.path().join("no-index-here");
    let run = run_output(
        std::process::Command::new(crate::support::binary()).env("PAPERDEX_INDEX", &missing).args(["search", "3D"]),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no index in") && run.stderr.contains("(named by PAPERDEX_INDEX)"), "{}", run.stderr);
    let run = run_output(
        std::process::Command::new(crate::support::binary()).arg("--index").arg(&missing).args(["search", "3D"]),
    );
    assert!(run.stderr.contains("no index in") && !run.stderr.contains("PAPERDEX_INDEX"), "{}", run.stderr);
}

#[test]
fn related_lists_fuse_by_their_own_setting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    assert_eq!(run_output(paperdex_hashed(&index).arg("ingest").arg(sample())).code, 0);
    let ranks = |fusion: &[&str], key: &str| -> Vec<Option<u64>> {
        let run =
            run_output(paperdex_hashed(&index).args(fusion).args(["related", "2602.02958", "--limit", "3", "--json"]));
        assert_eq!(run.code, 0, "{fusion:?}: {}", run.stderr);
        let answer: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        answer["hits"].as_array().expect("hits").iter().map(|h| h[key].as_u64()).collect()
    };
    let (one, two, three) = (Some(1), Some(2), Some(3));
    assert_eq!(ranks(&["--related-fusion", "rrf:bm25=1,vector=0"], "bm25_rank"), [one, two, three]);
    assert_eq!(ranks(&["--related-fusion", "rrf:bm25=0,vector=1"], "vector_rank"), [one, two, three]);
    // Search's fusion leaves related lists alone.
    let default = ranks(&[], "vector_rank");
    assert_eq!(ranks(&["--fusion", "rrf:bm25=1,vector=0"], "vector_rank"), default);
    // In the terminal, `--explain` says why each paper is listed, as a search's does.
    let run = run_output(paperdex_hashed(&index).args(["related", "2602.02958", "--limit", "3", "--explain"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().map(str::trim).filter(|l| l.starts_with("score ")).collect();
    assert!(
        lines.len() == 3 && lines.iter().all(|l| l.contains(" · bm25 ") && l.contains(" · vector ")),
        "{}",
        run.stdout
    );
}

#[test]
fn chinese_queries_find_chinese_summaries() {
    let dir = tempfile::tempdir().expect("tempdir");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    // Training Data Efficiency in Multimodal Process Reward Models: 过程奖励模型 in Chinese only.
    let answer = search_json(dir.path(), "过程奖励模型", &["--mode", "bm25", "--limit", "3"]);
    assert!(hit_ids(&answer).contains(&"2602.04145".to_string()), "{answer}");
    let answer = search_json(dir.path(), "KV cache 量化", &["--mode", "bm25", "--limit", "3"]);
    assert_eq!(hit_ids(&answer)[0], "2602.02958");
}

#[test]
fn a_chinese_word_with_no_english_known_is_named_with_the_glossary_line_that_teaches_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The sample's papers have Chinese summaries; three HF days add English-only papers.
    let days = crate::support::repo().join("tests/fixtures/days");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path"), days.to_str().expect("utf-8 path")]);
    let warnings = |query: &str, args: &[&str]| search_json(dir.path(), query, args)["warnings"].to_string();
    // 投机解码 (speculative decoding): 解码 is translated, 投机 is not, and most papers are
    // English-only: by keywords the word finds only the Chinese summaries.
    let said = warnings("投机解码", &["--mode", "bm25"]);
    assert!(said.contains("no English known for 投机") && said.contains("投机解码<TAB>English term"), "{said}");
    assert!(said.contains("papers with Chinese text"), "{said}");
    // Not where translations are not asked for.
    assert!(!warnings("投机解码", &["--mode", "bm25", "--translation", "0"]).contains("no English known"));
}

#[test]
fn an_ingest_that_reads_nothing_makes_no_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    let missing = dir.path().join("2026-12-0l.md");
    let run = paperdex(&index, &["ingest", missing.to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("no index was made at"), "{}", run.stderr);
    assert!(!index.exists(), "a mistyped path left an empty index behind");
    // An index that exists stays, whatever the ingest read.
    assert_eq!(paperdex(&index, &["ingest", sample().to_str().expect("utf-8 path")]).code, 0);
    assert_eq!(paperdex(&index, &["ingest", missing.to_str().expect("utf-8 path")]).code, 3);
    assert_eq!(paperdex(&index, &["stats"]).code, 0);
}

#[test]
fn an_ingest_whose_index_names_the_folder_of_digests_is_refused_and_leaves_it_as_it_was() {
    let digests = tempfile::tempdir().expect("tempdir");
    let day = digests.path().join("2026-02-05.md");
    std::fs::copy(crate::support::corpus().join("reports/2026-02-05.md"), &day).expect("copy a digest");
    let run = paperdex(digests.path(), &["ingest", day.to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("holds 2026-02-05.md and no index"), "{}", run.stderr);
    let left: Vec<_> =
        std::fs::read_dir(digests.path()).expect("read").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left, ["2026-02-05.md"], "the folder was written to");
    // A glossary put in a new index folder before the first ingest is what an index folder holds.
    let index = tempfile::tempdir().expect("tempdir");
    std::fs::write(index.path().join("glossary.tsv"), "幻觉\thallucination\n").expect("write");
    assert_eq!(paperdex(index.path(), &["ingest", day.to_str().expect("utf-8 path")]).code, 0);
}

#[test]
fn a_summary_that_says_the_paper_could_not_be_read_is_named_and_not_searched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let day = dir.path().join("2024-06-11_HF_glms_api_clean.json");
    let write_day = |first: &str| {
        let records = serde_json::json!([
            {"url": "https://arxiv.org/abs/2406.06525", "content": first},
            {"url": "https://arxiv.org/abs/2406.07476", "content": "文章《VideoLLaMA 2》提出了视频大模型的时空建模与音频理解方法。"}
        ]);
        std::fs::write(&day, records.to_string()).expect("write the day's summaries");
    };
    let index = dir.path().join("index");
    let day_arg = day.to_str().expect("utf-8 path");
    // The day as first written: a real summary of LlamaGen.
    write_day("文章《Autoregressive Model Beats Diffusion》提出了用自回归模型生成图像的 LlamaGen。");
    assert_eq!(paperdex(&index, &["ingest", day_arg]).code, 0);
    assert_eq!(hit_ids(&search_json(&index, "LlamaGen", &["--mode", "bm25"])), ["2406.06525"]);
    // Written again by a summariser that could not open the link: the apology is named and not
    // searched; the summary the file gave before is kept, as the apology says nothing of the
    // paper (nothing indexed is lost to a bad download).
    write_day(
        "无法访问您提供的文章链接，因此无法提供具体内容。不过，我可以根据标题概述其可能的内容：文章可能探讨了自回归模型生成图像。",
    );
    let run = paperdex(&index, &["ingest", day_arg]);
    assert_eq!(run.code, 0, "a summary without the paper's text is not an error: {}", run.stderr);
    assert!(
        run.stderr.contains("warning: record 1 of")
            && run.stderr.contains("2406.06525")
            && run.stderr.contains("无法访问"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("records: 2 accepted (1 with a warning), 0 rejected"), "{}", run.stdout);
    assert_eq!(hit_ids(&search_json(&index, "LlamaGen", &["--mode", "bm25"])), ["2406.06525"]);
    assert!(hit_ids(&search_json(&index, "无法访问 链接", &["--mode", "bm25"])).is_empty());
    let show = paperdex(&index, &["show", "2406.06525"]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    assert!(
        show.stdout.contains("https://arxiv.org/abs/2406.06525")
            && show.stdout.contains("Autoregressive Model Beats Diffusion")
            && !show.stdout.contains("无法访问"),
        "{}",
        show.stdout
    );
    // A paper first read as an apology has nothing to keep: listed, not searched.
    let fresh = dir.path().join("fresh");
    assert_eq!(paperdex(&fresh, &["ingest", day_arg]).code, 0);
    assert!(hit_ids(&search_json(&fresh, "LlamaGen", &["--mode", "bm25"])).is_empty());
    assert!(paperdex(&fresh, &["show", "2406.06525"]).stdout.contains("https://arxiv.org/abs/2406.06525"));
}

#[test]
fn show_prints_every_section_and_where_the_paper_came_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    let run = paperdex(dir.path(), &["show", "2602.02958"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for part in [
        "Quant VideoGen",
        "应用领域",
        "一句话核心贡献",
        "使用指南",
        "主要创新点",
        "实验效果",
        "Abstract",
        "## Sources",
        "daily report",
        "HF daily papers JSON",
    ] {
        assert!(run.stdout.contains(part), "show lacks {part}:\n{}", run.stdout);
    }
    let missing = paperdex(dir.path(), &["show", "2602.99999"]);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("no paper with id \"2602.99999\""), "{}", missing.stderr);
    // An id cut short cannot name any paper: a usage error that says so, not "no such paper".
    let cut = paperdex(dir.path(), &["show", "2602.0295"]);
    assert_eq!(cut.code, 2);
    assert!(cut.stderr.contains("id \"2602.0295\" is not an arXiv id"), "{}", cut.stderr);
}

#[test]
fn searching_before_any_ingest_says_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = paperdex(&dir.path().join("nothing"), &["search", "anything"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("paperdex ingest"), "{}", run.stderr);
}

#[test]
fn remove_takes_papers_out_of_every_answer_and_names_the_unknown_ones_with_exit_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = sample();
    let sample = sample.to_str().expect("utf-8 path");
    paperdex(dir.path(), &["ingest", sample]);
    let run = paperdex(dir.path(), &["remove", "2602.02958", "2602.99999"]);
    assert_eq!(run.code, 3, "an unknown id gives exit status 3: {}", run.stderr);
    assert!(run.stderr.contains("not in the index: 2602.99999"), "{}", run.stderr);
    assert!(
        run.stdout.contains("removed 1 paper (2602.02958)") && run.stdout.contains("34 in the index"),
        "{}",
        run.stdout
    );

    let answer = search_json(dir.path(), "KV cache quantization", &["--mode", "bm25", "--limit", "50"]);
    assert!(!hit_ids(&answer).contains(&"2602.02958".to_string()), "{answer}");
    assert_eq!(paperdex(dir.path(), &["show", "2602.02958"]).code, 1);

    // With --json the terminal is still told why the status is 3.
    let run = paperdex(dir.path(), &["remove", "2602.04145", "2602.99998", "--json"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("not in the index: 2602.99998"), "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(report["removed"][0], "2602.04145");
    assert_eq!(report["unknown"][0], "2602.99998");
    assert_eq!(report["papers_total"], 33);

    // Ingesting the files again brings both back.
    let again = paperdex(dir.path(), &["ingest", sample]);
    assert!(again.stdout.contains("2 new, 0 updated, 33 unchanged; 35 in the index"), "{}", again.stdout);
}

#[test]
fn remove_source_takes_back_a_file_moved_since_and_refuses_ids_beside_it() {
    // A day's dump ingested from one folder, then moved: the index holds it under the old path
    // beside the new one until the old path is taken back.
    let dir = tempfile::tempdir().expect("tempdir");
    let inbox = tempfile::tempdir().expect("tempdir");
    let dump = sample().join("hf-daily-2026-02-05.json");
    let moved = inbox.path().join("2026-02-05.json");
    std::fs::copy(&dump, &moved).expect("copy the dump");
    paperdex(dir.path(), &["ingest", moved.to_str().expect("utf-8 path")]);
    let papers = paperdex(dir.path(), &["stats", "--json"]);
    std::fs::remove_file(&moved).expect("move it away");
    let run = paperdex(dir.path(), &["remove", "--source", inbox.path().to_str().expect("utf-8 path"), "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let stats: serde_json::Value = serde_json::from_str(&papers.stdout).expect("json");
    assert_eq!(report["removed"].as_array().map(Vec::len), stats["papers"].as_u64().map(|n| n as usize), "{report}");
    assert_eq!(report["papers_total"], 0);
    assert!(report["removed"].as_array().is_some_and(|removed| removed.len() > 10), "{report}");
    // One command does one thing: ids, or sources.
    let both = paperdex(dir.path(), &["remove", "2602.02958", "--source", "x.json"]);
    assert_eq!(both.code, 2, "{}", both.stderr);
}

#[test]
fn a_reader_that_stops_early_gets_no_panic() {
    // `paperdex search … | head -1`: the pipe closes before paperdex has printed everything.
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(paperdex(dir.path(), &["ingest", sample().to_str().expect("path")]).code, 0);
    let mut child = std::process::Command::new(crate::support::binary())
        .args(["--no-model", "--index"])
        .arg(dir.path())
        .args(["search", "model", "--json", "--limit", "30"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run paperdex");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_ranker_is_set_from_the_command_line_and_a_bad_setting_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(paperdex(dir.path(), &["ingest", sample().to_str().expect("path")]).code, 0);
    let run = paperdex(dir.path(), &["search", "KV cache quantization", "--fusion", "rrf:k=60,vector=1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = paperdex(dir.path(), &["search", "KV cache quantization", "--fusion", "rrf:alpha=1"]);
    assert_eq!(run.code, 2, "bad usage");
    assert!(run.stderr.contains("--fusion") && run.stderr.contains("alpha"), "{}", run.stderr);
}

#[test]
fn a_damaged_graph_is_rebuilt_and_the_search_says_so_on_stderr() {
    // Regression (#12): only `serve` installed a log subscriber, so every other command
    // rebuilt a damaged graph in silence, on every run.
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    let ingest = run_output(paperdex_hashed(&index).arg("ingest").arg(sample()));
    assert_eq!(ingest.code, 0, "{}", ingest.stderr);
    // Both forms of the graphs: the compact one searches walk (`graph.bin`), and the hnsw_rs
    // dumps it is converted from when it is unusable.
    let mut damaged = 0;
    for generation in std::fs::read_dir(index.join("vectors")).expect("vectors folder") {
        let generation = generation.expect("entry").path();
        std::fs::write(generation.join("graph.bin"), b"not a graph").expect("damage");
        let graphs = generation.join("hnsw");
        for file in std::fs::read_dir(&graphs).expect("graphs folder") {
            let path = file.expect("entry").path();
            if path.is_file() {
                std::fs::write(&path, b"not a graph").expect("damage");
                damaged += 1;
            }
        }
    }
    assert!(damaged > 0, "no graph file to damage");
    let search = run_output(paperdex_hashed(&index).args(["search", "KV cache quantization", "--json"]));
    assert_eq!(search.code, 0, "{}", search.stderr);
    assert!(search.stderr.contains("warning: ") && search.stderr.contains("rebuilding"), "{}", search.stderr);
    assert!(search.stderr.contains("graph.bin"), "the damaged file is named: {}", search.stderr);
    assert!(!search.stderr.contains('\u{1b}'), "colour codes in a log that is not a terminal: {:?}", search.stderr);
    assert_eq!(hit_ids(&serde_json::from_str(&search.stdout).expect("json"))[0], "2602.02958");
}

#[test]
fn out_of_range_limits_are_bad_usage_in_every_command() {
    // Regression (#12): `--limit 0` exited 1, not 2 as documented.
    let dir = tempfile::tempdir().expect("tempdir");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    let long = "a".repeat(paperdex_index::MAX_QUERY_CHARS + 1);
    for (args, named) in [
        (vec!["search", "video", "--limit", "0"], "limit"),
        (vec!["search", "video", "--limit", "201"], "limit"),
        (vec!["search", "video", "--offset", "10001"], "offset"),
        // Read as HTTP and MCP read them, in their words.
        (vec!["search", "video", "--limit", "+3"], "limit must be an integer between 1 and 200, not \"+3\""),
        (vec!["search", "video", "--limit", "abc"], "limit must be an integer between 1 and 200, not \"abc\""),
        // A negative number is the value given, not an unknown flag (clap advised `-- -1`,
        // which would have made it the query).
        (vec!["search", "video", "--limit", "-1"], "limit must be an integer between 1 and 200, not \"-1\""),
        (vec!["related", "2602.02958", "-n", "-5"], "limit must be an integer between 1 and 200, not \"-5\""),
        (vec!["new", "--since", "2026-02-01", "--offset", "-10"], "offset must be an integer between 0 and 10000"),
        (vec!["new", "--since", "2026-02-01", "--offset", "1.5"], "offset must be an integer between 0 and 10000"),
        (vec!["search", long.as_str()], "query"),
        // A blank query is the error HTTP and MCP give it, not a search for nothing.
        (vec!["search", ""], "query is required"),
        (vec!["search", "   "], "query is required"),
        // `new`'s query is optional: a blank one is told how to go without it.
        (vec!["new", "--since", "2026-02-01", " "], "query is empty: leave it out"),
        (vec!["related", "2602.02958", "--limit", "0"], "limit"),
        (vec!["search", "video", "--mode", "fuzzy"], "mode"),
        (vec!["serve", "--addr", "foo"], "--addr"),
        (vec!["search", "video", "--query-cache", "18446744073709551615"], "query-cache"),
        (vec!["search", "video", "--candidates", "100000000"], "--candidates must be an integer between 1 and 1000"),
        (vec!["search", "video", "--fusion", "rrf:bm25=0,vector=0"], "fusion"),
        // A mistyped id removes nothing, not even the papers named beside it.
        (vec!["remove", "2602.02958", "2602.0487"], "2602.0487"),
    ] {
        let run = paperdex(dir.path(), &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
    }
    assert_eq!(paperdex(dir.path(), &["show", "2602.02958"]).code, 0, "the removal above removed nothing");
    // The mode is read in any case, as the HTTP API reads it.
    assert_eq!(search_json(dir.path(), "video", &["--mode", "BM25"])["mode"], "bm25");
}

/// A reader copies a paper's link (the one paperdex printed, say) or an `arXiv:` id and asks
/// for the paper, its related papers, or its removal: every command reads it as `search` does.
#[test]
fn a_pasted_link_or_arxiv_id_names_the_paper_in_every_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    let shown = paperdex(dir.path(), &["show", "2602.02958"]);
    let own_link = shown.stdout.split_whitespace().find(|w| w.starts_with("https://")).expect("a link").to_string();
    for pasted in [own_link.as_str(), "arXiv:2602.02958v2", "https://arxiv.org/pdf/2602.02958v1.pdf", "2602.02958V2"] {
        let show = paperdex(dir.path(), &["show", pasted]);
        assert_eq!(show.code, 0, "{pasted}: {}", show.stderr);
        assert_eq!(show.stdout, shown.stdout, "{pasted}");
        let related = paperdex(dir.path(), &["related", pasted, "--json"]);
        assert_eq!(related.code, 0, "{pasted}: {}", related.stderr);
        let related: serde_json::Value = serde_json::from_str(&related.stdout).expect("json");
        assert_eq!(related["id"], "2602.02958", "{pasted}");
    }
    let refused = paperdex(dir.path(), &["show", "https://example.com/page"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("not an arXiv id or a paper's link"), "{}", refused.stderr);
    let removed = paperdex(dir.path(), &["remove", "--json", "https://huggingface.co/papers/2602.02958"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_eq!(paperdex(dir.path(), &["show", "2602.02958"]).code, 1, "removed");
}

/// A paper alone in its index has no related papers, and the list says so rather than "no
/// paper matches" its title, as if the title had been searched.
#[test]
fn a_related_list_that_finds_nothing_says_so() {
    let data = tempfile::tempdir().expect("tempdir");
    let file = data.path().join("2026-02-05.json");
    std::fs::write(&file, r#"[{"paper": {"id": "2602.02958", "title": "Alone", "summary": "The only paper here."}}]"#)
        .expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(paperdex(dir.path(), &["ingest", file.to_str().expect("utf-8 path")]).code, 0);
    let related = paperdex(dir.path(), &["related", "2602.02958"]);
    assert_eq!(related.code, 0, "{}", related.stderr);
    assert!(related.stdout.contains("no related papers found"), "{}", related.stdout);
    assert!(!related.stdout.contains("no paper matches"), "{}", related.stdout);
}

/// `lexicon` reads its term and its `-n` as `search` reads a query and a limit.
#[test]
fn lexicon_refuses_a_blank_term_and_a_limit_out_of_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    for (args, named) in [
        (vec!["lexicon", "RAG", "-n", "0"], "limit must be an integer between 1 and 200"),
        (vec!["lexicon", "RAG", "-n", "100000"], "limit must be an integer between 1 and 200"),
        (vec!["lexicon", " "], "term is required"),
    ] {
        let run = paperdex(dir.path(), &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
    }
}

/// A script or an agent that runs an ingest reads its report as JSON: what was read, what was
/// rejected and why, the papers and the lexicon; the rejections are still named on stderr.
#[test]
fn ingest_reports_in_json_when_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    let inputs = dir.path().join("inputs");
    std::fs::create_dir(&inputs).expect("mkdir");
    std::fs::copy(sample().join("report-2026-02-05.md"), inputs.join("report-2026-02-05.md")).expect("copy");
    std::fs::write(inputs.join("empty.json"), b"").expect("write");
    let run = paperdex(&index, &["ingest", inputs.to_str().expect("utf-8 path"), "--json"]);
    assert_eq!(run.code, 3, "a rejected file: {}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON object");
    assert_eq!(report["files_read"], 1, "{report}");
    assert_eq!(report["papers_new"], 35, "{report}");
    assert!(report["rejected_files"][0]["path"].as_str().is_some_and(|p| p.ends_with("empty.json")), "{report}");
    assert!(report["rejected_files"][0]["reason"].as_str().is_some_and(|r| r.contains("empty")), "{report}");
    assert!(report["lexicon"]["pairs"].as_u64().is_some_and(|n| n > 0), "{report}");
    assert!(run.stderr.contains("empty.json"), "the terminal is told too: {}", run.stderr);
    // Again: nothing new, and the lexicon is kept.
    let again = paperdex(&index, &["ingest", inputs.join("report-2026-02-05.md").to_str().expect("path"), "--json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let again: serde_json::Value = serde_json::from_str(&again.stdout).expect("JSON");
    assert_eq!((again["papers_unchanged"].as_u64(), again["lexicon"]["learned"].as_bool()), (Some(35), Some(false)));
}

/// An agent that runs `paperdex … --json` parses every answer, a refusal included: the same
/// `{"error": {"code", "message"}}` the HTTP API answers, with the same codes.
#[test]
fn a_command_asked_for_json_fails_in_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    for (args, code, status, named) in [
        // Refused by the library: the code the HTTP API gives it.
        (vec!["show", "2602.99999", "--json"], "paper_not_found", 1, "2602.99999"),
        (vec!["related", "2602.99999", "--json"], "paper_not_found", 1, "2602.99999"),
        (vec!["search", " ", "--json"], "invalid_parameter", 2, "query is required"),
        (vec!["new", "--since", "2026-03-01", "--until", "2026-02-01", "--json"], "invalid_parameter", 2, "since"),
        // Refused while reading the arguments, before any command runs.
        (vec!["search", "video", "--limit", "abc", "--json"], "invalid_parameter", 2, "limit must be an integer"),
        (vec!["search", "--json", "video", "--mode", "fuzzy"], "invalid_parameter", 2, "fuzzy"),
        (vec!["search", "--json"], "invalid_parameter", 2, "<QUERY>"),
        // A failure no code names: the message still says what it was.
        (vec!["eval", "--queries", "missing.jsonl", "--qrels", "missing.txt", "--json"], "internal", 1, "missing"),
    ] {
        let run = paperdex(dir.path(), &args);
        assert_eq!(run.code, status, "{args:?}: {}", run.stderr);
        let body: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}): {}", run.stdout));
        assert_eq!(body["error"]["code"], code, "{args:?}: {body}");
        let message = body["error"]["message"].as_str().expect("a message");
        assert!(message.contains(named), "{args:?}: {message}");
        assert!(!message.starts_with("error:"), "{args:?}: {message}");
        assert!(run.stderr.contains(named), "the person at the terminal is told too: {}", run.stderr);
    }
    // The commonest first mistake, a folder with no index in it, is not called damaged.
    let nowhere = paperdex(&dir.path().join("no-such-index"), &["search", "video", "--json"]);
    let body: serde_json::Value = serde_json::from_str(&nowhere.stdout).expect("json");
    assert_eq!((nowhere.code, &body["error"]["code"]), (1, &serde_json::json!("index_not_found")), "{body}");
    assert!(nowhere.stderr.contains("no-such-index") && nowhere.stderr.contains("run `paperdex ingest"));
    assert!(!nowhere.stderr.contains("damaged"), "{}", nowhere.stderr);
    // Without --json the refusal is a line on stderr only; --help is an answer, not an error.
    let plain = paperdex(dir.path(), &["show", "2602.99999"]);
    assert_eq!((plain.code, plain.stdout.as_str()), (1, ""), "{}", plain.stderr);
    let help = paperdex(dir.path(), &["search", "--json", "--help"]);
    assert_eq!(help.code, 0);
    assert!(serde_json::from_str::<serde_json::Value>(&help.stdout).is_err(), "{}", help.stdout);
    // A query that reads `--json` after `--` is text to search for, not a request for JSON.
    let query = paperdex(dir.path(), &["search", "--limit", "0", "--", "--json"]);
    assert_eq!((query.code, query.stdout.as_str()), (2, ""), "{}", query.stderr);
}

#[test]
fn the_server_log_written_to_a_file_is_plain_text() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().expect("tempdir");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut child = std::process::Command::new(crate::support::binary())
        .arg("--index")
        .arg(dir.path())
        .args(["--no-model", "serve", "--addr", "127.0.0.1:0"])
        .env_remove("NO_COLOR")
        .stdout(std::process::Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("where it listens");
    let addr = line.split("http://").nth(1).expect("url").trim().trim_end_matches(['/', ' ', '(']).to_string();
    let addr = addr.split('/').next().expect("address").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
    write!(stream, "GET /no-such-page HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    let _ = child.kill();
    let _ = child.wait();
    let written = std::fs::read_to_string(&log_path).expect("read log");
    assert!(written.contains("no-such-page"), "the request is logged: {written}");
    assert!(!written.contains('\u{1b}'), "colour codes in a log file: {written:?}");
}

#[test]
fn the_readme_lists_every_error_code_with_its_status() {
    let readme = std::fs::read_to_string(crate::support::repo().join("README.md")).expect("README.md");
    for code in paperdex_index::ErrorCode::ALL {
        let row = format!("| `{}` | {} |", code.as_str(), code.http_status());
        assert!(readme.contains(&row), "README.md lacks the row {row}");
    }
}

#[test]
fn eval_scores_related_lists_and_names_a_judgment_file_that_cannot_be_right() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    assert_eq!(paperdex(&index, &["ingest", sample().to_str().expect("utf-8 path")]).code, 0);
    let judged = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write judgments");
        path.to_str().expect("utf-8 path").to_string()
    };
    let good = judged("related.txt", "2602.02958 0 2602.04145 2\n2602.02958 0 2602.04705 0\n");
    let run = paperdex(&index, &["eval", "--related", &good, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["queries_scored"], 1, "{report}");
    // A related list has one ranking: asking for modes of it is a usage error, not ignored.
    let run = paperdex(&index, &["eval", "--related", &good, "--modes", "bm25"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--modes") && run.stderr.contains("--related"), "{}", run.stderr);

    for (name, text, says) in [
        ("bad-seed.txt", "2602.0295 0 2602.04145 2\n", "the seed \"2602.0295\" is not an arXiv id"),
        ("nothing-related.txt", "2602.02958 0 2602.04145 0\n", "no seed has a paper judged related"),
        ("two-ways.txt", "2602.02958 0 2602.04145 2\n2602.02958 0 2602.04145v2 0\n", "judges \"2602.04145\" again"),
    ] {
        let path = judged(name, text);
        let run = paperdex(&index, &["eval", "--related", &path]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(&path) && run.stderr.contains(says), "{name}: {}", run.stderr);
    }
}

#[test]
fn a_changed_paper_keeps_its_unchanged_passages_and_the_progress_counts_what_the_model_embeds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    let ingest = |path: &std::path::Path| {
        run_output(paperdex_hashed(&index).args(["ingest", path.to_str().expect("utf-8 path")]))
    };
    assert_eq!(ingest(&sample()).code, 0);
    // The HF list again with Quant VideoGen's abstract reworded: its Chinese summary's passages
    // are unchanged and keep their vectors.
    let hf = std::fs::read_to_string(sample().join("hf-daily-2026-02-05.json")).expect("sample");
    let reworded = hf.replacen("Despite rapid progress", "Despite much rapid progress", 1);
    assert_ne!(reworded, hf);
    let file = dir.path().join("hf-daily-2026-02-05.json");
    std::fs::write(&file, reworded).expect("write");
    let again = ingest(&file);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let count_after = |text: &str, start: &str, end: &str| -> usize {
        let line = text.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("no {start:?} in {text}"));
        line[start.len()..].split(end).next().and_then(|n| n.trim().parse().ok()).expect("a count")
    };
    let embedded = count_after(&again.stdout, "embedded: 1 papers, ", "passages");
    let kept = count_after(&again.stdout, "kept: ", "stored");
    assert!(embedded > 0 && kept > 0, "{}", again.stdout);
    // The progress line counts the passages the model embedded, not the ones kept.
    let progress = count_after(&again.stderr, "embedded 1/1 papers (", "/");
    assert_eq!(progress, embedded, "{}", again.stderr);
}

#[test]
fn a_script_reads_one_json_shape_from_the_command_line_and_the_http_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]).code, 0);
    let server = Server::start(dir.path());
    // `took_ms` is the one field that differs between two runs of the same request.
    let timeless = |mut answer: serde_json::Value| {
        if let Some(answer) = answer.as_object_mut() {
            answer.remove("took_ms");
        }
        answer
    };
    let pairs: [(&[&str], &str); 6] = [
        (&["search", "KV cache quantization", "--limit", "3"], "/api/search?q=KV+cache+quantization&limit=3"),
        // A Chinese query: the translations searched and the words left out, empty lists included.
        (&["search", "量化 模型", "--limit", "2"], "/api/search?q=%E9%87%8F%E5%8C%96+%E6%A8%A1%E5%9E%8B&limit=2"),
        (
            &["search", "video", "--sort", "date", "--section", "experiments"],
            "/api/search?q=video&sort=date&section=experiments",
        ),
        (&["related", "2602.02958", "--limit", "3"], "/api/papers/2602.02958/related?limit=3"),
        (&["show", "2602.02958"], "/api/papers/2602.02958"),
        // An author's name: the hits name the author.
        (&["search", "Yuanxing Zhang", "--limit", "3"], "/api/search?q=Yuanxing+Zhang&limit=3"),
    ];
    for (args, target) in pairs {
        let run = paperdex(dir.path(), &[args, &["--json"]].concat());
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let mut cli: serde_json::Value = serde_json::from_str(&run.stdout).expect("--json prints JSON");
        let (status, body) = http_get(server.addr(), target).expect("GET");
        assert_eq!(status, 200, "{target}: {body}");
        let http: serde_json::Value = serde_json::from_str(&body).expect("the API answers JSON");
        if args[0] == "show" {
            // `show --json` adds what the paper was merged from, after the API's fields.
            let records = cli.as_object_mut().and_then(|shown| shown.remove("records"));
            assert!(records.is_some_and(|r| r.as_array().is_some_and(|r| !r.is_empty())), "{args:?}: no records");
        }
        assert_eq!(timeless(cli), timeless(http), "{args:?} and {target} answer differently");
    }
}

#[test]
fn a_bad_line_in_the_index_folders_glossary_is_named_once_and_ingest_exits_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = sample();
    assert_eq!(paperdex(dir.path(), &["ingest", sample.to_str().expect("utf-8 path")]).code, 0);
    std::fs::write(dir.path().join("glossary.tsv"), "\u{feff}幻觉\thallucination\nbad line\n").expect("write");
    let run = paperdex(dir.path(), &["ingest", sample.to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 3, "as for a bad line of --glossary: {}", run.stderr);
    let named: Vec<&str> = run.stderr.lines().filter(|l| l.contains("glossary.tsv:2")).collect();
    assert_eq!(named.len(), 1, "{}", run.stderr);
    assert!(named[0].starts_with("warning: glossary: ") && named[0].contains("line skipped"), "{}", named[0]);
    // The byte-order mark a Windows editor writes is not part of the first term.
    let lexicon = paperdex(dir.path(), &["lexicon", "幻觉", "--json"]);
    assert!(lexicon.stdout.contains("hallucination"), "{}{}", lexicon.stdout, lexicon.stderr);
}

#[test]
fn an_answer_stdout_cannot_take_is_said_to_be_lost_not_blamed_on_the_index() {
    // `> /dev/full`: every write fails with "No space left on device".
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]).code, 0);
    let output = std::process::Command::new(crate::support::binary())
        .args(["--index", dir.path().to_str().expect("utf-8 path"), "--no-model", "search", "agent", "--json"])
        .env_remove("RUST_BACKTRACE")
        .stdout(full)
        .output()
        .expect("run paperdex");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "a failure, not a second panic (101): {stderr}");
    assert!(stderr.contains("standard output cannot be written"), "{stderr}");
    assert!(!stderr.contains("move the index folder away"), "the index is not at fault: {stderr}");
}

#[test]
fn an_index_is_readable_by_whoever_its_files_mode_lets_read_it() {
    // Tantivy renames its commit files into place made for their owner alone (0600); an index
    // a cron job builds must open for the server's user as the umask says.
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]).code, 0);
    let tantivy = dir.path().join("tantivy");
    let probe = tantivy.join("probe");
    std::fs::write(&probe, b"").expect("a file as the umask makes it");
    let mode = |path: &std::path::Path| std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777;
    for name in ["meta.json", ".managed.json"] {
        assert_eq!(mode(&tantivy.join(name)), mode(&probe), "{name}");
    }
}
