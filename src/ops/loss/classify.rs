//! The class losses: `nll_loss` (`NllLossBackward0`, `NllLoss2DBackward0`) and `cross_entropy`
//! (`log_softmax` then `nll_loss`, or the class-probability form), with torch's checks.

use super::{computing, reduce, refuse_grad, scaled};
use crate::autograd::rules::loss::record_nll;
use crate::autograd::rules::loss::Reduction;
use crate::dtype::DType;
use crate::error::fmt_shape;
use crate::error::{Error, Result};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// `nll_loss` of an input of 1, 2 or 4 dims (torch's `nll_loss` / `nll_loss2d`).
fn nll_core(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    ignore_index: i64,
    reduction: Reduction,
) -> Result<Tensor> {
    let spatial = input.ndim() == 4;
    if target.dtype() != DType::Int64 && target.dtype() != DType::UInt8 {
        return Err(Error::Runtime(format!(
            "expected target dtype to be Long or Byte, but got {}",
            target.dtype().torch_name()
        )));
    }
    let class_dim = usize::from(input.ndim() > 1);
    let classes = input.shape()[class_dim];
    if let Some(w) = weight {
        if w.ndim() != 1 || w.numel() != classes {
            return Err(Error::Runtime(format!(
                "weight tensor should be defined either for all {classes} classes or no classes but got weight tensor of shape: {}",
                fmt_shape(w.shape())
            )));
        }
        if w.dtype() != input.dtype() {
            return Err(Error::Runtime(format!(
                "expected scalar type {} but found {}",
                input.dtype().torch_name(),
                w.dtype().torch_name()
            )));
        }
    }
    let function = if spatial {
        "nll_loss2d_forward"
    } else {
        "nll_loss_forward"
    };
    refuse_grad(weight, function, "weight")?;
    if !input.dtype().is_floating() {
        return Err(Error::DTypeNotSupported {
            op: if spatial {
                "nll_loss2d_forward_out_frame"
            } else {
                "nll_loss_out_frame"
            },
            dtype: input.dtype().torch_name(),
        });
    }
    let t = target.to_dtype(DType::Int64)?;
    for v in t.to_vec_i64()? {
        if v != ignore_index && (v < 0 || v as usize >= classes) {
            return Err(Error::Index(format!("Target {v} is out of bounds.")));
        }
    }
    let kept = t.ne(Scalar::Int(ignore_index))?;
    let safe = t.mul(&kept)?;
    let x = computing(input)?.movedim(&[class_dim as i64], &[-1])?;
    let picked = x.gather(-1, &safe.unsqueeze(-1)?)?.squeeze_dim(-1)?;
    let kept_f = kept.to_dtype(x.dtype())?;
    let w = match weight {
        Some(w) => {
            let sizes: Vec<i64> = safe.shape().iter().map(|&s| s as i64).collect();
            computing(w)?
                .index_select(0, &safe.reshape(&[-1])?)?
                .reshape(&sizes)?
                .mul(&kept_f)?
        }
        None => kept_f,
    };
    let loss = picked.mul(&w)?.neg()?;
    let total = w.sum(None, false, None)?;
    let out = match reduction {
        Reduction::Mean => loss.sum(None, false, None)?.div(&total)?,
        r => reduce(loss, r)?,
    };
    let out = out.to_dtype(input.dtype())?;
    let node = if spatial {
        "NllLoss2DBackward0"
    } else {
        "NllLossBackward0"
    };
    Ok(record_nll(
        out,
        node,
        input,
        (safe, w, total),
        class_dim as i64,
        reduction,
    ))
}

/// `nll_loss(input, target, weight, ignore_index, reduction)` for any number of dims, with
/// torch's checks (`nll_loss_nd`): 3 and more than 4 dims go through a 4-dim view.
pub fn nll_loss(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    ignore_index: i64,
    reduction: Reduction,
) -> Result<Tensor> {
    let (xs, ts) = (input.shape(), target.shape());
    if xs.is_empty() {
        return Err(Error::Value("Expected 1 or more dimensions (got 0)".into()));
    }
    if xs.len() != 1 && !ts.is_empty() && xs[0] != ts[0] {
        return Err(Error::Value(format!(
            "Expected input batch_size ({}) to match target batch_size ({}).",
            xs[0], ts[0]
        )));
    }
    let multi =
        || Error::Runtime("0D or 1D target tensor expected, multi-target not supported".into());
    let mismatch = |sep: &str, close: &str| {
        Error::Runtime(format!(
            "size mismatch (got input: {}{sep}, target: {}{close}",
            fmt_shape(xs),
            fmt_shape(ts)
        ))
    };
    match xs.len() {
        1 => match ts.len() {
            0 => nll_core(input, target, weight, ignore_index, reduction),
            1 if ts[0] == 1 => nll_core(
                input,
                &target.reshape(&[])?,
                weight,
                ignore_index,
                reduction,
            ),
            1 => Err(Error::Value(format!(
                "For 1D input, 1D target must have size 1, but got target size: {}",
                ts[0]
            ))),
            _ => Err(multi()),
        },
        2 => match ts.len() {
            0 => Err(mismatch("", ")")),
            1 => nll_core(input, target, weight, ignore_index, reduction),
            _ => Err(multi()),
        },
        4 => {
            if ts.len() != 3 {
                return Err(Error::Runtime(format!(
                    "only batches of spatial targets supported (3D tensors) but got targets of dimension: {}",
                    ts.len()
                )));
            }
            if xs[2] != ts[1] || xs[3] != ts[2] {
                return Err(mismatch(" ", ""));
            }
            nll_core(input, target, weight, ignore_index, reduction)
        }
        _ => {
            let (n, c) = (xs[0] as i64, xs[1] as i64);
            let mut out_size = vec![xs[0]];
            out_size.extend_from_slice(&xs[2..]);
            if ts.is_empty() || ts[1..] != xs[2..] {
                return Err(Error::Runtime(format!(
                    "Expected target size {}, got {}",
                    fmt_shape(&out_size),
                    fmt_shape(ts)
                )));
            }
            let x = if input.numel() > 0 {
                input.reshape(&[n, c, 1, -1])?
            } else {
                input.reshape(&[n, c, 0, 0])?
            };
            let t = if target.numel() > 0 {
                target.reshape(&[n, 1, -1])?
            } else {
                target.reshape(&[n, 0, 0])?
            };
            let out = nll_core(&x, &t, weight, ignore_index, reduction)?;
            if reduction == Reduction::None {
                let sizes: Vec<i64> = out_size.iter().map(|&s| s as i64).collect();
                out.reshape(&sizes)
            } else {
                Ok(out)
            }
        }
    }
}

/// `weight` viewed to broadcast along the class dim of `input`.
fn class_weight(weight: &Tensor, input: &Tensor, class_dim: usize) -> Result<Tensor> {
    let mut sizes = vec![1i64; input.ndim()];
    sizes[class_dim] = -1;
    weight.reshape(&sizes)
}

/// `cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)`: class-index
/// targets (`log_softmax` then `nll_loss`) or class probabilities (a float target of the input's
/// shape), composed as torch's `cross_entropy_loss`.
pub fn cross_entropy(
    input: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    ignore_index: i64,
    reduction: Reduction,
    label_smoothing: f64,
) -> Result<Tensor> {
    if !(0.0..=1.0).contains(&label_smoothing) {
        return Err(Error::Runtime(format!(
            "label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
        )));
    }
    let class_dim = usize::from(input.ndim() != 1);
    let logp = input.log_softmax(class_dim as i64, None)?;
    let classes = input.shape()[class_dim];
    let check_weight = |w: &Tensor| {
        if w.ndim() != 1 || w.numel() != classes {
            return Err(Error::Runtime(format!(
                "cross_entropy: weight tensor should be defined either for all {classes} classes or no classes but got weight tensor of shape: {}",
                fmt_shape(w.shape())
            )));
        }
        Ok(())
    };
    if input.shape() == target.shape() {
        if !target.dtype().is_floating() {
            return Err(Error::Runtime(format!(
                "Expected floating point type for target with class probabilities, got {}",
                target.dtype().torch_name()
            )));
        }
        if ignore_index >= 0 {
            return Err(Error::Runtime(
                "ignore_index is not supported for floating point target".into(),
            ));
        }
        let target = if label_smoothing > 0.0 {
            target
                .mul(Scalar::Float(1.0 - label_smoothing))?
                .add(Scalar::Float(label_smoothing / classes as f64))?
        } else {
            target.clone()
        };
        let mut prod = logp.mul(&target)?;
        if let Some(w) = weight {
            check_weight(w)?;
            prod = prod.mul(&class_weight(w, input, class_dim)?)?;
        }
        return match reduction {
            Reduction::Mean => {
                let rows = input.numel().checked_div(classes).unwrap_or(0);
                scaled(&prod.sum(None, false, None)?.neg()?, rows as f64, true)
            }
            Reduction::Sum => prod.sum(None, false, None)?.neg(),
            Reduction::None => prod.sum(Some(&[class_dim as i64]), false, None)?.neg(),
        };
    }
    let nll = nll_loss(&logp, target, weight, ignore_index, reduction)?;
    if label_smoothing == 0.0 {
        return Ok(nll);
    }
    let ignored = target.eq(Scalar::Int(ignore_index))?;
    let smooth = match weight {
        Some(w) => logp.mul(&class_weight(w, input, class_dim)?)?,
        None => logp.clone(),
    };
    let smooth = smooth
        .sum(Some(&[class_dim as i64]), false, None)?
        .neg()?
        .masked_fill(&ignored, &Value::Scalar(Scalar::Float(0.0)))?;
    let ret = match reduction {
        Reduction::None => smooth,
        Reduction::Sum => smooth.sum(None, false, None)?,
        Reduction::Mean => {
            let kept = target.ne(Scalar::Int(ignore_index))?;
            let denominator = match weight {
                Some(w) => {
                    let safe = target.to_dtype(DType::Int64)?.mul(&kept)?;
                    w.detach()
                        .index_select(0, &safe.reshape(&[-1])?)?
                        .mul(&kept.reshape(&[-1])?)?
                        .sum(None, false, None)?
                }
                None => kept.sum(None, false, None)?,
            };
            smooth.sum(None, false, None)?.div(&denominator)?
        }
    };
    let smoothed = scaled(&ret, label_smoothing / classes as f64, false)?;
    scaled(&nll, 1.0 - label_smoothing, false)?.add(&smoothed)
}
