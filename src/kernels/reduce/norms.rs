//! The [`Reducer`]s of the vector norms that one pass can compute: every element is read once and
//! accumulated in float64 (float32 included), on the deterministic reduction machine.

use super::reducer::Reducer;
use crate::dtype::Element;

/// The sum of squares (the 2-norm before its square root).
pub struct SumSquares;

impl<T: Element> Reducer<T> for SumSquares {
    type Acc = f64;
    #[inline(always)]
    fn identity() -> f64 {
        0.0
    }
    #[inline(always)]
    fn lift(x: T, _: usize) -> f64 {
        let v = x.to_f64();
        v * v
    }
    #[inline(always)]
    fn merge(a: f64, b: f64) -> f64 {
        a + b
    }
}

/// The sum of absolute values (the 1-norm).
pub struct SumAbs;

impl<T: Element> Reducer<T> for SumAbs {
    type Acc = f64;
    #[inline(always)]
    fn identity() -> f64 {
        0.0
    }
    #[inline(always)]
    fn lift(x: T, _: usize) -> f64 {
        x.to_f64().abs()
    }
    #[inline(always)]
    fn merge(a: f64, b: f64) -> f64 {
        a + b
    }
}

/// The largest (`MAX`) or smallest absolute value (the inf and -inf norms); NaN wins, as torch.
pub struct ExtremeAbs<const MAX: bool>;

impl<T: Element, const MAX: bool> Reducer<T> for ExtremeAbs<MAX> {
    type Acc = f64;
    #[inline(always)]
    fn identity() -> f64 {
        if MAX {
            0.0
        } else {
            f64::INFINITY
        }
    }
    #[inline(always)]
    fn lift(x: T, _: usize) -> f64 {
        x.to_f64().abs()
    }
    #[inline(always)]
    fn merge(a: f64, b: f64) -> f64 {
        let keep_a = if MAX { a >= b } else { a <= b };
        if a.is_nan() || keep_a {
            a
        } else {
            b
        }
    }
}

/// The number of nonzero elements (the 0-"norm").
pub struct Nonzero;

impl<T: Element> Reducer<T> for Nonzero {
    type Acc = f64;
    #[inline(always)]
    fn identity() -> f64 {
        0.0
    }
    #[inline(always)]
    fn lift(x: T, _: usize) -> f64 {
        (x.to_f64() != 0.0) as u8 as f64
    }
    #[inline(always)]
    fn merge(a: f64, b: f64) -> f64 {
        a + b
    }
}
