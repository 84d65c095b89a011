"""``rtensor.testing``: ``assert_close`` and ``make_tensor`` as torch.testing's, with its default
tolerances per dtype and its mismatch messages (a port of torch/testing/_comparison.py for dense
tensors, numpy arrays, Python numbers and bools, None, and sequences and mappings of them)."""

import builtins
import cmath
import collections.abc
import math
import warnings

from . import _rtensor
from ._rtensor import Tensor as _Tensor

__all__ = ["assert_close", "make_tensor"]

# {dtype name: (rtol, atol)}; every other dtype compares exactly.
_DTYPE_PRECISIONS = {
    "float16": (0.001, 1e-5),
    "bfloat16": (0.016, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
}

# Python number types as dtypes, for the tolerances of numbers.
_NUMBER_DTYPES = {builtins.int: "int64", builtins.float: "float64", builtins.complex: "complex128"}


def _name(dtype):
    return str(dtype).rpartition(".")[2]


class _ErrorMeta(Exception):
    """A comparison failure: the exception type and message to raise, and where in the inputs."""

    def __init__(self, type, msg, *, id=()):
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg=None):
        if not isinstance(msg, str):
            generated = self.msg
            if self.id:
                generated += f"\n\nThe failure occurred for item {''.join(str([i]) for i in self.id)}"
            msg = msg(generated) if callable(msg) else generated
        return self.type(msg)


class _Unsupported(Exception):
    """The inputs are not for this kind of pair."""


def _tolerances(*dtype_names, rtol, atol, id=()):
    if (rtol is None) ^ (atol is None):
        raise _ErrorMeta(
            ValueError,
            "Both 'rtol' and 'atol' must be either specified or omitted, "
            f"but got no {'rtol' if rtol is None else 'atol'}.",
            id=id,
        )
    if rtol is not None:
        return rtol, atol
    rtols, atols = zip(*[_DTYPE_PRECISIONS.get(n, (0.0, 0.0)) for n in dtype_names])
    return max(rtols), max(atols)


def _mismatch_msg(*, default_identifier, identifier, extra, abs_diff, abs_diff_idx, atol, rel_diff,
                  rel_diff_idx, rtol):
    equality = rtol == 0 and atol == 0

    def diff_msg(kind, diff, idx, tol):
        if idx is None:
            msg = f"{kind.title()} difference: {diff}"
        else:
            msg = f"Greatest {kind} difference: {diff} at index {idx}"
        if not equality:
            msg += f" (up to {tol} allowed)"
        return msg + "\n"

    if identifier is None:
        identifier = default_identifier
    elif callable(identifier):
        identifier = identifier(default_identifier)
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += diff_msg("absolute", abs_diff, abs_diff_idx, atol)
    msg += diff_msg("relative", rel_diff, rel_diff_idx, rtol)
    return msg.strip()


def _scalar_mismatch_msg(actual, expected, *, rtol, atol, identifier=None):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg(default_identifier="Scalars", identifier=identifier,
                         extra=f"Expected {expected} but got {actual}.", abs_diff=abs_diff,
                         abs_diff_idx=None, atol=atol, rel_diff=rel_diff, rel_diff_idx=None, rtol=rtol)


def _tensor_mismatch_msg(actual, expected, matches, *, rtol, atol, identifier=None):
    def unravel(flat):
        if not matches.shape:
            return ()
        out = []
        for size in matches.shape[::-1]:
            flat, mod = divmod(flat, size)
            out.append(mod)
        return tuple(out[::-1])

    total = matches.numel()
    mismatches = total - builtins.int(matches.sum())
    extra = f"Mismatched elements: {mismatches} / {total} ({mismatches / total:.1%})"
    a, e, m = actual.flatten(), expected.flatten(), matches.flatten()
    if not actual.dtype.is_floating_point:
        a, e = a.to(_rtensor.int64), e.to(_rtensor.int64)
    abs_diff = (a - e).abs()
    abs_diff[m] = 0
    max_abs, max_abs_idx = abs_diff.max(0)
    rel_diff = abs_diff / e.abs()
    rel_diff[m] = 0
    max_rel, max_rel_idx = rel_diff.max(0)
    return _mismatch_msg(default_identifier="Tensor-likes", identifier=identifier, extra=extra,
                         abs_diff=max_abs.item(), abs_diff_idx=unravel(builtins.int(max_abs_idx)),
                         atol=atol, rel_diff=max_rel.item(),
                         rel_diff_idx=unravel(builtins.int(max_rel_idx)), rtol=rtol)


def _is_numpy(obj, *kinds):
    """Whether ``obj`` is a numpy scalar of one of the classes named (``number``, ``bool_``)."""
    t = type(obj)
    return t.__module__ == "numpy" and any(c.__name__ in kinds for c in t.__mro__)


class _NonePair:
    def __init__(self, actual, expected, *, id=(), **_):
        if not (actual is None or expected is None):
            raise _Unsupported
        self.actual, self.expected, self.id = actual, expected, id

    def compare(self):
        if not (self.actual is None and self.expected is None):
            raise _ErrorMeta(AssertionError, f"None mismatch: {self.actual} is not {self.expected}",
                             id=self.id)


class _BooleanPair:
    def __init__(self, actual, expected, *, id=(), **_):
        ok = all(isinstance(v, builtins.bool) or _is_numpy(v, "bool", "bool_") for v in (actual, expected))
        if not ok:
            raise _Unsupported
        self.actual, self.expected, self.id = builtins.bool(actual), builtins.bool(expected), id

    def compare(self):
        if self.actual is not self.expected:
            raise _ErrorMeta(AssertionError,
                             f"Booleans mismatch: {self.actual} is not {self.expected}", id=self.id)


class _NumberPair:
    def __init__(self, actual, expected, *, id=(), rtol=None, atol=None, equal_nan=False,
                 check_dtype=False, **_):
        def number(v):
            if _is_numpy(v, "number"):
                return v.item()
            if isinstance(v, (builtins.int, builtins.float, builtins.complex)) and not isinstance(v, builtins.bool):
                return v
            raise _Unsupported

        self.actual, self.expected, self.id = number(actual), number(expected), id
        self.rtol, self.atol = _tolerances(*[_NUMBER_DTYPES[type(v)] for v in (self.actual, self.expected)],
                                           rtol=rtol, atol=atol, id=id)
        self.equal_nan = equal_nan
        self.check_dtype = check_dtype

    def compare(self):
        a, e = self.actual, self.expected
        if self.check_dtype and type(a) is not type(e):
            raise _ErrorMeta(AssertionError, f"The (d)types do not match: {type(a)} != {type(e)}.",
                             id=self.id)
        if a == e:
            return
        if self.equal_nan and cmath.isnan(a) and cmath.isnan(e):
            return
        abs_diff = abs(a - e)
        if cmath.isfinite(abs_diff) and abs_diff <= self.atol + self.rtol * abs(e):
            return
        raise _ErrorMeta(AssertionError, _scalar_mismatch_msg(a, e, rtol=self.rtol, atol=self.atol),
                         id=self.id)


class _TensorLikePair:
    def __init__(self, actual, expected, *, id=(), allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, **_):
        related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
        if not related or (not allow_subclasses and type(actual) is not type(expected)):
            raise _Unsupported
        actual, expected = self._to_tensor(actual), self._to_tensor(expected)
        self.actual, self.expected, self.id = actual, expected, id
        self.rtol, self.atol = _tolerances(_name(actual.dtype), _name(expected.dtype), rtol=rtol,
                                           atol=atol, id=id)
        self.equal_nan = equal_nan
        self.check_device, self.check_dtype = check_device, check_dtype
        self.check_layout, self.check_stride = check_layout, check_stride

    @staticmethod
    def _to_tensor(v):
        if isinstance(v, _Tensor):
            return v
        try:
            return _rtensor.as_tensor(v)
        except Exception:
            raise _Unsupported from None

    def _fail(self, msg):
        raise _ErrorMeta(AssertionError, msg, id=self.id)

    def compare(self):
        a, e = self.actual, self.expected

        def mismatch(attribute, x, y):
            self._fail(f"The values for attribute '{attribute}' do not match: {x} != {y}.")

        if a.shape != e.shape:
            mismatch("shape", a.shape, e.shape)
        if self.check_stride and a.stride() != e.stride():
            mismatch("stride()", a.stride(), e.stride())
        if self.check_device and a.device != e.device:
            mismatch("device", a.device, e.device)
        if self.check_dtype and a.dtype != e.dtype:
            mismatch("dtype", a.dtype, e.dtype)
        if a.dtype != e.dtype:
            common = _rtensor.result_type(a, e) if hasattr(_rtensor, "result_type") else (a + e).dtype
            a, e = a.to(common), e.to(common)
        a, e = a.detach(), e.detach()
        matches = _rtensor.isclose(a, e, rtol=self.rtol, atol=self.atol, equal_nan=self.equal_nan)
        if builtins.bool(matches.all()):
            return
        if a.shape == ():
            msg = _scalar_mismatch_msg(a.item(), e.item(), rtol=self.rtol, atol=self.atol)
        else:
            msg = _tensor_mismatch_msg(a, e, matches, rtol=self.rtol, atol=self.atol)
        self._fail(msg)


_PAIR_TYPES = (_NonePair, _BooleanPair, _NumberPair, _TensorLikePair)


def _originate_pairs(actual, expected, *, id=(), **options):
    seq, mapping = collections.abc.Sequence, collections.abc.Mapping
    if isinstance(actual, seq) and not isinstance(actual, str) and isinstance(expected, seq) \
            and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _ErrorMeta(AssertionError,
                             f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                             id=id)
        pairs = []
        for i in builtins.range(len(actual)):
            pairs.extend(_originate_pairs(actual[i], expected[i], id=(*id, i), **options))
        return pairs
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        a_keys, e_keys = set(actual.keys()), set(expected.keys())
        if a_keys != e_keys:
            raise _ErrorMeta(
                AssertionError,
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {sorted(e_keys - a_keys)}\n"
                f"Additional keys in the actual mapping: {sorted(a_keys - e_keys)}",
                id=id,
            )
        keys = a_keys
        try:
            keys = sorted(keys)
        except Exception:  # noqa: BLE001 - unsortable keys keep the set's order, as torch
            pass
        pairs = []
        for k in keys:
            pairs.extend(_originate_pairs(actual[k], expected[k], id=(*id, k), **options))
        return pairs
    for pair_type in _PAIR_TYPES:
        try:
            return [pair_type(actual, expected, id=id, **options)]
        except _Unsupported:
            continue
    raise _ErrorMeta(
        TypeError,
        f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.",
        id=id,
    )


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False,
                 msg=None):
    """Asserts that ``actual`` and ``expected`` are close: ``|actual - expected| <= atol + rtol *
    |expected|`` elementwise, with torch's default tolerances per dtype (float32: rtol 1.3e-6,
    atol 1e-5; float64: 1e-7 and 1e-7; exact for integers and bools), after checking shape, device
    and dtype. Sequences and mappings are compared item by item. Raises AssertionError with torch's
    message; ``msg`` replaces it (a callable gets the generated one)."""
    __tracebackhide__ = True
    try:
        pairs = _originate_pairs(actual, expected, allow_subclasses=allow_subclasses, rtol=rtol,
                                 atol=atol, equal_nan=equal_nan, check_device=check_device,
                                 check_dtype=check_dtype, check_layout=check_layout,
                                 check_stride=check_stride)
    except _ErrorMeta as meta:
        raise meta.to_error(msg) from None
    for pair in pairs:
        try:
            pair.compare()
        except _ErrorMeta as meta:
            raise meta.to_error(msg) from None


# Limits of the dtypes (rtensor.finfo/iinfo where present, else these).
_FLOAT_LIMITS = {"float32": (3.4028234663852886e38, 1.1754943508222875e-38),
                 "float64": (1.7976931348623157e308, 2.2250738585072014e-308)}
_INT_LIMITS = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}


def _float_limits(dtype):
    if hasattr(_rtensor, "finfo"):
        info = _rtensor.finfo(dtype)
        return info.max, info.tiny
    return _FLOAT_LIMITS[_name(dtype)]


def _int_limits(dtype):
    if hasattr(_rtensor, "iinfo"):
        info = _rtensor.iinfo(dtype)
        return info.min, info.max
    return _INT_LIMITS[_name(dtype)]


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of ``shape`` with values uniform in ``[low, high)`` (defaults by dtype: -9 to 9 for
    floats, -9 to 10 for integers, 0 to 2 for bool), as torch.testing's; ``noncontiguous`` makes a
    strided view, ``exclude_zero`` replaces zeros (by 1, or the dtype's tiny for floats)."""
    if not isinstance(dtype, _rtensor.dtype):
        raise TypeError(f"make_tensor(): dtype must be an rtensor.dtype, not {type(dtype).__name__}")
    floating = dtype.is_floating_point
    integral = not floating and dtype != _rtensor.bool

    def modify_low_high(low, high, *, lowest_inclusive, highest_exclusive, default_low, default_high):
        low = default_low if low is None else low
        high = default_high if high is None else high
        if any(isinstance(v, builtins.float) and math.isnan(v) for v in (low, high)):
            raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
        if low == high and floating:
            warnings.warn(
                "Passing `low==high` to `torch.testing.make_tensor` for floating or complex types "
                "is deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                FutureWarning, stacklevel=3)
        elif low >= high:
            raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
        elif high < lowest_inclusive or low >= highest_exclusive:
            raise ValueError(
                f"The value interval specified by `low` and `high` is [{low}, {high}), "
                f"but {dtype} only supports [{lowest_inclusive}, {highest_exclusive})")
        low = min(max(low, lowest_inclusive), highest_exclusive)
        high = min(max(high, lowest_inclusive), highest_exclusive)
        if not floating:
            return math.ceil(low), math.ceil(high)
        return low, high

    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually exclusive, "
                         f"but got noncontiguous={noncontiguous} and memory_format={memory_format}")
    if requires_grad and not floating:
        raise ValueError("`requires_grad=True` is not supported for boolean and integral dtypes, "
                         f"but got dtype={dtype}")
    numel = 1
    for s in shape:
        numel *= s
    noncontiguous = noncontiguous and numel > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if dtype == _rtensor.bool:
        low, high = modify_low_high(low, high, lowest_inclusive=0, highest_exclusive=2,
                                    default_low=0, default_high=2)
        result = _rtensor.randint(low, high, shape, device=device, dtype=dtype)
    elif integral:
        lo, hi = _int_limits(dtype)
        low, high = modify_low_high(low, high, lowest_inclusive=lo,
                                    highest_exclusive=hi + (1 if _name(dtype) != "int64" else 0),
                                    default_low=-9, default_high=10)
        result = _rtensor.randint(low, high, shape, device=device, dtype=dtype)
    elif floating:
        big, _ = _float_limits(dtype)
        low, high = modify_low_high(low, high, lowest_inclusive=-big, highest_exclusive=big,
                                    default_low=-9, default_high=9)
        u = _rtensor.rand(shape, dtype=_rtensor.float64, device=device)
        result = (u * (high / 2 - low / 2) * 2 + low).to(dtype) if high - low >= big else \
            (u * (high - low) + low).to(dtype)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by torch.testing.make_tensor()."
                        " To request support, file an issue at: https://github.com/pytorch/pytorch/issues")
    if noncontiguous:
        result = result[..., 1::2]
    if exclude_zero:
        result[result == 0] = 1 if not floating else _float_limits(dtype)[1]
    if floating:
        result.requires_grad = requires_grad
    return result
