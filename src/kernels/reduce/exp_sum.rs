//! [`ExpSum`]: the running maximum of the elements and the sum of `exp(x - maximum)`, so that
//! `logsumexp` reads its input once and never overflows. Float64 throughout.

use super::reducer::{lanes_tree, prefetch_ahead, Reducer, LANES};
use super::reducers::{Accumulate, Sum};

/// The maximum so far and the sum of `exp(x - max)` over the elements so far.
#[derive(Clone, Copy)]
pub struct ExpSumAcc {
    /// The largest element (NaN if any is NaN; -inf when there is none).
    pub max: f64,
    /// `Σ exp(x - max)`: 0 with no element or only -inf ones.
    pub sum: f64,
}

impl ExpSumAcc {
    /// The accumulator of a run whose maximum is not finite: NaN and +inf decide the result
    /// alone, and a run of -inf adds nothing.
    fn not_finite(max: f64) -> ExpSumAcc {
        let sum = if max == f64::NEG_INFINITY { 0.0 } else { 1.0 };
        ExpSumAcc { max, sum }
    }

    /// `log(Σ exp(x))`: `max` itself when it is not finite (NaN, inf, or -inf for no element).
    pub fn log_sum_exp(self) -> f64 {
        if self.max.is_finite() {
            self.sum.ln() + self.max
        } else {
            self.max
        }
    }
}

/// See the module doc.
pub struct ExpSum;

impl<T: Accumulate<Acc = f64>> Reducer<T> for ExpSum {
    type Acc = ExpSumAcc;
    #[inline(always)]
    fn identity() -> ExpSumAcc {
        ExpSumAcc::not_finite(f64::NEG_INFINITY)
    }
    #[inline(always)]
    fn lift(x: T, _: usize) -> ExpSumAcc {
        ExpSumAcc {
            max: x.widen(),
            sum: 1.0,
        }
    }
    #[inline(always)]
    fn merge(a: ExpSumAcc, b: ExpSumAcc) -> ExpSumAcc {
        let max = if a.max.is_nan() || b.max.is_nan() {
            f64::NAN
        } else {
            a.max.max(b.max)
        };
        if !max.is_finite() {
            return ExpSumAcc::not_finite(max);
        }
        ExpSumAcc {
            max,
            sum: a.sum * (a.max - max).exp() + b.sum * (b.max - max).exp(),
        }
    }
    /// Two passes over the run (in cache): its maximum, then `Σ exp(x - max)` with
    /// [`exp_nonpositive`], which vectorises where the library `exp` is a call per element
    /// (degree 9 for float32 inputs, 13 for float64).
    ///
    /// # Safety
    /// As [`Reducer::run`].
    #[inline(always)]
    unsafe fn run(p: *const T, len: usize, _: usize) -> Option<ExpSumAcc> {
        let s = std::slice::from_raw_parts(p, len);
        let (blocks, tail) = s.as_chunks::<LANES>();
        let mut top = [f64::NEG_INFINITY; LANES];
        let mut nan = [false; LANES];
        for b in blocks {
            prefetch_ahead(b.as_ptr(), LANES);
            for k in 0..LANES {
                let x = b[k].widen();
                nan[k] |= x.is_nan();
                top[k] = if x > top[k] { x } else { top[k] };
            }
        }
        let mut max = top.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        for x in tail {
            let x = x.widen();
            max = if x.is_nan() || max.is_nan() {
                f64::NAN
            } else {
                max.max(x)
            };
        }
        if nan.iter().any(|&n| n) {
            max = f64::NAN;
        }
        if !max.is_finite() {
            return Some(ExpSumAcc::not_finite(max));
        }
        let exp = if std::mem::size_of::<T>() == 4 {
            exp_nonpositive::<9>
        } else {
            exp_nonpositive::<13>
        };
        let mut lanes = [0.0f64; LANES];
        for b in blocks {
            for k in 0..LANES {
                lanes[k] += exp(b[k].widen() - max);
            }
        }
        let sum =
            lanes_tree::<T, Sum>(lanes) + tail.iter().map(|x| exp(x.widen() - max)).sum::<f64>();
        Some(ExpSumAcc { max, sum })
    }
}

/// `exp(x)` for `x <= 0` (-inf included) from the Taylor series to `r^DEGREE` after the usual
/// reduction `x = n ln2 + r`, `|r| <= ln2 / 2`: straight-line code that vectorises (with fused
/// multiply-adds where the CPU has them). Degree 13 is within a few ulp of float64's `exp`; 9 is
/// within 1e-11, plenty for float32 inputs. Arguments below -708 give `exp(-708)` (3e-308)
/// rather than something smaller: in `logsumexp` every term is added to the maximum's
/// `exp(0) = 1`, beside which it vanishes either way.
#[inline(always)]
pub(crate) fn exp_nonpositive<const DEGREE: usize>(x: f64) -> f64 {
    // ln2 in two parts (fdlibm's), so that n ln2 is exact.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    // Adding 1.5 * 2^52 rounds to an integer, which the low bits of the sum then hold.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let x = x.max(-708.0);
    let t = x * std::f64::consts::LOG2_E + SHIFT;
    let n = t - SHIFT;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut p = INVERSE_FACTORIALS[DEGREE];
    for k in (0..DEGREE).rev() {
        p = p.mul_add(r, INVERSE_FACTORIALS[k]);
    }
    // 2^n, n in -1022..=0: the exponent field n + 1023.
    let n = (t.to_bits() as i64).wrapping_sub(SHIFT.to_bits() as i64);
    p * f64::from_bits(((n + 1023) as u64) << 52)
}

/// 1/k! for k = 0..=13.
const INVERSE_FACTORIALS: [f64; 14] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_nonpositive_is_accurate() {
        let worst = |f: fn(f64) -> f64| {
            (0..200_000)
                .map(|i| -(i as f64) * 0.003_54 - (i % 7) as f64 * 1e-9)
                .chain([0.0, -0.0, f64::NEG_INFINITY])
                .map(|x| {
                    let want = x.max(-708.0).exp();
                    ((f(x) - want) / want).abs()
                })
                .fold(0.0f64, f64::max)
        };
        let (fine, coarse) = (worst(exp_nonpositive::<13>), worst(exp_nonpositive::<9>));
        assert!(fine < 1e-15, "degree 13: relative error {fine}");
        assert!(coarse < 1e-11, "degree 9: relative error {coarse}");
        assert_eq!(exp_nonpositive::<13>(0.0), 1.0);
    }

    #[test]
    fn runs_and_merges_agree() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 37) % 101) as f64 * 0.25 - 9.0)
            .collect();
        let one_by_one = xs
            .iter()
            .fold(<ExpSum as Reducer<f64>>::identity(), |a, &x| {
                <ExpSum as Reducer<f64>>::merge(a, <ExpSum as Reducer<f64>>::lift(x, 0))
            });
        // SAFETY: `xs.as_ptr()` points to `xs.len()` initialised f64s that live across the call
        // and that nothing writes.
        let run = unsafe { <ExpSum as Reducer<f64>>::run(xs.as_ptr(), xs.len(), 0) }.unwrap();
        let exact = xs.iter().map(|x| x.exp()).sum::<f64>().ln();
        for acc in [one_by_one, run] {
            assert!((acc.log_sum_exp() - exact).abs() < 1e-13);
        }
        for (special, want) in [(f64::NAN, f64::NAN), (f64::INFINITY, f64::INFINITY)] {
            let mut ys = xs.clone();
            ys[500] = special;
            // SAFETY: `ys` holds `ys.len()` f64s, alive and unwritten during the call.
            let got = unsafe { <ExpSum as Reducer<f64>>::run(ys.as_ptr(), ys.len(), 0) }.unwrap();
            assert_eq!(got.log_sum_exp().to_bits(), want.to_bits());
        }
        let none = vec![f64::NEG_INFINITY; 100];
        // SAFETY: `none` holds exactly 100 f64s, alive and unwritten during the call.
        let got = unsafe { <ExpSum as Reducer<f64>>::run(none.as_ptr(), 100, 0) }.unwrap();
        assert_eq!(got.log_sum_exp(), f64::NEG_INFINITY);
    }
}
