//! The gradient rules of `softmax` and `log_softmax` along one dim, written with differentiable
//! ops: `y * (g - Σ g y)` and `g - exp(y) Σ g`, the sums over the dim.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::error::Result;
use crate::tensor::Tensor;

/// The backward of `softmax` (or `log_softmax` when `log`) along `dim`.
pub struct SoftmaxRule {
    output: SavedTensor,
    dim: i64,
    log: bool,
}

impl Backward for SoftmaxRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let y = self.output.get()?;
        let dims = [self.dim];
        let grad = if self.log {
            g.sub(&y.exp()?.mul(&g.sum(Some(&dims), true, None)?)?)?
        } else {
            let gy = g.mul(&y)?;
            gy.sub(&y.mul(&gy.sum(Some(&dims), true, None)?)?)?
        };
        Ok(vec![Some(grad)])
    }

    fn release(&self) {
        self.output.release();
    }
}

/// Records `out = softmax(input)` along `dim` (`SoftmaxBackward0`, or `LogSoftmaxBackward0`
/// when `log`).
pub fn record_softmax(out: Tensor, input: &Tensor, dim: i64, log: bool) -> Tensor {
    let name = if log {
        "LogSoftmaxBackward0"
    } else {
        "SoftmaxBackward0"
    };
    let saved = out.clone();
    record(out, name, &[input], || SoftmaxRule {
        output: SavedTensor::output(&saved, name),
        dim,
        log,
    })
}
