//! The Rust half of `rtensor.safetensors` (python/rtensor/safetensors.py, which checks the
//! arguments as `safetensors.torch` does and calls these): tensors to safetensors bytes or files
//! and back, through the core's `crate::safetensors`, with `SafetensorError` for a corrupt file.

use crate::python::tensor::PyTensor;
use crate::safetensors::{self as st, Loaded, StError};
use crate::tensor::Tensor;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::collections::HashMap;
use std::fs::File;
use std::os::fd::BorrowedFd;
use std::path::PathBuf;

pyo3::create_exception!(
    rtensor.safetensors,
    SafetensorError,
    PyException,
    "Raised for a safetensors buffer or file that cannot be read (a corrupt or hostile header, a \
     dtype rtensor lacks) or written, as the `safetensors` package's `SafetensorError`."
);

/// The Python exception for `e`; `context` says what was being done ("Error while
/// deserializing"), as the `safetensors` package prefixes its messages.
fn to_py(e: StError, context: &str) -> PyErr {
    match e {
        StError::Format(e) => SafetensorError::new_err(format!("{context}: {e}")),
        StError::Unsupported(msg) => SafetensorError::new_err(format!("{context}: {msg}")),
        StError::Io(e) => e.into(),
        StError::Tensor(e) => e.into(),
    }
}

/// The tensors of a Python dict, owned (so the GIL can be released while they are written).
fn owned(tensor_dict: HashMap<String, PyRef<'_, PyTensor>>) -> Vec<(String, Tensor)> {
    tensor_dict
        .into_iter()
        .map(|(k, v)| (k, v.t(v.py())))
        .collect()
}

/// A dict of the loaded tensors, in the order of their data in the buffer.
fn to_dict(py: Python<'_>, loaded: Loaded) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for (name, t) in loaded.tensors {
        d.set_item(name, PyTensor::from(t))?;
    }
    Ok(d)
}

/// `_safetensors_serialize(tensor_dict, metadata=None)`: the safetensors bytes of contiguous
/// tensors.
#[pyfunction]
#[pyo3(signature = (tensor_dict, metadata=None))]
pub fn _safetensors_serialize<'py>(
    py: Python<'py>,
    tensor_dict: HashMap<String, PyRef<'py, PyTensor>>,
    metadata: Option<HashMap<String, String>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let tensors = owned(tensor_dict);
    let bytes = py
        .detach(|| st::serialize(&tensors, metadata))
        .map_err(|e| to_py(e, "Error while serializing"))?;
    Ok(PyBytes::new(py, &bytes))
}

/// `_safetensors_serialize_file(tensor_dict, filename, metadata=None)`: writes a safetensors
/// file (a temporary file in the same folder, renamed over `filename` at the end).
#[pyfunction]
#[pyo3(signature = (tensor_dict, filename, metadata=None))]
pub fn _safetensors_serialize_file(
    py: Python<'_>,
    tensor_dict: HashMap<String, PyRef<'_, PyTensor>>,
    filename: PathBuf,
    metadata: Option<HashMap<String, String>>,
) -> PyResult<()> {
    let tensors = owned(tensor_dict);
    py.detach(|| st::serialize_to_file(&tensors, metadata, &filename))
        .map_err(|e| to_py(e, "Error while serializing"))
}

/// `_safetensors_deserialize(bytes)`: a dict of tensors (copies) read from safetensors bytes.
#[pyfunction]
pub fn _safetensors_deserialize<'py>(
    py: Python<'py>,
    bytes: &[u8],
) -> PyResult<Bound<'py, PyDict>> {
    let loaded = st::deserialize(bytes).map_err(|e| to_py(e, "Error while deserializing"))?;
    to_dict(py, loaded)
}

/// `_safetensors_load_fd(fd)`: a dict of tensors read from the open file `fd` (the caller keeps
/// it open during the call), memory-mapped: each tensor's storage is its part of the map where
/// that part is aligned for its dtype.
#[pyfunction]
pub fn _safetensors_load_fd(py: Python<'_>, fd: i32) -> PyResult<Bound<'_, PyDict>> {
    if fd < 0 {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "invalid file descriptor {fd}"
        )));
    }
    // SAFETY: the caller (rtensor.safetensors.load_file) passes the descriptor of a file it holds
    // open for the whole call; it is only duplicated here, and the duplicate is ours to close.
    let owned = unsafe { BorrowedFd::borrow_raw(fd) }.try_clone_to_owned()?;
    let file = File::from(owned);
    let loaded = py
        .detach(|| st::load_mapped(&file))
        .map_err(|e| to_py(e, "Error while deserializing header"))?;
    to_dict(py, loaded)
}
