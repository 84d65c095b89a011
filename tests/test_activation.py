"""The activation family (torch.nn.functional's activations, linear, dropout, one_hot): values against
numpy formulas (always) and torch (when installed), dtypes, shapes, grad_fn names, gradcheck in float64,
in-place forms, and torch's errors."""

import math

import numpy as np
import pytest

import rtensor as rt
import rtensor.nn.functional as F

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

_ERF = np.vectorize(math.erf)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _sp(x):
    return np.log1p(np.exp(x))


SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# name -> (call on rtensor/torch F, numpy formula, torch grad_fn name)
UNARY = {
    "gelu": (lambda f, x: f.gelu(x), lambda x: x * 0.5 * (1 + _ERF(x / math.sqrt(2))), "GeluBackward0"),
    "gelu_tanh": (lambda f, x: f.gelu(x, approximate="tanh"),
                  lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
                  "GeluBackward0"),
    "silu": (lambda f, x: f.silu(x), lambda x: x * _sig(x), "SiluBackward0"),
    "leaky_relu": (lambda f, x: f.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x), "LeakyReluBackward0"),
    "elu": (lambda f, x: f.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x)), "EluBackward0"),
    "selu": (lambda f, x: f.selu(x), lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x)), "EluBackward0"),
    "celu": (lambda f, x: f.celu(x, 1.5), lambda x: np.where(x > 0, x, 1.5 * np.expm1(x / 1.5)), "CeluBackward0"),
    "softplus": (lambda f, x: f.softplus(x, 2, 3), lambda x: np.where(2 * x > 3, x, _sp(2 * x) / 2),
                 "SoftplusBackward0"),
    "relu6": (lambda f, x: f.relu6(x * 4), lambda x: np.clip(x * 4, 0, 6), "HardtanhBackward0"),
    "hardtanh": (lambda f, x: f.hardtanh(x, -0.5, 0.75), lambda x: np.clip(x, -0.5, 0.75), "HardtanhBackward0"),
    "hardsigmoid": (lambda f, x: f.hardsigmoid(x * 4), lambda x: np.clip(x * 4 + 3, 0, 6) / 6, "HardsigmoidBackward0"),
    "hardswish": (lambda f, x: f.hardswish(x * 4), lambda x: x * 4 * np.clip(x * 4 + 3, 0, 6) / 6,
                  "HardswishBackward0"),
    "mish": (lambda f, x: f.mish(x), lambda x: x * np.tanh(_sp(x)), "MishBackward0"),
    "logsigmoid": (lambda f, x: f.logsigmoid(x), lambda x: np.log(_sig(x)), "LogSigmoidBackward0"),
    "softsign": (lambda f, x: f.softsign(x), lambda x: x / (1 + np.abs(x)), "DivBackward0"),
    "tanhshrink": (lambda f, x: f.tanhshrink(x), lambda x: x - np.tanh(x), "SubBackward0"),
    "softshrink": (lambda f, x: f.softshrink(x, 0.3),
                   lambda x: np.where(x > 0.3, x - 0.3, np.where(x < -0.3, x + 0.3, 0)), "SoftshrinkBackward0"),
    "hardshrink": (lambda f, x: f.hardshrink(x, 0.3), lambda x: np.where(np.abs(x) > 0.3, x, 0),
                   "HardshrinkBackward0"),
    "threshold": (lambda f, x: f.threshold(x, 0.1, -2.0), lambda x: np.where(x > 0.1, x, -2.0),
                  "ThresholdBackward0"),
    "glu": (lambda f, x: f.glu(x, 0), lambda x: x[:2] * _sig(x[2:]), "GluBackward0"),
    "softmin": (lambda f, x: f.softmin(x, 1),
                lambda x: np.exp(-x) / np.exp(-x).sum(1, keepdims=True), "SoftmaxBackward0"),
}


def _data(seed=0, shape=(4, 5)):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 2
    x.flat[0] = 0.0
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_values_match_numpy(name, dtype):
    call, ref, _ = UNARY[name]
    x = _data().astype(dtype)
    got = call(F, rt.tensor(x))
    assert got.dtype == rt.tensor(x).dtype
    want = ref(x.astype(np.float64))
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got.numpy(), want, rtol=tol * 10, atol=tol)


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_values_and_grad_fn_match_torch(name, dtype):
    call, _, node = UNARY[name]
    x = _data(1)
    tx = torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=True)
    rx = rt.tensor(x, dtype=getattr(rt, dtype), requires_grad=True)
    want, got = call(TF, tx), call(F, rx)
    assert got.dtype == getattr(rt, dtype) and tuple(got.shape) == tuple(want.shape)
    assert got.grad_fn.name() == want.grad_fn.name() == node
    tol = {"float32": 2e-6, "float64": 1e-13, "float16": 1e-3, "bfloat16": 8e-3}[dtype]
    np.testing.assert_allclose(got.detach().double().numpy(), want.detach().double().numpy(), rtol=tol, atol=tol)
    w = np.random.default_rng(2).standard_normal(want.shape)
    want.backward(torch.tensor(w, dtype=want.dtype))
    got.backward(rt.tensor(w, dtype=got.dtype))
    gtol = tol * 10 if dtype in ("float16", "bfloat16") else tol * 5
    np.testing.assert_allclose(rx.grad.double().numpy(), tx.grad.double().numpy(), rtol=gtol, atol=gtol)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_gradcheck(name):
    call, _, _ = UNARY[name]
    x = _data(3)
    # Away from the kinks, where finite differences are not the derivative.
    x = np.where(np.abs(x) < 0.05, 0.5, x)
    for k in (0.3, -0.3, 0.1, 0.75, -0.5, 0.75 / 4, -0.5 / 4, 0.0, 1.5, -0.75, 0.75):
        x = np.where(np.abs(x - k) < 0.02, k + 0.2, x)
    rx = rt.tensor(x, requires_grad=True)
    assert rt.autograd.gradcheck(lambda t: call(F, t), (rx,))


INPLACE = {
    "leaky_relu": ("LeakyReluBackward1", lambda f, x, ip: f.leaky_relu(x, 0.1, inplace=ip)),
    "elu": ("EluBackward1", lambda f, x, ip: f.elu(x, inplace=ip)),
    "selu": ("EluBackward1", lambda f, x, ip: f.selu(x, inplace=ip)),
    "celu": ("CeluBackward1", lambda f, x, ip: f.celu(x, 2.0, inplace=ip)),
    "relu6": ("HardtanhBackward0", lambda f, x, ip: f.relu6(x, inplace=ip)),
    "hardtanh": ("HardtanhBackward0", lambda f, x, ip: f.hardtanh(x, -0.5, 0.5, inplace=ip)),
    "hardsigmoid": ("HardsigmoidBackward0", lambda f, x, ip: f.hardsigmoid(x, inplace=ip)),
    "hardswish": ("HardswishBackward0", lambda f, x, ip: f.hardswish(x, inplace=ip)),
    "mish": ("MishBackward0", lambda f, x, ip: f.mish(x, inplace=ip)),
    "silu": ("SiluBackward0", lambda f, x, ip: f.silu(x, inplace=ip)),
    "threshold": ("ThresholdBackward1", lambda f, x, ip: f.threshold(x, 0.2, 5.0, inplace=ip)),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_writes_the_input_and_records_torchs_node(name):
    node, call = INPLACE[name]
    x = _data(4)
    want = call(F, rt.tensor(x), False).numpy()
    leaf = rt.tensor(x, requires_grad=True)
    y = leaf * 1
    r = call(F, y, True)
    np.testing.assert_allclose(y.detach().numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(r.detach().numpy(), want, rtol=1e-12)
    assert r.grad_fn.name() == node
    # The gradient through the in-place form is the out-of-place one's.
    r.sum().backward()
    leaf2 = rt.tensor(x, requires_grad=True)
    call(F, leaf2, False).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), leaf2.grad.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        call(F, rt.tensor(x, requires_grad=True), True)


def test_underscore_functions():
    x = _data(5)
    for fn, ref in [
        (lambda t: F.leaky_relu_(t, 0.2), UNARY["leaky_relu"][1]),
        (lambda t: F.elu_(t, 0.7), UNARY["elu"][1]),
        (lambda t: F.hardtanh_(t, -0.5, 0.75), UNARY["hardtanh"][1]),
        (lambda t: rt.selu_(t), UNARY["selu"][1]),
        (lambda t: F.selu_(t), UNARY["selu"][1]),
        (lambda t: rt.celu_(t, 1.5), UNARY["celu"][1]),
        (lambda t: rt.threshold_(t, 0.1, -2.0), UNARY["threshold"][1]),
        (lambda t: F.threshold_(t, 0.1, -2.0), UNARY["threshold"][1]),
    ]:
        t = rt.tensor(x)
        fn(t)
        np.testing.assert_allclose(t.numpy(), ref(x), rtol=1e-12)
    np.testing.assert_allclose(rt.selu(rt.tensor(x)).numpy(), UNARY["selu"][1](x), rtol=1e-12)
    np.testing.assert_allclose(rt.celu(rt.tensor(x), 1.5).numpy(), UNARY["celu"][1](x), rtol=1e-12)
    np.testing.assert_allclose(rt.tensor(x).hardshrink(0.3).numpy(), UNARY["hardshrink"][1](x))
    assert F.hardshrink is not None and F.prelu is not None


def test_integer_inputs():
    x = rt.tensor([-3, 0, 2, 8])
    assert F.relu6(x).tolist() == [0, 0, 2, 6] and F.relu6(x).dtype == rt.int64
    assert F.hardtanh(x).tolist() == [-1, 0, 1, 1]
    assert F.threshold(x, 1, 7).tolist() == [7, 7, 2, 8]
    assert F.softsign(x).dtype == rt.float32
    for fn, kernel in [(F.gelu, "GeluKernelImpl"), (F.silu, "silu_cpu"), (F.elu, "elu_cpu"),
                       (F.mish, "mish_cpu"), (F.logsigmoid, "log_sigmoid_cpu"), (F.leaky_relu, "leaky_relu_cpu")]:
        with pytest.raises(NotImplementedError, match=f'"{kernel}" not implemented for \'Long\''):
            fn(x)


def test_errors():
    x = rt.randn(3, 4)
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh."):
        F.gelu(x, approximate="foo")
    with pytest.raises(RuntimeError, match="ZeroDivisionError: alpha cannot be 0 for CELU"):
        F.celu(x, alpha=0.0)
    with pytest.raises(RuntimeError, match=r"lambda must be in range \[0, 3.40282e\+38\] for input dtype Float, "
                       "but found -1"):
        F.softshrink(x, -1.0)
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 0 is size 3"):
        F.glu(x, 0)
    with pytest.raises(RuntimeError, match="glu does not support scalars because halving size must be even"):
        F.glu(rt.tensor(1.0))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size. Found "
                       "parameter numbers = 2 and channel size = 4."):
        F.prelu(x, rt.ones(2))
    with pytest.raises(RuntimeError, match="prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = 2"):
        F.prelu(x, rt.ones(1, 4))


# ----------------------------------------------------------------------------------------------- prelu

@pytest.mark.parametrize("shape,wn", [((3, 4), 4), ((3, 4), 1), ((2, 3, 5), 3), ((5,), 1), ((), 1)])
def test_prelu(shape, wn):
    x = np.random.default_rng(6).standard_normal(shape)
    w = np.random.default_rng(7).standard_normal(wn)
    got = F.prelu(rt.tensor(x), rt.tensor(w))
    wb = w.reshape([1, wn] + [1] * (len(shape) - 2)) if len(shape) >= 2 else w.reshape(())
    np.testing.assert_allclose(got.numpy(), np.where(x > 0, x, wb * x), rtol=1e-12)
    rx, rw = rt.tensor(x, requires_grad=True), rt.tensor(w, requires_grad=True)
    assert rt.prelu(rx, rw).grad_fn.name() == "PreluKernelBackward0"
    assert rx.prelu(rw).shape == rx.shape
    assert rt.autograd.gradcheck(F.prelu, (rx, rw))


# ---------------------------------------------------------------------------------------------- linear

@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4), (2, 2, 3, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_values_and_gradcheck(shape, bias):
    rng = np.random.default_rng(8)
    x, w, b = rng.standard_normal(shape), rng.standard_normal((5, 4)), rng.standard_normal(5)
    want = x @ w.T + (b if bias else 0)
    rx, rw = rt.tensor(x, requires_grad=True), rt.tensor(w, requires_grad=True)
    rb = rt.tensor(b, requires_grad=True) if bias else None
    got = F.linear(rx, rw, rb)
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-12)
    inputs = (rx, rw, rb) if bias else (rx, rw)
    assert rt.autograd.gradcheck(lambda *a: F.linear(*a), inputs)


@needs_torch
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4), (2, 2, 3, 4), "noncontig"])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_grad_fn_matches_torch(shape, bias):
    w, b = torch.randn(5, 4, requires_grad=True), torch.randn(5, requires_grad=True)
    if shape == "noncontig":
        x = torch.randn(2, 4, 3).transpose(1, 2).requires_grad_()
        rx = rt.tensor(x.detach().transpose(1, 2).numpy()).transpose(1, 2).requires_grad_()
    else:
        x = torch.randn(*shape, requires_grad=True)
        rx = rt.tensor(x.detach().numpy(), requires_grad=True)
    rw, rb = rt.tensor(w.detach().numpy(), requires_grad=True), rt.tensor(b.detach().numpy(), requires_grad=True)
    want = TF.linear(x, w, b if bias else None)
    got = F.linear(rx, rw, rb if bias else None)
    assert got.grad_fn.name() == want.grad_fn.name()
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("xs,ws,bias", [((3, 5), (5, 4), False), ((2, 3, 5), (5, 4), True), ((5,), (5, 4), True),
                                        ((5,), (5, 4), False), ((), (5, 4), True), ((3, 4), (4,), True)])
def test_linear_errors_match_torch(xs, ws, bias):
    args = [np.ones(xs, np.float32), np.ones(ws, np.float32)] + ([np.ones(5, np.float32)] if bias else [])
    with pytest.raises(RuntimeError) as want:
        TF.linear(*[torch.tensor(a) for a in args])
    with pytest.raises(RuntimeError) as got:
        F.linear(*[rt.tensor(a) for a in args])
    assert str(got.value) == str(want.value)


# --------------------------------------------------------------------------------------------- dropout

def test_dropout_values_scale_and_seed():
    x = rt.ones(1000, 100)
    rt.manual_seed(3)
    a = F.dropout(x, 0.3)
    rt.manual_seed(3)
    b = F.dropout(x, 0.3)
    assert rt.equal(a, b)
    v = a.numpy()
    kept = v != 0
    np.testing.assert_allclose(v[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.01
    assert F.dropout(x, 1.0).sum().item() == 0
    assert rt.dropout(x, 0.3, True).shape == x.shape


def test_dropout_identity_and_grad():
    x = rt.randn(4, 4, requires_grad=True)
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.5, training=False) is x
    y = F.dropout(x, 0.5)
    assert y.grad_fn.name() == "MulBackward0"
    assert F.dropout(x, 1.0).grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert set(np.unique(x.grad.numpy())) <= {0.0, 2.0}
    z = x.detach().clone()
    r = F.dropout(z, 0.5, inplace=True)
    assert r is z
    assert set(np.unique((z.numpy() == 0) | np.isclose(z.numpy(), 2 * x.detach().numpy())).tolist()) == {True}
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        F.dropout(rt.tensor([1, 2, 3]), 0.5)


# --------------------------------------------------------------------------------------------- one_hot

def test_one_hot():
    got = F.one_hot(rt.tensor([0, 2, 1]))
    assert got.dtype == rt.int64
    np.testing.assert_array_equal(got.numpy(), np.eye(3, dtype=np.int64)[[0, 2, 1]])
    assert F.one_hot(rt.tensor([[1], [2]]), 5).shape == (2, 1, 5)
    assert F.one_hot(rt.tensor(2), 4).tolist() == [0, 0, 1, 0]
    assert F.one_hot(rt.tensor([], dtype=rt.int64), 3).shape == (0, 3)
    for args, msg in [((rt.tensor([-1, 2]),), "Class values must be non-negative."),
                      ((rt.tensor([0, 5]), 3), "Class values must be smaller than num_classes."),
                      ((rt.tensor([1]), -2), "Class values must be smaller than num_classes."),
                      ((rt.tensor([0.0, 1.0]),), "one_hot is only applicable to index tensor of type LongTensor."),
                      ((rt.tensor([], dtype=rt.int64),), "Can not infer total number of classes from empty tensor.")]:
        with pytest.raises(RuntimeError, match=msg):
            F.one_hot(*args)


def test_torch_dropout_checks_p_itself():
    x = rt.randn(3)
    for p, text in [(2.0, "2"), (-0.5, "-0.5"), (float("nan"), "nan")]:
        with pytest.raises(RuntimeError, match=f"dropout probability has to be between 0 and 1, but got {text}"):
            rt.dropout(x, p, False)
    with pytest.raises(RuntimeError, match="dropout probability has to be between 0 and 1, but got nan"):
        F.dropout(x, float("nan"))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 2"):
        F.dropout(x, 2)
    z = rt.randn(3)
    assert rt.dropout_(z, 0.5, True) is z


def test_softmin_implicit_dim_and_dtype():
    x = np.random.default_rng(9).standard_normal((2, 3))
    got = F.softmin(rt.tensor(x))
    np.testing.assert_allclose(got.numpy(), np.exp(-x) / np.exp(-x).sum(1, keepdims=True), rtol=1e-12)
    assert F.softmin(rt.tensor(x, dtype=rt.float32), 0, dtype=rt.float64).dtype == rt.float64


@needs_torch
def test_glu_gradient_matches_torch():
    x = np.random.default_rng(10).standard_normal((3, 4, 6))
    for dim in (1, 2, -1):
        tx = torch.tensor(x, requires_grad=True)
        rx = rt.tensor(x, requires_grad=True)
        TF.glu(tx, dim).sum().backward()
        F.glu(rx, dim).sum().backward()
        np.testing.assert_allclose(rx.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
