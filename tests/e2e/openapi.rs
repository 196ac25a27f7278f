//! The OpenAPI document the server generates from its code is a valid OpenAPI document
//! (checked by openapi-spec-validator from PyPI, installed by `tests/setup`), and it neither
//! refuses a value the server reads nor lists one the server refuses (checked by the Python
//! `jsonschema` package of the same environment, against the running server).

use std::io::Write;
use std::process::{Command, Stdio};

use paperdex_core::{Lang, Named, SectionGroup, SourceFormat};
use paperdex_index::{SearchMode, SortOrder};
use serde_json::{Value, json};

use crate::support::{Server, http_get, paperdex, repo, sample};

#[test]
fn the_generated_openapi_document_validates() {
    let validator = repo().join("target/test-venv/bin/openapi-spec-validator");
    assert!(validator.exists(), "{} is missing: run tests/setup (make test does)", validator.display());
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(paperdex(dir.path(), &["ingest", sample().to_str().expect("path")]).code, 0);
    let server = Server::start(dir.path());
    let addr = server.addr();
    let document = std::net::TcpStream::connect(addr)
        .and_then(|mut stream| {
            use std::io::{Read, Write};
            // The server answers only for its own address (DNS rebinding protection).
            write!(stream, "GET /api/openapi.json HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
            let mut answer = String::new();
            stream.read_to_string(&mut answer)?;
            Ok(answer)
        })
        .expect("fetch the document");
    let (head, body) = document.split_once("\r\n\r\n").expect("an HTTP answer");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let spec: serde_json::Value = serde_json::from_str(body).expect("the document is JSON");
    for path in ["/api/search", "/api/papers", "/api/papers/{id}", "/api/papers/{id}/related", "/healthz"] {
        assert!(spec["paths"].get(path).is_some(), "{path} missing");
    }
    let answer = &spec["components"]["schemas"]["SearchResponse"]["properties"];
    assert!(answer.get("total_is_estimate").is_some(), "the answer says when its total is estimated");
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, body).expect("write");
    let output = Command::new(&validator).arg(&file).output().expect("run the validator");
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A client generated from the document, or a gateway that checks requests against it, must
/// be able to send every spelling the server reads: `section=core_contribution` was refused
/// by a closed enum of the names alone, and `/api/papers` listed no values for `sort` at all.
/// Every listed name is one the server answers; every alias is in the words beside them.
#[test]
fn the_document_admits_every_value_the_server_reads_and_lists_none_it_refuses() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(paperdex(dir.path(), &["ingest", sample().to_str().expect("path")]).code, 0);
    let server = Server::start(dir.path());
    let (status, body) = http_get(server.addr(), "/api/openapi.json").expect("fetch the document");
    assert_eq!(status, 200);
    let document: Value = serde_json::from_str(&body).expect("the document is JSON");
    let parameters = [
        ("mode", spellings::<SearchMode>()),
        ("lang", spellings::<Lang>()),
        ("source", spellings::<SourceFormat>()),
        ("section", spellings::<SectionGroup>()),
        ("sort", spellings::<SortOrder>()),
    ];
    let mut cases = Vec::new();
    for (path, query) in [("/api/search", "q=video&limit=1&"), ("/api/papers", "limit=1&")] {
        let documented = document["paths"][path]["get"]["parameters"].as_array().expect("parameters");
        for (name, (values, aliases)) in &parameters {
            let Some(parameter) = documented.iter().find(|p| p["name"] == *name) else {
                assert!(path == "/api/papers" && *name == "mode", "{path} does not document {name}");
                continue;
            };
            let schema = &parameter["schema"];
            // The names, whether the schema is the list alone or the list among other shapes.
            let lists = std::iter::once(schema).chain(schema["anyOf"].as_array().into_iter().flatten());
            let listed: Vec<&str> =
                lists.filter_map(|s| s["enum"].as_array()).flatten().filter_map(Value::as_str).collect();
            assert!(!listed.is_empty(), "{path} {name} lists no values: {schema}");
            let mut given: Vec<String> = values.iter().chain(aliases).cloned().collect();
            given.extend(values.iter().flat_map(|v| [v.to_uppercase(), format!(" {v} ")]));
            given.extend(["".to_string(), "fuzzy".to_string()]);
            for value in given {
                let target = format!("{path}?{query}{name}={}", encoded(&value));
                let (status, answer) = http_get(server.addr(), &target).expect("ask the server");
                assert!(status == 200 || status == 400, "{target}: {status} {answer}");
                let listed_here = listed.contains(&value.as_str());
                assert!(
                    !listed_here || status == 200,
                    "{path} lists {name}={value:?}, which the server refuses: {answer}"
                );
                cases.push((format!("{path} {name}={value:?}"), schema.clone(), value.clone(), status == 200));
                let alias = aliases.contains(&value);
                if status == 200 && alias {
                    let words = schema.to_string();
                    assert!(words.contains(&format!("`{value}`")), "{path} {name}: the alias {value:?} is not named");
                }
            }
        }
    }
    let admitted = admitted_by_schema(cases.iter().map(|(_, schema, value, _)| (schema, value)));
    for ((case, _, _, read), admitted) in cases.iter().zip(admitted) {
        assert!(!read || admitted, "the document refuses {case}, which the server reads");
    }
}

/// A named value's names and its aliases, as the server's parser reads them.
fn spellings<T: Named>() -> (Vec<String>, Vec<String>) {
    let names = T::values().iter().map(|v| v.value_name().to_string()).collect();
    (names, T::aliases().into_iter().map(|(alias, _)| alias).collect())
}

/// `text` percent-encoded for a query string.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether each value validates against its schema (JSON Schema 2020-12, OpenAPI 3.1's
/// dialect), by the `jsonschema` package: one run for every case.
fn admitted_by_schema<'a>(cases: impl Iterator<Item = (&'a Value, &'a String)>) -> Vec<bool> {
    let python = repo().join("target/test-venv/bin/python");
    assert!(python.exists(), "{} is missing: run tests/setup (make test does)", python.display());
    let cases: Vec<Value> = cases.map(|(schema, value)| json!({"schema": schema, "value": value})).collect();
    let script = "import json, sys\nfrom jsonschema import Draft202012Validator\n\
                  cases = json.load(sys.stdin)\n\
                  print(json.dumps([Draft202012Validator(c['schema']).is_valid(c['value']) for c in cases]))";
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python");
    child.stdin.take().expect("stdin").write_all(json!(cases).to_string().as_bytes()).expect("write the cases");
    let output = child.wait_with_output().expect("python ends");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let verdicts: Vec<bool> = serde_json::from_slice(&output.stdout).expect("a list of verdicts");
    assert_eq!(verdicts.len(), cases.len());
    verdicts
}
