//! The gradient rule of `embedding`: the output gradient's rows summed into a zero table at the
//! rows their indices name (`index_add`, a differentiable op), after each row is scaled by its
//! factor (0 for `padding_idx`, `1 / count` with `scale_grad_by_freq`).

use crate::autograd::graph::Backward;
use crate::autograd::record::record;
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::scalar::Scalar;
use crate::tensor::Tensor;

/// The backward of `embedding` (the gradient of its weight).
pub struct EmbeddingRule {
    weight: InputMeta,
    /// The flattened indices (int64).
    indices: Tensor,
    /// Each index's gradient factor, when not all 1.
    factors: Option<Tensor>,
}

impl Backward for EmbeddingRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let n = self.indices.numel() as i64;
        let width = self.weight.shape[1];
        let mut rows = g.reshape(&[n, width as i64])?;
        if let Some(f) = &self.factors {
            rows = rows.mul(&f.to_dtype(g.dtype())?)?;
        }
        let table = Tensor::zeros(&self.weight.shape, g.dtype())?;
        let grad = table.index_add(0, &self.indices, &rows, Scalar::Int(1))?;
        Ok(vec![Some(reduce_to(grad, &self.weight)?)])
    }
}

/// Records `out = embedding(weight, indices)` as `EmbeddingBackward0`; `indices` flattened
/// int64, `factors` (`[n, 1]` float64) each row's gradient factor when not all 1.
pub fn record_embedding(
    out: Tensor,
    weight: &Tensor,
    indices: Tensor,
    factors: Option<Tensor>,
) -> Tensor {
    record(out, "EmbeddingBackward0", &[weight], || EmbeddingRule {
        weight: InputMeta::of(weight),
        indices,
        factors,
    })
}
