"""Atomic failure: an in-place op or a setitem that raises leaves its target exactly as it was
(every check runs before the first write)."""
import numpy as np
import pytest

import rtensor as rt


def floats():
    return rt.arange(6, dtype=rt.float32).reshape(2, 3)


def ints():
    return rt.arange(6).reshape(2, 3)


def with_grad():
    return rt.ones(3, requires_grad=True)


CASES = [
    ("add_ of a shape that does not broadcast", floats, lambda t: t.add_(rt.ones(4)), RuntimeError),
    ("+= of a bigger shape", floats, lambda t: t.__iadd__(rt.ones(3, 2)), RuntimeError),
    ("mul_ of a float into int", ints, lambda t: t.mul_(1.5), RuntimeError),
    ("div_ of an int tensor", ints, lambda t: t.div_(2), RuntimeError),
    ("pow_ of an int to a negative int", ints, lambda t: t.pow_(-1), RuntimeError),
    ("sub_ of bools", lambda: rt.tensor([True, False]), lambda t: t.sub_(rt.tensor([True, True])), RuntimeError),
    ("copy_ of a shape that does not broadcast", floats, lambda t: t.copy_(rt.ones(5)), RuntimeError),
    ("clamp_ with a bad bound shape", floats, lambda t: t.clamp_(min=rt.ones(4)), RuntimeError),
    ("fill_ with a 1-d value", floats, lambda t: t.fill_(rt.ones(2)), RuntimeError),
    ("in-place on a leaf that requires grad", with_grad, lambda t: t.add_(1), RuntimeError),
    ("setitem of a value that does not broadcast", floats, lambda t: t.__setitem__(0, rt.ones(4)), RuntimeError),
    # The valid indices come first: a non-atomic setitem would have written them already.
    ("advanced setitem, last index out of range", floats,
     lambda t: t.__setitem__(([0, 1, 1], [0, 2, 7]), 9.0), IndexError),
    ("1-d advanced setitem, last index out of range", lambda: rt.arange(5.0),
     lambda t: t.__setitem__([0, 1, 9], 9.0), IndexError),
    ("advanced setitem from a tensor, last index out of range", lambda: rt.arange(5.0),
     lambda t: t.__setitem__(rt.tensor([4, 0, -6]), rt.tensor([1.0, 2.0, 3.0])), IndexError),
    ("mixed slice and index list out of range", floats,
     lambda t: t.__setitem__((slice(None), [0, 3]), rt.tensor([1.0, 2.0])), IndexError),
    ("bool mask of the wrong shape", floats,
     lambda t: t.__setitem__(rt.tensor([True, False, True]), 1.0), IndexError),
    ("values that do not broadcast to the indexed shape", floats,
     lambda t: t.__setitem__([0, 1], rt.ones(2, 5)), RuntimeError),
    ("setitem of a float tensor into a view of an int tensor", ints,
     lambda t: t[0].__setitem__(slice(None), rt.ones(4)), RuntimeError),
]


@pytest.mark.parametrize("name,make,op,exc", CASES, ids=[c[0] for c in CASES])
def test_failed_inplace_leaves_target_unchanged(name, make, op, exc):
    t = make()
    before = t.detach().numpy().copy()
    version = t._version
    with pytest.raises(exc):
        op(t)
    np.testing.assert_array_equal(t.detach().numpy(), before)
    assert t._version == version  # nothing was written, so nothing was counted


def test_failed_write_through_a_view_leaves_the_base_unchanged():
    base = rt.arange(12.0).reshape(3, 4)
    before = base.numpy().copy()
    view = base[1:, ::2]
    with pytest.raises(IndexError):
        view[[0, 1], [1, 5]] = 0.0
    with pytest.raises(RuntimeError):
        view.add_(rt.ones(3))
    np.testing.assert_array_equal(base.numpy(), before)


def test_failed_inplace_keeps_autograd_history_usable():
    x = rt.ones(3, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError):
        y.add_(rt.ones(4))
    y.sum().backward()  # the failed op recorded nothing
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    assert y.grad_fn.name() == "MulBackward0"
