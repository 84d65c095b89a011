"""``rtensor.nn``: torch.nn's layers, containers, losses and ``functional``."""

from . import functional
