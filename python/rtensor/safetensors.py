"""``rtensor.safetensors``: Hugging Face's safetensors format, with the API of the
``safetensors`` package's ``safetensors.torch`` module: ``save_file``/``load_file`` for files,
``save``/``load`` for bytes. Files interchange with ``safetensors.torch`` and
``safetensors.numpy`` both ways (all ten rtensor dtypes: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL).

``load_file`` memory-maps the file copy-on-write: each tensor's storage is its part of the map
(no copy) where that part is aligned for the dtype, which a file written by any safetensors
writer is; writing to a loaded tensor works and never changes the file. A corrupt or hostile
file raises :class:`SafetensorError`. The Rust half is ``src/python/safetensors.rs`` over the
core's ``src/safetensors.rs`` (the ``safetensors`` crate).
"""

from __future__ import annotations

import errno
import os
import stat
from collections import defaultdict as _defaultdict

from . import _rtensor
from ._rtensor import Tensor
from ._rtensor import _SafetensorError as SafetensorError

__all__ = ["SafetensorError", "load", "load_file", "save", "save_file"]


def _storage_ptr(tensor: Tensor) -> int:
    return tensor.untyped_storage().data_ptr()


def _storage_size(tensor: Tensor) -> int:
    return tensor.untyped_storage().nbytes()


def _end_ptr(tensor: Tensor) -> int:
    if tensor.nelement():
        return tensor.view(-1)[-1].data_ptr() + tensor.element_size()
    return tensor.data_ptr()


def _filter_shared_not_shared(tensors: list[set[str]], state_dict: dict[str, Tensor]) -> list[set[str]]:
    # Tensors of one storage whose element ranges do not overlap are not shared (safetensors.torch).
    filtered = []
    for shared in tensors:
        if len(shared) < 2:
            filtered.append(shared)
            continue
        areas = sorted((state_dict[name].data_ptr(), _end_ptr(state_dict[name]), name) for name in shared)
        _, last_stop, last_name = areas[0]
        filtered.append({last_name})
        for start, stop, name in areas[1:]:
            if start >= last_stop:
                filtered.append({name})
            else:
                filtered[-1].add(name)
            last_stop = stop
    return filtered


def _find_shared_tensors(state_dict: dict[str, Tensor]) -> list[set[str]]:
    tensors = _defaultdict(set)
    for k, v in state_dict.items():
        if _storage_ptr(v) != 0 and _storage_size(v) != 0:
            tensors[(_storage_ptr(v), _storage_size(v))].add(k)
    return _filter_shared_not_shared(list(sorted(tensors.values())), state_dict)


def _check_for_save(tensors: dict[str, Tensor]) -> None:
    """safetensors.torch's checks, in its order and with its exception types and messages."""
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(v)}")
    failing = [names for names in _find_shared_tensors(tensors) if len(names) > 1]
    if failing:
        raise RuntimeError(
            f"""
            Some tensors share memory, this will lead to duplicate memory on disk and potential differences when loading them again: {failing}.
            A potential way to correctly save your model is to use `save_model`.
            More information at https://huggingface.co/docs/safetensors/torch_shared_tensors
            """
        )
    for k, v in tensors.items():
        if not v.is_contiguous():
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. It either means you"
                " are trying to save tensors which are reference of each other in which case it's recommended to save"
                " only the full tensors, and reslice at load time, or simply call `.contiguous()` on your tensor to"
                " pack it before saving."
            )


def save(tensors: dict[str, Tensor], metadata: dict[str, str] | None = None) -> bytes:
    """Saves a dictionary of tensors into raw bytes in safetensors format.

    Args:
        tensors (``dict[str, Tensor]``): the tensors, each contiguous; no two may share memory.
        metadata (``Dict[str, str]``, optional): free-form text saved in the header.

    Returns:
        ``bytes``: the safetensors bytes, which ``load`` (and ``safetensors.torch.load``) reads.

    Example::

        >>> from rtensor.safetensors import save, load
        >>> data = save({"embedding": rtensor.zeros((512, 1024))})
    """
    _check_for_save(tensors)
    return _rtensor._safetensors_serialize(tensors, metadata=metadata)


def save_file(tensors: dict[str, Tensor], filename: str | os.PathLike,
              metadata: dict[str, str] | None = None) -> None:
    """Saves a dictionary of tensors into ``filename`` in safetensors format.

    The file is written beside ``filename`` under a temporary name and renamed over it at the
    end, so tensors still mapped from an older ``filename`` (by ``load_file``) keep their values.
    A symbolic link is followed (its target is replaced); a ``filename`` that exists and is not a
    regular file (a folder, a device) raises :class:`SafetensorError`.

    Args:
        tensors (``dict[str, Tensor]``): the tensors, each contiguous; no two may share memory.
        filename (``str`` or ``os.PathLike``): where to write.
        metadata (``Dict[str, str]``, optional): free-form text saved in the header.

    Example::

        >>> from rtensor.safetensors import save_file
        >>> save_file({"embedding": rtensor.zeros((512, 1024))}, "model.safetensors")
    """
    _check_for_save(tensors)
    # The rename at the end would replace a symbolic link, or a device such as /dev/null, by a
    # regular file: write through links, and refuse anything but a regular file.
    path = os.path.realpath(os.fsdecode(os.fspath(filename)))
    if os.path.exists(path) and not os.path.isfile(path):
        raise SafetensorError(f"Error while serializing: {path} exists and is not a regular file")
    _rtensor._safetensors_serialize_file(tensors, path, metadata=metadata)


def load_file(filename: str | os.PathLike, device: str | int = "cpu") -> dict[str, Tensor]:
    """Loads a safetensors file into a dict of tensors (in the order of their data in the file).

    The file is memory-mapped copy-on-write: a tensor's storage is its part of the map, without a
    copy, where that part is aligned for the dtype (else it is copied). Writing to a loaded
    tensor works and does not change the file. A corrupt or hostile file raises
    :class:`SafetensorError`; a dtype rtensor lacks (U32, F8_E4M3, ...) too.

    Args:
        filename (``str`` or ``os.PathLike``): the file to read.
        device (``str``, ``int`` or ``rtensor.device``): where to put the tensors: the CPU
            (``"cpu"``, the default), the only device rtensor has; another raises the error any
            rtensor factory raises for it.

    Example::

        >>> from rtensor.safetensors import load_file
        >>> loaded = load_file("model.safetensors")
    """
    if _rtensor.empty(0, device=device).device.type != "cpu":  # raises rtensor's error for the device
        raise SafetensorError(f"device {device} is invalid")
    filename = os.fspath(filename)  # a file name, never a descriptor
    if os.path.isdir(filename):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), filename)
    # Non-blocking: opening a FIFO must not wait for a writer (it is refused just below).
    fd = os.open(filename, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SafetensorError(f"Error while deserializing header: {filename!r} is not a regular file")
        return _rtensor._safetensors_load_fd(fd)
    finally:
        os.close(fd)


def load(data: bytes) -> dict[str, Tensor]:
    """Loads safetensors bytes (a whole file's content) into a dict of tensors (copies).

    Args:
        data (``bytes``): the content of a safetensors file.

    Example::

        >>> from rtensor.safetensors import save, load
        >>> load(save({"a": rtensor.ones(2)}))["a"]
        tensor([1., 1.])
    """
    return _rtensor._safetensors_deserialize(data)
