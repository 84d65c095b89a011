"""``rtensor.nn``: torch.nn's ``Module``, ``Parameter``, layers, containers and losses, with
``functional``, ``init`` and ``utils``."""

from . import functional, init, utils
from .modules import *  # noqa: F401,F403 (the layer classes, as torch.nn exports them)
from .modules import __all__ as _modules_all
from .parameter import Parameter

__all__ = ["Parameter", "functional", "init", "utils", *_modules_all]
