"""rtensor: a PyTorch-compatible eager tensor library for the CPU, with a Rust core.

``import rtensor as rt`` and write PyTorch code: the same values, dtypes, shapes, errors and printouts.
"""

from . import return_types
from ._rtensor import (
    Tensor,
    abs,
    add,
    all,
    amax,
    amin,
    any,
    arange,
    argmax,
    argmin,
    as_tensor,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    bmm,
    bool,
    cat,
    clamp,
    clip,
    cos,
    count_nonzero,
    cumprod,
    cumsum,
    div,
    dot,
    dtype,
    einsum,
    empty,
    empty_like,
    eq,
    exp,
    eye,
    float32,
    float64,
    floor_divide,
    from_dlpack,
    from_numpy,
    full,
    full_like,
    ge,
    get_default_dtype,
    get_num_threads,
    gt,
    initial_seed,
    int32,
    int64,
    le,
    linspace,
    log,
    logical_not,
    logsumexp,
    lt,
    manual_seed,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    mv,
    ne,
    neg,
    norm,
    ones,
    ones_like,
    outer,
    pow,
    prod,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    relu,
    remainder,
    set_default_dtype,
    set_num_threads,
    sigmoid,
    sin,
    sqrt,
    stack,
    std,
    sub,
    sum,
    tanh,
    tensor,
    true_divide,
    var,
    where,
    zeros,
    zeros_like,
)
from ._size import Size
from . import autograd
from . import linalg
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ._tensor_str import get_printoptions, printoptions, set_printoptions

# torch's aliases for the dtypes.
float = float32
double = float64
int = int32
long = int64

concat = cat
concatenate = cat

# Functions that are the Tensor method of the same name, as in torch (`rt.flatten(t) == t.flatten()`).
# Method descriptors are called directly, so these cost nothing over the method. The math functions
# are compiled functions of their own: they accept a Number first where torch does.
_METHOD_FUNCTIONS = (
    "chunk", "clone", "detach", "flatten", "is_floating_point", "narrow", "numel", "permute",
    "reshape", "select", "split", "squeeze", "swapaxes", "t", "transpose", "unsqueeze",
)
for _name in _METHOD_FUNCTIONS:
    globals()[_name] = getattr(Tensor, _name)
del _name

negative = neg
multiply = mul
divide = div
subtract = sub

__version__ = "0.1.0"
