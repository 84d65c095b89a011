"""The legacy API of torch: the constructors ``Tensor(data)``, ``Tensor(*sizes)``, the typed
classes ``FloatTensor``, ``DoubleTensor``, ... (one table, ``LEGACY_TYPES``), ``Tensor.type()``
and ``autograd.Variable``."""

import builtins
import warnings

from . import _rtensor
from ._rtensor import Tensor
from ._size import Size

# dtype name -> the name of its legacy tensor type (``rtensor.FloatTensor``). One line per dtype.
LEGACY_TYPES = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "int64": "LongTensor",
    "int32": "IntTensor",
    "bool": "BoolTensor",
    "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor",
    "int16": "ShortTensor",
    "int8": "CharTensor",
    "uint8": "ByteTensor",
}

# torch's C++ names of the dtypes, for the TensorOptions message of a mismatched typed constructor.
_CPP_NAMES = {
    "float32": "float",
    "float64": "double",
    "int64": "long int",
    "int32": "int",
    "bool": "bool",
    "float16": "c10::Half",
    "bfloat16": "c10::BFloat16",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
}

_NEW_SIGNATURES = (
    " * (*, rtensor.device device = None)\n"
    " * (rtensor.Storage storage)\n"
    " * (Tensor other)\n"
    " * (tuple of ints size, *, rtensor.device device = None)\n"
    " * (object data, *, rtensor.device device = None)\n"
)


def _dtype_name(dtype):
    return str(dtype).rpartition(".")[2]


def _describe(v):
    if isinstance(v, Tensor):
        return "Tensor"
    if isinstance(v, _rtensor.dtype):
        return "rtensor.dtype"
    return builtins.type(v).__name__


def _invalid(args, kwargs):
    got = [_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    return TypeError(
        f"new() received an invalid combination of arguments - got ({', '.join(got)}), "
        f"but expected one of:\n{_NEW_SIGNATURES}"
    )


def _is_size_item(v):
    """An int a size list takes: a Python int (not a bool) or an object with ``__index__``."""
    if isinstance(v, (builtins.bool, builtins.float, Tensor)) or getattr(v, "ndim", 0):
        return False
    return isinstance(v, builtins.int) or hasattr(builtins.type(v), "__index__")


def _options(dtype):
    return (
        f"TensorOptions(dtype={_CPP_NAMES.get(_dtype_name(dtype), _dtype_name(dtype))}, device=cpu, "
        "layout=Strided, requires_grad=false (default), pinned_memory=false (default), "
        "memory_format=(nullopt))"
    )


def tensor_new(dtype, args, /, device=None, **kwargs):
    """``Tensor(...)`` / ``FloatTensor(...)``: no argument (an empty tensor), sizes (a tensor of
    unspecified contents, zeros here), a ``Size``, a tensor (an alias, of the same dtype for the
    typed classes) or data (a copy converted to the dtype). ``dtype`` None is the default dtype."""
    if kwargs:
        raise _invalid(args, dict(kwargs, **({} if device is None else {"device": device})))
    if device is not None:
        _rtensor.empty(0, device=device)  # torch's errors for a device rtensor does not have
    target = _rtensor.get_default_dtype() if dtype is None else dtype
    if not args:
        return _rtensor.empty(0, dtype=target)
    if len(args) == 1:
        data = args[0]
        if isinstance(data, Tensor):
            if dtype is not None and data.dtype != dtype:
                raise TypeError(f"expected {_options(dtype)} (got {_options(data.dtype)})")
            return data.detach()
        if isinstance(data, Size) or _is_size_item(data):
            return _rtensor.empty(*(data if isinstance(data, Size) else (data,)), dtype=target)
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{builtins.type(data).__name__}'")
        if data is None or not (hasattr(data, "__len__") or hasattr(data, "__array_interface__")):
            raise TypeError(f"new(): data must be a sequence (got {builtins.type(data).__name__})")
        return _rtensor.tensor(data, dtype=target)
    if all(_is_size_item(a) for a in args):
        return _rtensor.empty(*args, dtype=target)
    raise _invalid(args, {} if device is None else {"device": device})


class _LegacyTensorType(builtins.type):
    """The metaclass of ``FloatTensor`` and friends: calling one constructs a tensor of its dtype,
    and ``isinstance(t, FloatTensor)`` holds for the tensors of that dtype, as in torch."""

    def __call__(cls, *args, **kwargs):
        return tensor_new(cls.dtype, args, **kwargs)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype


def legacy_types():
    """``{name: class}`` of the legacy typed tensor classes of the dtypes rtensor has."""
    out = {}
    for dtype_name, name in LEGACY_TYPES.items():
        dtype = getattr(_rtensor, dtype_name, None)
        if dtype is None:
            continue
        out[name] = _LegacyTensorType(
            name,
            (),
            {
                "__module__": "rtensor",
                "__doc__": f"The legacy type of {dtype_name} tensors: `{name}(data)` or `{name}(*sizes)`.",
                "dtype": dtype,
                "is_cuda": False,
                "is_sparse": False,
            },
        )
    return out


_BY_NAME = {}  # 'FloatTensor' -> dtype, filled on first use


def _type_names():
    if not _BY_NAME:
        for dtype_name, name in LEGACY_TYPES.items():
            dtype = getattr(_rtensor, dtype_name, None)
            if dtype is not None:
                _BY_NAME[name] = dtype
    return _BY_NAME


def type_string(dtype):
    """``'rtensor.FloatTensor'`` for float32, as torch's ``Tensor.type()`` names it."""
    return "rtensor." + LEGACY_TYPES.get(_dtype_name(dtype), _dtype_name(dtype))


def tensor_type(self, dtype=None, non_blocking=False, **kwargs):
    """``Tensor.type()``: with no argument the type string (``'rtensor.FloatTensor'``); with a
    dtype, a legacy type or a type string (``'torch.DoubleTensor'``, ``'rtensor.DoubleTensor'``),
    the tensor converted to it (itself when it already has that type)."""
    if "async" in kwargs:
        non_blocking = kwargs.pop("async")
    if kwargs:
        raise TypeError(f"type() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if dtype is None:
        return type_string(self.dtype)
    if isinstance(dtype, str):
        module, _, name = dtype.rpartition(".")
        if module in ("torch.cuda", "rtensor.cuda"):
            raise AssertionError("Torch not compiled with CUDA enabled")
        target = _type_names().get(name) if module in ("torch", "rtensor") else None
        if target is None:
            raise ValueError(f"invalid type: '{dtype}'")
    elif isinstance(dtype, _LegacyTensorType):
        target = dtype.dtype
    elif isinstance(dtype, _rtensor.dtype):
        target = dtype
    else:
        raise TypeError("dtype must be a type, str, or dtype object")
    if target == self.dtype:
        return self
    return self.to(target, non_blocking=builtins.bool(non_blocking))


class _VariableMeta(builtins.type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """The legacy autograd wrapper: ``Variable(t)`` is a tensor sharing ``t``'s data, without its
    history; ``requires_grad=True`` makes it a leaf that requires grad. Every tensor is an
    instance, as in torch."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn(
                "volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                UserWarning,
                stacklevel=2,
            )
        if data is None:
            out = _rtensor.empty(0)
        elif isinstance(data, Tensor):
            out = data.detach()
        else:
            raise TypeError(f"Variable data has to be a tensor, but got {builtins.type(data).__name__}")
        if requires_grad:
            out.requires_grad_(True)
        return out
