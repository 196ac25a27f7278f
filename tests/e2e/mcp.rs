//! An agent's view: the official MCP Python SDK (PyPI `mcp`, installed by `tests/setup`)
//! starts `paperdex mcp` over the sample, lists its tools and calls each of them
//! (`tests/mcp/client.py`); the answers must be the index's.

use std::process::Command;

use serde_json::Value;

use crate::support::{binary, paperdex_hashed, repo, run_output, sample};

/// Runs the Python client against a hashed-vector index of the sample; its JSON report.
fn client_report() -> Value {
    let python = repo().join("target/test-venv/bin/python");
    assert!(python.exists(), "{} is missing: run tests/setup (make test does)", python.display());
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    let ingest = run_output(paperdex_hashed(&index).arg("ingest").arg(sample()));
    assert_eq!(ingest.code, 0, "{}", ingest.stderr);
    let output = Command::new(&python)
        .arg(repo().join("tests/mcp/client.py"))
        .arg(binary())
        .arg(&index)
        .output()
        .expect("run the MCP client");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the MCP client failed:\n{stdout}\n{stderr}");
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("the client's report is not JSON ({e}):\n{stdout}\n{stderr}"))
}

#[test]
fn an_mcp_client_searches_reads_and_explores_the_sample() {
    let report = client_report();
    let context = serde_json::to_string_pretty(&report).expect("report");

    // initialize: tools offered, instructions for the agent.
    let init = &report["initialize"];
    assert_eq!(init["server_name"], "paperdex", "{context}");
    assert_eq!(init["tools_capability"], true, "{context}");
    assert!(init["instructions"].as_str().is_some_and(|i| i.contains("search")), "{context}");

    // tools/list: four tools with object schemas naming their arguments.
    let tools = report["tools"].as_object().expect("tools");
    let mut names: Vec<&str> = tools.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["latest_papers", "related_papers", "search", "show_paper"], "{context}");
    let search_schema = &tools["search"]["input_schema"];
    assert_eq!(search_schema["type"], "object", "{context}");
    assert_eq!(search_schema["required"], serde_json::json!(["query"]), "{context}");
    for argument in ["query", "mode", "limit", "offset"] {
        assert!(search_schema["properties"].get(argument).is_some(), "search lacks {argument}: {context}");
    }
    assert_eq!(search_schema["properties"]["mode"]["enum"], serde_json::json!(["hybrid", "bm25", "vector"]));
    assert_eq!(search_schema["properties"]["limit"]["maximum"], 200);
    assert_eq!(tools["show_paper"]["input_schema"]["required"], serde_json::json!(["id"]), "{context}");
    let related_schema = &tools["related_papers"]["input_schema"];
    assert!(related_schema["properties"].get("limit").is_some(), "{context}");
    for (name, tool) in tools {
        let description = tool["description"].as_str().unwrap_or("");
        assert!(description.len() > 100 && description.contains("Use it"), "{name} says little: {description}");
    }

    // search: Quant VideoGen first, found by both retrievers; the HTTP API's hit shape.
    let search = &report["search"];
    assert_eq!(search["is_error"], false, "{context}");
    let structured = &search["structured"];
    assert_eq!(structured["mode"], "hybrid", "{context}");
    assert_eq!(structured["query"], "KV cache quantization");
    let hits = structured["hits"].as_array().expect("hits");
    assert!(!hits.is_empty() && hits.len() <= 5, "{context}");
    let first = &hits[0];
    assert_eq!(first["id"], "2602.02958", "{context}");
    assert_eq!(first["bm25_rank"], 1, "{context}");
    assert!(first["vector_rank"].is_u64(), "{context}");
    for key in ["title", "score", "date", "url", "snippet", "snippet_html", "highlights", "bm25_score", "vector_score"]
    {
        assert!(first.get(key).is_some(), "hit lacks {key}: {first}");
    }
    // The filters the CLI and HTTP API take: only experiments sections, newest first.
    let experiments = &report["search_experiments"]["structured"];
    let hits = experiments["hits"].as_array().expect("hits");
    assert!(hits.len() >= 2, "{context}: {experiments}");
    for hit in hits {
        assert_eq!(hit["section"], "experiments", "{hit}");
        assert!(hit["snippet"].as_str().is_some_and(|s| s.contains("MMLU")), "{hit}");
    }
    let text = report["search_experiments"]["text"].as_str().expect("text");
    assert!(text.contains("matched in: 实验效果 experiments"), "{text}");
    let text = search["text"].as_str().expect("text");
    let title = first["title"].as_str().expect("title");
    assert!(text.contains("1. ") && text.contains(title) && text.contains("id 2602.02958"), "{text}");
    assert!(text.contains("found by bm25 #1, vector #"), "{text}");
    assert!(text.contains(first["url"].as_str().expect("url")), "{text}");

    // Paging in bm25 mode: hits 3 and 4, numbered so.
    let page = &report["search_bm25_page_2"];
    assert_eq!(page["structured"]["mode"], "bm25", "{context}");
    let ranks: Vec<u64> =
        page["structured"]["hits"].as_array().expect("hits").iter().filter_map(|h| h["bm25_rank"].as_u64()).collect();
    assert_eq!(ranks, [3, 4], "{context}");
    assert!(page["text"].as_str().is_some_and(|t| t.contains("\n3. ")), "{context}");

    // show_paper: the paper's sections, as the HTTP API's paper.
    let show = &report["show_paper"];
    assert_eq!(show["is_error"], false, "{context}");
    let paper = &show["structured"];
    assert_eq!(paper["id"], "2602.02958");
    assert_eq!(paper["title"], first["title"]);
    let sections = paper["sections"].as_array().expect("sections");
    assert!(sections.len() >= 3, "{context}");
    let show_text = show["text"].as_str().expect("text");
    for section in sections {
        let label = section["label"].as_str().expect("label");
        assert!(show_text.contains(&format!("## {label}")), "section {label} missing from the text: {show_text}");
    }

    // related_papers: three papers, never the paper itself.
    let related = &report["related_papers"];
    assert_eq!(related["is_error"], false, "{context}");
    assert_eq!(related["structured"]["id"], "2602.02958");
    let related_ids: Vec<&str> =
        related["structured"]["hits"].as_array().expect("hits").iter().filter_map(|h| h["id"].as_str()).collect();
    assert_eq!(related_ids.len(), 3, "{context}");
    assert!(!related_ids.contains(&"2602.02958"), "{context}");

    // latest_papers: what came out since a day, no query; the sample's 35 papers.
    let latest = &report["latest_papers"];
    assert_eq!(latest["is_error"], false, "{context}");
    assert_eq!((latest["structured"]["query"].as_str(), latest["structured"]["total"].as_u64()), (Some(""), Some(35)));
    assert_eq!(latest["structured"]["hits"].as_array().map(Vec::len), Some(4), "{context}");
    let text = latest["text"].as_str().expect("text");
    assert!(text.starts_with("Papers 1-4 of 35, newest first"), "{text}");

    // Errors are tool errors with the shared codes; an unknown tool is a protocol error.
    let unknown = &report["unknown_paper"];
    assert_eq!(unknown["is_error"], true, "{context}");
    assert_eq!(unknown["structured"]["error"]["code"], "paper_not_found", "{context}");
    assert!(unknown["text"].as_str().is_some_and(|t| t.starts_with("paper_not_found: ") && t.contains("2612.99999")));
    let bad = &report["bad_limit"];
    assert_eq!(bad["is_error"], true, "{context}");
    assert_eq!(bad["structured"]["error"]["code"], "invalid_parameter", "{context}");
    assert_eq!(bad["structured"]["error"]["message"], "limit must be an integer between 1 and 200, not \"0\"");
    assert_eq!(report["unknown_tool"]["code"], -32602, "{context}");
    assert!(report["unknown_tool"]["message"].as_str().is_some_and(|m| m.contains("no_such_tool")), "{context}");

    // And it kept answering.
    let after = &report["search_after_errors"];
    assert_eq!(after["is_error"], false, "{context}");
    assert!(!after["structured"]["hits"].as_array().expect("hits").is_empty(), "{context}");
}

#[test]
fn a_line_that_is_not_json_rpc_gets_an_error_and_the_server_reads_on() {
    use std::io::{BufRead, BufReader, Write};
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    assert_eq!(run_output(paperdex_hashed(&index).arg("ingest").arg(sample())).code, 0);
    let mut child = paperdex_hashed(&index)
        .arg("mcp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start paperdex mcp");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut answer = || {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read an answer");
        serde_json::from_str::<Value>(&line).unwrap_or_else(|e| panic!("not JSON on stdout ({e}): {line:?}"))
    };
    writeln!(stdin, "this is not json").expect("write");
    let parse_error = answer();
    assert_eq!(parse_error["error"]["code"], -32700, "{parse_error}");
    assert_eq!(parse_error["id"], Value::Null);
    let initialize = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#;
    writeln!(stdin, "{initialize}").expect("write");
    let initialized = answer();
    assert_eq!(initialized["id"], 1, "{initialized}");
    assert_eq!(initialized["result"]["protocolVersion"], "2025-06-18", "{initialized}");
    writeln!(stdin, r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#).expect("write");
    writeln!(stdin, r#"{{"jsonrpc":"2.0","id":7,"nonsense":true}}"#).expect("write");
    let invalid = answer();
    assert_eq!(invalid["error"]["code"], -32600, "{invalid}");
    assert_eq!(invalid["id"], 7, "{invalid}");
    let call = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search","arguments":{"query":"KV cache quantization","limit":1}}}"#;
    writeln!(stdin, "{call}").expect("write");
    let found = answer();
    assert_eq!(found["id"], 2, "{found}");
    assert_eq!(found["result"]["structuredContent"]["hits"][0]["id"], "2602.02958", "{found}");
    drop(stdin);
    let status = child.wait().expect("wait");
    assert!(status.success(), "paperdex mcp exits 0 when its client closes stdin: {status}");
}
