//! The stdio transport: one JSON-RPC message per line, both ways (MCP's stdio framing).
//!
//! rmcp's own line transport skips a line that is not JSON without a word (its maintainers
//! fear error storms between two programs echoing each other); JSON-RPC 2.0 answers it with a
//! parse error, and an agent author debugging a client learns more from an answer than from
//! silence. This one answers every line it cannot use, and reads on:
//!
//! - not JSON (or not UTF-8): `-32700` parse error, `id: null`;
//! - JSON but not a JSON-RPC message the server knows: `-32600` invalid request, with the
//!   line's `id` when it has one, so the client can match the answer to its request;
//! - longer than [`MAX_LINE_BYTES`]: `-32600`, and the line is skipped without being held in
//!   memory;
//! - a batch (an array of messages): `-32600` for each message with an id, saying batches are
//!   not supported;
//! - a notification or a response before the session starts (an `initialize`, or a request
//!   with its protocol version inline): passed over (rmcp would stop the server on it, and
//!   neither asks for an answer).
//!
//! - a request reusing the id of one still being answered: `-32600` naming the id.
//!
//! rmcp keeps one entry per request id: a second request under an id took the first one's
//! entry, and the first answer to come out went under it while the other was dropped without
//! a word (a request cancelled and its id reused at once got the cancelled search's answer).
//! So each request reaches rmcp under an id of the transport's own ([`Ids`]), and its answer
//! goes out under the client's.
//!
//! Writes of answers and of these errors share one lock, so lines never interleave.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{ClientNotification, ClientRequest, GetMeta, JsonRpcMessage, ProtocolVersion, RequestId};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;
use tokio::task::JoinSet;

/// The longest line read, in bytes. Tool arguments are small (a query is at most 1,000
/// characters); a megabyte leaves room for any client's metadata.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The most characters of a parser's complaint sent back (it may quote the client's input).
const MAX_DETAIL_CHARS: usize = 200;

/// A JSON-RPC error code (the JSON-RPC 2.0 specification's).
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const INVALID_PARAMS: i64 = -32602;

/// Newline-delimited JSON-RPC over a reader and a writer (stdin and stdout in `paperdex mcp`,
/// an in-memory pipe in tests).
pub struct LineTransport<R, W> {
    reader: BufReader<R>,
    /// The line being read; kept across calls, because the service loop may drop a
    /// `receive` in the middle of a line and call it again.
    line: Vec<u8>,
    /// Set while skipping the rest of an over-long line.
    discarding: bool,
    /// The error answers being written, each on a task of its own: the service loop drops a
    /// `receive` whenever another event comes first, and an answer written inside it was lost
    /// with it (a client closing its input after a bad line often never saw the answer).
    /// They are awaited before the end of the input is reported and on close.
    answers: JoinSet<io::Result<()>>,
    /// Whether a request that starts the session has been passed on ([`starts_the_session`]).
    session_started: bool,
    /// The requests passed on and not yet answered, under the ids rmcp knows them by.
    ids: Ids,
    writer: Arc<Mutex<W>>,
}

/// The ids of the requests being answered: each request reaches rmcp under an id of its own
/// (a number counted up), and its answer goes back under the client's.
#[derive(Default)]
struct Ids {
    /// The last id given.
    last: i64,
    /// The client's id of each request being answered, by the id rmcp knows it by.
    clients: HashMap<i64, RequestId>,
    /// The reverse: the id rmcp knows each of the client's requests in flight by.
    ours: HashMap<RequestId, i64>,
}

impl Ids {
    /// The id for rmcp of a request the client sent as `client`, or `None` while another
    /// request of the client's is in flight under that id.
    fn take(&mut self, client: &RequestId) -> Option<RequestId> {
        if self.ours.contains_key(client) {
            return None;
        }
        self.last += 1;
        self.clients.insert(self.last, client.clone());
        self.ours.insert(client.clone(), self.last);
        Some(RequestId::Number(self.last))
    }

    /// The client's id of the request rmcp answers under `ours`, which is then done; `None`
    /// for one the client cancelled (rmcp answers none, but should it, the client is not
    /// waiting).
    fn answered(&mut self, ours: &RequestId) -> Option<RequestId> {
        let RequestId::Number(ours) = ours else { return None };
        let client = self.clients.remove(ours)?;
        self.ours.remove(&client);
        Some(client)
    }

    /// The id rmcp knows the request the client cancels as `client` by; the client's id is
    /// free again.
    fn cancelled(&mut self, client: &RequestId) -> Option<RequestId> {
        let ours = self.ours.remove(client)?;
        self.clients.remove(&ours);
        Some(RequestId::Number(ours))
    }
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> LineTransport<R, W> {
    /// A transport reading requests from `reader` and writing answers to `writer`.
    pub fn new(reader: R, writer: W) -> Self {
        LineTransport {
            reader: BufReader::new(reader),
            line: Vec::new(),
            discarding: false,
            answers: JoinSet::new(),
            session_started: false,
            ids: Ids::default(),
            writer: Arc::new(Mutex::new(writer)),
        }
    }

    /// The next whole line (without its newline), `Ok(None)` at the end of the input, or
    /// `Err(())` for a line over [`MAX_LINE_BYTES`] (skipped). Cancel-safe: the bytes of a line
    /// read so far stay in `self.line`.
    async fn read_line(&mut self) -> io::Result<Option<Result<Vec<u8>, ()>>> {
        loop {
            let available = self.reader.fill_buf().await?;
            if available.is_empty() {
                // The end of the input: a last line without its newline still counts.
                let discarded = std::mem::take(&mut self.discarding);
                return Ok(match (discarded, self.line.is_empty()) {
                    (true, _) => Some(Err(())),
                    (false, true) => None,
                    (false, false) => Some(Ok(std::mem::take(&mut self.line))),
                });
            }
            let newline = available.iter().position(|&b| b == b'\n');
            let taken = newline.map_or(available.len(), |at| at + 1);
            let content = &available[..newline.unwrap_or(available.len())];
            if !self.discarding {
                if self.line.len() + content.len() > MAX_LINE_BYTES {
                    self.discarding = true;
                    self.line = Vec::new();
                } else {
                    self.line.extend_from_slice(content);
                }
            }
            self.reader.consume(taken);
            if newline.is_some() {
                if std::mem::take(&mut self.discarding) {
                    return Ok(Some(Err(())));
                }
                return Ok(Some(Ok(std::mem::take(&mut self.line))));
            }
        }
    }
}

/// The error answer to a line that is not a message, or `None` for a blank line.
fn answer_to_unusable(line: &[u8], error: &serde_json::Error) -> Option<Vec<u8>> {
    let detail: String = error.to_string().chars().take(MAX_DETAIL_CHARS).collect();
    let (code, message, id) = match error.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => {
            if line.iter().all(u8::is_ascii_whitespace) {
                return None;
            }
            match id_of(line) {
                // JSON all the same, with a value no parser need hold (a number beyond any
                // float, `1e400`): the request it names gets its answer.
                Some(id) => (
                    INVALID_REQUEST,
                    format!("Invalid Request: the message holds a value this server cannot read ({detail})"),
                    id,
                ),
                None => (PARSE_ERROR, format!("Parse error: the line is not JSON ({error})"), Value::Null),
            }
        }
        serde_json::error::Category::Data => {
            if let Some(answers) = answer_to_batch(line) {
                return Some(answers);
            }
            let id = id_of(line).unwrap_or(Value::Null);
            (INVALID_REQUEST, format!("Invalid Request: not a JSON-RPC 2.0 message this server knows ({detail})"), id)
        }
    };
    Some(error_line(code, &message, id))
}

/// The `id` of a line that is a JSON object with a usable one (a string or an integer), so
/// the client can match the answer to its request. Read without holding the other values, so
/// that one a parser cannot hold does not hide the id.
fn id_of(line: &[u8]) -> Option<Value> {
    #[derive(serde::Deserialize)]
    struct WithId {
        id: Option<Value>,
    }
    let id = serde_json::from_slice::<WithId>(line).ok()?.id?;
    (id.is_string() || id.is_i64()).then_some(id)
}

/// One answer per message of a JSON-RPC batch (an array of objects), each with its id:
/// batches were part of MCP until its 2025-06-18 revision, and a client that still sends
/// them must not wait for ever on the ids inside.
fn answer_to_batch(line: &[u8]) -> Option<Vec<u8>> {
    let Ok(Value::Array(messages)) = serde_json::from_slice::<Value>(line) else { return None };
    if messages.is_empty() || !messages.iter().all(Value::is_object) {
        return None;
    }
    let message = "Invalid Request: batches are not supported; send each message on a line of its own";
    // A notification (no id) gets no answer, as it would alone.
    let answers: Vec<u8> = messages
        .iter()
        .filter_map(|m| m.get("id").filter(|id| id.is_string() || id.is_i64()).cloned())
        .flat_map(|id| error_line(INVALID_REQUEST, message, id))
        .collect();
    (!answers.is_empty()).then_some(answers)
}

/// Whether rmcp leaves its handshake on `request`: an `initialize`, or (protocol 2026-07-28,
/// which has none) a request other than `ping` or `discover` carrying its protocol version and
/// capabilities inline. rmcp's own test (`serve_server_with_ct_inner`), less its check that it
/// supports the version.
fn starts_the_session(request: &ClientRequest) -> bool {
    match request {
        ClientRequest::InitializeRequest(_) => true,
        ClientRequest::PingRequest(_) | ClientRequest::DiscoverRequest(_) => false,
        other => {
            let meta = other.get_meta();
            meta.protocol_version().is_some() && meta.missing_required_keys(&ProtocolVersion::V_2026_07_28).is_empty()
        }
    }
}

/// Whether `request`, sent before the session started, neither starts it nor may come before
/// it (`ping`, `discover`) nor names a protocol version inline.
fn names_no_protocol(request: &ClientRequest) -> bool {
    match request {
        ClientRequest::InitializeRequest(_) | ClientRequest::PingRequest(_) | ClientRequest::DiscoverRequest(_) => {
            false
        }
        other => other.get_meta().protocol_version().is_none(),
    }
}

/// What is wrong with the params of `line` when it is an `initialize` whose params are not
/// MCP's (`protocolVersion`, `capabilities` and `clientInfo` are required), in the words of
/// an invalid-params error; `None` for any other line.
fn unreadable_initialize(line: &[u8]) -> Option<String> {
    let message: Value = serde_json::from_slice(line).ok()?;
    if message.get("method").and_then(Value::as_str) != Some("initialize") {
        return None;
    }
    let problem = match message.get("params") {
        None | Some(Value::Null) => "it has none".to_string(),
        Some(params) => {
            let error = serde_json::from_value::<rmcp::model::InitializeRequestParams>(params.clone()).err()?;
            error.to_string().chars().take(MAX_DETAIL_CHARS).collect()
        }
    };
    Some(format!(
        "Invalid params: `initialize` needs params with `protocolVersion`, `capabilities` and `clientInfo`: {problem}"
    ))
}

fn error_line(code: i64, message: &str, id: Value) -> Vec<u8> {
    let mut line = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}).to_string();
    line.push('\n');
    line.into_bytes()
}

async fn write_line<W: AsyncWrite + Unpin>(writer: &Mutex<W>, line: &[u8]) -> io::Result<()> {
    let mut writer = writer.lock().await;
    writer.write_all(line).await?;
    writer.flush().await
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = io::Error;

    fn send(
        &mut self,
        mut item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), io::Error>> + Send + 'static {
        let answered = match &mut item {
            JsonRpcMessage::Response(response) => Some(&mut response.id),
            JsonRpcMessage::Error(error) => error.id.as_mut(),
            _ => None,
        };
        // The answer goes out under the client's id; one to a cancelled request not at all.
        let client = answered.map(|id| match self.ids.answered(id) {
            Some(client) => {
                *id = client;
                true
            }
            None => false,
        });
        let writer = Arc::clone(&self.writer);
        async move {
            if client == Some(false) {
                tracing::debug!("dropped the answer to a cancelled request");
                return Ok(());
            }
            let mut line = serde_json::to_vec(&item)?;
            line.push(b'\n');
            write_line(&writer, &line).await
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            while let Some(written) = self.answers.try_join_next() {
                if !answer_written(written) {
                    return None;
                }
            }
            let line = match self.read_line().await {
                Ok(Some(Ok(line))) => line,
                Ok(Some(Err(()))) => {
                    tracing::warn!("skipped a message over {MAX_LINE_BYTES} bytes");
                    let message = format!("Invalid Request: a message may be at most {MAX_LINE_BYTES} bytes long");
                    self.answer(error_line(INVALID_REQUEST, &message, Value::Null));
                    continue;
                }
                Ok(None) => {
                    // Every answer is out before the service hears the input has ended.
                    // (Cancel-safe: dropped here, the next call finds the end again.)
                    while let Some(written) = self.answers.join_next().await {
                        answer_written(written);
                    }
                    return None;
                }
                Err(error) => {
                    tracing::error!(%error, "cannot read from the client; stopping");
                    return None;
                }
            };
            let line = line.strip_suffix(b"\r").unwrap_or(&line);
            match serde_json::from_slice::<RxJsonRpcMessage<RoleServer>>(line) {
                // Before the handshake rmcp takes a notification or a response for a broken
                // handshake and stops the server; neither asks for an answer, so they are
                // passed over (a client's `notifications/initialized` after an `initialize`
                // that was refused, a stray result).
                Ok(JsonRpcMessage::Notification(_) | JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_))
                    if !self.session_started =>
                {
                    tracing::warn!("passed over a notification or a response sent before the session started");
                }
                // A request before the session that names no protocol at all (a client that
                // skipped `initialize`): rmcp took it for a 2026-07-28 request and answered
                // that `_meta` lacked fields the client had never heard of. Answered here with
                // what to do; the handshake still waits.
                Ok(JsonRpcMessage::Request(request))
                    if !self.session_started && names_no_protocol(&request.request) =>
                {
                    let id = serde_json::to_value(&request.id).unwrap_or(Value::Null);
                    // An `initialize` whose params rmcp could not read arrives as another
                    // request: told what its params lack, not to send `initialize`.
                    let answer = match unreadable_initialize(line) {
                        Some(message) => error_line(INVALID_PARAMS, &message, id),
                        None => {
                            let message = "Invalid Request: the session has not started: send `initialize` \
                                           first (under protocol 2026-07-28, a request may carry its protocol \
                                           version and client capabilities in `_meta` instead)";
                            error_line(INVALID_REQUEST, message, id)
                        }
                    };
                    self.answer(answer);
                }
                Ok(JsonRpcMessage::Request(mut request)) => {
                    let Some(ours) = self.ids.take(&request.id) else {
                        tracing::warn!(id = %request.id, "answered a request reusing the id of one in flight");
                        let message = format!(
                            "Invalid Request: id {} belongs to a request still being answered; give each \
                             request in flight an id of its own",
                            request.id
                        );
                        let id = serde_json::to_value(&request.id).unwrap_or(Value::Null);
                        self.answer(error_line(INVALID_REQUEST, &message, id));
                        continue;
                    };
                    self.session_started |= starts_the_session(&request.request);
                    request.id = ours;
                    return Some(JsonRpcMessage::Request(request));
                }
                Ok(mut message) => {
                    // A cancellation names the request as rmcp knows it, and the client's id is
                    // free again. One of a request already answered (they cross) is passed
                    // over: under the client's id it could name another request of rmcp's.
                    if let JsonRpcMessage::Notification(notification) = &mut message
                        && let ClientNotification::CancelledNotification(cancelled) = &mut notification.notification
                        && let Some(id) = &mut cancelled.params.request_id
                    {
                        let Some(ours) = self.ids.cancelled(id) else {
                            tracing::debug!(%id, "passed over the cancellation of a request not in flight");
                            continue;
                        };
                        *id = ours;
                    }
                    return Some(message);
                }
                Err(error) => {
                    if let Some(answer) = answer_to_unusable(line, &error) {
                        tracing::warn!(%error, "answered a line that is not a JSON-RPC message with an error");
                        self.answer(answer);
                    }
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), io::Error> {
        while let Some(written) = self.answers.join_next().await {
            answer_written(written);
        }
        self.writer.lock().await.flush().await
    }
}

impl<R, W> LineTransport<R, W>
where
    W: AsyncWrite + Unpin + Send + 'static,
{
    /// Writes an error answer on a task of its own, which a dropped `receive` does not stop.
    fn answer(&mut self, line: Vec<u8>) {
        let writer = Arc::clone(&self.writer);
        self.answers.spawn(async move { write_line(&writer, &line).await });
    }
}

/// Whether an answer's write went well; a client that cannot be written to stops the server.
fn answer_written(written: Result<io::Result<()>, tokio::task::JoinError>) -> bool {
    match written {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::error!(%error, "cannot write to the client; stopping");
            false
        }
        Err(error) => {
            tracing::error!(%error, "an answer's write failed");
            false
        }
    }
}
