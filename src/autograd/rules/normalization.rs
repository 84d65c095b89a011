//! The gradient rule of the normalisation ops (`layer_norm`, `batch_norm`, `group_norm`), written
//! with differentiable ops (so gradients of gradients flow). The input, seen as `view`, is
//! normalised over `dims`: the rule recomputes `x̂ = (x - mean) * rstd` from the saved input and
//! gives `dx = rstd * (ĝ - mean(ĝ) - x̂ mean(ĝ x̂))` with `ĝ = g * weight` (or `dx = ĝ * rstd`
//! with fixed statistics: batch_norm in evaluation mode), `dweight = Σ g x̂` and `dbias = Σ g`
//! over every dim but the weight's.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::InputMeta;
use crate::error::Result;
use crate::tensor::Tensor;

/// How a normalisation sees its input: the statistics' view and dims, the weight's broadcast
/// shape, `eps`, and the statistics when they are fixed (`mean`, `rstd` broadcasting against the
/// view).
pub struct NormSpec {
    /// The shape the input is seen as for the statistics.
    pub view: Vec<i64>,
    /// The dims of `view` each statistic covers.
    pub dims: Vec<i64>,
    /// The shape `weight` and `bias` are broadcast as against the input.
    pub affine: Vec<usize>,
    /// Added to the variance.
    pub eps: f64,
    /// `(mean, rstd)` when not computed from the input.
    pub fixed: Option<(Tensor, Tensor)>,
}

/// The backward of a normalisation of `input` (with optional `weight` and `bias`).
pub struct NormRule {
    input: SavedTensor,
    weight: Option<SavedTensor>,
    metas: Vec<InputMeta>,
    spec: NormSpec,
}

/// `((x - mean) * rstd, rstd)` over `dims` (kept), with differentiable ops.
pub fn normalized(x: &Tensor, dims: &[i64], eps: f64) -> Result<(Tensor, Tensor)> {
    let xc = x.sub(&x.mean(Some(dims), true, None)?)?;
    let var = xc.mul(&xc)?.mean(Some(dims), true, None)?;
    let rstd = var.add(eps)?.rsqrt()?;
    Ok((xc.mul(&rstd)?, rstd))
}

/// `g` summed down to the affine shape, back in `meta`'s shape and dtype.
fn affine_grad(g: Tensor, affine: &[usize], meta: &InputMeta) -> Result<Tensor> {
    let shape: Vec<i64> = meta.shape.iter().map(|&d| d as i64).collect();
    g.sum_to_shape(affine)?
        .reshape(&shape)?
        .to_dtype(meta.dtype)
}

impl Backward for NormRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let s = &self.spec;
        let x = self.input.get()?;
        let shape: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
        let affine: Vec<i64> = s.affine.iter().map(|&d| d as i64).collect();
        let xv = x.reshape(&s.view)?;
        let (xhat, rstd) = match &s.fixed {
            Some((mean, rstd)) => (xv.sub(mean)?.mul(rstd)?, rstd.clone()),
            None => normalized(&xv, &s.dims, s.eps)?,
        };
        let mut grads = Vec::with_capacity(self.metas.len());
        if self.metas[0].needs_grad {
            let gh = match &self.weight {
                Some(w) => g.mul(&w.get()?.reshape(&affine)?)?,
                None => g.clone(),
            };
            let gh = gh.reshape(&s.view)?;
            let dx = if s.fixed.is_some() {
                gh.mul(&rstd)?
            } else {
                let m1 = gh.mean(Some(&s.dims), true, None)?;
                let m2 = gh.mul(&xhat)?.mean(Some(&s.dims), true, None)?;
                rstd.mul(&gh.sub(&m1)?.sub(&xhat.mul(&m2)?)?)?
            };
            grads.push(Some(dx.reshape(&shape)?.to_dtype(self.metas[0].dtype)?));
        } else {
            grads.push(None);
        }
        for (i, meta) in self.metas.iter().enumerate().skip(1) {
            let is_weight = i == 1 && self.weight.is_some();
            grads.push(if !meta.needs_grad {
                None
            } else if is_weight {
                let gx = g.mul(&xhat.reshape(&shape)?)?;
                Some(affine_grad(gx, &s.affine, meta)?)
            } else {
                Some(affine_grad(g.clone(), &s.affine, meta)?)
            });
        }
        Ok(grads)
    }

    fn release(&self) {
        self.input.release();
        if let Some(w) = &self.weight {
            w.release();
        }
    }
}

/// Records `out`, the normalisation `spec` of `input` with the optional `weight` and `bias`, as
/// the node `name`.
pub fn record_norm(
    out: Tensor,
    name: &'static str,
    input: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    spec: NormSpec,
) -> Tensor {
    let inputs: Vec<&Tensor> = std::iter::once(input).chain(weight).chain(bias).collect();
    record(out, name, &inputs, || NormRule {
        input: SavedTensor::new(input),
        weight: weight.map(SavedTensor::new),
        metas: inputs.iter().map(|t| InputMeta::of(t)).collect(),
        spec,
    })
}
