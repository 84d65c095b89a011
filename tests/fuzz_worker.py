"""Calls every public rtensor function (rt, rt.linalg, rt.autograd, rt.special and every registry
namespace) and Tensor method with random and hostile arguments.

Run by tests/test_fuzz.py in a subprocess (a crash must not take pytest down); usable by hand:

    python tests/fuzz_worker.py --seed 1 --calls 5000          # a run
    python tests/fuzz_worker.py --seed 1 --only 1234 --verbose  # replay one call
    python tests/fuzz_worker.py --systematic                    # every callable x every HOSTILE value

Every call is generated from its own ``random.Random(f"{seed}:{index}")``, so a call can be replayed
alone by its index. A call passes when it returns (its result is then printed with ``repr``) or raises
an ordinary exception (``ALLOWED``). It fails when it raises pyo3's ``PanicException`` (a
``BaseException``, so caught explicitly), ``SystemError``, or another unexpected type; a segfault or
abort kills the process (the parent sees the exit code and the last ``S`` line), a hang is cut short
by faulthandler's watchdog (exit code 3 plus a traceback on stderr).

Output, one line each, flushed: ``S <index> <description>`` before each call,
``F <json>`` for each failed call, ``D <indexed calls> <chained calls> <stats>`` when done. A call
whose result is a tensor is sometimes followed by up to two method calls on that result (same
index, an ``S`` line each, described as ``first(...) then Tensor.method(...)``).

The address space is capped (``--mem-gb``) so that sizes that would need more memory than the cap
fail fast and exercise the allocation-failure paths instead of paging the machine to death.
"""

import argparse
import faulthandler
import gc
import inspect
import json
import math
import os
import pickle
import random
import resource
import sys
import time

import numpy as np

import re

import rtensor as rt

ALLOWED = (
    TypeError,
    ValueError,
    IndexError,
    RuntimeError,  # includes NotImplementedError and RecursionError
    OverflowError,
    MemoryError,
    ZeroDivisionError,
    BufferError,  # __dlpack__ of a tensor that requires grad, as in torch
    AssertionError,  # CUDA in a build without it, and rt.testing.assert_close, as in torch
    OSError,  # rt.save / rt.load / rt.safetensors.load_file on a path that cannot be opened, as in torch
    pickle.PickleError,  # rt.save of an unpicklable object, rt.load of a refused or corrupt pickle
    rt.safetensors.SafetensorError,  # a corrupt safetensors buffer, as the safetensors package
)

# ---------------------------------------------------------------------------------------- targets

# Names whose call would change the process for every later call beyond what `restore` undoes.
SKIP_FUNCTIONS = {"printoptions"}  # a context manager factory: harmless, but returns a generator
SKIP_DUNDERS = {
    "__class__", "__init_subclass__", "__subclasshook__", "__new__", "__init__", "__getattribute__",
    "__dir__", "__doc__", "__module__", "__delattr__", "__setattr__", "__sizeof__", "__reduce_ex__",
    "__getstate__",
}


def _public(module, prefix):
    out = []
    for name in sorted(dir(module)):
        if name.startswith("_") or name in SKIP_FUNCTIONS:
            continue
        obj = getattr(module, name)
        if inspect.ismodule(obj) or isinstance(obj, rt.dtype):
            continue
        if callable(obj):
            out.append((f"{prefix}{name}", obj))
    return out


def targets():
    """Every public callable: (name, kind, object). kind is 'func', 'method', 'getter' or 'setter'."""
    out = [(n, "func", f) for n, f in _public(rt, "rt.")]
    out += [(n, "func", f) for n, f in _public(rt.linalg, "rt.linalg.")]
    out += [(n, "func", f) for n, f in _public(rt.autograd, "rt.autograd.")]
    out += [(n, "func", f) for n, f in _public(rt.special, "rt.special.")]
    for ns in ("cuda", "backends.mps", "backends.cudnn", "testing", "safetensors", "nn", "nn.functional", "nn.init", "nn.utils",
               "optim", "optim.lr_scheduler", "utils.data"):
        mod = rt
        for part in ns.split("."):
            mod = getattr(mod, part)
        out += [(n, "func", f) for n, f in _public(mod, f"rt.{ns}.")]
    # Every namespace the op registry installs into (rtensor.special, later ones too), and every registry
    # name or alias with a namespace ("special.expit") or a leading underscore, whether or not a module
    # re-exports it.
    seen = {n for n, _, _ in out}
    for ns, funcs in sorted(getattr(rt._rtensor, "_namespaces", {}).items()):
        for name, f in sorted(funcs.items()):
            if f"rt.{ns}.{name}" not in seen and callable(f):
                out.append((f"rt.{ns}.{name}", "func", f))
                seen.add(f"rt.{ns}.{name}")
    for entry in rt._rtensor._registry():
        for name in [entry["name"]] + list(entry["aliases"]):
            # Namespaced names, and private ones (`_standard_gamma`) that _public leaves out.
            if ("." not in name and not name.startswith("_")) or f"rt.{name}" in seen:
                continue
            obj = rt
            for part in name.split("."):
                obj = getattr(obj, part, None)
            if callable(obj):
                out.append((f"rt.{name}", "func", obj))
                seen.add(f"rt.{name}")
    out += [(n, "func", f) for n, f in _public(rt.return_types, "rt.return_types.")]
    for name in sorted(dir(rt.Tensor)):
        if name in SKIP_DUNDERS or (name.startswith("_") and not name.startswith("__")):
            continue
        raw = inspect.getattr_static(rt.Tensor, name)
        if isinstance(raw, (property,)) or type(raw).__name__ == "getset_descriptor":
            out.append((f"Tensor.{name}", "getter", name))
            if getattr(raw, "fset", True) is not None:  # getset descriptors: try setting too
                out.append((f"Tensor.{name}=", "setter", name))
        elif callable(getattr(rt.Tensor, name)):
            out.append((f"Tensor.{name}", "method", getattr(rt.Tensor, name)))
        else:
            out.append((f"Tensor.{name}", "getter", name))
    return out


# ---------------------------------------------------------------------------------------- values

DTYPES = [rt.float32, rt.float64, rt.int32, rt.int64, rt.bool]
NP_DTYPES = {rt.float32: np.float32, rt.float64: np.float64, rt.int32: np.int32, rt.int64: np.int64,
             rt.bool: np.bool_}
SHAPES = [(), (0,), (1,), (3,), (2, 3), (3, 2), (1, 4, 1), (2, 0, 3), (4, 4), (2, 3, 4), (2, 1, 3, 1),
          (0, 0), (1,) * 7, (65,), (3, 3, 3)]
HUGE_RATE = 0.0  # set from --huge-rate
HUGE_INTS = [2**31 - 1, 2**31, 2**32, 2**40, 2**62, 2**63 - 1, 2**63, 2**64, -2**63, -2**64, 10**30,
             -10**30, 2**1000]
SMALL_INTS = [0, 1, 2, 3, -1, -2, -3, 4, 5, 7, 100]
FLOATS = [0.0, -0.0, 0.5, 1.5, -2.5, 3.0, float("nan"), float("inf"), -float("inf"), 1e308, -1e308,
          5e-324, 2.0**63, 1e20, -1e-20]


class SelfList(list):
    """A list that contains itself: naive recursive conversion never ends."""


def self_list():
    a = [1.0]
    a.append(a)
    return a


def deep_list(depth, leaf=1.0):
    x = leaf
    for _ in range(depth):
        x = [x]
    return x


def special_values(rng, n, dtype):
    if dtype in (rt.float32, rt.float64):
        pool = [0.0, -0.0, 1.0, -1.5, float("nan"), float("inf"), -float("inf"), 1e30, -1e-30, 3.25]
        if dtype is rt.float64:
            pool += [1e300, -1e300, 5e-324]
        return [rng.choice(pool) if rng.random() < 0.3 else rng.uniform(-5, 5) for _ in range(n)]
    if dtype is rt.bool:
        return [rng.random() < 0.5 for _ in range(n)]
    lim = 2**31 - 1 if dtype is rt.int32 else 2**63 - 1
    pool = [0, 1, -1, lim, -lim - 1, 2, 3]
    return [rng.choice(pool) if rng.random() < 0.3 else rng.randint(-5, 5) for _ in range(n)]


# Views of one element with more elements than the worker's address space can hold: every op
# that materialises them (copies, conversions, outputs of their size) must fail with an error.
HUGE_SHAPES = [(2**33,), (2**40,), (2**62,), (2**20, 2**20), (2**31, 1, 4), (3, 2**34), (2**16, 2**16, 2**16)]


def make_tensor(rng, shape=None, dtype=None, allow_grad=True):
    """A small tensor with random dtype, shape, values and layout (views, strides, grad)."""
    if shape is None and HUGE_RATE and rng.random() < HUGE_RATE:
        dtype = dtype or rng.choice(DTYPES)
        big = rng.choice(HUGE_SHAPES)
        t = rt.ones((1,) * len(big), dtype=dtype).expand(*big)
        if dtype.is_floating_point and allow_grad and rng.random() < 0.3:
            t = rt.ones((1,) * len(big), dtype=dtype).requires_grad_().expand(*big)
        return t
    if shape is None and dtype in (None, rt.float32) and rng.random() < 0.04:
        # Memory borrowed from numpy: read-only pages, or a Fortran-ordered array.
        if rng.random() < 0.5:
            return rt.from_numpy(read_only_array())
        return rt.from_numpy(np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4)))
    dtype = dtype or rng.choice(DTYPES)
    shape = shape if shape is not None else rng.choice(SHAPES)
    n = math.prod(shape)
    base = np.array(special_values(rng, n, dtype), dtype=NP_DTYPES[dtype]).reshape(shape)
    t = rt.tensor(base.tolist(), dtype=dtype) if shape else rt.tensor(base.item(), dtype=dtype)
    r = rng.random()
    if r < 0.12 and t.ndim >= 2:
        t = t.transpose(0, t.ndim - 1)
    elif r < 0.2 and t.ndim >= 1 and t.shape[0] >= 2:
        t = rt.cat([t, t])[::2]
    elif r < 0.26 and t.ndim >= 1 and t.shape[-1] == 1:
        t = t.expand(*t.shape[:-1], 3)
    elif r < 0.3:
        t = t.unsqueeze(0).expand(2, *t.shape)
    if allow_grad and dtype.is_floating_point and rng.random() < 0.2:
        leaf = t.detach().clone().requires_grad_()
        t = leaf * 2.0 if rng.random() < 0.5 else leaf
    return t


_READ_ONLY_PAGE = None


def read_only_array():
    """A numpy array over a page mapped without write permission: a write through it faults."""
    global _READ_ONLY_PAGE
    import mmap

    if _READ_ONLY_PAGE is None:
        _READ_ONLY_PAGE = mmap.mmap(-1, 4096, prot=mmap.PROT_READ)
    return np.frombuffer(_READ_ONLY_PAGE, dtype=np.float32, count=6).reshape(2, 3)


def np_array(rng):
    kinds = [
        read_only_array,
        lambda: np.zeros((2, 3), dtype=np.float16),
        lambda: np.ones(3, dtype=np.complex64),
        lambda: np.array([1, "a", None], dtype=object),
        lambda: np.array(["ab", "c"]),
        lambda: np.arange(6, dtype=np.uint8).reshape(2, 3),
        lambda: np.arange(4, dtype=np.int8),
        lambda: np.arange(4, dtype=np.uint16),
        lambda: np.array([2**64 - 1], dtype=np.uint64),
        lambda: np.array([True, False]),
        lambda: np.array(["2020-01-01"], dtype="datetime64[D]"),
        lambda: np.zeros(2, dtype=[("a", np.int32), ("b", np.float64)]),
        lambda: np.array(3.5),
        lambda: np.zeros((0, 3), dtype=np.float32),
        lambda: np.arange(12, dtype=np.float64).reshape(3, 4)[:, ::-1],
        lambda: np.arange(12, dtype=np.float32).reshape(3, 4).T,
        lambda: np.arange(12, dtype=np.int64)[::3],
        lambda: np.lib.stride_tricks.as_strided(np.zeros(1), shape=(4, 5), strides=(0, 0)),
        lambda: np.full((2, 2), np.nan),
        lambda: np.zeros((1,) * 32),
        lambda: np.array([[1, 2], [3, 4]], dtype=">i4"),
        lambda: np.arange(6, dtype=np.float32).reshape(2, 3).copy(order="F"),
        lambda: np.ma.masked_array([1.0, 2.0], mask=[0, 1]),
        lambda: np.float16(1.5),
        lambda: np.int8(-3),
        lambda: np.uint64(2**64 - 1),
        lambda: np.bool_(True),
        lambda: np.complex128(1 + 2j),
        lambda: np.float64("nan"),
        lambda: np.int64(-(2**63)),
    ]
    a = rng.choice(kinds)()
    if isinstance(a, np.ndarray) and rng.random() < 0.2:
        a.flags.writeable = False
    return a


class Weird:
    """Objects that lie about themselves."""

    def __index__(self):
        raise ValueError("no index")

    def __len__(self):
        return -1

    def __float__(self):
        return 1.0


class BadLen:
    def __len__(self):
        return 2**62

    def __getitem__(self, i):
        if i < 3:
            return 1
        raise IndexError(i)


class IndexOnly:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v


def junk(rng, depth=0):
    """Anything at all."""
    kinds = [
        lambda: None, lambda: "abc", lambda: "", lambda: b"xy", lambda: bytearray(b"z"), lambda: object(),
        lambda: [], lambda: (), lambda: {}, lambda: {"dim": 1}, lambda: {1, 2}, lambda: slice(None),
        lambda: ..., lambda: (lambda x: x), lambda: 1 + 2j, lambda: rng.choice(HUGE_INTS),
        lambda: rng.choice(SMALL_INTS), lambda: rng.choice(FLOATS), lambda: rng.choice([True, False]),
        lambda: rng.choice(DTYPES), lambda: np_array(rng), lambda: make_tensor(rng), lambda: Weird(),
        lambda: BadLen(), lambda: IndexOnly(rng.choice(SMALL_INTS + HUGE_INTS)), lambda: rt.Size([2, 3]),
        lambda: nested(rng), lambda: self_list(), lambda: deep_list(rng.choice([50, 1000, 20000])),
        lambda: [make_tensor(rng) for _ in range(rng.randint(0, 3))], lambda: int, lambda: float,
        lambda: rt.Tensor, lambda: np.float32, lambda: range(3), lambda: iter([1, 2]), lambda: "float32",
        lambda: memoryview(b"abcd"), lambda: sizes(rng), lambda: dims(rng),
    ]
    if depth < 2:
        kinds.append(lambda: [junk(rng, depth + 1) for _ in range(rng.randint(1, 3))])
        kinds.append(lambda: tuple(junk(rng, depth + 1) for _ in range(rng.randint(1, 3))))
    return rng.choice(kinds)()


def nested(rng):
    """Nested lists: regular, ragged, mixed types, tensors inside, empty."""
    kinds = [
        lambda: [[1, 2], [3]],
        lambda: [[1.0, 2.0], [3.0, 4.0]],
        lambda: [1, 2.5, True],
        lambda: [[[]]],
        lambda: [[], []],
        lambda: [[], [1]],
        lambda: [1, [2]],
        lambda: [[1], 2],
        lambda: [1, "a"],
        lambda: [1, None],
        lambda: [2**64],
        lambda: [2**63, -1],
        lambda: [float("nan"), float("inf")],
        lambda: [1 + 1j],
        lambda: [rt.tensor(1.0), 2],
        lambda: [rt.zeros(2), rt.zeros(3)],
        lambda: [rt.zeros(2), [1, 2]],
        lambda: [rt.zeros(0)],
        lambda: [[rt.zeros(2)], [rt.zeros(2)]],
        lambda: [np.float16(1), np.int8(2)],
        lambda: [np.zeros(2), np.zeros(3)],
        lambda: (1, 2),
        lambda: [(1, 2), [3, 4]],
        lambda: [True, 2**62],
        lambda: [[1, 2]] * 3,
        lambda: [b"ab"],
        lambda: ["1.5"],
        lambda: [IndexOnly(1)],
        lambda: [Weird()],
        lambda: [[[1, 2], [3, 4]], [[5, 6], [7]]],
        lambda: deep_list(rng.choice([10, 64, 200])),
        lambda: [0.5] * rng.choice([0, 1, 1000]),
    ]
    return rng.choice(kinds)()


def an_int(rng):
    r = rng.random()
    if r < 0.6:
        return rng.choice(SMALL_INTS)
    if r < 0.85:
        return rng.choice(HUGE_INTS)
    return rng.choice([True, False, np.int64(2), np.int32(-1), IndexOnly(2), 2.0, float("nan")])


def a_dim(rng):
    r = rng.random()
    if r < 0.75:
        return rng.randint(-5, 5)
    if r < 0.9:
        return rng.choice(HUGE_INTS)
    return rng.choice([None, (0, 0), (0, -1), (), [1, 0], (0, 1, 2, 3, 4, 5, 6, 7, 8), "x", 1.0])


def dims(rng):
    return tuple(a_dim(rng) if rng.random() < 0.2 else rng.randint(-4, 4) for _ in range(rng.randint(0, 4)))


def a_size(rng):
    r = rng.random()
    if r < 0.7:
        return rng.choice([0, 1, 2, 3, 4, 5])
    if r < 0.8:
        return rng.choice([-1, -2, -(2**62)])
    return rng.choice(HUGE_INTS + [2**20, 2**33, 2**36])


def sizes(rng):
    n = rng.choice([0, 1, 1, 2, 2, 3, 4, 9])
    s = tuple(a_size(rng) for _ in range(n))
    r = rng.random()
    if r < 0.1:
        return list(s)
    if r < 0.15:
        return rt.Size([abs(x) % 7 for x in s])
    return s


def a_scalar(rng):
    r = rng.random()
    if r < 0.4:
        return rng.choice(SMALL_INTS)
    if r < 0.8:
        return rng.choice(FLOATS)
    if r < 0.9:
        return rng.choice(HUGE_INTS)
    return rng.choice([True, False, 1 + 1j, np.float16(2), np.uint64(2**64 - 1), np.float64("nan")])


def index_item(rng):
    kinds = [
        lambda: rng.randint(-4, 4),
        lambda: rng.choice(HUGE_INTS),
        lambda: slice(rng.choice([None, 0, 1, -1, 2**63, -(2**70)]), rng.choice([None, 2, -1, 2**64]),
                      rng.choice([None, 1, 2, -1, 0, 2**63, 3])),
        lambda: None,
        lambda: ...,
        lambda: rng.choice([True, False]),
        lambda: make_tensor(rng, dtype=rng.choice([rt.int64, rt.int32, rt.bool]), allow_grad=False),
        lambda: make_tensor(rng, dtype=rt.float32, allow_grad=False),
        lambda: [rng.randint(-3, 3) for _ in range(rng.randint(0, 3))],
        lambda: [[0, 1], [1, 0]],
        lambda: [True, False],
        lambda: np.array([0, 1]),
        lambda: np.array([True, False, True]),
        lambda: 1.5,
        lambda: "a",
        lambda: IndexOnly(1),
        lambda: [0, None],
        lambda: rt.tensor(2**62),
        lambda: [slice(None)],
    ]
    return rng.choice(kinds)()


def index_key(rng):
    if rng.random() < 0.4:
        return index_item(rng)
    return tuple(index_item(rng) for _ in range(rng.randint(0, 6)))


def a_tensor_arg(rng):
    r = rng.random()
    if r < 0.8:
        return make_tensor(rng)
    if r < 0.9:
        return a_scalar(rng)
    return junk(rng)


def a_dtype(rng):
    r = rng.random()
    if r < 0.8:
        return rng.choice(DTYPES)
    return rng.choice([None, "float32", np.float32, float, int, bool, 3, rt.Tensor])


EINSUM = ["ij,jk->ik", "ii->i", "ii", "i,i->", "...ij,...jk", "ij->", "ij->jj", "a,b->ab", "", "->",
          "ij,jk,kl->il", "i->i->i", "..., ...", "ab...,b...->a", "AZ,Zb", "i j , j k", "ij,jk->ikk",
          "...ii->...i", "iii", "i,j,k,l,m,n,o,p,q,r,s,t,u->", "\u00e9", "ij,jk->", "....", "i,"]


def for_name(rng, name, tensor_like_first=False):
    """A plausible value for a parameter called `name` (sometimes junk)."""
    n = name.lower()
    if rng.random() < 0.12:
        return junk(rng)
    if n in ("dim", "axis", "dim0", "dim1", "axis0", "axis1", "start_dim", "end_dim", "source",
             "destination"):
        return a_dim(rng) if rng.random() < 0.85 else dims(rng)
    if n in ("dims",):
        return dims(rng)
    if n in ("keepdim", "keepdims", "unbiased", "requires_grad", "retain_graph", "create_graph",
             "descending", "allow_unused", "non_blocking", "copy", "pin_memory", "materialize_grads",
             "is_grads_batched", "flag", "mode", "enabled", "inplace", "largest", "sorted",
             "raise_exception", "check_undefined_grad", "fast_mode"):
        return rng.choice([True, False, True, None, 1, 0, 2])
    if n in ("dtype",):
        return a_dtype(rng)
    if n in ("size", "shape", "sizes", "stride"):
        return sizes(rng) if rng.random() < 0.6 else a_size(rng)
    if n in ("ord", "p"):
        return rng.choice([2, 1, 0, -1, 3.5, float("inf"), -float("inf"), float("nan"), "fro", "nuc",
                           -2, None, "bad", 2**70])
    if n in ("equation",):
        return rng.choice(EINSUM)
    if n in ("start", "end", "step", "low", "high", "steps", "n", "m", "length", "index", "chunks",
             "split_size_or_sections", "split_size", "sections", "seed", "num", "number"):
        r = rng.random()
        if r < 0.5:
            return an_int(rng)
        if r < 0.7:
            return rng.choice(FLOATS)
        if r < 0.85 and n in ("split_size_or_sections", "sections", "split_size", "end", "start"):
            return [rng.randint(-1, 3) for _ in range(rng.randint(0, 3))]
        return a_scalar(rng)
    if n in ("min", "max", "value", "fill_value", "alpha", "exponent", "scalar", "correction", "eps",
             "atol", "rtol", "beta", "base"):
        return a_tensor_arg(rng) if rng.random() < 0.3 else a_scalar(rng)
    if n in ("rounding_mode",):
        return rng.choice([None, "trunc", "floor", "bogus", 1])
    if n in ("data", "obj", "array", "ndarray", "ext_tensor"):
        r = rng.random()
        if r < 0.3:
            return nested(rng)
        if r < 0.6:
            return np_array(rng)
        if r < 0.8:
            return make_tensor(rng)
        return junk(rng)
    if n in ("tensors", "grad_tensors", "inputs", "outputs", "grad_outputs", "operands"):
        r = rng.random()
        if r < 0.7:
            k = rng.randint(0, 4)
            same = make_tensor(rng)
            return [same.clone() if rng.random() < 0.5 else make_tensor(rng) for _ in range(k)]
        return junk(rng)
    if n in ("device",):
        return rng.choice([None, "cpu", "cuda", "cpu:0", "cpu:1", "meta", 0, -1, "x"])
    if n in ("generator", "layout", "memory_format", "out", "names"):
        return rng.choice([None, None, make_tensor(rng), "x"])
    if n in ("precision", "threshold", "edgeitems", "linewidth", "profile", "sci_mode"):
        return rng.choice([None, 0, 1, 4, -1, 2**62, 1.5, "default", "short", "full", True, "x"])
    if n in ("func", "fn"):
        return rng.choice([lambda *a: a[0] * 2 if a else None, None, "x", lambda *a: 1 / 0])
    if n in ("key",):
        return index_key(rng)
    if n in ("gradient", "grad"):
        return rng.choice([None, make_tensor(rng), make_tensor(rng, dtype=rt.float32), 1.0])
    return a_tensor_arg(rng)


def hostile_creation_args(rng):
    """Size varargs for factories: the classic crashers."""
    return list(rng.choice([
        (2**62,), (2**40,), (-1,), (2, -1), (2**31, 2**31), (2**64,), (2**63,), (2**33, 0),
        (0, 2**63 - 1), ((2**31, 2**31, 2**31),), (2**20, 2**20), ([3, -2],), ((),), (2**34,),
        (3, 2**61), (1,) * 40, (1,) * 70,
    ]))


# ---------------------------------------------------------------------------------------- calls

def gen_args(rng, name, obj, kind):
    """Positional and keyword arguments for one call."""
    try:
        sig = inspect.signature(obj)
        params = list(sig.parameters.values())
    except (TypeError, ValueError):
        params = None
    if kind == "method" and params:
        params = params[1:]  # self comes from the receiver
    args, kwargs = [], {}
    if params is None or rng.random() < 0.08:
        # Unknown signature (or on purpose): anything at all.
        for _ in range(rng.randint(0, 4)):
            args.append(junk(rng) if rng.random() < 0.4 else a_tensor_arg(rng))
        return args, kwargs
    for p in params:
        if p.kind == p.VAR_POSITIONAL:
            if p.name in ("size", "shape", "sizes") and rng.random() < 0.25:
                args.extend(hostile_creation_args(rng))
                continue
            k = rng.choice([0, 1, 1, 2, 2, 3, 4])
            one = rng.random() < 0.3  # sometimes one sequence instead of varargs
            if p.name in ("size", "shape", "sizes", "dims"):
                if one:
                    args.append(sizes(rng) if p.name != "dims" else dims(rng))
                else:
                    args.extend(a_size(rng) if p.name != "dims" else a_dim(rng) for _ in range(k))
            elif p.name in ("operands", "tensors", "args"):
                args.extend(make_tensor(rng) for _ in range(k))
            else:
                args.extend(for_name(rng, p.name) for _ in range(k))
        elif p.kind == p.VAR_KEYWORD:
            if rng.random() < 0.2:
                kwargs[rng.choice(["dim", "bogus", "dtype", "out"])] = junk(rng)
        elif p.default is p.empty or rng.random() < 0.5:
            v = for_name(rng, p.name)
            if p.kind in (p.POSITIONAL_ONLY,) or (p.kind == p.POSITIONAL_OR_KEYWORD and not kwargs
                                                   and rng.random() < 0.7):
                args.append(v)
            else:
                kwargs[p.name] = v
        elif rng.random() < 0.1 and p.kind == p.POSITIONAL_OR_KEYWORD and not kwargs:
            break  # stop here: later optionals keep their defaults
    if rng.random() < 0.05:
        args.append(junk(rng))  # one too many
    if rng.random() < 0.05 and args:
        args.pop()  # one too few
    return args, kwargs


# Ops that read every element into a small result: on a huge view they run for minutes (as in
# torch) without ever allocating, so the huge views are kept away from them.
FULL_SCAN = ("sum", "mean", "prod", "min", "max", "argm", "all", "any", "count_nonzero", "std", "var",
             "logsumexp", "norm", "dot", "mv", "mm", "matmul", "einsum", "backward", "grad", "item",
             "__bool__", "__float__", "__int__", "__index__", "trap", "cov", "corrcoef", "inner")


def gen_call(seed, index, table):
    """The call number `index`: (name, thunk, description)."""
    global HUGE_RATE
    rng = random.Random(f"{seed}:{index}")
    name, kind, obj = rng.choice(table)
    rate = HUGE_RATE
    if any(k in name for k in FULL_SCAN):
        HUGE_RATE = 0.0
    try:
        return _gen_call(rng, name, kind, obj)
    finally:
        HUGE_RATE = rate


# The systematic pass: every callable with each of these as its only argument (after the receiver
# for methods), then with each as the second argument after a plausible first one.
HOSTILE = [
    lambda rng: None, lambda rng: -1, lambda rng: -(2**63), lambda rng: 2**63, lambda rng: 2**64,
    lambda rng: 2**1000, lambda rng: 2**62, lambda rng: 2**31, lambda rng: float("nan"),
    lambda rng: float("inf"), lambda rng: -0.0, lambda rng: 1 + 1j, lambda rng: "abc", lambda rng: "",
    lambda rng: b"xy", lambda rng: [], lambda rng: [[1, 2], [3]], lambda rng: deep_list(5000),
    lambda rng: self_list(), lambda rng: (0, 0), lambda rng: (2**62, 2**62), lambda rng: (-1, -1),
    lambda rng: slice(None, None, -1), lambda rng: ..., lambda rng: object(), lambda rng: Weird(),
    lambda rng: BadLen(), lambda rng: IndexOnly(2**63), lambda rng: rt.float64, lambda rng: rt.bool,
    lambda rng: np.zeros(3, dtype=np.float16), lambda rng: np.array([1, "a"], dtype=object),
    lambda rng: np.array(["ab"]), lambda rng: np.ones(2, dtype=np.complex64), lambda rng: read_only_array(),
    lambda rng: rt.zeros(0), lambda rng: rt.tensor(float("nan")), lambda rng: rt.zeros(2, 0, 3),
    lambda rng: rt.ones(1).expand(2**40), lambda rng: rt.ones(3, requires_grad=True) * 2,
    lambda rng: rt.arange(12.0).reshape(3, 4).t(), lambda rng: rt.tensor([True, False]),
    lambda rng: rt.tensor(2**62), lambda rng: rt.zeros((1,) * 64),
]


def systematic_call(index, table):
    """Call `index` of the systematic pass (len(table) * 2 * len(HOSTILE) calls in all)."""
    rng = random.Random(f"systematic:{index}")
    per_target = 2 * len(HOSTILE)
    name, kind, obj = table[(index // per_target) % len(table)]
    j = index % per_target
    value = HOSTILE[j % len(HOSTILE)](rng)
    if isinstance(value, rt.Tensor) and value.numel() > 2**30 and any(k in name for k in FULL_SCAN):
        value = rt.ones(1).expand(2**16)  # a full scan of 2**40 elements would only be slow
    second = j >= len(HOSTILE)
    recv = rng.choice([rt.arange(6.0).reshape(2, 3), rt.tensor(3), rt.zeros(0), rt.ones(3, 1).expand(3, 4)])
    if kind == "getter":
        recv = value if second and isinstance(value, rt.Tensor) else recv
        return name, (lambda: getattr(recv, obj)), [recv], {}
    if kind == "setter":
        return name, (lambda: setattr(recv, obj, value)), [recv, value], {}
    if second:
        first = rng.choice([0, 1, -1, rt.ones(2, 3), (2, 3), "fro", rt.float32])
        args = [first, value]
    else:
        args = [value]
    if kind == "method":
        return name, (lambda: obj(recv, *args)), [recv] + args, {}
    return name, (lambda: obj(*args)), args, {}


def _gen_call(rng, name, kind, obj):
    if kind == "getter":
        recv = make_tensor(rng)
        return name, (lambda: getattr(recv, obj)), [recv], {}
    if kind == "setter":
        recv = make_tensor(rng)
        value = for_name(rng, obj) if rng.random() < 0.6 else junk(rng)
        return name, (lambda: setattr(recv, obj, value)), [recv, value], {}
    if kind == "method":
        recv = make_tensor(rng) if rng.random() < 0.95 else junk(rng)
        if name in ("Tensor.__getitem__", "Tensor.__delitem__"):
            args, kwargs = [index_key(rng)], {}
        elif name == "Tensor.__setitem__":
            value = rng.choice([a_scalar(rng), make_tensor(rng), nested(rng), np_array(rng), junk(rng)])
            args, kwargs = [index_key(rng), value], {}
        else:
            args, kwargs = gen_args(rng, name, obj, kind)
        return name, (lambda: obj(recv, *args, **kwargs)), [recv] + args, kwargs
    if name in ("rt.empty", "rt.zeros", "rt.ones", "rt.rand", "rt.randn") and rng.random() < 0.3:
        args, kwargs = hostile_creation_args(rng), {}
    else:
        args, kwargs = gen_args(rng, name, obj, kind)
    return name, (lambda: obj(*args, **kwargs)), args, kwargs


# ---------------------------------------------------------------------------------------- description

def describe(v, depth=0, seen=None):
    """A short, crash-free description of a value (tensors by metadata, not values)."""
    seen = seen if seen is not None else set()
    if depth > 4:
        return "..."
    if isinstance(v, rt.Tensor):
        try:
            extra = []
            if not v.is_contiguous():
                extra.append(f"strides={v.stride()}")
            if v.requires_grad:
                extra.append("requires_grad" + ("" if v.is_leaf else ", non-leaf"))
            return f"<tensor {str(v.dtype).replace('torch', 'rt')} {list(v.shape)}{' ' if extra else ''}" \
                   f"{', '.join(extra)}>"
        except BaseException as e:  # noqa: BLE001 - describing must never fail
            return f"<tensor ?{type(e).__name__}>"
    if isinstance(v, np.ndarray):
        return f"np.ndarray(dtype={v.dtype}, shape={v.shape}, strides={v.strides})"
    if isinstance(v, (list, tuple)):
        if id(v) in seen:
            return "<self>"
        seen = seen | {id(v)}
        items = [describe(x, depth + 1, seen) for x in v[:6]]
        if len(v) > 6:
            items.append(f"...({len(v)} items)")
        body = ", ".join(items)
        if isinstance(v, tuple):
            return f"({body}{',' if len(v) == 1 else ''})"
        return f"[{body}]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {describe(x, depth + 1, seen)}" for k, x in v.items()) + "}"
    try:
        r = repr(v)
    except BaseException:  # noqa: BLE001
        r = f"<{type(v).__name__}>"
    return r if len(r) < 80 else r[:77] + "..."


def describe_call(name, args, kwargs):
    parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


# ---------------------------------------------------------------------------------------- driver

def restore(state):
    """Undoes global settings a call may have changed, so each call sees the same process."""
    dtype, threads = state
    try:
        rt.set_default_dtype(dtype)
        rt.set_num_threads(threads)
        rt.autograd.set_grad_enabled(True)
        rt.set_printoptions(profile="default")
    except BaseException as e:  # noqa: BLE001
        print(f"F {json.dumps({'kind': 'restore', 'error': repr(e)})}", flush=True)


STATS = {}


# Pure-Python classes (optimizers, schedulers, datasets, loaders) that, as torch's, duck-type their
# arguments: garbage there raises AttributeError or KeyError in torch too (`LambdaLR(tensor, f)`:
# 'Tensor' object has no attribute 'param_groups').
DUCK_TYPED = ("rt.optim.", "rt.utils.data.")


def run_one(thunk, duck_typed=False):
    """Runs a call: (None, result) when it passed, else ((kind, error text), None)."""
    try:
        result = thunk()
        if isinstance(result, rt.Tensor) or (isinstance(result, tuple) and len(result) < 10):
            repr(result)  # printing the result is part of the call
        STATS["returned"] = STATS.get("returned", 0) + 1
        return None, result
    except ALLOWED as e:
        STATS[type(e).__name__] = STATS.get(type(e).__name__, 0) + 1
        return None, e
    except (AttributeError, KeyError) as e:
        if duck_typed:
            return None, e
        if isinstance(e, KeyError):
            return ("unexpected", f"{type(e).__name__}: {e}"), None
        # Setting a read-only property is an AttributeError in torch too.
        m = str(e)
        if any(k in m for k in ("not writable", "can't set", "has no setter", "readonly", "read-only",
                                "expected 'f' to be", "seekable", "Can't pickle")):
            # (the last three: rt.save / rt.load given a non-file or an unpicklable object, as torch)
            return None, e
        if re.match(r"(type object )?'(?!rtensor\.Tensor'|Tensor'|Parameter')[\w.]+'( object)? has no attribute", m):
            # A pure-Python function (rt.nn.*) duck-typing a non-tensor argument, as torch's
            # nn.functional, init and utils do (`F.softmax(None)`: 'NoneType' object has no
            # attribute 'dim'); never a tensor's missing attribute.
            return None, e
        return ("unexpected", f"{type(e).__name__}: {e}"), None
    except Exception as e:  # noqa: BLE001
        return ("unexpected", f"{type(e).__name__}: {e}"), None
    except BaseException as e:  # noqa: BLE001 - PanicException derives from BaseException
        kind = "panic" if type(e).__name__ == "PanicException" else "base"
        return (kind, f"{type(e).__name__}: {e}"), None


def chained_call(rng, methods, recv):
    """A random Tensor method called on `recv` (the result of the previous call)."""
    name, kind, obj = rng.choice(methods)
    if kind == "getter":
        return name, (lambda: getattr(recv, obj)), [recv], {}
    if kind == "setter":
        value = for_name(rng, obj)
        return name, (lambda: setattr(recv, obj, value)), [recv, value], {}
    if name in ("Tensor.__getitem__", "Tensor.__delitem__"):
        args, kwargs = [index_key(rng)], {}
    elif name == "Tensor.__setitem__":
        args, kwargs = [index_key(rng), rng.choice([a_scalar(rng), make_tensor(rng)])], {}
    else:
        args, kwargs = gen_args(rng, name, obj, kind)
    return name, (lambda: obj(recv, *args, **kwargs)), [recv] + args, kwargs


CHAIN = 2  # at most this many calls on a call's result
CHAIN_RATE = 0.6


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--only", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--mem-gb", type=float, default=3.0)
    ap.add_argument("--huge-rate", type=float, default=0.02)
    ap.add_argument("--systematic", action="store_true",
                    help="every callable with each HOSTILE value as first and as second argument")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--report-slow", type=float, default=0.0, help="print calls slower than this (s)")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args(argv)

    if a.mem_gb > 0:
        cap = int(a.mem_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    sys.setrecursionlimit(3000)
    global HUGE_RATE
    HUGE_RATE = a.huge_rate
    table = targets()
    methods = [t for t in table if t[0].startswith("Tensor.")]
    calls_made = [0]  # chained calls (the indexed calls are counted by `done`)
    if a.list:
        for name, kind, _ in table:
            print(name, kind)
        return 0
    rt.manual_seed(0)
    # rt.save(obj, "abc") and rt.safetensors.save_file write files: keep them in a directory of our own.
    import atexit
    import shutil
    import tempfile

    scratch = tempfile.mkdtemp(prefix="rtensor-fuzz-")
    atexit.register(shutil.rmtree, scratch, True)
    os.chdir(scratch)
    state = (rt.get_default_dtype(), rt.get_num_threads())
    if a.systematic:
        a.calls = len(table) * 2 * len(HOSTILE)
    indices = [a.only] if a.only is not None else range(a.start, a.calls)
    done = 0
    for i in indices:
        try:
            if a.systematic:
                name, thunk, args, kwargs = systematic_call(i, table)
            else:
                name, thunk, args, kwargs = gen_call(a.seed, i, table)
            desc = describe_call(name, args, kwargs)
        except ALLOWED:
            continue  # e.g. a huge view that could not be cloned: no call to make
        except BaseException as e:  # noqa: BLE001 - a crash while building arguments is a failure too
            name, desc = "<generate>", f"generating call {i}"
            print(f"S {i} {desc}", flush=True)
            print("F " + json.dumps({"index": i, "name": name, "call": desc, "kind": "generate",
                                     "error": f"{type(e).__name__}: {e}"}), flush=True)
            continue
        print(f"S {i} {desc}", flush=True)
        # Calls on the result of the call (odd layouts, views, graph nodes): up to CHAIN steps.
        chain_rng = random.Random(f"{a.seed}:{i}:chain")
        for step in range(CHAIN + 1):
            if step:
                try:
                    name, thunk, args, kwargs = chained_call(chain_rng, methods, result)
                except ALLOWED:
                    break  # e.g. a huge result that could not be cloned for an argument
                if result.numel() > 2**30 and any(k in name for k in FULL_SCAN):
                    break  # a full scan of a huge view would only be slow
                desc = f"{desc} then {describe_call(name, args, kwargs)}"
                print(f"S {i} {desc}", flush=True)
            faulthandler.dump_traceback_later(a.timeout, exit=True)
            started = time.perf_counter()
            failure, result = run_one(thunk, name.startswith(DUCK_TYPED))
            faulthandler.cancel_dump_traceback_later()
            if a.report_slow and time.perf_counter() - started > a.report_slow:
                print(f"slow {time.perf_counter() - started:.2f}s: {desc}", file=sys.stderr, flush=True)
            if a.verbose:
                print("  ->", type(result).__name__, describe(result) if not isinstance(result, Exception)
                      else str(result)[:300])
            if failure is not None:
                print("F " + json.dumps({"index": i, "name": name, "call": desc, "kind": failure[0],
                                         "error": failure[1][:500]}), flush=True)
            if not isinstance(result, rt.Tensor) or chain_rng.random() >= CHAIN_RATE:
                break
            calls_made[0] += 1
        restore(state)
        del thunk, args, kwargs, result
        done += 1
        if done % 500 == 0:
            gc.collect()
    print(f"D {done} {calls_made[0]} {json.dumps(STATS)}", flush=True)
    return 0


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")  # rtensor's UserWarnings (non-leaf .grad, ...) are expected here
    faulthandler.enable()
    sys.exit(main())
