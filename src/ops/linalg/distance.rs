//! `cdist` (the `p`-norm distances between rows, with torch's choice of the Euclidean
//! matrix-product formulation), `cov` and `corrcoef` (torch's compositions), `cross` /
//! `linalg.cross` and `renorm`.

use super::gemm::{product_scaled, Operand, Scale};
use super::{batched, scalar_type_name};
use crate::autograd::mode::without_grad;
use crate::autograd::rules::distance::{record_cdist, record_cross, record_renorm};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::registry::{Args, Forms, OpDef};
use crate::scalar::Scalar;
use crate::shape::{broadcast_shapes, normalize_dim};
use crate::tensor::Tensor;

/// Sizes as `i64`.
fn sizes(dims: &[usize]) -> Vec<i64> {
    dims.iter().map(|&d| d as i64).collect()
}

/// `cdist`'s `compute_mode`: 0 uses the matrix product for `p = 2` past 25 rows, 1 always, 2
/// never.
fn compute_mode(mode: &str) -> Result<u8> {
    Ok(match mode {
        "use_mm_for_euclid_dist_if_necessary" => 0,
        "use_mm_for_euclid_dist" => 1,
        "donot_use_mm_for_euclid_dist" => 2,
        other => {
            return Err(Error::Value(format!(
                "{} is not a valid value for compute_mode",
                other
            )))
        }
    })
}

/// The Euclidean distances of 3-D operands without autograd: one gemm for `-2 a @ b^T`, then
/// one pass adding the squared norms, clamping at `1e-30` and taking the root.
fn euclidean_fast(a: &Tensor, b: &Tensor, batch: usize) -> Result<Tensor> {
    let n1 = a.mul(a)?.sum(Some(&[-1]), false, None)?.contiguous()?;
    let n2 = b.mul(b)?.sum(Some(&[-1]), false, None)?.contiguous()?;
    let bt = b.transpose(1, 2)?;
    let shape = [batch, a.shape()[1], b.shape()[1]];
    let ops: (Operand, Operand) = (batched(a, &[batch]), batched(&bt, &[batch]));
    let scale = Scale {
        init: None,
        beta: Scalar::Int(0),
        alpha: Scalar::Int(-2),
    };
    let out = product_scaled(&ops.0, &ops.1, &[batch], &shape, Some(scale))?;
    crate::kernels::distance::finish_euclidean(&out, &n1, &n2)?;
    Ok(out)
}

/// torch's `_euclidean_dist` as a differentiable composition (used when a gradient is needed).
fn euclidean_graph(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let na = a.pow(2.0)?.sum(Some(&[-1]), true, None)?;
    let nb = b.pow(2.0)?.sum(Some(&[-1]), true, None)?;
    let (oa, ob) = (
        Tensor::full(na.shape(), Scalar::Int(1), a.dtype())?,
        Tensor::full(nb.shape(), Scalar::Int(1), b.dtype())?,
    );
    let a_ = crate::ops::join::cat(&[a.mul(-2.0)?, na, oa], -1)?;
    let b_ = crate::ops::join::cat(&[b.clone(), ob, nb], -1)?;
    a_.matmul(&b_.transpose(-2, -1)?)?
        .clamp(Some(Scalar::Float(1e-30)), None)?
        .sqrt()
}

/// A float as C++'s `<<` prints it: integral values without a decimal point.
fn shortest(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{}", v)
    }
}

impl Tensor {
    /// `cdist`: the `p`-norm distance between each row of `self` (`... x P x M`) and each row
    /// of `x2` (`... x R x M`), batch dims broadcast.
    pub fn cdist(&self, x2: &Tensor, p: f64, mode: &str) -> Result<Tensor> {
        let mode = compute_mode(mode)?;
        let x1 = self;
        for (t, name) in [(x1, "X1"), (x2, "X2")] {
            if t.ndim() < 2 {
                return Err(Error::Runtime(format!(
                    "cdist only supports at least 2D tensors, {} got: {}D",
                    name,
                    t.ndim()
                )));
            }
        }
        let (c1, c2) = (x1.shape()[x1.ndim() - 1], x2.shape()[x2.ndim() - 1]);
        if c1 != c2 {
            return Err(Error::Runtime(format!(
                "X1 and X2 must have the same number of columns. X1: {} X2: {}",
                c1, c2
            )));
        }
        for (t, name) in [(x1, "X1"), (x2, "X2")] {
            if !t.dtype().is_floating() {
                return Err(Error::Runtime(format!(
                    "cdist only supports floating-point dtypes, {} got: {}",
                    name,
                    scalar_type_name(t.dtype())
                )));
            }
        }
        if p < 0.0 || p.is_nan() {
            return Err(Error::Runtime(
                "cdist only supports non-negative p values".into(),
            ));
        }
        if x1.dtype() != x2.dtype() {
            return Err(Error::Runtime(format!(
                "expected scalar type {} but found {}",
                scalar_type_name(x1.dtype()),
                scalar_type_name(x2.dtype())
            )));
        }
        let (r1, r2) = (x1.shape()[x1.ndim() - 2], x2.shape()[x2.ndim() - 2]);
        let batch = broadcast_shapes(&x1.shape()[..x1.ndim() - 2], &x2.shape()[..x2.ndim() - 2])?;
        let count: usize = batch.iter().product();
        let mut out_shape = batch.clone();
        out_shape.extend([r1, r2]);
        let flat = |t: &Tensor, r: usize| -> Result<Tensor> {
            let mut to = batch.clone();
            to.extend([r, c1]);
            t.expand(&sizes(&to))?
                .reshape(&[count as i64, r as i64, c1 as i64])
        };
        let use_mm = p == 2.0 && (mode == 1 || (mode == 0 && (r1 > 25 || r2 > 25)));
        let empty = x1.numel() == 0 || x2.numel() == 0;
        if use_mm && !empty {
            if x1.requires_grad() || x2.requires_grad() {
                let d = euclidean_graph(&flat(x1, r1)?, &flat(x2, r2)?)?;
                return d.view(&sizes(&out_shape));
            }
            let (a, b) = (flat(x1, r1)?, flat(x2, r2)?);
            return euclidean_fast(&a, &b, count)?.view(&sizes(&out_shape));
        }
        let d = without_grad(|| {
            let a = flat(x1, r1)?.contiguous()?;
            let b = flat(x2, r2)?.contiguous()?;
            crate::kernels::distance::cdist(&a, &b, p)
        })?;
        let out = d.reshape(&sizes(&out_shape))?;
        Ok(record_cdist(out, p, batch, x1, x2))
    }

    /// `cov`: the covariance of the rows (variables) over the columns (observations), with
    /// `correction` and optional integer frequency and float observation weights.
    pub fn cov(
        &self,
        correction: i64,
        fweights: Option<&Tensor>,
        aweights: Option<&Tensor>,
    ) -> Result<Tensor> {
        if self.ndim() > 2 {
            return Err(Error::Runtime(format!(
                "cov(): expected input to have two or fewer dimensions but got an input with {} dimensions",
                self.ndim()
            )));
        }
        if self.dtype() == DType::Bool {
            return Err(Error::NotImplemented(
                "cov(): bool dtype is not supported for input".into(),
            ));
        }
        // Made contiguous first: the centred copy needs the memory anyway, and an input expanded
        // past what memory holds fails here rather than after a sum over all of it.
        let input = if self.ndim() < 2 {
            self.view(&[1, -1])?
        } else {
            self.clone()
        }
        .contiguous()?;
        let n = input.shape()[1];
        let check = |w: &Tensor, name: &str, integral: bool| -> Result<()> {
            if w.ndim() > 1 {
                return Err(Error::Runtime(format!(
                    "cov(): expected {name} to have one or fewer dimensions but got {name} with {} dimensions",
                    w.ndim()
                )));
            }
            let ok = if integral {
                matches!(w.dtype(), DType::Int32 | DType::Int64 | DType::Bool)
            } else {
                w.dtype().is_floating()
            };
            if !ok {
                return Err(Error::Runtime(format!(
                    "cov(): expected {name} to have {} dtype but got {name} with {} dtype",
                    if integral {
                        "integral"
                    } else {
                        "floating point"
                    },
                    scalar_type_name(w.dtype())
                )));
            }
            if w.numel() != n {
                return Err(Error::Runtime(format!(
                    "cov(): expected {name} to have the same numel as there are observations in the input but got {} != {}",
                    w.numel(),
                    n
                )));
            }
            if n > 0 && w.to_vec_f64()?.iter().any(|&v| v < 0.0) {
                return Err(Error::Runtime(format!("cov(): {name} cannot be negative")));
            }
            Ok(())
        };
        let mut w: Option<Tensor> = None;
        if let Some(f) = fweights {
            check(f, "fweights", true)?;
            w = Some(f.clone());
        }
        if let Some(a) = aweights {
            check(a, "aweights", false)?;
            w = Some(match w {
                Some(f) => f.mul(a)?,
                None => a.clone(),
            });
        }
        let w_sum = match &w {
            Some(w) => w.sum(None, false, None)?,
            None => Tensor::scalar_tensor(Scalar::Int(n as i64), DType::Int64)?,
        };
        if w.is_some() && w_sum.to_vec_f64()?[0] == 0.0 {
            return Err(Error::Runtime(
                "cov(): weights sum to zero, can't be normalized".into(),
            ));
        }
        let weighted = |t: &Tensor| -> Result<Tensor> {
            match &w {
                Some(w) => t.mul(w),
                None => Ok(t.clone()),
            }
        };
        let avg = weighted(&input)?
            .sum(Some(&[1]), false, None)?
            .div(&w_sum)?;
        let norm_factor = match (&w, aweights) {
            (Some(w), Some(a)) if correction != 0 => {
                let wa = w.mul(a)?.sum(None, false, None)?;
                w_sum.sub(&wa.mul(correction)?.div(&w_sum)?)?
            }
            _ => w_sum.sub(correction)?,
        };
        let norm_factor = if norm_factor.to_vec_f64()?[0] <= 0.0 {
            norm_factor.mul(0)?
        } else {
            norm_factor
        };
        let centred = input.sub(&avg.unsqueeze(1)?)?;
        let c = centred.mm(&weighted(&centred)?.t()?)?;
        c.div(&norm_factor)?.squeeze(None)
    }

    /// `corrcoef`: the Pearson correlation coefficients of the rows, clipped to [-1, 1].
    pub fn corrcoef(&self) -> Result<Tensor> {
        if self.ndim() > 2 {
            return Err(Error::Runtime(format!(
                "corrcoef(): expected input to have two or fewer dimensions but got an input with {} dimensions",
                self.ndim()
            )));
        }
        let c = self.cov(1, None, None)?;
        if c.ndim() == 0 {
            return c.div(&c);
        }
        let std = c.diagonal(0, 0, 1)?.sqrt()?;
        let c = c.div(&std.view(&[-1, 1])?)?.div(&std.view(&[1, -1])?)?;
        c.clamp(Some(Scalar::Int(-1)), Some(Scalar::Int(1)))
    }

    /// `linalg.cross`: the cross product of 3-vectors along `dim` (broadcast).
    pub fn linalg_cross(&self, other: &Tensor, dim: i64) -> Result<Tensor> {
        if self.ndim() != other.ndim() {
            return Err(Error::Runtime(
                "linalg.cross: inputs must have the same number of dimensions.".into(),
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let (sa, sb) = (self.shape()[d], other.shape()[d]);
        if sa != 3 || sb != 3 {
            return Err(Error::Runtime(format!(
                "linalg.cross: inputs dimension {} must have length 3. Got {} and {}",
                dim, sa, sb
            )));
        }
        let shape = broadcast_shapes(self.shape(), other.shape())?;
        if self.dtype() != other.dtype() {
            return Err(Error::Runtime(format!(
                "expected scalar type {} but found {}",
                scalar_type_name(self.dtype()),
                scalar_type_name(other.dtype())
            )));
        }
        if self.dtype() == DType::Bool {
            return Err(Error::DTypeNotSupported {
                op: "cross",
                dtype: "Bool",
            });
        }
        let out = without_grad(|| {
            let i1 = Tensor::from_vec(vec![1i64, 2, 0], &[3])?;
            let i2 = Tensor::from_vec(vec![2i64, 0, 1], &[3])?;
            let (a, b) = (self.expand(&sizes(&shape))?, other.expand(&sizes(&shape))?);
            let (a1, a2) = (
                a.index_select(d as i64, &i1)?,
                a.index_select(d as i64, &i2)?,
            );
            let (b1, b2) = (
                b.index_select(d as i64, &i1)?,
                b.index_select(d as i64, &i2)?,
            );
            a1.mul(&b2)?.sub(&a2.mul(&b1)?)
        })?;
        Ok(record_cross(out, d as i64, self, other))
    }

    /// `cross`: `linalg.cross` along `dim`, by default (deprecated) the first dim of size 3.
    pub fn cross(&self, other: &Tensor, dim: Option<i64>) -> Result<Tensor> {
        let dim = match dim {
            Some(d) => d,
            None => {
                if self.ndim() != other.ndim() {
                    return self.linalg_cross(other, -1);
                }
                let shape = broadcast_shapes(self.shape(), other.shape())?;
                match shape.iter().position(|&s| s == 3) {
                    Some(d) => d as i64,
                    None => return Err(Error::Runtime("no dimension of size 3 in input".into())),
                }
            }
        };
        self.linalg_cross(other, dim)
    }

    /// `renorm`: each slice along `dim` whose `p`-norm exceeds `maxnorm` scaled down to it.
    pub fn renorm(&self, p: f64, dim: i64, maxnorm: f64) -> Result<Tensor> {
        if p.is_nan() || p <= 0.0 {
            return Err(Error::Runtime(
                "renorm: non-positive-norm not supported".into(),
            ));
        }
        if maxnorm.is_nan() || maxnorm < 0.0 {
            return Err(Error::Runtime(format!(
                "renorm: expected maxnorm to be >= 0 but got {}",
                shortest(maxnorm)
            )));
        }
        if self.ndim() < 2 {
            return Err(Error::Runtime(format!(
                "renorm: input needs at least 2 dimensions, got {} dimensions",
                self.ndim()
            )));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let dims: Vec<i64> = (0..self.ndim() as i64)
            .filter(|&i| i as usize != d)
            .collect();
        let out = without_grad(|| {
            // torch: the norms and factors of the half types in float32, the factors then
            // rounded to the half type
            let wide = if self.dtype().is_half() {
                self.to_dtype(DType::Float32)?
            } else {
                self.clone()
            };
            let norm = wide.vector_norm(p, Some(&dims), true)?;
            let over = norm.gt(maxnorm)?;
            let factor = norm.add(1e-7)?.reciprocal()?.mul(maxnorm)?;
            let one = Tensor::full(&[], Scalar::Int(1), factor.dtype())?;
            let factor = Tensor::where_(
                &over,
                &crate::value::Value::Tensor(factor),
                &crate::value::Value::Tensor(one),
            )?;
            self.mul(&factor.to_dtype(self.dtype())?)
        })?;
        Ok(record_renorm(out, p, d, maxnorm, self))
    }
}

/// `cdist`.
pub static CDIST: OpDef = OpDef {
    name: "cdist",
    doc: "The p-norm distance between each pair of rows of two batches of matrices.",
    signatures: &["cdist(Tensor x1, Tensor x2, float p=2, str compute_mode='use_mm_for_euclid_dist_if_necessary')"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["CdistBackward0", "ViewBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a: &Args| {
            a.tensor(0)?.cdist(a.tensor(1)?, a.float(2)?, a.str(3)?)
        })
    },
};

/// `cov`.
pub static COV: OpDef = OpDef {
    name: "cov",
    doc: "The covariance matrix of the rows (variables) over the columns (observations).",
    signatures: &[
        "cov(Tensor input, *, int correction=1, Tensor? fweights=None, Tensor? aweights=None)",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["SqueezeBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a: &Args| {
            a.tensor(0)?
                .cov(a.int(1)?, a.opt_tensor(2)?, a.opt_tensor(3)?)
        })
    },
};

/// `corrcoef`.
pub static CORRCOEF: OpDef = OpDef {
    name: "corrcoef",
    doc: "The Pearson correlation coefficients of the rows.",
    signatures: &["corrcoef(Tensor input)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["ClampBackward1", "DivBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.corrcoef()),
};

/// `linalg.cross`.
pub static LINALG_CROSS: OpDef = OpDef {
    name: "linalg.cross",
    doc: "The cross product of 3-vectors along `dim`, broadcast.",
    signatures: &["cross(Tensor input, Tensor other, *, int dim=-1)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["LinalgCrossBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.linalg_cross(a.tensor(1)?, a.int(2)?)),
};

/// `cross`.
pub static CROSS: OpDef = OpDef {
    name: "cross",
    doc: "The cross product along `dim` (by default, deprecated: the first dim of size 3).",
    signatures: &["cross(Tensor input, Tensor other, int? dim=None)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["LinalgCrossBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.cross(a.tensor(1)?, a.opt_int(2)?)),
};

/// `renorm`.
pub static RENORM: OpDef = OpDef {
    name: "renorm",
    doc: "Scales each slice along `dim` whose p-norm exceeds `maxnorm` down to `maxnorm`.",
    signatures: &["renorm(Tensor input, Scalar p, int dim, Scalar maxnorm)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["RenormBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a: &Args| {
            let (p, m) = (a.scalar(1)?.as_f64(), a.scalar(3)?.as_f64());
            a.tensor(0)?.renorm(p, a.int(2)?, m)
        })
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&CDIST, &COV, &CORRCOEF, &LINALG_CROSS, &CROSS, &RENORM];
