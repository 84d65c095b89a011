//! An operand that is a tensor or a Python number: what binary ops and their gradients take.

use crate::dtype::{default_float, DType, ResultType};
use crate::error::Result;
use crate::scalar::Scalar;
use crate::tensor::Tensor;

/// A tensor, or a Python scalar that promotes as a "wrapped number".
#[derive(Debug, Clone)]
pub enum Value {
    /// A tensor operand.
    Tensor(Tensor),
    /// A Python number.
    Scalar(Scalar),
}

impl Value {
    /// Adds this operand to a result-type computation.
    pub fn add_to(&self, rt: ResultType) -> ResultType {
        match self {
            Value::Tensor(t) => rt.tensor(t.dtype(), t.ndim()),
            Value::Scalar(s) => rt.scalar(s.dtype(default_float())),
        }
    }

    /// The shape (`[]` for a scalar).
    pub fn shape(&self) -> &[usize] {
        match self {
            Value::Tensor(t) => t.shape(),
            Value::Scalar(_) => &[],
        }
    }

    /// Number of elements (1 for a scalar).
    pub fn numel(&self) -> usize {
        match self {
            Value::Tensor(t) => t.numel(),
            Value::Scalar(_) => 1,
        }
    }

    /// The tensor, if this is one.
    pub fn tensor(&self) -> Option<&Tensor> {
        match self {
            Value::Tensor(t) => Some(t),
            Value::Scalar(_) => None,
        }
    }

    /// The dtype this operand has on its own (a scalar's kind, floats as the default float).
    pub fn dtype(&self) -> DType {
        match self {
            Value::Tensor(t) => t.dtype(),
            Value::Scalar(s) => s.dtype(default_float()),
        }
    }

    /// The operand as a tensor of `dtype` (a scalar becomes a 0-dim tensor).
    pub fn to_tensor(&self, dtype: DType) -> Result<Tensor> {
        match self {
            Value::Tensor(t) => t.to_dtype(dtype),
            Value::Scalar(s) => Tensor::scalar_tensor(*s, dtype),
        }
    }
}

/// Things that can be the second operand of a binary op called from Rust: tensors and numbers,
/// so gradient rules read as `g.mul(&x)` or `g.mul(2.0)`.
pub trait IntoValue {
    /// The operand.
    fn into_value(self) -> Value;
}

impl IntoValue for &Tensor {
    fn into_value(self) -> Value {
        Value::Tensor(self.clone())
    }
}

impl IntoValue for Tensor {
    fn into_value(self) -> Value {
        Value::Tensor(self)
    }
}

impl IntoValue for &Value {
    fn into_value(self) -> Value {
        self.clone()
    }
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl IntoValue for Scalar {
    fn into_value(self) -> Value {
        Value::Scalar(self)
    }
}

impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Scalar(Scalar::Float(self))
    }
}

impl IntoValue for i64 {
    fn into_value(self) -> Value {
        Value::Scalar(Scalar::Int(self))
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Scalar(Scalar::Bool(self))
    }
}

impl From<Tensor> for Value {
    fn from(t: Tensor) -> Value {
        Value::Tensor(t)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Scalar(Scalar::Int(v))
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Scalar(Scalar::Float(v))
    }
}
