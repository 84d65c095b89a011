//! `index_select`, `index_add`, `index_copy`, `index_fill`, `take` and `put`: gathers and
//! scatters whose index is a vector along one dim (expanded over the other dims, so it takes no
//! memory) or a flat position.

use super::{at_least_1d, run_in_place, scalar_tensor, size_at, value_tensor, Scatter};
use crate::autograd::record::record;
use crate::autograd::rules::gather::{IndexRule, IndexRuleKind};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::gather::{check_index, gather_into, CheckedIndex, Combine};
use crate::scalar::Scalar;
use crate::shape::{fmt_shape, normalize_dim};
use crate::tensor::Tensor;
use crate::value::Value;

/// `index` (a vector or a number) as a view of `shape`: its values along `dim`, repeated over
/// the other dims (stride 0).
fn along(index: &CheckedIndex, shape: &[usize], dim: usize) -> Result<CheckedIndex> {
    index.map_view(|t| {
        let mut v = vec![1i64; shape.len()];
        v[dim] = t.numel() as i64;
        let sizes: Vec<i64> = shape.iter().map(|&s| s as i64).collect();
        t.reshape(&v)?.expand(&sizes)
    })
}

/// `t`'s shape (at least one dim) with dim `dim` of size `n`.
fn with_dim(t: &Tensor, dim: usize, n: usize) -> Vec<usize> {
    let mut s = at_least_1d_shape(t);
    s[dim] = n;
    s
}

fn at_least_1d_shape(t: &Tensor) -> Vec<usize> {
    if t.ndim() == 0 {
        vec![1]
    } else {
        t.shape().to_vec()
    }
}

/// The scatters of the `index_*` family: what they write and how.
enum IndexWrite {
    /// `index_add(source, alpha)`.
    Add(Tensor, Scalar),
    /// `index_copy(source)`.
    Copy(Tensor),
    /// `index_fill(value)`.
    Fill(Value),
}

impl IndexWrite {
    fn kind(&self) -> IndexRuleKind {
        match self {
            IndexWrite::Add(_, alpha) => IndexRuleKind::Add(*alpha),
            IndexWrite::Copy(_) => IndexRuleKind::Copy,
            IndexWrite::Fill(_) => IndexRuleKind::Fill,
        }
    }

    fn node(&self) -> &'static str {
        match self {
            IndexWrite::Add(..) => "IndexAddBackward0",
            IndexWrite::Copy(_) => "IndexCopyBackward0",
            IndexWrite::Fill(Value::Scalar(_)) => "IndexFillBackward0",
            IndexWrite::Fill(Value::Tensor(_)) => "IndexFillBackward1",
        }
    }

    fn source(&self) -> Option<&Tensor> {
        match self {
            IndexWrite::Add(t, _) | IndexWrite::Copy(t) => Some(t),
            IndexWrite::Fill(v) => value_tensor(v),
        }
    }
}

impl Tensor {
    /// `index_select(dim, index)`: the slices of `dim` that `index` (a vector) names, in order.
    pub fn index_select(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        if !matches!(index.dtype(), DType::Int32 | DType::Int64) {
            return Err(Error::Runtime(
                "index_select(): Expected dtype int32 or int64 for index".into(),
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        if index.ndim() > 1 {
            return Err(Error::Index(
                "index_select(): Index is supposed to be a vector".into(),
            ));
        }
        let n = index.numel();
        let ci = check_index(&index.reshape(&[-1])?, size_at(self, d), false)?
            .map_err(|_| Error::Index("index out of range in self".into()))?;
        let shape = with_dim(self, d, n);
        let out = Tensor::uninit(&shape, self.dtype())?;
        if out.numel() > 0 {
            gather_into(&out, &at_least_1d(self)?, d, &along(&ci, &shape, d)?)?;
        }
        let out = if self.ndim() == 0 && n == 1 {
            out.reshape(&[])?
        } else {
            out
        };
        Ok(record(out, "IndexSelectBackward0", &[self], || {
            IndexRule::select(self, d, ci.tensor())
        }))
    }

    /// Checks an `index_add`/`index_copy`/`index_fill` into `self` and prepares the scatter.
    fn plan_index(&self, dim: i64, index: &Tensor, what: &IndexWrite) -> Result<Scatter> {
        let d = normalize_dim(dim, self.ndim())?;
        let name = match what {
            IndexWrite::Add(..) => "index_add_",
            IndexWrite::Copy(_) => "index_copy_",
            IndexWrite::Fill(_) => "index_fill_",
        };
        match what {
            IndexWrite::Add(..) => {
                if index.ndim() > 1 {
                    return Err(Error::Index(format!(
                        "index_add_(): Index is supposed to be a vector, but got dim: {} with type: {} and size: {}",
                        index.ndim(),
                        index.dtype().torch_name(),
                        fmt_shape(index.shape())
                    )));
                }
                if !matches!(index.dtype(), DType::Int32 | DType::Int64) {
                    return Err(Error::Runtime(format!(
                        "index_add_(): Expected dtype int32/int64 for index but got: {}",
                        index.dtype().torch_name()
                    )));
                }
            }
            IndexWrite::Copy(_) => {
                if index.ndim() > 1 {
                    return Err(Error::Index(format!(
                        "index_copy_(): Index should have dimension 1 or 0 (got {})",
                        index.ndim()
                    )));
                }
                if index.dtype() != DType::Int64 {
                    return Err(Error::Runtime(format!(
                        "index_copy_(): Expected a long tensor for index, but got {}",
                        index.dtype().torch_name()
                    )));
                }
            }
            IndexWrite::Fill(v) => {
                if index.dtype() != DType::Int64 {
                    return Err(Error::Index(
                        "index_fill_(): Expected dtype int64 for index.".into(),
                    ));
                }
                if index.ndim() > 1 {
                    return Err(Error::Runtime("Index has to be a vector/scalar".into()));
                }
                if let Value::Tensor(t) = v {
                    if t.ndim() != 0 {
                        return Err(Error::Runtime(format!(
                            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
                            t.ndim()
                        )));
                    }
                }
            }
        }
        let n = index.numel();
        let src = match what {
            IndexWrite::Add(src, _) | IndexWrite::Copy(src) => {
                let alpha = match what {
                    IndexWrite::Add(..) => Some(*alpha_of(what)),
                    _ => None,
                };
                if src.dtype() != self.dtype() {
                    return Err(Error::Runtime(match alpha {
                        Some(_) => format!(
                            "index_add_(): self ({}) and source ({}) must have the same scalar type",
                            self.dtype().torch_name(),
                            src.dtype().torch_name()
                        ),
                        None => format!(
                            "index_copy_(): self and source expected to have the same dtype, but got (self) {} and (source) {}",
                            self.dtype().torch_name(),
                            src.dtype().torch_name()
                        ),
                    }));
                }
                let src_n = size_at(src, d.min(src.ndim().max(1) - 1));
                if src.ndim().max(1) == self.ndim().max(1) && src_n != n {
                    let msg = match alpha {
                        Some(_) => format!(
                            "index_add_(): Number of indices ({}) should be equal to source.size(dim): ({}), for dim: {}",
                            n, src_n, d
                        ),
                        None => format!(
                            "index_copy_(): Number of indices ({}) should be equal to source.size(dim) ({})",
                            n, src_n
                        ),
                    };
                    return Err(match alpha {
                        Some(_) => Error::Runtime(msg),
                        None => Error::Index(msg),
                    });
                }
                let same = src.ndim().max(1) == self.ndim().max(1)
                    && (0..self.ndim().max(1))
                        .all(|i| i == d || size_at(src, i) == size_at(self, i));
                if !same {
                    return Err(Error::Runtime(format!(
                        "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = {} source.shape = {}",
                        fmt_shape(self.shape()),
                        fmt_shape(src.shape())
                    )));
                }
                let src = at_least_1d(src)?;
                match alpha {
                    Some(a) if !is_one(a) => src.detach().mul(scalar_tensor(a, self.dtype())?)?,
                    _ => src,
                }
            }
            IndexWrite::Fill(v) => {
                let s = match v {
                    Value::Scalar(s) => *s,
                    Value::Tensor(t) => t.item_scalar()?,
                };
                scalar_tensor(s, self.dtype())?.broadcast_to(&with_dim(self, d, n))
            }
        };
        let size = size_at(self, d);
        let negative = matches!(what, IndexWrite::Fill(_));
        let ci = check_index(&index.reshape(&[-1])?, size, negative)?.map_err(|v| {
            let msg = format!(
                "index {} is out of bounds for dimension {} with size {}",
                v, d, size
            );
            match what {
                IndexWrite::Add(..) => Error::Runtime(msg),
                IndexWrite::Copy(_) => Error::Index(format!("{}(): {}", name, msg)),
                IndexWrite::Fill(_) => Error::Index(msg),
            }
        })?;
        let shape = src.shape().to_vec();
        Ok(Scatter {
            dim: d,
            index: along(&ci, &shape, d)?,
            src,
            how: match what {
                IndexWrite::Add(..) => Combine::Add,
                _ => Combine::Set,
            },
            flat: false,
        })
    }

    /// The out-of-place `index_*` scatters, recorded.
    fn index_write(&self, dim: i64, index: &Tensor, what: IndexWrite) -> Result<Tensor> {
        let plan = self.plan_index(dim, index, &what)?;
        let out = Scatter::new_tensor(Some(&plan), self)?;
        let mut inputs = vec![self];
        inputs.extend(what.source());
        Ok(record(out, what.node(), &inputs, || {
            IndexRule::write(what.kind(), plan.dim, index, what.source())
        }))
    }

    /// The in-place `index_*` scatters: nothing is written unless every check passes.
    fn index_write_(&self, dim: i64, index: &Tensor, what: IndexWrite) -> Result<()> {
        let others: Vec<&Tensor> = what.source().into_iter().collect();
        run_in_place(
            self,
            &others,
            || self.plan_index(dim, index, &what)?.apply(self),
            |snapshot| snapshot.index_write(dim, index, clone_write(&what)),
        )
    }

    /// `index_add(dim, index, source, alpha=)`: `alpha * source` summed into a copy of `self`
    /// at the slices `index` names (repeated indices sum).
    pub fn index_add(
        &self,
        dim: i64,
        index: &Tensor,
        source: &Tensor,
        alpha: Scalar,
    ) -> Result<Tensor> {
        self.index_write(dim, index, IndexWrite::Add(source.clone(), alpha))
    }

    /// `index_add_`: [`Tensor::index_add`] in place.
    pub fn index_add_(
        &self,
        dim: i64,
        index: &Tensor,
        source: &Tensor,
        alpha: Scalar,
    ) -> Result<()> {
        self.index_write_(dim, index, IndexWrite::Add(source.clone(), alpha))
    }

    /// `index_copy(dim, index, source)`: `source`'s slices written at the slices `index` names.
    pub fn index_copy(&self, dim: i64, index: &Tensor, source: &Tensor) -> Result<Tensor> {
        self.index_write(dim, index, IndexWrite::Copy(source.clone()))
    }

    /// `index_copy_`: [`Tensor::index_copy`] in place.
    pub fn index_copy_(&self, dim: i64, index: &Tensor, source: &Tensor) -> Result<()> {
        self.index_write_(dim, index, IndexWrite::Copy(source.clone()))
    }

    /// `index_fill(dim, index, value)`: the slices `index` names filled with `value` (a number
    /// or a 0-dim tensor).
    pub fn index_fill(&self, dim: i64, index: &Tensor, value: &Value) -> Result<Tensor> {
        self.index_write(dim, index, IndexWrite::Fill(value.clone()))
    }

    /// `index_fill_`: [`Tensor::index_fill`] in place.
    pub fn index_fill_(&self, dim: i64, index: &Tensor, value: &Value) -> Result<()> {
        self.index_write_(dim, index, IndexWrite::Fill(value.clone()))
    }

    /// `take(index)`: the elements at flat positions `index` (negative count from the end), in
    /// `index`'s shape.
    pub fn take(&self, index: &Tensor) -> Result<Tensor> {
        if index.dtype() != DType::Int64 {
            return Err(Error::Runtime(format!(
                "take(): Expected a long tensor for index, but got {}",
                index.dtype().torch_name()
            )));
        }
        let n = self.numel();
        let ci = flat_index(index, n)?;
        let out = Tensor::uninit(index.shape(), self.dtype())?;
        if out.numel() > 0 {
            let flat = self.reshape(&[n as i64])?;
            gather_into(&out.reshape(&[-1])?, &flat, 0, &ci)?;
        }
        Ok(record(out, "TakeBackward0", &[self], || {
            IndexRule::take(self, ci.tensor())
        }))
    }

    /// Checks a `put` into `self` and prepares the scatter.
    fn plan_put(&self, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<Scatter> {
        if index.dtype() != DType::Int64 {
            return Err(Error::Runtime(format!(
                "put_(): Expected a long tensor for index, but got {}",
                index.dtype().torch_name()
            )));
        }
        if source.dtype() != self.dtype() {
            return Err(Error::Runtime(format!(
                "put_(): self and source expected to have the same dtype, but got self.dtype = {} and source.dtype = {}",
                self.dtype().torch_name(),
                source.dtype().torch_name()
            )));
        }
        if source.numel() != index.numel() {
            return Err(Error::Index(format!(
                "put_(): Expected source and index to have the same number of elements, but got source.numel() = {}, index.numel() = {}",
                source.numel(),
                index.numel()
            )));
        }
        let ci = flat_index(index, self.numel())?;
        Ok(Scatter {
            dim: 0,
            index: ci,
            src: source.reshape(&[-1])?,
            how: if accumulate {
                Combine::Add
            } else {
                Combine::Set
            },
            flat: true,
        })
    }

    /// `put(index, source, accumulate=)`: a copy of `self` with `source`'s elements written (or
    /// summed) at the flat positions `index`.
    pub fn put(&self, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<Tensor> {
        let plan = self.plan_put(index, source, accumulate)?;
        let out = Scatter::new_tensor(Some(&plan), self)?;
        Ok(record(out, "PutBackward0", &[self, source], || {
            IndexRule::put(index, source, accumulate)
        }))
    }

    /// `put_`: [`Tensor::put`] in place.
    pub fn put_(&self, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<()> {
        run_in_place(
            self,
            &[source],
            || self.plan_put(index, source, accumulate)?.apply(self),
            |snapshot| snapshot.put(index, source, accumulate),
        )
    }
}

/// `index`'s values checked as flat positions into `n` elements, with torch's message.
fn flat_index(index: &Tensor, n: usize) -> Result<CheckedIndex> {
    check_index(&index.reshape(&[-1])?, n, true)?.map_err(|v| {
        Error::Index(format!(
            "out of range: tried to access index {} on a tensor of {} elements.",
            v, n
        ))
    })
}

fn alpha_of(w: &IndexWrite) -> &Scalar {
    match w {
        IndexWrite::Add(_, a) => a,
        _ => &Scalar::Int(1),
    }
}

fn is_one(s: Scalar) -> bool {
    match s {
        Scalar::Int(v) => v == 1,
        Scalar::Float(v) => v == 1.0,
        Scalar::Bool(v) => v,
    }
}

fn clone_write(w: &IndexWrite) -> IndexWrite {
    match w {
        IndexWrite::Add(t, a) => IndexWrite::Add(t.clone(), *a),
        IndexWrite::Copy(t) => IndexWrite::Copy(t.clone()),
        IndexWrite::Fill(v) => IndexWrite::Fill(v.clone()),
    }
}
