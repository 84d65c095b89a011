//! Gradient rules of the rearranging copies (`flip`, `rot90`, `roll`, `repeat`/`tile`,
//! `repeat_interleave`), written with differentiable ops.

use crate::autograd::graph::Backward;
use crate::autograd::rules::InputMeta;
use crate::error::Result;
use crate::tensor::Tensor;

/// `flip(dims)`: the gradient flipped back.
pub struct FlipRule {
    /// The flipped dims.
    pub dims: Vec<i64>,
}

impl Backward for FlipRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(g.flip(&self.dims)?)])
    }
}

/// `rot90(k, dims)`: the gradient turned back by `-k`.
pub struct Rot90Rule {
    /// The quarter turns made (0..4).
    pub k: i64,
    /// The plane's dims.
    pub dims: (i64, i64),
}

impl Backward for Rot90Rule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(g.rot90(-self.k, &[self.dims.0, self.dims.1])?)])
    }
}

/// `roll(shifts, dims)`: the gradient rolled back.
pub struct RollRule {
    /// The negated shifts.
    pub shifts: Vec<i64>,
    /// The dims given (empty: the flattened tensor).
    pub dims: Vec<i64>,
}

impl Backward for RollRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(g.roll(&self.shifts, &self.dims)?)])
    }
}

/// `repeat(sizes)`: the sum of the gradient's tiles.
pub struct RepeatRule {
    /// The input's metadata.
    pub input: InputMeta,
    /// The repeat count of each output dim.
    pub sizes: Vec<usize>,
}

impl Backward for RepeatRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let extra = self.sizes.len() - self.input.shape.len();
        // Each output dim `i` split into (copy, source index), then the copies summed away.
        let mut split = Vec::with_capacity(2 * self.sizes.len());
        for (i, &r) in self.sizes.iter().enumerate() {
            let n = if i < extra {
                1
            } else {
                self.input.shape[i - extra]
            };
            split.extend([r as i64, n as i64]);
        }
        let copies: Vec<i64> = (0..self.sizes.len() as i64).map(|i| 2 * i).collect();
        let shape: Vec<i64> = self.input.shape.iter().map(|&n| n as i64).collect();
        let summed = if copies.is_empty() {
            g.clone()
        } else {
            g.reshape(&split)?.sum(Some(&copies), false, None)?
        };
        Ok(vec![Some(
            summed.reshape(&shape)?.to_dtype(self.input.dtype)?,
        )])
    }
}

/// `repeat_interleave` with an int count: the sum of each slice's copies.
pub struct InterleaveRule {
    /// The input's metadata.
    pub input: InputMeta,
    /// The repeated dim (of `shape`).
    pub dim: usize,
    /// The count.
    pub repeats: usize,
    /// The shape that was repeated (the input's, or its flattened length).
    pub shape: Vec<usize>,
}

impl Backward for InterleaveRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let mut split: Vec<i64> = self.shape.iter().map(|&n| n as i64).collect();
        split.insert(self.dim + 1, self.repeats as i64);
        let shape: Vec<i64> = self.input.shape.iter().map(|&n| n as i64).collect();
        let summed = g
            .reshape(&split)?
            .sum(Some(&[self.dim as i64 + 1]), false, None)?;
        Ok(vec![Some(
            summed.reshape(&shape)?.to_dtype(self.input.dtype)?,
        )])
    }
}
