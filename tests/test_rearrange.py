"""Rearranging copies (flip, fliplr, flipud, rot90, roll, Tensor.repeat, tile, repeat_interleave):
values, dtypes and shapes against numpy (and torch when installed), non-contiguous inputs and
negative dims, gradients (gradcheck in float64 and torch's node names), identical results for 1
and 2 threads, and torch's errors."""

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


def _same(got, want):
    """`got` (rtensor) equals `want` (numpy) in dtype, shape and values."""
    want = np.array(want)
    assert got.dtype == rt.tensor(want).dtype
    assert tuple(got.shape) == np.asarray(want).shape
    np.testing.assert_array_equal(got.numpy(), want)


# ---- flip, fliplr, flipud -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,dims", [
    ((5,), (0,)), ((3, 4), (0,)), ((3, 4), (1,)), ((3, 4), (0, 1)), ((3, 4), ()),
    ((2, 3, 4), (-1,)), ((2, 3, 4), (0, 2)), ((2, 3, 4), (1, -3)), ((2, 3, 4, 5), (1, 2)),
    ((0, 3), (0,)), ((3, 1, 2), (1,)), ((), ()), ((), (0,)),
])
def test_flip_matches_numpy(shape, dims, dtype):
    a = _data(shape, dtype)
    got = rt.tensor(a).flip(dims)
    _same(got, np.flip(a, dims) if shape else a)
    if dims:
        _same(rt.flip(rt.tensor(a), dims), np.flip(a, dims) if shape else a)
        _same(rt.tensor(a).flip(*dims), np.flip(a, dims) if shape else a)


@pytest.mark.parametrize("dtype", DTYPES)
def test_flips_of_strided_inputs(dtype):
    a = _data((6, 7, 5), dtype)
    t = rt.tensor(a).permute(2, 0, 1)[:, ::2]
    v = np.transpose(a, (2, 0, 1))[:, ::2]
    for dims in [(0,), (1,), (2,), (0, 2), (0, 1, 2)]:
        _same(t.flip(dims), np.flip(v, dims))
    _same(t.fliplr(), np.fliplr(v))
    _same(t.flipud(), np.flipud(v))
    out = t.flip(0)
    assert out.is_contiguous()


def test_flip_errors():
    x = rt.zeros(3, 4)
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        x.flip(0, -2)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        x.flip(2)
    with pytest.raises(RuntimeError, match="Input must be >= 2-d."):
        rt.zeros(3).fliplr()
    with pytest.raises(RuntimeError, match="Input must be >= 1-d."):
        rt.tensor(1.0).flipud()


# ---- rot90 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [-5, -1, 0, 1, 2, 3, 4, 7])
@pytest.mark.parametrize("shape,dims", [((3, 4), (0, 1)), ((3, 4), (1, 0)), ((2, 3, 4), (0, 2)),
                                        ((2, 3, 4), (-1, 1)), ((0, 3), (0, 1))])
def test_rot90_matches_numpy(shape, dims, k, dtype):
    a = _data(shape, dtype)
    _same(rt.tensor(a).rot90(k, dims), np.rot90(a, k, dims))
    _same(rt.rot90(rt.tensor(a), k, list(dims)), np.rot90(a, k, dims))


def test_rot90_default_and_errors():
    a = _data((3, 4), np.float32)
    _same(rt.tensor(a).rot90(), np.rot90(a))
    x = rt.tensor(a)
    with pytest.raises(RuntimeError, match="expected total rotation dims == 2, but got dims = 1"):
        x.rot90(1, [0])
    with pytest.raises(RuntimeError, match="expected total dims >= 2, but got total dims = 1"):
        rt.zeros(3).rot90()
    with pytest.raises(RuntimeError, match="expected rotation dims to be different, but got dim0 = 0 and dim1 = -2"):
        x.rot90(1, [0, -2])
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.rot90(1, [0, 2])


# ---- roll -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,shifts,dims", [
    ((7,), 3, None), ((7,), -9, 0), ((3, 4), 1, None), ((3, 4), 5, 0), ((3, 4), -1, 1),
    ((3, 4), (1, 2), (0, 1)), ((3, 4), (2, 3), (1, 1)), ((2, 3, 4), (1, -2), (-1, 0)),
    ((2, 3, 4), 13, None), ((0, 3), 2, 0), ((0, 3), 2, None), ((2, 3, 4), 0, 1),
])
def test_roll_matches_numpy(shape, shifts, dims, dtype):
    a = _data(shape, dtype)
    got = rt.tensor(a).roll(shifts, dims) if dims is not None else rt.tensor(a).roll(shifts)
    _same(got, np.roll(a, shifts, dims))
    if dims is not None:
        _same(rt.roll(rt.tensor(a), shifts=shifts, dims=dims), np.roll(a, shifts, dims))


def test_roll_of_strided_input_scalar_and_errors():
    a = _data((5, 6), np.int64)
    _same(rt.tensor(a).t().roll(2, 0), np.roll(a.T, 2, 0))
    _same(rt.tensor(a).t().roll(4), np.roll(a.T, 4))
    _same(rt.tensor(3.0).roll(1), np.array(3.0, dtype=np.float32))
    x = rt.zeros(3, 4)
    with pytest.raises(RuntimeError, match="shifts and dimensions must align. shifts: 2, dims:1"):
        x.roll([1, 2], [0])
    with pytest.raises(RuntimeError, match="shifts and dimensions must align. shifts: 2, dims:0"):
        x.roll([1, 2])
    with pytest.raises(RuntimeError, match="`shifts` required"):
        x.roll([], [])
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.roll(1, 2)


# ---- repeat, tile ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,reps", [
    ((3,), (2,)), ((3,), (2, 3)), ((3, 4), (2, 2)), ((3, 4), (1, 3)), ((3, 4), (3, 1)),
    ((2, 3, 4), (2, 1, 2)), ((2, 3), (2, 1, 1, 2)), ((3, 4), (0, 2)), ((0, 4), (2, 2)),
    ((), ()), ((), (3,)), ((), (2, 2)), ((1, 1), (5, 7)), ((5, 1), (1, 1000)),
])
def test_repeat_matches_numpy_tile(shape, reps, dtype):
    a = _data(shape, dtype)
    _same(rt.tensor(a).repeat(*reps) if reps else rt.tensor(a).repeat(reps), np.tile(a, reps))
    _same(rt.tensor(a).repeat(reps), np.tile(a, reps))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,reps", [((3, 4), (2,)), ((3, 4), ()), ((2, 3, 4), (2, 3)),
                                        ((3,), (2, 2)), ((3, 4), (2, 1, 3))])
def test_tile_matches_numpy(shape, reps, dtype):
    a = _data(shape, dtype)
    _same(rt.tile(rt.tensor(a), reps), np.tile(a, reps))
    _same(rt.tensor(a).tile(reps), np.tile(a, reps))


def test_repeat_of_strided_input_and_threads():
    a = _data((40, 30, 20), np.float32)
    t = rt.tensor(a).permute(2, 0, 1)[:, 1::3]
    v = np.transpose(a, (2, 0, 1))[:, 1::3]
    _same(t.repeat(2, 1, 3), np.tile(v, (2, 1, 3)))
    big = rt.tensor(_data((300, 257), np.float32))
    before = rt.get_num_threads()
    try:
        results = []
        for n in (1, 2):
            rt.set_num_threads(n)
            results.append([big.repeat(3, 2).numpy().tobytes(), big.flip(0, 1).numpy().tobytes(),
                            big.roll((5, -7), (0, 1)).numpy().tobytes()])
    finally:
        rt.set_num_threads(before)
    assert results[0] == results[1]


def test_repeat_and_tile_errors():
    x = rt.zeros(3, 4)
    with pytest.raises(RuntimeError, match="Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"):
        x.repeat(2)
    with pytest.raises(RuntimeError, match=r"Trying to create tensor with negative dimension -3: \[-3, 8\]"):
        x.repeat(-1, 2)
    with pytest.raises(RuntimeError, match=r"Trying to create tensor with negative dimension -4: \[3, -4\]"):
        x.tile(-1)
    with pytest.raises(TypeError):
        x.repeat()
    assert not hasattr(rt, "repeat")


# ---- repeat_interleave ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,repeats,dim", [
    ((5,), 2, None), ((3, 4), 3, None), ((3, 4), 2, 0), ((3, 4), 2, 1), ((2, 3, 4), 3, -2),
    ((3, 4), 0, 1), ((), 3, None), ((3, 4), [1, 0, 2], 0), ((3, 4), [2], 1), ((3, 4), [3, 1, 0, 2], -1),
])
def test_repeat_interleave_matches_numpy(shape, repeats, dim, dtype):
    a = _data(shape, dtype)
    want = np.repeat(a, repeats, axis=dim)
    r = rt.tensor(repeats) if isinstance(repeats, list) else repeats
    _same(rt.tensor(a).repeat_interleave(r, dim), want)
    _same(rt.repeat_interleave(rt.tensor(a), r, dim=dim), want)


def test_repeat_interleave_counts_only():
    _same(rt.repeat_interleave(rt.tensor([2, 0, 3])), np.array([0, 0, 2, 2, 2]))
    got = rt.repeat_interleave(rt.tensor([1, 2], dtype=rt.int32), output_size=3)
    _same(got, np.array([0, 1, 1], dtype=np.int32))
    _same(rt.tensor(_data((3, 4), np.float32)).t().repeat_interleave(rt.tensor(2), 0),
          np.repeat(_data((3, 4), np.float32).T, 2, 0))


def test_repeat_interleave_errors():
    x = rt.zeros(3, 4)
    with pytest.raises(RuntimeError, match="Repeats must be non-negative"):
        x.repeat_interleave(-1)
    with pytest.raises(RuntimeError, match=r"repeats must have the same size as input along dim, but got repeats.size\(0\) = 2 and input.size\(0\) = 3"):
        x.repeat_interleave(rt.tensor([1, 2]), 0)
    with pytest.raises(RuntimeError, match="repeats can not be negative"):
        x.repeat_interleave(rt.tensor([-1, 2, 1]), 0)
    with pytest.raises(NotImplementedError, match="\"repeat_interleave_cpu\" not implemented for 'Float'"):
        x.repeat_interleave(rt.tensor([1.0, 2, 1]), 0)
    with pytest.raises(RuntimeError, match="repeats must be 0-dim or 1-dim tensor"):
        x.repeat_interleave(rt.tensor([[1, 2, 1]]), 0)
    with pytest.raises(RuntimeError, match="repeat_interleave only accept 1D vector as repeat"):
        rt.repeat_interleave(rt.tensor([[1, 2]]))
    with pytest.raises(RuntimeError, match="allocated size does not match required size"):
        rt.repeat_interleave(rt.tensor([1, 2]), output_size=2)
    with pytest.raises(RuntimeError, match="repeat_interleave: Invalid output_size, expected 6 but got 5"):
        x.repeat_interleave(2, 0, output_size=5)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.repeat_interleave(2, 2)
    with pytest.raises(TypeError):
        x.repeat_interleave()


# ---- gradients ------------------------------------------------------------------------------

GRAD_CASES = [
    ("flip", lambda t: t.flip(0, 2), "FlipBackward0"),
    ("fliplr", lambda t: t.fliplr(), "FlipBackward0"),
    ("flipud", lambda t: t.flipud(), "FlipBackward0"),
    ("rot90", lambda t: t.rot90(1, [0, 2]), "Rot90Backward0"),
    ("rot90_2", lambda t: t.rot90(2), "Rot90Backward0"),
    ("rot90_3", lambda t: t.rot90(-1, [2, 1]), "Rot90Backward0"),
    ("roll", lambda t: t.roll((1, -2), (0, 2)), "RollBackward0"),
    ("roll_flat", lambda t: t.roll(5), "RollBackward0"),
    ("repeat", lambda t: t.repeat(2, 1, 3), "RepeatBackward0"),
    ("repeat_more", lambda t: t.repeat(2, 2, 1, 3), "RepeatBackward0"),
    ("tile", lambda t: t.tile((2, 1)), "RepeatBackward0"),
    ("interleave_int", lambda t: t.repeat_interleave(3, 1), "ViewBackward0"),
    ("interleave_flat", lambda t: t.repeat_interleave(2), "ViewBackward0"),
]


@pytest.mark.parametrize("name,fn,node", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck_and_node_names(name, fn, node):
    x = rt.tensor(_data((3, 4, 5), np.float64), requires_grad=True)
    y = fn(x)
    assert y.grad_fn.name() == node
    assert rt.autograd.gradcheck(fn, (x,))


def test_interleave_tensor_gradient():
    x = rt.tensor(_data((3, 4), np.float64), requires_grad=True)
    y = x.repeat_interleave(rt.tensor([1, 0, 2]), 0)
    assert y.grad_fn.name() == "IndexSelectBackward0"
    assert rt.autograd.gradcheck(lambda t: t.repeat_interleave(rt.tensor([2, 1, 0, 3]), 1), (x,))


@needs_torch
@pytest.mark.parametrize("name,fn,node", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_matches_torch_values_gradients_and_names(name, fn, node):
    a = _data((3, 4, 5), np.float64)
    x = rt.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    y, ty = fn(x), fn(tx)
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    assert y.grad_fn.name() == ty.grad_fn.name()
    assert tuple(y.stride()) == tuple(ty.stride())
    w = _data(tuple(ty.shape), np.float64, seed=1)
    (y * rt.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_dtypes_match_torch(dtype):
    a = _data((3, 4), dtype)
    for fn in [lambda t: t.flip(0), lambda t: t.rot90(), lambda t: t.roll(1, 1), lambda t: t.repeat(2, 1),
               lambda t: t.tile((2,)), lambda t: t.repeat_interleave(2, 0)]:
        got, want = fn(rt.tensor(a)), fn(torch.tensor(a))
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        np.testing.assert_array_equal(got.numpy(), want.numpy())
