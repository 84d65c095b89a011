//! The [`Reducer`] trait every reduction implements, and the building blocks reducers share: the
//! lane tree that combines [`LANES`] accumulators in a fixed order, the prefetch distance, and the
//! row-accumulating merge (`merge_rows_generic`) that reducers with their own row loop fall back on.

use crate::dtype::Element;
use crate::prefetch::prefetch_span;

/// Elements per deterministic chunk of one output's reduction.
pub const CHUNK: usize = 1 << 14;
/// Independent accumulators per chunk: enough to hide add latency (four AVX-512 registers of f64).
pub(crate) const LANES: usize = 32;
/// How far ahead of the contiguous reductions' reads the next data is prefetched, in bytes: the
/// hardware prefetcher alone leaves a single core at about 40 GB/s; 4 KiB ahead brought it near
/// 45 and 8 KiB near 50. With two threads streaming, 12 KiB beat 8 KiB by 9-13% on 16M-element
/// `sum`, `sum(1)`, `mean(1)`, `norm` and `argmax` (alternating builds, 6 rounds each, 12 KiB
/// faster in 5-6 of 6) and tied on one thread; 16 KiB was 2-12% slower than 12 KiB again.
const PREFETCH_AHEAD_BYTES: usize = 12288;

/// Prefetches the `len` elements [`PREFETCH_AHEAD_BYTES`] past `p`: a contiguous reduction's
/// loop calls it for each block it reads. Prefetches never fault, so reaching past the end of
/// the data is harmless.
#[inline(always)]
pub(crate) fn prefetch_ahead<T>(p: *const T, len: usize) {
    prefetch_span(
        p,
        PREFETCH_AHEAD_BYTES / std::mem::size_of::<T>().max(1),
        len,
    );
}
/// Columns per unrolled step of the row-accumulating loop (a cache line of float32).
const ROW_BLOCK: usize = 16;
/// Rows ahead of the row-accumulating loop's reads that the next data is prefetched: the next
/// pass of four rows.
const ROWS_AHEAD: usize = 4;
/// How many times in a row the row-accumulating loop asks for each line it prefetches. Measured on
/// this machine's AMD EPYC, single-thread 4096² `sum(0)`: once gave 1.13× numpy's time, four
/// times 0.91×, eight 0.80-0.85× (float64: 0.87× down to 0.70×), sixteen 1.05×; spreading the
/// same number of requests over a longer distance instead was much slower. Extra requests for a
/// line already on its way are cheap, and apparently some single ones are dropped.
const PREFETCH_REPEATS: usize = 8;

/// How elements of type `T` combine: an associative `merge` with an identity. Reducers that
/// report positions (argmax) read the element's index in the reduction's row-major order.
pub trait Reducer<T: Element>: Sync + 'static {
    /// The running value.
    type Acc: Copy + Send + Sync + 'static;
    /// The identity of `merge`.
    fn identity() -> Self::Acc;
    /// One element, at index `i` of the reduced elements.
    fn lift(x: T, i: usize) -> Self::Acc;
    /// Combines two partials (the left one covers earlier elements).
    fn merge(a: Self::Acc, b: Self::Acc) -> Self::Acc;
    /// The reduction of `len` contiguous elements, the first at index `first`, for a reducer
    /// with a better way than merging them one at a time; `None` (the default) merges them one
    /// at a time. Called on the same runs whatever the thread count, so it keeps results
    /// deterministic.
    ///
    /// # Safety
    /// `p` must point to `len` consecutive readable elements of `T` (one allocation), which no
    /// other thread writes meanwhile.
    #[inline(always)]
    unsafe fn run(p: *const T, len: usize, first: usize) -> Option<Self::Acc> {
        let _ = (p, len, first);
        None
    }
    /// Merges `len` rows of `acc.len()` contiguous elements, `stride` apart, the first being row
    /// `first` of the reduced ones, into `acc` (column `j` into `acc[j]`), for a reducer with a
    /// better way than the row-accumulating loop's; false (the default) leaves it to that loop.
    /// Called on the same rows whatever the thread count.
    ///
    /// # Safety
    /// For every `r < len`, `p.offset(r * stride)` must be valid for reads of `acc.len()`
    /// elements (all inside one allocation), which no other thread writes meanwhile.
    #[inline(always)]
    unsafe fn merge_rows(
        acc: &mut [Self::Acc],
        p: *const T,
        len: usize,
        stride: isize,
        first: usize,
    ) -> bool {
        let _ = (acc, p, len, stride, first);
        false
    }
}

/// Combines partials in a fixed pairwise tree (the same shape for the same count, whoever made them).
pub(crate) fn tree<T: Element, R: Reducer<T>>(parts: &[R::Acc]) -> R::Acc {
    match parts.len() {
        0 => R::identity(),
        1 => parts[0],
        n => R::merge(tree::<T, R>(&parts[..n / 2]), tree::<T, R>(&parts[n / 2..])),
    }
}

/// [`tree`] over the [`LANES`] accumulators, unrolled level by level: for a power-of-two count,
/// merging neighbours pairwise is the very tree `tree` builds, without its recursion (which cost
/// more than a short row's whole reduction).
#[inline(always)]
pub(crate) fn lanes_tree<T: Element, R: Reducer<T>>(mut l: [R::Acc; LANES]) -> R::Acc {
    const { assert!(LANES.is_power_of_two()) };
    let mut n = LANES;
    while n > 1 {
        n /= 2;
        for k in 0..n {
            l[k] = R::merge(l[2 * k], l[2 * k + 1]);
        }
    }
    l[0]
}

/// Walks rows of `width` elements `stride` apart as one sequence, prefetching the next `n`
/// elements at each step ([`PREFETCH_REPEATS`] times): the row-accumulating loop reads four rows
/// side by side, and asking for the next pass's rows one after another (a single stream,
/// sequential when the rows are contiguous) keeps memory busier than asking for four streams.
struct RowPrefetcher<T> {
    row: *const T,
    stride: isize,
    width: usize,
    col: usize,
}

impl<T> RowPrefetcher<T> {
    fn new(row: *const T, stride: isize, width: usize) -> Self {
        RowPrefetcher {
            row,
            stride,
            width,
            col: 0,
        }
    }

    #[inline(always)]
    fn step(&mut self, n: usize) {
        for _ in 0..PREFETCH_REPEATS {
            prefetch_span(self.row, self.col, n);
        }
        self.col += n;
        if self.col >= self.width {
            self.col = 0;
            self.row = self.row.wrapping_offset(self.stride);
        }
    }
}

/// `acc[k] = merge(acc[k], ((rows[0][k], rows[1][k]), (rows[2][k], rows[3][k])))`: four rows
/// meet pairwise before touching the accumulator; the rows are rows `i0..i0 + 4`.
///
/// # Safety
/// Each of the four pointers must be valid for reads of `acc.len()` elements, which no other
/// thread writes meanwhile.
#[inline(always)]
unsafe fn merge_four<T: Element, R: Reducer<T>>(
    acc: &mut [R::Acc],
    rows: [*const T; 4],
    i0: usize,
) {
    for (k, a) in acc.iter_mut().enumerate() {
        let (w0, w1) = (
            R::lift(*rows[0].add(k), i0),
            R::lift(*rows[1].add(k), i0 + 1),
        );
        let (w2, w3) = (
            R::lift(*rows[2].add(k), i0 + 2),
            R::lift(*rows[3].add(k), i0 + 3),
        );
        *a = R::merge(*a, R::merge(R::merge(w0, w1), R::merge(w2, w3)));
    }
}

/// `acc[j] = merge(acc[j], rows[r][j] for each row)` for `len` rows `stride` apart, the first
/// being row `first`; four rows per pass (the four meet in a fixed pairwise order first, so
/// accumulator traffic drops fourfold), prefetching the next pass's rows as it goes (four
/// interleaved streams defeat the hardware prefetcher).
///
/// # Safety
/// For every `r < len`, `p.offset(r * stride)` must be valid for reads of `acc.len()` elements
/// (all inside one allocation), which no other thread writes meanwhile.
#[inline(always)]
pub(crate) unsafe fn merge_rows_generic<T: Element, R: Reducer<T>>(
    acc: &mut [R::Acc],
    p: *const T,
    len: usize,
    stride: isize,
    first: usize,
) {
    if R::merge_rows(acc, p, len, stride, first) {
        return;
    }
    let width = acc.len();
    let mut r = 0;
    while r + 4 <= len {
        let rows: [*const T; 4] = std::array::from_fn(|i| p.offset((r + i) as isize * stride));
        let i0 = first + r;
        let mut ahead = RowPrefetcher::new(
            p.wrapping_offset((r + ROWS_AHEAD) as isize * stride),
            stride,
            width,
        );
        // Whole blocks of ROW_BLOCK first (a fixed-length inner loop the compiler unrolls), then
        // the tail.
        let (blocks, tail) = acc.as_chunks_mut::<ROW_BLOCK>();
        for (l, block) in blocks.iter_mut().enumerate() {
            ahead.step(4 * ROW_BLOCK);
            merge_four::<T, R>(block, rows.map(|row| row.add(l * ROW_BLOCK)), i0);
        }
        let j0 = blocks.len() * ROW_BLOCK;
        merge_four::<T, R>(tail, rows.map(|row| row.add(j0)), i0);
        r += 4;
    }
    while r < len {
        let row = p.offset(r as isize * stride);
        for (j, a) in acc.iter_mut().enumerate() {
            *a = R::merge(*a, R::lift(*row.add(j), first + r));
        }
        r += 1;
    }
}
