//! The errors of the MCP server: why it stopped ([`McpError`]), and what a tool call answers
//! when it fails ([`ToolError`], with a code from the one [`ErrorCode`] list).

use paperdex_index::{ErrorCode, IndexError};

/// Why the server could not run or stopped early.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    /// The client closed the connection or broke the protocol before `initialize` completed.
    #[error("the MCP handshake failed: {0}")]
    Handshake(String),
    /// The task serving the connection failed.
    #[error("the MCP server stopped unexpectedly: {0}")]
    Stopped(String),
}

/// A failed tool call, answered as an MCP tool error (`isError: true`) so that the agent reads
/// the code and the message and can correct its call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct ToolError {
    /// The stable code (`invalid_parameter`, `paper_not_found`...).
    pub code: ErrorCode,
    /// A sentence naming what is at fault.
    pub message: String,
}

impl ToolError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ToolError {
        ToolError { code, message: message.into() }
    }

    /// An `invalid_parameter` error naming the argument at fault.
    pub fn invalid_argument(name: &str, problem: impl std::fmt::Display) -> ToolError {
        ToolError::new(ErrorCode::InvalidParameter, format!("{name} {problem}"))
    }

    /// An `internal` error: `detail` goes to the log (stderr), never to the client.
    pub fn internal(detail: impl std::fmt::Display) -> ToolError {
        tracing::error!(%detail, "tool call failed");
        ToolError::new(ErrorCode::Internal, INTERNAL_MESSAGE)
    }
}

const INTERNAL_MESSAGE: &str = "internal error; the server log (stderr) has the details";

/// As the HTTP API answers: the caller's mistakes with their message, internal failures
/// logged and answered generically.
impl From<IndexError> for ToolError {
    fn from(error: IndexError) -> ToolError {
        match error.code() {
            ErrorCode::Internal | ErrorCode::IndexDamaged => {
                tracing::error!(%error, "tool call failed");
                ToolError::new(error.code(), INTERNAL_MESSAGE)
            }
            ErrorCode::Timeout => ToolError::new(ErrorCode::Timeout, TIMEOUT_MESSAGE),
            code => ToolError::new(code, error.to_string()),
        }
    }
}

/// What a call that ran out of time, or was cancelled by the client, answers.
pub(crate) const TIMEOUT_MESSAGE: &str = "the request took too long and was stopped";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_failures_are_not_shown_to_the_client() {
        let error = ToolError::from(IndexError::Corrupt { path: "/secret/index".into(), reason: "bad".into() });
        assert_eq!(error.code, ErrorCode::IndexDamaged);
        assert!(!error.message.contains("/secret"), "{}", error.message);
        let error = ToolError::from(IndexError::PaperNotFound("2699.00001".into()));
        assert_eq!(error.to_string(), "paper_not_found: no paper with id \"2699.00001\" in the index");
    }
}
