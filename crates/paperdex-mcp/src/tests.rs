//! The server over an in-memory pipe: raw JSON-RPC lines in, lines out, as a client sends them.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use paperdex_embed::{EmbedError, Embedder, HashEmbedder, Role};
use paperdex_index::{PaperIndex, Quiet, SearchEngine};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf};

use crate::{MAX_LINE_BYTES, PaperdexMcp, serve};

/// The sample indexed once with the hash embedder, for every test.
fn sample_index() -> &'static tempfile::TempDir {
    static INDEX: OnceLock<tempfile::TempDir> = OnceLock::new();
    INDEX.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample");
        let dir = tempfile::tempdir().expect("temp dir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        index.ingest(&[root], Some(&HashEmbedder::new(64)), &mut Quiet).expect("ingest");
        dir
    })
}

fn engine_with(embedder: impl Embedder + 'static) -> Arc<SearchEngine> {
    let index = PaperIndex::open(sample_index().path()).expect("open the sample index");
    Arc::new(SearchEngine::new(index, Ok(Arc::new(embedder) as Arc<dyn Embedder>)))
}

/// A client's end of the pipe.
struct Client {
    lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
    writer: WriteHalf<DuplexStream>,
    server: tokio::task::JoinHandle<Result<(), crate::McpError>>,
}

impl Client {
    fn start(server: PaperdexMcp) -> Client {
        let (ours, theirs) = tokio::io::duplex(4 * MAX_LINE_BYTES);
        let (server_reader, server_writer) = tokio::io::split(theirs);
        let server = tokio::spawn(serve(server, server_reader, server_writer));
        let (reader, writer) = tokio::io::split(ours);
        Client { lines: BufReader::new(reader).lines(), writer, server }
    }

    /// [`Client::start`] with a server whose every write waits a turn first, as writes to a
    /// real stdout do (tokio hands them to a thread): a write is a moment a task can be
    /// dropped in.
    fn start_with_slow_output(server: PaperdexMcp) -> Client {
        let (ours, theirs) = tokio::io::duplex(4 * MAX_LINE_BYTES);
        let (server_reader, server_writer) = tokio::io::split(theirs);
        let server_writer = WaitsATurn { inner: server_writer, waited: false };
        let server = tokio::spawn(serve(server, server_reader, server_writer));
        let (reader, writer) = tokio::io::split(ours);
        Client { lines: BufReader::new(reader).lines(), writer, server }
    }

    async fn send(&mut self, line: &str) {
        self.writer.write_all(line.as_bytes()).await.expect("write");
        self.writer.write_all(b"\n").await.expect("write");
    }

    async fn answer(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(20), self.lines.next_line())
            .await
            .expect("an answer within 20 s")
            .expect("read")
            .expect("the server closed its side");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("the server wrote a line that is not JSON ({e}): {line}"))
    }

    async fn initialize(&mut self) {
        self.send(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}}})
            .to_string(),
        )
        .await;
        let answer = self.answer().await;
        assert_eq!(answer["result"]["serverInfo"]["name"], "paperdex", "{answer}");
        self.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).await;
    }

    async fn call(&mut self, id: u64, tool: &str, arguments: Value) -> Value {
        self.send(
            &json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}})
            .to_string(),
        )
        .await;
        let answer = self.answer().await;
        assert_eq!(answer["id"], id, "{answer}");
        answer
    }

    /// Closes the client's side; the server must end cleanly.
    async fn close(mut self) {
        self.writer.shutdown().await.expect("close the pipe");
        let served = tokio::time::timeout(Duration::from_secs(10), self.server).await.expect("the server stops");
        served.expect("the server task").expect("the server ends without error");
    }
}

/// A writer that answers each write "not yet" once before writing.
struct WaitsATurn<W> {
    inner: W,
    waited: bool,
}

impl<W: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for WaitsATurn<W> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        if !std::mem::replace(&mut self.waited, true) {
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        self.waited = false;
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

fn server() -> PaperdexMcp {
    PaperdexMcp::new(engine_with(HashEmbedder::new(64)))
}

#[tokio::test]
async fn a_line_that_is_not_json_gets_a_parse_error_and_the_server_reads_on() {
    let mut client = Client::start(server());
    client.send("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ").await;
    let answer = client.answer().await;
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    assert_eq!(answer["id"], Value::Null, "{answer}");
    client.send("").await; // A blank line is no message and gets no answer.
    client.initialize().await;
    client.send("\u{1}\u{2} not json at all").await;
    assert_eq!(client.answer().await["error"]["code"], -32700);
    let found = client.call(2, "search", json!({"query": "KV cache quantization"})).await;
    assert_eq!(found["result"]["isError"], false, "{found}");
    client.close().await;
}

#[tokio::test]
async fn json_that_is_not_a_message_gets_invalid_request_with_its_id() {
    let mut client = Client::start(server());
    client.initialize().await;
    for (line, id) in [
        (r#"{"jsonrpc":"2.0","id":5,"params":{}}"#, json!(5)),
        (r#"{"jsonrpc":"2.0","id":"five","result_of":"nothing"}"#, json!("five")),
        (r#"[1,2,3]"#, Value::Null),
        (r#""a string""#, Value::Null),
    ] {
        client.send(line).await;
        let answer = client.answer().await;
        assert_eq!(answer["error"]["code"], -32600, "{line}: {answer}");
        assert_eq!(answer["id"], id, "{line}: {answer}");
    }
    let found = client.call(6, "show_paper", json!({"id": "2602.02958"})).await;
    assert_eq!(found["result"]["structuredContent"]["id"], "2602.02958", "{found}");
    client.close().await;
}

/// A notification or a stray response before `initialize` (a client that sends
/// `notifications/initialized` after an `initialize` that was refused) stopped the server;
/// they are passed over, and the handshake that follows works.
#[tokio::test]
async fn a_notification_or_a_response_before_initialize_does_not_stop_the_server() {
    let mut client = Client::start(server());
    client.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).await;
    client.send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}"#).await;
    client.send(r#"{"jsonrpc":"2.0","id":9,"result":{}}"#).await;
    client.initialize().await;
    let found = client.call(2, "search", json!({"query": "KV cache quantization"})).await;
    assert_eq!(found["result"]["isError"], false, "{found}");
    client.close().await;
}

/// A client that forgot `initialize` is told so (rmcp answered that `_meta` lacked the inline
/// protocol fields of a revision the client never named), and the handshake that follows works.
#[tokio::test]
async fn a_request_before_initialize_is_told_to_initialize_first() {
    let mut client = Client::start(server());
    client.send(r#"{"jsonrpc":"2.0","id":"early","method":"tools/list"}"#).await;
    let answer = client.answer().await;
    assert_eq!(answer["id"], "early", "{answer}");
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("send `initialize` first"), "{answer}");
    client.initialize().await;
    let found = client.call(2, "search", json!({"query": "KV cache quantization"})).await;
    assert_eq!(found["result"]["isError"], false, "{found}");
    client.close().await;
}

/// A client whose `initialize` lacks what MCP requires is told which field, as invalid params
/// (it was told to send `initialize`, which it had), and its corrected handshake works.
#[tokio::test]
async fn an_initialize_missing_a_field_is_told_which() {
    let mut client = Client::start(server());
    let cases = [
        (json!({"capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}), "missing field `protocolVersion`"),
        (json!({"protocolVersion": "2025-11-25", "capabilities": {}}), "missing field `clientInfo`"),
    ];
    for (n, (params, fault)) in cases.into_iter().enumerate() {
        client.send(&json!({"jsonrpc": "2.0", "id": n, "method": "initialize", "params": params}).to_string()).await;
        let answer = client.answer().await;
        assert_eq!(
            (answer["id"].as_u64(), answer["error"]["code"].as_i64()),
            (Some(n as u64), Some(-32602)),
            "{answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("Invalid params: `initialize` needs") && message.contains(fault), "{answer}");
    }
    client.send(r#"{"jsonrpc":"2.0","id":"bare","method":"initialize"}"#).await;
    let answer = client.answer().await;
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap_or_default().ends_with("it has none"), "{answer}");
    client.initialize().await;
    client.close().await;
}

/// A client that writes its requests, good and bad, and closes its input at once (a script
/// piping a file in) gets an answer to every one: the answers to bad lines were written inside
/// a read the service loop drops whenever a tool's answer comes first, and were lost with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_line_is_answered_when_the_client_closes_its_input_right_after_them() {
    for _ in 0..20 {
        let mut client = Client::start_with_slow_output(server());
        client.initialize().await;
        let mut expected = Vec::new();
        for id in 1..=6u64 {
            client
                .send(
                    &json!({"jsonrpc": "2.0", "id": id * 10, "method": "tools/call",
                    "params": {"name": "show_paper", "arguments": {"id": "2602.02958"}}})
                    .to_string(),
                )
                .await;
            client
                .send(&json!({"jsonrpc": "2.0", "id": id * 10 + 1, "method": "tools/call", "params": [1]}).to_string())
                .await;
            client.send(&json!({"id": id * 10 + 2, "method": "tools/list"}).to_string()).await;
            expected.extend([id * 10, id * 10 + 1, id * 10 + 2]);
        }
        client.writer.shutdown().await.expect("close the pipe");
        let mut answered = Vec::new();
        while let Ok(Ok(Some(line))) = tokio::time::timeout(Duration::from_secs(20), client.lines.next_line()).await {
            let answer: Value = serde_json::from_str(&line).expect("JSON");
            answered.extend(answer["id"].as_u64());
        }
        answered.sort_unstable();
        assert_eq!(answered, expected, "every request is answered once");
        let served = tokio::time::timeout(Duration::from_secs(10), client.server).await.expect("the server stops");
        served.expect("the server task").expect("the server ends without error");
    }
}

/// Each message of a batch is answered with its own id (batches are not supported), a
/// number beyond any float does not cost a request its id, and a tools call whose params do
/// not fit says what they must be: no request is left waiting for an answer.
#[tokio::test]
async fn malformed_requests_get_an_answer_that_names_their_id_and_the_fault() {
    let mut client = Client::start(server());
    client.initialize().await;
    client
        .send(r#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":"two","method":"tools/list"}]"#)
        .await;
    for id in [json!(1), json!("two")] {
        let answer = client.answer().await;
        assert_eq!((answer["id"].clone(), answer["error"]["code"].clone()), (id, json!(-32600)), "{answer}");
        assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("batches")), "{answer}");
    }
    client
        .send(r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"search","arguments":{"query":"x","limit":1e400}}}"#)
        .await;
    let answer = client.answer().await;
    assert_eq!((answer["id"].clone(), answer["error"]["code"].clone()), (json!(3), json!(-32600)), "{answer}");
    for (id, params) in [(4, json!({})), (5, json!({"name": "search", "arguments": "query"})), (6, Value::Null)] {
        let mut request = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call"});
        if !params.is_null() {
            request["params"] = params;
        }
        client.send(&request.to_string()).await;
        let answer = client.answer().await;
        assert_eq!((answer["id"].clone(), answer["error"]["code"].clone()), (json!(id), json!(-32602)), "{answer}");
        assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("arguments")), "{answer}");
    }
    client.send(r#"{"jsonrpc":"2.0","id":7,"method":"tools/run"}"#).await;
    let answer = client.answer().await;
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("\"tools/run\"")), "{answer}");
    // MCP makes `arguments` optional: a call without them is a call with none, which the tool
    // answers by naming what it needs.
    client.send(r#"{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"show_paper"}}"#).await;
    let answer = client.answer().await;
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(answer["result"]["structuredContent"]["error"]["code"], "invalid_parameter", "{answer}");
    let found = client.call(8, "search", json!({"query": "KV cache quantization"})).await;
    assert_eq!(found["result"]["isError"], false, "{found}");
    client.close().await;
}

/// An agent's client asks every server for its resources, prompts and log level; rmcp answered
/// those with the method's bare name (`"message": "resources/list"`) where any other unknown
/// method got a sentence saying what the server has.
#[tokio::test]
async fn every_method_the_server_lacks_gets_the_same_sentence() {
    let mut client = Client::start(server());
    client.initialize().await;
    let methods = [
        ("resources/list", json!({})),
        ("prompts/list", json!({})),
        ("logging/setLevel", json!({"level": "info"})),
        ("resources/templates/list", json!({})),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "x"}, "argument": {"name": "a", "value": "b"}}),
        ),
        ("tools/run", json!({})),
    ];
    for (id, (method, params)) in methods.iter().enumerate() {
        client.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()).await;
        let answer = client.answer().await;
        assert_eq!((answer["id"].clone(), answer["error"]["code"].clone()), (json!(id), json!(-32601)), "{answer}");
        assert_eq!(
            answer["error"]["message"],
            format!("unknown method \"{method}\"; this server has tools only (tools/list, tools/call)"),
            "{answer}"
        );
    }
    let found = client.call(20, "search", json!({"query": "KV cache quantization", "limit": 1})).await;
    assert_eq!(found["result"]["isError"], false, "{found}");
    client.close().await;
}

#[tokio::test]
async fn an_over_long_line_is_refused_and_the_next_one_read() {
    let mut client = Client::start(server());
    client.initialize().await;
    let long = format!(
        r#"{{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{{"name":"search","arguments":{{"query":"{}"}}}}}}"#,
        "a".repeat(MAX_LINE_BYTES)
    );
    client.send(&long).await;
    let answer = client.answer().await;
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("at most")), "{answer}");
    let found = client.call(10, "search", json!({"query": "KV cache quantization", "limit": 1})).await;
    assert_eq!(found["result"]["structuredContent"]["hits"][0]["id"], "2602.02958", "{found}");
    client.close().await;
}

/// An agent reads the answer's first line to know what order it is in: a date order must
/// not say "best first", or the newest match is taken for the best.
#[tokio::test]
async fn an_answer_says_the_order_it_is_in() {
    let mut client = Client::start(server());
    client.initialize().await;
    let text = |answer: &Value| answer["result"]["content"][0]["text"].as_str().unwrap_or_default().to_string();
    let by_relevance = client.call(11, "search", json!({"query": "video generation"})).await;
    assert!(text(&by_relevance).lines().next().is_some_and(|l| l.ends_with("best first):")), "{by_relevance}");
    let by_date = client.call(12, "search", json!({"query": "video generation", "sort": "date"})).await;
    let first = text(&by_date);
    let first = first.lines().next().unwrap_or_default();
    assert!(first.contains("newest first") && !first.contains("best first"), "{first}");
    // Past the last page the answer says there are matches, just not that far.
    let past = client.call(13, "search", json!({"query": "video generation", "mode": "bm25", "offset": 9990})).await;
    let past = text(&past);
    assert!(past.starts_with("No papers from 9991 on for \"video generation\" (bm25, "), "{past}");
    assert!(past.contains("matched in all"), "{past}");
    client.close().await;
}

#[tokio::test]
async fn an_unknown_tool_is_a_protocol_error_naming_it_and_the_tools() {
    let mut client = Client::start(server());
    client.initialize().await;
    let answer = client.call(3, "delete_everything", json!({})).await;
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    let message = answer["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("\"delete_everything\"")
            && message.contains("search, show_paper, related_papers, latest_papers"),
        "{message}"
    );
    client.close().await;
}

/// An LLM client that writes every argument as text (`"limit": "2"`) was refused where the
/// HTTP API reads `limit=2`: it gets the page it asked for, and text that is no count is still
/// named as the argument at fault.
#[tokio::test]
async fn an_agent_that_writes_numbers_as_text_gets_the_page_it_asked_for() {
    let mut client = Client::start(server());
    client.initialize().await;
    let ids = |answer: &Value| -> Vec<String> {
        let hits = answer["result"]["structuredContent"]["hits"].as_array().cloned().unwrap_or_default();
        hits.iter().filter_map(|hit| hit["id"].as_str().map(str::to_string)).collect()
    };
    let query = "video generation";
    let as_numbers = client.call(1, "search", json!({"query": query, "mode": "bm25", "limit": 2, "offset": 1})).await;
    let as_text = client.call(2, "search", json!({"query": query, "mode": "bm25", "limit": "2", "offset": "1"})).await;
    assert_eq!(as_text["result"]["isError"], false, "{as_text}");
    assert_eq!(ids(&as_text).len(), 2, "{as_text}");
    assert_eq!(ids(&as_text), ids(&as_numbers));
    let newest = client.call(3, "latest_papers", json!({"limit": 2})).await;
    let second = client.call(4, "latest_papers", json!({"limit": "1", "offset": "1"})).await;
    assert_eq!(ids(&second), ids(&newest)[1..], "{second}");
    let related = client.call(5, "related_papers", json!({"id": "2602.02958", "limit": "3"})).await;
    assert_eq!(ids(&related).len(), 3, "{related}");
    let refused = client.call(6, "search", json!({"query": query, "limit": "two"})).await;
    assert_eq!(refused["result"]["isError"], true, "{refused}");
    assert_eq!(
        refused["result"]["structuredContent"]["error"]["message"],
        "limit must be an integer between 1 and 200, not \"two\"",
        "{refused}"
    );
    client.close().await;
}

#[tokio::test]
async fn bad_arguments_are_tool_errors_naming_the_argument() {
    let mut client = Client::start(server());
    client.initialize().await;
    let cases = [
        (
            "search",
            json!({"query": "x", "limit": "ten"}),
            "invalid_parameter",
            "limit must be an integer between 1 and 200, not \"ten\"",
        ),
        (
            "search",
            json!({"query": "x", "mode": "fuzzy"}),
            "invalid_parameter",
            "mode must be hybrid, bm25 or vector (keyword and semantic also do), not \"fuzzy\"",
        ),
        (
            "search",
            json!({"q": "x"}),
            "invalid_parameter",
            "\"q\" is not an argument of this tool (expected lang, limit, mode, offset, query, section, since, sort, source, until)",
        ),
        (
            "search",
            json!({"query": "x".repeat(1001)}),
            "query_too_long",
            "the query is 1001 characters long; the limit is 1000",
        ),
        (
            "search",
            json!({"query": "x", "since": "2026-02-30"}),
            "invalid_parameter",
            "since must be a day of the calendar, not \"2026-02-30\"",
        ),
        (
            "search",
            json!({"query": "x", "source": "arxiv"}),
            "invalid_parameter",
            "source must be one of report, hf, zh-summary, paper-md, not \"arxiv\"",
        ),
        (
            "search",
            json!({"query": "x", "since": "2026-03-01", "until": "2026-02-01"}),
            "invalid_parameter",
            "since 2026-03-01 is after until (2026-02-01): no paper can be in that range",
        ),
        ("show_paper", json!({}), "invalid_parameter", "id is required"),
        ("related_papers", json!({"id": "  "}), "invalid_parameter", "id is required: the paper's arXiv id or link"),
        (
            "show_paper",
            json!({"id": 2602.02958}),
            "invalid_parameter",
            "id must be a string, not the number 2602.02958",
        ),
        (
            "related_papers",
            json!({"id": "2602.02958", "limit": 0}),
            "invalid_parameter",
            "limit must be an integer between 1 and 200, not \"0\"",
        ),
        (
            "related_papers",
            json!({"id": "2612.99999"}),
            "paper_not_found",
            "no paper with id \"2612.99999\" in the index",
        ),
    ];
    for (n, (tool, arguments, code, message)) in cases.into_iter().enumerate() {
        let answer = client.call(100 + n as u64, tool, arguments.clone()).await;
        let result = &answer["result"];
        assert_eq!(result["isError"], true, "{tool} {arguments}: {answer}");
        assert_eq!(
            result["structuredContent"],
            json!({"error": {"code": code, "message": message}}),
            "{tool} {arguments}"
        );
        assert_eq!(result["content"][0]["text"], format!("{code}: {message}"), "{tool} {arguments}");
    }
    client.close().await;
}

#[tokio::test]
async fn tools_list_gives_four_tools_with_schemas_and_read_only_hints() {
    let mut client = Client::start(server());
    client.initialize().await;
    client.send(r#"{"jsonrpc":"2.0","id":4,"method":"tools/list"}"#).await;
    let answer = client.answer().await;
    let tools = answer["result"]["tools"].as_array().expect("tools");
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["search", "show_paper", "related_papers", "latest_papers"]);
    for tool in tools {
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert_eq!(tool["annotations"]["readOnlyHint"], true, "{tool}");
    }
    client.close().await;
}

#[tokio::test]
async fn search_answers_compact_text_and_the_http_api_shape() {
    let mut client = Client::start(server());
    client.initialize().await;
    let answer = client.call(1, "search", json!({"query": "KV cache quantization", "mode": "BM25", "limit": 3})).await;
    let result = &answer["result"];
    let structured = &result["structuredContent"];
    assert_eq!(structured["mode"], "bm25");
    let hits = structured["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 3);
    assert_eq!(hits[0]["id"], "2602.02958");
    // The HTTP API's hit, field for field.
    let http: Value = serde_json::to_value(paperdex_server::dto::Hit::from(
        engine_with(HashEmbedder::new(64))
            .search(&paperdex_index::SearchRequest::new("KV cache quantization").mode(paperdex_index::SearchMode::Bm25))
            .expect("search")
            .hits
            .remove(0),
    ))
    .expect("hit");
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    assert_eq!(keys(&hits[0]), keys(&http));
    // Its numbers as the API writes them (an f32's shortest form, not the f64 nearest it).
    let score = hits[0]["score"].as_f64().expect("score");
    assert_eq!(score.to_string(), (score as f32).to_string(), "{}", hits[0]["score"]);
    let text = result["content"][0]["text"].as_str().expect("text");
    assert!(text.starts_with("Papers 1-3 for \"KV cache quantization\" (bm25"), "{text}");
    assert!(text.contains("id 2602.02958 · 2026-02-") && text.contains("found by bm25 #1"), "{text}");
    assert!(text.len() < 3000, "not compact: {} bytes", text.len());
    // What the answer says about the query comes before the hits, as in the terminal.
    let pasted = client.call(2, "search", json!({"query": "arXiv:2602.02958", "limit": 2})).await;
    let text = pasted["result"]["content"][0]["text"].as_str().expect("text");
    let note = text.find("warning: the query names paper 2602.02958").unwrap_or_else(|| panic!("{text}"));
    assert!(note < text.find("id 2602.02958").unwrap_or(0), "{text}");
    // A name: each of the author's papers says which author it is.
    let by_name = client.call(3, "search", json!({"query": "Yuanxing Zhang", "mode": "bm25", "limit": 3})).await;
    let text = by_name["result"]["content"][0]["text"].as_str().expect("text");
    assert_eq!(text.matches("\n   author named: Yuanxing Zhang\n").count(), 3, "{text}");
    assert_eq!(by_name["result"]["structuredContent"]["hits"][0]["matched_authors"], json!(["Yuanxing Zhang"]));
    client.close().await;
}

#[tokio::test]
async fn an_agent_quotes_a_phrase_and_minuses_a_word_and_is_told_so_before_the_hits() {
    let mut client = Client::start(server());
    client.initialize().await;
    let answer = client.call(1, "search", json!({"query": "\"language model\" -vision", "limit": 50})).await;
    let structured = &answer["result"]["structuredContent"];
    assert_eq!(structured["required"], json!(["language model"]), "{answer}");
    assert_eq!(structured["excluded"], json!(["vision"]), "{answer}");
    let hits = structured["hits"].as_array().expect("hits");
    assert!(!hits.is_empty(), "{answer}");
    for hit in hits {
        let text = format!("{} {}", hit["title"], hit["snippet"]).to_lowercase();
        assert!(!text.contains("vision"), "{hit}");
    }
    let text = answer["result"]["content"][0]["text"].as_str().expect("text");
    let holds = text.find("every hit holds: \"language model\"").unwrap_or_else(|| panic!("{text}"));
    assert!(text.contains("no hit holds: \"vision\""), "{text}");
    assert!(holds < text.find("id ").unwrap_or(0), "{text}");
    client.close().await;
}

#[tokio::test]
async fn an_agent_asks_what_came_out_since_a_day_without_a_query() {
    let mut client = Client::start(server());
    client.initialize().await;
    let index = PaperIndex::open(sample_index().path()).expect("open the sample index");
    let answer = client.call(1, "latest_papers", json!({"since": "2026-02-01", "limit": 3})).await;
    let structured = &answer["result"]["structuredContent"];
    // The HTTP API's listing: every paper of the sample was first listed in February 2026.
    assert_eq!(structured["total"], index.len(), "{answer}");
    let hits = structured["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 3);
    let text = answer["result"]["content"][0]["text"].as_str().expect("text");
    assert!(text.starts_with(&format!("Papers 1-3 of {}, newest first", index.len())), "{text}");
    assert!(text.contains(&format!("id {}", hits[0]["id"].as_str().expect("id"))), "{text}");
    // Nothing was searched for: no score, no retriever named.
    assert!(!text.contains("score") && !text.contains("found by"), "{text}");
    // A range with nothing in it says so; a bad day is named as search names it.
    let none = client.call(2, "latest_papers", json!({"since": "2099-01-01"})).await;
    assert_eq!(
        none["result"]["content"][0]["text"],
        "No paper passes the filters: none was first seen from 2099-01-01 on; the index's papers were first seen \
         from 2026-02-05 to 2026-02-05\n",
        "{none}"
    );
    let bad = client.call(3, "latest_papers", json!({"until": "2026-02-30"})).await;
    assert_eq!(bad["result"]["isError"], true, "{bad}");
    assert_eq!(bad["result"]["structuredContent"]["error"]["code"], "invalid_parameter", "{bad}");
    assert!(bad["result"]["content"][0]["text"].as_str().is_some_and(|t| t.contains("until")), "{bad}");
    // It takes no query: an agent that sends one is told, not answered about something else.
    let query = client.call(4, "latest_papers", json!({"query": "video"})).await;
    assert_eq!(query["result"]["isError"], true, "{query}");
    client.close().await;
}

/// The hash embedder, after a pause long enough to miss a short deadline.
struct SlowEmbedder(HashEmbedder);

impl Embedder for SlowEmbedder {
    fn model_name(&self) -> &str {
        self.0.model_name()
    }

    fn dimensions(&self) -> usize {
        self.0.dimensions()
    }

    fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        std::thread::sleep(Duration::from_millis(600));
        self.0.embed(texts, role)
    }
}

/// A client of protocol 2026-07-28 sends no `initialize`: its session starts with a request
/// carrying its protocol version inline, and its notifications count from there on (a
/// cancellation stops the search it names, which then never answers with hits).
#[tokio::test]
async fn a_session_started_without_initialize_hears_its_notifications() {
    let mut client = Client::start(PaperdexMcp::new(engine_with(SlowEmbedder(HashEmbedder::new(64)))));
    let meta = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}});
    let call = |id: u64, mode: &str| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "search",
            "arguments": {"query": "KV cache quantization", "mode": mode}, "_meta": meta}})
        .to_string()
    };
    client.send(&call(1, "vector")).await;
    client.send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#).await;
    client.send(&call(2, "bm25")).await;
    let mut answered = std::collections::BTreeMap::new();
    while let Ok(Ok(Some(line))) = tokio::time::timeout(Duration::from_secs(2), client.lines.next_line()).await {
        let answer: Value = serde_json::from_str(&line).expect("JSON");
        answered.insert(answer["id"].as_u64().unwrap_or(0), answer);
    }
    assert_eq!(answered.get(&2).map(|a| &a["result"]["isError"]), Some(&json!(false)), "{answered:?}");
    let first = answered.get(&1).map(|a| a["result"]["isError"].clone());
    assert!(first.is_none() || first == Some(json!(true)), "the cancelled search answered with hits: {answered:?}");
    client.close().await;
}

/// rmcp keeps one entry per request id: a second request under the id of one in flight took
/// the first one's place, and one of the two answers was dropped without a word.
#[tokio::test]
async fn a_request_reusing_the_id_of_one_in_flight_is_refused_and_the_first_is_answered() {
    let mut client = Client::start(PaperdexMcp::new(engine_with(SlowEmbedder(HashEmbedder::new(64)))));
    client.initialize().await;
    let call = |id: u64, mode: &str| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "search",
            "arguments": {"query": "KV cache quantization", "mode": mode}}})
        .to_string()
    };
    // The vector search waits 600 ms for the model; the keyword search under its id comes at once.
    client.send(&call(1, "vector")).await;
    client.send(&call(1, "bm25")).await;
    let refused = client.answer().await;
    assert_eq!(refused["id"], 1, "{refused}");
    assert_eq!(refused["error"]["code"], -32600, "{refused}");
    assert!(refused["error"]["message"].as_str().is_some_and(|m| m.contains("id 1")), "{refused}");
    let first = client.answer().await;
    assert_eq!(first["id"], 1, "{first}");
    assert_eq!(first["result"]["isError"], false, "the first request is answered: {first}");
    // Once answered, or cancelled, an id is free again.
    let again = client.call(1, "search", json!({"query": "KV cache quantization", "mode": "bm25"})).await;
    assert_eq!(again["result"]["isError"], false, "{again}");
    client.send(&call(2, "vector")).await;
    client.send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}}"#).await;
    let reused = client.call(2, "search", json!({"query": "video", "mode": "bm25"})).await;
    assert_eq!(reused["result"]["isError"], false, "{reused}");
    // A cancellation of a request not in flight (answered already: they cross; or never sent)
    // names no other request: the vector search under id 3 is answered with its hits.
    client.send(&call(3, "vector")).await;
    for id in (1..=12).filter(|&id| id != 3) {
        let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id}});
        client.send(&cancel.to_string()).await;
    }
    let third = client.answer().await;
    assert_eq!((&third["id"], &third["result"]["isError"]), (&json!(3), &json!(false)), "{third}");
    client.close().await;
}

#[tokio::test]
async fn a_call_past_its_deadline_is_a_timeout_error_and_the_next_call_is_answered() {
    let server =
        PaperdexMcp::new(engine_with(SlowEmbedder(HashEmbedder::new(64)))).with_timeout(Duration::from_millis(100));
    let mut client = Client::start(server);
    client.initialize().await;
    let answer = client.call(1, "search", json!({"query": "KV cache quantization", "mode": "vector"})).await;
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(answer["result"]["structuredContent"]["error"]["code"], "timeout", "{answer}");
    // Named with its limit, as over HTTP.
    let message = answer["result"]["structuredContent"]["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("the limit is 0.1 s"), "{answer}");
    let answer = client.call(2, "search", json!({"query": "KV cache quantization", "mode": "bm25"})).await;
    assert_eq!(answer["result"]["isError"], false, "{answer}");
    client.close().await;
}
