//! Arithmetic on `Tensor`: operators, elementwise methods and their in-place forms.

use crate::ops::binary::{binary, binary_, BinaryOp, Value};
use crate::ops::unary::FloatFn;
use crate::python::convert::{
    extract_scalar, extract_value, require_tensor, require_value, type_name,
};
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

/// `a op b` for an operator dunder: NotImplemented for foreign operand types.
fn operator(
    py: Python<'_>,
    a: &Tensor,
    other: &Bound<'_, PyAny>,
    op: BinaryOp,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    let Some(b) = extract_value(other)? else {
        return Ok(py.NotImplemented());
    };
    let a = Value::Tensor(a.clone());
    let (l, r) = if reflected { (&b, &a) } else { (&a, &b) };
    let numel = a_numel(l).max(a_numel(r));
    let out = maybe_detached(py, numel, || binary(op, l, r))?;
    Ok(Bound::new(py, PyTensor::from(out))?.into_any().unbind())
}

fn a_numel(v: &Value) -> usize {
    match v {
        Value::Tensor(t) => t.numel(),
        Value::Scalar(_) => 1,
    }
}

/// `a.op(other)` for a named method: TypeError for foreign operand types.
fn method(
    py: Python<'_>,
    a: &Tensor,
    other: &Bound<'_, PyAny>,
    op: BinaryOp,
    name: &str,
) -> PyResult<PyTensor> {
    let b = require_value(other, name, "other")?;
    let a = Value::Tensor(a.clone());
    let numel = a_numel(&a).max(a_numel(&b));
    Ok(maybe_detached(py, numel, || binary(op, &a, &b))?.into())
}

/// `a op= other` in place.
fn in_place(
    py: Python<'_>,
    a: &Tensor,
    other: &Bound<'_, PyAny>,
    op: BinaryOp,
    name: &str,
) -> PyResult<()> {
    let b = require_value(other, name, "other")?;
    Ok(maybe_detached(py, a.numel(), || binary_(op, a, &b))?)
}

/// `other * alpha` for `add`/`sub` with an `alpha=` argument.
pub fn scaled(
    py: Python<'_>,
    other: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
    name: &str,
) -> PyResult<Value> {
    let b = require_value(other, name, "other")?;
    let Some(alpha) = alpha else { return Ok(b) };
    let alpha = extract_scalar(alpha)?.ok_or_else(|| {
        PyTypeError::new_err(format!("{}(): argument 'alpha' must be Number", name))
    })?;
    Ok(match b {
        Value::Tensor(_) => Value::Tensor(maybe_detached(py, 0, || {
            binary(BinaryOp::Mul, &b, &Value::Scalar(alpha))
        })?),
        Value::Scalar(s) => Value::Scalar(match (s, alpha) {
            (Scalar::Float(_), _) | (_, Scalar::Float(_)) => {
                Scalar::Float(s.as_f64() * alpha.as_f64())
            }
            (Scalar::Bool(x), Scalar::Bool(y)) => Scalar::Bool(x && y),
            _ => Scalar::Int(s.to::<i64>().wrapping_mul(alpha.to::<i64>())),
        }),
    })
}

/// The operation `div` performs for a `rounding_mode`.
pub fn division_op(rounding_mode: Option<&str>) -> PyResult<BinaryOp> {
    match rounding_mode {
        None => Ok(BinaryOp::Div),
        Some("floor") => Ok(BinaryOp::FloorDiv),
        Some(m) => Err(PyValueError::new_err(format!(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{}'",
            m
        ))),
    }
}

/// A floating-point function of a tensor, releasing the GIL for big inputs.
pub fn float_fn(py: Python<'_>, t: &Tensor, op: FloatFn) -> PyResult<PyTensor> {
    Ok(maybe_detached(py, t.numel(), || t.float_fn(op))?.into())
}

fn float_fn_<'py>(
    py: Python<'py>,
    slf: Bound<'py, PyTensor>,
    op: FloatFn,
) -> PyResult<Bound<'py, PyTensor>> {
    let t = &slf.get().t;
    maybe_detached(py, t.numel(), || t.float_fn_(op))?;
    Ok(slf)
}

/// Bounds of `clamp`: both numbers (or None), or both tensors (or None), as torch's overloads.
enum Bounds {
    Scalars(Option<Scalar>, Option<Scalar>),
    Tensors(Option<Tensor>, Option<Tensor>),
}

fn clamp_bounds(
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bounds> {
    let read = |o: Option<&Bound<'_, PyAny>>| -> PyResult<Option<Value>> {
        match o {
            Some(o) if !o.is_none() => extract_value(o)?.map(Some).ok_or_else(|| {
                PyTypeError::new_err(format!(
                    "clamp(): argument 'min'/'max' must be Tensor or Number, not {}",
                    type_name(o)
                ))
            }),
            _ => Ok(None),
        }
    };
    Ok(match (read(min)?, read(max)?) {
        (Some(Value::Tensor(a)), b @ (Some(Value::Tensor(_)) | None)) => Bounds::Tensors(Some(a), b.and_then(tensor_of)),
        (None, Some(Value::Tensor(b))) => Bounds::Tensors(None, Some(b)),
        (a @ (Some(Value::Scalar(_)) | None), b @ (Some(Value::Scalar(_)) | None)) => Bounds::Scalars(a.and_then(scalar_of), b.and_then(scalar_of)),
        _ => {
            return Err(PyTypeError::new_err(
                "clamp() received an invalid combination of arguments: 'min' and 'max' must both be Tensors or both be Numbers",
            ))
        }
    })
}

fn tensor_of(v: Value) -> Option<Tensor> {
    match v {
        Value::Tensor(t) => Some(t),
        Value::Scalar(_) => None,
    }
}

fn scalar_of(v: Value) -> Option<Scalar> {
    match v {
        Value::Scalar(s) => Some(s),
        Value::Tensor(_) => None,
    }
}

/// `clamp(input, min, max)` out of place, for the method and the module function.
pub fn clamp(
    py: Python<'_>,
    t: &Tensor,
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    Ok(match clamp_bounds(min, max)? {
        Bounds::Scalars(lo, hi) => maybe_detached(py, t.numel(), || t.clamp(lo, hi))?,
        Bounds::Tensors(lo, hi) => {
            maybe_detached(py, t.numel(), || t.clamp_tensors(lo.as_ref(), hi.as_ref()))?
        }
    }
    .into())
}

/// `maximum`/`minimum`: both operands must be tensors.
pub fn extremum(
    py: Python<'_>,
    a: &Tensor,
    other: &Bound<'_, PyAny>,
    op: BinaryOp,
    name: &str,
    position: usize,
) -> PyResult<PyTensor> {
    let b = Value::Tensor(require_tensor(other, name, "other", position)?);
    let a = Value::Tensor(a.clone());
    let numel = a_numel(&a).max(a_numel(&b));
    Ok(maybe_detached(py, numel, || binary(op, &a, &b))?.into())
}

#[pymethods]
impl PyTensor {
    fn __add__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Add, false)
    }
    fn __radd__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Add, true)
    }
    fn __sub__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Sub, false)
    }
    fn __rsub__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Sub, true)
    }
    fn __mul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Mul, false)
    }
    fn __rmul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Mul, true)
    }
    fn __truediv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Div, false)
    }
    fn __rtruediv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Div, true)
    }
    fn __floordiv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::FloorDiv, false)
    }
    fn __rfloordiv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::FloorDiv, true)
    }
    fn __mod__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Remainder, false)
    }
    fn __rmod__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Remainder, true)
    }
    fn __pow__(
        &self,
        py: Python<'_>,
        o: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Pow, false)
    }
    fn __rpow__(
        &self,
        py: Python<'_>,
        o: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::Pow, true)
    }
    fn __and__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::BitAnd, false)
    }
    fn __rand__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::BitAnd, true)
    }
    fn __or__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::BitOr, false)
    }
    fn __ror__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::BitOr, true)
    }
    fn __xor__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::BitXor, false)
    }
    fn __rxor__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, &self.t, o, BinaryOp::BitXor, true)
    }

    fn __richcmp__(
        &self,
        py: Python<'_>,
        o: &Bound<'_, PyAny>,
        op: CompareOp,
    ) -> PyResult<Py<PyAny>> {
        let op = match op {
            CompareOp::Eq => BinaryOp::Eq,
            CompareOp::Ne => BinaryOp::Ne,
            CompareOp::Lt => BinaryOp::Lt,
            CompareOp::Le => BinaryOp::Le,
            CompareOp::Gt => BinaryOp::Gt,
            CompareOp::Ge => BinaryOp::Ge,
        };
        operator(py, &self.t, o, op, false)
    }

    fn __iadd__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, &self.t, o, BinaryOp::Add, "add_")
    }
    fn __isub__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, &self.t, o, BinaryOp::Sub, "sub_")
    }
    fn __imul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, &self.t, o, BinaryOp::Mul, "mul_")
    }
    fn __itruediv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, &self.t, o, BinaryOp::Div, "div_")
    }
    fn __ifloordiv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, &self.t, o, BinaryOp::FloorDiv, "floor_divide_")
    }
    fn __imod__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, &self.t, o, BinaryOp::Remainder, "remainder_")
    }
    fn __ipow__(
        &self,
        py: Python<'_>,
        o: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        in_place(py, &self.t, o, BinaryOp::Pow, "pow_")
    }
    fn __iand__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, &self.t, o, BinaryOp::BitAnd, "bitwise_and_")
    }
    fn __ior__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, &self.t, o, BinaryOp::BitOr, "bitwise_or_")
    }
    fn __ixor__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, &self.t, o, BinaryOp::BitXor, "bitwise_xor_")
    }

    fn __neg__(&self, py: Python<'_>) -> PyResult<PyTensor> {
        self.neg(py)
    }
    fn __pos__(&self) -> PyTensor {
        self.t.detach().into()
    }
    fn __abs__(&self, py: Python<'_>) -> PyResult<PyTensor> {
        self.abs(py)
    }
    fn __invert__(&self, py: Python<'_>) -> PyResult<PyTensor> {
        if self.t.dtype().is_floating() {
            return Err(PyTypeError::new_err(
                "~ (operator.invert) is only implemented on integer and Boolean-type tensors",
            ));
        }
        self.bitwise_not(py)
    }

    /// `self + alpha * other`.
    #[pyo3(signature = (other, *, alpha=None))]
    fn add(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let b = scaled(py, other, alpha, "add")?;
        Ok(maybe_detached(py, self.t.numel(), || {
            binary(BinaryOp::Add, &Value::Tensor(self.t.clone()), &b)
        })?
        .into())
    }
    /// `self - alpha * other`.
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let b = scaled(py, other, alpha, "sub")?;
        Ok(maybe_detached(py, self.t.numel(), || {
            binary(BinaryOp::Sub, &Value::Tensor(self.t.clone()), &b)
        })?
        .into())
    }
    /// Elementwise product.
    fn mul(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::Mul, "mul")
    }
    /// True division, or floor division with `rounding_mode='floor'`.
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        rounding_mode: Option<&str>,
    ) -> PyResult<PyTensor> {
        method(py, &self.t, other, division_op(rounding_mode)?, "div")
    }
    /// True division.
    fn true_divide(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::Div, "true_divide")
    }
    /// Floor division.
    fn floor_divide(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::FloorDiv, "floor_divide")
    }
    /// Python-style modulo (the sign of the divisor).
    fn remainder(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::Remainder, "remainder")
    }
    /// Elementwise power.
    fn pow(&self, py: Python<'_>, exponent: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, exponent, BinaryOp::Pow, "pow")
    }
    /// Elementwise maximum (NaN propagates).
    fn maximum(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        extremum(py, &self.t, other, BinaryOp::Maximum, "maximum", 1)
    }
    /// Elementwise minimum (NaN propagates).
    fn minimum(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        extremum(py, &self.t, other, BinaryOp::Minimum, "minimum", 1)
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
    /// `self == other` elementwise.
    fn eq(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::Eq, "eq")
    }
    /// `self != other` elementwise.
    fn ne(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::Ne, "ne")
    }
    /// `self < other` elementwise.
    fn lt(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::Lt, "lt")
    }
    /// `self <= other` elementwise.
    fn le(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::Le, "le")
    }
    /// `self > other` elementwise.
    fn gt(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::Gt, "gt")
    }
    /// `self >= other` elementwise.
    fn ge(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::Ge, "ge")
    }
    /// Bitwise (bool: logical) and.
    fn bitwise_and(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::BitAnd, "bitwise_and")
    }
    /// Bitwise (bool: logical) or.
    fn bitwise_or(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::BitOr, "bitwise_or")
    }
    /// Bitwise (bool: logical) xor.
    fn bitwise_xor(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        method(py, &self.t, other, BinaryOp::BitXor, "bitwise_xor")
    }
    /// Bitwise (bool: logical) not.
    fn bitwise_not(&self, py: Python<'_>) -> PyResult<PyTensor> {
        Ok(maybe_detached(py, self.t.numel(), || self.t.bitwise_not())?.into())
    }
    /// Logical not: a bool tensor true where the input is zero.
    fn logical_not(&self, py: Python<'_>) -> PyResult<PyTensor> {
        let b = self.t.to_dtype(crate::dtype::DType::Bool)?;
        Ok(maybe_detached(py, self.t.numel(), || b.bitwise_not())?.into())
    }

    /// `-self`.
    fn neg(&self, py: Python<'_>) -> PyResult<PyTensor> {
        Ok(maybe_detached(py, self.t.numel(), || self.t.neg())?.into())
    }
    /// `|self|`.
    fn abs(&self, py: Python<'_>) -> PyResult<PyTensor> {
        Ok(maybe_detached(py, self.t.numel(), || self.t.abs())?.into())
    }
    /// `max(self, 0)`.
    fn relu(&self, py: Python<'_>) -> PyResult<PyTensor> {
        Ok(maybe_detached(py, self.t.numel(), || self.t.relu())?.into())
    }
    /// `e ** self`.
    fn exp(&self, py: Python<'_>) -> PyResult<PyTensor> {
        float_fn(py, &self.t, FloatFn::Exp)
    }
    /// Natural logarithm.
    fn log(&self, py: Python<'_>) -> PyResult<PyTensor> {
        float_fn(py, &self.t, FloatFn::Log)
    }
    /// Square root.
    fn sqrt(&self, py: Python<'_>) -> PyResult<PyTensor> {
        float_fn(py, &self.t, FloatFn::Sqrt)
    }
    /// Sine.
    fn sin(&self, py: Python<'_>) -> PyResult<PyTensor> {
        float_fn(py, &self.t, FloatFn::Sin)
    }
    /// Cosine.
    fn cos(&self, py: Python<'_>) -> PyResult<PyTensor> {
        float_fn(py, &self.t, FloatFn::Cos)
    }
    /// Hyperbolic tangent.
    fn tanh(&self, py: Python<'_>) -> PyResult<PyTensor> {
        float_fn(py, &self.t, FloatFn::Tanh)
    }
    /// Logistic sigmoid.
    fn sigmoid(&self, py: Python<'_>) -> PyResult<PyTensor> {
        float_fn(py, &self.t, FloatFn::Sigmoid)
    }
    /// In-place exp.
    fn exp_<'py>(slf: Bound<'py, Self>, py: Python<'py>) -> PyResult<Bound<'py, Self>> {
        float_fn_(py, slf, FloatFn::Exp)
    }
    /// In-place log.
    fn log_<'py>(slf: Bound<'py, Self>, py: Python<'py>) -> PyResult<Bound<'py, Self>> {
        float_fn_(py, slf, FloatFn::Log)
    }
    /// In-place sqrt.
    fn sqrt_<'py>(slf: Bound<'py, Self>, py: Python<'py>) -> PyResult<Bound<'py, Self>> {
        float_fn_(py, slf, FloatFn::Sqrt)
    }
    /// In-place sigmoid.
    fn sigmoid_<'py>(slf: Bound<'py, Self>, py: Python<'py>) -> PyResult<Bound<'py, Self>> {
        float_fn_(py, slf, FloatFn::Sigmoid)
    }
    /// In-place tanh.
    fn tanh_<'py>(slf: Bound<'py, Self>, py: Python<'py>) -> PyResult<Bound<'py, Self>> {
        float_fn_(py, slf, FloatFn::Tanh)
    }

    /// Limits values to `[min, max]` (numbers or tensors).
    #[pyo3(signature = (min=None, max=None))]
    fn clamp(
        &self,
        py: Python<'_>,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        clamp(py, &self.t, min, max)
    }
    /// Alias of `clamp`.
    #[pyo3(signature = (min=None, max=None))]
    fn clip(
        &self,
        py: Python<'_>,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        clamp(py, &self.t, min, max)
    }
    /// In-place clamp.
    #[pyo3(signature = (min=None, max=None))]
    fn clamp_<'py>(
        slf: Bound<'py, Self>,
        min: Option<&Bound<'py, PyAny>>,
        max: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let t = &slf.get().t;
        match clamp_bounds(min, max)? {
            Bounds::Scalars(lo, hi) => maybe_detached(slf.py(), t.numel(), || t.clamp_(lo, hi))?,
            Bounds::Tensors(lo, hi) => maybe_detached(slf.py(), t.numel(), || {
                t.clamp_tensors_(lo.as_ref(), hi.as_ref())
            })?,
        }
        Ok(slf)
    }

    /// In-place `self += alpha * other`.
    #[pyo3(signature = (other, *, alpha=None))]
    fn add_<'py>(
        slf: Bound<'py, Self>,
        other: &Bound<'py, PyAny>,
        alpha: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let py = slf.py();
        let b = scaled(py, other, alpha, "add_")?;
        let t = &slf.get().t;
        maybe_detached(py, t.numel(), || binary_(BinaryOp::Add, t, &b))?;
        Ok(slf)
    }
    /// In-place `self -= alpha * other`.
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub_<'py>(
        slf: Bound<'py, Self>,
        other: &Bound<'py, PyAny>,
        alpha: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let py = slf.py();
        let b = scaled(py, other, alpha, "sub_")?;
        let t = &slf.get().t;
        maybe_detached(py, t.numel(), || binary_(BinaryOp::Sub, t, &b))?;
        Ok(slf)
    }
    /// In-place product.
    fn mul_<'py>(slf: Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        in_place(slf.py(), &slf.get().t, other, BinaryOp::Mul, "mul_")?;
        Ok(slf)
    }
    /// In-place division.
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div_<'py>(
        slf: Bound<'py, Self>,
        other: &Bound<'py, PyAny>,
        rounding_mode: Option<&str>,
    ) -> PyResult<Bound<'py, Self>> {
        in_place(
            slf.py(),
            &slf.get().t,
            other,
            division_op(rounding_mode)?,
            "div_",
        )?;
        Ok(slf)
    }
    /// In-place power.
    fn pow_<'py>(
        slf: Bound<'py, Self>,
        exponent: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        in_place(slf.py(), &slf.get().t, exponent, BinaryOp::Pow, "pow_")?;
        Ok(slf)
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
}
