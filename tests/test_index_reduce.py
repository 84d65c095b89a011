"""index_reduce / index_reduce_ (prod, mean, amax, amin; include_self): values against a numpy
reference (and torch when installed), gradients (IndexReduceBackward0, gradcheck in float64), out=,
torch's errors, and that a failing in-place call leaves its target unchanged."""

import re
import warnings

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

REDUCES = ["prod", "mean", "amax", "amin"]


def _data(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-9, 10, shape).astype(dtype)
    return rng.uniform(0.5, 2.0, shape).astype(dtype) * rng.choice([-1, 1], shape)


def _reference(a, dim, index, src, reduce, include_self):
    out = np.moveaxis(a.copy(), dim, 0)
    s = np.moveaxis(src, dim, 0)
    groups = {}
    for j, i in enumerate(index):
        groups.setdefault(int(i), []).append(s[j])
    for i, vals in groups.items():
        stack = ([out[i]] if include_self else []) + vals
        stack = np.stack(stack)
        if reduce == "prod":
            r = stack.prod(0)
        elif reduce == "mean":
            r = stack.sum(0) / len(stack)
            if np.issubdtype(a.dtype, np.integer):
                r = np.floor_divide(stack.sum(0), len(stack))
        elif reduce == "amax":
            r = stack.max(0)
        else:
            r = stack.min(0)
        out[i] = r
    return np.moveaxis(out, 0, dim)


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_matches_reference(reduce, include_self, dtype, dim):
    a = _data((4, 5), dtype)
    n = 6
    index = np.array([0, 2, 2, 3, 0, 2])[:n] % a.shape[dim]
    src_shape = list(a.shape)
    src_shape[dim] = n
    src = _data(tuple(src_shape), dtype, seed=1)
    want = _reference(a, dim % 2, index, src, reduce, include_self)
    got = rt.tensor(a).index_reduce(dim, rt.tensor(index), rt.tensor(src), reduce, include_self=include_self)
    assert got.dtype == rt.tensor(a).dtype
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
    t = rt.tensor(a)
    r = t.index_reduce_(dim, rt.tensor(index, dtype=rt.int32), rt.tensor(src), reduce, include_self=include_self)
    assert r is t
    np.testing.assert_allclose(t.numpy(), want, rtol=1e-6)
    out = rt.empty(*a.shape, dtype=t.dtype)
    rt.index_reduce(rt.tensor(a), dim, rt.tensor(index), rt.tensor(src), reduce, include_self=include_self, out=out)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-6)


@needs_torch
@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
def test_against_torch_with_gradients(reduce, include_self):
    a, s = _data((4, 3)), _data((5, 3), seed=1)
    index = [0, 2, 2, 3, 0]
    x, src = rt.tensor(a, requires_grad=True), rt.tensor(s, requires_grad=True)
    tx, ts = torch.tensor(a, requires_grad=True), torch.tensor(s, requires_grad=True)
    y = x.index_reduce(0, rt.tensor(index), src, reduce, include_self=include_self)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ty = tx.index_reduce(0, torch.tensor(index), ts, reduce, include_self=include_self)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy())
    assert type(y.grad_fn).__name__ == type(ty.grad_fn).__name__ == "IndexReduceBackward0"
    w = _data((4, 3), seed=5)
    (y * rt.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(src.grad.numpy(), ts.grad.numpy())


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
def test_gradcheck(reduce, include_self):
    x = rt.tensor(_data((4, 3)), requires_grad=True)
    s = rt.tensor(_data((5, 3), seed=1), requires_grad=True)
    idx = rt.tensor([0, 2, 2, 3, 0])
    assert rt.autograd.gradcheck(lambda u, v: u.index_reduce(0, idx, v, reduce, include_self=include_self), (x, s))
    assert rt.autograd.gradcheck(lambda u, v: u.index_reduce(1, rt.tensor([2, 0, 2]), v, reduce, include_self=include_self), (x, s.detach()[:4].clone().requires_grad_()))


def test_0d():
    got = rt.tensor(5.0).index_reduce(0, rt.tensor(0), rt.tensor(3.0), "prod")
    assert got.shape == () and got.item() == 15.0


@pytest.mark.parametrize("call,exc,msg", [
    (lambda m: m.zeros(3, 4).index_reduce(1, m.tensor([0, 4]), m.ones(3, 2), "prod"), IndexError, "index out of range in self"),
    (lambda m: m.zeros(3, 4).index_reduce(1, m.tensor([0, -1]), m.ones(3, 2), "prod"), IndexError, "index out of range in self"),
    (lambda m: m.zeros(3, 4).index_reduce(1, m.tensor([0, 1.0]), m.ones(3, 2), "prod"), RuntimeError, "index_reduce_(): Expected dtype int32/int64 for index but got: Float"),
    (lambda m: m.zeros(3, 4).index_reduce(1, m.tensor([[0, 1]]), m.ones(3, 2), "prod"), IndexError, "index_reduce_(): Index is supposed to be a vector, but got dim: 2 with type: Long and size: [1, 2]"),
    (lambda m: m.zeros(3, 4).index_reduce(1, m.tensor([0, 1, 2]), m.ones(3, 2), "prod"), RuntimeError, "index_reduce_(): Number of indices (3) should be equal to source.size(dim): (2), for dim: 1"),
    (lambda m: m.zeros(3, 4).index_reduce(1, m.tensor([0, 1]), m.ones(3, 2), "sum"), RuntimeError, "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got sum."),
    (lambda m: m.zeros(3, 4).index_reduce(1, m.tensor([0, 1]), m.ones(3, 2, dtype=m.float64), "prod"), RuntimeError, "index_reduce_(): self (Float) and source (Double) must have the same scalar type"),
    (lambda m: m.zeros(3, 4).index_reduce(1, m.tensor([0, 1]), m.ones(2, 2), "prod"), RuntimeError, "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = [3, 4] source.shape = [2, 2]"),
    (lambda m: m.zeros(3, 4).index_reduce(2, m.tensor([0, 1]), m.ones(3, 2), "prod"), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    (lambda m: m.zeros(3, dtype=m.bool).index_reduce(0, m.tensor([0, 0]), m.tensor([True, False]), "amax"), NotImplementedError, "\"index_func_\" not implemented for 'Bool'"),
])
def test_errors(call, exc, msg):
    with pytest.raises(exc, match=re.escape(msg)):
        call(rt)
    if torch is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(exc, match=re.escape(msg)):
                call(torch)


def test_failed_in_place_leaves_the_target_unchanged():
    t = rt.ones(3, 4)
    with pytest.raises(IndexError):
        t.index_reduce_(1, rt.tensor([0, 9]), rt.full((3, 2), 5.0), "amax")
    assert bool((t == 1).all())
