//! The kernels' threads, whose number `set_num_threads` can change at any time: a [`Team`] of
//! spinning helpers runs the chunked kernels with the calling thread, and a rayon pool of the same
//! size serves the libraries that parallelise with rayon (`gemm`). Both are built lazily; with one
//! thread, kernels run on the calling thread and neither is involved.
//!
//! Fork safety: a forked child has none of its parent's threads, so a job handed to the parent's
//! pools would wait forever, and a lock some other parent thread held at the fork would never be
//! released. A `pthread_atfork` handler marks the child; the child's first use of the pools then
//! abandons the inherited lock and pools (leaked, never dropped: their threads are not there to be
//! told) for fresh ones with the same thread count.

mod team;

use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Once, RwLock};
use team::Team;

/// The most threads really started, whatever `set_num_threads` asked for: results never depend
/// on the thread count, and `set_num_threads(2**40)` must not try to spawn 2**40 threads.
const MAX_POOL_THREADS: usize = 1024;

/// The team and the rayon pool, each built lazily for the current thread count.
#[derive(Default)]
struct Pools {
    team: Option<Arc<Team>>,
    rayon: Option<Arc<rayon::ThreadPool>>,
}

/// The thread count kernels use (0 until first asked: then the machine's parallelism).
static THREADS: AtomicUsize = AtomicUsize::new(0);
/// The current pools' lock, leaked so that a forked child can swap in a fresh one.
static POOLS: AtomicPtr<RwLock<Pools>> = AtomicPtr::new(std::ptr::null_mut());
/// Set in a forked child until its first use of the pools replaces the inherited ones.
static FORKED: AtomicBool = AtomicBool::new(false);

extern "C" fn mark_forked_child() {
    FORKED.store(true, Ordering::Relaxed);
}

/// Registers [`mark_forked_child`] with `pthread_atfork`, once per process.
fn watch_forks() {
    static WATCH: Once = Once::new();
    #[cfg(unix)]
    WATCH.call_once(|| {
        // SAFETY: registering handlers has no memory preconditions; the only handler,
        // `mark_forked_child`, runs in the child right after fork and only stores to an atomic,
        // which is async-signal-safe, so it is sound in a process that was multi-threaded.
        unsafe { libc::pthread_atfork(None, None, Some(mark_forked_child)) };
    });
}

/// The pools' lock: made on first use, and made anew in a forked child.
fn pools() -> &'static RwLock<Pools> {
    let forked = FORKED.load(Ordering::Relaxed) && FORKED.swap(false, Ordering::Relaxed);
    let current = POOLS.load(Ordering::Acquire);
    if !current.is_null() && !forked {
        // SAFETY: `current` is non-null, so it was published below from `Box::into_raw`; published
        // locks are never freed (a replaced one is leaked), so the reference is valid for
        // `'static`, and `RwLock` is `Sync`, so sharing it is fine.
        return unsafe { &*current };
    }
    watch_forks();
    let fresh = Box::into_raw(Box::new(RwLock::new(Pools::default())));
    let installed = if forked {
        // One thread runs in a fresh child: replace (and leak) the inherited lock and pools.
        POOLS.store(fresh, Ordering::Release);
        fresh
    } else {
        match POOLS.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` came from `Box::into_raw` just above and the failed exchange
                // never published it, so this is its only owner and it is freed once.
                drop(unsafe { Box::from_raw(fresh) });
                winner
            }
        }
    };
    // SAFETY: `installed` is either `fresh`, now published, or the published `winner`; either way
    // it came from `Box::into_raw` and published locks are never freed.
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

/// Sets the number of threads kernels use (at least 1); the pools are rebuilt lazily.
pub fn set_num_threads(n: usize) {
    let n = n.max(1);
    if let Ok(mut p) = pools().write() {
        if num_threads() != n {
            THREADS.store(n, Ordering::Relaxed);
            *p = Pools::default();
        }
    }
}

/// A pool kept in [`Pools`] and built on demand for a thread count.
trait Pool: Sized {
    /// Where [`Pools`] keeps it.
    fn slot(pools: &Pools) -> &Option<Arc<Self>>;
    /// The same place, to build it in.
    fn slot_mut(pools: &mut Pools) -> &mut Option<Arc<Self>>;
    /// The thread count it was built for.
    fn size(&self) -> usize;
    /// A pool of `threads` threads; `None` if the threads cannot be started.
    fn build(threads: usize) -> Option<Self>;
}

impl Pool for Team {
    fn slot(pools: &Pools) -> &Option<Arc<Self>> {
        &pools.team
    }
    fn slot_mut(pools: &mut Pools) -> &mut Option<Arc<Self>> {
        &mut pools.team
    }
    fn size(&self) -> usize {
        self.threads()
    }
    fn build(threads: usize) -> Option<Self> {
        Team::new(threads)
    }
}

impl Pool for rayon::ThreadPool {
    fn slot(pools: &Pools) -> &Option<Arc<Self>> {
        &pools.rayon
    }
    fn slot_mut(pools: &mut Pools) -> &mut Option<Arc<Self>> {
        &mut pools.rayon
    }
    fn size(&self) -> usize {
        self.current_num_threads()
    }
    fn build(threads: usize) -> Option<Self> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("rtensor-rayon-{i}"))
            .build()
            .ok()
    }
}

/// The thread count pools are built for: the current count, capped; `None` for one thread.
fn pool_threads() -> Option<usize> {
    Some(num_threads())
        .filter(|&n| n > 1)
        .map(|n| n.min(MAX_POOL_THREADS))
}

/// The pool `P` if it is built for the current thread count.
fn existing<P: Pool>() -> Option<Arc<P>> {
    let threads = pool_threads()?;
    let p = pools().read().ok()?;
    P::slot(&p)
        .as_ref()
        .filter(|pool| pool.size() == threads)
        .cloned()
}

/// The pool `P` for the current thread count, built if it is missing or was built for another
/// count; `None` with one thread, or if its threads cannot be started.
fn current<P: Pool>() -> Option<Arc<P>> {
    if let Some(pool) = existing::<P>() {
        return Some(pool);
    }
    let mut p = pools().write().ok()?;
    let threads = pool_threads()?;
    let slot = P::slot_mut(&mut p);
    if slot.as_ref().is_none_or(|pool| pool.size() != threads) {
        *slot = Some(Arc::new(P::build(threads)?));
    }
    slot.clone()
}

/// Calls `f(i)` for every chunk index `i` in `0..chunks`, in parallel when there is more than one
/// chunk and more than one thread. Chunk boundaries are the caller's, so results never depend on
/// the thread count.
#[inline]
pub fn for_each_chunk(chunks: usize, f: impl Fn(usize) + Sync + Send) {
    run_chunks(chunks, &f)
}

/// [`for_each_chunk`] with `f` as a trait object: compiled once rather than once per caller (one
/// indirect call per chunk, which is thousands of elements).
fn run_chunks(chunks: usize, f: &(dyn Fn(usize) + Sync)) {
    if chunks <= 1 {
        if chunks == 1 {
            f(0);
        }
        return;
    }
    match current::<Team>() {
        Some(team) => team.run(chunks, f),
        None => (0..chunks).for_each(f),
    }
}

/// A pointer that chunks running on several threads may write through (to disjoint elements).
struct Slots<R>(*mut R);
// SAFETY: `Slots` is shared only by `map_chunks`'s chunks, and chunk `i` writes only element `i`
// (each index runs once), so no two threads touch one element; the values written are `R: Send`,
// moved to the thread that owns the `Vec` afterwards.
unsafe impl<R: Send> Sync for Slots<R> {}

/// Maps every chunk index to a value, in parallel as [`for_each_chunk`], keeping chunk order.
pub fn map_chunks<R: Send>(chunks: usize, f: impl Fn(usize) -> R + Sync + Send) -> Vec<R> {
    let mut out: Vec<R> = Vec::with_capacity(chunks);
    let slots = Slots(out.as_mut_ptr());
    for_each_chunk(chunks, |i| {
        let slots = &slots;
        // SAFETY: `out` has capacity for `chunks` values and `i < chunks`, so slot `i` is inside
        // its allocation; `for_each_chunk` runs each index once, so no other chunk writes slot
        // `i`, and `write` does not drop the uninitialised value there.
        unsafe { slots.0.add(i).write(f(i)) }
    });
    // SAFETY: `for_each_chunk` returned normally, so every chunk `0..chunks` ran once and wrote
    // its slot (a panic in a chunk is resumed before this point, leaving the length at 0), and
    // `chunks` is within the capacity.
    unsafe { out.set_len(chunks) };
    out
}

/// Runs `f` inside the kernels' rayon pool (on the calling thread when there is one thread),
/// passing the thread count: for libraries such as `gemm` that parallelise with rayon's current
/// pool. The team's spinning helpers are told to park first, leaving the cores to rayon.
pub fn install<R: Send>(f: impl FnOnce(usize) -> R + Send) -> R {
    match current::<rayon::ThreadPool>() {
        Some(pool) => {
            if let Some(team) = existing::<Team>() {
                team.rest();
            }
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
