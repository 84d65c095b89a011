"""Pickling and copying tensors: ``Tensor.__reduce_ex__``, ``__copy__`` and ``__deepcopy__``.

A tensor pickles as its storage (all of it, as torch) plus its dtype, storage offset, sizes,
strides and ``requires_grad``; ``.grad``, hooks and the autograd graph do not travel (a non-leaf
loads as a leaf, as in torch). The storage is an object of its own in the pickle, so tensors that
share one (views) share one again after loading, and its bytes are written once. At protocol 5 the
bytes are a ``pickle.PickleBuffer`` over the tensor's memory: with a ``buffer_callback`` they go out
of band without a copy, and ``pickle.loads(data, buffers=...)`` makes tensors that share the buffers
given (read-only ones give read-only tensors). Below protocol 5 they are a ``bytes`` copy.

Loading checks everything the payload claims (dtype, sizes, strides, offset against the bytes that
are really there, bool bytes, alignment) before making a tensor, so a corrupt or hostile pickle
raises ``pickle.UnpicklingError`` instead of reaching memory outside its buffer. Needs no numpy.
"""

import builtins
import copy
import ctypes
import pickle
import weakref

from . import _rtensor
from ._rtensor import Tensor

# The dtypes by the name a pickle stores (``str(dtype)`` without ``rtensor.``).
_DTYPES = {
    name: getattr(_rtensor, name)
    for name in ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
                 "uint8", "bool")
}
# Array-interface type strings for wrapping memory; bfloat16 is wrapped as int16, then retyped.
_TYPESTR = {"float32": "<f4", "float64": "<f8", "float16": "<f2", "bfloat16": "<i2", "int64": "<i8",
            "int32": "<i4", "int16": "<i2", "int8": "|i1", "uint8": "|u1", "bool": "|b1"}
_MAX_DIMS = 1024  # more dimensions than any tensor has; a payload claiming more is corrupt
_MAX_INDEX = 2**63 - 1

_DEEPCOPY_ERROR = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at "
    "the moment.  If you were attempting to deepcopy a module, this may be because of a "
    "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001"
)


def _name(dtype):
    return str(dtype).rpartition(".")[2]


# ---- raw memory through ctypes --------------------------------------------------------------

class _PyBuffer(ctypes.Structure):
    """CPython's ``Py_buffer``, to read the address of any buffer (read-only ones too)."""

    _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p), ("len", ctypes.c_ssize_t),
                ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                ("format", ctypes.c_char_p), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p)]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_get_buffer.restype = ctypes.c_int
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(_PyBuffer)]
_release_buffer.restype = None
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capsule_pointer.restype = ctypes.c_void_p

# DLPack 1.x's managed tensor: version (8 bytes), manager_ctx, deleter, flags (8 each), then the
# DLTensor, whose dtype {code: u8, bits: u8, lanes: u16} is at byte 20.
_DL_FLAGS = 24
_DL_DTYPE = 32 + 20
_DL_INT, _DL_BFLOAT, _DL_READ_ONLY = 0, 4, 1


def _address(view):
    """The address of a C-contiguous memoryview's first byte (read-only views too)."""
    info = _PyBuffer()
    if _get_buffer(view, ctypes.byref(info), 0) != 0:  # PyBUF_SIMPLE
        raise BufferError("cannot read the buffer's address")
    try:
        return info.buf or 0
    finally:
        _release_buffer(ctypes.byref(info))


def _versioned_capsule(t):
    """``t``'s DLPack 1.x capsule and the address of its managed tensor."""
    capsule = t.__dlpack__(max_version=(1, 0))
    return capsule, _capsule_pointer(capsule, b"dltensor_versioned")


def _read_only(t):
    """Whether ``t``'s memory refuses writes (it shares a read-only buffer)."""
    _, managed = _versioned_capsule(t.detach())
    return builtins.bool(ctypes.c_uint64.from_address(managed + _DL_FLAGS).value & _DL_READ_ONLY)


def _as_bfloat16(t):
    """The int16 tensor ``t``'s memory as bfloat16, shared: its own DLPack capsule, retyped before
    ``from_dlpack`` consumes it (the capsule's deleter still frees what ``t`` holds)."""
    capsule, managed = _versioned_capsule(t)
    code = ctypes.c_uint8.from_address(managed + _DL_DTYPE)
    bits = ctypes.c_uint8.from_address(managed + _DL_DTYPE + 1)
    if code.value != _DL_INT or bits.value != 16:
        raise RuntimeError("unexpected DLPack dtype for an int16 tensor")
    code.value = _DL_BFLOAT
    return _rtensor.from_dlpack(capsule)


class _Borrowed:
    """The array interface of ``count`` elements at ``address``; keeps ``owner`` alive."""

    __slots__ = ("_owner", "__array_interface__")

    def __init__(self, owner, address, count, typestr, readonly):
        self._owner = owner
        self.__array_interface__ = {"shape": (count,), "typestr": typestr,
                                    "data": (address, readonly), "strides": None, "version": 3}


def _storage_bytes(t):
    """A writable memoryview of the bytes of ``t``'s whole storage, sharing them (it keeps ``t``
    alive)."""
    ptr, nbytes = t._storage_span()
    if nbytes == 0:
        return memoryview(bytearray())
    raw = (ctypes.c_char * nbytes).from_address(ptr)
    raw._owner = t
    return memoryview(raw).cast("B")


def _whole(t):
    """A 1-D tensor over every element of ``t``'s storage (``t``'s dtype), sharing it."""
    count = t._storage_span()[1] // t.element_size()
    return t.detach().as_strided([count], [1], 0)


# ---- pickling -------------------------------------------------------------------------------

class _Storage:
    """One storage in a pickle. The same object stands for every tensor over that storage while
    any of them is being pickled, so the pickler's memo writes it once and loading shares it."""

    __slots__ = ("tensor", "__weakref__")

    def __init__(self, tensor):
        self.tensor = tensor

    def __reduce_ex__(self, protocol):
        t = self.tensor
        view = _storage_bytes(t)
        if _read_only(t):
            view = view.toreadonly()
        name = _name(t.dtype)
        if protocol >= 5:
            return _rebuild_storage, (pickle.PickleBuffer(view), name, True)
        return _rebuild_storage, (builtins.bytes(view), name, False)


# (storage address, bytes, dtype) -> the _Storage standing for it. An entry lives as long as
# something (a pickler's memo) holds its _Storage, which holds a tensor and so the storage: the
# address cannot be reused meanwhile.
_STORAGES = weakref.WeakValueDictionary()


def _storage_key(t):
    return t._storage_span() + (_name(t.dtype),)


def _storage_of(t):
    key = _storage_key(t)
    storage = _STORAGES.get(key)
    if storage is None:
        storage = _Storage(t.detach())
        _STORAGES[key] = storage
    return storage


def _check_self(name, self):
    """The TypeError Python gives a method descriptor called on another type."""
    if not isinstance(self, Tensor):
        raise TypeError(f"descriptor '{name}' requires a 'rtensor.Tensor' object but received a "
                        f"'{type(self).__name__}'")


def __reduce_ex__(self, protocol):
    """Pickles the tensor as its storage, storage offset, sizes, strides and ``requires_grad``
    (torch's choice: ``.grad`` and the graph do not travel)."""
    _check_self("__reduce_ex__", self)
    return _rebuild_tensor, (_storage_of(self), self.storage_offset(), tuple(self.shape),
                             tuple(self.stride()), self.requires_grad)


def _corrupt(message):
    return pickle.UnpicklingError(f"corrupt rtensor pickle: {message}")


def _rebuild_storage(data, dtype, share):
    """A 1-D tensor of ``dtype`` over the bytes ``data``: sharing them when ``share`` (protocol 5:
    an out-of-band buffer, or the bytearray the unpickler made), else a writable copy."""
    if not isinstance(dtype, builtins.str) or dtype not in _DTYPES:
        raise _corrupt(f"unknown dtype {dtype!r}")
    if not isinstance(share, builtins.bool):
        raise _corrupt(f"expected a bool for sharing, got {type(share).__name__}")
    try:
        view = memoryview(data)
    except TypeError:
        raise _corrupt(f"storage data must be a buffer, not {type(data).__name__}") from None
    if not view.c_contiguous:
        raise _corrupt("storage data is not a contiguous buffer")
    view = view.cast("B")
    esize = _DTYPES[dtype].itemsize
    if view.nbytes % esize:
        raise _corrupt(f"{view.nbytes} bytes of storage is not a whole number of {dtype} elements")
    count = view.nbytes // esize
    if count == 0:
        return _rtensor.empty(0, dtype=_DTYPES[dtype])
    readonly = view.readonly
    if not share or _address(view) % esize:
        # A copy: in-band bytes (writable afterwards, as torch's tensors), or a buffer whose
        # address does not suit the dtype's alignment.
        view, readonly = memoryview(bytearray(view)), False
    address = _address(view)
    if dtype == "bool":
        raw = _rtensor._borrow_interface(_Borrowed(view, address, count, "|u1", True))
        if builtins.bool((raw > 1).any()):
            raise _corrupt("a bool storage holds bytes other than 0 and 1")
    t = _rtensor._borrow_interface(_Borrowed(view, address, count, _TYPESTR[dtype], readonly))
    if dtype == "bfloat16":
        t = _as_bfloat16(t)
    return t


def _index(value, what):
    if isinstance(value, builtins.bool) or not isinstance(value, builtins.int):
        raise _corrupt(f"{what} must be an int, got {type(value).__name__}")
    if not 0 <= value <= _MAX_INDEX:
        raise _corrupt(f"{what} {value} is out of range")
    return value


def _rebuild_tensor(storage, offset, size, stride, requires_grad):
    """The tensor over the loaded ``storage`` with the given layout, every claim checked."""
    if not isinstance(storage, Tensor) or storage.dim() != 1 or storage.storage_offset() != 0:
        raise _corrupt(f"expected a loaded storage, got {type(storage).__name__}")
    if not isinstance(size, tuple) or not isinstance(stride, tuple):
        raise _corrupt("sizes and strides must be tuples")
    if len(size) != len(stride) or len(size) > _MAX_DIMS:
        raise _corrupt(f"{len(size)} sizes and {len(stride)} strides")
    offset = _index(offset, "storage offset")
    size = [_index(s, "size") for s in size]
    stride = [_index(s, "stride") for s in stride]
    if not isinstance(requires_grad, builtins.bool):
        raise _corrupt(f"requires_grad must be a bool, got {type(requires_grad).__name__}")
    have = storage._storage_span()[1] // storage.element_size()
    if 0 not in size:  # an empty tensor reaches no element: any offset will do, as in torch
        end = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
        if end > have:
            raise _corrupt(
                f"sizes {size}, strides {stride} and storage offset {offset} reach element "
                f"{end - 1} of a storage of {have} elements"
            )
    t = storage.detach().as_strided(size, stride, offset)
    if requires_grad:
        if not t.dtype.is_floating_point:
            raise _corrupt(f"a {_name(t.dtype)} tensor cannot require grad")
        t.requires_grad_(True)
    return t


# ---- copy -----------------------------------------------------------------------------------

def __copy__(self):
    """A new tensor sharing this one's storage and layout, with its ``requires_grad`` (a leaf:
    the graph and ``.grad`` are not copied), as ``copy.copy`` of a torch tensor."""
    _check_self("__copy__", self)
    out = self.detach()
    if self.requires_grad:
        out.requires_grad_(True)
    return out


def __deepcopy__(self, memo):
    """A copy of the whole storage (shared by the copies of every tensor over it in one
    ``deepcopy``, through ``memo``), with this tensor's layout, ``requires_grad`` and a deep copy
    of ``.grad``; a non-leaf refuses, as in torch."""
    _check_self("__deepcopy__", self)
    if not self.is_leaf:
        raise RuntimeError(_DEEPCOPY_ERROR)
    if not isinstance(memo, dict):
        raise TypeError(f"deepcopy memo must be a dict, not {type(memo).__name__}")
    if id(self) in memo:
        return memo[id(self)]
    storages = memo.setdefault("rtensor", {})
    key = _storage_key(self)
    if key not in storages:
        # The original is kept with its copy: its storage (and so the key's address) lives on.
        storages[key] = (self, _whole(self).clone())
    out = storages[key][1].as_strided(tuple(self.shape), self.stride(), self.storage_offset())
    if self.requires_grad:
        out.requires_grad_(True)
    if self.grad is not None:
        out.grad = copy.deepcopy(self.grad, memo)
    memo[id(self)] = out
    return out


def install():
    """Puts ``__reduce_ex__``, ``__copy__`` and ``__deepcopy__`` on ``rtensor.Tensor``."""
    Tensor.__reduce_ex__ = __reduce_ex__
    Tensor.__copy__ = __copy__
    Tensor.__deepcopy__ = __deepcopy__
