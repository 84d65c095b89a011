//! Counting: `bincount`, `histc` and `histogram`. torch's checks and messages in torch's order
//! (`aten/src/ATen/native/SummaryOps.cpp`, `Histogram.cpp`), the bin edges as torch computes
//! them (`linspace` in the input's dtype), and the kernels of `kernels/histogram.rs`. None is
//! differentiable.

use crate::autograd::mode::without_grad;
use crate::autograd::record::{record, record_outputs};
use crate::autograd::rules::histogram::NoDerivative;
use crate::dtype::{DType, Element};
use crate::error::{fmt_double, fmt_shape, Error, Result};
use crate::kernels::histogram::{self as k, BinSearch, Real};
use crate::ops::registry::{Dest, Forms, OpDef, Ret};
use crate::scalar::Scalar;
use crate::tensor::Tensor;

/// Runs `f` on the elements of `t` (of `T`'s dtype) as a slice, in row-major order.
fn with_slice<T: Element, R>(t: &Tensor, f: impl FnOnce(&[T]) -> R) -> Result<R> {
    let c = t.detach().contiguous()?;
    debug_assert_eq!(c.dtype(), T::DTYPE);
    // SAFETY: `c` is a live contiguous tensor of `T` (the callers dispatch on its dtype) holding
    // `numel` elements, not written while the slice lives.
    let data = unsafe { std::slice::from_raw_parts(c.data_ptr_typed::<T>(), c.numel()) };
    Ok(f(data))
}

/// The `min` and `max` of the elements (NaN when one is NaN), as doubles; none when empty.
fn data_range(t: &Tensor) -> Result<Option<(f64, f64)>> {
    if t.numel() == 0 {
        return Ok(None);
    }
    let v = t.to_vec_f64()?;
    let nan = v.iter().any(|x| x.is_nan());
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok(Some(if nan { (f64::NAN, f64::NAN) } else { (lo, hi) }))
}

impl Tensor {
    /// `bincount(weights=None, minlength=0)`: how often each value of this 1-D non-negative
    /// integer tensor occurs (int64), or the sum of the `weights` at its positions (float32 for
    /// float32 weights, float64 otherwise); at least `minlength` bins.
    pub fn bincount(&self, weights: Option<&Tensor>, minlength: i64) -> Result<Tensor> {
        if self.dtype().is_floating() || self.dtype() == DType::Bool {
            return Err(Error::DTypeNotSupported {
                op: "bincount_cpu",
                dtype: self.dtype().torch_name(),
            });
        }
        if minlength < 0 {
            return Err(Error::Runtime("minlength should be >= 0".into()));
        }
        if self.ndim() == 1 && self.numel() == 0 {
            return Tensor::zeros(&[minlength as usize], DType::Int64);
        }
        let x = self.detach().to_dtype(DType::Int64)?.contiguous()?;
        let (lo, hi) = with_slice::<i64, _>(&x, |v| {
            let lo = v.iter().copied().min().unwrap_or(0);
            let hi = v.iter().copied().max().unwrap_or(0);
            (lo, hi)
        })?;
        if self.ndim() != 1 || lo < 0 {
            return Err(Error::Runtime(
                "bincount only supports 1-d non-negative integral inputs.".into(),
            ));
        }
        if let Some(w) = weights {
            if w.ndim() != 1 || w.shape()[0] != self.shape()[0] {
                return Err(Error::Runtime(
                    "weights should be 1-d and have the same length as input".into(),
                ));
            }
        }
        let bins = (hi as usize).saturating_add(1).max(minlength as usize);
        // A hostile maximum asks for a huge result: let the allocator refuse it first.
        drop(Tensor::uninit(&[bins], DType::Float64)?);
        let out = with_slice::<i64, _>(&x, |v| match weights {
            None => Tensor::from_vec(k::bincount(v, bins), &[bins]),
            Some(w) if w.dtype() == DType::Float32 => with_slice::<f32, _>(w, |w| {
                Tensor::from_vec(k::bincount_weighted(v, w, bins), &[bins])
            })?,
            Some(w) => {
                let w = w.detach().to_dtype(DType::Float64)?;
                with_slice::<f64, _>(&w, |w| {
                    Tensor::from_vec(k::bincount_weighted(v, w, bins), &[bins])
                })?
            }
        })??;
        let mut inputs = vec![self];
        inputs.extend(weights);
        Ok(record(out, "NotImplemented", &inputs, || {
            NoDerivative("aten::bincount")
        }))
    }

    /// `histc(bins=100, min=0, max=0)`: the counts of the elements in `bins` equal bins between
    /// `min` and `max` (the data's range when they are equal), in the input's floating dtype.
    pub fn histc(&self, bins: i64, min: f64, max: f64) -> Result<Tensor> {
        let (mut lo, mut hi) = (min, max);
        if lo == hi {
            if let Some((a, b)) = data_range(self)? {
                // C++ prints the NaN aminmax gives as `-nan`.
                (lo, hi) = if a.is_nan() {
                    (-f64::NAN, -f64::NAN)
                } else {
                    (a, b)
                };
            }
        }
        if lo == hi {
            lo -= 1.0;
            hi += 1.0;
        }
        if !lo.is_finite() || !hi.is_finite() {
            return Err(Error::Runtime(format!(
                "torch.histc: range of [{}, {}] is not finite",
                fmt_double(lo),
                fmt_double(hi)
            )));
        }
        if lo >= hi {
            return Err(Error::Runtime(
                "torch.histc: max must be larger than min".into(),
            ));
        }
        check_bins(bins)?;
        let edges = match self.dtype() {
            DType::Float32 | DType::Float64 | DType::Float16 | DType::BFloat16 => {
                Tensor::linspace(Scalar::Float(lo), Scalar::Float(hi), bins + 1, self.dtype())?
            }
            other => {
                return Err(Error::DTypeNotSupported {
                    op: "histogram_cpu",
                    dtype: other.torch_name(),
                })
            }
        };
        if self.dtype().is_half() {
            // the half types bin in float32 (between edges rounded to the half type); the counts
            // are converted back
            let wide = |t: &Tensor| t.detach().to_dtype(DType::Float32);
            let h = run_histogram(&wide(self)?, None, &wide(&edges)?, BinSearch::Linear)?;
            return h.to_dtype(self.dtype());
        }
        run_histogram(self, None, &edges, BinSearch::Linear)
    }

    /// `histogram(bins, *, range=None, weight=None, density=False)` with `bins` equal bins over
    /// `range` (the data's range by default): the histogram and the bin edges.
    pub fn histogram_bins(
        &self,
        bins: i64,
        range: Option<(f64, f64)>,
        weight: Option<&Tensor>,
        density: bool,
    ) -> Result<(Tensor, Tensor)> {
        check_bins(bins)?;
        let (mut lo, mut hi) = match range {
            Some(r) => r,
            // torch's edges of no elements span [0, 1].
            None => data_range(self)?.unwrap_or((0.0, 1.0)),
        };
        if !lo.is_finite() || !hi.is_finite() {
            return Err(Error::Runtime(format!(
                "torch.histogramdd: dimension 0's range [{}, {}] is not finite",
                fmt_double(lo),
                fmt_double(hi)
            )));
        }
        if lo > hi {
            return Err(Error::Runtime(format!(
                "torch.histogramdd: min should not exceed max, but got min {} max {} for dimension 0",
                fmt_double(lo),
                fmt_double(hi)
            )));
        }
        if lo == hi {
            lo -= 0.5;
            hi += 0.5;
        }
        let edges = Tensor::linspace(Scalar::Float(lo), Scalar::Float(hi), bins + 1, self.dtype())?;
        self.histogram_edges_as(&edges, weight, density, BinSearch::LinearLocal)
    }

    /// `histogram(bins, *, weight=None, density=False)` with `bins` a 1-D tensor of edges.
    pub fn histogram_edges(
        &self,
        bins: &Tensor,
        weight: Option<&Tensor>,
        density: bool,
    ) -> Result<(Tensor, Tensor)> {
        self.histogram_edges_as(bins, weight, density, BinSearch::Binary)
    }

    /// The histogram over `edges` found by `how`, torch's input checks first.
    fn histogram_edges_as(
        &self,
        edges: &Tensor,
        weight: Option<&Tensor>,
        density: bool,
        how: BinSearch,
    ) -> Result<(Tensor, Tensor)> {
        if self.dtype() != edges.dtype() {
            return Err(Error::Runtime(format!(
                "torch.histogramdd: input tensor and bins tensors should have the same dtype, but got input with dtype {} and bins for dimension 0 with dtype {}",
                self.dtype().c_name(),
                edges.dtype().c_name()
            )));
        }
        if edges.ndim() != 1 {
            return Err(Error::Runtime(format!(
                "torch.histogramdd: bins tensor should have one dimension, but got {} dimensions in the bins tensor for dimension 0",
                edges.ndim()
            )));
        }
        if edges.numel() == 0 {
            return Err(Error::Runtime(
                "torch.histogramdd: bins tensor should have at least 1 element, but got 0 elements in the bins tensor for dimension 0".into(),
            ));
        }
        if let Some(w) = weight {
            if w.dtype() != self.dtype() {
                return Err(Error::Runtime(format!(
                    "torch.histogramdd: if weight tensor is provided, input tensor and weight tensor should have the same dtype, but got input({}), and weight({})",
                    self.dtype().c_name(),
                    w.dtype().c_name()
                )));
            }
            if w.numel() != self.numel() {
                return Err(Error::Runtime(format!(
                    "torch.histogramdd: if weight tensor is provided it should have the same shape as the input tensor excluding its innermost dimension, but got input with shape {} and weight with shape {}",
                    fmt_shape(&[self.numel(), 1]),
                    fmt_shape(&[w.numel()])
                )));
            }
        }
        check_bins(edges.numel() as i64 - 1)?;
        if !matches!(self.dtype(), DType::Float32 | DType::Float64) {
            return Err(Error::DTypeNotSupported {
                op: "histogramdd",
                dtype: self.dtype().torch_name(),
            });
        }
        let (hist, out_edges) = without_grad(|| {
            let hist = run_histogram(self, weight, edges, how)?;
            let edges = edges.detach().contiguous()?;
            if !density {
                return Ok::<_, Error>((hist, edges));
            }
            let n = edges.numel() as i64;
            let widths = edges
                .narrow_checked(0, 1, n - 1)?
                .sub(&edges.narrow_checked(0, 0, n - 1)?)?;
            let total = hist.sum(None, false, None)?;
            Ok((hist.div(&total)?.div(&widths)?, edges))
        })?;
        let mut inputs = vec![self, edges];
        inputs.extend(weight);
        let out = record_outputs(vec![hist, out_edges], "NotImplemented", &inputs, || {
            NoDerivative("aten::histogram")
        });
        Ok((out[0].clone(), out[1].clone()))
    }
}

/// torch's check of a bin count.
fn check_bins(bins: i64) -> Result<()> {
    if bins <= 0 {
        return Err(Error::Runtime(format!(
            "torch.histogram(): bins must be > 0, but got {bins} for dimension 0"
        )));
    }
    Ok(())
}

/// The kernel over the elements of `x` (floating), `w` of the same dtype, and `edges`.
fn run_histogram(x: &Tensor, w: Option<&Tensor>, edges: &Tensor, how: BinSearch) -> Result<Tensor> {
    fn go<T: Real>(
        x: &Tensor,
        w: Option<&Tensor>,
        edges: &Tensor,
        how: BinSearch,
    ) -> Result<Tensor> {
        let h = with_slice::<T, _>(x, |xs| {
            with_slice::<T, _>(edges, |es| match w {
                None => Ok(k::histogram(xs, None, es, how)),
                Some(w) => with_slice::<T, _>(w, |ws| k::histogram(xs, Some(ws), es, how)),
            })
        })???;
        let n = h.len();
        Tensor::from_vec(h, &[n])
    }
    match x.dtype() {
        DType::Float32 => go::<f32>(x, w, edges, how),
        DType::Float64 => go::<f64>(x, w, edges, how),
        other => Err(Error::DTypeNotSupported {
            op: "histogram_cpu",
            dtype: other.torch_name(),
        }),
    }
}

/// `bincount`.
pub static BINCOUNT: OpDef = OpDef {
    name: "bincount",
    doc: "How often each value of a 1-D non-negative integer tensor occurs (or its weights' sum).",
    signatures: &["bincount(Tensor input, Tensor? weights=None, int minlength=0)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["NotImplemented"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        Ok(Ret::Tensor(
            a.tensor(0)?.bincount(a.opt_tensor(1)?, a.int(2)?)?,
        ))
    },
};

/// `histc`.
pub static HISTC: OpDef = OpDef {
    name: "histc",
    doc: "The counts of the elements in `bins` equal bins between `min` and `max`.",
    signatures: &["histc(Tensor input, int bins=100, Scalar min=0, Scalar max=0)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?
                .histc(a.int(1)?, a.scalar(2)?.as_f64(), a.scalar(3)?.as_f64())
        })
    },
};

/// `histogram`.
pub static HISTOGRAM: OpDef = OpDef {
    name: "histogram",
    doc: "The histogram of the elements over `bins` bins (or the given edges) and the bin edges.",
    signatures: &[
        "histogram(Tensor input, Tensor bins, *, Tensor? weight=None, bool density=False) -> return_types.histogram",
        "histogram(Tensor input, int bins=100, *, float[]? range=None, Tensor? weight=None, bool density=False) -> return_types.histogram",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["NotImplemented"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        if let Dest::Out(_) = d {
            return Err(Error::Type(
                "histogram(): argument 'out' must be tuple of Tensors, not Tensor".into(),
            ));
        }
        let x = a.tensor(0)?;
        let (h, e) = match a.overload {
            0 => x.histogram_edges(a.tensor(1)?, a.opt_tensor(2)?, a.bool(3)?)?,
            _ => {
                check_bins(a.int(1)?)?;
                let range = match a.opt_floats(2)? {
                    None => None,
                    Some(r) if r.len() == 2 => Some((r[0], r[1])),
                    Some(r) => {
                        return Err(Error::Runtime(format!(
                            "torch.histogramdd: for a 1-dimensional histogram range should have 2 elements, but got {}",
                            r.len()
                        )))
                    }
                };
                x.histogram_bins(a.int(1)?, range, a.opt_tensor(3)?, a.bool(4)?)?
            }
        };
        Ok(Ret::Tuple("histogram", vec![h, e]))
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&BINCOUNT, &HISTC, &HISTOGRAM];
