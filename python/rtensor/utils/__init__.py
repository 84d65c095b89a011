"""``rtensor.utils``: torch.utils's data loading (``rtensor.utils.data``)."""

from . import data

__all__ = ["data"]
