"""``rtensor.backends.cudnn``: cuDNN, which rtensor does not have. The flags torch code sets
(``enabled``, ``benchmark``, ``deterministic``, ``allow_tf32``) are plain module attributes with
torch's defaults, settable and without effect."""

__all__ = ["is_available", "version"]

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """Whether cuDNN can be used: never."""
    return False


def version():
    """cuDNN's version: None, as torch gives without cuDNN."""
    return None
