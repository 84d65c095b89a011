"""``rtensor.nn.functional``: torch.nn.functional's functions. Those declared in the Rust core's op
registry under the ``nn.functional`` namespace are installed from
``rtensor._rtensor._namespaces["nn.functional"]``; the ones torch also has as ``torch.*`` functions
are the same objects here."""

from .. import _rtensor
from .._rtensor import _namespaces

relu = _rtensor.relu
sigmoid = _rtensor.sigmoid
tanh = _rtensor.tanh
softmax = _rtensor.softmax
log_softmax = _rtensor.log_softmax

globals().update(_namespaces.get("nn.functional", {}))
from ._loss import *  # noqa: E402,F401,F403 - the losses' Python-side warnings, then the registry op
__all__ = sorted(["log_softmax", "relu", "sigmoid", "softmax", "tanh", *_namespaces.get("nn.functional", {})])
