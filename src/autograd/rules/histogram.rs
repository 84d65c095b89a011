//! The gradient "rule" of `histogram` and of `bincount` with weights: torch records its generic
//! `NotImplemented` node for them (both of `histogram`'s outputs on one node), whose backward
//! fails with a `RuntimeError` naming the ATen op.

use crate::autograd::graph::Backward;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// A `NotImplemented` node of the ATen op `op` (`aten::histogram`): any backward through it
/// fails.
pub struct NoDerivative(pub &'static str);

impl Backward for NoDerivative {
    fn apply(&self, _g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        self.apply_error()
    }

    fn apply_outputs(&self, _grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        self.apply_error()
    }
}

impl NoDerivative {
    /// The failure of every backward through the node.
    fn apply_error(&self) -> Result<Vec<Option<Tensor>>> {
        Err(Error::Runtime(format!(
            "derivative for {} is not implemented",
            self.0
        )))
    }
}
