"""quantile and nanquantile: values against numpy (every interpolation, q float or tensor, dim, keepdim,
NaN), shapes, torch's errors, out=, gradients (gradcheck and the SqueezeBackward4 node)."""

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

NAN = float("nan")
MODES = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,dim", [((7,), None), ((7,), 0), ((4, 5), 1), ((4, 5), 0), ((3, 4, 5), -2), ((3, 4, 5), None)])
def test_quantile_matches_numpy(mode, dtype, shape, dim):
    rng = np.random.default_rng(len(shape))
    a = rng.standard_normal(shape).astype(dtype)
    q = np.array([0.0, 0.1, 0.5, 0.75, 1.0], dtype=dtype)
    for keepdim in (False, True):
        got = rt.quantile(rt.tensor(a), rt.tensor(q), dim=dim, keepdim=keepdim, interpolation=mode)
        want = np.quantile(a.astype(np.float64), q.astype(np.float64), axis=dim, keepdims=keepdim, method=mode)
        assert got.shape == want.shape and got.dtype == rt.tensor(a).dtype
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)
        got = rt.tensor(a).quantile(0.3, dim=dim, keepdim=keepdim, interpolation=mode)
        want = np.quantile(a.astype(np.float64), 0.3, axis=dim, keepdims=keepdim, method=mode)
        assert got.shape == np.shape(want)
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_nanquantile_matches_numpy(mode):
    a = np.random.default_rng(0).standard_normal((5, 6))
    a[0, 1] = a[2, :] = a[3, 4] = NAN
    got = rt.nanquantile(rt.tensor(a), rt.tensor([0.2, 0.9], dtype=rt.float64), dim=1, interpolation=mode).numpy()
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        want = np.nanquantile(a, [0.2, 0.9], axis=1, method=mode)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    got = rt.quantile(rt.tensor(a), 0.5, dim=1).numpy()
    np.testing.assert_allclose(got, np.quantile(a, 0.5, axis=1), rtol=1e-12)


def test_out_and_0dim():
    out = rt.zeros(())
    rt.quantile(rt.tensor([1.0, 2.0, 3.0]), 0.25, out=out)
    assert out.item() == 1.5
    assert rt.quantile(rt.tensor(3.0), 0.5).item() == 3.0
    assert rt.quantile(rt.tensor(3.0), rt.tensor([0.5]), dim=0).shape == (1,)


@pytest.mark.parametrize("mode", MODES)
def test_gradcheck(mode):
    a = np.random.default_rng(1).permutation(20).reshape(4, 5) / 7.0 - 1.0
    x = rt.tensor(a, requires_grad=True)
    q = rt.tensor([0.2, 0.5], dtype=rt.float64)
    assert rt.quantile(x, q, dim=1, interpolation=mode).grad_fn.name() == "SqueezeBackward4"
    assert rt.autograd.gradcheck(lambda t: rt.quantile(t, q, dim=1, interpolation=mode), (x,))
    assert rt.autograd.gradcheck(lambda t: rt.nanquantile(t, 0.3, interpolation=mode), (x,))
    if torch is not None:
        t = torch.tensor(a, requires_grad=True)
        torch.quantile(t, torch.tensor([0.2, 0.5], dtype=torch.float64), dim=0, interpolation=mode).sum().backward()
        rt.quantile(x, q, dim=0, interpolation=mode).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)


@needs_torch
def test_matches_torch():
    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        a = rng.integers(-3, 3, (4, 6, 5)).astype(dtype)
        a[1, 2, 3] = NAN
        q = rng.random(3).astype(dtype)
        for fn in ("quantile", "nanquantile"):
            for dim in (None, 0, 1, -1):
                for keepdim in (False, True):
                    for mode in MODES:
                        for qq in (0.37, q):
                            args = dict(dim=dim, keepdim=keepdim, interpolation=mode)
                            tq = torch.from_numpy(qq) if isinstance(qq, np.ndarray) else qq
                            rq = rt.tensor(qq) if isinstance(qq, np.ndarray) else qq
                            want = getattr(torch, fn)(torch.from_numpy(a), tq, **args)
                            got = getattr(rt, fn)(rt.tensor(a), rq, **args)
                            assert tuple(got.shape) == tuple(want.shape)
                            np.testing.assert_array_equal(got.numpy(), want.numpy())


@needs_torch
def test_errors_match_torch():
    cases = [
        lambda m: m.quantile(m.tensor([1, 2]), 0.5),
        lambda m: m.quantile(m.tensor([1.0, 2.0]), 1.5),
        lambda m: m.quantile(m.tensor([1.0, 2.0]), -0.5, interpolation="foo"),
        lambda m: m.quantile(m.tensor([1.0, 2.0]), m.tensor([1.5])),
        lambda m: m.quantile(m.tensor([]), 0.5),
        lambda m: m.quantile(m.tensor([1.0, 2.0]), m.tensor([0.5], dtype=m.float64)),
        lambda m: m.quantile(m.tensor([1.0, 2.0]), m.tensor([[0.5]])),
        lambda m: m.quantile(m.tensor([1.0, 2.0]), 0.5, interpolation="foo"),
        lambda m: m.nanquantile(m.zeros(2, 0), 0.5, dim=0),
        lambda m: m.quantile(m.zeros(2, 3), 0.5, dim=2),
    ]
    for case in cases:
        with pytest.raises(Exception) as te:
            case(torch)
        with pytest.raises(Exception) as re_:
            case(rt)
        assert type(te.value).__name__ == type(re_.value).__name__ and str(te.value) == str(re_.value), case
