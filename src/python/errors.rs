//! Maps core errors to the Python exception types torch raises: the one place that decides them.

use crate::error::Error;
use pyo3::exceptions::{
    PyAssertionError, PyIndexError, PyNotImplementedError, PyRuntimeError, PyTypeError,
    PyValueError,
};
use pyo3::PyErr;

pyo3::create_exception!(
    rtensor,
    LinAlgError,
    PyRuntimeError,
    "Raised when a linear-algebra routine fails on its input (a singular matrix), as torch's \
     `torch.linalg.LinAlgError`; a `RuntimeError`."
);

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        let msg = e.to_string();
        match e {
            Error::Runtime(_)
            | Error::OutOfMemory(_)
            | Error::ShapeMismatch { .. }
            | Error::SizeMismatch { .. }
            | Error::CannotCast { .. }
            | Error::OutDTypeMismatch { .. }
            | Error::OutDType { .. }
            | Error::OutputShape { .. } => PyRuntimeError::new_err(msg),
            Error::Index(_) | Error::DimOutOfRange { .. } | Error::IndexOutOfRange { .. } => {
                PyIndexError::new_err(msg)
            }
            Error::LinAlg(_) => LinAlgError::new_err(msg),
            Error::Type(_) => PyTypeError::new_err(msg),
            Error::Value(_) => PyValueError::new_err(msg),
            Error::Assertion(_) => PyAssertionError::new_err(msg),
            Error::NotImplemented(_) | Error::DTypeNotSupported { .. } => {
                PyNotImplementedError::new_err(msg)
            }
        }
    }
}
