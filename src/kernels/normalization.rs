//! Layer normalisation of the rows of a contiguous float tensor: each row's mean and biased
//! variance are accumulated in float64 (two passes, lane-wise partial sums in a fixed order), and
//! `(x - mean) / sqrt(var + eps) * weight + bias` is computed in float64 and rounded once. Rows
//! are independent and each is computed by one thread, so results do not depend on the thread
//! count.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;

/// Lanes of the partial sums of a row.
const LANES: usize = 8;
/// Elements per parallel chunk (about).
const CHUNK: usize = 1 << 15;

/// The float types the kernel takes.
trait Float: Copy + Send + Sync + 'static {
    /// The value in float64.
    fn wide(self) -> f64;
    /// `v` rounded to this type.
    fn narrow(v: f64) -> Self;
}

impl Float for f32 {
    #[inline(always)]
    fn wide(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn narrow(v: f64) -> f32 {
        v as f32
    }
}

impl Float for f64 {
    #[inline(always)]
    fn wide(self) -> f64 {
        self
    }
    #[inline(always)]
    fn narrow(v: f64) -> f64 {
        v
    }
}

/// `Σ f(x)` over a row, in `LANES` partial sums folded in a fixed order.
#[inline(always)]
fn lane_sum<T: Float>(x: &[T], f: impl Fn(f64) -> f64) -> f64 {
    let mut acc = [0.0f64; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..LANES {
            acc[j] += f(c[j].wide());
        }
    }
    let mut s = 0.0;
    for a in acc {
        s += a;
    }
    for &v in rest {
        s += f(v.wide());
    }
    s
}

/// One row: writes its normalised values to `out`.
#[inline(always)]
fn row<T: Float>(x: &[T], out: &mut [T], w: Option<&[T]>, b: Option<&[T]>, eps: f64) {
    let n = x.len() as f64;
    let mean = lane_sum(x, |v| v) / n;
    let var = lane_sum(x, |v| (v - mean) * (v - mean)) / n;
    let rstd = 1.0 / (var + eps).sqrt();
    for (i, (o, &v)) in out.iter_mut().zip(x).enumerate() {
        let mut y = (v.wide() - mean) * rstd;
        if let Some(w) = w {
            y *= w[i].wide();
        }
        if let Some(b) = b {
            y += b[i].wide();
        }
        *o = T::narrow(y);
    }
}

/// Rows of `n` elements of one float type.
fn rows<T: Float>(
    x: &Tensor,
    n: usize,
    w: Option<&Tensor>,
    b: Option<&Tensor>,
    eps: f64,
    out: &Tensor,
) {
    let count = x.numel() / n;
    let xp = SendPtr(x.data_ptr_typed::<T>());
    let op = SendPtr(out.data_ptr_typed::<T>());
    let wp = w.map(|w| SendPtr(w.data_ptr_typed::<T>()));
    let bp = b.map(|b| SendPtr(b.data_ptr_typed::<T>()));
    let per = (CHUNK / n).max(1);
    threads::for_each_chunk(count.div_ceil(per), |c| {
        let (r0, r1) = (c * per, ((c + 1) * per).min(count));
        // SAFETY: `x` and `out` hold `count * n` elements and `weight`/`bias` `n` (checked by
        // `layer_norm`); chunks write disjoint rows of `out`, which aliases no input.
        let (w, b) = unsafe {
            (
                wp.as_ref()
                    .map(|p| std::slice::from_raw_parts(p.0 as *const T, n)),
                bp.as_ref()
                    .map(|p| std::slice::from_raw_parts(p.0 as *const T, n)),
            )
        };
        for r in r0..r1 {
            // SAFETY: row `r` lies inside both buffers, and only this chunk writes it.
            let (xs, os) = unsafe {
                (
                    std::slice::from_raw_parts(xp.at((r * n) as isize) as *const T, n),
                    std::slice::from_raw_parts_mut(op.at((r * n) as isize), n),
                )
            };
            row(xs, os, w, b, eps);
        }
    });
}

/// `out = layer_norm(x)` over the last `n` elements (the rows of `x` seen as `[numel / n, n]`),
/// times `weight` and plus `bias` (of `n` elements) when given; every tensor contiguous, of one
/// float32 or float64 dtype, and `out` a fresh tensor of `x`'s shape.
pub fn layer_norm(
    x: &Tensor,
    n: usize,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
    out: &Tensor,
) -> Result<()> {
    let operands_ok = x.is_contiguous()
        && out.is_contiguous()
        && x.shape() == out.shape()
        && x.dtype() == out.dtype()
        && n > 0
        && x.numel().is_multiple_of(n)
        && [weight, bias]
            .iter()
            .flatten()
            .all(|t| t.is_contiguous() && t.numel() == n && t.dtype() == x.dtype());
    if !operands_ok {
        return Err(Error::Runtime(
            "internal error: layer_norm kernel operands".into(),
        ));
    }
    if x.numel() == 0 {
        return Ok(());
    }
    match x.dtype() {
        DType::Float32 => rows::<f32>(x, n, weight, bias, eps, out),
        DType::Float64 => rows::<f64>(x, n, weight, bias, eps, out),
        d => {
            return Err(Error::Runtime(format!(
                "internal error: layer_norm kernel on {}",
                d.name()
            )))
        }
    }
    Ok(())
}
