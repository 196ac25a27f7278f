//! Test collections in the SMART format (CACM, CISI, CRAN, MED...), turned into records the
//! index can hold and a [`QuerySet`] to score them with.
//!
//! A SMART file is a run of entries, each opened by `.I <number>` and made of fields opened by
//! a line holding only a marker: `.T` title, `.W` text (abstract, or the query itself), `.A`
//! authors (one per line), `.K` keywords, and fields this crate ignores (`.B` source, `.N`,
//! `.X` citations, `.C` categories). Files are latin-1. Judgments are lines
//! `qid docid ...` (CACM `qrels.text`: `01 1410 0 0`; CISI `CISI.REL`: `1 28 0 0.000000`),
//! binary: every listed pair is relevant.
//!
//! A folder holds one collection: the documents in `*.all`, the queries in `query.text` or
//! `*.qry`, the judgments in `qrels.text` or `*.rel`, and optionally a stop list in
//! `common_words` (CACM). Only a query's `.W` is searched for, as is usual for these
//! collections (CISI's `.T`/`.A` of some queries describe a sample document, not the need).
//!
//! Documents are numbered, not arXiv papers; each gets the id `<name>/<number, 7 digits>`
//! (`cacm/0000042`), which [`PaperId::parse`] accepts as an old-style arXiv id, so the index
//! needs no special case.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use paperdex_core::{PaperId, Record, Section, SectionKind, Source, SourceFormat};

use crate::error::{EvalError, Result};
use crate::query_set::{Query, QuerySet};

/// One document of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartDocument {
    /// Its number (`.I`).
    pub number: u32,
    /// `.T`, on one line; empty when missing.
    pub title: String,
    /// `.W`; empty when missing (most CACM documents have a title only).
    pub text: String,
    /// `.A`, one name per line.
    pub authors: Vec<String>,
    /// `.K`, split at commas and semicolons.
    pub keywords: Vec<String>,
}

/// A whole collection, read from its folder.
#[derive(Debug, Clone)]
pub struct SmartCollection {
    /// A short lower-case name from the folder (`cacm`), the namespace of document ids.
    pub name: String,
    /// The folder.
    pub folder: PathBuf,
    /// The documents file.
    pub documents_path: PathBuf,
    /// The documents, in file order.
    pub documents: Vec<SmartDocument>,
    /// Queries with text, and the judgments (document ids as [`SmartCollection::paper_id`]).
    pub query_set: QuerySet,
    /// Ids of queries that had no `.W` text and were left out.
    pub queries_without_text: Vec<String>,
    /// Judged document numbers that are not in the documents file.
    pub judged_missing_documents: usize,
}

impl SmartCollection {
    /// Reads the collection in `folder`.
    pub fn load(folder: &Path) -> Result<SmartCollection> {
        let documents_path = find_file(folder, "documents", |n| n.ends_with(".all"))?;
        let queries_path = find_file(folder, "queries", |n| n == "query.text" || n.ends_with(".qry"))?;
        let qrels_path = find_file(folder, "judgments", |n| n == "qrels.text" || n.ends_with(".rel"))?;
        let name = collection_name(folder);

        let documents = parse_documents(&documents_path, &read_latin1(&documents_path)?)?;
        let known: HashSet<u32> = documents.iter().map(|d| d.number).collect();
        let (queries, queries_without_text) = parse_queries(&queries_path, &read_latin1(&queries_path)?)?;
        let pairs = parse_qrels(&qrels_path, &read_latin1(&qrels_path)?)?;
        let judged_missing_documents = pairs.iter().filter(|(_, doc)| !known.contains(doc)).count();
        let mut judgments: BTreeMap<String, HashMap<String, u32>> = BTreeMap::new();
        for (query, doc) in pairs {
            let id = paper_id(&name, doc).ok_or_else(|| EvalError::Collection {
                path: qrels_path.clone(),
                reason: format!("document number {doc} is too large for a 7-digit id"),
            })?;
            judgments.entry(query.to_string()).or_default().insert(id.to_string(), 1);
        }
        let stop_words = match std::fs::read(folder.join("common_words")) {
            Ok(bytes) => latin1(&bytes).split_whitespace().map(str::to_lowercase).collect(),
            Err(_) => HashSet::new(),
        };
        Ok(SmartCollection {
            name,
            folder: folder.to_path_buf(),
            documents_path,
            documents,
            query_set: QuerySet { queries, judgments, stop_words },
            queries_without_text,
            judged_missing_documents,
        })
    }

    /// The paper id of document `number`: `<name>/<number, 7 digits>`.
    pub fn paper_id(&self, number: u32) -> Option<PaperId> {
        paper_id(&self.name, number)
    }

    /// The documents as records: title, `.W` as the abstract, authors and keywords.
    pub fn records(&self) -> Result<Vec<Record>> {
        let source = Source {
            path: std::path::absolute(&self.documents_path)
                .unwrap_or_else(|_| self.documents_path.clone())
                .display()
                .to_string(),
            // The closest of the formats the model knows: one paper, title and abstract.
            format: SourceFormat::PaperMarkdown,
            date: None,
        };
        self.documents
            .iter()
            .map(|doc| {
                let id = self.paper_id(doc.number).ok_or_else(|| EvalError::Collection {
                    path: self.documents_path.clone(),
                    reason: format!("document number {} is too large for a 7-digit id", doc.number),
                })?;
                let mut record = Record::new(id, source.clone());
                record.title = (!doc.title.is_empty()).then(|| doc.title.clone());
                record.authors = doc.authors.clone();
                record.keywords = doc.keywords.clone();
                if !doc.text.is_empty() {
                    record.sections.push(Section::new(SectionKind::Abstract, doc.text.clone()));
                }
                Ok(record)
            })
            .collect()
    }
}

fn paper_id(name: &str, number: u32) -> Option<PaperId> {
    (number <= 9_999_999).then(|| PaperId::parse(&format!("{name}/{number:07}"))).flatten()
}

/// The id namespace of a collection: the folder's name, lower-case letters only.
fn collection_name(folder: &Path) -> String {
    let raw = std::path::absolute(folder)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_lowercase()))
        .unwrap_or_default();
    let name: String = raw.chars().filter(char::is_ascii_lowercase).collect();
    if name.is_empty() { "smart".into() } else { name }
}

/// The one file in `folder` whose lower-case name satisfies `wanted`.
fn find_file(folder: &Path, what: &str, wanted: impl Fn(&str) -> bool) -> Result<PathBuf> {
    let entries = std::fs::read_dir(folder).map_err(EvalError::io(folder))?;
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| wanted(&n.to_string_lossy().to_lowercase())))
        .collect();
    found.sort();
    let expected = match what {
        "documents" => "a file named *.all (cacm.all, CISI.ALL)",
        "queries" => "query.text or a file named *.qry",
        _ => "qrels.text or a file named *.rel",
    };
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(EvalError::Collection {
            path: folder.into(),
            reason: format!("no {what} file: expected {expected} in this SMART collection folder"),
        }),
        _ => Err(EvalError::Collection {
            path: folder.into(),
            reason: format!(
                "more than one {what} file ({}): expected exactly one",
                found.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            ),
        }),
    }
}

/// Reads a latin-1 file (every byte is a character, so reading never fails on content).
fn read_latin1(path: &Path) -> Result<String> {
    Ok(latin1(&std::fs::read(path).map_err(EvalError::io(path))?))
}

/// Decodes latin-1: byte `b` is U+00`b`.
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// One `.I` entry: its number, the line it starts on and its fields in order.
#[derive(Debug)]
struct Entry {
    number: u32,
    fields: Vec<(char, String)>,
}

impl Entry {
    /// The text of every `marker` field, joined.
    fn field(&self, marker: char) -> String {
        let parts: Vec<&str> =
            self.fields.iter().filter(|(m, _)| *m == marker).map(|(_, t)| t.trim()).filter(|t| !t.is_empty()).collect();
        parts.join("\n")
    }
}

/// Splits a SMART file into entries. `what` names the entries in messages ("document").
fn parse_entries(path: &Path, text: &str, what: &str) -> Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut first_line: HashMap<u32, usize> = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim_end_matches('\r');
        let marker = line.trim_end();
        if let Some(rest) = marker.strip_prefix(".I").filter(|r| r.is_empty() || r.starts_with(char::is_whitespace)) {
            let number: u32 = rest.trim().parse().map_err(|_| {
                EvalError::parse(path, line_no, format!("`.I` must be followed by a {what} number, found {line:?}"))
            })?;
            if let Some(first) = first_line.insert(number, line_no) {
                return Err(EvalError::parse(
                    path,
                    line_no,
                    format!("{what} {number} appears twice (first at line {first})"),
                ));
            }
            entries.push(Entry { number, fields: Vec::new() });
            continue;
        }
        let bytes = marker.as_bytes();
        if bytes.len() == 2 && bytes[0] == b'.' && bytes[1].is_ascii_uppercase() {
            let Some(entry) = entries.last_mut() else {
                return Err(EvalError::parse(path, line_no, format!("field {marker} before the first `.I` line")));
            };
            entry.fields.push((char::from(bytes[1]), String::new()));
            continue;
        }
        match entries.last_mut() {
            None if line.trim().is_empty() => {}
            None => {
                return Err(EvalError::parse(
                    path,
                    line_no,
                    format!("text before the first `.I` line; is this a SMART file? found {:?}", clip(line)),
                ));
            }
            Some(entry) => match entry.fields.last_mut() {
                Some((_, text)) => {
                    text.push_str(line);
                    text.push('\n');
                }
                None if line.trim().is_empty() => {}
                None => {
                    return Err(EvalError::parse(
                        path,
                        line_no,
                        format!("text of {what} {} outside any field (expected .T, .W, .A... first)", entry.number),
                    ));
                }
            },
        }
    }
    if entries.is_empty() {
        return Err(EvalError::Collection {
            path: path.into(),
            reason: format!("no `.I` entries: no {what} in this file"),
        });
    }
    Ok(entries)
}

fn clip(line: &str) -> String {
    line.chars().take(60).collect()
}

/// Runs of white space as single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses a documents file (`cacm.all`, `CISI.ALL`).
pub fn parse_documents(path: &Path, text: &str) -> Result<Vec<SmartDocument>> {
    Ok(parse_entries(path, text, "document")?
        .into_iter()
        .map(|entry| SmartDocument {
            number: entry.number,
            title: one_line(&entry.field('T')),
            text: entry.field('W'),
            authors: entry.field('A').lines().map(str::trim).filter(|a| !a.is_empty()).map(str::to_string).collect(),
            keywords: entry
                .field('K')
                .split([',', ';', '\n'])
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
        })
        .collect())
}

/// Parses a queries file (`query.text`, `CISI.QRY`): each query's `.W` on one line. Returns the
/// queries with text and the ids of those without.
pub fn parse_queries(path: &Path, text: &str) -> Result<(Vec<Query>, Vec<String>)> {
    let mut queries = Vec::new();
    let mut without_text = Vec::new();
    for entry in parse_entries(path, text, "query")? {
        let text = one_line(&entry.field('W'));
        if text.is_empty() {
            without_text.push(entry.number.to_string());
        } else {
            queries.push(Query { id: entry.number.to_string(), text, labels: Vec::new() });
        }
    }
    Ok((queries, without_text))
}

/// Parses SMART judgments: `qid docid` and anything after, one pair per line; both numbers
/// (`01` is query 1).
pub fn parse_qrels(path: &Path, text: &str) -> Result<Vec<(u32, u32)>> {
    let mut pairs = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let fail = |reason: String| EvalError::parse(path, index + 1, reason);
        if fields.len() < 2 {
            return Err(fail(format!("expected `query-number document-number ...`, found {:?}", clip(line))));
        }
        let number = |field: &str, what: &str| {
            field.parse::<u32>().map_err(|_| fail(format!("the {what} number {field:?} is not a number")))
        };
        pairs.push((number(fields[0], "query")?, number(fields[1], "document")?));
    }
    if pairs.is_empty() {
        return Err(EvalError::Collection { path: path.into(), reason: "no judgments in this file".into() });
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CACM_SNIPPET: &[u8] = b".I 1\n.T\nPreliminary Report-International Algebraic Language\n.B\nCACM December, 1958\n.A\nPerlis, A. J.\nSamelson,K.\n.N\nCA581203 JB March 22, 1978  8:28 PM\n.X\n100\t5\t1\n.I 2\n.T\nExtraction of Roots by\nRepeated Subtractions\n.W\n   A method for the r\xe9sum\xe9 of roots.\nSecond line.\n.K\nroots, subtraction; digital\n.B\nCACM December, 1958\n";

    fn docs(bytes: &[u8]) -> Result<Vec<SmartDocument>> {
        parse_documents(Path::new("coll/cacm.all"), &latin1(bytes))
    }

    #[test]
    fn documents_keep_title_text_authors_and_keywords() {
        let got = docs(CACM_SNIPPET).expect("parses");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].number, 1);
        assert_eq!(got[0].title, "Preliminary Report-International Algebraic Language");
        assert_eq!(got[0].text, "", "a missing .W is an empty text");
        assert_eq!(got[0].authors, vec!["Perlis, A. J.", "Samelson,K."]);
        assert!(got[0].keywords.is_empty());
        assert_eq!(got[1].title, "Extraction of Roots by Repeated Subtractions", "titles are joined onto one line");
        assert_eq!(got[1].text, "A method for the résumé of roots.\nSecond line.", "latin-1 é decoded");
        assert_eq!(got[1].keywords, vec!["roots", "subtraction", "digital"]);
        assert!(got[1].authors.is_empty());
    }

    #[test]
    fn markers_with_trailing_space_and_crlf_lines_are_markers() {
        let got = docs(b".I 7\r\n.T \r\nUse Made of Libraries\r\n.W\r\nText.\r\n").expect("parses");
        assert_eq!(got[0].title, "Use Made of Libraries");
        assert_eq!(got[0].text, "Text.");
    }

    #[test]
    fn a_text_line_that_merely_starts_with_a_dot_is_text() {
        let got = docs(b".I 3\n.W\n.5 percent of .IN files\n.Iowa\n").expect("parses");
        assert_eq!(got[0].text, ".5 percent of .IN files\n.Iowa");
    }

    #[test]
    fn malformed_documents_name_file_and_line() {
        let cases: [(&[u8], &str); 5] = [
            (b"junk\n.I 1\n", "coll/cacm.all:1: text before the first `.I` line"),
            (b".I one\n", "coll/cacm.all:1: `.I` must be followed by a document number"),
            (b".I 1\n.T\nA\n.I 1\n", "coll/cacm.all:4: document 1 appears twice (first at line 1)"),
            (b".I 1\nstray text\n", "coll/cacm.all:2: text of document 1 outside any field"),
            (b"\n\n", "coll/cacm.all: no `.I` entries"),
        ];
        for (bytes, want) in cases {
            let error = docs(bytes).expect_err(want).to_string();
            assert!(error.starts_with(want), "{error:?} should start with {want:?}");
        }
    }

    #[test]
    fn queries_without_text_are_set_aside() {
        let text = ".I 1\n.W\n What articles exist which deal\nwith TSS?\n.N\n 1. Richard\n.I 2\n.A\nPooch, U.\n.I 3\n.T\nA title\n.W\nOnly the W.\n";
        let (queries, without) = parse_queries(Path::new("query.text"), text).expect("parses");
        assert_eq!(
            queries,
            vec![
                Query { id: "1".into(), text: "What articles exist which deal with TSS?".into(), labels: Vec::new() },
                Query { id: "3".into(), text: "Only the W.".into(), labels: Vec::new() },
            ]
        );
        assert_eq!(without, vec!["2"]);
    }

    #[test]
    fn qrels_of_both_spellings_parse_and_bad_lines_name_file_and_line() {
        let cacm = parse_qrels(Path::new("qrels.text"), "01 1410  0 0\n64 2020 0 0\n").expect("cacm");
        assert_eq!(cacm, vec![(1, 1410), (64, 2020)]);
        let cisi = parse_qrels(Path::new("CISI.REL"), "     1     28\t0\t0.000000\n\n").expect("cisi");
        assert_eq!(cisi, vec![(1, 28)]);
        let error = parse_qrels(Path::new("CISI.REL"), "1 28 0 0\n1\n").expect_err("one field").to_string();
        assert!(error.starts_with("CISI.REL:2: expected `query-number document-number"), "{error}");
        let error = parse_qrels(Path::new("CISI.REL"), "1 2x 0 0\n").expect_err("bad number").to_string();
        assert!(error.starts_with("CISI.REL:1: the document number \"2x\""), "{error}");
    }

    #[test]
    fn document_ids_are_old_style_arxiv_ids_in_the_collection_namespace() {
        let id = paper_id("cacm", 42).expect("fits");
        assert_eq!(id.as_str(), "cacm/0000042");
        assert_eq!(PaperId::parse(id.as_str()), Some(id), "the index can look it up again");
        assert_eq!(paper_id("cacm", 10_000_000), None);
        assert_eq!(collection_name(Path::new("../shared/corpus/CISI")), "cisi");
        assert_eq!(collection_name(Path::new("/tmp/med-1")), "med");
    }

    #[test]
    fn a_folder_is_read_as_one_collection() {
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = dir.path().join("tiny");
        std::fs::create_dir(&folder).expect("mkdir");
        std::fs::write(folder.join("TINY.ALL"), CACM_SNIPPET).expect("write");
        std::fs::write(folder.join("TINY.QRY"), ".I 1\n.W\nroots\n.I 2\n.W\nnothing judged\n").expect("write");
        std::fs::write(folder.join("TINY.REL"), "1 2 0 0\n1 9 0 0\n").expect("write");
        std::fs::write(folder.join("common_words"), "a\nThe\n").expect("write");
        let c = SmartCollection::load(&folder).expect("loads");
        assert_eq!(c.name, "tiny");
        assert_eq!(c.documents.len(), 2);
        assert_eq!(c.query_set.queries.len(), 2);
        assert_eq!(c.query_set.judgments["1"]["tiny/0000002"], 1);
        assert_eq!(c.judged_missing_documents, 1, "document 9 is judged but absent");
        assert!(c.query_set.stop_words.contains("the"));
        let records = c.records().expect("records");
        assert_eq!(records[1].id.as_str(), "tiny/0000002");
        assert_eq!(records[1].sections[0].kind, SectionKind::Abstract);
        assert!(records[0].sections.is_empty());

        std::fs::remove_file(folder.join("TINY.REL")).expect("rm");
        let error = SmartCollection::load(&folder).expect_err("no qrels").to_string();
        assert!(error.contains("no judgments file: expected qrels.text or a file named *.rel"), "{error}");
    }
}
