//! The contiguous float16/bfloat16 sum: float32 lanes inside blocks, float64 across them.
//!
//! Widening every half to float64 (as the other float sums do) made the loop compute-bound at
//! about half the memory bus. Here [`HALF_LANES`] float32 lanes each add at most
//! `BLOCK / HALF_LANES` (64) halves; at the end of every block each lane is added to its own
//! float64 lane, and the float64 lanes meet in the fixed lane tree. Sixty-four halves of one
//! binade sum exactly in float32 (11 + 6 bits); across binades each block lane rounds at float32's
//! precision (relative 2^-24 per addition, far below a half's 2^-11), and nothing accumulates
//! rounding past a block, so the result is at least as accurate as torch's float32 accumulation. The vector loop and the generic one do
//! the same additions in the same order per lane, so they agree bitwise (tested), and the result
//! depends only on the data, never on the thread count.

use super::reducer::{lanes_tree, prefetch_ahead, LANES};
use super::reducers::Sum;
use crate::dtype::{bf16, f16, Element, HalfBits};

/// float32 (and float64) lanes: four AVX-512 registers of sixteen float32s.
const HALF_LANES: usize = 64;
/// Elements per block: each float32 lane adds `BLOCK / HALF_LANES` = 64 halves.
const BLOCK: usize = 4096;

/// The sum of `len` contiguous `T`s as float64 when `T` is float16 or bfloat16 and `R` is
/// [`Sum`]; `None` for any other pair.
///
/// # Safety
/// `p` must be valid for reads of `len` consecutive `T`s that no other thread writes meanwhile.
#[inline]
pub(crate) unsafe fn half_sum<T: Element, R: 'static>(p: *const T, len: usize) -> Option<f64> {
    use std::any::TypeId;
    if TypeId::of::<R>() != TypeId::of::<Sum>() {
        return None;
    }
    let t = TypeId::of::<T>();
    if t == TypeId::of::<f16>() {
        Some(dispatch::<f16, { kind::F16 }>(p as *const f16, len))
    } else if t == TypeId::of::<bf16>() {
        Some(dispatch::<bf16, { kind::BF16 }>(p as *const bf16, len))
    } else {
        None
    }
}

/// Which half type a vector loop reads (a const parameter).
mod kind {
    /// float16 (F16C conversion).
    pub const F16: u8 = 0;
    /// bfloat16 (its bits moved to the top half of a float32).
    pub const BF16: u8 = 1;
}

/// The AVX-512 loop when the CPU has it, else the generic one (same bits).
///
/// # Safety
/// As [`half_sum`]; `H` is the type `KIND` names.
#[inline]
unsafe fn dispatch<H: HalfBits, const KIND: u8>(p: *const H, len: usize) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("f16c")
        {
            return sum_avx512::<H, KIND>(p, len);
        }
    }
    sum_generic(p, len)
}

/// The float64 lanes folded to [`LANES`] (lane `k` plus lane `k + LANES`) and the lane tree.
fn finish(l64: &[f64; HALF_LANES]) -> f64 {
    let mut l = [0.0f64; LANES];
    for (k, lane) in l.iter_mut().enumerate() {
        *lane = l64[k] + l64[k + LANES];
    }
    lanes_tree::<f32, Sum>(l)
}

/// Adds the elements `start..len` (one block or less) to the float64 lanes, through float32
/// lanes, one element at a time.
///
/// # Safety
/// `p` must be valid for reads of `len` elements; `start <= len`.
#[inline(always)]
unsafe fn block_scalar<H: HalfBits>(
    p: *const H,
    start: usize,
    len: usize,
    l64: &mut [f64; HALF_LANES],
) {
    let mut l32 = [0.0f32; HALF_LANES];
    for i in start..len {
        l32[(i - start) % HALF_LANES] += (*p.add(i)).widen();
    }
    for (wide, narrow) in l64.iter_mut().zip(l32) {
        *wide += narrow as f64;
    }
}

/// The reference loop: blocks of [`BLOCK`] elements into float32 lanes, flushed to float64 lanes.
///
/// # Safety
/// `p` must be valid for reads of `len` elements.
unsafe fn sum_generic<H: HalfBits>(p: *const H, len: usize) -> f64 {
    let mut l64 = [0.0f64; HALF_LANES];
    let mut start = 0;
    while start < len {
        let end = (start + BLOCK).min(len);
        block_scalar(p, start, end, &mut l64);
        start = end;
    }
    finish(&l64)
}

/// [`sum_generic`] with sixteen halves per AVX-512 register: the same float32 additions per lane
/// in the same order, the same flushes.
///
/// # Safety
/// `p` must be valid for reads of `len` elements, `H` the type `KIND` names, and the CPU must
/// have AVX-512F and F16C.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,f16c")]
unsafe fn sum_avx512<H: HalfBits, const KIND: u8>(p: *const H, len: usize) -> f64 {
    use std::arch::x86_64::*;
    // Sixteen halves from `q` as sixteen float32s (exact).
    let load16 = |q: *const H| -> __m512 {
        let raw = _mm256_loadu_si256(q as *const __m256i);
        match KIND {
            kind::F16 => _mm512_cvtph_ps(raw),
            _ => _mm512_castsi512_ps(_mm512_slli_epi32::<16>(_mm512_cvtepu16_epi32(raw))),
        }
    };
    let mut wide = [_mm512_setzero_pd(); HALF_LANES / 8];
    let full = len / BLOCK * BLOCK;
    let mut start = 0;
    while start < full {
        let mut acc = [_mm512_setzero_ps(); HALF_LANES / 16];
        let mut i = start;
        while i < start + BLOCK {
            prefetch_ahead(p.add(i), HALF_LANES);
            for (j, a) in acc.iter_mut().enumerate() {
                *a = _mm512_add_ps(*a, load16(p.add(i + 16 * j)));
            }
            i += HALF_LANES;
        }
        for (j, a) in acc.iter().enumerate() {
            let lo = _mm512_cvtps_pd(_mm512_castps512_ps256(*a));
            let hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(
                _mm512_castps_pd(*a),
            )));
            wide[2 * j] = _mm512_add_pd(wide[2 * j], lo);
            wide[2 * j + 1] = _mm512_add_pd(wide[2 * j + 1], hi);
        }
        start += BLOCK;
    }
    let mut l64 = [0.0f64; HALF_LANES];
    for (j, w) in wide.iter().enumerate() {
        _mm512_storeu_pd(l64.as_mut_ptr().add(8 * j), *w);
    }
    if full < len {
        block_scalar(p, full, len, &mut l64);
    }
    finish(&l64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift values in [-2, 2) with two subnormals.
    fn values() -> Vec<f32> {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut v: Vec<f32> = (0..3 * BLOCK + 77)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 40) as f32 / (1u64 << 24) as f32 * 4.0 - 2.0
            })
            .collect();
        v[3] = 1e-7;
        v[5] = -3e-6;
        v
    }

    /// The vector loop gives the generic loop's bits at every length around the block edges.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn vector_loop_matches_the_generic_loop_bitwise() {
        if !std::arch::is_x86_feature_detected!("avx512f")
            || !std::arch::is_x86_feature_detected!("f16c")
        {
            return;
        }
        fn check<H: HalfBits + Element, const KIND: u8>(v: &[f32]) {
            let h: Vec<H> = v.iter().map(|&x| H::narrow(x)).collect();
            for len in [
                0,
                1,
                63,
                64,
                65,
                BLOCK - 1,
                BLOCK,
                BLOCK + 1,
                2 * BLOCK + 17,
                h.len(),
            ] {
                // SAFETY: `len <= h.len()` elements are readable; the CPU has AVX-512F and F16C.
                let (fast, generic) = unsafe {
                    (
                        sum_avx512::<H, KIND>(h.as_ptr(), len),
                        sum_generic(h.as_ptr(), len),
                    )
                };
                assert_eq!(fast.to_bits(), generic.to_bits(), "length {len}");
            }
        }
        let v = values();
        check::<f16, { kind::F16 }>(&v);
        check::<bf16, { kind::BF16 }>(&v);
        let mut large = v.clone();
        large[100] = 60000.0;
        check::<f16, { kind::F16 }>(&large);
        check::<bf16, { kind::BF16 }>(&large);
        let mut with_inf = v.clone();
        with_inf[BLOCK + 5] = f32::INFINITY;
        check::<f16, { kind::F16 }>(&with_inf);
        check::<bf16, { kind::BF16 }>(&with_inf);
    }

    /// The blocked sum is within float32 rounding of the float64 sum (far below a half's
    /// precision), and `None` for other types and reducers.
    #[test]
    fn blocked_sum_equals_the_float64_sum_and_only_serves_half_sums() {
        let v = values();
        let h: Vec<f16> = v.iter().map(|&x| f16::narrow(x)).collect();
        let exact: f64 = h.iter().map(|x| x.widen() as f64).sum();
        // SAFETY: `h.len()` elements are readable.
        let got = unsafe { half_sum::<f16, Sum>(h.as_ptr(), h.len()) }.unwrap();
        assert!(
            (got - exact).abs() <= exact.abs() * 1e-7,
            "{got} vs {exact}"
        );
        let f: Vec<f32> = v.clone();
        // SAFETY: as above.
        unsafe {
            assert!(half_sum::<f32, Sum>(f.as_ptr(), f.len()).is_none());
            assert!(half_sum::<f16, super::super::reducers::Prod>(h.as_ptr(), h.len()).is_none());
        }
    }
}
