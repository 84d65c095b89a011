//! The regression losses: `mse_loss`, `l1_loss`, `smooth_l1_loss`, `huber_loss`, each with
//! its own node (`MseLossBackward0`, ...) or composed as torch composes it.

use super::{computing, reduce};
use crate::autograd::rules::loss::Reduction;
use crate::autograd::rules::loss::{record_pointwise, Pointwise};
use crate::error::{Error, Result};
use crate::ops::reshape::broadcast_tensors;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// The input and target broadcast to one shape and promoted to one floating dtype (differentiably).
fn regression_operands(
    input: &Tensor,
    target: &Tensor,
    kernel: &'static str,
) -> Result<(Tensor, Tensor)> {
    let b = broadcast_tensors(&[input.clone(), target.clone()])?;
    let dtype = b[0].dtype().promote(b[1].dtype());
    if !dtype.is_floating() {
        return Err(Error::DTypeNotSupported {
            op: kernel,
            dtype: dtype.torch_name(),
        });
    }
    Ok((b[0].to_dtype(dtype)?, b[1].to_dtype(dtype)?))
}

/// An elementwise regression loss with its own node.
fn regression(
    input: &Tensor,
    target: &Tensor,
    kind: Pointwise,
    reduction: Reduction,
) -> Result<Tensor> {
    let kernel = match kind {
        Pointwise::Mse => "mse_cpu",
        Pointwise::SmoothL1(_) => "smooth_l1_cpu",
        Pointwise::Huber(_) => "huber_cpu",
    };
    let (x, t) = regression_operands(input, target, kernel)?;
    // torch's mse kernel rounds the difference to the half types; the others compute in float.
    let d = if kind == Pointwise::Mse {
        computing(&x.detach().sub(t.detach())?)?
    } else {
        computing(&x)?.sub(&computing(&t)?)?
    };
    let loss = match kind {
        Pointwise::Mse => d.square()?,
        Pointwise::SmoothL1(beta) | Pointwise::Huber(beta) => {
            let ad = d.abs()?;
            let inside = ad.lt(Scalar::Float(beta))?;
            let quad = d.square()?.mul(Scalar::Float(0.5))?;
            let (quad, lin) = if let Pointwise::SmoothL1(_) = kind {
                (
                    quad.div(Scalar::Float(beta))?,
                    ad.sub(Scalar::Float(0.5 * beta))?,
                )
            } else {
                (
                    quad,
                    ad.sub(Scalar::Float(0.5 * beta))?
                        .mul(Scalar::Float(beta))?,
                )
            };
            Tensor::where_(&inside, &Value::Tensor(quad), &Value::Tensor(lin))?
        }
    };
    let out = reduce(loss.to_dtype(x.dtype())?, reduction)?;
    Ok(record_pointwise(out, kind, &x, &t, reduction))
}

/// The weighted form of the regression losses, composed as torch's Python does: `elementwise *
/// weight`, then the sum, or the sum divided by the sum of the weights (`mean_by_weight`) or the
/// mean.
fn weighted(
    elementwise: Tensor,
    weight: &Tensor,
    reduction: Reduction,
    mean_by_weight: bool,
) -> Result<Tensor> {
    let loss = elementwise.mul(weight)?;
    match reduction {
        Reduction::None => Ok(loss),
        Reduction::Sum => loss.sum(None, false, None),
        Reduction::Mean if mean_by_weight => loss
            .sum(None, false, None)?
            .div(&weight.sum(None, false, None)?),
        Reduction::Mean => loss.mean(None, false, None),
    }
}

/// torch's check of a regression loss's `weight`.
fn check_weight(weight: &Tensor, input: &Tensor) -> Result<()> {
    if weight.shape() != input.shape() {
        return Err(Error::Value(
            "Weights and input must have the same size.".into(),
        ));
    }
    Ok(())
}

/// `mse_loss(input, target, reduction, weight)`.
pub fn mse_loss(
    input: &Tensor,
    target: &Tensor,
    reduction: Reduction,
    weight: Option<&Tensor>,
) -> Result<Tensor> {
    match weight {
        None => regression(input, target, Pointwise::Mse, reduction),
        Some(w) => {
            check_weight(w, input)?;
            let (x, t) = regression_operands(input, target, "mse_cpu")?;
            let d = x.sub(&t)?;
            weighted(d.pow(Scalar::Int(2))?, w, reduction, true)
        }
    }
}

/// `l1_loss(input, target, reduction, weight)`: `abs(input - target)`, reduced (composed, as torch).
pub fn l1_loss(
    input: &Tensor,
    target: &Tensor,
    reduction: Reduction,
    weight: Option<&Tensor>,
) -> Result<Tensor> {
    let b = broadcast_tensors(&[input.clone(), target.clone()])?;
    let err = b[0].sub(&b[1])?.abs()?;
    match weight {
        None => reduce(err, reduction),
        Some(w) => {
            check_weight(w, input)?;
            weighted(err, w, reduction, true)
        }
    }
}

/// `smooth_l1_loss(input, target, reduction, beta)`; `beta=0` is `l1_loss`, as torch.
pub fn smooth_l1_loss(
    input: &Tensor,
    target: &Tensor,
    reduction: Reduction,
    beta: f64,
) -> Result<Tensor> {
    if beta < 0.0 {
        return Err(Error::Runtime(
            "smooth_l1_loss does not support negative values for beta.".into(),
        ));
    }
    if beta == 0.0 {
        return l1_loss(input, target, reduction, None);
    }
    regression(input, target, Pointwise::SmoothL1(beta), reduction)
}

/// `huber_loss(input, target, reduction, delta, weight)`.
pub fn huber_loss(
    input: &Tensor,
    target: &Tensor,
    reduction: Reduction,
    delta: f64,
    weight: Option<&Tensor>,
) -> Result<Tensor> {
    if delta.is_nan() || delta <= 0.0 {
        return Err(Error::Runtime(
            "huber_loss does not support non-positive values for delta.".into(),
        ));
    }
    match weight {
        None => regression(input, target, Pointwise::Huber(delta), reduction),
        Some(w) => {
            check_weight(w, input)?;
            let elementwise = regression(input, target, Pointwise::Huber(delta), Reduction::None)?;
            weighted(elementwise, w, reduction, false)
        }
    }
}

/// `kl_div(input, target, reduction, log_target)`: `target * (log(target) - input)` (or
/// `exp(target) * (target - input)` for log targets), composed as torch's `kl_div`;
/// `reduction='batchmean'` sums and divides by the batch size.
pub fn kl_div(
    input: &Tensor,
    target: &Tensor,
    reduction: Option<Reduction>,
    log_target: bool,
) -> Result<Tensor> {
    if !input.dtype().promote(target.dtype()).is_floating() {
        return Err(Error::Runtime(
            "kl_div: Integral inputs not supported.".into(),
        ));
    }
    let loss = if log_target {
        target.exp()?.mul(&target.sub(input)?)?
    } else {
        target.xlogy(target)?.sub(&target.mul(input)?)?
    };
    match reduction {
        Some(r) => reduce(loss, r),
        None => {
            let sum = loss.sum(None, false, None)?;
            match input.shape().first() {
                Some(&n) => sum.div(Scalar::Int(n as i64)),
                None => Ok(sum),
            }
        }
    }
}

/// `poisson_nll_loss(input, target, log_input, full, eps, reduction)`: `exp(input) - target *
/// input` (or `input - target * log(input + eps)`), plus Stirling's approximation of
/// `log(target!)` where `target > 1` when `full`, composed as torch's.
pub fn poisson_nll_loss(
    input: &Tensor,
    target: &Tensor,
    (log_input, full, eps): (bool, bool, f64),
    reduction: Reduction,
) -> Result<Tensor> {
    let mut loss = if log_input {
        input.exp()?.sub(&target.mul(input)?)?
    } else {
        input.sub(&target.mul(&input.add(Scalar::Float(eps))?.log()?)?)?
    };
    if full {
        let half_log = target
            .mul(Scalar::Float(2.0 * std::f64::consts::PI))?
            .log()?
            .mul(Scalar::Float(0.5))?;
        let stirling = target.mul(&target.log()?)?.sub(target)?.add(&half_log)?;
        let small = target.le(Scalar::Int(1))?;
        loss = loss.add(&stirling.masked_fill(&small, &Value::Scalar(Scalar::Int(0)))?)?;
    }
    reduce(loss, reduction)
}
