"""Seeding and the state of the default generator, as ``torch.random``.

Every sampling op draws from ``rtensor.default_generator`` unless given ``generator=``. A seed
gives the same numbers whatever the thread count; the streams are not torch's (see
``src/random.rs``: Philox4x32-10 keys one SplitMix64 stream per fixed chunk of each draw).
"""

from . import _rtensor

default_generator = _rtensor.default_generator
Generator = _rtensor.Generator

__all__ = ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "default_generator",
           "Generator"]


def manual_seed(seed):
    """Seeds the default generator; returns it."""
    seed = int(seed)
    return default_generator.manual_seed(seed)


def seed():
    """Seeds the default generator with a non-deterministic number; returns it."""
    return default_generator.seed()


def initial_seed():
    """The seed the default generator was last given."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state: a uint8 tensor of 16 bytes, its seed and the draws made
    since, each little-endian (torch's is a byte tensor too, of its own generator's state)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restores the default generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)
