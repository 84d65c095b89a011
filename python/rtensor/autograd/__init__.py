"""``rtensor.autograd``: reverse-mode differentiation with PyTorch's API."""

from .._rtensor import _backward, _grad
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck
from .._legacy import Variable

__all__ = [
    "backward",
    "enable_grad",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
    "Variable",
]


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates the gradients of ``tensors`` into the ``.grad`` of the graph's leaves."""
    if create_graph or inputs is not None:
        raise NotImplementedError("create_graph and inputs are not supported yet")
    _backward(tensors, grad_tensors, retain_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple; ``.grad`` is left alone."""
    if create_graph or is_grads_batched:
        raise NotImplementedError("create_graph and is_grads_batched are not supported yet")
    result = _grad(outputs, inputs, grad_outputs, retain_graph, bool(allow_unused or materialize_grads))
    if materialize_grads:
        from .. import zeros_like

        ins = (inputs,) if not isinstance(inputs, (list, tuple)) else inputs
        result = tuple(zeros_like(i) if g is None else g for g, i in zip(result, ins))
    return result
