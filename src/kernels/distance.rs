//! The loops of `cdist`: the `p`-norm distance between every row of one batch of matrices and
//! every row of another, and the last pass of its Euclidean matrix-product formulation
//! (`sqrt(max(-2 x.y + |x|^2 + |y|^2, 1e-30))`). Rows are split into fixed chunks, so results do
//! not depend on the thread count.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;

/// Output rows per chunk of work.
const ROWS_PER_CHUNK: usize = 16;

/// The element types the distance loops run on.
pub trait Real: Copy + Send + Sync + PartialOrd + 'static {
    /// 0.
    const ZERO: Self;
    /// `|self|`.
    fn abs(self) -> Self;
    /// `self + o`.
    fn add(self, o: Self) -> Self;
    /// `self * o`.
    fn mul(self, o: Self) -> Self;
    /// `self ^ e`.
    fn powf(self, e: Self) -> Self;
    /// The square root.
    fn sqrt(self) -> Self;
    /// From an f64.
    fn of(v: f64) -> Self;
    /// True for NaN.
    fn is_nan(self) -> bool;
}

macro_rules! impl_real {
    ($($t:ty),*) => {$(
        impl Real for $t {
            const ZERO: $t = 0.0;
            #[inline(always)]
            fn abs(self) -> $t { <$t>::abs(self) }
            #[inline(always)]
            fn add(self, o: $t) -> $t { self + o }
            #[inline(always)]
            fn mul(self, o: $t) -> $t { self * o }
            #[inline(always)]
            fn powf(self, e: $t) -> $t { <$t>::powf(self, e) }
            #[inline(always)]
            fn sqrt(self) -> $t { <$t>::sqrt(self) }
            #[inline(always)]
            fn of(v: f64) -> $t { v as $t }
            #[inline(always)]
            fn is_nan(self) -> bool { <$t>::is_nan(self) }
        }
    )*};
}
impl_real!(f32, f64);

/// The `p`-norm of the difference of two rows of `m` elements, as torch's kernel sums it.
#[inline(always)]
fn row_distance<T: Real>(a: &[T], b: &[T], p: f64) -> T {
    let diffs = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| x.add(y.mul(T::of(-1.0))).abs());
    if p == 0.0 {
        diffs.fold(
            T::ZERO,
            |s, d| if d != T::ZERO { s.add(T::of(1.0)) } else { s },
        )
    } else if p == 1.0 {
        diffs.fold(T::ZERO, |s, d| s.add(d))
    } else if p == 2.0 {
        diffs.fold(T::ZERO, |s, d| s.add(d.mul(d))).sqrt()
    } else if p.is_infinite() {
        diffs.fold(T::ZERO, |s, d| if d > s || d.is_nan() { d } else { s })
    } else {
        let e = T::of(p);
        diffs
            .fold(T::ZERO, |s, d| s.add(d.powf(e)))
            .powf(T::of(1.0 / p))
    }
}

/// Checks that `t` is a contiguous float tensor of `shape`.
fn check(t: &Tensor, shape: &[usize], dtype: DType) -> Result<()> {
    if t.shape() != shape || !t.is_contiguous() || t.dtype() != dtype {
        return Err(Error::Runtime(
            "internal error: a cdist operand of the wrong layout".into(),
        ));
    }
    Ok(())
}

/// The distances between the rows of contiguous `x1` (`batch x p x m`) and `x2` (`batch x r x
/// m`) into a new contiguous `batch x p x r` tensor.
pub fn cdist(x1: &Tensor, x2: &Tensor, p: f64) -> Result<Tensor> {
    let dtype = x1.dtype();
    let (batch, rows, m) = (x1.shape()[0], x1.shape()[1], x1.shape()[2]);
    let cols = x2.shape()[1];
    check(x1, &[batch, rows, m], dtype)?;
    check(x2, &[batch, cols, m], dtype)?;
    let out = Tensor::uninit(&[batch, rows, cols], dtype)?;
    match dtype {
        DType::Float32 => run::<f32>(x1, x2, &out, p),
        DType::Float64 => run::<f64>(x1, x2, &out, p),
        _ => {
            return Err(Error::Runtime(
                "internal error: cdist of a non-float dtype".into(),
            ))
        }
    }
    Ok(out)
}

fn run<T: Real>(x1: &Tensor, x2: &Tensor, out: &Tensor, p: f64) {
    let (batch, rows, m) = (x1.shape()[0], x1.shape()[1], x1.shape()[2]);
    let cols = x2.shape()[1];
    let (a, b, o) = (
        SendPtr(x1.data_ptr_typed::<T>()),
        SendPtr(x2.data_ptr_typed::<T>()),
        SendPtr(out.data_ptr_typed::<T>()),
    );
    let total = batch * rows;
    threads::for_each_chunk(total.div_ceil(ROWS_PER_CHUNK), |c| {
        let (a, b, o) = (&a, &b, &o);
        for r in c * ROWS_PER_CHUNK..((c + 1) * ROWS_PER_CHUNK).min(total) {
            let bi = r / rows;
            // SAFETY: `cdist` checked both inputs are contiguous `T` tensors of `batch x rows x
            // m` and `batch x cols x m` and `out` a fresh contiguous `batch x rows x cols`;
            // `r < batch * rows`, so row `r` of `x1`, the `cols` rows of batch `bi` of `x2` and
            // row `r` of `out` are inside their buffers. Only this chunk writes row `r` of `out`,
            // and the inputs (alive for the call) are only read.
            unsafe {
                let xa = std::slice::from_raw_parts(a.0.add(r * m), m);
                let orow = std::slice::from_raw_parts_mut(o.0.add(r * cols), cols);
                for (j, v) in orow.iter_mut().enumerate() {
                    let xb = std::slice::from_raw_parts(b.0.add((bi * cols + j) * m), m);
                    *v = row_distance(xa, xb, p);
                }
            }
        }
    });
}

/// Finishes the Euclidean formulation in place: `out[b, i, j] = sqrt(max(out[b, i, j] +
/// n1[b, i] + n2[b, j], 1e-30))`, with `out` holding `-2 x1 @ x2^T` (contiguous `batch x rows x
/// cols`) and `n1`, `n2` the rows' squared norms (contiguous `batch x rows`, `batch x cols`).
pub fn finish_euclidean(out: &Tensor, n1: &Tensor, n2: &Tensor) -> Result<()> {
    let dtype = out.dtype();
    let (batch, rows, cols) = (out.shape()[0], out.shape()[1], out.shape()[2]);
    check(out, &[batch, rows, cols], dtype)?;
    check(n1, &[batch, rows], dtype)?;
    check(n2, &[batch, cols], dtype)?;
    match dtype {
        DType::Float32 => finish::<f32>(out, n1, n2),
        DType::Float64 => finish::<f64>(out, n1, n2),
        _ => {
            return Err(Error::Runtime(
                "internal error: cdist of a non-float dtype".into(),
            ))
        }
    }
    Ok(())
}

fn finish<T: Real>(out: &Tensor, n1: &Tensor, n2: &Tensor) {
    let (batch, rows, cols) = (out.shape()[0], out.shape()[1], out.shape()[2]);
    let (o, a, b) = (
        SendPtr(out.data_ptr_typed::<T>()),
        SendPtr(n1.data_ptr_typed::<T>()),
        SendPtr(n2.data_ptr_typed::<T>()),
    );
    let total = batch * rows;
    let floor = T::of(1e-30);
    threads::for_each_chunk(total.div_ceil(ROWS_PER_CHUNK), |c| {
        let (o, a, b) = (&o, &a, &b);
        for r in c * ROWS_PER_CHUNK..((c + 1) * ROWS_PER_CHUNK).min(total) {
            let bi = r / rows;
            // SAFETY: `finish_euclidean` checked the three are contiguous `T` tensors of
            // `batch x rows x cols`, `batch x rows` and `batch x cols`; `r < batch * rows`, so
            // row `r` of `out`, element `r` of `n1` and row `bi` of `n2` are inside them. Only
            // this chunk touches row `r` of `out`; the norms are only read.
            unsafe {
                let ni = *a.0.add(r);
                let orow = std::slice::from_raw_parts_mut(o.0.add(r * cols), cols);
                let nrow = std::slice::from_raw_parts(b.0.add(bi * cols), cols);
                for (v, &nj) in orow.iter_mut().zip(nrow) {
                    let s = v.add(ni).add(nj);
                    // NaN stays NaN, as torch's `clamp_min` keeps it.
                    let s = if s < floor { floor } else { s };
                    *v = s.sqrt();
                }
            }
        }
    });
}
