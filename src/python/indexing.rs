//! `Tensor.__getitem__` / `__setitem__`: turns a Python index key into core index items.

use crate::ops::index::IndexItem;
use crate::python::convert::{extract_value, tensor_from_nested, type_name};
use crate::python::tensor::{maybe_detached, PyTensor};
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyEllipsis, PyInt, PyList, PySlice, PyTuple};

fn slice_bound(obj: Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    if obj.is_none() {
        return Ok(None);
    }
    obj.extract::<i64>()
        .map(Some)
        .map_err(|_| PyTypeError::new_err("slice indices must be integers or None or have an __index__ method"))
}

fn item(obj: &Bound<'_, PyAny>) -> PyResult<IndexItem> {
    if obj.is_none() {
        return Ok(IndexItem::NewAxis);
    }
    if obj.is_instance_of::<PyEllipsis>() {
        return Ok(IndexItem::Ellipsis);
    }
    if obj.is_instance_of::<PyBool>() {
        let t = crate::tensor::Tensor::from_vec(vec![obj.extract::<bool>()?], &[])?;
        return Ok(IndexItem::Tensor(t));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(IndexItem::Int(obj.extract::<i64>()?));
    }
    if let Ok(s) = obj.cast::<PySlice>() {
        let step = slice_bound(s.getattr("step")?)?.unwrap_or(1);
        if step <= 0 {
            return Err(PyValueError::new_err("step must be greater than zero"));
        }
        return Ok(IndexItem::Slice {
            start: slice_bound(s.getattr("start")?)?,
            stop: slice_bound(s.getattr("stop")?)?,
            step,
        });
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = &t.get().t;
        if t.ndim() == 0 && !t.dtype().is_floating() && t.dtype() != crate::dtype::DType::Bool {
            return Ok(IndexItem::Int(t.item_i64()?));
        }
        return Ok(IndexItem::Tensor(t.clone()));
    }
    if obj.is_instance_of::<PyList>() {
        return Ok(IndexItem::Tensor(tensor_from_nested(obj, None)?));
    }
    if let Ok(i) = obj.call_method0("__index__").and_then(|i| i.extract::<i64>()) {
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

#[pymethods]
impl PyTensor {
    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let items = parse_key(key)?;
        let t = &self.t;
        Ok(maybe_detached(py, t.numel(), || t.index(&items))?.into())
    }

    fn __setitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let items = parse_key(key)?;
        let value = match extract_value(value)? {
            Some(v) => v,
            None => crate::ops::binary::Value::Tensor(tensor_from_nested(value, Some(self.t.dtype()))?),
        };
        let t = &self.t;
        Ok(maybe_detached(py, t.numel(), || t.index_put(&items, &value))?)
    }
}
