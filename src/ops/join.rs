//! Joining and splitting: `cat`, `stack`, `split`, `chunk`, and the three-way `where`.

use crate::autograd::mode::without_grad;
use crate::autograd::record::record;
use crate::autograd::rules::join::{CatRule, StackRule, WhereRule};
use crate::autograd::rules::InputMeta;
use crate::dispatch;
use crate::dtype::{DType, ResultType};
use crate::error::{Error, Result};
use crate::kernels::engine::{self, Operand};
use crate::shape::{broadcast_shapes, fmt_shape, normalize_dim};
use crate::tensor::Tensor;
use crate::value::Value;

/// Concatenates along `dim`, promoting dtypes; 1-D empty tensors are skipped as in torch.
pub fn cat(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(Error::Value(
            "torch.cat(): expected a non-empty list of Tensors".into(),
        ));
    }
    let dtype = tensors
        .iter()
        .fold(ResultType::default(), |r, t| r.tensor(t.dtype(), 1))
        .finish();
    let parts: Vec<&Tensor> = tensors
        .iter()
        .filter(|t| !(t.ndim() == 1 && t.numel() == 0))
        .collect();
    let Some(first) = parts.first() else {
        // Only 1-D empty inputs: an empty result, still recorded (each input's gradient is empty).
        let out = Tensor::uninit(&[0], dtype)?;
        return Ok(record_cat(out, tensors, 0));
    };
    if first.ndim() == 0 {
        return Err(Error::Runtime(
            "zero-dimensional tensor (at position 0) cannot be concatenated".into(),
        ));
    }
    let d = normalize_dim(dim, first.ndim())?;
    let mut shape = first.shape().to_vec();
    shape[d] = 0;
    for (i, t) in parts.iter().enumerate() {
        if t.ndim() != first.ndim() {
            return Err(Error::Runtime(format!(
                "Tensors must have same number of dimensions: got {} and {}",
                first.ndim(),
                t.ndim()
            )));
        }
        for k in 0..t.ndim() {
            if k != d && t.shape()[k] != first.shape()[k] {
                return Err(Error::Runtime(format!(
                    "Sizes of tensors must match except in dimension {}. Expected size {} but got size {} for tensor number {} in the list.",
                    d, first.shape()[k], t.shape()[k], i
                )));
            }
        }
        // Expanded inputs can have sizes that no memory holds: their sum must not wrap.
        shape[d] = shape[d]
            .checked_add(t.shape()[d])
            .filter(|&n| n <= i64::MAX as usize)
            .ok_or_else(|| Error::Runtime("numel: integer multiplication overflow".into()))?;
    }
    let out = Tensor::uninit(&shape, dtype)?;
    let mut offset = 0;
    for t in parts {
        let len = t.shape()[d];
        crate::kernels::copy::copy_checked(&out.narrow(d, offset, len), t)?;
        offset += len;
    }
    Ok(record_cat(out, tensors, d))
}

/// Records `out = cat(tensors, dim)` when needed.
fn record_cat(out: Tensor, tensors: &[Tensor], dim: usize) -> Tensor {
    let inputs: Vec<&Tensor> = tensors.iter().collect();
    record(out, "CatBackward0", &inputs, || CatRule {
        dim,
        inputs: tensors.iter().map(InputMeta::of).collect(),
    })
}

/// Stacks equal-shaped tensors along a new dim.
pub fn stack(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    let Some(first) = tensors.first() else {
        return Err(Error::Runtime(
            "stack expects a non-empty TensorList".into(),
        ));
    };
    for (i, t) in tensors.iter().enumerate() {
        if t.shape() != first.shape() {
            return Err(Error::Runtime(format!(
                "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {}",
                fmt_shape(first.shape()),
                fmt_shape(t.shape()),
                i
            )));
        }
    }
    let d = crate::shape::normalize_insert_dim(dim, first.ndim())?;
    let out = without_grad(|| {
        let parts = tensors
            .iter()
            .map(|t| t.unsqueeze(d as i64))
            .collect::<Result<Vec<_>>>()?;
        cat(&parts, d as i64)
    })?;
    let inputs: Vec<&Tensor> = tensors.iter().collect();
    Ok(record(out, "StackBackward0", &inputs, || StackRule {
        dim: d,
        inputs: tensors.iter().map(InputMeta::of).collect(),
    }))
}

impl Tensor {
    /// Splits along `dim` into views of `size` elements (the last may be smaller).
    pub fn split_size(&self, size: i64, dim: i64) -> Result<Vec<Tensor>> {
        let d = self.split_dim(dim, "split")?;
        if size < 0 {
            return Err(Error::Runtime(format!(
                "split expects split_size be non-negative, but got split_size={}",
                size
            )));
        }
        let n = self.shape()[d];
        if size == 0 && n != 0 {
            return Err(Error::Runtime(format!(
                "split_size can only be 0 if dimension size is 0, but got dimension size of {}",
                n
            )));
        }
        if n == 0 {
            return Ok(vec![self.clone()]);
        }
        let size = size as usize;
        let mut pieces = self.reserve_views(n.div_ceil(size))?;
        pieces.extend(
            (0..n)
                .step_by(size)
                .map(|start| self.split_piece("SplitBackward0", d, start, size.min(n - start))),
        );
        Ok(pieces)
    }

    /// Splits along `dim` into views of the given sizes, which must add up to the dim's size.
    pub fn split_sizes(&self, sizes: &[i64], dim: i64) -> Result<Vec<Tensor>> {
        let d = self.split_dim(dim, "split")?;
        let n = self.shape()[d];
        let listed = || {
            sizes
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if sizes.iter().any(|&s| s < 0) {
            return Err(Error::Runtime(format!(
                "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[{}]",
                listed()
            )));
        }
        let total = sizes.iter().try_fold(0i64, |acc, &s| acc.checked_add(s));
        if total != Some(n as i64) {
            return Err(Error::Runtime(format!(
                "split_with_sizes expects split_sizes to sum exactly to {} (input tensor's size at dimension {}), but got split_sizes=[{}]",
                n,
                d,
                listed()
            )));
        }
        let mut start = 0;
        let mut pieces = self.reserve_views(sizes.len())?;
        pieces.extend(sizes.iter().map(|&s| {
            let v = self.split_piece("SplitWithSizesBackward0", d, start, s as usize);
            start += s as usize;
            v
        }));
        Ok(pieces)
    }

    /// The dim `split`/`chunk` work along; a 0-dim tensor has none to split.
    fn split_dim(&self, dim: i64, op: &str) -> Result<usize> {
        if self.ndim() == 0 {
            return Err(Error::Runtime(format!(
                "{} expects at least a 1-dimensional tensor",
                op
            )));
        }
        normalize_dim(dim, self.ndim())
    }

    /// Splits into `chunks` views of equal size (the last may be smaller, fewer when too few).
    pub fn chunk(&self, chunks: i64, dim: i64) -> Result<Vec<Tensor>> {
        if chunks <= 0 {
            return Err(Error::Runtime(format!(
                "chunk expects `chunks` to be greater than 0, got: {}",
                chunks
            )));
        }
        let d = self.split_dim(dim, "chunk")?;
        let n = self.shape()[d] as i64;
        if n == 0 {
            // torch makes `chunks` empty pieces; so many that they cannot fit are an error.
            let mut pieces = self.reserve_views(chunks as usize)?;
            pieces.extend((0..chunks).map(|_| self.split_piece("SplitBackward0", d, 0, 0)));
            return Ok(pieces);
        }
        self.split_size((n - 1) / chunks + 1, dim)
    }
}

/// `where(cond, a, b)`: elements of `a` where `cond` holds, else of `b`, with broadcasting and
/// promotion of `a` and `b`.
pub fn where_(cond: &Tensor, a: &Value, b: &Value) -> Result<Tensor> {
    if cond.dtype() == DType::UInt8 {
        // torch still takes a uint8 condition (deprecated).
        return where_(&cond.detach().to_dtype(DType::Bool)?, a, b);
    }
    if cond.dtype() != DType::Bool {
        return Err(Error::Runtime(format!(
            "where expected condition to be a boolean tensor, but got a tensor with dtype {}",
            cond.dtype().torch_name()
        )));
    }
    let dtype = [a, b]
        .iter()
        .fold(ResultType::default(), |r, v| match v {
            Value::Tensor(t) => r.tensor(t.dtype(), t.ndim()),
            Value::Scalar(s) => r.scalar(s.dtype(crate::dtype::default_float())),
        })
        .finish();
    let to_tensor = |v: &Value| -> Result<Tensor> {
        match v {
            Value::Tensor(t) => t.to_dtype(dtype),
            Value::Scalar(s) => dispatch!(dtype, T => Tensor::from_vec(vec![s.to::<T>()], &[])),
        }
    };
    let (ta, tb) = (to_tensor(a)?, to_tensor(b)?);
    let shape = broadcast_shapes(&broadcast_shapes(cond.shape(), ta.shape())?, tb.shape())?;
    let out = Tensor::uninit(&shape, dtype)?;
    let (c, x, y) = (
        cond.broadcast_to(&shape),
        ta.broadcast_to(&shape),
        tb.broadcast_to(&shape),
    );
    dispatch!(dtype, T => engine::ternary::<bool, T, T, T>(
        Operand::of(&out)?, Operand::of(&c)?, Operand::of(&x)?, Operand::of(&y)?,
        |k, p, q| if k { p } else { q },
    ))?;
    let inputs: Vec<&Tensor> = [a, b]
        .into_iter()
        .filter_map(|v| match v {
            Value::Tensor(t) => Some(t),
            Value::Scalar(_) => None,
        })
        .collect();
    Ok(record(out, "WhereBackward0", &inputs, || WhereRule {
        cond: cond.clone(),
        inputs: inputs.iter().map(|t| InputMeta::of(t)).collect(),
        first_is_tensor: matches!(a, Value::Tensor(_)),
    }))
}
