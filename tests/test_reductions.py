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


def test_empty_inputs():
    e = rt.zeros(0, 3)
    assert e.prod().item() == 1.0 and e.prod(0).tolist() == [1.0] * 3
    assert np.isnan(e.var().item()) and e.std(0).shape == (3,)
    assert e.logsumexp(0).tolist() == [float("-inf")] * 3
    assert e.all().item() is True and e.any(0).tolist() == [False] * 3
    assert e.count_nonzero().item() == 0
    assert e.amax(1).shape == (0,) and e.max(1).indices.dtype == rt.int64


@pytest.mark.parametrize("expr,exc,msg", [
    ("rt.zeros(0, 3).amax()", RuntimeError, "amax(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."),
    ("rt.zeros(0, 3).amax(0)", IndexError, "amax(): Expected reduction dim 0 to have non-zero size."),
    ("rt.zeros(2, 0).amin(1)", IndexError, "amin(): Expected reduction dim 1 to have non-zero size."),
    ("rt.zeros(0).max()", RuntimeError, "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."),
    ("rt.zeros(2, 0).max(1)", IndexError, "max(): Expected reduction dim 1 to have non-zero size."),
    ("rt.zeros(0).argmin()", IndexError, "argmin(): Expected reduction dim to be specified for input.numel() == 0."),
    ("rt.zeros(0, 3).argmax(0)", IndexError, "argmax(): Expected reduction dim 0 to have non-zero size."),
    ("rt.tensor([1, 2]).var()", NotImplementedError, "std and var only support floating point and complex dtypes"),
    ("rt.tensor([True]).std()", NotImplementedError, "std and var only support floating point and complex dtypes"),
    ("rt.ones(2, 3).amax(5)", IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 5)"),
    ("rt.ones(2, 3).max(-3)", IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got -3)"),
    ("rt.ones(2, 3).amax((0, 0))", RuntimeError, "dim 0 appears multiple times in the list of dims"),
    ("rt.ones(2, 3).argmax((0, 1))", TypeError, "argmax(): argument 'dim' (position 1) must be int, not tuple"),
    ("rt.ones(2, 3).argmax(1.0)", TypeError, "argmax(): argument 'dim' (position 1) must be int, not float"),
    ("rt.ones(2, 3).prod((0, 1))", TypeError, "prod() received an invalid combination of arguments - got (tuple)"),
    ("rt.ones(2, 3).logsumexp()", TypeError, 'logsumexp() missing 1 required positional arguments: "dim"'),
    ("rt.ones(2, 3).max('a')", TypeError, "max() received an invalid combination of arguments - got (str)"),
    ("rt.ones(2).var(0, True, correction=1)", TypeError, "var() received an invalid combination of arguments - got (int, bool, correction=int)"),
])
def test_errors(expr, exc, msg):
    with pytest.raises(exc) as info:
        eval(expr)
    assert msg in str(info.value)


def test_return_types_and_max_other():
    r = rt.tensor([[1.0, 2.0]]).max(1)
    assert isinstance(r, tuple) and len(r) == 2 and r.values.tolist() == [2.0]
    assert repr(r) == "rtensor.return_types.max(\nvalues=tensor([2.]),\nindices=tensor([1]))"
    assert type(rt.min(rt.ones(2), 0)).__name__ == "min"
    assert rt.ones(2).max(rt.tensor([0.0, 3.0])).tolist() == [1.0, 3.0]
    assert rt.min(rt.ones(2), rt.tensor([0.0, 3.0])).tolist() == [0.0, 1.0]
    v, i = rt.tensor(3.0).max(0)
    assert v.item() == 3.0 and i.item() == 0


def test_var_argument_forms():
    t = rt.tensor([[1.0, 2.0, 4.0]])
    a = np.array([[1.0, 2.0, 4.0]])
    assert t.var().item() == pytest.approx(a.var(ddof=1))
    assert t.var(False).item() == pytest.approx(a.var())
    assert t.var(1, False).tolist() == pytest.approx(a.var(1).tolist())
    assert t.var(1, correction=2).tolist() == pytest.approx(a.var(1, ddof=2).tolist())
    assert rt.std(t, dim=1, unbiased=True, keepdim=True).shape == (1, 1)
    assert rt.tensor([1.0, 2.0]).var(0, correction=2).item() == float("inf")


# ---- gradients ----------------------------------------------------------------------------------

def _leaf(shape, low=-2, high=2, values=None):
    a = RNG.uniform(low, high, shape) if values is None else np.array(values, dtype=np.float64)
    return rt.from_numpy(a).requires_grad_()


@pytest.mark.parametrize("func,name", [
    (lambda x: x.prod(), "ProdBackward0"), (lambda x: x.prod(1), "ProdBackward1"),
    (lambda x: x.prod(0, keepdim=True), "ProdBackward1"),
    (lambda x: x.amax((0, 2)), "AmaxBackward0"), (lambda x: x.amin(1, True), "AminBackward0"),
    (lambda x: x.max(), "MaxBackward1"), (lambda x: x.min(), "MinBackward1"),
    (lambda x: x.max(1).values, "MaxBackward0"), (lambda x: x.min(-1, True)[0], "MinBackward0"),
    (lambda x: x.var(1), "VarBackward0"), (lambda x: x.var((0, 2), correction=0), "VarBackward0"),
    (lambda x: x.std(), "StdBackward0"), (lambda x: x.std(2, keepdim=True), "StdBackward0"),
    (lambda x: x.logsumexp(1), "LogsumexpBackward0"),
    (lambda x: x.logsumexp((0, 2), keepdim=True), "LogsumexpBackward0"),
])
def test_gradcheck(func, name):
    x = _leaf((3, 4, 2))
    assert type(func(x).grad_fn).__name__ == name or func(x).grad_fn.name() == name
    assert gradcheck(func, (x,))


def test_prod_gradient_with_zeros():
    for values in ([2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 3.0, 4.0], [1.5, 2.0, 3.0, -1.0]):
        x = _leaf(None, values=values)
        assert gradcheck(lambda x: x.prod(), (x,))
        x.prod().backward()
        want = [np.prod(values[:i] + values[i + 1:]) for i in range(4)]
        assert x.grad.tolist() == pytest.approx(want)
    x = _leaf(None, values=[[0.0, 2.0], [3.0, 0.0], [0.0, 0.0]])
    x.prod(1).sum().backward()
    assert x.grad.tolist() == [[2.0, 0.0], [0.0, 3.0], [0.0, 0.0]]


def test_ties_split_evenly_or_route_to_index():
    x = _leaf(None, values=[[1.0, 5.0, 5.0], [2.0, 2.0, 0.0]])
    x.amax(1).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.5, 0.5], [0.5, 0.5, 0.0]]
    x.grad = None
    x.max().backward()
    assert x.grad.tolist() == [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]]
    x.grad = None
    x.max(1).values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]


def test_saved_tensors_are_checked_and_released():
    x = _leaf((3,))
    y = x * 1
    out = y.var()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()
    z = x.logsumexp(0)
    z.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.backward()


@needs_torch
@pytest.mark.parametrize("op", ["prod", "amax", "max", "var", "std", "logsumexp"])
def test_gradients_match_torch(op):
    a = RNG.uniform(-2, 2, (4, 5))
    a[1, 2] = 0.0
    a[2, 1] = a[2, 3] = a.max() + 1
    x, tx = rt.from_numpy(a.copy()).requires_grad_(), torch.tensor(a, requires_grad=True)
    call = {"prod": lambda t: t.prod(1), "amax": lambda t: t.amax(), "max": lambda t: t.max(0)[0],
            "var": lambda t: t.var(0), "std": lambda t: t.std(1), "logsumexp": lambda t: t.logsumexp(1)}[op]
    call(x).sum().backward()
    call(tx).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


@needs_torch
def test_values_match_torch():
    a = RNG.uniform(-2, 2, (6, 7)).astype(np.float32)
    x, tx = rt.from_numpy(a.copy()), torch.from_numpy(a.copy())
    for f in [lambda t: t.prod(1), lambda t: t.var(0), lambda t: t.std(), lambda t: t.logsumexp(1),
              lambda t: t.amax((0, 1)), lambda t: t.argmin(0), lambda t: t.max(1).indices]:
        np.testing.assert_allclose(f(x).numpy(), f(tx).numpy(), rtol=1e-5)


# ---- determinism ----------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,dim", [((1 << 20,), None), ((2048, 700), 0), ((700, 2048), 1),
                                       ((64, 40000), 0), ((300, 4096), 0)])
def test_bitwise_identical_across_thread_counts(shape, dim):
    a = RNG.standard_normal(shape).astype(np.float32)
    t = rt.from_numpy(a)
    fs = [lambda: t.sum(dim), lambda: t.prod(dim) if dim is not None else t.prod(),
          lambda: t.amax(dim), lambda: t.argmax(dim), lambda: t.var(dim), lambda: t.std(dim),
          lambda: t.logsumexp(dim if dim is not None else 0), lambda: t.count_nonzero(dim)]
    before = rt.get_num_threads()
    try:
        results = []
        for n in (1, 2):
            rt.set_num_threads(n)
            results.append([f().numpy().tobytes() for f in fs])
    finally:
        rt.set_num_threads(before)
    assert results[0] == results[1]
    close(t.sum(dim), a.astype(np.float64).sum(axis=dim), rtol=1e-6, atol=1e-3)


@pytest.mark.parametrize("op", ["argmax", "argmin"])
@pytest.mark.parametrize("make", [lambda: rt.tensor([True, False]), lambda: rt.tensor(True), lambda: rt.zeros(0, dtype=rt.bool)])
def test_argmax_refuses_bool_before_looking_at_the_shape(op, make):
    # found by tests/test_properties.py (differential with torch): rtensor answered for bool inputs, and for an
    # empty bool input raised IndexError; torch refuses bool first
    with pytest.raises(NotImplementedError, match=re.escape(f"{op}(): does not support bool input")):
        getattr(make(), op)()
    with pytest.raises(NotImplementedError, match=re.escape(f"{op}(): does not support bool input")):
        getattr(rt, op)(make(), 0, True)
    # max(dim) / min(dim) still take bools
    assert rt.tensor([False, True]).max(0).indices.item() == 1


def test_reducing_a_huge_dim_of_an_empty_tensor_is_empty():
    # No output element: nothing to allocate for, whatever the size of the reduced dim.
    assert rt.zeros(0, 2**50).sum(1).shape == (0,)
    assert rt.zeros(0, 2**50).amax(1).shape == (0,)


@pytest.mark.parametrize("n", [1, 31, 32, 33, 64, 100, 1000, 16384, 16385, 40000])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
def test_argmax_argmin_first_occurrence_on_long_runs(n, dtype):
    # Contiguous runs take a two-step path (the extreme, then where it first occurs): ties, NaNs,
    # signed zeros, the identity values and maxima in the tail must all agree with numpy.
    rng = np.random.default_rng(n)
    cases = [rng.integers(0, 5, n).astype(dtype),          # many ties
             np.zeros(n, dtype),                            # all equal
             rng.integers(-3, 3, n).astype(dtype)]
    if np.issubdtype(dtype, np.floating):
        z = np.where(rng.random(n) < 0.5, -0.0, 0.0).astype(dtype)
        cases += [z, np.full(n, -np.inf, dtype), np.full(n, np.inf, dtype)]
        for pos in {0, n // 2, n - 1}:
            x = rng.random(n).astype(dtype)
            x[pos] = np.nan
            x[-1] = np.nan
            cases.append(x)
    else:
        info = np.iinfo(dtype)
        cases += [np.full(n, info.min, dtype), np.full(n, info.max, dtype)]
    tail = rng.random(n).astype(dtype) if np.issubdtype(dtype, np.floating) else rng.integers(0, 9, n).astype(dtype)
    tail[-1] = 100
    cases.append(tail)
    for x in cases:
        t = rt.tensor(x)
        assert t.argmax().item() == int(np.argmax(x)), x
        assert t.argmin().item() == int(np.argmin(x)), x
        v, i = t.reshape(1, n).max(1)
        assert i.item() == int(np.argmax(x))
        assert np.array_equal(v.numpy(), x[[np.argmax(x)]], equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("shape", [(1, 7), (3, 5), (70, 33), (300, 600), (700, 1030), (2, 40, 9)])
def test_argmax_argmin_along_outer_dims(shape, dtype):
    # Reducing an outer dim runs the row loop: column extremes, then the first row reaching each.
    # Ties, NaNs, signed zeros and the identity values must agree with numpy, values included.
    rng = np.random.default_rng(shape[0] * 1000 + shape[-1])
    floating = np.issubdtype(dtype, np.floating)
    cases = [rng.integers(0, 3, shape).astype(dtype), np.zeros(shape, dtype)]
    if floating:
        cases.append(np.where(rng.random(shape) < 0.5, -0.0, 0.0).astype(dtype))
        cases.append(np.full(shape, -np.inf, dtype))
        x = rng.random(shape).astype(dtype)
        x[rng.random(shape) < 0.01] = np.nan
        x[..., 0] = np.nan  # a whole column of NaNs
        cases.append(x)
    else:
        info = np.iinfo(dtype)
        cases += [np.full(shape, info.min, dtype), np.full(shape, info.max, dtype)]
    for x in cases:
        t = rt.tensor(x)
        for dim in range(x.ndim - 1):  # the last dim is the contiguous path, tested above
            for op, np_arg in (("max", np.argmax), ("min", np.argmin)):
                want = np_arg(x, axis=dim)
                assert np.array_equal(getattr(t, "arg" + op)(dim).numpy(), want), (op, dim, x)
                values, indices = getattr(t, op)(dim)
                assert np.array_equal(indices.numpy(), want)
                picked = np.take_along_axis(x, np.expand_dims(want, dim), dim).squeeze(dim)
                assert np.array_equal(values.numpy(), picked, equal_nan=True)
                assert np.array_equal(np.signbit(values.numpy()), np.signbit(picked))


@pytest.mark.parametrize("op", ["amax", "amin"])
def test_amax_amin_out_must_have_the_input_dtype(op):
    # B17 of tests/test_opinfo.py: an out= of another dtype was accepted (the result cast into it); torch wants
    # the input's dtype exactly, checked after the autograd check and before the dims and the shape
    f = getattr(rt, op)
    x = rt.tensor([[1.0, 5.0], [-2.0, 0.5]])
    for out_dtype, name in ((rt.float64, "Double"), (rt.int64, "Long")):
        for args in ((x, 1), (x, 5), (rt.zeros(0, 2), 0)):
            out = rt.zeros(7, dtype=out_dtype)
            with pytest.raises(RuntimeError) as e:
                f(*args, out=out)
            assert str(e.value) == (f"Expected the dtype for input and out to match, but got Float for input's "
                                    f"dtype and {name} for out's dtype.")
            assert not out.any()
    ints = rt.tensor([[1, 5], [-2, 0]])
    with pytest.raises(RuntimeError, match="but got Long for input's dtype and Float for out's dtype"):
        f(ints, 1, out=rt.empty(2))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        f(rt.ones(2, 2, requires_grad=True), 1, out=rt.empty(2, dtype=rt.float64))
    out = rt.empty(2)
    assert f(x, 1, out=out) is out
    assert out.tolist() == ([5.0, 0.5] if op == "amax" else [1.0, -2.0])
