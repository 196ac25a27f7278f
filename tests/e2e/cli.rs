//! The user's first minutes: ingest the sample, search it, look at a paper.

use crate::support::{hit_ids, paperdex, sample, search_json};

#[test]
fn ingest_the_sample_then_kv_cache_quantization_finds_quant_videogen_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = paperdex(dir.path(), &["ingest", sample().to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("35 new, 0 updated, 0 unchanged"), "{}", run.stdout);

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
}

#[test]
fn reingesting_the_same_files_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = sample();
    let path = path.to_str().expect("utf-8 path");
    paperdex(dir.path(), &["ingest", path]);
    let stats_before = paperdex(dir.path(), &["stats", "--json"]).stdout;
    let again = paperdex(dir.path(), &["ingest", path]);
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("0 new, 0 updated, 35 unchanged; 35 in the index"), "{}", again.stdout);
    let stats_after = paperdex(dir.path(), &["stats", "--json"]).stdout;
    let papers = |s: &str| serde_json::from_str::<serde_json::Value>(s).expect("stats json")["papers"].clone();
    assert_eq!(papers(&stats_before), papers(&stats_after));
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
    assert!(missing.stderr.contains("no paper with id 2602.99999"), "{}", missing.stderr);
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

    let run = paperdex(dir.path(), &["remove", "2602.04145", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(report["removed"][0], "2602.04145");
    assert_eq!(report["papers_total"], 33);

    // Ingesting the files again brings both back.
    let again = paperdex(dir.path(), &["ingest", sample]);
    assert!(again.stdout.contains("2 new, 0 updated, 33 unchanged; 35 in the index"), "{}", again.stdout);
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
