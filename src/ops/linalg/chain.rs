//! Products built from `mm`, `dot` and `matmul` as torch builds them, so their graphs carry
//! torch's nodes: `linalg.multi_dot` / `chain_matmul` (the cheapest parenthesisation, torch's
//! dynamic programme), `tensordot` and `inner` (a permuted, reshaped `mm`), `vdot`,
//! `matrix_power` (repeated squaring) and `linalg.vecdot` (a product summed over a dim).

use crate::error::{Error, Result};
use crate::ops::registry::{Arg, Args, Forms, OpDef};
use crate::shape::normalize_dim;
use crate::tensor::Tensor;

/// `a @ b` of a chain of matrices in the order `split` chose (`split[i][j]`: where the product
/// of matrices `i..=j` splits).
fn chain_product(ms: &[Tensor], split: &[Vec<usize>], i: usize, j: usize) -> Result<Tensor> {
    if i == j {
        return Ok(ms[i].clone());
    }
    let k = split[i][j];
    chain_product(ms, split, i, k)?.mm(&chain_product(ms, split, k + 1, j)?)
}

/// The product of 2-D matrices in torch's order: two multiplied directly, three by comparing
/// the two orders' costs, more by the classic dynamic programme (the first cheapest split wins).
fn multiply_chain(ms: &[Tensor]) -> Result<Tensor> {
    let n = ms.len();
    match n {
        1 => return Ok(ms[0].clone()),
        2 => return ms[0].mm(&ms[1]),
        3 => {
            let (a, b, c, d) = (
                ms[0].shape()[0] as u128,
                ms[1].shape()[0] as u128,
                ms[2].shape()[0] as u128,
                ms[2].shape()[1] as u128,
            );
            let cost = |x: u128, y: u128, z: u128| x.saturating_mul(y).saturating_mul(z);
            let first = cost(a, b, c).saturating_add(cost(a, c, d));
            let second = cost(b, c, d).saturating_add(cost(a, b, d));
            return if first < second {
                ms[0].mm(&ms[1])?.mm(&ms[2])
            } else {
                ms[0].mm(&ms[1].mm(&ms[2])?)
            };
        }
        _ => {}
    }
    let mut p: Vec<u128> = ms.iter().map(|m| m.shape()[0] as u128).collect();
    p.push(ms[n - 1].shape()[1] as u128);
    let mut cost = vec![vec![0u128; n]; n];
    let mut split = vec![vec![0usize; n]; n];
    for len in 1..n {
        for i in 0..n - len {
            let j = i + len;
            cost[i][j] = u128::MAX;
            split[i][j] = i;
            for k in i..j {
                let q = cost[i][k]
                    .saturating_add(cost[k + 1][j])
                    .saturating_add(p[i].saturating_mul(p[k + 1]).saturating_mul(p[j + 1]));
                if q < cost[i][j] {
                    cost[i][j] = q;
                    split[i][j] = k;
                }
            }
        }
    }
    chain_product(ms, &split, 0, n - 1)
}

/// torch's `multi_dot` checks: at least two tensors, the first and last 1-D or 2-D, the others
/// 2-D, one dtype, and adjacent sizes that multiply.
fn check_multi_dot(ts: &[Tensor]) -> Result<()> {
    let n = ts.len();
    if n < 2 {
        return Err(Error::Runtime(format!(
            "multi_dot(): expected at least 2 tensors but got {}",
            n
        )));
    }
    for (i, t) in ts.iter().enumerate() {
        let d = t.ndim();
        let ok = if i == 0 || i == n - 1 {
            d == 1 || d == 2
        } else {
            d == 2
        };
        if !ok {
            let which = if i == 0 {
                "the first tensor must be 1D or 2D".to_string()
            } else if i == n - 1 {
                "the last tensor must be 1D or 2D".to_string()
            } else {
                format!("tensor {} must be 2D", i)
            };
            return Err(Error::Runtime(format!(
                "multi_dot(): {} but got {}D",
                which, d
            )));
        }
        if t.dtype() != ts[0].dtype() {
            return Err(Error::Runtime(format!(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is {} and tensor {} {}",
                super::c_name(ts[0].dtype()),
                i,
                super::c_name(t.dtype())
            )));
        }
    }
    for i in 0..n - 1 {
        let (a, b) = (&ts[i], &ts[i + 1]);
        if a.shape()[a.ndim() - 1] != b.shape()[0] {
            return Err(Error::Runtime(format!(
                "multi_dot(): tensors {} and {} with shapes {:?} and {:?} cannot be multiplied",
                i,
                i + 1,
                a.shape(),
                b.shape()
            )));
        }
    }
    Ok(())
}

/// `linalg.multi_dot`: the product of the tensors (a 1-D first one a row, a 1-D last one a
/// column, their dims dropped from the result), in the cheapest order.
pub fn multi_dot(ts: &[Tensor]) -> Result<Tensor> {
    check_multi_dot(ts)?;
    let n = ts.len();
    let mut ms = ts.to_vec();
    let mut shape = vec![];
    if ms[0].ndim() == 1 {
        ms[0] = ms[0].unsqueeze(0)?;
    } else {
        shape.push(ms[0].shape()[0] as i64);
    }
    if ms[n - 1].ndim() == 1 {
        ms[n - 1] = ms[n - 1].unsqueeze(1)?;
    } else {
        shape.push(ms[n - 1].shape()[1] as i64);
    }
    multiply_chain(&ms)?.view(&shape)
}

/// `chain_matmul`: the product of 2-D matrices (`multi_dot` without its 1-D ends); one matrix
/// is cloned.
pub fn chain_matmul(ts: &[Tensor]) -> Result<Tensor> {
    if ts.is_empty() {
        return Err(Error::Runtime(
            "chain_matmul(): Expected one or more matrices".into(),
        ));
    }
    for t in ts {
        if t.ndim() != 2 {
            return Err(Error::Runtime(format!(
                "Tensor dimension is {}, expected 2 instead.",
                t.ndim()
            )));
        }
    }
    if ts.len() == 1 {
        return ts[0].clone_tensor();
    }
    multi_dot(ts)
}

/// `tensordot` contracting `dims_a` of `a` with `dims_b` of `b`: size-1 dims against larger
/// ones are summed away first, as torch does; the rest is one `mm` of the permuted operands.
pub fn tensordot(a: &Tensor, b: &Tensor, dims_a: &[i64], dims_b: &[i64]) -> Result<Tensor> {
    if dims_a.len() != dims_b.len() {
        return Err(Error::Runtime(
            "both dimension lists should have same length".into(),
        ));
    }
    if a.dtype() != b.dtype() {
        return Err(Error::Runtime("both inputs should have same dtype".into()));
    }
    let (mut a, mut b) = (a.clone(), b.clone());
    let (mut ca, mut cb) = (vec![false; a.ndim()], vec![false; b.ndim()]);
    let mut contracted = 1usize;
    for (&da, &db) in dims_a.iter().zip(dims_b) {
        let (ia, ib) = (normalize_dim(da, a.ndim())?, normalize_dim(db, b.ndim())?);
        for (seen, i, d) in [(&mut ca, ia, da), (&mut cb, ib, db)] {
            if seen[i] {
                return Err(Error::Runtime(format!(
                    "dim {} appears multiple times in the list of dims",
                    d
                )));
            }
            seen[i] = true;
        }
        let (sa, sb) = (a.shape()[ia], b.shape()[ib]);
        if sa == sb {
            contracted *= sa;
        } else if sb == 1 {
            a = a.sum(Some(&[ia as i64]), true, Some(a.dtype()))?;
        } else if sa == 1 {
            b = b.sum(Some(&[ib as i64]), true, Some(b.dtype()))?;
        } else {
            return Err(Error::Runtime(format!(
                "contracted dimensions need to match, but first has size {} in dim {} and second has size {} in dim {}",
                sa, da, sb, db
            )));
        }
    }
    let free = |seen: &[bool]| -> Vec<i64> {
        (0..seen.len())
            .filter(|&i| !seen[i])
            .map(|i| i as i64)
            .collect()
    };
    let (fa, fb) = (free(&ca), free(&cb));
    let pick = |seen: &[bool], order: &[i64]| -> Result<Vec<i64>> {
        order
            .iter()
            .map(|&d| normalize_dim(d, seen.len()).map(|i| i as i64))
            .collect()
    };
    let mut perm_a = fa.clone();
    perm_a.extend(pick(&ca, dims_a)?);
    let mut perm_b = pick(&cb, dims_b)?;
    perm_b.extend(fb.iter().copied());
    let size =
        |t: &Tensor, ds: &[i64]| ds.iter().map(|&d| t.shape()[d as usize]).product::<usize>();
    let (rows, cols) = (size(&a, &fa), size(&b, &fb));
    let mut shape: Vec<i64> = fa.iter().map(|&d| a.shape()[d as usize] as i64).collect();
    shape.extend(fb.iter().map(|&d| b.shape()[d as usize] as i64));
    let ma = a
        .permute(&perm_a)?
        .reshape(&[rows as i64, contracted as i64])?;
    let mb = b
        .permute(&perm_b)?
        .reshape(&[contracted as i64, cols as i64])?;
    ma.mm(&mb)?.reshape(&shape)
}

/// `tensordot`'s `dims` argument: a count of trailing/leading dims or a tensor (a count, or two
/// rows of dims).
fn tensordot_dims(a: &Tensor, b: &Tensor, dims: &Arg) -> Result<(Vec<i64>, Vec<i64>)> {
    let count = |n: i64| -> Result<(Vec<i64>, Vec<i64>)> {
        if n < 0 {
            return Err(Error::Runtime(format!(
                "tensordot expects dims >= 0, but got dims={}",
                n
            )));
        }
        if n as usize > a.ndim() || n as usize > b.ndim() {
            return Err(Error::Runtime(format!(
                "tensordot expects dims < ndim_a or ndim_b, but got dims={}",
                n
            )));
        }
        Ok(((-n..0).collect(), (0..n).collect()))
    };
    match dims {
        Arg::Int(n) => count(*n),
        Arg::Tensor(t) => tensor_dims(t, count),
        Arg::OwnedTensor(t) => tensor_dims(t, count),
        _ => Err(Error::Type(
            "tensordot(): argument 'dims' must be int or Tensor".into(),
        )),
    }
}

/// Dims given as a pair of lists, flattened by the binding (`int[][]`: the count of lists, their
/// lengths, their ints).
fn dim_pair(flat: &[i64]) -> Result<(Vec<i64>, Vec<i64>)> {
    let count = flat.first().copied().unwrap_or(0);
    if count != 2 {
        return Err(Error::Value(if count < 2 {
            format!("not enough values to unpack (expected 2, got {})", count)
        } else {
            "too many values to unpack (expected 2)".to_string()
        }));
    }
    let (la, lb) = (flat[1].max(0) as usize, flat[2].max(0) as usize);
    let rest = &flat[3..];
    if rest.len() != la + lb {
        return Err(Error::Runtime("tensordot: malformed list of dims".into()));
    }
    Ok((rest[..la].to_vec(), rest[la..].to_vec()))
}

/// Dims given as a tensor: one element is a count, otherwise two rows of dims.
fn tensor_dims(
    t: &Tensor,
    count: impl Fn(i64) -> Result<(Vec<i64>, Vec<i64>)>,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let v = t.to_vec_i64()?;
    if t.numel() == 1 {
        return count(v[0]);
    }
    if t.ndim() == 0 || t.shape()[0] != 2 {
        return Err(Error::Runtime(
            "tensordot expects dims to be a tensor of one element or of two rows".into(),
        ));
    }
    let half = v.len() / 2;
    Ok((v[..half].to_vec(), v[half..].to_vec()))
}

impl Tensor {
    /// `inner`: sums the products over the last dims (a product with a 0-D operand).
    pub fn inner(&self, other: &Tensor) -> Result<Tensor> {
        if self.ndim() == 0 || other.ndim() == 0 {
            return self.mul(other);
        }
        let (la, lb) = (
            self.shape()[self.ndim() - 1],
            other.shape()[other.ndim() - 1],
        );
        if la != lb {
            return Err(Error::Runtime(format!(
                "inner() the last dimension must match on both input tensors but got shapes {:?} and {:?}",
                self.shape(),
                other.shape()
            )));
        }
        tensordot(self, other, &[-1], &[-1])
    }

    /// `matrix_power`: the `n`-th power of square matrices by repeated squaring; a negative
    /// power is that of the inverse (`linalg.inv`, whose node it keeps for `n = -1`, as torch).
    pub fn matrix_power(&self, n: i64) -> Result<Tensor> {
        let d = self.ndim();
        if d < 2 {
            return Err(Error::Runtime(
                "linalg.matrix_power: The input tensor A must have at least 2 dimensions.".into(),
            ));
        }
        let (r, c) = (self.shape()[d - 2], self.shape()[d - 1]);
        if r != c {
            return Err(Error::Runtime(format!(
                "linalg.matrix_power: A must be batches of square matrices, but they are {} by {} matrices",
                r, c
            )));
        }
        if n == 0 {
            let out = self.clone_tensor()?;
            let eye = Tensor::eye(r as i64, r as i64, self.dtype())?;
            out.copy_(&eye)?;
            return Ok(out);
        }
        let (base, n) = match n {
            1.. => (self.clone(), n.unsigned_abs()),
            _ => (self.inverse_checked("linalg.inv")?, n.unsigned_abs()),
        };
        match n {
            1 if base.same_tensor(self) => self.clone_tensor(),
            1 => Ok(base),
            2 => base.matmul(&base),
            3 => base.matmul(&base)?.matmul(&base),
            _ => {
                let (mut n, mut z, mut result): (u64, Option<Tensor>, Option<Tensor>) =
                    (n, None, None);
                while n > 0 {
                    let bit = n % 2;
                    n /= 2;
                    let next = match &z {
                        Some(z) => z.matmul(z)?,
                        None => base.clone(),
                    };
                    if bit == 1 {
                        result = Some(match &result {
                            Some(r) => r.matmul(&next)?,
                            None => next.clone(),
                        });
                    }
                    z = Some(next);
                }
                result.ok_or_else(|| Error::Runtime("matrix_power: empty power".into()))
            }
        }
    }

    /// `vdot`: the inner product of two vectors (`dot` for real tensors, its own node).
    pub fn vdot(&self, other: &Tensor) -> Result<Tensor> {
        self.dot_node(other, "VdotBackward0")
    }

    /// `linalg.vecdot`: `(x * y).sum(dim)`, broadcast (`vdot` for two vectors, as torch);
    /// floating tensors only.
    pub fn vecdot(&self, other: &Tensor, dim: i64) -> Result<Tensor> {
        if self.dtype() != other.dtype() {
            return Err(Error::Runtime(format!(
                "linalg.vecdot: Expected x and y to have the same dtype, but found x of type {} and y of type {} instead",
                super::scalar_type_name(self.dtype()),
                super::scalar_type_name(other.dtype())
            )));
        }
        if !self.dtype().is_floating() {
            return Err(Error::NotImplemented(format!(
                "linalg.vecdot: Expected a floating point or complex tensor as input. Got {}",
                super::scalar_type_name(self.dtype())
            )));
        }
        if self.ndim() == 1 && other.ndim() == 1 {
            return self.vdot(other);
        }
        self.mul(other)?.sum(Some(&[dim]), false, None)
    }
}

/// `linalg.multi_dot`.
pub static MULTI_DOT: OpDef = OpDef {
    name: "linalg.multi_dot",
    doc: "The product of two or more matrices in the cheapest order; 1-D ends are vectors.",
    signatures: &["multi_dot(Tensor[] tensors)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["ViewBackward0", "MmBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| multi_dot(a.tensors(0)?)),
};

/// `chain_matmul`.
pub static CHAIN_MATMUL: OpDef = OpDef {
    name: "chain_matmul",
    doc: "The product of the 2-D matrices in the cheapest order (deprecated for multi_dot).",
    signatures: &["chain_matmul(Tensor[]... matrices)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["ViewBackward0", "MmBackward0", "CloneBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| chain_matmul(a.tensors(0)?)),
};

/// `tensordot`.
pub static TENSORDOT: OpDef = OpDef {
    name: "tensordot",
    doc:
        "Sums products over dims of `a` and `b`: the last/first `dims`, or a 2-row tensor of dims.",
    signatures: &[
        "tensordot(Tensor a, Tensor b, int dims=2)",
        "tensordot(Tensor a, Tensor b, Tensor dims)",
        "tensordot(Tensor a, Tensor b, int[][] dims)",
    ],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["ViewBackward0", "MmBackward0", "PermuteBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a: &Args| {
            let (x, y) = (a.tensor(0)?, a.tensor(1)?);
            let (da, db) = match &a.values[2] {
                Arg::Ints(_) => dim_pair(a.ints(2)?)?,
                other => tensordot_dims(x, y, other)?,
            };
            tensordot(x, y, &da, &db)
        })
    },
};

/// `inner`.
pub static INNER: OpDef = OpDef {
    name: "inner",
    doc: "Sums the products of the two tensors over their last dims.",
    signatures: &["inner(Tensor input, Tensor other)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["ViewBackward0", "MulBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.inner(a.tensor(1)?)),
};

/// `vdot`.
pub static VDOT: OpDef = OpDef {
    name: "vdot",
    doc: "The inner product of two 1-D tensors (the first conjugated: the same for reals).",
    signatures: &["vdot(Tensor input, Tensor other)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["VdotBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.vdot(a.tensor(1)?)),
};

/// `matrix_power`.
pub static MATRIX_POWER: OpDef = OpDef {
    name: "matrix_power",
    doc: "The `n`-th power of square matrices by repeated squaring (n < 0: of the inverse).",
    signatures: &["matrix_power(Tensor input, int n)"],
    forms: Forms::BOTH_OUT,
    aliases: &["linalg.matrix_power"],
    nodes: &[
        "MmBackward0",
        "LinalgInvExBackward0",
        "UnsafeViewBackward0",
        "CloneBackward0",
        "CopyBackwards",
    ],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.matrix_power(a.int(1)?)),
};

/// `linalg.vecdot`.
pub static VECDOT: OpDef = OpDef {
    name: "linalg.vecdot",
    doc: "The dot products of vectors along `dim`, broadcast.",
    signatures: &["vecdot(Tensor x, Tensor y, *, int dim=-1)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["SumBackward1", "VdotBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.vecdot(a.tensor(1)?, a.int(2)?)),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &MULTI_DOT,
    &CHAIN_MATMUL,
    &TENSORDOT,
    &INNER,
    &VDOT,
    &MATRIX_POWER,
    &VECDOT,
];
