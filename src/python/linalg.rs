//! Matrix products as Tensor methods, the `@` operator and module functions, and `einsum`.

use crate::python::convert::require_tensor;
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::tensor::Tensor;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

/// Multiply-adds of `a @ b`, to decide whether to release the GIL.
fn work(a: &Tensor, b: &Tensor) -> usize {
    let k = a.shape().last().copied().unwrap_or(1).max(1);
    a.numel().saturating_mul(b.numel()) / k
}

/// Runs `f(a, b)`, releasing the GIL for big products.
fn run(
    py: Python<'_>,
    a: &Tensor,
    b: &Tensor,
    f: fn(&Tensor, &Tensor) -> crate::error::Result<Tensor>,
) -> PyResult<PyTensor> {
    Ok(maybe_detached(py, work(a, b), || f(a, b))?.into())
}

#[pymethods]
impl PyTensor {
    /// Matrix product of two 2-D tensors of one dtype.
    fn mm(&self, py: Python<'_>, mat2: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = require_tensor(mat2, "mm", "mat2", 1)?;
        run(py, &self.t, &b, Tensor::mm)
    }

    /// Matrix times vector.
    fn mv(&self, py: Python<'_>, vec: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = require_tensor(vec, "mv", "vec", 1)?;
        run(py, &self.t, &b, Tensor::mv)
    }

    /// Inner product of two 1-D tensors.
    fn dot(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = require_tensor(other, "dot", "other", 1)?;
        run(py, &self.t, &b, Tensor::dot)
    }

    /// Batched matrix product of two 3-D tensors.
    fn bmm(&self, py: Python<'_>, mat2: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = require_tensor(mat2, "bmm", "mat2", 1)?;
        run(py, &self.t, &b, Tensor::bmm)
    }

    /// Outer product of two vectors.
    fn outer(&self, py: Python<'_>, vec2: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = require_tensor(vec2, "outer", "vec2", 1)?;
        run(py, &self.t, &b, Tensor::outer)
    }

    /// `matmul` with torch's rules (dot, mv, mm, batched with broadcast batch dims).
    fn matmul(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let b = require_tensor(other, "matmul", "other", 1)?;
        run(py, &self.t, &b, Tensor::matmul)
    }

    fn __matmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(b) = other.cast::<PyTensor>() else {
            return Ok(py.NotImplemented());
        };
        let out = run(py, &self.t, &b.get().t, Tensor::matmul)?;
        Ok(Bound::new(py, out)?.into_any().unbind())
    }

    fn __rmatmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(a) = other.cast::<PyTensor>() else {
            return Ok(py.NotImplemented());
        };
        let out = run(py, &a.get().t, &self.t, Tensor::matmul)?;
        Ok(Bound::new(py, out)?.into_any().unbind())
    }
}

/// `rt.mm(input, mat2)`.
#[pyfunction]
#[pyo3(name = "mm")]
pub fn mm_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    mat2: &Bound<'_, PyAny>,
) -> PyResult<PyTensor> {
    let a = require_tensor(input, "mm", "input", 1)?;
    let b = require_tensor(mat2, "mm", "mat2", 2)?;
    run(py, &a, &b, Tensor::mm)
}

/// `rt.mv(input, vec)`.
#[pyfunction]
#[pyo3(name = "mv")]
pub fn mv_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    vec: &Bound<'_, PyAny>,
) -> PyResult<PyTensor> {
    let a = require_tensor(input, "mv", "input", 1)?;
    let b = require_tensor(vec, "mv", "vec", 2)?;
    run(py, &a, &b, Tensor::mv)
}

/// `rt.dot(input, tensor)`.
#[pyfunction]
#[pyo3(name = "dot")]
pub fn dot_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    tensor: &Bound<'_, PyAny>,
) -> PyResult<PyTensor> {
    let a = require_tensor(input, "dot", "input", 1)?;
    let b = require_tensor(tensor, "dot", "tensor", 2)?;
    run(py, &a, &b, Tensor::dot)
}

/// `rt.matmul(input, other)`.
#[pyfunction]
#[pyo3(name = "matmul")]
pub fn matmul_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
) -> PyResult<PyTensor> {
    let a = require_tensor(input, "matmul", "input", 1)?;
    let b = require_tensor(other, "matmul", "other", 2)?;
    run(py, &a, &b, Tensor::matmul)
}

/// `rt.bmm(input, mat2)`.
#[pyfunction]
#[pyo3(name = "bmm")]
pub fn bmm_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    mat2: &Bound<'_, PyAny>,
) -> PyResult<PyTensor> {
    let a = require_tensor(input, "bmm", "input", 1)?;
    let b = require_tensor(mat2, "bmm", "mat2", 2)?;
    run(py, &a, &b, Tensor::bmm)
}

/// `rt.outer(input, vec2)`.
#[pyfunction]
#[pyo3(name = "outer")]
pub fn outer_fn(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    vec2: &Bound<'_, PyAny>,
) -> PyResult<PyTensor> {
    let a = require_tensor(input, "outer", "input", 1)?;
    let b = require_tensor(vec2, "outer", "vec2", 2)?;
    run(py, &a, &b, Tensor::outer)
}

/// `rt.einsum(equation, *operands)`; the operands may also come as one list or tuple.
#[pyfunction]
#[pyo3(signature = (equation, *operands))]
pub fn einsum(py: Python<'_>, equation: &str, operands: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
    let items: Vec<Bound<'_, PyAny>> = match operands.len() {
        1 if operands.get_item(0)?.is_instance_of::<PyList>()
            || operands.get_item(0)?.is_instance_of::<PyTuple>() =>
        {
            operands.get_item(0)?.try_iter()?.collect::<PyResult<_>>()?
        }
        _ => operands.iter().collect(),
    };
    let tensors = items
        .iter()
        .enumerate()
        .map(|(i, o)| require_tensor(o, "einsum", "operands", i + 2))
        .collect::<PyResult<Vec<Tensor>>>()?;
    let numel: usize = tensors.iter().map(Tensor::numel).sum();
    Ok(maybe_detached(py, numel, || crate::ops::linalg::einsum(equation, &tensors))?.into())
}

/// Adds the module functions of this file.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mm_fn, m)?)?;
    m.add_function(wrap_pyfunction!(mv_fn, m)?)?;
    m.add_function(wrap_pyfunction!(dot_fn, m)?)?;
    m.add_function(wrap_pyfunction!(matmul_fn, m)?)?;
    m.add_function(wrap_pyfunction!(bmm_fn, m)?)?;
    m.add_function(wrap_pyfunction!(outer_fn, m)?)?;
    m.add_function(wrap_pyfunction!(einsum, m)?)?;
    Ok(())
}
