//! The inverse of a batch of square matrices, through faer's LU factorisation with partial
//! pivoting (`P A = L U`, then `A^-1 = U^-1 L^-1 P`), as LAPACK's `getrf` + `getri` that torch
//! calls. Each matrix is factored on one thread (faer's `Par::Seq`) and the batch is split into
//! one chunk per matrix, so results never depend on the thread count.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::lu::partial_pivoting::{factor, inverse};
use faer::traits::ComplexField;
use faer::{Mat, MatMut, MatRef, Par};

/// Inverts every `n x n` matrix of contiguous `a` (`batch x n x n`, float32 or float64) into a
/// new contiguous tensor of the same shape. The second result holds, per matrix, LAPACK's
/// `info`: 0, or the 1-based index of the first diagonal element of `U` that is exactly zero
/// (the matrix is singular and its "inverse" is not finite).
pub fn invert(a: &Tensor) -> Result<(Tensor, Vec<i32>)> {
    let shape = a.shape();
    if shape.len() != 3 || shape[1] != shape[2] || !a.is_contiguous() {
        return Err(Error::Runtime(
            "internal error: an inverse operand of the wrong layout".into(),
        ));
    }
    let (batch, n) = (shape[0], shape[1]);
    let out = Tensor::uninit(shape, a.dtype())?;
    let info = match a.dtype() {
        DType::Float32 => run::<f32>(a, &out, batch, n),
        DType::Float64 => run::<f64>(a, &out, batch, n),
        _ => {
            return Err(Error::Runtime(
                "internal error: the inverse of a non-float dtype".into(),
            ))
        }
    };
    Ok((out, info))
}

fn run<T: ComplexField + Copy + PartialEq>(
    a: &Tensor,
    out: &Tensor,
    batch: usize,
    n: usize,
) -> Vec<i32> {
    let (src, dst) = (
        SendPtr(a.data_ptr_typed::<T>()),
        SendPtr(out.data_ptr_typed::<T>()),
    );
    let info: Vec<std::sync::atomic::AtomicI32> = (0..batch)
        .map(|_| std::sync::atomic::AtomicI32::new(0))
        .collect();
    threads::for_each_chunk(batch, |b| {
        let (src, dst) = (&src, &dst);
        // SAFETY: `invert` checked `a` is a contiguous `batch x n x n` tensor of `T` and `out` is
        // a fresh one of the same shape; `b < batch`, so matrix `b` of each lies inside its
        // buffer. Only this chunk writes matrix `b` of `out`, and `a` (alive for the call) is
        // only read.
        let (x, y) = unsafe {
            (
                std::slice::from_raw_parts(src.0.add(b * n * n), n * n),
                std::slice::from_raw_parts_mut(dst.0.add(b * n * n), n * n),
            )
        };
        info[b].store(invert_one(x, y, n), std::sync::atomic::Ordering::Relaxed);
    });
    info.into_iter().map(|i| i.into_inner()).collect()
}

/// Inverts the row-major `n x n` matrix `x` into `y`; returns LAPACK's `info`.
fn invert_one<T: ComplexField + Copy + PartialEq>(x: &[T], y: &mut [T], n: usize) -> i32 {
    let par = Par::Seq;
    // A column-major copy: faer's LU runs fastest on unit-stride columns.
    let mut lu: Mat<T> = MatRef::from_row_major_slice(x, n, n).to_owned();
    let (mut fwd, mut bwd) = (vec![0usize; n], vec![0usize; n]);
    let scratch = factor::lu_in_place_scratch::<usize, T>(n, n, par, Default::default())
        .or(inverse::inverse_scratch::<usize, T>(n, par));
    let mut mem = MemBuffer::new(scratch);
    let stack = MemStack::new(&mut mem);
    let (_, perm) = factor::lu_in_place(
        lu.as_mut(),
        &mut fwd,
        &mut bwd,
        par,
        stack,
        Default::default(),
    );
    let zero = faer::traits::math_utils::zero::<T>();
    let info = (0..n)
        .find(|&i| lu[(i, i)] == zero)
        .map_or(0, |i| i as i32 + 1);
    let mut inv: Mat<T> = Mat::zeros(n, n);
    inverse::inverse(inv.as_mut(), lu.as_ref(), lu.as_ref(), perm, par, stack);
    MatMut::from_row_major_slice_mut(y, n, n).copy_from(&inv);
    info
}
