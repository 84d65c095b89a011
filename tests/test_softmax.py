# softmax and log_softmax (rt.*, Tensor methods, rt.special.*): values against numpy on random shapes and
# every dim, torch's special rows, dtype=, errors, gradients (gradcheck and grad_fn names), thread-count
# independence, and against torch where it is installed.
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rtensor as rt
from conftest import hypothesis_examples

N = hypothesis_examples(30)


def np_softmax(x, dim, log=False):
    x = x.astype(np.float64)
    m = np.max(x, axis=dim, keepdims=True)
    e = np.exp(x - m)
    s = e.sum(axis=dim, keepdims=True)
    return (x - m - np.log(s)) if log else e / s


@settings(max_examples=N, deadline=None)
@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7),
                 elements=st.floats(-50, 50)),
    data=st.data(),
    log=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_values_against_numpy(x, data, log, dtype):
    x = x.astype(dtype)
    nd = max(x.ndim, 1)
    dim = data.draw(st.integers(-nd, nd - 1))
    t = rt.tensor(x)
    f = rt.log_softmax if log else rt.softmax
    out = f(t, dim)
    assert out.dtype == t.dtype and tuple(out.shape) == x.shape
    if x.size == 0:
        exp = x.astype(np.float64)
    else:
        exp = np_softmax(x.reshape(x.shape or (1,)), dim, log).reshape(x.shape)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.numpy(), exp, rtol=tol, atol=tol)
    # the method and rt.special forms are the same op
    m = (t.log_softmax if log else t.softmax)(dim)
    s = (rt.special.log_softmax if log else rt.special.softmax)(t, dim)
    assert np.array_equal(m.numpy(), out.numpy(), equal_nan=True)
    assert np.array_equal(s.numpy(), out.numpy(), equal_nan=True)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_non_contiguous_input(dim):
    x = np.random.default_rng(0).normal(size=(5, 300, 6)).astype(np.float32)
    t = rt.tensor(x).transpose(0, 2)
    out = rt.softmax(t, dim)
    np.testing.assert_allclose(out.numpy(), np_softmax(x.transpose(2, 1, 0), dim), rtol=1e-5, atol=1e-6)


def test_special_rows():
    inf, nan = float("inf"), float("nan")
    x = rt.tensor([[0.0, -inf], [-inf, -inf], [inf, 1.0], [nan, 1.0], [1000.0, 0.0]])
    s = rt.softmax(x, 1).tolist()
    assert s[0] == [1.0, 0.0] and s[4] == [1.0, 0.0]
    assert all(np.isnan(s[i]).all() for i in (1, 2, 3))
    ls = rt.log_softmax(x, 1).tolist()
    assert ls[0] == [0.0, -inf] and ls[4] == [0.0, -1000.0]


def test_dtype_argument_and_ints():
    x = rt.tensor([[1, 2, 3]])
    with pytest.raises(NotImplementedError, match="\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"):
        rt.softmax(x, 1)
    with pytest.raises(NotImplementedError, match="\"log_softmax_kernel_impl\" not implemented for 'Long'"):
        rt.log_softmax(x, 0)
    y = rt.softmax(x, 1, dtype=rt.float64)
    assert y.dtype == rt.float64
    np.testing.assert_allclose(y.numpy(), np_softmax(np.array([[1.0, 2, 3]]), 1))
    z = rt.tensor([1.0, 2.0]).log_softmax(0, dtype=rt.float64)
    assert z.dtype == rt.float64


def test_errors():
    x = rt.ones(2, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        rt.softmax(x, 2)
    with pytest.raises(TypeError):
        rt.softmax(x)
    assert rt.softmax(rt.tensor(3.0), 0).item() == 1.0
    assert rt.softmax(rt.ones(0, 4), 1).shape == (0, 4)


def test_axis_alias():
    x = rt.tensor([[1.0, 2.0], [3.0, 5.0]])
    assert rt.softmax(x, axis=0).tolist() == rt.softmax(x, 0).tolist()


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gradcheck(log, dim):
    rng = np.random.default_rng(1)
    x = rt.tensor(rng.normal(size=(3, 4, 2)), requires_grad=True)
    f = rt.log_softmax if log else rt.softmax
    assert rt.autograd.gradcheck(lambda t: f(t, dim), (x,))
    y = f(x, dim)
    assert type(y.grad_fn).__name__ == ("LogSoftmaxBackward0" if log else "SoftmaxBackward0")


def test_grad_through_dtype_cast():
    x = rt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = rt.softmax(x, 0, dtype=rt.float64)
    assert y.dtype == rt.float64
    (y * rt.tensor([1.0, 0.0, 0.0], dtype=rt.float64)).sum().backward()
    assert x.grad.dtype == rt.float32
    p = np_softmax(np.array([1.0, 2, 3]), 0)
    np.testing.assert_allclose(x.grad.numpy(), p[0] * ((np.arange(3) == 0) - p), rtol=1e-6)


@pytest.mark.parametrize("shape, dim", [((64, 5000), 1), ((300, 70, 40), 1), ((3, 200_000), 0)])
def test_same_for_any_thread_count(shape, dim):
    x = rt.tensor(np.random.default_rng(2).normal(size=shape).astype(np.float32))
    before = rt.get_num_threads()
    try:
        rt.set_num_threads(1)
        a = rt.softmax(x, dim).numpy()
        rt.set_num_threads(2)
        b = rt.softmax(x, dim).numpy()
    finally:
        rt.set_num_threads(before)
    assert np.array_equal(a, b)


def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for shape, dim in [((7, 33), 1), ((4, 5, 6), 0), ((4, 5, 6), 1), ((10,), 0)]:
        x = rng.normal(size=shape).astype(np.float32) * 10
        for log in (False, True):
            name = "log_softmax" if log else "softmax"
            a = getattr(rt, name)(rt.tensor(x), dim).numpy()
            b = getattr(torch, name)(torch.tensor(x), dim).numpy()
            np.testing.assert_allclose(a, b, rtol=2e-6, atol=1e-7)
