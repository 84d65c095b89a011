//! Gradient rules of `sum` and `mean`: the gradient is broadcast back over the reduced dims
//! (divided by the count for `mean`).

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::InputMeta;
use crate::error::Result;
use crate::tensor::Tensor;

/// Which reduction.
#[derive(Clone, Copy, Debug)]
pub enum ReductionKind {
    /// `sum`.
    Sum,
    /// `mean` over this many elements.
    Mean(usize),
}

/// The backward of a sum or mean over the dims flagged in `mask`.
pub struct ReductionRule {
    kind: ReductionKind,
    input: InputMeta,
    mask: Vec<bool>,
    keepdim: bool,
}

/// A reduction's output (or its gradient) `g` with the reduced dims of `shape` back as size 1,
/// ready to broadcast against the input.
pub fn with_kept_dims(g: &Tensor, shape: &[usize], mask: &[bool], keepdim: bool) -> Result<Tensor> {
    if keepdim {
        return Ok(g.clone());
    }
    let kept: Vec<i64> = shape
        .iter()
        .zip(mask)
        .map(|(&d, &m)| if m { 1 } else { d as i64 })
        .collect();
    g.reshape(&kept)
}

impl Backward for ReductionRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let g = with_kept_dims(g, &self.input.shape, &self.mask, self.keepdim)?;
        let sizes: Vec<i64> = self.input.shape.iter().map(|&d| d as i64).collect();
        let g = g.expand(&sizes)?;
        let g = match self.kind {
            ReductionKind::Sum => g.contiguous()?,
            ReductionKind::Mean(n) => g.div(n as f64)?,
        };
        Ok(vec![Some(g.to_dtype(self.input.dtype)?)])
    }
}

/// Records a reduction of `input` over the dims in `mask`; `all` when no dims were given
/// (torch names those nodes `SumBackward0` / `MeanBackward0`, the others `...Backward1`).
pub fn record_reduction(
    out: Tensor,
    kind: ReductionKind,
    input: &Tensor,
    mask: &[bool],
    keepdim: bool,
    all: bool,
) -> Tensor {
    let name = match (kind, all) {
        (ReductionKind::Sum, true) => "SumBackward0",
        (ReductionKind::Sum, false) => "SumBackward1",
        (ReductionKind::Mean(_), true) => "MeanBackward0",
        (ReductionKind::Mean(_), false) => "MeanBackward1",
    };
    record(out, name, &[input], || ReductionRule {
        kind,
        input: InputMeta::of(input),
        mask: mask.to_vec(),
        keepdim,
    })
}

/// The backward of `nansum`: the gradient broadcast back, zero where the input was NaN.
pub struct NansumRule {
    input: SavedTensor,
    meta: InputMeta,
    mask: Vec<bool>,
    keepdim: bool,
}

impl Backward for NansumRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let g = with_kept_dims(g, &self.meta.shape, &self.mask, self.keepdim)?;
        let kept = self.input.get()?.isnan()?.logical_not()?;
        Ok(vec![Some(g.mul(&kept)?.to_dtype(self.meta.dtype)?)])
    }

    fn release(&self) {
        self.input.release();
    }
}

/// Records `nansum` (`NansumBackward0`) over the dims in `mask`.
pub fn record_nansum(out: Tensor, input: &Tensor, mask: &[bool], keepdim: bool) -> Tensor {
    record(out, "NansumBackward0", &[input], || NansumRule {
        input: SavedTensor::new(input),
        meta: InputMeta::of(input),
        mask: mask.to_vec(),
        keepdim,
    })
}
