//! The declarations of the loss functions (`nn.functional.*`) and the parsing of their
//! `reduction` (and legacy `size_average`/`reduce`) arguments.

use super::binary::{binary_cross_entropy, binary_cross_entropy_with_logits};
use super::classify::{cross_entropy, nll_loss};
use super::margin::{hinge_embedding_loss, margin_ranking_loss, soft_margin_loss};
use super::regression::{huber_loss, kl_div, l1_loss, mse_loss, poisson_nll_loss, smooth_l1_loss};
use crate::autograd::rules::loss::Reduction;
use crate::error::{Error, Result};
use crate::ops::registry::{Args, Forms, OpDef};

/// torch's `reduction` argument, or the legacy `size_average`/`reduce` pair when either is given.
pub fn reduction(
    size_average: Option<bool>,
    reduce: Option<bool>,
    name: &str,
) -> Result<Reduction> {
    if size_average.is_some() || reduce.is_some() {
        return Ok(
            match (reduce.unwrap_or(true), size_average.unwrap_or(true)) {
                (false, _) => Reduction::None,
                (true, true) => Reduction::Mean,
                (true, false) => Reduction::Sum,
            },
        );
    }
    match name {
        "none" => Ok(Reduction::None),
        "mean" => Ok(Reduction::Mean),
        "sum" => Ok(Reduction::Sum),
        _ => Err(Error::Value(format!(
            "{name} is not a valid value for reduction"
        ))),
    }
}

/// The reduction of a call whose `size_average`, `reduce` and `reduction` are arguments `i`..`i+2`.
fn legacy_at(a: &Args, size_average: usize, reduce: usize, name: usize) -> Result<Reduction> {
    reduction(a.opt_bool(size_average)?, a.opt_bool(reduce)?, a.str(name)?)
}

/// `nn.functional.mse_loss`.
pub static MSE_LOSS: OpDef = OpDef {
    name: "nn.functional.mse_loss",
    doc: "The mean squared error `(input - target)^2`, reduced by `reduction`.",
    signatures: &["mse_loss(Tensor input, Tensor target, bool? size_average=None, bool? reduce=None, str reduction='mean', Tensor? weight=None)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["MseLossBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            mse_loss(a.tensor(0)?, a.tensor(1)?, legacy_at(a, 2, 3, 4)?, a.opt_tensor(5)?)
        })
    },
};

/// `nn.functional.l1_loss`.
pub static L1_LOSS: OpDef = OpDef {
    name: "nn.functional.l1_loss",
    doc: "The mean absolute error `|input - target|`, reduced by `reduction`.",
    signatures: &["l1_loss(Tensor input, Tensor target, bool? size_average=None, bool? reduce=None, str reduction='mean', Tensor? weight=None)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["MeanBackward0", "SumBackward0", "AbsBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            l1_loss(a.tensor(0)?, a.tensor(1)?, legacy_at(a, 2, 3, 4)?, a.opt_tensor(5)?)
        })
    },
};

/// `nn.functional.smooth_l1_loss`.
pub static SMOOTH_L1_LOSS: OpDef = OpDef {
    name: "nn.functional.smooth_l1_loss",
    doc: "Squared error below `beta`, absolute error above, reduced by `reduction`.",
    signatures: &["smooth_l1_loss(Tensor input, Tensor target, bool? size_average=None, bool? reduce=None, str reduction='mean', float beta=1.0)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["SmoothL1LossBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            smooth_l1_loss(a.tensor(0)?, a.tensor(1)?, legacy_at(a, 2, 3, 4)?, a.float(5)?)
        })
    },
};

/// `nn.functional.huber_loss`.
pub static HUBER_LOSS: OpDef = OpDef {
    name: "nn.functional.huber_loss",
    doc: "Squared error below `delta`, `delta`-scaled absolute error above, reduced by `reduction`.",
    signatures: &["huber_loss(Tensor input, Tensor target, str reduction='mean', float delta=1.0, Tensor? weight=None)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["HuberLossBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let r = reduction(None, None, a.str(2)?)?;
            huber_loss(a.tensor(0)?, a.tensor(1)?, r, a.float(3)?, a.opt_tensor(4)?)
        })
    },
};

/// `nn.functional.nll_loss`.
pub static NLL_LOSS: OpDef = OpDef {
    name: "nn.functional.nll_loss",
    doc: "The negative log likelihood of class-index targets given log-probabilities along dim 1.",
    signatures: &["nll_loss(Tensor input, Tensor target, Tensor? weight=None, bool? size_average=None, int ignore_index=-100, bool? reduce=None, str reduction='mean')"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["NllLossBackward0", "NllLoss2DBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let r = legacy_at(a, 3, 5, 6)?;
            nll_loss(a.tensor(0)?, a.tensor(1)?, a.opt_tensor(2)?, a.int(4)?, r)
        })
    },
};

/// `nn.functional.cross_entropy`.
pub static CROSS_ENTROPY: OpDef = OpDef {
    name: "nn.functional.cross_entropy",
    doc: "The cross entropy of logits along dim 1 with class-index or class-probability targets.",
    signatures: &["cross_entropy(Tensor input, Tensor target, Tensor? weight=None, bool? size_average=None, int ignore_index=-100, bool? reduce=None, str reduction='mean', float label_smoothing=0.0)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["NllLossBackward0", "NllLoss2DBackward0", "AddBackward0", "DivBackward1", "NegBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let r = legacy_at(a, 3, 5, 6)?;
            cross_entropy(a.tensor(0)?, a.tensor(1)?, a.opt_tensor(2)?, a.int(4)?, r, a.float(7)?)
        })
    },
};

/// `nn.functional.binary_cross_entropy`.
pub static BINARY_CROSS_ENTROPY: OpDef = OpDef {
    name: "nn.functional.binary_cross_entropy",
    doc: "The binary cross entropy of probabilities `input` and targets in [0, 1].",
    signatures: &["binary_cross_entropy(Tensor input, Tensor target, Tensor? weight=None, bool? size_average=None, bool? reduce=None, str reduction='mean')"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["BinaryCrossEntropyBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            binary_cross_entropy(a.tensor(0)?, a.tensor(1)?, a.opt_tensor(2)?, legacy_at(a, 3, 4, 5)?)
        })
    },
};

/// `nn.functional.binary_cross_entropy_with_logits`.
pub static BINARY_CROSS_ENTROPY_WITH_LOGITS: OpDef = OpDef {
    name: "nn.functional.binary_cross_entropy_with_logits",
    doc: "The binary cross entropy of `sigmoid(input)`, computed from the logits without overflow.",
    signatures: &["binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight=None, bool? size_average=None, bool? reduce=None, str reduction='mean', Tensor? pos_weight=None)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["BinaryCrossEntropyWithLogitsBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let r = legacy_at(a, 3, 4, 5)?;
            binary_cross_entropy_with_logits(a.tensor(0)?, a.tensor(1)?, a.opt_tensor(2)?, r, a.opt_tensor(6)?)
        })
    },
};

/// `nn.functional.kl_div`.
pub static KL_DIV: OpDef = OpDef {
    name: "nn.functional.kl_div",
    doc: "The Kullback-Leibler divergence of `target` from log-probabilities `input`.",
    signatures: &["kl_div(Tensor input, Tensor target, bool? size_average=None, bool? reduce=None, str reduction='mean', bool log_target=False)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["MeanBackward0", "SumBackward0", "SubBackward0", "MulBackward0", "DivBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let legacy = a.opt_bool(2)?.is_some() || a.opt_bool(3)?.is_some();
            let r = if !legacy && a.str(4)? == "batchmean" {
                None
            } else {
                Some(legacy_at(a, 2, 3, 4)?)
            };
            kl_div(a.tensor(0)?, a.tensor(1)?, r, a.bool(5)?)
        })
    },
};

/// `nn.functional.poisson_nll_loss`.
pub static POISSON_NLL_LOSS: OpDef = OpDef {
    name: "nn.functional.poisson_nll_loss",
    doc: "The negative log likelihood of `target` under a Poisson distribution of rate `input`.",
    signatures: &["poisson_nll_loss(Tensor input, Tensor target, bool log_input=True, bool full=False, bool? size_average=None, float eps=1e-08, bool? reduce=None, str reduction='mean')"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["MeanBackward0", "SumBackward0", "SubBackward0", "AddBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let r = legacy_at(a, 4, 6, 7)?;
            let options = (a.bool(2)?, a.bool(3)?, a.float(5)?);
            poisson_nll_loss(a.tensor(0)?, a.tensor(1)?, options, r)
        })
    },
};

/// `nn.functional.soft_margin_loss`.
pub static SOFT_MARGIN_LOSS: OpDef = OpDef {
    name: "nn.functional.soft_margin_loss",
    doc: "The two-class logistic loss `log(1 + exp(-target * input))`.",
    signatures: &["soft_margin_loss(Tensor input, Tensor target, bool? size_average=None, bool? reduce=None, str reduction='mean')"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["SoftMarginLossBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| soft_margin_loss(a.tensor(0)?, a.tensor(1)?, legacy_at(a, 2, 3, 4)?)),
};

/// `nn.functional.margin_ranking_loss`.
pub static MARGIN_RANKING_LOSS: OpDef = OpDef {
    name: "nn.functional.margin_ranking_loss",
    doc: "The ranking loss `max(0, -target * (input1 - input2) + margin)`.",
    signatures: &["margin_ranking_loss(Tensor input1, Tensor input2, Tensor target, float margin=0.0, bool? size_average=None, bool? reduce=None, str reduction='mean')"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["MeanBackward0", "SumBackward0", "ClampMinBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let r = legacy_at(a, 4, 5, 6)?;
            margin_ranking_loss(a.tensor(0)?, a.tensor(1)?, a.tensor(2)?, a.float(3)?, r)
        })
    },
};

/// `nn.functional.hinge_embedding_loss`.
pub static HINGE_EMBEDDING_LOSS: OpDef = OpDef {
    name: "nn.functional.hinge_embedding_loss",
    doc: "`input` where `target` is 1, `max(0, margin - input)` where it is -1, reduced.",
    signatures: &["hinge_embedding_loss(Tensor input, Tensor target, float margin=1.0, bool? size_average=None, bool? reduce=None, str reduction='mean')"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["MeanBackward0", "SumBackward0", "AddBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let r = legacy_at(a, 3, 4, 5)?;
            hinge_embedding_loss(a.tensor(0)?, a.tensor(1)?, a.float(2)?, r)
        })
    },
};

/// The declarations of this family.
pub static OPS: &[&OpDef] = &[
    &MSE_LOSS,
    &L1_LOSS,
    &SMOOTH_L1_LOSS,
    &HUBER_LOSS,
    &NLL_LOSS,
    &CROSS_ENTROPY,
    &BINARY_CROSS_ENTROPY,
    &BINARY_CROSS_ENTROPY_WITH_LOGITS,
    &KL_DIV,
    &POISSON_NLL_LOSS,
    &SOFT_MARGIN_LOSS,
    &MARGIN_RANKING_LOSS,
    &HINGE_EMBEDDING_LOSS,
];
