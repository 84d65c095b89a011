"""The one registry of benchmark workloads, shared by ``compare.py`` (the side-by-side table) and
``test_benchmarks.py`` (the pytest-benchmark suite): each workload names its inputs and, per
library, a setup that returns the zero-argument callable to time.

Adding a workload: call ``workload(...)`` below. ``all=`` is a setup used by every library;
``np=`` overrides it for numpy, ``tl=`` for the torch-like APIs (rtensor and torch), ``rt=`` /
``th=`` for one of them. A setup takes (module, *inputs) and returns the callable; inputs come
from :class:`Data` (the same random values for every library, made with numpy).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

M16 = 1 << 24  # 16M elements = 4096 x 4096
F32, F64 = "float32", "float64"


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------

Setup = Callable[..., Callable[[], object]]


@dataclass
class Workload:
    name: str
    group: str
    inputs: tuple = ()                # ((shape, dtype), ...): one fresh copy per library
    all: Optional[Setup] = None       # setup for every library ...
    np: Optional[Setup] = None        # ... unless overridden for numpy,
    tl: Optional[Setup] = None        # for rtensor and torch (same API),
    rt: Optional[Setup] = None        # for rtensor alone,
    th: Optional[Setup] = None        # for torch alone
    target: str = ""                  # what the target says, for the table
    checks: tuple = ()                # ((reference, max ratio), ...); empty: no target
    flops: float = 0.0                # floating-point operations per call, for GFLOP/s
    rtol: float = 1e-5                # max |got - numpy| / max |numpy| accepted when verifying
    runner: str = ""                  # "imports": timed in fresh interpreters instead

    def setup_for(self, lib: str) -> Optional[Setup]:
        own = {"rtensor": self.rt, "numpy": self.np, "torch": self.th}[lib]
        if own is not None:
            return own
        if lib != "numpy" and self.tl is not None:
            return self.tl
        return self.all

    def deps(self) -> list:
        return [ref[3:] for ref, _ in self.checks if ref.startswith("rt:")]


WORKLOADS: list = []


def workload(**kw) -> Workload:
    w = Workload(**kw)
    if any(x.name == w.name for x in WORKLOADS):
        raise ValueError(f"duplicate workload name {w.name!r}")
    WORKLOADS.append(w)
    return w


def no_slower_than_numpy():
    return dict(target="<= numpy", checks=(("numpy", 1.0),))


def no_slower_than_best():
    return dict(target="<= best peer", checks=(("best", 1.0),))


def faster_than_best(times: float):
    if times == int(times):
        text = f"{int(times)}x faster than best"
    else:
        text = f"<= {1 / times:.2g}x best peer"
    return dict(target=text, checks=(("best", 1.0 / times),))


# --- issue 2: the tensor core -----------------------------------------------------------------

workload(name="import", group="core", runner="imports",
         target="< numpy and < torch/20", checks=(("numpy", 1.0), ("torch", 0.05)))

workload(name="a + a [2x2 f32]", group="core", inputs=(((2, 2), F32),),
         all=lambda L, a: lambda: a + a, **no_slower_than_numpy())
workload(name="a * a [16M f32]", group="core", inputs=(((M16,), F32),),
         all=lambda L, a: lambda: a * a, **no_slower_than_numpy())
workload(name="a.clone() [16M f32]", group="core", inputs=(((M16,), F32),),
         np=lambda L, a: lambda: a.copy(), tl=lambda L, a: lambda: a.clone(),
         **no_slower_than_numpy())
workload(name="a.T.contiguous() [4096² f32]", group="core", inputs=(((4096, 4096), F32),),
         np=lambda L, a: lambda: L.ascontiguousarray(a.T), tl=lambda L, a: lambda: a.T.contiguous(),
         **faster_than_best(3))


def _constant_time(op: str, flat: bool, **setups):
    """Two rows per view op, on 1K and on 16M elements: the 16M one must take about as long."""
    small = None
    for label, side in (("1K", 32), ("16M", 4096)):
        shape = (side * side,) if flat else (side, side)
        kw = {k: (lambda s, n: (lambda L, a: s(L, a, n)))(s, side) for k, s in setups.items()}
        name = f"{op} [{label} f32]"
        if small is None:
            small = workload(name=name, group="core", inputs=((shape, F32),),
                             target="(O(1) baseline)", **kw)
        else:
            workload(name=name, group="core", inputs=((shape, F32),), **kw,
                     target="O(1): <= 2x the 1K time", checks=((f"rt:{small.name}", 2.0),))


# numpy has no detach(); a.view() (a new array object on the same memory) is its counterpart.
_constant_time("a.detach()", True, np=lambda L, a, n: lambda: a.view(),
               tl=lambda L, a, n: lambda: a.detach())
_constant_time("a.reshape(n, n)", True, all=lambda L, a, n: lambda: a.reshape(n, n))
# numpy's transpose(0, 1) is the identity permutation: swapaxes is torch's transpose.
_constant_time("a.transpose(0, 1)", False, np=lambda L, a, n: lambda: a.swapaxes(0, 1),
               tl=lambda L, a, n: lambda: a.transpose(0, 1))
_constant_time("a[1:-1]", True, all=lambda L, a, n: lambda: a[1:-1])


# --- issue 4: reductions and scans ------------------------------------------------------------

def _reduction(name, shape, target, rtol=1e-4, **setups):
    workload(name=f"{name} [{_shape_label(shape)} f32]", group="reduce",
             inputs=((shape, F32),), rtol=rtol, **target, **setups)


def _shape_label(shape):
    if shape == (M16,):
        return "16M"
    if len(shape) == 2 and shape[0] == shape[1]:
        return f"{shape[0]}²"
    return "x".join(map(str, shape))


_SQ = (4096, 4096)
_reduction("a.sum()", (M16,), no_slower_than_best(), all=lambda L, a: lambda: a.sum())
_reduction("a.sum(0)", _SQ, no_slower_than_best(), all=lambda L, a: lambda: a.sum(0))
_reduction("a.sum(1)", _SQ, no_slower_than_best(), all=lambda L, a: lambda: a.sum(1))
_reduction("a.mean(1, keepdim=True)", _SQ, no_slower_than_best(),
           np=lambda L, a: lambda: a.mean(1, keepdims=True),
           tl=lambda L, a: lambda: a.mean(1, keepdim=True))
# float32 running sums drift with the summation order: compare loosely.
_reduction("a.cumsum(0)", (M16,), faster_than_best(3), rtol=1e-2,
           all=lambda L, a: lambda: a.cumsum(0))
_reduction("a.cumsum(0)", _SQ, faster_than_best(3), rtol=1e-3,
           all=lambda L, a: lambda: a.cumsum(0))
_reduction("a.cumsum(1)", _SQ, faster_than_best(3), rtol=1e-3,
           all=lambda L, a: lambda: a.cumsum(1))
# numpy's float32 norm accumulates in float32 (BLAS snrm2/sdot): a looser check.
_reduction("a.norm()", (M16,), no_slower_than_best(), rtol=2e-3,
           np=lambda L, a: lambda: L.linalg.norm(a), tl=lambda L, a: lambda: a.norm())
_reduction("a.abs().sum()", (M16,), no_slower_than_best(),
           np=lambda L, a: lambda: L.abs(a).sum(), tl=lambda L, a: lambda: a.abs().sum())

# The other reductions of issue 4 (the issue sets no figure for them: the same bar as sum's).
_reduction("a.var(1)", _SQ, no_slower_than_best(),
           np=lambda L, a: lambda: a.var(1, ddof=1), tl=lambda L, a: lambda: a.var(1))
_reduction("a.std(0)", _SQ, no_slower_than_best(),
           np=lambda L, a: lambda: a.std(0, ddof=1), tl=lambda L, a: lambda: a.std(0))
_reduction("a.argmax()", (M16,), no_slower_than_best(), all=lambda L, a: lambda: a.argmax())
_reduction("a.argmax(0)", _SQ, no_slower_than_best(), all=lambda L, a: lambda: a.argmax(0))
_reduction("a.logsumexp(1)", _SQ, no_slower_than_best(),
           np=lambda L, a: lambda: L.log(L.exp(a - a.max(1, keepdims=True)).sum(1)) + a.max(1),
           tl=lambda L, a: lambda: a.logsumexp(1))
_reduction("a.amax(1)", _SQ, no_slower_than_best(),
           np=lambda L, a: lambda: a.max(1), tl=lambda L, a: lambda: a.amax(1))

# --- issue 5: linear algebra ------------------------------------------------------------------

def _mm(n, dtype):
    workload(name=f"a.mm(b) [{n}² {dtype[0]}{dtype[-2:]}]", group="linalg",
             inputs=(((n, n), dtype), ((n, n), dtype)), flops=2.0 * n ** 3, rtol=1e-4,
             np=lambda L, a, b: lambda: a @ b, tl=lambda L, a, b: lambda: a.mm(b),
             **faster_than_best(1 / 0.9))


_mm(1024, F32)
_mm(2048, F32)
_mm(1024, F64)
workload(name="bmm(a, b) [64x128x128 f32]", group="linalg",
         inputs=(((64, 128, 128), F32), ((64, 128, 128), F32)), flops=2.0 * 64 * 128 ** 3,
         rtol=1e-4, np=lambda L, a, b: lambda: L.matmul(a, b), tl=lambda L, a, b: lambda: L.bmm(a, b),
         **faster_than_best(1 / 0.9))
workload(name="a.mv(x) [4096² f32]", group="linalg", inputs=(((4096, 4096), F32), ((4096,), F32)),
         flops=2.0 * 4096 ** 2, rtol=1e-4,
         np=lambda L, a, x: lambda: a @ x, tl=lambda L, a, x: lambda: a.mv(x),
         **no_slower_than_best())
workload(name="a.dot(b) [16M f32]", group="linalg", inputs=(((M16,), F32), ((M16,), F32)),
         flops=2.0 * M16, rtol=1e-4, all=lambda L, a, b: lambda: a.dot(b),
         **no_slower_than_best())


# --- issue 3: autograd (rtensor and torch only; numpy has no autograd) -------------------------

def _leaf(t):
    return t.requires_grad_()


def _tiny_step(L, a):
    a = _leaf(a)
    return lambda: (a * a).sum().backward()


def _linear_step(reduce):
    def setup(L, x, w):
        w = _leaf(w)

        def step():
            h = x.mm(w)
            getattr(h * h, reduce)().backward()
        return step
    return setup


workload(name="(a * a).sum().backward() [2x2 f32]", group="autograd", inputs=(((2, 2), F32),),
         tl=_tiny_step, target="<= torch / 5", checks=(("torch", 0.2),))
workload(name="x.mm(W); (h * h).sum().backward() [32x64 @ 64x64 f32]", group="autograd",
         inputs=(((32, 64), F32), ((64, 64), F32)), tl=_linear_step("sum"),
         target="<= torch / 2", checks=(("torch", 0.5),))
workload(name="x.mm(W); (h * h).mean().backward() [1024² f32]", group="autograd",
         inputs=(((1024, 1024), F32), ((1024, 1024), F32)), tl=_linear_step("mean"),
         target="<= torch", checks=(("torch", 1.0),))


# --- issue 15: higher-order autograd --------------------------------------------------------------

def _mlp_grad(double):
    """autograd.grad(loss, params, create_graph=True) of a 2-layer tanh MLP (and, with `double`,
    the backward of the gradient penalty through it)."""
    def setup(L, x, w1, w2):
        w1, w2 = _leaf(w1 * 0.05), _leaf(w2 * 0.05)

        def step():
            loss = ((x.mm(w1)).tanh().mm(w2)).pow(2).mean()
            g1, g2 = L.autograd.grad(loss, [w1, w2], create_graph=True)
            if double:
                ((g1 * g1).sum() + (g2 * g2).sum()).backward()
            return g1
        return step
    return setup


workload(name="autograd.grad(loss, params, create_graph=True) [MLP 64x256 tanh f32]",
         group="autograd", inputs=(((64, 256), F32), ((256, 256), F32), ((256, 10), F32)),
         tl=_mlp_grad(False), target="<= torch", checks=(("torch", 1.0),))
workload(name="gradient penalty: grad(create_graph) + backward [MLP 64x256 tanh f32]",
         group="autograd", inputs=(((64, 256), F32), ((256, 256), F32), ((256, 10), F32)),
         tl=_mlp_grad(True), target="<= torch", checks=(("torch", 1.0),))


# --- nn, optim: one training step of the tutorials' MLP ---------------------------------------

def _train_step(opt):
    """Forward, cross-entropy loss, backward and an optimizer step of Linear(784, 512)-ReLU-
    Linear(512, 512)-ReLU-Linear(512, 10) on a batch of 64 (PyTorch's quickstart network)."""
    def setup(L, x, t):
        L.manual_seed(0)
        model = L.nn.Sequential(L.nn.Flatten(), L.nn.Linear(784, 512), L.nn.ReLU(),
                                L.nn.Linear(512, 512), L.nn.ReLU(), L.nn.Linear(512, 10))
        labels = (t.abs() * 7).long() % 10
        optimizer = (L.optim.SGD(model.parameters(), lr=1e-3) if opt == "sgd"
                     else L.optim.Adam(model.parameters(), lr=1e-3))
        loss_fn = L.nn.CrossEntropyLoss()

        def step():
            loss = loss_fn(model(x), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return step
    return setup


for _opt in ("sgd", "adam"):
    workload(name=f"training step, {_opt} [MLP 784-512-512-10, batch 64 f32]", group="nn",
             inputs=(((64, 1, 28, 28), F32), ((64,), F32)), tl=_train_step(_opt),
             target="<= torch", checks=(("torch", 1.0),))


# --- issue 13: pointwise, comparison and softmax families -------------------------------------

workload(name="a.softmax(1) [4096² f32]", group="pointwise", inputs=((_SQ, F32),),
         np=lambda L, a: lambda: (lambda e: e / e.sum(1, keepdims=True))(L.exp(a - a.max(1, keepdims=True))),
         tl=lambda L, a: lambda: a.softmax(1), **no_slower_than_best())
workload(name="a.log_softmax(1) [4096² f32]", group="pointwise", inputs=((_SQ, F32),),
         np=lambda L, a: lambda: (lambda d: d - L.log(L.exp(d).sum(1, keepdims=True)))(a - a.max(1, keepdims=True)),
         tl=lambda L, a: lambda: a.log_softmax(1), **no_slower_than_best())
workload(name="a.exp() [16M f32]", group="pointwise", inputs=(((M16,), F32),),
         np=lambda L, a: lambda: L.exp(a), tl=lambda L, a: lambda: a.exp(), **no_slower_than_best())
workload(name="a.sigmoid() [16M f32]", group="pointwise", inputs=(((M16,), F32),),
         np=lambda L, a: lambda: 1 / (1 + L.exp(-a)), tl=lambda L, a: lambda: a.sigmoid(),
         **no_slower_than_best())
# numpy has no erf (scipy's is not a dependency): the peer is torch.
workload(name="a.erf() [16M f32]", group="pointwise", inputs=(((M16,), F32),),
         tl=lambda L, a: lambda: a.erf(), target="<= torch", checks=(("torch", 1.0),))
workload(name="a.floor() [16M f32]", group="pointwise", inputs=(((M16,), F32),),
         np=lambda L, a: lambda: L.floor(a), tl=lambda L, a: lambda: a.floor(), **no_slower_than_best())
workload(name="isclose(a, b) [16M f32]", group="pointwise", inputs=(((M16,), F32), ((M16,), F32)),
         np=lambda L, a, b: lambda: L.isclose(a, b), tl=lambda L, a, b: lambda: L.isclose(a, b),
         **no_slower_than_best())
workload(name="addcmul(a, b, c) [16M f32]", group="pointwise",
         inputs=(((M16,), F32), ((M16,), F32), ((M16,), F32)),
         np=lambda L, a, b, c: lambda: a + b * c, tl=lambda L, a, b, c: lambda: L.addcmul(a, b, c),
         **no_slower_than_best())

# --- issue 14: indexing, sorting and the "other" ops ---------------------------------------------
workload(name="tril(a) [4096² f32]", group="select", inputs=((_SQ, F32),),
         all=lambda L, a: lambda: L.tril(a), **no_slower_than_best())
I64 = "int64"
workload(name="a.sort() [16M f32]", group="select", inputs=(((M16,), F32),),
         np=lambda L, a: lambda: L.sort(a), tl=lambda L, a: lambda: a.sort()[0],
         **no_slower_than_best())
# Ties are common (16M float32 draws, 4096 to a row) and each library orders them its own way
# (numpy's and torch's default sorts are unstable): the indices are not compared; the sort row
# above checks the values.
workload(name="a.argsort(1) [4096² f32]", group="select", inputs=((_SQ, F32),), rtol=math.inf,
         np=lambda L, a: lambda: L.argsort(a, 1), tl=lambda L, a: lambda: a.argsort(1),
         **no_slower_than_best())
# numpy has no topk: its counterpart partitions, then sorts the ten.
workload(name="a.topk(10, dim=1) [4096² f32]", group="select", inputs=((_SQ, F32),),
         np=lambda L, a: lambda: L.sort(L.partition(a, -10, 1)[:, -10:], 1)[:, ::-1],
         tl=lambda L, a: lambda: a.topk(10, dim=1)[0], **no_slower_than_best())
# Integer inputs are 0..99: scaled to index the 4096 columns, or the 65536 rows of the table.
workload(name="a.gather(1, idx) [4096² f32]", group="select", inputs=((_SQ, F32), (_SQ, I64)),
         np=lambda L, a, i: (lambda idx: lambda: L.take_along_axis(a, idx, 1))(i * 40),
         tl=lambda L, a, i: (lambda idx: lambda: a.gather(1, idx))(i * 40), **no_slower_than_best())
workload(name="a.scatter_add(1, idx, b) [4096² f32]", group="select",
         inputs=((_SQ, F32), (_SQ, I64), (_SQ, F32)),
         np=lambda L, a, i, b: (lambda idx, rows: lambda: (lambda c: (L.add.at(c, (rows, idx), b), c)[1])(
             a.copy()))(i * 40, L.arange(4096)[:, None]),
         tl=lambda L, a, i, b: (lambda idx: lambda: a.scatter_add(1, idx, b))(i * 40), rtol=1e-4,
         **no_slower_than_best())
workload(name="index_select(t, 0, idx) [1M rows of 65536x64 f32]", group="select",
         inputs=(((65536, 64), F32), ((1 << 20,), I64)),
         np=lambda L, t, i: (lambda idx: lambda: L.take(t, idx, 0))(i * 655),
         tl=lambda L, t, i: (lambda idx: lambda: L.index_select(t, 0, idx))(i * 655),
         **no_slower_than_best())
workload(name="a.masked_fill(m, 0) [16M f32]", group="select", inputs=(((M16,), F32), ((M16,), I64)),
         np=lambda L, a, i: (lambda m: lambda: L.where(m, 0, a))(i > 50),
         tl=lambda L, a, i: (lambda m: lambda: a.masked_fill(m, 0))(i > 50), **no_slower_than_best())
workload(name="nonzero(m) [16M bool]", group="select", inputs=(((M16,), I64),),
         np=lambda L, i: (lambda m: lambda: L.argwhere(m))(i > 50),
         tl=lambda L, i: (lambda m: lambda: L.nonzero(m))(i > 50), **no_slower_than_best())
# --- nn.functional activations (numpy has no erf: compared with torch only) ---------------------
workload(name="F.gelu(a) [16M f32]", group="nn", inputs=(((M16,), F32),),
         tl=lambda L, a: (lambda f: lambda: f.gelu(a))(L.nn.functional),
         target="<= torch", checks=(("torch", 1.0),))
workload(name="unique(a) [16M i64 from 1000 values]", group="select", inputs=(((M16,), I64), ((M16,), I64)),
         np=lambda L, i, j: (lambda a: lambda: L.unique(a))(i * 10 + j % 10),
         tl=lambda L, i, j: (lambda a: lambda: L.unique(a))(i * 10 + j % 10), **no_slower_than_best())

# --- nn.functional: normalisation and embedding (torch.nn.functional through L.nn.functional) -----
workload(name="F.layer_norm(x, (1024,)) [4096x1024 f32]", group="nn", inputs=(((4096, 1024), F32),),
         np=lambda L, a: lambda: (a - a.mean(1, keepdims=True)) / L.sqrt(a.var(1, keepdims=True) + 1e-5),
         tl=lambda L, a: lambda: L.nn.functional.layer_norm(a, (1024,)))
# Integer inputs are 0..99: scaled by 500 to index the 50000 rows of the table.
workload(name="F.embedding(idx, W) [65536 idx of 50000x256 f32]", group="nn",
         inputs=(((50000, 256), F32), ((65536,), I64)),
         np=lambda L, w, i: (lambda idx: lambda: L.take(w, idx, 0))(i * 500),
         tl=lambda L, w, i: (lambda idx: lambda: L.nn.functional.embedding(idx, w))(i * 500))

# --- issue 14: BLAS-like products and cdist ------------------------------------------------------
workload(name="cdist(x, y) [2048x64 vs 2048x64 f32]", group="blas",
         inputs=(((2048, 64), F32), ((2048, 64), F32)), flops=2.0 * 2048 * 2048 * 64, rtol=1e-3,
         np=lambda L, x, y: lambda: L.sqrt(L.maximum(
             (x * x).sum(1)[:, None] - 2 * x @ y.T + (y * y).sum(1)[None, :], 0)),
         tl=lambda L, x, y: lambda: L.cdist(x, y), **no_slower_than_best())
workload(name="addmm(c, a, b) [1024² f32]", group="blas",
         inputs=(((1024,), F32), ((1024, 1024), F32), ((1024, 1024), F32)), flops=2.0 * 1024 ** 3,
         rtol=1e-4, np=lambda L, c, a, b: lambda: c + a @ b, tl=lambda L, c, a, b: lambda: L.addmm(c, a, b),
         **no_slower_than_best())
workload(name="baddbmm(c, a, b) [64x128x128 f32]", group="blas",
         inputs=(((64, 128, 128), F32), ((64, 128, 128), F32), ((64, 128, 128), F32)),
         flops=2.0 * 64 * 128 ** 3, rtol=1e-4, np=lambda L, c, a, b: lambda: c + L.matmul(a, b),
         tl=lambda L, c, a, b: lambda: L.baddbmm(c, a, b), **no_slower_than_best())

# --- issue 14: rearranging copies (repeat, flip, roll) -------------------------------------------
workload(name="a.repeat(2, 2) [4096² f32]", group="rearrange", inputs=((_SQ, F32),),
         np=lambda L, a: lambda: L.tile(a, (2, 2)), tl=lambda L, a: lambda: a.repeat(2, 2),
         **no_slower_than_best())
workload(name="a.flip(0) [4096² f32]", group="rearrange", inputs=((_SQ, F32),),
         np=lambda L, a: lambda: L.flip(a, 0).copy(), tl=lambda L, a: lambda: a.flip(0),
         **no_slower_than_best())
workload(name="a.roll(1, 0) [4096² f32]", group="rearrange", inputs=((_SQ, F32),),
         np=lambda L, a: lambda: L.roll(a, 1, 0), tl=lambda L, a: lambda: a.roll(1, 0),
         **no_slower_than_best())

# --- issue 15: the 16-bit floats and uint8 images -----------------------------------------------
# Inputs are made in float32 (centred, so that a float16 sum of 16M stays finite) or int64 0..99,
# then converted once in the setup; numpy has float16 but no bfloat16 (torch is the only peer).
_IMAGES = (64, 3, 256, 341)  # 16.8M uint8 pixels
workload(name="a + a [16M f16]", group="dtypes", inputs=(((M16,), F32),), rtol=1e-3,
         np=lambda L, a: (lambda h: lambda: h + h)((a - 0.5).astype(L.float16)),
         tl=lambda L, a: (lambda h: lambda: h + h)((a - 0.5).half()), **no_slower_than_best())
workload(name="a + a [16M bf16]", group="dtypes", inputs=(((M16,), F32),),
         tl=lambda L, a: (lambda h: lambda: h + h)((a - 0.5).bfloat16()), **no_slower_than_best())
workload(name="a.sum() [16M f16]", group="dtypes", inputs=(((M16,), F32),), rtol=1.0,
         np=lambda L, a: (lambda h: lambda: h.sum())((a - 0.5).astype(L.float16)),
         tl=lambda L, a: (lambda h: lambda: h.sum())((a - 0.5).half()), **no_slower_than_best())
workload(name="a.sum() [16M bf16]", group="dtypes", inputs=(((M16,), F32),),
         tl=lambda L, a: (lambda h: lambda: h.sum())((a - 0.5).bfloat16()), **no_slower_than_best())
workload(name="a.float() [64x3x256x341 u8]", group="dtypes", inputs=((_IMAGES, I64),),
         np=lambda L, a: (lambda u: lambda: u.astype(L.float32))(a.astype(L.uint8)),
         tl=lambda L, a: (lambda u: lambda: u.float())(a.to(L.uint8)), **no_slower_than_best())

# --- issue 15: random sampling (the streams differ between libraries: results are not compared) ---
# numpy's peer is a Generator (PCG64: standard_normal's ziggurat, permutation's Fisher-Yates); its
# counterpart of multinomial without replacement is the Gumbel top-k (argpartition of log p + Gumbel).
_NO_CHECK = math.inf
workload(name="randn(16M) [f32]", group="random", rtol=_NO_CHECK,
         np=lambda L: (lambda g: lambda: g.standard_normal(M16, dtype=L.float32))(L.random.default_rng(0)),
         tl=lambda L: lambda: L.randn(M16), **no_slower_than_best())
workload(name="a.normal_() [16M f32]", group="random", inputs=(((M16,), F32),), rtol=_NO_CHECK,
         np=lambda L, a: (lambda g: lambda: g.standard_normal(out=a, dtype=L.float32))(L.random.default_rng(0)),
         tl=lambda L, a: lambda: a.normal_(), **no_slower_than_best())
workload(name="randperm(16M)", group="random", rtol=_NO_CHECK,
         np=lambda L: (lambda g: lambda: g.permutation(M16))(L.random.default_rng(0)),
         tl=lambda L: lambda: L.randperm(M16), **no_slower_than_best())
workload(name="multinomial(p, 20) [4096x1000 f32, no replacement]", group="random",
         inputs=(((4096, 1000), F32),), rtol=_NO_CHECK,
         np=lambda L, p: (lambda g, lp: lambda: L.argpartition(lp + g.gumbel(size=lp.shape), -20, 1)[:, -20:])(
             L.random.default_rng(0), L.log(L.abs(p) + 0.01)),
         tl=lambda L, p: (lambda w: lambda: L.multinomial(w, 20))(p.abs() + 0.01), **no_slower_than_best())

# --- issue 16: safetensors files (load_file of 64 MB; each library reads a file it wrote) --------
# rtensor's peers are the safetensors package's loaders for numpy and torch: a library whose loader
# is not installed is missing (AttributeError). The files go in one temporary folder, removed at exit.
_ST_DIR = []


def _st_module(lib: str, L):
    if lib == "rtensor":
        return L.safetensors
    import importlib
    try:
        return importlib.import_module(f"safetensors.{lib}")
    except ImportError as e:
        raise AttributeError(f"safetensors.{lib} is not installed ({e})") from None


def _st_file(lib: str, L, a) -> str:
    import atexit
    import os
    import shutil
    import tempfile
    if not _ST_DIR:
        _ST_DIR.append(tempfile.mkdtemp(prefix="rtensor-bench-st-"))
        atexit.register(shutil.rmtree, _ST_DIR[0], True)
    path = os.path.join(_ST_DIR[0], f"{lib}.safetensors")
    _st_module(lib, L).save_file({"a": a}, path)
    return path


def _st_load(lib: str):
    return lambda L, a: (lambda m, path: lambda: m.load_file(path)["a"])(_st_module(lib, L), _st_file(lib, L, a))


workload(name="load_file [64 MB f32 safetensors]", group="safetensors", inputs=(((M16,), F32),),
         np=_st_load("numpy"), rt=_st_load("rtensor"), th=_st_load("torch"), **no_slower_than_best())


class Data:
    """Random inputs made once with numpy, then copied into each library."""

    def __init__(self, np, mods, seed=0):
        self.np, self.mods, self.seed, self.cache = np, mods, seed, {}

    def master(self, shape, dtype, idx):
        n = math.prod(shape)
        key = (n, dtype, idx)
        if key not in self.cache:
            rng = self.np.random.default_rng([self.seed, idx, n])
            if dtype in (F32, F64):
                self.cache[key] = rng.random(n, dtype=dtype)
            else:
                self.cache[key] = rng.integers(0, 100, n).astype(dtype)
        return self.cache[key].reshape(shape)

    def for_lib(self, lib, shape, dtype, idx):
        x = self.master(shape, dtype, idx).copy()  # each library gets memory of its own
        if lib == "numpy":
            return x
        mod = self.mods[lib]
        if lib == "torch":
            return mod.from_numpy(x)
        from_numpy = getattr(mod, "from_numpy", None)
        return from_numpy(x) if from_numpy is not None else mod.tensor(x)


def as_numpy(np, lib, r):
    """A library's result as a numpy array."""
    if lib == "torch" and hasattr(r, "detach"):
        return r.detach().cpu().numpy()
    return np.asarray(r)


def disagreements(np, w: Workload, lib: str, got, ref) -> list:
    """How ``lib``'s result ``got`` differs from numpy's ``ref``: (fatal, message) pairs, empty
    when they agree within ``w.rtol`` (relative to numpy's largest magnitude). A dtype difference
    is reported but not fatal (the libraries' result dtypes legitimately differ in places)."""
    ref = np.asarray(ref)
    try:
        got = as_numpy(np, lib, got)
    except Exception as e:
        return [(True, f"{lib}: result not comparable with numpy ({type(e).__name__}: {e})")]
    if got.shape != ref.shape:
        return [(True, f"{lib}: result shape {got.shape} but numpy's is {ref.shape}")]
    out = []
    if got.dtype != ref.dtype:
        out.append((False, f"{lib}: result dtype {got.dtype} but numpy's is {ref.dtype}"))
    if ref.size == 0:
        return out
    scale = float(np.max(np.abs(ref.astype(np.float64)))) or 1.0
    err = float(np.max(np.abs(got.astype(np.float64) - ref.astype(np.float64)))) / scale
    if not err <= w.rtol:
        out.append((True, f"{lib}: result differs from numpy's: max|diff|/max|numpy| = {err:.2g} "
                          f"(tolerance {w.rtol:g})"))
    return out
