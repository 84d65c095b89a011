"""rtensor: a PyTorch-compatible eager tensor library for the CPU, with a Rust core.

``import rtensor as rt`` and write PyTorch code: the same values, dtypes, shapes, errors and printouts.
"""

from ._rtensor import (
    Tensor,
    arange,
    as_tensor,
    bool,
    cat,
    dtype,
    empty,
    empty_like,
    eye,
    float32,
    float64,
    from_dlpack,
    from_numpy,
    full,
    full_like,
    get_default_dtype,
    get_num_threads,
    initial_seed,
    int32,
    int64,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    set_default_dtype,
    set_num_threads,
    stack,
    tensor,
    where,
    zeros,
    zeros_like,
)
from ._size import Size
from ._tensor_str import get_printoptions, printoptions, set_printoptions

# torch's aliases for the dtypes.
float = float32
double = float64
int = int32
long = int64

concat = cat
concatenate = cat

# Functions that are the Tensor method of the same name, as in torch (`rt.exp(t) == t.exp()`).
# Method descriptors are called directly, so these cost nothing over the method.
_METHOD_FUNCTIONS = (
    "abs", "add", "bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor", "chunk", "clamp",
    "clip", "clone", "cos", "detach", "div", "eq", "exp", "flatten", "floor_divide", "ge", "gt",
    "is_floating_point", "le", "log", "logical_not", "lt", "maximum", "minimum", "mul", "narrow",
    "ne", "neg", "numel", "permute", "pow", "relu", "remainder", "reshape", "select", "sigmoid",
    "sin", "split", "sqrt", "squeeze", "sub", "swapaxes", "t", "tanh", "transpose", "true_divide",
    "unsqueeze",
)
for _name in _METHOD_FUNCTIONS:
    globals()[_name] = getattr(Tensor, _name)
del _name

negative = neg
multiply = mul
divide = div
subtract = sub

__version__ = "0.1.0"
