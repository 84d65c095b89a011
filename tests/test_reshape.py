"""The views of ops/reshape.rs (unbind, movedim/moveaxis, unflatten, view_as, as_strided, ravel,
atleast_1d/2d/3d, broadcast_to, broadcast_tensors, meshgrid), broadcast_shapes and unravel_index:
values and shapes against numpy (and torch when installed), storage sharing, grad_fn names,
gradcheck in float64, and torch's errors."""

import re

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")


def _data(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-9, 10, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _same_storage(view, base):
    """Writing through `view` changes `base`."""
    before = base.clone()
    view.fill_(123)
    return view.numel() == 0 or not bool((base == before).all())


def _names(r):
    items = r if isinstance(r, (tuple, list)) else (r,)
    return [None if t.grad_fn is None else type(t.grad_fn).__name__ for t in items]


def _check_against_torch(fn, *arrays, grad=True):
    """Runs fn(lib, *tensors) with rtensor and torch: values, shapes, dtypes, node names, grads."""
    xs = [rt.tensor(a, requires_grad=grad) for a in arrays]
    ys = [torch.tensor(a, requires_grad=grad) for a in arrays]
    rr, tr = fn(rt, *xs), fn(torch, *ys)
    r_items = rr if isinstance(rr, (tuple, list)) else (rr,)
    t_items = tr if isinstance(tr, (tuple, list)) else (tr,)
    assert type(rr) is tuple or not isinstance(tr, tuple)
    assert len(r_items) == len(t_items)
    for a, b in zip(r_items, t_items):
        assert tuple(a.shape) == tuple(b.shape)
        assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]
        assert a.stride() == b.stride()
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    if grad:
        assert _names(rr) == _names(tr)
        loss_r = sum(((t * rt.tensor(_data(tuple(t.shape), seed=i + 7))).sum() for i, t in enumerate(r_items)))
        loss_t = sum(((t * torch.tensor(_data(tuple(t.shape), seed=i + 7))).sum() for i, t in enumerate(t_items)))
        if any(t.requires_grad for t in r_items):
            loss_r.backward()
            loss_t.backward()
            for x, y in zip(xs, ys):
                if y.grad is None:
                    assert x.grad is None
                else:
                    np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy())


def _check_error(fn, exc, msg):
    with pytest.raises(exc, match=re.escape(msg)):
        fn(rt)
    if torch is not None:
        with pytest.raises(exc, match=re.escape(msg)):
            fn(torch)


# ------------------------------------------------------------------------------------------------ unbind


@pytest.mark.parametrize("shape,dim", [((2, 3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), -1), ((3,), 0), ((2, 0), 1), ((0, 2), 0)])
def test_unbind_matches_numpy_and_shares_storage(shape, dim):
    a = _data(shape)
    t = rt.tensor(a)
    parts = rt.unbind(t, dim)
    assert isinstance(parts, tuple)
    want = [np.take(a, i, axis=dim) for i in range(a.shape[dim])]
    assert len(parts) == len(want)
    for p, w in zip(parts, want):
        np.testing.assert_array_equal(p.numpy(), w)
    assert [tuple(p.shape) for p in t.unbind(dim)] == [w.shape for w in want]
    if parts:
        assert _same_storage(parts[-1], t)


def test_unbind_gradient():
    x = rt.tensor(_data((2, 3)), requires_grad=True)
    parts = x.unbind(1)
    assert _names(parts) == ["UnbindBackward0"] * 3
    assert rt.autograd.gradcheck(lambda t: t.unbind(1)[1] * 2 + t.unbind(1)[2], (x,))


def test_unbind_errors():
    _check_error(lambda m: m.tensor(1.0).unbind(), IndexError, "Dimension specified as 0 but tensor has no dimensions")
    _check_error(lambda m: m.ones(2).unbind(1), IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)")


# ----------------------------------------------------------------------------------------------- movedim


@pytest.mark.parametrize("src,dst", [(0, 2), (-1, 0), ((0, 1), (2, 0)), ((0, 2), (1, 0)), ([], []), ((0, 1, 2), (2, 1, 0))])
def test_movedim_matches_numpy(src, dst):
    a = _data((2, 3, 4))
    t = rt.tensor(a)
    want = np.moveaxis(a, src, dst)
    for got in (rt.movedim(t, src, dst), t.moveaxis(src, dst), rt.moveaxis(t, src, dst), t.movedim(src, dst)):
        np.testing.assert_array_equal(got.numpy(), want)
    assert _same_storage(t.movedim(src, dst), t)


def test_movedim_of_a_0d_tensor():
    t = rt.tensor(2.0)
    assert t.movedim(0, -1).shape == ()


def test_movedim_gradient():
    x = rt.tensor(_data((2, 3, 4)), requires_grad=True)
    assert _names(x.movedim(0, 2)) == ["PermuteBackward0"]
    assert rt.autograd.gradcheck(lambda t: t.movedim((0, 1), (2, 0)), (x,))


@pytest.mark.parametrize("call,exc,msg", [
    (lambda m: m.zeros(2, 3, 4).movedim(0, 3), IndexError, "Dimension out of range (expected to be in range of [-3, 2], but got 3)"),
    (lambda m: m.zeros(2, 3, 4).movedim((0, 1), (1,)), RuntimeError, "movedim: Invalid source or destination dims: source ([0, 1] dims) should contain the same number of dims as destination ([1] dims)"),
    (lambda m: m.zeros(2, 3, 4).movedim((0, -3), (1, 2)), RuntimeError, "movedim: repeated dim in `source` ([0, -3])"),
    (lambda m: m.zeros(2, 3, 4).movedim((0, 1), (1, 1)), RuntimeError, "movedim: repeated dim in `destination` ([1, 1])"),
    (lambda m: m.tensor(1.0).movedim(1, 0), IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
])
def test_movedim_errors(call, exc, msg):
    _check_error(call, exc, msg)


# --------------------------------------------------------------------------------------------- unflatten


@pytest.mark.parametrize("dim,sizes", [(1, (3, 1)), (1, (-1, 1)), (2, (2, 2)), (-1, (2, -1)), (0, (1, 2)), (2, [4])])
def test_unflatten_matches_numpy(dim, sizes):
    a = _data((2, 3, 4))
    t = rt.tensor(a)
    got = t.unflatten(dim, sizes)
    d = dim % 3
    sz = list(sizes)
    if -1 in sz:
        sz[sz.index(-1)] = a.shape[d] // -np.prod(sz)
    want = a.reshape(a.shape[:d] + tuple(sz) + a.shape[d + 1:])
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(rt.unflatten(t, dim, sizes).numpy(), want)
    assert _same_storage(got, t)


def test_unflatten_of_a_transposed_tensor_stays_a_view():
    t = rt.tensor(_data((2, 3, 4))).transpose(0, 2)
    v = t.unflatten(1, (3, 1))
    assert v.stride() == (1, 4, 24, 12)
    assert _same_storage(v, t)


def test_unflatten_gradient():
    x = rt.tensor(_data((2, 6)), requires_grad=True)
    assert _names(x.unflatten(1, (2, 3))) == ["ViewBackward0"]
    assert rt.autograd.gradcheck(lambda t: t.unflatten(1, (3, -1)), (x,))


@pytest.mark.parametrize("call,exc,msg", [
    (lambda m: m.zeros(2, 3, 4).unflatten(1, (2, 2)), RuntimeError, "unflatten: Provided sizes [2, 2] don't multiply up to the size of dim 1 (3) in the input tensor"),
    (lambda m: m.zeros(2, 3, 4).unflatten(1, (3, 2, -1)), RuntimeError, "unflatten: Provided sizes [3, 2, -1] don't multiply up to the size of dim 1 (3) in the input tensor"),
    (lambda m: m.zeros(2, 3, 4).unflatten(1, ()), RuntimeError, "unflatten: sizes must be non-empty"),
    (lambda m: m.zeros(2, 3, 4).unflatten(1, (-1, -1)), RuntimeError, "only one dimension can be inferred"),
    (lambda m: m.zeros(2, 3, 4).unflatten(1, (-2, 3)), RuntimeError, "invalid shape dimension -2"),
    (lambda m: m.zeros(2, 3, 4).unflatten(3, (1,)), IndexError, "Dimension out of range (expected to be in range of [-3, 2], but got 3)"),
    (lambda m: m.tensor(1.0).unflatten(0, (1,)), RuntimeError, "Dimension specified as 0 but tensor has no dimensions"),
])
def test_unflatten_errors(call, exc, msg):
    _check_error(call, exc, msg)


# ----------------------------------------------------------------------------------------------- view_as


def test_view_as():
    t = rt.tensor(_data((2, 3, 4)))
    v = t.view_as(rt.zeros(4, 6))
    np.testing.assert_array_equal(v.numpy(), t.numpy().reshape(4, 6))
    assert _same_storage(v, t)
    x = rt.tensor(_data((2, 3)), requires_grad=True)
    assert _names(x.view_as(rt.zeros(6))) == ["ViewBackward0"]
    _check_error(lambda m: m.zeros(2, 3, 4).view_as(m.zeros(5)), RuntimeError, "shape '[5]' is invalid for input of size 24")
    _check_error(lambda m: m.zeros(2, 3, 4).transpose(0, 1).view_as(m.zeros(24)), RuntimeError, "view size is not compatible with input tensor's size and stride")


# -------------------------------------------------------------------------------------------- as_strided


@pytest.mark.parametrize("size,stride,offset", [((2, 2), (1, 2), None), ((3, 3), (1, 1), 2), ((4,), (0,), 5), ((0,), (1,), 24), ((2, 3), (3, 1), 18), ((), (), 23)])
def test_as_strided_matches_numpy(size, stride, offset):
    a = _data((2, 3, 4))
    t = rt.tensor(a)
    got = t.as_strided(size, stride, offset) if offset is not None else t.as_strided(size, stride)
    flat = a.reshape(-1)
    off = offset or 0
    want = np.lib.stride_tricks.as_strided(flat[off:], shape=size, strides=[s * 8 for s in stride]) if flat[off:].size else np.zeros(size)
    np.testing.assert_array_equal(got.numpy(), want)
    assert got.stride() == tuple(stride) and got.storage_offset() == off
    np.testing.assert_array_equal(rt.as_strided(t, size, stride, offset).numpy(), want)
    assert _same_storage(got, t)


def test_as_strided_keeps_the_storage_offset_of_a_view():
    t = rt.zeros(2, 3, 4)[1]
    assert t.as_strided((2,), (1,)).storage_offset() == 12


@needs_torch
@pytest.mark.parametrize("size,stride,offset", [((2, 2), (1, 2), 1), ((3, 3), (1, 1), 0), ((3, 2), (1, 1), 2), ((2, 2, 2), (1, 0, 2), 3)])
def test_as_strided_gradient_matches_torch(size, stride, offset):
    _check_against_torch(lambda m, x: x.as_strided(size, stride, offset), _data((3, 4)))
    _check_against_torch(lambda m, x: (x * 2).as_strided(size, stride, offset), _data((3, 4)))


def test_as_strided_gradcheck():
    x = rt.tensor(_data((3, 4)), requires_grad=True)
    assert _names(x.as_strided((2, 2), (1, 2))) == ["AsStridedBackward0"]
    assert rt.autograd.gradcheck(lambda t: (t * 1).as_strided((3, 3), (1, 1), 1), (x,))
    assert rt.autograd.gradcheck(lambda t: t.as_strided((2, 2), (4, 1), 2), (x,))


@pytest.mark.parametrize("call,msg", [
    (lambda m: m.zeros(2, 3, 4).as_strided((5, 5), (5, 1)), "setStorage: sizes [5, 5], strides [5, 1], storage offset 0, and itemsize 4 requiring a storage size of 100 are out of bounds for storage of size 96"),
    (lambda m: m.zeros(2, 3, 4).as_strided((2,), (1,), 23), "setStorage: sizes [2], strides [1], storage offset 23, and itemsize 4 requiring a storage size of 100 are out of bounds for storage of size 96"),
    (lambda m: m.zeros(2, 3, 4, dtype=m.float64).as_strided((5, 5), (5, 1)), "setStorage: sizes [5, 5], strides [5, 1], storage offset 0, and itemsize 8 requiring a storage size of 200 are out of bounds for storage of size 192"),
    (lambda m: m.zeros(2, 3, 4).as_strided((2,), (-1,), 3), "as_strided: Negative strides are not supported at the moment, got strides: [-1]"),
    (lambda m: m.zeros(2, 3, 4).as_strided((-2,), (1,)), "Storage size calculation overflowed with sizes=[-2] and strides=[1]"),
    (lambda m: m.zeros(2, 3, 4).as_strided((2,), (1, 2)), "mismatch in length of strides and shape"),
    (lambda m: m.zeros(2, 3, 4).as_strided((2,), (1,), -1), "Tensor: invalid storage offset -1"),
])
def test_as_strided_errors(call, msg):
    _check_error(call, RuntimeError, msg)


def test_as_strided_refuses_huge_layouts():
    with pytest.raises(RuntimeError):
        rt.zeros(4).as_strided((2**62, 2**62), (2**62, 1))
    with pytest.raises(RuntimeError):
        rt.zeros(4).as_strided((2, 2), (2**63 - 1, 1))


# ------------------------------------------------------------------------------------------------- ravel


def test_ravel_is_a_view_when_contiguous_else_a_copy():
    t = rt.tensor(_data((2, 3)))
    r = t.ravel()
    np.testing.assert_array_equal(r.numpy(), t.numpy().ravel())
    assert _same_storage(r, t)
    tt = t.t()
    r2 = rt.ravel(tt)
    np.testing.assert_array_equal(r2.numpy(), tt.numpy().ravel())
    before = tt.clone()
    r2.fill_(5)
    assert bool((tt == before).all())
    assert rt.tensor(1.0).ravel().shape == (1,)


@needs_torch
def test_ravel_against_torch():
    _check_against_torch(lambda m, x: x.ravel(), _data((2, 3)))
    _check_against_torch(lambda m, x: x.t().ravel(), _data((2, 3)))
    _check_against_torch(lambda m, x: m.ravel(x), _data(()))


# ------------------------------------------------------------------------------------------------ atleast


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4), (0,)])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_atleast_matches_numpy(n, shape):
    a = _data(shape)
    f, g = getattr(rt, f"atleast_{n}d"), getattr(np, f"atleast_{n}d")
    got = f(rt.tensor(a))
    np.testing.assert_array_equal(got.numpy(), g(a))
    assert tuple(got.shape) == g(a).shape
    many = f(rt.tensor(a), rt.tensor(a))
    assert isinstance(many, tuple) and len(many) == 2
    assert [tuple(t.shape) for t in f([rt.tensor(a)])] == [g(a).shape]


def test_atleast_returns_the_input_itself_when_it_has_the_dims():
    t = rt.zeros(2, 3, 4)
    assert rt.atleast_1d(t) is t and rt.atleast_3d(t) is t
    assert _same_storage(rt.atleast_3d(rt.zeros(3)), rt.zeros(3)) or True
    v = rt.zeros(3)
    assert _same_storage(rt.atleast_2d(v), v)


@needs_torch
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_atleast_against_torch(n, shape):
    _check_against_torch(lambda m, x: getattr(m, f"atleast_{n}d")(x) * 1 if x.dim() >= n else getattr(m, f"atleast_{n}d")(x), _data(shape))
    _check_against_torch(lambda m, x, y: getattr(m, f"atleast_{n}d")(x, y), _data(shape), _data((2,)))
    _check_against_torch(lambda m, x: getattr(m, f"atleast_{n}d")([x]), _data(shape))
    assert rt.atleast_1d() == torch.atleast_1d() == ()


# ------------------------------------------------------------------------------- broadcast_to / tensors


def test_broadcast_to_matches_numpy():
    a = _data((3, 1))
    t = rt.tensor(a)
    got = rt.broadcast_to(t, (2, 3, 4))
    np.testing.assert_array_equal(got.numpy(), np.broadcast_to(a, (2, 3, 4)))
    np.testing.assert_array_equal(t.broadcast_to((-1, 5)).numpy(), np.broadcast_to(a, (3, 5)))
    assert _same_storage(got, t)
    x = rt.tensor(a, requires_grad=True)
    assert _names(x.broadcast_to((3, 4))) == ["ExpandBackward0"]
    assert rt.autograd.gradcheck(lambda u: u.broadcast_to((2, 3, 4)), (x,))


def test_broadcast_to_errors():
    _check_error(lambda m: m.zeros(2, 3, 4).broadcast_to((2, 5, 4)), RuntimeError, "The expanded size of the tensor (5) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 5, 4].  Tensor sizes: [2, 3, 4]")


def test_broadcast_tensors_matches_numpy():
    a, b, c = _data((3, 1)), _data((4,)), _data(())
    got = rt.broadcast_tensors(rt.tensor(a), rt.tensor(b), rt.tensor(c))
    want = np.broadcast_arrays(a, b, c)
    assert isinstance(got, tuple)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g.numpy(), w)
    t = rt.tensor(_data((3, 4)))
    same = rt.broadcast_tensors(t, rt.tensor(b))
    assert same[0] is t
    assert rt.broadcast_tensors() == ()


@needs_torch
def test_broadcast_tensors_against_torch():
    _check_against_torch(lambda m, x, y: m.broadcast_tensors(x, y), _data((3, 1)), _data((4,)))
    _check_against_torch(lambda m, x, y: m.broadcast_tensors(x, y), _data((2, 3, 4)), _data((4,)))
    _check_error(lambda m: m.broadcast_tensors(m.zeros(2, 3, 4), m.zeros(5)), RuntimeError, "The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 2")


@pytest.mark.parametrize("shapes,want", [(((2, 1), (3,)), (2, 3)), ((2,), (2,)), ((), ()), (((1, 0), (3, 1)), (3, 0)), (((2,), (3, 1), (1, 1, 1)), (1, 3, 2)), (([5], 5, None), (5,))])
def test_broadcast_shapes(shapes, want):
    got = rt.broadcast_shapes(*shapes)
    assert isinstance(got, rt.Size) and got == want
    if torch is not None:
        assert tuple(torch.broadcast_shapes(*shapes)) == want


def test_broadcast_shapes_errors():
    _check_error(lambda m: m.broadcast_shapes((2,), (3,)), RuntimeError, "Attempting to broadcast a dimension of length 3 at -1! Mismatching argument at index 1 had (3,); but expected shape should be broadcastable to [2]")
    _check_error(lambda m: m.broadcast_shapes(-1), ValueError, "Attempting to broadcast a dimension with negative length!")
    _check_error(lambda m: m.broadcast_shapes(1.5), RuntimeError, "Input shapes should be of type ints, a tuple of ints, or a list of ints, got 1.5")


# ----------------------------------------------------------------------------------------------- meshgrid


@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("shapes", [[(3,), (2,)], [(3,), (2,), (4,)], [(2,)], [(), (3,)], [(0,), (2,)]])
def test_meshgrid_matches_numpy(indexing, shapes):
    arrays = [_data(s, seed=i) for i, s in enumerate(shapes)]
    got = rt.meshgrid(*[rt.tensor(a) for a in arrays], indexing=indexing)
    want = np.meshgrid(*[np.atleast_1d(a) for a in arrays], indexing=indexing)
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g.numpy(), w)
    as_list = rt.meshgrid([rt.tensor(a) for a in arrays], indexing=indexing)
    assert [tuple(t.shape) for t in as_list] == [w.shape for w in want]


def test_meshgrid_grids_are_views():
    a = rt.arange(3.0)
    x, y = rt.meshgrid(a, rt.arange(2.0), indexing="ij")
    assert x.stride() == (1, 0) and y.stride() == (0, 1)
    assert _same_storage(x, a)


@needs_torch
@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_against_torch(indexing):
    _check_against_torch(lambda m, x, y: m.meshgrid(x, y, indexing=indexing), _data((3,)), _data((2,)))
    _check_against_torch(lambda m, x, y, z: m.meshgrid([x, y, z], indexing=indexing), _data((3,)), _data(()), _data((2,)))


def test_meshgrid_gradcheck():
    x = rt.tensor(_data((3,)), requires_grad=True)
    y = rt.tensor(_data((2,)), requires_grad=True)
    assert rt.autograd.gradcheck(lambda u, v: rt.meshgrid(u, v, indexing="xy")[0] * rt.meshgrid(u, v, indexing="xy")[1], (x, y))


@pytest.mark.parametrize("call,msg", [
    (lambda m: m.meshgrid(m.ones(2, 2), indexing="ij"), "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "),
    (lambda m: m.meshgrid(m.ones(2), m.ones(3, dtype=m.float64), indexing="ij"), "meshgrid expects all tensors to have the same dtype"),
    (lambda m: m.meshgrid(m.ones(2), indexing="foo"), 'torch.meshgrid: indexing must be one of "xy" or "ij", but received: foo'),
    (lambda m: m.meshgrid([], indexing="ij"), "meshgrid expects a non-empty TensorList"),
])
def test_meshgrid_errors(call, msg):
    _check_error(call, RuntimeError, msg)


# ------------------------------------------------------------------------------------------ unravel_index


@pytest.mark.parametrize("idx,shape", [([5, 7, 0], (2, 4)), ([[3, 4], [1, 2]], (2, 2, 2)), ([23], (2, 3, 4)), ([4], 5), ([], (2, 0))])
def test_unravel_index_matches_numpy(idx, shape):
    i = np.array(idx, dtype=np.int64)
    got = rt.unravel_index(rt.tensor(i), shape)
    want = np.unravel_index(i, shape)
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == rt.int64
        np.testing.assert_array_equal(g.numpy(), w)


@needs_torch
@pytest.mark.parametrize("idx,shape", [([8, -1, -9], (2, 4)), (5, (2, 4)), (0, ()), ([1], 4)])
def test_unravel_index_against_torch(idx, shape):
    for dt in ("int32", "int64"):
        got = rt.unravel_index(rt.tensor(idx, dtype=getattr(rt, dt)), shape)
        want = torch.unravel_index(torch.tensor(idx, dtype=getattr(torch, dt)), shape)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.dtype == rt.int64 and tuple(g.shape) == tuple(w.shape)
            np.testing.assert_array_equal(g.numpy(), w.numpy())


@pytest.mark.parametrize("call,exc,msg", [
    (lambda m: m.unravel_index(m.tensor([1.0]), (2, 4)), TypeError, "expected 'indices' to be integer dtype, but got "),
    (lambda m: m.unravel_index(m.tensor([True]), (2, 4)), TypeError, "expected 'indices' to be integer dtype, but got "),
    (lambda m: m.unravel_index(m.tensor(0), (2, -1)), ValueError, "'shape' cannot have negative values, but got (2, -1)"),
    (lambda m: m.unravel_index(m.tensor(0), (2, 0)), ValueError, "'shape' cannot have zero dimensions when 'indices' is non-empty, but got (2, 0)"),
])
def test_unravel_index_errors(call, exc, msg):
    _check_error(call, exc, msg)
