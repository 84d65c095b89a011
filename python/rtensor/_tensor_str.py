"""Tensor printing for rtensor: a pure-Python port of ``torch/_tensor_str.py``.

The output of :func:`tensor_repr` is byte-identical to PyTorch's ``repr(t)``
with ``torch`` replaced by ``rtensor`` (for dense CPU tensors of real dtypes).

Only a handful of tensor members are used, all of which ``torch.Tensor`` has
as well (so the module can be tested against real torch tensors):

    t.dim(), t.shape, t.numel(), t.dtype, t.tolist(), t[i], t[:k], t[-k:],
    t.requires_grad, t.grad_fn

Summarization (``numel > threshold``) is done by indexing/slicing *before*
calling ``tolist()``, so only the printed elements are ever converted to
Python objects; printing a huge tensor costs O(printed elements).

All numeric formatting happens on the Python ``float``/``int``/``bool`` values
returned by ``tolist()``, exactly like torch (which formats ``t.item()``).

This module deliberately imports neither numpy nor torch nor rtensor.
"""

import math

__all__ = [
    "PRINT_OPTS",
    "set_printoptions",
    "get_printoptions",
    "printoptions",
    "tensor_repr",
]

# Name printed in front of dtypes, e.g. ``dtype=rtensor.float64``.
MODULE_NAME = "rtensor"
# Line-wrapping of the suffixes is decided as if the module were called
# "torch", so that the output is exactly torch's with "torch" -> "rtensor"
# ("dtype=rtensor.float64" is 2 characters longer than "dtype=torch.float64",
# which could otherwise move it onto its own line in borderline cases).
_LAYOUT_MODULE_NAME = "torch"


class _PrinterOptions:
    """Printing options (same fields and defaults as torch's PRINT_OPTS)."""

    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None  # None: chosen automatically

    def asdict(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.asdict().items())
        return f"_PrinterOptions({args})"


PRINT_OPTS = _PrinterOptions()


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Same semantics as ``torch.set_printoptions``."""
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80
        elif profile == "short":
            PRINT_OPTS.precision = 2
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 2
            PRINT_OPTS.linewidth = 80
        elif profile == "full":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = math.inf
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80

    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    # Like torch: sci_mode is always (re)set, None meaning "automatic".
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    return PRINT_OPTS.asdict()


class printoptions:
    """Context manager temporarily changing the print options."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._old = None

    def __enter__(self):
        self._old = get_printoptions()
        set_printoptions(**self._kwargs)
        return self

    def __exit__(self, *exc):
        set_printoptions(**self._old)
        return False


# --------------------------------------------------------------------------
# dtype helpers
# --------------------------------------------------------------------------

_DTYPE_ALIASES = {
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "long": "int64",
    "int": "int32",
    "short": "int16",
    "cfloat": "complex64",
    "cdouble": "complex128",
    "chalf": "complex32",
}

def _is_ident_char(c):
    return c.isalnum() or c == "_"


def _dtype_name(dtype):
    """Canonical short name ('float32', 'int64', ...) of a dtype object/str.

    Takes the last identifier of ``str(dtype)``: 'torch.float32',
    'rtensor.float32', 'float32' and 'DType(float32)' all give 'float32'.
    """
    if dtype is None:
        return "float32"
    s = dtype if isinstance(dtype, str) else str(dtype)
    end = len(s)
    while end and not _is_ident_char(s[end - 1]):
        end -= 1
    start = end
    while start and _is_ident_char(s[start - 1]):
        start -= 1
    name = (s[start:end] or s).lower()
    return _DTYPE_ALIASES.get(name, name)


def _is_floating_name(name):
    return name.startswith(("float", "bfloat"))


def _is_known_name(name):
    return name == "bool" or name.startswith(
        ("float", "bfloat", "int", "uint", "complex")
    )


# --------------------------------------------------------------------------
# Extraction of the (possibly summarized) data as nested Python lists
# --------------------------------------------------------------------------


class _EllipsisType:
    __slots__ = ()

    def __repr__(self):
        return "<summarized>"


# Marks the place of the elided items in a summarized dimension.
_ELL = _EllipsisType()


def _extract(t, shape, summarize, edge):
    """Nested lists of the values that will be printed.

    A summarized dimension is represented as ``head + [_ELL] + tail``
    (or ``[_ELL]`` alone when ``edgeitems == 0``).  Only the printed elements
    are ever passed through ``tolist()``.
    """
    if not summarize or not any(s > 2 * edge for s in shape):
        return t.tolist()
    n = shape[0]
    if len(shape) == 1:
        # here n > 2 * edge
        if edge == 0:
            return [_ELL]
        return t[:edge].tolist() + [_ELL] + t[-edge:].tolist()
    sub = shape[1:]
    if n > 2 * edge:
        if edge == 0:
            return [_ELL]
        return (
            [_extract(t[i], sub, summarize, edge) for i in range(edge)]
            + [_ELL]
            + [_extract(t[i], sub, summarize, edge) for i in range(n - edge, n)]
        )
    return [_extract(t[i], sub, summarize, edge) for i in range(n)]


def _flatten(data, ndim, out):
    if ndim == 0:
        out.append(data)
    elif ndim == 1:
        out.extend(v for v in data if v is not _ELL)
    else:
        for row in data:
            if row is not _ELL:
                _flatten(row, ndim - 1, out)
    return out


# --------------------------------------------------------------------------
# Formatter (port of torch._tensor_str._Formatter)
# --------------------------------------------------------------------------


class _Formatter:
    def __init__(self, values, floating_dtype):
        """``values``: flat list of the Python scalars that determine the layout."""
        self.floating_dtype = floating_dtype
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        precision = PRINT_OPTS.precision

        if not floating_dtype:
            for value in values:
                self.max_width = max(self.max_width, len(f"{value}"))
            return

        nonzero_finite_vals = [
            v for v in values if v != 0 and not (math.isinf(v) or math.isnan(v))
        ]
        if not nonzero_finite_vals:
            # no valid number, do nothing
            return

        abs_vals = [abs(v) for v in nonzero_finite_vals]
        nonzero_finite_min = float(min(abs_vals))
        nonzero_finite_max = float(max(abs_vals))

        for value in nonzero_finite_vals:
            if not float(value).is_integer():
                self.int_mode = False
                break

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = (
                nonzero_finite_max / nonzero_finite_min > 1000.0
                or nonzero_finite_max > 1.0e8
                or nonzero_finite_min < 1.0e-4
            )
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        if self.sci_mode:
            fmt = f"{{:.{precision}e}}".format
            extra = 0
        elif self.int_mode:
            # in int_mode for floats, all numbers are integers, and we append
            # a decimal point; add 1 to the length to account for it.
            fmt = "{:.0f}".format
            extra = 1
        else:
            fmt = f"{{:.{precision}f}}".format
            extra = 0
        width = self.max_width
        for value in nonzero_finite_vals:
            width = max(width, len(fmt(value)) + extra)
        self.max_width = width

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{{:{self.max_width}.{PRINT_OPTS.precision}e}}".format(value)
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{{:.{PRINT_OPTS.precision}f}}".format(value)
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


# --------------------------------------------------------------------------
# String building (port of _vector_str / _tensor_str_with_formatter)
# --------------------------------------------------------------------------


def _vector_str(data, indent, formatter):
    # length includes spaces and comma between elements
    element_length = formatter.width() + 2
    elements_per_line = max(
        1, math.floor((PRINT_OPTS.linewidth - indent) / element_length)
    )
    if len(data) == 1 and data[0] is _ELL:
        # summarized with edgeitems == 0
        items = ["..."]
    else:
        fmt = formatter.format
        items = [" ..." if v is _ELL else fmt(v) for v in data]

    lines = [
        ", ".join(items[i : i + elements_per_line])
        for i in range(0, len(items), elements_per_line)
    ]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(data, ndim, indent, formatter):
    if ndim == 0:
        return formatter.format(data)
    if ndim == 1:
        return _vector_str(data, indent, formatter)
    slices = [
        "..." if row is _ELL
        else _tensor_str_with_formatter(row, ndim - 1, indent + 1, formatter)
        for row in data
    ]
    return "[" + ("," + "\n" * (ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(t, indent, dtype_name=None):
    """The bracketed contents of ``t`` (no ``tensor(`` prefix, no suffixes)."""
    if dtype_name is None:
        dtype_name = _dtype_name(t.dtype)
    numel = t.numel()
    if numel == 0:
        return "[]"
    if dtype_name.startswith("complex"):
        raise NotImplementedError("printing complex tensors is not supported")

    shape = tuple(int(s) for s in t.shape)
    ndim = len(shape)
    summarize = numel > PRINT_OPTS.threshold
    edge = PRINT_OPTS.edgeitems

    data = _extract(t, shape, summarize, edge)

    if summarize and ndim == 1 and edge == 0:
        # torch quirk: get_summarized_data() uses self[-0:], i.e. the whole
        # 1-D tensor, to build the formatter.
        values = t.tolist()
    else:
        values = _flatten(data, ndim, [])

    if _is_known_name(dtype_name):
        floating = _is_floating_name(dtype_name)
    else:
        floating = any(isinstance(v, float) for v in values)

    formatter = _Formatter(values, floating)
    return _tensor_str_with_formatter(data, ndim, indent, formatter)


def _add_suffixes(tensor_str, suffixes, indent, force_newline):
    """``suffixes``: list of ``(text, layout_length)`` pairs."""
    tensor_strs = [tensor_str]
    # NB: torch's off-by-N computation of the last line length, kept as is.
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix, suffix_len in suffixes:
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def _plain(suffix):
    return (suffix, len(suffix))


def _grad_fn_name(t):
    try:
        grad_fn = getattr(t, "grad_fn", None)
    except RuntimeError:
        return "Invalid"
    if grad_fn is None:
        return None
    name = None
    name_attr = getattr(grad_fn, "name", None)
    if callable(name_attr):
        try:
            name = name_attr()
        except Exception:
            name = None
    if not name:
        name = type(grad_fn).__name__
    return str(name).rsplit("::", 1)[-1]


def tensor_repr(t, default_dtype_name="float32"):
    """``repr`` of a tensor, identical to torch's with 'torch' -> 'rtensor'.

    ``default_dtype_name``: the current default floating dtype (a name such as
    ``'float32'``/``'rtensor.float64'`` or a dtype object).  A tensor of the
    default dtype, of int64 or of bool prints no ``dtype=`` suffix.
    """
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []

    dtype_name = _dtype_name(t.dtype)
    default_name = _dtype_name(default_dtype_name)
    default_complex = "complex128" if default_name == "float64" else "complex64"
    has_default_dtype = dtype_name in (default_name, default_complex, "int64", "bool")
    dtype_suffix = (
        "dtype=" + MODULE_NAME + "." + dtype_name,
        len("dtype=" + _LAYOUT_MODULE_NAME + "." + dtype_name),
    )

    shape_suffix = _plain("size=" + str(tuple(int(s) for s in t.shape)))

    if t.numel() == 0:
        # Explicitly print the shape if it is not (0,), to match NumPy behavior
        if t.dim() != 1:
            suffixes.append(shape_suffix)
        # In an empty tensor, there are no elements to infer if the dtype
        # should be int64, so it must be shown explicitly.
        if dtype_name != default_name:
            suffixes.append(dtype_suffix)
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(shape_suffix)
        if not has_default_dtype:
            suffixes.append(dtype_suffix)
        tensor_str = _tensor_str(t, indent, dtype_name)

    grad_fn_name = _grad_fn_name(t)
    if grad_fn_name is not None:
        suffixes.append(_plain(f"grad_fn=<{grad_fn_name}>"))
    elif getattr(t, "requires_grad", False):
        suffixes.append(_plain("requires_grad=True"))

    return _add_suffixes(prefix + tensor_str, suffixes, indent, force_newline=False)
