"""mm / mv / dot / matmul / @ for 1-D and 2-D operands against numpy (and torch when installed)."""

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")
RT = {np.float32: rt.float32, np.float64: rt.float64, np.int32: rt.int32, np.int64: rt.int64}


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (2, 3, 4), (17, 33, 9), (64, 128, 96), (300, 200, 250)])
def test_mm_matches_numpy(dtype, m, k, n):
    rng = np.random.default_rng(0)
    a = rng.integers(-5, 5, (m, k)).astype(dtype)
    b = rng.integers(-5, 5, (k, n)).astype(dtype)
    got = rt.tensor(a).mm(rt.tensor(b))
    assert got.dtype is RT[dtype] and got.shape == (m, n)
    np.testing.assert_array_equal(got.numpy(), a @ b)
    # transposed / strided operands
    bt = rt.tensor(np.ascontiguousarray(b.T)).t()
    np.testing.assert_array_equal((rt.tensor(a) @ bt).numpy(), a @ b)
    big = rt.tensor(np.repeat(a, 2, axis=1))[:, ::2]
    np.testing.assert_array_equal(big.matmul(rt.tensor(b)).numpy(), a @ b)


def test_float_values():
    a = np.random.default_rng(2).standard_normal((123, 77)).astype(np.float32)
    b = np.random.default_rng(3).standard_normal((77, 55)).astype(np.float32)
    np.testing.assert_allclose((rt.tensor(a) @ rt.tensor(b)).numpy(), a @ b, rtol=1e-5, atol=1e-5)
    a2 = np.random.default_rng(4).standard_normal((512, 512))
    np.testing.assert_allclose(rt.matmul(rt.tensor(a2), rt.tensor(a2.T)).numpy(), a2 @ a2.T, rtol=1e-10, atol=1e-10)


def test_vectors():
    A = rt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    x = rt.tensor([1.0, 0.0, -1.0])
    assert (A @ x).tolist() == [-2.0, -2.0]
    assert A.mv(x).tolist() == [-2.0, -2.0]
    assert rt.mv(A, x).tolist() == [-2.0, -2.0]
    assert (x @ x).item() == 2.0 and (x @ x).shape == ()
    assert x.dot(x).item() == 2.0 and rt.dot(x, x).item() == 2.0
    assert (rt.tensor([1.0, 1.0]) @ A).tolist() == [5.0, 7.0, 9.0]
    assert rt.tensor([1, 2, 3], dtype=rt.int32).dot(rt.tensor([1, 1, 1], dtype=rt.int32)).dtype is rt.int32


def test_empty_products():
    assert rt.ones(0, 3).mm(rt.ones(3, 0)).shape == (0, 0)
    assert rt.ones(2, 0).mm(rt.ones(0, 2)).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_errors():
    a = rt.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"):
        a.mm(rt.ones(2, 3))
    with pytest.raises(RuntimeError, match="self must be a matrix"):
        rt.ones(3).mm(a)
    with pytest.raises(RuntimeError, match="mat2 must be a matrix"):
        a.mm(rt.ones(3))
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: float != double"):
        a.mm(rt.ones(3, 2, dtype=rt.float64))
    with pytest.raises(RuntimeError, match=r"\(1x3 and 2x3\)"):
        rt.ones(3) @ a
    with pytest.raises(RuntimeError, match="size mismatch"):
        a @ rt.ones(4)
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        rt.ones(3) @ rt.ones(4)
    with pytest.raises(RuntimeError, match="dot : expected both vectors to have same dtype"):
        rt.ones(3).dot(rt.ones(3, dtype=rt.float64))
    with pytest.raises(RuntimeError, match="at least 1D"):
        rt.tensor(1.0) @ a
    with pytest.raises(NotImplementedError, match="Bool"):
        rt.ones(2, 2, dtype=rt.bool).mm(rt.ones(2, 2, dtype=rt.bool))
    with pytest.raises(TypeError):
        a @ 2
    with pytest.raises(TypeError, match=r"mm\(\): argument 'mat2' \(position 1\) must be Tensor, not int"):
        a.mm(2)
    with pytest.raises(TypeError):
        rt.matmul(a, [1, 2, 3])


def test_rmatmul_with_numpy_operand_is_not_silent():
    a = rt.ones(2, 2)
    with pytest.raises(TypeError):
        a @ "x"


@needs_torch
@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 1), (1, 6))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_against_torch(sa, sb, dtype):
    rng = np.random.default_rng(5)
    a = rng.integers(-4, 4, sa).astype(dtype)
    b = rng.integers(-4, 4, sb).astype(dtype)
    got = rt.tensor(a) @ rt.tensor(b)
    want = torch.tensor(a) @ torch.tensor(b)
    assert tuple(got.shape) == tuple(want.shape)
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_array_equal(got.numpy(), want.numpy())
