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
            (DType::Int64 | DType::Float32 | DType::Float16 | DType::BFloat16, Scalar::Int(_)) => {
                true
            }
            (DType::UInt8, Scalar::Int(i)) => (-255..=255).contains(&i),
            (DType::Int8, Scalar::Int(i)) => i8::try_from(i).is_ok(),
            (DType::Int16, Scalar::Int(i)) => i16::try_from(i).is_ok(),
            (DType::Int32, Scalar::Int(i)) => i32::try_from(i).is_ok(),
            (DType::UInt8, Scalar::Float(f)) => (0.0..256.0).contains(&f),
            (DType::Int8 | DType::Int16 | DType::Int32 | DType::Int64, Scalar::Float(f)) => {
                let bits = 8 * dtype.size() as i32;
                let (low, high) = int_range(bits);
                f >= low && f < high
            }
            (DType::Float32, Scalar::Float(f)) => !f.is_finite() || f.abs() <= f32::MAX as f64,
            (DType::Float16, Scalar::Float(f)) => {
                !f.is_finite() || f.abs() <= crate::dtype::f16::MAX.to_f64()
            }
            (DType::BFloat16, Scalar::Float(f)) => {
                !f.is_finite() || f.abs() <= crate::dtype::bf16::MAX.to_f64()
            }
        };
        if !fits {
            return Err(Error::Runtime(format!(
                "value cannot be converted to type {} without overflow",
                c_type_name(dtype)
            )));
        }
        Ok(match (dtype, self) {
            (d, Scalar::Float(f)) if !d.is_floating() && d != DType::Bool => Scalar::Int(f as i64),
            _ => self,
        })
    }
}

impl Scalar {
    /// Checks an element of `rt.tensor(data, dtype=...)` as torch does for an integer dtype: an
    /// int must fit the type (an unsigned one also takes down to minus its maximum, wrapping),
    /// a float must truncate into it (NaN never does). The error names the dtype (`uint8`).
    pub fn check_data_to(self, dtype: DType) -> Result<()> {
        if dtype.is_floating() || dtype == DType::Bool {
            return Ok(());
        }
        let bits = 8 * dtype.size() as i32;
        let (low, high): (i128, i128) = if dtype == DType::UInt8 {
            (0, 256)
        } else {
            (-(1i128 << (bits - 1)), 1i128 << (bits - 1))
        };
        let fits = match self {
            Scalar::Bool(_) => true,
            Scalar::Int(i) if dtype == DType::UInt8 => (-255..=255).contains(&i),
            Scalar::Int(i) => (low..high).contains(&(i as i128)),
            Scalar::Float(f) => f >= low as f64 && f < high as f64,
        };
        if fits {
            Ok(())
        } else {
            Err(Error::Runtime(format!(
                "value cannot be converted to type {} without overflow",
                dtype.name()
            )))
        }
    }
}

/// The C++ type torch names in its overflow messages.
fn c_type_name(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "bool",
        DType::UInt8 => "uint8_t",
        DType::Int8 => "int8_t",
        DType::Int16 => "int16_t",
        DType::Float16 => "c10::Half",
        DType::BFloat16 => "c10::BFloat16",
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
