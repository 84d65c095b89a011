"""prod, amax/amin, max/min, argmax/argmin, var/std, all/any, logsumexp, count_nonzero: values,
dtypes, shapes and errors against numpy (and torch when installed), gradients with gradcheck,
and bitwise-identical results for 1 and 2 threads."""

import re

import numpy as np
import pytest

import rtensor as rt
from rtensor.autograd import gradcheck

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

RNG = np.random.default_rng(0)
LAYOUTS = ["contiguous", "transposed", "sliced"]
CASES = [((7,), None), ((7,), 0), ((3, 5), 0), ((3, 5), 1), ((3, 5), -1), ((4, 6, 5), 1),
         ((300, 70), 0), ((70, 300), 1), ((3, 4, 5), (0, 2)), ((), None)]


def make(shape, layout="contiguous", dtype=np.float64, low=-3, high=3):
    """A numpy array and the rtensor tensor of it with the requested memory layout."""
    if layout == "transposed" and len(shape) >= 2:
        base = RNG.uniform(low, high, shape[::-1]).astype(dtype)
        a = base.T
        return a, rt.from_numpy(np.ascontiguousarray(base)).permute(*range(len(shape))[::-1])
    if layout == "sliced" and len(shape) >= 1:
        base = RNG.uniform(low, high, shape[:-1] + (shape[-1] * 2,)).astype(dtype)
        return base[..., ::2], rt.from_numpy(base.copy())[..., ::2]
    a = RNG.uniform(low, high, shape).astype(dtype)
    return a, rt.from_numpy(a.copy())


def close(t, expected, rtol=1e-6, atol=1e-9):
    got = t.numpy()
    expected = np.asarray(expected)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


def axis(dim, ndim):
    return None if ndim == 0 else dim


# ---- values, shapes, dtypes -------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape,dim", CASES)
@pytest.mark.parametrize("keepdim", [False, True])
def test_multi_dim_reductions_match_numpy(shape, dim, layout, keepdim):
    a, t = make(shape, layout)
    ax = axis(dim, a.ndim)
    close(t.amax(dim, keepdim), a.max(axis=ax, keepdims=keepdim))
    close(rt.amin(t, dim=dim, keepdim=keepdim), a.min(axis=ax, keepdims=keepdim))
    close(t.var(dim, keepdim=keepdim), a.var(axis=ax, ddof=1, keepdims=keepdim) if a.size > 1
          else np.full(a.var(axis=ax, keepdims=keepdim).shape, np.nan), atol=1e-12)
    close(t.std(axis=dim, keepdims=keepdim, correction=0), a.std(axis=ax, keepdims=keepdim))
    close(t.all(dim, keepdim), np.all(a > 0, axis=ax, keepdims=keepdim) | np.all(a != 0, axis=ax, keepdims=keepdim))
    close((t > 0).any(dim, keepdim), np.any(a > 0, axis=ax, keepdims=keepdim))
    close((t > 0).count_nonzero(dim), np.count_nonzero(a > 0, axis=ax))
    if dim is not None:
        m = a.max(axis=ax, keepdims=True)
        want = np.log(np.exp(a - m).sum(axis=ax, keepdims=True)) + m
        close(t.logsumexp(dim, keepdim), want if keepdim else want.reshape(a.max(axis=ax).shape))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape,dim", [c for c in CASES if not isinstance(c[1], tuple)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_single_dim_reductions_match_numpy(shape, dim, layout, keepdim):
    a, t = make(shape, layout, low=0.5, high=1.5)
    ax = axis(dim, a.ndim)
    close(t.prod(dim, keepdim) if dim is not None else t.prod(),
          a.prod(axis=ax, keepdims=keepdim and dim is not None), rtol=1e-10)
    want_idx = a.argmax(axis=ax, keepdims=keepdim) if dim is not None else a.argmax()
    close(t.argmax(dim, keepdim) if dim is not None else t.argmax(), want_idx)
    close(rt.argmin(t, dim) if dim is not None else rt.argmin(t),
          a.argmin(axis=ax) if dim is not None else a.argmin())
    if dim is None:
        close(t.max(), a.max())
        close(rt.min(t), a.min())
    else:
        values, indices = t.max(dim, keepdim)
        close(values, a.max(axis=ax, keepdims=keepdim))
        close(indices, a.argmax(axis=ax, keepdims=keepdim))
        r = rt.min(t, dim=dim)
        close(r.values, a.min(axis=ax))
        close(r.indices, a.argmin(axis=ax))


def test_dtypes():
    i = rt.tensor([[1, 2], [3, 4]], dtype=rt.int32)
    b = rt.tensor([True, False, True])
    assert i.prod().dtype == rt.int64 and i.prod().item() == 24
    assert b.prod().dtype == rt.int64 and b.prod().item() == 0
    assert i.prod(0, dtype=rt.int32).dtype == rt.int32
    assert i.prod(dtype=rt.float64).dtype == rt.float64
    assert i.amax().dtype == rt.int32 and i.amax().item() == 4
    assert b.amax().dtype == rt.bool
    assert i.argmax().dtype == rt.int64 and i.argmax().item() == 3
    assert i.all().dtype == rt.bool and i.any(1).tolist() == [True, True]
    assert i.count_nonzero().dtype == rt.int64
    assert i.logsumexp(0).dtype == rt.float32
    assert rt.tensor([1.0], dtype=rt.float32).var().dtype == rt.float32
    assert rt.ones(1, dtype=rt.int64).expand(2**20).prod().item() == 1


def test_ties_nan_and_infinities():
    t = rt.tensor([1.0, 3.0, 3.0, 0.0])
    assert t.argmax().item() == 1 and t.max(0).indices.item() == 1
    n = rt.tensor([1.0, float("nan"), 5.0, float("nan")])
    assert np.isnan(n.amax().item()) and n.argmax().item() == 1 and n.argmin().item() == 1
    assert np.isnan(n.max(0).values.item()) and n.max(0).indices.item() == 1
    assert rt.tensor([float("-inf")] * 2).logsumexp(0).item() == float("-inf")
    assert rt.tensor([float("inf"), 1.0]).logsumexp(0).item() == float("inf")
    assert rt.tensor([1000.0, 1000.0]).logsumexp(0).item() == pytest.approx(1000 + np.log(2))
    big = RNG.permutation(200_000).astype(np.float32)
    assert rt.from_numpy(big).argmax().item() == int(big.argmax())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [5, 33, 1000, 40_000])
def test_logsumexp_of_long_runs(n, dtype):
    # Trailing dims of a contiguous tensor take one fused pass (the maximum, then a vectorised
    # exp); runs longer than a chunk merge partial (max, sum) pairs. Checked against float64.
    rng = np.random.default_rng(n)
    rows = [rng.standard_normal(n) * 30, np.full(n, -np.inf), rng.random(n) * 1e4 + 1e5]
    for special in (np.nan, np.inf, -np.inf):
        for pos in {0, n // 2, n - 1}:
            r = rng.standard_normal(n)
            r[pos] = special
            rows.append(r)
    a = np.stack(rows).astype(dtype)
    wide = a.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        m = np.nanmax(np.where(np.isnan(wide), -np.inf, wide), axis=1, keepdims=True)
        m = np.where(np.isinf(m), 0.0, m)
        want = (np.log(np.exp(wide - m).sum(1, keepdims=True)) + m)[:, 0]
    want[np.isnan(a).any(1)] = np.nan
    got = rt.from_numpy(a).logsumexp(1)
    assert got.dtype == (rt.float32 if dtype == np.float32 else rt.float64)
    tol = 2e-7 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(got.numpy().astype(np.float64), want, rtol=tol, atol=tol)
    old = rt.get_num_threads()
    try:
        rt.set_num_threads(1)
        one = rt.from_numpy(a).logsumexp(1, keepdim=True).numpy().tobytes()
        rt.set_num_threads(2)
        assert rt.from_numpy(a).logsumexp(1, keepdim=True).numpy().tobytes() == one
    finally:
        rt.set_num_threads(old)
    # Trailing dims of a 3-D tensor, and a non-contiguous view (the composed path): the same.
    cube = rt.from_numpy(a.reshape(len(rows), 1, n))
    np.testing.assert_allclose(cube.logsumexp((1, 2)).numpy().astype(np.float64), want, rtol=tol, atol=tol)
    np.testing.assert_allclose(rt.from_numpy(np.ascontiguousarray(a.T)).t().logsumexp(1).numpy().astype(np.float64),
                               want, rtol=max(tol, 1e-6), atol=max(tol, 1e-6))
