//! Running the binary and finding the data.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled sample: one daily report and the HF JSON of the same day.
pub fn sample() -> PathBuf {
    repo().join("tests/fixtures/sample")
}

/// The shared corpus beside the checkout (CI has the same copy).
pub fn corpus() -> PathBuf {
    let path = repo().join("../shared/corpus");
    assert!(path.join("README.md").exists(), "the shared corpus is missing at {}", path.display());
    path
}

/// The `paperdex` binary of this build.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/e2e-<hash> → target/<profile>/paperdex
    let path = exe.parent().and_then(Path::parent).expect("target folder").join("paperdex");
    assert!(path.exists(), "{} is missing: run `cargo build --release -p paperdex-cli` (make test does)", path.display());
    path
}

/// What one run printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `paperdex --index <index> --no-model <args>` (keyword-only, so tests do not depend on
/// the model unless they ask for it).
pub fn paperdex(index: &Path, args: &[&str]) -> Run {
    let output: Output = Command::new(binary())
        .arg("--index")
        .arg(index)
        .arg("--no-model")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run paperdex");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A search's JSON answer.
pub fn search_json(index: &Path, query: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["search", query, "--json"];
    args.extend_from_slice(extra);
    let run = paperdex(index, &args);
    assert_eq!(run.code, 0, "search {query:?} failed: {}", run.stderr);
    serde_json::from_str(&run.stdout).expect("search --json prints JSON")
}

/// The ids of a search's hits, best first.
pub fn hit_ids(answer: &serde_json::Value) -> Vec<String> {
    answer["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect()
}
