//! Gradient rules of the matrix products `mm`, `mv`, `dot` and the batched `bmm` / `matmul`
//! (whose broadcast batch dims `reduce_to` sums away).

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::record;
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::tensor::Tensor;

/// Which product.
#[derive(Clone, Copy, Debug)]
pub enum Product {
    /// Matrix x matrix.
    Mm,
    /// Matrix x vector.
    Mv,
    /// Vector . vector.
    Dot,
    /// Batched matrices (rank >= 2) whose batch dims broadcast.
    Batched,
}

/// The last two dims swapped.
fn mt(t: &Tensor) -> Result<Tensor> {
    t.transpose(-2, -1)
}

/// The backward of `a @ b`: each operand's gradient needs the other operand.
pub struct ProductRule {
    kind: Product,
    a: InputMeta,
    b: InputMeta,
    saved_a: Option<SavedTensor>,
    saved_b: Option<SavedTensor>,
}

impl ProductRule {
    fn grad_a(&self, g: &Tensor, b: &Tensor) -> Result<Tensor> {
        match self.kind {
            Product::Mm => g.mm(&b.t()?),
            Product::Mv => g.unsqueeze(1)?.mm(&b.unsqueeze(0)?),
            Product::Dot => g.mul(b),
            Product::Batched => g.matmul(&mt(b)?),
        }
    }

    fn grad_b(&self, g: &Tensor, a: &Tensor) -> Result<Tensor> {
        match self.kind {
            Product::Mm => a.t()?.mm(g),
            Product::Mv => a.t()?.mv(g),
            Product::Dot => g.mul(a),
            Product::Batched => mt(a)?.matmul(g),
        }
    }
}

impl Backward for ProductRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let ga = match &self.saved_b {
            Some(b) if self.a.needs_grad => Some(reduce_to(self.grad_a(g, &b.get()?)?, &self.a)?),
            _ => None,
        };
        let gb = match &self.saved_a {
            Some(a) if self.b.needs_grad => Some(reduce_to(self.grad_b(g, &a.get()?)?, &self.b)?),
            _ => None,
        };
        Ok(vec![ga, gb])
    }

    fn release(&self) {
        for s in [&self.saved_a, &self.saved_b].into_iter().flatten() {
            s.release();
        }
    }
}

/// Records `out = a @ b` under `name` when needed, saving each operand only if the other one
/// needs a gradient.
pub fn record_product(
    out: Tensor,
    name: &'static str,
    kind: Product,
    a: &Tensor,
    b: &Tensor,
) -> Tensor {
    record(out, name, &[a, b], || ProductRule {
        kind,
        a: InputMeta::of(a),
        b: InputMeta::of(b),
        saved_a: b.requires_grad().then(|| SavedTensor::new(a)),
        saved_b: a.requires_grad().then(|| SavedTensor::new(b)),
    })
}
