//! Gradient rules of max / min: `amax`, `amin` and `max()` / `min()` of everything split the
//! gradient evenly between tied extremes; `max(dim)` / `min(dim)` send it to the reported index.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::{record, record_outputs};
use crate::autograd::rules::reduce::with_kept_dims;
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::mask_dims;
use crate::tensor::Tensor;

/// The backward of an extremum over the dims in `mask`: `g / count` at every element equal to it.
pub struct EvenlyRule {
    input: SavedTensor,
    output: SavedTensor,
    meta: InputMeta,
    mask: Vec<bool>,
    keepdim: bool,
}

/// `g` shared evenly among the elements of `x` equal to the extreme `out`, over `mask`.
fn evenly(
    x: &Tensor,
    out: &Tensor,
    g: &Tensor,
    meta: &InputMeta,
    mask: &[bool],
    keepdim: bool,
) -> Result<Tensor> {
    let shape = &meta.shape;
    let out = with_kept_dims(out, shape, mask, keepdim)?;
    let g = with_kept_dims(g, shape, mask, keepdim)?;
    let hits = x.eq(&out)?.to_dtype(meta.dtype)?;
    let count = hits.sum(Some(&mask_dims(mask)), true, None)?;
    hits.mul(&g.div(&count)?)
}

impl Backward for EvenlyRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let x = self.input.get()?;
        let out = self.output.get()?;
        Ok(vec![Some(evenly(
            &x,
            &out,
            g,
            &self.meta,
            &self.mask,
            self.keepdim,
        )?)])
    }

    fn release(&self) {
        self.input.release();
        self.output.release();
    }
}

/// Records an extremum that splits its gradient evenly between ties (`AmaxBackward0`,
/// `MaxBackward1`, ...).
pub fn record_evenly(
    out: Tensor,
    name: &'static str,
    input: &Tensor,
    mask: &[bool],
    keepdim: bool,
) -> Tensor {
    let saved = out.clone();
    record(out, name, &[input], || EvenlyRule {
        input: SavedTensor::new(input),
        output: SavedTensor::output(&saved, name),
        meta: InputMeta::of(input),
        mask: mask.to_vec(),
        keepdim,
    })
}

/// The backward of `max(dim)` / `min(dim)`: the gradient lands on the indexed elements.
pub struct IndexedRule {
    indices: SavedTensor,
    meta: InputMeta,
    dim: usize,
    keepdim: bool,
}

impl Backward for IndexedRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let shape = &self.meta.shape;
        if shape.is_empty() {
            return Ok(vec![Some(g.to_dtype(self.meta.dtype)?)]);
        }
        let mask: Vec<bool> = (0..shape.len()).map(|d| d == self.dim).collect();
        let idx = with_kept_dims(&self.indices.get()?, shape, &mask, self.keepdim)?;
        let g = with_kept_dims(g, shape, &mask, self.keepdim)?;
        let n = shape[self.dim];
        let along: Vec<i64> = (0..shape.len())
            .map(|d| if d == self.dim { n as i64 } else { 1 })
            .collect();
        let positions = Tensor::arange_int(0, n as i64, 1, DType::Int64)?.reshape(&along)?;
        let onehot = positions.eq(&idx)?.to_dtype(self.meta.dtype)?;
        Ok(vec![Some(onehot.mul(&g)?)])
    }

    fn release(&self) {
        self.indices.release();
    }
}

/// Records `max(dim)` / `min(dim)` (`MaxBackward0` / `MinBackward0`) on its values.
pub fn record_indexed(
    values: Tensor,
    name: &'static str,
    input: &Tensor,
    indices: &Tensor,
    dim: usize,
    keepdim: bool,
) -> Tensor {
    record(values, name, &[input], || IndexedRule {
        indices: SavedTensor::new(indices),
        meta: InputMeta::of(input),
        dim,
        keepdim,
    })
}

/// The backward of `aminmax`: each output's gradient shared evenly among the ties of its
/// extreme, the two summed (`AminmaxBackward0`, a node of two outputs).
pub struct AminmaxRule {
    input: SavedTensor,
    min: SavedTensor,
    max: SavedTensor,
    meta: InputMeta,
    mask: Vec<bool>,
    keepdim: bool,
}

impl Backward for AminmaxRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        self.apply_outputs(&[Some(g.clone()), None])
    }

    fn apply_outputs(&self, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        let x = self.input.get()?;
        let mut total: Option<Tensor> = None;
        for (g, out) in grads.iter().zip([&self.min, &self.max]) {
            if let Some(g) = g {
                let part = evenly(&x, &out.get()?, g, &self.meta, &self.mask, self.keepdim)?;
                total = Some(match total {
                    None => part,
                    Some(t) => t.add(&part)?,
                });
            }
        }
        Ok(vec![total])
    }

    fn release(&self) {
        self.input.release();
        self.min.release();
        self.max.release();
    }
}

/// Records `(min, max) = aminmax(input)` over the dims in `mask` as one node of two outputs.
pub fn record_aminmax(
    min: Tensor,
    max: Tensor,
    input: &Tensor,
    mask: &[bool],
    keepdim: bool,
) -> (Tensor, Tensor) {
    let name = "AminmaxBackward0";
    let (smin, smax) = (min.clone(), max.clone());
    let mut outs = record_outputs(vec![min, max], name, &[input], || AminmaxRule {
        input: SavedTensor::new(input),
        min: SavedTensor::output(&smin, name),
        max: SavedTensor::output_nr(&smax, name, 1),
        meta: InputMeta::of(input),
        mask: mask.to_vec(),
        keepdim,
    });
    let max = outs.pop().unwrap_or(smax);
    let min = outs.pop().unwrap_or(smin);
    (min, max)
}
