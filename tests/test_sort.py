"""Sorting and selection (sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, cummax, cummin,
logcumsumexp): values, indices, dtypes and shapes against numpy, and against torch when installed (indices of
ties included), errors, out= tuples, gradients (gradcheck and node names) and thread-count independence."""

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

NAN = float("nan")
SHAPES = [(7,), (3, 5), (4, 6, 5), (2, 3, 4, 5), (300, 70), (3, 5000), (2, 0, 3)]
CASES = [(s, d) for s in SHAPES for d in range(-len(s), len(s))]
DTYPES = [np.bool_, np.int32, np.int64, np.float32, np.float64]
RT = {np.bool_: rt.bool, np.int32: rt.int32, np.int64: rt.int64, np.float32: rt.float32, np.float64: rt.float64}


def _data(shape, dtype, seed=0, ties=False, nans=False):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-5, 6 if ties else 10**6, shape).astype(dtype)
    a = (rng.integers(-4, 5, shape) if ties else rng.standard_normal(shape)).astype(dtype)
    if nans and a.size:
        a.reshape(-1)[rng.integers(0, a.size, max(1, a.size // 7))] = np.nan
    return a


def _np_sorted(a, dim, descending=False):
    """numpy's stable sort with NaN last (first when descending): values and indices."""
    if descending:  # NaN first, then descending, ties in input order (the data holds no infinities)
        key = -a.astype(np.float64)
        key[np.isnan(key)] = -np.inf
        idx = np.argsort(key, axis=dim, kind="stable")
    else:
        idx = np.argsort(a, axis=dim, kind="stable")
    return np.take_along_axis(a, idx, dim), idx


# ------------------------------------------------------------------------------------------------- sort


@pytest.mark.parametrize("shape,dim", CASES)
@pytest.mark.parametrize("descending", [False, True])
def test_stable_sort_matches_numpy_on_every_dim(shape, dim, descending):
    a = _data(shape, np.float64, ties=True, nans=True)
    v, i = rt.tensor(a).sort(dim=dim, descending=descending, stable=True)
    wv, wi = _np_sorted(a, dim, descending)
    assert v.dtype == rt.float64 and i.dtype == rt.int64 and tuple(v.shape) == a.shape
    np.testing.assert_array_equal(v.numpy(), wv)
    np.testing.assert_array_equal(i.numpy(), wi)
    np.testing.assert_array_equal(rt.argsort(rt.tensor(a), dim=dim, descending=descending, stable=True).numpy(), wi)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sort_dtypes(dtype):
    a = _data((6, 40), dtype, ties=True)
    v, i = rt.sort(rt.tensor(a), stable=True)
    assert v.dtype == RT[dtype] and i.dtype == rt.int64
    wv, wi = _np_sorted(a, -1)
    np.testing.assert_array_equal(v.numpy(), wv)
    np.testing.assert_array_equal(i.numpy(), wi)
    # any order of ties is a sort: the values agree and the indices point at them
    v, i = rt.sort(rt.tensor(a))
    np.testing.assert_array_equal(v.numpy(), wv)
    np.testing.assert_array_equal(np.take_along_axis(a, i.numpy(), -1), wv)


def test_sort_nan_order_and_named_tuple():
    x = rt.tensor([3.0, 1.0, NAN, 1.0, 2.0, 1.0])
    r = rt.sort(x)
    assert type(r).__name__ == "sort" and r.values is r[0] and r.indices is r[1]
    assert r.indices.tolist() == [1, 3, 5, 4, 0, 2]
    d = rt.sort(x, descending=True)
    assert np.isnan(d.values[0].item()) and d.indices.tolist() == [2, 0, 4, 1, 3, 5]


def test_msort_zero_dim_and_empty():
    a = _data((5, 4), np.float32)
    np.testing.assert_array_equal(rt.tensor(a).msort().numpy(), np.sort(a, axis=0))
    s = rt.tensor(5.0).sort()
    assert s.values.shape == () and s.indices.item() == 0
    e = rt.sort(rt.zeros(0))
    assert e.values.shape == (0,) and e.indices.dtype == rt.int64


def test_sort_out_tuple():
    x = rt.tensor([[3.0, 1.0, 2.0]])
    v, i = rt.empty(1, 3), rt.empty(1, 3, dtype=rt.int64)
    r = rt.sort(x, out=(v, i))
    assert r[0] is v and r[1] is i and v.tolist() == [[1.0, 2.0, 3.0]] and i.tolist() == [[1, 2, 0]]
    with pytest.raises(RuntimeError, match="Expected out tensor to have dtype long int, but got float instead"):
        rt.sort(x, out=(v, rt.empty(1, 3)))
    with pytest.raises(TypeError):
        rt.sort(x, out=v)


# ------------------------------------------------------------------------------------------------- topk, kthvalue


@pytest.mark.parametrize("shape,dim", [c for c in CASES if 0 not in c[0]])
@pytest.mark.parametrize("largest", [True, False])
def test_topk_values_match_numpy(shape, dim, largest):
    a = _data(shape, np.float64)
    k = min(3, a.shape[dim])
    v, i = rt.tensor(a).topk(k, dim, largest)
    wv, _ = _np_sorted(a, dim, descending=largest)
    wv = np.take(wv, range(k), axis=dim)
    assert tuple(v.shape) == wv.shape and i.dtype == rt.int64
    np.testing.assert_array_equal(v.numpy(), wv)
    np.testing.assert_array_equal(np.take_along_axis(a, i.numpy(), dim), wv)


@pytest.mark.parametrize("shape,dim", [c for c in CASES if 0 not in c[0]])
@pytest.mark.parametrize("keepdim", [False, True])
def test_kthvalue_matches_numpy(shape, dim, keepdim):
    a = _data(shape, np.float64)
    k = (a.shape[dim] + 1) // 2
    v, i = rt.tensor(a).kthvalue(k, dim, keepdim)
    want = np.take(np.sort(a, axis=dim), [k - 1], axis=dim)
    if not keepdim:
        want = want.squeeze(dim)
    np.testing.assert_array_equal(v.numpy(), want)
    idx = i.numpy() if keepdim else np.expand_dims(i.numpy(), dim)
    np.testing.assert_array_equal(np.take_along_axis(a, idx, dim).reshape(want.shape), want)


def test_topk_kthvalue_errors():
    x = rt.ones(3)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        x.topk(4)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        x.topk(-1)
    with pytest.raises(RuntimeError, match=r"kthvalue\(\): selected number k out of range for dimension 0"):
        x.kthvalue(0)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-1, 0\], but got 2\)"):
        x.topk(1, 2)
    with pytest.raises(IndexError, match=r"kthvalue\(\): Expected reduction dim 0 to have non-zero size."):
        rt.zeros(0).kthvalue(1)
    with pytest.raises(NotImplementedError, match="topk does not support bool dtypes on CPU"):
        rt.ones(3, dtype=rt.bool).topk(1)
    with pytest.raises(NotImplementedError, match="\"kthvalue_cpu\" not implemented for 'Bool'"):
        rt.ones(3, dtype=rt.bool).kthvalue(1)
    assert rt.ones(2, 0).topk(0, 1).values.shape == (2, 0)


# ------------------------------------------------------------------------------------------------- median, mode


@pytest.mark.parametrize("shape,dim", [c for c in CASES if 0 not in c[0]])
@pytest.mark.parametrize("keepdim", [False, True])
def test_median_and_nanmedian_match_numpy(shape, dim, keepdim):
    a = _data(shape, np.float64, ties=True)
    n = a.shape[dim]
    lower = np.take(np.sort(a, axis=dim), [(n - 1) // 2], axis=dim)
    v, i = rt.tensor(a).median(dim, keepdim)
    want = lower if keepdim else lower.squeeze(dim)
    np.testing.assert_array_equal(v.numpy(), want)
    idx = i.numpy() if keepdim else np.expand_dims(i.numpy(), dim)
    np.testing.assert_array_equal(np.take_along_axis(a, idx, dim).reshape(want.shape), want)
    assert rt.tensor(a).median().item() == np.sort(a.reshape(-1))[(a.size - 1) // 2]
    b = _data(shape, np.float64, nans=True)
    got = rt.tensor(b).nanmedian(dim, keepdim).values.numpy()
    srt = np.sort(b, axis=dim)  # NaN last
    cnt = np.sum(~np.isnan(b), axis=dim, keepdims=True)
    want = np.take_along_axis(srt, np.maximum((cnt - 1) // 2, 0), dim)
    np.testing.assert_array_equal(got, want if keepdim else want.squeeze(dim))


def test_median_nan_empty_and_dtypes():
    assert np.isnan(rt.tensor([1.0, NAN, 3.0]).median().item())
    r = rt.tensor([1.0, NAN, 3.0, NAN]).median(0)
    assert np.isnan(r.values.item()) and r.indices.item() == 1
    assert rt.tensor([NAN, 1.0, NAN, 2.0, 3.0]).nanmedian().item() == 2.0
    assert np.isnan(rt.zeros(0).median().item())
    assert rt.zeros(0, dtype=rt.int64).median().item() == np.iinfo(np.int64).min
    assert rt.tensor([5, 1, 3], dtype=rt.int32).median().dtype == rt.int32
    with pytest.raises(NotImplementedError, match="\"median_cpu\" not implemented for 'Bool'"):
        rt.ones(3, dtype=rt.bool).median()
    with pytest.raises(NotImplementedError, match="\"median_out\" not implemented for 'Bool'"):
        rt.ones(3, dtype=rt.bool).median(0)
    with pytest.raises(IndexError, match=r"median\(\): Expected reduction dim 1 to have non-zero size."):
        rt.ones(2, 0).median(1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mode_matches_numpy(dtype):
    a = _data((7, 50), dtype, ties=True)
    v, i = rt.tensor(a).mode(1)
    assert v.dtype == RT[dtype] and i.dtype == rt.int64 and v.shape == (7,)
    for row, got in zip(a, v.numpy()):
        vals, counts = np.unique(row, return_counts=True)
        assert got == vals[np.argmax(counts)]  # the smallest of the most frequent
    np.testing.assert_array_equal(np.take_along_axis(a, i.numpy()[:, None], 1)[:, 0], v.numpy())
    r = rt.tensor([2, 1, 2, 1, 3, 3, 1]).mode()
    assert (r.values.item(), r.indices.item()) == (1, 6)  # the last occurrence for short lines


# ------------------------------------------------------------------------------------------------- scans


@pytest.mark.parametrize("shape,dim", CASES)
@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_cummax_cummin_match_numpy(shape, dim, op):
    a = _data(shape, np.int64, ties=True)
    v, i = getattr(rt.tensor(a), op)(dim)
    acc = np.maximum if op == "cummax" else np.minimum
    np.testing.assert_array_equal(v.numpy(), acc.accumulate(a, axis=dim) if a.size else a)
    if a.size:
        np.testing.assert_array_equal(np.take_along_axis(a, i.numpy(), dim), v.numpy())


def test_cummax_ties_and_nan():
    r = rt.tensor([1.0, 3.0, 3.0, 2.0, NAN, 5.0]).cummax(0)
    assert r.indices.tolist() == [0, 1, 2, 2, 4, 4] and np.isnan(r.values[-1].item())
    assert rt.tensor([True, False]).cummin(0).values.dtype == rt.bool


@pytest.mark.parametrize("shape,dim", CASES)
def test_logcumsumexp_matches_numpy(shape, dim):
    a = _data(shape, np.float64) * 30
    got = rt.tensor(a).logcumsumexp(dim)
    want = np.logaddexp.accumulate(a, axis=dim) if a.size else a
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    got32 = rt.tensor(a.astype(np.float32)).logcumsumexp(dim)
    assert got32.dtype == rt.float32
    np.testing.assert_allclose(got32.numpy(), want, rtol=1e-5, atol=1e-4)


def test_logcumsumexp_infinities_and_dtypes():
    x = rt.tensor([-np.inf, -np.inf, 0.0, np.inf, 1.0])
    assert x.logcumsumexp(0).tolist() == [-np.inf, -np.inf, 0.0, np.inf, np.inf]
    with pytest.raises(NotImplementedError, match="\"logcumsumexp_out_cpu\" not implemented for 'Long'"):
        rt.ones(3, dtype=rt.int64).logcumsumexp(0)


# ------------------------------------------------------------------------------------------------- gradients

GRAD_OPS = {
    "sort": (lambda t: t.sort(1).values, "SortBackward0"),
    "sort_stable": (lambda t: t.sort(dim=0, descending=True, stable=True).values, "SortBackward1"),
    "msort": (lambda t: t.msort(), "SortBackward0"),
    "topk": (lambda t: t.topk(2, 1).values, "TopkBackward0"),
    "topk_smallest": (lambda t: t.topk(3, 0, largest=False).values, "TopkBackward0"),
    "kthvalue": (lambda t: t.kthvalue(2, 1).values, "KthvalueBackward0"),
    "kthvalue_keepdim": (lambda t: t.kthvalue(2, 0, True).values, "KthvalueBackward0"),
    "median": (lambda t: t.median(), "MedianBackward0"),
    "median_dim": (lambda t: t.median(1).values, "MedianBackward1"),
    "nanmedian": (lambda t: t.nanmedian(), "NanmedianBackward0"),
    "nanmedian_dim": (lambda t: t.nanmedian(0, True).values, "NanmedianBackward1"),
    "mode": (lambda t: t.mode(1).values, "ModeBackward0"),
    "cummax": (lambda t: t.cummax(1).values, "CummaxBackward0"),
    "cummin": (lambda t: t.cummin(0).values, "CumminBackward0"),
    "logcumsumexp": (lambda t: t.logcumsumexp(1), "LogcumsumexpBackward0"),
}


@pytest.mark.parametrize("name", sorted(GRAD_OPS))
def test_gradcheck_and_node_names(name):
    fn, node = GRAD_OPS[name]
    a = np.random.default_rng(1).permutation(20).reshape(4, 5) / 7.0 - 1.0  # distinct values
    x = rt.tensor(a, requires_grad=True)
    assert fn(x).grad_fn.name() == node
    assert rt.autograd.gradcheck(fn, (x,))
    if torch is not None:
        t = torch.tensor(a, requires_grad=True)
        assert fn(t).grad_fn.name() == node
        fn(t).sum().backward()
        fn(x).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_indices_have_no_grad_and_median_shares_ties():
    x = rt.tensor([1.0, 2.0, 2.0, 3.0], requires_grad=True)
    assert x.sort().indices.grad_fn is None and not x.argsort().requires_grad
    x.median().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5, 0.0]
    y = rt.tensor([[1.0, 4.0, 4.0, 2.0]], requires_grad=True)
    y.cummax(1).values.sum().backward()
    assert y.grad.tolist() == [[1.0, 1.0, 2.0, 0.0]]  # ties move the index forward


# ------------------------------------------------------------------------------------------------- torch


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(9,), (40,), (3, 100), (2, 5, 70), (40000,)])
def test_indices_of_ties_match_torch(dtype, shape):
    a = _data(shape, dtype, seed=3, ties=True, nans=True)
    x, t = rt.tensor(a), torch.from_numpy(a)
    calls = [
        lambda m: m.sort(), lambda m: m.sort(descending=True), lambda m: m.sort(dim=0, stable=True),
        lambda m: m.argsort(0, True), lambda m: m.mode(-1), lambda m: m.mode(0, True), lambda m: m.cummax(-1),
        lambda m: m.cummin(0),
    ]
    if dtype != np.bool_:
        calls += [lambda m: m.topk(3), lambda m: m.topk(2, 0, False), lambda m: m.topk(4, sorted=False),
                  lambda m: m.kthvalue(2), lambda m: m.kthvalue(1, 0, True), lambda m: m.median(-1),
                  lambda m: m.nanmedian(0), lambda m: m.median(), lambda m: m.nanmedian()]
    if dtype in (np.float32, np.float64):
        calls.append(lambda m: m.logcumsumexp(-1))
    # Non-bool lines of 1024 or more go to the radix sort, whose ties are in input order: torch's
    # `stable=True` order, and one `stable=False` allows (torch's own is std::sort's).
    stable_twins = {0: lambda m: m.sort(stable=True), 1: lambda m: m.sort(descending=True, stable=True),
                    3: lambda m: m.argsort(dim=0, descending=True, stable=True)}
    for i, call in enumerate(calls):
        want, got = call(t), call(x)
        if i in stable_twins and max(shape) >= 1024 and dtype != np.bool_:
            want = stable_twins[i](t)
        want = want if isinstance(want, tuple) else (want,)
        got = got if isinstance(got, tuple) else (got,)
        if i == 4 or i == 5:  # mode of a line with NaNs: torch's std::sort on NaN is not an order
            if dtype in (np.float32, np.float64):
                continue
        for w, g in zip(want, got):
            assert str(w.dtype).split(".")[-1] == str(g.dtype).split(".")[-1]
            assert tuple(w.shape) == tuple(g.shape), i
            np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-6, err_msg=f"call {i}")


@needs_torch
def test_errors_match_torch():
    cases = [
        lambda m: m.ones(3).topk(4), lambda m: m.ones(3).kthvalue(4), lambda m: m.ones(0).median(0),
        lambda m: m.ones(2, 0).mode(1), lambda m: m.ones(3, dtype=m.bool).topk(1),
        lambda m: m.ones(3, dtype=m.int32).logcumsumexp(0), lambda m: m.ones(3).sort(2),
        lambda m: m.tensor(1.0).topk(2), lambda m: m.ones(3, dtype=m.bool).median(),
        lambda m: m.ones(2).cummax(2),
    ]
    for case in cases:
        with pytest.raises(Exception) as te:
            case(torch)
        with pytest.raises(Exception) as re_:
            case(rt)
        assert type(te.value) is type(re_.value) and str(te.value) == str(re_.value)


def test_results_do_not_depend_on_thread_count():
    a = _data((64, 3000), np.float32, ties=True)
    old = rt.get_num_threads()
    try:
        rt.set_num_threads(1)
        one = [r.numpy() for r in (*rt.tensor(a).sort(1), *rt.tensor(a).topk(5, 0), rt.tensor(a).logcumsumexp(1))]
        rt.set_num_threads(2)
        two = [r.numpy() for r in (*rt.tensor(a).sort(1), *rt.tensor(a).topk(5, 0), rt.tensor(a).logcumsumexp(1))]
    finally:
        rt.set_num_threads(old)
    for x, y in zip(one, two):
        np.testing.assert_array_equal(x, y)

