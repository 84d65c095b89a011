//! A Python-style scalar (bool, int or float) as an operand or fill value.

use crate::dtype::{DType, Element};
use crate::error::{Error, Result};

/// One scalar value, keeping the kind Python gave it: that kind takes part in type promotion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    /// The dtype this scalar promotes as; floats take the default float dtype, as in torch.
    pub fn dtype(self, default_float: DType) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::Int64,
            Scalar::Float(_) => default_float,
        }
    }

    /// The value converted to element type `T` as a C cast would.
    pub fn to<T: Element>(self) -> T {
        match self {
            Scalar::Bool(b) => T::from_bool(b),
            Scalar::Int(i) => T::from_i64(i),
            Scalar::Float(f) => T::from_f64(f),
        }
    }

    /// The value as f64.
    pub fn as_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }

    /// True for a float scalar.
    pub fn is_float(self) -> bool {
        matches!(self, Scalar::Float(_))
    }

    /// The value for storage as `dtype`, checked as torch's `Scalar::to<T>` checks it: an integer
    /// outside the type's range, a float outside it (or NaN) for an integer type, and a finite
    /// float beyond float32's range for float32 are torch's overflow error; bool takes anything.
    /// Floats become integers by truncation, as a C cast.
    pub fn checked_to(self, dtype: DType) -> Result<Scalar> {
        // The exclusive upper bound is a power of two, exact in f64 (`i64::MAX as f64` is not).
        let int_range = |bits: i32| -> (f64, f64) { (-(2f64.powi(bits - 1)), 2f64.powi(bits - 1)) };
        let fits = match (dtype, self) {
            (DType::Bool, _) | (_, Scalar::Bool(_)) | (DType::Float64, _) => true,
            (DType::Int32, Scalar::Int(i)) => i32::try_from(i).is_ok(),
            (DType::Int64 | DType::Float32, Scalar::Int(_)) => true,
            (DType::Int32 | DType::Int64, Scalar::Float(f)) => {
                let (low, high) = int_range(if dtype == DType::Int32 { 32 } else { 64 });
                f >= low && f < high
            }
            (DType::Float32, Scalar::Float(f)) => !f.is_finite() || f.abs() <= f32::MAX as f64,
        };
        if !fits {
            return Err(Error::Runtime(format!(
                "value cannot be converted to type {} without overflow",
                c_type_name(dtype)
            )));
        }
        Ok(match (dtype, self) {
            (DType::Int32 | DType::Int64, Scalar::Float(f)) => Scalar::Int(f as i64),
            _ => self,
        })
    }
}

/// The C++ type torch names in its overflow messages.
fn c_type_name(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "bool",
        DType::Int32 => "int",
        DType::Int64 => "int64_t",
        DType::Float32 => "float",
        DType::Float64 => "double",
    }
}

impl From<f64> for Scalar {
    fn from(v: f64) -> Self {
        Scalar::Float(v)
    }
}

impl From<i64> for Scalar {
    fn from(v: i64) -> Self {
        Scalar::Int(v)
    }
}

impl From<bool> for Scalar {
    fn from(v: bool) -> Self {
        Scalar::Bool(v)
    }
}
