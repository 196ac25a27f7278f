//! The search page in headless Chromium (Debian's package; `tests/setup` installs it and
//! playwright-core): search `KV cache quantization`, see Quant VideoGen, open it, see its
//! related papers — at desktop and phone width.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::support::{binary, paperdex, repo, sample};

/// A `paperdex serve` on an ephemeral port, stopped on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(index: &std::path::Path) -> Server {
        let mut child = Command::new(binary())
            .arg("--index")
            .arg(index)
            .arg("--no-model")
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start paperdex serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("serve prints its URL");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_search_page_finds_a_paper_and_shows_its_related_papers() {
    let script = repo().join("tests/browser/search.mjs");
    assert!(
        repo().join("tests/browser/node_modules/playwright-core").exists(),
        "playwright-core is missing: run tests/setup (make test does)"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let run = paperdex(dir.path(), &["ingest", sample().to_str().expect("path")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let server = Server::start(dir.path());
    let shots = repo().join("target/browser-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let output = Command::new("node")
        .arg(&script)
        .args([server.url.as_str(), "KV cache quantization", "2602.02958"])
        .arg(&shots)
        .output()
        .expect("run node (Node.js is on every machine of this kind)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "browser test failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("ok desktop") && stdout.contains("ok phone"), "{stdout}");
}
