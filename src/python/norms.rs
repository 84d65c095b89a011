//! Norms: `Tensor.norm` / `rt.norm` and the `rt.linalg` functions `vector_norm`, `matrix_norm`
//! and `norm` (exported here as `linalg_*` and renamed by `python/rtensor/linalg.py`).

use crate::error::Error;
use crate::ops::linalg::NormOrder;
use crate::python::convert::{parse_dims, require_tensor, type_name};
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyString};

/// An order argument: a number, or `'fro'` / `'nuc'` (other strings are torch's matrix-norm
/// error); `op` names the function in the TypeError for anything else.
fn parse_order(obj: &Bound<'_, PyAny>, op: &str, arg: &str) -> PyResult<NormOrder> {
    if let Ok(s) = obj.cast::<PyString>() {
        return match s.to_str()? {
            "fro" => Ok(NormOrder::Fro),
            "nuc" => Ok(NormOrder::Nuc),
            other => Err(Error::Runtime(format!(
                "linalg.matrix_norm: Order {} not supported.",
                other
            ))
            .into()),
        };
    }
    if !obj.is_instance_of::<PyBool>() {
        if let Ok(p) = obj.extract::<f64>() {
            return Ok(NormOrder::Num(p));
        }
    }
    Err(PyTypeError::new_err(format!(
        "{}(): argument '{}' must be Number or str, not {}",
        op,
        arg,
        type_name(obj)
    )))
}

/// A numeric order (`vector_norm` takes no names).
fn parse_number(obj: &Bound<'_, PyAny>, op: &str) -> PyResult<f64> {
    match obj.extract::<f64>() {
        Ok(p) if !obj.is_instance_of::<PyBool>() => Ok(p),
        _ => Err(PyTypeError::new_err(format!(
            "{}(): argument 'ord' must be Number, not {}",
            op,
            type_name(obj)
        ))),
    }
}

/// A `dim` argument: None, an int, or a sequence of ints.
fn parse_dim(obj: Option<&Bound<'_, PyAny>>, op: &str) -> PyResult<Option<Vec<i64>>> {
    match obj {
        None => Ok(None),
        Some(d) if d.is_none() => Ok(None),
        Some(d) => parse_dims(d).map(Some).map_err(|_| {
            PyTypeError::new_err(format!(
                "{}(): argument 'dim' must be int or tuple of ints, not {}",
                op,
                type_name(d)
            ))
        }),
    }
}

/// Runs a norm on `t`, releasing the GIL for big inputs.
fn run(
    py: Python<'_>,
    t: &Tensor,
    f: impl FnOnce(&Tensor) -> crate::error::Result<Tensor> + Send,
) -> PyResult<PyTensor> {
    Ok(maybe_detached(py, t.numel(), || f(t))?.into())
}

/// `norm(p='fro', dim, keepdim)` as torch.norm dispatches it.
fn norm_of(
    py: Python<'_>,
    t: &Tensor,
    p: Option<&Bound<'_, PyAny>>,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
) -> PyResult<PyTensor> {
    let p = match p {
        Some(p) if !p.is_none() => parse_order(p, "norm", "p")?,
        _ => NormOrder::Fro,
    };
    let dims = parse_dim(dim, "norm")?;
    run(py, t, |t| t.norm(p, dims.as_deref(), keepdim))
}

#[pymethods]
impl PyTensor {
    /// The norm of the tensor: Frobenius / 2-norm by default (`p=None` means `'fro'`), any `p`
    /// over any `dim`.
    #[pyo3(signature = (p=None, dim=None, keepdim=false))]
    fn norm(
        &self,
        py: Python<'_>,
        p: Option<Bound<'_, PyAny>>,
        dim: Option<Bound<'_, PyAny>>,
        keepdim: bool,
    ) -> PyResult<PyTensor> {
        norm_of(py, &self.t, p.as_ref(), dim.as_ref(), keepdim)
    }
}

/// `rt.norm(input, p='fro', dim=None, keepdim=False)`.
#[pyfunction]
#[pyo3(name = "norm", signature = (input, p=None, dim=None, keepdim=false))]
pub fn norm_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    p: Option<Bound<'_, PyAny>>,
    dim: Option<Bound<'_, PyAny>>,
    keepdim: bool,
) -> PyResult<PyTensor> {
    let t = require_tensor(input, "norm", "input", 1)?;
    norm_of(py, &t, p.as_ref(), dim.as_ref(), keepdim)
}

/// `rt.linalg.vector_norm(x, ord=2, dim=None, keepdim=False)`.
#[pyfunction]
#[pyo3(signature = (x, ord=None, dim=None, keepdim=false))]
pub fn linalg_vector_norm(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    ord: Option<Bound<'_, PyAny>>,
    dim: Option<Bound<'_, PyAny>>,
    keepdim: bool,
) -> PyResult<PyTensor> {
    let t = require_tensor(x, "linalg_vector_norm", "x", 1)?;
    let ord = match ord {
        Some(o) if !o.is_none() => parse_number(&o, "linalg_vector_norm")?,
        _ => 2.0,
    };
    let dims = parse_dim(dim.as_ref(), "linalg_vector_norm")?;
    run(py, &t, |t| t.vector_norm(ord, dims.as_deref(), keepdim))
}

/// `rt.linalg.matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False)`.
#[pyfunction]
#[pyo3(signature = (A, ord=None, dim=None, keepdim=false))]
#[allow(non_snake_case)]
pub fn linalg_matrix_norm(
    py: Python<'_>,
    A: &Bound<'_, PyAny>,
    ord: Option<Bound<'_, PyAny>>,
    dim: Option<Bound<'_, PyAny>>,
    keepdim: bool,
) -> PyResult<PyTensor> {
    let t = require_tensor(A, "linalg_matrix_norm", "A", 1)?;
    let ord = match ord {
        Some(o) if !o.is_none() => parse_order(&o, "linalg_matrix_norm", "ord")?,
        _ => NormOrder::Fro,
    };
    let dims = parse_dim(dim.as_ref(), "linalg_matrix_norm")?.unwrap_or(vec![-2, -1]);
    run(py, &t, |t| t.matrix_norm(ord, &dims, keepdim))
}

/// `rt.linalg.norm(A, ord=None, dim=None, keepdim=False)`.
#[pyfunction]
#[pyo3(signature = (A, ord=None, dim=None, keepdim=false))]
#[allow(non_snake_case)]
pub fn linalg_norm(
    py: Python<'_>,
    A: &Bound<'_, PyAny>,
    ord: Option<Bound<'_, PyAny>>,
    dim: Option<Bound<'_, PyAny>>,
    keepdim: bool,
) -> PyResult<PyTensor> {
    let t = require_tensor(A, "linalg_norm", "A", 1)?;
    let ord = match ord {
        Some(o) if !o.is_none() => Some(parse_order(&o, "linalg_norm", "ord")?),
        _ => None,
    };
    let dims = parse_dim(dim.as_ref(), "linalg_norm")?;
    run(py, &t, |t| t.linalg_norm(ord, dims.as_deref(), keepdim))
}

/// Adds the module functions of this file.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(norm_fn, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_vector_norm, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_matrix_norm, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_norm, m)?)?;
    Ok(())
}
