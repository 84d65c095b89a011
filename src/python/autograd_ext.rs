//! Python code inside the backward pass: gradient hooks (`Tensor.register_hook`) and the node of
//! a user-defined `rtensor.autograd.Function`, whose backward is a Python callable. Also inference
//! mode. An exception raised by Python code the engine calls is kept here and re-raised as it is
//! once the pass has unwound.

use crate::autograd::graph::{Backward, Edge, GradHook, Node};
use crate::autograd::record::edge_of;
use crate::error::{Error, Result};
use crate::python::tensor::PyTensor;
use crate::tensor::{Tensor, WeakTensor};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

thread_local! {
    /// The Python exception that stopped the pass on this thread, raised again after it.
    static PENDING: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// Keeps `e` to be raised after the pass, and stops the pass with its message.
fn python_error(e: PyErr) -> Error {
    let msg = e.to_string();
    PENDING.with(|p| *p.borrow_mut() = Some(e));
    Error::Runtime(msg)
}

/// The exception for an error of the pass: the Python one that caused it, if any.
pub fn raise(e: Error) -> PyErr {
    PENDING
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| e.into())
}

/// Forgets an exception kept by an earlier pass that ended otherwise.
pub fn clear_pending() {
    PENDING.with(|p| p.borrow_mut().take());
}

/// torch's legacy type name (`torch.FloatTensor`), as hook errors print it.
fn type_string(t: &Tensor) -> String {
    format!("rtensor.{}Tensor", t.dtype().torch_name())
}

/// A Python callable hooked on a tensor's gradient.
struct PyHook {
    func: Py<PyAny>,
}

impl GradHook for PyHook {
    fn call(&self, grad: &Tensor) -> Result<Option<Tensor>> {
        Python::attach(|py| -> PyResult<Option<Tensor>> {
            let g = PyTensor::wrap(py, grad.clone())?;
            let out = self.func.bind(py).call1((g,))?;
            if out.is_none() {
                return Ok(None);
            }
            let name: String = self
                .func
                .bind(py)
                .getattr("__name__")
                .and_then(|n| n.extract())
                .unwrap_or_else(|_| "<unknown>".into());
            let new = out
                .cast::<PyTensor>()
                .map(|t| t.get().t(t.py()))
                .map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err(format!(
                        "expected Tensor or None (got {})",
                        crate::python::convert::type_name(&out)
                    ))
                })?;
            if new.shape() != grad.shape() {
                return Err(PyRuntimeError::new_err(format!(
                    "hook '{}' has changed the size of value",
                    name
                )));
            }
            if new.dtype() != grad.dtype() {
                return Err(PyRuntimeError::new_err(format!(
                    "hook '{}' has changed the type of value (was {} got {})",
                    name,
                    type_string(grad),
                    type_string(&new)
                )));
            }
            Ok(Some(new))
        })
        .map_err(python_error)
    }
}

static NEXT_HOOK: AtomicU64 = AtomicU64::new(1);

/// What `Tensor.register_hook` returns: `remove()` takes the hook off again.
#[pyclass(name = "RemovableHandle", module = "rtensor.utils.hooks")]
pub struct PyHookHandle {
    tensor: WeakTensor,
    id: u64,
}

#[pymethods]
impl PyHookHandle {
    /// Removes the hook (nothing happens when it is already gone).
    fn remove(&self) {
        if let Some(t) = self.tensor.upgrade() {
            t.remove_hook(self.id);
        }
    }

    /// The hook's id.
    #[getter]
    fn id(&self) -> u64 {
        self.id
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(&self, _a: Py<PyAny>, _b: Py<PyAny>, _c: Py<PyAny>) {
        self.remove()
    }
}

#[pymethods]
impl PyTensor {
    /// Registers `hook(grad)`, called with this tensor's gradient whenever it is computed; a
    /// tensor it returns replaces the gradient.
    fn register_hook(&self, py: Python<'_>, hook: Py<PyAny>) -> PyResult<PyHookHandle> {
        let id = NEXT_HOOK.fetch_add(1, Ordering::Relaxed);
        self.t(py)
            .register_hook(id, Arc::new(PyHook { func: hook }))?;
        Ok(PyHookHandle {
            tensor: self.t(py).downgrade(),
            id,
        })
    }

    /// True for a tensor made in inference mode.
    fn is_inference(&self, py: Python<'_>) -> bool {
        self.t(py).is_inference()
    }
}

/// Turns inference mode on or off for this thread; returns the previous setting.
#[pyfunction]
pub fn _set_inference_mode(enabled: bool) -> bool {
    crate::storage::set_inference_mode(enabled)
}

/// Whether inference mode is on for this thread.
#[pyfunction]
pub fn is_inference_mode_enabled() -> bool {
    crate::storage::is_inference_mode()
}

/// The backward of a user-defined `Function`: a Python callable that takes one gradient (or None)
/// per output and returns one (or None) per tensor input.
struct PyFunctionRule {
    backward: Mutex<Option<Py<PyAny>>>,
    inputs: usize,
}

impl PyFunctionRule {
    fn call(&self, grads: &[Option<Tensor>]) -> PyResult<Vec<Option<Tensor>>> {
        Python::attach(|py| {
            let backward = self
                .backward
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                .map(|b| b.clone_ref(py))
                .ok_or_else(|| {
                    PyRuntimeError::new_err(crate::autograd::graph::freed_graph_error().to_string())
                })?;
            let args = grads
                .iter()
                .map(|g| match g {
                    Some(g) => Ok(PyTensor::wrap(py, g.clone())?.into_any()),
                    None => Ok(py.None().into_bound(py)),
                })
                .collect::<PyResult<Vec<_>>>()?;
            let out = backward.bind(py).call1((PyTuple::new(py, args)?,))?;
            let items: Vec<Bound<'_, PyAny>> = out.try_iter()?.collect::<PyResult<_>>()?;
            if items.len() != self.inputs {
                return Err(PyRuntimeError::new_err(format!(
                    "expected {} gradients, got {}",
                    self.inputs,
                    items.len()
                )));
            }
            items
                .iter()
                .map(|o| {
                    if o.is_none() {
                        Ok(None)
                    } else {
                        Ok(Some(o.cast::<PyTensor>()?.get().t(o.py())))
                    }
                })
                .collect()
        })
    }
}

impl Backward for PyFunctionRule {
    fn apply(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        self.call(&[Some(grad.clone())]).map_err(python_error)
    }

    fn apply_outputs(&self, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        self.call(grads).map_err(python_error)
    }

    fn release(&self) {
        let taken = self
            .backward
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(b) = taken {
            Python::attach(|py| {
                // The Python side frees the saved tensors; a failure there has nowhere to go.
                let _ = b.bind(py).call_method0("release");
            });
        }
    }
}

/// Node names of user-defined functions, made once per name (a node name is `'static`).
fn static_name(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.get(name) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(name.to_string(), leaked);
    leaked
}

/// Records a user-defined function's outputs as one node named `name` whose backward is
/// `backward` (called with a tuple of output gradients; `release()` called when the graph is
/// freed). `inputs` are the tensor arguments; outputs given as None are not differentiable.
#[pyfunction]
pub fn _record_function(
    name: &str,
    inputs: &Bound<'_, PyList>,
    outputs: &Bound<'_, PyList>,
    backward: Py<PyAny>,
) -> PyResult<()> {
    let ins: Vec<Tensor> = inputs
        .iter()
        .map(|o| Ok(o.cast::<PyTensor>()?.get().t(o.py())))
        .collect::<PyResult<_>>()?;
    let outs: Vec<Option<Tensor>> = outputs
        .iter()
        .map(|o| {
            if o.is_none() {
                Ok(None)
            } else {
                Ok(Some(o.cast::<PyTensor>()?.get().t(o.py())))
            }
        })
        .collect::<PyResult<_>>()?;
    let next: Vec<Option<Edge>> = ins.iter().map(edge_of).collect();
    let node = Arc::new(Node::with_outputs(
        static_name(name),
        next,
        Box::new(PyFunctionRule {
            backward: Mutex::new(Some(backward)),
            inputs: ins.len(),
        }),
        outs.len(),
    ));
    for (i, o) in outs.iter().enumerate() {
        if let Some(o) = o {
            if o.dtype().is_floating() {
                o.set_history_output(node.clone(), i, None);
            }
        }
    }
    Ok(())
}
