//! Running the binary and finding the data.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

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
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --release -p paperdex-cli` (make test does)",
        path.display()
    );
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
        // What the user sees: a panic's line without the backtrace a developer may ask for.
        .env_remove("RUST_BACKTRACE")
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
    answer["hits"].as_array().expect("hits").iter().map(|h| h["id"].as_str().expect("id").to_string()).collect()
}

/// A slice of the shared corpus in every format, 556 papers: the daily report, every fourth
/// Chinese summary file, every eighth paper markdown and every fortieth HF day (three of those
/// are weekend placeholders, rejected on purpose).
pub fn corpus_slice() -> Vec<PathBuf> {
    let every = |folder: &str, step: usize| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(corpus().join(folder))
            .expect("corpus folder")
            .map(|e| e.expect("corpus entry").path())
            .collect();
        files.sort();
        files.into_iter().step_by(step).collect()
    };
    let mut files = vec![corpus().join("reports/2026-02-05.md")];
    files.extend(every("zh-glm", 4));
    files.extend(every("paper-md", 8));
    files.extend(every("hf-daily-api", 40));
    files
}

/// Papers in [`corpus_slice`].
pub const CORPUS_SLICE_PAPERS: u64 = 556;

/// `paperdex --index <index>` with vectors from the test embedder (`PAPERDEX_EMBEDDER=hash`,
/// instant and deterministic) and a commit every 100 papers, so an ingest of
/// [`corpus_slice`] has vectors and several generations without the model.
pub fn paperdex_hashed(index: &Path) -> Command {
    let mut command = Command::new(binary());
    command
        .arg("--index")
        .arg(index)
        .env("PAPERDEX_EMBEDDER", "hash")
        .env("PAPERDEX_PAPERS_PER_GENERATION", "100")
        .env("NO_COLOR", "1");
    command
}

/// The arguments of `paperdex ingest` over [`corpus_slice`].
pub fn ingest_slice_args() -> Vec<std::ffi::OsString> {
    let mut args = vec![std::ffi::OsString::from("ingest")];
    args.extend(corpus_slice().into_iter().map(PathBuf::into_os_string));
    args
}

/// What a finished command printed, with its exit status.
pub fn run_output(command: &mut Command) -> Run {
    let output = command.output().expect("run paperdex");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every paper of the index at `index` with its content hash and its number of live passage
/// vectors: two indexes with equal snapshots hold the same papers with the same text and
/// vectors for it.
pub fn snapshot(index: &Path) -> std::collections::BTreeMap<String, (String, usize)> {
    let index = paperdex_index::PaperIndex::open(index).expect("open index");
    let vectors = index.vectors();
    index
        .papers()
        .expect("papers")
        .into_iter()
        .map(|paper| {
            let live = vectors.as_ref().map_or(0, |v| v.set.live_chunks_of(paper.id.as_str()).count());
            (paper.id.to_string(), (paper.content_hash(), live))
        })
        .collect()
}

/// Asserts the index's postings and vectors agree, returning the report.
pub fn assert_consistent(index: &Path) -> paperdex_index::ConsistencyReport {
    let report =
        paperdex_index::PaperIndex::open(index).expect("open index").consistency_report().expect("consistency report");
    assert!(report.agrees(), "postings and vectors disagree in {}: {report:#?}", index.display());
    report
}

/// A `paperdex serve` on an ephemeral port, stopped on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub url: String,
}

impl Server {
    /// Serves `index` keyword-only on a port the OS picks.
    pub fn start(index: &Path) -> Server {
        let mut command = Command::new(binary());
        command.arg("--index").arg(index).arg("--no-model");
        Server::start_with(command)
    }

    /// Runs `command` (a `paperdex` with its global options) as `serve` on a port the OS
    /// picks, and waits until it says where it listens.
    pub fn start_with(mut command: Command) -> Server {
        let mut child = command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start paperdex serve");
        let stdout = child.stdout.take().expect("stdout");
        // Keep reading its output so the pipe never fills or closes under it.
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let line = lines.recv_timeout(std::time::Duration::from_secs(30)).expect("serve prints where it listens");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Server { child, url }
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The development query set over the whole corpus (tests/eval/README.md says how it was made).
pub fn dev_set_args() -> Vec<String> {
    let eval = repo().join("tests/eval");
    vec![
        "eval".into(),
        "--queries".into(),
        eval.join("dev-queries.jsonl").display().to_string(),
        "--qrels".into(),
        eval.join("dev-qrels.txt").display().to_string(),
        "--json".into(),
    ]
}

/// nDCG@10 per mode from the JSON `paperdex eval --json` printed.
pub fn ndcg_by_mode(eval_json: &str) -> std::collections::BTreeMap<String, f64> {
    let report: serde_json::Value = serde_json::from_str(eval_json).expect("eval prints JSON");
    report["modes"]
        .as_array()
        .expect("modes")
        .iter()
        .map(|m| (m["mode"].as_str().expect("mode").to_string(), m["metrics"]["ndcg@10"].as_f64().expect("ndcg")))
        .collect()
}

/// `GET path` on `addr` (HTTP/1.1, connection closed after): the status and the body.
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { unchunk(body) } else { body.to_string() };
    Ok((status, body))
}

/// The body of a chunked HTTP/1.1 response.
fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}
