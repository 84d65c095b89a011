//! Normal samples many at a time: the Box-Muller transform, `r = sqrt(-2 ln u1)`,
//! `z = (r cos 2 pi u2, r sin 2 pi u2)`, on batches of [`PAIRS`] pairs of uniforms, as straight-line
//! code that the compiler vectorises (built for AVX-512 or AVX2+FMA when the CPU has them, like
//! [`crate::kernels::vmath::map_f32`]). torch's CPU `normal_` does the same in batches of 16.
//!
//! Float32 (and the half types, which round the float32 values once) use 24-bit uniforms, two
//! from each 64-bit draw, and float32 arithmetic, as torch's float kernel does; float64 uses
//! 53-bit uniforms, one per draw, and float64 arithmetic. `u1` lies in (0, 1], so `ln u1` is
//! finite: the largest value is 5.77 in float32 (8.57 in float64), again as torch's.
//!
//! The streams are the chunked ones of `crate::random` ([`fill_blocks`]): the same seed gives
//! the same tensor whatever the thread count.

use crate::dtype::{bf16, f16, DType};
use crate::error::Result;
use crate::kernels::vmath::VMath;
use crate::random::{fill_blocks, Generator, Stream};
use crate::tensor::Tensor;
use std::f64::consts::FRAC_PI_2;

/// Pairs of uniforms per batch: a batch makes `2 * PAIRS` values.
const PAIRS: usize = 64;

/// What is done with `mean + std * z` before it is stored.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Nothing: normal samples.
    Keep,
    /// `exp`: log-normal samples.
    Exp,
}

/// Writes `mean + std * z` (or its `exp`, by `then`) into every element of the contiguous,
/// floating `out`, `z` standard normal from one draw of `gen`.
pub fn fill_normal(gen: &Generator, out: &Tensor, mean: f64, std: f64, then: Then) -> Result<()> {
    match out.dtype() {
        DType::Float64 => fill_blocks::<f64>(gen, out, |rng, block| {
            by_batches(block, |batch| {
                vectorised::<Float64>(rng, batch, mean, std, then)
            })
        }),
        DType::Float16 => fill_blocks::<f16>(gen, out, |rng, block| {
            by_batches(block, |batch| {
                vectorised::<Float32>(rng, batch, mean, std, then)
            })
        }),
        DType::BFloat16 => fill_blocks::<bf16>(gen, out, |rng, block| {
            by_batches(block, |batch| {
                vectorised::<Float32>(rng, batch, mean, std, then)
            })
        }),
        _ => fill_blocks::<f32>(gen, out, |rng, block| {
            by_batches(block, |batch| {
                vectorised::<Float32>(rng, batch, mean, std, then)
            })
        }),
    }
}

/// A fresh contiguous tensor of standard normal samples.
pub fn randn(gen: &Generator, shape: &[usize], dtype: DType) -> Result<Tensor> {
    crate::random::require_floating(dtype, "normal_kernel_cpu")?;
    let out = Tensor::uninit(shape, dtype)?;
    fill_normal(gen, &out, 0.0, 1.0, Then::Keep)?;
    Ok(out)
}

/// Fills `block` batch by batch: `make` writes `2 * PAIRS` values in its `A` buffer (float32 or
/// float64), which are rounded to `T` (the last batch keeps only as many as are left).
#[inline(always)]
fn by_batches<T: FromWide<A>, A: Copy + Default>(
    block: &mut [T],
    mut make: impl FnMut(&mut [A; 2 * PAIRS]),
) {
    let mut buf = [A::default(); 2 * PAIRS];
    for chunk in block.chunks_mut(2 * PAIRS) {
        make(&mut buf);
        for (d, &v) in chunk.iter_mut().zip(buf.iter()) {
            *d = T::from_wide(v);
        }
    }
}

/// Rounding from the batch's arithmetic type to the element type.
trait FromWide<A> {
    /// `v` rounded to `Self` (exact for the same type).
    fn from_wide(v: A) -> Self;
}

impl FromWide<f64> for f64 {
    #[inline(always)]
    fn from_wide(v: f64) -> f64 {
        v
    }
}

impl FromWide<f32> for f32 {
    #[inline(always)]
    fn from_wide(v: f32) -> f32 {
        v
    }
}

impl FromWide<f32> for f16 {
    #[inline(always)]
    fn from_wide(v: f32) -> f16 {
        crate::dtype::f32_to_f16(v)
    }
}

impl FromWide<f32> for bf16 {
    #[inline(always)]
    fn from_wide(v: f32) -> bf16 {
        crate::dtype::f32_to_bf16(v)
    }
}

/// One batch of `2 * PAIRS` values in the arithmetic type `A`.
trait Batch {
    /// float32 or float64.
    type A: Copy + Default;
    /// Writes `mean + std * z` (or its `exp`) for `2 * PAIRS` standard normal `z` from `rng`.
    fn make(rng: &mut Stream, out: &mut [Self::A; 2 * PAIRS], mean: f64, std: f64, then: Then);
}

/// Runs `B`'s batch compiled for AVX-512 or AVX2+FMA when the CPU has them (checked at run
/// time), so that its straight-line math vectorises (and `mul_add` is one instruction).
#[inline(always)]
fn vectorised<B: Batch>(
    rng: &mut Stream,
    out: &mut [B::A; 2 * PAIRS],
    mean: f64,
    std: f64,
    then: Then,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
        {
            // SAFETY: `run_avx512` only requires the target features it is compiled with, and
            // the CPU was just found to have every one of them.
            unsafe { run_avx512::<B>(rng, out, mean, std, then) };
            return;
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            // SAFETY: `run_avx2` only requires AVX2 and FMA, and the CPU has both.
            unsafe { run_avx2::<B>(rng, out, mean, std, then) };
            return;
        }
    }
    B::make(rng, out, mean, std, then)
}

/// `B::make` built for AVX-512 (F, DQ, VL) with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
fn run_avx512<B: Batch>(
    rng: &mut Stream,
    out: &mut [B::A; 2 * PAIRS],
    mean: f64,
    std: f64,
    then: Then,
) {
    B::make(rng, out, mean, std, then)
}

/// `B::make` built for AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_avx2<B: Batch>(
    rng: &mut Stream,
    out: &mut [B::A; 2 * PAIRS],
    mean: f64,
    std: f64,
    then: Then,
) {
    B::make(rng, out, mean, std, then)
}

/// float32 batches: `PAIRS` draws give `PAIRS` pairs of 24-bit uniforms.
struct Float32;

impl Batch for Float32 {
    type A = f32;
    #[inline(always)]
    fn make(rng: &mut Stream, out: &mut [f32; 2 * PAIRS], mean: f64, std: f64, then: Then) {
        let (mean, std) = (mean as f32, std as f32);
        let mut bits = [0u64; PAIRS];
        for b in bits.iter_mut() {
            *b = rng.next_u64();
        }
        const UNIT: f32 = 1.0 / (1u32 << 24) as f32;
        let (cos_half, sin_half) = out.split_at_mut(PAIRS);
        for ((c, s), &b) in cos_half
            .iter_mut()
            .zip(sin_half.iter_mut())
            .zip(bits.iter())
        {
            let u1 = 1.0 - ((b >> 40) as u32) as f32 * UNIT;
            let u2 = (((b >> 8) as u32) & 0xff_ffff) as f32 * UNIT;
            let r = (-2.0 * u1.v_log()).sqrt();
            let (sin, cos) = sincos_turns_f32(u2);
            let (zc, zs) = (std.mul_add(r * cos, mean), std.mul_add(r * sin, mean));
            (*c, *s) = match then {
                Then::Keep => (zc, zs),
                Then::Exp => (zc.v_exp(), zs.v_exp()),
            };
        }
    }
}

/// float64 batches: `2 * PAIRS` draws give `PAIRS` pairs of 53-bit uniforms.
struct Float64;

impl Batch for Float64 {
    type A = f64;
    #[inline(always)]
    fn make(rng: &mut Stream, out: &mut [f64; 2 * PAIRS], mean: f64, std: f64, then: Then) {
        let mut bits = [0u64; 2 * PAIRS];
        for b in bits.iter_mut() {
            *b = rng.next_u64();
        }
        const UNIT: f64 = 1.0 / (1u64 << 53) as f64;
        let (first, second) = bits.split_at(PAIRS);
        let (cos_half, sin_half) = out.split_at_mut(PAIRS);
        for (((c, s), &b1), &b2) in cos_half
            .iter_mut()
            .zip(sin_half.iter_mut())
            .zip(first)
            .zip(second)
        {
            let u1 = 1.0 - (b1 >> 11) as f64 * UNIT;
            let u2 = (b2 >> 11) as f64 * UNIT;
            let r = (-2.0 * u1.v_log()).sqrt();
            let (sin, cos) = sincos_turns_f64(u2);
            let (zc, zs) = (std.mul_add(r * cos, mean), std.mul_add(r * sin, mean));
            (*c, *s) = match then {
                Then::Keep => (zc, zs),
                Then::Exp => (zc.v_exp(), zs.v_exp()),
            };
        }
    }
}

/// `(sin, cos)` of `x` in `[-pi/4, pi/4]` and the quadrant `q` to turn by, from the quadrant and
/// remainder of `4u`: `2 pi u = (q + r) pi / 2`.
#[inline(always)]
fn turn<T: Copy + std::ops::Neg<Output = T>>(q: u32, s: T, c: T) -> (T, T) {
    let (sa, ca) = if q & 1 != 0 { (c, s) } else { (s, c) };
    let sin = if q & 2 != 0 { -sa } else { sa };
    let cos = if (q + 1) & 2 != 0 { -ca } else { ca };
    (sin, cos)
}

/// `(sin 2 pi u, cos 2 pi u)` for `u` in `[0, 1)`, in float32: `4u = q + r` with `|r| <= 1/2`,
/// then Taylor polynomials on `x = r pi/2` (truncation error below 2e-9) and the quarter turns.
#[inline(always)]
fn sincos_turns_f32(u: f32) -> (f32, f32) {
    let v = 4.0 * u;
    let q = (v + 0.5) as u32;
    let x = (v - q as f32) * FRAC_PI_2 as f32;
    let x2 = x * x;
    let s = x
        * (x2 * (x2 * (x2 * (x2 * (1.0 / 362_880.0) - 1.0 / 5040.0) + 1.0 / 120.0) - 1.0 / 6.0)
            + 1.0);
    let c = x2
        * (x2
            * (x2 * (x2 * (x2 * (-1.0 / 3_628_800.0) + 1.0 / 40320.0) - 1.0 / 720.0) + 1.0 / 24.0)
            - 0.5)
        + 1.0;
    turn(q, s, c)
}

/// [`sincos_turns_f32`] in float64, the polynomials long enough for float64 (truncation error
/// below 1e-17).
#[inline(always)]
fn sincos_turns_f64(u: f64) -> (f64, f64) {
    let v = 4.0 * u;
    let q = (v + 0.5) as u32;
    let r = v - q as f64;
    // pi/2 in two parts, so that `r pi/2` keeps float64 accuracy.
    const HI: f64 = FRAC_PI_2;
    const LO: f64 = 6.123_233_995_736_766e-17;
    let x = r.mul_add(HI, r * LO);
    let x2 = x * x;
    // sin x = x (1 - x^2/3! + ... + x^16/17!), cos x = 1 - x^2/2! + ... + x^16/16!.
    let s = [
        -1.0 / 6.0,
        1.0 / 120.0,
        -1.0 / 5040.0,
        1.0 / 362_880.0,
        -1.0 / 39_916_800.0,
        1.0 / 6_227_020_800.0,
        -1.0 / 1_307_674_368_000.0,
        1.0 / 355_687_428_096_000.0,
    ]
    .iter()
    .rev()
    .fold(0.0, |acc: f64, &a| acc.mul_add(x2, a))
    .mul_add(x2, 1.0);
    let c = [
        -0.5,
        1.0 / 24.0,
        -1.0 / 720.0,
        1.0 / 40320.0,
        -1.0 / 3_628_800.0,
        1.0 / 479_001_600.0,
        -1.0 / 87_178_291_200.0,
        1.0 / 20_922_789_888_000.0,
    ]
    .iter()
    .rev()
    .fold(0.0, |acc: f64, &a| acc.mul_add(x2, a))
    .mul_add(x2, 1.0);
    turn(q, x * s, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quarter-turn sine and cosine agree with std's to float accuracy over the whole turn.
    #[test]
    fn sincos_of_turns_is_accurate() {
        for i in 0..=(1 << 16) {
            let u = i as f64 / (1 << 16) as f64;
            let u = u.min(1.0 - f64::EPSILON / 2.0);
            let (s, c) = sincos_turns_f64(u);
            let t = 2.0 * std::f64::consts::PI * u;
            // `t` itself is rounded: up to 4.4e-16 away from 2 pi u.
            assert!((s - t.sin()).abs() < 1e-15, "sin at {u}");
            assert!((c - t.cos()).abs() < 1e-15, "cos at {u}");
            let (s, c) = sincos_turns_f32(u as f32);
            let t = 2.0 * std::f64::consts::PI * (u as f32) as f64;
            assert!((s as f64 - t.sin()).abs() < 3e-7, "sin32 at {u}");
            assert!((c as f64 - t.cos()).abs() < 3e-7, "cos32 at {u}");
        }
    }
}
