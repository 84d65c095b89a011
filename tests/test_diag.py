"""Diagonals and triangles (diagonal, diag, diag_embed, diagflat, trace, tril/triu and their in-place
and out= forms, tril_indices/triu_indices): values, dtypes and shapes against numpy (and torch when
installed), views and aliasing, gradients (gradcheck and node names), identical results for 1 and 2
threads, and torch's errors."""

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
        return rng.integers(-9, 10, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (3, 6), (6, 3), (2, 3, 5), (2, 2, 3, 4), (0, 3), (3, 0), (1, 1)])
@pytest.mark.parametrize("k", [-7, -2, -1, 0, 1, 3, 9])
@pytest.mark.parametrize("op", ["tril", "triu"])
def test_triangles_match_numpy(op, k, shape, dtype):
    a = _data(shape, dtype)
    got = getattr(rt, op)(rt.tensor(a), k)
    want = getattr(np, op)(a, k)
    assert got.dtype == rt.tensor(a).dtype and tuple(got.shape) == want.shape
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(getattr(rt.tensor(a), op)(diagonal=k).numpy(), want)


@pytest.mark.parametrize("op", ["tril", "triu"])
def test_triangle_of_strided_input_in_place_and_out(op):
    a = _data((5, 7), np.float32)
    t = rt.tensor(a).t()
    want = getattr(np, op)(a.T, 1)
    np.testing.assert_array_equal(getattr(t, op)(1).numpy(), want)
    x = rt.tensor(a)
    r = getattr(x, op + "_")(-1)
    assert r is x
    np.testing.assert_array_equal(x.numpy(), getattr(np, op)(a, -1))
    out = rt.empty(5, 7)
    r = getattr(rt, op)(rt.tensor(a), 2, out=out)
    assert r is out
    np.testing.assert_array_equal(out.numpy(), getattr(np, op)(a, 2))


@pytest.mark.parametrize("op", ["tril", "triu"])
def test_triangle_identical_for_any_thread_count(op):
    a = rt.tensor(_data((3, 300, 257), np.float32))
    before = rt.get_num_threads()
    try:
        rt.set_num_threads(1)
        one = getattr(a, op)(5).numpy()
        rt.set_num_threads(2)
        two = getattr(a, op)(5).numpy()
    finally:
        rt.set_num_threads(before)
    assert one.tobytes() == two.tobytes()


@pytest.mark.parametrize("shape,offset,d1,d2", [
    ((4, 4), 0, 0, 1), ((3, 5), 1, 0, 1), ((3, 5), -2, 0, 1), ((3, 5), 9, 0, 1),
    ((2, 3, 4), 1, 0, 2), ((2, 3, 4), -1, 2, 0), ((2, 3, 4), 0, -1, -2), ((2, 3, 4, 5), 2, 1, 3),
])
def test_diagonal_is_a_view_matching_numpy(shape, offset, d1, d2):
    a = _data(shape, np.float64)
    t = rt.tensor(a)
    d = t.diagonal(offset, d1, d2)
    want = np.diagonal(a, offset, d1, d2)
    assert tuple(d.shape) == want.shape
    np.testing.assert_array_equal(d.numpy(), want)
    np.testing.assert_array_equal(rt.diagonal(t, offset=offset, dim1=d1, dim2=d2).numpy(), want)
    if d.numel():
        d.fill_(7.0)  # a view: writes land in t
        assert (t.numpy() == 7.0).sum() >= d.numel()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [-2, 0, 1])
def test_diag_of_vector_and_matrix(dtype, k):
    v = _data((4,), dtype)
    np.testing.assert_array_equal(rt.diag(rt.tensor(v), k).numpy(), np.diag(v, k))
    m = _data((4, 6), dtype)
    got = rt.tensor(m).diag(k)
    np.testing.assert_array_equal(got.numpy(), np.diag(m, k))
    assert got.is_contiguous()
    np.testing.assert_array_equal(rt.diagflat(rt.tensor(m), k).numpy(), np.diagflat(m, k))


@pytest.mark.parametrize("shape,offset,d1,d2", [((3,), 0, -2, -1), ((2, 3), 1, 0, 2), ((2, 3), -1, 2, 0), ((2, 2, 3), 0, 1, 3)])
def test_diag_embed_puts_the_last_dim_on_a_diagonal(shape, offset, d1, d2):
    a = _data(shape, np.float32)
    got = rt.diag_embed(rt.tensor(a), offset, d1, d2)
    # The diagonal of the result is the input, everything else zero.
    back = np.diagonal(got.numpy(), offset, d1, d2)
    np.testing.assert_array_equal(back, a)
    assert got.numpy().sum() == pytest.approx(a.sum(), rel=1e-5)
    if torch is not None:
        want = torch.diag_embed(torch.tensor(a), offset, d1, d2)
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("dtype,want", [(np.float32, rt.float32), (np.float64, rt.float64), (np.int32, rt.int64), (np.int64, rt.int64)])
def test_trace_sums_the_diagonal_with_torch_dtype(dtype, want):
    m = _data((5, 3), dtype)
    got = rt.tensor(m).trace()
    assert got.dtype == want and got.shape == ()
    assert got.item() == pytest.approx(np.trace(m), rel=1e-6)


def test_triangle_indices_match_numpy():
    for row, col, k in [(3, 3, 0), (4, 6, 1), (5, 2, -1), (0, 3, 0), (3, 3, -5), (2, 5, 10)]:
        r, c = np.tril_indices(row, k, col)
        got = rt.tril_indices(row, col, k)
        assert got.dtype == rt.int64 and tuple(got.shape) == (2, len(r))
        np.testing.assert_array_equal(got.numpy(), np.stack([r, c]).reshape(2, -1))
        r, c = np.triu_indices(row, k, col)
        np.testing.assert_array_equal(rt.triu_indices(row, col, k).numpy(), np.stack([r, c]).reshape(2, -1))
    assert rt.tril_indices(3, 3, dtype=rt.int32).dtype == rt.int32


def test_triangle_indices_of_huge_matrices_count_first():
    # Rows without elements are not visited and sizes that cannot exist fail before allocating.
    assert tuple(rt.tril_indices(2**62, 0).shape) == (2, 0)
    assert tuple(rt.tril_indices(2**62, 3, -2**62 + 2).shape) == (2, 3)
    assert rt.tril_indices(1, 2**62).tolist() == [[0], [0]]
    for f in (rt.tril_indices, rt.triu_indices):
        with pytest.raises(RuntimeError, match="overflowed"):
            f(2**40, 2**40)


def test_mvlgamma_with_a_pole_among_its_terms_is_inf_at_once():
    # p = 2**31 terms per element; the first two reach a pole, so the sum is +inf (as torch's).
    assert rt.tensor(5).mvlgamma(2**31).item() == float("inf")
    assert rt.tensor([0.0, 3.0]).mvlgamma(2**31).tolist() == [float("inf")] * 2


@pytest.mark.parametrize("f,name", [
    (lambda t: t.tril(1), "TrilBackward0"),
    (lambda t: t.triu(-1), "TriuBackward0"),
    (lambda t: t.diagonal(1), "DiagonalBackward0"),
    (lambda t: t.diag(), "DiagonalBackward0_copy"),
    (lambda t: t.trace(), "TraceBackward0"),
    (lambda t: t.diagflat(-1), "DiagEmbedBackward0"),
    (lambda t: rt.diag_embed(t, 1, 0, 2), "DiagEmbedBackward0"),
])
def test_gradients_and_node_names(f, name):
    x = rt.tensor(_data((3, 4), np.float64), requires_grad=True)
    assert type(f(x).grad_fn).__name__ == name
    assert rt.autograd.gradcheck(f, (x,))


def test_gradient_of_diag_of_a_vector():
    v = rt.tensor(_data((4,), np.float64), requires_grad=True)
    assert type(rt.diag(v, 1).grad_fn).__name__ == "DiagEmbedBackward0"
    assert rt.autograd.gradcheck(lambda t: rt.diag(t, -2), (v,))


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: rt.ones(3).tril(), RuntimeError, "tril: input tensor must have at least 2 dimensions"),
    (lambda: rt.ones(3).triu(), RuntimeError, "triu: input tensor must have at least 2 dimensions"),
    (lambda: rt.ones(2, 2).diagonal(0, 0, 0), RuntimeError, "diagonal dimensions cannot be identical 0, 0"),
    (lambda: rt.ones(2, 2).diagonal(0, -2, 0), RuntimeError, "diagonal dimensions cannot be identical -2, 0"),
    (lambda: rt.ones(2, 2).diagonal(0, 0, 5), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 5)"),
    (lambda: rt.ones(2, 2, 2).diag(), RuntimeError, "diag(): Supports 1D or 2D tensors. Got 3D"),
    (lambda: rt.ones(3).trace(), RuntimeError, "trace: expected a matrix, but got tensor with dim 1"),
    (lambda: rt.ones(3, 3, dtype=rt.bool).trace(), NotImplementedError, "\"trace\" not implemented for 'Bool'"),
    (lambda: rt.tril_indices(-1, 3), RuntimeError, "row must be non-negative, got-1"),
    (lambda: rt.tril_indices(3, 3, dtype=rt.float32), NotImplementedError, "\"tril_indices\" not implemented for 'Float'"),
    (lambda: rt.diag_embed(rt.ones(2), 0, -1, 1), RuntimeError, "diagonal dimensions cannot be identical -1, 1"),
])
def test_errors_as_torch(call, exc, msg):
    with pytest.raises(exc) as e:
        call()
    assert str(e.value) == msg


@needs_torch
@pytest.mark.parametrize("op,args", [("tril", (1,)), ("triu", (-1,)), ("diagonal", (1, 1, 2)), ("diag_embed", (0, 0, 2))])
def test_against_torch_with_gradients(op, args):
    a = _data((2, 3, 4), np.float64, seed=3)
    x = rt.tensor(a, requires_grad=True)
    y = torch.tensor(a, requires_grad=True)
    rx, ty = getattr(rt, op)(x, *args), getattr(torch, op)(y, *args)
    np.testing.assert_array_equal(rx.detach().numpy(), ty.detach().numpy())
    assert type(rx.grad_fn).__name__ == type(ty.grad_fn).__name__
    w = _data(tuple(ty.shape), np.float64, seed=4)
    (rx * rt.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy())
