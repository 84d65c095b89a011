//! Conversions between Python objects and core values: scalars (Python and numpy), operands,
//! dtype and size arguments.

use crate::dtype::DType;
use crate::python::tensor::PyTensor;
use crate::scalar::Scalar;
use crate::value::Value;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyModule, PyType};

/// numpy, when something has already imported it; rtensor never imports numpy just to look.
pub fn imported_numpy(py: Python<'_>) -> PyResult<Option<Bound<'_, PyModule>>> {
    let modules = py.import("sys")?.getattr("modules")?;
    match modules.get_item("numpy") {
        Ok(np) => Ok(np.cast_into::<PyModule>().ok()),
        Err(_) => Ok(None),
    }
}

/// True for a numpy ndarray (without importing numpy).
pub fn is_ndarray(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    match imported_numpy(obj.py())? {
        Some(np) => obj.is_instance(&np.getattr("ndarray")?),
        None => Ok(false),
    }
}

/// A Python int (or anything with `__index__`) as an i64, with torch's error when it does not fit.
pub fn extract_i64_arg(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    obj.extract::<i64>()
        .map_err(|_| PyValueError::new_err("Overflow when unpacking long long"))
}

/// A numpy scalar (`np.generic`) as a scalar, with the dtype it carries when rtensor has that
/// dtype; `None` for anything that is not a numpy bool, integer or floating scalar.
pub fn numpy_scalar(obj: &Bound<'_, PyAny>) -> PyResult<Option<(Scalar, Option<DType>)>> {
    let Some(np) = imported_numpy(obj.py())? else {
        return Ok(None);
    };
    if !obj.is_instance(&np.getattr("generic")?)? {
        return Ok(None);
    }
    let dt = obj.getattr("dtype")?;
    let kind: String = dt.getattr("kind")?.extract()?;
    let itemsize: usize = dt.getattr("itemsize")?.extract()?;
    let scalar = match kind.as_str() {
        "b" => Scalar::Bool(obj.is_truthy()?),
        "i" | "u" => Scalar::Int(extract_i64_arg(&obj.call_method0("__index__")?)?),
        "f" => Scalar::Float(obj.extract::<f64>()?),
        _ => return Ok(None),
    };
    let dtype = match (kind.as_str(), itemsize) {
        ("b", _) => Some(DType::Bool),
        ("u", 1) => Some(DType::UInt8),
        ("i", 1) => Some(DType::Int8),
        ("i", 2) => Some(DType::Int16),
        ("f", 2) => Some(DType::Float16),
        ("i", 4) => Some(DType::Int32),
        ("i", 8) => Some(DType::Int64),
        ("f", 4) => Some(DType::Float32),
        ("f", 8) => Some(DType::Float64),
        _ => None,
    };
    Ok(Some((scalar, dtype)))
}

/// A Python or numpy bool, int or float as a scalar (`None` for anything else). numpy scalars act
/// as Python scalars of their kind, as in torch.
pub fn extract_scalar(obj: &Bound<'_, PyAny>) -> PyResult<Option<Scalar>> {
    if obj.is_instance_of::<PyBool>() {
        return Ok(Some(Scalar::Bool(obj.extract::<bool>()?)));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(Some(Scalar::Int(extract_i64_arg(obj)?)));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Some(Scalar::Float(obj.extract::<f64>()?)));
    }
    Ok(numpy_scalar(obj)?.map(|(s, _)| s))
}

/// A tensor or scalar operand (`None` for anything else, so dunders can return NotImplemented).
pub fn extract_value(obj: &Bound<'_, PyAny>) -> PyResult<Option<Value>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(Value::Tensor(t.get().t(t.py()))));
    }
    Ok(extract_scalar(obj)?.map(Value::Scalar))
}

/// The Python type name of an object, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// The type name with its module unless it is a builtin (`numpy.ndarray`, `list`), as torch
/// names types in some messages.
pub fn qualified_type_name(obj: &Bound<'_, PyAny>) -> String {
    let ty = obj.get_type();
    match ty.module().map(|m| m.to_string()) {
        Ok(m) if m != "builtins" => format!("{}.{}", m, type_name(obj)),
        _ => type_name(obj),
    }
}

/// Reads a `dtype` argument: an rtensor dtype, or the Python types `float`, `int` and `bool`
/// (float64, int64, bool), as torch accepts them.
pub fn extract_dtype(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    if let Ok(d) = obj.cast::<crate::python::dtype::PyDType>() {
        return Ok(d.get().dtype);
    }
    if let Ok(ty) = obj.cast::<PyType>() {
        let py = obj.py();
        if ty.is(py.get_type::<PyBool>()) {
            return Ok(DType::Bool);
        }
        if ty.is(py.get_type::<PyInt>()) {
            return Ok(DType::Int64);
        }
        if ty.is(py.get_type::<PyFloat>()) {
            return Ok(DType::Float64);
        }
    }
    Err(PyTypeError::new_err(format!(
        "expected an rtensor dtype (such as rtensor.float32), got {}",
        type_name(obj)
    )))
}
