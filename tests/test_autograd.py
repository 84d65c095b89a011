# Autograd machinery: requires_grad / is_leaf / grad / grad_fn (node names and next_functions), retain_grad,
# Tensor.backward(gradient, retain_graph), rt.autograd.backward, rt.autograd.grad, accumulation, freed graphs,
# grad modes (no_grad / enable_grad / set_grad_enabled, context managers, decorators, per thread), detach /
# detach_ / clone (the SEED story), in-place ops in graphs and the version counter, bad input, repr, memory.
#
# Validated against torch 2.15.0 (CPU): every expected value, node name, exception type and message below is
# what torch does (run with a shim package named `rtensor` that re-exports torch, with `rt.autograd`,
# `rt.no_grad`, ... aliased to torch's; printed package names read `torch` under it).
import gc
import re
import threading
import warnings

import pytest

import rtensor as rt

UNDER_TORCH = getattr(rt, "_IS_TORCH_SHIM", False)  # only the torch validation shim sets this
PREFIX = "torch" if UNDER_TORCH else "rtensor"

FREED_MSG = re.escape(
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed)."
)
RETAIN_HINT = re.escape("Specify retain_graph=True if you need to backward through the graph a second time")
SCALAR_MSG = re.escape("grad can be implicitly created only for scalar outputs")
NO_GRAD_MSG = re.escape("element 0 of tensors does not require grad and does not have a grad_fn")
LEAF_INPLACE_MSG = re.escape("a leaf Variable that requires grad is being used in an in-place operation.")
VIEW_LEAF_INPLACE_MSG = re.escape("a view of a leaf Variable that requires grad is being used in an in-place operation.")
FLOAT_ONLY_MSG = "[Oo]" + re.escape("nly Tensors of floating point") + ".*" + re.escape("can require gradients")
NON_LEAF_FLAG_MSG = re.escape("you can only change requires_grad flags of leaf variables.")
def unused_msg(i):
    return re.escape(f"The differentiated Tensor at index {i} appears to not have been used in the graph.")


def version_msg(found, expected):
    return (
        re.escape("one of the variables needed for gradient computation has been modified by an inplace operation: ")
        + ".*"
        + re.escape(f"is at version {found}; expected version {expected} instead.")
    )


def vals(t):
    return t.tolist()


def F(*v, **kw):
    return rt.tensor(list(v), dtype=kw.pop("dtype", rt.float32), requires_grad=kw.pop("requires_grad", True))


def leaf_grad_node(t):
    """The AccumulateGrad node that `t` (a leaf) feeds into, reached through t*1."""
    return (t * 1).grad_fn.next_functions[0][0]


# ------------------------------------------------------------------------------------ requires_grad / is_leaf


def test_requires_grad_defaults_false_and_leaf():
    t = rt.tensor([1.0, 2.0])
    assert t.requires_grad is False
    assert t.is_leaf is True
    assert t.grad is None
    assert t.grad_fn is None


def test_requires_grad_constructor_flag():
    t = rt.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad is True
    assert t.is_leaf is True
    assert t.grad_fn is None
    assert t.grad is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: rt.ones(2, 3, requires_grad=True),
        lambda: rt.zeros(2, requires_grad=True),
        lambda: rt.full((2,), 1.5, requires_grad=True),
        lambda: rt.arange(3.0, requires_grad=True),
        lambda: rt.rand(2, requires_grad=True),
        lambda: rt.randn(2, requires_grad=True),
        lambda: rt.linspace(0, 1, 3, requires_grad=True),
        lambda: rt.eye(2, requires_grad=True),
        lambda: rt.empty(2, requires_grad=True),
        lambda: rt.zeros_like(rt.ones(2), requires_grad=True),
        lambda: rt.ones_like(rt.ones(2), requires_grad=True),
    ],
)
def test_factories_make_leaves_that_require_grad(make):
    t = make()
    assert t.requires_grad and t.is_leaf and t.grad_fn is None


def test_requires_grad_setter_on_leaf():
    t = rt.tensor([1.0, 2.0])
    t.requires_grad = True
    assert t.requires_grad
    t.requires_grad = False
    assert not t.requires_grad
    assert t.is_leaf


def test_requires_grad_method_returns_self():
    t = rt.tensor([1.0, 2.0])
    r = t.requires_grad_()
    assert r is t
    assert t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad


def test_op_output_is_non_leaf_with_grad_fn():
    x = F(1.0, 2.0)
    y = x * 2
    assert y.requires_grad is True
    assert y.is_leaf is False
    assert y.grad_fn is not None


def test_op_on_tensors_without_grad_is_leaf():
    a = rt.tensor([1.0, 2.0])
    b = a * 2
    assert b.requires_grad is False
    assert b.is_leaf is True
    assert b.grad_fn is None


def test_requires_grad_propagates_from_any_input():
    a = rt.tensor([1.0, 2.0])
    b = F(3.0, 4.0)
    assert (a + b).requires_grad
    assert (b + a).requires_grad
    assert rt.cat([a, b]).requires_grad


def test_requires_grad_setter_on_non_leaf_raises():
    y = F(1.0) * 2
    with pytest.raises(RuntimeError, match=NON_LEAF_FLAG_MSG):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match=NON_LEAF_FLAG_MSG):
        y.requires_grad_(False)
    assert y.requires_grad


def test_requires_grad_setter_non_leaf_message_hint():
    y = F(1.0) * 2
    with pytest.raises(RuntimeError, match=re.escape("use var_no_grad = var.detach()")):
        y.requires_grad = False


@pytest.mark.parametrize("dtype", [rt.int64, rt.int32, rt.bool])
def test_integer_tensor_cannot_require_grad_setter(dtype):
    t = rt.tensor([1, 0], dtype=dtype)
    with pytest.raises(RuntimeError, match=FLOAT_ONLY_MSG):
        t.requires_grad = True
    assert t.requires_grad is False


@pytest.mark.parametrize("dtype", [rt.int64, rt.int32, rt.bool])
def test_integer_tensor_cannot_require_grad_method(dtype):
    t = rt.tensor([1, 0], dtype=dtype)
    with pytest.raises(RuntimeError, match=FLOAT_ONLY_MSG):
        t.requires_grad_()
    assert t.requires_grad is False


def test_integer_tensor_cannot_require_grad_constructor():
    with pytest.raises(RuntimeError, match=FLOAT_ONLY_MSG):
        rt.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match=FLOAT_ONLY_MSG):
        rt.arange(3, requires_grad=True)


def test_integer_tensor_requires_grad_false_is_fine():
    t = rt.tensor([1, 2])
    t.requires_grad = False
    t.requires_grad_(False)
    assert not t.requires_grad


def test_integer_results_never_require_grad():
    x = F(1.5, 2.5)
    assert (x > 2).requires_grad is False
    assert (x == x).requires_grad is False
    assert x.to(rt.int64).requires_grad is False
    assert x.long().requires_grad is False
    assert x.bool().requires_grad is False


# ------------------------------------------------------------------------------------ grad_fn names / next_functions


@pytest.mark.parametrize(
    "fn, name",
    [
        (lambda x: x + x, "AddBackward0"),
        (lambda x: x - x, "SubBackward0"),
        (lambda x: x * x, "MulBackward0"),
        (lambda x: x / x, "DivBackward0"),
        (lambda x: x**x, "PowBackward1"),
        (lambda x: x**2, "PowBackward0"),
        (lambda x: 2**x, "PowBackward2"),
        (lambda x: -x, "NegBackward0"),
        (lambda x: x.abs(), "AbsBackward0"),
        (lambda x: x.exp(), "ExpBackward0"),
        (lambda x: x.log(), "LogBackward0"),
        (lambda x: x.sqrt(), "SqrtBackward0"),
        (lambda x: x.sin(), "SinBackward0"),
        (lambda x: x.cos(), "CosBackward0"),
        (lambda x: x.tanh(), "TanhBackward0"),
        (lambda x: x.sigmoid(), "SigmoidBackward0"),
        (lambda x: x.relu(), "ReluBackward0"),
        (lambda x: x.clamp(0.0, 1.0), "ClampBackward1"),
        (lambda x: x.clamp(min=0.0), "ClampBackward1"),
        (lambda x: rt.maximum(x, x), "MaximumBackward0"),
        (lambda x: rt.minimum(x, x), "MinimumBackward0"),
        (lambda x: rt.where(x > 1, x, x), "WhereBackward0"),
        (lambda x: x.to(rt.float64), "ToCopyBackward0"),
        (lambda x: x.double(), "ToCopyBackward0"),
        (lambda x: x.clone(), "CloneBackward0"),
        (lambda x: x.sum(), "SumBackward0"),
        (lambda x: x.sum(0), "SumBackward1"),
        (lambda x: x.sum(dim=0, keepdim=True), "SumBackward1"),
        (lambda x: x.mean(), "MeanBackward0"),
        (lambda x: x.mean(0), "MeanBackward1"),
        (lambda x: rt.cat([x, x]), "CatBackward0"),
        (lambda x: rt.stack([x, x]), "StackBackward0"),
        (lambda x: x.reshape(3, 1), "ViewBackward0"),
        (lambda x: x.view(3, 1), "ViewBackward0"),
        (lambda x: x.unsqueeze(0), "UnsqueezeBackward0"),
        (lambda x: x[None], "UnsqueezeBackward0"),
        (lambda x: x.expand(2, 3), "ExpandBackward0"),
        (lambda x: x[0], "SelectBackward0"),
        (lambda x: x[..., 1], "SelectBackward0"),
        (lambda x: x[1:], "SliceBackward0"),
        (lambda x: x[::2], "SliceBackward0"),
        (lambda x: x[rt.tensor([0, 2])], "IndexBackward0"),
        (lambda x: x[x > 1], "IndexBackward0"),
    ],
)
def test_grad_fn_names_1d(fn, name):
    x = F(1.0, 2.0, 3.0)
    assert fn(x).grad_fn.name() == name


@pytest.mark.parametrize(
    "fn, name",
    [
        (lambda m: m.transpose(0, 1), "TransposeBackward0"),
        (lambda m: m.permute(1, 0), "PermuteBackward0"),
        (lambda m: m.T, "PermuteBackward0"),
        (lambda m: m.t(), "TBackward0"),
        (lambda m: m.squeeze(), "SqueezeBackward0"),
        (lambda m: m.squeeze(0), "SqueezeBackward1"),
        (lambda m: m.flatten(), "ViewBackward0"),
        (lambda m: m.t().reshape(6), "UnsafeViewBackward0"),
        (lambda m: m.mm(rt.ones(3, 2)), "MmBackward0"),
    ],
)
def test_grad_fn_names_2d(fn, name):
    m = rt.ones(1, 3, requires_grad=True) if "squeeze" in name.lower() else rt.ones(2, 3, requires_grad=True)
    assert fn(m).grad_fn.name() == name


def test_reshape_that_copies_goes_through_clone():
    m = rt.ones(2, 3, requires_grad=True)
    y = m.t().reshape(6)
    assert y.grad_fn.name() == "UnsafeViewBackward0"
    nxt = y.grad_fn.next_functions
    assert len(nxt) == 1
    assert nxt[0][0].name() == "CloneBackward0"
    assert nxt[0][0].next_functions[0][0].name() == "TBackward0"


def test_scalar_operand_names():
    x = F(1.0, 2.0)
    assert (x + 1).grad_fn.name() == "AddBackward0"
    assert (1 + x).grad_fn.name() == "AddBackward0"
    assert (x - 1).grad_fn.name() == "SubBackward0"
    assert (1 - x).grad_fn.name() == "RsubBackward1"
    assert (x * 2).grad_fn.name() == "MulBackward0"
    assert (2 * x).grad_fn.name() == "MulBackward0"
    assert (x / 2).grad_fn.name() == "DivBackward0"


def test_flatten_of_1d_is_identity():
    x = F(1.0, 2.0)
    assert x.flatten() is x


def test_double_index_is_two_selects():
    m = rt.ones(2, 3, requires_grad=True)
    y = m[0, 1]
    assert y.grad_fn.name() == "SelectBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "SelectBackward0"


def test_next_functions_leaf_is_accumulate_grad():
    x = F(1.0, 2.0)
    y = x * x
    nf = y.grad_fn.next_functions
    assert isinstance(nf, tuple)
    assert len(nf) == 2
    for node, idx in nf:
        assert idx == 0
        assert type(node).__name__ == "AccumulateGrad"
        assert node.name() == "torch::autograd::AccumulateGrad"
        assert node.variable is x
    assert nf[0][0] is nf[1][0]  # one AccumulateGrad per leaf


def test_next_functions_accumulate_grad_is_stable_per_leaf():
    x = F(1.0, 2.0)
    assert leaf_grad_node(x) is leaf_grad_node(x)


def test_next_functions_none_for_inputs_without_grad():
    x = F(1.0, 2.0)
    c = rt.tensor([3.0, 4.0])
    y = x * c
    (n0, i0), (n1, i1) = y.grad_fn.next_functions
    assert type(n0).__name__ == "AccumulateGrad"
    assert n1 is None and i1 == 0
    y = c * x
    (n0, i0), (n1, i1) = y.grad_fn.next_functions
    assert n0 is None
    assert type(n1).__name__ == "AccumulateGrad"


def test_next_functions_scalar_operand_slot_is_none():
    x = F(1.0, 2.0)
    nf = (x + 1).grad_fn.next_functions
    assert len(nf) == 2
    assert nf[1] == (None, 0)
    assert len((1 - x).grad_fn.next_functions) == 1
    assert len((x**2).grad_fn.next_functions) == 1


def test_next_functions_chain():
    x = F(1.0, 2.0)
    y = (x * 2).exp().sum()
    n = y.grad_fn
    assert n.name() == "SumBackward0"
    n = n.next_functions[0][0]
    assert n.name() == "ExpBackward0"
    n = n.next_functions[0][0]
    assert n.name() == "MulBackward0"
    assert type(n.next_functions[0][0]).__name__ == "AccumulateGrad"


def test_grad_fn_same_object_on_each_access():
    y = F(1.0) * 2
    assert y.grad_fn is y.grad_fn


def test_cat_next_functions_one_per_input():
    a, b, c = F(1.0), F(2.0), F(3.0)
    nf = rt.cat([a, b, c]).grad_fn.next_functions
    assert len(nf) == 3
    assert all(n.variable is v and i == 0 for (n, i), v in zip(nf, [a, b, c]))


def test_cat_of_only_empty_1d_tensors_is_recorded():
    # cat skips 1-D empty inputs; when every input is one, the (empty) result is still CatBackward0.
    a = rt.tensor([]).requires_grad_()
    b = a * 2
    y = rt.cat([a, b])
    assert y.requires_grad and y.grad_fn.name() == "CatBackward0"
    assert len(y.grad_fn.next_functions) == 2
    ga, gb = rt.autograd.grad(y.sum(), [a, b], retain_graph=True)
    assert ga.shape == (0,) and gb.shape == (0,) and ga.dtype == gb.dtype == rt.float32
    y.sum().backward()
    assert a.grad.shape == (0,) and a.grad.dtype == rt.float32
    # One input requiring grad is enough; the result takes the promoted dtype, each gradient its input's.
    c = rt.tensor([], dtype=rt.float64)
    y = rt.cat([a, c], dim=5)
    assert y.grad_fn.name() == "CatBackward0" and y.dtype == rt.float64
    (g,) = rt.autograd.grad(y.sum(), [a])
    assert g.shape == (0,) and g.dtype == rt.float32
    y = rt.cat([rt.tensor([], dtype=rt.int64), a])
    assert y.grad_fn.name() == "CatBackward0" and y.dtype == rt.float32
    with rt.no_grad():
        assert rt.cat([a, b]).grad_fn is None


def test_stack_of_empty_tensors_is_recorded():
    a = rt.tensor([]).requires_grad_()
    y = rt.stack([a, a * 2])
    assert y.shape == (2, 0) and y.grad_fn.name() == "StackBackward0"
    (g,) = rt.autograd.grad(y.sum(), [a])
    assert g.shape == (0,)
    y = rt.stack([a, a], dim=1)
    assert y.shape == (0, 2) and y.grad_fn.name() == "StackBackward0"
    y.sum().backward()
    assert a.grad.shape == (0,)


def test_leaf_detach_grad_fn_none():
    x = F(1.0)
    assert x.detach().grad_fn is None
    assert (x * 2).detach().grad_fn is None


# ------------------------------------------------------------------------------------ backward basics


def test_issue_example():
    x = rt.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    assert vals(x.grad) == [2.0, 2.0, 2.0]
    assert x.grad.dtype == rt.float32
    assert x.grad.requires_grad is False
    assert x.grad.is_leaf


def test_backward_returns_none():
    x = F(1.0)
    assert (x * 3).sum().backward() is None


def test_grad_is_a_tensor_of_leaf_shape():
    x = rt.ones(2, 3, requires_grad=True)
    (x * 3).sum().backward()
    assert x.grad.shape == (2, 3)
    assert vals(x.grad) == [[3.0] * 3] * 2


def test_backward_with_gradient_argument():
    x = F(1.0, 2.0, 3.0)
    y = x * x
    y.backward(rt.tensor([1.0, 0.5, 0.0]))
    assert vals(x.grad) == [2.0, 2.0, 0.0]


def test_backward_gradient_keyword():
    x = F(1.0, 2.0)
    (x * 3).backward(gradient=rt.tensor([1.0, 2.0]))
    assert vals(x.grad) == [3.0, 6.0]


def test_backward_scalar_with_explicit_gradient():
    x = F(1.0, 2.0)
    (x * x).sum().backward(rt.tensor(3.0))
    assert vals(x.grad) == [6.0, 12.0]


def test_backward_on_leaf_itself():
    x = F(1.0, 2.0)
    x.backward(rt.tensor([5.0, 6.0]))
    assert vals(x.grad) == [5.0, 6.0]
    s = rt.tensor(2.0, requires_grad=True)
    s.backward()
    assert s.grad.item() == 1.0


def test_gradients_accumulate_across_calls():
    x = F(1.0, 2.0)
    (x * x).sum().backward()
    (x * x).sum().backward()
    assert vals(x.grad) == [4.0, 8.0]
    (x * 10).sum().backward()
    assert vals(x.grad) == [14.0, 18.0]


def test_grad_none_clears_and_restarts():
    x = F(1.0, 2.0)
    (x * 3).sum().backward()
    x.grad = None
    assert x.grad is None
    (x * 2).sum().backward()
    assert vals(x.grad) == [2.0, 2.0]


def test_grad_assignable():
    x = F(1.0, 2.0)
    x.grad = rt.tensor([10.0, 20.0])
    assert vals(x.grad) == [10.0, 20.0]
    (x * 1).sum().backward()
    assert vals(x.grad) == [11.0, 21.0]


def test_grad_zero_in_place():
    x = F(1.0, 2.0)
    (x * 3).sum().backward()
    x.grad.zero_()
    (x * 2).sum().backward()
    assert vals(x.grad) == [2.0, 2.0]


def test_reused_input_sums_gradients():
    x = F(3.0)
    y = x * x * x + x  # 3x^2 + 1 = 28
    y.sum().backward()
    assert vals(x.grad) == [28.0]


def test_diamond_graph():
    x = F(2.0)
    a = x * 3
    b = x.exp()
    c = a * b  # d/dx (3x e^x) = 3 e^x (1 + x)
    c.sum().backward()
    import math

    assert x.grad.item() == pytest.approx(3 * math.exp(2.0) * 3, rel=1e-6)


def test_branch_without_grad():
    x = F(1.0, 2.0)
    c = rt.tensor([5.0, 7.0])
    ((x + c) * c).sum().backward()
    assert vals(x.grad) == [5.0, 7.0]
    assert c.grad is None


def test_multiple_leaves():
    a = F(2.0, 3.0)
    b = F(4.0, 5.0)
    (a * b).sum().backward()
    assert vals(a.grad) == [4.0, 5.0]
    assert vals(b.grad) == [2.0, 3.0]


def test_deep_chain_no_recursion_limit():
    x = F(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.sum().backward()
    assert vals(x.grad) == [1.0]


def test_leaf_without_grad_gets_no_grad():
    x = F(1.0)
    c = rt.tensor([2.0])
    (x * c).sum().backward()
    assert c.grad is None


def test_non_leaf_grad_is_none_with_warning():
    x = F(1.0)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match=re.escape("is not a leaf Tensor is being accessed")):
        g = y.grad
    assert g is None


# ------------------------------------------------------------------------------------ retain_grad


def test_retain_grad_on_intermediate():
    x = F(1.0, 2.0, 3.0)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward()
    assert vals(y.grad) == [4.0, 8.0, 12.0]
    assert vals(x.grad) == [8.0, 16.0, 24.0]


def test_retain_grad_accumulates():
    x = F(1.0)
    y = x * 2
    y.retain_grad()
    z = (y * 3).sum()
    z.backward(retain_graph=True)
    z.backward()
    assert vals(y.grad) == [6.0]
    assert vals(x.grad) == [12.0]


def test_retains_grad_flag():
    x = F(1.0)
    y = x * 2
    assert y.retains_grad is False
    y.retain_grad()
    assert y.retains_grad is True
    assert x.retains_grad is False
    x.retain_grad()  # no-op on a leaf
    assert x.is_leaf


def test_retain_grad_on_output_itself():
    x = F(1.0, 2.0)
    s = (x * x).sum()
    s.retain_grad()
    s.backward()
    assert s.grad.item() == 1.0


# ------------------------------------------------------------------------------------ retain_graph / freed graph


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: (x * x).sum(),
        lambda x: x.exp().sum(),
        lambda x: x.sigmoid().sum(),
        lambda x: (x * 2).sum(),
        lambda x: x.sum() * x.sum(),
    ],
)
def test_second_backward_raises(fn):
    x = F(1.0, 2.0)
    y = fn(x)
    y.backward()
    g = vals(x.grad)
    with pytest.raises(RuntimeError, match=FREED_MSG):
        y.backward()
    assert vals(x.grad) == g


def test_freed_message_hints_retain_graph():
    x = F(1.0)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=RETAIN_HINT):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = F(1.0, 2.0, 3.0)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert vals(x.grad) == [4.0, 8.0, 12.0]
    with pytest.raises(RuntimeError, match=FREED_MSG):
        y.backward()


def test_graph_without_saved_tensors_can_backward_twice():
    # torch raises only when a node needs a saved tensor that was freed: add and sum save none.
    x = F(1.0, 2.0)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    assert vals(x.grad) == [2.0, 2.0]


def test_shared_subgraph_freed_by_first_backward():
    x = F(1.0, 2.0)
    h = x * x
    a = h.sum()
    b = (h * 2).sum()
    a.backward()
    with pytest.raises(RuntimeError, match=FREED_MSG):
        b.backward()


def test_autograd_grad_frees_graph_too():
    x = F(1.0, 2.0)
    y = (x * x).sum()
    rt.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match=FREED_MSG):
        rt.autograd.grad(y, x)


# ------------------------------------------------------------------------------------ backward errors


def test_non_scalar_without_gradient_raises():
    x = F(1.0, 2.0)
    with pytest.raises(RuntimeError, match=SCALAR_MSG):
        (x * 2).backward()
    assert x.grad is None


def test_one_element_output_needs_no_gradient():
    # torch's test is numel() == 1, not dim() == 0
    x = F(1.0)
    (x * 2).backward()
    assert vals(x.grad) == [2.0]
    m = rt.ones(1, 1, requires_grad=True)
    (m * 3).backward()
    assert vals(m.grad) == [[3.0]]


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match=NO_GRAD_MSG):
        rt.tensor([1.0, 2.0]).sum().backward()
    with pytest.raises(RuntimeError, match=NO_GRAD_MSG):
        rt.tensor(1.0).backward()
    with pytest.raises(RuntimeError, match=NO_GRAD_MSG):
        rt.tensor([1.0, 2.0]).backward()


def test_backward_on_no_grad_output_raises():
    x = F(1.0, 2.0)
    with rt.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match=NO_GRAD_MSG):
        y.backward()
    assert x.grad is None


def test_backward_on_detached_raises():
    x = F(1.0, 2.0)
    with pytest.raises(RuntimeError, match=NO_GRAD_MSG):
        (x * 2).sum().detach().backward()


@pytest.mark.parametrize(
    "out_shape, grad_shape",
    [((3,), (2,)), ((3,), (1, 3)), ((), (3,)), ((), (1,)), ((2, 3), (3, 2)), ((2, 3), (3,))],
)
def test_wrong_gradient_shape_raises(out_shape, grad_shape):
    x = rt.ones(out_shape, requires_grad=True)
    x.grad = rt.full(out_shape, 7.0)
    y = x * 2
    sz = lambda s: f"{PREFIX}.Size({list(s)})"  # noqa: E731
    msg = re.escape(
        f"Mismatch in shape: grad_output[0] has a shape of {sz(grad_shape)} and output[0] has a shape of "
        f"{sz(out_shape)}."
    )
    with pytest.raises(RuntimeError, match=msg):
        y.backward(rt.ones(grad_shape))
    assert vals(x.grad) == vals(rt.full(out_shape, 7.0))


def test_gradient_of_other_float_dtype_is_cast():
    # torch accepts a gradient of another dtype and casts it to the output's dtype.
    x = F(1.0, 2.0)
    (x * 2).backward(rt.ones(2, dtype=rt.float64))
    assert x.grad.dtype == rt.float32
    assert vals(x.grad) == [2.0, 2.0]


def test_float64_graph_gradient_float32_is_cast():
    x = F(1.0, 2.0, dtype=rt.float64)
    (x * 2).backward(rt.tensor([1.0, 0.5]))
    assert x.grad.dtype == rt.float64
    assert vals(x.grad) == [2.0, 1.0]


def test_gradient_not_a_tensor_raises_type_error():
    x = F(1.0, 2.0)
    with pytest.raises(TypeError):
        (x * 2).backward("not a tensor")
    assert x.grad is None


# ------------------------------------------------------------------------------------ grad assignment errors


def test_grad_assign_wrong_shape_raises():
    x = F(1.0, 2.0, 3.0)
    msg = re.escape("attempting to assign a gradient of size '[2]' to a tensor of size '[3]'.")
    with pytest.raises(RuntimeError, match=msg):
        x.grad = rt.ones(2)
    assert x.grad is None
    x.grad = rt.ones(3)
    with pytest.raises(RuntimeError, match=re.escape("Please ensure that the gradient and the tensor are the same size")):
        x.grad = rt.ones(1, 3)
    assert vals(x.grad) == [1.0, 1.0, 1.0]


def test_grad_assign_2d_shape_message():
    x = rt.ones(2, 3, requires_grad=True)
    msg = re.escape("attempting to assign a gradient of size '[3, 2]' to a tensor of size '[2, 3]'.")
    with pytest.raises(RuntimeError, match=msg):
        x.grad = rt.ones(3, 2)


@pytest.mark.parametrize("gdtype, cname", [(rt.float64, "double"), (rt.int64, "long int")])
def test_grad_assign_wrong_dtype_raises(gdtype, cname):
    x = F(1.0, 2.0)
    msg = re.escape(f"attempting to assign a gradient with dtype '{cname}' to a tensor with grad_dtype 'Float'.")
    with pytest.raises(RuntimeError, match=msg):
        x.grad = rt.ones(2, dtype=gdtype)
    assert x.grad is None


def test_grad_assign_not_tensor_raises_type_error():
    x = F(1.0, 2.0)
    msg = re.escape("assigned grad expected to be a Tensor or None but got grad of type list")
    with pytest.raises(TypeError, match=msg):
        x.grad = [1.0, 2.0]
    assert x.grad is None


# ------------------------------------------------------------------------------------ rt.autograd.backward / grad


def test_autograd_backward_function():
    x = F(1.0, 2.0)
    rt.autograd.backward((x * x).sum())
    assert vals(x.grad) == [2.0, 4.0]


def test_autograd_backward_multiple_tensors():
    x = F(1.0, 2.0)
    a = (x * x).sum()
    b = x * 3
    rt.autograd.backward([a, b], [None, rt.tensor([1.0, 10.0])])
    assert vals(x.grad) == [5.0, 34.0]


def test_autograd_backward_grad_tensors_keyword():
    x = F(1.0, 2.0)
    rt.autograd.backward([x * 2], grad_tensors=[rt.tensor([1.0, 3.0])])
    assert vals(x.grad) == [2.0, 6.0]


def test_autograd_backward_retain_graph():
    x = F(2.0)
    y = (x * x).sum()
    rt.autograd.backward(y, retain_graph=True)
    rt.autograd.backward(y)
    assert vals(x.grad) == [8.0]


def test_autograd_backward_non_scalar_raises():
    x = F(1.0, 2.0)
    with pytest.raises(RuntimeError, match=SCALAR_MSG):
        rt.autograd.backward(x * 2)


def test_autograd_grad_basic_does_not_touch_grad():
    x = F(1.0, 2.0, 3.0)
    (g,) = rt.autograd.grad((x * x).sum(), x)
    assert vals(g) == [2.0, 4.0, 6.0]
    assert g.requires_grad is False
    assert x.grad is None


def test_autograd_grad_of_a_leaf_with_respect_to_itself():
    # found by tests/test_gradcheck_random.py (x.flatten() of a 1-D leaf is the leaf): the leaf's accumulator,
    # made for the target and dropped before the outputs were seeded, came back under another key -> None
    x = F(1.0, 2.0, 3.0)
    (g,) = rt.autograd.grad([x], [x], grad_outputs=[F(4.0, 5.0, 6.0, requires_grad=False)])
    assert vals(g) == [4.0, 5.0, 6.0]
    (g,) = rt.autograd.grad([x.flatten()], [x], grad_outputs=[F(1.0, 1.0, 1.0, requires_grad=False)])
    assert vals(g) == [1.0, 1.0, 1.0]
    (g,) = rt.autograd.grad([x.sum()], [x])
    assert vals(g) == [1.0, 1.0, 1.0]
    assert x.grad is None


def test_autograd_grad_returns_tuple():
    x = F(1.0)
    r = rt.autograd.grad((x * 2).sum(), [x])
    assert isinstance(r, tuple) and len(r) == 1


def test_autograd_grad_multiple_inputs():
    a = F(2.0, 3.0)
    b = F(5.0, 7.0)
    ga, gb = rt.autograd.grad((a * b).sum(), [a, b])
    assert vals(ga) == [5.0, 7.0]
    assert vals(gb) == [2.0, 3.0]
    assert a.grad is None and b.grad is None


def test_autograd_grad_wrt_intermediate():
    x = F(1.0, 2.0)
    h = x * 3
    y = (h * h).sum()
    (gh,) = rt.autograd.grad(y, h)
    assert vals(gh) == [6.0, 12.0]
    assert x.grad is None


def test_autograd_grad_outputs():
    x = F(1.0, 2.0)
    (g,) = rt.autograd.grad(x * x, x, grad_outputs=rt.tensor([1.0, -1.0]))
    assert vals(g) == [2.0, -4.0]
    (g,) = rt.autograd.grad([x * x], [x], grad_outputs=[rt.tensor([0.5, 0.5])])
    assert vals(g) == [1.0, 2.0]


def test_autograd_grad_multiple_outputs_sum():
    x = F(1.0, 2.0)
    (g,) = rt.autograd.grad([(x * x).sum(), (x * 3).sum()], [x])
    assert vals(g) == [5.0, 7.0]


def test_autograd_grad_non_scalar_without_grad_outputs_raises():
    x = F(1.0, 2.0)
    with pytest.raises(RuntimeError, match=SCALAR_MSG):
        rt.autograd.grad(x * 2, x)


def test_autograd_grad_output_without_grad_raises():
    x = F(1.0, 2.0)
    with pytest.raises(RuntimeError, match=NO_GRAD_MSG):
        rt.autograd.grad(rt.tensor(1.0), x)


def test_autograd_grad_retain_graph():
    x = F(1.0, 2.0)
    y = (x * x).sum()
    (g1,) = rt.autograd.grad(y, x, retain_graph=True)
    (g2,) = rt.autograd.grad(y, x)
    assert vals(g1) == vals(g2) == [2.0, 4.0]
    assert x.grad is None


def test_autograd_grad_unused_input_raises():
    x = F(1.0, 2.0)
    w = F(1.0)
    with pytest.raises(RuntimeError, match=unused_msg(1)):
        rt.autograd.grad((x * 2).sum(), [x, w])
    assert x.grad is None and w.grad is None


def test_autograd_grad_unused_message_hint():
    x = F(1.0, 2.0)
    w = F(1.0)
    with pytest.raises(RuntimeError, match=re.escape("Set allow_unused=True if this is the desired behavior.")):
        rt.autograd.grad((x * 2).sum(), [x, w])


def test_autograd_grad_allow_unused():
    x = F(1.0, 2.0)
    w = F(1.0)
    gx, gw = rt.autograd.grad((x * 2).sum(), [x, w], allow_unused=True)
    assert vals(gx) == [2.0, 2.0]
    assert gw is None


def test_autograd_grad_unused_when_path_cut_by_detach():
    x = F(1.0, 2.0)
    y = (x.detach() * 2).sum() + (rt.ones(1, requires_grad=True) * 1).sum()
    with pytest.raises(RuntimeError, match=unused_msg(0)):
        rt.autograd.grad(y, [x])


# ------------------------------------------------------------------------------------ grad modes


def test_is_grad_enabled_default():
    assert rt.is_grad_enabled() is True


def test_no_grad_context():
    x = F(1.0, 2.0)
    with rt.no_grad():
        assert rt.is_grad_enabled() is False
        y = x * 2
    assert rt.is_grad_enabled() is True
    assert y.requires_grad is False
    assert y.grad_fn is None
    assert y.is_leaf is True
    assert vals(y) == [2.0, 4.0]


def test_no_grad_views_have_no_grad_fn():
    # (torch marks such views requires_grad=True with no grad_fn; only the absence of a node is specified)
    x = F(1.0, 2.0)
    with rt.no_grad():
        v = x[0:1]
        r = x.reshape(2, 1)
    assert v.grad_fn is None and r.grad_fn is None
    assert vals(v) == [1.0] and vals(r) == [[1.0], [2.0]]


def test_enable_grad_inside_no_grad():
    x = F(1.0)
    with rt.no_grad():
        with rt.enable_grad():
            assert rt.is_grad_enabled()
            y = x * 2
        assert not rt.is_grad_enabled()
    assert y.requires_grad and y.grad_fn.name() == "MulBackward0"


def test_no_grad_restores_on_exception():
    with pytest.raises(ValueError):
        with rt.no_grad():
            raise ValueError("boom")
    assert rt.is_grad_enabled()


def test_nested_no_grad_restores_outer():
    with rt.no_grad():
        with rt.no_grad():
            pass
        assert not rt.is_grad_enabled()
    assert rt.is_grad_enabled()


def test_no_grad_decorator_with_parens():
    @rt.no_grad()
    def f(t):
        return t * 2, rt.is_grad_enabled()

    y, enabled = f(F(1.0))
    assert enabled is False and y.requires_grad is False
    assert rt.is_grad_enabled()


def test_no_grad_decorator_without_parens():
    @rt.no_grad
    def f(t):
        return t * 2, rt.is_grad_enabled()

    y, enabled = f(F(1.0))
    assert enabled is False and y.requires_grad is False


def test_no_grad_decorator_keeps_name():
    @rt.no_grad()
    def my_function():
        """doc"""

    assert my_function.__name__ == "my_function"


def test_enable_grad_decorator():
    @rt.enable_grad()
    def f(t):
        return t * 2

    with rt.no_grad():
        y = f(F(1.0))
    assert y.requires_grad


def test_set_grad_enabled_function():
    x = F(1.0)
    try:
        rt.set_grad_enabled(False)
        assert rt.is_grad_enabled() is False
        assert (x * 2).requires_grad is False
    finally:
        rt.set_grad_enabled(True)
    assert rt.is_grad_enabled() is True
    assert (x * 2).requires_grad is True


def test_set_grad_enabled_context():
    x = F(1.0)
    with rt.set_grad_enabled(False):
        assert not rt.is_grad_enabled()
        y = x * 2
    assert rt.is_grad_enabled()
    assert not y.requires_grad
    with rt.no_grad():
        with rt.set_grad_enabled(True):
            assert rt.is_grad_enabled()
        assert not rt.is_grad_enabled()


def test_set_grad_enabled_decorator():
    @rt.set_grad_enabled(False)
    def f():
        return rt.is_grad_enabled()

    assert f() is False
    assert rt.is_grad_enabled()


def test_grad_mode_is_per_thread_main_off():
    x = F(1.0)
    res = {}

    def worker():
        res["enabled"] = rt.is_grad_enabled()
        res["requires"] = (x * 2).requires_grad

    with rt.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not rt.is_grad_enabled()
    assert res == {"enabled": True, "requires": True}


def test_grad_mode_is_per_thread_worker_off():
    x = F(1.0)
    inside = threading.Event()
    release = threading.Event()
    res = {}

    def worker():
        try:
            with rt.no_grad():
                res["worker"] = rt.is_grad_enabled()
                inside.set()
                release.wait(5)
        finally:
            inside.set()

    t = threading.Thread(target=worker)
    t.start()
    assert inside.wait(5)
    res["main"] = rt.is_grad_enabled()
    res["main_requires"] = (x * 2).requires_grad
    release.set()
    t.join()
    assert res == {"worker": False, "main": True, "main_requires": True}


def test_backward_in_thread():
    x = F(1.0, 2.0)
    err = []

    def worker():
        try:
            (x * x).sum().backward()
        except Exception as e:  # pragma: no cover
            err.append(e)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert not err
    assert vals(x.grad) == [2.0, 4.0]


def test_in_place_on_leaf_allowed_under_no_grad():
    w = F(1.0, 2.0)
    v0 = w._version
    with rt.no_grad():
        w.add_(1)
        w[0] = 7.0
        w -= 1.0
    assert vals(w) == [6.0, 2.0]
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    assert w._version == v0 + 3


def test_sgd_step_pattern():
    w = F(1.0, 2.0)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with rt.no_grad():
            w -= 0.25 * w.grad
        w.grad = None
    # each step multiplies w by (1 - 0.5)
    assert vals(w) == [0.125, 0.25]


def test_backward_works_under_no_grad_for_existing_graph():
    x = F(1.0, 2.0)
    y = (x * x).sum()
    with rt.no_grad():
        y.backward()
    assert vals(x.grad) == [2.0, 4.0]


# ------------------------------------------------------------------------------------ detach / detach_ / clone


def test_detach_shares_storage_and_version():
    a = F(1.0, 2.0)
    d = a.detach()
    assert d.requires_grad is False
    assert d.is_leaf is True
    assert d.grad_fn is None
    assert d.data_ptr() == a.data_ptr()
    v = a._version
    d.add_(1)
    assert vals(a) == [2.0, 3.0]
    assert a._version == v + 1 == d._version


def test_detach_of_non_leaf():
    x = F(1.0, 2.0)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert d.data_ptr() == y.data_ptr()
    assert y.grad_fn is not None


def test_detach_can_require_grad_independently():
    x = F(1.0, 2.0)
    d = (x * 3).detach().requires_grad_()
    (d * d).sum().backward()
    assert vals(d.grad) == [6.0, 12.0]
    assert x.grad is None


def test_detach_in_place_on_non_leaf():
    x = F(1.0, 2.0)
    y = x * 2
    r = y.detach_()
    assert r is y
    assert y.requires_grad is False
    assert y.is_leaf is True
    assert y.grad_fn is None


def test_detach_in_place_on_leaf():
    x = F(1.0, 2.0)
    x.detach_()
    assert x.requires_grad is False and x.is_leaf


def test_detach_in_place_on_view_raises():
    x = F(1.0, 2.0, 3.0)
    v = x[0:2]
    with pytest.raises(RuntimeError, match=re.escape("Can't detach views in-place. Use detach() instead.")):
        v.detach_()


def test_clone_new_storage_and_grad_path():
    a = F(1.0, 2.0)
    c = a.clone()
    assert c.data_ptr() != a.data_ptr()
    assert c.requires_grad and not c.is_leaf
    assert c.grad_fn.name() == "CloneBackward0"
    assert type(c.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"
    (c * 3).sum().backward()
    assert vals(a.grad) == [3.0, 3.0]


def test_clone_independent_memory():
    a = F(1.0, 2.0)
    c = a.clone()
    v = a._version
    c.add_(10)  # c is not a leaf: allowed, recorded
    assert vals(a) == [1.0, 2.0]
    assert a._version == v
    c.sum().backward()
    assert vals(a.grad) == [1.0, 1.0]


def test_clone_of_no_grad_tensor():
    c = rt.tensor([1.0]).clone()
    assert not c.requires_grad and c.grad_fn is None


def test_seed_detach_treats_as_constant():
    x = rt.arange(4.0, requires_grad=True)
    y = x * x
    z = y.detach()
    (y * z).sum().backward()
    # d/dx sum(x^2 * const) with const = x^2: 2x * x^2
    assert vals(x.grad) == [0.0, 2.0, 16.0, 54.0]


def test_seed_clone_keeps_path():
    x = rt.arange(4.0, requires_grad=True)
    y = x * x
    z = y.clone()
    (y * z).sum().backward()
    # d/dx x^4 = 4x^3
    assert vals(x.grad) == [0.0, 4.0, 32.0, 108.0]


def test_seed_detached_alias_modified_raises():
    a = F(1.0, 2.0)
    out = a.sigmoid()
    c = out.detach()
    c.zero_()
    with pytest.raises(RuntimeError, match=version_msg(1, 0)):
        out.sum().backward()
    assert a.grad is None


def test_seed_detached_alias_modified_message_names_op():
    a = F(1.0, 2.0)
    out = a.sigmoid()
    out.detach().zero_()
    with pytest.raises(RuntimeError, match=re.escape("which is output 0 of Sigmoid, is at version 1")):
        out.sum().backward()


def test_seed_tour_story():
    # b = a.detach(): same memory; c = a.clone(): new memory, same way back.
    a = rt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a.detach()
    c = a.clone()
    with rt.no_grad():
        a[0] = 5.0
    assert vals(b) == [5.0, 2.0, 3.0]
    assert vals(c) == [1.0, 2.0, 3.0]
    (c * b).sum().backward()
    assert vals(a.grad) == [5.0, 2.0, 3.0]
    assert b.grad is None


# ------------------------------------------------------------------------------------ in-place ops in graphs


@pytest.mark.parametrize(
    "op",
    [
        lambda t: t.add_(1),
        lambda t: t.sub_(1),
        lambda t: t.mul_(2),
        lambda t: t.div_(2),
        lambda t: t.zero_(),
        lambda t: t.fill_(1.0),
        lambda t: t.copy_(rt.ones(2)),
        lambda t: t.clamp_(0.0, 1.0),
        lambda t: t.exp_(),
        lambda t: t.sigmoid_(),
        lambda t: t.__iadd__(1.0),
        lambda t: t.__imul__(2.0),
    ],
)
def test_in_place_on_leaf_requiring_grad_raises(op):
    x = F(1.0, 2.0)
    v = x._version
    with pytest.raises(RuntimeError, match=LEAF_INPLACE_MSG):
        op(x)
    assert vals(x) == [1.0, 2.0]
    assert x._version == v


def test_setitem_on_leaf_requiring_grad_raises():
    x = F(1.0, 2.0)
    with pytest.raises(RuntimeError, match=VIEW_LEAF_INPLACE_MSG):
        x[0] = 5.0
    assert vals(x) == [1.0, 2.0]


def test_in_place_on_view_of_leaf_raises():
    x = F(1.0, 2.0, 3.0)
    with pytest.raises(RuntimeError, match=VIEW_LEAF_INPLACE_MSG):
        x[1:].add_(1)
    assert vals(x) == [1.0, 2.0, 3.0]


def test_in_place_on_leaf_without_grad_ok():
    x = rt.tensor([1.0, 2.0])
    x.add_(1)
    assert vals(x) == [2.0, 3.0]


def test_issue_in_place_example():
    x = F(1.0, 2.0, 3.0)
    y = x * 2
    y.add_(1)
    assert y.grad_fn.name() == "AddBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"
    y.sum().backward()
    assert vals(x.grad) == [2.0, 2.0, 2.0]
    assert vals(y) == [3.0, 5.0, 7.0]


def test_in_place_mul_recorded():
    x = F(1.0, 2.0)
    y = x * 2
    y.mul_(3)
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert vals(x.grad) == [6.0, 6.0]


def test_in_place_operators_recorded():
    x = F(1.0, 2.0)
    y = x * 1
    y += x  # 2x
    y *= x  # 2x^2
    y -= 1.0
    y /= 2.0  # x^2 - 0.5
    y.sum().backward()
    assert vals(x.grad) == [2.0, 4.0]


def test_in_place_zero_cuts_gradient():
    x = F(1.0, 2.0)
    y = x * 2
    y.zero_()
    assert y.grad_fn.name() == "ZeroBackward0"
    y.sum().backward()
    assert vals(x.grad) == [0.0, 0.0]


def test_in_place_fill_cuts_gradient():
    x = F(1.0, 2.0)
    y = x * 2
    y.fill_(3.0)
    y.sum().backward()
    assert vals(x.grad) == [0.0, 0.0]


def test_in_place_copy_routes_gradient_to_source():
    x = F(1.0, 2.0)
    s = F(5.0, 6.0)
    y = x * 2
    y.copy_(s * 3)
    (y * y).sum().backward()
    assert vals(x.grad) == [0.0, 0.0]
    assert vals(s.grad) == [90.0, 108.0]


def test_in_place_on_non_grad_tensor_with_grad_value():
    # an in-place op that writes a value requiring grad into a tensor that did not: it joins the graph
    x = F(1.0, 2.0)
    y = rt.zeros(2)
    y.add_(x * 3)
    assert y.requires_grad and not y.is_leaf
    y.sum().backward()
    assert vals(x.grad) == [3.0, 3.0]


def test_in_place_unary_recorded():
    x = F(0.0, 1.0)
    y = x * 1
    y.exp_()
    y.sum().backward()
    import math

    assert x.grad.tolist() == pytest.approx([1.0, math.e], rel=1e-6)


def test_in_place_on_view_of_non_leaf_updates_base_gradient():
    x = F(1.0, 2.0, 3.0)
    y = x * 1
    y[1:].mul_(10)
    y.sum().backward()
    assert vals(x.grad) == [1.0, 10.0, 10.0]


def test_in_place_on_view_of_non_leaf_base_grad_fn_changes():
    x = F(1.0, 2.0, 3.0)
    y = x * 1
    before = y.grad_fn
    y[1:].mul_(10)
    assert y.grad_fn is not before


def test_in_place_clamp_recorded():
    x = F(-1.0, 0.5, 2.0)
    y = x * 1
    y.clamp_(0.0, 1.0)
    y.sum().backward()
    assert vals(x.grad) == [0.0, 1.0, 0.0]


def test_in_place_bumps_version():
    x = F(1.0, 2.0)
    y = x * 2
    assert y._version == 0
    y.add_(1)
    assert y._version == 1
    y[0] = 3.0
    assert y._version == 2


# ------------------------------------------------------------------------------------ version counter errors


def test_modified_saved_input_raises():
    x = F(1.0, 2.0)
    y = x * 2
    z = y * y  # saves y
    y.add_(1)
    with pytest.raises(RuntimeError, match=version_msg(1, 0)):
        z.sum().backward()
    assert x.grad is None


def test_modified_saved_input_message_names_output_of():
    x = F(1.0, 2.0)
    y = x + 0.0
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match=re.escape("which is output 0 of AddBackward0") + "|" + re.escape("which is output 0 of Add,")):
        z.sum().backward()


def test_modified_saved_output_raises():
    x = F(1.0, 2.0)
    z = (x * 2).exp()  # exp saves its result
    z.add_(1)
    with pytest.raises(RuntimeError, match=version_msg(1, 0)):
        z.sum().backward()


def test_modified_through_view_raises():
    x = rt.ones(2, 2, requires_grad=True)
    y = x * 2
    z = y * y
    y[0].add_(1)
    with pytest.raises(RuntimeError, match=version_msg(1, 0)):
        z.sum().backward()


def test_modified_twice_reports_version_2():
    x = F(1.0, 2.0)
    out = x.tanh()
    d = out.detach()
    d.mul_(2)
    d.add_(1)
    with pytest.raises(RuntimeError, match=version_msg(2, 0)):
        out.sum().backward()


def test_modified_leaf_under_no_grad_raises():
    w = F(1.0, 2.0)
    y = (w * w).sum()  # saves w at version 0
    with rt.no_grad():
        w.mul_(2)
    with pytest.raises(RuntimeError, match=version_msg(1, 0)):
        y.backward()


def test_saved_after_modification_records_new_version():
    x = F(1.0, 2.0)
    y = x * 2
    y.add_(1)  # version 1
    z = y * y  # saves y at version 1
    z.sum().backward()
    assert vals(x.grad) == [12.0, 20.0]


def test_modification_of_unsaved_tensor_is_fine():
    x = F(1.0, 2.0)
    y = x * 2
    z = y + 1  # add saves nothing
    y.detach().zero_()
    z.sum().backward()
    assert vals(x.grad) == [2.0, 2.0]


def test_version_error_leaves_grad_unchanged():
    x = F(1.0, 2.0)
    x.grad = rt.tensor([5.0, 5.0])
    out = x.sigmoid()
    out.detach().zero_()
    with pytest.raises(RuntimeError, match=version_msg(1, 0)):
        out.sum().backward()
    assert vals(x.grad) == [5.0, 5.0]


def test_version_error_hint_text():
    a = F(1.0)
    out = a.sigmoid()
    out.detach().zero_()
    with pytest.raises(RuntimeError, match=re.escape("Hint: enable anomaly detection")):
        out.sum().backward()


# ------------------------------------------------------------------------------------ floor_divide is not differentiable


def test_floor_divide_backward_not_implemented():
    x = F(3.0, -1.5)
    with pytest.raises(RuntimeError, match=re.escape("derivative for aten::floor_divide is not implemented")):
        (x // 2).sum().backward()


# ------------------------------------------------------------------------------------ repr


def test_repr_requires_grad():
    assert repr(rt.tensor([1.0, 2.0, 3.0], requires_grad=True)) == "tensor([1., 2., 3.], requires_grad=True)"
    assert repr(rt.tensor(3.0, requires_grad=True)) == "tensor(3., requires_grad=True)"


def test_repr_grad_fn():
    x = rt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4., 6.], grad_fn=<MulBackward0>)"
    assert repr((x * 2).sum()) == "tensor(12., grad_fn=<SumBackward0>)"
    assert str((x * 2).sum()) == "tensor(12., grad_fn=<SumBackward0>)"


def test_repr_grad_fn_with_dtype():
    x = rt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert repr(x.double() * 2) == f"tensor([2., 4., 6.], dtype={PREFIX}.float64, grad_fn=<MulBackward0>)"
    x64 = rt.tensor([1.0], dtype=rt.float64, requires_grad=True)
    assert repr(x64) == f"tensor([1.], dtype={PREFIX}.float64, requires_grad=True)"


def test_repr_detached_and_no_grad():
    x = rt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert repr(x.detach()) == "tensor([1., 2., 3.])"
    with rt.no_grad():
        assert repr(x * 2) == "tensor([2., 4., 6.])"


def test_repr_multiline_grad_fn():
    x = rt.ones(2, 2, requires_grad=True)
    assert repr(x * 2) == "tensor([[2., 2.],\n        [2., 2.]], grad_fn=<MulBackward0>)"


def test_repr_grad_fn_node():
    x = rt.tensor([1.0], requires_grad=True)
    r = repr((x * 2).grad_fn)
    assert r.startswith("<MulBackward0 object at 0x")


# ------------------------------------------------------------------------------------ memory


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _tiny_steps(n):
    for _ in range(n):
        a = rt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        (a * a).sum().backward()
        h = (a.exp() * a.detach()).clone()[0].sum()
        rt.autograd.grad(h, a)


def _leak_check(n, margin_bytes):
    _tiny_steps(2000)  # warm up allocators and caches
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()  # reference cycles would then show up as growth
    try:
        before = _rss_bytes()
        _tiny_steps(n)
        after = _rss_bytes()
    finally:
        if enabled:
            gc.enable()
    assert after - before < margin_bytes, f"resident memory grew by {(after - before) / 1e6:.2f} MB over {n} steps"


def test_no_leak_fast():
    _leak_check(5_000, 1_500_000)


@pytest.mark.slow
def test_no_leak_100k_steps():
    _leak_check(100_000, 4_000_000)


def test_graph_freed_when_output_dropped():
    # A graph that is never backwarded must not keep its tensors alive once the output is gone.
    x = F(1.0)
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        before = _rss_bytes()
        for _ in range(100):
            big = rt.ones(128, 128, requires_grad=True)
            y = (big * big).exp().sum()  # saves 64 KB tensors: a leak would be > 12 MB
            del y, big
        after = _rss_bytes()
    finally:
        if enabled:
            gc.enable()
    assert x.grad is None
    assert after - before < 4_000_000, f"grew by {(after - before) / 1e6:.2f} MB"


def test_backward_does_not_warn():
    x = F(1.0, 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x * x).sum().backward()
        rt.autograd.grad((x * x).sum(), x)
