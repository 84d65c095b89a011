"""The Dirichlet distribution, as ``torch.distributions.Dirichlet``.

``rsample`` normalises standard gamma draws (made in float64, as torch's CPU sampler) and is
differentiable through torch's implicit reparameterisation gradient ``_dirichlet_grad``: for a
sample ``x`` the derivative of ``x_i`` with respect to ``concentration_i`` is that of the Beta
marginal ``Beta(alpha_i, total - alpha_i)`` at ``x_i``, computed with torch's approximations
(Taylor series near 0 and 1, a saddle-point expansion for large parameters, a rational
correction elsewhere), so a given sample gets torch's gradient.
"""

import rtensor as rt
from . import constraints
from .distribution import Distribution

__all__ = ["Dirichlet"]

_TINY = {"float32": 1.1754943508222875e-38, "float64": 2.2250738585072014e-308}
# The largest value below 1 of each dtype (torch clamps the normalised draws below it).
_BELOW_ONE = {"float32": 1.0 - 2.0 ** -24, "float64": 1.0 - 2.0 ** -53}


def _name(dtype):
    return str(dtype).rpartition(".")[2]


def _sample_dirichlet(concentration):
    """Dirichlet draws along the last dim, without gradient: float64 gamma draws (at least the
    smallest normal double) divided by their sum, clamped into the dtype's (0, 1)."""
    with rt.no_grad():
        g = rt._standard_gamma(concentration.to(rt.float64)).clamp(min=_TINY["float64"])
        x = (g / g.sum(-1, True)).to(concentration.dtype)
        name = _name(concentration.dtype)
        return x.clamp(min=_TINY.get(name, _TINY["float32"]), max=_BELOW_ONE.get(name, _BELOW_ONE["float32"]))


def _nan_to_zero(v):
    return rt.where(rt.isnan(v), rt.zeros_like(v), v)


def _digamma(v):
    """digamma computed in float64 and rounded to ``v``'s dtype, as torch's ``digamma_one``."""
    return rt.digamma(v.to(rt.float64)).to(v.dtype)


def _grad_alpha_small(x, a, b):
    """d x / d alpha of Beta(a, b) for x near 0: a Taylor series in x (in the order torch's
    kernel rounds: the series cancels, so float32 results depend on it)."""
    factor = _digamma(a) - _digamma(a + b) - rt.log(x)
    numer = rt.ones_like(x)
    series = numer / a * (factor + 1 / a)
    for i in range(1, 11):
        numer = numer * ((i - b) * x / i)
        denom = a + i
        series = series + numer / denom * (factor + 1 / denom)
    return _nan_to_zero(x * (1 - x).pow(-b) * series)


def _grad_beta_small(x, a, b):
    """d x / d beta of Beta(a, b) for x near 0: a Taylor series in x."""
    factor = _digamma(a + b) - _digamma(b)
    numer, betas, dbetas = rt.ones_like(x), rt.ones_like(x), rt.zeros_like(x)
    series = factor / a
    for i in range(1, 9):
        numer = numer * (-x / i)
        dbetas = dbetas * (b - i) + betas
        betas = betas * (b - i)
        series = series + numer / (a + i) * (dbetas + factor * betas)
    return _nan_to_zero(-(1 - x).pow(1 - b) * series)


def _grad_alpha_mid(x, a, b):
    """d x / d alpha of Beta(a, b) for large a and b: a Rice saddle-point expansion (a
    polynomial within a tenth of a standard deviation of the mean, where the expansion is
    singular)."""
    total = a + b
    mean = a / total
    std = rt.sqrt(a * b / (total + 1)) / total
    b2 = b * b
    poly = 47 * x * b2 * b2 + a * (
        (43 + 20 * (16 + 27 * b) * x) * b2 * b + a * (
            3 * (59 + 180 * b - 90 * x) * b2 + a * (
                (453 + 1620 * b * (1 - x) - 455 * x) * b + a * (8 * (1 - x) * (135 * b - 11)))))
    near = ((1 + 12 * a) * (1 + 12 * b) / (total * total) / (1 - x) * poly
            / (12960 * a * a * a * b * b * (1 + 12 * total)))
    prefactor = -x / rt.sqrt(2 * a * b / total)
    stirling = ((1 + 1 / (12 * a) + 1 / (288 * a * a)) * (1 + 1 / (12 * b) + 1 / (288 * b * b))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    axbx = a * (x - 1) + b * x
    term1 = ((2 * a * a * (x - 1) + a * b * (x - 1) - x * b2)
             / (rt.sqrt(2 * a / b) * total.pow(1.5) * axbx * axbx))
    term2 = 0.5 * rt.log(a / (total * x))
    term3 = rt.sqrt(8 * a * b / total) / axbx
    term4 = (b * rt.log(b / (total * (1 - x))) + a * rt.log(a / (total * x))).pow(-1.5)
    far = stirling * prefactor * (term1 + term2 * (term3 + rt.where(x < mean, term4, -term4)))
    return rt.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), near, far)


# The rational correction's coefficients: [numerator, denominator][power of u][power of a][power of b].
_RATIONAL = (
    (((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
      (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
      (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
     ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
      (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
      (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
     ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
      (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
      (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
    (((1.0, -0.02924021934, -0.04438342661, 0.007285809825),
      (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
      (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
     ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
      (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
      (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
     ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
      (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
      (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06))),
)


def _grad_rational(x, a, total):
    """d x / d alpha of Beta(a, total - a): a rational correction to an analytic approximation."""
    u = rt.log(x)
    la = rt.log(a) - u
    lb = rt.log(total) - la
    sums = []
    for table in _RATIONAL:
        acc = rt.zeros_like(x)
        for i in range(3):
            for j in range(3):
                c = table[i][j]
                acc = acc + u.pow(i) * la.pow(j) * (c[0] + lb * (c[1] + lb * (c[2] + lb * c[3])))
        sums.append(acc)
    approx = x * (rt.digamma(total) - rt.digamma(a)) / (total - a)
    return sums[0] / sums[1] * approx


def _dirichlet_grad(x, concentration, total):
    """torch's ``_dirichlet_grad``: elementwise ``-(d/d alpha) cdf(x) / pdf(x) / (1 - x)`` of
    Beta(alpha, total - alpha) at ``x``, in ``x``'s dtype. As torch's kernel, the branch tests and
    the two Taylor series run in that dtype, the other approximations in float64."""
    with rt.no_grad():
        dtype = x.dtype
        x, a, total = rt.broadcast_tensors(x, concentration.to(dtype), total.to(dtype))
        b = total - a
        boundary = total * x * (1 - x)
        small_a = _grad_alpha_small(x, a, b).to(rt.float64)
        small_b = -_grad_beta_small(1 - x, b, a).to(rt.float64)
        x, a, total = (t.to(rt.float64) for t in (x, a, total))
        mid = _grad_alpha_mid(x, a, total - a)
        out = rt.where(
            (boundary < 2.5) & (x <= 0.5),
            small_a,
            rt.where((boundary < 0.75) & (x >= 0.5), small_b,
                     rt.where((a > 6) & (total - a > 6), mid, _grad_rational(x, a, total))),
        )
        return out.to(dtype)


def _dirichlet_backward(x, concentration, grad_output):
    total = concentration.sum(-1, True).expand_as(concentration)
    grad = _dirichlet_grad(x, concentration, total)
    return grad * (grad_output - (x * grad_output).sum(-1, True))


class _Dirichlet(rt.autograd.Function):
    """Dirichlet draws whose backward is torch's implicit reparameterisation gradient."""

    @staticmethod
    def forward(ctx, concentration):
        x = _sample_dirichlet(concentration)
        ctx.save_for_backward(x, concentration)
        return x

    @staticmethod
    @rt.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        x, concentration = ctx.saved_tensors
        return _dirichlet_backward(x, concentration, grad_output)


class Dirichlet(Distribution):
    """The Dirichlet distribution of ``concentration`` (alpha) over the simplex of its last dim."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = rt.Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return _Dirichlet.apply(self.concentration.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (rt.xlogy(self.concentration - 1.0, value).sum(-1) + rt.lgamma(self.concentration.sum(-1))
                - rt.lgamma(self.concentration).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        concentrationm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concentrationm1 / concentrationm1.sum(-1, True)
        mask = (self.concentration < 1).all(dim=-1)
        k = concentrationm1.shape[-1]
        one_hot = (mode[mask].argmax(dim=-1).unsqueeze(-1) == rt.arange(k)).to(mode.dtype)
        mode[mask] = one_hot
        return mode

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (rt.lgamma(self.concentration).sum(-1) - rt.lgamma(a0) - (k - a0) * rt.digamma(a0)
                - ((self.concentration - 1.0) * rt.digamma(self.concentration)).sum(-1))
