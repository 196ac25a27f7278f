//! The work a search hands to the other core: tasks on rayon's pool, joined by their result.
//!
//! A search runs its keyword lists, the papers a filter admits and one language's vector scan
//! beside the model and the other scan. A thread per such task cost 40–250 µs of wall time
//! and about 57 µs of kernel time each on the 2-core machine, three times per hybrid search
//! (PERFORMANCE.md, "Session 21"). The pool's threads stay up between searches.
//!
//! [`spawn`] is [`std::thread::Scope::spawn`] for a [`rayon::Scope`]: it hands back a
//! [`Task`] whose [`Task::join`] returns the task's value, or carries its panic on in the
//! joining thread, as a scoped thread's join did.
//!
//! Waiting must not block a pool thread: the task waited for may sit in that thread's own
//! queue. A pool thread that waits (a search called from inside the pool) runs other pool
//! work meanwhile; any other thread blocks. A task that splits in two uses [`rayon::join`].

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};

/// A task handed to the pool by [`spawn`]; its value comes from [`Task::join`].
pub(crate) struct Task<T> {
    result: Receiver<std::thread::Result<T>>,
}

/// Runs `work` on rayon's pool within `scope`.
pub(crate) fn spawn<'scope, T: Send + 'scope>(
    scope: &rayon::Scope<'scope>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> Task<T> {
    let (sender, result) = sync_channel(1);
    scope.spawn(move |_| {
        // Nobody waits any more when the joining side has already returned (its own error).
        let _ = sender.send(catch_unwind(AssertUnwindSafe(work)));
    });
    Task { result }
}

impl<T> Task<T> {
    /// The task's value, once it has run; its panic, if it panicked, carries on here.
    pub(crate) fn join(self) -> T {
        match receive(&self.result) {
            Some(Ok(value)) => value,
            Some(Err(panic)) => resume_unwind(panic),
            // `spawn`'s job always sends before it ends, and the scope runs every job.
            None => unreachable!("a pool task ended without its result"),
        }
    }
}

/// The value `receiver` gets, or `None` once its sender is gone without sending. On a pool
/// thread, runs other pool work while it waits (see the module's overview).
pub(crate) fn receive<T>(receiver: &Receiver<T>) -> Option<T> {
    if rayon::current_thread_index().is_none() {
        return receiver.recv().ok();
    }
    loop {
        match receiver.try_recv() {
            Ok(value) => return Some(value),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => {
                if rayon::yield_now() != Some(rayon::Yield::Executed) {
                    std::thread::yield_now();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_returns_its_value_to_the_thread_that_joins_it() {
        let words = ["kv", "cache", "quantization"];
        let total = rayon::in_place_scope(|scope| {
            let lengths = spawn(scope, || words.iter().map(|w| w.len()).sum::<usize>());
            let count = words.len();
            lengths.join() + count
        });
        assert_eq!(total, 2 + 5 + 12 + 3);
    }

    #[test]
    fn a_task_that_waits_for_its_own_task_inside_the_pool_does_not_deadlock() {
        // Every pool thread runs a task that hands out a task of its own and waits for it, all
        // at once (the barrier): a blocking wait would leave each inner task queued behind its
        // waiting parent for ever.
        let threads = rayon::current_num_threads();
        let (done, finished) = sync_channel(1);
        // On a thread of its own, so that a deadlock fails the test instead of hanging it.
        std::thread::spawn(move || {
            let all_started = std::sync::Barrier::new(threads);
            let sums: Vec<usize> = rayon::in_place_scope(|scope| {
                let outer: Vec<_> = (0..threads)
                    .map(|i| {
                        let all_started = &all_started;
                        spawn(scope, move || {
                            all_started.wait();
                            rayon::in_place_scope(|inner| {
                                let tenfold = spawn(inner, move || i * 10);
                                tenfold.join() + i
                            })
                        })
                    })
                    .collect();
                outer.into_iter().map(Task::join).collect()
            });
            let _ = done.send(sums);
        });
        let sums = finished.recv_timeout(std::time::Duration::from_secs(60)).expect("the pool deadlocked");
        assert_eq!(sums, (0..threads).map(|i| i * 11).collect::<Vec<_>>());
    }

    #[test]
    fn a_panicking_task_carries_its_panic_to_the_joining_thread() {
        let caught = catch_unwind(|| {
            rayon::in_place_scope(|scope| {
                let task = spawn(scope, || -> usize { panic!("the keyword list failed") });
                task.join()
            })
        });
        let panic = caught.expect_err("the panic reaches the caller");
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"the keyword list failed"));
    }

    #[test]
    fn receiving_from_a_sender_gone_without_sending_is_none_on_any_thread() {
        let (sender, receiver) = sync_channel::<u8>(1);
        drop(sender);
        assert_eq!(receive(&receiver), None);
        let (sender, receiver) = sync_channel::<u8>(1);
        drop(sender);
        assert_eq!(rayon::scope(move |_| receive(&receiver)), None);
    }
}
