//! One error enum for the core; the bindings map each variant to the Python exception torch raises.

use thiserror::Error;

/// Every way an rtensor operation can fail. The variant decides the Python exception type,
/// the message is the one PyTorch prints.
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
    /// A feature that exists in torch but not (yet) here: `NotImplementedError`.
    #[error("{0}")]
    NotImplemented(String),
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
