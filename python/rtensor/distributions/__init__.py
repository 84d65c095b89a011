"""Probability distributions with sampling, log densities and moments, as
``torch.distributions`` (the same package layout: ``distributions.normal.Normal`` ...)."""

from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Gamma
from .multinomial import Multinomial
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "Exponential", "Gamma", "Multinomial", "Normal",
           "Uniform", "constraints"]
