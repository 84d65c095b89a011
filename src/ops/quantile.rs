//! `quantile` and `nanquantile`, composed as torch composes them (`quantile_compute` in
//! `aten/src/ATen/native/Sorting.cpp`): sort along the dim, compute the ranks `q * (n - 1)`
//! (in double precision, as torch does; the interpolation weights are then rounded to the
//! input's dtype)
//! (NaN rows pointing at the last element for `quantile`; `nanquantile` counting only the
//! numbers), round them for the `lower` / `higher` / `nearest` modes, gather, and interpolate
//! with `lerp` for `linear` / `midpoint`. The gradient follows from the differentiable pieces
//! (`SortBackward0`, `GatherBackward0`, `LerpBackward1`), the last node being torch's in-place
//! `squeeze_` (`SqueezeBackward4`).

use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::ops::registry::{Forms, OpDef};
use crate::scalar::Scalar;
use crate::shape::normalize_dim;
use crate::tensor::Tensor;
use crate::value::Value;

/// How a quantile between two elements is picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpolation {
    /// `lo + (hi - lo) * frac`.
    Linear,
    /// The lower element.
    Lower,
    /// The higher element.
    Higher,
    /// Their mean.
    Midpoint,
    /// The nearer one (ties to the even rank).
    Nearest,
}

impl Interpolation {
    /// Parses torch's name of a mode.
    pub fn parse(s: &str) -> Result<Interpolation> {
        Ok(match s {
            "linear" => Interpolation::Linear,
            "lower" => Interpolation::Lower,
            "higher" => Interpolation::Higher,
            "midpoint" => Interpolation::Midpoint,
            "nearest" => Interpolation::Nearest,
            other => {
                return Err(Error::Runtime(format!(
                    "quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but got {other}"
                )))
            }
        })
    }
}

/// The int64 rank tensors and the float weights of every row and quantile.
struct Ranks {
    below: Vec<i64>,
    above: Vec<i64>,
    weight: Vec<f64>,
    /// The factor of every row (`n - 1`, or the count of numbers less one for `nanquantile`).
    mult: Vec<f64>,
    /// Where the rank is not `q * mult` but a constant (a NaN row of `quantile`, a negative
    /// rank of `nanquantile`).
    fixed: Vec<bool>,
}

/// The ranks of the quantiles `qs` in every row (`n` elements each, NaN last) of `sorted`.
fn ranks<T: Element>(sorted: &[T], n: usize, qs: &[f64], how: Interpolation, nan: bool) -> Ranks {
    let rows = sorted.len() / n.max(1);
    let dtype = T::DTYPE;
    let mut r = Ranks {
        below: Vec::with_capacity(rows * qs.len()),
        above: Vec::with_capacity(rows * qs.len()),
        weight: Vec::with_capacity(rows * qs.len()),
        mult: Vec::with_capacity(rows),
        fixed: Vec::with_capacity(rows * qs.len()),
    };
    for row in 0..rows {
        let line = &sorted[row * n..(row + 1) * n];
        let numbers = line.iter().take_while(|v| !v.to_f64().is_nan()).count();
        let mult = if nan {
            numbers as f64 - 1.0
        } else {
            (n - 1) as f64
        };
        r.mult.push(mult);
        for &q in qs {
            r.fixed.push(if nan { q * mult < 0.0 } else { numbers < n });
            let mut rank = if nan {
                (q * (numbers as f64 - 1.0)).max(0.0)
            } else if numbers < n {
                (n - 1) as f64
            } else {
                q * (n - 1) as f64
            };
            rank = match how {
                Interpolation::Lower => rank.floor(),
                Interpolation::Higher => rank.ceil(),
                Interpolation::Nearest => rank.round_ties_even(),
                _ => rank,
            };
            let below = rank as i64;
            let w = match how {
                Interpolation::Midpoint => 0.5,
                _ => rank - below as f64,
            };
            r.below.push(below);
            r.above.push(rank.ceil() as i64);
            r.weight.push(if dtype == DType::Float32 {
                w as f32 as f64
            } else {
                w
            });
        }
    }
    r
}

impl Tensor {
    /// `quantile(q, dim=None, keepdim=False, *, interpolation='linear')` (`nan` false) and
    /// `nanquantile` (`nan`: NaNs ignored): the `q`-quantiles (`q` a 0-dim or 1-D tensor of the
    /// input's dtype; a 1-D `q` adds a first dim) of every element or along `dim`.
    pub fn quantile(
        &self,
        q: &Tensor,
        dim: Option<i64>,
        keepdim: bool,
        interpolation: &str,
        nan: bool,
    ) -> Result<Tensor> {
        let how = Interpolation::parse(interpolation)?;
        if self.numel() == 0 {
            return Err(Error::Runtime(
                "quantile() input tensor must be non-empty".into(),
            ));
        }
        if q.ndim() > 1 {
            return Err(Error::Runtime(
                "quantile() q must be a scalar or 1D tensor".into(),
            ));
        }
        if !matches!(self.dtype(), DType::Float32 | DType::Float64) {
            return Err(Error::Runtime(
                "quantile() input tensor must be either float or double dtype".into(),
            ));
        }
        if q.dtype() != self.dtype() {
            return Err(Error::Runtime(
                "quantile() q tensor must be same dtype as the input tensor".into(),
            ));
        }
        let qs = q.to_vec_f64()?;
        if qs.iter().any(|&v| !(0.0..=1.0).contains(&v)) {
            return Err(Error::Runtime(
                "quantile() q values must be in the range [0, 1]".into(),
            ));
        }
        let nd = self.ndim() as i64;
        let wrapped = normalize_dim(dim.unwrap_or(0), self.ndim())? as i64;
        // The output shape without q's dim.
        let mut out_shape: Vec<i64> = if dim.is_some() && nd > 0 {
            let mut s: Vec<i64> = self.shape().iter().map(|&v| v as i64).collect();
            if keepdim {
                s[wrapped as usize] = 1;
            } else {
                s.remove(wrapped as usize);
            }
            s
        } else if keepdim {
            vec![1; self.ndim()]
        } else {
            vec![]
        };
        let sorted = match dim {
            None => self.flatten(0, -1)?.sort(-1, false, None)?.0,
            Some(_) if wrapped == nd - 1 => self.sort(-1, false, None)?.0,
            Some(_) => {
                self.unsqueeze(-1)?
                    .transpose(wrapped, -1)?
                    .sort(-1, false, None)?
                    .0
            }
        };
        let n = *sorted.shape().last().unwrap_or(&1);
        if n > 1 << 24 {
            return Err(Error::Runtime(
                "quantile() input tensor is too large".into(),
            ));
        }
        out_shape.push(n as i64);
        let sorted = sorted.reshape(&out_shape)?;
        out_shape.pop();
        let k = qs.len();
        let data = sorted.detach().contiguous()?;
        let r = crate::dispatch_numeric!(data.dtype(), T => {
            // SAFETY: `data` is a live contiguous tensor of `T` (dispatched on its dtype) with
            // `numel` elements, not written while the slice lives.
            let s = unsafe { std::slice::from_raw_parts(data.data_ptr_typed::<T>(), data.numel()) };
            ranks(s, n, &qs, how, nan)
        }, bool => unreachable!("quantile of a floating tensor"));
        let mut idx_shape: Vec<usize> = out_shape.iter().map(|&v| v as usize).collect();
        idx_shape.push(k);
        let below = Tensor::from_vec(r.below, &idx_shape)?;
        let mut v = sorted.gather(-1, &below)?;
        if matches!(how, Interpolation::Linear | Interpolation::Midpoint) {
            let above = Tensor::from_vec(r.above, &idx_shape)?;
            let w = if how == Interpolation::Linear && q.requires_grad() {
                // The weights as a function of `q`, for its gradient: `q * mult`, constant
                // where fixed, less the rank below.
                let mut mshape = idx_shape.clone();
                mshape[idx_shape.len() - 1] = 1;
                let mult = Tensor::from_vec(r.mult, &mshape)?;
                let fixed = Tensor::from_vec(r.fixed, &idx_shape)?;
                let fill = if nan { 0.0 } else { (n - 1) as f64 };
                q.to_dtype(DType::Float64)?
                    .reshape(&[k as i64])?
                    .mul(&mult)?
                    .masked_fill(&fixed, &Value::Scalar(Scalar::Float(fill)))?
                    .sub(&below.detach().to_dtype(DType::Float64)?)?
                    .to_dtype(self.dtype())?
            } else {
                Tensor::from_vec(r.weight, &idx_shape)?.to_dtype(self.dtype())?
            };
            v = v.lerp(&sorted.gather(-1, &above)?, &w)?;
        }
        if q.ndim() == 0 {
            v.squeeze_dim_named(-1, "SqueezeBackward4")
        } else {
            v.unsqueeze(0)?
                .transpose(0, -1)?
                .squeeze_dim_named(-1, "SqueezeBackward4")
        }
    }

    /// [`Tensor::quantile`] with a number `q`, checked to lie in `[0, 1]` first.
    pub fn quantile_scalar(
        &self,
        q: f64,
        dim: Option<i64>,
        keepdim: bool,
        interpolation: &str,
        nan: bool,
    ) -> Result<Tensor> {
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::Runtime(format!(
                "quantile() q must be in the range [0, 1] but got {}",
                crate::error::fmt_double(q)
            )));
        }
        let qt = Tensor::scalar_tensor(Scalar::Float(q), self.dtype())?;
        self.quantile(&qt, dim, keepdim, interpolation, nan)
    }
}

/// The declaration of `quantile` (`nan` false) or `nanquantile`.
macro_rules! quantile_op {
    ($id:ident, $name:literal, $nan:expr, $doc:literal, $nodes:expr) => {
        #[doc = concat!("`", $name, "`.")]
        pub static $id: OpDef = OpDef {
            name: $name,
            doc: $doc,
            signatures: &[
                concat!($name, "(Tensor input, Tensor q, int? dim=None, bool keepdim=False, *, str interpolation='linear')"),
                concat!($name, "(Tensor input, float q, int? dim=None, bool keepdim=False, *, str interpolation='linear')"),
            ],
            forms: Forms::BOTH_OUT,
            aliases: &[],
            nodes: $nodes,
            method_signatures: &[],
            source: file!(),
            run: |a, d| {
                d.finish(a, |a| {
                    let x = a.tensor(0)?;
                    let (dim, keep, how) = (a.opt_int(2)?, a.bool(3)?, a.str(4)?);
                    match a.overload {
                        0 => x.quantile(a.tensor(1)?, dim, keep, how, $nan),
                        _ => x.quantile_scalar(a.float(1)?, dim, keep, how, $nan),
                    }
                })
            },
        };
    };
}

quantile_op!(
    QUANTILE,
    "quantile",
    false,
    "The `q`-quantiles of every element or along `dim` (NaN if there is one), interpolated.",
    &["SqueezeBackward4"]
);
quantile_op!(
    NANQUANTILE,
    "nanquantile",
    true,
    "The `q`-quantiles of the values that are not NaN, of every element or along `dim`.",
    &["SqueezeBackward4"]
);

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&QUANTILE, &NANQUANTILE];
