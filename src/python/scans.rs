//! `cumsum` and `cumprod` as Tensor methods and module functions: torch's `dim` (one int) and
//! keyword-only `dtype`, and numpy's `axis=` spelling.

use crate::dtype::DType;
use crate::ops::scan::ScanKind;
use crate::python::convert::{extract_dtype, require_tensor, type_name};
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt};

/// Reads `dim` / `axis` (exactly one of them, an int) as torch's argument parser would.
fn parse_dim(
    kind: ScanKind,
    dim: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<i64> {
    let op = kind.name();
    let dim = match (dim, axis) {
        (Some(_), Some(_)) => {
            return Err(PyTypeError::new_err(format!(
                "{}() received both 'dim' and its alias 'axis'",
                op
            )))
        }
        (Some(d), None) | (None, Some(d)) => d,
        (None, None) => {
            return Err(PyTypeError::new_err(format!(
                "{}() missing 1 required positional arguments: \"dim\"",
                op
            )))
        }
    };
    let not_int = || {
        PyTypeError::new_err(format!(
            "{}(): argument 'dim' (position 1) must be int, not {}",
            op,
            type_name(dim)
        ))
    };
    if dim.is_instance_of::<PyBool>() {
        return Err(not_int());
    }
    if dim.is_instance_of::<PyInt>() || dim.hasattr("__index__")? {
        return dim.extract::<i64>().map_err(|_| not_int());
    }
    Err(not_int())
}

/// Runs one scan, releasing the GIL for big inputs.
fn scan(
    py: Python<'_>,
    t: &Tensor,
    kind: ScanKind,
    dim: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let dim = parse_dim(kind, dim, axis)?;
    let dtype: Option<DType> = match dtype {
        Some(d) if !d.is_none() => Some(extract_dtype(d)?),
        _ => None,
    };
    let out = maybe_detached(py, t.numel(), || match kind {
        ScanKind::Sum => t.cumsum(dim, dtype),
        ScanKind::Prod => t.cumprod(dim, dtype),
    })?;
    Ok(out.into())
}

#[pymethods]
impl PyTensor {
    /// The running sum along `dim`; bool and integer tensors give int64 unless `dtype` is given.
    #[pyo3(signature = (dim=None, *, dtype=None, axis=None))]
    fn cumsum(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        scan(py, &self.t, ScanKind::Sum, dim, dtype, axis)
    }

    /// The running product along `dim`, with the dtype rules of `cumsum`.
    #[pyo3(signature = (dim=None, *, dtype=None, axis=None))]
    fn cumprod(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        scan(py, &self.t, ScanKind::Prod, dim, dtype, axis)
    }
}

/// `rt.cumsum(input, dim, *, dtype=None)`.
#[pyfunction]
#[pyo3(name = "cumsum", signature = (input, dim=None, *, dtype=None, axis=None))]
pub fn cumsum_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "cumsum", "input", 1)?;
    scan(py, &t, ScanKind::Sum, dim, dtype, axis)
}

/// `rt.cumprod(input, dim, *, dtype=None)`.
#[pyfunction]
#[pyo3(name = "cumprod", signature = (input, dim=None, *, dtype=None, axis=None))]
pub fn cumprod_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "cumprod", "input", 1)?;
    scan(py, &t, ScanKind::Prod, dim, dtype, axis)
}

/// Adds the module functions of this file.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cumsum_fn, m)?)?;
    m.add_function(wrap_pyfunction!(cumprod_fn, m)?)?;
    Ok(())
}
