//! `scatter_reduce` (sum, prod, mean, amax, amin; `include_self`), `index_reduce` (its
//! counterpart along one dim) and `index_put` (with `accumulate`): scatters that combine, built on the same checked scatter as the rest of the
//! family (`kernels/gather.rs`).

use super::{run_in_place, scalar_tensor, Scatter};
use crate::autograd::record::record;
use crate::autograd::rules::gather::{IndexPutAccumulateRule, IndexReduceRule, ScatterReduceRule};
use crate::autograd::rules::index::IndexPutRule;
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::index_item::IndexItem;
use crate::kernels::gather::Combine;
use crate::ops::registry::Dest;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// The reductions of `scatter_reduce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScatterReduce {
    /// `"sum"`.
    Sum,
    /// `"prod"`.
    Prod,
    /// `"mean"`.
    Mean,
    /// `"amax"`.
    Amax,
    /// `"amin"`.
    Amin,
}

impl ScatterReduce {
    /// Parses torch's name of the reduction.
    pub fn parse(s: &str) -> Result<ScatterReduce> {
        Ok(match s {
            "sum" => ScatterReduce::Sum,
            "prod" => ScatterReduce::Prod,
            "mean" => ScatterReduce::Mean,
            "amax" => ScatterReduce::Amax,
            "amin" => ScatterReduce::Amin,
            _ => {
                return Err(Error::Runtime(format!(
                    "reduce argument must be either sum, prod, mean, amax or amin, got {}",
                    s
                )))
            }
        })
    }

    fn combine(self) -> Combine {
        match self {
            ScatterReduce::Sum | ScatterReduce::Mean => Combine::Add,
            ScatterReduce::Prod => Combine::Mul,
            ScatterReduce::Amax => Combine::Max,
            ScatterReduce::Amin => Combine::Min,
        }
    }

    /// The value a reduction starts from when `include_self=False`.
    fn identity(self) -> Scalar {
        match self {
            ScatterReduce::Sum | ScatterReduce::Mean => Scalar::Int(0),
            ScatterReduce::Prod => Scalar::Int(1),
            ScatterReduce::Amax => Scalar::Float(f64::NEG_INFINITY),
            ScatterReduce::Amin => Scalar::Float(f64::INFINITY),
        }
    }
}

/// The smallest (`largest`: largest) value of an integer dtype: the identity of `amax`
/// (`amin`), as torch's `numeric_limits` lowest and max.
fn int_extreme(dtype: DType, largest: bool) -> Scalar {
    let (lo, hi) = match dtype {
        DType::UInt8 => (0, u8::MAX as i64),
        DType::Int8 => (i8::MIN as i64, i8::MAX as i64),
        DType::Int16 => (i16::MIN as i64, i16::MAX as i64),
        DType::Int32 => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    Scalar::Int(if largest { hi } else { lo })
}

impl Tensor {
    /// `scatter_reduce` without recording.
    fn scatter_reduce_raw(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Tensor,
        how: ScatterReduce,
        include_self: bool,
    ) -> Result<Tensor> {
        // Bools reduce as torch's: `prod` and `amin` are an and, `sum` and `amax` an or; `mean`
        // has no bool kernel.
        if self.dtype() == DType::Bool && how == ScatterReduce::Mean {
            return Err(Error::DTypeNotSupported {
                op: "scatter_gather_tensor_cpu_reduce_mean",
                dtype: "Bool",
            });
        }
        let plan = self.plan_scatter(dim, index, &Value::Tensor(src.clone()), how.combine())?;
        let out = self.detach().clone_contiguous()?;
        let Some(plan) = plan else {
            return Ok(out);
        };
        let with = |src: Tensor, how: Combine| Scatter {
            dim: plan.dim,
            index: plan.index.clone(),
            src,
            how,
            flat: false,
        };
        let shape = plan.index.tensor().shape().to_vec();
        if !include_self {
            let identity = match (self.dtype(), how) {
                (DType::Bool, ScatterReduce::Amax) => Scalar::Int(0),
                (DType::Bool, ScatterReduce::Amin) => Scalar::Int(1),
                (d, ScatterReduce::Amax | ScatterReduce::Amin) if !d.is_floating() => {
                    int_extreme(d, how == ScatterReduce::Amin)
                }
                _ => how.identity(),
            };
            let init = scalar_tensor(identity, self.dtype())?.broadcast_to(&shape);
            with(init, Combine::Set).apply(&out)?;
        }
        plan.apply(&out)?;
        if how != ScatterReduce::Mean {
            return Ok(out);
        }
        let counts = if include_self {
            Tensor::full(self.shape(), Scalar::Int(1), self.dtype())?
        } else {
            Tensor::zeros(self.shape(), self.dtype())?
        };
        let one = scalar_tensor(Scalar::Int(1), self.dtype())?.broadcast_to(&shape);
        with(one, Combine::Add).apply(&counts)?;
        let counts = counts.clamp(Some(Scalar::Int(1)), None)?;
        let mode = if self.dtype().is_floating() {
            None
        } else {
            Some("floor")
        };
        crate::ops::pointwise::arith::div(
            &Value::Tensor(out),
            &Value::Tensor(counts),
            mode,
            Dest::New,
        )
    }

    /// `scatter_reduce(dim, index, src, reduce, include_self=)`: `src` combined into a copy of
    /// `self` at `index` along `dim` by `reduce`; without `include_self`, the places written
    /// start from the reduction's identity instead of `self`'s value.
    pub fn scatter_reduce_named(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Tensor,
        reduce: &str,
        include_self: bool,
    ) -> Result<Tensor> {
        self.scatter_reduce(dim, index, src, ScatterReduce::parse(reduce)?, include_self)
    }

    /// `scatter_reduce` with the reduction given by value (see [`Tensor::scatter_reduce_named`]).
    pub fn scatter_reduce(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Tensor,
        how: ScatterReduce,
        include_self: bool,
    ) -> Result<Tensor> {
        let out = crate::autograd::mode::without_grad(|| {
            self.scatter_reduce_raw(dim, index, src, how, include_self)
        })?;
        let d = crate::shape::normalize_dim(dim, self.ndim())?;
        let saved = out.clone();
        Ok(record(out, "ScatterReduceBackward0", &[self, src], || {
            ScatterReduceRule::new(
                match how {
                    ScatterReduce::Sum => 0,
                    ScatterReduce::Prod => 1,
                    ScatterReduce::Mean => 2,
                    ScatterReduce::Amax | ScatterReduce::Amin => 3,
                },
                include_self,
                self,
                d,
                index,
                src,
                &saved,
            )
        }))
    }

    /// `scatter_reduce_`: [`Tensor::scatter_reduce`] in place (nothing written on an error).
    pub fn scatter_reduce_(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Tensor,
        how: ScatterReduce,
        include_self: bool,
    ) -> Result<()> {
        run_in_place(
            self,
            &[src],
            || {
                let out = self.scatter_reduce_raw(dim, index, src, how, include_self)?;
                crate::kernels::copy::copy_checked(self, &out)
            },
            |snapshot| snapshot.scatter_reduce(dim, index, src, how, include_self),
        )
    }

    /// `index_put(indices, values, accumulate=)` without recording: a copy of `self` with
    /// `values` written (or summed, repeated indices adding up) at the advanced index `indices`.
    fn index_put_new(
        &self,
        indices: &[Tensor],
        values: &Tensor,
        accumulate: bool,
    ) -> Result<Tensor> {
        check_index_put(self, indices, values)?;
        let out = self.detach().clone_contiguous()?;
        out.index_put_raw(&items(indices), &Value::Tensor(values.detach()), accumulate)?;
        Ok(out)
    }

    /// `index_put(indices, values, accumulate=)`, recorded (`IndexPutBackward0`).
    pub fn index_put_op(
        &self,
        indices: &[Tensor],
        values: &Tensor,
        accumulate: bool,
    ) -> Result<Tensor> {
        let out = self.index_put_new(indices, values, accumulate)?;
        let items = items(indices);
        Ok(if accumulate {
            record(out, "IndexPutBackward0", &[self, values], || {
                IndexPutAccumulateRule::new(items, values)
            })
        } else {
            record(out, "IndexPutBackward0", &[self, values], || IndexPutRule {
                items,
                value: Some(InputMeta::of(values)),
            })
        })
    }

    /// `index_put_`: every index is checked before anything is written.
    pub fn index_put_op_(
        &self,
        indices: &[Tensor],
        values: &Tensor,
        accumulate: bool,
    ) -> Result<()> {
        run_in_place(
            self,
            &[values],
            || {
                check_index_put(self, indices, values)?;
                self.index_put_raw(&items(indices), &Value::Tensor(values.clone()), accumulate)
            },
            |snapshot| snapshot.index_put_op(indices, values, accumulate),
        )
    }
}

impl Tensor {
    /// `index_reduce`'s checks, then its index expanded over `source`'s shape (the scatter
    /// `scatter_reduce` makes): `(dim, index, reduction)`. Every index is checked here.
    fn plan_index_reduce(
        &self,
        dim: i64,
        index: &Tensor,
        source: &Tensor,
        reduce: &str,
    ) -> Result<(usize, Tensor, ScatterReduce)> {
        let how = match reduce {
            "prod" | "mean" | "amax" | "amin" => ScatterReduce::parse(reduce)?,
            _ => {
                return Err(Error::Runtime(format!(
                "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {}.",
                reduce
            )))
            }
        };
        let d = crate::shape::normalize_dim(dim, self.ndim())?;
        if index.ndim() > 1 {
            return Err(Error::Index(format!(
                "index_reduce_(): Index is supposed to be a vector, but got dim: {} with type: {} and size: {}",
                index.ndim(),
                index.dtype().torch_name(),
                crate::shape::fmt_shape(index.shape())
            )));
        }
        if !matches!(index.dtype(), DType::Int32 | DType::Int64) {
            return Err(Error::Runtime(format!(
                "index_reduce_(): Expected dtype int32/int64 for index but got: {}",
                index.dtype().torch_name()
            )));
        }
        if source.dtype() != self.dtype() {
            return Err(Error::Runtime(format!(
                "index_reduce_(): self ({}) and source ({}) must have the same scalar type",
                self.dtype().torch_name(),
                source.dtype().torch_name()
            )));
        }
        let (nd, n) = (self.ndim().max(1), index.numel());
        let size_at = super::size_at;
        if source.ndim().max(1) == nd && size_at(source, d) != n {
            return Err(Error::Runtime(format!(
                "index_reduce_(): Number of indices ({}) should be equal to source.size(dim): ({}), for dim: {}",
                n,
                size_at(source, d),
                d
            )));
        }
        let same = source.ndim().max(1) == nd
            && (0..nd).all(|i| i == d || size_at(source, i) == size_at(self, i));
        if !same {
            return Err(Error::Runtime(format!(
                "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = {} source.shape = {}",
                crate::shape::fmt_shape(self.shape()),
                crate::shape::fmt_shape(source.shape())
            )));
        }
        if self.dtype() == DType::Bool {
            return Err(Error::DTypeNotSupported {
                op: "index_func_",
                dtype: "Bool",
            });
        }
        let flat = index.reshape(&[-1])?.to_dtype(DType::Int64)?;
        let size = size_at(self, d) as i64;
        if flat.to_vec_i64()?.iter().any(|&i| i < 0 || i >= size) {
            return Err(Error::Index("index out of range in self".into()));
        }
        let mut view = vec![1i64; nd];
        view[d] = n as i64;
        let sizes: Vec<i64> = (0..nd).map(|i| size_at(source, i) as i64).collect();
        Ok((d, flat.reshape(&view)?.expand(&sizes)?, how))
    }

    /// `index_reduce(dim, index, source, reduce, include_self=)`: the slices of `source`
    /// combined (prod, mean, amax, amin) into a copy of `self` at the slices `index` names.
    pub fn index_reduce(
        &self,
        dim: i64,
        index: &Tensor,
        source: &Tensor,
        reduce: &str,
        include_self: bool,
    ) -> Result<Tensor> {
        let (d, idx, how) = self.plan_index_reduce(dim, index, source, reduce)?;
        let (x, src) = (
            super::at_least_1d(&self.detach())?,
            super::at_least_1d(&source.detach())?,
        );
        let out1 = x.scatter_reduce_raw(d as i64, &idx, &src, how, include_self)?;
        let out = if self.ndim() == 0 {
            out1.reshape(&[])?
        } else {
            out1.clone()
        };
        let flat = index.reshape(&[-1])?.to_dtype(DType::Int64)?;
        // The rule keeps the inputs with their history, so that it is itself differentiable.
        let (x, src) = (super::at_least_1d(self)?, super::at_least_1d(source)?);
        Ok(record(out, "IndexReduceBackward0", &[self, source], || {
            let kind = match how {
                ScatterReduce::Prod => 1,
                ScatterReduce::Mean => 2,
                _ => 3,
            };
            IndexReduceRule::new(
                (kind, include_self, d),
                (&flat, &idx),
                (&x, &src, &out1),
                (InputMeta::of(self), InputMeta::of(source)),
            )
        }))
    }

    /// `index_reduce_`: [`Tensor::index_reduce`] in place (nothing written on an error).
    pub fn index_reduce_(
        &self,
        dim: i64,
        index: &Tensor,
        source: &Tensor,
        reduce: &str,
        include_self: bool,
    ) -> Result<()> {
        run_in_place(
            self,
            &[source],
            || {
                let out = self.index_reduce(dim, index, &source.detach(), reduce, include_self)?;
                crate::kernels::copy::copy_checked(self, &out.detach())
            },
            |snapshot| snapshot.index_reduce(dim, index, source, reduce, include_self),
        )
    }
}

fn items(indices: &[Tensor]) -> Vec<IndexItem> {
    indices
        .iter()
        .map(|t| IndexItem::Tensor(t.clone()))
        .collect()
}

/// torch's `index_put` checks made before the indexing ones.
fn check_index_put(t: &Tensor, indices: &[Tensor], values: &Tensor) -> Result<()> {
    if values.dtype() != t.dtype() {
        return Err(Error::Runtime(format!(
            "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
            t.dtype().torch_name(),
            values.dtype().torch_name()
        )));
    }
    if indices.len() > t.ndim() {
        return Err(Error::Index(format!(
            "too many indices for tensor of dimension {} (got {})",
            t.ndim(),
            indices.len()
        )));
    }
    Ok(())
}
