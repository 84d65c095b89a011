//! Gradient rules of `cdist` (its direct kernel; the Euclidean matrix-product formulation is a
//! composition), `linalg.cross` and `renorm`.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::norm::vector_norm_grad;
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::tensor::Tensor;
use crate::value::Value;

/// The backward of `cdist(x1, x2, p)` computed by its kernel on the 3-D operands `a`, `b` (the
/// inputs broadcast over `batch` and flattened): each distance's gradient is the `p`-norm's,
/// over the difference of its two rows.
pub struct CdistRule {
    p: f64,
    batch: Vec<usize>,
    x1: InputMeta,
    x2: InputMeta,
    saved: [SavedTensor; 3],
}

impl CdistRule {
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
        if crate::autograd::mode::is_grad_enabled() {
            // The broadcast operands were saved without their history: refuse rather than
            // give a second derivative that misses their part.
            return Err(crate::error::Error::NotImplemented(
                "the derivative of CdistBackward0 is not implemented: create_graph=True through cdist is not supported".into(),
            ));
        }
        let [a, b, out] = [
            self.saved[0].get()?,
            self.saved[1].get()?,
            self.saved[2].get()?,
        ];
        let g = g.reshape(&[
            out.shape()[0] as i64,
            out.shape()[1] as i64,
            out.shape()[2] as i64,
        ])?;
        let diff = a.unsqueeze(2)?.sub(&b.unsqueeze(1)?)?;
        let w = vector_norm_grad(
            self.p,
            &diff,
            &out.unsqueeze(3)?,
            &g.unsqueeze(3)?,
            &[false, false, false, true],
        )?;
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

/// Records `cdist` as `CdistBackward0`: `flat` (the distances, `batch x p x r`) computed from
/// the 3-D operands `a`, `b` (the inputs `x1`, `x2` broadcast over `batch` and flattened), and
/// `out` its reshape to the result.
pub fn record_cdist(
    out: Tensor,
    p: f64,
    batch: Vec<usize>,
    (x1, x2): (&Tensor, &Tensor),
    [a, b, flat]: [&Tensor; 3],
) -> Tensor {
    record(out, "CdistBackward0", &[x1, x2], || CdistRule {
        p,
        batch,
        x1: InputMeta::of(x1),
        x2: InputMeta::of(x2),
        saved: [
            SavedTensor::new(a),
            SavedTensor::new(b),
            SavedTensor::new(flat),
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
