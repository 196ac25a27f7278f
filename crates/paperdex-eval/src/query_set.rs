//! Query sets: queries with their judgments, read from TREC-style files.
//!
//! - Queries as JSON lines: `{"id": "q1", "query": "KV cache quantization"}` (the id may be a
//!   number).
//! - Judgments as TREC qrels: `qid 0 docid grade` per line, white-space separated; grade 0
//!   means judged not relevant, above 0 relevant (graded), below 0 is read as 0.
//!
//! Every malformed line is an error naming the file and the line.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use paperdex_core::PaperId;
use serde_json::Value;

use crate::error::{EvalError, Result};
use crate::metrics::Judgments;

/// One query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Its id, as the judgments name it.
    pub id: String,
    /// The text to search for.
    pub text: String,
    /// What the query file says of the query besides its text, as `(field, value)` pairs in
    /// field order: every other field holding a short string (`"lang": "zh"`, `"kind":
    /// "question"`). `eval` scores the queries of each label apart.
    pub labels: Vec<(String, String)>,
}

/// Queries and the judgments of their results.
#[derive(Debug, Clone, Default)]
pub struct QuerySet {
    /// The queries, in file order.
    pub queries: Vec<Query>,
    /// Query id → judged documents.
    pub judgments: BTreeMap<String, Judgments>,
    /// The collection's own stop list (CACM's `common_words`), lower-case; usually empty.
    pub stop_words: HashSet<String>,
}

impl QuerySet {
    /// Reads queries (JSON lines) and TREC qrels. Document ids that are arXiv ids are
    /// normalised the way the index spells them (`2602.02958v2` → `2602.02958`).
    pub fn load_trec(queries: &Path, qrels: &Path) -> Result<QuerySet> {
        let queries_text = read_text(queries)?;
        let qrels_text = read_text(qrels)?;
        let judgments = parse_trec_qrels(qrels, &qrels_text, |doc| {
            PaperId::parse(doc).map_or_else(|| doc.to_string(), |id| id.to_string())
        })?;
        Ok(QuerySet { queries: parse_queries_jsonl(queries, &queries_text)?, judgments, stop_words: HashSet::new() })
    }
}

/// The longest string value read as a query's label: longer ones are notes, not groups.
const MAX_LABEL_CHARS: usize = 40;

/// Reads a UTF-8 text file, naming the file on failure.
fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(EvalError::io(path))?;
    String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count();
        EvalError::parse(path, line, "not UTF-8 text")
    })
}

/// Parses TREC qrels (`qid iteration docid grade`); `doc_id` maps each document id to the
/// spelling the index uses. A `#` starts a comment (our judged sets say why each grade was
/// given); document ids never contain one.
pub fn parse_trec_qrels(
    path: &Path,
    text: &str,
    doc_id: impl Fn(&str) -> String,
) -> Result<BTreeMap<String, Judgments>> {
    let mut judgments: BTreeMap<String, Judgments> = BTreeMap::new();
    // Where each pair was judged: the same pair judged twice alike is harmless, judged two
    // ways it is a mistake that would silently change the scores.
    let mut judged_at: HashMap<(String, String), usize> = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or_default();
        let fields: Vec<&str> = content.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let fail = |reason: String| EvalError::parse(path, number + 1, reason);
        let [qid, _iteration, doc, grade] = fields[..] else {
            return Err(fail(format!("expected 4 fields `qid 0 docid grade`, found {}: {line:?}", fields.len())));
        };
        let grade: i64 = grade
            .parse()
            .map_err(|_| fail(format!("the grade {grade:?} is not an integer (expected `qid 0 docid grade`)")))?;
        let grade = u32::try_from(grade.max(0)).unwrap_or(u32::MAX);
        let doc = doc_id(doc);
        let earlier = judgments.entry(qid.to_string()).or_default().insert(doc.clone(), grade);
        match judged_at.entry((qid.to_string(), doc)) {
            std::collections::hash_map::Entry::Occupied(first) if earlier != Some(grade) => {
                return Err(fail(format!(
                    "query {qid:?} judges {:?} again, with another grade ({grade}, line {} gave {}): keep one",
                    first.key().1,
                    first.get(),
                    earlier.unwrap_or_default()
                )));
            }
            std::collections::hash_map::Entry::Occupied(_) => {}
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(number + 1);
            }
        }
    }
    if judgments.is_empty() {
        return Err(EvalError::Collection { path: path.into(), reason: "no judgments in this file".into() });
    }
    Ok(judgments)
}

/// Parses queries as JSON lines: `{"id": "...", "query": "..."}`; blank lines are skipped.
pub fn parse_queries_jsonl(path: &Path, text: &str) -> Result<Vec<Query>> {
    let mut queries = Vec::new();
    let mut seen = HashSet::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fail = |reason: String| EvalError::parse(path, number + 1, reason);
        let value: Value = serde_json::from_str(line).map_err(|e| fail(format!("not JSON: {e}")))?;
        let id = match value.get("id") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(fail("expected `{\"id\": \"...\", \"query\": \"...\"}`: `id` is missing or empty".into())),
        };
        let Some(Value::String(text)) = value.get("query") else {
            return Err(fail(format!("query {id}: `query` is missing or not a string")));
        };
        if !seen.insert(id.clone()) {
            return Err(fail(format!("query id {id} appears twice")));
        }
        let labels = match &value {
            Value::Object(fields) => fields
                .iter()
                .filter(|(field, _)| !matches!(field.as_str(), "id" | "query"))
                .filter_map(|(field, value)| match value {
                    Value::String(label) if !label.trim().is_empty() && label.chars().count() <= MAX_LABEL_CHARS => {
                        Some((field.clone(), label.trim().to_string()))
                    }
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        queries.push(Query { id, text: text.clone(), labels });
    }
    if queries.is_empty() {
        return Err(EvalError::Collection { path: path.into(), reason: "no queries in this file".into() });
    }
    Ok(queries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qrels(text: &str) -> Result<BTreeMap<String, Judgments>> {
        parse_trec_qrels(Path::new("run/qrels.txt"), text, str::to_string)
    }

    #[test]
    fn qrels_may_carry_comments_saying_why() {
        let got = qrels("# judged by hand\nq1 0 2602.02958 2  # 2-bit KV-cache quantization\n").expect("parses");
        assert_eq!(got["q1"]["2602.02958"], 2);
        assert_eq!(got["q1"].len(), 1);
    }

    #[test]
    fn qrels_lines_become_graded_judgments() {
        let got = qrels("q1 0 2602.02958 2\nq1 0 2602.00001 0\n\nq2 0 cs/0501001 1\nq2 0 x -1\n").expect("parses");
        assert_eq!(got["q1"]["2602.02958"], 2);
        assert_eq!(got["q1"]["2602.00001"], 0);
        assert_eq!(got["q2"]["cs/0501001"], 1);
        assert_eq!(got["q2"]["x"], 0, "negative grades read as not relevant");
    }

    #[test]
    fn a_short_qrels_line_names_file_and_line() {
        let error = qrels("q1 0 a 1\nq1 a 1\n").expect_err("three fields").to_string();
        assert!(error.starts_with("run/qrels.txt:2: expected 4 fields"), "{error}");
    }

    #[test]
    fn a_pair_judged_two_ways_names_both_lines_and_one_judged_twice_alike_is_kept() {
        let error = qrels("q1 0 a 2\nq1 0 b 1\nq1 0 a 0\n").expect_err("two grades").to_string();
        assert!(error.starts_with("run/qrels.txt:3: query \"q1\" judges \"a\" again"), "{error}");
        assert!(error.contains("line 1 gave 2"), "{error}");
        let got = qrels("q1 0 a 2\nq1 0 a 2\n").expect("the same grade twice");
        assert_eq!(got["q1"]["a"], 2);
    }

    #[test]
    fn a_non_numeric_grade_names_file_and_line() {
        let error = qrels("q1 0 a high\n").expect_err("bad grade").to_string();
        assert!(error.contains("run/qrels.txt:1:") && error.contains("\"high\""), "{error}");
    }

    #[test]
    fn a_querys_other_short_string_fields_are_its_labels() {
        let line = r#"{"id": "d1", "query": "强化学习", "lang": "zh", "kind": "keyword", "note": "a long remark that says far more than a group name would", "n": 3}"#;
        let queries = parse_queries_jsonl(Path::new("q.jsonl"), line).expect("parses");
        let labels: Vec<(&str, &str)> = queries[0].labels.iter().map(|(f, v)| (f.as_str(), v.as_str())).collect();
        assert_eq!(labels, [("kind", "keyword"), ("lang", "zh")]);
    }

    #[test]
    fn arxiv_doc_ids_are_normalised_on_load() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (q, r) = (dir.path().join("q.jsonl"), dir.path().join("qrels"));
        std::fs::write(&q, "{\"id\": 7, \"query\": \"kv cache\"}\n").expect("write");
        std::fs::write(&r, "7 0 2602.02958v2 1\n7 0 not-arxiv 1\n").expect("write");
        let set = QuerySet::load_trec(&q, &r).expect("loads");
        assert_eq!(set.queries, vec![Query { id: "7".into(), text: "kv cache".into(), labels: Vec::new() }]);
        assert!(set.judgments["7"].contains_key("2602.02958"));
        assert!(set.judgments["7"].contains_key("not-arxiv"));
    }

    #[test]
    fn malformed_query_lines_name_file_and_line() {
        let path = Path::new("q.jsonl");
        let cases = [
            ("{\"id\": \"a\", \"query\": \"x\"}\nnot json\n", "q.jsonl:2: not JSON"),
            ("{\"query\": \"x\"}\n", "q.jsonl:1: expected"),
            ("{\"id\": \"a\", \"text\": \"x\"}\n", "q.jsonl:1: query a: `query` is missing"),
            (
                "{\"id\": \"a\", \"query\": \"x\"}\n{\"id\": \"a\", \"query\": \"y\"}\n",
                "q.jsonl:2: query id a appears twice",
            ),
        ];
        for (text, want) in cases {
            let error = parse_queries_jsonl(path, text).expect_err(want).to_string();
            assert!(error.starts_with(want), "{error} should start with {want}");
        }
    }
}
