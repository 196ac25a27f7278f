//! Queries that arrive together are embedded together.
//!
//! A server answering many searches at once would otherwise run the model once per query,
//! one after another, each call paying the model's fixed cost and waiting for the one before.
//! [`QueryBatcher`] lets a waiting caller embed every query queued so far in a single call
//! (leader-follower "flat combining"), with as many such calls at once as the model runs in
//! parallel ([`Embedder::parallel_calls`]): with one client nothing changes, with many the
//! model's work per query falls and throughput grows with load instead of queueing.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::{EmbedError, Embedder, Role};

/// The most queries one model call takes; more wait for the next call.
pub const MAX_QUERIES_PER_CALL: usize = 16;

/// Wraps an [`Embedder`] so that concurrent one-query calls share model calls. Other calls
/// (passages, several texts) go straight to the model.
pub struct QueryBatcher<E> {
    inner: E,
    /// Model calls allowed at once.
    parallel: usize,
    queue: Mutex<Queue>,
    finished: Condvar,
}

#[derive(Default)]
struct Queue {
    /// Queries waiting for a model call, with their tickets.
    waiting: Vec<(u64, String)>,
    /// Vectors (or the failure) of queries embedded but not yet collected, by ticket.
    done: HashMap<u64, Result<Vec<f32>, String>>,
    /// Callers running the model for the queue right now.
    running: usize,
    next_ticket: u64,
}

impl<E: Embedder> QueryBatcher<E> {
    /// Shares `inner`'s model calls between concurrent queries.
    pub fn new(inner: E) -> QueryBatcher<E> {
        let parallel = inner.parallel_calls().max(1);
        QueryBatcher { inner, parallel, queue: Mutex::new(Queue::default()), finished: Condvar::new() }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Queue>, EmbedError> {
        // The queue is only changed by code that cannot panic (the model runs unlocked and
        // inside catch_unwind), so a poisoned lock means a bug elsewhere: say so.
        self.queue.lock().map_err(|_| EmbedError::Model("the query queue's lock was poisoned by a panic".into()))
    }

    fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let mut queue = self.lock()?;
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        queue.waiting.push((ticket, text.to_string()));
        loop {
            if let Some(result) = queue.done.remove(&ticket) {
                return result.map_err(EmbedError::Model);
            }
            if queue.running >= self.parallel || queue.waiting.is_empty() {
                queue = self
                    .finished
                    .wait(queue)
                    .map_err(|_| EmbedError::Model("the query queue's lock was poisoned by a panic".into()))?;
                continue;
            }
            // The model has room for another call: this caller embeds everything waiting, its
            // own query included (it is still waiting: not in `done`, and no running call took
            // it, or `waiting` would not hold it).
            queue.running += 1;
            let take = queue.waiting.len().min(MAX_QUERIES_PER_CALL);
            let batch: Vec<(u64, String)> = queue.waiting.drain(..take).collect();
            drop(queue);
            let texts: Vec<&str> = batch.iter().map(|(_, t)| t.as_str()).collect();
            let outcome = catch_unwind(AssertUnwindSafe(|| self.inner.embed(&texts, Role::Query)));
            let outcome = match outcome {
                Ok(Ok(vectors)) if vectors.len() == batch.len() => Ok(vectors),
                Ok(Ok(vectors)) => {
                    Err(format!("the model returned {} vectors for {} queries", vectors.len(), batch.len()))
                }
                Ok(Err(error)) => Err(error.to_string()),
                Err(_) => Err("the embedding model panicked".to_string()),
            };
            queue = self.lock()?;
            queue.running -= 1;
            match outcome {
                Ok(vectors) => {
                    for ((ticket, _), vector) in batch.into_iter().zip(vectors) {
                        queue.done.insert(ticket, Ok(vector));
                    }
                }
                Err(reason) => {
                    for (ticket, _) in batch {
                        queue.done.insert(ticket, Err(reason.clone()));
                    }
                }
            }
            self.finished.notify_all();
        }
    }
}

impl<E: Embedder> Embedder for QueryBatcher<E> {
    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn dimensions(&self) -> usize {
        self.inner.dimensions()
    }

    fn parallel_calls(&self) -> usize {
        self.parallel
    }

    fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        match (role, texts) {
            (Role::Query, [text]) => Ok(vec![self.embed_query(text)?]),
            _ => self.inner.embed(texts, role),
        }
    }

    fn embed_each(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        // Never batched with other callers' queries: each text's vector must be its own.
        self.inner.embed_each(texts, role)
    }

    fn embed_reporting(
        &self,
        texts: &[&str],
        role: Role,
        done: &(dyn Fn(&[usize]) -> bool + Sync),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        // Bulk work (ingest's passages) goes straight to the model, as `embed`'s does.
        self.inner.embed_reporting(texts, role, done)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::HashEmbedder;

    /// A slow model that counts its calls and the texts it was given.
    struct Counting {
        inner: HashEmbedder,
        calls: AtomicUsize,
        texts: AtomicUsize,
        fail_on: Option<&'static str>,
    }

    impl Counting {
        fn new(fail_on: Option<&'static str>) -> Counting {
            Counting { inner: HashEmbedder::new(32), calls: AtomicUsize::new(0), texts: AtomicUsize::new(0), fail_on }
        }
    }

    impl Embedder for Counting {
        fn model_name(&self) -> &str {
            "counting"
        }
        fn dimensions(&self) -> usize {
            32
        }
        fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.texts.fetch_add(texts.len(), Ordering::SeqCst);
            // Long enough that queries sent meanwhile pile up behind this call.
            std::thread::sleep(Duration::from_millis(20));
            if self.fail_on.is_some_and(|bad| texts.contains(&bad)) {
                return Err(EmbedError::Model("cannot embed that".into()));
            }
            self.inner.embed(texts, role)
        }
    }

    fn query(n: usize) -> String {
        format!("query number {n} about topic {}", n % 7)
    }

    #[test]
    fn concurrent_queries_share_model_calls_and_each_gets_its_own_vector() {
        let batcher = Arc::new(QueryBatcher::new(Counting::new(None)));
        let threads: Vec<_> = (0..24)
            .map(|n| {
                let batcher = Arc::clone(&batcher);
                std::thread::spawn(move || (n, batcher.embed(&[&query(n)], Role::Query)))
            })
            .collect();
        let alone = HashEmbedder::new(32);
        for thread in threads {
            let (n, result) = thread.join().expect("a query thread");
            let expected = alone.embed(&[&query(n)], Role::Query).expect("embed");
            assert_eq!(result.expect("embedded"), expected, "query {n} got another query's vector");
        }
        let calls = batcher.inner.calls.load(Ordering::SeqCst);
        assert_eq!(batcher.inner.texts.load(Ordering::SeqCst), 24, "every query embedded exactly once");
        assert!(calls < 24, "24 concurrent queries took {calls} model calls: nothing was batched");
    }

    #[test]
    fn a_failed_call_fails_only_the_queries_in_it_and_the_next_ones_still_work() {
        let batcher = QueryBatcher::new(Counting::new(Some("poison")));
        let failed = batcher.embed(&["poison"], Role::Query).expect_err("the model refuses it");
        assert!(failed.to_string().contains("cannot embed that"), "{failed}");
        let fine = batcher.embed(&["a fine query"], Role::Query).expect("the queue recovers");
        assert_eq!(fine.len(), 1);
    }

    #[test]
    fn passages_and_query_lists_go_straight_to_the_model() {
        let batcher = QueryBatcher::new(Counting::new(None));
        let vectors = batcher.embed(&["one", "two", "three"], Role::Passage).expect("embed");
        assert_eq!(vectors.len(), 3);
        assert_eq!(batcher.inner.calls.load(Ordering::SeqCst), 1);
    }
}
