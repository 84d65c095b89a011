"""rtensor: a PyTorch-compatible eager tensor library for the CPU, with a Rust core.

``import rtensor as rt`` and write PyTorch code: the same values, dtypes, shapes, errors and printouts.
"""

from . import return_types
from . import _rtensor
from ._rtensor import Tensor, bool, dtype, float32, float64, int32, int64
from ._rtensor import bfloat16, float16, int8, int16, uint8

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
from . import nn
from . import optim
from . import utils
from .autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from ._tensor_str import get_printoptions, printoptions, set_printoptions
from ._dtype_info import finfo, iinfo
from ._rtensor import device
from ._legacy import legacy_types as _legacy_types
from ._creation import asarray, empty_strided, frombuffer, is_complex, is_tensor, logspace, range
from ._tensor_methods import install as _install_tensor_methods
from ._pickle import install as _install_pickle
from ._tensor_methods import layout, strided
from ._tensor_methods import channels_last, channels_last_3d, contiguous_format, memory_format, preserve_format
from . import backends
from . import cuda
from . import testing
from . import safetensors
from ._save import load, save

globals().update(_legacy_types())
_install_tensor_methods()
_install_pickle()

# torch's aliases for the dtypes.
float = float32
double = float64
int = int32
long = int64
half = float16
short = int16


__version__ = "0.1.0"
