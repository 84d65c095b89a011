//! `rtensor.Generator`: a random generator object wrapping the core's `random::Generator`, and
//! `rtensor.default_generator`, the one every sampling op uses when given none.

use crate::dtype::DType;
use crate::python::functions::check_device;
use crate::python::tensor::PyTensor;
use crate::random::Generator;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// A random generator (`rtensor.Generator(device='cpu')`).
#[pyclass(name = "Generator", module = "rtensor", frozen)]
pub struct PyGenerator {
    /// The core generator (shared: `default_generator` is the ops' default).
    pub g: Generator,
}

/// The bytes of a generator's state: the seed and the draw count, eight bytes each.
const STATE_BYTES: usize = 16;

/// A seed as torch takes it: any int from -2^63 to 2^64 - 1 (negatives wrap).
fn seed_value(seed: &Bound<'_, PyAny>) -> PyResult<u64> {
    let v: i128 = seed.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "manual_seed expected a long, but got {}",
            seed.get_type()
                .name()
                .map_or("object".into(), |n| n.to_string())
        ))
    })?;
    if v < i64::MIN as i128 || v > u64::MAX as i128 {
        return Err(PyValueError::new_err("Overflow when unpacking long long"));
    }
    Ok(v as u64)
}

#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (device=None))]
    fn new(device: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        check_device(device)?;
        Ok(PyGenerator {
            g: Generator::new(),
        })
    }

    /// Seeds the generator; returns it.
    fn manual_seed<'py>(
        slf: Bound<'py, Self>,
        seed: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        slf.get().g.manual_seed(seed_value(seed)?);
        Ok(slf)
    }

    /// Seeds the generator from the clock; returns the seed.
    fn seed(&self) -> u64 {
        self.g.seed()
    }

    /// The seed last set.
    fn initial_seed(&self) -> u64 {
        self.g.initial_seed()
    }

    /// The state: a uint8 tensor of 16 bytes, the seed then the number of draws made since it
    /// was set, each little-endian (torch's state is a byte tensor too, of its own generator).
    fn get_state(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let (seed, offset) = self.g.state();
        let mut bytes = seed.to_le_bytes().to_vec();
        bytes.extend_from_slice(&offset.to_le_bytes());
        let t = Tensor::from_vec(bytes, &[STATE_BYTES])?;
        Ok(PyTensor::wrap(py, t)?.unbind())
    }

    /// Restores a state from `get_state`; returns the generator.
    fn set_state<'py>(
        slf: Bound<'py, Self>,
        new_state: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let t = match new_state.cast::<PyTensor>() {
            Ok(t) => t.get().t(t.py()),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "expected a rtensor.ByteTensor, but got {}",
                    new_state.get_type().name()?
                )))
            }
        };
        if t.dtype() != DType::UInt8 {
            return Err(PyTypeError::new_err(
                "RNG state must be a rtensor.ByteTensor",
            ));
        }
        if t.numel() != STATE_BYTES {
            return Err(PyRuntimeError::new_err(format!(
                "Expected an RNG state of size {} but found the input RNG state size to be {}",
                STATE_BYTES,
                t.numel()
            )));
        }
        let v = t.to_vec_i64()?;
        let word = |at: usize| {
            let mut b = [0u8; 8];
            for (i, byte) in b.iter_mut().enumerate() {
                *byte = v[at + i] as u8;
            }
            u64::from_le_bytes(b)
        };
        slf.get().g.set_state(word(0), word(8));
        Ok(slf)
    }

    /// The device: the CPU.
    #[getter]
    fn device(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let rt = py.import("rtensor")?;
        match rt.getattr("device") {
            Ok(d) => Ok(d.call1(("cpu",))?.unbind()),
            Err(_) => Ok("cpu".into_pyobject(py)?.into_any().unbind()),
        }
    }
}

static DEFAULT: PyOnceLock<Py<PyGenerator>> = PyOnceLock::new();

/// The Python object of the default generator (one object, so `manual_seed(1) is
/// default_generator` holds).
pub fn default_generator(py: Python<'_>) -> PyResult<Py<PyGenerator>> {
    if let Some(g) = DEFAULT.get(py) {
        return Ok(g.clone_ref(py));
    }
    let g = Py::new(
        py,
        PyGenerator {
            g: Generator::default_generator().clone(),
        },
    )?;
    Ok(DEFAULT.get_or_init(py, || g).clone_ref(py))
}
