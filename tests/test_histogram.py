"""bincount, histc and histogram: values and dtypes against numpy (and torch when installed), weights,
minlength, density, edges, torch's errors, out=, and thread-count independence."""

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

NAN = float("nan")


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("n", [0, 1, 17, 300_000])
def test_bincount_matches_numpy(dtype, n):
    rng = np.random.default_rng(n)
    a = rng.integers(0, 50, n).astype(dtype)
    r = rt.bincount(rt.tensor(a))
    assert r.dtype == rt.int64
    np.testing.assert_array_equal(r.numpy(), np.bincount(a))
    np.testing.assert_array_equal(rt.tensor(a).bincount(minlength=70).numpy(), np.bincount(a, minlength=70))
    w = rng.standard_normal(n)
    if n:
        got = rt.bincount(rt.tensor(a), rt.tensor(w))
        assert got.dtype == rt.float64
        np.testing.assert_allclose(got.numpy(), np.bincount(a, w), rtol=1e-12, atol=1e-9)
        got = rt.bincount(rt.tensor(a), rt.tensor(w.astype(np.float32)))
        assert got.dtype == rt.float32
        np.testing.assert_allclose(got.numpy(), np.bincount(a, w.astype(np.float32)), rtol=1e-3, atol=1e-2)
        assert rt.bincount(rt.tensor(a), rt.tensor(a)).dtype == rt.float64


def test_bincount_threads_independent():
    a = np.random.default_rng(0).integers(0, 1000, 1_000_000)
    old = rt.get_num_threads()
    try:
        outs = []
        for n in (1, 2):
            rt.set_num_threads(n)
            outs.append(rt.bincount(rt.tensor(a)).numpy())
    finally:
        rt.set_num_threads(old)
    np.testing.assert_array_equal(outs[0], outs[1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histc_and_histogram_match_numpy(dtype):
    rng = np.random.default_rng(3)
    a = rng.standard_normal(1000).astype(dtype)
    h = rt.histc(rt.tensor(a), bins=10, min=-2, max=2)
    assert h.dtype == rt.tensor(a).dtype
    np.testing.assert_array_equal(h.numpy(), np.histogram(a, 10, range=(-2, 2))[0])
    np.testing.assert_array_equal(rt.tensor(a).histc(7).numpy(), np.histogram(a, 7)[0])
    hist, edges = rt.histogram(rt.tensor(a), 5, range=(-1, 1.5))
    want_h, want_e = np.histogram(a, 5, range=(-1, 1.5))
    np.testing.assert_array_equal(hist.numpy(), want_h)
    np.testing.assert_allclose(edges.numpy(), want_e, rtol=1e-6, atol=1e-6)
    hist, edges = rt.histogram(rt.tensor(a), 12)
    want_h, want_e = np.histogram(a, 12)
    np.testing.assert_array_equal(hist.numpy(), want_h)
    np.testing.assert_allclose(edges.numpy(), want_e, rtol=1e-6, atol=1e-6)
    e = np.array([-3.0, -1.0, 0.0, 0.5, 4.0], dtype=dtype)
    r = rt.tensor(a).histogram(rt.tensor(e), weight=rt.tensor(a * 0 + 2), density=True)
    assert r.hist is r[0] and r.bin_edges is r[1]
    np.testing.assert_allclose(r.hist.numpy(), np.histogram(a, e, weights=a * 0 + 2, density=True)[0], rtol=1e-5)
    assert "return_types.histogram(" in repr(r)


@needs_torch
def test_matches_torch():
    rng = np.random.default_rng(4)
    for dtype in (np.float32, np.float64):
        a = np.concatenate([rng.standard_normal(500), [NAN, np.inf, -np.inf, 0.25, 0.5]]).astype(dtype)
        x, t = rt.tensor(a), torch.from_numpy(a)
        for kw in [dict(bins=10, min=-1, max=1), dict(bins=3, min=0.25, max=0.5), dict(bins=1, min=-1, max=1)]:
            np.testing.assert_array_equal(rt.histc(x, **kw).numpy(), torch.histc(t, **kw).numpy())
        b = a[np.isfinite(a)]
        xb, tb = rt.tensor(b), torch.from_numpy(b)
        for bins in (1, 5, 64):
            np.testing.assert_array_equal(rt.histc(xb, bins).numpy(), torch.histc(tb, bins).numpy())
            for density in (False, True):
                got, want = rt.histogram(xb, bins, density=density), torch.histogram(tb, bins, density=density)
                np.testing.assert_allclose(got.hist.numpy(), want.hist.numpy(), rtol=1e-6)
                np.testing.assert_array_equal(got.bin_edges.numpy(), want.bin_edges.numpy())
        w = rng.random(b.shape).astype(dtype)
        e = np.array([-1, 3, 0, 2], dtype=dtype)  # unsorted edges as torch's binary search sees them
        for edges in (np.sort(e), e):
            got = rt.histogram(xb, rt.tensor(edges), weight=rt.tensor(w))
            want = torch.histogram(tb, torch.from_numpy(edges), weight=torch.from_numpy(w))
            np.testing.assert_allclose(got.hist.numpy(), want.hist.numpy(), rtol=1e-5)
        w2 = torch.tensor([1, 2, 2, 7, 0])
        np.testing.assert_array_equal(rt.bincount(rt.tensor(w2.numpy())).numpy(), torch.bincount(w2).numpy())
    assert rt.histc(rt.tensor([1.0, 1.0, 1.0]), bins=4).tolist() == torch.histc(torch.tensor([1.0, 1.0, 1.0]), bins=4).tolist()
    assert rt.histogram(rt.tensor([1.0, 1.0]), 3).bin_edges.tolist() == torch.histogram(torch.tensor([1.0, 1.0]), 3).bin_edges.tolist()
    assert rt.histogram(rt.tensor([]), 3).bin_edges.tolist() == torch.histogram(torch.tensor([]), 3).bin_edges.tolist()
    assert rt.bincount(rt.tensor([], dtype=rt.int64), rt.tensor([])).dtype == rt.int64


@needs_torch
def test_errors_match_torch():
    cases = [
        lambda m: m.bincount(m.tensor([True, False])),
        lambda m: m.bincount(m.tensor([1.0, 2.0])),
        lambda m: m.bincount(m.tensor([-1, 2])),
        lambda m: m.bincount(m.tensor([[1, 2]])),
        lambda m: m.bincount(m.tensor([1, 2]), minlength=-1),
        lambda m: m.bincount(m.tensor([1, 2]), weights=m.tensor([1.0])),
        lambda m: m.bincount(m.tensor([1, 2]), weights=m.tensor([[1.0, 2.0]])),
        lambda m: m.histc(m.tensor([1, 2, 1])),
        lambda m: m.histc(m.tensor([1.0, 2.0]), bins=0),
        lambda m: m.histc(m.tensor([1.0, 2.0]), bins=-1),
        lambda m: m.histc(m.tensor([1.0, 2.0]), min=3, max=1),
        lambda m: m.histc(m.tensor([1.0, NAN]), bins=4),
        lambda m: m.histc(m.tensor([1.0, float("inf")]), bins=4),
        lambda m: m.histc(m.tensor([1.0, 2.0]), bins=4, min=float("inf")),
        lambda m: m.histogram(m.tensor([1.0, 2.0]), 0),
        lambda m: m.histogram(m.tensor([1, 2]), 3),
        lambda m: m.histogram(m.tensor([1.0, 2.0]), m.tensor([[3.0, 1.0, 2.0]])),
        lambda m: m.histogram(m.tensor([1.0, 2.0]), m.tensor([1.0])),
        lambda m: m.histogram(m.tensor([1.0, 2.0]), m.tensor([])),
        lambda m: m.histogram(m.tensor([1.0, 2.0, 1.0]), 3, weight=m.tensor([1.0, 2.0])),
        lambda m: m.histogram(m.tensor([1.0, 2.0]), 3, weight=m.tensor([1.0, 2.0], dtype=m.float64)),
        lambda m: m.histogram(m.tensor([1.0, 2.0]), m.tensor([0.0, 1.0], dtype=m.float64)),
        lambda m: m.histogram(m.tensor([1.0, NAN]), 3),
        lambda m: m.histogram(m.tensor([1.0, float("inf")]), 3),
        lambda m: m.histogram(m.tensor([1.0, 2.0]), 3, range=(2.0, 1.0)),
        lambda m: m.histogram(m.tensor([1.0, 2.0]), 3, range=(1.0, float("nan"))),
        lambda m: m.histogram(m.tensor([1.0, 2.0]), 3, range=(1.0, 2.0, 3.0)),
    ]
    for case in cases:
        with pytest.raises(Exception) as te:
            case(torch)
        with pytest.raises(Exception) as re_:
            case(rt)
        assert type(te.value).__name__ == type(re_.value).__name__ and str(te.value) == str(re_.value), case


def test_histc_out():
    out = rt.zeros(4)
    rt.histc(rt.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3, out=out)
    assert out.tolist() == [0.0, 2.0, 1.0, 0.0]
