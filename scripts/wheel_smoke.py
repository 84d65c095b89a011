"""Smoke test for an installed rtensor wheel (run by scripts/check_wheel.sh in a fresh venv).

It checks that the package imported is the installed wheel (not the source tree), that the compiled
extension loads and computes, and that rtensor works without numpy. Plain asserts, no pytest: the
fresh venv has nothing but the wheel. It lives under scripts/ so that `pytest tests` never collects it.
"""

import importlib.util
import math
import pathlib
import sys

import rtensor as rt


def main() -> None:
    """Runs every check; an AssertionError (or any exception) fails the smoke test."""
    here = pathlib.Path(rt.__file__).resolve()
    assert "site-packages" in here.parts, f"rtensor imported from {here}, not from the installed wheel"
    ext = pathlib.Path(rt._rtensor.__file__)
    assert ext.parent == here.parent, f"extension {ext} is not inside the installed package"
    assert (here.parent / "py.typed").exists(), "py.typed is missing from the wheel"
    assert (here.parent / "_rtensor.pyi").exists(), "_rtensor.pyi is missing from the wheel"
    assert importlib.util.find_spec("numpy") is None, "the smoke venv must not have numpy"

    # Values, dtypes and shapes as torch gives them.
    a = rt.arange(12, dtype=rt.float32).reshape(3, 4)
    assert a.shape == (3, 4) and a.dtype == rt.float32
    assert a.sum().item() == 66.0
    assert (a @ rt.ones(4)).tolist() == [6.0, 22.0, 38.0]
    assert (rt.arange(4) / 2).dtype == rt.float32
    assert rt.tensor([[1, 2], [3, 4]]).dtype == rt.int64
    assert a[1:, ::2].tolist() == [[4.0, 6.0], [8.0, 10.0]]
    assert a[a > 8].tolist() == [9.0, 10.0, 11.0]

    # Autograd, with torch's grad_fn names.
    x = rt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sin().sum()
    assert y.grad_fn.name() == "SumBackward0"
    y.backward()
    expected = [2 * v * math.cos(v * v) for v in (1.0, 2.0, 3.0)]
    assert all(abs(g - e) < 1e-5 for g, e in zip(x.grad.tolist(), expected)), x.grad

    # Linear algebra and random numbers go through the bundled Rust kernels (gemm, faer).
    rt.manual_seed(0)
    m = rt.randn(64, 64, dtype=rt.float64)
    inv = rt.linalg.inv(m)
    assert (m @ inv - rt.eye(64, dtype=rt.float64)).abs().max().item() < 1e-8

    # torch's exception types and messages come through.
    try:
        rt.ones(2, 3) + rt.ones(4)
    except RuntimeError as e:
        assert "must match the size" in str(e), e
    else:
        raise AssertionError("adding shapes (2, 3) and (4,) did not raise")

    # Persistence works without numpy: pickle, rt.save/rt.load, rtensor.safetensors.
    import io
    import pickle

    import rtensor.safetensors

    w = rt.arange(12.0).reshape(3, 4)
    assert pickle.loads(pickle.dumps(w, protocol=5)).tolist() == w.tolist()
    buf = io.BytesIO()
    rt.save({"w": w, "step": 3}, buf)
    buf.seek(0)
    loaded = rt.load(buf)
    assert loaded["step"] == 3 and loaded["w"].tolist() == w.tolist()
    assert rtensor.safetensors.load(rtensor.safetensors.save({"w": w}))["w"].tolist() == w.tolist()

    # Without numpy, the numpy bridge fails with an ImportError, not a crash.
    try:
        a.numpy()
    except ImportError:
        pass
    else:
        raise AssertionError("Tensor.numpy() without numpy did not raise ImportError")

    print(f"wheel smoke test passed: rtensor {rt.__version__} on Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
