"""Sequence ops (block_diag, cartesian_prod, combinations, diff, kron, vander, trapezoid/trapz,
cumulative_trapezoid): values, dtypes and shapes against numpy (and torch when installed),
gradients (gradcheck in float64 and torch's node names), out= where torch has it, and torch's
errors."""

import itertools

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

DTYPES = [np.float32, np.float64, np.int32, np.int64, np.bool_]


def _data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-5, 6, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _same(got, want, exact=True):
    want = np.array(want)
    assert got.dtype == rt.tensor(want).dtype
    assert tuple(got.shape) == want.shape
    if exact:
        np.testing.assert_array_equal(got.numpy(), want)
    else:
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)


# ---- block_diag -----------------------------------------------------------------------------

def _np_block_diag(*arrays):
    mats = [np.atleast_2d(a) if a.ndim < 2 else a for a in arrays]
    dtype = np.result_type(*arrays)
    out = np.zeros((sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)), dtype)
    r = c = 0
    for m in mats:
        out[r:r + m.shape[0], c:c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_block_diag_matches_numpy(dtype):
    parts = [_data((2, 3), dtype), _data((), dtype, 1), _data((4,), dtype, 2), _data((0, 2), dtype, 3),
             _data((3, 1), dtype, 4)]
    _same(rt.block_diag(*[rt.tensor(p) for p in parts]), _np_block_diag(*parts))


def test_block_diag_promotes_and_handles_strides_and_errors():
    a, b = np.ones((2, 3), np.int32), np.array([True, False])
    c = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    got = rt.block_diag(rt.tensor(a), rt.tensor(b), rt.tensor(c).t())
    _same(got, _np_block_diag(a.astype(np.float32), b.astype(np.float32), c.T.astype(np.float32)))
    _same(rt.block_diag(rt.tensor(a), rt.tensor(b)), _np_block_diag(a, b.astype(np.int32)))
    _same(rt.block_diag(rt.zeros(0), rt.ones(2, 2)), np.vstack([np.zeros((1, 2)), np.ones((2, 2))]).astype(np.float32))
    with pytest.raises(RuntimeError, match="torch.block_diag: Input tensors must have 2 or fewer dimensions. Input 1 has 3 dimensions"):
        rt.block_diag(rt.ones(2), rt.ones(2, 2, 2))


# ---- cartesian_prod, combinations -----------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_cartesian_prod_matches_itertools(dtype):
    a, b, c = _data((3,), dtype), _data((2,), dtype, 1), _data((4,), dtype, 2)
    _same(rt.cartesian_prod(rt.tensor(a), rt.tensor(b), rt.tensor(c)),
          np.array(list(itertools.product(a, b, c)), dtype=dtype).reshape(-1, 3))
    t = rt.tensor(a)
    assert rt.cartesian_prod(t) is t
    _same(rt.cartesian_prod(rt.tensor(a), rt.tensor(a[:0])), np.zeros((0, 2), dtype))


def test_cartesian_prod_errors():
    with pytest.raises(RuntimeError, match=r"Expect a 1D vector, but got shape \[3, 4\]"):
        rt.cartesian_prod(rt.ones(3), rt.ones(3, 4))
    with pytest.raises(RuntimeError, match="meshgrid expects all tensors to have the same dtype"):
        rt.cartesian_prod(rt.ones(3), rt.ones(3, dtype=rt.int64))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n,r,rep", [(4, 2, False), (4, 3, False), (4, 1, False), (4, 5, False), (4, 2, True),
                                     (3, 4, True), (0, 2, False), (0, 2, True), (5, 5, False), (1, 3, True)])
def test_combinations_match_itertools(n, r, rep, dtype):
    a = _data((n,), dtype)
    gen = itertools.combinations_with_replacement if rep else itertools.combinations
    want = np.array(list(gen(a, r)), dtype=dtype).reshape(-1, r)
    _same(rt.combinations(rt.tensor(a), r, rep), want)
    _same(rt.combinations(rt.tensor(a), r=r, with_replacement=rep), want)


def test_combinations_edges_and_errors():
    _same(rt.combinations(rt.arange(4.0), 0), np.zeros(0, np.float32))
    with pytest.raises(RuntimeError, match="Expect a non-negative number, but got -1"):
        rt.combinations(rt.arange(4.0), -1)
    with pytest.raises(RuntimeError, match=r"Expect a 1D vector, but got shape \[\]"):
        rt.combinations(rt.tensor(1.0))
    with pytest.raises(RuntimeError):
        rt.combinations(rt.arange(100.0), 60, True)


# ---- diff -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,n,dim", [((7,), 1, -1), ((7,), 3, 0), ((3, 5), 1, 0), ((3, 5), 2, -1),
                                         ((3, 5), 9, 1), ((2, 3, 4), 1, 1), ((3, 5), 0, 1), ((0, 3), 1, 0)])
def test_diff_matches_numpy(shape, n, dim, dtype):
    a = _data(shape, dtype)
    _same(rt.diff(rt.tensor(a), n, dim), np.diff(a, n, axis=dim))
    _same(rt.tensor(a).diff(n=n, dim=dim), np.diff(a, n, axis=dim))


def test_diff_prepend_append_out_and_errors():
    a = _data((3, 4), np.float32)
    p, q = _data((3, 2), np.float32, 1), _data((3, 1), np.float32, 2)
    _same(rt.diff(rt.tensor(a), prepend=rt.tensor(p), append=rt.tensor(q)), np.diff(a, prepend=p, append=q))
    i = np.array([1, 5, 2], np.int32)
    _same(rt.diff(rt.tensor(i), prepend=rt.tensor([1.5])), np.diff(i, prepend=np.float32(1.5)).astype(np.float32))
    out = rt.empty(3, 3)
    assert rt.diff(rt.tensor(a), out=out) is out
    _same(out, np.diff(a))
    x = rt.tensor(a)
    with pytest.raises(RuntimeError, match="order must be non-negative but got -1"):
        x.diff(-1)
    with pytest.raises(RuntimeError, match="diff expects input to be at least one-dimensional"):
        rt.tensor(1.0).diff()
    with pytest.raises(RuntimeError, match="diff expects prepend or append to be the same dimension as input"):
        x.diff(dim=0, prepend=rt.ones(4))
    with pytest.raises(RuntimeError, match=r"input.size\(1\) = 4, but got tensor.size\(1\) = 5"):
        x.diff(dim=0, prepend=rt.ones(1, 5))
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.diff(dim=2)


# ---- kron, vander ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sa,sb", [((2, 3), (3, 2)), ((3,), (4,)), ((2, 3), (4,)), ((), (3,)), ((2, 1, 3), (2, 2)),
                                   ((0, 2), (2, 2))])
def test_kron_matches_numpy(sa, sb, dtype):
    a, b = _data(sa, dtype), _data(sb, dtype, 1)
    _same(rt.kron(rt.tensor(a), rt.tensor(b)), np.kron(a, b))
    _same(rt.tensor(a).kron(rt.tensor(b)), np.kron(a, b))


def test_kron_promotes_and_out():
    a, b = np.arange(4, dtype=np.int32).reshape(2, 2), np.array([0.5, 2.0])
    _same(rt.kron(rt.tensor(a), rt.tensor(b, dtype=rt.float32)), np.kron(a, b).astype(np.float32))
    out = rt.empty(4, 4, dtype=rt.int32)
    assert rt.kron(rt.tensor(a), rt.tensor(a), out=out) is out
    _same(out, np.kron(a, a))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.bool_])
@pytest.mark.parametrize("n", [None, 0, 1, 2, 5])
@pytest.mark.parametrize("increasing", [False, True])
def test_vander_matches_numpy(n, increasing, dtype):
    x = _data((4,), dtype)
    floating = np.issubdtype(dtype, np.floating)
    want = np.vander(x if floating else x.astype(np.int64), n, increasing).astype(dtype if floating else np.int64)
    _same(rt.vander(rt.tensor(x), n, increasing), want, exact=not floating)


def test_vander_errors():
    with pytest.raises(RuntimeError, match="x must be a one-dimensional tensor."):
        rt.vander(rt.ones(2, 2))
    with pytest.raises(RuntimeError, match="N must be non-negative."):
        rt.vander(rt.ones(2), -1)


# ---- trapezoid, cumulative_trapezoid --------------------------------------------------------

def _np_cumtrapz(y, x=None, dx=1.0, axis=-1):
    y = np.moveaxis(y, axis, -1)
    if x is None:
        steps = dx * (y[..., 1:] + y[..., :-1]) / 2
    else:
        x = np.moveaxis(np.asarray(x), axis, -1) if np.ndim(x) > 1 else np.asarray(x)
        steps = np.diff(x, axis=-1) * (y[..., 1:] + y[..., :-1]) / 2
    return np.moveaxis(np.cumsum(steps, -1), -1, axis)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("shape,dim", [((6,), -1), ((3, 5), 0), ((3, 5), -1), ((2, 3, 4), 1)])
def test_trapezoid_matches_numpy(shape, dim, dtype):
    y = _data(shape, dtype)
    x = np.sort(_data((shape[dim],), np.float64, 3)).astype(np.float32 if dtype != np.float64 else dtype)
    fdt = np.float64 if dtype == np.float64 else np.float32
    _same(rt.trapezoid(rt.tensor(y), dim=dim), np.trapezoid(y.astype(fdt), axis=dim).astype(fdt), exact=False)
    _same(rt.trapezoid(rt.tensor(y), dx=0.5, dim=dim), np.trapezoid(y.astype(fdt), dx=0.5, axis=dim).astype(fdt), exact=False)
    _same(rt.trapz(rt.tensor(y), dx=2, dim=dim), np.trapezoid(y.astype(fdt), dx=2, axis=dim).astype(fdt), exact=False)
    _same(rt.trapezoid(rt.tensor(y), rt.tensor(x), dim=dim), np.trapezoid(y.astype(fdt), x, axis=dim).astype(fdt), exact=False)
    _same(rt.cumulative_trapezoid(rt.tensor(y), dim=dim), _np_cumtrapz(y.astype(fdt), axis=dim).astype(fdt), exact=False)
    _same(rt.cumulative_trapezoid(rt.tensor(y), rt.tensor(x), dim=dim),
          _np_cumtrapz(y.astype(fdt), x, axis=dim).astype(fdt), exact=False)


def test_trapezoid_edges_and_errors():
    _same(rt.trapezoid(rt.ones(3, 0)), np.zeros(3, np.float32))
    _same(rt.cumulative_trapezoid(rt.ones(3, 0)), np.zeros((3, 0), np.float32))
    with pytest.raises(IndexError, match="Dimension specified as -1 but tensor has no dimensions"):
        rt.trapezoid(rt.tensor(1.0))
    with pytest.raises(RuntimeError, match="trapezoid: Currently, we only support dx as a real number."):
        rt.trapezoid(rt.ones(3), dx=True)
    with pytest.raises(NotImplementedError, match="trapezoid: received a bool input for `y`, but bool is not supported"):
        rt.trapezoid(rt.ones(3, dtype=rt.bool))
    with pytest.raises(RuntimeError, match="trapezoid: There must be one `x` value for each sample point"):
        rt.trapezoid(rt.ones(3, 4), rt.ones(3))
    with pytest.raises(IndexError, match="slice"):
        rt.cumulative_trapezoid(rt.tensor(1.0))


# ---- gradients and torch ---------------------------------------------------------------------

def _cases(lib):
    return [
        ("block_diag", lambda a, b: lib.block_diag(a, b[0], b[1, :2]), "BlockDiagBackward0"),
        ("cartesian_prod", lambda a, b: lib.cartesian_prod(a[0], b[1]), "StackBackward0"),
        ("combinations", lambda a, b: lib.combinations(a[1], 2), "IndexBackward0"),
        ("combinations_rep", lambda a, b: lib.combinations(b[0], 3, True), "IndexBackward0"),
        ("diff", lambda a, b: lib.diff(a, 2, 0, prepend=b[:1, :4]), "SubBackward0"),
        ("kron", lambda a, b: lib.kron(a, b), "UnsafeViewBackward0"),
        ("vander", lambda a, b: lib.vander(a[0], 3), "FlipBackward0"),
        ("trapezoid_x", lambda a, b: lib.trapezoid(a, b[0, :4]), "DivBackward1"),
        ("trapezoid_dx", lambda a, b: lib.trapezoid(a, dx=0.5, dim=0), "MulBackward1"),
        ("trapz", lambda a, b: lib.trapz(a, dx=2.0), "MulBackward1"),
        ("cumulative_trapezoid_x", lambda a, b: lib.cumulative_trapezoid(a, b[0, :4]), "DivBackward1"),
        ("cumulative_trapezoid_dx", lambda a, b: lib.cumulative_trapezoid(a, dim=0), "CumsumBackward0"),
    ]


CASE_IDS = [c[0] for c in _cases(rt)]


@pytest.mark.parametrize("i", range(len(CASE_IDS)), ids=CASE_IDS)
def test_gradcheck_and_node_names(i):
    name, fn, node = _cases(rt)[i]
    a = rt.tensor(_data((3, 4), np.float64), requires_grad=True)
    b = rt.tensor(_data((2, 5), np.float64, 1), requires_grad=True)
    y = fn(a, b)
    assert y.grad_fn.name() == node
    assert rt.autograd.gradcheck(fn, (a, b))


@needs_torch
@pytest.mark.parametrize("i", range(len(CASE_IDS)), ids=CASE_IDS)
def test_matches_torch(i):
    (name, fn, _), (_, tfn, _) = _cases(rt)[i], _cases(torch)[i]
    a0, b0 = _data((3, 4), np.float64), _data((2, 5), np.float64, 1)
    a, b = rt.tensor(a0, requires_grad=True), rt.tensor(b0, requires_grad=True)
    ta, tb = torch.tensor(a0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    y, ty = fn(a, b), tfn(ta, tb)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert y.grad_fn.name() == ty.grad_fn.name()
    w = _data(tuple(ty.shape), np.float64, 2)
    (y * rt.tensor(w)).sum().backward()
    try:
        (ty * torch.tensor(w)).sum().backward()
    except RuntimeError as e:
        # torch's vander takes a cumprod in place over the tensor it saved for backward, so its
        # own backward fails ("modified by an inplace operation"); rtensor's is gradchecked.
        assert name == "vander" and "inplace operation" in str(e)
        return
    for got, want in [(a.grad, ta.grad), (b.grad, tb.grad)]:
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-14)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_dtypes_match_torch(dtype):
    a, b = _data((3, 4), dtype), _data((4,), dtype, 1)
    fns = [lambda L, x, v: L.block_diag(x, v), lambda L, x, v: L.cartesian_prod(v, v),
           lambda L, x, v: L.combinations(v, 2), lambda L, x, v: L.diff(x),
           lambda L, x, v: L.kron(x, v), lambda L, x, v: L.vander(v)]
    if dtype != np.bool_:
        fns += [lambda L, x, v: L.trapezoid(x), lambda L, x, v: L.trapezoid(x, v),
                lambda L, x, v: L.cumulative_trapezoid(x, dx=2)]
    for fn in fns:
        got, want = fn(rt, rt.tensor(a), rt.tensor(b)), fn(torch, torch.tensor(a), torch.tensor(b))
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        np.testing.assert_allclose(got.numpy().astype(np.float64), want.numpy().astype(np.float64), rtol=1e-6)


@needs_torch
def test_vander_increasing_records_copy_slices():
    v = rt.tensor([1.0, 2.0, 3.0], dtype=rt.float64, requires_grad=True)
    tv = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    y, ty = rt.vander(v, 3, True), torch.vander(tv, 3, True)
    assert y.grad_fn.name().endswith("CopySlices") and ty.grad_fn.name().endswith("CopySlices")
    y.sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), [0.0 + 1 + 2 * 1, 1 + 2 * 2, 1 + 2 * 3])
    assert rt.vander(v, 1).grad_fn is None
    assert rt.autograd.gradcheck(lambda t: rt.vander(t, 4, True), (v,))
