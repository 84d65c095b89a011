"""rt.testing.assert_close (default tolerances per dtype, check_dtype/check_device/equal_nan/msg,
sequences and mappings, torch's messages) and rt.testing.make_tensor (shape, dtype, bounds,
requires_grad, noncontiguous, exclude_zero), against torch.testing when installed."""

import math
import re

import numpy as np
import pytest

import rtensor as rt
from rtensor.testing import assert_close, make_tensor


def _message(fn, *args, **kwargs):
    with pytest.raises(Exception) as info:
        fn(*args, **kwargs)
    return type(info.value), str(info.value)


def test_close_passes_within_default_tolerances():
    assert_close(rt.tensor([1.0, 2.0]), rt.tensor([1.0 + 1e-6, 2.0]))
    assert_close(rt.tensor([1.0], dtype=rt.float64), rt.tensor([1.0 + 1e-8], dtype=rt.float64))
    assert_close(rt.tensor([1, 2]), rt.tensor([1, 2]))
    assert_close(1.0, 1.0 + 1e-9)
    assert_close([rt.ones(2), 3], [rt.ones(2), 3])
    assert_close({"a": rt.ones(1)}, {"a": rt.ones(1)})
    assert_close(None, None)
    assert_close(True, True)
    assert_close(np.arange(3.0), np.arange(3.0))
    assert_close(rt.tensor([float("nan")]), rt.tensor([float("nan")]), equal_nan=True)
    assert_close(rt.tensor([1.0]), rt.tensor([1.0], dtype=rt.float64), check_dtype=False)
    assert_close(rt.tensor([1.0]), rt.tensor([1.1]), rtol=0.2, atol=0.0)


def test_mismatch_message():
    kind, msg = _message(assert_close, rt.tensor([1.0, 2.0, 3.0]), rt.tensor([1.0, 2.5, 3.0]))
    assert kind is AssertionError
    assert msg == (
        "Tensor-likes are not close!\n\n"
        "Mismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)"
    )
    kind, msg = _message(assert_close, rt.tensor([1, 2]), rt.tensor([1, 3]))
    assert msg == (
        "Tensor-likes are not equal!\n\n"
        "Mismatched elements: 1 / 2 (50.0%)\n"
        "Greatest absolute difference: 1 at index (1,)\n"
        "Greatest relative difference: 0.3333333432674408 at index (1,)"
    )
    kind, msg = _message(assert_close, rt.tensor(1.0), rt.tensor(1.5))
    assert msg == (
        "Scalars are not close!\n\nExpected 1.5 but got 1.0.\n"
        "Absolute difference: 0.5 (up to 1e-05 allowed)\n"
        "Relative difference: 0.3333333333333333 (up to 1.3e-06 allowed)"
    )


def test_attribute_and_structure_errors():
    assert _message(assert_close, rt.ones(2), rt.ones(3)) == (
        AssertionError, "The values for attribute 'shape' do not match: rtensor.Size([2]) != rtensor.Size([3]).")
    assert _message(assert_close, rt.ones(2), rt.ones(2, dtype=rt.float64)) == (
        AssertionError, "The values for attribute 'dtype' do not match: rtensor.float32 != rtensor.float64.")
    assert _message(assert_close, [1, 2], [1]) == (
        AssertionError, "The length of the sequences mismatch: 2 != 1")
    kind, msg = _message(assert_close, [rt.ones(1), rt.ones(1)], [rt.ones(1), rt.zeros(1)])
    assert msg.endswith("The failure occurred for item [1]")
    kind, msg = _message(assert_close, {"a": 1}, {"b": 1})
    assert msg == ("The keys of the mappings do not match:\nMissing keys in the actual mapping: ['b']\n"
                   "Additional keys in the actual mapping: ['a']")
    kind, msg = _message(assert_close, rt.ones(1), 1)
    assert kind is TypeError and msg.startswith("No comparison pair was able to handle inputs of type")
    assert _message(assert_close, rt.ones(1), rt.ones(1), rtol=0.1) == (
        ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol.")
    assert _message(assert_close, None, 1) == (AssertionError, "None mismatch: None is not 1")
    assert _message(assert_close, True, False) == (AssertionError, "Booleans mismatch: True is not False")
    assert _message(assert_close, rt.tensor([float("nan")]), rt.tensor([float("nan")]))[0] is AssertionError
    assert_close(rt.ones(2), rt.ones(2), check_device=False)


def test_msg_argument():
    assert _message(assert_close, rt.ones(1), rt.zeros(1), msg="custom") == (AssertionError, "custom")
    kind, msg = _message(assert_close, rt.ones(1), rt.zeros(1), msg=lambda m: "wrapped: " + m)
    assert msg.startswith("wrapped: Tensor-likes are not close!")


CASES = [
    (lambda m: m.tensor([1.0, 2.0, 3.0]), lambda m: m.tensor([1.0, 2.5, 3.0 + 1e-3])),
    (lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=m.float64), lambda m: m.tensor([[1.0, 2.0], [3.5, 0.0]], dtype=m.float64)),
    (lambda m: m.tensor([1, 2, 3]), lambda m: m.tensor([1, 0, 3])),
    (lambda m: m.tensor([True, False]), lambda m: m.tensor([True, True])),
    (lambda m: m.tensor(2.0), lambda m: m.tensor(0.0)),
    (lambda m: m.tensor([0.0, 1.0]), lambda m: m.tensor([1.0, 0.0])),
    (lambda m: m.tensor([float("nan"), 1.0]), lambda m: m.tensor([float("nan"), 1.0])),
    (lambda m: m.tensor([float("inf")]), lambda m: m.tensor([1.0])),
    (lambda m: m.ones(2), lambda m: m.ones(3)),
    (lambda m: m.ones(2), lambda m: m.ones(2, dtype=m.float64)),
    (lambda m: [m.ones(1), 2.0], lambda m: [m.ones(1), 2.5]),
    (lambda m: 1, lambda m: 2),
    (lambda m: 1.0, lambda m: 1.5),
    (lambda m: {"x": m.zeros(2)}, lambda m: {"x": m.ones(2)}),
]


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("options", [{}, {"check_dtype": False}, {"equal_nan": True}, {"rtol": 0.1, "atol": 0.1}])
def test_messages_as_torch(case, options):
    torch = pytest.importorskip("torch")
    make_actual, make_expected = CASES[case]
    ours = theirs = None
    try:
        assert_close(make_actual(rt), make_expected(rt), **options)
    except Exception as e:  # noqa: BLE001
        ours = (type(e), str(e))
    try:
        torch.testing.assert_close(make_actual(torch), make_expected(torch), **options)
    except Exception as e:  # noqa: BLE001
        theirs = (type(e), str(e).replace("torch.", "rtensor."))
    assert ours == theirs


@pytest.mark.parametrize("dtype", [rt.float32, rt.float64, rt.int32, rt.int64, rt.bool])
def test_make_tensor_defaults(dtype):
    t = make_tensor(3, 4, dtype=dtype, device="cpu")
    assert t.shape == (3, 4) and t.dtype == dtype and not t.requires_grad
    assert make_tensor((2, 3), dtype=dtype, device="cpu").shape == (2, 3)
    if dtype == rt.bool:
        return
    values = t.to(rt.float64)
    if dtype.is_floating_point:
        assert values.min().item() >= -9 and values.max().item() < 9
    else:
        assert values.min().item() >= -9 and values.max().item() <= 9


def test_make_tensor_options():
    t = make_tensor(4, 5, dtype=rt.float32, device="cpu", low=0.5, high=1.0, requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.min().item() >= 0.5 and t.max().item() < 1.0
    n = make_tensor(4, 5, dtype=rt.float64, device="cpu", noncontiguous=True)
    assert n.shape == (4, 5) and not n.is_contiguous()
    z = make_tensor(50, dtype=rt.int64, device="cpu", low=-1, high=2, exclude_zero=True)
    assert (z != 0).all().item() and z.min().item() >= -1 and z.max().item() <= 1
    f = make_tensor(50, dtype=rt.float32, device="cpu", low=0, high=1e-30, exclude_zero=True)
    assert (f != 0).all().item()
    i = make_tensor(100, dtype=rt.int32, device="cpu", low=3, high=5)
    assert set(i.tolist()) <= {3, 4}
    with pytest.raises(ValueError, match=re.escape("`low` must be less than `high`, but got 2 >= 1")):
        make_tensor(2, dtype=rt.float32, device="cpu", low=2, high=1)
    with pytest.raises(ValueError, match="`low` and `high` cannot be NaN"):
        make_tensor(2, dtype=rt.float32, device="cpu", low=math.nan)
    with pytest.raises(ValueError, match="`requires_grad=True` is not supported for boolean and integral dtypes"):
        make_tensor(2, dtype=rt.int64, device="cpu", requires_grad=True)
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        make_tensor(2, dtype=rt.float32, device="cuda")
