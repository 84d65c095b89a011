//! The gradient of the matrix inverse (`LinalgInvExBackward0`): for `X = A^-1`,
//! `grad_A = -X^T (grad_X X^T)`, torch's formula and order of products.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::error::Result;
use crate::tensor::Tensor;

/// The backward of `X = A^-1`: needs only the inverse.
pub struct InverseRule {
    inverse: SavedTensor,
}

impl Backward for InverseRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let xt = self.inverse.get()?.transpose(-2, -1)?;
        Ok(vec![Some(xt.matmul(&g.matmul(&xt)?)?.neg()?)])
    }

    fn release(&self) {
        self.inverse.release();
    }
}

/// Records `inverse = a^-1` as `LinalgInvExBackward0` when `a` needs a gradient.
pub fn record_inverse(inverse: Tensor, a: &Tensor) -> Tensor {
    const NAME: &str = "LinalgInvExBackward0";
    let saved = inverse.clone();
    record(inverse, NAME, &[a], || InverseRule {
        inverse: SavedTensor::output(&saved, NAME),
    })
}
