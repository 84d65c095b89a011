"""``rtensor.save`` / ``rtensor.load``: PyTorch's own checkpoint format (the zip archive ``torch.save``
has written since PyTorch 1.6), so files travel both ways between rtensor and torch.

The archive holds ``<archive>/data.pkl`` (the pickled object; each tensor is a call of
``torch._utils._rebuild_tensor_v2`` whose first argument is a persistent id
``('storage', torch.<Dtype>Storage, key, 'cpu', numel)``), one record ``<archive>/data/<key>`` per
storage (its raw little-endian bytes), and ``version``, ``byteorder``, ``.format_version``,
``.storage_alignment``, ``.data/serialization_id``. Tensors that share a storage share one record,
and share memory again after loading.

Saving uses a subclass of the pure-Python ``pickle._Pickler`` (``reducer_override`` for tensors,
dtypes, ``Size``, ``device``; a dispatch entry that writes torch's module names as GLOBAL opcodes,
so torch need not be installed). Loading is safe by default (``weights_only=True``): a
``pickle.Unpickler`` whose ``find_class`` gives only tensors' rebuild functions, containers and
primitives, with every size, stride, offset and record length checked against the file before
anything is allocated.
"""

import _compat_pickle
import builtins
import codecs
import collections
import ctypes
import io
import os
import pickle
import struct
import sys
import warnings

from . import _rtensor
from ._rtensor import Tensor
from ._creation import frombuffer
from ._size import Size
from ._tensor_methods import layout, strided
from .nn.parameter import Parameter

# dtype name -> torch's legacy storage class name (the storage type in the persistent id).
_STORAGE_OF = {
    "float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage", "int8": "CharStorage", "int16": "ShortStorage",
    "int32": "IntStorage", "int64": "LongStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
}
_ITEMSIZE = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2, "int8": 1, "int16": 2,
             "int32": 4, "int64": 8, "uint8": 1, "bool": 1}
_ALIGNMENT = 64  # torch aligns every record's data to 64 bytes (mmap-able storages)
_CHUNK = 1 << 24
_MAX_NUMEL = 2**63 - 1
_MAX_DIMS = 64
_MAX_DEFLATE_RATIO = 1032  # no deflate stream expands more than this: bounds a declared size

UNSAFE_MESSAGE = (
    "Re-running `rtensor.load` with `weights_only` set to `False` will likely succeed, but it can "
    "result in arbitrary code execution. Do it only if you got the file from a trusted source."
)


def _dtype_name(dtype):
    return str(dtype).rpartition(".")[2]


# ---------------------------------------------------------------------------------------- saving


class _Global:
    """A module-level name written as a GLOBAL opcode (``torch FloatStorage``), without importing it."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's save_reduce wants a callable; this one is only ever written
        raise TypeError(f"{self.module}.{self.name} is a name in a torch checkpoint, not a function")


_GLOBALS = {}


def _g(module, name):
    """The one _Global of ``module.name`` (one object, so the pickle memo writes it once)."""
    key = (module, name)
    if key not in _GLOBALS:
        _GLOBALS[key] = _Global(module, name)
    return _GLOBALS[key]


class _StorageRef:
    """A tensor's storage inside data.pkl: pickled as its persistent id."""

    __slots__ = ("pid",)

    def __init__(self, pid):
        self.pid = pid


class _Pickler(pickle._Pickler):
    """torch's data.pkl writer: tensors become ``_rebuild_tensor_v2`` calls on persistent storages."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # (address, nbytes) or a fresh key for an empty storage -> (key, dtype name, tensor)

    def persistent_id(self, obj):
        return obj.pid if type(obj) is _StorageRef else None

    def reducer_override(self, obj):
        if isinstance(obj, Parameter):
            # As torch's Parameter.__reduce_ex__: its data (a plain tensor) and requires_grad.
            return _g("torch._utils", "_rebuild_parameter"), (
                obj.detach(),
                builtins.bool(obj.requires_grad),
                collections.OrderedDict(),
            )
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if isinstance(obj, Size):
            return _g("torch", "Size"), (tuple(obj),)
        if isinstance(obj, _rtensor.device):
            return _g("torch", "device"), (str(obj),)
        if isinstance(obj, layout):
            return _g("torch.serialization", "_get_layout"), (f"torch.{str(obj).rpartition('.')[2]}",)
        return NotImplemented

    def _reduce_tensor(self, t):
        dname = _dtype_name(t.dtype)
        address, nbytes = t._storage_span()
        span = (address, nbytes) if nbytes else ("empty", len(self.storages))
        entry = self.storages.get(span)
        if entry is None:
            entry = (str(len(self.storages)), dname, t)
            self.storages[span] = entry
        elif entry[1] != dname:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data as different types")
        pid = ("storage", _g("torch", _STORAGE_OF[dname]), entry[0], "cpu", nbytes // _ITEMSIZE[dname])
        args = (_StorageRef(pid), t.storage_offset(), tuple(t.shape), tuple(t.stride()), builtins.bool(t.requires_grad),
                collections.OrderedDict())
        return _g("torch._utils", "_rebuild_tensor_v2"), args

    def _save_global_name(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    def _save_dtype(self, obj):
        self.save(_g("torch", _dtype_name(obj)))

    dispatch[_Global] = _save_global_name
    dispatch[_rtensor.dtype] = _save_dtype


def _archive_name(f):
    """torch's archive folder: the file name without its extension, or 'archive' for a buffer."""
    if not isinstance(f, str):
        return "archive"
    stem = os.path.splitext(os.path.basename(f))[0]
    return stem if stem and stem.isascii() else "archive"


def _write_record(zf, name, data, nbytes):
    """One stored record whose data starts at a multiple of 64 bytes in the file, as torch's writer."""
    import zipfile

    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = nbytes
    zip64 = nbytes * 1.05 > zipfile.ZIP64_LIMIT
    header = zf.start_dir + 30 + len(name.encode("utf-8")) + (20 if zip64 else 0) + 4
    pad = -header % _ALIGNMENT
    info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    with zf.open(info, "w", force_zip64=zip64) as out:
        for start in builtins.range(0, nbytes, _CHUNK):
            out.write(data[start:start + _CHUNK])


def _storage_bytes(t):
    """A zero-copy view of the bytes of ``t``'s whole storage (``t`` must stay alive meanwhile)."""
    address, nbytes = t._storage_span()
    if nbytes == 0:
        return memoryview(b"")
    return memoryview((ctypes.c_char * nbytes).from_address(address)).cast("B")


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves ``obj`` (tensors and containers of them: dict, OrderedDict, list, tuple, numbers,
    strings, bytes, ...) to ``f`` (a path or a binary file object with ``write``) in the zip format
    of ``torch.save``: ``torch.load`` reads the file, with equal values, dtypes, shapes, strides,
    storage offsets, ``requires_grad`` and storage sharing."""
    if not isinstance(f, (str, os.PathLike)) and not hasattr(f, "write"):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'write' attribute")
    if pickle_module is not pickle:
        raise ValueError("rtensor.save supports only pickle_module=pickle")
    if not _use_new_zipfile_serialization:
        raise RuntimeError(
            "rtensor.save writes only the zip-based format (torch.save's default since PyTorch 1.6); "
            "_use_new_zipfile_serialization=False (the legacy format) is not supported"
        )
    if isinstance(pickle_protocol, builtins.bool) or not isinstance(pickle_protocol, builtins.int):
        raise TypeError(f"pickle_protocol must be int, not {type(pickle_protocol).__name__}")
    if pickle_protocol == 0:
        raise ValueError("rtensor.save needs a binary pickle protocol (1 or higher): protocol 0 cannot "
                         "hold the storage references")
    buf = io.BytesIO()
    pickler = _Pickler(buf, pickle_protocol)
    pickler.dump(obj)
    data_pkl = buf.getvalue()
    storages = list(pickler.storages.values())
    if isinstance(f, (str, os.PathLike)):
        f = os.fspath(f)
        _write_path(f, lambda fh: _write_archive(fh, _archive_name(f), data_pkl, storages, _disable_byteorder_record))
    else:
        _write_archive(f, "archive", data_pkl, storages, _disable_byteorder_record)
        if callable(getattr(f, "flush", None)):
            f.flush()


def _write_path(path, write):
    """Writes a file with ``write(fh)``. An existing regular file is replaced at once by a new one
    written beside it: tensors still mapped from the old file (``load(..., mmap=True)``), which may
    be the very tensors being saved, keep their pages (truncating a mapped file in place would kill
    the process with SIGBUS, as it does torch), and a failed save leaves the old file whole."""
    import tempfile
    import shutil

    tmp = None
    if os.path.isfile(path) and not os.path.islink(path):
        try:
            fd, tmp = tempfile.mkstemp(prefix=".rtensor-save-", dir=os.path.dirname(os.path.abspath(path)))
        except OSError:
            tmp = None  # a directory we may not create files in: write in place
    if tmp is None:
        with open(path, "wb") as fh:
            write(fh)
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _write_archive(fh, archive, data_pkl, storages, disable_byteorder):
    import zipfile

    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        def small(name, data):
            _write_record(zf, f"{archive}/{name}", data, len(data))

        small("data.pkl", data_pkl)
        small(".format_version", b"1")
        small(".storage_alignment", str(_ALIGNMENT).encode())
        if not disable_byteorder:
            small("byteorder", sys.byteorder.encode())
        for key, _, tensor in storages:
            data = _storage_bytes(tensor)
            _write_record(zf, f"{archive}/data/{key}", data, data.nbytes)
        small("version", b"3\n")
        small(".data/serialization_id", f"{int.from_bytes(os.urandom(17), 'big') % 10**40:040d}".encode())


# ---------------------------------------------------------------------------------------- loading


class _StorageType:
    """What a ``torch.<Dtype>Storage`` global unpickles to: the dtype of a persistent storage."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype

    def __repr__(self):
        return f"StorageType(dtype=rtensor.{self.dtype})"


class _LoadedStorage:
    """A storage read from the archive: a 1-D tensor over its bytes; tensors are views of it."""

    __slots__ = ("flat", "numel", "dtype")

    def __init__(self, flat, numel, dtype):
        self.flat, self.numel, self.dtype = flat, numel, dtype


def _int_tuple(values, what):
    if isinstance(values, (str, bytes)) or not isinstance(values, (tuple, list)):
        raise pickle.UnpicklingError(f"rtensor.load: a tensor's {what} must be a tuple of ints, got "
                                     f"{type(values).__name__}")
    if len(values) > _MAX_DIMS:
        raise RuntimeError(f"rtensor.load: a tensor has {len(values)} dimensions (at most {_MAX_DIMS})")
    out = []
    for v in values:
        if type(v) is not builtins.int:
            raise pickle.UnpicklingError(f"rtensor.load: a tensor's {what} must be a tuple of ints, got "
                                         f"an element of type {type(v).__name__}")
        out.append(v)
    return tuple(out)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    """torch._utils._rebuild_tensor_v2: a view of the loaded storage, checked against its length."""
    if not isinstance(storage, _LoadedStorage):
        raise pickle.UnpicklingError(f"rtensor.load: a tensor's storage must be a persistent storage, got "
                                     f"{type(storage).__name__}")
    size, stride = _int_tuple(size, "size"), _int_tuple(stride, "stride")
    if type(storage_offset) is not builtins.int:
        raise pickle.UnpicklingError("rtensor.load: a tensor's storage offset must be an int")
    if type(requires_grad) is not builtins.bool:
        raise pickle.UnpicklingError("rtensor.load: a tensor's requires_grad must be a bool")
    if len(size) != len(stride):
        raise RuntimeError(f"rtensor.load: a tensor has {len(size)} sizes but {len(stride)} strides")
    if storage_offset < 0 or any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise RuntimeError(f"rtensor.load: negative size, stride or storage offset: sizes {list(size)}, "
                           f"strides {list(stride)}, storage offset {storage_offset}")
    numel = 1
    for s in size:
        numel *= s
    if numel > _MAX_NUMEL:
        raise RuntimeError(f"rtensor.load: a tensor of sizes {list(size)} has more than 2**63 - 1 elements")
    if numel == 0 and storage_offset <= _MAX_NUMEL // 8:
        need = 0  # an empty tensor reads nothing (torch accepts any offset for it)
    else:
        need = storage_offset + (sum((s - 1) * st for s, st in zip(size, stride)) + 1 if numel else 0)
    if need > storage.numel:
        itemsize = _ITEMSIZE[storage.dtype]
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {storage_offset}, and "
            f"itemsize {itemsize} requiring a storage size of {need * itemsize} are out of bounds for "
            f"storage of size {storage.numel * itemsize}"
        )
    t = storage.flat.as_strided(size, stride, storage_offset)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    """torch._utils._rebuild_tensor: as v2 without requires_grad."""
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, False, None)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    """torch._utils._rebuild_parameter: an ``rtensor.nn.Parameter`` sharing the loaded data."""
    if not isinstance(data, Tensor) or type(requires_grad) is not builtins.bool:
        raise pickle.UnpicklingError("rtensor.load: a parameter must be rebuilt from a tensor and a bool")
    return Parameter(data, requires_grad)


def _encode(obj, encoding="utf-8"):
    """_codecs.encode as pickle protocol 2 uses it for bytes: latin-1 only."""
    if type(obj) is not str or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("rtensor.load: _codecs.encode is allowed only as (str, 'latin1')")
    return codecs.encode(obj, "latin1")


def _bytearray(*args):
    """bytearray from bytes or an iterable (never bytearray(n), whose n the file would choose)."""
    if args and isinstance(args[0], builtins.int):
        raise pickle.UnpicklingError("rtensor.load: bytearray(int) is not allowed")
    return builtins.bytearray(*args)


def _get_layout(name):
    """torch.serialization._get_layout: the strided layout only."""
    if name != "torch.strided":
        raise pickle.UnpicklingError(f"rtensor.load: unsupported layout {name!r}")
    return strided


def _safe_globals():
    out = {
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "torch.Size": Size,
        "torch.device": _rtensor.device,
        "torch.serialization._get_layout": _get_layout,
        "_codecs.encode": _encode,
        "builtins.bytearray": _bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
        "torch.UntypedStorage": _StorageType("uint8"),
    }
    for dname, sname in _STORAGE_OF.items():
        out[f"torch.{dname}"] = getattr(_rtensor, dname)
        out[f"torch.{sname}"] = _StorageType(dname)
    return out


_SAFE = _safe_globals()
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")


def _wo_message(message):
    """torch's wrapping of a weights-only failure, with rtensor's names."""
    if "was not an allowed global by default" in message:
        return ("Weights only load failed. This file can still be loaded, to do so you have one option, "
                "\033[1mdo it only if you trust the source of the checkpoint\033[0m. \n\t(1) " + UNSAFE_MESSAGE
                + "\n\tWeightsUnpickler error: " + message)
    text = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
    if "is blocked" not in message:
        text += "WeightsUnpickler error: "
    return text + "\n\n" + message


class _Reader:
    """The records of one archive: bounded, checked reads."""

    def __init__(self, fh, end):
        import zipfile
        import zlib

        try:
            self.zf = zipfile.ZipFile(fh)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error,
                UnicodeDecodeError, OverflowError, IndexError, KeyError, NotImplementedError) as e:
            raise _corrupt(e) from None
        if not infos:
            raise RuntimeError("PytorchStreamReader failed reading zip archive: the archive has no records")
        first = infos[0].filename
        if "/" not in first:
            raise RuntimeError(f"file in archive is not in a subdirectory: {first}")
        self.prefix = first.split("/", 1)[0] + "/"
        self.infos = {i.filename: i for i in infos}
        self.end = end
        self.mapping = None  # a private (copy-on-write) mmap of the whole file, with mmap=True

    def mapped(self, name, dtype, numel):
        """A tensor over record ``name`` in the mapping (no copy; pages load when touched), or
        None when the record cannot be mapped (compressed, or its data misaligned for ``dtype``)."""
        import zipfile

        info, mm = self.info(name), self.mapping
        if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
            return None
        head = info.header_offset
        if head < 0 or head + 30 > len(mm) or mm[head:head + 4] != b"PK\x03\x04":
            raise RuntimeError(f"rtensor.load: record '{name}' has no local header; the checkpoint file is "
                               "likely corrupted")
        name_len, extra_len = struct.unpack("<HH", mm[head + 26:head + 30])
        start = head + 30 + name_len + extra_len
        if start + info.file_size > len(mm):
            raise RuntimeError(f"rtensor.load: record '{name}' claims {info.file_size} bytes, more than the "
                               "file holds; the checkpoint file is likely corrupted")
        if numel == 0:
            return _rtensor.empty(0, dtype=getattr(_rtensor, dtype))
        if start % _ITEMSIZE[dtype]:
            return None
        return frombuffer(mm, dtype=getattr(_rtensor, dtype), count=numel, offset=start)

    def has(self, name):
        return self.prefix + name in self.infos

    def info(self, name):
        info = self.infos.get(self.prefix + name)
        if info is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found")
        return info

    def read(self, name, max_size=None):
        """The bytes of record ``name`` in a new bytearray, after checking its sizes against the file."""
        import zipfile
        import zlib

        info = self.info(name)
        size = info.file_size
        if max_size is not None and size > max_size:
            raise RuntimeError(f"rtensor.load: record '{name}' holds {size} bytes (expected at most {max_size})")
        if info.compress_type == zipfile.ZIP_STORED:
            ok = info.compress_size == size and info.header_offset + size <= self.end
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            ok = info.compress_size <= self.end and size <= _MAX_DEFLATE_RATIO * info.compress_size + 64
        else:
            raise RuntimeError(f"rtensor.load: record '{name}' uses compression method {info.compress_type}; "
                               "only stored and deflated records are supported")
        if not ok or info.header_offset < 0:
            raise RuntimeError(f"rtensor.load: record '{name}' claims {size} bytes, more than the file holds; "
                               "the checkpoint file is likely corrupted")
        # A stored record's bytes are in the file, so its buffer is allocated at once; a deflated
        # one grows as its data really decompresses (a lying declared size allocates nothing).
        stored = info.compress_type == zipfile.ZIP_STORED
        out = builtins.bytearray(size if stored else 0)
        view = memoryview(out) if stored else None
        try:
            with self.zf.open(info) as src:
                pos = 0
                while pos < size:
                    chunk = src.read(min(_CHUNK, size - pos))
                    if not chunk:
                        raise EOFError(f"record '{name}' is truncated")
                    if stored:
                        view[pos:pos + len(chunk)] = chunk
                    else:
                        out += chunk
                    pos += len(chunk)
                if size == 0:
                    src.read()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error,
                UnicodeDecodeError, OverflowError, NotImplementedError) as e:
            raise _corrupt(e) from None
        finally:
            if view is not None:
                view.release()
        return out


def _corrupt(e):
    return RuntimeError(
        f"PytorchStreamReader failed reading zip archive: {type(e).__name__}: {e}. If you are seeing this "
        "error, there is a high likelihood that your checkpoint file is corrupted. This can happen if the "
        "checkpoint was not saved properly, was transferred incorrectly, or the file was modified after saving."
    )


def _flat_tensor(buf, dname, swap):
    """A 1-D tensor of ``dname`` over ``buf`` (shared, writable; bfloat16 is widened then converted)."""
    size = _ITEMSIZE[dname]
    if swap and size > 1:
        src = bytes(buf)
        for i in builtins.range(size):
            buf[i::size] = src[size - 1 - i::size]
    if len(buf) == 0:
        return _rtensor.empty(0, dtype=getattr(_rtensor, dname))
    if dname == "bool":
        # a bool byte other than 0/1 would break the core's invariants: normalise, as a cast does
        buf[:] = buf.translate(_BOOL_TABLE)
    if dname == "bfloat16":
        wide = builtins.bytearray(2 * len(buf))
        wide[2::4] = buf[0::2]
        wide[3::4] = buf[1::2]
        return frombuffer(wide, dtype=_rtensor.float32).to(_rtensor.bfloat16)
    return frombuffer(buf, dtype=getattr(_rtensor, dname))


_BOOL_TABLE = bytes([0] + [1] * 255)


class _LocationError(Exception):
    """Carries an error of map_location (the caller's, not the file's) through the unpickler."""


class _Loader:
    """persistent_load and the location rules for one archive."""

    def __init__(self, reader, map_location, swap):
        self.reader, self.map_location, self.swap = reader, map_location, swap
        self.storages = {}

    def _check_location(self, location):
        if location == "cpu":
            return
        if location.startswith("cuda"):
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but rtensor.cuda.is_available() is False. "
                "If you are running on a CPU-only machine, please use rtensor.load with "
                "map_location=rtensor.device('cpu') to map your storages to the CPU."
            )
        raise RuntimeError(
            f"don't know how to restore data location of rtensor.storage.UntypedStorage (tagged with {location})"
        )

    def restore(self, storage, location):
        m = self.map_location
        if m is None:
            self._check_location(location)
        elif isinstance(m, dict):
            self._check_location(_text(m.get(location, location)))
        elif isinstance(m, (str, bytes)):
            self._check_location(_text(m))
        elif type(m).__name__ == "device":
            self._check_location(str(m))
        else:
            from ._tensor_methods import UntypedStorage

            given = UntypedStorage(storage.flat)
            result = m(given, location)
            if result is None:
                self._check_location(location)
            elif result is not given:
                raise TypeError(f"rtensor.load: map_location returned {type(result).__name__}; rtensor accepts "
                                "None or the storage it was given (all storages live on the CPU)")
        return storage

    def persistent_load(self, pid):
        if type(pid) is not tuple or len(pid) != 5:
            raise pickle.UnpicklingError(f"rtensor.load: unsupported persistent id of type {type(pid).__name__}")
        typename, stype, key, location, numel = pid
        if _text(typename) != "storage":
            raise pickle.UnpicklingError(f"Only persistent_load of storage is allowed, but got {typename!r}")
        if not isinstance(stype, _StorageType):
            raise pickle.UnpicklingError(f"rtensor.load: unknown storage type {type(stype).__name__}")
        if type(key) is not str or not isinstance(location, (str, bytes)) or type(numel) is not builtins.int:
            raise pickle.UnpicklingError("rtensor.load: a storage reference must be (str key, str location, int numel)")
        if numel < 0:
            raise RuntimeError(f"rtensor.load: storage '{key}' has a negative size {numel}")
        location = _text(location)
        cached = self.storages.get(key)
        if cached is not None and cached.dtype == stype.dtype:
            return cached
        name = f"data/{key}"
        nbytes = numel * _ITEMSIZE[stype.dtype]
        info = self.reader.info(name)
        if info.file_size != nbytes:
            raise RuntimeError(
                f"rtensor.load: record '{name}' holds {info.file_size} bytes but data.pkl says {numel} elements "
                f"of {stype.dtype} ({nbytes} bytes); the checkpoint file is likely corrupted"
            )
        flat = None
        if self.reader.mapping is not None and stype.dtype not in ("bool", "bfloat16") and not self.swap:
            flat = self.reader.mapped(name, stype.dtype, numel)
        if flat is None:
            flat = _flat_tensor(self.reader.read(name), stype.dtype, self.swap)
        storage = _LoadedStorage(flat, numel, stype.dtype)
        try:
            storage = self.restore(storage, location)
        except Exception as e:  # noqa: BLE001 - the caller's map_location: its error, unwrapped
            raise _LocationError(e) from None
        if cached is None:
            self.storages[key] = storage
        return storage


def _text(value):
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    if not isinstance(value, str):
        raise pickle.UnpicklingError(f"rtensor.load: expected a string, got {type(value).__name__}")
    return value


def _py3_name(module, name):
    """Python 2 names, as pickle protocols < 3 write them (``__builtin__.set``), as Python 3's."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


class _WeightsUnpickler(pickle._Unpickler):
    """Only tensors, containers and primitives: torch's weights_only=True.

    The pure-Python unpickler, so that each risky opcode can be refused: GLOBAL (``find_class``)
    gives only the allowed names; BUILD (which sets attributes) reaches only OrderedDict and
    Counter instances, never an allowed function, class or storage type (that would change it for
    every later load); the copyreg extension opcodes, whose cache bypasses ``find_class``, are
    refused. Its reads are bounded by the record (a claimed length is never allocated up front)
    and its memo is a dict (a claimed index grows nothing)."""

    dispatch = pickle._Unpickler.dispatch.copy()

    def find_class(self, module, name):
        module, name = _py3_name(module, name)
        full = f"{module}.{name}"
        if module in _BLOCKED_MODULES:
            raise pickle.UnpicklingError(
                f"Trying to load unsupported GLOBAL {full} whose module {module} is blocked.")
        obj = _SAFE.get(full)
        if obj is None:
            if full.startswith("builtins."):
                full = full[len("builtins."):]
            raise pickle.UnpicklingError(
                f"Unsupported global: GLOBAL {full} was not an allowed global by default. rtensor.load "
                "accepts only tensors, their containers and primitive values when weights_only=True.")
        return obj

    def _load_build(self):
        inst = self.stack[-2] if len(self.stack) >= 2 else None
        if type(inst) not in (collections.OrderedDict, collections.Counter):
            raise pickle.UnpicklingError(f"Can only build OrderedDict or Counter, but got {type(inst)}")
        pickle._Unpickler.load_build(self)

    def _load_bytearray8(self):
        # pickle's own allocates the claimed length before reading: read first (bounded by the data)
        (size,) = struct.unpack("<Q", self.read(8))
        data = self.read(size)
        if len(data) != size:
            raise pickle.UnpicklingError("pickle data was truncated")
        self.append(builtins.bytearray(data))

    def _refuse_extension(self):
        raise pickle.UnpicklingError("Unsupported operand: the copyreg extension opcodes EXT1/EXT2/EXT4")

    dispatch[pickle.BUILD[0]] = _load_build
    dispatch[pickle.BYTEARRAY8[0]] = _load_bytearray8
    for _code in (pickle.EXT1, pickle.EXT2, pickle.EXT4):
        dispatch[_code[0]] = _refuse_extension
    del _code


def _full_unpickler(base):
    class FullUnpickler(base):
        """Any object (weights_only=False); torch's tensor names map to rtensor's."""

        def find_class(self, module, name):
            module, name = _py3_name(module, name)
            obj = _SAFE.get(f"{module}.{name}")
            return obj if obj is not None else super().find_class(module, name)

    return FullUnpickler


_FULL_UNPICKLER = _full_unpickler(pickle.Unpickler)


def _check_seekable(f):
    try:
        f.seek(f.tell())
    except (io.UnsupportedOperation, AttributeError) as e:
        if "seek" in str(e) or "tell" in str(e):
            raise type(e)(str(e) + ". You can only rtensor.load from a file that is seekable. Please pre-load "
                          "the data into a buffer like io.BytesIO and try to load from it instead.") from None
        raise


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Loads an object saved with ``rtensor.save`` or ``torch.save`` (the zip format, PyTorch >= 1.6)
    from ``f`` (a path or a seekable binary file object). Tensors that shared a storage share memory
    again. ``weights_only=True`` (the default) refuses anything but tensors, containers and primitive
    values; ``weights_only=False`` unpickles any object (only for files you trust).
    ``map_location``: None, 'cpu', ``rtensor.device('cpu')``, a dict of locations or a callable.
    ``mmap=True`` (``f`` a path) maps the file instead of reading it: storages are private
    copy-on-write pages of the file, read when first touched."""
    if weights_only is None:
        weights_only = True
    if weights_only:
        if pickle_module is not None:
            raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
        if pickle_load_args:
            warnings.warn("pickle_load_args only works if `weights_only=False`.")
            pickle_load_args = {k: v for k, v in pickle_load_args.items() if k == "encoding"}
    elif pickle_module is None:
        pickle_module = pickle
    pickle_load_args.setdefault("encoding", "utf-8")
    if map_location is not None and not isinstance(map_location, (str, bytes, dict)) \
            and type(map_location).__name__ != "device" and not callable(map_location):
        raise TypeError(f"'{type(map_location).__name__}' object is not callable")
    if mmap and not isinstance(f, (str, os.PathLike)):
        raise ValueError("f must be a file path in order to use the mmap argument")
    if isinstance(f, (str, os.PathLike)):
        with open(os.fspath(f), "rb") as fh:
            return _load(fh, map_location, pickle_module, weights_only, pickle_load_args, builtins.bool(mmap))
    _check_seekable(f)
    return _load(f, map_location, pickle_module, weights_only, pickle_load_args, False)


def _load(fh, map_location, pickle_module, weights_only, pickle_load_args, use_mmap):
    start = fh.tell()
    magic = fh.read(4)
    end = fh.seek(0, io.SEEK_END)
    fh.seek(start)
    if not isinstance(magic, bytes) or magic != b"PK\x03\x04":
        raise RuntimeError(
            "rtensor.load reads the zip-based format that torch.save writes (PyTorch >= 1.6) and this file is "
            "not a zip archive (empty, corrupted, or torch's legacy format: load it with torch and save it again)"
        )
    reader = _Reader(fh, end)
    if use_mmap and end > 0:
        import mmap

        reader.mapping = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)
    if reader.has("constants.pkl"):
        raise RuntimeError("rtensor.load cannot read TorchScript archives")
    swap = False
    if reader.has("byteorder"):
        order = bytes(reader.read("byteorder", max_size=16))
        if order not in (b"little", b"big"):
            raise ValueError("Unknown endianness type: " + order.decode("utf-8", "replace"))
        swap = order.decode() != sys.byteorder
    else:
        swap = sys.byteorder != "little"
    data = bytes(reader.read("data.pkl"))
    loader = _Loader(reader, map_location, swap)
    try:
        return _unpickle(data, loader, pickle_module, weights_only, pickle_load_args)
    except _LocationError as e:
        raise e.args[0] from None


def _unpickle(data, loader, pickle_module, weights_only, pickle_load_args):
    if weights_only:
        try:
            unpickler = _WeightsUnpickler(io.BytesIO(data), **pickle_load_args)
            unpickler.persistent_load = loader.persistent_load
            return unpickler.load()
        except pickle.UnpicklingError as e:
            raise pickle.UnpicklingError(_wo_message(str(e))) from None
        except (RuntimeError, ValueError, MemoryError, _LocationError):
            raise
        except Exception as e:  # noqa: BLE001 - any other failure of a hostile data.pkl
            raise pickle.UnpicklingError(_wo_message(f"{type(e).__name__}: {e}")) from None
    if pickle_module is pickle:
        cls = _FULL_UNPICKLER
    else:
        cls = _full_unpickler(pickle_module.Unpickler)
    unpickler = cls(io.BytesIO(data), **pickle_load_args)
    unpickler.persistent_load = loader.persistent_load
    return unpickler.load()
