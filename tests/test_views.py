# Views and layout: reshape/view/flatten/squeeze/unsqueeze/transpose/permute/T/t()/expand/detach share
# memory; clone/contiguous copy; stride, storage_offset, is_contiguous, shape/size/Size, numel, dim, len,
# iteration; the version counter shared by views and detach().
#
# Validated against torch 2.15.0 (CPU): every expected value, stride, exception type and message below is what torch
# does (run with a shim package named `rtensor` that re-exports torch).
import re

import numpy as np
import pytest

import rtensor as rt

UNDER_TORCH = getattr(rt, "_IS_TORCH_SHIM", False)  # only the torch validation shim sets this
PREFIX = "torch" if UNDER_TORCH else "rtensor"


def shares_memory(a, b):
    return a.data_ptr() - a.storage_offset() * a.element_size() == b.data_ptr() - b.storage_offset() * b.element_size()


# ------------------------------------------------------------------------------------ shape / size / Size


def test_shape_is_size_tuple_subclass():
    t = rt.zeros(2, 4)
    assert isinstance(t.shape, rt.Size)
    assert isinstance(t.shape, tuple)
    assert isinstance(t.size(), rt.Size)
    assert t.shape == (2, 4)
    assert t.size() == (2, 4)
    assert t.shape == t.size()


def test_size_repr():
    assert repr(rt.zeros(2, 4).shape) == f"{PREFIX}.Size([2, 4])"
    assert repr(rt.Size([2, 4])) == f"{PREFIX}.Size([2, 4])"
    assert repr(rt.tensor(1.0).shape) == f"{PREFIX}.Size([])"
    assert str(rt.Size([3])) == f"{PREFIX}.Size([3])"


def test_size_tuple_behaviour():
    s = rt.Size([2, 3, 4])
    assert len(s) == 3
    assert s[0] == 2
    assert s[-1] == 4
    assert list(s) == [2, 3, 4]
    a, b, c = s
    assert (a, b, c) == (2, 3, 4)
    assert s == rt.Size((2, 3, 4))
    assert hash(s) == hash((2, 3, 4))


def test_size_slicing_and_concat_stay_size():
    s = rt.Size([2, 3, 4])
    assert isinstance(s[0:2], rt.Size)
    assert s[0:2] == (2, 3)
    assert isinstance(s + (5,), rt.Size)
    assert s + (5,) == (2, 3, 4, 5)


def test_size_numel():
    assert rt.Size([2, 3, 4]).numel() == 24
    assert rt.Size([]).numel() == 1


def test_size_dim():
    t = rt.zeros(2, 3)
    assert t.size(0) == 2
    assert t.size(1) == 3
    assert t.size(-1) == 3
    assert t.size(-2) == 2
    assert isinstance(t.size(0), int)


@pytest.mark.parametrize("dim", [2, -3])
def test_size_dim_out_of_range(dim):
    with pytest.raises(IndexError, match=re.escape(f"Dimension out of range (expected to be in range of [-2, 1], but got {dim})")):
        rt.zeros(2, 3).size(dim)


def test_numel_dim_ndim_len():
    t = rt.zeros(2, 3, 4)
    assert t.numel() == 24
    assert t.dim() == 3
    assert t.ndim == 3
    assert len(t) == 2
    s = rt.tensor(5.0)
    assert s.numel() == 1
    assert s.dim() == 0
    assert s.ndim == 0
    assert rt.zeros(0, 3).numel() == 0


def test_len_of_zero_dim_is_type_error():
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(rt.tensor(5))


def test_iteration_over_dim0():
    t = rt.arange(6).reshape(2, 3)
    rows = list(t)
    assert len(rows) == 2
    assert [r.tolist() for r in rows] == [[0, 1, 2], [3, 4, 5]]
    assert all(r.shape == (3,) for r in rows)


def test_iteration_yields_views():
    t = rt.zeros(2, 3)
    rows = list(t)
    rows[1][0] = 7
    assert t.tolist() == [[0, 0, 0], [7, 0, 0]]


def test_iteration_1d_gives_zero_dim_tensors():
    items = list(rt.tensor([1, 2, 3]))
    assert [i.shape for i in items] == [(), (), ()]
    assert [i.item() for i in items] == [1, 2, 3]


def test_iteration_over_zero_dim_is_type_error():
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(rt.tensor(5))


# ---------------------------------------------------------------------------- stride / contiguity / offset


def test_contiguous_strides():
    assert rt.zeros(2, 3, 4).stride() == (12, 4, 1)
    assert rt.zeros(5).stride() == (1,)
    assert rt.tensor(1.0).stride() == ()
    assert isinstance(rt.zeros(2, 3).stride(), tuple)


def test_stride_dim():
    t = rt.zeros(2, 3)
    assert t.stride(0) == 3
    assert t.stride(1) == 1
    assert t.stride(-2) == 3


def test_stride_dim_out_of_range():
    with pytest.raises(IndexError, match="Dimension out of range"):
        rt.zeros(2, 3).stride(2)


def test_is_contiguous():
    t = rt.zeros(3, 4)
    assert t.is_contiguous()
    assert not t.t().is_contiguous()
    assert not t[:, :1].is_contiguous()
    assert t[:1, :].is_contiguous()
    assert t[1].is_contiguous()
    assert not t[:, ::2].is_contiguous()


def test_is_contiguous_ignores_size_one_dims():
    assert rt.zeros(2, 1, 3).transpose(0, 1).is_contiguous()
    assert rt.zeros(0, 3).t().is_contiguous()


def test_storage_offset():
    t = rt.arange(12).reshape(3, 4)
    assert t.storage_offset() == 0
    assert t[1].storage_offset() == 4
    assert t[1:].storage_offset() == 4
    assert t[:, 1:].storage_offset() == 1
    assert t[2, 3].storage_offset() == 11
    assert t[1:][1:].storage_offset() == 8


def test_data_ptr_arithmetic():
    t = rt.arange(12).reshape(3, 4)
    for v in [t[1], t[:, 2], t[2, 1:], t[1:, 1:]]:
        assert v.data_ptr() == t.data_ptr() + v.storage_offset() * t.element_size()
    f = rt.zeros(4, dtype=rt.float32)
    assert f[2:].data_ptr() == f.data_ptr() + 8


# ------------------------------------------------------------------------------------------------ reshape


def test_reshape_view_when_contiguous():
    t = rt.arange(6)
    r = t.reshape(2, 3)
    assert r.shape == (2, 3)
    assert r.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert r.data_ptr() == t.data_ptr()
    r[0, 0] = 100
    assert t[0].item() == 100


def test_reshape_forms():
    t = rt.arange(6)
    assert t.reshape((3, 2)).shape == (3, 2)
    assert t.reshape([3, 2]).shape == (3, 2)
    assert t.reshape(rt.Size([3, 2])).shape == (3, 2)
    assert rt.reshape(t, (2, 3)).shape == (2, 3)


def test_reshape_infer():
    t = rt.arange(20)
    assert t.reshape(-1, 5).shape == (4, 5)
    assert t.reshape(2, -1, 5).shape == (2, 2, 5)
    assert t.reshape(-1).shape == (20,)


def test_reshape_copy_when_not_viewable():
    t = rt.arange(6).reshape(2, 3)
    r = t.t().reshape(6)
    assert r.tolist() == [0, 3, 1, 4, 2, 5]
    assert r.data_ptr() != t.data_ptr()
    r[0] = 100
    assert t[0, 0].item() == 0


def test_reshape_view_of_noncontiguous_when_possible():
    t = rt.arange(6).reshape(2, 3)
    r = t.t().reshape(3, 2)
    assert r.data_ptr() == t.data_ptr()
    r2 = t.t().reshape(3, 1, 2)
    assert r2.data_ptr() == t.data_ptr()


def test_reshape_to_and_from_scalar():
    assert rt.tensor([5]).reshape(()).shape == ()
    assert rt.tensor(5).reshape(1).shape == (1,)
    assert rt.tensor(5).reshape(-1).shape == (1,)


def test_reshape_invalid():
    with pytest.raises(RuntimeError, match=re.escape("shape '[3, 5]' is invalid for input of size 20")):
        rt.arange(20).reshape(3, 5)


def test_reshape_invalid_with_infer():
    with pytest.raises(RuntimeError, match=re.escape("shape '[-1, 3]' is invalid for input of size 20")):
        rt.arange(20).reshape(-1, 3)
    with pytest.raises(RuntimeError, match=re.escape("shape '[0, -1]' is invalid for input of size 20")):
        rt.arange(20).reshape(0, -1)


def test_reshape_to_scalar_invalid():
    with pytest.raises(RuntimeError, match=re.escape("shape '[]' is invalid for input of size 6")):
        rt.arange(6).reshape(())


def test_reshape_two_infers():
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        rt.arange(20).reshape(-1, -1)


def test_reshape_bad_negative():
    with pytest.raises(RuntimeError, match=re.escape("invalid shape dimension -2")):
        rt.arange(20).reshape(-2, 10)


def test_reshape_zero_elements_ambiguous():
    with pytest.raises(RuntimeError, match="cannot reshape tensor of 0 elements"):
        rt.zeros(0).reshape(-1, 0)


def test_reshape_zero_elements():
    assert rt.zeros(0, 3).reshape(3, 0).shape == (3, 0)
    assert rt.zeros(0, 3).reshape(-1, 3).shape == (0, 3)


# --------------------------------------------------------------------------------------------------- view


def test_view_shares_memory():
    t = rt.arange(6)
    v = t.view(2, 3)
    assert v.data_ptr() == t.data_ptr()
    v[1, 2] = -1
    assert t[5].item() == -1
    assert t.view(3, -1).shape == (3, 2)
    assert t.view((3, 2)).shape == (3, 2)


def test_view_not_compatible():
    t = rt.arange(6).reshape(2, 3).t()
    msg = "view size is not compatible with input tensor's size and stride"
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        t.view(6)
    with pytest.raises(RuntimeError, match=re.escape("Use .reshape(...) instead.")):
        t.view(-1)


def test_view_invalid_size():
    with pytest.raises(RuntimeError, match=re.escape("shape '[7]' is invalid for input of size 6")):
        rt.arange(6).view(7)


def test_view_of_sliced_rows_ok():
    t = rt.arange(12).reshape(3, 4)[1:]
    v = t.view(8)
    assert v.tolist() == [4, 5, 6, 7, 8, 9, 10, 11]
    assert v.storage_offset() == 4


def test_view_merging_noncontiguous_compatible_dims():
    t = rt.arange(24).reshape(2, 3, 4)[:, :, :2]  # strides (12, 4, 1): dims 0 and 1 merge
    v = t.view(6, 2)
    assert v.stride() == (4, 1)
    assert v.tolist() == [[0, 1], [4, 5], [8, 9], [12, 13], [16, 17], [20, 21]]


# ----------------------------------------------------------------------------------------------- flatten


def test_flatten():
    t = rt.zeros(2, 3, 4)
    assert t.flatten().shape == (24,)
    assert t.flatten(1).shape == (2, 12)
    assert t.flatten(0, 1).shape == (6, 4)
    assert t.flatten(-2, -1).shape == (2, 12)
    assert t.flatten(start_dim=1, end_dim=2).shape == (2, 12)
    assert rt.flatten(t).shape == (24,)
    assert t.flatten().data_ptr() == t.data_ptr()


def test_flatten_scalar():
    assert rt.tensor(5).flatten().shape == (1,)


def test_flatten_noncontiguous_copies_values():
    t = rt.arange(6).reshape(2, 3).t()
    f = t.flatten()
    assert f.tolist() == [0, 3, 1, 4, 2, 5]
    assert f.is_contiguous()


def test_flatten_bad_order():
    with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
        rt.zeros(2, 3, 4).flatten(2, 1)


# ------------------------------------------------------------------------------------- squeeze / unsqueeze


def test_squeeze_all():
    t = rt.zeros(1, 2, 1, 3, 1)
    s = t.squeeze()
    assert s.shape == (2, 3)
    assert s.data_ptr() == t.data_ptr()
    assert rt.squeeze(t).shape == (2, 3)


def test_squeeze_dim():
    t = rt.zeros(1, 2, 1)
    assert t.squeeze(0).shape == (2, 1)
    assert t.squeeze(2).shape == (1, 2)
    assert t.squeeze(-1).shape == (1, 2)
    assert t.squeeze(1).shape == (1, 2, 1)  # not size 1: unchanged
    assert t.squeeze(dim=0).shape == (2, 1)


def test_squeeze_tuple_of_dims():
    assert rt.zeros(1, 2, 1).squeeze((0, 2)).shape == (2,)


def test_squeeze_refuses_a_dim_listed_twice():
    # torch checks the dims as it wraps them: a repeat is a RuntimeError, a dim out of range an IndexError
    with pytest.raises(RuntimeError, match=re.escape("dim 0 appears multiple times in the list of dims")):
        rt.zeros(1, 2).squeeze((0, -2))
    with pytest.raises(IndexError, match=re.escape("expected to be in range of [-2, 1], but got 5")):
        rt.zeros(1, 2).squeeze((0, 5))


def test_squeeze_records_torchs_node_per_overload():
    # B15 of tests/test_opinfo.py: squeeze with a tuple of dims recorded SqueezeBackward1 (torch: squeeze.dims,
    # SqueezeBackward2, also for a one-element list)
    x = rt.zeros(1, 2, 1, requires_grad=True)
    assert x.squeeze().grad_fn.name() == "SqueezeBackward0"
    assert x.squeeze(0).grad_fn.name() == "SqueezeBackward1"
    assert rt.squeeze(x, -1).grad_fn.name() == "SqueezeBackward1"
    assert x.squeeze((0, 2)).grad_fn.name() == "SqueezeBackward2"
    assert rt.squeeze(x, [0]).grad_fn.name() == "SqueezeBackward2"
    y = x.squeeze((0, 2))
    (y * rt.tensor([2.0, 3.0])).sum().backward()
    assert x.grad.shape == (1, 2, 1) and x.grad.flatten().tolist() == [2.0, 3.0]


def test_split_records_torchs_node_per_overload():
    # B15 of tests/test_opinfo.py: split with a list of sizes recorded SplitBackward0 (torch:
    # split_with_sizes, SplitWithSizesBackward0)
    x = rt.arange(5.0, requires_grad=True)
    assert [p.grad_fn.name() for p in x.split([2, 3])] == ["SplitWithSizesBackward0"] * 2
    assert [p.grad_fn.name() for p in rt.split(x, [5])] == ["SplitWithSizesBackward0"]
    assert [p.grad_fn.name() for p in x.split(2)] == ["SplitBackward0"] * 3
    assert [p.grad_fn.name() for p in x.chunk(2)] == ["SplitBackward0"] * 2
    a, b = x.split([2, 3])
    (a.sum() + 2 * b.sum()).backward()
    assert x.grad.tolist() == [1.0, 1.0, 2.0, 2.0, 2.0]


def test_reshape_records_torchs_decomposition():
    # torch's reshape: view of a contiguous tensor, _reshape_alias of a viewable strided one, else clone +
    # _unsafe_view (what matmul's graph is built of)
    x = rt.zeros(2, 3, 4, requires_grad=True)
    assert x.reshape(6, 4).grad_fn.name() == "ViewBackward0"
    part = x.narrow(2, 0, 2)
    assert part.reshape(6, 2).grad_fn.name() == "ReshapeAliasBackward0"
    assert part.reshape(6, 2).data_ptr() == x.data_ptr()
    assert x.expand(5, 2, 3, 4).reshape(5, 6, 4).grad_fn.name() == "ReshapeAliasBackward0"
    assert part.flatten(0, 1).grad_fn.name() == "ReshapeAliasBackward0"
    assert x.transpose(0, 1).reshape(6, 4).grad_fn.name() == "UnsafeViewBackward0"
    y = x.narrow(2, 1, 2).reshape(6, 2)
    (y * rt.arange(12.0).reshape(6, 2)).sum().backward()
    assert x.grad[:, :, 1:3].flatten().tolist() == list(range(12)) and not x.grad[:, :, 0].any()


def test_squeeze_dim_out_of_range():
    with pytest.raises(IndexError, match=re.escape("expected to be in range of [-2, 1], but got 5")):
        rt.zeros(2, 3).squeeze(5)


def test_unsqueeze():
    t = rt.arange(6).reshape(2, 3)
    assert t.unsqueeze(0).shape == (1, 2, 3)
    assert t.unsqueeze(1).shape == (2, 1, 3)
    assert t.unsqueeze(2).shape == (2, 3, 1)
    assert t.unsqueeze(-1).shape == (2, 3, 1)
    assert t.unsqueeze(-3).shape == (1, 2, 3)
    assert rt.unsqueeze(t, 0).shape == (1, 2, 3)
    assert t.unsqueeze(1).data_ptr() == t.data_ptr()


def test_unsqueeze_strides():
    t = rt.arange(6).reshape(2, 3)
    assert t.unsqueeze(0).stride() == (6, 3, 1)
    assert t.unsqueeze(1).stride() == (3, 3, 1)
    assert t.unsqueeze(2).stride() == (3, 1, 1)


def test_unsqueeze_scalar():
    assert rt.tensor(5).unsqueeze(0).shape == (1,)
    assert rt.tensor(5).unsqueeze(-1).shape == (1,)


@pytest.mark.parametrize("dim", [3, -4])
def test_unsqueeze_out_of_range(dim):
    with pytest.raises(IndexError, match=re.escape(f"expected to be in range of [-3, 2], but got {dim})")):
        rt.zeros(2, 3).unsqueeze(dim)


# ---------------------------------------------------------------------------------- transpose / permute / T


def test_transpose():
    t = rt.arange(6).reshape(2, 3)
    tt = t.transpose(0, 1)
    assert tt.shape == (3, 2)
    assert tt.stride() == (1, 3)
    assert tt.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert tt.data_ptr() == t.data_ptr()
    assert t.transpose(-1, -2).shape == (3, 2)
    assert rt.transpose(t, 0, 1).shape == (3, 2)
    assert t.transpose(1, 1).shape == (2, 3)


def test_transpose_3d():
    t = rt.arange(24).reshape(2, 3, 4)
    tt = t.transpose(0, 2)
    assert tt.shape == (4, 3, 2)
    assert tt.stride() == (1, 4, 12)
    np.testing.assert_array_equal(np.array(tt.tolist()), np.arange(24).reshape(2, 3, 4).transpose(2, 1, 0))


def test_transpose_out_of_range():
    with pytest.raises(IndexError, match=re.escape("Dimension out of range (expected to be in range of [-2, 1], but got 2)")):
        rt.zeros(2, 3).transpose(0, 2)


def test_T_and_t():
    t = rt.arange(6).reshape(2, 3)
    assert t.T.shape == (3, 2)
    assert t.T.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert t.t().tolist() == t.T.tolist()
    assert t.T.data_ptr() == t.data_ptr()
    assert rt.t(t).shape == (3, 2)


def test_t_on_1d_and_0d():
    assert rt.zeros(3).t().shape == (3,)
    assert rt.tensor(1.0).t().shape == ()


def test_t_on_3d_raises():
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions, but self is 3D"):
        rt.zeros(2, 3, 4).t()


def test_permute():
    t = rt.arange(24).reshape(2, 3, 4)
    p = t.permute(2, 0, 1)
    assert p.shape == (4, 2, 3)
    assert p.stride() == (1, 12, 4)
    assert p.data_ptr() == t.data_ptr()
    np.testing.assert_array_equal(np.array(p.tolist()), np.arange(24).reshape(2, 3, 4).transpose(2, 0, 1))
    assert t.permute((1, 2, 0)).shape == (3, 4, 2)
    assert t.permute([1, 2, 0]).shape == (3, 4, 2)
    assert t.permute(-1, 0, 1).shape == (4, 2, 3)
    assert rt.permute(t, (2, 1, 0)).shape == (4, 3, 2)


def test_permute_duplicate_dims():
    with pytest.raises(RuntimeError, match=re.escape("permute(): duplicate dims are not allowed.")):
        rt.zeros(2, 3).permute(0, 0)
    with pytest.raises(RuntimeError, match="duplicate dims"):
        rt.zeros(2, 3).permute(1, -1)


def test_permute_wrong_length():
    with pytest.raises(RuntimeError, match="number of dimensions in the tensor input does not match the length of the desired ordering"):
        rt.zeros(2, 3).permute(0)


def test_permute_out_of_range():
    with pytest.raises(IndexError, match="Dimension out of range"):
        rt.zeros(2, 3).permute(0, 2)


# --------------------------------------------------------------------------------------- expand / expand_as


def test_expand():
    t = rt.tensor([1, 2, 3])
    e = t.expand(2, 3)
    assert e.shape == (2, 3)
    assert e.stride() == (0, 1)
    assert e.tolist() == [[1, 2, 3], [1, 2, 3]]
    assert e.data_ptr() == t.data_ptr()
    assert not e.is_contiguous()


def test_expand_forms():
    t = rt.zeros(3, 1)
    assert t.expand(-1, 4).shape == (3, 4)
    assert t.expand((3, 4)).shape == (3, 4)
    assert t.expand(2, 3, 4).shape == (2, 3, 4)
    assert t.expand(2, 3, 4).stride() == (0, 1, 0)
    assert t.expand(3, 1).shape == (3, 1)


def test_expand_scalar():
    e = rt.tensor(7).expand(2, 2)
    assert e.tolist() == [[7, 7], [7, 7]]
    assert e.stride() == (0, 0)


def test_expand_write_visible():
    t = rt.zeros(3)
    e = t.expand(2, 3)
    t[1] = 5
    assert e.tolist() == [[0, 5, 0], [0, 5, 0]]


def test_expand_as():
    t = rt.arange(6).reshape(2, 3)
    e = t.expand_as(rt.zeros(4, 2, 3))
    assert e.shape == (4, 2, 3)
    assert e.data_ptr() == t.data_ptr()


def test_expand_non_singleton():
    msg = "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]"
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        rt.zeros(3).expand(2, 4)


def test_expand_too_few_sizes():
    with pytest.raises(RuntimeError, match=re.escape("the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)")):
        rt.zeros(3, 1).expand(3)


def test_expand_minus_one_in_new_dim():
    with pytest.raises(RuntimeError, match=re.escape("The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension 0")):
        rt.zeros(3).expand(-1, 3)


def test_expand_contiguous_copies():
    e = rt.tensor([1, 2]).expand(3, 2)
    c = e.contiguous()
    assert c.stride() == (2, 1)
    assert c.tolist() == [[1, 2]] * 3
    assert c.data_ptr() != e.data_ptr()


# ------------------------------------------------------------------------------------------ sharing memory


def test_views_share_writes_both_ways():
    t = rt.zeros(2, 3)
    v = t.view(6)
    tr = t.t()
    v[4] = 1
    assert t[1, 1].item() == 1
    assert tr[1, 1].item() == 1
    tr[2, 0] = 2
    assert t[0, 2].item() == 2
    assert v[2].item() == 2


def test_chained_views_share_memory():
    t = rt.arange(24).reshape(2, 3, 4)
    v = t.permute(2, 0, 1)[1:].transpose(0, 2).unsqueeze(0)
    assert shares_memory(v, t)
    v[0, 0, 0, 0] = -5
    assert t[0, 0, 1].item() == -5


def test_detach_shares_memory():
    t = rt.zeros(3, requires_grad=True)
    d = t.detach()
    assert d.data_ptr() == t.data_ptr()
    assert not d.requires_grad
    assert t.requires_grad
    d[0] = 5
    assert t.tolist() == [5.0, 0.0, 0.0]


def test_clone_new_storage():
    t = rt.arange(6).reshape(2, 3)
    c = t.clone()
    assert c.data_ptr() != t.data_ptr()
    assert c.tolist() == t.tolist()
    c[0, 0] = 100
    assert t[0, 0].item() == 0
    assert rt.clone(t).tolist() == t.tolist()


def test_clone_of_noncontiguous():
    t = rt.arange(6).reshape(2, 3).t()
    c = t.clone()
    assert c.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert c.data_ptr() != t.data_ptr()


def test_clone_keeps_dtype():
    assert rt.tensor([True]).clone().dtype == rt.bool
    assert rt.tensor([1], dtype=rt.int32).clone().dtype == rt.int32


def test_contiguous_noop_when_contiguous():
    t = rt.arange(6).reshape(2, 3)
    c = t.contiguous()
    assert c.data_ptr() == t.data_ptr()
    assert c is t


def test_contiguous_copies_when_needed():
    t = rt.arange(6).reshape(2, 3)
    c = t.t().contiguous()
    assert c.is_contiguous()
    assert c.stride() == (2, 1)
    assert c.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert c.data_ptr() != t.data_ptr()
    c[0, 0] = 100
    assert t[0, 0].item() == 0


def test_contiguous_of_slice():
    t = rt.arange(12).reshape(3, 4)[:, 1:3]
    c = t.contiguous()
    assert c.tolist() == [[1, 2], [5, 6], [9, 10]]
    assert c.storage_offset() == 0


# ------------------------------------------------------------------------------------------------ _version


def test_version_starts_at_zero():
    assert rt.zeros(3)._version == 0
    assert rt.arange(3)._version == 0


def test_version_bumps_on_inplace_ops():
    a = rt.zeros(3)
    a.add_(1)
    assert a._version == 1
    a.mul_(2)
    assert a._version == 2
    a[0] = 5
    assert a._version == 3
    a += 1
    assert a._version == 4
    a.zero_()
    assert a._version == 5
    a.fill_(2)
    assert a._version == 6
    a.copy_(rt.ones(3))
    assert a._version == 7
    a.clamp_(0, 1)
    assert a._version == 8
    a.sub_(1)
    a.div_(2)
    assert a._version == 10


def test_version_shared_by_views_and_detach():
    a = rt.zeros(3)
    v = a[1:]
    d = a.detach()
    r = a.view(3, 1)
    a.add_(1)
    assert (a._version, v._version, d._version, r._version) == (1, 1, 1, 1)
    v.mul_(2)
    assert a._version == 2
    d[0] = 3
    assert v._version == 3
    assert r._version == 3


def test_version_not_shared_by_clone():
    a = rt.zeros(3)
    c = a.clone()
    a.add_(1)
    assert c._version == 0
    c.add_(1)
    assert a._version == 1


def test_version_unchanged_by_out_of_place_ops():
    a = rt.zeros(3)
    _ = a + 1
    _ = a.reshape(3, 1)
    _ = a.clone()
    _ = a[1:]
    assert a._version == 0


def test_version_unchanged_on_failed_inplace():
    a = rt.zeros(3, dtype=rt.int64)
    with pytest.raises(RuntimeError):
        a += 1.5
    assert a._version == 0
    assert a.tolist() == [0, 0, 0]


@pytest.mark.parametrize("method, msg", [
    ("reshape", 'reshape() missing 1 required positional arguments: "shape"'),
    ("permute", 'permute() missing 1 required positional arguments: "dims"'),
    ("expand", 'expand() missing 1 required positional arguments: "size"'),
    ("view", "view() received an invalid combination of arguments - got (), but expected one of:"),
])
@pytest.mark.parametrize("shape", [(), (0,), (2, 3)])
def test_shape_methods_called_without_arguments(method, msg, shape):
    # found by tests/test_properties.py (differential with torch): x.reshape() reshaped to () (or raised a
    # RuntimeError) where torch raises TypeError; an explicit empty shape is still a shape
    with pytest.raises(TypeError) as e:
        getattr(rt.zeros(shape), method)()
    assert msg in str(e.value)
    if shape == ():
        assert getattr(rt.zeros(()), method)(()).shape == ()


def test_flatten_of_a_0_dim_tensor_checks_its_dims():
    # found by tests/test_properties.py (differential with torch): any start/end dim was accepted
    assert rt.tensor(1.0).flatten(0, -1).shape == (1,)
    assert rt.tensor(1.0).flatten(-1, 0).shape == (1,)
    with pytest.raises(IndexError, match=re.escape("Dimension out of range (expected to be in range of [-1, 0], but got 1)")):
        rt.tensor(1.0).flatten(0, 1)
    with pytest.raises(IndexError, match=re.escape("Dimension out of range (expected to be in range of [-1, 0], but got -2)")):
        rt.tensor(1.0).flatten(-2, 0)


@pytest.mark.parametrize("args, kind, msg", [
    ((0, 2, 2), RuntimeError, "start (2) + length (2) exceeds dimension size (3)."),
    ((0, -1, 2), RuntimeError, "start (2) + length (2) exceeds dimension size (3)."),
    ((0, -4, 1), IndexError, "start out of range (expected to be in range of [-3, 3], but got -4)"),
    ((0, 4, 0), IndexError, "start out of range (expected to be in range of [-3, 3], but got 4)"),
    ((0, 1, -1), RuntimeError, "narrow(): length must be non-negative."),
])
def test_narrow_errors_match_torch(args, kind, msg):
    # found by tests/test_properties.py (differential with torch): every narrow error was an IndexError
    with pytest.raises(kind) as e:
        rt.zeros(3).narrow(*args)
    assert str(e.value) == msg
    assert type(e.value) is kind or kind is RuntimeError and not isinstance(e.value, IndexError)


@pytest.mark.parametrize("start", [rt.tensor([1]), rt.tensor(True), rt.tensor([True]), rt.tensor(1.0),
                                   rt.tensor([1, 2])])
def test_narrow_refuses_a_tensor_start_that_is_not_a_0_dim_integer(start):
    # B18 of tests/test_opinfo.py: rtensor raised TypeError (no overload taking a tensor start)
    for call in (lambda: rt.narrow(rt.zeros(4, 5), 0, start, 2), lambda: rt.zeros(4, 5).narrow(0, start, 2),
                 lambda: rt.narrow(rt.tensor(1.0), 0, start, 1)):
        with pytest.raises(RuntimeError) as e:
            call()
        assert str(e.value) == "start must be an 0-dim integral Tensor."


def test_narrow_takes_a_0_dim_integer_tensor_start():
    x = rt.arange(20.0).reshape(4, 5)
    for start in (rt.tensor(1), rt.tensor(1, dtype=rt.int32), rt.tensor(-3)):
        assert rt.narrow(x, 0, start, 2).tolist() == x[1:3].tolist()
        assert x.narrow(dim=0, start=start, length=2).tolist() == x[1:3].tolist()
    with pytest.raises(IndexError, match=re.escape("start out of range (expected to be in range of [-4, 4], but got 10)")):
        x.narrow(0, rt.tensor(10), 1)
    with pytest.raises(TypeError, match="narrow"):
        x.narrow(0, 1.0, 2)


def test_narrow_checks_the_length_before_the_dim():
    with pytest.raises(RuntimeError, match=re.escape("narrow(): length must be non-negative.")):
        rt.zeros(0).narrow(1, 0, -1)
