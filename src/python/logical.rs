//! `prod`, `all`, `any`, `count_nonzero` and `logsumexp` as Tensor methods and module functions.

use crate::dtype::DType;
use crate::python::convert::{extract_dtype, require_tensor};
use crate::python::reductions::{parse_dim_arg, parse_int_dim, Args};
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// `prod(dim=None, keepdim, *, dtype=None)`: `dim` is one int, as in torch.
fn prod(
    py: Python<'_>,
    t: &Tensor,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let d = parse_int_dim("prod", dim, axis)?;
    let keepdim = keepdims.unwrap_or(keepdim);
    let dtype: Option<DType> = match dtype {
        Some(d) if !d.is_none() => Some(extract_dtype(d)?),
        _ => None,
    };
    Ok(maybe_detached(py, t.numel(), || t.prod(d, keepdim, dtype))?.into())
}

/// `all` (`every` true) or `any` over `dim` (an int or a tuple; every dim when absent).
fn logical(
    py: Python<'_>,
    t: &Tensor,
    every: bool,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let op = if every { "all" } else { "any" };
    let args = Args {
        dim,
        keepdim,
        dtype: None,
        axis,
        keepdims,
    };
    let dims = parse_dim_arg(op, &args)?;
    let keepdim = keepdims.unwrap_or(keepdim);
    let out = maybe_detached(py, t.numel(), || match every {
        true => t.all(dims.as_deref(), keepdim),
        false => t.any(dims.as_deref(), keepdim),
    })?;
    Ok(out.into())
}

/// `count_nonzero(dim=None)`.
fn count_nonzero(
    py: Python<'_>,
    t: &Tensor,
    dim: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let args = Args {
        dim,
        keepdim: false,
        dtype: None,
        axis,
        keepdims: None,
    };
    let dims = parse_dim_arg("count_nonzero", &args)?;
    Ok(maybe_detached(py, t.numel(), || t.count_nonzero(dims.as_deref()))?.into())
}

/// `logsumexp(dim, keepdim)`: `dim` is required, as in torch.
fn logsumexp(
    py: Python<'_>,
    t: &Tensor,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let args = Args {
        dim,
        keepdim,
        dtype: None,
        axis,
        keepdims,
    };
    let Some(dims) = parse_dim_arg("logsumexp", &args)? else {
        return Err(PyTypeError::new_err(
            "logsumexp() missing 1 required positional arguments: \"dim\"",
        ));
    };
    let keepdim = keepdims.unwrap_or(keepdim);
    Ok(maybe_detached(py, t.numel(), || t.logsumexp(&dims, keepdim))?.into())
}

#[pymethods]
impl PyTensor {
    /// The product over `dim` (every element when absent); integers and bool give int64.
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
    fn prod(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        dtype: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        prod(py, &self.t, dim, keepdim, dtype, axis, keepdims)
    }

    /// Whether every element over `dim` is nonzero (a bool tensor).
    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn all(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        logical(py, &self.t, true, dim, keepdim, axis, keepdims)
    }

    /// Whether some element over `dim` is nonzero (a bool tensor).
    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn any(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        logical(py, &self.t, false, dim, keepdim, axis, keepdims)
    }

    /// The number of nonzero elements over `dim` (every dim when absent), as int64.
    #[pyo3(signature = (dim=None, *, axis=None))]
    fn count_nonzero(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        count_nonzero(py, &self.t, dim, axis)
    }

    /// `log(sum(exp(x)))` over `dim`, computed without overflow.
    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn logsumexp(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        logsumexp(py, &self.t, dim, keepdim, axis, keepdims)
    }
}

/// `rt.prod(input, dim=None, keepdim=False, *, dtype=None)`.
#[pyfunction]
#[pyo3(name = "prod", signature = (input, dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
pub fn prod_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "prod", "input", 1)?;
    prod(py, &t, dim, keepdim, dtype, axis, keepdims)
}

/// `rt.all(input, dim=None, keepdim=False)`.
#[pyfunction]
#[pyo3(name = "all", signature = (input, dim=None, keepdim=false, *, axis=None, keepdims=None))]
pub fn all_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "all", "input", 1)?;
    logical(py, &t, true, dim, keepdim, axis, keepdims)
}

/// `rt.any(input, dim=None, keepdim=False)`.
#[pyfunction]
#[pyo3(name = "any", signature = (input, dim=None, keepdim=false, *, axis=None, keepdims=None))]
pub fn any_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "any", "input", 1)?;
    logical(py, &t, false, dim, keepdim, axis, keepdims)
}

/// `rt.count_nonzero(input, dim=None)`.
#[pyfunction]
#[pyo3(name = "count_nonzero", signature = (input, dim=None, *, axis=None))]
pub fn count_nonzero_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "count_nonzero", "input", 1)?;
    count_nonzero(py, &t, dim, axis)
}

/// `rt.logsumexp(input, dim, keepdim=False)`.
#[pyfunction]
#[pyo3(name = "logsumexp", signature = (input, dim=None, keepdim=false, *, axis=None, keepdims=None))]
pub fn logsumexp_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "logsumexp", "input", 1)?;
    logsumexp(py, &t, dim, keepdim, axis, keepdims)
}

/// Adds the module functions of this file.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(prod_fn, m)?)?;
    m.add_function(wrap_pyfunction!(all_fn, m)?)?;
    m.add_function(wrap_pyfunction!(any_fn, m)?)?;
    m.add_function(wrap_pyfunction!(count_nonzero_fn, m)?)?;
    m.add_function(wrap_pyfunction!(logsumexp_fn, m)?)?;
    Ok(())
}
