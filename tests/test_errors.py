# A sweep of bad inputs. Each must raise the exception type torch raises (never a bare Exception, never
# pyo3's PanicException, which derives from BaseException and so escapes `pytest.raises(RuntimeError)`),
# with a message naming the shapes, dims or dtypes involved; a failed in-place op or setitem leaves its
# target (values and version counter) unchanged.
#
# Validated against torch 2.15.0 (CPU): every exception type and message below is what torch does (run with a shim
# package named `rtensor` that re-exports torch). Where torch raises NotImplementedError (a RuntimeError
# subclass) the tests ask for RuntimeError.
import re

import numpy as np
import pytest

import rtensor as rt

UNDER_TORCH = getattr(rt, "_IS_TORCH_SHIM", False)  # only the torch validation shim sets this
rtensor_only = pytest.mark.skipif(UNDER_TORCH, reason="rtensor-specific (stricter than torch)")

E = re.escape


def t23():
    return rt.arange(6.0).reshape(2, 3)


CASES = [
    # ------------------------------------------------------------------ shapes that do not broadcast
    ("add_shapes", lambda: rt.zeros(2, 3) + rt.zeros(2, 4), RuntimeError,
     E("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1")),
    ("mul_shapes", lambda: rt.zeros(3) * rt.zeros(4), RuntimeError,
     E("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0")),
    ("cmp_shapes", lambda: rt.tensor([1, 2]) == rt.tensor([1, 2, 3]), RuntimeError,
     E("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0")),
    ("where_shapes", lambda: rt.where(rt.tensor([True, False]), rt.zeros(3), rt.zeros(3)), RuntimeError,
     E("The size of tensor a (2) must match the size of tensor b (3)")),
    ("maximum_shapes", lambda: rt.maximum(rt.zeros(2, 3), rt.zeros(4)), RuntimeError,
     E("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1")),
    # ------------------------------------------------------------------ dims out of range
    ("size_dim", lambda: t23().size(2), IndexError,
     E("Dimension out of range (expected to be in range of [-2, 1], but got 2)")),
    ("stride_dim", lambda: t23().stride(-3), IndexError, E("Dimension out of range (expected to be in range of [-2, 1], but got -3)")),
    ("transpose_dim", lambda: t23().transpose(0, 2), IndexError, E("expected to be in range of [-2, 1], but got 2")),
    ("transpose_1d", lambda: rt.zeros(3).transpose(0, 1), IndexError, E("expected to be in range of [-1, 0], but got 1")),
    ("permute_dim", lambda: t23().permute(0, 2), IndexError, E("expected to be in range of [-2, 1], but got 2")),
    ("squeeze_dim", lambda: t23().squeeze(5), IndexError, E("expected to be in range of [-2, 1], but got 5")),
    ("unsqueeze_dim", lambda: t23().unsqueeze(3), IndexError, E("expected to be in range of [-3, 2], but got 3")),
    ("unsqueeze_0d", lambda: rt.tensor(5).unsqueeze(1), IndexError, E("expected to be in range of [-1, 0], but got 1")),
    ("flatten_dim", lambda: t23().flatten(0, 5), IndexError, E("expected to be in range of [-2, 1], but got 5")),
    ("cat_dim", lambda: rt.cat([t23(), t23()], dim=2), IndexError, E("expected to be in range of [-2, 1], but got 2")),
    ("stack_dim", lambda: rt.stack([t23(), t23()], dim=-4), IndexError, E("expected to be in range of [-3, 2], but got -4")),
    ("split_dim", lambda: t23().split(1, dim=2), IndexError, E("expected to be in range of [-2, 1], but got 2")),
    ("chunk_dim", lambda: t23().chunk(2, dim=2), IndexError, E("expected to be in range of [-2, 1], but got 2")),
    ("size_0d", lambda: rt.tensor(5).size(0), IndexError, E("Dimension specified as 0 but tensor has no dimensions")),
    # ------------------------------------------------------------------ indices out of range
    ("index_int", lambda: rt.arange(5)[5], IndexError, E("index 5 is out of bounds for dimension 0 with size 5")),
    ("index_neg", lambda: rt.arange(5)[-6], IndexError, E("index -6 is out of bounds for dimension 0 with size 5")),
    ("index_dim1", lambda: t23()[:, 3], IndexError, E("index 3 is out of bounds for dimension 1 with size 3")),
    ("index_after_none", lambda: t23()[None, 5], IndexError, E("index 5 is out of bounds for dimension 1 with size 2")),
    ("index_tensor", lambda: t23()[rt.tensor([0, 2])], IndexError, E("index 2 is out of bounds for dimension 0 with size 2")),
    ("index_list", lambda: t23()[[0, -3]], IndexError, E("index -3 is out of bounds for dimension 0 with size 2")),
    ("too_many_indices", lambda: t23()[0, 0, 0], IndexError, E("too many indices for tensor of dimension 2")),
    ("index_0d", lambda: rt.tensor(5)[0], IndexError, E("invalid index of a 0-dim tensor")),
    ("mask_shape", lambda: t23()[rt.tensor([True, False, True])], IndexError,
     E("The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2, 3] at index 0")),
    ("float_index", lambda: t23()[0.5], IndexError, E("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got float)")),
    ("float_tensor_index", lambda: t23()[rt.tensor([0.0])], IndexError, E("tensors used as indices must be long, int, byte or bool tensors")),
    ("neg_step", lambda: t23()[::-1], ValueError, E("step must be greater than zero")),
    ("zero_step", lambda: t23()[:, ::0], ValueError, E("slice step cannot be zero")),
    # ------------------------------------------------------------------ permute / reshape / view / expand
    ("permute_dup", lambda: t23().permute(0, 0), RuntimeError, E("permute(): duplicate dims are not allowed.")),
    ("permute_dup_neg", lambda: rt.zeros(2, 3, 4).permute(0, 2, -1), RuntimeError, E("duplicate dims are not allowed")),
    ("permute_len", lambda: rt.zeros(2, 3, 4).permute(0, 1), RuntimeError,
     E("input.dim() = 3 is not equal to len(dims) = 2")),
    ("reshape_size", lambda: rt.arange(20).reshape(3, 5), RuntimeError, E("shape '[3, 5]' is invalid for input of size 20")),
    ("reshape_infer", lambda: rt.arange(20).reshape(-1, 3), RuntimeError, E("shape '[-1, 3]' is invalid for input of size 20")),
    ("reshape_two_infer", lambda: rt.zeros(3).view(-1, -1), RuntimeError, E("only one dimension can be inferred")),
    ("reshape_neg", lambda: rt.arange(20).reshape(-2, 10), RuntimeError, E("invalid shape dimension -2")),
    ("view_size", lambda: rt.arange(6).view(7), RuntimeError, E("shape '[7]' is invalid for input of size 6")),
    ("view_stride", lambda: t23().t().view(6), RuntimeError,
     E("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.")),
    ("flatten_order", lambda: rt.zeros(2, 3, 4).flatten(2, 1), RuntimeError, E("flatten() has invalid args: start_dim cannot come after end_dim")),
    ("expand_size", lambda: rt.zeros(3).expand(2, 4), RuntimeError,
     E("The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]")),
    ("expand_ndim", lambda: t23().expand(2), RuntimeError,
     E("the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)")),
    ("expand_as_ndim", lambda: t23().expand_as(rt.zeros(3)), RuntimeError,
     E("the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)")),
    ("t_3d", lambda: rt.zeros(2, 3, 4).t(), RuntimeError, E("t() expects a tensor with <= 2 dimensions, but self is 3D")),
    # ------------------------------------------------------------------ creation
    ("negative_zeros", lambda: rt.zeros(2, -3), RuntimeError, "negative"),
    ("negative_ones", lambda: rt.ones((2, -1)), RuntimeError, "negative"),
    ("negative_empty", lambda: rt.empty(-2), RuntimeError, "negative"),
    ("negative_full", lambda: rt.full((-1,), 1.0), RuntimeError, "negative"),
    ("negative_rand", lambda: rt.rand(-1), RuntimeError, "negative"),
    ("negative_eye", lambda: rt.eye(-1), RuntimeError, E("n must be greater or equal to 0, got -1")),
    ("negative_linspace", lambda: rt.linspace(0, 1, -1), RuntimeError, E("number of steps must be non-negative")),
    ("arange_zero_step", lambda: rt.arange(0, 10, 0), RuntimeError, E("step must be nonzero")),
    ("arange_zero_step_float", lambda: rt.arange(0.0, 1.0, 0.0), RuntimeError, E("step must be nonzero")),
    ("arange_sign", lambda: rt.arange(10, 0, 1), RuntimeError, E("upper bound and lower bound inconsistent with step sign")),
    ("randint_range", lambda: rt.randint(5, 2, (3,)), RuntimeError, E("random_ expects 'from' to be less than 'to', but got from=5 >= to=2")),
    ("ragged", lambda: rt.tensor([[1, 2], [3]]), ValueError, E("expected sequence of length 2 at dim 1 (got 1)")),
    ("ragged_deep", lambda: rt.tensor([[[1, 2], [3, 4]], [[5, 6], [7]]]), ValueError, E("expected sequence of length 2 at dim 2 (got 1)")),
    ("string", lambda: rt.tensor("abc"), TypeError, E("invalid data type 'str'")),
    ("string_in_list", lambda: rt.tensor([[1.0], ["x"]]), TypeError, E("invalid data type 'str'")),
    ("none", lambda: rt.tensor(None), RuntimeError, E("Could not infer dtype of NoneType")),
    ("none_in_list", lambda: rt.tensor([1, None]), RuntimeError, E("Could not infer dtype of NoneType")),
    ("int_requires_grad", lambda: rt.tensor([1, 2], requires_grad=True), RuntimeError,
     E("Only Tensors of floating point and complex dtype can require gradients")),
    ("bad_size_type", lambda: rt.zeros("a"), TypeError, None),
    ("bad_size_float", lambda: rt.ones(2.5), TypeError, None),
    ("bad_dtype", lambda: rt.zeros(2, dtype="x"), TypeError, None),
    ("full_fill_str", lambda: rt.full((2,), "a"), TypeError, None),
    ("full_fill_none", lambda: rt.full((2,), None), TypeError, None),
    ("arange_str", lambda: rt.arange("a"), TypeError, None),
    ("eye_float", lambda: rt.eye(2.5), TypeError, None),
    ("set_default_int", lambda: rt.set_default_dtype(rt.int64), TypeError, E("only floating-point types are supported as the default type")),
    ("from_numpy_list", lambda: rt.from_numpy([1, 2]), TypeError, E("expected np.ndarray (got list)")),
    ("from_numpy_object", lambda: rt.from_numpy(np.array([None, 1])), TypeError, None),
    # ------------------------------------------------------------------ dtypes
    ("and_float", lambda: rt.zeros(2) & rt.zeros(2), RuntimeError, E("\"bitwise_and_cpu\" not implemented for 'Float'")),
    ("or_float", lambda: rt.zeros(2) | 1, RuntimeError, E("\"bitwise_or_cpu\" not implemented for 'Float'")),
    ("xor_double", lambda: rt.zeros(2, dtype=rt.float64) ^ rt.zeros(2, dtype=rt.float64), RuntimeError,
     E("\"bitwise_xor_cpu\" not implemented for 'Double'")),
    ("and_int_float_scalar", lambda: rt.tensor([1, 2]) & 1.5, RuntimeError, E("not implemented for 'Float'")),
    ("invert_float", lambda: ~rt.zeros(2), TypeError, E("~ (operator.invert) is only implemented on integer and Boolean-type tensors")),
    ("bool_sub", lambda: rt.tensor([True]) - rt.tensor([False]), RuntimeError,
     E("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.")),
    ("bool_neg", lambda: -rt.tensor([True]), RuntimeError, E("Negation, the `-` operator, on a bool tensor is not supported.")),
    ("int_floordiv_zero", lambda: rt.tensor([1]) // 0, RuntimeError, "ZeroDivisionError"),
    ("int_mod_zero", lambda: rt.tensor([1], dtype=rt.int32) % rt.tensor([0], dtype=rt.int32), RuntimeError, "ZeroDivisionError"),
    ("int_pow_neg", lambda: rt.tensor([2]) ** -1, RuntimeError, E("Integers to negative integer powers are not allowed.")),
    ("where_cond", lambda: rt.where(rt.tensor([1, 0]), rt.zeros(2), rt.zeros(2)), RuntimeError,
     E("where expected condition to be a boolean tensor, but got a tensor with dtype Long")),
    ("where_cond_float", lambda: rt.where(rt.zeros(2), rt.zeros(2), rt.zeros(2)), RuntimeError,
     E("where expected condition to be a boolean tensor, but got a tensor with dtype Float")),
    ("abs_bool", lambda: rt.abs(rt.tensor([True])), RuntimeError, E("not implemented for 'Bool'")),
    ("clamp_none", lambda: rt.clamp(rt.zeros(2)), RuntimeError, E("At least one of 'min' or 'max' must not be None")),
    # ------------------------------------------------------------------ wrong argument types
    ("add_str", lambda: rt.zeros(2) + "a", TypeError, None),
    ("add_none", lambda: rt.zeros(2) + None, TypeError, None),
    ("add_list", lambda: rt.zeros(3) + [1, 2, 3], TypeError, None),
    ("lt_str", lambda: rt.zeros(2) < "a", TypeError, None),
    ("and_none", lambda: rt.zeros(2, dtype=rt.bool) & None, TypeError, None),
    ("reshape_str", lambda: t23().reshape("a"), TypeError, None),
    ("transpose_float", lambda: t23().transpose(0.5, 1), TypeError, None),
    ("permute_str", lambda: t23().permute("a"), TypeError, None),
    ("unsqueeze_none", lambda: t23().unsqueeze(None), TypeError, None),
    ("unsqueeze_float", lambda: t23().unsqueeze(1.0), TypeError, None),
    ("expand_str", lambda: t23().expand("a"), TypeError, None),
    ("size_str", lambda: t23().size("a"), TypeError, None),
    ("chunk_float", lambda: t23().chunk(1.5), TypeError, None),
    ("cat_str_item", lambda: rt.cat([t23(), "a"]), TypeError, E("expected Tensor as element 1 in argument 0, but got str")),
    ("cat_none_item", lambda: rt.cat([t23(), None]), TypeError, E("expected Tensor as element 1 in argument 0, but got NoneType")),
    ("stack_int_item", lambda: rt.stack([t23(), 1]), TypeError, E("expected Tensor as element 1 in argument 0, but got int")),
    ("cat_tensor", lambda: rt.cat(t23()), TypeError, None),
    ("maximum_int", lambda: rt.maximum(t23(), 2), TypeError, None),
    ("abs_int", lambda: rt.abs(-1), TypeError, None),
    ("exp_list", lambda: rt.exp([1.0]), TypeError, None),
    ("copy_list", lambda: rt.zeros(3).copy_([1, 2, 3]), TypeError, None),
    ("copy_ndarray", lambda: rt.zeros(3).copy_(np.zeros(3)), TypeError, None),
    ("add__str", lambda: rt.zeros(3).add_("a"), TypeError, None),
    ("fill_str", lambda: rt.zeros(3).fill_("a"), TypeError, None),
    ("len_0d", lambda: len(rt.tensor(1)), TypeError, E("len() of a 0-d tensor")),
    ("iter_0d", lambda: list(rt.tensor(1)), TypeError, E("iteration over a 0-d tensor")),
    # ------------------------------------------------------------------ shape ops
    ("cat_sizes", lambda: rt.cat([rt.zeros(2, 3), rt.zeros(2, 2)]), RuntimeError,
     E("Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list.")),
    ("cat_ndim", lambda: rt.cat([rt.zeros(2, 3), rt.zeros(3)]), RuntimeError, E("Tensors must have same number of dimensions: got 2 and 1")),
    ("cat_empty", lambda: rt.cat([]), ValueError, E("expected a non-empty list of Tensors")),
    ("stack_sizes", lambda: rt.stack([rt.zeros(2, 3), rt.zeros(3, 2)]), RuntimeError,
     E("stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1")),
    ("stack_empty", lambda: rt.stack([]), RuntimeError, E("stack expects a non-empty TensorList")),
    ("split_sum", lambda: rt.zeros(3).split([1, 1]), RuntimeError,
     E("split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at dimension 0), but got split_sizes=[1, 1]")),
    ("split_neg", lambda: rt.zeros(3).split(-1), RuntimeError, E("split expects split_size be non-negative, but got split_size=-1")),
    ("split_zero", lambda: rt.zeros(3).split(0), RuntimeError, E("split_size can only be 0 if dimension size is 0, but got dimension size of 3")),
    ("chunk_zero", lambda: rt.zeros(3).chunk(0), RuntimeError, E("chunk expects `chunks` to be greater than 0, got: 0")),
    ("chunk_neg", lambda: rt.zeros(3).chunk(-1), RuntimeError, E("chunk expects `chunks` to be greater than 0, got: -1")),
    # ------------------------------------------------------------------ conversion
    ("item_many", lambda: t23().item(), RuntimeError, E("a Tensor with 6 elements cannot be converted to Scalar")),
    ("item_empty", lambda: rt.zeros(0).item(), RuntimeError, E("a Tensor with 0 elements cannot be converted to Scalar")),
    ("float_many", lambda: float(t23()), ValueError, E("only one element tensors can be converted to Python scalars")),
    ("int_many", lambda: int(t23()), ValueError, E("only one element tensors can be converted to Python scalars")),
    ("bool_many", lambda: bool(t23()), RuntimeError, E("Boolean value of Tensor with more than one value is ambiguous")),
    ("bool_empty", lambda: bool(rt.zeros(0)), RuntimeError, E("Boolean value of Tensor with no values is ambiguous")),
    ("numpy_grad", lambda: rt.zeros(2, requires_grad=True).numpy(), RuntimeError,
     E("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")),
    ("dlpack_grad", lambda: np.from_dlpack(rt.zeros(2, requires_grad=True)), BufferError,
     E("Can't export tensors that require gradient, use tensor.detach()")),
    # A dtype an op has no kernel for: torch's NotImplementedError naming its kernel.
    ("rand_int", lambda: rt.rand(2, dtype=rt.int64), NotImplementedError,
     E("\"check_uniform_bounds\" not implemented for 'Long'")),
    ("randn_int", lambda: rt.randn(2, dtype=rt.int32), NotImplementedError,
     E("\"normal_kernel_cpu\" not implemented for 'Int'")),
    ("dot_bool", lambda: rt.ones(2, dtype=rt.bool).dot(rt.ones(2, dtype=rt.bool)), NotImplementedError,
     E("\"dot\" not implemented for 'Bool'")),
    ("cumprod_bool", lambda: rt.ones(2, dtype=rt.bool).cumprod(0, dtype=rt.bool), NotImplementedError,
     E("\"cumprod_out_cpu\" not implemented for 'Bool'")),
]


@pytest.mark.parametrize("fn, exc, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_torch_exception(fn, exc, match):
    with pytest.raises(exc, match=match) as info:
        fn()
    # the exact type must not be a bare Exception (e.g. a catch-all binding error)
    assert type(info.value) is not Exception
    assert str(info.value)


def test_error_messages_name_the_values():
    with pytest.raises(RuntimeError) as info:
        rt.zeros(5, 2, 1) * rt.zeros(4, 3)
    msg = str(info.value)
    assert "(2)" in msg and "(4)" in msg and "dimension 1" in msg


def test_no_panic_exception_escapes():
    # every case above raised an Exception subclass; pyo3's PanicException is only a BaseException
    for name, fn, exc, _ in CASES:
        try:
            fn()
        except Exception:
            pass
        except BaseException as e:  # pragma: no cover - the failure path
            pytest.fail(f"{name}: {type(e).__name__} is not an Exception: {e}")


# ---------------------------------------------------------------------------- failed writes change nothing


def _unchanged(make, op, exc, match=None):
    t = make()
    before = t.tolist()
    v0 = t._version
    ptr = t.data_ptr()
    with pytest.raises(exc, match=match):
        op(t)
    assert t.tolist() == before
    assert t._version == v0
    assert t.data_ptr() == ptr
    return t


def _iadd(t, v):
    t += v


def _imul(t, v):
    t *= v


def _itruediv(t, v):
    t /= v


def _isub(t, v):
    t -= v


def _set(t, k, v):
    t[k] = v


INPLACE_FAILS = [
    ("iadd_float_into_int", lambda: rt.tensor([1, 2]), lambda t: _iadd(t, 1.5), RuntimeError,
     E("result type Float can't be cast to the desired output type Long")),
    ("imul_float_into_int", lambda: rt.tensor([1, 2]), lambda t: _imul(t, 2.0), RuntimeError,
     E("result type Float can't be cast to the desired output type Long")),
    ("idiv_int", lambda: rt.tensor([1, 2]), lambda t: _itruediv(t, 2), RuntimeError,
     E("result type Float can't be cast to the desired output type Long")),
    ("isub_float_tensor_into_int32", lambda: rt.tensor([1, 2], dtype=rt.int32), lambda t: _isub(t, rt.tensor([1.0, 1.0])), RuntimeError,
     E("result type Float can't be cast to the desired output type Int")),
    ("iadd_double_into_int", lambda: rt.tensor([1, 2]), lambda t: t.add_(rt.tensor([1.0, 1.0], dtype=rt.float64)), RuntimeError,
     E("result type Double can't be cast to the desired output type Long")),
    ("iadd_int_into_bool", lambda: rt.tensor([True, False]), lambda t: _iadd(t, 1), RuntimeError,
     E("result type Long can't be cast to the desired output type Bool")),
    ("iadd_float_into_bool", lambda: rt.tensor([True, False]), lambda t: t.add_(rt.zeros(2)), RuntimeError,
     E("result type Float can't be cast to the desired output type Bool")),
    ("div__int", lambda: rt.tensor([1, 2]), lambda t: t.div_(2), RuntimeError, E("result type Float can't be cast to the desired output type Long")),
    ("clamp__int_float", lambda: rt.tensor([1, 2]), lambda t: t.clamp_(0.5, 1.5), RuntimeError, E("result type Float can't be cast to the desired output type")),
    ("iadd_grow", lambda: rt.zeros(3), lambda t: _iadd(t, rt.zeros(2, 3)), RuntimeError, E("output with shape [3] doesn't match the broadcast shape [2, 3]")),
    ("add__grow", lambda: rt.zeros(1), lambda t: t.add_(rt.zeros(3)), RuntimeError, E("output with shape [1] doesn't match the broadcast shape [3]")),
    ("mul__shapes", lambda: rt.zeros(2, 3), lambda t: t.mul_(rt.zeros(2, 4)), RuntimeError,
     E("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1")),
    ("copy__shapes", lambda: rt.tensor([1, 2]), lambda t: t.copy_(rt.tensor([1, 2, 3])), RuntimeError,
     E("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0")),
    ("copy__grow", lambda: rt.zeros(3), lambda t: t.copy_(rt.zeros(2, 3)), RuntimeError, E("output with shape [3] doesn't match the broadcast shape [2, 3]")),
    ("fill__1d", lambda: rt.zeros(2), lambda t: t.fill_(rt.tensor([1.0, 2.0])), RuntimeError,
     E("fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions.")),
    ("partial_overlap", lambda: rt.arange(5.0), lambda t: t[1:].add_(t[:-1]), RuntimeError,
     E("unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location.")),
    ("partial_overlap_copy", lambda: rt.arange(4.0).reshape(2, 2), lambda t: t.copy_(t.t()), RuntimeError,
     E("some elements of the input tensor and the written-to tensor refer to a single memory location")),
    ("bool_sub_", lambda: rt.tensor([True]), lambda t: t.sub_(rt.tensor([True])), RuntimeError, E("Subtraction, the `-` operator")),
    ("float_and_", lambda: rt.zeros(2), lambda t: t.__iand__(rt.zeros(2)), RuntimeError, E("not implemented for 'Float'")),
    ("int_floordiv_zero", lambda: rt.tensor([4, 6]), lambda t: t.__ifloordiv__(0), RuntimeError, "ZeroDivisionError"),
    ("add__str", lambda: rt.zeros(2), lambda t: t.add_("a"), TypeError, None),
    # ------------------------------------------------------------------ setitem
    ("set_shape", lambda: rt.zeros(2, 3), lambda t: _set(t, 0, rt.ones(4)), RuntimeError,
     E("The expanded size of the tensor (3) must match the existing size (4) at non-singleton dimension 0.  Target sizes: [3].  Tensor sizes: [4]")),
    ("set_column_shape", lambda: rt.zeros(3, 4), lambda t: _set(t, (slice(None), 1), rt.tensor([7.0, 8.0])), RuntimeError,
     E("The expanded size of the tensor (3) must match the existing size (2)")),
    ("set_mask_values", lambda: rt.zeros(2, 2), lambda t: _set(t, rt.tensor([[True, False], [False, True]]), rt.tensor([1.0, 2.0, 3.0])), RuntimeError,
     E("shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2]")),
    ("set_index_oob", lambda: rt.zeros(5), lambda t: _set(t, 7, 1.0), IndexError, E("index 7 is out of bounds for dimension 0 with size 5")),
    ("set_mask_shape", lambda: rt.zeros(5), lambda t: _set(t, rt.tensor([True, False]), 1.0), IndexError,
     E("The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [5] at index 0")),
    ("set_too_many", lambda: rt.zeros(5), lambda t: _set(t, (0, 0), 1.0), IndexError, E("too many indices for tensor of dimension 1")),
    ("set_float_key", lambda: rt.zeros(5), lambda t: _set(t, 1.5, 1.0), IndexError, E("only integers, slices")),
    ("set_list_value", lambda: rt.zeros(2, 3), lambda t: _set(t, 0, [1, 2, 3]), TypeError, E("can't assign a list to a")),
    ("set_str_value", lambda: rt.zeros(5), lambda t: _set(t, 0, "a"), TypeError, E("can't assign a str to a")),
    ("set_none_value", lambda: rt.zeros(5), lambda t: _set(t, 0, None), TypeError, E("can't assign a NoneType to a")),
    ("set_neg_step", lambda: rt.zeros(5), lambda t: _set(t, slice(None, None, -1), 1.0), ValueError, E("step must be greater than zero")),
    # ------------------------------------------------------------------ writes into an expanded tensor
    ("expanded_add_", lambda: rt.zeros(3).expand(2, 3), lambda t: t.add_(1), RuntimeError,
     E("unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.")),
    ("expanded_iadd", lambda: rt.zeros(1).expand(3), lambda t: _iadd(t, 1), RuntimeError,
     E("more than one element of the written-to tensor refers to a single memory location")),
    ("expanded_mul_", lambda: rt.ones(3).expand(2, 3), lambda t: t.mul_(2), RuntimeError,
     E("more than one element of the written-to tensor refers to a single memory location")),
    ("expanded_copy_", lambda: rt.zeros(3).expand(2, 3), lambda t: t.copy_(rt.ones(2, 3)), RuntimeError,
     E("more than one element of the written-to tensor refers to a single memory location")),
    ("expanded_clamp_", lambda: rt.zeros(1).expand(3), lambda t: t.clamp_(1, 2), RuntimeError,
     E("more than one element of the written-to tensor refers to a single memory location")),
]


@pytest.mark.parametrize("make, op, exc, match", [c[1:] for c in INPLACE_FAILS], ids=[c[0] for c in INPLACE_FAILS])
def test_failed_write_leaves_target_unchanged(make, op, exc, match):
    _unchanged(make, op, exc, match)


def test_failed_write_leaves_views_and_base_unchanged():
    base = rt.arange(6.0)
    v = base.view(2, 3)
    with pytest.raises(RuntimeError):
        v[0].add_(rt.zeros(2, 3))
    with pytest.raises(RuntimeError):
        v[1] = rt.ones(4)
    assert base.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert base._version == 0


def test_failed_setitem_index_tensor_raises():
    t = rt.zeros(3, 4)
    with pytest.raises(IndexError, match=E("index 7 is out of bounds for dimension 0 with size 3")):
        t[rt.tensor([0, 7])] = 1.0


@rtensor_only
def test_failed_setitem_index_tensor_writes_nothing():
    # torch (CPU) has already written row 0 when it finds index 7; rtensor validates before writing.
    _unchanged(lambda: rt.zeros(3, 4), lambda t: _set(t, rt.tensor([0, 7]), 1.0), IndexError,
               E("index 7 is out of bounds for dimension 0 with size 3"))


def test_tensor_still_usable_after_errors():
    t = rt.arange(6.0).reshape(2, 3)
    for bad in (lambda: t + rt.zeros(4), lambda: t.view(-1, -1), lambda: t[5], lambda: t.permute(1, 1)):
        with pytest.raises((RuntimeError, IndexError)):
            bad()
    t += 1
    assert t.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert (t.t() * 2).tolist() == [[2.0, 8.0], [4.0, 10.0], [6.0, 12.0]]


def test_tensor_varargs_called_with_no_tensors():
    # A `*tensors` function called with none gets an empty list, and answers as torch does.
    assert tuple(rt.block_diag().shape) == (1, 0) and rt.block_diag().dtype == rt.float32
    for f in (rt.atleast_1d, rt.atleast_2d, rt.atleast_3d, rt.broadcast_tensors):
        assert f() == ()
    with pytest.raises(RuntimeError, match="meshgrid expects a non-empty TensorList"):
        rt.meshgrid(indexing="ij")
    with pytest.raises(RuntimeError, match="meshgrid expects a non-empty TensorList"):
        rt.cartesian_prod()
    with pytest.raises(RuntimeError, match=r"chain_matmul\(\): Expected one or more matrices"):
        rt.chain_matmul()
    with pytest.raises(ValueError, match=r"einsum\(\): must specify the equation string"):
        rt.einsum("ij")
    with pytest.raises(TypeError, match="missing 1 required positional arguments"):
        rt.cat()  # torch.cat's list is not varargs
