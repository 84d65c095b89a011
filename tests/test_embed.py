"""The scatter-into-copy ops of ops/embed.rs (diagonal_scatter, select_scatter, slice_scatter):
values against numpy (and torch when installed), that they copy, gradients (node names, gradcheck in
float64, both inputs), out=, and torch's shape errors."""

import re

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")


def _data(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-9, 10, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _check_error(fn, exc, msg):
    with pytest.raises(exc, match=re.escape(msg)):
        fn(rt)
    if torch is not None:
        with pytest.raises(exc, match=re.escape(msg)):
            fn(torch)


@pytest.mark.parametrize("shape,offset,d1,d2", [((3, 4), 0, 0, 1), ((3, 4), 1, 0, 1), ((3, 4), -2, 0, 1), ((2, 3, 4), 0, 2, 0), ((4, 3), 1, 1, 0), ((3, 4), 9, 0, 1)])
def test_diagonal_scatter_matches_numpy(shape, offset, d1, d2):
    a = _data(shape)
    view = np.diagonal(a, offset, d1, d2)
    s = _data(view.shape, seed=1)
    want = a.copy()
    np.diagonal(want, offset, d1, d2).setflags(write=True) if False else None
    # numpy's diagonal is read-only: write through an index instead.
    idx = np.indices(a.shape)
    mask = (idx[d2] - idx[d1]) == offset
    moved = np.moveaxis(want, (d1, d2), (-2, -1))
    mmask = np.moveaxis(mask, (d1, d2), (-2, -1))
    moved[mmask] = s.reshape(-1, s.shape[-1]).reshape(-1) if s.size else moved[mmask]
    t = rt.tensor(a)
    got = rt.diagonal_scatter(t, rt.tensor(s), offset, d1, d2)
    np.testing.assert_array_equal(got.diagonal(offset, d1, d2).numpy(), s)
    np.testing.assert_array_equal(t.diagonal_scatter(rt.tensor(s), offset=offset, dim1=d1, dim2=d2).numpy(), got.numpy())
    rest = got.numpy().copy()
    np.testing.assert_array_equal(rest[~mask], a[~mask])
    np.testing.assert_array_equal(t.numpy(), a)


@pytest.mark.parametrize("dim,index", [(0, 0), (0, -1), (1, 2), (-1, 0)])
def test_select_scatter_matches_numpy(dim, index):
    a = _data((3, 4))
    want = a.copy()
    s = _data(np.take(a, index, axis=dim).shape, seed=2)
    sl = [slice(None)] * 2
    sl[dim] = index
    want[tuple(sl)] = s
    t = rt.tensor(a)
    np.testing.assert_array_equal(rt.select_scatter(t, rt.tensor(s), dim, index).numpy(), want)
    np.testing.assert_array_equal(t.select_scatter(rt.tensor(s), dim, index).numpy(), want)
    np.testing.assert_array_equal(t.numpy(), a)


@pytest.mark.parametrize("dim,start,end,step", [(0, None, None, 1), (1, 0, 4, 2), (1, -2, None, 1), (1, 1, 3, 1), (1, 5, 9, 1), (1, 3, 1, 1), (1, -10, 2, 1), (0, 1, None, 2)])
def test_slice_scatter_matches_numpy(dim, start, end, step):
    a = _data((3, 4))
    sl = [slice(None)] * 2
    sl[dim] = slice(start, end, step)
    want = a.copy()
    s = _data(want[tuple(sl)].shape, seed=3)
    want[tuple(sl)] = s
    t = rt.tensor(a)
    np.testing.assert_array_equal(rt.slice_scatter(t, rt.tensor(s), dim, start, end, step).numpy(), want)
    np.testing.assert_array_equal(t.slice_scatter(rt.tensor(s), dim=dim, start=start, end=end, step=step).numpy(), want)


def test_scatters_convert_src_to_the_input_dtype():
    a = rt.zeros(3, 4)
    got = rt.slice_scatter(a, rt.ones(3, 4, dtype=rt.int64))
    assert got.dtype == rt.float32 and bool((got == 1).all())
    assert rt.select_scatter(a, rt.ones(4, dtype=rt.float64), 0, 0).dtype == rt.float32


CASES = [
    ("diagonal_scatter", (3, 4), (3,), (0, 0, 1)),
    ("diagonal_scatter", (2, 3, 4), (3, 2), (1, 0, 2)),
    ("select_scatter", (3, 4), (4,), (0, 1)),
    ("select_scatter", (2, 3, 4), (2, 4), (1, -1)),
    ("slice_scatter", (3, 4), (3, 2), (1, 0, 4, 2)),
    ("slice_scatter", (4, 3), (2, 3), (0, 1, 3, 1)),
]


@pytest.mark.parametrize("op,shape,src_shape,args", CASES)
def test_gradients(op, shape, src_shape, args):
    x = rt.tensor(_data(shape), requires_grad=True)
    s = rt.tensor(_data(src_shape, seed=1), requires_grad=True)
    y = getattr(rt, op)(x, s, *args)
    assert type(y.grad_fn).__name__ == {"diagonal_scatter": "DiagonalScatterBackward0", "select_scatter": "SelectScatterBackward0", "slice_scatter": "SliceScatterBackward0"}[op]
    assert rt.autograd.gradcheck(lambda u, v: getattr(rt, op)(u, v, *args), (x, s))
    assert rt.autograd.gradcheck(lambda v: getattr(rt, op)(x.detach(), v, *args), (s,))


@needs_torch
@pytest.mark.parametrize("op,shape,src_shape,args", CASES)
def test_against_torch(op, shape, src_shape, args):
    a, b = _data(shape), _data(src_shape, seed=1)
    x, s = rt.tensor(a, requires_grad=True), rt.tensor(b, requires_grad=True)
    tx, ts = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    y, ty = getattr(rt, op)(x, s, *args), getattr(torch, op)(tx, ts, *args)
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    assert type(y.grad_fn).__name__ == type(ty.grad_fn).__name__
    w = _data(shape, seed=9)
    (y * rt.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(s.grad.numpy(), ts.grad.numpy())


def test_out():
    out = rt.empty(3, 4)
    r = rt.select_scatter(rt.zeros(3, 4), rt.ones(4), 0, 1, out=out)
    assert r is out and out.sum().item() == 4


@pytest.mark.parametrize("call,exc,msg", [
    (lambda m: m.diagonal_scatter(m.zeros(3, 4), m.ones(4)), RuntimeError, "expected src to have a size equal to the slice of self. src size = [4], slice size = [3]"),
    (lambda m: m.diagonal_scatter(m.zeros(3, 4), m.ones(3), dim1=0, dim2=0), RuntimeError, "diagonal dimensions cannot be identical 0, 0"),
    (lambda m: m.diagonal_scatter(m.zeros(3, 4), m.ones(3), offset=5), RuntimeError, "expected src to have a size equal to the slice of self. src size = [3], slice size = [0]"),
    (lambda m: m.select_scatter(m.zeros(3, 4), m.ones(3), 0, 0), RuntimeError, "expected src to have a size equal to the slice of self. src size = [3], slice size = [4]"),
    (lambda m: m.select_scatter(m.zeros(3, 4), m.ones(4), 0, 5), IndexError, "select(): index 5 out of range for tensor of size [3, 4] at dimension 0"),
    (lambda m: m.select_scatter(m.zeros(3, 4), m.ones(4), 0, -4), IndexError, "select(): index -4 out of range for tensor of size [3, 4] at dimension 0"),
    (lambda m: m.select_scatter(m.zeros(3, 4), m.ones(4), 2, 0), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    (lambda m: m.select_scatter(m.tensor(1.0), m.tensor(2.0), 0, 0), IndexError, "select() cannot be applied to a 0-dim tensor."),
    (lambda m: m.slice_scatter(m.zeros(3, 4), m.ones(2, 4)), RuntimeError, "expected src to have a size equal to the slice of self. src size = [2, 4], slice size = [3, 4]"),
    (lambda m: m.slice_scatter(m.zeros(3, 4), m.ones(3, 2), 1, 0, 4, 0), RuntimeError, "slice step must be positive"),
    (lambda m: m.slice_scatter(m.zeros(3, 4), m.ones(3, 2), 1, 0, 4, -1), RuntimeError, "slice step must be positive"),
    (lambda m: m.slice_scatter(m.tensor(1.0), m.tensor(2.0)), IndexError, "slice() cannot be applied to a 0-dim tensor."),
])
def test_errors(call, exc, msg):
    _check_error(call, exc, msg)
