//! Meaning across languages, with the real model (`make test` fetches it): an English question
//! finds a paper summarised only in Chinese, a Chinese question a paper with only an English
//! abstract, ahead of off-topic papers written in the query's own language.

use std::path::Path;
use std::process::Command;

use crate::support::{binary, corpus, hit_ids, repo};

pub fn paperdex_with_model(index: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(binary())
        .arg("--index")
        .arg(index)
        .arg("--models")
        .arg(repo().join("models"))
        .args(args)
        .output()
        .expect("run paperdex");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Chinese-only summaries of 2024-06-24 papers beside English-only abstracts of 2024-07-01.
fn mixed_language_index(dir: &Path) {
    let zh = corpus().join("zh-glm/2024-06-24_HF_glms_api_clean.json");
    let en = corpus().join("hf-daily-api/2024-07-01.json");
    let (code, stdout, stderr) =
        paperdex_with_model(dir, &["ingest", zh.to_str().expect("path"), en.to_str().expect("path")]);
    assert!(
        !stderr.contains("embedding model not found") && !stderr.contains("ONNX Runtime could not be loaded"),
        "these tests need the model: run `models/fetch` (make test does)\n{stderr}"
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("embedded:"), "{stdout}");
}

fn top(dir: &Path, query: &str, mode: &str, n: usize) -> Vec<String> {
    let (code, stdout, stderr) =
        paperdex_with_model(dir, &["search", query, "--json", "--mode", mode, "--limit", &n.to_string()]);
    assert_eq!(code, 0, "{stderr}");
    let answer: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(answer["mode"], mode, "{answer}");
    hit_ids(&answer)
}

#[test]
fn queries_cross_languages_in_vector_and_hybrid_modes() {
    let dir = tempfile::tempdir().expect("tempdir");
    mixed_language_index(dir.path());
    // 2406.12624 "Judging the Judges" has only a Chinese summary here.
    let english = "LLM-as-a-judge alignment with human judgments";
    // 2406.19251 AutoRAG-HP has only an English abstract here.
    let chinese = "自动调节检索增强生成系统的超参数";
    for mode in ["vector", "hybrid"] {
        let hits = top(dir.path(), english, mode, 3);
        assert!(hits.contains(&"2406.12624".to_string()), "{mode}: {hits:?}");
        let hits = top(dir.path(), chinese, mode, 3);
        assert!(hits.contains(&"2406.19251".to_string()), "{mode}: {hits:?}");
    }
}

#[test]
fn a_question_in_traditional_characters_gets_the_answers_of_its_simplified_spelling() {
    let dir = tempfile::tempdir().expect("tempdir");
    mixed_language_index(dir.path());
    // A reader in Taiwan asks the Chinese question of the test above.
    let simplified = "自动调节检索增强生成系统的超参数";
    let traditional = "自動調節檢索增強生成系統的超參數";
    for mode in ["bm25", "vector", "hybrid"] {
        assert_eq!(top(dir.path(), traditional, mode, 5), top(dir.path(), simplified, mode, 5), "{mode}");
    }
    let answer = crate::support::search_json(dir.path(), traditional, &["--mode", "bm25"]);
    assert_eq!(answer["query"], traditional, "answered as written");
}

#[test]
fn reopening_and_reingesting_unchanged_files_embeds_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    mixed_language_index(dir.path());
    let zh = corpus().join("zh-glm/2024-06-24_HF_glms_api_clean.json");
    let (code, stdout, stderr) = paperdex_with_model(dir.path(), &["ingest", zh.to_str().expect("path")]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("0 new, 0 updated"), "{stdout}");
    assert!(!stdout.contains("embedded:"), "nothing to embed: {stdout}");
}

/// The whole corpus with embeddings: 20 minutes on a quiet 2-core machine, over an hour on a
/// busy one, so it only runs when asked:
/// `cargo test --release --test e2e -- --ignored whole_corpus`. Set `PAPERDEX_FULL_INDEX=DIR`
/// to build the index there and keep it (a later run finds every paper unchanged and goes
/// straight to the checks).
#[test]
#[ignore = "embeds the whole corpus (20-70 minutes); run with --ignored"]
fn whole_corpus_with_embeddings_hybrid_beats_both_retrievers_on_the_development_set() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let index = std::env::var_os("PAPERDEX_FULL_INDEX").map_or_else(|| scratch.path().to_path_buf(), Into::into);
    let folders: Vec<String> = ["reports", "hf-daily-api", "hf-daily-api-repaired", "zh-glm", "paper-md"]
        .iter()
        .map(|f| corpus().join(f).display().to_string())
        .collect();
    let mut ingest = vec!["ingest"];
    ingest.extend(folders.iter().map(String::as_str));
    let (code, stdout, stderr) = paperdex_with_model(&index, &ingest);
    assert_eq!(code, 3, "the corpus has malformed files on purpose\n{stderr}");
    assert!(stdout.contains("; 11337 in the index"), "{stdout}");

    // Ingesting again embeds nothing.
    let (_, again, _) = paperdex_with_model(&index, &ingest);
    assert!(again.contains("0 new, 0 updated, 11337 unchanged"), "{again}");
    assert!(!again.contains("embedded:"), "{again}");

    let hits = top(&index, "KV cache quantization", "hybrid", 3);
    assert!(hits.contains(&"2602.02958".to_string()), "{hits:?}");

    let args = crate::support::dev_set_args();
    let (code, stdout, stderr) = paperdex_with_model(&index, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{stderr}");
    let ndcg = crate::support::ndcg_by_mode(&stdout);
    assert!(ndcg["hybrid"] > ndcg["bm25"] && ndcg["hybrid"] > ndcg["vector"], "{ndcg:?}");
}
