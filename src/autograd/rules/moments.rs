//! Gradient rules of `var` and `std`: `g * 2 (x - mean) / dof` and `g * (x - mean) / (dof * std)`.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::{record, record_outputs};
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

impl MomentRule {
    /// The input gradient from the gradient of the variance (or of the std).
    fn grad(&self, g: &Tensor) -> Result<Tensor> {
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
        dev.mul(&scaled)?.to_dtype(self.meta.dtype)
    }
}

impl Backward for MomentRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(self.grad(g)?)])
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

/// The backward of `var_mean` / `std_mean`, a node of two outputs: the moment's gradient plus
/// the mean's (spread evenly over the reduced elements).
pub struct MomentMeanRule {
    moment: MomentRule,
    count: usize,
}

impl Backward for MomentMeanRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        self.apply_outputs(&[Some(g.clone()), None])
    }

    fn apply_outputs(&self, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        let m = &self.moment;
        let mut total = match grads.first() {
            Some(Some(g)) => Some(m.grad(g)?),
            _ => None,
        };
        if let Some(Some(g)) = grads.get(1) {
            let g = with_kept_dims(g, &m.meta.shape, &m.mask, m.keepdim)?;
            let sizes: Vec<i64> = m.meta.shape.iter().map(|&d| d as i64).collect();
            let part = g
                .expand(&sizes)?
                .div(self.count as f64)?
                .to_dtype(m.meta.dtype)?;
            total = Some(match total {
                None => part,
                Some(t) => t.add(&part)?,
            });
        }
        Ok(vec![total])
    }

    fn release(&self) {
        self.moment.release();
    }
}

/// Records `(var or std, mean)` as one node (`VarMeanBackward0` / `StdMeanBackward0`).
#[allow(clippy::too_many_arguments)]
pub fn record_moment_mean(
    moment: Tensor,
    mean: Tensor,
    input: &Tensor,
    mask: &[bool],
    keepdim: bool,
    dof: f64,
    count: usize,
    root: bool,
) -> Vec<Tensor> {
    let name = if root {
        "StdMeanBackward0"
    } else {
        "VarMeanBackward0"
    };
    let saved = moment.clone();
    record_outputs(vec![moment, mean], name, &[input], || MomentMeanRule {
        moment: MomentRule {
            input: SavedTensor::new(input),
            std: root.then(|| SavedTensor::output(&saved, name)),
            meta: InputMeta::of(input),
            mask: mask.to_vec(),
            keepdim,
            dof,
        },
        count,
    })
}
