# rtensor.distributions: log_prob / entropy / moments against closed forms (numpy/math) and torch (when
# installed), sample statistics with fixed seeds and generous bounds, rsample gradients, shapes and
# torch's validation errors.
import math

import numpy as np
import pytest

import rtensor as rt
import rtensor.distributions as D


def f64(*v):
    return rt.tensor(list(v), dtype=rt.float64)


# -------------------------------------------------------------------------------------------- layout


def test_package_layout():
    from rtensor.distributions.multinomial import Multinomial
    from rtensor.distributions.normal import Normal

    assert rt.distributions.Normal is Normal
    assert rt.distributions.multinomial.Multinomial is Multinomial
    for name in ("Normal", "Uniform", "Bernoulli", "Categorical", "Multinomial", "Exponential", "Beta", "Gamma",
                 "Dirichlet"):
        assert issubclass(getattr(D, name), D.Distribution)


# ------------------------------------------------------------------------------------- closed forms


def test_normal_closed_forms():
    d = D.Normal(f64(0.0, 1.0), f64(1.0, 2.0))
    x = f64(0.5, -1.0)
    want = [-0.5 * ((v - m) / s) ** 2 - math.log(s) - 0.5 * math.log(2 * math.pi)
            for v, m, s in ((0.5, 0.0, 1.0), (-1.0, 1.0, 2.0))]
    np.testing.assert_allclose(d.log_prob(x).tolist(), want, rtol=1e-12)
    np.testing.assert_allclose(d.entropy().tolist(), [0.5 + 0.5 * math.log(2 * math.pi) + math.log(s)
                                                      for s in (1.0, 2.0)], rtol=1e-12)
    assert d.mean.tolist() == [0.0, 1.0] and d.variance.tolist() == [1.0, 4.0] and d.stddev.tolist() == [1.0, 2.0]
    assert d.batch_shape == (2,) and d.event_shape == ()


def test_exponential_uniform_gamma_beta_closed_forms():
    e = D.Exponential(f64(2.0))
    np.testing.assert_allclose(e.log_prob(f64(0.5)).tolist(), [math.log(2) - 1.0])
    np.testing.assert_allclose(e.entropy().tolist(), [1 - math.log(2)])
    assert e.mean.tolist() == [0.5] and e.variance.tolist() == [0.25]
    u = D.Uniform(f64(-1.0), f64(3.0))
    np.testing.assert_allclose(u.log_prob(f64(0.0)).tolist(), [-math.log(4)])
    np.testing.assert_allclose(u.entropy().tolist(), [math.log(4)])
    assert u.mean.tolist() == [1.0]
    np.testing.assert_allclose(u.variance.tolist(), [16 / 12])
    g = D.Gamma(f64(2.5), f64(1.5))
    a, b, x = 2.5, 1.5, 0.8
    np.testing.assert_allclose(g.log_prob(f64(x)).tolist(),
                               [a * math.log(b) + (a - 1) * math.log(x) - b * x - math.lgamma(a)], rtol=1e-12)
    assert g.mean.tolist() == [a / b]
    np.testing.assert_allclose(g.variance.tolist(), [a / b**2])
    be = D.Beta(f64(2.0), f64(3.0))
    np.testing.assert_allclose(be.log_prob(f64(0.3)).tolist(),
                               [math.log(0.3) + 2 * math.log(0.7) + math.lgamma(5) - math.lgamma(2) - math.lgamma(3)],
                               rtol=1e-12)
    np.testing.assert_allclose(be.mean.tolist(), [0.4])
    np.testing.assert_allclose(be.variance.tolist(), [6 / (25 * 6)])


def test_discrete_closed_forms():
    b = D.Bernoulli(probs=f64(0.3))
    np.testing.assert_allclose(b.log_prob(f64(1.0)).tolist(), [math.log(0.3)], rtol=1e-12)
    np.testing.assert_allclose(b.log_prob(f64(0.0)).tolist(), [math.log(0.7)], rtol=1e-12)
    np.testing.assert_allclose(b.entropy().tolist(), [-(0.3 * math.log(0.3) + 0.7 * math.log(0.7))], rtol=1e-12)
    c = D.Categorical(probs=f64(1.0, 2.0, 1.0))
    np.testing.assert_allclose(c.log_prob(rt.tensor(1)).tolist(), math.log(0.5), rtol=1e-12)
    np.testing.assert_allclose(c.entropy().tolist(), -(0.5 * math.log(0.5) + 0.5 * math.log(0.25)), rtol=1e-12)
    m = D.Multinomial(4, probs=f64(0.2, 0.3, 0.5))
    x = f64(1.0, 1.0, 2.0)
    want = math.log(math.factorial(4) / 2) + math.log(0.2) + math.log(0.3) + 2 * math.log(0.5)
    np.testing.assert_allclose(m.log_prob(x).tolist(), want, rtol=1e-12)
    np.testing.assert_allclose(m.mean.tolist(), [0.8, 1.2, 2.0])
    assert m.event_shape == (3,) and m.batch_shape == ()


def _multinomial_entropy_exact(n, p):
    """The entropy by summing over every outcome (compositions of n into len(p) counts)."""
    def outcomes(n, k):
        if k == 1:
            yield (n,)
            return
        for i in range(n + 1):
            for rest in outcomes(n - i, k - 1):
                yield (i,) + rest

    h = 0.0
    for x in outcomes(n, len(p)):
        logpmf = math.lgamma(n + 1) - sum(math.lgamma(c + 1) for c in x)
        logpmf += sum(c * math.log(q) for c, q in zip(x, p) if c)
        h -= math.exp(logpmf) * logpmf
    return h


@pytest.mark.parametrize("n,p", [(1, [0.2, 0.3, 0.5]), (4, [0.2, 0.3, 0.5]), (6, [0.5, 0.5]), (3, [0.1, 0.2, 0.3, 0.4])])
def test_multinomial_entropy_exact(n, p):
    m = D.Multinomial(n, probs=rt.tensor(p, dtype=rt.float64))
    np.testing.assert_allclose(m.entropy().tolist(), _multinomial_entropy_exact(n, p), rtol=1e-10)


def test_multinomial_entropy_shapes_and_edges():
    m = D.Multinomial(5, probs=rt.tensor([[0.1, 0.9], [0.5, 0.5], [1.0, 0.0]]))
    h = m.entropy()
    assert h.shape == (3,) and h.dtype == rt.float32
    assert D.Multinomial(0, probs=f64(0.3, 0.7)).entropy().tolist() == 0.0
    assert abs(h.tolist()[2]) < 1e-4  # a certain outcome


@pytest.mark.parametrize("case", range(5))
def test_multinomial_entropy_matches_torch(case):
    torch = pytest.importorskip("torch")
    n, kw = [
        (1, {"probs": [0.2, 0.3, 0.5]}),
        (10, {"probs": [[0.1, 0.9], [0.5, 0.5]]}),
        (7, {"probs": [1.0, 0.0, 0.0]}),
        (4, {"logits": [0.1, -2.0, 3.0]}),
        (3, {"probs": [[0.25] * 4] * 3}),
    ][case]
    for dt in ("float32", "float64"):
        a = D.Multinomial(n, **{k: rt.tensor(v, dtype=getattr(rt, dt)) for k, v in kw.items()}).entropy()
        b = torch.distributions.Multinomial(n, **{k: torch.tensor(v, dtype=getattr(torch, dt))
                                                  for k, v in kw.items()}).entropy()
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1] and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(np.array(a.tolist()), b.numpy(), rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------------------- against torch


def _pairs():
    return [
        ("Normal", lambda L: ((L.tensor([0.0, 1.5]), L.tensor([1.0, 0.3])), {}), lambda L: L.tensor([0.2, 1.0])),
        ("Uniform", lambda L: ((L.tensor([0.0, -2.0]), L.tensor([1.0, 5.0])), {}), lambda L: L.tensor([0.5, 0.0])),
        ("Exponential", lambda L: ((L.tensor([0.5, 3.0]),), {}), lambda L: L.tensor([1.0, 0.1])),
        ("Gamma", lambda L: ((L.tensor([0.5, 3.0]), L.tensor([2.0, 0.7])), {}), lambda L: L.tensor([0.4, 2.0])),
        ("Beta", lambda L: ((L.tensor([0.5, 3.0]), L.tensor([2.0, 0.7])), {}), lambda L: L.tensor([0.4, 0.9])),
        ("Bernoulli", lambda L: ((), {"probs": L.tensor([0.2, 0.9])}), lambda L: L.tensor([1.0, 0.0])),
        ("Bernoulli", lambda L: ((), {"logits": L.tensor([-1.0, 2.0])}), lambda L: L.tensor([1.0, 0.0])),
        ("Categorical", lambda L: ((), {"probs": L.tensor([[0.2, 0.5, 0.3], [1.0, 1.0, 2.0]])}),
         lambda L: L.tensor([2, 0])),
        ("Categorical", lambda L: ((), {"logits": L.tensor([[0.2, -0.5, 1.3]])}), lambda L: L.tensor([1])),
        ("Multinomial", lambda L: ((5,), {"probs": L.tensor([0.2, 0.5, 0.3])}), lambda L: L.tensor([1.0, 3.0, 1.0])),
    ]


@pytest.mark.parametrize("i", range(len(_pairs())))
def test_against_torch(i):
    torch = pytest.importorskip("torch")
    name, params, value = _pairs()[i]
    args, kw = params(rt)
    targs, tkw = params(torch)
    d = getattr(D, name)(*args, **kw)
    t = getattr(torch.distributions, name)(*targs, **tkw)
    np.testing.assert_allclose(d.log_prob(value(rt)).numpy(), t.log_prob(value(torch)).numpy(), rtol=2e-6,
                               atol=1e-6)
    assert tuple(d.batch_shape) == tuple(t.batch_shape) and tuple(d.event_shape) == tuple(t.event_shape)
    for attr in ("mean", "variance", "stddev"):
        np.testing.assert_allclose(getattr(d, attr).numpy(), getattr(t, attr).numpy(), rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(d.entropy().numpy(), t.entropy().numpy(), rtol=2e-6, atol=1e-6)
    assert tuple(d.sample((4,)).shape) == tuple(t.sample((4,)).shape)
    assert d.sample().dtype == rt.int64 if name == "Categorical" else d.sample().dtype == rt.float32
    assert repr(d).replace("rtensor.", "torch.") == repr(t)


def test_validation_messages_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        ("Normal", lambda L: (L.tensor([0.0, float("nan")]), L.tensor([1.0, 1.0]))),
        ("Normal", lambda L: (L.tensor([0.0, 1.0]), L.tensor([1.0, -1.0]))),
        ("Exponential", lambda L: (L.tensor([-1.0]),)),
        ("Gamma", lambda L: (L.tensor([1.0]), L.tensor([0.0]))),
        ("Beta", lambda L: (L.tensor([1.0]), L.tensor([-2.0]))),
        ("Uniform", lambda L: (L.tensor([2.0]), L.tensor([1.0]))),
    ]
    for name, args in cases:
        with pytest.raises(ValueError) as got:
            getattr(D, name)(*args(rt))
        with pytest.raises(ValueError) as want:
            getattr(torch.distributions, name)(*args(torch))
        assert str(got.value).replace("rtensor", "torch") == str(want.value)
    with pytest.raises(ValueError) as got:
        D.Normal(0.0, 1.0).log_prob(1.0)
    assert str(got.value) == "The value argument to log_prob must be a Tensor"


def test_validation_errors():
    with pytest.raises(ValueError, match=r"Expected parameter scale \(Tensor of shape \(2,\)\) of distribution "
                                         r"Normal\(loc: torch.Size\(\[2\]\), scale: torch.Size\(\[2\]\)\) to satisfy "
                                         r"the constraint GreaterThan\(lower_bound=0.0\), but found invalid values:"
                       .replace("torch", "rtensor")):
        D.Normal(rt.zeros(2), -rt.ones(2))
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both."):
        D.Bernoulli()
    with pytest.raises(ValueError, match="Expected value argument"):
        D.Exponential(rt.ones(2)).log_prob(-rt.ones(2))
    D.Normal(rt.zeros(2), -rt.ones(2), validate_args=False)  # no check


def test_expand():
    d = D.Normal(rt.zeros(3), rt.ones(3)).expand((4, 3))
    assert d.batch_shape == (4, 3) and d.sample().shape == (4, 3)
    c = D.Categorical(probs=rt.ones(3)).expand((5,))
    assert c.sample().shape == (5,)


# ------------------------------------------------------------------------------------------ statistics


STATS = [
    (lambda: D.Normal(f64(1.0), f64(2.0)), 1.0, 4.0),
    (lambda: D.Uniform(f64(-1.0), f64(3.0)), 1.0, 16 / 12),
    (lambda: D.Exponential(f64(2.0)), 0.5, 0.25),
    (lambda: D.Gamma(f64(0.6), f64(2.0)), 0.3, 0.15),
    (lambda: D.Gamma(f64(7.0), f64(0.5)), 14.0, 28.0),
    (lambda: D.Beta(f64(2.0), f64(5.0)), 2 / 7, 10 / (49 * 8)),
    (lambda: D.Bernoulli(probs=f64(0.3)), 0.3, 0.21),
]


@pytest.mark.parametrize("i", range(len(STATS)))
def test_sample_statistics(i):
    make, mean, var = STATS[i]
    rt.manual_seed(100 + i)
    x = make().sample((200000,)).numpy().ravel()
    assert abs(x.mean() - mean) < 0.02 * math.sqrt(var) + 1e-9
    assert abs(x.var() - var) < 0.04 * var


def test_categorical_and_multinomial_statistics():
    rt.manual_seed(5)
    c = D.Categorical(probs=rt.tensor([0.1, 0.6, 0.3]))
    s = c.sample((100000,)).numpy()
    np.testing.assert_allclose(np.bincount(s, minlength=3) / len(s), [0.1, 0.6, 0.3], atol=0.006)
    m = D.Multinomial(10, probs=rt.tensor([0.1, 0.6, 0.3]))
    counts = m.sample((20000,)).numpy()
    assert np.all(counts.sum(-1) == 10)
    np.testing.assert_allclose(counts.mean(0), [1.0, 6.0, 3.0], atol=0.05)
    np.testing.assert_allclose(counts.var(0), [0.9, 2.4, 2.1], rtol=0.06)


def test_issue_example_multinomial():
    probs = rt.ones(6) / 6
    s = rt.distributions.multinomial.Multinomial(10, probs).sample()
    assert s.shape == (6,) and float(s.sum()) == 10.0


# ------------------------------------------------------------------------------------------- rsample


def test_rsample_gradients_normal_uniform_exponential():
    loc = f64(0.5).requires_grad_()
    scale = f64(2.0).requires_grad_()
    rt.manual_seed(1)
    x = D.Normal(loc, scale).rsample((5,))
    x.sum().backward()
    assert loc.grad.tolist() == [5.0]
    np.testing.assert_allclose(scale.grad.tolist(), [((x.detach() - 0.5) / 2.0).sum().item()], rtol=1e-12)
    low, high = f64(1.0).requires_grad_(), f64(3.0).requires_grad_()
    u = D.Uniform(low, high).rsample((4,))
    u.sum().backward()
    frac = ((u.detach() - 1.0) / 2.0)
    np.testing.assert_allclose(high.grad.tolist(), [frac.sum().item()], rtol=1e-12)
    np.testing.assert_allclose(low.grad.tolist(), [(1 - frac).sum().item()], rtol=1e-12)
    rate = f64(2.0).requires_grad_()
    e = D.Exponential(rate).rsample((3,))
    e.sum().backward()
    np.testing.assert_allclose(rate.grad.tolist(), [(-e.detach() / 2.0).sum().item()], rtol=1e-12)


def test_rsample_gamma_gradient_is_torchs_formula():
    conc = f64(0.8, 3.0, 12.0).requires_grad_()
    rate = f64(1.0, 2.0, 0.5).requires_grad_()
    rt.manual_seed(7)
    x = D.Gamma(conc, rate).rsample()
    x.sum().backward()
    z = (x * rate).detach()  # the standard gamma sample
    want_conc = rt._standard_gamma_grad(conc.detach(), z) / rate.detach()
    np.testing.assert_allclose(conc.grad.numpy(), want_conc.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rate.grad.numpy(), (-x.detach() / rate.detach()).numpy(), rtol=1e-12)


def test_rsample_beta_is_differentiable_and_unbiased():
    # d E[X] / d alpha for Beta(alpha, beta) = beta / (alpha + beta)^2: the mean of the pathwise
    # gradients over many samples estimates it.
    a = f64(2.0).requires_grad_()
    b = f64(3.0).requires_grad_()
    rt.manual_seed(3)
    x = D.Beta(a, b).rsample((200000,))
    x.mean().backward()
    assert abs(a.grad.item() - 3 / 25) < 0.01
    assert abs(b.grad.item() + 2 / 25) < 0.01


def _dirichlet_grad_points():
    rng = np.random.default_rng(0)
    n = 4000
    x = rng.uniform(1e-4, 1 - 1e-4, n)
    x[:50] = rng.uniform(1e-8, 1e-3, 50)
    x[50:100] = 1 - rng.uniform(1e-8, 1e-3, 50)
    a, b = np.exp(rng.uniform(-3, 4, n)), np.exp(rng.uniform(-3, 4, n))
    return x, a, a + b


def test_dirichlet_grad_is_the_beta_implicit_gradient():
    from rtensor.distributions.dirichlet import _dirichlet_grad

    # -(d/da) cdf(x; a, total - a) / pdf / (1 - x) by finite differences of the regularised
    # incomplete beta function (scipy-free: numerical integration of the density).
    def cdf(x, a, b):
        t = np.linspace(0, x, 200001)[1:]
        logpdf = (a - 1) * np.log(t) + (b - 1) * np.log1p(-t) - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
        return np.trapezoid(np.exp(logpdf), t)

    for x, a, b in [(0.3, 2.0, 3.0), (0.6, 8.0, 7.0), (0.5, 1.5, 1.5), (0.2, 12.0, 20.0)]:
        h = 1e-5
        dcdf = (cdf(x, a + h, b) - cdf(x, a - h, b)) / (2 * h)
        pdf = math.exp((a - 1) * math.log(x) + (b - 1) * math.log1p(-x)
                       - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)))
        want = -dcdf / pdf / (1 - x)
        got = _dirichlet_grad(f64(x), f64(a), f64(a + b)).tolist()[0]
        assert abs(got - want) < 2e-3 * abs(want) + 1e-6, (x, a, b, got, want)


def test_dirichlet_grad_matches_torch():
    torch = pytest.importorskip("torch")
    from rtensor.distributions.dirichlet import _dirichlet_grad

    x, a, total = _dirichlet_grad_points()
    for dt, rtol in (("float64", 1e-9), ("float32", 1e-3)):
        got = _dirichlet_grad(*(rt.tensor(v, dtype=getattr(rt, dt)) for v in (x, a, total)))
        want = torch._dirichlet_grad(*(torch.tensor(v, dtype=getattr(torch, dt)) for v in (x, a, total)))
        assert got.dtype == getattr(rt, dt)
        np.testing.assert_allclose(np.array(got.tolist()), want.numpy(), rtol=rtol, atol=1e-12)


def test_dirichlet_closed_forms_and_sampling():
    c = f64(0.5, 2.0, 3.5)
    d = D.Dirichlet(c)
    assert d.batch_shape == () and d.event_shape == (3,)
    np.testing.assert_allclose(d.mean.tolist(), [0.5 / 6, 2 / 6, 3.5 / 6], rtol=1e-12)
    np.testing.assert_allclose(d.variance.tolist(), [a * (6 - a) / (36 * 7) for a in (0.5, 2.0, 3.5)], rtol=1e-12)
    x = f64(0.2, 0.3, 0.5)
    want = sum((a - 1) * math.log(v) for a, v in zip((0.5, 2.0, 3.5), (0.2, 0.3, 0.5)))
    want += math.lgamma(6) - sum(math.lgamma(a) for a in (0.5, 2.0, 3.5))
    np.testing.assert_allclose(d.log_prob(x).tolist(), want, rtol=1e-12)
    rt.manual_seed(0)
    s = d.sample((20000,))
    assert s.shape == (20000, 3) and s.dtype == rt.float64
    np.testing.assert_allclose(s.sum(-1).numpy(), np.ones(20000), rtol=1e-12)
    np.testing.assert_allclose(s.mean(0).tolist(), d.mean.tolist(), atol=0.01)
    assert not s.requires_grad
    # Beta is the first coordinate of a two-category Dirichlet.
    b = D.Beta(f64(2.0), f64(3.0))
    np.testing.assert_allclose(b.log_prob(f64(0.4)).tolist(),
                               D.Dirichlet(f64(2.0, 3.0)).log_prob(f64(0.4, 0.6)).tolist(), rtol=1e-12)
    with pytest.raises(ValueError, match="`concentration` parameter must be at least one-dimensional."):
        D.Dirichlet(rt.tensor(1.0))


def test_dirichlet_rsample_gradient_is_torchs_for_the_sample():
    torch = pytest.importorskip("torch")
    for conc in ([0.5, 2.0, 3.5], [[8.0, 9.0], [0.3, 0.2]], [1.0, 1.0, 1.0, 1.0]):
        c = rt.tensor(conc, dtype=rt.float64, requires_grad=True)
        x = D.Dirichlet(c).rsample((3,))
        assert x.grad_fn.name() == "_DirichletBackward"
        w = rt.arange(x.numel(), dtype=rt.float64).view(x.shape)
        (x * w).sum().backward()
        # torch's backward for the same sample.
        tx = torch.tensor(x.tolist(), dtype=torch.float64)
        tc = torch.tensor(conc, dtype=torch.float64).expand(tx.shape)
        from torch.distributions.dirichlet import _Dirichlet_backward

        want = _Dirichlet_backward(tx, tc, torch.tensor(w.tolist(), dtype=torch.float64)).sum(0)
        np.testing.assert_allclose(np.array(c.grad.tolist()), want.numpy(), rtol=1e-9, atol=1e-12)


def test_beta_rsample_gradient_is_torchs_for_the_sample():
    torch = pytest.importorskip("torch")
    a = f64(0.7, 2.0, 5.0, 9.0).requires_grad_()
    b = f64(1.5, 3.0, 0.8, 12.0).requires_grad_()
    x = D.Beta(a, b).rsample()
    assert x.grad_fn.name() == "SelectBackward0"
    x.sum().backward()
    from torch.distributions.dirichlet import _Dirichlet_backward

    xx = torch.tensor(x.tolist(), dtype=torch.float64)
    xx = torch.stack([xx, 1 - xx], -1)
    conc = torch.stack([torch.tensor(a.tolist()), torch.tensor(b.tolist())], -1).double()
    want = _Dirichlet_backward(xx, conc, torch.tensor([1.0, 0.0], dtype=torch.float64).expand_as(xx))
    np.testing.assert_allclose(a.grad.tolist(), want[..., 0].numpy(), rtol=1e-7)
    np.testing.assert_allclose(b.grad.tolist(), want[..., 1].numpy(), rtol=1e-7)


@pytest.mark.parametrize("conc", [[0.5, 2.0, 3.5], [[0.5, 0.3], [1.5, 3.0]], [[0.2, 0.3, 0.1]], [2.0, 2.0]])
def test_dirichlet_matches_torch(conc):
    torch = pytest.importorskip("torch")
    d, t = D.Dirichlet(rt.tensor(conc)), torch.distributions.Dirichlet(torch.tensor(conc))
    for attr in ("mean", "variance", "mode"):
        np.testing.assert_allclose(np.array(getattr(d, attr).tolist()), getattr(t, attr).numpy(), rtol=1e-6)
    np.testing.assert_allclose(np.array(d.entropy().tolist()), t.entropy().numpy(), rtol=1e-5, atol=1e-6)
    v = t.sample()
    np.testing.assert_allclose(np.array(d.log_prob(rt.tensor(v.tolist())).tolist()), t.log_prob(v).numpy(),
                               rtol=1e-5, atol=1e-5)
    assert tuple(d.rsample((2,)).shape) == tuple(t.rsample((2,)).shape)
    assert tuple(d.expand((4,) + tuple(d.batch_shape)).sample().shape) == tuple(
        t.expand((4,) + tuple(t.batch_shape)).sample().shape)
    assert repr(d).replace("rtensor.", "torch.") == repr(t)


def test_beta_mode_matches_torch():
    torch = pytest.importorskip("torch")
    args = ([0.5, 2.0, 0.3], [0.5, 3.0, 4.0])
    got = D.Beta(*(rt.tensor(v) for v in args)).mode
    want = torch.distributions.Beta(*(torch.tensor(v) for v in args)).mode
    np.testing.assert_allclose(np.array(got.tolist()), want.numpy(), rtol=1e-6)


def test_has_rsample_flags():
    assert D.Normal.has_rsample and D.Gamma.has_rsample and D.Beta.has_rsample
    assert not D.Bernoulli.has_rsample and not D.Categorical.has_rsample
    with pytest.raises(NotImplementedError):
        D.Bernoulli(probs=rt.tensor(0.5)).rsample()
