//! paperdex-embed: turning text into vectors.
//!
//! - [`Embedder`] is what the index needs: text in, L2-normalised vectors out, with the
//!   query/passage distinction e5 models are trained on ([`Role`]).
//! - [`E5Embedder`] runs multilingual-e5-small through fastembed on ONNX Runtime, loaded from a
//!   local model folder (see `models/fetch`).
//! - [`HashEmbedder`] is deterministic and instant, for unit tests of everything around the
//!   model.
//! - [`QueryCache`] remembers the vectors of recent queries, so a query asked again (the next
//!   page, another filter or mode) skips the model.
//! - [`chunk`] cuts a paper into passages that fit the model's 512-token window.

mod cache;
mod chunk;
mod e5;
mod hash;

pub use cache::{DEFAULT_QUERY_CACHE_ENTRIES, MAX_QUERY_CACHE_ENTRIES, QueryCache};
pub use chunk::{
    CHUNKING_VERSION, Chunk, MAX_PASSAGE_TOKENS, MAX_PASSAGES_PER_LANGUAGE, Passages, chunk, estimate_tokens, passages,
};
pub use e5::{DIMENSIONS, E5Embedder, MODEL_NAME, ModelPaths, SessionKind, VECTORS_NAME};
pub use hash::HashEmbedder;

/// Whether a text is a search query or a document passage. e5 models are trained with a
/// `query: ` / `passage: ` prefix and rank worse without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A user's query.
    Query,
    /// A piece of a paper.
    Passage,
}

impl Role {
    /// The prefix e5 expects before a text of this role.
    pub fn prefix(self) -> &'static str {
        match self {
            Role::Query => "query: ",
            Role::Passage => "passage: ",
        }
    }
}

/// Errors of embedding.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// A model file is not where it should be.
    #[error(
        "embedding model not found: {missing} is missing. Run `models/fetch` (the README's commands do it for you), or point --models / PAPERDEX_MODELS at a folder that has it"
    )]
    ModelMissing {
        /// The missing file.
        missing: String,
    },
    /// ONNX Runtime could not be loaded.
    #[error(
        "ONNX Runtime could not be loaded from {path}: {reason}. Run `models/fetch`, or set ORT_DYLIB_PATH to a libonnxruntime.so of version 1.24 or newer"
    )]
    Runtime {
        /// Where it was looked for.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The model failed on some input.
    #[error("the embedding model failed: {0}")]
    Model(String),
    /// The caller asked to stop ([`Embedder::embed_reporting`]'s `done` said so).
    #[error("embedding stopped: the caller no longer wants the vectors")]
    Stopped,
}

/// Text in, unit vectors out.
///
/// Implementations are shared between threads (the HTTP server embeds queries from many
/// requests), so `embed` takes `&self` and synchronises inside.
pub trait Embedder: Send + Sync {
    /// A stable name of the vectors this embedder makes (the model, and how its arithmetic
    /// runs when that moves the vectors); vectors of different names never mix.
    fn model_name(&self) -> &str;
    /// The number of dimensions of every vector.
    fn dimensions(&self) -> usize;
    /// Embeds `texts` (without prefixes: the embedder adds the one `role` needs). Every vector
    /// has length 1.
    fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError>;
    /// [`Embedder::embed`] for long lists: `done` is told the positions (in `texts`) of each
    /// group of texts as soon as their vectors exist, so one call can embed thousands of texts
    /// and still report progress. When `done` returns false, no further group is started and
    /// the call fails with [`EmbedError::Stopped`].
    ///
    /// Why one long call rather than many short ones: a call ends when its last batch does, so
    /// a model with several sessions idles at the end of every call (calls of 32 passages ran
    /// 10–15% below one call for all; PERFORMANCE.md, "Session 17"). The default reports
    /// everything at once, at the end.
    fn embed_reporting(
        &self,
        texts: &[&str],
        role: Role,
        done: &(dyn Fn(&[usize]) -> bool + Sync),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let vectors = self.embed(texts, role)?;
        let all: Vec<usize> = (0..texts.len()).collect();
        if done(&all) { Ok(vectors) } else { Err(EmbedError::Stopped) }
    }
    /// Embeds each of `texts` in a model call of its own, so a text's vector depends on that
    /// text alone: an int8 graph quantises its activations per call, so in a batch a vector
    /// moves with the other texts (the lexicon's term pairs need vectors that do not depend on
    /// which terms were new). The calls may run at once, on as many sessions as the model has.
    fn embed_each(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        texts
            .iter()
            .map(|text| {
                let vector = self.embed(std::slice::from_ref(text), role)?.into_iter().next();
                vector.ok_or_else(|| EmbedError::Model(format!("the model returned no vector for {text:?}")))
            })
            .collect()
    }
}

/// Scales `vector` to length 1 in place (a zero vector stays zero).
pub fn normalize(vector: &mut [f32]) {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
}
