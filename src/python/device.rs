//! `rtensor.device`: torch's device object (`device(type='cpu')`), and the reading of `device=`
//! arguments (a string, a device or an int, as torch takes them).

use crate::device::{device_type, Device};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyInt, PyString};

/// A device as Python sees it: `rtensor.device('cpu')`, `rtensor.device('cuda', 1)`.
#[pyclass(name = "device", module = "rtensor", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyDevice {
    /// The parsed device.
    pub device: Device,
}

/// The Python type name of an object, for messages.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// torch's error for a negative index.
fn negative_index() -> PyErr {
    PyRuntimeError::new_err("Device index must not be negative")
}

/// An index argument: an int (not a bool), with torch's messages.
fn index_arg(index: &Bound<'_, PyAny>) -> PyResult<i64> {
    if !index.is_instance_of::<PyInt>() || index.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "device(): argument 'index' (position 2) must be int, not {}",
            type_name(index)
        )));
    }
    let i: i64 = index.extract()?;
    if i < 0 {
        return Err(negative_index());
    }
    Ok(i)
}

#[pymethods]
impl PyDevice {
    /// `device('cpu')`, `device('cuda:1')`, `device('cuda', 1)`, `device(other_device)`, or
    /// `device(1)` (a CUDA device, as in torch).
    #[new]
    #[pyo3(signature = (r#type, index=None))]
    fn new(r#type: &Bound<'_, PyAny>, index: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let index = match index {
            Some(i) if !i.is_none() => Some(index_arg(i)?),
            _ => None,
        };
        if let Ok(d) = r#type.cast::<PyDevice>() {
            if index.is_none() {
                return Ok(PyDevice {
                    device: d.get().device.clone(),
                });
            }
        } else if let Ok(s) = r#type.cast::<PyString>() {
            let s = s.to_str()?;
            let Some(i) = index else {
                return Ok(PyDevice {
                    device: Device::parse(s)?,
                });
            };
            if s.contains(':') {
                return Err(PyRuntimeError::new_err(format!(
                    "type (string) must not include an index because index was passed explicitly: {}",
                    s
                )));
            }
            return Ok(PyDevice {
                device: Device {
                    kind: device_type(s, s)?,
                    index: Some(i),
                },
            });
        } else if index.is_none()
            && r#type.is_instance_of::<PyInt>()
            && !r#type.is_instance_of::<PyBool>()
        {
            let i: i64 = r#type.extract()?;
            if i < 0 {
                return Err(negative_index());
            }
            return Ok(PyDevice {
                device: Device {
                    kind: "cuda",
                    index: Some(i),
                },
            });
        }
        Err(PyTypeError::new_err(format!(
            "device() received an invalid combination of arguments - got ({}), but expected one of:\n * (rtensor.device device)\n * (str type, int index = -1)\n",
            type_name(r#type)
        )))
    }

    /// The device type: `'cpu'`, `'cuda'`, ...
    #[getter]
    fn r#type(&self) -> &'static str {
        self.device.kind
    }

    /// The index, or None when the device has none.
    #[getter]
    fn index(&self) -> Option<i64> {
        self.device.index
    }

    fn __repr__(&self) -> String {
        match self.device.index {
            Some(i) => format!("device(type='{}', index={})", self.device.kind, i),
            None => format!("device(type='{}')", self.device.kind),
        }
    }

    fn __str__(&self) -> String {
        self.device.to_string()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        Ok((slf.get_type().into_any(), (slf.get().device.to_string(),)))
    }
}

static CPU: PyOnceLock<Py<PyDevice>> = PyOnceLock::new();

/// The device object of every tensor: `device(type='cpu')`.
pub fn cpu_device(py: Python<'_>) -> PyResult<Py<PyDevice>> {
    CPU.get_or_try_init(py, || {
        Py::new(
            py,
            PyDevice {
                device: Device::CPU,
            },
        )
    })
    .map(|d| d.clone_ref(py))
}

/// A `device=` argument as a device string: a str, an `rtensor.device`, or an int (a CUDA
/// index, as torch reads it); a TypeError for anything else.
pub fn device_string(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_str()?.to_string());
    }
    if let Ok(d) = obj.cast::<PyDevice>() {
        return Ok(d.get().device.to_string());
    }
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        let i: i64 = obj.extract()?;
        if i < 0 {
            return Err(negative_index());
        }
        return Ok(format!("cuda:{}", i));
    }
    Err(PyTypeError::new_err(format!(
        "expected a device (such as 'cpu' or rtensor.device('cpu')), got {}",
        type_name(obj)
    )))
}
