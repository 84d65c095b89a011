//! The [`Reducer`]s: how sum, prod, max/min, argmax/argmin, all/any and count_nonzero combine
//! elements. Sums and products accumulate float32 in float64 and integers in wrapping int64.

use super::kernels::{lanes_tree, prefetch_ahead, Reducer, LANES};
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
        // The correction is NaN when the data has a NaN (dev2 is NaN too) or the sum overflowed
        // (dev2 is inf, as torch's result): keep dev2 then, as `max` would turn NaN into 0.
        let corrected = dev2 - dev * dev / n;
        let m2 = if corrected.is_nan() {
            dev2
        } else {
            corrected.max(0.0)
        };
        Some(MomentsAcc { n, mean, m2 })
    }
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
}

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
