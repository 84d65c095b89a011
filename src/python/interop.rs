//! Zero-copy exchange with numpy (the array interface) and any DLPack producer or consumer.

use crate::dtype::DType;
use crate::layout::Layout;
use crate::python::tensor::PyTensor;
use crate::storage::Storage;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyBufferError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyTuple};
use std::ffi::{c_void, CStr};
use std::sync::Arc;

// ---- numpy: the array interface --------------------------------------------------------------

fn typestr(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "|b1",
        DType::Int32 => "<i4",
        DType::Int64 => "<i8",
        DType::Float32 => "<f4",
        DType::Float64 => "<f8",
    }
}

fn dtype_of_typestr(s: &str) -> Option<DType> {
    match s {
        "|b1" => Some(DType::Bool),
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
            "can't convert np.ndarray of type {}. The only supported types are: float64, float32, int64, int32, and bool.",
            array.getattr("dtype").and_then(|d| d.str()).map(|s| s.to_string()).unwrap_or(ts.clone())
        ))
    })?;
    let (addr, readonly): (usize, bool) = get("data")?.extract()?;
    let shape: Vec<usize> = get("shape")?.extract()?;
    let esize = dtype.size() as isize;
    let strides: Vec<isize> = match iface.get_item("strides")? {
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
    Ok(unsafe { Tensor::from_storage(Arc::new(storage), layout, dtype) })
}

#[pymethods]
impl PyTensor {
    /// The numpy array interface, so `np.asarray(t)` shares this tensor's memory.
    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        refuse_requires_grad(&self.t, "numpy()")?;
        let d = PyDict::new(py);
        let esize = self.t.dtype().size() as isize;
        d.set_item("shape", PyTuple::new(py, self.t.shape())?)?;
        d.set_item("typestr", typestr(self.t.dtype()))?;
        let readonly = !self.t.storage().is_writable();
        d.set_item("data", (self.t.data_ptr() as usize, readonly))?;
        let strides: Vec<isize> = self.t.strides().iter().map(|s| s * esize).collect();
        d.set_item("strides", PyTuple::new(py, strides)?)?;
        d.set_item("version", 3)?;
        Ok(d)
    }

    /// A numpy array sharing this tensor's memory.
    #[pyo3(signature = (*, force=false))]
    fn numpy<'py>(slf: &Bound<'py, Self>, force: bool) -> PyResult<Bound<'py, PyAny>> {
        let t = &slf.get().t;
        if !force {
            refuse_requires_grad(t, "numpy()")?;
        }
        let np = slf.py().import("numpy")?;
        let holder = if force && t.requires_grad() {
            Bound::new(slf.py(), PyTensor::from(t.detach()))?.into_any()
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

    /// DLPack export: a capsule that shares this tensor's memory.
    #[pyo3(signature = (*, stream=None, max_version=None, dl_device=None, copy=None))]
    fn __dlpack__<'py>(
        &self,
        py: Python<'py>,
        stream: Option<&Bound<'py, PyAny>>,
        max_version: Option<&Bound<'py, PyAny>>,
        dl_device: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let _ = (stream, max_version, dl_device);
        if self.t.requires_grad() {
            return Err(PyBufferError::new_err(
                "Can't export tensors that require gradient, use tensor.detach()",
            ));
        }
        let t = if copy == Some(true) {
            self.t.clone_contiguous()?
        } else {
            self.t.clone()
        };
        if !t.storage().is_writable() {
            // DLPack cannot say "read-only", and a consumer would write the pages (numpy refuses
            // the same way).
            return Err(PyBufferError::new_err(
                "Cannot export readonly array since signalling readonly is unsupported by DLPack.",
            ));
        }
        export_dlpack(py, t)
    }

    /// The DLPack device: (kDLCPU, 0).
    fn __dlpack_device__(&self) -> (i32, i32) {
        (1, 0)
    }
}

// ---- DLPack ------------------------------------------------------------------------------------

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDevice {
    device_type: i32,
    device_id: i32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDataType {
    code: u8,
    bits: u8,
    lanes: u16,
}

#[repr(C)]
struct DLTensor {
    data: *mut c_void,
    device: DLDevice,
    ndim: i32,
    dtype: DLDataType,
    shape: *mut i64,
    strides: *mut i64,
    byte_offset: u64,
}

#[repr(C)]
struct DLManagedTensor {
    dl_tensor: DLTensor,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

const DLTENSOR: &CStr = c"dltensor";
const USED_DLTENSOR: &CStr = c"used_dltensor";

/// What an exported capsule owns: the tensor (keeping its storage alive) and the shape arrays.
struct ExportCtx {
    _tensor: Tensor,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

unsafe extern "C" fn delete_managed(m: *mut DLManagedTensor) {
    if m.is_null() {
        return;
    }
    // SAFETY: made by `export_dlpack` from Boxes; called once by the consumer (or the capsule).
    let m = Box::from_raw(m);
    drop(Box::from_raw(m.manager_ctx as *mut ExportCtx));
}

unsafe extern "C" fn capsule_destructor(capsule: *mut ffi::PyObject) {
    // Only an unconsumed capsule still owns its tensor.
    if ffi::PyCapsule_IsValid(capsule, DLTENSOR.as_ptr()) == 1 {
        let m = ffi::PyCapsule_GetPointer(capsule, DLTENSOR.as_ptr()) as *mut DLManagedTensor;
        delete_managed(m);
    }
}

fn dl_dtype(dtype: DType) -> DLDataType {
    let (code, bits) = match dtype {
        DType::Bool => (6, 8),
        DType::Int32 => (0, 32),
        DType::Int64 => (0, 64),
        DType::Float32 => (2, 32),
        DType::Float64 => (2, 64),
    };
    DLDataType {
        code,
        bits,
        lanes: 1,
    }
}

fn export_dlpack(py: Python<'_>, t: Tensor) -> PyResult<Bound<'_, PyAny>> {
    let mut ctx = Box::new(ExportCtx {
        shape: t.shape().iter().map(|&d| d as i64).collect(),
        strides: t.strides().iter().map(|&s| s as i64).collect(),
        _tensor: t.clone(),
    });
    let managed = Box::new(DLManagedTensor {
        dl_tensor: DLTensor {
            data: t.data_ptr() as *mut c_void,
            device: DLDevice {
                device_type: 1,
                device_id: 0,
            },
            ndim: t.ndim() as i32,
            dtype: dl_dtype(t.dtype()),
            shape: ctx.shape.as_mut_ptr(),
            strides: ctx.strides.as_mut_ptr(),
            byte_offset: 0,
        },
        manager_ctx: std::ptr::null_mut(),
        deleter: Some(delete_managed),
    });
    let raw = Box::into_raw(managed);
    // SAFETY: `raw` is a valid, uniquely owned DLManagedTensor; the capsule takes ownership.
    unsafe {
        (*raw).manager_ctx = Box::into_raw(ctx) as *mut c_void;
        let cap = ffi::PyCapsule_New(
            raw as *mut c_void,
            DLTENSOR.as_ptr(),
            Some(capsule_destructor),
        );
        if cap.is_null() {
            delete_managed(raw);
            return Err(PyErr::fetch(py));
        }
        Ok(Bound::from_owned_ptr(py, cap))
    }
}

/// Calls the producer's deleter when the borrowing storage is dropped.
struct DLOwner(*mut DLManagedTensor);
unsafe impl Send for DLOwner {}
unsafe impl Sync for DLOwner {}

impl Drop for DLOwner {
    fn drop(&mut self) {
        // SAFETY: the capsule was marked used, so this is the one call of the producer's deleter.
        unsafe {
            if let Some(del) = (*self.0).deleter {
                if ffi::Py_IsInitialized() != 0 {
                    Python::attach(|_| del(self.0));
                }
            }
        }
    }
}

fn dtype_of_dl(d: DLDataType) -> Option<DType> {
    match (d.code, d.bits, d.lanes) {
        (6, 8, 1) => Some(DType::Bool),
        (0, 32, 1) => Some(DType::Int32),
        (0, 64, 1) => Some(DType::Int64),
        (2, 32, 1) => Some(DType::Float32),
        (2, 64, 1) => Some(DType::Float64),
        _ => None,
    }
}

/// `rt.from_dlpack(obj)`: a tensor sharing the memory of any DLPack producer (or a capsule).
#[pyfunction]
pub fn from_dlpack(py: Python<'_>, ext: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    let capsule = if ext.is_instance_of::<PyCapsule>() {
        ext.clone()
    } else if ext.hasattr("__dlpack__")? {
        if let Ok(dev) = ext.call_method0("__dlpack_device__") {
            let (kind, _): (i32, i32) = dev.extract()?;
            if kind != 1 {
                return Err(PyBufferError::new_err(format!(
                    "from_dlpack: only CPU tensors are supported (device type {})",
                    kind
                )));
            }
        }
        ext.call_method0("__dlpack__")?
    } else {
        return Err(PyTypeError::new_err(format!(
            "from_dlpack(): expected an object with __dlpack__ or a DLPack capsule, got {}",
            crate::python::convert::type_name(ext)
        )));
    };
    // SAFETY: checked to be a capsule named "dltensor" holding a DLManagedTensor.
    unsafe {
        let cap = capsule.as_ptr();
        if ffi::PyCapsule_IsValid(cap, DLTENSOR.as_ptr()) != 1 {
            return Err(PyValueError::new_err(
                "from_dlpack: expected an unconsumed capsule named 'dltensor' (versioned DLPack capsules are not supported)",
            ));
        }
        let m = ffi::PyCapsule_GetPointer(cap, DLTENSOR.as_ptr()) as *mut DLManagedTensor;
        let dl = &(*m).dl_tensor;
        if dl.device.device_type != 1 {
            return Err(PyBufferError::new_err(
                "from_dlpack: only CPU tensors are supported",
            ));
        }
        let dtype = dtype_of_dl(dl.dtype).ok_or_else(|| {
            PyTypeError::new_err(format!(
                "from_dlpack: unsupported DLPack dtype (code {}, bits {}, lanes {})",
                dl.dtype.code, dl.dtype.bits, dl.dtype.lanes
            ))
        })?;
        let nd = dl.ndim.max(0) as usize;
        let shape: Vec<usize> = (0..nd).map(|i| *dl.shape.add(i) as usize).collect();
        let strides: Vec<isize> = if dl.strides.is_null() {
            crate::shape::contiguous_strides(&shape)
        } else {
            (0..nd).map(|i| *dl.strides.add(i) as isize).collect()
        };
        if strides.iter().any(|&s| s < 0) {
            return Err(PyValueError::new_err(
                "from_dlpack: negative strides are not supported",
            ));
        }
        let layout = Layout {
            shape,
            strides,
            offset: 0,
        };
        let nbytes = layout.span().map_or(0, |(_, hi)| (hi + 1) * dtype.size());
        let data = (dl.data as *mut u8).add(dl.byte_offset as usize);
        if ffi::PyCapsule_SetName(cap, USED_DLTENSOR.as_ptr()) != 0 {
            return Err(PyErr::fetch(py));
        }
        let storage = Storage::borrowed(data, nbytes, Box::new(DLOwner(m)));
        Ok(Tensor::from_storage(Arc::new(storage), layout, dtype).into())
    }
}
