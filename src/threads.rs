//! The kernels' thread pool: a rayon pool whose size `set_num_threads` can change at any time.
//! With one thread, kernels run on the calling thread and no pool is involved.
//!
//! Fork safety: a forked child has none of its parent's threads, so a job handed to the parent's
//! pool would wait forever, and a lock some other parent thread held at the fork would never be
//! released. A `pthread_atfork` handler marks the child; the child's first use of the pool then
//! abandons the inherited lock and pool (leaked, never dropped: their threads are not there to be
//! told) for fresh ones with the same thread count.

use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Once, RwLock};

/// The most threads the pool really starts, whatever `set_num_threads` asked for: results never
/// depend on the thread count, and `set_num_threads(2**40)` must not try to spawn 2**40 threads.
const MAX_POOL_THREADS: usize = 1024;

/// The pool, built lazily for the current thread count.
type Pool = Option<Arc<rayon::ThreadPool>>;

/// The thread count kernels use (0 until first asked: then the machine's parallelism).
static THREADS: AtomicUsize = AtomicUsize::new(0);
/// The current pool's lock, leaked so that a forked child can swap in a fresh one.
static POOL: AtomicPtr<RwLock<Pool>> = AtomicPtr::new(std::ptr::null_mut());
/// Set in a forked child until its first use of the pool replaces the inherited one.
static FORKED: AtomicBool = AtomicBool::new(false);

extern "C" fn mark_forked_child() {
    FORKED.store(true, Ordering::Relaxed);
}

/// Registers [`mark_forked_child`] with `pthread_atfork`, once per process.
fn watch_forks() {
    static WATCH: Once = Once::new();
    #[cfg(unix)]
    WATCH.call_once(|| {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe { libc::pthread_atfork(None, None, Some(mark_forked_child)) };
    });
}

/// The pool's lock: made on first use, and made anew in a forked child.
fn pool() -> &'static RwLock<Pool> {
    let forked = FORKED.load(Ordering::Relaxed) && FORKED.swap(false, Ordering::Relaxed);
    let current = POOL.load(Ordering::Acquire);
    if !current.is_null() && !forked {
        // SAFETY: published locks are leaked, so they live for the rest of the process.
        return unsafe { &*current };
    }
    watch_forks();
    let fresh = Box::into_raw(Box::new(RwLock::new(None)));
    let installed = if forked {
        // One thread runs in a fresh child: replace (and leak) the inherited lock and pool.
        POOL.store(fresh, Ordering::Release);
        fresh
    } else {
        match POOL.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` was never published.
                drop(unsafe { Box::from_raw(fresh) });
                winner
            }
        }
    };
    // SAFETY: as above.
    unsafe { &*installed }
}

/// The number of threads kernels use.
pub fn num_threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => {
            let n = std::thread::available_parallelism().map_or(1, |n| n.get());
            // Another thread may have set a count meanwhile: keep theirs.
            let _ = THREADS.compare_exchange(0, n, Ordering::Relaxed, Ordering::Relaxed);
            THREADS.load(Ordering::Relaxed)
        }
        n => n,
    }
}

/// Sets the number of threads kernels use (at least 1); the pool is rebuilt lazily.
pub fn set_num_threads(n: usize) {
    let n = n.max(1);
    if let Ok(mut p) = pool().write() {
        if num_threads() != n {
            THREADS.store(n, Ordering::Relaxed);
            *p = None;
        }
    }
}

fn current_pool() -> Option<Arc<rayon::ThreadPool>> {
    let threads = num_threads();
    if threads <= 1 {
        return None;
    }
    let lock = pool();
    if let Ok(p) = lock.read() {
        if let Some(pool) = &*p {
            if pool.current_num_threads() == threads.min(MAX_POOL_THREADS) {
                return Some(pool.clone());
            }
        }
    }
    let mut p = lock.write().ok()?;
    let threads = num_threads();
    if threads <= 1 {
        return None;
    }
    let stale = p
        .as_ref()
        .is_none_or(|pool| pool.current_num_threads() != threads.min(MAX_POOL_THREADS));
    if stale {
        let built = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.min(MAX_POOL_THREADS))
            .thread_name(|i| format!("rtensor-{i}"))
            .build()
            .ok()?;
        *p = Some(Arc::new(built));
    }
    p.clone()
}

/// Calls `f(i)` for every chunk index `i` in `0..chunks`, in parallel when there is more than one
/// chunk and more than one thread. Chunk boundaries are the caller's, so results never depend on
/// the thread count.
pub fn for_each_chunk(chunks: usize, f: impl Fn(usize) + Sync + Send) {
    if chunks <= 1 {
        if chunks == 1 {
            f(0);
        }
        return;
    }
    match current_pool() {
        Some(pool) => pool.install(|| (0..chunks).into_par_iter().for_each(&f)),
        None => (0..chunks).for_each(f),
    }
}

/// Maps every chunk index to a value, in parallel as [`for_each_chunk`], keeping chunk order.
pub fn map_chunks<R: Send>(chunks: usize, f: impl Fn(usize) -> R + Sync + Send) -> Vec<R> {
    if chunks <= 1 {
        return (0..chunks).map(f).collect();
    }
    match current_pool() {
        Some(pool) => pool.install(|| (0..chunks).into_par_iter().map(&f).collect()),
        None => (0..chunks).map(f).collect(),
    }
}

/// Runs `f` inside the kernels' pool (on the calling thread when there is one thread), passing the
/// thread count: for libraries such as `gemm` that parallelise with rayon's current pool.
pub fn install<R: Send>(f: impl FnOnce(usize) -> R + Send) -> R {
    match current_pool() {
        Some(pool) => {
            let n = pool.current_num_threads();
            pool.install(|| f(n))
        }
        None => f(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn chunks_run_once_each() {
        let hits = AtomicUsize::new(0);
        for_each_chunk(100, |i| {
            hits.fetch_add(i + 1, Ordering::Relaxed);
        });
        assert_eq!(hits.load(Ordering::Relaxed), 5050);
        assert_eq!(map_chunks(4, |i| i * 2), vec![0, 2, 4, 6]);
    }
}
