//! The gamma family: `lgamma`, `digamma`, `trigamma` and `polygamma`, `mvlgamma` (summed in the
//! order of torch's `sum` kernel), and Cephes' Hurwitz `zeta`, which `polygamma` is built on.
// Derived from the sources whose notices are in `mod.rs` (see there).

use std::f64::consts::PI;

use super::fdlibm_lgamma::{lgamma_c32, lgamma_c64};

/// Euler-Maclaurin coefficients of Cephes' `zeta`: `(2k)! / B_2k`.
const ZETA_A: [f64; 12] = [
    12.0,
    -720.0,
    30240.0,
    -1209600.0,
    47900160.0,
    -1.8924375803183791606e9,
    7.47242496e10,
    -2.950130727918164224e12,
    1.1646782814350067249e14,
    -4.5979787224074726105e15,
    1.8152105401943546773e17,
    -7.1661652561756670113e18,
];

/// The gamma family's implementations for one float type, in module `$m`: `$t` is the type
/// (`T` inside), `lgamma_c` the C library's `lgamma` as torch's scalar code calls it.
macro_rules! gamma_impl {
    ($m:ident, $t:ident, lgamma_c: $lgamma_c:path) => {
        pub(super) mod $m {
            use super::*;
            use crate::kernels::special::common::$m::*;

            type T = $t;

            /// The width of torch's `Vectorized<T>` in its sum kernel (AVX2: 8 floats, 4
            /// doubles).
            const LANES: usize = 32 / std::mem::size_of::<T>();
            /// `c10::pi<T>`.
            const PI_T: T = PI as T;

            /// `lgamma` through float64 `libm::lgamma_r` (for float32 more accurate than
            /// `lgammaf`, and closer to the SLEEF function torch calls).
            #[inline]
            pub fn lgamma(x: T) -> T {
                libm::lgamma_r(x as f64).0 as T
            }

            /// `std::lgamma` as torch's scalar code calls it (the C library's).
            #[inline]
            pub fn c_lgamma(x: T) -> T {
                $lgamma_c(x)
            }

            #[inline]
            pub fn digamma(x: T) -> T {
                const PSI_10: T = 2.25175258906672110764;
                // Written as `T` literals: torch's float version has `float` literals.
                const A: [T; 7] = [
                    8.33333333333333333333E-2,
                    -2.10927960927960927961E-2,
                    7.57575757575757575758E-3,
                    -4.16666666666666666667E-3,
                    3.96825396825396825397E-3,
                    -8.33333333333333333333E-3,
                    8.33333333333333333333E-2,
                ];
                if x == 0.0 {
                    return INF.copysign(-x);
                }
                if x < 0.0 {
                    if x == x.trunc() {
                        return NAN;
                    }
                    // The reflection's tangent in float64 for both types, of the fractional
                    // part (modf), as torch.
                    let r = (x as f64).fract();
                    let pi_over_tan = (PI / (PI * r).tan()) as T;
                    return digamma(1.0 - x) - pi_over_tan;
                }
                let mut x = x;
                let mut result: T = 0.0;
                while x < 10.0 {
                    result -= 1.0 / x;
                    x += 1.0;
                }
                if x == 10.0 {
                    return result + PSI_10;
                }
                let mut y: T = 0.0;
                if x < 1.0e17 {
                    let z = 1.0 / (x * x);
                    y = z * polevl(z, &A);
                }
                result + x.ln() - (0.5 / x) - y
            }

            /// Torch's `trigamma`: reflection below 1/2, six recurrence steps, then the
            /// asymptotic series.
            #[inline]
            pub fn trigamma(x: T) -> T {
                let mut x = x;
                let mut sign: T = 1.0;
                let mut result: T = 0.0;
                if x < 0.5 {
                    sign = -1.0;
                    let sin_pi_x = (PI_T * x).sin();
                    result -= (PI_T * PI_T) / (sin_pi_x * sin_pi_x);
                    x = 1.0 - x;
                }
                for _ in 0..6 {
                    result += 1.0 / (x * x);
                    x += 1.0;
                }
                let ixx = 1.0 / (x * x);
                let series = (-ixx).mul_add((-ixx).mul_add(1.0 / 42.0, 1.0 / 30.0), 1.0 / 6.0);
                result += ixx.mul_add(series, 1.0 + 1.0 / (2.0 * x)) / x;
                sign * result
            }

            #[inline]
            pub fn polygamma(x: T, n: i64) -> T {
                match n {
                    0 => digamma(x),
                    1 => trigamma(x),
                    n if n < 0 => NAN,
                    n => {
                        let sign: T = if n % 2 != 0 { 1.0 } else { -1.0 };
                        let fact = c_lgamma(n as T + 1.0).exp();
                        sign * fact * zeta(n.saturating_add(1) as T, x)
                    }
                }
            }

            #[inline]
            pub fn mvlgamma(x: T, p: i64) -> T {
                if p < 1 {
                    return NAN;
                }
                let p_f = p as f64;
                // The terms in torch's order: `lgamma(torch.arange(-p/2 + 1/2, 1/2, 1/2) + x)`
                // (exact halves), summed as torch's `sum(-1)` sums them.
                let term = |j: usize| lgamma((0.5 - 0.5 * p_f + 0.5 * j as f64) as T + x);
                // No term is NaN unless `x` is, and none is -inf (lgamma > -0.13), so one +inf
                // term makes the sum +inf in any order. The first two terms (the most negative
                // arguments, one step of 1/2 apart) hit a pole whenever the arguments start at a
                // non-positive integer or half-integer: that answer needs no other term (a `p` of
                // 2^31 would take half a minute per element, as torch does).
                if !x.is_nan() && (0..p.min(2) as usize).any(|j| term(j) == T::INFINITY) {
                    return T::INFINITY;
                }
                let sum = torch_row_sum(p as usize, term);
                let c = p_f * ((p - 1) as f64) * PI.ln() * 0.25;
                sum + c as T
            }

            /// Torch's CPU `sum` of a contiguous row of `n` values `v(0), ..., v(n - 1)`, in
            /// its order (`SumKernel.cpp`): a row shorter than a vector (`LANES` elements, the
            /// AVX2 width torch's sum kernel uses) goes through `row_sum`; a longer one through
            /// `vectorized_inner_sum`, which runs `row_sum` over its whole vectors lane by lane,
            /// then adds the leftover elements and then the lanes, in order.
            fn torch_row_sum(n: usize, v: impl Fn(usize) -> T) -> T {
                if n < LANES {
                    return row_sum::<1>(n, |i, _| v(i))[0];
                }
                let nvec = n / LANES;
                let lanes = row_sum::<LANES>(nvec, |i, lane| v(i * LANES + lane));
                let mut acc: T = 0.0;
                for k in nvec * LANES..n {
                    acc += v(k);
                }
                for lane in lanes {
                    acc += lane;
                }
                acc
            }

            /// Torch's `row_sum` over `size` items of `W` lanes (`v(item, lane)`): four
            /// interleaved partial sums (`multi_row_sum`), the items left over added to the
            /// first, then the four added in order.
            fn row_sum<const W: usize>(size: usize, v: impl Fn(usize, usize) -> T) -> [T; W] {
                let size_ilp = size / 4;
                let mut partial = multi_row_sum::<W>(size_ilp, |i, k, lane| v(4 * i + k, lane));
                for i in size_ilp * 4..size {
                    for (lane, p) in partial[0].iter_mut().enumerate() {
                        *p += v(i, lane);
                    }
                }
                let [mut first, rest @ ..] = partial;
                for r in rest {
                    for (f, r) in first.iter_mut().zip(r) {
                        *f += r;
                    }
                }
                first
            }

            /// Torch's `multi_row_sum` (4 rows of `W` lanes): a cascade of 4 levels of
            /// accumulators, each level receiving the one below every `2^level_power` items.
            fn multi_row_sum<const W: usize>(
                size: usize,
                v: impl Fn(usize, usize, usize) -> T,
            ) -> [[T; W]; 4] {
                const LEVELS: usize = 4;
                // utils::CeilLog2.
                let ceil_log2 = if size <= 2 {
                    1
                } else {
                    (usize::BITS - (size - 1).leading_zeros()) as usize
                };
                let level_power = (ceil_log2 / LEVELS).max(4);
                let level_step = 1usize << level_power;
                let level_mask = level_step - 1;
                let mut acc = [[[0.0 as T; W]; 4]; LEVELS];
                let add_item = |acc: &mut [[T; W]; 4], i: usize| {
                    for (k, row) in acc.iter_mut().enumerate() {
                        for (lane, a) in row.iter_mut().enumerate() {
                            *a += v(i, k, lane);
                        }
                    }
                };
                let mut i = 0;
                while i + level_step <= size {
                    for _ in 0..level_step {
                        add_item(&mut acc[0], i);
                        i += 1;
                    }
                    for j in 1..LEVELS {
                        let (lower, upper) = acc.split_at_mut(j);
                        for (u, l) in upper[0].iter_mut().zip(lower[j - 1].iter_mut()) {
                            for (u, l) in u.iter_mut().zip(l.iter_mut()) {
                                *u += *l;
                                *l = 0.0;
                            }
                        }
                        let mask = level_mask
                            .checked_shl((j * level_power) as u32)
                            .unwrap_or(0);
                        if i & mask != 0 {
                            break;
                        }
                    }
                }
                while i < size {
                    add_item(&mut acc[0], i);
                    i += 1;
                }
                let [mut first, rest @ ..] = acc;
                for level in rest {
                    for (f, l) in first.iter_mut().zip(level) {
                        for (f, l) in f.iter_mut().zip(l) {
                            *f += l;
                        }
                    }
                }
                first
            }

            /// Torch's `zeta` with its float64 accumulator (`acc_type<float>` is `double` on the
            /// CPU), rounded to `T` at the end.
            #[inline]
            pub fn zeta(x: T, q: T) -> T {
                // `std::pow(q, -x)` has both operands in `T` (float pow for float32); the rest
                // of the sum runs in float64.
                super::zeta64(x as f64, q as f64, q.powf(-x) as f64) as T
            }
        }
    };
}

gamma_impl!(imp32, f32, lgamma_c: lgamma_c32);
gamma_impl!(imp64, f64, lgamma_c: lgamma_c64);

/// Cephes' Hurwitz zeta as torch runs it, in float64: the direct sum up to at least 9 terms and
/// `a > 9`, then the Euler-Maclaurin tail. `first` is the sum's first term `q^-x`, which torch
/// computes in the input type.
fn zeta64(x: f64, q: f64, first: f64) -> f64 {
    const MACHEP: f64 = 1.11022302462515654042E-16;
    if x == 1.0 {
        return f64::INFINITY;
    }
    if x < 1.0 {
        return f64::NAN;
    }
    if q <= 0.0 {
        if q == q.floor() {
            return f64::INFINITY;
        }
        if x != x.floor() {
            return f64::NAN;
        }
    }
    let mut s = first;
    let mut a = q;
    let mut i = 0;
    let mut b = 0.0;
    while i < 9 || a <= 9.0 {
        i += 1;
        a += 1.0;
        b = a.powf(-x);
        s += b;
        if -MACHEP * s < b && b < MACHEP * s {
            return s;
        }
    }
    let w = a;
    s += b * w / (x - 1.0);
    s = (-0.5f64).mul_add(b, s);
    let mut a = 1.0;
    let mut k = 0.0;
    for c in ZETA_A {
        a *= x + k;
        b /= w;
        let t = a * b / c;
        s += t;
        if (t / s).abs() < MACHEP {
            return s;
        }
        k += 1.0;
        a *= x + k;
        b /= w;
        k += 1.0;
    }
    s
}
