//! Format detection and the parsers of every input format.
//!
//! [`parse_bytes`] takes one file's bytes, checks that they are text, detects the format from
//! the content (never from the folder the file sits in) and hands it to one parser:
//!
//! | format | recognised by | parser |
//! |---|---|---|
//! | [`SourceFormat::HfDailyApi`] | a JSON list whose items hold a `paper` object | `parse/hf_api.rs` |
//! | [`SourceFormat::ZhSummaries`] | a JSON list of `{"url", "content"}` objects | `parse/zh_summaries.rs` |
//! | [`SourceFormat::DailyReport`] | markdown with `## 📄 <title>` paper headings | `parse/report.rs` |
//! | [`SourceFormat::PaperMarkdown`] | markdown with YAML front matter, or a title and a `**PDF**:` / `**Authors**:` line | `parse/paper_md.rs` |
//!
//! Failures come in two sizes. A file that cannot be read as any format at all (binary,
//! truncated JSON, a JSON number where a list belongs...) is a [`ParseError`] and yields
//! nothing. A single bad record inside an otherwise good file (a paper without a usable link,
//! a summary without text) becomes a [`RejectedRecord`] and the rest of the file still yields
//! its [`Record`]s. A record whose text is not about the paper (a summariser's apology that it
//! could not read it) is kept without that text, with a [`RecordWarning`]; so is a record
//! naming a paper an earlier record of the same file named (the later replaces the earlier).
//! A record too large to index ([`crate::Record::too_large`]) is rejected. An empty JSON list
//! is a valid file with no records.
//!
//! No input makes the parsers panic: every slice is taken on a char boundary, and every value
//! that came from the file is checked before use.

mod hf_api;
mod json_list;
mod paper_md;
mod report;
mod sections;
mod text;
mod zh_summaries;

use crate::paper::{Record, SourceFormat};

/// Files larger than this are rejected whole with [`ParseError::TooLarge`]. The largest real
/// input is a few megabytes; a file a thousand times bigger is a mistake, not a digest.
/// Callers should check the file's metadata before reading it; [`parse_bytes`] checks again.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Everything one file yielded.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFile {
    /// The format detected from the content.
    ///
    /// An empty JSON list (`[]`) has no record to tell the format by; it is reported as
    /// [`SourceFormat::HfDailyApi`], the most common JSON format.
    pub format: SourceFormat,
    /// The good records, in file order.
    pub records: Vec<Record>,
    /// The records that were skipped, each with the reason.
    pub rejected: Vec<RejectedRecord>,
    /// Records kept with a warning ([`RecordWarning`]), each with what and why.
    pub warnings: Vec<RecordWarning>,
}

/// One record of a file that could not be used; the rest of the file still was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRecord {
    /// 1-based position of the record (JSON list item, report paper) in the file.
    pub position: usize,
    /// 1-based line where the record starts, when known.
    pub line: Option<usize>,
    /// What is wrong with it, in words a person can act on.
    pub reason: String,
}

/// A record that was kept, with something its reader should know: what was left out of it
/// and why, or that it names a paper an earlier record of the file named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordWarning {
    /// 1-based position of the record in the file.
    pub position: usize,
    /// 1-based line where the record starts, when known.
    pub line: Option<usize>,
    /// The paper the record is about.
    pub paper: crate::PaperId,
    /// What happened and why, in words a person can act on.
    pub message: String,
}

/// The warning for a record that names a paper an earlier record of the same file named
/// (`first`, at `first_line`): both are read, and the later one replaces the earlier, as a
/// file read again replaces what it said before. Silent, that lost the first record's text.
fn repeated_paper(id: &crate::PaperId, first: usize, first_line: Option<usize>) -> String {
    let line = first_line.map(|l| format!(" (line {l})")).unwrap_or_default();
    format!("paper {id} again, as record {first}{line} was: this later record replaces that one")
}

/// Why a whole file could not be parsed. The messages do not repeat the path: callers report
/// them next to it.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("file is too large: {size} bytes, over the limit of {limit} bytes; split it into smaller files")]
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit it exceeds.
        limit: u64,
    },
    /// The file is empty or holds only whitespace.
    #[error("file is empty: there is nothing to parse")]
    Empty,
    /// The file holds NUL or other control bytes: it is binary, not text.
    #[error("file is binary, not UTF-8 text ({detail} near byte {offset}); expected JSON or markdown")]
    Binary {
        /// 0-based byte offset of the first offending byte.
        offset: usize,
        /// What gave it away.
        detail: &'static str,
    },
    /// The file is text in an encoding paperdex does not read: UTF-32, or UTF-16 without the
    /// byte-order mark that tells its byte order.
    #[error("file is {encoding}, not UTF-8 text; re-save it as UTF-8")]
    OtherEncoding {
        /// The encoding, as a reader would name it.
        encoding: &'static str,
    },
    /// The file is text but not valid UTF-8.
    #[error("file is not valid UTF-8 at line {line}, column {column} (byte {offset}); re-save it as UTF-8")]
    NotUtf8 {
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based column (in bytes) of the first invalid byte.
        column: usize,
        /// 0-based byte offset of the first invalid byte.
        offset: usize,
    },
    /// The file starts like JSON but is not valid JSON (often: truncated).
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    InvalidJson {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the JSON parser found, with a hint when the file looks truncated.
        message: String,
    },
    /// The file is valid JSON but not a list of papers.
    #[error("expected a JSON list of papers, found {found}")]
    NotAList {
        /// What the file holds instead, e.g. `a number (1)`.
        found: String,
    },
    /// The file is a JSON list, but its items are not paper objects.
    #[error(
        "the JSON list holds {found}, not paper records: each needs a `paper` object (Hugging Face daily papers) or `url` and `content` (Chinese summaries), as JSON objects"
    )]
    NotPaperObjects {
        /// What the items are, e.g. `Python-repr strings ({'paper': ...)`.
        found: String,
    },
    /// The YAML front matter of a paper markdown file does not parse.
    #[error("invalid YAML front matter at line {line}: {message}")]
    InvalidFrontMatter {
        /// 1-based line of the file where the YAML error is.
        line: usize,
        /// What the YAML parser found.
        message: String,
    },
    /// The file was recognised as `format` but holds no paper.
    #[error("the file looks like a {} but holds no paper", format.label())]
    NoPapers {
        /// The recognised format.
        format: SourceFormat,
    },
    /// The content matches no known format.
    #[error(
        "unknown format ({found}): expected a JSON list of papers, a daily report with `## 📄` paper headings, or a paper markdown with YAML front matter or a `**PDF**:` line"
    )]
    UnknownFormat {
        /// What the file seems to be instead.
        found: String,
    },
}

/// Parses one file. `path` only fills [`crate::Source::path`] and, when the file name holds a
/// `YYYY-MM-DD` date and the content has none, the source date; the format is detected from
/// `bytes`.
pub fn parse_bytes(path: &str, bytes: &[u8]) -> Result<ParsedFile, ParseError> {
    let size = bytes.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(ParseError::TooLarge { size, limit: MAX_FILE_BYTES });
    }
    // A write cut short (a crash or power loss before the data reached the disk) leaves a file
    // whose end is NUL bytes: the text before them is read, and the tail is named as one
    // rejected record, as a JSON list cut off is. Rejecting the whole file as binary lost
    // every paper the text before the tail held.
    let Some(tail) = text::nul_tail(bytes) else { return parse_text(path, bytes) };
    let mut text = &bytes[..bytes.len() - tail];
    // The cut falls where a disk block ends, often inside a character: its first bytes go too.
    if let Err(error) = std::str::from_utf8(text)
        && error.error_len().is_none()
    {
        text = &text[..error.valid_up_to()];
    }
    let mut parsed = parse_text(path, text)?;
    let line = text.iter().filter(|&&b| b == b'\n').count() + 1;
    parsed.rejected.push(RejectedRecord {
        position: parsed.records.len() + parsed.rejected.len() + 1,
        line: Some(line),
        reason: format!(
            "the file ends in {tail} NUL byte{} here, as a write cut short (a crash, a full disk) leaves it: \
             what came before was read; a record the cut went through may be incomplete",
            if tail == 1 { "" } else { "s" }
        ),
    });
    Ok(parsed)
}

/// A text file's bytes as text, by the rule every input file is read by: UTF-8 with or
/// without its byte-order mark, UTF-16 with one; anything else an error saying what it is
/// (the glossary is read this way too).
pub fn decode_text(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, ParseError> {
    text::decode(bytes)
}

fn parse_text(path: &str, bytes: &[u8]) -> Result<ParsedFile, ParseError> {
    // A few bytes that are not UTF-8 (a stray Latin-1 byte, a copy cut inside a character)
    // cost the records holding them a warning, not the whole file: one byte in the last of a
    // report's 35 papers lost all 35.
    let (decoded, stray) = match text::decode(bytes) {
        Ok(text) => (text, None),
        Err(error @ ParseError::NotUtf8 { .. }) => match text::decode_with_stray_bytes(bytes) {
            Some(text) => (std::borrow::Cow::Owned(text), Some(error)),
            None => return Err(error),
        },
        Err(error) => return Err(error),
    };
    let content: &str = &decoded;
    if content.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let mut parsed = parse_content(path, content)?;
    if let Some(ParseError::NotUtf8 { line, column, .. }) = stray {
        warn_of_stray_bytes(&mut parsed, line, column);
    }
    Ok(parsed)
}

/// Adds to each record whose text holds U+FFFD, read for bytes that were not UTF-8, a warning
/// naming the file's first such byte; and says so in the reason of a rejected record whose
/// reason quotes one (a link `caf\u{FFFD}`).
fn warn_of_stray_bytes(parsed: &mut ParsedFile, line: usize, column: usize) {
    for rejected in &mut parsed.rejected {
        if rejected.reason.contains('\u{FFFD}') {
            rejected.reason.push_str(&format!(
                " (\u{FFFD} stands for bytes that are not UTF-8: the file's first is at line {line}, column {column})"
            ));
        }
    }
    // A record's position in the file: the places rejected records do not take, in order.
    let rejected: std::collections::HashSet<usize> = parsed.rejected.iter().map(|r| r.position).collect();
    let mut positions = (1..).filter(|p| !rejected.contains(p));
    for record in &parsed.records {
        let position = positions.next().unwrap_or(0);
        let texts = record.title.iter().chain(record.title_zh.iter()).chain(record.authors.iter());
        let garbled = texts.chain(record.sections.iter().map(|s| &s.text)).any(|t| t.contains('\u{FFFD}'));
        if garbled {
            parsed.warnings.push(RecordWarning {
                position,
                line: None,
                paper: record.id.clone(),
                message: format!(
                    "its text holds bytes that are not UTF-8, shown as \u{FFFD} (the file's first is at line \
                     {line}, column {column}); re-save the file as UTF-8"
                ),
            });
        }
    }
    parsed.warnings.sort_by_key(|w| w.position);
}

fn parse_content(path: &str, content: &str) -> Result<ParsedFile, ParseError> {
    match json_list::parse_json(content) {
        Ok(Some(json)) => return json_list::parse(path, content, json),
        Ok(None) => {}
        // Markdown may open with `[`; JSON can never hold a line that starts with `## 📄`.
        Err(error) if !report::looks_like_report(content) && !paper_md::looks_like_paper(content) => {
            return Err(error);
        }
        Err(_) => {}
    }
    if report::looks_like_report(content) {
        return report::parse(path, content);
    }
    if paper_md::looks_like_paper(content) {
        return paper_md::parse(path, content);
    }
    Err(ParseError::UnknownFormat { found: text::describe_text(content) })
}
