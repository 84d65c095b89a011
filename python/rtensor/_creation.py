"""Creation functions written over the core's ops: ``range`` (deprecated, inclusive end),
``logspace``, ``empty_strided``, ``frombuffer`` and ``asarray``; and the predicates
``is_tensor`` and ``is_complex``."""

import builtins
import ctypes
import math
import warnings

from . import _rtensor
from ._pickle import _as_bfloat16
from ._rtensor import Tensor

__all__ = ["asarray", "empty_strided", "frombuffer", "is_complex", "is_tensor", "logspace", "range"]

# torch's short names of the dtypes in messages ('Float').
_SHORT = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "bool": "Bool",
          "float16": "Half", "bfloat16": "BFloat16", "int16": "Short", "int8": "Char", "uint8": "Byte"}

# The array-interface type string of each dtype (the dtypes rtensor has take part).
_TYPESTR = {"float32": "<f4", "float64": "<f8", "int64": "<i8", "int32": "<i4", "bool": "|b1",
            "float16": "<f2", "int16": "<i2", "int8": "|i1", "uint8": "|u1"}

# Buffer-protocol formats (struct module codes) -> dtype names.
_FORMATS = {"f": "float32", "d": "float64", "q": "int64", "i": "int32", "?": "bool", "e": "float16",
            "h": "int16", "b": "int8", "B": "uint8", "c": "uint8"}


def _name(dtype):
    return str(dtype).rpartition(".")[2]


def _check_device(device):
    if device is not None:
        _rtensor.empty(0, device=device)  # torch's errors for a device rtensor does not have


def _finish(t, requires_grad):
    if requires_grad:
        t.requires_grad_(True)
    return t


def _deliver(result, out, requires_grad):
    """``result``, or written into ``out=`` (of the same shape; its dtype converts)."""
    if out is None:
        return _finish(result, requires_grad)
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out.shape != result.shape:
        raise RuntimeError(
            f"out= must have the result's shape {list(result.shape)}, got {list(out.shape)}"
        )
    return out.copy_(result)


def is_tensor(obj):
    """True when ``obj`` is an rtensor Tensor."""
    return isinstance(obj, Tensor)


def is_complex(input):
    """Whether ``input``'s dtype is complex: never in rtensor, which has no complex dtypes."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"is_complex(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    return False


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Deprecated: ``start, start + step, ...`` up to ``end`` included (``floor((end - start) /
    step) + 1`` values) in the default floating dtype unless ``dtype`` is given. Warns as torch."""
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its behavior "
        "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
        "values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    _check_device(device)
    dtype = _rtensor.get_default_dtype() if dtype is None else dtype
    for v in (start, end, step):
        if isinstance(v, Tensor):
            raise TypeError("range(): arguments must be numbers, not Tensor")
    integral = dtype in (_rtensor.int32, _rtensor.int64) or _name(dtype).startswith(("int", "uint"))
    if integral:
        start, end, step = builtins.int(start), builtins.int(end), builtins.int(step)
    else:
        start, end, step = builtins.float(start), builtins.float(end), builtins.float(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start:g} -> {end:g}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if integral:
        n = (end - start) // step + 1
        values = _rtensor.arange(start, start + n * step, step, dtype=_rtensor.int64)
    else:
        n = builtins.int((end - start) / step + 1)
        values = _rtensor.arange(n, dtype=_rtensor.float64) * step + start
    return _deliver(values.to(dtype), out, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """``steps`` values ``base ** e`` for exponents evenly spaced from ``start`` to ``end``, both
    included, computed as torch's CPU kernel does (ends in the output dtype, exponents and powers
    in double)."""
    _check_device(device)
    dtype = _rtensor.get_default_dtype() if dtype is None else dtype
    if isinstance(steps, builtins.bool) or not isinstance(steps, builtins.int):
        raise TypeError(f"logspace(): argument 'steps' (position 3) must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    ends = [v.item() if isinstance(v, Tensor) else v for v in (start, end)]
    if steps == 0:
        return _deliver(_rtensor.empty(0, dtype=dtype), out, requires_grad)
    if steps == 1:
        first = _rtensor.tensor([builtins.float(ends[0])], dtype=_rtensor.float64)
        return _deliver((builtins.float(base) ** first).to(dtype), out, requires_grad)
    # The ends in the output dtype and their difference computed in it, as torch's kernel; the
    # exponents are `start + step * i` for the first half, `end - step * (steps - 1 - i)` after.
    work = _rtensor.float64
    a, b = (_rtensor.tensor(v, dtype=_rtensor.float64 if isinstance(v, builtins.float) else None).to(dtype)
            for v in ends)
    diff = (b - a).to(work)
    i = _rtensor.arange(steps, dtype=work)
    step = diff / (steps - 1)
    lower = a.to(work) + step * i
    upper = b.to(work) - step * (steps - 1 - i)
    exponents = _rtensor.where(i < steps // 2, lower, upper)
    powers = _rtensor.tensor(builtins.float(base), dtype=work) ** exponents
    return _deliver(powers.to(dtype), out, requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """A tensor of ``size`` with the given strides (in elements) over a storage just big enough;
    its contents are unspecified (zeros here)."""
    _check_device(device)
    size, stride = [builtins.int(s) for s in size], [builtins.int(s) for s in stride]
    if len(size) != len(stride):
        raise RuntimeError(
            f"dimensionality of sizes ({len(size)}) must match dimensionality of strides ({len(stride)})"
        )
    for s in size:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: [{', '.join(map(str, size))}]"
            )
    if any(st < 0 for st in stride):
        raise RuntimeError(
            f"Storage size calculation overflowed with sizes=[{', '.join(map(str, size))}] and "
            f"strides=[{', '.join(map(str, stride))}]"
        )
    n = 0 if 0 in size else 1 + sum((s - 1) * st for s, st in zip(size, stride))
    base = _rtensor.empty(n, dtype=dtype)
    return _finish(base.as_strided(size, stride).detach(), requires_grad)


class _BufferView:
    """The array interface of a slice of a Python buffer, so the core can wrap it without a copy."""

    def __init__(self, view, address, count, dtype, readonly):
        self._view = view  # keeps the buffer exported (a bytearray cannot be resized meanwhile)
        self.__array_interface__ = {
            "shape": (count,),
            "typestr": _TYPESTR[_name(dtype)],
            "data": (address, readonly),
            "strides": None,
            "version": 3,
        }


def _address(view):
    """The address of a contiguous buffer's first byte, and whether it is read-only."""
    if not view.readonly:
        return ctypes.addressof(ctypes.c_char.from_buffer(view)), False
    if isinstance(view.obj, builtins.bytes) and view.nbytes == len(view.obj):
        return ctypes.cast(ctypes.c_char_p(view.obj), ctypes.c_void_p).value, True
    return None, True


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor sharing the memory of a Python buffer (``bytes``, ``bytearray``,
    ``array.array``, ``memoryview``, ...): ``count`` elements of ``dtype`` from byte ``offset``
    (-1: all that fit). A read-only buffer gives a read-only tensor (writes raise)."""
    try:
        view = memoryview(buffer).cast("B")
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    if not isinstance(dtype, _rtensor.dtype):
        raise TypeError(f"frombuffer(): argument 'dtype' must be rtensor.dtype, not {type(dtype).__name__}")
    length, esize = view.nbytes, dtype.itemsize
    count, offset = builtins.int(count), builtins.int(offset)
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if offset < 0 or offset >= length:
        raise ValueError(
            f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
            f"({length} bytes) minus 1"
        )
    if count < 0:
        if (length - offset) % esize != 0:
            raise ValueError(
                f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                f"multiple of element size ({esize})"
            )
        count = (length - offset) // esize
    elif offset + count * esize > length:
        raise ValueError(
            f"requested buffer length ({count} * {esize} bytes) after offset ({offset} bytes) must "
            f"not be greater than actual buffer length ({length} bytes)"
        )
    bfloat16 = dtype == _rtensor.bfloat16  # no array-interface type: wrapped as int16, then retyped
    address, readonly = _address(view)
    if address is None:  # a read-only buffer other than bytes: a read-only copy of its bytes
        view = memoryview(builtins.bytes(view))
        address, readonly = _address(view)
    shim = _BufferView(view, address + offset, count, _rtensor.int16 if bfloat16 else dtype, readonly)
    t = _rtensor._borrow_interface(shim)
    if bfloat16:
        t = _as_bfloat16(t)
    return _finish(t, requires_grad)


def _alias_error(src, dtype):
    return ValueError(
        f"can't alias tensor with dtype '{_SHORT.get(_name(src), _name(src))}' into dtype "
        f"'{_SHORT.get(_name(dtype), _name(dtype))}'."
    )


def _from_tensor(t, dtype, copy, requires_grad):
    if dtype is not None and dtype != t.dtype:
        if copy is False:
            raise _alias_error(t.dtype, dtype)
        out = t.to(dtype)
    elif copy:
        out = t.clone() if requires_grad is not False else t.detach().clone()
    else:
        out = t
    if requires_grad and not out.requires_grad:
        out.requires_grad_(True)
    return out


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """A tensor from ``obj``, sharing its memory when it can (a tensor of the dtype asked is
    returned itself; numpy arrays and buffers are shared unless ``copy=True``); ``copy=False``
    refuses to copy. Python sequences and numbers are always copied."""
    _check_device(device)
    if isinstance(obj, Tensor):
        return _from_tensor(obj, dtype, copy, requires_grad)
    module = type(obj).__module__
    if module == "numpy" and type(obj).__name__ == "ndarray":
        return _from_tensor(_rtensor.from_numpy(obj), dtype, copy, requires_grad)
    if module != "numpy" and not isinstance(obj, (str, list, tuple)):
        try:
            view = memoryview(obj)
        except TypeError:
            view = None
        if view is not None:
            fmt = view.format.lstrip("@=<")
            fmt = {"l": "q" if view.itemsize == 8 else "i", "L": "Q"}.get(fmt, fmt)
            source = dtype
            if source is None:
                source = getattr(_rtensor, _FORMATS.get(fmt, ""), None)
                if source is None:
                    raise TypeError(f"asarray(): rtensor has no dtype for buffer format '{view.format}'")
            return _from_tensor(frombuffer(obj, dtype=source), None, copy, requires_grad)
    if copy is False:
        raise ValueError("can't alias arbitrary sequence into a tensor.")
    return _finish(_rtensor.tensor(obj, dtype=dtype), requires_grad)
