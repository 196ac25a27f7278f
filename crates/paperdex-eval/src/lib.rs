//! paperdex-eval: how good are paperdex's rankings? Runs judged query sets through the
//! [`paperdex_index::SearchEngine`] in every mode (bm25, vector, hybrid) and reports nDCG@10,
//! MRR@10, Recall@10, Recall@100 and MAP side by side.
//!
//! - [`metrics`]: the measures, over one ranked list and one query's [`metrics::Judgments`].
//! - [`query_set`]: a [`QuerySet`] from TREC-style files (queries as JSON lines, `qid 0 docid
//!   grade` qrels), scored against an existing index with [`evaluate_trec`].
//! - [`smart`]: classic test collections in the SMART format (CACM, CISI); [`evaluate_smart`]
//!   indexes one into a throw-away folder via [`paperdex_index::PaperIndex::ingest_records`]
//!   and scores it.
//! - [`EvalReport`] is the answer: JSON via serde, text via [`EvalReport::to_table`]. A query
//!   file's labels (`"lang": "zh"`, `"kind": "question"`) get their own nDCG@10
//!   ([`GroupScores`]), so a weakness of one kind of query shows at once.
//!
//! Only queries with at least one relevant document are scored, as is standard: the others
//! have no ideal ranking to compare with.

mod error;
pub mod metrics;
pub mod query_set;
mod run;
pub mod smart;
mod table;

pub use error::{EvalError, Result};
pub use query_set::{Query, QuerySet};
pub use run::{
    DEPTH, EvalOptions, EvalReport, GroupScores, Metrics, ModeReport, QueryScores, evaluate, evaluate_related,
    evaluate_smart, evaluate_trec,
};
pub use smart::SmartCollection;
