"""Linear algebra (issue 5): matmul's full rules, bmm, outer, einsum, norms and their gradients,
against numpy and (when importable) torch."""

import math
import re

import numpy as np
import pytest

import rtensor as rt
from rtensor.autograd.gradcheck import gradcheck

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")
RT = {np.float32: rt.float32, np.float64: rt.float64, np.int32: rt.int32, np.int64: rt.int64}
INF = math.inf


def rand(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def leaf(a):
    return rt.tensor(a, dtype=rt.float64, requires_grad=True)


# ---- products ----------------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (5, 3, 4)), ((1, 2, 3), (4, 1, 3, 2)),
    ((0, 2, 3), (3, 4)), ((2, 0), (0, 3)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_shapes_values_dtypes(sa, sb, dtype):
    a = np.random.default_rng(1).integers(-4, 5, sa).astype(dtype)
    b = np.random.default_rng(2).integers(-4, 5, sb).astype(dtype)
    got = rt.tensor(a) @ rt.tensor(b)
    want = np.matmul(a, b)
    assert got.dtype is RT[dtype] and tuple(got.shape) == want.shape
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(rt.matmul(rt.tensor(a), rt.tensor(b)).numpy(), want)


def test_strided_and_transposed_operands():
    a, b = rand(4, 6, 5), rand(4, 7, 6, seed=1)
    ta, tb = rt.tensor(a), rt.tensor(b)
    # b.mT is a transposed view; a[:, ::2] a strided one
    np.testing.assert_allclose((ta.transpose(1, 2) @ tb.transpose(1, 2)).numpy(),
                               a.transpose(0, 2, 1) @ b.transpose(0, 2, 1), rtol=1e-12)
    np.testing.assert_allclose((ta[:, ::2] @ ta[0].t()[:, :3]).numpy(), a[:, ::2] @ a[0].T[:, :3], rtol=1e-12)
    m = rand(300, 200)
    x = rand(400)[::2]
    np.testing.assert_allclose(rt.tensor(m).t().mv(rt.tensor(rand(600))[::2]).numpy(),
                               m.T @ rand(600)[::2], rtol=1e-10)
    np.testing.assert_allclose(rt.tensor(m[:, :200]).mv(rt.tensor(x[:200])).numpy(), m @ x[:200], rtol=1e-10)


def test_bmm_outer_and_functions():
    a, b = rand(3, 2, 4), rand(3, 4, 5, seed=1)
    np.testing.assert_allclose(rt.bmm(rt.tensor(a), rt.tensor(b)).numpy(), a @ b, rtol=1e-12)
    np.testing.assert_allclose(rt.tensor(a).bmm(rt.tensor(b)).numpy(), a @ b, rtol=1e-12)
    u, v = np.arange(3.0), np.arange(4.0)
    np.testing.assert_array_equal(rt.outer(rt.tensor(u), rt.tensor(v)).numpy(), np.outer(u, v))
    assert rt.tensor([1, 2]).outer(rt.tensor([1.5])).dtype is rt.float32
    i = np.arange(6, dtype=np.int32).reshape(1, 2, 3)
    got = rt.bmm(rt.tensor(i), rt.tensor(i).transpose(1, 2))
    assert got.dtype is rt.int32
    np.testing.assert_array_equal(got.numpy(), i @ i.transpose(0, 2, 1))


def test_batched_float32_many_small_products():
    a, b = rand(64, 32, 48, dtype=np.float32), rand(64, 48, 16, seed=3, dtype=np.float32)
    np.testing.assert_allclose(rt.bmm(rt.tensor(a), rt.tensor(b)).numpy(), a @ b, rtol=1e-4, atol=1e-4)


def test_dot_and_mv_are_deterministic_and_accurate():
    x = rand(1 << 20, dtype=np.float32)
    y = rand(1 << 20, seed=1, dtype=np.float32)
    want = np.dot(x.astype(np.float64), y.astype(np.float64))
    got = rt.tensor(x).dot(rt.tensor(y)).item()
    assert abs(got - want) <= 1e-5 * np.abs(x * y).sum()
    n = rt.get_num_threads()
    try:
        rt.set_num_threads(1)
        one = rt.tensor(x).dot(rt.tensor(y)).item()
        m1 = rt.tensor(x[:1 << 16].reshape(256, 256)).mv(rt.tensor(y[:256])).numpy()
    finally:
        rt.set_num_threads(n)
    assert one == got
    np.testing.assert_array_equal(m1, rt.tensor(x[:1 << 16].reshape(256, 256)).mv(rt.tensor(y[:256])).numpy())


@pytest.mark.parametrize("call,kind,msg", [
    (lambda: rt.ones(2, 3).mm(rt.ones(2, 3)), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    (lambda: rt.ones(2, 3, 4) @ rt.ones(5, 6), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (6x4 and 5x6)"),
    (lambda: rt.ones(2, 3, 4) @ rt.ones(3, 4, 6), RuntimeError,
     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    (lambda: rt.ones(2, 3, 4) @ rt.ones(2, 5, 6), RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5]."),
    (lambda: rt.bmm(rt.ones(3, 4), rt.ones(2, 4, 6)), RuntimeError, "batch1 must be a 3D tensor"),
    (lambda: rt.bmm(rt.ones(2, 3, 4), rt.ones(4, 6)), RuntimeError, "batch2 must be a 3D tensor"),
    (lambda: rt.bmm(rt.ones(2, 3, 4), rt.ones(2, 4, 6, dtype=rt.float64)), RuntimeError,
     "expected scalar type Float but found Double"),
    (lambda: rt.ones(2, 3).mm(rt.ones(3, 2, dtype=rt.float64)), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: float != double"),
    (lambda: rt.ones(3).dot(rt.ones(4)), RuntimeError, "inconsistent tensor size"),
    (lambda: rt.ones(3, 4).mv(rt.ones(3)), RuntimeError, "size mismatch, got input (3), mat (3x4), vec (3)"),
    (lambda: rt.ones(2, 2).dot(rt.ones(2)), RuntimeError, "1D tensors expected, but got 2D and 1D tensors"),
    (lambda: rt.outer(rt.ones(2, 3), rt.ones(2)), RuntimeError, "outer: Expected 1-D argument self, but got 2-D"),
    (lambda: rt.tensor(1.0) @ rt.ones(2), RuntimeError, "both arguments to matmul need to be at least 1D"),
    (lambda: rt.bmm(rt.ones(1, 2, 2, dtype=rt.bool), rt.ones(1, 2, 2, dtype=rt.bool)), NotImplementedError,
     "\"bmm\" not implemented for 'Bool'"),
    (lambda: rt.einsum("ij,jk->ik", rt.ones(2, 3), rt.ones(4, 5)), RuntimeError,
     "einsum(): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3"),
    (lambda: rt.einsum("ij->k", rt.ones(2, 3)), RuntimeError,
     "einsum(): output subscript k does not appear in the equation for any input operand"),
    (lambda: rt.einsum("ijk->ij", rt.ones(2, 3)), RuntimeError,
     "einsum(): the number of subscripts in the equation (3) does not match the number of dimensions (2)"),
    (lambda: rt.einsum("ij,jk->ik", rt.ones(2, 3)), RuntimeError,
     "einsum(): fewer operands were provided than specified in the equation"),
])
def test_product_errors(call, kind, msg):
    with pytest.raises(kind) as e:
        call()
    assert msg in str(e.value)


@needs_torch
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES[:11])
def test_matmul_gradients_match_torch(sa, sb):
    a, b = rand(*sa, seed=5), rand(*sb, seed=6)
    ra, rb = leaf(a), leaf(b)
    (ra @ rb).sum().backward()
    ta = torch.tensor(a, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    (ta @ tb).sum().backward()
    np.testing.assert_allclose(ra.grad.numpy(), ta.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rb.grad.numpy(), tb.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f,shapes", [
    (lambda a, b: a.mm(b), [(3, 4), (4, 2)]),
    (lambda a, b: rt.bmm(a, b), [(2, 3, 4), (2, 4, 2)]),
    (lambda a, b: a @ b, [(2, 1, 3, 4), (5, 4, 2)]),
    (lambda a, b: a @ b, [(4,), (2, 4, 3)]),
    (lambda a, b: a @ b, [(2, 3, 4), (4,)]),
    (lambda a, b: a.mv(b), [(3, 4), (4,)]),
    (lambda a, b: a.dot(b), [(4,), (4,)]),
    (lambda a, b: rt.outer(a, b), [(3,), (4,)]),
    (lambda a, b: rt.einsum("bij,jk->bik", a, b), [(2, 3, 4), (4, 2)]),
    (lambda a, b: rt.einsum("ij,ij->", a, b), [(3, 4), (3, 4)]),
])
def test_product_gradcheck(f, shapes):
    inputs = [leaf(rand(*s, seed=i)) for i, s in enumerate(shapes)]
    assert gradcheck(f, inputs)


# ---- einsum ------------------------------------------------------------------------------------

@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("i,j->ij", [(3,), (4,)]), ("i,i->", [(5,), (5,)]), ("ij,kj->ik", [(2, 3), (4, 3)]),
    ("bij,jk->bki", [(2, 3, 4), (4, 5)]), ("ij->ji", [(2, 3)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
    ("ij->", [(2, 3)]), ("ij->j", [(2, 3)]), ("ijk,ikl,lm->jm", [(2, 3, 4), (2, 4, 5), (5, 2)]),
    ("ij,j->i", [(3, 1), (4,)]),
])
def test_einsum_matches_numpy(eq, shapes):
    arrays = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    got = rt.einsum(eq, *[rt.tensor(a) for a in arrays])
    want = np.einsum(eq, *[np.broadcast_to(a, (3, 4)) if a.shape == (3, 1) else a for a in arrays])
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    assert rt.einsum(eq, [rt.tensor(a) for a in arrays]).shape == want.shape


# ---- norms -------------------------------------------------------------------------------------

VECTOR_ORDS = [2, 1, INF, -INF, 0, 3, 0.5, -1, 1.5]


@pytest.mark.parametrize("ord", VECTOR_ORDS)
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), ((0, 2), True), (-1, True)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_vector_norm_matches_numpy(ord, dim, keepdim, dtype):
    x = rand(3, 4, 5, dtype=dtype)
    got = rt.linalg.vector_norm(rt.tensor(x), ord=ord, dim=dim, keepdim=keepdim)
    flat = x.astype(np.float64)
    axes = tuple(range(3)) if dim is None else ((dim,) if isinstance(dim, int) else dim)
    a = np.abs(flat)
    if ord == INF:
        want = a.max(axis=axes, keepdims=keepdim)
    elif ord == -INF:
        want = a.min(axis=axes, keepdims=keepdim)
    elif ord == 0:
        want = (a != 0).sum(axis=axes, keepdims=keepdim).astype(np.float64)
    else:
        want = (a ** ord).sum(axis=axes, keepdims=keepdim) ** (1 / ord)
    assert got.dtype is RT[dtype] and tuple(got.shape) == np.shape(want)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_float32_norm_accumulates_in_float64():
    x = np.full(1 << 22, 0.1, dtype=np.float32)
    want = math.sqrt((np.float64(np.float32(0.1)) ** 2) * (1 << 22))
    assert rt.tensor(x).norm().item() == np.float32(want)


@pytest.mark.parametrize("ord", ["fro", 1, -1, INF, -INF])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm_batched(ord, keepdim):
    a = rand(2, 3, 4)
    got = rt.linalg.matrix_norm(rt.tensor(a), ord=ord, keepdim=keepdim)
    want = np.stack([np.linalg.norm(m, ord=ord) for m in a])
    if keepdim:
        want = want.reshape(2, 1, 1)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    other = rt.linalg.matrix_norm(rt.tensor(a), ord=ord, dim=(0, 2))
    want = np.stack([np.linalg.norm(a[:, i, :], ord=ord) for i in range(3)])
    np.testing.assert_allclose(other.numpy(), want, rtol=1e-12)


def test_norm_dispatch_and_seed_values():
    assert repr(rt.norm(rt.tensor([3.0, -4.0]))) == "tensor(5.)"
    assert repr(rt.ones((4, 9)).norm()) == "tensor(6.)"
    a = rand(3, 4)
    ta = rt.tensor(a)
    np.testing.assert_allclose(rt.linalg.norm(ta).item(), np.linalg.norm(a))
    np.testing.assert_allclose(rt.linalg.norm(ta, ord=1).item(), np.linalg.norm(a, 1))
    np.testing.assert_allclose(rt.linalg.norm(ta, ord=INF, dim=1).numpy(), np.linalg.norm(a, INF, axis=1))
    np.testing.assert_allclose(rt.linalg.norm(ta, dim=(0, 1)).item(), np.linalg.norm(a))
    np.testing.assert_allclose(ta.norm(p=1, dim=0).numpy(), np.abs(a).sum(0))
    np.testing.assert_allclose(ta.norm(dim=1, keepdim=True).numpy(), np.linalg.norm(a, axis=1, keepdims=True))
    np.testing.assert_allclose(rt.norm(ta, p=3).item(), (np.abs(a) ** 3).sum() ** (1 / 3))
    assert rt.linalg.norm(rt.ones(2, 3, 4)).item() == pytest.approx(math.sqrt(24))


@pytest.mark.parametrize("call,kind,msg", [
    (lambda: rt.linalg.matrix_norm(rt.ones(3, 3), ord=2), NotImplementedError, "numpy.linalg.norm"),
    (lambda: rt.linalg.matrix_norm(rt.ones(3, 3), ord="nuc"), NotImplementedError, "ord='fro'"),
    (lambda: rt.linalg.norm(rt.ones(3, 3), ord=-2), NotImplementedError, "SVD"),
    (lambda: rt.norm(rt.ones(3, 3), p="nuc"), NotImplementedError, "SVD"),
    (lambda: rt.linalg.matrix_norm(rt.ones(3, 3), ord=3), RuntimeError, "linalg.matrix_norm: Order 3 not supported."),
    (lambda: rt.linalg.matrix_norm(rt.ones(3, 3), ord="abc"), RuntimeError, "Order abc not supported."),
    (lambda: rt.linalg.matrix_norm(rt.ones(3)), RuntimeError, "must have at least 2 dimensions"),
    (lambda: rt.linalg.matrix_norm(rt.ones(3, 3), dim=(0, 0)), RuntimeError, "dims must be different. Got (0, 0)"),
    (lambda: rt.linalg.vector_norm(rt.ones(3, 3), ord="fro"), TypeError, "argument 'ord' must be Number, not str"),
    (lambda: rt.linalg.vector_norm(rt.ones(3), dim=5), IndexError, "Dimension out of range"),
    (lambda: rt.linalg.vector_norm(rt.ones(3, dtype=rt.int64)), NotImplementedError,
     "Expected a floating point or complex tensor as input. Got Long"),
    (lambda: rt.linalg.vector_norm(rt.ones(0), ord=INF), RuntimeError,
     "cannot compute the inf norm on an empty tensor"),
    # found by tests/test_properties.py: negative orders have no identity either
    (lambda: rt.linalg.vector_norm(rt.ones(0), ord=-1), RuntimeError,
     "linalg.vector_norm cannot compute the -1 norm on an empty tensor because the operation does not have an identity"),
    (lambda: rt.linalg.vector_norm(rt.ones(2, 0), ord=-0.5, dim=1), RuntimeError,
     "linalg.vector_norm cannot compute the -0.5 norm on the dimension 1because this dimension is empty"),
    (lambda: rt.linalg.norm(rt.ones(3, 3, 3), ord=1), RuntimeError, "the input must be 1D or 2D. Got 3D."),
    (lambda: rt.ones(3, 3, 3).norm(p="fro", dim=(0, 1, 2)), RuntimeError, "dim must be a 2-tuple. Got 0 1 2"),
])
def test_norm_errors(call, kind, msg):
    with pytest.raises(kind) as e:
        call()
    assert msg in str(e.value)


@needs_torch
@pytest.mark.parametrize("call", [
    lambda L: L.linalg.matrix_norm(L.ones(3, 3), ord=3),
    lambda L: L.linalg.matrix_norm(L.ones(3), ord=1),
    lambda L: L.linalg.vector_norm(L.ones(3, 3), dim=5),
    lambda L: L.linalg.vector_norm(L.ones(0, 3), ord=-INF, dim=0),
    lambda L: L.linalg.vector_norm(L.ones(0, 3), ord=-2, dim=0),
    lambda L: L.linalg.vector_norm(L.ones(0), ord=-1),
    lambda L: L.ones(2, 3) @ L.ones(2, 3),
    lambda L: L.ones(2, 3, 4) @ L.ones(2, 5, 6),
])
def test_error_messages_match_torch(call):
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(type(want.value)) as got:
        call(rt)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("ord", VECTOR_ORDS)
def test_vector_norm_gradcheck(ord):
    x = leaf(rand(3, 4, seed=7))
    assert gradcheck(lambda t: rt.linalg.vector_norm(t, ord=ord, dim=1), [x])
    assert gradcheck(lambda t: rt.linalg.vector_norm(t, ord=ord), [x])


@pytest.mark.parametrize("ord", ["fro", 1, -1, INF, -INF])
def test_matrix_norm_gradcheck(ord):
    assert gradcheck(lambda t: rt.linalg.matrix_norm(t, ord=ord), [leaf(rand(2, 3, 4, seed=8))])


@needs_torch
@pytest.mark.parametrize("ord", VECTOR_ORDS)
def test_norm_subgradients_at_zero_match_torch(ord):
    x = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, -2.0]])
    r = leaf(x)
    rt.linalg.vector_norm(r, ord=ord, dim=1).sum().backward()
    t = torch.tensor(x, requires_grad=True)
    torch.linalg.vector_norm(t, ord=ord, dim=1).sum().backward()
    want = np.zeros_like(x) if t.grad is None else t.grad.numpy()  # torch leaves ord=0's undefined
    np.testing.assert_allclose(r.grad.numpy(), want, rtol=1e-12)
    z = rt.zeros(3, dtype=rt.float64, requires_grad=True)
    z.norm().backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]
    assert rt.ones(2, requires_grad=True).norm().grad_fn.name() == "LinalgVectorNormBackward0"


def test_linalg_is_a_module():
    import types
    assert isinstance(rt.linalg, types.ModuleType)
    from rtensor.linalg import matrix_norm, norm, vector_norm  # noqa: F401


def test_negative_order_norm_over_a_non_empty_dim_of_an_empty_tensor():
    # only the reduced dims matter: (2, 0) reduced over dim 0 is an empty result, not an error
    assert rt.linalg.vector_norm(rt.ones(2, 0), ord=-2, dim=0).shape == (0,)


def test_einsum_diagonal_keeps_the_integer_dtype():
    # found by tests/test_properties.py: the diagonal went through sum() and came out int64; torch keeps int32
    # ('ii->i' takes a diagonal), while 'ii' and 'ij->' sum and give int64 in both
    x = rt.tensor([[1, 2], [3, 4]], dtype=rt.int32)
    d = rt.einsum("ii->i", x)
    assert d.dtype == rt.int32 and d.tolist() == [1, 4]
    assert rt.einsum("ii", x).dtype == rt.int64
    assert rt.einsum("ij->", x).dtype == rt.int64
    assert rt.einsum("ii->i", rt.ones(0, 0, dtype=rt.int32)).dtype == rt.int32


def test_einsum_diagonal_never_reads_off_diagonal_elements():
    # The diagonal is a view: an inf or nan off the diagonal must not reach the result (it did when
    # the diagonal was taken by multiplying with an identity matrix).
    x = rt.tensor([[1.0, float("inf")], [float("nan"), 2.0]])
    assert rt.einsum("ii->i", x).tolist() == [1.0, 2.0]
    assert rt.einsum("ii", x).item() == 3.0
    a = rt.arange(27.0).reshape(3, 3, 3).requires_grad_()
    y = rt.einsum("iij->ij", a)
    np.testing.assert_array_equal(y.detach().numpy(), np.einsum("iij->ij", np.arange(27.0).reshape(3, 3, 3)))
    y.sum().backward()
    np.testing.assert_array_equal(a.grad[:, :, 1].numpy(), np.eye(3))


@pytest.mark.parametrize("eq, shapes, want", [
    ("...ij->ij", [(2, 3, 4)], (3, 4)),
    ("...j,j->...", [(2, 3, 4), (4,)], (2, 3)),
    ("...ij", [(2, 3, 4)], (2, 3, 4)),
    ("i...->...i", [(2, 3, 4)], (3, 4, 2)),
    ("...,...", [(3, 1), (4,)], (3, 4)),
    ("ij...->...", [(2, 2)], ()),
    ("...ik,...kj->...ij", [(5, 2, 3), (3, 4)], (5, 2, 4)),
    ("bn...,bm...->nm", [(2, 3, 4, 5), (2, 6, 1, 5)], (3, 6)),
])
def test_einsum_ellipsis(eq, shapes, want):
    arrays = [np.random.default_rng(3).standard_normal(s) for s in shapes]
    got = rt.einsum(eq, *[rt.from_numpy(a) for a in arrays])
    assert tuple(got.shape) == want
    # numpy refuses what torch does here: summing ellipsis dims the output leaves out, and
    # broadcasting a size-1 dim inside an ellipsis. Those cases are written out by hand.
    by_hand = {
        "...ij->ij": lambda a: a.sum(0),
        "...,...": lambda a, b: a * b,
        "bn...,bm...->nm": lambda a, b: np.einsum("bny,bmy->nm", a.sum(2), b[:, :, 0, :]),
    }
    want_values = by_hand[eq](*arrays) if eq in by_hand else np.einsum(eq, *arrays)
    np.testing.assert_allclose(got.numpy(), want_values, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("eq, message", [
    ("..ij", "einsum(): found '.' for operand 0 that is not part of any ellipsis"),
    ("...i...", "einsum(): found '.' for operand 0 for which an ellipsis was already found"),
    ("...ijkl", "einsum(): the number of subscripts in the equation (4) is more than the number of dimensions (3) for operand 0"),
    ("...->.", "einsum(): found '.' for output that is not part of any ellipsis (...)"),
    ("ij...->......", "einsum(): found '.' for output but an ellipsis (...) was already found"),
])
def test_einsum_ellipsis_errors(eq, message):
    with pytest.raises(RuntimeError, match=re.escape(message)):
        rt.einsum(eq, rt.ones(2, 3, 4))


def test_einsum_ellipsis_gradient():
    a = rt.ones(2, 3, requires_grad=True)
    rt.einsum("...j,j->...", a, rt.arange(3.0)).sum().backward()
    assert a.grad.tolist() == [[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]]


# einsum's dtypes follow torch's algorithm (torch 2.15, expected results computed with it once): the operands
# are contracted left to right; a dim only one remaining operand has is summed first (sum() makes integers and
# bool int64), a pair with dims to contract goes through bmm (same dtype required, no bool), and a pair with
# none is multiplied (promoting). A lone operand is summed over its contracted dims.
EINSUM_DTYPE_CASES = [
    ('ij,jk->ik', [(2, 3), (3, 2)], ['int32', 'int32'], rt.int32),
    ('ij,jk', [(2, 3), (3, 2)], ['int32', 'int32'], rt.int32),
    ('bij,bjk->bik', [(2, 2, 3), (2, 3, 2)], ['int32', 'int32'], rt.int32),
    ('ij,ij->ij', [(2, 3), (2, 3)], ['int32', 'int32'], rt.int32),
    ('ij,ij->i', [(2, 3), (2, 3)], ['int32', 'int32'], rt.int32),
    ('ij,kj->', [(2, 3), (2, 3)], ['int32', 'int32'], rt.int64),
    ('ij,kl->ijkl', [(2, 3), (2, 3)], ['int32', 'int32'], rt.int32),
    ('ij,jk,kl->il', [(2, 3), (3, 2), (2, 3)], ['int32', 'int32', 'int32'], rt.int32),
    ('i,i->', [(3,), (3,)], ['int32', 'int32'], rt.int32),
    ('ij->i', [(2, 3)], ['int32'], rt.int64),
    ('ij->ji', [(2, 3)], ['int32'], rt.int32),
    ('ij,ij->', [(2, 3), (1, 3)], ['int32', 'int32'], (RuntimeError, 'expected scalar type Long but found Int')),
    ('ij,jk->ik', [(2, 3), (3, 2)], ['int32', 'int64'], (RuntimeError, 'expected scalar type Int but found Long')),
    ('ij,jk->ik', [(2, 3), (3, 2)], ['int64', 'int32'], (RuntimeError, 'expected scalar type Long but found Int')),
    ('ij,jk->ik', [(2, 3), (3, 2)], ['int32', 'float32'], (RuntimeError, 'expected scalar type Int but found Float')),
    ('ij,jk->ik', [(2, 3), (3, 2)], ['float32', 'float64'], (RuntimeError, 'expected scalar type Float but found Double')),
    ('i,i->i', [(3,), (3,)], ['int32', 'int64'], rt.int64),
    ('ij,ij->ij', [(2, 3), (2, 3)], ['int32', 'float32'], rt.float32),
    ('ij,ij->ij', [(2, 3), (2, 3)], ['int32', 'bool'], rt.int32),
    ('ij,kl->', [(2, 3), (2, 3)], ['int32', 'int64'], rt.int64),
    ('ij,k->', [(2, 3), (3,)], ['int32', 'float32'], rt.float32),
    ('i,j,k->ijk', [(3,), (3,), (3,)], ['int32', 'int64', 'float32'], rt.float32),
    ('i,i,i->i', [(3,), (3,), (3,)], ['bool', 'int32', 'int32'], rt.int32),
    ('ij,ij->', [(2, 3), (1, 3)], ['int32', 'int64'], rt.int64),
    ('ij,jk->ik', [(2, 3), (3, 2)], ['bool', 'bool'], (NotImplementedError, '"bmm" not implemented for \'Bool\'')),
    ('ij,jk->ik', [(2, 3), (3, 2)], ['bool', 'int32'], (NotImplementedError, '"bmm" not implemented for \'Bool\'')),
    ('ij,jk->ik', [(2, 3), (3, 2)], ['int32', 'bool'], (RuntimeError, 'expected scalar type Int but found Bool')),
    ('ij,jk->ik', [(2, 0), (0, 2)], ['int32', 'int64'], rt.int64),
    ('ij,jk->ik', [(2, 0), (0, 2)], ['bool', 'bool'], rt.bool),
    ('ij->i', [(2, 3)], ['bool'], rt.int64),
    ('ij', [(2, 3)], ['bool'], rt.bool),
]


def _einsum_operand(shape, dtype_name):
    n = int(np.prod(shape))
    return (np.arange(1, 1 + n).reshape(shape) % 4).astype(np.int64)


def _einsum_expected(eq, arrays):
    # numpy's einsum without size-1 broadcasting: broadcast every operand to its labels' sizes first
    lhs = eq.split("->")[0].split(",")
    sizes = {}
    for term, a in zip(lhs, arrays):
        for c, n in zip(term, a.shape):
            sizes[c] = max(sizes.get(c, 1), n) if n != 0 else 0
    full = [np.broadcast_to(a, tuple(sizes[c] for c in term)) for term, a in zip(lhs, arrays)]
    return np.einsum(eq, *full)


@pytest.mark.parametrize("eq, shapes, dtypes, want", EINSUM_DTYPE_CASES)
def test_einsum_dtypes_as_torch(eq, shapes, dtypes, want):
    arrays = [_einsum_operand(s, d) for s, d in zip(shapes, dtypes)]
    ops = [rt.tensor(a.tolist(), dtype=getattr(rt, d)) if a.size else rt.zeros(*a.shape, dtype=getattr(rt, d))
           for a, d in zip(arrays, dtypes)]
    if isinstance(want, tuple):
        exc, message = want
        with pytest.raises(exc) as info:
            rt.einsum(eq, *ops)
        assert str(info.value) == message
        return
    got = rt.einsum(eq, *ops)
    assert got.dtype == want
    bools = [np.asarray(a, dtype=bool) if d == "bool" else a for a, d in zip(arrays, dtypes)]
    expected = _einsum_expected(eq, [b.astype(np.int64) for b in bools])
    if want == rt.bool:
        expected = expected.astype(bool)
    np.testing.assert_array_equal(np.asarray(got.tolist()).reshape(expected.shape), expected)


@pytest.mark.parametrize("eq, shapes, message", [
    ("...,...", [(2, 3), (3, 2)], "einsum(): dimension 0 covered by ellipsis in operand 1has size 3 which does not "
     "broadcast with previously seen ellipsis with size 2 for the respective dimension"),  # torch's spacing
    ("ii", [(2, 3)], "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"),
    ("ij,jk", [(2, 3), (4, 2)],
     "einsum(): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3"),
])
def test_einsum_size_messages(eq, shapes, message):
    with pytest.raises(RuntimeError) as info:
        rt.einsum(eq, *[rt.ones(*s) for s in shapes])
    assert str(info.value) == message


def test_einsum_int32_gradient_free_and_float_gradients_unchanged():
    # the integer path does not disturb autograd through the float one
    a = rt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = rt.tensor([1.0, -1.0], dtype=rt.float64)
    y = rt.einsum("ij,j->i", a.double(), b)
    y.sum().backward()
    assert a.grad.tolist() == [[1.0, -1.0], [1.0, -1.0]]
    x = rt.arange(6, dtype=rt.int32).reshape(2, 3)
    assert rt.einsum("ij,kj->ik", x, x).tolist() == [[5, 14], [14, 50]]


@pytest.mark.parametrize("call, want", [
    # bmm as torch: a bool first operand has no kernel before the dtype check; an empty product is
    # zeros of the second operand's dtype whatever the dtypes
    (lambda: rt.bmm(rt.ones(2, 2, 3, dtype=rt.bool), rt.ones(2, 3, 2, dtype=rt.int64)),
     (NotImplementedError, "\"bmm\" not implemented for 'Bool'")),
    (lambda: rt.bmm(rt.ones(2, 2, 3, dtype=rt.int32), rt.ones(2, 3, 2, dtype=rt.bool)),
     (RuntimeError, "expected scalar type Int but found Bool")),
    (lambda: rt.bmm(rt.ones(2, 2, 3, dtype=rt.int32), rt.ones(2, 4, 2, dtype=rt.int64)),
     (RuntimeError, "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].")),
    (lambda: rt.bmm(rt.ones(2, 2, 0, dtype=rt.int32), rt.ones(2, 0, 2, dtype=rt.int64)), (rt.int64, (2, 2, 2))),
    (lambda: rt.bmm(rt.ones(2, 0, 3, dtype=rt.bool), rt.ones(2, 3, 2)), (rt.float32, (2, 0, 2))),
    (lambda: rt.matmul(rt.ones(3, 2, dtype=rt.int32), rt.ones(2, 2, 0, dtype=rt.int64)), (rt.int64, (2, 3, 0))),
    (lambda: rt.matmul(rt.ones(3, 2, 3, dtype=rt.int32), rt.ones(2, 3, 2, dtype=rt.int64)),
     (RuntimeError, "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0")),
    # matmul folds the batch dims of a 3-D first operand into an mm / mv, whose messages mixed dtypes get
    (lambda: rt.matmul(rt.ones(2, 2, 0, dtype=rt.int32), rt.ones(0, 2, dtype=rt.int64)),
     (RuntimeError, "expected m1 and m2 to have the same dtype, but got: int != long int")),
    (lambda: rt.matmul(rt.ones(2, 2, 3, dtype=rt.int32), rt.ones(3, 2, dtype=rt.int64)),
     (RuntimeError, "expected m1 and m2 to have the same dtype, but got: int != long int")),
    (lambda: rt.matmul(rt.ones(2, 2, 3, dtype=rt.int32), rt.ones(3, dtype=rt.int64)),
     (RuntimeError, "addmv input tensors must have the same dtype, but got Long, Int, and Long")),
    (lambda: rt.matmul(rt.ones(2, 3, 2, dtype=rt.int32).transpose(1, 2), rt.ones(3, 2, dtype=rt.int64)),
     (RuntimeError, "expected scalar type Int but found Long")),
])
def test_batched_product_dtype_rules_as_torch(call, want):
    if isinstance(want[0], type) and issubclass(want[0], Exception):
        with pytest.raises(want[0]) as info:
            call()
        assert str(info.value) == want[1]
    else:
        got = call()
        assert got.dtype == want[0] and tuple(got.shape) == want[1]
        assert not got.any()


def test_empty_bmm_of_mixed_floats_has_gradients_of_each_dtype():
    a = rt.zeros(2, 2, 0, requires_grad=True)
    b = rt.zeros(2, 0, 2, dtype=rt.float64, requires_grad=True)
    y = rt.bmm(a, b)
    assert y.dtype == rt.float64 and y.grad_fn.name() == "BmmBackward0"
    y.sum().backward()
    assert a.grad.dtype == rt.float32 and a.grad.shape == (2, 2, 0)
    assert b.grad.dtype == rt.float64 and b.grad.shape == (2, 0, 2)


EINSUM_RANDOM_EQUATIONS = [
    ("ij,jk->ik", 2), ("ij,kj->", 2), ("ij,ij->i", 2), ("ij,ij->ij", 2), ("i,i->", 2), ("i,i", 2), ("i,i->i", 2),
    ("ij,kl->", 2), ("ij,k->", 2), ("ij,j->i", 2), ("ij,jk,kl->il", 3), ("i,j,k->ijk", 3), ("i,i,i->", 3),
    ("ij,j,k->ik", 3), ("ii,i->i", 2), ("ij->i", 1), ("ij->", 1), ("ii", 1), ("ij", 1), ("bij,bjk->bik", 2),
    ("...ij,...jk->...ik", 2), ("ij,ij->", 2),
]


@needs_torch
def test_einsum_random_dtypes_against_torch():
    import random

    rng = random.Random(0)
    names = ["bool", "int32", "int64", "float32", "float64"]
    for _ in range(600):
        eq, count = rng.choice(EINSUM_RANDOM_EQUATIONS)
        sizes = {c: rng.choice([1, 2, 3]) for c in "bijkl"}
        terms = eq.split("->")[0].split(",")
        shapes = []
        for term in terms:
            shape = [sizes[c] if rng.random() < 0.8 else 1 for c in term.replace("...", "")]
            if "..." in term:
                shape[0:0] = [rng.choice([1, 2])]
            shapes.append(tuple(shape))
        dtypes = [rng.choice(names) for _ in terms]
        arrays = [np.random.default_rng(rng.randrange(1000)).integers(-3, 4, size=s) for s in shapes]
        outcome = []
        for lib in (torch, rt):
            ops = [lib.tensor(a.tolist(), dtype=getattr(lib, d)) for a, d in zip(arrays, dtypes)]
            try:
                r = lib.einsum(eq, *ops)
                outcome.append((str(r.dtype).split(".")[-1], tuple(r.shape), r.tolist()))
            except Exception as e:  # noqa: BLE001 - the exception is part of what must match
                outcome.append((type(e).__name__, str(e)))
        want, got = outcome
        if len(want) == 3 and want[0].startswith("float"):
            assert got[:2] == want[:2], (eq, shapes, dtypes, got, want)
            np.testing.assert_allclose(np.asarray(got[2]), np.asarray(want[2]), rtol=1e-5, atol=1e-5)
        else:
            assert got == want, (eq, shapes, dtypes)


def _graph(t):
    """The grad_fn graph below t as nested (name, children), AccumulateGrad named alike in both libraries."""
    def walk(fn):
        if fn is None:
            return None
        name = fn.name().replace("torch::autograd::", "")
        return (name, tuple(walk(f) for f, _ in fn.next_functions))
    return walk(t.grad_fn)


GRAPH_SHAPES = [(sa, sb) for sa in [(3,), (2, 3), (2, 2, 3), (2, 2, 2, 3), (1, 2, 3)]
                for sb in [(3,), (3, 2), (2, 3, 2), (2, 2, 3, 2), (3, 1), (1, 3, 2)]]


@needs_torch
@pytest.mark.parametrize("grads", ["both", "a", "b"])
@pytest.mark.parametrize("sa,sb", GRAPH_SHAPES)
def test_matmul_records_torchs_graph(sa, sb, grads):
    # B15 of tests/test_opinfo.py: matmul recorded ViewBackward0/SqueezeBackward1/BmmBackward0 where torch
    # decomposes into UnsafeViewBackward0/SqueezeBackward4/CloneBackward0/TransposeBackward0 (folding, squeezing
    # and transposing depend on the ranks, on which operand requires grad and on the strides)
    a, b = rand(*sa, seed=1), rand(*sb, seed=2)
    ra, rb = rt.tensor(a, requires_grad=grads != "b"), rt.tensor(b, requires_grad=grads != "a")
    ta, tb = torch.tensor(a, requires_grad=grads != "b"), torch.tensor(b, requires_grad=grads != "a")
    got, want = ra @ rb, ta @ tb
    assert _graph(got) == _graph(want)
    w = rand(*want.shape, seed=3)
    leaves = [(r, t) for r, t in ((ra, ta), (rb, tb)) if t.requires_grad]
    rgrads = rt.autograd.grad((got * rt.tensor(w)).sum(), [r for r, _ in leaves])
    tgrads = torch.autograd.grad((want * torch.tensor(w)).sum(), [t for _, t in leaves])
    for rg, tg in zip(rgrads, tgrads):
        np.testing.assert_allclose(rg.numpy(), tg.numpy(), rtol=1e-12, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("make", [
    lambda x: x.transpose(0, 1),          # folds only because the vector requires grad: a copy of t1
    lambda x: x.narrow(2, 0, 2),           # viewable but not contiguous: ReshapeAliasBackward0
    lambda x: x.transpose(1, 2).transpose(1, 2),
])
def test_matmul_of_strided_operands_records_torchs_graph(make):
    x = rand(4, 3, 5, seed=4)
    for b_grad in (True, False):
        ra, ta = make(rt.tensor(x, requires_grad=True)), make(torch.tensor(x, requires_grad=True))
        v = rand(ta.shape[-1], seed=5)
        rv, tv = rt.tensor(v, requires_grad=b_grad), torch.tensor(v, requires_grad=b_grad)
        assert _graph(ra @ rv) == _graph(ta @ tv)
        m = rand(ta.shape[-1], 2, seed=6)
        rm, tm = rt.tensor(m, requires_grad=b_grad), torch.tensor(m, requires_grad=b_grad)
        assert _graph(ra @ rm) == _graph(ta @ tm)


@pytest.mark.parametrize("ord, node", [(INF, "AmaxBackward0"), (-INF, "AminBackward0"),
                                       (1, "AmaxBackward0"), (-1, "AminBackward0")])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norms_record_amax_of_a_vector_norm(ord, node, keepdim):
    # B15 of tests/test_opinfo.py: these norms ended in SqueezeBackward1; torch takes amax/amin of a 1-norm
    a = rand(2, 3, 4, seed=7)
    x = rt.tensor(a, requires_grad=True)
    for y in (rt.linalg.matrix_norm(x, ord, keepdim=keepdim), rt.linalg.norm(x, ord, dim=(-2, -1), keepdim=keepdim)):
        assert _graph(y) == (node, (("LinalgVectorNormBackward0", (("AccumulateGrad", ()),)),))
    sums = np.abs(a).sum(axis=-2 if abs(ord) == 1 else -1)
    want = sums.max(axis=-1) if ord > 0 else sums.min(axis=-1)
    got = rt.linalg.matrix_norm(x, ord, keepdim=keepdim)
    np.testing.assert_allclose(got.detach().numpy().reshape(-1), want, rtol=1e-12)
    assert got.shape == ((2, 1, 1) if keepdim else (2,))


@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0), (2, 0, 0), (2, 3, 0), (2, 0, 3), (0, 2, 2)])
@pytest.mark.parametrize("ord", [INF, 1, -INF, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norms_of_empty_matrices(shape, ord, keepdim):
    # B16 of tests/test_opinfo.py: the inf and 1 norms of a (0, 0) matrix raised amax's IndexError; torch gives
    # zeros (a new tensor, no graph) when amax's dim is empty, and amin's error stays (no identity)
    x = rt.zeros(*shape, dtype=rt.float64, requires_grad=True)
    picked = shape[-2] if abs(ord) == INF else shape[-1]
    out_shape = shape[:-2] + ((1, 1) if keepdim else ())
    if picked == 0 and ord < 0:
        dim = len(shape) - 1 if keepdim and abs(ord) == 1 else len(shape) - 2
        with pytest.raises(IndexError, match=re.escape(f"amin(): Expected reduction dim {dim} to have non-zero size.")):
            rt.linalg.matrix_norm(x, ord, keepdim=keepdim)
        return
    y = rt.linalg.matrix_norm(x, ord, keepdim=keepdim)
    assert y.shape == out_shape and y.dtype == rt.float64 and not y.any()
    assert y.requires_grad == (picked != 0)
    if len(shape) == 2:
        assert rt.linalg.norm(x, ord, keepdim=keepdim).shape == out_shape
