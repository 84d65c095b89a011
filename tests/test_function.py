# rtensor.autograd.Function: user-defined ops with forward/backward static methods, the ctx API
# (save_for_backward, saved_tensors, needs_input_grad, mark_non_differentiable, mark_dirty,
# set_materialize_grads), once_differentiable, grad_fn names and torch's errors for misuse.
import pytest

import rtensor as rt
from rtensor.autograd import Function, gradcheck, gradgradcheck
from rtensor.autograd.function import once_differentiable


class Cube(Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        return x ** 3 * k

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x ** 2 * ctx.k, None


def leaf(*values):
    return rt.tensor(list(values), dtype=rt.float64, requires_grad=True)


def test_apply_forward_backward_and_name():
    x = leaf(1.0, 2.0)
    y = Cube.apply(x, 2.0)
    assert y.requires_grad
    assert y.grad_fn.name() == "CubeBackward"
    assert type(y.grad_fn).__name__ == "CubeBackward"
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 24.0]


def test_gradcheck_and_double_backward():
    x = leaf(0.5, -1.5, 2.0)
    assert gradcheck(lambda t: Cube.apply(t, 1.5), (x,))
    assert gradgradcheck(lambda t: Cube.apply(t, 1.5), (x,))
    (g,) = rt.autograd.grad(Cube.apply(x, 1.0).sum(), x, create_graph=True)
    (h,) = rt.autograd.grad(g.sum(), x)
    assert h.tolist() == [3.0, -9.0, 12.0]


def test_no_recording_without_grad():
    x = rt.tensor([1.0, 2.0])
    y = Cube.apply(x, 1.0)
    assert not y.requires_grad and y.grad_fn is None
    with rt.no_grad():
        assert Cube.apply(leaf(1.0), 1.0).grad_fn is None


def test_needs_input_grad_and_extra_nones():
    seen = []

    class Add(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen.append(ctx.needs_input_grad)
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g, None, None

    x = leaf(1.0)
    Add.apply(x, rt.ones(1, dtype=rt.float64)).sum().backward()
    assert seen == [(True, False)]
    assert x.grad.tolist() == [1.0]


def test_wrong_number_of_gradients():
    class Foo(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match=r"function FooBackward returned an incorrect number of gradients \(expected 2, got 1\)"):
        Foo.apply(leaf(1.0), 2.0).sum().backward()


def test_gradient_for_non_tensor_input():
    class Bar(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="function BarBackward returned a gradient different than None at position 2, but the corresponding forward input was not a Variable"):
        Bar.apply(leaf(1.0), 2.0).sum().backward()


def test_invalid_gradient_shape():
    class Baz(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return rt.ones(5, dtype=rt.float64)

    with pytest.raises(RuntimeError, match=r"Function BazBackward returned an invalid gradient at index 0 - got \[5\] but expected shape compatible with \[3\]"):
        Baz.apply(leaf(1.0, 2.0, 3.0)).sum().backward()


def test_save_for_backward_errors_and_freed():
    class S(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="save_for_backward can only save variables, but argument 0 is of type int"):
        S.apply(leaf(1.0))

    class T(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x

    x = leaf(1.0)
    y = T.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.sum().backward()


def test_saved_tensor_modified_in_place():
    class T(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x

    x = leaf(1.0, 2.0)
    z = x * 1
    y = T.apply(z)
    z.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_mark_non_differentiable_and_materialize():
    got = []

    class N(Function):
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax()
            ctx.mark_non_differentiable(idx)
            return x * 2, idx

        @staticmethod
        def backward(ctx, ga, gi):
            got.append(gi)
            return ga * 2

    x = leaf(1.0, 3.0)
    a, i = N.apply(x)
    assert a.requires_grad and not i.requires_grad
    a.sum().backward()
    assert got[0].tolist() == 0 and x.grad.tolist() == [2.0, 2.0]

    class M(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            got.append(gb)
            return ga * 2

    a, b = M.apply(leaf(1.0))
    a.sum().backward()
    assert got[-1] is None


def test_mark_dirty():
    class D(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been used in an in-place operation."):
        D.apply(x)
    z = x * 1
    w = D.apply(z)
    assert w is z and w.grad_fn.name() == "DBackward"
    w.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_once_differentiable():
    class O(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = leaf(1.0, 2.0)
    (g,) = rt.autograd.grad(O.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [2.0, 4.0]
    y = O.apply(x)
    (g,) = rt.autograd.grad(y, x, grad_outputs=rt.ones(2, dtype=rt.float64, requires_grad=True), create_graph=True)
    with pytest.raises(RuntimeError, match="trying to differentiate twice a function that was marked with @once_differentiable"):
        g.sum().backward()


def test_setup_context_style():
    class P(Function):
        @staticmethod
        def forward(x):
            return x * 4

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            return g * 4

    x = leaf(1.0)
    P.apply(x).sum().backward()
    assert x.grad.tolist() == [4.0]


def test_misuse_errors():
    with pytest.raises(RuntimeError, match="Legacy autograd function with non-static forward method is deprecated"):
        with pytest.warns(DeprecationWarning):
            Cube()(leaf(1.0))

    class NoBack(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    with pytest.raises(NotImplementedError, match="You must implement either the backward or vjp method"):
        NoBack.apply(leaf(1.0)).sum().backward()

    class Raises(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("inside backward")

    with pytest.raises(ValueError, match="inside backward"):
        Raises.apply(leaf(1.0)).sum().backward()


def test_matches_torch():
    torch = pytest.importorskip("torch")

    def make(m):
        class Gelu(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, w):
                ctx.save_for_backward(x, w)
                return (x * w).tanh()

            @staticmethod
            def backward(ctx, g):
                x, w = ctx.saved_tensors
                d = 1 - (x * w).tanh() ** 2
                return g * d * w, (g * d * x).sum(0)

        x = m.tensor([[0.2, -0.5, 0.9], [1.1, 0.3, -0.4]], dtype=m.float64, requires_grad=True)
        w = m.tensor([0.7, -1.2, 0.4], dtype=m.float64, requires_grad=True)
        y = Gelu.apply(x, w)
        gx, gw = m.autograd.grad(y.pow(2).sum(), [x, w], create_graph=True)
        (gx.sum() + gw.pow(2).sum()).backward()
        flat = [v for t in (y, gx, gw, x.grad, w.grad) for v in t.detach().reshape(-1).tolist()]
        return flat, y.grad_fn.name()

    (got, got_name), (want, want_name) = make(rt), make(torch)
    assert got_name == want_name
    assert got == pytest.approx(want, rel=1e-12, abs=1e-14)
