//! Gradient rules of `cumsum` and `cumprod`.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::rules::InputMeta;
use crate::dtype::Element;
use crate::error::Result;
use crate::kernels::scan::reverse_cumsum;
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;

/// The backward of `cumsum` along `dim`: each input element feeds every later output, so its
/// gradient is the running sum of the output gradient from the end.
pub struct CumsumRule {
    input: InputMeta,
    dim: usize,
}

impl CumsumRule {
    /// The rule for `input.cumsum(dim)` (`dim` normalised).
    pub fn new(input: &Tensor, dim: usize) -> CumsumRule {
        CumsumRule {
            input: InputMeta::of(input),
            dim,
        }
    }
}

impl Backward for CumsumRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(
            reverse_cumsum(g, self.dim)?.to_dtype(self.input.dtype)?,
        )])
    }
}

/// The backward of `cumprod` along `dim`, exact with zeros in the input (no division):
/// `grad[k] = out[k-1] * S[k]` with `S[k] = g[k] + x[k+1] * S[k+1]` (and `out[-1] = 1`), since
/// `d out[j] / d x[k] = out[k-1] * x[k+1] * ... * x[j]` for `j >= k`.
pub struct CumprodRule {
    input: InputMeta,
    dim: usize,
    x: SavedTensor,
    out: SavedTensor,
}

impl CumprodRule {
    /// The rule for `out = input.cumprod(dim)` (`dim` normalised).
    pub fn new(input: &Tensor, out: &Tensor, dim: usize) -> CumprodRule {
        CumprodRule {
            input: InputMeta::of(input),
            dim,
            x: SavedTensor::new(input),
            out: SavedTensor::output(out, "CumprodBackward0"),
        }
    }
}

impl Backward for CumprodRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let dtype = g.dtype();
        let x = self.x.get()?.to_dtype(dtype)?.contiguous()?;
        let out = self.out.get()?.to_dtype(dtype)?.contiguous()?;
        let g = g.detach().contiguous()?;
        let grad = Tensor::uninit(g.shape(), dtype)?;
        let shape = g.shape();
        let (outer, n, inner) = if shape.is_empty() {
            (1, 1, 1)
        } else {
            (
                shape[..self.dim].iter().product(),
                shape[self.dim],
                shape[self.dim + 1..].iter().product(),
            )
        };
        if grad.numel() > 0 {
            crate::dispatch!(dtype, T => cumprod_grad::<T>(&x, &out, &g, &grad, outer, n, inner));
        }
        Ok(vec![Some(grad.to_dtype(self.input.dtype)?)])
    }

    fn release(&self) {
        self.x.release();
        self.out.release();
    }
}

/// Writes the cumprod gradient of `(outer, n, inner)`-shaped contiguous tensors into `grad`,
/// computing in float64; blocks along `outer` run in parallel.
fn cumprod_grad<T: Element>(
    x: &Tensor,
    out: &Tensor,
    g: &Tensor,
    grad: &Tensor,
    outer: usize,
    n: usize,
    inner: usize,
) {
    let (xp, op, gp, rp) = (
        SendPtr(x.data_ptr_typed::<T>()),
        SendPtr(out.data_ptr_typed::<T>()),
        SendPtr(g.data_ptr_typed::<T>()),
        SendPtr(grad.data_ptr_typed::<T>()),
    );
    // SAFETY: the caller passes contiguous `T` tensors (converted to `dtype` and made contiguous
    // in `apply`) of the gradient's shape, i.e. `outer * n * inner` elements, so every `at(k, i)`
    // with `k < n`, `i < inner` is inside all four; block `o` writes only `grad`'s elements
    // `o * n * inner..(o + 1) * n * inner`, and `grad` is a fresh tensor no block reads.
    threads::for_each_chunk(outer, |o| unsafe {
        let base = o * n * inner;
        let at = |k: usize, i: usize| (base + k * inner + i) as isize;
        let mut s = vec![0.0f64; inner];
        for k in (0..n).rev() {
            for (i, sv) in s.iter_mut().enumerate() {
                let next = if k + 1 < n {
                    (*xp.at(at(k + 1, i))).to_f64() * *sv
                } else {
                    0.0
                };
                *sv = (*gp.at(at(k, i))).to_f64() + next;
                let before = if k > 0 {
                    (*op.at(at(k - 1, i))).to_f64()
                } else {
                    1.0
                };
                *rp.at(at(k, i)) = T::from_f64(before * *sv);
            }
        }
    });
}
