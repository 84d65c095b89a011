//! The binary cross entropies: `binary_cross_entropy` (`BinaryCrossEntropyBackward0`) and
//! `binary_cross_entropy_with_logits` (`BinaryCrossEntropyWithLogitsBackward0`).

use super::{computing, reduce, refuse_grad, torch_size};
use crate::autograd::rules::loss::Reduction;
use crate::autograd::rules::loss::{log_sigmoid, record_binary};
use crate::error::fmt_shape;
use crate::error::{Error, Result};
use crate::scalar::Scalar;
use crate::shape::broadcast_shapes;
use crate::tensor::Tensor;

/// torch's broadcast of a binary cross entropy's `weight` to the input's shape.
fn expand_weight(weight: &Tensor, input: &Tensor) -> Result<Tensor> {
    let (ws, xs) = (weight.shape(), input.shape());
    if broadcast_shapes(xs, ws).ok().as_deref() != Some(xs) {
        let dim = (0..ws.len())
            .find(|&i| {
                let w = ws[ws.len() - 1 - i];
                w != 1 && xs.len().checked_sub(1 + i).map(|j| xs[j]) != Some(w)
            })
            .unwrap_or(0);
        return Err(Error::Runtime(format!(
            "Attempting to broadcast a dimension of length {} at -{}! Mismatching argument at index 1 had {}; but expected shape should be broadcastable to {}",
            ws[ws.len() - 1 - dim],
            dim + 1,
            torch_size(ws),
            fmt_shape(xs)
        )));
    }
    Ok(weight.detach())
}

/// `binary_cross_entropy(input, target, weight, reduction)`: `-w (t log(x) + (1 - t) log(1 - x))`
/// with each log clamped to at least -100, as torch.
pub fn binary_cross_entropy(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
) -> Result<Tensor> {
    if target.shape() != input.shape() {
        return Err(Error::Value(format!(
            "Using a target size ({}) that is different to the input size ({}) is deprecated. Please ensure they have the same size.",
            torch_size(target.shape()),
            torch_size(input.shape())
        )));
    }
    let w = weight.map(|w| expand_weight(w, input)).transpose()?;
    refuse_grad(weight, "binary_cross_entropy", "weight")?;
    if target.dtype() != input.dtype() {
        return Err(Error::Runtime(format!(
            "Found dtype {} but expected {}",
            target.dtype().torch_name(),
            input.dtype().torch_name()
        )));
    }
    if !input.dtype().is_floating() {
        return Err(Error::DTypeNotSupported {
            op: "binary_cross_entropy",
            dtype: input.dtype().torch_name(),
        });
    }
    let (x, t) = (computing(input)?, computing(target)?);
    for (values, what) in [(&x, "input"), (&t, "target")] {
        if values
            .to_vec_f64()?
            .iter()
            .any(|v| !(0.0..=1.0).contains(v))
        {
            return Err(Error::Runtime(format!(
                "all elements of {what} should be between 0 and 1"
            )));
        }
    }
    let floor = Some(Scalar::Float(-100.0));
    let log_x = x.log()?.clamp(floor, None)?;
    let log_1mx = x.neg()?.log1p()?.clamp(floor, None)?;
    let mut loss = t
        .sub(Scalar::Float(1.0))?
        .mul(&log_1mx)?
        .sub(&t.mul(&log_x)?)?;
    if let Some(w) = &w {
        loss = loss.mul(&computing(w)?)?;
    }
    let shape = loss.shape().to_vec();
    let out = reduce(loss.to_dtype(input.dtype())?, reduction)?;
    Ok(record_binary(
        out,
        &shape,
        false,
        input,
        target,
        (w, None),
        reduction,
    ))
}

/// `binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight)`:
/// `(1 - t) x - (1 + (pos_weight - 1) t) log(sigmoid(x))`, times `weight`, computed without
/// overflow as torch.
pub fn binary_cross_entropy_with_logits(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
    pos_weight: Option<&Tensor>,
) -> Result<Tensor> {
    if target.shape() != input.shape() {
        return Err(Error::Value(format!(
            "Target size ({}) must be the same as input size ({})",
            torch_size(target.shape()),
            torch_size(input.shape())
        )));
    }
    let function = "binary_cross_entropy_with_logits";
    refuse_grad(weight, function, "weight")?;
    refuse_grad(pos_weight, function, "pos_weight")?;
    let dtype = input.dtype().promote(target.dtype());
    if !dtype.is_floating() {
        return Err(Error::DTypeNotSupported {
            op: "log_sigmoid_cpu",
            dtype: dtype.torch_name(),
        });
    }
    let (x, t) = (input.to_dtype(dtype)?, target.to_dtype(dtype)?);
    // As torch: log_sigmoid rounds once to the half types, the other steps round each.
    let (xd, td) = (x.detach(), t.detach());
    let cast = |w: Option<&Tensor>| w.map(|w| w.detach().to_dtype(dtype)).transpose();
    let weights = (cast(weight)?, cast(pos_weight)?);
    let mut ls = log_sigmoid(&computing(&xd)?)?.to_dtype(dtype)?;
    if let Some(pw) = &weights.1 {
        let lw = pw
            .sub(Scalar::Float(1.0))?
            .mul(&td)?
            .add(Scalar::Float(1.0))?;
        ls = ls.mul(&lw)?;
    }
    let mut loss = td.neg()?.add(Scalar::Float(1.0))?.mul(&xd)?.sub(&ls)?;
    if let Some(w) = &weights.0 {
        loss = loss.mul(w)?;
    }
    let shape = loss.shape().to_vec();
    let out = reduce(loss, reduction)?;
    Ok(record_binary(out, &shape, true, &x, &t, weights, reduction))
}
