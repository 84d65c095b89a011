//! Vectorisable float math: `exp`, `log`, `tanh`, `erf`, ... as straight-line element functions
//! that LLVM turns into SIMD code once they are inlined into a loop over contiguous memory built
//! for AVX2+FMA or AVX-512 ([`map_f32`] and [`map_f64`] are such loops, dispatched at run time).
//!
//! The accuracy relies on fused multiply-adds: called from code built without FMA (a plain
//! x86-64 build outside [`map_f32`] / [`map_f64`], or those on a CPU without FMA), each
//! `mul_add` is a call to libm's software `fma`, correct but slow.
//!
//! Every function is branch-free: special inputs (±0, ±inf, NaN, overflow, underflow, subnormals)
//! are handled by clamping and by selects (`if c { a } else { b }` on values, which compiles to
//! blends), powers of two are built from integer bits (`to_bits` / `from_bits`), polynomials are
//! Horner chains of `mul_add` (fused under FMA, which the accuracy relies on), and there are no
//! table lookups (which would need gathers).
//!
//! # Algorithms
//! - `exp`, `expm1`: `x = n ln2 + r`, `|r| <= ln2/2`, with `n` rounded by adding 1.5 * 2^52
//!   (2^23 for f32) and `ln2` in two parts so that `n ln2` is exact; `e^r - 1 = r + r^2 q(r)`.
//!   `exp = (1 + (e^r - 1)) 2^n` with `2^n` applied as two factors so that results near overflow
//!   and in the subnormal range come out right; `expm1 = 2 (2^(n-1) (e^r - 1) + (2^(n-1) - 1/2))`
//!   in one fused step.
//! - `exp2`: `x = n + r`, `|r| <= 1/2`, `2^r = 1 + r q(r)`.
//! - `log` family (fdlibm's scheme): `x = 2^k m`, `m` in `[sqrt(1/2), sqrt(2))`, `f = m - 1`,
//!   `s = f / (2 + f)`, `log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2))`; `log1p` adds the rounding
//!   error of `1 + x` back as `c / (1 + x)`; `log2` and `log10` multiply `log(m)`, split in a high
//!   part with few bits and a low part, by `1/ln 2` or `1/ln 10` split the same way.
//! - `sigmoid`: `e = exp(-|x|)` never overflows; `1 / (1 + e)` for `x >= 0`, `e / (1 + e)` below.
//! - `tanh`: `|x| + |x|^3 P(x^2)` below 0.55; above, `t / (t + 2)` with `t = expm1(2|x|)`, the
//!   quotient corrected for the rounding of `t + 2`; then the sign of `x`.
//! - `erf`, `erfc` (both in float64 arithmetic; the float32 versions use shorter fits and round
//!   at the end): `erf(x) = x + x P(x^2)` for `|x| < 1/2`, `erfc = 1 - erf` there. Above,
//!   `erfc(a) = e^(-a^2) G(a)` with `a^2` kept exact in two parts (the low part goes into the
//!   reduced argument of the exponential), and `G` rational: `P(a - 1/2) / Q(a - 1/2)` on
//!   `[1/2, 2)`, `(1/sqrt(pi) + u P(u) / Q(u)) u` with `u = 1/a` beyond (the coefficients are
//!   selected per lane; for float32 results one rational in `a` suffices). `erf = 1 - erfc`
//!   there, `erfc(-a) = 2 - erfc(a)`.
//!
//! The polynomial and rational coefficients are minimax fits computed for this module (Remez
//! exchange for the polynomials, iteratively reweighted linearised least squares for the
//! rationals, in 50-digit mpmath arithmetic, then rounded to the target type); the fits are
//! short scripts not kept in the repository. The measured accuracy of each function is in the
//! doc of its [`VMath`] method and is checked by this module's tests.
//!
//! Not here: `sin` and `cos`, whose reduction for every finite input (Payne-Hanek) needs more
//! than this module's straight-line style was made to carry so far.

/// Horner's rule with fused multiply-adds: `horner!(T; x; c0, c1, ..., cn)` is
/// `c0 + x (c1 + x (... + x cn))`, with the coefficients typed as `T`. `x` must be a plain
/// variable (it is evaluated once per coefficient).
macro_rules! horner {
    ($t:ty; $x:ident; $c:expr) => {{
        let c: $t = $c;
        c
    }};
    ($t:ty; $x:ident; $c:expr, $($rest:expr),+) => {{
        let c: $t = $c;
        horner!($t; $x; $($rest),+).mul_add($x, c)
    }};
}

/// Float math whose element functions vectorise (see the module doc). Implemented for `f32` and
/// `f64`; every method is `#[inline(always)]` so that it is compiled into the caller's loop with
/// the caller's target features.
///
/// The accuracies in each method's doc were measured by this module's tests (every 997th float32
/// bit pattern plus 200k samples; 400k float64 samples), as "f32 a / b, f64 c / d": `a` is the
/// largest distance in ulps from the float64 function rounded to float32, `b` the largest error
/// against the unrounded float64 value; `c` the largest distance from std's (or the `libm`
/// crate's) float64 function, whose own errors reach 1.6 ulp for `log10`, 2.1 for `tanh` and
/// 2.7 for `erfc`, and `d` the largest error against 40-digit mpmath values on a 4,000-point
/// sample of each function's disagreements with std (all of them where they were 2 ulp or more).
pub trait VMath: Copy {
    /// `e^x`. Overflows to `inf` above `ln(MAX)` (88.72 in f32, 709.78 in f64), gives subnormals
    /// and then `+0` below. Max error: f32 1 / 1.02 ulp, f64 1 / 0.93 ulp.
    fn v_exp(self) -> Self;
    /// `e^x - 1`, accurate near 0 (`expm1(-0) = -0`), `-1` for large negative `x`, `inf` on
    /// overflow. Max error: f32 1 / 1.16 ulp, f64 1 / 1.07 ulp.
    fn v_expm1(self) -> Self;
    /// `2^x`, exact for integer `x`. Max error: f32 1 / 0.87 ulp, f64 1 / 0.90 ulp.
    fn v_exp2(self) -> Self;
    /// Natural logarithm: `NaN` below 0, `-inf` at ±0, `inf` at `inf`; subnormals are exact
    /// inputs. Max error: f32 1 / 0.79 ulp, f64 1 / 0.79 ulp.
    fn v_log(self) -> Self;
    /// `ln(1 + x)`, accurate near 0 (`log1p(-0) = -0`), `-inf` at `-1`, `NaN` below.
    /// Max error: f32 1 / 0.81 ulp, f64 1 / 0.79 ulp.
    fn v_log1p(self) -> Self;
    /// Base-2 logarithm, exact at powers of two. Max error: f32 1 / 1.04 ulp, f64 1 / 1.04 ulp.
    fn v_log2(self) -> Self;
    /// Base-10 logarithm. Max error: f32 1 / 1.48 ulp, f64 2 / 1.48 ulp.
    fn v_log10(self) -> Self;
    /// The logistic function `1 / (1 + e^-x)`, without overflow: 0 at `-inf`, 1 at `inf`, `NaN`
    /// for `NaN`. Max error (relative, in ulps of the result): f32 1 / 1.46 ulp, f64 2 / 1.40
    /// ulp (the f64 reference is itself `e / (1 + e)` with a corrected quotient, good to about
    /// 1.3 ulp).
    fn v_sigmoid(self) -> Self;
    /// Hyperbolic tangent, odd (`tanh(-0) = -0`), ±1 beyond saturation.
    /// Max error: f32 1 / 0.78 ulp, f64 2 / 0.72 ulp.
    fn v_tanh(self) -> Self;
    /// The error function, odd (`erf(-0) = -0`), ±1 at ±inf. Max error: f32 1 / 0.50 ulp,
    /// f64 2 / 1.87 ulp.
    fn v_erf(self) -> Self;
    /// The complementary error function `1 - erf(x)`, with relative accuracy for large `x` down
    /// to the subnormals (`erfc(10) = 2.09e-45` in f64), 2 at `-inf`, `+0` at `inf`.
    /// Max error: f32 1 / 0.50 ulp, f64 4 / 3.11 ulp (the largest near `x = 1.76`).
    fn v_erfc(self) -> Self;
}

/// `dst[i] = f(src[i])` over the first `min(src.len(), dst.len())` elements, with the loop
/// compiled for AVX-512 or AVX2+FMA when the CPU has them (checked at run time), so that an
/// `#[inline(always)]` element function such as [`VMath::v_exp`] is vectorised:
/// `map_f32(&x, &mut y, f32::v_exp)`. Pass a function item or closure, not a `fn` pointer
/// (which would be called, not inlined).
///
/// On an x86-64 CPU without FMA the baseline copy runs, and there every `mul_add` of the
/// [`VMath`] functions is a call to libm's software `fma`: the results are the same, but about
/// ten times slower than std's scalar functions (measured: exp 31 ns per element).
pub fn map_f32(src: &[f32], dst: &mut [f32], f: impl Fn(f32) -> f32 + Copy) {
    map(src, dst, f)
}

/// [`map_f32`] for float64.
pub fn map_f64(src: &[f64], dst: &mut [f64], f: impl Fn(f64) -> f64 + Copy) {
    map(src, dst, f)
}

/// The run-time dispatch of [`map_f32`] and [`map_f64`].
#[inline(always)]
fn map<T: Copy>(src: &[T], dst: &mut [T], f: impl Fn(T) -> T + Copy) {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
        {
            // SAFETY: `map_avx512` only requires the target features it is compiled with, and
            // the CPU was just found to have every one of them.
            unsafe { map_avx512(src, dst, f) };
            return;
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            // SAFETY: `map_avx2` only requires AVX2 and FMA, its target features, and the CPU
            // was just found to have both.
            unsafe { map_avx2(src, dst, f) };
            return;
        }
    }
    map_loop(src, dst, f)
}

/// The loop itself, compiled into each copy below with that copy's target features.
#[inline(always)]
fn map_loop<T: Copy>(src: &[T], dst: &mut [T], f: impl Fn(T) -> T) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = f(s);
    }
}

/// [`map_loop`] built for AVX-512 (F, DQ, VL) with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
fn map_avx512<T: Copy>(src: &[T], dst: &mut [T], f: impl Fn(T) -> T) {
    map_loop(src, dst, f)
}

/// [`map_loop`] built for AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn map_avx2<T: Copy>(src: &[T], dst: &mut [T], f: impl Fn(T) -> T) {
    map_loop(src, dst, f)
}

// ---------------------------------------------------------------------------------------------
// float32
// ---------------------------------------------------------------------------------------------

mod f32k {
    /// 1.5 * 2^23: adding it rounds a float32 below 2^22 in magnitude to an integer, which the
    /// low bits of the sum then hold.
    const SHIFT: f32 = 12_582_912.0;
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    /// ln 2 = `LN2_HI + LN2_LO`, `LN2_HI` with 9 significant bits (Cody and Waite's split), so
    /// that `n LN2_HI` is exact for every `n` the reductions meet.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;

    /// `2^n` for `n` in `-126..=127`.
    #[inline(always)]
    fn pow2i(n: i32) -> f32 {
        f32::from_bits((n.wrapping_add(127) as u32) << 23)
    }

    /// `q(r)` with `e^r - 1 = r + r^2 q(r)` for `|r| <= ln2/2` (minimax, relative error of
    /// `e^r - 1` 2^-26.2).
    #[inline(always)]
    fn expm1_q(r: f32) -> f32 {
        horner!(f32; r; 0.49999997, 0.16666543, 0.0416672, 0.0083665475, 0.0013882517)
    }

    /// `h (e^r - 1) + (h - 1/2)`, that is `(e^x - 1) / 2` for `x = n ln2 + r`, `h = 2^(n-1)`,
    /// rounded once: `(h - 1/2) + h r` is summed exactly (Fast2Sum: `|h - 1/2| >= |h r|` for
    /// every `n`), and only the small `h r^2 q` is added to its rounding error.
    #[inline(always)]
    fn expm1_tail(h: f32, r: f32, q: f32) -> f32 {
        let a = h - 0.5;
        let b = h * r;
        let s = a + b;
        let e = b - (s - a);
        s + (b * r).mul_add(q, e)
    }

    /// `x = n ln2 + r`: returns `(r, n)` with `n` an integer.
    #[inline(always)]
    fn reduce_ln2(x: f32) -> (f32, i32) {
        let t = x.mul_add(LOG2E, SHIFT);
        let n = t - SHIFT;
        let r = n.mul_add(-LN2_HI, x);
        let r = n.mul_add(-LN2_LO, r);
        let ni = (t.to_bits() as i32).wrapping_sub(SHIFT.to_bits() as i32);
        (r, ni)
    }

    /// `y 2^n` for `n` in `-252..=254`, rounded once: the two factors are normal numbers.
    #[inline(always)]
    fn scale(y: f32, n: i32) -> f32 {
        let n1 = n >> 1;
        y * pow2i(n1) * pow2i(n.wrapping_sub(n1))
    }

    #[inline(always)]
    pub fn exp(x: f32) -> f32 {
        // Beyond these the result is inf or 0 anyway; the comparisons keep NaN.
        let x = if x > 89.0 { 89.0 } else { x };
        let x = if x < -110.0 { -110.0 } else { x };
        let (r, n) = reduce_ln2(x);
        scale(1.0 + (r * r).mul_add(expm1_q(r), r), n)
    }

    #[inline(always)]
    pub fn expm1(x: f32) -> f32 {
        // Below -30 the result is -1 in float32; the clamp keeps 2^(n-1) normal.
        let xc = if x > 89.0 { 89.0 } else { x };
        let xc = if xc < -30.0 { -30.0 } else { xc };
        let (r, n) = reduce_ln2(xc);
        let h = pow2i(n.wrapping_sub(1));
        let y = 2.0 * expm1_tail(h, r, expm1_q(r));
        // expm1(x) rounds to x below 2^-25 (and the sum above would lose the sign of -0 and
        // the bits of subnormals).
        if x.abs() < 2.9e-8 {
            x
        } else {
            y
        }
    }

    #[inline(always)]
    pub fn exp2(x: f32) -> f32 {
        let x = if x > 129.0 { 129.0 } else { x };
        let x = if x < -160.0 { -160.0 } else { x };
        let t = x + SHIFT;
        let n = t - SHIFT;
        let r = x - n;
        let q = horner!(f32; r; std::f32::consts::LN_2, 0.24022648, 0.05550339, 0.009618456, 0.0013397029,
            0.00015346799);
        let ni = (t.to_bits() as i32).wrapping_sub(SHIFT.to_bits() as i32);
        scale(r.mul_add(q, 1.0), ni)
    }

    /// The pieces of `ln x` for finite `x > 0` (subnormals included): `x = 2^k (1 + f)` with
    /// `1 + f` in `[sqrt(1/2), sqrt(2))`, returned as `(k, f, hfsq, tail)` where
    /// `ln(1 + f) = f - hfsq + tail`, `hfsq = f^2/2` and `tail` is small.
    #[inline(always)]
    fn log_parts(x: f32) -> (f32, f32, f32, f32) {
        let sub = x < f32::MIN_POSITIVE;
        let xs = if sub { x * 8_388_608.0 } else { x };
        // Offsetting the bits moves the exponent's step from 1 to sqrt(1/2).
        let ix = (xs.to_bits() as i32).wrapping_add(0x3f80_0000 - 0x3f35_04f3);
        let k = (ix >> 23).wrapping_sub(0x7f);
        let k = if sub { k.wrapping_sub(23) } else { k };
        let m = f32::from_bits(((ix & 0x007f_ffff) + 0x3f35_04f3) as u32);
        let f = m - 1.0;
        let (hfsq, tail) = log1p_core(f);
        (k as f32, f, hfsq, tail)
    }

    /// For `f` in `[sqrt(1/2) - 1, sqrt(2) - 1)`: `(f^2/2, tail)` with
    /// `ln(1 + f) = f - f^2/2 + tail`.
    #[inline(always)]
    fn log1p_core(f: f32) -> (f32, f32) {
        let s = f / (2.0 + f);
        let z = s * s;
        // R(z) = (2 atanh(s) - 2s) / s, minimax relative error 2^-29.5.
        let r = z * horner!(f32; z; 0.66666704, 0.39984637, 0.29711422);
        let hfsq = 0.5 * f * f;
        (hfsq, s * (hfsq + r))
    }

    /// Replaces the result for the inputs outside `(0, inf)`: `NaN` below 0 and for `NaN`,
    /// `-inf` at ±0, `inf` at `inf`.
    #[inline(always)]
    fn log_specials(x: f32, y: f32) -> f32 {
        let y = if x == f32::INFINITY { x } else { y };
        let y = if x == 0.0 { f32::NEG_INFINITY } else { y };
        if x < 0.0 || x.is_nan() {
            f32::NAN
        } else {
            y
        }
    }

    #[inline(always)]
    pub fn log(x: f32) -> f32 {
        const LN2_HI: f32 = 0.693_115_23;
        const LN2_LO: f32 = 3.194_618_3e-5;
        let (k, f, hfsq, tail) = log_parts(x);
        let y = k.mul_add(LN2_HI, (tail + k * LN2_LO - hfsq) + f);
        log_specials(x, y)
    }

    /// `log(m) = hi + lo` with `hi` of 12 significant bits, so that its products with the
    /// 12-bit high parts of the constants below are exact.
    #[inline(always)]
    fn split_log(f: f32, hfsq: f32, tail: f32) -> (f32, f32) {
        let hi = f32::from_bits((f - hfsq).to_bits() & 0xffff_f000);
        let lo = (f - hi) - hfsq + tail;
        (hi, lo)
    }

    #[inline(always)]
    pub fn log2(x: f32) -> f32 {
        const IVLN2_HI: f32 = 1.442_871_1;
        const IVLN2_LO: f32 = -1.760_528_5e-4;
        let (k, f, hfsq, tail) = log_parts(x);
        let (hi, lo) = split_log(f, hfsq, tail);
        let y = (lo + hi).mul_add(IVLN2_LO, lo * IVLN2_HI) + hi.mul_add(IVLN2_HI, k);
        log_specials(x, y)
    }

    #[inline(always)]
    pub fn log10(x: f32) -> f32 {
        const IVLN10_HI: f32 = 0.434_326_17;
        const IVLN10_LO: f32 = -3.168_997e-5;
        const LOG10_2_HI: f32 = 0.301_025_4;
        const LOG10_2_LO: f32 = 4.605_039e-6;
        let (k, f, hfsq, tail) = log_parts(x);
        let (hi, lo) = split_log(f, hfsq, tail);
        let small = k.mul_add(LOG10_2_LO, (lo + hi).mul_add(IVLN10_LO, lo * IVLN10_HI));
        let y = small + hi.mul_add(IVLN10_HI, k * LOG10_2_HI);
        log_specials(x, y)
    }

    #[inline(always)]
    pub fn log1p(x: f32) -> f32 {
        const LN2_HI: f32 = 0.693_115_23;
        const LN2_LO: f32 = 3.194_618_3e-5;
        let u = 1.0 + x;
        // u = 2^k m as in `log_parts` (u >= 0 here unless x < -1, which is NaN below).
        let iu = (u.to_bits() as i32).wrapping_add(0x3f80_0000 - 0x3f35_04f3);
        let k = (iu >> 23).wrapping_sub(0x7f);
        let m = f32::from_bits(((iu & 0x007f_ffff) + 0x3f35_04f3) as u32);
        // The rounding error of 1 + x, relative to u: ln(u + c) = ln(u) + c/u.
        let c = if k >= 2 { 1.0 - (u - x) } else { x - (u - 1.0) };
        let c = c / u;
        let f = m - 1.0;
        let (hfsq, tail) = log1p_core(f);
        let k = k as f32;
        let y = k.mul_add(LN2_HI, (tail + k.mul_add(LN2_LO, c) - hfsq) + f);
        let y = if x == f32::INFINITY { x } else { y };
        let y = if x == -1.0 { f32::NEG_INFINITY } else { y };
        let y = if x < -1.0 || x.is_nan() { f32::NAN } else { y };
        // ±0 (and nothing else) comes back unchanged, sign included.
        if x == 0.0 {
            x
        } else {
            y
        }
    }

    #[inline(always)]
    pub fn sigmoid(x: f32) -> f32 {
        let e = exp(-x.abs());
        let num = if x < 0.0 { e } else { 1.0 };
        // num / (1 + e), with the rounding error of 1 + e (Fast2Sum, e <= 1) and of the
        // quotient corrected once.
        let d = 1.0 + e;
        let dl = (1.0 - d) + e;
        let inv = 1.0 / d;
        let q = num * inv;
        let res = q.mul_add(-d, num) - q * dl;
        res.mul_add(inv, q)
    }

    #[inline(always)]
    pub fn tanh(x: f32) -> f32 {
        // tanh(10) rounds to 1; the clamp keeps expm1 finite (and keeps NaN).
        let a = x.abs();
        let a = if a > 10.0 { 10.0 } else { a };
        // Below 0.55: tanh a = a + a^3 P(a^2) (minimax, relative error 2^-29.3).
        let z = a * a;
        let p = horner!(f32; z; -0.33333328, 0.133329, -0.053880107, 0.021172192, -0.006402269);
        let small = (a * z).mul_add(p, a);
        // Above: t / (t + 2) with t = e^(2a) - 1 >= 2, the quotient refined once with the
        // rounding error of t + 2.
        let t = expm1(2.0 * a);
        let d = t + 2.0;
        let dl = (t - d) + 2.0;
        let inv = 1.0 / d;
        let q = t * inv;
        let res = q.mul_add(-d, t) - q * dl;
        let large = res.mul_add(inv, q);
        (if a < 0.55 { small } else { large }).copysign(x)
    }
}

// ---------------------------------------------------------------------------------------------
// float64
// ---------------------------------------------------------------------------------------------

mod f64k {
    /// 1.5 * 2^52: adding it rounds a float64 below 2^51 in magnitude to an integer, which the
    /// low bits of the sum then hold.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    /// ln 2 = `LN2_HI + LN2_LO` (fdlibm's split: `LN2_HI` has 32 significant bits).
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

    /// `2^n` for `n` in `-1022..=1023`.
    #[inline(always)]
    fn pow2i(n: i64) -> f64 {
        f64::from_bits((n.wrapping_add(1023) as u64) << 52)
    }

    /// The integer in the low bits of `t = n + SHIFT`.
    #[inline(always)]
    fn shifted_int(t: f64) -> i64 {
        (t.to_bits() as i64).wrapping_sub(SHIFT.to_bits() as i64)
    }

    /// `q(r)` with `e^r - 1 = r + r^2 q(r)` for `|r| <= ln2/2` (minimax, relative error of
    /// `e^r - 1` 2^-61.7).
    #[inline(always)]
    pub(super) fn expm1_q(r: f64) -> f64 {
        horner!(f64; r; 0.5, 0.16666666666666674, 0.04166666666666655,
            0.008333333333322437, 0.0013888888888950652, 0.00019841269884366756,
            2.48015871867038e-05, 2.7557245784713155e-06, 2.755739491905836e-07,
            2.510853900776743e-08, 2.087685769130787e-09)
    }

    /// As the float32 `expm1_tail`.
    #[inline(always)]
    fn expm1_tail(h: f64, r: f64, q: f64) -> f64 {
        let a = h - 0.5;
        let b = h * r;
        let s = a + b;
        let e = b - (s - a);
        s + (b * r).mul_add(q, e)
    }

    /// `x = n ln2 + r`: returns `(r, n as f64, n)`.
    #[inline(always)]
    pub(super) fn reduce_ln2(x: f64) -> (f64, f64, i64) {
        let t = x.mul_add(LOG2E, SHIFT);
        let n = t - SHIFT;
        let r = n.mul_add(-LN2_HI, x);
        let r = n.mul_add(-LN2_LO, r);
        (r, n, shifted_int(t))
    }

    /// `y 2^n` for `n` in `-2044..=2046` (`nf` is `n` as a float), rounded once: the two
    /// factors are normal numbers. (The halving is done in floating point: AVX2 has no 64-bit
    /// arithmetic shift.)
    #[inline(always)]
    pub(super) fn scale(y: f64, nf: f64, n: i64) -> f64 {
        let n1 = shifted_int(nf.mul_add(0.5, SHIFT));
        y * pow2i(n1) * pow2i(n.wrapping_sub(n1))
    }

    #[inline(always)]
    pub fn exp(x: f64) -> f64 {
        let x = if x > 710.0 { 710.0 } else { x };
        let x = if x < -760.0 { -760.0 } else { x };
        let (r, nf, n) = reduce_ln2(x);
        scale(1.0 + (r * r).mul_add(expm1_q(r), r), nf, n)
    }

    #[inline(always)]
    pub fn expm1(x: f64) -> f64 {
        let xc = if x > 710.0 { 710.0 } else { x };
        let xc = if xc < -60.0 { -60.0 } else { xc };
        let (r, _, n) = reduce_ln2(xc);
        let h = pow2i(n.wrapping_sub(1));
        let y = 2.0 * expm1_tail(h, r, expm1_q(r));
        // expm1(x) rounds to x below 2^-54.
        if x.abs() < 5.5e-17 {
            x
        } else {
            y
        }
    }

    #[inline(always)]
    pub fn exp2(x: f64) -> f64 {
        let x = if x > 1025.0 { 1025.0 } else { x };
        let x = if x < -1080.0 { -1080.0 } else { x };
        let t = x + SHIFT;
        let n = t - SHIFT;
        let r = x - n;
        let q = horner!(f64; r; std::f64::consts::LN_2, 0.24022650695910125, 0.05550410866482048,
            0.009618129107596352, 0.0013333558146721464, 0.00015403530454768314,
            1.5252733524510586e-05, 1.321543629217485e-06, 1.0178191196798147e-07,
            7.073629619494689e-09, 4.43558492531881e-10);
        scale(r.mul_add(q, 1.0), n, shifted_int(t))
    }

    /// `k` from the biased exponent field `e` (0..=2047, as the low bits of a u64) minus `bias`:
    /// built from bits, since AVX2 cannot convert 64-bit integers to floats.
    #[inline(always)]
    fn exponent_value(e: u64, bias: f64) -> f64 {
        // 2^52 + e, exactly.
        f64::from_bits(0x4330_0000_0000_0000 | (e & 0xfff)) - (4_503_599_627_370_496.0 + bias)
    }

    /// `x = 2^k m`, `m` in `[sqrt(1/2), sqrt(2))`, for finite `x > 0` (subnormals included):
    /// returns `(k, f = m - 1, hfsq, tail)` with `ln m = f - hfsq + tail` (see `log1p_core`).
    #[inline(always)]
    fn log_parts(x: f64) -> (f64, f64, f64, f64) {
        let sub = x < f64::MIN_POSITIVE;
        let xs = if sub { x * 4_503_599_627_370_496.0 } else { x };
        let ix = xs
            .to_bits()
            .wrapping_add(0x3ff0_0000_0000_0000 - 0x3fe6_a09e_667f_3bcd);
        let bias = if sub { 1023.0 + 52.0 } else { 1023.0 };
        let k = exponent_value(ix >> 52, bias);
        let m = f64::from_bits((ix & 0x000f_ffff_ffff_ffff).wrapping_add(0x3fe6_a09e_667f_3bcd));
        let f = m - 1.0;
        let (hfsq, tail) = log1p_core(f);
        (k, f, hfsq, tail)
    }

    /// For `f` in `[sqrt(1/2) - 1, sqrt(2) - 1)`: `(f^2/2, tail)` with
    /// `ln(1 + f) = f - f^2/2 + tail`.
    #[inline(always)]
    fn log1p_core(f: f64) -> (f64, f64) {
        let s = f / (2.0 + f);
        let z = s * s;
        // R(z) = (2 atanh(s) - 2s) / s, minimax relative error 2^-58.7.
        let r = z * horner!(f64; z; 0.6666666666666673, 0.3999999999982691, 0.2857142865428174,
            0.22222207175334902, 0.18183139346282867, 0.15324405901270421, 0.14697006105027735);
        let hfsq = 0.5 * f * f;
        (hfsq, s * (hfsq + r))
    }

    /// As the float32 `log_specials`.
    #[inline(always)]
    fn log_specials(x: f64, y: f64) -> f64 {
        let y = if x == f64::INFINITY { x } else { y };
        let y = if x == 0.0 { f64::NEG_INFINITY } else { y };
        if x < 0.0 || x.is_nan() {
            f64::NAN
        } else {
            y
        }
    }

    #[inline(always)]
    pub fn log(x: f64) -> f64 {
        let (k, f, hfsq, tail) = log_parts(x);
        let y = k.mul_add(LN2_HI, (tail + k * LN2_LO - hfsq) + f);
        log_specials(x, y)
    }

    /// `log(m) = hi + lo` with `hi` of 21 significant bits, so that its products with the
    /// 32-bit high parts of the constants below are exact.
    #[inline(always)]
    fn split_log(f: f64, hfsq: f64, tail: f64) -> (f64, f64) {
        let hi = f64::from_bits((f - hfsq).to_bits() & 0xffff_ffff_0000_0000);
        let lo = (f - hi) - hfsq + tail;
        (hi, lo)
    }

    #[inline(always)]
    pub fn log2(x: f64) -> f64 {
        const IVLN2_HI: f64 = 1.4426950407214463;
        const IVLN2_LO: f64 = 1.6751713164886512e-10;
        let (k, f, hfsq, tail) = log_parts(x);
        let (hi, lo) = split_log(f, hfsq, tail);
        let y = (lo + hi).mul_add(IVLN2_LO, lo * IVLN2_HI) + hi.mul_add(IVLN2_HI, k);
        log_specials(x, y)
    }

    #[inline(always)]
    pub fn log10(x: f64) -> f64 {
        const IVLN10_HI: f64 = 0.4342944818781689;
        const IVLN10_LO: f64 = 2.5082946711645275e-11;
        const LOG10_2_HI: f64 = 0.3010299956658855;
        const LOG10_2_LO: f64 = -1.9043128467164274e-12;
        let (k, f, hfsq, tail) = log_parts(x);
        let (hi, lo) = split_log(f, hfsq, tail);
        let small = k.mul_add(LOG10_2_LO, (lo + hi).mul_add(IVLN10_LO, lo * IVLN10_HI));
        let y = small + hi.mul_add(IVLN10_HI, k * LOG10_2_HI);
        log_specials(x, y)
    }

    #[inline(always)]
    pub fn log1p(x: f64) -> f64 {
        let u = 1.0 + x;
        let iu = u
            .to_bits()
            .wrapping_add(0x3ff0_0000_0000_0000 - 0x3fe6_a09e_667f_3bcd);
        let k = exponent_value(iu >> 52, 1023.0);
        let m = f64::from_bits((iu & 0x000f_ffff_ffff_ffff).wrapping_add(0x3fe6_a09e_667f_3bcd));
        let c = if k >= 2.0 {
            1.0 - (u - x)
        } else {
            x - (u - 1.0)
        };
        let c = c / u;
        let f = m - 1.0;
        let (hfsq, tail) = log1p_core(f);
        let y = k.mul_add(LN2_HI, (tail + k.mul_add(LN2_LO, c) - hfsq) + f);
        let y = if x == f64::INFINITY { x } else { y };
        let y = if x == -1.0 { f64::NEG_INFINITY } else { y };
        let y = if x < -1.0 || x.is_nan() { f64::NAN } else { y };
        if x == 0.0 {
            x
        } else {
            y
        }
    }

    #[inline(always)]
    pub fn sigmoid(x: f64) -> f64 {
        let e = exp(-x.abs());
        let num = if x < 0.0 { e } else { 1.0 };
        // num / (1 + e), with the rounding error of 1 + e (Fast2Sum, e <= 1) and of the
        // quotient corrected once.
        let d = 1.0 + e;
        let dl = (1.0 - d) + e;
        let inv = 1.0 / d;
        let q = num * inv;
        let res = q.mul_add(-d, num) - q * dl;
        res.mul_add(inv, q)
    }

    #[inline(always)]
    pub fn tanh(x: f64) -> f64 {
        let a = x.abs();
        let a = if a > 20.0 { 20.0 } else { a };
        // As the float32 tanh; P has minimax relative error 2^-60.
        let z = a * a;
        let p = horner!(f64; z; -0.3333333333333333, 0.1333333333333176, -0.05396825396648423,
            0.021869488457117715, -0.00886323367632927, 0.0035921021050991397,
            -0.0014556034846716823, 0.0005886792246352152, -0.0002339467282924739,
            8.408672741399032e-05, -1.9948797162973957e-05);
        let small = (a * z).mul_add(p, a);
        let t = expm1(2.0 * a);
        let d = t + 2.0;
        let dl = (t - d) + 2.0;
        let inv = 1.0 / d;
        let q = t * inv;
        let res = q.mul_add(-d, t) - q * dl;
        let large = res.mul_add(inv, q);
        (if a < 0.55 { small } else { large }).copysign(x)
    }
}

impl VMath for f32 {
    #[inline(always)]
    fn v_exp(self) -> f32 {
        f32k::exp(self)
    }
    #[inline(always)]
    fn v_expm1(self) -> f32 {
        f32k::expm1(self)
    }
    #[inline(always)]
    fn v_exp2(self) -> f32 {
        f32k::exp2(self)
    }
    #[inline(always)]
    fn v_log(self) -> f32 {
        f32k::log(self)
    }
    #[inline(always)]
    fn v_log1p(self) -> f32 {
        f32k::log1p(self)
    }
    #[inline(always)]
    fn v_log2(self) -> f32 {
        f32k::log2(self)
    }
    #[inline(always)]
    fn v_log10(self) -> f32 {
        f32k::log10(self)
    }
    #[inline(always)]
    fn v_sigmoid(self) -> f32 {
        f32k::sigmoid(self)
    }
    #[inline(always)]
    fn v_tanh(self) -> f32 {
        f32k::tanh(self)
    }
    #[inline(always)]
    fn v_erf(self) -> f32 {
        erf::erf::<true>(self as f64) as f32
    }
    #[inline(always)]
    fn v_erfc(self) -> f32 {
        erf::erfc::<true>(self as f64) as f32
    }
}

impl VMath for f64 {
    #[inline(always)]
    fn v_exp(self) -> f64 {
        f64k::exp(self)
    }
    #[inline(always)]
    fn v_expm1(self) -> f64 {
        f64k::expm1(self)
    }
    #[inline(always)]
    fn v_exp2(self) -> f64 {
        f64k::exp2(self)
    }
    #[inline(always)]
    fn v_log(self) -> f64 {
        f64k::log(self)
    }
    #[inline(always)]
    fn v_log1p(self) -> f64 {
        f64k::log1p(self)
    }
    #[inline(always)]
    fn v_log2(self) -> f64 {
        f64k::log2(self)
    }
    #[inline(always)]
    fn v_log10(self) -> f64 {
        f64k::log10(self)
    }
    #[inline(always)]
    fn v_sigmoid(self) -> f64 {
        f64k::sigmoid(self)
    }
    #[inline(always)]
    fn v_tanh(self) -> f64 {
        f64k::tanh(self)
    }
    #[inline(always)]
    fn v_erf(self) -> f64 {
        erf::erf::<false>(self)
    }
    #[inline(always)]
    fn v_erfc(self) -> f64 {
        erf::erfc::<false>(self)
    }
}

// ---------------------------------------------------------------------------------------------
// erf, erfc
// ---------------------------------------------------------------------------------------------

/// `erf` and `erfc` in float64 arithmetic. `LOW` picks the shorter fits that float32 results
/// need (relative errors below 2^-33 instead of 2^-57).
mod erf {
    use super::f64k;

    /// 1/sqrt(pi).
    const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;

    /// `y` with `erf(x) = x + x y(x^2)` for `|x| <= 1/2` (minimax; relative error of erf
    /// 2^-57.7, `LOW` 2^-36.2).
    #[inline(always)]
    fn small<const LOW: bool>(x: f64) -> f64 {
        let z = x * x;
        let y = if LOW {
            horner!(f64; z; 0.12837916708260938, -0.3761263852964375, 0.11283774140864117,
                -0.026863157325559755, 0.00520047903992537, -0.0007695579013493655)
        } else {
            horner!(f64; z; 0.12837916709551256, -0.37612638903183476, 0.11283791670925561,
                -0.026866170632954173, 0.005223977374062108, -0.0008548297842452076,
                0.00012053339320163159, -1.4845952522185094e-05, 1.4726897944760348e-06)
        };
        x.mul_add(y, x)
    }

    /// `if c { a } else { b }`, a blend in vector code.
    #[inline(always)]
    fn pick(c: bool, a: f64, b: f64) -> f64 {
        if c {
            a
        } else {
            b
        }
    }

    /// `P(v) / Q(v)` (`Q` with a leading 1 not stored) with the coefficients of `near` or `far`
    /// picked per lane.
    #[inline(always)]
    fn rational<const NP: usize, const NQ: usize>(
        v: f64,
        near: bool,
        p: (&[f64; NP], &[f64; NP]),
        q: (&[f64; NQ], &[f64; NQ]),
    ) -> f64 {
        let mut num = pick(near, p.0[NP - 1], p.1[NP - 1]);
        for k in (0..NP - 1).rev() {
            num = num.mul_add(v, pick(near, p.0[k], p.1[k]));
        }
        let mut den = pick(near, q.0[NQ - 1], q.1[NQ - 1]);
        for k in (0..NQ - 1).rev() {
            den = den.mul_add(v, pick(near, q.0[k], q.1[k]));
        }
        num / den.mul_add(v, 1.0)
    }

    // G(a) = erfc(a) e^(a^2) on [1/2, 2): P(a - 1/2) / Q(a - 1/2), minimax relative error
    // 2^-65 (degrees 7/7). The top Q coefficient is 0 to match the far piece's degree.
    const NEAR_P: [f64; 8] = [
        0.6156903441929259,
        0.8547390412152741,
        0.5631235769003082,
        0.21521647710038916,
        0.04981248955214397,
        0.006581330696565604,
        0.0003879561002275431,
        -8.294130173600639e-10,
    ];
    const NEAR_Q: [f64; 8] = [
        2.2209668821594817,
        2.1803858925843334,
        1.229499725220585,
        0.4313178836464757,
        0.09446009344138558,
        0.01200957319010103,
        0.0006875901356776326,
        0.0,
    ];
    // a G(a) = 1/sqrt(pi) + u P(u) / Q(u), u = 1/a, for a in [2, 27.5]: minimax with the error
    // weighted by its share of G, 2^-58.3 (degrees 7/8).
    const FAR_P: [f64; 8] = [
        3.4214236711040515e-12,
        -0.2820947922527201,
        -2.3275704815414424,
        -11.393848283665184,
        -35.044588696478826,
        -71.66929311398646,
        -91.21325872181446,
        -57.99950014513268,
    ];
    const FAR_Q: [f64; 8] = [
        8.25102263304605,
        41.8901365456309,
        136.60646635893622,
        313.14444606117513,
        497.33457247101416,
        531.1207748894841,
        343.8147246856355,
        102.8135978977372,
    ];

    /// `erfc(a)` for `a >= 1/2` (`NaN` stays `NaN`).
    #[inline(always)]
    fn large<const LOW: bool>(a: f64) -> f64 {
        // Beyond, erfc underflows to 0 in the result type (float64 below 4.9e-324 at 27.3,
        // float32 at 10.1).
        let limit = if LOW { 10.5 } else { 27.5 };
        let a = if a > limit { limit } else { a };
        let g = if LOW {
            // One rational in a over [1/2, 10.5] (degrees 5/6, minimax relative error 2^-36.7):
            // evaluated in float64, its poor conditioning costs nothing at float32 precision.
            let num = horner!(f64; a; 0.9999994166404792, 1.5121910409850061,
                1.1053489885557235, 0.46891854590607, 0.11559374305482098, 0.013825804252330763);
            let den = horner!(f64; a; 1.0, 2.6405636757901285, 3.084939718217872,
                2.061481918744959, 0.843399184003899, 0.20488415822499312, 0.024505607853780257);
            num / den
        } else {
            let near = a < 2.0;
            let u = 1.0 / a;
            let v = if near { a - 0.5 } else { u };
            let ratio = rational(v, near, (&NEAR_P, &FAR_P), (&NEAR_Q, &FAR_Q));
            if near {
                ratio
            } else {
                u.mul_add(ratio, FRAC_1_SQRT_PI) * u
            }
        };
        // e^(-a^2) g: -a^2 = -(hi + lo) exactly; n from hi, lo into the reduced argument.
        let hi = a * a;
        let lo = a.mul_add(a, -hi);
        let (r, nf, n) = f64k::reduce_ln2(-hi);
        let r = r - lo;
        let q = if LOW {
            horner!(f64; r; 0.5000000031717772, 0.16666666350716816, 0.04166639365865708,
                0.008333397271720182, 0.0013938699787801351, 0.00019840338321882838)
        } else {
            f64k::expm1_q(r)
        };
        let p = (r * r).mul_add(q, r);
        f64k::scale(g.mul_add(p, g), nf, n)
    }

    #[inline(always)]
    pub fn erf<const LOW: bool>(x: f64) -> f64 {
        let a = x.abs();
        let big = (1.0 - large::<LOW>(a)).copysign(x);
        if a < 0.5 {
            small::<LOW>(x)
        } else {
            big
        }
    }

    #[inline(always)]
    pub fn erfc<const LOW: bool>(x: f64) -> f64 {
        let a = x.abs();
        let e = large::<LOW>(a);
        let big = if x < 0.0 { 2.0 - e } else { e };
        if a < 0.5 {
            1.0 - small::<LOW>(x)
        } else {
            big
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A float's position on the number line in ulps (±0 both at 0).
    fn ord32(x: f32) -> i64 {
        let b = x.to_bits();
        let m = (b & 0x7fff_ffff) as i64;
        if b >> 31 == 1 {
            -m
        } else {
            m
        }
    }

    fn ord64(x: f64) -> i128 {
        let b = x.to_bits();
        let m = (b & 0x7fff_ffff_ffff_ffff) as i128;
        if b >> 63 == 1 {
            -m
        } else {
            m
        }
    }

    /// Distance in ulps; NaN against NaN is 0, NaN against a number is huge.
    fn ulps32(a: f32, b: f32) -> u64 {
        match (a.is_nan(), b.is_nan()) {
            (true, true) => 0,
            (false, false) => (ord32(a) - ord32(b)).unsigned_abs(),
            _ => u64::MAX,
        }
    }

    fn ulps64(a: f64, b: f64) -> u64 {
        match (a.is_nan(), b.is_nan()) {
            (true, true) => 0,
            (false, false) => {
                u64::try_from((ord64(a) - ord64(b)).unsigned_abs()).unwrap_or(u64::MAX)
            }
            _ => u64::MAX,
        }
    }

    /// splitmix64.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
            lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
        }
    }

    /// Worst error over the inputs: (ulps, input, got, expected), and for float32 the largest
    /// error in ulps against the unrounded float64 reference (0 for float64).
    #[derive(Clone, Copy, Debug)]
    struct Worst<T>(u64, T, T, T, f64);

    /// `|got - exact|` in ulps of float32 at `exact`, for finite results.
    fn frac_ulps32(got: f32, exact: f64) -> f64 {
        let e = exact.abs();
        if !got.is_finite() || !exact.is_finite() || e > f32::MAX as f64 {
            return 0.0;
        }
        // The spacing of float32 at e: 2^(exponent - 23), at least 2^-149.
        let exp = if e < f32::MIN_POSITIVE as f64 {
            -126
        } else {
            e.log2().floor() as i32
        };
        (got as f64 - exact).abs() / 2f64.powi(exp.max(-126) - 23)
    }

    /// Every 997th float32 bit pattern (all signs and magnitudes, NaNs included), plus 200k
    /// uniform samples in `[lo, hi]`, against the float64 reference rounded to float32.
    fn sweep32(
        f: impl Fn(f32) -> f32,
        reference: impl Fn(f64) -> f64,
        lo: f64,
        hi: f64,
    ) -> Worst<f32> {
        let mut w = Worst(0, 0.0, 0.0, 0.0, 0.0);
        let mut check = |x: f32| {
            let exact = reference(x as f64);
            let (got, want) = (f(x), exact as f32);
            let d = ulps32(got, want);
            if d > w.0 {
                w = Worst(d, x, got, want, w.4);
            }
            w.4 = w.4.max(frac_ulps32(got, exact));
        };
        let mut i = 0u64;
        while i < 1 << 32 {
            check(f32::from_bits(i as u32));
            i += 997;
        }
        let mut rng = Rng(0x5eed);
        for _ in 0..200_000 {
            check(rng.uniform(lo, hi) as f32);
        }
        w
    }

    /// 100k random float64 bit patterns and 300k uniform samples in `[lo, hi]`.
    fn sweep64(
        f: impl Fn(f64) -> f64,
        reference: impl Fn(f64) -> f64,
        lo: f64,
        hi: f64,
    ) -> Worst<f64> {
        let mut w = Worst(0, 0.0, 0.0, 0.0, 0.0);
        let mut check = |x: f64| {
            let (got, want) = (f(x), reference(x));
            let d = ulps64(got, want);
            if d > w.0 {
                w = Worst(d, x, got, want, 0.0);
            }
        };
        let mut rng = Rng(0xf64);
        for _ in 0..100_000 {
            check(f64::from_bits(rng.next()));
        }
        for _ in 0..300_000 {
            check(rng.uniform(lo, hi));
        }
        w
    }

    fn report32(name: &str, w: Worst<f32>, bound: u64) {
        println!(
            "f32 {name:8} max {} ulp (x = {:e}: {:e} vs {:e}); {:.3} ulp from the f64 value",
            w.0, w.1, w.2, w.3, w.4
        );
        assert!(w.0 <= bound, "f32 {name}: {w:?} over {bound} ulp");
    }

    fn report64(name: &str, w: Worst<f64>, bound: u64) {
        println!(
            "f64 {name:8} max {} ulp (x = {:e}: {:e} vs {:e})",
            w.0, w.1, w.2, w.3
        );
        assert!(w.0 <= bound, "f64 {name}: {w:?} over {bound} ulp");
    }

    /// Checks exact results (bit for bit, so signed zeros count; any NaN matches NaN).
    fn exact32(name: &str, f: impl Fn(f32) -> f32, cases: &[(f32, f32)]) {
        for &(x, want) in cases {
            let got = f(x);
            let ok = (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits();
            assert!(ok, "f32 {name}({x:e}) = {got:e}, want {want:e}");
        }
    }

    fn exact64(name: &str, f: impl Fn(f64) -> f64, cases: &[(f64, f64)]) {
        for &(x, want) in cases {
            let got = f(x);
            let ok = (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits();
            assert!(ok, "f64 {name}({x:e}) = {got:e}, want {want:e}");
        }
    }

    /// 1/(1 + e^-x) in float64, to within about half an ulp: the sum 1 + e is kept in two
    /// parts and the quotient refined once.
    fn sigmoid_ref(x: f64) -> f64 {
        let e = (-x.abs()).exp();
        let hi = 1.0 + e;
        let lo = (1.0 - hi) + e;
        let num = if x < 0.0 { e } else { 1.0 };
        let q = num / hi;
        let r = (-hi).mul_add(q, num) - lo * q;
        let y = q + r / hi;
        if x.is_nan() {
            x
        } else {
            y
        }
    }

    const INF32: f32 = f32::INFINITY;
    const INF64: f64 = f64::INFINITY;
    const SUB32: f32 = 1e-40;
    const SUB64: f64 = 1e-310;

    #[test]
    fn exp_accuracy() {
        report32("exp", sweep32(f32::v_exp, f64::exp, -104.0, 89.0), 1);
        report64("exp", sweep64(f64::v_exp, f64::exp, -746.0, 710.0), 1);
        exact32(
            "exp",
            f32::v_exp,
            &[
                (0.0, 1.0),
                (-0.0, 1.0),
                (INF32, INF32),
                (-INF32, 0.0),
                (f32::NAN, f32::NAN),
                (88.73, INF32),
                (-104.0, 0.0),
                (-200.0, 0.0),
                (SUB32, 1.0),
            ],
        );
        assert!(f32::v_exp(88.72).is_finite() && f32::v_exp(88.72) > 3.39e38);
        assert_eq!(
            f32::v_exp(-103.9).to_bits(),
            1,
            "exp(-103.9) is the smallest subnormal"
        );
        exact64(
            "exp",
            f64::v_exp,
            &[
                (0.0, 1.0),
                (-0.0, 1.0),
                (INF64, INF64),
                (-INF64, 0.0),
                (f64::NAN, f64::NAN),
                (709.79, INF64),
                (-746.0, 0.0),
                (-1e4, 0.0),
                (SUB64, 1.0),
            ],
        );
        assert!(f64::v_exp(709.78).is_finite() && f64::v_exp(709.78) > 1.79e308);
        assert_eq!(
            f64::v_exp(-745.1).to_bits(),
            1,
            "exp(-745.1) is the smallest subnormal"
        );
    }

    #[test]
    fn expm1_accuracy() {
        report32("expm1", sweep32(f32::v_expm1, f64::exp_m1, -20.0, 89.0), 1);
        report64("expm1", sweep64(f64::v_expm1, f64::exp_m1, -40.0, 710.0), 1);
        exact32(
            "expm1",
            f32::v_expm1,
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (INF32, INF32),
                (-INF32, -1.0),
                (f32::NAN, f32::NAN),
                (88.73, INF32),
                (-100.0, -1.0),
                (SUB32, SUB32),
                (-SUB32, -SUB32),
            ],
        );
        assert!(f32::v_expm1(88.72).is_finite());
        exact64(
            "expm1",
            f64::v_expm1,
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (INF64, INF64),
                (-INF64, -1.0),
                (f64::NAN, f64::NAN),
                (709.79, INF64),
                (-1000.0, -1.0),
                (SUB64, SUB64),
                (-SUB64, -SUB64),
            ],
        );
        assert!(f64::v_expm1(709.78).is_finite());
    }

    #[test]
    fn exp2_accuracy() {
        report32("exp2", sweep32(f32::v_exp2, f64::exp2, -150.0, 128.0), 1);
        report64("exp2", sweep64(f64::v_exp2, f64::exp2, -1075.0, 1024.0), 1);
        exact32(
            "exp2",
            f32::v_exp2,
            &[
                (0.0, 1.0),
                (-0.0, 1.0),
                (INF32, INF32),
                (-INF32, 0.0),
                (f32::NAN, f32::NAN),
                (128.0, INF32),
                (127.0, 2f32.powi(127)),
                (-149.0, f32::from_bits(1)),
                (-150.0, 0.0),
                (-126.0, f32::MIN_POSITIVE),
            ],
        );
        exact64(
            "exp2",
            f64::v_exp2,
            &[
                (0.0, 1.0),
                (-0.0, 1.0),
                (INF64, INF64),
                (-INF64, 0.0),
                (f64::NAN, f64::NAN),
                (1024.0, INF64),
                (1023.0, 2f64.powi(1023)),
                (-1074.0, f64::from_bits(1)),
                (-1076.0, 0.0),
                (-1022.0, f64::MIN_POSITIVE),
            ],
        );
        for n in -149..128 {
            assert_eq!(
                f32::v_exp2(n as f32),
                (n as f64).exp2() as f32,
                "exp2({n}) exact"
            );
        }
        for n in -1074..1024 {
            assert_eq!(f64::v_exp2(n as f64), (n as f64).exp2(), "exp2({n}) exact");
        }
    }

    /// The special values every logarithm shares.
    fn log_specials32(name: &str, f: impl Fn(f32) -> f32) {
        exact32(
            name,
            f,
            &[
                (0.0, -INF32),
                (-0.0, -INF32),
                (INF32, INF32),
                (-INF32, f32::NAN),
                (-1.0, f32::NAN),
                (-SUB32, f32::NAN),
                (f32::NAN, f32::NAN),
                (1.0, 0.0),
            ],
        );
    }

    fn log_specials64(name: &str, f: impl Fn(f64) -> f64) {
        exact64(
            name,
            f,
            &[
                (0.0, -INF64),
                (-0.0, -INF64),
                (INF64, INF64),
                (-INF64, f64::NAN),
                (-1.0, f64::NAN),
                (-SUB64, f64::NAN),
                (f64::NAN, f64::NAN),
                (1.0, 0.0),
            ],
        );
    }

    #[test]
    fn log_accuracy() {
        report32("log", sweep32(f32::v_log, f64::ln, 0.5, 2.0), 1);
        report64("log", sweep64(f64::v_log, f64::ln, 0.5, 2.0), 1);
        log_specials32("log", f32::v_log);
        log_specials64("log", f64::v_log);
        // Subnormals are exact inputs.
        assert_eq!(
            f32::v_log(f32::from_bits(1)),
            (f32::from_bits(1) as f64).ln() as f32
        );
        assert_eq!(f64::v_log(f64::from_bits(1)), f64::from_bits(1).ln());
    }

    #[test]
    fn log2_accuracy() {
        report32("log2", sweep32(f32::v_log2, f64::log2, 0.5, 2.0), 1);
        report64("log2", sweep64(f64::v_log2, f64::log2, 0.5, 2.0), 1);
        log_specials32("log2", f32::v_log2);
        log_specials64("log2", f64::v_log2);
        for n in -149..128 {
            assert_eq!(
                f32::v_log2((n as f32).exp2()),
                n as f32,
                "log2(2^{n}) exact"
            );
        }
        for n in -1074..1024 {
            assert_eq!(
                f64::v_log2((n as f64).exp2()),
                n as f64,
                "log2(2^{n}) exact"
            );
        }
    }

    #[test]
    fn log10_accuracy() {
        report32("log10", sweep32(f32::v_log10, f64::log10, 0.5, 2.0), 1);
        report64("log10", sweep64(f64::v_log10, f64::log10, 0.5, 2.0), 2);
        log_specials32("log10", f32::v_log10);
        log_specials64("log10", f64::v_log10);
    }

    #[test]
    fn log1p_accuracy() {
        report32("log1p", sweep32(f32::v_log1p, f64::ln_1p, -1.0, 2.0), 1);
        report64("log1p", sweep64(f64::v_log1p, f64::ln_1p, -1.0, 2.0), 1);
        exact32(
            "log1p",
            f32::v_log1p,
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (-1.0, -INF32),
                (-1.5, f32::NAN),
                (-INF32, f32::NAN),
                (INF32, INF32),
                (f32::NAN, f32::NAN),
                (SUB32, SUB32),
                (-SUB32, -SUB32),
                (f32::MAX, (f32::MAX as f64).ln_1p() as f32),
            ],
        );
        exact64(
            "log1p",
            f64::v_log1p,
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (-1.0, -INF64),
                (-1.5, f64::NAN),
                (-INF64, f64::NAN),
                (INF64, INF64),
                (f64::NAN, f64::NAN),
                (SUB64, SUB64),
                (-SUB64, -SUB64),
            ],
        );
        let big = f64::v_log1p(f64::MAX);
        assert!(ulps64(big, f64::MAX.ln_1p()) <= 1);
    }

    #[test]
    fn sigmoid_accuracy() {
        report32(
            "sigmoid",
            sweep32(f32::v_sigmoid, sigmoid_ref, -20.0, 20.0),
            2,
        );
        report64(
            "sigmoid",
            sweep64(f64::v_sigmoid, sigmoid_ref, -40.0, 40.0),
            2,
        );
        exact32(
            "sigmoid",
            f32::v_sigmoid,
            &[
                (0.0, 0.5),
                (-0.0, 0.5),
                (INF32, 1.0),
                (-INF32, 0.0),
                (f32::NAN, f32::NAN),
                (100.0, 1.0),
                (-200.0, 0.0),
            ],
        );
        exact64(
            "sigmoid",
            f64::v_sigmoid,
            &[
                (0.0, 0.5),
                (-0.0, 0.5),
                (INF64, 1.0),
                (-INF64, 0.0),
                (f64::NAN, f64::NAN),
                (100.0, 1.0),
                (-1000.0, 0.0),
            ],
        );
    }

    #[test]
    fn tanh_accuracy() {
        report32("tanh", sweep32(f32::v_tanh, f64::tanh, -5.0, 5.0), 2);
        report64("tanh", sweep64(f64::v_tanh, f64::tanh, -5.0, 5.0), 2);
        exact32(
            "tanh",
            f32::v_tanh,
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (INF32, 1.0),
                (-INF32, -1.0),
                (f32::NAN, f32::NAN),
                (20.0, 1.0),
                (-1e30, -1.0),
                (SUB32, SUB32),
                (-SUB32, -SUB32),
            ],
        );
        exact64(
            "tanh",
            f64::v_tanh,
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (INF64, 1.0),
                (-INF64, -1.0),
                (f64::NAN, f64::NAN),
                (40.0, 1.0),
                (-1e300, -1.0),
                (SUB64, SUB64),
                (-SUB64, -SUB64),
            ],
        );
    }

    #[test]
    fn erf_accuracy() {
        let erf64 = |x: f64| libm::erf(x);
        report32("erf", sweep32(f32::v_erf, erf64, -4.0, 4.0), 1);
        report64("erf", sweep64(f64::v_erf, erf64, -6.0, 6.0), 2);
        exact32(
            "erf",
            f32::v_erf,
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (INF32, 1.0),
                (-INF32, -1.0),
                (f32::NAN, f32::NAN),
                (10.0, 1.0),
                (-10.0, -1.0),
            ],
        );
        exact64(
            "erf",
            f64::v_erf,
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (INF64, 1.0),
                (-INF64, -1.0),
                (f64::NAN, f64::NAN),
                (10.0, 1.0),
                (-10.0, -1.0),
            ],
        );
        assert_eq!(
            f32::v_erf(SUB32),
            (SUB32 as f64 * std::f64::consts::FRAC_2_SQRT_PI) as f32
        );
    }

    #[test]
    fn erfc_accuracy() {
        let erfc64 = |x: f64| libm::erfc(x);
        report32("erfc", sweep32(f32::v_erfc, erfc64, -4.0, 11.0), 1);
        report64("erfc", sweep64(f64::v_erfc, erfc64, -6.0, 28.0), 4);
        exact32(
            "erfc",
            f32::v_erfc,
            &[
                (0.0, 1.0),
                (-0.0, 1.0),
                (INF32, 0.0),
                (-INF32, 2.0),
                (f32::NAN, f32::NAN),
                (11.0, 0.0),
                (-11.0, 2.0),
            ],
        );
        exact64(
            "erfc",
            f64::v_erfc,
            &[
                (0.0, 1.0),
                (-0.0, 1.0),
                (INF64, 0.0),
                (-INF64, 2.0),
                (f64::NAN, f64::NAN),
                (28.0, 0.0),
                (-28.0, 2.0),
            ],
        );
        // Relative accuracy far out: erfc(10) = 2.088e-45, erfc(26) = 5.663e-296 and the
        // subnormal erfc(27) = 5.237e-319.
        for x in [10.0, 15.0, 26.0, 26.5, 27.0, 27.2] {
            let (got, want) = (f64::v_erfc(x), libm::erfc(x));
            assert!(ulps64(got, want) <= 4, "erfc({x}) = {got:e}, want {want:e}");
        }
        assert!(ulps32(f32::v_erfc(10.0), libm::erfc(10.0) as f32) <= 1);
    }

    #[test]
    fn map_matches_the_element_functions() {
        let src32: Vec<f32> = (0..1000).map(|i| (i as f32 - 500.0) * 0.037).collect();
        let mut dst32 = vec![0.0f32; 1003];
        map_f32(&src32, &mut dst32, f32::v_tanh);
        for (i, &x) in src32.iter().enumerate() {
            assert_eq!(dst32[i].to_bits(), x.v_tanh().to_bits());
        }
        assert!(
            dst32[1000..].iter().all(|&y| y == 0.0),
            "only min(len) elements are written"
        );
        let src64: Vec<f64> = (0..1000).map(|i| (i as f64 - 500.0) * 0.037).collect();
        let mut dst64 = vec![0.0f64; 999];
        map_f64(&src64, &mut dst64, |x| x.v_erfc());
        for (i, &y) in dst64.iter().enumerate() {
            assert_eq!(y.to_bits(), src64[i].v_erfc().to_bits());
        }
        map_f64(&[], &mut [], f64::v_exp);
    }
}
