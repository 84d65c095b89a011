"""The BLAS-like products and "other" linear-algebra ops: addmm, addmv, addr, baddbmm, addbmm (beta,
alpha, broadcasting, in-place and out=), chain_matmul / linalg.multi_dot, inner, vdot, ger,
matrix_power, linalg.vecdot, tensordot, cdist (every compute_mode and p), cov, corrcoef, cross /
linalg.cross and renorm: values against numpy (and torch when installed), dtypes, gradients
(gradcheck in float64 and torch's node names) and torch's errors."""

import warnings

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")


def _data(shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-5, 6, shape).astype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    return rng.standard_normal(shape).astype(dtype)


def _close(got, want, dtype=np.float32):
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64),
                               rtol=tol, atol=tol)


def _both(fn, *arrays, grad=False):
    """Runs `fn(lib, *tensors)` with rtensor and torch; returns both results (or exceptions)."""
    out = []
    for lib in (rt, torch):
        ts = [lib.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(fn(lib, *ts))
        except Exception as e:  # noqa: BLE001 - compared below
            out.append(e)
    return out


def _same(fn, *arrays, grad=False):
    r, t = _both(fn, *arrays, grad=grad)
    if isinstance(t, Exception):
        assert isinstance(r, Exception), f"torch raised {t!r}, rtensor returned"
        assert type(r).__name__ == type(t).__name__, (r, t)
        assert str(r) == str(t), (str(r), str(t))
        return
    assert not isinstance(r, Exception), f"rtensor raised {r!r}"
    assert str(r.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert tuple(r.shape) == tuple(t.shape)
    kind = np.float64 if t.dtype == torch.float64 else np.float32
    _close(r.detach().numpy(), t.detach().numpy(), kind)
    if grad:
        # rtensor names torch's `torch::autograd::CopyBackwards` without its namespace.
        want = t.grad_fn.name().replace("torch::autograd::", "") if t.grad_fn else None
        assert (r.grad_fn.name() if r.grad_fn else None) == want


# --- addmm family -----------------------------------------------------------------------------

ADD_CASES = [
    ("addmm", (2, 4), (2, 3), (3, 4)),
    ("addmm", (4,), (2, 3), (3, 4)),
    ("addmm", (), (5, 7), (7, 2)),
    ("addmv", (2,), (2, 3), (3,)),
    ("addmv", (1,), (2, 3), (3,)),
    ("addr", (2, 3), (2,), (3,)),
    ("addr", (3,), (2,), (3,)),
    ("baddbmm", (5, 2, 4), (5, 2, 3), (5, 3, 4)),
    ("baddbmm", (2, 4), (5, 2, 3), (5, 3, 4)),
    ("addbmm", (2, 4), (5, 2, 3), (5, 3, 4)),
    ("addbmm", (1, 4), (5, 2, 3), (5, 3, 4)),
]


def _np_add(op, i, a, b, beta, alpha):
    if op == "addmm":
        p = a @ b
    elif op == "addmv":
        p = a @ b
    elif op == "addr":
        p = np.outer(a, b)
    elif op == "baddbmm":
        p = a @ b
    else:
        p = (a @ b).sum(0)
    return (0 if beta == 0 else beta * i) + alpha * p


@pytest.mark.parametrize("op,si,sa,sb", ADD_CASES)
@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1), (2, 0)])
def test_add_products_match_numpy(op, si, sa, sb, beta, alpha):
    i, a, b = _data(si, seed=1), _data(sa, seed=2), _data(sb, seed=3)
    got = getattr(rt, op)(rt.tensor(i), rt.tensor(a), rt.tensor(b), beta=beta, alpha=alpha)
    _close(got.numpy(), _np_add(op, i, a, b, beta, alpha))
    m = getattr(rt.tensor(i), op)(rt.tensor(a), rt.tensor(b), beta=beta, alpha=alpha)
    _close(m.numpy(), got.numpy())


@pytest.mark.parametrize("op,si,sa,sb", ADD_CASES)
def test_beta_zero_ignores_nan_input(op, si, sa, sb):
    i = np.full(si, np.nan, np.float32)
    a, b = _data(sa, seed=2), _data(sb, seed=3)
    got = getattr(rt, op)(rt.tensor(i), rt.tensor(a), rt.tensor(b), beta=0)
    assert not np.isnan(got.numpy()).any()


@pytest.mark.parametrize("op,si,sa,sb", ADD_CASES)
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_add_products_of_integers(op, si, sa, sb, dtype):
    i, a, b = _data(si, dtype, 1), _data(sa, dtype, 2), _data(sb, dtype, 3)
    got = getattr(rt, op)(rt.tensor(i), rt.tensor(a), rt.tensor(b), beta=2, alpha=3)
    assert got.dtype == rt.tensor(i).dtype
    np.testing.assert_array_equal(got.numpy(), _np_add(op, i, a, b, 2, 3))


@pytest.mark.parametrize("op,si,sa,sb", ADD_CASES)
def test_add_products_in_place_and_out(op, si, sa, sb):
    a, b = _data(sa, seed=2), _data(sb, seed=3)
    full = _np_add(op, np.zeros(1, np.float32), a, b, 1, 1).shape
    i = _data(full, seed=4)
    x = rt.tensor(i)
    r = getattr(x, op + "_")(rt.tensor(a), rt.tensor(b), beta=0.5, alpha=2)
    assert r is x
    _close(x.numpy(), _np_add(op, i, a, b, 0.5, 2))
    out = rt.empty(*full)
    r = getattr(rt, op)(rt.tensor(i), rt.tensor(a), rt.tensor(b), out=out)
    assert r is out
    _close(out.numpy(), _np_add(op, i, a, b, 1, 1))


@pytest.mark.parametrize("op,si,sa,sb", ADD_CASES)
def test_add_products_gradcheck(op, si, sa, sb):
    ts = [rt.tensor(_data(s, np.float64, k), requires_grad=True) for k, s in enumerate((si, sa, sb))]
    fn = getattr(rt, op)
    assert rt.autograd.gradcheck(lambda i, a, b: fn(i, a, b, beta=0.7, alpha=-1.3), tuple(ts))


@needs_torch
@pytest.mark.parametrize("op,si,sa,sb", ADD_CASES)
def test_add_products_match_torch(op, si, sa, sb):
    arrays = [_data(s, seed=k) for k, s in enumerate((si, sa, sb))]
    _same(lambda lib, i, a, b: getattr(lib, op)(i, a, b, beta=0.5, alpha=1.5), *arrays, grad=True)
    ints = [_data(s, np.int64, k) for k, s in enumerate((si, sa, sb))]
    _same(lambda lib, i, a, b: getattr(lib, op)(i, a, b, beta=1.7, alpha=2.5), *ints)
    _same(lambda lib, i, a, b: getattr(lib, op)(i, a, b, alpha=True), *ints)


@needs_torch
@pytest.mark.parametrize("fn,shapes", [
    (lambda lib, i, a, b: lib.addmm(i, a, b), [(4,), (2, 3), (4, 5)]),
    (lambda lib, i, a, b: lib.addmm(i, a, b), [(3,), (2, 3), (3, 4)]),
    (lambda lib, i, a, b: lib.addmm(i, a, b), [(4,), (3,), (3, 4)]),
    (lambda lib, i, a, b: lib.addmm(i, a, b), [(4,), (2, 3), (2, 3, 4)]),
    (lambda lib, i, a, b: lib.addmv(i, a, b), [(3,), (2, 3), (4,)]),
    (lambda lib, i, a, b: lib.addmv(i, a, b), [(3,), (2, 3), (3,)]),
    (lambda lib, i, a, b: lib.addmv(i, a, b), [(3,), (3,), (3,)]),
    (lambda lib, i, a, b: lib.addr(i, a, b), [(2, 3), (2, 1), (3,)]),
    (lambda lib, i, a, b: lib.addbmm(i, a, b), [(2, 4), (5, 2, 3), (4, 3, 4)]),
    (lambda lib, i, a, b: lib.addbmm(i, a, b), [(2, 4), (5, 2, 3), (5, 4, 4)]),
    (lambda lib, i, a, b: lib.addbmm(i, a, b), [(3, 4), (5, 2, 3), (5, 3, 4)]),
    (lambda lib, i, a, b: lib.baddbmm(i, a, b), [(5, 2, 4), (5, 2, 3), (4, 3, 4)]),
    (lambda lib, i, a, b: lib.baddbmm(i, a, b), [(5, 2, 4), (5, 2, 3), (5, 4, 4)]),
    (lambda lib, i, a, b: lib.baddbmm(i, a, b), [(3, 4), (5, 2, 3), (5, 3, 4)]),
])
def test_add_product_shape_errors_match_torch(fn, shapes):
    _same(fn, *[_data(s) for s in shapes])


@needs_torch
@pytest.mark.parametrize("op,si,sa,sb", ADD_CASES)
@pytest.mark.parametrize("dtypes", [(np.float64, np.float32, np.float32), (np.float32, np.float64, np.float32),
                                    (np.float32, np.float32, np.float64), (np.float32, np.int64, np.int64)])
def test_add_product_dtype_errors_match_torch(op, si, sa, sb, dtypes):
    arrays = [_data(s, d, k) for k, (s, d) in enumerate(zip((si, sa, sb), dtypes))]
    _same(lambda lib, i, a, b: getattr(lib, op)(i, a, b), *arrays)


@needs_torch
def test_addr_refuses_float_factors_for_integers_and_bool_factors():
    i, a, b = _data((2, 3), np.int64), _data((2,), np.int64), _data((3,), np.int64)
    _same(lambda lib, i, a, b: lib.addr(i, a, b, beta=2.5), i, a, b)
    _same(lambda lib, i, a, b: lib.addr(i, a, b, alpha=0.5), i, a, b)
    _same(lambda lib, i, a, b: lib.addr(i, a, b, alpha=True), i, a, b)
    bools = [_data(s, np.bool_, k) for k, s in enumerate(((2, 3), (2,), (3,)))]
    _same(lambda lib, i, a, b: lib.addr(i, a, b), *bools)
    _same(lambda lib, i, a, b: lib.addr(i, a, b, beta=False, alpha=2), *bools)
    _same(lambda lib, i, a, b: lib.addr(i, a, b), _data((2, 3)), a, b)
    _same(lambda lib, i, a, b: lib.addmm(i, a, b), *[_data(s, np.bool_) for s in ((4,), (2, 3), (3, 4))])


# --- chains, inner products, powers -----------------------------------------------------------

def _chain(shapes, dtype=np.float32):
    return [_data(s, dtype, k) for k, s in enumerate(shapes)]


CHAINS = [
    [(3, 4), (4, 5)],
    [(2, 30), (30, 4), (4, 50)],
    [(30, 2), (2, 40), (40, 3)],
    [(5, 6), (6, 2), (2, 9), (9, 3), (3, 7)],
    [(4,), (4, 3), (3, 5)],
    [(4, 3), (3, 5), (5,)],
    [(4,), (4, 3), (3,)],
    [(4,), (4,)],
]


@pytest.mark.parametrize("shapes", CHAINS)
def test_multi_dot_matches_numpy(shapes):
    arrays = _chain(shapes)
    got = rt.linalg.multi_dot([rt.tensor(a) for a in arrays])
    _close(got.numpy(), np.linalg.multi_dot(arrays))


@pytest.mark.parametrize("shapes", CHAINS[:4])
def test_chain_matmul_and_gradcheck(shapes):
    arrays = _chain(shapes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = rt.chain_matmul(*[rt.tensor(a) for a in arrays])
    _close(got.numpy(), np.linalg.multi_dot(arrays))
    ts = tuple(rt.tensor(a, requires_grad=True) for a in _chain(shapes, np.float64))
    assert rt.autograd.gradcheck(lambda *t: rt.linalg.multi_dot(list(t)), ts)


@needs_torch
@pytest.mark.parametrize("shapes", CHAINS + [[(3, 3)], [], [(2, 3, 4), (4, 3)], [(3,), (3, 3, 2)],
                                              [(3,), (3,), (3,)], [(3, 3), (4, 3)], [(3, 3), (3, 3), (4, 3)]])
def test_multi_dot_matches_torch(shapes):
    arrays = _chain(shapes)
    _same(lambda lib, *ts: lib.linalg.multi_dot(list(ts)), *arrays, grad=True)


@needs_torch
@pytest.mark.parametrize("shapes", [[(3, 3)], [(3, 3), (3, 3)], [(2, 5), (5, 3), (3, 4)], [(3,)],
                                    [(3, 3), (4, 3)]])
def test_chain_matmul_matches_torch(shapes):
    _same(lambda lib, *ts: lib.chain_matmul(*ts), *_chain(shapes), grad=True)


@needs_torch
@pytest.mark.parametrize("sa,sb", [((2, 3), (4, 3)), ((3,), (3,)), ((2, 3), ()), ((3,), (2, 3)),
                                   ((2, 3), (4,)), ((2, 2, 3), (5, 3))])
def test_inner_matches_torch(sa, sb):
    a, b = _data(sa, seed=1), _data(sb, seed=2)
    _same(lambda lib, a, b: lib.inner(a, b), a, b, grad=True)
    _same(lambda lib, a, b: a.inner(b), a, b)
    if sa and sb and sa[-1] == sb[-1]:
        _close(rt.inner(rt.tensor(a), rt.tensor(b)).numpy(), np.inner(a, b))


@needs_torch
@pytest.mark.parametrize("sa,sb,da,db", [((3,), (3,), np.float32, np.float32), ((2, 3), (3,), np.float32, np.float32),
                                         ((3,), (4,), np.float32, np.float32), ((3,), (3,), np.float32, np.float64),
                                         ((3,), (3,), np.int64, np.int64)])
def test_vdot_and_ger_match_torch(sa, sb, da, db):
    a, b = _data(sa, da, 1), _data(sb, db, 2)
    _same(lambda lib, a, b: lib.vdot(a, b), a, b, grad=True)
    _same(lambda lib, a, b: a.vdot(b), a, b)
    _same(lambda lib, a, b: lib.ger(a, b), a, b, grad=True)
    _same(lambda lib, a, b: a.ger(b), a, b)


@needs_torch
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (3,), (2, 3), (0, 0)])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7])
def test_matrix_power_matches_torch(shape, n):
    a = _data(shape) * 0.5
    _same(lambda lib, a: lib.matrix_power(a, n), a, grad=True)
    _same(lambda lib, a: a.matrix_power(n), a)
    _same(lambda lib, a: lib.linalg.matrix_power(a, n), _data(shape, np.int64))


def test_matrix_power_values_and_negative_powers():
    a = _data((3, 3)) * 0.5
    _close(rt.matrix_power(rt.tensor(a), 6).numpy(), np.linalg.matrix_power(a, 6))
    for n in (-1, -2, -3, -6):
        _close(rt.matrix_power(rt.tensor(a.astype(np.float64)), n).numpy(),
               np.linalg.matrix_power(a.astype(np.float64), n), np.float64)
    with pytest.raises(rt.linalg.LinAlgError, match="The diagonal element 2 is zero"):
        rt.matrix_power(rt.tensor([[1.0, 2.0], [2.0, 4.0]]), -1)
    with pytest.raises(NotImplementedError, match="linalg.inv: Expected a floating point"):
        rt.matrix_power(rt.tensor([[1, 2], [3, 4]]), -1)
    x = rt.tensor(_data((2, 3, 3), np.float64), requires_grad=True)
    assert rt.autograd.gradcheck(lambda t: rt.matrix_power(t, 5), (x,))
    assert rt.autograd.gradcheck(lambda t: rt.matrix_power(t, -3), (x,))


def test_matrix_power_negative_graph_is_torchs():
    x = rt.tensor(_data((3, 3), np.float64) + 3 * np.eye(3), requires_grad=True)
    assert type(rt.matrix_power(x, 1).grad_fn).__name__ == "CloneBackward0"
    assert type(rt.matrix_power(x, -1).grad_fn).__name__ == "LinalgInvExBackward0"
    y = rt.matrix_power(x, -2).grad_fn
    assert type(y).__name__ == "MmBackward0"
    assert [type(f).__name__ for f, _ in y.next_functions] == ["LinalgInvExBackward0"] * 2


@needs_torch
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (0, 0)])
@pytest.mark.parametrize("n", [-1, -2, -3, -5])
def test_matrix_power_negative_matches_torch(shape, n):
    a = _data(shape, np.float64) + 4 * np.eye(shape[-1])
    _same(lambda lib, a: lib.matrix_power(a, n), a, grad=True)


@needs_torch
@pytest.mark.parametrize("sa,sb,dim,da", [((2, 3), (3,), -1, np.float32), ((2, 3), (2, 3), 0, np.float32),
                                          ((2, 3), (4, 3), 0, np.float32), ((3,), (3,), -1, np.int64),
                                          ((2, 3), (3,), 5, np.float32), ((2, 3), (2, 3), -1, np.float64),
                                          ((3,), (3,), 0, np.float64), ((0,), (0,), -1, np.float32)])
def test_vecdot_matches_torch(sa, sb, dim, da):
    a, b = _data(sa, da, 1), _data(sb, da, 2)
    _same(lambda lib, a, b: lib.linalg.vecdot(a, b, dim=dim), a, b, grad=True)


@needs_torch
def test_vecdot_dtype_error():
    _same(lambda lib, a, b: lib.linalg.vecdot(a, b), _data((3,)), _data((3,), np.float64))


@needs_torch
@pytest.mark.parametrize("sa,sb,dims", [((2, 3), (3, 4), 1), ((2, 3, 4), (3, 4, 5), 2), ((2, 3), (4, 5), 0),
                                        ((2, 3), (4, 3), 1), ((2, 3), (4, 3), -1), ((2, 3), (4, 3), 3),
                                        ((2, 3, 4), (4, 3, 5), [[1, 2], [1, 0]]), ((2, 3), (1, 3), [[0], [0]]),
                                        ((2, 3), (3, 3), [[1, 1], [0, 1]]), ((2, 3), (3, 3), [[1], [0, 1]])])
def test_tensordot_matches_torch(sa, sb, dims):
    a, b = _data(sa, seed=1), _data(sb, seed=2)
    if isinstance(dims, list) and len(dims[0]) == len(dims[1]):
        # rtensor takes the pair of dim lists as a 2-row tensor.
        _same(lambda lib, a, b: lib.tensordot(a, b, lib.tensor(dims)), a, b, grad=True)
    elif not isinstance(dims, list):
        _same(lambda lib, a, b: lib.tensordot(a, b, dims), a, b, grad=True)
    if isinstance(dims, int) and not 0 <= dims <= min(a.ndim, b.ndim):
        return
    try:
        want = np.tensordot(a, b, dims)
    except (ValueError, IndexError):
        return
    arg = rt.tensor(dims) if isinstance(dims, list) else dims
    _close(rt.tensordot(rt.tensor(a), rt.tensor(b), arg).numpy(), want)


@needs_torch
def test_tensordot_of_integers_sums_size_one_dims_in_their_dtype():
    a, b = _data((1, 1, 1), np.int32, 1), _data((2, 1, 2), np.int32, 2)
    _same(lambda lib, a, b: lib.tensordot(a, b, ([0, 1], [2, 0])), a, b)
    _same(lambda lib, a, b: lib.tensordot(a, b, [[0, 1], [2, 0]]), a, b)


def test_tensordot_gradcheck():
    a = rt.tensor(_data((2, 3, 4), np.float64), requires_grad=True)
    b = rt.tensor(_data((4, 3, 5), np.float64), requires_grad=True)
    assert rt.autograd.gradcheck(lambda x, y: rt.tensordot(x, y, rt.tensor([[1, 2], [1, 0]])), (a, b))


# --- cdist, cov, corrcoef, cross, renorm ------------------------------------------------------

def _np_cdist(a, b, p):
    d = np.abs(a[..., :, None, :].astype(np.float64) - b[..., None, :, :])
    if p == 0:
        return (d != 0).sum(-1).astype(np.float64)
    if np.isinf(p):
        return d.max(-1) if d.shape[-1] else d.sum(-1)
    return (d ** p).sum(-1) ** (1 / p)


MODES = ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"]


@pytest.mark.parametrize("sa,sb", [((5, 3), (4, 3)), ((30, 3), (4, 3)), ((2, 30, 5), (2, 26, 5)),
                                   ((3, 1, 4, 2), (5, 6, 2)), ((0, 3), (4, 3)), ((3, 0), (4, 0))])
@pytest.mark.parametrize("p", [0.0, 1.0, 1.5, 2.0, 3.0, float("inf")])
@pytest.mark.parametrize("mode", MODES)
def test_cdist_matches_numpy(sa, sb, p, mode):
    a, b = _data(sa, seed=1), _data(sb, seed=2)
    got = rt.cdist(rt.tensor(a), rt.tensor(b), p=p, compute_mode=mode)
    np.testing.assert_allclose(got.numpy(), _np_cdist(a, b, p), rtol=1e-4, atol=2e-4)


@needs_torch
@pytest.mark.parametrize("sa,sb", [((5, 3), (4, 3)), ((30, 3), (4, 3)), ((2, 30, 5), (2, 26, 5)),
                                   ((3, 1, 4, 2), (5, 6, 2)), ((0, 3), (4, 3)), ((3, 0), (4, 0)), ((3,), (3,)),
                                   ((2, 3), (2, 4)), ((5, 2, 3), (2, 4, 3))])
@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, 2.5, float("inf"), -1.0])
@pytest.mark.parametrize("mode", MODES)
def test_cdist_matches_torch(sa, sb, p, mode):
    a, b = _data(sa, seed=1), _data(sb, seed=2)
    _same(lambda lib, a, b: lib.cdist(a, b, p=p, compute_mode=mode), a, b, grad=True)


@needs_torch
def test_cdist_errors_match_torch():
    _same(lambda lib, a, b: lib.cdist(a, b), _data((2, 3)), _data((2, 3), np.float64))
    _same(lambda lib, a, b: lib.cdist(a, b), _data((2, 3), np.int64), _data((2, 3), np.int64))
    with pytest.raises(ValueError, match="foo is not a valid value for compute_mode"):
        rt.cdist(rt.ones(2, 3), rt.ones(2, 3), compute_mode="foo")


@pytest.mark.parametrize("sa,sb,p,mode", [((4, 3), (5, 3), 2.0, None), ((30, 3), (5, 3), 2.0, None),
                                          ((2, 4, 3), (1, 5, 3), 1.0, None), ((4, 3), (5, 3), 3.0, None),
                                          ((4, 3), (5, 3), float("inf"), None),
                                          ((4, 3), (5, 3), 2.0, "use_mm_for_euclid_dist")])
def test_cdist_gradcheck(sa, sb, p, mode):
    a = rt.tensor(_data(sa, np.float64, 1), requires_grad=True)
    b = rt.tensor(_data(sb, np.float64, 2), requires_grad=True)
    kw = {} if mode is None else {"compute_mode": mode}
    assert rt.autograd.gradcheck(lambda x, y: rt.cdist(x, y, p=p, **kw), (a, b))


def test_cdist_large_euclidean_matches_numpy():
    x, y = _data((300, 64), seed=1), _data((200, 64), seed=2)
    want = np.sqrt(np.maximum((x * x).sum(1)[:, None] - 2 * x @ y.T + (y * y).sum(1)[None, :], 0))
    np.testing.assert_allclose(rt.cdist(rt.tensor(x), rt.tensor(y)).numpy(), want, rtol=1e-3, atol=1e-3)


@needs_torch
@pytest.mark.parametrize("shape,dtype", [((3, 5), np.float32), ((5,), np.float32), ((2, 1), np.float32),
                                         ((2, 4), np.int64), ((2, 3, 4), np.float32), ((3, 5), np.float64),
                                         ((1, 5), np.bool_)])
@pytest.mark.parametrize("correction", [0, 1, 2])
def test_cov_and_corrcoef_match_torch(shape, dtype, correction):
    a = _data(shape, dtype)
    _same(lambda lib, a: lib.cov(a, correction=correction), a, grad=True)
    _same(lambda lib, a: a.cov(correction=correction), a)
    _same(lambda lib, a: lib.corrcoef(a), a, grad=True)
    if len(shape) == 2 and dtype == np.float32 and shape[1] > correction:
        _close(rt.cov(rt.tensor(a), correction=correction).numpy(), np.cov(a, ddof=correction))
        _close(rt.corrcoef(rt.tensor(a)).numpy(), np.corrcoef(a))


@needs_torch
@pytest.mark.parametrize("fw,aw", [(np.array([1, 2, 0, 3, 1]), None), (None, np.array([0.5, 1, 2, 0.1, 1.0])),
                                   (np.array([1, 2, 0, 3, 1]), np.array([0.5, 1, 2, 0.1, 1.0])),
                                   (np.array([1.0, 2, 0, 3, 1]), None), (np.array([1, -2, 0, 3, 1]), None),
                                   (np.array([1, 2, 0]), None), (np.array([[1, 2, 0, 3, 1]]), None),
                                   (None, np.array([1, 2, 0, 3, 1])), (None, -np.ones(5)),
                                   (None, np.ones(5, np.float64)), (np.zeros(5, np.int64), None)])
def test_cov_weights_match_torch(fw, aw):
    a = _data((3, 5))
    for lib in (rt, torch):
        pass
    r, t = [], []
    for lib, store in ((rt, r), (torch, t)):
        kw = {}
        if fw is not None:
            kw["fweights"] = lib.tensor(fw)
        if aw is not None:
            kw["aweights"] = lib.tensor(aw)
        try:
            store.append(lib.cov(lib.tensor(a), **kw))
        except Exception as e:  # noqa: BLE001
            store.append(e)
    if isinstance(t[0], Exception):
        assert type(r[0]).__name__ == type(t[0]).__name__ and str(r[0]) == str(t[0])
    else:
        assert str(r[0].dtype).split(".")[-1] == str(t[0].dtype).split(".")[-1]
        _close(r[0].numpy(), t[0].numpy())
        want = np.cov(a, fweights=fw, aweights=aw)
        _close(r[0].numpy(), want, np.float64 if r[0].dtype == rt.float64 else np.float32)


def test_cov_gradcheck():
    x = rt.tensor(_data((3, 6), np.float64), requires_grad=True)
    w = rt.tensor(np.array([0.5, 1, 2, 0.1, 1.0, 3.0]))
    assert rt.autograd.gradcheck(lambda t: rt.cov(t, aweights=w), (x,))
    assert rt.autograd.gradcheck(lambda t: rt.corrcoef(t), (x,))


@needs_torch
@pytest.mark.parametrize("sa,sb,dim", [((4, 3), (4, 3), None), ((3, 4), (3, 4), None), ((4, 4), (4, 4), None),
                                       ((4, 3), (1, 3), None), ((4, 3), (3,), None), ((3, 3), (3, 3), 2),
                                       ((3, 4), (3, 4), 1), ((2, 4, 3), (4, 3), None), ((3, 5, 2), (3, 1, 2), 0)])
def test_cross_matches_torch(sa, sb, dim):
    a, b = _data(sa, seed=1), _data(sb, seed=2)
    _same(lambda lib, a, b: lib.cross(a, b, dim=dim), a, b, grad=True)
    _same(lambda lib, a, b: a.cross(b, dim=dim), a, b)
    d = -1 if dim is None else dim
    _same(lambda lib, a, b: lib.linalg.cross(a, b, dim=d), a, b, grad=True)
    ints = _data(sa, np.int64, 1), _data(sb, np.int64, 2)
    _same(lambda lib, a, b: lib.linalg.cross(a, b, dim=d), *ints)


@needs_torch
def test_cross_errors_and_values():
    _same(lambda lib, a, b: lib.linalg.cross(a, b), _data((4, 3)), _data((4, 3), np.float64))
    _same(lambda lib, a, b: lib.linalg.cross(a, b), _data((4, 3), np.bool_), _data((4, 3), np.bool_))
    a, b = _data((5, 3), seed=1), _data((5, 3), seed=2)
    _close(rt.linalg.cross(rt.tensor(a), rt.tensor(b)).numpy(), np.cross(a, b))
    x = rt.tensor(_data((2, 3), np.float64), requires_grad=True)
    y = rt.tensor(_data((1, 3), np.float64), requires_grad=True)
    assert rt.autograd.gradcheck(lambda s, t: rt.linalg.cross(s, t), (x, y))


@needs_torch
@pytest.mark.parametrize("shape,p,dim,maxnorm", [((3, 4), 2, 0, 1.0), ((3, 4), 1, 1, 0.5), ((2, 3, 4), 3, 1, 2.0),
                                                 ((3, 4), float("inf"), 0, 0.5), ((3, 4), -1, 0, 1.0),
                                                 ((3, 4), 0, 0, 1.0), ((3, 4), 2, 0, -1.0), ((3, 4), 2, 3, 1.0),
                                                 ((3,), 2, 0, 1.0), ((3, 4), 2, -1, 100.0)])
def test_renorm_matches_torch(shape, p, dim, maxnorm):
    a = _data(shape)
    _same(lambda lib, a: lib.renorm(a, p, dim, maxnorm), a, grad=True)
    _same(lambda lib, a: a.renorm(p, dim, maxnorm), a)
    _same(lambda lib, a: lib.renorm(a, p, dim, maxnorm), _data(shape, np.int64))


def test_renorm_in_place_and_gradcheck():
    a = _data((3, 4))
    x = rt.tensor(a)
    assert x.renorm_(2, 0, 1.0) is x
    norms = np.linalg.norm(a, axis=1, keepdims=True)
    want = np.where(norms > 1.0, a / (norms + 1e-7), a)
    _close(x.numpy(), want)
    t = rt.tensor(_data((3, 4), np.float64) * 2, requires_grad=True)
    assert rt.autograd.gradcheck(lambda s: rt.renorm(s, 2, 0, 1.0), (t,))
    assert rt.autograd.gradcheck(lambda s: rt.renorm(s, 1.5, 1, 1.0), (t,))
