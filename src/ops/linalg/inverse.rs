//! The matrix inverse: `linalg.inv`, `inverse` and `linalg.inv_ex` (which also returns LAPACK's
//! `info` per matrix instead of raising), on faer's LU (`kernels::inverse`), with torch's checks,
//! its `LinAlgError` for a singular matrix and its `LinalgInvExBackward0`.

use crate::autograd::mode::without_grad;
use crate::autograd::rules::inverse::record_inverse;
use crate::error::{Error, Result};
use crate::ops::registry::{Args, Dest, Forms, OpDef, Ret};
use crate::tensor::Tensor;

impl Tensor {
    /// The inverse of each square matrix of `self` (`(*, n, n)`) and, per matrix, LAPACK's
    /// `info`: 0, or the 1-based index of the first zero pivot of a singular matrix. `api` names
    /// the op in torch's messages.
    fn invert(&self, api: &str) -> Result<(Tensor, Vec<i32>)> {
        let d = self.ndim();
        if d < 2 {
            return Err(Error::Runtime(format!(
                "{api}: The input tensor A must have at least 2 dimensions."
            )));
        }
        let (r, c) = (self.shape()[d - 2], self.shape()[d - 1]);
        if r != c {
            return Err(Error::Runtime(format!(
                "{api}: A must be batches of square matrices, but they are {r} by {c} matrices"
            )));
        }
        if !self.dtype().is_floating() {
            return Err(Error::NotImplemented(format!(
                "{api}: Expected a floating point or complex tensor as input. Got {}",
                super::scalar_type_name(self.dtype())
            )));
        }
        let batch_shape = &self.shape()[..d - 2];
        let batch: usize = batch_shape.iter().product();
        let (inv, info) = without_grad(|| -> Result<(Tensor, Vec<i32>)> {
            let flat = self
                .reshape(&[batch as i64, r as i64, r as i64])?
                .contiguous()?;
            crate::kernels::inverse::invert(&flat)
        })?;
        let inv = inv.reshape(&self.shape().iter().map(|&s| s as i64).collect::<Vec<_>>())?;
        Ok((record_inverse(inv, self), info))
    }

    /// `linalg.inv_ex`: the inverses and LAPACK's `info` as an int32 tensor of the batch shape;
    /// with `check_errors`, torch's `LinAlgError` for a singular matrix instead.
    pub fn inverse_ex(&self, check_errors: bool) -> Result<(Tensor, Tensor)> {
        const API: &str = "linalg.inv_ex";
        let (inv, info) = self.invert(API)?;
        if check_errors {
            check_info(&info, API, self.ndim() == 2)?;
        }
        let info = Tensor::from_vec(info, &self.shape()[..self.ndim() - 2])?;
        Ok((inv, info))
    }

    /// `linalg.inv`: the inverse of each square matrix, or torch's `LinAlgError` naming the first
    /// singular matrix (by its batch element when there are several) and its zero pivot.
    pub fn inverse_checked(&self, api: &str) -> Result<Tensor> {
        let (inv, info) = self.invert(api)?;
        check_info(&info, api, self.ndim() == 2)?;
        Ok(inv)
    }
}

/// torch's `_linalg_check_errors` for an LU-based inverse: the first nonzero `info`.
fn check_info(info: &[i32], api: &str, is_matrix: bool) -> Result<()> {
    if let Some((b, &code)) = info.iter().enumerate().find(|(_, &c)| c != 0) {
        let batch = if is_matrix {
            String::new()
        } else {
            format!("(Batch element {b}): ")
        };
        return Err(Error::LinAlg(format!(
            "{api}: {batch}The diagonal element {code} is zero, the inversion could not be completed because the input matrix is singular."
        )));
    }
    Ok(())
}

/// `linalg.inv`.
pub static LINALG_INV: OpDef = OpDef {
    name: "linalg.inv",
    doc: "The inverse of each square matrix; LinAlgError when one is singular.",
    signatures: &["inv(Tensor A)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["LinalgInvExBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.inverse_checked("linalg.inv")),
};

/// `inverse`.
pub static INVERSE: OpDef = OpDef {
    name: "inverse",
    doc: "The inverse of each square matrix (`linalg.inv`).",
    signatures: &["inverse(Tensor input)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["LinalgInvExBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.inverse_checked("linalg.inv")),
};

/// `linalg.inv_ex`.
pub static LINALG_INV_EX: OpDef = OpDef {
    name: "linalg.inv_ex",
    doc: "The inverse of each square matrix and LAPACK's info (0, or the zero pivot) per matrix.",
    signatures: &["inv_ex(Tensor A, *, bool check_errors=False) -> return_types.linalg_inv_ex"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["LinalgInvExBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a: &Args, d: Dest<'_>| {
        if let Dest::Out(_) = d {
            return Err(Error::Type(
                "linalg_inv_ex(): argument 'out' must be tuple of Tensors, not Tensor".into(),
            ));
        }
        let (inv, info) = a.tensor(0)?.inverse_ex(a.bool(1)?)?;
        Ok(Ret::Tuple("linalg_inv_ex", vec![inv, info]))
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&LINALG_INV, &INVERSE, &LINALG_INV_EX];
