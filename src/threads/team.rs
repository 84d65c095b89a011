//! A team of helper threads that run chunked kernels together with the calling thread.
//!
//! Between jobs the helpers spin for [`SPIN`] before they park. A kernel called from Python a few
//! microseconds after the last one therefore finds them awake: handing it to them costs an atomic
//! store, where waking sleeping threads (as rayon's pool does after each job) costs 10-30 µs on
//! this virtual machine, more than a thread takes to sum a million float32. The caller works on the
//! job too and hands out chunks in shrinking batches, so a helper that wakes late only takes what
//! is left. Chunk boundaries are the kernel's: who runs a chunk never changes what it computes.

use std::any::Any;
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
    /// The first panic of a chunk run on a helper, raised again on the caller.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
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
    /// The epoch after which idle helpers are to park at once rather than spin (another pool is
    /// about to use the cores); `usize::MAX` when none is.
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
            rest: AtomicUsize::new(usize::MAX),
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
            panic: Mutex::new(None),
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
        let mut spins = 0u32;
        while s.users.load(SeqCst) != 0 {
            // Helpers finish a chunk or two; with more threads than cores, let them run.
            if spins < SPINS_PER_CLOCK_READ {
                spins += 1;
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        drop(guard);
        let theirs = job.panic.into_inner().ok().flatten();
        if let Some(payload) = mine.err().or(theirs) {
            resume_unwind(payload);
        }
    }

    /// Makes spinning helpers park now, until the next job: another pool (gemm's) is about to
    /// use the cores.
    pub(super) fn rest(&self) {
        self.shared
            .rest
            .store(self.shared.epoch.load(SeqCst), Relaxed);
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
    while wait_for_job(s, &mut seen) {
        let _user = User::count_in(s);
        let p = s.job.load(SeqCst);
        if !p.is_null() {
            // SAFETY: `p` points to the `Job` on `run`'s stack. This thread was counted in `users`
            // before it loaded `job` (both SeqCst), and `run` clears `job` and then waits for
            // `users` to reach 0 before `job` is dropped; so the job outlives `_user`, which
            // outlives this reference. A `Job` is only read through `&` (atomics and a mutex).
            let job = unsafe { &*p };
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| job.work())) {
                job.abandon();
                if let Ok(mut first) = job.panic.lock() {
                    first.get_or_insert(payload);
                }
            }
        }
    }
}

/// A helper counted in [`Shared::users`]; counted out when dropped, even by an unwinding panic
/// (the caller would otherwise wait forever).
struct User<'a>(&'a Shared);

impl<'a> User<'a> {
    fn count_in(s: &'a Shared) -> User<'a> {
        s.users.fetch_add(1, SeqCst);
        User(s)
    }
}

impl Drop for User<'_> {
    fn drop(&mut self) {
        self.0.users.fetch_sub(1, SeqCst);
    }
}

/// Spins for [`SPIN`] (unless told to rest) and then parks until the epoch moves past `seen`,
/// which it updates; false when the team is exiting. Once parked it parks again on every
/// wake-up without a new job: callers unpark spinning helpers too, so a stale wake-up is common
/// and must not start a new spin.
fn wait_for_job(s: &Shared, seen: &mut usize) -> bool {
    let start = Instant::now();
    let (mut spins, mut parked) = (0u32, false);
    loop {
        if s.exit.load(Acquire) {
            return false;
        }
        let e = s.epoch.load(Acquire);
        if e != *seen {
            *seen = e;
            return true;
        }
        let spinning = s.spin && !parked && s.rest.load(Relaxed) != *seen;
        if spinning && (spins < SPINS_PER_CLOCK_READ || start.elapsed() < SPIN) {
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
        parked = true;
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

    /// The schedstat file of one of `team`'s helpers (Linux): its first field is the CPU time
    /// the thread has used, in ns.
    fn a_helpers_schedstat(team: &Team) -> std::path::PathBuf {
        let me = std::thread::current().id();
        let helper = Mutex::new(None);
        while helper.lock().unwrap().is_none() {
            team.run(64, &|_| {
                if std::thread::current().id() != me {
                    *helper.lock().unwrap() = std::fs::read_link("/proc/thread-self").ok();
                }
                std::thread::sleep(Duration::from_micros(100));
            });
        }
        let link = helper.into_inner().unwrap().unwrap();
        std::path::Path::new("/proc").join(link).join("schedstat")
    }

    fn cpu_ns(schedstat: &std::path::Path) -> u64 {
        let text = std::fs::read_to_string(schedstat).unwrap();
        text.split_whitespace().next().unwrap().parse().unwrap()
    }

    /// The median CPU time (µs) a helper uses in the 3 ms after `before_rest` and `rest()`.
    fn spin_after_rest(before_rest: impl Fn(&Team)) -> u64 {
        let team = Team::new(2).unwrap();
        let stat = a_helpers_schedstat(&team);
        let mut spun: Vec<u64> = (0..7)
            .map(|_| {
                before_rest(&team);
                team.rest();
                let before = cpu_ns(&stat);
                std::thread::sleep(Duration::from_millis(3));
                (cpu_ns(&stat) - before) / 1000
            })
            .collect();
        spun.sort();
        spun[3]
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn rest_parks_helpers_that_just_ran_a_job() {
        // Jobs published while the helper spins leave it a stale unpark token.
        let spun = spin_after_rest(|team| {
            total(team, 8);
            total(team, 8);
        });
        assert!(spun < 150, "a resting helper kept spinning: {spun} µs");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn rest_parks_helpers_that_wake_after_it() {
        // The helper is parked; the caller finishes the job before it wakes.
        let spun = spin_after_rest(|team| {
            std::thread::sleep(Duration::from_millis(2));
            total(team, 8);
        });
        assert!(spun < 150, "a helper that woke after rest() spun {spun} µs");
    }

    #[test]
    fn a_helpers_panic_reaches_the_caller_with_its_message() {
        let team = Team::new(2).unwrap();
        let me = std::thread::current().id();
        let r = catch_unwind(AssertUnwindSafe(|| {
            team.run(40, &|i| {
                std::thread::sleep(Duration::from_micros(300));
                if std::thread::current().id() != me {
                    panic!("chunk {i} failed on a helper");
                }
            })
        }));
        let payload = r.unwrap_err();
        let message = payload.downcast_ref::<String>().unwrap();
        assert!(message.ends_with("failed on a helper"), "{message}");
    }
}
