# Tensor.register_hook (leaves and intermediates, order, replacement, removal), inference_mode, and
# autograd.grad's allow_unused / materialize_grads, against torch's behaviour.
import pytest

import rtensor as rt


def leaf(*values):
    return rt.tensor(list(values), dtype=rt.float64, requires_grad=True)


# ------------------------------------------------------------------------------ register_hook

def test_leaf_hook_sees_and_replaces_gradient():
    x = leaf(1.0, 2.0, 3.0)
    seen = []

    def hook(g):
        seen.append(g.tolist())
        return g * 10

    h = x.register_hook(hook)
    (x * x).sum().backward()
    assert seen == [[2.0, 4.0, 6.0]]
    assert x.grad.tolist() == [20.0, 40.0, 60.0]
    h.remove()
    x.grad = None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    assert len(seen) == 1


def test_intermediate_hook_changes_what_flows_on():
    x = leaf(1.0, 2.0)
    y = x * 3
    y.register_hook(lambda g: g * 2)
    (y * y).sum().backward()
    # dL/dy = 2y = [6, 12], doubled by the hook, times dy/dx = 3
    assert x.grad.tolist() == [36.0, 72.0]


def test_hooks_run_in_registration_order_and_chain():
    x = leaf(1.0)
    order = []
    x.register_hook(lambda g: order.append("a") or g + 1)
    x.register_hook(lambda g: order.append(("b", g.item())))
    x.sum().backward()
    assert order == ["a", ("b", 2.0)]
    assert x.grad.item() == 2.0


def test_hook_returning_none_keeps_gradient():
    x = leaf(1.0, 2.0)
    x.register_hook(lambda g: None)
    (x * 5).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


def test_hook_with_autograd_grad():
    x = leaf(1.0, 2.0)
    y = x * 2
    y.register_hook(lambda g: g * 0)
    (g,) = rt.autograd.grad(y.sum() + x.sum(), x)
    assert g.tolist() == [1.0, 1.0]


def test_retain_grad_sees_hooked_gradient():
    x = leaf(1.0, 2.0)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 3)
    y.sum().backward()
    assert y.grad.tolist() == [3.0, 3.0]


def test_hook_errors():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        rt.ones(2).register_hook(lambda g: g)
    x = leaf(1.0, 2.0)

    def hook(g):
        return rt.ones(3, dtype=rt.float64)

    x.register_hook(hook)
    with pytest.raises(RuntimeError, match="hook 'hook' has changed the size of value"):
        (x * 2).sum().backward()


def test_hook_exception_propagates_as_is():
    x = leaf(1.0)

    def hook(g):
        raise KeyError("boom")

    x.register_hook(hook)
    with pytest.raises(KeyError, match="boom"):
        x.sum().backward()


def test_handle_remove_twice_and_context():
    x = leaf(1.0)
    calls = []
    with x.register_hook(lambda g: calls.append(1)):
        x.sum().backward()
    x.sum().backward()
    assert calls == [1]
    h = x.register_hook(lambda g: calls.append(2))
    h.remove()
    h.remove()
    x.sum().backward()
    assert calls == [1]


# ------------------------------------------------------------------------------ inference mode

def test_inference_mode_tensors():
    x = leaf(1.0, 2.0)
    with rt.inference_mode():
        assert rt.is_inference_mode_enabled()
        assert not rt.is_grad_enabled()
        a = rt.ones(2, dtype=rt.float64)
        b = x * 2
    assert not rt.is_inference_mode_enabled()
    assert rt.is_grad_enabled()
    assert a.is_inference() and b.is_inference()
    assert not b.requires_grad
    assert not x.is_inference()
    assert (x + a).requires_grad


def test_inference_mode_errors():
    with rt.inference_mode():
        a = rt.ones(2)
    with pytest.raises(RuntimeError, match="Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."):
        a.requires_grad_()
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside InferenceMode is not allowed"):
        a.add_(1)
    w = rt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        (w * a).sum().backward()
    with rt.inference_mode():
        a.add_(1)
    assert a.tolist() == [2.0, 2.0]


def test_inference_mode_decorator_and_false():
    @rt.inference_mode()
    def f():
        return rt.is_inference_mode_enabled()

    @rt.inference_mode
    def g():
        return rt.is_inference_mode_enabled()

    assert f() and g()
    with rt.inference_mode():
        with rt.inference_mode(False):
            assert not rt.is_inference_mode_enabled()
            assert rt.is_grad_enabled()
        assert rt.is_inference_mode_enabled()


def test_inference_mode_matches_torch():
    torch = pytest.importorskip("torch")
    for m in (torch, rt):
        with m.inference_mode():
            a = m.ones(3)
            v = m.ones(3)
        n = m.ones(3)
        with m.inference_mode():
            view = n[:2]
        assert (a.is_inference(), v.is_inference(), n.is_inference(), view.is_inference()) == (
            True, True, False, False)


# ------------------------------------------------------------------------------ allow_unused

def test_unused_input_errors_and_none():
    x, z = leaf(1.0), leaf(2.0)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior."):
        rt.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = rt.autograd.grad(y, [x, z], retain_graph=True, allow_unused=True)
    assert gx.tolist() == [2.0] and gz is None
    gx, gz = rt.autograd.grad(y, [x, z], retain_graph=True, materialize_grads=True)
    assert gz.tolist() == [0.0] and gz.dtype == rt.float64
    with pytest.raises(ValueError, match="Expected allow_unused to be True or not passed when materialize_grads=True"):
        rt.autograd.grad(y, [x, z], allow_unused=False, materialize_grads=True)
    with pytest.raises(RuntimeError, match="`inputs` argument to `grad\\(\\)` cannot be empty."):
        rt.autograd.grad(y, [])
