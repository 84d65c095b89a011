//! `nansum` and `nanmean`: the sum and mean that read NaN as missing. `nansum` is one node;
//! `nanmean` is `nansum / count of non-NaN elements`, recorded as that division, as in torch.

use super::dim_mask;
use crate::autograd::mode::without_grad;
use crate::autograd::rules::reduce::record_nansum;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use crate::value::Value;

impl Tensor {
    /// `nansum(dim, keepdim, dtype=)`: the sum with NaN read as 0.
    pub fn nansum(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        let mask = dim_mask(dims, self.ndim())?;
        let out = without_grad(|| {
            let x = self.detach();
            let x = if x.dtype().is_floating() {
                Tensor::where_(&x.isnan()?, &Value::from(0i64), &Value::Tensor(x.clone()))?
            } else {
                x
            };
            x.sum(dims, keepdim, dtype)
        })?;
        Ok(record_nansum(out, self, &mask, keepdim))
    }

    /// `nanmean(dim, keepdim, dtype=)`: the mean of the non-NaN elements.
    pub fn nanmean(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        if !self.dtype().is_floating() {
            return Err(Error::NotImplemented(format!(
                "nanmean(): expected input to have floating point or complex dtype but got {}",
                self.dtype().torch_name()
            )));
        }
        let count = without_grad(|| self.isnan()?.logical_not()?.sum(dims, keepdim, None))?;
        self.nansum(dims, keepdim, dtype)?.div(&count)
    }
}
