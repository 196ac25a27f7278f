//! What the integration tests share: the bundled sample indexed with the hashing embedder.

use std::path::PathBuf;
use std::sync::Arc;

use paperdex_embed::{Embedder, HashEmbedder};
use paperdex_index::{PaperIndex, Quiet, SearchEngine};

/// The 35 papers of `tests/fixtures/sample` in a fresh index, with a meaningless but
/// instant embedder (`HashEmbedder`), ready to search in every mode.
pub fn sample_engine() -> (tempfile::TempDir, SearchEngine) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample");
    let embedder = HashEmbedder::new(64);
    let index = PaperIndex::open_or_create(dir.path()).expect("create");
    index.ingest(&[sample], Some(&embedder), &mut Quiet).expect("ingest");
    (dir, SearchEngine::new(index, Ok(Arc::new(embedder) as Arc<dyn Embedder>)))
}
