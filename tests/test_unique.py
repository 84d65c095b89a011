"""unique and unique_consecutive: values, inverse and counts against numpy (and torch when installed), with
and without dim, NaN and ties, every dtype, return structure, errors, grad_fn names and thread-count
independence."""

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

NAN = float("nan")
DTYPES = [np.bool_, np.int32, np.int64, np.float32, np.float64]


def _data(shape, dtype, seed=0, spread=5):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return np.asarray(rng.random(shape) < 0.5)
    return rng.integers(-spread, spread, shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(0,), (1,), (9,), (3, 7), (2, 3, 4), (100_000,)])
@pytest.mark.parametrize("spread", [5, 10**6])
def test_unique_matches_numpy(dtype, shape, spread):
    a = _data(shape, dtype, seed=len(shape), spread=spread)
    vals, inv, cnt = rt.unique(rt.tensor(a), return_inverse=True, return_counts=True)
    want, winv, wcnt = np.unique(a, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(vals.numpy(), want)
    np.testing.assert_array_equal(inv.numpy(), winv.reshape(a.shape))
    np.testing.assert_array_equal(cnt.numpy(), wcnt)
    assert inv.dtype == rt.int64 and cnt.dtype == rt.int64 and vals.dtype == rt.tensor(a).dtype
    np.testing.assert_array_equal(rt.tensor(a).unique().numpy(), want)
    v, c = rt.tensor(a).unique(return_counts=True)
    np.testing.assert_array_equal(c.numpy(), wcnt)


@pytest.mark.parametrize("dtype", DTYPES)
def test_unique_consecutive_matches_numpy(dtype):
    a = _data((50,), dtype, seed=3, spread=2)
    vals, inv, cnt = rt.unique_consecutive(rt.tensor(a), return_inverse=True, return_counts=True)
    starts = np.concatenate([[True], a[1:] != a[:-1]])
    np.testing.assert_array_equal(vals.numpy(), a[starts])
    np.testing.assert_array_equal(inv.numpy(), np.cumsum(starts) - 1)
    np.testing.assert_array_equal(cnt.numpy(), np.diff(np.append(np.flatnonzero(starts), a.size)))


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_unique_dim_matches_numpy(dim):
    a = _data((6, 5, 4), np.int64, seed=1, spread=2)
    a = np.concatenate([a, a[:2]], axis=0)
    a = np.concatenate([a, a[:, :2]], axis=1)
    vals, inv, cnt = rt.unique(rt.tensor(a), dim=dim, return_inverse=True, return_counts=True)
    want, winv, wcnt = np.unique(a, axis=dim, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(vals.numpy(), want)
    np.testing.assert_array_equal(inv.numpy(), winv.reshape(-1))
    np.testing.assert_array_equal(cnt.numpy(), wcnt)


def test_unique_nan_and_threads():
    a = np.array([3, 1, 2, 3, 1, NAN, NAN, 0.0])
    vals, inv, cnt = rt.unique(rt.tensor(a), return_inverse=True, return_counts=True)
    assert str(vals.tolist()) == str([0.0, 1.0, 2.0, 3.0, NAN, NAN])
    assert inv.tolist() == [3, 1, 2, 3, 1, 4, 5, 0] and cnt.tolist() == [1, 2, 1, 2, 1, 1]
    b = np.random.default_rng(0).integers(0, 1000, 3_000_000)
    old = rt.get_num_threads()
    try:
        outs = []
        for n in (1, 2):
            rt.set_num_threads(n)
            outs.append([t.numpy() for t in rt.unique(rt.tensor(b), return_inverse=True, return_counts=True)])
    finally:
        rt.set_num_threads(old)
    for x, y in zip(*outs):
        np.testing.assert_array_equal(x, y)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_matches_torch(dtype):
    rng = np.random.default_rng(9)
    for shape in [(), (7,), (4, 6), (3, 4, 5)]:
        a = _data(shape, dtype, seed=sum(shape), spread=2)
        if np.issubdtype(dtype, np.floating) and a.size > 2:
            a.reshape(-1)[rng.integers(0, a.size, 2)] = np.nan
        x, t = rt.tensor(a), torch.from_numpy(a)
        calls = [
            lambda m, v: m.unique(v),
            lambda m, v: m.unique(v, sorted=False, return_inverse=True),
            lambda m, v: m.unique(v, return_counts=True),
            lambda m, v: m.unique(v, return_inverse=True, return_counts=True),
            lambda m, v: m.unique_consecutive(v, return_inverse=True, return_counts=True),
            lambda m, v: v.unique_consecutive(return_counts=True),
        ]
        for d in range(-len(shape), len(shape)):
            calls.append(lambda m, v, d=d: m.unique(v, dim=d, return_inverse=True, return_counts=True))
            calls.append(lambda m, v, d=d: m.unique_consecutive(v, dim=d, return_inverse=True, return_counts=True))
        for call in calls:
            want, got = call(torch, t), call(rt, x)
            if isinstance(want, torch.Tensor):
                want, got = (want,), (got,)
            assert isinstance(got, tuple) and len(got) == len(want)
            for g, w in zip(got, want):
                assert tuple(g.shape) == tuple(w.shape)
                np.testing.assert_array_equal(g.numpy(), w.numpy())


@needs_torch
def test_errors_and_nodes_match_torch():
    cases = [
        lambda m: m.unique(m.tensor([[1, 2]]), dim=2),
        lambda m: m.unique(m.tensor(2), dim=0),
        lambda m: m.unique_consecutive(m.tensor([2, 1]), dim=5),
        lambda m: m.unique(m.zeros(2, 0), dim=0),
        lambda m: m.unique(m.zeros(0, 0), dim=0),
    ]
    for case in cases:
        with pytest.raises(Exception) as te:
            case(torch)
        with pytest.raises(Exception) as re_:
            case(rt)
        assert type(te.value).__name__ == type(re_.value).__name__ and str(te.value) == str(re_.value), case
    for m in (torch, rt):
        x = m.tensor([[1.0, 2.0], [1.0, 2.0]], requires_grad=True)
        assert m.unique(x).grad_fn.name() == "Unique2Backward0"
        assert m.unique(x, dim=0).grad_fn.name() == "UniqueDimBackward0"
        assert m.unique_consecutive(x).grad_fn.name() == "UniqueConsecutiveBackward0"
        assert m.unique(x, return_counts=True)[1].grad_fn is None
        with pytest.raises(NotImplementedError, match="the derivative for '_unique2' is not implemented."):
            m.unique(x).sum().backward()
