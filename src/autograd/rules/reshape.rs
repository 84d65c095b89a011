//! Gradient rules of the views in `ops/reshape.rs` that the common view rules do not cover:
//! `as_strided`, whose elements may overlap and sit anywhere in the storage.

use crate::autograd::graph::Backward;
use crate::autograd::rules::InputMeta;
use crate::error::Result;
use crate::layout::Layout;
use crate::scalar::Scalar;
use crate::tensor::Tensor;

/// The storage positions of a layout's elements, in row-major order of its shape.
fn positions(l: &Layout) -> Vec<i64> {
    let n = l.numel();
    let mut out = Vec::with_capacity(n);
    if n == 0 {
        return out;
    }
    let nd = l.ndim();
    let mut idx = vec![0usize; nd];
    let mut pos = l.offset as i64;
    for _ in 0..n {
        out.push(pos);
        // Advance the multi-index like an odometer, keeping `pos` in step.
        for k in (0..nd).rev() {
            idx[k] += 1;
            pos += l.strides[k] as i64;
            if idx[k] < l.shape[k] {
                break;
            }
            pos -= l.strides[k] as i64 * l.shape[k] as i64;
            idx[k] = 0;
        }
    }
    out
}

/// `as_strided(size, stride, offset)`: the gradient is summed into the storage positions the
/// output covers (overlapping positions add up), then read back at the input's positions.
pub struct AsStridedRule {
    /// The input's metadata.
    pub input: InputMeta,
    /// Where the input's elements sit in the storage.
    pub input_layout: Layout,
    /// Where the output's elements sit in the storage.
    pub output: Layout,
}

impl Backward for AsStridedRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (pin, pout) = (positions(&self.input_layout), positions(&self.output));
        let lo = pin.iter().chain(&pout).copied().min().unwrap_or(0);
        let hi = pin.iter().chain(&pout).copied().max().unwrap_or(-1);
        let span = (hi - lo + 1).max(0) as usize;
        let shift = |p: Vec<i64>| -> Result<Tensor> {
            let n = p.len();
            Tensor::from_vec(p.into_iter().map(|x| x - lo).collect::<Vec<_>>(), &[n])
        };
        let buf = Tensor::zeros(&[span], g.dtype())?;
        let buf = buf.index_add(0, &shift(pout)?, &g.reshape(&[-1])?, Scalar::Int(1))?;
        let sizes: Vec<i64> = self.input.shape.iter().map(|&d| d as i64).collect();
        let grad = buf.index_select(0, &shift(pin)?)?.reshape(&sizes)?;
        Ok(vec![Some(grad.to_dtype(self.input.dtype)?)])
    }
}
