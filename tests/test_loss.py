# The loss functions of rtensor.nn.functional (mse_loss, l1_loss, smooth_l1_loss, huber_loss, nll_loss,
# cross_entropy, binary_cross_entropy, binary_cross_entropy_with_logits): values against numpy for every
# reduction, gradcheck in float64 (input and, where torch differentiates it, target), and against torch
# where it is installed: values, dtypes, shapes, grad_fn names, gradients, warnings, error types and messages.
import warnings

import numpy as np
import pytest

import rtensor as rt
import rtensor.nn.functional as F

REDUCTIONS = ["mean", "sum", "none"]
RNG = np.random.default_rng(0)


def reduce_np(v, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](v)


def np_regression(name, x, t, reduction, p=1.0):
    d = x.astype(np.float64) - t
    ad = np.abs(d)
    v = {
        "mse_loss": d * d,
        "l1_loss": ad,
        "smooth_l1_loss": np.where(ad < p, 0.5 * d * d / p, ad - 0.5 * p) if p else ad,
        "huber_loss": np.where(ad < p, 0.5 * d * d, p * (ad - 0.5 * p)),
    }[name]
    return reduce_np(v, reduction)


def np_log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def np_nll(x, t, weight=None, ignore_index=-100, reduction="mean"):
    x = np.moveaxis(x.astype(np.float64), 1 if x.ndim > 1 else 0, -1)
    w = np.ones(x.shape[-1]) if weight is None else weight.astype(np.float64)
    kept = t != ignore_index
    safe = np.where(kept, t, 0)
    picked = np.take_along_axis(x, safe[..., None], -1)[..., 0]
    wt = w[safe] * kept
    loss = -picked * wt
    if reduction == "mean":
        with np.errstate(invalid="ignore"):
            return loss.sum() / wt.sum()
    return reduce_np(loss, reduction)


def np_bce(x, t, weight=None, reduction="mean"):
    x, t = x.astype(np.float64), t.astype(np.float64)
    with np.errstate(divide="ignore"):
        v = -(t * np.maximum(np.log(x), -100) + (1 - t) * np.maximum(np.log1p(-x), -100))
    if weight is not None:
        v = v * weight
    return reduce_np(v, reduction)


def np_bce_logits(x, t, weight=None, reduction="mean", pos_weight=None):
    x, t = x.astype(np.float64), t.astype(np.float64)
    log_sig = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
    lw = 1 if pos_weight is None else (pos_weight - 1) * t + 1
    v = (1 - t) * x - lw * log_sig
    if weight is not None:
        v = v * weight
    return reduce_np(v, reduction)


def close(a, b, dtype):
    tol = 1e-5 if dtype == np.float32 else 1e-11
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), b, rtol=tol, atol=tol)


def test_namespace():
    assert callable(F.mse_loss) and callable(F.cross_entropy)
    for name in ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy",
                 "binary_cross_entropy", "binary_cross_entropy_with_logits"]:
        assert name in F.__all__ and name in rt._rtensor._namespaces["nn.functional"]


# ------------------------------------------------------------------------------------ values vs numpy

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw,p", [("mse_loss", {}, 1.0), ("l1_loss", {}, 1.0),
                                       ("smooth_l1_loss", {"beta": 0.7}, 0.7),
                                       ("smooth_l1_loss", {"beta": 0.0}, 0.0),
                                       ("huber_loss", {"delta": 1.3}, 1.3)])
def test_regression_values(name, kw, p, reduction, dtype):
    x = RNG.normal(size=(4, 5)).astype(dtype) * 2
    t = RNG.normal(size=(4, 5)).astype(dtype)
    out = getattr(F, name)(rt.tensor(x), rt.tensor(t), reduction=reduction, **kw)
    exp = np_regression(name, x, t, reduction, p)
    assert out.dtype == rt.tensor(x).dtype and tuple(out.shape) == np.shape(exp)
    close(out.numpy(), exp, dtype)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_weight(name, reduction):
    x, t, w = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4)), RNG.uniform(size=(3, 4))
    out = getattr(F, name)(rt.tensor(x), rt.tensor(t), reduction=reduction, weight=rt.tensor(w))
    v = np_regression(name, x, t, "none") * w
    exp = {"none": v, "sum": v.sum(), "mean": v.sum() / w.sum() if name != "huber_loss" else v.mean()}[reduction]
    close(out.numpy(), exp, np.float64)
    with pytest.raises(ValueError, match="Weights and input must have the same size."):
        getattr(F, name)(rt.tensor(x), rt.tensor(t), weight=rt.tensor(w[0]))


def test_regression_broadcast_warns():
    x, t = RNG.normal(size=(3, 4)), RNG.normal(size=(4,))
    with pytest.warns(UserWarning, match=r"Using a target size \(rtensor.Size\(\[4\]\)\) that is different"):
        out = F.mse_loss(rt.tensor(x), rt.tensor(t))
    close(out.numpy(), np.mean((x - t) ** 2), np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(rt.tensor(x), rt.tensor(x))


@pytest.mark.parametrize("size_average,reduce,expected", [(None, False, "none"), (False, None, "sum"),
                                                          (True, True, "mean"), (False, False, "none")])
def test_legacy_arguments(size_average, reduce, expected):
    x, t = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    with pytest.warns(UserWarning, match=f"please use reduction='{expected}' instead"):
        out = F.mse_loss(rt.tensor(x), rt.tensor(t), size_average=size_average, reduce=reduce)
    close(out.numpy(), np_regression("mse_loss", x, t, expected), np.float64)


def test_bad_reduction():
    x = rt.ones(3)
    for f in [F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.huber_loss, F.binary_cross_entropy_with_logits]:
        with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
            f(x, x, reduction="foo")
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.nll_loss(rt.zeros(2, 3), rt.tensor([0, 1]), reduction="foo")


def test_regression_errors():
    x = rt.ones(3)
    with pytest.raises(RuntimeError, match="smooth_l1_loss does not support negative values for beta."):
        F.smooth_l1_loss(x, x, beta=-1.0)
    for delta in [0.0, -1.0]:
        with pytest.raises(RuntimeError, match="huber_loss does not support non-positive values for delta."):
            F.huber_loss(x, x, delta=delta)
    with pytest.raises(NotImplementedError, match="\"mse_cpu\" not implemented for 'Long'"):
        F.mse_loss(rt.arange(3), rt.arange(3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 5), (5,), (2, 5, 3), (2, 5, 3, 2), (2, 5, 2, 1, 2)])
def test_nll_and_cross_entropy_values(shape, reduction, dtype):
    x = RNG.normal(size=shape).astype(dtype)
    tshape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    t = RNG.integers(0, 5, size=tshape)
    t.reshape(-1)[:1] = -100
    w = RNG.uniform(0.5, 2, size=5).astype(dtype)
    for weight in [None, w]:
        rw = None if weight is None else rt.tensor(weight)
        out = F.nll_loss(rt.tensor(x), rt.tensor(t), weight=rw, reduction=reduction)
        exp = np_nll(x, t, weight, reduction=reduction)
        assert out.dtype == rt.tensor(x).dtype and tuple(out.shape) == np.shape(exp)
        close(out.numpy(), exp, dtype)
        ce = F.cross_entropy(rt.tensor(x), rt.tensor(t), weight=rw, reduction=reduction)
        close(ce.numpy(), np_nll(np_log_softmax(x.astype(np.float64), 1 if x.ndim > 1 else 0), t, weight,
                                 reduction=reduction), dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ls", [0.0, 0.2])
def test_cross_entropy_probabilities(reduction, ls):
    x, p = RNG.normal(size=(4, 5)), RNG.dirichlet(np.ones(5), size=4)
    w = RNG.uniform(0.5, 2, size=5)
    out = F.cross_entropy(rt.tensor(x), rt.tensor(p), weight=rt.tensor(w), reduction=reduction,
                          label_smoothing=ls)
    q = p * (1 - ls) + ls / 5
    v = -(np_log_softmax(x, 1) * q * w).sum(1)
    exp = {"none": v, "sum": v.sum(), "mean": v.sum() / 4}[reduction]
    close(out.numpy(), exp, np.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_label_smoothing(reduction):
    x, t = RNG.normal(size=(4, 5)), np.array([1, 0, -100, 4])
    ls = 0.3
    out = F.cross_entropy(rt.tensor(x), rt.tensor(t), reduction=reduction, label_smoothing=ls)
    lp = np_log_softmax(x, 1)
    nll = np_nll(x=lp, t=t, reduction="none")
    smooth = np.where(t == -100, 0, -lp.sum(1))
    v = (1 - ls) * nll + ls / 5 * smooth
    exp = {"none": v, "sum": v.sum(), "mean": ((1 - ls) * nll.sum() + ls / 5 * smooth.sum()) / 3}[reduction]
    close(out.numpy(), exp, np.float64)


def test_nll_errors():
    x = rt.zeros(3, 5)
    with pytest.raises(IndexError, match="Target 5 is out of bounds."):
        F.nll_loss(x, rt.tensor([1, 5, 0]))
    with pytest.raises(IndexError, match="Target -3 is out of bounds."):
        F.nll_loss(x, rt.tensor([1, -3, 0]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)."):
        F.nll_loss(x, rt.tensor([1, 0]))
    with pytest.raises(ValueError, match=r"Expected 1 or more dimensions \(got 0\)"):
        F.nll_loss(rt.tensor(1.0), rt.tensor(0))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Int"):
        F.nll_loss(x, rt.tensor([1, 0, 0], dtype=rt.int32))
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 3\], got \[2, 4\]"):
        F.nll_loss(rt.zeros(2, 5, 3), rt.zeros(2, 4, dtype=rt.int64))
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 5 classes"):
        F.nll_loss(x, rt.tensor([1, 0, 0]), weight=rt.ones(4))
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        F.nll_loss(x, rt.tensor([1, 0, 0]), weight=rt.ones(5, requires_grad=True))
    # an out-of-range ignore_index is not checked
    assert F.nll_loss(x, rt.tensor([7, 0, 1]), ignore_index=7).item() == 0.0


def test_bce_values_and_errors():
    x, t, w = RNG.uniform(size=(3, 4)), RNG.uniform(size=(3, 4)), RNG.uniform(size=(4,))
    x[0, 0], x[0, 1], t[0, 0], t[0, 1] = 0.0, 1.0, 1.0, 0.0
    for reduction in REDUCTIONS:
        for weight in [None, w]:
            rw = None if weight is None else rt.tensor(weight)
            out = F.binary_cross_entropy(rt.tensor(x), rt.tensor(t), weight=rw, reduction=reduction)
            close(out.numpy(), np_bce(x, t, weight, reduction), np.float64)
            out = F.binary_cross_entropy_with_logits(rt.tensor(x * 40 - 20), rt.tensor(t), weight=rw,
                                                     reduction=reduction, pos_weight=rt.tensor(w * 3))
            close(out.numpy(), np_bce_logits(x * 40 - 20, t, weight, reduction, w * 3), np.float64)
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(rt.tensor(x * 3), rt.tensor(t))
    with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
        F.binary_cross_entropy(rt.tensor(x), rt.tensor(t * 3))
    with pytest.raises(ValueError, match="is deprecated. Please ensure they have the same size."):
        F.binary_cross_entropy(rt.tensor(x), rt.tensor(t[0]))
    with pytest.raises(ValueError, match=r"Target size \(rtensor.Size\(\[4\]\)\) must be the same as input size"):
        F.binary_cross_entropy_with_logits(rt.tensor(x), rt.tensor(t[0]))
    with pytest.raises(RuntimeError, match="Found dtype Float but expected Double"):
        F.binary_cross_entropy(rt.tensor(x), rt.tensor(t).float())


def test_bce_logits_large_values_are_finite():
    x = rt.tensor([-1000.0, 1000.0, 0.0])
    out = F.binary_cross_entropy_with_logits(x, rt.tensor([1.0, 0.0, 1.0]), reduction="none")
    close(out.numpy(), [1000.0, 1000.0, np.log(2)], np.float32)


# ------------------------------------------------------------------------------------ gradients

def _gc(f, *inputs):
    assert rt.autograd.gradcheck(f, inputs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
                                     ("huber_loss", {"delta": 0.5})])
def test_gradcheck_regression(name, kw, reduction):
    x = rt.tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    t = rt.tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    _gc(lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kw), x, t)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck_classification(reduction):
    x = rt.tensor(RNG.normal(size=(4, 5)), requires_grad=True)
    t = rt.tensor([1, 0, -100, 4])
    w = rt.tensor(RNG.uniform(0.5, 2, size=5))
    _gc(lambda a: F.nll_loss(a, t, weight=w, reduction=reduction), x)
    _gc(lambda a: F.cross_entropy(a, t, weight=w, reduction=reduction, label_smoothing=0.1), x)
    x3 = rt.tensor(RNG.normal(size=(2, 5, 3)), requires_grad=True)
    _gc(lambda a: F.cross_entropy(a, rt.tensor([[0, 1, 4], [2, 3, 3]]), reduction=reduction), x3)
    p = rt.tensor(RNG.dirichlet(np.ones(5), size=4))
    _gc(lambda a: F.cross_entropy(a, p, weight=w, reduction=reduction), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck_binary(reduction):
    x = rt.tensor(RNG.uniform(0.1, 0.9, size=(3, 4)), requires_grad=True)
    t = rt.tensor(RNG.uniform(size=(3, 4)), requires_grad=True)
    w = rt.tensor(RNG.uniform(size=(4,)))
    _gc(lambda a, b: F.binary_cross_entropy(a, b, weight=w, reduction=reduction), x, t)
    z = rt.tensor(RNG.normal(size=(3, 4)) * 3, requires_grad=True)
    _gc(lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=w, reduction=reduction), z, t)
    _gc(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction, pos_weight=w * 2), z, t)


@pytest.mark.filterwarnings("ignore:reduction. .mean. divides")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck_others(reduction):
    x = rt.tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    p = rt.tensor(RNG.uniform(0.2, 1, size=(3, 4)), requires_grad=True)
    s = rt.tensor(np.sign(RNG.normal(size=(3, 4))))
    _gc(lambda a, b: F.kl_div(a, b, reduction=reduction), x, p)
    _gc(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=True), x, p)
    _gc(lambda a, b: F.poisson_nll_loss(a, b, reduction=reduction), x, p)
    _gc(lambda a, b: F.poisson_nll_loss(a, b * 5, log_input=False, full=True, reduction=reduction), p, p)
    _gc(lambda a: F.soft_margin_loss(a, s, reduction=reduction), x)
    _gc(lambda a, b: F.margin_ranking_loss(a, b, s, margin=0.1, reduction=reduction), x, p)
    _gc(lambda a: F.hinge_embedding_loss(a, s, margin=0.5, reduction=reduction), x)


def test_kl_div_warns_for_mean():
    x = rt.zeros(2, 3)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(x, x.exp())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(x, x.exp(), reduction="batchmean")


def test_gradgradcheck():
    x = rt.tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    t = rt.tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    assert rt.autograd.gradgradcheck(lambda a, b: F.mse_loss(a, b), (x, t))
    assert rt.autograd.gradgradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b.sigmoid()), (x, t))
    assert rt.autograd.gradgradcheck(lambda a: F.cross_entropy(a, rt.tensor([0, 1, 3])), (x,))


# ------------------------------------------------------------------------------------ against torch

def _cases(torch):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 5, generator=g, dtype=torch.float64)
    t = torch.randn(3, 5, generator=g, dtype=torch.float64)
    p = torch.rand(3, 5, generator=g, dtype=torch.float64)
    q = torch.rand(3, 5, generator=g, dtype=torch.float64)
    idx = torch.tensor([1, 0, 4])
    w = torch.rand(5, generator=g, dtype=torch.float64) + 0.5
    x4 = torch.randn(2, 5, 3, 2, generator=g, dtype=torch.float64)
    i4 = torch.randint(0, 5, (2, 3, 2), generator=g)
    x5 = torch.randn(2, 5, 3, 1, 2, generator=g, dtype=torch.float64)
    i5 = torch.randint(0, 5, (2, 3, 1, 2), generator=g)
    out = []
    for r in REDUCTIONS:
        out += [
            ("mse_loss", (x, t), {"reduction": r}), ("mse_loss", (x, t[0]), {"reduction": r}),
            ("mse_loss", (x, t), {"reduction": r, "weight": q}),
            ("l1_loss", (x, t), {"reduction": r}), ("l1_loss", (x, t), {"reduction": r, "weight": q}),
            ("smooth_l1_loss", (x, t), {"reduction": r, "beta": 0.5}),
            ("smooth_l1_loss", (x, t), {"reduction": r, "beta": 0.0}),
            ("huber_loss", (x, t), {"reduction": r, "delta": 0.5}),
            ("huber_loss", (x, t), {"reduction": r, "weight": q}),
            ("nll_loss", (x, idx), {"reduction": r}), ("nll_loss", (x, idx), {"reduction": r, "weight": w}),
            ("nll_loss", (x[0], idx[0]), {"reduction": r}), ("nll_loss", (x[0], idx[:1]), {"reduction": r}),
            ("nll_loss", (x4, i4), {"reduction": r, "weight": w}), ("nll_loss", (x5, i5), {"reduction": r}),
            ("nll_loss", (x[:, :, None], idx[:, None]), {"reduction": r}),
            ("cross_entropy", (x, idx), {"reduction": r}),
            ("cross_entropy", (x, idx), {"reduction": r, "label_smoothing": 0.1, "weight": w}),
            ("cross_entropy", (x, torch.tensor([1, -100, 2])), {"reduction": r, "label_smoothing": 0.1}),
            ("cross_entropy", (x, q), {"reduction": r}),
            ("cross_entropy", (x, q), {"reduction": r, "label_smoothing": 0.2, "weight": w}),
            ("cross_entropy", (x4, i4), {"reduction": r}), ("cross_entropy", (x5, i5), {"reduction": r}),
            ("cross_entropy", (x[0], idx[0]), {"reduction": r}),
            ("binary_cross_entropy", (p, q), {"reduction": r}),
            ("binary_cross_entropy", (p, q), {"reduction": r, "weight": w}),
            ("binary_cross_entropy_with_logits", (x * 20, q), {"reduction": r}),
            ("binary_cross_entropy_with_logits", (x, q), {"reduction": r, "weight": w, "pos_weight": w * 2}),
            ("kl_div", (x, q), {"reduction": r}), ("kl_div", (x, t), {"reduction": r, "log_target": True}),
            ("poisson_nll_loss", (x, q * 3), {"reduction": r}),
            ("poisson_nll_loss", (p + 0.1, q * 4), {"reduction": r, "log_input": False, "full": True}),
            ("soft_margin_loss", (x, t.sign()), {"reduction": r}),
            ("margin_ranking_loss", (x[0], t[0], t[1].sign()), {"reduction": r, "margin": 0.3}),
            ("hinge_embedding_loss", (x, t.sign()), {"reduction": r, "margin": 0.5}),
        ]
    out += [("kl_div", (x, q), {"reduction": "batchmean"}), ("kl_div", (x[0, 0], q[0, 0]), {"reduction": "batchmean"})]
    return out


def _to_rt(v, torch):
    if isinstance(v, torch.Tensor):
        r = rt.tensor(v.detach().float().numpy()).to(rt.bfloat16) if v.dtype == torch.bfloat16 else \
            rt.tensor(v.detach().numpy())
        return r.requires_grad_() if v.requires_grad else r
    return v


DIFF_TARGET = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
               "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss", "margin_ranking_loss"}


def _grad_inputs(name, args, torch):
    diff_target = name in DIFF_TARGET
    return [a.clone().requires_grad_() if (i == 0 or (diff_target and i == 1)) and a.dtype.is_floating_point
            else a for i, a in enumerate(args)]


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_against_torch(dtype):
    torch = pytest.importorskip("torch")
    tdt = getattr(torch, dtype)
    rdt = getattr(rt, dtype)
    for name, args, kw in _cases(torch):
        args = [a.to(tdt) if a.dtype.is_floating_point else a for a in args]
        kw = {k: (v.to(tdt) if isinstance(v, torch.Tensor) else v) for k, v in kw.items()}
        grad = dtype == "float64"
        targs = _grad_inputs(name, args, torch) if grad else args
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exp = getattr(torch.nn.functional, name)(*targs, **kw)
            rargs = [_to_rt(a, torch) for a in targs]
            got = getattr(F, name)(*rargs, **{k: _to_rt(v, torch) for k, v in kw.items()})
        where = f"{name} {dtype} {[tuple(a.shape) for a in args]} {kw.keys()} {kw.get('reduction')}"
        assert got.dtype == rdt, where
        assert tuple(got.shape) == tuple(exp.shape), where
        # torch's half losses round some intermediate steps to the half type; rtensor rounds once
        tol = {"float64": 1e-10, "float32": 1e-5, "float16": 1e-2, "bfloat16": 5e-2}[dtype]
        np.testing.assert_allclose(got.detach().float().numpy(), exp.detach().float().numpy(), rtol=tol, atol=tol, err_msg=where)
        if grad:
            assert got.grad_fn.name() == exp.grad_fn.name(), where
            seed = torch.rand(exp.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
            try:
                tg = torch.autograd.grad(exp, [a for a in targs if a.requires_grad], seed)
            except RuntimeError:  # torch's nll_loss backward of a (C,) input with a (1,) target fails
                continue
            rg = rt.autograd.grad(got, [a for a in rargs if a.requires_grad], rt.tensor(seed.numpy()))
            for a, b in zip(rg, tg):
                np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-10, err_msg=where)


def test_errors_against_torch():
    torch = pytest.importorskip("torch")
    x, p = torch.randn(3, 5), torch.rand(3, 5)
    cases = [
        ("mse_loss", (x, torch.randn(5, 5)), {}),
        ("mse_loss", (torch.arange(3), torch.arange(3)), {}),
        ("smooth_l1_loss", (torch.arange(3), torch.arange(3)), {}),
        ("huber_loss", (torch.arange(3), torch.arange(3)), {}),
        ("l1_loss", (torch.arange(3), torch.arange(3)), {}),
        ("nll_loss", (x, torch.tensor([1, 5, 0])), {}),
        ("nll_loss", (x, torch.tensor([1, 0])), {}),
        ("nll_loss", (x[0], torch.tensor([2, 1])), {}),
        ("nll_loss", (x, torch.zeros(3, 1, dtype=torch.long)), {}),
        ("nll_loss", (x, torch.tensor([1.0, 0.0, 0.0])), {}),
        ("nll_loss", (x.long(), torch.tensor([1, 0, 0])), {}),
        ("nll_loss", (x, torch.tensor([1, 0, 0])), {"weight": torch.ones(5, dtype=torch.float64)}),
        ("nll_loss", (torch.randn(2, 5, 3, 2), torch.zeros(2, 3, dtype=torch.long)), {}),
        ("nll_loss", (torch.randn(2, 5, 3, 2), torch.zeros(2, 3, 3, dtype=torch.long)), {}),
        ("nll_loss", (torch.randn(2, 5, 3, 2), torch.full((2, 3, 2), 7)), {}),
        ("cross_entropy", (x, torch.tensor([1, 0, 0])), {"label_smoothing": 1.5}),
        ("cross_entropy", (x, torch.rand(3, 4)), {}),
        ("cross_entropy", (x, torch.rand(3, 5)), {"ignore_index": 1}),
        ("cross_entropy", (x, torch.ones(3, 5, dtype=torch.long)), {}),
        ("cross_entropy", (x, torch.tensor([1, 0, 0])), {"weight": torch.ones(4)}),
        ("binary_cross_entropy", (p * 3, p), {}),
        ("binary_cross_entropy", (p, p, torch.rand(4)), {}),
        ("binary_cross_entropy", (p, p.double()), {}),
        ("binary_cross_entropy", (p, p[0]), {}),
        ("binary_cross_entropy_with_logits", (x, p), {"pos_weight": torch.rand(4)}),
        ("binary_cross_entropy_with_logits", (x.long(), p.long()), {}),
        ("binary_cross_entropy_with_logits", (x, p), {"weight": torch.rand(5, requires_grad=True)}),
        ("kl_div", (torch.arange(3), torch.arange(3)), {"reduction": "sum"}),
        ("kl_div", (x, p), {"reduction": "foo"}),
        ("soft_margin_loss", (torch.arange(3), torch.arange(3)), {}),
        ("soft_margin_loss", (x, p.clone().requires_grad_()), {}),
        ("soft_margin_loss", (x[0], p[:, :1]), {}),
        ("margin_ranking_loss", (x[0], x[0], x), {}),
        ("poisson_nll_loss", (x, p), {"reduction": "foo"}),
    ]
    for name, args, kw in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as te:
                getattr(torch.nn.functional, name)(*args, **kw)
            with pytest.raises(Exception) as re_:
                getattr(F, name)(*[_to_rt(a, torch) for a in args], **{k: _to_rt(v, torch) for k, v in kw.items()})
        assert type(re_.value).__name__ == type(te.value).__name__, (name, te.value, re_.value)
        assert str(re_.value) == str(te.value).replace("torch.Size", "rtensor.Size"), (name, kw)
