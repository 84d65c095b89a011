# Indexing: basic indexing (int, negative int, slices with positive step, None, ..., tuples) gives views;
# advanced indexing (bool masks, integer tensors/lists) gives copies; __setitem__ with scalars, broadcast
# tensors, masks and integer index tensors. Results are compared with numpy where numpy agrees.
#
# Validated against torch 2.15.0 (CPU): every expected value, exception type and message below is what torch does
# (run with a shim package named `rtensor` that re-exports torch).
import re

import numpy as np
import pytest

import rtensor as rt

UNDER_TORCH = getattr(rt, "_IS_TORCH_SHIM", False)  # only the torch validation shim sets this
rtensor_only = pytest.mark.skipif(UNDER_TORCH, reason="rtensor-specific (stricter than torch)")

def base():
    return rt.arange(12).reshape(3, 4)


NP = np.arange(12).reshape(3, 4)


# -------------------------------------------------------------------------------------------- basic: views

BASIC_KEYS = [
    1,
    -1,
    -3,
    (1, 2),
    (-1, -4),
    (slice(None), 1),
    slice(1, None),
    slice(None, 2),
    slice(1, None, 2),
    slice(None, None, 2),
    (slice(None, None, 2), slice(None, None, 3)),
    (slice(None), slice(1, 3)),
    (Ellipsis, 2),
    (Ellipsis, slice(1, 2)),
    (1, Ellipsis),
    Ellipsis,
    None,
    (None, 1),
    (Ellipsis, None),
    (slice(None), None, slice(1, 3)),
    (None, None, 0),
    (slice(1, 2), slice(1, 2)),
    slice(10, 20),
    slice(-100, 100),
    slice(-1, -3),
    (slice(None), slice(-10, 2)),
    (0, slice(None, None, 3)),
]


@pytest.mark.parametrize("key", BASIC_KEYS, ids=repr)
def test_basic_index_matches_numpy(key):
    t = base()
    r = t[key]
    expected = NP[key]
    assert tuple(r.shape) == expected.shape
    assert r.tolist() == expected.tolist()


@pytest.mark.parametrize("key", [k for k in BASIC_KEYS if NP[k].size > 0], ids=repr)
def test_basic_index_is_view(key):
    t = base()
    r = t[key]
    # base() holds 0..11, so the first element of a view is its storage offset
    first = int(np.asarray(NP[key]).flat[0])
    assert r.storage_offset() == first
    assert r.data_ptr() == t.data_ptr() + first * t.element_size()
    r.fill_(-7)
    assert t.tolist() == np_assign(key, -7)


def test_basic_index_strides_and_offsets():
    t = base()
    assert t[1].stride() == (1,)
    assert t[1].storage_offset() == 4
    assert t[:, 1].stride() == (4,)
    assert t[:, 1].storage_offset() == 1
    assert t[1:, 1:].storage_offset() == 5
    assert t[::2, ::3].stride() == (8, 3)
    assert t[None].stride() == (12, 4, 1)
    assert t[:, None].shape == (3, 1, 4)
    assert t[1:2].stride() == (4, 1)


def test_int_index_gives_zero_dim():
    t = base()
    r = t[1, 2]
    assert r.shape == ()
    assert r.item() == 6
    assert r.storage_offset() == 6


def test_chained_indexing():
    t = base()
    assert t[0][1].item() == 1
    assert t[1:][1][2].item() == 10
    assert t.t()[1].tolist() == [1, 5, 9]
    assert t.t()[1].stride() == (4,)


def test_write_through_basic_index():
    t = base()
    r = t[1]
    r[0] = 100
    assert t[1, 0].item() == 100
    s = t[:, 2]
    s.fill_(-1)
    assert t.tolist() == [[0, 1, -1, 3], [100, 5, -1, 7], [8, 9, -1, 11]]


def test_zero_dim_tensor_indexing():
    s = rt.tensor(5)
    assert s[...].shape == ()
    assert s[None].shape == (1,)
    assert s[()].shape == ()


def test_zero_dim_int_index_raises():
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        rt.tensor(5)[0]


def test_index_with_zero_dim_int_tensor():
    t = base()
    assert t[rt.tensor(1)].tolist() == [4, 5, 6, 7]
    assert t[rt.tensor(1)].shape == (4,)


def test_index_with_numpy_int():
    assert base()[np.int64(1)].tolist() == [4, 5, 6, 7]


def test_true_false_index():
    assert base()[True].shape == (1, 3, 4)
    assert base()[False].shape == (0, 3, 4)


@pytest.mark.parametrize(
    "key, msg",
    [
        (5, "index 5 is out of bounds for dimension 0 with size 3"),
        (-4, "index -4 is out of bounds for dimension 0 with size 3"),
        ((0, 4), "index 4 is out of bounds for dimension 1 with size 4"),
        ((slice(None), 7), "index 7 is out of bounds for dimension 1 with size 4"),
    ],
)
def test_int_index_out_of_range(key, msg):
    with pytest.raises(IndexError, match=re.escape(msg)):
        base()[key]


def test_index_out_of_range_1d():
    with pytest.raises(IndexError, match=re.escape("index 5 is out of bounds for dimension 0 with size 5")):
        rt.arange(5)[5]


def test_too_many_indices():
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        base()[0, 0, 0]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        base()[:, :, None, :]


def test_negative_step_rejected():
    with pytest.raises(ValueError, match="step must be greater than zero"):
        base()[::-1]


def test_zero_step_rejected():
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        base()[::0]


def test_float_index_rejected():
    with pytest.raises(IndexError, match=re.escape("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got float)")):
        base()[1.5]


def test_float_tensor_index_rejected():
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool tensors"):
        base()[rt.tensor([1.0])]


@pytest.mark.parametrize("dtype", ["int8", "int16"])
def test_small_int_tensor_index_rejected(dtype):
    # torch takes int64, int32, uint8 (a mask) and bool index tensors only
    dt = getattr(rt, dtype)
    msg = "tensors used as indices must be long, int, byte or bool tensors"
    with pytest.raises(IndexError, match=msg):
        base()[rt.tensor([1, 0], dtype=dt)]
    with pytest.raises(IndexError, match=msg):
        base()[:, rt.tensor([1, 0], dtype=dt)] = 5
    with pytest.raises(IndexError, match=msg):
        base().index_put((rt.tensor([1, 0], dtype=dt),), rt.tensor(1))
    # a 0-dim one is an int, as in torch
    assert base()[rt.tensor(1, dtype=dt)].tolist() == NP[1].tolist()


def test_int32_tensor_index():
    assert base()[rt.tensor([2, 0], dtype=rt.int32)].tolist() == NP[[2, 0]].tolist()


def test_uint8_tensor_index_is_a_mask():
    # torch's deprecated byte mask: a uint8 index selects where it is nonzero, as a bool one
    m = [1, 0, 2]
    assert base()[rt.tensor(m, dtype=rt.uint8)].tolist() == NP[np.array(m, dtype=bool)].tolist()
    assert base()[:, rt.tensor([0, 1, 1, 0], dtype=rt.uint8)].tolist() == NP[:, [1, 2]].tolist()
    assert tuple(base()[rt.tensor(1, dtype=rt.uint8)].shape) == (1, 3, 4)
    assert tuple(base()[rt.tensor(0, dtype=rt.uint8)].shape) == (0, 3, 4)
    t = base()
    t[rt.tensor([[1, 0, 0, 1]] * 3, dtype=rt.uint8)] = rt.tensor([0] * 6)
    expected = NP.copy()
    expected[:, [0, 3]] = 0
    assert t.tolist() == expected.tolist()
    with pytest.raises(IndexError, match=re.escape("The shape of the mask [2] at index 0 does not match")):
        base()[rt.tensor([1, 0], dtype=rt.uint8)]


# ------------------------------------------------------------------------------------- advanced: copies


ADV_CASES = [
    ([0, 2], [0, 2]),
    ((slice(None), [0, 2]), (slice(None), [0, 2])),
    (([0, 2], [1, 3]), ([0, 2], [1, 3])),
    (([[0], [2]], [1, 3]), ([[0], [2]], [1, 3])),
    ((1, [0, 3]), (1, [0, 3])),
    (([0, 2], slice(1, 3)), ([0, 2], slice(1, 3))),
    ([-1, 0], [-1, 0]),
    ([2, 2, 0], [2, 2, 0]),
]


@pytest.mark.parametrize("key, npkey", ADV_CASES, ids=repr)
def test_integer_list_index_matches_numpy(key, npkey):
    t = base()
    r = t[key]
    expected = NP[npkey]
    assert tuple(r.shape) == expected.shape
    assert r.tolist() == expected.tolist()


def _to_tensor_key(key):
    if isinstance(key, tuple):
        return tuple(_to_tensor_key(k) for k in key)
    if isinstance(key, list):
        return rt.tensor(key)
    return key


@pytest.mark.parametrize("key, npkey", ADV_CASES, ids=repr)
def test_integer_tensor_index_matches_numpy(key, npkey):
    t = base()
    r = t[_to_tensor_key(key)]
    assert r.tolist() == NP[npkey].tolist()


def test_integer_tensor_2d_index():
    t = base()
    idx = rt.tensor([[0, 1], [2, 2]])
    r = t[idx]
    assert r.shape == (2, 2, 4)
    assert r.tolist() == NP[np.array([[0, 1], [2, 2]])].tolist()


def test_int32_index_tensor():
    assert base()[rt.tensor([0, 1], dtype=rt.int32)].tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_numpy_index_array():
    assert base()[np.array([0, 2])].tolist() == NP[[0, 2]].tolist()
    assert base()[np.array([True, False, True])].tolist() == NP[[True, False, True]].tolist()


def test_empty_index():
    assert base()[rt.tensor([], dtype=rt.int64)].shape == (0, 4)
    assert base()[[]].shape == (0, 4)


def test_advanced_index_copies():
    t = base()
    r = t[[0, 2]]
    assert r.data_ptr() != t.data_ptr()
    r[0, 0] = 100
    assert t[0, 0].item() == 0
    m = t[t > 5]
    m[0] = -1
    assert t[1, 2].item() == 6


def test_advanced_index_result_is_contiguous():
    r = base()[:, [0, 2]]
    assert r.is_contiguous()
    assert r.storage_offset() == 0


def test_bool_mask_full():
    t = base()
    assert t[t > 5].tolist() == NP[NP > 5].tolist()
    assert t[t > 5].shape == (6,)
    assert t[rt.ones(3, 4, dtype=rt.bool)].shape == (12,)


def test_bool_mask_partial():
    t = base()
    mask = rt.tensor([True, False, True])
    assert t[mask].tolist() == NP[np.array([True, False, True])].tolist()
    col = rt.tensor([True, False, True, False])
    assert t[:, col].tolist() == NP[:, np.array([True, False, True, False])].tolist()


def test_bool_list_index():
    assert base()[[True, False, True]].tolist() == NP[[True, False, True]].tolist()


def test_bool_mask_all_false():
    t = base()
    assert t[t > 100].shape == (0,)


def test_bool_mask_keeps_dtype():
    f = rt.tensor([1.5, -2.0, 3.0])
    r = f[f > 0]
    assert r.dtype == rt.float32
    assert r.tolist() == [1.5, 3.0]


def test_mask_shape_mismatch():
    msg = "The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2, 3] at index 0"
    with pytest.raises(IndexError, match=re.escape(msg)):
        rt.arange(6).reshape(2, 3)[rt.tensor([True, False, True])]


def test_index_tensor_out_of_range():
    with pytest.raises(IndexError, match=re.escape("index 5 is out of bounds for dimension 0 with size 3")):
        base()[rt.tensor([0, 5])]
    with pytest.raises(IndexError, match=re.escape("index -4 is out of bounds for dimension 0 with size 3")):
        base()[rt.tensor([-4])]
    with pytest.raises(IndexError, match=re.escape("index 5 is out of bounds for dimension 0 with size 3")):
        base()[[0, 5]]


# ----------------------------------------------------------------------------------------------- setitem


def assign(key, value, t=None):
    t = base() if t is None else t
    v0 = t._version
    t[key] = value
    assert t._version == v0 + 1
    return t.tolist()


def np_assign(key, value):
    n = NP.copy()
    n[key] = value
    return n.tolist()


@pytest.mark.parametrize(
    "key",
    [0, -1, (1, 1), (slice(None), 1), slice(1, None), (slice(None), slice(None, None, 2)), Ellipsis, (Ellipsis, 0), None],
    ids=repr,
)
def test_setitem_scalar_basic(key):
    assert assign(key, 5) == np_assign(key, 5)


def test_setitem_float_into_int_truncates():
    assert assign((1, 1), 2.9) == np_assign((1, 1), 2)
    assert assign((1, 1), True) == np_assign((1, 1), 1)
    assert assign((1, 1), rt.tensor(2.7)) == np_assign((1, 1), 2)


def test_setitem_float_tensor():
    t = rt.zeros(3)
    t[0] = 2.5
    assert t.tolist() == [2.5, 0.0, 0.0]


def test_setitem_broadcast_row():
    assert assign(slice(None), rt.tensor([1, 2, 3, 4])) == np_assign(slice(None), np.array([1, 2, 3, 4]))


def test_setitem_broadcast_column():
    v = rt.tensor([[1], [2], [3]])
    assert assign(slice(None), v) == np_assign(slice(None), np.array([[1], [2], [3]]))


def test_setitem_column():
    assert assign((slice(None), 1), rt.tensor([7, 8, 9])) == np_assign((slice(None), 1), [7, 8, 9])


def test_setitem_strided():
    key = (slice(None), slice(None, None, 2))
    assert assign(key, rt.tensor([1, 2])) == np_assign(key, [1, 2])


def test_setitem_value_with_leading_ones():
    assert assign(0, rt.tensor([[1, 2, 3, 4]])) == np_assign(0, [1, 2, 3, 4])
    assert assign(0, rt.tensor([[[1, 2, 3, 4]]])) == np_assign(0, [1, 2, 3, 4])
    assert assign((1, 1), rt.tensor([9])) == np_assign((1, 1), 9)


def test_setitem_other_dtype_value_is_cast():
    t = rt.zeros(2, 2)
    t[0] = rt.tensor([1, 2])
    assert t.dtype == rt.float32
    assert t.tolist() == [[1.0, 2.0], [0.0, 0.0]]


def test_setitem_mask_scalar():
    t = base()
    assert assign(t > 5, 0, t) == np_assign(NP > 5, 0)


def test_setitem_mask_zero_dim_tensor():
    t = base()
    assert assign(t > 5, rt.tensor(0), t) == np_assign(NP > 5, 0)


def test_setitem_mask_values():
    t = rt.zeros(2, 2)
    t[rt.tensor([[True, False], [False, True]])] = rt.tensor([5.0, 6.0])
    assert t.tolist() == [[5.0, 0.0], [0.0, 6.0]]


def test_setitem_row_mask():
    key = rt.tensor([True, False, True])
    assert assign(key, -1) == np_assign(np.array([True, False, True]), -1)


def test_setitem_index_tensor_scalar():
    assert assign(rt.tensor([0, 2]), -1) == np_assign([0, 2], -1)
    assert assign([0, 2], -1) == np_assign([0, 2], -1)


def test_setitem_index_tensor_rows():
    v = rt.tensor([[1, 2, 3, 4], [5, 6, 7, 8]])
    assert assign(rt.tensor([0, 2]), v) == np_assign([0, 2], [[1, 2, 3, 4], [5, 6, 7, 8]])


def test_setitem_index_tensor_pairs():
    key = (rt.tensor([0, 2]), rt.tensor([1, 3]))
    assert assign(key, rt.tensor([100, 200])) == np_assign(([0, 2], [1, 3]), [100, 200])


def test_setitem_pairs_float():
    t = rt.zeros(2, 3)
    t[rt.tensor([0, 1]), rt.tensor([2, 0])] = rt.tensor([5.0, 6.0])
    assert t.tolist() == [[0.0, 0.0, 5.0], [6.0, 0.0, 0.0]]


def test_setitem_duplicate_indices_writes_one_of_the_values():
    t = rt.zeros(5)
    t[rt.tensor([0, 0])] = rt.tensor([1.0, 2.0])
    assert t[1:].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert t[0].item() in (1.0, 2.0)


def test_setitem_through_view_visible_in_base():
    t = base()
    v = t[1:]
    v[0, :2] = rt.tensor([-1, -2])
    assert t[1].tolist() == [-1, -2, 6, 7]
    assert t._version == 1


def test_setitem_from_numpy_values_via_tensor():
    t = rt.zeros(3)
    t[:] = rt.from_numpy(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    assert t.tolist() == [1.0, 2.0, 3.0]


def test_setitem_self_overlap_full():
    t = rt.arange(5)
    t[:] = t
    assert t.tolist() == [0, 1, 2, 3, 4]


# ------------------------------------------------------------------------------------------ setitem errors


def _assert_unchanged_after(exc, key, value, match=None):
    t = base()
    before = t.tolist()
    v0 = t._version
    with pytest.raises(exc, match=match):
        t[key] = value
    assert t.tolist() == before
    assert t._version == v0


def test_setitem_shape_mismatch():
    msg = "The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [3].  Tensor sizes: [2]"
    _assert_unchanged_after(RuntimeError, (slice(None), 1), rt.tensor([7, 8]), re.escape(msg))


def test_setitem_too_many_values_for_element():
    _assert_unchanged_after(RuntimeError, (1, 1), rt.tensor([1, 2]))


def test_setitem_mask_value_mismatch():
    t = rt.zeros(2, 2)
    msg = "shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2]"
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        t[rt.tensor([[True, False], [False, True]])] = rt.tensor([5.0, 6.0, 7.0])
    assert t.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_setitem_out_of_range():
    _assert_unchanged_after(IndexError, 5, 0, re.escape("index 5 is out of bounds for dimension 0 with size 3"))


def test_setitem_index_tensor_out_of_range_raises():
    t = base()
    with pytest.raises(IndexError, match=re.escape("index 7 is out of bounds for dimension 0 with size 3")):
        t[rt.tensor([0, 7])] = 1


@rtensor_only
def test_setitem_index_tensor_out_of_range_writes_nothing():
    # torch (2.x, CPU) writes row 0 before it finds that 7 is out of range; rtensor validates first.
    _assert_unchanged_after(IndexError, rt.tensor([0, 7]), 1, re.escape("index 7 is out of bounds for dimension 0 with size 3"))


def test_setitem_bad_mask_shape():
    _assert_unchanged_after(IndexError, rt.tensor([True, False]), 1, re.escape("The shape of the mask [2] at index 0 does not match"))


def test_setitem_too_many_indices():
    _assert_unchanged_after(IndexError, (0, 0, 0), 0, "too many indices for tensor of dimension 2")


def test_setitem_float_key():
    _assert_unchanged_after(IndexError, 1.0, 0, "only integers, slices")


@pytest.mark.parametrize("value, name", [([1, 2, 3, 4], "list"), ("a", "str"), (None, "NoneType")])
def test_setitem_bad_value_type(value, name):
    _assert_unchanged_after(TypeError, 0, value, f"can't assign a {name} to a")


def test_setitem_numpy_value_type_error():
    _assert_unchanged_after(TypeError, 0, np.array([1, 2, 3, 4]), "can't assign a numpy.ndarray")


SOURCE_DTYPE_MSG = "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source."


@pytest.mark.parametrize("key, value, names", [
    (lambda: rt.tensor([0]), lambda: rt.tensor([1.5]), ("Long", "Float")),
    (lambda: [0, 1], lambda: rt.tensor([1, 2], dtype=rt.int32), ("Long", "Int")),
    (lambda: rt.tensor([0]), lambda: rt.tensor(2.5), ("Long", "Float")),
    (lambda: rt.tensor([True, False, True]), lambda: rt.tensor([1.5, 2.5]), ("Long", "Float")),
    (lambda: rt.tensor(True), lambda: rt.tensor([2, 3, 4], dtype=rt.int32), ("Long", "Int")),
    # the bounds come second: torch checks the dtypes first
    (lambda: rt.tensor([7]), lambda: rt.tensor([1.5]), ("Long", "Float")),
])
def test_index_put_needs_the_destination_dtype(key, value, names):
    # found by tests/test_properties.py (differential with torch): rtensor converted the value silently
    x = rt.zeros(3, dtype=rt.int64)
    with pytest.raises(RuntimeError, match=re.escape(SOURCE_DTYPE_MSG.format(*names))):
        x[key()] = value()
    assert x.tolist() == [0, 0, 0]


def test_index_put_converts_where_torch_does():
    x = rt.zeros(2, 3)
    x[rt.tensor([True, False])] = rt.tensor(2)  # one mask and a one-element value: masked_fill, converted
    x[rt.ones(2, 3, dtype=rt.bool) & (rt.arange(3) < 1)] = rt.tensor([5])
    x[0:1] = rt.tensor([[1, 2, 3]])  # basic indexing copies with conversion
    x[True] = rt.tensor([7, 8, 9])  # a Python bool indexes like None
    x[rt.tensor([1])] = 4  # a Python number is always converted
    assert x.tolist() == [[7.0, 8.0, 9.0], [4.0, 4.0, 4.0]]


def test_out_of_range_index_into_an_empty_result_is_not_checked():
    # found by tests/test_properties.py (differential with torch): torch checks index values as its kernel reads
    # them, so when the unindexed dims hold no element nothing is read and nothing is refused
    assert rt.zeros(2, 0)[rt.tensor([5])].shape == (1, 0)
    assert rt.zeros(2, 0)[[5]].shape == (1, 0)
    assert rt.zeros(0, 3)[:, [7]].shape == (0, 1)
    assert rt.zeros(0, 1, dtype=rt.bool)[..., rt.tensor([1])].shape == (0, 1)
    x = rt.zeros(2, 0)
    x[rt.tensor([5])] = 1.0
    assert x.shape == (2, 0)
    # a non-empty index into a size-0 dim is refused up front, and an in-range result is still checked
    with pytest.raises(IndexError, match="^index is out of bounds for dimension with size 0$"):
        rt.zeros(2, 0)[[1], [3]]
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 2"):
        rt.zeros(2, 1)[[5]]


def test_setitem_checks_the_key_before_the_value_dtype():
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 0"):
        rt.tensor(0.0)[rt.tensor([], dtype=rt.int64),] = rt.tensor(False)


def test_setitem_checks_the_value_shape_before_the_index_values():
    # found by tests/test_properties.py (differential with torch): torch reads the index values last
    x = rt.zeros(3, 2)
    with pytest.raises(RuntimeError, match=re.escape(
            "shape mismatch: value tensor of shape [0] cannot be broadcast to indexing result of shape [1, 2]")):
        x[rt.tensor([3])] = rt.zeros(0)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        x[rt.tensor([3])] = rt.zeros(2)


def test_empty_broadcast_index_into_a_size_0_dim_reads_nothing():
    # the size-0 check looks at the broadcast index: [] with [0] broadcasts to an empty index
    x = rt.zeros(0, 0, dtype=rt.bool)
    assert x[rt.tensor([], dtype=rt.int64), rt.tensor([0])].shape == (0,)
    with pytest.raises(RuntimeError, match=re.escape(SOURCE_DTYPE_MSG.format("Bool", "Float"))):
        x[rt.tensor([], dtype=rt.int64), rt.tensor([0])] = rt.tensor(0.0)


def test_a_bad_slice_is_reported_before_a_bad_mask():
    # found by tests/test_properties.py (differential with torch): torch checks a mask's shape after the key's
    # basic part, so the later negative step is the error it reports
    with pytest.raises(ValueError, match="step must be greater than zero"):
        rt.zeros(1, 0, dtype=rt.bool)[rt.zeros(0, dtype=rt.bool), ::-1]
    with pytest.raises(IndexError, match=re.escape("The shape of the mask [0] at index 0 does not match")):
        rt.zeros(1, 0, dtype=rt.bool)[rt.zeros(0, dtype=rt.bool), ::1]
