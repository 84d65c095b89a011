"""Pointwise rules of torch that the golden tables of test_pointwise.py do not reach: the `out=`, in-place and
operator forms of the fixes for number-first ops, wrapped Python ints, bool powers, `div`'s explicit
`rounding_mode=None` and the logical ops' in-place forms. Expected values and messages are torch 2.15's (checked
against it when these tests were written)."""

import re

import pytest

import rtensor as rt

ZERO_DIVISION = "ZeroDivisionError"
INT_OVERFLOW = "value cannot be converted to type int without overflow"


def node(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def i32(values):
    return rt.tensor(values, dtype=rt.int32)


# ------------------------------------------------------------------------ a Python int beyond int32 (torch casts it)

@pytest.mark.parametrize("call", [
    lambda t: t.fmod_(2**40),
    lambda t: t.remainder_(2**40),
    lambda t: t.floor_divide_(2**40),
    lambda t: t.div_(2**40, rounding_mode="floor"),
    lambda t: rt.remainder(t, 2**40, out=rt.empty(2, dtype=rt.int64)),
    lambda t: t // 2**40,
    lambda t: t % 2**40,
    lambda t: t.fmod(2**32),
], ids=["fmod_", "remainder_", "floor_divide_", "div_floor_", "remainder_out", "op_floordiv", "op_mod", "fmod_2**32"])
def test_int32_divisor_wrapping_to_zero_raises(call):
    with pytest.raises(RuntimeError, match=f"^{ZERO_DIVISION}$"):
        call(i32([1, 2]))


@pytest.mark.parametrize("call", [
    lambda t: t.pow_(2**40),
    lambda t: t ** 2**31,
    lambda t: rt.pow(t, 2**31, out=rt.empty(2)),
    lambda t: rt.pow(t[:0], 2**40),
], ids=["pow_", "op_pow", "pow_out", "pow_empty"])
def test_int32_exponent_beyond_int32_overflows(call):
    with pytest.raises(RuntimeError, match=f"^{INT_OVERFLOW}$"):
        call(i32([1, 2]))


def test_wrapped_python_ints_as_torch():
    t = i32([1, 2, 3])
    assert rt.fmod(t, 2**32 + 1).tolist() == [0, 0, 0]  # 2**32 + 1 -> 1
    assert rt.fmod(t, 2**63 - 1).tolist() == [0, 0, 0]  # -> -1
    assert rt.fmod(t[:0], 2**40).tolist() == []  # an empty result reads no divisor
    assert rt.remainder(2**40, t).tolist() == [0, 0, 0]  # number first: 2**40 -> 0
    assert rt.pow(2**40, t).tolist() == [0, 0, 0]
    assert rt.fmod(t.to(rt.int64), 2**40).tolist() == [1, 2, 3]
    with pytest.raises(RuntimeError, match="^Integers to negative integer powers are not allowed.$"):
        rt.pow(t, -2**40)


# ------------------------------------------------------------------------ a Python number first

def test_remainder_number_first():
    t = i32([1, 2, 3])
    assert rt.remainder(2, t).tolist() == [0, 0, 2]
    assert rt.remainder(2.5, t).tolist() == [0.5, 0.5, 2.5]
    assert rt.floor_divide(2, t).tolist() == [2, 1, 0]


@pytest.mark.parametrize("call, op", [
    (lambda x: 2.0 % x, "remainder"),
    (lambda x: rt.remainder(2.0, x), "remainder"),
    (lambda x: 2.0 // x, "floor_divide"),
    (lambda x: rt.floor_divide(2.0, x), "floor_divide"),
])
def test_number_first_gradient_is_not_implemented(call, op):
    x = rt.tensor([1.5, 2.0, 3.0], requires_grad=True)
    r = call(x)
    assert node(r) == "NotImplemented"
    with pytest.raises(RuntimeError, match=f"^derivative for aten::{op} is not implemented$"):
        r.sum().backward()


# ------------------------------------------------------------------------ bool powers

def test_bool_square_in_place_is_refused():
    b = rt.tensor([True, False])
    with pytest.raises(RuntimeError, match="^result type Long can't be cast to the desired output type Bool$"):
        b.square_()
    assert b.tolist() == [True, False]
    with pytest.raises(RuntimeError, match="^result type Long can't be cast to the desired output type Bool$"):
        rt.square(b, out=rt.empty(2, dtype=rt.bool))
    assert rt.square(b, out=rt.empty(2, dtype=rt.int64)).tolist() == [1, 0]


def test_bool_to_a_bool_power():
    b = rt.tensor([True, False])
    v = b._version
    assert b.pow_(True) is b and b.tolist() == [True, False] and b._version == v + 1
    assert b.pow_(False) is b and b.tolist() == [True, True]
    b = rt.tensor([True, False])
    out = rt.empty(2, dtype=rt.int64)
    assert rt.pow(b, False, out=out) is out and out.tolist() == [1, 1]
    with pytest.raises(RuntimeError, match="^result type Long can't be cast to the desired output type Bool$"):
        b.pow_(2)
    with pytest.raises(NotImplementedError, match="^\"pow\" not implemented for 'Bool'$"):
        b.pow_(rt.tensor([True, True]))


# ------------------------------------------------------------------------ div's rounding_mode given as None

def test_div_explicit_rounding_mode_none_records_div_backward2():
    a = rt.tensor([1.0, 2.0], requires_grad=True)
    c = rt.tensor([3.0, 4.0], requires_grad=True)
    assert node(rt.div(a, c)) == "DivBackward0"
    assert node(a / c) == "DivBackward0"
    assert node(a.div(c)) == "DivBackward0"
    assert node(rt.div(a, c, rounding_mode=None)) == "DivBackward2"
    assert node(rt.div(a, 2, rounding_mode=None)) == "DivBackward2"
    assert node(a.div(c, rounding_mode=None)) == "DivBackward2"
    assert node(a.clone().div_(c, rounding_mode=None)) == "DivBackward2"
    rt.div(a, c, rounding_mode=None).sum().backward()
    assert a.grad.tolist() == pytest.approx([1 / 3, 1 / 4])
    assert c.grad.tolist() == pytest.approx([-1 / 9, -2 / 16])


# ------------------------------------------------------------------------ logical ops outside autograd

@pytest.mark.parametrize("op", ["logical_and", "logical_or", "logical_xor"])
def test_logical_in_place_keeps_history(op):
    a = rt.tensor([1.0, 0.0], requires_grad=True)
    c = rt.tensor([3.0, 0.0], requires_grad=True)
    x = a.clone()
    r = getattr(x, op + "_")(c)
    assert r is x and node(r) == "CloneBackward0" and r.requires_grad
    r.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and c.grad is None
    leaf = rt.tensor([1.0, 0.0], requires_grad=True)
    getattr(leaf, op + "_")(c)  # no leaf error: torch's logical ops bypass autograd
    assert leaf.requires_grad and leaf.grad_fn is None


def test_logical_not_in_place_on_a_leaf():
    a = rt.tensor([1.0, 0.0], requires_grad=True)
    v = a._version
    assert a.logical_not_() is a
    assert a.tolist() == [0.0, 1.0] and a.requires_grad and a.grad_fn is None and a._version == v + 1


# ------------------------------------------------------------------------ clamp's kernel names

@pytest.mark.parametrize("call, kernel", [
    (lambda b: rt.clamp(b, min=True), "clamp_min_scalar_cpu"),
    (lambda b: rt.clamp(b, max=True), "clamp_max_scalar_cpu"),
    (lambda b: rt.clamp(b, True, True), "clamp_scalar_cpu"),
    (lambda b: b.clamp_min_(True), "clamp_min_scalar_cpu"),
    (lambda b: rt.clamp_max(b, True), "clamp_max_scalar_cpu"),
])
def test_clamp_names_its_kernel_by_the_bounds_given(call, kernel):
    with pytest.raises(NotImplementedError, match=f"^\"{kernel}\" not implemented for 'Bool'$"):
        call(rt.tensor([True]))


OUT_GRAD_MSG = "functions with out=... arguments don't support automatic differentiation"


@pytest.mark.parametrize("call, dtype", [
    (lambda x, o: rt.eq(x, 1.0, out=o), rt.bool),
    (lambda x, o: rt.logical_and(x, x, out=o), rt.bool),
    (lambda x, o: rt.signbit(x, out=o), rt.bool),
    (lambda x, o: rt.argmax(x, 0, out=o), rt.int64),
], ids=["eq", "logical_and", "signbit", "argmax"])
def test_out_with_grad_inputs_for_ops_without_gradient(call, dtype):
    # torch refuses out= while autograd records only for ops that record a gradient.
    x = rt.tensor([1.0, -2.0, 3.0], requires_grad=True)
    o = rt.empty(3 if dtype == rt.bool else (), dtype=dtype)
    r = call(x, o)
    assert r is o and not o.requires_grad


@pytest.mark.parametrize("call", [
    lambda x, o: rt.sign(x, out=o),
    lambda x, o: rt.add(x, x, out=o),
    lambda x, o: rt.add(x, rt.ones(4), out=o),  # a shape error too: the autograd error comes first
    lambda x, o: rt.floor(x, out=o),
], ids=["sign", "add", "add-bad-shape", "floor"])
def test_out_with_grad_inputs_for_ops_with_gradient(call):
    x = rt.tensor([1.5, -2.0, 3.0], requires_grad=True)
    o = rt.zeros(3)
    with pytest.raises(RuntimeError, match=re.escape(OUT_GRAD_MSG)):
        call(x, o)
    assert o.tolist() == [0.0, 0.0, 0.0]


def test_out_with_grad_inputs_under_no_grad():
    x = rt.tensor([1.5, -2.0, 3.0], requires_grad=True)
    o = rt.zeros(3)
    with rt.no_grad():
        assert rt.add(x, x, out=o) is o
    assert o.tolist() == [3.0, -4.0, 6.0] and not o.requires_grad
