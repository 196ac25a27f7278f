//! The errors of the index crate.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong opening, writing or querying an index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// A file or folder of the index (or one given to it, as a glossary) could not be
    /// created or read.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Another process is writing to the index.
    #[error("index {path} is locked by PID {pid}: another ingest is running; wait for it or stop it")]
    Locked {
        /// The index folder.
        path: PathBuf,
        /// The process holding the lock, as it recorded itself.
        pid: String,
    },
    /// No index has been made in this folder yet (it does not exist, or holds no commit).
    #[error("no index in {path} yet: run `paperdex ingest PATH...` first, or name an index's folder with --index")]
    NoIndex {
        /// The folder named as the index.
        path: PathBuf,
    },
    /// The folder holds something that is not a paperdex index, or a damaged one.
    #[error("index {path} is damaged or not a paperdex index: {reason}")]
    Corrupt {
        /// The index folder.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The latest commit's record of its generation cannot be read: written by another
    /// paperdex version, or damaged. Nothing is changed, so no vector generation is lost.
    #[error(
        "the commit record in {path} cannot be read ({reason}): it was written by another paperdex version or is \
         damaged; nothing was changed (the vector folders are kept): use the paperdex that wrote this index"
    )]
    UnreadableCommit {
        /// The file holding the commit record (tantivy's `meta.json`).
        path: PathBuf,
        /// Why it does not parse.
        reason: String,
    },
    /// No paper has this id.
    #[error("no paper with id {} in the index", crate::limits::quote(.0))]
    PaperNotFound(String),
    /// A request parameter is out of range or malformed.
    #[error("{name} {problem}")]
    InvalidParameter {
        /// The parameter (`limit`, `offset`, `mode`...).
        name: String,
        /// What is wrong with it, with the accepted range.
        problem: String,
    },
    /// The query is longer than [`crate::limits::MAX_QUERY_CHARS`].
    #[error("the query is {chars} characters long; the limit is {limit}")]
    QueryTooLong {
        /// Its length in characters.
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// The request was cancelled (its client gave up or its time ran out) before it finished;
    /// the work stopped there.
    #[error("the request was cancelled before it finished")]
    Cancelled,
    /// Embedding failed while searching or ingesting.
    #[error("embedding failed: {0}")]
    Embed(#[from] paperdex_embed::EmbedError),
    /// An error inside tantivy; one that says its files do not decode is damage
    /// ([`ErrorCode::IndexDamaged`]).
    #[error("{}", tantivy_message(.0))]
    Tantivy(tantivy::TantivyError),
}

/// Not `#[from]`: that would make tantivy's error the source, and a command's error line,
/// which names every cause, would quote it again after the brief words of `in_brief`.
impl From<tantivy::TantivyError> for IndexError {
    fn from(error: tantivy::TantivyError) -> IndexError {
        IndexError::Tantivy(error)
    }
}

/// Whether tantivy's error says the index's own files are wrong, not that reading them failed:
/// a segment file that does not decode (a document store overwritten in places gives "literal
/// is out of bounds", or text that is not UTF-8), whose footer is not tantivy's (a file cut
/// short), or that the commit lists and the folder no longer holds.
fn is_damage(error: &tantivy::TantivyError) -> bool {
    use tantivy::TantivyError;
    use tantivy::directory::error::OpenReadError;
    let bad_bytes = |io: &io::Error| matches!(io.kind(), io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof);
    match error {
        TantivyError::DataCorruption(_) | TantivyError::DeserializeError(_) | TantivyError::IncompatibleIndex(_) => {
            true
        }
        TantivyError::IoError(io) => bad_bytes(io),
        TantivyError::OpenReadError(open) => match open {
            OpenReadError::FileDoesNotExist(_) | OpenReadError::IncompatibleIndex(_) => true,
            OpenReadError::IoError { io_error, .. } => bad_bytes(io_error),
        },
        _ => false,
    }
}

fn tantivy_message(error: &tantivy::TantivyError) -> String {
    if is_damage(error) {
        format!("the index's files are damaged (move the index folder away and ingest again): {}", in_brief(error))
    } else {
        format!("search engine error: {error}")
    }
}

/// What is wrong with which file, in a line: tantivy's own words quote debug structures, a
/// whole commit record, and advice for its version 0.15 (`Footer magic byte mismatch. File
/// corrupted or index was created using old an tantivy version …`).
pub(crate) fn in_brief(error: &tantivy::TantivyError) -> String {
    use tantivy::TantivyError;
    use tantivy::directory::error::OpenReadError;
    let file = |path: &std::path::Path| format!("file {}", path.display());
    let said = |io: &io::Error| match io.to_string() {
        text if text.contains("Footer magic byte mismatch") => "cut short or overwritten (no tantivy footer)".into(),
        text => first_sentence(&text),
    };
    match error {
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
            format!("{}: {}", file(filepath), said(io_error))
        }
        TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(path)) => format!("{} is missing", file(path)),
        TantivyError::IoError(io) => format!("a file does not decode ({})", said(io)),
        TantivyError::DataCorruption(corruption) => first_sentence(&format!("{corruption:?}")),
        other => first_sentence(&other.to_string()),
    }
}

/// `text` up to its first full stop (`.` then a space or the end): the rest of a tantivy
/// message is its details.
fn first_sentence(text: &str) -> String {
    let end = text.find(". ").or_else(|| text.find("..")).unwrap_or(text.len());
    text[..end].trim_end_matches(['.', '\'']).to_string()
}

/// `error` with its cause named when tantivy's writer threads failed without one ("An index
/// writer was killed"): the usual cause is a full disk (or quota), which a small write beside
/// the index at `root` then says plainly, naming the folder. Any other error is returned as
/// it is.
pub(crate) fn with_full_disk_named(root: &std::path::Path, error: IndexError) -> IndexError {
    let IndexError::Tantivy(inner) = &error else { return error };
    if is_damage(inner) {
        return error;
    }
    let probe = root.join(".paperdex-space-probe");
    let full = no_space_at(&probe);
    let _ = std::fs::remove_file(&probe);
    match full {
        Some(source) => IndexError::Io { path: root.to_path_buf(), source },
        None => error,
    }
}

/// The error of writing a mebibyte to `probe` when it says that there is no room.
fn no_space_at(probe: &std::path::Path) -> Option<io::Error> {
    use std::io::Write;
    let written = std::fs::File::create(probe).and_then(|mut file| {
        file.write_all(&[0u8; 1 << 20])?;
        file.sync_all()
    });
    written.err().filter(|e| matches!(e.kind(), io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded))
}

impl IndexError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            IndexError::InvalidParameter { .. } => ErrorCode::InvalidParameter,
            IndexError::QueryTooLong { .. } => ErrorCode::QueryTooLong,
            IndexError::PaperNotFound(_) => ErrorCode::PaperNotFound,
            IndexError::Locked { .. } => ErrorCode::IndexLocked,
            IndexError::NoIndex { .. } => ErrorCode::IndexNotFound,
            IndexError::Corrupt { .. } | IndexError::UnreadableCommit { .. } => ErrorCode::IndexDamaged,
            IndexError::Cancelled => ErrorCode::Timeout,
            IndexError::Tantivy(error) if is_damage(error) => ErrorCode::IndexDamaged,
            IndexError::Io { .. } | IndexError::Embed(_) | IndexError::Tantivy(_) => ErrorCode::Internal,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> IndexError {
        let path = path.into();
        move |source| IndexError::Io { path, source }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = IndexError> = std::result::Result<T, E>;

/// What a client (an HTTP caller, an MCP agent) is told when its request fails: a stable code
/// and a sentence naming what is at fault. The HTTP API and the MCP server both answer with it,
/// under one rule ([`From<IndexError>`]): the caller's mistakes keep their message, internal
/// failures are logged in full and answered generically (no path or detail leaks), and a
/// stopped request says only that.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct ClientError {
    /// The stable code (`invalid_parameter`, `paper_not_found`...).
    pub code: ErrorCode,
    /// A sentence naming what is at fault.
    pub message: String,
}

/// What an internal failure answers; the details go to the log.
pub const INTERNAL_MESSAGE: &str = "internal error; the server log has the details";
/// What a request that ran out of time, or was cancelled by its client, answers.
pub const TIMEOUT_MESSAGE: &str = "the request took too long and was stopped";

impl ClientError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ClientError {
        ClientError { code, message: message.into() }
    }

    /// An `invalid_parameter` error naming the parameter at fault.
    pub fn invalid_parameter(name: &str, problem: impl std::fmt::Display) -> ClientError {
        ClientError::new(ErrorCode::InvalidParameter, format!("{name} {problem}"))
    }

    /// An `internal` error: `detail` goes to the log, never to the client.
    pub fn internal(detail: impl std::fmt::Display) -> ClientError {
        tracing::error!(%detail, "request failed");
        ClientError::new(ErrorCode::Internal, INTERNAL_MESSAGE)
    }

    /// A `timeout` error: the request ran out of time or its client went away.
    pub fn timeout() -> ClientError {
        ClientError::new(ErrorCode::Timeout, TIMEOUT_MESSAGE)
    }

    /// The `timeout` error of a request that ran out of its `limit`, naming it: most of that
    /// time can be the wait for a turn behind other searches (a 1 ms search, queued behind
    /// sixteen slow ones, was told only that it "took too long").
    pub fn out_of_time(limit: std::time::Duration) -> ClientError {
        ClientError::new(
            ErrorCode::Timeout,
            format!(
                "{TIMEOUT_MESSAGE}: the limit is {} s, waiting for a turn behind other searches included",
                limit.as_secs_f64()
            ),
        )
    }
}

impl From<IndexError> for ClientError {
    fn from(error: IndexError) -> ClientError {
        match error.code() {
            ErrorCode::Internal | ErrorCode::IndexDamaged | ErrorCode::IndexNotFound => {
                tracing::error!(%error, "request failed");
                ClientError::new(error.code(), INTERNAL_MESSAGE)
            }
            ErrorCode::Timeout => ClientError::timeout(),
            code => ClientError::new(code, error.to_string()),
        }
    }
}

/// Every error a user can be answered with, by the CLI, the HTTP API or an MCP server: a stable
/// code a client can branch on, with its HTTP status. README.md lists them (a test checks
/// the list against [`ErrorCode::ALL`]), as Meilisearch keeps its error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A parameter is missing, malformed or out of range (the message names it).
    InvalidParameter,
    /// The query is longer than the limit.
    QueryTooLong,
    /// No paper has the id asked for.
    PaperNotFound,
    /// No endpoint at this path.
    NotFound,
    /// The endpoint does not answer this method.
    MethodNotAllowed,
    /// The request body is larger than the limit.
    PayloadTooLarge,
    /// The request target (path and query string) is longer than the limit.
    UriTooLong,
    /// The request's headers are larger than the limit.
    HeadersTooLarge,
    /// The request is not well-formed HTTP.
    BadRequest,
    /// The Host header names neither the server's address nor a configured name (DNS
    /// rebinding protection).
    InvalidHost,
    /// No index has been made at the path given (the CLI's; the server does not start without
    /// one).
    IndexNotFound,
    /// Another process is writing to the index.
    IndexLocked,
    /// The index is damaged or was written by another paperdex version.
    IndexDamaged,
    /// The request took longer than the limit (waiting for its turn included) and was stopped.
    Timeout,
    /// The server is shutting down.
    ShuttingDown,
    /// Anything else; the details are logged, not answered.
    Internal,
}

impl ErrorCode {
    /// Every code, in the order the documentation lists them.
    pub const ALL: [ErrorCode; 16] = [
        ErrorCode::InvalidParameter,
        ErrorCode::QueryTooLong,
        ErrorCode::PaperNotFound,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UriTooLong,
        ErrorCode::HeadersTooLarge,
        ErrorCode::BadRequest,
        ErrorCode::InvalidHost,
        ErrorCode::IndexNotFound,
        ErrorCode::IndexLocked,
        ErrorCode::IndexDamaged,
        ErrorCode::Timeout,
        ErrorCode::ShuttingDown,
        ErrorCode::Internal,
    ];

    /// The code as answered (`{"error": {"code": ...}}`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidParameter => "invalid_parameter",
            ErrorCode::QueryTooLong => "query_too_long",
            ErrorCode::PaperNotFound => "paper_not_found",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::InvalidHost => "invalid_host",
            ErrorCode::IndexNotFound => "index_not_found",
            ErrorCode::IndexLocked => "index_locked",
            ErrorCode::IndexDamaged => "index_damaged",
            ErrorCode::Timeout => "timeout",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status answered with this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidParameter | ErrorCode::QueryTooLong | ErrorCode::BadRequest => 400,
            ErrorCode::PaperNotFound | ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UriTooLong => 414,
            ErrorCode::InvalidHost => 421,
            ErrorCode::HeadersTooLarge => 431,
            ErrorCode::IndexLocked => 409,
            ErrorCode::Timeout | ErrorCode::ShuttingDown => 503,
            ErrorCode::IndexNotFound | ErrorCode::IndexDamaged | ErrorCode::Internal => 500,
        }
    }

    /// Whether the caller asked for something invalid (the CLI exits with 2, bad usage).
    pub fn is_usage(self) -> bool {
        matches!(self, ErrorCode::InvalidParameter | ErrorCode::QueryTooLong)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_told_apart_from_a_disk_with_room() {
        // `/dev/full` answers every write as a full disk does.
        let full = no_space_at(std::path::Path::new("/dev/full")).expect("no space");
        assert_eq!(full.kind(), io::ErrorKind::StorageFull);
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(no_space_at(&dir.path().join("probe")).is_none());
        // An error that is no writer's failure is left as it is.
        let error = with_full_disk_named(dir.path(), IndexError::Cancelled);
        assert!(matches!(error, IndexError::Cancelled));
    }
}
