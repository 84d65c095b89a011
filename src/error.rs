//! One error enum for the core. The common classes are variants with their fields; this file
//! words each as torch does, and `python/errors.rs` maps each variant to torch's exception type.
//! The string variants carry messages of ops that have one of their own.

use thiserror::Error;

/// Formats a shape as torch does in messages: `[2, 3]`.
pub fn fmt_shape(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// Every way an rtensor operation can fail.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// Shapes, dtypes or arguments that torch rejects with `RuntimeError`.
    #[error("{0}")]
    Runtime(String),
    /// A dim or index out of range: `IndexError`.
    #[error("{0}")]
    Index(String),
    /// An argument of the wrong type: `TypeError`.
    #[error("{0}")]
    Type(String),
    /// Malformed data (ragged lists): `ValueError`.
    #[error("{0}")]
    Value(String),
    /// An allocation larger than the machine can give: `RuntimeError` (torch's out-of-memory text).
    #[error("{0}")]
    OutOfMemory(String),
    /// A linear-algebra routine that failed on its input (a singular matrix): torch's
    /// `LinAlgError`, a `RuntimeError`.
    #[error("{0}")]
    LinAlg(String),
    /// A failed assertion of torch's Python layer (`AssertionError`): a CUDA device asked of a
    /// build without CUDA.
    #[error("{0}")]
    Assertion(String),
    /// A feature that torch refuses with `NotImplementedError`.
    #[error("{0}")]
    NotImplemented(String),
    /// An op that has no kernel for a dtype (`NotImplementedError`).
    #[error("\"{op}\" not implemented for '{dtype}'")]
    DTypeNotSupported {
        /// torch's kernel name (`floor_vml_cpu`).
        op: &'static str,
        /// torch's name of the dtype refused (`Bool`).
        dtype: &'static str,
    },
    /// A dim outside `[min, max]` (`IndexError`).
    #[error("Dimension out of range (expected to be in range of [{min}, {max}], but got {dim})")]
    DimOutOfRange {
        /// The dim given.
        dim: i64,
        /// The smallest valid dim.
        min: i64,
        /// The largest valid dim.
        max: i64,
    },
    /// Two shapes that do not broadcast (`RuntimeError`).
    #[error("The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {dim}")]
    ShapeMismatch {
        /// The size of the first tensor's dim.
        a: usize,
        /// The size of the second tensor's dim.
        b: usize,
        /// The dim (counted in the broadcast shape).
        dim: usize,
    },
    /// An index outside a dim (`IndexError`).
    #[error("index {index} is out of bounds for dimension {dim} with size {size}")]
    IndexOutOfRange {
        /// The index given.
        index: i64,
        /// The dim indexed.
        dim: usize,
        /// Its size.
        size: usize,
    },
    /// A shape that does not hold the tensor's elements (`RuntimeError`).
    #[error("shape '[{}]' is invalid for input of size {numel}", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))]
    SizeMismatch {
        /// The shape asked for (`-1` where inferred).
        shape: Vec<i64>,
        /// The number of elements.
        numel: usize,
    },
    /// A result an in-place op or `out=` cannot hold: a dtype it does not cast to (`RuntimeError`).
    #[error("result type {from} can't be cast to the desired output type {to}")]
    CannotCast {
        /// torch's name of the result's dtype (`Float`).
        from: &'static str,
        /// torch's name of the destination's dtype (`Long`).
        to: &'static str,
    },
    /// An `out=` tensor of another dtype than the input, for ops whose `out=` must match the
    /// input's dtype exactly (`amax`, `amin`; `RuntimeError`).
    #[error("Expected the dtype for input and out to match, but got {input} for input's dtype and {out} for out's dtype.")]
    OutDTypeMismatch {
        /// torch's name of the input's dtype (`Float`).
        input: &'static str,
        /// torch's name of the `out=` tensor's dtype (`Double`).
        out: &'static str,
    },
    /// An `out=` tensor of another dtype than the result, for ops that want exactly the result's
    /// dtype (`abs`, `floor`, `clamp`, ...) (`RuntimeError`).
    #[error("Found dtype {found} but expected {expected}")]
    OutDType {
        /// torch's name of the `out=` tensor's dtype (`Long`).
        found: &'static str,
        /// torch's name of the result's dtype (`Int`).
        expected: &'static str,
    },
    /// A result an in-place op or `out=` cannot hold: another shape (`RuntimeError`).
    #[error(
        "output with shape {} doesn't match the broadcast shape {}",
        fmt_shape(output),
        fmt_shape(broadcast)
    )]
    OutputShape {
        /// The destination's shape.
        output: Vec<usize>,
        /// The result's shape.
        broadcast: Vec<usize>,
    },
}

/// The core's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// Builds an [`Error::Runtime`] from a format string.
#[macro_export]
macro_rules! runtime_err {
    ($($arg:tt)*) => { $crate::error::Error::Runtime(format!($($arg)*)) };
}

/// Builds an [`Error::Index`] from a format string.
#[macro_export]
macro_rules! index_err {
    ($($arg:tt)*) => { $crate::error::Error::Index(format!($($arg)*)) };
}

/// Builds an [`Error::Type`] from a format string.
#[macro_export]
macro_rules! type_err {
    ($($arg:tt)*) => { $crate::error::Error::Type(format!($($arg)*)) };
}

/// A double as a C++ stream prints it (`%g`: six significant digits, `1e+300`, `inf`, `nan`), which
/// is how torch's messages show numbers.
pub fn fmt_double(v: f64) -> String {
    if v.is_nan() {
        return if v.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf" } else { "inf" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // The exponent after rounding to six significant digits decides between fixed and scientific.
    let sci = format!("{:.5e}", v);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let strip = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if (-4..6).contains(&exp) {
        strip(&format!("{:.*}", (5 - exp) as usize, v))
    } else {
        format!(
            "{}e{}{:02}",
            strip(mantissa),
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::fmt_double;

    #[test]
    fn doubles_print_as_cpp_streams_do() {
        let cases = [
            (0.0, "0"),
            (10.0, "10"),
            (0.1234567, "0.123457"),
            (-1e300, "-1e+300"),
            (1e-300, "1e-300"),
            (123456.0, "123456"),
            (1234567.0, "1.23457e+06"),
            (0.0001, "0.0001"),
            (0.00001234, "1.234e-05"),
            (999999.5, "1e+06"),
            (2.5, "2.5"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for (v, want) in cases {
            assert_eq!(fmt_double(v), want, "{}", v);
        }
    }
}
