//! Gradient rules of the sequence ops that are not compositions of other differentiable ops:
//! `block_diag`, `vander`, and the products with a number that torch records as `MulBackward1`/
//! `DivBackward1`.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::tensor::Tensor;

/// One input block of a `block_diag`: where it sits in the result and its metadata.
pub struct Block {
    /// The input's metadata.
    pub input: InputMeta,
    /// First row of the block.
    pub row: usize,
    /// First column of the block.
    pub col: usize,
    /// The block's rows and columns (a vector is one row, a scalar one element).
    pub size: (usize, usize),
}

/// `block_diag(*tensors)`: each input's gradient is its block of the output gradient.
pub struct BlockDiagRule(pub Vec<Block>);

impl Backward for BlockDiagRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        self.0
            .iter()
            .map(|b| {
                if !b.input.needs_grad {
                    return Ok(None);
                }
                let block = g
                    .narrow_checked(0, b.row as i64, b.size.0 as i64)?
                    .narrow_checked(1, b.col as i64, b.size.1 as i64)?;
                let shape: Vec<i64> = b.input.shape.iter().map(|&n| n as i64).collect();
                Ok(Some(block.reshape(&shape)?.to_dtype(b.input.dtype)?))
            })
            .collect()
    }
}

/// A product with (or a quotient by) a number, as torch's `mul(Scalar)`/`div(Scalar)` record it
/// (`MulBackward1`, `DivBackward1`).
pub struct ScaleRule {
    /// The number.
    pub factor: f64,
    /// A quotient (else a product).
    pub divide: bool,
    /// The input's metadata.
    pub input: InputMeta,
}

impl Backward for ScaleRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let g = if self.divide {
            g.div(self.factor)?
        } else {
            g.mul(self.factor)?
        };
        Ok(vec![Some(reduce_to(g, &self.input)?)])
    }
}

/// `vander(x, N, increasing=True)`: column `j` holds `x^j`, so `x` gets
/// `sum_j j * x^(j-1) * g[:, j]`.
pub struct VanderRule {
    /// The input vector.
    pub x: SavedTensor,
    /// The number of columns (at least 2).
    pub n: usize,
}

impl Backward for VanderRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let x = self.x.get()?;
        let n = self.n as i64;
        let powers = x.vander(Some(n - 1), true)?;
        let exponents = Tensor::arange_int(1, n, 1, g.dtype())?;
        let grad = g
            .narrow_checked(1, 1, n - 1)?
            .mul(&powers)?
            .mul(&exponents)?
            .sum(Some(&[1]), false, None)?;
        Ok(vec![Some(grad.to_dtype(x.dtype())?)])
    }

    fn release(&self) {
        self.x.release();
    }
}
