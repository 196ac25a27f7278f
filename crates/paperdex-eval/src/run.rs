//! Running a query set through a [`SearchEngine`] in every mode and scoring the rankings.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use paperdex_embed::Embedder;
use paperdex_index::{
    IngestObserver, MAX_QUERY_CHARS, PaperIndex, Pruning, RankerConfig, SearchEngine, SearchMode, SearchRequest,
};
use serde::Serialize;

use crate::error::{EvalError, Result};
use crate::metrics::{self, Judgments};
use crate::query_set::{Query, QuerySet};
use crate::smart::SmartCollection;

/// How deep each ranking is read: Recall@100 and MAP look at the top 100.
pub const DEPTH: usize = 100;

/// What to run.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// The modes, in the order their columns are shown.
    pub modes: Vec<SearchMode>,
    /// Drop the words of the collection's stop list ([`QuerySet::stop_words`]) from queries
    /// before searching. An experiment: the engine's own analysis is what is being measured.
    pub strip_stop_words: bool,
    /// Build a SMART collection's index in this folder and keep it, instead of a throw-away
    /// one: a later run over the same folder finds every paper unchanged and embeds nothing.
    pub keep_index: Option<PathBuf>,
    /// How hybrid fuses its lists, for the engine [`evaluate_smart`] builds (the other entry
    /// points are given an engine, ranker included).
    pub ranker: RankerConfig,
    /// When BM25 retrieval prunes, for the index [`evaluate_smart`] builds.
    pub pruning: Pruning,
}

impl Default for EvalOptions {
    fn default() -> EvalOptions {
        EvalOptions {
            modes: vec![SearchMode::Bm25, SearchMode::Vector, SearchMode::Hybrid],
            strip_stop_words: false,
            keep_index: None,
            ranker: RankerConfig::default(),
            pruning: Pruning::default(),
        }
    }
}

/// The mean scores of a mode over the scored queries (or one query's scores).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// nDCG@10, gain 2^g − 1, log2 discount.
    #[serde(rename = "ndcg@10")]
    pub ndcg_10: f64,
    /// Reciprocal rank of the first relevant hit in the top 10.
    #[serde(rename = "mrr@10")]
    pub mrr_10: f64,
    /// Share of relevant documents in the top 10.
    #[serde(rename = "recall@10")]
    pub recall_10: f64,
    /// Share of relevant documents in the top 100.
    #[serde(rename = "recall@100")]
    pub recall_100: f64,
    /// Average precision over the top 100 (MAP when averaged).
    pub map: f64,
    /// Share of the top 10 that is judged at all: the other metrics count an unjudged hit as
    /// not relevant, so below 1 they may understate a ranker that finds papers the pools missed.
    #[serde(rename = "judged@10")]
    pub judged_10: f64,
}

impl Metrics {
    /// The scores of one ranking.
    pub fn of<S: AsRef<str>>(ranking: &[S], judgments: &Judgments) -> Metrics {
        Metrics {
            ndcg_10: metrics::ndcg_at(ranking, judgments, 10),
            mrr_10: metrics::reciprocal_rank_at(ranking, judgments, 10),
            recall_10: metrics::recall_at(ranking, judgments, 10),
            recall_100: metrics::recall_at(ranking, judgments, DEPTH),
            map: metrics::average_precision_at(ranking, judgments, DEPTH),
            judged_10: metrics::judged_at(ranking, judgments, 10),
        }
    }

    fn mean(all: &[Metrics]) -> Metrics {
        let n = all.len().max(1) as f64;
        let sum = |f: fn(&Metrics) -> f64| all.iter().map(f).sum::<f64>() / n;
        Metrics {
            ndcg_10: sum(|m| m.ndcg_10),
            mrr_10: sum(|m| m.mrr_10),
            recall_10: sum(|m| m.recall_10),
            recall_100: sum(|m| m.recall_100),
            map: sum(|m| m.map),
            judged_10: sum(|m| m.judged_10),
        }
    }

    /// `(label, value)` in the order the table shows them.
    pub fn rows(&self) -> [(&'static str, f64); 6] {
        [
            ("nDCG@10", self.ndcg_10),
            ("MRR@10", self.mrr_10),
            ("Recall@10", self.recall_10),
            ("Recall@100", self.recall_100),
            ("MAP@100", self.map),
            ("Judged@10", self.judged_10),
        ]
    }
}

/// One query's scores in one mode.
#[derive(Debug, Clone, Serialize)]
pub struct QueryScores {
    /// The query id.
    pub id: String,
    /// Its scores.
    #[serde(flatten)]
    pub metrics: Metrics,
    /// The ids of its first 10 hits, best first: what to pool when judging a new ranker.
    pub top10: Vec<String>,
}

impl QueryScores {
    fn of(id: &str, ranking: &[&str], judgments: &Judgments) -> QueryScores {
        QueryScores {
            id: id.to_string(),
            metrics: Metrics::of(ranking, judgments),
            top10: ranking.iter().take(10).map(|id| id.to_string()).collect(),
        }
    }
}

/// The scores of one mode.
#[derive(Debug, Clone, Serialize)]
pub struct ModeReport {
    /// The mode.
    pub mode: SearchMode,
    /// Why the mode could not be scored (no model, no vectors); `metrics` is then `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    /// Means over the scored queries.
    pub metrics: Option<Metrics>,
    /// Seconds spent searching.
    pub seconds: f64,
    /// Every scored query.
    pub per_query: Vec<QueryScores>,
}

/// What an evaluation found.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// The collection's or query set's name.
    pub name: String,
    /// Where it came from.
    pub source: String,
    /// Documents in the index searched.
    pub documents: u64,
    /// Queries read (with text).
    pub queries: usize,
    /// Queries scored: those with at least one relevant document.
    pub queries_scored: usize,
    /// Queries left out because no document is judged relevant for them.
    pub queries_without_relevant: usize,
    /// How deep rankings were read.
    pub depth: usize,
    /// Seconds spent building the throw-away index (SMART collections only), embedding included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_seconds: Option<f64>,
    /// Things to know when reading the numbers.
    pub notes: Vec<String>,
    /// One entry per mode, in the order asked.
    pub modes: Vec<ModeReport>,
    /// The scores of each label the query file gives (`lang=zh`), where a field's queries do
    /// not all share one value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupScores>,
}

/// nDCG@10 over the scored queries that share one label of the query file.
#[derive(Debug, Clone, Serialize)]
pub struct GroupScores {
    /// `field=value`, e.g. `lang=zh`.
    pub label: String,
    /// How many scored queries have it.
    pub queries: usize,
    /// Mean nDCG@10 per mode, in the order of [`EvalReport::modes`]; `None` where the mode
    /// could not run.
    #[serde(rename = "ndcg@10")]
    pub ndcg_10: Vec<Option<f64>>,
}

/// The [`GroupScores`] of `queries`' labels over `modes`' per-query scores: one per value of
/// each field with at least two values among the scored queries, by field and value.
fn group_scores(queries: &[Query], modes: &[ModeReport]) -> Vec<GroupScores> {
    let scored: HashSet<&str> = modes.iter().flat_map(|m| m.per_query.iter().map(|q| q.id.as_str())).collect();
    let mut by_label: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for query in queries.iter().filter(|q| scored.contains(q.id.as_str())) {
        for (field, value) in &query.labels {
            by_label.entry((field.as_str(), value.as_str())).or_default().push(query.id.as_str());
        }
    }
    let values_of = |field: &str| by_label.keys().filter(|(f, _)| *f == field).count();
    by_label
        .iter()
        .filter(|((field, _), _)| values_of(field) >= 2)
        .map(|((field, value), ids)| GroupScores {
            label: format!("{field}={value}"),
            queries: ids.len(),
            ndcg_10: modes
                .iter()
                .map(|mode| {
                    mode.metrics?;
                    let ndcg: Vec<f64> = mode
                        .per_query
                        .iter()
                        .filter(|q| ids.contains(&q.id.as_str()))
                        .map(|q| q.metrics.ndcg_10)
                        .collect();
                    (!ndcg.is_empty()).then(|| ndcg.iter().sum::<f64>() / ndcg.len() as f64)
                })
                .collect(),
        })
        .collect()
}

/// Scores `set` against `engine` in every mode of `options`. Queries without a relevant
/// document are left out (standard practice: they cannot be scored).
pub fn evaluate(engine: &SearchEngine, set: &QuerySet, options: &EvalOptions) -> Result<EvalReport> {
    let mut notes = Vec::new();
    let scored: Vec<(&str, String, &Judgments)> = set
        .queries
        .iter()
        .filter_map(|q| {
            let judged = set.judgments.get(&q.id).filter(|j| metrics::relevant_count(j) > 0)?;
            Some((q.id.as_str(), q.text.clone(), judged))
        })
        .collect();
    if scored.is_empty() {
        return Err(EvalError::Collection {
            path: "query set".into(),
            reason: "no query has a relevant document: check that query ids match between the query and qrels files"
                .into(),
        });
    }
    let query_ids: HashSet<&str> = set.queries.iter().map(|q| q.id.as_str()).collect();
    let orphans = set.judgments.keys().filter(|id| !query_ids.contains(id.as_str())).count();
    if orphans > 0 {
        notes.push(format!(
            "{} no query text and ignored",
            plural(orphans, "judged query id has", "judged query ids have")
        ));
    }
    if options.modes.contains(&SearchMode::Hybrid) {
        let ranker = engine.ranker();
        notes.push(format!("hybrid fuses with {} over the top {} of each retriever", ranker.fusion, ranker.candidates));
    }
    let no_stop_words = HashSet::new();
    let stop_words = if options.strip_stop_words { &set.stop_words } else { &no_stop_words };
    if options.strip_stop_words && set.stop_words.is_empty() {
        notes.push("the collection has no stop list: queries are searched as written".into());
    }
    let mut shortened = 0;
    let texts: Vec<String> = scored
        .iter()
        .map(|(_, text, _)| {
            let text = drop_stop_words(text, stop_words);
            let (text, cut) = fit_query(&text);
            shortened += usize::from(cut);
            text
        })
        .collect();
    if !stop_words.is_empty() {
        notes.push(format!(
            "queries stripped of the collection's {} stop words before searching (an experiment, not the product)",
            stop_words.len()
        ));
    }
    if shortened > 0 {
        notes.push(format!(
            "{} than {MAX_QUERY_CHARS} characters cut at a word boundary to fit the search limit",
            plural(shortened, "query longer", "queries longer")
        ));
    }

    let mut modes = Vec::new();
    for &mode in &options.modes {
        modes.push(run_mode(engine, mode, &scored, &texts)?);
    }
    Ok(EvalReport {
        name: String::new(),
        source: String::new(),
        documents: engine.index().len(),
        queries: set.queries.len(),
        queries_scored: scored.len(),
        queries_without_relevant: set.queries.len() - scored.len(),
        depth: DEPTH,
        index_seconds: None,
        notes,
        groups: group_scores(&set.queries, &modes),
        modes,
    })
}

fn run_mode(
    engine: &SearchEngine,
    mode: SearchMode,
    scored: &[(&str, String, &Judgments)],
    texts: &[String],
) -> Result<ModeReport> {
    let started = Instant::now();
    let unavailable = |reason: String| ModeReport {
        mode,
        unavailable: Some(reason),
        metrics: None,
        seconds: 0.0,
        per_query: Vec::new(),
    };
    if mode != SearchMode::Bm25 && engine.embedder().is_none() {
        return Ok(unavailable(engine.no_model_reason().unwrap_or("no embedding model").to_string()));
    }
    let mut per_query = Vec::with_capacity(scored.len());
    for ((id, _, judgments), text) in scored.iter().zip(texts) {
        let request = SearchRequest::new(text.clone()).mode(mode).limit(DEPTH);
        let results = engine.search(&request)?;
        if results.mode != mode {
            // The engine fell back to BM25 (no vectors, another model): not this mode's numbers.
            return Ok(unavailable(results.warnings.join("; ")));
        }
        let ranking: Vec<&str> = results.hits.iter().map(|h| h.id.as_str()).collect();
        per_query.push(QueryScores::of(id, &ranking, judgments));
    }
    let all: Vec<Metrics> = per_query.iter().map(|q| q.metrics).collect();
    Ok(ModeReport {
        mode,
        unavailable: None,
        metrics: Some(Metrics::mean(&all)),
        seconds: started.elapsed().as_secs_f64(),
        per_query,
    })
}

/// `n` followed by the singular or plural.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `text` without the words of `stop_words` (compared lower-case, punctuation aside).
fn drop_stop_words(text: &str, stop_words: &HashSet<String>) -> String {
    if stop_words.is_empty() {
        return text.to_string();
    }
    text.split_whitespace()
        .filter(|w| {
            let bare: String = w.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
            bare.is_empty() || !stop_words.contains(&bare)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` cut to at most [`MAX_QUERY_CHARS`] characters at a word boundary; whether it was cut.
fn fit_query(text: &str) -> (String, bool) {
    if text.chars().count() <= MAX_QUERY_CHARS {
        return (text.to_string(), false);
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        let extra = usize::from(!out.is_empty()) + word.chars().count();
        if out.chars().count() + extra > MAX_QUERY_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    // Chinese runs without spaces: a first word over the limit is cut inside it, not searched
    // as nothing.
    if out.is_empty() {
        out = text.trim_start().chars().take(MAX_QUERY_CHARS).collect();
    }
    (out, true)
}

/// Why `index` is not empty and not the index of the collection whose records are `records`
/// (every one of its papers among them, as a kept index of this collection holds): `None`
/// when it may be written to.
fn not_this_collections_index(index: &PaperIndex, records: &[paperdex_core::Record]) -> Option<String> {
    if index.is_empty() {
        return None;
    }
    let ours = records.iter().filter(|record| index.paper(record.id.as_str()).is_ok()).count() as u64;
    (ours != index.len()).then(|| {
        format!(
            "--keep-index names an index of {} papers, {} of them not documents of this collection: \
             it is not this collection's kept index, and is left unchanged (give an empty or new folder)",
            index.len(),
            index.len() - ours
        )
    })
}

/// Builds a throw-away index of the SMART collection in `folder` (embedding it when the model
/// is there and a vector mode is asked for), scores its queries and removes the index.
pub fn evaluate_smart(
    folder: &Path,
    model: std::result::Result<Arc<dyn Embedder>, String>,
    options: &EvalOptions,
    observer: &mut dyn IngestObserver,
) -> Result<EvalReport> {
    let collection = SmartCollection::load(folder)?;
    let started = Instant::now();
    let dir = match &options.keep_index {
        Some(_) => None,
        None => Some(tempfile::Builder::new().prefix("paperdex-eval-").tempdir().map_err(EvalError::TempDir)?),
    };
    let index_path = match (&options.keep_index, &dir) {
        (Some(kept), _) => kept.clone(),
        (None, Some(dir)) => dir.path().to_path_buf(),
        (None, None) => unreachable!("a throw-away folder is made when none is kept"),
    };
    let index = PaperIndex::open_or_create(&index_path)?.with_pruning(options.pruning);
    let records = collection.records()?;
    // A kept folder is written to only when it is empty or this collection's own index: the
    // user's paper index, or another collection's, given by mistake must come out unchanged.
    if let Some(reason) = not_this_collections_index(&index, &records) {
        return Err(EvalError::Collection { path: index_path, reason });
    }
    let wants_vectors = options.modes.iter().any(|m| *m != SearchMode::Bm25);
    let embedder = if wants_vectors { model.as_deref().ok() } else { None };
    index.ingest_records(records, embedder, observer)?;
    let index_seconds = started.elapsed().as_secs_f64();
    if index.len() != collection.documents.len() as u64 {
        return Err(EvalError::Collection {
            path: index_path,
            reason: format!(
                "the index holds {} papers after indexing but the collection has {} documents",
                index.len(),
                collection.documents.len()
            ),
        });
    }
    let engine = SearchEngine::new(index, model).with_ranker(options.ranker);
    let mut report = evaluate(&engine, &collection.query_set, options)?;
    drop(engine);
    drop(dir);

    report.name = collection.name.to_uppercase();
    report.source = folder.display().to_string();
    report.index_seconds = Some(index_seconds);
    let mut notes = vec!["relevance is binary (SMART qrels list relevant pairs only)".to_string()];
    if let Some(kept) = &options.keep_index {
        notes.push(format!("the index is kept in {}", kept.display()));
    }
    if !collection.queries_without_text.is_empty() {
        notes.push(format!(
            "{} without .W text left out (ids {})",
            plural(collection.queries_without_text.len(), "query", "queries"),
            collection.queries_without_text.join(", ")
        ));
    }
    if collection.judged_missing_documents > 0 {
        notes.push(format!(
            "{} not in {} (they count as relevant and unfound)",
            plural(collection.judged_missing_documents, "judged document is", "judged documents are"),
            collection.documents_path.display()
        ));
    }
    notes.append(&mut report.notes);
    report.notes = notes;
    Ok(report)
}

/// Scores the queries of `queries` (JSON lines) against the judgments of `qrels` (TREC) over
/// an existing index.
pub fn evaluate_trec(engine: &SearchEngine, queries: &Path, qrels: &Path, options: &EvalOptions) -> Result<EvalReport> {
    let set = QuerySet::load_trec(queries, qrels)?;
    let mut report = evaluate(engine, &set, options)?;
    report.name = qrels.file_stem().map_or_else(|| "qrels".into(), |s| s.to_string_lossy().into_owned());
    report.source = format!("{} + {} over {}", queries.display(), qrels.display(), engine.index().root().display());
    let graded = set.judgments.values().flat_map(|j| j.values()).any(|&g| g > 1);
    report
        .notes
        .insert(0, if graded { "graded relevance".into() } else { "relevance is binary (no grade above 1)".into() });
    Ok(report)
}

/// Scores `related` lists against judgments: `qrels` (TREC) names a seed paper id in place of a
/// query id, and grades the papers that belong in its related list. One row, in the mode the
/// engine answered (hybrid when the index has vectors, else bm25).
pub fn evaluate_related(engine: &SearchEngine, qrels: &Path) -> Result<EvalReport> {
    let text = std::fs::read_to_string(qrels).map_err(EvalError::io(qrels))?;
    let judgments = crate::query_set::parse_trec_qrels(qrels, &text, |doc| {
        paperdex_core::PaperId::parse(doc).map_or_else(|| doc.to_string(), |id| id.to_string())
    })?;
    // The first field names a seed paper here, not a query: one that cannot be a paper id is
    // a mistake in the file, said before any list is asked for.
    if let Some(seed) = judgments.keys().find(|seed| paperdex_core::PaperId::parse(seed).is_none()) {
        return Err(EvalError::Collection {
            path: qrels.into(),
            reason: format!(
                "the seed {} is not an arXiv id: the first field of a related-paper judgment is the seed paper",
                paperdex_index::limits::quote(seed)
            ),
        });
    }
    let started = Instant::now();
    let mut per_query = Vec::new();
    let mut mode = SearchMode::Hybrid;
    let mut notes = vec![
        "related papers: each judged seed's `related` list against its judgments".to_string(),
        format!("related lists fuse with {}", engine.ranker().related_fusion),
    ];
    let mut missing = Vec::new();
    for (seed, judged) in &judgments {
        if metrics::relevant_count(judged) == 0 {
            continue;
        }
        let related = match engine.related(seed, DEPTH) {
            Ok(related) => related,
            Err(paperdex_index::IndexError::PaperNotFound(_)) => {
                missing.push(seed.clone());
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        mode = related.mode;
        let ranking: Vec<&str> = related.hits.iter().map(|h| h.id.as_str()).collect();
        per_query.push(QueryScores::of(seed, &ranking, judged));
    }
    if !missing.is_empty() {
        notes.push(format!(
            "{} not in the index: {}",
            plural(missing.len(), "seed is", "seeds are"),
            missing.join(", ")
        ));
    }
    if per_query.is_empty() {
        let reason = if missing.is_empty() {
            "no seed has a paper judged related (a grade above 0)"
        } else {
            "no seed with a paper judged related is in the index"
        };
        return Err(EvalError::Collection { path: qrels.into(), reason: reason.into() });
    }
    let all: Vec<Metrics> = per_query.iter().map(|q| q.metrics).collect();
    let scored = per_query.len();
    Ok(EvalReport {
        name: qrels.file_stem().map_or_else(|| "related".into(), |s| s.to_string_lossy().into_owned()),
        source: format!("{} over {}", qrels.display(), engine.index().root().display()),
        documents: engine.index().len(),
        queries: judgments.len(),
        queries_scored: scored,
        queries_without_relevant: judgments.len() - scored - missing.len(),
        depth: DEPTH,
        index_seconds: None,
        notes,
        modes: vec![ModeReport {
            mode,
            unavailable: None,
            metrics: Some(Metrics::mean(&all)),
            seconds: started.elapsed().as_secs_f64(),
            per_query,
        }],
        groups: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_label_of_the_query_file_is_scored_over_its_own_queries() {
        let query = |id: &str, labels: &[(&str, &str)]| Query {
            id: id.into(),
            text: id.into(),
            labels: labels.iter().map(|(f, v)| (f.to_string(), v.to_string())).collect(),
        };
        let queries = [
            query("q1", &[("lang", "zh"), ("kind", "keyword")]),
            query("q2", &[("lang", "zh"), ("kind", "keyword")]),
            query("q3", &[("lang", "en"), ("kind", "keyword")]),
            // Not scored (no relevant paper): counts in no group.
            query("q4", &[("lang", "en"), ("kind", "question")]),
        ];
        let scores = |id: &str, ndcg: f64| QueryScores {
            id: id.into(),
            metrics: Metrics { ndcg_10: ndcg, ..Metrics::default() },
            top10: Vec::new(),
        };
        let per_query = vec![scores("q1", 1.0), scores("q2", 0.5), scores("q3", 0.25)];
        let mode = |mode, metrics: Option<Metrics>| ModeReport {
            mode,
            unavailable: None,
            metrics,
            seconds: 0.0,
            per_query: if metrics.is_some() { per_query.clone() } else { Vec::new() },
        };
        let modes = [mode(SearchMode::Bm25, Some(Metrics::default())), mode(SearchMode::Vector, None)];
        let groups: Vec<(String, usize, Vec<Option<f64>>)> =
            group_scores(&queries, &modes).into_iter().map(|g| (g.label, g.queries, g.ndcg_10)).collect();
        // `kind` has one value among the scored queries: no group says anything the whole does not.
        assert_eq!(
            groups,
            [("lang=en".into(), 1, vec![Some(0.25), None]), ("lang=zh".into(), 2, vec![Some(0.75), None])]
        );
    }

    #[test]
    fn long_queries_are_cut_at_a_word_boundary() {
        let long = "word ".repeat(400);
        let (cut, was_cut) = fit_query(&long);
        assert!(was_cut);
        assert!(cut.chars().count() <= MAX_QUERY_CHARS);
        assert!(cut.ends_with("word") && !cut.ends_with(' '));
        assert_eq!(fit_query("short one"), ("short one".to_string(), false));
        // A Chinese query has no spaces to cut at: it is cut inside its first run.
        let (cut, was_cut) = fit_query(&"强化学习".repeat(300));
        assert!(was_cut);
        assert_eq!(cut.chars().count(), MAX_QUERY_CHARS);
    }

    #[test]
    fn stop_words_are_dropped_whatever_their_case_and_punctuation() {
        let stop: HashSet<String> = ["what", "are", "the"].iter().map(|s| s.to_string()).collect();
        assert_eq!(drop_stop_words("What are the problems, (the) costs?", &stop), "problems, costs?");
        assert_eq!(drop_stop_words("What", &HashSet::new()), "What");
    }

    #[test]
    fn a_query_report_lists_its_top_10_and_how_much_of_it_is_judged() {
        let judgments: Judgments = [("a".to_string(), 2), ("x".to_string(), 0)].into_iter().collect();
        let ranking: Vec<String> = (0..12).map(|i| format!("p{i}")).chain(["a".into()]).collect();
        let mut ranking: Vec<&str> = ranking.iter().map(String::as_str).collect();
        ranking.rotate_right(1); // a, p0 .. p11
        let scores = QueryScores::of("q1", &ranking, &judgments);
        let json = serde_json::to_value(&scores).expect("json");
        assert_eq!(json["top10"].as_array().map(Vec::len), Some(10));
        assert_eq!(json["top10"][0], "a");
        assert_eq!(json["judged@10"], 0.1, "only `a` of the first 10 was judged");
    }

    #[test]
    fn mean_metrics_average_every_field() {
        let a = Metrics { ndcg_10: 1.0, mrr_10: 1.0, recall_10: 0.5, recall_100: 1.0, map: 0.2, judged_10: 1.0 };
        let b = Metrics::default();
        let m = Metrics::mean(&[a, b]);
        assert_eq!(
            m,
            Metrics { ndcg_10: 0.5, mrr_10: 0.5, recall_10: 0.25, recall_100: 0.5, map: 0.1, judged_10: 0.5 }
        );
    }
}
