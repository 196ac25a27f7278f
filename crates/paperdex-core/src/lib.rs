//! paperdex-core: the paper model and the parsers of every input format. Pure: no index, no I/O
//! beyond what the caller hands in.
//!
//! - [`PaperId`], [`Record`] (what one source says about a paper) and [`Paper`] (all records
//!   for one id, merged) live in [`paper`].
//! - [`parse_bytes`] detects a file's format from its content and turns it into records; see
//!   [`parse`] for the formats and the errors a malformed file or record gets.
//! - [`to_simplified`] reads Traditional Chinese characters as Simplified, for every side that
//!   analyses or embeds text ([`script`]).
//! - [`Named`] reads a value of a closed list (a source, a section...) by its name or an alias,
//!   and lists both for the API's documentation ([`named`]).

pub mod named;
pub mod paper;
pub mod parse;
pub mod script;

pub use named::Named;
pub use paper::{
    Lang, MAX_RECORD_TEXT_BYTES, MAX_TITLE_CHARS, MergeOutcome, Paper, PaperId, Record, Section, SectionGroup,
    SectionKind, ShownSection, Source, SourceFormat, is_han,
};
pub use parse::{MAX_FILE_BYTES, ParseError, ParsedFile, RecordWarning, RejectedRecord, decode_text, parse_bytes};
pub use script::to_simplified;

/// The days of `month` (1–12) in `year` of the Gregorian calendar; `None` for no such month.
/// Every date paperdex reads, from a source or from a user, is checked against it: a
/// `2026-02-31` taken in would be shown, then left out by every date filter.
pub fn days_in_month(year: u32, month: u32) -> Option<u32> {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if leap => Some(29),
        2 => Some(28),
        _ => None,
    }
}
