//! The `Tensor` Python class: metadata, views, conversions and printing. Operators live in
//! `operators.rs`, indexing in `indexing.rs`, numpy/DLPack in `interop.rs`; ops are installed
//! from the registry (`ops.rs`).

use crate::dispatch;
use crate::dtype::{default_float, DType};
use crate::python::dtype::{dtype_object, PyDType};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};
use std::cell::UnsafeCell;

/// Above this many elements a kernel releases the GIL so other Python threads can run.
pub const RELEASE_GIL_ABOVE: usize = 1 << 15;

/// A tensor as Python sees it (subclassable: `nn.Parameter` is a Python subclass). Frozen: the
/// Python object never changes identity; the core tensor inside is re-pointed only by
/// `t.data = other` (torch's `set_data`).
#[pyclass(name = "Tensor", module = "rtensor", frozen, weakref, subclass)]
pub struct PyTensor {
    /// The core tensor.
    slot: TensorCell,
}

/// The cell holding a [`PyTensor`]'s core tensor: read (by cloning the handle) and replaced only
/// by methods that take a `Python` token, i.e. while this thread is attached to the interpreter
/// (holds the GIL), which serialises them.
struct TensorCell(UnsafeCell<Tensor>);

// SAFETY: the cell's content is touched only by `PyTensor::t` and `PyTensor::replace`, which
// require a `Python` token: the thread holds the GIL (the module is not declared free-threaded),
// so at most one thread at a time reads or writes it; readers copy the handle out and keep no
// reference into the cell.
unsafe impl Sync for TensorCell {}

impl From<Tensor> for PyTensor {
    fn from(t: Tensor) -> Self {
        PyTensor {
            slot: TensorCell(UnsafeCell::new(t)),
        }
    }
}

impl PyTensor {
    /// The core tensor as it is now (a new handle on it: it stays valid, and the same, whatever
    /// `t.data = other` does later). The token proves the GIL is held.
    #[inline]
    pub fn t(&self, _py: Python<'_>) -> Tensor {
        // SAFETY: the GIL is held (the token), so no other thread touches the cell meanwhile
        // (see `TensorCell`), and cloning a handle runs no Python code that could replace it;
        // the shared reference ends with the clone.
        unsafe { (*self.slot.0.get()).clone() }
    }

    /// Puts `t` in the cell and returns the tensor it held (for the caller to drop).
    fn replace(&self, _py: Python<'_>, t: Tensor) -> Tensor {
        // SAFETY: the GIL is held (the token), so no other thread touches the cell meanwhile;
        // no reference into it outlives a `t()` call, and the swap runs no Python code (the old
        // tensor, whose drop might, is returned).
        unsafe { std::mem::replace(&mut *self.slot.0.get(), t) }
    }
}

/// Runs `f` without the GIL when the work is big enough for that to pay.
pub fn maybe_detached<R: Send>(py: Python<'_>, numel: usize, f: impl FnOnce() -> R + Send) -> R {
    if numel > RELEASE_GIL_ABOVE {
        py.detach(f)
    } else {
        f()
    }
}

static SIZE_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Builds an `rtensor.Size` (a tuple subclass defined in Python) from a shape.
pub fn make_size<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let cls = SIZE_TYPE.get_or_try_init(py, || -> PyResult<Py<PyType>> {
        Ok(py
            .import("rtensor._size")?
            .getattr("Size")?
            .cast_into::<PyType>()?
            .unbind())
    })?;
    cls.bind(py).call1((PyTuple::new(py, shape)?,))
}

/// The single element of a one-element tensor as a scalar of its kind.
pub fn item_scalar(t: &Tensor) -> PyResult<Scalar> {
    if t.numel() != 1 {
        return Err(PyRuntimeError::new_err(format!(
            "a Tensor with {} elements cannot be converted to Scalar",
            t.numel()
        )));
    }
    let c = t.contiguous()?;
    Ok(dispatch!(c.dtype(), T => {
        // SAFETY: `t` has exactly one element (checked above), `dispatch!` made `T` `c`'s dtype,
        // and `c` (alive here) points at that element.
        let v: T = unsafe { *c.data_ptr_typed::<T>() };
        match c.dtype() {
            DType::Bool => Scalar::Bool(crate::dtype::Element::to_bool(v)),
            d if d.is_floating() => Scalar::Float(crate::dtype::Element::to_f64(v)),
            _ => Scalar::Int(crate::dtype::Element::to_i64(v)),
        }
    }))
}

fn scalar_to_py(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    Ok(match s {
        Scalar::Bool(b) => pyo3::types::PyBool::new(py, b)
            .to_owned()
            .into_any()
            .unbind(),
        Scalar::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Scalar::Float(f) => f.into_pyobject(py)?.into_any().unbind(),
    })
}

#[pymethods]
impl PyTensor {
    /// The legacy constructor: `Tensor()`, `Tensor(*sizes)`, `Tensor(data)`, `Tensor(tensor)`,
    /// as torch's (`rtensor._legacy.tensor_new` reads the arguments).
    #[new]
    #[pyo3(signature = (*args, **kwargs))]
    fn py_new(
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> PyResult<PyTensor> {
        let made = args
            .py()
            .import("rtensor._legacy")?
            .getattr("tensor_new")?
            .call((args.py().None(), args), kwargs)?;
        Ok(made.cast::<PyTensor>()?.get().t(made.py()).into())
    }

    // ---- metadata ----------------------------------------------------------------------------

    /// The shape as an `rtensor.Size`.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        make_size(py, self.t(py).shape())
    }

    /// `size()` as an `rtensor.Size`, or `size(dim)` as an int.
    #[pyo3(signature = (dim=None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => make_size(py, self.t(py).shape()),
            Some(d) => Ok(self.t(py).size(d)?.into_pyobject(py)?.into_any()),
        }
    }

    /// Strides in elements, or the stride of one dim.
    #[pyo3(signature = (dim=None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => Ok(PyTuple::new(py, self.t(py).strides())?.into_any()),
            Some(d) => Ok(self.t(py).stride(d)?.into_pyobject(py)?.into_any()),
        }
    }

    /// The element type.
    #[getter]
    fn dtype(&self, py: Python<'_>) -> Py<PyDType> {
        dtype_object(py, self.t(py).dtype())
    }

    /// Number of dims.
    #[getter]
    fn ndim(&self, py: Python<'_>) -> usize {
        self.t(py).ndim()
    }

    /// Number of dims.
    fn dim(&self, py: Python<'_>) -> usize {
        self.t(py).ndim()
    }

    /// Number of elements (torch's older name).
    fn nelement(&self, py: Python<'_>) -> usize {
        self.t(py).numel()
    }

    /// Bytes per element.
    fn element_size(&self, py: Python<'_>) -> usize {
        self.t(py).dtype().size()
    }

    /// Address of the first element.
    fn data_ptr(&self, py: Python<'_>) -> usize {
        self.t(py).data_ptr() as usize
    }

    /// Offset of the first element in the storage, in elements.
    fn storage_offset(&self, py: Python<'_>) -> usize {
        self.t(py).storage_offset()
    }

    /// Row-major contiguous, or laid out in `memory_format` (`rtensor.channels_last` ...).
    #[pyo3(signature = (*, memory_format=None))]
    fn is_contiguous(
        &self,
        py: Python<'_>,
        memory_format: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let Some(f) = memory_format.filter(|f| !f.is_none()) else {
            return Ok(self.t(py).is_contiguous());
        };
        let ty = f.get_type().name()?.to_string();
        if ty != "memory_format" {
            return Err(PyTypeError::new_err(format!(
                "is_contiguous(): argument 'memory_format' must be rtensor.memory_format, not {}",
                ty
            )));
        }
        let name = f.str()?.to_string();
        Ok(crate::kernels::copy::is_in_format(
            &self.t(py),
            name.trim_start_matches("rtensor."),
        ))
    }

    /// The storage's version counter, shared by every view and `detach()` alias.
    #[getter]
    fn _version(&self, py: Python<'_>) -> u64 {
        self.t(py).version()
    }

    /// The device: always the CPU, `device(type='cpu')`.
    #[getter]
    fn device(&self, py: Python<'_>) -> PyResult<Py<crate::python::device::PyDevice>> {
        crate::python::device::cpu_device(py)
    }

    /// `t.data`: a detached alias of this tensor (the same storage, no history).
    #[getter(data)]
    fn get_data(&self, py: Python<'_>) -> PyTensor {
        self.t(py).detach().into()
    }

    /// `t.data = other`: this tensor takes `other`'s storage, shape and dtype (torch's
    /// `set_data`), keeping its own autograd identity: `requires_grad`, `.grad`, `grad_fn`,
    /// hooks. Views made before keep the old storage; the version counter becomes `other`'s.
    #[setter(data)]
    fn set_data(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        let src = match other.cast::<PyTensor>() {
            Ok(o) => o.get().t(o.py()),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "Variable data has to be a tensor, but got {}",
                    other.get_type().name()?
                )))
            }
        };
        let cur = self.t(py);
        if src.same_tensor(&cur) {
            return Ok(());
        }
        if cur.requires_grad() && !src.dtype().is_floating() {
            return Err(PyRuntimeError::new_err(
                "data set to a tensor that requires gradients must be floating point or complex dtype",
            ));
        }
        let new = cur.adopt_data(&src);
        crate::autograd::meta::forget_accumulator(&new);
        drop(self.replace(py, new));
        Ok(())
    }

    /// `(address, bytes)` of the whole storage behind this tensor, for `untyped_storage()`.
    fn _storage_span(&self, py: Python<'_>) -> (usize, usize) {
        let t = self.t(py);
        let s = t.storage();
        (s.ptr() as usize, s.nbytes())
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        if self.t(py).ndim() == 0 {
            return Err(PyTypeError::new_err("len() of a 0-d tensor"));
        }
        Ok(self.t(py).shape()[0])
    }

    fn __iter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
        let t = &slf.get().t(slf.py());
        if t.ndim() == 0 {
            return Err(PyTypeError::new_err("iteration over a 0-d tensor"));
        }
        let rows = t.unbind(0)?.into_iter().map(PyTensor::from);
        pyo3::types::PyList::new(slf.py(), rows)?
            .try_iter()
            .map(|i| i.into_any())
    }

    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }

    // ---- views -------------------------------------------------------------------------------

    /// All dims reversed.
    #[getter(T)]
    fn get_t(&self, py: Python<'_>) -> PyResult<PyTensor> {
        Ok(self.t(py).reverse_dims()?.into())
    }

    // ---- copies and conversions --------------------------------------------------------------

    /// The single element as a Python number.
    fn item(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        scalar_to_py(py, item_scalar(&self.t(py))?)
    }

    fn __float__(&self, py: Python<'_>) -> PyResult<f64> {
        Ok(one_element(&self.t(py))?.as_f64())
    }

    /// numpy defers its binary operators to ours (so `np.float64(2) * t` is a tensor), as torch's
    /// tensors do.
    #[classattr]
    fn __array_priority__() -> f64 {
        1000.0
    }

    fn __int__(&self, py: Python<'_>) -> PyResult<i64> {
        Ok(match one_element(&self.t(py))? {
            Scalar::Float(f) => {
                if !f.is_finite() {
                    return Err(PyValueError::new_err(format!(
                        "cannot convert float {} to integer",
                        f
                    )));
                }
                f.trunc() as i64
            }
            Scalar::Int(i) => i,
            Scalar::Bool(b) => b as i64,
        })
    }

    fn __index__(&self, py: Python<'_>) -> PyResult<i64> {
        if self.t(py).dtype().is_floating() || self.t(py).numel() != 1 {
            return Err(PyTypeError::new_err(
                "only integer tensors of a single element can be converted to an index",
            ));
        }
        self.t(py).item_i64().map_err(Into::into)
    }

    fn __bool__(&self, py: Python<'_>) -> PyResult<bool> {
        if self.t(py).numel() != 1 {
            return Err(PyRuntimeError::new_err(if self.t(py).numel() == 0 {
                "Boolean value of Tensor with no values is ambiguous"
            } else {
                "Boolean value of Tensor with more than one value is ambiguous"
            }));
        }
        Ok(one_element(&self.t(py))?.as_f64() != 0.0)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        py.import("rtensor._tensor_str")?
            .getattr("tensor_repr")?
            .call1((slf, default_float().name()))?
            .extract()
    }
}

/// The element of a one-element tensor for `float()`, `int()` and `bool()`.
fn one_element(t: &Tensor) -> PyResult<Scalar> {
    if t.numel() != 1 {
        return Err(PyValueError::new_err(
            "only one element tensors can be converted to Python scalars",
        ));
    }
    item_scalar(t)
}
