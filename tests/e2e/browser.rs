//! The search page in headless Chromium (Debian's package; `tests/setup` installs it and
//! playwright-core): open it on the newest papers, search `KV cache quantization`, see Quant VideoGen, open it, see its
//! related papers; then search `MMLU` in the experiments sections, newest first, from the
//! filter controls; open a hand-typed URL whose values are spelt otherwise and see the
//! controls show them; search a name and see which author each hit is by; page on through a failed "More results"; then see which words of a
//! Chinese query were left out; see what a quoted phrase and a minused word asked; list what
//! came out since a day with nothing typed — at desktop and phone width.

use std::process::Command;

use crate::support::{Server, paperdex, repo, sample};

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
    assert!(stdout.contains("ok desktop filtered") && stdout.contains("ok phone filtered"), "{stdout}");
    assert!(stdout.contains("ok desktop typed URL") && stdout.contains("ok phone typed URL"), "{stdout}");
    assert!(stdout.contains("ok desktop author") && stdout.contains("ok phone author"), "{stdout}");
    assert!(stdout.contains("ok desktop more") && stdout.contains("ok phone more"), "{stdout}");
    assert!(stdout.contains("ok desktop notes") && stdout.contains("ok phone notes"), "{stdout}");
    assert!(stdout.contains("ok desktop marks") && stdout.contains("ok phone marks"), "{stdout}");
    assert!(stdout.contains("ok desktop newest") && stdout.contains("ok phone newest"), "{stdout}");
}
