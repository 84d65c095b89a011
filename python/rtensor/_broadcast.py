"""``broadcast_shapes``: the broadcast of several shapes, as torch computes it (no tensors made)."""

import operator
from collections.abc import Sequence

from ._size import Size


def _is_int(x):
    if isinstance(x, bool):
        return False
    try:
        operator.index(x)
    except TypeError:
        return False
    return True


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` (each a sequence of ints, or an int) broadcast to.

    >>> broadcast_shapes((2,), (3, 1), (1, 1, 1))
    rtensor.Size([1, 3, 2])
    """
    shapes = tuple((operator.index(x),) if _is_int(x) else x for x in shapes if x is not None)
    if not shapes:
        return Size([])
    for shape in shapes:
        if not isinstance(shape, Sequence):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list of ints, got {shape}")
    common = [1] * max(len(s) for s in shapes)
    for arg_idx, shape in enumerate(shapes):
        for idx in range(-1, -1 - len(shape), -1):
            if shape[idx] == common[idx]:
                continue
            if common[idx] == 1:
                if shape[idx] < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative length!")
                common[idx] = shape[idx]
            if shape[idx] == 1:
                continue
            if common[idx] != shape[idx]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {shape[idx]} at {idx}! "
                    f"Mismatching argument at index {arg_idx} had {shape}; but expected shape "
                    f"should be broadcastable to {common}"
                )
    return Size(common)
