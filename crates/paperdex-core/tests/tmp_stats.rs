use std::collections::BTreeMap;
use paperdex_core::{parse_bytes, SectionKind};
#[test]
fn stats() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    for folder in ["paper-md", "zh-glm", "reports"] {
        let mut heads: BTreeMap<String, usize> = BTreeMap::new();
        let mut nobody = 0; let mut n = 0; let mut titles = 0; let mut tzh = 0;
        let mut samples: Vec<String> = Vec::new();
        for e in std::fs::read_dir(dir.join(folder)).unwrap() {
            let p = e.unwrap().path();
            let b = std::fs::read(&p).unwrap();
            let Ok(parsed) = parse_bytes(&p.display().to_string(), &b) else { continue };
            for r in parsed.records {
                n += 1;
                if r.title.is_some() { titles += 1 }
                if r.title_zh.is_some() { tzh += 1 }
                for s in &r.sections {
                    let key = format!("{:?}/{}", s.kind, s.heading.clone().unwrap_or_default());
                    *heads.entry(key.chars().take(40).collect()).or_default() += 1;
                    if s.kind == SectionKind::Body && s.heading.is_none() && folder == "paper-md" {
                        nobody += 1;
                        if samples.len() < 6 { samples.push(format!("{} :: {}", p.file_name().unwrap().to_string_lossy(), s.text.chars().take(200).collect::<String>())); }
                    }
                }
            }
        }
        let mut v: Vec<_> = heads.into_iter().collect(); v.sort_by_key(|x| std::cmp::Reverse(x.1));
        eprintln!("== {folder}: {n} records, {titles} titles, {tzh} zh titles, {nobody} headless bodies");
        for (k, c) in v.iter().take(40) { eprintln!("{c:6} {k}"); }
        for s in samples { eprintln!("  SAMPLE {s}"); }
    }
}
