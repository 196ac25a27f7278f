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
//! In a server, the pool's threads run below the searching threads' priority
//! ([`run_side_work_below_searches`]): under load the one query session is what every search
//! waits for, and its thread should not share a core with side work.
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

/// How much lower (in nice values) a server's pool threads run than the threads that search.
const SIDE_WORK_NICENESS: i32 = 10;

/// Makes rayon's global pool, on which searches run their side work (keyword lists, snippets
/// read ahead, one language's vector scan), run [`SIDE_WORK_NICENESS`] below the threads that
/// search. Under load every search waits for the one query session (`paperdex_embed`), so the
/// thread holding it should have a core to itself: side work runs when a core is free of it.
/// With one search at a time nothing changes, the model and the side work being on different
/// cores. `serve` under 8 connections answered 1.07–1.08x the hybrid searches a second with
/// the pool's threads reniced by 10, three alternating runs (PERFORMANCE.md, "Session 25").
///
/// For servers (`serve`, `mcp`), before anything uses rayon: the global pool is built once, and
/// an error says it was built already (its threads then keep the searches' priority).
pub fn run_side_work_below_searches() -> std::result::Result<(), rayon::ThreadPoolBuildError> {
    side_work_pool().build_global()
}

/// A pool whose threads lower their own priority as they start.
fn side_work_pool() -> rayon::ThreadPoolBuilder {
    rayon::ThreadPoolBuilder::new().start_handler(|_| lower_this_threads_priority(SIDE_WORK_NICENESS))
}

/// Raises the calling thread's nice value by `by` (Linux keeps one per thread; the kernel caps
/// it at 19). Failure leaves the priority as it was, which only costs throughput.
fn lower_this_threads_priority(by: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: `nice` only changes the calling thread's scheduling priority; it takes and
    // returns plain integers and touches no memory of ours.
    #[allow(unsafe_code)]
    unsafe {
        libc::nice(by);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = by;
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

    /// The nice value of the calling thread.
    #[cfg(target_os = "linux")]
    fn niceness() -> i32 {
        // SAFETY: reads the calling thread's priority; no memory is touched.
        #[allow(unsafe_code)]
        unsafe {
            libc::getpriority(libc::PRIO_PROCESS, 0)
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_servers_pool_threads_run_below_the_searching_threads() {
        let searching = niceness();
        let pool = side_work_pool().num_threads(2).build().expect("a pool");
        let side_work = pool.install(|| rayon::join(niceness, niceness));
        let lowered = (searching + SIDE_WORK_NICENESS).min(19);
        assert_eq!(side_work, (lowered, lowered));
        assert_eq!(niceness(), searching, "the searching thread keeps its priority");
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
