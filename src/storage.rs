//! Storage: one buffer of bytes shared by every view of it through `Arc`, with the version counter
//! that all those views (and `detach()` aliases) share. The buffer is either allocated here or
//! borrowed from another library (numpy, DLPack) whose owner is kept alive until the storage drops.

use crate::error::{Error, Result};
use crate::mapping::{self, HUGE_PAGE};
use std::alloc::{self, Layout as AllocLayout};
use std::any::Any;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Alignment of every buffer allocated here (a cache line, enough for AVX-512 loads).
const ALIGN: usize = 64;

/// Who frees the buffer.
enum Owner {
    /// Allocated by us with this layout (none for a zero-byte buffer).
    Allocated(Option<AllocLayout>),
    /// Mapped by us from the OS (big buffers), given back to [`mapping`] on drop.
    Mapped,
    /// Borrowed; dropping the box releases the foreign owner (a numpy array, a DLPack capsule).
    Foreign(#[allow(dead_code)] Box<dyn Any + Send + Sync>),
}

/// A shared, interior-mutable byte buffer. Kernels read and write it through raw pointers;
/// the `Arc` around it is what views share.
pub struct Storage {
    ptr: NonNull<u8>,
    nbytes: usize,
    owner: Owner,
    version: AtomicU64,
    /// False for memory borrowed read-only (a non-writable numpy array): in-place ops refuse to
    /// write it instead of faulting on a read-only page.
    writable: bool,
    /// Made in inference mode (`rtensor.inference_mode`): autograd refuses it outside that mode.
    inference: bool,
}

thread_local! {
    static INFERENCE_MODE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread is in inference mode: new buffers are then inference storage.
pub fn is_inference_mode() -> bool {
    INFERENCE_MODE.with(std::cell::Cell::get)
}

/// Turns inference mode on or off for this thread; returns the previous setting.
pub fn set_inference_mode(enabled: bool) -> bool {
    INFERENCE_MODE.with(|m| m.replace(enabled))
}

// SAFETY: `Storage` is not auto-Send only because of the `NonNull<u8>`. The buffer it points to
// is owned by the storage itself (allocated or mapped here) or kept alive by `owner`, which is
// `Send + Sync`; it is freed in `drop` from whichever thread drops the last `Arc`, which
// `dealloc`/`munmap` allow. No field is tied to the creating thread.
unsafe impl Send for Storage {}
// SAFETY: `&Storage` only hands out the buffer's address (`ptr`), its size and an atomic version
// counter. Reading and writing elements through that address is unsafe code in the kernels, each
// of which splits its writes into disjoint parts per thread (and checks operands for overlap, see
// `kernels::engine::check_operands`), as torch's storages are shared between threads.
unsafe impl Sync for Storage {}

/// Torch's out-of-memory error for an allocation of `nbytes` (wider than `usize`, so that a count
/// of items times their size can be reported even when it overflows).
pub fn out_of_memory(nbytes: impl Into<u128>) -> Error {
    let nbytes: u128 = nbytes.into();
    Error::OutOfMemory(format!(
        "[enforce fail at alloc_cpu.cpp] . DefaultCPUAllocator: not enough memory: you tried to allocate {} bytes.",
        nbytes
    ))
}

/// Physical memory plus swap, in bytes (`usize::MAX` when the OS does not say).
fn machine_memory() -> usize {
    static MEMORY: OnceLock<usize> = OnceLock::new();
    *MEMORY.get_or_init(|| {
        // SAFETY: `libc::sysinfo` is a C struct of integers (and padding), for which all-zero
        // bytes are a valid value.
        let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a live, exclusively borrowed `struct sysinfo` of the size the call
        // expects; sysinfo(2) only fills it in and keeps no pointer to it.
        if unsafe { libc::sysinfo(&mut info) } != 0 {
            return usize::MAX;
        }
        let unit = (info.mem_unit as usize).max(1);
        (info.totalram as usize)
            .saturating_add(info.totalswap as usize)
            .saturating_mul(unit)
    })
}

/// Fails with torch's out-of-memory error when `count` items of `item_bytes` each are more than
/// this machine has, whatever the kernel's overcommit policy would promise: a buffer that can
/// never be backed would only get the process killed when it is first written.
pub fn check_allocatable(count: usize, item_bytes: usize) -> Result<()> {
    let nbytes = count as u128 * item_bytes as u128;
    if nbytes > machine_memory() as u128 || nbytes > isize::MAX as u128 {
        return Err(out_of_memory(nbytes));
    }
    Ok(())
}

/// An empty vector with room for `n` items, or torch's out-of-memory error instead of the abort
/// that an infallible `Vec` allocation ends in. For every vector whose length the user chooses
/// (a tensor's elements, a list of pieces).
pub fn try_vec<T>(n: usize) -> Result<Vec<T>> {
    let item = std::mem::size_of::<T>().max(1);
    check_allocatable(n, item)?;
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| out_of_memory(n as u128 * item as u128))?;
    Ok(v)
}

/// Collects an iterator of known length `n` into a vector allocated with [`try_vec`].
pub fn try_collect<T>(n: usize, items: impl IntoIterator<Item = T>) -> Result<Vec<T>> {
    let mut v = try_vec(n)?;
    v.extend(items);
    Ok(v)
}

impl Storage {
    fn allocate(nbytes: usize, zeroed: bool) -> Result<Storage> {
        if nbytes == 0 {
            return Ok(Storage {
                ptr: NonNull::<u64>::dangling().cast(),
                nbytes: 0,
                owner: Owner::Allocated(None),
                version: AtomicU64::new(0),
                writable: true,
                inference: is_inference_mode(),
            });
        }
        check_allocatable(nbytes, 1)?;
        // Big buffers are mapped with huge pages (and reused: see `mapping`).
        if nbytes >= HUGE_PAGE {
            return Storage::map(nbytes, zeroed);
        }
        // Small buffers take malloc's natural alignment: an aligned allocation costs more than the
        // whole of a 2x2 add.
        let align = if nbytes >= 1024 { ALIGN } else { 16 };
        let layout = AllocLayout::from_size_align(nbytes, align)
            .map_err(|_| out_of_memory(nbytes as u128))?;
        // SAFETY: `nbytes > 0` here (the zero case returned above), so `layout` has the nonzero
        // size `alloc`/`alloc_zeroed` require; a null result is turned into an error just below.
        let raw = unsafe {
            if zeroed {
                alloc::alloc_zeroed(layout)
            } else {
                alloc::alloc(layout)
            }
        };
        let ptr = NonNull::new(raw).ok_or_else(|| out_of_memory(nbytes as u128))?;
        Ok(Storage {
            ptr,
            nbytes,
            owner: Owner::Allocated(Some(layout)),
            version: AtomicU64::new(0),
            writable: true,
            inference: is_inference_mode(),
        })
    }

    /// A buffer mapped from the OS with transparent huge pages (see [`mapping`]): a fresh one is
    /// zero and faulted in lazily, by the kernel that first writes it (in parallel), and a 64 MB
    /// buffer faults 32 times instead of 16,384.
    fn map(nbytes: usize, zeroed: bool) -> Result<Storage> {
        let raw = mapping::map(nbytes, zeroed);
        Ok(Storage {
            ptr: NonNull::new(raw).ok_or_else(|| out_of_memory(nbytes as u128))?,
            nbytes,
            owner: Owner::Mapped,
            version: AtomicU64::new(0),
            writable: true,
            inference: is_inference_mode(),
        })
    }

    /// A new buffer whose contents are unspecified (every kernel writes all of it).
    pub fn uninit(nbytes: usize) -> Result<Storage> {
        Storage::allocate(nbytes, false)
    }

    /// A new zero-filled buffer (lazily zeroed pages from the OS for big sizes).
    pub fn zeroed(nbytes: usize) -> Result<Storage> {
        Storage::allocate(nbytes, true)
    }

    /// Wraps foreign memory; `owner` is dropped when the storage is.
    ///
    /// # Safety
    /// `ptr` must be valid for reads and writes of `nbytes` bytes while `owner` lives.
    pub unsafe fn borrowed(
        ptr: *mut u8,
        nbytes: usize,
        owner: Box<dyn Any + Send + Sync>,
    ) -> Storage {
        Storage {
            ptr: NonNull::new(ptr).unwrap_or(NonNull::<u64>::dangling().cast()),
            nbytes,
            owner: Owner::Foreign(owner),
            version: AtomicU64::new(0),
            writable: true,
            inference: is_inference_mode(),
        }
    }

    /// The same storage, marked read-only (for memory its owner does not let us write).
    pub fn read_only(mut self) -> Storage {
        self.writable = false;
        self
    }

    /// False when in-place ops must not write this memory.
    pub fn is_writable(&self) -> bool {
        self.writable
    }

    /// True for memory made in inference mode.
    pub fn is_inference(&self) -> bool {
        self.inference
    }

    /// Address of the first byte.
    pub fn ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Size in bytes.
    pub fn nbytes(&self) -> usize {
        self.nbytes
    }

    /// The version counter: bumped by every in-place write through any view.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    /// Records one in-place write.
    pub fn bump_version(&self) {
        self.version.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        match self.owner {
            // SAFETY: `Owner::Allocated(Some(layout))` is only built in `allocate`, around the
            // pointer `alloc` returned for exactly `layout`; `drop` runs once, so it is freed once.
            Owner::Allocated(Some(layout)) => unsafe { alloc::dealloc(self.ptr.as_ptr(), layout) },
            // SAFETY: `Owner::Mapped` is only built in `map`, around the pointer `mapping::map`
            // returned for exactly `self.nbytes` bytes; `drop` runs once, so it is unmapped once.
            Owner::Mapped => unsafe { mapping::unmap(self.ptr.as_ptr(), self.nbytes) },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_and_version() {
        let s = Storage::zeroed(4 << 20).unwrap();
        // SAFETY: byte 12345 is inside the 4 MiB buffer, which `s` keeps alive.
        assert_eq!(unsafe { *s.ptr().add(12345) }, 0);
        s.bump_version();
        assert_eq!(s.version(), 1);
        assert_eq!(Storage::uninit(0).unwrap().nbytes(), 0);
        assert!(matches!(
            Storage::uninit(usize::MAX / 2),
            Err(Error::OutOfMemory(_))
        ));
        // More than the machine has: an error, even where the kernel would overcommit.
        let e = Storage::zeroed(1 << 50).err().unwrap();
        assert!(e
            .to_string()
            .contains("not enough memory: you tried to allocate 1125899906842624 bytes."));
        assert!(try_vec::<u64>(1 << 50).is_err());
        assert_eq!(try_collect(3, 0..3).unwrap(), vec![0, 1, 2]);
    }

    /// Counts drops of a borrowed buffer's owner.
    struct CountDrops(std::sync::Arc<std::sync::atomic::AtomicUsize>);
    impl Drop for CountDrops {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn borrowed_owner_lives_as_long_as_the_last_share_and_drops_once() {
        use std::sync::atomic::AtomicUsize;
        use std::sync::Arc;
        let drops = Arc::new(AtomicUsize::new(0));
        let mut buf = vec![7u8; 64];
        // SAFETY: `buf` holds 64 bytes and outlives the storage and every clone of it (all are
        // dropped below, before `buf`).
        let s = Arc::new(unsafe {
            Storage::borrowed(buf.as_mut_ptr(), 64, Box::new(CountDrops(drops.clone())))
        });
        let shares: Vec<_> = (0..4).map(|_| s.clone()).collect();
        drop(s);
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        // SAFETY: byte 63 is the last of the 64 borrowed bytes; `buf` is still alive.
        assert_eq!(unsafe { *shares[3].ptr().add(63) }, 7);
        drop(shares);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        // A null foreign pointer (a zero-size export) is replaced by a dangling, aligned one.
        // SAFETY: zero bytes are valid at any address, null included; nothing is read.
        let empty = unsafe { Storage::borrowed(std::ptr::null_mut(), 0, Box::new(())) };
        assert!(!empty.ptr().is_null());
    }

    #[test]
    fn mapped_buffers_are_zero_and_writable_to_the_last_byte() {
        let n = (3 << 20) + 5;
        let s = Storage::zeroed(n).unwrap();
        // SAFETY: the mapping is `n` bytes, zero-initialised, kept alive by `s`, and this slice is
        // the only reference to it while it lives (the later read is through `s.ptr()` after it).
        let all = unsafe { std::slice::from_raw_parts_mut(s.ptr(), n) };
        assert!(all.iter().all(|&b| b == 0));
        all[n - 1] = 1;
        // SAFETY: byte `n - 1` is the buffer's last; `all` is not used after this.
        assert_eq!(unsafe { *s.ptr().add(n - 1) }, 1);
        assert_eq!(s.ptr() as usize % ALIGN, 0);
    }
}
