//! Zero-copy exchange with numpy: the array interface, `numpy()`, `__array__` and `from_numpy`.

use crate::dtype::DType;
use crate::layout::Layout;
use crate::python::tensor::PyTensor;
use crate::storage::Storage;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::sync::Arc;

// ---- numpy: the array interface --------------------------------------------------------------

fn typestr(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "|b1",
        DType::UInt8 => "|u1",
        DType::Int8 => "|i1",
        DType::Int16 => "<i2",
        DType::Float16 => "<f2",
        // numpy has no bfloat16; `numpy()` refuses it before asking for a typestr.
        DType::BFloat16 => "<V2",
        DType::Int32 => "<i4",
        DType::Int64 => "<i8",
        DType::Float32 => "<f4",
        DType::Float64 => "<f8",
    }
}

fn dtype_of_typestr(s: &str) -> Option<DType> {
    match s {
        "|b1" => Some(DType::Bool),
        "|u1" => Some(DType::UInt8),
        "|i1" => Some(DType::Int8),
        "<i2" => Some(DType::Int16),
        "<f2" => Some(DType::Float16),
        "<i4" => Some(DType::Int32),
        "<i8" => Some(DType::Int64),
        "<f4" => Some(DType::Float32),
        "<f8" => Some(DType::Float64),
        _ => None,
    }
}

fn refuse_requires_grad(t: &Tensor, what: &str) -> PyResult<()> {
    if t.requires_grad() {
        return Err(PyRuntimeError::new_err(format!(
            "Can't call {} on Tensor that requires grad. Use tensor.detach().{} instead.",
            what, what
        )));
    }
    Ok(())
}

/// Keeps a Python object alive for as long as a storage borrows its memory.
struct PyOwner(#[allow(dead_code)] Py<PyAny>);

/// `rt.from_numpy(array)`: a tensor sharing the array's memory.
#[pyfunction]
pub fn from_numpy(py: Python<'_>, array: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    let np = py.import("numpy")?;
    if !array.is_instance(&np.getattr("ndarray")?)? {
        return Err(PyTypeError::new_err(format!(
            "expected np.ndarray (got {})",
            crate::python::convert::type_name(array)
        )));
    }
    Ok(borrow_array(array)?.into())
}

/// `_rtensor._borrow_interface(obj)`: a tensor sharing the memory `obj`'s array interface
/// describes (`frombuffer` hands it a Python buffer this way, without numpy).
#[pyfunction]
pub fn _borrow_interface(obj: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    Ok(borrow_array(obj)?.into())
}

/// Wraps anything exposing `__array_interface__` without copying.
pub fn borrow_array(array: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    let iface = array
        .getattr("__array_interface__")?
        .cast_into::<PyDict>()?;
    let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
        iface
            .get_item(k)?
            .ok_or_else(|| PyValueError::new_err(format!("array interface without '{}'", k)))
    };
    let ts: String = get("typestr")?.extract()?;
    let dtype = dtype_of_typestr(&ts).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "can't convert np.ndarray of type {}. The only supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool.",
            array.getattr("dtype").and_then(|d| d.str()).map(|s| s.to_string()).unwrap_or(ts.clone())
        ))
    })?;
    let (addr, readonly): (usize, bool) = get("data")?.extract()?;
    let shape: crate::shape::Dims = get("shape")?.extract::<Vec<usize>>()?.into();
    let esize = dtype.size() as isize;
    let strides: crate::shape::Strides = match iface.get_item("strides")? {
        Some(s) if !s.is_none() => {
            let bytes: Vec<isize> = s.extract()?;
            if bytes.iter().any(|&b| b < 0) {
                return Err(PyValueError::new_err(
                    "At least one stride in the given numpy array is negative, and tensors with negative strides are not currently supported. (You can probably work around this by making a copy of your array  with array.copy().) ",
                ));
            }
            if bytes.iter().any(|&b| b % esize != 0) {
                return Err(PyValueError::new_err(
                    "given numpy array strides not a multiple of the element byte size. Copy the numpy array to reallocate the memory.",
                ));
            }
            bytes.iter().map(|b| b / esize).collect()
        }
        _ => crate::shape::contiguous_strides(&shape),
    };
    let layout = Layout {
        shape,
        strides,
        offset: 0,
    };
    let nbytes = layout.span().map_or(0, |(_, hi)| (hi + 1) * dtype.size());
    let owner = PyOwner(array.clone().unbind());
    // SAFETY: the array interface promises `nbytes` valid bytes at `addr` while the array lives,
    // and the storage keeps the array alive.
    let mut storage = unsafe { Storage::borrowed(addr as *mut u8, nbytes, Box::new(owner)) };
    if readonly {
        storage = storage.read_only();
    }
    // SAFETY: `nbytes` is the byte after the highest element `layout` reaches (its span, from
    // offset 0 at `addr`), so the storage covers every element; the strides were converted
    // from the array's own byte strides and `dtype` from its typestr, so they describe its data.
    Ok(unsafe { Tensor::from_storage(Arc::new(storage), layout, dtype) })
}

#[pymethods]
impl PyTensor {
    /// The numpy array interface, so `np.asarray(t)` shares this tensor's memory.
    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        refuse_requires_grad(&self.t(py), "numpy()")?;
        if self.t(py).dtype() == DType::BFloat16 {
            return Err(PyTypeError::new_err("Got unsupported ScalarType BFloat16"));
        }
        let d = PyDict::new(py);
        let esize = self.t(py).dtype().size() as isize;
        d.set_item("shape", PyTuple::new(py, self.t(py).shape())?)?;
        d.set_item("typestr", typestr(self.t(py).dtype()))?;
        let readonly = !self.t(py).storage().is_writable();
        d.set_item("data", (self.t(py).data_ptr() as usize, readonly))?;
        let strides: Vec<isize> = self.t(py).strides().iter().map(|s| s * esize).collect();
        d.set_item("strides", PyTuple::new(py, strides)?)?;
        d.set_item("version", 3)?;
        Ok(d)
    }

    /// A numpy array sharing this tensor's memory.
    #[pyo3(signature = (*, force=false))]
    fn numpy<'py>(slf: &Bound<'py, Self>, force: bool) -> PyResult<Bound<'py, PyAny>> {
        let t = &slf.get().t(slf.py());
        if !force {
            refuse_requires_grad(t, "numpy()")?;
        }
        let np = slf.py().import("numpy")?;
        let holder = if force && t.requires_grad() {
            PyTensor::wrap(slf.py(), t.detach())?.into_any()
        } else {
            slf.clone().into_any()
        };
        np.call_method1("asarray", (holder,))
    }

    /// numpy's conversion hook; `copy=True` asks for a copy.
    #[pyo3(signature = (dtype=None, copy=None))]
    fn __array__<'py>(
        slf: &Bound<'py, Self>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let arr = PyTensor::numpy(slf, false)?;
        let arr = match dtype {
            Some(d) if !d.is_none() => arr.call_method1("astype", (d,))?,
            _ => arr,
        };
        if copy == Some(true) {
            return arr.call_method0("copy");
        }
        Ok(arr)
    }
}
