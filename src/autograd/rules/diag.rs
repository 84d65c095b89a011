//! Gradient rules of the diagonal and triangle ops, written with differentiable ops.

use crate::autograd::graph::Backward;
use crate::autograd::rules::InputMeta;
use crate::error::Result;
use crate::tensor::Tensor;

/// `tril`/`triu`: the gradient keeps the same triangle.
pub struct TriangleRule {
    /// The diagonal given.
    pub k: i64,
    /// `tril` (else `triu`).
    pub lower: bool,
}

impl Backward for TriangleRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(if self.lower {
            g.tril(self.k)?
        } else {
            g.triu(self.k)?
        })])
    }
}

/// `diag_embed` (and `diag`/`diagflat` of a vector): the gradient is the diagonal the input was
/// written to, reshaped to the input's shape (`diagflat` flattened it first).
pub struct DiagEmbedRule {
    /// The input's metadata.
    pub input: InputMeta,
    /// The diagonal's offset.
    pub offset: i64,
    /// The output dims that hold the diagonal.
    pub dims: (usize, usize),
}

impl Backward for DiagEmbedRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (d1, d2) = self.dims;
        let d = g.diagonal(self.offset, d1 as i64, d2 as i64)?;
        let shape: Vec<i64> = self.input.shape.iter().map(|&n| n as i64).collect();
        Ok(vec![Some(d.reshape(&shape)?.to_dtype(self.input.dtype)?)])
    }
}

/// `trace`: the output gradient on the main diagonal of a zero matrix.
pub struct TraceRule(pub InputMeta);

impl Backward for TraceRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (n, m) = (self.0.shape[0] as i64, self.0.shape[1] as i64);
        let eye = Tensor::eye(n, m, g.dtype())?;
        Ok(vec![Some(eye.mul(g)?.to_dtype(self.0.dtype)?)])
    }
}
