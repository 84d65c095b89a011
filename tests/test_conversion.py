# Conversion: tolist, item, float/int/bool, to(dtype) and the dtype shorthands, numpy() sharing memory,
# np.asarray, DLPack both ways (numpy and, when installed, torch).
#
# Validated against torch 2.15.0 (CPU): every expected value, dtype, exception type and message below is what torch
# does (run with a shim package named `rtensor` that re-exports torch).
import gc
import math
import re
import warnings

import numpy as np
import pytest

import rtensor as rt

UNDER_TORCH = getattr(rt, "_IS_TORCH_SHIM", False)  # only the torch validation shim sets this
rtensor_only = pytest.mark.skipif(UNDER_TORCH, reason="rtensor-specific (torch lags here)")

NUMPY_GRAD_MSG = "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."


# ------------------------------------------------------------------------------------------------ tolist


def test_tolist_nested():
    assert rt.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert rt.zeros(2, 0).tolist() == [[], []]
    assert rt.zeros(0).tolist() == []


def test_tolist_python_types():
    assert type(rt.tensor([1]).tolist()[0]) is int
    assert type(rt.tensor([1.5]).tolist()[0]) is float
    assert type(rt.tensor([True]).tolist()[0]) is bool
    assert type(rt.tensor([1], dtype=rt.int32).tolist()[0]) is int
    assert type(rt.tensor([1.5], dtype=rt.float64).tolist()[0]) is float


def test_tolist_zero_dim_gives_scalar():
    assert rt.tensor(3).tolist() == 3
    assert type(rt.tensor(3.5).tolist()) is float


def test_tolist_float32_values_are_exact_doubles():
    assert rt.tensor([0.1]).tolist() == [0.10000000149011612]
    assert rt.tensor([0.1], dtype=rt.float64).tolist() == [0.1]


def test_tolist_noncontiguous():
    t = rt.arange(6).reshape(2, 3)
    assert t.t().tolist() == [[0, 3], [1, 4], [2, 5]]
    assert t[:, ::2].tolist() == [[0, 2], [3, 5]]
    assert rt.tensor([1, 2]).expand(2, 2).tolist() == [[1, 2], [1, 2]]


def test_tolist_special_floats():
    r = rt.tensor([math.inf, -math.inf, math.nan]).tolist()
    assert r[0] == math.inf and r[1] == -math.inf and math.isnan(r[2])


def test_tolist_with_requires_grad():
    assert rt.ones(2, requires_grad=True).tolist() == [1.0, 1.0]


# -------------------------------------------------------------------------------------------------- item


def test_item():
    assert rt.tensor([[7]]).item() == 7
    assert type(rt.tensor([7]).item()) is int
    assert type(rt.tensor([7.0]).item()) is float
    assert type(rt.tensor([True]).item()) is bool
    assert rt.tensor([0.1]).item() == 0.10000000149011612
    assert rt.tensor(-(2**63)).item() == -(2**63)
    assert rt.ones(1, requires_grad=True).item() == 1.0


def test_item_of_view():
    t = rt.arange(6).reshape(2, 3)
    assert t[1, 2].item() == 5
    assert t.t()[2, 1].item() == 5


@pytest.mark.parametrize("n", [2, 0])
def test_item_needs_one_element(n):
    with pytest.raises(RuntimeError, match=f"a Tensor with {n} elements cannot be converted to Scalar"):
        rt.zeros(n).item()


# ---------------------------------------------------------------------------------------- float/int/bool


def test_python_number_conversions():
    assert float(rt.tensor([[3]])) == 3.0
    assert type(float(rt.tensor(3))) is float
    assert int(rt.tensor(3.9)) == 3
    assert int(rt.tensor(-3.9)) == -3
    assert type(int(rt.tensor([4.0]))) is int
    assert int(rt.tensor(True)) == 1
    assert float(rt.tensor(True)) == 1.0
    assert bool(rt.tensor([0.0])) is False
    assert bool(rt.tensor(2)) is True
    assert bool(rt.tensor([[True]])) is True


def test_index_protocol_for_int_tensors():
    assert [10, 20, 30][rt.tensor(1)] == 20
    assert range(5)[rt.tensor(2)] == 2


def test_float_with_requires_grad():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns here; a warning is optional
        assert float(rt.ones(1, requires_grad=True)) == 1.0


@pytest.mark.parametrize("conv", [float, int])
@pytest.mark.parametrize("n", [2, 0])
def test_float_int_multi_element(conv, n):
    with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
        conv(rt.zeros(n))


def test_bool_multi_element():
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(rt.tensor([1, 2]))


def test_bool_empty():
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
        bool(rt.tensor([]))


def test_if_on_multi_element_raises():
    with pytest.raises(RuntimeError, match="ambiguous"):
        if rt.tensor([1, 2]) == rt.tensor([1, 2]):
            pass


# ------------------------------------------------------------------------------------------------- to()


def test_to_dtype():
    t = rt.tensor([1.7, -1.7])
    r = t.to(rt.int32)
    assert r.dtype == rt.int32
    assert r.tolist() == [1, -1]
    assert t.to(dtype=rt.int64).tolist() == [1, -1]
    assert rt.tensor([3]).to(rt.float64).tolist() == [3.0]


def test_to_bool():
    assert rt.tensor([1.7, 0.0, -0.5]).to(rt.bool).tolist() == [True, False, True]
    assert rt.tensor([0, 3]).to(rt.bool).tolist() == [False, True]


def test_to_same_dtype_returns_self():
    a = rt.zeros(2)
    assert a.to(rt.float32) is a
    assert a.float() is a


def test_to_copy_true():
    a = rt.zeros(2)
    b = a.to(rt.float32, copy=True)
    assert b is not a
    assert b.data_ptr() != a.data_ptr()


def test_to_other_dtype_copies():
    a = rt.zeros(2)
    b = a.to(rt.float64)
    b[0] = 1
    assert a.tolist() == [0.0, 0.0]


def test_to_noncontiguous():
    t = rt.arange(6).reshape(2, 3).t()
    r = t.to(rt.float64)
    assert r.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert r.shape == (3, 2)


def test_float_to_int_wraps_like_c():
    assert rt.tensor([300]).to(rt.int32).tolist() == [300]
    assert rt.tensor([2**40]).to(rt.int32).tolist() == [0]


@pytest.mark.parametrize(
    "method, name",
    [("float", "float32"), ("double", "float64"), ("int", "int32"), ("long", "int64"), ("bool", "bool")],
)
def test_dtype_shorthands(method, name):
    t = rt.tensor([0.0, 1.5, -2.5])
    r = getattr(t, method)()
    assert r.dtype == getattr(rt, name)
    expected = {"float32": [0.0, 1.5, -2.5], "float64": [0.0, 1.5, -2.5], "int32": [0, 1, -2], "int64": [0, 1, -2], "bool": [False, True, True]}
    assert r.tolist() == expected[name]


def test_bool_to_float():
    assert rt.tensor([True, False]).float().tolist() == [1.0, 0.0]
    assert rt.tensor([True, False]).long().tolist() == [1, 0]


# ------------------------------------------------------------------------------------------------ numpy()


@pytest.mark.parametrize(
    "name, np_dtype",
    [("float32", np.float32), ("float64", np.float64), ("int32", np.int32), ("int64", np.int64), ("bool", np.bool_)],
)
def test_numpy_dtype(name, np_dtype):
    n = rt.zeros(3, dtype=getattr(rt, name)).numpy()
    assert isinstance(n, np.ndarray)
    assert n.dtype == np_dtype
    assert n.shape == (3,)


def test_numpy_shares_memory():
    t = rt.zeros(3)
    n = t.numpy()
    assert n.flags.writeable
    assert n.ctypes.data == t.data_ptr()
    n[0] = 5
    t[1] = 7
    assert t.tolist() == [5.0, 7.0, 0.0]
    assert n.tolist() == [5.0, 7.0, 0.0]


def test_numpy_of_view_keeps_strides():
    t = rt.arange(6.0).reshape(2, 3)
    n = t.t().numpy()
    assert n.shape == (3, 2)
    assert n.strides == (4, 12)
    assert not n.flags.c_contiguous
    assert n.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    s = t[1].numpy()
    assert s.ctypes.data == t.data_ptr() + 3 * 4
    s[0] = -1
    assert t[1, 0].item() == -1


def test_numpy_zero_dim():
    n = rt.tensor(3.0).numpy()
    assert isinstance(n, np.ndarray)
    assert n.shape == ()


def test_numpy_keeps_tensor_memory_alive():
    n = rt.arange(5).numpy()
    gc.collect()
    assert n.tolist() == [0, 1, 2, 3, 4]


def test_numpy_requires_grad_raises():
    with pytest.raises(RuntimeError, match=re.escape(NUMPY_GRAD_MSG)):
        rt.zeros(2, requires_grad=True).numpy()


def test_numpy_of_detached_ok():
    t = rt.zeros(2, requires_grad=True)
    n = t.detach().numpy()
    n[0] = 3
    assert t.tolist() == [3.0, 0.0]


def test_from_numpy_roundtrip():
    n = np.arange(6, dtype=np.int32).reshape(2, 3)
    m = rt.from_numpy(n).numpy()
    assert m.dtype == np.int32
    assert np.shares_memory(m, n)


# -------------------------------------------------------------------------------------------- np.asarray


def test_asarray_shares_memory():
    t = rt.zeros(3)
    n = np.asarray(t)
    assert n.dtype == np.float32
    n[0] = 1
    assert t.tolist() == [1.0, 0.0, 0.0]


@rtensor_only
def test_asarray_supports_numpy2_copy_keyword():
    # numpy 2 passes copy= to __array__; torch's __array__ lacks it and numpy warns (DeprecationWarning)
    t = rt.zeros(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        n = np.asarray(t)
        c = np.array(t, copy=True)
    c[0] = 1
    n[1] = 2
    assert t.tolist() == [0.0, 2.0, 0.0]


def test_asarray_with_dtype_converts():
    t = rt.tensor([1, 2])
    n = np.asarray(t, dtype=np.float64)
    assert n.dtype == np.float64
    assert n.tolist() == [1.0, 2.0]


def test_np_array_copies():
    t = rt.zeros(3)
    n = np.array(t)
    n[0] = 1
    assert t.tolist() == [0.0, 0.0, 0.0]


def test_asarray_requires_grad_raises():
    with pytest.raises(RuntimeError, match=re.escape(NUMPY_GRAD_MSG)):
        np.asarray(rt.zeros(3, requires_grad=True))


def test_numpy_functions_accept_tensors():
    t = rt.arange(6.0).reshape(2, 3)
    assert np.sum(np.asarray(t)) == 15.0
    np.testing.assert_array_equal(np.asarray(t.t()), np.arange(6.0).reshape(2, 3).T)


# ------------------------------------------------------------------------------------------------- DLPack


def test_dlpack_device():
    d = rt.zeros(3).__dlpack_device__()
    assert tuple(d) == (1, 0)
    assert tuple(rt.zeros(2, 2).t().__dlpack_device__()) == (1, 0)


def test_np_from_dlpack_shares_memory():
    t = rt.zeros(3)
    n = np.from_dlpack(t)
    assert n.dtype == np.float32
    assert n.ctypes.data == t.data_ptr()
    t[0] = 4
    assert n.tolist() == [4.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "name, np_dtype",
    [("float32", np.float32), ("float64", np.float64), ("int32", np.int32), ("int64", np.int64), ("bool", np.bool_)],
)
def test_np_from_dlpack_dtypes(name, np_dtype):
    t = rt.tensor([1, 0, 1], dtype=getattr(rt, name))
    n = np.from_dlpack(t)
    assert n.dtype == np_dtype
    assert n.tolist() == t.tolist()


def test_np_from_dlpack_strided():
    t = rt.arange(12).reshape(3, 4)
    n = np.from_dlpack(t[:, 1::2])
    assert n.tolist() == [[1, 3], [5, 7], [9, 11]]
    assert n.strides == (32, 16)
    n2 = np.from_dlpack(t.t())
    assert n2.tolist() == np.arange(12).reshape(3, 4).T.tolist()


def test_np_from_dlpack_zero_dim():
    n = np.from_dlpack(rt.tensor(2.5))
    assert n.shape == ()
    assert n.item() == 2.5


def test_np_from_dlpack_keeps_memory_alive():
    n = np.from_dlpack(rt.arange(4))
    gc.collect()
    assert n.tolist() == [0, 1, 2, 3]


def test_dlpack_versioned_and_legacy_capsules():
    # Consumers that pass max_version >= (1, 0) get a DLPack 1.x capsule; others the legacy one.
    t = rt.arange(3.0)
    assert "dltensor_versioned" in repr(t.__dlpack__(max_version=(1, 0)))
    assert '"dltensor"' in repr(t.__dlpack__())
    assert rt.from_dlpack(t.__dlpack__(max_version=(1, 0))).tolist() == [0.0, 1.0, 2.0]
    assert rt.from_dlpack(t.__dlpack__()).tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(TypeError, match="max_version"):
        t.__dlpack__(max_version="1.0")


def test_np_from_dlpack_is_writeable():
    # numpy marks arrays from legacy capsules read-only; the versioned capsule says writeable.
    t = rt.zeros(3)
    n = np.from_dlpack(t)
    assert n.flags.writeable
    n[1] = 2.0
    assert t.tolist() == [0.0, 2.0, 0.0]


def test_rt_from_dlpack_of_read_only_numpy_shares_it():
    # numpy exports a read-only array only as a versioned capsule with the read-only flag: shared,
    # and (unlike torch, which writes anyway) refusing writes, as from_numpy does.
    n = np.arange(4.0)
    n.flags.writeable = False
    t = rt.from_dlpack(n)
    assert t.data_ptr() == n.ctypes.data and t.tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError):
        t[0] = 1.0
    assert n[0] == 0.0
    assert rt.from_dlpack(np.from_dlpack(rt.arange(2))).tolist() == [0, 1]


def test_dlpack_requires_grad_refused():
    with pytest.raises(BufferError, match="Can't export tensors that require gradient, use tensor.detach()"):
        np.from_dlpack(rt.zeros(3, requires_grad=True))


def test_rt_from_dlpack_numpy_shares_memory():
    n = np.zeros(3)
    t = rt.from_dlpack(n)
    assert t.dtype == rt.float64
    assert t.data_ptr() == n.ctypes.data
    n[0] = 4
    t[1] = 3
    assert n.tolist() == [4.0, 3.0, 0.0]
    assert t.tolist() == [4.0, 3.0, 0.0]


def test_rt_from_dlpack_numpy_dtypes_and_strides():
    assert rt.from_dlpack(np.zeros(3, dtype=np.int32)).dtype == rt.int32
    n = np.arange(6, dtype=np.int64).reshape(2, 3).T
    t = rt.from_dlpack(n)
    assert t.shape == (3, 2)
    assert t.stride() == (1, 3)
    assert t.tolist() == n.tolist()


def test_rt_from_dlpack_rtensor_roundtrip():
    a = rt.arange(4.0)
    b = rt.from_dlpack(a)
    assert b.data_ptr() == a.data_ptr()
    b[0] = 9
    assert a[0].item() == 9


def test_rt_from_dlpack_keeps_producer_alive():
    t = rt.from_dlpack(np.arange(5, dtype=np.int64))
    gc.collect()
    assert t.tolist() == [0, 1, 2, 3, 4]


# ------------------------------------------------------------------------------------------ torch interop


def test_torch_from_dlpack_shares_memory():
    torch = pytest.importorskip("torch")
    t = rt.arange(6.0).reshape(2, 3)
    x = torch.from_dlpack(t)
    assert x.dtype == torch.float32
    assert x.data_ptr() == t.data_ptr()
    assert x.tolist() == t.tolist()
    x[0, 0] = 100
    assert t[0, 0].item() == 100
    t[1, 2] = -1
    assert x[1, 2].item() == -1


@pytest.mark.parametrize("name", ["float32", "float64", "int32", "int64", "bool"])
def test_torch_from_dlpack_dtypes(name):
    torch = pytest.importorskip("torch")
    t = rt.tensor([1, 0, 1], dtype=getattr(rt, name))
    x = torch.from_dlpack(t)
    assert x.dtype == getattr(torch, name)
    assert x.tolist() == t.tolist()


def test_torch_from_dlpack_view():
    torch = pytest.importorskip("torch")
    t = rt.arange(12).reshape(3, 4)
    v = t.t()[1:]
    x = torch.from_dlpack(v)
    assert tuple(x.shape) == (3, 3)
    assert x.stride() == v.stride()
    assert x.tolist() == v.tolist()


def test_rt_from_dlpack_torch_shares_memory():
    torch = pytest.importorskip("torch")
    x = torch.arange(4, dtype=torch.int64)
    t = rt.from_dlpack(x)
    assert t.dtype == rt.int64
    assert t.data_ptr() == x.data_ptr()
    t[0] = 10
    assert x[0].item() == 10


def test_torch_from_dlpack_requires_grad_refused():
    torch = pytest.importorskip("torch")
    with pytest.raises(BufferError):
        torch.from_dlpack(rt.zeros(3, requires_grad=True))


def test_torch_values_match():
    torch = pytest.importorskip("torch")
    na = np.array([[1.5, -2.0, 3.0], [0.25, 4.0, -1.0]], dtype=np.float32)
    a = rt.tensor(na)
    x = torch.tensor(na)
    for rop, top in [
        (lambda v: (v * 2 + 1).exp(), lambda v: (v * 2 + 1).exp()),
        (lambda v: rt.sigmoid(v) - rt.tanh(v), lambda v: torch.sigmoid(v) - torch.tanh(v)),
        (lambda v: v.t() / 3, lambda v: v.t() / 3),
    ]:
        np.testing.assert_allclose(np.array(rop(a).tolist()), top(x).numpy(), rtol=1e-6, atol=1e-6)
