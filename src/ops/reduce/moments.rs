//! `var` and `std` with a `correction` (Bessel's by default): two passes in float64 (the mean,
//! then the squared deviations), each a deterministic sum, so float32 results are exact to rounding.

use super::dim_mask;
use crate::autograd::rules::moments::record_moment;
use crate::autograd::rules::{op, op_scalar};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::binary::BinaryOp;
use crate::ops::unary::FloatFn;
use crate::tensor::Tensor;

/// The reduced dims of `mask` as a dims list (empty means every dim, as `dim_mask` reads it).
pub(crate) fn mask_dims(mask: &[bool]) -> Vec<i64> {
    (0..mask.len())
        .filter(|&d| mask[d])
        .map(|d| d as i64)
        .collect()
}

/// The number of elements each output of a reduction over `mask` covers.
pub(crate) fn reduced_count(shape: &[usize], mask: &[bool]) -> usize {
    shape
        .iter()
        .zip(mask)
        .filter(|(_, &m)| m)
        .map(|(&d, _)| d)
        .product()
}

impl Tensor {
    /// The deviations from the mean over `mask` (kept dims), in float64, of a detached copy.
    pub(crate) fn deviations(&self, mask: &[bool]) -> Result<Tensor> {
        let x = self.detach().to_dtype(DType::Float64)?;
        let m = x.mean(Some(&mask_dims(mask)), true, None)?;
        op(BinaryOp::Sub, &x, &m)
    }

    /// `var` (`std` when `root`) over `dims` with `correction`; floating tensors only.
    pub fn moment(
        &self,
        dims: Option<&[i64]>,
        correction: f64,
        keepdim: bool,
        root: bool,
    ) -> Result<Tensor> {
        if !self.dtype().is_floating() {
            return Err(Error::NotImplemented(
                "std and var only support floating point and complex dtypes".into(),
            ));
        }
        let mask = dim_mask(dims, self.ndim())?;
        let dof = (reduced_count(self.shape(), &mask) as f64 - correction).max(0.0);
        let d = self.deviations(&mask)?;
        let ss = op(BinaryOp::Mul, &d, &d)?.sum(Some(&mask_dims(&mask)), keepdim, None)?;
        let v = op_scalar(BinaryOp::Div, &ss, dof)?;
        let v = if root { v.float_fn(FloatFn::Sqrt)? } else { v };
        let out = v.to_dtype(self.dtype())?;
        Ok(record_moment(out, self, &mask, keepdim, dof, root))
    }
}
