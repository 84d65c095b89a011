//! The gradient rule of `prod`, exact with zeros as torch's: with no zero in a reduction each
//! element gets `g * prod / x`; with one zero only that element gets `g * (product of the
//! others)`; with two or more every element gets 0.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::reduce::with_kept_dims;
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::Result;
use crate::scalar::Scalar;
use crate::shape::mask_dims;
use crate::tensor::Tensor;
use crate::value::Value;

/// The backward of `prod` over the dims in `mask` (one dim, or all).
pub struct ProdRule {
    input: SavedTensor,
    meta: InputMeta,
    mask: Vec<bool>,
    keepdim: bool,
}

impl ProdRule {
    /// The product of `x` over the reduced dims, with those dims kept as size 1.
    fn product(&self, x: &Tensor) -> Result<Tensor> {
        let dims = mask_dims(&self.mask);
        let p = match dims.as_slice() {
            [d] if self.mask.len() > 1 => x.prod(Some(*d), true, None)?,
            _ => x.prod(None, false, None)?,
        };
        with_kept_dims(&p, &self.meta.shape, &self.mask, false)
    }
}

impl Backward for ProdRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let x = self.input.get()?;
        let g = with_kept_dims(g, &self.meta.shape, &self.mask, self.keepdim)?;
        let zero = x.eq(0.0)?;
        if crate::autograd::mode::is_grad_enabled()
            && (g.requires_grad() || x.requires_grad())
            && x.ndim() > 0
            && matches!(zero.any(None, false)?.item_scalar()?, Scalar::Bool(true))
        {
            // Gradients of gradients with a zero: the formula below picks its cases by the
            // values, which loses the second derivative; torch's recorded form does not.
            let others = match mask_dims(&self.mask).as_slice() {
                [d] if self.mask.len() > 1 => others_product(&x, *d)?,
                _ => others_product(&x.reshape(&[-1])?, 0)?.reshape(&sizes(&self.meta.shape))?,
            };
            return Ok(vec![Some(others.mul(&g)?.to_dtype(self.meta.dtype)?)]);
        }
        let zeros = zero.sum(Some(&mask_dims(&self.mask)), true, None)?;
        let one = Value::Scalar(Scalar::Float(1.0));
        let x_nonzero = Tensor::where_(&zero, &one, &Value::Tensor(x))?;
        let others = self.product(&x_nonzero)?;
        let no_zero = zeros.eq(0.0)?;
        let the_zero = zeros.eq(1.0)?.logical_and(&zero)?;
        let one_zero = Tensor::where_(
            &the_zero,
            &Value::Tensor(others.clone()),
            &Value::Scalar(Scalar::Float(0.0)),
        )?;
        let d = Tensor::where_(
            &no_zero,
            &Value::Tensor(others.div(&x_nonzero)?),
            &Value::Tensor(one_zero),
        )?;
        Ok(vec![Some(d.mul(&g)?.to_dtype(self.meta.dtype)?)])
    }

    fn release(&self) {
        self.input.release();
    }
}

/// Records `prod` (`ProdBackward0` over everything, `ProdBackward1` along a dim).
pub fn record_prod(out: Tensor, input: &Tensor, mask: &[bool], keepdim: bool, all: bool) -> Tensor {
    let name = if all {
        "ProdBackward0"
    } else {
        "ProdBackward1"
    };
    record(out, name, &[input], || ProdRule {
        input: SavedTensor::new(input),
        meta: InputMeta::of(input),
        mask: mask.to_vec(),
        keepdim,
    })
}

/// Sizes as `i64`.
fn sizes(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// torch's `prod_safe_zeros_backward` along `dim`: the product of the other elements of each
/// reduction as the product of the exclusive running products from both ends, recorded and
/// exact with zeros (`[1, a, ab] * [bc, c, 1]` for `[a, b, c]`).
fn others_product(x: &Tensor, dim: i64) -> Result<Tensor> {
    let n = x.shape()[dim as usize] as i64;
    if n == 0 {
        return Ok(x.clone());
    }
    let mut shape = vec![n];
    shape.extend(vec![1i64; x.ndim() - dim as usize - 1]);
    let pos = Tensor::arange_int(0, n, 1, DType::Int64)?.reshape(&shape)?;
    // `x` moved `by` places along `dim`, with 1 at the `edge` it was moved away from.
    let shifted = |by: i64, edge: i64| -> Result<Tensor> {
        let idx = Tensor::arange_int(0, n, 1, DType::Int64)?
            .add(by)?
            .clamp(Some(Scalar::Int(0)), Some(Scalar::Int(n - 1)))?;
        Tensor::where_(
            &pos.eq(edge)?,
            &Value::Scalar(Scalar::Float(1.0)),
            &Value::Tensor(x.index_select(dim, &idx)?),
        )
    };
    let before = shifted(-1, 0)?.cumprod(dim, None)?;
    let after = shifted(1, n - 1)?
        .flip(&[dim])?
        .cumprod(dim, None)?
        .flip(&[dim])?;
    before.mul(&after)
}
