"""The matrix inverse: linalg.inv, inverse (function, method, out=) and linalg.inv_ex on faer's LU: values
against numpy (and torch when installed), batches and empty matrices, the gradient (gradcheck in float64 and
torch's LinalgInvExBackward0), torch's LinAlgError for a singular matrix, its errors for bad shapes and
integer input, and results that do not depend on the thread count."""

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")


def _well_conditioned(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    return (a + shape[-1] * np.eye(shape[-1])).astype(dtype)


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (4, 2, 2), (2, 3, 7, 7), (65, 65)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inverse_matches_numpy(shape, dtype):
    a = _well_conditioned(shape, dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for got in (rt.linalg.inv(rt.tensor(a)), rt.inverse(rt.tensor(a)), rt.tensor(a).inverse(),
                rt.linalg.inv_ex(rt.tensor(a)).inverse):
        assert got.dtype == rt.tensor(a).dtype and tuple(got.shape) == shape
        np.testing.assert_allclose(got.numpy(), np.linalg.inv(a), rtol=tol, atol=tol)


def test_inverse_of_a_strided_view_and_out():
    a = _well_conditioned((4, 4))
    t = rt.tensor(a).t()
    np.testing.assert_allclose(rt.linalg.inv(t).numpy(), np.linalg.inv(a.T), atol=1e-12)
    out = rt.empty(4, 4, dtype=rt.float64)
    r = rt.inverse(rt.tensor(a), out=out)
    assert r is out
    np.testing.assert_allclose(out.numpy(), np.linalg.inv(a), atol=1e-12)
    out2 = rt.empty(4, 4, dtype=rt.float64)
    rt.linalg.inv(rt.tensor(a), out=out2)
    np.testing.assert_allclose(out2.numpy(), np.linalg.inv(a), atol=1e-12)


def test_inverse_of_empty_matrices():
    assert tuple(rt.linalg.inv(rt.ones(0, 0)).shape) == (0, 0)
    assert tuple(rt.linalg.inv(rt.ones(2, 0, 0)).shape) == (2, 0, 0)
    assert tuple(rt.linalg.inv(rt.ones(0, 3, 3)).shape) == (0, 3, 3)
    r = rt.linalg.inv_ex(rt.ones(0, 3, 3))
    assert tuple(r.info.shape) == (0,) and r.info.dtype == rt.int32


def test_singular_matrices_raise_torchs_linalg_error():
    s = rt.tensor([[1.0, 2.0], [2.0, 4.0]])
    assert issubclass(rt.linalg.LinAlgError, RuntimeError)
    with pytest.raises(rt.linalg.LinAlgError) as e:
        rt.linalg.inv(s)
    assert str(e.value) == ("linalg.inv: The diagonal element 2 is zero, the inversion could not be "
                            "completed because the input matrix is singular.")
    with pytest.raises(rt.linalg.LinAlgError) as e:
        rt.inverse(rt.stack([rt.eye(2), s]))
    assert str(e.value).startswith("linalg.inv: (Batch element 1): The diagonal element 2 is zero")
    with pytest.raises(RuntimeError, match="diagonal element 1 is zero"):
        rt.linalg.inv(rt.zeros(3, 3))
    with pytest.raises(rt.linalg.LinAlgError, match="^linalg.inv_ex: The diagonal element 2"):
        rt.linalg.inv_ex(s, check_errors=True)


def test_inv_ex_reports_info_per_matrix():
    s = rt.tensor([[1.0, 2.0], [2.0, 4.0]])
    r = rt.linalg.inv_ex(rt.stack([rt.eye(2), s, rt.zeros(2, 2)]))
    assert type(r).__name__ == "linalg_inv_ex" and r._fields == ("inverse", "info")
    assert r.info.dtype == rt.int32 and r.info.tolist() == [0, 2, 1]
    assert r.inverse[0].tolist() == [[1.0, 0.0], [0.0, 1.0]]
    one = rt.linalg.inv_ex(rt.eye(3))
    assert one.info.shape == () and one.info.item() == 0


def test_bad_input_gets_torchs_errors():
    with pytest.raises(RuntimeError, match=r"^linalg.inv: The input tensor A must have at least 2 dimensions.$"):
        rt.linalg.inv(rt.ones(3))
    with pytest.raises(RuntimeError, match=r"^linalg.inv: A must be batches of square matrices, but they are 2 by 3"):
        rt.inverse(rt.ones(2, 3))
    with pytest.raises(NotImplementedError, match=r"^linalg.inv: Expected a floating point or complex tensor "
                                                  r"as input. Got Long$"):
        rt.linalg.inv(rt.ones(2, 2, dtype=rt.int64))
    with pytest.raises(NotImplementedError, match="Got Bool"):
        rt.linalg.inv_ex(rt.ones(2, 2, dtype=rt.bool))
    out = rt.zeros(2, 2)
    with pytest.raises(rt.linalg.LinAlgError):
        rt.inverse(rt.tensor([[1.0, 2.0], [2.0, 4.0]]), out=out)
    assert out.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_gradient_is_torchs_formula():
    x = rt.tensor(_well_conditioned((2, 3, 3)), requires_grad=True)
    assert rt.autograd.gradcheck(rt.linalg.inv, (x,))
    assert rt.autograd.gradcheck(lambda t: rt.linalg.inv_ex(t).inverse, (x,))
    y = rt.inverse(x)
    assert y.grad_fn.name() == "LinalgInvExBackward0"
    assert rt.linalg.inv_ex(x).info.grad_fn is None
    g = np.random.default_rng(3).standard_normal((2, 3, 3))
    y.backward(rt.tensor(g))
    inv = np.linalg.inv(x.detach().numpy())
    want = -np.swapaxes(inv, -1, -2) @ g @ np.swapaxes(inv, -1, -2)
    np.testing.assert_allclose(x.grad.numpy(), want, atol=1e-12)


def test_results_do_not_depend_on_the_thread_count():
    a = rt.tensor(_well_conditioned((8, 40, 40), np.float32))
    before = rt.get_num_threads()
    try:
        rt.set_num_threads(1)
        one = rt.linalg.inv(a).numpy()
        rt.set_num_threads(2)
        two = rt.linalg.inv(a).numpy()
    finally:
        rt.set_num_threads(before)
    assert np.array_equal(one, two)


@needs_torch
@pytest.mark.parametrize("shape", [(3, 3), (2, 5, 5), (0, 0), (2, 0, 0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inverse_matches_torch(shape, dtype):
    a = _well_conditioned(shape, dtype) if shape[-1] else np.ones(shape, dtype)
    r = rt.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    ri, ti = rt.linalg.inv(r), torch.linalg.inv(t)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ri.detach().numpy(), ti.detach().numpy(), rtol=tol, atol=tol)
    assert ri.grad_fn.name() == ti.grad_fn.name()
    g = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    ri.backward(rt.tensor(g))
    ti.backward(torch.tensor(g))
    np.testing.assert_allclose(r.grad.numpy(), t.grad.numpy(), rtol=tol * 10, atol=tol * 10)


@needs_torch
def test_singular_errors_match_torch():
    # Matrices whose LU meets an exactly zero pivot whatever the rounding (a matrix that is singular only
    # in exact arithmetic, such as [[1, 2, 3], [4, 5, 6], [7, 8, 9]], may or may not meet one: LAPACK's and
    # faer's LU round differently).
    cases = [[[1.0, 2.0], [2.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]], [[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]],
             [[2.0, 1.0, 3.0], [4.0, 2.0, 6.0], [1.0, 5.0, 2.0]], [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]
    for c in cases:
        for fn in ("linalg.inv", "inverse"):
            errs = []
            for lib in (rt, torch):
                f = lib.linalg.inv if fn == "linalg.inv" else lib.inverse
                try:
                    f(lib.tensor(c, dtype=lib.float64))
                    errs.append(None)
                except RuntimeError as e:
                    errs.append(str(e))
            assert errs[0] == errs[1], (c, errs)
        ri, ti = rt.linalg.inv_ex(rt.tensor(c)), torch.linalg.inv_ex(torch.tensor(c))
        assert ri.info.tolist() == ti.info.tolist()
