//! The gradient of `linalg.vector_norm` with torch's subgradients where the norm is not
//! differentiable: 0 where the norm (or, for orders below 1, the element) is 0, `sign(x)` for
//! the 1-norm, the gradient shared evenly among the ties of the inf / -inf norms, none for 0.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::reduce::with_kept_dims;
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// The backward of `out = vector_norm(x, ord)` over the dims flagged in `mask`.
pub struct VectorNormRule {
    ord: f64,
    input: InputMeta,
    mask: Vec<bool>,
    keepdim: bool,
    x: SavedTensor,
    norm: SavedTensor,
}

/// `sign(x)`: -1, 0 or 1, recorded (with a zero gradient) as torch's `sgn` in its rules.
fn sign(x: &Tensor) -> Result<Tensor> {
    x.sgn()
}

/// `t` with 0 where `cond` holds.
pub fn zero_where(cond: &Tensor, t: &Tensor) -> Result<Tensor> {
    Tensor::where_(
        cond,
        &Value::Scalar(Scalar::Float(0.0)),
        &Value::Tensor(t.clone()),
    )
}

/// `|x|^e`.
fn abs_pow(x: &Tensor, e: f64) -> Result<Tensor> {
    x.abs()?.pow(e)
}

/// The gradient of `vector_norm(x, p)` over the dims flagged in `mask` for `x`, from the output
/// gradient `g` and the norm, both with the reduced dims kept as size 1 (shared by `dist`).
pub fn vector_norm_grad(
    p: f64,
    x: &Tensor,
    norm: &Tensor,
    g: &Tensor,
    mask: &[bool],
) -> Result<Tensor> {
    let norm_is_zero = norm.eq(0.0)?;
    if p == 0.0 {
        return Tensor::zeros(x.shape(), x.dtype());
    }
    if p == 1.0 {
        return sign(x)?.mul(g);
    }
    if p == 2.0 {
        let scale = zero_where(&norm_is_zero, &g.div(norm)?)?;
        return x.mul(&scale);
    }
    if p.is_infinite() {
        let ties = x.abs()?.eq(norm)?;
        let dims: Vec<i64> = (0..mask.len() as i64)
            .filter(|&d| mask[d as usize])
            .collect();
        let count = ties.sum(Some(&dims), true, None)?;
        let share = g.div(&count)?;
        let masked = share.mul(&ties.to_dtype(x.dtype())?)?;
        return sign(x)?.mul(&masked);
    }
    if p < 1.0 {
        let x_is_zero = x.eq(0.0)?;
        let scaled = sign(x)?.mul(&zero_where(&x_is_zero, &abs_pow(x, p - 1.0)?)?)?;
        let outer = g.mul(&norm.pow(1.0 - p)?)?;
        return scaled.mul(&outer);
    }
    let scaled = if p < 2.0 {
        sign(x)?.mul(&abs_pow(x, p - 1.0)?)?
    } else {
        x.mul(&abs_pow(x, p - 2.0)?)?
    };
    let scale = g.div(&norm.pow(p - 1.0)?)?;
    scaled.mul(&zero_where(&norm_is_zero, &scale)?)
}

impl Backward for VectorNormRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let shape = &self.input.shape;
        let g = with_kept_dims(g, shape, &self.mask, self.keepdim)?;
        let norm = with_kept_dims(&self.norm.get()?, shape, &self.mask, self.keepdim)?;
        let grad = vector_norm_grad(self.ord, &self.x.get()?, &norm, &g, &self.mask)?;
        let sizes: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        let grad = grad.expand(&sizes)?.contiguous()?;
        Ok(vec![Some(grad.to_dtype(self.input.dtype)?)])
    }

    fn release(&self) {
        self.x.release();
        self.norm.release();
    }
}

/// Records `out = vector_norm(x, ord)` over the dims flagged in `mask`.
pub fn record_vector_norm(
    out: Tensor,
    ord: f64,
    x: &Tensor,
    mask: &[bool],
    keepdim: bool,
) -> Tensor {
    let name = "LinalgVectorNormBackward0";
    let saved_out = out.clone();
    record(out, name, &[x], || VectorNormRule {
        ord,
        input: InputMeta::of(x),
        mask: mask.to_vec(),
        keepdim,
        x: SavedTensor::new(x),
        norm: SavedTensor::output(&saved_out, name),
    })
}

/// The backward of `dist(a, b, p)`: the vector-norm gradient of `a - b`, to `a` and negated to
/// `b` (reduced back to each one's shape).
pub struct DistRule {
    p: f64,
    a: InputMeta,
    b: InputMeta,
    diff: SavedTensor,
    dist: SavedTensor,
    /// The operands, for gradients of gradients (`diff` was computed without recording).
    operands: (SavedTensor, SavedTensor),
}

impl Backward for DistRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let diff = if crate::autograd::mode::is_grad_enabled() {
            self.operands.0.get()?.sub(&self.operands.1.get()?)?
        } else {
            self.diff.get()?
        };
        let mask = vec![true; diff.ndim()];
        let g = with_kept_dims(g, diff.shape(), &mask, false)?;
        let norm = with_kept_dims(&self.dist.get()?, diff.shape(), &mask, false)?;
        let grad = vector_norm_grad(self.p, &diff, &norm, &g, &mask)?;
        let sizes: Vec<i64> = diff.shape().iter().map(|&d| d as i64).collect();
        let grad = grad.expand(&sizes)?.contiguous()?;
        Ok(vec![
            match self.a.needs_grad {
                true => Some(reduce_to(grad.clone(), &self.a)?),
                false => None,
            },
            match self.b.needs_grad {
                true => Some(reduce_to(grad.neg()?, &self.b)?),
                false => None,
            },
        ])
    }

    fn release(&self) {
        self.diff.release();
        self.dist.release();
        self.operands.0.release();
        self.operands.1.release();
    }
}

/// Records `out = dist(a, b, p)` (`DistBackward0`); `diff` is `a - b`.
pub fn record_dist(out: Tensor, p: f64, a: &Tensor, b: &Tensor, diff: &Tensor) -> Tensor {
    let name = "DistBackward0";
    let saved_out = out.clone();
    record(out, name, &[a, b], || DistRule {
        p,
        a: InputMeta::of(a),
        b: InputMeta::of(b),
        diff: SavedTensor::new(diff),
        dist: SavedTensor::output(&saved_out, name),
        operands: (SavedTensor::new(a), SavedTensor::new(b)),
    })
}
