//! `Tensor.__getitem__` / `__setitem__`: turns a Python index key into core index items.

use crate::dtype::DType;
use crate::index_item::{is_mask_dtype, IndexItem};
use crate::python::convert::{
    extract_i64_arg, extract_scalar, is_ndarray, numpy_scalar, qualified_type_name, type_name,
};
use crate::python::interop::borrow_array;
use crate::python::nested::tensor_from_nested;
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::scalar::Scalar;
use crate::shape::{broadcast_shapes, fmt_shape};
use crate::tensor::Tensor;
use crate::value::Value;
use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyEllipsis, PyInt, PyList, PySlice, PyTuple};

/// One bound of a slice; integers beyond int64 clamp, as Python's own slices clamp to the size
/// range (`t[2**70:]` is empty, `t[-2**70:]` is everything).
fn slice_bound(obj: Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    if obj.is_none() {
        return Ok(None);
    }
    if let Ok(v) = obj.extract::<i64>() {
        return Ok(Some(v));
    }
    let not_int = || {
        PyTypeError::new_err("slice indices must be integers or None or have an __index__ method")
    };
    let index = obj.call_method0("__index__").map_err(|_| not_int())?;
    let negative = index.lt(0).map_err(|_| not_int())?;
    Ok(Some(if negative { -i64::MAX } else { i64::MAX }))
}

/// An index tensor: a 0-dim integer one is a plain int, as in torch (a uint8 one is a mask).
fn tensor_item(t: Tensor) -> PyResult<IndexItem> {
    if t.ndim() == 0 && !t.dtype().is_floating() && !is_mask_dtype(t.dtype()) {
        return Ok(IndexItem::Int(t.item_i64()?));
    }
    Ok(IndexItem::Tensor(t))
}

fn item(obj: &Bound<'_, PyAny>) -> PyResult<IndexItem> {
    if obj.is_none() {
        return Ok(IndexItem::NewAxis);
    }
    if obj.is_instance_of::<PyEllipsis>() {
        return Ok(IndexItem::Ellipsis);
    }
    if obj.is_instance_of::<PyBool>() {
        let t = Tensor::from_vec(vec![obj.extract::<bool>()?], &[])?;
        return Ok(IndexItem::Tensor(t));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(IndexItem::Int(extract_i64_arg(obj)?));
    }
    if let Ok(s) = obj.cast::<PySlice>() {
        let py = obj.py();
        let raw = s.as_ptr() as *mut pyo3::ffi::PySliceObject;
        // SAFETY: a slice object's three fields are always set (to None when omitted) and live
        // as long as the slice; reading them skips a by-name attribute lookup per bound.
        let [start, stop, step] = unsafe {
            [(*raw).start, (*raw).stop, (*raw).step].map(|p| Bound::from_borrowed_ptr(py, p))
        };
        return Ok(IndexItem::Slice {
            start: slice_bound(start)?,
            stop: slice_bound(stop)?,
            step: slice_bound(step)?.unwrap_or(1),
        });
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        return tensor_item(t.get().t(t.py()));
    }
    if obj.is_instance_of::<PyList>() {
        let t = tensor_from_nested(obj, None)?;
        // An empty list selects nothing: an empty integer index, not a float tensor.
        let t = if t.numel() == 0 {
            t.to_dtype(DType::Int64)?
        } else {
            t
        };
        return Ok(IndexItem::Tensor(t));
    }
    if is_ndarray(obj)? {
        return tensor_item(borrow_array(obj)?);
    }
    if let Some((Scalar::Bool(b), _)) = numpy_scalar(obj)? {
        return Ok(IndexItem::Tensor(Tensor::from_vec(vec![b], &[])?));
    }
    if let Ok(i) = obj
        .call_method0("__index__")
        .and_then(|i| i.extract::<i64>())
    {
        return Ok(IndexItem::Int(i));
    }
    Err(PyIndexError::new_err(format!(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {})",
        type_name(obj)
    )))
}

/// Parses an index key (one item or a tuple of items).
fn parse_key(key: &Bound<'_, PyAny>) -> PyResult<Vec<IndexItem>> {
    if let Ok(t) = key.cast::<PyTuple>() {
        return t.iter().map(|o| item(&o)).collect();
    }
    Ok(vec![item(key)?])
}

/// A value for `__setitem__`: a tensor or a number (Python or numpy), nothing else, as torch.
fn assigned_value(t: &Tensor, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if let Ok(v) = value.cast::<PyTensor>() {
        return Ok(Value::Tensor(v.get().t(v.py())));
    }
    if let Some(s) = extract_scalar(value)? {
        return Ok(Value::Scalar(s));
    }
    Err(PyTypeError::new_err(format!(
        "can't assign a {} to a rtensor.{}Tensor",
        qualified_type_name(value),
        t.dtype().torch_name()
    )))
}

/// torch's `index_put_` wants a tensor value of the destination's dtype when the key holds index
/// tensors (Python bools are not: they index like `None`). The exception is the `masked_fill`
/// path: a single bool mask and a one-element value, which is converted.
fn check_index_put_dtype(
    t: &Tensor,
    key: &Bound<'_, PyAny>,
    items: &[IndexItem],
    value: &Value,
) -> PyResult<()> {
    let Value::Tensor(v) = value else {
        return Ok(());
    };
    if v.dtype() == t.dtype() {
        return Ok(());
    }
    let objects: Vec<Bound<'_, PyAny>> = match key.cast::<PyTuple>() {
        Ok(tuple) => tuple.iter().collect(),
        Err(_) => vec![key.clone()],
    };
    let mut masks = 0;
    let mut indices = 0;
    for (obj, it) in objects.iter().zip(items) {
        if let IndexItem::Tensor(x) = it {
            let literal = obj.is_instance_of::<PyBool>() || numpy_scalar(obj)?.is_some();
            if literal {
                continue;
            }
            if is_mask_dtype(x.dtype()) {
                masks += 1;
            } else {
                indices += 1;
            }
        }
    }
    if masks + indices == 0 || (masks == 1 && indices == 0 && v.numel() == 1) {
        return Ok(());
    }
    // torch validates the key first (too many indices, masks of the wrong shape, a non-empty index
    // into a size-0 dim); the index values are checked after the dtypes.
    let (view, advanced) = t.basic_index(items)?;
    let mut index_shape: Vec<usize> = vec![];
    for (_, idx) in &advanced {
        index_shape = broadcast_shapes(&index_shape, idx.shape()).map_err(|_| {
            PyIndexError::new_err(format!(
                "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                advanced
                    .iter()
                    .map(|(_, i)| fmt_shape(i.shape()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    }
    let index_numel: usize = index_shape.iter().product();
    if index_numel > 0 && advanced.iter().any(|(d, _)| view.shape()[*d] == 0) {
        return Err(PyIndexError::new_err(
            "index is out of bounds for dimension with size 0",
        ));
    }
    Err(PyRuntimeError::new_err(format!(
        "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
        t.dtype().torch_name(),
        v.dtype().torch_name()
    )))
}

#[pymethods]
impl PyTensor {
    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        let items = parse_key(key)?;
        let t = &self.t(py);
        // Basic indexing makes a view in constant time: only index tensors (a gather) are worth
        // releasing the GIL for.
        let out = if !items.iter().any(|i| matches!(i, IndexItem::Tensor(_))) {
            t.index(&items)?
        } else {
            maybe_detached(py, t.numel(), || t.index(&items))?
        };
        PyTensor::wrap(py, out)
    }

    fn __setitem__(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let items = parse_key(key)?;
        let value = assigned_value(&self.t(py), value)?;
        check_index_put_dtype(&self.t(py), key, &items, &value)?;
        let t = &self.t(py);
        Ok(maybe_detached(py, t.numel(), || {
            t.index_put(&items, &value)
        })?)
    }
}
