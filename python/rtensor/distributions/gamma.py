"""The gamma distribution, as ``torch.distributions.Gamma``."""

from numbers import Number

import rtensor as rt
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Gamma"]


def _standard_gamma(concentration):
    return rt._standard_gamma(concentration)


def _tiny(dtype):
    return 1.1754943508222875e-38 if dtype == rt.float32 else 2.2250738585072014e-308


class Gamma(Distribution):
    """The gamma distribution of shape ``concentration`` and rate ``rate``."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        if isinstance(concentration, Number) and isinstance(rate, Number):
            batch_shape = rt.Size()
        else:
            batch_shape = self.concentration.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = rt.Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        value = _standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        tiny = _tiny(value.dtype)
        return rt.where(value.detach() < tiny, value.detach().clamp(min=tiny), value)

    def log_prob(self, value):
        value = rt.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (rt.xlogy(self.concentration, self.rate) + rt.xlogy(self.concentration - 1, value)
                - self.rate * value - rt.lgamma(self.concentration))

    def entropy(self):
        return (self.concentration - rt.log(self.rate) + rt.lgamma(self.concentration)
                + (1.0 - self.concentration) * rt.digamma(self.concentration))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return rt.special.gammainc(self.concentration, self.rate * value)
