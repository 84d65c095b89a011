//! The [`Reducer`]s: how sum, prod, max/min, argmax/argmin, all/any and count_nonzero combine
//! elements. Sums and products accumulate float32 in float64 and integers in wrapping int64.

use super::reducer::{lanes_tree, merge_rows_generic, prefetch_ahead, Reducer, LANES};
use crate::dtype::Element;

/// An accumulator of sums and products: float64 or wrapping int64.
pub trait Acc: Copy + Send + Sync + 'static {
    /// The additive identity.
    const ZERO: Self;
    /// The multiplicative identity.
    const ONE: Self;
    /// `self + other` (wrapping for integers).
    fn plus(self, other: Self) -> Self;
    /// `self * other` (wrapping for integers).
    fn times(self, other: Self) -> Self;
    /// The value as f64 (for `mean`).
    fn as_f64(self) -> f64;
}

impl Acc for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline(always)]
    fn plus(self, other: Self) -> Self {
        self + other
    }
    #[inline(always)]
    fn times(self, other: Self) -> Self {
        self * other
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self
    }
}

impl Acc for i64 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    #[inline(always)]
    fn plus(self, other: Self) -> Self {
        self.wrapping_add(other)
    }
    #[inline(always)]
    fn times(self, other: Self) -> Self {
        self.wrapping_mul(other)
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self as f64
    }
}

/// An element type that can be summed or multiplied, with the accumulator it uses.
pub trait Accumulate: Element {
    /// float64 for floats, int64 for integers and bool.
    type Acc: Acc;
    /// The value as an accumulator.
    fn widen(self) -> Self::Acc;
}

macro_rules! impl_accumulate {
    ($($t:ty => $a:ty),*) => {$(
        impl Accumulate for $t {
            type Acc = $a;
            #[inline(always)]
            fn widen(self) -> $a {
                self as $a
            }
        }
    )*};
}
impl_accumulate!(f32 => f64, f64 => f64, i32 => i64, i64 => i64);

macro_rules! impl_half_accumulate {
    ($($t:ty),*) => {$(
        impl Accumulate for $t {
            type Acc = f64;
            #[inline(always)]
            fn widen(self) -> f64 {
                crate::dtype::HalfBits::widen(self) as f64
            }
        }
    )*};
}
impl_half_accumulate!(crate::dtype::f16, crate::dtype::bf16);

impl Accumulate for bool {
    type Acc = i64;
    #[inline(always)]
    fn widen(self) -> i64 {
        self as i64
    }
}

/// Addition.
pub struct Sum;

impl<T: Accumulate> Reducer<T> for Sum {
    type Acc = T::Acc;
    #[inline(always)]
    fn identity() -> T::Acc {
        T::Acc::ZERO
    }
    #[inline(always)]
    fn lift(x: T, _: usize) -> T::Acc {
        x.widen()
    }
    #[inline(always)]
    fn merge(a: T::Acc, b: T::Acc) -> T::Acc {
        a.plus(b)
    }
}

/// Multiplication.
pub struct Prod;

impl<T: Accumulate> Reducer<T> for Prod {
    type Acc = T::Acc;
    #[inline(always)]
    fn identity() -> T::Acc {
        T::Acc::ONE
    }
    #[inline(always)]
    fn lift(x: T, _: usize) -> T::Acc {
        x.widen()
    }
    #[inline(always)]
    fn merge(a: T::Acc, b: T::Acc) -> T::Acc {
        a.times(b)
    }
}

/// Count, mean and sum of squared deviations, for `var` and `std` in one read of the input:
/// contiguous runs (at most a chunk, so in cache) take two passes, the mean and then the
/// corrected sum of squared deviations from it; single elements merge by Welford's update and
/// partials by Chan's combination. Float64 throughout, so float32 results are exact to rounding.
pub struct Moments;

/// The running value of [`Moments`]: how many elements, their mean, and the sum of their squared
/// deviations from it.
#[derive(Clone, Copy)]
pub struct MomentsAcc {
    /// Elements so far (a float: it only ever scales).
    pub n: f64,
    /// Their mean.
    pub mean: f64,
    /// The sum of their squared deviations from `mean`.
    pub m2: f64,
}

impl<T: Accumulate<Acc = f64>> Reducer<T> for Moments {
    type Acc = MomentsAcc;
    #[inline(always)]
    fn identity() -> MomentsAcc {
        MomentsAcc {
            n: 0.0,
            mean: 0.0,
            m2: 0.0,
        }
    }
    #[inline(always)]
    fn lift(x: T, _: usize) -> MomentsAcc {
        MomentsAcc {
            n: 1.0,
            mean: x.widen(),
            m2: 0.0,
        }
    }
    #[inline(always)]
    fn merge(a: MomentsAcc, b: MomentsAcc) -> MomentsAcc {
        let n = a.n + b.n;
        // Branch-free so the lanes vectorise; two empty sides stay empty.
        let w = if n > 0.0 { b.n / n } else { 0.0 };
        let d = b.mean - a.mean;
        // Selected, not multiplied by a zero count: d² overflows for huge values, and inf·0 is NaN.
        let cross = if a.n > 0.0 && b.n > 0.0 {
            (d * a.n) * (d * w)
        } else {
            0.0
        };
        MomentsAcc {
            n,
            mean: a.mean + d * w,
            m2: a.m2 + b.m2 + cross,
        }
    }
    /// # Safety
    /// As [`Reducer::run`].
    #[inline(always)]
    unsafe fn run(p: *const T, len: usize, _: usize) -> Option<MomentsAcc> {
        let s = std::slice::from_raw_parts(p, len);
        if len < LANES {
            return None;
        }
        let (blocks, tail) = s.as_chunks::<LANES>();
        let mut sum = [0.0f64; LANES];
        for b in blocks {
            prefetch_ahead(b.as_ptr(), LANES);
            for k in 0..LANES {
                sum[k] += b[k].widen();
            }
        }
        let sum = lanes_tree::<T, Sum>(sum) + tail.iter().map(|x| x.widen()).sum::<f64>();
        if !sum.is_finite() && spread_is_finite(s) {
            // Values near float64's largest whose deviations stay finite: the mean's rounding
            // error alone would square to inf. Welford's updates keep a mean of equal values
            // exact. (When the spread overflows too, the two passes below give torch's inf.)
            return None;
        }
        let n = len as f64;
        let mean = sum / n;
        // Σd² less (Σd)²/n: the second term corrects for the rounding of the mean.
        let (mut dev, mut dev2) = ([0.0f64; LANES], [0.0f64; LANES]);
        for b in blocks {
            for k in 0..LANES {
                let d = b[k].widen() - mean;
                dev[k] += d;
                dev2[k] += d * d;
            }
        }
        let (mut dev, mut dev2) = (lanes_tree::<T, Sum>(dev), lanes_tree::<T, Sum>(dev2));
        for x in tail {
            let d = x.widen() - mean;
            dev += d;
            dev2 += d * d;
        }
        // The correction is NaN when the data has a NaN (dev2 is NaN too) or the squares
        // overflowed (dev2 is inf, as torch's result): keep dev2 then, as `max` would turn NaN
        // into 0.
        let corrected = dev2 - dev * dev / n;
        let m2 = if corrected.is_nan() {
            dev2
        } else {
            corrected.max(0.0)
        };
        Some(MomentsAcc { n, mean, m2 })
    }
}

/// Whether the largest and smallest elements (NaN aside) differ by a finite amount.
fn spread_is_finite<T: Accumulate<Acc = f64>>(s: &[T]) -> bool {
    let (lo, hi) = s
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            let x = x.widen();
            (lo.min(x), hi.max(x))
        });
    (hi - lo).is_finite()
}

/// An element type with a total order for max/min, where NaN wins (it propagates, as in torch).
pub trait Ordered: Element {
    /// The smallest value (the identity of max).
    const LOWEST: Self;
    /// The largest value (the identity of min).
    const HIGHEST: Self;
    /// Whether the value is NaN.
    fn nan(self) -> bool;
}

macro_rules! impl_ordered {
    ($($t:ty => $lo:expr, $hi:expr, $nan:expr);*) => {$(
        impl Ordered for $t {
            const LOWEST: Self = $lo;
            const HIGHEST: Self = $hi;
            #[inline(always)]
            #[allow(clippy::redundant_closure_call)]
            fn nan(self) -> bool {
                ($nan)(self)
            }
        }
    )*};
}
impl_ordered!(
    f32 => f32::NEG_INFINITY, f32::INFINITY, |x: f32| x.is_nan();
    f64 => f64::NEG_INFINITY, f64::INFINITY, |x: f64| x.is_nan();
    i32 => i32::MIN, i32::MAX, |_| false;
    i64 => i64::MIN, i64::MAX, |_| false;
    bool => false, true, |_| false
);

/// Whether `a` beats `b` for max (`MAX`) or min; NaN beats everything.
#[inline(always)]
fn beats<T: Ordered, const MAX: bool>(a: T, b: T) -> bool {
    a.nan() || (if MAX { a > b } else { a < b })
}

/// The largest (`MAX`) or smallest element, NaN if there is one.
pub struct Extreme<const MAX: bool>;

impl<T: Ordered, const MAX: bool> Reducer<T> for Extreme<MAX> {
    type Acc = T;
    #[inline(always)]
    fn identity() -> T {
        if MAX {
            T::LOWEST
        } else {
            T::HIGHEST
        }
    }
    #[inline(always)]
    fn lift(x: T, _: usize) -> T {
        x
    }
    #[inline(always)]
    fn merge(a: T, b: T) -> T {
        if beats::<T, MAX>(b, a) && !a.nan() {
            b
        } else {
            a
        }
    }
}

/// The largest (`MAX`) or smallest element with its index: the first NaN if there is one, and
/// the first of equal extremes (a merge that is commutative, so any combine order agrees).
pub struct ArgExtreme<const MAX: bool>;

impl<T: Ordered, const MAX: bool> Reducer<T> for ArgExtreme<MAX> {
    type Acc = (T, usize);
    #[inline(always)]
    fn identity() -> (T, usize) {
        (<Extreme<MAX> as Reducer<T>>::identity(), usize::MAX)
    }
    #[inline(always)]
    fn lift(x: T, i: usize) -> (T, usize) {
        (x, i)
    }
    #[inline(always)]
    fn merge(a: (T, usize), b: (T, usize)) -> (T, usize) {
        let (an, bn) = (a.0.nan(), b.0.nan());
        let a_wins = if an != bn {
            an
        } else if an || a.0 == b.0 {
            a.1 <= b.1
        } else {
            beats::<T, MAX>(a.0, b.0)
        };
        if a_wins {
            a
        } else {
            b
        }
    }
    /// The per-lane extremes first (the vectorised loop of [`Extreme`]), then, in the lanes
    /// holding the overall extreme, the first block where it occurs (one strided read per
    /// lane): the same answer as merging, several times faster. A NaN anywhere sends it to a
    /// search for the first NaN.
    ///
    /// # Safety
    /// As [`Reducer::run`].
    #[inline(always)]
    unsafe fn run(p: *const T, len: usize, first: usize) -> Option<(T, usize)> {
        let s = std::slice::from_raw_parts(p, len);
        let (blocks, tail) = s.as_chunks::<LANES>();
        let merge = <Extreme<MAX> as Reducer<T>>::merge;
        let mut l = [<Extreme<MAX> as Reducer<T>>::identity(); LANES];
        for b in blocks {
            prefetch_ahead(b.as_ptr(), LANES);
            for k in 0..LANES {
                l[k] = merge(l[k], b[k]);
            }
        }
        let v = l.iter().chain(tail).fold(l[0], |a, &b| merge(a, b));
        if v.nan() {
            let i = s.iter().position(|x| x.nan())?;
            return Some((s[i], first + i));
        }
        let in_blocks = (0..LANES)
            .filter(|&k| l[k] == v)
            .filter_map(|k| Some(blocks.iter().position(|b| b[k] == v)? * LANES + k))
            .min();
        let at = in_blocks
            .or_else(|| Some(blocks.len() * LANES + tail.iter().position(|&x| x == v)?))?;
        Some((s[at], first + at))
    }
    /// Blocks of [`ARG_ROWS_COLUMNS`] columns: first their extremes over the rows (the
    /// row-accumulating loop of [`Extreme`], which vectorises), then, in a second pass over rows
    /// still in cache, the first row where each column reaches its extreme (the first NaN for a
    /// NaN), stopping once every column has found it. The value kept is that row's element, so
    /// the answer is the merge's, -0 and +0 included; the (value, index) merge itself does not
    /// vectorise and was 8x slower.
    ///
    /// # Safety
    /// As [`Reducer::merge_rows`].
    #[inline(always)]
    unsafe fn merge_rows(
        acc: &mut [(T, usize)],
        p: *const T,
        len: usize,
        stride: isize,
        first: usize,
    ) -> bool {
        // A few rows: merging them directly costs less than the two passes' setup.
        let Ok(rows) = u32::try_from(len) else {
            return false;
        };
        if rows < 4 {
            return false;
        }
        if acc.len() <= ARG_ROWS_NARROW {
            arg_rows::<T, MAX, ARG_ROWS_NARROW>(acc, p, rows, stride, first);
        } else {
            arg_rows::<T, MAX, ARG_ROWS_COLUMNS>(acc, p, rows, stride, first);
        }
        true
    }
}

/// [`ArgExtreme::merge_rows`] in blocks of `N` columns (its scratch sized for them).
///
/// # Safety
/// As [`Reducer::merge_rows`]: for every `r < rows`, `p.offset(r * stride)` must be valid for
/// reads of `acc.len()` elements, which no other thread writes meanwhile.
#[inline(always)]
unsafe fn arg_rows<T: Ordered, const MAX: bool, const N: usize>(
    acc: &mut [(T, usize)],
    p: *const T,
    rows: u32,
    stride: isize,
    first: usize,
) {
    let row = |r: u32, col: usize| p.offset(r as isize * stride).add(col);
    for (b, block) in acc.chunks_mut(N).enumerate() {
        let (c0, w) = (b * N, block.len());
        let piece = |r: u32| std::slice::from_raw_parts(row(r, c0), w);
        let mut best = [<Extreme<MAX> as Reducer<T>>::identity(); N];
        let best = &mut best[..w];
        // The row-accumulating loop of `Extreme`, with its prefetching.
        merge_rows_generic::<T, Extreme<MAX>>(best, row(0, c0), rows as usize, stride, first);
        let mut found = [NOT_FOUND; N];
        let found = &mut found[..w];
        let (mut missing, mut r) = (w, 0);
        while r < rows && missing > 0 {
            let n = (rows - r).min(4);
            missing -= if n == 4 {
                first_rows_of_four::<T>(
                    found,
                    best,
                    r,
                    [piece(r), piece(r + 1), piece(r + 2), piece(r + 3)],
                )
            } else {
                (r..r + n)
                    .map(|q| first_rows_of_four::<T>(found, best, q, [piece(q); 4]))
                    .sum()
            };
            r += n;
        }
        for (j, (a, &r)) in block.iter_mut().zip(found.iter()).enumerate() {
            // Every column's extreme is one of its `len` elements, so `r < len`.
            *a = ArgExtreme::<MAX>::merge(*a, (*row(r, c0 + j), first + r as usize));
        }
    }
}

/// "No row yet" in [`ArgExtreme`]'s row loop.
const NOT_FOUND: u32 = u32::MAX;

/// For the columns without a row in `found` yet, the first of rows `r..r + 4` whose element
/// equals the column's extreme in `best` (or is NaN, for a NaN extreme); returns how many columns
/// found one.
#[inline(always)]
fn first_rows_of_four<T: Ordered>(found: &mut [u32], best: &[T], r: u32, rows: [&[T]; 4]) -> usize {
    let w = found.len();
    let [a, b, c, d] = rows.map(|x| &x[..w]);
    let best = &best[..w];
    let mut hits = 0;
    for j in 0..w {
        let m = best[j];
        let is = |v: T| v == m || (v.nan() && m.nan());
        let mut row = if is(d[j]) { r + 3 } else { NOT_FOUND };
        row = if is(c[j]) { r + 2 } else { row };
        row = if is(b[j]) { r + 1 } else { row };
        row = if is(a[j]) { r } else { row };
        let open = found[j] == NOT_FOUND;
        hits += (open && row != NOT_FOUND) as usize;
        found[j] = if open { row } else { found[j] };
    }
    hits
}

/// Columns per block of [`ArgExtreme`]'s row loop: whole rows of a 4096-wide matrix, so the
/// first pass streams (its extremes and row indices take 48 KiB at most).
const ARG_ROWS_COLUMNS: usize = 4096;
/// The block for narrow column blocks (the row loop's narrow path hands over 256 at most): no
/// 48 KiB of scratch to fill for a few rows.
const ARG_ROWS_NARROW: usize = 256;

/// Logical and (`ALL`) or or of the elements' truth values.
pub struct Logical<const ALL: bool>;

impl<T: Element, const ALL: bool> Reducer<T> for Logical<ALL> {
    type Acc = bool;
    #[inline(always)]
    fn identity() -> bool {
        ALL
    }
    #[inline(always)]
    fn lift(x: T, _: usize) -> bool {
        x.to_bool()
    }
    #[inline(always)]
    fn merge(a: bool, b: bool) -> bool {
        if ALL {
            a & b
        } else {
            a | b
        }
    }
}

/// The number of nonzero elements.
pub struct CountNonzero;

impl<T: Element> Reducer<T> for CountNonzero {
    type Acc = i64;
    #[inline(always)]
    fn identity() -> i64 {
        0
    }
    #[inline(always)]
    fn lift(x: T, _: usize) -> i64 {
        x.to_bool() as i64
    }
    #[inline(always)]
    fn merge(a: i64, b: i64) -> i64 {
        a + b
    }
}
