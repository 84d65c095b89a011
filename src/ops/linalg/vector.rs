//! The memory-bound products `dot` and `mv`: each element of the big operand is read once, the
//! work is split in fixed chunks on the thread pool, and partials meet in chunk order, so the
//! result does not depend on the thread count.
//!
//! float32 products are summed in float32 over short blocks of [`BLOCK`] elements (32 lanes of 32
//! terms, as BLAS does) and the block sums in float64, which keeps the kernel at memory speed
//! while the error stays that of a 64-term float32 sum. Integers wrap as torch's do.

use crate::dtype::Element;
use crate::prefetch::prefetch_span;
use crate::strided::SendPtr;
use crate::threads;

/// Elements of one short-accumulator block.
const BLOCK: usize = 1024;
/// Independent accumulators in a block: four AVX2 registers of float32, to hide add latency.
const LANES: usize = 32;
/// Elements per parallel chunk of `dot`.
const DOT_CHUNK: usize = 1 << 16;
/// Matrix elements per parallel chunk of `mv`.
const MV_CHUNK: usize = 1 << 15;
/// How far ahead of the streamed operand's reads `mv` prefetches, in bytes: 12 KiB made 4096²
/// `mv` 0.72 of its time with 4 KiB at 2 threads and 0.85 at 1 (alternating builds, faster in 6
/// of 6 rounds each).
const PREFETCH_AHEAD_ONE_STREAM: usize = 12288;
/// How far ahead of each of its two streamed operands `dot` prefetches: 12 KiB tied or lost
/// against this.
const PREFETCH_AHEAD_TWO_STREAMS: usize = 4096;
/// Rows per block of the column-major `mv`: long contiguous runs, accumulators in L1.
const COL_ROWS: usize = 512;

/// An element type `dot` and `mv` can sum: the short accumulator is the type itself, the long one
/// float64 for floats and wrapping int64 for integers.
pub trait Dot: Element {
    /// The long accumulator.
    type Wide: Copy + Send + Sync + 'static;
    /// Zero of the long accumulator.
    const WIDE_ZERO: Self::Wide;
    /// `acc + x * y` in the short accumulator.
    fn madd(acc: Self, x: Self, y: Self) -> Self;
    /// `acc + x * y` in the long accumulator.
    fn wide_madd(acc: Self::Wide, x: Self, y: Self) -> Self::Wide;
    /// The value in the long accumulator.
    fn widen(self) -> Self::Wide;
    /// `a + b` in the long accumulator.
    fn wide_add(a: Self::Wide, b: Self::Wide) -> Self::Wide;
    /// The long accumulator rounded back to the element type.
    fn narrow(w: Self::Wide) -> Self;
}

macro_rules! impl_dot_float {
    ($($t:ty),*) => {$(
        impl Dot for $t {
            type Wide = f64;
            const WIDE_ZERO: f64 = 0.0;
            #[inline(always)]
            fn madd(acc: Self, x: Self, y: Self) -> Self {
                acc + x * y
            }
            #[inline(always)]
            fn wide_madd(acc: f64, x: Self, y: Self) -> f64 {
                acc + x as f64 * y as f64
            }
            #[inline(always)]
            fn widen(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn wide_add(a: f64, b: f64) -> f64 {
                a + b
            }
            #[inline(always)]
            fn narrow(w: f64) -> Self {
                w as $t
            }
        }
    )*};
}
impl_dot_float!(f32, f64);

macro_rules! impl_dot_int {
    ($($t:ty),*) => {$(
        impl Dot for $t {
            type Wide = i64;
            const WIDE_ZERO: i64 = 0;
            #[inline(always)]
            fn madd(acc: Self, x: Self, y: Self) -> Self {
                acc.wrapping_add(x.wrapping_mul(y))
            }
            #[inline(always)]
            fn wide_madd(acc: i64, x: Self, y: Self) -> i64 {
                acc.wrapping_add((x as i64).wrapping_mul(y as i64))
            }
            #[inline(always)]
            fn widen(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn wide_add(a: i64, b: i64) -> i64 {
                a.wrapping_add(b)
            }
            #[inline(always)]
            fn narrow(w: i64) -> Self {
                w as $t
            }
        }
    )*};
}
impl_dot_int!(i32, i64);

/// The dot product of two contiguous slices of one length, block by block, prefetching ahead of
/// `a` (and of `x` too when `STREAM_X`: in `mv`, `x` stays in cache).
#[inline(always)]
fn dot_generic<T: Dot, const STREAM_X: bool>(a: &[T], x: &[T]) -> T::Wide {
    let bytes = if STREAM_X {
        PREFETCH_AHEAD_TWO_STREAMS
    } else {
        PREFETCH_AHEAD_ONE_STREAM
    };
    let ahead = bytes / std::mem::size_of::<T>();
    let mut total = T::WIDE_ZERO;
    for (ab, xb) in a.chunks(BLOCK).zip(x.chunks(BLOCK)) {
        let mut l = [T::ZERO; LANES];
        let (ac, xc) = (ab.chunks_exact(LANES), xb.chunks_exact(LANES));
        let (ar, xr) = (ac.remainder(), xc.remainder());
        for (p, q) in ac.zip(xc) {
            prefetch_span(p.as_ptr(), ahead, LANES);
            if STREAM_X {
                prefetch_span(q.as_ptr(), ahead, LANES);
            }
            for k in 0..LANES {
                l[k] = T::madd(l[k], p[k], q[k]);
            }
        }
        // The tail gets its own accumulator and the lanes are combined in order: no lane is
        // indexed by a runtime value, so the lanes stay in registers.
        let tail = ar
            .iter()
            .zip(xr)
            .fold(T::ZERO, |acc, (&p, &q)| T::madd(acc, p, q));
        let lanes = l.iter().fold(T::ZERO, |acc, &v| T::madd(acc, v, T::ONE));
        total = T::wide_add(total, T::madd(lanes, tail, T::ONE).widen());
    }
    total
}

/// [`dot_generic`] built for AVX2 and FMA.
///
/// # Safety
/// The CPU must have AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_avx2<T: Dot, const STREAM_X: bool>(a: &[T], x: &[T]) -> T::Wide {
    dot_generic::<T, STREAM_X>(a, x)
}

/// True when the CPU runs the AVX2 kernels.
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// [`dot_generic`] with AVX2 code when `avx2` (the CPU has it).
fn dot_contiguous<T: Dot, const STREAM_X: bool>(avx2: bool, a: &[T], x: &[T]) -> T::Wide {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: `avx2` is `has_avx2()`'s answer (every caller passes that), true only when
        // the CPU has AVX2 and FMA, `dot_avx2`'s one requirement; the slices are safe values.
        return unsafe { dot_avx2::<T, STREAM_X>(a, x) };
    }
    let _ = avx2;
    dot_generic::<T, STREAM_X>(a, x)
}

/// `sum(a[i * sa] * b[i * sb])` over `i < n`.
///
/// # Safety
/// For every `i < n`, `a.offset(i * sa)` and `b.offset(i * sb)` must be readable `T`s that no
/// thread writes during the call (chunks of the sum are read from several threads).
pub unsafe fn dot<T: Dot>(a: *const T, sa: isize, b: *const T, sb: isize, n: usize) -> T {
    let (pa, pb) = (SendPtr(a as *mut T), SendPtr(b as *mut T));
    let avx2 = has_avx2();
    let chunk = |c: usize| -> T::Wide {
        let (pa, pb) = (pa, pb);
        let (start, end) = (c * DOT_CHUNK, ((c + 1) * DOT_CHUNK).min(n));
        // SAFETY: `start < end <= n`, so every `i` read is below `n`: a readable element of both
        // operands by the caller's contract, unwritten meanwhile; with unit strides, elements
        // `start..end` are consecutive, which the slices cover. Chunks only read.
        unsafe {
            if sa == 1 && sb == 1 {
                let x = std::slice::from_raw_parts(pa.0.add(start), end - start);
                let y = std::slice::from_raw_parts(pb.0.add(start), end - start);
                dot_contiguous::<T, true>(avx2, x, y)
            } else {
                (start..end).fold(T::WIDE_ZERO, |acc, i| {
                    T::wide_madd(acc, *pa.at(i as isize * sa), *pb.at(i as isize * sb))
                })
            }
        }
    };
    let parts = threads::map_chunks(n.div_ceil(DOT_CHUNK), chunk);
    T::narrow(parts.into_iter().fold(T::WIDE_ZERO, T::wide_add))
}

/// `out = A x` for an `m x k` matrix `A` with unit column stride (`rs` between rows) and a
/// contiguous `x`; `out` is contiguous.
///
/// # Safety
/// For `i < m`, `a.offset(i * rs)` must be valid for reads of `k` consecutive `T`s; `x` for
/// reads of `k` and `out` for writes of `m` consecutive `T`s; `out` must not overlap `a` or `x`,
/// and no other thread may access `out` or write `a`/`x` during the call.
pub unsafe fn mv_rows<T: Dot>(
    a: *const T,
    rs: isize,
    x: *const T,
    out: *mut T,
    m: usize,
    k: usize,
) {
    let (pa, px, po) = (SendPtr(a as *mut T), SendPtr(x as *mut T), SendPtr(out));
    let rows = (MV_CHUNK / k.max(1)).max(1);
    let avx2 = has_avx2();
    threads::for_each_chunk(m.div_ceil(rows), |c| {
        let (pa, px, po) = (pa, px, po);
        // SAFETY: rows `i` of this chunk are below `m`, so row `i` of `A` (`k` elements from
        // `i * rs`), `x` (`k`) and `out[i]` are valid by the caller's contract; chunks write
        // disjoint rows of `out`, which overlaps nothing they read.
        unsafe {
            let x = std::slice::from_raw_parts(px.0, k);
            for i in c * rows..((c + 1) * rows).min(m) {
                let row = std::slice::from_raw_parts(pa.at(i as isize * rs), k);
                *po.0.add(i) = T::narrow(dot_contiguous::<T, false>(avx2, row, x));
            }
        }
    });
}

/// The column-major `mv` block: `acc[i] += x[j] * A[i, j]` for every column, each column
/// segment a contiguous run.
///
/// # Safety
/// For `j < x.len()`, `a.offset(j * cs)` must be valid for reads of `acc.len()` consecutive
/// `T`s that no thread writes meanwhile.
#[inline(always)]
unsafe fn mv_cols_block_generic<T: Dot>(a: *const T, cs: isize, x: &[T], acc: &mut [T::Wide]) {
    for (j, &xj) in x.iter().enumerate() {
        let col = std::slice::from_raw_parts(a.offset(j as isize * cs), acc.len());
        for (s, &v) in acc.iter_mut().zip(col) {
            *s = T::wide_madd(*s, v, xj);
        }
    }
}

/// [`mv_cols_block_generic`] built for AVX2 and FMA.
///
/// # Safety
/// As [`mv_cols_block_generic`], and the CPU must have AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn mv_cols_block_avx2<T: Dot>(a: *const T, cs: isize, x: &[T], acc: &mut [T::Wide]) {
    mv_cols_block_generic(a, cs, x, acc)
}

/// `out = A x` for an `m x k` matrix `A` with unit row stride (`cs` between columns, as in a
/// transposed contiguous matrix) and a contiguous `x`; `out` is contiguous.
///
/// # Safety
/// For `j < k`, `a.offset(j * cs)` must be valid for reads of `m` consecutive `T`s; `x` for
/// reads of `k` and `out` for writes of `m` consecutive `T`s; `out` must not overlap `a` or `x`,
/// and no other thread may access `out` or write `a`/`x` during the call.
pub unsafe fn mv_cols<T: Dot>(
    a: *const T,
    cs: isize,
    x: *const T,
    out: *mut T,
    m: usize,
    k: usize,
) {
    let (pa, px, po) = (SendPtr(a as *mut T), SendPtr(x as *mut T), SendPtr(out));
    let avx2 = has_avx2();
    threads::for_each_chunk(m.div_ceil(COL_ROWS), |c| {
        let (pa, px, po) = (pa, px, po);
        let (start, end) = (c * COL_ROWS, ((c + 1) * COL_ROWS).min(m));
        let mut acc = vec![T::WIDE_ZERO; end - start];
        // SAFETY: `start < end <= m`, so rows `start..end` of each column `j < k` (from
        // `start + j * cs`, `end - start == acc.len()` of them) are readable, as are `x`'s `k`
        // elements, by the caller's contract; the AVX2 block runs only when `has_avx2()` said
        // the CPU has AVX2 and FMA. Chunks write disjoint ranges `start..end` of `out`.
        unsafe {
            let x = std::slice::from_raw_parts(px.0, k);
            let a = pa.at(start as isize) as *const T;
            #[cfg(target_arch = "x86_64")]
            if avx2 {
                mv_cols_block_avx2(a, cs, x, &mut acc);
            } else {
                mv_cols_block_generic(a, cs, x, &mut acc);
            }
            #[cfg(not(target_arch = "x86_64"))]
            mv_cols_block_generic(a, cs, x, &mut acc);
            for (i, &s) in acc.iter().enumerate() {
                *po.0.add(start + i) = T::narrow(s);
            }
        }
    });
}
