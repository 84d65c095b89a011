//! A team of helper threads that run chunked kernels together with the calling thread.
//!
//! Between jobs the helpers spin for [`SPIN`] before they park. A kernel called from Python a few
//! microseconds after the last one therefore finds them awake: handing it to them costs an atomic
//! store, where waking sleeping threads (as rayon's pool does after each job) costs 10-30 µs on
//! this virtual machine, more than a thread takes to sum a million float32. The caller works on the
//! job too and hands out chunks in shrinking batches, so a helper that wakes late only takes what
//! is left. Chunk boundaries are the kernel's: who runs a chunk never changes what it computes.

use std::cell::Cell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::*};
use std::sync::{Arc, Mutex};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long an idle helper spins, watching for the next job, before it parks. Kernels called in
/// a Python loop arrive microseconds apart; torch's OpenMP threads spin likewise.
const SPIN: Duration = Duration::from_micros(500);
/// Spin iterations between two looks at the clock.
const SPINS_PER_CLOCK_READ: u32 = 256;

thread_local! {
    /// Set on helpers, and on a caller while it runs a job: a kernel started from inside a job
    /// runs on its own thread rather than waiting for a team that is busy with its caller.
    static IN_JOB: Cell<bool> = const { Cell::new(false) };
}

/// One job: `run(i)` for every chunk `i` in `0..chunks`. It lives on the caller's stack.
struct Job<'a> {
    run: &'a (dyn Fn(usize) + Sync),
    chunks: usize,
    /// The next chunk nobody has taken.
    next: AtomicUsize,
    /// The team's thread count (for the batch sizes).
    threads: usize,
    /// Set when a chunk panicked on a helper.
    panicked: AtomicBool,
}

impl Job<'_> {
    /// Takes and runs chunks until none are left: batches of a `2 * threads`-th of what remains,
    /// so early batches are long and the last ones balance the threads.
    fn work(&self) {
        let mut cur = self.next.load(Relaxed);
        while cur < self.chunks {
            let take = ((self.chunks - cur) / (2 * self.threads)).max(1);
            match self
                .next
                .compare_exchange_weak(cur, cur + take, Relaxed, Relaxed)
            {
                Ok(_) => {
                    (cur..cur + take).for_each(self.run);
                    cur = self.next.load(Relaxed);
                }
                Err(now) => cur = now,
            }
        }
    }

    /// Leaves no chunk for anyone (after a panic).
    fn abandon(&self) {
        self.next.store(self.chunks, Relaxed);
    }
}

/// What the caller and the helpers share.
struct Shared {
    /// The job being run, or null.
    job: AtomicPtr<Job<'static>>,
    /// Bumped for each job: a helper joins each job it sees once.
    epoch: AtomicUsize,
    /// Helpers that may be reading `job`. A helper counts itself in before it loads `job`, and the
    /// caller returns only once `job` is null and the count is zero, so no helper ever reads a
    /// job whose caller has returned.
    users: AtomicUsize,
    /// Bumped to make spinning helpers park at once (another pool is about to use the cores).
    rest: AtomicUsize,
    /// Tells the helpers to exit.
    exit: AtomicBool,
    /// Whether idle helpers spin at all (not when there are more threads than cores).
    spin: bool,
}

/// The helpers of one thread count; the caller is the team's other member.
pub(super) struct Team {
    shared: Arc<Shared>,
    helpers: Vec<Thread>,
    /// One job at a time: a second caller meanwhile runs its kernel on its own thread.
    busy: Mutex<()>,
}

impl Team {
    /// Starts `threads - 1` helpers; `None` if the system refuses a thread.
    pub(super) fn new(threads: usize) -> Option<Team> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let shared = Arc::new(Shared {
            job: AtomicPtr::new(ptr::null_mut()),
            epoch: AtomicUsize::new(0),
            users: AtomicUsize::new(0),
            rest: AtomicUsize::new(0),
            exit: AtomicBool::new(false),
            spin: threads <= cores,
        });
        let mut helpers = Vec::with_capacity(threads.saturating_sub(1));
        for i in 1..threads {
            let s = shared.clone();
            let handle = std::thread::Builder::new()
                .name(format!("rtensor-{i}"))
                .spawn(move || help(&s));
            match handle {
                Ok(h) => helpers.push(h.thread().clone()),
                Err(_) => {
                    // Dropping what was built tells the helpers started so far to exit.
                    drop(Team {
                        shared,
                        helpers,
                        busy: Mutex::new(()),
                    });
                    return None;
                }
            }
        }
        Some(Team {
            shared,
            helpers,
            busy: Mutex::new(()),
        })
    }

    /// The team's thread count, the caller included.
    pub(super) fn threads(&self) -> usize {
        self.helpers.len() + 1
    }

    /// Runs `f(i)` for every `i` in `0..chunks` on the caller and the helpers; on the caller
    /// alone when called from inside a job or while another caller's job runs. A panic in any
    /// chunk is raised on the caller once no helper is still working.
    pub(super) fn run(&self, chunks: usize, f: &(dyn Fn(usize) + Sync)) {
        let guard = match self.busy.try_lock() {
            Ok(g) if !IN_JOB.get() => g,
            _ => return (0..chunks).for_each(f),
        };
        let job = Job {
            run: f,
            chunks,
            next: AtomicUsize::new(0),
            threads: self.threads(),
            panicked: AtomicBool::new(false),
        };
        let s = &*self.shared;
        // The pointer is withdrawn, and every helper has stopped using it, before `job` dies.
        s.job.store(&job as *const Job as *mut Job<'static>, SeqCst);
        s.epoch.fetch_add(1, SeqCst);
        for h in &self.helpers {
            h.unpark();
        }
        IN_JOB.set(true);
        let mine = catch_unwind(AssertUnwindSafe(|| job.work()));
        IN_JOB.set(false);
        if mine.is_err() {
            job.abandon();
        }
        s.job.store(ptr::null_mut(), SeqCst);
        while s.users.load(SeqCst) != 0 {
            std::hint::spin_loop();
        }
        drop(guard);
        if let Err(payload) = mine {
            resume_unwind(payload);
        }
        if job.panicked.load(Relaxed) {
            panic!("a kernel panicked on one of rtensor's helper threads");
        }
    }

    /// Makes spinning helpers park now: another pool (gemm's) is about to use the cores.
    pub(super) fn rest(&self) {
        self.shared.rest.fetch_add(1, Relaxed);
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        self.shared.exit.store(true, SeqCst);
        for h in &self.helpers {
            h.unpark();
        }
    }
}

/// A helper's life: wait for a job, help with it, and again, until told to exit.
fn help(s: &Shared) {
    IN_JOB.set(true);
    // Not the epoch now: a job published while this thread was starting must not be missed.
    let mut seen = 0;
    loop {
        if !wait_for_job(s, &mut seen) {
            return;
        }
        s.users.fetch_add(1, SeqCst);
        let p = s.job.load(SeqCst);
        if !p.is_null() {
            // SAFETY: counted in `users` before `job` was loaded, so the caller still waits.
            let job = unsafe { &*p };
            if catch_unwind(AssertUnwindSafe(|| job.work())).is_err() {
                job.panicked.store(true, Relaxed);
                job.abandon();
            }
        }
        s.users.fetch_sub(1, SeqCst);
    }
}

/// Spins (for [`SPIN`], unless told to rest) and then parks until the epoch moves past `seen`,
/// which it updates; false when the team is exiting.
fn wait_for_job(s: &Shared, seen: &mut usize) -> bool {
    let mut spin_from = (Instant::now(), s.rest.load(Relaxed));
    let mut spins = 0u32;
    loop {
        if s.exit.load(Acquire) {
            return false;
        }
        let e = s.epoch.load(Acquire);
        if e != *seen {
            *seen = e;
            return true;
        }
        let spinning = s.spin && s.rest.load(Relaxed) == spin_from.1;
        if spinning && (spins < SPINS_PER_CLOCK_READ || spin_from.0.elapsed() < SPIN) {
            spins = if spins < SPINS_PER_CLOCK_READ {
                spins + 1
            } else {
                0
            };
            std::hint::spin_loop();
            continue;
        }
        // A job published before this park left an unpark token: park returns at once.
        std::thread::park();
        spin_from = (Instant::now(), s.rest.load(Relaxed));
        spins = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::atomic::AtomicU64;

    /// Runs `chunks` chunks on `team`, each adding `i + 1`; returns the total.
    fn total(team: &Team, chunks: usize) -> u64 {
        let sum = AtomicU64::new(0);
        team.run(chunks, &|i| {
            sum.fetch_add(i as u64 + 1, Relaxed);
        });
        sum.into_inner()
    }

    #[test]
    fn every_chunk_runs_once_job_after_job() {
        let team = Team::new(3).unwrap();
        for chunks in (0..3000).map(|k| k % 97) {
            assert_eq!(total(&team, chunks), (chunks * (chunks + 1) / 2) as u64);
        }
    }

    #[test]
    fn helpers_take_part() {
        let team = Team::new(2).unwrap();
        let seen = Mutex::new(HashSet::new());
        team.run(40, &|_| {
            seen.lock().unwrap().insert(std::thread::current().id());
            std::thread::sleep(Duration::from_millis(2));
        });
        assert_eq!(seen.into_inner().unwrap().len(), 2);
    }

    #[test]
    fn a_job_started_inside_a_job_runs_on_its_thread() {
        let team = Team::new(2).unwrap();
        let sum = AtomicU64::new(0);
        team.run(8, &|_| {
            sum.fetch_add(total(&team, 10), Relaxed);
        });
        assert_eq!(sum.into_inner(), 8 * 55);
    }

    #[test]
    fn several_callers_share_a_team() {
        let team = Arc::new(Team::new(2).unwrap());
        let callers: Vec<_> = (0..4)
            .map(|_| {
                let team = team.clone();
                std::thread::spawn(move || {
                    (0..300).all(|k| total(&team, k % 50) == (k % 50 * (k % 50 + 1) / 2) as u64)
                })
            })
            .collect();
        assert!(callers.into_iter().all(|c| c.join().unwrap()));
    }

    #[test]
    fn a_panicking_chunk_panics_the_caller_and_the_team_goes_on() {
        let team = Team::new(2).unwrap();
        for bad in [0, 5, 39] {
            let r = catch_unwind(AssertUnwindSafe(|| {
                team.run(40, &|i| {
                    std::thread::sleep(Duration::from_micros(200));
                    assert!(i != bad, "chunk {i} fails");
                })
            }));
            assert!(r.is_err());
            assert_eq!(total(&team, 64), 64 * 65 / 2);
        }
    }

    #[test]
    fn dropping_the_team_ends_its_helpers() {
        let team = Team::new(3).unwrap();
        let shared = Arc::downgrade(&team.shared);
        assert_eq!(total(&team, 10), 55);
        drop(team);
        let deadline = Instant::now() + Duration::from_secs(10);
        while shared.strong_count() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(shared.strong_count(), 0);
    }
}
