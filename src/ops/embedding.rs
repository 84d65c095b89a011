//! `nn.functional.embedding` (rows of a weight table looked up by index, with `padding_idx`,
//! `max_norm` renormalising the used rows in place, and `scale_grad_by_freq`) and torch's
//! `rtensor.embedding(weight, indices, padding_idx, scale_grad_by_freq, sparse)`. The gradient
//! rule is `autograd::rules::embedding`.

use crate::autograd::rules::embedding::record_embedding;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::registry::{Args, Forms, OpDef};
use crate::tensor::Tensor;

/// torch's checks of an embedding's operands (`op` names the function in the dtype message);
/// the indices, flattened, each in `0..rows`.
fn lookup_indices(weight: &Tensor, indices: &Tensor, op: &str) -> Result<Vec<i64>> {
    if weight.ndim() != 2 {
        return Err(Error::Runtime("'weight' must be 2-D".into()));
    }
    if !matches!(indices.dtype(), DType::Int64 | DType::Int32) {
        return Err(Error::Runtime(format!(
            "Expected tensor for argument #{} 'indices' to have one of the following scalar types: Long, Int; but got torch.{}Tensor instead (while checking arguments for {})",
            if op == "embedding" { 1 } else { 2 },
            indices.dtype().torch_name(),
            op
        )));
    }
    let rows = weight.shape()[0] as i64;
    let idx = indices.detach().to_vec_i64()?;
    if idx.iter().any(|&i| i < 0 || i >= rows) {
        return Err(Error::Index("index out of range in self".into()));
    }
    Ok(idx)
}

/// The `p`-norm of `row`, as torch's `norm` (`inf` the largest magnitude, 0 the nonzero count).
fn row_norm(row: &[f64], p: f64) -> f64 {
    if p == f64::INFINITY {
        row.iter().fold(0.0, |m: f64, v| m.max(v.abs()))
    } else if p == f64::NEG_INFINITY {
        row.iter().fold(f64::INFINITY, |m: f64, v| m.min(v.abs()))
    } else if p == 0.0 {
        row.iter().filter(|v| **v != 0.0).count() as f64
    } else {
        row.iter()
            .map(|v| v.abs().powf(p))
            .sum::<f64>()
            .powf(1.0 / p)
    }
}

impl Tensor {
    /// `embedding_renorm_(indices, max_norm, norm_type)`: every row of `self` that `indices`
    /// names whose `norm_type`-norm exceeds `max_norm` scaled (in place, unrecorded) to norm
    /// `max_norm` (divided by `norm + 1e-7`, as torch).
    pub fn embedding_renorm_(&self, indices: &Tensor, max_norm: f64, norm_type: f64) -> Result<()> {
        let mut idx = lookup_indices(self, indices, "embedding_renorm_")?;
        idx.sort_unstable();
        idx.dedup();
        if idx.is_empty() {
            return Ok(());
        }
        let w = self.detach();
        let width = w.shape()[1];
        let index = Tensor::from_vec(idx.clone(), &[idx.len()])?;
        let rows = w.index_select(0, &index)?;
        let values = rows.to_vec_f64()?;
        let scales: Vec<f64> = values
            .chunks(width.max(1))
            .map(|r| {
                let norm = row_norm(r, norm_type);
                if norm > max_norm {
                    max_norm / (norm + 1e-7)
                } else {
                    1.0
                }
            })
            .collect();
        let scales = Tensor::from_vec(scales, &[idx.len(), 1])?.to_dtype(w.dtype())?;
        w.index_copy_(0, &index, &rows.mul(&scales)?.to_dtype(w.dtype())?)
    }

    /// `embedding(indices, padding_idx, scale_grad_by_freq)` on the table `self`: the rows
    /// `indices` names, in a tensor of shape `indices.shape + [self.shape[1]]`. The gradient of
    /// the row `padding_idx` (when in range) is zero; with `scale_grad_by_freq` each index's
    /// gradient is divided by the number of times it occurs.
    pub fn embedding(
        &self,
        indices: &Tensor,
        padding_idx: i64,
        scale_grad_by_freq: bool,
    ) -> Result<Tensor> {
        let idx = lookup_indices(self, indices, "embedding")?;
        let width = self.shape()[1];
        let index = Tensor::from_vec(idx.clone(), &[idx.len()])?;
        let mut shape: Vec<i64> = indices.shape().iter().map(|&d| d as i64).collect();
        shape.push(width as i64);
        let out = self.detach().index_select(0, &index)?.reshape(&shape)?;
        let rows = self.shape()[0];
        let pad = usize::try_from(padding_idx).ok().filter(|&p| p < rows);
        let factors = if pad.is_some() || scale_grad_by_freq {
            let mut counts = vec![0u32; if scale_grad_by_freq { rows } else { 0 }];
            for &i in &idx {
                if let Some(c) = counts.get_mut(i as usize) {
                    *c += 1;
                }
            }
            let f: Vec<f64> = idx
                .iter()
                .map(|&i| {
                    if Some(i as usize) == pad {
                        0.0
                    } else if scale_grad_by_freq {
                        1.0 / f64::from(counts[i as usize])
                    } else {
                        1.0
                    }
                })
                .collect();
            Some(Tensor::from_vec(f, &[idx.len(), 1])?)
        } else {
            None
        };
        Ok(record_embedding(out, self, index, factors))
    }
}

/// `nn.functional.embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq,
/// sparse)`, with torch's Python-level checks of `padding_idx`.
fn functional_embedding(a: &Args) -> Result<Tensor> {
    let (input, weight) = (a.tensor(0)?, a.tensor(1)?);
    let rows = weight.shape().first().copied().unwrap_or(0) as i64;
    let padding_idx = match a.opt_int(2)? {
        None => -1,
        Some(p) if (p > 0 && p >= rows) || p < -rows => {
            return Err(Error::Assertion(
                "Padding_idx must be within num_embeddings".into(),
            ))
        }
        Some(p) if p < 0 => rows + p,
        Some(p) => p,
    };
    if let Some(max_norm) = a.opt_float(3)? {
        crate::autograd::mode::without_grad(|| {
            weight.embedding_renorm_(input, max_norm, a.float(4)?)
        })?;
    }
    weight.embedding(input, padding_idx, a.bool(5)?)
}

/// `nn.functional.embedding`.
pub static EMBEDDING: OpDef = OpDef {
    name: "nn.functional.embedding",
    doc: "The rows of `weight` that `input`'s indices name (optionally renormalised to `max_norm` first, in place).",
    signatures: &["embedding(Tensor input, Tensor weight, int? padding_idx=None, float? max_norm=None, float norm_type=2.0, bool scale_grad_by_freq=False, bool sparse=False)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["EmbeddingBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, functional_embedding),
};

/// `embedding` (torch's form: the table first; `padding_idx=-1` means none; `sparse` gives the
/// same dense gradient).
pub static EMBEDDING_TORCH: OpDef = OpDef {
    name: "embedding",
    doc: "The rows of `weight` that `indices` name (`nn.functional.embedding` with the table first).",
    signatures: &["embedding(Tensor weight, Tensor indices, int padding_idx=-1, bool scale_grad_by_freq=False, bool sparse=False)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["EmbeddingBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.embedding(a.tensor(1)?, a.int(2)?, a.bool(3)?)),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&EMBEDDING, &EMBEDDING_TORCH];
