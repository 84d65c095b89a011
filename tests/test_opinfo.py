# rtensor against torch on PyTorch's own OpInfo samples.
#
# Every op of rtensor's op registry (rtensor._rtensor._registry(): the name and its aliases) that has an
# OpInfo in torch's op_db (matched by OpInfo.name, OpInfo.aliases, or nn.functional.<name> when no other
# OpInfo carries the name) is run on the OpInfo's samples for the ten dtypes of DTYPES (float32, float64,
# float16, bfloat16, int64, int32, int16, int8, uint8 and bool: those the OpInfo supports on CPU), through
# torch and through rtensor, and the results are compared:
# values (torch.testing.assert_close's default tolerances per dtype, looser for ops that accumulate: see
# tol_for; NaN == NaN), dtypes and shapes. When
# torch raises, rtensor must raise an exception of the same type (a different message is only reported,
# see below). One test id per (op, dtype) and per form:
#
#   test_function   rt.<name>(...)                     also re-run with non-contiguous rtensor inputs
#   test_function_reference  the same on OpInfo.reference_inputs (extremal values, large tensors, Python
#                   numbers first), contiguous only: marked slow (make test-slow), a few minutes
#   test_method     Tensor.<name>(...)
#   test_inplace    Tensor.<name>_(...)                 result is the input, same dtype, same values
#   test_out        rt.<name>(..., out=t)               first OUT_SAMPLES samples, out of the result's shape
#   test_grad       float64, requires_grad samples:     grad_fn names, requires_grad, and the gradients of
#                                                       sum(output * random weights) w.r.t. every input
#   test_error_inputs  OpInfo.error_inputs              same exception type as torch
#   test_alias      every registry alias, all forms torch has, against torch
#
# The op list comes from the registry when this module is collected, so ops added to the registry later
# are covered without editing this file (a registry op with no OpInfo shows up as a skipped
# test_has_opinfo).
#
# Skipped (deliberately unsupported by rtensor): samples with complex numbers, tensors or dtypes other than
# the ten above, and layouts other than strided; out= of the wrong shape (rtensor cannot resize out);
# samples rtensor refuses with a NotImplementedError saying it "does not compute yet" (SVD-based norms).
# Genuine rtensor bugs are listed in XFAIL below (strict: a fix makes the test XPASS and fail, so the entry
# must then be removed).
#
# Message mismatches (same exception type, different message) and skipped samples are written to
# .pytest_cache/d/rtensor_opinfo/report.json and summarised at the end of the module's run.
#
# Needs torch and expecttest (skipped otherwise).
import collections
import contextlib
import json
import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")
from torch.testing._internal.common_methods_invocations import op_db  # noqa: E402

import rtensor as rt  # noqa: E402

DTYPES = {
    "float32": (torch.float32, rt.float32),
    "float64": (torch.float64, rt.float64),
    "int32": (torch.int32, rt.int32),
    "int64": (torch.int64, rt.int64),
    "bool": (torch.bool, rt.bool),
    "uint8": (torch.uint8, rt.uint8),
    "int8": (torch.int8, rt.int8),
    "int16": (torch.int16, rt.int16),
    "float16": (torch.float16, rt.float16),
    "bfloat16": (torch.bfloat16, rt.bfloat16),
}
T2R = {t: r for t, r in DTYPES.values()}
OUT_SAMPLES = 4

# ------------------------------------------------------------------------------------ known bugs
# (test, opinfo id, dtype) -> reason. The opinfo id is OpInfo.name plus "." + variant_test_name; dtype is
# None for tests that are not per dtype (test_grad is float64 only and uses "float64"); test_alias is keyed
# by the alias. The B numbers are those of tests/test_pointwise.py's BUGS.
XFAIL = {}
# torch's CPU kernels for these ops on the half types round differently in their vectorised loop and in
# their scalar loop (tensors under one vector, and the tails of longer ones), whose width depends on the
# CPU (AVX2 / AVX512): rtensor rounds once in float32 everywhere.
_VEC_VS_SCALAR = {
    "add": "torch's half add with alpha rounds alpha*other to the half type in its scalar loop only",
    "sub": "torch's half sub with alpha rounds alpha*other to the half type in its scalar loop only",
    "logit": "torch's half logit rounds 1-x, x/(1-x) and the log to the half type, by the CPU's vector width",
    "special.ndtr": "torch's half ndtr rounds each step of 0.5*(1+erf(x/sqrt(2))) to the half type",
    "linspace": "torch's half linspace rounds start, end and step and computes by the CPU's vector width",
    "linspace.tensor_overload": "torch's half linspace rounds start, end and step and computes by the CPU's "
    "vector width",
}
_VEC_FAILS = {
    "add": (["test_function", "test_method", "test_inplace"], ["float16"]),
    "sub": (["test_function", "test_method", "test_inplace"], ["float16"]),
    "logit": (["test_function", "test_method", "test_inplace", "test_out"], ["float16", "bfloat16"]),
    "special.ndtr": (["test_function", "test_out"], ["float16", "bfloat16"]),
    "linspace": (["test_function"], ["float16", "bfloat16"]),
    "linspace.tensor_overload": (["test_function"], ["float16", "bfloat16"]),
}
_VEC_VS_SCALAR["log_softmax"] = ("torch's half log_softmax rounds intermediates to the half type (results near 0 "
                                  "come out 0): rtensor computes in float32 and rounds once")
_VEC_FAILS["log_softmax"] = (["test_function", "test_method", "test_out"], ["float16", "bfloat16"])
_VEC_VS_SCALAR["histc"] = ("torch bins the half types in half arithmetic ((x - min) * bins / (max - min), each step "
                           "rounded): rtensor bins in float32, so a value near a bin edge may land in the next bin")
_VEC_FAILS["histc"] = (["test_function", "test_method"], ["float16", "bfloat16"])
for _op, (_tests, _dts) in _VEC_FAILS.items():
    XFAIL.update({(t, _op, d): _VEC_VS_SCALAR[_op] for t in _tests for d in _dts})
XFAIL[("test_inplace", "addbmm", "bfloat16")] = ("torch's addbmm_ resizes a self of shape [1] or [] to the "
                                                 "product's shape; rtensor refuses to resize in place")
# nn.functional.nll_loss of 4-dim half inputs (torch's nll_loss2d) sums the picked values in the half type in a
# cascade of partial sums; rtensor sums in float32 and rounds once.
XFAIL.update({("test_function", "nn.functional.nll_loss", d): "torch's half nll_loss2d sums in the half type"
              for d in ("float16", "bfloat16")})
XFAIL.update({("test_function", "nn.functional.hinge_embedding_loss", d): "torch rounds the margin to the half "
              "type before margin - input; rtensor subtracts the float32 margin" for d in ("float16", "bfloat16")})
# The first sort sample (8000 elements) has many equal values in the small dtypes (in int32 and float32
# they are all distinct): rtensor's order of equal elements in an unstable sort is not std::sort's there.
XFAIL.update({(t, op, d): "unstable sort of 8000 elements with many ties: the order of equal elements is "
              "not std::sort's" for t in ("test_function", "test_method") for op in ("sort", "argsort")
              for d in ("uint8", "int8", "float16", "bfloat16")})

# torch's half batch_norm rounds intermediates to the half type; rtensor computes in float64 and rounds once.
XFAIL.update({("test_function", "nn.functional.batch_norm", d): "torch's half batch_norm rounds its statistics "
              "and scale to the half type: rtensor computes in float64 and rounds once (1 ulp apart)"
              for d in ("float16", "bfloat16")})

# (test, opinfo id, dtype) -> reason: torch behaviour rtensor deliberately does not support yet.
SKIP = {
    ("test_error_inputs", "take", None): "its third error input passes out=ind[:-1] with index ind[1:]; "
    "to_rt converts the two views into separate rtensor tensors, so the overlap is lost (rtensor refuses "
    "it when the memory is shared: tests/test_gather.py::test_out_overlapping_an_input_is_refused)",
}
# as_strided addresses the storage, which to_rt does not reproduce: the non-contiguous re-run and the
# partial views (a view of a bigger storage) give rtensor another storage than torch's. tests/test_reshape.py
# compares as_strided with torch on the same storage layouts instead.
_AS_STRIDED_STORAGE = "as_strided reads the storage, which to_rt does not reproduce (see tests/test_reshape.py)"
SKIP.update({("test_function", "as_strided", dt): _AS_STRIDED_STORAGE for dt in DTYPES})
SKIP.update({(t, "as_strided.partial_views", dt): _AS_STRIDED_STORAGE for t in ("test_function", "test_method") for dt in DTYPES})
SKIP[("test_grad", "as_strided.partial_views", "float64")] = _AS_STRIDED_STORAGE


# ------------------------------------------------------------------------------------ registry <-> OpInfo

REGISTRY = rt._rtensor._registry()


def resolve(module, dotted):
    """module.a.b for dotted 'a.b', or None."""
    obj = module
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def opinfo_id(op):
    return op.name + ("." + op.variant_test_name if op.variant_test_name else "")


def match_opinfos():
    """[(registry entry, rtensor name to call, OpInfo)] and the registry names with no OpInfo."""
    by_name = {}
    for e in REGISTRY:
        for n in [e["name"]] + list(e["aliases"]):
            by_name.setdefault(n, e)
    plain_names = {op.name for op in op_db}
    cases, matched = [], set()
    for op in op_db:
        candidates = [op.name] + [a.name for a in op.aliases]
        if op.name.startswith("nn.functional."):
            short = op.name[len("nn.functional."):]
            if short not in plain_names:
                candidates.append(short)
        for c in candidates:
            if c in by_name:
                cases.append((by_name[c], c, op))
                matched.add(by_name[c]["name"])
                break
    unmatched = [e["name"] for e in REGISTRY if e["name"] not in matched]
    return cases, unmatched


CASES, UNMATCHED = match_opinfos()


def _params(test, per_dtype=True, only=None, grad=False, slow=False):
    out = []
    for entry, name, op in CASES:
        if only is not None and not only(entry, name, op):
            continue
        supported = op.supported_dtypes("cpu")
        if grad:
            supported = op.supported_backward_dtypes("cpu") if op.supports_autograd else set()
            dtypes = ["float64"] if torch.float64 in supported else []
        elif per_dtype:
            dtypes = [d for d, (t, _) in DTYPES.items() if t in supported]
        else:
            dtypes = [None]
        for d in dtypes:
            key = (test, opinfo_id(op), d)
            marks = [pytest.mark.slow] if slow else []
            if key in XFAIL:
                marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[key]))
            if key in SKIP:
                marks.append(pytest.mark.skip(reason=SKIP[key]))
            pid = f"{opinfo_id(op)}-{d}" if d else opinfo_id(op)
            if name != op.name:
                pid = f"{name}({pid})"
            out.append(pytest.param(entry, name, op, d, id=pid, marks=marks))
    return out


# ------------------------------------------------------------------------------------ report

REPORT = {"message_mismatch": [], "skipped_samples": collections.Counter()}


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    data = {"message_mismatch": REPORT["message_mismatch"],
            "skipped_samples": {k: v for k, v in REPORT["skipped_samples"].most_common()}}
    cache = getattr(request.config, "cache", None)
    path = "(no pytest cache)"
    if cache is not None:
        path = cache.mkdir("rtensor_opinfo") / "report.json"
        path.write_text(json.dumps(data, indent=1))
    tr = request.config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None:
        tr.write_line("")
        tr.write_line(f"test_opinfo: {len(REPORT['message_mismatch'])} message mismatches (same exception type), "
                      f"{sum(REPORT['skipped_samples'].values())} samples skipped as unsupported; details in {path}")


def note_message(where, terr, rerr):
    if str(terr).split("\n")[0] != str(rerr).split("\n")[0]:
        REPORT["message_mismatch"].append({"where": where, "type": type(terr).__name__,
                                           "torch": str(terr)[:300], "rtensor": str(rerr)[:300]})


# ------------------------------------------------------------------------------------ conversion

class Unsupported(Exception):
    """A sample using something rtensor deliberately does not support (skipped, counted in the report)."""


def to_rt(x, memo, grad=False, noncontig=False):
    if isinstance(x, torch.Tensor):
        if id(x) in memo:
            return memo[id(x)]
        if x.layout != torch.strided:
            raise Unsupported(f"layout {x.layout}")
        if x.dtype not in T2R:
            raise Unsupported(f"{x.dtype} tensor")
        bf16 = x.dtype == torch.bfloat16

        def as_numpy(v):
            # numpy has no bfloat16: through float32, exactly (made bfloat16 again by make below)
            v = v.detach().resolve_conj().resolve_neg()
            return (v.float() if bf16 else v).numpy()

        def make(arr):
            r = rt.tensor(np.array(arr, order="C"))
            return r.to(rt.bfloat16) if bf16 else r

        try:
            a = as_numpy(x)
        except Exception as e:  # noqa: BLE001 - e.g. more dims than numpy holds
            raise Unsupported(f"tensor numpy cannot hold ({e})") from None
        expanded = [d for d, (st, n) in enumerate(zip(x.stride(), x.shape)) if st == 0 and n > 1]
        if expanded:
            # an expanded tensor (elements sharing memory): expand an rtensor the same way
            base = x.detach()
            for d in expanded:
                base = base.narrow(d, 0, 1)
            t = make(as_numpy(base)).expand(*x.shape)
        elif noncontig and a.ndim >= 2:
            # the same values in a transposed (non-contiguous) rtensor
            perm = tuple(reversed(range(a.ndim)))
            t = make(a.transpose(perm)).permute(*perm)
        else:
            t = make(a)
        if grad and x.requires_grad:
            t.requires_grad_(True)
        memo[id(x)] = t
        return t
    if isinstance(x, torch.dtype):
        if x not in T2R:
            raise Unsupported(f"dtype argument {x}")
        return T2R[x]
    if isinstance(x, torch.Size):
        return tuple(x)
    if isinstance(x, torch.device):
        return str(x)
    if isinstance(x, complex):
        raise Unsupported("complex scalar")
    if isinstance(x, tuple):
        return tuple(to_rt(v, memo, grad, noncontig) for v in x)
    if isinstance(x, list):
        return [to_rt(v, memo, grad, noncontig) for v in x]
    if isinstance(x, dict):
        return {k: to_rt(v, memo, grad, noncontig) for k, v in x.items()}
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    raise Unsupported(f"argument of type {type(x).__name__}")


def convert(sample, grad=False, noncontig=False, memo=None):
    memo = {} if memo is None else memo
    return (to_rt(sample.input, memo, grad, noncontig), to_rt(tuple(sample.args), memo, grad, noncontig),
            to_rt(dict(sample.kwargs), memo, grad, noncontig), memo)


def has_noncontig_candidate(sample):
    def walk(x):
        if isinstance(x, torch.Tensor):
            return x.dim() >= 2
        if isinstance(x, (tuple, list)):
            return any(walk(v) for v in x)
        if isinstance(x, dict):
            return any(walk(v) for v in x.values())
        return False
    return walk(sample.input) or walk(tuple(sample.args)) or walk(dict(sample.kwargs))


def describe(x):
    if isinstance(x, torch.Tensor):
        s = f"T{list(x.shape)}:{str(x.dtype)[6:]}"
        if x.numel() <= 6 and x.dim() <= 8:
            s += "=" + repr(x.detach().tolist())
        return s
    if isinstance(x, (tuple, list)):
        inner = ", ".join(describe(v) for v in x)
        return f"({inner})" if isinstance(x, tuple) else f"[{inner}]"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k}={describe(v)}" for k, v in x.items()) + "}"
    return repr(x)


def sample_str(s):
    args = [describe(s.input)] + [describe(a) for a in s.args] + [f"{k}={describe(v)}" for k, v in s.kwargs.items()]
    return "(" + ", ".join(args) + ")"


def dtype_name(d):
    return str(d).rsplit(".", 1)[-1]


@contextlib.contextmanager
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def call(fn, *args, **kwargs):
    with quiet():
        try:
            return fn(*args, **kwargs), None
        except Exception as e:  # noqa: BLE001 - comparing exceptions is the point
            return None, e


def rt_to_torch(t):
    if t.dtype == rt.bfloat16:  # numpy has no bfloat16: through float32, exactly
        return torch.from_numpy(np.array(t.detach().float().numpy())).bfloat16()
    return torch.from_numpy(np.array(t.detach().numpy()))


def compare(expected, actual, where, tol=None):
    """Raises AssertionError describing the first difference. tol: {dtype name: (rtol, atol)} overriding
    assert_close's defaults, or "metadata" to compare types, dtypes and shapes only."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(actual, rt.Tensor):
            raise AssertionError(f"{where}: torch gives a Tensor, rtensor a {type(actual).__name__}")
        if dtype_name(actual.dtype) != dtype_name(expected.dtype):
            raise AssertionError(f"{where}: dtype torch {dtype_name(expected.dtype)}, rtensor {dtype_name(actual.dtype)}")
        if tuple(actual.shape) != tuple(expected.shape):
            raise AssertionError(f"{where}: shape torch {list(expected.shape)}, rtensor {list(actual.shape)}")
        if tol == "metadata":
            return
        try:
            rtol_atol = (tol or {}).get(dtype_name(expected.dtype))
            kw = dict(rtol=rtol_atol[0], atol=rtol_atol[1]) if rtol_atol else {}
            torch.testing.assert_close(rt_to_torch(actual), expected.detach(), equal_nan=True, check_dtype=False, **kw)
        except AssertionError as e:
            msg = str(e).strip().replace("\n", " ")
            if expected.numel() <= 8:
                msg += f" torch={expected.detach().tolist()} rtensor={actual.tolist()}"
            raise AssertionError(f"{where}: values: {msg}") from None
    elif isinstance(expected, (tuple, list)):
        if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
            raise AssertionError(f"{where}: torch gives {type(expected).__name__} of {len(expected)}, rtensor {actual!r}")
        for i, (e, a) in enumerate(zip(expected, actual)):
            compare(e, a, f"{where}[{i}]", tol)
    else:
        if type(actual) is not type(expected):
            raise AssertionError(f"{where}: torch gives {expected!r}, rtensor {actual!r}")
        same = actual == expected or (isinstance(expected, float) and math.isnan(expected) and math.isnan(actual))
        if not same:
            raise AssertionError(f"{where}: torch gives {expected!r}, rtensor {actual!r}")


NONDETERMINISTIC = ("empty", "rand", "normal", "bernoulli", "multinomial", "poisson")
NONDETERMINISTIC += ("dropout", "nn.functional.dropout")  # activation family: another generator than torch's


def tol_for(entry):
    """Tolerances {dtype: (rtol, atol)} for ops that accumulate (reductions, scans, matmul, norms), whose
    summation order differs from torch's; None (assert_close's defaults) for elementwise ops; "metadata" for
    uninitialised or random results (empty*, rand*: another generator than torch's), whose values mean nothing."""
    if entry["name"].startswith(NONDETERMINISTIC):
        return "metadata"
    src = entry.get("source", "")
    if any(k in src for k in ("/reduce", "/linalg", "scan", "activation/linear")):
        # the half types accumulate in float32 and round once, as torch's CPU does: rtol is assert_close's
        # default (one rounding of the result), atol looser for sums that cancel
        return {"float32": (1e-5, 1e-4), "float64": (1e-10, 1e-10), "float16": (1e-3, 1e-3),
                "bfloat16": (1.6e-2, 1e-2)}
    return None


# rtensor's own word for a feature it deliberately lacks (an SVD for ord='nuc'/2/-2 matrix norms): such a
# sample is skipped and counted, not failed.
UNSUPPORTED_MARKERS = ("rtensor does not compute yet",)


def check_pair(where, texp, terr, rgot, rerr, failures, tol=None):
    """Compares one torch call with one rtensor call; appends failures. True when both returned."""
    if terr is None and isinstance(rerr, NotImplementedError) and any(m in str(rerr) for m in UNSUPPORTED_MARKERS):
        REPORT["skipped_samples"][f"{where.split('(')[0]}: {str(rerr)[:80]}"] += 1
        return False
    if terr is not None:
        if rerr is None:
            failures.append(f"{where}: torch raises {type(terr).__name__}({str(terr)[:160]!r}), "
                            f"rtensor returns {describe_rt(rgot)}")
        elif type(rerr).__name__ != type(terr).__name__:
            failures.append(f"{where}: torch raises {type(terr).__name__}({str(terr)[:160]!r}), "
                            f"rtensor raises {type(rerr).__name__}({str(rerr)[:160]!r})")
        else:
            note_message(where, terr, rerr)
        return False
    if rerr is not None:
        failures.append(f"{where}: torch returns {describe(texp)}, rtensor raises "
                        f"{type(rerr).__name__}({str(rerr)[:200]!r})")
        return False
    try:
        compare(texp, rgot, where, tol)
    except AssertionError as e:
        failures.append(str(e))
        return False
    return True


def describe_rt(x):
    if isinstance(x, rt.Tensor):
        return f"T{list(x.shape)}:{dtype_name(x.dtype)}"
    return repr(x)


def finish(failures, ran, skipped_reasons, what):
    if failures:
        shown = "\n".join(failures[:12])
        more = f"\n... and {len(failures) - 12} more" if len(failures) > 12 else ""
        pytest.fail(f"{len(failures)} differences from torch in {ran} {what}:\n{shown}{more}", pytrace=False)
    if ran == 0:
        pytest.skip("no runnable sample: " + ("; ".join(sorted(set(skipped_reasons))) or "none generated"))


_SAMPLES = {}


def samples(op, dtype_name_, requires_grad=False, reference=False):
    """The OpInfo's samples, generated once per (op, dtype, requires_grad) for the forms that share them (the
    tests never modify a sample: in-place forms work on clones). Reference inputs are not kept."""
    tdt = DTYPES[dtype_name_][0]
    if reference:
        return list(op.reference_inputs("cpu", tdt, requires_grad=requires_grad))
    key = (id(op), dtype_name_, requires_grad)
    if key not in _SAMPLES:
        _SAMPLES[key] = list(op.sample_inputs("cpu", tdt, requires_grad=requires_grad))
    return _SAMPLES[key]


# OpInfos whose samples put the arguments in another order than the function of their name takes:
# nn.functional.embedding's samples are (weight, indices), for its OpInfo.op.
SWAPPED = {"nn.functional.embedding"}


def torch_fn(name, op):
    if name in SWAPPED:
        return op.op
    return resolve(torch, name) or op.op


def rt_fn(name):
    fn = resolve(rt, name)
    if name in SWAPPED and fn is not None:
        return lambda a, b, *args, **kwargs: fn(b, a, *args, **kwargs)
    return fn


# ------------------------------------------------------------------------------------ tests

@pytest.mark.parametrize("name", UNMATCHED or ["<none>"])
def test_has_opinfo(name):
    if name == "<none>":
        return
    pytest.skip(f"registry op {name} has no OpInfo in torch's op_db (not compared with torch here)")


@pytest.mark.parametrize("entry, name, op, dtype", _params("test_function", only=lambda e, n, o: e["function"]))
def test_function(entry, name, op, dtype):
    run_function(entry, name, op, samples(op, dtype))


@pytest.mark.parametrize("entry, name, op, dtype", _params("test_function_reference", slow=True,
                                                           only=lambda e, n, o: e["function"]))
def test_function_reference(entry, name, op, dtype):
    run_function(entry, name, op, samples(op, dtype, reference=True), noncontig=False)


def run_function(entry, name, op, todo, noncontig=True):
    rfn, tfn = rt_fn(name), torch_fn(name, op)
    assert rfn is not None, f"rt.{name} is missing"
    failures, skipped, ran = [], [], 0
    for i, s in enumerate(todo):
        where = f"{name}{sample_str(s)} #{i}"
        try:
            inp, args, kwargs, _ = convert(s)
        except Unsupported as u:
            skipped.append(str(u))
            REPORT["skipped_samples"][f"{opinfo_id(op)}: {u}"] += 1
            continue
        ran += 1
        texp, terr = call(tfn, s.input, *s.args, **s.kwargs)
        rgot, rerr = call(rfn, inp, *args, **kwargs)
        check_pair(where, texp, terr, rgot, rerr, failures, tol_for(entry))
        if noncontig and has_noncontig_candidate(s):
            inp, args, kwargs, _ = convert(s, noncontig=True)
            rgot, rerr = call(rfn, inp, *args, **kwargs)
            check_pair(where + " (non-contiguous)", texp, terr, rgot, rerr, failures, tol_for(entry))
    finish(failures, ran, skipped, "samples")


def _has_method(entry, name, op, suffix=""):
    return "." not in name and hasattr(torch.Tensor, name + suffix)


@pytest.mark.parametrize("entry, name, op, dtype",
                         _params("test_method", only=lambda e, n, o: e["method"] and _has_method(e, n, o)))
def test_method(entry, name, op, dtype):
    assert hasattr(rt.Tensor, name), f"Tensor.{name} is missing"
    failures, skipped, ran = [], [], 0
    for i, s in enumerate(samples(op, dtype)):
        if not isinstance(s.input, torch.Tensor):
            continue
        where = f"Tensor.{name}{sample_str(s)} #{i}"
        try:
            inp, args, kwargs, _ = convert(s)
        except Unsupported as u:
            skipped.append(str(u))
            continue
        ran += 1
        texp, terr = call(getattr(torch.Tensor, name), s.input, *s.args, **s.kwargs)
        rgot, rerr = call(getattr(rt.Tensor, name), inp, *args, **kwargs)
        check_pair(where, texp, terr, rgot, rerr, failures, tol_for(entry))
    finish(failures, ran, skipped, "samples")


@pytest.mark.parametrize("entry, name, op, dtype",
                         _params("test_inplace", only=lambda e, n, o: e["inplace"] and _has_method(e, n, o, "_")))
def test_inplace(entry, name, op, dtype):
    assert hasattr(rt.Tensor, name + "_"), f"Tensor.{name}_ is missing"
    failures, skipped, ran = [], [], 0
    for i, s in enumerate(samples(op, dtype)):
        if not isinstance(s.input, torch.Tensor):
            continue
        where = f"Tensor.{name}_{sample_str(s)} #{i}"
        tin = s.input.detach().clone()
        try:
            rin = to_rt(tin, {})
            _, args, kwargs, _ = convert(s)
        except Unsupported as u:
            skipped.append(str(u))
            continue
        ran += 1
        rdtype = rin.dtype
        texp, terr = call(getattr(torch.Tensor, name + "_"), tin, *s.args, **s.kwargs)
        rgot, rerr = call(getattr(rt.Tensor, name + "_"), rin, *args, **kwargs)
        if check_pair(where, texp, terr, rgot, rerr, failures, tol_for(entry)):
            if rgot is not rin:
                failures.append(f"{where}: the in-place form does not return its input")
            elif rin.dtype != rdtype:
                failures.append(f"{where}: the in-place form changed the dtype to {rin.dtype}")
    finish(failures, ran, skipped, "samples")


@pytest.mark.parametrize("entry, name, op, dtype",
                         _params("test_out", only=lambda e, n, o: e["out"] and e["function"] and o.supports_out))
def test_out(entry, name, op, dtype):
    rfn, tfn = rt_fn(name), torch_fn(name, op)
    failures, skipped, ran = [], [], 0
    for i, s in enumerate(samples(op, dtype)):
        if ran >= OUT_SAMPLES:
            break
        try:
            inp, args, kwargs, _ = convert(s)
        except Unsupported as u:
            skipped.append(str(u))
            continue
        texp, terr = call(tfn, s.input, *s.args, **s.kwargs)
        if terr is not None or not isinstance(texp, torch.Tensor):
            continue
        ran += 1
        where = f"{name}{sample_str(s)[:-1]}, out=T{list(texp.shape)}:{dtype_name(texp.dtype)}) #{i}"
        tout = torch.empty_like(texp)
        rout = rt.empty(tuple(texp.shape), dtype=T2R[texp.dtype])
        tgot, terr = call(tfn, s.input, *s.args, **s.kwargs, out=tout)
        rgot, rerr = call(rfn, inp, *args, **kwargs, out=rout)
        if check_pair(where, tgot, terr, rgot, rerr, failures, tol_for(entry)):
            if rgot is not rout:
                failures.append(f"{where}: out= does not return the out tensor")
            check_pair(where + " (the out tensor)", tout, None, rout, None, failures, tol_for(entry))
    finish(failures, ran, skipped, "samples")


def _tensors(x, acc):
    if isinstance(x, torch.Tensor):
        if all(x is not y for y in acc):
            acc.append(x)
    elif isinstance(x, (tuple, list)):
        for v in x:
            _tensors(v, acc)
    elif isinstance(x, dict):
        for v in x.values():
            _tensors(v, acc)
    return acc


def _outputs(x):
    if isinstance(x, (tuple, list)):
        return [v for v in x if isinstance(v, (torch.Tensor, rt.Tensor))]
    return [x] if isinstance(x, (torch.Tensor, rt.Tensor)) else []


def _grad_fn_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


@pytest.mark.parametrize("entry, name, op, dtype", _params("test_grad", grad=True, only=lambda e, n, o: e["function"]))
def test_grad(entry, name, op, dtype):
    rfn, tfn = rt_fn(name), torch_fn(name, op)
    failures, skipped, ran = [], [], 0
    gen = torch.Generator().manual_seed(1234)
    for i, s in enumerate(samples(op, dtype, requires_grad=True)):
        where = f"{name}{sample_str(s)} #{i} (grad)"
        try:
            inp, args, kwargs, memo = convert(s, grad=True)
        except Unsupported as u:
            skipped.append(str(u))
            continue
        leaves = [t for t in _tensors((s.input, tuple(s.args), dict(s.kwargs)), []) if t.requires_grad]
        rleaves = [memo[id(t)] for t in leaves]
        texp, terr = call(tfn, s.input, *s.args, **s.kwargs)
        rgot, rerr = call(rfn, inp, *args, **kwargs)
        ran += 1
        if not check_pair(where, texp, terr, rgot, rerr, failures, tol_for(entry)):
            continue
        touts, routs = _outputs(texp), _outputs(rgot)
        bad = False
        for k, (to, ro) in enumerate(zip(touts, routs)):
            if to.requires_grad != ro.requires_grad:
                failures.append(f"{where}: output {k} requires_grad torch {to.requires_grad}, rtensor {ro.requires_grad}")
                bad = True
            elif _grad_fn_name(to) != _grad_fn_name(ro):
                failures.append(f"{where}: output {k} grad_fn torch {_grad_fn_name(to)}, rtensor {_grad_fn_name(ro)}")
                bad = True
        diff = [(to, ro) for to, ro in zip(touts, routs) if to.requires_grad and to.is_floating_point()]
        if bad or not diff or not leaves:
            continue
        weights = [torch.randn(to.shape, dtype=to.dtype, generator=gen) for to, _ in diff]
        tloss = sum((to * w).sum() for (to, _), w in zip(diff, weights))
        rloss = None
        for (_, ro), w in zip(diff, weights):
            term = (ro * rt.tensor(w.numpy())).sum()
            rloss = term if rloss is None else rloss + term
        tgrads, terr = call(torch.autograd.grad, tloss, leaves, allow_unused=True)
        rgrads, rerr = call(rt.autograd.grad, rloss, rleaves, allow_unused=True)
        if terr is not None or rerr is not None:
            check_pair(where + " backward", tgrads, terr, rgrads, rerr, failures, tol_for(entry))
            continue
        for k, (tg, rg, leaf) in enumerate(zip(tgrads, rgrads, leaves)):
            if tg is None:
                tg = torch.zeros_like(leaf)
            if rg is None:
                rg = rt.zeros(tuple(leaf.shape), dtype=T2R[leaf.dtype])
            check_pair(f"{where}: gradient of input {k}", tg.detach(), None, rg, None, failures, tol_for(entry))
    finish(failures, ran, skipped, "samples")


@pytest.mark.parametrize("entry, name, op, dtype",
                         _params("test_error_inputs", per_dtype=False,
                                 only=lambda e, n, o: e["function"] and o.error_inputs_func is not None))
def test_error_inputs(entry, name, op, dtype):
    rfn, tfn = rt_fn(name), torch_fn(name, op)
    failures, skipped, ran = [], [], 0
    for i, ei in enumerate(op.error_inputs("cpu")):
        s = ei.sample_input
        where = f"{name}{sample_str(s)} #{i} (error input)"
        try:
            inp, args, kwargs, _ = convert(s)
        except Unsupported as u:
            skipped.append(str(u))
            continue
        texp, terr = call(tfn, s.input, *s.args, **s.kwargs)
        if terr is None:  # OpInfo expects an error torch no longer raises
            continue
        ran += 1
        rgot, rerr = call(rfn, inp, *args, **kwargs)
        check_pair(where, texp, terr, rgot, rerr, failures, tol_for(entry))
    finish(failures, ran, skipped, "error inputs")


def _alias_params():
    out = []
    seen = set()
    for entry, name, op in CASES:
        if name != entry["name"] or op.variant_test_name:
            continue
        for alias in entry["aliases"]:
            if alias in seen:
                continue
            seen.add(alias)
            key = ("test_alias", alias, None)
            marks = [pytest.mark.xfail(strict=True, reason=XFAIL[key])] if key in XFAIL else []
            out.append(pytest.param(entry, alias, op, id=f"{alias}({opinfo_id(op)})", marks=marks))
    return out


@pytest.mark.parametrize("entry, alias, op", _alias_params())
def test_alias(entry, alias, op):
    """Every form of the alias that torch has gives torch's results (function on every supported dtype;
    method and in-place on the first)."""
    rfn = resolve(rt, alias)
    assert rfn is not None, f"rt.{alias} is missing"
    tfn = resolve(torch, alias) or op.op
    failures, ran = [], 0
    # a dtype whose function form is a known failure (XFAIL) is left to that entry
    dtypes = [d for d, (t, _) in DTYPES.items() if t in op.supported_dtypes("cpu")
              and ("test_function", opinfo_id(op), d) not in XFAIL]
    forms = []
    if "." not in alias:
        for suffix, form in (("", "method"), ("_", "inplace")):
            # the forms torch has under the alias, among those the registry declares for the op
            if hasattr(torch.Tensor, alias + suffix) and entry[form]:
                forms.append(suffix)
                if not hasattr(rt.Tensor, alias + suffix):
                    failures.append(f"Tensor.{alias}{suffix} is missing (torch has it)")
    for di, d in enumerate(dtypes):
        for i, s in enumerate(samples(op, d)):
            try:
                inp, args, kwargs, _ = convert(s)
            except Unsupported:
                continue
            ran += 1
            texp, terr = call(tfn, s.input, *s.args, **s.kwargs)
            rgot, rerr = call(rfn, inp, *args, **kwargs)
            check_pair(f"{alias}{sample_str(s)} #{i}", texp, terr, rgot, rerr, failures, tol_for(entry))
            if di or not isinstance(s.input, torch.Tensor):
                continue
            for suffix in forms:
                if not hasattr(rt.Tensor, alias + suffix):
                    continue
                tin = s.input.detach().clone()
                rin = to_rt(tin, {})
                texp, terr = call(getattr(torch.Tensor, alias + suffix), tin, *s.args, **s.kwargs)
                rgot, rerr = call(getattr(rt.Tensor, alias + suffix), rin, *args, **kwargs)
                check_pair(f"Tensor.{alias}{suffix}{sample_str(s)} #{i}", texp, terr, rgot, rerr, failures, tol_for(entry))
    finish(failures, ran, [], "samples")
