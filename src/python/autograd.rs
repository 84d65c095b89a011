//! Autograd from Python: the Tensor's gradient attributes and `backward`, graph nodes
//! (`grad_fn`, `next_functions`), grad mode, and the engine entry points behind `rtensor.autograd`.

use crate::autograd;
use crate::autograd::graph::{Node, NodeKind};
use crate::python::autograd_ext;
use crate::python::convert::type_name;
use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyWeakrefReference};
use std::sync::Arc;

/// A graph node as the bindings hand it to `rtensor.autograd.graph`, which wraps it in a Python
/// class named after the node (so `type(t.grad_fn).__name__ == "MulBackward0"`).
#[pyclass(name = "_NodeHandle", module = "rtensor._rtensor", frozen)]
pub struct PyNodeHandle {
    node: Arc<Node>,
}

/// The Python object of a tensor that requires grad, remembered so that nodes give it back.
struct Owner(Py<PyWeakrefReference>);

/// Remembers `obj` as the Python object of its tensor.
pub fn register_owner(obj: &Bound<'_, PyTensor>) -> PyResult<()> {
    let weak = PyWeakrefReference::new(obj)?;
    obj.get().t(obj.py()).meta().owner = Some(Box::new(Owner(weak.unbind())));
    Ok(())
}

/// The Python object for `t`: the remembered one when it is still alive, else a new one.
fn python_object<'py>(py: Python<'py>, t: Tensor) -> PyResult<Bound<'py, PyAny>> {
    let remembered = t
        .meta()
        .owner
        .as_ref()
        .and_then(|o| o.downcast_ref::<Owner>())
        .map(|o| o.0.clone_ref(py));
    if let Some(weak) = remembered {
        if let Some(obj) = weak.bind(py).upgrade() {
            return Ok(obj);
        }
    }
    Ok(PyTensor::wrap(py, t)?.into_any())
}

static WRAP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python node object for `node` (one per node while it is referenced).
fn wrap_node<'py>(py: Python<'py>, node: Arc<Node>) -> PyResult<Bound<'py, PyAny>> {
    let wrap = WRAP.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("rtensor.autograd.graph")?
            .getattr("_wrap")?
            .unbind())
    })?;
    wrap.bind(py).call1((PyNodeHandle { node },))
}

#[pymethods]
impl PyNodeHandle {
    /// torch's name for the node.
    fn name(&self) -> &'static str {
        match self.node.kind {
            NodeKind::AccumulateGrad(_) => "torch::autograd::AccumulateGrad",
            NodeKind::Function(_) => self.node.name,
        }
    }

    /// The class name for the Python wrapper.
    fn class_name(&self) -> &'static str {
        self.node.name
    }

    /// Identity of the node.
    fn key(&self) -> usize {
        self.node.key()
    }

    /// `next_functions`: (node or None, input_nr) per input.
    fn next_functions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items = self
            .node
            .next
            .iter()
            .map(|e| -> PyResult<Bound<'py, PyTuple>> {
                match e {
                    Some(edge) => PyTuple::new(
                        py,
                        [
                            wrap_node(py, edge.node.clone())?,
                            edge.input_nr.into_pyobject(py)?.into_any(),
                        ],
                    ),
                    None => PyTuple::new(
                        py,
                        [
                            py.None().into_bound(py),
                            0usize.into_pyobject(py)?.into_any(),
                        ],
                    ),
                }
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, items)
    }

    /// The leaf an `AccumulateGrad` node feeds.
    fn variable<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.node.kind {
            NodeKind::AccumulateGrad(leaf) => match leaf.upgrade() {
                Some(t) => python_object(py, t),
                None => Ok(py.None().into_bound(py)),
            },
            NodeKind::Function(_) => Err(pyo3::exceptions::PyAttributeError::new_err(format!(
                "'{}' object has no attribute 'variable'",
                self.node.name
            ))),
        }
    }
}

fn grad_check(t: &Tensor, g: &Tensor) -> PyResult<()> {
    if g.shape() != t.shape() {
        return Err(PyRuntimeError::new_err(format!(
            "attempting to assign a gradient of size '{}' to a tensor of size '{}'. Please ensure that the gradient and the tensor are the same size",
            crate::shape::fmt_shape(g.shape()),
            crate::shape::fmt_shape(t.shape())
        )));
    }
    if g.dtype() != t.dtype() {
        return Err(PyRuntimeError::new_err(format!(
            "attempting to assign a gradient with dtype '{}' to a tensor with grad_dtype '{}'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype).",
            g.dtype().c_name(),
            t.dtype().torch_name()
        )));
    }
    Ok(())
}

/// Reads an optional tensor argument.
fn optional_tensor(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Tensor>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => o
            .cast::<PyTensor>()
            .map(|t| Some(t.get().t(t.py())))
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "{} expected to be a Tensor or None but got grad of type {}",
                    what,
                    type_name(o)
                ))
            }),
    }
}

/// A tensor or a sequence of tensors.
fn tensors(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Tensor>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(vec![t.get().t(t.py())]);
    }
    obj.try_iter()?
        .map(|o| {
            let o = o?;
            o.cast::<PyTensor>()
                .map(|t| t.get().t(t.py()))
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "{} must contain Tensors, not {}",
                        what,
                        type_name(&o)
                    ))
                })
        })
        .collect()
}

/// Optional gradients, one per output (a tensor, a sequence, or None).
fn grad_list(obj: Option<&Bound<'_, PyAny>>, n: usize) -> PyResult<Vec<Option<Tensor>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(vec![None; n]);
    };
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(vec![Some(t.get().t(t.py()))]);
    }
    let items: Vec<Option<Tensor>> = obj
        .try_iter()?
        .map(|o| optional_tensor(Some(&o?), "grad_tensors"))
        .collect::<PyResult<_>>()?;
    if items.len() != n {
        return Err(PyRuntimeError::new_err(format!(
            "grad can be implicitly created only for scalar outputs; got {} gradients for {} outputs",
            items.len(),
            n
        )));
    }
    Ok(items)
}

#[pymethods]
impl PyTensor {
    /// Whether gradients are recorded for this tensor.
    #[getter]
    fn get_requires_grad(&self, py: Python<'_>) -> bool {
        self.t(py).requires_grad()
    }

    #[setter]
    fn set_requires_grad(slf: &Bound<'_, Self>, flag: bool) -> PyResult<()> {
        slf.get().t(slf.py()).set_requires_grad(flag)?;
        if flag {
            register_owner(slf)?;
        }
        Ok(())
    }

    /// Sets `requires_grad` in place and returns the tensor.
    #[pyo3(signature = (requires_grad=true))]
    fn requires_grad_(slf: Bound<'_, Self>, requires_grad: bool) -> PyResult<Bound<'_, Self>> {
        PyTensor::set_requires_grad(&slf, requires_grad)?;
        Ok(slf)
    }

    /// True for tensors not produced by a recorded operation.
    #[getter]
    fn is_leaf(&self, py: Python<'_>) -> bool {
        self.t(py).is_leaf()
    }

    /// The node that produced this tensor (None for leaves).
    #[getter]
    fn grad_fn<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.t(py).grad_fn() {
            Some(node) => wrap_node(py, node),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// The accumulated gradient.
    #[getter]
    fn get_grad(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if !self.t(py).is_leaf() && !self.t(py).meta().retains_grad {
            PyErr::warn(
                py,
                &py.get_type::<pyo3::exceptions::PyUserWarning>(),
                c"The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.",
                1,
            )?;
        }
        Ok(match self.t(py).grad() {
            Some(g) => python_object(py, g)?.unbind(),
            None => py.None(),
        })
    }

    #[setter]
    fn set_grad(&self, py: Python<'_>, grad: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let g = optional_tensor(grad, "assigned grad")?;
        if let Some(g) = &g {
            grad_check(&self.t(py), g)?;
        }
        self.t(py).set_grad(g);
        Ok(())
    }

    /// Keeps the gradient of a non-leaf in `.grad` after backward.
    fn retain_grad(&self, py: Python<'_>) -> PyResult<()> {
        if !self.t(py).requires_grad() {
            return Err(PyRuntimeError::new_err(
                "can't retain_grad on Tensor that has requires_grad=False",
            ));
        }
        let t = self.t(py);
        if let Some(node) = t.grad_fn() {
            let mut meta = t.meta();
            if !meta.retains_grad {
                meta.retains_grad = true;
                let nr = meta.output_nr;
                node.retained
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((nr, self.t(py).downgrade()));
            }
        }
        Ok(())
    }

    /// Whether `retain_grad()` was called on this non-leaf.
    #[getter]
    fn retains_grad(&self, py: Python<'_>) -> bool {
        self.t(py).meta().retains_grad
    }

    /// Computes gradients of this tensor with respect to the graph's leaves.
    #[pyo3(signature = (gradient=None, retain_graph=None, create_graph=false, inputs=None))]
    fn backward(
        &self,
        py: Python<'_>,
        gradient: Option<&Bound<'_, PyAny>>,
        retain_graph: Option<bool>,
        create_graph: bool,
        inputs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        if inputs.is_some_and(|i| !i.is_none()) {
            return Err(pyo3::exceptions::PyNotImplementedError::new_err(
                "backward(inputs=...) is not supported yet; use rtensor.autograd.grad",
            ));
        }
        let g = optional_tensor(gradient, "gradient")?;
        let t = self.t(py);
        let retain = retain_graph.unwrap_or(create_graph);
        autograd_ext::clear_pending();
        py.detach(|| autograd::backward(&[t], vec![g], retain, create_graph))
            .map_err(autograd_ext::raise)
    }

    /// Detaches this tensor from the graph in place.
    fn detach_(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        let t = &slf.get().t(slf.py());
        if t.meta().view_base.is_some() {
            return Err(PyRuntimeError::new_err(
                "Can't detach views in-place. Use detach() instead.",
            ));
        }
        t.clear_history();
        Ok(slf)
    }
}

/// `rtensor.autograd.backward`.
#[pyfunction]
#[pyo3(signature = (tensors, grad_tensors=None, retain_graph=None, create_graph=false))]
pub fn _backward(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    grad_tensors: Option<&Bound<'_, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
) -> PyResult<()> {
    let outs = self::tensors(tensors, "tensors")?;
    let grads = grad_list(grad_tensors, outs.len())?;
    let retain = retain_graph.unwrap_or(create_graph);
    autograd_ext::clear_pending();
    py.detach(|| autograd::backward(&outs, grads, retain, create_graph))
        .map_err(autograd_ext::raise)
}

/// `rtensor.autograd.grad`.
#[pyfunction]
#[pyo3(signature = (outputs, inputs, grad_outputs=None, retain_graph=None, allow_unused=false, create_graph=false))]
pub fn _grad<'py>(
    py: Python<'py>,
    outputs: &Bound<'py, PyAny>,
    inputs: &Bound<'py, PyAny>,
    grad_outputs: Option<&Bound<'py, PyAny>>,
    retain_graph: Option<bool>,
    allow_unused: bool,
    create_graph: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let outs = tensors(outputs, "outputs")?;
    let ins = tensors(inputs, "inputs")?;
    let grads = grad_list(grad_outputs, outs.len())?;
    autograd_ext::clear_pending();
    let result = py
        .detach(|| {
            autograd::grad(
                &outs,
                grads,
                &ins,
                retain_graph.unwrap_or(create_graph),
                create_graph,
                allow_unused,
            )
        })
        .map_err(autograd_ext::raise)?;
    let items = result
        .into_iter()
        .map(|g| match g {
            Some(g) => Ok(PyTensor::wrap(py, g)?.into_any()),
            None => Ok(py.None().into_bound(py)),
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
}

/// Turns grad mode on or off for this thread; returns the previous mode.
#[pyfunction]
pub fn _set_grad_enabled(enabled: bool) -> bool {
    autograd::set_grad_enabled(enabled)
}

/// Whether grad mode is on for this thread.
#[pyfunction]
pub fn is_grad_enabled() -> bool {
    autograd::is_grad_enabled()
}
