//! The gradient rule of `prod`, exact with zeros as torch's: with no zero in a reduction each
//! element gets `g * prod / x`; with one zero only that element gets `g * (product of the
//! others)`; with two or more every element gets 0.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::reduce::with_kept_dims;
use crate::autograd::rules::InputMeta;
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
