//! Gradient rules of `cdist` (its direct kernel; the Euclidean matrix-product formulation is a
//! composition), `linalg.cross` and `renorm`.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::norm::{vector_norm_grad, zero_where};
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::dtype::DType;
use crate::error::Result;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// The backward of `cdist(x1, x2, p)`: each distance's gradient is the `p`-norm's, over the
/// difference of its two rows. The inputs are broadcast over `batch` and flattened to 3-D
/// again here with differentiable views, and the saved output carries this node's history under
/// grad mode, so the rule is itself differentiable (`create_graph=True`).
pub struct CdistRule {
    p: f64,
    batch: Vec<usize>,
    x1: InputMeta,
    x2: InputMeta,
    saved: [SavedTensor; 3],
}

impl CdistRule {
    /// The input `t` broadcast over the batch dims and flattened to `count x rows x cols`.
    fn flat(&self, t: &Tensor) -> Result<Tensor> {
        let n = t.ndim();
        let mut to: Vec<i64> = self.batch.iter().map(|&d| d as i64).collect();
        let count: i64 = to.iter().product();
        let (rows, cols) = (t.shape()[n - 2] as i64, t.shape()[n - 1] as i64);
        to.extend([rows, cols]);
        t.expand(&to)?.reshape(&[count, rows, cols])
    }

    /// The gradient of a 3-D operand given the input's broadcast batch dims back, summed to
    /// the input's shape.
    fn unflatten(&self, t: Tensor, meta: &InputMeta) -> Result<Tensor> {
        let mut shape: Vec<i64> = self.batch.iter().map(|&d| d as i64).collect();
        shape.extend([t.shape()[1] as i64, t.shape()[2] as i64]);
        reduce_to(t.reshape(&shape)?, meta)
    }
}

impl Backward for CdistRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let [x1, x2, out] = [
            self.saved[0].get()?,
            self.saved[1].get()?,
            self.saved[2].get()?,
        ];
        let (a, b) = (self.flat(&x1)?, self.flat(&x2)?);
        let flat = [
            a.shape()[0] as i64,
            a.shape()[1] as i64,
            b.shape()[1] as i64,
        ];
        let (g, out) = (g.reshape(&flat)?, out.reshape(&flat)?);
        let diff = a.unsqueeze(2)?.sub(&b.unsqueeze(1)?)?;
        let w = cdist_grad(self.p, &diff, &out.unsqueeze(3)?, &g.unsqueeze(3)?)?;
        let g1 = if self.x1.needs_grad {
            Some(self.unflatten(w.sum(Some(&[2]), false, None)?, &self.x1)?)
        } else {
            None
        };
        let g2 = if self.x2.needs_grad {
            Some(self.unflatten(w.sum(Some(&[1]), false, None)?.neg()?, &self.x2)?)
        } else {
            None
        };
        Ok(vec![g1, g2])
    }

    fn release(&self) {
        self.saved.iter().for_each(SavedTensor::release);
    }
}

/// The gradient of each distance `dist = ||diff||_p` (over the last dim, kept as size 1) for
/// the output gradient `g`, as torch's `_cdist_backward`: 0 where the distance is 0 (and where a
/// difference is 0), `sign(diff) * g` for `p = 1`, the whole `sign(diff) * g` to each
/// coordinate that attains the inf-norm. Written with recorded ops whose own derivatives stay
/// finite at those zeros (a zero is replaced by 1 before any power), so gradients of gradients
/// are finite there, as torch's; for `p = 0` a recorded zero.
fn cdist_grad(p: f64, diff: &Tensor, dist: &Tensor, g: &Tensor) -> Result<Tensor> {
    if p == 0.0 {
        let all = Tensor::full(diff.shape(), Scalar::Bool(true), DType::Bool)?;
        return zero_where(&all, diff);
    }
    let sign = diff.sgn()?;
    if p == 1.0 {
        return sign.mul(g);
    }
    if p.is_infinite() {
        let at_max = diff.abs()?.eq(dist)?;
        return zero_where(&at_max.logical_not()?, &sign.mul(g)?);
    }
    let one = Value::Scalar(Scalar::Float(1.0));
    let dist_zero = dist.eq(0.0)?;
    let safe_dist = Tensor::where_(&dist_zero, &one, &Value::Tensor(dist.clone()))?;
    let w = if p == 2.0 {
        diff.mul(&g.div(&safe_dist)?)?
    } else {
        let diff_zero = diff.eq(0.0)?;
        let safe_diff = Tensor::where_(&diff_zero, &one, &Value::Tensor(diff.clone()))?;
        let scaled = zero_where(&diff_zero, &sign.mul(&safe_diff.abs()?.pow(p - 1.0)?)?)?;
        scaled.mul(&g.div(&safe_dist.pow(p - 1.0)?)?)?
    };
    zero_where(&dist_zero, &w)
}

/// Records `cdist` as `CdistBackward0`: `out` (the distances) of the inputs `x1`, `x2`, whose
/// batch dims broadcast to `batch`.
pub fn record_cdist(out: Tensor, p: f64, batch: Vec<usize>, x1: &Tensor, x2: &Tensor) -> Tensor {
    record(out.clone(), "CdistBackward0", &[x1, x2], || CdistRule {
        p,
        batch,
        x1: InputMeta::of(x1),
        x2: InputMeta::of(x2),
        saved: [
            SavedTensor::new(x1),
            SavedTensor::new(x2),
            SavedTensor::output(&out, "CdistBackward0"),
        ],
    })
}

/// The backward of `linalg.cross(a, b, dim)`: `cross(b, g)` and `cross(g, a)`.
pub struct CrossRule {
    dim: i64,
    a: InputMeta,
    b: InputMeta,
    saved_a: SavedTensor,
    saved_b: SavedTensor,
}

impl Backward for CrossRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let ga = if self.a.needs_grad {
            let b = self.saved_b.get()?.expand(&sizes(g))?;
            Some(reduce_to(b.linalg_cross(g, self.dim)?, &self.a)?)
        } else {
            None
        };
        let gb = if self.b.needs_grad {
            let a = self.saved_a.get()?.expand(&sizes(g))?;
            Some(reduce_to(g.linalg_cross(&a, self.dim)?, &self.b)?)
        } else {
            None
        };
        Ok(vec![ga, gb])
    }

    fn release(&self) {
        self.saved_a.release();
        self.saved_b.release();
    }
}

/// `t`'s shape as sizes.
fn sizes(t: &Tensor) -> Vec<i64> {
    t.shape().iter().map(|&d| d as i64).collect()
}

/// Records `linalg.cross` as `LinalgCrossBackward0`.
pub fn record_cross(out: Tensor, dim: i64, a: &Tensor, b: &Tensor) -> Tensor {
    record(out, "LinalgCrossBackward0", &[a, b], || CrossRule {
        dim,
        a: InputMeta::of(a),
        b: InputMeta::of(b),
        saved_a: SavedTensor::new(a),
        saved_b: SavedTensor::new(b),
    })
}

/// The backward of `renorm(x, p, dim, maxnorm)` (torch's `renorm_backward`): where a slice's
/// norm exceeds `maxnorm` it was scaled by `maxnorm / (norm + 1e-7)`, whose own gradient
/// goes through the norm's.
pub struct RenormRule {
    p: f64,
    dim: usize,
    maxnorm: f64,
    x: SavedTensor,
}

impl Backward for RenormRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let x = self.x.get()?;
        let dims: Vec<i64> = (0..x.ndim() as i64)
            .filter(|&d| d as usize != self.dim)
            .collect();
        let mask: Vec<bool> = (0..x.ndim()).map(|d| d != self.dim).collect();
        let norm = x.vector_norm(self.p, Some(&dims), true)?;
        let go = x.mul(g)?.sum(Some(&dims), true, None)?;
        let nb = vector_norm_grad(self.p, &x, &norm, &go, &mask)?;
        let invnorm = norm.add(1e-7)?.reciprocal()?;
        let factor = invnorm.mul(self.maxnorm)?;
        let scaled = factor.mul(g)?.sub(&factor.mul(&invnorm)?.mul(&nb)?)?;
        let over = norm.gt(self.maxnorm)?;
        let r = Tensor::where_(&over, &Value::Tensor(scaled), &Value::Tensor(g.clone()))?;
        Ok(vec![Some(r)])
    }

    fn release(&self) {
        self.x.release();
    }
}

/// Records `renorm` as `RenormBackward0`.
pub fn record_renorm(out: Tensor, p: f64, dim: usize, maxnorm: f64, x: &Tensor) -> Tensor {
    record(out, "RenormBackward0", &[x], || RenormRule {
        p,
        dim,
        maxnorm,
        x: SavedTensor::new(x),
    })
}
