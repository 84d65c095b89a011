"""``rtensor.special``: torch.special's functions. Each is declared once in the Rust core's op
registry (most are aliases of the ``rtensor.*`` function of the same math, e.g. ``expit`` is
``sigmoid``), and installed here from ``rtensor._rtensor._namespaces["special"]``."""

from ._rtensor import _namespaces

globals().update(_namespaces.get("special", {}))
__all__ = sorted(_namespaces.get("special", {}))
