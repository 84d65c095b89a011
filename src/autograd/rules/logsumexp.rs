//! The gradient rule of `logsumexp`: `g * exp(x - logsumexp(x))` (the softmax over the dims).

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::reduce::with_kept_dims;
use crate::autograd::rules::InputMeta;
use crate::error::Result;
use crate::tensor::Tensor;

/// The backward of `logsumexp` over the dims in `mask`.
pub struct LogsumexpRule {
    input: SavedTensor,
    output: SavedTensor,
    meta: InputMeta,
    mask: Vec<bool>,
    keepdim: bool,
}

impl Backward for LogsumexpRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let shape = &self.meta.shape;
        let out = with_kept_dims(&self.output.get()?, shape, &self.mask, self.keepdim)?;
        let g = with_kept_dims(g, shape, &self.mask, self.keepdim)?;
        let softmax = self.input.get()?.sub(&out)?.exp()?;
        Ok(vec![Some(softmax.mul(&g)?.to_dtype(self.meta.dtype)?)])
    }

    fn release(&self) {
        self.input.release();
        self.output.release();
    }
}

/// Records `logsumexp` (`LogsumexpBackward0`).
pub fn record_logsumexp(out: Tensor, input: &Tensor, mask: &[bool], keepdim: bool) -> Tensor {
    let saved = out.clone();
    record(out, "LogsumexpBackward0", &[input], || LogsumexpRule {
        input: SavedTensor::new(input),
        output: SavedTensor::output(&saved, "LogsumexpBackward0"),
        meta: InputMeta::of(input),
        mask: mask.to_vec(),
        keepdim,
    })
}
