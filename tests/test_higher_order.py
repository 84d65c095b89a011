# Gradients of gradients: create_graph=True in backward and autograd.grad, gradgradcheck on a
# sample of every op family (float64), values against analytic formulas and torch, the
# rtensor.autograd.functional helpers, and memory that a create_graph pass must not keep.
import functools
import math

import pytest

import rtensor as rt
from rtensor.autograd import gradcheck, gradgradcheck


def r(*shape, seed=0, positive=False):
    """Deterministic float64 values in (-1, 1) (or (0.5, 1.5) when positive), requiring grad."""
    n = 1
    for s in shape:
        n *= s
    vals = [math.sin(1.7 * (i + 1) + seed) for i in range(n)]
    if positive:
        vals = [1.0 + 0.5 * v for v in vals]
    return rt.tensor(vals, dtype=rt.float64).reshape(shape).requires_grad_()


# ------------------------------------------------------------------------------ values

def test_second_derivative_of_cube():
    x = rt.tensor([1.5, -2.0], dtype=rt.float64, requires_grad=True)
    (g,) = rt.autograd.grad((x ** 3).sum(), x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    assert g.tolist() == [3 * 1.5 ** 2, 12.0]
    (h,) = rt.autograd.grad(g.sum(), x, create_graph=True)
    assert h.tolist() == [9.0, -12.0]
    (t,) = rt.autograd.grad(h.sum(), x)
    assert t.tolist() == [6.0, 6.0]


def test_backward_create_graph_then_grad_of_grad():
    x = rt.tensor([0.3, 0.7], dtype=rt.float64, requires_grad=True)
    with pytest.warns(UserWarning, match="reference cycle"):
        rt.autograd.backward([(x.sin() * x).sum()], create_graph=True)
    g = x.grad
    assert g.requires_grad
    x0 = [0.3, 0.7]
    assert g.tolist() == pytest.approx([math.cos(v) * v + math.sin(v) for v in x0])
    x.grad = None
    g.sum().backward()
    assert x.grad.tolist() == pytest.approx([-math.sin(v) * v + 2 * math.cos(v) for v in x0])


def test_tensor_backward_create_graph():
    x = rt.tensor([2.0], dtype=rt.float64, requires_grad=True)
    (x.exp() * x).sum().backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.backward()
    assert x.grad.item() == pytest.approx(math.exp(2.0) * 4)


def test_first_order_results_carry_no_graph():
    x = rt.tensor([2.0], dtype=rt.float64, requires_grad=True)
    (g,) = rt.autograd.grad((x * x).sum(), x)
    assert not g.requires_grad and g.grad_fn is None


def test_saved_output_reattached_for_double_backward():
    # exp saves its output: the second derivative needs it with its history.
    x = rt.tensor([0.5, -1.0], dtype=rt.float64, requires_grad=True)
    y = x.exp()
    (g,) = rt.autograd.grad(y.sum(), x, create_graph=True)
    (h,) = rt.autograd.grad(g.sum(), x, retain_graph=True)
    assert h.tolist() == pytest.approx([math.exp(0.5), math.exp(-1.0)])
    # the graph of y is intact (retain_graph defaults to create_graph, and was given above)
    (g2,) = rt.autograd.grad(y.sum(), x)
    assert g2.tolist() == pytest.approx(h.tolist())


def test_mlp_gradient_penalty_matches_torch():
    torch = pytest.importorskip("torch")
    import numpy as np

    rng = np.random.default_rng(0)
    xs = rng.standard_normal((8, 5))
    w1 = rng.standard_normal((5, 7)) * 0.5
    w2 = rng.standard_normal((7, 3)) * 0.5

    def run(m):
        x = m.tensor(xs, requires_grad=True)
        a = m.tensor(w1, requires_grad=True)
        b = m.tensor(w2, requires_grad=True)
        out = (x @ a).tanh() @ b
        loss = out.log_softmax(1).mean()
        gx, ga = m.autograd.grad(loss, [x, a], create_graph=True)
        penalty = (gx ** 2).sum() + (ga ** 2).sum()
        penalty.backward()
        return [t.detach().numpy() for t in (gx, ga, x.grad, a.grad, b.grad)]

    for got, want in zip(run(rt), run(torch)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------ gradgradcheck

FAMILIES = {
    # pointwise
    "mul": (lambda a, b: a * b, [(3, 4), (3, 4)]),
    "div": (lambda a, b: a / (b + 2.0), [(3,), (3,)]),
    "pow": (lambda a, b: a.abs().add(0.5) ** b, [(4,), (4,)]),
    "exp_log": (lambda a: a.exp() + (a * a + 1).log(), [(5,)]),
    "trig": (lambda a: a.sin() * a.cos() + a.tanh() + a.sigmoid(), [(5,)]),
    "sqrt_rsqrt": (lambda a: (a * a + 1).sqrt() + (a * a + 1).rsqrt(), [(4,)]),
    "broadcast": (lambda a, b: a * b + a, [(3, 1), (1, 4)]),
    "where_clamp": (lambda a: rt.where(a > 0, a * a, a.clamp(-0.5, 0.5) ** 2), [(6,)]),
    "atan2_lerp": (lambda a, b: rt.atan2(a, b + 2) + rt.lerp(a, b, 0.3), [(4,), (4,)]),
    "fmod_remainder": (lambda a, b: rt.fmod(a, b.abs() + 1) ** 2 + rt.remainder(a, b.abs() + 1) ** 2, [(4,), (4,)]),
    # reductions
    "sum_mean": (lambda a: (a.sum(1) ** 2).sum() + (a.mean(0) ** 3).sum(), [(3, 4)]),
    "prod": (lambda a: a.prod(1), [(3, 3)]),
    "var_std": (lambda a: a.var(1) + a.std(1), [(3, 4)]),
    "norm": (lambda a: a.norm() + a.norm(dim=1).sum(), [(3, 4)]),
    "logsumexp": (lambda a: a.logsumexp(1), [(3, 4)]),
    "amax_max": (lambda a: a.amax(1) ** 2 + a.max(1).values ** 3, [(3, 4)]),
    # matmul / linalg
    "matmul": (lambda a, b: (a @ b).tanh(), [(3, 4), (4, 2)]),
    "bmm": (lambda a, b: rt.bmm(a, b) ** 2, [(2, 2, 3), (2, 3, 2)]),
    "dot_mv": (lambda a, b: a.dot(b) ** 2 + (a.reshape(2, 2) @ b[:2]).sum() ** 2, [(4,), (4,)]),
    "inv": (lambda a: rt.linalg.inv(a + 3 * rt.eye(3, dtype=rt.float64)), [(3, 3)]),
    # softmax family
    "softmax": (lambda a: a.softmax(1), [(2, 4)]),
    "log_softmax": (lambda a: a.log_softmax(1), [(2, 4)]),
    # indexing / gather / scatter
    "index": (lambda a: a[[0, 2, 2]] ** 2, [(3, 2)]),
    "slice_setitem_free": (lambda a: a[1:, ::2] ** 2, [(3, 4)]),
    "gather": (lambda a: a.gather(1, rt.tensor([[0, 0], [1, 0]])) ** 2, [(2, 3)]),
    "index_select": (lambda a: a.index_select(0, rt.tensor([1, 1, 0])) ** 2, [(2, 3)]),
    "scatter_add": (lambda a, b: a.scatter_add(0, rt.tensor([[1, 0, 1]]), b) ** 2, [(2, 3), (1, 3)]),
    "masked_select": (lambda a: a.masked_select(rt.tensor([True, False, True])) ** 2, [(3,)]),
    # views
    "views": (lambda a: a.reshape(4, 3).t().permute(1, 0).narrow(0, 1, 2) ** 2, [(3, 4)]),
    "expand": (lambda a: a.expand(3, 2) ** 2, [(1, 2)]),
    "cat_stack": (lambda a, b: rt.cat([a, b]) ** 2 + rt.stack([a, b]).sum(0).repeat(2), [(3,), (3,)]),
    # sort / topk
    "sort": (lambda a: a.sort(1).values ** 2, [(2, 4)]),
    "topk": (lambda a: a.topk(2).values ** 2, [(5,)]),
    "cummax_median": (lambda a: a.cummax(0).values ** 2 + a.median() ** 2 + a.kthvalue(2).values, [(5,)]),
    # diagonals, extrema, distances
    "diag_trace": (lambda a: a.diag().pow(2).sum() + a.trace() ** 2 + a.diagonal(1).pow(2).sum(), [(3, 3)]),
    "diag_embed_tril": (lambda a: (a.diag_embed() ** 2).sum() + (a.reshape(3, 2)[:2].tril() ** 3).sum(), [(2, 3)]),
    "min_max": (lambda a: (a.min(1).values ** 2).sum() + a.max() ** 2 + (a.amin(0) ** 2).sum(), [(3, 4)]),
    "aminmax_std_mean": (lambda a: rt.aminmax(a, dim=1)[1] ** 2 + rt.std_mean(a, 1)[0] * rt.std_mean(a, 1)[1], [(3, 4)]),
    "dist_norm": (lambda a, b: rt.dist(a, b) + rt.linalg.vector_norm(a, 3) + rt.linalg.matrix_norm(a.reshape(2, 2)), [(4,), (4,)]),
    # more indexing and in-place forms
    "index_add_copy": (lambda a, b: a.index_add(0, rt.tensor([1, 0, 1]), b) ** 2 + a.index_copy(0, rt.tensor([1]), b[:1]) ** 3, [(2, 3), (3, 3)]),
    "masked_fill_scatter": (lambda a, b: a.masked_fill(rt.tensor([True, False, True]), 0.5) ** 2 + a.masked_scatter(rt.tensor([True, False, True]), b) ** 3, [(3,), (3,)]),
    "scatter_take": (lambda a, b: a.scatter(0, rt.tensor([[1, 0, 1]]), b) ** 2 + a.reshape(-1).take(rt.tensor([0, 3, 3])).sum() ** 2, [(2, 3), (1, 3)]),
    "scatter_reduce_index_put": (lambda a, b: a.scatter_reduce(0, rt.tensor([0, 1, 0]), b, "amax") ** 2 + a.index_put((rt.tensor([0, 0]),), b[:2], accumulate=True) ** 2, [(2,), (3,)]),
    "setitem": (lambda a: _written(a, slice(0, 2)), [(4,)]),
    "setitem_advanced": (lambda a: _written(a, rt.tensor([0, 2])), [(4,)]),
    "in_place": (lambda a: _in_place(a), [(3,)]),
    "flip_roll_split": (lambda a: a.flip(0) ** 2 + a.roll(1, 0) ** 3 + rt.cat([t * t for t in a.split(3)]), [(4,)]),
    "unbind_repeat_interleave": (lambda a: a.unbind(0)[1] ** 2 + a.repeat_interleave(2).reshape(2, 2, 2).sum(0), [(2, 2)]),
    "as_strided": (lambda a: a.as_strided((2, 2), (1, 1)) ** 2, [(4,)]),
    "einsum_addmm": (lambda a, b: rt.einsum("ij,jk->ik", a, b) ** 2 + rt.addmm(a @ b, a, b) ** 2, [(2, 2), (2, 2)]),
    "special": (lambda a: (a.abs() + 1).lgamma() + (a.abs() + 1).digamma() + a.erf() + rt.logaddexp(a, a * a), [(4,)]),
    # scans
    "cumsum": (lambda a: a.cumsum(0) ** 2, [(5,)]),
    "cumprod": (lambda a: a.cumprod(0), [(4,)]),
    "logcumsumexp": (lambda a: a.logcumsumexp(0), [(4,)]),
    # distances (the kernel's rule, every p) and cross / renorm
    "cdist_p2": (lambda a, b: rt.cdist(a, b), [(3, 2), (4, 2)]),
    "cdist_p2_mm": (lambda a, b: rt.cdist(a, b, compute_mode="use_mm_for_euclid_dist"), [(3, 2), (4, 2)]),
    "cdist_p0": (lambda a, b: rt.cdist(a, b, 0) * a.sum(), [(3, 2), (4, 2)]),
    "cdist_p_half": (lambda a, b: rt.cdist(a, b, 0.5), [(3, 2), (4, 2)]),
    "cdist_p1": (lambda a, b: rt.cdist(a, b, 1) ** 2, [(3, 2), (4, 2)]),
    "cdist_p1_5": (lambda a, b: rt.cdist(a, b, 1.5), [(3, 2), (4, 2)]),
    "cdist_p3_batched": (lambda a, b: rt.cdist(a, b, 3), [(2, 3, 2), (1, 4, 2)]),
    "cdist_pinf": (lambda a, b: rt.cdist(a, b, float("inf")) ** 2, [(3, 2), (4, 2)]),
    "cross": (lambda a, b: rt.linalg.cross(a, b) ** 2, [(2, 3), (2, 3)]),
    "cross_broadcast": (lambda a, b: rt.cross(a, b, dim=1) ** 2, [(2, 3), (1, 3)]),
    "renorm_p2": (lambda a: a.renorm(2, 0, 0.8) ** 2, [(3, 3)]),
    "renorm_p1": (lambda a: a.renorm(1, 1, 1.0), [(3, 3)]),
    "renorm_p3": (lambda a: a.renorm(3, 1, 0.9), [(2, 3)]),
    "renorm_pinf": (lambda a: a.renorm(float("inf"), 0, 0.5), [(3, 3)]),
    # embedding-like selection and scatter-into-copy
    "take_along_dim": (lambda a: rt.take_along_dim(a, rt.tensor([[0], [2]]), 1) ** 2, [(2, 3)]),
    "index_select_dim1": (lambda a: a.index_select(1, rt.tensor([2, 0, 2])) ** 2, [(2, 3)]),
    "index_fill": (lambda a: a.index_fill(1, rt.tensor([1]), 0.5) ** 2, [(2, 3)]),
    "index_reduce": (lambda a, b: a.index_reduce(0, rt.tensor([1, 0, 1]), b, "prod") ** 2, [(2, 3), (3, 3)]),
    "select_slice_scatter": (lambda a, b: rt.select_scatter(a, b[0], 0, 1) ** 2 + rt.slice_scatter(a, b[:1], 0, 0, 1) ** 3, [(2, 3), (2, 3)]),
    "diagonal_scatter": (lambda a, b: rt.diagonal_scatter(a, b, 0) ** 2, [(3, 3), (3,)]),
    # quantiles (every interpolation, NaNs skipped by nanquantile)
    "quantile_linear": (lambda a: a.quantile(0.3, dim=1) ** 2, [(3, 4)]),
    "quantile_tensor_q": (lambda a: rt.quantile(a, rt.tensor([0.2, 0.9], dtype=rt.float64)) ** 2, [(5,)]),
    "quantile_modes": (lambda a: sum(a.quantile(0.4, dim=0, interpolation=m) ** 2 for m in ("lower", "higher", "midpoint", "nearest")), [(5, 2)]),
    "nanquantile": (lambda a: a.nanquantile(0.5, dim=0, keepdim=True) ** 2, [(4, 3)]),
    "nanquantile_nan": (lambda a: rt.where(rt.tensor([True, False, True, True]), a, float("nan")).nanquantile(0.4) ** 2, [(4,)]),
}


def _written(a, where):
    c = a * 1
    c[where] = a[1:3] * 3
    return c ** 2


def _in_place(a):
    c = a * 1
    c.mul_(a)
    c.exp_()
    return c


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_gradgradcheck(name):
    f, shapes = FAMILIES[name]
    inputs = tuple(r(*s, seed=i) for i, s in enumerate(shapes))
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


def leaf(values):
    """A float64 leaf that requires grad, from nested lists (zeros included)."""
    return rt.tensor(values, dtype=rt.float64, requires_grad=True)


# inputs with zeros: the rules of cumprod and prod pick their formula by the values, and the
# second derivative must still see every product (torch's recorded forms)
WITH_ZEROS = {
    "one_zero": [0.7, 0.0, -1.3, 0.4],
    "zero_first": [0.0, 0.8, 1.2, -0.6],
    "zero_last": [0.9, -1.1, 0.5, 0.0],
    "two_zeros": [0.6, 0.0, 1.4, 0.0, -0.8],
    "three_zeros": [0.0, 0.0, 1.4, 0.0],
    "no_zero": [0.6, -0.5, 1.4, 0.9],
}
ZERO_OPS = {
    "cumprod": lambda m, a: a.cumprod(0),
    "cumprod_2d_dim0": lambda m, a: (a.unsqueeze(1) * m.tensor([1.0, -2.0], dtype=m.float64)).cumprod(0),
    "cumprod_2d_dim1": lambda m, a: (a * m.tensor([[1.0], [-2.0]], dtype=m.float64)).cumprod(1),
    "prod": lambda m, a: a.prod(),
    "prod_dim": lambda m, a: (a.unsqueeze(1) * m.tensor([1.0, -2.0], dtype=m.float64)).prod(0),
    "prod_dim_keepdim": lambda m, a: (a * m.tensor([[1.0], [-2.0]], dtype=m.float64)).prod(1, keepdim=True),
    "prod_2d_full": lambda m, a: (a.unsqueeze(0) * a.unsqueeze(1)).prod(),
}


@pytest.mark.parametrize("values", sorted(WITH_ZEROS))
@pytest.mark.parametrize("op", sorted(ZERO_OPS))
def test_gradgradcheck_with_zeros(op, values):
    x = leaf(WITH_ZEROS[values])
    f = functools.partial(ZERO_OPS[op], rt)
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def _double_backward(m, f, values):
    """The first gradient (of a weighted sum of f) and the gradient of its squared norm."""
    xs = [m.tensor(v, dtype=m.float64, requires_grad=True) for v in values]
    out = f(m, *xs)
    gs = m.autograd.grad((out * out * out.detach().cos()).sum(), xs, create_graph=True)
    hs = m.autograd.grad(sum((g * g).sum() for g in gs), xs)
    return [t.detach().tolist() for t in list(gs) + list(hs)]


def _compare(f, values):
    torch = pytest.importorskip("torch")
    import numpy as np

    for got, want in zip(_double_backward(rt, f, values), _double_backward(torch, f, values)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("values", sorted(WITH_ZEROS))
@pytest.mark.parametrize("op", sorted(ZERO_OPS))
def test_double_backward_with_zeros_matches_torch(op, values):
    _compare(ZERO_OPS[op], [WITH_ZEROS[values]])


CDIST_A = [[[0.3, -0.2], [1.1, 0.5], [-0.7, 0.4]], [[0.2, 0.9], [-0.4, -1.0], [0.6, 0.1]]]
# with a difference of 0 (0.1 - 0.1), a distance of 0 and a tie of the inf-norm (-1, -1)
CDIST_B = [[[0.5, 0.1], [-0.3, 0.8], [0.9, -0.6], [0.3, -0.2], [1.3, 0.8]]]


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"])
@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, float("inf")])
def test_cdist_double_backward_matches_torch(p, mode):
    _compare(lambda m, a, b: m.cdist(a, b, p, compute_mode=mode), [CDIST_A, CDIST_B])


def test_cdist_create_graph_gradient_requires_grad():
    a, b = r(3, 2), r(2, 2, seed=1)
    (g,) = rt.autograd.grad(rt.cdist(a, b, 3).sum(), a, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    # first order is unaffected
    (g1,) = rt.autograd.grad(rt.cdist(a, b, 3).sum(), a)
    assert g1.reshape(-1).tolist() == pytest.approx(g.reshape(-1).tolist(), rel=1e-14)


def test_cumprod_first_order_with_zeros_unchanged():
    x = rt.tensor([1.0, 0.0, 2.0], dtype=rt.float64, requires_grad=True)
    (g,) = rt.autograd.grad(x.cumprod(0).sum(), x)
    assert g.tolist() == [1.0, 3.0, 0.0]
    (g,) = rt.autograd.grad(x.cumprod(0).sum(), x, create_graph=True)
    assert g.tolist() == [1.0, 3.0, 0.0] and g.requires_grad


@pytest.mark.parametrize("case", ["quantile", "nanquantile", "cross", "renorm", "take_along_dim", "index_reduce"])
def test_double_backward_matches_torch(case):
    fs = {
        "quantile": lambda m, a: a.quantile(m.tensor([0.25, 0.6], dtype=m.float64), dim=1),
        "nanquantile": lambda m, a: m.where(a > 0.8, m.tensor(float("nan"), dtype=m.float64), a).nanquantile(0.7, dim=0),
        "cross": lambda m, a: m.linalg.cross(a, a.flip(0).exp()),
        "renorm": lambda m, a: a.renorm(2.5, 1, 0.9),
        "take_along_dim": lambda m, a: m.take_along_dim(a, m.tensor([[2, 0], [1, 1], [0, 2]]), 1) * a[:, :2],
        "index_reduce": lambda m, a: a.index_reduce(0, m.tensor([2, 0, 2]), a.flip(1), "amax"),
    }
    _compare(fs[case], [[[0.3, -0.2, 1.1], [0.5, -0.7, 0.4], [0.9, 0.2, -1.0]]])


# ------------------------------------------------------------------------------ not differentiable


@pytest.mark.parametrize("call, op", [
    (lambda x: rt.unique(x), "_unique2"),
    (lambda x: rt.unique(x, return_inverse=True)[0], "_unique2"),
    (lambda x: rt.unique(x, dim=0), "unique_dim"),
    (lambda x: rt.unique_consecutive(x), "unique_consecutive"),
])
def test_unique_is_not_differentiable(call, op):
    x = leaf([0.5, 0.2, 0.5, 0.9])
    y = call(x)
    assert y.requires_grad
    with pytest.raises(NotImplementedError, match=f"the derivative for '{op}' is not implemented."):
        rt.autograd.grad(y.sum(), x, create_graph=True)


def test_histc_has_no_gradient():
    x = leaf([0.5, 0.2, 0.5, 0.9])
    h = rt.histc(x, bins=3)
    assert not h.requires_grad and h.grad_fn is None
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"):
        h.sum().backward()


@pytest.mark.parametrize("call, op", [
    (lambda x: rt.histogram(x, bins=3), "histogram"),
    (lambda x: rt.histogram(x.detach(), bins=3, weight=x), "histogram"),
    (lambda x: rt.histogram(x.detach(), bins=leaf([0.0, 0.5, 1.0]), density=True), "histogram"),
    (lambda x: (rt.bincount(rt.tensor([0, 1, 1, 3]), weights=x),), "bincount"),
])
def test_histogram_and_bincount_record_not_implemented(call, op):
    x = leaf([0.5, 0.2, 0.5, 0.9])
    outs = call(x)
    assert all(o.requires_grad and type(o.grad_fn).__name__ == "NotImplemented" for o in outs)
    assert outs[0].grad_fn is outs[-1].grad_fn
    for o in outs:
        with pytest.raises(RuntimeError, match=f"derivative for aten::{op} is not implemented"):
            o.sum().backward(retain_graph=True)
    with rt.no_grad():
        assert not call(x)[0].requires_grad


def test_gradgradcheck_detects_a_wrong_double_backward():
    class Sq(rt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x.detach()  # detached: the second derivative is lost

    x = r(3)
    assert gradcheck(Sq.apply, (x,))
    assert not gradgradcheck(Sq.apply, (x,), raise_exception=False)


def test_not_implemented_nodes_allow_out():
    # torch refuses out= only for ops with a derivative: histogram has none
    x = leaf([0.5, 0.2, 0.5, 0.9])
    h, e = rt.empty(3, dtype=rt.float64), rt.empty(4, dtype=rt.float64)
    rt.histogram(x, bins=3, out=(h, e))
    assert h.tolist() == [1.0, 2.0, 1.0] and e.tolist() == pytest.approx([0.2, 0.2 + 0.7 / 3, 0.2 + 1.4 / 3, 0.9])
    with pytest.raises(RuntimeError, match="functions with out=... arguments don't support automatic differentiation"):
        rt.sin(x, out=rt.empty(0, dtype=rt.float64))


# ------------------------------------------------------------------------------ functional

def test_functional_against_analytic():
    F = rt.autograd.functional

    def f(x):
        return (x ** 3).sum()

    x = rt.tensor([1.0, 2.0], dtype=rt.float64)
    h = F.hessian(f, x)
    assert h.tolist() == [[6.0, 0.0], [0.0, 12.0]]
    j = F.jacobian(lambda x: x ** 2, x)
    assert j.tolist() == [[2.0, 0.0], [0.0, 4.0]]
    out, v = F.vjp(lambda x: x ** 2, x, rt.ones(2, dtype=rt.float64))
    assert out.tolist() == [1.0, 4.0] and v.tolist() == [2.0, 4.0]
    out, v = F.jvp(lambda x: x ** 2, x, rt.tensor([1.0, 0.0], dtype=rt.float64))
    assert v.tolist() == [2.0, 0.0]
    out, v = F.hvp(f, x, rt.ones(2, dtype=rt.float64))
    assert v.tolist() == [6.0, 12.0]
    out, v = F.vhp(f, x, rt.ones(2, dtype=rt.float64))
    assert v.tolist() == [6.0, 12.0]


def test_functional_matches_torch():
    torch = pytest.importorskip("torch")
    import numpy as np

    a = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.7]])
    b = np.array([0.9, -0.4, 0.2])

    def run(m):
        F = m.autograd.functional

        def f(x, y):
            return (x.sin() * y).sum(1).exp(), x.tanh() @ y

        def s(x, y):
            return ((x @ y) ** 2).sum() + y.pow(3).sum()

        x, y = m.tensor(a), m.tensor(b)
        jac = F.jacobian(f, (x, y))
        hes = F.hessian(s, (x, y))
        _, vj = F.vjp(f, (x, y), (m.ones(2, dtype=m.float64), m.ones(2, dtype=m.float64)))
        _, jv = F.jvp(f, (x, y), (m.ones(2, 3, dtype=m.float64), m.ones(3, dtype=m.float64)))
        flat = [t for row in jac for t in row] + [t for row in hes for t in row] + list(vj) + list(jv)
        return [t.detach().numpy() for t in flat]

    for got, want in zip(run(rt), run(torch)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_functional_errors():
    F = rt.autograd.functional
    x = rt.ones(2, dtype=rt.float64)
    with pytest.raises(TypeError, match="The inputs given to jacobian must be either a Tensor or a tuple of Tensors"):
        F.jacobian(lambda x: x, [1.0])
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not require gradients"):
        F.jacobian(lambda x: rt.ones(2), x, strict=True)
    with pytest.raises(RuntimeError, match="The vector v can only be None if the user-provided function returns a single Tensor with a single element."):
        F.vjp(lambda x: x * 2, x)
    with pytest.raises(RuntimeError, match="The function given to hessian should return a single Tensor"):
        F.hessian(lambda x: (x.sum(), x.sum()), x)
    assert F.jacobian(lambda x: rt.ones(2, dtype=rt.float64), x).tolist() == [[0.0, 0.0], [0.0, 0.0]]


# ------------------------------------------------------------------------------ memory

def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def test_create_graph_passes_do_not_leak():
    big = 250_000  # 2 MB of float64 per tensor

    def once():
        x = rt.ones(big, dtype=rt.float64, requires_grad=True)
        y = (x.exp() * x.sin()).sum()
        (g,) = rt.autograd.grad(y, x, create_graph=True)
        (h,) = rt.autograd.grad(g.sum(), x)
        return h.sum().item()

    for _ in range(5):
        once()
    before = _rss_mb()
    for _ in range(40):
        once()
    assert _rss_mb() - before < 60
