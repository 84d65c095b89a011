# The pointwise and comparison ops of rtensor's op registry, without torch (numpy + hypothesis only).
# (Elementwise ops only: those declared in src/ops/pointwise/, src/ops/comparison.rs or a special-function
# file, or known to REF or the golden table; reductions, scans and linalg ops are tested elsewhere and by
# test_opinfo.py.)
#
# The op list is read from the registry (rtensor._rtensor._registry()) when the module is collected, so an op
# added to the registry is covered by every test here that does not need a numpy reference: in-place and out=
# forms, aliases, the golden torch table and gradcheck. The numpy references live in REF; a registry op
# without one shows up as a skipped test_has_numpy_reference.
#
#   values         random shapes (0-dim, empty, broadcasting) and dtypes drawn by hypothesis, against numpy
#   special        nan, +-inf, +-0, subnormals, huge and tiny values in float32 and float64, against numpy
#   accuracy       a dense grid of each float op's domain: error in units in the last place against float64
#   inplace / out  Tensor.<op>_ returns its input, keeps its dtype and equals the out-of-place result;
#                  out= writes into the given tensor and returns it
#   alias          every registry alias is the same op (and has the method forms torch has under that name)
#   golden         tests/data/torch_dtypes.json (torch 2.15, from /work/oracle): result dtype or exception
#                  type + message for every dtype (pair) in every form (function, method, in-place, out=,
#                  Python scalars, 0-dim tensors), torch's values at special inputs and on integer grids,
#                  grad_fn names and gradients
#   gradcheck      rt.autograd.gradcheck in float64 on every differentiable op, inputs in its domain
#
# Known rtensor bugs are XFAIL entries (strict: a fix turns them into XPASS failures, so remove the entry).
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rtensor as rt
from conftest import hypothesis_examples

N = hypothesis_examples(12)  # examples per op and property in the default run

# The pointwise and comparison ops of the registry (and special functions): declared in src/ops/pointwise/,
# src/ops/comparison.rs or a special-function file, or known to the numpy references or the golden table
# below. Reductions, softmax and the like are not elementwise and are left to their own tests.
_ALL_OPS = rt._rtensor._registry()


def _is_pointwise(e):
    src = e.get("source", "")
    names = [e["name"]] + list(e["aliases"])
    return (src.startswith("src/ops/pointwise/") or src == "src/ops/comparison.rs" or "special" in src
            or any(n in REF_NAMES or n in GOLDEN["ops"] for n in names))


GOLDEN = json.loads((Path(__file__).parent / "data" / "torch_dtypes.json").read_text())
REF_NAMES = set()  # filled from REF below, before REGISTRY is built

DTYPES = {"bool": rt.bool, "int32": rt.int32, "int64": rt.int64, "float32": rt.float32, "float64": rt.float64}
NP = {"bool": np.bool_, "int32": np.int32, "int64": np.int64, "float32": np.float32, "float64": np.float64}
FLOATS = ("float32", "float64")
INTS = ("int32", "int64")
TORCH_NAME = {"bool": "Bool", "int32": "Int", "int64": "Long", "float32": "Float", "float64": "Double"}

# ----------------------------------------------------------------------------------------------- known bugs
# Differences from torch found by these tests, not fixed yet. A test that shows one is marked
# xfail(strict=True): when the bug is fixed the test passes, strict turns that into a failure, and the entry
# below must go. The golden tests are finer: every difference they see must be explained by one of the bugs
# listed for that test (KnownBug, the expected failure); any other difference is an ordinary failure.
BUGS = {
}

# test name -> {test id: bug ids}
XFAIL = {
}


class KnownBug(AssertionError):
    """Raised by a golden test whose differences from torch are all explained by its known bugs."""


def xfail_marks(test, key, bug_ids=None):
    ids = bug_ids if bug_ids is not None else XFAIL.get(test, {}).get(key)
    if not ids:
        return []
    reason = " | ".join(f"{b}: {BUGS[b]}" for b in ids.split(","))
    raises = KnownBug if bug_ids is not None else None
    return [pytest.mark.xfail(strict=True, reason=reason, raises=raises)]


def settle(pid, diffs, known_ids):
    """diffs: [(description, bug id or None)]. Unexplained differences fail; explained ones raise KnownBug."""
    allowed = set(known_ids.split(",")) if known_ids else set()
    unknown = [d for d, b in diffs if b not in allowed]
    if unknown:
        raise AssertionError(f"{len(unknown)} differences from torch:\n" + "\n".join(unknown[:25]))
    if diffs:
        raise KnownBug(f"{len(diffs)} known differences ({', '.join(sorted(allowed))}):\n"
                       + "\n".join(d for d, _ in diffs[:10]))


# ----------------------------------------------------------------------------------------------- helpers

def resolve(dotted, root=rt):
    obj = root
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def dname(dtype):
    return str(dtype).rsplit(".", 1)[-1]


def required_params(entry, form="function"):
    return [p for p in entry[f"{form}_params"] if not p["kw_only"] and p["default"] is None and not p["optional"]]


def tensorish(p):
    return any("Tensor" in t or "_Operand" in t for t in p["types"])


def tensor_args(entry):
    """The names of the required positional tensor (or tensor-or-number) parameters of the function form."""
    return [p["name"] for p in required_params(entry) if tensorish(p)]


# Values for required non-tensor parameters (polygamma's n, mvlgamma's p) of ops that have them.
NONTENSOR_ARGS = {"polygamma": {"n": 1}, "special.polygamma": {"n": 1}, "mvlgamma": {"p": 2},
                  "special.multigammaln": {"p": 2}}


def _fill(name, params, tensors):
    it = iter(tensors)
    args = []
    for p in params:
        if tensorish(p):
            args.append(next(it))
        elif p["name"] in NONTENSOR_ARGS.get(name, {}):
            args.append(NONTENSOR_ARGS[name][p["name"]])
        else:
            pytest.skip(f"{name} needs a value for its parameter {p['name']} (add it to NONTENSOR_ARGS)")
    return args


def call_op(name, tensors, fn=None, **kw):
    """rt.<name> (or fn) with the tensors for its tensor parameters, in order, and NONTENSOR_ARGS for others."""
    return (fn or resolve(name))(*_fill(name, required_params(REGISTRY[name]), tensors), **kw)


def call_method(name, self, tensors, suffix="", attr=None, **kw):
    """self.<name><suffix>(...) with the other tensors and NONTENSOR_ARGS, as the method's parameters."""
    return getattr(self, (attr or name) + suffix)(*_fill(name, required_params(REGISTRY[name], "method"),
                                                           tensors), **kw)


def as_np(t):
    return np.array(t.numpy())


def rt_from(a):
    return rt.tensor(np.array(a, order="C"))


def quiet():
    return np.errstate(all="ignore")


def assert_values(actual, expected, dtype, rtol=None, atol=None, signed_zeros=False, where=""):
    """actual: numpy array from rtensor; expected: numpy array (any dtype, cast to `dtype`)."""
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{where}: shape {actual.shape} != {expected.shape}"
    if dtype in FLOATS:
        with quiet():  # float64 references may overflow the float32 result: inf, as in torch
            exp = expected.astype(NP[dtype]).astype(np.float64)
        act = actual.astype(np.float64)
        if rtol is None:
            rtol = 2e-6 if dtype == "float32" else 1e-12
        if atol is None:
            atol = 1e-37 if dtype == "float32" else 1e-300
        np.testing.assert_allclose(act, exp, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
        if signed_zeros:
            z = exp == 0
            assert np.array_equal(np.signbit(act[z]), np.signbit(exp[z])), f"{where}: signs of zeros differ"
    else:
        exp = expected.astype(NP[dtype])
        assert np.array_equal(actual, exp), f"{where}: {actual!r} != {exp!r}"


# ----------------------------------------------------------------------------------------------- torch's rules

def category(d):
    return 0 if d == "bool" else 1 if d in INTS else 2


def promote(a, b, a0=False, b0=False):
    """torch's result dtype of tensors of dtypes a and b; a0/b0: the tensor is 0-dim. A 0-dim tensor only
    counts when its category (bool < int < float) is higher than the dimensioned one's, and then with its own
    dtype (int32[1d] + int64[0d] -> int32, int32[1d] + float64[0d] -> float64)."""
    order = ["bool", "int32", "int64", "float32", "float64"]
    if a0 != b0:
        dim, zero = (b, a) if a0 else (a, b)
        return zero if category(zero) > category(dim) else dim
    if category(a) != category(b):
        return a if category(a) > category(b) else b
    return max(a, b, key=order.index)


# ----------------------------------------------------------------------------------------------- numpy references
# kind: "float"  unary, int/bool promote to float32          "same"  unary, keeps the dtype
#       "pred"   unary -> bool                               "bits"  unary on bool/int only
#       "arith"  binary, result = promoted dtype (int/bool in, float out for true division: float=True)
#       "cmp"    binary -> bool, computed in the promoted dtype      "pybool"  binary -> Python bool
# compute: "f64" reference computed in float64 and rounded to the result dtype (transcendentals);
#          "native" computed by numpy in the result dtype (exactly rounded arithmetic, torch's own formulas).
# dom: (lo, hi) for float inputs; ints: (lo, hi) for integer inputs. args: fixed extra kwargs for the call.


def _ref(fn, kind, compute="f64", dom=(-8.0, 8.0), idom=(-50, 50), bdom=None, bidom=None, kw=None,
         signed_zeros=True, no_bool=False):
    return dict(fn=fn, kind=kind, compute=compute, dom=dom, idom=idom, bdom=bdom or dom, bidom=bidom or idom,
                kw=kw or {}, signed_zeros=signed_zeros, no_bool=no_bool)


def _sign(x):
    """torch's sign: 0 for NaN and for both zeros."""
    if x.dtype == np.bool_:
        return x.copy()
    with quiet():
        if x.dtype.kind == "f":
            return np.where(np.isnan(x), 0, np.sign(x)) + np.zeros((), x.dtype)
        return np.sign(x)


def _trunc_div(a, b):
    if a.dtype.kind == "f":
        return np.trunc(a / b)
    q = np.floor_divide(a, b)
    return np.where((np.remainder(a, b) != 0) & ((a < 0) != (b < 0)), q + 1, q).astype(a.dtype)


def _remainder(a, b):
    """torch's remainder: fmod, moved into the divisor's sign; a zero keeps the dividend's sign
    (remainder(-0.0, 2) == -0.0, numpy gives 0.0)."""
    with quiet():
        m = np.fmod(a, b)
        return np.where((m != 0) & ((b < 0) != (m < 0)), m + b, m)


def _vec(f):
    return np.vectorize(lambda v: f(float(v)), otypes=[np.float64])


def _safe(f):
    def g(v):
        try:
            return f(v)
        except (ValueError, OverflowError):
            return math.nan
    return _vec(g)


def _erf(x):
    return _safe(math.erf)(x)


def _erfc(x):
    return _safe(math.erfc)(x)


def _lgamma(x):
    # C's lgamma (torch's): +inf at the poles, at both infinities and where it overflows.
    def f(v):
        if math.isnan(v):
            return v
        if math.isinf(v) or (v <= 0 and v == math.floor(v)):
            return math.inf
        try:
            return math.lgamma(v)
        except OverflowError:
            return math.inf
    return _vec(f)(x)


def _i0e(x):
    """exp(-|x|) i0(x); above |x| = 700 (where i0 overflows) its asymptotic series, exact there."""
    with quiet():
        a = np.abs(x)
        big = 1 / np.sqrt(2 * np.pi) / np.sqrt(a) * (1 + 1 / (8 * a) + 9 / (128 * a * a))
        return np.where(a > 700, big, np.i0(np.where(a > 700, 0, x)) * np.exp(-np.where(a > 700, 0, a)))


def _sph_j0(x):
    with quiet():
        return np.where(np.isinf(x), 0.0, np.where(x == 0, 1.0, np.sin(x) / np.where(x == 0, 1.0, x)))


def _xlogy(a, b, log=np.log):
    with quiet():
        return np.where((a == 0) & ~np.isnan(b), 0.0, a * log(b))


def _lerp(a, b, w):
    return np.where(np.abs(w) < 0.5, a + w * (b - a), b - (b - a) * (1 - w))


SHIFT = dict(idom=(-1000, 1000), bidom=(0, 31))
REF = {
    # unary, float results
    "exp": _ref(np.exp, "float", dom=(-80, 80)), "exp2": _ref(np.exp2, "float", dom=(-120, 120)),
    "expm1": _ref(np.expm1, "float"), "log": _ref(np.log, "float", dom=(1e-3, 1e3)),
    "log2": _ref(np.log2, "float", dom=(1e-3, 1e3)), "log10": _ref(np.log10, "float", dom=(1e-3, 1e3)),
    "log1p": _ref(np.log1p, "float", dom=(-0.99, 100)), "sqrt": _ref(np.sqrt, "float", dom=(0, 1e4)),
    "rsqrt": _ref(lambda x: 1 / np.sqrt(x), "float", dom=(1e-3, 1e4)),
    "sigmoid": _ref(lambda x: 1 / (1 + np.exp(-x)), "float", dom=(-30, 30)),
    "logit": _ref(lambda x: np.log(x / (1 - x)), "float", compute="native", dom=(0.01, 0.99), idom=(0, 1)),
    "sin": _ref(np.sin, "float"), "cos": _ref(np.cos, "float"), "tan": _ref(np.tan, "float", dom=(-1.5, 1.5)),
    "asin": _ref(np.arcsin, "float", dom=(-1, 1)), "acos": _ref(np.arccos, "float", dom=(-1, 1)),
    "atan": _ref(np.arctan, "float"), "sinh": _ref(np.sinh, "float"), "cosh": _ref(np.cosh, "float"),
    "tanh": _ref(np.tanh, "float"), "asinh": _ref(np.arcsinh, "float"),
    "acosh": _ref(np.arccosh, "float", dom=(1, 100), idom=(1, 50)),
    "atanh": _ref(np.arctanh, "float", dom=(-0.9999, 0.9999), idom=(-1, 1)),
    "sinc": _ref(lambda x: np.where(x == 0, 1.0, np.sin(np.pi * x) / (np.pi * x)).astype(x.dtype), "float", "native",
                 signed_zeros=False),  # torch's formula in the result dtype
    "deg2rad": _ref(np.deg2rad, "float", dom=(-720, 720)), "rad2deg": _ref(np.rad2deg, "float"),
    "reciprocal": _ref(lambda x: 1 / x, "float", dom=(0.01, 100)),
    # unary, dtype kept
    "neg": _ref(np.negative, "same", "native"), "positive": _ref(lambda x: x, "same", "native"),
    "abs": _ref(np.abs, "same", "native"), "sign": _ref(_sign, "same", "native"),
    "sgn": _ref(_sign, "same", "native"), "square": _ref(np.square, "same", "native"),
    "relu": _ref(lambda x: np.where((x >= 0) | (x != x), x, np.zeros((), x.dtype)), "same", "native"),
    "floor": _ref(np.floor, "same", "native"), "ceil": _ref(np.ceil, "same", "native"),
    "trunc": _ref(np.trunc, "same", "native"), "frac": _ref(lambda x: x - np.trunc(x), "same", "native"),
    "round": _ref(np.round, "same", "native"),
    "nan_to_num": _ref(np.nan_to_num, "same", "native"),
    "clamp": _ref(lambda x: np.clip(x, -1, 2), "same", "native", kw={"min": -1, "max": 2}),
    "clamp_min": _ref(lambda x, m: np.maximum(x, m), "arith", "native"),
    "clamp_max": _ref(lambda x, m: np.minimum(x, m), "arith", "native"),
    # unary predicates / bits
    "isnan": _ref(np.isnan, "pred", "native"), "isinf": _ref(np.isinf, "pred", "native"),
    "isfinite": _ref(np.isfinite, "pred", "native"), "isposinf": _ref(np.isposinf, "pred", "native"),
    "isneginf": _ref(np.isneginf, "pred", "native"), "isreal": _ref(lambda x: np.ones(x.shape, bool), "pred", "native"),
    "signbit": _ref(np.signbit, "pred", "native"),
    "bitwise_not": _ref(np.invert, "bits", "native", idom=(-1000, 1000)),
    "logical_not": _ref(np.logical_not, "pred", "native"),
    # binary
    "add": _ref(np.add, "arith", "native", idom=(-2**31, 2**31)), "sub": _ref(np.subtract, "arith", "native"),
    "rsub": _ref(lambda a, b: b - a, "arith", "native", no_bool=True), "mul": _ref(np.multiply, "arith", "native"),
    "div": _ref(lambda a, b: a / b, "arith", "native", bdom=(0.5, 8), bidom=(1, 9)),
    "true_divide": _ref(lambda a, b: a / b, "arith", "native", bdom=(0.5, 8), bidom=(1, 9)),
    "floor_divide": _ref(np.floor_divide, "arith", "native", bdom=(0.5, 8), bidom=(1, 9)),
    "remainder": _ref(_remainder, "arith", "native", bdom=(0.5, 8), bidom=(1, 9)),
    "fmod": _ref(np.fmod, "arith", "native", bdom=(0.5, 8), bidom=(1, 9)),
    "pow": _ref(np.power, "arith", dom=(0.1, 4), idom=(-6, 6), bdom=(-3, 3), bidom=(0, 7)),
    "float_power": _ref(np.power, "arith", dom=(0.1, 4), idom=(1, 6), bdom=(-3, 3), bidom=(0, 7)),
    "bitwise_and": _ref(np.bitwise_and, "arith", "native"), "bitwise_or": _ref(np.bitwise_or, "arith", "native"),
    "bitwise_xor": _ref(np.bitwise_xor, "arith", "native"),
    "bitwise_left_shift": _ref(np.left_shift, "arith", "native", **SHIFT),
    "bitwise_right_shift": _ref(np.right_shift, "arith", "native", **SHIFT),
    "logical_and": _ref(np.logical_and, "cmp", "native"), "logical_or": _ref(np.logical_or, "cmp", "native"),
    "logical_xor": _ref(np.logical_xor, "cmp", "native"),
    "gcd": _ref(np.gcd, "arith", "native"), "lcm": _ref(np.lcm, "arith", "native", idom=(-1000, 1000)),
    "eq": _ref(np.equal, "cmp", "native"), "ne": _ref(np.not_equal, "cmp", "native"),
    "lt": _ref(np.less, "cmp", "native"), "le": _ref(np.less_equal, "cmp", "native"),
    "gt": _ref(np.greater, "cmp", "native"), "ge": _ref(np.greater_equal, "cmp", "native"),
    "maximum": _ref(np.maximum, "arith", "native"), "minimum": _ref(np.minimum, "arith", "native"),
    "fmax": _ref(np.fmax, "arith", "native"), "fmin": _ref(np.fmin, "arith", "native"),
    "isclose": _ref(np.isclose, "cmp", "native"),
    "allclose": _ref(lambda a, b: bool(np.allclose(a, b)), "pybool", "native"),
    "equal": _ref(lambda a, b: a.shape == b.shape and bool(np.array_equal(a, b)), "pybool", "native"),
    "isin": _ref(np.isin, "cmp", "native", idom=(-5, 5), no_bool=True),
    # announced ops (used as soon as the registry has them)
    "atan2": _ref(np.arctan2, "arith"), "hypot": _ref(np.hypot, "arith"),
    "copysign": _ref(np.copysign, "arith", "native"), "logaddexp": _ref(np.logaddexp, "arith"),
    "logaddexp2": _ref(np.logaddexp2, "arith"), "nextafter": _ref(np.nextafter, "arith", "native"),
    # torch's step: `values` at 0, 1 above, 0 below and at NaN (numpy gives NaN there).
    "heaviside": _ref(lambda a, b: np.where(a == 0, b, (a > 0).astype(a.dtype)), "arith", "native"), "ldexp": _ref(lambda a, b: a * np.exp2(b), "arith"),
    "xlogy": _ref(_xlogy, "arith", bdom=(0.01, 10)),
    "special.xlog1py": _ref(lambda a, b: _xlogy(a, b, np.log1p), "arith", bdom=(-0.9, 10)),
    "lerp": _ref(_lerp, "arith"),
    "addcmul": _ref(lambda a, b, c: a + b * c, "arith"), "addcdiv": _ref(lambda a, b, c: a + b / c, "arith", compute="native", bdom=(0.5, 8)),
    # lgamma's ulp error is measured away from its zeros at 1 and 2 (there torch's and the C library's
    # results differ by ~1e-16 absolute, which is many ulps of a value near 0).
    "erf": _ref(_erf, "float"), "erfc": _ref(_erfc, "float"), "lgamma": _ref(_lgamma, "float", dom=(2.5, 30)),
    "special.gammaln": _ref(_lgamma, "float", dom=(2.5, 30)), "i0": _ref(np.i0, "float"),
    # i0e -> 0 at +-inf (numpy's i0 * exp(-|x|) gives inf * 0 there).
    "special.i0e": _ref(_i0e, "float"),
    # torch's formula (1 + erf(x / sqrt 2)) / 2 cancels in the lower tail: accuracy is measured above -1.
    "special.ndtr": _ref(lambda x: 0.5 * _erfc(-x / math.sqrt(2)), "float", dom=(-1.0, 8.0)),
    "special.entr": _ref(lambda x: np.where(np.isnan(x), x, np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)),
                                                                     np.where(x == 0, 0.0, -np.inf))), "float"),
    "special.expit": _ref(lambda x: 1 / (1 + np.exp(-x)), "float", dom=(-30, 30)),
    # sin(x) / x; accuracy is measured between its first zeros (+-pi), where a value near 0 has tiny ulps.
    "special.spherical_bessel_j0": _ref(_sph_j0, "float", dom=(-3.0, 3.0)),
}


REF_NAMES.update(REF)
REGISTRY = {e["name"]: e for e in _ALL_OPS if _is_pointwise(e)}
ALIAS_OF = {a: n for n, e in REGISTRY.items() for a in e["aliases"]}


def ref_of(name):
    """The numpy reference of a registry op (by its name or an alias), or None."""
    if name in REF:
        return REF[name]
    for a in REGISTRY.get(name, {}).get("aliases", []):
        if a in REF:
            return REF[a]
    return None


def ops_with(kinds):
    out = []
    for name, entry in REGISTRY.items():
        r = ref_of(name)
        if r is not None and r["kind"] in kinds and entry["function"]:
            out.append(pytest.param(name, id=name, marks=xfail_marks("values", name)))
    return out


def golden_op(name):
    """The golden table's entry for a registry op (by name or alias)."""
    for n in [name] + REGISTRY[name]["aliases"]:
        if n in GOLDEN["ops"]:
            return GOLDEN["ops"][n]
    return None


def valid_dtypes(name, nargs):
    """Input dtypes (unary) or dtype pairs for which torch returns a result (from the golden table), else all."""
    g = golden_op(name)
    variant = None
    if g is not None:
        variant = g["variants"].get("default") or next(iter(g["variants"].values()))
    keys = GOLDEN["keys"]["unary" if nargs == 1 else "binary"]["dtypes"]
    if variant is None or (nargs == 1) != (g["kind"] == "unary"):
        if nargs == 1:
            return list(DTYPES)
        return [(a, b) for a in DTYPES for b in DTYPES]
    ok = [k for k, r in zip(keys, variant["dtypes"]) if isinstance(r, str)]
    return ok if nargs == 1 else [tuple(k.split(",")) for k in ok]


# ----------------------------------------------------------------------------------------------- strategies

def elements(dtype, dom, idom):
    if dtype == "bool":
        return st.just(True) if idom[0] >= 1 else st.booleans()  # no False divisors
    if dtype in INTS:
        info = np.iinfo(NP[dtype])
        return st.integers(max(idom[0], info.min), min(idom[1], info.max))
    lo, hi = float(dom[0]), float(dom[1])
    if dtype == "float32":  # bounds representable in float32, inside the domain
        lo32, hi32 = np.float32(lo), np.float32(hi)
        lo = float(lo32 if lo32 >= lo else np.nextafter(lo32, np.float32(np.inf)))
        hi = float(hi32 if hi32 <= hi else np.nextafter(hi32, np.float32(-np.inf)))
    return st.floats(lo, hi, width=32 if dtype == "float32" else 64,
                     allow_nan=False, allow_infinity=False, allow_subnormal=False)


def draw_array(data, dtype, shape, dom, idom):
    return data.draw(hnp.arrays(NP[dtype], shape, elements=elements(dtype, dom, idom)))


SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


def unary_expected(name, r, x, rdtype):
    with quiet():
        if r["kind"] in ("pred", "bits"):
            return r["fn"](x)
        if r["kind"] == "same":
            return r["fn"](x)
        xs = x.astype(NP[rdtype])  # ints/bools convert to the result's float dtype first, as torch does
        if r["compute"] == "f64":
            return r["fn"](xs.astype(np.float64))
        return r["fn"](xs)


# ----------------------------------------------------------------------------------------------- coverage

@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_has_numpy_reference(name):
    if ref_of(name) is None:
        pytest.skip(f"no numpy reference for {name} (covered by the golden, in-place/out, alias and gradcheck tests)")


# ----------------------------------------------------------------------------------------------- values: unary

UNARY_KINDS = ("float", "same", "pred", "bits")


@pytest.mark.parametrize("name", ops_with(UNARY_KINDS))
@settings(max_examples=N)
@given(data=st.data())
def test_unary_values(name, data):
    r = ref_of(name)
    dtypes = valid_dtypes(name, 1)
    if r["kind"] == "bits":
        dtypes = [d for d in dtypes if d not in FLOATS]
    dtype = data.draw(st.sampled_from(dtypes))
    x = draw_array(data, dtype, data.draw(SHAPES), r["dom"], r["idom"])
    if data.draw(st.booleans()) and x.ndim >= 2:  # a non-contiguous input
        t = rt_from(np.ascontiguousarray(x.swapaxes(0, 1))).transpose(0, 1)
    else:
        t = rt_from(x)
    out = resolve(name)(t, **r["kw"])
    rdtype = dname(out.dtype)
    if r["kind"] == "float":
        assert rdtype == ("float32" if dtype not in FLOATS else dtype)
    elif r["kind"] == "pred":
        assert rdtype == "bool"
    elif name not in ("square", "clamp"):  # bool -> int64 (the golden test checks every dtype)
        assert rdtype == dtype
    assert tuple(out.shape) == x.shape
    assert_values(as_np(out), unary_expected(name, r, x, rdtype), rdtype,
                  signed_zeros=r["signed_zeros"], where=f"{name}({x!r})")


# ----------------------------------------------------------------------------------------------- values: binary

BINARY_KINDS = ("arith", "cmp", "pybool")


def binary_expected(r, a, b, rdtype, cdtype):
    with quiet():
        if r["compute"] == "f64" and cdtype in FLOATS:
            return r["fn"](a.astype(NP[cdtype]).astype(np.float64), b.astype(NP[cdtype]).astype(np.float64))
        return r["fn"](a.astype(NP[cdtype]), b.astype(NP[cdtype]))


def compute_dtype(name, promoted):
    """The dtype a binary op computes in: the promoted dtype, but float32 for ops that give floats for integer
    inputs (true division, atan2, xlogy, ...: from the golden table) and float64 for float_power."""
    if name == "float_power":
        return "float64"
    if promoted in FLOATS:
        return promoted
    g = golden_op(name)
    if g is not None and g["kind"] == "binary":
        v = g["variants"].get("default") or next(iter(g["variants"].values()))
        code = dict(zip(GOLDEN["keys"]["binary"]["dtypes"], v["dtypes"])).get(f"{promoted},{promoted}")
        if isinstance(code, str) and len(code) == 1 and CODE[code] in FLOATS:
            return CODE[code]
    if name in ("div", "true_divide"):
        return "float32"
    return promoted


@pytest.mark.parametrize("name", ops_with(BINARY_KINDS))
@settings(max_examples=N)
@given(data=st.data())
def test_binary_values(name, data):
    r = ref_of(name)
    entry = REGISTRY[name]
    if len(tensor_args(entry)) != 2:
        pytest.skip(f"{name} takes {len(tensor_args(entry))} tensors")
    pairs = valid_dtypes(name, 2)
    if r["no_bool"]:
        pairs = [p for p in pairs if "bool" not in p]
    da, db = data.draw(st.sampled_from(pairs))
    if name in ("isclose", "allclose") or r["kind"] == "pybool":
        db = da
    sa, sb = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)).input_shapes
    if r["kind"] == "pybool" and data.draw(st.booleans()):
        sb = sa
    a = draw_array(data, da, sa, r["dom"], r["idom"])
    b = draw_array(data, db, sb, r["bdom"], r["bidom"])
    if name == "pow" and da in INTS and db in INTS + ("bool",):
        a = np.clip(a, -6, 6).astype(a.dtype)
    if r["kind"] == "pybool" and data.draw(st.booleans()) and a.shape == b.shape:
        b = a.copy()  # make equality likely
    out = resolve(name)(rt_from(a), rt_from(b))
    cdtype = promote(da, db, a.ndim == 0, b.ndim == 0)
    if r["kind"] == "pybool":
        assert type(out) is bool
        assert out == r["fn"](a.astype(NP[cdtype]), b.astype(NP[cdtype])), f"{name}({a!r}, {b!r})"
        return
    rdtype = dname(out.dtype)
    cdtype = compute_dtype(name, cdtype)
    assert rdtype == ("bool" if r["kind"] == "cmp" else cdtype), f"{name}: {da},{db} -> {rdtype}"
    assert tuple(out.shape) == (a.shape if name == "isin" else np.broadcast_shapes(sa, sb))
    assert_values(as_np(out), binary_expected(r, a, b, rdtype, cdtype), rdtype, where=f"{name}({a!r}, {b!r})")


@pytest.mark.parametrize("name", [p for p in ops_with(("arith",)) if len(tensor_args(REGISTRY[p.values[0]])) >= 3])
@settings(max_examples=N)
@given(data=st.data())
def test_ternary_values(name, data):
    """Ops of three or more tensors (lerp, addcmul, addcdiv): float inputs of one dtype, broadcasting."""
    r = ref_of(name)
    n = len(tensor_args(REGISTRY[name]))
    dtype = data.draw(st.sampled_from(FLOATS))
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=3, max_side=4)).input_shapes
    arrays = [draw_array(data, dtype, sh, r["dom"] if i == 0 else r["bdom"], r["idom"]) for i, sh in enumerate(shapes)]
    out = call_op(name, [rt_from(a) for a in arrays], **r["kw"])
    assert dname(out.dtype) == dtype
    with quiet():
        exp = r["fn"](*[a.astype(np.float64) for a in arrays]) if r["compute"] == "f64" else r["fn"](*arrays)
    assert tuple(out.shape) == np.broadcast_shapes(*shapes)
    assert_values(as_np(out), exp, dtype, where=f"{name}{tuple(arrays)!r}")


@pytest.mark.parametrize("name", [p for p in ops_with(("arith", "cmp")) if p.values[0] not in ("isin",)])
@settings(max_examples=N)
@given(data=st.data())
def test_binary_python_scalar(name, data):
    """A Python number on the right (and on the left where the registry accepts a Number there): the result
    dtype comes from the tensor as in torch; values against numpy in the result dtype."""
    r = ref_of(name)
    entry = REGISTRY[name]
    if len(tensor_args(entry)) != 2:
        pytest.skip(f"{name} takes {len(tensor_args(entry))} tensors")
    g = golden_op(name)
    if g is None or "scalar" not in g["variants"].get("default", {}):
        pytest.skip("no golden scalar table")
    table = dict(zip(GOLDEN["keys"]["binary"]["scalar"], g["variants"]["default"]["scalar"]))
    dtype = data.draw(st.sampled_from(list(DTYPES)))
    kind = data.draw(st.sampled_from(["bool", "int", "float"]))
    res = table[f"tensor({dtype}),{kind}"]
    if not isinstance(res, str):
        pytest.skip("torch raises")  # the golden test checks the error
    scalar = {"bool": data.draw(st.booleans()), "int": data.draw(st.integers(r["bidom"][0], r["bidom"][1])),
              "float": data.draw(st.floats(r["bdom"][0], r["bdom"][1]))}[kind]
    if kind == "float" and dtype in INTS + ("bool",) and name in ("remainder", "fmod", "floor_divide"):
        scalar = float(np.float32(scalar))
    x = draw_array(data, dtype, data.draw(SHAPES), r["dom"], r["idom"])
    out = resolve(name)(rt_from(x), scalar)
    rdtype = dname(out.dtype)
    assert rdtype == GOLDEN["codes"][res]
    cdtype = rdtype if r["kind"] != "cmp" else (dtype if kind == "bool" or category(dtype) >= (1 if kind == "int" else 2)
                                               else "float32" if kind == "float" else "int64")
    cdtype = compute_dtype(name, cdtype)
    with quiet():
        s = np.array(scalar).astype(NP[cdtype])
        if r["compute"] == "f64" and cdtype in FLOATS:
            exp = r["fn"](x.astype(NP[cdtype]).astype(np.float64), s.astype(np.float64))
        else:
            exp = r["fn"](x.astype(NP[cdtype]), s)
    assert_values(as_np(out), exp, rdtype, where=f"{name}({x!r}, {scalar!r})")


# ----------------------------------------------------------------------------------------------- special values

def special_inputs(dtype):
    fi = np.finfo(NP[dtype])
    v = [math.nan, math.inf, -math.inf, 0.0, -0.0, float(fi.smallest_subnormal), -float(fi.smallest_subnormal),
         float(fi.tiny), 1e-30, -1e-30, 0.5, -0.5, 1.0, -1.0, 2.0, 3.0, 100.0, -100.0, 1e30, -1e30,
         float(fi.max), -float(fi.max)]
    if dtype == "float64":
        v += [1e-300, 1e300, -1e300]
    return np.array(v, dtype=NP[dtype])


def by_dtype(test, params):
    return [pytest.param(p.values[0], d, id=f"{d}-{p.values[0]}", marks=xfail_marks(test, f"{d}-{p.values[0]}"))
            for d in FLOATS for p in params]


@pytest.mark.parametrize("name, dtype", by_dtype("special", ops_with(("float", "same", "pred"))))
def test_unary_special_values(name, dtype):
    r = ref_of(name)
    x = special_inputs(dtype)
    out = resolve(name)(rt_from(x), **r["kw"])
    rdtype = dname(out.dtype)
    exp = unary_expected(name, r, x, rdtype)
    assert_values(as_np(out), exp, rdtype, rtol=1e-5 if dtype == "float32" else 1e-12,
                  signed_zeros=r["signed_zeros"], where=f"{name}({x!r})")


# Absolute tolerances where torch's own results are that far from the exact value: logaddexp2 fuses
# `log1p(2 ** -|a - b|) * log2(e) + max` (logaddexp2(-1, -1) is -1.06e-8 in float32, as torch's).
BINARY_ATOL = {"logaddexp2": {"float32": 2e-7, "float64": 4e-16}}


@pytest.mark.parametrize("name", ops_with(("arith", "cmp")))
@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_special_values(name, dtype):
    r = ref_of(name)
    if len(tensor_args(REGISTRY[name])) != 2 or (dtype, dtype) not in valid_dtypes(name, 2):
        pytest.skip("not a float binary op")
    v = special_inputs(dtype)
    a, b = np.repeat(v, len(v)), np.tile(v, len(v))
    out = resolve(name)(rt_from(a), rt_from(b))
    rdtype = dname(out.dtype)
    cdtype = "float64" if name == "float_power" else dtype
    exp = binary_expected(r, a, b, rdtype, cdtype)
    assert_values(as_np(out), exp, rdtype, rtol=1e-5 if dtype == "float32" else 1e-12,
                  atol=BINARY_ATOL.get(name, {}).get(dtype),
                  signed_zeros=name not in ("maximum", "minimum", "fmax", "fmin", "logaddexp2"), where=name)


# ----------------------------------------------------------------------------------------------- accuracy

def dense_grid(dom, dtype, n=20001):
    lo, hi = dom
    parts = [np.linspace(lo, hi, n)]
    if lo > 0 and hi / lo > 100:
        parts.append(np.geomspace(lo, hi, n))
    if lo < 0 < hi:  # values near zero, both signs
        parts.append(np.geomspace(1e-30, hi, n // 4))
        parts.append(-np.geomspace(1e-30, -lo, n // 4))
    near = [hi - np.geomspace(1e-7, (hi - lo) / 4, n // 4), lo + np.geomspace(1e-7, (hi - lo) / 4, n // 4)]
    return np.clip(np.concatenate(parts + near), lo, hi).astype(NP[dtype])


MAX_ULP = 4.0
# Ops whose torch results are themselves further from the float64 reference (rtensor computes them
# with torch's algorithms, identical to torch's results on its golden values).
MAX_ULP_OF = {"i0": 8.0, "special.i0e": 8.0, "lgamma": 32.0, "special.gammaln": 32.0}


@pytest.mark.parametrize("name, dtype",
                         by_dtype("accuracy", [p for p in ops_with(("float",)) if ref_of(p.values[0])["compute"] == "f64"]))
def test_unary_accuracy(name, dtype):
    """Error in float units in the last place against the float64 (for float64 results: numpy's) value, on a
    dense grid of the op's domain (including its ends and tiny values): at most MAX_ULP."""
    r = ref_of(name)
    x = dense_grid(r["dom"], dtype)
    y = as_np(resolve(name)(rt_from(x))).astype(np.float64)
    with quiet():
        ref = r["fn"](x.astype(np.float64)).astype(np.float64)
        ulp = np.spacing(np.abs(ref).astype(NP[dtype])).astype(np.float64)
        err = np.abs(y - ref) / ulp
    err[~np.isfinite(ref)] = np.where(np.isnan(y[~np.isfinite(ref)]) == np.isnan(ref[~np.isfinite(ref)]), 0, np.inf)
    worst = int(np.argmax(err))
    assert err[worst] <= MAX_ULP_OF.get(name, MAX_ULP), (f"{name} {dtype}: {err[worst]:.1f} ulp at x={x[worst]!r}: "
                                   f"rtensor {y[worst]!r}, reference {ref[worst]!r}")


# ----------------------------------------------------------------------------------------------- inputs for any op

def op_inputs(name, dtype, rng, shape=(2, 3)):
    """Inputs in the op's domain for every required positional parameter (any registry op, also unknown ones)."""
    entry = REGISTRY[name]
    r = ref_of(name) or _ref(None, "float", dom=(0.2, 0.8), idom=(1, 5))
    names = tensor_args(entry)
    out = []
    for i, _ in enumerate(names):
        dom, idom = (r["dom"], r["idom"]) if i == 0 else (r["bdom"], r["bidom"])
        s = shape if i == 0 else shape[1:]
        if dtype == "bool":
            a = rng.random(s) < 0.5
        elif dtype in INTS:
            a = rng.integers(max(idom[0], -1000), min(idom[1], 1000) + 1, s).astype(NP[dtype])
        else:
            lo, hi = max(dom[0], -100), min(dom[1], 100)
            a = rng.uniform(lo, hi, s).astype(NP[dtype])
        out.append(a)
    return out


def call_kwargs(name):
    r = ref_of(name)
    return dict(r["kw"]) if r else {}


def first_ok_dtype(name, prefer=("float64", "float32", "int64", "int32", "bool"), same=True):
    """A dtype for which the op returns (the golden table, or trying it) and, if same, keeps that dtype."""
    rng = np.random.default_rng(0)
    for d in prefer:
        try:
            args = [rt_from(a) for a in op_inputs(name, d, rng)]
            out = call_op(name, args, **call_kwargs(name))
        except Exception:  # noqa: BLE001 - looking for a dtype that works
            continue
        if not isinstance(out, rt.Tensor):
            continue
        if not same or dname(out.dtype) == d:
            return d
    return None


# ----------------------------------------------------------------------------------------------- in-place / out=

INPLACE = [pytest.param(n, id=n, marks=xfail_marks("inplace", n)) for n, e in REGISTRY.items() if e["inplace"]]
OUT = [pytest.param(n, id=n, marks=xfail_marks("out", n)) for n, e in REGISTRY.items() if e["out"] and e["function"]]


@pytest.mark.parametrize("name", INPLACE)
@settings(max_examples=N)
@given(seed=st.integers(0, 2**32 - 1), contiguous=st.booleans())
def test_inplace_matches_out_of_place(name, seed, contiguous):
    dtype = first_ok_dtype(name)
    if dtype is None:
        pytest.skip("no dtype keeps its dtype")
    rng = np.random.default_rng(seed)
    arrays = op_inputs(name, dtype, rng, shape=(3, 4))
    args = [rt_from(a) for a in arrays]
    expected = call_op(name, args, **call_kwargs(name))
    if contiguous:
        x = rt_from(arrays[0])
    else:
        x = rt_from(np.ascontiguousarray(arrays[0].T)).t()  # a transposed view
    version = x._version if hasattr(x, "_version") else None
    r = call_method(name, x, args[1:], "_", **call_kwargs(name))
    assert r is x
    assert x.dtype == DTYPES[dtype]
    assert_values(as_np(x), as_np(expected), dtype, rtol=0, atol=0, where=f"{name}_")
    if version is not None:
        assert x._version > version


FLOAT_UNARY_INPLACE = [n for n, e in REGISTRY.items() if e["inplace"] and ref_of(n) and ref_of(n)["kind"] == "float"]


@pytest.mark.parametrize("name", FLOAT_UNARY_INPLACE)
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_inplace_refuses_downcast(name, dtype):
    x = rt.tensor([1, 0, 1], dtype=DTYPES[dtype])
    before = x.tolist()
    with pytest.raises(RuntimeError) as e:
        call_method(name, x, [], "_", **call_kwargs(name))
    assert str(e.value) == f"result type Float can't be cast to the desired output type {TORCH_NAME[dtype]}"
    assert x.tolist() == before and x.dtype == DTYPES[dtype]


@pytest.mark.parametrize("name", OUT)
@settings(max_examples=N)
@given(seed=st.integers(0, 2**32 - 1))
def test_out_writes_and_returns(name, seed):
    dtype = first_ok_dtype(name, same=False)
    if dtype is None:
        pytest.skip("no dtype works")
    rng = np.random.default_rng(seed)
    args = [rt_from(a) for a in op_inputs(name, dtype, rng)]
    expected = call_op(name, args, **call_kwargs(name))
    out = rt.empty(tuple(expected.shape), dtype=expected.dtype)
    r = call_op(name, args, **call_kwargs(name), out=out)
    assert r is out
    assert_values(as_np(out), as_np(expected), dname(expected.dtype), rtol=0, atol=0, where=f"{name}(out=)")
    # an out of a wider float dtype receives the values cast (torch's canCast rule)
    if dname(expected.dtype) == "float32":
        out64 = rt.empty(tuple(expected.shape), dtype=rt.float64)
        assert call_op(name, args, **call_kwargs(name), out=out64) is out64
        assert_values(as_np(out64), as_np(expected).astype(np.float64), "float64", rtol=0, atol=0)


# ----------------------------------------------------------------------------------------------- aliases

ALIASES = [pytest.param(a, n, id=a, marks=xfail_marks("alias", a)) for a, n in sorted(ALIAS_OF.items())]


@pytest.mark.parametrize("alias, name", ALIASES)
def test_alias_is_the_same_op(alias, name):
    fa, fn = resolve(alias), resolve(name)
    assert fa is not None, f"rt.{alias} is missing"
    dtype = first_ok_dtype(name, same=False)
    rng = np.random.default_rng(1)
    arrays = op_inputs(name, dtype, rng)
    expected = call_op(name, [rt_from(a) for a in arrays], **call_kwargs(name))
    got = call_op(name, [rt_from(a) for a in arrays], fn=fa, **call_kwargs(name))
    assert dname(got.dtype) == dname(expected.dtype)
    assert_values(as_np(got), as_np(expected), dname(expected.dtype), rtol=0, atol=0)
    # method forms: those torch has under the alias (from the golden table), else those of the op
    g = golden_op(name)
    forms = (g or {}).get("alias_forms", {}).get(alias)
    if "." in alias:
        return
    if forms is None:
        forms = {"method": REGISTRY[name]["method"], "inplace": REGISTRY[name]["inplace"]}
    for suffix, key in (("", "method"), ("_", "inplace")):
        has = hasattr(rt.Tensor, alias + suffix)
        assert has == bool(forms[key]), f"Tensor.{alias}{suffix}: rtensor {has}, torch {forms[key]}"
    if forms["method"]:
        t = rt_from(arrays[0])
        got = call_method(name, t, [rt_from(a) for a in arrays[1:]], attr=alias, **call_kwargs(name))
        assert_values(as_np(got), as_np(expected), dname(expected.dtype), rtol=0, atol=0)


# ----------------------------------------------------------------------------------------------- golden table

ERRORS = GOLDEN["errors"]
META = GOLDEN["meta"]
CODE = GOLDEN["codes"]


def mk(kind, dtype, zerodim=False):
    """The oracle's inputs: meta[kind] values (bool/int/float) in `dtype`; 0-dim: the first value."""
    vals = META[kind]["bool" if dtype == "bool" else "float" if dtype in FLOATS else "int"]
    return rt.tensor(vals[0] if zerodim else vals, dtype=DTYPES[dtype])


def outcome(fn):
    """('ok', result code) or ('err', type name, message) of calling fn()."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = fn()
        except Exception as e:  # noqa: BLE001 - comparing exceptions is the point
            return ("err", type(e).__name__, str(e))
    if isinstance(r, rt.Tensor):
        return ("ok", {v: k for k, v in CODE.items()}[dname(r.dtype)])
    if isinstance(r, tuple):
        return ("ok", "".join({v: k for k, v in CODE.items()}[dname(t.dtype)] for t in r))
    if isinstance(r, bool):
        return ("ok", "P")
    return ("ok", type(r).__name__)


def expected_outcome(code):
    if isinstance(code, int):
        return ("err",) + tuple(ERRORS[code])
    return ("ok", code)


def show(o):
    if o[0] == "ok":
        return CODE.get(o[1], o[1]) if len(o[1]) == 1 else o[1]
    return f"{o[1]}({o[2][:150]!r})"


def registry_name(golden_name):
    if golden_name in REGISTRY:
        return golden_name
    return ALIAS_OF.get(golden_name)


SCALAR_VALUES = {label: v for label, v in META["scalars"]}


def golden_calls(gname, op, variant, table):
    """[(key, thunk)] for one table of one variant."""
    call = variant["call"]
    pre, post, kw = tuple(call["pre"]), tuple(call["post"]), call["kw"]
    fn = resolve(gname)
    short = gname.split(".")[-1]
    keys = GOLDEN["keys"][op["kind"]][table]
    out = []
    for key in keys:
        key_f = key.replace("{op}", short)
        if op["kind"] == "unary":
            if table in ("dtypes", "method", "inplace"):
                d = key
                if table == "dtypes" and op["forms"]["function"]:
                    out.append((key_f, lambda d=d: fn(*pre, mk("unary", d), *post, **kw)))
                elif table in ("dtypes", "method"):
                    out.append((key_f, lambda d=d: getattr(mk("unary", d), short)(*pre, *post, **kw)))
                else:
                    out.append((key_f, lambda d=d: getattr(mk("unary", d), short + "_")(*pre, *post, **kw)))
            elif table == "out":
                d, o = key.split("->")
                out.append((key_f, lambda d=d, o=o: fn(*pre, mk("unary", d), *post, **kw,
                                                       out=rt.empty(tuple(META["out_shape"]), dtype=DTYPES[o]))))
            continue
        # binary
        if table in ("dtypes", "method"):
            a, b = key.split(",")
            if table == "dtypes" and op["forms"]["function"]:
                out.append((key_f, lambda a=a, b=b: fn(mk("a", a), mk("b", b), **kw)))
            else:
                out.append((key_f, lambda a=a, b=b: getattr(mk("a", a), short)(mk("b", b), **kw)))
        elif table == "inplace":
            a, b = key.split(",")
            if b.startswith("py_"):
                s = SCALAR_VALUES[b[3:]]
                out.append((key_f, lambda a=a, s=s: getattr(mk("a", a), short + "_")(s, **kw)))
            else:
                out.append((key_f, lambda a=a, b=b: getattr(mk("a", a), short + "_")(mk("b", b), **kw)))
        elif table == "out":
            ab, o = key.split("->")
            a, b = ab.split(",")
            out.append((key_f, lambda a=a, b=b, o=o: fn(mk("a", a), mk("b", b), **kw,
                                                         out=rt.empty(tuple(META["out_shape"]), dtype=DTYPES[o]))))
        elif table == "scalar":
            if key.startswith("method "):
                d = key[len("method tensor("):key.index(")")]
                s = SCALAR_VALUES[key[key.rindex("(") + 1:-1]]
                out.append((key_f, lambda d=d, s=s: getattr(mk("a", d), short)(s, **kw)))
            elif key.startswith("tensor("):
                d, s = key[len("tensor("):].split("),")
                out.append((key_f, lambda d=d, s=SCALAR_VALUES[s]: fn(mk("a", d), s, **kw)))
            else:
                s, d = key.split(",tensor(")
                out.append((key_f, lambda d=d[:-1], s=SCALAR_VALUES[s]: fn(s, mk("b", d), **kw)))
        elif table == "zerodim":
            a, b = key.split(",")
            za, zb = a.endswith("[0d]"), b.endswith("[0d]")
            out.append((key_f, lambda a=a[:-4], b=b[:-4], za=za, zb=zb: fn(mk("a", a, za), mk("b", b, zb), **kw)))
    return out


# golden dtype tables with known differences: test id -> bug ids
KNOWN_GOLDEN = {}


def golden_params():
    out = []
    for gname, op in GOLDEN["ops"].items():
        for label, variant in op["variants"].items():
            for table in ("dtypes", "method", "inplace", "out", "scalar", "zerodim"):
                if table not in variant:
                    continue
                pid = f"{gname}-{label}-{table}"
                out.append(pytest.param(gname, label, table, id=pid,
                                        marks=xfail_marks("golden", pid, KNOWN_GOLDEN.get(pid, ""))))
    return out


@pytest.mark.parametrize("gname, label, table", golden_params())
def test_golden_dtypes(gname, label, table):
    """Result dtype, or exception type and message, as torch (tests/data/torch_dtypes.json)."""
    if registry_name(gname) is None:
        pytest.skip(f"{gname} is not in rtensor's registry yet")
    op = GOLDEN["ops"][gname]
    variant = op["variants"][label]
    entry = REGISTRY[registry_name(gname)]
    if table in ("method", "inplace") and "." in gname:
        pytest.skip("no method form")
    if table == "out" and not entry["out"]:
        pytest.skip("rtensor's registry has no out= for this op")
    diffs = []
    for (key, thunk), code in zip(golden_calls(gname, op, variant, table), variant[table]):
        if code is None:
            continue
        got, exp = outcome(thunk), expected_outcome(code)
        if got != exp:
            diffs.append((f"{key}: torch {show(exp)}, rtensor {show(got)}", None))
    settle(f"{gname}-{label}-{table}", diffs, KNOWN_GOLDEN.get(f"{gname}-{label}-{table}"))


def parse(v):
    return float(v) if isinstance(v, str) else v


def golden_value_params():
    out = []
    for gname, op in GOLDEN["ops"].items():
        for label, variant in op["variants"].items():
            for what in ("special", "int64"):
                if what in variant:
                    pid = f"{gname}-{label}-{what}"
                    out.append(pytest.param(gname, label, what, id=pid, marks=xfail_marks("golden_values", pid)))
    return out


def compare_golden_values(got, exp_vals, dtype, where):
    """got: an rtensor result; exp_vals: the oracle's values (strings for floats)."""
    if dtype in FLOATS:
        act = as_np(got).astype(np.float64).ravel()
        exp = np.array([parse(v) for v in exp_vals], dtype=np.float64).astype(NP[dtype]).astype(np.float64)
        rtol = 4 * float(np.finfo(NP[dtype]).eps)
        # atol: the smallest normal number, so a subnormal result where torch flushes to 0 (sigmoid(-100)
        # in float32: torch 0 from 1 / (1 + inf), rtensor 3.8e-44) is not a difference
        atol = float(np.finfo(NP[dtype]).tiny)
        np.testing.assert_allclose(act, exp, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
        z = exp == 0
        assert np.array_equal(np.signbit(act[z]), np.signbit(exp[z])), f"{where}: signs of zeros: {act} vs {exp}"
    else:
        assert as_np(got).ravel().tolist() == list(exp_vals), f"{where}: {as_np(got).ravel().tolist()} != {exp_vals}"


@pytest.mark.parametrize("gname, label, what", golden_value_params())
def test_golden_values(gname, label, what):
    """torch's values at special float inputs and on integer inputs / grids."""
    if registry_name(gname) is None:
        pytest.skip(f"{gname} is not in rtensor's registry yet")
    op = GOLDEN["ops"][gname]
    variant = op["variants"][label]
    call = variant["call"]
    pre, post, kw = tuple(call["pre"]), tuple(call["post"]), call["kw"]
    fn = resolve(gname)
    if not op["forms"]["function"]:
        short = gname.split(".")[-1]
        fn = lambda x, *a, **k: getattr(x, short)(*a, **k)  # noqa: E731
    if op["kind"] == "unary":
        if what == "special":
            for dtype in FLOATS:
                exp = variant["special"][dtype]
                x = rt.tensor([parse(v) for v in META["special_inputs"]], dtype=DTYPES[dtype])
                got = outcome(lambda: fn(*pre, x, *post, **kw))
                if isinstance(exp, int):
                    assert got == expected_outcome(exp)
                    continue
                r = fn(*pre, x, *post, **kw)
                if "items" in exp:  # a named tuple (frexp): every item
                    assert isinstance(r, tuple) and len(r) == len(exp["items"])
                    for i, (ri, ei) in enumerate(zip(r, exp["items"])):
                        assert dname(ri.dtype) == ei["dtype"]
                        compare_golden_values(ri, ei["value"], ei["dtype"], f"{gname}[{label}]({dtype} specials)[{i}]")
                    continue
                r = r[0] if isinstance(r, tuple) else r
                assert dname(r.dtype) == exp["dtype"]
                compare_golden_values(r, exp["value"], exp["dtype"], f"{gname}[{label}]({dtype} specials)")
        else:
            exp = variant["int64"]
            x = rt.tensor(META["unary_int_values"], dtype=rt.int64)
            if isinstance(exp, int):
                assert outcome(lambda: fn(*pre, x, *post, **kw)) == expected_outcome(exp)
                return
            r = fn(*pre, x, *post, **kw)
            r = r[0] if isinstance(r, tuple) else r
            assert dname(r.dtype) == exp["dtype"]
            compare_golden_values(r, exp["value"], exp["dtype"], f"{gname}[{label}](int64 values)")
        return
    # binary grids: out[i][j] = op(values[i], values[j]); errors per element
    vals = META["binary_float_grid"] if what == "special" else META["binary_int_grid"]
    dtype = "float32" if what == "special" else "int64"
    grid = variant[what]
    if what == "special":
        if "float32" in grid:
            rows = grid["float32"]
            a = rt.tensor([parse(v) for v in vals for _ in vals], dtype=rt.float32)
            b = rt.tensor([parse(v) for _ in vals for v in vals], dtype=rt.float32)
            r = fn(a, b, **kw)
            assert dname(r.dtype) == grid["dtype"]
            compare_golden_values(r, [x for row in rows for x in row], grid["dtype"], f"{gname}[{label}] float32 grid")
            return
        rows = grid["float32_elementwise"]
    else:
        rows = grid
    fails = []
    for i, va in enumerate(vals):
        for j, vb in enumerate(vals):
            e = rows[i][j]
            a = rt.tensor([parse(va)], dtype=DTYPES[dtype])
            b = rt.tensor([parse(vb)], dtype=DTYPES[dtype])
            got = outcome(lambda: fn(a, b, **kw))
            if isinstance(e, dict):
                e = e["e"]
                if got != expected_outcome(e):
                    fails.append(f"({va}, {vb}): torch {show(expected_outcome(e))}, rtensor {show(got)}")
                continue
            if got[0] == "err":
                fails.append(f"({va}, {vb}): torch {e!r}, rtensor {show(got)}")
                continue
            r = fn(a, b, **kw)
            v = r if isinstance(r, bool) else r.tolist()
            v = v[0] if isinstance(v, list) else v
            ev = parse(e) if not isinstance(e, bool) else e
            same = v == ev or (isinstance(ev, float) and math.isnan(ev) and isinstance(v, float) and math.isnan(v))
            if isinstance(ev, float) and isinstance(v, float) and not same and math.isfinite(ev):
                same = abs(v - ev) <= 4 * 1.2e-7 * abs(ev)
            if isinstance(ev, float) and ev == 0 and same and math.copysign(1, ev) != math.copysign(1, v):
                same = False
            if not same:
                fails.append(f"({va}, {vb}): torch {e!r}, rtensor {v!r}")
    assert not fails, f"{len(fails)} differences from torch:\n" + "\n".join(fails[:25])


# ----------------------------------------------------------------------------------------------- golden gradients

KNOWN_GRAD = {}


def golden_grad_params():
    out = []
    for gname, op in GOLDEN["ops"].items():
        for label, variant in op["variants"].items():
            if "grad" in variant:
                pid = f"{gname}-{label}"
                out.append(pytest.param(gname, label, id=pid, marks=xfail_marks("golden_grad", pid,
                                                                                 KNOWN_GRAD.get(pid, ""))))
    return out


def grad_case(gname, op, variant, case):
    """(function of the leaves, leaves) for one of the oracle's gradient cases, or None when not applicable."""
    call = variant["call"]
    pre, post, kw = tuple(call["pre"]), tuple(call["post"]), call["kw"]
    fn = resolve(gname)
    short = gname.split(".")[-1]
    gi = META["grad_inputs"]

    def T(v, rg=True, dtype=rt.float64):
        return rt.tensor(v, dtype=dtype, requires_grad=rg)

    if op["kind"] == "unary":
        x = op.get("grad_x", gi["unary"])
        f = {"float64": lambda t: fn(*pre, t, *post, **kw),
             "float32": lambda t: fn(*pre, t, *post, **kw),
             "method_float64": lambda t: getattr(t, short)(*pre, *post, **kw),
             "inplace_on_clone": lambda t: getattr(t.clone(), short + "_")(*pre, *post, **kw),
             "inplace_on_leaf": lambda t: getattr(t, short + "_")(*pre, *post, **kw)}.get(case)
        if f is None:
            return None
        return f, [T(x, dtype=rt.float32 if case == "float32" else rt.float64)]
    a, b = op.get("grad_ab", [gi["a"], gi["b"]])
    cases = {
        "tensor,tensor": (lambda p, q: fn(p, q, **kw), [T(a), T(b)]),
        "tensor,tensor(a only requires grad)": (lambda p, q: fn(p, q, **kw), [T(a), T(b, False)]),
        "tensor,tensor(b only requires grad)": (lambda p, q: fn(p, q, **kw), [T(a, False), T(b)]),
        "tensor,scalar 2.0": (lambda p, q: fn(p, q, **kw), [T(a), 2.0]),
        "tensor,scalar 2": (lambda p, q: fn(p, q, **kw), [T(a), 2]),
        "scalar 2.0,tensor (function)": (lambda p, q: fn(p, q, **kw), [2.0, T(b)]),
        "tensor,0-dim tensor": (lambda p, q: fn(p, q, **kw), [T(a), T(b[0])]),
        "method tensor,tensor": (lambda p, q: getattr(p, short)(q, **kw), [T(a), T(b)]),
        "inplace on clone": (lambda p, q: getattr(p.clone(), short + "_")(q, **kw), [T(a), T(b)]),
    }
    return cases.get(case)


@pytest.mark.parametrize("gname, label", golden_grad_params())
def test_golden_gradients(gname, label):
    """grad_fn type names, requires_grad, forward/backward errors and the gradients of sum(output), as torch."""
    if registry_name(gname) is None:
        pytest.skip(f"{gname} is not in rtensor's registry yet")
    op = GOLDEN["ops"][gname]
    variant = op["variants"][label]
    fails = []
    for case, exp in variant["grad"].items():
        c = grad_case(gname, op, variant, case)
        if c is None:
            continue
        if ("method" in case or "inplace" in case) and "." in gname:
            continue
        f, inputs = c
        leaves = [t for t in inputs if isinstance(t, rt.Tensor) and t.requires_grad]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = f(*inputs)
            except Exception as e:  # noqa: BLE001
                if "fwd" not in exp:
                    fails.append(f"{case}: forward raises {type(e).__name__}: {e}")
                elif [type(e).__name__, str(e)] != ERRORS[exp["fwd"]]:
                    fails.append(f"{case}: forward raises {type(e).__name__}({str(e)!r}), torch {ERRORS[exp['fwd']]}")
                continue
        if "fwd" in exp:
            fails.append(f"{case}: torch raises {ERRORS[exp['fwd']]}, rtensor returns")
            continue
        first = out[0] if isinstance(out, tuple) else out
        if not isinstance(first, rt.Tensor):
            continue
        fn_name = None if first.grad_fn is None else type(first.grad_fn).__name__
        if fn_name != exp["fn"]:
            fails.append(f"{case}: grad_fn torch {exp['fn']}, rtensor {fn_name}")
        if first.requires_grad != exp["rg"]:
            fails.append(f"{case}: requires_grad torch {exp['rg']}, rtensor {first.requires_grad}")
            continue
        if not first.requires_grad or "grads" not in exp:
            continue
        outs = [o for o in (out if isinstance(out, tuple) else (out,)) if o.requires_grad]
        total = None
        for o in outs:
            s = o.sum() if o.is_floating_point() else o.sum().double()
            total = s if total is None else total + s
        try:
            total.backward()
        except Exception as e:  # noqa: BLE001
            if "bwd" not in exp:
                fails.append(f"{case}: backward raises {type(e).__name__}: {e}")
            elif [type(e).__name__, str(e)] != ERRORS[exp["bwd"]]:
                fails.append(f"{case}: backward raises {type(e).__name__}({str(e)!r}), torch {ERRORS[exp['bwd']]}")
            continue
        if "bwd" in exp:
            fails.append(f"{case}: torch's backward raises {ERRORS[exp['bwd']]}, rtensor's does not")
            continue
        gi = iter(exp["grads"])
        for t in inputs:
            if not isinstance(t, rt.Tensor):
                next(gi, None)
                continue
            e = next(gi, "n/a")
            if e == "n/a":
                continue
            g = t.grad
            if e is None or e == "zero":
                if g is not None and any(v != 0 for v in np.ravel(as_np(g))):
                    fails.append(f"{case}: torch's grad is {e}, rtensor's {g.tolist()}")
                continue
            if g is None:
                fails.append(f"{case}: torch's grad {e}, rtensor's None")
                continue
            ev = np.array([parse(v) for v in np.ravel(e)], dtype=np.float64)
            gv = np.ravel(as_np(g)).astype(np.float64)
            if gv.shape != ev.shape or not np.allclose(gv, ev, rtol=1e-6, atol=1e-12, equal_nan=True):
                fails.append(f"{case}: grad torch {e}, rtensor {g.tolist()}")
    pid = f"{gname}-{label}"
    settle(pid, [(f, None) for f in fails], KNOWN_GRAD.get(pid))


# ----------------------------------------------------------------------------------------------- gradcheck

# (lo, hi) of the float64 inputs for gradcheck (first, other inputs), away from each op's kinks and jumps;
# default (0.2, 0.8). Extra keyword variants per op.
GRAD_DOMAIN = {
    "mvlgamma": ((1.5, 3.0), None), "special.multigammaln": ((1.5, 3.0), None),
    "special.zeta": ((1.5, 3.0), (0.5, 2.0)), "special.ndtri": ((0.2, 0.8), None),
    "acosh": ((1.2, 3.0), None), "round": ((0.1, 0.4), None), "remainder": ((0.1, 0.4), (0.5, 0.9)),
    "fmod": ((0.1, 0.4), (0.5, 0.9)), "clamp": ((0.1, 0.9), None), "logit": ((0.1, 0.9), None),
    "sign": ((0.1, 0.9), None), "sgn": ((0.1, 0.9), None), "frac": ((0.1, 0.9), None),
    "nan_to_num": ((-2, 2), None), "neg": ((-2, 2), None), "sin": ((-3, 3), None), "tanh": ((-3, 3), None),
    "lgamma": ((0.5, 3.0), None), "digamma": ((0.5, 3.0), None),
}
# Ops torch differentiates in their second operand only (the first raises at backward).
GRAD_OF_SECOND_ONLY = {"igamma", "igammac", "special.zeta"}

GRAD_VARIANTS = {
    "div": [{"rounding_mode": "trunc"}, {"rounding_mode": "floor"}],
    "round": [{"decimals": 1}],
    "clamp": [{"min": 0.3, "max": 0.7}, {"min": 0.4}, {"max": 0.6}],
    "logit": [{"eps": 0.2}],
    "add": [{"alpha": 2.5}], "sub": [{"alpha": -1.5}], "rsub": [{"alpha": 0.5}],
    "nan_to_num": [{"nan": 1.0, "posinf": 2.0}],
}
SCALAR_SECOND = {"pow": 2.5, "float_power": 1.5, "add": 2.0, "mul": 3.0, "div": 2.0, "sub": 0.5, "remainder": 0.3,
                 "fmod": 0.3, "clamp_min": 0.5, "clamp_max": 0.5}


def grad_params():
    out = []
    for name, e in REGISTRY.items():
        if not e["function"]:
            continue
        nodes = [n for n in e["nodes"] if n != "NotImplemented"]
        kind = "diff" if nodes else "notimpl" if e["nodes"] else "none"
        out.append(pytest.param(name, kind, id=name, marks=xfail_marks("gradcheck", name)))
    return out


def leaf(rng, lo, hi, shape):
    return rt.tensor(rng.uniform(lo, hi, shape), dtype=rt.float64, requires_grad=True)


@pytest.mark.parametrize("name, kind", grad_params())
def test_gradcheck(name, kind):
    fn = resolve(name)
    rng = np.random.default_rng(7)
    nargs = len(tensor_args(REGISTRY[name]))
    dom, dom2 = GRAD_DOMAIN.get(name, ((0.2, 0.8), None))
    dom2 = dom2 or dom
    if kind == "none":
        # not differentiable: outputs do not require grad
        x = [leaf(rng, *dom, (2, 3)) for _ in range(nargs)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = call_op(name, x, **call_kwargs(name))
            except Exception as e:  # noqa: BLE001
                pytest.skip(f"float64 inputs rejected: {type(e).__name__}")
        for o in out if isinstance(out, tuple) else (out,):
            if isinstance(o, rt.Tensor):
                assert o.grad_fn is None
                assert not o.requires_grad or any(o is t for t in x)  # positive() returns its input
        return
    if name in GRAD_OF_SECOND_ONLY:  # torch differentiates only `other`
        a = rt.tensor(rng.uniform(*dom, (2, 3)), dtype=rt.float64)
        b = leaf(rng, *dom2, (2, 3))
        assert rt.autograd.gradcheck(lambda t: call_op(name, (a, t)), (b,))
        with pytest.raises(NotImplementedError, match="not implemented"):
            call_op(name, (a.requires_grad_(), b)).sum().backward()
        return
    if kind == "notimpl":
        x = [leaf(rng, *dom, (2, 3)) for _ in range(nargs)]
        out = call_op(name, x)
        assert out.requires_grad and type(out.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match=f"derivative for aten::{name} is not implemented"):
            out.sum().backward()
        return
    shapes = [((2, 3),), ((2, 3), (3,)), ((), (2, 1))] if nargs == 2 else [((2, 3),) * nargs, ((),) * nargs]
    for shape_set in shapes:
        for kw in [call_kwargs(name)] + GRAD_VARIANTS.get(name, []):
            inputs = [leaf(rng, *(dom if i == 0 else dom2), s) for i, s in enumerate(shape_set[:nargs])]
            if len(shape_set) < nargs:
                inputs += [leaf(rng, *dom2, shape_set[0]) for _ in range(nargs - len(shape_set))]
            assert rt.autograd.gradcheck(lambda *t: call_op(name, t, **kw), tuple(inputs)), (name, kw, shape_set)
    if nargs == 2 and name in SCALAR_SECOND:
        x = leaf(rng, *dom, (2, 3))
        assert rt.autograd.gradcheck(lambda t: fn(t, SCALAR_SECOND[name]), (x,))
    if name in ("pow", "float_power"):  # a Number base
        x = leaf(rng, *dom2, (2, 3))
        assert rt.autograd.gradcheck(lambda t: fn(2.0, t), (x,))
