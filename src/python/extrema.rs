//! `amax`, `amin`, `max`, `min`, `argmax`, `argmin` as Tensor methods and module functions.
//! `max(dim)` / `min(dim)` return `rtensor.return_types.max` / `.min` (values, indices);
//! `max(other)` is `maximum(other)`, as in torch.

use crate::python::convert::require_tensor;
use crate::python::reductions::{parse_dim_arg, parse_int_dim, Args};
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// `amax` (`max` true) or `amin` over `dim` / `axis` (a tuple or an int; every dim when absent).
fn amax_amin(
    py: Python<'_>,
    t: &Tensor,
    max: bool,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let op = if max { "amax" } else { "amin" };
    let args = Args {
        dim,
        keepdim,
        dtype: None,
        axis,
        keepdims,
    };
    let dims = parse_dim_arg(op, &args)?;
    let keepdim = keepdims.unwrap_or(keepdim);
    let out = maybe_detached(py, t.numel(), || match max {
        true => t.amax(dims.as_deref(), keepdim),
        false => t.amin(dims.as_deref(), keepdim),
    })?;
    Ok(out.into())
}

/// `max()` / `max(dim, keepdim)` / `max(other)` (and the same for `min`).
#[allow(clippy::too_many_arguments)]
fn max_min(
    py: Python<'_>,
    t: &Tensor,
    max: bool,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
    position: usize,
) -> PyResult<Py<PyAny>> {
    let op = if max { "max" } else { "min" };
    if let Some(other) = dim.filter(|d| d.is_instance_of::<PyTensor>()) {
        let _ = position;
        let other = other.cast::<PyTensor>()?.get().t.clone();
        let out = maybe_detached(py, t.numel(), || match max {
            true => t.maximum(&other),
            false => t.minimum(&other),
        })?;
        return Ok(PyTensor::from(out).into_pyobject(py)?.into_any().unbind());
    }
    let keepdim = keepdims.unwrap_or(keepdim);
    let Some(d) = parse_int_dim(op, dim, axis)? else {
        if keepdim {
            return Err(PyTypeError::new_err(format!(
                "{op}() received an invalid combination of arguments: keepdim needs a dim"
            )));
        }
        let out = maybe_detached(py, t.numel(), || t.extreme_all(max))?;
        return Ok(PyTensor::from(out).into_pyobject(py)?.into_any().unbind());
    };
    let (values, indices) = maybe_detached(py, t.numel(), || t.extreme_dim(max, d, keepdim))?;
    let cls = py.import("rtensor.return_types")?.getattr(op)?;
    let pair = (PyTensor::from(values), PyTensor::from(indices));
    Ok(cls.call1((pair,))?.unbind())
}

/// `argmax(dim=None, keepdim)` (`max` true) or `argmin`.
fn arg_max_min(
    py: Python<'_>,
    t: &Tensor,
    max: bool,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let op = if max { "argmax" } else { "argmin" };
    let d = parse_int_dim(op, dim, axis)?;
    let keepdim = keepdims.unwrap_or(keepdim);
    let out = maybe_detached(py, t.numel(), || t.arg_extreme_dim(max, d, keepdim))?;
    Ok(out.into())
}

#[pymethods]
impl PyTensor {
    /// The largest elements over `dim` (an int or a tuple; every dim when absent); ties share
    /// the gradient evenly.
    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn amax(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        amax_amin(py, &self.t, true, dim, keepdim, axis, keepdims)
    }

    /// The smallest elements over `dim` (an int or a tuple; every dim when absent).
    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn amin(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        amax_amin(py, &self.t, false, dim, keepdim, axis, keepdims)
    }

    /// `max()`: the largest element; `max(dim, keepdim)`: `(values, indices)`; `max(other)`:
    /// the elementwise maximum.
    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn max(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        max_min(py, &self.t, true, dim, keepdim, axis, keepdims, 1)
    }

    /// `min()`: the smallest element; `min(dim, keepdim)`: `(values, indices)`; `min(other)`:
    /// the elementwise minimum.
    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn min(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        max_min(py, &self.t, false, dim, keepdim, axis, keepdims, 1)
    }

    /// The index of the largest element along `dim` (of the flattened tensor when absent).
    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn argmax(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        arg_max_min(py, &self.t, true, dim, keepdim, axis, keepdims)
    }

    /// The index of the smallest element along `dim` (of the flattened tensor when absent).
    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn argmin(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        arg_max_min(py, &self.t, false, dim, keepdim, axis, keepdims)
    }
}

/// Defines the module function `rt.<name>(input, dim=None, keepdim=False, ...)`, calling
/// `$f(py, input, $flag, dim, keepdim, axis, keepdims, $extra...)`.
macro_rules! module_fn {
    ($fn_name:ident, $name:literal, $ret:ty, $doc:literal, $f:ident($flag:expr $(, $extra:expr)*)) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(name = $name, signature = (input, dim=None, keepdim=false, *, axis=None, keepdims=None))]
        pub fn $fn_name(
            py: Python<'_>,
            input: &Bound<'_, PyAny>,
            dim: Option<&Bound<'_, PyAny>>,
            keepdim: bool,
            axis: Option<&Bound<'_, PyAny>>,
            keepdims: Option<bool>,
        ) -> PyResult<$ret> {
            let t = require_tensor(input, $name, "input", 1)?;
            $f(py, &t, $flag, dim, keepdim, axis, keepdims $(, $extra)*)
        }
    };
}

module_fn!(
    amax_fn,
    "amax",
    PyTensor,
    "`rt.amax(input, dim=(), keepdim=False)`.",
    amax_amin(true)
);
module_fn!(
    amin_fn,
    "amin",
    PyTensor,
    "`rt.amin(input, dim=(), keepdim=False)`.",
    amax_amin(false)
);
module_fn!(
    max_fn,
    "max",
    Py<PyAny>,
    "`rt.max(input)`, `rt.max(input, dim, keepdim=False)` or `rt.max(input, other)`.",
    max_min(true, 2)
);
module_fn!(
    min_fn,
    "min",
    Py<PyAny>,
    "`rt.min(input)`, `rt.min(input, dim, keepdim=False)` or `rt.min(input, other)`.",
    max_min(false, 2)
);
module_fn!(
    argmax_fn,
    "argmax",
    PyTensor,
    "`rt.argmax(input, dim=None, keepdim=False)`.",
    arg_max_min(true)
);
module_fn!(
    argmin_fn,
    "argmin",
    PyTensor,
    "`rt.argmin(input, dim=None, keepdim=False)`.",
    arg_max_min(false)
);

/// Adds the module functions of this file.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(amax_fn, m)?)?;
    m.add_function(wrap_pyfunction!(amin_fn, m)?)?;
    m.add_function(wrap_pyfunction!(max_fn, m)?)?;
    m.add_function(wrap_pyfunction!(min_fn, m)?)?;
    m.add_function(wrap_pyfunction!(argmax_fn, m)?)?;
    m.add_function(wrap_pyfunction!(argmin_fn, m)?)?;
    Ok(())
}
