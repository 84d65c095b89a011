"""The legacy and Python-protocol API: t.data, autograd.Variable, Tensor.type(), the legacy
constructors (Tensor(...), FloatTensor, ...), new_* methods, metadata (ndim, nbytes, itemsize,
element_size, is_floating_point, is_complex, untyped_storage), the module predicates, Python
protocols (len, iter, in, bool, int, float, index, complex, hash, reversed) and the creation
keywords and functions (size=, requires_grad=, out=, layout=, pin_memory=, range, logspace,
empty_strided, frombuffer, asarray), against torch when installed."""

import array
import re
import warnings

import numpy as np
import pytest

import rtensor as rt


def torch_or_skip():
    return pytest.importorskip("torch")


# ---------------------------------------------------------------------------------------- t.data


def test_data_is_a_detached_alias():
    w = rt.ones(3, requires_grad=True)
    d = w.data
    assert not d.requires_grad and d.grad_fn is None and d.data_ptr() == w.data_ptr()
    d[0] = 5.0
    assert w[0].item() == 5.0
    y = (w * 2).sum()
    assert y.requires_grad and (w * 2).data.grad_fn is None


def test_data_assignment_updates_values_without_history():
    w = rt.ones(3, requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    version = w._version
    w.data = w.data - 0.1 * w.grad
    assert np.allclose(w.detach().numpy(), 0.8) and w.requires_grad and w.is_leaf
    assert w._version == version  # torch's set_data does not count as an in-place write
    x = rt.zeros(2)
    x.data = rt.tensor([1.0, 2.0])
    assert x.tolist() == [1.0, 2.0]


def test_data_assignment_errors():
    x = rt.zeros(2)
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got int"):
        x.data = 3
    w = rt.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="data set to a tensor that requires gradients must be "
                                           "floating point or complex dtype"):
        w.data = rt.arange(3)
    assert w.dtype == rt.float32 and w.shape == (3,)  # nothing changed


def test_data_assignment_takes_another_shape_and_dtype():
    # As torch's set_data: the tensor takes the new storage, shape and dtype; views made before
    # keep the old storage; requires_grad, leafness and grad_fn stay.
    x = rt.ones(3)
    v = x.view(3)
    x.data = rt.zeros(2, 2)
    assert x.shape == (2, 2) and x.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert v.tolist() == [1.0, 1.0, 1.0]
    x.data = rt.arange(3)
    assert x.dtype == rt.int64 and x.tolist() == [0, 1, 2] and not x.requires_grad
    src = rt.arange(6.0)
    x.data = src
    assert x.data_ptr() == src.data_ptr()
    src[0] = 7.0
    assert x[0].item() == 7.0  # the same storage, as in torch
    w = rt.randn(3, requires_grad=True)
    w.data = rt.zeros(2, 2)
    assert w.requires_grad and w.is_leaf and w.grad is None and w.shape == (2, 2)
    assert "requires_grad=True" in repr(w)
    y = rt.randn(3, requires_grad=True) * 2
    y.data = rt.zeros(4)
    assert y.grad_fn.name() == "MulBackward0" and y.shape == (4,)


def test_data_assignment_keeps_grad_and_accumulates_into_it():
    w = rt.ones(3, requires_grad=True)
    (w * w).sum().backward()
    w.data = rt.full((3,), 5.0)
    assert w.grad.tolist() == [2.0, 2.0, 2.0]
    (w * w).sum().backward()
    assert w.grad.tolist() == [12.0, 12.0, 12.0]
    # A hook registered before the assignment still runs.
    seen = []
    w.register_hook(lambda g: seen.append(g.tolist()))
    w.data = rt.ones(3)
    (w * 3).sum().backward()
    assert seen == [[3.0, 3.0, 3.0]] and w.grad.tolist() == [15.0, 15.0, 15.0]


def test_data_assignment_matches_torch():
    torch = pytest.importorskip("torch")
    for lib in (rt, torch):
        w = lib.ones(3, requires_grad=True)
        (w * w).sum().backward()
        w.data = lib.full((3,), 5.0)
        (w * w).sum().backward()
        w.data = lib.zeros(2, 3, dtype=lib.float64)
        assert w.shape == (2, 3) and w.dtype == lib.float64 and w.requires_grad
        assert w.grad.tolist() == [12.0, 12.0, 12.0]


def test_sgd_step_with_data_as_in_d2l():
    rt.manual_seed(0)
    w = rt.normal(0, 0.01, (2, 1), requires_grad=True) if hasattr(rt, "normal") else \
        (rt.randn(2, 1) * 0.01).requires_grad_(True)
    b = rt.zeros(1, requires_grad=True)
    x, y = rt.randn(10, 2), rt.randn(10, 1)
    for _ in range(3):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with rt.no_grad():
            for p in (w, b):
                p.data -= 0.1 * p.grad
                p.grad.zero_()
    assert w.grad.abs().sum().item() == 0


# -------------------------------------------------------------------------------------- Variable


def test_variable():
    from rtensor.autograd import Variable

    x = rt.ones(2)
    v = Variable(x)
    assert isinstance(v, rt.Tensor) and v is not x and not v.requires_grad
    assert v.data_ptr() == x.data_ptr()
    g = Variable(x, requires_grad=True)
    assert g.requires_grad and g.is_leaf and not x.requires_grad
    assert isinstance(x, Variable) and not isinstance(3, Variable)
    assert Variable().shape == (0,)
    y = rt.ones(2, requires_grad=True) * 2
    assert Variable(y).grad_fn is None
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1, 2])
    with pytest.warns(UserWarning, match="volatile was removed"):
        Variable(x, volatile=True)
    (g * 3).sum().backward()
    assert g.grad.tolist() == [3.0, 3.0]


# ------------------------------------------------------------------------------------ type()


@pytest.mark.parametrize("dtype, name", [
    (rt.float32, "FloatTensor"), (rt.float64, "DoubleTensor"), (rt.int64, "LongTensor"),
    (rt.int32, "IntTensor"), (rt.bool, "BoolTensor"),
])
def test_type_strings(dtype, name):
    t = rt.ones(2, dtype=dtype)
    assert t.type() == "rtensor." + name
    assert t.type(dtype) is t
    for spelled in ("torch." + name, "rtensor." + name, getattr(rt, name)):
        assert rt.ones(1, dtype=rt.float64 if dtype != rt.float64 else rt.int32).type(spelled).dtype == dtype


def test_type_conversions_and_errors():
    t = rt.tensor([1.5, -2.5])
    assert t.type(rt.int64).tolist() == [1, -2]
    assert t.type(dtype=rt.int32).dtype == rt.int32
    assert t.type(rt.float64, non_blocking=True).dtype == rt.float64
    preds = rt.tensor([0.2, 0.9]) > 0.5
    assert preds.type(rt.float32).tolist() == [0.0, 1.0]  # d2l: preds.type(y.dtype)
    with pytest.raises(ValueError, match=re.escape("invalid type: 'DoubleTensor'")):
        t.type("DoubleTensor")
    with pytest.raises(ValueError, match=re.escape("invalid type: 'foo'")):
        t.type("foo")
    with pytest.raises(TypeError, match="dtype must be a type, str, or dtype object"):
        t.type(5)


def test_type_as_torch():
    torch = torch_or_skip()
    for dt in ("float32", "float64", "int64", "int32", "bool"):
        assert rt.ones(1, dtype=getattr(rt, dt)).type().replace("rtensor", "torch") == \
            torch.ones(1, dtype=getattr(torch, dt)).type()


# --------------------------------------------------------------------------- legacy constructors


def test_legacy_tensor_constructor():
    assert rt.Tensor().shape == (0,) and rt.Tensor().dtype == rt.float32
    t = rt.Tensor(2, 3)
    assert t.shape == (2, 3) and t.dtype == rt.float32
    assert rt.Tensor([1, 2]).tolist() == [1.0, 2.0] and rt.Tensor([1, 2]).dtype == rt.float32
    assert rt.Tensor((2, 3)).tolist() == [2.0, 3.0]  # a tuple is data ...
    assert rt.Tensor(rt.Size([2, 3])).shape == (2, 3)  # ... a Size is sizes, as torch
    x = rt.tensor([1, 2])
    alias = rt.Tensor(x)
    assert alias is not x and alias.dtype == rt.int64 and alias.data_ptr() == x.data_ptr()
    assert rt.Tensor(np.array([1, 2])).dtype == rt.float32
    assert rt.Tensor([True, False]).tolist() == [1.0, 0.0]
    assert rt.Tensor(3).shape == (3,) and rt.Tensor(2, 3, device="cpu").shape == (2, 3)
    assert isinstance(rt.ones(1), rt.Tensor)


def test_legacy_constructor_errors():
    with pytest.raises(RuntimeError, match=re.escape("Trying to create tensor with negative dimension -1: [-1, 2]")):
        rt.Tensor(-1, 2)
    with pytest.raises(TypeError, match=re.escape("new(): data must be a sequence (got float)")):
        rt.Tensor(2.5)
    with pytest.raises(TypeError, match=re.escape("new(): invalid data type 'str'")):
        rt.Tensor("a")
    with pytest.raises(TypeError, match=re.escape("new(): data must be a sequence (got NoneType)")):
        rt.Tensor(None)
    with pytest.raises(TypeError, match=re.escape("new() received an invalid combination of arguments - got (list, int)")):
        rt.Tensor([1], 2)
    with pytest.raises(TypeError, match=re.escape("new() received an invalid combination of arguments - got (int, dtype=rtensor.dtype)")):
        rt.Tensor(2, dtype=rt.float64)
    with pytest.raises(ValueError):
        rt.Tensor([[1, 2], [3]])


@pytest.mark.parametrize("name, dtype", [
    ("FloatTensor", rt.float32), ("DoubleTensor", rt.float64), ("LongTensor", rt.int64),
    ("IntTensor", rt.int32), ("BoolTensor", rt.bool),
])
def test_typed_legacy_classes(name, dtype):
    cls = getattr(rt, name)
    assert cls.dtype == dtype and repr(cls) == f"<class 'rtensor.{name}'>"
    assert cls(2, 3).dtype == dtype and cls(2, 3).shape == (2, 3)
    assert cls([1, 0]).dtype == dtype and cls().shape == (0,)
    assert isinstance(rt.ones(1, dtype=dtype), cls)
    others = [d for d in (rt.float32, rt.float64, rt.int64, rt.int32, rt.bool) if d != dtype]
    assert not any(isinstance(rt.ones(1, dtype=d), cls) for d in others)
    assert not isinstance(3, cls) and not issubclass(cls, rt.Tensor)
    same = rt.ones(2, dtype=dtype)
    assert cls(same).data_ptr() == same.data_ptr()
    with pytest.raises(TypeError, match=re.escape("expected TensorOptions(dtype=")):
        cls(rt.ones(2, dtype=others[0]))


def test_typed_classes_convert_data():
    assert rt.LongTensor([1.7, -2.2]).tolist() == [1, -2]
    assert rt.BoolTensor([0, 2]).tolist() == [False, True]
    assert rt.FloatTensor(np.arange(3)).dtype == rt.float32


def test_legacy_as_torch():
    torch = torch_or_skip()
    for args in [(), (2, 3), ([1, 2],), ((2, 3),), ([[1.5]],)]:
        ours, theirs = rt.Tensor(*args), torch.Tensor(*args)
        assert ours.shape == tuple(theirs.shape) and str(ours.dtype)[8:] == str(theirs.dtype)[6:]
        if ours.numel() and args and not isinstance(args[0], int):
            assert ours.tolist() == theirs.tolist()
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor"):
        assert str(getattr(rt, name).dtype)[8:] == str(getattr(torch, name).dtype)[6:]
        assert getattr(rt, name)([1, 0]).tolist() == getattr(torch, name)([1, 0]).tolist()


# ---------------------------------------------------------------------------------- new_* methods


def test_new_methods():
    base = rt.ones(2, dtype=rt.float64)
    z = base.new_zeros(2, 3)
    assert z.dtype == rt.float64 and z.shape == (2, 3) and z.sum().item() == 0
    assert base.new_zeros((2, 3)).shape == (2, 3) and base.new_zeros(size=(4,)).shape == (4,)
    assert base.new_ones(3).tolist() == [1.0, 1.0, 1.0]
    assert base.new_empty((0,)).shape == (0,)
    f = base.new_full((2,), 7)
    assert f.tolist() == [7.0, 7.0] and f.dtype == rt.float64
    assert base.new_zeros(2, dtype=rt.int32).dtype == rt.int32
    r = base.new_ones(2, requires_grad=True)
    assert r.requires_grad and r.is_leaf
    t = base.new_tensor([1, 2])
    assert t.dtype == rt.float64 and t.tolist() == [1.0, 2.0]
    assert base.new_tensor([1, 2], dtype=rt.int64).dtype == rt.int64
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        c = base.new_tensor(rt.tensor([1, 2]))
    assert c.dtype == rt.float64
    with pytest.raises(RuntimeError, match=re.escape("Trying to create tensor with negative dimension -1: [-1, 2]")):
        base.new_zeros(-1, 2)


def test_new_methods_as_torch():
    torch = torch_or_skip()
    for name, args in [("new_zeros", (2, 3)), ("new_ones", ((2,),)), ("new_full", ((2,), 3)),
                       ("new_empty", (0,)), ("new_tensor", ([1, 2],))]:
        for dt in ("float32", "int64", "bool"):
            ours = getattr(rt.ones(1, dtype=getattr(rt, dt)), name)(*args)
            theirs = getattr(torch.ones(1, dtype=getattr(torch, dt)), name)(*args)
            assert ours.shape == tuple(theirs.shape) and str(ours.dtype)[8:] == str(theirs.dtype)[6:]
            if name != "new_empty":
                assert ours.tolist() == theirs.tolist()


# -------------------------------------------------------------------------------------- metadata


@pytest.mark.parametrize("dtype, size", [(rt.float32, 4), (rt.float64, 8), (rt.int32, 4), (rt.int64, 8), (rt.bool, 1)])
def test_metadata(dtype, size):
    t = rt.zeros(2, 3, dtype=dtype)
    assert t.ndim == 2 and t.element_size() == size and t.itemsize == size and t.nbytes == 6 * size
    assert t.expand(2, 2, 3).nbytes == 12 * size
    assert t.is_floating_point() == dtype.is_floating_point and not t.is_complex()
    assert rt.is_floating_point(t) == dtype.is_floating_point and rt.is_complex(t) is False
    assert rt.numel(t) == 6 and rt.is_tensor(t) and not rt.is_tensor([1])
    s = t[1:].untyped_storage()
    assert s.nbytes() == 6 * size and s.size() == 6 * size and len(s) == 6 * size
    assert s.data_ptr() == t.data_ptr() and s.element_size() == 1
    assert t.layout == rt.strided and repr(rt.strided) == "rtensor.strided"


def test_predicates_errors():
    with pytest.raises(TypeError, match=re.escape("is_complex(): argument 'input' (position 1) must be Tensor, not int")):
        rt.is_complex(3)
    with pytest.raises(TypeError, match="is_floating_point"):
        rt.is_floating_point(3)
    with pytest.raises(TypeError, match="numel"):
        rt.numel(3)


def test_metadata_as_torch():
    torch = torch_or_skip()
    for dt in ("float32", "float64", "int32", "int64", "bool"):
        a, b = rt.zeros(3, 2, dtype=getattr(rt, dt)), torch.zeros(3, 2, dtype=getattr(torch, dt))
        assert (a.nbytes, a.itemsize, a.element_size(), a.ndim) == (b.nbytes, b.itemsize, b.element_size(), b.ndim)
        assert a[1:].untyped_storage().nbytes() == b[1:].untyped_storage().nbytes()


# ------------------------------------------------------------------------------------ protocols


def test_python_protocols():
    t = rt.tensor([1.0, 2.0, 3.0])
    assert len(t) == 3 and [x.item() for x in t] == [1.0, 2.0, 3.0]
    assert 2 in t and 5 not in t and rt.tensor(3.0) in t and 2.0 in t
    assert [x.item() for x in reversed(t)] == [3.0, 2.0, 1.0]
    assert reversed(rt.tensor(3)).item() == 3
    assert bool(rt.tensor([1])) and not bool(rt.tensor(0.0))
    assert int(rt.tensor(2.7)) == 2 and float(rt.tensor(2)) == 2.0 and complex(rt.tensor(1.5)) == 1.5 + 0j
    assert [10, 20, 30][rt.tensor(1)] == 20 and hash(t) == hash(t) and hash(t) != hash(rt.tensor([1.0, 2.0, 3.0]))
    assert {t: 1}[t] == 1


def test_python_protocol_errors():
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(rt.tensor(1.0))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(rt.tensor(1.0))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(rt.ones(2))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
        bool(rt.ones(0))
    for conv in (int, float, complex):
        with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
            conv(rt.ones(2))
    with pytest.raises(TypeError, match="only integer tensors of a single element can be converted to an index"):
        [1, 2][rt.tensor(1.0)]
    with pytest.raises(RuntimeError, match=re.escape("Tensor.__contains__ only supports Tensor or scalar, but you passed in a <class 'str'>.")):
        "a" in rt.ones(2)


# ------------------------------------------------------------------------------ creation keywords


def test_size_keyword_and_requires_grad():
    x = rt.randn(size=(), requires_grad=True)
    assert x.shape == () and x.requires_grad and x.is_leaf
    for make in (rt.zeros, rt.ones, rt.empty, rt.rand, rt.randn):
        assert make(size=(2, 3)).shape == (2, 3)
        assert make(size=[4]).shape == (4,)
    assert rt.full(size=(2,), fill_value=3).tolist() == [3, 3]
    assert rt.randint(0, 5, size=(3,)).shape == (3,)


def test_layout_pin_memory_out_keywords():
    for make in (lambda **k: rt.zeros(2, **k), lambda **k: rt.ones(2, **k), lambda **k: rt.empty(2, **k),
                 lambda **k: rt.full((2,), 1.0, **k), lambda **k: rt.arange(2, **k),
                 lambda **k: rt.linspace(0, 1, 2, **k), lambda **k: rt.eye(2, **k),
                 lambda **k: rt.zeros_like(rt.ones(2), **k), lambda **k: rt.full_like(rt.ones(2), 1, **k)):
        assert make(layout=rt.strided, pin_memory=False).layout == rt.strided
    out = rt.empty(3)
    assert rt.full((3,), 2.0, out=out) is out and out.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(TypeError):
        rt.zeros(2, layout="sparse")


def test_negative_sizes():
    msg = re.escape("Trying to create tensor with negative dimension -1: [-1, 2]")
    with pytest.raises(RuntimeError, match=re.escape("zeros: Dimension size must be non-negative.")):
        rt.zeros(-1, 2)  # torch's zeros words it its own way
    with pytest.raises(RuntimeError, match=re.escape("zeros: Dimension size must be non-negative.")):
        rt.zeros(size=(2, -3))
    with pytest.raises(RuntimeError, match=msg):
        rt.ones(1).new_zeros(-1, 2)
    for make in (rt.ones, rt.empty, rt.rand, rt.randn):
        with pytest.raises(RuntimeError, match=msg):
            make(-1, 2)
        with pytest.raises(RuntimeError, match=msg):
            make(size=(-1, 2))
    with pytest.raises(RuntimeError, match=msg):
        rt.full((-1, 2), 1.0)
    with pytest.raises(RuntimeError, match=msg):
        rt.randint(0, 3, (-1, 2))
    with pytest.raises(RuntimeError, match=msg):
        rt.empty_strided((-1, 2), (1, 1))
    with pytest.raises(RuntimeError, match=msg):
        rt.ones(1).new_ones((-1, 2))


def test_negative_sizes_as_torch():
    torch = torch_or_skip()
    for make in ("zeros", "ones", "empty", "rand", "randn", "Tensor", "FloatTensor", "LongTensor"):
        for args in [(2, -3), ((2, -3),)]:
            if make.endswith("Tensor") and len(args) == 1:
                continue
            with pytest.raises(RuntimeError) as ours:
                getattr(rt, make)(*args)
            with pytest.raises(RuntimeError) as theirs:
                getattr(torch, make)(*args)
            assert str(ours.value) == str(theirs.value)
    for make in ("new_zeros", "new_ones", "new_empty"):
        with pytest.raises(RuntimeError) as ours:
            getattr(rt.ones(1), make)(2, -3)
        with pytest.raises(RuntimeError) as theirs:
            getattr(torch.ones(1), make)(2, -3)
        assert str(ours.value) == str(theirs.value)


# ------------------------------------------------------------------------- range, logspace, ...


def test_range():
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        r = rt.range(1, 4)
    assert r.tolist() == [1.0, 2.0, 3.0, 4.0] and r.dtype == rt.float32
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert rt.range(1, 4, 0.5).shape == (7,)
        assert rt.range(4, 1, -1).tolist() == [4.0, 3.0, 2.0, 1.0]
        assert rt.range(1, 4, dtype=rt.int64).tolist() == [1, 2, 3, 4]
        assert rt.range(0, 1, 0.3).shape == (4,)
        with pytest.raises(RuntimeError, match="step must be nonzero"):
            rt.range(1, 4, 0)
        with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent with step sign"):
            rt.range(4, 1)
        with pytest.raises(TypeError, match='missing 1 required positional arguments: "end"'):
            rt.range(3)


def test_range_logspace_as_torch():
    torch = torch_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for args in [(1, 4), (1, 4, 0.5), (0, 1, 0.3), (4, 1, -1), (-2.5, 3.1, 0.7), (0, 10, 0.1)]:
            for dt in ("float32", "float64", "int64"):
                if dt == "int64" and any(int(v) != v for v in args):
                    continue  # torch divides by the truncated step: a crash (SIGFPE) for 0.5
                ours = rt.range(*args, dtype=getattr(rt, dt))
                theirs = torch.range(*args, dtype=getattr(torch, dt))
                assert ours.tolist() == theirs.tolist(), (args, dt)
    for args, kw in [((0, 2, 3), {}), ((0, 1, 5), {"base": 2}), ((-1, 1, 4), {}), ((0.1, 3.3, 7), {}),
                     ((0, 1, 0), {}), ((0, 1, 1), {}), ((2, -3, 11), {"base": 3.5}), ((0, 18, 19), {}), ((0, 30, 31), {"base": 2})]:
        for dt in ("float32", "float64", "int64", "int32"):
            top = kw.get("base", 10.0) ** max(args[0], args[1])
            if dt.startswith("int") and top >= 2 ** (31 if dt == "int32" else 63):
                continue  # out-of-range float-to-int conversion: the dtype conversion's business
            ours = rt.logspace(*args, dtype=getattr(rt, dt), **kw)
            theirs = torch.logspace(*args, dtype=getattr(torch, dt), **kw)
            assert ours.tolist() == theirs.tolist(), (args, kw, dt)


def test_logspace():
    assert rt.logspace(0, 2, 3).tolist() == [1.0, 10.0, 100.0]
    assert rt.logspace(0, 2, 3, dtype=rt.int64).tolist() == [1, 10, 100]
    assert rt.logspace(0, 1, 0).shape == (0,)
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        rt.logspace(0, 1, -1)
    assert rt.logspace(0, 1, 3, requires_grad=True).requires_grad


def test_empty_strided():
    t = rt.empty_strided((2, 3), (1, 2))
    assert t.shape == (2, 3) and t.stride() == (1, 2) and t.is_leaf
    assert rt.empty_strided((2, 3), (0, 1)).stride() == (0, 1)
    assert rt.empty_strided((2, 0), (1, 1)).numel() == 0
    assert rt.empty_strided((2,), (1,), dtype=rt.int32, requires_grad=False).dtype == rt.int32
    with pytest.raises(RuntimeError, match=re.escape("dimensionality of sizes (1) must match dimensionality of strides (2)")):
        rt.empty_strided((2,), (1, 1))
    with pytest.raises(RuntimeError, match=re.escape("Storage size calculation overflowed with sizes=[2] and strides=[-1]")):
        rt.empty_strided((2,), (-1,))


def test_frombuffer():
    b = bytearray(b"\x01\x00\x00\x00\x02\x00\x00\x00")
    t = rt.frombuffer(b, dtype=rt.int32)
    assert t.tolist() == [1, 2]
    b[0] = 7
    assert t[0].item() == 7  # shares the buffer
    t[1] = 9
    assert b[4] == 9
    assert rt.frombuffer(b, dtype=rt.int32, count=1, offset=4).tolist() == [9]
    assert rt.frombuffer(array.array("d", [1.5, 2.5]), dtype=rt.float64).tolist() == [1.5, 2.5]
    ro = rt.frombuffer(b"\x01\x00\x00\x00", dtype=rt.int32)
    assert ro.tolist() == [1]
    with pytest.raises(RuntimeError):
        ro[0] = 3  # the bytes object is immutable: writes are refused
    with pytest.raises(ValueError, match=re.escape("requested buffer length (2 * 8 bytes) after offset (0 bytes) must not be greater than actual buffer length (8 bytes)")):
        rt.frombuffer(b, dtype=rt.int64, count=2)
    with pytest.raises(ValueError, match=re.escape("offset (9 bytes) must be non-negative and no greater than buffer length (8 bytes) minus 1")):
        rt.frombuffer(b, dtype=rt.int32, offset=9)
    with pytest.raises(ValueError, match=re.escape("both buffer length (0) and count (-1) must not be 0")):
        rt.frombuffer(bytearray(), dtype=rt.int32)
    with pytest.raises(ValueError, match="object does not implement Python buffer protocol."):
        rt.frombuffer([1, 2], dtype=rt.int32)
    with pytest.raises(ValueError, match=re.escape("buffer length (5 bytes) after offset (3 bytes) must be a multiple of element size (4)")):
        rt.frombuffer(b, dtype=rt.int32, offset=3)


def test_asarray():
    t = rt.ones(2)
    assert rt.asarray(t) is t and rt.asarray(t, copy=False) is t
    c = rt.asarray(t, copy=True)
    assert c is not t and c.data_ptr() != t.data_ptr()
    assert rt.asarray(t, dtype=rt.float64).dtype == rt.float64
    with pytest.raises(ValueError, match=re.escape("can't alias tensor with dtype 'Float' into dtype 'Double'.")):
        rt.asarray(t, dtype=rt.float64, copy=False)
    assert rt.asarray([1, 2]).dtype == rt.int64 and rt.asarray(3.5).dtype == rt.float32
    with pytest.raises(ValueError, match=re.escape("can't alias arbitrary sequence into a tensor.")):
        rt.asarray([1, 2], copy=False)
    a = np.arange(3.0)
    x = rt.asarray(a)
    a[0] = 9
    assert x[0].item() == 9.0  # shares numpy's memory
    assert rt.asarray(a, copy=True).data_ptr() != a.ctypes.data
    with pytest.raises(ValueError, match=re.escape("can't alias tensor with dtype 'Double' into dtype 'Float'.")):
        rt.asarray(a, dtype=rt.float32, copy=False)
    assert rt.asarray(array.array("d", [1.0, 2.0])).dtype == rt.float64
    assert rt.asarray(bytearray(b"\x01\x00\x00\x00"), dtype=rt.int32).tolist() == [1]
    assert rt.asarray(np.float64(2.5)).dtype == rt.float64
    r = rt.ones(2, requires_grad=True)
    assert rt.asarray(r) is r and rt.asarray(r, copy=True).grad_fn.name() == "CloneBackward0"
    assert rt.asarray([1.0, 2.0], requires_grad=True).requires_grad


def test_python_composite_methods():
    """ndimension, type_as, reshape_as, is_same_size, is_signed and mT, as torch's."""
    a = rt.ones(2, 3, requires_grad=True)
    assert a.ndimension() == 2
    assert a.type_as(rt.ones(1, dtype=rt.float64)).grad_fn.name() == "ToCopyBackward0"
    assert a.type_as(rt.ones(1, dtype=rt.int64)).dtype == rt.int64
    assert a.reshape_as(rt.empty(3, 2)).shape == (3, 2)
    assert a.reshape_as(rt.empty(3, 2)).grad_fn.name() == "ViewBackward0"
    assert a.is_same_size(rt.empty(2, 3)) and not a.is_same_size(rt.empty(3, 2))
    assert a.is_signed and not rt.ones(1, dtype=rt.uint8).is_signed
    assert a.mT.shape == (3, 2) and a.mT.grad_fn.name() == "TransposeBackward0"
    with pytest.raises(RuntimeError, match="tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."):
        rt.ones(3).mT
    with pytest.raises(TypeError, match="must be Tensor"):
        a.type_as(3)
    with pytest.raises(RuntimeError, match=r"shape '\[3\]' is invalid for input of size 6"):
        a.reshape_as(rt.ones(3))
