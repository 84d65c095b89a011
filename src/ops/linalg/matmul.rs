//! `matmul` / `@` decomposed as torch decomposes it (`_matmul_impl`), so the graph it records
//! has torch's nodes: `dot`, `mv` or `mm` for operands of rank 1 and 2 (a 1-D left operand
//! unsqueezed and squeezed again); the batch of the larger operand folded into the rows of one
//! `mm` / `mv` when torch folds it (`should_fold`); otherwise both operands expanded to the
//! broadcast batch, reshaped to 3-D and multiplied with `bmm`. Each path's result is given its
//! shape with `_unsafe_view` (`UnsafeViewBackward0`).

use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::shape::broadcast_shapes;
use crate::tensor::Tensor;

/// Sizes as `i64` for the shape-taking view ops.
fn sizes(dims: &[usize]) -> Vec<i64> {
    dims.iter().map(|&d| d as i64).collect()
}

impl Tensor {
    /// `matmul` / `@` with torch's rules: dot, mv, mm, 1-D operands promoted to matrices and
    /// the added dim removed again, and batched products whose batch dims broadcast.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        match (self.ndim(), other.ndim()) {
            (0, _) | (_, 0) => Err(Error::Runtime(format!(
                "both arguments to matmul need to be at least 1D, but they are {}D and {}D",
                self.ndim(),
                other.ndim()
            ))),
            (1, 1) => self.dot(other),
            (2, 1) => self.mv(other),
            // torch squeezes its own `mm` result in place: `squeeze_(0)`, `SqueezeBackward4`.
            (1, 2) => self
                .unsqueeze(0)?
                .mm(other)?
                .squeeze_dim_named(0, "SqueezeBackward4"),
            (2, 2) => self.mm(other),
            _ if should_fold(self, other) => folded_matmul(self, other),
            _ => batched_matmul(self, other),
        }
    }
}

/// torch's `should_fold` for a product with an operand of rank >= 3: whether the larger operand
/// (`t1`: `a`, or `b` with its last two dims swapped when `b` is larger) is folded into a matrix
/// and multiplied with one `mm` / `mv` rather than `bmm`. It is when the other operand has rank
/// <= 2 and either requires grad (its gradient is then one product instead of a sum over a
/// batch), or `t1`'s leading dims merge into its rows without a copy (size-1 dims whatever
/// their strides, as `view` allows) and `a` is not 2-D (whose folded product would come out
/// transposed and need a copy). torch also declines the
/// requires-grad reason under `out=`; rtensor refuses `out=` with inputs that require grad
/// while autograd records, and the paths give the same values.
fn should_fold(a: &Tensor, b: &Tensor) -> bool {
    let a_larger = a.ndim() >= b.ndim();
    let (large, small) = if a_larger { (a, b) } else { (b, a) };
    if large.ndim() < 3 || small.ndim() > 2 {
        return false;
    }
    if small.requires_grad() {
        return true;
    }
    if a.ndim() == 2 {
        return false;
    }
    if large.numel() == 0 {
        return true;
    }
    // `large` has rank >= 3, so swapping its last two dims cannot fail.
    let t1: Layout = if a_larger {
        a.layout().clone()
    } else {
        match b.layout().transpose(-2, -1) {
            Ok(l) => l,
            Err(_) => return false,
        }
    };
    let (&cols, lead) = t1.shape.split_last().unwrap_or((&0, &[]));
    t1.view_strides(&[lead.iter().product(), cols]).is_some()
}

/// The folded product: `t1` (the larger operand, transposed when it is `b`) viewed as a
/// `(batch * rows) x cols` matrix (`reshape`: a view when the strides allow, else a copy) times
/// the smaller operand (transposed when it is a 2-D `a`), the result given the batch shape back;
/// a transposed product is transposed back and made contiguous, as torch does.
fn folded_matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let transpose = b.ndim() > a.ndim();
    let (t1, t2) = if transpose {
        let t2 = if a.ndim() == 2 { a.t()? } else { a.clone() };
        (b.transpose(-2, -1)?, t2)
    } else {
        (a.clone(), b.clone())
    };
    let (&cols, lead) = t1
        .shape()
        .split_last()
        .ok_or_else(|| Error::Runtime("matmul: folded operand has no dims".into()))?;
    let rows: usize = lead.iter().product();
    let mut out_shape = lead.to_vec();
    // Sizes spelled out: `-1` cannot be inferred when `cols` is 0.
    let folded = t1.reshape(&[rows as i64, cols as i64])?;
    if t2.ndim() == 2 {
        out_shape.push(t2.shape()[1]);
        let out = folded.mm(&t2)?.unsafe_view(&out_shape)?;
        if transpose {
            out.transpose(-2, -1)?.contiguous()
        } else {
            Ok(out)
        }
    } else {
        folded.mv(&t2)?.unsafe_view(&out_shape)
    }
}

/// The batched product: both operands expanded to the broadcast batch and reshaped to 3-D (a
/// 1-D `b` to a batch of columns), one `bmm`, the result given its shape. Two 3-D operands of
/// different batch sizes, one of batch size 1 that requires grad, go back to `matmul` with that
/// dim squeezed (which then folds), as torch does.
fn batched_matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (na, nb) = (a.ndim(), b.ndim());
    if na == 3 && nb == 3 && a.shape()[0] != b.shape()[0] {
        if a.shape()[0] == 1 && a.requires_grad() {
            return a.squeeze_dim(0)?.matmul(b);
        }
        if b.shape()[0] == 1 && b.requires_grad() {
            return a.matmul(&b.squeeze_dim(0)?);
        }
    }
    let n = if na > 1 { a.shape()[na - 2] } else { 1 };
    let m1 = a.shape()[na - 1];
    let (m2, p) = if nb > 1 {
        (b.shape()[nb - 2], b.shape()[nb - 1])
    } else {
        (b.shape()[0], 1)
    };
    let batch = broadcast_shapes(
        &a.shape()[..na.saturating_sub(2)],
        &b.shape()[..nb.saturating_sub(2)],
    )?;
    let count = batch.iter().product::<usize>() as i64;
    let expand = |t: &Tensor, inner: &[usize]| {
        let mut to = batch.clone();
        to.extend_from_slice(inner);
        t.expand(&sizes(&to))
    };
    let a3 = expand(a, &[n, m1])?.reshape(&[count, n as i64, m1 as i64])?;
    let b3 = if nb == 1 {
        expand(b, &[m2])?
            .reshape(&[count, m2 as i64])?
            .unsqueeze(2)?
    } else {
        expand(b, &[m2, p])?.reshape(&[count, m2 as i64, p as i64])?
    };
    let mut out_shape = batch;
    if na > 1 {
        out_shape.push(n);
    }
    if nb > 1 {
        out_shape.push(p);
    }
    let out = a3.bmm(&b3)?;
    let out = if nb == 1 { out.squeeze_dim(-1)? } else { out };
    out.unsafe_view(&out_shape)
}
