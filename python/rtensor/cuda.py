"""``rtensor.cuda``: what torch's ``torch.cuda`` says on a build without CUDA. rtensor runs on the
CPU only, so ``is_available()`` is False, ``device_count()`` is 0, seeding is a no-op (as torch's
is until CUDA initialises) and everything that needs a device raises torch's
``AssertionError: Torch not compiled with CUDA enabled``."""

__all__ = [
    "current_device",
    "device_count",
    "empty_cache",
    "get_device_name",
    "is_available",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "set_device",
    "synchronize",
]


def _not_compiled():
    return AssertionError("Torch not compiled with CUDA enabled")


def is_available():
    """Whether CUDA can be used: never."""
    return False


def device_count():
    """The number of CUDA devices: 0."""
    return 0


def is_initialized():
    """Whether CUDA has been initialised: never."""
    return False


def manual_seed(seed):
    """Seeds the current CUDA device's generator: nothing to seed (torch defers it the same way)."""
    int(seed)


def manual_seed_all(seed):
    """Seeds every CUDA device's generator: nothing to seed."""
    int(seed)


def empty_cache():
    """Frees cached CUDA memory: there is none."""


def current_device():
    """The current CUDA device: torch's error for a build without CUDA."""
    raise _not_compiled()


def set_device(device):
    """Selects a CUDA device: torch's error for a build without CUDA."""
    raise _not_compiled()


def synchronize(device=None):
    """Waits for CUDA work: torch's error for a build without CUDA."""
    raise _not_compiled()


def get_device_name(device=None):
    """A CUDA device's name: torch's error for a build without CUDA."""
    raise _not_compiled()
