//! torch's type promotion from Python: `promote_types`, `result_type` and `can_cast`.

use crate::dtype::ResultType;
use crate::python::convert::{extract_dtype, extract_value, type_name};
use crate::python::dtype::{dtype_object, PyDType};
use crate::value::Value;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// `rt.promote_types(type1, type2)`: the dtype torch promotes two dtypes to.
#[pyfunction]
pub fn promote_types(
    py: Python<'_>,
    type1: &Bound<'_, PyAny>,
    type2: &Bound<'_, PyAny>,
) -> PyResult<Py<PyDType>> {
    let (a, b) = (extract_dtype(type1)?, extract_dtype(type2)?);
    Ok(dtype_object(py, a.promote(b)))
}

/// `rt.can_cast(from_, to)`: whether torch's in-place ops may write a `from_` result into `to`.
#[pyfunction]
#[pyo3(signature = (from_, to))]
pub fn can_cast(from_: &Bound<'_, PyAny>, to: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(extract_dtype(from_)?.can_cast_to(extract_dtype(to)?))
}

/// `rt.result_type(tensor1, tensor2)`: the dtype an arithmetic op of the two operands (tensors or
/// numbers) gives, by torch's priority of dim tensors, 0-dim tensors and numbers.
#[pyfunction]
pub fn result_type(
    py: Python<'_>,
    tensor1: &Bound<'_, PyAny>,
    tensor2: &Bound<'_, PyAny>,
) -> PyResult<Py<PyDType>> {
    let operand = |o: &Bound<'_, PyAny>| -> PyResult<Value> {
        extract_value(o)?.ok_or_else(|| {
            PyTypeError::new_err(format!(
                "result_type() received an invalid combination of arguments - got ({}, {})",
                type_name(tensor1),
                type_name(tensor2)
            ))
        })
    };
    let (a, b) = (operand(tensor1)?, operand(tensor2)?);
    if matches!((&a, &b), (Value::Scalar(_), Value::Scalar(_))) {
        return Err(PyTypeError::new_err(format!(
            "result_type() received an invalid combination of arguments - got ({}, {})",
            type_name(tensor1),
            type_name(tensor2)
        )));
    }
    let r = b.add_to(a.add_to(ResultType::default())).finish();
    Ok(dtype_object(py, r))
}
