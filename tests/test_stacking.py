"""Joins and splits of ops/stacking.rs (hstack, vstack, row_stack, dstack, column_stack, tensor_split,
hsplit, vsplit, dsplit, narrow_copy) and split with a list of sizes: values against numpy (and torch
when installed), views, grad_fn names, gradcheck in float64, out=, and torch's errors."""

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
    before = base.clone()
    view.fill_(123)
    return view.numel() == 0 or not bool((base == before).all())


def _check_error(fn, exc, msg):
    with pytest.raises(exc, match=re.escape(msg)):
        fn(rt)
    if torch is not None:
        with pytest.raises(exc, match=re.escape(msg)):
            fn(torch)


def _check_against_torch(fn, *arrays):
    xs = [rt.tensor(a, requires_grad=True) for a in arrays]
    ys = [torch.tensor(a, requires_grad=True) for a in arrays]
    rr, tr = fn(rt, *xs), fn(torch, *ys)
    r_items = rr if isinstance(rr, (tuple, list)) else (rr,)
    t_items = tr if isinstance(tr, (tuple, list)) else (tr,)
    assert len(r_items) == len(t_items)
    for a, b in zip(r_items, t_items):
        assert tuple(a.shape) == tuple(b.shape) and a.stride() == b.stride()
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
        assert type(a.grad_fn).__name__ == type(b.grad_fn).__name__
    loss_r = sum((t * rt.tensor(_data(tuple(t.shape), seed=i + 5))).sum() for i, t in enumerate(r_items))
    loss_t = sum((t * torch.tensor(_data(tuple(t.shape), seed=i + 5))).sum() for i, t in enumerate(t_items))
    loss_r.backward()
    loss_t.backward()
    for x, y in zip(xs, ys):
        np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy())


STACK_SHAPES = [[(3,), (3,)], [(), ()], [(2, 3), (2, 3)], [(2, 3, 4), (2, 3, 4)], [(3,)], [(2, 1), (2, 3)]]


@pytest.mark.parametrize("op", ["hstack", "vstack", "row_stack", "dstack", "column_stack"])
@pytest.mark.parametrize("shapes", STACK_SHAPES)
def test_stacks_match_numpy(op, shapes):
    arrays = [_data(s, seed=i) for i, s in enumerate(shapes)]
    np_op = getattr(np, op)
    try:
        want = np_op(arrays)
    except ValueError:
        with pytest.raises(RuntimeError):
            getattr(rt, op)([rt.tensor(a) for a in arrays])
        return
    got = getattr(rt, op)([rt.tensor(a) for a in arrays])
    assert tuple(got.shape) == want.shape
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(getattr(rt, op)(tuple(rt.tensor(a) for a in arrays)).numpy(), want)


@pytest.mark.parametrize("op", ["hstack", "vstack", "dstack", "column_stack"])
def test_stacks_promote_and_take_out(op):
    a, b = rt.ones(2, 2, dtype=rt.int64), rt.ones(2, 2, dtype=rt.float32)
    got = getattr(rt, op)([a, b])
    assert got.dtype == rt.float32
    out = rt.empty(*getattr(np, op)([b.numpy(), b.numpy()]).shape)
    r = getattr(rt, op)([b, b], out=out)
    assert r is out
    np.testing.assert_array_equal(out.numpy(), getattr(np, op)([b.numpy(), b.numpy()]))


@needs_torch
@pytest.mark.parametrize("op", ["hstack", "vstack", "row_stack", "dstack", "column_stack"])
@pytest.mark.parametrize("shapes", [[(3,), (3,)], [(), ()], [(2, 3), (2, 3)], [(2, 3, 4), (2, 3, 4)]])
def test_stacks_against_torch(op, shapes):
    _check_against_torch(lambda m, *ts: getattr(m, op)(list(ts)), *[_data(s, seed=i) for i, s in enumerate(shapes)])


def test_stack_gradcheck():
    x = rt.tensor(_data((3,)), requires_grad=True)
    y = rt.tensor(_data((3,), seed=1), requires_grad=True)
    for op in ("hstack", "vstack", "dstack", "column_stack"):
        assert rt.autograd.gradcheck(lambda u, v: getattr(rt, op)([u, v]), (x, y))


@pytest.mark.parametrize("call,msg", [
    (lambda m: m.hstack([]), "hstack expects a non-empty TensorList"),
    (lambda m: m.vstack([]), "vstack expects a non-empty TensorList"),
    (lambda m: m.dstack([]), "dstack expects a non-empty TensorList"),
    (lambda m: m.column_stack([]), "column_stack expects a non-empty TensorList"),
    (lambda m: m.hstack([m.ones(2), m.ones(2, 2)]), "Tensors must have same number of dimensions: got 1 and 2"),
    (lambda m: m.hstack([m.ones(2, 3), m.ones(3, 2)]), "Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1 in the list."),
    (lambda m: m.column_stack([m.ones(2, 2, 2), m.ones(2, 3)]), "Tensors must have same number of dimensions: got 3 and 2"),
])
def test_stack_errors(call, msg):
    _check_error(call, RuntimeError, msg)


# ------------------------------------------------------------------------------------------ tensor_split


@pytest.mark.parametrize("spec", [1, 2, 3, 5, [1, 2], [5, 1, -1], [], [0, 0, 3], [-2]])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_tensor_split_matches_numpy(spec, dim):
    a = _data((4, 3, 5))
    t = rt.tensor(a)
    want = np.array_split(a, spec, axis=dim) if isinstance(spec, int) else np.split(a, spec, axis=dim)
    for got in (t.tensor_split(spec, dim), rt.tensor_split(t, spec, dim=dim)):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert tuple(g.shape) == w.shape
            np.testing.assert_array_equal(g.numpy(), w)
    tensor_spec = rt.tensor(spec, dtype=rt.int64)
    got = t.tensor_split(tensor_spec, dim)
    assert [tuple(g.shape) for g in got] == [w.shape for w in want]
    parts = t.tensor_split(spec, dim)
    nonempty = [p for p in parts if p.numel()]
    if nonempty:
        assert _same_storage(nonempty[0], t)


def test_tensor_split_keywords():
    t = rt.zeros(2, 3, 4)
    assert [tuple(p.shape) for p in t.tensor_split(indices=[1], dim=1)] == [(2, 1, 4), (2, 2, 4)]
    assert [tuple(p.shape) for p in t.tensor_split(sections=2, dim=1)] == [(2, 2, 4), (2, 1, 4)]


def test_tensor_split_gradient():
    x = rt.tensor(_data((4, 3)), requires_grad=True)
    assert {type(p.grad_fn).__name__ for p in x.tensor_split(2)} == {"SliceBackward0"}
    assert rt.autograd.gradcheck(lambda u: u.tensor_split([1, 3])[1] * 3, (x,))


@pytest.mark.parametrize("call,msg", [
    (lambda m: m.zeros(2, 3).tensor_split(0, 1), "number of sections must be larger than 0, got 0"),
    (lambda m: m.zeros(2, 3).tensor_split(-1, 1), "number of sections must be larger than 0, got -1"),
    (lambda m: m.tensor(1.0).tensor_split(2), "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"),
    (lambda m: m.zeros(2, 3).tensor_split(m.tensor([1.0]), 1), "tensor_split expected tensor_indices_or_sections to have dtype of long, but got Float"),
    (lambda m: m.zeros(2, 3).tensor_split(m.tensor([1], dtype=m.int32), 1), "tensor_split expected tensor_indices_or_sections to have dtype of long, but got Int"),
    (lambda m: m.zeros(2, 3).tensor_split(m.tensor([[1]]), 1), "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with 2 dims"),
])
def test_tensor_split_errors(call, msg):
    _check_error(call, RuntimeError, msg)


# ------------------------------------------------------------------------------------ hsplit/vsplit/dsplit


@pytest.mark.parametrize("op", ["hsplit", "vsplit", "dsplit"])
@pytest.mark.parametrize("spec", [1, 2, [1], [1, 5], []])
def test_numpy_splits_match_numpy(op, spec):
    a = _data((4, 2, 6))
    want = getattr(np, op)(a, spec)
    got = getattr(rt, op)(rt.tensor(a), spec)
    got2 = getattr(rt.tensor(a), op)(spec)
    assert isinstance(got, tuple) and len(got) == len(want) == len(got2)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g.numpy(), w)


def test_hsplit_of_a_vector():
    a = _data((4,))
    for g, w in zip(rt.hsplit(rt.tensor(a), 2), np.hsplit(a, 2)):
        np.testing.assert_array_equal(g.numpy(), w)


@pytest.mark.parametrize("call,msg", [
    (lambda m: m.tensor(1.0).hsplit(1), "torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 dimensions!"),
    (lambda m: m.ones(3).vsplit(1), "torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with 1 dimensions!"),
    (lambda m: m.ones(3, 4).dsplit(1), "torch.dsplit requires a tensor with at least 3 dimension, but got a tensor with 2 dimensions!"),
    (lambda m: m.zeros(2, 3, 4).hsplit(2), "torch.hsplit attempted to split along dimension 1, but the size of the dimension 3 is not divisible by the split_size 2!"),
    (lambda m: m.zeros(2, 3, 4).vsplit(3), "torch.vsplit attempted to split along dimension 0, but the size of the dimension 2 is not divisible by the split_size 3!"),
    (lambda m: m.zeros(2, 3, 4).dsplit(3), "torch.dsplit attempted to split along dimension 2, but the size of the dimension 4 is not divisible by the split_size 3!"),
    (lambda m: m.ones(4).hsplit(3), "torch.hsplit attempted to split along dimension 0, but the size of the dimension 4 is not divisible by the split_size 3!"),
    (lambda m: m.zeros(2, 3, 4).hsplit(0), "torch.hsplit attempted to split along dimension 1, but the size of the dimension 3 is not divisible by the split_size 0!"),
    (lambda m: m.zeros(2, 3, 4).hsplit(-1), "number of sections must be larger than 0, got -1"),
])
def test_numpy_split_errors(call, msg):
    _check_error(call, RuntimeError, msg)


@pytest.mark.parametrize("call,msg", [
    (lambda m: m.zeros(2, 3, 4).split([1, 1], 1), "split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at dimension 1), but got split_sizes=[1, 1]"),
    (lambda m: m.zeros(2, 3, 4).split([1, -1, 3], 1), "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[1, -1, 3]"),
])
def test_split_with_sizes_errors(call, msg):
    _check_error(call, RuntimeError, msg)


# ------------------------------------------------------------------------------------------- narrow_copy


@pytest.mark.parametrize("dim,start,length", [(1, 0, 2), (1, -1, 1), (0, 1, 1), (2, 1, 3), (1, 3, 0)])
def test_narrow_copy_is_a_copy(dim, start, length):
    a = _data((2, 3, 4))
    t = rt.tensor(a)
    got = t.narrow_copy(dim, start, length)
    s = start % a.shape[dim] if start < 0 else start
    want = np.take(a, range(s, s + length), axis=dim)
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(rt.narrow_copy(t, dim, start, length).numpy(), want)
    assert got.is_contiguous()
    got.fill_(7)
    np.testing.assert_array_equal(t.numpy(), a)


def test_narrow_copy_gradient_and_out():
    x = rt.tensor(_data((3, 4)), requires_grad=True)
    y = x.narrow_copy(1, 1, 2)
    assert type(y.grad_fn).__name__ == "NarrowCopyBackward0"
    assert rt.autograd.gradcheck(lambda u: u.narrow_copy(1, 1, 2), (x,))
    out = rt.empty(2, 4, dtype=rt.float64)
    rt.narrow_copy(x.detach(), 0, 1, 2, out=out)
    np.testing.assert_array_equal(out.numpy(), x.detach().numpy()[1:3])


@pytest.mark.parametrize("call,exc,msg", [
    (lambda m: m.zeros(2, 3, 4).narrow_copy(1, 2, 2), RuntimeError, "start (2) + length (2) exceeds dimension size (3)."),
    (lambda m: m.zeros(2, 3, 4).narrow_copy(1, 4, 0), IndexError, "start out of range (expected to be in range of [-3, 3], but got 4)"),
    (lambda m: m.zeros(2, 3, 4).narrow_copy(1, -4, 1), IndexError, "start out of range (expected to be in range of [-3, 3], but got -4)"),
    (lambda m: m.tensor(1.0).narrow_copy(0, 0, 1), RuntimeError, "narrow() cannot be applied to a 0-dim tensor."),
    (lambda m: m.zeros(2, 3, 4).narrow_copy(1, 0, -1), RuntimeError, "start (0) + length (-1) exceeds dimension size (3)."),
])
def test_narrow_copy_errors(call, exc, msg):
    _check_error(call, exc, msg)
