//! The backward of `copy_`: zero for the overwritten tensor, everything for the source.

use crate::autograd::graph::Backward;
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::tensor::Tensor;

/// The backward of `copy_`: (the overwritten tensor's metadata, the source's).
pub struct CopyRule(pub InputMeta, pub InputMeta);

impl Backward for CopyRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![
            Some(Tensor::zeros(&self.0.shape, self.0.dtype)?),
            Some(reduce_to(g.clone(), &self.1)?),
        ])
    }
}
