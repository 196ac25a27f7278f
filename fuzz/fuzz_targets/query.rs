//! Query analysis and building: any string through both analyzers of
//! `paperdex_index::analysis`, then built into the keyword query and run as a BM25 search
//! (snippets and highlights included) over a small index of the bundled sample.
#![no_main]

use std::sync::OnceLock;

use paperdex_index::analysis::{analyze, bigram_analyzer, word_analyzer};
use paperdex_index::{IndexError, PaperIndex, Quiet, SearchMode, SearchRequest};

/// The sample's 35 papers, indexed once per process.
fn index() -> &'static PaperIndex {
    static INDEX: OnceLock<(tempfile::TempDir, PaperIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let index = PaperIndex::open_or_create(dir.path()).expect("create index");
            let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/sample");
            index.ingest(&[sample], None, &mut Quiet).expect("ingest the sample");
            (dir, index)
        })
        .1
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for mut analyzer in [word_analyzer(), bigram_analyzer()] {
        {
            let mut stream = analyzer.token_stream(text);
            while let Some(token) = stream.next() {
                assert!(token.offset_from <= token.offset_to && token.offset_to <= text.len(), "{token:?}");
            }
        }
        let _ = analyze(&mut analyzer, text);
    }
    let index = index();
    let _ = index.keyword_query(text);
    let request = SearchRequest::new(text).mode(SearchMode::Bm25).limit(5);
    match index.search_bm25(&request) {
        Ok(results) => {
            for hit in results.hits {
                for [start, end] in hit.highlights {
                    assert!(start < end && end <= hit.snippet.len(), "highlight {start}..{end} outside {:?}", hit.snippet);
                    assert!(hit.snippet.is_char_boundary(start) && hit.snippet.is_char_boundary(end));
                }
            }
        }
        Err(IndexError::InvalidParameter { .. } | IndexError::QueryTooLong { .. }) => {}
        Err(error) => panic!("search failed: {error}"),
    }
});
