//! Norms as torch computes them: `linalg.vector_norm` (one pass over the input, float64
//! accumulation), `linalg.matrix_norm` (built from differentiable reductions), and the two
//! dispatchers `linalg.norm` and `norm` with torch's rules for `ord` / `p` and `dim`.

use super::scalar_type_name;
use crate::autograd::mode::without_grad;
use crate::autograd::rules::norm::record_vector_norm;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::kernels::reduce::norms::{ExtremeAbs, Nonzero, SumAbs, SumSquares};
use crate::kernels::reduce::{reduce_into, Reducer};
use crate::ops::reduce::dim_mask;
use crate::shape::normalize_dim;
use crate::tensor::Tensor;

/// A norm order: a number, or one of torch's named matrix orders.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NormOrder {
    /// A real order (`inf` and `-inf` included).
    Num(f64),
    /// The Frobenius norm, `'fro'`.
    Fro,
    /// The nuclear norm, `'nuc'`.
    Nuc,
}

/// A number as torch prints it in messages: `3`, `inf`, `0.5`.
fn fmt_order(p: f64) -> String {
    if p.is_finite() && p == p.trunc() {
        format!("{}", p as i64)
    } else {
        format!("{}", p)
    }
}

/// The order in torch's words (`fro`, `nuc`, `2`).
fn order_name(ord: NormOrder) -> String {
    match ord {
        NormOrder::Num(p) => fmt_order(p),
        NormOrder::Fro => "fro".into(),
        NormOrder::Nuc => "nuc".into(),
    }
}

/// Refuses integer and bool inputs with torch's message.
fn require_floating(t: &Tensor, op: &str) -> Result<()> {
    if t.dtype().is_floating() {
        return Ok(());
    }
    Err(Error::NotImplemented(format!(
        "{}: Expected a floating point or complex tensor as input. Got {}",
        op,
        scalar_type_name(t.dtype())
    )))
}

/// Runs the one-pass kernel of reducer `R` and maps its float64 result with `post`.
fn one_pass<R: Reducer<f32, Acc = f64> + Reducer<f64, Acc = f64>>(
    src: &Tensor,
    mask: &[bool],
    out: &Tensor,
    post: impl Fn(f64) -> f64 + Sync + Send,
) -> Result<()> {
    fn run<T: Element, R: Reducer<T, Acc = f64>>(
        src: &Tensor,
        mask: &[bool],
        out: &Tensor,
        post: impl Fn(f64) -> f64 + Sync + Send,
    ) -> Result<()> {
        reduce_into::<T, R, T>(src, mask, out, |a| T::from_f64(post(a)))
    }
    if src.dtype() == DType::Float32 {
        run::<f32, R>(src, mask, out, post)
    } else {
        run::<f64, R>(src, mask, out, post)
    }
}

impl Tensor {
    /// `linalg.vector_norm(x, ord, dim, keepdim)`: `(sum |x|^ord)^(1/ord)` over `dims` (every
    /// dim when `None`), with `inf` / `-inf` the largest / smallest `|x|` and `0` the count of
    /// nonzeros. Orders 2, 1, inf, -inf and 0 read the input once.
    pub fn vector_norm(&self, ord: f64, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        require_floating(self, "linalg.vector_norm")?;
        let mask = dim_mask(dims, self.ndim())?;
        if ord.is_infinite() || ord < 0.0 {
            check_identity(self, &mask, dims.is_none_or(|d| d.is_empty()), ord)?;
        }
        let out = if ord == 2.0 || ord == 1.0 || ord == 0.0 || ord.is_infinite() {
            // The half types accumulate in float32 and round once, as torch's CPU does.
            let x = self.detach().to_dtype(self.dtype().compute_dtype())?;
            let out = crate::ops::reduce::reduction_output(x.shape(), &mask, keepdim, x.dtype())?;
            match ord {
                2.0 => one_pass::<SumSquares>(&x, &mask, &out, f64::sqrt),
                1.0 => one_pass::<SumAbs>(&x, &mask, &out, |a| a),
                0.0 => one_pass::<Nonzero>(&x, &mask, &out, |a| a),
                f64::INFINITY => one_pass::<ExtremeAbs<true>>(&x, &mask, &out, |a| a),
                _ => one_pass::<ExtremeAbs<false>>(&x, &mask, &out, |a| a),
            }?;
            out.to_dtype(self.dtype())?
        } else {
            self.general_norm(ord, dims, keepdim)?
        };
        Ok(record_vector_norm(out, ord, self, &mask, keepdim))
    }

    /// The p-norm for the orders without a one-pass kernel, in float64, outside the graph.
    fn general_norm(&self, p: f64, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        let pow = |t: Tensor, e: f64| t.pow(e);
        without_grad(|| {
            let x = self.detach().to_dtype(DType::Float64)?.abs()?;
            let sum = pow(x, p)?.sum(dims, keepdim, None)?;
            pow(sum, 1.0 / p)?.to_dtype(self.dtype())
        })
    }

    /// `linalg.matrix_norm(A, ord, dim, keepdim)` for `'fro'`, 1, -1, inf and -inf over the two
    /// dims `dims` (batched over the others), built as torch builds them (`amax`/`amin` of a
    /// vector 1-norm, so the nodes are torch's); the orders that need singular values are refused.
    pub fn matrix_norm(&self, ord: NormOrder, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        if self.ndim() < 2 {
            return Err(Error::Runtime(
                "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.".into(),
            ));
        }
        require_floating(self, "linalg.matrix_norm")?;
        let &[d0, d1] = dims else {
            let listed: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
            return Err(Error::Runtime(format!(
                "linalg.matrix_norm: dim must be a 2-tuple. Got {}",
                listed.join(" ")
            )));
        };
        let (n0, n1) = (
            normalize_dim(d0, self.ndim())?,
            normalize_dim(d1, self.ndim())?,
        );
        if n0 == n1 {
            return Err(Error::Runtime(format!(
                "linalg.matrix_norm: dims must be different. Got ({}, {})",
                d0, d1
            )));
        }
        // torch: the 1-norm of each column (`sum_dim` the rows) and the largest or smallest of
        // those; inf is the 1-norm of the transpose.
        let (sum_dim, pick_dim, largest) = match ord {
            NormOrder::Fro => return self.vector_norm(2.0, Some(&[n0 as i64, n1 as i64]), keepdim),
            NormOrder::Num(p) if p == 1.0 || p == -1.0 => (n0, n1, p > 0.0),
            NormOrder::Num(p) if p.is_infinite() => (n1, n0, p > 0.0),
            NormOrder::Nuc | NormOrder::Num(2.0) | NormOrder::Num(-2.0) => {
                return Err(svd_needed(ord))
            }
            NormOrder::Num(p) => {
                return Err(Error::Runtime(format!(
                    "linalg.matrix_norm: Order {} not supported.",
                    fmt_order(p)
                )))
            }
        };
        if largest && self.shape()[pick_dim] == 0 {
            // The largest of no column sums: torch answers zeros (the smallest norm), a new
            // tensor outside the graph, where `amax` would refuse the empty dim.
            let mut mask = vec![false; self.ndim()];
            (mask[n0], mask[n1]) = (true, true);
            let shape = crate::ops::reduce::out_shape(self.shape(), &mask, keepdim);
            return Tensor::zeros(&shape, self.dtype());
        }
        // The first reduction removes `sum_dim`, which shifts a later `pick_dim` down by one.
        let pick = if !keepdim && sum_dim < pick_dim {
            pick_dim - 1
        } else {
            pick_dim
        } as i64;
        let sums = self.vector_norm(1.0, Some(&[sum_dim as i64]), keepdim)?;
        if largest {
            sums.amax(Some(&[pick]), keepdim)
        } else {
            sums.amin(Some(&[pick]), keepdim)
        }
    }

    /// `linalg.norm(A, ord, dim, keepdim)`: a vector norm over one dim (or over everything when
    /// neither `ord` nor `dim` is given), a matrix norm over two.
    pub fn linalg_norm(
        &self,
        ord: Option<NormOrder>,
        dims: Option<&[i64]>,
        keepdim: bool,
    ) -> Result<Tensor> {
        let Some(ord) = ord else {
            return match dims {
                Some(d) if d.len() == 2 => self.matrix_norm(NormOrder::Fro, d, keepdim),
                _ => self.vector_norm(2.0, dims, keepdim),
            };
        };
        let all: Vec<i64> = (0..self.ndim() as i64).collect();
        let dims = match dims {
            Some(d) => d,
            None if self.ndim() == 1 || self.ndim() == 2 => &all[..],
            None => {
                return Err(Error::Runtime(format!(
                    "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {}D.",
                    self.ndim()
                )))
            }
        };
        match (dims.len(), ord) {
            (1, NormOrder::Num(p)) => self.vector_norm(p, Some(dims), keepdim),
            (2, _) => self.matrix_norm(ord, dims, keepdim),
            (1, _) => Err(Error::Runtime(format!(
                "linalg.norm: ord '{}' is a matrix order and needs two dims, got dim={:?}",
                order_name(ord),
                dims
            ))),
            _ => Err(Error::Runtime(format!(
                "linalg.norm: If dim is specified, it mut be of length 1 or 2. Got {:?}",
                dims
            ))),
        }
    }

    /// `norm(p='fro', dim, keepdim)` (`torch.norm` and `Tensor.norm`): `'fro'` over at most two
    /// dims and every number are vector norms; other named orders are matrix norms.
    pub fn norm(&self, p: NormOrder, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        match p {
            NormOrder::Num(p) => self.vector_norm(p, dims, keepdim),
            NormOrder::Fro if dims.is_none_or(|d| d.len() <= 2) => {
                self.vector_norm(2.0, dims, keepdim)
            }
            _ => {
                let all: Vec<i64> = (0..self.ndim() as i64).collect();
                self.matrix_norm(p, dims.unwrap_or(&all), keepdim)
            }
        }
    }
}

/// torch's error for an inf or negative-order norm over an empty reduction, which has no identity
/// (the minimum of nothing, or `(sum of nothing)^(1/p)` with `p < 0`).
fn check_identity(t: &Tensor, mask: &[bool], all: bool, ord: f64) -> Result<()> {
    let name = fmt_order(ord);
    if all {
        if t.numel() == 0 {
            return Err(Error::Runtime(format!(
                "linalg.vector_norm cannot compute the {} norm on an empty tensor because the operation does not have an identity",
                name
            )));
        }
        return Ok(());
    }
    match (0..t.ndim()).find(|&d| mask[d] && t.shape()[d] == 0) {
        // torch's message lacks the space before "because".
        Some(d) => Err(Error::Runtime(format!(
            "linalg.vector_norm cannot compute the {} norm on the dimension {}because this dimension is empty and the operation does not have an identity",
            name, d
        ))),
        None => Ok(()),
    }
}

/// The orders that need singular values, which rtensor does not compute yet.
fn svd_needed(ord: NormOrder) -> Error {
    Error::NotImplemented(format!(
        "linalg.matrix_norm: ord={} needs the singular values (an SVD), which rtensor does not compute yet; use ord='fro' (an upper bound of the 2-norm), ord=1 or ord=inf, or compute it with numpy.linalg.norm(A.numpy(), ord)",
        match ord {
            NormOrder::Nuc => "'nuc'".to_string(),
            other => order_name(other),
        }
    ))
}

impl Tensor {
    /// `dist(other, p=2)`: the `p`-norm of `self - other` (broadcast), one node (`DistBackward0`).
    pub fn dist(&self, other: &Tensor, p: f64) -> Result<Tensor> {
        let diff = crate::autograd::mode::without_grad(|| self.sub(other))?;
        if !diff.dtype().is_floating() {
            return Err(Error::NotImplemented(format!(
                "norm(): input dtype should be either floating point or complex. Got {} instead.",
                diff.dtype().torch_name()
            )));
        }
        let out = crate::autograd::mode::without_grad(|| diff.vector_norm(p, None, false))?;
        Ok(crate::autograd::rules::norm::record_dist(
            out, p, self, other, &diff,
        ))
    }
}
