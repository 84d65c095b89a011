//! torch.nn.functional's loss functions (`rtensor.nn.functional.*`): the regression losses
//! (`regression.rs`: `mse_loss`, `l1_loss`, `smooth_l1_loss`, `huber_loss`, `kl_div`,
//! `poisson_nll_loss`), the class losses (`classify.rs`: `nll_loss`, `cross_entropy`), the binary
//! cross entropies (`binary.rs`) and the margin losses (`margin.rs`: `soft_margin_loss`,
//! `margin_ranking_loss`, `hinge_embedding_loss`); declarations in `declare.rs`. The ops torch
//! computes in a kernel of its own are computed here without recording (the half types in float32,
//! rounded where torch's kernel rounds) and get the node torch records, with its rule from
//! `autograd::rules::loss`; the ones torch composes of other ops (`l1_loss`, `kl_div`, the
//! weighted forms, `cross_entropy`, ...) are composed the same way, so their `grad_fn` names are
//! torch's. The warnings torch's Python layer gives are given by `python/rtensor/nn/_loss.py`.

pub mod binary;
pub mod classify;
pub mod declare;
pub mod margin;
pub mod regression;

pub use declare::OPS;

use crate::autograd::mode::{is_grad_enabled, without_grad};
use crate::autograd::record::record;
use crate::autograd::rules::loss::Reduction;
use crate::autograd::rules::sequences::ScaleRule;
use crate::autograd::rules::InputMeta;
use crate::error::{fmt_shape, Error, Result};
use crate::tensor::Tensor;

/// A shape as Python prints an `rtensor.Size` (torch names its `torch.Size`).
pub(crate) fn torch_size(shape: &[usize]) -> String {
    format!("rtensor.Size({})", fmt_shape(shape))
}

/// Reduces elementwise losses.
pub(crate) fn reduce(loss: Tensor, reduction: Reduction) -> Result<Tensor> {
    match reduction {
        Reduction::None => Ok(loss),
        Reduction::Mean => loss.mean(None, false, None),
        Reduction::Sum => loss.sum(None, false, None),
    }
}

/// `x` detached in the dtype the losses compute in (float32 for the half types).
pub(crate) fn computing(x: &Tensor) -> Result<Tensor> {
    x.detach().to_dtype(x.dtype().compute_dtype())
}

/// torch's refusal of a constant (`weight`) that requires grad.
pub(crate) fn refuse_grad(t: Option<&Tensor>, function: &str, arg: &str) -> Result<()> {
    match t {
        Some(t) if t.requires_grad() && is_grad_enabled() => Err(Error::Runtime(format!(
            "The function '{function}' is not differentiable with respect to argument '{arg}'. \
             This input cannot have requires_grad True."
        ))),
        _ => Ok(()),
    }
}

/// `t / factor` recorded as torch's `div(Scalar)` records it (`DivBackward1`), or `t * factor`
/// as `mul(Scalar)` (`MulBackward1`), where rtensor's operators record the Python forms'
/// `DivBackward0`/`MulBackward0`.
pub(crate) fn scaled(t: &Tensor, factor: f64, divide: bool) -> Result<Tensor> {
    let out = without_grad(|| if divide { t.div(factor) } else { t.mul(factor) })?;
    let name = if divide {
        "DivBackward1"
    } else {
        "MulBackward1"
    };
    Ok(record(out, name, &[t], || ScaleRule {
        factor,
        divide,
        input: InputMeta::of(t),
    }))
}
