//! Sorting and selection along a dim: `sort`, `argsort`, `msort`, `topk`, `kthvalue`, `median`,
//! `nanmedian`, `mode`, `cummax`, `cummin`, `logcumsumexp`. torch's dtype rules, dim and `k`
//! checks and errors around the line kernels of `kernels/sort/`, and the autograd nodes
//! (`autograd/rules/sort.rs`; the `(values, indices)` reductions send their gradient to the
//! reported index as `max(dim)` does, `autograd/rules/extrema.rs`).

use crate::autograd::record::record;
use crate::autograd::rules::extrema::record_indexed;
use crate::autograd::rules::sort::{EvenlyRule, LogcumsumexpRule, ScatterRule};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::pointwise::no_kernel;
use crate::kernels::sort::{self as k, Split};
use crate::ops::registry::{Args, Dest, Forms, OpDef, Ret};
use crate::shape::normalize_dim;
use crate::tensor::Tensor;

/// torch's `IndexError` for a selection over a zero-size dim.
fn nonempty_dim(op: &str, shape: &[usize], d: usize) -> Result<()> {
    if shape.get(d) == Some(&0) {
        return Err(Error::Index(format!(
            "{op}(): Expected reduction dim {d} to have non-zero size."
        )));
    }
    Ok(())
}

/// `shape` with dim `d` of size `m` (a 0-dim shape stays 0-dim).
fn with_size(shape: &[usize], d: usize, m: usize) -> Vec<usize> {
    let mut s = shape.to_vec();
    if let Some(x) = s.get_mut(d) {
        *x = m;
    }
    s
}

/// `t` (contiguous, dim `d` of size 1) without that dim unless `keepdim`.
fn drop_dim(t: Tensor, d: usize, keepdim: bool) -> Result<Tensor> {
    if keepdim || t.ndim() == 0 {
        return Ok(t);
    }
    let shape: Vec<i64> = (0..t.ndim())
        .filter(|&i| i != d)
        .map(|i| t.shape()[i] as i64)
        .collect();
    t.reshape(&shape)
}

/// The value torch gives the median of no elements: NaN, converted as C++ converts it to an
/// integer (the type's smallest value) or bool (true).
fn empty_median(dtype: DType) -> Result<Tensor> {
    match dtype {
        DType::Float32 => Tensor::from_vec(vec![f32::NAN], &[]),
        DType::Float64 => Tensor::from_vec(vec![f64::NAN], &[]),
        DType::Int32 => Tensor::from_vec(vec![i32::MIN], &[]),
        DType::Int64 => Tensor::from_vec(vec![i64::MIN], &[]),
        DType::Bool => Tensor::from_vec(vec![true], &[]),
        other => empty_median(other.compute_dtype())?.to_dtype(other),
    }
}

/// Runs a values-and-indices line kernel on `x` (detached) in its compute dtype, the values
/// converted back: the sort kernels are compiled for the five kernel dtypes only, and the
/// conversions are exact.
fn widened<F>(x: &Tensor, f: F) -> Result<(Tensor, Tensor)>
where
    F: FnOnce(&Tensor) -> Result<(Tensor, Tensor)>,
{
    let dt = x.dtype();
    if dt.is_kernel_dtype() {
        return f(x);
    }
    let (v, i) = f(&x.to_dtype(dt.compute_dtype())?)?;
    Ok((v.to_dtype(dt)?, i))
}

impl Tensor {
    /// The input of a line kernel: contiguous, without history; the dim normalised.
    fn lines_of(&self, dim: i64) -> Result<(Tensor, usize, Split)> {
        let d = normalize_dim(dim, self.ndim())?;
        let x = self.detach().contiguous()?;
        let s = Split::at(x.shape(), d);
        Ok((x, d, s))
    }

    /// The values and indices of [`Tensor::sort`], without recording. torch's CPU sort is
    /// stable with `stable`, and for 1-D integer inputs of at least 32768 elements sorted
    /// ascending (fbgemm's radix sort); otherwise ties are in `std::sort`'s order.
    fn sorted_lines(
        &self,
        dim: i64,
        descending: bool,
        stable: bool,
    ) -> Result<(Tensor, Tensor, usize)> {
        let (x, d, s) = self.lines_of(dim)?;
        let radix = x.ndim() == 1
            && !descending
            && matches!(x.dtype(), DType::Int32 | DType::Int64)
            && x.numel() >= 1 << 15;
        let stable = stable || radix;
        let shape = x.shape().to_vec();
        let (v, i) = widened(
            &x,
            |x| crate::dispatch_kernel!(x.dtype(), T => k::sort::<T>(x, s, &shape, descending, stable), other => Err(no_kernel(other))),
        )?;
        Ok((v, i, d))
    }

    /// `sort(dim=-1, descending=False, *, stable=None)`: the values in order (NaN last, first
    /// when descending) and their int64 indices; `stable=True` keeps equal values in input
    /// order. The node is `SortBackward1` when `stable` is given (torch's `sort.stable`).
    pub fn sort(
        &self,
        dim: i64,
        descending: bool,
        stable: Option<bool>,
    ) -> Result<(Tensor, Tensor)> {
        let (v, i, d) = self.sorted_lines(dim, descending, stable.unwrap_or(false))?;
        let name = if stable.is_some() {
            "SortBackward1"
        } else {
            "SortBackward0"
        };
        let v = record(v, name, &[self], || ScatterRule::new(self, &i, d));
        Ok((v, i))
    }

    /// `argsort(dim=-1, descending=False, *, stable=False)`: the indices of [`Tensor::sort`].
    pub fn argsort(&self, dim: i64, descending: bool, stable: bool) -> Result<Tensor> {
        Ok(self.sorted_lines(dim, descending, stable)?.1)
    }

    /// `msort()`: the values sorted along dim 0 (`SortBackward0`, as torch).
    pub fn msort(&self) -> Result<Tensor> {
        Ok(self.sort(0, false, None)?.0)
    }

    /// `topk(k, dim=-1, largest=True, sorted=True)`: the `k` largest (smallest) values, NaN the
    /// largest, in torch's order (ties and `sorted=False` as torch's selection leaves them).
    pub fn topk(&self, kk: i64, dim: i64, largest: bool, sorted: bool) -> Result<(Tensor, Tensor)> {
        let (x, d, s) = self.lines_of(dim)?;
        if x.dtype() == DType::Bool {
            return Err(Error::NotImplemented(
                "topk does not support bool dtypes on CPU".into(),
            ));
        }
        if kk < 0 || kk as usize > s.n {
            return Err(Error::Runtime("selected index k out of range".into()));
        }
        // A 0-dim input gives its element for k = 0 too, as torch does.
        let kk = if x.ndim() == 0 { 1 } else { kk as usize };
        let shape = with_size(x.shape(), d, kk);
        let (v, i) = widened(
            &x,
            |x| crate::dispatch_kernel!(x.dtype(), T => k::topk::<T>(x, s, &shape, kk, largest, sorted), other => Err(no_kernel(other))),
        )?;
        let v = record(v, "TopkBackward0", &[self], || {
            ScatterRule::new(self, &i, d)
        });
        Ok((v, i))
    }

    /// `kthvalue(k, dim=-1, keepdim=False)`: the `k`-th smallest value (1-based) and the index
    /// torch's quickselect reports for it.
    pub fn kthvalue(&self, kk: i64, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let (x, d, s) = self.lines_of(dim)?;
        nonempty_dim("kthvalue", x.shape(), d)?;
        if kk < 1 || kk as usize > s.n {
            return Err(Error::Runtime(format!(
                "kthvalue(): selected number k out of range for dimension {d}"
            )));
        }
        if x.dtype() == DType::Bool {
            return Err(Error::DTypeNotSupported {
                op: "kthvalue_cpu",
                dtype: "Bool",
            });
        }
        let shape = with_size(x.shape(), d, 1);
        let (v, i) = widened(
            &x,
            |x| crate::dispatch_kernel!(x.dtype(), T => k::kthvalue::<T>(x, s, &shape, kk as usize - 1), other => Err(no_kernel(other))),
        )?;
        let (v, i) = (drop_dim(v, d, keepdim)?, drop_dim(i, d, keepdim)?);
        let v = record_indexed(v, "KthvalueBackward0", self, &i, d, keepdim);
        Ok((v, i))
    }

    /// `median()` (`ignore_nan` false: NaN when there is one) or `nanmedian()`: the lower median
    /// of every element, a 0-dim tensor (NaN for no elements); the gradient is shared between
    /// the elements equal to it.
    pub fn median_all(&self, ignore_nan: bool) -> Result<Tensor> {
        if self.dtype() == DType::Bool && self.numel() > 0 {
            return Err(Error::DTypeNotSupported {
                op: "median_cpu",
                dtype: "Bool",
            });
        }
        let v = if self.numel() == 0 {
            empty_median(self.dtype())?
        } else {
            let x = self.detach().contiguous()?;
            let s = Split::at(&[x.numel()], 0);
            widened(&x, |x| crate::dispatch_kernel!(x.dtype(), T => k::median::<T>(x, s, &[], ignore_nan), other => Err(no_kernel(other))))?.0
        };
        let name = if ignore_nan {
            "NanmedianBackward0"
        } else {
            "MedianBackward0"
        };
        let saved = v.clone();
        Ok(record(v, name, &[self], || {
            EvenlyRule::new(self, &saved, name)
        }))
    }

    /// `median(dim, keepdim=False)` / `nanmedian(dim, ...)`: the lower median along `dim` and
    /// its index (among equal values, the one of the median's rank in input order).
    pub fn median_dim(
        &self,
        dim: i64,
        keepdim: bool,
        ignore_nan: bool,
    ) -> Result<(Tensor, Tensor)> {
        let (x, d, s) = self.lines_of(dim)?;
        nonempty_dim("median", x.shape(), d)?;
        if x.dtype() == DType::Bool {
            return Err(Error::DTypeNotSupported {
                op: "median_out",
                dtype: "Bool",
            });
        }
        let shape = with_size(x.shape(), d, 1);
        let (v, i) = widened(
            &x,
            |x| crate::dispatch_kernel!(x.dtype(), T => k::median::<T>(x, s, &shape, ignore_nan), other => Err(no_kernel(other))),
        )?;
        let (v, i) = (drop_dim(v, d, keepdim)?, drop_dim(i, d, keepdim)?);
        let name = if ignore_nan {
            "NanmedianBackward1"
        } else {
            "MedianBackward1"
        };
        let v = record_indexed(v, name, self, &i, d, keepdim);
        Ok((v, i))
    }

    /// `mode(dim=-1, keepdim=False)`: the most frequent value along `dim` (the smallest of equally
    /// frequent ones) and the index of its last occurrence.
    pub fn mode(&self, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let (x, d, s) = self.lines_of(dim)?;
        nonempty_dim("mode", x.shape(), d)?;
        let shape = with_size(x.shape(), d, 1);
        let (v, i) = widened(
            &x,
            |x| crate::dispatch_kernel!(x.dtype(), T => k::mode::<T>(x, s, &shape), other => Err(no_kernel(other))),
        )?;
        let (v, i) = (drop_dim(v, d, keepdim)?, drop_dim(i, d, keepdim)?);
        let v = record_indexed(v, "ModeBackward0", self, &i, d, keepdim);
        Ok((v, i))
    }

    /// `cummax(dim)` (`max`) / `cummin(dim)`: the running extreme and where it was reached.
    pub fn cum_extreme(&self, dim: i64, max: bool) -> Result<(Tensor, Tensor)> {
        let (x, d, s) = self.lines_of(dim)?;
        let (v, i) = widened(
            &x,
            |x| crate::dispatch_kernel!(x.dtype(), T => k::cum_extreme::<T>(x, s, max), other => Err(no_kernel(other))),
        )?;
        let name = if max {
            "CummaxBackward0"
        } else {
            "CumminBackward0"
        };
        let v = record(v, name, &[self], || ScatterRule::new(self, &i, d));
        Ok((v, i))
    }

    /// `logcumsumexp(dim)`: `log(cumsum(exp(x)))` without overflow; floating inputs only.
    pub fn logcumsumexp(&self, dim: i64) -> Result<Tensor> {
        let (x, d, s) = self.lines_of(dim)?;
        // The half types accumulate in float32 and round each result once.
        let out = match x.dtype() {
            DType::Float32 => k::logcumsumexp::<f32>(&x, s, false)?,
            DType::Float64 => k::logcumsumexp::<f64>(&x, s, false)?,
            h if h.is_half() => {
                k::logcumsumexp::<f32>(&x.to_dtype(DType::Float32)?, s, false)?.to_dtype(h)?
            }
            other => {
                return Err(Error::DTypeNotSupported {
                    op: "logcumsumexp_out_cpu",
                    dtype: other.torch_name(),
                })
            }
        };
        let saved = out.clone();
        Ok(record(out, "LogcumsumexpBackward0", &[self], || {
            LogcumsumexpRule::new(self, &saved, d)
        }))
    }

    /// `logcumsumexp` along `dim` (normalised) from the end, for its gradient (recorded, for
    /// gradients of gradients).
    pub fn reverse_logcumsumexp(&self, dim: usize) -> Result<Tensor> {
        let x = self.detach().contiguous()?;
        let s = Split::at(x.shape(), dim);
        let out = match x.dtype() {
            DType::Float32 => k::logcumsumexp::<f32>(&x, s, true)?,
            DType::Float64 => k::logcumsumexp::<f64>(&x, s, true)?,
            h if h.is_half() => {
                k::logcumsumexp::<f32>(&x.to_dtype(DType::Float32)?, s, true)?.to_dtype(h)?
            }
            other => {
                return Err(Error::DTypeNotSupported {
                    op: "logcumsumexp_out_cpu",
                    dtype: other.torch_name(),
                })
            }
        };
        let saved = out.clone();
        Ok(record(out, "LogcumsumexpBackward0", &[self], || {
            LogcumsumexpRule::reversed(self, &saved, dim)
        }))
    }

    /// The gradient of a selection along `dim` (normalised): zeros of `shape` receiving this
    /// gradient at `indices` (same shape as `self`, int64, each in `0..shape[dim]`), summed where
    /// indices repeat. Not recorded, as [`Tensor::reverse_logcumsumexp`].
    pub fn scatter_add_along(
        &self,
        indices: &Tensor,
        dim: usize,
        shape: &[usize],
    ) -> Result<Tensor> {
        let g = self.detach().contiguous()?;
        let idx = indices.detach().contiguous()?;
        let s = Split::at(shape, dim);
        let m = g.shape().get(dim).copied().unwrap_or(1);
        // The kernel writes where the indices point: check them (and the sizes) first.
        let p = idx.data_ptr_typed::<i64>();
        let ok = idx.dtype() == DType::Int64
            && idx.shape() == g.shape()
            && g.numel() == s.outer * m * s.inner
            && {
                // SAFETY: `idx` is a live contiguous int64 tensor of `idx.numel()` elements.
                let all = unsafe { std::slice::from_raw_parts(p, idx.numel()) };
                all.iter().all(|&i| i >= 0 && (i as usize) < s.n)
            };
        if !ok {
            return Err(Error::Runtime(
                "scatter_add_along: indices out of range or of another shape than the gradient"
                    .into(),
            ));
        }
        let out = match g.dtype() {
            DType::Float32 => k::scatter_add::<f32>(&g, &idx, s, m, shape)?,
            DType::Float64 => k::scatter_add::<f64>(&g, &idx, s, m, shape)?,
            other => {
                return Err(Error::Runtime(format!(
                    "scatter_add_along: expected a floating gradient, got {}",
                    other.torch_name()
                )))
            }
        };
        // Linear in the gradient: its own gradient gathers back.
        Ok(crate::autograd::record::linear_in(
            out,
            "ScatterAddBackward0",
            self,
            move |gg| gg.gather(dim as i64, &idx),
        ))
    }
}

/// A `(values, indices)` result: a named tuple, refused for a single `out=` tensor (torch wants a
/// tuple there; the registry delivers a tuple `out=`).
fn pair(name: &'static str, d: Dest<'_>, r: Result<(Tensor, Tensor)>) -> Result<Ret> {
    if let Dest::Out(_) = d {
        return Err(Error::Type(format!(
            "{name}(): argument 'out' must be tuple of Tensors, not Tensor"
        )));
    }
    let (v, i) = r?;
    Ok(Ret::Tuple(name, vec![v, i]))
}

/// `sort`.
pub static SORT: OpDef = OpDef {
    name: "sort",
    doc: "The values along `dim` in order (NaN last) and their indices; ties keep input order.",
    signatures: &[
        "sort(Tensor input, int dim=-1, bool descending=False) -> return_types.sort",
        "sort(Tensor input, *, bool? stable, int dim=-1, bool descending=False) -> return_types.sort",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["SortBackward0", "SortBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        pair(
            "sort",
            d,
            match a.overload {
                0 => a.tensor(0)?.sort(a.int(1)?, a.bool(2)?, None),
                // torch's `sort.stable`: `stable` given (even as None) records `SortBackward1`.
                _ => a
                    .tensor(0)?
                    .sort(a.int(2)?, a.bool(3)?, Some(a.opt_bool(1)?.unwrap_or(false))),
            },
        )
    },
};

/// `argsort`.
pub static ARGSORT: OpDef = OpDef {
    name: "argsort",
    doc: "The indices that sort the values along `dim` (NaN last); ties keep input order.",
    signatures: &["argsort(Tensor input, int dim=-1, bool descending=False, *, bool stable=False)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?.argsort(a.int(1)?, a.bool(2)?, a.bool(3)?)
        })
    },
};

/// `msort`.
pub static MSORT: OpDef = OpDef {
    name: "msort",
    doc: "The values sorted along dim 0.",
    signatures: &["msort(Tensor input)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["SortBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.msort()),
};

/// `topk`.
pub static TOPK: OpDef = OpDef {
    name: "topk",
    doc: "The `k` largest (or smallest) values along `dim` and their indices, in order.",
    signatures: &[
        "topk(Tensor input, int k, int dim=-1, bool largest=True, bool sorted=True) -> return_types.topk",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["TopkBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        pair(
            "topk",
            d,
            a.tensor(0)?
                .topk(a.int(1)?, a.int(2)?, a.bool(3)?, a.bool(4)?),
        )
    },
};

/// `kthvalue`.
pub static KTHVALUE: OpDef = OpDef {
    name: "kthvalue",
    doc: "The `k`-th smallest value along `dim` (1-based) and its index.",
    signatures: &[
        "kthvalue(Tensor input, int k, int dim=-1, bool keepdim=False) -> return_types.kthvalue",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["KthvalueBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        pair(
            "kthvalue",
            d,
            a.tensor(0)?.kthvalue(a.int(1)?, a.int(2)?, a.bool(3)?),
        )
    },
};

/// `median` / `nanmedian`: of everything (a tensor) or along a dim (values and indices).
fn median_run(a: &Args, d: Dest<'_>, ignore_nan: bool) -> Result<Ret> {
    let name = if ignore_nan { "nanmedian" } else { "median" };
    match a.overload {
        0 => {
            if let Dest::Out(_) = d {
                return Err(Error::Type(format!(
                    "{name}() missing 1 required positional arguments: \"dim\""
                )));
            }
            Ok(Ret::Tensor(a.tensor(0)?.median_all(ignore_nan)?))
        }
        _ => pair(
            name,
            d,
            a.tensor(0)?.median_dim(a.int(1)?, a.bool(2)?, ignore_nan),
        ),
    }
}

/// `median`.
pub static MEDIAN: OpDef = OpDef {
    name: "median",
    doc: "The lower median (NaN if there is one): of every element, or along `dim` with indices.",
    signatures: &[
        "median(Tensor input)",
        "median(Tensor input, int dim, bool keepdim=False) -> return_types.median",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["MedianBackward0", "MedianBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| median_run(a, d, false),
};

/// `nanmedian`.
pub static NANMEDIAN: OpDef = OpDef {
    name: "nanmedian",
    doc: "The lower median of the values that are not NaN: of every element, or along `dim`.",
    signatures: &[
        "nanmedian(Tensor input)",
        "nanmedian(Tensor input, int dim, bool keepdim=False) -> return_types.nanmedian",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["NanmedianBackward0", "NanmedianBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| median_run(a, d, true),
};

/// `mode`.
pub static MODE: OpDef = OpDef {
    name: "mode",
    doc: "The most frequent value along `dim` (the smallest on ties) and its last index.",
    signatures: &["mode(Tensor input, int dim=-1, bool keepdim=False) -> return_types.mode"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["ModeBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| pair("mode", d, a.tensor(0)?.mode(a.int(1)?, a.bool(2)?)),
};

/// `cummax`.
pub static CUMMAX: OpDef = OpDef {
    name: "cummax",
    doc: "The running maximum along `dim` and the index where each was reached.",
    signatures: &["cummax(Tensor input, int dim) -> return_types.cummax"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["CummaxBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| pair("cummax", d, a.tensor(0)?.cum_extreme(a.int(1)?, true)),
};

/// `cummin`.
pub static CUMMIN: OpDef = OpDef {
    name: "cummin",
    doc: "The running minimum along `dim` and the index where each was reached.",
    signatures: &["cummin(Tensor input, int dim) -> return_types.cummin"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["CumminBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| pair("cummin", d, a.tensor(0)?.cum_extreme(a.int(1)?, false)),
};

/// `logcumsumexp`.
pub static LOGCUMSUMEXP: OpDef = OpDef {
    name: "logcumsumexp",
    doc: "`log(cumsum(exp(input)))` along `dim`, without overflow; floating inputs only.",
    signatures: &["logcumsumexp(Tensor input, int dim)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["LogcumsumexpBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.logcumsumexp(a.int(1)?)),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &SORT,
    &ARGSORT,
    &MSORT,
    &TOPK,
    &KTHVALUE,
    &MEDIAN,
    &NANMEDIAN,
    &MODE,
    &CUMMAX,
    &CUMMIN,
    &LOGCUMSUMEXP,
];
