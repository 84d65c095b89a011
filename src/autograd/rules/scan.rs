//! Gradient rules of `cumsum` and `cumprod`.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::Result;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

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
            // Gradients of gradients: the kernel's exact form is not recorded, so the rule is
            // written with recorded ops, as torch's: the division formula when no input is 0,
            // else every omitted product at once.
            if matches!(
                x.all(None, false)?.item_scalar()?,
                crate::Scalar::Bool(true)
            ) {
                g.mul(&out)?.reverse_cumsum(self.dim)?.div(&x)?
            } else {
                omitted_products_grad(&x.to_dtype(g.dtype())?, g, self.dim)?
            }
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

/// `cumprod`'s gradient along `dim` with recorded ops, exact with zeros in `x` (torch's grad-mode
/// `cumprod_backward` forms the same products in a loop over `k`):
/// `grad[k] = sum_{j >= k} g[j] * prod_{m <= j, m != k} x[m]`. Row `k` of an `n x n` expansion
/// (a new dim before `dim`) is `x` with element `k` set to 1, so its running product along `dim`
/// holds every omitted product at once.
fn omitted_products_grad(x: &Tensor, g: &Tensor, dim: usize) -> Result<Tensor> {
    if x.ndim() == 0 {
        return Ok(g.clone());
    }
    let n = x.shape()[dim] as i64;
    let tail = vec![1i64; x.ndim() - dim - 1];
    let along = |lead: &[i64]| -> Result<Tensor> {
        let mut shape = lead.to_vec();
        shape.extend(&tail);
        Tensor::arange_int(0, n, 1, DType::Int64)?.reshape(&shape)
    };
    let (k, m) = (along(&[n, 1])?, along(&[n])?);
    let rows = Tensor::where_(
        &k.eq(&m)?,
        &Value::Scalar(Scalar::Float(1.0)),
        &Value::Tensor(x.unsqueeze(dim as i64)?),
    )?;
    let omitted = rows.cumprod(dim as i64 + 1, None)?;
    let terms = Tensor::where_(
        &m.ge(&k)?,
        &Value::Tensor(omitted.mul(&g.unsqueeze(dim as i64)?)?),
        &Value::Scalar(Scalar::Float(0.0)),
    )?;
    terms.sum(Some(&[dim as i64 + 1]), false, None)
}
