//! Gradient rules of `cat`, `stack` and `where`.

use crate::autograd::graph::Backward;
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// `cat(tensors, dim)`: each input gets its slice of the gradient (1-D empty inputs, which `cat`
/// skips, get an empty one).
pub struct CatRule {
    /// The concatenation dim.
    pub dim: usize,
    /// Every input, in order.
    pub inputs: Vec<InputMeta>,
}

impl Backward for CatRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let mut offset = 0;
        self.inputs
            .iter()
            .map(|m| {
                if !m.needs_grad {
                    if !(m.shape.len() == 1 && m.shape[0] == 0) {
                        offset += m.shape.get(self.dim).copied().unwrap_or(0);
                    }
                    return Ok(None);
                }
                if m.shape.len() == 1 && m.shape[0] == 0 {
                    return Ok(Some(Tensor::zeros(&[0], m.dtype)?));
                }
                let len = m.shape[self.dim];
                let piece = g.narrow_checked(self.dim as i64, offset as i64, len as i64)?;
                offset += len;
                Ok(Some(reduce_to(piece, m)?))
            })
            .collect()
    }
}

/// `stack(tensors, dim)`: each input gets one index of the gradient along the new dim.
pub struct StackRule {
    /// The new dim.
    pub dim: usize,
    /// Every input, in order.
    pub inputs: Vec<InputMeta>,
}

impl Backward for StackRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        self.inputs
            .iter()
            .enumerate()
            .map(|(i, m)| {
                if !m.needs_grad {
                    return Ok(None);
                }
                Ok(Some(reduce_to(g.select(self.dim as i64, i as i64)?, m)?))
            })
            .collect()
    }
}

/// `where(cond, a, b)`: the gradient goes to `a` where `cond` holds and to `b` elsewhere.
pub struct WhereRule {
    /// The condition.
    pub cond: Tensor,
    /// The tensor operands (`a` and/or `b`), in order.
    pub inputs: Vec<InputMeta>,
    /// Whether `a` is a tensor (so `inputs[0]` is `a`).
    pub first_is_tensor: bool,
}

impl Backward for WhereRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let zero = Value::Scalar(Scalar::Int(0));
        let gv = Value::Tensor(g.clone());
        self.inputs
            .iter()
            .enumerate()
            .map(|(i, m)| {
                if !m.needs_grad {
                    return Ok(None);
                }
                let is_a = i == 0 && self.first_is_tensor;
                let d = if is_a {
                    Tensor::where_(&self.cond, &gv, &zero)?
                } else {
                    Tensor::where_(&self.cond, &zero, &gv)?
                };
                Ok(Some(reduce_to(d, m)?))
            })
            .collect()
    }
}
