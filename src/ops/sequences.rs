//! Ops on sequences and their products: `block_diag`, `cartesian_prod`, `combinations`, `diff`,
//! `kron`, `vander`, `trapezoid`/`trapz` and `cumulative_trapezoid`. All but `block_diag` are
//! compositions of differentiable ops, in torch's order, so values, dtypes and `grad_fn` names
//! follow torch's (`SubBackward0`, `UnsafeViewBackward0`, `StackBackward0`, `IndexBackward0`,
//! `FlipBackward0`/`CopySlices`, `MulBackward1`/`DivBackward1`, `CumsumBackward0`).

use crate::autograd::graph::SavedTensor;
use crate::autograd::mode::without_grad;
use crate::autograd::record::record;
use crate::autograd::rules::sequences::{Block, BlockDiagRule, ScaleRule, VanderRule};
use crate::autograd::rules::InputMeta;
use crate::dtype::{DType, ResultType};
use crate::error::{Error, Result};
use crate::index_item::IndexItem;
use crate::kernels::copy::copy_checked;
use crate::ops::join::{cat, stack};
use crate::ops::registry::{Forms, OpDef};
use crate::scalar::Scalar;
use crate::shape::{existing_dim, fmt_shape, normalize_dim};
use crate::tensor::Tensor;

/// `block_diag(*tensors)`: the inputs (scalars and vectors as one-row matrices) on the diagonal
/// of a zero matrix, in their promoted dtype.
pub fn block_diag(tensors: &[Tensor]) -> Result<Tensor> {
    let dtype = tensors
        .iter()
        .fold(ResultType::default(), |r, t| r.tensor(t.dtype(), 1))
        .finish();
    if tensors.is_empty() {
        return Tensor::zeros(&[1, 0], DType::Float32);
    }
    let mut blocks = Vec::with_capacity(tensors.len());
    let (mut rows, mut cols) = (0usize, 0usize);
    for (i, t) in tensors.iter().enumerate() {
        let size = match t.ndim() {
            0 => (1, 1),
            1 => (1, t.shape()[0]),
            2 => (t.shape()[0], t.shape()[1]),
            n => {
                return Err(Error::Runtime(format!(
                    "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {} has {} dimensions",
                    i, n
                )))
            }
        };
        blocks.push(Block {
            input: InputMeta::of(t),
            row: rows,
            col: cols,
            size,
        });
        let overflow = || Error::Runtime("numel: integer multiplication overflow".into());
        rows = rows.checked_add(size.0).ok_or_else(overflow)?;
        cols = cols.checked_add(size.1).ok_or_else(overflow)?;
    }
    let out = Tensor::zeros(&[rows, cols], dtype)?;
    for (t, b) in tensors.iter().zip(&blocks) {
        let target = out.narrow(0, b.row, b.size.0).narrow(1, b.col, b.size.1);
        let src = if t.ndim() == 2 {
            t.detach()
        } else {
            t.detach().reshape(&[b.size.0 as i64, b.size.1 as i64])?
        };
        copy_checked(&target, &src)?;
    }
    let inputs: Vec<&Tensor> = tensors.iter().collect();
    Ok(record(out, "BlockDiagBackward0", &inputs, || {
        BlockDiagRule(blocks)
    }))
}

/// torch's check that an input is a vector.
fn expect_vector(t: &Tensor) -> Result<()> {
    if t.ndim() != 1 {
        return Err(Error::Runtime(format!(
            "Expect a 1D vector, but got shape {}",
            fmt_shape(t.shape())
        )));
    }
    Ok(())
}

/// `cartesian_prod(*tensors)`: every tuple of one element from each vector, in row-major order
/// (one vector is returned as it is).
pub fn cartesian_prod(tensors: &[Tensor]) -> Result<Tensor> {
    for t in tensors {
        expect_vector(t)?;
    }
    match tensors {
        [] => Err(Error::Runtime(
            "meshgrid expects a non-empty TensorList".into(),
        )),
        [one] => Ok(one.clone()),
        _ => {
            if tensors.iter().any(|t| t.dtype() != tensors[0].dtype()) {
                return Err(Error::Runtime(
                    "meshgrid expects all tensors to have the same dtype".into(),
                ));
            }
            let sizes: Vec<i64> = tensors.iter().map(|t| t.shape()[0] as i64).collect();
            let columns = tensors
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let mut shape = vec![1i64; tensors.len()];
                    shape[i] = sizes[i];
                    t.reshape(&shape)?.expand(&sizes)?.reshape(&[-1])
                })
                .collect::<Result<Vec<_>>>()?;
            stack(&columns, 1)
        }
    }
}

impl Tensor {
    /// `combinations(r, with_replacement)`: the length-`r` combinations of a vector's elements
    /// (indices increasing, or non-decreasing with replacement), one per row.
    pub fn combinations(&self, r: i64, with_replacement: bool) -> Result<Tensor> {
        expect_vector(self)?;
        if r < 0 {
            return Err(Error::Runtime(format!(
                "Expect a non-negative number, but got {}",
                r
            )));
        }
        if r == 0 {
            return Tensor::uninit(&[0], self.dtype());
        }
        let n = self.shape()[0];
        let r = r as usize;
        let count = combination_count(n, r, with_replacement)
            .filter(|&c| c.saturating_mul(r) <= isize::MAX as usize / 8)
            .ok_or_else(|| {
                Error::OutOfMemory(format!(
                    "combinations: the result of {} elements taken {} at a time is too large",
                    n, r
                ))
            })?;
        let index = Tensor::uninit(&[count, r], DType::Int64)?;
        // SAFETY: `index` is a new contiguous int64 tensor of `count * r` elements, and the
        // loop below writes `r` of them per combination, of which there are `count`.
        let data =
            unsafe { std::slice::from_raw_parts_mut(index.data_ptr().cast::<i64>(), count * r) };
        if count > 0 {
            let mut c: Vec<usize> = if with_replacement {
                vec![0; r]
            } else {
                (0..r).collect()
            };
            for row in data.chunks_exact_mut(r) {
                for (slot, &v) in row.iter_mut().zip(&c) {
                    *slot = v as i64;
                }
                // The next combination in lexicographic order: bump the last position that can
                // grow and reset the ones after it to their smallest values.
                let Some(k) = (0..r).rev().find(|&k| {
                    let cap = if with_replacement { n - 1 } else { n - r + k };
                    c[k] < cap
                }) else {
                    break;
                };
                c[k] += 1;
                for j in k + 1..r {
                    c[j] = if with_replacement { c[k] } else { c[j - 1] + 1 };
                }
            }
        }
        self.index(&[IndexItem::Tensor(index)])
    }

    /// `diff(n, dim, prepend, append)`: the `n`-th forward difference along `dim` (`!=` for
    /// bool), after joining `prepend` and `append` on either side.
    pub fn diff(
        &self,
        n: i64,
        dim: i64,
        prepend: Option<&Tensor>,
        append: Option<&Tensor>,
    ) -> Result<Tensor> {
        if self.ndim() < 1 {
            return Err(Error::Runtime(
                "diff expects input to be at least one-dimensional".into(),
            ));
        }
        if n < 0 {
            return Err(Error::Runtime(format!(
                "order must be non-negative but got {}",
                n
            )));
        }
        let d = normalize_dim(dim, self.ndim())?;
        for other in [prepend, append].into_iter().flatten() {
            if other.ndim() != self.ndim() {
                return Err(Error::Runtime(
                    "diff expects prepend or append to be the same dimension as input".into(),
                ));
            }
            for i in (0..self.ndim()).filter(|&i| i != d) {
                if other.shape()[i] != self.shape()[i] {
                    return Err(Error::Runtime(format!(
                        "diff expects the shape of tensor to prepend or append to match that of input except along the differencing dimension; input.size({}) = {}, but got tensor.size({}) = {}",
                        i, self.shape()[i], i, other.shape()[i]
                    )));
                }
            }
        }
        if n == 0 {
            // torch's `empty_like(self).copy_(self)`: a copy recorded as `CopyBackwards`.
            let out = crate::kernels::copy::empty_like_preserving(self, self.dtype())?;
            out.copy_(self)?;
            return Ok(out);
        }
        let joined = if prepend.is_some() || append.is_some() {
            let parts: Vec<Tensor> = [prepend, Some(self), append]
                .into_iter()
                .flatten()
                .cloned()
                .collect();
            cat(&parts, d as i64)?
        } else {
            self.clone()
        };
        let size = joined.shape()[d];
        let n = (n as usize).min(size);
        let mut result = joined;
        for i in 0..n {
            let len = (size - 1 - i) as i64;
            let hi = result.narrow_checked(d as i64, 1, len)?;
            let lo = result.narrow_checked(d as i64, 0, len)?;
            result = if result.dtype() == DType::Bool {
                hi.logical_xor(&lo)?
            } else {
                hi.sub(&lo)?
            };
        }
        Ok(result)
    }

    /// `kron(other)`: the Kronecker product (shapes padded with leading ones to equal length).
    pub fn kron(&self, other: &Tensor) -> Result<Tensor> {
        let nd = self.ndim().max(other.ndim());
        let (pa, pb) = (nd - self.ndim(), nd - other.ndim());
        let (mut a_shape, mut b_shape, mut shape) = (vec![], vec![], vec![]);
        for i in 0..nd {
            let a = if i >= pa { self.shape()[i - pa] } else { 1 };
            let b = if i >= pb { other.shape()[i - pb] } else { 1 };
            a_shape.extend([a as i64, 1]);
            b_shape.extend([1, b as i64]);
            shape.push(
                a.checked_mul(b).ok_or_else(|| {
                    Error::Runtime("numel: integer multiplication overflow".into())
                })?,
            );
        }
        self.reshape(&a_shape)?
            .mul(&other.reshape(&b_shape)?)?
            .unsafe_view(&shape)
    }

    /// `vander(N, increasing)`: the powers `x^0 .. x^(N-1)` of a vector, one row per element,
    /// highest power first unless `increasing`; integers and bool give int64.
    pub fn vander(&self, n: Option<i64>, increasing: bool) -> Result<Tensor> {
        if self.ndim() != 1 {
            return Err(Error::Runtime("x must be a one-dimensional tensor.".into()));
        }
        let n = match n {
            Some(n) if n < 0 => {
                return Err(Error::Runtime("N must be non-negative.".into()));
            }
            Some(n) => n as usize,
            None => self.shape()[0],
        };
        let dtype = if self.dtype().is_floating() {
            self.dtype()
        } else {
            DType::Int64
        };
        let rows = self.shape()[0];
        // torch fills ones, copies `x` into columns 1.. and takes their running product in
        // place, which records `CopySlices`; the same values, recorded as one node.
        let result = without_grad(|| -> Result<Tensor> {
            let result = if n > 0 {
                Tensor::full(&[rows, n], Scalar::Int(1), dtype)?
            } else {
                Tensor::uninit(&[rows, 0], dtype)?
            };
            if n > 1 {
                let powers = result.narrow(1, 1, n - 1);
                copy_checked(&powers, &self.unsqueeze(1)?)?;
                copy_checked(&powers, &powers.cumprod(1, None)?)?;
            }
            Ok(result)
        })?;
        let result = if n > 1 {
            record(result, "CopySlices", &[self], || VanderRule {
                x: SavedTensor::new(self),
                n,
            })
        } else {
            result
        };
        if increasing {
            Ok(result)
        } else {
            result.flip(&[1])
        }
    }

    /// `trapezoid(x, dim)`: the trapezoidal rule along `dim` at sample points `x`.
    pub fn trapezoid_x(&self, x: &Tensor, dim: i64) -> Result<Tensor> {
        let d = normalize_dim(dim, self.ndim())?;
        if self.shape()[existing_dim(d as i64, self.ndim())?] == 0 {
            return zeros_except(self, d);
        }
        no_bool(self, Some(x), "trapezoid", "`x` or `y`")?;
        let dx = sample_steps(self, x, d, "trapezoid")?;
        let (left, right) = halves(self, d)?;
        let summed = dx
            .mul(&left.add(&right)?)?
            .sum(Some(&[d as i64]), false, None)?;
        scaled(&summed, 2.0, true)
    }

    /// `trapezoid(dx=, dim)`: the trapezoidal rule along `dim` with constant spacing `dx`.
    pub fn trapezoid_dx(&self, dx: Scalar, dim: i64) -> Result<Tensor> {
        let d = existing_dim(dim, self.ndim())?;
        if self.shape()[d] == 0 {
            return zeros_except(self, d);
        }
        no_bool(self, None, "trapezoid", "`y`")?;
        let dx = real_step(dx, "trapezoid")?;
        let ends = self.select(d as i64, 0)?.add(&self.select(d as i64, -1)?)?;
        let inner = self
            .sum(Some(&[d as i64]), false, None)?
            .sub(&scaled(&ends, 0.5, false)?)?;
        scaled(&inner, dx, false)
    }

    /// `cumulative_trapezoid(x, dim)`: the running trapezoidal rule at sample points `x`.
    pub fn cumulative_trapezoid_x(&self, x: &Tensor, dim: i64) -> Result<Tensor> {
        let d = normalize_dim(dim, self.ndim())?;
        no_bool(self, Some(x), "cumulative_trapezoid", "`x` or `y`")?;
        let dx = sample_steps(self, x, d, "cumulative_trapezoid")?;
        let (left, right) = halves(self, d)?;
        let summed = dx.mul(&left.add(&right)?)?.cumsum(d as i64, None)?;
        scaled(&summed, 2.0, true)
    }

    /// `cumulative_trapezoid(dx=, dim)`: the running trapezoidal rule with spacing `dx`.
    pub fn cumulative_trapezoid_dx(&self, dx: Scalar, dim: i64) -> Result<Tensor> {
        no_bool(self, None, "cumulative_trapezoid", "`y`")?;
        let dx = real_step(dx, "cumulative_trapezoid")?;
        let d = normalize_dim(dim, self.ndim())?;
        let (left, right) = halves(self, d)?;
        scaled(&left.add(&right)?, dx / 2.0, false)?.cumsum(d as i64, None)
    }
}

/// The number of length-`r` combinations of `n` elements (with or without replacement), or
/// `None` when it does not fit a `usize`.
fn combination_count(n: usize, r: usize, with_replacement: bool) -> Option<usize> {
    let top = if with_replacement {
        if n == 0 {
            return Some(0);
        }
        (n + r).checked_sub(1)?
    } else if r > n {
        return Some(0);
    } else {
        n
    };
    // C(top, r), built as a running product of exact binomials.
    let k = r.min(top - r);
    let mut c: u128 = 1;
    for i in 0..k {
        c = c.checked_mul((top - i) as u128)? / (i as u128 + 1);
        if c > usize::MAX as u128 {
            return None;
        }
    }
    usize::try_from(c).ok()
}

/// `t * factor` (or `t / factor`) recorded as torch's `mul(Scalar)`/`div(Scalar)` records it:
/// `MulBackward1` (`DivBackward1`), where rtensor's own operators record `MulBackward0` as
/// Python's `t * 2.0` does in torch.
fn scaled(t: &Tensor, factor: f64, divide: bool) -> Result<Tensor> {
    let out = without_grad(|| if divide { t.div(factor) } else { t.mul(factor) })?;
    let name = if divide {
        "DivBackward1"
    } else {
        "MulBackward1"
    };
    Ok(record(out, name, &[t], || ScaleRule {
        factor,
        divide,
        input: InputMeta::of(t),
    }))
}

/// torch's refusal of bool samples or sample points.
fn no_bool(y: &Tensor, x: Option<&Tensor>, op: &str, what: &str) -> Result<()> {
    if y.dtype() == DType::Bool || x.is_some_and(|x| x.dtype() == DType::Bool) {
        return Err(Error::NotImplemented(format!(
            "{}: received a bool input for {}, but bool is not supported",
            op, what
        )));
    }
    Ok(())
}

/// A `dx` that torch takes: a real number, as a float.
fn real_step(dx: Scalar, op: &str) -> Result<f64> {
    if matches!(dx, Scalar::Bool(_)) {
        return Err(Error::Runtime(format!(
            "{}: Currently, we only support dx as a real number.",
            op
        )));
    }
    Ok(dx.as_f64())
}

/// A zero tensor shaped like `y` without dim `d` (the integral over no samples).
fn zeros_except(y: &Tensor, d: usize) -> Result<Tensor> {
    let mut shape = y.shape().to_vec();
    shape.remove(d);
    Tensor::zeros(&shape, y.dtype())
}

/// `y` without its last and without its first element along `d`.
fn halves(y: &Tensor, d: usize) -> Result<(Tensor, Tensor)> {
    if y.ndim() == 0 {
        return Err(Error::Index(
            "slice() cannot be applied to a 0-dim tensor.".into(),
        ));
    }
    Ok((
        y.slice(d, Some(0), Some(-1), 1)?,
        y.slice(d, Some(1), None, 1)?,
    ))
}

/// The steps between consecutive sample points `x` along `d`, shaped to broadcast with `y`'s.
fn sample_steps(y: &Tensor, x: &Tensor, d: usize, op: &str) -> Result<Tensor> {
    let viewed = if x.ndim() == 1 {
        if x.shape()[0] != y.shape()[d] {
            return Err(Error::Runtime(format!(
                "{}: There must be one `x` value for each sample point",
                op
            )));
        }
        let mut shape = vec![1i64; y.ndim()];
        shape[d] = x.shape()[0] as i64;
        x.view(&shape)?
    } else if x.ndim() < y.ndim() {
        let mut shape = vec![1i64; y.ndim() - x.ndim()];
        shape.extend(x.shape().iter().map(|&n| n as i64));
        x.view(&shape)?
    } else {
        x.clone()
    };
    let (left, right) = halves(&viewed, d)?;
    right.sub(&left)
}

/// `block_diag`.
pub static BLOCK_DIAG: OpDef = OpDef {
    name: "block_diag",
    doc: "The inputs (scalars and vectors as one-row matrices) on the diagonal of a zero matrix.",
    signatures: &["block_diag(Tensor[]... tensors)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["BlockDiagBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(block_diag(a.tensors(0)?)?.into()),
};

/// `cartesian_prod`.
pub static CARTESIAN_PROD: OpDef = OpDef {
    name: "cartesian_prod",
    doc: "Every tuple of one element from each vector, one per row.",
    signatures: &["cartesian_prod(Tensor[]... tensors)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["StackBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(cartesian_prod(a.tensors(0)?)?.into()),
};

/// `combinations`.
pub static COMBINATIONS: OpDef = OpDef {
    name: "combinations",
    doc: "The length-`r` combinations of a vector's elements, one per row.",
    signatures: &["combinations(Tensor input, int r=2, bool with_replacement=False)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["IndexBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.combinations(a.int(1)?, a.bool(2)?)?.into()),
};

/// `diff`.
pub static DIFF: OpDef = OpDef {
    name: "diff",
    doc: "The `n`-th forward difference along `dim`, after joining `prepend` and `append`.",
    signatures: &[
        "diff(Tensor input, int n=1, int dim=-1, Tensor? prepend=None, Tensor? append=None)",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["SubBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?
                .diff(a.int(1)?, a.int(2)?, a.opt_tensor(3)?, a.opt_tensor(4)?)
        })
    },
};

/// `kron`.
pub static KRON: OpDef = OpDef {
    name: "kron",
    doc: "The Kronecker product.",
    signatures: &["kron(Tensor input, Tensor other)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["UnsafeViewBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.kron(a.tensor(1)?)),
};

/// `vander`.
pub static VANDER: OpDef = OpDef {
    name: "vander",
    doc: "The Vandermonde matrix of a vector (powers decreasing unless `increasing`).",
    signatures: &["vander(Tensor x, int? N=None, bool increasing=False)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["FlipBackward0", "CopySlices"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.vander(a.opt_int(1)?, a.bool(2)?)?.into()),
};

/// `trapezoid`.
pub static TRAPEZOID: OpDef = OpDef {
    name: "trapezoid",
    doc: "The trapezoidal rule along `dim`, at sample points `x` or with spacing `dx`.",
    signatures: &[
        "trapezoid(Tensor y, Tensor x, *, int dim=-1)",
        "trapezoid(Tensor y, *, Scalar dx=1, int dim=-1)",
    ],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["DivBackward1", "MulBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| trapezoid(a),
};

/// `trapz`.
pub static TRAPZ: OpDef = OpDef {
    name: "trapz",
    doc: "`trapezoid` with a float `dx`.",
    signatures: &[
        "trapz(Tensor y, Tensor x, *, int dim=-1)",
        "trapz(Tensor y, *, float dx=1, int dim=-1)",
    ],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["DivBackward1", "MulBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let y = a.tensor(0)?;
        Ok(match a.overload {
            0 => y.trapezoid_x(a.tensor(1)?, a.int(2)?)?,
            _ => y.trapezoid_dx(Scalar::Float(a.float(1)?), a.int(2)?)?,
        }
        .into())
    },
};

/// The runner of `trapezoid`.
fn trapezoid(a: &crate::ops::registry::Args) -> Result<crate::ops::registry::Ret> {
    let y = a.tensor(0)?;
    Ok(match a.overload {
        0 => y.trapezoid_x(a.tensor(1)?, a.int(2)?)?,
        _ => y.trapezoid_dx(a.scalar(1)?, a.int(2)?)?,
    }
    .into())
}

/// `cumulative_trapezoid`.
pub static CUMULATIVE_TRAPEZOID: OpDef = OpDef {
    name: "cumulative_trapezoid",
    doc: "The running trapezoidal rule along `dim`, at sample points `x` or with spacing `dx`.",
    signatures: &[
        "cumulative_trapezoid(Tensor y, Tensor x, *, int dim=-1)",
        "cumulative_trapezoid(Tensor y, *, Scalar dx=1, int dim=-1)",
    ],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["CumsumBackward0", "DivBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let y = a.tensor(0)?;
        Ok(match a.overload {
            0 => y.cumulative_trapezoid_x(a.tensor(1)?, a.int(2)?)?,
            _ => y.cumulative_trapezoid_dx(a.scalar(1)?, a.int(2)?)?,
        }
        .into())
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &BLOCK_DIAG,
    &CARTESIAN_PROD,
    &COMBINATIONS,
    &DIFF,
    &KRON,
    &VANDER,
    &TRAPEZOID,
    &TRAPZ,
    &CUMULATIVE_TRAPEZOID,
];
