"""sum / mean: values, dtypes, shapes and errors against numpy (and torch when installed),
plus bitwise-identical results for 1 and 2 threads."""

import warnings
from fractions import Fraction

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

SHAPES_AND_DIMS = [
    ((7,), None), ((7,), 0), ((3, 5), 0), ((3, 5), 1), ((3, 5), -1), ((3, 5), (0, 1)),
    ((4, 6, 5), 1), ((4, 6, 5), (0, 2)), ((4, 6, 5), (-1, 0)), ((2, 3, 4, 5), (1, 3)),
    ((300, 70), 0), ((70, 300), 1), ((2, 0, 3), 1), ((2, 0, 3), None), ((), None), ((), 0),
]


def _np_dims(dim, ndim=1):
    if ndim == 0:
        return None  # torch accepts dim 0 / -1 on a 0-dim tensor; numpy does not
    return tuple(dim) if isinstance(dim, tuple) else dim


@pytest.mark.parametrize("shape,dim", SHAPES_AND_DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_sum_matches_numpy(shape, dim, keepdim):
    a = np.random.default_rng(0).standard_normal(shape)
    t = rt.tensor(a)
    got = t.sum(dim, keepdim)
    want = a.sum(axis=_np_dims(dim, a.ndim), keepdims=keepdim)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    m = t.mean(dim=dim, keepdim=keepdim)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        wm = a.mean(axis=_np_dims(dim, a.ndim), keepdims=keepdim)
    np.testing.assert_allclose(m.numpy(), wm, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("perm", [(1, 0, 2), (2, 1, 0), (0, 2, 1)])
@pytest.mark.parametrize("dim", [0, 1, 2, (0, 2), None])
def test_strided_inputs(perm, dim):
    a = np.arange(4 * 9 * 33, dtype=np.float32).reshape(4, 9, 33)
    t = rt.tensor(a).permute(*perm)
    b = a.transpose(perm)
    np.testing.assert_allclose(t.sum(dim).numpy(), b.astype(np.float64).sum(axis=_np_dims(dim)), rtol=1e-6)
    s = rt.tensor(a)[:, ::2, 1::3]
    np.testing.assert_allclose(s.sum(dim).numpy(), a[:, ::2, 1::3].astype(np.float64).sum(axis=_np_dims(dim)), rtol=1e-6)


def test_expanded_input():
    t = rt.tensor([1.0, 2.0, 3.0]).expand(1000, 3)
    np.testing.assert_array_equal(t.sum(0).numpy(), [1000.0, 2000.0, 3000.0])
    assert t.sum().item() == 6000.0


def test_numpy_spellings_and_module_functions():
    t = rt.arange(12).reshape(3, 4)
    assert t.sum(axis=1).tolist() == [6, 22, 38]
    assert t.sum(axis=1, keepdims=True).shape == (3, 1)
    assert rt.sum(t, 0).tolist() == [12, 15, 18, 21]
    assert rt.sum(t, dim=(0, 1), keepdim=True).tolist() == [[66]]
    assert rt.mean(t.float(), axis=0).tolist() == [4.0, 5.0, 6.0, 7.0]
    assert t.sum(dim=[]).item() == 66
    with pytest.raises(TypeError):
        t.sum(dim=0, axis=0)
    with pytest.raises(TypeError):
        t.sum(1.5)
    with pytest.raises(TypeError):
        rt.sum([1, 2])


@pytest.mark.parametrize(
    "dtype,want", [(rt.bool, rt.int64), (rt.int32, rt.int64), (rt.int64, rt.int64), (rt.float32, rt.float32), (rt.float64, rt.float64)]
)
def test_sum_dtypes(dtype, want):
    t = rt.tensor([[1, 0, 1], [1, 1, 0]], dtype=dtype)
    assert t.sum().dtype is want
    assert t.sum(0).dtype is want
    assert t.sum(dtype=rt.float64).dtype is rt.float64
    assert t.sum(dtype=rt.int32).dtype is rt.int32
    assert t.sum().item() == 4


def test_sum_with_dtype_casts_first():
    t = rt.tensor([0.6, 0.6, 0.6])
    assert t.sum(dtype=rt.int64).item() == 0  # each element truncates to 0 first, as torch
    assert rt.tensor([True, True]).sum(dtype=rt.bool).item() is True


def test_mean_dtypes_and_errors():
    for dtype, name in [(rt.int64, "Long"), (rt.int32, "Int"), (rt.bool, "Bool")]:
        t = rt.tensor([1, 2], dtype=dtype)
        with pytest.raises(RuntimeError, match=f"mean\\(\\): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {name}"):
            t.mean()
    i = rt.tensor([1, 2, 4])
    m = i.mean(dtype=rt.float32)
    assert m.dtype is rt.float32 and abs(m.item() - 7 / 3) < 1e-6
    with pytest.raises(RuntimeError, match="Optional dtype must be either a floating point"):
        i.mean(dtype=rt.int64)
    assert rt.tensor([1.0, 2.0]).mean(dtype=rt.float64).dtype is rt.float64


def test_dim_errors():
    t = rt.zeros(2, 3)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        t.sum(2)
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        t.sum((0, -2))
    with pytest.raises(RuntimeError, match="dim 1 appears multiple times"):
        t.mean([1, 1])
    s = rt.tensor(3.0)
    assert s.sum(0).item() == 3.0 and s.sum(-1).shape == ()
    with pytest.raises(RuntimeError, match="appears multiple times"):
        s.sum((0, -1))


def test_empty():
    e = rt.zeros(0, 3)
    assert e.sum().item() == 0.0
    assert e.sum(0).tolist() == [0.0, 0.0, 0.0]
    assert e.sum(1).shape == (0,)
    assert np.isnan(e.mean().item())
    assert np.isnan(e.mean(0).numpy()).all()
    assert rt.zeros(0, dtype=rt.int32).sum().dtype is rt.int64


def test_accuracy():
    assert rt.full((10_000_000,), 0.1).sum().item() == float(np.float32(np.float64(np.float32(0.1)) * 10_000_000))
    assert rt.ones(1, dtype=rt.int64).expand(2**32 + 5).sum().item() == 2**32 + 5
    x = (rt.rand(1_000_000, 2, dtype=rt.float64) + 1e4).float()
    got = x.mean(dim=0).numpy()
    want = x.numpy().astype(np.float64).mean(axis=0).astype(np.float32)
    assert (np.abs(got.view(np.int32) - want.view(np.int32)) <= 1).all()


def exact_var(row):
    """The sample variance of float64 values, computed exactly and rounded once."""
    fr = [Fraction(v) for v in row]
    m = sum(fr) / len(fr)
    return float(sum((v - m) ** 2 for v in fr) / (len(fr) - 1))


def test_var_accuracy():
    # Values far from zero relative to their spread: a one-pass update loses digits here (torch's
    # var over a dim is hundreds of ulps off); two passes over each run keep it to a few.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3000)) * 3 + 1e4
    want = np.array([exact_var(row) for row in x])
    got = rt.tensor(x).var(1).numpy()
    assert (np.abs(got - want) / np.spacing(want)).max() <= 4
    assert abs(rt.tensor(x[0]).var().item() - want[0]) <= 4 * np.spacing(want[0])
    # float32 accumulates in float64: exact to rounding.
    x32 = x.astype(np.float32)
    exact32 = np.array([exact_var(row) for row in x32.astype(np.float64)])
    want32 = exact32.astype(np.float32)
    np.testing.assert_array_equal(rt.tensor(x32).var(1).numpy(), want32)
    np.testing.assert_array_equal(rt.tensor(x32).std(1).numpy(), np.sqrt(exact32).astype(np.float32))
    np.testing.assert_array_equal(rt.tensor(x32.T.copy()).var(0).numpy(), want32)


def test_var_of_huge_values():
    # Squares overflow float64 here, deviations do not: merging into an empty accumulator must
    # not compute inf * 0, and an overflowing sum must give torch's inf, not 0.
    big = rt.tensor([1e155, 1e155], dtype=rt.float64)
    assert big.var().item() == 0.0 and big.std().item() == 0.0
    x = np.repeat(np.full(40, 1e200), 2)
    assert rt.from_numpy(x)[::2].var().item() == 0.0
    assert rt.from_numpy(np.full((3, 2), 1e200)).var(0).tolist() == [0.0, 0.0]
    over = rt.tensor([1e308] * 15 + [1.7e308], dtype=rt.float64)
    assert over.var().item() == float("inf") and over.std().item() == float("inf")
    # Sums that overflow although every deviation is 0: the exact 0 (torch gives inf for var()
    # and 0 for var(1) here).
    huge = rt.full((40_000,), 1e308, dtype=rt.float64)
    assert huge.var().item() == 0.0 and huge.std().item() == 0.0
    assert huge[:100].var().item() == 0.0
    assert huge.reshape(4, 10_000).var(1).tolist() == [0.0] * 4
    assert np.isnan(rt.tensor([1.0, float("inf")] * 100, dtype=rt.float64).var().item())
    # ... but when the spread overflows too, the variance does: torch's inf.
    wide = rt.tensor([1.7e308] * 64 + [-1.7e308] * 32, dtype=rt.float64)
    assert wide.var().item() == float("inf") and wide.reshape(1, 96).var(1).item() == float("inf")


@pytest.mark.parametrize("shape,dim", [((10_000_000,), None), ((2500, 4000), 0), ((4000, 2500), 1), ((100_000, 3), 0)])
def test_bitwise_identical_across_threads(shape, dim):
    x = rt.rand(*shape)
    old = rt.get_num_threads()
    try:
        rt.set_num_threads(1)
        one = x.sum(dim).numpy().copy()
        rt.set_num_threads(2)
        two = x.sum(dim).numpy().copy()
    finally:
        rt.set_num_threads(old)
    assert one.tobytes() == two.tobytes()


@needs_torch
@pytest.mark.parametrize("shape,dim", [s for s in SHAPES_AND_DIMS if s[0] != ()])
def test_against_torch(shape, dim):
    a = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    for keepdim in (False, True):
        got = rt.tensor(a).sum(dim, keepdim) if dim is not None else rt.tensor(a).sum()
        want = torch.tensor(a).sum(dim, keepdim) if dim is not None else torch.tensor(a).sum()
        assert tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
    ai = (a * 10).astype(np.int32)
    got, want = rt.tensor(ai).sum(dim) if dim is not None else rt.tensor(ai).sum(), torch.tensor(ai).sum(dim) if dim is not None else torch.tensor(ai).sum()
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_array_equal(got.numpy(), want.numpy())
