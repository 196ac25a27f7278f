//! The vectors of recent queries, kept so that a query asked again skips the model.
//!
//! Embedding a query is most of a hybrid answer's time (PERFORMANCE.md: about 7 ms of 10 for
//! one text, 18 of 22 for a Chinese query and its translation), and the same query comes back
//! often: the search page asks it again for the next page, another filter, sort or mode, and an
//! agent repeats itself. [`QueryCache`] keeps the last queries' vectors, least recently used
//! first out.
//!
//! An entry is one whole call (every text of it, in order), not each text alone: a model may
//! embed a call's texts together (an int8 graph fed a batch quantises its activations over
//! all of it; `E5Embedder` gives each text a call of its own), and keyed by the call a cached
//! answer is bit for bit what the model returned for exactly that call. Passages are never
//! cached.

use std::num::NonZeroUsize;
use std::sync::{Mutex, MutexGuard};

use lru::LruCache;

use crate::{EmbedError, Embedder, Role};

/// Calls kept by default: at most about 10 MB (an entry holds two 384-dimension vectors, 3 KB,
/// and its texts, a query of at most 1,000 characters and its translation).
pub const DEFAULT_QUERY_CACHE_ENTRIES: usize = 1024;
/// The most entries the cache may be given: 100,000 hold about 300 MB at most, and the
/// cache's table is allocated whole when it is made (a count near `usize::MAX` overflowed it,
/// a billion asked for 36 GB).
pub const MAX_QUERY_CACHE_ENTRIES: usize = 100_000;

/// A call's texts → the vectors the model returned for them.
type Calls = LruCache<Vec<String>, Vec<Vec<f32>>>;

/// Wraps an [`Embedder`] so that repeated query calls are answered from memory.
pub struct QueryCache<E> {
    inner: E,
    /// `None` when the cache holds nothing (capacity 0): every call goes to the model.
    calls: Option<Mutex<Calls>>,
}

impl<E: Embedder> QueryCache<E> {
    /// Keeps the vectors of the last `entries` query calls of `inner` (0: none).
    pub fn new(inner: E, entries: usize) -> QueryCache<E> {
        QueryCache { inner, calls: NonZeroUsize::new(entries).map(|n| Mutex::new(LruCache::new(n))) }
    }

    /// The cache, or `None` when it is off. A lock poisoned by a panic elsewhere only turns
    /// the cache off: the model still answers.
    fn calls(&self) -> Option<MutexGuard<'_, Calls>> {
        self.calls.as_ref()?.lock().ok()
    }
}

impl<E: Embedder> Embedder for QueryCache<E> {
    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn dimensions(&self) -> usize {
        self.inner.dimensions()
    }

    fn embed_each(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        // Bulk work (the lexicon's terms): it would only push users' queries out.
        self.inner.embed_each(texts, role)
    }

    fn embed_reporting(
        &self,
        texts: &[&str],
        role: Role,
        done: &(dyn Fn(&[usize]) -> bool + Sync),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        // Bulk work too (ingest's passages): never cached.
        self.inner.embed_reporting(texts, role, done)
    }

    fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        if role != Role::Query || self.calls.is_none() {
            return self.inner.embed(texts, role);
        }
        let key: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        if let Some(vectors) = self.calls().and_then(|mut calls| calls.get(&key).cloned()) {
            return Ok(vectors);
        }
        // The model runs unlocked: concurrent queries are not held up by each other, and two
        // callers of the same new query both embed it (the same vectors).
        let vectors = self.inner.embed(texts, role)?;
        if let Some(mut calls) = self.calls() {
            calls.put(key, vectors.clone());
        }
        Ok(vectors)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::HashEmbedder;

    /// The hash embedder, counting the texts it is given, failing on one text.
    struct Counting {
        inner: HashEmbedder,
        texts: AtomicUsize,
    }

    impl Counting {
        fn new() -> Counting {
            Counting { inner: HashEmbedder::new(32), texts: AtomicUsize::new(0) }
        }
    }

    impl Embedder for &Counting {
        fn model_name(&self) -> &str {
            "counting"
        }

        fn dimensions(&self) -> usize {
            32
        }

        fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
            self.texts.fetch_add(texts.len(), Ordering::SeqCst);
            if texts.contains(&"broken") {
                return Err(EmbedError::Model("the model failed".into()));
            }
            self.inner.embed(texts, role)
        }
    }

    #[test]
    fn a_query_asked_again_is_answered_without_the_model() {
        let model = Counting::new();
        let cache = QueryCache::new(&model, 8);
        let first = cache.embed(&["KV cache quantization"], Role::Query).expect("embedded");
        let again = cache.embed(&["KV cache quantization"], Role::Query).expect("embedded");
        assert_eq!(first, again);
        assert_eq!(model.texts.load(Ordering::SeqCst), 1);
        // A query with its translation is one entry: the pair, not each text.
        let pair = cache.embed(&["量化", "quantization"], Role::Query).expect("embedded");
        assert_eq!(cache.embed(&["量化", "quantization"], Role::Query).expect("embedded"), pair);
        assert_eq!(model.texts.load(Ordering::SeqCst), 3);
        cache.embed(&["量化"], Role::Query).expect("embedded");
        assert_eq!(model.texts.load(Ordering::SeqCst), 4, "a text alone is another call");
    }

    #[test]
    fn passages_failures_and_a_cache_of_size_zero_always_reach_the_model() {
        let model = Counting::new();
        let cache = QueryCache::new(&model, 8);
        cache.embed(&["a passage"], Role::Passage).expect("embedded");
        cache.embed(&["a passage"], Role::Passage).expect("embedded");
        assert_eq!(model.texts.load(Ordering::SeqCst), 2);
        assert!(cache.embed(&["broken"], Role::Query).is_err());
        assert!(cache.embed(&["broken"], Role::Query).is_err(), "a failure is not remembered");
        assert_eq!(model.texts.load(Ordering::SeqCst), 4);

        let model = Counting::new();
        let off = QueryCache::new(&model, 0);
        off.embed(&["query"], Role::Query).expect("embedded");
        off.embed(&["query"], Role::Query).expect("embedded");
        assert_eq!(model.texts.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn the_least_recently_asked_query_leaves_first() {
        let model = Counting::new();
        let cache = QueryCache::new(&model, 2);
        cache.embed(&["one"], Role::Query).expect("embedded");
        cache.embed(&["two"], Role::Query).expect("embedded");
        cache.embed(&["one"], Role::Query).expect("embedded"); // "one" is now the most recent
        cache.embed(&["three"], Role::Query).expect("embedded"); // "two" leaves
        assert_eq!(model.texts.load(Ordering::SeqCst), 3);
        cache.embed(&["one"], Role::Query).expect("embedded");
        assert_eq!(model.texts.load(Ordering::SeqCst), 3, "still cached");
        cache.embed(&["two"], Role::Query).expect("embedded");
        assert_eq!(model.texts.load(Ordering::SeqCst), 4, "evicted, embedded again");
    }
}
