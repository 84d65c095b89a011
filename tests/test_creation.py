# Creation functions: rt.tensor, as_tensor, from_numpy, arange, zeros/ones/empty/full, eye, linspace,
# the *_like variants, rand/randn/randint with manual_seed, default dtype.
#
# Validated against torch 2.15.0 (CPU): every expected value, dtype, shape, exception type and message below is what
# torch does (run with a shim package named `rtensor` that re-exports torch; under it dtype reprs are
# expected to read `torch.` instead of `rtensor.`).
import gc
import re
import warnings

import numpy as np
import pytest

import rtensor as rt

UNDER_TORCH = getattr(rt, "_IS_TORCH_SHIM", False)  # only the torch validation shim sets this


@pytest.fixture
def restore_default_dtype():
    old = rt.get_default_dtype()
    yield
    rt.set_default_dtype(old)


# ---------------------------------------------------------------------------------------------- rt.tensor


def test_tensor_from_int_scalar():
    t = rt.tensor(3)
    assert t.shape == ()
    assert t.dim() == 0
    assert t.dtype == rt.int64
    assert t.item() == 3


def test_tensor_from_float_scalar():
    t = rt.tensor(2.5)
    assert t.shape == ()
    assert t.dtype == rt.float32
    assert t.item() == 2.5


def test_tensor_from_bool_scalar():
    t = rt.tensor(True)
    assert t.dtype == rt.bool
    assert t.item() is True


def test_tensor_from_nested_list():
    t = rt.tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3)
    assert t.dtype == rt.int64
    assert t.tolist() == [[1, 2, 3], [4, 5, 6]]


def test_tensor_from_nested_tuples_and_mixed_sequences():
    assert rt.tensor(((1, 2), (3, 4))).tolist() == [[1, 2], [3, 4]]
    assert rt.tensor([(1, 2), [3, 4]]).shape == (2, 2)


def test_tensor_from_range():
    assert rt.tensor(range(3)).tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "data, dtype_name",
    [
        ([1, 2, 3], "int64"),
        ([1.0, 2.0], "float32"),
        ([1, 2.5], "float32"),
        ([1, 2, 3.0], "float32"),
        ([True, False], "bool"),
        ([True, 1], "int64"),
        ([True, 1.5], "float32"),
        ([[1], [2.5]], "float32"),
        ([], "float32"),
    ],
)
def test_tensor_dtype_inference(data, dtype_name):
    assert rt.tensor(data).dtype == getattr(rt, dtype_name)


def test_tensor_empty_lists_shapes():
    assert rt.tensor([]).shape == (0,)
    assert rt.tensor([[]]).shape == (1, 0)
    assert rt.tensor([[], []]).shape == (2, 0)
    assert rt.tensor([[[]]]).shape == (1, 1, 0)


def test_tensor_explicit_dtype():
    assert rt.tensor([1, 2], dtype=rt.float64).dtype == rt.float64
    assert rt.tensor([1, 2], dtype=rt.int32).dtype == rt.int32
    assert rt.tensor(3, dtype=rt.float64).item() == 3.0
    assert rt.tensor([1, 0, 2], dtype=rt.bool).tolist() == [True, False, True]


def test_tensor_explicit_int_dtype_truncates_floats():
    assert rt.tensor([1.7, -1.7], dtype=rt.int64).tolist() == [1, -1]


def test_tensor_float32_rounding():
    assert rt.tensor([0.1]).tolist() == [np.float32(0.1).item()]
    assert rt.tensor([0.1], dtype=rt.float64).tolist() == [0.1]


def test_tensor_float32_overflow_is_inf():
    assert rt.tensor(1e300, dtype=rt.float32).item() == float("inf")


def test_tensor_int64_extremes():
    assert rt.tensor(-(2**63)).item() == -(2**63)
    assert rt.tensor(2**63 - 1).item() == 2**63 - 1


def test_tensor_int_overflow_raises():
    # torch: ValueError "Overflow when unpacking long long" (not OverflowError)
    with pytest.raises(ValueError, match="Overflow"):
        rt.tensor(2**63)


def test_tensor_list_of_zero_dim_tensors():
    t = rt.tensor([rt.tensor(1.5), rt.tensor(2.0)])
    assert t.tolist() == [1.5, 2.0]
    assert t.dtype == rt.float32


def test_tensor_from_numpy_keeps_dtype():
    assert rt.tensor(np.array([1, 2], dtype=np.int32)).dtype == rt.int32
    assert rt.tensor(np.array([1, 2], dtype=np.int64)).dtype == rt.int64
    assert rt.tensor(np.array([1.5], dtype=np.float32)).dtype == rt.float32
    assert rt.tensor(np.array([1.5])).dtype == rt.float64
    assert rt.tensor(np.array([True])).dtype == rt.bool
    assert rt.tensor(np.array(1.5)).dtype == rt.float64
    assert rt.tensor(np.array(1.5)).shape == ()


def test_tensor_from_numpy_scalar_keeps_dtype():
    assert rt.tensor(np.float64(3)).dtype == rt.float64
    assert rt.tensor([np.float64(1.5)]).dtype == rt.float64


def test_tensor_from_numpy_copies():
    n = np.zeros(3)
    t = rt.tensor(n)
    n[0] = 1
    assert t.tolist() == [0.0, 0.0, 0.0]


def test_tensor_from_noncontiguous_numpy_values():
    n = np.array([[1, 2], [3, 4]]).T
    assert rt.tensor(n).tolist() == [[1, 3], [2, 4]]


def test_tensor_from_numpy_with_dtype_override():
    t = rt.tensor(np.array([1.7, 2.2]), dtype=rt.int32)
    assert t.dtype == rt.int32
    assert t.tolist() == [1, 2]


def test_tensor_from_object_array_is_type_error():
    with pytest.raises(TypeError):
        rt.tensor(np.array([1, "a"], dtype=object))


def test_tensor_from_tensor_copies():
    a = rt.zeros(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch recommends clone(); a warning is optional
        t = rt.tensor(a)
    a[0] = 1
    assert t.tolist() == [0.0, 0.0, 0.0]
    assert t.data_ptr() != a.data_ptr()


def test_tensor_from_tensor_with_dtype():
    a = rt.tensor([1, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = rt.tensor(a, dtype=rt.float64)
    assert t.dtype == rt.float64
    assert t.tolist() == [1.0, 2.0]


def test_tensor_requires_grad_flag():
    assert rt.tensor([1.0, 2.0]).requires_grad is False
    assert rt.tensor([1.0, 2.0], requires_grad=True).requires_grad is True


def test_tensor_requires_grad_on_int_raises():
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        rt.tensor([1, 2], requires_grad=True)


@pytest.mark.parametrize(
    "data, match",
    [
        ([[1, 2], [3]], "expected sequence of length 2 at dim 1 (got 1)"),
        ([[1], [2, 3]], "expected sequence of length 1 at dim 1 (got 2)"),
        ([[1], []], "expected sequence of length 1 at dim 1 (got 0)"),
    ],
)
def test_tensor_ragged_is_value_error(data, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        rt.tensor(data)


def test_tensor_ragged_scalar_after_list_is_type_error():
    # torch: TypeError "not a sequence"
    with pytest.raises(TypeError):
        rt.tensor([[1, 2], 3])


def test_tensor_string_is_type_error():
    with pytest.raises(TypeError, match="invalid data type 'str'"):
        rt.tensor("abc")


def test_tensor_string_in_list_is_type_error():
    with pytest.raises(TypeError, match="invalid data type 'str'"):
        rt.tensor([1, "a"])


def test_tensor_list_of_strings_is_value_error():
    # torch: ValueError "too many dimensions 'str'"
    with pytest.raises(ValueError, match="too many dimensions 'str'"):
        rt.tensor(["a", "b"])


@pytest.mark.parametrize("data", [None, [None], [1, None]])
def test_tensor_none_is_runtime_error(data):
    with pytest.raises(RuntimeError, match="Could not infer dtype of NoneType"):
        rt.tensor(data)


@pytest.mark.parametrize("data, name", [({1: 2}, "dict"), ({1, 2}, "set"), (object(), "object")])
def test_tensor_unsupported_object_is_runtime_error(data, name):
    with pytest.raises(RuntimeError, match=f"Could not infer dtype of {name}"):
        rt.tensor(data)


def test_python_types_accepted_as_dtype():
    assert rt.zeros(2, dtype=float).dtype == rt.float64
    assert rt.zeros(2, dtype=int).dtype == rt.int64
    assert rt.zeros(2, dtype=bool).dtype == rt.bool
    assert rt.tensor([1.5], dtype=float).dtype == rt.float64
    assert rt.ones(2).to(int).dtype == rt.int64


def test_tensor_dtype_must_be_dtype():
    with pytest.raises(TypeError):
        rt.tensor([1.5], dtype="float32")


# ------------------------------------------------------------------------------------------- as_tensor


def test_as_tensor_from_list():
    t = rt.as_tensor([1, 2])
    assert t.dtype == rt.int64
    assert t.tolist() == [1, 2]


def test_as_tensor_scalar():
    assert rt.as_tensor(3).shape == ()


def test_as_tensor_shares_numpy_memory():
    n = np.zeros(3, dtype=np.float32)
    t = rt.as_tensor(n)
    n[0] = 1
    assert t.tolist() == [1.0, 0.0, 0.0]
    assert rt.as_tensor(np.array([1.5])).dtype == rt.float64


def test_as_tensor_returns_same_tensor():
    a = rt.zeros(3)
    assert rt.as_tensor(a) is a


def test_as_tensor_with_other_dtype_copies():
    a = rt.zeros(3)
    t = rt.as_tensor(a, dtype=rt.float64)
    a[0] = 1
    assert t.dtype == rt.float64
    assert t.tolist() == [0.0, 0.0, 0.0]


def test_as_tensor_list_with_dtype():
    assert rt.as_tensor([1.5], dtype=rt.float64).dtype == rt.float64


# ------------------------------------------------------------------------------------------ from_numpy


@pytest.mark.parametrize(
    "np_dtype, name",
    [(np.float32, "float32"), (np.float64, "float64"), (np.int32, "int32"), (np.int64, "int64"), (np.bool_, "bool")],
)
def test_from_numpy_dtypes(np_dtype, name):
    t = rt.from_numpy(np.zeros(3, dtype=np_dtype))
    assert t.dtype == getattr(rt, name)
    assert t.shape == (3,)


def test_from_numpy_zero_copy_both_ways():
    n = np.zeros(3, dtype=np.float32)
    t = rt.from_numpy(n)
    assert t.data_ptr() == n.ctypes.data
    n[0] = 1
    t[1] = 2
    assert t.tolist() == [1.0, 2.0, 0.0]
    assert n.tolist() == [1.0, 2.0, 0.0]


def test_from_numpy_keeps_strides():
    n = np.arange(6.0).reshape(2, 3).T
    t = rt.from_numpy(n)
    assert t.stride() == (1, 3)
    assert not t.is_contiguous()
    assert t.tolist() == n.tolist()


def test_from_numpy_strided_slice():
    n = np.arange(6).reshape(2, 3)[:, ::2]
    t = rt.from_numpy(n)
    assert t.stride() == (3, 2)
    assert t.tolist() == [[0, 2], [3, 5]]


def test_from_numpy_keeps_array_alive():
    t = rt.from_numpy(np.arange(5, dtype=np.int64))
    gc.collect()
    assert t.tolist() == [0, 1, 2, 3, 4]


def test_from_numpy_zero_dim():
    t = rt.from_numpy(np.array(2.5))
    assert t.shape == ()
    assert t.item() == 2.5


def test_from_numpy_negative_strides_is_value_error():
    with pytest.raises(ValueError, match="negative"):
        rt.from_numpy(np.arange(6.0)[::-1])


def test_from_numpy_rejects_non_array():
    with pytest.raises(TypeError, match="expected np.ndarray"):
        rt.from_numpy([1, 2])


def test_from_numpy_object_array_is_type_error():
    with pytest.raises(TypeError):
        rt.from_numpy(np.zeros(3, dtype=object))


# --------------------------------------------------------------------------------------------- arange


def test_arange_end():
    t = rt.arange(5)
    assert t.dtype == rt.int64
    assert t.tolist() == [0, 1, 2, 3, 4]


def test_arange_start_end_step():
    assert rt.arange(1, 10, 3).tolist() == [1, 4, 7]
    assert rt.arange(10, 0, -3).tolist() == [10, 7, 4, 1]


def test_arange_empty():
    t = rt.arange(0)
    assert t.shape == (0,)
    assert t.dtype == rt.int64


@pytest.mark.parametrize("args", [(5.0,), (0.5, 3), (0, 3, 1.0), (1, 2.5)])
def test_arange_float_args_give_default_float(args):
    assert rt.arange(*args).dtype == rt.float32


def test_arange_float_values():
    assert rt.arange(0, 2, 0.5).tolist() == [0.0, 0.5, 1.0, 1.5]
    assert rt.arange(-1.0, 1.0, 0.5).tolist() == [-1.0, -0.5, 0.0, 0.5]
    assert rt.arange(1, 2.5).tolist() == [1.0, 2.0]


def test_arange_float_step_length():
    assert rt.arange(0, 1, 0.1).shape == (10,)
    assert rt.arange(0, 5, 0.5).shape == (10,)


def test_arange_dtype_kwarg():
    t = rt.arange(5, dtype=rt.float64)
    assert t.dtype == rt.float64
    assert t.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert rt.arange(3, dtype=rt.int32).dtype == rt.int32


def test_arange_numpy_int_arg():
    assert rt.arange(np.int64(3)).dtype == rt.int64


def test_arange_zero_step():
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        rt.arange(1, 2, 0)


def test_arange_inconsistent_step_sign():
    with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent with step sign"):
        rt.arange(0, 10, -1)


def test_arange_infinite():
    with pytest.raises(RuntimeError, match="unsupported range"):
        rt.arange(float("inf"))


def test_arange_requires_grad():
    assert rt.arange(3.0, requires_grad=True).requires_grad


# -------------------------------------------------------------------------------- zeros/ones/empty/full


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],)])
def test_sizes_varargs_tuple_list(fn, size):
    t = getattr(rt, fn)(*size)
    assert t.shape == (2, 3)
    assert t.dtype == rt.float32
    assert t.is_contiguous()
    assert t.stride() == (3, 1)


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty", "rand", "randn"])
def test_size_as_rt_size(fn):
    assert getattr(rt, fn)(rt.Size([2, 3])).shape == (2, 3)


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
def test_zero_dim_size(fn):
    assert getattr(rt, fn)(()).shape == ()
    assert getattr(rt, fn)([]).shape == ()


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
def test_missing_size_is_type_error(fn):
    with pytest.raises(TypeError):
        getattr(rt, fn)()


def test_zeros_and_ones_values():
    assert rt.zeros(2, 2).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert rt.ones(3).tolist() == [1.0, 1.0, 1.0]


def test_zero_sized_dims():
    t = rt.zeros(2, 0, 3)
    assert t.shape == (2, 0, 3)
    assert t.numel() == 0


@pytest.mark.parametrize("name", ["float32", "float64", "int32", "int64", "bool"])
def test_zeros_ones_dtype(name):
    dt = getattr(rt, name)
    z = rt.zeros(2, dtype=dt)
    o = rt.ones(2, dtype=dt)
    e = rt.empty(2, dtype=dt)
    assert z.dtype == o.dtype == e.dtype == dt
    if name == "bool":
        assert z.tolist() == [False, False]
        assert o.tolist() == [True, True]
    else:
        assert z.tolist() == [0, 0]
        assert o.tolist() == [1, 1]


def test_size_from_numpy_int():
    assert rt.zeros(np.int64(2)).shape == (2,)


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty", "rand", "randn"])
@pytest.mark.parametrize("size", [(-1,), (2, -3), ((2, -1),)])
def test_negative_size_runtime_error(fn, size):
    # torch: "zeros: Dimension size must be non-negative." or
    # "Trying to create tensor with negative dimension -1: [2, -1]"
    with pytest.raises(RuntimeError, match="negative"):
        getattr(rt, fn)(*size)


def test_negative_size_message_names_dim_and_shape():
    with pytest.raises(RuntimeError, match=re.escape("negative dimension -1: [2, -1]")):
        rt.ones((2, -1))


@pytest.mark.parametrize("bad", [2.5, "a", True])
def test_bad_size_type_error(bad):
    with pytest.raises(TypeError):
        rt.zeros(bad)


def test_size_tuple_then_int_is_type_error():
    with pytest.raises(TypeError):
        rt.zeros((2, 3), 4)


def test_full_dtype_inference():
    assert rt.full((2,), 3).dtype == rt.int64
    assert rt.full((2,), 3.0).dtype == rt.float32
    assert rt.full((2,), True).dtype == rt.bool


def test_full_values():
    assert rt.full([2, 2], -1).tolist() == [[-1, -1], [-1, -1]]
    assert rt.full((3,), 1.5).tolist() == [1.5, 1.5, 1.5]
    assert rt.full((), 3).shape == ()


def test_full_with_dtype_truncates():
    assert rt.full((2,), 1.5, dtype=rt.int64).tolist() == [1, 1]


def test_full_size_must_be_sequence():
    with pytest.raises(TypeError):
        rt.full(2, 1.5)


def test_full_negative_size():
    with pytest.raises(RuntimeError, match="negative"):
        rt.full((2, -1), 1.0)


def test_creation_requires_grad_flag():
    assert rt.zeros(2, requires_grad=True).requires_grad
    assert rt.ones(2, 2, requires_grad=True).requires_grad
    assert rt.empty(2, requires_grad=True).requires_grad
    assert rt.full((2,), 1.0, requires_grad=True).requires_grad
    assert rt.rand(2, requires_grad=True).requires_grad
    assert rt.randn(2, requires_grad=True).requires_grad
    assert not rt.zeros(2).requires_grad


def test_creation_requires_grad_int_raises():
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        rt.zeros(2, dtype=rt.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        rt.arange(3, requires_grad=True)


# ------------------------------------------------------------------------------------------ eye/linspace


def test_eye_square():
    t = rt.eye(3)
    assert t.dtype == rt.float32
    assert t.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]


def test_eye_rectangular():
    assert rt.eye(2, 3).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert rt.eye(3, 2).tolist() == [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    assert rt.eye(2, 0).shape == (2, 0)


def test_eye_dtype():
    t = rt.eye(2, dtype=rt.int64)
    assert t.dtype == rt.int64
    assert t.tolist() == [[1, 0], [0, 1]]


def test_eye_negative():
    with pytest.raises(RuntimeError, match="n must be greater or equal to 0, got -1"):
        rt.eye(-1)
    with pytest.raises(RuntimeError, match="m must be greater or equal to 0, got -1"):
        rt.eye(2, -1)


def test_linspace_values():
    t = rt.linspace(0, 1, 5)
    assert t.dtype == rt.float32
    assert t.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert rt.linspace(1, 0, 5).tolist() == [1.0, 0.75, 0.5, 0.25, 0.0]


def test_linspace_matches_numpy():
    t = rt.linspace(-3, 7, 11, dtype=rt.float64)
    np.testing.assert_allclose(t.tolist(), np.linspace(-3, 7, 11), rtol=0, atol=1e-12)


def test_linspace_edge_counts():
    assert rt.linspace(0, 1, 1).tolist() == [0.0]
    assert rt.linspace(0, 1, 0).shape == (0,)


def test_linspace_int_args_still_float():
    assert rt.linspace(0, 10, 5).dtype == rt.float32


def test_linspace_int_dtype():
    assert rt.linspace(0, 10, 3, dtype=rt.int64).tolist() == [0, 5, 10]


def test_linspace_negative_steps():
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        rt.linspace(0, 10, -1)


# ------------------------------------------------------------------------------------------------ *_like


def test_zeros_like_keeps_dtype_and_shape():
    a = rt.tensor([[1, 2], [3, 4]])
    z = rt.zeros_like(a)
    assert z.dtype == rt.int64
    assert z.shape == (2, 2)
    assert z.tolist() == [[0, 0], [0, 0]]


def test_ones_like_dtype_override():
    o = rt.ones_like(rt.tensor([1.0, 2.0]), dtype=rt.int32)
    assert o.dtype == rt.int32
    assert o.tolist() == [1, 1]


def test_empty_like_shape():
    a = rt.zeros(2, 3, dtype=rt.float64)
    e = rt.empty_like(a)
    assert e.shape == (2, 3)
    assert e.dtype == rt.float64
    assert e.data_ptr() != a.data_ptr()


def test_full_like_uses_input_dtype():
    assert rt.full_like(rt.tensor([1, 2]), 2.7).tolist() == [2, 2]
    assert rt.full_like(rt.zeros(2), 7).dtype == rt.float32
    assert rt.full_like(rt.zeros(2), 7, dtype=rt.bool).tolist() == [True, True]


def test_like_requires_grad():
    assert rt.ones_like(rt.zeros(2), requires_grad=True).requires_grad
    assert not rt.ones_like(rt.zeros(2, requires_grad=True)).requires_grad


def test_like_of_transposed_preserves_dense_strides():
    a = rt.zeros(2, 3).t()
    z = rt.zeros_like(a)
    assert z.shape == (3, 2)
    assert z.stride() == (1, 3)


def test_like_of_sliced_is_contiguous():
    a = rt.zeros(2, 3)[:, ::2]
    z = rt.zeros_like(a)
    assert z.shape == (2, 2)
    assert z.stride() == (2, 1)


def test_rand_like_randn_like():
    a = rt.zeros(2, 3, dtype=rt.float64)
    assert rt.rand_like(a).shape == (2, 3)
    assert rt.rand_like(a).dtype == rt.float64
    assert rt.randn_like(a).dtype == rt.float64


# ------------------------------------------------------------------------------------- random + seed


def test_rand_shape_dtype_range():
    rt.manual_seed(1)
    t = rt.rand(1000)
    assert t.dtype == rt.float32
    vals = np.array(t.tolist())
    assert vals.min() >= 0.0
    assert vals.max() < 1.0
    assert 0.4 < vals.mean() < 0.6


def test_rand_sizes():
    assert rt.rand(2, 3).shape == (2, 3)
    assert rt.rand((2, 3)).shape == (2, 3)
    assert rt.rand([4]).shape == (4,)
    assert rt.rand(2, dtype=rt.float64).dtype == rt.float64


def test_randn_stats():
    rt.manual_seed(2)
    t = rt.randn(20000, dtype=rt.float64)
    vals = np.array(t.tolist())
    assert abs(vals.mean()) < 0.05
    assert abs(vals.std() - 1.0) < 0.05


def test_randn_sizes():
    assert rt.randn(2, 3).shape == (2, 3)
    assert rt.randn((2, 3), dtype=rt.float64).dtype == rt.float64


@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_manual_seed_reproducible(fn):
    rt.manual_seed(123)
    a = getattr(rt, fn)(50).tolist()
    b = getattr(rt, fn)(50).tolist()
    rt.manual_seed(123)
    c = getattr(rt, fn)(50).tolist()
    assert a == c
    assert a != b


def test_manual_seed_different_seeds_differ():
    rt.manual_seed(0)
    a = rt.rand(20).tolist()
    rt.manual_seed(1)
    b = rt.rand(20).tolist()
    assert a != b


def test_randint_reproducible():
    rt.manual_seed(7)
    a = rt.randint(0, 100, (50,)).tolist()
    rt.manual_seed(7)
    assert rt.randint(0, 100, (50,)).tolist() == a


def test_randint_range_and_dtype():
    rt.manual_seed(3)
    t = rt.randint(3, 10, (1000,))
    assert t.dtype == rt.int64
    vals = set(t.tolist())
    assert vals == set(range(3, 10))


def test_randint_high_only():
    t = rt.randint(10, (2, 2))
    assert t.shape == (2, 2)
    assert t.dtype == rt.int64
    assert all(0 <= v < 10 for v in np.array(t.tolist()).ravel())


def test_randint_size_kw_and_list():
    assert rt.randint(10, size=(2,)).shape == (2,)
    assert rt.randint(0, 10, [2, 2]).shape == (2, 2)
    assert rt.randint(10, (3,), dtype=rt.int32).dtype == rt.int32


def test_randint_empty_range():
    with pytest.raises(RuntimeError, match="from=5 >= to=5"):
        rt.randint(5, 5, (3,))


def test_rand_int_dtype_raises():
    with pytest.raises(RuntimeError):
        rt.rand(2, dtype=rt.int64)


def test_manual_seed_accepts_int():
    rt.manual_seed(0)
    rt.manual_seed(2**40)


# -------------------------------------------------------------------------------------- default dtype


def test_default_dtype_is_float32():
    assert rt.get_default_dtype() == rt.float32


def test_set_default_dtype_float64(restore_default_dtype):
    rt.set_default_dtype(rt.float64)
    assert rt.get_default_dtype() == rt.float64
    assert rt.tensor([1.5]).dtype == rt.float64
    assert rt.tensor(1.5).dtype == rt.float64
    assert rt.tensor([1]).dtype == rt.int64
    assert rt.arange(5.0).dtype == rt.float64
    assert rt.zeros(2).dtype == rt.float64
    assert rt.ones(2).dtype == rt.float64
    assert rt.full((2,), 1.5).dtype == rt.float64
    assert rt.linspace(0, 1, 3).dtype == rt.float64
    assert rt.rand(2).dtype == rt.float64
    assert rt.eye(2).dtype == rt.float64


def test_default_dtype_drives_promotion(restore_default_dtype):
    rt.set_default_dtype(rt.float64)
    assert (rt.tensor([1]) * 2.5).dtype == rt.float64
    assert (rt.tensor([1]) / 2).dtype == rt.float64
    # a float32 tensor with a Python float stays float32
    assert (rt.tensor([1.0], dtype=rt.float32) * 2.5).dtype == rt.float32


def test_set_default_dtype_back(restore_default_dtype):
    rt.set_default_dtype(rt.float64)
    rt.set_default_dtype(rt.float32)
    assert rt.tensor([1.5]).dtype == rt.float32


@pytest.mark.parametrize("name", ["int64", "int32", "bool"])
def test_set_default_dtype_rejects_non_float(name, restore_default_dtype):
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        rt.set_default_dtype(getattr(rt, name))
    assert rt.get_default_dtype() == rt.float32


# -------------------------------------------------------------------------------------------------- dtypes


@pytest.mark.parametrize("name", ["float32", "float64", "int32", "int64", "bool"])
def test_dtype_repr(name):
    prefix = "torch" if UNDER_TORCH else "rtensor"
    assert repr(getattr(rt, name)) == f"{prefix}.{name}"
    assert str(getattr(rt, name)) == f"{prefix}.{name}"


def test_dtype_properties():
    assert rt.float32.is_floating_point
    assert rt.float64.is_floating_point
    assert not rt.int64.is_floating_point
    assert not rt.bool.is_floating_point
    assert rt.float32.itemsize == 4
    assert rt.float64.itemsize == 8
    assert rt.int32.itemsize == 4
    assert rt.int64.itemsize == 8
    assert rt.bool.itemsize == 1


def test_dtype_equality_and_hash():
    assert rt.float32 == rt.float32
    assert rt.float32 != rt.float64
    assert len({rt.float32, rt.float32, rt.int64}) == 2


def test_element_size():
    assert rt.zeros(2).element_size() == 4
    assert rt.zeros(2, dtype=rt.float64).element_size() == 8
    assert rt.zeros(2, dtype=rt.bool).element_size() == 1


def test_is_floating_point():
    assert rt.zeros(2).is_floating_point()
    assert not rt.zeros(2, dtype=rt.int32).is_floating_point()
