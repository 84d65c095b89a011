//! The gradient "rule" of `unique` and `unique_consecutive` (`ops/unique.rs`): torch records a
//! node for a floating input that requires grad but has no derivative for it, so `backward`
//! through it fails with torch's `NotImplementedError`.

use crate::autograd::graph::Backward;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// A node whose backward fails: the derivative of torch's op `op` is not implemented.
pub struct NotDifferentiable(pub &'static str);

impl Backward for NotDifferentiable {
    fn apply(&self, _g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Err(Error::NotImplemented(format!(
            "the derivative for '{}' is not implemented.",
            self.0
        )))
    }
}
