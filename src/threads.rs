//! The kernels' thread pool: a rayon pool whose size `set_num_threads` can change at any time.
//! With one thread, kernels run on the calling thread and no pool is involved.
//!
//! Fork safety: a forked child has none of its parent's threads, so a job handed to the parent's
//! pool would wait forever. A `pthread_atfork` handler marks the child, and the child's first
//! parallel kernel abandons the inherited pool (without dropping it: its threads are not there to
//! be told) and builds its own.

use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once, OnceLock, RwLock};

/// The most threads the pool really starts, whatever `set_num_threads` asked for: results never
/// depend on the thread count, and `set_num_threads(2**40)` must not try to spawn 2**40 threads.
const MAX_POOL_THREADS: usize = 1024;

struct Pool {
    threads: usize,
    pool: Option<Arc<rayon::ThreadPool>>,
}

/// Set in a forked child until its first parallel kernel replaces the inherited pool.
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

fn pool() -> &'static RwLock<Pool> {
    static POOL: OnceLock<RwLock<Pool>> = OnceLock::new();
    POOL.get_or_init(|| {
        watch_forks();
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        RwLock::new(Pool {
            threads: n,
            pool: None,
        })
    })
}

/// The number of threads kernels use.
pub fn num_threads() -> usize {
    pool().read().map_or(1, |p| p.threads)
}

/// Sets the number of threads kernels use (at least 1); the pool is rebuilt lazily.
pub fn set_num_threads(n: usize) {
    if let Ok(mut p) = pool().write() {
        let n = n.max(1);
        if p.threads != n {
            p.threads = n;
            p.pool = None;
        }
    }
}

fn current_pool() -> Option<Arc<rayon::ThreadPool>> {
    if FORKED.swap(false, Ordering::Relaxed) {
        if let Ok(mut p) = pool().write() {
            // The parent's workers do not exist here: dropping the pool would signal them.
            std::mem::forget(p.pool.take());
        }
    }
    if let Ok(p) = pool().read() {
        if p.threads <= 1 {
            return None;
        }
        if let Some(pool) = &p.pool {
            return Some(pool.clone());
        }
    }
    let mut p = pool().write().ok()?;
    if p.threads <= 1 {
        return None;
    }
    if p.pool.is_none() {
        let built = rayon::ThreadPoolBuilder::new()
            .num_threads(p.threads.min(MAX_POOL_THREADS))
            .thread_name(|i| format!("rtensor-{i}"))
            .build()
            .ok()?;
        p.pool = Some(Arc::new(built));
    }
    p.pool.clone()
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
