//! `searchsorted` and `bucketize`: where values would be inserted into sorted boundaries.
//! torch's checks in torch's order (`aten/src/ATen/native/BucketizationUtils.h`), dtype
//! promotion of the boundaries and the values, and the binary-search kernel of
//! `kernels/search.rs`. Neither op is differentiable (integer results).

use crate::dtype::DType;
use crate::error::{fmt_shape, Error, Result};
use crate::ops::registry::{Dest, Forms, OpDef};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// The name torch's messages give a searchsorted check.
const SS: &str = "torch.searchsorted()";

/// `input` as a tensor: a Python number becomes a 0-dim tensor of the dtype torch gives it
/// (`scalar_to_tensor`: int64, float64 or bool).
fn values_tensor(input: &Value) -> Result<Tensor> {
    match input {
        Value::Tensor(t) => Ok(t.clone()),
        Value::Scalar(s) => {
            let dt = match s {
                Scalar::Bool(_) => DType::Bool,
                Scalar::Int(_) => DType::Int64,
                Scalar::Float(_) => DType::Float64,
            };
            Tensor::scalar_tensor(*s, dt)
        }
    }
}

/// `searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
/// sorter=None)`: where each value of `input` would be inserted in its row of the sorted
/// `boundaries` (the last dim) to keep it sorted; the first such place, or the last when
/// `right` (or `side="right"`). torch's checks, in torch's order; `out` is the dtype of an
/// `out=` tensor, checked with them.
pub fn searchsorted(
    boundaries: &Tensor,
    input: &Value,
    out_int32: bool,
    right: bool,
    side: Option<&str>,
    sorter: Option<&Tensor>,
    out: Option<DType>,
) -> Result<Tensor> {
    let right = match side {
        None => right,
        Some(s) if s != "left" && s != "right" => {
            return Err(Error::Runtime(format!(
                "{SS}: side can only be 'left' or 'right' but got {s}"
            )))
        }
        Some("left") if right => {
            return Err(Error::Runtime(format!(
            "{SS}: side and right can't be set to opposites, got side of left while right was True"
        )))
        }
        Some(s) => s == "right",
    };
    if let Some(s) = sorter {
        if s.shape() != boundaries.shape() {
            return Err(Error::Runtime(format!(
                "{SS}: boundary and sorter must have the same size, but got boundary tensor {}and got sorter tensor {}",
                fmt_shape(boundaries.shape()),
                fmt_shape(s.shape())
            )));
        }
    }
    let values = values_tensor(input)?;
    let (shape, ndim) = (values.shape(), values.ndim());
    if ndim == 0 && boundaries.ndim() != 1 {
        return Err(Error::Runtime(format!(
            "{SS}: input value can be a scalar only when boundaries tensor dimension is 1, but we got boundaries tensor dim({}) and input value's dim(0) numel(1)",
            boundaries.ndim()
        )));
    }
    if boundaries.ndim() == 0 {
        return Err(Error::Runtime(format!(
            "{SS}: boundaries tensor should have positive dimension, but got 0 dimension"
        )));
    }
    let b = boundaries.shape();
    if b.len() > 1 && (b.len() != ndim || b[..b.len() - 1] != shape[..ndim - 1]) {
        return Err(Error::Runtime(format!(
            "{SS}: boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor {} and input value tensor {}",
            fmt_shape(b),
            fmt_shape(shape)
        )));
    }
    let want = if out_int32 {
        DType::Int32
    } else {
        DType::Int64
    };
    if let Some(o) = out {
        if o != want {
            return Err(Error::Runtime(format!(
                "{SS}: output tensor's dtype is wrong, it can only be Int(int32) or Long(int64) depending on whether out_int32 flag is True, but we got output tensor's dtype {} and out_int32 flag is {}",
                o.torch_name(),
                if out_int32 { "True" } else { "False" }
            )));
        }
    }
    let n = *b.last().unwrap_or(&0);
    if out_int32 && n >= i32::MAX as usize {
        return Err(Error::Runtime(format!(
            "{SS}: the size of boundaries' last dimension should be less than {}, but we got {n}",
            i32::MAX
        )));
    }
    let sorter = match sorter {
        Some(s) => {
            if s.dtype() != DType::Int64 {
                return Err(Error::Runtime(format!(
                    "{SS}: sorter must be a tensor of long dtype but got dtype {}",
                    s.dtype().torch_name()
                )));
            }
            let s = s.detach().contiguous()?;
            if s.to_vec_i64()?.iter().any(|&i| i < 0 || i as usize >= n) {
                return Err(Error::Runtime(format!("{SS}: sorter index out of range")));
            }
            Some(s)
        }
        None => None,
    };
    let common = boundaries.dtype().promote(values.dtype());
    if common == DType::Bool {
        return Err(Error::DTypeNotSupported {
            op: "searchsorted_out_cpu",
            dtype: "Bool",
        });
    }
    let bd = boundaries.detach().to_dtype(common)?.contiguous()?;
    let vals = values.detach().to_dtype(common)?.contiguous()?;
    crate::dispatch!(common, T => crate::kernels::search::searchsorted::<T>(
        &bd, &vals, sorter.as_ref(), right, want
    ))
}

/// `bucketize(input, boundaries, *, out_int32=False, right=False)`: `searchsorted` with 1-D
/// boundaries and the arguments swapped.
pub fn bucketize(
    input: &Value,
    boundaries: &Tensor,
    out_int32: bool,
    right: bool,
    out: Option<DType>,
) -> Result<Tensor> {
    if boundaries.ndim() != 1 {
        return Err(Error::Runtime(format!(
            "boundaries tensor must be 1 dimension, but got dim({})",
            boundaries.ndim()
        )));
    }
    searchsorted(boundaries, input, out_int32, right, None, None, out)
}

/// The dtype of an `out=` destination.
fn out_dtype(d: &Dest<'_>) -> Option<DType> {
    match d {
        Dest::Out(o) => Some(o.dtype()),
        _ => None,
    }
}

/// `searchsorted`.
pub static SEARCHSORTED: OpDef = OpDef {
    name: "searchsorted",
    doc: "Where each value would be inserted into the sorted last dim of `sorted_sequence`.",
    signatures: &[
        "searchsorted(Tensor sorted_sequence, Value input, *, bool out_int32=False, bool right=False, str? side=None, Tensor? sorter=None)",
    ],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let dt = out_dtype(&d);
        d.finish(a, |a| {
            searchsorted(
                a.tensor(0)?,
                &a.value(1)?,
                a.bool(2)?,
                a.bool(3)?,
                a.opt_str(4)?,
                a.opt_tensor(5)?,
                dt,
            )
        })
    },
};

/// `bucketize`.
pub static BUCKETIZE: OpDef = OpDef {
    name: "bucketize",
    doc: "The index of the bucket of 1-D sorted `boundaries` each value falls in.",
    signatures: &[
        "bucketize(Value input, Tensor boundaries, *, bool out_int32=False, bool right=False)",
    ],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let dt = out_dtype(&d);
        d.finish(a, |a| {
            bucketize(&a.value(0)?, a.tensor(1)?, a.bool(2)?, a.bool(3)?, dt)
        })
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&SEARCHSORTED, &BUCKETIZE];
