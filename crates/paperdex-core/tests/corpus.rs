//! Ground truth on the real corpus (`shared/corpus`, beside the checkout).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use paperdex_core::{ParseError, PaperId, ParsedFile, SectionKind, SourceFormat, parse_bytes};

fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(
        dir.join("reports/2026-02-05.md").is_file(),
        "the test corpus is missing: expected it at {} (CI keeps shared/ beside the checkout)",
        dir.display()
    );
    dir
}

fn files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus().join(folder))
        .unwrap_or_else(|e| panic!("cannot list {folder}: {e}"))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn probe() {
    let started = Instant::now();
    let mut ids = HashSet::new();
    for folder in ["reports", "hf-daily-api", "hf-daily-api-repaired", "zh-glm", "paper-md"] {
        let mut errors: BTreeMap<String, usize> = BTreeMap::new();
        let mut n = 0;
        for file in files(folder) {
            let bytes = std::fs::read(&file).expect("read");
            match parse_bytes(&file.display().to_string(), &bytes) {
                Ok(parsed) => {
                    n += parsed.records.len();
                    for r in &parsed.rejected { eprintln!("REJ {} {:?}", file.display(), r); }
                    for r in parsed.records { ids.insert(r.id); }
                }
                Err(e) => {
                    let k = format!("{e}");
                    *errors.entry(k.chars().take(90).collect()).or_default() += 1;
                }
            }
        }
        eprintln!("{folder}: {n} records, errors {errors:#?}");
    }
    eprintln!("ids {} in {:?}", ids.len(), started.elapsed());
}

#[test]
fn dump() {
    let out = std::env::var("DUMP").unwrap_or_default();
    if out.is_empty() { return; }
    let mut all = Vec::new();
    for rel in out.split(',') {
        let file = corpus().join(rel);
        let bytes = std::fs::read(&file).expect("read");
        let parsed = parse_bytes(rel, &bytes).expect("parse");
        all.extend(parsed.records);
    }
    std::fs::write("/tmp/dump.json", serde_json::to_string_pretty(&all).expect("json")).expect("write");
}
