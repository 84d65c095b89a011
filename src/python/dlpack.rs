//! DLPack exchange with any producer or consumer (numpy, torch, jax...): `Tensor.__dlpack__`,
//! `__dlpack_device__` and `rt.from_dlpack`, sharing memory both ways.
//!
//! Both capsule kinds are spoken: the versioned one (`dltensor_versioned`, DLPack 1.x, with flags)
//! when the consumer asks for it through `max_version`, and the legacy `dltensor` otherwise. On
//! import the producer is asked for a versioned capsule first, as torch does; memory flagged
//! read-only (a non-writeable numpy array) is shared as a read-only storage, which refuses writes.

use crate::dtype::DType;
use crate::layout::Layout;
use crate::python::convert::type_name;
use crate::python::tensor::PyTensor;
use crate::storage::Storage;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyBufferError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};
use std::ffi::{c_void, CStr};
use std::sync::Arc;

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

/// The legacy managed tensor (capsule name `dltensor`).
#[repr(C)]
struct DLManagedTensor {
    dl_tensor: DLTensor,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct DLPackVersion {
    major: u32,
    minor: u32,
}

/// The DLPack 1.x managed tensor (capsule name `dltensor_versioned`).
#[repr(C)]
struct DLManagedTensorVersioned {
    version: DLPackVersion,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensorVersioned)>,
    flags: u64,
    dl_tensor: DLTensor,
}

const DLTENSOR: &CStr = c"dltensor";
const USED_DLTENSOR: &CStr = c"used_dltensor";
const DLTENSOR_VERSIONED: &CStr = c"dltensor_versioned";
const USED_DLTENSOR_VERSIONED: &CStr = c"used_dltensor_versioned";
/// The DLPack version this module speaks.
const VERSION: DLPackVersion = DLPackVersion { major: 1, minor: 0 };
const KDL_CPU: i32 = 1;
/// The versioned capsule's flag for memory the consumer must not write.
const FLAG_READ_ONLY: u64 = 1;

/// What an exported capsule owns: the tensor (keeping its storage alive) and the shape arrays.
struct ExportCtx {
    _tensor: Tensor,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

/// The deleter of an exported legacy managed tensor.
///
/// # Safety
/// `m` must be null or a managed tensor made by [`export`] (a Box whose `manager_ctx` is a Box of
/// [`ExportCtx`]) that has not been deleted; it is freed here and must not be used again.
unsafe extern "C" fn delete_legacy(m: *mut DLManagedTensor) {
    if m.is_null() {
        return;
    }
    // Sound by the contract above: both pointers came from `Box::into_raw` in `export`, and the
    // consumer (or the capsule's destructor, only while unconsumed) calls this once.
    let m = Box::from_raw(m);
    drop(Box::from_raw(m.manager_ctx as *mut ExportCtx));
}

/// The deleter of an exported versioned managed tensor.
///
/// # Safety
/// As [`delete_legacy`], for a versioned managed tensor.
unsafe extern "C" fn delete_versioned(m: *mut DLManagedTensorVersioned) {
    if m.is_null() {
        return;
    }
    // Sound by the contract above, as in `delete_legacy`.
    let m = Box::from_raw(m);
    drop(Box::from_raw(m.manager_ctx as *mut ExportCtx));
}

/// The destructor of a legacy capsule made by [`export`]: frees the tensor unless consumed.
///
/// # Safety
/// Called by CPython only, with the GIL held, on a capsule made by [`capsule`] for a legacy
/// managed tensor; a consumer renames the capsule when it takes the tensor, so the name check
/// below skips consumed ones.
unsafe extern "C" fn legacy_capsule_destructor(capsule: *mut ffi::PyObject) {
    // Only an unconsumed capsule still owns its tensor.
    if ffi::PyCapsule_IsValid(capsule, DLTENSOR.as_ptr()) == 1 {
        delete_legacy(ffi::PyCapsule_GetPointer(capsule, DLTENSOR.as_ptr()) as *mut _);
    }
}

/// The destructor of a versioned capsule made by [`export`]: frees the tensor unless consumed.
///
/// # Safety
/// As [`legacy_capsule_destructor`], for a versioned capsule.
unsafe extern "C" fn versioned_capsule_destructor(capsule: *mut ffi::PyObject) {
    if ffi::PyCapsule_IsValid(capsule, DLTENSOR_VERSIONED.as_ptr()) == 1 {
        let m = ffi::PyCapsule_GetPointer(capsule, DLTENSOR_VERSIONED.as_ptr());
        delete_versioned(m as *mut _);
    }
}

fn dl_dtype(dtype: DType) -> DLDataType {
    let (code, bits) = match dtype {
        DType::Bool => (6, 8),
        DType::UInt8 => (1, 8),
        DType::Int8 => (0, 8),
        DType::Int16 => (0, 16),
        DType::Float16 => (2, 16),
        DType::BFloat16 => (4, 16),
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

fn dtype_of_dl(d: DLDataType) -> Option<DType> {
    match (d.code, d.bits, d.lanes) {
        (6, 8, 1) => Some(DType::Bool),
        (1, 8, 1) => Some(DType::UInt8),
        (0, 8, 1) => Some(DType::Int8),
        (0, 16, 1) => Some(DType::Int16),
        (2, 16, 1) => Some(DType::Float16),
        (4, 16, 1) => Some(DType::BFloat16),
        (0, 32, 1) => Some(DType::Int32),
        (0, 64, 1) => Some(DType::Int64),
        (2, 32, 1) => Some(DType::Float32),
        (2, 64, 1) => Some(DType::Float64),
        _ => None,
    }
}

/// Wraps a boxed managed tensor in a capsule that frees it unless a consumer took it.
///
/// # Safety
/// `raw` must be a uniquely owned Box pointer matching `name` and `destructor`.
unsafe fn capsule<'py>(
    py: Python<'py>,
    raw: *mut c_void,
    name: &'static CStr,
    destructor: unsafe extern "C" fn(*mut ffi::PyObject),
    free: impl FnOnce(),
) -> PyResult<Bound<'py, PyAny>> {
    let cap = ffi::PyCapsule_New(raw, name.as_ptr(), Some(destructor));
    if cap.is_null() {
        free();
        return Err(PyErr::fetch(py));
    }
    Ok(Bound::from_owned_ptr(py, cap))
}

/// A capsule sharing `t`'s memory: versioned when `versioned`, legacy otherwise. Read-only
/// memory (borrowed from a non-writable numpy array) is flagged so in a versioned capsule; the
/// legacy one cannot say it and is refused, as numpy refuses.
fn export(py: Python<'_>, t: Tensor, versioned: bool) -> PyResult<Bound<'_, PyAny>> {
    let read_only = !t.storage().is_writable();
    if read_only && !versioned {
        return Err(PyBufferError::new_err(
            "Cannot export readonly array since signalling readonly is unsupported by DLPack (supported by newer DLPack version).",
        ));
    }
    let mut ctx = Box::new(ExportCtx {
        shape: t.shape().iter().map(|&d| d as i64).collect(),
        strides: t.strides().iter().map(|&s| s as i64).collect(),
        _tensor: t.clone(),
    });
    let dl_tensor = DLTensor {
        data: t.data_ptr() as *mut c_void,
        device: DLDevice {
            device_type: KDL_CPU,
            device_id: 0,
        },
        ndim: t.ndim() as i32,
        dtype: dl_dtype(t.dtype()),
        shape: ctx.shape.as_mut_ptr(),
        strides: ctx.strides.as_mut_ptr(),
        byte_offset: 0,
    };
    let ctx = Box::into_raw(ctx) as *mut c_void;
    // SAFETY: each branch hands a fresh, uniquely owned Box to its capsule.
    unsafe {
        if versioned {
            let raw = Box::into_raw(Box::new(DLManagedTensorVersioned {
                version: VERSION,
                manager_ctx: ctx,
                deleter: Some(delete_versioned),
                flags: if read_only { FLAG_READ_ONLY } else { 0 },
                dl_tensor,
            }));
            capsule(
                py,
                raw as *mut c_void,
                DLTENSOR_VERSIONED,
                versioned_capsule_destructor,
                || delete_versioned(raw),
            )
        } else {
            let raw = Box::into_raw(Box::new(DLManagedTensor {
                dl_tensor,
                manager_ctx: ctx,
                deleter: Some(delete_legacy),
            }));
            capsule(
                py,
                raw as *mut c_void,
                DLTENSOR,
                legacy_capsule_destructor,
                || delete_legacy(raw),
            )
        }
    }
}

/// True when the consumer's `max_version` (a `(major, minor)` tuple or None) takes DLPack 1.x.
fn wants_versioned(max_version: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
    match max_version {
        Some(v) if !v.is_none() => {
            let (major, _minor): (i64, i64) = v.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "__dlpack__(): max_version must be a tuple of two ints, not {}",
                    type_name(v)
                ))
            })?;
            Ok(major >= VERSION.major as i64)
        }
        _ => Ok(false),
    }
}

#[pymethods]
impl PyTensor {
    /// DLPack export: a capsule that shares this tensor's memory (versioned when `max_version`
    /// allows DLPack 1.x).
    #[pyo3(signature = (*, stream=None, max_version=None, dl_device=None, copy=None))]
    fn __dlpack__<'py>(
        &self,
        py: Python<'py>,
        stream: Option<&Bound<'py, PyAny>>,
        max_version: Option<&Bound<'py, PyAny>>,
        dl_device: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let _ = (stream, dl_device);
        let versioned = wants_versioned(max_version)?;
        if self.t(py).requires_grad() {
            return Err(PyBufferError::new_err(
                "Can't export tensors that require gradient, use tensor.detach()",
            ));
        }
        let t = if copy == Some(true) {
            self.t(py).clone_contiguous()?
        } else {
            self.t(py)
        };
        export(py, t, versioned)
    }

    /// The DLPack device: (kDLCPU, 0).
    fn __dlpack_device__(&self) -> (i32, i32) {
        (KDL_CPU, 0)
    }
}

/// Calls the producer's deleter when the borrowing storage is dropped.
enum DLOwner {
    Legacy(*mut DLManagedTensor),
    Versioned(*mut DLManagedTensorVersioned),
}
// SAFETY: the raw pointer is the producer's managed tensor, which only `drop` uses: it calls the
// deleter once, with the GIL held (`Python::attach`), whichever thread drops the storage, which
// the DLPack protocol allows (a deleter may run on any thread).
unsafe impl Send for DLOwner {}
// SAFETY: `&DLOwner` gives access to nothing (no methods read the pointer), so sharing is harmless.
unsafe impl Sync for DLOwner {}

impl Drop for DLOwner {
    fn drop(&mut self) {
        // SAFETY: the capsule was marked used, so this is the one call of the producer's deleter.
        unsafe {
            if ffi::Py_IsInitialized() == 0 {
                return;
            }
            match *self {
                DLOwner::Legacy(m) => {
                    if let Some(del) = (*m).deleter {
                        Python::attach(|_| del(m));
                    }
                }
                DLOwner::Versioned(m) => {
                    if let Some(del) = (*m).deleter {
                        Python::attach(|_| del(m));
                    }
                }
            }
        }
    }
}

/// Asks `ext` for a capsule: versioned first (as torch does), legacy from older producers.
fn request_capsule<'py>(ext: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(dev) = ext.call_method0("__dlpack_device__") {
        let (kind, _): (i32, i32) = dev.extract()?;
        if kind != KDL_CPU {
            return Err(PyBufferError::new_err(format!(
                "from_dlpack: only CPU tensors are supported (device type {})",
                kind
            )));
        }
    }
    let kwargs = PyDict::new(ext.py());
    kwargs.set_item("max_version", (VERSION.major, VERSION.minor))?;
    match ext.call_method("__dlpack__", (), Some(&kwargs)) {
        Ok(c) => Ok(c),
        Err(e) if e.is_instance_of::<PyTypeError>(ext.py()) => ext.call_method0("__dlpack__"),
        Err(e) => Err(e),
    }
}

/// `rt.from_dlpack(obj)`: a tensor sharing the memory of any DLPack producer (or a capsule);
/// `device` may only name the CPU, as for the creation functions.
#[pyfunction]
#[pyo3(signature = (ext, *, device=None))]
pub fn from_dlpack(
    py: Python<'_>,
    ext: &Bound<'_, PyAny>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    crate::python::functions::check_device(device)?;
    let capsule = if ext.is_instance_of::<PyCapsule>() {
        ext.clone()
    } else if ext.hasattr("__dlpack__")? {
        request_capsule(ext)?
    } else {
        return Err(PyTypeError::new_err(format!(
            "from_dlpack(): expected an object with __dlpack__ or a DLPack capsule, got {}",
            type_name(ext)
        )));
    };
    let cap = capsule.as_ptr();
    // SAFETY: `cap` is a live object (`capsule` holds it). Each branch checks the capsule's name
    // before reading its pointer as the managed-tensor kind that name promises, and the producer
    // keeps that struct valid until its deleter runs. `tensor_of` reads `ndim` shape and stride
    // entries, as the struct promises, and returns the byte span of every element the layout
    // reaches from `data`, which the producer guarantees readable and writable while the
    // managed tensor lives; the storage owns `owner`, which calls the deleter when it drops, so
    // the memory lives as long as the tensor. `dtype` came from the DLPack dtype code.
    unsafe {
        let (dl, owner, used, read_only) = if ffi::PyCapsule_IsValid(
            cap,
            DLTENSOR_VERSIONED.as_ptr(),
        ) == 1
        {
            let m = ffi::PyCapsule_GetPointer(cap, DLTENSOR_VERSIONED.as_ptr())
                as *mut DLManagedTensorVersioned;
            if (*m).version.major > VERSION.major {
                return Err(PyBufferError::new_err(format!(
                    "from_dlpack: DLPack version {}.{} is not supported (at most {}.x)",
                    (*m).version.major,
                    (*m).version.minor,
                    VERSION.major
                )));
            }
            (
                &(*m).dl_tensor,
                DLOwner::Versioned(m),
                USED_DLTENSOR_VERSIONED,
                (*m).flags & FLAG_READ_ONLY != 0,
            )
        } else if ffi::PyCapsule_IsValid(cap, DLTENSOR.as_ptr()) == 1 {
            let m = ffi::PyCapsule_GetPointer(cap, DLTENSOR.as_ptr()) as *mut DLManagedTensor;
            (&(*m).dl_tensor, DLOwner::Legacy(m), USED_DLTENSOR, false)
        } else {
            return Err(PyValueError::new_err(
                "from_dlpack: expected an unconsumed capsule named 'dltensor' or 'dltensor_versioned'",
            ));
        };
        // Until the capsule is marked used, it still owns the tensor: `owner` must not drop.
        let owner = std::mem::ManuallyDrop::new(owner);
        let t = tensor_of(dl)?;
        if ffi::PyCapsule_SetName(cap, used.as_ptr()) != 0 {
            return Err(PyErr::fetch(py));
        }
        let owner = std::mem::ManuallyDrop::into_inner(owner);
        let mut storage = Storage::borrowed(t.0, t.1, Box::new(owner));
        if read_only {
            storage = storage.read_only();
        }
        Ok(Tensor::from_storage(Arc::new(storage), t.2, t.3).into())
    }
}

/// The data pointer, byte span, layout and dtype a DLTensor describes, checked.
///
/// # Safety
/// `dl` must be a valid DLTensor: `shape` (and `strides`, unless null) readable for `ndim`
/// entries when `ndim >= 0`.
unsafe fn tensor_of(dl: &DLTensor) -> PyResult<(*mut u8, usize, Layout, DType)> {
    if dl.device.device_type != KDL_CPU {
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
    if dl.ndim < 0 {
        return Err(PyValueError::new_err(format!(
            "from_dlpack: negative ndim {}",
            dl.ndim
        )));
    }
    let nd = dl.ndim as usize;
    let shape: Vec<i64> = (0..nd).map(|i| *dl.shape.add(i)).collect();
    if shape.iter().any(|&d| d < 0) {
        return Err(PyValueError::new_err(format!(
            "from_dlpack: negative dimension in shape {:?}",
            shape
        )));
    }
    let shape: crate::shape::Dims = shape.into_iter().map(|d| d as usize).collect();
    let strides: crate::shape::Strides = if dl.strides.is_null() {
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
    crate::shape::checked_numel(&layout.shape)?;
    let nbytes = layout
        .span()
        .map_or(Some(0), |(_, hi)| (hi + 1).checked_mul(dtype.size()))
        .ok_or_else(|| PyValueError::new_err("from_dlpack: the tensor's byte span overflows"))?;
    let data = (dl.data as *mut u8).wrapping_add(dl.byte_offset as usize);
    Ok((data, nbytes, layout, dtype))
}
