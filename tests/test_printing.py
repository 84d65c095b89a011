"""Tests for tensor printing (``rtensor._tensor_str.tensor_repr``).

Three groups:

* torch-free tests: ``tensor_repr`` on small fake tensors backed by nested
  Python lists (``FakeTensor``) or computed lazily (``LazyArange``), compared
  with literal strings that were produced by PyTorch;
* torch tests (skipped without torch): ``tensor_repr(t)`` on real torch
  tensors must be byte-identical to ``repr(t).replace('torch', 'rtensor')``,
  for hand-picked cases and a seeded random sweep (set RTENSOR_PRINT_SWEEP=N
  to run N random cases instead of the default);
* rtensor tests (skipped until the ``rtensor._rtensor`` extension exists):
  ``repr(rt.tensor(...))`` against literal strings.
"""

import importlib.util
import math
import os
import pathlib
import random
import struct
import subprocess
import sys

import pytest

_MODULE_PATH = (
    pathlib.Path(__file__).resolve().parents[1] / "python" / "rtensor" / "_tensor_str.py"
)


def _load_tensor_str():
    """rtensor._tensor_str, or the source file loaded standalone if the
    package cannot be imported yet (e.g. the extension is not built)."""
    try:
        from rtensor import _tensor_str

        return _tensor_str
    except Exception:
        spec = importlib.util.spec_from_file_location(
            "_rtensor_tensor_str_standalone", _MODULE_PATH
        )
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod


ts = _load_tensor_str()
tensor_repr = ts.tensor_repr

nan = float("nan")
inf = float("inf")


@pytest.fixture(autouse=True)
def _reset_printoptions():
    ts.set_printoptions(profile="default")
    yield
    ts.set_printoptions(profile="default")


# ---------------------------------------------------------------------------
# Fake tensors (no torch, no rtensor needed)
# ---------------------------------------------------------------------------


class FakeDType:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "rtensor." + self.name

    __str__ = __repr__


class FakeNode:
    def __init__(self, name):
        self._name = name

    def name(self):
        return self._name


def _f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def _convert(data, dtype):
    if isinstance(data, list):
        return [_convert(x, dtype) for x in data]
    if dtype == "bool":
        return bool(data)
    if dtype.startswith("float"):
        return _f32(data) if dtype == "float32" else float(data)
    return int(data)


def _infer_shape(data):
    shape = []
    while isinstance(data, list):
        shape.append(len(data))
        if not data:
            break
        data = data[0]
    return tuple(shape)


class FakeTensor:
    """Minimal tensor backed by nested lists, with the members tensor_repr uses."""

    def __init__(self, data, dtype="float32", requires_grad=False, grad_fn=None,
                 _shape=None):
        self._data = _convert(data, dtype)
        self._shape = _shape if _shape is not None else _infer_shape(self._data)
        self.dtype = FakeDType(dtype)
        self.requires_grad = requires_grad
        self.grad_fn = grad_fn
        self.is_leaf = grad_fn is None
        self.tolist_sizes = []  # numel of every tolist() call (on self)

    @property
    def shape(self):
        return self._shape

    def dim(self):
        return len(self._shape)

    def numel(self):
        return math.prod(self._shape)

    def tolist(self):
        self.tolist_sizes.append(self.numel())
        return _convert(self._data, self.dtype.name)

    def __getitem__(self, idx):
        name = self.dtype.name
        if isinstance(idx, int):
            return FakeTensor(self._data[idx], name, _shape=self._shape[1:])
        if isinstance(idx, slice):
            part = self._data[idx]
            return FakeTensor(part, name, _shape=(len(part),) + self._shape[1:])
        raise TypeError(idx)


class LazyArange:
    """Arbitrarily large "arange(numel).reshape(shape) * scale" computed on demand.

    ``tolist()`` refuses to materialize more than MAX_TOLIST elements, which
    checks that printing summarizes by slicing before converting to lists.
    """

    MAX_TOLIST = 10_000

    def __init__(self, shape, dtype="int64", scale=1, _offset=0, _strides=None):
        self.shape = tuple(shape)
        self.dtype = FakeDType(dtype)
        self.requires_grad = False
        self.grad_fn = None
        self.is_leaf = True
        self._scale = scale
        self._offset = _offset
        if _strides is None:
            _strides, acc = [], 1
            for s in reversed(self.shape):
                _strides.insert(0, acc)
                acc *= s
        self._strides = tuple(_strides)

    def dim(self):
        return len(self.shape)

    def numel(self):
        return math.prod(self.shape)

    def _sub(self, shape, offset, strides):
        return LazyArange(shape, self.dtype.name, self._scale, offset, strides)

    def __getitem__(self, idx):
        n = self.shape[0]
        if isinstance(idx, int):
            if idx < 0:
                idx += n
            if not 0 <= idx < n:
                raise IndexError(idx)
            return self._sub(self.shape[1:], self._offset + idx * self._strides[0],
                             self._strides[1:])
        start, stop, step = idx.indices(n)
        assert step == 1
        return self._sub((max(0, stop - start),) + self.shape[1:],
                         self._offset + start * self._strides[0], self._strides)

    def _value(self, flat):
        name = self.dtype.name
        if name.startswith("float"):
            v = flat * float(self._scale)
            return _f32(v) if name == "float32" else v
        return flat * self._scale

    def tolist(self):
        if self.numel() > self.MAX_TOLIST:
            raise AssertionError(f"tolist() on {self.numel()} elements")

        def rec(off, d):
            if d == len(self.shape):
                return self._value(off)
            return [rec(off + i * self._strides[d], d + 1) for i in range(self.shape[d])]

        return rec(self._offset, 0)


# ---------------------------------------------------------------------------
# Literal cases: (id, data, dtype, expected).  Expected strings are torch's
# output (with torch -> rtensor); they are re-checked against torch below.
# ---------------------------------------------------------------------------

LITERAL_CASES = [
    ("scalar_float", 6.0, "float32", "tensor(6.)"),
    ("scalar_int", 3, "int64", "tensor(3)"),
    ("scalar_bool", True, "bool", "tensor(True)"),
    ("scalar_neg_zero", -0.0, "float32", "tensor(-0.)"),
    ("scalar_nan", nan, "float32", "tensor(nan)"),
    ("scalar_f64", 2.5, "float64", "tensor(2.5000, dtype=rtensor.float64)"),
    ("scalar_int32", -7, "int32", "tensor(-7, dtype=rtensor.int32)"),
    ("ints_2d", [[0, 1, 2, 3], [4, 6, 8, 10], [12, 15, 18, 21]], "int64",
     "tensor([[ 0,  1,  2,  3],\n        [ 4,  6,  8, 10],\n        [12, 15, 18, 21]])"),
    ("ints_neg", [[-5, 10], [100, -1000]], "int64",
     "tensor([[   -5,    10],\n        [  100, -1000]])"),
    ("ints_3d", [[[7 * (12 * i + 4 * j + k) - 50 for k in range(4)] for j in range(3)]
                 for i in range(2)], "int64",
     "tensor([[[-50, -43, -36, -29],\n         [-22, -15,  -8,  -1],\n"
     "         [  6,  13,  20,  27]],\n\n        [[ 34,  41,  48,  55],\n"
     "         [ 62,  69,  76,  83],\n         [ 90,  97, 104, 111]]])"),
    ("ints_4d", [[[[8 * a + 4 * b + 2 * c + d for d in range(2)] for c in range(2)]
                  for b in range(2)] for a in range(2)], "int64",
     "tensor([[[[ 0,  1],\n          [ 2,  3]],\n\n         [[ 4,  5],\n          [ 6,  7]]],"
     "\n\n\n        [[[ 8,  9],\n          [10, 11]],\n\n         [[12, 13],\n          [14, 15]]]])"),
    ("big_ints", [10**12, -3], "int64", "tensor([1000000000000,            -3])"),
    ("floats_int_mode", [0.0, 1.0], "float32", "tensor([0., 1.])"),
    ("floats_3", [14.0, 38.0, 62.0], "float32", "tensor([14., 38., 62.])"),
    ("floats_dec", [[1.5, -2.25], [3.125, 100.0]], "float32",
     "tensor([[  1.5000,  -2.2500],\n        [  3.1250, 100.0000]])"),
    ("sci_big", [1e10, 1.0], "float32", "tensor([1.0000e+10, 1.0000e+00])"),
    ("sci_small", [1e-5, 1.0], "float32", "tensor([1.0000e-05, 1.0000e+00])"),
    ("sci_ratio", [0.5, 600.5], "float32", "tensor([5.0000e-01, 6.0050e+02])"),
    ("nan_inf", [nan, inf, -inf, 1.5], "float32", "tensor([   nan,    inf,   -inf, 1.5000])"),
    ("nan_int", [nan, 1.0], "float32", "tensor([nan, 1.])"),
    ("only_nonfinite", [nan, -inf, 0.0], "float32", "tensor([nan, -inf, 0.])"),
    ("neg_zero", [-0.0, 1.5], "float32", "tensor([-0.0000, 1.5000])"),
    ("bool_1d", [True, False], "bool", "tensor([ True, False])"),
    ("bool_2d", [[True], [False]], "bool", "tensor([[ True],\n        [False]])"),
    ("int32", [1, 2], "int32", "tensor([1, 2], dtype=rtensor.int32)"),
    ("float64", [1.0, 2.0], "float64", "tensor([1., 2.], dtype=rtensor.float64)"),
    ("empty", [], "float32", "tensor([])"),
    ("empty_2x0", [[], []], "float32", "tensor([], size=(2, 0))"),
    ("empty_int64", [], "int64", "tensor([], dtype=rtensor.int64)"),
    ("empty_bool_2d", [[], [], []], "bool", "tensor([], size=(3, 0), dtype=rtensor.bool)"),
    ("empty_f64", [], "float64", "tensor([], dtype=rtensor.float64)"),
    ("wrap_1d", [1.5 * i for i in range(30)], "float32",
     "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n"
     "        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000,\n"
     "        24.0000, 25.5000, 27.0000, 28.5000, 30.0000, 31.5000, 33.0000, 34.5000,\n"
     "        36.0000, 37.5000, 39.0000, 40.5000, 42.0000, 43.5000])"),
    ("wrap_f64_suffix", [i + 0.5 for i in range(14)], "float64",
     "tensor([ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,\n"
     "         8.5000,  9.5000, 10.5000, 11.5000, 12.5000, 13.5000],\n"
     "       dtype=rtensor.float64)"),
    ("summ_1d", list(range(2000)), "int64", "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    ("summ_1d_sci", [float(i) for i in range(2000)], "float32",
     "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
     "        1.9990e+03])"),
    ("summ_2d", [[10 * i + j for j in range(10)] for i in range(101)], "int64",
     "tensor([[   0,    1,    2,  ...,    7,    8,    9],\n"
     "        [  10,   11,   12,  ...,   17,   18,   19],\n"
     "        [  20,   21,   22,  ...,   27,   28,   29],\n"
     "        ...,\n"
     "        [ 980,  981,  982,  ...,  987,  988,  989],\n"
     "        [ 990,  991,  992,  ...,  997,  998,  999],\n"
     "        [1000, 1001, 1002,  ..., 1007, 1008, 1009]])"),
    ("summ_2d_int32", [[1000 * i + j for j in range(1000)] for i in range(2)], "int32",
     "tensor([[   0,    1,    2,  ...,  997,  998,  999],\n"
     "        [1000, 1001, 1002,  ..., 1997, 1998, 1999]], dtype=rtensor.int32)"),
    ("summ_3d", [[[140 * i + 70 * j + k for k in range(70)] for j in range(2)]
                 for i in range(8)], "int64",
     "tensor([[[   0,    1,    2,  ...,   67,   68,   69],\n"
     "         [  70,   71,   72,  ...,  137,  138,  139]],\n\n"
     "        [[ 140,  141,  142,  ...,  207,  208,  209],\n"
     "         [ 210,  211,  212,  ...,  277,  278,  279]],\n\n"
     "        [[ 280,  281,  282,  ...,  347,  348,  349],\n"
     "         [ 350,  351,  352,  ...,  417,  418,  419]],\n\n"
     "        ...,\n\n"
     "        [[ 700,  701,  702,  ...,  767,  768,  769],\n"
     "         [ 770,  771,  772,  ...,  837,  838,  839]],\n\n"
     "        [[ 840,  841,  842,  ...,  907,  908,  909],\n"
     "         [ 910,  911,  912,  ...,  977,  978,  979]],\n\n"
     "        [[ 980,  981,  982,  ..., 1047, 1048, 1049],\n"
     "         [1050, 1051, 1052,  ..., 1117, 1118, 1119]]])"),
]


@pytest.mark.parametrize("case_id,data,dtype,expected", LITERAL_CASES,
                         ids=[c[0] for c in LITERAL_CASES])
def test_fake_literal(case_id, data, dtype, expected):
    t = FakeTensor(data, dtype)
    assert tensor_repr(t) == expected


def test_fake_requires_grad_and_grad_fn():
    t = FakeTensor([1.0, 2.0], requires_grad=True)
    assert tensor_repr(t) == "tensor([1., 2.], requires_grad=True)"
    t = FakeTensor(3.0, requires_grad=True, grad_fn=FakeNode("SumBackward0"))
    assert tensor_repr(t) == "tensor(3., grad_fn=<SumBackward0>)"
    # C++-style qualified names are shortened, like torch does for CppFunction
    t = FakeTensor([1.0], requires_grad=True, grad_fn=FakeNode("torch::autograd::AddBackward0"))
    assert tensor_repr(t) == "tensor([1.], grad_fn=<AddBackward0>)"


def test_fake_default_dtype_float64():
    t32 = FakeTensor([1.0, 2.0], "float32")
    t64 = FakeTensor([1.0, 2.0], "float64")
    assert tensor_repr(t64, "float64") == "tensor([1., 2.])"
    assert tensor_repr(t64, "rtensor.float64") == "tensor([1., 2.])"
    assert tensor_repr(t64, FakeDType("float64")) == "tensor([1., 2.])"
    assert tensor_repr(t32, "float64") == "tensor([1., 2.], dtype=rtensor.float32)"
    assert tensor_repr(FakeTensor([], "float32"), "float64") == "tensor([], dtype=rtensor.float32)"
    assert tensor_repr(FakeTensor([], "float64"), "float64") == "tensor([])"


def test_fake_printoptions():
    t = FakeTensor([1.12345])
    with ts.printoptions(precision=2):
        assert tensor_repr(t) == "tensor([1.12])"
    assert tensor_repr(t) == "tensor([1.1235])"
    ts.set_printoptions(threshold=5)
    assert tensor_repr(FakeTensor(list(range(10)), "int64")) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    ts.set_printoptions(profile="default")
    assert tensor_repr(FakeTensor(list(range(10)), "int64")) == "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])"
    assert ts.get_printoptions() == dict(precision=4, threshold=1000, edgeitems=3,
                                         linewidth=80, sci_mode=None)


def test_fake_summarized_lazy_huge():
    # "slicing before tolist": LazyArange refuses tolist() on > 10k elements
    t = LazyArange((4096, 4096))
    assert tensor_repr(t) == (
        "tensor([[       0,        1,        2,  ...,     4093,     4094,     4095],\n"
        "        [    4096,     4097,     4098,  ...,     8189,     8190,     8191],\n"
        "        [    8192,     8193,     8194,  ...,    12285,    12286,    12287],\n"
        "        ...,\n"
        "        [16764928, 16764929, 16764930,  ..., 16769021, 16769022, 16769023],\n"
        "        [16769024, 16769025, 16769026,  ..., 16773117, 16773118, 16773119],\n"
        "        [16773120, 16773121, 16773122,  ..., 16777213, 16777214, 16777215]])"
    )
    t = LazyArange((16 * 1024 * 1024,), "float64", scale=0.5)
    assert tensor_repr(t) == (
        "tensor([0.0000e+00, 5.0000e-01, 1.0000e+00,  ..., 8.3886e+06, 8.3886e+06,\n"
        "        8.3886e+06], dtype=rtensor.float64)"
    )
    t = LazyArange((1000, 1000), "int32")
    assert tensor_repr(t) == (
        "tensor([[     0,      1,      2,  ...,    997,    998,    999],\n"
        "        [  1000,   1001,   1002,  ...,   1997,   1998,   1999],\n"
        "        [  2000,   2001,   2002,  ...,   2997,   2998,   2999],\n"
        "        ...,\n"
        "        [997000, 997001, 997002,  ..., 997997, 997998, 997999],\n"
        "        [998000, 998001, 998002,  ..., 998997, 998998, 998999],\n"
        "        [999000, 999001, 999002,  ..., 999997, 999998, 999999]],\n"
        "       dtype=rtensor.int32)"
    )
    # 10**12 elements: must not even try to touch them all
    t = LazyArange((10**6, 10**6))
    out = tensor_repr(t)
    assert out.startswith("tensor([[           0,            1,            2,  ...,")
    assert out.endswith("999999999999]])")


class _Recording:
    """Wraps a tensor and logs what printing asks of it: every indexing call and the number of elements
    each tolist() converts, in one log shared with the sub-tensors indexing returns."""

    def __init__(self, t, log=None):
        self._t = t
        self.log = log if log is not None else {"getitem": 0, "tolist": []}

    def __getattr__(self, name):  # dim, shape, numel, dtype, requires_grad, grad_fn, is_leaf
        return getattr(self._t, name)

    def __getitem__(self, idx):
        self.log["getitem"] += 1
        return _Recording(self._t[idx], self.log)

    def tolist(self):
        self.log["tolist"].append(self._t.numel())
        return self._t.tolist()


def _printing_work(t):
    """The repr of ``t`` and the log of what it read."""
    r = _Recording(t)
    return tensor_repr(r), r.log


def test_fake_summarized_work_does_not_grow_with_size():
    # Summarized printing reads the printed corners only: the same indexing and conversions for a 4096 x 4096
    # tensor as for a 40 x 40 one, and no conversion of more than edgeitems (3) elements.
    big_repr, big = _printing_work(LazyArange((4096, 4096), "float32"))
    _, small = _printing_work(LazyArange((40, 40), "float32"))
    assert big == small
    assert big["tolist"] and max(big["tolist"]) <= 3
    assert big_repr.startswith("tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ...,")


def test_fake_tolist_only_on_printed_part():
    t = FakeTensor(list(range(5000)), "int64")
    tensor_repr(t)
    assert t.tolist_sizes == []  # only the 3-element slices were converted


def test_module_import_is_light():
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('m', {str(_MODULE_PATH)!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "bad = [n for n in ('torch', 'numpy', 'rtensor') if n in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------
# Against real torch
# ---------------------------------------------------------------------------


def _torch():
    return pytest.importorskip("torch")


def _expected(t):
    return repr(t).replace("torch", "rtensor")


def _default_name(torch):
    return str(torch.get_default_dtype())


@pytest.fixture
def torch_opts():
    """Yields a setter applying print options to both torch and rtensor."""
    torch = _torch()
    old_default = torch.get_default_dtype()

    def setter(**opts):
        torch.set_printoptions(**{"profile": "default", **opts})
        ts.set_printoptions(**{"profile": "default", **opts})

    yield setter
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    torch.set_default_dtype(old_default)


_TORCH_DTYPES = {
    "float32": "float32", "float64": "float64", "int32": "int32",
    "int64": "int64", "bool": "bool",
}


@pytest.mark.parametrize("case_id,data,dtype,expected", LITERAL_CASES,
                         ids=[c[0] for c in LITERAL_CASES])
def test_torch_literal_cases(case_id, data, dtype, expected):
    torch = _torch()
    t = torch.tensor(data, dtype=getattr(torch, dtype))
    assert _expected(t) == expected  # the literal really is torch's output
    assert tensor_repr(t, _default_name(torch)) == expected


def _handpicked(torch):
    return [
        torch.tensor(6.0), torch.tensor(3), torch.tensor(True),
        torch.arange(12).reshape(3, 4).cumsum(0),
        torch.randn(4, 5, 6, 7), torch.randn(100, 100), torch.randn(2, 3, 4, 5, 6),
        torch.arange(100000).reshape(10, 10, 10, 100),
        torch.arange(20000.0).reshape(20, 10, 100) * 1.5,
        torch.zeros(0, 3, dtype=torch.int32), torch.zeros(3, 0, 2, requires_grad=True),
        torch.randn(1001), torch.zeros(3000), torch.ones(7, 200, dtype=torch.bool),
        torch.tensor([123456789.0, 1.0]), torch.tensor([2**40, -5]),
        torch.tensor([[1.5, 2], [3, 4]], dtype=torch.float16),
        torch.tensor([1.5, 2.0], dtype=torch.bfloat16),
        torch.arange(30, dtype=torch.uint8), torch.randn(50, dtype=torch.float64),
        torch.ones(3, requires_grad=True), torch.ones(3, requires_grad=True).sum(),
        torch.randn(3, 3, dtype=torch.float64, requires_grad=True) * 2,
        torch.randn(1736, dtype=torch.float64, requires_grad=True),
        torch.tensor(1, dtype=torch.int16), torch.tensor([1e-30, 1e30]),
        torch.tensor([float("nan")] * 2000), torch.full((3, 400), -0.0),
    ]


def test_torch_handpicked(torch_opts):
    torch = _torch()
    torch.manual_seed(0)
    for t in _handpicked(torch):
        assert tensor_repr(t, _default_name(torch)) == _expected(t)
        assert str(t) == repr(t)


@pytest.mark.parametrize("opts", [
    dict(linewidth=40), dict(linewidth=30, threshold=5), dict(precision=2, linewidth=120),
    dict(edgeitems=1, threshold=50), dict(sci_mode=True), dict(sci_mode=False, precision=6),
    dict(profile="short"), dict(edgeitems=0, threshold=10), dict(profile="full"),
])
def test_torch_handpicked_printoptions(torch_opts, opts):
    torch = _torch()
    torch.manual_seed(1)
    torch_opts(**opts)
    for t in _handpicked(torch):
        assert tensor_repr(t, _default_name(torch)) == _expected(t), opts


def test_torch_default_dtype_float64(torch_opts):
    torch = _torch()
    torch.set_default_dtype(torch.float64)
    for t in [torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0], dtype=torch.float32),
              torch.zeros(0, dtype=torch.float32), torch.zeros(0), torch.tensor([1, 2])]:
        assert tensor_repr(t, "float64") == _expected(t)
        assert tensor_repr(t, torch.get_default_dtype()) == _expected(t)


def test_torch_summarized_work_does_not_grow_with_size():
    # As for the fake tensors: printing a huge torch tensor indexes and converts exactly what printing a
    # small summarized one of the same rank does (a few corner elements), and prints what torch prints.
    torch = _torch()
    for big_shape, small_shape in [((16 * 1024 * 1024,), (2000,)), ((4096, 4096), (40, 40)),
                                   ((256, 256, 256), (11, 11, 11))]:
        t = torch.randn(big_shape)
        got, big = _printing_work(t)
        assert got == _expected(t)
        _, small = _printing_work(torch.randn(small_shape))
        assert big == small, big_shape
        assert max(big["tolist"]) <= 3


_ALL_DTYPES = ["float32", "float64", "int32", "int64", "bool",
               "float16", "bfloat16", "uint8", "int8", "int16"]


def _rand_shape(rng):
    nd = rng.choice([0, 1, 1, 2, 2, 3, 4, 5])
    kind = rng.random()
    if kind < 0.1:
        return tuple(rng.choice([0, 1, 2, 3]) for _ in range(nd))
    if kind < 0.35 and nd:  # one long dimension -> often summarized
        shape = [rng.randint(1, 8) for _ in range(nd)]
        shape[rng.randrange(nd)] = rng.randint(200, 3000)
        return tuple(shape)
    return tuple(rng.randint(1, 9) for _ in range(nd))


def _rand_tensor(torch, rng, seed):
    g = torch.Generator().manual_seed(seed)
    shape = _rand_shape(rng)
    if math.prod(shape) > 200_000:
        shape = shape[:1]
    dt = getattr(torch, rng.choice(_ALL_DTYPES))
    if dt == torch.bool:
        return torch.rand(shape, generator=g) < rng.random()
    if not dt.is_floating_point:
        info = torch.iinfo(dt)
        hi = min(info.max, rng.choice([1, 9, 100, 10**4, 10**7, 10**12]))
        lo = max(info.min, -hi if rng.random() < 0.5 else 0)
        return torch.randint(lo, hi + 1, shape, generator=g, dtype=dt)
    f64 = torch.float64
    mode = rng.random()
    scale = 10.0 ** rng.randint(-12, 12)
    if mode < 0.25:  # integral values (int_mode), possibly huge
        x = torch.randint(-1000, 1000, shape, generator=g).to(f64)
        x = x * rng.choice([1, 1, 10**6, 10**9])
    elif mode < 0.5:
        x = torch.randn(shape, generator=g, dtype=f64) * scale
    elif mode < 0.7:  # wide dynamic range
        spread = torch.rand(shape, generator=g, dtype=f64) * rng.randint(0, 8)
        x = torch.rand(shape, generator=g, dtype=f64) * scale * 10.0**spread
    else:  # mixture of integral and non-integral
        x = torch.randn(shape, generator=g, dtype=f64) * scale
        x = torch.where(torch.rand(shape, generator=g) < 0.3, torch.round(x), x)
    x = x.to(dt)
    if rng.random() < 0.3 and x.numel():  # sprinkle nan/inf/-inf/-0/0
        special = torch.tensor([nan, inf, -inf, -0.0, 0.0], dtype=dt)
        mask = torch.rand(shape, generator=g) < rng.choice([0.1, 0.5, 1.0])
        x = torch.where(mask, special[torch.randint(0, 5, shape, generator=g)], x)
    if dt in (torch.float32, torch.float64) and rng.random() < 0.2:
        x = x.clone().requires_grad_(True)
        if rng.random() < 0.5:
            x = x * 1  # grad_fn=<MulBackward0>
    return x


_SWEEP_OPTS = [{}, {}, {}, {}, dict(linewidth=40), dict(linewidth=120, precision=2),
               dict(edgeitems=1, threshold=50), dict(sci_mode=True),
               dict(sci_mode=False, precision=6), dict(profile="short"),
               dict(edgeitems=0, threshold=10), dict(threshold=5, linewidth=30)]


def _run_sweep(torch, torch_opts, n, seed):
    rng = random.Random(seed)
    mismatches = []
    fake_checked = 0
    for i in range(n):
        opts = rng.choice(_SWEEP_OPTS)
        default = rng.choice([torch.float32, torch.float32, torch.float64])
        torch.set_default_dtype(default)
        torch_opts(**opts)
        t = _rand_tensor(torch, rng, seed * 1_000_003 + i)
        exp = _expected(t)
        got = tensor_repr(t, str(default))
        if got != exp:
            mismatches.append((i, opts, str(default), t.dtype, tuple(t.shape), exp, got))
        # cross-check the list-backed FakeTensor against torch as well
        name = str(t.dtype).rsplit(".", 1)[-1]
        if (name in _TORCH_DTYPES and t.grad_fn is None and not t.requires_grad
                and 0 < t.numel() <= 1000):
            fake = FakeTensor(t.tolist(), name, _shape=tuple(t.shape))
            assert tensor_repr(fake, str(default)) == exp
            fake_checked += 1
        assert str(t) == repr(t)
    assert not mismatches, "%d/%d mismatches, first: %r" % (len(mismatches), n, mismatches[0])
    assert fake_checked > n // 5


def test_torch_random_sweep(torch_opts):
    n = int(os.environ.get("RTENSOR_PRINT_SWEEP", "1500"))
    _run_sweep(_torch(), torch_opts, n, seed=12345)


@pytest.mark.slow
def test_torch_random_sweep_large(torch_opts):
    _run_sweep(_torch(), torch_opts, 20000, seed=777)


def test_torch_hypothesis_float_lists():
    torch = _torch()
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=300, deadline=None, database=None)
    @hypothesis.given(
        st.lists(st.floats(width=32), max_size=40),
        st.sampled_from(["float32", "float64"]),
        st.integers(1, 3),
    )
    def check(values, dtype, rows):
        t = torch.tensor(values, dtype=getattr(torch, dtype))
        if len(values) % rows == 0 and values:
            t = t.reshape(rows, -1)
        assert tensor_repr(t, _default_name(torch)) == _expected(t)

    check()


# ---------------------------------------------------------------------------
# Against the real rtensor extension (skipped until it is built)
# ---------------------------------------------------------------------------


@pytest.fixture
def rt():
    pytest.importorskip("rtensor._rtensor")
    import rtensor

    return rtensor


RT_CASES = [
    (lambda rt: rt.tensor([[0, 1, 2, 3], [4, 6, 8, 10], [12, 15, 18, 21]]),
     "tensor([[ 0,  1,  2,  3],\n        [ 4,  6,  8, 10],\n        [12, 15, 18, 21]])"),
    (lambda rt: rt.tensor(6.0), "tensor(6.)"),
    (lambda rt: rt.tensor(3), "tensor(3)"),
    (lambda rt: rt.tensor(True), "tensor(True)"),
    (lambda rt: rt.tensor([14.0, 38.0, 62.0]), "tensor([14., 38., 62.])"),
    (lambda rt: rt.tensor([0.0, 1.0]), "tensor([0., 1.])"),
    (lambda rt: rt.tensor([1.5, -2.25]), "tensor([ 1.5000, -2.2500])"),
    (lambda rt: rt.tensor([1e10, 1.0]), "tensor([1.0000e+10, 1.0000e+00])"),
    (lambda rt: rt.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
     "tensor([   nan,    inf,   -inf, 1.5000])"),
    (lambda rt: rt.tensor([]), "tensor([])"),
    (lambda rt: rt.tensor([[], []]), "tensor([], size=(2, 0))"),
    (lambda rt: rt.tensor([1.0, 2.0], dtype=rt.float64), "tensor([1., 2.], dtype=rtensor.float64)"),
    (lambda rt: rt.tensor([1, 2], dtype=rt.int32), "tensor([1, 2], dtype=rtensor.int32)"),
    (lambda rt: rt.tensor([True, False]), "tensor([ True, False])"),
    (lambda rt: rt.tensor(list(range(2000))), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    (lambda rt: rt.tensor([1.0, 2.0], requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
]


@pytest.mark.parametrize("make,expected", RT_CASES, ids=[c[1][:40] for c in RT_CASES])
def test_rtensor_repr(rt, make, expected):
    t = make(rt)
    assert repr(t) == expected
    assert str(t) == expected
