//! torch's free math functions (`rt.add(input, other)`, `rt.exp(input)`, ...). Unlike the Tensor
//! methods they check the type of their first argument themselves: a Number may come first where
//! torch allows it (`rt.sub(2, t)`), anything else that is not a Tensor is torch's TypeError.

use crate::ops::binary::{binary, BinaryOp, Value};
use crate::ops::unary::FloatFn;
use crate::python::convert::{require_tensor, require_value};
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::python::tensor_math::{clamp as clamp_tensor, division_op, extremum, float_fn, scaled};
use crate::tensor::Tensor;
use pyo3::prelude::*;

fn numel(v: &Value) -> usize {
    match v {
        Value::Tensor(t) => t.numel(),
        Value::Scalar(_) => 1,
    }
}

/// `a op b`, releasing the GIL for big operands.
fn apply(py: Python<'_>, op: BinaryOp, a: Value, b: Value) -> PyResult<PyTensor> {
    let n = numel(&a).max(numel(&b));
    Ok(maybe_detached(py, n, || binary(op, &a, &b))?.into())
}

/// `input + alpha * other`; `input` may be a Number.
#[pyfunction]
#[pyo3(signature = (input, other, *, alpha=None))]
pub fn add(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let a = require_value(input, "add", "input")?;
    apply(py, BinaryOp::Add, a, scaled(py, other, alpha, "add")?)
}

/// `input - alpha * other`; `input` may be a Number.
#[pyfunction]
#[pyo3(signature = (input, other, *, alpha=None))]
pub fn sub(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let a = require_value(input, "sub", "input")?;
    apply(py, BinaryOp::Sub, a, scaled(py, other, alpha, "sub")?)
}

/// True division, or floor division with `rounding_mode='floor'`; `input` may be a Number.
#[pyfunction]
#[pyo3(signature = (input, other, *, rounding_mode=None))]
pub fn div(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
    rounding_mode: Option<&str>,
) -> PyResult<PyTensor> {
    let op = division_op(rounding_mode)?;
    apply(
        py,
        op,
        require_value(input, "div", "input")?,
        require_value(other, "div", "other")?,
    )
}

/// `input ** exponent`; `input` may be a Number.
#[pyfunction]
pub fn pow(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    exponent: &Bound<'_, PyAny>,
) -> PyResult<PyTensor> {
    apply(
        py,
        BinaryOp::Pow,
        require_value(input, "pow", "input")?,
        require_value(exponent, "pow", "exponent")?,
    )
}

/// Binary functions whose first argument may be a Number.
macro_rules! number_first {
    ($($name:ident => $op:expr, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[pyfunction]
        pub fn $name(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
            let name = stringify!($name);
            apply(py, $op, require_value(input, name, "input")?, require_value(other, name, "other")?)
        }
    )*};
}

number_first! {
    mul => BinaryOp::Mul, "Elementwise product.";
    true_divide => BinaryOp::Div, "True division.";
    floor_divide => BinaryOp::FloorDiv, "Floor division.";
    remainder => BinaryOp::Remainder, "Python-style modulo (the sign of the divisor).";
    bitwise_and => BinaryOp::BitAnd, "Bitwise (bool: logical) and.";
    bitwise_or => BinaryOp::BitOr, "Bitwise (bool: logical) or.";
    bitwise_xor => BinaryOp::BitXor, "Bitwise (bool: logical) xor.";
}

/// Binary functions whose first argument must be a Tensor.
macro_rules! tensor_first {
    ($($name:ident => $op:expr, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[pyfunction]
        pub fn $name(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
            let name = stringify!($name);
            let a = Value::Tensor(require_tensor(input, name, "input", 1)?);
            apply(py, $op, a, require_value(other, name, "other")?)
        }
    )*};
}

tensor_first! {
    eq => BinaryOp::Eq, "`input == other` elementwise.";
    ne => BinaryOp::Ne, "`input != other` elementwise.";
    lt => BinaryOp::Lt, "`input < other` elementwise.";
    le => BinaryOp::Le, "`input <= other` elementwise.";
    gt => BinaryOp::Gt, "`input > other` elementwise.";
    ge => BinaryOp::Ge, "`input >= other` elementwise.";
}

/// Elementwise maximum of two tensors (NaN propagates).
#[pyfunction]
pub fn maximum(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
) -> PyResult<PyTensor> {
    extremum(
        py,
        &require_tensor(input, "maximum", "input", 1)?,
        other,
        BinaryOp::Maximum,
        "maximum",
        2,
    )
}

/// Elementwise minimum of two tensors (NaN propagates).
#[pyfunction]
pub fn minimum(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
) -> PyResult<PyTensor> {
    extremum(
        py,
        &require_tensor(input, "minimum", "input", 1)?,
        other,
        BinaryOp::Minimum,
        "minimum",
        2,
    )
}

/// Limits values to `[min, max]` (numbers or tensors).
#[pyfunction]
#[pyo3(signature = (input, min=None, max=None))]
pub fn clamp(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    clamp_tensor(py, &require_tensor(input, "clamp", "input", 1)?, min, max)
}

/// Alias of `clamp`.
#[pyfunction]
#[pyo3(signature = (input, min=None, max=None))]
pub fn clip(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    clamp_tensor(py, &require_tensor(input, "clip", "input", 1)?, min, max)
}

/// Floating-point functions of one tensor.
macro_rules! float_functions {
    ($($name:ident => $op:expr, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[pyfunction]
        pub fn $name(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
            float_fn(py, &require_tensor(input, stringify!($name), "input", 1)?, $op)
        }
    )*};
}

float_functions! {
    exp => FloatFn::Exp, "`e ** input`.";
    log => FloatFn::Log, "Natural logarithm.";
    sqrt => FloatFn::Sqrt, "Square root.";
    sin => FloatFn::Sin, "Sine.";
    cos => FloatFn::Cos, "Cosine.";
    tanh => FloatFn::Tanh, "Hyperbolic tangent.";
    sigmoid => FloatFn::Sigmoid, "Logistic sigmoid.";
}

/// Other elementwise functions of one tensor.
macro_rules! unary_functions {
    ($($name:ident => $f:expr, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[pyfunction]
        pub fn $name(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
            let t = require_tensor(input, stringify!($name), "input", 1)?;
            let f: fn(&Tensor) -> crate::error::Result<Tensor> = $f;
            Ok(maybe_detached(py, t.numel(), || f(&t))?.into())
        }
    )*};
}

unary_functions! {
    abs => Tensor::abs, "`|input|`.";
    neg => Tensor::neg, "`-input`.";
    relu => Tensor::relu, "`max(input, 0)`.";
    bitwise_not => Tensor::bitwise_not, "Bitwise (bool: logical) not.";
    logical_not => |t| t.to_dtype(crate::dtype::DType::Bool)?.bitwise_not(), "A bool tensor, true where the input is zero.";
}

/// Adds every function of this file to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    for f in [
        wrap_pyfunction!(add, m)?,
        wrap_pyfunction!(sub, m)?,
        wrap_pyfunction!(div, m)?,
        wrap_pyfunction!(pow, m)?,
        wrap_pyfunction!(mul, m)?,
        wrap_pyfunction!(true_divide, m)?,
        wrap_pyfunction!(floor_divide, m)?,
        wrap_pyfunction!(remainder, m)?,
        wrap_pyfunction!(bitwise_and, m)?,
        wrap_pyfunction!(bitwise_or, m)?,
        wrap_pyfunction!(bitwise_xor, m)?,
        wrap_pyfunction!(eq, m)?,
        wrap_pyfunction!(ne, m)?,
        wrap_pyfunction!(lt, m)?,
        wrap_pyfunction!(le, m)?,
        wrap_pyfunction!(gt, m)?,
        wrap_pyfunction!(ge, m)?,
        wrap_pyfunction!(maximum, m)?,
        wrap_pyfunction!(minimum, m)?,
        wrap_pyfunction!(clamp, m)?,
        wrap_pyfunction!(clip, m)?,
        wrap_pyfunction!(exp, m)?,
        wrap_pyfunction!(log, m)?,
        wrap_pyfunction!(sqrt, m)?,
        wrap_pyfunction!(sin, m)?,
        wrap_pyfunction!(cos, m)?,
        wrap_pyfunction!(tanh, m)?,
        wrap_pyfunction!(sigmoid, m)?,
        wrap_pyfunction!(abs, m)?,
        wrap_pyfunction!(neg, m)?,
        wrap_pyfunction!(relu, m)?,
        wrap_pyfunction!(bitwise_not, m)?,
        wrap_pyfunction!(logical_not, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
