//! Readers are never blocked: `paperdex serve` answers every search, in every mode, while a
//! `paperdex ingest` writes to its index, and serves the new papers once they are committed
//! (vectors are picked up within a second, postings on commit), without a restart.

use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{
    CORPUS_SLICE_PAPERS, Server, assert_consistent, corpus, http_get, ingest_slice_args, paperdex_hashed, run_output,
};

/// A child process killed when the test ends, however it ends.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn json(addr: &str, path: &str) -> serde_json::Value {
    let (status, body) = http_get(addr, path).unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
}

fn hit_ids(answer: &serde_json::Value) -> Vec<String> {
    answer["hits"]
        .as_array()
        .map_or_else(Vec::new, |hits| hits.iter().filter_map(|h| h["id"].as_str().map(str::to_string)).collect())
}

#[test]
fn the_server_answers_every_search_during_an_ingest_and_serves_the_new_papers_after_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    let report = corpus().join("reports/2026-02-05.md");
    let first = run_output(paperdex_hashed(&index).arg("ingest").arg(&report));
    assert_eq!(first.code, 0, "{}", first.stderr);
    let server = Server::start_with(paperdex_hashed(&index));
    let addr = server.addr().to_string();

    // "Attention Is All You Need" is in the slice, not in the report; its abstract opens so.
    let new_paper = "1706.03762";
    let new_query = format!(
        "/api/search?limit=5&q={}",
        "The dominant sequence transduction models are based on complex recurrent or convolutional neural networks in an encoder-decoder configuration".replace(' ', "%20")
    );
    assert!(!hit_ids(&json(&addr, &format!("{new_query}&mode=bm25"))).contains(&new_paper.to_string()));
    assert_eq!(json(&addr, "/healthz")["papers"], 35);

    // Two clients search in a loop, in every mode, and ask for related papers; every answer
    // must be a 200.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let paths = [
        "/api/search?q=KV%20cache%20quantization&mode=hybrid",
        "/api/search?q=%E5%BC%BA%E5%8C%96%E5%AD%A6%E4%B9%A0%20%E5%A5%96%E5%8A%B1%E6%A8%A1%E5%9E%8B&mode=vector",
        "/api/search?q=diffusion%20model%20pathology&mode=bm25&limit=20",
        "/api/search?q=attention%20transformer&mode=hybrid&limit=50",
        "/api/papers/2602.02958/related?limit=10",
    ];
    let clients: Vec<_> = (0..2)
        .map(|client| {
            let (stop, answered, failures, addr) = (stop.clone(), answered.clone(), failures.clone(), addr.clone());
            std::thread::spawn(move || {
                let mut i = client;
                while !stop.load(Ordering::Relaxed) {
                    let path = paths[i % paths.len()];
                    i += 1;
                    match http_get(&addr, path) {
                        Ok((200, _)) => {
                            answered.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok((status, body)) => failures.lock().expect("lock").push(format!("{path}: {status} {body}")),
                        Err(error) => failures.lock().expect("lock").push(format!("{path}: {error}")),
                    }
                }
            })
        })
        .collect();

    let started = Instant::now();
    let mut ingest = Reaped(
        paperdex_hashed(&index)
            .args(ingest_slice_args())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ingest"),
    );
    let mut seen_papers = vec![35u64];
    // A probe's figures are one snapshot: a generation always counts the same papers.
    let mut papers_by_generation = std::collections::BTreeMap::<u64, std::collections::BTreeSet<u64>>::new();
    let status = loop {
        if let Some(status) = ingest.0.try_wait().expect("ingest status") {
            break status;
        }
        let health = json(&addr, "/healthz");
        let papers = health["papers"].as_u64().expect("papers");
        if seen_papers.last() != Some(&papers) {
            seen_papers.push(papers);
        }
        let generation = health["generation"].as_u64().expect("generation");
        papers_by_generation.entry(generation).or_default().insert(papers);
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(3), "the slice has rejected files on purpose");
    let during = answered.load(Ordering::Relaxed);
    let ingest_seconds = started.elapsed().as_secs_f64();

    // The new papers are served within a moment of the last commit, in every mode.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut missing = Vec::new();
    loop {
        missing.clear();
        if json(&addr, "/healthz")["papers"] != CORPUS_SLICE_PAPERS {
            missing.push("healthz".to_string());
        }
        for mode in ["bm25", "vector", "hybrid"] {
            let answer = json(&addr, &format!("{new_query}&mode={mode}"));
            if answer["mode"] != mode || !hit_ids(&answer).contains(&new_paper.to_string()) {
                missing.push(format!("{mode}: {}", answer["hits"].as_array().map_or(0, Vec::len)));
            }
        }
        if missing.is_empty() || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().expect("client thread");
    }
    let failures = failures.lock().expect("lock");
    eprintln!(
        "{during} requests answered during a {ingest_seconds:.1} s ingest, {} in all; paper counts seen: {seen_papers:?}",
        answered.load(Ordering::Relaxed)
    );
    assert!(failures.is_empty(), "{} requests failed, first: {:?}", failures.len(), failures.first());
    assert!(missing.is_empty(), "the new papers are not served after the ingest: {missing:?}");
    assert!(during >= 10, "too few requests ran during the ingest to tell: {during}");
    assert!(seen_papers.len() > 2, "commits were served as they landed, not all at the end: {seen_papers:?}");
    assert!(
        papers_by_generation.values().all(|counts| counts.len() == 1),
        "/healthz paired a generation with another's papers: {papers_by_generation:?}"
    );
    assert_consistent(&index);
}
