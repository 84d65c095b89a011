//! Storage: one buffer of bytes shared by every view of it through `Arc`, with the version counter
//! that all those views (and `detach()` aliases) share. The buffer is either allocated here or
//! borrowed from another library (numpy, DLPack) whose owner is kept alive until the storage drops.

use crate::error::{Error, Result};
use std::alloc::{self, Layout as AllocLayout};
use std::any::Any;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

/// Alignment of every buffer allocated here (a cache line, enough for AVX-512 loads).
const ALIGN: usize = 64;
/// Buffers at least this large are mapped from the OS and use transparent huge pages.
const HUGE_PAGE: usize = 2 << 20;

/// Who frees the buffer.
enum Owner {
    /// Allocated by us with this layout (none for a zero-byte buffer).
    Allocated(Option<AllocLayout>),
    /// Mapped by us from the OS (big buffers): already zero, faulted in lazily, unmapped on drop.
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
}

// The buffer is plain memory; concurrent access follows the same rules as torch's storages.
unsafe impl Send for Storage {}
unsafe impl Sync for Storage {}

fn out_of_memory(nbytes: usize) -> Error {
    Error::OutOfMemory(format!(
        "DefaultCPUAllocator: not enough memory: you tried to allocate {} bytes.",
        nbytes
    ))
}

impl Storage {
    fn allocate(nbytes: usize, zeroed: bool) -> Result<Storage> {
        if nbytes == 0 {
            return Ok(Storage {
                ptr: NonNull::<u64>::dangling().cast(),
                nbytes: 0,
                owner: Owner::Allocated(None),
                version: AtomicU64::new(0),
            });
        }
        if nbytes >= HUGE_PAGE {
            return Storage::map(nbytes);
        }
        // Small buffers take malloc's natural alignment: an aligned allocation costs more than the
        // whole of a 2x2 add.
        let align = if nbytes >= 1024 { ALIGN } else { 16 };
        let layout =
            AllocLayout::from_size_align(nbytes, align).map_err(|_| out_of_memory(nbytes))?;
        // SAFETY: the layout has a nonzero size.
        let raw = unsafe {
            if zeroed {
                alloc::alloc_zeroed(layout)
            } else {
                alloc::alloc(layout)
            }
        };
        let ptr = NonNull::new(raw).ok_or_else(|| out_of_memory(nbytes))?;
        Ok(Storage {
            ptr,
            nbytes,
            owner: Owner::Allocated(Some(layout)),
            version: AtomicU64::new(0),
        })
    }

    /// Maps fresh zero pages from the OS and asks for transparent huge pages: nothing is written
    /// until a kernel first touches the memory (in parallel), and a 64 MB buffer faults 32 times
    /// instead of 16,384.
    fn map(nbytes: usize) -> Result<Storage> {
        // SAFETY: an anonymous private mapping; checked for failure below.
        let raw = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                nbytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            return Err(out_of_memory(nbytes));
        }
        // SAFETY: advice on memory we own; failure only means no huge pages.
        unsafe { libc::madvise(raw, nbytes, libc::MADV_HUGEPAGE) };
        Ok(Storage {
            ptr: NonNull::new(raw as *mut u8).ok_or_else(|| out_of_memory(nbytes))?,
            nbytes,
            owner: Owner::Mapped,
            version: AtomicU64::new(0),
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
        }
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
            // SAFETY: allocated in `allocate` with exactly this layout.
            Owner::Allocated(Some(layout)) => unsafe { alloc::dealloc(self.ptr.as_ptr(), layout) },
            // SAFETY: mapped in `map` with exactly this length.
            Owner::Mapped => unsafe {
                libc::munmap(self.ptr.as_ptr() as *mut libc::c_void, self.nbytes);
            },
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
        assert_eq!(unsafe { *s.ptr().add(12345) }, 0);
        s.bump_version();
        assert_eq!(s.version(), 1);
        assert_eq!(Storage::uninit(0).unwrap().nbytes(), 0);
        assert!(matches!(
            Storage::uninit(usize::MAX / 2),
            Err(Error::OutOfMemory(_))
        ));
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
        // SAFETY: `buf` outlives the storage.
        let s = Arc::new(unsafe {
            Storage::borrowed(buf.as_mut_ptr(), 64, Box::new(CountDrops(drops.clone())))
        });
        let shares: Vec<_> = (0..4).map(|_| s.clone()).collect();
        drop(s);
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        assert_eq!(unsafe { *shares[3].ptr().add(63) }, 7);
        drop(shares);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        // A null foreign pointer (a zero-size export) is replaced by a dangling, aligned one.
        let empty = unsafe { Storage::borrowed(std::ptr::null_mut(), 0, Box::new(())) };
        assert!(!empty.ptr().is_null());
    }

    #[test]
    fn mapped_buffers_are_zero_and_writable_to_the_last_byte() {
        let n = (3 << 20) + 5;
        let s = Storage::zeroed(n).unwrap();
        let all = unsafe { std::slice::from_raw_parts_mut(s.ptr(), n) };
        assert!(all.iter().all(|&b| b == 0));
        all[n - 1] = 1;
        assert_eq!(unsafe { *s.ptr().add(n - 1) }, 1);
        assert_eq!(s.ptr() as usize % ALIGN, 0);
    }
}
