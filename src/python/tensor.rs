//! The `Tensor` Python class: metadata, views, conversions and printing. Operators live in
//! `operators.rs`, indexing in `indexing.rs`, numpy/DLPack in `interop.rs`; ops are installed
//! from the registry (`ops.rs`).

use crate::dispatch;
use crate::dtype::{default_float, DType};
use crate::python::convert::{
    extract_dtype, extract_value, parse_dims, parse_sizes, require_tensor, require_value, type_name,
};
use crate::python::dtype::{dtype_object, PyDType};
use crate::python::nested::to_pylist;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;
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
        // SAFETY: one element of T.
        let v: T = unsafe { *c.data_ptr_typed::<T>() };
        match c.dtype() {
            DType::Bool => Scalar::Bool(crate::dtype::Element::to_bool(v)),
            DType::Int32 | DType::Int64 => Scalar::Int(crate::dtype::Element::to_i64(v)),
            _ => Scalar::Float(crate::dtype::Element::to_f64(v)),
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

    /// Number of elements.
    fn numel(&self) -> usize {
        self.t.numel()
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

    /// Row-major contiguous.
    fn is_contiguous(&self) -> bool {
        self.t.is_contiguous()
    }

    /// True for floating dtypes.
    fn is_floating_point(&self) -> bool {
        self.t.dtype().is_floating()
    }

    /// The storage's version counter, shared by every view and `detach()` alias.
    #[getter]
    fn _version(&self) -> u64 {
        self.t.version()
    }

    /// The device: always the CPU.
    #[getter]
    fn device(&self) -> &'static str {
        "cpu"
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

    /// Shares the storage and version counter; no gradient flows back through the result.
    fn detach(&self) -> PyTensor {
        self.t.detach().into()
    }

    /// A new shape over the same memory when possible, else a copy.
    #[pyo3(signature = (*shape))]
    fn reshape(&self, shape: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        require_args(shape, "reshape", "shape")?;
        Ok(self
            .t
            .reshape(&parse_sizes(shape, "reshape(): argument 'shape'")?)?
            .into())
    }

    /// A new shape over the same memory; RuntimeError when the strides forbid it.
    #[pyo3(signature = (*shape))]
    fn view(&self, shape: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        if shape.is_empty() {
            return Err(PyTypeError::new_err(
                "view() received an invalid combination of arguments - got (), but expected one of:\n * (rtensor.dtype dtype)\n * (tuple of ints size)\n",
            ));
        }
        if shape.len() == 1 {
            if let Ok(d) = extract_dtype(&shape.get_item(0)?) {
                if d != self.t.dtype() {
                    return Err(PyRuntimeError::new_err("view(dtype) is not supported"));
                }
                return Ok(self.t.detach().into());
            }
        }
        Ok(self
            .t
            .view(&parse_sizes(shape, "view(): argument 'size'")?)?
            .into())
    }

    /// Merges dims `start_dim..=end_dim`.
    #[pyo3(signature = (start_dim=0, end_dim=-1))]
    fn flatten(slf: Bound<'_, Self>, start_dim: i64, end_dim: i64) -> PyResult<Bound<'_, PyAny>> {
        let t = &slf.get().t;
        let out = t.flatten(start_dim, end_dim)?;
        if out.same_tensor(t) {
            return Ok(slf.into_any());
        }
        Ok(Bound::new(slf.py(), PyTensor::from(out))?.into_any())
    }

    /// Removes size-1 dims (all, one, or a tuple of dims).
    #[pyo3(signature = (dim=None))]
    fn squeeze(&self, dim: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let dims = dim.map(parse_dims).transpose()?;
        Ok(self.t.squeeze(dims.as_deref())?.into())
    }

    /// Inserts a size-1 dim.
    fn unsqueeze(&self, dim: i64) -> PyResult<PyTensor> {
        Ok(self.t.unsqueeze(dim)?.into())
    }

    /// Swaps two dims.
    fn transpose(&self, dim0: i64, dim1: i64) -> PyResult<PyTensor> {
        Ok(self.t.transpose(dim0, dim1)?.into())
    }

    /// Swaps two dims (numpy's name).
    fn swapaxes(&self, axis0: i64, axis1: i64) -> PyResult<PyTensor> {
        self.transpose(axis0, axis1)
    }

    /// Reorders dims.
    #[pyo3(signature = (*dims))]
    fn permute(&self, dims: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        require_args(dims, "permute", "dims")?;
        Ok(self
            .t
            .permute(&parse_sizes(dims, "permute(): argument 'dims'")?)?
            .into())
    }

    /// Transpose of a tensor with at most 2 dims.
    fn t(&self) -> PyResult<PyTensor> {
        Ok(self.t.t()?.into())
    }

    /// All dims reversed.
    #[getter(T)]
    fn get_t(&self) -> PyResult<PyTensor> {
        Ok(self.t.reverse_dims()?.into())
    }

    /// Broadcasts to a bigger shape without copying (`-1` keeps a dim).
    #[pyo3(signature = (*sizes))]
    fn expand(&self, sizes: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        require_args(sizes, "expand", "size")?;
        Ok(self
            .t
            .expand(&parse_sizes(sizes, "expand(): argument 'size'")?)?
            .into())
    }

    /// Broadcasts to `other`'s shape without copying.
    fn expand_as(&self, other: &PyTensor) -> PyResult<PyTensor> {
        let sizes: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        Ok(self.t.expand(&sizes)?.into())
    }

    /// `length` elements along `dim` from `start`, as a view.
    fn narrow(&self, dim: i64, start: i64, length: i64) -> PyResult<PyTensor> {
        Ok(self.t.narrow_checked(dim, start, length)?.into())
    }

    /// Selects one index along a dim, as a view.
    fn select(&self, dim: i64, index: i64) -> PyResult<PyTensor> {
        Ok(self.t.select(dim, index)?.into())
    }

    /// Views of `split_size` elements along `dim`, or of the listed sizes.
    #[pyo3(signature = (split_size_or_sections, dim=0))]
    fn split(
        &self,
        py: Python<'_>,
        split_size_or_sections: &Bound<'_, PyAny>,
        dim: i64,
    ) -> PyResult<Py<PyTuple>> {
        let parts = match split_size_or_sections.extract::<i64>() {
            Ok(size) => self.t.split_size(size, dim)?,
            Err(_) => self
                .t
                .split_sizes(&parse_dims(split_size_or_sections)?, dim)?,
        };
        tuple_of(py, parts)
    }

    /// `chunks` views of near-equal size along `dim`.
    #[pyo3(signature = (chunks, dim=0))]
    fn chunk(&self, py: Python<'_>, chunks: i64, dim: i64) -> PyResult<Py<PyTuple>> {
        tuple_of(py, self.t.chunk(chunks, dim)?)
    }

    /// `where(condition, self, other)`: this tensor where `condition` holds, else `other`.
    #[pyo3(name = "where")]
    fn where_(
        &self,
        py: Python<'_>,
        condition: &Bound<'_, PyAny>,
        other: &Bound<'_, PyAny>,
    ) -> PyResult<PyTensor> {
        let c = require_tensor(condition, "where", "condition", 1)?;
        let b = require_value(other, "where", "other")?;
        let a = Value::Tensor(self.t.clone());
        Ok(maybe_detached(py, c.numel(), || crate::ops::join::where_(&c, &a, &b))?.into())
    }
    /// Sets every element to zero.
    fn zero_(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        let t = &slf.get().t;
        maybe_detached(slf.py(), t.numel(), || t.zero_())?;
        Ok(slf)
    }
    /// Sets every element to `value`.
    fn fill_<'py>(slf: Bound<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let v = match extract_value(value)? {
            Some(Value::Scalar(s)) => s,
            Some(Value::Tensor(t)) if t.ndim() == 0 => crate::python::tensor::item_scalar(&t)?,
            Some(Value::Tensor(t)) => {
                return Err(PyRuntimeError::new_err(format!(
                "fill_ only supports 0-dimension value tensor but got tensor with {} dimensions.",
                t.ndim()
            )))
            }
            None => {
                return Err(PyTypeError::new_err(format!(
                    "fill_(): argument 'value' must be Tensor or Number, not {}",
                    type_name(value)
                )))
            }
        };
        let t = &slf.get().t;
        maybe_detached(slf.py(), t.numel(), || t.fill_(v))?;
        Ok(slf)
    }
    /// Copies `src` (broadcast, converted) into this tensor.
    #[pyo3(signature = (src, non_blocking=false))]
    fn copy_<'py>(
        slf: Bound<'py, Self>,
        src: &PyTensor,
        non_blocking: bool,
    ) -> PyResult<Bound<'py, Self>> {
        let _ = non_blocking;
        let t = &slf.get().t;
        maybe_detached(slf.py(), t.numel(), || t.copy_(&src.t))?;
        Ok(slf)
    }

    // ---- copies and conversions --------------------------------------------------------------

    /// This tensor if contiguous, else a contiguous copy.
    fn contiguous(slf: Bound<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
        let t = &slf.get().t;
        if t.is_contiguous() {
            return Ok(slf.into_any());
        }
        let py = slf.py();
        let out = maybe_detached(py, t.numel(), || t.contiguous())?;
        Ok(Bound::new(py, PyTensor::from(out))?.into_any())
    }

    /// A copy in new memory.
    #[pyo3(signature = (*, memory_format=None))]
    fn clone(
        &self,
        py: Python<'_>,
        memory_format: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let _ = memory_format;
        let t = &self.t;
        Ok(maybe_detached(py, t.numel(), || t.clone_tensor())?.into())
    }

    /// Converts to a dtype (the tensor itself when it already has it); a device string of "cpu"
    /// is accepted and ignored.
    #[pyo3(signature = (*args, dtype=None, copy=false))]
    fn to<'py>(
        slf: Bound<'py, Self>,
        args: &Bound<'py, PyTuple>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut target = dtype.map(extract_dtype).transpose()?;
        for a in args.iter() {
            if let Ok(d) = extract_dtype(&a) {
                target = Some(d);
            } else if let Ok(o) = a.cast::<PyTensor>() {
                target = Some(o.get().t.dtype());
            } else if a.extract::<String>().is_ok_and(|s| s == "cpu") {
            } else {
                return Err(PyTypeError::new_err(format!(
                    "to() received an invalid combination of arguments: {}",
                    a.repr()?
                )));
            }
        }
        let t = &slf.get().t;
        let target = target.unwrap_or(t.dtype());
        if target == t.dtype() && !copy {
            return Ok(slf.into_any());
        }
        let py = slf.py();
        let out = maybe_detached(py, t.numel(), || {
            if target == t.dtype() {
                t.clone_tensor()
            } else {
                t.to_dtype(target)
            }
        })?;
        Ok(Bound::new(py, PyTensor::from(out))?.into_any())
    }

    /// To float32.
    fn float<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        convert(slf, DType::Float32)
    }

    /// To float64.
    fn double<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        convert(slf, DType::Float64)
    }

    /// To int32.
    fn int<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        convert(slf, DType::Int32)
    }

    /// To int64.
    fn long<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        convert(slf, DType::Int64)
    }

    /// To bool.
    fn bool<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        convert(slf, DType::Bool)
    }

    /// Nested Python lists of the elements.
    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_pylist(py, &self.t)
    }

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

fn convert(slf: Bound<'_, PyTensor>, dtype: DType) -> PyResult<Bound<'_, PyAny>> {
    let t = &slf.get().t;
    if t.dtype() == dtype {
        return Ok(slf.into_any());
    }
    let py = slf.py();
    let out = maybe_detached(py, t.numel(), || t.to_dtype(dtype))?;
    Ok(Bound::new(py, PyTensor::from(out))?.into_any())
}

/// A Python tuple of tensors.
pub fn tuple_of(py: Python<'_>, parts: Vec<Tensor>) -> PyResult<Py<PyTuple>> {
    let items = parts
        .into_iter()
        .map(|t| Bound::new(py, PyTensor::from(t)))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, items)?.unbind())
}

/// torch's TypeError for a method whose `*sizes` argument got nothing at all (`x.reshape()`); an
/// empty tuple (`x.reshape(())`) is a shape and passes.
fn require_args(args: &Bound<'_, PyTuple>, method: &str, param: &str) -> PyResult<()> {
    if args.is_empty() {
        return Err(PyTypeError::new_err(format!(
            "{}() missing 1 required positional arguments: \"{}\"",
            method, param
        )));
    }
    Ok(())
}
