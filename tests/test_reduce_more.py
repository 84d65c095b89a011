# The reductions of issue 13: aminmax, nansum, nanmean, var_mean / std_mean (correction=, unbiased=), dist.
# Values against numpy on random shapes, dims and special values; torch's errors; gradients (gradcheck,
# grad_fn names); out= tuples; results identical for any thread count; torch where installed.
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rtensor as rt
from conftest import hypothesis_examples

N = hypothesis_examples(30)

floats = st.floats(-1e3, 1e3, allow_nan=False, width=32)
arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6), elements=floats)
with_nans = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6),
                       elements=st.one_of(floats, st.just(math.nan)))


def dim_of(data, x):
    return data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))


@settings(max_examples=N, deadline=None)
@given(x=arrays, data=st.data(), keepdim=st.booleans(), dtype=st.sampled_from(["float32", "float64", "int64"]))
def test_aminmax(x, data, keepdim, dtype):
    x = x.astype(dtype)
    dim = dim_of(data, x)
    kw = {} if dim is None else {"dim": dim, "keepdim": keepdim}
    r = rt.aminmax(rt.tensor(x), **kw)
    assert type(r).__name__ == "aminmax" and r._fields == ("min", "max")
    exp_min = x.min(axis=dim, keepdims=keepdim and dim is not None)
    exp_max = x.max(axis=dim, keepdims=keepdim and dim is not None)
    np.testing.assert_array_equal(r.min.numpy(), exp_min)
    np.testing.assert_array_equal(r.max.numpy(), exp_max)
    assert r.min.dtype == rt.tensor(x).dtype
    m = rt.tensor(x).aminmax(**kw)
    np.testing.assert_array_equal(m.max.numpy(), exp_max)


def test_aminmax_nan_empty_and_out():
    r = rt.aminmax(rt.tensor([1.0, math.nan, 3.0]))
    assert math.isnan(r.min.item()) and math.isnan(r.max.item())
    with pytest.raises(RuntimeError, match="cannot compute aminmax over an empty dimension"):
        rt.aminmax(rt.ones(0))
    with pytest.raises(IndexError, match="Expected reduction dim 1 to have non-zero size"):
        rt.aminmax(rt.ones(2, 0), dim=1)
    x = rt.tensor([[1.0, 5.0], [-2.0, 0.5]])
    lo, hi = rt.empty(2), rt.empty(2)
    r = rt.aminmax(x, dim=1, out=(lo, hi))
    assert r.min is lo and r.max is hi
    assert lo.tolist() == [1.0, -2.0] and hi.tolist() == [5.0, 0.5]
    with pytest.raises(RuntimeError, match="Expected out tensor to have dtype float, but got double instead"):
        rt.aminmax(x, dim=1, out=(lo, rt.empty(2, dtype=rt.float64)))
    with pytest.raises(ValueError, match="must not overlap"):
        rt.aminmax(x, dim=1, out=(lo, lo))
    assert lo.tolist() == [1.0, -2.0]  # nothing written by the failed call


@settings(max_examples=N, deadline=None)
@given(x=with_nans, data=st.data(), keepdim=st.booleans(), dtype=st.sampled_from(["float32", "float64"]))
def test_nansum_nanmean(x, data, keepdim, dtype):
    x = x.astype(dtype)
    dim = dim_of(data, x)
    kw = {} if dim is None else {"dim": dim, "keepdim": keepdim}
    t = rt.tensor(x)
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exp_sum = np.nansum(x.astype(np.float64), axis=dim, keepdims=keepdim and dim is not None)
            exp_mean = np.nanmean(x.astype(np.float64), axis=dim, keepdims=keepdim and dim is not None)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(rt.nansum(t, **kw).numpy(), exp_sum, rtol=tol, atol=tol * 1e3)
    np.testing.assert_allclose(rt.nanmean(t, **kw).numpy(), exp_mean, rtol=tol, atol=tol * 1e3, equal_nan=True)
    assert rt.nansum(t, **kw).dtype == t.dtype


def test_nan_reductions_dtypes():
    assert rt.nansum(rt.tensor([1, 2])).item() == 3
    with pytest.raises(NotImplementedError, match="nanmean\\(\\): expected input to have floating point"):
        rt.nanmean(rt.tensor([1, 2]))
    assert math.isnan(rt.nanmean(rt.tensor([math.nan, math.nan])).item())


@settings(max_examples=N, deadline=None)
@given(x=arrays, data=st.data(), keepdim=st.booleans(), correction=st.sampled_from([0, 1, 2]),
       which=st.sampled_from(["var_mean", "std_mean"]))
def test_var_std_mean(x, data, keepdim, correction, which):
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    t = rt.tensor(x)
    a, m = getattr(rt, which)(t, dim, correction=correction, keepdim=keepdim)
    np.testing.assert_allclose(m.numpy(), x.mean(axis=dim, keepdims=keepdim), rtol=1e-12, atol=1e-9)
    if x.shape[dim] > correction:  # fewer elements than the correction: torch's inf / nan, not numpy's
        v = np.var(x, axis=dim, ddof=correction, keepdims=keepdim)
        exp = np.sqrt(v) if which == "std_mean" else v
        np.testing.assert_allclose(a.numpy(), exp, rtol=1e-9, atol=1e-9)
    # the same as var/std and mean called apart
    single = getattr(t, which.split("_")[0])(dim, correction=correction, keepdim=keepdim)
    np.testing.assert_array_equal(a.numpy(), single.numpy())


def test_var_mean_unbiased_and_whole():
    x = rt.tensor([[1.0, 2.0, 4.0]])
    v, m = rt.var_mean(x, 1, unbiased=False)
    assert v.tolist() == pytest.approx([14 / 9]) and m.tolist() == pytest.approx([7 / 3])
    v, m = rt.var_mean(x)
    assert v.item() == pytest.approx(7 / 3) and m.item() == pytest.approx(7 / 3)
    s, m = rt.std_mean(x, unbiased=True)
    assert s.item() == pytest.approx(math.sqrt(7 / 3))


@settings(max_examples=N, deadline=None)
@given(x=arrays, p=st.sampled_from([0.0, 1.0, 2.0, 3.0, 0.5, math.inf, -math.inf]), data=st.data())
def test_dist(x, p, data):
    y = data.draw(hnp.arrays(np.float64, x.shape[1:], elements=floats))
    d = np.abs(x - y).ravel()
    if p == 0:
        exp = float(np.count_nonzero(d))
    elif p == math.inf:
        exp = d.max()
    elif p == -math.inf:
        exp = d.min()
    else:
        exp = (d ** p).sum() ** (1 / p)
    got = rt.dist(rt.tensor(x), rt.tensor(y), p).item()
    assert got == pytest.approx(exp, rel=1e-9, abs=1e-12)


def test_dist_dtype_error():
    with pytest.raises(NotImplementedError, match="input dtype should be either floating point"):
        rt.dist(rt.tensor([1, 2]), rt.tensor([3, 5]))


@pytest.mark.parametrize("case", ["aminmax", "nansum", "nanmean", "var_mean", "std_mean", "dist"])
def test_gradients(case):
    rng = np.random.default_rng(4)
    x = rt.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    y = rt.tensor(rng.normal(size=(4,)), requires_grad=True)
    fns = {
        "aminmax": (lambda a: rt.aminmax(a, dim=1).min * 2 + rt.aminmax(a, dim=1).max, "AminmaxBackward0"),
        "nansum": (lambda a: rt.nansum(a, 1), "NansumBackward0"),
        "nanmean": (lambda a: rt.nanmean(a, 0), "DivBackward0"),
        "var_mean": (lambda a: rt.var_mean(a, 1)[0] + rt.var_mean(a, 1)[1], "VarMeanBackward0"),
        "std_mean": (lambda a: rt.std_mean(a, 0)[0] * rt.std_mean(a, 0)[1], "StdMeanBackward0"),
        "dist": (lambda a: rt.dist(a, y, 3), "DistBackward0"),
    }
    f, node = fns[case]
    assert rt.autograd.gradcheck(f, (x,))
    out = {"aminmax": lambda: rt.aminmax(x, dim=1).min, "nansum": lambda: rt.nansum(x, 1),
           "nanmean": lambda: rt.nanmean(x, 0), "var_mean": lambda: rt.var_mean(x, 1)[0],
           "std_mean": lambda: rt.std_mean(x, 0)[1], "dist": lambda: rt.dist(x, y)}[case]()
    assert type(out.grad_fn).__name__ == node


def test_dist_grad_of_other():
    rng = np.random.default_rng(5)
    x = rt.tensor(rng.normal(size=(2, 3)))
    y = rt.tensor(rng.normal(size=(2, 3)), requires_grad=True)
    assert rt.autograd.gradcheck(lambda b: rt.dist(x, b, 1.5), (y,))


def test_nansum_grad_zero_at_nan():
    x = rt.tensor([1.0, math.nan, 2.0], requires_grad=True)
    rt.nansum(x).backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0]


def test_same_for_any_thread_count():
    x = rt.tensor(np.random.default_rng(6).normal(size=(1000, 700)).astype(np.float32))
    x[3, 5] = math.nan
    before = rt.get_num_threads()
    try:
        outs = []
        for n in (1, 2):
            rt.set_num_threads(n)
            outs.append([rt.nansum(x).item(), rt.nanmean(x, 1).numpy(), rt.var_mean(x, 0)[0].numpy(),
                         rt.aminmax(x, dim=0).max.numpy()])
    finally:
        rt.set_num_threads(before)
    a, b = outs
    assert a[0] == b[0]
    for u, v in zip(a[1:], b[1:]):
        assert np.array_equal(u, v, equal_nan=True)
