//! `amax` / `amin`, `max` / `min` (of everything, or along a dim with indices), `argmax` /
//! `argmin`. NaN propagates; among equal extremes the first index wins, as in torch.

use super::dim_mask;
use crate::autograd::rules::extrema::{record_aminmax, record_evenly, record_indexed};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::reduce::reduce_into;
use crate::kernels::reduce::reducers::{ArgExtreme, Extreme};
use crate::shape::normalize_dim;
use crate::tensor::Tensor;

/// torch's refusal to reduce an empty tensor over every dim with `op`.
fn needs_dim(op: &str) -> String {
    format!("{op}(): Expected reduction dim to be specified for input.numel() == 0.")
}

/// torch's `IndexError` for an extremum over a zero-size dim (the first one in `mask`).
fn check_sizes(op: &str, shape: &[usize], mask: &[bool]) -> Result<()> {
    match (0..shape.len()).find(|&d| mask[d] && shape[d] == 0) {
        Some(d) => Err(Error::Index(format!(
            "{op}(): Expected reduction dim {d} to have non-zero size."
        ))),
        None => Ok(()),
    }
}

impl Tensor {
    /// The max (`MAX`) or min over the dims in `mask`, in this tensor's dtype.
    fn extreme<const MAX: bool>(&self, mask: &[bool], keepdim: bool) -> Result<Tensor> {
        let dt = self.dtype();
        if !dt.is_kernel_dtype() {
            let wide = self.detach().to_dtype(dt.compute_dtype())?;
            return wide.extreme::<MAX>(mask, keepdim)?.to_dtype(dt);
        }
        let out = super::reduction_output(self.shape(), mask, keepdim, dt)?;
        crate::dispatch_kernel!(dt, T => {
            reduce_into::<T, Extreme<MAX>, T>(self, mask, &out, |a| a)
        }, other => Err(crate::kernels::pointwise::no_kernel(other)))?;
        Ok(out)
    }

    /// The index (int64) of the max (`MAX`) or min over the dims in `mask`, counted in the
    /// row-major order of those dims.
    fn arg_extreme<const MAX: bool>(&self, mask: &[bool], keepdim: bool) -> Result<Tensor> {
        let dt = self.dtype();
        if !dt.is_kernel_dtype() {
            let wide = self.detach().to_dtype(dt.compute_dtype())?;
            return wide.arg_extreme::<MAX>(mask, keepdim);
        }
        let out = super::reduction_output(self.shape(), mask, keepdim, DType::Int64)?;
        crate::dispatch_kernel!(dt, T => {
            reduce_into::<T, ArgExtreme<MAX>, i64>(self, mask, &out, |a| a.1 as i64)
        }, other => Err(crate::kernels::pointwise::no_kernel(other)))?;
        Ok(out)
    }

    /// `amax(dim=(), keepdim)` / `amin` (`MAX` false): no dims means every dim; gradients split
    /// evenly between ties.
    fn amax_amin<const MAX: bool>(&self, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        let op = if MAX { "amax" } else { "amin" };
        let mask = dim_mask(dims, self.ndim())?;
        if self.numel() == 0 && dims.is_none_or(|d| d.is_empty()) {
            return Err(Error::Runtime(format!(
                "{} Specify the reduction dim with the 'dim' argument.",
                needs_dim(op)
            )));
        }
        check_sizes(op, self.shape(), &mask)?;
        let out = self.extreme::<MAX>(&mask, keepdim)?;
        let name = if MAX {
            "AmaxBackward0"
        } else {
            "AminBackward0"
        };
        Ok(record_evenly(out, name, self, &mask, keepdim))
    }

    /// `amax(dim, keepdim)`: the largest element over `dims` (every dim when `None` or empty).
    pub fn amax(&self, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        self.amax_amin::<true>(dims, keepdim)
    }

    /// `amin(dim, keepdim)`: the smallest element over `dims` (every dim when `None` or empty).
    pub fn amin(&self, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        self.amax_amin::<false>(dims, keepdim)
    }

    /// `max()` / `min()` of every element (a 0-dim tensor); gradients split evenly between ties.
    pub fn extreme_all(&self, max: bool) -> Result<Tensor> {
        let op = if max { "max" } else { "min" };
        if self.numel() == 0 {
            return Err(Error::Runtime(format!(
                "{} Specify the reduction dim with the 'dim' argument.",
                needs_dim(op)
            )));
        }
        let mask = vec![true; self.ndim()];
        let out = if max {
            self.extreme::<true>(&mask, false)?
        } else {
            self.extreme::<false>(&mask, false)?
        };
        let name = if max { "MaxBackward1" } else { "MinBackward1" };
        Ok(record_evenly(out, name, self, &mask, false))
    }

    /// `max(dim, keepdim)` / `min`: (values, int64 indices of the first extreme); the gradient
    /// goes to the indexed element only.
    pub fn extreme_dim(&self, max: bool, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let op = if max { "max" } else { "min" };
        let mask = dim_mask(Some(&[dim]), self.ndim())?;
        check_sizes(op, self.shape(), &mask)?;
        let (values, indices) = if max {
            (
                self.extreme::<true>(&mask, keepdim)?,
                self.arg_extreme::<true>(&mask, keepdim)?,
            )
        } else {
            (
                self.extreme::<false>(&mask, keepdim)?,
                self.arg_extreme::<false>(&mask, keepdim)?,
            )
        };
        let name = if max { "MaxBackward0" } else { "MinBackward0" };
        let d = normalize_dim(dim, self.ndim())?;
        let values = record_indexed(values, name, self, &indices, d, keepdim);
        Ok((values, indices))
    }

    /// `argmax(dim=None, keepdim)` / `argmin` (`max` false): the flat index over every element
    /// when `dim` is `None` (with `keepdim`, every dim kept as size 1).
    pub fn arg_extreme_dim(&self, max: bool, dim: Option<i64>, keepdim: bool) -> Result<Tensor> {
        let op = if max { "argmax" } else { "argmin" };
        // torch refuses bool before it looks at the shape (an empty bool input included).
        if self.dtype() == DType::Bool {
            return Err(Error::NotImplemented(format!(
                "{}(): does not support bool input",
                op
            )));
        }
        let mask = match dim {
            Some(d) => dim_mask(Some(&[d]), self.ndim())?,
            None if self.numel() == 0 => return Err(Error::Index(needs_dim(op))),
            None => vec![true; self.ndim()],
        };
        check_sizes(op, self.shape(), &mask)?;
        if max {
            self.arg_extreme::<true>(&mask, keepdim)
        } else {
            self.arg_extreme::<false>(&mask, keepdim)
        }
    }

    /// `aminmax(*, dim=None, keepdim)`: the min and max together (over every dim by default).
    pub fn aminmax(&self, dim: Option<i64>, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let mask = match dim {
            Some(d) => dim_mask(Some(&[d]), self.ndim())?,
            None if self.numel() == 0 => {
                return Err(Error::Runtime(
                    "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity."
                        .into(),
                ))
            }
            None => vec![true; self.ndim()],
        };
        if let Some(d) = (0..self.ndim()).find(|&d| mask[d] && self.shape()[d] == 0) {
            return Err(Error::Index(format!(
                "aminmax: Expected reduction dim {d} to have non-zero size."
            )));
        }
        let min = self.extreme::<false>(&mask, keepdim)?;
        let max = self.extreme::<true>(&mask, keepdim)?;
        Ok(record_aminmax(min, max, self, &mask, keepdim))
    }
}
