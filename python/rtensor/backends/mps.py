"""``rtensor.backends.mps``: Apple's Metal backend, which rtensor does not have."""

__all__ = ["is_available", "is_built"]


def is_available():
    """Whether MPS can be used: never."""
    return False


def is_built():
    """Whether this build supports MPS: no."""
    return False
