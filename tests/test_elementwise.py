# Elementwise math: operators, module functions and methods, Python scalars on either side, broadcasting,
# torch's type promotion, integer division/power edge cases, bitwise ops, comparisons, rt.where, clamp,
# maximum/minimum, cat/stack/split/chunk, and in-place ops (version counter, no downcasting, aliasing,
# refusing to write into expanded tensors).
#
# Validated against torch 2.15.0 (CPU): every expected value, dtype, exception type and message below is what torch
# does (run with a shim package named `rtensor` that re-exports torch). Where torch raises
# NotImplementedError (a RuntimeError subclass) the tests ask for RuntimeError.
import math
import re

import numpy as np
import pytest

import rtensor as rt

OVERLAP_MSG = (
    "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single "
    "memory location. Please clone() the tensor before performing the operation."
)
EXPANDED_MSG = (
    "unsupported operation: more than one element of the written-to tensor refers to a single memory "
    "location. Please clone() the tensor before performing the operation."
)


def close(t, expected, dtype=None, rtol=1e-6, atol=1e-6):
    if dtype is not None:
        assert t.dtype == dtype
    expected = np.asarray(expected, dtype=np.float64)
    actual = np.array(t.tolist(), dtype=np.float64).reshape(tuple(t.shape))
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def F(*v):
    return rt.tensor(list(v), dtype=rt.float32)


# ------------------------------------------------------------------------------------ binary arithmetic

A_NP = np.array([[1.5, -2.0, 3.25], [0.5, 4.0, -1.0]], dtype=np.float32)
B_NP = np.array([[2.0, 0.5, -1.5], [3.0, -2.0, 0.25]], dtype=np.float32)

BINARY = [
    ("add", lambda a, b: a + b, np.add),
    ("sub", lambda a, b: a - b, np.subtract),
    ("mul", lambda a, b: a * b, np.multiply),
    ("truediv", lambda a, b: a / b, np.divide),
    ("floordiv", lambda a, b: a // b, np.floor_divide),
    ("mod", lambda a, b: a % b, np.mod),
    ("pow", lambda a, b: a ** b, None),
]


@pytest.mark.parametrize("name, op, npop", BINARY, ids=[b[0] for b in BINARY])
def test_binary_float_matches_numpy(name, op, npop):
    a, b = rt.tensor(A_NP.tolist()), rt.tensor(B_NP.tolist())
    if name == "pow":
        a = a.abs()
        expected = np.abs(A_NP) ** B_NP
    else:
        expected = npop(A_NP, B_NP)
    r = op(a, b)
    assert r.dtype == rt.float32
    assert r.shape == (2, 3)
    close(r, expected, rtol=1e-5)


I_NP = np.array([7, -7, 5, -5, 0, 9], dtype=np.int64)
J_NP = np.array([2, 2, -3, -3, 4, 3], dtype=np.int64)


@pytest.mark.parametrize("name, op, npop", BINARY[:3] + BINARY[4:6], ids=["add", "sub", "mul", "floordiv", "mod"])
def test_binary_int_matches_numpy(name, op, npop):
    r = op(rt.tensor(I_NP.tolist()), rt.tensor(J_NP.tolist()))
    assert r.dtype == rt.int64
    assert r.tolist() == npop(I_NP, J_NP).tolist()


def test_int_true_division_gives_float32():
    r = rt.tensor([7, -7, 1]) / rt.tensor([2, 2, 3])
    assert r.dtype == rt.float32
    close(r, [3.5, -3.5, 1 / 3])
    r32 = rt.tensor([7], dtype=rt.int32) / rt.tensor([2], dtype=rt.int32)
    assert r32.dtype == rt.float32
    assert r32.tolist() == [3.5]


def test_floor_division_and_modulo_follow_python_sign():
    t = rt.tensor([-7, 7])
    assert (t // 2).tolist() == [-4, 3]
    assert (t % 3).tolist() == [2, 1]
    assert (t % -3).tolist() == [-1, -2]
    f = rt.tensor([-7.0, 7.0])
    assert (f // 2).tolist() == [-4.0, 3.0]
    assert (f % 3).tolist() == [2.0, 1.0]
    assert (f % -3).tolist() == [-1.0, -2.0]
    assert (rt.tensor([5.5, -5.5]) % 2).tolist() == [1.5, 0.5]
    assert (rt.tensor([5.5, -5.5]) // 2).tolist() == [2.0, -3.0]


@pytest.mark.parametrize(
    "op",
    [
        lambda: rt.tensor([1, 2, 3]) // 0,
        lambda: rt.tensor([1, 2, 3]) % 0,
        lambda: rt.tensor([1, 2, 3]) // rt.tensor([1, 0, 1]),
        lambda: rt.tensor([7, -7]) % rt.tensor([0, 3]),
        lambda: 5 // rt.tensor([0]),
        lambda: rt.tensor([5], dtype=rt.int32) // rt.tensor([0], dtype=rt.int32),
    ],
)
def test_integer_division_by_zero(op):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        op()


def test_float_division_by_zero():
    assert (rt.tensor([1.0, -1.0, 0.0]) / 0).tolist()[:2] == [math.inf, -math.inf]
    assert math.isnan((rt.tensor([0.0]) / 0).item())
    r = rt.tensor([1, 0]) / 0
    assert r.tolist()[0] == math.inf and math.isnan(r.tolist()[1])
    assert (rt.tensor([1.0, 2.0]) // 0).tolist() == [math.inf, math.inf]
    assert all(math.isnan(v) for v in (rt.tensor([1.0, 2.0]) % 0).tolist())
    assert (rt.tensor([5]) // 0.0).tolist() == [math.inf]


def test_int64_wraparound_never_panics():
    m = rt.tensor([-(2**63)])
    assert (m // -1).tolist() == [-(2**63)]
    assert (m % -1).tolist() == [0]
    assert (-m).tolist() == [-(2**63)]
    assert m.abs().tolist() == [-(2**63)]
    assert (m - 1).tolist() == [2**63 - 1]
    assert (rt.tensor([2**62]) * 4).tolist() == [0]
    assert (rt.tensor([2**31 - 1], dtype=rt.int32) + 1).tolist() == [-(2**31)]


def test_unary_neg_and_pos():
    assert (-rt.tensor([1, -2])).tolist() == [-1, 2]
    assert (-F(1.5, -2)).tolist() == [-1.5, 2.0]
    assert (-rt.tensor([1], dtype=rt.int32)).dtype == rt.int32
    assert (+rt.tensor([1, 2])).tolist() == [1, 2]


def test_abs_builtin():
    assert abs(rt.tensor([-1, 2])).tolist() == [1, 2]


# ---------------------------------------------------------------------------------------------- pow


def test_pow_int_int():
    r = rt.tensor([1, 2, 3]) ** 2
    assert r.dtype == rt.int64
    assert r.tolist() == [1, 4, 9]
    assert (rt.tensor([2], dtype=rt.int32) ** 2).dtype == rt.int32
    assert (rt.tensor([3]) ** 0).tolist() == [1]
    assert (rt.tensor([2]) ** 62).tolist() == [2**62]


def test_pow_int_float_scalar():
    r = rt.tensor([1, 2, 3]) ** 0.5
    assert r.dtype == rt.float32
    close(r, [1.0, math.sqrt(2), math.sqrt(3)])
    assert (rt.tensor([2], dtype=rt.int32) ** 2.0).tolist() == [4.0]


def test_pow_scalar_base():
    r = 2 ** rt.tensor([1, 2, 3])
    assert r.dtype == rt.int64
    assert r.tolist() == [2, 4, 8]
    r2 = 2.0 ** rt.tensor([1, 2, 3])
    assert r2.dtype == rt.float32
    assert r2.tolist() == [2.0, 4.0, 8.0]
    assert (2 ** F(1, 2)).tolist() == [2.0, 4.0]
    assert (2 ** rt.tensor([True, False])).tolist() == [2, 1]


def test_pow_functions_and_methods():
    assert rt.pow(rt.tensor([1, 2, 3]), 2).tolist() == [1, 4, 9]
    assert rt.pow(2, rt.tensor([1, 2, 3])).tolist() == [2, 4, 8]
    assert rt.tensor([1, 2]).pow(2).tolist() == [1, 4]
    assert rt.pow(F(2, 3), F(2, 0.5)).tolist() == pytest.approx([4.0, math.sqrt(3)], rel=1e-6)
    assert pow(rt.tensor([1, 2, 3]), 2).tolist() == [1, 4, 9]


def test_pow_int_tensor_float_tensor():
    r = rt.tensor([2, 3]) ** F(3.0, 0.5)
    assert r.dtype == rt.float32
    close(r, [8.0, math.sqrt(3)])


@pytest.mark.parametrize(
    "op",
    [
        lambda: rt.tensor([1, 2, 3]) ** -1,
        lambda: rt.tensor([1, -1, 2]) ** -2,
        lambda: rt.pow(rt.tensor([2]), -2),
    ],
)
def test_int_pow_negative_int_scalar(op):
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed."):
        op()


def test_int_pow_negative_float_scalar_ok():
    assert rt.pow(rt.tensor([2]), -2.0).tolist() == [0.25]


def test_int_pow_negative_tensor_exponent_elementwise():
    # a tensor exponent is not checked: integer results as C does (1 -> 1, -1 -> +-1, others -> 0)
    assert (rt.tensor([1, 2, 3]) ** rt.tensor(-1)).tolist() == [1, 0, 0]
    assert (rt.tensor([-1, 1, 2]) ** rt.tensor([-1, -2, -2])).tolist() == [-1, 1, 0]


def test_pow_float_edge_values():
    assert (F(0.0) ** 0).tolist() == [1.0]
    assert math.isnan((F(-8.0) ** (1 / 3)).item())
    assert (rt.tensor([0, 0]) ** rt.tensor([0, 1])).tolist() == [1, 0]


def test_bool_pow_scalar_promotes():
    assert (rt.tensor([True, False, True]) ** 2).tolist() == [1, 0, 1]
    assert (rt.tensor([True]) ** 2).dtype == rt.int64


# ------------------------------------------------------------------------------------------ bool arithmetic


def test_bool_add_mul_stay_bool():
    b = rt.tensor([True, False, True])
    c = rt.tensor([False, False, True])
    assert (b + c).dtype == rt.bool
    assert (b + c).tolist() == [True, False, True]
    assert (b * c).tolist() == [False, False, True]
    assert (b + True).tolist() == [True, True, True]


def test_bool_with_number_promotes():
    b = rt.tensor([True, False])
    assert (b + 1).dtype == rt.int64
    assert (b + 1).tolist() == [2, 1]
    assert (b + 1.5).dtype == rt.float32
    assert (b * 2.5).tolist() == [2.5, 0.0]
    assert (b / b).dtype == rt.float32
    assert (rt.tensor([True]) // 1).tolist() == [1]
    assert (rt.tensor([True]) % 2).tolist() == [1]


def test_bool_sub_raises():
    b = rt.tensor([True, False])
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with two bool tensors is not supported"):
        b - b


@pytest.mark.parametrize(
    "op",
    [
        lambda i, b: i - True,
        lambda i, b: True - i,
        lambda i, b: i.float() - True,
        lambda i, b: i - b,
        lambda i, b: b - i,
        lambda i, b: b - 1,
        lambda i, b: 1 - b,
        lambda i, b: b - 1.5,
        lambda i, b: rt.sub(i, True),
        lambda i, b: i.sub(b),
    ],
)
def test_sub_with_any_bool_operand_raises(op):
    # torch refuses subtraction whenever either operand (tensor or Python scalar) is bool
    i, b = rt.tensor([1, 2]), rt.tensor([True, False])
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool tensor is not supported"):
        op(i, b)


def test_bool_neg_raises():
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor is not supported"):
        -rt.tensor([True, False])


def test_bool_floordiv_bool_raises():
    with pytest.raises(RuntimeError, match="not implemented for 'Bool'"):
        rt.tensor([True]) // rt.tensor([True])


# --------------------------------------------------------------------------------------- type promotion


def _operand(spec):
    kind, dtype_name = spec
    if kind == "py":
        return {"int": 2, "float": 2.5, "bool": True}[dtype_name]
    dt = getattr(rt, dtype_name)
    if kind == "0d":
        return rt.tensor(1, dtype=dt)
    return rt.tensor([1, 1], dtype=dt)


PROMOTION = [
    # (lhs, rhs, result)
    (("1d", "int64"), ("py", "float"), "float32"),
    (("1d", "int32"), ("py", "float"), "float32"),
    (("1d", "int32"), ("py", "int"), "int32"),
    (("1d", "int32"), ("py", "bool"), "int32"),
    (("1d", "int64"), ("py", "bool"), "int64"),
    (("1d", "float32"), ("py", "bool"), "float32"),
    (("1d", "float64"), ("py", "int"), "float64"),
    (("1d", "float64"), ("py", "float"), "float64"),
    (("1d", "float32"), ("0d", "float64"), "float32"),
    (("1d", "float32"), ("1d", "float64"), "float64"),
    (("1d", "int64"), ("0d", "float64"), "float64"),
    (("1d", "int32"), ("0d", "float64"), "float64"),
    (("1d", "int32"), ("0d", "float32"), "float32"),
    (("1d", "int32"), ("0d", "int64"), "int32"),
    (("1d", "int32"), ("1d", "int64"), "int64"),
    (("1d", "int32"), ("0d", "bool"), "int32"),
    (("1d", "bool"), ("0d", "int64"), "int64"),
    (("1d", "bool"), ("0d", "float64"), "float64"),
    (("1d", "bool"), ("1d", "int32"), "int32"),
    (("1d", "bool"), ("py", "int"), "int64"),
    (("1d", "bool"), ("py", "float"), "float32"),
    (("1d", "int64"), ("1d", "float32"), "float32"),
    (("1d", "int64"), ("1d", "float64"), "float64"),
    (("0d", "float32"), ("0d", "float64"), "float64"),
    (("0d", "int32"), ("0d", "float64"), "float64"),
    (("0d", "int32"), ("py", "float"), "float32"),
    (("0d", "int64"), ("0d", "int32"), "int64"),
]


@pytest.mark.parametrize("lhs, rhs, result", PROMOTION, ids=[f"{a[0]}{a[1]}-{b[0]}{b[1]}" for a, b, _ in PROMOTION])
@pytest.mark.parametrize("opname", ["add", "mul", "radd", "rmul"])
def test_type_promotion(lhs, rhs, result, opname):
    a, b = _operand(lhs), _operand(rhs)
    if opname == "add":
        r = a + b
    elif opname == "mul":
        r = a * b
    elif opname == "radd":
        r = b + a
    else:
        r = b * a
    assert r.dtype == getattr(rt, result)


@pytest.mark.parametrize("lhs, rhs, result", PROMOTION[:12], ids=[f"{a[0]}{a[1]}-{b[0]}{b[1]}" for a, b, _ in PROMOTION[:12]])
def test_type_promotion_module_functions(lhs, rhs, result):
    a, b = _operand(lhs), _operand(rhs)
    assert rt.add(a, b).dtype == getattr(rt, result)
    assert rt.mul(a, b).dtype == getattr(rt, result)
    if "bool" not in (lhs[1], rhs[1]):
        assert rt.sub(a, b).dtype == getattr(rt, result)


def test_promotion_values():
    assert (rt.tensor([1, 2]) * 2.5).tolist() == [2.5, 5.0]
    f = F(1.0, 2.0) + rt.tensor(0.1, dtype=rt.float64)
    assert f.dtype == rt.float32
    close(f, [1.1, 2.1])


def test_true_division_promotion():
    assert (rt.tensor([1, 2]) / 2).dtype == rt.float32
    assert (rt.tensor([1], dtype=rt.int32) / 2).dtype == rt.float32
    assert (rt.tensor([7]) / rt.tensor([2.0], dtype=rt.float64)).dtype == rt.float64
    assert (rt.tensor([7], dtype=rt.float64) / 2).dtype == rt.float64


def test_numpy_scalar_acts_like_python_scalar():
    i = rt.tensor([1, 2, 3])
    assert (i * np.float64(2.5)).dtype == rt.float32
    assert (F(1, 2) * np.float64(2.5)).dtype == rt.float32
    assert (i * np.int32(2)).dtype == rt.int64


def test_numpy_scalar_on_left_gives_tensor():
    r = np.float64(2.5) * rt.tensor([1, 2, 3])
    assert isinstance(r, rt.Tensor)
    assert r.tolist() == [2.5, 5.0, 7.5]


def test_python_int_wraps_into_tensor_dtype():
    # torch casts the Python int to the tensor's integer dtype (wrapping), never a panic
    assert (rt.tensor([1]) + 2**62).tolist() == [2**62 + 1]


# ----------------------------------------------------------------------------------- scalars on either side


def test_reflected_scalar_ops():
    t = rt.tensor([1, 2, 3])
    assert (2 - t).tolist() == [1, 0, -1]
    assert (2 + t).tolist() == [3, 4, 5]
    assert (2 * t).tolist() == [2, 4, 6]
    close(2 / t, [2.0, 1.0, 2 / 3], dtype=rt.float32)
    assert (7 // t).tolist() == [7, 3, 2]
    assert (7 % t).tolist() == [0, 1, 1]
    assert (2 ** t).tolist() == [2, 4, 8]
    assert (1.5 - t).tolist() == [0.5, -0.5, -1.5]


def test_scalar_ops_float_tensor():
    t = F(1.0, 2.0, 4.0)
    assert (t + 1).tolist() == [2.0, 3.0, 5.0]
    assert (t - 0.5).tolist() == [0.5, 1.5, 3.5]
    assert (1 / t).tolist() == [1.0, 0.5, 0.25]
    assert (t ** 2).tolist() == [1.0, 4.0, 16.0]
    assert (3 - t).tolist() == [2.0, 1.0, -1.0]


def test_module_functions_accept_scalar_first():
    assert rt.add(1, 2).tolist() == 3
    assert rt.mul(2, rt.tensor([1])).tolist() == [2]
    assert rt.sub(2, rt.tensor([1])).tolist() == [1]
    assert rt.div(2, rt.tensor([4])).tolist() == [0.5]


def test_methods():
    t = rt.tensor([1, 2])
    assert t.add(1).tolist() == [2, 3]
    assert t.sub(1).tolist() == [0, 1]
    assert t.mul(2).tolist() == [2, 4]
    assert t.div(2).tolist() == [0.5, 1.0]
    assert t.add(rt.tensor([10, 20])).tolist() == [11, 22]


@pytest.mark.parametrize("other", ["a", None, [1, 2, 3], (1, 2, 3)], ids=repr)
def test_unsupported_operand_types(other):
    with pytest.raises(TypeError):
        rt.tensor([1, 2, 3]) + other
    with pytest.raises(TypeError):
        rt.tensor([1, 2, 3]) * other


@pytest.mark.parametrize("fn", ["abs", "exp"])
def test_module_function_needs_tensor(fn):
    with pytest.raises(TypeError, match="must be Tensor"):
        getattr(rt, fn)(-1)
    with pytest.raises(TypeError, match="must be Tensor"):
        getattr(rt, fn)([1.0])


# -------------------------------------------------------------------------------------------- broadcasting

BROADCAST = [
    ((2, 3), (3,)),
    ((2, 1), (3,)),
    ((2, 1), (1, 3)),
    ((4, 1, 3), (2, 1)),
    ((1,), (2, 3)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((0, 3), (1, 3)),
    ((5, 1, 4, 1), (3, 1, 2)),
]


@pytest.mark.parametrize("sa, sb", BROADCAST, ids=repr)
def test_broadcast_matches_numpy(sa, sb):
    na = np.arange(int(np.prod(sa)), dtype=np.float32).reshape(sa) + 1
    nb = np.arange(int(np.prod(sb)), dtype=np.float32).reshape(sb) * 10 - 3
    a, b = rt.tensor(na), rt.tensor(nb)
    for op in (lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x - y, lambda x, y: x / y):
        r = op(a, b)
        e = op(na, nb)
        assert tuple(r.shape) == e.shape
        close(r, e)


def test_broadcast_with_noncontiguous_inputs():
    na = np.arange(12, dtype=np.float64).reshape(3, 4)
    a = rt.tensor(na)
    r = a.t() + a[0:1, :].t()
    np.testing.assert_array_equal(np.array(r.tolist()), na.T + na[0:1, :].T)
    r2 = a[:, ::2] * a[1][::2]
    np.testing.assert_array_equal(np.array(r2.tolist()), na[:, ::2] * na[1][::2])


def test_broadcast_expanded_inputs():
    e = rt.tensor([1, 2, 3]).expand(2, 3)
    assert (e + e).tolist() == [[2, 4, 6], [2, 4, 6]]


def test_broadcast_comparison_shape():
    r = rt.tensor([[1], [2]]) < rt.tensor([1, 2, 3])
    assert r.shape == (2, 3)
    assert r.tolist() == [[False, True, True], [False, False, True]]


@pytest.mark.parametrize(
    "sa, sb, msg",
    [
        ((2, 3), (2, 4), "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
        ((3,), (4,), "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0"),
        ((2, 3), (3, 2), "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"),
        ((5, 2, 1), (4, 3), "The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 1"),
    ],
)
def test_not_broadcastable(sa, sb, msg):
    a, b = rt.zeros(sa), rt.zeros(sb)
    for op in (lambda: a + b, lambda: a * b, lambda: a - b, lambda: a / b, lambda: a == b, lambda: rt.maximum(a, b)):
        with pytest.raises(RuntimeError, match=re.escape(msg)):
            op()


# ---------------------------------------------------------------------------------------- unary math

UNARY = [
    ("abs", np.abs),
    ("exp", np.exp),
    ("log", np.log),
    ("sqrt", np.sqrt),
    ("sin", np.sin),
    ("cos", np.cos),
    ("tanh", np.tanh),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("relu", lambda x: np.maximum(x, 0)),
]

X_NP = np.array([0.5, 1.0, 2.0, 3.5, 0.1, 7.0])
XS_NP = np.array([-3.0, -0.5, 0.0, 0.25, 1.5, 4.0])


@pytest.mark.parametrize("name, npfn", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_matches_numpy(name, npfn, dtype):
    x = X_NP if name in ("log", "sqrt") else XS_NP
    t = rt.tensor(x.tolist(), dtype=getattr(rt, dtype))
    tol = 1e-6 if dtype == "float32" else 1e-12
    for r in (getattr(rt, name)(t), getattr(t, name)()):
        assert r.dtype == getattr(rt, dtype)
        close(r, npfn(x), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid"])
@pytest.mark.parametrize("dtype", ["int32", "int64", "bool"])
def test_unary_float_ops_on_int_give_float32(name, dtype):
    t = rt.tensor([1, 0, 1], dtype=getattr(rt, dtype))
    r = getattr(rt, name)(t)
    assert r.dtype == rt.float32
    npfn = dict(UNARY)[name]
    with np.errstate(divide="ignore"):
        close(r, npfn(np.array([1.0, 0.0, 1.0])))


def test_abs_relu_keep_int_dtype():
    t = rt.tensor([-1, 2, -3], dtype=rt.int32)
    assert rt.abs(t).dtype == rt.int32
    assert rt.abs(t).tolist() == [1, 2, 3]
    assert rt.relu(rt.tensor([-1, 2])).tolist() == [0, 2]
    assert rt.relu(rt.tensor([-1, 2])).dtype == rt.int64


def test_abs_relu_on_bool_raise():
    with pytest.raises(RuntimeError, match="not implemented for 'Bool'"):
        rt.abs(rt.tensor([True]))
    with pytest.raises(RuntimeError, match="Boolean inputs not supported for relu"):
        rt.relu(rt.tensor([True]))


def test_unary_special_values():
    assert math.isnan(rt.sqrt(F(-1.0)).item())
    r = rt.log(F(0.0, -1.0)).tolist()
    assert r[0] == -math.inf and math.isnan(r[1])
    assert rt.exp(F(1000.0)).item() == math.inf
    assert rt.sigmoid(F(-1000.0, 0.0, 1000.0)).tolist() == [0.0, 0.5, 1.0]
    assert rt.tanh(F(-1000.0, 1000.0)).tolist() == [-1.0, 1.0]
    assert rt.abs(F(-0.0, -math.inf)).tolist() == [0.0, math.inf]


def test_relu_keeps_nan():
    r = rt.relu(F(-1.0, math.nan, 2.0)).tolist()
    assert r[0] == 0.0 and math.isnan(r[1]) and r[2] == 2.0


def test_unary_on_noncontiguous():
    t = rt.tensor(np.arange(6.0).reshape(2, 3)).t()
    close(rt.exp(t), np.exp(np.arange(6.0).reshape(2, 3).T))
    assert rt.exp(t).shape == (3, 2)


def test_unary_zero_dim_and_empty():
    assert rt.exp(rt.tensor(0.0)).shape == ()
    assert rt.exp(rt.tensor(0.0)).item() == 1.0
    assert rt.sin(rt.zeros(0, 3)).shape == (0, 3)


# --------------------------------------------------------------------------------------------- clamp


def test_clamp_float():
    t = F(-1.5, 0.5, 2.5)
    assert rt.clamp(t, -1, 1).tolist() == [-1.0, 0.5, 1.0]
    assert t.clamp(min=0).tolist() == [0.0, 0.5, 2.5]
    assert t.clamp(max=0).tolist() == [-1.5, 0.0, 0.0]
    assert rt.clamp(t, min=-1.0, max=1.0).tolist() == [-1.0, 0.5, 1.0]


def test_clamp_int_dtypes():
    i = rt.tensor([1, 2, 3])
    assert rt.clamp(i, 0, 2).dtype == rt.int64
    assert rt.clamp(i, 0, 2).tolist() == [1, 2, 2]
    assert rt.tensor([1, 2], dtype=rt.int32).clamp(0, 1).dtype == rt.int32


def test_clamp_int_with_float_bounds_promotes():
    r = rt.clamp(rt.tensor([1, 2, 3]), 0.5, 2.5)
    assert r.dtype == rt.float32
    assert r.tolist() == [1.0, 2.0, 2.5]
    assert rt.tensor([1, 2]).clamp(min=0, max=1.5).dtype == rt.float32


def test_clamp_bool_promotes():
    r = rt.tensor([True, False]).clamp(0, 1)
    assert r.dtype == rt.int64
    assert r.tolist() == [1, 0]


def test_clamp_min_greater_than_max_gives_max():
    assert rt.clamp(F(1, 2, 3), 3, 1).tolist() == [1.0, 1.0, 1.0]


def test_clamp_nan_propagates():
    r = F(1.0, math.nan).clamp(0, 1).tolist()
    assert r[0] == 1.0 and math.isnan(r[1])


def test_clamp_tensor_bounds():
    assert F(1, 2, 3).clamp(min=rt.tensor([2.0, 0, 0])).tolist() == [2.0, 2.0, 3.0]
    assert rt.clamp(F(1, 5), rt.tensor([2.0]), rt.tensor([4.0])).tolist() == [2.0, 4.0]


def test_clamp_without_bounds():
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
        rt.clamp(F(1, 2))


# --------------------------------------------------------------------------------------- maximum/minimum


def test_maximum_minimum():
    a, b = F(1, 5, -2), F(3, 2, -2)
    assert rt.maximum(a, b).tolist() == [3.0, 5.0, -2.0]
    assert rt.minimum(a, b).tolist() == [1.0, 2.0, -2.0]
    assert a.maximum(b).tolist() == [3.0, 5.0, -2.0]
    assert a.minimum(b).tolist() == [1.0, 2.0, -2.0]


def test_maximum_promotion_and_broadcast():
    assert rt.maximum(rt.tensor([1, 2, 3]), F(2, 2, 2)).dtype == rt.float32
    r = rt.maximum(rt.tensor([1, 5], dtype=rt.int32), rt.tensor(7))
    assert r.dtype == rt.int32
    assert r.tolist() == [7, 7]
    assert rt.minimum(rt.tensor([1, 5]), rt.tensor([True, False])).tolist() == [1, 0]
    assert rt.maximum(rt.tensor([[1], [4]]), rt.tensor([2, 3])).tolist() == [[2, 3], [4, 4]]


def test_maximum_bool():
    r = rt.maximum(rt.tensor([True, False]), rt.tensor([False, False]))
    assert r.dtype == rt.bool
    assert r.tolist() == [True, False]


def test_maximum_nan_propagates():
    r = rt.maximum(F(1.0, math.nan), F(2.0, 0.0)).tolist()
    assert r[0] == 2.0 and math.isnan(r[1])
    r = rt.minimum(F(1.0, math.nan), F(math.nan, 0.0)).tolist()
    assert math.isnan(r[0]) and math.isnan(r[1])


def test_maximum_scalar_is_type_error():
    with pytest.raises(TypeError, match="must be Tensor"):
        rt.maximum(rt.tensor([1, 2]), 2)


# ----------------------------------------------------------------------------------------------- where


def test_where_basic():
    c = rt.tensor([True, False, True])
    r = rt.where(c, rt.tensor([1, 2, 3]), rt.tensor([10, 20, 30]))
    assert r.tolist() == [1, 20, 3]
    assert r.dtype == rt.int64


def test_where_promotion():
    c = rt.tensor([True, False, True])
    assert rt.where(c, rt.tensor([1, 2, 3]), F(0, 0, 0)).dtype == rt.float32
    assert rt.where(c, rt.tensor([1, 2, 3]), 2.5).dtype == rt.float32
    assert rt.where(c, 1, 0).dtype == rt.int64
    assert rt.where(c, 1.0, 0).dtype == rt.float32
    assert rt.where(c, True, False).dtype == rt.bool
    c2 = rt.tensor([True, False])
    assert rt.where(c2, rt.tensor([1], dtype=rt.int32), 2).dtype == rt.int32
    assert rt.where(c2, rt.tensor([1], dtype=rt.int32), 2.5).dtype == rt.float32
    assert rt.where(c2, rt.tensor(1.0), rt.tensor([1, 2])).dtype == rt.float32


def test_where_values_with_scalars():
    c = rt.tensor([True, False, True])
    assert rt.where(c, F(1, 2, 3), 0.5).tolist() == [1.0, 0.5, 3.0]
    assert rt.where(c, 1, 0).tolist() == [1, 0, 1]


def test_where_broadcast():
    c = rt.tensor([[True], [False]])
    r = rt.where(c, rt.tensor([1, 2, 3]), rt.tensor(0))
    assert r.shape == (2, 3)
    assert r.tolist() == [[1, 2, 3], [0, 0, 0]]


def test_where_method():
    x = F(1, 2)
    assert x.where(rt.tensor([True, False]), rt.tensor([9.0, 9.0])).tolist() == [1.0, 9.0]


def test_where_condition_must_be_bool():
    i = rt.tensor([1, 0, 1])
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor, but got a tensor with dtype Long"):
        rt.where(i, i, i)


def test_where_not_broadcastable():
    with pytest.raises(RuntimeError, match=re.escape("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0")):
        rt.where(rt.tensor([True, False]), rt.tensor([1, 2, 3]), F(1, 2, 3))


# ----------------------------------------------------------------------------------------- comparisons

CMP = [
    ("eq", lambda a, b: a == b, np.equal),
    ("ne", lambda a, b: a != b, np.not_equal),
    ("lt", lambda a, b: a < b, np.less),
    ("le", lambda a, b: a <= b, np.less_equal),
    ("gt", lambda a, b: a > b, np.greater),
    ("ge", lambda a, b: a >= b, np.greater_equal),
]


@pytest.mark.parametrize("name, op, npop", CMP, ids=[c[0] for c in CMP])
def test_comparisons(name, op, npop):
    na = np.array([1, 2, 3, 4])
    nb = np.array([4, 2, 1, 4])
    r = op(rt.tensor(na), rt.tensor(nb))
    assert r.dtype == rt.bool
    assert r.tolist() == npop(na, nb).tolist()
    r = op(rt.tensor(na), 2.5)
    assert r.dtype == rt.bool
    assert r.tolist() == npop(na, 2.5).tolist()
    r = op(2, rt.tensor(na))
    assert r.tolist() == npop(2, na).tolist()


def test_comparison_mixed_dtypes():
    assert (rt.tensor([1, 2]) == F(1, 2.5)).tolist() == [True, False]
    assert (rt.tensor([1, 2]) < 1.5).tolist() == [True, False]
    assert (rt.tensor([1, 2]) == 1.0).tolist() == [True, False]
    assert (rt.tensor([True]) < F(0.5)).tolist() == [False]
    assert (rt.tensor([True, False, True]) < 1).tolist() == [False, True, False]


def test_comparison_nan():
    n = F(math.nan)
    assert (n == n).tolist() == [False]
    assert (n != n).tolist() == [True]
    assert (n < 1).tolist() == [False]


def test_eq_with_unsupported_type_is_false():
    t = rt.tensor([1, 2, 3])
    assert (t == None) is False  # noqa: E711
    assert (t == "a") is False
    assert (t != None) is True  # noqa: E711


# -------------------------------------------------------------------------------------------- bitwise


def test_bitwise_bool():
    a = rt.tensor([True, True, False, False])
    b = rt.tensor([True, False, True, False])
    assert (a & b).tolist() == [True, False, False, False]
    assert (a | b).tolist() == [True, True, True, False]
    assert (a ^ b).tolist() == [False, True, True, False]
    assert (~a).tolist() == [False, False, True, True]
    assert (a & b).dtype == rt.bool
    assert (a & True).tolist() == [True, True, False, False]


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_bitwise_int(dtype):
    na = np.array([12, -7, 5, 0])
    nb = np.array([10, 3, -1, 9])
    dt = getattr(rt, dtype)
    a, b = rt.tensor(na, dtype=dt), rt.tensor(nb, dtype=dt)
    assert (a & b).tolist() == (na & nb).tolist()
    assert (a | b).tolist() == (na | nb).tolist()
    assert (a ^ b).tolist() == (na ^ nb).tolist()
    assert (~a).tolist() == (~na).tolist()
    assert (a & b).dtype == dt
    assert (a & 6).tolist() == (na & 6).tolist()
    assert (6 | a).tolist() == (6 | na).tolist()


def test_bitwise_mixed_int_bool():
    i = rt.tensor([1, 2, 3])
    assert (i & True).tolist() == [1, 0, 1]
    assert (rt.tensor([True, False, True]) & 1).tolist() == [1, 0, 1]
    assert (rt.tensor([True, False, True]) & i).tolist() == [1, 0, 1]
    assert (i & rt.tensor([1, 2, 3], dtype=rt.int32)).dtype == rt.int64


@pytest.mark.parametrize(
    "op, name",
    [
        (lambda f: f & f, "bitwise_and"),
        (lambda f: f | 1, "bitwise_or"),
        (lambda f: f ^ f, "bitwise_xor"),
        (lambda f: rt.tensor([1, 2, 3]) & 1.5, "bitwise_and"),
    ],
)
def test_bitwise_on_float_raises(op, name):
    with pytest.raises(RuntimeError, match=f"{name}.* not implemented for 'Float'"):
        op(F(1, 2, 3))


def test_invert_on_float_raises():
    with pytest.raises(TypeError, match=re.escape("~ (operator.invert) is only implemented on integer and Boolean-type tensors")):
        ~F(1, 2)


# ----------------------------------------------------------------------------------------- cat / stack


def test_cat():
    a = rt.arange(6).reshape(2, 3)
    b = rt.arange(6, 12).reshape(2, 3)
    assert rt.cat([a, b]).tolist() == np.concatenate([np.arange(6).reshape(2, 3), np.arange(6, 12).reshape(2, 3)]).tolist()
    assert rt.cat([a, b], dim=1).tolist() == [[0, 1, 2, 6, 7, 8], [3, 4, 5, 9, 10, 11]]
    assert rt.cat((a, b), 1).shape == (2, 6)
    assert rt.cat([a, b], dim=-1).shape == (2, 6)
    assert rt.cat([a]).tolist() == a.tolist()


def test_cat_result_is_new_memory():
    a = rt.zeros(2)
    c = rt.cat([a])
    c[0] = 1
    assert a.tolist() == [0.0, 0.0]


def test_cat_different_sizes_in_cat_dim():
    assert rt.cat([rt.zeros(2, 3), rt.zeros(2, 2)], dim=1).shape == (2, 5)


def test_cat_promotes():
    assert rt.cat([rt.tensor([1]), F(1.5)]).dtype == rt.float32
    assert rt.cat([rt.tensor([1]), rt.tensor([True])]).dtype == rt.int64
    assert rt.cat([rt.tensor([1], dtype=rt.int32), rt.tensor([1])]).dtype == rt.int64


def test_cat_noncontiguous_inputs():
    a = rt.arange(6).reshape(2, 3)
    assert rt.cat([a.t(), a.t()], dim=1).tolist() == [[0, 3, 0, 3], [1, 4, 1, 4], [2, 5, 2, 5]]


def test_cat_skips_legacy_empty_1d():
    assert rt.cat([rt.zeros(0), rt.zeros(2, 3)]).shape == (2, 3)


def test_cat_size_mismatch():
    msg = "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list."
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        rt.cat([rt.zeros(2, 3), rt.zeros(2, 2)])


def test_cat_ndim_mismatch():
    with pytest.raises(RuntimeError, match="Tensors must have same number of dimensions: got 2 and 1"):
        rt.cat([rt.zeros(2, 3), rt.zeros(3)])


def test_cat_empty_list():
    with pytest.raises(ValueError, match="expected a non-empty list of Tensors"):
        rt.cat([])


def test_cat_dim_out_of_range():
    with pytest.raises(IndexError, match=re.escape("Dimension out of range (expected to be in range of [-2, 1], but got 2)")):
        rt.cat([rt.zeros(2, 3)], dim=2)


def test_cat_needs_sequence():
    with pytest.raises(TypeError):
        rt.cat(rt.zeros(2, 3))


def test_stack():
    a = rt.arange(6).reshape(2, 3)
    b = a + 10
    na = np.arange(6).reshape(2, 3)
    assert rt.stack([a, b]).tolist() == np.stack([na, na + 10]).tolist()
    assert rt.stack([a, b], dim=1).tolist() == np.stack([na, na + 10], axis=1).tolist()
    assert rt.stack([a, b], dim=2).shape == (2, 3, 2)
    assert rt.stack([a, b], dim=-1).shape == (2, 3, 2)
    assert rt.stack((a,)).shape == (1, 2, 3)


def test_stack_scalars_and_promotion():
    assert rt.stack([rt.tensor(1), rt.tensor(2)]).tolist() == [1, 2]
    assert rt.stack([rt.tensor([1]), F(2.5)]).dtype == rt.float32


def test_stack_size_mismatch():
    with pytest.raises(RuntimeError, match=re.escape("stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1")):
        rt.stack([rt.zeros(2, 3), rt.zeros(3, 2)])


def test_stack_empty():
    with pytest.raises(RuntimeError, match="stack expects a non-empty TensorList"):
        rt.stack([])


def test_stack_dim_out_of_range():
    with pytest.raises(IndexError, match=re.escape("expected to be in range of [-3, 2], but got 3")):
        rt.stack([rt.zeros(2, 3)], dim=3)


# ------------------------------------------------------------------------------------------ split / chunk


def test_split_by_size():
    parts = rt.arange(10).split(3)
    assert isinstance(parts, tuple)
    assert [p.tolist() for p in parts] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert [p.tolist() for p in rt.split(rt.arange(10), 4)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_split_by_sizes():
    parts = rt.arange(10).split([3, 7])
    assert [p.shape for p in parts] == [(3,), (7,)]
    assert parts[1].tolist() == [3, 4, 5, 6, 7, 8, 9]


def test_split_dim():
    a = rt.arange(6).reshape(2, 3)
    parts = a.split(2, dim=1)
    assert [p.tolist() for p in parts] == [[[0, 1], [3, 4]], [[2], [5]]]
    assert [p.tolist() for p in rt.split(a, 1, 0)] == [[[0, 1, 2]], [[3, 4, 5]]]


def test_split_gives_views():
    t = rt.arange(10)
    parts = t.split(4)
    assert parts[1].storage_offset() == 4
    assert parts[1].data_ptr() == t.data_ptr() + 4 * t.element_size()
    parts[2][0] = 100
    assert t[8].item() == 100


def test_split_sizes_must_sum():
    msg = "split_with_sizes expects split_sizes to sum exactly to 10 (input tensor's size at dimension 0), but got split_sizes=[3, 6]"
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        rt.arange(10).split([3, 6])


def test_split_zero_size():
    with pytest.raises(RuntimeError, match="split_size can only be 0 if dimension size is 0, but got dimension size of 10"):
        rt.arange(10).split(0)


@pytest.mark.parametrize(
    "n, chunks, expected",
    [
        (10, 3, [4, 4, 2]),
        (10, 4, [3, 3, 3, 1]),
        (5, 4, [2, 2, 1]),
        (6, 4, [2, 2, 2]),
        (6, 3, [2, 2, 2]),
        (2, 5, [1, 1]),
    ],
)
def test_chunk_sizes(n, chunks, expected):
    parts = rt.arange(n).chunk(chunks)
    assert isinstance(parts, tuple)
    assert [p.numel() for p in parts] == expected
    assert sum((p.tolist() for p in parts), []) == list(range(n))


def test_chunk_dim_and_function():
    a = rt.arange(6).reshape(2, 3)
    parts = rt.chunk(a, 3, dim=1)
    assert [p.tolist() for p in parts] == [[[0], [3]], [[1], [4]], [[2], [5]]]
    assert len(rt.chunk(a, 3, 1)) == 3
    assert parts[2].data_ptr() == a.data_ptr() + 2 * a.element_size()


def test_chunk_empty():
    parts = rt.arange(0).chunk(2)
    assert len(parts) == 2
    assert all(p.shape == (0,) for p in parts)


def test_chunk_zero():
    with pytest.raises(RuntimeError, match="chunk expects `chunks` to be greater than 0, got: 0"):
        rt.arange(10).chunk(0)


# ------------------------------------------------------------------------------------------------ in-place


@pytest.mark.parametrize(
    "name, arg, expected",
    [
        ("add_", 2, [3.0, 4.0, 5.0]),
        ("sub_", 2, [-1.0, 0.0, 1.0]),
        ("mul_", 2, [2.0, 4.0, 6.0]),
        ("div_", 2, [0.5, 1.0, 1.5]),
    ],
)
def test_inplace_methods(name, arg, expected):
    t = F(1, 2, 3)
    ptr = t.data_ptr()
    r = getattr(t, name)(arg)
    assert r is t
    assert t.tolist() == expected
    assert t.data_ptr() == ptr
    assert t._version == 1
    t2 = F(1, 2, 3)
    getattr(t2, name)(rt.tensor([arg, arg, arg], dtype=rt.float32))
    assert t2.tolist() == expected


def test_inplace_operators_keep_identity():
    t = F(1, 2, 3)
    orig = t
    ptr = t.data_ptr()
    t += 1
    t -= 0.5
    t *= 2
    t /= 4
    assert t is orig
    assert t.data_ptr() == ptr
    assert t.tolist() == [0.75, 1.25, 1.75]
    assert t._version == 4


def test_inplace_int_ops():
    t = rt.tensor([1, 2, 3])
    t += 1
    t *= 3
    t -= rt.tensor([1, 1, 1])
    assert t.tolist() == [5, 8, 11]
    assert t.dtype == rt.int64


def test_inplace_broadcast_other():
    t = rt.zeros(2, 3)
    t += rt.tensor([1.0, 2.0, 3.0])
    t.add_(rt.tensor([[10.0], [20.0]]))
    assert t.tolist() == [[11.0, 12.0, 13.0], [21.0, 22.0, 23.0]]


def test_inplace_on_view_writes_base():
    t = rt.zeros(3, 4)
    t[1:, ::2].add_(5)
    assert t._version == 1
    t.t()[0] += 1
    assert t.tolist() == [[1, 0, 0, 0], [6, 0, 5, 0], [6, 0, 5, 0]]
    # `x[k] += v` is getitem, __iadd__ (bump) and then __setitem__ of the result (bump)
    assert t._version == 3


def test_augmented_item_assignment_bumps_version_twice():
    t = rt.zeros(4)
    t[1:3] += 1
    assert t.tolist() == [0.0, 1.0, 1.0, 0.0]
    assert t._version == 2


def test_zero_fill():
    t = F(1, 2, 3)
    assert t.zero_() is t
    assert t.tolist() == [0.0, 0.0, 0.0]
    assert t.fill_(2.5) is t
    assert t.tolist() == [2.5, 2.5, 2.5]
    t.fill_(rt.tensor(4.0))
    assert t.tolist() == [4.0, 4.0, 4.0]
    assert t._version == 3


def test_fill_int_truncates():
    assert rt.tensor([1, 2]).fill_(2.7).tolist() == [2, 2]
    assert rt.tensor([True, False]).fill_(0).tolist() == [False, False]


def test_fill_with_1d_tensor_raises():
    t = rt.tensor([1, 2])
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions."):
        t.fill_(rt.tensor([1, 2]))
    assert t.tolist() == [1, 2]


def test_copy_():
    t = rt.zeros(2, 3)
    r = t.copy_(rt.tensor([[1.0, 2, 3], [4, 5, 6]]))
    assert r is t
    assert t.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert t._version == 1


def test_copy_casts_and_broadcasts():
    t = rt.tensor([1, 2])
    t.copy_(F(1.7, -2.7))
    assert t.tolist() == [1, -2]
    assert t.dtype == rt.int64
    z = rt.zeros(2, 3)
    z.copy_(rt.tensor([1, 2, 3]))
    assert z.tolist() == [[1, 2, 3], [1, 2, 3]]


def test_copy_from_noncontiguous_and_into_view():
    src = rt.arange(6.0).reshape(2, 3)
    dst = rt.zeros(3, 2)
    dst.copy_(src.t())
    assert dst.tolist() == [[0, 3], [1, 4], [2, 5]]
    big = rt.zeros(3, 3)
    big[1:, 1:].copy_(rt.ones(2, 2))
    assert big.tolist() == [[0, 0, 0], [0, 1, 1], [0, 1, 1]]


def test_copy_size_mismatch():
    t = rt.tensor([1, 2])
    with pytest.raises(RuntimeError, match=re.escape("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0")):
        t.copy_(rt.tensor([1, 2, 3]))
    assert t.tolist() == [1, 2]


def test_copy_broadcast_bigger_source():
    t = rt.zeros(3)
    with pytest.raises(RuntimeError, match=re.escape("output with shape [3] doesn't match the broadcast shape [2, 3]")):
        t.copy_(rt.zeros(2, 3))


def test_clamp_():
    t = F(-2, 0.5, 3)
    assert t.clamp_(-1, 1) is t
    assert t.tolist() == [-1.0, 0.5, 1.0]
    t.clamp_(min=0)
    assert t.tolist() == [0.0, 0.5, 1.0]
    t.clamp_(max=0.25)
    assert t.tolist() == [0.0, 0.25, 0.25]
    i = rt.tensor([-5, 5])
    i.clamp_(0, 3)
    assert i.tolist() == [0, 3]


def test_inplace_float_from_wider_or_int_keeps_dtype():
    t = F(1, 2)
    t += rt.tensor([1, 2])
    assert t.dtype == rt.float32
    assert t.tolist() == [2.0, 4.0]
    t += rt.tensor([1, 2], dtype=rt.float64)
    assert t.dtype == rt.float32
    i32 = rt.tensor([1], dtype=rt.int32)
    i32 += rt.tensor([1])
    assert i32.dtype == rt.int32


def test_int_div_inplace_raises():
    t = rt.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        t.div_(2)
    assert t.tolist() == [1, 2]


CAST_ERRORS = [
    (lambda t: t.__iadd__(1.5), "Float", "Long"),
    (lambda t: t.add_(1.5), "Float", "Long"),
    (lambda t: t.__iadd__(rt.tensor([1.5, 2.0])), "Float", "Long"),
    (lambda t: t.__iadd__(rt.tensor(1.5)), "Float", "Long"),
    (lambda t: t.__imul__(2.0), "Float", "Long"),
    (lambda t: t.mul_(2.0), "Float", "Long"),
    (lambda t: t.__isub__(0.5), "Float", "Long"),
    (lambda t: t.__itruediv__(2), "Float", "Long"),
    (lambda t: t.div_(rt.tensor([2, 2])), "Float", "Long"),
]


@pytest.mark.parametrize("op, res, out", CAST_ERRORS)
def test_inplace_cannot_downcast(op, res, out):
    t = rt.tensor([1, 2])
    with pytest.raises(RuntimeError, match=f"result type {res} can't be cast to the desired output type {out}"):
        op(t)
    assert t.tolist() == [1, 2]
    assert t._version == 0


def test_inplace_iadd_operator_cannot_downcast():
    t = rt.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        t += 1.5
    assert t.tolist() == [1, 2]


def test_inplace_bool_cannot_take_int():
    b = rt.tensor([True])
    with pytest.raises(RuntimeError, match="result type Long can't be cast to the desired output type Bool"):
        b += 1
    assert b.tolist() == [True]


def test_clamp_inplace_int_with_float_bounds():
    t = rt.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type"):
        t.clamp_(0.5, 1.5)
    assert t.tolist() == [1, 2]


def test_inplace_output_shape_cannot_grow():
    t = rt.zeros(3)
    with pytest.raises(RuntimeError, match=re.escape("output with shape [3] doesn't match the broadcast shape [2, 3]")):
        t += rt.zeros(2, 3)
    with pytest.raises(RuntimeError, match=re.escape("output with shape [1] doesn't match the broadcast shape [3]")):
        rt.zeros(1).add_(rt.zeros(3))
    assert t._version == 0


# ------------------------------------------------------------------------------------------ aliasing


def test_full_alias_inplace():
    a = rt.arange(4.0)
    a += a
    assert a.tolist() == [0.0, 2.0, 4.0, 6.0]
    a.mul_(a)
    assert a.tolist() == [0.0, 4.0, 16.0, 36.0]
    a.copy_(a)
    assert a.tolist() == [0.0, 4.0, 16.0, 36.0]
    a.sub_(a)
    assert a.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_full_alias_through_view_and_detach():
    a = rt.arange(4.0)
    a.add_(a.view(2, 2).view(4))
    assert a.tolist() == [0.0, 2.0, 4.0, 6.0]
    a.mul_(a.detach())
    assert a.tolist() == [0.0, 4.0, 16.0, 36.0]


@pytest.mark.parametrize(
    "op",
    [
        lambda a: a[1:].__iadd__(a[:-1]),
        lambda a: a[1:].add_(a[:-1]),
        lambda a: a[:-1].mul_(a[1:]),
        lambda a: a[1:].copy_(a[:-1]),
        lambda a: a[:-1].copy_(a[1:]),
    ],
)
def test_partial_overlap_raises(op):
    a = rt.arange(5.0)
    with pytest.raises(RuntimeError, match=re.escape(OVERLAP_MSG)):
        op(a)
    assert a.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_partial_overlap_augmented_assignment():
    a = rt.arange(5.0)
    with pytest.raises(RuntimeError, match=re.escape(OVERLAP_MSG)):
        a[1:] += a[:-1]
    assert a.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_transposed_self_overlap_raises():
    b = rt.arange(4.0).reshape(2, 2)
    with pytest.raises(RuntimeError, match=re.escape(OVERLAP_MSG)):
        b.add_(b.t())
    with pytest.raises(RuntimeError, match=re.escape(OVERLAP_MSG)):
        b.copy_(b.t())
    assert b.tolist() == [[0.0, 1.0], [2.0, 3.0]]


def test_disjoint_views_of_same_storage_ok():
    a = rt.arange(6.0)
    a[:3] += a[3:]
    assert a.tolist() == [3.0, 5.0, 7.0, 3.0, 4.0, 5.0]
    a[::2].copy_(a[1::2])
    assert a.tolist() == [5.0, 5.0, 3.0, 3.0, 5.0, 5.0]


# -------------------------------------------------------------------------------- writes into expanded


@pytest.mark.parametrize(
    "op",
    [
        lambda e: e.add_(1),
        lambda e: e.sub_(1),
        lambda e: e.mul_(2),
        lambda e: e.div_(2),
        lambda e: e.__iadd__(1),
        lambda e: e.__imul__(2),
        lambda e: e.clamp_(1, 2),
        lambda e: e.copy_(rt.ones(2, 3)),
    ],
)
def test_inplace_into_expanded_raises(op):
    base = rt.zeros(3)
    e = base.expand(2, 3)
    with pytest.raises(RuntimeError, match=re.escape(EXPANDED_MSG)):
        op(e)
    assert base.tolist() == [0.0, 0.0, 0.0]
    assert base._version == 0


def test_augmented_assignment_into_expanded_raises():
    e = rt.zeros(1).expand(3)
    with pytest.raises(RuntimeError, match=re.escape(EXPANDED_MSG)):
        e += 1


def test_fill_zero_setitem_into_expanded_allowed():
    # torch allows these: every element gets the same value, so the result is well defined
    base = rt.zeros(3)
    e = base.expand(2, 3)
    e.fill_(1)
    assert base.tolist() == [1.0, 1.0, 1.0]
    e.zero_()
    assert base.tolist() == [0.0, 0.0, 0.0]
    e[0] = 2
    assert base.tolist() == [2.0, 2.0, 2.0]
    e[:, 0] = 5
    assert base.tolist() == [5.0, 2.0, 2.0]


def test_inplace_into_expanded_clone_works():
    e = rt.zeros(3).expand(2, 3).clone()
    e.add_(1)
    assert e.tolist() == [[1.0] * 3] * 2


def test_integer_division_by_zero_of_an_empty_result_is_not_an_error():
    # found by tests/test_properties.py (differential with torch): torch finds a zero divisor as its kernel reads
    # it, so an empty result raises nothing
    assert (rt.zeros(0, dtype=rt.bool) // 0).shape == (0,)
    assert (rt.zeros(0, dtype=rt.int32) % 0).dtype == rt.int32
    assert (rt.zeros(0, dtype=rt.int32) // rt.zeros(1, dtype=rt.int32)).shape == (0,)
    x = rt.zeros(3, dtype=rt.int64)[:0]
    x //= 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        rt.ones(1, dtype=rt.int32) // 0


def test_bool_tensor_to_a_bool_power():
    # found by tests/test_properties.py (differential with torch): torch's pow(Tensor, Scalar) fills ones for the
    # exponent 0 and copies for 1 before it looks for a kernel, so bool ** False / True work
    x = rt.tensor([True, False])
    assert (x ** False).dtype == rt.bool and (x ** False).tolist() == [True, True]
    assert (x ** True).tolist() == [True, False]
    assert (rt.tensor(False) ** False).item() is True
    with pytest.raises(RuntimeError, match="\"pow\" not implemented for 'Bool'"):
        x ** rt.tensor(True)
    with pytest.raises(RuntimeError, match="\"pow\" not implemented for 'Bool'"):
        True ** x


def test_inverse_hyperbolic_float32_is_accurate_near_their_poles():
    # tests/test_opinfo.py's reference samples (B1): atanh(-0.9998999) in float32 was -4.951661 (~700 ulp off);
    # the exact value rounded to float32 is what torch gives
    x = np.array([-0.9998999, -0.99999994, 0.9999, 0.99999994, 1e-30, -0.5], dtype=np.float32)
    got = np.array(rt.atanh(rt.tensor(x)).tolist(), dtype=np.float32)
    assert np.array_equal(got, np.arctanh(x.astype(np.float64)).astype(np.float32))
    y = np.array([1.0000001, 1.0001, 3e38], dtype=np.float32)
    got = np.array(rt.acosh(rt.tensor(y)).tolist(), dtype=np.float32)
    np.testing.assert_allclose(got, np.arccosh(y.astype(np.float64)), rtol=3e-7)
    z = np.array([1e-30, -3e38, 3e38], dtype=np.float32)
    got = np.array(rt.asinh(rt.tensor(z)).tolist(), dtype=np.float32)
    np.testing.assert_allclose(got, np.arcsinh(z.astype(np.float64)), rtol=3e-7)
