"""``default_collate`` and ``default_convert``, as ``torch.utils.data._utils.collate``."""

import collections.abc
import copy
import re

from ... import _rtensor

try:
    import numpy as np
except ImportError:  # numpy is optional: only numpy inputs need it
    np = None

__all__ = ["default_collate", "default_convert"]

_STR_OBJ_PATTERN = re.compile(r"[SaUO]")
_ERR_FORMAT = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _collate_tensor(batch):
    return _rtensor.stack(batch, 0)


def _collate_numpy_array(batch):
    elem = batch[0]
    if _STR_OBJ_PATTERN.search(elem.dtype.str) is not None:
        raise TypeError(_ERR_FORMAT.format(elem.dtype))
    return default_collate([_rtensor.as_tensor(b) for b in batch])


def _collate_map():
    table = [(_rtensor.Tensor, _collate_tensor)]
    if np is not None:
        table.append((np.ndarray, _collate_numpy_array))
        table.append(((np.bool_, np.number, np.object_), lambda b: _rtensor.as_tensor(b)))
    table.append((float, lambda b: _rtensor.tensor(b, dtype=_rtensor.float64)))
    table.append((int, lambda b: _rtensor.tensor(b)))
    table.append((str, lambda b: b))
    table.append((bytes, lambda b: b))
    return table


_COLLATE_MAP = _collate_map()


def default_collate(batch):
    """Merges a list of samples into a batch, as torch: tensors are stacked along a new first
    dimension; numpy arrays become tensors (then stacked), numpy scalars a tensor; Python floats a
    float64 tensor, ints an int64 tensor (bools a bool tensor); strings and bytes stay a list;
    mappings, namedtuples and sequences are collated field by field (a tuple gives a list)."""
    elem = batch[0]
    elem_type = type(elem)
    for types, fn in _COLLATE_MAP:
        if elem_type is types:
            return fn(batch)
    for types, fn in _COLLATE_MAP:
        if isinstance(elem, types):
            return fn(batch)
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({key: default_collate([d[key] for d in batch]) for key in elem})
                return clone
            return elem_type({key: default_collate([d[key] for d in batch]) for key in elem})
        except TypeError:
            return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [default_collate(samples) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = default_collate(samples)
                return clone
            return elem_type([default_collate(samples) for samples in transposed])
        except TypeError:
            return [default_collate(samples) for samples in transposed]
    raise TypeError(_ERR_FORMAT.format(elem_type))


def default_convert(data):
    """Converts numpy arrays (not of strings or objects) and numpy scalars in ``data`` to tensors,
    recursing into mappings, namedtuples and sequences; anything else is returned unchanged (the
    ``collate_fn`` of a DataLoader without automatic batching)."""
    elem_type = type(data)
    if isinstance(data, _rtensor.Tensor):
        return data
    if np is not None and elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and _STR_OBJ_PATTERN.search(data.dtype.str) is not None:
            return data
        return _rtensor.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
