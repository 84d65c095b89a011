"""``rtensor.backends``: the backend switches torch code reads (``backends.mps.is_available()``,
``backends.cudnn.deterministic = True``); rtensor has none of these backends."""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
