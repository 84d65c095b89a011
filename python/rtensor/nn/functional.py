"""``rtensor.nn.functional``: torch.nn.functional's functions. Those declared in the Rust core's op
registry under the ``nn.functional`` namespace are installed from
``rtensor._rtensor._namespaces["nn.functional"]``; the ones torch also has as ``torch.*`` functions
are the same objects here, or thin wrappers where F's signature differs (``inplace=``, softmax's
optional ``dim``)."""

import warnings

from .. import _rtensor
from .._rtensor import _namespaces

sigmoid = _rtensor.sigmoid
tanh = _rtensor.tanh


def relu(input, inplace=False):
    """``max(0, x)``; in place with ``inplace=True``."""
    return input.relu_() if inplace else _rtensor.relu(input)


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax`` along ``dim`` (without ``dim``, torch's deprecated implicit choice)."""
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return _rtensor.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log_softmax`` along ``dim`` (without ``dim``, torch's deprecated implicit choice)."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _rtensor.log_softmax(input, dim, dtype=dtype)


globals().update(_namespaces.get("nn.functional", {}))
from ._loss import *  # noqa: E402,F401,F403 - the losses' Python-side warnings, then the registry op

__all__ = sorted(
    ["log_softmax", "relu", "sigmoid", "softmax", "tanh", *_namespaces.get("nn.functional", {})]
)
