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
//! A task no pool thread has begun by the time it is joined runs on the joining thread. The
//! pool's threads may all be busy (another search's keyword lists, or this one's two) or
//! asleep and slow to wake; the joining thread would only wait, and doing the work itself is
//! never slower than waiting for it to start (PERFORMANCE.md, "Session 25").
//!
//! Waiting must not block a pool thread: the task waited for may sit in that thread's own
//! queue. A pool thread that waits (a search called from inside the pool) runs other pool
//! work meanwhile; any other thread blocks. A task that splits in two uses [`rayon::join`].

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

/// A task's work until a thread claims it: the pool's or the joining one, whichever comes
/// first.
type Unclaimed<'scope, T> = Arc<Mutex<Option<Box<dyn FnOnce() -> T + Send + 'scope>>>>;

/// A task handed to the pool by [`spawn`]; its value comes from [`Task::join`].
pub(crate) struct Task<'scope, T> {
    work: Unclaimed<'scope, T>,
    result: Receiver<std::thread::Result<T>>,
}

/// Runs `work` on rayon's pool within `scope`, or on the thread that joins it if no pool
/// thread has begun it by then.
pub(crate) fn spawn<'scope, T: Send + 'scope>(
    scope: &rayon::Scope<'scope>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> Task<'scope, T> {
    let work: Unclaimed<'scope, T> = Arc::new(Mutex::new(Some(Box::new(work))));
    let (sender, result) = sync_channel(1);
    let pool_side = Arc::clone(&work);
    scope.spawn(move |_| {
        if let Some(work) = claim(&pool_side) {
            // Nobody waits any more when the joining side has already returned (its own error).
            let _ = sender.send(catch_unwind(AssertUnwindSafe(work)));
        }
    });
    Task { work, result }
}

/// The work, if no thread has claimed it yet. (Taking it cannot panic, so a poisoned lock
/// still holds a whole value.)
fn claim<'scope, T>(work: &Unclaimed<'scope, T>) -> Option<Box<dyn FnOnce() -> T + Send + 'scope>> {
    work.lock().unwrap_or_else(PoisonError::into_inner).take()
}

impl<T> Task<'_, T> {
    /// The task's value: computed here if no pool thread has begun it, else once it has run;
    /// its panic, if it panicked, carries on here.
    pub(crate) fn join(self) -> T {
        if let Some(work) = claim(&self.work) {
            return work();
        }
        match receive(&self.result) {
            Some(Ok(value)) => value,
            Some(Err(panic)) => resume_unwind(panic),
            // The pool side claimed the work, and always sends before it ends.
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
    fn a_task_no_pool_thread_has_begun_runs_on_the_joining_thread() {
        // The pool's one thread is held by other work until the task has been joined: a join
        // that only waited for the pool would wait for ever.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool");
        let (done, finished) = sync_channel(1);
        std::thread::spawn(move || {
            let (release, held) = sync_channel::<()>(1);
            pool.spawn(move || {
                let _ = held.recv();
            });
            let joined_on = pool.in_place_scope(|scope| {
                let task = spawn(scope, || std::thread::current().id());
                let ran_on = task.join();
                let _ = release.send(());
                ran_on
            });
            let _ = done.send(joined_on == std::thread::current().id());
        });
        let on_the_joining_thread = finished
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the join waited for a pool thread that was busy");
        assert!(on_the_joining_thread);
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
