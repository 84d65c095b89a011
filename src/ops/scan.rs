//! `cumsum` and `cumprod`: torch's dtype rules around the scan kernels (`kernels/scan.rs`), and the
//! autograd nodes.

use crate::autograd::record::record;
use crate::autograd::rules::scan::{CumprodRule, CumsumRule};
use crate::dtype::DType;
use crate::error::Result;
use crate::kernels::scan::{scan_raw, ScanKind};
use crate::ops::registry::{Forms, OpDef};
use crate::shape::normalize_dim;
use crate::tensor::Tensor;

impl Tensor {
    /// The running sum along `dim` from the end (`cumsum`'s gradient); its own gradient is a
    /// running sum from the start.
    pub fn reverse_cumsum(&self, dim: usize) -> Result<Tensor> {
        let out = crate::kernels::scan::reverse_cumsum(self, dim)?;
        Ok(crate::autograd::record::linear_in(
            out,
            "FlipBackward0",
            self,
            move |gg| gg.cumsum(dim as i64, None),
        ))
    }

    /// `cumprod`'s gradient along `dim` for output gradient `self`, input `x` and output `out`,
    /// exact with zeros in the input (no division). Not recorded, as [`Tensor::reverse_cumsum`].
    pub fn cumprod_backward(&self, x: &Tensor, out: &Tensor, dim: usize) -> Result<Tensor> {
        let dtype = self.dtype();
        let x = x.detach().to_dtype(dtype)?.contiguous()?;
        let out = out.detach().to_dtype(dtype)?.contiguous()?;
        let g = self.detach().contiguous()?;
        crate::kernels::scan::cumprod_grad(&x, &out, &g, dim)
    }

    /// `cumsum(dim, dtype=)`: bool and integer inputs give int64 unless `dtype` is given; with
    /// `dtype`, the input is converted first, as in torch.
    pub fn cumsum(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        let (d, out) = self.scan(dim, ScanKind::Sum, dtype)?;
        Ok(record(out, "CumsumBackward0", &[self], || {
            CumsumRule::new(self, d)
        }))
    }

    /// `cumprod(dim, dtype=)`: the dtype rules of [`Tensor::cumsum`].
    pub fn cumprod(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        let (d, out) = self.scan(dim, ScanKind::Prod, dtype)?;
        let saved = out.clone();
        Ok(record(out, "CumprodBackward0", &[self], || {
            CumprodRule::new(self, &saved, d)
        }))
    }

    /// Validates the dim and dtype, then runs the kernel.
    fn scan(&self, dim: i64, kind: ScanKind, dtype: Option<DType>) -> Result<(usize, Tensor)> {
        let d = normalize_dim(dim, self.ndim())?;
        let out_dtype = dtype.unwrap_or(if self.dtype().is_floating() {
            self.dtype()
        } else {
            DType::Int64
        });
        if !out_dtype.is_kernel_dtype() {
            // In the compute dtype, rounded (or wrapped) once.
            let wide = scan_raw(&self.detach(), d, kind, out_dtype.compute_dtype())?;
            return Ok((d, wide.to_dtype(out_dtype)?));
        }
        Ok((d, scan_raw(self, d, kind, out_dtype)?))
    }
}

/// `cumsum`.
pub static CUMSUM: OpDef = OpDef {
    name: "cumsum",
    doc: "The running sum along `dim`; bool and integers give int64 unless `dtype` is given.",
    signatures: &["cumsum(Tensor input, int dim, *, ScalarType? dtype=None)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["CumsumBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.cumsum(a.int(1)?, a.opt_dtype(2)?)),
};

/// `cumprod`.
pub static CUMPROD: OpDef = OpDef {
    name: "cumprod",
    doc: "The running product along `dim`; bool and integers give int64 unless `dtype` is given.",
    signatures: &["cumprod(Tensor input, int dim, *, ScalarType? dtype=None)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["CumprodBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.cumprod(a.int(1)?, a.opt_dtype(2)?)),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&CUMSUM, &CUMPROD];
