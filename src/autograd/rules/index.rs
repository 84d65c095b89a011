//! Gradient rules of advanced indexing (a gather, whose gradient scatters back with accumulation)
//! and of `__setitem__` (the overwritten region gets no gradient; the value gets that region's).

use crate::autograd::graph::Backward;
use crate::autograd::record::linear_in;
use crate::autograd::rules::InputMeta;
use crate::error::Result;
use crate::index_item::IndexItem;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// `t[items]` with advanced indices.
pub struct IndexRule {
    /// The index expression.
    pub items: Vec<IndexItem>,
    /// The indexed tensor's metadata.
    pub input: InputMeta,
}

impl Backward for IndexRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let out = Tensor::zeros(&self.input.shape, g.dtype())?;
        out.index_put_raw(&self.items, &Value::Tensor(g.clone()), true)?;
        let items = self.items.clone();
        let out = linear_in(out, "IndexPutBackward0", g, move |gg| gg.index(&items));
        Ok(vec![Some(out.to_dtype(self.input.dtype)?)])
    }
}

/// A copy of `g` with zeros at `items` (recorded, as its own adjoint, when gradients of gradients
/// are).
fn zero_at(g: &Tensor, items: &[IndexItem]) -> Result<Tensor> {
    let rest = g.clone_contiguous()?;
    rest.index_put_raw(items, &Value::Scalar(Scalar::Int(0)), false)?;
    let items = items.to_vec();
    Ok(linear_in(rest, "IndexPutBackward0", g, move |gg| {
        zero_at(gg, &items)
    }))
}

/// `t[items] = value` recorded as an out-of-place op on a snapshot of `t`.
pub struct IndexPutRule {
    /// The index expression.
    pub items: Vec<IndexItem>,
    /// The value's metadata, when it was a tensor.
    pub value: Option<InputMeta>,
}

impl Backward for IndexPutRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let mut out = vec![Some(zero_at(g, &self.items)?)];
        if let Some(meta) = &self.value {
            out.push(if meta.needs_grad {
                let region = g.index(&self.items)?;
                let keep = meta.shape.len().min(region.ndim());
                let trailing = &meta.shape[meta.shape.len() - keep..];
                let summed = region.sum_to_shape(trailing)?;
                let sizes: Vec<i64> = meta.shape.iter().map(|&d| d as i64).collect();
                Some(summed.reshape(&sizes)?.to_dtype(meta.dtype)?)
            } else {
                None
            });
        }
        Ok(out)
    }
}
