//! Gradient rules of `cumsum` and `cumprod`.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::rules::InputMeta;
use crate::error::Result;
use crate::tensor::Tensor;

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
            g.reverse_cumsum(self.dim)?.to_dtype(self.input.dtype)?,
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
        let (x, out) = (self.x.get()?, self.out.get()?);
        let grad = if crate::autograd::mode::is_grad_enabled()
            && (g.requires_grad() || x.requires_grad())
        {
            // Gradients of gradients: the division formula, written with recorded ops (the
            // kernel's exact form for inputs with zeros is not differentiable).
            if !matches!(
                x.all(None, false)?.item_scalar()?,
                crate::Scalar::Bool(true)
            ) {
                return Err(crate::error::Error::NotImplemented(
                    "the second derivative of cumprod (create_graph=True through CumprodBackward0) is not implemented for inputs containing zeros".into(),
                ));
            }
            g.mul(&out)?.reverse_cumsum(self.dim)?.div(&x)?
        } else {
            g.cumprod_backward(&x, &out, self.dim)?
        };
        Ok(vec![Some(grad.to_dtype(self.input.dtype)?)])
    }

    fn release(&self) {
        self.x.release();
        self.out.release();
    }
}
