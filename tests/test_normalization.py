"""torch.nn.functional's normalisations (layer_norm, batch_norm, group_norm, and torch.layer_norm,
torch.batch_norm, torch.group_norm): values against numpy (float64 statistics) and torch when
installed, running-statistics updates, gradients (gradcheck and grad_fn names), identical results for
1 and 2 threads, and torch's errors."""

import numpy as np
import pytest

import rtensor as rt
import rtensor.nn.functional as F


def _data(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def np_norm(x, axes, eps):
    x64 = x.astype(np.float64)
    m = x64.mean(axis=axes, keepdims=True)
    v = ((x64 - m) ** 2).mean(axis=axes, keepdims=True)
    return (x64 - m) / np.sqrt(v + eps)


def _raises(exc, msg, f):
    with pytest.raises(exc) as e:
        f()
    assert str(e.value) == msg


# ---------------------------------------------------------------------------------- layer_norm


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, k", [((4, 7), 1), ((2, 3, 5), 2), ((3, 1), 1), ((5,), 1), ((2, 3, 4), 3), ((0, 4), 1)])
@pytest.mark.parametrize("affine", [False, True])
def test_layer_norm_values(shape, k, dtype, affine):
    x = _data(shape, dtype)
    ns = shape[len(shape) - k:]
    w = _data(ns, dtype, 1) if affine else None
    b = _data(ns, dtype, 2) if affine else None
    want = np_norm(x, tuple(range(len(shape) - k, len(shape))), 1e-5)
    if affine:
        want = want * w + b
    got = F.layer_norm(rt.tensor(x), ns, None if w is None else rt.tensor(w), None if b is None else rt.tensor(b))
    assert got.dtype == rt.tensor(x).dtype and tuple(got.shape) == shape
    np.testing.assert_allclose(got.numpy(), want.astype(dtype), rtol=1e-6 if dtype == np.float32 else 1e-12, atol=1e-6 if dtype == np.float32 else 1e-12)
    np.testing.assert_array_equal(rt.layer_norm(rt.tensor(x), list(ns)).numpy(), F.layer_norm(rt.tensor(x), ns).numpy())


def test_layer_norm_non_contiguous_and_eps():
    x = _data((6, 4))
    got = F.layer_norm(rt.tensor(x).t(), (6,), eps=0.5).numpy()
    np.testing.assert_allclose(got, np_norm(x.T, (1,), 0.5), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("affine", [False, True])
def test_layer_norm_gradcheck(affine):
    x = rt.tensor(_data((3, 2, 4)), requires_grad=True)
    if affine:
        w = rt.tensor(_data((2, 4), seed=1), requires_grad=True)
        b = rt.tensor(_data((2, 4), seed=2), requires_grad=True)
        assert rt.autograd.gradcheck(lambda x, w, b: F.layer_norm(x, (2, 4), w, b), (x, w, b))
    else:
        assert rt.autograd.gradcheck(lambda x: F.layer_norm(x, (4,)), (x,))
    y = F.layer_norm(x, (4,))
    assert y.grad_fn.name() == "NativeLayerNormBackward0"
    assert F.layer_norm(x.detach(), (4,)).grad_fn is None


def test_layer_norm_errors():
    x = rt.ones(2, 3)
    _raises(RuntimeError, "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]", lambda: F.layer_norm(x, (4,)))
    _raises(RuntimeError, "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []", lambda: F.layer_norm(x, ()))
    _raises(RuntimeError, "Expected weight to be of same shape as normalized_shape, but got weight of shape [4] and normalized_shape = [3]", lambda: F.layer_norm(x, (3,), rt.ones(4)))
    _raises(RuntimeError, "Expected bias to be of same shape as normalized_shape, but got bias of shape [4] and normalized_shape = [3]", lambda: F.layer_norm(x, (3,), None, rt.ones(4)))
    _raises(NotImplementedError, "\"LayerNormKernelImpl\" not implemented for 'Long'", lambda: F.layer_norm(rt.ones(2, 3, dtype=rt.int64), (3,)))
    _raises(RuntimeError, "mixed dtype (CPU): all inputs must share same datatype.", lambda: F.layer_norm(x.double(), (3,), rt.ones(3)))


@pytest.mark.parametrize("shape", [(4096, 1024), (300, 70)])
def test_layer_norm_same_for_any_thread_count(shape):
    x = rt.tensor(_data(shape, np.float32))
    before = rt.get_num_threads()
    try:
        rt.set_num_threads(1)
        a = F.layer_norm(x, shape[-1:]).numpy()
        rt.set_num_threads(2)
        b = F.layer_norm(x, shape[-1:]).numpy()
    finally:
        rt.set_num_threads(before)
    assert np.array_equal(a, b)


# ---------------------------------------------------------------------------------- batch_norm


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 2, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_training_updates_running_stats(shape, dtype):
    x = _data(shape, dtype)
    axes = tuple(d for d in range(len(shape)) if d != 1)
    c = shape[1]
    rm0, rv0 = _data((c,), dtype, 3), np.abs(_data((c,), dtype, 4)) + 0.5
    rm, rv = rt.tensor(rm0.copy()), rt.tensor(rv0.copy())
    w, b = _data((c,), dtype, 1), _data((c,), dtype, 2)
    got = F.batch_norm(rt.tensor(x), rm, rv, rt.tensor(w), rt.tensor(b), training=True, momentum=0.3)
    bshape = [1] * len(shape)
    bshape[1] = c
    want = np_norm(x, axes, 1e-5) * w.reshape(bshape) + b.reshape(bshape)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got.numpy(), want, rtol=tol, atol=tol)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(rm.numpy(), 0.7 * rm0 + 0.3 * x64.mean(axis=axes), rtol=tol, atol=tol)
    np.testing.assert_allclose(rv.numpy(), 0.7 * rv0 + 0.3 * x64.var(axis=axes, ddof=1), rtol=tol, atol=tol)
    # Evaluation mode uses the running statistics.
    ev = F.batch_norm(rt.tensor(x), rm, rv).numpy()
    want = (x64 - rm.numpy().reshape(bshape)) / np.sqrt(rv.numpy().reshape(bshape) + 1e-5)
    np.testing.assert_allclose(ev, want, rtol=tol, atol=tol)


def test_batch_norm_torch_form_and_no_running_stats():
    x = _data((5, 2, 3))
    got = rt.batch_norm(rt.tensor(x), None, None, None, None, True, 0.1, 1e-5, False)
    np.testing.assert_allclose(got.numpy(), np_norm(x, (0, 2), 1e-5), rtol=1e-12, atol=1e-12)
    assert F.batch_norm(rt.tensor(x), None, None, training=True).shape == (5, 2, 3)


@pytest.mark.parametrize("training", [False, True])
def test_batch_norm_gradcheck(training):
    x = rt.tensor(_data((4, 3, 2)), requires_grad=True)
    w = rt.tensor(_data((3,), seed=1), requires_grad=True)
    b = rt.tensor(_data((3,), seed=2), requires_grad=True)
    rm, rv = rt.tensor(_data((3,), seed=3)), rt.tensor(np.abs(_data((3,), seed=4)) + 0.5)
    assert rt.autograd.gradcheck(lambda x, w, b: F.batch_norm(x, rm.clone(), rv.clone(), w, b, training=training), (x, w, b))
    assert F.batch_norm(x, rm, rv, training=training).grad_fn.name() == "NativeBatchNormBackward0"


def test_batch_norm_errors():
    x = rt.ones(4, 3, 5)
    rm, rv = rt.zeros(3), rt.ones(3)
    _raises(ValueError, "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])", lambda: F.batch_norm(rt.ones(1, 3), rm, rv, training=True))
    _raises(RuntimeError, "running_mean should contain 3 elements not 4", lambda: F.batch_norm(x, rt.zeros(4), rv))
    _raises(RuntimeError, "weight should contain 3 elements not 4", lambda: F.batch_norm(x, rm, rv, rt.ones(4)))
    _raises(RuntimeError, "bias should contain 3 elements not 4", lambda: F.batch_norm(x, rm, rv, None, rt.ones(4)))
    _raises(RuntimeError, "running_var should contain 3 elements not 4", lambda: F.batch_norm(x, rm, rt.ones(4)))
    _raises(RuntimeError, "running_mean must be defined in evaluation mode", lambda: F.batch_norm(x, None, None))
    _raises(RuntimeError, "running_var must be defined in evaluation mode", lambda: F.batch_norm(x, rm, None))
    _raises(NotImplementedError, "\"batch_norm\" not implemented for 'Long'", lambda: F.batch_norm(rt.ones(2, 3, dtype=rt.int64), rm, rv))


# ---------------------------------------------------------------------------------- group_norm


@pytest.mark.parametrize("shape, groups", [((2, 6, 5), 3), ((2, 4), 2), ((3, 4, 2, 2), 1), ((1, 4, 3), 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_group_norm_values(shape, groups, dtype):
    x = _data(shape, dtype)
    n, c = shape[:2]
    w, b = _data((c,), dtype, 1), _data((c,), dtype, 2)
    xr = x.reshape(n, groups, -1)
    want = np_norm(xr, (2,), 1e-5).reshape(shape)
    bshape = [1] * len(shape)
    bshape[1] = c
    want = want * w.reshape(bshape) + b.reshape(bshape)
    got = F.group_norm(rt.tensor(x), groups, rt.tensor(w), rt.tensor(b))
    tol = 1e-6 if dtype == np.float32 else 1e-12
    assert got.dtype == rt.tensor(x).dtype
    np.testing.assert_allclose(got.numpy(), want, rtol=tol, atol=tol)
    np.testing.assert_array_equal(rt.group_norm(rt.tensor(x), groups, rt.tensor(w), rt.tensor(b)).numpy(), got.numpy())


def test_group_norm_gradcheck():
    x = rt.tensor(_data((2, 4, 3)), requires_grad=True)
    w = rt.tensor(_data((4,), seed=1), requires_grad=True)
    b = rt.tensor(_data((4,), seed=2), requires_grad=True)
    assert rt.autograd.gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))
    assert F.group_norm(x, 2).grad_fn.name() == "NativeGroupNormBackward0"


def test_group_norm_errors():
    x = rt.ones(4, 3, 5)
    _raises(RuntimeError, "Expected number of channels in input to be divisible by num_groups, but got input of shape [4, 3, 5] and num_groups=2", lambda: F.group_norm(x, 2))
    _raises(RuntimeError, "Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape [4] and input of shape [4, 3, 5]", lambda: F.group_norm(x, 3, rt.ones(4)))
    _raises(RuntimeError, "Expected at least 2 dimensions for input tensor but received 1", lambda: F.group_norm(rt.ones(3), 1))
    _raises(ValueError, "Expected more than 1 value per channel when training, got input size [1, 2]", lambda: F.group_norm(rt.ones(1, 2), 2))
    _raises(RuntimeError, "Expected num groups to be greater than 0, got -1", lambda: F.group_norm(rt.ones(2, 2), -1))
    _raises(NotImplementedError, "\"GroupNormKernelImpl\" not implemented for 'Long'", lambda: F.group_norm(rt.ones(2, 2, dtype=rt.int64), 1))
    _raises(RuntimeError, "Expected number of channels to be greater than 0, got 0", lambda: F.group_norm(rt.ones(1, 0, 2), 1))
    _raises(RuntimeError, "Expected HxW to be greater than 0, got 0", lambda: F.group_norm(rt.ones(1, 2, 0), 1))


def test_batch_norm_empty_input():
    for training in (False, True):
        e = rt.ones(0)
        out = F.batch_norm(e, e, e, None, None, training=training)
        assert tuple(out.shape) == (0,) and out.dtype == rt.float32
        x = rt.ones(0, requires_grad=True)
        assert F.batch_norm(x, e, e, training=training).grad_fn.name() == "CloneBackward0"


# ---------------------------------------------------------------------------------- against torch


def test_against_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    for dtype in ("float32", "float64"):
        x = _data((6, 4, 5), getattr(np, dtype))
        w, b = _data((5,), getattr(np, dtype), 1), _data((5,), getattr(np, dtype), 2)
        tol = dict(rtol=2e-6, atol=2e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
        T = lambda a: torch.tensor(a)  # noqa: E731
        R = lambda a: rt.tensor(a)  # noqa: E731
        np.testing.assert_allclose(F.layer_norm(R(x), (5,), R(w), R(b)).numpy(), TF.layer_norm(T(x), (5,), T(w), T(b)).numpy(), **tol)
        w4, b4 = w[:4].copy(), b[:4].copy()
        rm, rv = np.zeros(4, dtype), np.ones(4, dtype)
        trm, trv, rrm, rrv = T(rm), T(rv), R(rm), R(rv)
        np.testing.assert_allclose(F.batch_norm(R(x), rrm, rrv, R(w4), R(b4), True).numpy(), TF.batch_norm(T(x), trm, trv, T(w4), T(b4), True).numpy(), **tol)
        np.testing.assert_allclose(rrm.numpy(), trm.numpy(), **tol)
        np.testing.assert_allclose(rrv.numpy(), trv.numpy(), **tol)
        np.testing.assert_allclose(F.batch_norm(R(x), rrm, rrv, R(w4), R(b4)).numpy(), TF.batch_norm(T(x), trm, trv, T(w4), T(b4)).numpy(), **tol)
        np.testing.assert_allclose(F.group_norm(R(x), 2, R(w4), R(b4)).numpy(), TF.group_norm(T(x), 2, T(w4), T(b4)).numpy(), **tol)
    # Gradients.
    x = _data((3, 4, 5))
    w, b = _data((5,), seed=1), _data((5,), seed=2)
    g = _data((3, 4, 5), seed=5)
    for name, args in [("layer_norm", ((5,),)), ("group_norm", (2,)), ("batch_norm", (None, None))]:
        ww, bb = (w, b) if name == "layer_norm" else (w[:4], b[:4])
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, ww, bb))
        rx, rw, rb = (rt.tensor(a, requires_grad=True) for a in (x, ww, bb))
        kw = {"training": True} if name == "batch_norm" else {}
        ty = getattr(TF, name)(tx, *args, tw, tb, **kw)
        ry = getattr(F, name)(rx, *args, rw, rb, **kw)
        assert ry.grad_fn.name() == ty.grad_fn.name()
        (ty * torch.tensor(g)).sum().backward()
        (ry * rt.tensor(g)).sum().backward()
        for r, t in ((rx, tx), (rw, tw), (rb, tb)):
            np.testing.assert_allclose(r.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------------------------- normalize, rms_norm


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (float("inf"), -1), (3.0, 1)])
def test_normalize(p, dim):
    x = _data((3, 4))
    n = np.linalg.norm(x, ord=p, axis=dim, keepdims=True)
    got = F.normalize(rt.tensor(x), p=p, dim=dim)
    np.testing.assert_allclose(got.numpy(), x / np.maximum(n, 1e-12), rtol=1e-12)
    xt = rt.tensor(x, requires_grad=True)
    assert F.normalize(xt, p=p, dim=dim).grad_fn.name() == "DivBackward0"
    assert rt.autograd.gradcheck(lambda t: F.normalize(t, p=p, dim=dim), (xt,))
    _raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)", lambda: F.normalize(rt.tensor(x), dim=2))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rms_norm(dtype):
    x = _data((3, 2, 4), dtype)
    w = _data((4,), dtype, 1)
    eps = float(np.finfo(dtype).eps)
    x64 = x.astype(np.float64)
    want = x64 / np.sqrt((x64**2).mean(-1, keepdims=True) + eps) * w
    tol = 1e-6 if dtype == np.float32 else 1e-12
    got = F.rms_norm(rt.tensor(x), (4,), rt.tensor(w))
    assert got.dtype == rt.tensor(x).dtype
    np.testing.assert_allclose(got.numpy(), want, rtol=tol, atol=tol)
    np.testing.assert_allclose(rt.rms_norm(rt.tensor(x), [2, 4], eps=0.1).numpy(), x64 / np.sqrt((x64**2).mean((1, 2), keepdims=True) + 0.1), rtol=tol, atol=tol)
    xt = rt.tensor(x.astype(np.float64), requires_grad=True)
    wt = rt.tensor(w.astype(np.float64), requires_grad=True)
    assert F.rms_norm(xt, (4,), wt).grad_fn.name() == "MulBackward0"
    assert rt.autograd.gradcheck(lambda a, b: F.rms_norm(a, (4,), b), (xt, wt))
    _raises(RuntimeError, "Given normalized_shape=[4], expected input with shape [*4], but got input of size[2, 3]", lambda: F.rms_norm(rt.ones(2, 3), (4,)))
    _raises(NotImplementedError, "\"rms_norm\" not implemented for 'Long'", lambda: F.rms_norm(rt.ones(2, 3, dtype=rt.int64), (3,)))


def test_normalize_rms_norm_against_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    x = _data((3, 5), np.float32)
    np.testing.assert_allclose(F.normalize(rt.tensor(x)).numpy(), TF.normalize(torch.tensor(x)).numpy(), rtol=2e-6, atol=2e-6)
    np.testing.assert_allclose(F.rms_norm(rt.tensor(x), (5,)).numpy(), TF.rms_norm(torch.tensor(x), (5,)).numpy(), rtol=2e-6, atol=2e-6)
