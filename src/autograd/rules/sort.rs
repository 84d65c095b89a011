//! Gradient rules of the sorting and selection family (`ops/sort.rs`): `sort`, `topk`, `cummax`
//! and `cummin` send each output gradient back to the input position its index names (a
//! scatter-add along the dim); `median()` / `nanmedian()` share it between the elements equal to
//! the result; `logcumsumexp` uses torch's sign-split formula. The `(values, indices)`
//! reductions (`kthvalue`, `median(dim)`, `mode`) use `extrema::record_indexed`.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;
use crate::value::Value;

/// The backward of an op whose output element `j` along `dim` is input element `indices[j]`:
/// the gradient scattered (and summed) back into those positions.
pub struct ScatterRule {
    indices: SavedTensor,
    meta: InputMeta,
    dim: usize,
}

impl ScatterRule {
    /// The rule for an output of `input` taken along `dim` (normalised) at `indices`.
    pub fn new(input: &Tensor, indices: &Tensor, dim: usize) -> ScatterRule {
        ScatterRule {
            indices: SavedTensor::new(indices),
            meta: InputMeta::of(input),
            dim,
        }
    }
}

impl Backward for ScatterRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let idx = self.indices.get()?;
        let grad = g.scatter_add_along(&idx, self.dim, &self.meta.shape)?;
        Ok(vec![Some(grad.to_dtype(self.meta.dtype)?)])
    }

    fn release(&self) {
        self.indices.release();
    }
}

/// The backward of `median()` / `nanmedian()` (torch's `evenly_distribute_backward`): the
/// gradient split evenly between the input elements equal to the result (the NaNs when it is
/// NaN).
pub struct EvenlyRule {
    input: SavedTensor,
    output: SavedTensor,
    meta: InputMeta,
}

impl EvenlyRule {
    /// The rule for `out`, the node `name`'s result over every element of `input`.
    pub fn new(input: &Tensor, out: &Tensor, name: &'static str) -> EvenlyRule {
        EvenlyRule {
            input: SavedTensor::new(input),
            output: SavedTensor::output(out, name),
            meta: InputMeta::of(input),
        }
    }
}

impl Backward for EvenlyRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let x = self.input.get()?;
        let out = self.output.get()?;
        let hits = x
            .eq(&out)?
            .logical_or(&x.isnan()?.logical_and(&out.isnan()?)?)?
            .to_dtype(self.meta.dtype)?;
        let count = hits.sum(None, false, None)?;
        Ok(vec![Some(hits.mul(&g.div(&count)?)?)])
    }

    fn release(&self) {
        self.input.release();
        self.output.release();
    }
}

/// The backward of `logcumsumexp` along `dim`: `grad[k] = sum_{j >= k} g[j] exp(x[k] - out[j])`,
/// computed as torch does, with the positive and negative parts of `g` in log space
/// (`exp(x[k] + reverse_logcumsumexp(log|g| - out)[k])`) so that nothing overflows.
pub struct LogcumsumexpRule {
    input: SavedTensor,
    output: SavedTensor,
    meta: InputMeta,
    dim: usize,
    /// For the running sum from the end (the gradient's own logcumsumexp): sums then run from
    /// the start.
    reverse: bool,
}

impl LogcumsumexpRule {
    /// The rule for `out = input.logcumsumexp(dim)` (`dim` normalised).
    pub fn new(input: &Tensor, out: &Tensor, dim: usize) -> LogcumsumexpRule {
        LogcumsumexpRule {
            input: SavedTensor::new(input),
            output: SavedTensor::output(out, "LogcumsumexpBackward0"),
            meta: InputMeta::of(input),
            dim,
            reverse: false,
        }
    }

    /// The rule for `out = input.reverse_logcumsumexp(dim)`.
    pub fn reversed(input: &Tensor, out: &Tensor, dim: usize) -> LogcumsumexpRule {
        LogcumsumexpRule {
            reverse: true,
            ..LogcumsumexpRule::new(input, out, dim)
        }
    }
}

impl Backward for LogcumsumexpRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let x = self.input.get()?;
        let out = self.output.get()?;
        let lowest = Value::Scalar(crate::scalar::Scalar::Float(
            if g.dtype() == DType::Float32 {
                f32::MIN as f64
            } else {
                f64::MIN
            },
        ));
        let log_abs = Value::Tensor(g.abs()?.log()?);
        let part = |cond: Tensor| -> Result<Tensor> {
            let log_g = Tensor::where_(&cond, &log_abs, &lowest)?.sub(&out)?;
            let summed = if self.reverse {
                log_g.logcumsumexp(self.dim as i64)?
            } else {
                log_g.reverse_logcumsumexp(self.dim)?
            };
            summed.add(&x)?.exp()
        };
        let pos = part(g.gt(0.0)?)?;
        let neg = part(g.lt(0.0)?)?;
        Ok(vec![Some(pos.sub(&neg)?.to_dtype(self.meta.dtype)?)])
    }

    fn release(&self) {
        self.input.release();
        self.output.release();
    }
}
