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


# ------------------------------------------------------------------- arange/linspace: torch's exact values
#
# torch's kernels, which these follow bit for bit:
# - arange for integer dtypes casts start and step to int64 first (truncating; torch's overflow check), then
#   fills start + step * i; the size is ceil((end - start) / step) in double on the uncast values (int64
#   results from three ints: exactly, in integers).
# - linspace works in the output dtype: step = (end - start) / (steps - 1), start + step * i for the first
#   half, end - step * (steps - 1 - i) for the rest, each a fused multiply-add; integer dtypes convert
#   start and end to the dtype first (with the overflow check) and use a double step, truncating each value.
# The expected values below were computed once with torch 2.15 (CPU) and are kept literally, so this runs
# without torch; test_range_factories_random_against_torch compares many more cases where torch is installed.
# (Floating arange is not covered: torch's vectorised loop adds multiples of the step to a rounded base per
# SIMD block, so its last bits depend on the CPU's vector width and the thread split.)

NAN, INF = float("nan"), float("inf")

LINSPACE_CASES = [
    ((4.3, -3, 50), rt.int32, [4, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -2, -2, -2, -2, -2, -2, -2, -3]),
    ((-0.5, 7.9, 13), rt.int32, [0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 5, 6, 7]),
    ((15.622, 9.86, 29), rt.int32, [15, 14, 14, 14, 14, 13, 13, 13, 13, 13, 12, 12, 12, 12, 12, 11, 11, 11, 11, 10, 10, 10, 10, 10, 9, 9, 9, 9, 9]),
    ((-367645.7255573154, -20, 21), rt.int32, [-367645, -349263, -330882, -312501, -294120, -275738, -257357, -238976, -220595, -202213, -183832, -165451, -147070, -128688, -110307, -91926, -73545, -55163, -36782, -18401, -20]),
    ((361007.9917634502, -2.0697102609621743, 10), rt.int32, [361007, 320894, 280782, 240670, 200558, 160446, 120334, 80222, 40110, -2]),
    ((2147483647.5, 0, 3), rt.int32, [2147483647, 1073741823, 0]),
    ((-2147483648, 2147483647, 7), rt.int32, [-2147483648, -1431655765, -715827883, 0, 715827882, 1431655764, 2147483647]),
    ((10, 0, 4), rt.int32, [10, 6, 3, 0]),
    ((7.775441352639756, 397004.86546324985, 17), rt.int64, [7, 24819, 49631, 74443, 99256, 124068, 148880, 173693, 198505, 223317, 248130, 272942, 297754, 322567, 347379, 372191, 397004]),
    ((2147483647, -190577.2784703112, 10), rt.int64, [2147483647, 1908853177, 1670222708, 1431592239, 1192961769, 954331300, 715700831, 477070361, 238439892, -190577]),
    ((-9223372036854775808, 9223372036854775807, 4), rt.int64, [-9223372036854775808, -3074457345618258944, 3074457345618258944, -9223372036854775808]),
    ((4611686018427387904, -4611686018427387904, 5), rt.int64, [4611686018427387904, 2305843009213693952, 0, -2305843009213693952, -4611686018427387904]),
    ((-9.99, 9.99, 9), rt.int64, [-9, -6, -4, -2, 0, 2, 4, 6, 9]),
    ((-14, -498987.3172751189, 21), rt.float32, [-14.0, -24962.666015625, -49911.33203125, -74860.0, -99808.6640625, -124757.328125, -149706.0, -174654.65625, -199603.328125, -224552.0, -249500.65625, -274449.3125, -299398.0, -324346.65625, -349295.3125, -374243.96875, -399192.65625, -424141.3125, -449089.96875, -474038.65625, -498987.3125]),
    ((10.193, -9, 10), rt.float32, [10.192999839782715, 8.060443878173828, 5.9278883934021, 3.795332670211792, 1.6627769470214844, -0.46977710723876953, -2.602332830429077, -4.734888553619385, -6.867444038391113, -9.0]),
    ((-1.1203649192772591, 11, 11), rt.float32, [-1.1203649044036865, 0.09167158603668213, 1.3037080764770508, 2.515744686126709, 3.727781057357788, 4.939817428588867, 6.151854038238525, 7.363890647888184, 8.575926780700684, 9.7879638671875, 11.0]),
    ((INF, 0, 3), rt.float32, [NAN, INF, NAN]),
    ((0.1, 0.7, 7), rt.float32, [0.10000000149011612, 0.19999998807907104, 0.29999998211860657, 0.4000000059604645, 0.5, 0.6000000238418579, 0.699999988079071]),
    ((-3, 16, 11), rt.float64, [-3.0, -1.1, 0.7999999999999998, 2.6999999999999997, 4.6, 6.5, 8.4, 10.3, 12.2, 14.1, 16.0]),
    ((1.7094763472097636, -1.772017249339239, 9), rt.float64, [1.7094763472097636, 1.2742896476411383, 0.839102948072513, 0.40391624850388763, -0.03127045106473769, -0.466457150633363, -0.9016438502019883, -1.3368305497706137, -1.772017249339239]),
    ((0.1, 0.7, 7), rt.float64, [0.1, 0.2, 0.3, 0.39999999999999997, 0.5, 0.6, 0.7]),
]
ARANGE_CASES = [
    ((-0.9, 2.1, 2.0), rt.int32, [0, 2]),
    ((-7.031959658279403, 7.197, 2.0), rt.int32, [-7, -5, -3, -1, 1, 3, 5, 7]),
    ((-4, 0.895665037641404, 0.5), rt.int32, [-4, -4, -4, -4, -4, -4, -4, -4, -4, -4]),
    ((-11, -60.97035616224, -4.7355836317883995), rt.int32, [-11, -15, -19, -23, -27, -31, -35, -39, -43, -47, -51]),
    ((-9.44762097254236, -12.5476209725423, -0.3), rt.int32, [-9, -9, -9, -9, -9, -9, -9, -9, -9, -9, -9]),
    ((0, 10000000000.0, 1000000000.0), rt.int32, [0, 1000000000, 2000000000, -1294967296, -294967296, 705032704, 1705032704, -1589934592, -589934592, 410065408]),
    ((0.5, 3.9, 0.9999), rt.int32, [0, 0, 0, 0]),
    ((0, 4611686018427387905, 2305843009213693952), rt.int32, [0, 0]),
    ((-19, -14.6, 0.5), rt.int64, [-19, -19, -19, -19, -19, -19, -19, -19, -19]),
    ((8, 5.9, -0.3), rt.int64, [8, 8, 8, 8, 8, 8, 8]),
    ((643392.5973835683, 643352.2428374466, -4.408196940372631), rt.int64, [643392, 643388, 643384, 643380, 643376, 643372, 643368, 643364, 643360, 643356]),
    ((0.5, 5, 1), rt.int64, [0, 1, 2, 3, 4]),
    ((-0.5, 5, 1), rt.int64, [0, 1, 2, 3, 4, 5]),
    ((0, 4611686018427387905, 2305843009213693952), rt.int64, [0, 2305843009213693952, 4611686018427387904]),
    ((9223372036854775805, 9223372036854775807, 1), rt.int64, [9223372036854775805, 9223372036854775806]),
    ((True, 4, 1), rt.int64, [1, 2, 3]),
]


def _same_values(got, want):
    return len(got) == len(want) and all(g == w or (g != g and w != w) for g, w in zip(got, want))


@pytest.mark.parametrize("args, dtype, want", ARANGE_CASES)
def test_arange_exact_values(args, dtype, want):
    t = rt.arange(*args, dtype=dtype)
    assert t.dtype == dtype
    assert t.tolist() == want


@pytest.mark.parametrize("args, dtype, want", LINSPACE_CASES)
def test_linspace_exact_values(args, dtype, want):
    t = rt.linspace(*args, dtype=dtype)
    assert t.dtype == dtype
    assert _same_values(t.tolist(), want)


def test_linspace_takes_int_arguments_exactly():
    # start and end keep their kind: a Python int beyond 2**53 reaches int64 unrounded (one step fills start;
    # more steps go through a double, as in torch).
    assert rt.linspace(2**53 + 1, 0, 1, dtype=rt.int64).tolist() == [2**53 + 1]
    assert rt.linspace(2**53 + 1, 2**53 + 1, 2, dtype=rt.int64).tolist() == [2**53, 2**53]
    assert rt.linspace(rt.tensor(1.5), rt.tensor(3.0), 3).tolist() == [1.5, 2.25, 3.0]


def test_range_factories_edge_results():
    assert rt.linspace(1e10, 0, 0, dtype=rt.int32).tolist() == []  # nothing is converted for no steps
    assert rt.linspace(0, 2**40, 1, dtype=rt.int32).tolist() == [0]  # one step fills start only
    assert rt.linspace(0, 1, 0, dtype=rt.bool).dtype == rt.bool
    assert rt.linspace(2, 1, 1, dtype=rt.bool).tolist() == [True]
    assert rt.arange(-5, 5, 1e10, dtype=rt.int32).tolist() == [-5]
    assert rt.arange(0, 1e-300, 1e-300, dtype=rt.int32).tolist() == [0]


BOOL_MSG = "\"{}\" not implemented for 'Bool'"
CONVERT_MSG = "value cannot be converted to type {} without overflow"


@pytest.mark.parametrize("fn, exc, message", [
    (lambda: rt.linspace(0, 1, 3, dtype=rt.bool), NotImplementedError, BOOL_MSG.format("linspace_cpu")),
    (lambda: rt.arange(0, 5, dtype=rt.bool), NotImplementedError, BOOL_MSG.format("arange_cpu")),
    (lambda: rt.arange(5, 0, dtype=rt.bool), NotImplementedError, BOOL_MSG.format("arange_cpu")),
    (lambda: rt.linspace(1e10, 0, 5, dtype=rt.int32), RuntimeError, CONVERT_MSG.format("int")),
    (lambda: rt.linspace(1e10, 0, 1, dtype=rt.int32), RuntimeError, CONVERT_MSG.format("int")),
    (lambda: rt.linspace(0, 2**40, 3, dtype=rt.int32), RuntimeError, CONVERT_MSG.format("int")),
    (lambda: rt.linspace(-2147483648.5, 0, 3, dtype=rt.int32), RuntimeError, CONVERT_MSG.format("int")),
    (lambda: rt.linspace(NAN, 1, 3, dtype=rt.int32), RuntimeError, CONVERT_MSG.format("int")),
    (lambda: rt.linspace(INF, 1, 3, dtype=rt.int64), RuntimeError, CONVERT_MSG.format("int64_t")),
    (lambda: rt.linspace(float(2**63), 0, 3, dtype=rt.int64), RuntimeError, CONVERT_MSG.format("int64_t")),
    (lambda: rt.linspace(1e300, 0, 3), RuntimeError, CONVERT_MSG.format("float")),
    (lambda: rt.linspace(0, 1e39, 3), RuntimeError, CONVERT_MSG.format("float")),
    (lambda: rt.linspace(1e39, 0, 1), RuntimeError, CONVERT_MSG.format("float")),
    (lambda: rt.arange(0, 10, float(2**63), dtype=rt.int32), RuntimeError, CONVERT_MSG.format("int64_t")),
    (lambda: rt.arange(float(2**63), float(2**63) + 1e5, 1e4, dtype=rt.int64), RuntimeError,
     CONVERT_MSG.format("int64_t")),
    (lambda: rt.arange(0, 10, NAN), RuntimeError, "step must be finite but got nan"),
    (lambda: rt.arange(0, 10, -INF), RuntimeError, "step must be finite but got -inf"),
    (lambda: rt.arange(NAN, 10, 0), RuntimeError, "step must be nonzero"),
    (lambda: rt.arange(0, 10, 0.0, dtype=rt.int32), RuntimeError, "step must be nonzero"),
    (lambda: rt.arange(NAN, 10, 1), RuntimeError, "unsupported range: nan -> 10"),
    (lambda: rt.arange(0.1234567, INF, 1), RuntimeError, "unsupported range: 0.123457 -> inf"),
    (lambda: rt.arange(-1e300, INF, 1), RuntimeError, "unsupported range: -1e+300 -> inf"),
    (lambda: rt.arange(0, 1e300, 1e-300), RuntimeError, "invalid size, possible overflow?"),
    (lambda: rt.arange(0, 3, 1e-300, dtype=rt.int32), RuntimeError, "invalid size, possible overflow?"),
    (lambda: rt.arange(10, 0, 1, dtype=rt.int32), RuntimeError, "upper bound and lower bound inconsistent with step sign"),
    (lambda: rt.linspace(rt.tensor([1.5]), 3, 3), RuntimeError,
     "linspace only supports 0-dimensional start and end tensors, but got start with 1 dimension(s)."),
])
def test_range_factories_errors(fn, exc, message):
    with pytest.raises(exc) as info:
        fn()
    assert str(info.value) == message


def test_range_factories_random_against_torch():
    torch = pytest.importorskip("torch")
    import random

    rng = random.Random(0)
    specials = [0, 1, -1, 0.5, -0.5, 2**31 - 1, -2**31, 2**31, 2147483647.5, 2**53 + 1, 2**62, -2**63, 1e10, 3e9]

    def number():
        k = rng.random()
        if k < 0.3:
            return rng.randint(-20, 20)
        if k < 0.5:
            return round(rng.uniform(-20, 20), rng.randint(0, 3))
        if k < 0.6:
            return rng.choice(specials)
        return rng.uniform(-1e6, 1e6) if k < 0.8 else rng.uniform(-10, 10)

    def outcome(mod, fn):
        try:
            r = fn(mod)
        except Exception as e:  # noqa: BLE001 - the exception is part of what must match
            return type(e).__name__, str(e)
        return str(r.dtype).split(".")[-1], r.tolist()

    for _ in range(3000):
        if rng.random() < 0.5:
            dtype = rng.choice(["int32", "int64", "float32", "float64", "bool"])
            args = (number(), number(), rng.choice([0, 1, 2, 3, 4, 5, 7, 10, 50, rng.randint(0, 300)]))
            fn = lambda m: m.linspace(*args, dtype=getattr(m, dtype))  # noqa: E731
        else:
            dtype = rng.choice(["int32", "int64"])
            start, end = number(), number()
            step = rng.choice([1, -1, 2, 0.5, -0.3, 0.9999, rng.uniform(-5, 5), rng.randint(-5, 5)])
            if step != 0 and 0 < (end - start) / step > 5000:
                end = start + step * rng.randint(0, 5000)
            args = (start, end, step)
            fn = lambda m: m.arange(*args, dtype=getattr(m, dtype))  # noqa: E731
        want, got = outcome(torch, fn), outcome(rt, fn)
        assert got[0] == want[0], (fn.__code__.co_names, args, dtype, got, want)
        if isinstance(want[1], list):
            assert _same_values(got[1], want[1]), (args, dtype, got, want)
        else:
            assert got[1] == want[1], (args, dtype, got, want)


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


# Every creation function takes torch's dtype / device / requires_grad keywords (float results, so
# requires_grad is allowed everywhere but randint, whose dtype is an integer one).
CREATION_CALLS = {
    "tensor": lambda **k: rt.tensor([1.0, 2.0], **k),
    "as_tensor": lambda **k: rt.as_tensor([1.0, 2.0], **{n: v for n, v in k.items() if n != "requires_grad"}),
    "zeros": lambda **k: rt.zeros(2, 3, **k),
    "ones": lambda **k: rt.ones(2, 3, **k),
    "empty": lambda **k: rt.empty(2, 3, **k),
    "full": lambda **k: rt.full((2, 3), 1.5, **k),
    "eye": lambda **k: rt.eye(2, **k),
    "arange": lambda **k: rt.arange(3.0, **k),
    "linspace": lambda **k: rt.linspace(0, 1, 3, **k),
    "rand": lambda **k: rt.rand(2, 3, **k),
    "randn": lambda **k: rt.randn(2, 3, **k),
    "zeros_like": lambda **k: rt.zeros_like(rt.ones(2, 3), **k),
    "ones_like": lambda **k: rt.ones_like(rt.ones(2, 3), **k),
    "empty_like": lambda **k: rt.empty_like(rt.ones(2, 3), **k),
    "full_like": lambda **k: rt.full_like(rt.ones(2, 3), 2.0, **k),
    "rand_like": lambda **k: rt.rand_like(rt.ones(2, 3), **k),
    "randn_like": lambda **k: rt.randn_like(rt.ones(2, 3), **k),
}


@pytest.mark.parametrize("name", sorted(CREATION_CALLS))
@pytest.mark.parametrize("device", ["cpu", None, "current"])
def test_creation_keywords_device_dtype_requires_grad(name, device):
    make = CREATION_CALLS[name]
    if device == "current":
        device = rt.ones(1).device  # the device a tensor reports is accepted back
    t = make(device=device)
    assert str(t.device) == "cpu" and not t.requires_grad
    t = make(device=device, dtype=rt.float64, requires_grad=True)
    assert t.dtype == rt.float64
    assert t.requires_grad == (name != "as_tensor")


def test_randint_keywords_device_dtype():
    t = rt.randint(0, 5, (2,), device="cpu", dtype=rt.int32)
    assert t.dtype == rt.int32 and str(t.device) == "cpu"


def test_from_dlpack_device_keyword():
    n = np.arange(3.0)
    t = rt.from_dlpack(n, device="cpu")
    assert t.tolist() == [0.0, 1.0, 2.0]
    n[0] = 7.0
    assert t[0].item() == 7.0  # still shares memory
    assert rt.from_dlpack(n, device=None).tolist() == [7.0, 1.0, 2.0]


@pytest.mark.skipif(UNDER_TORCH, reason="torch has other devices")
@pytest.mark.parametrize("name", sorted(CREATION_CALLS) + ["randint", "from_dlpack"])
def test_creation_other_devices_refused(name):
    make = {
        "randint": lambda **k: rt.randint(0, 5, (2,), **k),
        "from_dlpack": lambda **k: rt.from_dlpack(np.arange(3.0), **k),
    }.get(name) or CREATION_CALLS[name]
    with pytest.raises(AssertionError, match=re.escape("Torch not compiled with CUDA enabled")):
        make(device="cuda")


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


# ------------------------------------------------------------------------------ memory_format objects


def test_memory_format_objects():
    import pickle

    for name in ("preserve_format", "contiguous_format", "channels_last", "channels_last_3d"):
        f = getattr(rt, name)
        assert isinstance(f, rt.memory_format)
        assert repr(f) == f"rtensor.{name}"
        assert pickle.loads(pickle.dumps(f)) is f
    assert rt.channels_last == rt.channels_last and rt.channels_last != rt.contiguous_format
    with pytest.raises(TypeError, match="cannot create 'rtensor.memory_format' instances"):
        rt.memory_format()


def test_memory_format_objects_match_torch():
    torch = pytest.importorskip("torch")
    for name in ("preserve_format", "contiguous_format", "channels_last", "channels_last_3d"):
        assert repr(getattr(rt, name)).replace("rtensor", "torch") == repr(getattr(torch, name))
    assert type(rt.channels_last).__name__ == type(torch.channels_last).__name__ == "memory_format"


FILLED_LIKE = [
    lambda L, x, **k: L.zeros_like(x, **k),
    lambda L, x, **k: L.ones_like(x, **k),
    lambda L, x, **k: L.empty_like(x, **k),
    lambda L, x, **k: L.full_like(x, 7, **k),
    lambda L, x, **k: x.clone(**k),
]


@pytest.mark.parametrize("i", range(len(FILLED_LIKE)))
def test_like_memory_format_strides(i):
    make = FILLED_LIKE[i]
    x = rt.arange(120.0).view(2, 3, 4, 5)
    t = x.transpose(1, 3)
    assert make(rt, t).stride() == t.stride()
    assert make(rt, t, memory_format=rt.preserve_format).stride() == t.stride()
    assert make(rt, t, memory_format=None).stride() == t.stride()
    assert make(rt, t, memory_format=rt.contiguous_format).stride() == (60, 12, 3, 1)
    cl = make(rt, x, memory_format=rt.channels_last)
    assert cl.stride() == (60, 1, 15, 3) and cl.shape == x.shape
    # preserve_format keeps a channels_last input's strides.
    assert make(rt, cl).stride() == (60, 1, 15, 3)
    assert make(rt, rt.zeros(2, 3, 4, 5, 6), memory_format=rt.channels_last_3d).stride() == (360, 1, 90, 18, 3)
    # Not dense: dense strides in the input's stride order (torch's infer_dense_strides).
    assert make(rt, rt.zeros(3, 4)[:, ::2]).stride() == (2, 1)
    assert make(rt, rt.zeros(3, 4)[:, ::2].t()).stride() == (1, 2)
    assert make(rt, rt.zeros(3, 1).expand(3, 4)).stride() == (4, 1)
    with pytest.raises(RuntimeError, match="^required rank 4 tensor to use channels_last format$"):
        make(rt, rt.zeros(3, 4), memory_format=rt.channels_last)
    with pytest.raises(RuntimeError, match="^required rank 5 tensor to use channels_last_3d format$"):
        make(rt, x, memory_format=rt.channels_last_3d)
    with pytest.raises(TypeError, match="argument 'memory_format' must be rtensor.memory_format, not str"):
        make(rt, x, memory_format="channels_last")


def test_clone_memory_format_values_and_grad():
    x = rt.arange(120.0).view(2, 3, 4, 5).requires_grad_()
    c = x.clone(memory_format=rt.channels_last)
    assert c.tolist() == x.tolist() and c.grad_fn.name() == "CloneBackward0"
    c.sum().backward()
    assert x.grad.tolist() == rt.ones(2, 3, 4, 5).tolist()
    t = x.detach().transpose(1, 3)
    assert rt.clone(t, memory_format=rt.contiguous_format).is_contiguous()
    assert rt.clone(t, memory_format=rt.contiguous_format).tolist() == t.tolist()


def test_contiguous_memory_format():
    x = rt.arange(120.0).view(2, 3, 4, 5)
    c = x.contiguous(memory_format=rt.channels_last)
    assert c.stride() == (60, 1, 15, 3) and c.tolist() == x.tolist()
    assert c.contiguous(memory_format=rt.channels_last) is c
    assert x.contiguous(memory_format=rt.contiguous_format) is x
    assert x.contiguous(memory_format=rt.preserve_format) is x
    assert c.contiguous().stride() == (60, 20, 5, 1)
    with pytest.raises(RuntimeError, match="^preserve memory format is unsupported by the contiguous operator$"):
        c.contiguous(memory_format=rt.preserve_format)
    with pytest.raises(RuntimeError, match="^required rank 4 tensor to use channels_last format$"):
        rt.zeros(3, 4).t().contiguous(memory_format=rt.channels_last)


def test_memory_format_strides_match_torch():
    torch = pytest.importorskip("torch")
    inputs = [
        lambda L: L.zeros(2, 3, 4, 5),
        lambda L: L.zeros(2, 3, 4, 5).transpose(1, 3),
        lambda L: L.zeros(2, 3, 4, 5).permute(0, 2, 3, 1),
        lambda L: L.zeros(3, 4)[:, ::2],
        lambda L: L.zeros(3, 4)[:, ::2].t(),
        lambda L: L.zeros(3, 1).expand(3, 4),
        lambda L: L.zeros(1, 3, 1, 2),
        lambda L: L.zeros(2, 3, 4, 5, 6),
        lambda L: L.zeros(4, 6)[::2, 1::3].t(),
        lambda L: L.zeros(2, 0, 3, 4),
    ]
    formats = [None, "preserve_format", "contiguous_format", "channels_last", "channels_last_3d"]
    makers = FILLED_LIKE + [
        lambda L, x, **k: L.rand_like(x, **k),
        lambda L, x, **k: L.randint_like(x, 3, **k),
        lambda L, x, **k: x.contiguous(**k),
    ]
    for inp in inputs:
        for fmt in formats:
            for make in makers:
                outs = []
                for L in (rt, torch):
                    kw = {} if fmt is None else {"memory_format": getattr(L, fmt)}
                    try:
                        outs.append(make(L, inp(L), **kw).stride())
                    except RuntimeError as e:
                        outs.append(str(e))
                assert outs[0] == outs[1], (fmt, outs)


def test_is_contiguous_memory_format():
    x = rt.zeros(2, 3, 4, 5)
    c = x.contiguous(memory_format=rt.channels_last)
    assert x.is_contiguous() and not c.is_contiguous()
    assert c.is_contiguous(memory_format=rt.channels_last) and not x.is_contiguous(memory_format=rt.channels_last)
    assert x.is_contiguous(memory_format=rt.contiguous_format) and x.is_contiguous(memory_format=rt.preserve_format)
    assert not rt.zeros(3, 4).is_contiguous(memory_format=rt.channels_last)
    assert rt.zeros(1, 3, 1, 1).is_contiguous(memory_format=rt.channels_last)
    c3 = rt.zeros(2, 3, 4, 5, 6).contiguous(memory_format=rt.channels_last_3d)
    assert c3.is_contiguous(memory_format=rt.channels_last_3d) and not c3.is_contiguous()
    assert not rt.zeros(3, 4).t().is_contiguous(memory_format=rt.preserve_format)
    with pytest.raises(TypeError, match="argument 'memory_format' must be rtensor.memory_format, not str"):
        x.is_contiguous(memory_format="channels_last")
    with pytest.raises(TypeError):
        x.is_contiguous(rt.channels_last)


def test_is_contiguous_memory_format_matches_torch():
    torch = pytest.importorskip("torch")
    inputs = [lambda L: L.zeros(2, 3, 4, 5), lambda L: L.zeros(2, 3, 4, 5).permute(0, 2, 3, 1),
              lambda L: L.zeros(2, 3, 4, 5).contiguous(memory_format=L.channels_last), lambda L: L.zeros(3, 4).t(),
              lambda L: L.zeros(1, 3, 1, 1), lambda L: L.zeros(2, 3, 4, 5, 6).permute(0, 2, 3, 4, 1)]
    for inp in inputs:
        for fmt in ("preserve_format", "contiguous_format", "channels_last", "channels_last_3d"):
            assert inp(rt).is_contiguous(memory_format=getattr(rt, fmt)) == inp(torch).is_contiguous(
                memory_format=getattr(torch, fmt))
