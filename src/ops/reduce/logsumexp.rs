//! `logsumexp(dim, keepdim)`: `log(sum(exp(x - m))) + m` with `m` the max over the dims (taken as
//! 0 where it is infinite), so large inputs do not overflow. Integer inputs give the default float.
//! When every output reduces one contiguous run (the trailing dims of a contiguous tensor), one
//! [`ExpSum`] reduction does it all in a single read; otherwise it is composed of tensor ops.

use super::moments::reduced_count;
use super::{dim_mask, out_shape};
use crate::autograd::rules::logsumexp::record_logsumexp;
use crate::dtype::{default_float, DType};
use crate::error::Result;
use crate::kernels::reduce::exp_sum::{ExpSum, ExpSumAcc};
use crate::kernels::reduce::reduce_into;
use crate::ops::join::where_;
use crate::scalar::Scalar;
use crate::shape::mask_dims;
use crate::tensor::Tensor;
use crate::value::Value;

impl Tensor {
    /// `logsumexp(dim, keepdim)`; an empty reduction gives `-inf`.
    pub fn logsumexp(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        let mask = dim_mask(Some(dims), self.ndim())?;
        // The half types accumulate in float32 and round once, as torch's CPU does.
        let x = if self.dtype().is_floating() {
            self.detach().to_dtype(self.dtype().compute_dtype())?
        } else {
            self.to_dtype(default_float())?
        };
        let shape = out_shape(self.shape(), &mask, keepdim);
        // The reduced dims trail the kept ones in a contiguous tensor: one run per output.
        let trailing = mask.iter().skip_while(|&&m| !m).all(|&m| m);
        let out = if reduced_count(self.shape(), &mask) == 0 {
            Tensor::full(&shape, Scalar::Float(f64::NEG_INFINITY), x.dtype())?
        } else if trailing && x.is_contiguous() {
            let out = super::reduction_output(x.shape(), &mask, keepdim, x.dtype())?;
            match x.dtype() {
                DType::Float32 => {
                    reduce_into::<f32, ExpSum, f32>(&x, &mask, &out, |a: ExpSumAcc| {
                        a.log_sum_exp() as f32
                    })
                }
                _ => reduce_into::<f64, ExpSum, f64>(&x, &mask, &out, ExpSumAcc::log_sum_exp),
            }?;
            out
        } else {
            let all = mask_dims(&mask);
            let m = x.amax(Some(&all), true)?;
            let infinite = m.abs()?.eq(f64::INFINITY)?;
            let m = where_(
                &infinite,
                &Value::Scalar(Scalar::Float(0.0)),
                &Value::Tensor(m),
            )?;
            let e = x.sub(&m)?.exp()?;
            let s = e.sum(Some(&all), true, None)?.log()?;
            let r = s.add(&m)?;
            r.reshape(&shape.iter().map(|&d| d as i64).collect::<Vec<_>>())?
        };
        let out = if self.dtype().is_half() {
            out.to_dtype(self.dtype())?
        } else {
            out
        };
        Ok(record_logsumexp(out, self, &mask, keepdim))
    }
}
