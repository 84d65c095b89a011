//! Big buffers mapped from the OS with transparent huge pages, and a small cache of freed ones.
//!
//! A fresh mapping costs its page faults on first touch: an elementwise op on 512K float32 spent
//! half its time faulting in its 2 MiB output (82 µs against numpy's and torch's 42, whose malloc
//! hands back the block just freed). So unmapped buffers below [`CACHE_BELOW`] are kept, up to
//! [`CACHE_BYTES`] in all, and an uninitialised request of the same (rounded) size reuses one,
//! faulted in and huge-paged already. Bigger buffers are returned to the OS at once, as torch
//! does: nobody expects a freed 64 MB tensor to stay resident.

use std::sync::Mutex;

/// Mappings are rounded up to whole huge pages, so that sizes match when buffers are reused.
pub const HUGE_PAGE: usize = 2 << 20;
/// Freed mappings smaller than this are kept for reuse.
const CACHE_BELOW: usize = 32 << 20;
/// The most bytes the cache keeps (about what glibc's malloc keeps of freed blocks).
const CACHE_BYTES: usize = 64 << 20;

/// Freed mappings kept for reuse: (address, length), the most recently freed last.
struct Cache {
    free: Vec<(usize, usize)>,
    bytes: usize,
}

static CACHE: Mutex<Cache> = Mutex::new(Cache {
    free: Vec::new(),
    bytes: 0,
});

/// The length mapped for a buffer of `nbytes`.
pub fn mapped_len(nbytes: usize) -> usize {
    nbytes.div_ceil(HUGE_PAGE) * HUGE_PAGE
}

/// A mapping of [`mapped_len`]`(nbytes)` bytes, zero-filled when `zeroed` (a reused one is not
/// zero otherwise); null if the OS refuses.
pub fn map(nbytes: usize, zeroed: bool) -> *mut u8 {
    let len = mapped_len(nbytes);
    if !zeroed && len < CACHE_BELOW {
        if let Some(p) = take_cached(len) {
            return p;
        }
    }
    // SAFETY: a new anonymous private mapping at an address the kernel chooses (null hint, no
    // file descriptor): it cannot alias any memory Rust already uses. MAP_FAILED is checked below.
    let raw = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if raw == libc::MAP_FAILED {
        return std::ptr::null_mut();
    }
    // Huge pages for the buffer's whole huge pages only: a last, partial one would fault in 2 MiB
    // for a few bytes (100 buffers of 2 MiB + 4 KiB took 400 MiB). The rest keeps small pages.
    let head = nbytes / HUGE_PAGE * HUGE_PAGE;
    // SAFETY: `raw..raw + len` is the mapping just made and owned by nobody else yet;
    // `head <= nbytes <= len`, so both ranges lie inside it. madvise only changes the page size
    // backing them (contents are kept), and a failure only means other page sizes.
    unsafe {
        libc::madvise(raw, head, libc::MADV_HUGEPAGE);
        libc::madvise(
            raw.cast::<u8>().add(head).cast(),
            len - head,
            libc::MADV_NOHUGEPAGE,
        );
    }
    raw as *mut u8
}

/// Gives back a mapping made by [`map`] for a buffer of `nbytes`: kept for reuse, or unmapped.
///
/// # Safety
/// `p` must come from `map(nbytes, _)` (a `nbytes` with the same [`mapped_len`] will do), must
/// not have been given back already, and neither it nor any pointer into its mapping may be used
/// afterwards: the mapping is unmapped or handed to the next [`map`] of its size.
pub unsafe fn unmap(p: *mut u8, nbytes: usize) {
    let len = mapped_len(nbytes);
    let mut evicted = Vec::new();
    let kept = len < CACHE_BELOW && {
        // try_lock: never wait (a forked child may inherit the lock held); unmap instead.
        match CACHE.try_lock() {
            Ok(mut c) => {
                while c.bytes + len > CACHE_BYTES && !c.free.is_empty() {
                    let (q, qlen) = c.free.remove(0);
                    c.bytes -= qlen;
                    evicted.push((q, qlen));
                }
                c.free.push((p as usize, len));
                c.bytes += len;
                true
            }
            Err(_) => false,
        }
    };
    if !kept {
        evicted.push((p as usize, len));
    }
    for (q, qlen) in evicted {
        libc::munmap(q as *mut libc::c_void, qlen);
    }
}

/// A cached mapping of exactly `len` bytes (the most recently freed one), if there is one.
fn take_cached(len: usize) -> Option<*mut u8> {
    let mut c = CACHE.try_lock().ok()?;
    let at = c.free.iter().rposition(|&(_, l)| l == len)?;
    let (p, _) = c.free.remove(at);
    c.bytes -= len;
    Some(p as *mut u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_mapping_is_reused_for_the_same_size_only_when_uninitialised() {
        let n = (3 << 20) + 5;
        let p = map(n, false);
        assert!(!p.is_null());
        // SAFETY: byte `n - 1` lies inside the `mapped_len(n)`-byte mapping `p`.
        unsafe { p.add(n - 1).write(7) };
        // SAFETY: `p` came from `map(n, _)` and is not used after this (only compared by address).
        unsafe { unmap(p, n) };
        // The same rounded size takes it back (tests run in parallel: another test may too).
        let q = map(mapped_len(n) - 1, false);
        if q == p {
            // SAFETY: `q` is a live mapping of `mapped_len(n)` bytes, so byte `n - 1` is in it.
            assert_eq!(unsafe { *q.add(n - 1) }, 7);
        }
        // SAFETY: `q` came from `map(mapped_len(n) - 1, _)` and is not used after this.
        unsafe { unmap(q, mapped_len(n) - 1) };
        // A zeroed request never gets a used buffer.
        let z = map(n, true);
        // SAFETY: `z` is a live, zero-filled mapping of at least `n` bytes that nothing writes
        // while the slice lives.
        assert!(unsafe { std::slice::from_raw_parts(z, n) }
            .iter()
            .all(|&b| b == 0));
        // SAFETY: `z` came from `map(n, true)`; the slice above is gone.
        unsafe { unmap(z, n) };
    }

    #[test]
    fn the_cache_keeps_at_most_its_budget() {
        let n = 8 << 20;
        let ps: Vec<_> = (0..12).map(|_| map(n, false)).collect();
        for p in ps {
            // SAFETY: each `p` came from `map(n, false)` and is given back once, then dropped.
            unsafe { unmap(p, n) };
        }
        assert!(CACHE.lock().unwrap().bytes <= CACHE_BYTES);
    }
}
