//! `unique` and `unique_consecutive`: the distinct values (or slices along a dim) of a tensor,
//! with the inverse and the counts torch returns on request, around the kernels of
//! `kernels/unique.rs`. torch always sorts on the CPU (`sorted=False` gives the same result).
//! Not differentiable: a floating input that requires grad gets torch's node, whose backward
//! fails (`autograd/rules/unique.rs`).

use crate::autograd::record::record;
use crate::autograd::rules::unique::NotDifferentiable;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::kernels::pointwise::no_kernel;
use crate::kernels::sort::Key;
use crate::kernels::unique::{self as k, Unique};
use crate::ops::registry::{Args, Forms, OpDef, Ret};
use crate::shape::normalize_dim;
use crate::tensor::Tensor;

/// The values, the inverse and the counts of a unique op.
type Triple = (Tensor, Tensor, Tensor);

/// Runs `f` on the elements of `t` (contiguous, of `T`'s dtype) as a slice.
fn on_slice<T: Element, R>(t: &Tensor, f: impl FnOnce(&[T]) -> R) -> R {
    debug_assert!(t.is_contiguous() && t.dtype() == T::DTYPE);
    // SAFETY: `t` is a live contiguous tensor of `T` (the callers dispatch on its dtype) with
    // `numel` elements, not written while the slice lives.
    let data = unsafe { std::slice::from_raw_parts(t.data_ptr_typed::<T>(), t.numel()) };
    f(data)
}

/// The flat result of the kernel as tensors: values 1-D, the inverse shaped like `shape`.
fn flat_result<T: Key>(u: Unique<T>, shape: &[usize]) -> Result<Triple> {
    let n = u.values.len();
    let values = Tensor::from_vec(u.values, &[n])?;
    let inverse = if u.inverse.is_empty() && shape.iter().product::<usize>() > 0 {
        Tensor::zeros(&[0], DType::Int64)?
    } else {
        Tensor::from_vec(u.inverse, shape)?
    };
    let c = u.counts.len();
    Ok((values, inverse, Tensor::from_vec(u.counts, &[c])?))
}

impl Tensor {
    /// `unique(sorted=True, return_inverse=False, return_counts=False, dim=None)` without `dim`:
    /// the distinct values in ascending order (NaN last, each NaN apart), the index of every
    /// element's value (shaped like the input; empty unless `inverse`) and how often each occurs
    /// (empty unless `counts`).
    pub fn unique_all(&self, inverse: bool, counts: bool) -> Result<Triple> {
        let x = self
            .detach()
            .contiguous()?
            .to_dtype(self.dtype().compute_dtype())?;
        let (v, i, c) = crate::dispatch_kernel!(x.dtype(), T => on_slice::<T, _>(&x, |s| {
            flat_result(k::unique(s, inverse, counts), x.shape())
        }), other => Err(no_kernel(other)))?;
        let v = v.to_dtype(self.dtype())?;
        Ok((self.unique_node(v, "Unique2Backward0", "_unique2"), i, c))
    }

    /// `unique_consecutive(return_inverse=False, return_counts=False, dim=None)` without `dim`:
    /// one value per run of equal neighbours, with the inverse and the run lengths.
    pub fn unique_consecutive_all(&self, inverse: bool, counts: bool) -> Result<Triple> {
        let x = self
            .detach()
            .contiguous()?
            .to_dtype(self.dtype().compute_dtype())?;
        let (v, i, c) = crate::dispatch_kernel!(x.dtype(), T => on_slice::<T, _>(&x, |s| {
            flat_result(k::consecutive(s, inverse, counts), x.shape())
        }), other => Err(no_kernel(other)))?;
        let v = v.to_dtype(self.dtype())?;
        let v = self.unique_node(v, "UniqueConsecutiveBackward0", "unique_consecutive");
        Ok((v, i, c))
    }

    /// `unique(dim=dim)` (or `unique_consecutive(dim=dim)` when `consecutive`): the distinct
    /// slices along `dim`, sorted (as torch sorts them) unless `consecutive`, the index of every
    /// slice's group and the group sizes.
    pub fn unique_dim(&self, dim: i64, consecutive: bool) -> Result<Triple> {
        if self.ndim() == 0 {
            return Err(Error::Index(format!(
                "Dimension specified as {dim} but tensor has no dimensions"
            )));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let (name, op) = if consecutive {
            ("UniqueConsecutiveBackward0", "unique_consecutive")
        } else {
            ("UniqueDimBackward0", "unique_dim")
        };
        let empty = || Tensor::zeros(&[0], DType::Int64);
        if self.numel() == 0 {
            if self.shape().iter().filter(|&&s| s == 0).count() != 1 {
                return Err(Error::Runtime(
                    "Number of zero sized dimensions is more than one, so unique cannot be applied "
                        .into(),
                ));
            }
            if self.shape()[d] != 0 {
                return Err(Error::Runtime(
                    "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied"
                        .into(),
                ));
            }
            let v = Tensor::zeros(self.shape(), self.dtype())?;
            return Ok((self.unique_node(v, name, op), empty()?, empty()?));
        }
        // torch's layout: the dim moved to the front, then rows of the rest in order.
        let order: Vec<i64> = std::iter::once(d)
            .chain((0..self.ndim()).filter(|&i| i != d))
            .map(|i| i as i64)
            .collect();
        let x = self
            .detach()
            .permute(&order)?
            .contiguous()?
            .to_dtype(self.dtype().compute_dtype())?;
        let rows = self.shape()[d];
        let m = self.numel() / rows;
        let u = crate::dispatch_kernel!(x.dtype(), T => on_slice::<T, _>(&x, |s| {
            k::unique_rows(s, rows, m, consecutive)
        }), other => return Err(no_kernel(other)));
        let picked: Vec<i64> = u.values.iter().map(|&r| r as i64).collect();
        let n = picked.len();
        let idx = Tensor::from_vec(picked, &[n])?;
        let v = self.detach().index_select(d as i64, &idx)?;
        let inv = Tensor::from_vec(u.inverse, &[rows])?;
        let c = Tensor::from_vec(u.counts, &[n])?;
        Ok((self.unique_node(v, name, op), inv, c))
    }

    /// `values` with torch's node `name` (whose backward fails for torch's op `op`) when this
    /// tensor records a gradient.
    fn unique_node(&self, values: Tensor, name: &'static str, op: &'static str) -> Tensor {
        record(values, name, &[self], || NotDifferentiable(op))
    }
}

/// The result of a unique op as torch's Python wrapper returns it: the values alone, or a tuple
/// with the inverse and/or the counts.
fn returned(r: Triple, inverse: bool, counts: bool) -> Ret {
    let (v, i, c) = r;
    match (inverse, counts) {
        (false, false) => Ret::Tensor(v),
        (true, false) => Ret::Tuple("", vec![v, i]),
        (false, true) => Ret::Tuple("", vec![v, c]),
        (true, true) => Ret::Tuple("", vec![v, i, c]),
    }
}

/// Runs `unique` (`consecutive` false) or `unique_consecutive` with the flags at `at`.
fn run_unique(a: &Args, at: usize, consecutive: bool) -> Result<Ret> {
    let x = a.tensor(0)?;
    let (inverse, counts) = (a.bool(at)?, a.bool(at + 1)?);
    let r = match a.opt_int(at + 2)? {
        Some(dim) => x.unique_dim(dim, consecutive)?,
        None if consecutive => x.unique_consecutive_all(inverse, counts)?,
        None => x.unique_all(inverse, counts)?,
    };
    Ok(returned(r, inverse, counts))
}

/// `unique`.
pub static UNIQUE: OpDef = OpDef {
    name: "unique",
    doc: "The distinct values (or slices along `dim`) in order, with the inverse and counts.",
    signatures: &[
        "unique(Tensor input, bool sorted=True, bool return_inverse=False, bool return_counts=False, int? dim=None)",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["Unique2Backward0", "UniqueDimBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| run_unique(a, 2, false),
};

/// `unique_consecutive`.
pub static UNIQUE_CONSECUTIVE: OpDef = OpDef {
    name: "unique_consecutive",
    doc: "One value (or slice along `dim`) per run of equal neighbours, with inverse and counts.",
    signatures: &[
        "unique_consecutive(Tensor input, bool return_inverse=False, bool return_counts=False, int? dim=None)",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["UniqueConsecutiveBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| run_unique(a, 1, true),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&UNIQUE, &UNIQUE_CONSECUTIVE];
