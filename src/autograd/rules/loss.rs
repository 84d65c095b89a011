//! The gradient rules of the loss functions of `nn.functional` (`ops::loss`): the elementwise
//! regression losses (`MseLossBackward0`, `SmoothL1LossBackward0`, `HuberLossBackward0`), the
//! binary cross entropies, `nll_loss` and `soft_margin_loss`. Every rule spreads the incoming
//! gradient back over the elements the reduction summed (`spread`) and multiplies by the
//! elementwise derivative, written with differentiable Tensor ops so that gradients of gradients
//! work.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// How a loss reduces its elementwise values: torch's `reduction` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// `'none'`: the elementwise losses.
    None,
    /// `'mean'`: their mean.
    Mean,
    /// `'sum'`: their sum.
    Sum,
}

/// The gradient of each element of a loss of `shape` reduced by `reduction`, given the gradient
/// `g` of the result; a mean divides by `count` (the element count, or a total weight).
fn spread(
    g: &Tensor,
    shape: &[usize],
    reduction: Reduction,
    count: Option<&Tensor>,
) -> Result<Tensor> {
    let sizes: Vec<i64> = shape.iter().map(|&s| s as i64).collect();
    match reduction {
        Reduction::None => Ok(g.clone()),
        Reduction::Sum => g.expand(&sizes),
        Reduction::Mean => {
            let g = match count {
                Some(c) => g.div(c)?,
                None => g.div(Scalar::Float(shape.iter().product::<usize>() as f64))?,
            };
            g.expand(&sizes)
        }
    }
}

/// The elementwise regression losses of two tensors of one shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pointwise {
    /// `(x - t)^2`.
    Mse,
    /// `0.5 (x - t)^2 / beta` below `beta`, `|x - t| - 0.5 beta` above.
    SmoothL1(f64),
    /// `0.5 (x - t)^2` below `delta`, `delta (|x - t| - 0.5 delta)` above.
    Huber(f64),
}

impl Pointwise {
    /// torch's node name.
    pub fn node(self) -> &'static str {
        match self {
            Pointwise::Mse => "MseLossBackward0",
            Pointwise::SmoothL1(_) => "SmoothL1LossBackward0",
            Pointwise::Huber(_) => "HuberLossBackward0",
        }
    }

    /// The derivative of the elementwise loss by the input, at `d = x - t`.
    fn derivative(self, d: &Tensor) -> Result<Tensor> {
        match self {
            Pointwise::Mse => d.mul(Scalar::Float(2.0)),
            Pointwise::SmoothL1(beta) => {
                let inside = d.abs()?.lt(Scalar::Float(beta))?;
                let lin = d.div(Scalar::Float(beta))?;
                Tensor::where_(&inside, &Value::Tensor(lin), &Value::Tensor(d.sign()?))
            }
            Pointwise::Huber(delta) => {
                d.clamp(Some(Scalar::Float(-delta)), Some(Scalar::Float(delta)))
            }
        }
    }
}

/// The backward of an elementwise regression loss of `input` and `target` (one shape).
pub struct PointwiseRule {
    kind: Pointwise,
    input: SavedTensor,
    target: SavedTensor,
    metas: [InputMeta; 2],
    reduction: Reduction,
}

impl Backward for PointwiseRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let d = self.input.get()?.sub(&self.target.get()?)?;
        let shape = &self.metas[0].shape;
        let gx = self
            .kind
            .derivative(&d)?
            .mul(&spread(g, shape, self.reduction, None)?)?;
        let gt = if self.metas[1].needs_grad {
            Some(gx.neg()?.to_dtype(self.metas[1].dtype)?)
        } else {
            None
        };
        let gx = if self.metas[0].needs_grad {
            Some(gx.to_dtype(self.metas[0].dtype)?)
        } else {
            None
        };
        Ok(vec![gx, gt])
    }

    fn release(&self) {
        self.input.release();
        self.target.release();
    }
}

/// Records an elementwise regression loss `out` of `input` and `target` (same shape and dtype).
pub fn record_pointwise(
    out: Tensor,
    kind: Pointwise,
    input: &Tensor,
    target: &Tensor,
    reduction: Reduction,
) -> Tensor {
    record(out, kind.node(), &[input, target], || PointwiseRule {
        kind,
        input: SavedTensor::new(input),
        target: SavedTensor::new(target),
        metas: [InputMeta::of(input), InputMeta::of(target)],
        reduction,
    })
}

/// `log(sigmoid(x))` computed without overflow: `min(x, 0) - log1p(exp(-|x|))`.
pub fn log_sigmoid(x: &Tensor) -> Result<Tensor> {
    let tail = x.abs()?.neg()?.exp()?.log1p()?;
    x.clamp(None, Some(Scalar::Float(0.0)))?.sub(&tail)
}

/// The backward of `binary_cross_entropy` (`logits` false) or
/// `binary_cross_entropy_with_logits` (`logits` true); `weight` and `pos_weight` are
/// broadcastable constants.
pub struct BinaryRule {
    logits: bool,
    input: SavedTensor,
    target: SavedTensor,
    weight: Option<Tensor>,
    pos_weight: Option<Tensor>,
    metas: [InputMeta; 2],
    /// The shape of the elementwise loss (the input's, or larger when a weight broadcasts it).
    shape: Vec<usize>,
    reduction: Reduction,
}

impl BinaryRule {
    /// The derivatives of the elementwise loss by the input and by the target.
    fn derivatives(&self, x: &Tensor, t: &Tensor) -> Result<(Tensor, Tensor)> {
        if self.logits {
            let sig = x.sigmoid()?;
            match &self.pos_weight {
                Some(pw) => {
                    let pt = pw.mul(t)?;
                    let gx = pt.add(Scalar::Float(1.0))?.sub(t)?.mul(&sig)?.sub(&pt)?;
                    let gt = pw
                        .sub(Scalar::Float(1.0))?
                        .mul(&log_sigmoid(x)?)?
                        .add(x)?
                        .neg()?;
                    Ok((gx, gt))
                }
                None => Ok((sig.sub(t)?, x.neg()?)),
            }
        } else {
            let eps = Scalar::Float(1e-12);
            let one_minus = x.neg()?.add(Scalar::Float(1.0))?;
            let gx = x.sub(t)?.div(&one_minus.mul(x)?.clamp(Some(eps), None)?)?;
            let floor = Some(Scalar::Float(-100.0));
            let log_x = x.log()?.clamp(floor, None)?;
            let log_1mx = x.neg()?.log1p()?.clamp(floor, None)?;
            Ok((gx, log_1mx.sub(&log_x)?))
        }
    }
}

impl Backward for BinaryRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (x, t) = (self.input.get()?, self.target.get()?);
        let mut g = spread(g, &self.shape, self.reduction, None)?;
        if let Some(w) = &self.weight {
            g = g.mul(w)?;
        }
        let (dx, dt) = self.derivatives(&x, &t)?;
        let grad = |d: Tensor, m: &InputMeta| -> Result<Option<Tensor>> {
            if m.needs_grad {
                Ok(Some(reduce_to(d.mul(&g)?, m)?))
            } else {
                Ok(None)
            }
        };
        Ok(vec![grad(dx, &self.metas[0])?, grad(dt, &self.metas[1])?])
    }

    fn release(&self) {
        self.input.release();
        self.target.release();
    }
}

/// Records a binary cross entropy `out` of `input` and `target` (same shape and dtype);
/// `weight` and `pos_weight` are detached constants; `shape` is the elementwise loss's.
pub fn record_binary(
    out: Tensor,
    shape: &[usize],
    logits: bool,
    input: &Tensor,
    target: &Tensor,
    weights: (Option<Tensor>, Option<Tensor>),
    reduction: Reduction,
) -> Tensor {
    let node = if logits {
        "BinaryCrossEntropyWithLogitsBackward0"
    } else {
        "BinaryCrossEntropyBackward0"
    };
    record(out, node, &[input, target], || BinaryRule {
        logits,
        input: SavedTensor::new(input),
        target: SavedTensor::new(target),
        weight: weights.0,
        pos_weight: weights.1,
        metas: [InputMeta::of(input), InputMeta::of(target)],
        shape: shape.to_vec(),
        reduction,
    })
}

/// The backward of `nll_loss` with the class dim moved last: the input's gradient is
/// `-weight * g` at each target's class, zero elsewhere.
pub struct NllRule {
    /// The target classes (ignored ones replaced by 0), shape `S`.
    classes: Tensor,
    /// The weight of each target (0 where ignored), shape `S`.
    weights: Tensor,
    /// The sum of `weights`, the divisor of a mean.
    total: Tensor,
    meta: InputMeta,
    class_dim: i64,
    reduction: Reduction,
}

impl Backward for NllRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let coef = spread(g, self.weights.shape(), self.reduction, Some(&self.total))?
            .mul(&self.weights)?
            .neg()?
            .unsqueeze(-1)?;
        let c = self
            .meta
            .shape
            .get(self.class_dim as usize)
            .copied()
            .unwrap_or(1);
        let classes = Tensor::arange_int(0, c as i64, 1, crate::DType::Int64)?;
        let hot = self
            .classes
            .unsqueeze(-1)?
            .eq(&classes)?
            .to_dtype(coef.dtype())?;
        let gx = hot.mul(&coef)?.movedim(&[-1], &[self.class_dim])?;
        Ok(vec![Some(gx.to_dtype(self.meta.dtype)?)])
    }
}

/// Records `nll_loss` (`node` is `NllLossBackward0` or `NllLoss2DBackward0`); `classes`,
/// `weights` and `total` are detached, as described on [`NllRule`].
pub fn record_nll(
    out: Tensor,
    node: &'static str,
    input: &Tensor,
    (classes, weights, total): (Tensor, Tensor, Tensor),
    class_dim: i64,
    reduction: Reduction,
) -> Tensor {
    record(out, node, &[input], || NllRule {
        classes,
        weights,
        total,
        meta: InputMeta::of(input),
        class_dim,
        reduction,
    })
}

/// The backward of `soft_margin_loss`: `-target * sigmoid(-target * input)` times the gradient
/// (the target gets none, as torch has no formula for it).
pub struct SoftMarginRule {
    input: SavedTensor,
    target: Tensor,
    meta: InputMeta,
    reduction: Reduction,
}

impl Backward for SoftMarginRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let x = self.input.get()?;
        let z = self.target.neg()?;
        let d = z.mul(&z.mul(&x)?.sigmoid()?)?;
        let g = spread(g, &self.meta.shape, self.reduction, None)?;
        Ok(vec![Some(reduce_to(d.mul(&g)?, &self.meta)?)])
    }

    fn release(&self) {
        self.input.release();
    }
}

/// Records `soft_margin_loss` (`SoftMarginLossBackward0`); `target` is a detached constant
/// broadcastable to the input.
pub fn record_soft_margin(
    out: Tensor,
    input: &Tensor,
    target: &Tensor,
    reduction: Reduction,
) -> Tensor {
    record(out, "SoftMarginLossBackward0", &[input], || {
        SoftMarginRule {
            input: SavedTensor::new(input),
            target: target.detach(),
            meta: InputMeta::of(input),
            reduction,
        }
    })
}
