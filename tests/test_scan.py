"""cumsum / cumprod: values, dtypes and shapes against numpy (and torch when installed), every dim
of 1-D..4-D inputs, strided inputs, accuracy, bitwise-identical results for 1 and 2 threads,
gradients (gradcheck) and torch's errors."""

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

SHAPES = [(7,), (3, 5), (4, 6, 5), (2, 3, 4, 5), (300, 70), (70, 300), (3, 5000), (9000,), (2, 0, 3)]
CASES = [(s, d) for s in SHAPES for d in range(-len(s), len(s))]


def _data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-5, 6, shape).astype(dtype)
    return rng.uniform(0.5, 1.5, shape).astype(dtype)


@pytest.mark.parametrize("shape,dim", CASES)
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_float64_matches_numpy_on_every_dim(shape, dim, op):
    a = _data(shape, np.float64)
    got = getattr(rt.tensor(a), op)(dim)
    want = getattr(np, op)(a, axis=dim)
    assert got.dtype == rt.float64 and tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype,want", [
    (np.bool_, rt.int64), (np.int32, rt.int64), (np.int64, rt.int64),
    (np.float32, rt.float32), (np.float64, rt.float64),
])
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@pytest.mark.parametrize("shape,dim", [((5, 6), 0), ((5, 6), 1), ((20000,), 0)])
def test_dtypes(dtype, want, op, shape, dim):
    a = _data(shape, dtype)
    got = getattr(rt.tensor(a), op)(dim)
    assert got.dtype == want
    expected = getattr(np, op)(a.astype(np.float64), axis=dim)
    if want == rt.int64:
        np.testing.assert_array_equal(got.numpy(), getattr(np, op)(a.astype(np.int64), axis=dim))
    else:
        rtol = 1e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got.numpy(), expected, rtol=rtol, atol=1e-30)  # cumprod underflows


def test_dtype_argument_converts_first():
    i = rt.tensor([1, 2, 3], dtype=rt.int32)
    assert i.cumsum(0, dtype=rt.int32).dtype == rt.int32
    assert i.cumsum(0, dtype=rt.float32).tolist() == [1.0, 3.0, 6.0]
    f = rt.tensor([1.5, 2.5, 3.5])
    assert f.cumsum(0, dtype=rt.int64).tolist() == [1, 3, 6]  # truncated first, as torch
    d = f.cumprod(0, dtype=rt.float64)
    assert d.dtype == rt.float64
    np.testing.assert_allclose(d.numpy(), [1.5, 3.75, 13.125])
    assert rt.cumsum(f, 0, dtype=rt.float64).dtype == rt.float64


def test_integer_wraps_like_torch():
    big = rt.tensor([2**62, 2**62, 2**62], dtype=rt.int64)
    assert big.cumsum(0).tolist() == [2**62, -(2**63), -(2**62)]
    i = rt.tensor([2**30, 2**30], dtype=rt.int32)
    assert i.cumsum(0, dtype=rt.int32).tolist() == [2**30, -(2**31)]


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_strided_inputs(op):
    a = _data((6, 40, 8), np.float64)
    t = rt.tensor(a)
    views = [
        (t.transpose(0, 2), a.transpose(2, 1, 0)),
        (t.permute(1, 2, 0), a.transpose(1, 2, 0)),
        (t[:, ::3, 1:7], a[:, ::3, 1:7]),
        (t[2], a[2]),
        (t[:, 5, :].T, a[:, 5, :].T),
    ]
    for view, ref in views:
        for dim in range(ref.ndim):
            got = getattr(view, op)(dim)
            assert got.is_contiguous()
            np.testing.assert_allclose(got.numpy(), getattr(np, op)(ref, axis=dim), rtol=1e-12)
    e = rt.ones(1).expand(5)
    assert getattr(e, op)(0).tolist() == ([1.0, 2.0, 3.0, 4.0, 5.0] if op == "cumsum" else [1.0] * 5)


def test_zero_dim_and_empty():
    s = rt.tensor(3.0)
    assert s.cumsum(0).item() == 3.0 and s.cumprod(-1).item() == 3.0
    assert s.cumsum(0).shape == ()
    assert rt.tensor(True).cumsum(0).dtype == rt.int64
    assert rt.zeros(0).cumprod(0).shape == (0,)
    assert rt.zeros(2, 0, 3).cumsum(1).shape == (2, 0, 3)


def test_aliases_and_module_functions():
    t = rt.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(t.cumsum(axis=1).numpy(), np.cumsum(t.numpy(), axis=1))
    np.testing.assert_array_equal(rt.cumsum(t, 0).numpy(), np.cumsum(t.numpy(), axis=0))
    np.testing.assert_array_equal(rt.cumprod(t, dim=-1).numpy(), np.cumprod(t.numpy(), axis=1))
    np.testing.assert_array_equal(rt.cumprod(t, axis=0).numpy(), np.cumprod(t.numpy(), axis=0))


def test_float32_accumulates_in_float64():
    assert rt.ones(2**25).cumsum(0)[-1].item() == 2**25
    x = rt.full((3_000_000,), 0.1)
    exact = np.cumsum(np.full(3_000_000, np.float32(0.1), dtype=np.float64)).astype(np.float32)
    np.testing.assert_array_equal(x.cumsum(0).numpy(), exact)


@pytest.mark.parametrize("shape,dim", [((5_000_000,), 0), ((2000, 1500), 0), ((1500, 2000), 1),
                                       ((3, 400_000), 1), ((400, 3, 500), 1)])
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_bitwise_equal_across_thread_counts(shape, dim, op):
    a = np.random.default_rng(1).uniform(0.999, 1.001, shape).astype(np.float32)
    t = rt.tensor(a)
    before = rt.get_num_threads()
    try:
        rt.set_num_threads(1)
        one = getattr(t, op)(dim).numpy()
        rt.set_num_threads(2)
        two = getattr(t, op)(dim).numpy()
    finally:
        rt.set_num_threads(before)
    assert one.tobytes() == two.tobytes()


def test_prints_as_torch():
    assert str(rt.arange(0, 12).reshape(3, 4).cumsum(0)) == (
        "tensor([[ 0,  1,  2,  3],\n"
        "        [ 4,  6,  8, 10],\n"
        "        [12, 15, 18, 21]])"
    )


# ---- gradients ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,dim", [((5,), 0), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 1), ((), 0)])
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_gradcheck(shape, dim, op):
    x = rt.tensor(_data(shape, np.float64), requires_grad=True)
    assert rt.autograd.gradcheck(lambda t: getattr(t, op)(dim), (x,))


@pytest.mark.parametrize("values", [
    [2.0, 0.0, 3.0, 4.0], [0.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 0.0], [0.0, 2.0, 0.0, 4.0],
])
def test_cumprod_gradient_with_zeros(values):
    x = rt.tensor(values, dtype=rt.float64, requires_grad=True)
    assert rt.autograd.gradcheck(lambda t: t.cumprod(0), (x,))
    m = rt.tensor([values, values[::-1]], dtype=rt.float64, requires_grad=True)
    assert rt.autograd.gradcheck(lambda t: t.cumprod(1), (m,))
    assert rt.autograd.gradcheck(lambda t: t.T.cumprod(0), (m,))


def test_grad_fn_names_and_dtype_argument():
    x = rt.ones(2, 3, requires_grad=True)
    assert type(x.cumsum(1).grad_fn).__name__ == "CumsumBackward0"
    assert type(x.cumprod(0).grad_fn).__name__ == "CumprodBackward0"
    y = x.cumsum(1, dtype=rt.float64)
    assert y.grad_fn.next_functions[0][0] is not None
    y.sum().backward()
    assert x.grad.dtype == rt.float32
    assert x.grad.tolist() == [[3.0, 2.0, 1.0], [3.0, 2.0, 1.0]]


def test_cumprod_saved_tensors_are_checked_and_freed():
    x = rt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    z = y.cumprod(0)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
    w = x.cumprod(0).sum()
    w.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        w.backward()


@needs_torch
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@pytest.mark.parametrize("shape,dim", [((4, 5), 0), ((4, 5), -1), ((2, 3, 4), 1)])
def test_values_and_gradients_match_torch(op, shape, dim):
    a = _data(shape, np.float64)
    a.flat[3] = 0.0
    g = np.random.default_rng(2).standard_normal(shape)
    x = rt.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    y, ty = getattr(x, op)(dim), getattr(tx, op)(dim)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    y.backward(rt.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.float32])
def test_dtypes_match_torch(dtype):
    a = _data((4, 5), dtype)
    for op in ("cumsum", "cumprod"):
        got = getattr(rt.tensor(a), op)(1)
        want = getattr(torch.tensor(a), op)(1)
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


# ---- errors --------------------------------------------------------------------------------------


def test_errors():
    t = rt.ones(2, 3)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        t.cumsum(2)
    with pytest.raises(IndexError, match=r"range of \[-1, 0\], but got 1"):
        rt.tensor(3.0).cumprod(1)
    with pytest.raises(TypeError, match=r"missing 1 required positional arguments: \"dim\""):
        t.cumsum()
    with pytest.raises(TypeError, match=r"argument 'dim' \(position 1\) must be int, not float"):
        t.cumsum(0.5)
    with pytest.raises(TypeError, match="must be int, not bool"):
        t.cumprod(True)
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'axis'"):
        t.cumsum(0, axis=0)
    with pytest.raises(TypeError, match=r"argument 'input' \(position 1\) must be Tensor, not list"):
        rt.cumsum([1, 2], 0)
    with pytest.raises(NotImplementedError, match="\"cumsum_out_cpu\" not implemented for 'Bool'"):
        t.cumsum(0, dtype=rt.bool)
    with pytest.raises(NotImplementedError, match="\"cumprod_out_cpu\" not implemented for 'Bool'"):
        t.cumprod(0, dtype=rt.bool)
