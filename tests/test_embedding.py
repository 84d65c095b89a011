"""torch.nn.functional.embedding and torch.embedding: values against numpy (and torch when
installed), padding_idx (zero gradient rows), scale_grad_by_freq, max_norm renormalising the used rows
in place, gradients (gradcheck and grad_fn names) and torch's errors."""

import numpy as np
import pytest

import rtensor as rt
import rtensor.nn.functional as F


def _data(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _raises(exc, msg, f):
    with pytest.raises(exc) as e:
        f()
    assert str(e.value) == msg


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("idx_shape", [(5,), (2, 3), (), (0,), (2, 0, 3)])
@pytest.mark.parametrize("idx_dtype", [np.int64, np.int32])
def test_values(dtype, idx_shape, idx_dtype):
    w = (_data((7, 3)) * 10).astype(dtype)
    idx = np.random.default_rng(1).integers(0, 7, idx_shape).astype(idx_dtype)
    got = F.embedding(rt.tensor(idx), rt.tensor(w))
    assert got.dtype == rt.tensor(w).dtype and tuple(got.shape) == idx_shape + (3,)
    np.testing.assert_array_equal(got.numpy(), w[idx])
    np.testing.assert_array_equal(rt.embedding(rt.tensor(w), rt.tensor(idx)).numpy(), w[idx])


def test_gradients_padding_and_freq():
    w = rt.tensor(_data((5, 2)), requires_grad=True)
    idx = rt.tensor([[1, 2, 1], [4, 1, 0]])
    y = F.embedding(idx, w, padding_idx=1)
    assert y.grad_fn.name() == "EmbeddingBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.array([[1, 1], [0, 0], [1, 1], [0, 0], [1, 1.0]]))
    w.grad = None
    F.embedding(idx, w, padding_idx=-1, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.array([[1, 1], [1, 1], [1, 1], [0, 0], [0, 0.0]]))
    # padding_idx and scale_grad_by_freq make the gradient differ from the Jacobian on purpose.
    assert rt.autograd.gradcheck(lambda w: F.embedding(idx, w), (w,))
    assert rt.autograd.gradcheck(lambda w: rt.embedding(w, idx), (w,))


def test_max_norm_renormalises_used_rows_in_place():
    w0 = _data((4, 3)) * 3
    w = rt.tensor(w0.copy())
    out = F.embedding(rt.tensor([0, 2, 0]), w, max_norm=1.0)
    norms = np.linalg.norm(w0, axis=1)
    want = w0.copy()
    for i in (0, 2):
        if norms[i] > 1.0:
            want[i] *= 1.0 / (norms[i] + 1e-7)
    np.testing.assert_allclose(w.numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(out.numpy(), want[[0, 2, 0]], rtol=1e-12)


def test_errors():
    w = rt.ones(5, 3)
    _raises(IndexError, "index out of range in self", lambda: F.embedding(rt.tensor([1, 5]), w))
    _raises(IndexError, "index out of range in self", lambda: F.embedding(rt.tensor([1, -1]), w))
    _raises(RuntimeError, "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.FloatTensor instead (while checking arguments for embedding)", lambda: F.embedding(rt.tensor([1.0]), w))
    _raises(RuntimeError, "'weight' must be 2-D", lambda: F.embedding(rt.tensor([1]), rt.ones(5)))
    _raises(AssertionError, "Padding_idx must be within num_embeddings", lambda: F.embedding(rt.tensor([1]), w, padding_idx=5))
    _raises(AssertionError, "Padding_idx must be within num_embeddings", lambda: F.embedding(rt.tensor([1]), w, padding_idx=-6))


def test_against_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    w0 = _data((6, 4))
    g = _data((2, 3, 4), seed=3)
    idx = np.array([[0, 5, 2], [2, 2, 3]])
    for kw in [{}, {"padding_idx": 2}, {"scale_grad_by_freq": True}, {"padding_idx": -1, "scale_grad_by_freq": True}, {"max_norm": 1.5}, {"max_norm": 1.0, "norm_type": 1.0}]:
        tw = torch.tensor(w0, requires_grad=True)
        rw = rt.tensor(w0, requires_grad=True)
        ty = TF.embedding(torch.tensor(idx), tw, **kw)
        ry = F.embedding(rt.tensor(idx), rw, **kw)
        assert ry.grad_fn.name() == ty.grad_fn.name()
        np.testing.assert_allclose(ry.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(rw.detach().numpy(), tw.detach().numpy(), rtol=1e-12)
        (ty * torch.tensor(g)).sum().backward()
        (ry * rt.tensor(g)).sum().backward()
        np.testing.assert_allclose(rw.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-12)
