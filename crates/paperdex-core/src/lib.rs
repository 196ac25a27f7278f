//! paperdex-core: the paper model and the parsers of every input format. Pure: no index, no I/O
//! beyond what the caller hands in.
//!
//! - [`PaperId`], [`Record`] (what one source says about a paper) and [`Paper`] (all records
//!   for one id, merged) live in [`paper`].
//! - [`parse_bytes`] detects a file's format from its content and turns it into records; see
//!   [`parse`] for the formats and the errors a malformed file or record gets.

pub mod paper;
pub mod parse;

pub use paper::{
    Lang, MAX_RECORD_TEXT_BYTES, MAX_TITLE_CHARS, MergeOutcome, Paper, PaperId, Record, Section, SectionGroup,
    SectionKind, ShownSection, Source, SourceFormat, is_han,
};
pub use parse::{MAX_FILE_BYTES, ParseError, ParsedFile, RecordWarning, RejectedRecord, parse_bytes};
