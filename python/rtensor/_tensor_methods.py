"""Tensor members written in Python, installed on ``rtensor.Tensor`` at import: the device methods
(``cpu``, ``cuda``, ``is_cuda``, ...), ``type``, the ``new_*`` constructors, ``nbytes``,
``itemsize``, ``untyped_storage`` and the Python protocols torch's ``Tensor`` defines in Python
(``in``, ``reversed``, ``complex``)."""

import builtins
import functools
import numbers
import warnings

from . import _rtensor
from ._legacy import tensor_type
from ._rtensor import Tensor


class layout:
    """A tensor layout. rtensor has one, ``rtensor.strided`` (dense, strided memory)."""

    __slots__ = ("_name",)

    def __init__(self, name):
        if name != "strided":
            raise RuntimeError(f"rtensor has only the strided layout, not {name!r}")
        self._name = name

    def __repr__(self):
        return f"rtensor.{self._name}"

    def __reduce__(self):
        return "strided"


layout.__module__ = "rtensor"
strided = layout("strided")


class memory_format:
    """How a new tensor's elements are ordered in memory (torch's ``memory_format=``):
    ``preserve_format`` (the input's dim order), ``contiguous_format`` (row-major),
    ``channels_last`` (4-D, dim 1 innermost) or ``channels_last_3d`` (5-D)."""

    __slots__ = ("_name",)

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'rtensor.memory_format' instances")

    @classmethod
    def _make(cls, name):
        obj = object.__new__(cls)
        obj._name = name
        return obj

    def __repr__(self):
        return f"rtensor.{self._name}"

    def __reduce__(self):
        return self._name


memory_format.__module__ = "rtensor"
preserve_format = memory_format._make("preserve_format")
contiguous_format = memory_format._make("contiguous_format")
channels_last = memory_format._make("channels_last")
channels_last_3d = memory_format._make("channels_last_3d")


def _cuda_error():
    return AssertionError("Torch not compiled with CUDA enabled")


def cpu(self, memory_format=None):
    """The tensor on the CPU: itself, since every rtensor tensor is there."""
    return self


def cuda(self, device=None, non_blocking=False, memory_format=None):
    """A CUDA copy: torch's error for a build without CUDA."""
    raise _cuda_error()


def get_device(self):
    """The CUDA device index, -1 for a CPU tensor (every rtensor tensor)."""
    return -1


def is_complex(self):
    """Whether the dtype is complex: never, in rtensor."""
    return False


def _new_options(self, dtype, device, requires_grad):
    _rtensor.empty(0, device=device)  # torch's errors for a device rtensor does not have
    return {"dtype": self.dtype if dtype is None else dtype, "requires_grad": requires_grad}


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    """A new tensor holding a copy of ``data``, of this tensor's dtype unless ``dtype`` is given."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
            "or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "tensor.new_tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        data = data.detach()
    return _rtensor.tensor(data, **_new_options(self, dtype, device, requires_grad))


def _check_sizes(size):
    """torch's error for negative sizes (``zeros`` words its own, ``new_zeros`` does not)."""
    flat = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    if all(isinstance(s, builtins.int) for s in flat) and any(s < 0 for s in flat):
        bad = next(s for s in flat if s < 0)
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {bad}: [{', '.join(map(str, flat))}]"
        )


def _filled(name):
    make = getattr(_rtensor, name)

    def method(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
                pin_memory=False, **kwargs):
        if "size" in kwargs:
            if size:
                raise TypeError(f"new_{name}() got multiple values for argument 'size'")
            size = (kwargs.pop("size"),)
        if kwargs:
            raise TypeError(f"new_{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        _check_sizes(size)
        return make(*size, **_new_options(self, dtype, device, requires_grad))

    method.__name__ = method.__qualname__ = f"new_{name}"
    method.__doc__ = (f"A new tensor of {name} of the given size, of this tensor's dtype unless "
                      "``dtype`` is given.")
    return method


new_zeros = _filled("zeros")
new_ones = _filled("ones")
new_empty = _filled("empty")


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    """A new tensor of ``size`` filled with ``fill_value``, of this tensor's dtype unless
    ``dtype`` is given."""
    return _rtensor.full(size, fill_value, **_new_options(self, dtype, device, requires_grad))


class UntypedStorage:
    """The bytes behind a tensor, as ``Tensor.untyped_storage()`` gives them: ``nbytes()``,
    ``size()``, ``data_ptr()``; it keeps the tensor alive."""

    __slots__ = ("_tensor", "_ptr", "_nbytes")

    def __init__(self, tensor):
        self._tensor = tensor
        self._ptr, self._nbytes = tensor._storage_span()

    def nbytes(self):
        """The size in bytes."""
        return self._nbytes

    def size(self):
        """The size in bytes (the elements of an untyped storage are bytes)."""
        return self._nbytes

    def __len__(self):
        return self._nbytes

    def element_size(self):
        """One byte per element."""
        return 1

    def data_ptr(self):
        """The address of the first byte."""
        return self._ptr

    @property
    def device(self):
        """The CPU."""
        return self._tensor.device

    def __repr__(self):
        return f"[rtensor.storage.UntypedStorage(device=cpu) of size {self._nbytes}]"


UntypedStorage.__module__ = "rtensor.storage"


def untyped_storage(self):
    """The storage behind this tensor, as bytes (shared by every view of it)."""
    return UntypedStorage(self)


def __contains__(self, element):
    if isinstance(element, numbers.Complex) and not isinstance(element, numbers.Real):
        # rtensor's tensors are real: a complex number is in one only with a zero imaginary part.
        if element.imag != 0:
            return False
        element = element.real
    if isinstance(element, (Tensor, numbers.Number)):
        return builtins.bool((element == self).any().item())
    raise RuntimeError(
        f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}."
    )


def __reversed__(self):
    """The tensor flipped along its first dim (a 0-d tensor is itself)."""
    if self.dim() == 0:
        return self
    return self.flip(0)


def __complex__(self):
    if self.numel() != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    return complex(self.item())


def ndimension(self):
    """The number of dims (``dim()``)."""
    return self.dim()


def type_as(self, other):
    """This tensor in ``other``'s dtype (itself when they agree)."""
    if not isinstance(other, Tensor):
        raise TypeError(
            f"type_as(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}"
        )
    return self.to(other.dtype)


def reshape_as(self, other):
    """``reshape(other.shape)``."""
    if not isinstance(other, Tensor):
        raise TypeError(
            f"reshape_as(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}"
        )
    return self.reshape(other.shape)


def is_same_size(self, other):
    """Whether ``other`` has this tensor's shape."""
    if not isinstance(other, Tensor):
        raise TypeError(
            f"is_same_size(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}"
        )
    return self.shape == other.shape


def _matrix_transpose(self):
    if self.dim() < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. "
            f"Got {self.dim()}-D tensor."
        )
    return self.transpose(-2, -1)


_METHODS = {
    "ndimension": ndimension,
    "type_as": type_as,
    "reshape_as": reshape_as,
    "is_same_size": is_same_size,
    "cpu": cpu,
    "cuda": cuda,
    "get_device": get_device,
    "is_complex": is_complex,
    "type": tensor_type,
    "new_tensor": new_tensor,
    "new_zeros": new_zeros,
    "new_ones": new_ones,
    "new_empty": new_empty,
    "new_full": new_full,
    "untyped_storage": untyped_storage,
    "__contains__": __contains__,
    "__reversed__": __reversed__,
    "__complex__": __complex__,
}

_PROPERTIES = {
    "nbytes": (lambda self: self.numel() * self.element_size(),
               "The number of bytes the elements take: ``numel() * element_size()``."),
    "itemsize": (lambda self: self.element_size(), "Bytes per element."),
    "is_cuda": (lambda self: False, "Whether the tensor is on a CUDA device: never."),
    "is_cpu": (lambda self: True, "Whether the tensor is on the CPU: always."),
    "layout": (lambda self: strided, "The memory layout: ``rtensor.strided``."),
    "is_signed": (lambda self: self.dtype.is_signed, "Whether the dtype is signed."),
    "mT": (_matrix_transpose, "The last two dims swapped (a view; at least 2-D)."),
}


def _method(name, fn):
    """``fn`` as a Tensor method that refuses another ``self`` (``Tensor.cpu([1])``) with the
    TypeError of the registry's methods."""

    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        if not isinstance(self, Tensor):
            raise TypeError(
                f"descriptor '{name}' requires a 'rtensor.Tensor' object but received a "
                f"'{type(self).__name__}'"
            )
        return fn(self, *args, **kwargs)

    return method


def install():
    """Puts the members above on ``rtensor.Tensor``."""
    for name, fn in _METHODS.items():
        setattr(Tensor, name, _method(name, fn))
    for name, (getter, doc) in _PROPERTIES.items():
        setattr(Tensor, name, property(_method(name, getter), doc=doc))
