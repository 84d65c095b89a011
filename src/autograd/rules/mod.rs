//! One vector-Jacobian product per differentiable op, grouped by family. Every rule returns
//! gradients with its inputs' shapes (broadcasting undone by `reduce_to`) and dtypes.

pub mod activation;
pub mod blas;
pub mod copy;
pub mod diag;
pub mod distance;
pub mod embed;
pub mod embedding;
pub mod extrema;
pub mod gather;
pub mod histogram;
pub mod index;
pub mod inverse;
pub mod join;
pub mod linalg;
pub mod logsumexp;
pub mod loss;
pub mod moments;
pub mod norm;
pub mod normalization;
pub mod pointwise;
pub mod products;
pub mod random;
pub mod rearrange;
pub mod reduce;
pub mod reshape;
pub mod scan;
pub mod sequences;
pub mod softmax;
pub mod sort;
pub mod unique;
pub mod views;

use crate::error::Result;
use crate::tensor::Tensor;

/// What a rule remembers of an input: its shape and dtype, and whether it wants a gradient.
#[derive(Clone)]
pub struct InputMeta {
    /// The input's shape.
    pub shape: Vec<usize>,
    /// The input's dtype.
    pub dtype: crate::DType,
    /// Whether a gradient flows to it.
    pub needs_grad: bool,
}

impl InputMeta {
    /// The metadata of `t`.
    pub fn of(t: &Tensor) -> InputMeta {
        InputMeta {
            shape: t.shape().to_vec(),
            dtype: t.dtype(),
            needs_grad: t.requires_grad(),
        }
    }
}

/// Undoes broadcasting and promotion: sums `g` down to the input's shape, converts to its dtype.
pub fn reduce_to(g: Tensor, input: &InputMeta) -> Result<Tensor> {
    let g = if g.shape() == input.shape.as_slice() {
        g
    } else {
        g.sum_to_shape(&input.shape)?
    };
    g.to_dtype(input.dtype)
}
