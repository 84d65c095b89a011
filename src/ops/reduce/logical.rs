//! `all`, `any` (bool results; uint8 for uint8 input, as torch) and `count_nonzero` (int64) over
//! any set of dims.

use super::dim_mask;
use crate::dtype::DType;
use crate::error::Result;
use crate::kernels::reduce::reduce_into;
use crate::kernels::reduce::reducers::{CountNonzero, Logical};
use crate::tensor::Tensor;

impl Tensor {
    /// Whether every element (`all`) or some element is nonzero.
    fn logical<const ALL: bool>(&self, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        let mask = dim_mask(dims, self.ndim())?;
        let out = super::reduction_output(self.shape(), &mask, keepdim, DType::Bool)?;
        crate::dispatch!(self.dtype(), T => {
            reduce_into::<T, Logical<ALL>, bool>(self, &mask, &out, |a| a)
        })?;
        if self.dtype() == DType::UInt8 {
            // torch's legacy rule: uint8 in, uint8 out.
            return out.to_dtype(DType::UInt8);
        }
        Ok(out)
    }

    /// `all(dim, keepdim)`: true where every element over `dims` is nonzero (true when empty).
    pub fn all(&self, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        self.logical::<true>(dims, keepdim)
    }

    /// `any(dim, keepdim)`: true where some element over `dims` is nonzero (false when empty).
    pub fn any(&self, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        self.logical::<false>(dims, keepdim)
    }

    /// `count_nonzero(dim)`: the number of nonzero elements over `dims`, as int64.
    pub fn count_nonzero(&self, dims: Option<&[i64]>) -> Result<Tensor> {
        let mask = dim_mask(dims, self.ndim())?;
        let out = super::reduction_output(self.shape(), &mask, false, DType::Int64)?;
        crate::dispatch!(self.dtype(), T => {
            reduce_into::<T, CountNonzero, i64>(self, &mask, &out, |a| a)
        })?;
        Ok(out)
    }
}
