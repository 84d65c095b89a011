"""The multinomial distribution, as ``torch.distributions.Multinomial``."""

import rtensor as rt
from . import constraints
from .categorical import Categorical
from .distribution import Distribution
from .utils import broadcast_all, probs_to_logits

__all__ = ["Multinomial"]


class Multinomial(Distribution):
    """Counts of ``total_count`` categorical draws per category."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    total_count: int

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Multinomial, _instance)
        batch_shape = rt.Size(batch_shape)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def param_shape(self):
        return self._categorical.param_shape

    def sample(self, sample_shape=()):
        sample_shape = rt.Size(sample_shape)
        samples = self._categorical.sample(rt.Size((self.total_count,)) + sample_shape)
        # (total_count, sample_shape, batch_shape) -> (sample_shape, batch_shape, total_count)
        order = list(range(1, samples.dim())) + [0]
        samples = samples.permute(*order)
        counts = rt.zeros(self._extended_shape(sample_shape), dtype=samples.dtype)
        counts.scatter_add_(-1, samples, rt.ones_like(samples))
        return counts.to(self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        logits = logits.clone()
        log_factorial_n = rt.lgamma(value.sum(-1) + 1)
        log_factorial_xs = rt.lgamma(value + 1).sum(-1)
        logits = rt.where((value == 0) & (logits == -float("inf")), rt.zeros_like(logits), logits)
        log_powers = (logits * value).sum(-1)
        return log_factorial_n - log_factorial_xs + log_powers

    def entropy(self):
        """torch's formula: ``n * H(categorical) - lgamma(n + 1)`` plus, per category, the
        expectation of ``lgamma(k + 1)`` under the Binomial(n, p) marginal count ``k``."""
        probs = self.probs
        n = rt.tensor(self.total_count, dtype=probs.dtype)
        term1 = n * self._categorical.entropy() - rt.lgamma(n + 1)
        support = rt.arange(1, self.total_count + 1, dtype=probs.dtype)
        support = support.view((-1,) + (1,) * probs.dim())
        term2 = (rt.exp(_binomial_log_prob(n, probs, support)) * rt.lgamma(support + 1)).sum([0, -1])
        return term1 + term2


def _binomial_log_prob(n, probs, k):
    """``log P(k)`` of Binomial(``n``, ``probs``), as torch's ``Binomial.log_prob`` computes it
    (from the probabilities' binary logits, stable for logits of either sign)."""
    logits = probs_to_logits(probs, is_binary=True)
    max_logits_0 = (logits.clamp(min=0) + logits - logits.clamp(max=0)) / 2
    normalize = n * max_logits_0 + n * rt.log1p(rt.exp(-rt.abs(logits))) - rt.lgamma(n + 1)
    return k * logits - normalize - rt.lgamma(n - k + 1) - rt.lgamma(k + 1)
