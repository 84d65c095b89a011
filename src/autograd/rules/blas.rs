//! Gradient rules of the accumulating products `addmm`, `addmv`, `addr`, `baddbmm` and
//! `addbmm` (`beta * input + alpha * product`): the input's gradient is `beta * g` summed back
//! over its broadcasting, each operand's is `alpha` times the product's gradient for it.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::scalar::Scalar;
use crate::tensor::Tensor;

/// Which accumulating product.
#[derive(Clone, Copy, Debug)]
pub enum AddProduct {
    /// `addmm`: matrix x matrix.
    Mm,
    /// `addmv`: matrix x vector.
    Mv,
    /// `addr`: the outer product of two vectors.
    Outer,
    /// `baddbmm`: a batch of products.
    Bmm,
    /// `addbmm`: a batch of products summed over the batch.
    SumBmm,
}

/// The backward of `beta * input + alpha * (a op b)`.
pub struct AddProductRule {
    kind: AddProduct,
    beta: Scalar,
    alpha: Scalar,
    input: InputMeta,
    a: InputMeta,
    b: InputMeta,
    saved_a: Option<SavedTensor>,
    saved_b: Option<SavedTensor>,
}

/// `t * s`, skipped when `s` is 1.
fn scaled(t: Tensor, s: Scalar) -> Result<Tensor> {
    if s.as_f64() == 1.0 {
        Ok(t)
    } else {
        t.mul(s)
    }
}

impl AddProductRule {
    /// `g` given a leading batch dim of `count` (`addbmm` sums its products over it).
    fn batch_of(g: &Tensor, count: usize) -> Result<Tensor> {
        let s = g.shape();
        g.unsqueeze(0)?
            .expand(&[count as i64, s[0] as i64, s[1] as i64])
    }

    fn grad_a(&self, g: &Tensor, b: &Tensor) -> Result<Tensor> {
        match self.kind {
            AddProduct::Mm => g.mm(&b.t()?),
            AddProduct::Mv => g.unsqueeze(1)?.mul(&b.unsqueeze(0)?),
            AddProduct::Outer => g.mv(b),
            AddProduct::Bmm => g.bmm(&b.transpose(1, 2)?),
            AddProduct::SumBmm => Self::batch_of(g, b.shape()[0])?.bmm(&b.transpose(1, 2)?),
        }
    }

    fn grad_b(&self, g: &Tensor, a: &Tensor) -> Result<Tensor> {
        match self.kind {
            AddProduct::Mm => a.t()?.mm(g),
            AddProduct::Mv => a.t()?.mv(g),
            AddProduct::Outer => g.t()?.mv(a),
            AddProduct::Bmm => a.transpose(1, 2)?.bmm(g),
            AddProduct::SumBmm => a.transpose(1, 2)?.bmm(&Self::batch_of(g, a.shape()[0])?),
        }
    }
}

impl Backward for AddProductRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let gi = if self.input.needs_grad {
            Some(reduce_to(scaled(g.clone(), self.beta)?, &self.input)?)
        } else {
            None
        };
        // The operands in the gradient's dtype (`addr` promotes them).
        let get = |s: &SavedTensor| s.get()?.to_dtype(g.dtype());
        let ga = match &self.saved_b {
            Some(b) if self.a.needs_grad => {
                let v = scaled(self.grad_a(g, &get(b)?)?, self.alpha)?;
                Some(reduce_to(v, &self.a)?)
            }
            _ => None,
        };
        let gb = match &self.saved_a {
            Some(a) if self.b.needs_grad => {
                let v = scaled(self.grad_b(g, &get(a)?)?, self.alpha)?;
                Some(reduce_to(v, &self.b)?)
            }
            _ => None,
        };
        Ok(vec![gi, ga, gb])
    }

    fn release(&self) {
        for s in [&self.saved_a, &self.saved_b].into_iter().flatten() {
            s.release();
        }
    }
}

/// Records `out = beta * input + alpha * (a op b)` under `name` when needed, saving each
/// operand only if the other one needs a gradient.
pub fn record_add_product(
    out: Tensor,
    name: &'static str,
    kind: AddProduct,
    (beta, alpha): (Scalar, Scalar),
    [input, a, b]: [&Tensor; 3],
) -> Tensor {
    record(out, name, &[input, a, b], || AddProductRule {
        kind,
        beta,
        alpha,
        input: InputMeta::of(input),
        a: InputMeta::of(a),
        b: InputMeta::of(b),
        saved_a: b.requires_grad().then(|| SavedTensor::new(a)),
        saved_b: a.requires_grad().then(|| SavedTensor::new(b)),
    })
}
