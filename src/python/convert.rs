//! Conversions between Python objects and core values: scalars, operands, size arguments,
//! nested-list data, and `tolist()`.

use crate::dispatch;
use crate::dtype::{default_float, DType, Element};
use crate::ops::binary::Value;
use crate::python::tensor::PyTensor;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PySequence, PyTuple};

/// A Python bool, int or float as a scalar (`None` for anything else).
pub fn extract_scalar(obj: &Bound<'_, PyAny>) -> PyResult<Option<Scalar>> {
    if obj.is_instance_of::<PyBool>() {
        return Ok(Some(Scalar::Bool(obj.extract::<bool>()?)));
    }
    if obj.is_instance_of::<PyInt>() {
        return match obj.extract::<i64>() {
            Ok(v) => Ok(Some(Scalar::Int(v))),
            Err(_) => Err(PyRuntimeError::new_err(format!(
                "Overflow when unpacking long: {}",
                obj.repr()?
            ))),
        };
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Some(Scalar::Float(obj.extract::<f64>()?)));
    }
    Ok(None)
}

/// A tensor or Python scalar operand (`None` for anything else, so dunders can return NotImplemented).
pub fn extract_value(obj: &Bound<'_, PyAny>) -> PyResult<Option<Value>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(Value::Tensor(t.get().t.clone())));
    }
    Ok(extract_scalar(obj)?.map(Value::Scalar))
}

/// Like [`extract_value`] but a TypeError naming the argument for unsupported types.
pub fn require_value(obj: &Bound<'_, PyAny>, op: &str, arg: &str) -> PyResult<Value> {
    extract_value(obj)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{}(): argument '{}' must be Tensor or Number, not {}",
            op,
            arg,
            type_name(obj)
        ))
    })
}

/// The Python type name of an object, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// Reads one int argument that may be a Python int or a one-element integer tensor.
fn extract_int(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{} must be tuple of ints, but found element of type {} at pos 0",
            what,
            type_name(obj)
        )));
    }
    if let Ok(v) = obj.extract::<i64>() {
        return Ok(v);
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = &t.get().t;
        if !t.dtype().is_floating() && t.numel() == 1 {
            return Ok(t.item_i64()?);
        }
    }
    Err(PyTypeError::new_err(format!(
        "{} must be tuple of ints, but found element of type {} at pos 0",
        what,
        type_name(obj)
    )))
}

/// Sizes given as varargs (`zeros(2, 3)`) or as one sequence (`zeros((2, 3))`, `zeros([2, 3])`).
pub fn parse_sizes(args: &Bound<'_, PyTuple>, what: &str) -> PyResult<Vec<i64>> {
    if args.len() == 1 {
        let first = args.get_item(0)?;
        if first.is_instance_of::<PyTuple>() || first.is_instance_of::<PyList>() {
            return first
                .try_iter()?
                .map(|o| extract_int(&o?, what))
                .collect();
        }
    }
    args.iter().map(|o| extract_int(&o, what)).collect()
}

/// Parses a dims argument: an int, or a sequence of ints.
pub fn parse_dims(obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    if let Ok(v) = obj.extract::<i64>() {
        return Ok(vec![v]);
    }
    obj.try_iter()?.map(|o| extract_int(&o?, "dim")).collect()
}

/// A value read from nested Python data, before the result dtype is known.
fn leaf(obj: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    if let Some(s) = extract_scalar(obj)? {
        return Ok(s);
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = &t.get().t;
        if t.numel() != 1 {
            return Err(PyValueError::new_err(
                "only one element tensors can be converted to Python scalars",
            ));
        }
        return Ok(crate::python::tensor::item_scalar(t)?);
    }
    if obj.hasattr("__array_interface__")? && obj.hasattr("item")? {
        // A numpy scalar.
        return leaf(&obj.call_method0("item")?);
    }
    if obj.is_none() {
        return Err(PyRuntimeError::new_err("Could not infer dtype of NoneType"));
    }
    Err(PyTypeError::new_err(format!(
        "new(): invalid data type '{}'",
        type_name(obj)
    )))
}

fn is_sequence(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
        || obj.cast::<PyTensor>().is_ok_and(|t| t.get().t.ndim() > 0)
}

/// Walks nested lists/tuples, checking that they are rectangular.
fn collect(obj: &Bound<'_, PyAny>, depth: usize, shape: &mut Vec<usize>, leaf_depth: &mut Option<usize>, out: &mut Vec<Scalar>) -> PyResult<()> {
    if !is_sequence(obj) {
        if let Some(ld) = *leaf_depth {
            if ld != depth {
                return Err(PyValueError::new_err(format!(
                    "expected sequence of length {} at dim {} (got {})",
                    shape.get(depth).copied().unwrap_or(0),
                    depth,
                    type_name(obj)
                )));
            }
        }
        if shape.len() > depth {
            return Err(PyValueError::new_err(format!(
                "expected sequence of length {} at dim {} (got {})",
                shape[depth],
                depth,
                type_name(obj)
            )));
        }
        *leaf_depth = Some(depth);
        out.push(leaf(obj)?);
        return Ok(());
    }
    if obj.cast::<PyTensor>().is_ok() {
        // A tensor nested in a list contributes its elements.
        let t = obj.cast::<PyTensor>()?.get().t.clone();
        let list = to_pylist(obj.py(), &t)?;
        return collect(list.bind(obj.py()), depth, shape, leaf_depth, out);
    }
    let seq = obj.cast::<PySequence>()?;
    let len = seq.len()?;
    if leaf_depth.is_some_and(|ld| ld <= depth) {
        return Err(PyValueError::new_err(format!(
            "expected sequence of length {} at dim {} (got {})",
            shape.get(depth).copied().unwrap_or(0),
            depth,
            len
        )));
    }
    if shape.len() == depth {
        shape.push(len);
    } else if shape[depth] != len {
        return Err(PyValueError::new_err(format!(
            "expected sequence of length {} at dim {} (got {})",
            shape[depth], depth, len
        )));
    }
    if len == 0 && leaf_depth.is_none() {
        *leaf_depth = Some(depth + 1);
    }
    for item in seq.try_iter()? {
        collect(&item?, depth + 1, shape, leaf_depth, out)?;
    }
    Ok(())
}

/// The dtype torch infers for a list of scalars: any float makes the default float, else any int
/// int64, else bool; an empty list is the default float.
fn infer_dtype(values: &[Scalar]) -> DType {
    if values.is_empty() || values.iter().any(|v| v.is_float()) {
        default_float()
    } else if values.iter().any(|v| matches!(v, Scalar::Int(_))) {
        DType::Int64
    } else {
        DType::Bool
    }
}

/// `rt.tensor(data)` for nested lists/tuples and scalars.
pub fn tensor_from_nested(obj: &Bound<'_, PyAny>, dtype: Option<DType>) -> PyResult<Tensor> {
    let mut shape = vec![];
    let mut values = vec![];
    let mut leaf_depth = None;
    collect(obj, 0, &mut shape, &mut leaf_depth, &mut values)?;
    let dtype = dtype.unwrap_or_else(|| infer_dtype(&values));
    Ok(dispatch!(dtype, T => Tensor::from_vec(values.iter().map(|v| v.to::<T>()).collect::<Vec<T>>(), &shape)?))
}

fn build_list<T: Element + for<'py> IntoPyObject<'py>>(py: Python<'_>, data: &[T], shape: &[usize]) -> PyResult<Py<PyAny>> {
    if shape.is_empty() {
        return data[0].into_py_any(py);
    }
    let step: usize = shape[1..].iter().product();
    let items = (0..shape[0])
        .map(|i| build_list(py, &data[i * step..(i + 1) * step], &shape[1..]))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, items)?.into_any().unbind())
}

/// `tolist()`: nested Python lists (a plain number for a 0-dim tensor).
pub fn to_pylist(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyAny>> {
    let c = t.contiguous()?;
    dispatch!(c.dtype(), T => {
        // SAFETY: contiguous tensor of numel elements of T.
        let data = unsafe { std::slice::from_raw_parts(c.data_ptr_typed::<T>() as *const T, c.numel()) };
        if c.numel() == 0 && c.ndim() > 0 {
            return build_empty(py, c.shape());
        }
        build_list::<T>(py, data, c.shape())
    })
}

fn build_empty(py: Python<'_>, shape: &[usize]) -> PyResult<Py<PyAny>> {
    if shape[0] == 0 || shape.len() == 1 {
        return Ok(PyList::empty(py).into_any().unbind());
    }
    let items = (0..shape[0])
        .map(|_| build_empty(py, &shape[1..]))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, items)?.into_any().unbind())
}
