//! Gradient rules of `var` and `std`: `g * 2 (x - mean) / dof` and `g * (x - mean) / (dof * std)`.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::reduce::with_kept_dims;
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// The backward of `var` (no saved output) or `std` (with it).
pub struct MomentRule {
    input: SavedTensor,
    std: Option<SavedTensor>,
    meta: InputMeta,
    mask: Vec<bool>,
    keepdim: bool,
    dof: f64,
}

impl Backward for MomentRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let shape = &self.meta.shape;
        let dev = self.input.get()?.deviations(&self.mask)?;
        let g = with_kept_dims(g, shape, &self.mask, self.keepdim)?.to_dtype(DType::Float64)?;
        let scaled = match &self.std {
            None => g.mul(2.0 / self.dof)?,
            Some(s) => {
                let s = with_kept_dims(&s.get()?, shape, &self.mask, self.keepdim)?;
                let s = s.to_dtype(DType::Float64)?.mul(self.dof)?;
                g.div(&s)?
            }
        };
        Ok(vec![Some(dev.mul(&scaled)?.to_dtype(self.meta.dtype)?)])
    }

    fn release(&self) {
        self.input.release();
        if let Some(s) = &self.std {
            s.release();
        }
    }
}

/// Records `var` (`VarBackward0`) or, with `root`, `std` (`StdBackward0`).
pub fn record_moment(
    out: Tensor,
    input: &Tensor,
    mask: &[bool],
    keepdim: bool,
    dof: f64,
    root: bool,
) -> Tensor {
    let name = if root { "StdBackward0" } else { "VarBackward0" };
    let saved = out.clone();
    record(out, name, &[input], || MomentRule {
        input: SavedTensor::new(input),
        std: root.then(|| SavedTensor::output(&saved, name)),
        meta: InputMeta::of(input),
        mask: mask.to_vec(),
        keepdim,
        dof,
    })
}
