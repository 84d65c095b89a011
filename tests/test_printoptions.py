"""rt.set_printoptions / get_printoptions / printoptions: every option and profile, and the repr of
many tensors afterwards, byte for byte torch's (with 'torch' spelled 'rtensor'). Each test
restores the defaults."""

import math

import numpy as np
import pytest

import rtensor as rt

DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


@pytest.fixture(autouse=True)
def _restore():
    yield
    rt.set_printoptions(profile="default")
    try:
        import torch
    except ImportError:
        return
    torch.set_printoptions(profile="default")


def _arrays():
    rng = np.random.default_rng(7)
    out = [
        np.array(3.14159265, dtype=np.float32),
        np.array([1.0, 2.5, -3.25], dtype=np.float64),
        np.array([1e-5, 1.0, 1e5], dtype=np.float32),
        np.array([123456789.0, 1.5], dtype=np.float64),
        np.array([1.0, 2.0, 3.0], dtype=np.float32),
        np.array([np.nan, np.inf, -np.inf, 0.5], dtype=np.float32),
        np.arange(2000, dtype=np.int64),
        np.arange(30, dtype=np.int32).reshape(5, 6),
        rng.standard_normal((4, 50)).astype(np.float32),
        rng.standard_normal((3, 4, 5)),
        rng.standard_normal(1500).astype(np.float32) * 1e-3,
        rng.random((12, 12)) < 0.5,
        np.zeros((0, 3), dtype=np.float32),
        np.array([0.1234567, 12345.678], dtype=np.float64),
    ]
    return out


SETTINGS = [
    {},
    {"precision": 2},
    {"precision": 8},
    {"precision": 0},
    {"threshold": 5},
    {"threshold": 5, "edgeitems": 1},
    {"threshold": 5, "edgeitems": 0},
    {"edgeitems": 5, "threshold": 20},
    {"linewidth": 30},
    {"linewidth": 200},
    {"sci_mode": True},
    {"sci_mode": False},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "default"},
    {"profile": "short", "precision": 6},
]


def test_get_and_set_printoptions():
    assert rt.get_printoptions() == DEFAULTS
    rt.set_printoptions(precision=2, threshold=10, edgeitems=1, linewidth=40, sci_mode=True)
    assert rt.get_printoptions() == {"precision": 2, "threshold": 10, "edgeitems": 1, "linewidth": 40,
                                     "sci_mode": True}
    rt.set_printoptions(precision=3)  # sci_mode is reset to None by every call, as in torch
    assert rt.get_printoptions()["sci_mode"] is None and rt.get_printoptions()["precision"] == 3
    rt.set_printoptions(profile="full")
    assert rt.get_printoptions()["threshold"] == math.inf
    rt.set_printoptions(profile="short")
    assert rt.get_printoptions() == {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80,
                                     "sci_mode": None}
    rt.set_printoptions(profile="default")
    assert rt.get_printoptions() == DEFAULTS


def test_printoptions_context_manager():
    with rt.printoptions(precision=1):
        assert repr(rt.tensor([1.25, 2.5])) == "tensor([1.2, 2.5])"
    assert repr(rt.tensor([1.25, 2.5])) == "tensor([1.2500, 2.5000])"


def test_values_after_settings():
    rt.set_printoptions(precision=2)
    assert repr(rt.tensor([1.0, 2.5, -3.25], dtype=rt.float64)) == \
        "tensor([ 1.00,  2.50, -3.25], dtype=rtensor.float64)"
    rt.set_printoptions(threshold=4, edgeitems=1)
    assert repr(rt.arange(10)) == "tensor([0,  ..., 9])"  # torch's spacing
    rt.set_printoptions(profile="default", sci_mode=True)
    assert repr(rt.tensor([1.0, 2.0])) == "tensor([1.0000e+00, 2.0000e+00])"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "none")
def test_repr_as_torch_after_setting(setting):
    torch = pytest.importorskip("torch")
    rt.set_printoptions(**setting)
    torch.set_printoptions(**setting)
    assert rt.get_printoptions() == torch._tensor_str.get_printoptions()
    for a in _arrays():
        ours = repr(rt.tensor(a))
        theirs = repr(torch.tensor(a)).replace("torch.", "rtensor.")
        assert ours == theirs, (setting, a.dtype, a.shape)
        ours = repr(rt.tensor(a).requires_grad_(True)) if a.dtype.kind == "f" else ours
        if a.dtype.kind == "f":
            theirs = repr(torch.tensor(a).requires_grad_(True)).replace("torch.", "rtensor.")
            assert ours == theirs
