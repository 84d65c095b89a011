//! The Python object for a core tensor: allocated directly with the type's `tp_alloc`, and
//! registered as its tensor's owner when it is a leaf that requires grad.

use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;
use pyo3::prelude::*;

/// Where a `PyTensor` sits inside its Python object, measured once on an object pyo3 made.
static VALUE_OFFSET: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

impl PyTensor {
    /// The Python object for `t`. pyo3's own constructor goes through `object.__new__` with an
    /// empty argument tuple; this allocates with the type's `tp_alloc` directly (a third of the
    /// cost of a view op's call). A leaf that requires grad is registered as its tensor's owner.
    pub fn wrap(py: Python<'_>, t: Tensor) -> PyResult<Bound<'_, PyTensor>> {
        let leaf_with_grad = t.requires_grad() && t.is_leaf();
        let obj = match VALUE_OFFSET.get() {
            Some(&offset) => {
                let ty = py.get_type::<PyTensor>();
                let ty_ptr = ty.as_ptr().cast::<pyo3::ffi::PyTypeObject>();
                // SAFETY: `ty_ptr` is the live `Tensor` type object; its `tp_alloc` (set by
                // `PyType_Ready`) returns a new reference to a zero-filled object of the type's
                // size with its type and reference count set, or null with an exception set.
                let raw = unsafe {
                    let alloc = (*ty_ptr).tp_alloc.unwrap_or(pyo3::ffi::PyType_GenericAlloc);
                    alloc(ty_ptr, 0)
                };
                if raw.is_null() {
                    return Err(PyErr::fetch(py));
                }
                // SAFETY: `offset` is where pyo3 keeps the value in an object of this type
                // (measured on one of them below), inside the allocation; the slot is unset
                // (zero) memory, so writing does not drop anything. pyo3's other per-object
                // fields of this frozen, `Sync` class are zero-sized, except the weak-reference
                // list, whose empty state is null, which the zero fill gives. pyo3's `tp_dealloc`
                // drops the value as for any object it made.
                unsafe {
                    raw.cast::<u8>()
                        .add(offset)
                        .cast::<PyTensor>()
                        .write(PyTensor::from(t));
                    Bound::from_owned_ptr(py, raw).cast_into_unchecked::<PyTensor>()
                }
            }
            None => {
                let obj = Bound::new(py, PyTensor::from(t))?;
                let offset = (obj.get() as *const PyTensor as usize) - (obj.as_ptr() as usize);
                let _ = VALUE_OFFSET.set(offset);
                obj
            }
        };
        if leaf_with_grad {
            crate::python::autograd::register_owner(&obj)?;
        }
        Ok(obj)
    }
}
