//! The margin losses: `soft_margin_loss` (`SoftMarginLossBackward0`), and
//! `margin_ranking_loss` and `hinge_embedding_loss`, composed as torch composes them.

use super::{reduce, refuse_grad, torch_size};
use crate::autograd::rules::loss::{record_soft_margin, Reduction};
use crate::error::{fmt_shape, Error, Result};
use crate::ops::pointwise::clamp::clamp_scalars;
use crate::ops::registry::Dest;
use crate::scalar::Scalar;
use crate::shape::broadcast_shapes;
use crate::tensor::Tensor;
use crate::value::Value;

/// `max(x, 0)` recorded as torch's `clamp_min_` records it (`ClampMinBackward0`).
fn clamp_min0(x: &Tensor) -> Result<Tensor> {
    clamp_scalars(
        x,
        Some(Scalar::Int(0)),
        None,
        "ClampMinBackward0",
        Dest::New,
    )
}

/// `soft_margin_loss(input, target, reduction)`: `log(1 + exp(-target * input))`.
pub fn soft_margin_loss(input: &Tensor, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
    refuse_grad(Some(target), "soft_margin_loss", "target")?;
    if !input.dtype().is_floating() {
        return Err(Error::Runtime(format!(
            "result type Float can't be cast to the desired output type {}",
            input.dtype().torch_name()
        )));
    }
    if broadcast_shapes(input.shape(), target.shape())?.as_slice() != input.shape() {
        return Err(Error::Runtime(format!(
            "output with shape {} doesn't match the broadcast shape {}",
            fmt_shape(input.shape()),
            fmt_shape(&broadcast_shapes(input.shape(), target.shape())?)
        )));
    }
    let t = target.detach().to_dtype(input.dtype())?;
    let loss = input.detach().neg()?.mul(&t)?.exp()?.log1p()?;
    let out = reduce(loss, reduction)?;
    Ok(record_soft_margin(out, input, &t, reduction))
}

/// `margin_ranking_loss(input1, input2, target, margin, reduction)`:
/// `max(0, -target * (input1 - input2) + margin)`.
pub fn margin_ranking_loss(
    input1: &Tensor,
    input2: &Tensor,
    target: &Tensor,
    margin: f64,
    reduction: Reduction,
) -> Result<Tensor> {
    if input1.ndim() != input2.ndim() || input1.ndim() != target.ndim() {
        return Err(Error::Runtime(format!(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: {}, input2: {}, target: {} ",
            torch_size(input1.shape()),
            torch_size(input2.shape()),
            torch_size(target.shape())
        )));
    }
    let unclamped = target
        .neg()?
        .mul(&input1.sub(input2)?)?
        .add(Scalar::Float(margin))?;
    reduce(clamp_min0(&unclamped)?, reduction)
}

/// `hinge_embedding_loss(input, target, margin, reduction)`: `input` where `target` is 1,
/// `max(0, margin - input)` where it is -1.
pub fn hinge_embedding_loss(
    input: &Tensor,
    target: &Tensor,
    margin: f64,
    reduction: Reduction,
) -> Result<Tensor> {
    let zeros = Value::Tensor(input.detach().zeros_like()?);
    let margin_clamp = clamp_min0(&input.neg()?.add(Scalar::Float(margin))?)?;
    let output_margin = Tensor::where_(
        &target.ne(Scalar::Int(1))?,
        &Value::Tensor(margin_clamp),
        &zeros,
    )?;
    let output_self = Tensor::where_(
        &target.ne(Scalar::Int(-1))?,
        &Value::Tensor(input.clone()),
        &zeros,
    )?;
    reduce(output_margin.add(&output_self)?, reduction)
}
