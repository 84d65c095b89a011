//! `var` and `std` with a `correction` (Bessel's by default): one deterministic reduction of
//! count, mean and squared deviations in float64 ([`Moments`]), so float32 results are exact to
//! rounding.

use super::{dim_mask, reduction_output};
use crate::autograd::rules::moments::{record_moment, record_moment_mean};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::reduce::reduce_into;
use crate::kernels::reduce::reducers::{Moments, MomentsAcc};
use crate::shape::mask_dims;
use crate::tensor::Tensor;

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
    /// The deviations from the mean over `mask` (kept dims), in float64 (recorded when grad mode
    /// is on: the gradient rules of var and std use them, and may be differentiated again).
    pub(crate) fn deviations(&self, mask: &[bool]) -> Result<Tensor> {
        let x = self.to_dtype(DType::Float64)?;
        let m = x.mean(Some(&mask_dims(mask)), true, None)?;
        x.sub(&m)
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
        // The half types accumulate in float32 and round once, as torch's CPU does.
        let x = self.detach().to_dtype(self.dtype().compute_dtype())?;
        let out = reduction_output(self.shape(), &mask, keepdim, x.dtype())?;
        let value = move |a: MomentsAcc| {
            let v = a.m2 / dof;
            if root {
                v.sqrt()
            } else {
                v
            }
        };
        match x.dtype() {
            DType::Float32 => {
                reduce_into::<f32, Moments, f32>(&x, &mask, &out, |a| value(a) as f32)
            }
            _ => reduce_into::<f64, Moments, f64>(&x, &mask, &out, value),
        }?;
        let out = if out.dtype() == self.dtype() {
            out
        } else {
            out.to_dtype(self.dtype())?
        };
        Ok(record_moment(out, self, &mask, keepdim, dof, root))
    }

    /// `var_mean` (`std_mean` when `root`): the moment and the mean in one node of two outputs.
    pub fn moment_mean(
        &self,
        dims: Option<&[i64]>,
        correction: f64,
        keepdim: bool,
        root: bool,
    ) -> Result<(Tensor, Tensor)> {
        if !self.dtype().is_floating() {
            let op = if root { "std_mean" } else { "var_mean" };
            return Err(Error::NotImplemented(format!(
                "{} only support floating point and complex dtypes",
                op
            )));
        }
        let mask = dim_mask(dims, self.ndim())?;
        let count = reduced_count(self.shape(), &mask);
        let dof = (count as f64 - correction).max(0.0);
        let x = self.detach();
        let moment = x.moment(dims, correction, keepdim, root)?;
        let mean = x.mean(Some(&mask_dims(&mask)), keepdim, None)?;
        let mut outs =
            record_moment_mean(moment, mean, self, &mask, keepdim, dof, count, root).into_iter();
        match (outs.next(), outs.next()) {
            (Some(m), Some(mean)) => Ok((m, mean)),
            _ => Err(Error::Runtime(
                "internal error: var_mean lost an output".into(),
            )),
        }
    }
}
