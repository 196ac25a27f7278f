//! paperdex-index: the searchable store of papers.
//!
//! - [`PaperIndex`] owns one index folder: tantivy postings (BM25 over jieba-analysed text, see
//!   [`analysis`]) and the stored papers ([`schema`]).
//! - [`PaperIndex::ingest`] reads files, merges records by paper id and commits the changes
//!   under a [`lock::WriterLock`]; [`PaperIndex::ingest_records`] does the same with records
//!   made in memory (a test collection, say); [`PaperIndex::remove`] takes papers out.
//!   Every write is a generation: one tantivy commit naming its vectors (`generation.rs`), so
//!   [`PaperIndex::consistency_report`] finds postings and vectors in agreement whatever
//!   interrupted a writer.
//! - [`PaperIndex::search_bm25`] answers keyword queries with snippets; the answer types
//!   ([`SearchResults`], [`SearchHit`]) are shared by every mode, the CLI and the HTTP API.

pub mod analysis;
mod author_names;
mod cancel;
mod consistency;
mod engine;
mod error;
mod feedback;
pub mod filter;
pub mod fusion;
mod generation;
mod highlight;
mod ingest;
mod ingest_records;
pub mod lexicon;
pub mod limits;
pub mod lock;
mod neighbours;
mod paper_index;
mod parallel;
mod query_syntax;
mod read_only;
mod related;
mod remove;
pub mod schema;
mod search;
mod sources;
mod spelling;
mod stored_papers;
mod upgrade;
pub mod vectors;
mod versions;

pub use cancel::Cancel;
pub use consistency::ConsistencyReport;
pub use engine::{RankerConfig, SearchEngine};
pub use error::{ClientError, ErrorCode, INTERNAL_MESSAGE, IndexError, Result, TIMEOUT_MESSAGE};
pub use filter::{Day, NO_PAPER_PASSES, SearchFilter, SortOrder};
pub use fusion::Fusion;
pub use generation::{FULL_SCAN_THRESHOLD, Vectors};
pub use ingest::{
    EmbedProgress, FileChange, IngestObserver, IngestReport, NoLongerListed, Quiet, RecordWarning, RejectedFile,
    RejectedRecord,
};
pub use lexicon::{Expansion, LearnedBecause, Lexicon, LexiconEntry, LexiconLag, LexiconSource};
pub use limits::{DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS};
pub use paper_index::{IndexStats, PAPERS_PER_GENERATION, PaperIndex, committed_papers, other_things_than_an_index};
pub use query_syntax::{TextFilter, quoted_phrases};
pub use related::RelatedResults;
pub use remove::RemoveReport;
pub use search::{
    CANDIDATES, EXACT_UP_TO, KeywordMatches, Pruning, SearchHit, SearchMode, SearchRequest, SearchResults, total_text,
};
