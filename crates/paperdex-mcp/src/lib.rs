//! paperdex-mcp: a Model Context Protocol server over a [`SearchEngine`], so that coding and
//! research agents can search the index as a tool (`paperdex mcp`, on stdio).
//!
//! - [`PaperdexMcp`] is the server: an [`rmcp::ServerHandler`] (the official Rust SDK: protocol
//!   model, version negotiation, request dispatch) exposing three [`tools`]: `search`,
//!   `show_paper` and `related_papers`.
//! - [`LineTransport`] frames JSON-RPC as one message per line and answers lines it cannot use
//!   with JSON-RPC errors instead of skipping them; [`serve`] runs a server over any reader and
//!   writer, [`serve_stdio`] over stdin and stdout.
//!
//! A tool call is the same call the CLI and the HTTP API make: arguments read strictly into
//! a [`paperdex_index::SearchRequest`] (the same limits, [`paperdex_index::limits`]), the engine
//! run on the blocking pool (one call per core at a time, a 10 s deadline, stopped when the
//! client cancels), and the answer converted into the HTTP API's JSON shapes
//! ([`paperdex_server::dto`]), sent as `structuredContent` beside a compact text for the
//! agent. A failure is a tool result with `isError: true`, its text `code: message` and its
//! `structuredContent` the HTTP API's `{"error": {"code", "message"}}` ([`ToolError`], codes from
//! [`paperdex_index::ErrorCode`]). An unknown tool is a JSON-RPC error, and so is a method the
//! server does not serve, each in one sentence ([`Served`]). Logs go to stderr only.

pub mod error;
mod render;
pub mod tools;
mod transport;

use std::sync::Arc;
use std::time::Duration;

use paperdex_index::{Cancel, ErrorCode, IndexError, SearchEngine};
use paperdex_server::dto::{PaperView, RelatedResponse, SearchResponse};
use paperdex_server::error::{ErrorBody, ErrorDetail};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientNotification, ClientRequest, ContentBlock,
    CustomRequest, CustomResult, ErrorData, Implementation, ListToolsResult, PaginatedRequestParams, ProtocolVersion,
    ServerCapabilities, ServerConfig, ServerResult,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::{RoleServer, ServerHandler, Service, ServiceExt};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Semaphore;

pub use error::{McpError, ToolError};
pub use transport::{LineTransport, MAX_LINE_BYTES};

/// How long a tool call may take, waiting for its turn included: the HTTP API's limit.
pub const CALL_TIMEOUT: Duration = paperdex_server::REQUEST_TIMEOUT;

/// What a call the client cancelled ends with: never sent (no answer goes to a cancelled
/// request), and not logged as an answer.
const CANCELLED_BY_THE_CLIENT: &str = "the client cancelled the call";

/// The MCP server over one engine.
#[derive(Clone)]
pub struct PaperdexMcp {
    engine: Arc<SearchEngine>,
    /// Turns for index work ([`paperdex_index::limits::searches_at_once`]), as in the HTTP
    /// server.
    workers: Arc<Semaphore>,
    timeout: Duration,
}

impl PaperdexMcp {
    /// A server over `engine`, [`paperdex_index::limits::searches_at_once`] calls at a time,
    /// [`CALL_TIMEOUT`] per call.
    pub fn new(engine: Arc<SearchEngine>) -> PaperdexMcp {
        let workers = paperdex_index::limits::searches_at_once();
        PaperdexMcp { engine, workers: Arc::new(Semaphore::new(workers)), timeout: CALL_TIMEOUT }
    }

    /// The same server with another per-call deadline.
    pub fn with_timeout(mut self, timeout: Duration) -> PaperdexMcp {
        self.timeout = timeout;
        self
    }

    /// Runs one tool call: `Ok` for any answer the agent should read (an error included),
    /// `Err` only for a tool that does not exist.
    pub async fn call(
        &self,
        name: &str,
        arguments: Option<rmcp::model::JsonObject>,
        cancelled: impl Future<Output = ()> + Send,
    ) -> Result<CallToolResult, ErrorData> {
        let answer = match name {
            tools::SEARCH => self.search(arguments, cancelled).await,
            tools::SHOW_PAPER => self.show_paper(arguments, cancelled).await,
            tools::RELATED_PAPERS => self.related_papers(arguments, cancelled).await,
            tools::LATEST_PAPERS => self.latest_papers(arguments, cancelled).await,
            other => {
                return Err(ErrorData::invalid_params(
                    format!("Unknown tool: {} (tools: {})", paperdex_index::limits::quote(other), tools::names()),
                    None,
                ));
            }
        };
        Ok(answer.unwrap_or_else(|error| {
            if error.message != CANCELLED_BY_THE_CLIENT {
                tracing::info!(tool = name, %error, "tool call answered with an error");
            }
            error_result(&error)
        }))
    }

    async fn search(
        &self,
        arguments: Option<rmcp::model::JsonObject>,
        cancelled: impl Future<Output = ()> + Send,
    ) -> Result<CallToolResult, ToolError> {
        let request = tools::parse::<tools::SearchArgs>(arguments)?.into_request()?;
        let (offset, sort) = (request.offset, request.sort);
        let results = self.blocking(cancelled, move |engine, cancel| engine.search_until(&request, cancel)).await?;
        let answer = SearchResponse::from(results);
        success(render::search(&answer, offset, sort), &answer)
    }

    async fn show_paper(
        &self,
        arguments: Option<rmcp::model::JsonObject>,
        cancelled: impl Future<Output = ()> + Send,
    ) -> Result<CallToolResult, ToolError> {
        let args = tools::parse::<tools::ShowPaperArgs>(arguments)?;
        let paper = self.blocking(cancelled, move |engine, _| engine.index().paper(args.id.trim())).await?;
        let view = PaperView::from(&paper);
        success(render::paper(&view), &view)
    }

    async fn related_papers(
        &self,
        arguments: Option<rmcp::model::JsonObject>,
        cancelled: impl Future<Output = ()> + Send,
    ) -> Result<CallToolResult, ToolError> {
        let args = tools::parse::<tools::RelatedPapersArgs>(arguments)?;
        args.validate()?;
        let results = self
            .blocking(cancelled, move |engine, cancel| engine.related_until(args.id.trim(), args.limit, cancel))
            .await?;
        let answer = RelatedResponse::from(results);
        success(render::related(&answer), &answer)
    }

    async fn latest_papers(
        &self,
        arguments: Option<rmcp::model::JsonObject>,
        cancelled: impl Future<Output = ()> + Send,
    ) -> Result<CallToolResult, ToolError> {
        let (filter, offset, limit) = tools::parse::<tools::LatestPapersArgs>(arguments)?.into_listing()?;
        let results = self.blocking(cancelled, move |engine, _| engine.index().newest(&filter, offset, limit)).await?;
        let answer = SearchResponse::from(results);
        success(render::latest(&answer, offset), &answer)
    }

    /// Runs `work` on the blocking pool once a turn is free, within the deadline; raises its
    /// [`Cancel`] flag when the deadline passes or `cancelled` completes (the client's
    /// `notifications/cancelled`), so the search stops working too.
    async fn blocking<T: Send + 'static>(
        &self,
        cancelled: impl Future<Output = ()> + Send,
        work: impl FnOnce(&SearchEngine, &Cancel) -> Result<T, IndexError> + Send + 'static,
    ) -> Result<T, ToolError> {
        let cancel = Cancel::new();
        let flag = cancel.clone();
        let engine = Arc::clone(&self.engine);
        let workers = Arc::clone(&self.workers);
        let run = async move {
            let turn = workers
                .acquire_owned()
                .await
                .map_err(|_| ToolError::new(ErrorCode::ShuttingDown, "the server is shutting down"))?;
            let answer = tokio::task::spawn_blocking(move || {
                let _turn = turn;
                cancel.check()?;
                work(&engine, &cancel)
            })
            .await
            .map_err(|error| ToolError::internal(format!("the tool's task failed: {error}")))?;
            Ok::<T, ToolError>(answer?)
        };
        let out_of_time = tokio::select! {
            answer = run => return answer,
            _ = tokio::time::sleep(self.timeout) => true,
            () = cancelled => false,
        };
        // The work learns it is not waited for any more; its thread stops at its next check.
        flag.cancel();
        if out_of_time {
            tracing::warn!("a tool call ran out of time");
            Err(ToolError::out_of_time(self.timeout))
        } else {
            // No answer goes to a cancelled request (the protocol says so): nothing to log
            // as answered.
            tracing::info!("a tool call was cancelled by the client");
            Err(ToolError::new(ErrorCode::Timeout, CANCELLED_BY_THE_CLIENT))
        }
    }
}

/// A successful result: the text for the agent and the same answer as structured content.
/// The answer is written as the HTTP API writes it and read back: `to_value` turns each `f32`
/// into the `f64` nearest it, which prints as `0.06935817748308182` where the API's JSON
/// says `0.06935818`.
fn success(text: String, structured: &impl Serialize) -> Result<CallToolResult, ToolError> {
    let json = serde_json::to_string(structured).map_err(ToolError::internal)?;
    let value: serde_json::Value = serde_json::from_str(&json).map_err(ToolError::internal)?;
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    result.structured_content = Some(value);
    Ok(result)
}

/// A tool error: `code: message` as text, the HTTP API's error body as structured content.
fn error_result(error: &ToolError) -> CallToolResult {
    let body =
        ErrorBody { error: ErrorDetail { code: error.code.as_str().to_string(), message: error.message.clone() } };
    let mut result = CallToolResult::error(vec![ContentBlock::text(error.to_string())]);
    result.structured_content = serde_json::to_value(&body).ok();
    result
}

impl ServerHandler for PaperdexMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("paperdex", env!("CARGO_PKG_VERSION")).with_title("paperdex: AI research papers"),
            )
            .with_instructions(tools::INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools::list()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let cancelled = context.ct.cancelled_owned();
        self.call(&request.name, request.arguments, cancelled).await.map(CallToolResponse::from)
    }

    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        Err(unanswerable(&request.method))
    }
}

/// The error for a request rmcp could not route: a method no handler has, or one of the
/// tools methods whose `params` do not fit it (rmcp hands both here; its default answer,
/// "method not found" with the method's name, was wrong for the second).
fn unanswerable(method: &str) -> ErrorData {
    match method {
        "tools/call" => ErrorData::invalid_params(
            "tools/call needs params {\"name\": the tool's name (a string), \"arguments\": an object}",
            None,
        ),
        "tools/list" => ErrorData::invalid_params("tools/list takes no params, or {\"cursor\": a string}", None),
        _ => unknown_method(method),
    }
}

/// The one answer to a method this server does not serve, whoever found it missing.
fn unknown_method(method: &str) -> ErrorData {
    ErrorData::new(
        rmcp::model::ErrorCode::METHOD_NOT_FOUND,
        format!(
            "unknown method {}; this server has tools only (tools/list, tools/call)",
            paperdex_index::limits::quote(method)
        ),
        None,
    )
}

/// The service rmcp runs: [`PaperdexMcp`], every "method not found" answered by
/// [`unknown_method`]. rmcp answers the MCP methods a server leaves out (`resources/list`,
/// `prompts/list`, `logging/setLevel`, `completion/complete`, `tasks/get`...) by itself, some
/// before any handler runs, with the method's bare name as the whole message; mapped here,
/// they read as any other unknown method does, and one added to rmcp later will too.
struct Served(PaperdexMcp);

impl Service<RoleServer> for Served {
    async fn handle_request(
        &self,
        request: ClientRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        let method = request.method().to_owned();
        self.0.handle_request(request, context).await.map_err(|error| {
            if error.code == rmcp::model::ErrorCode::METHOD_NOT_FOUND { unknown_method(&method) } else { error }
        })
    }

    async fn handle_notification(
        &self,
        notification: ClientNotification,
        context: NotificationContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.0.handle_notification(notification, context).await
    }

    fn get_info(&self) -> ServerConfig {
        Service::get_info(&self.0)
    }

    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        Service::supported_protocol_versions(&self.0)
    }
}

/// Serves one client over `reader` and `writer` until it closes its side.
pub async fn serve<R, W>(server: PaperdexMcp, reader: R, writer: W) -> Result<(), McpError>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let running = Served(server)
        .serve(LineTransport::new(reader, writer))
        .await
        .map_err(|e| McpError::Handshake(e.to_string()))?;
    let reason = running.waiting().await.map_err(|e| McpError::Stopped(e.to_string()))?;
    tracing::debug!(?reason, "the MCP client went away");
    Ok(())
}

/// Serves the client that started this process, over stdin and stdout.
pub async fn serve_stdio(engine: Arc<SearchEngine>) -> Result<(), McpError> {
    serve(PaperdexMcp::new(engine), tokio::io::stdin(), tokio::io::stdout()).await
}

#[cfg(test)]
mod tests;
