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

/// Above this many elements a kernel releases the GIL so other Python threads can run.
pub const RELEASE_GIL_ABOVE: usize = 1 << 15;

/// A tensor as Python sees it. Frozen: the handle never changes; the storage behind it may.
#[pyclass(name = "Tensor", module = "rtensor", frozen, weakref)]
pub struct PyTensor {
    /// The core tensor.
    pub t: Tensor,
}

impl From<Tensor> for PyTensor {
    fn from(t: Tensor) -> Self {
        PyTensor { t }
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
        Ok(made.cast::<PyTensor>()?.get().t.clone().into())
    }

    // ---- metadata ----------------------------------------------------------------------------

    /// The shape as an `rtensor.Size`.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        make_size(py, self.t.shape())
    }

    /// `size()` as an `rtensor.Size`, or `size(dim)` as an int.
    #[pyo3(signature = (dim=None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => make_size(py, self.t.shape()),
            Some(d) => Ok(self.t.size(d)?.into_pyobject(py)?.into_any()),
        }
    }

    /// Strides in elements, or the stride of one dim.
    #[pyo3(signature = (dim=None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => Ok(PyTuple::new(py, self.t.strides())?.into_any()),
            Some(d) => Ok(self.t.stride(d)?.into_pyobject(py)?.into_any()),
        }
    }

    /// The element type.
    #[getter]
    fn dtype(&self, py: Python<'_>) -> Py<PyDType> {
        dtype_object(py, self.t.dtype())
    }

    /// Number of dims.
    #[getter]
    fn ndim(&self) -> usize {
        self.t.ndim()
    }

    /// Number of dims.
    fn dim(&self) -> usize {
        self.t.ndim()
    }

    /// Number of elements (torch's older name).
    fn nelement(&self) -> usize {
        self.t.numel()
    }

    /// Bytes per element.
    fn element_size(&self) -> usize {
        self.t.dtype().size()
    }

    /// Address of the first element.
    fn data_ptr(&self) -> usize {
        self.t.data_ptr() as usize
    }

    /// Offset of the first element in the storage, in elements.
    fn storage_offset(&self) -> usize {
        self.t.storage_offset()
    }

    /// Row-major contiguous, or laid out in `memory_format` (`rtensor.channels_last` ...).
    #[pyo3(signature = (*, memory_format=None))]
    fn is_contiguous(&self, memory_format: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        let Some(f) = memory_format.filter(|f| !f.is_none()) else {
            return Ok(self.t.is_contiguous());
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
            &self.t,
            name.trim_start_matches("rtensor."),
        ))
    }

    /// The storage's version counter, shared by every view and `detach()` alias.
    #[getter]
    fn _version(&self) -> u64 {
        self.t.version()
    }

    /// The device: always the CPU, `device(type='cpu')`.
    #[getter]
    fn device(&self, py: Python<'_>) -> PyResult<Py<crate::python::device::PyDevice>> {
        crate::python::device::cpu_device(py)
    }

    /// `t.data`: a detached alias of this tensor (the same storage, no history).
    #[getter(data)]
    fn get_data(&self) -> PyTensor {
        self.t.detach().into()
    }

    /// `t.data = other`: this tensor takes `other`'s values, unrecorded and without bumping the
    /// version counter, as torch's `set_data`. rtensor cannot swap a tensor's storage, so the
    /// shape and dtype must stay the same: the values are copied.
    #[setter(data)]
    fn set_data(&self, other: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let Some(other) = other else {
            return Err(PyTypeError::new_err("can't delete attribute 'data'"));
        };
        let src = match other.cast::<PyTensor>() {
            Ok(o) => o.get().t.clone(),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "Variable data has to be a tensor, but got {}",
                    other.get_type().name()?
                )))
            }
        };
        if src.shape() != self.t.shape() || src.dtype() != self.t.dtype() {
            return Err(PyRuntimeError::new_err(format!(
                "rtensor can only assign .data a tensor of the same shape and dtype: got shape {} and dtype {} for a tensor of shape {} and dtype {}",
                crate::shape::fmt_shape(src.shape()),
                src.dtype().name(),
                crate::shape::fmt_shape(self.t.shape()),
                self.t.dtype().name()
            )));
        }
        if src.same_tensor(&self.t) {
            return Ok(());
        }
        crate::kernels::copy::check_writable(&self.t)?;
        let src = crate::kernels::copy::detach_source(&self.t, &src)?;
        crate::kernels::copy::copy_raw(&self.t, &src)?;
        Ok(())
    }

    /// `(address, bytes)` of the whole storage behind this tensor, for `untyped_storage()`.
    fn _storage_span(&self) -> (usize, usize) {
        let s = self.t.storage();
        (s.ptr() as usize, s.nbytes())
    }

    fn __len__(&self) -> PyResult<usize> {
        if self.t.ndim() == 0 {
            return Err(PyTypeError::new_err("len() of a 0-d tensor"));
        }
        Ok(self.t.shape()[0])
    }

    fn __iter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
        let t = &slf.get().t;
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
    fn get_t(&self) -> PyResult<PyTensor> {
        Ok(self.t.reverse_dims()?.into())
    }

    // ---- copies and conversions --------------------------------------------------------------

    /// The single element as a Python number.
    fn item(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        scalar_to_py(py, item_scalar(&self.t)?)
    }

    fn __float__(&self) -> PyResult<f64> {
        Ok(one_element(&self.t)?.as_f64())
    }

    /// numpy defers its binary operators to ours (so `np.float64(2) * t` is a tensor), as torch's
    /// tensors do.
    #[classattr]
    fn __array_priority__() -> f64 {
        1000.0
    }

    fn __int__(&self) -> PyResult<i64> {
        Ok(match one_element(&self.t)? {
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

    fn __index__(&self) -> PyResult<i64> {
        if self.t.dtype().is_floating() || self.t.numel() != 1 {
            return Err(PyTypeError::new_err(
                "only integer tensors of a single element can be converted to an index",
            ));
        }
        self.t.item_i64().map_err(Into::into)
    }

    fn __bool__(&self) -> PyResult<bool> {
        if self.t.numel() != 1 {
            return Err(PyRuntimeError::new_err(if self.t.numel() == 0 {
                "Boolean value of Tensor with no values is ambiguous"
            } else {
                "Boolean value of Tensor with more than one value is ambiguous"
            }));
        }
        Ok(one_element(&self.t)?.as_f64() != 0.0)
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
