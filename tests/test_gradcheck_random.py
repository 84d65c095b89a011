# rt.autograd.gradcheck (float64 central differences) over every differentiable op, on random shapes drawn by
# hypothesis: 0-size and 1-size dims, broadcasting operands, and leaves that are non-contiguous (permuted views
# and strided slices of a larger tensor, made leaves with requires_grad_()).
#
# Non-differentiable points are avoided by construction: inputs of abs/relu/norms stay away from 0, max/min
# inputs are distinct (no ties), log/sqrt/pow bases are positive, remainder stays away from its jumps.
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rtensor as rt
from conftest import hypothesis_examples

N = hypothesis_examples(6)  # examples per op in the default run
GC = dict(eps=1e-6, atol=1e-5, rtol=1e-3)


# ------------------------------------------------------------------------------------------------- input values


def values(rng, shape, kind):
    """float64 values of ``shape``: 'any' in [-2, 2]; 'pos' in [0.5, 2]; 'away' with |x| in [0.5, 2] (no 0);
    'distinct' a shuffled grid with gaps of 0.1 (no ties for max/min, |x| >= 0.05)."""
    n = int(np.prod(shape))
    if kind == "any":
        v = rng.uniform(-2, 2, n)
    elif kind == "pos":
        v = rng.uniform(0.5, 2, n)
    elif kind == "away":
        v = rng.uniform(0.5, 2, n) * rng.choice([-1.0, 1.0], n)
    elif kind == "distinct":
        v = (rng.permutation(n) - n / 2 + 0.5) * 0.1 + rng.uniform(-0.01, 0.01, n)
    else:
        raise ValueError(kind)
    return v.reshape(shape)


def leaf(rng, a, how):
    """A float64 leaf with the values of ``a``: contiguous, a permuted view, or a strided slice of a bigger
    tensor (non-contiguous, with an offset)."""
    if how == "contiguous" or a.ndim == 0:
        t = rt.tensor(a, dtype=rt.float64)
    elif how == "permuted":
        perm = rng.permutation(a.ndim)
        t = rt.tensor(np.ascontiguousarray(a.transpose(perm)), dtype=rt.float64).permute(*np.argsort(perm).tolist())
    else:
        big = np.zeros([n * 2 + 1 for n in a.shape])
        key = tuple(slice(1, 1 + 2 * n, 2) for n in a.shape)
        big[key] = a
        t = rt.tensor(big, dtype=rt.float64)[key]
    return t.requires_grad_()


LAYOUTS = st.sampled_from(["contiguous", "permuted", "strided"])


def gradcheck(fn, *inputs):
    assert rt.autograd.gradcheck(fn, inputs, **GC)


def prop(n=None):
    return settings(max_examples=n or N)


# ------------------------------------------------------------------------------------------ elementwise unary

UNARY = {
    "neg": (lambda x: -x, "any"),
    "abs": (lambda x: x.abs(), "away"),
    "relu": (lambda x: x.relu(), "away"),
    "exp": (lambda x: x.exp(), "any"),
    "log": (lambda x: x.log(), "pos"),
    "sqrt": (lambda x: x.sqrt(), "pos"),
    "sin": (lambda x: x.sin(), "any"),
    "cos": (lambda x: x.cos(), "any"),
    "tanh": (lambda x: x.tanh(), "any"),
    "sigmoid": (lambda x: x.sigmoid(), "any"),
    "square": (lambda x: x ** 2, "any"),
    "cube": (lambda x: x.pow(3), "any"),
    "pow_half": (lambda x: x ** 0.5, "pos"),
    "pow_neg": (lambda x: x ** -1.5, "pos"),
    "rpow": (lambda x: 2.0 ** x, "any"),
    "rsub": (lambda x: 1.5 - x, "any"),
    "rdiv": (lambda x: 1.5 / x, "away"),
    "mul_scalar": (lambda x: x * -2.5, "any"),
    "clamp": (lambda x: x.clamp(-1.0, 1.0), "distinct"),
    "clamp_min": (lambda x: x.clamp(min=0.02), "distinct"),
    "to_same": (lambda x: x.to(rt.float64) * 1.0, "any"),
    "abs_fn": (lambda x: rt.abs(x), "away"),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@prop()
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), how=LAYOUTS,
       seed=st.integers(0, 2**32 - 1))
def test_unary(name, shape, how, seed):
    fn, kind = UNARY[name]
    rng = np.random.default_rng(seed)
    a = values(rng, shape, kind)
    if name == "clamp":
        a = np.array(a * 10)  # spread the grid so it crosses both bounds, away from them
        a[np.abs(np.abs(a) - 1.0) < 0.02] += 0.05
    if name == "clamp_min":
        a[np.abs(a - 0.02) < 0.02] += 0.05
    gradcheck(fn, leaf(rng, a, how))


# ----------------------------------------------------------------------------------- elementwise binary (broadcast)

BINARY = {
    "add": (lambda a, b: a + b, "any", "any"),
    "add_alpha": (lambda a, b: rt.add(a, b, alpha=-1.5), "any", "any"),
    "sub": (lambda a, b: a - b, "any", "any"),
    "sub_alpha": (lambda a, b: a.sub(b, alpha=2), "any", "any"),
    "mul": (lambda a, b: a * b, "any", "any"),
    "div": (lambda a, b: a / b, "any", "away"),
    "pow": (lambda a, b: a ** b, "pos", "any"),
    "maximum": (lambda a, b: rt.maximum(a, b), "distinct", "distinct"),
    "minimum": (lambda a, b: rt.minimum(a, b), "distinct", "distinct"),
    "where": (lambda a, b: rt.where(a > b, a, b * 2), "distinct", "distinct"),
    "remainder": (lambda a, b: a % b, "rem", "rem_b"),
    "atan_like": (lambda a, b: (a * b).tanh() / (1 + b * b), "any", "any"),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@prop()
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=0, max_side=3),
       hows=st.tuples(LAYOUTS, LAYOUTS), seed=st.integers(0, 2**32 - 1))
def test_binary_broadcast(name, shapes, hows, seed):
    (sa, sb), _ = shapes
    fn, ka, kb = BINARY[name]
    rng = np.random.default_rng(seed)
    if name == "remainder":
        # b away from 0 and a = b * (k + u), u in [0.2, 0.8]: far from remainder's jumps at multiples of b.
        # a takes the broadcast shape, so that each element of a meets one b.
        full = np.broadcast_shapes(sa, sb)
        b = values(rng, sb, "away")
        a = np.broadcast_to(b, full) * (rng.uniform(0.2, 0.8, full) + rng.integers(-2, 3, full))
    elif ka == "distinct" and kb == "distinct":
        both = values(rng, (int(np.prod(sa)) + int(np.prod(sb)),), "distinct")
        # distinct across both operands: no element of a ties with a b it meets
        a, b = both[: int(np.prod(sa))].reshape(sa), both[int(np.prod(sa)):].reshape(sb)
    else:
        a, b = values(rng, sa, ka), values(rng, sb, kb)
    gradcheck(fn, leaf(rng, a, hows[0]), leaf(rng, b, hows[1]))


@pytest.mark.parametrize("which", ["left", "right"])
@prop()
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3),
       seed=st.integers(0, 2**32 - 1))
def test_binary_one_side_requires_grad(which, shapes, seed):
    (sa, sb), _ = shapes
    rng = np.random.default_rng(seed)
    a, b = values(rng, sa, "any"), values(rng, sb, "away")
    ta, tb = rt.tensor(a, dtype=rt.float64), rt.tensor(b, dtype=rt.float64)
    if which == "left":
        ta.requires_grad_()
    else:
        tb.requires_grad_()
    gradcheck(lambda x, y: x * y + x / y, ta, tb)


# ------------------------------------------------------------------------------------------------- reductions


@st.composite
def dims_for(draw, ndim):
    if ndim == 0:
        return draw(st.sampled_from([None, 0, -1]))
    return draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1),
                          st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)))


def one_dim(dim):
    return dim if not isinstance(dim, tuple) else dim[0]


REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum() if d is None else x.sum(d, k), "any", True),
    "mean": (lambda x, d, k: x.mean() if d is None else x.mean(d, k), "any", True),
    "prod": (lambda x, d, k: x.prod() if d is None else x.prod(one_dim(d), k), "away", False),
    "prod_zero": (lambda x, d, k: x.prod() if d is None else x.prod(one_dim(d), k), "zero", False),
    "amax": (lambda x, d, k: x.amax() if d is None else x.amax(d, k), "distinct", False),
    "amin": (lambda x, d, k: x.amin() if d is None else x.amin(d, k), "distinct", False),
    "max": (lambda x, d, k: x.max() if d is None else x.max(one_dim(d), k)[0], "distinct", False),
    "min": (lambda x, d, k: x.min() if d is None else x.min(one_dim(d), k).values, "distinct", False),
    "var": (lambda x, d, k: x.var() if d is None else x.var(d, keepdim=k), "any", False),
    "var0": (lambda x, d, k: x.var(correction=0) if d is None else x.var(d, keepdim=k, correction=0), "any", False),
    "std": (lambda x, d, k: x.std() if d is None else x.std(d, keepdim=k), "distinct", False),
    "logsumexp": (lambda x, d, k: x.logsumexp(d if d is not None else tuple(range(x.dim())), k), "any", True),
    "norm2": (lambda x, d, k: rt.linalg.vector_norm(x, 2, d, k), "away", False),
    "norm1": (lambda x, d, k: rt.linalg.vector_norm(x, 1, d, k), "away", False),
    "norm3": (lambda x, d, k: rt.linalg.vector_norm(x, 3, d, k), "away", False),
    "norm_half": (lambda x, d, k: rt.linalg.vector_norm(x, 0.5, d, k), "away", False),
    "norm_inf": (lambda x, d, k: rt.linalg.vector_norm(x, math.inf, d, k), "distinct_abs", False),
    "norm_neginf": (lambda x, d, k: rt.linalg.vector_norm(x, -math.inf, d, k), "distinct_abs", False),
    "tensor_norm": (lambda x, d, k: x.norm() if d is None else x.norm(2, one_dim(d), k), "away", False),
}


def reduction_values(rng, shape, kind):
    if kind == "zero":  # one exact zero: prod's gradient there is the product of the others
        a = values(rng, shape, "away").reshape(-1)
        if a.size:
            a[rng.integers(a.size)] = 0.0
        return a.reshape(shape)
    if kind == "distinct_abs":  # distinct |x|, none near 0
        a = np.abs(values(rng, shape, "distinct")) + 0.2
        return a * rng.choice([-1.0, 1.0], a.shape)
    return values(rng, shape, kind)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@prop()
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3), how=LAYOUTS,
       keepdim=st.booleans(), data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_reductions(name, shape, how, keepdim, data, seed):
    fn, kind, empty_ok = REDUCTIONS[name]
    rng = np.random.default_rng(seed)
    if empty_ok and data.draw(st.booleans()):
        shape = (0,) + tuple(shape)  # reductions with an identity also work on empty inputs
    dim = data.draw(dims_for(len(shape)))
    a = reduction_values(rng, shape, kind)
    if name == "std" and a.size == 1 and dim is None:
        return  # std of one element is nan (divisor 0)
    x = leaf(rng, a, how)
    out = fn(x, dim, keepdim)
    if name.startswith("var") or name == "std":
        if not np.isfinite(np.asarray(out.tolist(), dtype=float)).all():
            return  # one element per group: the unbiased estimate is nan, nothing to differentiate
    gradcheck(lambda t: fn(t, dim, keepdim), x)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "cumprod_zero"])
@prop()
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), how=LAYOUTS, data=st.data(),
       seed=st.integers(0, 2**32 - 1))
def test_scans(name, shape, how, data, seed):
    rng = np.random.default_rng(seed)
    nd = max(len(shape), 1)
    dim = data.draw(st.integers(-nd, nd - 1))
    a = reduction_values(rng, shape, "zero" if name == "cumprod_zero" else "away")
    op = "cumsum" if name == "cumsum" else "cumprod"
    gradcheck(lambda t: getattr(t, op)(dim), leaf(rng, a, how))


SELECTIONS = {
    "sort": lambda t, d, k: t.sort(d).values,
    "sort_descending": lambda t, d, k: t.sort(dim=d, descending=True, stable=True).values,
    "msort": lambda t, d, k: t.msort(),
    "topk": lambda t, d, k: t.topk(k, d).values,
    "topk_smallest": lambda t, d, k: t.topk(k, d, largest=False).values,
    "kthvalue": lambda t, d, k: t.kthvalue(max(k, 1), d, keepdim=True).values,
    "median": lambda t, d, k: t.median(),
    "median_dim": lambda t, d, k: t.median(d).values,
    "nanmedian_dim": lambda t, d, k: t.nanmedian(d, keepdim=True).values,
    "mode": lambda t, d, k: t.mode(d).values,
    "cummax": lambda t, d, k: t.cummax(d).values,
    "cummin": lambda t, d, k: t.cummin(d).values,
    "logcumsumexp": lambda t, d, k: t.logcumsumexp(d),
}


@pytest.mark.parametrize("name", sorted(SELECTIONS))
@prop()
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), how=LAYOUTS, data=st.data(),
       seed=st.integers(0, 2**32 - 1))
def test_sorting_and_selection(name, shape, how, data, seed):
    rng = np.random.default_rng(seed)
    nd = max(len(shape), 1)
    dim = data.draw(st.integers(-nd, nd - 1))
    size = shape[dim] if shape else 1
    k = data.draw(st.integers(0, size))
    a = values(rng, shape, "distinct")  # no ties: the selected element is unique
    gradcheck(lambda t: SELECTIONS[name](t, dim, k), leaf(rng, a, how))


@pytest.mark.parametrize("ord", ["fro", 1, -1, math.inf, -math.inf])
@prop()
@given(shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=3), how=LAYOUTS, keepdim=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_matrix_norm(ord, shape, how, keepdim, seed):
    rng = np.random.default_rng(seed)
    # distinct |x| (so column/row sums do not tie either: sums of distinct grid values can still tie, so use
    # random magnitudes, for which a tie has probability 0 and a near-tie is far rarer than eps)
    a = rng.uniform(0.5, 2, shape) * rng.choice([-1.0, 1.0], shape)
    gradcheck(lambda t: rt.linalg.matrix_norm(t, ord, keepdim=keepdim), leaf(rng, a, how))


# ------------------------------------------------------------------------------------------ matrix products


@pytest.mark.parametrize("vec", ["none", "left", "right", "both"])
@prop()
@given(batch=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, min_side=1, max_side=2),
       mkn=st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)), hows=st.tuples(LAYOUTS, LAYOUTS),
       seed=st.integers(0, 2**32 - 1))
def test_matmul(vec, batch, mkn, hows, seed):
    (ba, bb), _ = batch
    m, k, n = mkn
    sa = (k,) if vec in ("left", "both") else ba + (m, k)
    sb = (k,) if vec in ("right", "both") else bb + (k, n)
    rng = np.random.default_rng(seed)
    a, b = leaf(rng, values(rng, sa, "any"), hows[0]), leaf(rng, values(rng, sb, "any"), hows[1])
    gradcheck(lambda x, y: x @ y, a, b)


@pytest.mark.parametrize("name", ["mm", "mv", "dot", "bmm", "outer"])
@prop()
@given(sizes=st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
       hows=st.tuples(LAYOUTS, LAYOUTS), seed=st.integers(0, 2**32 - 1))
def test_matrix_products(name, sizes, hows, seed):
    bsz, m, k, n = sizes
    sa, sb = {"mm": ((m, k), (k, n)), "mv": ((m, k), (k,)), "dot": ((k,), (k,)), "bmm": ((bsz, m, k), (bsz, k, n)),
              "outer": ((m,), (n,))}[name]
    rng = np.random.default_rng(seed)
    gradcheck(lambda a, b: getattr(rt, name)(a, b), leaf(rng, values(rng, sa, "any"), hows[0]),
              leaf(rng, values(rng, sb, "any"), hows[1]))


EINSUMS = [
    ("ij,jk->ik", ["ij", "jk"]),
    ("ij->ji", ["ij"]),
    ("ii->i", ["ii"]),
    ("ii", ["ii"]),
    ("ij->", ["ij"]),
    ("bij,bjk->bik", ["bij", "bjk"]),
    ("i,j->ij", ["i", "j"]),
    ("ij,ij->i", ["ij", "ij"]),
    ("ij,jk,kl->il", ["ij", "jk", "kl"]),
]


@pytest.mark.parametrize("eq, terms", EINSUMS, ids=[e for e, _ in EINSUMS])
@prop()
@given(sizes=st.fixed_dictionaries({c: st.integers(1, 3) for c in "bijkl"}), how=LAYOUTS,
       seed=st.integers(0, 2**32 - 1))
def test_einsum(eq, terms, sizes, how, seed):
    rng = np.random.default_rng(seed)
    xs = [leaf(rng, values(rng, tuple(sizes[c] for c in t), "any"), how) for t in terms]
    gradcheck(lambda *ops: rt.einsum(eq, *ops), *xs)


# -------------------------------------------------------------------------------------- views, indexing, joins


VIEWS = {
    "transpose": lambda x, r: x.transpose(0, -1),
    "permute": lambda x, r: x.permute(*r.permutation(x.dim()).tolist()),
    "reshape": lambda x, r: x.reshape(-1),
    "view_after_contiguous": lambda x, r: x.contiguous().view(x.numel()),
    "flatten": lambda x, r: x.flatten(),
    "unsqueeze": lambda x, r: x.unsqueeze(-1) * 1.5,
    "squeeze": lambda x, r: x.unsqueeze(0).squeeze(0),
    "expand": lambda x, r: x.unsqueeze(0).expand(3, *x.shape),
    "narrow": lambda x, r: x.narrow(0, 1, x.shape[0] - 1),
    "select": lambda x, r: x.select(-1, 0),
    "basic_index": lambda x, r: x[1:, ..., ::2] if x.dim() > 1 else x[::2],
    "index_none": lambda x, r: x[None, 0],
    "advanced_index": lambda x, r: x[rt.tensor([0, -1, 0])],  # a repeated index: gradients add up
    "mask_index": lambda x, r: x[x > 0],
    "split": lambda x, r: rt.stack([p.sum() for p in x.split(1, 0)]),
    "chunk": lambda x, r: x.chunk(2, -1)[0] * 2,
    "T": lambda x, r: x.T if x.dim() <= 2 else x.transpose(0, 1),
    "clone": lambda x, r: x.clone(),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
@prop()
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), how=LAYOUTS,
       seed=st.integers(0, 2**32 - 1))
def test_views_and_indexing(name, shape, how, seed):
    rng = np.random.default_rng(seed)
    x = leaf(rng, values(rng, shape, "away"), how)
    gradcheck(lambda t: VIEWS[name](t, np.random.default_rng(seed + 1)), x)


@pytest.mark.parametrize("kind", ["basic", "advanced", "mask", "broadcast_value"])
@prop()
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=3), how=LAYOUTS,
       seed=st.integers(0, 2**32 - 1))
def test_setitem_on_non_leaf(kind, shape, how, seed):
    rng = np.random.default_rng(seed)
    x = leaf(rng, values(rng, shape, "away"), how)
    v = leaf(rng, values(rng, shape[1:], "any"), "contiguous")

    def fn(x, v):
        y = x * 2
        if kind == "basic":
            y[0] = v
        elif kind == "advanced":
            y[rt.tensor([1, 0])] = rt.stack([v, v * 3])
        elif kind == "mask":
            y[x > 0] = 0.0
            y = y + v.sum()
        else:
            y[1:] = v.unsqueeze(0)  # broadcast over the rows written
        return y

    gradcheck(fn, x, v)


@pytest.mark.parametrize("op", ["cat", "stack"])
@prop()
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3), n=st.integers(1, 3),
       data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_cat_stack(op, shape, n, data, seed):
    rng = np.random.default_rng(seed)
    nd = len(shape)
    if op == "cat":
        dim = data.draw(st.integers(-nd, nd - 1))
        shapes = []
        for _ in range(n):
            s = list(shape)
            s[dim] = data.draw(st.integers(0, 3))
            shapes.append(tuple(s))
    else:
        dim = data.draw(st.integers(-nd - 1, nd))
        shapes = [tuple(shape)] * n
    xs = [leaf(rng, values(rng, s, "any"), data.draw(LAYOUTS)) for s in shapes]
    gradcheck(lambda *ts: getattr(rt, op)(list(ts), dim), *xs)


# ------------------------------------------------------------------------------------------ a composed model


@prop(2 * N)
@given(b=st.integers(1, 3), i=st.integers(1, 4), h=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_small_mlp(b, i, h, seed):
    """A two-layer perceptron with a softmax-style loss: matmul, broadcasting bias, tanh, logsumexp, mean."""
    rng = np.random.default_rng(seed)
    x = rt.tensor(values(rng, (b, i), "any"), dtype=rt.float64)
    w1 = leaf(rng, values(rng, (h, i), "any"), "permuted")
    b1 = leaf(rng, values(rng, (h,), "any"), "contiguous")
    w2 = leaf(rng, values(rng, (2, h), "any"), "strided")

    def loss(w1, b1, w2):
        z = (x @ w1.T + b1).tanh() @ w2.T
        return (z.logsumexp(1) - z[:, 0]).mean()

    gradcheck(loss, w1, b1, w2)
