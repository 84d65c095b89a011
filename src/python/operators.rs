//! Python's operators on `Tensor` (`+`, `-`, `*`, `/`, `//`, `%`, `**`, `&`, `|`, `^`, `<<`, `>>`,
//! comparisons, their reflected and in-place forms, unary `-`, `+`, `abs`, `~`). Each is the
//! registry op torch runs for it (`2 - x` is `rsub`, `2 / x` is `reciprocal` then `mul`), called
//! directly: operands of foreign types give `NotImplemented`, as Python expects.

use crate::error::Result;
use crate::ops::pointwise::{arith, binary, bits, power};
use crate::ops::registry::Dest;
use crate::python::convert::extract_value;
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;
use pyo3::basic::CompareOp;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// `f(self, other)` for an operator, or `NotImplemented` when `other` is not a tensor or number.
fn operator(
    py: Python<'_>,
    a: Tensor,
    other: &Bound<'_, PyAny>,
    f: impl FnOnce(&Value, &Value) -> Result<Tensor> + Send,
) -> PyResult<Py<PyAny>> {
    let Some(b) = extract_value(other)? else {
        return Ok(py.NotImplemented());
    };
    let a = Value::Tensor(a);
    let work = a.numel().max(b.numel());
    let out = maybe_detached(py, work, || f(&a, &b))?;
    Ok(PyTensor::wrap(py, out)?.into_any().unbind())
}

/// `f(self, other)` writing into `self`; a TypeError for foreign operand types.
fn in_place(
    py: Python<'_>,
    a: Tensor,
    other: &Bound<'_, PyAny>,
    name: &str,
    f: impl FnOnce(&Value, &Value) -> Result<Tensor> + Send,
) -> PyResult<()> {
    let b = extract_value(other)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{}(): argument 'other' (position 1) must be Tensor, not {}",
            name,
            crate::python::convert::type_name(other)
        ))
    })?;
    let a = Value::Tensor(a);
    maybe_detached(py, a.numel(), || f(&a, &b))?;
    Ok(())
}

/// `other op self` for a reflected operator whose op is not commutative.
fn reflected(
    py: Python<'_>,
    a: Tensor,
    other: &Bound<'_, PyAny>,
    f: impl FnOnce(&Value, &Value) -> Result<Tensor> + Send,
) -> PyResult<Py<PyAny>> {
    operator(py, a, other, |a, b| f(b, a))
}

fn one() -> Scalar {
    Scalar::Int(1)
}

#[pymethods]
impl PyTensor {
    fn __add__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| arith::add(a, b, one(), Dest::New))
    }
    fn __radd__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| arith::add(a, b, one(), Dest::New))
    }
    fn __sub__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| arith::sub(a, b, one(), Dest::New))
    }
    fn __rsub__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let t = self.t(py);
        operator(py, self.t(py), o, move |_, b| arith::rsub(&t, b, one()))
    }
    fn __mul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &arith::mul::spec())
        })
    }
    fn __rmul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &arith::mul::spec())
        })
    }
    fn __truediv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| arith::div(a, b, None, Dest::New))
    }
    fn __rtruediv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        // torch computes `other / self` as `self.reciprocal() * other`.
        let t = self.t(py);
        operator(py, self.t(py), o, move |_, b| t.reciprocal()?.mul(b))
    }
    fn __floordiv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &arith::floor_divide::spec())
        })
    }
    fn __rfloordiv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        reflected(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &arith::floor_divide::spec())
        })
    }
    fn __mod__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &arith::remainder::spec())
        })
    }
    fn __rmod__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        reflected(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &arith::remainder::spec())
        })
    }
    fn __pow__(
        &self,
        py: Python<'_>,
        o: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| power::pow(a, b, Dest::New))
    }
    fn __rpow__(
        &self,
        py: Python<'_>,
        o: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        reflected(py, self.t(py), o, |a, b| power::pow(a, b, Dest::New))
    }
    fn __and__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &bits::bitwise_and::spec())
        })
    }
    fn __rand__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &bits::bitwise_and::spec())
        })
    }
    fn __or__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &bits::bitwise_or::spec())
        })
    }
    fn __ror__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &bits::bitwise_or::spec())
        })
    }
    fn __xor__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &bits::bitwise_xor::spec())
        })
    }
    fn __rxor__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &bits::bitwise_xor::spec())
        })
    }
    fn __lshift__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &bits::bitwise_left_shift::spec())
        })
    }
    fn __rlshift__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        reflected(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &bits::bitwise_left_shift::spec())
        })
    }
    fn __rshift__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &bits::bitwise_right_shift::spec())
        })
    }
    fn __rrshift__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        reflected(py, self.t(py), o, |a, b| {
            binary(a, b, Dest::New, &bits::bitwise_right_shift::spec())
        })
    }

    fn __matmul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(b) = o.cast::<PyTensor>() else {
            return Ok(py.NotImplemented());
        };
        let (a, b) = (&self.t(py), &b.get().t(b.py()));
        let out = maybe_detached(py, a.numel().max(b.numel()), || a.matmul(b))?;
        Ok(PyTensor::wrap(py, out)?.into_any().unbind())
    }
    fn __rmatmul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(a) = o.cast::<PyTensor>() else {
            return Ok(py.NotImplemented());
        };
        let (a, b) = (&a.get().t(a.py()), &self.t(py));
        let out = maybe_detached(py, a.numel().max(b.numel()), || a.matmul(b))?;
        Ok(PyTensor::wrap(py, out)?.into_any().unbind())
    }

    fn __richcmp__(
        &self,
        py: Python<'_>,
        o: &Bound<'_, PyAny>,
        op: CompareOp,
    ) -> PyResult<Py<PyAny>> {
        use crate::ops::comparison as c;
        operator(py, self.t(py), o, |a, b| match op {
            CompareOp::Eq => binary(a, b, Dest::New, &c::eq::spec()),
            CompareOp::Ne => binary(a, b, Dest::New, &c::ne::spec()),
            CompareOp::Lt => binary(a, b, Dest::New, &c::lt::spec()),
            CompareOp::Le => binary(a, b, Dest::New, &c::le::spec()),
            CompareOp::Gt => binary(a, b, Dest::New, &c::gt::spec()),
            CompareOp::Ge => binary(a, b, Dest::New, &c::ge::spec()),
        })
    }

    fn __iadd__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, self.t(py), o, "add_", |a, b| {
            arith::add(a, b, one(), Dest::InPlace)
        })
    }
    fn __isub__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, self.t(py), o, "sub_", |a, b| {
            arith::sub(a, b, one(), Dest::InPlace)
        })
    }
    fn __imul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, self.t(py), o, "mul_", |a, b| {
            binary(a, b, Dest::InPlace, &arith::mul::spec())
        })
    }
    fn __itruediv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, self.t(py), o, "div_", |a, b| {
            arith::div(a, b, None, Dest::InPlace)
        })
    }
    fn __ifloordiv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, self.t(py), o, "floor_divide_", |a, b| {
            binary(a, b, Dest::InPlace, &arith::floor_divide::spec())
        })
    }
    fn __imod__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, self.t(py), o, "remainder_", |a, b| {
            binary(a, b, Dest::InPlace, &arith::remainder::spec())
        })
    }
    fn __ipow__(
        &self,
        py: Python<'_>,
        o: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        in_place(py, self.t(py), o, "pow_", |a, b| {
            power::pow(a, b, Dest::InPlace)
        })
    }
    fn __iand__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, self.t(py), o, "bitwise_and_", |a, b| {
            binary(a, b, Dest::InPlace, &bits::bitwise_and::spec())
        })
    }
    fn __ior__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, self.t(py), o, "bitwise_or_", |a, b| {
            binary(a, b, Dest::InPlace, &bits::bitwise_or::spec())
        })
    }
    fn __ixor__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, self.t(py), o, "bitwise_xor_", |a, b| {
            binary(a, b, Dest::InPlace, &bits::bitwise_xor::spec())
        })
    }
    fn __ilshift__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, self.t(py), o, "bitwise_left_shift_", |a, b| {
            binary(a, b, Dest::InPlace, &bits::bitwise_left_shift::spec())
        })
    }
    fn __irshift__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(py, self.t(py), o, "bitwise_right_shift_", |a, b| {
            binary(a, b, Dest::InPlace, &bits::bitwise_right_shift::spec())
        })
    }

    fn __neg__(&self, py: Python<'_>) -> PyResult<PyTensor> {
        let t = &self.t(py);
        Ok(maybe_detached(py, t.numel(), || t.neg())?.into())
    }
    fn __pos__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        slf.get().t(slf.py()).positive()?;
        Ok(slf)
    }
    fn __abs__(&self, py: Python<'_>) -> PyResult<PyTensor> {
        let t = &self.t(py);
        Ok(maybe_detached(py, t.numel(), || t.abs())?.into())
    }
    fn __invert__(&self, py: Python<'_>) -> PyResult<PyTensor> {
        if self.t(py).dtype().is_floating() {
            return Err(PyTypeError::new_err(
                "~ (operator.invert) is only implemented on integer and Boolean-type tensors",
            ));
        }
        let t = &self.t(py);
        Ok(maybe_detached(py, t.numel(), || t.bitwise_not())?.into())
    }
}
