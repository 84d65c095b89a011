//! `torch.nn.functional.linear`, decomposed into `addmm` / `matmul` as torch does (its own file:
//! its results accumulate, which the OpInfo comparison's tolerance knows by the source file).

use crate::error::{Error, Result};
use crate::ops::registry::{Forms, OpDef};
use crate::scalar::Scalar;
use crate::tensor::Tensor;

/// `linear(input, weight, bias)`: `input @ weight.T + bias`, decomposed as torch does: `addmm`
/// for a matrix with a bias (`AddmmBackward0`), `addmm` on the flattened input then
/// `_unsafe_view` for other contiguous inputs with a bias (`UnsafeViewBackward0`), and `matmul`
/// otherwise (`MmBackward0`, `SqueezeBackward4`, `UnsafeViewBackward0`; a bias then added in
/// place, `AddBackward0`).
pub fn linear(x: &Tensor, w: &Tensor, b: Option<&Tensor>) -> Result<Tensor> {
    if x.ndim() == 0 || w.ndim() == 0 {
        return Err(Error::Runtime(format!(
            "both arguments to linear need to be at least 1D, but they are {}D and {}D",
            x.ndim(),
            w.ndim()
        )));
    }
    let wt = w.t()?;
    let one = Scalar::Int(1);
    match b {
        Some(b) if x.ndim() == 2 => b.addmm(x, &wt, one, one),
        Some(b) if x.is_contiguous() => {
            let n = x.ndim();
            let rows: usize = x.shape()[..n - 1].iter().product();
            let flat = x.reshape(&[rows as i64, x.shape()[n - 1] as i64])?;
            let out = b.addmm(&flat, &wt, one, one)?;
            let mut shape = x.shape()[..n - 1].to_vec();
            shape.push(out.shape()[1]);
            out.unsafe_view(&shape)
        }
        Some(b) => {
            let out = x.matmul(&wt)?;
            out.add_(b)?;
            Ok(out)
        }
        None => x.matmul(&wt),
    }
}

/// `nn.functional.linear`.
pub static LINEAR: OpDef = OpDef {
    name: "nn.functional.linear",
    doc: "`input @ weight.T + bias`.",
    signatures: &["linear(Tensor input, Tensor weight, Tensor? bias=None)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &[
        "AddmmBackward0",
        "MmBackward0",
        "UnsafeViewBackward0",
        "SqueezeBackward4",
        "AddBackward0",
    ],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| linear(a.tensor(0)?, a.tensor(1)?, a.opt_tensor(2)?)),
};
