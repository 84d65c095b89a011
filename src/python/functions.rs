//! Module functions that take Python objects or change settings: `tensor`, `as_tensor` (from Python
//! data, numpy arrays or tensors), the default dtype and the thread count. Ops are the
//! registry's (`ops.rs`).

use crate::dtype::{default_float, set_default_float, DType};
use crate::python::convert::{extract_dtype, is_ndarray};
use crate::python::dtype::{dtype_object, PyDType};
use crate::python::interop::borrow_array;
use crate::python::nested::tensor_from_nested;
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::tensor::Tensor;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Applies the common keyword arguments of creation functions.
fn finish(t: Tensor, requires_grad: bool) -> PyResult<Py<PyTensor>> {
    if requires_grad {
        t.set_requires_grad(true)?;
    }
    Python::attach(|py| Ok(PyTensor::wrap(py, t)?.unbind()))
}

/// Checks the `device` keyword of creation functions: None or the CPU; torch's errors for a
/// malformed device and for devices rtensor does not have (CUDA: an `AssertionError`).
pub(crate) fn check_device(device: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    match device {
        Some(d) if !d.is_none() => {
            let s = crate::python::device::device_string(d)?;
            Ok(crate::device::check_device(Some(&s))?)
        }
        _ => Ok(()),
    }
}

fn opt_dtype(dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    match dtype {
        Some(d) if !d.is_none() => Ok(Some(extract_dtype(d)?)),
        _ => Ok(None),
    }
}

fn data_to_tensor(data: &Bound<'_, PyAny>, dtype: Option<DType>, share: bool) -> PyResult<Tensor> {
    let py = data.py();
    let source = if let Ok(t) = data.cast::<PyTensor>() {
        Some(t.get().t(t.py()))
    } else if is_ndarray(data)? {
        Some(borrow_array(data)?)
    } else {
        None
    };
    match source {
        Some(t) => {
            let dtype = dtype.unwrap_or(t.dtype());
            if share && dtype == t.dtype() {
                return Ok(t);
            }
            maybe_detached(py, t.numel(), || {
                if dtype == t.dtype() {
                    t.clone_contiguous()
                } else {
                    t.to_dtype(dtype)?.contiguous()
                }
            })
            .map_err(Into::into)
        }
        None => tensor_from_nested(data, dtype),
    }
}

/// `rt.tensor(data)`: always a copy.
#[pyfunction]
#[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, pin_memory=false))]
pub fn tensor(
    data: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> PyResult<Py<PyTensor>> {
    let _ = pin_memory;
    check_device(device)?;
    finish(
        data_to_tensor(data, opt_dtype(dtype)?, false)?,
        requires_grad,
    )
}

/// `rt.as_tensor(data)`: the tensor itself when it already has the dtype; shares memory with
/// numpy arrays when the dtype allows.
#[pyfunction]
#[pyo3(signature = (data, dtype=None, device=None))]
pub fn as_tensor<'py>(
    data: &Bound<'py, PyAny>,
    dtype: Option<&Bound<'py, PyAny>>,
    device: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    check_device(device)?;
    let dtype = opt_dtype(dtype)?;
    if let Ok(t) = data.cast::<PyTensor>() {
        if dtype.is_none_or(|d| d == t.get().t(t.py()).dtype()) {
            return Ok(data.clone());
        }
    }
    let t = data_to_tensor(data, dtype, true)?;
    Ok(PyTensor::wrap(data.py(), t)?.into_any())
}

/// The default floating dtype.
#[pyfunction]
pub fn get_default_dtype(py: Python<'_>) -> Py<PyDType> {
    dtype_object(py, default_float())
}

/// Sets the default floating dtype (float32 or float64).
#[pyfunction]
pub fn set_default_dtype(d: &Bound<'_, PyAny>) -> PyResult<()> {
    Ok(set_default_float(extract_dtype(d)?)?)
}

/// Sets the number of threads kernels use.
#[pyfunction]
pub fn set_num_threads(n: i64) -> PyResult<()> {
    if n < 1 {
        return Err(PyValueError::new_err(
            "set_num_threads expects a positive integer",
        ));
    }
    if n > i32::MAX as i64 {
        // torch reads the count as a C int.
        return Err(PyValueError::new_err("Overflow when unpacking long"));
    }
    crate::threads::set_num_threads(n as usize);
    Ok(())
}

/// The number of threads kernels use.
#[pyfunction]
pub fn get_num_threads() -> usize {
    crate::threads::num_threads()
}
