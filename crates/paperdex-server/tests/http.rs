//! The HTTP API end to end: a real server on an ephemeral port over the 2026-02-05 sample
//! (ingested with the hash embedder, so vectors exist without the real model), spoken to with
//! a few lines of HTTP/1.1 over a TCP socket.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use paperdex_embed::{EmbedError, Embedder, HashEmbedder, Role};
use paperdex_index::{MAX_LIMIT, MAX_QUERY_CHARS, PaperIndex, Quiet, SearchEngine};
use serde_json::Value;

const QUANT_VIDEOGEN: &str = "2602.02958";

// ---------------------------------------------------------------------------------------------
// The server and a tiny client

struct Fixture {
    dir: tempfile::TempDir,
    engine: Arc<SearchEngine>,
    addr: SocketAddr,
}

fn sample_paths() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample");
    vec![root.join("report-2026-02-05.md"), root.join("hf-daily-2026-02-05.json")]
}

/// Starts a server on `127.0.0.1:0` in its own runtime thread; it stops when `shutdown` does.
fn start(
    engine: Arc<SearchEngine>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> (SocketAddr, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    listener.set_nonblocking(true).expect("non-blocking");
    let thread = std::thread::spawn(move || {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            paperdex_server::serve_on(listener, engine, shutdown).await.expect("serve");
        });
    });
    (addr, thread)
}

/// One server for every test: the index is built once.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let embedder = HashEmbedder::new(64);
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        index.ingest(&sample_paths(), Some(&embedder), &mut Quiet).expect("ingest");
        let engine = Arc::new(SearchEngine::new(index, Ok(Arc::new(embedder) as Arc<dyn Embedder>)));
        let (addr, _thread) = start(Arc::clone(&engine), std::future::pending());
        Fixture { dir, engine, addr }
    })
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The error code of an error answer, checking its shape.
    fn error_code(&self) -> String {
        let json = self.json();
        let message = json["error"]["message"].as_str().unwrap_or_else(|| panic!("no error message: {json}"));
        assert!(!message.is_empty());
        assert_eq!(self.header("content-type"), Some("application/json"), "{json}");
        json["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code: {json}")).to_string()
    }

    fn message(&self) -> String {
        self.json()["error"]["message"].as_str().unwrap_or_default().to_string()
    }
}

/// Sends one request (`Connection: close`) and reads the whole answer.
fn send(addr: SocketAddr, head: &str, body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(body).expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    parse_reply(&raw)
}

fn request(method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
    let addr = fixture().addr;
    let extra: String = headers.iter().map(|(n, v)| format!("{n}: {v}\r\n")).collect();
    send(addr, &format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\r\n"), b"")
}

fn get(target: &str) -> Reply {
    request("GET", target, &[])
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked")) {
        body = dechunk(&body);
    }
    if !body.is_empty() && headers.iter().any(|(n, v)| n == "content-encoding" && v == "gzip") {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut plain).expect("gunzip");
        body = plain;
    }
    Reply { status, headers, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").expect("chunk size line");
        let size_text = String::from_utf8_lossy(&data[..line_end]).to_string();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16).expect("chunk size");
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

fn hit_ids(json: &Value) -> Vec<String> {
    json["hits"].as_array().expect("hits").iter().map(|h| h["id"].as_str().expect("id").to_string()).collect()
}

// ---------------------------------------------------------------------------------------------
// Search

#[test]
fn keyword_search_puts_quant_videogen_first() {
    let reply = get("/api/search?q=KV+cache+quantization&mode=bm25");
    assert_eq!(reply.status, 200);
    assert!(reply.header("content-type").is_some_and(|t| t.starts_with("application/json")));
    let json = reply.json();
    assert_eq!(json["query"], "KV cache quantization");
    assert_eq!(json["mode"], "bm25");
    assert!(json["took_ms"].as_f64().is_some());
    assert!(json["total"].as_u64().expect("total") >= 1);
    assert_eq!(json["total_is_estimate"], false, "the sample's matches are few enough to count");
    assert_eq!(json["warnings"], serde_json::json!([]));
    let top = &json["hits"][0];
    assert_eq!(top["id"], QUANT_VIDEOGEN);
    assert!(top["title"].as_str().expect("title").starts_with("Quant VideoGen"));
    assert_eq!(top["bm25_rank"], 1);
    assert!(top["vector_rank"].is_null());
    assert_eq!(top["url"], "https://huggingface.co/papers/2602.02958");
    assert!(top["date"].as_str().is_some());
    for field in ["score", "snippet", "highlights", "snippet_html", "bm25_score", "vector_score", "singled_out"] {
        assert!(top.get(field).is_some(), "hit lacks {field}: {top}");
    }
    assert!(!top["highlights"].as_array().expect("highlights").is_empty());
    assert!(top["snippet_html"].as_str().expect("snippet_html").contains("<mark>"));
    let hits = hit_ids(&json).len() as u64;
    assert_eq!(hits, json["total"].as_u64().expect("total").min(10));
}

#[test]
fn hybrid_and_vector_searches_use_the_vectors() {
    let json = get("/api/search?q=KV%20cache%20quantization").json();
    assert_eq!(json["mode"], "hybrid", "hybrid is the default");
    assert_eq!(json["hits"][0]["id"], QUANT_VIDEOGEN);
    assert!(json["hits"][0]["vector_rank"].as_u64().is_some());
    let json = get("/api/search?q=KV+cache+quantization&mode=vector&limit=3").json();
    assert_eq!(json["mode"], "vector");
    assert_eq!(hit_ids(&json).len(), 3);
    assert!(json["hits"].as_array().expect("hits").iter().all(|h| h["bm25_rank"].is_null()));
    // A hit found by meaning shows the passage that matched, without the title line every
    // passage is embedded with (the hit shows its title already).
    for hit in json["hits"].as_array().expect("hits") {
        let (title, snippet) = (hit["title"].as_str().expect("title"), hit["snippet"].as_str().expect("snippet"));
        assert!(!snippet.is_empty() && !snippet.starts_with(title), "{snippet:?} repeats {title:?}");
    }
}

#[test]
fn chinese_queries_are_understood() {
    // 量化 = quantization, percent-encoded as a browser sends it.
    let json = get("/api/search?q=%E9%87%8F%E5%8C%96&mode=bm25").json();
    assert_eq!(json["query"], "量化");
    assert!(hit_ids(&json).contains(&QUANT_VIDEOGEN.to_string()));
}

#[test]
fn chinese_words_most_chinese_papers_hold_are_named_as_left_out() {
    // 量化 模型: 模型 ("model") is in most of the sample's Chinese summaries.
    let json = get("/api/search?q=%E9%87%8F%E5%8C%96%20%E6%A8%A1%E5%9E%8B&mode=bm25").json();
    assert_eq!(json["left_out"], serde_json::json!(["模型"]), "{json}");
    assert!(hit_ids(&json).contains(&QUANT_VIDEOGEN.to_string()));
    // An English query leaves nothing out.
    assert_eq!(get("/api/search?q=video&mode=bm25").json()["left_out"], serde_json::json!([]));
}

#[test]
fn offset_pages_through_the_hits() {
    let all = hit_ids(&get("/api/search?q=video&mode=bm25&limit=4").json());
    let second_page = hit_ids(&get("/api/search?q=video&mode=bm25&limit=2&offset=2").json());
    assert_eq!(all.len(), 4);
    assert_eq!(second_page, all[2..4]);
}

// ---------------------------------------------------------------------------------------------
// The newest papers, with no query

#[test]
fn the_newest_papers_are_listed_without_a_query_page_by_page() {
    let first = get("/api/papers?limit=5");
    assert_eq!(first.status, 200);
    let first = first.json();
    assert_eq!(first["query"], "");
    assert_eq!(first["total"], fixture().engine.index().len());
    // Pages carry on from each other.
    let ten = hit_ids(&get("/api/papers?limit=10").json());
    assert_eq!(hit_ids(&first), ten[..5]);
    assert_eq!(hit_ids(&get("/api/papers?limit=5&offset=5").json()), ten[5..]);
    // The search filters narrow it: the sample's papers were all first listed on 2026-02-05.
    let all = fixture().engine.index().len();
    assert_eq!(get("/api/papers?since=2026-02-05&until=2026-02-05&lang=zh").json()["total"], all);
    assert_eq!(get("/api/papers?since=2026-02-06").json()["total"], 0);
    assert_eq!(get("/api/papers?until=2026-02-04").json()["total"], 0);
    // A list narrowed to a language opens each paper in it (every sample paper has both).
    let han = |snippet: &str| snippet.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for (lang, chinese) in [("en", false), ("zh", true)] {
        let listed = get(&format!("/api/papers?lang={lang}&limit=20")).json();
        for hit in listed["hits"].as_array().expect("hits") {
            let snippet = hit["snippet"].as_str().expect("snippet");
            assert_eq!(han(snippet), chinese, "lang={lang}: {snippet:?}");
        }
    }
}

#[test]
fn a_listed_paper_shows_its_core_contribution_not_its_heading() {
    let listed = get("/api/papers?limit=200").json();
    let hit = listed["hits"].as_array().expect("hits").iter().find(|h| h["id"] == QUANT_VIDEOGEN).expect("listed");
    let paper = get(&format!("/api/papers/{QUANT_VIDEOGEN}")).json();
    let contribution = paper["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["kind"] == "core_contribution")
        .and_then(|s| s["text"].as_str())
        .expect("a core contribution");
    let snippet = hit["snippet"].as_str().expect("snippet");
    let opening: String = snippet.chars().take(12).collect();
    assert!(contribution.replace("**", "").starts_with(&opening), "{snippet:?} is not from {contribution:?}");
}

#[test]
fn the_listing_refuses_a_query_and_says_where_a_search_goes() {
    let reply = get("/api/papers?q=video");
    assert_eq!((reply.status, reply.error_code().as_str()), (400, "invalid_parameter"));
    assert!(reply.message().contains("/api/search"), "{}", reply.message());
    // The order it has is accepted, as a search's parameters reused; another is refused.
    assert_eq!(get("/api/papers?sort=date&limit=3").status, 200);
    let reply = get("/api/papers?sort=relevance");
    assert_eq!(reply.status, 400);
    assert!(reply.message().contains("newest first"), "{}", reply.message());
    let reply = get("/api/papers?since=2026-02-30");
    assert_eq!((reply.status, reply.error_code().as_str()), (400, "invalid_parameter"));
    assert!(reply.message().contains("since"), "{}", reply.message());
}

// ---------------------------------------------------------------------------------------------
// Papers and related papers

#[test]
fn a_paper_comes_with_its_sections_and_sources() {
    let reply = get("/api/papers/2602.02958");
    assert_eq!(reply.status, 200);
    let paper = reply.json();
    assert_eq!(paper["id"], QUANT_VIDEOGEN);
    assert!(paper["title"].as_str().expect("title").starts_with("Quant VideoGen"));
    assert!(paper["url"].as_str().is_some());
    assert!(paper["date"].as_str().is_some());
    assert!(!paper["authors"].as_array().expect("authors").is_empty());
    assert!(paper["keywords"].is_array());
    let sections = paper["sections"].as_array().expect("sections");
    let kinds: Vec<&str> = sections.iter().map(|s| s["kind"].as_str().expect("kind")).collect();
    assert!(kinds.contains(&"core_contribution") && kinds.contains(&"abstract"), "{kinds:?}");
    let core = sections.iter().find(|s| s["kind"] == "core_contribution").expect("core contribution");
    assert_eq!(core["label"], "一句话核心贡献");
    assert_eq!(core["lang"], "zh");
    assert!(core["text"].as_str().expect("text").contains("KV-Cache"));
    let sources = paper["sources"].as_array().expect("sources");
    let formats: Vec<&str> = sources.iter().map(|s| s["format"].as_str().expect("format")).collect();
    assert!(formats.contains(&"daily_report") && formats.contains(&"hf_daily_api"), "{formats:?}");
    for source in sources {
        let path = source["path"].as_str().expect("path");
        assert!(!path.contains('/'), "a source discloses the server's folders: {path}");
        assert!(source.get("date").is_some());
    }
}

#[test]
fn related_papers_never_include_the_paper_itself() {
    let reply = get("/api/papers/2602.02958/related?limit=5");
    assert_eq!(reply.status, 200);
    let json = reply.json();
    assert_eq!(json["id"], QUANT_VIDEOGEN);
    assert!(json["title"].as_str().expect("title").starts_with("Quant VideoGen"));
    assert_eq!(json["mode"], "hybrid");
    assert!(json["took_ms"].as_f64().is_some());
    let ids = hit_ids(&json);
    assert_eq!(ids.len(), 5);
    assert!(!ids.contains(&QUANT_VIDEOGEN.to_string()));
    // HySparse (KV cache sharing) and autoregressive video diffusion with a KV cache.
    assert!(ids.contains(&"2602.03560".to_string()) && ids.contains(&"2601.20499".to_string()), "{ids:?}");
    let hit = &json["hits"][0];
    assert!(hit["bm25_rank"].as_u64().is_some() || hit["vector_rank"].as_u64().is_some());
    assert_eq!(hit_ids(&get("/api/papers/2602.02958/related").json()).len(), 10, "ten by default");
}

// ---------------------------------------------------------------------------------------------
// Health, OpenAPI, the page

#[test]
fn health_reports_papers_vectors_and_model() {
    let reply = get("/healthz");
    assert_eq!(reply.status, 200);
    let json = reply.json();
    assert_eq!(json["status"], "ok");
    assert!(json["vectors_problem"].is_null(), "{json}");
    assert_eq!(json["papers"], 35);
    assert!(json["vectors"].as_u64().expect("vectors") >= 35);
    assert!(json["vector_model"].as_str().is_some());
    assert_eq!(json["model"]["loaded"], true);
    assert!(json["model"]["name"].as_str().is_some());
    assert!(json["model"]["reason"].is_null());
    assert!(json["generation"].as_u64().expect("generation") >= 1);
}

/// A server whose model did not load (a moved `models/` folder) answers every search by
/// keywords: a monitor hears of it as of lost vectors.
#[test]
fn health_is_degraded_when_the_index_has_vectors_but_the_model_is_missing() {
    let engine = Arc::new(SearchEngine::new(
        PaperIndex::open(fixture().dir.path()).expect("open"),
        Err("cannot load the model: models/multilingual-e5-small is missing".to_string()),
    ));
    let json = health_from_a_server_of_its_own(engine);
    assert_eq!(json["status"], "degraded", "{json}");
    assert_eq!(json["model"]["loaded"], false, "{json}");
    assert!(json["model"]["reason"].as_str().is_some_and(|r| r.contains("is missing")), "{json}");
    assert!(json["vectors"].as_u64().expect("vectors") >= 35, "{json}");
}

/// `/healthz` of a server started for `engine` alone, stopped after the answer.
fn health_from_a_server_of_its_own(engine: Arc<SearchEngine>) -> Value {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr, thread) = start(engine, async move {
        let _ = rx.await;
    });
    let reply = send(addr, &format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"), b"");
    let _ = tx.send(());
    thread.join().expect("server thread");
    reply.json()
}

#[test]
fn an_index_folder_deleted_under_the_server_is_a_degraded_health_and_searches_go_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("index");
    let embedder = HashEmbedder::new(64);
    let index = PaperIndex::open_or_create(&root).expect("index");
    index.ingest(&sample_paths(), Some(&embedder), &mut Quiet).expect("ingest");
    let engine = Arc::new(SearchEngine::new(index, Ok(Arc::new(embedder) as Arc<dyn Embedder>)));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr, thread) = start(engine, async move {
        let _ = rx.await;
    });
    let get_here =
        |target: &str| send(addr, &format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"), b"");
    // Read by a server of its own, so the server under test is probed first once it is gone.
    let before = health_from_a_server_of_its_own(Arc::new(SearchEngine::new(
        PaperIndex::open(&root).expect("open"),
        Ok(Arc::new(HashEmbedder::new(64)) as Arc<dyn Embedder>),
    )));
    assert_eq!(
        (before["status"].as_str(), before.get("index_problem")),
        (Some("ok"), Some(&serde_json::Value::Null)),
        "{before}"
    );
    std::fs::remove_dir_all(&root).expect("delete the index folder");
    let after = get_here("/healthz");
    let search = get_here("/api/search?q=video&mode=bm25");
    let _ = tx.send(());
    thread.join().expect("server thread");
    // A monitor hears what happened, not an internal error; the generation is the one served.
    assert_eq!(after.status, 200);
    let after = after.json();
    assert_eq!(after["status"], "degraded", "{after}");
    assert!(after["index_problem"].as_str().is_some_and(|p| p.contains("is gone")), "{after}");
    assert_eq!(
        (after["generation"].clone(), after["papers"].clone()),
        (before["generation"].clone(), before["papers"].clone())
    );
    // Searches answer from what was loaded.
    assert_eq!(search.status, 200);
    assert!(!hit_ids(&search.json()).is_empty());
}

#[test]
fn openapi_document_lists_every_endpoint() {
    let reply = get("/api/openapi.json");
    assert_eq!(reply.status, 200);
    let doc = reply.json();
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for path in
        ["/api/search", "/api/papers", "/api/papers/{id}", "/api/papers/{id}/related", "/healthz", "/api/openapi.json"]
    {
        assert!(paths.contains_key(path), "{path} missing from {:?}", paths.keys().collect::<Vec<_>>());
        assert!(paths[path].get("get").is_some(), "{path} has no GET");
        // What the server answers on every route before a handler runs is listed on each.
        let responses = paths[path]["get"]["responses"].as_object().expect("responses");
        for status in ["405", "413", "414", "421", "431"] {
            let schema = &responses.get(status).unwrap_or_else(|| panic!("{path} does not list {status}"))["content"]["application/json"]
                ["schema"]["$ref"];
            assert_eq!(schema, "#/components/schemas/ErrorBody", "{path} {status}: the JSON error it answers");
        }
    }
    // ... and is what the server answers.
    assert_eq!(request("POST", "/api/search?q=x", &[]).status, 405);
    let addr = fixture().addr;
    let elsewhere = "GET /healthz HTTP/1.1\r\nHost: elsewhere.example\r\nConnection: close\r\n\r\n";
    assert_eq!(send(addr, elsewhere, b"").status, 421);
    let params: Vec<&str> = paths["/api/search"]["get"]["parameters"]
        .as_array()
        .expect("search parameters")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(params, ["q", "mode", "limit", "offset", "since", "until", "lang", "source", "section", "sort"]);
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for schema in ["SearchResponse", "Hit", "PaperView", "RelatedResponse", "Health", "ErrorBody"] {
        assert!(schemas.contains_key(schema), "{schema} missing");
    }
}

#[test]
fn the_page_is_self_contained() {
    let reply = get("/");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(reply.header("content-security-policy").is_some_and(|p| p.contains("default-src 'none'")));
    let page = String::from_utf8(reply.body).expect("UTF-8 page");
    assert!(page.contains("<input") && page.contains("/api/search") && page.contains("/api/papers?"));
    // Nothing from outside: no CDN, works offline.
    for outside in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!page.contains(outside), "the page loads {outside}...");
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn unknown_papers_are_404() {
    for target in ["/api/papers/2912.99999", "/api/papers/2912.99999/related"] {
        let reply = get(target);
        assert_eq!(reply.status, 404, "{target}");
        assert_eq!(reply.error_code(), "paper_not_found", "{target}");
    }
}

#[test]
fn bad_parameters_are_400_and_named() {
    let long = "a".repeat(MAX_QUERY_CHARS + 1);
    let cases: Vec<(String, &str)> = vec![
        ("/api/search".into(), "q"),
        ("/api/search?q=".into(), "q"),
        ("/api/search?q=+++".into(), "q"),
        ("/api/search?q=video&mode=fuzzy".into(), "mode"),
        ("/api/search?q=video&limit=0".into(), "limit"),
        (format!("/api/search?q=video&limit={}", MAX_LIMIT + 1), "limit"),
        ("/api/search?q=video&limit=ten".into(), "limit"),
        ("/api/search?q=video&offset=-1".into(), "offset"),
        ("/api/search?q=video&offset=abc".into(), "offset"),
        ("/api/search?q=video&offset=10001".into(), "offset"),
        ("/api/search?q=%FF".into(), "q"),
        ("/api/search?q=ok&mode=%C3%28".into(), "mode"),
        ("/api/papers/2602.02958/related?limit=0".into(), "limit"),
        ("/api/papers/2602.02958/related?limit=x".into(), "limit"),
        ("/api/papers/%FF".into(), "id"),
        // An id that cannot be arXiv's is a malformed request, not a paper the index lacks.
        ("/api/papers/not-an-id".into(), "id"),
        ("/api/papers/2602.0295/related".into(), "id"),
        // The paper endpoint takes no parameters: a misspelt one is named, not ignored.
        ("/api/papers/2602.02958?limt=5".into(), "limt"),
        ("/api/search?q=video&limt=5".into(), "limt"),
        ("/api/papers/2602.02958/related?mode=bm25".into(), "mode"),
        (format!("/api/search?q={long}"), "q"),
    ];
    for (target, parameter) in cases {
        let reply = get(&target);
        assert_eq!(reply.status, 400, "{target}");
        let code = reply.error_code();
        let expected = if target.contains(&long) { "query_too_long" } else { "invalid_parameter" };
        assert_eq!(code, expected, "{target}");
        // Parameter names the client typed come back quoted; the query's own name is `q`.
        let message = reply.message();
        let named = [format!("{parameter} "), format!("\"{parameter}\" "), "the query ".to_string()];
        assert!(named.iter().any(|n| message.starts_with(n.as_str())), "{target}: {message}");
    }
    // Bytes that are no text are one fault, in the path or the query string alike.
    for target in ["/api/search?q=%FF", "/api/papers/%FF"] {
        let message = get(target).message();
        assert!(message.ends_with("is not valid UTF-8 once percent-decoded"), "{target}: {message}");
    }
}

#[test]
fn a_chinese_query_at_the_limit_is_accepted() {
    // The limit counts characters, not bytes: 1000 Han characters are 3000 bytes.
    let han: String = "%E9%87%8F".repeat(MAX_QUERY_CHARS);
    assert_eq!(get(&format!("/api/search?q={han}&mode=bm25&limit=1")).status, 200);
}

#[test]
fn unknown_routes_and_methods_answer_json() {
    let reply = get("/api/nothing-here");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.error_code(), "not_found");
    let reply = request("POST", "/api/search?q=video", &[("Content-Length", "0")]);
    assert_eq!(reply.status, 405);
    assert_eq!(reply.error_code(), "method_not_allowed");
    // The message names what the Allow header lists: it said "GET only" beside GET,HEAD.
    for target in ["/api/search?q=video", "/api/papers/2602.02958", "/", "/healthz"] {
        let reply = request("DELETE", target, &[]);
        assert_eq!(reply.status, 405, "{target}");
        assert_eq!(reply.header("allow"), Some("GET,HEAD"), "{target}");
        assert_eq!(reply.message(), "this path answers GET and HEAD only", "{target}");
    }
}

#[test]
fn a_path_typed_with_a_trailing_slash_is_the_path_without_it() {
    let paper = get("/api/papers/2602.02958/");
    assert_eq!(paper.status, 200, "{}", String::from_utf8_lossy(&paper.body));
    assert_eq!(paper.json()["id"], "2602.02958");
    let related = get("/api/papers/2602.02958/related/?limit=2");
    assert_eq!(related.status, 200, "{}", String::from_utf8_lossy(&related.body));
    assert_eq!(hit_ids(&related.json()).len(), 2, "the query string kept");
    assert_eq!(get("/api/search/?q=video&mode=bm25").status, 200);
    assert_eq!(get("/healthz/").status, 200);
    // Still one answer per path: an unknown path is unknown with or without its slash.
    assert_eq!(get("/api/nothing-here/").error_code(), "not_found");
}

#[test]
fn large_bodies_are_refused() {
    let addr = fixture().addr;
    let body = vec![b'x'; 64 * 1024];
    // A client that means to keep its connection: the server, which closes it rather than read
    // the body, says so.
    let head = format!("GET /api/search?q=video HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n\r\n", body.len());
    let reply = send(addr, &head, &body);
    assert_eq!(reply.status, 413);
    assert_eq!(reply.error_code(), "payload_too_large");
    // Named with its limit, as every refusal of a size is.
    let limit = paperdex_server::MAX_BODY_BYTES.to_string();
    assert!(reply.json()["error"]["message"].as_str().is_some_and(|m| m.contains(&limit)), "{:?}", reply.json());
    assert_eq!(reply.header("connection"), Some("close"));
    // A method no route takes is told so first, whatever its body.
    let head = head.replacen("GET", "POST", 1);
    let reply = send(addr, &head, &body);
    assert_eq!(reply.status, 405, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.header("allow"), Some("GET,HEAD"));
    assert_eq!(reply.header("connection"), Some("close"));
}

// ---------------------------------------------------------------------------------------------
// Transport

#[test]
fn answers_are_gzipped_when_the_client_accepts_it() {
    let zipped = request("GET", "/api/search?q=video&mode=bm25&limit=20", &[("Accept-Encoding", "gzip")]);
    assert_eq!(zipped.status, 200);
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
    let plain = get("/api/search?q=video&mode=bm25&limit=20");
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(hit_ids(&zipped.json()), hit_ids(&plain.json()), "gunzipped answer differs");
    let page = request("GET", "/", &[("Accept-Encoding", "gzip")]);
    assert_eq!(page.header("content-encoding"), Some("gzip"));
}

#[test]
fn a_head_request_gets_the_headers_its_get_gets() {
    // A cache keys what it stores on `Vary`: HEAD must say what GET says.
    for target in ["/api/search?q=video&mode=bm25", "/"] {
        for accepts in [&[("Accept-Encoding", "gzip")][..], &[]] {
            let got = request("GET", target, accepts);
            let head = request("HEAD", target, accepts);
            assert_eq!(head.status, 200, "{target}");
            assert!(head.body.is_empty(), "{target}: a HEAD answer has no body");
            for name in ["vary", "content-encoding", "content-type"] {
                assert_eq!(head.header(name), got.header(name), "{target} {accepts:?}: {name}");
            }
            assert_eq!(got.header("vary"), Some("accept-encoding"), "{target}");
        }
    }
}

#[test]
fn fifty_concurrent_searches_all_succeed() {
    let addr = fixture().addr;
    let threads: Vec<_> = (0..50)
        .map(|i| {
            std::thread::spawn(move || {
                let target = if i % 2 == 0 {
                    "/api/search?q=KV+cache+quantization&mode=bm25"
                } else {
                    "/api/search?q=KV+cache+quantization&mode=hybrid"
                };
                let head = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
                send(addr, &head, b"")
            })
        })
        .collect();
    for thread in threads {
        let reply = thread.join().expect("client thread");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["hits"][0]["id"], QUANT_VIDEOGEN);
    }
}

#[test]
fn shutdown_stops_accepting_and_returns() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr, thread) = start(Arc::clone(&fixture().engine), async move {
        let _ = rx.await;
    });
    let head = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    assert_eq!(send(addr, &head, b"").status, 200);
    // A kept-alive idle connection must not hold the shutdown up.
    let mut idle = TcpStream::connect(addr).expect("connect");
    idle.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).expect("write");
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).expect("answer on the kept-alive connection");
    assert_eq!(&first, b"HTTP/1.1 200");
    tx.send(()).expect("signal");
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = thread.join();
        let _ = done_tx.send(());
    });
    done_rx.recv_timeout(Duration::from_secs(10)).expect("server stopped within 10 s");
    assert!(TcpStream::connect(addr).is_err(), "still accepting after shutdown");
}

/// The hash embedder, slowly: a query takes long enough to be in flight when shutdown starts,
/// or (`gated`) waits until the test opens its gate, held mid-search with no clock. It says
/// when a query starts, so a test knows the request is in flight without guessing.
struct SlowEmbedder {
    inner: HashEmbedder,
    started: std::sync::Mutex<Option<std::sync::mpsc::Sender<()>>>,
    gate: Option<std::sync::Mutex<std::sync::mpsc::Receiver<()>>>,
}

impl SlowEmbedder {
    fn new() -> (SlowEmbedder, std::sync::mpsc::Receiver<()>) {
        let (sender, started) = std::sync::mpsc::channel();
        let embedder =
            SlowEmbedder { inner: HashEmbedder::new(64), started: std::sync::Mutex::new(Some(sender)), gate: None };
        (embedder, started)
    }

    /// One whose model call waits until the returned sender opens the gate.
    fn gated() -> (SlowEmbedder, std::sync::mpsc::Receiver<()>, std::sync::mpsc::Sender<()>) {
        let (mut embedder, started) = SlowEmbedder::new();
        let (open, gate) = std::sync::mpsc::channel();
        embedder.gate = Some(std::sync::Mutex::new(gate));
        (embedder, started, open)
    }
}

impl Embedder for SlowEmbedder {
    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn dimensions(&self) -> usize {
        self.inner.dimensions()
    }

    fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        if let Some(sender) = self.started.lock().ok().as_deref().and_then(Option::as_ref) {
            let _ = sender.send(());
        }
        match &self.gate {
            Some(gate) => {
                let _ = gate.lock().expect("gate").recv_timeout(Duration::from_secs(30));
            }
            None => std::thread::sleep(Duration::from_millis(800)),
        }
        self.inner.embed(texts, role)
    }
}

/// Serves `engine` with `config` on `127.0.0.1:0` in its own runtime thread until `shutdown`.
fn start_with(
    engine: Arc<SearchEngine>,
    config: paperdex_server::Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> (SocketAddr, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    listener.set_nonblocking(true).expect("non-blocking");
    let thread = std::thread::spawn(move || {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            paperdex_server::serve_with(listener, engine, config, shutdown).await.expect("serve");
        });
        runtime.shutdown_timeout(Duration::from_secs(1));
    });
    (addr, thread)
}

/// A second engine over the fixture's index, with `embedder`.
fn engine_with(embedder: impl Embedder + 'static) -> Arc<SearchEngine> {
    let index = PaperIndex::open(fixture().dir.path()).expect("second reader of the index");
    Arc::new(SearchEngine::new(index, Ok(Arc::new(embedder) as Arc<dyn Embedder>)))
}

#[test]
fn shutdown_lets_a_request_in_flight_finish() {
    let (embedder, started) = SlowEmbedder::new();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr, thread) = start(engine_with(embedder), async move {
        let _ = rx.await;
    });
    let client = std::thread::spawn(move || {
        let head = format!(
            "GET /api/search?q=KV+cache+quantization&mode=vector HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        );
        send(addr, &head, b"")
    });
    started.recv_timeout(Duration::from_secs(30)).expect("the request is waiting for its query vector");
    tx.send(()).expect("signal");
    let reply = client.join().expect("client");
    assert_eq!(reply.status, 200, "the request in flight was cut off");
    assert_eq!(reply.json()["hits"][0]["id"], QUANT_VIDEOGEN);
    thread.join().expect("server thread");
    assert!(TcpStream::connect(addr).is_err(), "still accepting after shutdown");
}

#[test]
fn slow_requests_time_out_with_json() {
    let (embedder, _started) = SlowEmbedder::new();
    let mut config = paperdex_server::Config::default();
    config.limits.timeout = Duration::from_millis(200);
    let (addr, _thread) = start_with(engine_with(embedder), config, std::future::pending());
    let head = format!("GET /api/search?q=video&mode=vector HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let reply = send(addr, &head, b"");
    assert_eq!(reply.status, 503);
    assert_eq!(reply.error_code(), "timeout");
    // It names the limit, says that waiting for a turn counts, and when to ask again.
    let message = reply.json()["error"]["message"].as_str().unwrap_or_default().to_string();
    assert!(message.contains("the limit is 0.2 s, waiting for a turn"), "{message}");
    assert_eq!(reply.header("retry-after"), Some("1"));
    // Keyword search needs no embedding and is answered in time.
    let head = format!("GET /api/search?q=video&mode=bm25 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    assert_eq!(send(addr, &head, b"").status, 200);
}

/// Requests queued behind slow ones for a turn among those in flight get their answer when
/// their own time is up, not a full timeout after their turn comes: one turn and six slow
/// searches sent at once would otherwise answer one timeout after another (the last after
/// six of them).
#[test]
fn waiting_for_a_turn_counts_against_the_timeout() {
    let (embedder, _started) = SlowEmbedder::new();
    let timeout = Duration::from_millis(400);
    let mut config = paperdex_server::Config::default();
    config.limits.timeout = timeout;
    config.limits.max_in_flight = 1;
    let (addr, _thread) = start_with(engine_with(embedder), config, std::future::pending());
    let clients: Vec<_> = (0..6)
        .map(|_| {
            std::thread::spawn(move || {
                let head = format!(
                    "GET /api/search?q=video&mode=vector HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
                );
                let sent = std::time::Instant::now();
                (send(addr, &head, b""), sent.elapsed())
            })
        })
        .collect();
    for client in clients {
        let (reply, took) = client.join().expect("client");
        assert_eq!((reply.status, reply.error_code()), (503, "timeout".to_string()));
        // Within the timeout and a generous margin for a busy machine; without the wait
        // counted, the last of them answered after six timeouts (2.4 s).
        assert!(took < timeout * 3, "answered after {took:?}");
    }
}

/// A paper read by id waits for no search, and the health probe, the page and the OpenAPI
/// document for no turn among the requests in flight: behind eight slow searches a lookup
/// took 4.3 s where its own work takes 0.011 ms, and a probe with a short timeout would call a
/// busy server dead. Each is answered while a search holds the turn it would have waited for.
#[test]
fn cheap_requests_wait_for_no_search() {
    let get = |addr: SocketAddr, path: &str| {
        let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        send(addr, &head, b"").status
    };
    for (in_flight, paths) in [
        // One turn in flight, held by the search.
        (1, vec!["/healthz".to_string(), "/".into(), "/api/openapi.json".into()]),
        // Turns in flight to spare; the one worker held by the search.
        (64, vec![format!("/api/papers/{QUANT_VIDEOGEN}")]),
    ] {
        let (embedder, started, open) = SlowEmbedder::gated();
        let mut config = paperdex_server::Config::default();
        (config.limits.workers, config.limits.max_in_flight) = (1, in_flight);
        let (addr, _thread) = start_with(engine_with(embedder), config, std::future::pending());
        let search = std::thread::spawn(move || get(addr, "/api/search?q=video&mode=vector"));
        started.recv().expect("the search is embedding");
        // Held mid-search until the gate opens: waiting for its turn, a request would time
        // out (503).
        for path in paths {
            assert_eq!(get(addr, &path), 200, "{path} waited for the search");
        }
        open.send(()).expect("open the gate");
        assert_eq!(search.join().expect("search"), 200);
    }
}

/// A client that asks and never reads its answers loses its connection once writing to it
/// stalls, and with it the connection slot, so others are answered again.
#[test]
fn a_client_that_stops_reading_loses_its_connection() {
    let mut config = paperdex_server::Config::default();
    config.limits.write_timeout = Duration::from_millis(300);
    config.limits.max_connections = 1;
    let (addr, _thread) = start_with(Arc::clone(&fixture().engine), config, std::future::pending());
    let mut stalled = TcpStream::connect(addr).expect("connect");
    // Far more answer than the sockets' buffers hold (the OpenAPI document is tens of KB).
    let pipelined = format!("GET /api/openapi.json HTTP/1.1\r\nHost: {addr}\r\n\r\n").repeat(2_000);
    let writer = std::thread::spawn(move || {
        // The server stops reading once its writes block, so this write may fail or block
        // until the connection is closed; either is fine.
        let _ = stalled.write_all(pipelined.as_bytes());
        stalled
    });
    // The one connection slot is the stalled client's until its connection is closed; this
    // waits in the listen backlog meanwhile.
    let head = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    assert_eq!(send(addr, &head, b"").status, 200);
    drop(writer);
}

// ---------------------------------------------------------------------------------------------
// Hostile input (#12)

/// CPU seconds the calling thread (`thread-self`) or the process (`self`) has used so far.
fn cpu_seconds(whose: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{whose}/stat")).expect("/proc stat");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')').expect("stat format").1.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / 100.0
}

/// An embedder whose every query costs `seconds` of CPU on its thread (measured, so a busy
/// machine makes it slower, never cheaper), counting its calls.
struct BurningEmbedder {
    inner: HashEmbedder,
    seconds: f64,
    calls: Arc<std::sync::atomic::AtomicUsize>,
}

impl Embedder for BurningEmbedder {
    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn dimensions(&self) -> usize {
        self.inner.dimensions()
    }

    fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let start = cpu_seconds("thread-self");
        let mut x = 0u64;
        while cpu_seconds("thread-self") - start < self.seconds {
            for i in 0..10_000u64 {
                x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
            }
        }
        self.inner.embed(texts, role)
    }
}

#[test]
fn requests_that_time_out_stop_their_work_too() {
    // Regression (#12): a timed-out request was answered 503 but its search ran on, so a
    // burst of expensive queries kept the CPU busy long after every client had its answer.
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let embedder = BurningEmbedder { inner: HashEmbedder::new(64), seconds: 0.4, calls: Arc::clone(&calls) };
    let mut config = paperdex_server::Config::default();
    config.limits.timeout = Duration::from_millis(300);
    config.limits.workers = 2;
    let (addr, _thread) = start_with(engine_with(embedder), config, std::future::pending());
    let clients: Vec<_> = (0..12)
        .map(|i| {
            std::thread::spawn(move || {
                let head = format!(
                    "GET /api/search?q=long+query+{i}&mode=hybrid HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
                );
                send(addr, &head, b"")
            })
        })
        .collect();
    for client in clients {
        let reply = client.join().expect("client");
        assert_eq!(reply.status, 503);
        assert_eq!(reply.error_code(), "timeout");
    }
    let answered = cpu_seconds("self");
    std::thread::sleep(Duration::from_secs(2));
    let after = cpu_seconds("self") - answered;
    let calls = calls.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!("{calls} queries embedded; {after:.2} CPU seconds spent after the last answer");
    // Only the searches that had a worker when they timed out ran, and they stopped.
    assert!(calls <= 2, "{calls} of 12 timed-out searches ran");
    assert!(after < 2.0 * 0.4 + 0.3, "{after:.2} CPU seconds after the last client had its answer");
}

/// Connects and sends `partial` (not a whole request); the stream, to see how it ends.
fn half_sent(addr: SocketAddr, partial: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.write_all(partial).expect("write");
    stream
}

#[test]
fn a_connection_that_never_finishes_its_headers_is_closed() {
    let mut config = paperdex_server::Config::default();
    config.limits.header_read_timeout = Duration::from_millis(300);
    let (addr, _thread) = start_with(Arc::clone(&fixture().engine), config, std::future::pending());
    let mut slow = half_sent(addr, b"G");
    let mut idle = TcpStream::connect(addr).expect("connect");
    for stream in [&mut slow, &mut idle] {
        stream.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        let mut rest = Vec::new();
        // Closed by the server (end of file or a reset), not left hanging until our timeout.
        match stream.read_to_end(&mut rest) {
            Ok(_) => {}
            Err(error) => assert!(
                !matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
                "the server still holds the connection: {error}"
            ),
        }
    }
    // The server itself still answers.
    let head = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    assert_eq!(send(addr, &head, b"").status, 200);
}

#[test]
fn shutdown_has_a_deadline_even_with_a_half_sent_request() {
    let mut config = paperdex_server::Config::default();
    config.limits.shutdown_grace = Duration::from_millis(300);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr, thread) = start_with(Arc::clone(&fixture().engine), config, async move {
        let _ = rx.await;
    });
    let _client = half_sent(addr, b"G");
    let head = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    assert_eq!(send(addr, &head, b"").status, 200, "the half-sent request has its connection");
    tx.send(()).expect("signal");
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = thread.join();
        let _ = done_tx.send(());
    });
    done_rx.recv_timeout(Duration::from_secs(5)).expect("the server stopped while the client still held its request");
}

#[test]
fn a_host_the_server_does_not_answer_for_is_refused() {
    let addr = fixture().addr;
    for host in ["evil.example", "evil.example:80", "localhost.evil.example"] {
        let reply = send(addr, &format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"), b"");
        assert_eq!(reply.status, 421, "{host}");
        assert_eq!(reply.error_code(), "invalid_host", "{host}");
    }
    let port = addr.port();
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), "localhost".into()] {
        let reply = send(addr, &format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"), b"");
        assert_eq!(reply.status, 200, "{host}");
    }
}

#[test]
fn long_targets_and_heads_are_refused_with_json() {
    let long = "a".repeat(40_000);
    let reply = get(&format!("/api/search?q=x&pad={long}"));
    assert_eq!(reply.status, 414);
    assert_eq!(reply.error_code(), "uri_too_long");
    let padding = "b".repeat(40_000);
    let reply = request("GET", "/healthz", &[("X-Padding", padding.as_str())]);
    assert_eq!(reply.status, 431);
    assert_eq!(reply.error_code(), "headers_too_large");
    // Beyond the HTTP library's buffer the refusal comes from below the router (an empty
    // answer, logged): still an answer, never a hang.
    let huge = "c".repeat(100_000);
    assert_eq!(get(&format!("/api/search?q={huge}")).status, 414);
}

#[test]
fn client_input_comes_back_cut_to_one_length() {
    let long = "9".repeat(6_000);
    for target in [
        format!("/api/papers/{long}"),
        format!("/api/papers/{long}/related"),
        format!("/api/search?q=x&{long}=1"),
        format!("/api/search?q=x&mode={long}"),
        format!("/api/search?q=x&limit={long}"),
        format!("/api/{long}"),
    ] {
        let reply = get(&target);
        assert!(reply.status == 400 || reply.status == 404, "{}: {}", reply.status, reply.message());
        let message = reply.message();
        assert!(message.chars().count() < 200, "{} characters echoed: {}", message.len(), &message[..200]);
    }
}

#[test]
fn every_mode_answers_a_query_without_letters_or_digits_with_no_hits_and_says_why() {
    for query in ["%00", "%F0%9F%98%80%F0%9F%8E%89", "*", "%E2%80%8B"] {
        for mode in ["bm25", "vector", "hybrid"] {
            let reply = get(&format!("/api/search?q={query}&mode={mode}"));
            assert_eq!(reply.status, 200, "{query} {mode}");
            let json = reply.json();
            assert!(hit_ids(&json).is_empty(), "{query} {mode}: {json}");
            assert!(json["warnings"][0].as_str().is_some_and(|w| w.contains("no letter or digit")), "{json}");
        }
    }
}

#[test]
fn a_query_of_stop_words_alone_says_why_keyword_search_finds_nothing() {
    let says_why = |json: &Value| {
        json["warnings"].as_array().is_some_and(|warnings| {
            warnings
                .iter()
                .any(|w| w.as_str().is_some_and(|w| w.contains("indexes no word") && w.contains("the, of, and")))
        })
    };
    let bm25 = get("/api/search?q=the+of+and&mode=bm25").json();
    assert!(hit_ids(&bm25).is_empty() && says_why(&bm25), "{bm25}");
    let hybrid = get("/api/search?q=the+of+and&mode=hybrid").json();
    assert!(says_why(&hybrid), "{hybrid}");
    // They are not Chinese words most Chinese papers hold, in either mode.
    assert_eq!(bm25["left_out"], serde_json::json!([]), "{bm25}");
    assert_eq!(hybrid["left_out"], serde_json::json!([]), "{hybrid}");
    // One indexed word among them and the query is searched as always.
    let video = get("/api/search?q=the+video+of&mode=bm25").json();
    assert!(!hit_ids(&video).is_empty() && !says_why(&video), "{video}");
}

#[test]
fn modes_are_read_in_any_case_as_the_cli_reads_them() {
    assert_eq!(get("/api/search?q=video&mode=BM25").json()["mode"], "bm25");
    assert_eq!(get("/api/search?q=video&mode=Semantic").json()["mode"], "vector");
}
