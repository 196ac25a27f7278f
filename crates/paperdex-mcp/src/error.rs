//! The errors of the MCP server: why it stopped ([`McpError`]), and what a tool call answers
//! when it fails ([`ToolError`]: the HTTP API's [`ClientError`], codes from the one
//! `ErrorCode` list).

use paperdex_index::ClientError;

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
/// the code and the message and can correct its call: the HTTP API's [`ClientError`], under the
/// same rule for what a client is told.
pub type ToolError = ClientError;

#[cfg(test)]
mod tests {
    use paperdex_index::{ErrorCode, IndexError};

    use super::*;

    #[test]
    fn internal_failures_are_not_shown_to_the_client() {
        let error = ToolError::from(IndexError::Corrupt { path: "/secret/index".into(), reason: "bad".into() });
        assert_eq!(error.code, ErrorCode::IndexDamaged);
        assert!(!error.message.contains("/secret"), "{}", error.message);
        let error = ToolError::from(IndexError::PaperNotFound("2612.00001".into()));
        assert_eq!(error.to_string(), "paper_not_found: no paper with id \"2612.00001\" in the index");
    }
}
