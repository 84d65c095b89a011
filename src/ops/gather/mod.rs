//! `gather`, `scatter`, `scatter_add`, `take_along_dim` and the `index_*`/`take`/`put` ops
//! (`index.rs`): torch's dtype and shape checks, then a gather or a scatter along one dim
//! (`kernels/gather.rs`), and the autograd nodes (`autograd/rules/gather.rs`).
//!
//! Every index is checked before anything is written, so an in-place op that fails leaves its
//! target as it was (torch writes the in-range elements first, then raises).

pub mod declare;
pub mod index;
pub mod masked;
pub mod reduce;

pub use declare::OPS;

use crate::autograd::record::{in_place, record};
pub use crate::autograd::rules::gather::ScatterKind;
use crate::autograd::rules::gather::{GatherRule, ScatterRule};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::copy::{check_writable, detach_source, may_overlap};
use crate::kernels::gather::{check_index, gather_into, scatter_into, CheckedIndex, Combine};
use crate::scalar::Scalar;
use crate::shape::{fmt_shape, normalize_dim};
use crate::tensor::Tensor;
use crate::value::Value;

/// `t` with at least one dim (a 0-dim tensor as one element), as torch's
/// `ensure_nonempty_dim` treats it.
pub(crate) fn at_least_1d(t: &Tensor) -> Result<Tensor> {
    if t.ndim() == 0 {
        t.reshape(&[1])
    } else {
        Ok(t.clone())
    }
}

/// torch's `scatter_gather_dtype_check`: int32 or int64 indices (an empty index of any dtype
/// passes, as in torch).
fn check_index_dtype(op: &str, index: &Tensor) -> Result<()> {
    match index.dtype() {
        DType::Int32 | DType::Int64 => Ok(()),
        _ if index.numel() == 0 => Ok(()),
        _ => Err(Error::Runtime(format!(
            "{}(): Expected dtype int32/int64 for index",
            op
        ))),
    }
}

/// The size of dim `d` as torch's `ensure_nonempty_size` reads it (1 for a 0-dim tensor).
pub(crate) fn size_at(t: &Tensor, d: usize) -> usize {
    if t.ndim() == 0 {
        1
    } else {
        t.shape()[d]
    }
}

/// The kernel's way of combining values for a scatter kind.
fn combine_of(kind: ScatterKind) -> Combine {
    match kind {
        ScatterKind::Add | ScatterKind::ReduceAdd => Combine::Add,
        ScatterKind::Set => Combine::Set,
        ScatterKind::ReduceMul => Combine::Mul,
    }
}

/// A 0-dim tensor holding `s` converted to `dtype`.
pub(crate) fn scalar_tensor(s: Scalar, dtype: DType) -> Result<Tensor> {
    crate::dispatch!(dtype, T => Tensor::from_vec(vec![s.to::<T>()], &[]))
}

/// A scatter ready to run: every check made, the source in the target's dtype.
pub(crate) struct Scatter {
    /// The scattered dim.
    pub dim: usize,
    /// The checked index, with at least one dim.
    pub index: CheckedIndex,
    /// The source, covering the index (expanded for a number).
    pub src: Tensor,
    /// How values combine with the destination.
    pub how: Combine,
    /// Whether the destination is seen flat (`put`): its elements in row-major order.
    pub flat: bool,
}

impl Scatter {
    /// Runs the scatter into `dst` (the tensor the plan was made for, or a copy of it).
    pub(crate) fn apply(&self, dst: &Tensor) -> Result<()> {
        check_writable(dst)?;
        if self.flat && !dst.is_contiguous() {
            let tmp = dst.clone_contiguous()?;
            self.apply(&tmp)?;
            return crate::kernels::copy::copy_checked(dst, &tmp);
        }
        let view = if self.flat {
            dst.reshape(&[dst.numel() as i64])?
        } else {
            at_least_1d(dst)?
        };
        let src = detach_source(dst, &self.src)?;
        let copy;
        let index = if may_overlap(dst, self.index.tensor()) {
            copy = self.index.copied()?;
            &copy
        } else {
            &self.index
        };
        scatter_into(&view, self.dim, index, &src, self.how)
    }

    /// The result in a new tensor: a copy of `base` with the scatter applied.
    pub(crate) fn new_tensor(plan: Option<&Scatter>, base: &Tensor) -> Result<Tensor> {
        let out = base.detach().clone_contiguous()?;
        if let Some(p) = plan {
            p.apply(&out)?;
        }
        Ok(out)
    }
}

/// The tensor inside a value, if it is one.
pub(crate) fn value_tensor(v: &Value) -> Option<&Tensor> {
    match v {
        Value::Tensor(t) => Some(t),
        Value::Scalar(_) => None,
    }
}

/// Runs an in-place op: `raw` writes into `dst` when autograd does not record (after checking
/// everything), `recorded` computes the recorded result from a snapshot otherwise.
pub(crate) fn run_in_place(
    dst: &Tensor,
    others: &[&Tensor],
    raw: impl FnOnce() -> Result<()>,
    recorded: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> Result<()> {
    in_place(dst, others, raw, recorded)
}

impl Tensor {
    /// `gather(dim, index)`: `out[p] = self[p with coordinate dim = index[p]]`.
    pub fn gather(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        check_index_dtype("gather", index)?;
        let d = normalize_dim(dim, self.ndim())?;
        if index.numel() == 0 {
            let out = Tensor::zeros(index.shape(), self.dtype())?;
            return Ok(self.record_gather(out, d, index));
        }
        if self.ndim().max(1) != index.ndim().max(1) {
            return Err(Error::Runtime(
                "Index tensor must have the same number of dimensions as input tensor".into(),
            ));
        }
        for i in 0..self.ndim().max(1) {
            if i != d && size_at(index, i) > size_at(self, i) {
                return Err(Error::Runtime(format!(
                    "Size does not match at dimension {} expected index {} to be no larger than self {} apart from dimension {}",
                    i,
                    fmt_shape(index.shape()),
                    fmt_shape(self.shape()),
                    d
                )));
            }
        }
        let size = size_at(self, d);
        let ci = check_index(&at_least_1d(index)?, size, false)?.map_err(|v| {
            Error::Runtime(format!(
                "index {} is out of bounds for dimension {} with size {}",
                v, d, size
            ))
        })?;
        let out = Tensor::uninit(index.shape(), self.dtype())?;
        gather_into(&at_least_1d(&out)?, &at_least_1d(self)?, d, &ci)?;
        Ok(self.record_gather(out, d, index))
    }

    /// Records `GatherBackward0` for `out = self.gather(d, index)`.
    fn record_gather(&self, out: Tensor, d: usize, index: &Tensor) -> Tensor {
        record(out, "GatherBackward0", &[self], || {
            GatherRule::new(self, d, index)
        })
    }

    /// `take_along_dim(indices, dim)`: `input` and `indices` broadcast against each other in
    /// every dim but `dim`, then gathered; without `dim`, both are flattened. Negative indices
    /// count from the end, and every index is checked (torch reads out of bounds).
    pub fn take_along_dim(&self, indices: &Tensor, dim: Option<i64>) -> Result<Tensor> {
        if indices.dtype() != DType::Int64 {
            return Err(Error::Runtime(format!(
                "torch.take_along_dim(): dtype of indices should be Long but got {}",
                indices.dtype().torch_name()
            )));
        }
        let Some(dim) = dim else {
            let flat = self.reshape(&[-1])?;
            return flat.take_along_dim(&indices.reshape(&[-1])?, Some(0));
        };
        let d = normalize_dim(dim, self.ndim())?;
        if self.ndim() != indices.ndim() {
            return Err(Error::Runtime(format!(
                "torch.take_along_dim(): input and indices should have the same number of dimensions, but got {} dimensions for input, and {} dimensions for indices",
                self.ndim(),
                indices.ndim()
            )));
        }
        let mut a = self.shape().to_vec();
        let mut b = indices.shape().to_vec();
        if !a.is_empty() {
            a[d] = 1;
            b[d] = 1;
        }
        let shape = crate::shape::broadcast_shapes(&a, &b)?;
        let sizes = |n: usize| -> Vec<i64> {
            shape
                .iter()
                .enumerate()
                .map(|(i, &s)| if i == d { n as i64 } else { s as i64 })
                .collect()
        };
        let (input, idx) = if shape.is_empty() {
            (self.clone(), indices.clone())
        } else {
            (
                self.expand(&sizes(self.shape()[d]))?,
                indices.expand(&sizes(indices.shape()[d]))?,
            )
        };
        let size = size_at(&input, d);
        let ci = check_index(&at_least_1d(&idx)?, size, true)?.map_err(|v| {
            Error::Index(format!(
                "index {} is out of bounds for dimension {} with size {}",
                v, d, size
            ))
        })?;
        let out = Tensor::uninit(idx.shape(), self.dtype())?;
        if idx.numel() > 0 {
            gather_into(&at_least_1d(&out)?, &at_least_1d(&input)?, d, &ci)?;
        }
        let index = ci.wrapped()?;
        Ok(input.record_gather(out, d, &index))
    }

    /// Checks a scatter of `src` (a tensor, or a number) into `self` along `dim` and prepares
    /// it; `None` when the index is empty (nothing to write).
    /// Every scatter form reports its errors as torch's `scatter()`.
    fn plan_scatter(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Value,
        how: Combine,
    ) -> Result<Option<Scatter>> {
        check_index_dtype("scatter", index)?;
        let d = normalize_dim(dim, self.ndim())?;
        if let Value::Tensor(t) = src {
            if t.dtype() != self.dtype() {
                return Err(Error::Runtime(
                    "scatter(): Expected self.dtype to be equal to src.dtype".into(),
                ));
            }
        }
        if index.numel() == 0 {
            return Ok(None);
        }
        let nd = self.ndim().max(1);
        if nd != index.ndim().max(1) {
            return Err(Error::Runtime(
                "Index tensor must have the same number of dimensions as self tensor".into(),
            ));
        }
        let src_tensor = value_tensor(src);
        if let Some(s) = src_tensor {
            if s.ndim().max(1) != nd {
                return Err(Error::Runtime(
                    "Index tensor must have the same number of dimensions as src tensor".into(),
                ));
            }
        }
        let wrong = (0..nd).any(|i| {
            (i != d && size_at(index, i) > size_at(self, i))
                || src_tensor.is_some_and(|s| size_at(index, i) > size_at(s, i))
        });
        if wrong {
            let tail = match src_tensor {
                Some(s) => format!(
                    " and to be no larger size than src {}",
                    fmt_shape(s.shape())
                ),
                None => String::new(),
            };
            return Err(Error::Runtime(format!(
                "Expected index {} to be no larger than self {} apart from dimension {}{}",
                fmt_shape(index.shape()),
                fmt_shape(self.shape()),
                d,
                tail
            )));
        }
        let size = size_at(self, d);
        let ci = check_index(&at_least_1d(index)?, size, false)?.map_err(|v| {
            Error::Runtime(format!(
                "index {} is out of bounds for dimension {} with size {}",
                v, d, size
            ))
        })?;
        let src = match src {
            Value::Tensor(t) => at_least_1d(t)?,
            Value::Scalar(s) => scalar_tensor(*s, self.dtype())?.broadcast_to(ci.tensor().shape()),
        };
        Ok(Some(Scatter {
            dim: d,
            index: ci,
            src,
            how,
            flat: false,
        }))
    }

    /// The out-of-place scatter family: `scatter_add` (`Combine::Add`, no `reduce`), `scatter`
    /// with a tensor or a number, with or without `reduce`.
    pub fn scatter_value(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Value,
        kind: ScatterKind,
    ) -> Result<Tensor> {
        let plan = self.plan_scatter(dim, index, src, combine_of(kind))?;
        let out = Scatter::new_tensor(plan.as_ref(), self)?;
        let d = normalize_dim(dim, self.ndim())?;
        let mut inputs = vec![self];
        inputs.extend(value_tensor(src));
        Ok(record(out, kind.node(src), &inputs, || {
            ScatterRule::new(kind, self, d, index, value_tensor(src))
        }))
    }

    /// The in-place form of [`Tensor::scatter_value`]: nothing is written unless every check
    /// passes.
    pub fn scatter_value_(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Value,
        kind: ScatterKind,
    ) -> Result<()> {
        let others: Vec<&Tensor> = value_tensor(src).into_iter().collect();
        run_in_place(
            self,
            &others,
            || match self.plan_scatter(dim, index, src, combine_of(kind))? {
                Some(p) => p.apply(self),
                None => check_writable(self),
            },
            |snapshot| snapshot.scatter_value(dim, index, src, kind),
        )
    }

    /// `scatter_add(dim, index, src)`: sums `src` into a copy of `self` at `index` along `dim`.
    pub fn scatter_add(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        self.scatter_value(dim, index, &Value::Tensor(src.clone()), ScatterKind::Add)
    }

    /// `scatter(dim, index, value)` with a number: `value` written at `index` along `dim`.
    pub fn scatter_fill(&self, dim: i64, index: &Tensor, value: Scalar) -> Result<Tensor> {
        self.scatter_value(dim, index, &Value::Scalar(value), ScatterKind::Set)
    }
}
