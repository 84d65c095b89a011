"""gather / scatter / scatter_add / index_select / take_along_dim / index_add / index_copy /
index_fill / take / put: values against numpy (np.take_along_axis, np.put_along_axis, np.add.at,
np.take, ...), and against torch when installed (values, dtypes, errors with their messages,
gradients and grad_fn names); gradcheck in float64; in-place targets left unchanged by a failed
call (torch half-writes them); results independent of the thread count."""

import warnings

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

DTYPES = [np.float32, np.float64, np.int32, np.int64, np.bool_]


def _data(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-50, 50, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _index(shape, high, seed=1):
    return np.random.default_rng(seed).integers(0, high, shape).astype(np.int64)


def _line_index(shape, dim, size, seed=1):
    """An index of `shape` whose lines along `dim` hold distinct values (a permutation prefix), so
    a plain scatter has one writer per element and numpy's order does not matter."""
    rng = np.random.default_rng(seed)
    out = np.empty(shape, np.int64)
    moved = np.moveaxis(out, dim, -1)
    for pos in np.ndindex(moved.shape[:-1]):
        moved[pos] = rng.permutation(size)[: moved.shape[-1]]
    return out


# ------------------------------------------------------------------------------------------ gather

GATHER_CASES = [
    ((5,), 0, (3,)),
    ((5,), 0, (9,)),
    ((3, 4), 0, (2, 4)),
    ((3, 4), 1, (3, 7)),
    ((3, 4), 1, (2, 2)),
    ((3, 4), -1, (3, 4)),
    ((2, 3, 4), 1, (2, 5, 4)),
    ((2, 3, 4), 0, (1, 2, 3)),
    ((4, 3, 2, 5), 2, (4, 3, 6, 5)),
    ((300, 70), 1, (300, 70)),
    ((70, 300), 0, (90, 300)),
]


@pytest.mark.parametrize("shape,dim,ishape", GATHER_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_gather_matches_numpy(shape, dim, ishape, dtype):
    a = _data(shape, dtype)
    idx = _index(ishape, shape[dim])
    # numpy's take_along_axis wants the index as large as the input in the other dims.
    sl = tuple(slice(0, s) for s in ishape)
    sub = [slice(None)] * len(shape)
    for d in range(len(shape)):
        if d != dim:
            sub[d] = sl[d]
    want = np.take_along_axis(a[tuple(sub)], idx, axis=dim)
    got = rt.gather(rt.tensor(a), dim, rt.tensor(idx))
    assert got.shape == want.shape and got.numpy().dtype == want.dtype
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(rt.tensor(a).gather(dim, rt.tensor(idx).int()).numpy(), want)


def test_gather_strided_inputs_and_zero_dim():
    a = _data((6, 8))
    t = rt.tensor(a)
    idx = _index((8, 3), 6)
    got = t.t().gather(1, rt.tensor(idx))
    np.testing.assert_array_equal(got.numpy(), np.take_along_axis(a.T[:, :6], idx, 1))
    big = rt.tensor(_index((8, 12), 6))
    np.testing.assert_array_equal(t.t().gather(1, big[:, ::4]).numpy(),
                                  np.take_along_axis(a.T, big.numpy()[:, ::4], 1))
    s = rt.tensor(5.0)
    assert rt.gather(s, 0, rt.tensor(0)).tolist() == 5.0
    assert rt.gather(s, 0, rt.tensor([0])).tolist() == [5.0]
    assert rt.gather(rt.tensor([5.0]), 0, rt.tensor(0)).shape == ()
    e = rt.gather(t, 1, rt.zeros(3, 0, dtype=rt.int64))
    assert e.shape == (3, 0)
    out = rt.zeros(2)
    r = rt.gather(rt.tensor([1.0, 2.0]), 0, rt.tensor([1, 0]), out=out)
    assert r is out and out.tolist() == [2.0, 1.0]


def test_take_along_dim_matches_numpy():
    a = _data((4, 5))
    t = rt.tensor(a)
    idx = _index((4, 3), 5)
    np.testing.assert_array_equal(rt.take_along_dim(t, rt.tensor(idx), 1).numpy(),
                                  np.take_along_axis(a, idx, 1))
    # an index of one row broadcasts over the other dims, as in torch
    col = _index((1, 2), 4)
    np.testing.assert_array_equal(t.take_along_dim(rt.tensor(col), 1).numpy(),
                                  np.take_along_axis(a, np.broadcast_to(col, (4, 2)), 1))
    idx1 = np.array([[0], [2], [1], [4]])
    np.testing.assert_array_equal(t.take_along_dim(rt.tensor(idx1), 1).numpy(),
                                  np.take_along_axis(a, idx1, 1))
    flat = np.array([0, 7, 19, -1])
    np.testing.assert_array_equal(rt.take_along_dim(t, rt.tensor(flat)).numpy(),
                                  np.take_along_axis(a.reshape(-1), flat, 0))
    # negative indices count from the end (numpy's rule)
    neg = np.array([[-1, -5], [0, -2], [1, 1], [-3, 4]])
    np.testing.assert_array_equal(t.take_along_dim(rt.tensor(neg), 1).numpy(),
                                  np.take_along_axis(a, neg, 1))


def test_take_along_dim_broadcasts_input():
    a = _data((1, 5))
    idx = _index((3, 2), 5)
    got = rt.take_along_dim(rt.tensor(a), rt.tensor(idx), 1)
    np.testing.assert_array_equal(got.numpy(), np.take_along_axis(np.broadcast_to(a, (3, 5)), idx, 1))


def test_take_along_dim_checks_its_indices():
    t = rt.arange(12.0).reshape(3, 4)
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 0 with size 3"):
        rt.take_along_dim(t, rt.tensor([[7]]), 0)
    with pytest.raises(IndexError, match="index -4 is out of bounds for dimension 0 with size 3"):
        rt.take_along_dim(t, rt.tensor([[-4]]), 0)
    with pytest.raises(IndexError, match="index 12 is out of bounds for dimension 0 with size 12"):
        rt.take_along_dim(t, rt.tensor([12]))


# ------------------------------------------------------------------------------------------ scatter


def _np_scatter_add(a, dim, idx, src):
    out = a.copy()
    coords = list(np.indices(idx.shape, sparse=False))
    coords[dim] = idx
    sub = src[tuple(slice(0, s) for s in idx.shape)]
    np.add.at(out, tuple(coords), sub)
    return out


SCATTER_CASES = [
    ((5,), 0, (3,), (4,)),
    ((5,), 0, (12,), (12,)),
    ((3, 4), 0, (2, 4), (2, 4)),
    ((3, 4), 1, (3, 9), (3, 9)),
    ((3, 4), 1, (2, 2), (3, 3)),
    ((2, 3, 4), 1, (2, 7, 4), (2, 7, 5)),
    ((2, 3, 4), 2, (1, 2, 6), (2, 3, 6)),
    ((4, 3, 2, 5), 0, (9, 3, 2, 5), (9, 3, 2, 5)),
    ((64, 300), 1, (64, 600), (64, 600)),
    ((300, 64), 0, (600, 64), (600, 64)),
]


@pytest.mark.parametrize("shape,dim,ishape,sshape", SCATTER_CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32])
def test_scatter_add_matches_numpy(shape, dim, ishape, sshape, dtype):
    a, src = _data(shape, dtype), _data(sshape, dtype, seed=3)
    idx = _index(ishape, shape[dim])
    want = _np_scatter_add(a, dim, idx, src)
    got = rt.scatter_add(rt.tensor(a), dim, rt.tensor(idx), rt.tensor(src))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5 if dtype == np.float32 else 1e-12)
    t = rt.tensor(a)
    r = t.scatter_add_(dim, rt.tensor(idx).int(), rt.tensor(src))
    assert r is t
    np.testing.assert_allclose(t.numpy(), want, rtol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("shape,dim,ishape,sshape", SCATTER_CASES)
def test_scatter_matches_numpy(shape, dim, ishape, sshape):
    if ishape[dim] > shape[dim]:
        ishape = tuple(shape[dim] if d == dim else s for d, s in enumerate(ishape))
    a, src = _data(shape), _data(sshape, seed=3)
    idx = _line_index(ishape, dim, shape[dim])
    sub = tuple(slice(0, s) for s in ishape)
    full = [slice(None)] * len(shape)
    for d in range(len(shape)):
        if d != dim:
            full[d] = slice(0, ishape[d])
    want = a.copy()
    view = want[tuple(full)]
    np.put_along_axis(view, idx, src[sub], axis=dim)
    got = rt.tensor(a).scatter(dim, rt.tensor(idx), rt.tensor(src))
    np.testing.assert_array_equal(got.numpy(), want)
    # a number
    want = a.copy()
    np.put_along_axis(want[tuple(full)], idx, 2.5, axis=dim)
    np.testing.assert_array_equal(rt.tensor(a).scatter(dim, rt.tensor(idx), 2.5).numpy(), want)
    np.testing.assert_array_equal(rt.tensor(a).scatter(dim, rt.tensor(idx), value=2.5).numpy(), want)


def test_scatter_reduce_argument():
    x = rt.arange(12.0).reshape(3, 4)
    i = rt.tensor([[0, 1], [2, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert x.scatter(1, i, rt.ones(2, 2), reduce="add").tolist() == [
            [1.0, 2.0, 2.0, 3.0], [5.0, 5.0, 7.0, 7.0], [8.0, 9.0, 10.0, 11.0]]
        assert x.scatter(1, i, 2.0, reduce="multiply").tolist() == [
            [0.0, 2.0, 2.0, 3.0], [8.0, 5.0, 12.0, 7.0], [8.0, 9.0, 10.0, 11.0]]
        y = x.clone()
        y.scatter_(1, i, 2.0, reduce="add")
        assert y.tolist() == [[2.0, 3.0, 2.0, 3.0], [6.0, 5.0, 8.0, 7.0], [8.0, 9.0, 10.0, 11.0]]
    with pytest.raises(RuntimeError, match="reduce argument must be either add or multiply."):
        x.scatter(1, i, 2.0, reduce="mean")
    assert rt.tensor([1, 2]).scatter(0, rt.tensor([0, 0]), 2.7, reduce="add").tolist() == [5, 2]
    assert rt.tensor([1, 2]).scatter(0, rt.tensor([0, 0]), 2.7).tolist() == [2, 2]


def test_scatter_zero_dim_and_empty():
    assert rt.zeros(()).scatter_add(0, rt.tensor([0]), rt.ones(1)).tolist() == 1.0
    assert rt.zeros(()).scatter(0, rt.tensor(0), 3.0).tolist() == 3.0
    assert rt.zeros(2).scatter(0, rt.tensor(0), 3.0).tolist() == [3.0, 0.0]
    assert rt.zeros(2).scatter_add(0, rt.tensor([1]), rt.ones(())).tolist() == [0.0, 1.0]
    assert rt.zeros(2).scatter_add(0, rt.tensor([], dtype=rt.int64), rt.ones(())).tolist() == [0.0, 0.0]
    out = rt.zeros(2)
    assert rt.scatter_add(rt.zeros(2), 0, rt.tensor([1]), rt.ones(1), out=out) is out
    assert out.tolist() == [0.0, 1.0]


def test_scatter_add_repeated_indices_and_threads():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((64, 2000)).astype(np.float32)
    idx = rng.integers(0, 7, (64, 2000))
    src = rng.standard_normal((64, 2000)).astype(np.float32)
    before = rt.get_num_threads()
    try:
        results = []
        for n in (1, 2, 3):
            rt.set_num_threads(n)
            results.append(rt.tensor(a).scatter_add(1, rt.tensor(idx), rt.tensor(src)).numpy())
            results.append(rt.tensor(a.T.copy()).scatter_add(0, rt.tensor(idx.T.copy()),
                                                             rt.tensor(src.T.copy())).numpy().T)
    finally:
        rt.set_num_threads(before)
    for r in results[2:]:
        assert r.tobytes() == results[::2][0].tobytes() or r.tobytes() == results[1].tobytes()
    for r in results[::2]:
        assert r.tobytes() == results[0].tobytes()
    np.testing.assert_allclose(results[0], _np_scatter_add(a, 1, idx, src), rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------------------ index_select & co


@pytest.mark.parametrize("shape,dim", [((5,), 0), ((4, 6), 0), ((4, 6), 1), ((2, 3, 4), 2),
                                       ((2, 3, 4), -2), ((300, 70), 0)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_index_select_matches_numpy(shape, dim, dtype):
    a = _data(shape, dtype)
    idx = _index((7,), shape[dim])
    got = rt.index_select(rt.tensor(a), dim, rt.tensor(idx))
    np.testing.assert_array_equal(got.numpy(), np.take(a, idx, axis=dim))
    got = rt.tensor(a).index_select(dim, rt.tensor(idx).int())
    np.testing.assert_array_equal(got.numpy(), np.take(a, idx, axis=dim))
    assert rt.tensor(3.0).index_select(0, rt.tensor([0])).shape == ()
    assert rt.tensor(a).index_select(dim, rt.tensor(1)).shape == np.take(a, [1], axis=dim).shape


@pytest.mark.parametrize("shape,dim", [((5,), 0), ((4, 6), 0), ((4, 6), 1), ((2, 3, 4), 1)])
def test_index_add_copy_fill_match_numpy(shape, dim):
    a = _data(shape)
    n = 9
    idx = _index((n,), shape[dim])
    sshape = tuple(n if d == dim else s for d, s in enumerate(shape))
    src = _data(sshape, seed=4)
    want = a.copy()
    moved = np.moveaxis(want, dim, 0)
    np.add.at(moved, idx, 2.0 * np.moveaxis(src, dim, 0))
    got = rt.tensor(a).index_add(dim, rt.tensor(idx), rt.tensor(src), alpha=2.0)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    t = rt.tensor(a)
    assert t.index_add_(dim, rt.tensor(idx).int(), rt.tensor(src), alpha=2) is t
    np.testing.assert_allclose(t.numpy(), want, rtol=1e-12)
    # index_copy with distinct indices
    uniq = np.random.default_rng(2).permutation(shape[dim])[: min(3, shape[dim])]
    cshape = tuple(len(uniq) if d == dim else s for d, s in enumerate(shape))
    csrc = _data(cshape, seed=6)
    want = a.copy()
    np.moveaxis(want, dim, 0)[uniq] = np.moveaxis(csrc, dim, 0)
    np.testing.assert_array_equal(rt.tensor(a).index_copy(dim, rt.tensor(uniq), rt.tensor(csrc)).numpy(), want)
    t = rt.tensor(a)
    t.index_copy_(dim, rt.tensor(uniq), rt.tensor(csrc))
    np.testing.assert_array_equal(t.numpy(), want)
    # index_fill, negative indices allowed
    want = a.copy()
    np.moveaxis(want, dim, 0)[[0, -1]] = -3.0
    np.testing.assert_array_equal(rt.tensor(a).index_fill(dim, rt.tensor([0, -1]), -3.0).numpy(), want)
    t = rt.tensor(a)
    t.index_fill_(dim, rt.tensor([0, -1]), rt.tensor(-3.0))
    np.testing.assert_array_equal(t.numpy(), want)


def test_take_and_put_match_numpy():
    a = _data((3, 5))
    idx = np.array([[0, 14, -1], [7, 7, -15]])
    np.testing.assert_array_equal(rt.tensor(a).take(rt.tensor(idx)).numpy(), np.take(a, idx))
    np.testing.assert_array_equal(rt.take(rt.tensor(a).t(), rt.tensor(idx)).numpy(), np.take(a.T, idx))
    src = _data((2, 3), seed=7)
    want = a.copy().reshape(-1)
    np.add.at(want, idx.reshape(-1) % 15, src.reshape(-1))
    got = rt.tensor(a).put(rt.tensor(idx), rt.tensor(src), accumulate=True)
    np.testing.assert_allclose(got.numpy(), want.reshape(3, 5), rtol=1e-12)
    uniq = np.array([0, 3, -1])
    want = a.copy()
    np.put(want, uniq, [1.0, 2.0, 3.0])
    t = rt.tensor(a)
    assert t.put_(rt.tensor(uniq), rt.tensor([1.0, 2.0, 3.0], dtype=rt.float64)) is t
    np.testing.assert_array_equal(t.numpy(), want)
    # a non-contiguous target
    t = rt.tensor(a.T.copy()).t()
    t.put_(rt.tensor(uniq), rt.tensor([1.0, 2.0, 3.0], dtype=rt.float64))
    np.testing.assert_array_equal(t.numpy(), want)


def test_out_overlapping_an_input_is_refused():
    src = rt.rand(6)
    ind = rt.tensor([2, 1, 0])
    for out in (rt.rand(1).expand(3), src):
        with pytest.raises(RuntimeError, match="unsupported operation"):
            rt.take(src, ind, out=out)
    ind = rt.tensor([2, 1, 0])
    with pytest.raises(RuntimeError, match="unsupported operation"):
        rt.take(ind.clone(), ind[1:], out=ind[:-1])
    with pytest.raises(RuntimeError, match="unsupported operation"):
        rt.gather(src, 0, ind, out=src[:3])


# --------------------------------------------------------------------------------- failed in place


def _unchanged(t, call, exc):
    before = t.numpy().copy()
    v = t._version
    with pytest.raises(exc):
        call(t)
    np.testing.assert_array_equal(t.numpy(), before)
    return v


@pytest.mark.parametrize("call,exc", [
    (lambda t: t.scatter_add_(1, rt.tensor([[0, 1, 9]]), rt.ones(1, 3)), RuntimeError),
    (lambda t: t.scatter_(1, rt.tensor([[0, 1, 9]]), rt.ones(1, 3)), RuntimeError),
    (lambda t: t.scatter_(1, rt.tensor([[0, 1, -1]]), 5.0), RuntimeError),
    (lambda t: t.scatter_(1, rt.tensor([[0, 1, 7]]), 5.0, reduce="add"), RuntimeError),
    (lambda t: t.index_add_(0, rt.tensor([0, 5]), rt.ones(2, 4)), RuntimeError),
    (lambda t: t.index_copy_(0, rt.tensor([0, 5]), rt.ones(2, 4)), IndexError),
    (lambda t: t.index_fill_(1, rt.tensor([0, 4]), 1.0), IndexError),
    (lambda t: t.put_(rt.tensor([0, 12]), rt.ones(2)), IndexError),
    (lambda t: t.put_(rt.tensor([0, 12]), rt.ones(2), accumulate=True), IndexError),
])
def test_failed_in_place_leaves_target_unchanged(call, exc):
    _unchanged(rt.arange(12.0).reshape(3, 4), call, exc)


# ------------------------------------------------------------------------------------- gradients


def _f64(shape, seed=0):
    return rt.tensor(_data(shape, np.float64, seed), requires_grad=True)


def test_gradcheck_gather_family():
    x = _f64((3, 4))
    idx = rt.tensor([[0, 1, 1], [2, 0, 0]])
    assert rt.autograd.gradcheck(lambda t: t.gather(1, idx), (x,))
    assert rt.autograd.gradcheck(lambda t: t.gather(0, rt.tensor([[0, 2, 2, 1], [0, 0, 0, 0]])), (x,))
    assert rt.autograd.gradcheck(lambda t: rt.take_along_dim(t, rt.tensor([[1], [3], [0]]), 1), (x,))
    assert rt.autograd.gradcheck(lambda t: rt.take_along_dim(t, rt.tensor([5, 5, -1])), (x,))
    assert rt.autograd.gradcheck(lambda t: t.index_select(1, rt.tensor([3, 0, 3])), (x,))
    assert rt.autograd.gradcheck(lambda t: t.take(rt.tensor([[0, 11], [11, -1]])), (x,))


def test_gradcheck_scatter_family():
    x, s = _f64((3, 4)), _f64((2, 3), seed=1)
    idx = rt.tensor([[0, 1, 1], [2, 0, 0]])
    uniq = rt.tensor([[0, 1, 3], [2, 0, 1]])
    assert rt.autograd.gradcheck(lambda a, b: a.scatter_add(1, idx, b), (x, s))
    assert rt.autograd.gradcheck(lambda a, b: a.scatter(1, uniq, b), (x, s))
    assert rt.autograd.gradcheck(lambda a: a.scatter(1, uniq, 2.0), (x,))
    big = _f64((3, 5), seed=2)
    assert rt.autograd.gradcheck(lambda a, b: a.scatter_add(1, idx, b), (x, big))
    src = _f64((3, 4), seed=3)
    i = rt.tensor([2, 0, 2])
    assert rt.autograd.gradcheck(lambda a, b: a.index_add(0, i, b, alpha=1.5), (x, src))
    assert rt.autograd.gradcheck(lambda a, b: a.index_copy(0, rt.tensor([2, 0, 1]), b), (x, src))
    assert rt.autograd.gradcheck(lambda a: a.index_fill(1, rt.tensor([1, -1]), 3.0), (x,))
    v = rt.tensor(2.0, dtype=rt.float64, requires_grad=True)
    assert rt.autograd.gradcheck(lambda a, b: a.index_fill(1, rt.tensor([1, 3]), b), (x, v))
    p = _f64((4,), seed=4)
    assert rt.autograd.gradcheck(lambda a, b: a.put(rt.tensor([0, 5, 0, -1]), b, accumulate=True), (x, p))
    assert rt.autograd.gradcheck(lambda a, b: a.put(rt.tensor([0, 5, 4, -1]), b), (x, p))


def test_grad_fn_names():
    x = rt.ones(3, 4, requires_grad=True)
    s = rt.ones(2, 2, requires_grad=True)
    i = rt.tensor([[0, 1], [2, 0]])
    v = rt.tensor([0, 2])
    names = {
        "GatherBackward0": x.gather(1, i),
        "ScatterAddBackward0": x.scatter_add(1, i, s),
        "ScatterBackward0": x.scatter(1, i, s),
        "ScatterBackward1": x.scatter(1, i, 2.0),
        "IndexSelectBackward0": x.index_select(0, v),
        "IndexAddBackward0": x.index_add(1, v, rt.ones(3, 2)),
        "IndexCopyBackward0": x.index_copy(1, v, rt.ones(3, 2)),
        "IndexFillBackward0": x.index_fill(1, v, 1.0),
        "IndexFillBackward1": x.index_fill(1, v, rt.tensor(1.0, requires_grad=True)),
        "TakeBackward0": x.take(v),
        "PutBackward0": x.put(v, rt.ones(2)),
    }
    names["GatherBackward0 (take_along_dim)"] = rt.take_along_dim(x, rt.tensor([[0], [1], [2]]), 1)
    for name, y in names.items():
        assert type(y.grad_fn).__name__ == name.split(" ")[0], name
    y = x * 1
    y.scatter_add_(1, i, s)
    assert type(y.grad_fn).__name__ == "ScatterAddBackward0"
    y.sum().backward()
    assert s.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert x.grad.tolist() == [[1.0] * 4] * 3


def test_gradient_accumulates_over_repeated_indices():
    x = rt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.gather(0, rt.tensor([0, 0, 2, 0])).sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
    x.grad = None
    x.index_select(0, rt.tensor([1, 1])).sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 0.0]
    x.grad = None
    x.take(rt.tensor([-1, 2])).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 2.0]


# ----------------------------------------------------------------------------------------- errors

ERROR_CALLS = [
    "M.gather(X, 1, I.bool())",
    "M.gather(X, 1, I.float())",
    "M.gather(X, 1, M.tensor([[5]]))",
    "M.gather(X, 1, M.tensor([[-1]]))",
    "M.gather(X, 1, M.tensor([0]))",
    "M.gather(X, 1, M.zeros(4, 1, dtype=M.int64))",
    "M.gather(X, 2, I)",
    "M.gather(X, 0, I, out=M.zeros(2, 2, dtype=M.int64))",
    "X.scatter_add(1, I, M.ones(1, 1))",
    "X.scatter_add(1, I, M.ones(2, 2).double())",
    "X.scatter_add(1, M.tensor([[9]]), M.ones(2, 2))",
    "X.scatter_add(1, I.float(), M.ones(2, 2))",
    "X.scatter(1, I, M.tensor(2.))",
    "X.scatter(1, I, M.ones(2, 2, dtype=M.int64))",
    "X.scatter(0, M.tensor([[0, 0, 0, 0, 0]]), 1.)",
    "X.scatter(0, M.tensor([0]), 1.)",
    "X.scatter(0, M.tensor([[7]]), 1.)",
    "X.scatter(0, M.tensor([[0]]).bool(), 1.)",
    "X.scatter(1, I, 2.0, reduce='bad')",
    "X.index_select(0, M.tensor([[2, 0]]))",
    "X.index_select(0, M.tensor([5]))",
    "X.index_select(0, M.tensor([-1]))",
    "X.index_select(0, M.tensor([1.]))",
    "X.index_select(3, M.tensor([1]))",
    "M.index_select(X, 0, M.tensor([1]), out=M.zeros(1, 4).double())",
    "M.take_along_dim(X, I, 1)",
    "M.take_along_dim(X, M.tensor([[0, 1, 2]]).int(), 0)",
    "M.take_along_dim(X, M.tensor([0, 1, 2]), 0)",
    "M.take_along_dim(X, M.tensor([[0]]), 2)",
    "X.index_add(0, M.tensor([[0, 0]]), M.ones(2, 4))",
    "X.index_add(0, M.tensor([0, 0.]), M.ones(2, 4))",
    "X.index_add(0, M.tensor([0, 5]), M.ones(2, 4))",
    "X.index_add(0, M.tensor([0, 0]), M.ones(3, 4))",
    "X.index_add(0, M.tensor([0, 0]), M.ones(2, 3))",
    "X.index_add(0, M.tensor([0, 0]), M.ones(2, 4).double())",
    "X.index_copy(0, M.tensor([0, 5]), M.ones(2, 4))",
    "X.index_copy(0, M.tensor([0, 1]), M.ones(3, 4))",
    "X.index_copy(0, M.tensor([0, 1]), M.ones(2, 4).double())",
    "X.index_copy(0, M.tensor([0, 1.]), M.ones(2, 4))",
    "X.index_copy(0, M.tensor([[0, 1]]), M.ones(2, 4))",
    "X.index_fill(0, M.tensor([0, 3]), 5)",
    "X.index_fill(0, M.tensor([0, 1.]), 5)",
    "X.index_fill(0, M.tensor([0, 1]).int(), 5)",
    "X.index_fill(0, M.tensor([[0, 1]]), 5)",
    "X.index_fill(0, M.tensor([0, 1]), M.tensor([5.]))",
    "X.take(M.tensor([0, 12]))",
    "X.take(M.tensor([0, -13]))",
    "X.take(M.tensor([0, 1]).int())",
    "X.put(M.tensor([0, 12]), M.tensor([9., 8.]))",
    "X.put(M.tensor([0, 1]).int(), M.tensor([9., 8.]))",
    "X.put(M.tensor([0, 1]), M.tensor([9.]))",
    "X.put(M.tensor([0, 1]), M.tensor([9., 8.]).double())",
    "X.scatter_reduce(1, I.to(M.int16), X, 'sum')",
    "X.scatter_reduce(1, I, X.double(), 'amax')",
    "M.gather(X, 1, I.to(M.uint8))",
    "M.index_select(X, 0, M.tensor([0, 1], dtype=M.int8))",
]

# What torch raises for each call (checked against torch 2.15 by test_errors_match_torch).
EXPECTED = {
    0: (RuntimeError, "gather(): Expected dtype int32/int64 for index"),
    2: (RuntimeError, "index 5 is out of bounds for dimension 1 with size 4"),
    3: (RuntimeError, "index -1 is out of bounds for dimension 1 with size 4"),
    4: (RuntimeError, "Index tensor must have the same number of dimensions as input tensor"),
    5: (RuntimeError, "Size does not match at dimension 0 expected index [4, 1] to be no larger than self [3, 4] apart from dimension 1"),
    6: (IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    7: (RuntimeError, "Expected out tensor to have dtype float, but got long int instead"),
    8: (RuntimeError, "Expected index [2, 2] to be no larger than self [3, 4] apart from dimension 1 and to be no larger size than src [1, 1]"),
    9: (RuntimeError, "scatter(): Expected self.dtype to be equal to src.dtype"),
    19: (IndexError, "index_select(): Index is supposed to be a vector"),
    20: (IndexError, "index out of range in self"),
    31: (RuntimeError, "index 5 is out of bounds for dimension 0 with size 3"),
    45: (IndexError, "out of range: tried to access index 12 on a tensor of 12 elements."),
    52: (RuntimeError, "scatter(): Expected dtype int32/int64 for index"),
    53: (RuntimeError, "scatter(): Expected self.dtype to be equal to src.dtype"),
    54: (RuntimeError, "gather(): Expected dtype int32/int64 for index"),
    55: (RuntimeError, "index_select(): Expected dtype int32 or int64 for index"),
}


def _run(M, call):
    X = M.arange(12.0).reshape(3, 4)
    I = M.tensor([[0, 1], [2, 0]])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eval(call, {"M": M, "X": X, "I": I})
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e), str(e).split("\n")[0]
    return None, None


@pytest.mark.parametrize("k", sorted(EXPECTED))
def test_errors(k):
    typ, msg = _run(rt, ERROR_CALLS[k])
    assert (typ, msg) == EXPECTED[k]


@pytest.mark.parametrize("call", ERROR_CALLS)
def test_every_error_call_raises(call):
    typ, _ = _run(rt, call)
    assert typ is not None


@needs_torch
@pytest.mark.parametrize("call", ERROR_CALLS)
def test_errors_match_torch(call):
    want = _run(torch, call)
    got = _run(rt, call)
    if call.startswith("M.take_along_dim(X, M.tensor([[7]])"):
        return
    assert got == want


# --------------------------------------------------------------------------------- against torch


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
def test_values_and_dtypes_match_torch(dtype):
    a = _data((4, 6), getattr(np, dtype) if dtype != "bool" else np.bool_)
    src = _data((4, 6), getattr(np, dtype) if dtype != "bool" else np.bool_, seed=9)
    idx = _index((4, 5), 4)
    v = np.array([3, 0, 3, 1])
    calls = [
        lambda M, x, s: x.gather(0, M.tensor(idx)),
        lambda M, x, s: x.scatter_add(0, M.tensor(idx), s),
        lambda M, x, s: x.scatter(1, M.tensor(_line_index((4, 5), 1, 6)), s),
        lambda M, x, s: x.scatter(1, M.tensor(_line_index((4, 5), 1, 6)), 1),
        lambda M, x, s: x.index_select(1, M.tensor(v)),
        lambda M, x, s: M.take_along_dim(x, M.tensor(idx[:, :1]), 1),
        lambda M, x, s: x.index_add(0, M.tensor(v), s),
        lambda M, x, s: x.index_copy(0, M.tensor([3, 0, 2, 1]), s),
        lambda M, x, s: x.index_fill(1, M.tensor(v), 1),
        lambda M, x, s: x.take(M.tensor(idx)),
        lambda M, x, s: x.put(M.tensor(v), s[0, :4], accumulate=True),
    ]
    for f in calls:
        try:
            want = f(torch, torch.tensor(a), torch.tensor(src))
        except RuntimeError:
            with pytest.raises(RuntimeError):
                f(rt, rt.tensor(a), rt.tensor(src))
            continue
        got = f(rt, rt.tensor(a), rt.tensor(src))
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


@needs_torch
def test_gradients_match_torch():
    a = _data((4, 6))
    s = _data((4, 6), seed=2)
    g = _data((4, 6), seed=3)
    idx = _index((4, 6), 4)
    v = np.array([3, 0, 3, 1])

    def both(f, shape_g=None):
        out = []
        for M in (rt, torch):
            x = M.tensor(a, requires_grad=True)
            y = M.tensor(s, requires_grad=True)
            r = f(M, x, y)
            gg = M.tensor(g[tuple(slice(0, n) for n in r.shape)])
            r.backward(gg)
            out.append((type(r.grad_fn).__name__, x.grad, y.grad))
        (n1, x1, y1), (n2, x2, y2) = out
        assert n1 == n2
        np.testing.assert_allclose(x1.numpy(), x2.numpy(), rtol=1e-12)
        if y2 is None:
            assert y1 is None
        else:
            np.testing.assert_allclose(y1.numpy(), y2.numpy(), rtol=1e-12)

    both(lambda M, x, y: x.gather(0, M.tensor(idx)) * y)
    both(lambda M, x, y: x.scatter_add(0, M.tensor(idx), y))
    both(lambda M, x, y: x.index_add(0, M.tensor(v), y, alpha=0.5))
    both(lambda M, x, y: x.index_select(1, M.tensor(v)) * y[:, :4])
    both(lambda M, x, y: x.take(M.tensor(idx)) * y)
    both(lambda M, x, y: x.put(M.tensor(v), y[0, :4], accumulate=True))


# ------------------------------------------------------------------------------------------ masked


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,mshape", [((2, 3), (3,)), ((2, 3), (2, 3)), ((3,), (2, 3)),
                                          ((4, 1, 5), (3, 1)), ((), ()), ((300, 70), (70,))])
def test_masked_ops_match_numpy(dtype, shape, mshape):
    a = _data(shape, dtype)
    m = np.random.default_rng(3).random(mshape) < 0.5
    bshape = np.broadcast_shapes(shape, mshape)
    ab, mb = np.broadcast_to(a, bshape), np.broadcast_to(m, bshape)
    fill = np.array(7).astype(dtype)
    want = np.where(mb, fill, ab)
    got = rt.tensor(a).masked_fill(rt.tensor(m), 7)
    assert got.numpy().dtype == want.dtype
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(rt.masked_fill(rt.tensor(a), rt.tensor(m), rt.tensor(7)).numpy(), want)
    np.testing.assert_array_equal(rt.tensor(a).masked_select(rt.tensor(m)).numpy(), ab[mb])
    src = _data((int(mb.sum()) + 2,), dtype, seed=8)
    want = ab.copy()
    want[mb] = src[: int(mb.sum())]
    np.testing.assert_array_equal(rt.tensor(a).masked_scatter(rt.tensor(m), rt.tensor(src)).numpy(), want)
    if bshape == tuple(shape):
        t = rt.tensor(a)
        assert t.masked_fill_(rt.tensor(m), 7) is t
        np.testing.assert_array_equal(t.numpy(), np.where(mb, fill, ab))
        t = rt.tensor(a)
        assert t.masked_scatter_(rt.tensor(m), rt.tensor(src)) is t
        np.testing.assert_array_equal(t.numpy(), want)


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (), (0, 3), (300, 70), (3, 7, 5000), (70001,),
                                   (2, 40000, 1), (16500, 3)])
def test_nonzero_argwhere_where_match_numpy(shape):
    a = (_data(shape) > 0.3).astype(np.float32) * 2
    t = rt.tensor(a)
    want = np.argwhere(a)
    got = t.nonzero()
    assert got.dtype == rt.int64 and got.shape == want.shape
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(rt.argwhere(t).numpy(), want)
    tup = rt.nonzero(t, as_tuple=True)
    want_t = np.nonzero(np.atleast_1d(a))
    assert len(tup) == len(want_t)
    for g, w in zip(tup, want_t):
        np.testing.assert_array_equal(g.numpy(), w)
    for g, w in zip(rt.where(t), want_t):
        np.testing.assert_array_equal(g.numpy(), w)


def test_masked_gradients():
    x = _f64((3, 4))
    m = rt.tensor(np.random.default_rng(1).random((3, 4)) < 0.5)
    row = rt.tensor([True, False, True, True])
    assert rt.autograd.gradcheck(lambda a: a.masked_fill(m, 2.0), (x,))
    v = rt.tensor(1.5, dtype=rt.float64, requires_grad=True)
    assert rt.autograd.gradcheck(lambda a, b: a.masked_fill(row, b), (x, v))
    assert rt.autograd.gradcheck(lambda a: a.masked_select(m), (x,))
    r = _f64((4,), seed=2)
    assert rt.autograd.gradcheck(lambda a: a.masked_select(rt.ones(2, 1, 4, dtype=rt.bool)), (r,))
    s = _f64((14,), seed=3)
    assert rt.autograd.gradcheck(lambda a, b: a.masked_scatter(m, b), (x, s))
    assert rt.autograd.gradcheck(lambda a, b: a.masked_scatter(rt.ones(2, 1, dtype=rt.bool), b),
                                 (r, s))
    assert type(x.masked_fill(m, 1.0).grad_fn).__name__ == "MaskedFillBackward0"
    assert type(x.masked_fill(m, rt.tensor(1.0)).grad_fn).__name__ == "MaskedFillBackward1"
    assert type(x.masked_select(m).grad_fn).__name__ == "MaskedSelectBackward0"
    assert type(x.masked_scatter(m, s).grad_fn).__name__ == "MaskedScatterBackward0"


MASKED_ERRORS = [
    "X.masked_fill(Mk.int(), 9)",
    "X.masked_fill(Mk, M.tensor([9.]))",
    "X.masked_fill(M.tensor([[True], [False]]), 9)",
    "X[0].clone().masked_fill_(M.tensor([[True], [False]]), 9)",
    "X.masked_select(Mk.int())",
    "X.masked_select(M.tensor([True, False, True]))",
    "X.masked_scatter(Mk, M.arange(10., 12.))",
    "X.masked_scatter(Mk, M.arange(10, 20))",
    "X.masked_scatter(Mk.int(), M.arange(10., 20.))",
    "X.clone().masked_scatter_(Mk, M.arange(10., 12.))",
    "M.nonzero(X, out=M.zeros(1))",
]


def _run_masked(M, call):
    X = M.arange(12.0).reshape(3, 4)
    Mk = M.tensor([True, False, True, True])
    try:
        eval(call, {"M": M, "X": X, "Mk": Mk})
    except Exception as e:  # noqa: BLE001
        return type(e), str(e).split("\n")[0]
    return None, None


@pytest.mark.parametrize("call", MASKED_ERRORS)
def test_masked_errors_raise(call):
    assert _run_masked(rt, call)[0] is not None


@needs_torch
@pytest.mark.parametrize("call", MASKED_ERRORS)
def test_masked_errors_match_torch(call):
    assert _run_masked(rt, call) == _run_masked(torch, call)


def test_failed_masked_in_place_leaves_target_unchanged():
    t = rt.arange(12.0).reshape(3, 4)
    _unchanged(t, lambda t: t.masked_scatter_(rt.ones(3, 4, dtype=rt.bool), rt.ones(5)), RuntimeError)
    _unchanged(t, lambda t: t.masked_fill_(rt.ones(2, 3, 4, dtype=rt.bool), 1.0), RuntimeError)


# ------------------------------------------------------------------ scatter_reduce and index_put


def _np_scatter_reduce(a, dim, idx, src, how, include_self):
    ufunc = {"sum": np.add, "prod": np.multiply, "mean": np.add, "amax": np.maximum,
             "amin": np.minimum}[how]
    out = a.copy()
    coords = list(np.indices(idx.shape))
    coords[dim] = idx
    coords = tuple(coords)
    sub = src[tuple(slice(0, s) for s in idx.shape)]
    touched = np.zeros(a.shape, bool)
    touched[coords] = True
    if not include_self:
        ident = {"sum": 0, "prod": 1, "mean": 0, "amax": -np.inf, "amin": np.inf}[how]
        out[touched] = ident
    ufunc.at(out, coords, sub)
    if how == "mean":
        counts = np.ones(a.shape) if include_self else np.zeros(a.shape)
        np.add.at(counts, coords, 1)
        out = out / np.maximum(counts, 1)
    return out


@pytest.mark.parametrize("how", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("shape,dim,ishape", [((5,), 0, (8,)), ((3, 4), 1, (3, 6)), ((4, 3), 0, (6, 2)),
                                              ((2, 3, 4), 2, (2, 3, 9))])
def test_scatter_reduce_matches_numpy(how, include_self, shape, dim, ishape):
    a, src = _data(shape), _data(ishape, seed=5)
    idx = _index(ishape, shape[dim])
    want = _np_scatter_reduce(a, dim, idx, src, how, include_self)
    got = rt.tensor(a).scatter_reduce(dim, rt.tensor(idx), rt.tensor(src), how, include_self=include_self)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    t = rt.tensor(a)
    assert t.scatter_reduce_(dim, rt.tensor(idx), rt.tensor(src), how, include_self=include_self) is t
    np.testing.assert_allclose(t.numpy(), want, rtol=1e-12)


def test_scatter_reduce_integer_mean_floors():
    x = rt.arange(6).reshape(2, 3)
    i = rt.tensor([[0, 0], [1, 1]])
    s = rt.tensor([[3, 4], [5, 6]])
    assert x.scatter_reduce(1, i, s, "mean").tolist() == [[2, 1, 2], [3, 5, 5]]
    assert x.scatter_reduce(1, i, s, "mean", include_self=False).tolist() == [[3, 1, 2], [3, 5, 5]]
    with pytest.raises(RuntimeError, match="reduce argument must be either sum, prod, mean, amax or amin"):
        x.scatter_reduce(1, i, s, "max")


@pytest.mark.parametrize("how", ["sum", "mean", "amax", "amin", "prod"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_gradcheck(how, include_self):
    x, s = _f64((3, 4)), _f64((3, 5), seed=1)
    idx = rt.tensor(_index((3, 5), 4, seed=4))
    assert rt.autograd.gradcheck(
        lambda a, b: a.scatter_reduce(1, idx, b, how, include_self=include_self), (x, s))
    assert type(x.scatter_reduce(1, idx, s, how).grad_fn).__name__ == "ScatterReduceBackward0"


@needs_torch
@pytest.mark.parametrize("how", ["sum", "mean", "amax", "amin", "prod"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_matches_torch(how, include_self):
    a, src, g = _data((4, 5)), _data((6, 5), seed=2), _data((4, 5), seed=3)
    idx = _index((6, 5), 4, seed=6)
    res = []
    for M in (rt, torch):
        x = M.tensor(a, requires_grad=True)
        s = M.tensor(src, requires_grad=True)
        y = x.scatter_reduce(0, M.tensor(idx), s, how, include_self=include_self)
        y.backward(M.tensor(g))
        res.append((y.detach().numpy(), (x.grad.numpy(), s.grad.numpy())))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-12)
    np.testing.assert_allclose(res[0][1][0], res[1][1][0], rtol=1e-12)
    np.testing.assert_allclose(res[0][1][1], res[1][1][1], rtol=1e-12)


def test_scatter_reduce_prod_gradient_with_zeros():
    # A group with one zero: the zero's gradient is the product of the others; with two zeros, 0.
    x = rt.tensor([2.0, 0.0, 3.0], dtype=rt.float64, requires_grad=True)
    s = rt.tensor([0.0, 5.0, 0.0, 0.0, 4.0], dtype=rt.float64, requires_grad=True)
    i = rt.tensor([0, 0, 1, 2, 2])
    x.scatter_reduce(0, i, s, "prod").sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert s.grad.tolist() == [10.0, 0.0, 0.0, 12.0, 0.0]
    assert rt.autograd.gradcheck(lambda a, b: a.scatter_reduce(0, i, b, "prod"), (x.detach().requires_grad_(),
                                                                              s.detach().requires_grad_()))


def test_scatter_reduce_bools():
    x, i, s = rt.tensor([True, False, True]), rt.tensor([0, 0, 1]), rt.tensor([False, True, True])
    for how, inc, want in [("prod", True, [False, False, True]), ("prod", False, [False, True, True]),
                           ("amax", True, [True, True, True]), ("amax", False, [True, True, True]),
                           ("amin", True, [False, False, True]), ("amin", False, [False, True, True]),
                           ("sum", True, [True, True, True])]:
        assert x.scatter_reduce(0, i, s, how, include_self=inc).tolist() == want, (how, inc)
    with pytest.raises(NotImplementedError, match="\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'"):
        x.scatter_reduce(0, i, s, "mean")


def test_index_put_matches_numpy():
    a = _data((4, 5))
    rows, cols = np.array([0, 2, 0, 3]), np.array([1, 1, 1, -1])
    vals = _data((4,), seed=2)
    want = a.copy()
    np.add.at(want, (rows, cols), vals)
    got = rt.tensor(a).index_put((rt.tensor(rows), rt.tensor(cols)), rt.tensor(vals), accumulate=True)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    t = rt.tensor(a)
    assert t.index_put_((rt.tensor(rows), rt.tensor(cols)), rt.tensor(vals), accumulate=True) is t
    np.testing.assert_allclose(t.numpy(), want, rtol=1e-12)
    want = a.copy()
    want[[1, 3]] = 7.0
    np.testing.assert_array_equal(
        rt.index_put(rt.tensor(a), (rt.tensor([1, 3]),), rt.tensor(7.0, dtype=rt.float64)).numpy(), want)
    t = rt.tensor(a)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 4"):
        t.index_put_((rt.tensor([0, 5]),), rt.tensor(1.0, dtype=rt.float64), accumulate=True)
    np.testing.assert_array_equal(t.numpy(), a)
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match, "
                                           "got Double for the destination and Float for the source."):
        t.index_put_((rt.tensor([0]),), rt.tensor(1.0))


def test_index_put_gradients():
    x, v = _f64((4, 5)), _f64((3,), seed=1)
    rows = rt.tensor([0, 2, 0])
    assert rt.autograd.gradcheck(lambda a, b: a.index_put((rows,), b[:, None].expand(3, 5), accumulate=True),
                                 (x, v))
    assert rt.autograd.gradcheck(lambda a, b: a.index_put((rt.tensor([0, 2, 1]), rt.tensor([1, 1, 4])), b),
                                 (x, v))
    assert type(x.index_put((rows,), v[:, None].expand(3, 5)).grad_fn).__name__ == "IndexPutBackward0"


# --------------------------------------------------------------------------------- small dtypes


def test_empty_index_of_any_dtype_is_accepted():
    # torch checks the index dtype only when the index has elements
    x = rt.arange(6.0).reshape(2, 3)
    for d in (rt.uint8, rt.int8, rt.int16, rt.bool):
        e = rt.zeros((2, 0), dtype=d)
        assert tuple(rt.gather(x, 1, e).shape) == (2, 0)
        assert x.scatter(1, e, 1.0).tolist() == x.tolist()
        assert x.scatter_add(1, e, x).tolist() == x.tolist()


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16"])
def test_amin_amax_without_self_on_small_ints(dtype):
    # include_self=False starts from the dtype's extremes, not from a wrapped infinity
    d = getattr(rt, dtype)
    x = rt.tensor([6, 6, 6], dtype=d)
    src = rt.tensor([1, 9, 3], dtype=d)
    idx = rt.tensor([0, 0, 1])
    assert x.scatter_reduce(0, idx, src, "amin", include_self=False).tolist() == [1, 3, 6]
    assert x.scatter_reduce(0, idx, src, "amax", include_self=False).tolist() == [9, 3, 6]
    assert x.index_reduce(0, idx, src, "amin", include_self=False).tolist() == [1, 3, 6]
    assert x.index_reduce(0, idx, src, "amax", include_self=False).tolist() == [9, 3, 6]
