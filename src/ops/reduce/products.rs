//! `prod(dim, keepdim, dtype=)`: float32 multiplies in float64, integers and bool in wrapping
//! int64 (the result is int64 unless `dtype=` says otherwise), as torch.

use crate::autograd::rules::products::record_prod;
use crate::dtype::{bf16, f16, CastTo, DType, Element};
use crate::error::{Error, Result};
use crate::kernels::reduce::reduce_into;
use crate::kernels::reduce::reducers::{Accumulate, Prod};
use crate::tensor::Tensor;

fn prod_kernel<T: Accumulate, O: Element>(src: &Tensor, mask: &[bool], out: &Tensor) -> Result<()>
where
    T::Acc: CastTo<O>,
{
    reduce_into::<T, Prod, O>(src, mask, out, |a| a.cast())
}

impl Tensor {
    /// `prod(dim=None, keepdim, dtype=)`: the product over one dim, or of every element.
    pub fn prod(&self, dim: Option<i64>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        let out_dtype = dtype.unwrap_or(if self.dtype().is_floating() {
            self.dtype()
        } else {
            DType::Int64
        });
        let dims = dim.map(|d| [d]);
        if !out_dtype.is_kernel_dtype() {
            // Computed in the compute dtype, rounded (or wrapped) once, as `sum`.
            let mask = super::dim_mask(dims.as_ref().map(|d| &d[..]), self.ndim())?;
            let wide = self
                .detach()
                .prod(dim, keepdim, Some(out_dtype.compute_dtype()))?;
            let out = wide.to_dtype(out_dtype)?;
            return Ok(record_prod(out, self, &mask, keepdim, dim.is_none()));
        }
        let (mask, src, out) =
            self.reduction_setup(dims.as_ref().map(|d| &d[..]), keepdim, out_dtype)?;
        match (src.dtype(), out_dtype) {
            (DType::Bool, DType::Int64) => prod_kernel::<bool, i64>(&src, &mask, &out),
            (DType::Int32, DType::Int64) => prod_kernel::<i32, i64>(&src, &mask, &out),
            (DType::Float32, DType::Float64) => prod_kernel::<f32, f64>(&src, &mask, &out),
            (DType::Float16, DType::Float32) => prod_kernel::<f16, f32>(&src, &mask, &out),
            (DType::BFloat16, DType::Float32) => prod_kernel::<bf16, f32>(&src, &mask, &out),
            (DType::Bool, DType::Bool) => prod_kernel::<bool, bool>(&src, &mask, &out),
            (DType::Int32, DType::Int32) => prod_kernel::<i32, i32>(&src, &mask, &out),
            (DType::Int64, DType::Int64) => prod_kernel::<i64, i64>(&src, &mask, &out),
            (DType::Float32, DType::Float32) => prod_kernel::<f32, f32>(&src, &mask, &out),
            (DType::Float64, DType::Float64) => prod_kernel::<f64, f64>(&src, &mask, &out),
            (s, o) => {
                return Err(Error::Runtime(format!(
                    "prod: no kernel from {} to {}",
                    s.name(),
                    o.name()
                )))
            }
        }?;
        Ok(record_prod(out, self, &mask, keepdim, dim.is_none()))
    }
}
