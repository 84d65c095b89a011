"""``rtensor.autograd``: reverse-mode differentiation with PyTorch's API."""

from .._rtensor import _backward, _grad
from . import function, functional
from .function import Function
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import gradcheck, gradgradcheck
from .._legacy import Variable

__all__ = [
    "Function",
    "backward",
    "enable_grad",
    "function",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "set_grad_enabled",
    "Variable",
]


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates the gradients of ``tensors`` into the ``.grad`` of the graph's leaves; with
    ``create_graph=True`` the gradients keep a graph of their own (for higher derivatives)."""
    if inputs is not None:
        raise NotImplementedError("backward(inputs=...) is not supported yet; use rtensor.autograd.grad")
    if create_graph:
        _warn_cycle()
    _backward(tensors, grad_tensors, retain_graph, create_graph)


def _warn_cycle():
    import warnings

    warnings.warn(
        "Using backward() with create_graph=True will create a reference cycle between the "
        "parameter and its gradient which can cause a memory leak. We recommend using "
        "autograd.grad when creating the graph to avoid this. If you have to use this function, "
        "make sure to reset the .grad fields of your parameters to None after use to break the "
        "cycle and avoid the leak.",
        UserWarning,
        stacklevel=3,
    )


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple; ``.grad`` is left alone.
    With ``create_graph=True`` the gradients can be differentiated again."""
    from .. import Tensor, zeros_like

    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported")
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    ins = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if len(ins) == 0:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    result = _grad(outputs, ins, grad_outputs, retain_graph, bool(allow_unused), bool(create_graph))
    if materialize_grads:
        result = tuple(
            zeros_like(i, requires_grad=bool(create_graph)) if g is None else g
            for g, i in zip(result, ins)
        )
    return result
