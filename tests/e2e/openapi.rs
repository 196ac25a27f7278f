//! The OpenAPI document the server generates from its code is a valid OpenAPI document
//! (checked by openapi-spec-validator from PyPI, installed by `tests/setup`).

use std::process::Command;

use crate::support::{Server, paperdex, repo, sample};

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
