//! The gradient rules of the activation family (`torch.nn.functional`'s activations), written
//! with differentiable ops: the pointwise formulas the op layer gives its `Spec`s (the node names
//! are the op's), and the rules of `glu` (`GluBackward0`) and `prelu` (`PreluKernelBackward0`).

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::pointwise::Ctx;
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// A gradient per operand.
type Grads = Result<Vec<Option<Tensor>>>;

/// Parameter `i` of the op as a float.
fn p(c: &Ctx, i: usize) -> Result<f64> {
    Ok(c.param(i)?.as_f64())
}

/// `g * d` for the one operand, `d` the derivative.
fn times(c: &Ctx, g: &Tensor, d: Tensor) -> Grads {
    c.each(|_| g.mul(&d))
}

/// `a` where `cond` holds, else `b` (numbers or tensors).
fn pick(cond: &Tensor, a: impl Into<Value>, b: impl Into<Value>) -> Result<Tensor> {
    Tensor::where_(cond, &a.into(), &b.into())
}

/// A float number as a 0-dim tensor of `like`'s dtype (a Python number would compute in the
/// default dtype when both operands of `where` are numbers).
fn num(like: &Tensor, v: f64) -> Result<Value> {
    Ok(Value::Tensor(Tensor::scalar_tensor(
        Scalar::Float(v),
        like.dtype(),
    )?))
}

/// `gelu`: `Φ(x) + x φ(x)`; parameter 0 is 1 for the tanh approximation.
pub fn gelu(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    let d = if p(c, 0)? == 0.0 {
        let cdf = x
            .mul(std::f64::consts::FRAC_1_SQRT_2)?
            .erf()?
            .add(1i64)?
            .mul(0.5)?;
        let pdf = x
            .mul(&x)?
            .mul(-0.5)?
            .exp()?
            .mul(0.5 * std::f64::consts::FRAC_2_SQRT_PI * std::f64::consts::FRAC_1_SQRT_2)?;
        cdf.add(&x.mul(&pdf)?)?
    } else {
        let k = std::f64::consts::FRAC_2_SQRT_PI * std::f64::consts::FRAC_1_SQRT_2;
        let c3 = 0.044715;
        let x2 = x.mul(&x)?;
        let t = x.mul(&x2.mul(c3)?.add(1i64)?)?.mul(k)?.tanh()?;
        let left = t.add(1i64)?.mul(0.5)?;
        let dinner = x2.mul(3.0 * c3)?.add(1i64)?.mul(k)?;
        let right = x.mul(0.5)?.mul(&t.mul(&t)?.rsub(1i64)?)?.mul(&dinner)?;
        left.add(&right)?
    };
    times(c, g, d)
}

/// `silu`: `σ(x) (1 + x (1 - σ(x)))`.
pub fn silu(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    let s = x.sigmoid()?;
    times(c, g, s.mul(&x.mul(&s.rsub(1i64)?)?.add(1i64)?)?)
}

/// `leaky_relu`: 1 above 0, the slope (parameter 0) elsewhere.
pub fn leaky_relu(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    times(c, g, pick(&x.gt(0i64)?, num(&x, 1.0)?, num(&x, p(c, 0)?)?)?)
}

/// The `elu` family (parameters alpha, scale, input scale): `scale` above 0, else
/// `input_scale * scale * alpha * exp(x * input_scale)`.
pub fn elu(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    let (alpha, scale, input_scale) = (p(c, 0)?, p(c, 1)?, p(c, 2)?);
    let neg = x
        .clamp(None, Some(Scalar::Float(0.0)))?
        .mul(input_scale)?
        .exp()?
        .mul(input_scale * scale * alpha)?;
    times(c, g, pick(&x.gt(0i64)?, num(&x, scale)?, neg)?)
}

/// `softplus` (parameters beta, threshold): `σ(beta x)`, 1 past the threshold.
pub fn softplus(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    let z = x.mul(p(c, 0)?)?;
    times(c, g, pick(&z.gt(p(c, 1)?)?, num(&x, 1.0)?, z.sigmoid()?)?)
}

/// `hardtanh` (parameters min, max): 1 strictly inside the bounds.
pub fn hardtanh(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    let inside = x.gt(p(c, 0)?)?.logical_and(&x.lt(p(c, 1)?)?)?;
    c.each(|_| g.mul(&inside))
}

/// `hardsigmoid`: 1/6 strictly inside (-3, 3) (torch's constant is the float32 1/6, in every
/// dtype).
pub fn hardsigmoid(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    let inside = x.gt(-3i64)?.logical_and(&x.lt(3i64)?)?;
    let sixth = f64::from(1.0f32 / 6.0);
    c.each(|_| pick(&inside, g.mul(sixth)?, num(&x, 0.0)?))
}

/// `hardswish`: 0 below -3, `x / 3 + 0.5` up to 3, then 1.
pub fn hardswish(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    let mid = pick(&x.le(3i64)?, x.div(3i64)?.add(0.5)?, num(&x, 1.0)?)?;
    times(c, g, pick(&x.lt(-3i64)?, num(&x, 0.0)?, mid)?)
}

/// `mish`: `t + x σ(x) (1 - t²)` with `t = tanh(softplus(x))`.
pub fn mish(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    let t = x.exp()?.log1p()?.tanh()?;
    let d = t.add(&x.mul(&x.sigmoid()?)?.mul(&t.mul(&t)?.rsub(1i64)?)?)?;
    times(c, g, d)
}

/// `logsigmoid`: `σ(-x)`.
pub fn logsigmoid(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    times(c, g, x.neg()?.sigmoid()?)
}

/// `softshrink` and `hardshrink` (parameter lambda): 1 outside `[-lambda, lambda]`.
pub fn shrink(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    let l = p(c, 0)?;
    let outside = x.lt(-l)?.logical_or(&x.gt(l)?)?;
    c.each(|_| g.mul(&outside))
}

/// `threshold` (parameter threshold): 1 above it.
pub fn threshold(c: &Ctx, g: &Tensor) -> Grads {
    let x = c.x()?;
    let above = x.gt(c.param(0)?)?;
    c.each(|_| g.mul(&above))
}

/// The backward of `glu` along `dim`: `[g σ(b), g a σ(b) (1 - σ(b))]` for the halves `a`, `b`.
pub struct GluRule {
    input: SavedTensor,
    dim: i64,
}

impl Backward for GluRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let x = self.input.get()?;
        let half = x.shape()[self.dim as usize] as i64 / 2;
        let a = &x.narrow_checked(self.dim, 0, half)?;
        let b = &x.narrow_checked(self.dim, half, half)?;
        let s = b.sigmoid()?;
        let ga = g.mul(&s)?;
        let gb = g.mul(a)?.mul(&s)?.mul(&s.rsub(1i64)?)?;
        // The two halves side by side along `dim`: both on a new axis before it, then merged.
        let mut sel_shape = vec![1usize; x.ndim() + 1];
        sel_shape[self.dim as usize] = 2;
        let sel = Tensor::from_vec(vec![true, false], &sel_shape)?;
        let both = pick(&sel, ga.unsqueeze(self.dim)?, gb.unsqueeze(self.dim)?)?;
        let shape: Vec<i64> = x.shape().iter().map(|&n| n as i64).collect();
        Ok(vec![Some(both.reshape(&shape)?)])
    }

    fn release(&self) {
        self.input.release();
    }
}

/// Records `out = glu(input, dim)` (`GluBackward0`).
pub fn record_glu(out: Tensor, input: &Tensor, dim: i64) -> Tensor {
    record(out, "GluBackward0", &[input], || GluRule {
        input: SavedTensor::new(input),
        dim,
    })
}

/// The backward of `prelu`: `g` above 0 and `w g` elsewhere for the input; `x g` where the input
/// is not above 0, summed to the weight's shape, for the weight (`wb` is the weight as broadcast
/// against the input).
pub struct PreluRule {
    input: SavedTensor,
    weight: SavedTensor,
    weight_shape: Vec<usize>,
    wb_shape: Vec<i64>,
    metas: [InputMeta; 2],
}

impl Backward for PreluRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let x = self.input.get()?;
        let wb = self.weight.get()?.reshape(&self.wb_shape)?;
        let pos = x.gt(0i64)?;
        let gx = if self.metas[0].needs_grad {
            Some(reduce_to(
                pick(&pos, g.clone(), g.mul(&wb)?)?,
                &self.metas[0],
            )?)
        } else {
            None
        };
        let gw = if self.metas[1].needs_grad {
            let per = pick(&pos, num(&x, 0.0)?, x.mul(g)?)?;
            let dims: Vec<usize> = self.weight_shape.clone();
            let summed = per.sum_to_shape(
                &self
                    .wb_shape
                    .iter()
                    .map(|&n| n as usize)
                    .collect::<Vec<_>>(),
            )?;
            let dims_i: Vec<i64> = dims.iter().map(|&n| n as i64).collect();
            Some(reduce_to(summed.reshape(&dims_i)?, &self.metas[1])?)
        } else {
            None
        };
        Ok(vec![gx, gw])
    }

    fn release(&self) {
        self.input.release();
        self.weight.release();
    }
}

/// Records `out = prelu(input, weight)` (`PreluKernelBackward0`), the weight broadcast to the
/// input as `wb_shape`.
pub fn record_prelu(out: Tensor, input: &Tensor, weight: &Tensor, wb_shape: Vec<i64>) -> Tensor {
    record(out, "PreluKernelBackward0", &[input, weight], || {
        PreluRule {
            input: SavedTensor::new(input),
            weight: SavedTensor::new(weight),
            weight_shape: weight.shape().to_vec(),
            wb_shape,
            metas: [InputMeta::of(input), InputMeta::of(weight)],
        }
    })
}
