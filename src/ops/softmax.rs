//! `softmax` and `log_softmax` along one dim (`rtensor.*`, Tensor methods, `rtensor.special.*`),
//! with `dtype=` casting the input first. The fused kernel is `kernels::softmax`; the gradient
//! rules are `autograd::rules::softmax`.

use crate::autograd::rules::softmax::record_softmax;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::registry::{Forms, OpDef};
use crate::shape::normalize_dim;
use crate::tensor::Tensor;

/// `softmax(input, dim, dtype=None)`, or `log_softmax` when `log`.
pub fn softmax(x: &Tensor, dim: i64, dtype: Option<DType>, log: bool) -> Result<Tensor> {
    let d = normalize_dim(dim, x.ndim().max(1))?;
    let x = match dtype {
        Some(t) if t != x.dtype() => x.to_dtype(t)?,
        _ => x.clone(),
    };
    if !x.dtype().is_floating() {
        let last = d + 1 >= x.ndim();
        let kernel = match (log, last) {
            (false, true) => "softmax_lastdim_kernel_impl",
            (false, false) => "softmax_kernel_impl",
            (true, true) => "log_softmax_lastdim_kernel_impl",
            (true, false) => "log_softmax_kernel_impl",
        };
        return Err(Error::DTypeNotSupported {
            op: kernel,
            dtype: x.dtype().torch_name(),
        });
    }
    // The half types compute in float32 and round once, as torch's CPU kernel does.
    let src = x
        .detach()
        .to_dtype(x.dtype().compute_dtype())?
        .contiguous()?;
    let out = Tensor::uninit(src.shape(), src.dtype())?;
    crate::kernels::softmax::softmax(&src, d, log, &out)?;
    let out = if out.dtype() == x.dtype() {
        out
    } else {
        out.to_dtype(x.dtype())?
    };
    Ok(record_softmax(out, &x, d as i64, log))
}

impl Tensor {
    /// `softmax(dim, dtype=None)`.
    pub fn softmax(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        softmax(self, dim, dtype, false)
    }

    /// `log_softmax(dim, dtype=None)`.
    pub fn log_softmax(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        softmax(self, dim, dtype, true)
    }
}

/// `softmax`.
pub static SOFTMAX: OpDef = OpDef {
    name: "softmax",
    doc: "`exp(x) / sum(exp(x))` along `dim`, computed without overflow.",
    signatures: &["softmax(Tensor input, int dim, ScalarType? dtype=None)"],
    forms: Forms::BOTH_OUT,
    aliases: &["special.softmax"],
    nodes: &["SoftmaxBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.softmax(a.int(1)?, a.opt_dtype(2)?)),
};

/// `log_softmax`.
pub static LOG_SOFTMAX: OpDef = OpDef {
    name: "log_softmax",
    doc: "`x - log(sum(exp(x)))` along `dim`, computed without overflow.",
    signatures: &["log_softmax(Tensor input, int dim, ScalarType? dtype=None)"],
    forms: Forms::BOTH_OUT,
    aliases: &["special.log_softmax"],
    nodes: &["LogSoftmaxBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.log_softmax(a.int(1)?, a.opt_dtype(2)?)),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&SOFTMAX, &LOG_SOFTMAX];
