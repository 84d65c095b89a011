"""``rtensor.linalg``: torch.linalg's functions. Each is declared once in the Rust core's op
registry and installed here from ``rtensor._rtensor._namespaces["linalg"]``; the matrix orders
that need singular values (2, -2, 'nuc') raise NotImplementedError for now."""

from ._rtensor import _LinAlgError as LinAlgError
from ._rtensor import _namespaces

globals().update(_namespaces.get("linalg", {}))
__all__ = sorted([*_namespaces.get("linalg", {}), "LinAlgError"])
