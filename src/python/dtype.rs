//! `rtensor.float32` and friends: one immutable Python object per dtype.

use crate::dtype::DType;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// A dtype as Python sees it (`rtensor.float32`).
#[pyclass(name = "dtype", module = "rtensor", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyDType {
    /// The core dtype.
    pub dtype: DType,
}

#[pymethods]
impl PyDType {
    fn __repr__(&self) -> String {
        format!("rtensor.{}", self.dtype.name())
    }

    fn __str__(&self) -> String {
        self.__repr__()
    }

    /// True for float16, bfloat16, float32 and float64.
    #[getter]
    fn is_floating_point(&self) -> bool {
        self.dtype.is_floating()
    }

    /// True for no dtype here (complex types are not supported).
    #[getter]
    fn is_complex(&self) -> bool {
        false
    }

    /// True for the signed dtypes (all but bool and uint8).
    #[getter]
    fn is_signed(&self) -> bool {
        !matches!(self.dtype, DType::Bool | DType::UInt8)
    }

    /// Bytes per element.
    #[getter]
    fn itemsize(&self) -> usize {
        self.dtype.size()
    }

    /// Pickles as its name, which pickle finds in `rtensor` (`rtensor.float32`): the same object
    /// after loading, as torch's dtypes.
    fn __reduce__(&self) -> &'static str {
        self.dtype.name()
    }
}

static DTYPES: PyOnceLock<Vec<Py<PyDType>>> = PyOnceLock::new();

/// The singleton Python object for `dtype`, so `t.dtype is rt.float32` holds.
pub fn dtype_object(py: Python<'_>, dtype: DType) -> Py<PyDType> {
    let all = DTYPES.get_or_init(py, || {
        DType::ALL
            .iter()
            .map(|&d| Py::new(py, PyDType { dtype: d }).expect("allocating a dtype object"))
            .collect()
    });
    all[DType::ALL.iter().position(|&d| d == dtype).unwrap_or(0)].clone_ref(py)
}
