//! `sum` and `mean` as Tensor methods and module functions. Arguments follow torch (`dim`,
//! `keepdim`, keyword-only `dtype`) and also numpy's spellings (`axis`, `keepdims`).

use crate::dtype::DType;
use crate::python::convert::{extract_dtype, parse_dims, require_tensor, type_name};
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// Which reduction.
#[derive(Clone, Copy)]
enum Kind {
    Sum,
    Mean,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Sum => "sum",
            Kind::Mean => "mean",
        }
    }
}

/// The arguments every reduction takes, with their numpy aliases.
pub(crate) struct Args<'a, 'py> {
    /// `dim`.
    pub dim: Option<&'a Bound<'py, PyAny>>,
    /// `keepdim`.
    pub keepdim: bool,
    /// `dtype=` (for the reductions that take it).
    pub dtype: Option<&'a Bound<'py, PyAny>>,
    /// numpy's `axis=`.
    pub axis: Option<&'a Bound<'py, PyAny>>,
    /// numpy's `keepdims=`.
    pub keepdims: Option<bool>,
}

/// Reads `dim` / `axis` (an int, a sequence of ints, or None) into a dims list.
pub(crate) fn parse_dim_arg(op: &str, args: &Args<'_, '_>) -> PyResult<Option<Vec<i64>>> {
    let dim = match (args.dim, args.axis) {
        (Some(d), Some(a)) if !d.is_none() && !a.is_none() => {
            return Err(PyTypeError::new_err(format!(
                "{}() received both 'dim' and its alias 'axis'",
                op
            )))
        }
        (Some(d), _) if !d.is_none() => d,
        (_, Some(a)) if !a.is_none() => a,
        _ => return Ok(None),
    };
    if dim.is_instance_of::<pyo3::types::PyBool>() || dim.is_instance_of::<pyo3::types::PyFloat>() {
        return Err(bad_dim(op, dim));
    }
    parse_dims(dim).map(Some).map_err(|_| bad_dim(op, dim))
}

fn bad_dim(op: &str, dim: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!(
        "{}(): argument 'dim' must be int, tuple of ints or None, not {}",
        op,
        type_name(dim)
    ))
}

/// Runs one reduction, releasing the GIL for big inputs.
fn reduce(py: Python<'_>, t: &Tensor, kind: Kind, args: Args<'_, '_>) -> PyResult<PyTensor> {
    let dims = parse_dim_arg(kind.name(), &args)?;
    let keepdim = args.keepdims.unwrap_or(args.keepdim);
    let dtype: Option<DType> = match args.dtype {
        Some(d) if !d.is_none() => Some(extract_dtype(d)?),
        _ => None,
    };
    let dims = dims.as_deref();
    let out = maybe_detached(py, t.numel(), || match kind {
        Kind::Sum => t.sum(dims, keepdim, dtype),
        Kind::Mean => t.mean(dims, keepdim, dtype),
    })?;
    Ok(out.into())
}

#[pymethods]
impl PyTensor {
    /// The sum over `dim` (all dims when None); bool and integer tensors sum to int64.
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
    fn sum(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        dtype: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        let args = Args {
            dim,
            keepdim,
            dtype,
            axis,
            keepdims,
        };
        reduce(py, &self.t, Kind::Sum, args)
    }

    /// The mean over `dim` (all dims when None); floating tensors, or a floating `dtype=`, only.
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
    fn mean(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        dtype: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        let args = Args {
            dim,
            keepdim,
            dtype,
            axis,
            keepdims,
        };
        reduce(py, &self.t, Kind::Mean, args)
    }
}

/// `rt.sum(input, dim=None, keepdim=False, *, dtype=None)`.
#[pyfunction]
#[pyo3(name = "sum", signature = (input, dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
pub fn sum_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "sum", "input", 1)?;
    let args = Args {
        dim,
        keepdim,
        dtype,
        axis,
        keepdims,
    };
    reduce(py, &t, Kind::Sum, args)
}

/// `rt.mean(input, dim=None, keepdim=False, *, dtype=None)`.
#[pyfunction]
#[pyo3(name = "mean", signature = (input, dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
pub fn mean_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "mean", "input", 1)?;
    let args = Args {
        dim,
        keepdim,
        dtype,
        axis,
        keepdims,
    };
    reduce(py, &t, Kind::Mean, args)
}

/// Adds the module functions of this file.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sum_fn, m)?)?;
    m.add_function(wrap_pyfunction!(mean_fn, m)?)?;
    Ok(())
}

/// Reads a single int `dim` / `axis` (None when neither is given), with torch's TypeError for
/// anything else.
pub(crate) fn parse_int_dim(
    op: &str,
    dim: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<i64>> {
    let obj = match (dim, axis) {
        (Some(d), Some(a)) if !d.is_none() && !a.is_none() => {
            return Err(PyTypeError::new_err(format!(
                "{}() received both 'dim' and its alias 'axis'",
                op
            )))
        }
        (Some(d), _) if !d.is_none() => d,
        (_, Some(a)) if !a.is_none() => a,
        _ => return Ok(None),
    };
    if obj.is_instance_of::<pyo3::types::PyBool>() {
        return Err(int_dim_error(op, obj));
    }
    obj.extract::<i64>()
        .map(Some)
        .map_err(|_| int_dim_error(op, obj))
}

fn int_dim_error(op: &str, obj: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!(
        "{}(): argument 'dim' must be int, not {}",
        op,
        type_name(obj)
    ))
}
