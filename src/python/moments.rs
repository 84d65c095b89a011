//! `var` and `std` as Tensor methods and module functions, with torch's argument forms:
//! `var(dim, unbiased, keepdim)`, `var(dim, *, correction=, keepdim=)` and `var(unbiased)`.

use crate::python::convert::require_tensor;
use crate::python::reductions::{parse_dim_arg, Args};
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// Parses the arguments and computes `var` (`std` when `root`).
#[allow(clippy::too_many_arguments)]
fn moment(
    py: Python<'_>,
    t: &Tensor,
    root: bool,
    dim: Option<&Bound<'_, PyAny>>,
    unbiased: Option<bool>,
    keepdim: bool,
    correction: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let op = if root { "std" } else { "var" };
    // `var(False)`: a bool in the first place is `unbiased`, as torch's overloads read it.
    let (dim, unbiased) = match dim {
        Some(d) if d.is_instance_of::<pyo3::types::PyBool>() && unbiased.is_none() => {
            (None, Some(d.extract::<bool>()?))
        }
        _ => (dim, unbiased),
    };
    let correction = match (correction.filter(|c| !c.is_none()), unbiased) {
        (Some(_), Some(_)) => {
            return Err(PyTypeError::new_err(format!(
                "{op}() received an invalid combination of arguments: 'unbiased' and 'correction' cannot both be given"
            )))
        }
        (Some(c), None) => c.extract::<f64>().map_err(|_| {
            PyTypeError::new_err(format!("{op}(): argument 'correction' must be a number"))
        })?,
        (None, Some(false)) => 0.0,
        (None, _) => 1.0,
    };
    let args = Args {
        dim,
        keepdim,
        dtype: None,
        axis,
        keepdims,
    };
    let dims = parse_dim_arg(op, &args)?;
    let keepdim = keepdims.unwrap_or(keepdim);
    let out = maybe_detached(py, t.numel(), || {
        t.moment(dims.as_deref(), correction, keepdim, root)
    })?;
    Ok(out.into())
}

#[pymethods]
impl PyTensor {
    /// The variance over `dim` with `correction` (1 by default; `unbiased=False` means 0).
    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None, axis=None, keepdims=None))]
    #[allow(clippy::too_many_arguments)]
    fn var(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        unbiased: Option<bool>,
        keepdim: bool,
        correction: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        moment(
            py, &self.t, false, dim, unbiased, keepdim, correction, axis, keepdims,
        )
    }

    /// The standard deviation over `dim` with `correction` (1 by default).
    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None, axis=None, keepdims=None))]
    #[allow(clippy::too_many_arguments)]
    fn std(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        unbiased: Option<bool>,
        keepdim: bool,
        correction: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
    ) -> PyResult<PyTensor> {
        moment(
            py, &self.t, true, dim, unbiased, keepdim, correction, axis, keepdims,
        )
    }
}

/// `rt.var(input, dim=None, unbiased=None, keepdim=False, *, correction=None)`.
#[pyfunction]
#[pyo3(name = "var", signature = (input, dim=None, unbiased=None, keepdim=false, *, correction=None, axis=None, keepdims=None))]
#[allow(clippy::too_many_arguments)]
pub fn var_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    unbiased: Option<bool>,
    keepdim: bool,
    correction: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "var", "input", 1)?;
    moment(
        py, &t, false, dim, unbiased, keepdim, correction, axis, keepdims,
    )
}

/// `rt.std(input, dim=None, unbiased=None, keepdim=False, *, correction=None)`.
#[pyfunction]
#[pyo3(name = "std", signature = (input, dim=None, unbiased=None, keepdim=false, *, correction=None, axis=None, keepdims=None))]
#[allow(clippy::too_many_arguments)]
pub fn std_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    unbiased: Option<bool>,
    keepdim: bool,
    correction: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "std", "input", 1)?;
    moment(
        py, &t, true, dim, unbiased, keepdim, correction, axis, keepdims,
    )
}

/// Adds the module functions of this file.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(var_fn, m)?)?;
    m.add_function(wrap_pyfunction!(std_fn, m)?)?;
    Ok(())
}
