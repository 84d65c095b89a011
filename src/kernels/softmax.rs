//! Softmax and log-softmax along one dim of a contiguous float tensor, seen as
//! `[outer, n, inner]` with the dim of size `n`. Each output slice reads its input from memory
//! once: a row (or a tile of columns) is small enough to stay in cache while its maximum, then
//! `Σ exp(x - max)`, then the outputs are computed from it, as torch's kernels do:
//! `exp(x - max) * (1 / sum)` and `x - max - ln(sum)`. Slices are independent and each is
//! computed by one thread in a fixed order, so results do not depend on the thread count. A NaN
//! or `+inf` in a slice makes its outputs NaN, as torch's.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::vmath::VMath;
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;

/// Lanes of the partial maxima and sums of a row (two AVX-512 vectors of f32).
const LANES: usize = 32;
/// Columns per tile when the dim is not the last.
const TILE: usize = 256;
/// Elements per parallel chunk (about).
const CHUNK: usize = 1 << 15;

macro_rules! float_impl {
    ($t:ident) => {
        /// Softmax rows and column tiles of one float type.
        pub(super) mod $t {
            use super::*;

            /// The largest element of `x` (NaN is left to the sum).
            #[inline(always)]
            fn row_max(x: &[$t]) -> $t {
                let mut mx = [$t::NEG_INFINITY; LANES];
                let chunks = x.chunks_exact(LANES);
                let rest = chunks.remainder();
                for c in chunks {
                    for j in 0..LANES {
                        mx[j] = if c[j] > mx[j] { c[j] } else { mx[j] };
                    }
                }
                let mut m = $t::NEG_INFINITY;
                for &v in mx.iter().chain(rest) {
                    m = if v > m { v } else { m };
                }
                m
            }

            /// `Σ exp(x - m)`, storing each term in `out` when `store`.
            #[inline(always)]
            fn row_sum(x: &[$t], out: &mut [$t], m: $t, store: bool) -> $t {
                let mut acc = [0.0 as $t; LANES];
                let n = x.len() / LANES * LANES;
                for (c, o) in x[..n]
                    .chunks_exact(LANES)
                    .zip(out[..n].chunks_exact_mut(LANES))
                {
                    for j in 0..LANES {
                        let e = (c[j] - m).v_exp();
                        if store {
                            o[j] = e;
                        }
                        acc[j] += e;
                    }
                }
                let mut width = LANES / 2;
                while width > 0 {
                    for j in 0..width {
                        acc[j] += acc[j + width];
                    }
                    width /= 2;
                }
                let mut s = acc[0];
                for i in n..x.len() {
                    let e = (x[i] - m).v_exp();
                    if store {
                        out[i] = e;
                    }
                    s += e;
                }
                s
            }

            /// One contiguous row.
            #[inline(always)]
            pub fn row(x: &[$t], out: &mut [$t], log: bool) {
                let m = row_max(x);
                if log {
                    let ls = row_sum(x, out, m, false).ln();
                    for (o, &v) in out.iter_mut().zip(x) {
                        *o = v - m - ls;
                    }
                } else {
                    let r = 1.0 / row_sum(x, out, m, true);
                    for o in out.iter_mut() {
                        *o *= r;
                    }
                }
            }

            /// Columns `c0..c0 + w` of a `[n, inner]` block (`w <= TILE`), written through
            /// `out`, the block's output.
            ///
            /// # Safety
            /// `out` is valid for `n * inner` elements, and no other thread touches these columns.
            #[inline(always)]
            pub unsafe fn tile(
                x: &[$t],
                out: SendPtr<$t>,
                n: usize,
                inner: usize,
                c0: usize,
                w: usize,
                log: bool,
            ) {
                let mut mx = [$t::NEG_INFINITY; TILE];
                let mut sum = [0.0 as $t; TILE];
                for k in 0..n {
                    let r = &x[k * inner + c0..k * inner + c0 + w];
                    for j in 0..w {
                        mx[j] = if r[j] > mx[j] { r[j] } else { mx[j] };
                    }
                }
                for k in 0..n {
                    let r = &x[k * inner + c0..k * inner + c0 + w];
                    for j in 0..w {
                        sum[j] += (r[j] - mx[j]).v_exp();
                    }
                }
                for j in 0..w {
                    sum[j] = if log { sum[j].ln() } else { 1.0 / sum[j] };
                }
                for k in 0..n {
                    let r = &x[k * inner + c0..k * inner + c0 + w];
                    for j in 0..w {
                        let v = if log {
                            r[j] - mx[j] - sum[j]
                        } else {
                            (r[j] - mx[j]).v_exp() * sum[j]
                        };
                        // SAFETY: k * inner + c0 + j < n * inner (the caller's contract).
                        unsafe { *out.0.add(k * inner + c0 + j) = v };
                    }
                }
            }

            /// Rows `r0..r1` of a last-dim softmax, with the widest vector extension.
            ///
            /// # Safety
            /// `x` and `out` hold `r1 * n` elements; no other thread touches rows `r0..r1` of `out`.
            pub unsafe fn rows(
                x: SendPtr<$t>,
                out: SendPtr<$t>,
                n: usize,
                r0: usize,
                r1: usize,
                log: bool,
            ) {
                #[inline(always)]
                unsafe fn go(
                    x: SendPtr<$t>,
                    out: SendPtr<$t>,
                    n: usize,
                    r0: usize,
                    r1: usize,
                    log: bool,
                ) {
                    for r in r0..r1 {
                        // SAFETY: row r lies inside both buffers (the caller's contract).
                        let (xs, os) = unsafe {
                            (
                                std::slice::from_raw_parts(x.0.add(r * n), n),
                                std::slice::from_raw_parts_mut(out.0.add(r * n), n),
                            )
                        };
                        row(xs, os, log);
                    }
                }
                #[cfg(target_arch = "x86_64")]
                #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]
                unsafe fn avx512(
                    x: SendPtr<$t>,
                    out: SendPtr<$t>,
                    n: usize,
                    r0: usize,
                    r1: usize,
                    log: bool,
                ) {
                    // SAFETY: the caller's contract, passed on.
                    unsafe { go(x, out, n, r0, r1, log) }
                }
                #[cfg(target_arch = "x86_64")]
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2(
                    x: SendPtr<$t>,
                    out: SendPtr<$t>,
                    n: usize,
                    r0: usize,
                    r1: usize,
                    log: bool,
                ) {
                    // SAFETY: the caller's contract, passed on.
                    unsafe { go(x, out, n, r0, r1, log) }
                }
                use crate::kernels::engine::{simd, Simd};
                match simd() {
                    // SAFETY: the CPU has these features (detected); buffers as the caller's.
                    #[cfg(target_arch = "x86_64")]
                    Simd::Avx512 => unsafe { avx512(x, out, n, r0, r1, log) },
                    // SAFETY: as above.
                    #[cfg(target_arch = "x86_64")]
                    Simd::Avx2 => unsafe { avx2(x, out, n, r0, r1, log) },
                    // SAFETY: the caller's contract.
                    _ => unsafe { go(x, out, n, r0, r1, log) },
                }
            }
        }
    };
}

float_impl!(f32);
float_impl!(f64);

/// Work on one tensor: its view as `[outer, n, inner]` and the flat buffers.
struct Job<T> {
    x: SendPtr<T>,
    out: SendPtr<T>,
    outer: usize,
    n: usize,
    inner: usize,
    log: bool,
}

macro_rules! run_job {
    ($t:ident, $job:expr) => {{
        let job: Job<$t> = $job;
        let (n, inner, log) = (job.n, job.inner, job.log);
        if inner == 1 {
            let rows_per = (CHUNK / n.max(1)).max(1);
            let chunks = job.outer.div_ceil(rows_per);
            threads::for_each_chunk(chunks, |c| {
                let r0 = c * rows_per;
                let r1 = (r0 + rows_per).min(job.outer);
                // SAFETY: rows r0..r1 lie inside both buffers of `outer * n` elements, and
                // chunks own disjoint rows.
                unsafe { $t::rows(job.x, job.out, n, r0, r1, log) };
            });
        } else {
            let tiles = inner.div_ceil(TILE);
            threads::for_each_chunk(job.outer * tiles, |i| {
                let (o, t) = (i / tiles, i % tiles);
                let c0 = t * TILE;
                let w = TILE.min(inner - c0);
                let block = n * inner;
                // SAFETY: block `o` lies inside both buffers; the input is only read, and the
                // chunks of one block write disjoint columns of its output.
                unsafe {
                    let xs = std::slice::from_raw_parts(job.x.at((o * block) as isize), block);
                    $t::tile(
                        xs,
                        SendPtr(job.out.at((o * block) as isize)),
                        n,
                        inner,
                        c0,
                        w,
                        log,
                    );
                }
            });
        }
    }};
}

/// `out = softmax(x)` (or `log_softmax` when `log`) along `dim`; `x` and `out` contiguous
/// float tensors of one shape and dtype.
pub fn softmax(x: &Tensor, dim: usize, log: bool, out: &Tensor) -> Result<()> {
    if !x.is_contiguous() || !out.is_contiguous() || x.shape() != out.shape() {
        return Err(Error::Runtime(
            "internal error: softmax kernel needs contiguous tensors of one shape".into(),
        ));
    }
    if x.dtype() != out.dtype() || dim >= x.ndim().max(1) {
        return Err(Error::Runtime(
            "internal error: softmax kernel operands".into(),
        ));
    }
    if x.numel() == 0 {
        return Ok(());
    }
    let shape = x.shape();
    let n = shape.get(dim).copied().unwrap_or(1);
    let inner: usize = shape.iter().skip(dim + 1).product();
    let outer = x.numel() / (n * inner);
    match x.dtype() {
        DType::Float32 => run_job!(
            f32,
            Job {
                x: SendPtr(x.data_ptr_typed::<f32>()),
                out: SendPtr(out.data_ptr_typed::<f32>()),
                outer,
                n,
                inner,
                log,
            }
        ),
        DType::Float64 => run_job!(
            f64,
            Job {
                x: SendPtr(x.data_ptr_typed::<f64>()),
                out: SendPtr(out.data_ptr_typed::<f64>()),
                outer,
                n,
                inner,
                log,
            }
        ),
        d => {
            return Err(Error::Runtime(format!(
                "internal error: softmax kernel on {}",
                d.name()
            )))
        }
    }
    Ok(())
}
