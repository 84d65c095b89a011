"""The beta distribution, as ``torch.distributions.Beta``."""

from numbers import Real

import rtensor as rt
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Beta"]


class Dirichlet(Distribution):
    """The Dirichlet parameters behind a Beta, validated as torch validates them."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}

    def __init__(self, concentration, validate_args=None):
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)


class Beta(Distribution):
    """The beta distribution of ``concentration1`` (alpha) and ``concentration0`` (beta).

    ``rsample`` is ``X / (X + Y)`` of two standard gamma samples, differentiable through
    ``_standard_gamma`` (torch reparameterises through its Dirichlet sampler instead: the same
    distribution and unbiased gradients, not the same per-sample gradient values).
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        if isinstance(concentration1, Real) and isinstance(concentration0, Real):
            concentration1, concentration0 = (rt.tensor(float(concentration1)), rt.tensor(float(concentration0)))
        concentration1, concentration0 = broadcast_all(concentration1, concentration0)
        self._dirichlet = Dirichlet(rt.stack([concentration1, concentration0], -1), validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        batch_shape = rt.Size(batch_shape)
        new = Beta(self.concentration1.expand(batch_shape), self.concentration0.expand(batch_shape),
                   validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def concentration1(self):
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self):
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        return (self.concentration1 - 1) / (self.concentration1 + self.concentration0 - 2)

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        x = rt._standard_gamma(self.concentration1.expand(shape))
        y = rt._standard_gamma(self.concentration0.expand(shape))
        return x / (x + y)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return (rt.xlogy(a - 1, value) + rt.xlogy(b - 1, 1 - value)
                + rt.lgamma(a + b) - rt.lgamma(a) - rt.lgamma(b))

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        total = a + b
        return (rt.lgamma(a) + rt.lgamma(b) - rt.lgamma(total) + (total - 2) * rt.digamma(total)
                - (a - 1) * rt.digamma(a) - (b - 1) * rt.digamma(b))

