//! What every parser target checks about `paperdex_core::parse_bytes`'s answer, beyond "no
//! panic": what the index does next with the records must not panic either, and a paper must
//! survive the JSON round trip it takes into the paper store.

use paperdex_core::{parse_bytes, Paper, PaperId};

/// Parses `data` as the file `path` and runs everything an ingest runs on the records.
pub fn check_parse(path: &str, data: &[u8]) {
    let Ok(parsed) = parse_bytes(path, data) else { return };
    let mut papers: Vec<Paper> = Vec::new();
    for record in parsed.records {
        // Ids are canonical: parsing one again gives it back.
        assert_eq!(PaperId::parse(record.id.as_str()).as_ref(), Some(&record.id), "id {:?} is not canonical", record.id);
        match papers.iter_mut().find(|p| p.id == record.id) {
            Some(paper) => {
                let _ = paper.merge(record);
            }
            None => {
                let mut paper = Paper { id: record.id.clone(), records: Vec::new() };
                let _ = paper.merge(record);
                papers.push(paper);
            }
        }
    }
    for paper in &papers {
        let _ = (paper.title(), paper.title_zh(), paper.date(), paper.url(), paper.keywords(), paper.authors());
        let _ = (paper.sections(), paper.languages(), paper.content_hash());
        let json = serde_json::to_string(paper).expect("a paper serialises");
        let back: Paper = serde_json::from_str(&json).expect("a stored paper parses back");
        assert_eq!(&back, paper, "the paper store round trip changed the paper");
    }
}
