"""rtensor: a PyTorch-compatible eager tensor library for the CPU, with a Rust core.

``import rtensor as rt`` and write PyTorch code: the same values, dtypes, shapes, errors and printouts.
"""

from . import return_types
from . import _rtensor
from ._rtensor import Tensor, bool, dtype, float32, float64, int32, int64

# Every public name of the extension: the registry's ops (declared once in the Rust core) and the
# creation, interop and settings functions.
globals().update({_n: getattr(_rtensor, _n) for _n in dir(_rtensor) if not _n.startswith("_")})
from ._size import Size
from ._broadcast import broadcast_shapes
from . import autograd
from . import random
from .random import get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from ._rtensor import _standard_gamma, _standard_gamma_grad
from . import distributions
from . import linalg
from . import special
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ._tensor_str import get_printoptions, printoptions, set_printoptions

# torch's aliases for the dtypes.
float = float32
double = float64
int = int32
long = int64


__version__ = "0.1.0"
