//! Gradient rules of ops that move elements without changing them: views (transpose, permute,
//! reshape and friends, expand, select, slice) and copies (`clone`, `to(dtype)`).

use crate::autograd::graph::Backward;
use crate::autograd::record::linear_in;
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::layout::Layout;
use crate::tensor::Tensor;

/// Gradient passes through unchanged (then reduced and converted to the input): `clone`, `to`,
/// `expand` (reduction undoes the broadcast).
pub struct PassRule(pub InputMeta);

impl Backward for PassRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(reduce_to(g.clone(), &self.0)?)])
    }
}

/// `transpose(d0, d1)`: transpose the gradient back.
pub struct TransposeRule(pub i64, pub i64);

impl Backward for TransposeRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(g.transpose(self.0, self.1)?)])
    }
}

/// `permute(dims)`: apply the inverse permutation.
pub struct PermuteRule(pub Vec<i64>);

impl PermuteRule {
    /// The rule for `permute(dims)` of a tensor with `dims.len()` dims (dims already validated).
    pub fn new(dims: &[i64]) -> PermuteRule {
        let n = dims.len() as i64;
        let mut inverse = vec![0i64; dims.len()];
        for (i, &d) in dims.iter().enumerate() {
            inverse[d.rem_euclid(n.max(1)) as usize] = i as i64;
        }
        PermuteRule(inverse)
    }
}

impl Backward for PermuteRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(g.permute(&self.0)?)])
    }
}

/// Shape changes (`view`, `reshape`, `flatten`, `squeeze`, `unsqueeze`): reshape back.
pub struct ReshapeRule(pub Vec<usize>);

impl Backward for ReshapeRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let sizes: Vec<i64> = self.0.iter().map(|&d| d as i64).collect();
        Ok(vec![Some(g.reshape(&sizes)?)])
    }
}

/// `select` and slicing: the gradient lands in the selected region of a zero tensor shaped like
/// the input; `region` maps a contiguous layout of the input's shape to that region.
pub struct RegionRule {
    /// The input's metadata.
    pub input: InputMeta,
    /// Turns the input-shaped layout into the view's layout.
    pub region: std::sync::Arc<dyn Fn(&Layout) -> Layout + Send + Sync>,
}

impl Backward for RegionRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let out = Tensor::zeros(&self.input.shape, g.dtype())?;
        let target = out.with_layout((self.region)(out.layout()));
        crate::autograd::mode::without_grad(|| target.copy_(g))?;
        let region = self.region.clone();
        let out = linear_in(out, "AsStridedScatterBackward0", g, move |gg| {
            let gg = gg.contiguous()?;
            // The view's layout in a contiguous input-shaped tensor, read through a recorded
            // as_strided so that the result stays differentiable.
            let l = region(gg.layout());
            let size: Vec<i64> = l.shape.iter().map(|&d| d as i64).collect();
            let stride: Vec<i64> = l.strides.iter().map(|&d| d as i64).collect();
            gg.as_strided(&size, &stride, Some(l.offset as i64))
        });
        Ok(vec![Some(out.to_dtype(self.input.dtype)?)])
    }
}

/// An op whose output does not depend on its input's values (`fill_`, `zero_`): a zero gradient.
pub struct NoGradRule(pub InputMeta);

impl Backward for NoGradRule {
    fn apply(&self, _g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(Tensor::zeros(&self.0.shape, self.0.dtype)?)])
    }
}
